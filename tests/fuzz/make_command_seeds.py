#!/usr/bin/env python3
"""Writes the seed inputs of fuzz_commands (tests/fuzz/corpus_commands/seed-*), one per scenario,
in the input format fuzz_commands.cpp's top comment describes. Names and arguments are literal
(0xFF tags), so the seeds keep their meaning when commands are added to the table. Run it again
after changing a scenario; crash regressions (crash-*) are kept as libFuzzer wrote them."""
import os
import sys

SCENARIOS = {
    "strings": [
        (0, "SET", "a", "1", "EX", "100"), (0, "INCRBYFLOAT", "a", "1.5"),
        (0, "APPEND", "a", "xyz"), (0, "SETRANGE", "a", "10", "q"), (0, "GETEX", "a", "PERSIST"),
        (0, "SET", "b", "v", "GET", "KEEPTTL"), (0, "MSET", "c", "1", "k", "2"),
        (0, "LCS", "a", "b", "IDX", "WITHMATCHLEN"), (0, "INCR", "c"), (0, "DECRBY", "k", "-9223372036854775808"),
    ],
    "lists": [
        (0, "RPUSH", "l", "a", "b", "c", "1", "2"), (0, "LINSERT", "l", "BEFORE", "b", "x"),
        (0, "LPOS", "l", "b", "RANK", "-1"), (0, "LMOVE", "l", "s", "LEFT", "RIGHT"),
        (0, "LTRIM", "l", "1", "-2"), (0, "LRANGE", "l", "0", "-1"), (0, "LMPOP", "2", "l", "a", "LEFT", "COUNT", "2"),
    ],
    "hashes_sets": [
        (0, "HSET", "h", "f", "1", "g", "2.5"), (0, "HINCRBYFLOAT", "h", "g", "inf"),
        (0, "HRANDFIELD", "h", "-5", "WITHVALUES"), (0, "SADD", "s", "1", "2", "x"),
        (0, "SINTERCARD", "2", "s", "h", "LIMIT", "1"), (0, "SMOVE", "s", "h", "1"),
        (0, "SSCAN", "s", "0", "MATCH", "*", "COUNT", "1"), (0, "HSCAN", "h", "0"),
    ],
    "zsets": [
        (0, "ZADD", "z", "1", "a", "2", "b", "inf", "c"), (0, "ZADD", "z", "GT", "CH", "INCR", "1", "a"),
        (0, "ZRANGE", "z", "(1", "+inf", "BYSCORE", "LIMIT", "0", "2"),
        (0, "ZRANGE", "z", "[a", "+", "BYLEX", "REV"), (0, "ZUNIONSTORE", "z2", "2", "z", "s", "WEIGHTS", "2", "nan"),
        (0, "ZRANDMEMBER", "z", "-3", "WITHSCORES"), (0, "ZMPOP", "1", "z", "MIN", "COUNT", "2"),
    ],
    "multi_watch": [
        (0, "WATCH", "a"), (1, "SET", "a", "1"), (0, "MULTI"), (0, "INCR", "a"), (0, "LPUSH", "a", "x"),
        (0, "EXEC"), (0, "MULTI"), (0, "GET"), (0, "EXEC"), (0, "DISCARD"),
    ],
    "scripts": [
        (0, "EVAL", "return redis.call('incr',KEYS[1])", "1", "a"),
        (0, "EVAL", "return {1,2,{3,'x'},redis.status_reply('OK'),redis.error_reply('E x')}", "0"),
        (0, "SCRIPT", "LOAD", "return 1"), (0, "EVALSHA", "e0e5ec5fbba15c1fa2e3cbf8a0e3b2ec84c8bd2f", "0"),
        (0, "FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function(k, a) return #k end)"),
        (0, "FCALL", "f", "2", "a", "b"), (0, "FUNCTION", "DUMP"), (0, "FUNCTION", "LIST", "WITHCODE"),
    ],
    "pubsub_blocking": [
        (1, "SUBSCRIBE", "a", "b"), (0, "PUBLISH", "a", "hello"), (1, "PING"), (1, "GET", "a"),
        (2, "BLPOP", "l", "0.01"), (0, "RPUSH", "l", "x"), (2, "BZPOPMIN", "z", "0"), (0, "ZADD", "z", "1", "m"),
        (1, "UNSUBSCRIBE"), (1, "PUBSUB", "NUMSUB", "a"),
    ],
    "resp3_tracking": [
        (0, "HELLO", "3"), (0, "CLIENT", "TRACKING", "ON"), (0, "GET", "a"), (1, "SET", "a", "2"),
        (0, "HGETALL", "h"), (0, "ZRANGE", "z", "0", "-1", "WITHSCORES"), (0, "CONFIG", "GET", "*max*"),
        (0, "CLIENT", "REPLY", "SKIP"), (0, "GET", "a"), (0, "CLIENT", "TRACKINGINFO"),
    ],
    "keys_server": [
        (0, "SET", "a", "1"), (0, "RENAME", "a", "b"), (0, "COPY", "b", "c", "DB", "1", "REPLACE"),
        (0, "SELECT", "1"), (0, "SWAPDB", "0", "1"), (0, "OBJECT", "ENCODING", "c"),
        (0, "SCAN", "0", "TYPE", "string"), (0, "SORT", "l", "BY", "nosort", "GET", "#", "ALPHA"),
        (0, "DUMP", "c"), (0, "INFO", "everything"), (0, "MEMORY", "USAGE", "c"),
        (0, "COMMAND", "GETKEYS", "SET", "a", "b"), (0, "CLIENT", "LIST"), (0, "CONFIG", "SET", "maxmemory", "1"),
        (0, "SET", "d", "x"),
    ],
    "keys_acl": [
        (0, "ACL", "SETUSER", "u", "on", "nopass", "+@all", "%R~r*"), (0, "ACL", "SETUSER", "u", "%W~w*"),
        (0, "COMMAND", "GETKEYSANDFLAGS", "SORT", "r", "STORE", "w"),
        (0, "COMMAND", "GETKEYS", "XREAD", "STREAMS", "a", "0"), (0, "COMMAND", "INFO", "LMOVE"),
        (1, "AUTH", "u", "x"), (1, "COPY", "r1", "w1"), (1, "LMOVE", "r1", "w1", "LEFT", "RIGHT"),
        (1, "SORT", "r1", "BY", "w*"), (1, "EVAL", "return 1", "1", "w"), (1, "SET", "w", "v", "GET"),
    ],
    "bits": [
        (0, "SETBIT", "a", "7", "1"), (0, "BITFIELD", "a", "OVERFLOW", "SAT", "INCRBY", "i8", "#1", "200"),
        (0, "BITPOS", "a", "1", "0", "-1", "BIT"), (0, "BITOP", "NOT", "b", "a"), (0, "BITCOUNT", "a", "1", "0"),
    ],
}


def encode(cmds):
    out = bytearray()
    for who, name, *args in cmds:
        out += bytes([who, 0xFF, len(name)]) + name.encode()
        assert len(args) < 8
        out.append(len(args))
        for a in args:
            b = a.encode()
            assert len(b) < 256
            out += bytes([0xFF, len(b)]) + b
    return bytes(out)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus_commands")
    os.makedirs(out_dir, exist_ok=True)
    for name, cmds in SCENARIOS.items():
        with open(os.path.join(out_dir, "seed-" + name), "wb") as f:
            f.write(encode(cmds))


if __name__ == "__main__":
    main()
