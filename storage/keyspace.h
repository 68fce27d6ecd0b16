// A keyspace (one of the `databases`): 2^k shards, each a lock-free-read hash table (shard.h),
// keyed by XXH3 of the key. Single-key reads go straight to Shard::find with no lock; writes lock
// one shard; multi-key commands lock every shard they touch in address order (MultiLock), which
// excludes every other writer and cannot deadlock. Locks do not exclude the lock-free readers, so
// a write that makes several keys appear, disappear or change at once also publishes them at once:
// it stages them and commits with one store (MultiWrite, multi_write.h: MSET, MSETNX, DEL/UNLINK
// of several keys, RENAME, MOVE, and LMOVE/SMOVE when they empty a source or create a
// destination); FLUSHDB, FLUSHALL and SWAPDB switch every shard's table behind one commit flag
// (shard.h: redirects). tests/unit/storage/multi_write_test and tests/integration/atomicity_test
// race readers against each of them. A transaction (EXEC) holds all its shards exclusively
// instead (MultiLock::lock(true); shard.h, "Exclusive holds"): readers on other threads wait for
// it, so its in-place changes too are seen all at once (tests/unit/storage/exclusive_test,
// tests/integration/multi_test). Every change of a key is reported to the store's KeyWatch
// (key_watch.h), which WATCH builds on. The store (store.h) owns the keyspaces and the epochs.
//
// Expiry is lazy (a lookup treats an expired entry as absent, and a locked lookup removes it) and
// active (active_expire: each worker sweeps its own share of the shards under a time budget). The
// sweep also removes the fields of hashes whose own TTLs passed (Object::expire_parts), deleting a
// hash left empty, in shards that may hold such hashes (Shard::may_have_subexpires).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "storage/entry.h"
#include "storage/epoch.h"
#include "storage/hash.h"
#include "storage/key_events.h"
#include "storage/lazy_free.h"
#include "storage/shard.h"

namespace respite::storage {

// What a storage operation needs from the worker running it.
struct OpCtx {
  Participant* epoch = nullptr;  // pinned for the duration of the operation
  int64_t now_ms = 0;            // the command's clock: one value per command, as Redis does
  uint64_t expired = 0;          // keys this context removed because their TTL had passed
  KeyEvents* events = nullptr;   // told of each key expired or evicted (key_events.h); may be null
  // An expired key reads as absent but is not deleted: the server's clients are paused and the
  // dataset must not change meanwhile (Redis's CLIENT PAUSE).
  bool keep_expired = false;
};

class Keyspace {
 public:
  explicit Keyspace(unsigned shard_bits, int index = 0);
  Keyspace(const Keyspace&) = delete;
  Keyspace& operator=(const Keyspace&) = delete;

  unsigned shard_bits() const { return shard_bits_; }
  int index() const { return index_; }  // the database number
  // Where every shard reports changed keys (key_watch.h); null: nowhere.
  void set_watch(KeyWatch* w);
  KeyWatch* watch() const { return watch_; }
  size_t shard_count() const { return size_t(1) << shard_bits_; }
  size_t shard_index(uint64_t hash) const { return shard_bits_ ? hash >> (64 - shard_bits_) : 0; }
  Shard& shard(size_t i) { return shards_[i]; }
  Shard& shard_for(uint64_t hash) { return shards_[shard_index(hash)]; }

  // Lock-free read of a live (unexpired) entry; the caller is pinned.
  const Entry* find(std::string_view key, int64_t now_ms) {
    uint64_t h = hash_key(key);
    const Entry* e = shard_for(h).find(key, h);
    return (e && !e->expired(now_ms)) ? e : nullptr;
  }
  // Under the shard's lock: the live entry, removing it first if it has expired.
  Entry* lookup_locked(Shard& s, std::string_view key, uint64_t hash, OpCtx& ctx);

  uint64_t size() const;
  uint64_t expires() const;
  int64_t bytes() const;

  // Removes every key; atomic with respect to other workers (all shards locked together).
  // lazy: the detached tables are freed by that thread (FLUSHDB ASYNC), else by the worker that
  // reclaims them.
  void flush(OpCtx& ctx, LazyFree* lazy = nullptr);
  // SCAN: visits the entries of buckets from cursor on until at least `count` entries were visited
  // or the keyspace ends; returns the next cursor (0: done). Cursor = bucket cursor << shard_bits |
  // shard index. Each shard is visited under its lock, one call at a time.
  uint64_t scan(uint64_t cursor, size_t count, const std::function<void(const Entry*)>& fn);
  // A random live key, or false if there is none (RANDOMKEY).
  bool random_key(OpCtx& ctx, uint64_t seed, std::string* out);
  // One active-expiry step over shards i with i % nworkers == worker, resuming where the last one
  // stopped; stops when `deadline` (a clock value the caller's now() compares against) is passed.
  // Returns the number of keys removed.
  uint64_t active_expire(OpCtx& ctx, unsigned worker, unsigned nworkers,
                         const std::function<bool()>& out_of_time);
  // Whether some shard may hold a hash with field TTLs (Shard::may_have_subexpires): the sweep
  // must visit this keyspace even when no key has a TTL. O(shards).
  bool may_have_subexpires() const;

 private:
  unsigned shard_bits_;
  int index_;
  KeyWatch* watch_ = nullptr;
  std::unique_ptr<Shard[]> shards_;
  std::vector<size_t> expire_next_;  // per worker: the shard its sweep resumes at
  std::mutex expire_mu_;
};

// Empties keyspaces ks[0..n) at once for every reader: FLUSHDB (one) and FLUSHALL (all).
void flush_keyspaces(Keyspace* const* ks, size_t n, OpCtx& ctx, LazyFree* lazy);

// Retires the redirects of a FLUSHDB or SWAPDB (an array from new[]) and their commit flag.
void retire_redirects(Redirect* r, std::atomic<bool>* commit, Participant* p);

// Locks the shards behind a set of keys (possibly in several keyspaces) in one global order
// (ascending address), so that two MultiLocks never deadlock. Shards the calling thread holds
// exclusively already (inside an EXEC) pass through (Shard::lock).
//
// lock(true) takes them exclusively, for a transaction (shard.h, "Exclusive holds"): once every
// lock is held, each shard's marker is raised, so that lock-free readers on other threads wait
// for the transaction instead of seeing part of it; unlock() lowers them all before releasing any
// lock. The caller adds every shard its commands may lock: locking another one while holding
// shards exclusively would break the global order, except through try_extend(), which never
// waits. A shard the thread already holds exclusively (a script run inside an EXEC) is left to
// its holder: lock(true) and try_extend() skip it, so that unlock() never lowers another hold's
// marker.
class MultiLock {
 public:
  MultiLock() = default;
  ~MultiLock() { unlock(); }
  MultiLock(const MultiLock&) = delete;
  MultiLock& operator=(const MultiLock&) = delete;
  void add(Shard* s) { shards_.push_back(s); }
  void add_key(Keyspace& ks, std::string_view key) { add(&ks.shard_for(hash_key(key))); }
  void add_all(Keyspace& ks) {
    for (size_t i = 0; i < ks.shard_count(); i++) add(&ks.shard(i));
  }
  void lock(bool exclusive = false);
  // Adds s to a set locked exclusively (lock(true)) without waiting, raising its marker at once:
  // true if the thread holds s exclusively now. A script's undeclared keys (server/script_run.h);
  // waiting here could deadlock with a lock-free reader that holds a lock and waits on one of our
  // raised markers, so a caller that gets false must give up or retry later.
  bool try_extend(Shard* s);
  void unlock();
  void clear() {  // unlocks, and forgets the shards (the vector keeps its capacity)
    unlock();
    shards_.clear();
  }
  bool empty() const { return shards_.empty(); }

 private:
  std::vector<Shard*> shards_;
  bool locked_ = false;
  bool exclusive_ = false;
};

}  // namespace respite::storage
