// The latency monitor behind LATENCY LATEST / HISTORY / RESET / GRAPH / DOCTOR: for each event
// (Redis's names: "command", "fast-command", "expire-cycle", "eviction-cycle") a ring of the last
// 160 samples, one per second holding that second's worst latency in ms, and the all-time worst,
// as Redis 7.0's latency.c keeps them. An event is only ever sampled once it took at least
// latency-monitor-threshold ms (the caller compares; 0 turns the monitor off), so adding is rare
// and one mutex shared by every worker costs the hot path nothing.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace respite::server {

struct LatencySample {
  int64_t time = 0;  // unix seconds; 0 for a slot never filled
  int64_t ms = 0;
};

struct LatencySeries {
  static constexpr size_t kLen = 160;  // Redis's LATENCY_TS_LEN
  std::array<LatencySample, kLen> ring{};
  size_t next = 0;  // the slot the next second's sample goes to
  int64_t max_ms = 0;

  const LatencySample& last() const { return ring[(next + kLen - 1) % kLen]; }
  std::vector<LatencySample> oldest_first() const;
};

class LatencyMonitor {
 public:
  // Records that event took ms at unix second now: a new sample, or a worse value for this
  // second's.
  void add(std::string_view event, int64_t ms, int64_t now);
  // Every event with its series, copied out under the lock, in name order.
  std::map<std::string, LatencySeries, std::less<>> snapshot() const;
  // One event's series; false if it has none.
  bool series(std::string_view event, LatencySeries* out) const;
  // Forgets the named events (all when names is empty); returns how many there were.
  size_t reset(const std::vector<std::string_view>& names);

 private:
  mutable std::mutex mu_;
  std::map<std::string, LatencySeries, std::less<>> events_;
};

// LATENCY GRAPH's text: a header with the series' high, low and all-time high, then one column per
// sample, scaled between low and high, labelled below with its age (s, m, h, d).
std::string latency_graph(std::string_view event, const LatencySeries& s, int64_t now);
// LATENCY DOCTOR's text: what was recorded per event and what usually causes it; threshold_ms
// says whether the monitor is on at all.
std::string latency_doctor(const std::map<std::string, LatencySeries, std::less<>>& events,
                           int64_t threshold_ms);

}  // namespace respite::server
