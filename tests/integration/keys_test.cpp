// Keyspace commands over the wire: DEL/UNLINK/EXISTS/TOUCH/TYPE, the EXPIRE family with
// NX/XX/GT/LT, TTL and EXPIRETIME readers, PERSIST, RENAME/RENAMENX, COPY, MOVE, KEYS, SCAN (a full
// iteration must see every key) and RANDOMKEY, with Redis's error texts.
#include <cstdlib>
#include <ctime>
#include <set>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {
const Reply kNotInt = Reply::Err("ERR value is not an integer or out of range");
const Reply kSyntax = Reply::Err("ERR syntax error");

long long now_s() {
  return static_cast<long long>(std::time(nullptr));
}
}  // namespace

TEST_CASE("DEL, UNLINK, EXISTS, TOUCH, TYPE") {
  Fixture f;
  CHECK(f.cmd({"MSET", "a", "1", "b", "2", "c", "3"}) == OK());
  CHECK(f.cmd({"EXISTS", "a", "a", "missing", "b"}) == Reply::Int(3));  // duplicates count
  CHECK(f.cmd({"TOUCH", "a", "missing", "c"}) == Reply::Int(2));
  CHECK(f.cmd({"TYPE", "a"}) == Reply::Status("string"));
  CHECK(f.cmd({"TYPE", "missing"}) == Reply::Status("none"));
  CHECK(f.cmd({"DEL", "a", "missing", "a"}) == Reply::Int(1));
  CHECK(f.cmd({"UNLINK", "b", "c", "d"}) == Reply::Int(2));
  CHECK(f.cmd({"DBSIZE"}) == Reply::Int(0));
  CHECK(f.cmd({"DEL"}) == Reply::Err("ERR wrong number of arguments for 'del' command"));
  CHECK(f.cmd({"EXISTS"}) == Reply::Err("ERR wrong number of arguments for 'exists' command"));
}

TEST_CASE("EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT and the readers") {
  Fixture f;
  CHECK(f.cmd({"EXPIRE", "missing", "10"}) == Reply::Int(0));
  CHECK(f.cmd({"TTL", "missing"}) == Reply::Int(-2));
  CHECK(f.cmd({"PTTL", "missing"}) == Reply::Int(-2));
  CHECK(f.cmd({"EXPIRETIME", "missing"}) == Reply::Int(-2));
  CHECK(f.cmd({"PEXPIRETIME", "missing"}) == Reply::Int(-2));
  CHECK(f.cmd({"SET", "k", "v"}) == OK());
  CHECK(f.cmd({"TTL", "k"}) == Reply::Int(-1));
  CHECK(f.cmd({"PTTL", "k"}) == Reply::Int(-1));
  CHECK(f.cmd({"EXPIRETIME", "k"}) == Reply::Int(-1));
  CHECK(f.cmd({"PEXPIRETIME", "k"}) == Reply::Int(-1));

  CHECK(f.cmd({"EXPIRE", "k", "100"}) == Reply::Int(1));
  CHECK(f.cmd({"TTL", "k"}) == Reply::Int(100));
  long long at = f.cmd({"EXPIRETIME", "k"}).integer;
  CHECK(at >= now_s() + 98);
  CHECK(at <= now_s() + 101);  // time() may lag the server clock by a tick
  CHECK(f.cmd({"PEXPIRE", "k", "200000"}) == Reply::Int(1));
  CHECK(f.cmd({"PTTL", "k"}).integer > 198000);
  const long long target = now_s() + 1000;
  CHECK(f.cmd({"EXPIREAT", "k", std::to_string(target)}) == Reply::Int(1));
  CHECK(f.cmd({"EXPIRETIME", "k"}) == Reply::Int(target));
  CHECK(f.cmd({"PEXPIRETIME", "k"}) == Reply::Int(target * 1000));
  CHECK(f.cmd({"PEXPIREAT", "k", std::to_string(target * 1000 + 123)}) == Reply::Int(1));
  CHECK(f.cmd({"PEXPIRETIME", "k"}) == Reply::Int(target * 1000 + 123));
  CHECK(f.cmd({"EXPIRETIME", "k"}) == Reply::Int(target));  // rounded down

  CHECK(f.cmd({"PERSIST", "k"}) == Reply::Int(1));
  CHECK(f.cmd({"PERSIST", "k"}) == Reply::Int(0));
  CHECK(f.cmd({"PERSIST", "missing"}) == Reply::Int(0));
  CHECK(f.cmd({"TTL", "k"}) == Reply::Int(-1));

  // A time in the past, zero or negative deletes the key at once.
  CHECK(f.cmd({"EXPIREAT", "k", "1"}) == Reply::Int(1));
  CHECK(f.cmd({"EXISTS", "k"}) == Reply::Int(0));
  CHECK(f.cmd({"SET", "k", "v"}) == OK());
  CHECK(f.cmd({"EXPIRE", "k", "0"}) == Reply::Int(1));
  CHECK(f.cmd({"EXISTS", "k"}) == Reply::Int(0));
  CHECK(f.cmd({"SET", "k", "v"}) == OK());
  CHECK(f.cmd({"PEXPIRE", "k", "-100"}) == Reply::Int(1));
  CHECK(f.cmd({"GET", "k"}) == Reply::Nil());

  CHECK(f.cmd({"SET", "k", "v"}) == OK());
  CHECK(f.cmd({"EXPIRE", "k", "abc"}) == kNotInt);
  CHECK(f.cmd({"EXPIRE", "k", "9223372036854775807"}) ==
        Reply::Err("ERR invalid expire time in 'expire' command"));
  CHECK(f.cmd({"PEXPIRE", "k", "9223372036854775807"}) ==
        Reply::Err("ERR invalid expire time in 'pexpire' command"));
  CHECK(f.cmd({"EXPIRE", "k", "10", "FOO"}) == Reply::Err("ERR Unsupported option FOO"));
  CHECK(f.cmd({"TTL", "k"}) == Reply::Int(-1));
  // A write that replaces the value drops the TTL; one that modifies it keeps it.
  CHECK(f.cmd({"EXPIRE", "k", "100"}) == Reply::Int(1));
  CHECK(f.cmd({"APPEND", "k", "x"}) == Reply::Int(2));
  CHECK(f.cmd({"TTL", "k"}) == Reply::Int(100));
  CHECK(f.cmd({"SET", "k", "v"}) == OK());
  CHECK(f.cmd({"TTL", "k"}) == Reply::Int(-1));
}

TEST_CASE("EXPIRE options NX, XX, GT, LT") {
  Fixture f;
  CHECK(f.cmd({"SET", "k", "v"}) == OK());
  CHECK(f.cmd({"EXPIRE", "k", "100", "XX"}) == Reply::Int(0));  // no TTL yet
  CHECK(f.cmd({"EXPIRE", "k", "100", "GT"}) == Reply::Int(0));  // no TTL counts as infinite
  CHECK(f.cmd({"TTL", "k"}) == Reply::Int(-1));
  CHECK(f.cmd({"EXPIRE", "k", "100", "NX"}) == Reply::Int(1));
  CHECK(f.cmd({"EXPIRE", "k", "200", "NX"}) == Reply::Int(0));
  CHECK(f.cmd({"EXPIRE", "k", "200", "XX"}) == Reply::Int(1));
  CHECK(f.cmd({"TTL", "k"}) == Reply::Int(200));
  CHECK(f.cmd({"EXPIRE", "k", "100", "GT"}) == Reply::Int(0));
  CHECK(f.cmd({"EXPIRE", "k", "300", "GT"}) == Reply::Int(1));
  CHECK(f.cmd({"EXPIRE", "k", "400", "LT"}) == Reply::Int(0));
  CHECK(f.cmd({"EXPIRE", "k", "50", "lt"}) == Reply::Int(1));
  CHECK(f.cmd({"TTL", "k"}) == Reply::Int(50));
  CHECK(f.cmd({"PEXPIRE", "k", "60000", "XX", "GT"}) == Reply::Int(1));
  CHECK(f.cmd({"EXPIREAT", "k", std::to_string(now_s() + 10), "GT"}) == Reply::Int(0));
  CHECK(f.cmd({"PEXPIREAT", "k", std::to_string((now_s() + 10) * 1000), "LT"}) == Reply::Int(1));
  CHECK(f.cmd({"TTL", "k"}).integer <= 10);
  CHECK(f.cmd({"PERSIST", "k"}) == Reply::Int(1));
  CHECK(f.cmd({"EXPIRE", "k", "100", "LT"}) == Reply::Int(1));  // anything is less than infinite
  CHECK(f.cmd({"EXPIRE", "missing", "100", "NX"}) == Reply::Int(0));

  CHECK(f.cmd({"EXPIRE", "k", "10", "NX", "XX"}) ==
        Reply::Err("ERR NX and XX, GT or LT options at the same time are not compatible"));
  CHECK(f.cmd({"EXPIRE", "k", "10", "NX", "GT"}) ==
        Reply::Err("ERR NX and XX, GT or LT options at the same time are not compatible"));
  CHECK(f.cmd({"EXPIRE", "k", "10", "GT", "LT"}) ==
        Reply::Err("ERR GT and LT options at the same time are not compatible"));
}

TEST_CASE("RENAME and RENAMENX") {
  Fixture f;
  CHECK(f.cmd({"RENAME", "missing", "x"}) == Reply::Err("ERR no such key"));
  CHECK(f.cmd({"RENAMENX", "missing", "x"}) == Reply::Err("ERR no such key"));
  CHECK(f.cmd({"SET", "a", "1", "EX", "100"}) == OK());
  CHECK(f.cmd({"RENAME", "a", "b"}) == OK());
  CHECK(f.cmd({"EXISTS", "a"}) == Reply::Int(0));
  CHECK(f.cmd({"GET", "b"}) == Reply::Str("1"));
  CHECK(f.cmd({"TTL", "b"}) == Reply::Int(100));  // the TTL travels with the value
  CHECK(f.cmd({"SET", "c", "2"}) == OK());
  CHECK(f.cmd({"RENAME", "c", "b"}) == OK());  // overwrites, TTL of the old b gone
  CHECK(f.cmd({"TTL", "b"}) == Reply::Int(-1));
  CHECK(f.cmd({"GET", "b"}) == Reply::Str("2"));
  CHECK(f.cmd({"RENAME", "b", "b"}) == OK());
  CHECK(f.cmd({"GET", "b"}) == Reply::Str("2"));
  CHECK(f.cmd({"SET", "d", "3"}) == OK());
  CHECK(f.cmd({"RENAMENX", "d", "b"}) == Reply::Int(0));
  CHECK(f.cmd({"RENAMENX", "b", "b"}) == Reply::Int(0));
  CHECK(f.cmd({"RENAMENX", "d", "e"}) == Reply::Int(1));
  CHECK(f.cmd({"MGET", "b", "d", "e"}) ==
        Reply::Arr({Reply::Str("2"), Reply::Nil(), Reply::Str("3")}));
}

TEST_CASE("COPY") {
  Fixture f;
  CHECK(f.cmd({"COPY", "missing", "x"}) == Reply::Int(0));
  CHECK(f.cmd({"SET", "a", "1", "EX", "100"}) == OK());
  CHECK(f.cmd({"COPY", "a", "b"}) == Reply::Int(1));
  CHECK(f.cmd({"GET", "b"}) == Reply::Str("1"));
  CHECK(f.cmd({"TTL", "b"}) == Reply::Int(100));
  CHECK(f.cmd({"SET", "a", "2"}) == OK());
  CHECK(f.cmd({"GET", "b"}) == Reply::Str("1"));  // a copy, not a shared value
  CHECK(f.cmd({"COPY", "a", "b"}) == Reply::Int(0));
  CHECK(f.cmd({"COPY", "a", "b", "REPLACE"}) == Reply::Int(1));
  CHECK(f.cmd({"GET", "b"}) == Reply::Str("2"));
  CHECK(f.cmd({"TTL", "b"}) == Reply::Int(-1));
  CHECK(f.cmd({"COPY", "a", "b", "DB", "2"}) == Reply::Int(1));
  CHECK(f.cmd({"COPY", "a", "b", "DB", "2"}) == Reply::Int(0));
  CHECK(f.cmd({"COPY", "a", "a", "DB", "2", "REPLACE"}) == Reply::Int(1));
  CHECK(f.cmd({"SELECT", "2"}) == OK());
  CHECK(f.cmd({"MGET", "a", "b"}) == Reply::StrArr({"2", "2"}));
  CHECK(f.cmd({"SELECT", "0"}) == OK());
  CHECK(f.cmd({"COPY", "a", "a"}) == Reply::Err("ERR source and destination objects are the same"));
  CHECK(f.cmd({"COPY", "a", "b", "DB", "16"}) == Reply::Err("ERR DB index is out of range"));
  CHECK(f.cmd({"COPY", "a", "b", "DB", "x"}) == kNotInt);
  CHECK(f.cmd({"COPY", "a", "b", "FOO"}) == kSyntax);
}

TEST_CASE("MOVE") {
  Fixture f;
  CHECK(f.cmd({"SET", "a", "1", "EX", "100"}) == OK());
  CHECK(f.cmd({"MOVE", "a", "1"}) == Reply::Int(1));
  CHECK(f.cmd({"EXISTS", "a"}) == Reply::Int(0));
  CHECK(f.cmd({"MOVE", "a", "1"}) == Reply::Int(0));
  CHECK(f.cmd({"SET", "a", "0"}) == OK());
  CHECK(f.cmd({"MOVE", "a", "1"}) == Reply::Int(0));  // the destination already has it
  CHECK(f.cmd({"GET", "a"}) == Reply::Str("0"));
  CHECK(f.cmd({"MOVE", "a", "0"}) == Reply::Err("ERR source and destination objects are the same"));
  CHECK(f.cmd({"MOVE", "a", "16"}) == Reply::Err("ERR DB index is out of range"));
  CHECK(f.cmd({"MOVE", "a", "x"}) == kNotInt);
  CHECK(f.cmd({"SELECT", "1"}) == OK());
  CHECK(f.cmd({"GET", "a"}) == Reply::Str("1"));
  CHECK(f.cmd({"TTL", "a"}) == Reply::Int(100));
}

TEST_CASE("KEYS patterns") {
  Fixture f;
  CHECK(f.cmd({"KEYS", "*"}) == Reply::Arr({}));
  CHECK(f.cmd({"MSET", "hello", "1", "hallo", "2", "hxllo", "3", "hllo", "4", "heeeello", "5",
               "a*b", "6", "h[a]llo", "7"}) == OK());
  auto sorted_keys = [&](const std::string& pattern) {
    Reply r = f.cmd({"KEYS", pattern});
    std::set<std::string> out;
    for (const Reply& e : r.elements) out.insert(e.str);
    return out;
  };
  using S = std::set<std::string>;
  CHECK(sorted_keys("h?llo") == S{"hello", "hallo", "hxllo"});
  CHECK(sorted_keys("h*llo") == S{"hello", "hallo", "hxllo", "hllo", "heeeello", "h[a]llo"});
  CHECK(sorted_keys("h[ae]llo") == S{"hello", "hallo"});
  CHECK(sorted_keys("h[^e]llo") == S{"hallo", "hxllo"});
  CHECK(sorted_keys("h[a-b]llo") == S{"hallo"});
  CHECK(sorted_keys("a\\*b") == S{"a*b"});
  CHECK(sorted_keys("h\\[a\\]llo") == S{"h[a]llo"});
  CHECK(sorted_keys("*").size() == 7);
  CHECK(sorted_keys("nothing*").empty());
}

TEST_CASE("SCAN sees every key exactly as the keyspace holds them") {
  Fixture f;
  std::set<std::string> expected_all, expected_match;
  for (int i = 0; i < 1000; ++i) {
    std::string k = (i % 3 == 0 ? "user:" : "item:") + std::to_string(i);
    f.c.append({"SET", k, "v"});
    expected_all.insert(k);
    if (i % 3 == 0) expected_match.insert(k);
  }
  for (int i = 0; i < 1000; ++i) REQUIRE(f.c.get_reply() == OK());

  auto scan_all = [&](std::vector<std::string> extra) {
    std::set<std::string> seen;
    std::string cursor = "0";
    int rounds = 0;
    do {
      std::vector<std::string> args = {"SCAN", cursor};
      args.insert(args.end(), extra.begin(), extra.end());
      Reply r = f.cmd(args);
      REQUIRE(r.is_array());
      REQUIRE(r.elements.size() == 2);
      cursor = r.elements[0].str;
      for (const Reply& k : r.elements[1].elements) seen.insert(k.str);
      REQUIRE(++rounds < 100000);  // a cursor that never returns to 0 is a bug, not a slow test
    } while (cursor != "0");
    return seen;
  };
  CHECK(scan_all({}) == expected_all);
  CHECK(scan_all({"COUNT", "7"}) == expected_all);
  CHECK(scan_all({"MATCH", "user:*", "COUNT", "100"}) == expected_match);
  CHECK(scan_all({"TYPE", "string"}) == expected_all);
  CHECK(scan_all({"TYPE", "list"}).empty());
  CHECK(scan_all({"MATCH", "nothing*"}).empty());

  CHECK(f.cmd({"SCAN", "abc"}) == Reply::Err("ERR invalid cursor"));
  CHECK(f.cmd({"SCAN", "0", "COUNT", "0"}) == kSyntax);
  CHECK(f.cmd({"SCAN", "0", "COUNT", "x"}) == kNotInt);
  CHECK(f.cmd({"SCAN", "0", "FOO", "1"}) == kSyntax);
  CHECK(f.cmd({"SELECT", "3"}) == OK());
  CHECK(f.cmd({"SCAN", "0"}) == Reply::Arr({Reply::Str("0"), Reply::Arr({})}));
}

TEST_CASE("RANDOMKEY") {
  Fixture f;
  CHECK(f.cmd({"RANDOMKEY"}) == Reply::Nil());
  CHECK(f.cmd({"SET", "only", "1"}) == OK());
  CHECK(f.cmd({"RANDOMKEY"}) == Reply::Str("only"));
  CHECK(f.cmd({"MSET", "a", "1", "b", "2"}) == OK());
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) seen.insert(f.cmd({"RANDOMKEY"}).str);
  CHECK(seen.size() >= 2);  // random, not always the same key
  for (const std::string& k : seen) CHECK((k == "only" || k == "a" || k == "b"));
}

// The generic commands on every type: TYPE, OBJECT ENCODING, SCAN TYPE, and RENAME, EXPIRE, COPY,
// MOVE, DEL moving or copying a collection. On respite the dataset byte count must follow each step
// exactly (a collection moved to a new entry must leave with its old one, not be counted twice)
// and come back to where it started.
TEST_CASE("generic commands on every type, and the dataset bytes they move") {
  Fixture f;
  const bool respite = f.server.is_respite();
  auto dataset = [&] { return info_field(f.cmd({"INFO", "memory"}).str, "used_memory_dataset"); };
  const long long base = dataset();
  std::vector<std::string> h = {"HSET", "h"}, l = {"RPUSH", "l"}, s = {"SADD", "s"},
                           z = {"ZADD", "z"};
  for (int i = 0; i < 600; i++) {  // past every encoding threshold, even Redis's compiled-in 512
    std::string n = std::to_string(i);
    h.insert(h.end(), {"field" + n, "value" + n});
    l.push_back("element" + n);
    s.push_back("member" + n);
    z.insert(z.end(), {n, "member" + n});
  }
  for (const auto& cmd : {h, l, s, z}) CHECK(f.cmd(cmd) == Reply::Int(600));
  CHECK(f.cmd({"TYPE", "h"}) == Reply::Status("hash"));
  CHECK(f.cmd({"TYPE", "l"}) == Reply::Status("list"));
  CHECK(f.cmd({"TYPE", "s"}) == Reply::Status("set"));
  CHECK(f.cmd({"TYPE", "z"}) == Reply::Status("zset"));
  CHECK(f.cmd({"OBJECT", "ENCODING", "h"}) == Reply::Str("hashtable"));
  CHECK(f.cmd({"OBJECT", "ENCODING", "l"}) == Reply::Str("quicklist"));
  CHECK(f.cmd({"OBJECT", "ENCODING", "s"}) == Reply::Str("hashtable"));
  CHECK(f.cmd({"OBJECT", "ENCODING", "z"}) == Reply::Str("skiplist"));
  CHECK(f.cmd({"SCAN", "0", "TYPE", "zset", "COUNT", "100"}) ==
        Reply::Arr({Reply::Str("0"), Reply::StrArr({"z"})}));

  for (std::string k : {"h", "l", "s", "z"}) {
    CAPTURE(k);
    const long long before = dataset();
    // The entry's block is counted at the allocator's size class, so a byte more may cost a class
    // step (16 bytes at these sizes) or nothing; counting the collection twice would cost
    // thousands.
    auto near = [](long long got, long long want) { return std::llabs(got - want) <= 16; };
    CHECK(f.cmd({"RENAME", k, k + "2"}) == OK());  // the key grows by one byte
    if (respite) CHECK(near(dataset(), before + 1));
    CHECK(f.cmd({"EXPIRE", k + "2", "1000"}) == Reply::Int(1));  // the entry gains an expire slot
    if (respite) CHECK(near(dataset(), before + 1 + 8));
    CHECK(f.cmd({"PERSIST", k + "2"}) == Reply::Int(1));
    CHECK(f.cmd({"COPY", k + "2", k + "3"}) == Reply::Int(1));
    CHECK(f.cmd({"MOVE", k + "3", "1"}) == Reply::Int(1));
    CHECK(f.cmd({"EXISTS", k + "3"}) == Reply::Int(0));  // moved to db 1
  }
  CHECK(f.cmd({"SELECT", "1"}) == OK());
  CHECK(f.cmd({"DBSIZE"}) == Reply::Int(4));
  CHECK(f.cmd({"HLEN", "h3"}) == Reply::Int(600));
  CHECK(f.cmd({"LLEN", "l3"}) == Reply::Int(600));
  CHECK(f.cmd({"SCARD", "s3"}) == Reply::Int(600));
  CHECK(f.cmd({"ZCARD", "z3"}) == Reply::Int(600));
  CHECK(f.cmd({"DEL", "h3", "l3", "s3", "z3"}) == Reply::Int(4));
  CHECK(f.cmd({"SELECT", "0"}) == OK());
  CHECK(f.cmd({"DEL", "h2", "l2", "s2", "z2"}) == Reply::Int(4));
  if (respite) CHECK(dataset() == base);
}
