#!/usr/bin/env bash
# Side-by-side comparison of respite and Debian's redis-server on this machine.
#
# Starts both servers on free loopback ports, pinned to the same core(s), and drives each with the
# same client pinned to the other core(s), workload by workload, alternating between the servers
# (respite, redis, respite, redis, ...) for a number of rounds so that drifting machine load hits
# both alike. Every measured run starts from an empty keyspace (FLUSHALL) plus the preload the
# workload needs, so neither server inherits the other's state or its own from a previous run.
# Prints a Markdown table of medians over the rounds and keeps the raw numbers as JSON under
# bench/results/ (one file per run, named by date), then draws bench/results/latest.png.
#
# The client is respite-benchmark for both servers (one client for both is what makes the numbers
# comparable); --client redis-benchmark uses the real one instead, for every workload it can run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/lib.sh"
RESPITE_SERVER=${RESPITE_SERVER:-$ROOT/build/respite-server}
RESPITE_BENCHMARK=${RESPITE_BENCHMARK:-$ROOT/build/respite-benchmark}
REDIS_SERVER=${REDIS_SERVER:-redis-server}
REDIS_BENCHMARK=${REDIS_BENCHMARK:-redis-benchmark}

ROUNDS=3
REQUESTS=200000
PIPELINED_FACTOR=5
CLIENTS=50
KEYS=100000
PIPELINE=16
THREADS=1
CLIENT=respite-benchmark
WORKLOADS=all
SERVER_CPUS=""
CLIENT_CPUS=""
OUT_DIR=$ROOT/bench/results
NICE=""
PLOT=1

usage() {
  cat <<EOF
Usage: bench/compare.sh [options]

Compares respite (\$RESPITE_SERVER, default build/respite-server) with redis-server on this machine
and prints a Markdown table of medians: ops/s, their ratio, p50 and p99 for both.

Options:
  --rounds N          rounds of alternation, each workload once per server per round (default $ROUNDS)
  --requests N        requests per measured run at pipeline 1 (-n; default $REQUESTS); pipelined
                      workloads run $PIPELINED_FACTOR times as many so that they last long enough
  --clients N         connections (-c; default $CLIENTS)
  --keys N            keyspace of __rand_int__ keys (-r; default $KEYS)
  --pipeline N        pipeline of the workloads not named P1/P16 (default $PIPELINE)
  --threads N         respite with --threads N against redis-server with --io-threads N
                      (and io-threads-do-reads); the client gets N event loops (default $THREADS)
  --client NAME       respite-benchmark (default) or redis-benchmark
  --workloads LIST    comma-separated ids (default: all): $(workload_ids | tr '\n' ' ')
  --server-cpus LIST  taskset list for both servers (default 0, or 0..N-1 with --threads N)
  --client-cpus LIST  taskset list for the client (default: the next core after the servers')
  --nice N            run servers and client at this nice level (negative needs root): shields
                      the measurement from other work on a shared machine
  --out DIR           where the JSON, Markdown and PNG go (default bench/results)
  --no-plot           skip bench/plot
  -h, --help          this text

Environment: RESPITE_SERVER, RESPITE_BENCHMARK (default build/respite-benchmark), REDIS_SERVER,
REDIS_BENCHMARK, RESPITE_ARGS (extra arguments for respite-server).
EOF
}

# The script of the evalsha workloads (what rate limiters and caches send): INCR, then EXPIRE.
EVAL_BODY="redis.call('incr', KEYS[1]); return redis.call('expire', KEYS[1], ARGV[1])"
EVAL_SHA=$(printf '%s' "$EVAL_BODY" | sha1sum | cut -d' ' -f1)

# id|label|client arguments|preload (keys:<bytes>, list, stream, subs:N, script, geo, hll:N or
# bitmap:<bytes>)|pipeline[|requests]
# The optional last field fixes a workload's request count, for commands too slow for the default
# (BITCOUNT over 1 MiB takes tens to hundreds of microseconds a call).
# The stream workloads use `1-*` IDs (the one ID form that is both valid for every XADD and not a
# glob that could match a file when the arguments are split); xreadgroup reads a stream preloaded
# with one entry per request through group g, so that every read delivers an entry.
# The mixed and multi workloads need respite-benchmark (--ratio, -t multi); they are skipped with
# --client redis-benchmark. publish runs with 10 redis-cli subscribers on the client's core, started
# before and stopped after each measured run.
workload_table() {
  cat <<EOF
set-p1|SET P1|-t set -P 1||1
get-p1|GET P1|-t get -P 1|keys:3|1
set-p16|SET P16|-t set -P 16||16
get-p16|GET P16|-t get -P 16|keys:3|16
get-1k|GET 1KiB|-t get -d 1024 -P $PIPELINE|keys:1024|$PIPELINE
incr|INCR|-t incr -P $PIPELINE||$PIPELINE
lpush|LPUSH|-t lpush -P $PIPELINE||$PIPELINE
lpop|LPOP|-t lpop -P $PIPELINE|list|$PIPELINE
sadd|SADD|-t sadd -P $PIPELINE||$PIPELINE
hset|HSET|-t hset -P $PIPELINE||$PIPELINE
zadd|ZADD|-t zadd -P $PIPELINE||$PIPELINE
lrange100|LRANGE_100|-t lrange_100 -P $PIPELINE||$PIPELINE
lrange600|LRANGE_600|-t lrange_600 -P $PIPELINE||$PIPELINE
mset|MSET (10 keys)|-t mset -P $PIPELINE||$PIPELINE
mix|SET:GET 1:10 zipf|--ratio 1:10 --key-pattern zipf -P $PIPELINE|keys:3|$PIPELINE
multi|MULTI/SET/EXEC|-t multi -P $PIPELINE||$PIPELINE
publish|PUBLISH, 10 subscribers|-P $PIPELINE PUBLISH bench __rand_int__|subs:10|$PIPELINE
evalsha-p1|EVALSHA INCR+EXPIRE P1|-P 1 EVALSHA $EVAL_SHA 1 key:__rand_int__ 60|script|1
evalsha-p16|EVALSHA INCR+EXPIRE P16|-P 16 EVALSHA $EVAL_SHA 1 key:__rand_int__ 60|script|16
pfadd|PFADD|-P $PIPELINE PFADD hll __rand_int__||$PIPELINE
pfcount|PFCOUNT|-P $PIPELINE PFCOUNT hll|hll:$KEYS|$PIPELINE
bitcount-1m|BITCOUNT 1 MiB|-P 1 BITCOUNT bitmap|bitmap:1048576|1|20000
geosearch|GEOSEARCH 20 km COUNT 10 of 10k points|-P $PIPELINE GEOSEARCH geo FROMLONLAT 13.4 38.1 BYRADIUS 20 km COUNT 10 ASC|geo|$PIPELINE
xadd|XADD MAXLEN ~ 100k|-P $PIPELINE XADD bench MAXLEN ~ 100000 1-* field __rand_int__||$PIPELINE
xreadgroup|XREADGROUP COUNT 1|-P $PIPELINE XREADGROUP GROUP g c1 COUNT 1 STREAMS bench >|stream|$PIPELINE
EOF
}
workload_ids() { workload_table | cut -d'|' -f1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift ;;
    --requests|-n) REQUESTS=$2; shift ;;
    --clients|-c) CLIENTS=$2; shift ;;
    --keys) KEYS=$2; shift ;;
    --pipeline) PIPELINE=$2; shift ;;
    --threads) THREADS=$2; shift ;;
    --client) CLIENT=$2; shift ;;
    --workloads) WORKLOADS=$2; shift ;;
    --server-cpus) SERVER_CPUS=$2; shift ;;
    --client-cpus) CLIENT_CPUS=$2; shift ;;
    --nice) NICE=$2; shift ;;
    --out) OUT_DIR=$2; shift ;;
    --no-plot) PLOT=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "compare.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

die() { echo "compare.sh: $*" >&2; exit 1; }
log() { echo "$*" >&2; }

case "$CLIENT" in
  respite-benchmark) CLIENT_BIN=$RESPITE_BENCHMARK ;;
  redis-benchmark) CLIENT_BIN=$REDIS_BENCHMARK ;;
  *) die "--client must be respite-benchmark or redis-benchmark" ;;
esac
for n in "$ROUNDS" "$REQUESTS" "$CLIENTS" "$KEYS" "$PIPELINE" "$THREADS"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "not a positive number: $n"
done
[ -x "$RESPITE_SERVER" ] || die "no respite server at $RESPITE_SERVER (make build, or set RESPITE_SERVER)"
[ -x "$RESPITE_BENCHMARK" ] || die "no respite-benchmark at $RESPITE_BENCHMARK (make build, or set RESPITE_BENCHMARK)"
command -v "$REDIS_SERVER" >/dev/null || die "no $REDIS_SERVER (scripts/install-deps.sh installs it)"
command -v "$CLIENT_BIN" >/dev/null || die "no client $CLIENT_BIN"
command -v redis-cli >/dev/null || die "no redis-cli (scripts/install-deps.sh installs redis-tools)"
command -v taskset >/dev/null || die "no taskset (util-linux)"

CORES=$(nproc)
if [ -z "$SERVER_CPUS" ]; then
  SERVER_CPUS=0
  [ "$THREADS" -gt 1 ] && SERVER_CPUS="0-$((THREADS - 1))"
fi
if [ -z "$CLIENT_CPUS" ]; then
  first=$THREADS
  [ "$first" -ge "$CORES" ] && first=$((CORES - 1))
  last=$((first + THREADS - 1))
  [ "$last" -ge "$CORES" ] && last=$((CORES - 1))
  CLIENT_CPUS=$first
  [ "$last" -gt "$first" ] && CLIENT_CPUS="$first-$last"
  [ "$THREADS" -ge "$CORES" ] && log "warning: $CORES cores: client core $CLIENT_CPUS is shared with the servers"
fi

# Selected workloads, in table order.
SELECTED=()
while IFS= read -r line; do
  id=${line%%|*}
  if [ "$WORKLOADS" = all ] || [[ ",$WORKLOADS," == *",$id,"* ]]; then SELECTED+=("$line"); fi
done < <(workload_table)
[ ${#SELECTED[@]} -gt 0 ] || die "no workload matches --workloads $WORKLOADS"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/respite-compare.XXXXXX")
PIDS=()
SUB_PIDS=()  # publish workload's subscribers (preload subs:N)
cleanup() {
  for pid in "${SUB_PIDS[@]}" "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PRIO=()
[ -n "$NICE" ] && PRIO=(nice -n "$NICE")



# start_server NAME BINARY PORT: starts it pinned, waits until it answers PING.
start_server() {
  local name=$1 bin=$2 port=$3 args
  mkdir -p "$WORK/$name"
  if is_redis_binary "$bin"; then
    args=(--port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK/$name"
          --logfile "$WORK/$name/server.log")
    [ "$THREADS" -gt 1 ] && args+=(--io-threads "$THREADS" --io-threads-do-reads yes)
  else
    # shellcheck disable=SC2206  # RESPITE_ARGS is a word list on purpose
    args=(--port "$port" --threads "$THREADS" --bind 127.0.0.1 ${RESPITE_ARGS:-})
  fi
  (cd "$WORK/$name" && exec "${PRIO[@]}" taskset -c "$SERVER_CPUS" "$bin" "${args[@]}") \
    >"$WORK/$name/stdout.log" 2>&1 &
  PIDS+=($!)
  local pid=$!
  for _ in $(seq 1 100); do
    if [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ]; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { cat "$WORK/$name"/*.log >&2; die "$name exited at start"; }
    sleep 0.1
  done
  die "$name did not answer PING on port $port within 10 s"
}

RESPITE_PORT=$(free_port)
start_server respite "$RESPITE_SERVER" "$RESPITE_PORT"
REDIS_PORT=$(free_port "$RESPITE_PORT")
start_server redis "$(command -v "$REDIS_SERVER")" "$REDIS_PORT"
log "respite: $RESPITE_SERVER on port $RESPITE_PORT; redis: $(command -v "$REDIS_SERVER") on port $REDIS_PORT"
log "servers on cpu $SERVER_CPUS, client ($CLIENT) on cpu $CLIENT_CPUS; $ROUNDS rounds, -n $REQUESTS (x$PIPELINED_FACTOR pipelined) -c $CLIENTS -r $KEYS"

CLIENT_THREADS=()
[ "$THREADS" -gt 1 ] && CLIENT_THREADS=(--threads "$THREADS")

# preload PORT SPEC: the state a workload reads from, written with respite-benchmark (not timed).
preload() {
  local port=$1 spec=$2
  case "$spec" in
    keys:*)
      "$RESPITE_BENCHMARK" -p "$port" -c "$CLIENTS" -P 16 -n "$KEYS" -r "$KEYS" \
        --key-pattern sequential -d "${spec#keys:}" -t set -q >/dev/null ;;
    list:*)  # as many elements as the measured run pops
      "$RESPITE_BENCHMARK" -p "$port" -c "$CLIENTS" -P 16 -n "${spec#list:}" -t lpush -q >/dev/null ;;
    hll:*)  # one HyperLogLog, "hll", of about N distinct elements (dense), its count cached
      "$RESPITE_BENCHMARK" -p "$port" -c "$CLIENTS" -P 16 -n "${spec#hll:}" -r "${spec#hll:}" \
        -q PFADD hll __rand_int__ >/dev/null
      redis-cli -p "$port" pfcount hll >/dev/null ;;
    bitmap:*)  # a random bitmap of that many bytes under "bitmap"
      head -c "${spec#bitmap:}" /dev/urandom | redis-cli -p "$port" -x set bitmap >/dev/null ;;
    stream:*)  # as many entries as the measured run reads, and the group it reads through
      "$RESPITE_BENCHMARK" -p "$port" -c "$CLIENTS" -P 16 -n "${spec#stream:}" \
        -q XADD bench '1-*' field __rand_int__ >/dev/null &&
        [ "$(redis-cli -p "$port" xgroup create bench g 0)" = OK ] ;;
    script)  # the evalsha workloads' script, loaded for EVALSHA
      [ "$(redis-cli -p "$port" script load "$EVAL_BODY")" = "$EVAL_SHA" ] ;;
    geo)  # the geosearch workload's index: 10,000 points over 4 x 4 degrees around Sicily (~70
      # of them within its 20 km), the same pseudo-random points for both servers
      awk 'BEGIN { srand(1); for (i = 0; i < 10000; i++)
             printf "GEOADD geo %.6f %.6f p:%d\n", 11.4 + 4 * rand(), 36.1 + 4 * rand(), i }' |
        redis-cli -p "$port" >/dev/null ;;
    subs:*)  # subscribers to channel "bench", stopped by stop_subscribers after the run
      local i
      for i in $(seq "${spec#subs:}"); do
        taskset -c "$CLIENT_CPUS" redis-cli -p "$port" subscribe bench >/dev/null 2>&1 &
        SUB_PIDS+=($!)
      done
      # Until every one is subscribed (PUBSUB NUMSUB counts them), at most 10 s.
      for i in $(seq 200); do
        [ "$(redis-cli -p "$port" pubsub numsub bench | tail -n 1)" = "${spec#subs:}" ] && return 0
        sleep 0.05
      done
      echo "subscribers did not all subscribe" >&2
      return 1 ;;
    "") ;;
  esac
}

stop_subscribers() {
  [ ${#SUB_PIDS[@]} -eq 0 ] && return 0
  kill "${SUB_PIDS[@]}" 2>/dev/null || true
  wait "${SUB_PIDS[@]}" 2>/dev/null || true
  SUB_PIDS=()
}

# measure PORT REQUESTS ARGS: one timed run; prints the CSV fields of the last test, comma-separated, or
# "error" when the client failed or the server answered with errors (an unsupported command must
# not show up as a fast one).
measure() {
  local port=$1 n=$2 wargs=$3 out
  # shellcheck disable=SC2086  # ARGS is a word list from the workload table
  if ! out=$("${PRIO[@]}" taskset -c "$CLIENT_CPUS" "$CLIENT_BIN" -p "$port" -c "$CLIENTS" \
               -n "$n" -r "$KEYS" "${CLIENT_THREADS[@]}" --csv $wargs 2>"$WORK/client.err"); then
    sed 's/^/  /' "$WORK/client.err" | tail -n 3 >&2
    echo error
    return
  fi
  if grep -q 'replies were errors' "$WORK/client.err"; then
    sed 's/^/  /' "$WORK/client.err" >&2
    echo error
    return
  fi
  # "name","rps","avg","min","p50","p95","p99","max": the last row is the workload's own test
  # (lrange_100 runs its LPUSH first).
  echo "$out" | tail -n 1 | sed 's/^"//; s/"$//' | awk -F'","' '{print $2","$3","$4","$5","$6","$7","$8}'
}

STAMP=$(date -u +%Y-%m-%dT%H%M%SZ)  # when the run started: names the result files
DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
RAW=$WORK/raw.csv   # round,server,id,rps,avg,min,p50,p95,p99,max
: >"$RAW"
for round in $(seq 1 "$ROUNDS"); do
  for line in "${SELECTED[@]}"; do
    IFS='|' read -r id label args pre pipe fixed_n <<<"$line"
    if { [ "$id" = mix ] || [ "$id" = multi ]; } && [ "$CLIENT" = redis-benchmark ]; then continue; fi
    n=$REQUESTS
    [ "$pipe" -gt 1 ] && n=$((REQUESTS * PIPELINED_FACTOR))
    [ -n "$fixed_n" ] && n=$fixed_n
    [ "$pre" = list ] && pre="list:$n"
    [ "$pre" = stream ] && pre="stream:$n"
    for server in respite redis; do
      port=$RESPITE_PORT
      [ "$server" = redis ] && port=$REDIS_PORT
      # A server that answered a workload with errors will again: one failed run is enough.
      if grep -q "^[0-9]*,$server,$id,error$" "$RAW"; then
        echo "$round,$server,$id,error" >>"$RAW"
        continue
      fi
      redis-cli -p "$port" flushall >/dev/null || die "FLUSHALL failed on $server"
      fields=error
      if preload "$port" "$pre" 2>"$WORK/preload.err" && ! grep -q 'replies were errors' "$WORK/preload.err"; then
        fields=$(measure "$port" "$n" "$args")
      else
        sed 's/^/  /' "$WORK/preload.err" | tail -n 3 >&2
      fi
      stop_subscribers
      echo "$round,$server,$id,$fields" >>"$RAW"
      if [ "$fields" = error ]; then
        log "[round $round/$ROUNDS] $label on $server: errors (n/a; not run again)"
      else
        log "[round $round/$ROUNDS] $label on $server: $(cut -d, -f1 <<<"$fields") ops/s"
      fi
    done
  done
done

# Medians over rounds, per server and workload.
# "null" when every run of that server failed (the table shows n/a).
stat_of() {  # stat_of SERVER ID COLUMN(4=rps 7=p50 9=p99)
  awk -F, -v s="$1" -v w="$2" -v c="$3" '$2 == s && $3 == w && $4 != "error" {print $c}' "$RAW" | median
}
runs_of() {
  awk -F, -v s="$1" -v w="$2" '$2 == s && $3 == w {printf "%s%s", sep, ($4 == "error" ? "null" : $4); sep=", "}' "$RAW"
}

COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ "$COMMIT" != unknown ] && [ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ]; then
  COMMIT="$COMMIT-dirty"
fi
CPU_MODEL=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown)
KERNEL=$(uname -r)
REDIS_VERSION=$("$REDIS_SERVER" --version 2>/dev/null | head -n 1 | sed 's/.*v=\([^ ]*\).*/\1/')
CLIENT_VERSION=$("$CLIENT_BIN" --version 2>/dev/null | head -n 1 || echo unknown)


mkdir -p "$OUT_DIR"
JSON=$OUT_DIR/$STAMP.json
MD=$OUT_DIR/$STAMP.md
{
  echo "{"
  echo "  \"date\": $(json_str "$DATE"),"
  echo "  \"commit\": $(json_str "$COMMIT"),"
  echo "  \"machine\": {\"cpu\": $(json_str "$CPU_MODEL"), \"cores\": $CORES, \"kernel\": $(json_str "$KERNEL")},"
  echo "  \"settings\": {\"rounds\": $ROUNDS, \"requests\": $REQUESTS, \"pipelined_factor\": $PIPELINED_FACTOR, \"clients\": $CLIENTS, \"keys\": $KEYS, \"pipeline\": $PIPELINE, \"threads\": $THREADS, \"client\": $(json_str "$CLIENT_VERSION"), \"server_cpus\": $(json_str "$SERVER_CPUS"), \"client_cpus\": $(json_str "$CLIENT_CPUS"), \"nice\": $(json_str "$NICE")},"
  echo "  \"servers\": {\"respite\": $(json_str "$RESPITE_SERVER"), \"redis\": $(json_str "redis-server $REDIS_VERSION")},"
  echo "  \"workloads\": ["
  sep=""
  for line in "${SELECTED[@]}"; do
    IFS='|' read -r id label args pre pipe _ <<<"$line"
    grep -q ",$id," "$RAW" || continue
    a_rps=$(stat_of respite "$id" 4); b_rps=$(stat_of redis "$id" 4)
    ratio=$(awk -v a="$a_rps" -v b="$b_rps" 'BEGIN {if (a == "null" || b == "null" || b == 0) print "null"; else printf "%.3f", a / b}')
    printf '%s    {"id": "%s", "label": %s, "pipeline": %s, "ratio": %s,\n' "$sep" "$id" "$(json_str "$label")" "$pipe" "$ratio"
    printf '     "respite": {"rps": %s, "p50_ms": %s, "p99_ms": %s, "runs_rps": [%s]},\n' \
      "$a_rps" "$(stat_of respite "$id" 7)" "$(stat_of respite "$id" 9)" "$(runs_of respite "$id")"
    printf '     "redis": {"rps": %s, "p50_ms": %s, "p99_ms": %s, "runs_rps": [%s]}}' \
      "$b_rps" "$(stat_of redis "$id" 7)" "$(stat_of redis "$id" 9)" "$(runs_of redis "$id")"
    sep=$',\n'
  done
  printf '\n  ]\n}\n'
} >"$JSON"

{
  echo "respite vs redis-server $REDIS_VERSION — $DATE, commit $COMMIT"
  echo
  echo "- machine: $CPU_MODEL, $CORES cores, Linux $KERNEL; servers on cpu $SERVER_CPUS, client ($CLIENT_VERSION) on cpu $CLIENT_CPUS"
  echo "- median of $ROUNDS rounds; -n $REQUESTS (x$PIPELINED_FACTOR when pipelined) -c $CLIENTS -r $KEYS; threads $THREADS; n/a: the server answered with errors (command not supported yet)"
  echo
  echo "| workload | respite ops/s | redis ops/s | respite/redis | respite p50 ms | redis p50 ms | respite p99 ms | redis p99 ms |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  for line in "${SELECTED[@]}"; do
    IFS='|' read -r id label args pre pipe _ <<<"$line"
    grep -q ",$id," "$RAW" || continue
    a=$(stat_of respite "$id" 4); b=$(stat_of redis "$id" 4)
    name=$label
    [[ "$label" == *P1 || "$label" == *P16 ]] || name="$label P$pipe"
    awk -v n="$name" -v a="$a" -v b="$b" -v ap="$(stat_of respite "$id" 7)" -v bp="$(stat_of redis "$id" 7)" \
        -v a9="$(stat_of respite "$id" 9)" -v b9="$(stat_of redis "$id" 9)" '
      function num(v, fmt) { return v == "null" ? "n/a" : sprintf(fmt, v) }
      BEGIN {
        r = (a == "null" || b == "null" || b == 0) ? "—" : sprintf("%.2f×", a / b)
        printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", n, num(a, "%.0f"), num(b, "%.0f"), r,
               num(ap, "%.3f"), num(bp, "%.3f"), num(a9, "%.3f"), num(b9, "%.3f")
      }'
  done
} >"$MD"

cp "$JSON" "$OUT_DIR/latest.json"
cp "$MD" "$OUT_DIR/latest.md"
cat "$MD"
log ""
log "results: $JSON and $MD (copied to latest.json, latest.md)"
if [ "$PLOT" = 1 ]; then
  if command -v gnuplot >/dev/null; then
    "$ROOT/bench/plot" "$JSON" "$OUT_DIR/latest.png" && log "chart: $OUT_DIR/latest.png"
  else
    log "no gnuplot: skipped the chart (scripts/install-deps.sh --bench installs gnuplot-nox)"
  fi
fi
