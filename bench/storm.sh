#!/usr/bin/env bash
# The storm (tests/integration/storm_test.cpp) against respite and against Debian's redis-server,
# one after the other, printing both sets of figures: connections held, bad inputs sent, server
# RSS before/peak/after, worst PING latency, keys checked. The storm test starts each server itself
# (two workers for respite; redis-server has one thread) on a free loopback port.
#
#   bench/storm.sh [--conns N] [--seconds S]
#
# Needs a build with the test: cmake --build build --target respite-server integration_storm.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STORM=${STORM_BIN:-$ROOT/build/tests/integration/integration_storm}
RESPITE_SERVER=${RESPITE_SERVER:-$ROOT/build/respite-server}
REDIS_SERVER=${REDIS_SERVER:-$(command -v redis-server || echo /usr/bin/redis-server)}
CONNS=5000
SECONDS_=15

while [[ $# -gt 0 ]]; do
  case $1 in
    --conns) CONNS=$2; shift 2 ;;
    --seconds) SECONDS_=$2; shift 2 ;;
    -h|--help) sed -n 2,9p "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

[[ -x $STORM ]] || { echo "no $STORM: build the integration_storm target first" >&2; exit 1; }
rc=0
for server in "$RESPITE_SERVER" "$REDIS_SERVER"; do
  echo "== $(basename "$server") =="
  RESPITE_SERVER_BIN=$server STORM_CONNS=$CONNS STORM_SECONDS=$SECONDS_ \
    "$STORM" --test-case='storm*' --success=false || rc=1
  echo
done
exit $rc
