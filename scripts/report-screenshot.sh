#!/usr/bin/env bash
# Renders the demo report (the fixed test dataset of tests/unit/report) to HTML
# and takes a full-page PNG screenshot of it with headless Chromium.
#   scripts/report-screenshot.sh [OUT.png]      (default: build/report-demo.png)
# Needs chromium (scripts/ensure-deps.sh --with-browser). PNGs are gitignored.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${DEALSYNC_BUILD_DIR:-build}
out=${1:-$build_dir/report-demo.png}
width=${REPORT_WIDTH:-1280}
height=${REPORT_HEIGHT:-3600}
export CCACHE_DIR=${CCACHE_DIR:-$PWD/.cache/ccache}
if [[ -f "$build_dir/build.ninja" ]]; then
  cmake "$build_dir" >/dev/null  # picks up test folders added since the last configure
else
  cmake -S . -B "$build_dir" -G Ninja >/dev/null
fi
cmake --build "$build_dir" -j 2 --target dealsync_report_demo >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build_dir/tests/unit/report/dealsync_report_demo" "$work/report.html" html
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --hide-scrollbars \
  --window-size="$width,$height" --screenshot="$work/shot.png" "file://$work/report.html" \
  2>"$work/chromium.log" || { cat "$work/chromium.log" >&2; exit 1; }
mv "$work/shot.png" "$out"
cp "$work/report.html" "${out%.png}.html"
echo "wrote $out (and ${out%.png}.html)"
