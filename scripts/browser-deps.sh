#!/usr/bin/env bash
# Installs the browser tests' automation libraries from npm into DIR (default
# build/browser-tests): puppeteer-core (drives the system Chromium; it downloads
# no browser) and axe-core (accessibility rules). Exact versions, so a run is
# repeatable; does nothing when they are already there. Fails when npm cannot
# install them: the browser tests must not pass without running.
#   scripts/browser-deps.sh [DIR]
set -euo pipefail
# Absolute: require() takes a bare relative path for a package name.
dir=$(realpath -m "${1:-build/browser-tests}")
want_puppeteer=23.11.1
want_axe=4.14.1
have() {
  node -e "process.exit(require('$dir/node_modules/$1/package.json').version === '$2' ? 0 : 1)" 2>/dev/null
}
if have puppeteer-core "$want_puppeteer" && have axe-core "$want_axe"; then
  exit 0
fi
command -v npm >/dev/null || { echo "browser-deps: npm is not installed (scripts/ensure-deps.sh --with-browser)" >&2; exit 1; }
mkdir -p "$dir"
export PUPPETEER_SKIP_DOWNLOAD=1
npm install --prefix "$dir" --no-audit --no-fund --no-save --loglevel=error \
  "puppeteer-core@$want_puppeteer" "axe-core@$want_axe"
have puppeteer-core "$want_puppeteer" && have axe-core "$want_axe"
