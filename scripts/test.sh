#!/usr/bin/env bash
# Builds everything and runs the whole test suite (unit, connector, simulator,
# integration, report-in-browser). Installs missing Debian packages first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh --with-browser
scripts/build.sh
cd "${DEALSYNC_BUILD_DIR:-build}"
ctest --output-on-failure -j "$(nproc)" --timeout 600
