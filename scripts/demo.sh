#!/usr/bin/env bash
# The README's main command: install what is missing, build, run the demo on
# synthetic data in a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
INBEELD_TARGET=inbeeld scripts/build.sh >/dev/null
exec "${INBEELD_BUILD_DIR:-build}/node/inbeeld" demo "$@"
