#!/usr/bin/env bash
# The README's test command: install what is missing, build, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
cd "${INBEELD_BUILD_DIR:-build}"
ctest --output-on-failure -j "$(nproc)" --timeout 600
