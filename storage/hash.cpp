// The key hash's per-process seed: see hash.h.
#include "storage/hash.h"

#include <sys/random.h>

#include <random>

namespace respite::storage {

namespace detail {
uint64_t hash_seed = 0;
}  // namespace detail

void set_hash_seed(uint64_t seed) {
  detail::hash_seed = seed;
}

uint64_t random_hash_seed() {
  uint64_t seed = 0;
  if (getrandom(&seed, sizeof seed, 0) == static_cast<ssize_t>(sizeof seed)) return seed;
  std::random_device rd;  // getrandom can only fail on very old kernels or when interrupted
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

}  // namespace respite::storage
