#!/usr/bin/env bash
# The demo: builds dealsync, starts the bundled simulated CRMs on loopback HTTPS
# (the vendor on Salesforce; partners on HubSpot and on two generic REST APIs,
# seeded with a few hundred drifting deals), runs the real dealsyncd against
# them until both sides agree, and writes the conflict report.
#   scripts/demo.sh            (state, config and reports under ./demo-state)
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${DEALSYNC_DEMO_SKIP_BUILD:-}" ]]; then  # set by the demo's own CTest
  scripts/ensure-deps.sh
  scripts/build.sh >/dev/null
fi

build=${DEALSYNC_BUILD_DIR:-build}
out=$(realpath -m "${DEALSYNC_DEMO_DIR:-demo-state}")
sim="$build/tests/simulators/dealsync-sim"
daemon="$build/src/daemon/dealsyncd"
ctl="$build/src/cli/dealsyncctl"

rm -rf "$out"
mkdir -p "$out/pki" "$out/config/partners.d" "$out/reports"

# 1. Simulated CRMs, seeded with a realistic channel pipeline.
"$sim" --write-seed "$out/seed.json" --seed 42 --vendor-deals 300 >/dev/null
"$sim" --pki-dir "$out/pki" --seed-file "$out/seed.json" \
  --salesforce-port 0 --hubspot-port 0 \
  --rest northwind:0:northwind --rest contoso:0:contoso \
  --ports-file "$out/ports.json" >"$out/simulators.log" 2>&1 &
sim_pid=$!
trap 'kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  [[ -s "$out/ports.json" ]] && break
  kill -0 "$sim_pid" 2>/dev/null || { cat "$out/simulators.log" >&2; exit 1; }
  sleep 0.1
done

url_of() {  # base URL of one simulator from ports.json
  tr -d ' \n' <"$out/ports.json" | grep -o "\"$1\":{[^}]*}" | grep -o 'https://[^"]*'
}
free_port() {  # an unused loopback port for the admin server
  local p
  for p in $(seq 18686 18786); do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$out/pki/admin.token"
chmod 600 "$out/pki/admin.token"

# 2. Config: the shipped example shapes, pointed at the simulators.
render() {
  sed -e "s|@STATE@|$out/state|g" -e "s|@PKI@|$out/pki|g" \
    -e "s|@ADMIN_PORT@|$(free_port)|g" \
    -e "s|@SF_URL@|$(url_of salesforce)|g" -e "s|@SF_CLIENT_ID@|$(cat "$out/pki/salesforce.client_id")|g" \
    -e "s|@HS_URL@|$(url_of hubspot)|g" \
    -e "s|@NW_URL@|$(url_of northwind)|g" \
    -e "s|@CT_URL@|$(url_of contoso)|g" -e "s|@CT_CLIENT_ID@|$(cat "$out/pki/contoso.client_id")|g" \
    "$1" >"$2"
}
render config/demo/dealsync.toml.in "$out/config/dealsync.toml"
render config/demo/vendor.toml.in "$out/config/vendor.toml"
for f in config/demo/partners.d/*.toml.in; do
  render "$f" "$out/config/partners.d/$(basename "${f%.in}")"
done
"$ctl" validate --config "$out/config" >/dev/null

# 3. The daemon: sync cycles until nothing is left to push (a second quiet
#    cycle shows there is no echo loop).
echo "dealsync demo: syncing 1 vendor and 3 partners on loopback HTTPS ..."
for cycle in 1 2; do
  if ! "$daemon" --config "$out/config" --once >>"$out/dealsyncd.log" 2>&1; then
    echo "dealsyncd failed in cycle $cycle; the end of its log ($out/dealsyncd.log):" >&2
    tail -n 20 "$out/dealsyncd.log" >&2
    exit 1
  fi
done

# 4. The conflict report, for people and for spreadsheets, and a summary.
report() { "$ctl" report --config "$out/config" --format "$1" --out "$out/reports/conflicts.$2"; }
summary=$(grep -o 'once: done: .*' "$out/dealsyncd.log" | tail -n 1 | sed 's/once: done: //')
pushed=$(grep -o '[0-9]* pushes sent' "$out/dealsyncd.log" | awk '{n += $1} END {print n + 0}')
echo
echo "Converged. $pushed corrected records pushed back; final state: $summary"
echo "Pushes the next cycle would send: $("$ctl" plan --config "$out/config" | sed -n 's/^Pushes the next cycle would send: //p')"
echo
report html html
report csv csv >/dev/null
report json json >/dev/null
echo
echo "Held for a channel manager (largest value at stake first):"
"$ctl" conflicts list --config "$out/config" --status held_for_review >"$out/held.txt"
head -n 11 "$out/held.txt"
echo
echo "Open the report:        $out/reports/conflicts.html   (also conflicts.csv, conflicts.json)"
echo "Settle a held conflict: $ctl conflicts resolve --config $out/config <ID> --take vendor --by <you> --reason <why>"
echo "Daemon log:             $out/dealsyncd.log"
