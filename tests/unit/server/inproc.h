// The in-process test fixture: a Server with default configuration, one or two Workers whose loops
// never run, and clients that are connections with no socket (server/reply_capture.h). A test runs
// any command as `s.run({"SET", "k", "v"})` and compares the reply with test::Reply values, as the
// integration tests do, but without starting a process, so handler logic is tested in
// milliseconds and under ASan with everything torn down. `call()` keeps the reply's RESP3 shape
// (maps, sets, doubles) as a protocol::RespValue. What workers post to each other's inboxes
// (a served blocked client's reply, CLIENT KILL across workers, pub/sub mail) is run between
// commands by poll(); what needs the loop's timers is not covered: timeouts of blocking commands,
// the cron's active expiry, idle-client timeouts.
#pragma once

#include <doctest.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/reply_reader.h"
#include "server/config.h"
#include "server/reply_capture.h"
#include "server/server.h"
#include "tests/support/reply.h"

namespace respite::test {

// A reply as test::Reply sees it: RESP3 maps flattened into arrays, doubles, verbatim strings and
// big numbers as strings, booleans as integers, every null as nil (hiredis's RESP2 view).
Reply to_reply(const protocol::RespValue& v);

// Replies every family's tests expect, with Redis 7.0's exact texts.
inline Reply OK() {
  return Reply::Status("OK");
}
inline Reply WrongType() {
  return Reply::Err("WRONGTYPE Operation against a key holding the wrong kind of value");
}
inline Reply Syntax() {
  return Reply::Err("ERR syntax error");
}
inline Reply NotInt() {
  return Reply::Err("ERR value is not an integer or out of range");
}
inline Reply Arity(std::string_view cmd) {
  return Reply::Err("ERR wrong number of arguments for '" + std::string(cmd) + "' command");
}

// A TTL reply of `secs` seconds, or one less for a slow run (ASan on a loaded machine).
inline bool TtlAbout(const Reply& r, long long secs) {
  return r.type == Reply::Type::kInteger && r.integer <= secs && r.integer >= secs - 1;
}

class Inproc;

// One in-process client; replies come back as values. Before each command and take(), every
// worker's inbox is run (Inproc::poll), as the loops would have run it meanwhile.
class InprocClient {
 public:
  InprocClient(Inproc& owner, server::Worker& w, bool listed)
      : owner_(owner), capture_(w, listed) {}

  // The command's only reply; an error reply naming the count if it wrote none or several.
  Reply run(std::initializer_list<std::string_view> argv) { return to_reply(call(argv)); }
  Reply run(const std::vector<std::string_view>& argv) { return to_reply(call(argv)); }
  // The same, as sent: RESP3 types kept.
  protocol::RespValue call(std::initializer_list<std::string_view> argv) {
    return call(std::vector<std::string_view>(argv));
  }
  protocol::RespValue call(const std::vector<std::string_view>& argv);
  // Every reply the command wrote (SUBSCRIBE a b: one confirmation each).
  std::vector<protocol::RespValue> run_all(std::initializer_list<std::string_view> argv);
  // What arrived without a command (published messages, the end of a blocked command).
  std::vector<protocol::RespValue> take();
  // HELLO 3 / HELLO 2, checked.
  void resp3();
  void resp2();

  server::Connection& conn() { return capture_.conn(); }

 private:
  Inproc& owner_;
  server::ReplyCapture capture_;
};

class Inproc {
 public:
  // workers: how many Workers (two for cross-worker cases); the first client is on worker 0.
  explicit Inproc(unsigned workers = 1);
  ~Inproc();
  Inproc(const Inproc&) = delete;
  Inproc& operator=(const Inproc&) = delete;

  // The default client.
  Reply run(std::initializer_list<std::string_view> argv) { return first_->run(argv); }
  protocol::RespValue call(std::initializer_list<std::string_view> argv) {
    return first_->call(argv);
  }
  void resp3() { first_->resp3(); }
  InprocClient& client() { return *first_; }
  // Another client on worker `worker`; listed ones appear in CLIENT LIST and INFO clients.
  InprocClient& add_client(unsigned worker = 0, bool listed = true);
  // Runs what other workers (or this one) posted to each worker's inbox: a blocked client's
  // reply, CLIENT KILL from another worker, published messages. Without waiting.
  void poll();

  server::Config config;
  std::unique_ptr<server::Server> srv;

 private:
  std::vector<std::unique_ptr<InprocClient>> clients_;
  InprocClient* first_ = nullptr;
};

}  // namespace respite::test
