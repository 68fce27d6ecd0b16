// In-process tests of the generic key family (server/commands/keys.cpp) through the capturing
// client (inproc.h): counting in DEL and EXISTS, TYPE of every type, EXPIRE's NX/XX/GT/LT rules and
// their errors, TTL/PTTL/EXPIRETIME for missing and persistent keys, RENAME/RENAMENX/MOVE/COPY
// edge cases (same key, missing key, database range), SCAN's argument checks and OBJECT's
// errors. Expectations were checked against redis-server 7.0.15.
#include <doctest.h>

#include "tests/unit/server/inproc.h"

using namespace respite::test;
using respite::protocol::RespValue;

namespace {

// One key of each type.
void make_types(Inproc& s) {
  REQUIRE(s.run({"SET", "str", "1"}) == OK());
  REQUIRE(s.run({"RPUSH", "l", "x"}) == Reply::Int(1));
  REQUIRE(s.run({"HSET", "h", "f", "v"}) == Reply::Int(1));
  REQUIRE(s.run({"SADD", "s", "m"}) == Reply::Int(1));
  REQUIRE(s.run({"ZADD", "z", "1", "m"}) == Reply::Int(1));
}

}  // namespace

TEST_CASE("DEL counts each deleted key once; EXISTS counts every mention") {
  Inproc s;
  CHECK(s.run({"MSET", "a", "1", "b", "2"}) == OK());
  CHECK(s.run({"EXISTS", "a", "a", "c", "b"}) == Reply::Int(3));
  CHECK(s.run({"DEL", "a", "a", "b", "c"}) == Reply::Int(2));
  CHECK(s.run({"DEL", "a"}) == Reply::Int(0));
  CHECK(s.run({"UNLINK", "a", "b"}) == Reply::Int(0));
  CHECK(s.run({"DEL"}) == Arity("del"));
}

TEST_CASE("TYPE names every type, and none for a missing key") {
  Inproc s;
  make_types(s);
  CHECK(s.run({"TYPE", "str"}) == Reply::Status("string"));
  CHECK(s.run({"TYPE", "l"}) == Reply::Status("list"));
  CHECK(s.run({"TYPE", "h"}) == Reply::Status("hash"));
  CHECK(s.run({"TYPE", "s"}) == Reply::Status("set"));
  CHECK(s.run({"TYPE", "z"}) == Reply::Status("zset"));
  CHECK(s.run({"TYPE", "nokey"}) == Reply::Status("none"));
  CHECK(s.run({"TOUCH", "l", "h", "nokey"}) == Reply::Int(2));
}

TEST_CASE("EXPIRE with NX, XX, GT and LT") {
  Inproc s;
  CHECK(s.run({"MSET", "a", "1", "b", "2"}) == OK());
  CHECK(s.run({"EXPIRE", "a", "100", "NX"}) == Reply::Int(1));
  CHECK(s.run({"EXPIRE", "a", "200", "NX"}) == Reply::Int(0));
  CHECK(s.run({"EXPIRE", "a", "50", "GT"}) == Reply::Int(0));
  CHECK(s.run({"EXPIRE", "a", "200", "GT"}) == Reply::Int(1));
  CHECK(s.run({"EXPIRE", "a", "300", "LT"}) == Reply::Int(0));
  CHECK(s.run({"EXPIRE", "a", "10", "LT"}) == Reply::Int(1));
  CHECK(TtlAbout(s.run({"TTL", "a"}), 10));
  // A key without a TTL counts as an infinite one: GT never applies, LT always does.
  CHECK(s.run({"EXPIRE", "b", "100", "XX"}) == Reply::Int(0));
  CHECK(s.run({"EXPIRE", "b", "100", "GT"}) == Reply::Int(0));
  CHECK(s.run({"EXPIRE", "b", "100", "LT"}) == Reply::Int(1));
  CHECK(TtlAbout(s.run({"TTL", "b"}), 100));
  CHECK(s.run({"EXPIRE", "missing", "10"}) == Reply::Int(0));
}

TEST_CASE("EXPIRE's option and time errors") {
  Inproc s;
  CHECK(s.run({"SET", "a", "1"}) == OK());
  CHECK(s.run({"EXPIRE", "a", "10", "NX", "XX"}) ==
        Reply::Err("ERR NX and XX, GT or LT options at the same time are not compatible"));
  CHECK(s.run({"EXPIRE", "a", "10", "GT", "LT"}) ==
        Reply::Err("ERR GT and LT options at the same time are not compatible"));
  CHECK(s.run({"EXPIRE", "a", "10", "FOO"}) == Reply::Err("ERR Unsupported option FOO"));
  CHECK(s.run({"EXPIRE", "a", "abc"}) == NotInt());
  CHECK(s.run({"EXPIRE", "a", "9223372036854775807"}) ==
        Reply::Err("ERR invalid expire time in 'expire' command"));
  CHECK(s.run({"PEXPIRE", "a", "9223372036854775807"}) ==
        Reply::Err("ERR invalid expire time in 'pexpire' command"));
  CHECK(s.run({"TTL", "a"}) == Reply::Int(-1));  // no error touched the key
}

TEST_CASE("a TTL in the past deletes; TTL, PTTL and EXPIRETIME of missing and persistent keys") {
  Inproc s;
  CHECK(s.run({"SET", "a", "1"}) == OK());
  CHECK(s.run({"TTL", "nokey"}) == Reply::Int(-2));
  CHECK(s.run({"PTTL", "a"}) == Reply::Int(-1));
  CHECK(s.run({"EXPIRETIME", "a"}) == Reply::Int(-1));
  CHECK(s.run({"PEXPIRETIME", "nokey"}) == Reply::Int(-2));
  CHECK(s.run({"EXPIREAT", "a", "4102444800"}) == Reply::Int(1));  // 2100-01-01
  CHECK(s.run({"EXPIRETIME", "a"}) == Reply::Int(4102444800));
  CHECK(s.run({"PEXPIRETIME", "a"}) == Reply::Int(4102444800000));
  CHECK(s.run({"PERSIST", "a"}) == Reply::Int(1));
  CHECK(s.run({"PERSIST", "a"}) == Reply::Int(0));
  CHECK(s.run({"EXPIRE", "a", "-1"}) == Reply::Int(1));
  CHECK(s.run({"EXISTS", "a"}) == Reply::Int(0));
  CHECK(s.run({"SET", "b", "1"}) == OK());
  CHECK(s.run({"PEXPIREAT", "b", "1"}) == Reply::Int(1));
  CHECK(s.run({"GET", "b"}) == Reply::Nil());
}

TEST_CASE("RENAME and RENAMENX: missing source, same key, existing target") {
  Inproc s;
  CHECK(s.run({"RENAME", "nokey", "x"}) == Reply::Err("ERR no such key"));
  CHECK(s.run({"RENAMENX", "nokey", "x"}) == Reply::Err("ERR no such key"));
  CHECK(s.run({"SET", "b", "2"}) == OK());
  CHECK(s.run({"RENAME", "b", "b"}) == OK());
  CHECK(s.run({"RENAMENX", "b", "b"}) == Reply::Int(0));
  CHECK(s.run({"SET", "c", "3"}) == OK());
  CHECK(s.run({"RENAMENX", "b", "c"}) == Reply::Int(0));
  CHECK(s.run({"EXPIRE", "b", "100"}) == Reply::Int(1));
  CHECK(s.run({"RENAME", "b", "c"}) == OK());  // overwrites, and the TTL travels
  CHECK(s.run({"GET", "c"}) == Reply::Str("2"));
  CHECK(TtlAbout(s.run({"TTL", "c"}), 100));
  CHECK(s.run({"EXISTS", "b"}) == Reply::Int(0));
}

TEST_CASE("MOVE: same database, range, existing target") {
  Inproc s;
  CHECK(s.run({"SET", "c", "2"}) == OK());
  CHECK(s.run({"MOVE", "c", "0"}) == Reply::Err("ERR source and destination objects are the same"));
  CHECK(s.run({"MOVE", "c", "16"}) == Reply::Err("ERR DB index is out of range"));
  CHECK(s.run({"MOVE", "c", "abc"}) == NotInt());
  CHECK(s.run({"MOVE", "c", "1"}) == Reply::Int(1));
  CHECK(s.run({"MOVE", "c", "1"}) == Reply::Int(0));  // gone from here
  CHECK(s.run({"SET", "c", "9"}) == OK());
  CHECK(s.run({"MOVE", "c", "1"}) == Reply::Int(0));  // taken there
  CHECK(s.run({"SELECT", "1"}) == OK());
  CHECK(s.run({"GET", "c"}) == Reply::Str("2"));
}

TEST_CASE("COPY: same key, existing target, REPLACE, DB") {
  Inproc s;
  CHECK(s.run({"SET", "c", "9"}) == OK());
  CHECK(s.run({"COPY", "c", "c"}) == Reply::Err("ERR source and destination objects are the same"));
  CHECK(s.run({"COPY", "c", "d"}) == Reply::Int(1));
  CHECK(s.run({"SET", "c", "10"}) == OK());
  CHECK(s.run({"COPY", "c", "d"}) == Reply::Int(0));
  CHECK(s.run({"GET", "d"}) == Reply::Str("9"));
  CHECK(s.run({"COPY", "c", "d", "REPLACE"}) == Reply::Int(1));
  CHECK(s.run({"GET", "d"}) == Reply::Str("10"));
  CHECK(s.run({"COPY", "c", "d", "DB", "16"}) == Reply::Err("ERR DB index is out of range"));
  CHECK(s.run({"COPY", "c", "d", "FOO"}) == Syntax());
  CHECK(s.run({"COPY", "nokey", "d"}) == Reply::Int(0));
  CHECK(s.run({"RPUSH", "l", "a", "b"}) == Reply::Int(2));
  CHECK(s.run({"COPY", "l", "l2", "DB", "1"}) == Reply::Int(1));
  CHECK(s.run({"RPUSH", "l", "c"}) == Reply::Int(3));  // the copy is deep
  CHECK(s.run({"SELECT", "1"}) == OK());
  CHECK(s.run({"LRANGE", "l2", "0", "-1"}) == Reply::StrArr({"a", "b"}));
}

TEST_CASE("KEYS, SCAN and RANDOMKEY") {
  Inproc s;
  CHECK(s.run({"RANDOMKEY"}) == Reply::Nil());
  CHECK(s.run({"KEYS", "*"}) == Reply::Arr({}));
  make_types(s);
  Reply keys = s.run({"KEYS", "[lh]"});
  REQUIRE(keys.elements.size() == 2);
  CHECK(((keys.elements[0] == Reply::Str("l") && keys.elements[1] == Reply::Str("h")) ||
         (keys.elements[0] == Reply::Str("h") && keys.elements[1] == Reply::Str("l"))));
  CHECK(s.run({"SCAN", "0", "TYPE", "hash", "COUNT", "1000"}) ==
        Reply::Arr({Reply::Str("0"), Reply::StrArr({"h"})}));
  CHECK(s.run({"SCAN", "0", "MATCH", "s*", "TYPE", "set", "COUNT", "1000"}) ==
        Reply::Arr({Reply::Str("0"), Reply::StrArr({"s"})}));
  CHECK(s.run({"SCAN", "abc"}) == Reply::Err("ERR invalid cursor"));
  CHECK(s.run({"SCAN", "0", "COUNT", "0"}) == Syntax());
  CHECK(s.run({"SCAN", "0", "FOO"}) == Syntax());
  Reply k = s.run({"RANDOMKEY"});
  CHECK(k.type == Reply::Type::kString);
}

TEST_CASE("OBJECT: encodings, errors, and FREQ without an LFU policy") {
  Inproc s;
  make_types(s);
  CHECK(s.run({"OBJECT", "ENCODING", "str"}) == Reply::Str("int"));
  CHECK(s.run({"OBJECT", "ENCODING", "l"}) == Reply::Str("quicklist"));
  CHECK(s.run({"OBJECT", "ENCODING", "h"}) == Reply::Str("listpack"));
  CHECK(s.run({"OBJECT", "ENCODING", "z"}) == Reply::Str("listpack"));
  CHECK(s.run({"OBJECT", "ENCODING", "nokey"}) == Reply::Nil());
  CHECK(s.run({"OBJECT", "FOO", "l"}) ==
        Reply::Err("ERR unknown subcommand 'FOO'. Try OBJECT HELP."));
  CHECK(s.run({"OBJECT", "FREQ", "l"}) ==
        Reply::Err("ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
                   "Please note that when switching between policies at runtime LRU and LFU data "
                   "will take some time to adjust."));
}
