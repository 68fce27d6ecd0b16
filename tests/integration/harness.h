// Shared helpers for the integration tests: start the server under test (RESPITE_SERVER_BIN, else
// this build's respite-server) with a connected client, and small assertions over replies. Each
// test case starts its own server so that one crash cannot cascade into the next case's results.
#pragma once

#include <doctest.h>
#include <sys/types.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/server_process.h"

namespace respite::test {

struct Fixture {
  explicit Fixture(ServerOptions options = {})
      : server(server_binary(), std::move(options)), c(server.port()) {}

  // Shorthand for the common case: the reply to one command.
  Reply cmd(std::initializer_list<std::string_view> args) { return c.cmd(args); }
  Reply cmd(const std::vector<std::string>& args) { return c.cmd(args); }

  ServerProcess server;
  Client c;
};

inline Reply OK() {
  return Reply::Status("OK");
}

// RESP bytes for RawConnection tests: a length header ("*3\r\n", "$5\r\n"), a bulk string, a
// whole command. Built by appending: GCC 12 warns, falsely (-Wrestrict), about "literal" + string.
inline std::string header(char type, size_t n) {
  std::string out(1, type);
  out += std::to_string(n);
  out += "\r\n";
  return out;
}
inline std::string bulk(std::string_view s) {
  std::string out = header('$', s.size());
  out += s;
  out += "\r\n";
  return out;
}
inline std::string resp(const std::vector<std::string>& args) {
  std::string out = header('*', args.size());
  for (const std::string& a : args) out += bulk(a);
  return out;
}
// The raw reply to one command on a raw connection ("<closed>" if the server hung up).
inline std::string raw(RawConnection& c, const std::vector<std::string>& args) {
  if (!c.send(resp(args))) return "<closed>";
  return c.read_reply();
}

// A server with n workers (several event loops: clients land on different ones).
inline ServerOptions workers(int n) {
  return ServerOptions().set("threads", std::to_string(n));
}

// The integer value of INFO field `name` in `info` text, or -1 if absent.
inline long long info_field(const std::string& info, const std::string& name) {
  size_t pos = info.find("\r\n" + name + ":");
  if (pos == std::string::npos) return -1;
  return std::stoll(info.substr(pos + name.size() + 3));
}

// The integer value of field `name` of /proc/PID/status (VmRSS and FDSize: the server process's
// resident memory in KiB and its descriptor table's size), or -1 if absent.
inline long long proc_status_field(pid_t pid, const std::string& name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(name + ":", 0) == 0)
      return std::strtoll(line.c_str() + name.size() + 1, nullptr, 10);
  return -1;
}

// INFO clients' blocked_clients, and waiting until it reads n: how tests know a client is
// blocked before they push, without sleeping.
inline long long blocked_clients(Fixture& f) {
  return info_field(f.cmd({"INFO", "clients"}).str, "blocked_clients");
}
inline bool wait_blocked(Fixture& f, long long n) {
  return poll_until([&] { return blocked_clients(f) == n; }, std::chrono::seconds(10));
}

}  // namespace respite::test
