// Exclusive shard holds (shard.h, "Exclusive holds": what EXEC uses) and the key-change hook
// (key_watch.h: what WATCH hears). Holds: the lock is re-entrant for the holder, lock-free readers
// on the holder's thread see its changes at once, readers on other threads see none of them until
// the hold ends and then all of them. Hook: every mutation path reports the key, in-place changes
// when told, FLUSHDB/SWAPDB through replacing(), and nothing when no key is watched. Wait hook: a
// thread waiting for a held shard runs its LockWaitHook meanwhile. Threads meet through atomics,
// never sleeps.
#include <doctest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/multi_write.h"
#include "tests/unit/storage/storage_test_util.h"

using namespace respite::storage;
using respite::storage::testing::get;
using respite::storage::testing::numbered;
using respite::storage::testing::put;
using respite::storage::testing::Worker;

namespace {

// Records what the store reports; watches every key (all counters non-zero).
struct Recorder : KeyWatch {
  Recorder() {
    for (auto& s : slots_) s.store(1, std::memory_order_relaxed);
    watched_.store(1, std::memory_order_relaxed);
  }
  void touched(int db, std::string_view key, bool exists) override {
    events.push_back(std::to_string(db) + ":" + std::string(key) + (exists ? "+" : "-"));
  }
  void replacing(int db, Keyspace&, Keyspace* with, int64_t) override {
    events.push_back("replacing " + std::to_string(db) + (with ? " swap" : " flush"));
  }
  void silence() {
    for (auto& s : slots_) s.store(0, std::memory_order_relaxed);
    watched_.store(0, std::memory_order_relaxed);
  }
  std::vector<std::string> events;
};

}  // namespace

TEST_CASE("an exclusive hold is re-entrant for its thread, and its readers see its changes") {
  Store store(2, 4);
  Worker w(store.epochs());
  EpochGuard pin(w.ctx.epoch);
  Keyspace& ks = store.db(0);
  put(ks, w.ctx, "a", "1");
  MultiLock hold;
  hold.add_key(ks, "a");
  hold.add_key(ks, "b");
  hold.lock(/*exclusive=*/true);
  // What commands inside an EXEC do: lock again, write, read lock-free. No deadlock.
  CHECK(put(ks, w.ctx, "a", "2") == false);
  CHECK(put(ks, w.ctx, "b", "3") == true);
  CHECK(get(ks, "a") == "2");
  CHECK(get(ks, "b") == "3");
  {
    MultiLock nested;  // a multi-key command inside the EXEC
    nested.add_key(ks, "a");
    nested.add_key(ks, "b");
    nested.lock();
  }
  CHECK(ks.shard_for(hash_key("a")).held_exclusively());
  hold.unlock();
  CHECK_FALSE(ks.shard_for(hash_key("a")).held_exclusively());
  CHECK(ks.shard_for(hash_key("a")).try_lock());  // really released
  ks.shard_for(hash_key("a")).unlock();
}

TEST_CASE("a nested exclusive hold leaves the outer hold's shards to it") {
  // A script run inside an EXEC takes its keys exclusively while the EXEC holds them already:
  // releasing the inner hold must not lower the outer hold's markers.
  Store store(1, 4);
  Keyspace& ks = store.db(0);
  Shard& a = ks.shard_for(hash_key("a"));
  MultiLock outer;
  outer.add(&a);
  outer.lock(true);
  {
    MultiLock inner;
    inner.add(&a);
    inner.lock(true);
    CHECK(a.held_exclusively());
  }
  CHECK(a.held_exclusively());
  {
    MultiLock grown;  // try_extend of a shard held by the outer hold: held, not taken again
    grown.lock(true);
    CHECK(grown.try_extend(&a));
  }
  CHECK(a.held_exclusively());
  outer.unlock();
  CHECK_FALSE(a.held_exclusively());
}

TEST_CASE("try_extend takes a free shard exclusively and never waits for a held one") {
  Store store(1, 4);
  Keyspace& ks = store.db(0);
  // Two keys on different shards.
  std::string k1 = "k0", k2;
  for (int i = 1; k2.empty(); i++) {
    std::string k = numbered("k", i);
    if (&ks.shard_for(hash_key(k)) != &ks.shard_for(hash_key(k1))) k2 = k;
  }
  Shard& s1 = ks.shard_for(hash_key(k1));
  Shard& s2 = ks.shard_for(hash_key(k2));
  std::atomic<int> step{0};
  std::atomic<bool> extended{false}, refused{false};
  std::thread script([&] {
    MultiLock hold;
    hold.add(&s1);
    hold.lock(true);
    CHECK(hold.try_extend(&s2));  // free: taken, marker raised
    CHECK(s2.held_exclusively());
    extended = true;
    hold.unlock();
    step = 1;
    while (step.load() != 2) std::this_thread::yield();
    hold.clear();
    hold.add(&s1);
    hold.lock(true);
    refused = !hold.try_extend(&s2);  // held by the main thread now: false at once
    hold.unlock();
    step = 3;
  });
  while (step.load() != 1) std::this_thread::yield();
  CHECK(extended.load());
  CHECK(s2.try_lock());  // released by the script's unlock
  step = 2;
  while (step.load() != 3) std::this_thread::yield();
  s2.unlock();
  script.join();
  CHECK(refused.load());
  CHECK(s1.try_lock());
  s1.unlock();
}

TEST_CASE("readers on other threads see an exclusive hold's changes all at once") {
  // The holder writes version i to k0..k15 one key at a time (the last via an in-place integer
  // store), under an exclusive hold of their shards; readers read k0..k15 lock-free in that
  // order. A later read may see a newer version (a hold began and ended in between) but never an
  // older one: k_j newer than k_j+1 would be a hold seen half done, which the markers prevent.
  Store store(1, 4);
  Keyspace& ks = store.db(0);
  constexpr int kKeys = 16, kRounds = 2000, kReaders = 2;
  {
    Worker w(store.epochs());
    EpochGuard pin(w.ctx.epoch);
    for (int k = 0; k < kKeys - 1; k++) put(ks, w.ctx, numbered("k", k), "0");
    uint64_t h = hash_key("k15");
    std::lock_guard<Shard> lock(ks.shard_for(h));
    ks.shard_for(h).upsert_locked(Entry::make_int("k15", 0, Entry::kNoExpire), h, w.ctx.epoch);
  }
  std::atomic<bool> stop{false};
  std::atomic<int> ready{0};
  std::atomic<long long> torn{0}, reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; r++) {
    readers.emplace_back([&] {
      Worker w(store.epochs());
      bool counted = false;
      while (!stop.load()) {
        EpochGuard pin(w.ctx.epoch);
        long long prev = std::stoll(*get(ks, "k0"));
        for (int k = 1; k < kKeys; k++) {
          long long v = std::stoll(*get(ks, numbered("k", k)));
          if (v < prev) torn++;
          prev = v;
        }
        reads++;
        if (!counted) {
          counted = true;
          ready++;
        }
      }
    });
  }
  while (ready.load() < kReaders) std::this_thread::yield();
  {
    Worker w(store.epochs());
    for (int i = 1; i <= kRounds; i++) {
      EpochGuard pin(w.ctx.epoch);
      MultiLock hold;
      for (int k = 0; k < kKeys; k++) hold.add_key(ks, numbered("k", k));
      hold.lock(true);
      for (int k = 0; k < kKeys - 1; k++) put(ks, w.ctx, numbered("k", k), std::to_string(i));
      uint64_t h = hash_key("k15");
      std::lock_guard<Shard> lock(ks.shard_for(h));  // passes through: held exclusively
      ks.shard_for(h).find_locked("k15", h)->set_int(i);
    }
  }
  stop = true;
  for (auto& t : readers) t.join();
  MESSAGE("reader passes: " << reads.load() << ", torn: " << torn.load());
  CHECK(reads.load() > 0);
  CHECK(torn.load() == 0);
}

TEST_CASE("every mutation reports its key to the KeyWatch; none when nothing is watched") {
  Store store(2, 2);
  Recorder rec;
  store.set_watch(&rec);
  Worker w(store.epochs());
  EpochGuard pin(w.ctx.epoch);
  Keyspace& ks = store.db(0);
  put(ks, w.ctx, "a", "1");  // insert
  put(ks, w.ctx, "a", "2");  // replace
  testing::del(ks, w.ctx, "a");
  put(store.db(1), w.ctx, "b", "1", /*expire_ms=*/5);
  {
    uint64_t h = hash_key("b");
    Shard& s = store.db(1).shard_for(h);
    std::lock_guard<Shard> lock(s);
    OpCtx later = w.ctx;
    later.now_ms = 10;
    CHECK(store.db(1).lookup_locked(s, "b", h, later) == nullptr);  // lazy expiry
    s.modified_locked("c", h);                                      // in place, as told
  }
  {
    MultiLock lock;
    lock.add_key(ks, "x");
    lock.add_key(ks, "y");
    lock.lock();
    MultiWrite mw(w.ctx);
    mw.put(ks, Entry::make_string("x", "1", Entry::kNoExpire));
    mw.put(ks, Entry::make_string("y", "1", Entry::kNoExpire));
    mw.commit();
  }
  ks.flush(w.ctx);
  store.swap(0, 1, w.ctx);
  std::vector<std::string> want = {"0:a+",
                                   "0:a+",
                                   "0:a-",
                                   "1:b+",
                                   "1:b-",
                                   "1:c+",
                                   "0:x+",
                                   "0:y+",
                                   "replacing 0 flush",
                                   "replacing 0 swap",
                                   "replacing 1 swap"};
  CHECK(rec.events == want);
  rec.events.clear();
  rec.silence();
  put(ks, w.ctx, "a", "1");
  ks.flush(w.ctx);
  CHECK(rec.events.empty());
}

TEST_CASE("a thread waiting for a shard's lock runs its wait hook until the lock is free") {
  // shard.h's LockWaitHook: what lets a worker serve its other clients while its command waits
  // for a busy script. Both kinds of wait: a writer's lock() and a lock-free reader that found
  // an exclusive hold. The holder lets go only once the hook has run twice, so a waiter that
  // blocked without running its hook would never return.
  Store store(2, 4);
  Keyspace& ks = store.db(0);
  Shard& shard = ks.shard_for(hash_key("k"));
  for (bool reader : {false, true}) {
    CAPTURE(reader);
    std::atomic<int> hook_runs{0};
    std::atomic<bool> holding{false}, done{false};
    std::thread holder([&] {
      MultiLock hold;
      hold.add(&shard);
      hold.lock(/*exclusive=*/true);
      holding.store(true);
      while (hook_runs.load() < 2) std::this_thread::yield();
    });
    while (!holding.load()) std::this_thread::yield();
    std::thread waiter([&] {
      t_lock_wait_hook = {[](void* n) { static_cast<std::atomic<int>*>(n)->fetch_add(1); },
                          &hook_runs};
      Worker w(store.epochs());
      EpochGuard pin(w.ctx.epoch);
      if (reader) {
        CHECK_FALSE(get(ks, "k").has_value());  // waits for the hold, then finds nothing
      } else {
        std::lock_guard<Shard> lock(shard);
      }
      t_lock_wait_hook = {};
      done.store(true);
    });
    waiter.join();
    holder.join();
    CHECK(done.load());
    CHECK(hook_runs.load() >= 2);
  }
}
