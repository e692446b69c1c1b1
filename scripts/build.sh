#!/usr/bin/env bash
# Configures (once) and builds into build/ (INBEELD_BUILD_DIR overrides).
# INBEELD_TARGET=inbeeld builds only the CLI; extra arguments go to cmake's
# configure step (e.g. -DINBEELD_SANITIZE=ON).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${INBEELD_BUILD_DIR:-build}
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ] || [ $# -gt 0 ]; then
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
fi
if [ -n "${INBEELD_TARGET:-}" ]; then
  cmake --build "$BUILD_DIR" -j "$(nproc)" --target "$INBEELD_TARGET"
else
  cmake --build "$BUILD_DIR" -j "$(nproc)"
fi
