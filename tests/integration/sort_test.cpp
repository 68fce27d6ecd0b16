// SORT and SORT_RO over the wire: numeric and ALPHA order, DESC, LIMIT clamping, BY and GET
// patterns through strings and hash fields, BY without '*' keeping the native order, STORE
// replacing and deleting its destination, the errors, and the promise of server/commands/sort.cpp
// that a SORT reading keys through patterns sees them all at one instant while other workers
// write them. (Random forms are compared with redis-server by the list differential test.)
#include <atomic>
#include <thread>

#include "tests/integration/harness.h"

using namespace respite::test;

TEST_CASE("SORT: numeric, ALPHA, DESC and LIMIT") {
  Fixture f;
  REQUIRE(f.cmd({"RPUSH", "l", "3", "10", "-1", "2.5", "1"}) == Reply::Int(5));
  CHECK(f.cmd({"SORT", "l"}) == Reply::StrArr({"-1", "1", "2.5", "3", "10"}));
  CHECK(f.cmd({"SORT", "l", "DESC"}) == Reply::StrArr({"10", "3", "2.5", "1", "-1"}));
  CHECK(f.cmd({"SORT", "l", "ALPHA"}) == Reply::StrArr({"-1", "1", "10", "2.5", "3"}));
  CHECK(f.cmd({"SORT", "l", "LIMIT", "1", "2"}) == Reply::StrArr({"1", "2.5"}));
  CHECK(f.cmd({"SORT", "l", "LIMIT", "-5", "1"}) == Reply::StrArr({"-1"}));  // start clamped to 0
  CHECK(f.cmd({"SORT", "l", "LIMIT", "3", "-1"}) == Reply::StrArr({"3", "10"}));
  CHECK(f.cmd({"SORT", "l", "LIMIT", "9", "2"}) == Reply::StrArr({}));
  CHECK(f.cmd({"SORT_RO", "l", "DESC", "LIMIT", "0", "2"}) == Reply::StrArr({"10", "3"}));
  // Equal scores come in the order of the elements' bytes, whatever was pushed first.
  REQUIRE(f.cmd({"RPUSH", "ties", "01", "1", "1.0"}) == Reply::Int(3));
  CHECK(f.cmd({"SORT", "ties"}) == Reply::StrArr({"01", "1", "1.0"}));
  CHECK(f.cmd({"SORT", "ties", "DESC"}) == Reply::StrArr({"1.0", "1", "01"}));
  REQUIRE(f.cmd({"ZADD", "z", "3", "c", "1", "a", "2", "b"}) == Reply::Int(3));
  CHECK(f.cmd({"SORT", "z", "ALPHA", "DESC"}) == Reply::StrArr({"c", "b", "a"}));
  REQUIRE(f.cmd({"SADD", "s", "5", "3", "4"}) == Reply::Int(3));
  CHECK(f.cmd({"SORT", "s"}) == Reply::StrArr({"3", "4", "5"}));
  CHECK(f.cmd({"SORT", "nothing"}) == Reply::StrArr({}));
}

TEST_CASE("SORT: BY and GET through strings and hash fields; BY without '*' keeps the order") {
  Fixture f;
  REQUIRE(f.cmd({"RPUSH", "ids", "1", "2", "3"}) == Reply::Int(3));
  REQUIRE(f.cmd({"MSET", "w_1", "30", "w_2", "10", "w_3", "20", "name_1", "one", "name_3",
                 "three"}) == OK());
  REQUIRE(f.cmd({"HSET", "user_1", "age", "40", "city", "Oslo"}) == Reply::Int(2));
  REQUIRE(f.cmd({"HSET", "user_2", "age", "20"}) == Reply::Int(1));
  CHECK(f.cmd({"SORT", "ids", "BY", "w_*"}) == Reply::StrArr({"2", "3", "1"}));
  CHECK(f.cmd({"SORT", "ids", "BY", "w_*", "GET", "#", "GET", "name_*"}) ==
        Reply::Arr({Reply::Str("2"), Reply::Nil(), Reply::Str("3"), Reply::Str("three"),
                    Reply::Str("1"), Reply::Str("one")}));
  // user_3 is missing: weight 0, first; the hash field is read through "->".
  CHECK(f.cmd({"SORT", "ids", "BY", "user_*->age", "GET", "user_*->city"}) ==
        Reply::Arr({Reply::Nil(), Reply::Nil(), Reply::Str("Oslo")}));
  CHECK(f.cmd({"SORT", "ids", "BY", "nosort", "DESC", "LIMIT", "0", "2"}) ==
        Reply::StrArr({"3", "2"}));
  REQUIRE(f.cmd({"ZADD", "z", "1", "x", "2", "y", "3", "zz"}) == Reply::Int(3));
  CHECK(f.cmd({"SORT", "z", "BY", "nosort", "LIMIT", "1", "5"}) == Reply::StrArr({"y", "zz"}));
  CHECK(f.cmd({"SORT", "z", "BY", "nosort", "DESC"}) == Reply::StrArr({"zz", "y", "x"}));
}

TEST_CASE("SORT ... STORE replaces its destination, deletes it when empty; SORT_RO has no STORE") {
  Fixture f;
  REQUIRE(f.cmd({"SADD", "s", "b", "c", "a"}) == Reply::Int(3));
  REQUIRE(f.cmd({"SET", "dst", "old"}) == OK());
  // A set's own order is not reproducible, so even BY nosort sorts it (ALPHA) when storing.
  CHECK(f.cmd({"SORT", "s", "BY", "nosort", "STORE", "dst"}) == Reply::Int(3));
  CHECK(f.cmd({"TYPE", "dst"}) == Reply::Status("list"));
  CHECK(f.cmd({"LRANGE", "dst", "0", "-1"}) == Reply::StrArr({"a", "b", "c"}));
  CHECK(f.cmd({"SORT", "dst", "ALPHA", "DESC", "STORE", "dst"}) == Reply::Int(3));  // onto itself
  CHECK(f.cmd({"LRANGE", "dst", "0", "-1"}) == Reply::StrArr({"c", "b", "a"}));
  // GET of a missing key stores an empty string.
  CHECK(f.cmd({"SORT", "s", "ALPHA", "GET", "missing_*", "STORE", "dst"}) == Reply::Int(3));
  CHECK(f.cmd({"LRANGE", "dst", "0", "-1"}) == Reply::StrArr({"", "", ""}));
  CHECK(f.cmd({"SORT", "nothing", "STORE", "dst"}) == Reply::Int(0));
  CHECK(f.cmd({"EXISTS", "dst"}) == Reply::Int(0));
  CHECK(f.cmd({"SORT_RO", "s", "STORE", "dst"}) == Reply::Err("ERR syntax error"));
}

TEST_CASE("SORT errors") {
  Fixture f;
  REQUIRE(f.cmd({"RPUSH", "l", "1", "x"}) == Reply::Int(2));
  CHECK(f.cmd({"SORT", "l"}) ==
        Reply::Err("ERR One or more scores can't be converted into double"));
  CHECK(f.cmd({"SORT", "l", "ALPHA"}) == Reply::StrArr({"1", "x"}));
  CHECK(f.cmd({"SORT", "l", "LIMIT", "1"}) == Reply::Err("ERR syntax error"));
  CHECK(f.cmd({"SORT", "l", "LIMIT", "a", "1"}) ==
        Reply::Err("ERR value is not an integer or out of range"));
  CHECK(f.cmd({"SORT", "l", "BOGUS"}) == Reply::Err("ERR syntax error"));
  REQUIRE(f.cmd({"SET", "str", "v"}) == OK());
  CHECK(f.cmd({"SORT", "str"}) ==
        Reply::Err("WRONGTYPE Operation against a key holding the wrong kind of value"));
  CHECK(f.cmd({"SORT"}) == Reply::Err("ERR wrong number of arguments for 'sort' command"));
  CHECK(f.cmd({"COMMAND", "GETKEYS", "SORT", "l", "GET", "store", "STORE", "d"}) ==
        Reply::StrArr({"l", "d"}));
}

// Forty keys written together by MSET (atomic for every reader) and read back by SORTs that GET
// them all through a pattern: a SORT must never see some of them ahead of the others. Four
// workers and three readers, so that the writer and some reader sit on different event loops
// (connections are spread by the kernel); the readers run until the writer is done, and each
// checks it saw the values move, so the case cannot pass without having raced.
TEST_CASE("SORT with patterns reads every key at one instant while other workers write") {
  constexpr int kKeys = 40;  // a wide read, so that an unlocked one would often straddle a write
  Fixture f(workers(4));
  std::vector<std::string> push = {"RPUSH", "ids"}, mset = {"MSET"};
  for (int k = 0; k < kKeys; k++) {
    push.push_back(std::to_string(k));
    mset.insert(mset.end(), {"v_" + std::to_string(k), "0"});
  }
  REQUIRE(f.cmd(push) == Reply::Int(kKeys));
  REQUIRE(f.cmd(mset) == OK());
  std::atomic<bool> done{false};
  std::atomic<int> torn{0}, started{0};
  std::vector<std::thread> readers;
  std::vector<int> distinct(3, 0);
  for (int t = 0; t < 3; t++) {
    readers.emplace_back([&, t] {
      Client r(f.server.port());
      std::string last;
      started++;
      while (!done.load()) {
        Reply got = r.cmd({"SORT", "ids", "BY", "nosort", "GET", "v_*"});
        if (got.elements.size() != kKeys) {
          torn++;
          continue;
        }
        for (const Reply& e : got.elements) torn += e.str != got.elements[0].str;
        if (got.elements[0].str != last) distinct[t]++;
        last = got.elements[0].str;
      }
    });
  }
  while (started.load() < 3) std::this_thread::yield();
  // Pipelined in batches, so that the writer's worker spends its time committing MSETs.
  Client w(f.server.port());
  for (int i = 1; i <= 20000;) {
    for (int b = 0; b < 50; b++, i++) {
      for (int k = 0; k < kKeys; k++) mset[2 + 2 * k] = std::to_string(i);
      w.append(mset);
    }
    for (int b = 0; b < 50; b++) REQUIRE(w.get_reply() == OK());
  }
  done = true;
  for (auto& r : readers) r.join();
  MESSAGE("values seen by each reader: ", distinct[0], ", ", distinct[1], ", ", distinct[2]);
  CHECK(torn.load() == 0);
  for (int d : distinct) CHECK(d > 1);  // every reader overlapped the writes
}
