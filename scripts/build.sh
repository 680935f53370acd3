#!/usr/bin/env bash
# Configures and builds dealsync into ${DEALSYNC_BUILD_DIR:-build} (Ninja; ccache in its
# default per-user cache, so fresh clones on the same machine build warm).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${DEALSYNC_BUILD_DIR:-build}
# Hash paths relative to the checkout so another clone reuses the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
fi
cmake --build "$build_dir" -j "$(nproc)"
