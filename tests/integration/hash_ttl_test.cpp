// Hash-field expiry against the real server (server/commands/hash_ttl.cpp, a respite extension
// following Redis 7.4/8.0): HEXPIRE's per-field codes and conditions, the TTL readers, HPERSIST,
// HGETEX/HSETEX/HGETDEL, every hash command treating an expired field as absent, HSET clearing a
// TTL and HINCRBY keeping it, the active sweep deleting fields and then the key, COPY/RENAME
// keeping TTLs, MEMORY USAGE counting them, MULTI/EXEC, and the error texts. No sleeps: times are
// absolute (in the past, or far in the future, read back exactly), and the few checks that need a
// field to pass its TTL poll with a bound.
#include <chrono>
#include <string>
#include <vector>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

// Far enough ahead never to pass during a test, exact to read back.
constexpr long long kFarMs = 4102444800000;  // 2100-01-01
const std::string kFar = std::to_string(kFarMs);

Reply ints(std::initializer_list<long long> v) {
  std::vector<Reply> out;
  for (long long x : v) out.push_back(Reply::Int(x));
  return Reply::Arr(out);
}

}  // namespace

TEST_CASE("HEXPIRE family: per-field codes, conditions and the readers") {
  Fixture f;
  REQUIRE(f.cmd({"HSET", "h", "a", "1", "b", "2", "c", "3"}) == Reply::Int(3));
  CHECK(f.cmd({"HPEXPIREAT", "h", kFar, "FIELDS", "2", "a", "nope"}) == ints({1, -2}));
  CHECK(f.cmd({"HPEXPIRETIME", "h", "FIELDS", "3", "a", "b", "nope"}) == ints({kFarMs, -1, -2}));
  CHECK(f.cmd({"OBJECT", "ENCODING", "h"}) == Reply::Str("listpackex"));
  CHECK(f.cmd({"HEXPIRETIME", "h", "FIELDS", "1", "a"}) == ints({(kFarMs + 999) / 1000}));
  Reply ttl = f.cmd({"HTTL", "h", "FIELDS", "1", "a"});
  REQUIRE(ttl.is_array());
  CHECK(ttl.elements[0].integer > 0);
  CHECK(ttl.elements[0].integer <= (kFarMs + 999) / 1000);
  CHECK(f.cmd({"HPTTL", "h", "FIELDS", "1", "b"}) == ints({-1}));
  CHECK(f.cmd({"HTTL", "missing", "FIELDS", "2", "a", "b"}) == ints({-2, -2}));
  CHECK(f.cmd({"HEXPIRE", "missing", "10", "FIELDS", "1", "a"}) == ints({-2}));

  // NX: only fields without a TTL; XX: only fields with one.
  CHECK(f.cmd({"HEXPIRE", "h", "1000", "NX", "FIELDS", "2", "a", "b"}) == ints({0, 1}));
  CHECK(f.cmd({"HEXPIRE", "h", "1000", "XX", "FIELDS", "2", "b", "c"}) == ints({1, 0}));
  // GT: a field without a TTL never expires, so nothing is greater; LT: everything is less.
  CHECK(f.cmd({"HPEXPIREAT", "h", std::to_string(kFarMs + 1), "GT", "FIELDS", "2", "a", "c"}) ==
        ints({1, 0}));
  CHECK(f.cmd({"HPEXPIREAT", "h", std::to_string(kFarMs + 1), "LT", "FIELDS", "2", "a", "c"}) ==
        ints({0, 1}));
  CHECK(f.cmd({"HPEXPIRETIME", "h", "FIELDS", "2", "a", "c"}) == ints({kFarMs + 1, kFarMs + 1}));

  // A time already past deletes the field (2); the key goes with its last one.
  CHECK(f.cmd({"HPEXPIREAT", "h", "1", "FIELDS", "2", "a", "a"}) == ints({2, -2}));
  CHECK(f.cmd({"HEXISTS", "h", "a"}) == Reply::Int(0));
  CHECK(f.cmd({"HEXPIREAT", "h", "0", "FIELDS", "2", "b", "c"}) == ints({2, 2}));
  CHECK(f.cmd({"EXISTS", "h"}) == Reply::Int(0));
}

TEST_CASE("HPERSIST, and HSET clearing a TTL while HINCRBY keeps it") {
  Fixture f;
  REQUIRE(f.cmd({"HSET", "h", "a", "1", "b", "2", "n", "5"}) == Reply::Int(3));
  REQUIRE(f.cmd({"HPEXPIREAT", "h", kFar, "FIELDS", "3", "a", "b", "n"}) == ints({1, 1, 1}));
  CHECK(f.cmd({"HPERSIST", "h", "FIELDS", "3", "a", "a", "zz"}) == ints({1, -1, -2}));
  CHECK(f.cmd({"HPERSIST", "nokey", "FIELDS", "1", "a"}) == ints({-2}));
  REQUIRE(f.cmd({"HSET", "h", "b", "3"}) == Reply::Int(0));
  CHECK(f.cmd({"HPTTL", "h", "FIELDS", "1", "b"}) == ints({-1}));
  REQUIRE(f.cmd({"HINCRBY", "h", "n", "2"}) == Reply::Int(7));
  CHECK(f.cmd({"HPEXPIRETIME", "h", "FIELDS", "1", "n"}) == ints({kFarMs}));
  REQUIRE(f.cmd({"HINCRBYFLOAT", "h", "n", "0.5"}) == Reply::Str("7.5"));
  CHECK(f.cmd({"HPEXPIRETIME", "h", "FIELDS", "1", "n"}) == ints({kFarMs}));
  CHECK(f.cmd({"HSETNX", "h", "n", "1"}) == Reply::Int(0));
  CHECK(f.cmd({"HPEXPIRETIME", "h", "FIELDS", "1", "n"}) == ints({kFarMs}));
  REQUIRE(f.cmd({"HDEL", "h", "n"}) == Reply::Int(1));
  REQUIRE(f.cmd({"HSET", "h", "n", "1"}) == Reply::Int(1));
  CHECK(f.cmd({"HPTTL", "h", "FIELDS", "1", "n"}) == ints({-1}));
}

TEST_CASE("an expired field is absent to every hash command") {
  Fixture f;
  std::vector<std::string> set = {"HSET", "h", "gone", "12345", "keep", "v"};
  for (int i = 0; i < 200; i++) {  // a table-encoded hash, not only a packed one
    set.push_back("f" + std::to_string(i));
    set.push_back("v");
  }
  for (const char* key : {"h", "small"}) {
    CAPTURE(key);
    set[1] = key;
    if (std::string(key) == "small") set.resize(6);
    REQUIRE(f.cmd(set).type == Reply::Type::kInteger);
    REQUIRE(f.cmd({"HPEXPIRE", key, "1", "FIELDS", "1", "gone"}) == ints({1}));
    // Bounded: the field's millisecond passes; HEXISTS then says so.
    REQUIRE(poll_until(
        [&] {
          return f.cmd({"HEXISTS", key, "gone"}) == Reply::Int(0);
        },
        std::chrono::seconds(5)));
    long long n = std::string(key) == "h" ? 201 : 1;
    CHECK(f.cmd({"HGET", key, "gone"}).is_nil());
    CHECK(f.cmd({"HMGET", key, "gone", "keep"}) == Reply::Arr({Reply::Nil(), Reply::Str("v")}));
    CHECK(f.cmd({"HLEN", key}) == Reply::Int(n));
    CHECK(f.cmd({"HSTRLEN", key, "gone"}) == Reply::Int(0));
    CHECK(f.cmd({"HKEYS", key}).elements.size() == static_cast<size_t>(n));
    CHECK(f.cmd({"HVALS", key}).elements.size() == static_cast<size_t>(n));
    CHECK(f.cmd({"HGETALL", key}).elements.size() == static_cast<size_t>(2 * n));
    CHECK(f.cmd({"HRANDFIELD", key, "-1000"}).elements.size() == 1000);
    for (const Reply& r : f.cmd({"HRANDFIELD", key, "-1000"}).elements) CHECK(r.str != "gone");
    Reply scan = f.cmd({"HSCAN", key, "0", "COUNT", "1000"});
    for (const Reply& r : scan.elements[1].elements) CHECK(r.str != "gone");
    CHECK(f.cmd({"HTTL", key, "FIELDS", "1", "gone"}) == ints({-2}));
    CHECK(f.cmd({"HINCRBY", key, "gone", "1"}) == Reply::Int(1));  // a new field
  }
}

TEST_CASE("the active sweep reclaims expired fields and deletes the emptied key") {
  Fixture f(ServerOptions().set("hz", "100"));
  REQUIRE(f.cmd({"HSET", "only", "a", "1"}) == Reply::Int(1));
  REQUIRE(f.cmd({"HSET", "two", "a", "1", "b", "2"}) == Reply::Int(2));
  REQUIRE(f.cmd({"HPEXPIRE", "only", "1", "FIELDS", "1", "a"}) == ints({1}));
  REQUIRE(f.cmd({"HPEXPIRE", "two", "1", "FIELDS", "1", "a"}) == ints({1}));
  // DBSIZE and EXISTS read no field: only the sweep can make "only" go.
  CHECK(poll_until([&] { return f.cmd({"DBSIZE"}) == Reply::Int(1); }, std::chrono::seconds(10)));
  CHECK(f.cmd({"EXISTS", "only"}) == Reply::Int(0));
  CHECK(f.cmd({"HGETALL", "two"}) == Reply::StrArr({"b", "2"}));
}

TEST_CASE("COPY, RENAME and MOVE keep field TTLs; MEMORY USAGE counts them") {
  Fixture f;
  std::vector<std::string> set = {"HSET", "h"};
  for (int i = 0; i < 50; i++) {
    set.push_back("field-with-a-longish-name-" + std::to_string(i));
    set.push_back("v");
  }
  REQUIRE(f.cmd(set) == Reply::Int(50));
  long long plain = f.cmd({"MEMORY", "USAGE", "h"}).integer;
  std::vector<std::string> exp = {"HPEXPIREAT", "h", kFar, "FIELDS", "50"};
  for (int i = 0; i < 50; i++) exp.push_back(set[2 + 2 * i]);
  REQUIRE(f.cmd(exp).elements.size() == 50);
  CHECK(f.cmd({"MEMORY", "USAGE", "h"}).integer > plain);
  const std::string field0 = set[2];
  REQUIRE(f.cmd({"COPY", "h", "h2"}) == Reply::Int(1));
  CHECK(f.cmd({"HPEXPIRETIME", "h2", "FIELDS", "1", field0}) == ints({kFarMs}));
  REQUIRE(f.cmd({"RENAME", "h2", "h3"}) == OK());
  CHECK(f.cmd({"HPEXPIRETIME", "h3", "FIELDS", "1", field0}) == ints({kFarMs}));
  REQUIRE(f.cmd({"MOVE", "h3", "1"}) == Reply::Int(1));
  REQUIRE(f.cmd({"SELECT", "1"}) == OK());
  CHECK(f.cmd({"HPEXPIRETIME", "h3", "FIELDS", "1", field0}) == ints({kFarMs}));
  REQUIRE(f.cmd({"SELECT", "0"}) == OK());
  // The copies are independent: persisting one leaves the other.
  std::vector<std::string> persist = {"HPERSIST", "h", "FIELDS", "50"};
  for (int i = 0; i < 50; i++) persist.push_back(set[2 + 2 * i]);
  REQUIRE(f.cmd(persist).elements.size() == 50);
  CHECK(f.cmd({"MEMORY", "USAGE", "h"}).integer == plain);
}

TEST_CASE("HGETEX, HSETEX and HGETDEL") {
  Fixture f;
  REQUIRE(f.cmd({"HSET", "h", "a", "1", "b", "2", "c", "3"}) == Reply::Int(3));
  CHECK(f.cmd({"HGETEX", "h", "PXAT", kFar, "FIELDS", "2", "a", "zz"}) ==
        Reply::Arr({Reply::Str("1"), Reply::Nil()}));
  CHECK(f.cmd({"HPEXPIRETIME", "h", "FIELDS", "2", "a", "zz"}) == ints({kFarMs, -2}));
  CHECK(f.cmd({"HGETEX", "h", "PERSIST", "FIELDS", "1", "a"}) == Reply::StrArr({"1"}));
  CHECK(f.cmd({"HPTTL", "h", "FIELDS", "1", "a"}) == ints({-1}));
  CHECK(f.cmd({"HGETEX", "h", "FIELDS", "1", "b"}) == Reply::StrArr({"2"}));
  CHECK(f.cmd({"HGETEX", "h", "EXAT", "1", "FIELDS", "1", "b"}) == Reply::StrArr({"2"}));
  CHECK(f.cmd({"HEXISTS", "h", "b"}) == Reply::Int(0));  // a past time deletes
  CHECK(f.cmd({"HGETEX", "nokey", "EX", "10", "FIELDS", "1", "a"}) == Reply::Arr({Reply::Nil()}));

  CHECK(f.cmd({"HSETEX", "h", "FNX", "PXAT", kFar, "FIELDS", "2", "a", "x", "n", "y"}) ==
        Reply::Int(0));
  CHECK(f.cmd({"HGET", "h", "n"}).is_nil());
  CHECK(f.cmd({"HSETEX", "h", "FNX", "PXAT", kFar, "FIELDS", "1", "n", "y"}) == Reply::Int(1));
  CHECK(f.cmd({"HPEXPIRETIME", "h", "FIELDS", "1", "n"}) == ints({kFarMs}));
  CHECK(f.cmd({"HSETEX", "h", "FXX", "KEEPTTL", "FIELDS", "2", "n", "z", "a", "w"}) ==
        Reply::Int(1));
  CHECK(f.cmd({"HPEXPIRETIME", "h", "FIELDS", "2", "n", "a"}) == ints({kFarMs, -1}));
  CHECK(f.cmd({"HMGET", "h", "n", "a"}) == Reply::StrArr({"z", "w"}));
  CHECK(f.cmd({"HSETEX", "h", "FIELDS", "1", "n", "q"}) == Reply::Int(1));  // TTL cleared
  CHECK(f.cmd({"HPTTL", "h", "FIELDS", "1", "n"}) == ints({-1}));
  CHECK(f.cmd({"HSETEX", "h", "FXX", "FIELDS", "1", "nope", "q"}) == Reply::Int(0));
  CHECK(f.cmd({"HSETEX", "new", "EX", "100", "FIELDS", "1", "f", "v"}) == Reply::Int(1));
  Reply t = f.cmd({"HTTL", "new", "FIELDS", "1", "f"});
  CHECK((t.elements[0].integer > 0 && t.elements[0].integer <= 100));

  CHECK(f.cmd({"HGETDEL", "h", "FIELDS", "3", "a", "zz", "n"}) ==
        Reply::Arr({Reply::Str("w"), Reply::Nil(), Reply::Str("q")}));
  CHECK(f.cmd({"HGETALL", "h"}) == Reply::StrArr({"c", "3"}));
  CHECK(f.cmd({"HGETDEL", "h", "FIELDS", "1", "c"}) == Reply::StrArr({"3"}));
  CHECK(f.cmd({"EXISTS", "h"}) == Reply::Int(0));
  CHECK(f.cmd({"HGETDEL", "h", "FIELDS", "1", "c"}) == Reply::Arr({Reply::Nil()}));
}

TEST_CASE("hash-field expiry errors, as Redis words them") {
  Fixture f;
  REQUIRE(f.cmd({"HSET", "h", "a", "1"}) == Reply::Int(1));
  REQUIRE(f.cmd({"SET", "s", "x"}) == OK());
  const Reply wrongtype =
      Reply::Err("WRONGTYPE Operation against a key holding the wrong kind of value");
  CHECK(f.cmd({"HEXPIRE", "s", "10", "FIELDS", "1", "a"}) == wrongtype);
  CHECK(f.cmd({"HTTL", "s", "FIELDS", "1", "a"}) == wrongtype);
  CHECK(f.cmd({"HGETEX", "s", "FIELDS", "1", "a"}) == wrongtype);
  CHECK(f.cmd({"HSETEX", "s", "FIELDS", "1", "a", "b"}) == wrongtype);
  CHECK(f.cmd({"HGETDEL", "s", "FIELDS", "1", "a"}) == wrongtype);
  CHECK(f.cmd({"HEXPIRE", "h", "x", "FIELDS", "1", "a"}) ==
        Reply::Err("ERR value is not an integer or out of range"));
  CHECK(f.cmd({"HEXPIRE", "h", "-1", "FIELDS", "1", "a"}) ==
        Reply::Err("ERR invalid expire time, must be >= 0"));
  CHECK(f.cmd({"HEXPIRE", "h", "99999999999999", "FIELDS", "1", "a"}) ==
        Reply::Err("ERR invalid expire time in 'hexpire' command"));
  CHECK(f.cmd({"HEXPIRE", "h", "10", "FIELD", "1", "a"}) ==
        Reply::Err("ERR Mandatory argument FIELDS is missing or not at the right position"));
  CHECK(f.cmd({"HEXPIRE", "h", "10", "FIELDS", "0", "a"}) ==
        Reply::Err("ERR Parameter `numFields` should be greater than 0"));
  CHECK(f.cmd({"HEXPIRE", "h", "10", "FIELDS", "2", "a"}) ==
        Reply::Err("ERR The `numfields` parameter must match the number of arguments"));
  CHECK(f.cmd({"HEXPIRE", "h", "10", "FIELDS", "1"}) ==
        Reply::Err("ERR wrong number of arguments for 'hexpire' command"));
  CHECK(f.cmd({"HTTL", "h", "FIELDS", "-1", "a"}) ==
        Reply::Err("ERR Number of fields must be a positive integer"));
  CHECK(f.cmd({"HPERSIST", "h", "FIELDS", "2", "a"}) ==
        Reply::Err("ERR The `numfields` parameter must match the number of arguments"));
  CHECK(f.cmd({"HGETEX", "h", "EX", "10", "PX", "10", "FIELDS", "1", "a"}) ==
        Reply::Err("ERR Only one of EX, PX, EXAT, PXAT or PERSIST arguments can be specified"));
  CHECK(f.cmd({"HGETEX", "h", "EX", "0", "FIELDS", "1", "a"}) ==
        Reply::Err("ERR invalid expire time in 'hgetex' command"));
  CHECK(f.cmd({"HSETEX", "h", "EX", "10", "KEEPTTL", "FIELDS", "1", "a", "b"}) ==
        Reply::Err("ERR Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified"));
  CHECK(f.cmd({"HSETEX", "h", "FNX", "FXX", "FIELDS", "1", "a", "b"}) ==
        Reply::Err("ERR Only one of FXX or FNX arguments can be specified"));
  CHECK(f.cmd({"HSETEX", "h", "FIELDS", "2", "a", "b"}) ==
        Reply::Err("ERR wrong number of arguments for 'hsetex' command"));
  CHECK(f.cmd({"HGETEX", "h", "FIELDS", "0", "a"}) == Reply::Err("ERR invalid number of fields"));
  CHECK(f.cmd({"HSETEX", "h", "FIELDS", "-1", "a", "b"}) ==
        Reply::Err("ERR invalid number of fields"));
  CHECK(f.cmd({"HGETEX", "h", "FIELDS", "2", "a"}) ==
        Reply::Err("ERR wrong number of arguments for 'hgetex' command"));
  CHECK(f.cmd({"HGETDEL", "h", "FIELDS", "x", "a"}) ==
        Reply::Err("ERR Number of fields must be a positive integer"));
  CHECK(f.cmd({"HGET", "h", "a"}) == Reply::Str("1"));  // nothing above changed it
}

TEST_CASE("HEXPIRE and friends inside MULTI/EXEC and scripts") {
  Fixture f;
  REQUIRE(f.cmd({"MULTI"}) == OK());
  CHECK(f.cmd({"HSET", "h", "a", "1"}) == Reply::Status("QUEUED"));
  CHECK(f.cmd({"HPEXPIREAT", "h", kFar, "FIELDS", "1", "a"}) == Reply::Status("QUEUED"));
  CHECK(f.cmd({"HPEXPIRETIME", "h", "FIELDS", "1", "a"}) == Reply::Status("QUEUED"));
  CHECK(f.cmd({"EXEC"}) == Reply::Arr({Reply::Int(1), ints({1}), ints({kFarMs})}));
  CHECK(f.cmd({"EVAL", "return redis.call('HPERSIST', KEYS[1], 'FIELDS', 1, 'a')", "1", "h"}) ==
        ints({1}));
  CHECK(f.cmd({"EVAL", "return redis.call('HTTL', KEYS[1], 'FIELDS', 1, 'a')", "1", "h"}) ==
        ints({-1}));
}

namespace {

// The keyevent messages ("__keyevent@0__:<event>", key) a subscriber received up to a marker
// PUBLISHed after the commands (one connection's commands and its PUBLISH reach the subscriber in
// order).
std::vector<std::pair<std::string, std::string>> drain_events(Fixture& f, RawConnection& sub,
                                                              int mark) {
  const std::string marker = "__keyend__:" + std::to_string(mark);
  REQUIRE(f.cmd({"PUBLISH", marker, "end"}).integer == 1);
  std::vector<std::pair<std::string, std::string>> got;
  for (;;) {
    std::string frame = sub.read_reply();
    REQUIRE(!frame.empty());
    std::vector<std::string> b;  // the frame's bulk strings
    for (size_t pos = frame.find("\r\n") + 2; pos < frame.size() && frame[pos] == '$';) {
      size_t eol = frame.find("\r\n", pos);
      size_t len = std::stoul(frame.substr(pos + 1, eol - pos - 1));
      b.push_back(frame.substr(eol + 2, len));
      pos = eol + 2 + len + 2;
    }
    REQUIRE(b.size() == 4);
    if (b[2] == marker) return got;
    got.emplace_back(b[2].substr(b[2].find(':') + 1), b[3]);
  }
}

}  // namespace

TEST_CASE("keyspace events: hexpire, hpersist, hexpired, hdel and del") {
  Fixture f;
  REQUIRE(f.cmd({"CONFIG", "SET", "notify-keyspace-events", "Ehg"}) == OK());
  RawConnection sub(f.server.port());
  REQUIRE(raw(sub, {"PSUBSCRIBE", "__key*__:*"}) ==
          header('*', 3) + bulk("psubscribe") + bulk("__key*__:*") + ":1\r\n");
  using Ev = std::vector<std::pair<std::string, std::string>>;
  REQUIRE(f.cmd({"HSET", "h", "a", "1", "b", "2"}) == Reply::Int(2));
  REQUIRE(f.cmd({"HPEXPIREAT", "h", kFar, "FIELDS", "1", "a"}) == ints({1}));
  REQUIRE(f.cmd({"HPEXPIREAT", "h", kFar, "NX", "FIELDS", "1", "a"}) == ints({0}));  // no event
  REQUIRE(f.cmd({"HPERSIST", "h", "FIELDS", "1", "a"}) == ints({1}));
  CHECK(drain_events(f, sub, 1) == Ev{{"hset", "h"}, {"hexpire", "h"}, {"hpersist", "h"}});
  REQUIRE(f.cmd({"HPEXPIRE", "h", "1", "FIELDS", "1", "a"}) == ints({1}));
  REQUIRE(poll_until(
      [&] {
        return f.cmd({"HEXISTS", "h", "a"}) == Reply::Int(0);
      },
      std::chrono::seconds(5)));
  CHECK(drain_events(f, sub, 2) == Ev{{"hexpire", "h"}, {"hexpired", "h"}});
  REQUIRE(f.cmd({"HPEXPIREAT", "h", "1", "FIELDS", "1", "b"}) == ints({2}));
  CHECK(drain_events(f, sub, 3) == Ev{{"hdel", "h"}, {"del", "h"}});
}

TEST_CASE("two workers: each sweeps its shards' hashes while clients write on both") {
  Fixture f(workers(2).set("hz", "100"));
  Client other(f.server.port());
  constexpr int kKeys = 200;
  for (int i = 0; i < kKeys; i++) {
    Client& c = i % 2 ? other : f.c;
    std::string key = "h" + std::to_string(i);
    REQUIRE(c.cmd({"HSET", key, "a", "1", "b", "2"}).integer == 2);
    // Half the keys lose both fields (and go), half keep "b".
    std::vector<std::string> exp = {"HPEXPIRE", key, "1", "FIELDS", "1", "a"};
    if (i % 2) {
      exp[4] = "2";
      exp.push_back("b");
    }
    REQUIRE(c.cmd(exp).elements.size() == exp.size() - 5);
  }
  CHECK(poll_until([&] { return f.cmd({"DBSIZE"}) == Reply::Int(kKeys / 2); },
                   std::chrono::seconds(10)));
  for (int i = 0; i < kKeys; i += 2)
    CHECK(f.cmd({"HGETALL", "h" + std::to_string(i)}) == Reply::StrArr({"b", "2"}));
}
