// The stock Redis tools against the server: redis-cli with arguments, with --no-raw and with
// commands piped on stdin, and a redis-benchmark smoke run (plain, pipelined, multi-threaded) that
// must finish every test without an error line. These are the first things users try.
#include <sstream>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Lines of `text` that mention an error, ignoring case: redis-benchmark reports failed requests as
// the server's error text and redis-cli prints "(error) ...".
std::vector<std::string> error_lines(const std::string& text) {
  std::vector<std::string> out;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) {
    std::string lower = line;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (contains(lower, "err") || contains(lower, "wrongtype") || contains(lower, "could not")) {
      out.push_back(line);
    }
  }
  return out;
}

void run_benchmark(int port, const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {
      redis_benchmark_binary(), "-h", "127.0.0.1", "-p", std::to_string(port), "-t",
      "ping,set,get,incr,mset", "-n", "20000",     "-q"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  ProgramResult r = run_program(argv, {}, std::chrono::milliseconds(120000));
  INFO("stdout: " << r.out);
  INFO("stderr: " << r.err);
  CHECK(describe_status(r.status) == "exit 0");
  CHECK(error_lines(r.out + "\n" + r.err).empty());
  for (const char* test :
       {"PING_INLINE: ", "PING_MBULK: ", "SET: ", "GET: ", "INCR: ", "MSET (10 keys): "}) {
    CAPTURE(test);
    CHECK(contains(r.out, test));
  }
  // Every test printed its result line (the last progress update ends in "requests per second").
  size_t results = 0;
  for (size_t pos = 0; (pos = r.out.find("requests per second", pos)) != std::string::npos; ++pos) {
    ++results;
  }
  CHECK(results == 6);
}

}  // namespace

TEST_CASE("redis-cli with arguments") {
  Fixture f;
  int port = f.server.port();
  ProgramResult r = redis_cli(port, {"set", "foo", "bar"});
  CHECK(describe_status(r.status) == "exit 0");
  CHECK(r.out == "OK\n");
  r = redis_cli(port, {"get", "foo"});
  CHECK(r.out == "bar\n");
  r = redis_cli(port, {"--no-raw", "get", "foo"});
  CHECK(r.out == "\"bar\"\n");
  r = redis_cli(port, {"--no-raw", "incr", "n"});
  CHECK(r.out == "(integer) 1\n");
  r = redis_cli(port, {"--no-raw", "get", "missing"});
  CHECK(r.out == "(nil)\n");
  r = redis_cli(port, {"--no-raw", "mget", "foo", "missing"});
  CHECK(r.out == "1) \"bar\"\n2) (nil)\n");
  r = redis_cli(port, {"--no-raw", "incr", "foo"});
  CHECK(r.out == "(error) ERR value is not an integer or out of range\n");
  r = redis_cli(port, {"--no-raw", "nosuch"});
  CHECK(r.out == "(error) ERR unknown command 'nosuch', with args beginning with: \n");
  r = redis_cli(port, {"dbsize"});
  CHECK(r.out == "2\n");
  CHECK(f.cmd({"GET", "foo"}) == Reply::Str("bar"));  // what redis-cli wrote is really there
}

TEST_CASE("redis-cli with commands on stdin") {
  Fixture f;
  ProgramResult r = redis_cli(f.server.port(), {},
                              "SET a 1\nINCR a\nGET a\nSET \"b c\" \"x y\"\nGET \"b c\"\n"
                              "DEL a\nEXISTS a\nPING\n");
  CHECK(describe_status(r.status) == "exit 0");
  CHECK(r.out == "OK\n2\n2\nOK\nx y\n1\n0\nPONG\n");
  CHECK(f.cmd({"GET", "b c"}) == Reply::Str("x y"));
}

TEST_CASE("redis-benchmark smoke") {
  Fixture f(ServerOptions().set("threads", "2"));
  SUBCASE("plain") {
    run_benchmark(f.server.port(), {});
  }
  SUBCASE("pipelined") {
    run_benchmark(f.server.port(), {"-P", "16"});
  }
  SUBCASE("client threads") {
    run_benchmark(f.server.port(), {"--threads", "2"});
  }
  CHECK(f.cmd({"PING"}) == Reply::Status("PONG"));
}
