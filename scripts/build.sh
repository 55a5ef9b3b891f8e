#!/usr/bin/env bash
# Configures and builds into ./build (RelWithDebInfo, Ninja, ccache). Extra args go to cmake --build.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
# Let ccache hit across checkouts in different directories (CI builds a fresh clone).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
fi
cmake --build "$BUILD_DIR" "$@"
