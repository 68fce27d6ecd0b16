// The registry of blocked clients and the serving of keys made ready; see blocking.h for the
// protocol between the blocked client's worker and the worker that pushed.
#include "server/blocking.h"

#include <chrono>
#include <climits>
#include <cmath>
#include <cstring>

#include "server/context.h"
#include "server/multi.h"
#include "storage/hash.h"

namespace respite::server {

std::string BlockingRegistry::registry_key(int db, std::string_view key) {
  std::string k(reinterpret_cast<const char*>(&db), sizeof db);
  k.append(key);
  return k;
}

size_t BlockingRegistry::slot(int db, std::string_view key) {
  // XXH3 of the key, then the database folded in with a multiplicative mix: the same key in two
  // databases lands on unrelated slots.
  uint64_t h = storage::hash_key(key) ^
               (static_cast<uint64_t>(static_cast<uint32_t>(db)) + 1) * 0x9E3779B97F4A7C15ull;
  h ^= h >> 29;
  return static_cast<size_t>(h & (kSlots - 1));
}

void BlockingRegistry::add(const std::shared_ptr<Waiter>& w) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& k : w->keys) {
    auto& q = waiting_[k];
    // BLPOP k k: one place in the queue is enough.
    if (q.empty() || q.back() != w) q.push_back(w);
    // seq_cst: pairs with the push's load in signal_key_ready() (blocking.h). One increment per
    // listed key, undone key for key by unregister_locked().
    slots_[slot(w->db, std::string_view(k).substr(sizeof(int)))].fetch_add(
        1, std::memory_order_seq_cst);
  }
  by_client_[w->client_id] = w;
  blocked_.fetch_add(1, std::memory_order_relaxed);
}

void BlockingRegistry::unregister_locked(Waiter* w) {
  for (const std::string& k : w->keys) {
    slots_[slot(w->db, std::string_view(k).substr(sizeof(int)))].fetch_sub(
        1, std::memory_order_seq_cst);
    auto it = waiting_.find(k);
    if (it == waiting_.end()) continue;
    auto& q = it->second;
    for (size_t i = 0; i < q.size(); i++) {
      if (q[i].get() == w) {
        q.erase(q.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
    }
    if (q.empty()) waiting_.erase(it);
  }
  by_client_.erase(w->client_id);
  blocked_.fetch_sub(1, std::memory_order_relaxed);
}

bool BlockingRegistry::finish(Waiter* w, bool detach_conn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (detach_conn) w->conn = nullptr;
  if (w->done) return false;
  w->done = true;
  unregister_locked(w);
  return true;
}

void BlockingRegistry::serve(Worker& on, int db, std::string_view key) {
  std::string rk = registry_key(db, key);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = waiting_.find(rk);
  if (it == waiting_.end()) return;
  // The waiters as they stand now, as Redis takes the count of clients before serving a key. The
  // queue itself shrinks as they are served; nobody joins it meanwhile (add() needs this mutex, and
  // a served handler that finds nothing only keeps waiting).
  std::vector<std::shared_ptr<Waiter>> queue = it->second;
  // Waiters on one key may want different types (BLPOP and BZPOPMIN on the same name): one that
  // keeps waiting does not stop the ones behind it. But once a waiter of one family (list or
  // sorted set) found nothing, the key is missing, empty or of another type for the rest of that
  // family too (Redis stops at the key's deletion), so they are not run again: a push costs
  // O(served + families), not O(waiters). Stream readers are the exception: each waits for IDs
  // above its own (XREAD's ID, its group's last ID), so one that keeps waiting says nothing of
  // the next; each is run.
  std::string_view idle[2];
  size_t nidle = 0;
  std::string_view saved_key = on.serving_key;
  on.serving_key = key;
  for (const std::shared_ptr<Waiter>& w : queue) {
    if (w->done) continue;
    std::string_view family = w->cmd->group;
    bool skippable = family != "stream";
    if (skippable && ((nidle > 0 && idle[0] == family) || (nidle > 1 && idle[1] == family)))
      continue;
    // Run the client's own command again, here, with its reply captured and the served key as
    // its only key. Its connection stays alive meanwhile: closing it needs this mutex (finish),
    // and a blocked client runs nothing else.
    protocol::OutputBuffer out;
    protocol::ReplyWriter reply(&out);
    reply.set_resp(w->resp);
    std::vector<std::string_view> argv(w->argv.begin(), w->argv.end());
    bool keep_waiting = false;
    CmdCtx ctx{*on.server,
               on,
               *w->conn,
               reply,
               argv,
               w->cmd,
               storage::OpCtx{on.epoch, on.now_ms(), 0, &on.notify},
               &keep_waiting};
    auto t0 = std::chrono::steady_clock::now();
    w->cmd->fn(ctx);
    // Not counted in the command's calls again: dispatch counted the call that blocked.
    if (ctx.op.expired) on.stats.expired.add(ctx.op.expired);
    if (keep_waiting) {
      if (skippable && nidle < 2) idle[nidle++] = family;
      continue;
    }
    w->served_us =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
            .count();  // served: SLOWLOG logs it (Connection::unblock)
    w->done = true;
    unregister_locked(w.get());
    deliver(w, out);
  }
  on.serving_key = saved_key;
}

void BlockingRegistry::waited_keys(int db, std::vector<std::pair<int, std::string>>* out) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [rk, q] : waiting_) {
    int kdb;
    std::memcpy(&kdb, rk.data(), sizeof kdb);
    if (kdb == db) out->emplace_back(db, rk.substr(sizeof kdb));
  }
}

thread_local const BlockingRegistry* BlockingRegistry::t_held_for_exec_ = nullptr;

void BlockingRegistry::lock_for_exec() {
  mu_.lock();
  t_held_for_exec_ = this;
}

void BlockingRegistry::unlock_for_exec() {
  t_held_for_exec_ = nullptr;
  mu_.unlock();
}

bool BlockingRegistry::unblock_client(uint64_t id, void (*reply)(protocol::ReplyWriter&)) {
  std::shared_ptr<Waiter> w;
  {
    std::unique_lock<std::mutex> lock(mu_, std::defer_lock);
    if (t_held_for_exec_ != this) lock.lock();
    auto it = by_client_.find(id);
    if (it == by_client_.end()) return false;
    w = it->second;
    w->done = true;
    unregister_locked(w.get());
  }
  protocol::OutputBuffer out;
  protocol::ReplyWriter r(&out);
  r.set_resp(w->resp);
  reply(r);
  deliver(w, out);
  return true;
}

// Sends a finished waiter its reply on its own worker, which owns the connection.
void BlockingRegistry::deliver(const std::shared_ptr<Waiter>& w, protocol::OutputBuffer& out) {
  std::string bytes;
  bytes.reserve(out.size());
  struct iovec iov[64];
  while (!out.empty()) {
    size_t n = out.gather(iov, 64), taken = 0;
    for (size_t i = 0; i < n; i++) {
      bytes.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
      taken += iov[i].iov_len;
    }
    out.consume(taken);
  }
  w->worker->post([w, bytes = std::move(bytes)](Worker& owner) {
    // An error that ends the wait (CLIENT UNBLOCK ... ERROR) was written by a bare ReplyWriter,
    // maybe on another worker: it counts here, on the client's own, in INFO errorstats and as
    // a failure of the command that blocked, as Redis counts it when the client is unblocked.
    if (!w->conn) return;
    if (bytes.size() > 1 && bytes[0] == '-') {
      size_t end = bytes.find("\r\n");
      owner.errors.count(
          std::string_view(bytes).substr(1, end == std::string::npos ? end : end - 1));
      if (w->cmd) owner.stats.per_command[w->cmd->id].failed.add(1);
    }
    w->conn->unblock(bytes);
  });
}

namespace {

// Queues (db, key) on the worker, once per round: Redis serves a key signalled twice by one command
// once. Few keys are queued at a time (only waited ones), so a linear look is enough.
void queue_ready(Worker& w, int db, std::string_view key) {
  for (const auto& [kdb, k] : w.ready_keys) {
    if (kdb == db && k == key) return;
  }
  w.ready_keys.emplace_back(db, std::string(key));
}

}  // namespace

bool parse_block_timeout(CmdCtx& c, std::string_view arg, int64_t* deadline_ms) {
  long double secs;
  if (!parse_long_double(arg, &secs)) {
    c.error(Err::kTimeoutNotFloat);
    return false;
  }
  // Rounded up, as Redis 7.0 does (ceill): 0.001 s is 1 ms, not 0 (which would mean forever).
  long double ms = std::ceil(secs * 1000.0L);
  // Redis converts with a plain (long long) cast; x86 turns anything out of range into LLONG_MIN,
  // which then reads as negative.
  int64_t t = (ms >= 9.2233720368547758e18L || ms <= -9.2233720368547758e18L || std::isnan(ms))
                  ? INT64_MIN
                  : static_cast<int64_t>(ms);
  if (t < 0) {
    c.error(Err::kTimeoutNegative);
    return false;
  }
  if (t > 0) {
    if (t > INT64_MAX - c.op.now_ms) {
      c.error(Err::kTimeoutOutOfRange);
      return false;
    }
    t += c.op.now_ms;
  }
  *deadline_ms = t;
  return true;
}

bool serving_blocked(const CmdCtx& c) {
  return c.keep_waiting != nullptr;
}

std::string_view served_key(const CmdCtx& c) {
  return c.worker.serving_key;
}

void block_client(CmdCtx& c, const std::vector<std::string_view>& keys, int64_t deadline_ms,
                  std::vector<std::string>* argv) {
  if (c.keep_waiting) {
    *c.keep_waiting = true;
    return;
  }
  // Inside EXEC nothing blocks: the answer is the timeout's, at once (Redis's
  // CLIENT_DENY_BLOCKING): BLMOVE and BRPOPLPUSH a null bulk, the others a null array.
  if (executing_transaction(c.conn)) {
    if (c.cmd->name == "blmove" || c.cmd->name == "brpoplpush")
      c.reply.null();
    else
      c.reply.null_array();
    return;
  }
  auto w = std::make_shared<Waiter>();
  w->conn = &c.conn;
  w->worker = &c.worker;
  w->client_id = c.conn.id;
  w->db = c.conn.db;
  w->resp = c.reply.resp();
  w->cmd = c.cmd;
  if (argv)
    w->argv = std::move(*argv);
  else
    w->argv.assign(c.argv.begin(), c.argv.end());
  for (std::string_view k : keys) w->keys.push_back(BlockingRegistry::registry_key(w->db, k));
  c.server.blocking.add(w);
  c.conn.block(w, deadline_ms);
  // A push between the handler's look at its keys and the registration above found nobody to
  // serve: look again, now that pushes will find us.
  for (std::string_view k : keys) queue_ready(c.worker, w->db, k);
}

void signal_key_ready(CmdCtx& c, std::string_view key) {
  signal_key_ready(c, c.conn.db, key);
}

void signal_key_ready(CmdCtx& c, int db, std::string_view key) {
  // The common case ends here: nobody waits on the key, nothing shared is written (blocking.h).
  if (!c.server.blocking.maybe_waited(db, key)) return;
  queue_ready(c.worker, db, key);
}

void signal_key_ready(Worker& w, int db, std::string_view key) {
  if (!w.server->blocking.maybe_waited(db, key)) return;
  queue_ready(w, db, key);
}

void signal_db_ready(CmdCtx& c, int db) {
  // Inside EXEC the shards are held, and the registry's mutex must come before them: later.
  if (executing_transaction(c.conn)) return defer_db_ready(c.conn, db);
  std::vector<std::pair<int, std::string>> keys;
  c.server.blocking.waited_keys(db, &keys);
  for (auto& [kdb, key] : keys) queue_ready(c.worker, kdb, key);
}

void serve_ready_keys(Worker& w) {
  BlockingRegistry& reg = w.server->blocking;
  // Serving one round of keys may make others ready (BLMOVE pushes to its destination): they form
  // the next round, until quiet. A key signalled again while its round runs is served again.
  while (!w.ready_keys.empty()) {
    std::vector<std::pair<int, std::string>> keys;
    keys.swap(w.ready_keys);
    for (auto& [db, key] : keys) {
      if (reg.maybe_waited(db, key)) reg.serve(w, db, key);
    }
  }
}

}  // namespace respite::server
