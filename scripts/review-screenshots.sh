#!/usr/bin/env bash
# Screenshots of the review workspace's pages (sign-in, held conflicts, a
# conflict, dead letters, one-sided deals, partners) for the README, taken with
# Debian's Chromium through puppeteer-core against the seeded fixture server.
#   scripts/review-screenshots.sh [OUT_DIR]      (default: build/screenshots)
# Needs chromium and npm (scripts/ensure-deps.sh --with-browser). PNGs are gitignored.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${DEALSYNC_BUILD_DIR:-build}
out=$(realpath -m "${1:-$build_dir/screenshots}")
scripts/ensure-deps.sh --with-browser
if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build_dir" -j "$(nproc)" --target review_fixture_server >/dev/null
scripts/browser-deps.sh "$build_dir/browser-tests"
mkdir -p "$out"
node scripts/review-screenshots.mjs "$build_dir/tests/browser/review_fixture_server" \
  "$build_dir/browser-tests/node_modules" "$out"
