#!/usr/bin/env bash
# dealsyncctl sources / deadletters against a copy of the
# shipped example config with a fresh state directory.
set -euo pipefail
ctl=$1
config=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$config" "$tmp/config"
sed -i "s|^state_dir = .*|state_dir = \"$tmp/state\"|" "$tmp/config/dealsync.toml"
fail() {
  echo "FAIL: $*"
  cat "$tmp/out" "$tmp/err" 2>/dev/null || true
  exit 1
}

"$ctl" sources --config "$tmp/config" > "$tmp/out" 2> "$tmp/err" || fail "sources exited $?"
grep -q "^SOURCE" "$tmp/out" || fail "no header"
grep -q "^vendor	" "$tmp/out" || fail "vendor not listed"
grep -q "^northwind	.*(start)" "$tmp/out" || fail "northwind not listed at its start"

"$ctl" deadletters list --config "$tmp/config" > "$tmp/out" 2> "$tmp/err" || fail "list exited $?"
grep -q "No dead letters" "$tmp/out" || fail "empty list"
set +e
"$ctl" deadletters retry northwind/nw-1 --config "$tmp/config" > "$tmp/out" 2> "$tmp/err"
status=$?
set -e
[[ $status -eq 1 ]] || fail "retrying a missing dead letter exits 1, got $status"
grep -q "no dead letter for northwind/nw-1" "$tmp/err" || fail "missing dead letter message"
echo "ok"
