// Tests of Keyspace::scan, the engine of SCAN: a full iteration returns every key that was present
// for the whole iteration at least once, whatever the COUNT hint, even when the tables grow or
// shrink between calls (the reverse-binary cursor is what makes that hold; a plain bucket index
// would skip keys after a resize). Keyspaces with 1 and 4 shards are used so that each shard's
// table really goes through resizes while a scan is in progress, which the tests check happened.
// Keys added or removed during the scan may or may not be returned, but nothing that never existed
// is.
#include <doctest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <set>
#include <string>

#include "tests/unit/storage/storage_test_util.h"

using namespace respite::storage;
using respite::storage::testing::del;
using respite::storage::testing::numbered;
using respite::storage::testing::put;
using respite::storage::testing::total_buckets;
using respite::storage::testing::Worker;

namespace {

struct ScanResult {
  std::set<std::string> keys;
  uint64_t visits = 0;
  int calls = 0;
};

// Runs a whole SCAN, calling between(call) after every call that did not finish it.
ScanResult full_scan(Keyspace& ks, size_t count, const std::function<void(int)>& between = {}) {
  ScanResult r;
  uint64_t cursor = 0;
  do {
    cursor = ks.scan(cursor, count, [&](const Entry* e) {
      r.keys.insert(std::string(e->key()));
      r.visits++;
    });
    r.calls++;
    REQUIRE(r.calls < 10000000);  // a cursor that never returns to 0 is a bug, not a slow test
    if (cursor != 0 && between) between(r.calls);
  } while (cursor != 0);
  return r;
}

std::string stable_key(int i) {
  return numbered("s:", i);
}
std::string transient_key(int i) {
  return numbered("t:", i);
}

// Every stable key was returned, and every returned key is a stable key or a transient one that
// existed at some point (index below `transients_made`).
void check_scan(const ScanResult& r, int stable, int transients_made) {
  int missing = 0;
  for (int i = 0; i < stable; i++) missing += r.keys.count(stable_key(i)) == 0;
  CHECK(missing == 0);
  for (const std::string& k : r.keys) {
    bool known = false;
    if (k.rfind("s:", 0) == 0) known = std::stoi(k.substr(2)) < stable;
    if (k.rfind("t:", 0) == 0) known = std::stoi(k.substr(2)) < transients_made;
    if (!known) FAIL_CHECK("scan returned a key that never existed: " << k);
  }
}

}  // namespace

TEST_CASE("scan of an empty keyspace") {
  for (unsigned bits : {0u, 2u}) {
    Store store(1, bits);
    ScanResult r = full_scan(store.db(0), 10);
    CHECK(r.keys.empty());
    CHECK(r.calls <= int(store.db(0).shard_count()));
  }
}

TEST_CASE("a full scan returns every key, whatever the count") {
  constexpr int kKeys = 3000;
  for (unsigned bits : {0u, 2u, 4u}) {
    Store store(1, bits);
    Keyspace& ks = store.db(0);
    Worker w(store.epochs());
    EpochGuard pin(w.ctx.epoch);
    for (int i = 0; i < kKeys; i++) put(ks, w.ctx, stable_key(i), "v");
    for (size_t count : {size_t{1}, size_t{10}, size_t{1000}}) {
      CAPTURE(bits);
      CAPTURE(count);
      ScanResult r = full_scan(ks, count);
      check_scan(r, kKeys, 0);
      CHECK(r.keys.size() == kKeys);
      CHECK(r.visits == kKeys);  // no resize ran: each key exactly once
      // Each call but the last visits at least `count` entries.
      CHECK(uint64_t(r.calls) <= kKeys / count + 1);
    }
  }
}

TEST_CASE("keys present throughout are returned while the tables grow between calls") {
  for (unsigned bits : {0u, 2u}) {
    for (size_t count : {size_t{1}, size_t{10}, size_t{1000}}) {
      // Sizes scale with the count so that the scan takes enough calls for the tables to resize
      // several times under it, while the small counts stay quick.
      const int kStable = count < 1000 ? 2000 : 5000, kStep = count < 1000 ? 1200 : 3000;
      const int kMaxMade = 15 * kStep;
      CAPTURE(bits);
      CAPTURE(count);
      Store store(1, bits);
      Keyspace& ks = store.db(0);
      Worker w(store.epochs());
      EpochGuard pin(w.ctx.epoch);
      for (int i = 0; i < kStable; i++) put(ks, w.ctx, stable_key(i), "v");
      const uint64_t buckets_before = total_buckets(ks);

      // Between calls: add kStep keys and remove every third one of them, so the tables keep
      // growing (and erases happen in chains the cursor has already passed, or not yet).
      int made = 0;
      ScanResult r = full_scan(ks, count, [&](int call) {
        if (made >= kMaxMade) return;
        for (int j = 0; j < kStep; j++) put(ks, w.ctx, transient_key(made++), "v");
        for (int j = made - kStep; j < made; j += 3) del(ks, w.ctx, transient_key(j));
      });
      check_scan(r, kStable, made);
      CHECK(total_buckets(ks) >= 4 * buckets_before);  // at least two doublings meanwhile
    }
  }
}

TEST_CASE("keys present throughout are returned while the tables shrink between calls") {
  constexpr int kStable = 100;
  for (unsigned bits : {0u, 2u}) {
    for (size_t count : {size_t{1}, size_t{10}, size_t{1000}}) {
      // Enough keys that 100 left make the tables shrink by 16x: 16,000 over 8,192 buckets at the
      // table's load of 2 (storage/shard.cpp), 100 over 512 after the last shrink.
      const int kTransient = count < 1000 ? 16000 : 40000, kStep = kTransient / 5;
      CAPTURE(bits);
      CAPTURE(count);
      Store store(1, bits);
      Keyspace& ks = store.db(0);
      Worker w(store.epochs());
      EpochGuard pin(w.ctx.epoch);
      for (int i = 0; i < kStable; i++) put(ks, w.ctx, stable_key(i), "v");
      for (int i = 0; i < kTransient; i++) put(ks, w.ctx, transient_key(i), "v");
      const uint64_t buckets_before = total_buckets(ks);
      uint64_t buckets_min = buckets_before;

      // Between calls: remove kStep transient keys, spread over the key space, until none is left.
      int next = 0;
      ScanResult r = full_scan(ks, count, [&](int call) {
        for (int j = 0; j < kStep && next < kTransient; j++, next++) {
          // 7919 is a prime that does not divide kTransient: every index once, scattered.
          del(ks, w.ctx, transient_key(int((uint64_t(next) * 7919) % kTransient)));
        }
        buckets_min = std::min(buckets_min, total_buckets(ks));
      });
      check_scan(r, kStable, kTransient);
      CHECK(buckets_min * 16 <= buckets_before);  // shrunk by several halvings during the scan
    }
  }
}

TEST_CASE("keys present throughout are returned while the tables grow and shrink in turn") {
  // A wave big enough that its removal shrinks the table (under 1/8 full) and its return grows it.
  constexpr int kStable = 200, kWave = 3000;
  for (unsigned bits : {0u, 2u}) {
    for (size_t count : {size_t{10}, size_t{100}}) {
      CAPTURE(bits);
      CAPTURE(count);
      Store store(1, bits);
      Keyspace& ks = store.db(0);
      Worker w(store.epochs());
      EpochGuard pin(w.ctx.epoch);
      for (int i = 0; i < kStable; i++) put(ks, w.ctx, stable_key(i), "v");

      // Odd calls add a wave of keys, even calls remove it: the tables resize on every call.
      int made = 0, resizes = 0;
      uint64_t last = total_buckets(ks);
      ScanResult r = full_scan(ks, count, [&](int call) {
        if (call % 2) {
          for (int j = 0; j < kWave; j++) put(ks, w.ctx, transient_key(made + j), "v");
        } else {
          for (int j = 0; j < kWave; j++) del(ks, w.ctx, transient_key(made + j));
          made += kWave;
        }
        resizes += total_buckets(ks) != last;
        last = total_buckets(ks);
      });
      check_scan(r, kStable, made + kWave);
      CHECK(resizes >= 2);
    }
  }
}
