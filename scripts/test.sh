#!/usr/bin/env bash
# Builds everything and runs every test through ctest (unit, integration, upstream acceptance).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j2 --timeout 900 "$@"
