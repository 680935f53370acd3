#!/usr/bin/env bash
# The bash completion offers every dealsyncctl command and each command's
# options as --help lists them (and dealsyncd's options).
set -euo pipefail
dealsyncd=$1
dealsyncctl=$2
src=$3
fail() { echo "FAIL: $*"; exit 1; }
source "$src/scripts/completion/dealsyncctl.bash"
source "$src/scripts/completion/dealsyncd.bash"

complete_words() {  # complete_words FUNCTION WORD... (the last word is being completed)
  local fn=$1
  shift
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  "$fn"
  printf '%s\n' "${COMPREPLY[@]}"
}
options_of() { { grep -oE '^ +(-[a-zA-Z],)?--[a-z][a-z0-9-]*' || true; } | sed -E 's/.*--/--/' | sort -u; }

offered=$(complete_words _dealsyncctl dealsyncctl "")
for cmd in $("$dealsyncctl" --help | sed -n '/^Subcommands:/,/^$/p' | grep -oE '^  [a-z][a-z0-9-]*'); do
  grep -qx "$cmd" <<< "$offered" || fail "dealsyncctl completion does not offer \"$cmd\""
done
check() {  # check "command path" (words before the option being completed)
  local path=$1
  local want
  want=$("$dealsyncctl" $path --help | options_of)
  local got
  # shellcheck disable=SC2086
  got=$(complete_words _dealsyncctl dealsyncctl $path "--")
  for o in $want; do
    grep -qx -- "$o" <<< "$got" || fail "completion of \"dealsyncctl $path --\" lacks $o (got: $(echo $got))"
  done
}
check "validate"
check "reload"
check "plan"
check "report"
check "partner check"
check "conflicts list"
check "conflicts resolve"
check "links add"
check "sources rewind"
[[ $(complete_words _dealsyncctl dealsyncctl report --format "") == $'html\ncsv\npipeline-csv\njson' ]] ||
  fail "report --format values"
got=$(complete_words _dealsyncd dealsyncd "--")
for o in $("$dealsyncd" --help | options_of); do
  grep -qx -- "$o" <<< "$got" || fail "dealsyncd completion lacks $o"
done
echo ok
