// The one hash function of the keyspace: XXH3-64. Its high bits pick the shard and its low bits the
// bucket inside the shard, so the two choices are independent.
//
// Seeded per process, as Redis seeds its dict hash: with a fixed function, keys that all land in
// one bucket can be computed offline and sent to flood it. respite-server draws a random seed at
// start (random_hash_seed()) and sets it with set_hash_seed() before the store exists and before
// any worker starts; from then on the seed is only read. That is why it is a plain global, not an
// atomic: it is written once, before the threads that read it are created (thread creation orders
// the write before their reads), and hash_key() stays one load plus the hash. Changing it while a
// keyspace holds keys would lose them. Tests that never set it hash with seed 0, which is exactly
// the unseeded XXH3_64bits.
#pragma once

#include <xxhash.h>

#include <cstdint>
#include <string_view>

namespace respite::storage {

namespace detail {
extern uint64_t hash_seed;  // see the note above: written once, before any reader thread exists
}  // namespace detail

// Sets the seed of hash_key(). Call before creating any keyspace and before starting any thread
// that hashes keys.
void set_hash_seed(uint64_t seed);
inline uint64_t hash_seed() {
  return detail::hash_seed;
}
// 64 random bits from the kernel (getrandom(2)), or std::random_device where that fails.
uint64_t random_hash_seed();

inline uint64_t hash_key(std::string_view key) {
  // For keys up to 240 bytes the seed costs nothing; longer ones derive the seeded secret per call.
  return XXH3_64bits_withSeed(key.data(), key.size(), detail::hash_seed);
}

}  // namespace respite::storage
