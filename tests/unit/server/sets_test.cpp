// In-process tests of the set family (server/commands/sets.cpp) through the capturing client
// (inproc.h): duplicate members, SMISMEMBER on missing keys, the algebra with missing keys and
// stores that delete or replace their target, SINTERCARD's argument checks and LIMIT, SMOVE's
// cases, SPOP/SRANDMEMBER counts, WRONGTYPE from every reader and writer, and RESP3 shapes (sets
// as ~, SRANDMEMBER and SMISMEMBER as arrays). Expectations were checked against redis-server
// 7.0.15.
#include <doctest.h>

#include <algorithm>

#include "tests/unit/server/inproc.h"

using namespace respite::test;
using respite::protocol::RespValue;

namespace {

// A set reply's members, sorted: set order is not part of the contract.
std::vector<std::string> members(const Reply& r) {
  std::vector<std::string> out;
  for (const Reply& e : r.elements) out.push_back(e.str);
  std::sort(out.begin(), out.end());
  return out;
}

using Strs = std::vector<std::string>;

}  // namespace

TEST_CASE("SADD and SREM count only real changes; the set goes with its last member") {
  Inproc s;
  CHECK(s.run({"SADD", "s", "a", "b", "a"}) == Reply::Int(2));
  CHECK(s.run({"SADD", "s", "b"}) == Reply::Int(0));
  CHECK(s.run({"SREM", "s", "zz", "a", "a"}) == Reply::Int(1));
  CHECK(s.run({"SCARD", "s"}) == Reply::Int(1));
  CHECK(s.run({"SREM", "s", "b"}) == Reply::Int(1));
  CHECK(s.run({"EXISTS", "s"}) == Reply::Int(0));
  CHECK(s.run({"SREM", "nokey", "a"}) == Reply::Int(0));
  CHECK(s.run({"SCARD", "nokey"}) == Reply::Int(0));
}

TEST_CASE("membership on present and missing keys") {
  Inproc s;
  CHECK(s.run({"SADD", "s", "a"}) == Reply::Int(1));
  CHECK(s.run({"SMISMEMBER", "s", "a", "zz", "a"}) ==
        Reply::Arr({Reply::Int(1), Reply::Int(0), Reply::Int(1)}));
  CHECK(s.run({"SMISMEMBER", "nokey", "a"}) == Reply::Arr({Reply::Int(0)}));
  CHECK(s.run({"SISMEMBER", "nokey", "a"}) == Reply::Int(0));
  CHECK(s.run({"SMISMEMBER", "s"}) == Arity("smismember"));
  CHECK(s.run({"SMEMBERS", "nokey"}) == Reply::Arr({}));
}

TEST_CASE("SINTER, SUNION and SDIFF with missing keys") {
  Inproc s;
  CHECK(s.run({"SADD", "s", "a", "b", "c"}) == Reply::Int(3));
  CHECK(s.run({"SADD", "t", "b", "d"}) == Reply::Int(2));
  CHECK(members(s.run({"SINTER", "s", "t"})) == Strs{"b"});
  CHECK(s.run({"SINTER", "s", "nokey"}) == Reply::Arr({}));
  CHECK(members(s.run({"SUNION", "s", "nokey", "t"})) == Strs{"a", "b", "c", "d"});
  CHECK(members(s.run({"SDIFF", "s", "t", "nokey"})) == Strs{"a", "c"});
  CHECK(s.run({"SDIFF", "nokey", "s"}) == Reply::Arr({}));
}

TEST_CASE("the STORE forms delete an empty result's target and replace any type") {
  Inproc s;
  CHECK(s.run({"SADD", "s", "a", "b"}) == Reply::Int(2));
  CHECK(s.run({"SET", "d", "x"}) == OK());
  CHECK(s.run({"SDIFFSTORE", "d", "s", "s"}) == Reply::Int(0));
  CHECK(s.run({"EXISTS", "d"}) == Reply::Int(0));
  CHECK(s.run({"SET", "d", "x"}) == OK());
  CHECK(s.run({"SINTERSTORE", "d", "s", "s"}) == Reply::Int(2));
  CHECK(s.run({"TYPE", "d"}) == Reply::Status("set"));
  CHECK(s.run({"SUNIONSTORE", "s", "s", "nokey"}) == Reply::Int(2));  // the target as a source
  CHECK(members(s.run({"SMEMBERS", "s"})) == Strs{"a", "b"});
}

TEST_CASE("SINTERCARD: numkeys, LIMIT and their errors") {
  Inproc s;
  CHECK(s.run({"SADD", "s", "a", "b"}) == Reply::Int(2));
  CHECK(s.run({"SADD", "t", "a", "b", "c"}) == Reply::Int(3));
  CHECK(s.run({"SINTERCARD", "2", "s", "t"}) == Reply::Int(2));
  CHECK(s.run({"SINTERCARD", "2", "s", "t", "LIMIT", "1"}) == Reply::Int(1));
  CHECK(s.run({"SINTERCARD", "1", "s", "LIMIT", "0"}) == Reply::Int(2));  // 0: no limit
  CHECK(s.run({"SINTERCARD", "2", "s", "nokey"}) == Reply::Int(0));
  CHECK(s.run({"SINTERCARD", "0", "s"}) == Reply::Err("ERR numkeys should be greater than 0"));
  CHECK(s.run({"SINTERCARD", "2", "s"}) ==
        Reply::Err("ERR Number of keys can't be greater than number of args"));
  CHECK(s.run({"SINTERCARD", "1", "s", "LIMIT", "-1"}) ==
        Reply::Err("ERR LIMIT can't be negative"));
  CHECK(s.run({"SINTERCARD", "1", "s", "FOO"}) == Syntax());
}

TEST_CASE("SMOVE: moved, absent member, missing source, wrong types on either side") {
  Inproc s;
  CHECK(s.run({"SADD", "s", "b", "c"}) == Reply::Int(2));
  CHECK(s.run({"SMOVE", "s", "t", "b"}) == Reply::Int(1));
  CHECK(s.run({"SMEMBERS", "t"}) == Reply::StrArr({"b"}));
  CHECK(s.run({"SMOVE", "s", "t", "zz"}) == Reply::Int(0));
  CHECK(s.run({"SMOVE", "nokey", "t", "a"}) == Reply::Int(0));
  CHECK(s.run({"SET", "str", "v"}) == OK());
  CHECK(s.run({"SMOVE", "s", "str", "c"}) == WrongType());
  CHECK(s.run({"SMOVE", "str", "s", "c"}) == WrongType());
  CHECK(s.run({"SISMEMBER", "s", "c"}) == Reply::Int(1));  // still there
  CHECK(s.run({"SMOVE", "s", "t", "c"}) == Reply::Int(1));
  CHECK(s.run({"EXISTS", "s"}) == Reply::Int(0));  // emptied by the move
}

TEST_CASE("SPOP and SRANDMEMBER counts") {
  Inproc s;
  CHECK(s.run({"SPOP", "nokey"}) == Reply::Nil());
  CHECK(s.run({"SPOP", "nokey", "2"}) == Reply::Arr({}));
  CHECK(s.run({"SRANDMEMBER", "nokey"}) == Reply::Nil());
  CHECK(s.run({"SRANDMEMBER", "nokey", "3"}) == Reply::Arr({}));
  CHECK(s.run({"SADD", "t", "b"}) == Reply::Int(1));
  CHECK(s.run({"SPOP", "t", "0"}) == Reply::Arr({}));
  CHECK(s.run({"SPOP", "t", "-1"}) == Reply::Err("ERR value is out of range, must be positive"));
  CHECK(s.run({"SRANDMEMBER", "t", "-3"}) == Reply::StrArr({"b", "b", "b"}));
  CHECK(s.run({"SRANDMEMBER", "t", "5"}) == Reply::StrArr({"b"}));
  CHECK(s.run({"SRANDMEMBER", "t", "-9223372036854775808"}) ==
        Reply::Err("ERR value is out of range, value must between -9223372036854775807 and "
                   "9223372036854775807"));
  CHECK(s.run({"SADD", "t", "d"}) == Reply::Int(1));
  CHECK(members(s.run({"SPOP", "t", "100"})) == Strs{"b", "d"});
  CHECK(s.run({"EXISTS", "t"}) == Reply::Int(0));
}

TEST_CASE("WRONGTYPE from set readers, writers and the algebra") {
  Inproc s;
  CHECK(s.run({"SET", "str", "v"}) == OK());
  CHECK(s.run({"SADD", "s", "a"}) == Reply::Int(1));
  CHECK(s.run({"SADD", "str", "a"}) == WrongType());
  CHECK(s.run({"SISMEMBER", "str", "a"}) == WrongType());
  CHECK(s.run({"SINTER", "s", "str"}) == WrongType());
  CHECK(s.run({"SUNIONSTORE", "u", "s", "str"}) == WrongType());
  CHECK(s.run({"EXISTS", "u"}) == Reply::Int(0));
  CHECK(s.run({"SINTERCARD", "2", "s", "str"}) == WrongType());
  CHECK(s.run({"SSCAN", "s", "abc"}) == Reply::Err("ERR invalid cursor"));
}

TEST_CASE("RESP3: set replies are sets, SRANDMEMBER and SMISMEMBER arrays, SPOP null") {
  Inproc s;
  CHECK(s.run({"SADD", "s", "a"}) == Reply::Int(1));
  s.resp3();
  CHECK(s.call({"SMEMBERS", "s"}).to_string() == "~[\"a\"]");
  CHECK(s.call({"SMEMBERS", "nokey"}).to_string() == "~[]");
  CHECK(s.call({"SPOP", "nokey", "2"}).to_string() == "~[]");
  CHECK(s.call({"SINTER", "s", "nokey"}).to_string() == "~[]");
  CHECK(s.call({"SUNION", "s"}).to_string() == "~[\"a\"]");
  CHECK(s.call({"SRANDMEMBER", "s", "2"}).to_string() == "[\"a\"]");
  CHECK(s.call({"SRANDMEMBER", "nokey", "3"}).to_string() == "[]");
  CHECK(s.call({"SMISMEMBER", "s", "a"}).to_string() == "[(integer) 1]");
  CHECK(s.call({"SPOP", "nokey"}).type == RespValue::Type::kNull);
}

TEST_CASE("integer and string members live together") {
  Inproc s;
  CHECK(s.run({"SADD", "s", "1", "2", "x"}) == Reply::Int(3));
  CHECK(s.run({"SCARD", "s"}) == Reply::Int(3));
  CHECK(s.run({"SISMEMBER", "s", "1"}) == Reply::Int(1));
  CHECK(s.run({"SISMEMBER", "s", "01"}) == Reply::Int(0));  // not the same member as 1
  CHECK(s.run({"SREM", "s", "x"}) == Reply::Int(1));
  CHECK(members(s.run({"SMEMBERS", "s"})) == Strs{"1", "2"});
}
