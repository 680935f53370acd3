#!/usr/bin/env bash
# Scale run: the real dealsyncd against the bundled simulators seeded with N
# vendor deals (and their partner copies spread over three partners), as in
# scripts/demo.sh. Runs a first sync and then a no-change cycle, each as
# `dealsyncd --once` under /usr/bin/time, then `dealsyncctl report`, and prints
# one line per step: CPU seconds (user+sys), wall seconds, peak RSS, state
# directory size and requests answered by the simulators.
#   bench/scale_run.sh N [out dir]        binaries from ${DEALSYNC_BUILD_DIR:-build}
#   DEALSYNC_BIN_DIR=/path bench/scale_run.sh N    (dealsync-sim, dealsyncd, dealsyncctl in one dir)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:?usage: bench/scale_run.sh N [out dir]}
out=$(realpath -m "${2:-scale-$n}")
build=${DEALSYNC_BUILD_DIR:-build}
if [[ -n "${DEALSYNC_BIN_DIR:-}" ]]; then
  sim="$DEALSYNC_BIN_DIR/dealsync-sim" daemon="$DEALSYNC_BIN_DIR/dealsyncd" ctl="$DEALSYNC_BIN_DIR/dealsyncctl"
else
  sim="$build/tests/simulators/dealsync-sim" daemon="$build/src/daemon/dealsyncd" ctl="$build/src/cli/dealsyncctl"
fi

rm -rf "$out"
mkdir -p "$out/pki" "$out/config/partners.d"
"$sim" --write-seed "$out/seed.json" --seed 42 --vendor-deals "$n" >/dev/null
"$sim" --pki-dir "$out/pki" --seed-file "$out/seed.json" \
  --salesforce-port 0 --hubspot-port 0 \
  --rest northwind:0:northwind --rest contoso:0:contoso --rest-requests-per-minute 10000000 \
  --ports-file "$out/ports.json" >"$out/simulators.log" 2>&1 &
sim_pid=$!
trap 'kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  [[ -s "$out/ports.json" ]] && break
  kill -0 "$sim_pid" 2>/dev/null || { cat "$out/simulators.log" >&2; exit 1; }
  sleep 0.1
done

url_of() { tr -d ' \n' <"$out/ports.json" | grep -o "\"$1\":{[^}]*}" | grep -o 'https://[^"]*'; }
free_port() {
  local p
  for p in $(seq 18786 18886); do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$out/pki/admin.token"
chmod 600 "$out/pki/admin.token"
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
# Rate limits of the demo configs (and the REST simulators' 600 requests a
# minute) are for the demo; a scale run measures CPU.
sed -i -E 's/rate_limit = \{ requests = [0-9]+/rate_limit = { requests = 100000/' \
  "$out/config/vendor.toml" "$out/config/partners.d/"*.toml

requests() {  # total requests the simulators answered so far
  local total=0 name url
  for name in salesforce hubspot northwind contoso; do
    url=$(url_of "$name")
    url=${url%%/services*}; url=$(echo "$url" | grep -o 'https://[^/]*')
    total=$((total + $(curl -s --cacert "$out/pki/ca.pem" "$url/__sim/stats" | jq .total)))
  done
  echo "$total"
}
measure() {  # step name, then the command
  local step=$1 before after
  shift
  before=$(requests)
  /usr/bin/time -v -o "$out/$step.time" "$@" >>"$out/$step.log" 2>&1
  after=$(requests)
  awk -v step="$step" -v n="$n" -v reqs=$((after - before)) \
    -v state="$(du -sk "$out/state" | cut -f1)" '
    /User time/ {u = $NF} /System time/ {s = $NF} /Maximum resident/ {rss = $NF}
    /Elapsed \(wall clock\)/ {split($NF, t, ":"); wall = (length(t) == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2]}
    END {printf "%-8s N=%d cpu_s=%.2f cpu_s_per_1000=%.3f wall_s=%.1f peak_rss_mib=%.0f state_mib=%.1f requests=%d\n",
                step, n, u + s, (u + s) * 1000 / n, wall, rss / 1024, state / 1024, reqs}' "$out/$step.time"
}
measure first "$daemon" --config "$out/config" --once
measure steady "$daemon" --config "$out/config" --once
measure report "$ctl" report --config "$out/config" --format json --out "$out/report.json"
grep -o 'once: done: .*' "$out/steady.log" | tail -n 1
