#!/usr/bin/env bash
# Many partners on one instance: the real dealsyncd with N generic-REST partner
# sources (each its own simulated endpoint with its own API key, all trusting
# one CA) and the Salesforce vendor, as in scripts/demo.sh, polling every
# `poll` (default 5m, jitter 30s). Prints one line:
#   ready_s     process start to "dealsyncd ready"
#   polled_s    process start until every source has polled once
#   rss_mib     resident memory then (and the peak), open descriptors
#   idle_cpu    CPU used over the next IDLE seconds (default 300) as a share of
#               one core, and the requests the simulators answered meanwhile
#   bench/many_partners.sh N [out dir]      binaries from ${DEALSYNC_BUILD_DIR:-build}
#   POLL=1m IDLE=120 bench/many_partners.sh 1000
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:?usage: bench/many_partners.sh N [out dir]}
out=$(realpath -m "${2:-partners-$n}")
build=${DEALSYNC_BUILD_DIR:-build}
poll=${POLL:-5m}
idle=${IDLE:-300}
sim="$build/tests/simulators/dealsync-sim"
daemon="$build/src/daemon/dealsyncd"

rm -rf "$out"
mkdir -p "$out/pki" "$out/config/partners.d"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
"$sim" --write-seed "$out/seed.json" --seed 42 --vendor-deals 100 >/dev/null
ids=()
rest_args=()
for i in $(seq 1 "$n"); do
  id=$(printf 'p%05d' "$i")
  ids+=("$id")
  rest_args+=(--rest "$id:0:northwind")
done
"$sim" --pki-dir "$out/pki" --seed-file "$out/seed.json" --salesforce-port 0 \
  "${rest_args[@]}" --rest-requests-per-minute 10000000 --ports-file "$out/ports.json" >"$out/simulators.log" 2>&1 &
sim_pid=$!
daemon_pid=
cleanup() {
  [[ -n "$daemon_pid" ]] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
  kill "$sim_pid" 2>/dev/null
  wait "$sim_pid" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 1200); do
  [[ -s "$out/ports.json" ]] && break
  kill -0 "$sim_pid" 2>/dev/null || { cat "$out/simulators.log" >&2; exit 1; }
  sleep 0.1
done

ports=$(tr -d ' \n' <"$out/ports.json")
url_of() { grep -o "\"$1\":{[^}]*}" <<<"$ports" | grep -o 'https://[^"]*'; }
admin_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$out/pki/admin.token"
chmod 600 "$out/pki/admin.token"
common=(-e "s|@STATE@|$out/state|g" -e "s|@PKI@|$out/pki|g" -e "s|@ADMIN_PORT@|$admin_port|g")
sed "${common[@]}" -e "s|^interval = .*|interval = \"$poll\"|" -e 's|^jitter = .*|jitter = "30s"|' \
  config/demo/dealsync.toml.in >"$out/config/dealsync.toml"
sed "${common[@]}" -e "s|@SF_URL@|$(url_of salesforce)|g" \
  -e "s|@SF_CLIENT_ID@|$(cat "$out/pki/salesforce.client_id")|g" -e '/^poll_interval/d' \
  config/demo/vendor.toml.in >"$out/config/vendor.toml"
template=$(sed "${common[@]}" -e '/^poll_interval/d' config/demo/partners.d/northwind.toml.in)
for id in "${ids[@]}"; do
  sed -e "s|^id = .*|id = \"$id\"|" -e "s|@NW_URL@|$(url_of "$id")|g" \
    -e "s|northwind.api_key|$id.api_key|g" <<<"$template" >"$out/config/partners.d/$id.toml"
done

requests() {  # requests the simulators answered so far
  local total=0 id url
  for id in salesforce "${ids[@]}"; do
    url=$(url_of "$id" | grep -o 'https://[^/]*')
    total=$((total + $(curl -s --cacert "$out/pki/ca.pem" "$url/__sim/stats" | jq .total)))
  done
  echo "$total"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
status_kib() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

start=$(date +%s.%N)
"$daemon" --config "$out/config" >"$out/dealsyncd.log" 2>&1 &
daemon_pid=$!
until grep -q "dealsyncd ready" "$out/dealsyncd.log"; do
  kill -0 "$daemon_pid" 2>/dev/null || { tail -20 "$out/dealsyncd.log" >&2; exit 1; }
  sleep 0.05
done
ready=$(date +%s.%N)
sources=$((n + 1))
until [[ $(curl -s "http://127.0.0.1:$admin_port/metrics" |
  grep -c '^dealsync_last_successful_poll_timestamp_seconds{source="[^"]*"} [1-9]') -ge $sources ]]; do
  kill -0 "$daemon_pid" 2>/dev/null || { tail -20 "$out/dealsyncd.log" >&2; exit 1; }
  sleep 0.5
done
polled=$(date +%s.%N)
sleep 5  # let the first cycle's pushes and gauges settle
rss=$(status_kib "$daemon_pid" VmRSS)
fds=$(ls "/proc/$daemon_pid/fd" | wc -l)
ticks0=$(cpu_ticks "$daemon_pid")
req0=$(requests)
sleep "$idle"
ticks1=$(cpu_ticks "$daemon_pid")
req1=$(requests)
hwm=$(status_kib "$daemon_pid" VmHWM)
hz=$(getconf CLK_TCK)
awk -v n="$n" -v start="$start" -v ready="$ready" -v polled="$polled" -v rss="$rss" -v hwm="$hwm" \
  -v fds="$fds" -v t0="$ticks0" -v t1="$ticks1" -v hz="$hz" -v idle="$idle" \
  -v reqs=$((req1 - req0)) -v poll="$poll" 'BEGIN {
    printf "partners=%d poll=%s ready_s=%.2f polled_s=%.1f rss_mib=%.1f peak_rss_mib=%.1f fds=%d " \
           "idle_cpu_pct=%.2f idle_window_s=%d idle_requests=%d rss_kib_per_partner=%.0f fds_per_partner=%.2f\n",
           n, poll, ready - start, polled - start, rss / 1024, hwm / 1024, fds,
           100 * (t1 - t0) / hz / idle, idle, reqs, rss / (n + 1), fds / (n + 1)
  }'
