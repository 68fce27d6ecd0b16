// The store's atomicity and progress promises, raced at the storage layer (run under TSan and ASan
// too): lock-free readers never see a multi-key write (MultiWrite), a FLUSHDB or a SWAPDB half
// done, and a reader that misses is never held for a whole resize — lookups complete while a
// migration is in flight, shown by the migration's own progress counter. Loops are bounded by
// count; threads meet through atomics, never sleeps.
#include <doctest.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "storage/multi_write.h"
#include "tests/unit/storage/storage_test_util.h"

using namespace respite::storage;
using respite::storage::testing::del;
using respite::storage::testing::get;
using respite::storage::testing::numbered;
using respite::storage::testing::put;
using respite::storage::testing::Worker;

namespace {

// Locks the shards of keys and stages writes through a MultiWrite, as MSET does.
void mset(Keyspace& ks, OpCtx& ctx, const std::vector<std::string>& keys, std::string_view v) {
  MultiLock lock;
  for (const auto& k : keys) lock.add_key(ks, k);
  lock.lock();
  MultiWrite w(ctx);
  for (const auto& k : keys) w.put(ks, Entry::make_string(k, v, Entry::kNoExpire));
  w.commit();
}

uint64_t as_number(const std::optional<std::string>& v) {
  return v ? std::stoull(*v) : 0;
}

}  // namespace

TEST_CASE("MultiWrite: staged values are invisible until the commit, then all visible") {
  Store store(1, 3);
  Worker w(store.epochs());
  EpochGuard pin(w.ctx.epoch);
  Keyspace& ks = store.db(0);
  put(ks, w.ctx, "a", "old-a");
  put(ks, w.ctx, "gone", "x");
  MultiLock lock;
  for (const char* k : {"a", "b", "gone"}) lock.add_key(ks, k);
  lock.lock();
  {
    MultiWrite mw(w.ctx);
    mw.put(ks, Entry::make_string("a", "new-a", Entry::kNoExpire));
    mw.put(ks, Entry::make_string("b", "first", Entry::kNoExpire));
    mw.put(ks, Entry::make_string("b", "second", Entry::kNoExpire));  // restaged: last one wins
    CHECK(mw.erase(ks, "gone"));
    CHECK_FALSE(mw.erase(ks, "gone"));     // the write sees its own delete
    CHECK_FALSE(mw.erase(ks, "missing"));  // nothing to delete
    // The writer sees its own staged values; lock-free readers still see the old state.
    CHECK(testing::value_of(mw.get(ks, "b")) == "second");
    CHECK(get(ks, "a") == "old-a");
    CHECK_FALSE(get(ks, "b").has_value());
    CHECK(get(ks, "gone") == "x");
    CHECK(ks.size() == 2);
    mw.commit();
    CHECK(get(ks, "a") == "new-a");
    CHECK(get(ks, "b") == "second");
    CHECK_FALSE(get(ks, "gone").has_value());
  }
  CHECK(ks.size() == 2);
  // The byte count is what the two live entries take, stubs and replaced entries excluded.
  int64_t expected = 0;
  for (const char* k : {"a", "b"}) expected += ks.find(k, 0)->alloc_size();
  CHECK(ks.bytes() == expected);
}

TEST_CASE("lock-free readers never see a multi-key write half done") {
  // The MSET race of the issue: k0 and k199 (different shards) are written together with a
  // growing version; a reader that reads k0 then k199 must never find k0 newer than k199.
  Store store(1, 4);
  Keyspace& ks = store.db(0);
  std::vector<std::string> keys;
  for (int i = 0; i < 200; i++) keys.push_back(numbered("k", i));
  constexpr uint64_t kVersions = 3000;
  std::atomic<bool> done{false};
  std::atomic<uint64_t> torn{0}, checked{0};
  auto reader = [&] {
    Worker w(store.epochs());
    while (!done.load(std::memory_order_acquire)) {
      EpochGuard pin(w.ctx.epoch);
      for (int i = 0; i < 32; i++) {
        uint64_t first = as_number(get(ks, keys.front()));
        uint64_t last = as_number(get(ks, keys.back()));
        if (first > last) torn.fetch_add(1, std::memory_order_relaxed);
        checked.fetch_add(1, std::memory_order_relaxed);
      }
    }
  };
  std::thread r1(reader), r2(reader);
  {
    Worker w(store.epochs());
    for (uint64_t v = 1; v <= kVersions; v++) {
      EpochGuard pin(w.ctx.epoch);
      mset(ks, w.ctx, keys, std::to_string(v));
    }
  }
  done.store(true, std::memory_order_release);
  r1.join();
  r2.join();
  MESSAGE("pairs checked: " << checked.load() << ", torn: " << torn.load());
  CHECK(checked.load() > 0);
  CHECK(torn.load() == 0);
  CHECK(get(ks, keys.front()) == std::to_string(kVersions));
}

TEST_CASE("lock-free readers never see a multi-key delete half done") {
  // Keys are created once and deleted once per round: k0 gone while k199 is still there is torn.
  Store store(1, 4);
  Keyspace& ks = store.db(0);
  constexpr int kRounds = 300, kKeys = 64;
  auto key = [](int round, int i) { return numbered(numbered("r", round) + ":", i); };
  {
    Worker w(store.epochs());
    EpochGuard pin(w.ctx.epoch);
    for (int r = 0; r < kRounds; r++) {
      for (int i = 0; i < kKeys; i++) put(ks, w.ctx, key(r, i), "1");
    }
  }
  std::atomic<int> round{0};
  std::atomic<uint64_t> torn{0}, checked{0};
  std::thread reader([&] {
    Worker w(store.epochs());
    for (int r; (r = round.load(std::memory_order_acquire)) < kRounds;) {
      EpochGuard pin(w.ctx.epoch);
      bool first = get(ks, key(r, 0)).has_value();
      bool last = get(ks, key(r, kKeys - 1)).has_value();
      if (!first && last) torn.fetch_add(1, std::memory_order_relaxed);
      checked.fetch_add(1, std::memory_order_relaxed);
    }
  });
  {
    Worker w(store.epochs());
    for (int r = 0; r < kRounds; r++) {
      EpochGuard pin(w.ctx.epoch);
      MultiLock lock;
      for (int i = 0; i < kKeys; i++) lock.add_key(ks, key(r, i));
      lock.lock();
      MultiWrite mw(w.ctx);
      for (int i = 0; i < kKeys; i++) CHECK(mw.erase(ks, key(r, i)));
      mw.commit();
      round.store(r + 1, std::memory_order_release);
    }
  }
  reader.join();
  MESSAGE("pairs checked: " << checked.load() << ", torn: " << torn.load());
  CHECK(torn.load() == 0);
  CHECK(ks.size() == 0);
  CHECK(ks.bytes() == 0);
}

TEST_CASE("FLUSHDB and SWAPDB are seen whole by lock-free readers") {
  // One flush or one swap per round, on keys that are never written again: reading a key of the
  // new state, then one of the old, is torn.
  constexpr int kKeys = 4000, kRounds = 6;
  for (int round = 0; round < kRounds; round++) {
    bool swap = round % 2 == 1;
    Store store(2, 5);
    {
      Worker w(store.epochs());
      EpochGuard pin(w.ctx.epoch);
      for (int i = 0; i < kKeys; i++) {
        put(store.db(0), w.ctx, numbered("k", i), "old");
        if (swap) put(store.db(1), w.ctx, numbered("k", i), "new");
      }
    }
    std::atomic<bool> started{false}, done{false};
    std::atomic<uint64_t> torn{0};
    std::thread reader([&] {
      Worker w(store.epochs());
      for (int n = 0; !done.load(std::memory_order_acquire); n++) {
        EpochGuard pin(w.ctx.epoch);
        // Forwards through the keys: once one reads new (or missing, for a flush), every later
        // one must too.
        bool seen_new = false;
        for (int i = 0; i < kKeys; i += 97) {
          auto v = get(store.db(0), numbered("k", i));
          bool is_new = swap ? v == "new" : !v.has_value();
          if (seen_new && !is_new) torn.fetch_add(1, std::memory_order_relaxed);
          seen_new = seen_new || is_new;
        }
        started.store(true, std::memory_order_release);
      }
    });
    while (!started.load(std::memory_order_acquire)) std::this_thread::yield();
    {
      Worker w(store.epochs());
      EpochGuard pin(w.ctx.epoch);
      if (swap)
        store.swap(0, 1, w.ctx);
      else
        store.db(0).flush(w.ctx);
    }
    done.store(true, std::memory_order_release);
    reader.join();
    CHECK(torn.load() == 0);
    CHECK(store.db(0).size() == (swap ? kKeys : 0));
    CHECK(get(store.db(0), "k1") == (swap ? std::optional<std::string>("new") : std::nullopt));
  }
}

TEST_CASE("a missing-key lookup completes while a shard of 10^6 keys migrates") {
  // One shard grows to 2^19 buckets. During the last migrations the writer hands over to a reader
  // after each insert and waits until it has looked up a missing and a present key: each lookup
  // must finish while the migration is in flight (the progress counter strictly inside the
  // migration's span), which a resize that holds its readers until it ends cannot do.
  Store store(1, 0);
  Keyspace& ks = store.db(0);
  Shard& shard = ks.shard(0);
  constexpr int kKeys = 1 << 20;
  std::atomic<int> turn{0};  // 0: writer's, 1: reader's, 2: stop
  std::atomic<uint64_t> lookups_in_flight{0}, misses_wrong{0}, present_missing{0};
  std::thread reader([&] {
    Worker w(store.epochs());
    for (;;) {
      int t;
      while ((t = turn.load(std::memory_order_acquire)) == 0) std::this_thread::yield();
      if (t == 2) return;
      EpochGuard pin(w.ctx.epoch);
      uint64_t before = shard.migrated_buckets();
      bool migrating = shard.resizing();
      if (get(ks, "never-inserted").has_value()) misses_wrong.fetch_add(1);
      if (!get(ks, "key:0").has_value()) present_missing.fetch_add(1);
      if (migrating && shard.resizing() && shard.migrated_buckets() == before)
        lookups_in_flight.fetch_add(1, std::memory_order_relaxed);
      turn.store(0, std::memory_order_release);
    }
  });
  uint64_t handoffs = 0;
  {
    Worker w(store.epochs());
    for (int i = 0; i < kKeys; i++) {
      EpochGuard pin(w.ctx.epoch);
      put(ks, w.ctx, numbered("key:", i), "v");
      // Hand over during the migrations of the last two grows (2^17 -> 2^18 -> 2^19 buckets, at
      // the table's load of 2), every 32nd insert to keep the test short.
      if (i >= (1 << 18) && shard.resizing() && i % 32 == 0) {
        turn.store(1, std::memory_order_release);
        while (turn.load(std::memory_order_acquire) != 0) std::this_thread::yield();
        handoffs++;
      }
    }
  }
  // 2^17 / 16 + 2^18 / 16 inserts migrate, one in 32 of them hands over: 768.
  CHECK(handoffs > 500);
  turn.store(2, std::memory_order_release);
  reader.join();
  MESSAGE("lookups completed inside a migration: " << lookups_in_flight.load()
                                                   << ", buckets: " << shard.buckets());
  CHECK(lookups_in_flight.load() == handoffs);  // every one finished inside the migration
  CHECK(misses_wrong.load() == 0);
  CHECK(present_missing.load() == 0);
  CHECK(ks.size() == uint64_t(kKeys));
  for (int i = 0; i < kKeys; i += 4099) CHECK(get(ks, numbered("key:", i)) == "v");
  // Shrinking migrates too, and keeps every remaining key findable.
  {
    Worker w(store.epochs());
    for (int i = 0; i < kKeys - 100; i++) {
      EpochGuard pin(w.ctx.epoch);
      CHECK(del(ks, w.ctx, numbered("key:", i)));
    }
  }
  CHECK(ks.size() == 100);
  for (int i = kKeys - 100; i < kKeys; i++) CHECK(get(ks, numbered("key:", i)) == "v");
}
