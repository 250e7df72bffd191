#!/usr/bin/env bash
# Installs whatever this project needs that the machine lacks, and skips
# what is already there (safe to run any number of times):
#   Debian: chromium, chromium-driver, redis-server (and node/npm if absent)
#   Rust:   the wasm32-unknown-unknown target, trunk 0.21.x,
#           wasm-bindgen-cli equal to the pinned wasm-bindgen crate
#   npm:    the committed package-lock.json (binaryen's wasm-opt, playwright-core, axe-core)
# Source it (`. scripts/setup.sh`) to also get node_modules/.bin on PATH.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRUNK_VERSION="0.21.14"
WASM_BINDGEN_VERSION="$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' "$ROOT/Cargo.toml")"

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    say "apt-get update"
    as_root apt-get update -qq
    apt_updated=1
  fi
  say "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
# redis-py: the console's "Copy as Python" programs are run against a real server in the tests.
/usr/bin/python3 -c 'import redis' >/dev/null 2>&1 || missing+=(python3 python3-redis)
# Redis's own Tcl test suite (scripts/redis-test-suite.sh).
command -v tclsh >/dev/null 2>&1 || missing+=(tcl)
if [ "${#missing[@]}" -gt 0 ]; then apt_install "${missing[@]}"; fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if ! trunk --version 2>/dev/null | grep -q "trunk 0\.21\."; then
  say "cargo install trunk $TRUNK_VERSION (takes several minutes once)"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "wasm-bindgen $WASM_BINDGEN_VERSION\$"; then
  say "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (takes a few minutes once)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

stamp="$ROOT/node_modules/.package-lock.stamp"
if [ ! -f "$stamp" ] || ! cmp -s "$ROOT/package-lock.json" "$stamp"; then
  say "npm ci"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$ROOT/package-lock.json" "$stamp"
fi

export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
say "ready: $(trunk --version), $(wasm-bindgen --version), wasm-opt $(wasm-opt --version | awk '{print $3}'), $(redis-server --version | awk '{print $3}')"
