// Latency histogram with log-linear buckets, in nanoseconds.
//
// Values below 2^kSubBits get one bucket each; above, every power of two [2^m, 2^(m+1)) is split
// into 2^kSubBits equal buckets (HdrHistogram's idea, our code). A bucket's width is therefore at
// most 1/128 of its lower bound: a percentile is reported within 0.8% of the true value, while
// recording is a count-leading-zeros, a shift and an increment (no search, no allocation, no
// floating point). min, max and the sum are kept exactly beside the buckets, so avg, min and max
// carry no bucket error. Each event loop owns one histogram (no atomics); the runner merges them at
// the end.
//
// Percentile p is the smallest recorded value v such that at least p% of the samples are <= v; the
// histogram returns the upper bound of the bucket holding it, clamped to [min, max].
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace respite::bench {

class Histogram {
 public:
  static constexpr int kSubBits = 7;
  static constexpr uint64_t kSub = uint64_t{1} << kSubBits;
  // 2^40 ns is 18 minutes: longer latencies are clamped (a load test never waits that long).
  static constexpr int kMaxBits = 40;
  static constexpr uint64_t kMaxValue = (uint64_t{1} << kMaxBits) - 1;
  static constexpr size_t kBuckets = (kMaxBits - kSubBits + 1) * kSub;
  static_assert(kBuckets == 4352, "34 powers of two of 128 buckets: 34 KiB of counters");

  Histogram() : counts_(kBuckets, 0) {}

  void record(uint64_t ns) {
    if (ns > kMaxValue) ns = kMaxValue;
    counts_[index_of(ns)]++;
    total_++;
    sum_ += ns;
    if (ns < min_) min_ = ns;
    if (ns > max_) max_ = ns;
  }

  void merge(const Histogram& other);
  void reset();

  uint64_t count() const { return total_; }
  uint64_t min() const { return total_ ? min_ : 0; }
  uint64_t max() const { return max_; }
  double mean() const {
    return total_ ? static_cast<double>(sum_) / static_cast<double>(total_) : 0;
  }
  uint64_t percentile(double p) const;

  // Bucket geometry, for reports that walk the distribution.
  static size_t index_of(uint64_t v) {
    if (v < kSub) return static_cast<size_t>(v);
    const int m = 63 - std::countl_zero(v);  // v in [2^m, 2^(m+1)), m >= kSubBits
    const int shift = m - kSubBits;
    return static_cast<size_t>((static_cast<uint64_t>(shift + 1) << kSubBits) + (v >> shift) -
                               kSub);
  }
  static uint64_t lowest_of(size_t index) {
    if (index < kSub) return index;
    const uint64_t shift = index / kSub - 1;
    return (kSub + index % kSub) << shift;
  }
  static uint64_t highest_of(size_t index) {
    if (index < kSub) return index;
    const uint64_t shift = index / kSub - 1;
    return ((kSub + index % kSub + 1) << shift) - 1;
  }
  uint64_t count_at(size_t index) const { return counts_[index]; }

  // A bucket's upper bound clamped to the exact extremes: what a report prints for "<= value".
  uint64_t reported_value(size_t index) const;

 private:
  std::vector<uint64_t> counts_;
  uint64_t total_ = 0;
  uint64_t sum_ = 0;  // 2^64 ns is 584 years of summed latency: no overflow in practice
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
};

}  // namespace respite::bench
