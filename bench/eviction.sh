#!/usr/bin/env bash
# SET throughput with maxmemory reached (every SET evicts) against not reached, in the same run, for
# respite and for Debian's redis-server.
#
# For each server and each of the two cases, rounds alternate (respite reached, respite not, redis
# reached, redis not, then again) so that drifting machine load hits all alike. "Reached": the
# server runs with maxmemory (default 64mb) and allkeys-lru and is first filled past the limit, so
# every measured SET evicts. "Not reached": the same server binary with no limit, preloaded with the
# same keys. Each measured run is respite-benchmark SET of random keys over a keyspace far larger
# than fits, with the server on one core and the client on the other (taskset). Prints the median
# requests per second of each cell and the reached/not ratio per server.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/lib.sh"
RESPITE_SERVER=${RESPITE_SERVER:-$ROOT/build/respite-server}
BENCH=${RESPITE_BENCHMARK:-$ROOT/build/respite-benchmark}
REDIS_SERVER=${REDIS_SERVER:-redis-server}

ROUNDS=3
REQUESTS=300000
VALUE=100
KEYSPACE=5000000
MAXMEMORY=64mb
PIPELINE=16
SERVERS=respite,redis
SERVER_CPU=0
CLIENT_CPU=1

usage() {
  cat <<USAGE
Usage: bench/eviction.sh [--rounds N] [--requests N] [--value BYTES] [--keyspace N]
                         [--maxmemory SIZE] [--pipeline N] [--servers respite,redis]
SET requests/s with maxmemory reached (every SET evicts, allkeys-lru) vs not reached, same run.
USAGE
}
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift ;;
    --requests) REQUESTS=$2; shift ;;
    --value) VALUE=$2; shift ;;
    --keyspace) KEYSPACE=$2; shift ;;
    --maxmemory) MAXMEMORY=$2; shift ;;
    --pipeline) PIPELINE=$2; shift ;;
    --servers) SERVERS=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null || true; }
trap cleanup EXIT

# run SERVER CASE: one measured SET run; prints requests per second.
run() {
  local server=$1 case=$2 port limit=()
  port=$(free_port)
  [ "$case" = reached ] && limit=(--maxmemory "$MAXMEMORY" --maxmemory-policy allkeys-lru)
  if [ "$server" = respite ]; then
    taskset -c "$SERVER_CPU" "$RESPITE_SERVER" --port "$port" --threads 1 "${limit[@]}" >/dev/null 2>&1 &
  else
    taskset -c "$SERVER_CPU" "$REDIS_SERVER" --port "$port" --save "" --appendonly no "${limit[@]}" >/dev/null 2>&1 &
  fi
  PID=$!
  until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.05; done
  # Preload past the limit (the same keys for both cases), so that every measured SET evicts.
  taskset -c "$CLIENT_CPU" "$BENCH" -p "$port" -t set -r "$KEYSPACE" -d "$VALUE" -n 1000000 -P 64 -q >/dev/null
  local out
  out=$(taskset -c "$CLIENT_CPU" "$BENCH" -p "$port" -t set -r "$KEYSPACE" -d "$VALUE" -n "$REQUESTS" -P "$PIPELINE" -q)
  local evicted
  evicted=$(redis-cli -p "$port" info stats | tr -d '\r' | awk -F: '$1 == "evicted_keys" {print $2}')
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
  echo "$out" | grep -o '[0-9.]* requests per second' | cut -d' ' -f1 | tr '\n' ' '
  echo "$evicted"
}

declare -A results
IFS=, read -ra SERVER_LIST <<<"$SERVERS"
for r in $(seq "$ROUNDS"); do
  for server in "${SERVER_LIST[@]}"; do
    for case in reached not; do
      read -r rps evicted <<<"$(run "$server" "$case")"
      echo "round $r: $server, maxmemory $case: $rps SET/s (evicted_keys $evicted)" >&2
      results[$server.$case]+="$rps "
    done
  done
done

echo "SET, ${VALUE}-byte values, random keys over $KEYSPACE, pipeline $PIPELINE, medians of $ROUNDS rounds;"
echo "reached: maxmemory $MAXMEMORY allkeys-lru, filled past it first (every SET evicts)"
echo
echo "| server | maxmemory reached SET/s | not reached SET/s | reached / not |"
echo "|---|---:|---:|---:|"
for server in "${SERVER_LIST[@]}"; do
  a=$(echo "${results[$server.reached]}" | median); b=$(echo "${results[$server.not]}" | median)
  echo "| $server | $a | $b | $(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2f", a / b}') |"
done
