#!/usr/bin/env bash
# Installs, from Debian's repositories by name, whatever respite needs to build, test and benchmark
# that is not already on the machine. Idempotent and quiet when nothing is missing.
set -euo pipefail
need=(cmake make g++ clang pkg-config libuv1-dev libxxhash-dev libmimalloc-dev doctest-dev
      libhiredis-dev liblz4-dev redis-tools redis-server libclang-rt-14-dev
      liblua5.1-0-dev lua-cjson-dev lua-bitop-dev libssl-dev)
[ "${1:-}" = "--bench" ] && need+=(gnuplot-nox valgrind)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's package starts a redis-server service where an init system runs; the tests start their own.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
  $SUDO systemctl stop redis-server || true
fi
