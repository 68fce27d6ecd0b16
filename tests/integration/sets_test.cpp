// Set commands over the wire, with Redis 7.0's exact replies and error texts: membership, SPOP and
// SRANDMEMBER in all their count cases, SMOVE, the algebra and its STORE forms (including which
// encoding a result gets, and SDIFF's second algorithm that leaves a hashtable), SINTERCARD,
// SSCAN, the intset/hashtable conversions exactly at set-max-intset-entries, RESP3 reply types,
// memory accounting, and SMOVE's atomicity under concurrent clients on several workers. Every
// expectation was first checked against redis-server 7.0.15 (RESPITE_SERVER_BIN runs them there).
#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

const Reply kWrongType =
    Reply::Err("WRONGTYPE Operation against a key holding the wrong kind of value");
const Reply kSyntax = Reply::Err("ERR syntax error");
const Reply kNotInt = Reply::Err("ERR value is not an integer or out of range");
const Reply kPositive = Reply::Err("ERR value is out of range, must be positive");

// The members of an array reply, sorted (for replies whose order Redis leaves unspecified).
std::vector<std::string> sorted(const Reply& r) {
  std::vector<std::string> out;
  for (const Reply& e : r.elements) out.push_back(e.str);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> strs(std::initializer_list<std::string> v) {
  std::vector<std::string> out(v);
  std::sort(out.begin(), out.end());
  return out;
}

Reply sadd(Fixture& f, const std::string& key, int from, int to) {
  std::vector<std::string> args = {"SADD", key};
  for (int i = from; i <= to; i++) args.push_back(std::to_string(i));
  return f.cmd(args);
}

// Iterates an SSCAN (cursor in args[2]) to its end; every member seen, and how many calls it took.
std::set<std::string> scan_all(Fixture& f, std::vector<std::string> args, int* calls) {
  std::set<std::string> seen;
  *calls = 0;
  do {
    Reply page = f.cmd(args);
    REQUIRE(page.elements.size() == 2);
    args[2] = page.elements[0].str;
    for (const Reply& e : page.elements[1].elements) seen.insert(e.str);
  } while (args[2] != "0" && ++*calls < 10000);
  return seen;
}

Reply encoding(Fixture& f, const std::string& key) {
  return f.cmd({"OBJECT", "ENCODING", key});
}

// Text and a number, appended (GCC 12 warns falsely about "text" + std::to_string(n)).
std::string numbered(std::string text, long long n) {
  text += std::to_string(n);
  return text;
}

}  // namespace

TEST_CASE("SADD, SREM, SCARD, SISMEMBER, SMISMEMBER") {
  Fixture f;
  CHECK(f.cmd({"SADD", "s", "a", "b", "a", "c"}) == Reply::Int(3));
  CHECK(f.cmd({"SADD", "s", "a", "d"}) == Reply::Int(1));
  CHECK(f.cmd({"SCARD", "s"}) == Reply::Int(4));
  CHECK(f.cmd({"SCARD", "missing"}) == Reply::Int(0));
  CHECK(f.cmd({"SISMEMBER", "s", "a"}) == Reply::Int(1));
  CHECK(f.cmd({"SISMEMBER", "s", "z"}) == Reply::Int(0));
  CHECK(f.cmd({"SISMEMBER", "missing", "a"}) == Reply::Int(0));
  CHECK(f.cmd({"SMISMEMBER", "s", "a", "z", "d"}) ==
        Reply::Arr({Reply::Int(1), Reply::Int(0), Reply::Int(1)}));
  CHECK(f.cmd({"SMISMEMBER", "missing", "a", "b"}) == Reply::Arr({Reply::Int(0), Reply::Int(0)}));
  CHECK(f.cmd({"SREM", "s", "a", "z", "a"}) == Reply::Int(1));
  CHECK(f.cmd({"SREM", "missing", "a"}) == Reply::Int(0));
  CHECK(sorted(f.cmd({"SMEMBERS", "s"})) == strs({"b", "c", "d"}));
  // Removing the last member deletes the key.
  CHECK(f.cmd({"SREM", "s", "b", "c", "d", "e"}) == Reply::Int(3));
  CHECK(f.cmd({"EXISTS", "s"}) == Reply::Int(0));
  CHECK(f.cmd({"TYPE", "s"}) == Reply::Status("none"));
  CHECK(f.cmd({"SMEMBERS", "s"}) == Reply::Arr({}));
  // Binary-safe members.
  std::string bin("a\0\r\n\xff", 5);
  CHECK(f.cmd({"SADD", "b", bin, ""}) == Reply::Int(2));
  CHECK(f.cmd({"SISMEMBER", "b", bin}) == Reply::Int(1));
  CHECK(f.cmd({"SISMEMBER", "b", ""}) == Reply::Int(1));
  CHECK(f.cmd({"TYPE", "b"}) == Reply::Status("set"));
}

TEST_CASE("every set command answers WRONGTYPE on another type, and checks its arity") {
  Fixture f;
  REQUIRE(f.cmd({"SET", "str", "v"}) == OK());
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
           {"SADD", "str", "a"},
           {"SREM", "str", "a"},
           {"SISMEMBER", "str", "a"},
           {"SMISMEMBER", "str", "a"},
           {"SMEMBERS", "str"},
           {"SCARD", "str"},
           {"SPOP", "str"},
           {"SPOP", "str", "0"},
           {"SRANDMEMBER", "str"},
           {"SRANDMEMBER", "str", "0"},
           {"SINTER", "str"},
           {"SINTERCARD", "1", "str"},
           {"SINTERSTORE", "d", "str"},
           {"SUNION", "str"},
           {"SUNIONSTORE", "d", "str"},
           {"SDIFF", "str"},
           {"SDIFFSTORE", "d", "str"},
           {"SSCAN", "str", "0"},
           {"SSCAN", "str", "0", "COUNT", "0"},  // the type is checked before the options
       }) {
    CAPTURE(cmd[0]);
    CHECK(f.cmd(cmd) == kWrongType);
  }
  CHECK(f.cmd({"GET", "str"}) == Reply::Str("v"));
  CHECK(f.cmd({"SADD", "s"}) == Reply::Err("ERR wrong number of arguments for 'sadd' command"));
  CHECK(f.cmd({"SCARD", "s", "t"}) ==
        Reply::Err("ERR wrong number of arguments for 'scard' command"));
  CHECK(f.cmd({"SMOVE", "a", "b"}) ==
        Reply::Err("ERR wrong number of arguments for 'smove' command"));
  CHECK(f.cmd({"SINTERCARD", "1"}) ==
        Reply::Err("ERR wrong number of arguments for 'sintercard' command"));
}

TEST_CASE("intset: integers only, ascending, converting one past set-max-intset-entries") {
  Fixture f;
  CHECK(f.cmd({"SADD", "i", "5", "-3", "100", "0"}) == Reply::Int(4));
  CHECK(encoding(f, "i") == Reply::Str("intset"));
  CHECK(f.cmd({"SMEMBERS", "i"}) == Reply::StrArr({"-3", "0", "5", "100"}));  // ordered
  CHECK(f.cmd({"SADD", "i", "9223372036854775807", "-9223372036854775808"}) == Reply::Int(2));
  CHECK(encoding(f, "i") == Reply::Str("intset"));
  CHECK(f.cmd({"SMEMBERS", "i"}) ==
        Reply::StrArr({"-9223372036854775808", "-3", "0", "5", "100", "9223372036854775807"}));
  // Non-canonical integer text is a string member: the set becomes a hashtable for good.
  for (const char* m : {"007", "+1", " 1", "-0", "1.0", "9223372036854775808"}) {
    CAPTURE(m);
    REQUIRE(f.cmd({"DEL", "t"}).type == Reply::Type::kInteger);
    CHECK(f.cmd({"SADD", "t", "1", m}) == Reply::Int(2));
    CHECK(encoding(f, "t") == Reply::Str("hashtable"));
    CHECK(f.cmd({"SREM", "t", m}) == Reply::Int(1));
    CHECK(encoding(f, "t") == Reply::Str("hashtable"));
  }
  CHECK(f.cmd({"SADD", "s", "x", "1"}) == Reply::Int(2));  // a first member that is not a number
  CHECK(encoding(f, "s") == Reply::Str("hashtable"));

  // Exactly at the default limit, 512, it is still an intset; the 513th member converts.
  CHECK(sadd(f, "big", 1, 512) == Reply::Int(512));
  CHECK(encoding(f, "big") == Reply::Str("intset"));
  CHECK(f.cmd({"SADD", "big", "512"}) == Reply::Int(0));
  CHECK(encoding(f, "big") == Reply::Str("intset"));
  CHECK(f.cmd({"SADD", "big", "513"}) == Reply::Int(1));
  CHECK(encoding(f, "big") == Reply::Str("hashtable"));
  CHECK(f.cmd({"SREM", "big", "513", "1", "2"}) == Reply::Int(3));
  CHECK(encoding(f, "big") == Reply::Str("hashtable"));  // never back
  CHECK(f.cmd({"SCARD", "big"}) == Reply::Int(510));

  // The limit is read at every command.
  CHECK(f.cmd({"CONFIG", "SET", "set-max-intset-entries", "2"}) == OK());
  CHECK(f.cmd({"SADD", "c", "1", "2"}) == Reply::Int(2));
  CHECK(encoding(f, "c") == Reply::Str("intset"));
  CHECK(f.cmd({"SADD", "c", "3"}) == Reply::Int(1));
  CHECK(encoding(f, "c") == Reply::Str("hashtable"));
  CHECK(f.cmd({"CONFIG", "SET", "set-max-intset-entries", "0"}) == OK());
  CHECK(f.cmd({"SADD", "z", "1"}) == Reply::Int(1));
  CHECK(encoding(f, "z") == Reply::Str("hashtable"));
  // An intset already over a lowered limit converts at its next new member, not before.
  CHECK(encoding(f, "i") == Reply::Str("intset"));
  CHECK(f.cmd({"SADD", "i", "5"}) == Reply::Int(0));
  CHECK(encoding(f, "i") == Reply::Str("intset"));
  CHECK(f.cmd({"SADD", "i", "6"}) == Reply::Int(1));
  CHECK(encoding(f, "i") == Reply::Str("hashtable"));
}

TEST_CASE("SPOP without and with a count") {
  Fixture f;
  CHECK(f.cmd({"SPOP", "missing"}) == Reply::Nil());
  CHECK(f.cmd({"SPOP", "missing", "3"}) == Reply::Arr({}));
  CHECK(f.cmd({"SADD", "s", "a", "b", "c"}) == Reply::Int(3));
  CHECK(f.cmd({"SPOP", "s", "-1"}) == kPositive);
  CHECK(f.cmd({"SPOP", "s", "abc"}) == kPositive);  // a non-number gets the same text
  CHECK(f.cmd({"SPOP", "s", "9223372036854775808"}) == kPositive);
  CHECK(f.cmd({"SPOP", "s", "1", "2"}) == kSyntax);
  CHECK(f.cmd({"SPOP", "s", "0"}) == Reply::Arr({}));
  Reply one = f.cmd({"SPOP", "s"});
  REQUIRE(one.type == Reply::Type::kString);
  CHECK(f.cmd({"SISMEMBER", "s", one.str}) == Reply::Int(0));
  CHECK(f.cmd({"SCARD", "s"}) == Reply::Int(2));
  // A count of at least the size returns everything and deletes the key.
  Reply rest = f.cmd({"SPOP", "s", "9223372036854775807"});
  CHECK(rest.elements.size() == 2);
  std::set<std::string> all = {one.str, rest.elements[0].str, rest.elements[1].str};
  CHECK(all == std::set<std::string>{"a", "b", "c"});
  CHECK(f.cmd({"EXISTS", "s"}) == Reply::Int(0));
  // The last single pop deletes the key too.
  CHECK(f.cmd({"SADD", "one", "7"}) == Reply::Int(1));
  CHECK(f.cmd({"SPOP", "one"}) == Reply::Str("7"));
  CHECK(f.cmd({"EXISTS", "one"}) == Reply::Int(0));

  // A few of many (Redis's second case) and most of many (its third, which rebuilds the survivors
  // into a new set under the same key).
  for (int count : {3, 90}) {
    CAPTURE(count);
    REQUIRE(f.cmd({"DEL", "n"}).type == Reply::Type::kInteger);
    REQUIRE(sadd(f, "n", 1, 100) == Reply::Int(100));
    REQUIRE(f.cmd({"SADD", "n", "x"}) == Reply::Int(1));  // a hashtable
    REQUIRE(f.cmd({"EXPIRE", "n", "1000"}) == Reply::Int(1));
    Reply popped = f.cmd({"SPOP", "n", std::to_string(count)});
    REQUIRE(popped.elements.size() == size_t(count));
    std::set<std::string> distinct;
    for (const Reply& e : popped.elements) {
      distinct.insert(e.str);
      CHECK(f.cmd({"SISMEMBER", "n", e.str}) == Reply::Int(0));
    }
    CHECK(distinct.size() == size_t(count));
    CHECK(f.cmd({"SCARD", "n"}) == Reply::Int(101 - count));
    CHECK(f.cmd({"TTL", "n"}) == Reply::Int(1000));  // the key keeps its TTL either way
    std::set<std::string> left;
    for (const Reply& e : f.cmd({"SMEMBERS", "n"}).elements) left.insert(e.str);
    for (const std::string& m : distinct) CHECK(left.count(m) == 0);
  }
  // Survivors that are all integers come back as an intset, as Redis's third case builds them.
  REQUIRE(f.cmd({"DEL", "n"}).type == Reply::Type::kInteger);
  REQUIRE(sadd(f, "n", 1, 600) == Reply::Int(600));
  CHECK(encoding(f, "n") == Reply::Str("hashtable"));
  CHECK(f.cmd({"SPOP", "n", "550"}).elements.size() == 550);
  CHECK(encoding(f, "n") == Reply::Str("intset"));
  CHECK(f.cmd({"SCARD", "n"}) == Reply::Int(50));
}

TEST_CASE("SRANDMEMBER: distinct for a positive count, repeating for a negative one") {
  Fixture f;
  CHECK(f.cmd({"SRANDMEMBER", "missing"}) == Reply::Nil());
  CHECK(f.cmd({"SRANDMEMBER", "missing", "5"}) == Reply::Arr({}));
  CHECK(f.cmd({"SRANDMEMBER", "missing", "-5"}) == Reply::Arr({}));
  CHECK(f.cmd({"SRANDMEMBER", "missing", "-9223372036854775808"}) ==
        Reply::Err("ERR value is out of range, value must between -9223372036854775807 and "
                   "9223372036854775807"));
  CHECK(f.cmd({"SRANDMEMBER", "missing", "9223372036854775808"}) == kNotInt);
  CHECK(f.cmd({"SRANDMEMBER", "missing", "-0"}) == kNotInt);
  CHECK(f.cmd({"SRANDMEMBER", "missing", "1", "2"}) == kSyntax);
  for (bool intset : {true, false}) {
    CAPTURE(intset);
    REQUIRE(f.cmd({"DEL", "s"}).type == Reply::Type::kInteger);
    REQUIRE(sadd(f, "s", 1, 30) == Reply::Int(30));
    if (!intset) REQUIRE(f.cmd({"SREM", "s", "30"}) == Reply::Int(1));
    if (!intset) REQUIRE(f.cmd({"SADD", "s", "x"}) == Reply::Int(1));
    Reply one = f.cmd({"SRANDMEMBER", "s"});
    CHECK(f.cmd({"SISMEMBER", "s", one.str}) == Reply::Int(1));
    CHECK(f.cmd({"SRANDMEMBER", "s", "0"}) == Reply::Arr({}));
    for (int count : {1, 5, 9, 11, 25, 29}) {  // both of Redis's sampling strategies
      Reply r = f.cmd({"SRANDMEMBER", "s", std::to_string(count)});
      REQUIRE(r.elements.size() == size_t(count));
      std::set<std::string> distinct;
      for (const Reply& e : r.elements) distinct.insert(e.str);
      CHECK(distinct.size() == size_t(count));
    }
    CHECK(f.cmd({"SRANDMEMBER", "s", "30"}).elements.size() == 30);
    CHECK(f.cmd({"SRANDMEMBER", "s", "9223372036854775807"}).elements.size() == 30);
    Reply rep = f.cmd({"SRANDMEMBER", "s", "-200"});
    REQUIRE(rep.elements.size() == 200);
    std::set<std::string> seen;
    for (const Reply& e : rep.elements) seen.insert(e.str);
    CHECK(seen.size() < 200);                        // repeats (30 members)
    CHECK(f.cmd({"SCARD", "s"}) == Reply::Int(30));  // nothing was taken
  }
  // The whole of an intset comes in its order.
  REQUIRE(f.cmd({"SADD", "i", "3", "1", "2"}) == Reply::Int(3));
  CHECK(f.cmd({"SRANDMEMBER", "i", "3"}) == Reply::StrArr({"1", "2", "3"}));
}

TEST_CASE("SMOVE") {
  Fixture f;
  REQUIRE(f.cmd({"SADD", "a", "1", "2", "x"}) == Reply::Int(3));
  REQUIRE(f.cmd({"SET", "str", "v"}) == OK());
  CHECK(f.cmd({"SMOVE", "missing", "str", "1"}) == Reply::Int(0));  // before any type check
  CHECK(f.cmd({"SMOVE", "str", "a", "1"}) == kWrongType);
  CHECK(f.cmd({"SMOVE", "a", "str", "1"}) == kWrongType);
  CHECK(f.cmd({"SMOVE", "a", "a", "1"}) == Reply::Int(1));  // same key: is it there?
  CHECK(f.cmd({"SMOVE", "a", "a", "9"}) == Reply::Int(0));
  CHECK(f.cmd({"SMOVE", "str", "str", "9"}) == kWrongType);
  CHECK(f.cmd({"SMOVE", "a", "b", "9"}) == Reply::Int(0));
  CHECK(f.cmd({"EXISTS", "b"}) == Reply::Int(0));
  // The destination is created in the encoding its first member calls for.
  CHECK(f.cmd({"SMOVE", "a", "b", "1"}) == Reply::Int(1));
  CHECK(encoding(f, "b") == Reply::Str("intset"));
  CHECK(f.cmd({"SMOVE", "a", "c", "x"}) == Reply::Int(1));
  CHECK(encoding(f, "c") == Reply::Str("hashtable"));
  CHECK(f.cmd({"SMOVE", "c", "b", "x"}) == Reply::Int(1));
  CHECK(encoding(f, "b") == Reply::Str("hashtable"));
  CHECK(f.cmd({"EXISTS", "c"}) == Reply::Int(0));  // emptied source deleted
  CHECK(sorted(f.cmd({"SMEMBERS", "b"})) == strs({"1", "x"}));
  CHECK(f.cmd({"SMEMBERS", "a"}) == Reply::StrArr({"2"}));
  // Already in the destination: still removed from the source.
  REQUIRE(f.cmd({"SADD", "b", "2"}) == Reply::Int(1));
  CHECK(f.cmd({"SMOVE", "a", "b", "2"}) == Reply::Int(1));
  CHECK(f.cmd({"EXISTS", "a"}) == Reply::Int(0));
  CHECK(f.cmd({"SCARD", "b"}) == Reply::Int(3));
}

TEST_CASE("SINTER, SUNION, SDIFF and a missing key") {
  Fixture f;
  REQUIRE(f.cmd({"SADD", "a", "1", "2", "3", "x"}) == Reply::Int(4));
  REQUIRE(f.cmd({"SADD", "b", "2", "3", "4"}) == Reply::Int(3));
  REQUIRE(f.cmd({"SADD", "c", "3", "x", "y"}) == Reply::Int(3));
  REQUIRE(f.cmd({"SET", "str", "v"}) == OK());
  CHECK(sorted(f.cmd({"SINTER", "a", "b"})) == strs({"2", "3"}));
  CHECK(sorted(f.cmd({"SINTER", "a", "b", "c"})) == strs({"3"}));
  CHECK(sorted(f.cmd({"SINTER", "a", "c"})) == strs({"3", "x"}));
  CHECK(sorted(f.cmd({"SINTER", "a", "a"})) == strs({"1", "2", "3", "x"}));
  CHECK(f.cmd({"SINTER", "b"}) == Reply::StrArr({"2", "3", "4"}));  // an intset: in order
  CHECK(sorted(f.cmd({"SUNION", "a", "b", "missing", "c"})) ==
        strs({"1", "2", "3", "4", "x", "y"}));
  CHECK(sorted(f.cmd({"SDIFF", "a", "b"})) == strs({"1", "x"}));
  CHECK(sorted(f.cmd({"SDIFF", "a", "b", "c"})) == strs({"1"}));
  CHECK(sorted(f.cmd({"SDIFF", "a", "missing"})) == strs({"1", "2", "3", "x"}));
  CHECK(f.cmd({"SDIFF", "a", "b", "a"}) == Reply::Arr({}));
  CHECK(f.cmd({"SDIFF", "missing", "a"}) == Reply::Arr({}));
  CHECK(f.cmd({"SINTER", "a", "missing"}) == Reply::Arr({}));
  // Every key's type is checked, even after a missing key makes the answer empty.
  CHECK(f.cmd({"SINTER", "missing", "str"}) == kWrongType);
  CHECK(f.cmd({"SINTER", "a", "missing", "str"}) == kWrongType);
  CHECK(f.cmd({"SUNION", "a", "str"}) == kWrongType);
  CHECK(f.cmd({"SDIFF", "missing", "str"}) == kWrongType);
  CHECK(f.cmd({"SINTERSTORE", "d", "missing", "str"}) == kWrongType);
  CHECK(f.cmd({"SINTERCARD", "2", "missing", "str"}) == kWrongType);
}

TEST_CASE("the STORE forms: results, encodings, and the destination") {
  Fixture f;
  REQUIRE(f.cmd({"SADD", "a", "1", "2", "3", "x"}) == Reply::Int(4));  // hashtable
  REQUIRE(f.cmd({"SADD", "b", "2", "3", "x", "y"}) == Reply::Int(4));  // hashtable
  REQUIRE(f.cmd({"SADD", "i", "3", "4"}) == Reply::Int(2));            // intset
  // An all-integer result is an intset, whatever the sources' encodings.
  CHECK(f.cmd({"SINTERSTORE", "d", "a", "b", "i"}) == Reply::Int(1));
  CHECK(encoding(f, "d") == Reply::Str("intset"));
  CHECK(f.cmd({"SINTERSTORE", "d", "a", "b"}) == Reply::Int(3));
  CHECK(encoding(f, "d") == Reply::Str("hashtable"));
  CHECK(f.cmd({"SDIFFSTORE", "d", "a", "b"}) == Reply::Int(1));
  CHECK(encoding(f, "d") == Reply::Str("intset"));
  CHECK(f.cmd({"SUNIONSTORE", "d", "i", "i"}) == Reply::Int(2));
  CHECK(encoding(f, "d") == Reply::Str("intset"));
  CHECK(f.cmd({"SMEMBERS", "d"}) == Reply::StrArr({"3", "4"}));
  CHECK(f.cmd({"SUNIONSTORE", "d", "a", "i"}) == Reply::Int(5));
  CHECK(encoding(f, "d") == Reply::Str("hashtable"));
  // An all-integer result over the limit is a hashtable.
  REQUIRE(f.cmd({"SADD", "i3", "1", "2", "3"}) == Reply::Int(3));
  CHECK(f.cmd({"CONFIG", "SET", "set-max-intset-entries", "2"}) == OK());
  CHECK(f.cmd({"SUNIONSTORE", "d", "i3"}) == Reply::Int(3));
  CHECK(encoding(f, "d") == Reply::Str("hashtable"));
  CHECK(f.cmd({"SINTERSTORE", "d", "i3", "i3"}) == Reply::Int(3));
  CHECK(encoding(f, "d") == Reply::Str("hashtable"));
  CHECK(f.cmd({"SINTERSTORE", "d", "i3", "i"}) == Reply::Int(1));
  CHECK(encoding(f, "d") == Reply::Str("intset"));
  CHECK(f.cmd({"SINTERSTORE", "d", "a", "a"}) == Reply::Int(4));
  CHECK(f.cmd({"SDIFFSTORE", "d", "a", "y"}) == Reply::Int(4));
  CHECK(f.cmd({"SREM", "d", "x"}) == Reply::Int(1));
  CHECK(encoding(f, "d") == Reply::Str("hashtable"));
  CHECK(f.cmd({"SDIFFSTORE", "d", "a", "x1"}) == Reply::Int(4));
  CHECK(f.cmd({"SDIFFSTORE", "d", "i", "x1"}) == Reply::Int(2));
  CHECK(encoding(f, "d") == Reply::Str("intset"));
  CHECK(f.cmd({"CONFIG", "SET", "set-max-intset-entries", "512"}) == OK());

  // SDIFF's second algorithm (chosen when the subtracted sets are small against the first) copies
  // the first set and removes from it: the result stays a hashtable even when only integers are
  // left. With two keys Redis takes the first algorithm, and the same result is an intset.
  REQUIRE(sadd(f, "big", 1, 10) == Reply::Int(10));
  REQUIRE(f.cmd({"SADD", "big", "z"}) == Reply::Int(1));
  REQUIRE(f.cmd({"SADD", "s1", "z"}) == Reply::Int(1));
  REQUIRE(f.cmd({"SADD", "s2", "1"}) == Reply::Int(1));
  CHECK(f.cmd({"SDIFFSTORE", "d", "big", "s1", "s2"}) == Reply::Int(9));
  CHECK(encoding(f, "d") == Reply::Str("hashtable"));
  CHECK(f.cmd({"SDIFFSTORE", "d", "big", "s1"}) == Reply::Int(10));
  CHECK(encoding(f, "d") == Reply::Str("intset"));

  // The destination is replaced whatever it held, and loses its TTL.
  REQUIRE(f.cmd({"SET", "str", "v", "EX", "100"}) == OK());
  CHECK(f.cmd({"SUNIONSTORE", "str", "i"}) == Reply::Int(2));
  CHECK(f.cmd({"TYPE", "str"}) == Reply::Status("set"));
  CHECK(f.cmd({"TTL", "str"}) == Reply::Int(-1));
  // An empty result deletes it and replies 0.
  CHECK(f.cmd({"SINTERSTORE", "str", "i", "missing"}) == Reply::Int(0));
  CHECK(f.cmd({"EXISTS", "str"}) == Reply::Int(0));
  REQUIRE(f.cmd({"SET", "str", "v"}) == OK());
  CHECK(f.cmd({"SDIFFSTORE", "str", "i", "i"}) == Reply::Int(0));
  CHECK(f.cmd({"EXISTS", "str"}) == Reply::Int(0));
  CHECK(f.cmd({"SUNIONSTORE", "nothing", "missing"}) == Reply::Int(0));
  CHECK(f.cmd({"EXISTS", "nothing"}) == Reply::Int(0));
  // The destination may be one of the sources.
  REQUIRE(f.cmd({"EXPIRE", "a", "100"}) == Reply::Int(1));
  CHECK(f.cmd({"SINTERSTORE", "a", "a", "b"}) == Reply::Int(3));
  CHECK(sorted(f.cmd({"SMEMBERS", "a"})) == strs({"2", "3", "x"}));
  CHECK(f.cmd({"TTL", "a"}) == Reply::Int(-1));
  CHECK(f.cmd({"SUNIONSTORE", "a", "a", "i"}) == Reply::Int(4));
  CHECK(f.cmd({"SDIFFSTORE", "a", "a", "i"}) == Reply::Int(2));
  CHECK(sorted(f.cmd({"SMEMBERS", "a"})) == strs({"2", "x"}));
}

TEST_CASE("SINTERCARD: numkeys, LIMIT and their errors") {
  Fixture f;
  REQUIRE(sadd(f, "a", 1, 20) == Reply::Int(20));
  REQUIRE(sadd(f, "b", 11, 40) == Reply::Int(30));
  REQUIRE(f.cmd({"SADD", "b", "x"}) == Reply::Int(1));
  CHECK(f.cmd({"SINTERCARD", "2", "a", "b"}) == Reply::Int(10));
  CHECK(f.cmd({"SINTERCARD", "1", "b"}) == Reply::Int(31));
  CHECK(f.cmd({"SINTERCARD", "2", "a", "b", "LIMIT", "0"}) == Reply::Int(10));
  CHECK(f.cmd({"SINTERCARD", "2", "a", "b", "limit", "3"}) == Reply::Int(3));
  CHECK(f.cmd({"SINTERCARD", "2", "a", "b", "LIMIT", "100"}) == Reply::Int(10));
  CHECK(f.cmd({"SINTERCARD", "2", "a", "b", "LIMIT", "3", "LIMIT", "5"}) == Reply::Int(5));
  CHECK(f.cmd({"SINTERCARD", "2", "a", "missing"}) == Reply::Int(0));
  CHECK(f.cmd({"SINTERCARD", "2", "a", "a"}) == Reply::Int(20));
  const Reply numkeys = Reply::Err("ERR numkeys should be greater than 0");
  CHECK(f.cmd({"SINTERCARD", "0", "a"}) == numkeys);
  CHECK(f.cmd({"SINTERCARD", "-1", "a"}) == numkeys);
  CHECK(f.cmd({"SINTERCARD", "abc", "a"}) == numkeys);
  CHECK(f.cmd({"SINTERCARD", "9223372036854775808", "a"}) == numkeys);
  CHECK(f.cmd({"SINTERCARD", "3", "a", "b"}) ==
        Reply::Err("ERR Number of keys can't be greater than number of args"));
  const Reply limit = Reply::Err("ERR LIMIT can't be negative");
  CHECK(f.cmd({"SINTERCARD", "1", "a", "LIMIT", "-1"}) == limit);
  CHECK(f.cmd({"SINTERCARD", "1", "a", "LIMIT", "abc"}) == limit);
  CHECK(f.cmd({"SINTERCARD", "1", "a", "LIMIT"}) == kSyntax);
  CHECK(f.cmd({"SINTERCARD", "1", "a", "b"}) == kSyntax);
  CHECK(f.cmd({"SINTERCARD", "1", "a", "FOO", "1"}) == kSyntax);
}

TEST_CASE("SSCAN: an intset at once, a hashtable by cursor, MATCH and COUNT") {
  Fixture f;
  CHECK(f.cmd({"SSCAN", "missing", "0"}) == Reply::Arr({Reply::Str("0"), Reply::Arr({})}));
  CHECK(f.cmd({"SSCAN", "missing", "0", "COUNT", "0"}) ==
        Reply::Arr({Reply::Str("0"), Reply::Arr({})}));  // options unchecked without a set
  CHECK(f.cmd({"SSCAN", "missing", "x"}) == Reply::Err("ERR invalid cursor"));
  REQUIRE(sadd(f, "i", 1, 30) == Reply::Int(30));
  // An intset has no cursor: everything at once, and 0, whatever cursor was asked for.
  Reply r = f.cmd({"SSCAN", "i", "12345", "COUNT", "2"});
  REQUIRE(r.elements.size() == 2);
  CHECK(r.elements[0] == Reply::Str("0"));
  CHECK(r.elements[1].elements.size() == 30);
  CHECK(f.cmd({"SSCAN", "i", "0", "MATCH", "2?"}) ==
        Reply::Arr({Reply::Str("0"),
                    Reply::StrArr({"20", "21", "22", "23", "24", "25", "26", "27", "28", "29"})}));
  CHECK(f.cmd({"SSCAN", "i", "0", "COUNT", "0"}) == kSyntax);
  CHECK(f.cmd({"SSCAN", "i", "0", "COUNT", "abc"}) == kNotInt);
  CHECK(f.cmd({"SSCAN", "i", "0", "MATCH"}) == kSyntax);
  CHECK(f.cmd({"SSCAN", "i", "0", "TYPE", "set"}) == kSyntax);

  // A hashtable: iterate with COUNT 5 until the cursor comes back to 0.
  std::vector<std::string> args = {"SADD", "h"};
  for (int i = 0; i < 300; i++) args.push_back(numbered("member:", i));
  REQUIRE(f.cmd(args) == Reply::Int(300));
  int calls = 0;
  CHECK(scan_all(f, {"SSCAN", "h", "0", "COUNT", "5"}, &calls).size() == 300);
  CHECK(calls > 10);
  std::set<std::string> matched = scan_all(f, {"SSCAN", "h", "0", "MATCH", "member:1?"}, &calls);
  CHECK(matched.size() == 10);
  CHECK(matched.count("member:17") == 1);
}

TEST_CASE("RESP3: sets reply as sets, SRANDMEMBER's as arrays, a missing member as null") {
  Fixture f;
  REQUIRE(f.cmd({"SADD", "s", "1", "2"}) == Reply::Int(2));
  RawConnection c(f.server.port());
  REQUIRE(c.send(resp({"HELLO", "3"})));
  REQUIRE(!c.read_reply().empty());
  auto ask = [&](const std::vector<std::string>& cmd) {
    REQUIRE(c.send(resp(cmd)));
    return c.read_reply();
  };
  CHECK(ask({"SMEMBERS", "s"}) == "~2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  CHECK(ask({"SMEMBERS", "missing"}) == "~0\r\n");
  CHECK(ask({"SINTER", "s", "s"}) == "~2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  CHECK(ask({"SUNION", "s"}) == "~2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  CHECK(ask({"SDIFF", "s", "missing"}) == "~2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  CHECK(ask({"SINTER", "s", "missing"}) == "~0\r\n");
  CHECK(ask({"SRANDMEMBER", "s", "5"}) == "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  CHECK(ask({"SRANDMEMBER", "missing", "5"}) == "*0\r\n");
  CHECK(ask({"SRANDMEMBER", "missing"}) == "_\r\n");
  CHECK(ask({"SPOP", "missing"}) == "_\r\n");
  CHECK(ask({"SPOP", "missing", "1"}) == "~0\r\n");
  CHECK(ask({"SPOP", "s", "0"}) == "~0\r\n");
  CHECK(ask({"SMISMEMBER", "s", "1", "3"}) == "*2\r\n:1\r\n:0\r\n");
  CHECK(ask({"SSCAN", "s", "0"}) == "*2\r\n$1\r\n0\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  CHECK(ask({"SPOP", "s", "5"}) == "~2\r\n$1\r\n1\r\n$1\r\n2\r\n");
}

TEST_CASE("COPY, RENAME and expiry of a set") {
  Fixture f;
  REQUIRE(f.cmd({"SADD", "s", "a", "b", "1"}) == Reply::Int(3));
  CHECK(f.cmd({"COPY", "s", "t"}) == Reply::Int(1));
  CHECK(f.cmd({"SADD", "t", "c"}) == Reply::Int(1));
  CHECK(f.cmd({"SCARD", "s"}) == Reply::Int(3));  // the copy is independent
  CHECK(f.cmd({"SCARD", "t"}) == Reply::Int(4));
  CHECK(f.cmd({"RENAME", "t", "u"}) == OK());
  CHECK(sorted(f.cmd({"SMEMBERS", "u"})) == strs({"1", "a", "b", "c"}));
  CHECK(encoding(f, "u") == Reply::Str("hashtable"));
  CHECK(f.cmd({"PEXPIRE", "u", "1"}) == Reply::Int(1));
  REQUIRE(poll_until(
      [&] {
        return f.cmd({"EXISTS", "u"}) == Reply::Int(0);
      },
      std::chrono::seconds(5)));
  CHECK(f.cmd({"SCARD", "u"}) == Reply::Int(0));
  CHECK(f.cmd({"SADD", "u", "1"}) == Reply::Int(1));  // a fresh set, not the expired one
  CHECK(encoding(f, "u") == Reply::Str("intset"));
  CHECK(f.cmd({"TTL", "u"}) == Reply::Int(-1));
}

TEST_CASE("memory accounting follows a set up and down") {
  Fixture f;
  auto dataset = [&] { return info_field(f.cmd({"INFO", "memory"}).str, "used_memory_dataset"); };
  long long before = dataset();
  std::vector<std::string> args = {"SADD", "s"};
  for (int i = 0; i < 20000; i++) args.push_back(numbered("some-member-", i));
  REQUIRE(f.cmd(args) == Reply::Int(20000));
  long long full = dataset();
  CHECK(full - before > 20000 * 16);
  args[0] = "SREM";
  args.resize(2 + 19000);
  REQUIRE(f.cmd(args) == Reply::Int(19000));
  long long most_gone = dataset();
  CHECK(most_gone < full);
  if (f.server.is_respite()) CHECK(most_gone - before < (full - before) / 4);
  CHECK(f.cmd({"SPOP", "s", "1000"}).elements.size() == 1000);
  CHECK(f.cmd({"EXISTS", "s"}) == Reply::Int(0));
  if (f.server.is_respite()) CHECK(dataset() == before);
}

TEST_CASE("SMOVE and SUNIONSTORE are atomic with respect to other workers") {
  Fixture f(ServerOptions().set("threads", "4"));
  constexpr int kMembers = 200;
  REQUIRE(sadd(f, "left", 1, kMembers) == Reply::Int(kMembers));
  std::vector<std::thread> movers;
  std::atomic<int> errors{0};
  for (int t = 0; t < 4; t++) {
    movers.emplace_back([&, t] {
      Client c(f.server.port());
      for (int i = 0; i < 500; i++) {
        std::string m = std::to_string(1 + (i * 7 + t * 13) % kMembers);
        bool to_right = (i + t) % 2 == 0;
        Reply r = c.cmd({"SMOVE", to_right ? "left" : "right", to_right ? "right" : "left", m});
        if (r.type != Reply::Type::kInteger) errors++;
        // A union of the two, taken while members move, must always see all of them.
        if (i % 50 == 0) {
          Reply n = c.cmd({"SUNIONSTORE", numbered("both:", t), "left", "right"});
          if (n != Reply::Int(kMembers)) errors++;
        }
      }
    });
  }
  for (auto& t : movers) t.join();
  CHECK(errors == 0);
  Reply l = f.cmd({"SCARD", "left"}), r = f.cmd({"SCARD", "right"});
  CHECK(l.integer + r.integer == kMembers);
  CHECK(f.cmd({"SINTERCARD", "2", "left", "right"}) == Reply::Int(0));
}
