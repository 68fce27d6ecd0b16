// The whole dataset: `databases` keyspaces sharing one epoch manager. Every worker executes
// commands directly on it (there is no owner thread per shard); see keyspace.h for how that stays
// correct.
#pragma once

#include <memory>
#include <vector>

#include "storage/compressor.h"
#include "storage/epoch.h"
#include "storage/keyspace.h"
#include "storage/lazy_free.h"

namespace respite::storage {

class Store {
 public:
  Store(int databases, unsigned shard_bits);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  int databases() const { return static_cast<int>(dbs_.size()); }
  Keyspace& db(int i) { return *dbs_[i]; }
  EpochManager& epochs() { return epochs_; }
  LazyFree& lazy_free() { return lazy_free_; }
  // Background compression of large values (compressor.h); its thread starts with start().
  Compressor& compressor() { return compressor_; }

  // Where every shard reports changed keys (key_watch.h): set once, before any command runs.
  void set_watch(KeyWatch* w);
  // SWAPDB: exchanges two keyspaces' contents, atomically for every other worker.
  void swap(int a, int b, OpCtx& ctx);
  void flush_all(OpCtx& ctx, bool async);  // async: tables freed by the lazy-free thread
  int64_t bytes() const;  // the dataset: every shard's entries and values (O(shards))
  // What the store holds by its own accounting: the dataset plus the shards' bucket arrays, kept
  // per thread (epoch.h, add_bytes) so that reading it is O(threads): maxmemory checks it often.
  int64_t accounted_bytes() const { return epochs_.accounted_bytes(); }
  // Memory the dataset no longer holds but that is still allocated: entries and tables retired
  // and awaiting epoch reclamation, then queued to the lazy-free thread. O(threads).
  int64_t reclaim_bytes() const { return epochs_.retired_bytes() + lazy_free_.pending_bytes(); }
  // The store's own structures, allocated once whatever it holds: the keyspaces' shard arrays.
  int64_t fixed_bytes() const {
    return static_cast<int64_t>(sizeof(Keyspace) + dbs_[0]->shard_count() * sizeof(Shard)) *
           databases();
  }

 private:
  // Destroyed last: ~EpochManager runs the retire callbacks still pending, which may submit here,
  // and this destructor then runs every queued job and joins the thread. No deadlock: submit takes
  // only LazyFree's own mutex (not the EpochManager's, held while it frees), and jobs never touch
  // the EpochManager.
  LazyFree lazy_free_;
  EpochManager epochs_;  // destroyed after the keyspaces it may free into
  std::vector<std::unique_ptr<Keyspace>> dbs_;
  // Its thread looks keys up in dbs_ and retires into epochs_: ~Store stops it before freeing
  // dbs_ (a member destroyed first would still be running during the destructor's body).
  Compressor compressor_{epochs_};
};

// Picks a shard count: a power of two, at least 16 per worker and at least 64 (design.md).
unsigned default_shard_bits(unsigned workers);

}  // namespace respite::storage
