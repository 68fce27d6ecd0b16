// Where the numbers that replace __rand_int__ come from: a small fast PRNG and three key patterns.
//
// uniform: every number in [0, keyspace) equally likely (redis-benchmark's -r behaviour).
// zipf:    number k (0-based) drawn with probability proportional to 1/(k+1)^s: a few hot keys and
// a
//          long tail, the shape of real cache traffic (YCSB uses s = 0.99). Sampled in O(1) time
//          and memory by rejection-inversion (W. Hörmann and G. Derflinger, "Rejection-inversion to
//          generate variates from monotone discrete distributions", 1996), so a keyspace of 10^9
//          costs no table and no setup.
// sequential: 0, 1, 2, ... wrapping at keyspace, so that -n = -r fills a keyspace exactly once (the
//          harness uses it to preload keys before measuring GET).
// Each event loop owns its generator: no sharing, no atomics.
#pragma once

#include <cstdint>

#include "bench/loadgen/args.h"

namespace respite::bench {

// splitmix64 to seed, xoshiro256** to draw: 4 words of state, a few cycles per number.
class Rng {
 public:
  explicit Rng(uint64_t seed);
  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, n) by multiply-and-shift (Lemire): no division, bias below 2^-64 * n.
  uint64_t below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }
  // Uniform in [0, 1) with 53 random bits.
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

class ZipfSampler {
 public:
  ZipfSampler(uint64_t n, double exponent);
  uint64_t sample(Rng& rng) const;  // in [0, n), 0 the most likely

 private:
  double h(double x) const;          // the density's integral H(x)
  double h_inverse(double x) const;  // its inverse
  double pow_neg(double x) const;    // x^-s

  uint64_t n_;
  double s_;
  double h_x1_;         // H(1.5) - 1: the top of the sampling interval
  double h_n_;          // H(n + 0.5): the bottom
  double accept_span_;  // below this distance from x, k is accepted without the second test
};

class KeyGenerator {
 public:
  // `lane` and `lanes` interleave the sequential pattern between event loops.
  KeyGenerator(const Options& opt, uint64_t seed, uint64_t lane, uint64_t lanes);
  uint64_t next() {
    switch (pattern_) {
      case KeyPattern::kUniform:
        return rng_.below(keyspace_);
      case KeyPattern::kZipf:
        return zipf_.sample(rng_);
      case KeyPattern::kSequential: {
        const uint64_t v = seq_;
        seq_ += lanes_;
        if (seq_ >= keyspace_) seq_ %= keyspace_;
        return v;
      }
    }
    return 0;
  }
  Rng& rng() { return rng_; }

 private:
  KeyPattern pattern_;
  uint64_t keyspace_;
  uint64_t lanes_;
  uint64_t seq_;
  Rng rng_;
  ZipfSampler zipf_;
};

}  // namespace respite::bench
