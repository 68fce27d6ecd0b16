// INFO errorstats, total_error_replies and commandstats' rejected_calls / failed_calls over the
// wire, with Redis 7.0's rules: every error reply counts once under its first word; a command
// refused before it ran (arity, unknown in MULTI, OOM) is rejected, one that ran and replied an
// error failed; inside EXEC and scripts the command that erred is charged, and a script that
// passes a redis.call error on fails without counting the error twice (scripting.tcl's
// "Consistent eval error reporting"). Written to pass against redis-server 7.0 too.
#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

// The value of INFO line `name` (in section `section`), or "" when there is none.
std::string info_line(Fixture& f, const std::string& section, const std::string& name) {
  std::string info = f.cmd({"INFO", section}).str;
  size_t pos = info.find("\r\n" + name + ":");
  if (pos == std::string::npos) return "";
  pos += name.size() + 3;
  return info.substr(pos, info.find("\r\n", pos) - pos);
}
std::string errorstat(Fixture& f, const std::string& code) {
  return info_line(f, "errorstats", "errorstat_" + code);
}
long long total_errors(Fixture& f) {
  return info_field(f.cmd({"INFO", "stats"}).str, "total_error_replies");
}
// "calls=1,...,rejected_calls=0,failed_calls=1" without the timings, or "".
std::string cmdstat(Fixture& f, const std::string& cmd) {
  std::string v = info_line(f, "commandstats", "cmdstat_" + cmd);
  if (v.empty()) return v;
  std::string calls = v.substr(0, v.find(','));
  return calls + v.substr(v.find(",rejected_calls"));
}

}  // namespace

TEST_CASE("INFO errorstats counts every error reply under its code; RESETSTAT clears it") {
  Fixture f;
  REQUIRE(f.cmd({"CONFIG", "RESETSTAT"}).is_ok());
  CHECK(errorstat(f, "ERR") == "");
  CHECK(total_errors(f) == 0);
  REQUIRE(f.cmd({"SET", "k", "v"}).is_ok());
  CHECK(f.cmd({"LPUSH", "k", "x"}).is_error());  // WRONGTYPE
  CHECK(f.cmd({"NOSUCHCOMMAND"}).is_error());    // ERR unknown command
  CHECK(f.cmd({"GET"}).is_error());              // ERR wrong number of arguments
  CHECK(f.cmd({"INCR", "k"}).is_error());        // ERR value is not an integer
  CHECK(errorstat(f, "WRONGTYPE") == "count=1");
  CHECK(errorstat(f, "ERR") == "count=3");
  CHECK(total_errors(f) == 4);
  // The default INFO and INFO all carry the section too, in Redis's place.
  std::string info = f.cmd({"INFO"}).str;
  CHECK(info.find("# Errorstats\r\nerrorstat_ERR:count=3\r\nerrorstat_WRONGTYPE:count=1\r\n") !=
        std::string::npos);
  CHECK(f.cmd({"INFO", "all"}).str.find("errorstat_WRONGTYPE:count=1") != std::string::npos);
  REQUIRE(f.cmd({"CONFIG", "RESETSTAT"}).is_ok());
  CHECK(errorstat(f, "ERR") == "");
  CHECK(errorstat(f, "WRONGTYPE") == "");
  CHECK(total_errors(f) == 0);
}

TEST_CASE("errors from clients on every worker are summed") {
  Fixture f(workers(4));
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 8; i++) {
    clients.push_back(std::make_unique<Client>(f.server.port()));
    CHECK(clients.back()->cmd({"GET"}).is_error());
  }
  CHECK(errorstat(f, "ERR") == "count=8");
  CHECK(cmdstat(f, "get") == "calls=0,rejected_calls=8,failed_calls=0");
}

TEST_CASE("commandstats: rejected before running, failed after") {
  Fixture f;
  REQUIRE(f.cmd({"CONFIG", "RESETSTAT"}).is_ok());
  CHECK(f.cmd({"GET"}).is_error());
  CHECK(cmdstat(f, "get") == "calls=0,rejected_calls=1,failed_calls=0");
  REQUIRE(f.cmd({"SET", "k", "v"}).is_ok());
  CHECK(f.cmd({"LPUSH", "k", "x"}).is_error());
  CHECK(cmdstat(f, "lpush") == "calls=1,rejected_calls=0,failed_calls=1");
  CHECK(cmdstat(f, "set") == "calls=1,rejected_calls=0,failed_calls=0");
}

TEST_CASE("commandstats inside MULTI/EXEC: the queued command is charged, not EXEC") {
  Fixture f;
  REQUIRE(f.cmd({"SET", "k", "v"}).is_ok());
  REQUIRE(f.cmd({"CONFIG", "RESETSTAT"}).is_ok());
  REQUIRE(f.cmd({"MULTI"}).is_ok());
  CHECK(f.cmd({"LPUSH", "k", "x"}) == Reply::Status("QUEUED"));
  Reply exec = f.cmd({"EXEC"});
  REQUIRE(exec.is_array());
  CHECK(exec.elements.at(0).is_error());
  CHECK(cmdstat(f, "lpush") == "calls=1,rejected_calls=0,failed_calls=1");
  CHECK(cmdstat(f, "exec") == "calls=1,rejected_calls=0,failed_calls=0");
  CHECK(errorstat(f, "WRONGTYPE") == "count=1");

  // A queuing error rejects the command; EXEC then fails with EXECABORT.
  REQUIRE(f.cmd({"CONFIG", "RESETSTAT"}).is_ok());
  REQUIRE(f.cmd({"MULTI"}).is_ok());
  CHECK(f.cmd({"SET", "k"}).is_error());
  CHECK(f.cmd({"EXEC"}).is_error());
  CHECK(cmdstat(f, "set") == "calls=0,rejected_calls=1,failed_calls=0");
  CHECK(cmdstat(f, "exec") == "calls=1,rejected_calls=0,failed_calls=1");
  CHECK(errorstat(f, "ERR") == "count=1");
  CHECK(errorstat(f, "EXECABORT") == "count=1");
  CHECK(total_errors(f) == 2);
}

TEST_CASE("scripts: a redis.call error counts once, and the script fails") {
  Fixture f;
  // Executed and failed inside the script, then raised.
  REQUIRE(f.cmd({"CONFIG", "RESETSTAT"}).is_ok());
  CHECK(f.cmd({"EVAL", "return redis.call('select', 99)", "0"}).is_error());
  CHECK(errorstat(f, "ERR") == "count=1");
  CHECK(total_errors(f) == 1);
  CHECK(cmdstat(f, "select") == "calls=1,rejected_calls=0,failed_calls=1");
  CHECK(cmdstat(f, "eval") == "calls=1,rejected_calls=0,failed_calls=1");

  // Caught by pcall: the script itself succeeds.
  REQUIRE(f.cmd({"CONFIG", "RESETSTAT"}).is_ok());
  CHECK(f.cmd({"EVAL", "local t = redis.pcall('select', 99) return 1", "0"}) == Reply::Int(1));
  CHECK(errorstat(f, "ERR") == "count=1");
  CHECK(cmdstat(f, "select") == "calls=1,rejected_calls=0,failed_calls=1");
  CHECK(cmdstat(f, "eval") == "calls=1,rejected_calls=0,failed_calls=0");

  // Refused before running (a write from EVAL_RO): rejected, still one error.
  REQUIRE(f.cmd({"CONFIG", "RESETSTAT"}).is_ok());
  CHECK(f.cmd({"EVAL_RO", "return redis.call('set','x','y')", "1", "x"}).is_error());
  CHECK(errorstat(f, "ERR") == "count=1");
  CHECK(total_errors(f) == 1);
  CHECK(cmdstat(f, "set") == "calls=0,rejected_calls=1,failed_calls=0");
  CHECK(cmdstat(f, "eval_ro") == "calls=1,rejected_calls=0,failed_calls=1");

  // The pcall'd error table returned as the script's reply: not counted again.
  REQUIRE(f.cmd({"CONFIG", "RESETSTAT"}).is_ok());
  REQUIRE(f.cmd({"SET", "s", "1"}).is_ok());
  CHECK(f.cmd({"EVAL", "return redis.pcall('lpush', 's', 'x')", "0"}).is_error());
  CHECK(errorstat(f, "WRONGTYPE") == "count=1");
  CHECK(cmdstat(f, "eval") == "calls=1,rejected_calls=0,failed_calls=1");

  // The script's own error reply counts under its code.
  REQUIRE(f.cmd({"CONFIG", "RESETSTAT"}).is_ok());
  CHECK(f.cmd({"EVAL", "return redis.error_reply('MY_ERR_CODE custom msg')", "0"}) ==
        Reply::Err("MY_ERR_CODE custom msg"));
  CHECK(errorstat(f, "MY_ERR_CODE") == "count=1");
  CHECK(f.cmd({"EVAL", "return redis.error_reply('')", "0"}).is_error());
  CHECK(errorstat(f, "ERR") == "count=1");
  CHECK(total_errors(f) == 2);
}

TEST_CASE("scripts under maxmemory: OOM from redis.call is a rejection of the command") {
  Fixture f;
  REQUIRE(f.cmd({"CONFIG", "RESETSTAT"}).is_ok());
  REQUIRE(f.cmd({"CONFIG", "SET", "maxmemory", "1"}).is_ok());
  Reply r = f.cmd({"EVAL", "return redis.call('set','x','y')", "1", "x"});
  CHECK(r.is_error());
  CHECK(r.str.rfind("OOM ", 0) == 0);
  CHECK(errorstat(f, "OOM") == "count=1");
  CHECK(total_errors(f) == 1);
  CHECK(cmdstat(f, "set") == "calls=0,rejected_calls=1,failed_calls=0");
  CHECK(cmdstat(f, "eval") == "calls=1,rejected_calls=0,failed_calls=1");
  REQUIRE(f.cmd({"CONFIG", "SET", "maxmemory", "0"}).is_ok());
}
