// Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH, with Redis 7.0's semantics.
//
// Queuing. Between MULTI and EXEC, dispatch() checks each command as it would run it (unknown
// name, arity, authentication, no-multi flag, maxmemory), answers +QUEUED and copies its
// arguments into the connection's Transaction (one byte buffer and one vector of offsets, both
// reused: a pipeline of MULTI/SET/EXEC blocks allocates nothing once warm). A rejected command
// flags the transaction, and EXEC then answers EXECABORT.
//
// Atomicity. EXEC computes every shard its commands may lock (their key positions, numkeys,
// SELECT changing the database, MOVE/COPY DB targets; all shards of a database for commands that
// reach the keyspace without naming keys: FLUSHDB, KEYS, SCAN, RANDOMKEY, DBSIZE; every database
// for FLUSHALL; both for SWAPDB), plus the shards of the watched keys, and takes them all at once
// and exclusively (storage::MultiLock::lock(true), in the store's global lock order, so it cannot
// deadlock with another EXEC or a multi-key command). The commands then run unchanged: their own
// locking passes through on shards the EXEC holds (Shard::lock), and lock-free readers on other
// workers wait for the EXEC instead of seeing part of it (storage/shard.h, "Exclusive holds",
// with the ordering argument). The cost is O(keys) per EXEC: no thread is woken, no shard is
// visited that the transaction does not name.
//
// WATCH. A watched key is registered in the server's WatchRegistry, which the store calls for
// every change (storage/key_watch.h): any write, in-place ones included (INCR, EXPIRE, collection
// changes), deletion, lazy and active expiry, eviction, FLUSHDB/FLUSHALL, SWAPDB, MOVE, RENAME.
// A touch sets the watching connection's dirty flag. EXEC checks the flag (and, as Redis 7.0
// does, whether a key that was live at WATCH time has expired since) while holding the watched
// keys' shards, so a concurrent write on another worker falls either before the check (EXEC
// answers a null array) or after the whole transaction. Keys already expired when watched follow
// Redis 7.0: deleting them is no change. Writes to a key that some client watches take the
// registry's mutex; others pay one relaxed load of a counter (key_watch.h).
//
// Blocking commands inside EXEC answer at once as on timeout; keys they or others made ready are
// served only after EXEC (dispatch's command_depth). SWAPDB inside EXEC signals blocked clients
// after the locks are released (the blocking registry's mutex comes before shard locks).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "server/connection.h"
#include "storage/key_watch.h"
#include "storage/keyspace.h"

namespace respite::server {

struct Command;
struct CmdCtx;
class Connection;

// A connection's transaction state; made on its first MULTI or WATCH, kept until it closes.
struct Transaction {
  // --- MULTI (owner worker only) ---
  bool active = false;     // between MULTI and EXEC/DISCARD
  bool aborted = false;    // a command was rejected while queuing: EXEC answers EXECABORT
  bool denyoom = false;    // a queued command may grow the dataset (EXEC checks maxmemory)
  bool executing = false;  // EXEC is running the queue
  struct Queued {
    const Command* cmd;
    uint32_t first_arg, nargs;  // into args
  };
  std::vector<Queued> queue;
  std::vector<std::pair<size_t, size_t>> args;  // offset and length into bytes
  std::string bytes;
  std::vector<std::string_view> argv;  // scratch for EXEC
  storage::MultiLock locks;            // EXEC's shards; reused
  std::vector<int> swapped_dbs;        // SWAPDB inside EXEC: signalled after the locks go

  // --- WATCH ---
  struct Watched {
    int db;
    std::string key;
    bool expired;  // already expired when watched (Redis 7.0): its deletion is no change
  };
  // The registry writes it (relaxed would do under its mutex; EXEC reads it holding the watched
  // keys' shard locks, which every toucher held when it set it).
  std::atomic<bool> dirty{false};
  std::vector<Watched> watched;  // under the registry's mutex (other workers read it)

  void clear_queue() {
    queue.clear();
    args.clear();
    bytes.clear();
    // Reused while small; a transaction that carried large values gives their room back.
    if (bytes.capacity() > (size_t(1) << 20)) std::string().swap(bytes);
    active = aborted = denyoom = false;
  }
};

class Tracking;

// Every watched key, and the touch notifications from the store (storage/key_watch.h). The store
// has one watcher: this one, which passes every touch on to client-side caching's table
// (tracking.h) too; that table shares the slot counters, so that a write of a key nobody watches
// or tracks still costs one load and a compare.
class WatchRegistry : public storage::KeyWatch {
 public:
  // Watches (db, key) for tx, unless it does already. The caller holds the key's shard lock;
  // `expired`: the key is present but expired now.
  void watch(Transaction* tx, int db, std::string_view key, uint32_t hash32, bool expired);
  // Drops every key tx watches (its dirty flag is left as it is).
  void unwatch_all(Transaction* tx);
  // Watched keys in total (INFO, tests).
  uint64_t watched() const { return watched_.load(std::memory_order_relaxed); }

  void touched(int db, std::string_view key, bool exists) override;
  void replacing(int db, storage::Keyspace& emptied, storage::Keyspace* with,
                 int64_t now_ms) override;

  // Client-side caching (tracking.h): told of every touch, set once before any command runs.
  Tracking* tracking = nullptr;
  // Tracking's share of the slot counters: delta +1 holds (db, hash32)'s slot, -1 lets it go.
  // Called under the key's shard lock where a writer must see it (see key_watch.h).
  void hold(int db, uint32_t hash32, int delta) {
    slots_[slot(db, hash32)].fetch_add(static_cast<uint32_t>(delta), std::memory_order_relaxed);
  }
  // Every slot at once, while BCAST clients exist (every write may match a prefix). seq_cst:
  // no shard lock orders it; a write that starts after CLIENT TRACKING ON BCAST replied sees it.
  void hold_all(int delta) {
    for (auto& s : slots_) s.fetch_add(static_cast<uint32_t>(delta), std::memory_order_seq_cst);
  }

 private:
  struct Ref {
    Transaction* tx;
    size_t index;  // into tx->watched
  };
  static std::string registry_key(int db, std::string_view key);
  std::mutex mu_;
  std::unordered_map<std::string, std::vector<Ref>> keys_;
};

// For dispatch(): whether c is between MULTI and EXEC. Inline: every command asks.
inline bool in_multi(const Connection& c) {
  return c.tx && c.tx->active;
}
// Whether cmd runs at once even between MULTI and EXEC (EXEC, DISCARD, MULTI, WATCH, QUIT).
bool runs_in_multi(const Command& cmd);
bool is_exec(const Command& cmd);
// A command refused before running (unknown, arity, auth, OOM, ...): replies msg, and inside MULTI
// flags the transaction; a refused EXEC discards it and answers EXECABORT with the reason.
void reject_command(Connection& c, const Command* cmd, std::string_view msg);
// Queues the command and answers +QUEUED.
void queue_command(Connection& c, const Command& cmd, const std::vector<std::string_view>& argv);
// Whether EXEC's queue holds a command flagged denyoom.
bool queued_denyoom(const Connection& c);
// Inside EXEC: c's transaction is running its queue (blocking commands answer at once).
bool executing_transaction(const Connection& c);
// SWAPDB inside EXEC: remember to signal db's blocked clients after the locks go.
void defer_db_ready(Connection& c, int db);
// DISCARD, RESET, an aborted EXEC: the queue (and MULTI) and every watch go (Redis's
// discardTransaction).
void discard_transaction(Connection& c);
// The connection closes: its watches go.
void end_transactions(Connection& c);

}  // namespace respite::server
