#!/usr/bin/env bash
# The libFuzzer harnesses in fuzz/: builds them with clang-19 (ASan, UBSan,
# libFuzzer) into build-fuzz/ and runs them.
#
#   scripts/fuzz.sh [TARGET|all] [SECONDS]   long runs: each target SECONDS (default 600)
#   scripts/fuzz.sh --ci [SECONDS]           every target SECONDS (default 25) from its seeds
#                                            only; exits 1 on any crash, leak, timeout or
#                                            out-of-memory (CI runs this)
#   scripts/fuzz.sh --make-corpus            rewrites the generated seeds in fuzz/corpus/
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
TARGETS=(audit_export config csv_import fields key_rotation merkle psi_session region signed_note wire witness
         xlsx_import)

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }

mode=run
target=all
seconds=600
case "${1:-}" in
  --ci) mode=ci; seconds=${2:-25} ;;
  --make-corpus) mode=corpus ;;
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
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-19 \
    -DINBEELD_FUZZ=ON -DINBEELD_BUILD_TESTS=OFF -DINBEELD_BUILD_BENCH=OFF >/dev/null
fi
build_start=$SECONDS
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

failed=()
for t in "${run_targets[@]}"; do
  crashes="$BUILD_DIR/crashes/$t"
  mkdir -p "$crashes"
  if [ "$mode" = ci ]; then
    work=$(mktemp -d)
  else
    work="$BUILD_DIR/corpus/$t"
    mkdir -p "$work"
  fi
  dict=()
  if [ -f "fuzz/dict/$t.dict" ]; then dict=(-dict="fuzz/dict/$t.dict"); fi
  log="$BUILD_DIR/logs/$t.log"
  start=$SECONDS
  # shellcheck disable=SC2086
  if "$BUILD_DIR/fuzz/${t}_fuzzer" "$work" "fuzz/corpus/$t" "${dict[@]}" \
      -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2560 -print_final_stats=1 \
      -artifact_prefix="$crashes/" ${INBEELD_FUZZ_FLAGS:-} >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
    echo "fuzz: $t: ok, $runs runs in $((SECONDS - start)) s ($cov)"
  else
    echo "fuzz: $t: FAILED after $((SECONDS - start)) s; input in $crashes/, log $log:" >&2
    grep -E 'ERROR|SUMMARY|fuzz check failed|runtime error|Test unit written' "$log" | head -20 >&2 || true
    failed+=("$t")
  fi
  if [ "$mode" = ci ]; then rm -rf "$work"; fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in ${failed[*]}" >&2
  exit 1
fi
