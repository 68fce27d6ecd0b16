// Per-command latency histograms for INFO latencystats and LATENCY HISTOGRAM. Redis keeps an HDR
// histogram per command; respite keeps a compact log-linear one per command per worker, so that
// recording a command's duration writes only the worker's own memory (no shared cache line), and
// INFO or LATENCY HISTOGRAM merge the workers' copies when they read them.
//
// Layout: durations in nanoseconds. Values below 16 have a bucket each; above, every power of two
// is split into 16 equal sub-buckets, so a bucket is at most 1/16 (6.25%) of its lower bound wide
// and a percentile read back as its bucket's highest value is at most that much above the truth.
// Durations of 2^37 ns (about 137 s) and more share the last bucket. 544 buckets of 8 bytes: 4 KiB
// per command a worker has run, allocated the first time it runs it (CommandStats::latency).
//
// Concurrency: one writer (the owning worker) with a relaxed load and store per record, like
// Counter (worker.h); readers on other workers load relaxed and may see a record or two in
// flight, which a statistic can afford. CONFIG RESETSTAT zeroes the buckets from whichever worker
// runs it, racing with the owner exactly as Counter::reset does.
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace respite::server {

// A histogram's counts, copied out and summed over workers: what percentiles are read from.
struct LatencyCounts {
  static constexpr int kSubBits = 4;
  static constexpr uint64_t kSub = uint64_t{1} << kSubBits;
  static constexpr int kMaxBits = 37;
  static constexpr size_t kBuckets = (kMaxBits - kSubBits + 1) * kSub;
  static_assert(kBuckets == 544, "16 exact buckets, then 16 per power of two from 2^4 to 2^36");

  // The bucket of a duration in ns. Below kSub, e is taken as kSubBits, which makes the formula
  // give the value itself: no branch for the exact buckets on the hot path.
  static size_t index(uint64_t ns) {
    if (ns >= (uint64_t{1} << kMaxBits)) ns = (uint64_t{1} << kMaxBits) - 1;
    const int e = 63 - std::countl_zero(ns | kSub);  // kSubBits .. kMaxBits-1
    return static_cast<size_t>(e - kSubBits + 1) * kSub + ((ns >> (e - kSubBits)) - kSub);
  }
  // The lowest and highest duration a bucket holds.
  static uint64_t lowest(size_t i) {
    if (i < kSub) return i;
    const size_t group = i / kSub;
    return (kSub + i % kSub) << (group - 1);
  }
  static uint64_t highest(size_t i) {
    return i < kSub ? i : lowest(i) + (uint64_t{1} << (i / kSub - 1)) - 1;
  }

  std::array<uint64_t, kBuckets> counts{};
  uint64_t total = 0;

  void add(size_t bucket, uint64_t n) {
    counts[bucket] += n;
    total += n;
  }
  // The duration (ns) at or below which p percent of the records lie, as Redis's
  // hdr_value_at_percentile picks it: the record of rank round(p/100 * total) (at least the
  // first), answered as the highest value of its bucket. 0 when there are no records.
  uint64_t percentile(double p) const;
  // LATENCY HISTOGRAM's cumulative distribution: (bound in us, records at or below it) for bounds
  // doubling from 1024 ns, listed only where the count grew, until every record is covered.
  std::vector<std::pair<int64_t, uint64_t>> cdf() const;
};

class LatencyHistogram {
 public:
  void record(uint64_t ns) {
    std::atomic<uint64_t>& b = buckets_[LatencyCounts::index(ns)];
    b.store(b.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  void add_to(LatencyCounts& out) const {
    for (size_t i = 0; i < LatencyCounts::kBuckets; i++) {
      const uint64_t n = buckets_[i].load(std::memory_order_relaxed);
      if (n) out.add(i, n);
    }
  }
  void reset() {
    for (auto& b : buckets_) b.store(0, std::memory_order_relaxed);
  }

 private:
  std::array<std::atomic<uint64_t>, LatencyCounts::kBuckets> buckets_{};
};

}  // namespace respite::server
