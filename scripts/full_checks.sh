#!/usr/bin/env bash
# What CI adds to scripts/test.sh (which calls this with CI=true or
# INBEELD_FULL_CHECKS=1; .ci/run sets the latter):
#   1. every test again, built with GCC's AddressSanitizer and
#      UndefinedBehaviorSanitizer (-DINBEELD_SANITIZE=ON, in build-asan/);
#      a leak, an out-of-bounds access or undefined behaviour fails the test;
#   2. every fuzz harness for INBEELD_FUZZ_SECONDS (default 25) from its seeds
#      (scripts/fuzz.sh --ci: clang-19, libFuzzer, in build-fuzz/).
# Exits non-zero when either finds anything. See README.md, "Testing".
set -euo pipefail
cd "$(dirname "$0")/.."

start=$SECONDS
INBEELD_BUILD_DIR=build-asan scripts/build.sh -DINBEELD_SANITIZE=ON -DINBEELD_BUILD_BENCH=OFF
echo "full checks: ASan+UBSan build took $((SECONDS - start)) s"
start=$SECONDS
# Spawned `inbeeld` processes are instrumented too and inherit these.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
(cd build-asan && ctest --output-on-failure -j "$(nproc)" --timeout 1200)
echo "full checks: the suite under ASan+UBSan took $((SECONDS - start)) s"

start=$SECONDS
scripts/fuzz.sh --ci "${INBEELD_FUZZ_SECONDS:-25}"
echo "full checks: fuzz build and runs took $((SECONDS - start)) s"
