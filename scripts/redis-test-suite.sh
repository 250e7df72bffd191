#!/usr/bin/env bash
# Runs Redis 7.0.15's own Tcl test suite (../shared/redis-tests-7.0.15, BSD-3) against a real
# redis-server and against our server, unit by unit, and prints both counts side by side: how many
# of the cases that redis-server passes in this mode our server passes too.
#
#   scripts/redis-test-suite.sh [UNIT...]        default: every unit an external server can take
#
# Both servers run on free loopback ports with the same settings; each unit runs on a fresh
# copy of the suite (the harness writes into it). Logs land in target/redis-test-suite/.
# Needs tclsh (Debian's tcl, installed if missing) and redis-server.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
SUITE_SRC="${REDIS_TESTS:-$ROOT/../shared/redis-tests-7.0.15}"
[ -d "$SUITE_SRC" ] || { echo "no test suite at $SUITE_SRC (set REDIS_TESTS)" >&2; exit 2; }

need=()
command -v tclsh >/dev/null 2>&1 || need+=(tcl)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ "${#need[@]}" -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

UNITS=("$@")
if [ "${#UNITS[@]}" -eq 0 ]; then
  UNITS=(unit/type/string unit/type/incr unit/type/list unit/type/list-2 unit/type/list-3 unit/type/set
    unit/type/zset unit/type/hash unit/type/stream unit/type/stream-cgroups unit/expire unit/keyspace
    unit/bitops unit/bitfield unit/hyperloglog unit/geo unit/multi unit/pubsub unit/pubsubshard
    unit/scripting unit/functions unit/scan unit/sort unit/info unit/info-command unit/introspection
    unit/introspection-2 unit/acl unit/acl-v2 unit/auth unit/tracking unit/dump unit/latency-monitor
    unit/protocol unit/querybuf unit/slowlog unit/maxmemory unit/lazyfree unit/limits unit/other
    unit/pause)
fi

cargo build --release -q -p redis-emulator-server
OUT="$ROOT/target/redis-test-suite"
rm -rf "$OUT" && mkdir -p "$OUT"
WORK="$(mktemp -d)"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ping() { for _ in $(seq 100); do redis-cli -p "$1" PING >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }

# One server of each kind per unit, so a unit that leaves a server in a bad
# state (or kills it) cannot spoil the next unit's count.
start_real() {
  local port=$1
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    --enable-debug-command yes --protected-mode no >"$OUT/real-server.log" 2>&1 &
  pids+=($!)
  wait_ping "$port"
}
start_ours() {
  local port=$1
  "${CARGO_TARGET_DIR:-$ROOT/target}/release/redis-emulator-server" --port "$port" >"$OUT/our-server.log" 2>&1 &
  pids+=($!)
  wait_ping "$port"
}

run_unit() { # kind port unit -> "passed failed status"
  local kind=$1 port=$2 unit=$3
  local copy="$WORK/$kind"
  rm -rf "$copy" && cp -r "$SUITE_SRC" "$copy" && chmod -R u+w "$copy"
  LOGDIR="$OUT/$kind" UNIT_TIMEOUT="${UNIT_TIMEOUT:-300}" "$copy/run-external.sh" 127.0.0.1 "$port" "$unit" |
    tail -n 1 | awk '{print $2, $3, $6}'
}

printf '| %-26s | %-22s | %-22s | %s |\n' unit "redis-server passed/failed" "ours passed/failed" "share"
printf '|%s|%s|%s|%s|\n' "----------------------------" "------------------------" "------------------------" "------"
for unit in "${UNITS[@]}"; do
  rp=$(free_port); start_real "$rp"
  read -r r_pass r_fail r_status < <(run_unit real "$rp" "$unit")
  kill "${pids[-1]}" 2>/dev/null || true
  op=$(free_port); start_ours "$op" || { echo "our server did not start" >&2; exit 1; }
  read -r o_pass o_fail o_status < <(run_unit ours "$op" "$unit")
  kill "${pids[-1]}" 2>/dev/null || true
  share=$(awk -v o="$o_pass" -v r="$r_pass" 'BEGIN { if (r == 0) print "—"; else printf "%.0f %%", 100 * o / r }')
  printf '| %-26s | %-22s | %-22s | %s |\n' "$unit" "$r_pass / $r_fail ($r_status)" "$o_pass / $o_fail ($o_status)" "$share"
done
