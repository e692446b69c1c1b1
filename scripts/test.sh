#!/usr/bin/env bash
# The README's test command: install what is missing, build, run every test.
# With CI=true or INBEELD_FULL_CHECKS=1 (.ci/run sets it) it then runs
# scripts/full_checks.sh: the suite again under ASan+UBSan, and a short run of
# every fuzz harness.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
(cd "${INBEELD_BUILD_DIR:-build}" && ctest --output-on-failure -j "$(nproc)" --timeout 600)
if [ "${CI:-}" = true ] || [ "${INBEELD_FULL_CHECKS:-0}" = 1 ]; then
  scripts/full_checks.sh
fi
