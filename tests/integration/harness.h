// Shared helpers for the integration tests: start the server under test (RESPITE_SERVER_BIN, else
// this build's respite-server) with a connected client, and small assertions over replies. Each
// test case starts its own server so that one crash cannot cascade into the next case's results.
#pragma once

#include <doctest.h>

#include <memory>
#include <string>
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

// The integer value of INFO field `name` in `info` text, or -1 if absent.
inline long long info_field(const std::string& info, const std::string& name) {
  size_t pos = info.find("\r\n" + name + ":");
  if (pos == std::string::npos) return -1;
  return std::stoll(info.substr(pos + name.size() + 3));
}

}  // namespace respite::test
