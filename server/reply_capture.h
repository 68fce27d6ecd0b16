// A client that lives in the process: a connection with no socket (Connection::NoSocket) on a
// worker, whose commands are run by a call instead of read from the network and whose replies are
// read back into values (protocol/reply_reader.h) instead of written. Tests run any command
// against a store this way without starting a server (tests/unit/server/inproc.h); EXEC-like
// callers and a scripting layer's redis.call can use it as Redis uses its fake clients. Commands
// take the same path as a socket client's (dispatch's checks, CLIENT REPLY, MULTI queueing,
// per-command statistics), on the calling thread, which must be the worker's own: the worker's
// epoch participant must be joined (Worker::start does it on its thread; a test joins it itself).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "protocol/reply_reader.h"

namespace respite::server {

class Worker;
class Connection;

class ReplyCapture {
 public:
  // listed: registered with the worker like an accepted client (CLIENT LIST and CLIENT KILL see
  // it, INFO counts it); unlisted, it is invisible, as a script's client is in Redis.
  explicit ReplyCapture(Worker& w, bool listed = false);
  // Closes the connection (its watches, subscriptions and blocked wait go) and frees it.
  ~ReplyCapture();
  ReplyCapture(const ReplyCapture&) = delete;
  ReplyCapture& operator=(const ReplyCapture&) = delete;

  // Runs argv as if the client had sent it and returns every reply written to the connection
  // since the last call, in order: usually one; none under CLIENT REPLY OFF or while the command
  // blocks; several for SUBSCRIBE a b. Pub/sub messages that reached the worker's mailbox before
  // the command are delivered first, as a socket client's read delivers them. A client that is
  // closing (QUIT, CLIENT KILL) or blocked runs nothing and gets only what was already pending.
  std::vector<protocol::RespValue> run(const std::vector<std::string_view>& argv);
  // What arrived without a command: published messages (after delivering the worker's mailbox),
  // the reply that ends a blocked command.
  std::vector<protocol::RespValue> take();

  Connection& conn() { return *conn_; }
  Worker& worker() { return worker_; }

 private:
  Worker& worker_;
  Connection* conn_;
};

}  // namespace respite::server
