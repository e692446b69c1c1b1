#!/usr/bin/env bash
# What CI adds to scripts/test.sh (which calls this with CI=true or
# INBEELD_FULL_CHECKS=1; .ci/run sets the latter), from one build in
# build-fuzz/ (clang 19, -O1, AddressSanitizer, UndefinedBehaviorSanitizer and
# libFuzzer's coverage instrumentation; scripts/fuzz.sh --build-with-tests):
#   1. every test again, sanitized: a leak, an out-of-bounds access or
#      undefined behaviour fails the test, in the test binaries and in the
#      `inbeeld` processes they start;
#   2. every fuzz harness for INBEELD_FUZZ_SECONDS (default 25) from its seeds
#      (scripts/fuzz.sh --ci).
# One build for both, not a GCC ASan build beside the clang fuzz build: the
# libraries are then compiled once under the sanitizers, which keeps CI inside
# its 90 minutes on two cores. A GCC ASan build is still one option away
# (scripts/build.sh -DINBEELD_SANITIZE=ON).
# Exits non-zero when either finds anything. See README.md, "Testing".
set -euo pipefail
cd "$(dirname "$0")/.."

start=$SECONDS
scripts/fuzz.sh --build-with-tests
echo "full checks: the sanitized build (tests and harnesses) took $((SECONDS - start)) s"
start=$SECONDS
# Spawned `inbeeld` processes are instrumented too and inherit these.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# clang's runtime names functions, files and lines only with an LLVM
# symbolizer: the first one this machine has, if any.
for s in /usr/lib/llvm-19/bin/llvm-symbolizer /usr/lib/llvm-14/bin/llvm-symbolizer; do
  if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && [ -x "$s" ]; then export ASAN_SYMBOLIZER_PATH=$s; fi
done
(cd "${INBEELD_FUZZ_BUILD_DIR:-build-fuzz}" && ctest --output-on-failure -j "$(nproc)" --timeout 1200)
echo "full checks: the suite under ASan+UBSan took $((SECONDS - start)) s"

start=$SECONDS
scripts/fuzz.sh --ci "${INBEELD_FUZZ_SECONDS:-25}"
echo "full checks: fuzz runs took $((SECONDS - start)) s"
