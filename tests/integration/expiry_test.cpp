// Expiry in real time: a key past its deadline is gone when read (lazy expiry), and keys that
// nobody reads are reclaimed by the active cycle, so DBSIZE falls to what has no TTL. Every wait
// here is a bounded poll, never a fixed sleep, so the tests are as fast as the server allows.
#include <ctime>
#include <set>

#include "tests/integration/harness.h"

using namespace respite::test;
using namespace std::chrono_literals;

TEST_CASE("a key set with PX 1 is gone when polled") {
  Fixture f;
  CHECK(f.cmd({"SET", "k", "v", "PX", "1"}) == OK());
  CHECK(poll_until([&] { return f.cmd({"GET", "k"}).is_nil(); }, 5000ms));
  CHECK(f.cmd({"EXISTS", "k"}) == Reply::Int(0));
  CHECK(f.cmd({"TTL", "k"}) == Reply::Int(-2));
  CHECK(f.cmd({"STRLEN", "k"}) == Reply::Int(0));
  // An expired key is absent for writers too: SET NX succeeds, INCR starts from zero.
  CHECK(f.cmd({"SET", "n", "41", "PX", "1"}) == OK());
  CHECK(f.cmd({"SET", "nx", "old", "PX", "1"}) == OK());
  CHECK(poll_until([&] { return f.cmd({"EXISTS", "n", "nx"}) == Reply::Int(0); }, 5000ms));
  CHECK(f.cmd({"INCR", "n"}) == Reply::Int(1));
  CHECK(f.cmd({"SET", "nx", "new", "NX", "GET"}) == Reply::Nil());
  CHECK(f.cmd({"GET", "nx"}) == Reply::Str("new"));
  CHECK(f.cmd({"TTL", "nx"}) == Reply::Int(-1));
}

TEST_CASE("expired keys vanish from KEYS, SCAN and MGET") {
  Fixture f;
  for (int i = 0; i < 20; ++i) {
    CHECK(f.cmd({"SET", "short:" + std::to_string(i), "v", "PX", "20"}) == OK());
  }
  CHECK(f.cmd({"SET", "long", "v", "EX", "1000"}) == OK());
  CHECK(f.cmd({"SET", "forever", "v"}) == OK());
  CHECK(poll_until([&] { return f.cmd({"KEYS", "*"}).elements.size() == 2; }, 5000ms));
  std::set<std::string> seen;
  std::string cursor = "0";
  do {
    Reply r = f.cmd({"SCAN", cursor});
    REQUIRE(r.elements.size() == 2);
    cursor = r.elements[0].str;
    for (const Reply& k : r.elements[1].elements) seen.insert(k.str);
  } while (cursor != "0");
  CHECK(seen == std::set<std::string>{"long", "forever"});
  CHECK(f.cmd({"MGET", "short:0", "long"}) == Reply::Arr({Reply::Nil(), Reply::Str("v")}));
}

TEST_CASE("active expiry reclaims keys that are never read") {
  Fixture f(ServerOptions().set("hz", "100"));
  constexpr int kKeys = 20000;
  constexpr int kPersistent = 10;
  for (int i = 0; i < kKeys; ++i) {
    f.c.append({"SET", "vol:" + std::to_string(i), "value", "PX", "50"});
  }
  for (int i = 0; i < kPersistent; ++i) f.c.append({"SET", "keep:" + std::to_string(i), "v"});
  int ok = 0;
  for (int i = 0; i < kKeys + kPersistent; ++i) ok += f.c.get_reply() == OK();
  REQUIRE(ok == kKeys + kPersistent);

  // DBSIZE counts keys that have expired but were not reclaimed yet, so this only reaches the
  // persistent count through the active cycle. No key is touched meanwhile.
  Reply size;
  bool drained = poll_until(
      [&] {
        size = f.cmd({"DBSIZE"});
        return size == Reply::Int(kPersistent);
      },
      10000ms);
  CHECK_MESSAGE(drained, "DBSIZE still " << size << " after 10 s");
  Reply info = f.cmd({"INFO", "keyspace"});
  CHECK(info.str.find("db0:keys=10,expires=0") != std::string::npos);
}

TEST_CASE("TTL counts down") {
  Fixture f;
  CHECK(f.cmd({"SET", "k", "v", "PX", "1500"}) == OK());
  long long first = f.cmd({"PTTL", "k"}).integer;
  CHECK(first > 0);
  CHECK(first <= 1500);
  CHECK(poll_until([&] { return f.cmd({"PTTL", "k"}).integer < first - 50; }, 5000ms));
  CHECK(poll_until([&] { return f.cmd({"PTTL", "k"}) == Reply::Int(-2); }, 5000ms));
}
