// Seeding and the zipf sampler. The sampler draws a point under the continuous envelope x^-s by
// inverting its integral, rounds it to the nearest integer k, and accepts k when the point lies
// under the step of height k^-s; the envelope hugs the steps so tightly that almost every draw is
// accepted. H and its inverse are written with log1p/expm1 helpers so that they stay accurate at
// and near s = 1, where the closed forms (x^(1-s) - 1)/(1-s) divide by zero.
#include "bench/loadgen/keys.h"

#include <algorithm>
#include <cmath>

namespace respite::bench {
namespace {

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// log1p(x)/x, continuous at 0.
double log1p_over_x(double x) {
  return std::abs(x) > 1e-8 ? std::log1p(x) / x : 1 - x / 2;
}
// expm1(x)/x, continuous at 0.
double expm1_over_x(double x) {
  return std::abs(x) > 1e-8 ? std::expm1(x) / x : 1 + x / 2;
}

}  // namespace

Rng::Rng(uint64_t seed) {
  for (auto& word : s_) word = splitmix64(seed);
}

ZipfSampler::ZipfSampler(uint64_t n, double exponent) : n_(n ? n : 1), s_(exponent) {
  h_x1_ = h(1.5) - 1.0;
  h_n_ = h(static_cast<double>(n_) + 0.5);
  accept_span_ = 2.0 - h_inverse(h(2.5) - pow_neg(2.0));
}

double ZipfSampler::pow_neg(double x) const {
  return std::exp(-s_ * std::log(x));
}

double ZipfSampler::h(double x) const {
  const double log_x = std::log(x);
  return expm1_over_x((1.0 - s_) * log_x) * log_x;
}

double ZipfSampler::h_inverse(double x) const {
  double t = x * (1.0 - s_);
  if (t < -1.0) t = -1.0;  // rounding can push it past the domain's edge
  return std::exp(log1p_over_x(t) * x);
}

uint64_t ZipfSampler::sample(Rng& rng) const {
  for (;;) {
    const double u = h_n_ + rng.unit() * (h_x1_ - h_n_);
    const double x = h_inverse(u);
    double k = std::floor(x + 0.5);
    k = std::clamp(k, 1.0, static_cast<double>(n_));
    if (k - x <= accept_span_ || u >= h(k + 0.5) - pow_neg(k)) {
      return static_cast<uint64_t>(k) - 1;
    }
  }
}

KeyGenerator::KeyGenerator(const Options& opt, uint64_t seed, uint64_t lane, uint64_t lanes)
    : pattern_(opt.key_pattern),
      keyspace_(opt.keyspace ? opt.keyspace : 1),
      lanes_(lanes ? lanes : 1),
      seq_(lane % (opt.keyspace ? opt.keyspace : 1)),
      rng_(seed),
      zipf_(opt.keyspace ? opt.keyspace : 1, opt.zipf_exponent) {}

}  // namespace respite::bench
