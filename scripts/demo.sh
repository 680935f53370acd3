#!/usr/bin/env bash
# The demo: builds dealsync, starts the bundled simulated vendor (Salesforce) and
# partner CRMs (HubSpot and two generic REST partners) on loopback HTTPS, runs
# dealsyncd until both sides converge and prints the conflict report's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
scripts/build.sh
exec "${DEALSYNC_BUILD_DIR:-build}"/src/cli/dealsyncctl demo --out "${DEALSYNC_DEMO_DIR:-demo-state}"
