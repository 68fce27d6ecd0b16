#!/usr/bin/env bash
# User-space instructions per request of respite and redis-server, counted by callgrind.
#
# design.md's steadiest figure: ops/s on a shared two-core machine wanders by a quarter between
# identical runs, instruction counts by about 2%. Each server runs under `valgrind --tool=callgrind`
# (pinned like in compare.sh); after start-up and a preload of the keyspace the counters are zeroed,
# one workload is run with respite-benchmark, the counters are dumped, and the total is divided by
# the number of requests. Start-up, preload and the client are not counted; everything the server
# does in user space for those requests is (parsing, dispatch, the store, replies, the event loop),
# while the kernel's share (syscalls, TCP) is not: use compare.sh or `perf stat` for that.
#
# The dumps are kept with --keep DIR for callgrind_annotate, which shows where the instructions go.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/lib.sh"
RESPITE_SERVER=${RESPITE_SERVER:-$ROOT/build/respite-server}
RESPITE_BENCHMARK=${RESPITE_BENCHMARK:-$ROOT/build/respite-benchmark}
REDIS_SERVER=${REDIS_SERVER:-redis-server}
REQUESTS=100000
KEYS=100000
CLIENTS=50
PIPELINES="16,1"
TESTS="get,set"
# The evalsha test's script, as compare.sh's evalsha workloads run it.
EVAL_BODY="redis.call('incr', KEYS[1]); return redis.call('expire', KEYS[1], ARGV[1])"
SERVERS="respite,redis"
KEEP=""
TOP=12

while [ $# -gt 0 ]; do
  case "$1" in
    --requests|-n) REQUESTS=$2; shift ;;
    --keys) KEYS=$2; shift ;;
    --clients|-c) CLIENTS=$2; shift ;;
    --pipelines) PIPELINES=$2; shift ;;
    --tests) TESTS=$2; shift ;;
    --servers) SERVERS=$2; shift ;;
    --keep) KEEP=$2; shift ;;
    --top) TOP=$2; shift ;;
    -h|--help)
      cat <<EOF
Usage: bench/instructions.sh [--requests N] [--keys N] [--clients N] [--pipelines 16,1]
                             [--tests get,set] [--servers respite,redis] [--keep DIR] [--top N]
Prints a Markdown table of callgrind instructions (Ir) per request for each test (default get and
set; also lpush, lpop, sadd, hset, zadd, lrange_100, lrange_600) at each pipeline depth, per
server, then each workload's top N functions by their own instructions per request (default $TOP;
0: none). --keep DIR keeps the callgrind dumps for callgrind_annotate.
Environment: RESPITE_SERVER, RESPITE_BENCHMARK, REDIS_SERVER, RESPITE_ARGS.
EOF
      exit 0 ;;
    *) echo "instructions.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

die() { echo "instructions.sh: $*" >&2; exit 1; }
command -v valgrind >/dev/null || die "no valgrind (scripts/install-deps.sh --bench installs it)"
command -v callgrind_control >/dev/null || die "no callgrind_control (valgrind)"
[ -x "$RESPITE_BENCHMARK" ] || die "no $RESPITE_BENCHMARK (make build)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/respite-callgrind.XXXXXX")
PID=""
stop() {
  if [ -n "$PID" ]; then
    kill "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    PID=""
  fi
}
cleanup() { stop; rm -rf "$WORK"; }
trap cleanup EXIT


# Ir in a callgrind dump: the "summary:" (or "totals:") line.
ir_of() { awk '/^(summary|totals):/ {print $2; exit}' "$1"; }

# self_cost FILE: "Ir function" per function, its own instructions only (not its callees'). Reads
# the dump format directly: callgrind_annotate attributes everything to the thread's entry point
# in dumps taken after a zeroing. Names are compressed: "(id) name" defines an id, "(id)" uses it,
# in fn= and cfn= lines alike; the cost line after calls= is the callee's and is skipped.
self_cost() {
  awk '
    function name_of(s,   id) {
      if (match(s, /^\([0-9]+\) /)) { id = substr(s, 1, RLENGTH - 1); names[id] = substr(s, RLENGTH + 1); return names[id] }
      if (match(s, /^\([0-9]+\)$/)) return names[s]
      return s
    }
    /^fn=/ { cur = name_of(substr($0, 4)); next }
    /^cfn=/ { name_of(substr($0, 5)); next }
    /^calls=/ { skip = 1; next }
    /^[0-9+*-]/ { if (skip) { skip = 0; next } if (split($0, a, " ") >= 2) self[cur] += a[2]; next }
    END { for (f in self) printf "%d %s\n", self[f], f }' "$1"
}

# dump SERVER TAG: asks callgrind for a dump and prints the new file's name once it is there.
dump() {
  local before after
  before=$(find "$WORK/$1" -name 'callgrind.out*' | wc -l)
  callgrind_control -d "$2" "$PID" >/dev/null 2>&1
  for _ in $(seq 1 300); do
    after=$(find "$WORK/$1" -name 'callgrind.out*' | wc -l)
    [ "$after" -gt "$before" ] && break
    sleep 0.1
  done
  # shellcheck disable=SC2012  # our own file names: plain
  ls -t "$WORK/$1"/callgrind.out* | head -n 1
}

RESULTS=$WORK/results  # server|workload|ir_per_request
: >"$RESULTS"
IFS=',' read -r -a server_list <<<"$SERVERS"
IFS=',' read -r -a pipeline_list <<<"$PIPELINES"
IFS=',' read -r -a test_list <<<"${TESTS,,}"
for server in "${server_list[@]}"; do
  case "$server" in
    respite) bin=$RESPITE_SERVER ;;
    redis) bin=$(command -v "$REDIS_SERVER") ;;
    *) die "unknown server $server" ;;
  esac
  [ -x "$bin" ] || die "no $server server at $bin"
  port=$(free_port)
  mkdir -p "$WORK/$server"
  if is_redis_binary "$bin"; then
    args=(--port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK/$server")
  else
    # shellcheck disable=SC2206
    args=(--port "$port" --threads 1 --bind 127.0.0.1 ${RESPITE_ARGS:-})
  fi
  (cd "$WORK/$server" && exec taskset -c 0 valgrind --tool=callgrind \
     --callgrind-out-file="$WORK/$server/callgrind.out" "$bin" "${args[@]}") \
     >"$WORK/$server/server.log" 2>&1 &
  PID=$!
  up=0
  for _ in $(seq 1 600); do
    if [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ]; then up=1; break; fi
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
  done
  [ "$up" = 1 ] || { tail -n 20 "$WORK/$server/server.log" >&2; die "$server did not start under valgrind"; }
  echo "$server: up under callgrind on port $port" >&2
  "$RESPITE_BENCHMARK" -p "$port" -c "$CLIENTS" -P 16 -n "$KEYS" -r "$KEYS" \
    --key-pattern sequential -t set -q >/dev/null
  for p in "${pipeline_list[@]}"; do
    for t in "${test_list[@]}"; do
      # What each test measures, and the state it needs first (not counted: the counters are
      # zeroed after it). LRANGE runs as a plain command, so that the LPUSH redis-benchmark's
      # LRANGE tests start with is not counted as part of it.
      measure=(-t "$t")
      case "$t" in
        lpop) "$RESPITE_BENCHMARK" -p "$port" -c "$CLIENTS" -P 16 -n "$REQUESTS" -t lpush -q \
                >/dev/null ;;
        lrange_*)
          "$RESPITE_BENCHMARK" -p "$port" -c 1 -P 16 -n 600 -q LPUSH mylist __rand_int__ >/dev/null
          measure=(LRANGE mylist 0 $((${t#lrange_} - 1))) ;;
        evalsha)  # compare.sh's script (INCR, then EXPIRE) on counters of their own (the preloaded keys hold text)
          sha=$(redis-cli -p "$port" script load "$EVAL_BODY")
          "$RESPITE_BENCHMARK" -p "$port" -c 4 -n 1000 -q EVALSHA "$sha" 1 ctr:__rand_int__ 60 \
            >/dev/null
          measure=(EVALSHA "$sha" 1 ctr:__rand_int__ 60) ;;
      esac
      callgrind_control -z "$PID" >/dev/null 2>&1
      out=$(taskset -c 1 "$RESPITE_BENCHMARK" -p "$port" -c "$CLIENTS" -P "$p" -n "$REQUESTS" \
              -r "$KEYS" -q "${measure[@]}" 2>&1)
      if grep -q 'replies were errors' <<<"$out"; then
        echo "$server: ${t^^} P$p: the server answered with errors: $(head -c 300 <<<"$out")" >&2
        echo "$server|${t^^} P$p|errors" >>"$RESULTS"
        continue
      fi
      file=$(dump "$server" "${t}-p$p")
      ir=$(ir_of "$file")
      per=$(awk -v ir="$ir" -v n="$REQUESTS" 'BEGIN {printf "%.0f", ir / n}')
      echo "$server: ${t^^} P$p: $per instructions per request" >&2
      echo "$server|${t^^} P$p|$per" >>"$RESULTS"
      if [ "$TOP" -gt 0 ]; then
        self_cost "$file" | sort -rn | awk -v top="$TOP" 'NR <= top' |
          awk -v n="$REQUESTS" '{c = $1; $1 = ""; sub(/^ /, ""); gsub(/\(anonymous namespace\)/, "{anon}"); sub(/\(.*/, "()"); printf "| %.0f | `%s` |\n", c / n, $0}' \
          >"$WORK/top.$server.$t.$p"
      fi
    done
  done
  if [ -n "$KEEP" ]; then
    mkdir -p "$KEEP"
    for f in "$WORK/$server"/callgrind.out*; do
      [ -e "$f" ] && cp "$f" "$KEEP/callgrind.$server${f##*callgrind.out}"
    done
  fi
  stop
done

val() { awk -F'|' -v s="$1" -v w="$2" '$1 == s && $2 == w {print $3}' "$RESULTS"; }
echo "callgrind Ir per request (user space, server only); -n $REQUESTS -c $CLIENTS -r $KEYS; $(date -u '+%Y-%m-%d'), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo
echo "| workload | respite | redis-server | respite/redis |"
echo "|---|---:|---:|---:|"
for p in "${pipeline_list[@]}"; do
  for t in "${test_list[@]}"; do
    t=${t^^}
    a=$(val respite "$t P$p"); b=$(val redis "$t P$p")
    awk -v w="$t P$p" -v a="${a:-n/a}" -v b="${b:-n/a}" 'BEGIN {
      r = (a ~ /^[0-9]+$/ && b ~ /^[0-9]+$/ && b > 0) ? sprintf("%.2f", a / b) : "—"
      printf "| %s | %s | %s | %s |\n", w, a, b, r }'
  done
done

if [ "$TOP" -gt 0 ]; then
  for server in "${server_list[@]}"; do
    for p in "${pipeline_list[@]}"; do
      for t in "${test_list[@]}"; do
        [ -s "$WORK/top.$server.$t.$p" ] || continue
        echo
        echo "$server, ${t^^} P$p: top $TOP functions by their own instructions per request"
        echo
        echo "| Ir/req | function |"
        echo "|---:|---|"
        cat "$WORK/top.$server.$t.$p"
      done
    done
  done
fi
