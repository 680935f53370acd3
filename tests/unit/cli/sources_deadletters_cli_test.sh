#!/usr/bin/env bash
# dealsyncctl sources / sources rewind / deadletters against a copy of the
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

set +e
"$ctl" sources rewind northwind --to 2026-11-01 --by ops --config "$tmp/config" > "$tmp/out" \
  2> "$tmp/err"
status=$?
set -e
if [[ $status -ne 0 ]] && grep -q "cannot rewind its cursor" "$tmp/err"; then
  # A connector without Connector::CursorAt says so, and nothing is changed.
  [[ $status -eq 1 ]] || fail "an unsupported rewind exits 1, got $status"
  "$ctl" sources --config "$tmp/config" > "$tmp/out" 2> "$tmp/err" || fail "sources exited $?"
  grep -q "^northwind	.*(start)" "$tmp/out" || fail "cursor changed by a refused rewind"
else
  [[ $status -eq 0 ]] || fail "rewind exited $status: $(cat "$tmp/err")"
  grep -q "Rewound northwind to 2026-11-01T00:00:00.000Z (by ops)" "$tmp/out" || fail "rewind message"
  "$ctl" sources list --config "$tmp/config" > "$tmp/out" 2> "$tmp/err" || fail "list exited $?"
  grep -q "^northwind	rest	2026-11-01T00:00:00.000Z" "$tmp/out" || fail "watermark not rewound"
fi

set +e
"$ctl" sources rewind northwind --to yesterday --by ops --config "$tmp/config" > "$tmp/out" \
  2> "$tmp/err"
status=$?
set -e
[[ $status -eq 2 ]] || fail "a bad --to exits 2, got $status"
grep -q "is not a date" "$tmp/err" || fail "bad --to message"

"$ctl" deadletters list --config "$tmp/config" > "$tmp/out" 2> "$tmp/err" || fail "list exited $?"
grep -q "No dead letters" "$tmp/out" || fail "empty list"
set +e
"$ctl" deadletters retry northwind/nw-1 --config "$tmp/config" > "$tmp/out" 2> "$tmp/err"
status=$?
set -e
[[ $status -eq 1 ]] || fail "retrying a missing dead letter exits 1, got $status"
grep -q "no dead letter for northwind/nw-1" "$tmp/err" || fail "missing dead letter message"
echo "ok"
