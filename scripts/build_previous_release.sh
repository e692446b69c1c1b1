#!/usr/bin/env bash
# Builds the `inbeeld` binary of the previous release (tests/upgrade/PREVIOUS_RELEASE)
# for the upgrade test, into build-previous/<commit>/src/build/node/inbeeld, and prints
# that path on its last line. A second run finds the binary and does nothing.
#
# Needs the release's commit in the git history: a shallow clone fails here
# (git fetch --unshallow), it is never skipped. The sources come out with
# `git archive`; the build directory sits inside them, as build/ sits in a
# checkout, so ccache (base_dir) finds the objects of any earlier build of
# that commit.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
commit=$(grep -v '^#' tests/upgrade/PREVIOUS_RELEASE | awk 'NF { print $1; exit }')
if [ -z "$commit" ]; then
  echo "build_previous_release: no commit in tests/upgrade/PREVIOUS_RELEASE" >&2
  exit 1
fi
root=build-previous/$commit
binary=$root/src/build/node/inbeeld
if [ -x "$binary" ] && [ -f "$root/done" ]; then
  echo "$repo/$binary"
  exit 0
fi
if ! git -C "$repo" cat-file -e "$commit^{commit}" 2>/dev/null; then
  echo "build_previous_release: commit $commit (the previous release, tests/upgrade/PREVIOUS_RELEASE)" >&2
  echo "is not in this clone's history; the upgrade test needs it. Clone with full history" >&2
  echo "or run: git fetch --unshallow (or git fetch origin $commit)" >&2
  exit 1
fi
start=$SECONDS
rm -rf "$root"
mkdir -p "$root/src"
git -C "$repo" archive "$commit" | tar -x -C "$root/src"
# Only the CLI is built, at -O1 without debug information: the upgrade test
# needs its behaviour, not its speed, and a cold build on CI's two cores takes
# half as long. ccache is found by its CMakeLists.txt.
cmake -S "$root/src" -B "$root/src/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -DNDEBUG" \
  -DINBEELD_BUILD_TESTS=OFF -DINBEELD_BUILD_BENCH=OFF >/dev/null
cmake --build "$root/src/build" -j "$(nproc)" --target inbeeld >&2
if [ ! -x "$binary" ]; then
  echo "build_previous_release: the build of $commit made no $binary" >&2
  exit 1
fi
touch "$root/done"
echo "build_previous_release: built $commit in $((SECONDS - start)) s" >&2
echo "$repo/$binary"
