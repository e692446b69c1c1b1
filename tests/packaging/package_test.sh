#!/usr/bin/env bash
# tests/packaging/package_test.sh SOURCE_DIR BINARY VERSION
#
# Runs scripts/package-deb.sh on the binary the build already made (no
# rebuild) into a temporary directory and checks what a packager or an IT
# administrator would notice: the file name; the control fields; that the
# archive holds the binary, the unit, the sysusers entry, the man page and the
# docs, all owned by root; that the packaged binary runs; that the man page
# renders and lists every command; that the maintainer scripts parse; and the
# unit, with `systemd-analyze verify` and `systemd-analyze security
# --offline=true` (exposure at most 2.0; the score is printed).
#
# What it cannot check here: installing on a fresh Debian 12, the postinst
# creating the user, and the unit starting under systemd (no systemd as PID 1
# in the build containers). ctest label: package.
set -uo pipefail
SRC=$1
BIN=$2
VERSION=$3
ARCH=$(dpkg --print-architecture)

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# --- the script -------------------------------------------------------------
if ! "$SRC/scripts/package-deb.sh" --binary "$BIN" --out "$TMP/out" > "$TMP/script.log" 2>&1; then
  cat "$TMP/script.log"
  echo "FAIL: scripts/package-deb.sh failed"
  exit 1
fi
cat "$TMP/script.log"
DEB=$TMP/out/inbeeld_${VERSION}_${ARCH}.deb
if [ ! -f "$DEB" ]; then
  ls -l "$TMP/out"
  echo "FAIL: no $(basename "$DEB")"
  exit 1
fi
[ "$(ls "$TMP/out")" = "$(basename "$DEB")" ] && ok "one file, $(basename "$DEB")" ||
  fail "more than the .deb in the output directory: $(ls "$TMP/out")"

# --- control fields ---------------------------------------------------------
field() { dpkg-deb -f "$DEB" "$1"; }
[ "$(field Package)" = inbeeld ] && ok "Package: inbeeld" || fail "Package: $(field Package)"
[ "$(field Version)" = "$VERSION" ] && ok "Version: $VERSION" || fail "Version: $(field Version)"
[ "$(field Architecture)" = "$ARCH" ] && ok "Architecture: $ARCH" ||
  fail "Architecture: $(field Architecture)"
[ -n "$(field Maintainer)" ] && [ -n "$(field Description)" ] && [ -n "$(field Installed-Size)" ] &&
  ok "Maintainer, Description, Installed-Size present" || fail "a required control field is empty"
depends=$(field Depends)
echo "Depends: $depends"
# Every library the binary links, by the Debian 12 package that has it;
# SQLCipher 4 is libsqlcipher1 from bookworm-backports (Debian 12's own 3.4.1
# is libsqlcipher0 and must not satisfy it).
for pkg in 'libsqlcipher1 (>= 4.6' libsodium23 libssl3 'libcpp-httplib0.11' libzip4 libexpat1 \
           libutf8proc2 libfmt9 'libstdc++6' libc6; do
  case ", $depends," in
    *", $pkg"*) ok "Depends names $pkg" ;;
    *) fail "Depends lacks $pkg" ;;
  esac
done
case "$depends" in *libsqlcipher0*) fail "Depends names Debian 12's old libsqlcipher0" ;; esac

# --- contents ---------------------------------------------------------------
dpkg-deb -c "$DEB" > "$TMP/contents"
entry() {  # entry MODE PATH: the archive holds PATH with MODE, owned by root
  if awk -v m="$1" -v p="./$2" '$1 == m && $2 == "root/root" && $6 == p {found = 1} END {exit !found}' \
      "$TMP/contents"; then
    ok "$1 root/root /$2"
  else
    fail "no $1 root/root /$2 in the archive: $(grep -F "./$2" "$TMP/contents" || echo absent)"
  fi
}
entry -rwxr-xr-x usr/bin/inbeeld
entry -rw-r--r-- usr/lib/systemd/system/inbeeld.service
entry -rw-r--r-- usr/lib/systemd/system/inbeeld-backup.service
entry -rw-r--r-- usr/lib/systemd/system/inbeeld-backup.timer
entry -rw-r--r-- usr/lib/sysusers.d/inbeeld.conf
entry -rw-r--r-- usr/share/man/man1/inbeeld.1.gz
entry -rw-r--r-- usr/share/doc/inbeeld/FIRST-START
entry -rw-r--r-- usr/share/doc/inbeeld/README.md.gz
entry -rw-r--r-- usr/share/doc/inbeeld/SECURITY.md.gz
entry drwx------ etc/inbeeld/
if awk '$2 != "root/root" {bad = 1} END {exit bad}' "$TMP/contents"; then
  ok "every entry is owned by root"
else
  fail "entries not owned by root: $(awk '$2 != "root/root"' "$TMP/contents")"
fi

dpkg-deb -x "$DEB" "$TMP/root"
dpkg-deb -e "$DEB" "$TMP/control"
(cd "$TMP/root" && md5sum --check --quiet "$TMP/control/md5sums") && ok "md5sums match" ||
  fail "md5sums do not match the files"

# --- the binary ---------------------------------------------------------------
said=$("$TMP/root/usr/bin/inbeeld" --version 2>&1)
[ "$said" = "inbeeld $VERSION" ] && ok "the packaged binary says '$said'" ||
  fail "the packaged binary says '$said'"
if readelf -S "$TMP/root/usr/bin/inbeeld" | grep -q '\.debug_info'; then
  fail "the packaged binary still has debug info"
else
  ok "the packaged binary is stripped ($(du -h "$TMP/root/usr/bin/inbeeld" | cut -f1))"
fi

# --- man page ---------------------------------------------------------------
zcat "$TMP/root/usr/share/man/man1/inbeeld.1.gz" > "$TMP/inbeeld.1"
warnings=$(groff -man -Tutf8 -ww -z "$TMP/inbeeld.1" 2>&1)
[ -z "$warnings" ] && ok "the man page renders without warnings" || fail "groff: $warnings"
grep -q "^\.TH INBEELD 1 \"\" \"inbeeld $VERSION\"" "$TMP/inbeeld.1" && ok "the man page names $VERSION" ||
  fail "the man page's .TH does not name $VERSION: $(grep '^\.TH' "$TMP/inbeeld.1")"
# Every command `inbeeld --help` lists has an entry (.TP / .B NAME).
commands=$("$BIN" --help | awk '/^Subcommands:/ {on = 1; next} on && /^  [a-z]/ {print $1}')
[ -n "$commands" ] || fail "no commands found in inbeeld --help"
for cmd in $commands; do
  grep -qx "\.B $cmd" "$TMP/inbeeld.1" || fail "the man page has no entry for '$cmd'"
done
ok "the man page has an entry for each of: $(tr "\n" " " <<<"$commands")"

# --- maintainer scripts -------------------------------------------------------
for script in postinst prerm postrm; do
  if [ -x "$TMP/control/$script" ] && sh -n "$TMP/control/$script"; then
    ok "$script is executable and parses"
  else
    fail "$script is missing, not executable or does not parse"
  fi
done

# --- the unit -----------------------------------------------------------------
UNIT=$TMP/root/usr/lib/systemd/system/inbeeld.service
for line in 'User=inbeeld' 'StateDirectory=inbeeld' \
            'ExecStart=/usr/bin/inbeeld serve --data-dir /var/lib/inbeeld' \
            'ExecReload=/bin/kill -HUP $MAINPID' \
            'LoadCredentialEncrypted=passphrase:/etc/inbeeld/passphrase.cred' \
            'Environment=INBEELD_PASSPHRASE_FILE=%d/passphrase'; do
  grep -qxF "$line" "$UNIT" && ok "unit: $line" || fail "the unit lacks the line $line"
done
grep -q '^u inbeeld ' "$TMP/root/usr/lib/sysusers.d/inbeeld.conf" &&
  ok "sysusers.d creates the unit's User=" || fail "sysusers.d does not create user inbeeld"

# verify checks that ExecStart's binary exists: point it at the extracted one.
# It exits 0 on unknown or misspelt settings but says so: any output fails.
mkdir -p "$TMP/verify"
for unit in inbeeld.service inbeeld-backup.service inbeeld-backup.timer; do
  sed "s#/usr/bin/inbeeld#$TMP/root/usr/bin/inbeeld#g" \
    "$TMP/root/usr/lib/systemd/system/$unit" > "$TMP/verify/$unit"
done
for unit in inbeeld.service inbeeld-backup.timer; do
  if verify=$(cd "$TMP/verify" && systemd-analyze verify --man=no "$unit" 2>&1) && [ -z "$verify" ]; then
    ok "systemd-analyze verify $unit: no complaints"
  else
    fail "systemd-analyze verify $unit: ${verify:-exit status $?}"
  fi
done
# The backup unit runs the packaged binary's own backup options.
grep -q '^ExecStart=/usr/bin/inbeeld backup .*--into /var/backups/inbeeld --verify --keep ' \
  "$TMP/root/usr/lib/systemd/system/inbeeld-backup.service" &&
  "$TMP/root/usr/bin/inbeeld" backup --help | grep -q -- '--keep' &&
  ok "inbeeld-backup.service writes verified backups with options the binary has" ||
  fail "inbeeld-backup.service's command line does not match the binary"

backup_security=$(systemd-analyze security --no-pager --offline=true --threshold=20 \
  "$TMP/root/usr/lib/systemd/system/inbeeld-backup.service" 2>&1) &&
  ok "inbeeld-backup.service: $(grep -o 'Overall exposure level[^:]*: [0-9.]*' <<<"$backup_security" | sed 's/.*: /exposure /') <= 2.0" ||
  fail "inbeeld-backup.service exposure over 2.0: $(grep 'Overall exposure' <<<"$backup_security")"

security=$(systemd-analyze security --no-pager --offline=true --threshold=20 "$UNIT" 2>&1)
status=$?
echo "systemd-analyze security --offline=true: what still costs exposure:"
grep '✗' <<<"$security" | sed 's/  */ /g; s/^/  /'
score_line=$(grep 'Overall exposure level' <<<"$security")
echo "$score_line"
score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$score_line")
if [ $status -eq 0 ] && [ -n "$score" ] && awk -v s="$score" 'BEGIN {exit !(s <= 2.0)}'; then
  ok "exposure $score <= 2.0"
else
  fail "exposure '${score:-unknown}' (exit status $status) is over 2.0"
fi

if [ $failures -gt 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
