// In-process tests of the list family (server/commands/lists.cpp) through the capturing client
// (inproc.h): LPOS's RANK/COUNT/MAXLEN rules, LINSERT and LSET on missing pivots, indexes and keys,
// ranges with negative and crossed bounds, LREM's direction, the key vanishing when emptied, the
// pops' counts (RESP2 and RESP3 nulls), LMOVE onto itself, LMPOP's checks, and the blocking pops
// as far as they go without a running loop: served at once when data is there, and a blocked
// client woken by a push from another client of the same worker. Expectations were checked
// against redis-server 7.0.15.
#include <doctest.h>

#include <string>

#include "tests/unit/server/inproc.h"

using namespace respite::test;
using respite::protocol::RespValue;

TEST_CASE("LPOS: RANK, COUNT and MAXLEN, and their errors") {
  Inproc s;
  CHECK(s.run({"RPUSH", "l", "a", "b", "c", "a", "b", "c"}) == Reply::Int(6));
  CHECK(s.run({"LPOS", "l", "b"}) == Reply::Int(1));
  CHECK(s.run({"LPOS", "l", "b", "RANK", "-1"}) == Reply::Int(4));
  CHECK(s.run({"LPOS", "l", "b", "COUNT", "0"}) == Reply::Arr({Reply::Int(1), Reply::Int(4)}));
  CHECK(s.run({"LPOS", "l", "b", "RANK", "2", "COUNT", "5"}) == Reply::Arr({Reply::Int(4)}));
  CHECK(s.run({"LPOS", "l", "a", "MAXLEN", "1", "COUNT", "0"}) == Reply::Arr({Reply::Int(0)}));
  CHECK(s.run({"LPOS", "l", "zz"}) == Reply::Nil());
  CHECK(s.run({"LPOS", "l", "zz", "COUNT", "2"}) == Reply::Arr({}));
  CHECK(s.run({"LPOS", "l", "b", "RANK", "-9223372036854775808"}) == Reply::Int(4));
  CHECK(s.run({"LPOS", "l", "b", "RANK", "0"}) ==
        Reply::Err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
                   "second ... or use negative to start from the end of the list"));
  CHECK(s.run({"LPOS", "l", "b", "COUNT", "-1"}) == Reply::Err("ERR COUNT can't be negative"));
  CHECK(s.run({"LPOS", "l", "b", "MAXLEN", "-1"}) == Reply::Err("ERR MAXLEN can't be negative"));
}

TEST_CASE("LINSERT and LSET: missing pivot, missing key, index out of range") {
  Inproc s;
  CHECK(s.run({"RPUSH", "l", "a", "b", "c"}) == Reply::Int(3));
  CHECK(s.run({"LINSERT", "l", "BEFORE", "zz", "x"}) == Reply::Int(-1));
  CHECK(s.run({"LINSERT", "nokey", "BEFORE", "a", "x"}) == Reply::Int(0));
  CHECK(s.run({"EXISTS", "nokey"}) == Reply::Int(0));
  CHECK(s.run({"LINSERT", "l", "MIDDLE", "a", "x"}) == Syntax());
  CHECK(s.run({"LINSERT", "l", "AFTER", "c", "X"}) == Reply::Int(4));
  CHECK(s.run({"LSET", "l", "100", "x"}) == Reply::Err("ERR index out of range"));
  CHECK(s.run({"LSET", "nokey", "0", "x"}) == Reply::Err("ERR no such key"));
  CHECK(s.run({"LSET", "l", "-1", "z"}) == OK());
  CHECK(s.run({"LRANGE", "l", "0", "-1"}) == Reply::StrArr({"a", "b", "c", "z"}));
}

TEST_CASE("LINDEX and LRANGE with negative, crossed and outlying bounds") {
  Inproc s;
  CHECK(s.run({"RPUSH", "l", "a", "b", "c", "d"}) == Reply::Int(4));
  CHECK(s.run({"LINDEX", "l", "-1"}) == Reply::Str("d"));
  CHECK(s.run({"LINDEX", "l", "100"}) == Reply::Nil());
  CHECK(s.run({"LINDEX", "l", "x"}) == NotInt());
  CHECK(s.run({"LRANGE", "l", "-100", "1"}) == Reply::StrArr({"a", "b"}));
  CHECK(s.run({"LRANGE", "l", "3", "2"}) == Reply::Arr({}));
  CHECK(s.run({"LRANGE", "l", "-2", "100"}) == Reply::StrArr({"c", "d"}));
  CHECK(s.run({"LRANGE", "nokey", "0", "-1"}) == Reply::Arr({}));
}

TEST_CASE("LREM from either end; LTRIM to nothing deletes the key") {
  Inproc s;
  CHECK(s.run({"RPUSH", "l", "a", "b", "a", "b", "a"}) == Reply::Int(5));
  CHECK(s.run({"LREM", "l", "-1", "a"}) == Reply::Int(1));
  CHECK(s.run({"LRANGE", "l", "0", "-1"}) == Reply::StrArr({"a", "b", "a", "b"}));
  CHECK(s.run({"LREM", "l", "1", "b"}) == Reply::Int(1));
  CHECK(s.run({"LRANGE", "l", "0", "-1"}) == Reply::StrArr({"a", "a", "b"}));
  CHECK(s.run({"LREM", "l", "0", "a"}) == Reply::Int(2));
  CHECK(s.run({"LTRIM", "l", "5", "1"}) == OK());
  CHECK(s.run({"EXISTS", "l"}) == Reply::Int(0));
}

TEST_CASE("LPOP and RPOP with a count: zero, negative, missing key, more than there is") {
  Inproc s;
  CHECK(s.run({"RPUSH", "m", "x", "y", "z"}) == Reply::Int(3));
  CHECK(s.run({"LPOP", "m", "0"}) == Reply::Arr({}));
  CHECK(s.run({"LPOP", "m", "-1"}) == Reply::Err("ERR value is out of range, must be positive"));
  CHECK(s.call({"LPOP", "nokey", "2"}).type == RespValue::Type::kNullArray);
  CHECK(s.call({"LPOP", "nokey"}).type == RespValue::Type::kNullBulk);
  CHECK(s.run({"RPOP", "m", "5"}) == Reply::StrArr({"z", "y", "x"}));
  CHECK(s.run({"EXISTS", "m"}) == Reply::Int(0));
  CHECK(s.run({"RPUSHX", "m", "a"}) == Reply::Int(0));
  CHECK(s.run({"LPUSHX", "m", "a"}) == Reply::Int(0));
  s.resp3();
  CHECK(s.call({"LPOP", "nokey", "2"}).type == RespValue::Type::kNull);
}

TEST_CASE("LMOVE onto the same list rotates it; bad directions; missing source") {
  Inproc s;
  CHECK(s.run({"RPUSH", "src", "1", "2", "3"}) == Reply::Int(3));
  CHECK(s.run({"LMOVE", "src", "src", "LEFT", "RIGHT"}) == Reply::Str("1"));
  CHECK(s.run({"LRANGE", "src", "0", "-1"}) == Reply::StrArr({"2", "3", "1"}));
  CHECK(s.run({"LMOVE", "src", "dst", "UP", "DOWN"}) == Syntax());
  CHECK(s.run({"LMOVE", "nokey", "dst", "LEFT", "LEFT"}) == Reply::Nil());
  CHECK(s.run({"EXISTS", "dst"}) == Reply::Int(0));
  CHECK(s.run({"RPOPLPUSH", "src", "dst"}) == Reply::Str("1"));
  CHECK(s.run({"SET", "str", "v"}) == OK());
  CHECK(s.run({"LMOVE", "src", "str", "LEFT", "LEFT"}) == WrongType());
  CHECK(s.run({"LLEN", "src"}) == Reply::Int(2));  // nothing popped for a wrong destination
}

TEST_CASE("LMPOP: numkeys, COUNT, direction, the first non-empty key") {
  Inproc s;
  CHECK(s.run({"RPUSH", "src", "1", "2", "3"}) == Reply::Int(3));
  CHECK(s.run({"LMPOP", "0", "src", "LEFT"}) == Reply::Err("ERR numkeys should be greater than 0"));
  CHECK(s.run({"LMPOP", "1", "src", "LEFT", "COUNT", "0"}) ==
        Reply::Err("ERR count should be greater than 0"));
  CHECK(s.run({"LMPOP", "1", "src", "MIDDLE"}) == Syntax());
  CHECK(s.run({"LMPOP", "1", "nokey", "LEFT"}) == Reply::Nil());
  CHECK(s.run({"LMPOP", "2", "nokey", "src", "RIGHT", "COUNT", "2"}) ==
        Reply::Arr({Reply::Str("src"), Reply::StrArr({"3", "2"})}));
}

TEST_CASE("WRONGTYPE for list commands against a string") {
  Inproc s;
  CHECK(s.run({"SET", "str", "v"}) == OK());
  CHECK(s.run({"LPUSH", "str", "x"}) == WrongType());
  CHECK(s.run({"LLEN", "str"}) == WrongType());
  CHECK(s.run({"LRANGE", "str", "0", "-1"}) == WrongType());
  CHECK(s.run({"LPOS", "str", "x"}) == WrongType());
  CHECK(s.run({"BLPOP", "str", "0"}) == WrongType());
  CHECK(s.run({"LLEN", "nokey"}) == Reply::Int(0));
}

TEST_CASE("blocking pops: timeout errors, data already there, served by another client's push") {
  Inproc s;
  CHECK(s.run({"BLPOP", "src", "-1"}) == Reply::Err("ERR timeout is negative"));
  CHECK(s.run({"BLPOP", "src", "abc"}) == Reply::Err("ERR timeout is not a float or out of range"));
  CHECK(s.run({"RPUSH", "src", "1"}) == Reply::Int(1));
  CHECK(s.run({"BLPOP", "nokey", "src", "0"}) == Reply::StrArr({"src", "1"}));

  InprocClient& waiter = s.add_client();
  CHECK(waiter.run_all({"BRPOP", "q", "0"}).empty());  // blocked: no reply yet
  CHECK(waiter.conn().blocked());
  CHECK(s.run({"LPUSH", "q", "a", "b"}) == Reply::Int(2));
  auto woke = waiter.take();
  REQUIRE(woke.size() == 1);
  CHECK(to_reply(woke[0]) == Reply::StrArr({"q", "a"}));
  CHECK(!waiter.conn().blocked());
  CHECK(s.run({"LRANGE", "q", "0", "-1"}) == Reply::StrArr({"b"}));
}

TEST_CASE("LPUSH pushes its arguments in turn; large elements come back whole") {
  Inproc s;
  CHECK(s.run({"LPUSH", "l", "a", "b", "c"}) == Reply::Int(3));
  CHECK(s.run({"LRANGE", "l", "0", "-1"}) == Reply::StrArr({"c", "b", "a"}));
  std::string big(50000, 'q');
  big[0] = 'Q';
  CHECK(s.client().run({"RPUSH", "l", big}) == Reply::Int(4));
  CHECK(s.run({"LINDEX", "l", "-1"}) == Reply::Str(big));
  CHECK(s.run({"RPOP", "l"}) == Reply::Str(big));
}
