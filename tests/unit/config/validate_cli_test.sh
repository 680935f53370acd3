#!/usr/bin/env bash
# dealsyncctl validate against the shipped example config (when the example
# vendor.toml exists) and against a broken copy, whose error must name the line.
set -euo pipefail
ctl=$1
config=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [[ -f "$config/vendor.toml" ]]; then
  "$ctl" validate --config "$config" > "$tmp/out" 2>&1 || {
    cat "$tmp/out"
    echo "FAIL: the shipped example config does not validate"
    exit 1
  }
  grep -q "is valid" "$tmp/out"
else
  echo "note: $config/vendor.toml not written yet; checking only the broken copy"
fi

cp -r "$config" "$tmp/broken"
sed -i 's/^log_level = "info"/log_level = "loud"/' "$tmp/broken/dealsync.toml"
set +e
"$ctl" validate --config "$tmp/broken" > "$tmp/out" 2> "$tmp/err"
status=$?
set -e
if [[ $status -ne 78 ]]; then
  cat "$tmp/out" "$tmp/err"
  echo "FAIL: expected exit status 78, got $status"
  exit 1
fi
expected="$tmp/broken/dealsync.toml:9:13: log_level: invalid value \"loud\" (expected one of: trace, debug, info, warn, error)"
if ! grep -qxF "$expected" "$tmp/err"; then
  cat "$tmp/err"
  echo "FAIL: missing line: $expected"
  exit 1
fi
echo "ok"
