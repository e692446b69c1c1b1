#!/usr/bin/env bash
# The libFuzzer harnesses in fuzz/: builds them with clang-19 (ASan, UBSan,
# libFuzzer) into build-fuzz/ and runs them.
#
#   scripts/fuzz.sh [TARGET|all] [SECONDS]   long runs: each target SECONDS (default 600)
#   scripts/fuzz.sh --ci [SECONDS]           every target SECONDS (default 25) from its seeds
#                                            only, one per core at a time; exits 1 on any
#                                            crash, leak, timeout or out-of-memory (CI)
#   scripts/fuzz.sh --make-corpus            rewrites the generated seeds in fuzz/corpus/
#   scripts/fuzz.sh --build-with-tests       builds the harnesses and the whole test suite,
#                                            all with ASan and UBSan (scripts/full_checks.sh
#                                            runs the suite from it, then --ci)
#   scripts/fuzz.sh --list                   the targets
#
# A long run keeps what it learns in build-fuzz/corpus/<target>/ (fuzz/corpus/
# <target>/ is read, never written); copy an input worth keeping into
# fuzz/corpus/<target>/ by hand. A finding is saved as
# build-fuzz/crashes/<target>/crash-<sha1> (or leak-, timeout-, oom-); replay
# it with `build-fuzz/fuzz/<target>_fuzzer FILE`. Logs: build-fuzz/logs/.
# INBEELD_FUZZ_BUILD_DIR overrides build-fuzz; extra libFuzzer flags go in
# INBEELD_FUZZ_FLAGS (e.g. "-fork=2" to use two cores).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${INBEELD_FUZZ_BUILD_DIR:-build-fuzz}
TARGETS=(audit_export config csv_import fields json_reader key_rotation merkle psi_session region
         signed_note wire witness xlsx_import)

usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }

mode=run
target=all
seconds=600
case "${1:-}" in
  --ci) mode=ci; seconds=${2:-25} ;;
  --make-corpus) mode=corpus ;;
  --build-with-tests) mode=build ;;
  --list) printf '%s\n' "${TARGETS[@]}"; exit 0 ;;
  -h|--help) usage 0 ;;
  "") ;;
  *) target=$1; seconds=${2:-600} ;;
esac
if [ "$target" != all ] && [[ ! " ${TARGETS[*]} " =~ " $target " ]]; then
  echo "fuzz: unknown target '$target' (scripts/fuzz.sh --list)" >&2
  exit 2
fi
[[ "$seconds" =~ ^[0-9]+$ ]] || usage

scripts/setup.sh --fuzz
# -O1 with line tables: what libFuzzer's documentation builds with, and half
# the compile time of -O2 -g under the sanitizers. The tests stay in the build
# once --build-with-tests has put them there (the cache keeps the option).
tests=()
if [ "$mode" = build ]; then
  tests=(-DINBEELD_BUILD_TESTS=ON)
elif [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  tests=(-DINBEELD_BUILD_TESTS=OFF)
fi
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-19 \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only -DNDEBUG" \
  -DINBEELD_FUZZ=ON "${tests[@]}" -DINBEELD_BUILD_BENCH=OFF >/dev/null
build_start=$SECONDS
if [ "$mode" = build ]; then
  cmake --build "$BUILD_DIR" -j "$(nproc)"
  echo "fuzz: harnesses and tests built in $((SECONDS - build_start)) s"
  exit 0
fi
cmake --build "$BUILD_DIR" -j "$(nproc)" --target inbeeld_fuzzers
echo "fuzz: harnesses built in $((SECONDS - build_start)) s"

if [ "$mode" = corpus ]; then
  exec "$BUILD_DIR/fuzz/make_corpus" fuzz/corpus
fi

if [ "$target" = all ]; then run_targets=("${TARGETS[@]}"); else run_targets=("$target"); fi
mkdir -p "$BUILD_DIR/logs"
# Leaks are findings; UBSan stops at the first report (-fno-sanitize-recover).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# One target: its log, and a line saying how it went; fails on a finding.
fuzz_one() {
  local t=$1 crashes="$BUILD_DIR/crashes/$1" work log="$BUILD_DIR/logs/$1.log" start=$SECONDS dict=()
  mkdir -p "$crashes"
  if [ "$mode" = ci ]; then
    work=$(mktemp -d)
  else
    work="$BUILD_DIR/corpus/$t"
    mkdir -p "$work"
  fi
  if [ -f "fuzz/dict/$t.dict" ]; then dict=(-dict="fuzz/dict/$t.dict"); fi
  local rc=0
  # shellcheck disable=SC2086
  "$BUILD_DIR/fuzz/${t}_fuzzer" "$work" "fuzz/corpus/$t" "${dict[@]}" \
    -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2560 -print_final_stats=1 \
    -artifact_prefix="$crashes/" ${INBEELD_FUZZ_FLAGS:-} >"$log" 2>&1 || rc=$?
  if [ "$mode" = ci ]; then rm -rf "$work"; fi
  if [ $rc -eq 0 ]; then
    local runs cov
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
    echo "fuzz: $t: ok, $runs runs in $((SECONDS - start)) s ($cov)"
    return 0
  fi
  echo "fuzz: $t: FAILED after $((SECONDS - start)) s; input in $crashes/, log $log:" >&2
  grep -E 'ERROR|SUMMARY|fuzz check failed|runtime error|Test unit written' "$log" | head -20 >&2 || true
  return 1
}

# CI runs as many targets at once as there are cores (each is one process).
parallel=1
if [ "$mode" = ci ]; then parallel=$(nproc); fi
failed=()
declare -A running=()
wait_one() {
  local pid rc=0
  wait -n -p pid "${!running[@]}" || rc=$?
  if [ $rc -ne 0 ]; then failed+=("${running[$pid]}"); fi
  unset "running[$pid]"
}
for t in "${run_targets[@]}"; do
  while [ ${#running[@]} -ge "$parallel" ]; do wait_one; done
  fuzz_one "$t" &
  running[$!]=$t
done
while [ ${#running[@]} -gt 0 ]; do wait_one; done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in ${failed[*]}" >&2
  exit 1
fi
