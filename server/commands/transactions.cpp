// The transactions family: MULTI, EXEC, DISCARD, WATCH, UNWATCH. See server/multi.h for queuing,
// atomicity (how EXEC holds its shards exclusively) and the WATCH registry.
#include <climits>

#include "server/acl.h"
#include "server/command.h"
#include "server/command_shards.h"
#include "server/context.h"
#include "server/dispatch.h"
#include "server/keywrite.h"
#include "server/multi.h"
#include "storage/hash.h"

namespace respite::server {

namespace {

Transaction& transaction(Connection& c) {
  if (!c.tx) c.tx = std::make_unique<Transaction>();
  return *c.tx;
}

// EXEC, EXECABORT and DISCARD end the transaction and every watch with it.
void cmd_multi(CmdCtx& c) {
  Transaction& tx = transaction(c.conn);
  if (tx.active) return c.error(Err::kMultiNested);
  tx.active = true;
  c.reply.ok();
}

void cmd_discard(CmdCtx& c) {
  if (!in_multi(c.conn)) return c.error(Err::kDiscardWithoutMulti);
  discard_transaction(c.conn);
  c.reply.ok();
}

void cmd_watch(CmdCtx& c) {
  if (in_multi(c.conn)) return c.error(Err::kWatchInsideMulti);
  Transaction& tx = transaction(c.conn);
  // No point in watching more once a watched key was touched (Redis does the same).
  if (tx.dirty.load(std::memory_order_relaxed)) return c.reply.ok();
  storage::Keyspace& ks = c.db();
  for (size_t i = 1; i < c.argc(); i++) {
    std::string_view key = c.arg(i);
    uint64_t h = storage::hash_key(key);
    storage::Shard& s = ks.shard_for(h);
    // Under the key's shard lock, so that a write of the key falls either before this look or
    // after the registration, where it finds the watch (storage/key_watch.h).
    std::lock_guard<storage::Shard> lock(s);
    const storage::Entry* e = s.find_locked(key, h);
    if (e && e->pending()) e = storage::Shard::staged_value(e);
    c.server.watches.watch(&tx, c.conn.db, key, static_cast<uint32_t>(h),
                           e && e->expired(c.op.now_ms));
  }
  c.reply.ok();
}

void cmd_unwatch(CmdCtx& c) {
  if (c.conn.tx) {
    if (!c.conn.tx->watched.empty()) c.server.watches.unwatch_all(c.conn.tx.get());
    c.conn.tx->dirty.store(false, std::memory_order_relaxed);
  }
  c.reply.ok();
}

// Adds every shard the queued commands may lock (command_shards.h), and the watched keys' shards
// (multi.h). Returns whether the queue holds CLIENT UNBLOCK (EXEC then takes the blocking registry
// first).
bool collect_shards(CmdCtx& c, Transaction& tx, storage::MultiLock& lock) {
  storage::Store& store = c.server.store;
  int db = c.conn.db;
  CommandShards needs;
  for (const Transaction::Queued& q : tx.queue) {
    auto arg = [&](size_t i) {
      auto [off, len] = tx.args[q.first_arg + i];
      return std::string_view(tx.bytes).substr(off, len);
    };
    add_command_shards(store, &db, *q.cmd, q.nargs, arg, lock, &needs);
  }
  for (const Transaction::Watched& w : tx.watched) lock.add_key(store.db(w.db), w.key);
  if (needs.all_dbs) {
    for (int i = 0; i < store.databases(); i++) lock.add_all(store.db(i));
  }
  return needs.unblock;
}

// Redis 7.0's isWatchedKeyExpired: a key live when watched and expired now fails the EXEC. The
// caller holds the watched keys' shards.
bool watched_key_expired(CmdCtx& c, const Transaction& tx) {
  for (const Transaction::Watched& w : tx.watched) {
    if (w.expired) continue;
    uint64_t h = storage::hash_key(w.key);
    storage::Keyspace& ks = c.server.store.db(w.db);
    const storage::Entry* e = ks.shard_for(h).find(w.key, h);
    if (e && e->expired(c.op.now_ms)) return true;
  }
  return false;
}

void cmd_exec(CmdCtx& c) {
  if (!in_multi(c.conn)) return c.error(Err::kExecWithoutMulti);
  Transaction& tx = *c.conn.tx;
  if (tx.aborted) {
    c.error(Err::kExecAbort);
    return discard_transaction(c.conn);
  }
  storage::MultiLock& lock = tx.locks;
  bool unblock = collect_shards(c, tx, lock);
  if (unblock) c.server.blocking.lock_for_exec();  // before any shard: the registry comes first
  lock.lock(/*exclusive=*/true);
  auto release = [&] {
    lock.clear();
    if (unblock) c.server.blocking.unlock_for_exec();
  };
  // Under the watched keys' locks: every write that touched one set the flag before unlocking.
  if (tx.dirty.load(std::memory_order_acquire) || watched_key_expired(c, tx)) {
    release();
    c.reply.null_array();
    return discard_transaction(c.conn);
  }
  if (!tx.watched.empty()) c.server.watches.unwatch_all(&tx);
  tx.executing = true;
  c.reply.array(tx.queue.size());
  for (const Transaction::Queued& q : tx.queue) {
    tx.argv.clear();
    for (uint32_t i = 0; i < q.nargs; i++) {
      auto [off, len] = tx.args[q.first_arg + i];
      tx.argv.emplace_back(tx.bytes.data() + off, len);
    }
    // As Redis: the rules may have changed since the command was queued.
    if (!c.conn.acl_unrestricted) [[unlikely]] {
      size_t pos = 0;
      AclDenied r = acl_check(c.conn, *q.cmd, tx.argv, kAclCtxMulti, &pos);
      if (r != AclDenied::kOk) {
        c.error(r == AclDenied::kCmd   ? Err::kAclExecCmd
                : r == AclDenied::kKey ? Err::kAclExecKey
                                       : Err::kAclExecChannel);
        continue;
      }
    }
    run_command(c.conn, *q.cmd, tx.argv, c.op.now_ms);
  }
  tx.executing = false;
  release();
  // SWAPDB's blocked clients, now that no shard is held (the registry's mutex comes first).
  for (int db : tx.swapped_dbs) signal_db_ready(c, db);
  tx.swapped_dbs.clear();
  discard_transaction(c.conn);
}

}  // namespace

void register_transaction_commands(CommandTable& t) {
  constexpr uint32_t F = kNoscript | kLoading | kStale | kFast | kAllowBusy;
  t.add({.name = "multi",
         .arity = 1,
         .flags = F,
         .fn = cmd_multi,
         .doc = {.group = "transactions",
                 .summary = "Mark the start of a transaction block",
                 .since = "1.2.0"}});
  t.add({.name = "exec",
         .arity = 1,
         .flags = kNoscript | kLoading | kStale | kSkipSlowlog,
         .fn = cmd_exec,
         .doc = {.group = "transactions",
                 .summary = "Execute all commands issued after MULTI",
                 .since = "1.2.0",
                 .complexity = "Depends on commands in the transaction"}});
  t.add({.name = "discard",
         .arity = 1,
         .flags = F,
         .fn = cmd_discard,
         .doc = {.group = "transactions",
                 .summary = "Discard all commands issued after MULTI",
                 .since = "2.0.0",
                 .complexity = "O(N), when N is the number of queued commands"}});
  t.add({.name = "watch",
         .arity = -2,
         .flags = F,
         .keys = {1, -1, 1},
         .fn = cmd_watch,
         .doc = {.group = "transactions",
                 .summary = "Watch the given keys to determine execution of the MULTI/EXEC block",
                 .syntax = "key [key ...]",
                 .since = "2.2.0",
                 .complexity = "O(1) for every key."}});
  t.add(
      {.name = "unwatch",
       .arity = 1,
       .flags = F,
       .fn = cmd_unwatch,
       .doc = {
           .group = "transactions", .summary = "Forget about all watched keys", .since = "2.2.0"}});
}

}  // namespace respite::server
