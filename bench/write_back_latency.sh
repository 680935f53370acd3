#!/usr/bin/env bash
# Edit-to-write-back latency with the daemon running: the real dealsyncd
# (not --once) against the demo's Salesforce vendor and Northwind partner
# simulators, polling every POLL (default 10s, jitter 1s). After the first
# sync settles, K (default 40) linked vendor deals are edited one after the
# other, each at a random moment, raising its Amount by half (amount is
# vendor_wins, beyond every tolerance); the time from the edit to the moment
# the partner's copy changes is measured from outside, through the
# simulators' control API. Prints p50, p95 and max next to the poll interval.
#   bench/write_back_latency.sh [out dir]     binaries from ${DEALSYNC_BUILD_DIR:-build}
#   POLL=30s K=20 bench/write_back_latency.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-latency}")
build=${DEALSYNC_BUILD_DIR:-build}
poll=${POLL:-10s}
k=${K:-40}
sim="$build/tests/simulators/dealsync-sim"
daemon="$build/src/daemon/dealsyncd"
poll_s=${poll%s}
[[ "$poll_s" =~ ^[0-9]+$ ]] || { echo "POLL must be whole seconds, e.g. 10s" >&2; exit 2; }

rm -rf "$out"
mkdir -p "$out/pki" "$out/config/partners.d"
"$sim" --write-seed "$out/seed.json" --seed 42 --vendor-deals 300 >/dev/null
"$sim" --pki-dir "$out/pki" --seed-file "$out/seed.json" --salesforce-port 0 \
  --rest northwind:0:northwind --ports-file "$out/ports.json" >"$out/simulators.log" 2>&1 &
sim_pid=$!
daemon_pid=
cleanup() {
  [[ -n "$daemon_pid" ]] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
  kill "$sim_pid" 2>/dev/null
  wait "$sim_pid" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 600); do
  [[ -s "$out/ports.json" ]] && break
  kill -0 "$sim_pid" 2>/dev/null || { cat "$out/simulators.log" >&2; exit 1; }
  sleep 0.1
done
ports=$(tr -d ' \n' <"$out/ports.json")
url_of() { grep -o "\"$1\":{[^}]*}" <<<"$ports" | grep -o 'https://[^"]*' | grep -o 'https://[^/]*'; }
sf=$(url_of salesforce)
nw=$(url_of northwind)
admin_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$out/pki/admin.token"
chmod 600 "$out/pki/admin.token"
common=(-e "s|@STATE@|$out/state|g" -e "s|@PKI@|$out/pki|g" -e "s|@ADMIN_PORT@|$admin_port|g"
  -e "s|@SF_URL@|$(grep -o '"salesforce":{[^}]*}' <<<"$ports" | grep -o 'https://[^"]*')|g"
  -e "s|@SF_CLIENT_ID@|$(cat "$out/pki/salesforce.client_id")|g"
  -e "s|@NW_URL@|$(grep -o '"northwind":{[^}]*}' <<<"$ports" | grep -o 'https://[^"]*')|g")
sed "${common[@]}" -e "s|^interval = .*|interval = \"$poll\"|" -e 's|^jitter = .*|jitter = "1s"|' \
  config/demo/dealsync.toml.in >"$out/config/dealsync.toml"
sed "${common[@]}" -e '/^poll_interval/d' config/demo/vendor.toml.in >"$out/config/vendor.toml"
sed "${common[@]}" -e '/^poll_interval/d' config/demo/partners.d/northwind.toml.in \
  >"$out/config/partners.d/northwind.toml"

ctl() { curl -sf --cacert "$out/pki/ca.pem" "$@"; }
"$daemon" --config "$out/config" >"$out/dealsyncd.log" 2>&1 &
daemon_pid=$!
until grep -q "dealsyncd ready" "$out/dealsyncd.log"; do
  kill -0 "$daemon_pid" 2>/dev/null || { tail -20 "$out/dealsyncd.log" >&2; exit 1; }
  sleep 0.1
done
sleep $((3 * poll_s + 5))  # the first sync and its write-backs settle

# Linked pairs: a vendor deal and the Northwind deal carrying its registration id.
ctl "$sf/__sim/records" >"$out/vendor.json"
ctl "$nw/__sim/records" >"$out/partner.json"
jq -r --slurpfile p "$out/partner.json" '
  [.[] | select(.IsDeleted | not) | select(.Deal_Registration_ID__c != null)] as $v
  | ($p[0] | map(select(.archived | not) | {key: (.custom.vendor_reg_id // ""), value: .id})
     | from_entries) as $by_reg
  | $v[] | select($by_reg[.Deal_Registration_ID__c] != null)
  | "\(.Id) \($by_reg[.Deal_Registration_ID__c]) \(.Amount)"' "$out/vendor.json" |
  head -n "$k" >"$out/pairs.txt"
[[ $(wc -l <"$out/pairs.txt") -ge 1 ]] || { echo "no linked pairs found" >&2; exit 1; }

: >"$out/latencies.txt"
while read -r vendor_id partner_id amount; do
  sleep "$(awk -v p="$poll_s" -v r="$RANDOM" 'BEGIN {printf "%.3f", p * r / 32768}')"
  before=$(ctl "$nw/__sim/records/$partner_id" | jq -c '.value')
  raised=$(awk -v a="$amount" 'BEGIN {printf "%.2f", a * 1.5 + 1}')
  t0=$(date +%s.%N)
  ctl -X PATCH -H 'Content-Type: application/json' -d "{\"Amount\": $raised}" \
    "$sf/__sim/records/$vendor_id" >/dev/null
  while [[ $(ctl "$nw/__sim/records/$partner_id" | jq -c '.value') == "$before" ]]; do
    sleep 0.05
    if (($(date +%s) - ${t0%.*} > 10 * poll_s + 60)); then
      echo "no write-back of $vendor_id to $partner_id" >&2
      exit 1
    fi
  done
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", b - a}' >>"$out/latencies.txt"
done <"$out/pairs.txt"

sort -n "$out/latencies.txt" | awk -v poll="$poll" '
  {v[NR] = $1}
  END {
    p50 = v[int((NR - 1) * 0.50) + 1]; p95 = v[int((NR - 1) * 0.95) + 1]
    printf "edits=%d poll=%s p50_s=%.2f p95_s=%.2f max_s=%.2f\n", NR, poll, p50, p95, v[NR]
  }'
