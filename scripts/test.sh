#!/usr/bin/env bash
# The README's test command: install what is missing, build, run every test.
#
# In CI (CI=true; .ci/run also sets INBEELD_FULL_CHECKS=1) two more stages run:
#  - the suite once more under libfaketime, on 29 February 2032 from 12:00
#    UTC: a leap day more than five years ahead, so nothing depends on the day
#    it runs (INBEELD_TEST_MOVED_CLOCK=1 asks for this stage alone). One pass,
#    not several: each costs a whole suite run of CI's 90 minutes, and a test
#    that reads today's date fails on any other day.
#    DONT_FAKE_MONOTONIC=1 leaves the monotonic clock alone (otherwise
#    libfaketime stretches timed waits); the spawned nodes inherit the shifted
#    wall clock (tests/support/subprocess.cc);
#  - scripts/full_checks.sh: the suite again under ASan+UBSan, and a short run
#    of every fuzz harness (INBEELD_FULL_CHECKS=1 asks for this stage alone).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
# The previous release's inbeeld for tests/upgrade (fails without the git
# history). Exported, so the moved-clock and ASan passes below use it too.
INBEELD_PREVIOUS_RELEASE_BINARY=$(scripts/build_previous_release.sh | tail -n 1)
export INBEELD_PREVIOUS_RELEASE_BINARY
(cd "${INBEELD_BUILD_DIR:-build}" && ctest --output-on-failure -j "$(nproc)" --timeout 600)

if [ "${CI:-}" = "true" ] || [ "${INBEELD_TEST_MOVED_CLOCK:-0}" = "1" ]; then
  # An offset in seconds from now, as libfaketime's -f takes it ("+N" / "-N"):
  # a relative offset keeps every process on one clock, where an absolute start
  # time would restart it in each node the tests spawn.
  offset_to() {
    local secs=$(($(date -u -d "$1" +%s) - $(date -u +%s)))
    if [ "$secs" -ge 0 ]; then echo "+$secs"; else echo "$secs"; fi
  }
  when="2032-02-29 12:00:00 UTC"
  offset=$(offset_to "$when")  # just before the pass, so it starts at that time
  echo "test: the suite again on $(faketime -f "$offset" date -u '+%Y-%m-%d %H:%M UTC') (faketime -f $offset)"
  started=$SECONDS
  (cd "${INBEELD_BUILD_DIR:-build}" &&
    DONT_FAKE_MONOTONIC=1 faketime -f "$offset" ctest --output-on-failure -j "$(nproc)" --timeout 600)
  echo "test: passed in $((SECONDS - started)) s"
fi

if [ "${CI:-}" = "true" ] || [ "${INBEELD_FULL_CHECKS:-0}" = "1" ]; then
  scripts/full_checks.sh
fi
