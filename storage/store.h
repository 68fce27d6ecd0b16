// The whole dataset: `databases` keyspaces sharing one epoch manager. Every worker executes
// commands directly on it (there is no owner thread per shard); see keyspace.h for how that stays
// correct.
#pragma once

#include <memory>
#include <vector>

#include "storage/epoch.h"
#include "storage/keyspace.h"

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

  // SWAPDB: exchanges two keyspaces' contents, atomically for every other worker.
  void swap(int a, int b);
  void flush_all(OpCtx& ctx);
  int64_t bytes() const;

 private:
  EpochManager epochs_;  // declared first: destroyed last, after the keyspaces it may free into
  std::vector<std::unique_ptr<Keyspace>> dbs_;
};

// Picks a shard count: a power of two, at least 16 per worker and at least 64 (design.md).
unsigned default_shard_bits(unsigned workers);

}  // namespace respite::storage
