#!/usr/bin/env bash
# dealsyncctl validate against the shipped example config (when the example
# vendor.toml exists) and against a broken copy, whose error must name the line.
set -euo pipefail
ctl=$1
config=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The shipped config with none of its credentials present: exit 78, and one
# error per credential at the line that names it.
mkdir -p "$tmp/creds"
set +e
CREDENTIALS_DIRECTORY="$tmp/creds" "$ctl" validate --config "$config" > "$tmp/out" 2> "$tmp/err"
status=$?
set -e
if [[ $status -ne 78 ]]; then
  cat "$tmp/out" "$tmp/err"
  echo "FAIL: missing credentials: expected exit status 78, got $status"
  exit 1
fi
names=$(grep -hoE '(credential|token) = "[^"]+"' "$config"/*.toml "$config"/partners.d/*.toml |
        sed -E 's/.*"([^"]+)"/\1/' | sort -u)
[[ -n "$names" ]] || { echo "FAIL: no credential names found in $config"; exit 1; }
for name in $names; do
  file=$(grep -lE "(credential|token) = \"$name\"" "$config"/*.toml "$config"/partners.d/*.toml | head -1)
  line=$(grep -nE "(credential|token) = \"$name\"" "$file" | head -1 | cut -d: -f1)
  if ! grep -qE "^$file:$line:[0-9]+: [a-z._]+: credential \"$name\": $tmp/creds/$name does not exist" "$tmp/err"; then
    cat "$tmp/err"
    echo "FAIL: no error naming $file:$line and credential $name"
    exit 1
  fi
done

# An empty credential file is an error too; then with every credential present
# the config is valid. A file named with the unit's dealsync_ prefix counts
# (LoadCredential=dealsync:/etc/dealsync/credentials).
first=1
for name in $names; do
  if [[ $first -eq 1 ]]; then
    : > "$tmp/creds/$name"
    first=0
  else
    printf 'secret-%s\n' "$name" > "$tmp/creds/dealsync_$name"
  fi
done
set +e
CREDENTIALS_DIRECTORY="$tmp/creds" "$ctl" validate --config "$config" > "$tmp/out" 2> "$tmp/err"
status=$?
set -e
if [[ $status -ne 78 ]] || ! grep -q "is empty" "$tmp/err" || [[ $(wc -l < "$tmp/err") -ne 2 ]]; then
  cat "$tmp/out" "$tmp/err"
  echo "FAIL: an empty credential must be the only error (status $status)"
  exit 1
fi
for name in $names; do
  printf 'secret-%s\n' "$name" > "$tmp/creds/$name"
done
CREDENTIALS_DIRECTORY="$tmp/creds" "$ctl" validate --config "$config" > "$tmp/out" 2>&1 || {
  cat "$tmp/out"
  echo "FAIL: the shipped example config with its credentials does not validate"
  exit 1
}
grep -q "is valid" "$tmp/out"

# A user's token is a credential like any other: missing, it is reported at
# its line under the user's name.
cp -r "$config" "$tmp/users"
printf '\n[[admin.users]]\nname = "maria"\nrole = "resolver"\ntoken = "maria-api-token"\n' \
  >> "$tmp/users/dealsync.toml"
line=$(grep -n 'token = "maria-api-token"' "$tmp/users/dealsync.toml" | cut -d: -f1)
set +e
CREDENTIALS_DIRECTORY="$tmp/creds" "$ctl" validate --config "$tmp/users" > "$tmp/out" 2> "$tmp/err"
status=$?
set -e
if [[ $status -ne 78 ]] ||
   ! grep -qE "^$tmp/users/dealsync.toml:$line:[0-9]+: admin.users.maria.token: credential \"maria-api-token\": $tmp/creds/maria-api-token does not exist" "$tmp/err"; then
  cat "$tmp/out" "$tmp/err"
  echo "FAIL: a user's missing token credential must be reported at its line (status $status)"
  exit 1
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
