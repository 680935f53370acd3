#!/usr/bin/env bash
# Builds the Debian package from this build tree (cpack -G DEB), checks its
# contents, then follows docs/operations.md's install steps literally on a
# scratch root and starts the daemon the way the unit would:
#   apt install ./dealsync_*.deb   -> dpkg-deb -x into the root, then the
#                                     package's sysusers.d/tmpfiles.d entries
#                                     applied with --root (what postinst does)
#   /etc/..., /var/...             -> the same paths under the root
#   dealsyncctl ...                -> the packaged binary; the credential
#                                     store is the root's /etc/dealsync/credentials
#   systemctl enable --now         -> the packaged unit: systemd-analyze verify
#                                     and security on it, its LoadCredential=
#                                     layout reproduced in a private directory
#                                     ($CREDENTIALS_DIRECTORY), its ExecStart=
#                                     run with the paths under the root
# The root's dealsync.toml gets two edits a scratch root needs: state_dir under
# the root and a free admin port. package_install_literal.sh then runs the
# same steps with no edit at all (apt, postinst, User=dealsync) in an overlay
# copy of this machine, where it can (root, overlayfs).
set -euo pipefail
build=$1
src=$2
fail() { echo "FAIL: $*"; [[ -f "${work:-}/dealsyncd.log" ]] && cat "$work/dealsyncd.log"; exit 1; }
work=$(mktemp -d)
daemon_pid=""
cleanup() {
  if [[ -n $daemon_pid ]] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -KILL "$daemon_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# ---- build the package --------------------------------------------------------
(cd "$build" && cpack -G DEB -B "$work/pkg" > "$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$work"/pkg/dealsync_*_*.deb)
[[ -f $deb ]] || fail "no .deb in $work/pkg"
echo "package: $(basename "$deb")"

# ---- contents -----------------------------------------------------------------
dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' > "$work/contents"
for path in /usr/bin/dealsyncd /usr/bin/dealsyncctl \
            /usr/lib/systemd/system/dealsyncd.service \
            /usr/lib/sysusers.d/dealsync.conf /usr/lib/tmpfiles.d/dealsync.conf \
            /etc/dealsync/dealsync.toml /etc/dealsync/vendor.toml \
            /etc/dealsync/partners.d/northwind.toml \
            /usr/share/man/man8/dealsyncd.8.gz /usr/share/man/man1/dealsyncctl.1.gz \
            /usr/share/bash-completion/completions/dealsyncctl \
            /usr/share/bash-completion/completions/dealsyncd \
            /usr/share/dealsync/prometheus/alerts.yml \
            /usr/share/doc/dealsync/operations.md /usr/share/doc/dealsync/design.md \
            /usr/share/doc/dealsync/copyright; do
  grep -qx -- "$path" "$work/contents" || { cat "$work/contents"; fail "package lacks $path"; }
done
if grep -E '_test$|dealsync-sim|/include/' "$work/contents"; then
  fail "package carries test or development files"
fi
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles > "$work/conffiles"
for f in /etc/dealsync/dealsync.toml /etc/dealsync/vendor.toml /etc/dealsync/partners.d/northwind.toml; do
  grep -qx "$f" "$work/conffiles" || fail "$f is not a conffile"
done
grep -q systemd <<< "$(dpkg-deb -f "$deb" Depends)" || fail "Depends lacks systemd"

# cmake --install installs the same set.
DESTDIR="$work/cmake-root" cmake --install "$build" --prefix /usr > "$work/install.log" 2>&1 ||
  { cat "$work/install.log"; fail "cmake --install"; }
(cd "$work/cmake-root" && find . -type f -o -type l) | sed 's|^\./|/|' | sort > "$work/installed"
grep -v '/$' "$work/contents" | while read -r path; do
  [[ -d "$work/cmake-root$path" ]] && continue
  grep -qx -- "$path" "$work/installed" || fail "cmake --install lacks $path"
done

# ---- the install steps of docs/operations.md, literally -----------------------
root="$work/root"
mkdir -p "$root/etc"
touch "$root/etc/passwd" "$root/etc/group"
steps=$(sed -n '/<!-- install-steps:begin -->/,/<!-- install-steps:end -->/p' "$src/docs/operations.md" |
        sed '/^<!--/d; /^```/d')
[[ -n "$steps" ]] || fail "no install steps in docs/operations.md"
# The secrets the steps read from the operator's environment: test values.
for var in $(grep -oE '\$[A-Z][A-Z0-9_]*' <<< "$steps" | tr -d '$' | sort -u); do
  export "$var=test-value-for-$var"
done
unit=""
while IFS= read -r line; do
  [[ -z "$line" || "$line" == \#* ]] && continue
  echo "+ $line"
  case $line in
    "apt install ./"*.deb*)
      dpkg-deb -x "$deb" "$root"
      systemd-sysusers --root="$root" "$root/usr/lib/sysusers.d/dealsync.conf" ||
        fail "sysusers.d entry"
      systemd-tmpfiles --root="$root" --create "$root/usr/lib/tmpfiles.d/dealsync.conf" ||
        fail "tmpfiles.d entry"
      grep -q '^dealsync:' "$root/etc/passwd" || fail "sysusers created no dealsync user"
      [[ $(stat -c %a "$root/etc/dealsync/credentials") == 700 ]] || fail "credentials dir mode"
      uid=$(awk -F: '$1 == "dealsync" { print $3 }' "$root/etc/passwd")
      [[ $(stat -c %u "$root/var/lib/dealsync") == "$uid" ]] || fail "state dir owner"
      [[ $(stat -c %a "$root/var/lib/dealsync") == 700 ]] || fail "state dir mode"
      # The scratch root's two edits (see the header).
      admin_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 18686)
      sed -i "s|^state_dir = \"/var/lib/dealsync\"|state_dir = \"$root/var/lib/dealsync\"|; s|^listen = \"127.0.0.1:8686\"|listen = \"127.0.0.1:$admin_port\"|" \
        "$root/etc/dealsync/dealsync.toml"
      ;;
    "dealsyncctl "*)
      rest=${line#dealsyncctl }
      # shellcheck disable=SC2086
      CREDENTIALS_DIRECTORY="$root/etc/dealsync/credentials" \
        "$root/usr/bin/dealsyncctl" ${rest//\/etc\//$root/etc/} > "$work/validate.out" 2>&1 ||
        { cat "$work/validate.out"; fail "step failed: $line"; }
      cat "$work/validate.out"
      ;;
    "systemctl enable --now dealsyncd")
      unit="$root/usr/lib/systemd/system/dealsyncd.service"
      ;;
    *)
      eval "${line//\/etc\//$root/etc/}" || fail "step failed: $line"
      ;;
  esac
done <<< "$steps"
[[ -n $unit ]] || fail "the install steps never start the service"

# ---- the unit: verify, security, then start it as systemd would ---------------
copy="$work/dealsyncd.service"
sed "s|/usr/bin/|$root/usr/bin/|g" "$unit" > "$copy"
# Documentation=man:... is checked against the package's own man pages.
MANPATH="$root/usr/share/man" systemd-analyze verify "$copy" > "$work/verify.out" 2>&1 ||
  { cat "$work/verify.out"; fail "systemd-analyze verify"; }
if grep -q 'dealsyncd.service' "$work/verify.out"; then cat "$work/verify.out"; fail "verify warnings"; fi
systemd-analyze security --offline=yes "$copy" > "$work/security.out" 2>&1 || true
exposure=$(grep -oE 'Overall exposure level for dealsyncd.service: [0-9.]+' "$work/security.out" | grep -oE '[0-9.]+$')
[[ -n $exposure ]] || { cat "$work/security.out"; fail "no exposure level"; }
awk -v e="$exposure" 'BEGIN { exit !(e <= 1.5) }' || { cat "$work/security.out"; fail "exposure $exposure > 1.5"; }
echo "systemd-analyze security: exposure $exposure"

creds="$work/run-credentials"
mkdir -m 0700 "$creds"
spec=$(sed -n 's/^LoadCredential=//p' "$unit")
[[ $(wc -l <<< "$spec") -eq 1 ]] || fail "expected one LoadCredential= line"
id=${spec%%:*}
path=${spec#*:}
for f in "$root$path"/*; do
  install -m 0400 "$f" "$creds/${id}_$(basename "$f")"
done
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
# shellcheck disable=SC2086
set -- ${exec_start//\/usr\/bin\//$root/usr/bin/}
set -- "${@//\/etc\//$root/etc/}"
CREDENTIALS_DIRECTORY="$creds" "$@" --log-target stderr > "$work/dealsyncd.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$admin_port/healthz" > /dev/null 2>&1 && break
  kill -0 "$daemon_pid" 2>/dev/null || fail "dealsyncd exited: $(wait "$daemon_pid"; echo $?)"
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$admin_port/healthz" > /dev/null || fail "no /healthz"
metrics=$(curl -fsS "http://127.0.0.1:$admin_port/metrics")
grep -qx 'dealsync_up 1' <<< "$metrics" || fail "dealsync_up is not 1"
# A partner's id is the top-level `id` key, before the file's first table.
sources="vendor $(awk 'FNR == 1 { top = 1 } /^\[/ { top = 0 } top && /^id *=/ { sub(/^id *= *"/, ""); sub(/".*/, ""); print }' "$root"/etc/dealsync/partners.d/*.toml)"
[[ $(wc -w <<< "$sources") -ge 3 ]] || fail "too few sources: $sources"
for source in $sources; do
  grep -qx "dealsync_source_up{source=\"$source\"} 1" <<< "$metrics" ||
    fail "source $source is not up after a by-the-docs install: $(grep source_up <<< "$metrics")"
done
if grep -q 'failed, not syncing' "$work/dealsyncd.log"; then fail "a source failed"; fi
kill -TERM "$daemon_pid"
wait "$daemon_pid" || fail "dealsyncd exited $? on SIGTERM"
daemon_pid=""

# ---- the same steps once more, literally, in a throwaway copy of this machine
literal_rc=0
bash "$src/tests/packaging/package_install_literal.sh" "$deb" "$src" "$work/literal" || literal_rc=$?
case $literal_rc in
  0) ;;
  77) echo "note: the literal install could not run here (see above); the scratch-root install did" ;;
  *) fail "the literal install" ;;
esac
echo "ok"
