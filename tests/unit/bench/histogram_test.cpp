// The latency histogram: bucket geometry, exactness of min/max/avg, and percentiles against
// distributions whose true percentiles are known (uniform, exponential, bimodal), within the 1/128
// relative error the bucket layout promises.
#include <doctest.h>

#include <cmath>
#include <cstdint>

#include "bench/loadgen/histogram.h"

using namespace respite::bench;

namespace {

// |got - want| within one bucket width (1/128 of the value), plus 1 ns for integer rounding.
bool near(uint64_t got, double want) {
  return std::abs(static_cast<double>(got) - want) <= want / 128.0 + 1.0;
}

}  // namespace

TEST_CASE("buckets tile the value range without gaps or overlaps") {
  for (size_t i = 0; i + 1 < Histogram::kBuckets; i++) {
    REQUIRE(Histogram::lowest_of(i) <= Histogram::highest_of(i));
    REQUIRE(Histogram::highest_of(i) + 1 == Histogram::lowest_of(i + 1));
    REQUIRE(Histogram::index_of(Histogram::lowest_of(i)) == i);
    REQUIRE(Histogram::index_of(Histogram::highest_of(i)) == i);
  }
  CHECK(Histogram::index_of(Histogram::kMaxValue) == Histogram::kBuckets - 1);
  CHECK(Histogram::highest_of(Histogram::kBuckets - 1) == Histogram::kMaxValue);
  // Width never exceeds 1/128 of the lower bound.
  for (size_t i = Histogram::kSub; i < Histogram::kBuckets; i++) {
    const uint64_t lo = Histogram::lowest_of(i);
    REQUIRE((Histogram::highest_of(i) - lo + 1) * 128 <= lo);
  }
}

TEST_CASE("small values are exact") {
  Histogram h;
  for (uint64_t v = 1; v <= 200; v++) h.record(v);
  CHECK(h.count() == 200);
  CHECK(h.min() == 1);
  CHECK(h.max() == 200);
  CHECK(h.percentile(50) == 100);
  CHECK(h.percentile(25) == 50);
  CHECK(h.percentile(100) == 200);
  CHECK(h.percentile(0) == 1);
}

TEST_CASE("empty histogram reports zeros") {
  Histogram h;
  CHECK(h.count() == 0);
  CHECK(h.min() == 0);
  CHECK(h.max() == 0);
  CHECK(h.mean() == 0);
  CHECK(h.percentile(50) == 0);
}

TEST_CASE("one repeated value: every percentile is that value") {
  Histogram h;
  for (int i = 0; i < 1000; i++) h.record(123'456);
  for (double p : {0.0, 1.0, 50.0, 99.0, 99.99, 100.0}) CHECK(h.percentile(p) == 123'456);
  CHECK(h.mean() == doctest::Approx(123'456));
}

TEST_CASE("uniform latencies from 1 us to 10 ms") {
  Histogram h;
  const uint64_t n = 100'000;
  for (uint64_t i = 1; i <= n; i++) h.record(i * 100);  // 100 ns steps up to 10 ms
  CHECK(h.min() == 100);
  CHECK(h.max() == n * 100);
  CHECK(h.mean() == doctest::Approx((n + 1) * 50.0));
  for (double p : {1.0, 10.0, 50.0, 90.0, 95.0, 99.0, 99.9}) {
    const double want = p / 100.0 * n * 100;
    CHECK_MESSAGE(near(h.percentile(p), want), "p" << p << " got " << h.percentile(p));
    CHECK(h.percentile(p) >= want);  // never under-reports: the bucket's upper bound
  }
}

TEST_CASE("exponential latencies (mean 1 ms): p50 = ln 2 ms, p99 = ln 100 ms") {
  Histogram h;
  const int n = 200'000;
  // Deterministic quantiles of the distribution instead of random draws: no sampling noise.
  for (int i = 0; i < n; i++) {
    const double q = (i + 0.5) / n;
    h.record(static_cast<uint64_t>(-std::log(1.0 - q) * 1e6));
  }
  CHECK(near(h.percentile(50), std::log(2.0) * 1e6));
  CHECK(near(h.percentile(90), std::log(10.0) * 1e6));
  CHECK(near(h.percentile(99), std::log(100.0) * 1e6));
  CHECK(near(h.percentile(99.9), std::log(1000.0) * 1e6));
  CHECK(h.mean() == doctest::Approx(1e6).epsilon(0.01));
}

TEST_CASE("bimodal: 90% fast, 10% slow") {
  Histogram h;
  for (int i = 0; i < 9000; i++) h.record(100'000);     // 0.1 ms
  for (int i = 0; i < 1000; i++) h.record(10'000'000);  // 10 ms
  // Reported as the upper bound of 0.1 ms's bucket: within 1/128 above it.
  CHECK(near(h.percentile(50), 100'000));
  CHECK(near(h.percentile(90), 100'000));  // exactly 90% are <= 0.1 ms
  CHECK(h.percentile(90) >= 100'000);
  CHECK(h.percentile(90.01) == 10'000'000);
  CHECK(h.percentile(99) == 10'000'000);
  CHECK(h.mean() == doctest::Approx(0.9 * 100'000 + 0.1 * 10'000'000));
}

TEST_CASE("merge adds counts and keeps extremes") {
  Histogram a, b;
  for (uint64_t v = 1000; v < 2000; v++) a.record(v);
  for (uint64_t v = 5000; v < 6000; v++) b.record(v);
  a.merge(b);
  CHECK(a.count() == 2000);
  CHECK(a.min() == 1000);
  CHECK(a.max() == 5999);
  CHECK(near(a.percentile(50), 1999));
  CHECK(a.percentile(75) >= 5499);
  a.reset();
  CHECK(a.count() == 0);
  CHECK(a.max() == 0);
}

TEST_CASE("values past the top are clamped, not lost") {
  Histogram h;
  h.record(UINT64_MAX);
  CHECK(h.count() == 1);
  CHECK(h.max() == Histogram::kMaxValue);
}
