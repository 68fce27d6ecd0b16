// The table conformance suite (style.md item 11): the behaviour every key-value table of respite
// must have, written once as doctest templates and run against a trivial reference (a mutex around
// std::unordered_map) and against the real Keyspace in several configurations (one shard, so that a
// single table grows and shrinks through many resizes, and several shards; reads through the
// lock-free path and through the locked path). If the reference and the real table disagree on any
// of these cases, the real one is wrong. The cases: insert, find, replace, erase; growth through
// several resizes and shrinking back, with every lookup checked after each phase; size(); and a
// long random mix of operations compared against a model.
#include <doctest.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

#include "tests/unit/storage/storage_test_util.h"

using namespace respite::storage;
using respite::storage::testing::numbered;
using respite::storage::testing::Rng;
using respite::storage::testing::Worker;

namespace {

// --- The adapter interface every implementation provides ---
//   bool put(key, value)            true when the key was new
//   std::optional<std::string> get(key)
//   bool erase(key)                 true when the key existed
//   size_t size()
//   uint64_t capacity()             buckets; grows with the contents
//   static constexpr bool kShrinks  whether capacity comes back down after erasing

struct ReferenceTable {
  static constexpr bool kShrinks = false;  // std::unordered_map never gives buckets back
  bool put(std::string_view k, std::string_view v) {
    std::lock_guard<std::mutex> lock(mu);
    auto [it, inserted] = map.insert_or_assign(std::string(k), std::string(v));
    return inserted;
  }
  std::optional<std::string> get(std::string_view k) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = map.find(std::string(k));
    if (it == map.end()) return std::nullopt;
    return it->second;
  }
  bool erase(std::string_view k) {
    std::lock_guard<std::mutex> lock(mu);
    return map.erase(std::string(k)) == 1;
  }
  size_t size() {
    std::lock_guard<std::mutex> lock(mu);
    return map.size();
  }
  uint64_t capacity() {
    std::lock_guard<std::mutex> lock(mu);
    return map.bucket_count();
  }

  std::mutex mu;
  std::unordered_map<std::string, std::string> map;
};

// The real keyspace of a one-database store. Every operation pins the worker's participant, as a
// worker does around a batch; reads go through Keyspace::find (lock-free) or, with Locked, through
// lookup_locked under the shard's lock.
template <unsigned ShardBits, bool Locked>
struct KeyspaceTable {
  static constexpr bool kShrinks = true;
  bool put(std::string_view k, std::string_view v) {
    EpochGuard pin(w.ctx.epoch);
    return testing::put(ks(), w.ctx, k, v);
  }
  std::optional<std::string> get(std::string_view k) {
    EpochGuard pin(w.ctx.epoch);
    if (!Locked) return testing::get(ks(), k);
    uint64_t h = hash_key(k);
    Shard& s = ks().shard_for(h);
    std::lock_guard<Shard> lock(s.mutex());
    const Entry* e = ks().lookup_locked(s, k, h, w.ctx);
    if (!e) return std::nullopt;
    return testing::value_of(e);
  }
  bool erase(std::string_view k) {
    EpochGuard pin(w.ctx.epoch);
    return testing::del(ks(), w.ctx, k);
  }
  size_t size() { return ks().size(); }
  uint64_t capacity() { return testing::total_buckets(ks()); }

  Keyspace& ks() { return store.db(0); }
  Store store{1, ShardBits};
  Worker w{store.epochs()};  // declared after the store: leaves before it is destroyed
};

using OneShard = KeyspaceTable<0, false>;
using OneShardLocked = KeyspaceTable<0, true>;
using EightShards = KeyspaceTable<3, false>;

std::string key_of(int i) {
  return numbered("key:", i);
}
std::string value_of(int i, int version) {
  std::string s = numbered("value:", i);
  s += numbered(":", version);
  return s;
}

// Checks that keys [0, present) have the given version and keys [present, limit) are absent.
template <class T>
void check_contents(T& t, int present, int limit, int version) {
  int wrong = 0;
  for (int i = 0; i < limit; i++) {
    auto v = t.get(key_of(i));
    bool good = i < present ? (v && *v == value_of(i, version)) : !v.has_value();
    if (!good && wrong++ < 5) {
      FAIL_CHECK("key " << i << " present=" << (i < present) << " got "
                        << (v ? *v : std::string("<absent>")));
    }
  }
  CHECK(wrong == 0);
  CHECK(t.size() == size_t(present));
}

}  // namespace

#define TABLES ReferenceTable, OneShard, OneShardLocked, EightShards

TEST_CASE_TEMPLATE("an empty table has nothing", T, TABLES) {
  T t;
  CHECK(t.size() == 0);
  CHECK_FALSE(t.get("missing").has_value());
  CHECK_FALSE(t.get("").has_value());
  CHECK_FALSE(t.erase("missing"));
  CHECK(t.size() == 0);
}

TEST_CASE_TEMPLATE("insert, find, replace, erase", T, TABLES) {
  T t;
  CHECK(t.put("a", "1"));
  CHECK(t.get("a") == "1");
  CHECK(t.size() == 1);
  CHECK_FALSE(t.put("a", "2"));  // replace: not new
  CHECK(t.get("a") == "2");
  CHECK(t.size() == 1);
  CHECK(t.put("b", "3"));
  CHECK(t.size() == 2);
  CHECK(t.erase("a"));
  CHECK_FALSE(t.get("a").has_value());
  CHECK(t.get("b") == "3");
  CHECK_FALSE(t.erase("a"));
  CHECK(t.size() == 1);
  CHECK(t.put("a", "4"));  // re-insert after erase
  CHECK(t.get("a") == "4");
  CHECK(t.size() == 2);
}

TEST_CASE_TEMPLATE("keys are compared byte for byte", T, TABLES) {
  T t;
  const std::string nul1("k\0a", 3), nul2("k\0b", 3);
  CHECK(t.put("", "empty key"));
  CHECK(t.put("k", ""));
  CHECK(t.put(nul1, "one"));
  CHECK(t.put(nul2, "two"));
  CHECK(t.put("K", "upper"));
  CHECK(t.put("k ", "space"));
  CHECK(t.get("") == "empty key");
  CHECK(t.get("k") == "");
  CHECK(t.get(nul1) == "one");
  CHECK(t.get(nul2) == "two");
  CHECK(t.get("K") == "upper");
  CHECK(t.get("k ") == "space");
  CHECK_FALSE(t.get(std::string("k\0", 2)).has_value());
  CHECK(t.size() == 6);
  CHECK(t.erase(""));
  CHECK(t.erase(nul1));
  CHECK(t.get(nul2) == "two");
  CHECK(t.size() == 4);
}

TEST_CASE_TEMPLATE("growth through several resizes and shrinking back", T, TABLES) {
  T t;
  constexpr int kKeys = 8000, kPhase = 1000;
  const uint64_t initial = t.capacity();
  std::set<uint64_t> capacities{initial};

  // Grow in phases; after each one every key inserted so far is found and no other is.
  for (int n = 0; n < kKeys; n += kPhase) {
    int fresh = 0;
    for (int i = n; i < n + kPhase; i++) fresh += t.put(key_of(i), value_of(i, 0));
    CHECK(fresh == kPhase);
    check_contents(t, n + kPhase, kKeys, 0);
    capacities.insert(t.capacity());
  }
  const uint64_t peak = t.capacity();
  CHECK(peak > initial);
  CHECK(capacities.size() >= 4);  // several resizes happened, each one checked afterwards

  // Replacing every value changes nothing about the set of keys.
  int fresh = 0;
  for (int i = 0; i < kKeys; i++) fresh += t.put(key_of(i), value_of(i, 1));
  CHECK(fresh == 0);
  check_contents(t, kKeys, kKeys, 1);
  CHECK(t.capacity() == peak);

  // Shrink in phases, erasing from the top; the rest stays intact.
  for (int n = kKeys; n > 0; n -= kPhase) {
    int erased = 0;
    for (int i = n - kPhase; i < n; i++) erased += t.erase(key_of(i));
    CHECK(erased == kPhase);
    check_contents(t, n - kPhase, kKeys, 1);
  }
  CHECK(t.size() == 0);
  if (T::kShrinks) CHECK(t.capacity() * 64 <= peak);

  // And the table works as new afterwards.
  for (int i = 0; i < 100; i++) CHECK(t.put(key_of(i), value_of(i, 2)));
  check_contents(t, 100, 200, 2);
}

TEST_CASE_TEMPLATE("a random mix of operations matches a model", T, TABLES) {
  T t;
  std::unordered_map<std::string, std::string> model;
  Rng rng(12345);
  // A small key space so that the table keeps growing and shrinking around its thresholds.
  for (int op = 0; op < 30000; op++) {
    int phase = op / 5000;  // alternate insert-heavy and erase-heavy phases
    std::string k = key_of(int(rng.below(phase % 2 ? 800 : 3000)));
    uint64_t dice = rng.below(10);
    if (dice < (phase % 2 ? 3u : 6u)) {
      std::string v = std::to_string(op);
      bool fresh = model.insert_or_assign(k, v).second;
      REQUIRE(t.put(k, v) == fresh);
    } else if (dice < 9) {
      bool existed = model.erase(k) == 1;
      REQUIRE(t.erase(k) == existed);
    } else {
      auto it = model.find(k);
      auto v = t.get(k);
      REQUIRE(v.has_value() == (it != model.end()));
      if (v) REQUIRE(*v == it->second);
    }
    if (op % 5000 == 4999) {
      REQUIRE(t.size() == model.size());
      for (auto& [mk, mv] : model) REQUIRE(t.get(mk) == mv);
    }
  }
}
