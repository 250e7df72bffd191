#!/usr/bin/env bash
# Compares the engine's cost per command between a git revision and the
# working tree, in machine instructions counted by callgrind (repeatable on
# a busy machine, unlike seconds), and the page's bundle size.
#
#   scripts/bench-compare.sh <rev> [--no-bundle]
#
# For each workload of crates/emulator/examples/throughput.rs it runs N and
# 2N operations and reports (instr(2N) - instr(N)) / N, which cancels the
# fixed start-up cost. Needs valgrind (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
REV="${1:?usage: scripts/bench-compare.sh <git-rev> [--no-bundle]}"
BUNDLE=1
[ "${2:-}" = "--no-bundle" ] && BUNDLE=0
N="${BENCH_OPS:-20000}"

if ! command -v valgrind >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
fi

WORK="$(mktemp -d)"
trap 'git worktree remove --force "$WORK/before" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
git worktree add -q --detach "$WORK/before" "$REV"

build() { # dir target-dir
  (cd "$1" && CARGO_TARGET_DIR="$2" cargo build --release -q -p redis-emulator --example throughput)
}
echo "== building the throughput example at $REV and in the working tree"
build "$WORK/before" "${BEFORE_TARGET:-$PWD/target/bench-before}"
build "$PWD" "$PWD/target"
BEFORE_BIN="${BEFORE_TARGET:-$PWD/target/bench-before}/release/examples/throughput"
AFTER_BIN="$PWD/target/release/examples/throughput"

instructions() { # bin ops workload
  local out="$WORK/cg.out"
  valgrind --tool=callgrind --callgrind-out-file="$out" "$1" "$2" "$3" >/dev/null 2>&1
  awk '/^summary:/ {print $2}' "$out"
}

printf '\n| Command | instructions per op at %s | working tree | ratio |\n|---|---|---|---|\n' "$REV"
for w in SET GET INCR LPUSH HSET SADD ZADD PFADD XADD; do
  b1=$(instructions "$BEFORE_BIN" "$N" "$w"); b2=$(instructions "$BEFORE_BIN" $((2 * N)) "$w")
  a1=$(instructions "$AFTER_BIN" "$N" "$w"); a2=$(instructions "$AFTER_BIN" $((2 * N)) "$w")
  awk -v w="$w" -v b1="$b1" -v b2="$b2" -v a1="$a1" -v a2="$a2" -v n="$N" 'BEGIN {
    b = (b2 - b1) / n; a = (a2 - a1) / n;
    printf "| %s | %.0f | %.0f | %.3f× |\n", w, b, a, a / b }'
done

if [ "$BUNDLE" = 1 ]; then
  . scripts/setup.sh >/dev/null
  size() { # dir
    (cd "$1" && trunk build --release --offline -d "$WORK/dist-$(basename "$1")" >/dev/null 2>&1)
    local wasm
    wasm=$(ls "$WORK/dist-$(basename "$1")"/*.wasm)
    printf '%s %s' "$(stat -c %s "$wasm")" "$(gzip -9 -c "$wasm" | wc -c)"
  }
  echo
  echo "== bundle (wasm raw bytes, gzip -9 bytes)"
  ln -sfn "$PWD/node_modules" "$WORK/before/node_modules"
  echo "at $REV:        $(CARGO_TARGET_DIR="${BEFORE_TARGET:-$PWD/target/bench-before}" size "$WORK/before")"
  echo "working tree: $(size "$PWD")"
fi
