// Unit tests of the slow log store (server/slowlog.h): Redis 7.0's argument cutting (32 arguments,
// 128 bytes, and the words it puts in their place), newest-first order, ids that go on across
// RESET, the length bound, and the redaction of secrets.
#include <doctest.h>

#include <string>
#include <vector>

#include "server/slowlog.h"

using namespace respite::server;

namespace {
std::vector<std::string_view> views(const std::vector<std::string>& v) {
  return {v.begin(), v.end()};
}
}  // namespace

TEST_CASE("slowlog_argv keeps short commands as they are") {
  std::vector<std::string> argv = {"set", "k", "v"};
  CHECK(slowlog_argv(views(argv)) == argv);
}

TEST_CASE("slowlog_argv cuts to 32 arguments, the last counting those left out") {
  std::vector<std::string> argv = {"sadd", "set"};
  for (int i = 3; i <= 33; i++) argv.push_back(std::to_string(i));  // 33 arguments in all
  std::vector<std::string> got = slowlog_argv(views(argv));
  REQUIRE(got.size() == 32);
  CHECK(got[30] == "31");
  CHECK(got[31] == "... (2 more arguments)");
  argv.resize(32);  // exactly 32: nothing cut
  CHECK(slowlog_argv(views(argv)) == argv);
}

TEST_CASE("slowlog_argv cuts each argument to 128 bytes") {
  std::vector<std::string> argv = {"set", std::string(128, 'A'), std::string(129, 'B')};
  std::vector<std::string> got = slowlog_argv(views(argv));
  CHECK(got[1] == argv[1]);
  CHECK(got[2] == std::string(128, 'B') + "... (1 more bytes)");
}

TEST_CASE("SlowLog: newest first, bounded, ids go on across reset") {
  SlowLog log;
  std::vector<std::string> a = {"ping"}, b = {"get", "k"}, c = {"set", "k", "v"};
  log.add(views(a), 10, 1000, "127.0.0.1:1", "", 2);
  log.add(views(b), 20, 1001, "127.0.0.1:2", "n", 2);
  log.add(views(c), 30, 1002, "?:0", "", 2);
  CHECK(log.size() == 2);  // the oldest (ping) went
  std::vector<SlowlogEntry> all = log.newest(-1);
  REQUIRE(all.size() == 2);
  CHECK(all[0].id == 2);
  CHECK(all[0].argv == c);
  CHECK(all[0].duration_us == 30);
  CHECK(all[0].peer == "?:0");
  CHECK(all[1].id == 1);
  CHECK(all[1].time == 1001);
  CHECK(all[1].name == "n");
  CHECK(log.newest(1).size() == 1);
  CHECK(log.newest(0).empty());
  CHECK(log.newest(10).size() == 2);
  log.trim(1);
  CHECK(log.size() == 1);
  log.reset();
  CHECK(log.size() == 0);
  log.add(views(a), 1, 1003, "", "", 128);
  CHECK(log.newest(-1).at(0).id == 3);
}

TEST_CASE("slowlog_redact hides passwords as Redis 7.0 does") {
  auto redact = [](std::string_view name, std::vector<std::string> in) {
    std::vector<std::string_view> v = views(in);
    slowlog_redact(name, v);
    return std::vector<std::string>(v.begin(), v.end());
  };
  using V = std::vector<std::string>;
  CHECK(redact("auth", {"auth", "pw"}) == V{"auth", "(redacted)"});
  CHECK(redact("auth", {"auth", "user", "pw"}) == V{"auth", "(redacted)", "(redacted)"});
  CHECK(redact("auth", {"auth", "a", "b", "c"}) == V{"auth", "a", "b", "c"});  // syntax error
  CHECK(redact("hello", {"hello", "3", "AUTH", "u", "p", "SETNAME", "auth"}) ==
        V{"hello", "3", "AUTH", "(redacted)", "(redacted)", "SETNAME", "auth"});
  CHECK(redact("config|set", {"config", "set", "maxmemory", "1", "requirepass", "x"}) ==
        V{"config", "set", "maxmemory", "1", "requirepass", "(redacted)"});
  CHECK(redact("get", {"get", "auth"}) == V{"get", "auth"});
}
