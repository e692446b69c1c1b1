#!/usr/bin/env bash
# Builds the Debian package inbeeld_VERSION_ARCH.deb (amd64 on the project's
# machines) from packaging/: the binary, the hardened systemd unit, the
# sysusers.d entry for the `inbeeld` user, the man page, the docs (README,
# SECURITY, FIRST-START) and the maintainer scripts.
#
#   scripts/package-deb.sh                  build the CLI (RelWithDebInfo, in
#                                           $INBEELD_BUILD_DIR or build/), package it
#   scripts/package-deb.sh --binary PATH    package this binary as it is (the
#                                           package test reuses the one it built)
#   scripts/package-deb.sh --out DIR        write the .deb to DIR (default: the build dir)
#
# VERSION is project(inbeeld VERSION …) in CMakeLists.txt; the binary must say
# the same (`inbeeld --version`). Depends is computed by dpkg-shlibdeps from the
# libraries the binary links, with the versions installed here: SQLCipher 4.6
# (libsqlcipher1) comes from bookworm-backports, as scripts/setup.sh installs it.
# No debhelper: dpkg-deb --root-owner-group builds the archive, so no fakeroot
# and every file is owned by root. Needs dpkg-dev (dpkg-shlibdeps; setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD

BINARY=""
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) BINARY=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "package-deb: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

die() { echo "package-deb: $*" >&2; exit 1; }
for tool in dpkg-deb dpkg-shlibdeps strip gzip; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (scripts/setup.sh installs dpkg-dev)"
done

VERSION=$(sed -n 's/^project(inbeeld VERSION \([0-9][0-9.]*\) .*/\1/p' CMakeLists.txt)
[ -n "$VERSION" ] || die "no project(inbeeld VERSION …) line in CMakeLists.txt"
ARCH=$(dpkg --print-architecture)

BUILD_DIR=${INBEELD_BUILD_DIR:-build}
if [ -z "$BINARY" ]; then
  # A package is built from an optimised, uninstrumented build.
  if [ -f "$BUILD_DIR/CMakeCache.txt" ]; then
    grep -Eq '^CMAKE_BUILD_TYPE:STRING=(Release|RelWithDebInfo)$' "$BUILD_DIR/CMakeCache.txt" ||
      die "$BUILD_DIR is not a Release or RelWithDebInfo build: set INBEELD_BUILD_DIR"
    if grep -Eq '^INBEELD_(SANITIZE|FUZZ):BOOL=ON$' "$BUILD_DIR/CMakeCache.txt"; then
      die "$BUILD_DIR is a sanitizer or fuzzing build: set INBEELD_BUILD_DIR to another"
    fi
  fi
  INBEELD_BUILD_DIR=$BUILD_DIR INBEELD_TARGET=inbeeld scripts/build.sh
  BINARY=$BUILD_DIR/node/inbeeld
fi
[ -x "$BINARY" ] || die "no executable at $BINARY"
OUT=${OUT:-$BUILD_DIR}
mkdir -p "$OUT"

said=$("$BINARY" --version) || die "$BINARY --version failed"
[ "$said" = "inbeeld $VERSION" ] ||
  die "$BINARY says '$said', CMakeLists.txt says $VERSION: rebuild it"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/root
# The archive's timestamps: the last commit's, so the same tree gives the
# same files (dpkg-deb clamps to SOURCE_DATE_EPOCH).
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(git -C "$SRC" log -1 --format=%ct 2>/dev/null || echo 0)
fi
export SOURCE_DATE_EPOCH

install -d -m 0755 "$ROOT/usr/bin" "$ROOT/usr/lib/systemd/system" "$ROOT/usr/lib/sysusers.d" \
  "$ROOT/usr/share/man/man1" "$ROOT/usr/share/doc/inbeeld" "$ROOT/DEBIAN"
# Only root reads this directory; systemd (as root) reads the credential in it.
install -d -m 0700 "$ROOT/etc/inbeeld"

# As dh_strip does: the debug info stays in the build tree.
strip --remove-section=.comment --remove-section=.note --strip-unneeded \
  -o "$ROOT/usr/bin/inbeeld" "$BINARY"
chmod 0755 "$ROOT/usr/bin/inbeeld"
install -m 0644 packaging/inbeeld.service "$ROOT/usr/lib/systemd/system/inbeeld.service"
install -m 0644 packaging/inbeeld-backup.service "$ROOT/usr/lib/systemd/system/inbeeld-backup.service"
install -m 0644 packaging/inbeeld-backup.timer "$ROOT/usr/lib/systemd/system/inbeeld-backup.timer"
install -m 0644 packaging/inbeeld.sysusers "$ROOT/usr/lib/sysusers.d/inbeeld.conf"
sed "s/@VERSION@/$VERSION/" packaging/inbeeld.1 | gzip -9n > "$ROOT/usr/share/man/man1/inbeeld.1.gz"
install -m 0644 packaging/FIRST-START "$ROOT/usr/share/doc/inbeeld/FIRST-START"
for doc in README.md SECURITY.md; do
  gzip -9n < "$doc" > "$ROOT/usr/share/doc/inbeeld/$doc.gz"
done
chmod 0644 "$ROOT"/usr/share/man/man1/*.gz "$ROOT"/usr/share/doc/inbeeld/*.gz
for script in postinst prerm postrm; do
  install -m 0755 "packaging/debian/$script" "$ROOT/DEBIAN/$script"
done

# Depends: the packages that provide the libraries the binary links.
mkdir -p "$WORK/src/debian"
printf 'Source: inbeeld\n\nPackage: inbeeld\nArchitecture: any\n' > "$WORK/src/debian/control"
shlibs=$(cd "$WORK/src" && dpkg-shlibdeps -O -e"$ROOT/usr/bin/inbeeld" 2>"$WORK/shlibdeps.err") ||
  die "dpkg-shlibdeps failed: $(cat "$WORK/shlibdeps.err")"
DEPENDS=${shlibs#shlibs:Depends=}
# dpkg-shlibdeps knows only which symbols the binary uses (libsqlcipher1's
# symbols file says 4.5.1); the floor is the one CMakeLists.txt enforces at
# build time: SQLCipher 4.6, with the SQLite 3.46 fixes.
case "$DEPENDS" in
  *"libsqlcipher1 ("*) DEPENDS=$(sed 's/libsqlcipher1 ([^)]*)/libsqlcipher1 (>= 4.6.0)/' <<<"$DEPENDS") ;;
  *) die "Depends has no libsqlcipher1 ($DEPENDS): is SQLCipher 4 from bookworm-backports installed?" ;;
esac

(cd "$ROOT" && find usr etc -type f -print0 | sort -z | xargs -0 md5sum) > "$ROOT/DEBIAN/md5sums"
INSTALLED_SIZE=$(du -sk --exclude=DEBIAN "$ROOT" | cut -f1)
cat > "$ROOT/DEBIAN/control" <<EOF
Package: inbeeld
Version: $VERSION
Architecture: $ARCH
Maintainer: ${INBEELD_DEB_MAINTAINER:-inbeeld maintainers <inbeeld@localhost>}
Installed-Size: $INSTALLED_SIZE
Depends: $DEPENDS
Section: net
Priority: optional
Description: thuiszitter lists compared privately between partner nodes
 inbeeld is the node each partner in a region runs (leerplicht, the
 samenwerkingsverbanden, schools) so that every child out of school stays in
 view. The list is kept in an encrypted SQLCipher store; nodes compare lists
 with private set intersection over mutual TLS 1.3 and keep a witnessed,
 tamper-evident audit log.
 .
 This package installs the inbeeld command, a hardened systemd unit that takes
 its passphrase from an encrypted systemd credential, and the system user
 inbeeld. See /usr/share/doc/inbeeld/FIRST-START.
EOF

DEB=$OUT/inbeeld_${VERSION}_${ARCH}.deb
dpkg-deb --root-owner-group -Zxz --build "$ROOT" "$DEB" >/dev/null
echo "package-deb: $DEB"
echo "package-deb: Depends: $DEPENDS"
