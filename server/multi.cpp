// The WATCH registry and the queuing side of transactions; see multi.h. EXEC itself is in
// server/commands/transactions.cpp.
#include "server/multi.h"

#include <cstring>

#include "server/command.h"
#include "server/connection.h"
#include "server/context.h"
#include "server/errors.h"
#include "server/tracking.h"
#include "storage/hash.h"

namespace respite::server {

std::string WatchRegistry::registry_key(int db, std::string_view key) {
  std::string k(reinterpret_cast<const char*>(&db), sizeof db);
  k.append(key);
  return k;
}

void WatchRegistry::watch(Transaction* tx, int db, std::string_view key, uint32_t hash32,
                          bool expired) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const Transaction::Watched& w : tx->watched) {
    if (w.db == db && w.key == key) return;  // Redis keeps one watch per key and client
  }
  tx->watched.push_back({db, std::string(key), expired});
  keys_[registry_key(db, key)].push_back({tx, tx->watched.size() - 1});
  // Under the key's shard lock (the caller's): a writer of the key loads it under the same lock
  // (storage/key_watch.h), so relaxed suffices; the RMW keeps concurrent watchers exact.
  slots_[slot(db, hash32)].fetch_add(1, std::memory_order_relaxed);
  watched_.fetch_add(1, std::memory_order_relaxed);
}

void WatchRegistry::unwatch_all(Transaction* tx) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const Transaction::Watched& w : tx->watched) {
    auto it = keys_.find(registry_key(w.db, w.key));
    if (it != keys_.end()) {
      auto& refs = it->second;
      for (size_t i = 0; i < refs.size(); i++) {
        if (refs[i].tx == tx) {
          refs[i] = refs.back();
          refs.pop_back();
          break;
        }
      }
      if (refs.empty()) keys_.erase(it);
    }
    // A stale non-zero count only costs a writer a look here; it never hides a watch.
    slots_[slot(w.db, static_cast<uint32_t>(storage::hash_key(w.key)))].fetch_sub(
        1, std::memory_order_relaxed);
    watched_.fetch_sub(1, std::memory_order_relaxed);
  }
  tx->watched.clear();
}

void WatchRegistry::touched(int db, std::string_view key, bool exists) {
  if (tracking) tracking->touched(db, key);
  // The slot may be held by tracking alone. watched_ moves under the key's shard lock, which the
  // caller holds: relaxed suffices.
  if (watched_.load(std::memory_order_relaxed) == 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = keys_.find(registry_key(db, key));
  if (it == keys_.end()) return;
  for (const Ref& r : it->second) {
    Transaction::Watched& w = r.tx->watched[r.index];
    if (w.expired && !exists) {
      // Redis 7.0: a key expired when watched and deleted since (lazily, actively, by DEL) did
      // not logically change. From now on it is watched as missing.
      w.expired = false;
      continue;
    }
    // Redis 7.0.15 stops here without flagging anyone when an expired-when-watched key is
    // written again (a bug fixed in 7.2); a value written over a watched key is a change.
    w.expired = false;
    r.tx->dirty.store(true, std::memory_order_release);
  }
}

void WatchRegistry::replacing(int db, storage::Keyspace& emptied, storage::Keyspace* with,
                              int64_t now_ms) {
  // Redis 7.0's touchAllWatchedKeysInDb. The caller holds every shard of both keyspaces: plain
  // lock-free lookups read them as they are before the change.
  auto find = [](storage::Keyspace& ks, std::string_view key) {
    uint64_t h = storage::hash_key(key);
    return ks.shard_for(h).find(key, h);
  };
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [rk, refs] : keys_) {
    int kdb;
    std::memcpy(&kdb, rk.data(), sizeof kdb);
    if (kdb != db) continue;
    std::string_view key = std::string_view(rk).substr(sizeof kdb);
    const storage::Entry* old = find(emptied, key);
    const storage::Entry* repl = with ? find(*with, key) : nullptr;
    if (!old && !repl) continue;
    bool repl_expired = repl && repl->expired(now_ms);
    for (const Ref& r : refs) {
      Transaction::Watched& w = r.tx->watched[r.index];
      if (w.expired) {
        if (!repl) {  // an expired key now deleted: no logical change
          w.expired = false;
          continue;
        }
        if (repl_expired) continue;  // expired, and still expired
      } else if (!old && repl_expired) {
        w.expired = true;  // a missing key replaced by an expired one: no change either
        continue;
      }
      r.tx->dirty.store(true, std::memory_order_release);
    }
  }
}

// --- queuing (dispatch) ---

bool is_exec(const Command& cmd) {
  return cmd.name == "exec";
}

bool runs_in_multi(const Command& cmd) {
  const std::string& n = cmd.name;
  return n == "exec" || n == "discard" || n == "multi" || n == "watch" || n == "quit" ||
         n == "reset";
}

void reject_command(Connection& c, const Command* cmd, std::string_view msg) {
  if (in_multi(c)) {
    if (cmd && is_exec(*cmd)) {
      // Redis's execCommandAbort: the transaction goes, with the reason. Redis formats its own
      // rejections (arity) without the "ERR " that shared errors (OOM, NOAUTH) carry.
      c.reply.error(exec_abort_error(msg));
      discard_transaction(c);
      return;
    }
    c.tx->aborted = true;
  }
  if (!msg.empty()) c.reply.error(msg);
}

void queue_command(Connection& c, const Command& cmd, const std::vector<std::string_view>& argv) {
  Transaction& tx = *c.tx;
  tx.queue.push_back(
      {&cmd, static_cast<uint32_t>(tx.args.size()), static_cast<uint32_t>(argv.size())});
  for (std::string_view a : argv) {
    tx.args.emplace_back(tx.bytes.size(), a.size());
    tx.bytes.append(a);
  }
  if (cmd.has_flag(kDenyOom)) tx.denyoom = true;
  c.reply.simple("QUEUED");
}

bool queued_denyoom(const Connection& c) {
  return c.tx && c.tx->denyoom;
}

bool executing_transaction(const Connection& c) {
  return c.tx && c.tx->executing;
}

void defer_db_ready(Connection& c, int db) {
  c.tx->swapped_dbs.push_back(db);
}

void discard_transaction(Connection& c) {
  if (!c.tx) return;
  c.tx->clear_queue();
  if (!c.tx->watched.empty()) c.worker->server->watches.unwatch_all(c.tx.get());
  c.tx->dirty.store(false, std::memory_order_relaxed);
}

void end_transactions(Connection& c) {
  discard_transaction(c);
}

}  // namespace respite::server
