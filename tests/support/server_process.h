// Test support for the integration and differential suites: start a server binary (respite-server
// or Debian's redis-server) on a free loopback port, wait until it answers PING, stop it, and keep
// its output for failure reports; talk to it through hiredis (Client, whose replies become a plain
// value type, Reply, that prints like `redis-cli --no-raw`) or through a raw socket (RawConnection)
// for what hiredis cannot express: inline commands, malformed input, RESP3 replies; run redis-cli
// or redis-benchmark against it (run_program). Nothing here knows respite's internals: every check
// goes over the wire, so the same tests validate against redis-server first.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/support/client.h"
#include "tests/support/reply.h"

namespace respite::test {

// ---------------------------------------------------------------------------------------------
// Binaries

// The server under test: $RESPITE_SERVER_BIN, else the respite-server path compiled into the test
// support library (empty when the build had no such target).
std::string server_binary();
// The reference for differential tests: $RESPITE_REFERENCE_BIN, else /usr/bin/redis-server.
std::string reference_binary();
// redis-cli / redis-benchmark: $REDIS_CLI_BIN / $REDIS_BENCHMARK_BIN, else found on PATH.
std::string redis_cli_binary();
std::string redis_benchmark_binary();
// True when the file name says redis-server: such a binary gets `--save '' --appendonly no` and
// none of respite's own directives (threads).
bool is_redis_server_binary(const std::string& path);

// ---------------------------------------------------------------------------------------------
// Server process

struct ServerOptions {
  // Directives passed as `--name value`. `threads` is dropped for redis-server, which has no such
  // directive; everything else here must be valid for both.
  std::vector<std::pair<std::string, std::string>> directives;
  // How long to wait for the first PONG before giving up on this start.
  std::chrono::milliseconds ready_timeout{15000};

  ServerOptions& set(std::string name, std::string value) {
    directives.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

class ServerProcess {
 public:
  // Starts `binary` on a free port and returns once it answers PING. Throws std::runtime_error
  // (with the server's output) when it cannot be started.
  explicit ServerProcess(std::string binary, ServerOptions options = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& binary() const { return binary_; }
  bool is_redis_binary() const { return redis_binary_; }
  // True when INFO server carries respite_version: decides respite-only checks.
  bool is_respite() const { return respite_; }

  // True while the process has not exited (reaps it if it has).
  bool running();
  // Sends SIGTERM, waits up to `grace`, then SIGKILL. Returns the raw waitpid status.
  int stop(std::chrono::milliseconds grace = std::chrono::milliseconds(10000));
  // Waits up to `timeout` for the process to exit on its own; the waitpid status, or nullopt.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);

  // What the server wrote to stdout and stderr so far (the last `max_bytes` of it).
  std::string log(size_t max_bytes = 8192) const;

 private:
  bool try_start(int port, std::string* why);
  void kill_and_reap();

  std::string binary_;
  ServerOptions options_;
  bool redis_binary_ = false;
  bool respite_ = false;
  bool exit_expected_ = false;
  int port_ = 0;
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
  std::string log_path_;
};

// Human-readable waitpid status: "exit 0", "signal 11".
std::string describe_status(int status);

// A free loopback port: bind port 0, read it back, close. Racy by nature, so starts retry.
int pick_free_port();

// ---------------------------------------------------------------------------------------------
// Child programs

struct ProgramResult {
  int status = -1;  // raw waitpid status; -1 if it was killed for running too long
  std::string out;  // stdout
  std::string err;  // stderr
  bool exited_ok() const;
};

// Runs argv[0] (searched on PATH) with `input` on its stdin; kills it after `timeout`.
ProgramResult run_program(const std::vector<std::string>& argv, std::string_view input = {},
                          std::chrono::milliseconds timeout = std::chrono::milliseconds(60000));

// `redis-cli -p PORT args...`, stdout captured.
ProgramResult redis_cli(int port, const std::vector<std::string>& args,
                        std::string_view input = {});

// ---------------------------------------------------------------------------------------------
// Polling

// Calls `done` until it returns true or `timeout` passes, sleeping a short, growing interval in
// between. Returns whether it became true: the way tests wait, never a fixed sleep.
void backoff_sleep(int attempt);

template <typename F>
bool poll_until(F&& done, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (int attempt = 0;; ++attempt) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    backoff_sleep(attempt);
  }
}

}  // namespace respite::test
