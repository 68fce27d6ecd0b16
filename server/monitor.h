// MONITOR: every command any worker runs, streamed to the clients that asked, in Redis 7.0's
// format (`+1339518083.107412 [0 127.0.0.1:60866] "keys" "*"`). The registry holds one handle per
// monitoring client (its worker, and the connection pointer that only that worker touches, nulled
// when it closes). A command's line is built once, on the worker that ran it, then written at once
// to monitors of that worker and posted through their inbox to monitors of other workers; one
// worker's commands therefore reach each monitor in the order they ran. The command path pays one
// relaxed load of Server::command_hooks while nobody monitors (dispatch.cpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "server/ascii.h"  // append_repr, which monitor lines use

namespace respite::server {

class Connection;
class Worker;

// Bits of Server::command_hooks: slow paths that the command path must take while they are on.
enum CommandHook : uint32_t {
  kHookMonitor = 1u << 0,  // some client monitors (monitor.h)
  kHookPause = 1u << 1,    // CLIENT PAUSE is (or was until its timer noticed) in effect
};

struct MonitorRef {
  Worker* worker;
  Connection* conn;  // owner worker only; null once the client has gone
};

class Monitors {
 public:
  explicit Monitors(std::atomic<uint32_t>& hooks) : hooks_(hooks) {}
  // Owner worker of c. False if c already monitors (a second MONITOR is ignored, as in Redis).
  bool add(Connection& c);
  // Owner worker of c: stops sending to it (close, RESET).
  void remove(Connection& c);
  size_t count() const;

  // Feeds one command to every monitor. from: the client that ran it (its address, or "lua" for
  // the script client), db: the database it ran in, argv as shown (redacted where Redis does).
  // Runs on from's worker.
  void feed(Worker& w, const Connection& from, int db, const std::vector<std::string_view>& argv);

 private:
  std::atomic<uint32_t>& hooks_;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<MonitorRef>> list_;
};

// The line a monitor receives, CRLF included: time, [db client], arguments quoted and escaped as
// Redis's sdscatrepr does. client: "lua", "unix:<path>" or the peer's ip:port.
std::string monitor_line(int64_t unix_us, int db, std::string_view client,
                         const std::vector<std::string_view>& argv);

}  // namespace respite::server
