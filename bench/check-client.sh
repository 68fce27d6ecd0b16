#!/usr/bin/env bash
# Checks respite-benchmark against redis-benchmark: the same workloads against one redis-server,
# server pinned to one core and each client in turn pinned to the other, alternating for a number
# of rounds, then a Markdown table of median ops/s (and p50) for both clients and their ratio.
#
# This is how we know the load generator measures the server and not itself: where the server is
# the bottleneck the two clients must agree (within 10%); where respite-benchmark reports more, the
# CPU columns show redis-benchmark saturating its own core first.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/lib.sh"
RESPITE_BENCHMARK=${RESPITE_BENCHMARK:-$ROOT/build/respite-benchmark}
REDIS_SERVER=${REDIS_SERVER:-redis-server}
REDIS_BENCHMARK=${REDIS_BENCHMARK:-redis-benchmark}
ROUNDS=3
REQUESTS=1000000
CLIENTS=50
NICE=""
SERVER_CPUS=0
CLIENT_CPUS=1
# label|arguments (both clients take them)
CASES=("SET P16|-t set -P 16" "GET P16|-t get -P 16" "SET P1|-t set -P 1" "GET P1|-t get -P 1")

while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift ;;
    --requests|-n) REQUESTS=$2; shift ;;
    --clients|-c) CLIENTS=$2; shift ;;
    --nice) NICE=$2; shift ;;
    --server-cpus) SERVER_CPUS=$2; shift ;;
    --client-cpus) CLIENT_CPUS=$2; shift ;;
    --case)  # repeatable; the first one replaces the default list
      [ "${CASES_SET:-0}" = 1 ] || CASES=()
      CASES_SET=1
      CASES+=("$2"); shift ;;
    -h|--help)
      echo "Usage: bench/check-client.sh [--rounds N] [--requests N] [--clients N] [--nice N]"
      echo "       [--server-cpus L] [--client-cpus L] [--case 'LABEL|ARGS']"
      exit 0 ;;
    *) echo "check-client.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

[ -x "$RESPITE_BENCHMARK" ] || { echo "no $RESPITE_BENCHMARK (make build)" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/respite-check.XXXXXX")
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
PRIO=()
[ -n "$NICE" ] && PRIO=(nice -n "$NICE")

PORT=$((20000 + RANDOM % 20000))
while [ -n "$(ss -Hltn "sport = :$PORT")" ]; do PORT=$((20000 + RANDOM % 20000)); done
"${PRIO[@]}" taskset -c "$SERVER_CPUS" "$REDIS_SERVER" --port "$PORT" --bind 127.0.0.1 --save '' \
  --appendonly no --dir "$WORK" --logfile "$WORK/redis.log" &
PID=$!
for _ in $(seq 1 100); do
  [ "$(redis-cli -p "$PORT" ping 2>/dev/null)" = PONG ] && break
  sleep 0.1
done

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)

RAW=$WORK/raw   # label client rps p50 client_cpu_s server_cpu_s
for round in $(seq 1 "$ROUNDS"); do
  for c in "${CASES[@]}"; do
    label=${c%%|*}
    args=${c#*|}
    for client in redis-benchmark respite-benchmark; do
      bin=$REDIS_BENCHMARK
      [ "$client" = respite-benchmark ] && bin=$RESPITE_BENCHMARK
      redis-cli -p "$PORT" flushall >/dev/null
      s0=$(ticks "$PID")
      # shellcheck disable=SC2086
      out=$( { /usr/bin/time -f '%U %S' "${PRIO[@]}" taskset -c "$CLIENT_CPUS" "$bin" -p "$PORT" \
               -c "$CLIENTS" -n "$REQUESTS" -r 100000 --csv $args; } 2>"$WORK/time")
      s1=$(ticks "$PID")
      row=$(echo "$out" | tail -n 1 | sed 's/^"//; s/"$//' | awk -F'","' '{print $2, $5}')
      ccpu=$(tail -n 1 "$WORK/time" | awk '{print $1 + $2}')
      scpu=$(awk -v t=$((s1 - s0)) -v hz="$HZ" 'BEGIN {print t / hz}')
      echo "$label|$client|$row|$ccpu|$scpu" >>"$RAW"
      echo "[round $round/$ROUNDS] $label $client: $row (client cpu ${ccpu}s, server cpu ${scpu}s)" >&2
    done
  done
done

col() { awk -F'|' -v l="$1" -v c="$2" '$1 == l && $2 == c {print $3 "|" $4 "|" $5}' "$RAW"; }
pick() { col "$1" "$2" | awk -F'|' -v f="$3" '{split($1, a, " "); v = (f == 1 ? a[1] : f == 2 ? a[2] : f == 3 ? $2 : $3); print v}' | median; }

echo "redis-server $("$REDIS_SERVER" --version | sed 's/.*v=\([^ ]*\).*/\1/') on cpu $SERVER_CPUS, clients on cpu $CLIENT_CPUS; -n $REQUESTS -c $CLIENTS -r 100000; median of $ROUNDS rounds"
echo "(cpu: seconds of CPU per million requests, client / server, during the run with that client)"
echo
echo "| workload | redis-benchmark ops/s | respite-benchmark ops/s | ratio | p50 ms (rb / rsb) | cpu with redis-benchmark | cpu with respite-benchmark |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for c in "${CASES[@]}"; do
  label=${c%%|*}
  a=$(pick "$label" redis-benchmark 1); b=$(pick "$label" respite-benchmark 1)
  ap=$(pick "$label" redis-benchmark 2); bp=$(pick "$label" respite-benchmark 2)
  ac=$(pick "$label" redis-benchmark 3); bc=$(pick "$label" respite-benchmark 3)
  as=$(pick "$label" redis-benchmark 4); bs=$(pick "$label" respite-benchmark 4)
  awk -v l="$label" -v a="$a" -v b="$b" -v ap="$ap" -v bp="$bp" -v ac="$ac" -v bc="$bc" -v as="$as" -v bs="$bs" -v n="$REQUESTS" \
    'BEGIN {m = 1e6 / n; printf "| %s | %.0f | %.0f | %.2f | %.3f / %.3f | %.2f / %.2f | %.2f / %.2f |\n", l, a, b, (a > 0 ? b / a : 0), ap, bp, ac * m, as * m, bc * m, bs * m}'
done
