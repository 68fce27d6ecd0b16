// The one hash function of the keyspace: XXH3-64. Its high bits pick the shard and its low bits the
// bucket inside the shard, so the two choices are independent.
#pragma once

#include <xxhash.h>

#include <cstdint>
#include <string_view>

namespace respite::storage {

inline uint64_t hash_key(std::string_view key) {
  return XXH3_64bits(key.data(), key.size());
}

}  // namespace respite::storage
