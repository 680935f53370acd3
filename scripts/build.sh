#!/usr/bin/env bash
# Configures and builds dealsync into ${DEALSYNC_BUILD_DIR:-build} (Ninja, ccache).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${DEALSYNC_BUILD_DIR:-build}
export CCACHE_DIR=${CCACHE_DIR:-$PWD/.cache/ccache}
if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
fi
cmake --build "$build_dir" -j "$(nproc)"
