#!/usr/bin/env bash
# The man pages stay in step with --help: every option of dealsyncd is in
# dealsyncd(8), every dealsyncctl command has a `.SS "dealsyncctl <command>"`
# section in dealsyncctl(1) naming each of its options, and every option or
# command the pages name exists.
set -euo pipefail
dealsyncd=$1
dealsyncctl=$2
man_dir=$3
fail() { echo "FAIL: $*"; exit 1; }

# Long options of a --help text, one per line (without --help).
options_of() { { grep -oE '^ +(-[a-zA-Z],)?--[a-z][a-z0-9-]*' || true; } | sed -E 's/.*--/--/' | { grep -vx -- '--help' || true; } | sort -u; }
# Subcommand names of a --help text.
subcommands_of() { sed -n '/^Subcommands:/,/^$/p' | { grep -oE '^  [a-z][a-z0-9-]*' || true; } | tr -d ' '; }
# Long options named in roff text (\-\-name).
roff_options() { { grep -oE '\\-\\-[a-z][a-z0-9\\-]*' || true; } | sed -E 's/\\-/-/g' | { grep -vx -- '--help' || true; } | sort -u; }

# dealsyncd(8): OPTIONS section <-> --help.
page="$man_dir/dealsyncd.8"
help_options=$("$dealsyncd" --help | options_of)
page_options=$(sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$page" | roff_options)
[[ "$help_options" == "$page_options" ]] ||
  fail "dealsyncd(8) OPTIONS {$(echo $page_options)} != dealsyncd --help {$(echo $help_options)}"

# dealsyncctl(1): one section per command path.
page="$man_dir/dealsyncctl.1"
paths=()
walk() {
  local path=("$@")
  local help
  help=$("$dealsyncctl" "${path[@]}" --help)
  local subs
  subs=$(subcommands_of <<< "$help")
  if [[ ${#path[@]} -gt 0 ]]; then
    paths+=("${path[*]}")
  fi
  for sub in $subs; do
    walk "${path[@]}" "$sub"
  done
}
walk
[[ ${#paths[@]} -ge 5 ]] || fail "found only ${#paths[@]} dealsyncctl commands"
for path in "${paths[@]}"; do
  # A command that only groups subcommands (e.g. "partner") may share its
  # children's sections when it has no options of its own.
  opts=$("$dealsyncctl" $path --help | options_of)
  section=$(awk -v want=".SS \"dealsyncctl $path\"" '
    $0 == want { on = 1; next }
    on && /^\.S[HS] / { exit }
    on { print }' "$page")
  if [[ -z "$section" ]]; then
    if [[ -z "$opts" ]] && grep -q "^\.SS \"dealsyncctl $path " "$page"; then
      continue
    fi
    fail "dealsyncctl(1) has no section .SS \"dealsyncctl $path\""
  fi
  named=$(roff_options <<< "$section" | grep -vx -- '--config' || true)
  for o in $opts; do
    grep -qE -- "(^|[^a-z-])$o([^a-z-]|\$)" <<< "$(sed 's/\\-/-/g' <<< "$section")" ||
      fail "dealsyncctl(1) section \"$path\" does not document $o"
  done
  for o in $named; do
    grep -qx -- "$o" <<< "$opts" || fail "dealsyncctl(1) section \"$path\" names $o, which --help lacks"
  done
done
# Every section names a real command.
grep -oE '^\.SS "dealsyncctl [^"]+"' "$page" | sed -E 's/^\.SS "dealsyncctl (.*)"$/\1/' |
  while read -r path; do
    grep -qx -- "$path" <<< "$(printf '%s\n' "${paths[@]}")" || fail "dealsyncctl(1) documents unknown command \"$path\""
  done
# The version line both binaries print.
grep -qE '^dealsyncd [0-9]+\.[0-9]+\.[0-9]+ \(git ([0-9a-f]{7,}(-dirty)?|unknown)\)$' <<< "$("$dealsyncd" --version)" ||
  fail "dealsyncd --version: $("$dealsyncd" --version)"
grep -qE '^dealsyncctl [0-9]+\.[0-9]+\.[0-9]+ \(git ([0-9a-f]{7,}(-dirty)?|unknown)\)$' <<< "$("$dealsyncctl" --version)" ||
  fail "dealsyncctl --version: $("$dealsyncctl" --version)"
echo "ok: ${#paths[@]} dealsyncctl commands, dealsyncd options: $(echo $help_options)"
