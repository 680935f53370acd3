#!/usr/bin/env bash
# docs/operations.md's install steps, run literally, as root, in a throwaway
# copy of this machine: an overlay of / (writes go to a scratch directory and
# vanish with it) in private mount and network namespaces (loopback only, so
# the unchanged default listen address 127.0.0.1:8686 is free). Nothing is
# rewritten: `apt install ./dealsync_*.deb` installs the package with its
# dependencies from this machine (no download) and runs its postinst; the
# secrets go to /etc/dealsync/credentials; `dealsyncctl validate` checks them;
# `systemctl enable --now dealsyncd` starts what the packaged unit says:
# ExecStart= as User=/Group= with UMask=, the credentials where
# LoadCredential= puts them ($CREDENTIALS_DIRECTORY/dealsync_<name>, read by
# systemd as root), state in /var/lib/dealsync.
#   package_install_literal.sh DEB SOURCE_DIR SCRATCH
# Exit 77 when this machine cannot make such a copy (not root, no overlayfs).
set -euo pipefail
deb=$1
src=$2
scratch=$3
if [[ $(id -u) -ne 0 ]] || ! command -v unshare > /dev/null || ! command -v setpriv > /dev/null; then
  echo "SKIP: the literal install needs root, unshare and setpriv"
  exit 77
fi
steps=$(sed -n '/<!-- install-steps:begin -->/,/<!-- install-steps:end -->/p' "$src/docs/operations.md" |
        sed '/^<!--/d; /^```/d')
docs_deb=$(grep -oE '^apt install \./[^ ]+\.deb' <<< "$steps" | sed 's|^apt install \./||')
[[ -n $docs_deb ]] || { echo "FAIL: the install steps install no ./*.deb"; exit 1; }
if [[ $docs_deb != "$(basename "$deb")" ]]; then
  echo "FAIL: docs/operations.md installs $docs_deb, the build makes $(basename "$deb")"
  exit 1
fi
mkdir -p "$scratch"/{upper,work,root}
mkdir -p "$scratch/upper/root"
cp "$deb" "$scratch/upper/root/$docs_deb"
printf '%s\n' "$steps" > "$scratch/upper/root/install-steps.sh"
# The secrets the steps read from the operator's environment: test values.
envs=()
for var in $(grep -oE '\$[A-Z][A-Z0-9_]*' <<< "$steps" | tr -d '$' | sort -u); do
  envs+=("$var=test-value-for-$var")
done

export scratch
export envs_joined="${envs[*]}"
unshare --mount --net --propagation private bash -euo pipefail -c '
root=$scratch/root
if ! mount -t overlay overlay -o "lowerdir=/,upperdir=$scratch/upper,workdir=$scratch/work" "$root" 2>/dev/null; then
  echo "SKIP: no overlayfs over /"
  exit 77
fi
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount -t tmpfs -o mode=0755 tmpfs "$root/run"
mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
ip link set lo up
fail() { echo "FAIL: $*"; [[ -f $root/root/dealsyncd.log ]] && cat "$root/root/dealsyncd.log"; exit 1; }
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root $envs_joined "$@"; }

# ---- every step but the service start, as the operator types them ---------
unit_started=""
while IFS= read -r line; do
  [[ -z "$line" || "$line" == \#* ]] && continue
  echo "+ $line"
  case $line in
    "apt install "*)
      # apt asks before installing anything beyond the package itself; the
      # answer is yes, as the operator would type it.
      in_root sh -c "cd /root && yes | DEBIAN_FRONTEND=noninteractive $line" > "$root/root/apt.log" 2>&1 ||
        { cat "$root/root/apt.log"; fail "step failed: $line"; }
      grep -E "^(Setting up|Unpacking) dealsync" "$root/root/apt.log" || { cat "$root/root/apt.log"; fail "apt did not install dealsync"; }
      ;;
    "systemctl enable --now dealsyncd")
      unit_started=yes
      ;;
    *)
      in_root sh -c "cd /root && $line" || fail "step failed: $line"
      ;;
  esac
done < "$root/root/install-steps.sh"
[[ -n $unit_started ]] || fail "the install steps never start the service"

# ---- what the package and its postinst made -----------------------------
grep -q "^dealsync:" "$root/etc/passwd" || fail "postinst made no dealsync user"
[[ $(chroot "$root" stat -c "%U %a" /var/lib/dealsync) == "dealsync 700" ]] || fail "state dir owner/mode"
[[ $(chroot "$root" stat -c "%U %a" /etc/dealsync/credentials) == "root 700" ]] || fail "credentials dir owner/mode"
in_root dpkg-query -W -f="\${Status}\n" dealsync | grep -qx "install ok installed" || fail "dpkg: dealsync not installed"

# ---- systemctl enable --now dealsyncd: the packaged unit, as systemd runs it
unit=$root/usr/lib/systemd/system/dealsyncd.service
[[ -f $unit ]] || fail "no packaged unit"
key() { sed -n "s/^$1=//p" "$unit"; }
user=$(key User); group=$(key Group); umask_=$(key UMask); exec_start=$(key ExecStart)
spec=$(key LoadCredential); cred_id=${spec%%:*}; cred_src=${spec#*:}
[[ -n $user && -n $exec_start && -n $spec ]] || fail "unit lacks User=, ExecStart= or LoadCredential="
creds=/run/credentials/dealsyncd.service
mkdir -p "$root$creds"
for f in "$root$cred_src"/*; do
  install -m 0400 -o "$(chroot "$root" id -u "$user")" "$f" "$root$creds/${cred_id}_$(basename "$f")"
done
chmod 0500 "$root$creds"
chown "$(chroot "$root" id -u "$user")" "$root$creds"
chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin CREDENTIALS_DIRECTORY=$creds \
  setpriv --reuid="$user" --regid="$group" --init-groups \
  sh -c "umask $umask_ && exec $exec_start --log-target stderr" > "$root/root/dealsyncd.log" 2>&1 &
pid=$!
trap "kill -KILL $pid 2>/dev/null || true" EXIT
listen=$(sed -n "s/^listen = \"\([^\"]*\)\".*/\1/p" "$root/etc/dealsync/dealsync.toml")
[[ $listen == 127.0.0.1:8686 ]] || fail "the example config listens on $listen"
for _ in $(seq 1 100); do
  curl -fsS "http://$listen/healthz" > /dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || fail "dealsyncd exited"
  sleep 0.1
done
curl -fsS "http://$listen/healthz" > /dev/null || fail "no /healthz on $listen"
uid=$(chroot "$root" id -u "$user")
[[ $(stat -c %u /proc/$pid) == "$uid" ]] || fail "dealsyncd runs as uid $(stat -c %u /proc/$pid), not $user ($uid)"
metrics=$(curl -fsS "http://$listen/metrics")
grep -qx "dealsync_up 1" <<< "$metrics" || fail "dealsync_up is not 1"
up=$(grep -c "^dealsync_source_up{source=\"[^\"]*\"} 1$" <<< "$metrics" || true)
down=$(grep -c "^dealsync_source_up{source=\"[^\"]*\"} 0$" <<< "$metrics" || true)
[[ $up -ge 3 && $down -eq 0 ]] || fail "sources up: $up, failed: $down: $(grep source_up <<< "$metrics")"
grep -q "failed, not syncing" "$root/root/dealsyncd.log" && fail "a source failed"
[[ $(chroot "$root" find /var/lib/dealsync -maxdepth 1 -name CURRENT -uid "$uid" | wc -l) -eq 1 ]] ||
  fail "the store in /var/lib/dealsync is not the service account'"'"'s"
kill -TERM $pid
wait $pid || fail "dealsyncd exited $? on SIGTERM"
trap - EXIT
echo "literal install: apt installed the package, postinst made user $user, dealsyncd ran as $user on $listen with $up sources up"
'
