// Eviction's weak handles and pool (storage/evict.h): a handle to a deleted, replaced or
// re-inserted entry is refused, as is one older than kMaxLinkAge links; the pool picks by policy;
// and writers deleting keys race an evictor evicting through handles (run under TSan and ASan).
// Loops are bounded by count; threads meet through atomics, never sleeps.
#include <doctest.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/evict.h"
#include "tests/unit/storage/storage_test_util.h"

using namespace respite::storage;
using respite::storage::testing::del;
using respite::storage::testing::get;
using respite::storage::testing::numbered;
using respite::storage::testing::put;
using respite::storage::testing::Worker;

namespace {

EvictHandle handle_of(Keyspace& ks, std::string_view key) {
  uint64_t h = hash_key(key);
  Shard& s = ks.shard_for(h);
  std::lock_guard<Shard> lock(s.mutex());
  Entry* e = s.find_locked(key, h);
  REQUIRE(e != nullptr);
  return make_handle_locked(s, e, 0);
}

bool valid(const EvictHandle& h) {
  std::lock_guard<Shard> lock(*h.shard);
  return handle_valid_locked(h);
}

// Frees what p retired (p unpinned).
void reclaim(Participant* p) {
  for (int i = 0; i < 64 && p->pending() > 0; i++) {
    { EpochGuard g(p); }
    p->collect();
  }
}

EvictParams params(EvictPolicy policy, int samples = 5) {
  EvictParams p;
  p.policy = policy;
  p.samples = samples;
  p.now_ms = 1000;
  p.clock = 1;
  return p;
}

}  // namespace

TEST_CASE("a handle to a live, untouched entry is valid") {
  Store st(1, 0);
  Worker w(st.epochs());
  EpochGuard g(w.ctx.epoch);
  put(st.db(0), w.ctx, "k", "v");
  CHECK(valid(handle_of(st.db(0), "k")));
}

TEST_CASE("a handle to a deleted entry is refused") {
  Store st(1, 0);
  Worker w(st.epochs());
  EpochGuard g(w.ctx.epoch);
  put(st.db(0), w.ctx, "k", "v");
  EvictHandle h = handle_of(st.db(0), "k");
  REQUIRE(del(st.db(0), w.ctx, "k"));
  CHECK_FALSE(valid(h));
}

TEST_CASE("a handle to a replaced entry is refused, and so is one to the key's new entry") {
  Store st(1, 0);
  Worker w(st.epochs());
  EpochGuard g(w.ctx.epoch);
  put(st.db(0), w.ctx, "k", "v1");
  EvictHandle h = handle_of(st.db(0), "k");
  put(st.db(0), w.ctx, "k", "v2");  // a new entry (new address, new gen)
  CHECK_FALSE(valid(h));
  CHECK(valid(handle_of(st.db(0), "k")));
}

TEST_CASE("an entry re-inserted at the same address carries another gen") {
  Store st(1, 0);
  Worker w(st.epochs());
  Keyspace& ks = st.db(0);
  EvictHandle h;
  {
    EpochGuard g(w.ctx.epoch);
    put(ks, w.ctx, "k", "value");
    h = handle_of(ks, "k");
    REQUIRE(del(ks, w.ctx, "k"));
  }
  reclaim(w.ctx.epoch);  // the old entry is freed: its address may now be reused
  EpochGuard g(w.ctx.epoch);
  // The allocator usually hands the same block back for the same size; try a few times.
  bool reused = false;
  for (int i = 0; i < 64 && !reused; i++) {
    put(ks, w.ctx, "k", "value");
    EvictHandle now = handle_of(ks, "k");
    reused = now.entry == h.entry;
    if (!reused) REQUIRE(del(ks, w.ctx, "k"));
  }
  if (reused) {
    CHECK(h.shard->links_locked() - h.links < kMaxLinkAge);
    CHECK_FALSE(valid(h));  // linked, same chain, same address: refused by its gen
  } else {
    // ASan, for one, quarantines freed blocks instead of handing them back.
    MESSAGE("the allocator did not reuse the address; checking a forged handle instead");
    put(ks, w.ctx, "k", "value");  // the loop above deleted it again
  }
  // Forged: a handle to this very address taken for a previous occupant (another gen).
  EvictHandle forged = handle_of(ks, "k");
  forged.gen = static_cast<uint8_t>(forged.gen - 1);
  CHECK_FALSE(valid(forged));
}

TEST_CASE("a handle older than kMaxLinkAge links is refused unread") {
  Store st(1, 0);
  Worker w(st.epochs());
  EpochGuard g(w.ctx.epoch);
  Keyspace& ks = st.db(0);
  put(ks, w.ctx, "k", "v");
  EvictHandle h = handle_of(ks, "k");
  for (uint64_t i = 0; i + 1 < kMaxLinkAge; i++) put(ks, w.ctx, numbered("other", i), "v");
  CHECK(valid(h));  // 255 links later: still trusted
  put(ks, w.ctx, "last", "v");
  CHECK_FALSE(valid(h));  // 256: gens may have wrapped
}

TEST_CASE(
    "the pool evicts the nearest expiry first under volatile-ttl and spares keys without TTL") {
  Store st(1, 0);
  Worker w(st.epochs());
  EpochGuard g(w.ctx.epoch);
  Keyspace& ks = st.db(0);
  for (int i = 0; i < 20; i++) put(ks, w.ctx, numbered("persist", i), "v");
  for (int i = 0; i < 20; i++) put(ks, w.ctx, numbered("ttl", i), "v", 100000 + i * 1000);
  Evictor ev;
  Rng rng{42};
  EvictParams p = params(EvictPolicy::kVolatileTtl, 64);  // sees every key of this small shard
  int evicted = 0;
  auto r = ev.run(
      st, p, w.ctx, rng, [&] { return evicted < 5; },
      [&] {
        evicted++;
        return false;
      });
  CHECK(r.evicted == 5);
  for (int i = 0; i < 5; i++) CHECK_FALSE(get(ks, numbered("ttl", i)).has_value());
  for (int i = 5; i < 20; i++) CHECK(get(ks, numbered("ttl", i)).has_value());
  // Evict every key with a TTL; then the run is stuck, and no persistent key went.
  auto r2 = ev.run(
      st, p, w.ctx, rng, [] { return true; }, [] { return false; });
  CHECK(r2.stuck);
  CHECK(r2.evicted == 15);
  for (int i = 0; i < 20; i++) CHECK(get(ks, numbered("persist", i)).has_value());
}

TEST_CASE("noeviction evicts nothing; allkeys-random empties the store") {
  Store st(2, 2);
  Worker w(st.epochs());
  EpochGuard g(w.ctx.epoch);
  for (int i = 0; i < 100; i++) put(st.db(i % 2), w.ctx, numbered("k", i), "v");
  Evictor ev;
  Rng rng{7};
  auto r = ev.run(
      st, params(EvictPolicy::kNoEviction), w.ctx, rng, [] { return true; }, [] { return false; });
  CHECK(r.stuck);
  CHECK(st.db(0).size() + st.db(1).size() == 100);
  r = ev.run(
      st, params(EvictPolicy::kAllKeysRandom), w.ctx, rng,
      [&] { return st.db(0).size() + st.db(1).size() > 0; }, [] { return false; });
  CHECK(r.evicted == 100);
}

TEST_CASE("allkeys-lru prefers idle keys") {
  Store st(1, 0);
  Worker w(st.epochs());
  EpochGuard g(w.ctx.epoch);
  Keyspace& ks = st.db(0);
  for (int i = 0; i < 50; i++) {
    put(ks, w.ctx, numbered("k", i), "v");
    ks.find(numbered("k", i), 0)->touch(i < 25 ? 10 : 100);  // the first half idle longer
  }
  Evictor ev;
  Rng rng{1};
  EvictParams p = params(EvictPolicy::kAllKeysLru, 64);
  p.clock = 100;
  auto r = ev.run(
      st, p, w.ctx, rng, [&] { return ks.size() > 25; }, [] { return false; });
  CHECK(r.evicted == 25);
  for (int i = 25; i < 50; i++) CHECK(get(ks, numbered("k", i)).has_value());
}

TEST_CASE("writers delete and re-add keys while an evictor evicts through handles") {
  Store st(1, 2);
  Keyspace& ks = st.db(0);
  constexpr int kKeys = 2000, kWriters = 3, kRounds = 20000;
  {
    Worker w(st.epochs());
    EpochGuard g(w.ctx.epoch);
    for (int i = 0; i < kKeys; i++) put(ks, w.ctx, numbered("k", i), "value");
  }
  std::atomic<int> writers_done{0};
  std::atomic<bool> evictor_started{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriters; t++) {
    threads.emplace_back([&, t] {
      Worker w(st.epochs());
      Rng rng{uint64_t(t) + 100};
      while (!evictor_started.load()) std::this_thread::yield();
      for (int i = 0; i < kRounds; i++) {
        EpochGuard g(w.ctx.epoch);
        std::string k = numbered("k", rng.below(kKeys));
        if (rng.below(2))
          del(ks, w.ctx, k);
        else
          put(ks, w.ctx, k, "value", rng.below(2) ? 5000 : Entry::kNoExpire);
      }
      writers_done.fetch_add(1);
    });
  }
  uint64_t evicted = 0;
  threads.emplace_back([&] {
    Worker w(st.epochs());
    Evictor ev;
    Rng rng{9};
    int policy = 0;
    const EvictPolicy kPolicies[] = {EvictPolicy::kAllKeysLru, EvictPolicy::kVolatileTtl,
                                     EvictPolicy::kAllKeysLfu, EvictPolicy::kVolatileRandom};
    evictor_started.store(true);
    while (writers_done.load() < kWriters) {
      EpochGuard g(w.ctx.epoch);
      EvictParams p = params(kPolicies[policy++ % 4]);
      int n = 0;
      auto r = ev.run(
          st, p, w.ctx, rng, [&] { return ks.size() > kKeys / 4 && n < 16; },
          [&] { return ++n >= 16; });
      evicted += r.evicted;
    }
  });
  for (auto& t : threads) t.join();
  CHECK(evicted > 0);
  MESSAGE("evicted " << evicted << " keys while writers raced");
}
