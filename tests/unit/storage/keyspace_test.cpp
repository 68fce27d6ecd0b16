// Tests of the keyspace operations that go beyond one key (storage/keyspace.h, storage/store.h):
// lazy expiry (a lock-free find hides an expired key, a locked lookup removes it and counts it),
// the TTL and byte counters, FLUSHDB, SWAPDB, RANDOMKEY on empty, sparse and expired keyspaces,
// MultiLock over overlapping shards (duplicates are locked once, everything is released), and the
// active expiry sweep split between two workers, which must remove every expired key and nothing
// else. These are the behaviours the expiry, eviction and multi-key commands are built on.
#include <doctest.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/unit/storage/storage_test_util.h"

using namespace respite::storage;
using respite::storage::testing::del;
using respite::storage::testing::get;
using respite::storage::testing::numbered;
using respite::storage::testing::put;
using respite::storage::testing::Worker;

namespace {

// Whether another thread could take the shard's lock right now (try_lock from the thread that
// holds it would be undefined).
bool locked_elsewhere(Shard& s) {
  bool locked = false;
  std::thread t([&] {
    if (s.mutex().try_lock()) {
      s.mutex().unlock();
    } else {
      locked = true;
    }
  });
  t.join();
  return locked;
}

// Two keys that land in different shards, and a third that shares the first one's shard.
struct KeyTrio {
  std::string a, b, a2;
};
KeyTrio keys_in_shards(Keyspace& ks) {
  KeyTrio t;
  t.a = "k0";
  size_t sa = ks.shard_index(hash_key(t.a));
  for (int i = 1; t.b.empty() || t.a2.empty(); i++) {
    std::string k = numbered("k", i);
    size_t si = ks.shard_index(hash_key(k));
    if (si == sa && t.a2.empty()) t.a2 = k;
    if (si != sa && t.b.empty()) t.b = k;
  }
  return t;
}

}  // namespace

TEST_CASE("lazy expiry: find hides, lookup_locked removes and counts") {
  Store store(1, 2);
  Keyspace& ks = store.db(0);
  Worker w(store.epochs(), 999);
  EpochGuard pin(w.ctx.epoch);

  put(ks, w.ctx, "ttl", "v", 1000);
  put(ks, w.ctx, "forever", "v");
  CHECK(ks.size() == 2);
  CHECK(ks.expires() == 1);

  CHECK(ks.find("ttl", 999) != nullptr);
  CHECK(ks.find("ttl", 1000) == nullptr);  // expired at its expiry instant
  CHECK(ks.find("forever", 1000000) != nullptr);
  CHECK(ks.size() == 2);  // the lock-free path never removes

  uint64_t h = hash_key("ttl");
  Shard& s = ks.shard_for(h);
  {
    std::lock_guard<Shard> lock(s.mutex());
    w.ctx.now_ms = 999;
    CHECK(ks.lookup_locked(s, "ttl", h, w.ctx) != nullptr);
    CHECK(w.ctx.expired == 0);
    w.ctx.now_ms = 1000;
    CHECK(ks.lookup_locked(s, "ttl", h, w.ctx) == nullptr);
    CHECK(w.ctx.expired == 1);
    CHECK(ks.lookup_locked(s, "ttl", h, w.ctx) == nullptr);  // gone: not counted twice
    CHECK(w.ctx.expired == 1);
    CHECK(s.find_locked("ttl", h) == nullptr);
  }
  CHECK(ks.size() == 1);
  CHECK(ks.expires() == 0);
  CHECK(ks.find("ttl", 0) == nullptr);  // removed for good, whatever the clock says
}

TEST_CASE("counters: size, expires and bytes follow inserts, replaces and erases") {
  Store store(1, 3);
  Keyspace& ks = store.db(0);
  Worker w(store.epochs());
  EpochGuard pin(w.ctx.epoch);

  CHECK(ks.bytes() == 0);
  for (int i = 0; i < 100; i++) put(ks, w.ctx, numbered("k", i), "v", i < 40 ? 5000 : -1);
  CHECK(ks.size() == 100);
  CHECK(ks.expires() == 40);
  int64_t full = ks.bytes();
  CHECK(full > 0);

  put(ks, w.ctx, "k0", "v");  // SET without a TTL removes the TTL
  CHECK(ks.expires() == 39);
  put(ks, w.ctx, "k99", "v", 7000);  // and with one adds it
  CHECK(ks.expires() == 40);
  CHECK(ks.size() == 100);
  int64_t mid = ks.bytes(), old50 = int64_t(ks.find("k50", 0)->alloc_size());
  put(ks, w.ctx, "k50", "a much longer value than before");
  int64_t new50 = int64_t(ks.find("k50", 0)->alloc_size());
  CHECK(new50 > old50);
  CHECK(ks.bytes() == mid - old50 + new50);  // a replace moves the bytes by the difference

  for (int i = 0; i < 100; i++) CHECK(del(ks, w.ctx, numbered("k", i)));
  CHECK(ks.size() == 0);
  CHECK(ks.expires() == 0);
  CHECK(ks.bytes() == 0);
}

TEST_CASE("flush removes every key and leaves a working keyspace") {
  Store store(2, 2);
  Keyspace& ks = store.db(0);
  Worker w(store.epochs());
  EpochGuard pin(w.ctx.epoch);

  for (int i = 0; i < 1000; i++) put(ks, w.ctx, numbered("k", i), "v", i % 2 ? 100 : -1);
  put(store.db(1), w.ctx, "other", "db");
  ks.flush(w.ctx);
  CHECK(ks.size() == 0);
  CHECK(ks.expires() == 0);
  CHECK(ks.bytes() == 0);
  for (int i = 0; i < 1000; i++) CHECK(ks.find(numbered("k", i), 0) == nullptr);
  CHECK(get(store.db(1), "other") == "db");  // other databases untouched

  put(ks, w.ctx, "k1", "again");
  CHECK(get(ks, "k1") == "again");
  CHECK(ks.size() == 1);

  ks.flush(w.ctx);
  ks.flush(w.ctx);  // flushing an empty keyspace is fine
  store.flush_all(w.ctx, false);
  CHECK(store.db(1).size() == 0);
  CHECK(store.bytes() == 0);
}

TEST_CASE("FLUSHALL ASYNC hands the tables to the lazy-free thread once no reader can see them") {
  Store store(2, 2);
  Worker w(store.epochs());
  {
    EpochGuard pin(w.ctx.epoch);
    for (int i = 0; i < 3000; i++) put(store.db(i % 2), w.ctx, numbered("k", i), "v");
    store.flush_all(w.ctx, true);
    CHECK(store.db(0).size() == 0);
    CHECK(store.db(1).size() == 0);
    // Still pinned: the tables are retired, not yet handed over.
    CHECK(store.lazy_free().freed_objects() == 0);
  }
  // Reclamation hands them over once the epoch has moved past every reader; the thread frees.
  for (int i = 0;
       i < 4 && store.lazy_free().pending_objects() + store.lazy_free().freed_objects() < 3000; i++)
    w.ctx.epoch->collect();
  store.lazy_free().drain();
  CHECK(store.lazy_free().pending_objects() == 0);
  CHECK(store.lazy_free().freed_objects() == 3000);
}

TEST_CASE("Store::swap exchanges two databases") {
  Store store(3, 2);
  Worker w(store.epochs());
  EpochGuard pin(w.ctx.epoch);
  for (int i = 0; i < 500; i++) put(store.db(0), w.ctx, numbered("a", i), "0", 900);
  put(store.db(1), w.ctx, "b", "1");
  int64_t bytes0 = store.db(0).bytes(), bytes1 = store.db(1).bytes();

  store.swap(0, 1, w.ctx);
  CHECK(store.db(0).size() == 1);
  CHECK(store.db(1).size() == 500);
  CHECK(store.db(0).expires() == 0);
  CHECK(store.db(1).expires() == 500);
  CHECK(store.db(0).bytes() == bytes1);
  CHECK(store.db(1).bytes() == bytes0);
  CHECK(get(store.db(0), "b") == "1");
  CHECK_FALSE(get(store.db(0), "a7").has_value());
  for (int i = 0; i < 500; i++) CHECK(get(store.db(1), numbered("a", i)) == "0");

  // Both keep working after the swap: writes land in the swapped-in tables.
  put(store.db(0), w.ctx, "c", "2");
  CHECK(del(store.db(1), w.ctx, "a0"));
  CHECK(store.db(0).size() == 2);
  CHECK(store.db(1).size() == 499);

  store.swap(1, 2, w.ctx);  // with a database that never had a table
  CHECK(store.db(1).size() == 0);
  CHECK(store.db(2).size() == 499);
  CHECK_FALSE(get(store.db(1), "a1").has_value());
  CHECK(get(store.db(2), "a1") == "0");

  store.swap(2, 2, w.ctx);  // no-op
  CHECK(store.db(2).size() == 499);
}

TEST_CASE("random_key") {
  Store store(1, 6);  // 64 shards, as in production: a lone key sits in one of many
  Keyspace& ks = store.db(0);
  Worker w(store.epochs(), 0);
  EpochGuard pin(w.ctx.epoch);
  std::string out;

  CHECK_FALSE(ks.random_key(w.ctx, 1, &out));

  put(ks, w.ctx, "only", "v");
  for (uint64_t seed = 0; seed < 2000; seed++) {
    CAPTURE(seed);
    out.clear();
    REQUIRE(ks.random_key(w.ctx, seed, &out));  // a key exists: RANDOMKEY must return it
    REQUIRE(out == "only");
  }

  std::set<std::string> keys, seen;
  for (int i = 0; i < 200; i++) {
    keys.insert(numbered("r", i));
    put(ks, w.ctx, numbered("r", i), "v");
  }
  keys.insert("only");
  for (uint64_t seed = 0; seed < 500; seed++) {
    REQUIRE(ks.random_key(w.ctx, seed, &out));
    REQUIRE(keys.count(out) == 1);
    seen.insert(out);
  }
  CHECK(seen.size() > 50);  // not always the same few keys

  // Expired keys are not returned; once all are expired there is none.
  ks.flush(w.ctx);
  put(ks, w.ctx, "dead", "v", 10);
  put(ks, w.ctx, "alive", "v", 100);
  w.ctx.now_ms = 50;
  for (uint64_t seed = 0; seed < 200; seed++) {
    REQUIRE(ks.random_key(w.ctx, seed, &out));
    REQUIRE(out == "alive");
  }
  w.ctx.now_ms = 100;
  CHECK_FALSE(ks.random_key(w.ctx, 3, &out));
}

TEST_CASE("MultiLock locks overlapping shards once and releases them all") {
  Store store(2, 4);
  Keyspace& ks = store.db(0);
  Keyspace& other = store.db(1);
  KeyTrio k = keys_in_shards(ks);
  Shard& sa = ks.shard_for(hash_key(k.a));
  Shard& sb = ks.shard_for(hash_key(k.b));
  Shard& so = other.shard_for(hash_key(k.a));
  REQUIRE(&ks.shard_for(hash_key(k.a2)) == &sa);
  REQUIRE(&sa != &sb);

  {
    MultiLock lock;
    lock.add_key(ks, k.b);
    lock.add_key(ks, k.a);
    lock.add_key(ks, k.a2);  // same shard as a: must not be locked twice (that would deadlock)
    lock.add_key(ks, k.a);   // the same key again
    lock.add_key(other, k.a);
    lock.add(&sb);
    lock.lock();
    CHECK(locked_elsewhere(sa));
    CHECK(locked_elsewhere(sb));
    CHECK(locked_elsewhere(so));
    for (size_t i = 0; i < ks.shard_count(); i++) {  // and nothing else
      if (&ks.shard(i) != &sa && &ks.shard(i) != &sb) CHECK_FALSE(locked_elsewhere(ks.shard(i)));
    }
    lock.unlock();
    CHECK_FALSE(locked_elsewhere(sa));
    CHECK_FALSE(locked_elsewhere(sb));
    lock.unlock();  // a second unlock is harmless
    lock.lock();    // and it can be taken again
    CHECK(locked_elsewhere(sa));
  }  // the destructor releases
  CHECK_FALSE(locked_elsewhere(sa));
  CHECK_FALSE(locked_elsewhere(sb));
  CHECK_FALSE(locked_elsewhere(so));

  {
    MultiLock unused;  // never locked: the destructor must not unlock anything
    unused.add(&sa);
  }
  CHECK_FALSE(locked_elsewhere(sa));

  // Two MultiLocks naming the same shards in opposite orders, taken back to back from two
  // threads many times: ordered locking means this finishes.
  std::atomic<int> done{0};
  auto run = [&](bool reverse) {
    for (int i = 0; i < 2000; i++) {
      MultiLock lock;
      if (reverse) {
        lock.add_key(other, k.a);
        lock.add_key(ks, k.b);
        lock.add_key(ks, k.a);
      } else {
        lock.add_key(ks, k.a);
        lock.add_key(ks, k.b);
        lock.add_key(other, k.a);
      }
      lock.lock();
    }
    done++;
  };
  std::thread t1(run, false), t2(run, true);
  t1.join();
  t2.join();
  CHECK(done == 2);
}

TEST_CASE("active_expire split between two workers removes exactly the expired keys") {
  constexpr int kExpired = 100000, kLater = 1000, kPersistent = 1000;
  Store store(1, 4);
  Keyspace& ks = store.db(0);
  Worker w0(store.epochs(), 2000), w1(store.epochs(), 2000);
  {
    EpochGuard pin(w0.ctx.epoch);
    for (int i = 0; i < kExpired; i++) put(ks, w0.ctx, numbered("x", i), "v", 1000 + i % 7);
    for (int i = 0; i < kLater; i++) put(ks, w0.ctx, numbered("l", i), "v", 3000);
    for (int i = 0; i < kPersistent; i++) put(ks, w0.ctx, numbered("p", i), "v");
  }
  REQUIRE(ks.size() == kExpired + kLater + kPersistent);
  REQUIRE(ks.expires() == kExpired + kLater);

  auto never = [] { return false; };
  std::vector<uint64_t> before(ks.shard_count());
  for (size_t i = 0; i < ks.shard_count(); i++) before[i] = ks.shard(i).size();

  // Worker 0 alone: the even shards are swept clean of expired keys, the odd ones untouched.
  uint64_t even_live = 0;
  for (int i = 0; i < kLater; i++) even_live += ks.shard_index(hash_key(numbered("l", i))) % 2 == 0;
  for (int i = 0; i < kPersistent; i++)
    even_live += ks.shard_index(hash_key(numbered("p", i))) % 2 == 0;
  auto even_size = [&] {
    uint64_t n = 0;
    for (size_t i = 0; i < ks.shard_count(); i += 2) n += ks.shard(i).size();
    return n;
  };
  uint64_t removed0 = 0;
  for (int round = 0; round < 10000 && even_size() > even_live; round++) {
    EpochGuard pin(w0.ctx.epoch);
    removed0 += ks.active_expire(w0.ctx, 0, 2, never);
  }
  CHECK(even_size() == even_live);
  for (size_t i = 1; i < ks.shard_count(); i += 2) {
    CAPTURE(i);
    CHECK(ks.shard(i).size() == before[i]);
  }
  CHECK(w0.ctx.expired == removed0);

  // Then both, alternating; a budget that runs out at once still makes progress.
  uint64_t removed1 = 0;
  int calls = 0;
  auto out_of_time = [&] { return ++calls % 3 == 0; };
  for (int round = 0; round < 100000 && ks.size() > kLater + kPersistent; round++) {
    EpochGuard pin0(w0.ctx.epoch);
    removed0 += ks.active_expire(w0.ctx, 0, 2, out_of_time);
    EpochGuard pin1(w1.ctx.epoch);
    removed1 += ks.active_expire(w1.ctx, 1, 2, out_of_time);
  }
  CHECK(removed0 + removed1 == kExpired);
  CHECK(removed1 > 0);
  CHECK(w1.ctx.expired == removed1);
  CHECK(ks.size() == kLater + kPersistent);
  CHECK(ks.expires() == kLater);

  EpochGuard pin(w0.ctx.epoch);
  int missing = 0;
  for (int i = 0; i < kLater; i++) missing += !ks.find(numbered("l", i), 2000);
  for (int i = 0; i < kPersistent; i++) missing += !ks.find(numbered("p", i), 2000);
  CHECK(missing == 0);
  for (int i = 0; i < kExpired; i += 97) CHECK(ks.find(numbered("x", i), 0) == nullptr);
  // The tables shrank with their contents.
  CHECK(testing::total_buckets(ks) < uint64_t(kExpired) / 8);
}

TEST_CASE("accounted_bytes: the dataset plus the bucket arrays, summed over threads") {
  Store store(2, 3);
  auto tables = [&] {
    int64_t n = 0;
    for (int d = 0; d < store.databases(); d++) {
      for (size_t i = 0; i < store.db(d).shard_count(); i++) {
        uint64_t b = store.db(d).shard(i).buckets();
        // A migration in flight holds two arrays; let the count settle on one by checking the
        // figure only where none is running.
        if (store.db(d).shard(i).resizing()) return int64_t{-1};
        if (b) n += static_cast<int64_t>(sizeof(Shard::Table) + (b - 1) * sizeof(void*));
      }
    }
    return n;
  };
  CHECK(store.accounted_bytes() == 0);
  {
    Worker a(store.epochs()), b(store.epochs());
    EpochGuard pa(a.ctx.epoch), pb(b.ctx.epoch);
    for (int i = 0; i < 3000; i++) put(store.db(i % 2), (i % 3 ? a : b).ctx, numbered("k", i), "v");
    for (int i = 0; i < 3000; i += 7) del(store.db(i % 2), a.ctx, numbered("k", i));
    int64_t t = tables();
    if (t >= 0) CHECK(store.accounted_bytes() == store.bytes() + t);
    CHECK(store.accounted_bytes() > store.bytes());
  }
  // Threads that left keep their share: the bytes are still in the store.
  CHECK(store.accounted_bytes() > store.bytes());
  Worker w(store.epochs());
  {
    EpochGuard pin(w.ctx.epoch);
    store.swap(0, 1, w.ctx);  // moves bytes between databases, changes no total
    int64_t t = tables();
    if (t >= 0) CHECK(store.accounted_bytes() == store.bytes() + t);
    store.flush_all(w.ctx, false);
  }
  CHECK(store.bytes() == 0);
  CHECK(store.accounted_bytes() == 0);
}
