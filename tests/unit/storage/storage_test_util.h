// Helpers shared by the storage unit tests: a per-thread worker context (a Participant of the
// store's epoch manager plus the OpCtx that commands would carry) and the few single-key operations
// that the server's commands build from the storage primitives (locked upsert, locked erase,
// lock-free get). Keeping them here means every test exercises the primitives the same way.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "storage/entry.h"
#include "storage/epoch.h"
#include "storage/hash.h"
#include "storage/keyspace.h"
#include "storage/shard.h"
#include "storage/store.h"

namespace respite::storage::testing {

// One thread's view of the store: joins the epoch manager on construction, leaves on destruction.
struct Worker {
  explicit Worker(EpochManager& m, int64_t now = 0) : mgr(m) {
    ctx.epoch = mgr.join();
    ctx.now_ms = now;
  }
  ~Worker() { mgr.leave(ctx.epoch); }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  EpochManager& mgr;
  OpCtx ctx;
};

// The string form of a string entry's value, whatever its encoding.
inline std::string value_of(const Entry* e) {
  switch (e->enc()) {
    case Encoding::kRaw:
      return std::string(e->raw_value());
    case Encoding::kInt:
      return std::to_string(e->int_value());
    case Encoding::kBlob:
      return std::string(e->blob()->data(), e->blob()->len);
    default:
      return "<not a plain string>";
  }
}

// SET key value [PXAT expire]: returns true when the key was new. The caller is pinned.
inline bool put(Keyspace& ks, OpCtx& ctx, std::string_view key, std::string_view value,
                int64_t expire_ms = Entry::kNoExpire) {
  uint64_t h = hash_key(key);
  Shard& s = ks.shard_for(h);
  std::lock_guard<Shard> lock(s.mutex());
  return s.upsert_locked(Entry::make_string(key, value, expire_ms), h, ctx.epoch) == nullptr;
}

// DEL key: true when it existed. The caller is pinned.
inline bool del(Keyspace& ks, OpCtx& ctx, std::string_view key) {
  uint64_t h = hash_key(key);
  Shard& s = ks.shard_for(h);
  std::lock_guard<Shard> lock(s.mutex());
  return s.erase_locked(key, h, ctx.epoch);
}

// GET key through the lock-free path. The caller is pinned.
inline std::optional<std::string> get(Keyspace& ks, std::string_view key, int64_t now_ms = 0) {
  const Entry* e = ks.find(key, now_ms);
  if (!e) return std::nullopt;
  return value_of(e);
}

// prefix followed by the decimal number: the test keys "k0", "k1", ... (built by appending, which
// also sidesteps GCC 12's false -Wrestrict warning on `"literal" + std::to_string(n)`).
inline std::string numbered(std::string_view prefix, uint64_t i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}

// Total bucket count over every shard of a keyspace.
inline uint64_t total_buckets(Keyspace& ks) {
  uint64_t n = 0;
  for (size_t i = 0; i < ks.shard_count(); i++) n += ks.shard(i).buckets();
  return n;
}

// splitmix64: a deterministic pseudo-random stream for tests (no global state).
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed) {}
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return next() % n; }
};

// JSON-like text: repetitive field names, varying values; compresses several times over
// (compress_test, compressor_test).
inline std::string json_text(size_t n, uint32_t seed = 1) {
  std::mt19937 rng(seed);
  std::string s = "[";
  for (int i = 0; s.size() < n; i++) {
    s += R"({"id":)" + std::to_string(i) + R"(,"name":"user)" + std::to_string(rng() % 100000) +
         R"(","email":"user)" + std::to_string(i) + R"(@example.com","active":)" +
         (rng() % 2 ? "true" : "false") + R"(,"score":)" + std::to_string(rng() % 1000) + "},";
  }
  s.resize(n);
  return s;
}

// n seeded pseudo-random bytes: incompressible.
inline std::string random_bytes(size_t n, uint32_t seed = 7) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

}  // namespace respite::storage::testing
