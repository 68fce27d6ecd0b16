// Integration tests of the sorted-set commands against the real server: every command's replies,
// its errors and which of them wins, emptied sets disappearing, the two encodings and their
// conversions (OBJECT ENCODING, with CONFIG SET limits), score formatting, the algebra over sorted
// and plain sets, random picks and ZSCAN, RESP3 reply shapes checked byte for byte on a raw
// connection, and the blocking pops: served at once when a set is there, served when another
// client adds (we wait until INFO says the client is blocked, never a sleep), timeouts and errors.
// Every case also passes against redis-server (RESPITE_SERVER_BIN=/usr/bin/redis-server).
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

const Reply kWrongType =
    Reply::Err("WRONGTYPE Operation against a key holding the wrong kind of value");
const Reply kNotInt = Reply::Err("ERR value is not an integer or out of range");
const Reply kNotFloat = Reply::Err("ERR value is not a valid float");
const Reply kSyntax = Reply::Err("ERR syntax error");
const Reply kRangeFloat = Reply::Err("ERR min or max is not a float");
const Reply kRangeLex = Reply::Err("ERR min or max not valid string range item");
const Reply kEmpty = Reply::Arr({});

std::string dbl(const std::string& s) {
  std::string out(1, ',');
  out += s;
  out += "\r\n";
  return out;
}

// prefix followed by n ("m12"), built by appending (GCC 12 warns, falsely, about operator+ on a
// literal and a temporary).
std::string named(const char* prefix, int n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}

Reply all(Fixture& f, const std::string& key) {
  return f.cmd({"ZRANGE", key, "0", "-1", "WITHSCORES"});
}

Reply encoding(Fixture& f, const std::string& key) {
  return f.cmd({"OBJECT", "ENCODING", key});
}

}  // namespace

TEST_CASE("ZADD: adds, updates, counts, keeps the order by score then member") {
  Fixture f;
  CHECK(f.cmd({"ZADD", "z", "1", "b", "1", "a", "2", "c"}) == Reply::Int(3));
  CHECK(f.cmd({"ZADD", "z", "0", "c", "1", "a", "5", "d"}) == Reply::Int(1));  // c moves, a same
  CHECK(all(f, "z") == Reply::StrArr({"c", "0", "a", "1", "b", "1", "d", "5"}));
  CHECK(f.cmd({"ZADD", "z", "CH", "1", "a", "2", "b", "9", "e"}) == Reply::Int(2));
  CHECK(f.cmd({"ZCARD", "z"}) == Reply::Int(5));
  CHECK(f.cmd({"TYPE", "z"}) == Reply::Status("zset"));
  CHECK(encoding(f, "z") == Reply::Str("listpack"));
  // Binary and empty members, and members that look like numbers.
  std::string bin("a\0b\r\n", 5);
  CHECK(f.cmd({"ZADD", "bin", "1", bin, "1", "", "1", "10", "1", "9"}) == Reply::Int(4));
  CHECK(f.cmd({"ZRANGE", "bin", "0", "-1"}) ==
        Reply::Arr({Reply::Str(""), Reply::Str("10"), Reply::Str("9"), Reply::Str(bin)}));
  // Scores: inf, exponents, hex (strtod), -0 in a listpack reads back as 0.
  CHECK(f.cmd({"ZADD", "s", "+inf", "top", "-inf", "bottom", "1e3", "k", "0x10", "h"}) ==
        Reply::Int(4));
  CHECK(all(f, "s") == Reply::StrArr({"bottom", "-inf", "h", "16", "k", "1000", "top", "inf"}));
  CHECK(f.cmd({"ZADD", "s", "-0", "zero"}) == Reply::Int(1));
  CHECK(f.cmd({"ZSCORE", "s", "zero"}) == Reply::Str("0"));
}

TEST_CASE("ZADD options NX XX GT LT CH INCR, their conflicts and the errors' order") {
  Fixture f;
  CHECK(f.cmd({"ZADD", "z", "5", "a"}) == Reply::Int(1));
  CHECK(f.cmd({"ZADD", "z", "NX", "1", "a", "1", "b"}) == Reply::Int(1));
  CHECK(f.cmd({"ZSCORE", "z", "a"}) == Reply::Str("5"));
  CHECK(f.cmd({"ZADD", "z", "XX", "7", "a", "7", "new"}) == Reply::Int(0));
  CHECK(f.cmd({"ZSCORE", "z", "a"}) == Reply::Str("7"));
  CHECK(f.cmd({"ZSCORE", "z", "new"}).is_nil());
  CHECK(f.cmd({"ZADD", "z", "GT", "CH", "6", "a", "8", "b"}) == Reply::Int(1));
  CHECK(f.cmd({"ZADD", "z", "LT", "CH", "9", "a", "2", "b", "3", "c"}) == Reply::Int(2));
  CHECK(all(f, "z") == Reply::StrArr({"b", "2", "c", "3", "a", "7"}));
  CHECK(f.cmd({"ZADD", "z", "XX", "GT", "CH", "1", "a", "10", "a"}) == Reply::Int(1));
  // INCR replies the new score, or nil when a flag skipped the member.
  CHECK(f.cmd({"ZADD", "z", "INCR", "2.5", "a"}) == Reply::Str("12.5"));
  CHECK(f.cmd({"ZADD", "z", "NX", "INCR", "1", "a"}).is_nil());
  CHECK(f.cmd({"ZADD", "z", "XX", "INCR", "1", "nope"}).is_nil());
  CHECK(f.cmd({"ZADD", "z", "GT", "INCR", "-1", "a"}).is_nil());
  CHECK(f.cmd({"ZADD", "missing", "XX", "1", "a"}) == Reply::Int(0));
  CHECK(f.cmd({"ZADD", "missing", "XX", "INCR", "1", "a"}).is_nil());
  CHECK(f.cmd({"EXISTS", "missing"}) == Reply::Int(0));
  CHECK(f.cmd({"ZINCRBY", "z", "-0.5", "a"}) == Reply::Str("12"));
  CHECK(f.cmd({"ZINCRBY", "z", "1", "fresh"}) == Reply::Str("1"));
  CHECK(f.cmd({"ZINCRBY", "z", "inf", "a"}) == Reply::Str("inf"));
  CHECK(f.cmd({"ZINCRBY", "z", "-inf", "a"}) ==
        Reply::Err("ERR resulting score is not a number (NaN)"));
  CHECK(f.cmd({"ZSCORE", "z", "a"}) == Reply::Str("inf"));

  CHECK(f.cmd({"ZADD", "z", "NX", "XX", "1", "a"}) ==
        Reply::Err("ERR XX and NX options at the same time are not compatible"));
  const Reply gtlt =
      Reply::Err("ERR GT, LT, and/or NX options at the same time are not compatible");
  CHECK(f.cmd({"ZADD", "z", "GT", "LT", "1", "a"}) == gtlt);
  CHECK(f.cmd({"ZADD", "z", "NX", "GT", "1", "a"}) == gtlt);
  CHECK(f.cmd({"ZADD", "z", "INCR", "1", "a", "2", "b"}) ==
        Reply::Err("ERR INCR option supports a single increment-element pair"));
  // A missing member is a syntax error, and wins over the option conflicts.
  CHECK(f.cmd({"ZADD", "z", "NX", "XX", "1", "a", "2"}) == kSyntax);
  CHECK(f.cmd({"ZADD", "z", "1", "a", "nan", "b"}) == kNotFloat);
  CHECK(f.cmd({"ZADD", "z", "1", "a", " 2", "b"}) == kNotFloat);
  CHECK(f.cmd({"ZCARD", "z"}) == Reply::Int(4));  // nothing of a failed ZADD is applied
  // Option words are only options before the first score: ZINCRBY with one is a syntax error.
  CHECK(f.cmd({"ZINCRBY", "z", "nx", "a"}) == kSyntax);
  CHECK(f.cmd({"ZINCRBY", "z", "abc", "a"}) == kNotFloat);
  CHECK(f.cmd({"SET", "str", "v"}).is_ok());
  CHECK(f.cmd({"ZADD", "str", "1", "a"}) == kWrongType);
  CHECK(f.cmd({"ZADD", "str", "x", "a"}) == kNotFloat);  // the score is parsed before the lookup
  CHECK(f.cmd({"ZINCRBY", "str", "1", "a"}) == kWrongType);
  CHECK(f.cmd({"ZADD", "z"}) == Reply::Err("ERR wrong number of arguments for 'zadd' command"));
}

TEST_CASE("ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK; an emptied set disappears") {
  Fixture f;
  CHECK(f.cmd({"ZADD", "z", "1", "a", "2", "b", "3", "c"}) == Reply::Int(3));
  CHECK(f.cmd({"ZRANK", "z", "a"}) == Reply::Int(0));
  CHECK(f.cmd({"ZREVRANK", "z", "a"}) == Reply::Int(2));
  CHECK(f.cmd({"ZRANK", "z", "x"}).is_nil());
  CHECK(f.cmd({"ZRANK", "nokey", "x"}).is_nil());
  CHECK(f.cmd({"ZMSCORE", "z", "c", "x", "a"}) ==
        Reply::Arr({Reply::Str("3"), Reply::Nil(), Reply::Str("1")}));
  CHECK(f.cmd({"ZMSCORE", "nokey", "a", "b"}) == Reply::Arr({Reply::Nil(), Reply::Nil()}));
  CHECK(f.cmd({"ZSCORE", "nokey", "a"}).is_nil());
  CHECK(f.cmd({"ZCARD", "nokey"}) == Reply::Int(0));
  CHECK(f.cmd({"ZREM", "z", "a", "x", "a"}) == Reply::Int(1));
  CHECK(f.cmd({"ZREM", "nokey", "a"}) == Reply::Int(0));
  CHECK(f.cmd({"ZREM", "z", "b", "c"}) == Reply::Int(2));
  CHECK(f.cmd({"EXISTS", "z"}) == Reply::Int(0));
  CHECK(f.cmd({"SET", "s", "v"}).is_ok());
  for (auto cmd : {"ZREM", "ZSCORE", "ZRANK", "ZREVRANK", "ZMSCORE"})
    CHECK(f.cmd({cmd, "s", "a"}) == kWrongType);
  CHECK(f.cmd({"ZCARD", "s"}) == kWrongType);
}

TEST_CASE("encodings: listpack to skiplist exactly at the limits, never back; *STORE packs back") {
  Fixture f;
  std::vector<std::string> args = {"ZADD", "z"};
  for (int i = 0; i < 128; i++) {
    args.push_back(std::to_string(i));
    args.push_back(named("m", i));
  }
  CHECK(f.cmd(args) == Reply::Int(128));
  CHECK(encoding(f, "z") == Reply::Str("listpack"));
  CHECK(f.cmd({"ZADD", "z", "1000", "m1000"}) == Reply::Int(1));
  CHECK(encoding(f, "z") == Reply::Str("skiplist"));
  CHECK(f.cmd({"ZREMRANGEBYRANK", "z", "0", "-3"}) == Reply::Int(127));
  CHECK(encoding(f, "z") == Reply::Str("skiplist"));
  // A *STORE result that fits is packed again.
  CHECK(f.cmd({"ZUNIONSTORE", "u", "1", "z"}) == Reply::Int(2));
  CHECK(encoding(f, "u") == Reply::Str("listpack"));
  CHECK(f.cmd({"ZRANGESTORE", "r", "z", "0", "-1"}) == Reply::Int(2));
  CHECK(encoding(f, "r") == Reply::Str("listpack"));
  // A member longer than zset-max-listpack-value converts, also as the first member.
  CHECK(f.cmd({"ZADD", "v", "1", std::string(64, 'x')}) == Reply::Int(1));
  CHECK(encoding(f, "v") == Reply::Str("listpack"));
  CHECK(f.cmd({"ZADD", "v", "1", std::string(65, 'y')}) == Reply::Int(1));
  CHECK(encoding(f, "v") == Reply::Str("skiplist"));
  CHECK(f.cmd({"ZADD", "w", "1", std::string(65, 'y'), "2", "short"}) == Reply::Int(2));
  CHECK(encoding(f, "w") == Reply::Str("skiplist"));
  CHECK(f.cmd({"ZADD", "w2", "1", "short", "2", std::string(65, 'y')}) == Reply::Int(2));
  CHECK(encoding(f, "w2") == Reply::Str("skiplist"));
  // With the limits changed at run time.
  CHECK(f.cmd({"CONFIG", "SET", "zset-max-listpack-entries", "0"}).is_ok());
  CHECK(f.cmd({"ZADD", "zero", "1", "a"}) == Reply::Int(1));
  CHECK(encoding(f, "zero") == Reply::Str("skiplist"));
  CHECK(f.cmd({"ZUNIONSTORE", "u0", "1", "zero"}) == Reply::Int(1));
  CHECK(encoding(f, "u0") == Reply::Str("skiplist"));
  CHECK(f.cmd({"CONFIG", "SET", "zset-max-listpack-entries", "2"}).is_ok());
  CHECK(f.cmd({"ZADD", "two", "1", "a", "2", "b"}) == Reply::Int(2));
  CHECK(encoding(f, "two") == Reply::Str("listpack"));
  CHECK(f.cmd({"ZINCRBY", "two", "1", "c"}) == Reply::Str("1"));
  CHECK(encoding(f, "two") == Reply::Str("skiplist"));
  CHECK(all(f, "two") == Reply::StrArr({"a", "1", "c", "1", "b", "2"}));
  CHECK(f.cmd({"CONFIG", "SET", "zset-max-listpack-entries", "128"}).is_ok());
  CHECK(f.cmd({"CONFIG", "SET", "zset-max-listpack-value", "3"}).is_ok());
  CHECK(f.cmd({"ZADD", "val", "1", "abcd"}) == Reply::Int(1));
  CHECK(encoding(f, "val") == Reply::Str("skiplist"));
  CHECK(f.cmd({"CONFIG", "SET", "zset-max-listpack-value", "64"}).is_ok());
  // -0 keeps its sign only in a skiplist (a listpack stores it as the integer 0).
  CHECK(f.cmd({"ZADD", "val", "-0", "neg"}) == Reply::Int(1));
  CHECK(f.cmd({"ZSCORE", "val", "neg"}) == Reply::Str("-0"));
  // COPY clones, RENAME moves: both keep the encoding.
  CHECK(f.cmd({"COPY", "val", "val2"}) == Reply::Int(1));
  CHECK(encoding(f, "val2") == Reply::Str("skiplist"));
  CHECK(f.cmd({"ZREM", "val2", "neg"}) == Reply::Int(1));
  CHECK(f.cmd({"ZCARD", "val"}) == Reply::Int(2));
  CHECK(f.cmd({"RENAME", "two", "three"}).is_ok());
  CHECK(all(f, "three") == Reply::StrArr({"a", "1", "c", "1", "b", "2"}));
}

TEST_CASE("ZRANGE by rank, score and lex, forwards and REV, LIMIT, WITHSCORES") {
  Fixture f;
  CHECK(f.cmd({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"}) == Reply::Int(5));
  CHECK(f.cmd({"ZRANGE", "z", "1", "3"}) == Reply::StrArr({"b", "c", "d"}));
  CHECK(f.cmd({"ZRANGE", "z", "-2", "100"}) == Reply::StrArr({"d", "e"}));
  CHECK(f.cmd({"ZRANGE", "z", "3", "1"}) == kEmpty);
  CHECK(f.cmd({"ZRANGE", "z", "-100", "0"}) == Reply::StrArr({"a"}));
  CHECK(f.cmd({"ZRANGE", "z", "0", "1", "REV", "WITHSCORES"}) ==
        Reply::StrArr({"e", "5", "d", "4"}));
  CHECK(f.cmd({"ZREVRANGE", "z", "0", "1"}) == Reply::StrArr({"e", "d"}));
  CHECK(f.cmd({"ZRANGE", "z", "(1", "4", "BYSCORE"}) == Reply::StrArr({"b", "c", "d"}));
  CHECK(f.cmd({"ZRANGE", "z", "4", "(1", "BYSCORE", "REV", "LIMIT", "1", "2"}) ==
        Reply::StrArr({"c", "b"}));
  CHECK(f.cmd({"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "3", "-1"}) ==
        Reply::StrArr({"d", "e"}));
  CHECK(f.cmd({"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "-1", "3"}) == kEmpty);
  CHECK(f.cmd({"ZRANGEBYSCORE", "z", "2", "3", "WITHSCORES"}) ==
        Reply::StrArr({"b", "2", "c", "3"}));
  CHECK(f.cmd({"ZREVRANGEBYSCORE", "z", "(5", "(2"}) == Reply::StrArr({"d", "c"}));
  CHECK(f.cmd({"ZRANGEBYSCORE", "z", "(2", "(2"}) == kEmpty);
  CHECK(f.cmd({"ZRANGEBYSCORE", "z", "", "1"}) == Reply::StrArr({"a"}));  // "" is 0 to strtod
  CHECK(f.cmd({"ZRANGEBYSCORE", "z", " 4", "inf"}) == Reply::StrArr({"d", "e"}));
  CHECK(f.cmd({"ZCOUNT", "z", "(1", "(5"}) == Reply::Int(3));
  CHECK(f.cmd({"ZCOUNT", "nokey", "0", "1"}) == Reply::Int(0));

  CHECK(f.cmd({"ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e"}) == Reply::Int(5));
  CHECK(f.cmd({"ZRANGEBYLEX", "l", "[b", "(d"}) == Reply::StrArr({"b", "c"}));
  CHECK(f.cmd({"ZRANGEBYLEX", "l", "-", "+", "LIMIT", "1", "2"}) == Reply::StrArr({"b", "c"}));
  CHECK(f.cmd({"ZREVRANGEBYLEX", "l", "+", "(c"}) == Reply::StrArr({"e", "d"}));
  CHECK(f.cmd({"ZRANGE", "l", "[e", "-", "BYLEX", "REV", "LIMIT", "0", "2"}) ==
        Reply::StrArr({"e", "d"}));
  CHECK(f.cmd({"ZLEXCOUNT", "l", "(a", "[c"}) == Reply::Int(2));
  CHECK(f.cmd({"ZLEXCOUNT", "l", "+", "-"}) == Reply::Int(0));

  // Errors, in Redis's order.
  CHECK(f.cmd({"ZRANGE", "z", "0", "1", "LIMIT", "0", "1"}) ==
        Reply::Err("ERR syntax error, LIMIT is only supported in combination with either "
                   "BYSCORE or BYLEX"));
  CHECK(f.cmd({"ZRANGE", "z", "0", "-1", "LIMIT", "0", "-1"}).is_array());  // -1 is "no limit"
  CHECK(f.cmd({"ZRANGE", "l", "-", "+", "BYLEX", "WITHSCORES"}) ==
        Reply::Err("ERR syntax error, WITHSCORES not supported in combination with BYLEX"));
  CHECK(f.cmd({"ZRANGEBYLEX", "l", "-", "+", "WITHSCORES"}) ==
        Reply::Err("ERR syntax error, WITHSCORES not supported in combination with BYLEX"));
  CHECK(f.cmd({"ZRANGE", "z", "0", "1", "REV", "REV"}) == kSyntax);
  CHECK(f.cmd({"ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX"}) == kSyntax);
  CHECK(f.cmd({"ZRANGEBYSCORE", "z", "0", "1", "BYSCORE"}) == kSyntax);
  CHECK(f.cmd({"ZRANGEBYSCORE", "z", "0", "1", "LIMIT", "1"}) == kSyntax);
  CHECK(f.cmd({"ZRANGE", "z", "a", "1"}) == kNotInt);
  CHECK(f.cmd({"ZRANGE", "z", "0", "1", "BYSCORE", "LIMIT", "x", "1"}) == kNotInt);
  CHECK(f.cmd({"ZRANGE", "z", "x", "1", "BYSCORE"}) == kRangeFloat);
  CHECK(f.cmd({"ZRANGEBYSCORE", "z", "1 ", "2"}) == kRangeFloat);
  CHECK(f.cmd({"ZRANGEBYSCORE", "z", "nan", "2"}) == kRangeFloat);
  CHECK(f.cmd({"ZRANGEBYSCORE", "z", "[1", "2"}) == kRangeFloat);
  CHECK(f.cmd({"ZCOUNT", "z", "(", "x"}) == kRangeFloat);
  CHECK(f.cmd({"ZRANGEBYLEX", "l", "a", "+"}) == kRangeLex);
  CHECK(f.cmd({"ZRANGEBYLEX", "l", "-", "+x"}) == kRangeLex);
  CHECK(f.cmd({"ZLEXCOUNT", "l", "", "+"}) == kRangeLex);
  CHECK(f.cmd({"ZRANGE", "nokey", "0", "-1"}) == kEmpty);
  CHECK(f.cmd({"SET", "s", "v"}).is_ok());
  CHECK(f.cmd({"ZRANGE", "s", "0", "-1"}) == kWrongType);
  CHECK(f.cmd({"ZRANGE", "s", "x", "-1"}) == kNotInt);  // arguments first, then the key
  CHECK(f.cmd({"ZCOUNT", "s", "x", "1"}) == kRangeFloat);
  CHECK(f.cmd({"ZLEXCOUNT", "s", "-", "+"}) == kWrongType);
}

TEST_CASE("ZRANGE over a skiplist: ranks, scores, lex and reverse walks across many members") {
  Fixture f;
  std::vector<std::string> args = {"ZADD", "z"};
  for (int i = 0; i < 300; i++) {
    args.push_back(std::to_string(i / 2));
    args.push_back(named("m", 1000 + i));
  }
  CHECK(f.cmd(args) == Reply::Int(300));
  CHECK(encoding(f, "z") == Reply::Str("skiplist"));
  CHECK(f.cmd({"ZRANGE", "z", "297", "-1"}) == Reply::StrArr({"m1297", "m1298", "m1299"}));
  CHECK(f.cmd({"ZREVRANGE", "z", "0", "1", "WITHSCORES"}) ==
        Reply::StrArr({"m1299", "149", "m1298", "149"}));
  CHECK(f.cmd({"ZRANGEBYSCORE", "z", "(100", "101", "WITHSCORES"}) ==
        Reply::StrArr({"m1202", "101", "m1203", "101"}));
  CHECK(f.cmd({"ZREVRANGEBYSCORE", "z", "+inf", "-inf", "LIMIT", "297", "10"}) ==
        Reply::StrArr({"m1002", "m1001", "m1000"}));
  CHECK(f.cmd({"ZCOUNT", "z", "10", "(20"}) == Reply::Int(20));
  CHECK(f.cmd({"ZRANK", "z", "m1150"}) == Reply::Int(150));
  CHECK(f.cmd({"ZREVRANK", "z", "m1150"}) == Reply::Int(149));

  args = {"ZADD", "l"};
  for (int i = 0; i < 200; i++) {
    args.push_back("0");
    args.push_back(named("k", 100 + i));
  }
  CHECK(f.cmd(args) == Reply::Int(200));
  CHECK(f.cmd({"ZLEXCOUNT", "l", "[k150", "(k160"}) == Reply::Int(10));
  CHECK(f.cmd({"ZRANGEBYLEX", "l", "(k297", "+"}) == Reply::StrArr({"k298", "k299"}));
  CHECK(f.cmd({"ZREVRANGEBYLEX", "l", "[k102", "-", "LIMIT", "1", "5"}) ==
        Reply::StrArr({"k101", "k100"}));
  CHECK(f.cmd({"ZREMRANGEBYLEX", "l", "[k110", "[k189"}) == Reply::Int(80));
  CHECK(f.cmd({"ZCARD", "l"}) == Reply::Int(120));
  CHECK(f.cmd({"ZREMRANGEBYSCORE", "z", "(10", "+inf"}) == Reply::Int(278));
  CHECK(f.cmd({"ZREMRANGEBYRANK", "z", "1", "-2"}) == Reply::Int(20));
  CHECK(f.cmd({"ZRANGE", "z", "0", "-1"}) == Reply::StrArr({"m1000", "m1021"}));
}

TEST_CASE("ZRANGESTORE and ZREMRANGEBY*: results, deleted destinations, errors") {
  Fixture f;
  CHECK(f.cmd({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"}) == Reply::Int(4));
  CHECK(f.cmd({"ZRANGESTORE", "d", "z", "1", "2"}) == Reply::Int(2));
  CHECK(all(f, "d") == Reply::StrArr({"b", "2", "c", "3"}));
  CHECK(f.cmd({"ZRANGESTORE", "d", "z", "(4", "2", "BYSCORE", "REV", "LIMIT", "0", "1"}) ==
        Reply::Int(1));
  CHECK(all(f, "d") == Reply::StrArr({"c", "3"}));
  CHECK(f.cmd({"SET", "s", "v"}).is_ok());
  CHECK(f.cmd({"ZRANGESTORE", "s", "z", "0", "0"}) == Reply::Int(1));  // overwrites any type
  CHECK(f.cmd({"TYPE", "s"}) == Reply::Status("zset"));
  CHECK(f.cmd({"ZRANGESTORE", "d", "z", "10", "20"}) == Reply::Int(0));
  CHECK(f.cmd({"EXISTS", "d"}) == Reply::Int(0));  // an empty result deletes the destination
  CHECK(f.cmd({"ZRANGESTORE", "s", "nokey", "0", "-1"}) == Reply::Int(0));
  CHECK(f.cmd({"EXISTS", "s"}) == Reply::Int(0));
  CHECK(f.cmd({"ZRANGESTORE", "z", "z", "0", "1"}) == Reply::Int(2));  // onto itself
  CHECK(all(f, "z") == Reply::StrArr({"a", "1", "b", "2"}));
  CHECK(f.cmd({"ZRANGESTORE", "d", "z", "0", "1", "WITHSCORES"}) == kSyntax);
  CHECK(f.cmd({"SET", "str", "v"}).is_ok());
  CHECK(f.cmd({"ZRANGESTORE", "d", "str", "0", "1"}) == kWrongType);

  CHECK(f.cmd({"ZADD", "r", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"}) == Reply::Int(5));
  CHECK(f.cmd({"ZREMRANGEBYRANK", "r", "-2", "-1"}) == Reply::Int(2));
  CHECK(f.cmd({"ZREMRANGEBYRANK", "r", "5", "10"}) == Reply::Int(0));
  CHECK(f.cmd({"ZREMRANGEBYSCORE", "r", "(1", "2"}) == Reply::Int(1));
  CHECK(f.cmd({"ZREMRANGEBYLEX", "r", "-", "[a"}) == Reply::Int(1));
  CHECK(f.cmd({"ZRANGE", "r", "0", "-1"}) == Reply::StrArr({"c"}));
  CHECK(f.cmd({"ZREMRANGEBYSCORE", "r", "-inf", "+inf"}) == Reply::Int(1));
  CHECK(f.cmd({"EXISTS", "r"}) == Reply::Int(0));
  CHECK(f.cmd({"ZREMRANGEBYRANK", "r", "x", "1"}) == kNotInt);
  CHECK(f.cmd({"ZREMRANGEBYSCORE", "str", "x", "1"}) == kRangeFloat);
  CHECK(f.cmd({"ZREMRANGEBYLEX", "str", "-", "+"}) == kWrongType);
  CHECK(f.cmd({"ZREMRANGEBYLEX", "nokey", "-", "+"}) == Reply::Int(0));
}

TEST_CASE("ZPOPMIN, ZPOPMAX and ZMPOP: counts, shapes, errors") {
  Fixture f;
  CHECK(f.cmd({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"}) == Reply::Int(4));
  CHECK(f.cmd({"ZPOPMIN", "z"}) == Reply::StrArr({"a", "1"}));
  CHECK(f.cmd({"ZPOPMAX", "z", "2"}) == Reply::StrArr({"d", "4", "c", "3"}));
  CHECK(f.cmd({"ZPOPMIN", "z", "0"}) == kEmpty);
  CHECK(f.cmd({"ZPOPMIN", "z", "10"}) == Reply::StrArr({"b", "2"}));
  CHECK(f.cmd({"EXISTS", "z"}) == Reply::Int(0));
  CHECK(f.cmd({"ZPOPMIN", "z"}) == kEmpty);
  const Reply positive = Reply::Err("ERR value is out of range, must be positive");
  CHECK(f.cmd({"ZPOPMIN", "z", "-1"}) == positive);
  CHECK(f.cmd({"ZPOPMIN", "z", "abc"}) == positive);
  CHECK(f.cmd({"ZPOPMIN", "z", "1", "2"}) == kSyntax);

  CHECK(f.cmd({"ZADD", "b", "1", "x", "2", "y", "3", "z"}) == Reply::Int(3));
  CHECK(f.cmd({"ZMPOP", "2", "a", "b", "MAX", "COUNT", "2"}) ==
        Reply::Arr(
            {Reply::Str("b"), Reply::Arr({Reply::StrArr({"z", "3"}), Reply::StrArr({"y", "2"})})}));
  CHECK(f.cmd({"ZMPOP", "1", "b", "min"}) ==
        Reply::Arr({Reply::Str("b"), Reply::Arr({Reply::StrArr({"x", "1"})})}));
  CHECK(f.cmd({"ZMPOP", "2", "a", "b", "MIN"}).is_nil());
  CHECK(f.cmd({"ZMPOP", "0", "a", "MIN"}) == Reply::Err("ERR numkeys should be greater than 0"));
  CHECK(f.cmd({"ZMPOP", "x", "a", "MIN"}) == Reply::Err("ERR numkeys should be greater than 0"));
  CHECK(f.cmd({"ZMPOP", "2", "a", "MIN"}) == kSyntax);
  CHECK(f.cmd({"ZMPOP", "1", "a", "MID"}) == kSyntax);
  CHECK(f.cmd({"ZMPOP", "1", "a", "MIN", "COUNT", "0"}) ==
        Reply::Err("ERR count should be greater than 0"));
  CHECK(f.cmd({"ZMPOP", "1", "a", "MIN", "COUNT", "1", "COUNT", "1"}) == kSyntax);
  CHECK(f.cmd({"ZMPOP", "1", "a", "MIN", "COUNT"}) == kSyntax);
  CHECK(f.cmd({"SET", "s", "v"}).is_ok());
  CHECK(f.cmd({"ZMPOP", "2", "s", "b", "MIN"}) == kWrongType);
  CHECK(f.cmd({"ZPOPMAX", "s"}) == kWrongType);
}

TEST_CASE("RESP3 shapes: pairs for WITHSCORES, doubles, nulls") {
  Fixture f;
  RawConnection r(f.server.port());
  CHECK(raw(r, {"HELLO", "3"}).substr(0, 1) == "%");
  CHECK(raw(r, {"ZADD", "z", "1", "a", "2.5", "b", "1e18", "c"}) == ":3\r\n");
  const std::string pair_a = "*2\r\n" + bulk("a") + dbl("1");
  const std::string pair_b = "*2\r\n" + bulk("b") + dbl("2.5");
  const std::string pair_c = "*2\r\n" + bulk("c") + dbl("1e+18");
  CHECK(raw(r, {"ZRANGE", "z", "0", "-1", "WITHSCORES"}) == "*3\r\n" + pair_a + pair_b + pair_c);
  CHECK(raw(r, {"ZRANGE", "z", "0", "0"}) == "*1\r\n" + bulk("a"));
  CHECK(raw(r, {"ZREVRANGEBYSCORE", "z", "inf", "2", "WITHSCORES"}) == "*2\r\n" + pair_c + pair_b);
  CHECK(raw(r, {"ZSCORE", "z", "b"}) == dbl("2.5"));
  CHECK(raw(r, {"ZSCORE", "z", "x"}) == "_\r\n");
  CHECK(raw(r, {"ZMSCORE", "z", "a", "x"}) == "*2\r\n" + dbl("1") + "_\r\n");
  CHECK(raw(r, {"ZINCRBY", "z", "0.5", "a"}) == dbl("1.5"));
  CHECK(raw(r, {"ZADD", "z", "NX", "INCR", "1", "a"}) == "_\r\n");
  CHECK(raw(r, {"ZRANK", "z", "x"}) == "_\r\n");
  CHECK(raw(r, {"ZUNION", "1", "z", "WITHSCORES"}) ==
        "*3\r\n*2\r\n" + bulk("a") + dbl("1.5") + pair_b + pair_c);
  CHECK(raw(r, {"ZPOPMIN", "z"}) == "*2\r\n" + bulk("a") + dbl("1.5"));  // no count: flat
  CHECK(raw(r, {"ZPOPMIN", "z", "1"}) == "*1\r\n" + pair_b);             // a count: nested
  CHECK(raw(r, {"ZPOPMIN", "nokey"}) == "*0\r\n");
  CHECK(raw(r, {"ZADD", "z", "7", "d"}) == ":1\r\n");
  CHECK(raw(r, {"ZMPOP", "1", "z", "MAX"}) == "*2\r\n" + bulk("z") + "*1\r\n" + pair_c);
  CHECK(raw(r, {"ZMPOP", "1", "nokey", "MAX"}) == "_\r\n");
  CHECK(raw(r, {"ZRANDMEMBER", "z", "1", "WITHSCORES"}) == "*1\r\n*2\r\n" + bulk("d") + dbl("7"));
  CHECK(raw(r, {"ZRANDMEMBER", "nokey"}) == "_\r\n");
  CHECK(raw(r, {"ZSCAN", "z", "0"}) == "*2\r\n" + bulk("0") + "*2\r\n" + bulk("d") + bulk("7"));
  CHECK(raw(r, {"BZPOPMIN", "z", "0"}) == "*3\r\n" + bulk("z") + bulk("d") + dbl("7"));
  CHECK(raw(r, {"ZADD", "z", "inf", "i", "-inf", "j"}) == ":2\r\n");
  CHECK(raw(r, {"ZRANGE", "z", "0", "-1", "WITHSCORES"}) ==
        "*2\r\n*2\r\n" + bulk("j") + dbl("-inf") + "*2\r\n" + bulk("i") + dbl("inf"));
  CHECK(raw(r, {"BZMPOP", "0", "1", "z", "MIN", "COUNT", "5"}) ==
        "*2\r\n" + bulk("z") + "*2\r\n*2\r\n" + bulk("j") + dbl("-inf") + "*2\r\n" + bulk("i") +
            dbl("inf"));
  CHECK(raw(r, {"BZPOPMAX", "z", "0.01"}) == "_\r\n");
  CHECK(raw(r, {"BZMPOP", "0.01", "1", "z", "MIN"}) == "_\r\n");
}

TEST_CASE("RESP2 score text: %.17g for replies, ZSCAN of a listpack shows its integers") {
  Fixture f;
  CHECK(f.cmd({"ZADD", "z", "0.1", "a", "1e18", "b", "123456789012345678", "c", "1.5e-10", "d",
               "5e18", "e"}) == Reply::Int(5));
  CHECK(all(f, "z") == Reply::StrArr({"d", "1.5e-10", "a", "0.10000000000000001", "c",
                                      "1.2345678901234568e+17", "b", "1e+18", "e", "5e+18"}));
  // A listpack keeps integral scores (within +-2^62) as integers, and ZSCAN shows them so.
  CHECK(f.cmd({"ZSCAN", "z", "0"}) ==
        Reply::Arr({Reply::Str("0"), Reply::StrArr({"d", "1.5e-10", "a", "0.10000000000000001", "c",
                                                    "123456789012345680", "b",
                                                    "1000000000000000000", "e", "5e+18"})}));
  // A skiplist's ZSCAN uses %.17g.
  CHECK(f.cmd({"CONFIG", "SET", "zset-max-listpack-entries", "1"}).is_ok());
  CHECK(f.cmd({"ZADD", "s", "1e18", "b", "2", "x"}) == Reply::Int(2));
  CHECK(encoding(f, "s") == Reply::Str("skiplist"));
  Reply scan = f.cmd({"ZSCAN", "s", "0", "COUNT", "100"});
  REQUIRE(scan.is_array());
  std::set<std::string> pairs;
  for (size_t i = 0; i + 1 < scan.elements[1].elements.size(); i += 2)
    pairs.insert(scan.elements[1].elements[i].str + "=" + scan.elements[1].elements[i + 1].str);
  CHECK(pairs == std::set<std::string>{"b=1e+18", "x=2"});
}

TEST_CASE("ZUNION, ZINTER, ZDIFF and their STORE forms, over sorted and plain sets") {
  Fixture f;
  CHECK(f.cmd({"ZADD", "a", "1", "x", "2", "y", "3", "z"}) == Reply::Int(3));
  CHECK(f.cmd({"ZADD", "b", "10", "y", "20", "z", "30", "w"}) == Reply::Int(3));
  CHECK(f.cmd({"SADD", "s", "z", "w", "v"}) == Reply::Int(3));
  CHECK(f.cmd({"ZUNION", "2", "a", "b", "WITHSCORES"}) ==
        Reply::StrArr({"x", "1", "y", "12", "z", "23", "w", "30"}));
  CHECK(f.cmd({"ZINTER", "2", "a", "b", "WEIGHTS", "2", "0.5", "WITHSCORES"}) ==
        Reply::StrArr({"y", "9", "z", "16"}));
  CHECK(f.cmd({"ZINTER", "2", "a", "b", "AGGREGATE", "MIN", "WITHSCORES"}) ==
        Reply::StrArr({"y", "2", "z", "3"}));
  CHECK(f.cmd({"ZUNION", "3", "a", "b", "s", "AGGREGATE", "MAX", "WITHSCORES"}) ==
        Reply::StrArr({"v", "1", "x", "1", "y", "10", "z", "20", "w", "30"}));
  CHECK(f.cmd({"ZDIFF", "2", "a", "s", "WITHSCORES"}) == Reply::StrArr({"x", "1", "y", "2"}));
  CHECK(f.cmd({"ZDIFF", "2", "s", "a"}) == Reply::StrArr({"v", "w"}));
  CHECK(f.cmd({"ZINTER", "2", "s", "nokey"}) == kEmpty);
  CHECK(f.cmd({"ZUNION", "2", "nokey", "a"}) == Reply::StrArr({"x", "y", "z"}));
  CHECK(f.cmd({"ZINTERCARD", "2", "a", "b"}) == Reply::Int(2));
  CHECK(f.cmd({"ZINTERCARD", "2", "a", "b", "LIMIT", "1"}) == Reply::Int(1));
  CHECK(f.cmd({"ZINTERCARD", "3", "a", "b", "s"}) == Reply::Int(1));
  // inf + -inf sums to 0, weight 0 times inf too.
  CHECK(f.cmd({"ZADD", "p", "inf", "m"}) == Reply::Int(1));
  CHECK(f.cmd({"ZADD", "n", "-inf", "m"}) == Reply::Int(1));
  CHECK(f.cmd({"ZUNION", "2", "p", "n", "WITHSCORES"}) == Reply::StrArr({"m", "0"}));
  CHECK(f.cmd({"ZUNION", "1", "p", "WEIGHTS", "0", "WITHSCORES"}) == Reply::StrArr({"m", "0"}));
  // STORE forms: the count, the destination replaced whatever it was, an empty result deletes it.
  CHECK(f.cmd({"SET", "dst", "v"}).is_ok());
  CHECK(f.cmd({"ZUNIONSTORE", "dst", "2", "a", "b", "WEIGHTS", "1", "2"}) == Reply::Int(4));
  CHECK(all(f, "dst") == Reply::StrArr({"x", "1", "y", "22", "z", "43", "w", "60"}));
  CHECK(f.cmd({"ZINTERSTORE", "dst", "2", "a", "s"}) == Reply::Int(1));
  CHECK(all(f, "dst") == Reply::StrArr({"z", "4"}));
  CHECK(f.cmd({"ZDIFFSTORE", "dst", "1", "a"}) == Reply::Int(3));
  CHECK(f.cmd({"ZINTERSTORE", "dst", "2", "a", "nokey"}) == Reply::Int(0));
  CHECK(f.cmd({"EXISTS", "dst"}) == Reply::Int(0));
  CHECK(f.cmd({"ZUNIONSTORE", "a", "2", "a", "a"}) == Reply::Int(3));  // a source as destination
  CHECK(all(f, "a") == Reply::StrArr({"x", "2", "y", "4", "z", "6"}));

  // Errors, in Redis's order: numkeys, then the keys' types, then the options.
  CHECK(f.cmd({"ZUNION", "0", "a"}) ==
        Reply::Err("ERR at least 1 input key is needed for 'zunion' command"));
  CHECK(f.cmd({"ZINTERSTORE", "d", "-1", "a"}) ==
        Reply::Err("ERR at least 1 input key is needed for 'zinterstore' command"));
  CHECK(f.cmd({"ZUNION", "x", "a"}) == kNotInt);
  CHECK(f.cmd({"ZUNION", "3", "a", "b"}) == kSyntax);
  CHECK(f.cmd({"SET", "str", "v"}).is_ok());
  CHECK(f.cmd({"ZUNION", "2", "a", "str", "BAD"}) == kWrongType);
  CHECK(f.cmd({"ZUNION", "2", "a", "b", "WEIGHTS", "1"}) == kSyntax);
  CHECK(f.cmd({"ZUNION", "2", "a", "b", "WEIGHTS", "1", "x"}) ==
        Reply::Err("ERR weight value is not a float"));
  CHECK(f.cmd({"ZUNION", "1", "a", "AGGREGATE", "AVG"}) == kSyntax);
  CHECK(f.cmd({"ZUNIONSTORE", "d", "1", "a", "WITHSCORES"}) == kSyntax);
  CHECK(f.cmd({"ZDIFF", "1", "a", "WEIGHTS", "1"}) == kSyntax);
  CHECK(f.cmd({"ZINTERCARD", "1", "a", "WITHSCORES"}) == kSyntax);
  CHECK(f.cmd({"ZINTERCARD", "1", "a", "LIMIT", "-1"}) ==
        Reply::Err("ERR LIMIT can't be negative"));
  CHECK(f.cmd({"ZINTERCARD", "1", "a", "LIMIT", "x"}) == Reply::Err("ERR LIMIT can't be negative"));
}

TEST_CASE("ZRANDMEMBER: one, distinct counts, repeats with negative counts, errors") {
  Fixture f;
  CHECK(f.cmd({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"}) == Reply::Int(5));
  const std::set<std::string> members = {"a", "b", "c", "d", "e"};
  for (int i = 0; i < 20; i++) CHECK(members.count(f.cmd({"ZRANDMEMBER", "z"}).str) == 1);
  for (const char* n : {"1", "2", "3", "4"}) {
    Reply r = f.cmd({"ZRANDMEMBER", "z", n});
    REQUIRE(r.is_array());
    std::set<std::string> got;
    for (const Reply& e : r.elements) got.insert(e.str);
    CHECK(got.size() == size_t(std::stoi(n)));  // distinct
    for (const auto& m : got) CHECK(members.count(m) == 1);
  }
  // A count past the size: the whole set (in an unspecified order).
  Reply whole = f.cmd({"ZRANDMEMBER", "z", "10", "WITHSCORES"});
  REQUIRE(whole.is_array());
  std::set<std::string> pairs;
  for (size_t i = 0; i + 1 < whole.elements.size(); i += 2)
    pairs.insert(whole.elements[i].str + "=" + whole.elements[i + 1].str);
  CHECK(pairs == std::set<std::string>{"a=1", "b=2", "c=3", "d=4", "e=5"});
  Reply rep = f.cmd({"ZRANDMEMBER", "z", "-20", "WITHSCORES"});
  REQUIRE(rep.is_array());
  CHECK(rep.elements.size() == 40);
  for (size_t i = 0; i < 40; i += 2)
    CHECK(rep.elements[i + 1].str == std::to_string(rep.elements[i].str[0] - 'a' + 1));
  CHECK(f.cmd({"ZRANDMEMBER", "z", "0"}) == kEmpty);
  CHECK(f.cmd({"ZRANDMEMBER", "nokey", "5"}) == kEmpty);
  CHECK(f.cmd({"ZRANDMEMBER", "nokey"}).is_nil());
  CHECK(f.cmd({"ZRANDMEMBER", "z", "1", "WITHSCORE"}) == kSyntax);
  CHECK(f.cmd({"ZRANDMEMBER", "z", "x"}) == kNotInt);
  CHECK(f.cmd({"ZRANDMEMBER", "z", "-9223372036854775808"}) ==
        Reply::Err("ERR value is out of range, value must between -9223372036854775807 and "
                   "9223372036854775807"));
  CHECK(f.cmd({"ZRANDMEMBER", "z", "4611686018427387904", "WITHSCORES"}) ==
        Reply::Err("ERR value is out of range"));
  CHECK(f.cmd({"SET", "s", "v"}).is_ok());
  CHECK(f.cmd({"ZRANDMEMBER", "s", "1"}) == kWrongType);
  // A skiplist, sampled both ways.
  std::vector<std::string> args = {"ZADD", "big"};
  for (int i = 0; i < 200; i++) {
    args.push_back(std::to_string(i));
    args.push_back(named("m", i));
  }
  CHECK(f.cmd(args) == Reply::Int(200));
  for (const char* n : {"10", "150"}) {
    Reply r = f.cmd({"ZRANDMEMBER", "big", n});
    std::set<std::string> got;
    for (const Reply& e : r.elements) got.insert(e.str);
    CHECK(got.size() == size_t(std::stoi(n)));
  }
}

TEST_CASE("ZSCAN: a skiplist iterated to the end returns every member once with its score") {
  Fixture f;
  std::vector<std::string> args = {"ZADD", "z"};
  for (int i = 0; i < 500; i++) {
    args.push_back(std::to_string(i));
    args.push_back(named("m", i));
  }
  CHECK(f.cmd(args) == Reply::Int(500));
  std::set<std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    Reply r = f.cmd({"ZSCAN", "z", cursor, "COUNT", "20"});
    REQUIRE(r.is_array());
    cursor = r.elements[0].str;
    const auto& items = r.elements[1].elements;
    REQUIRE(items.size() % 2 == 0);
    for (size_t i = 0; i < items.size(); i += 2) {
      CHECK(items[i].str == named("m", std::stoi(items[i + 1].str)));
      seen.insert(items[i].str);
    }
    calls++;
  } while (cursor != "0" && calls < 1000);
  CHECK(seen.size() == 500);
  CHECK(calls > 1);
  // MATCH filters members; a missing key is an empty scan; errors.
  Reply m = f.cmd({"ZSCAN", "z", "0", "MATCH", "m49?", "COUNT", "1000"});
  CHECK(m.elements[1].elements.size() == 20);
  CHECK(f.cmd({"ZSCAN", "nokey", "0", "BAD"}) == Reply::Arr({Reply::Str("0"), kEmpty}));
  CHECK(f.cmd({"ZSCAN", "z", "x"}) == Reply::Err("ERR invalid cursor"));
  CHECK(f.cmd({"ZSCAN", "z", "0", "COUNT", "0"}) == kSyntax);
  CHECK(f.cmd({"ZSCAN", "z", "0", "BAD"}) == kSyntax);
  CHECK(f.cmd({"SET", "s", "v"}).is_ok());
  CHECK(f.cmd({"ZSCAN", "s", "0"}) == kWrongType);
}

TEST_CASE("BZPOPMIN/BZPOPMAX/BZMPOP serve at once when a set is there") {
  Fixture f;
  CHECK(f.cmd({"ZADD", "b", "1", "x", "2", "y", "3", "z"}) == Reply::Int(3));
  CHECK(f.cmd({"BZPOPMIN", "a", "b", "0"}) == Reply::StrArr({"b", "x", "1"}));
  CHECK(f.cmd({"BZPOPMAX", "b", "0"}) == Reply::StrArr({"b", "z", "3"}));
  CHECK(f.cmd({"BZMPOP", "1", "2", "a", "b", "MIN", "COUNT", "5"}) ==
        Reply::Arr({Reply::Str("b"), Reply::Arr({Reply::StrArr({"y", "2"})})}));
  CHECK(f.cmd({"EXISTS", "b"}) == Reply::Int(0));
  // Errors: the timeout first for BZPOPMIN, after numkeys / MIN|MAX / COUNT for BZMPOP.
  CHECK(f.cmd({"BZPOPMIN", "a", "-1"}) == Reply::Err("ERR timeout is negative"));
  CHECK(f.cmd({"BZPOPMIN", "a", "x"}) == Reply::Err("ERR timeout is not a float or out of range"));
  CHECK(f.cmd({"BZMPOP", "-1", "1", "a", "MIN"}) == Reply::Err("ERR timeout is negative"));
  CHECK(f.cmd({"BZMPOP", "-1", "1", "a", "MIN", "COUNT", "0"}) ==
        Reply::Err("ERR count should be greater than 0"));
  CHECK(f.cmd({"BZMPOP", "x", "0", "a", "MIN"}) ==
        Reply::Err("ERR numkeys should be greater than 0"));
  CHECK(f.cmd({"BZMPOP", "0", "2", "a", "MIN"}) == kSyntax);
  CHECK(f.cmd({"SET", "s", "v"}).is_ok());
  CHECK(f.cmd({"BZPOPMIN", "s", "a", "0"}) == kWrongType);
  CHECK(f.cmd({"BZMPOP", "0", "1", "s", "MAX"}) == kWrongType);
  // Timeouts reply a null array.
  CHECK(f.cmd({"BZPOPMIN", "none", "0.01"}).is_nil());
  CHECK(f.cmd({"BZMPOP", "0.01", "1", "none", "MAX"}).is_nil());
  CHECK(blocked_clients(f) == 0);
}

TEST_CASE("BZPOPMIN blocks until another client adds, then takes the lowest member") {
  Fixture f(workers(2));
  RawConnection waiter(f.server.port());
  REQUIRE(waiter.send(resp({"BZPOPMIN", "k1", "k2", "0"})));
  REQUIRE(wait_blocked(f, 1));
  CHECK(f.cmd({"ZADD", "k2", "5", "five", "1", "one"}) == Reply::Int(2));
  CHECK(waiter.read_reply() == "*3\r\n" + bulk("k2") + bulk("one") + bulk("1"));
  CHECK(all(f, "k2") == Reply::StrArr({"five", "5"}));
  CHECK(blocked_clients(f) == 0);

  // BZPOPMAX is woken by ZINCRBY creating the key, BZMPOP by a ZUNIONSTORE destination.
  REQUIRE(waiter.send(resp({"BZPOPMAX", "q", "0"})));
  REQUIRE(wait_blocked(f, 1));
  CHECK(f.cmd({"ZINCRBY", "q", "2.5", "m"}) == Reply::Str("2.5"));
  CHECK(waiter.read_reply() == "*3\r\n" + bulk("q") + bulk("m") + bulk("2.5"));
  REQUIRE(waiter.send(resp({"BZMPOP", "0", "1", "dst", "MAX", "COUNT", "10"})));
  REQUIRE(wait_blocked(f, 1));
  CHECK(f.cmd({"ZUNIONSTORE", "dst", "1", "k2"}) == Reply::Int(1));
  CHECK(waiter.read_reply() == "*2\r\n" + bulk("dst") + "*1\r\n*2\r\n" + bulk("five") + bulk("5"));
  CHECK(f.cmd({"EXISTS", "dst"}) == Reply::Int(0));

  // A key that turned into another type meanwhile is passed over, as in Redis.
  REQUIRE(waiter.send(resp({"BZPOPMIN", "x", "y", "0"})));
  REQUIRE(wait_blocked(f, 1));
  CHECK(f.cmd({"SET", "x", "str"}).is_ok());
  CHECK(f.cmd({"ZADD", "y", "1", "v"}) == Reply::Int(1));
  CHECK(waiter.read_reply() == "*3\r\n" + bulk("y") + bulk("v") + bulk("1"));
  CHECK(blocked_clients(f) == 0);
}

TEST_CASE("BZPOPMAX from a second client on another thread; two waiters served in order") {
  Fixture f(workers(2));
  Reply got;
  std::thread t([&] {
    Client c2(f.server.port());
    got = c2.cmd({"BZPOPMAX", "jobs", "10"});
  });
  REQUIRE(wait_blocked(f, 1));
  CHECK(f.cmd({"ZADD", "jobs", "1", "low", "9", "high"}) == Reply::Int(2));
  t.join();
  CHECK(got == Reply::StrArr({"jobs", "high", "9"}));
  CHECK(all(f, "jobs") == Reply::StrArr({"low", "1"}));
  CHECK(f.cmd({"DEL", "jobs"}) == Reply::Int(1));

  RawConnection first(f.server.port()), second(f.server.port());
  REQUIRE(first.send(resp({"BZPOPMIN", "jobs", "0"})));
  REQUIRE(wait_blocked(f, 1));
  REQUIRE(second.send(resp({"BZMPOP", "0", "1", "jobs", "MIN", "COUNT", "2"})));
  REQUIRE(wait_blocked(f, 2));
  CHECK(f.cmd({"ZADD", "jobs", "1", "a", "2", "b", "3", "c"}) == Reply::Int(3));
  CHECK(first.read_reply() == "*3\r\n" + bulk("jobs") + bulk("a") + bulk("1"));
  CHECK(second.read_reply() == "*2\r\n" + bulk("jobs") + "*2\r\n*2\r\n" + bulk("b") + bulk("2") +
                                   "*2\r\n" + bulk("c") + bulk("3"));
  CHECK(f.cmd({"EXISTS", "jobs"}) == Reply::Int(0));
  CHECK(blocked_clients(f) == 0);
}

TEST_CASE("a blocked BZPOPMIN times out with a null array, in RESP2 and RESP3") {
  Fixture f(workers(2));
  RawConnection r(f.server.port());
  CHECK(raw(r, {"BZPOPMIN", "none", "0.02"}) == "*-1\r\n");
  CHECK(raw(r, {"BZMPOP", "0.02", "2", "none", "other", "MIN"}) == "*-1\r\n");
  CHECK(raw(r, {"HELLO", "3"}).substr(0, 1) == "%");
  CHECK(raw(r, {"BZPOPMAX", "none", "0.02"}) == "_\r\n");
  CHECK(blocked_clients(f) == 0);
}
