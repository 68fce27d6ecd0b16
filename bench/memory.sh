#!/usr/bin/env bash
# Memory per key of respite against Debian's redis-server on this machine.
#
# For each server (one at a time, pinned with taskset like compare.sh, on a free loopback port) and
# each value size: start a fresh server, read its resident size (VmRSS), load N keys of one fixed
# length with incompressible values (random bytes from a seeded PRNG, a different stream per key),
# read VmRSS again, and report the resident bytes per key beyond the payload:
#     (rss_after - rss_before - N * (key_len + value_len)) / N
# and the same from INFO's used_memory. Then, on another fresh server, 1,000 values of 1 MiB of
# JSON-like text (compressible, LZ4 about 3-4x): resident size over raw size, and GET throughput of
# them in MB/s (10^6 bytes/s) from one client on another core. Every value is read back once and
# compared byte for byte before the timed passes.
#
# Prints Markdown tables and writes them with the raw figures to bench/results/memory-<UTC>.md and
# .json, copied to memory-latest.md and .json. The loader is build/respite-memload
# (bench/memload/memload.cpp).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/lib.sh"
REDIS_SERVER=${REDIS_SERVER:-/usr/bin/redis-server}

KEYS=1000000
SIZES=32,100,1000
BIG=1000
BIG_SIZE=1048576
SERVERS=respite,redis
BUILD=build
THREADS=1
PASSES=5
PIPELINE=4
SEED=1
SERVER_CPUS=""
CLIENT_CPUS=""
OUT_DIR=$ROOT/bench/results
SAVE=1

usage() {
  cat <<EOF
Usage: bench/memory.sh [options]

Resident bytes per key beyond the payload (fixed-length keys, incompressible values), and for 1 MiB
JSON-like values resident/raw size and GET MB/s, for respite and redis-server, one server at a time.

Options:
  --keys N            keys per value size (default $KEYS)
  --sizes LIST        comma-separated value sizes in bytes (default $SIZES)
  --big N             1 MiB values for the resident/raw and GET rows; 0 skips them (default $BIG)
  --big-size BYTES    size of those values (default $BIG_SIZE)
  --servers LIST      respite, redis or both (default $SERVERS)
  --build DIR         build directory with respite-server and respite-memload (default $BUILD,
                      relative to the repository unless it exists relative to the current one)
  --threads N         respite's --threads (default $THREADS); redis runs as it is
  --passes K          timed GET passes over the big values (default $PASSES)
  --pipeline D        GETs in flight during those passes (default $PIPELINE)
  --seed S            PRNG seed of the values (default $SEED)
  --server-cpus LIST  taskset list for the server (default 0, or 0..N-1 with --threads N)
  --client-cpus LIST  taskset list for the loader and the GET client (default: the next core)
  --out DIR           where the .md and .json go (default bench/results)
  --no-save           print the tables only, write no files

Environment: RESPITE_SERVER (default DIR/respite-server), RESPITE_MEMLOAD (default
DIR/respite-memload), RESPITE_ARGS (more words for respite's command line, e.g.
"--compression-threshold 0"), REDIS_SERVER (default $REDIS_SERVER).
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --keys) KEYS=$2; shift ;;
    --sizes) SIZES=$2; shift ;;
    --big) BIG=$2; shift ;;
    --big-size) BIG_SIZE=$2; shift ;;
    --servers) SERVERS=$2; shift ;;
    --build) BUILD=$2; shift ;;
    --threads) THREADS=$2; shift ;;
    --passes) PASSES=$2; shift ;;
    --pipeline) PIPELINE=$2; shift ;;
    --seed) SEED=$2; shift ;;
    --server-cpus) SERVER_CPUS=$2; shift ;;
    --client-cpus) CLIENT_CPUS=$2; shift ;;
    --out) OUT_DIR=$2; shift ;;
    --no-save) SAVE=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "memory.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

die() { echo "memory.sh: $*" >&2; exit 1; }
log() { echo "$*" >&2; }

for n in "$KEYS" "$BIG_SIZE" "$THREADS" "$PASSES" "$PIPELINE" "$SEED"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "not a positive number: $n"
done
[[ "$BIG" =~ ^[0-9]+$ ]] || die "--big: not a number: $BIG"
IFS=, read -r -a SIZE_LIST <<<"$SIZES"
for s in "${SIZE_LIST[@]}"; do [[ "$s" =~ ^[1-9][0-9]*$ ]] || die "--sizes: not a positive number: $s"; done
IFS=, read -r -a SERVER_LIST <<<"$SERVERS"
for s in "${SERVER_LIST[@]}"; do
  [ "$s" = respite ] || [ "$s" = redis ] || die "--servers: respite or redis, not $s"
done
want() { [[ ",$SERVERS," == *",$1,"* ]]; }

if [ -d "$BUILD" ]; then BUILD=$(cd "$BUILD" && pwd); else BUILD=$ROOT/$BUILD; fi
RESPITE_SERVER=${RESPITE_SERVER:-$BUILD/respite-server}
MEMLOAD=${RESPITE_MEMLOAD:-$BUILD/respite-memload}
[ -x "$MEMLOAD" ] || die "no respite-memload at $MEMLOAD (cmake --build $BUILD --target respite-memload)"
if want respite; then
  [ -x "$RESPITE_SERVER" ] || die "no respite server at $RESPITE_SERVER (make build, or --build DIR)"
fi
if want redis; then
  command -v "$REDIS_SERVER" >/dev/null || die "no $REDIS_SERVER (scripts/install-deps.sh installs it)"
fi
command -v redis-cli >/dev/null || die "no redis-cli (scripts/install-deps.sh installs redis-tools)"
command -v taskset >/dev/null || die "no taskset (util-linux)"

CORES=$(nproc)
if [ -z "$SERVER_CPUS" ]; then
  SERVER_CPUS=0
  [ "$THREADS" -gt 1 ] && SERVER_CPUS="0-$((THREADS - 1))"
fi
if [ -z "$CLIENT_CPUS" ]; then
  CLIENT_CPUS=$THREADS
  if [ "$THREADS" -ge "$CORES" ]; then
    CLIENT_CPUS=$((CORES - 1))
    log "warning: $CORES cores: the client's core $CLIENT_CPUS is shared with the server"
  fi
fi

# Enough memory for the biggest load (payload plus Redis's overhead, twice over)?
max_size=0
for s in "${SIZE_LIST[@]}"; do [ "$s" -gt "$max_size" ] && max_size=$s; done
need=$(( KEYS * (max_size + 200) * 2 ))
[ $(( BIG * BIG_SIZE * 2 )) -gt "$need" ] && need=$(( BIG * BIG_SIZE * 2 ))
avail=$(( $(awk '/^MemAvailable:/ {print $2}' /proc/meminfo) * 1024 ))
[ "$avail" -gt "$need" ] || log "warning: $((avail >> 20)) MiB available, the largest load may need $((need >> 20)) MiB"

# The tree as it is when the run starts (others may commit while it runs).
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ "$COMMIT" != unknown ] && [ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ]; then
  COMMIT="$COMMIT-dirty"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/respite-memory.XXXXXX")
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# start_server NAME: a fresh server on a free port, pinned; sets PORT and SERVER_PID.
start_server() {
  local name=$1 bin args dir
  dir=$WORK/$name.$RANDOM
  mkdir -p "$dir"
  PORT=$(free_port)
  if [ "$name" = redis ]; then
    bin=$(command -v "$REDIS_SERVER")
    args=(--port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir"
          --logfile "$dir/server.log")
  else
    bin=$RESPITE_SERVER
    # shellcheck disable=SC2206  # RESPITE_ARGS is a word list on purpose
    args=(--port "$PORT" --threads "$THREADS" --bind 127.0.0.1 ${RESPITE_ARGS:-})
  fi
  (cd "$dir" && exec taskset -c "$SERVER_CPUS" "$bin" "${args[@]}") >"$dir/stdout.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    if [ "$(redis-cli -p "$PORT" ping 2>/dev/null)" = PONG ]; then
      sleep 0.5  # let start-up allocations settle before the first reading
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$dir"/*.log >&2; die "$name exited at start"; }
    sleep 0.1
  done
  die "$name did not answer PING on port $PORT within 10 s"
}

stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

rss() { awk '/^VmRSS:/ {print $2 * 1024}' "/proc/$SERVER_PID/status"; }
used_memory() {
  redis-cli -p "$PORT" info memory 2>/dev/null | tr -d '\r' |
    awk -F: '$1 == "used_memory" {v = $2} END {print (v == "" ? "null" : v)}'
}
# Nanoseconds of CPU the server's threads have run (schedstat: precise, unlike the clock ticks of
# /proc/PID/stat).
cpu_ns() { cat /proc/"$SERVER_PID"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f", s}'; }
# field OUTPUT NAME: the value of NAME=... in respite-memload's output.
field() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k {print $2}'; }

# Results, one "server.case.name=value" a line; get SERVER CASE NAME prints the value or null.
RES=$WORK/results
: >"$RES"
put() { echo "$1.$2.$3=$4" >>"$RES"; }
get() { awk -F= -v k="$1.$2.$3" '$1 == k {v = $2} END {print (v == "" ? "null" : v)}' "$RES"; }

# Settles the allocator's and the kernel's view (a server may free its load buffers lazily).
# Lets the server finish what it does after the replies: respite's background compressor
# (compression-background, storage/compressor.h) until nothing is queued, then a second for the
# allocator to hand freed pages back.
settle() {
  local i pending
  for i in $(seq 1200); do
    pending=$(redis-cli -p "$PORT" info compression 2>/dev/null | tr -d '\r' |
              awk -F: '$1 == "compress_pending" {print $2}')
    [ -z "$pending" ] || [ "$pending" = 0 ] && break
    sleep 0.1
  done
  sleep 1
}

for server in "${SERVER_LIST[@]}"; do
  for size in "${SIZE_LIST[@]}"; do
    start_server "$server"
    r0=$(rss); u0=$(used_memory)
    out=$(taskset -c "$CLIENT_CPUS" "$MEMLOAD" load --port "$PORT" --keys "$KEYS" --size "$size" \
          --seed "$SEED") || die "loading $server failed"
    settle
    r1=$(rss); u1=$(used_memory)
    dbsize=$(redis-cli -p "$PORT" dbsize)
    [ "$dbsize" = "$KEYS" ] || die "$server has $dbsize keys after loading $KEYS"
    stop_server
    key_len=$(field "$out" key_len)
    put "$server" "$size" key_len "$key_len"
    put "$server" "$size" rss_before "$r0"; put "$server" "$size" rss_after "$r1"
    put "$server" "$size" used_before "$u0"; put "$server" "$size" used_after "$u1"
    put "$server" "$size" load_seconds "$(field "$out" seconds)"
    per_key=$(awk -v a="$r0" -v b="$r1" -v n="$KEYS" -v p="$((key_len + size))" \
              'BEGIN {printf "%.1f", (b - a - n * p) / n}')
    put "$server" "$size" rss_per_key "$per_key"
    used_per_key=null
    [ "$u0" != null ] && [ "$u1" != null ] && used_per_key=$(awk -v a="$u0" -v b="$u1" -v n="$KEYS" \
        -v p="$((key_len + size))" 'BEGIN {printf "%.1f", (b - a - n * p) / n}')
    put "$server" "$size" used_per_key "$used_per_key"
    log "$server, $KEYS keys of $key_len + $size bytes: RSS $((r0 >> 20)) -> $((r1 >> 20)) MiB," \
        "$per_key B/key beyond the payload (used_memory: $used_per_key); loaded in $(field "$out" seconds) s"
  done

  if [ "$BIG" -gt 0 ]; then
    start_server "$server"
    r0=$(rss); u0=$(used_memory)
    out=$(taskset -c "$CLIENT_CPUS" "$MEMLOAD" big --port "$PORT" --count "$BIG" --size "$BIG_SIZE" \
          --seed "$SEED") || die "loading the big values into $server failed"
    settle
    r1=$(rss); u1=$(used_memory)
    taskset -c "$CLIENT_CPUS" "$MEMLOAD" get --port "$PORT" --count "$BIG" --size "$BIG_SIZE" \
      --seed "$SEED" --verify >/dev/null || die "$server returned wrong big values"
    t0=$(cpu_ns)
    out=$(taskset -c "$CLIENT_CPUS" "$MEMLOAD" get --port "$PORT" --count "$BIG" --size "$BIG_SIZE" \
          --seed "$SEED" --passes "$PASSES" --pipeline "$PIPELINE") || die "GET pass on $server failed"
    t1=$(cpu_ns)
    stop_server
    raw=$((BIG * BIG_SIZE))
    secs=$(field "$out" seconds)
    put "$server" big rss_before "$r0"; put "$server" big rss_after "$r1"
    put "$server" big used_before "$u0"; put "$server" big used_after "$u1"
    put "$server" big resident_over_raw "$(awk -v a="$r0" -v b="$r1" -v r="$raw" 'BEGIN {printf "%.3f", (b - a) / r}')"
    ratio=null
    [ "$u0" != null ] && [ "$u1" != null ] && ratio=$(awk -v a="$u0" -v b="$u1" -v r="$raw" 'BEGIN {printf "%.3f", (b - a) / r}')
    put "$server" big used_over_raw "$ratio"
    put "$server" big get_mb_per_s "$(field "$out" mb_per_s)"
    put "$server" big get_seconds "$secs"
    put "$server" big server_cpu "$(awk -v a="$t0" -v b="$t1" -v s="$secs" 'BEGIN {printf "%.2f", (b - a) / 1e9 / s}')"
    put "$server" big client_cpu "$(field "$out" client_cpu)"
    log "$server, $BIG values of $BIG_SIZE bytes: resident/raw $(get "$server" big resident_over_raw)," \
        "GET $(get "$server" big get_mb_per_s) MB/s (CPU: server $(get "$server" big server_cpu), client $(get "$server" big client_cpu) cores)"
  fi
done

# How compressible the big values are, for reading their row (LZ4 level 1, the first value).
LZ4_RATIO=null
if [ "$BIG" -gt 0 ] && command -v lz4 >/dev/null; then
  packed=$("$MEMLOAD" json --size "$BIG_SIZE" --seed "$SEED" --index 0 | lz4 -1 -c | wc -c)
  LZ4_RATIO=$(awk -v r="$BIG_SIZE" -v p="$packed" 'BEGIN {printf "%.2f", r / p}')
fi

STAMP=$(date -u +%Y-%m-%dT%H%M%SZ)
DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
CPU_MODEL=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown)
KERNEL=$(uname -r)
MEM_TOTAL=$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
THP=$(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo unknown)
REDIS_VERSION=$("$REDIS_SERVER" --version 2>/dev/null | head -n 1 | sed 's/.*v=\([^ ]*\).*/\1/' || true)
[ -n "$REDIS_VERSION" ] || REDIS_VERSION=unknown

ratio_of() {  # a / b, or null
  awk -v a="$1" -v b="$2" 'BEGIN {if (a == "null" || b == "null" || b + 0 <= 0 || a + 0 <= 0) print "null"; else printf "%.2f", a / b}'
}
cell() { if [ "$1" = null ]; then echo "n/a"; else echo "$1"; fi; }

MD=$WORK/out.md
{
  echo "respite vs redis-server $REDIS_VERSION, memory — $DATE, commit $COMMIT"
  echo
  echo "- machine: $CPU_MODEL, $CORES cores, $MEM_TOTAL, Linux $KERNEL, transparent hugepages: $THP;" \
       "server on cpu $SERVER_CPUS, loader and GET client on cpu $CLIENT_CPUS; respite --threads $THREADS${RESPITE_ARGS:+ $RESPITE_ARGS}"
  echo "- $KEYS keys per size, keys of $(get "${SERVER_LIST[0]}" "${SIZE_LIST[0]}" key_len) bytes, values random bytes" \
       "(incompressible); B/key = (RSS after - RSS before - keys × (key + value)) / keys; a fresh server per row"
  echo
  echo "| value bytes | respite B/key | redis B/key | respite/redis | respite used_memory B/key | redis used_memory B/key |"
  echo "|---:|---:|---:|---:|---:|---:|"
  for size in "${SIZE_LIST[@]}"; do
    a=$(get respite "$size" rss_per_key); b=$(get redis "$size" rss_per_key)
    echo "| $size | $(cell "$a") | $(cell "$b") | $(cell "$(ratio_of "$a" "$b")") |" \
         "$(cell "$(get respite "$size" used_per_key)") | $(cell "$(get redis "$size" used_per_key)") |"
  done
  if [ "$BIG" -gt 0 ]; then
    echo
    echo "$BIG values of $BIG_SIZE bytes of JSON-like text (LZ4 -1 packs one $(cell "$LZ4_RATIO")×);" \
         "GET: $PASSES passes, $PIPELINE in flight, one client; MB = 10^6 bytes; CPU: cores busy during the passes"
    echo
    echo "| server | resident / raw | used_memory / raw | GET MB/s | server CPU | client CPU |"
    echo "|---|---:|---:|---:|---:|---:|"
    for server in respite redis; do
      want "$server" || continue
      echo "| $server | $(cell "$(get "$server" big resident_over_raw)") | $(cell "$(get "$server" big used_over_raw)") |" \
           "$(cell "$(get "$server" big get_mb_per_s)") | $(cell "$(get "$server" big server_cpu)") |" \
           "$(cell "$(get "$server" big client_cpu)") |"
    done
  fi
} >"$MD"

JSON=$WORK/out.json
server_json() {  # server_json SERVER CASE FIELD...
  local server=$1 case=$2 sep="" f
  shift 2
  printf '{'
  for f in "$@"; do
    printf '%s"%s": %s' "$sep" "$f" "$(get "$server" "$case" "$f")"
    sep=", "
  done
  printf '}'
}
{
  echo "{"
  echo "  \"date\": $(json_str "$DATE"),"
  echo "  \"commit\": $(json_str "$COMMIT"),"
  echo "  \"machine\": {\"cpu\": $(json_str "$CPU_MODEL"), \"cores\": $CORES, \"memory\": $(json_str "$MEM_TOTAL"), \"kernel\": $(json_str "$KERNEL"), \"transparent_hugepages\": $(json_str "$THP")},"
  echo "  \"settings\": {\"keys\": $KEYS, \"sizes\": [$SIZES], \"big\": $BIG, \"big_size\": $BIG_SIZE, \"threads\": $THREADS, \"passes\": $PASSES, \"pipeline\": $PIPELINE, \"seed\": $SEED, \"server_cpus\": $(json_str "$SERVER_CPUS"), \"client_cpus\": $(json_str "$CLIENT_CPUS"), \"respite_args\": $(json_str "${RESPITE_ARGS:-}")},"
  echo "  \"servers\": {\"respite\": $(json_str "$RESPITE_SERVER"), \"redis\": $(json_str "redis-server $REDIS_VERSION")},"
  echo "  \"per_key\": ["
  sep=""
  for size in "${SIZE_LIST[@]}"; do
    printf '%s    {"value_len": %s, "ratio": %s,\n' "$sep" "$size" \
      "$(ratio_of "$(get respite "$size" rss_per_key)" "$(get redis "$size" rss_per_key)")"
    for server in respite redis; do
      printf '     "%s": %s' "$server" "$(server_json "$server" "$size" key_len rss_before rss_after \
        rss_per_key used_before used_after used_per_key load_seconds)"
      [ "$server" = respite ] && printf ',\n'
    done
    printf '}'
    sep=$',\n'
  done
  printf '\n  ],\n'
  echo "  \"big\": {\"count\": $BIG, \"size\": $BIG_SIZE, \"lz4_ratio\": $LZ4_RATIO,"
  for server in respite redis; do
    printf '    "%s": %s' "$server" "$(server_json "$server" big rss_before rss_after resident_over_raw \
      used_before used_after used_over_raw get_mb_per_s get_seconds server_cpu client_cpu)"
    [ "$server" = respite ] && printf ',\n'
  done
  printf '}\n}\n'
} >"$JSON"

cat "$MD"
if [ "$SAVE" = 1 ]; then
  mkdir -p "$OUT_DIR"
  cp "$MD" "$OUT_DIR/memory-$STAMP.md"
  cp "$JSON" "$OUT_DIR/memory-$STAMP.json"
  cp "$MD" "$OUT_DIR/memory-latest.md"
  cp "$JSON" "$OUT_DIR/memory-latest.json"
  log ""
  log "results: $OUT_DIR/memory-$STAMP.{md,json} (copied to memory-latest.{md,json})"
fi
