// storage::Rng: the random source of every random pick (RANDOMKEY, SPOP, SRANDMEMBER, HRANDFIELD,
// ZRANDMEMBER). SplitMix64: one 64-bit add and three multiply-xorshift steps per draw, a full
// period of 2^64 and output that passes BigCrush; plenty for choosing elements, and far cheaper
// than <random>'s engines. No global state: each worker owns one (seeded at start-up) and hands it
// to storage, so two workers never share a cache line for it and no draw needs an atomic.
#pragma once

#include <cstddef>
#include <cstdint>

namespace respite::storage {

struct Rng {
  uint64_t state;

  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n), n > 0. Multiply-shift instead of a modulo: no division, and the bias is
  // below n / 2^64.
  size_t below(size_t n) {
    return static_cast<size_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }
};

}  // namespace respite::storage
