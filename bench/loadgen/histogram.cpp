// Histogram operations off the hot path: merging the per-loop histograms and reading percentiles.
// Reading walks the 4352 counters once per percentile, which costs microseconds and happens a few
// times per test, so there is no cumulative index to maintain while recording.
#include "bench/loadgen/histogram.h"

#include <algorithm>
#include <cmath>

namespace respite::bench {

void Histogram::merge(const Histogram& other) {
  for (size_t i = 0; i < kBuckets; i++) counts_[i] += other.counts_[i];
  total_ += other.total_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void Histogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_ = sum_ = max_ = 0;
  min_ = UINT64_MAX;
}

uint64_t Histogram::reported_value(size_t index) const {
  return std::clamp(highest_of(index), min(), max_);
}

uint64_t Histogram::percentile(double p) const {
  if (total_ == 0) return 0;
  if (p <= 0) return min();
  if (p >= 100) return max_;
  // The rank of the sample we want, 1-based: at least p% of the samples are at or below it.
  auto rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(total_)));
  rank = std::clamp<uint64_t>(rank, 1, total_);
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; i++) {
    seen += counts_[i];
    if (seen >= rank) return reported_value(i);
  }
  return max_;
}

}  // namespace respite::bench
