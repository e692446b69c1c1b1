#!/usr/bin/env bash
# The README's test command: install what is missing, build, run every test.
#
# With CI=true (or INBEELD_TEST_MOVED_CLOCK=1) the suite then runs three more
# times under libfaketime: a year ahead, five years ahead and on 29 February
# 2028 from 12:00 UTC, so nothing depends on the day it runs. Each pass takes
# about as long as the first, plus some 10 %. DONT_FAKE_MONOTONIC=1 leaves the monotonic
# clock alone (otherwise libfaketime stretches timed waits); the spawned nodes
# inherit the shifted wall clock (tests/support/subprocess.cc).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
cd "${INBEELD_BUILD_DIR:-build}"
ctest --output-on-failure -j "$(nproc)" --timeout 600

if [ "${CI:-}" != "true" ] && [ "${INBEELD_TEST_MOVED_CLOCK:-0}" != "1" ]; then
  exit 0
fi

# An offset in seconds from now, as libfaketime's -f takes it ("+N" / "-N"):
# a relative offset keeps every process on one clock, where an absolute start
# time would restart it in each node the tests spawn.
offset_to() {
  local secs=$(($(date -u -d "$1" +%s) - $(date -u +%s)))
  if [ "$secs" -ge 0 ]; then echo "+$secs"; else echo "$secs"; fi
}

export DONT_FAKE_MONOTONIC=1
for when in "+1y" "+5y" "2028-02-29 12:00:00 UTC"; do
  case "$when" in
    [+-]*) offset="$when" ;;
    *) offset=$(offset_to "$when") ;;  # just before the pass, so it starts at that time
  esac
  echo "test: the suite again on $(faketime -f "$offset" date -u '+%Y-%m-%d %H:%M UTC') (faketime -f $offset)"
  started=$SECONDS
  faketime -f "$offset" ctest --output-on-failure -j "$(nproc)" --timeout 600
  echo "test: passed in $((SECONDS - started)) s"
done
