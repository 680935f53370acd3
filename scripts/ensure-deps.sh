#!/usr/bin/env bash
# Installs the Debian 12 packages dealsync needs that are missing (as root, with
# apt-get). Safe to run again: it does nothing when everything is present.
#   scripts/ensure-deps.sh [--with-browser]
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config ccache git openssl tzdata ca-certificates
  libboost-dev libssl-dev zlib1g-dev librocksdb-dev nlohmann-json3-dev libspdlog-dev
  libtomlplusplus-dev libcli11-dev libsystemd-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  systemd prometheus curl
  clang libclang-rt-14-dev
)
if [[ "${1:-}" == "--with-browser" ]]; then
  packages+=(chromium)
  # The review workspace's browser tests run on Node.js with packages from npm;
  # a Node.js that ships its own npm (e.g. NodeSource's) needs no npm package.
  if ! command -v node >/dev/null; then
    packages+=(nodejs npm)
  elif ! command -v npm >/dev/null; then
    packages+=(npm)
  fi
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "dealsync: installing missing packages: ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "dealsync: not root; install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
