// Tests of the key hash's per-process seed (storage/hash.h): seed 0 is plain XXH3-64, different
// seeds hash the same key differently (so colliding keys cannot be computed offline), the random
// seed varies, and a keyspace built under a non-zero seed stores, finds and erases keys as usual.
// Each test case that sets the seed puts it back to 0, so the order of the cases does not matter.
#include <doctest.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "tests/unit/storage/storage_test_util.h"

using namespace respite::storage;
using respite::storage::testing::del;
using respite::storage::testing::get;
using respite::storage::testing::numbered;
using respite::storage::testing::put;
using respite::storage::testing::Worker;

namespace {

// Sets the seed for a scope and restores the previous one.
struct SeedScope {
  uint64_t saved = hash_seed();
  explicit SeedScope(uint64_t seed) { set_hash_seed(seed); }
  ~SeedScope() { set_hash_seed(saved); }
};

}  // namespace

TEST_CASE("seed 0 is unseeded XXH3-64") {
  SeedScope s(0);
  for (const std::string& key :
       {std::string(), std::string("k"), std::string("key:1"), std::string(300, 'x')}) {
    CHECK(hash_key(key) == XXH3_64bits(key.data(), key.size()));
  }
}

TEST_CASE("different seeds hash the same key differently") {
  const std::string keys[] = {"", "k", "key:000000000001", std::string(100, 'a'),
                              std::string(1000, 'b')};  // short, mid-size and long inputs
  for (const std::string& key : keys) {
    std::set<uint64_t> hashes;
    for (uint64_t seed : {uint64_t{0}, uint64_t{1}, uint64_t{2}, uint64_t{0x9E3779B97F4A7C15ull}}) {
      SeedScope s(seed);
      CHECK(hash_seed() == seed);
      hashes.insert(hash_key(key));
      CHECK(hash_key(key) == XXH3_64bits_withSeed(key.data(), key.size(), seed));
    }
    CHECK(hashes.size() == 4);
  }
}

TEST_CASE("keys that share a bucket under one seed are spread under another") {
  // What flooding relies on: a set of keys found offline to collide in the low bits. Under a
  // different seed they spread like any other keys.
  constexpr uint64_t kMask = 1023;
  std::vector<std::string> colliding;
  {
    SeedScope s(0);
    for (uint64_t i = 0; colliding.size() < 32; i++) {
      std::string k = numbered("flood", i);
      if ((hash_key(k) & kMask) == 0) colliding.push_back(k);
    }
  }
  SeedScope s(0x5EED5EED5EED5EEDull);
  std::set<uint64_t> buckets;
  for (const std::string& k : colliding) buckets.insert(hash_key(k) & kMask);
  CHECK(buckets.size() > 16);  // 32 keys over 1024 buckets: almost surely 31 or 32 distinct
}

TEST_CASE("random_hash_seed draws fresh bits") {
  std::set<uint64_t> seeds;
  for (int i = 0; i < 8; i++) seeds.insert(random_hash_seed());
  CHECK(seeds.size() == 8);
}

TEST_CASE("a keyspace works under a non-zero seed") {
  SeedScope s(random_hash_seed() | 1);  // never 0
  Store store(1, 3);
  Keyspace& ks = store.db(0);
  Worker w(store.epochs());
  EpochGuard pin(w.ctx.epoch);
  constexpr int kKeys = 20000;  // enough to grow every shard's table several times
  int added = 0;
  for (int i = 0; i < kKeys; i++) added += put(ks, w.ctx, numbered("k", i), numbered("v", i));
  CHECK(added == kKeys);
  CHECK(ks.size() == kKeys);
  int found = 0;
  for (int i = 0; i < kKeys; i++) found += get(ks, numbered("k", i)) == numbered("v", i);
  CHECK(found == kKeys);
  // Every shard gets a share: the high bits still pick the shard.
  for (size_t i = 0; i < ks.shard_count(); i++) CHECK(ks.shard(i).size() > 0);
  int erased = 0;
  for (int i = 0; i < kKeys; i += 2) erased += del(ks, w.ctx, numbered("k", i));
  CHECK(erased == kKeys / 2);
  CHECK(ks.size() == kKeys / 2);
  int left = 0;
  for (int i = 0; i < kKeys; i++) left += get(ks, numbered("k", i)).has_value();
  CHECK(left == kKeys / 2);
  CHECK_FALSE(get(ks, "k0").has_value());
  CHECK(get(ks, "k1") == "v1");
}
