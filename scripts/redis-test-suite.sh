#!/usr/bin/env bash
# Runs Redis 7.0.15's own Tcl test suite (../shared/redis-tests-7.0.15, BSD-3) against a real
# redis-server and against our server, unit by unit, and prints both counts side by side: how many
# of the cases that redis-server passes in this mode our server passes too.
#
#   scripts/redis-test-suite.sh [UNIT...]           compare: every unit an external server can take
#   scripts/redis-test-suite.sh --check [UNIT...]   ours only; exit 1 when a unit passes fewer cases
#                                                   than its floor in scripts/redis-test-suite.floors,
#                                                   aborts (exception) or hangs (UNIT_TIMEOUT, s)
#
# Both servers run on free loopback ports with the same settings; each unit runs on a fresh copy of
# the suite (the harness writes into it), with a fresh server of each kind; in compare mode the two
# kinds run side by side. The server binary and the logs live under $CARGO_TARGET_DIR (default
# target/): release/redis-emulator-server, redis-test-suite/{real,ours}/<unit>.log.
# Needs tclsh (Debian's tcl, installed if missing) and redis-server.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
SUITE_SRC="${REDIS_TESTS:-$ROOT/../shared/redis-tests-7.0.15}"
[ -d "$SUITE_SRC" ] || { echo "no test suite at $SUITE_SRC (set REDIS_TESTS)" >&2; exit 2; }
FLOORS="${SUITE_FLOORS:-$ROOT/scripts/redis-test-suite.floors}"

CHECK=0
if [ "${1:-}" = --check ]; then CHECK=1; shift; fi

need=()
command -v tclsh >/dev/null 2>&1 || need+=(tcl)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ "${#need[@]}" -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

UNITS=("$@")
if [ "${#UNITS[@]}" -eq 0 ]; then
  if [ "$CHECK" = 1 ]; then
    mapfile -t UNITS < <(awk '!/^#/ && NF >= 2 {print $1}' "$FLOORS")
  else
    UNITS=(unit/type/string unit/type/incr unit/type/list unit/type/list-2 unit/type/list-3 unit/type/set
      unit/type/zset unit/type/hash unit/type/stream unit/type/stream-cgroups unit/expire unit/keyspace
      unit/bitops unit/bitfield unit/hyperloglog unit/geo unit/multi unit/pubsub unit/pubsubshard
      unit/scripting unit/functions unit/scan unit/sort unit/info unit/info-command unit/introspection
      unit/introspection-2 unit/acl unit/acl-v2 unit/auth unit/tracking unit/dump unit/latency-monitor
      unit/protocol unit/querybuf unit/slowlog unit/maxmemory unit/lazyfree unit/limits unit/other
      unit/pause)
  fi
fi

TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET/release/redis-emulator-server"
cargo build --release -q -p redis-emulator-server
OUT="${SUITE_OUT:-$TARGET/redis-test-suite}"
rm -rf "$OUT" && mkdir -p "$OUT"
WORK="$(mktemp -d)"
cp "$BIN" "$WORK/server" && BIN="$WORK/server" # a rebuild during the run does not change what is measured
pids=()
cleanup() { [ "${#pids[@]}" -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ping() { for _ in $(seq 100); do redis-cli -p "$1" PING >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }

start_server() { # kind port; leaves the pid in $server_pid
  local kind=$1 port=$2
  if [ "$kind" = real ]; then
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
      --enable-debug-command yes --protected-mode no >>"$OUT/real-server.log" 2>&1 &
  else
    "$BIN" --port "$port" >>"$OUT/our-server.log" 2>&1 &
  fi
  server_pid=$!
  pids+=("$server_pid")
  wait_ping "$port"
}

# kind unit -> writes "passed failed wall_s status" to $WORK/<kind>.result
run_unit() {
  local kind=$1 unit=$2 port server_pid
  port=$(free_port)
  if ! start_server "$kind" "$port"; then echo "0 0 0 NOSTART" >"$WORK/$kind.result"; return; fi
  local copy="$WORK/$kind"
  rm -rf "$copy" && cp -r "$SUITE_SRC" "$copy" && chmod -R u+w "$copy"
  # The harness listens on ports below its --baseport: separate ranges for the two kinds.
  local base=21111
  [ "$kind" = real ] || base=31111
  EXTRA="--ignore-encoding --baseport $base --portcount 1000" \
    LOGDIR="$OUT/$kind" UNIT_TIMEOUT="${UNIT_TIMEOUT:-300}" "$copy/run-external.sh" 127.0.0.1 "$port" "$unit" |
    tail -n 1 | awk '{print $2, $3, $5, $6}' >"$WORK/$kind.result"
  kill "$server_pid" 2>/dev/null || true
}

floor_of() { [ ! -f "$FLOORS" ] || awk -v u="$1" '$1 == u {print $2}' "$FLOORS"; }

bad=0
if [ "$CHECK" = 1 ]; then
  printf '| %-26s | %-6s | %-6s | %-6s | %s\n' unit ours floor secs status
  printf '|%s|%s|%s|%s|%s\n' "----------------------------" "--------" "--------" "--------" "--------"
else
  printf '| %-26s | %-6s | %-6s | %-5s | %-5s | %s\n' unit redis ours % floor "ours: failed, status, secs"
  printf '|%s|%s|%s|%s|%s|%s\n' "----------------------------" "--------" "--------" "-------" "-------" "------"
fi
for unit in "${UNITS[@]}"; do
  floor=$(floor_of "$unit")
  if [ "$CHECK" = 1 ]; then
    run_unit ours "$unit"
    read -r o_pass o_fail o_secs o_status <"$WORK/ours.result"
    verdict=ok
    if [ "$o_status" != done ]; then verdict="FAIL ($o_status)"
    elif [ -z "$floor" ]; then verdict="FAIL (no floor)"
    elif [ "$o_pass" -lt "$floor" ]; then verdict="FAIL (below floor)"; fi
    [ "$verdict" = ok ] || bad=1
    printf '| %-26s | %-6s | %-6s | %-6s | %s\n' "$unit" "$o_pass" "${floor:-—}" "$o_secs" "$verdict"
  else
    run_unit real "$unit" &
    real_job=$!
    run_unit ours "$unit"
    wait "$real_job" || true
    read -r r_pass r_fail r_secs r_status <"$WORK/real.result"
    read -r o_pass o_fail o_secs o_status <"$WORK/ours.result"
    share=$(awk -v o="$o_pass" -v r="$r_pass" 'BEGIN { if (r == 0) print "—"; else printf "%.0f %%", 100 * o / r }')
    printf '| %-26s | %-6s | %-6s | %-5s | %-5s | %s\n' "$unit" "$r_pass" "$o_pass" "$share" "${floor:-—}" \
      "$o_fail, $o_status, ${o_secs}s"
  fi
done
exit "$bad"
