#!/usr/bin/env bash
# Installs what inbeeld needs from Debian's packages, only what is missing.
# --fuzz adds what scripts/fuzz.sh needs: clang 19 with its sanitizer and
# libFuzzer runtimes (Debian 12's clang 14 cannot compile libstdc++ 12's
# <expected>: its __cpp_concepts is 201907, the header wants 202002).
# SQLCipher 4.6 comes from bookworm-backports, added on the mirror this machine
# already uses (no host is named here).
# The console's browser test (tests/browser/) needs Debian's chromium, Node.js
# and npm, and its npm packages: `npm ci` runs when tests/browser/node_modules
# is missing or package-lock.json changed since it last ran. Playwright never
# downloads a browser of its own (playwright-core, and the variable below).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

PACKAGES=(build-essential cmake pkg-config ccache libsodium-dev libssl-dev
          libcpp-httplib-dev libtomlplusplus-dev libcli11-dev nlohmann-json3-dev
          libgtest-dev libgmock-dev libfmt-dev libutf8proc-dev libzip-dev libexpat1-dev openssl
          faketime   # scripts/test.sh's moved-clock passes in CI
          dpkg-dev systemd groff-base  # scripts/package-deb.sh and its test (systemd-analyze)
          clang-format  # tests/format: the library code follows .clang-format (clang-format 14)
          chromium)  # tests/browser: the console in a real browser
if [ "${1:-}" = "--fuzz" ]; then PACKAGES+=(clang-19 libclang-rt-19-dev); fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
# Any Node.js 18 or newer will do (Debian 12's is 18); an existing node and npm
# from elsewhere are kept.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
sqlcipher_ok=0
v=$(dpkg-query -W -f='${Version}' libsqlcipher-dev 2>/dev/null || true)
if [ -n "$v" ] && dpkg --compare-versions "$v" ge 4.6; then sqlcipher_ok=1; fi

# tests/browser's npm packages, from its lockfile, when missing or changed.
npm_packages() {
  local dir=tests/browser stamp=tests/browser/node_modules/.inbeeld-lock.sha256 want
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ -d "$dir/node_modules" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then return 0; fi
  echo "setup: npm ci in $dir"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >/dev/null
  echo "$want" > "$stamp"
}

if [ ${#missing[@]} -eq 0 ] && [ $sqlcipher_ok -eq 1 ]; then
  echo "setup: all packages present"
  npm_packages
  exit 0
fi

if [ $sqlcipher_ok -eq 0 ] && [ ! -f /etc/apt/sources.list.d/backports.sources ]; then
  src=/etc/apt/sources.list.d/debian.sources
  uris=""
  if [ -f "$src" ]; then uris=$(awk '/^URIs:/{print $2; exit}' "$src"); fi
  if [ -z "$uris" ] && [ -f /etc/apt/sources.list ]; then
    uris=$(awk '$1=="deb" && $3 ~ /^bookworm$/ {print $2; exit}' /etc/apt/sources.list)
  fi
  if [ -z "$uris" ]; then
    echo "setup: cannot find the Debian mirror in $src or /etc/apt/sources.list" >&2
    exit 1
  fi
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$uris" | $SUDO tee /etc/apt/sources.list.d/backports.sources >/dev/null
  echo "setup: added bookworm-backports on $uris"
fi

$SUDO apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if [ $sqlcipher_ok -eq 0 ]; then
  echo "setup: installing SQLCipher 4 from bookworm-backports"
  $SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports libsqlcipher-dev
fi
npm_packages
