// SLOWLOG GET / LEN / RESET / HELP and the slowlog-log-slower-than / slowlog-max-len directives
// over the wire, as Redis 7.0 behaves (its unit/slowlog.tcl, less DEBUG SLEEP): what is logged
// (every command at threshold 0, none at -1; EXEC's commands but not EXEC; a script and the
// commands it calls), entry shape, argument cutting, redaction, the length bound, GET's count.
// Written to pass against redis-server 7.0 too.
#include <cstdlib>
#include <ctime>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

// The argument lists of SLOWLOG GET's entries, newest first.
std::vector<std::vector<std::string>> logged(Fixture& f, const std::string& count = "-1") {
  Reply r = f.cmd({"SLOWLOG", "GET", count});
  std::vector<std::vector<std::string>> out;
  for (const Reply& e : r.elements) {
    std::vector<std::string> argv;
    for (const Reply& a : e.elements.at(3).elements) argv.push_back(a.str);
    out.push_back(argv);
  }
  return out;
}
using Args = std::vector<std::string>;

}  // namespace

TEST_CASE("SLOWLOG directives: defaults, CONFIG SET, bounds") {
  Fixture f;
  CHECK(f.cmd({"CONFIG", "GET", "slowlog-log-slower-than"}) ==
        Reply::StrArr({"slowlog-log-slower-than", "10000"}));
  CHECK(f.cmd({"CONFIG", "GET", "slowlog-max-len"}) == Reply::StrArr({"slowlog-max-len", "128"}));
  CHECK(f.cmd({"CONFIG", "SET", "slowlog-log-slower-than", "-1"}).is_ok());
  CHECK(f.cmd({"CONFIG", "SET", "slowlog-log-slower-than", "-2"}).is_error());
  CHECK(f.cmd({"CONFIG", "SET", "slowlog-max-len", "-1"}).is_error());
  CHECK(f.cmd({"CONFIG", "SET", "slowlog-max-len", "5"}).is_ok());
  CHECK(f.cmd({"CONFIG", "GET", "slowlog-max-len"}) == Reply::StrArr({"slowlog-max-len", "5"}));
}

TEST_CASE("SLOWLOG: default threshold logs nothing fast; 0 logs all; -1 none") {
  Fixture f;
  REQUIRE(f.cmd({"SLOWLOG", "RESET"}).is_ok());
  CHECK(f.cmd({"PING"}) == Reply::Status("PONG"));
  CHECK(f.cmd({"SLOWLOG", "LEN"}) == Reply::Int(0));
  REQUIRE(f.cmd({"CONFIG", "SET", "slowlog-log-slower-than", "0"}).is_ok());
  REQUIRE(f.cmd({"SLOWLOG", "RESET"}).is_ok());  // logged itself, once it has run
  CHECK(f.cmd({"SLOWLOG", "LEN"}) == Reply::Int(1));
  REQUIRE(f.cmd({"SET", "a", "b"}).is_ok());
  CHECK(logged(f, "2") == std::vector<Args>{{"SET", "a", "b"}, {"SLOWLOG", "LEN"}});
  REQUIRE(f.cmd({"CONFIG", "SET", "slowlog-log-slower-than", "-1"}).is_ok());
  REQUIRE(f.cmd({"SLOWLOG", "RESET"}).is_ok());
  REQUIRE(f.cmd({"SET", "a", "b"}).is_ok());
  CHECK(f.cmd({"SLOWLOG", "LEN"}) == Reply::Int(0));
}

TEST_CASE("SLOWLOG entry: id, time, duration, arguments, address, client name") {
  Fixture f;
  REQUIRE(f.cmd({"CLIENT", "SETNAME", "foobar"}).is_ok());
  REQUIRE(f.cmd({"CONFIG", "SET", "slowlog-log-slower-than", "0"}).is_ok());
  REQUIRE(f.cmd({"SLOWLOG", "RESET"}).is_ok());
  REQUIRE(f.cmd({"SET", "k", "v"}).is_ok());
  Reply r = f.cmd({"SLOWLOG", "GET", "1"});
  REQUIRE(r.elements.size() == 1);
  const Reply& e = r.elements[0];
  REQUIRE(e.elements.size() == 6);
  CHECK(e.elements[0].type == Reply::Type::kInteger);
  long long id = e.elements[0].integer;
  CHECK(std::llabs(e.elements[1].integer - static_cast<long long>(std::time(nullptr))) <= 5);
  CHECK(e.elements[2].integer >= 0);
  CHECK(e.elements[3] == Reply::StrArr({"SET", "k", "v"}));
  CHECK(e.elements[4].str.rfind("127.0.0.1:", 0) == 0);
  CHECK(e.elements[5] == Reply::Str("foobar"));
  // Ids go on; RESET does not restart them.
  REQUIRE(f.cmd({"SLOWLOG", "RESET"}).is_ok());
  REQUIRE(f.cmd({"PING"}) == Reply::Status("PONG"));
  CHECK(f.cmd({"SLOWLOG", "GET", "1"}).elements.at(0).elements.at(0).integer > id);
}

TEST_CASE("SLOWLOG: max len, GET's count, errors, HELP") {
  Fixture f;
  REQUIRE(f.cmd({"CONFIG", "SET", "slowlog-log-slower-than", "0"}).is_ok());
  REQUIRE(f.cmd({"CONFIG", "SET", "slowlog-max-len", "10"}).is_ok());
  for (int i = 0; i < 100; i++) REQUIRE(f.cmd({"PING"}) == Reply::Status("PONG"));
  CHECK(f.cmd({"SLOWLOG", "LEN"}) == Reply::Int(10));
  CHECK(f.cmd({"SLOWLOG", "GET", "5"}).elements.size() == 5);
  CHECK(f.cmd({"SLOWLOG", "GET"}).elements.size() == 10);  // ten by default
  CHECK(f.cmd({"SLOWLOG", "GET", "0"}).elements.empty());
  CHECK(f.cmd({"SLOWLOG", "GET", "-1"}).elements.size() == 10);
  CHECK(f.cmd({"SLOWLOG", "GET", "-2"}) ==
        Reply::Err("ERR count should be greater than or equal to -1"));
  CHECK(f.cmd({"SLOWLOG", "GET", "x"}) ==
        Reply::Err("ERR count should be greater than or equal to -1"));
  CHECK(f.cmd({"SLOWLOG", "GET", "1", "2"}).is_error());
  CHECK(f.cmd({"SLOWLOG", "LEN", "1"}).is_error());
  CHECK(f.cmd({"SLOWLOG", "NOPE"}).is_error());
  CHECK(f.cmd({"SLOWLOG"}).is_error());
  Reply help = f.cmd({"SLOWLOG", "HELP"});
  REQUIRE(help.is_array());
  CHECK(help.elements.at(0).str ==
        "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  // A smaller bound shows at once.
  REQUIRE(f.cmd({"CONFIG", "SET", "slowlog-max-len", "1"}).is_ok());
  CHECK(f.cmd({"SLOWLOG", "LEN"}) == Reply::Int(1));
  CHECK(logged(f) == std::vector<Args>{{"SLOWLOG", "LEN"}});
}

TEST_CASE("SLOWLOG cuts long commands and long arguments") {
  Fixture f;
  REQUIRE(f.cmd({"CONFIG", "SET", "slowlog-log-slower-than", "0"}).is_ok());
  REQUIRE(f.cmd({"SLOWLOG", "RESET"}).is_ok());
  std::vector<std::string> sadd = {"sadd", "set"};
  for (int i = 3; i <= 33; i++) sadd.push_back(std::to_string(i));
  REQUIRE(f.cmd(sadd).type == Reply::Type::kInteger);
  Args want(sadd.begin(), sadd.begin() + 31);
  want.push_back("... (2 more arguments)");
  CHECK(logged(f, "1").at(0) == want);
  std::string arg(129, 'A');
  REQUIRE(f.cmd({"SADD", "set2", "foo", arg}) == Reply::Int(2));
  CHECK(logged(f, "1").at(0) ==
        Args{"SADD", "set2", "foo", std::string(128, 'A') + "... (1 more bytes)"});
}

TEST_CASE("SLOWLOG: EXEC's commands are logged, EXEC is not; scripts and their commands are") {
  Fixture f;
  REQUIRE(f.cmd({"CONFIG", "SET", "slowlog-log-slower-than", "0"}).is_ok());
  REQUIRE(f.cmd({"SLOWLOG", "RESET"}).is_ok());
  REQUIRE(f.cmd({"MULTI"}).is_ok());
  REQUIRE(f.cmd({"SET", "a", "1"}) == Reply::Status("QUEUED"));
  REQUIRE(f.cmd({"EXEC"}).is_array());
  CHECK(logged(f) == std::vector<Args>{{"SET", "a", "1"}, {"MULTI"}, {"SLOWLOG", "RESET"}});
  REQUIRE(f.cmd({"SLOWLOG", "RESET"}).is_ok());
  REQUIRE(f.cmd({"EVAL", "return redis.call('set', KEYS[1], 'y')", "1", "x"}).is_ok());
  Reply r = f.cmd({"SLOWLOG", "GET", "2"});
  REQUIRE(r.elements.size() == 2);
  CHECK(r.elements[0].elements.at(3) ==
        Reply::StrArr({"EVAL", "return redis.call('set', KEYS[1], 'y')", "1", "x"}));
  CHECK(r.elements[1].elements.at(3) == Reply::StrArr({"set", "x", "y"}));
}

TEST_CASE("SLOWLOG: a command that blocked is logged when it is served") {
  Fixture f(workers(2));
  REQUIRE(f.cmd({"CONFIG", "SET", "slowlog-log-slower-than", "0"}).is_ok());
  // Served: logged after the command that served it (here EXEC, after SLOWLOG RESET inside it).
  RawConnection waiter(f.server.port());
  REQUIRE(waiter.send(resp({"BLPOP", "l", "0"})));
  REQUIRE(poll_until(
      [&] {
        return info_field(f.cmd({"INFO", "clients"}).str, "blocked_clients") == 1;
      },
      std::chrono::seconds(10)));
  REQUIRE(f.cmd({"MULTI"}).is_ok());
  REQUIRE(f.cmd({"LPUSH", "l", "foo"}) == Reply::Status("QUEUED"));
  REQUIRE(f.cmd({"SLOWLOG", "RESET"}) == Reply::Status("QUEUED"));
  REQUIRE(f.cmd({"EXEC"}).is_array());
  CHECK(waiter.read_reply() == "*2\r\n$1\r\nl\r\n$3\r\nfoo\r\n");
  CHECK(logged(f, "1").at(0) == Args{"BLPOP", "l", "0"});
  // Timed out: not logged, as in Redis 7.0 (SLOWLOG RESET is the newest entry).
  REQUIRE(f.cmd({"SLOWLOG", "RESET"}).is_ok());
  CHECK(raw(waiter, {"BLPOP", "empty", "0.01"}) == "*-1\r\n");
  CHECK(logged(f, "1").at(0) == Args{"SLOWLOG", "RESET"});
}

TEST_CASE("SLOWLOG hides passwords") {
  Fixture f;
  REQUIRE(f.cmd({"CONFIG", "SET", "slowlog-log-slower-than", "0"}).is_ok());
  REQUIRE(f.cmd({"SLOWLOG", "RESET"}).is_ok());
  CHECK(f.cmd({"AUTH", "secret"}).is_error());  // no password set
  CHECK(f.cmd({"AUTH", "user", "secret"}).is_error());
  CHECK(logged(f, "2") ==
        std::vector<Args>{{"AUTH", "(redacted)", "(redacted)"}, {"AUTH", "(redacted)"}});
}
