// MONITOR over the wire: Redis 7.0's line format and escaping, commands from clients on every
// worker, transactions and scripts as Redis shows them (the script command first, then its
// redis.call commands from "lua"), redacted AUTH and HELLO secrets, admin commands left out, and
// a monitor that stops with RESET or its connection.
#include <regex>
#include <set>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

// A client in MONITOR mode: each next() is one line, without "+" and CRLF.
struct Monitor {
  explicit Monitor(int port) : c(port) {
    REQUIRE(c.send(resp({"MONITOR"})));
    REQUIRE(c.read_line() == "+OK\r\n");
  }
  std::string next() {
    std::string l = c.read_line();
    REQUIRE(l.size() > 3);
    REQUIRE(l[0] == '+');
    return l.substr(1, l.size() - 3);
  }
  // The line's part after "[db client] ".
  std::string args() {
    std::string l = next();
    return l.substr(l.find("] ") + 2);
  }
  RawConnection c;
};

}  // namespace

TEST_CASE("MONITOR streams each command in Redis's format") {
  Fixture f;
  Monitor m(f.server.port());
  CHECK(f.cmd({"SET", "foo", "bar"}) == OK());
  CHECK(f.cmd({"GET", "foo"}) == Reply::Str("bar"));
  std::string line = m.next();
  CHECK(std::regex_match(line,
                         std::regex(R"(\d{10}\.\d{6} \[0 127\.0\.0\.1:\d+\] "SET" "foo" "bar")")));
  CHECK(m.args() == R"("GET" "foo")");
  // The database the command ran in (SELECT shows its new one), and escaping as sdscatrepr.
  CHECK(f.cmd({"SELECT", "5"}) == OK());
  CHECK(f.cmd({"SET", std::string("a\"b\\c\n\r\t\a\b\x01\xff", 12), "sp ace"}) == OK());
  CHECK(m.next().find("[5 127.0.0.1:") != std::string::npos);
  CHECK(m.args() == R"("SET" "a\"b\\c\n\r\t\a\b\x01\xff" "sp ace")");
  // Its own commands too; admin commands (CONFIG, CLIENT LIST, DEBUG...) never.
  CHECK(f.cmd({"CONFIG", "GET", "maxclients"}).is_array());
  CHECK(f.cmd({"CLIENT", "LIST"}).type == Reply::Type::kString);
  CHECK(f.cmd({"PING"}) == Reply::Status("PONG"));
  CHECK(m.args() == R"("PING")");
  // Errors are commands that ran; unknown commands and bad arity are not.
  CHECK(f.cmd({"NOSUCHCMD"}).is_error());
  CHECK(f.cmd({"GET"}).is_error());
  CHECK(f.cmd({"INCRBY", "foo", "x"}).is_error());
  CHECK(m.args() == R"("INCRBY" "foo" "x")");
  // CLIENT LIST shows the monitor with flag O.
  CHECK(f.cmd({"CLIENT", "LIST"}).str.find("flags=O ") != std::string::npos);
}

TEST_CASE("MONITOR sees the commands of every worker") {
  Fixture f(workers(2));
  Monitor m(f.server.port());
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 6; i++) clients.push_back(std::make_unique<Client>(f.server.port()));
  std::set<std::string> want, got;
  for (int i = 0; i < 6; i++) {
    std::string k = "k" + std::to_string(i);
    CHECK(clients[i]->cmd({"SET", k, "v"}) == OK());
    want.insert("\"SET\" \"" + k + "\" \"v\"");
  }
  for (int i = 0; i < 6; i++) got.insert(m.args());
  CHECK(got == want);
  // One client's commands arrive in the order it sent them, whatever worker the monitor is on.
  for (int i = 0; i < 50; i++) clients[3]->append({"INCR", "n"});
  for (int i = 0; i < 50; i++) CHECK(clients[3]->get_reply() == Reply::Int(i + 1));
  for (int i = 0; i < 50; i++) CHECK(m.args() == R"("INCR" "n")");
}

TEST_CASE("MONITOR shows transactions and scripts as Redis 7.0 does") {
  Fixture f;
  Monitor m(f.server.port());
  CHECK(f.cmd({"MULTI"}) == OK());
  CHECK(f.cmd({"SET", "a", "1"}) == Reply::Status("QUEUED"));
  CHECK(f.cmd({"INCR", "a"}) == Reply::Status("QUEUED"));
  CHECK(f.cmd({"EXEC"}).is_array());
  CHECK(m.args() == R"("MULTI")");
  CHECK(m.args() == R"("SET" "a" "1")");
  CHECK(m.args() == R"("INCR" "a")");
  CHECK(m.args() == R"("EXEC")");
  CHECK(f.cmd({"EVAL", "redis.call('set',KEYS[1],ARGV[1])", "1", "foo", "bar"}).is_nil());
  CHECK(m.args() == R"m("EVAL" "redis.call('set',KEYS[1],ARGV[1])" "1" "foo" "bar")m");
  std::string lua = m.next();
  CHECK(lua.find(" [0 lua] \"set\" \"foo\" \"bar\"") != std::string::npos);
  CHECK(f.cmd({"FUNCTION", "LOAD",
               "#!lua name=lib\nredis.register_function('f', function() return "
               "redis.call('set', 'x', 'y') end)"})
            .str == "lib");
  CHECK(m.args().substr(0, 17) == R"("FUNCTION" "LOAD")");
  CHECK(f.cmd({"FCALL", "f", "0"}) == OK());
  CHECK(m.args() == R"("FCALL" "f" "0")");
  CHECK(m.next().find(" [0 lua] \"set\" \"x\" \"y\"") != std::string::npos);
}

TEST_CASE("MONITOR redacts AUTH and HELLO secrets") {
  Fixture f;
  Monitor m(f.server.port());
  CHECK(f.cmd({"AUTH", "not-real"}).is_error());
  CHECK(f.cmd({"AUTH", "not-real", "not-a-password"}).is_error());
  RawConnection h(f.server.port());
  CHECK(raw(h, {"HELLO", "2", "AUTH", "not-real", "not-a-password"}).substr(0, 1) == "-");
  CHECK(m.args() == R"m("AUTH" "(redacted)")m");
  CHECK(m.args() == R"m("AUTH" "(redacted)" "(redacted)")m");
  CHECK(m.args() == R"m("HELLO" "2" "AUTH" "(redacted)" "(redacted)")m");
}

TEST_CASE("a monitor stops with RESET, refuses MONITOR inside EXEC, and leaving costs nothing") {
  Fixture f;
  {
    Monitor m(f.server.port());
    REQUIRE(m.c.send(resp({"MONITOR"})));  // a second MONITOR: ignored, no reply
    // A monitor is a replica to Redis: kept away from the keyspace.
    REQUIRE(m.c.send(resp({"GET", "k"})));
    CHECK(m.c.read_line() == "-ERR Replica can't interact with the keyspace\r\n");
    CHECK(f.cmd({"PING"}) == Reply::Status("PONG"));
    CHECK(m.args() == R"("PING")");
    REQUIRE(m.c.send(resp({"RESET"})));
    CHECK(m.c.read_line() == "+RESET\r\n");
    CHECK(f.cmd({"CLIENT", "LIST"}).str.find("flags=O") == std::string::npos);
  }
  CHECK(f.cmd({"MULTI"}) == OK());
  CHECK(f.cmd({"MONITOR"}) == Reply::Status("QUEUED"));
  Reply r = f.cmd({"EXEC"});
  REQUIRE(r.elements.size() == 1);
  CHECK(r.elements[0] == Reply::Err("ERR MONITOR isn't allowed for DENY BLOCKING client"));
  // A monitor that closes: the server goes on.
  { Monitor gone(f.server.port()); }
  CHECK(f.cmd({"SET", "k", "v"}) == OK());
}
