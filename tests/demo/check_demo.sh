#!/usr/bin/env bash
# Runs the README's main command against the already built tree and checks what
# a person would: the daemon converged (nothing left to push, nothing
# dead-lettered), corrected records were pushed, and the three reports exist.
#   check_demo.sh BUILD_DIR OUT_DIR
set -euo pipefail
build=$1
out=$2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! DEALSYNC_DEMO_SKIP_BUILD=1 DEALSYNC_BUILD_DIR="$build" DEALSYNC_DEMO_DIR="$out" \
    "$(dirname "$0")/../../scripts/demo.sh" >"$log" 2>&1; then
  cat "$log"
  echo "FAIL: scripts/demo.sh exited non-zero"
  exit 1
fi
cat "$log"
expect() {
  grep -qE "$1" "$log" || { echo "FAIL: demo output lacks /$1/"; exit 1; }
}
expect '^Converged\. [1-9][0-9]* corrected records pushed back'
expect 'outbox=0 dead_letters=0'
expect '^Pushes the next cycle would send: 0$'
expect 'held for review'
for f in conflicts.html conflicts.csv conflicts.json; do
  [[ -s "$out/reports/$f" ]] || { echo "FAIL: $out/reports/$f missing"; exit 1; }
done
# A second daemon cycle must find nothing to do: no echo loop.
if grep -q 'once: round 1 done: journal grew' <(tail -n 2 "$out/dealsyncd.log"); then
  echo "FAIL: the last cycle still journaled changes"
  exit 1
fi
echo "demo: converged and reported"
