// Reading latency histograms: percentiles for INFO latencystats, the cumulative distribution for
// LATENCY HISTOGRAM. See latency_histogram.h.
#include "server/latency_histogram.h"

namespace respite::server {

uint64_t LatencyCounts::percentile(double p) const {
  if (total == 0) return 0;
  if (p > 100.0) p = 100.0;
  if (p < 0.0) p = 0.0;
  // Redis rounds the rank to nearest (hdr_value_at_percentile): p50 of 3 records is the 2nd.
  uint64_t rank = static_cast<uint64_t>(p / 100.0 * static_cast<double>(total) + 0.5);
  if (rank < 1) rank = 1;
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; i++) {
    seen += counts[i];
    if (seen >= rank) return highest(i);
  }
  return highest(kBuckets - 1);
}

std::vector<std::pair<int64_t, uint64_t>> LatencyCounts::cdf() const {
  std::vector<std::pair<int64_t, uint64_t>> out;
  if (total == 0) return out;
  // Redis iterates its HDR histogram in steps doubling from 1024 ns and labels each step with
  // the highest value HDR's two significant digits make equivalent to 2^n, in us: 1, 2, 4, 8, 16,
  // 33, 66, 132, ... Our buckets end exactly at 2^n, so a step counts the records below 2^n and is
  // labelled as Redis labels it; the two disagree only about the 1% just above each 2^n.
  uint64_t seen = 0, shown = 0;
  size_t i = 0;
  for (int n = 10; seen < total; n++) {
    const uint64_t bound = uint64_t{1} << n;
    while (i < kBuckets && (n >= kMaxBits || highest(i) < bound)) seen += counts[i++];
    if (seen > shown) {
      const uint64_t label_ns = bound + (bound >> 7) - 1;
      out.emplace_back(static_cast<int64_t>(label_ns / 1000), seen);
      shown = seen;
    }
  }
  return out;
}

}  // namespace respite::server
