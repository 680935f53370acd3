#!/usr/bin/env bash
# The example configuration, the unit and docs/operations.md agree on every
# credential: each name the config uses is a file the documented install steps
# write into /etc/dealsync/credentials/, is listed in the guide's table, and
# that directory is what the unit hands to the service (LoadCredential=) and
# what tmpfiles.d creates.
set -euo pipefail
src=$1
fail() { echo "FAIL: $*"; exit 1; }

names=$(grep -hoE '^[^#]*(credential|token|refresh_token) = "[^"]+"' \
          "$src"/config/*.toml "$src"/config/partners.d/*.toml |
        grep -oE '(credential|token|refresh_token) = "[^"]+"' |
        sed -E 's/.*"([^"]+)"/\1/' | sort -u)
[[ $(wc -w <<< "$names") -ge 2 ]] || fail "too few credential names found: $names"

steps=$(sed -n '/<!-- install-steps:begin -->/,/<!-- install-steps:end -->/p' "$src/docs/operations.md")
[[ -n "$steps" ]] || fail "docs/operations.md has no install-steps block"
written=$(grep -oE '> /etc/dealsync/credentials/[A-Za-z0-9._@-]+' <<< "$steps" |
          sed 's|.*/||' | sort -u)
[[ "$names" == "$written" ]] ||
  fail "config names {$(echo $names)} but the install steps write {$(echo $written)}"
for name in $names; do
  grep -qE "^\| \`$name\` \|" "$src/docs/operations.md" ||
    fail "credential $name is missing from the table in docs/operations.md"
done

unit="$src/systemd/dealsyncd.service"
grep -qxF 'LoadCredential=dealsync:/etc/dealsync/credentials' "$unit" ||
  fail "the unit does not load /etc/dealsync/credentials as the credential prefix dealsync"
[[ $(grep -c '^LoadCredential' "$unit") -eq 1 ]] || fail "unexpected extra LoadCredential= lines"
grep -qE '^d +/etc/dealsync/credentials +0700 +root +root' "$src/systemd/dealsync.tmpfiles" ||
  fail "tmpfiles.d does not create /etc/dealsync/credentials 0700 root"
echo "ok: $(echo $names)"
