// In-process tests of the hash family (server/commands/hashes.cpp) through the capturing client
// (inproc.h): HSET's pair arity, HSETNX/HMSET, missing keys and fields, the two increment commands'
// errors (overflow, non-numeric field values, NaN/Infinity), the key disappearing with its last
// field, WRONGTYPE, HRANDFIELD's count rules and the RESP3 map and pair shapes. Expectations were
// checked against redis-server 7.0.15.
#include <doctest.h>

#include <string>

#include "tests/unit/server/inproc.h"

using namespace respite::test;
using respite::protocol::RespValue;

TEST_CASE("HSET needs whole pairs and counts only new fields; HSETNX and HMSET") {
  Inproc s;
  CHECK(s.run({"HSET", "h", "a", "1", "b"}) == Arity("hset"));
  CHECK(s.run({"HSET", "h", "a", "1", "b", "2"}) == Reply::Int(2));
  CHECK(s.run({"HSET", "h", "a", "3", "c", "4"}) == Reply::Int(1));
  CHECK(s.run({"HSET", "h", "d", "1", "d", "2"}) == Reply::Int(1));  // the same field twice
  CHECK(s.run({"HGET", "h", "d"}) == Reply::Str("2"));
  CHECK(s.run({"HSETNX", "h", "a", "9"}) == Reply::Int(0));
  CHECK(s.run({"HSETNX", "h", "e", "9"}) == Reply::Int(1));
  CHECK(s.run({"HMSET", "h", "f", "5"}) == OK());
  CHECK(s.run({"HMSET", "h", "f"}) == Arity("hmset"));
  CHECK(s.run({"HLEN", "h"}) == Reply::Int(6));
  CHECK(s.run({"HGET", "h", "a"}) == Reply::Str("3"));
}

TEST_CASE("missing keys and fields") {
  Inproc s;
  CHECK(s.run({"HSET", "h", "a", "1"}) == Reply::Int(1));
  CHECK(s.run({"HGET", "h", "nofield"}) == Reply::Nil());
  CHECK(s.run({"HGET", "nokey", "a"}) == Reply::Nil());
  CHECK(s.run({"HMGET", "h", "a", "nofield", "a"}) ==
        Reply::Arr({Reply::Str("1"), Reply::Nil(), Reply::Str("1")}));
  CHECK(s.run({"HMGET", "nokey", "a"}) == Reply::Arr({Reply::Nil()}));
  CHECK(s.run({"HLEN", "nokey"}) == Reply::Int(0));
  CHECK(s.run({"HSTRLEN", "h", "zz"}) == Reply::Int(0));
  CHECK(s.run({"HEXISTS", "h", "zz"}) == Reply::Int(0));
  CHECK(s.run({"HKEYS", "nokey"}) == Reply::Arr({}));
  CHECK(s.run({"HGETALL", "nokey"}) == Reply::Arr({}));
  CHECK(s.run({"HDEL", "nokey", "a"}) == Reply::Int(0));
}

TEST_CASE("HINCRBY: overflow, bad increment, non-integer field value") {
  Inproc s;
  CHECK(s.run({"HINCRBY", "h", "a", "3"}) == Reply::Int(3));
  CHECK(s.run({"HINCRBY", "h", "a", "9223372036854775807"}) ==
        Reply::Err("ERR increment or decrement would overflow"));
  CHECK(s.run({"HINCRBY", "h", "a", "abc"}) == NotInt());
  CHECK(s.run({"HSET", "h", "s", "hello"}) == Reply::Int(1));
  CHECK(s.run({"HINCRBY", "h", "s", "1"}) == Reply::Err("ERR hash value is not an integer"));
  CHECK(s.run({"HINCRBY", "h", "a", "-10"}) == Reply::Int(-7));
}

TEST_CASE("HINCRBYFLOAT: non-float field value, NaN or Infinity, long double sums") {
  Inproc s;
  CHECK(s.run({"HSET", "h", "a", "3", "s", "hello"}) == Reply::Int(2));
  CHECK(s.run({"HINCRBYFLOAT", "h", "s", "1"}) == Reply::Err("ERR hash value is not a float"));
  CHECK(s.run({"HINCRBYFLOAT", "h", "a", "1.5"}) == Reply::Str("4.5"));
  CHECK(s.run({"HINCRBYFLOAT", "h", "a", "inf"}) == Reply::Err("ERR value is NaN or Infinity"));
  CHECK(s.run({"HINCRBYFLOAT", "h", "a", "x"}) == Reply::Err("ERR value is not a valid float"));
  CHECK(s.run({"HGET", "h", "a"}) == Reply::Str("4.5"));
  CHECK(s.run({"HINCRBYFLOAT", "h", "n", "-0.25"}) == Reply::Str("-0.25"));
}

TEST_CASE("the hash goes with its last field") {
  Inproc s;
  CHECK(s.run({"HSET", "h", "a", "1", "b", "2"}) == Reply::Int(2));
  CHECK(s.run({"HDEL", "h", "a", "zz", "a"}) == Reply::Int(1));
  CHECK(s.run({"EXISTS", "h"}) == Reply::Int(1));
  CHECK(s.run({"HDEL", "h", "b"}) == Reply::Int(1));
  CHECK(s.run({"EXISTS", "h"}) == Reply::Int(0));
  CHECK(s.run({"TYPE", "h"}) == Reply::Status("none"));
}

TEST_CASE("WRONGTYPE against a string key, from readers and writers") {
  Inproc s;
  CHECK(s.run({"SET", "str", "v"}) == OK());
  CHECK(s.run({"HGET", "str", "a"}) == WrongType());
  CHECK(s.run({"HSET", "str", "a", "1"}) == WrongType());
  CHECK(s.run({"HGETALL", "str"}) == WrongType());
  CHECK(s.run({"HLEN", "str"}) == WrongType());
  CHECK(s.run({"HINCRBY", "str", "a", "1"}) == WrongType());
  CHECK(s.run({"HRANDFIELD", "str"}) == WrongType());
  CHECK(s.run({"HSCAN", "str", "0"}) == WrongType());
  CHECK(s.run({"GET", "str"}) == Reply::Str("v"));
}

TEST_CASE("HRANDFIELD: missing key, zero, negative counts repeat, the count's range") {
  Inproc s;
  CHECK(s.run({"HRANDFIELD", "nokey"}) == Reply::Nil());
  CHECK(s.run({"HRANDFIELD", "nokey", "2"}) == Reply::Arr({}));
  CHECK(s.run({"HSET", "g", "f", "v"}) == Reply::Int(1));
  CHECK(s.run({"HRANDFIELD", "g"}) == Reply::Str("f"));
  CHECK(s.run({"HRANDFIELD", "g", "0"}) == Reply::Arr({}));
  CHECK(s.run({"HRANDFIELD", "g", "-3"}) == Reply::StrArr({"f", "f", "f"}));
  CHECK(s.run({"HRANDFIELD", "g", "3", "WITHVALUES"}) == Reply::StrArr({"f", "v"}));
  CHECK(s.run({"HRANDFIELD", "g", "-9223372036854775808"}) ==
        Reply::Err("ERR value is out of range, value must between -9223372036854775807 and "
                   "9223372036854775807"));
  CHECK(s.run({"HRANDFIELD", "g", "1", "FOO"}) == Syntax());
}

TEST_CASE("HSCAN: cursor and COUNT checks, missing key") {
  Inproc s;
  CHECK(s.run({"HSET", "g", "f", "v"}) == Reply::Int(1));
  CHECK(s.run({"HSCAN", "g", "abc"}) == Reply::Err("ERR invalid cursor"));
  CHECK(s.run({"HSCAN", "g", "0", "COUNT", "0"}) == Syntax());
  CHECK(s.run({"HSCAN", "nokey", "0"}) == Reply::Arr({Reply::Str("0"), Reply::Arr({})}));
  CHECK(s.run({"HSCAN", "g", "0", "MATCH", "f*"}) ==
        Reply::Arr({Reply::Str("0"), Reply::StrArr({"f", "v"})}));
}

TEST_CASE("RESP3: HGETALL is a map, HRANDFIELD WITHVALUES nests pairs, HINCRBYFLOAT is bulk") {
  Inproc s;
  CHECK(s.run({"HSET", "h", "a", "1"}) == Reply::Int(1));
  s.resp3();
  RespValue all = s.call({"HGETALL", "h"});
  CHECK(all.type == RespValue::Type::kMap);
  CHECK(all.to_string() == "{\"a\": \"1\"}");
  CHECK(s.call({"HGETALL", "nokey"}).to_string() == "{}");
  CHECK(s.call({"HRANDFIELD", "h", "1", "WITHVALUES"}).to_string() == "[[\"a\", \"1\"]]");
  CHECK(s.call({"HRANDFIELD", "h", "-2", "WITHVALUES"}).to_string() ==
        "[[\"a\", \"1\"], [\"a\", \"1\"]]");
  CHECK(s.call({"HINCRBYFLOAT", "h", "a", "0.5"}).type == RespValue::Type::kBulk);
  CHECK(s.call({"HGET", "h", "zz"}).type == RespValue::Type::kNull);
  CHECK(s.call({"HRANDFIELD", "nokey"}).type == RespValue::Type::kNull);
}

TEST_CASE("HSETNX against a string, and large field values through HGET and HGETALL") {
  Inproc s;
  CHECK(s.run({"SET", "str", "v"}) == OK());
  CHECK(s.run({"HSETNX", "str", "f", "v"}) == WrongType());
  std::string big(30000, 'h');
  big[29999] = '!';
  CHECK(s.client().run({"HSET", "h", "f", big}) == Reply::Int(1));
  CHECK(s.run({"HGET", "h", "f"}) == Reply::Str(big));
  CHECK(s.run({"HSTRLEN", "h", "f"}) == Reply::Int(30000));
  CHECK(s.run({"HGETALL", "h"}) == Reply::StrArr({"f", big}));
}
