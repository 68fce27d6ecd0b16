# Helpers the bench/ scripts share, sourced after they set ROOT: picking a free loopback port,
# telling redis-server from respite, medians of repeated runs and JSON strings for the results.
# Kept in one place so that every script reports its medians and finds its ports the same way.

# free_port [EXCEPT]: a TCP port on 127.0.0.1 that nothing listens on, other than EXCEPT (two
# servers started one after the other must not be handed the same one).
free_port() {
  local p tries=0
  while :; do
    p=$((20000 + RANDOM % 20000))
    if [ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ] && [ "$p" != "${1:-}" ]; then
      echo "$p"
      return
    fi
    tries=$((tries + 1))
    [ "$tries" -lt 100 ] || { echo "no free port found" >&2; return 1; }
  done
}

# True when BINARY is Redis's server (its --version says so), false for respite.
is_redis_binary() { "$1" --version 2>/dev/null | grep -q '^Redis server'; }

# The median of the numbers on stdin (one per line or separated by spaces): the middle one, or the
# mean of the two middle ones; "null" when there are none.
median() {
  tr -s ' \t' '\n\n' | grep -v '^$' | sort -g |
    awk '{a[NR]=$1} END {if (NR == 0) print "null"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'
}

# S as a JSON string, with backslashes and double quotes escaped.
json_str() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }
