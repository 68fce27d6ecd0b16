#!/usr/bin/env bash
# Runs stall_bench (the worst lock-free lookup time while a shard grows) for each key count, a few
# times each, with the loader and the prober on different cores, and prints one line per run.
#
#   bench/micro/stall.sh [--build DIR] [--keys 1e6,1e7] [--runs 3] [--rt] [-- stall_bench options]
#
# On a shared machine, lookups over 1 ms that did not overlap a resize are the noise floor
# (preemption), which the output shows apart ("not across a resize"). --rt runs the benchmark
# under SCHED_FIFO (chrt -f 10, needs root) so that other processes cannot preempt it; the kernel's
# RT throttling (sched_rt_runtime_us, 950 ms per second by default) still pauses it for up to 50 ms
# each second, which is then the noise floor.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
KEYS="1e6,1e7"
RUNS=3
CPUS=${CPUS:-0,1}
PREFIX=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$2; shift ;;
    --keys) KEYS=$2; shift ;;
    --runs) RUNS=$2; shift ;;
    --rt) PREFIX=(chrt -f 10) ;;
    --) shift; break ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "stall.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

BIN=$BUILD/bench/micro/stall_bench
if [ ! -x "$BIN" ]; then
  echo "stall.sh: no $BIN (cmake --build $BUILD --target stall_bench)" >&2
  exit 1
fi
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
echo "# stall_bench, $(date -u '+%Y-%m-%d'), commit $COMMIT, $(nproc) CPUs, taskset -c $CPUS," \
  "${PREFIX[*]:-normal priority}, load average $(cut -d' ' -f1-3 /proc/loadavg)"
IFS=',' read -r -a key_list <<<"$KEYS"
for n in "${key_list[@]}"; do
  for _ in $(seq 1 "$RUNS"); do
    "${PREFIX[@]}" taskset -c "$CPUS" "$BIN" --keys "$n" --pin "$@"
  done
done
