// Blocking commands: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP.
//
// A blocking command's handler first tries to serve itself like its non-blocking twin. When none
// of its keys has anything, it calls block_client() and writes no reply: the connection stops
// executing its pipeline (the rest of its input waits in its buffer) until one of three things:
//  - a key it waits on receives data: any command that adds to a list or sorted set calls
//    signal_key_ready(); once that command has finished, the worker that ran it serves the clients
//    blocked on the key, oldest first, by running each one's own handler again (serving_blocked()
//    is then true, and a handler that still finds nothing calls block_client() again, which only
//    reports "keep waiting"). The reply travels to the client's own worker through its inbox;
//  - its deadline passes: the reply is a null array, as Redis sends;
//  - it disconnects or is killed: it simply stops waiting.
//
// Why serve on the pushing worker: the element is taken while the pusher's effect is fresh, so a
// client blocked first is served first, and a pipelined `LPUSH k a` + `LLEN k` on the pushing
// connection sees the element already gone, as in Redis. Every waiter sits in one registry behind
// one mutex (the Server's BlockingRegistry); it is touched only when clients are blocked, so the
// write path pays one relaxed load otherwise.
//
// Lock order: registry mutex, then shard locks (a served handler locks its keys while the registry
// is held). Nothing takes the registry mutex while holding a shard lock: block_client() registers
// after the handler released its keys, and closes the gap by queueing its own keys as ready, so a
// push that landed in between is not missed.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace respite::protocol {
class OutputBuffer;
class ReplyWriter;
}  // namespace respite::protocol

namespace respite::server {

struct CmdCtx;
struct Command;
class Connection;
class Worker;

// One blocked client: what it runs and where its reply goes.
struct Waiter {
  Connection* conn;  // null once the client is gone; the owner worker writes it under the mutex
  Worker* worker;    // the owner: the client's worker
  uint64_t client_id;
  int db;
  int resp;
  const Command* cmd;
  std::vector<std::string> argv;  // the command, owned: the client's input buffer moves on
  std::vector<std::string> keys;  // registry keys (db prefix + key), for unregistering
  bool done = false;              // served, timed out or cancelled (under the mutex)
};

class BlockingRegistry {
 public:
  // Clients blocked right now (INFO blocked_clients); the write path's cheap "anyone waiting?".
  int64_t blocked() const { return blocked_.load(std::memory_order_seq_cst); }

  void add(const std::shared_ptr<Waiter>& w);
  // Marks w done and unregisters it; false if it was done already (served meanwhile, its reply on
  // the way). detach_conn: the client is closing, so nothing may reach its connection any more.
  bool finish(Waiter* w, bool detach_conn);
  // Serves the clients waiting on (db, key), oldest first, on worker `on`; returns when the key
  // has nothing more for them.
  void serve(Worker& on, int db, std::string_view key);
  // CLIENT UNBLOCK: if client `id` is blocked, stops its wait and sends it `reply` (built for its
  // protocol version by the callback). False if it was not blocked.
  bool unblock_client(uint64_t id, void (*reply)(protocol::ReplyWriter&));
  // The registry's name for a key: the database number, then the key's bytes.
  static std::string registry_key(int db, std::string_view key);

 private:
  static void deliver(const std::shared_ptr<Waiter>& w, protocol::OutputBuffer& out);
  void unregister_locked(Waiter* w);

  std::mutex mu_;
  std::unordered_map<std::string, std::vector<std::shared_ptr<Waiter>>> waiting_;
  std::unordered_map<uint64_t, std::shared_ptr<Waiter>> by_client_;
  std::atomic<int64_t> blocked_{0};
};

// Parses a blocking timeout in seconds (fractional; 0 = forever) into an absolute deadline in
// ms, 0 for none, replying Redis's error when it is not a number, negative or too large.
bool parse_block_timeout(CmdCtx& c, std::string_view arg, int64_t* deadline_ms);

// True while the handler runs to serve an already blocked client.
bool serving_blocked(const CmdCtx& c);

// Nothing to serve: blocks the client on keys (in its database) until deadline_ms (0: forever).
// When serving_blocked(c), only records that the client must keep waiting.
void block_client(CmdCtx& c, const std::vector<std::string_view>& keys, int64_t deadline_ms);

// A command added elements to the list or sorted set at key: clients blocked on it are served once
// the command has finished. One atomic load when no client is blocked.
void signal_key_ready(CmdCtx& c, std::string_view key);
void signal_key_ready(CmdCtx& c, int db, std::string_view key);

// Serves the keys the worker's last command made ready (dispatch calls it after each command).
void serve_ready_keys(Worker& w);

}  // namespace respite::server
