// Eviction: what happens when the store holds more than maxmemory (Redis's eight policies).
//
// What is compared: Store::accounted_bytes(), the store's own count of entries, values and bucket
// arrays, kept per thread (epoch.h) so that reading it costs O(threads). INFO's used_memory is the
// same figure, as in Redis, where INFO's used_memory is what maxmemory compares.
//
// Approximated LRU/LFU/TTL with a pool, as Redis's evict.c: keeping every key in an exact LRU
// order would cost a list update (a shared write) per read. Instead each eviction samples a few
// keys (maxmemory-samples) in every database that has keys, scores them (higher: evict sooner)
// and merges them into a small pool of the best candidates seen so far (kPoolSize, sorted by
// score); the best one still valid is evicted. Because the pool outlives one eviction, good
// candidates found earlier are not forgotten, which makes 5 samples behave close to true LRU.
// Scores: LRU, clock ticks idle since Entry::lru_clock(); LFU, 255 minus the decayed counter;
// volatile-ttl, the nearest expiry first. The random policies evict the first eligible entry of a
// random bucket and use no pool.
//
// Weak handles: respite has no owner thread per shard, so a pool cannot hold keys (copying them
// would allocate per sample) nor pin entries (epoch reclamation must go on). A pool entry is a
// weak handle (Shard*, entry address, the key's hash, gen, the shard's link count when sampled,
// score) that owns nothing. To evict, the worker locks the handle's shard and validates it
// (handle_valid_locked): the address must still be linked in the chain its hash selects (both
// tables during a migration), so dereferencing it is safe; its gen must equal the handle's, so an
// address freed and reused by a new entry in the same chain is refused; and fewer than
// kMaxLinkAge links may have happened in the shard since (gen is 8 bits, so after 256 links a
// reused address could carry the same gen again: such a handle is dropped unread). A valid handle
// whose entry now scores lower than when sampled (touched, its counter grown, its TTL extended or
// removed) is skipped too. Deletes never touch the pool: a dead handle fails validation. The
// eviction itself is the shard's ordinary erase, so readers and epoch reclamation see nothing new.
//
// Concurrency: an Evictor is one worker's (no sharing, no atomics). Sampling and evicting each
// lock one shard at a time and never hold a lock across shards. Several workers evicting at once
// may pick the same key: the second finds its handle dead. Lazy expiry: an expired entry met
// while sampling is removed (counted as expired, not evicted).
//
// Cost: per eviction, about `samples` entries scored per database with keys, plus one lock and a
// chain walk to validate; the pool is 16 handles of 40 bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "storage/entry.h"
#include "storage/keyspace.h"
#include "storage/random.h"
#include "storage/shard.h"

namespace respite::storage {

class Store;

// Redis's maxmemory-policy values (server::Config holds one).
enum class EvictPolicy : int {
  kNoEviction,
  kAllKeysLru,
  kAllKeysLfu,
  kAllKeysRandom,
  kVolatileLru,
  kVolatileLfu,
  kVolatileRandom,
  kVolatileTtl,
};

inline bool is_volatile(EvictPolicy p) {
  return p == EvictPolicy::kVolatileLru || p == EvictPolicy::kVolatileLfu ||
         p == EvictPolicy::kVolatileRandom || p == EvictPolicy::kVolatileTtl;
}
inline bool is_lfu(EvictPolicy p) {
  return p == EvictPolicy::kAllKeysLfu || p == EvictPolicy::kVolatileLfu;
}
inline bool is_random(EvictPolicy p) {
  return p == EvictPolicy::kAllKeysRandom || p == EvictPolicy::kVolatileRandom;
}

struct EvictParams {
  EvictPolicy policy = EvictPolicy::kNoEviction;
  int samples = 5;              // maxmemory-samples
  uint32_t lfu_decay_time = 1;  // lfu-decay-time
  int64_t now_ms = 0;
  uint32_t clock = 0;  // the 24-bit LRU clock (kLruClockMs ticks) at now_ms
};

// How evictable e is now under p (higher: sooner). Volatile policies: only meaningful for an
// entry with a TTL.
uint64_t evict_score(const Entry* e, const EvictParams& p);

struct EvictHandle {
  Shard* shard = nullptr;
  const Entry* entry = nullptr;  // never dereferenced before handle_valid_locked
  uint64_t hash = 0;
  uint8_t gen = 0;
  uint64_t links = 0;  // shard->links_locked() when taken
  uint64_t score = 0;
};

// A handle older than this many links in its shard is stale: gen is 8 bits.
inline constexpr uint64_t kMaxLinkAge = 256;
static_assert(kMaxLinkAge == 1u << 8, "gen is 8 bits (entry.h): it wraps after 256 links");

// Requires s's lock. A handle to e (linked in s) as it is now.
EvictHandle make_handle_locked(Shard& s, const Entry* e, uint64_t score);
// Requires h.shard's lock. Whether h still names the entry it was taken from (see the note).
bool handle_valid_locked(const EvictHandle& h);

class Evictor {
 public:
  static constexpr size_t kPoolSize = 16;  // as Redis's EVPOOL_SIZE

  struct Result {
    uint64_t evicted = 0;  // (keys removed because their TTL had passed count in ctx.expired)
    bool stuck = false;    // nothing evictable was found (noeviction, or no eligible key)
  };
  // Evicts keys while over() holds, until out_of_time() (checked after each key) or nothing is
  // left to evict. ctx.epoch must be pinned.
  Result run(Store& store, const EvictParams& p, OpCtx& ctx, Rng& rng,
             const std::function<bool()>& over, const std::function<bool()>& out_of_time);

  size_t pool_size() const { return n_; }  // tests
  const EvictHandle& pool_at(size_t i) const { return pool_[i]; }
  // Pops handles from the best down until one is valid and still as evictable, and evicts it:
  // true if a key was removed (evicted, or expired meanwhile). run() uses it; so do the tests.
  bool evict_from_pool(const EvictParams& p, OpCtx& ctx, Result* r);
  // Samples about p.samples eligible entries of s (a few buckets from a random cursor, under its
  // lock) into the pool, removing expired ones met on the way.
  void sample_shard(Shard& s, const EvictParams& p, OpCtx& ctx, Rng& rng);

 private:
  bool evict_pooled(Store& store, const std::vector<int>& dbs, const EvictParams& p, OpCtx& ctx,
                    Rng& rng, Result* r);
  bool evict_random(Store& store, const std::vector<int>& dbs, const EvictParams& p, OpCtx& ctx,
                    Rng& rng, Result* r);
  Shard* pick_shard(Keyspace& ks, bool volatile_only, Rng& rng);
  void insert(const EvictHandle& h);

  EvictHandle pool_[kPoolSize];  // ascending by score: the best candidate is last
  size_t n_ = 0;
};

}  // namespace respite::storage
