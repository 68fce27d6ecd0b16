#!/usr/bin/env bash
# What compression costs SET and GET of large values: respite with compression off
# (--compression-threshold 0), compressing in the background (the default) and compressing in the
# write (--compression-background no), in alternating rounds.
#
# Each run starts a fresh respite (--threads 1, pinned to core 0), SETs one JSON-like value
# (default 16 KiB, respite-memload json --size) to random keys over a small keyspace with
# respite-benchmark on core 1, waits until the background compressor has nothing queued, then GETs
# them. The figures are requests per second of the *worker threads'* CPU time (utime + stime of the
# threads named respite-server, from /proc/PID/task/*/stat): what a saturated worker core could
# serve. The compressor thread's CPU (respite-lz4, idle priority) is printed beside them, because
# it is spent too, only on time no worker wanted. Prints the median of each cell.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/lib.sh"
SERVER=${RESPITE_SERVER:-$ROOT/build/respite-server}
BENCH=${RESPITE_BENCHMARK:-$ROOT/build/respite-benchmark}
MEMLOAD=${RESPITE_MEMLOAD:-$ROOT/build/respite-memload}
ROUNDS=3
SIZE=16384
KEYSPACE=1000
SETS=60000
GETS=100000

while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift ;;
    --size) SIZE=$2; shift ;;
    --keyspace) KEYSPACE=$2; shift ;;
    --sets) SETS=$2; shift ;;
    --gets) GETS=$2; shift ;;
    -h | --help)
      echo "Usage: bench/compression.sh [--rounds N] [--size BYTES] [--keyspace N] [--sets N] [--gets N]"
      exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/respite-compression.XXXXXX")
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
"$MEMLOAD" json --index 0 --size "$SIZE" >"$WORK/value"
# CPU ticks (utime + stime) of the server's threads whose name matches $1.
ticks() {
  local t=0 f name rest
  for f in /proc/"$PID"/task/*/stat; do
    name=$(sed 's/^[0-9]* (\(.*\)) .*/\1/' "$f")
    [ "$name" = "$1" ] || continue
    read -ra rest <<<"$(sed 's/^.*) //' "$f")"
    t=$((t + rest[11] + rest[12]))
  done
  echo "$t"
}

# run LABEL ARGS...: prints "set_per_cpu_s get_per_cpu_s lz4_cpu_s".
run() {
  local port; port=$(free_port)
  shift
  taskset -c 0 "$SERVER" --port "$port" --threads 1 "$@" >/dev/null 2>&1 &
  PID=$!
  until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.05; done
  local w0 z0 w1 z1 w2 i hz
  hz=$(getconf CLK_TCK)
  w0=$(ticks respite-server); z0=$(ticks respite-lz4)
  taskset -c 1 "$BENCH" -p "$port" -r "$KEYSPACE" -n "$SETS" -q -x SET key:__rand_int__ <"$WORK/value" >/dev/null
  for i in $(seq 600); do
    [ "$(redis-cli -p "$port" info compression | tr -d '\r' | awk -F: '$1 == "compress_pending" {print $2}')" = 0 ] && break
    sleep 0.1
  done
  w1=$(ticks respite-server); z1=$(ticks respite-lz4)
  taskset -c 1 "$BENCH" -p "$port" -r "$KEYSPACE" -n "$GETS" -q GET key:__rand_int__ >/dev/null
  w2=$(ticks respite-server)
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
  awk -v s="$SETS" -v g="$GETS" -v ws=$((w1 - w0)) -v wg=$((w2 - w1)) -v z=$((z1 - z0)) -v hz="$hz" \
    'BEGIN { printf "%.0f %.0f %.2f\n", s / (ws / hz), g / (wg / hz), z / hz }'
}

declare -A cell
for r in $(seq "$ROUNDS"); do
  for mode in off background inline; do
    case $mode in
      off) out=$(run off --compression-threshold 0) ;;
      background) out=$(run background) ;;
      inline) out=$(run inline --compression-background no) ;;
    esac
    echo "round $r, $mode: SET/s $(cut -d' ' -f1 <<<"$out"), GET/s $(cut -d' ' -f2 <<<"$out") per worker-CPU-second; lz4 thread $(cut -d' ' -f3 <<<"$out") s" >&2
    cell[$mode.set]+="$(cut -d' ' -f1 <<<"$out") "
    cell[$mode.get]+="$(cut -d' ' -f2 <<<"$out") "
  done
done
echo "$SIZE-byte JSON values, $KEYSPACE keys, medians of $ROUNDS rounds, requests per worker-CPU-second"
echo
echo "| compression | SET | GET | SET vs off | GET vs off |"
echo "|---|---:|---:|---:|---:|"
so=$(echo "${cell[off.set]}" | median); go=$(echo "${cell[off.get]}" | median)
for mode in off background inline; do
  s=$(echo "${cell[$mode.set]}" | median); g=$(echo "${cell[$mode.get]}" | median)
  echo "| $mode | $s | $g | $(awk -v a="$s" -v b="$so" 'BEGIN {printf "%.2f", a / b}') | $(awk -v a="$g" -v b="$go" 'BEGIN {printf "%.2f", a / b}') |"
done
