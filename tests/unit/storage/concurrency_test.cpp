// Threaded tests of the store (run under ThreadSanitizer by `make test-tsan`, and under ASan by
// `make test-asan`, which catches a reader touching freed memory). Readers do lock-free finds on
// a keyspace with a single shard while writers insert, replace and erase keys of their own and
// force the shard's table through repeated growth and shrinkage: every entry a reader finds must
// carry a value consistent with its key, entries found early in a pinned batch must still be intact
// at its end (epoch reclamation), and keys that are never deleted must always be found, even
// mid-resize (the resize seqlock's retry). A second test moves units between accounts under
// MultiLock from several threads, while an auditor locks every account and checks that the total
// never changes: multi-key operations are atomic and ordered locking does not deadlock. Both run
// for a bounded number of iterations, not for a time.
#include <doctest.h>

#include <atomic>
#include <cstdint>
#include <latch>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/unit/storage/storage_test_util.h"

using namespace respite::storage;
using respite::storage::testing::numbered;
using respite::storage::testing::Rng;
using respite::storage::testing::Worker;

namespace {

std::string versioned(const std::string& key, uint64_t version) {
  std::string s = key;
  s += numbered(":", version);
  return s;
}

// Whether `value` is `key` + ":" + a decimal version.
bool consistent(std::string_view key, std::string_view value) {
  if (value.size() <= key.size() + 1 || value.substr(0, key.size()) != key) return false;
  if (value[key.size()] != ':') return false;
  for (char c : value.substr(key.size() + 1)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string stable_key(int i) {
  return numbered("stable:", i);
}

}  // namespace

TEST_CASE("lock-free readers against writers that resize the shard") {
  constexpr int kStable = 64;  // never deleted: must always be found
  constexpr int kReaders = 2, kWriters = 2;
  constexpr int kDynamic = 400;  // keys per writer, inserted and erased in waves
  constexpr int kWaves = 30;     // grow to ~kDynamic*kWriters, shrink back, repeat
  constexpr int kMinReaderBatches = 1500;
  constexpr int kBatch = 16;  // lookups per pinned batch

  auto store = std::make_unique<Store>(1, 0);  // one shard: every write hits the same table
  Keyspace& ks = store->db(0);
  {
    Worker w(store->epochs());
    EpochGuard pin(w.ctx.epoch);
    for (int i = 0; i < kStable; i++)
      testing::put(ks, w.ctx, stable_key(i), versioned(stable_key(i), 0));
  }

  std::latch start(kReaders + kWriters);
  std::atomic<int> writers_done{0};
  const uint64_t initial_buckets = ks.shard(0).buckets();  // no writer runs yet: no pin needed
  std::atomic<uint64_t> most_buckets{0};
  std::atomic<int> bad_value{0}, stable_missing{0}, reclaimed_early{0};
  std::atomic<uint64_t> found_dynamic{0};

  auto writer = [&](int id) {
    Worker w(store->epochs());
    Rng rng(1000 + id);
    std::string prefix = numbered("w", id);
    prefix += ':';
    uint64_t version = 1;
    // Shard::buckets() reads the table, which a resize may retire: only while pinned.
    auto buckets = [&] {
      EpochGuard pin(w.ctx.epoch);
      return ks.shard(0).buckets();
    };
    start.arrive_and_wait();
    for (int wave = 0; wave < kWaves; wave++) {
      // Grow: insert every dynamic key, replacing a stable key now and then.
      for (int i = 0; i < kDynamic; i += 8) {
        EpochGuard pin(w.ctx.epoch);  // a small batch, as a worker pins per loop turn
        for (int j = i; j < i + 8; j++) {
          std::string k = prefix;
          k += std::to_string(j);
          testing::put(ks, w.ctx, k, versioned(k, version++));
        }
        std::string s = stable_key(int(rng.below(kStable)));
        testing::put(ks, w.ctx, s, versioned(s, version++));
      }
      uint64_t peak = buckets();
      // The largest table any writer saw: one bigger than the start means the shard was resized
      // while the readers ran. (Whether a writer's own shrink wave shows depends on how the two
      // writers' waves interleave, so it is not what the check counts.)
      uint64_t seen = most_buckets.load();
      while (peak > seen && !most_buckets.compare_exchange_weak(seen, peak)) {
      }
      // Replace some, then shrink: erase every dynamic key.
      for (int i = 0; i < kDynamic; i += 8) {
        EpochGuard pin(w.ctx.epoch);
        for (int j = i; j < i + 8; j++) {
          std::string k = prefix;
          k += std::to_string(j);
          if (j % 3 == 0) testing::put(ks, w.ctx, k, versioned(k, version++));
          testing::del(ks, w.ctx, k);
        }
      }
    }
    writers_done++;
  };

  auto reader = [&](int id) {
    Worker w(store->epochs());
    Rng rng(77 + id);
    std::vector<std::pair<std::string, const Entry*>> held;
    start.arrive_and_wait();
    for (int batch = 0; batch < kMinReaderBatches || writers_done.load() < kWriters; batch++) {
      EpochGuard pin(w.ctx.epoch);
      held.clear();
      for (int i = 0; i < kBatch; i++) {
        std::string k;
        bool stable = rng.below(2) == 0;
        if (stable) {
          k = stable_key(int(rng.below(kStable)));
        } else {
          k = numbered("w", rng.below(kWriters));
          k += numbered(":", rng.below(kDynamic));
        }
        const Entry* e = ks.find(k, 0);
        if (!e) {
          if (stable) stable_missing++;
          continue;
        }
        if (!stable) found_dynamic++;
        if (!e->key_equals(k) || !consistent(k, e->raw_value())) bad_value++;
        held.emplace_back(std::move(k), e);
      }
      // Everything found in this batch is still intact while we stay pinned, even if it was
      // replaced or erased meanwhile.
      for (auto& [k, e] : held) {
        if (!e->key_equals(k) || !consistent(k, e->raw_value())) reclaimed_early++;
      }
    }
  };

  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; i++) threads.emplace_back(writer, i);
  for (int i = 0; i < kReaders; i++) threads.emplace_back(reader, i);
  for (auto& t : threads) t.join();

  CHECK(bad_value == 0);
  CHECK(stable_missing == 0);
  CHECK(reclaimed_early == 0);
  CHECK(most_buckets.load() > initial_buckets);  // the table really was resized under the readers
  CHECK(ks.size() == kStable);
  Worker w(store->epochs());
  EpochGuard pin(w.ctx.epoch);
  for (int i = 0; i < kStable; i++) {
    const Entry* e = ks.find(stable_key(i), 0);
    REQUIRE(e != nullptr);
    CHECK(consistent(stable_key(i), e->raw_value()));
  }
  MESSAGE("dynamic keys found by readers: " << found_dynamic.load());
}

TEST_CASE("transfers under MultiLock keep the total constant") {
  constexpr int kAccounts = 24, kThreads = 3, kTransfers = 1500, kAudits = 150;
  constexpr int64_t kInitial = 1000;
  auto store = std::make_unique<Store>(2, 2);  // accounts spread over two databases, 4 shards each
  auto account = [&](int i) -> std::pair<Keyspace*, std::string> {
    return {&store->db(i % 2), numbered("acct:", i)};
  };
  {
    Worker w(store->epochs());
    EpochGuard pin(w.ctx.epoch);
    for (int i = 0; i < kAccounts; i++) {
      auto [ks, k] = account(i);
      uint64_t h = hash_key(k);
      Shard& s = ks->shard_for(h);
      std::lock_guard<Shard> lock(s.mutex());
      s.upsert_locked(Entry::make_int(k, kInitial, Entry::kNoExpire), h, w.ctx.epoch);
    }
  }

  // Reads an account's balance; the shard is locked by the caller's MultiLock.
  auto balance = [&](int i, OpCtx& ctx) -> Entry* {
    auto [ks, k] = account(i);
    uint64_t h = hash_key(k);
    return ks->lookup_locked(ks->shard_for(h), k, h, ctx);
  };

  std::latch start(kThreads + 1);
  std::atomic<int> broken{0}, bad_audits{0};
  auto mover = [&](int id) {
    Worker w(store->epochs());
    Rng rng(500 + id);
    start.arrive_and_wait();
    for (int t = 0; t < kTransfers; t++) {
      int from = int(rng.below(kAccounts)), to = int(rng.below(kAccounts));
      if (from == to) continue;
      EpochGuard pin(w.ctx.epoch);
      MultiLock lock;
      auto [fks, fk] = account(from);
      auto [tks, tk] = account(to);
      lock.add_key(*fks, fk);
      lock.add_key(*tks, tk);
      lock.lock();
      Entry* a = balance(from, w.ctx);
      Entry* b = balance(to, w.ctx);
      if (!a || !b) {
        broken++;
        continue;
      }
      int64_t amount = int64_t(rng.below(50));
      if (t % 2) {  // INCRBY-style: in place
        a->set_int(a->int_value() - amount);
        b->set_int(b->int_value() + amount);
      } else {  // SET-style: new entries, the old ones retired
        uint64_t hf = hash_key(fk), ht = hash_key(tk);
        fks->shard_for(hf).upsert_locked(Entry::make_int(fk, a->int_value() - amount, -1), hf,
                                         w.ctx.epoch);
        tks->shard_for(ht).upsert_locked(Entry::make_int(tk, b->int_value() + amount, -1), ht,
                                         w.ctx.epoch);
      }
    }
  };
  auto auditor = [&] {
    Worker w(store->epochs());
    start.arrive_and_wait();
    for (int i = 0; i < kAudits; i++) {
      EpochGuard pin(w.ctx.epoch);
      MultiLock lock;
      for (int j = kAccounts - 1; j >= 0; j--) {
        auto [ks, k] = account(j);
        lock.add_key(*ks, k);
      }
      lock.lock();
      int64_t total = 0;
      for (int j = 0; j < kAccounts; j++) {
        Entry* e = balance(j, w.ctx);
        if (!e) {
          broken++;
          continue;
        }
        total += e->int_value();
      }
      if (total != kInitial * kAccounts) bad_audits++;
    }
  };

  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; i++) threads.emplace_back(mover, i);
  threads.emplace_back(auditor);
  for (auto& t : threads) t.join();

  CHECK(broken == 0);
  CHECK(bad_audits == 0);
  Worker w(store->epochs());
  EpochGuard pin(w.ctx.epoch);
  int64_t total = 0;
  for (int i = 0; i < kAccounts; i++) {
    auto [ks, k] = account(i);
    const Entry* e = ks->find(k, 0);
    REQUIRE(e != nullptr);
    total += e->int_value();
  }
  CHECK(total == kInitial * kAccounts);
}
