// Eviction: sampling into a pool of weak handles, validation, the LFU counter. See evict.h.
#include "storage/evict.h"

#include <algorithm>
#include <mutex>

#include "storage/hash.h"
#include "storage/store.h"

namespace respite::storage {

namespace {

// Buckets visited per sampled shard at most. At the table's load (1 to 2 after it filled, down to
// 1/8 before it shrinks) 16 buckets yield the default 5 samples. Volatile policies skip entries
// without a TTL and may need many more buckets in a shard where few keys have one; the cap bounds
// the time the shard's lock is held (about 1024 short chain walks, some microseconds).
constexpr uint32_t kSampleBuckets = 16;
constexpr uint32_t kSampleBucketsVolatile = 1024;
// Expired entries removed per sampled shard (they are collected during the walk and erased after
// it: an erase may run a migration step, which must not move the chain being walked).
constexpr size_t kMaxLazyExpire = 16;
// Sampling rounds per eviction before giving up (every sampled key invalid or ineligible).
constexpr int kRounds = 8;

// The LFU increment's random draw: a thread's own SplitMix64, as a worker's Rng is not reachable
// from Entry::touch.
thread_local uint64_t t_lfu_state = 0;

double lfu_draw() {
  if (t_lfu_state == 0) t_lfu_state = reinterpret_cast<uintptr_t>(&t_lfu_state) | 1;
  Rng r{t_lfu_state};
  uint64_t x = r.next();
  t_lfu_state = r.state;
  return static_cast<double>(x >> 11) * 0x1.0p-53;  // uniform in [0, 1)
}

}  // namespace

uint32_t lfu_decayed(uint32_t a, uint32_t clock, uint32_t decay_time) {
  uint32_t counter = a & 0xff, then = (a >> 8) & 0xffff;
  if (then == 0 || decay_time == 0) return counter;
  uint32_t now = lfu_minute(clock);
  uint32_t elapsed = now >= then ? now - then : now + kLfuMinutesPerWrap - then;
  uint32_t periods = elapsed / decay_time;
  return periods > counter ? 0 : counter - periods;
}

uint32_t lfu_touch(uint32_t a, uint32_t clock, const AccessPolicy& p) {
  uint32_t stamp = lfu_minute(clock) << 8;
  if (((a >> 8) & 0xffff) == 0) return stamp | (a & 0xff);  // a new entry keeps kLfuInitVal
  uint32_t counter = lfu_decayed(a, clock, p.lfu_decay_time.load(std::memory_order_relaxed));
  if (counter < 255) {
    double base = counter > kLfuInitVal ? counter - kLfuInitVal : 0;
    double prob = 1.0 / (base * p.lfu_log_factor.load(std::memory_order_relaxed) + 1);
    if (lfu_draw() < prob) counter++;
  }
  return stamp | counter;
}

uint64_t evict_score(const Entry* e, const EvictParams& p) {
  switch (p.policy) {
    case EvictPolicy::kAllKeysLru:
    case EvictPolicy::kVolatileLru:
      return (p.clock - e->lru_clock()) & kLruClockMask;  // ticks idle
    case EvictPolicy::kAllKeysLfu:
    case EvictPolicy::kVolatileLfu:
      return 255 - lfu_decayed(e->access(), p.clock, p.lfu_decay_time);
    case EvictPolicy::kVolatileTtl: {
      int64_t x = e->expire_ms();
      return x < 0 ? 0 : UINT64_MAX - static_cast<uint64_t>(x);  // the nearest expiry first
    }
    default:
      return 0;
  }
}

EvictHandle make_handle_locked(Shard& s, const Entry* e, uint64_t score) {
  // Entries keep no hash (entry.h): the handle hashes the key once, to find its chain again.
  return EvictHandle{&s, e, hash_key(e->key()), e->gen(), s.links_locked(), score};
}

bool handle_valid_locked(const EvictHandle& h) {
  // Age first: an old handle's address is not even looked for (its gen may have wrapped).
  if (h.shard->links_locked() - h.links >= kMaxLinkAge) return false;
  if (!h.shard->holds_locked(h.entry, h.hash)) return false;
  // Linked, so safe to read.
  return h.entry->gen() == h.gen && !h.entry->pending();
}

void Evictor::insert(const EvictHandle& h) {
  for (size_t i = 0; i < n_; i++) {
    if (pool_[i].entry == h.entry && pool_[i].shard == h.shard) {  // sampled again: refresh it
      std::copy(pool_ + i + 1, pool_ + n_, pool_ + i);
      n_--;
      break;
    }
  }
  if (n_ == kPoolSize) {
    if (h.score <= pool_[0].score) return;  // worse than every candidate held
    std::copy(pool_ + 1, pool_ + n_, pool_);
    n_--;
  }
  EvictHandle* pos = std::upper_bound(
      pool_, pool_ + n_, h,
      [](const EvictHandle& a, const EvictHandle& b) { return a.score < b.score; });
  std::copy_backward(pos, pool_ + n_, pool_ + n_ + 1);
  *pos = h;
  n_++;
}

void Evictor::sample_shard(Shard& s, const EvictParams& p, OpCtx& ctx, Rng& rng) {
  std::lock_guard<Shard> lock(s.mutex());
  if (s.size() == 0) return;
  const bool vol = is_volatile(p.policy);
  Entry* expired[kMaxLazyExpire];
  size_t nexp = 0, seen = 0;
  uint64_t cursor = rng.next();
  uint32_t max_buckets = vol ? kSampleBucketsVolatile : kSampleBuckets;
  for (uint32_t b = 0; b < max_buckets && seen < static_cast<size_t>(p.samples); b++) {
    cursor = s.scan_bucket_locked(cursor, [&](Entry* e) {
      if (e->pending()) return;
      if (e->expired(p.now_ms)) {
        if (nexp < kMaxLazyExpire) expired[nexp++] = e;
        return;
      }
      if (vol && e->expire_ms() < 0) return;
      seen++;
      insert(make_handle_locked(s, e, evict_score(e, p)));
    });
  }
  for (size_t i = 0; i < nexp; i++) {
    if (ctx.events) ctx.events->expired(s.db(), expired[i]->key());
    s.erase_entry_locked(expired[i], hash_key(expired[i]->key()), ctx.epoch);
    ctx.expired++;
  }
}

bool Evictor::evict_from_pool(const EvictParams& p, OpCtx& ctx, Result* r) {
  while (n_ > 0) {
    EvictHandle h = pool_[--n_];
    std::lock_guard<Shard> lock(*h.shard);
    if (!handle_valid_locked(h)) continue;  // deleted, replaced, renamed, or too old
    Entry* e = const_cast<Entry*>(h.entry);
    if (e->expired(p.now_ms)) {
      if (ctx.events) ctx.events->expired(h.shard->db(), e->key());
      h.shard->erase_entry_locked(e, h.hash, ctx.epoch);
      ctx.expired++;
      return true;
    }
    if (is_volatile(p.policy) && e->expire_ms() < 0) continue;  // PERSIST since
    if (evict_score(e, p) < h.score) continue;                  // touched since
    if (ctx.events) ctx.events->evicted(h.shard->db(), e->key());
    h.shard->erase_entry_locked(e, h.hash, ctx.epoch);
    r->evicted++;
    return true;
  }
  return false;
}

Shard* Evictor::pick_shard(Keyspace& ks, bool volatile_only, Rng& rng) {
  size_t n = ks.shard_count();
  auto eligible = [&](Shard& s) { return volatile_only ? s.expires() > 0 : s.size() > 0; };
  for (int i = 0; i < 8; i++) {
    Shard& s = ks.shard(rng.below(n));
    if (eligible(s)) return &s;
  }
  size_t start = rng.below(n);  // a sparse keyspace: the next eligible shard from a random start
  for (size_t i = 0; i < n; i++) {
    Shard& s = ks.shard((start + i) & (n - 1));
    if (eligible(s)) return &s;
  }
  return nullptr;
}

bool Evictor::evict_pooled(Store& store, const std::vector<int>& dbs, const EvictParams& p,
                           OpCtx& ctx, Rng& rng, Result* r) {
  const bool vol = is_volatile(p.policy);
  for (int round = 0; round < kRounds; round++) {
    for (int db : dbs) {  // as Redis: samples from every database that has keys
      if (Shard* s = pick_shard(store.db(db), vol, rng)) sample_shard(*s, p, ctx, rng);
    }
    if (evict_from_pool(p, ctx, r)) return true;
  }
  return false;
}

bool Evictor::evict_random(Store& store, const std::vector<int>& dbs, const EvictParams& p,
                           OpCtx& ctx, Rng& rng, Result* r) {
  const bool vol = is_volatile(p.policy);
  for (int round = 0; round < kRounds; round++) {
    Shard* s = pick_shard(store.db(dbs[rng.below(dbs.size())]), vol, rng);
    if (!s) continue;
    std::lock_guard<Shard> lock(*s);
    Entry* victim = nullptr;
    Entry* expired[kMaxLazyExpire];
    size_t nexp = 0;
    uint64_t cursor = rng.next();
    uint32_t max_buckets = vol ? kSampleBucketsVolatile : kSampleBuckets;
    for (uint32_t b = 0; b < max_buckets && !victim && s->size() > 0; b++) {
      cursor = s->scan_bucket_locked(cursor, [&](Entry* e) {
        if (victim || e->pending()) return;
        if (e->expired(p.now_ms)) {
          if (nexp < kMaxLazyExpire) expired[nexp++] = e;
          return;
        }
        if (vol && e->expire_ms() < 0) return;
        victim = e;
      });
    }
    for (size_t i = 0; i < nexp; i++) {
      if (ctx.events) ctx.events->expired(s->db(), expired[i]->key());
      s->erase_entry_locked(expired[i], hash_key(expired[i]->key()), ctx.epoch);
      ctx.expired++;
    }
    if (victim) {
      if (ctx.events) ctx.events->evicted(s->db(), victim->key());
      s->erase_entry_locked(victim, hash_key(victim->key()), ctx.epoch);
      r->evicted++;
      return true;
    }
    if (nexp) return true;  // memory was freed all the same
  }
  return false;
}

Evictor::Result Evictor::run(Store& store, const EvictParams& p, OpCtx& ctx, Rng& rng,
                             const std::function<bool()>& over,
                             const std::function<bool()>& out_of_time) {
  Result r;
  if (!over()) return r;
  if (p.policy == EvictPolicy::kNoEviction) {
    r.stuck = true;
    return r;
  }
  const bool vol = is_volatile(p.policy);
  std::vector<int> dbs;  // computed once per run: O(databases x shards)
  for (int i = 0; i < store.databases(); i++) {
    Keyspace& ks = store.db(i);
    if (vol ? ks.expires() > 0 : ks.size() > 0) dbs.push_back(i);
  }
  while (over()) {
    bool ok = !dbs.empty() && (is_random(p.policy) ? evict_random(store, dbs, p, ctx, rng, &r)
                                                   : evict_pooled(store, dbs, p, ctx, rng, &r));
    if (!ok) {
      r.stuck = true;
      break;
    }
    if (out_of_time()) break;
  }
  return r;
}

}  // namespace respite::storage
