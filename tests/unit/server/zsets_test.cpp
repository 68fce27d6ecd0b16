// In-process tests of the sorted-set family (server/commands/zsets.cpp) through the capturing
// client (inproc.h): ZADD's option conflicts and NX/XX/GT/LT/CH/INCR outcomes, score parsing and
// NaN results, ZRANGE's unified form (BYSCORE, BYLEX, REV, LIMIT) and its errors, ranks and
// counts on open intervals, the STORE forms deleting an empty result's target, the aggregate
// commands' argument checks, and the RESP3 shapes: scores as doubles, WITHSCORES as pairs, null
// ranks and scores. Expectations were checked against redis-server 7.0.15.
#include <doctest.h>

#include "tests/unit/server/inproc.h"

using namespace respite::test;
using respite::protocol::RespValue;

namespace {
const Reply kNotFloat = Reply::Err("ERR value is not a valid float");
}  // namespace

TEST_CASE("ZADD: incompatible options, INCR with several pairs, bad scores") {
  Inproc s;
  CHECK(s.run({"ZADD", "z", "NX", "XX", "1", "a"}) ==
        Reply::Err("ERR XX and NX options at the same time are not compatible"));
  CHECK(s.run({"ZADD", "z", "GT", "LT", "1", "a"}) ==
        Reply::Err("ERR GT, LT, and/or NX options at the same time are not compatible"));
  CHECK(s.run({"ZADD", "z", "GT", "NX", "1", "a"}) ==
        Reply::Err("ERR GT, LT, and/or NX options at the same time are not compatible"));
  CHECK(s.run({"ZADD", "z", "INCR", "1", "a", "2", "b"}) ==
        Reply::Err("ERR INCR option supports a single increment-element pair"));
  CHECK(s.run({"ZADD", "z", "1"}) == Arity("zadd"));
  CHECK(s.run({"ZADD", "z", "1", "a", "2"}) == Syntax());
  CHECK(s.run({"ZADD", "z", "abc", "a"}) == kNotFloat);
  CHECK(s.run({"ZADD", "z", "nan", "a"}) == kNotFloat);
  CHECK(s.run({"EXISTS", "z"}) == Reply::Int(0));
}

TEST_CASE("ZADD: GT, LT, XX and CH decide what changes and what is counted") {
  Inproc s;
  CHECK(s.run({"ZADD", "z", "1", "a", "2", "b", "3", "c"}) == Reply::Int(3));
  CHECK(s.run({"ZADD", "z", "GT", "0", "a"}) == Reply::Int(0));
  CHECK(s.run({"ZADD", "z", "GT", "CH", "5", "a"}) == Reply::Int(1));
  CHECK(s.run({"ZADD", "z", "LT", "CH", "5", "a", "0", "b"}) == Reply::Int(1));
  CHECK(s.run({"ZADD", "z", "XX", "1", "zz"}) == Reply::Int(0));
  CHECK(s.run({"ZADD", "z", "GT", "1", "new"}) == Reply::Int(1));  // GT still adds new members
  CHECK(s.run({"ZRANGE", "z", "0", "-1", "WITHSCORES"}) ==
        Reply::StrArr({"b", "0", "new", "1", "c", "3", "a", "5"}));
  CHECK(s.run({"ZADD", "z", "INCR", "2.5", "c"}) == Reply::Str("5.5"));
  CHECK(s.run({"ZADD", "z", "XX", "INCR", "1", "nomember"}) == Reply::Nil());
  CHECK(s.run({"ZADD", "z", "GT", "INCR", "-1", "c"}) == Reply::Nil());  // not applied
}

TEST_CASE("ZINCRBY: bad increments and a NaN result") {
  Inproc s;
  CHECK(s.run({"ZINCRBY", "z", "abc", "a"}) == kNotFloat);
  CHECK(s.run({"ZADD", "zi", "+inf", "x"}) == Reply::Int(1));
  CHECK(s.run({"ZINCRBY", "zi", "-inf", "x"}) ==
        Reply::Err("ERR resulting score is not a number (NaN)"));
  CHECK(s.run({"ZSCORE", "zi", "x"}) == Reply::Str("inf"));
  CHECK(s.run({"ZINCRBY", "z", "1.5", "a"}) == Reply::Str("1.5"));
}

TEST_CASE("ranges by score: open bounds, LIMIT, REV, and their errors") {
  Inproc s;
  CHECK(s.run({"ZADD", "z", "0", "b", "3", "c", "5", "a"}) == Reply::Int(3));
  CHECK(s.run({"ZRANGEBYSCORE", "z", "(0", "3"}) == Reply::StrArr({"c"}));
  CHECK(s.run({"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "1", "1"}) == Reply::StrArr({"c"}));
  CHECK(s.run({"ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "0", "2"}) ==
        Reply::StrArr({"a", "c"}));
  CHECK(s.run({"ZRANGE", "z", "0", "-1", "BYSCORE", "REV"}) == Reply::StrArr({"b"}));
  CHECK(s.run({"ZREVRANGEBYSCORE", "z", "(5", "(0"}) == Reply::StrArr({"c"}));
  CHECK(s.run({"ZCOUNT", "z", "(0", "(5"}) == Reply::Int(1));
  CHECK(s.run({"ZRANGEBYSCORE", "z", "abc", "3"}) == Reply::Err("ERR min or max is not a float"));
  CHECK(s.run({"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "1"}) == Syntax());
  CHECK(s.run({"ZRANGE", "z", "0", "1", "LIMIT", "0", "1"}) ==
        Reply::Err("ERR syntax error, LIMIT is only supported in combination with either BYSCORE "
                   "or BYLEX"));
  CHECK(s.run({"ZRANGE", "z", "0", "-1", "BYSCORE", "BYLEX"}) == Syntax());
}

TEST_CASE("ranges by lex: bounds must be - + ( or [") {
  Inproc s;
  CHECK(s.run({"ZADD", "z", "0", "a", "0", "b", "0", "c"}) == Reply::Int(3));
  CHECK(s.run({"ZRANGE", "z", "(a", "[c", "BYLEX"}) == Reply::StrArr({"b", "c"}));
  CHECK(s.run({"ZRANGEBYLEX", "z", "-", "+", "LIMIT", "1", "5"}) == Reply::StrArr({"b", "c"}));
  CHECK(s.run({"ZREVRANGEBYLEX", "z", "+", "(b"}) == Reply::StrArr({"c"}));
  CHECK(s.run({"ZLEXCOUNT", "z", "-", "+"}) == Reply::Int(3));
  CHECK(s.run({"ZRANGEBYLEX", "z", "a", "c"}) ==
        Reply::Err("ERR min or max not valid string range item"));
  CHECK(s.run({"ZREMRANGEBYLEX", "z", "[a", "(b"}) == Reply::Int(1));
  CHECK(s.run({"ZRANGE", "z", "0", "-1"}) == Reply::StrArr({"b", "c"}));
}

TEST_CASE("ranks, scores and pops on missing members and keys") {
  Inproc s;
  CHECK(s.run({"ZADD", "z", "0", "b", "3", "c", "5", "a"}) == Reply::Int(3));
  CHECK(s.run({"ZRANK", "z", "zz"}) == Reply::Nil());
  CHECK(s.run({"ZRANK", "z", "a"}) == Reply::Int(2));
  CHECK(s.run({"ZREVRANK", "z", "a"}) == Reply::Int(0));
  CHECK(s.run({"ZSCORE", "nokey", "a"}) == Reply::Nil());
  CHECK(s.run({"ZMSCORE", "nokey", "a"}) == Reply::Arr({Reply::Nil()}));
  CHECK(s.run({"ZPOPMIN", "nokey"}) == Reply::Arr({}));
  CHECK(s.run({"ZPOPMIN", "z", "-1"}) == Reply::Err("ERR value is out of range, must be positive"));
  CHECK(s.run({"ZPOPMAX", "z", "2"}) == Reply::StrArr({"a", "5", "c", "3"}));
  CHECK(s.call({"ZMPOP", "1", "nokey", "MIN"}).type == RespValue::Type::kNullArray);
  CHECK(s.run({"ZMPOP", "1", "z", "MIN"}) ==
        Reply::Arr({Reply::Str("z"), Reply::Arr({Reply::StrArr({"b", "0"})})}));
  CHECK(s.run({"EXISTS", "z"}) == Reply::Int(0));
  CHECK(s.run({"ZRANDMEMBER", "nokey"}) == Reply::Nil());
  CHECK(s.run({"ZRANDMEMBER", "nokey", "2"}) == Reply::Arr({}));
}

TEST_CASE("the STORE forms: empty results delete the target, numkeys and option checks") {
  Inproc s;
  CHECK(s.run({"ZADD", "z", "3", "c", "5", "a"}) == Reply::Int(2));
  CHECK(s.run({"SET", "dst", "x"}) == OK());
  CHECK(s.run({"ZRANGESTORE", "dst", "nokey", "0", "-1"}) == Reply::Int(0));
  CHECK(s.run({"EXISTS", "dst"}) == Reply::Int(0));
  CHECK(s.run({"ZRANGESTORE", "dst", "z", "0", "0"}) == Reply::Int(1));
  CHECK(s.run({"ZINTERSTORE", "u", "2", "z", "nokey"}) == Reply::Int(0));
  CHECK(s.run({"EXISTS", "u"}) == Reply::Int(0));
  CHECK(s.run({"ZUNIONSTORE", "u", "2", "z", "nokey", "WEIGHTS", "2"}) == Syntax());
  CHECK(s.run({"ZUNIONSTORE", "u", "2", "z", "nokey", "WEIGHTS", "2", "3", "AGGREGATE", "FOO"}) ==
        Syntax());
  CHECK(s.run({"ZUNIONSTORE", "u", "0", "z"}) ==
        Reply::Err("ERR at least 1 input key is needed for 'zunionstore' command"));
  CHECK(s.run({"ZUNIONSTORE", "u", "2", "z", "z", "WEIGHTS", "1", "2", "AGGREGATE", "MAX"}) ==
        Reply::Int(2));
  CHECK(s.run({"ZRANGE", "u", "0", "-1", "WITHSCORES"}) == Reply::StrArr({"c", "6", "a", "10"}));
  CHECK(s.run({"ZINTERCARD", "1", "z", "LIMIT", "-1"}) ==
        Reply::Err("ERR LIMIT can't be negative"));
}

TEST_CASE("WRONGTYPE from sorted-set readers, writers and aggregates") {
  Inproc s;
  CHECK(s.run({"SET", "str", "v"}) == OK());
  CHECK(s.run({"ZADD", "z", "1", "a"}) == Reply::Int(1));
  CHECK(s.run({"ZADD", "str", "1", "a"}) == WrongType());
  CHECK(s.run({"ZSCORE", "str", "a"}) == WrongType());
  CHECK(s.run({"ZRANGE", "str", "0", "-1"}) == WrongType());
  CHECK(s.run({"ZUNIONSTORE", "u", "2", "z", "str"}) == WrongType());
  CHECK(s.run({"EXISTS", "u"}) == Reply::Int(0));
}

TEST_CASE("RESP3: scores are doubles, WITHSCORES replies nest pairs, nulls are _") {
  Inproc s;
  CHECK(s.run({"ZADD", "z", "1", "a", "2.5", "b"}) == Reply::Int(2));
  s.resp3();
  RespValue score = s.call({"ZSCORE", "z", "b"});
  CHECK(score.type == RespValue::Type::kDouble);
  CHECK(score.dbl == 2.5);
  CHECK(s.call({"ZRANGE", "z", "0", "-1", "WITHSCORES"}).to_string() ==
        "[[\"a\", (double) 1], [\"b\", (double) 2.5]]");
  CHECK(s.call({"ZPOPMIN", "z"}).to_string() == "[\"a\", (double) 1]");  // one pair, flat
  CHECK(s.call({"ZMSCORE", "z", "b", "zz"}).to_string() == "[(double) 2.5, (nil)]");
  CHECK(s.call({"ZINCRBY", "z", "1", "b"}).to_string() == "(double) 3.5");
  CHECK(s.call({"ZADD", "z", "NX", "INCR", "1", "b"}).type == RespValue::Type::kNull);
  CHECK(s.call({"ZRANK", "z", "zz"}).type == RespValue::Type::kNull);
  CHECK(s.call({"ZUNION", "1", "z", "WITHSCORES"}).to_string() == "[[\"b\", (double) 3.5]]");
  CHECK(s.call({"ZMPOP", "1", "z", "MIN"}).to_string() == "[\"z\", [[\"b\", (double) 3.5]]]");
}

TEST_CASE("ZREMRANGEBYRANK with negative and outlying ranks; ZREMRANGEBYSCORE's bounds") {
  Inproc s;
  CHECK(s.run({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"}) == Reply::Int(4));
  CHECK(s.run({"ZREMRANGEBYRANK", "z", "-2", "-1"}) == Reply::Int(2));
  CHECK(s.run({"ZRANGE", "z", "0", "-1"}) == Reply::StrArr({"a", "b"}));
  CHECK(s.run({"ZREMRANGEBYRANK", "z", "5", "10"}) == Reply::Int(0));
  CHECK(s.run({"ZCOUNT", "z", "-inf", "+inf"}) == Reply::Int(2));
  CHECK(s.run({"ZREMRANGEBYSCORE", "z", "abc", "1"}) ==
        Reply::Err("ERR min or max is not a float"));
  CHECK(s.run({"ZREMRANGEBYSCORE", "z", "(1", "+inf"}) == Reply::Int(1));
  CHECK(s.run({"ZREMRANGEBYRANK", "z", "0", "-1"}) == Reply::Int(1));
  CHECK(s.run({"EXISTS", "z"}) == Reply::Int(0));
}
