// The latency monitor's store and its two texts (GRAPH, DOCTOR); see latency_monitor.h.
#include "server/latency_monitor.h"

#include <algorithm>

namespace respite::server {

std::vector<LatencySample> LatencySeries::oldest_first() const {
  std::vector<LatencySample> out;
  for (size_t j = 0; j < kLen; j++) {
    const LatencySample& s = ring[(next + j) % kLen];
    if (s.time != 0) out.push_back(s);
  }
  return out;
}

void LatencyMonitor::add(std::string_view event, int64_t ms, int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = events_.find(event);
  if (it == events_.end()) it = events_.emplace(std::string(event), LatencySeries{}).first;
  LatencySeries& s = it->second;
  s.max_ms = std::max(s.max_ms, ms);
  LatencySample& prev = s.ring[(s.next + LatencySeries::kLen - 1) % LatencySeries::kLen];
  if (prev.time == now) {  // one sample per second: its worst
    prev.ms = std::max(prev.ms, ms);
    return;
  }
  s.ring[s.next] = {now, ms};
  s.next = (s.next + 1) % LatencySeries::kLen;
}

std::map<std::string, LatencySeries, std::less<>> LatencyMonitor::snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_;
}

bool LatencyMonitor::series(std::string_view event, LatencySeries* out) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = events_.find(event);
  if (it == events_.end()) return false;
  *out = it->second;
  return true;
}

size_t LatencyMonitor::reset(const std::vector<std::string_view>& names) {
  std::lock_guard<std::mutex> lock(mu_);
  if (names.empty()) {
    size_t n = events_.size();
    events_.clear();
    return n;
  }
  size_t n = 0;
  for (std::string_view name : names) {
    auto it = events_.find(name);
    if (it == events_.end()) continue;
    events_.erase(it);
    n++;
  }
  return n;
}

namespace {

std::string age_label(int64_t secs) {
  if (secs < 60) return std::to_string(secs) + "s";
  if (secs < 3600) return std::to_string(secs / 60) + "m";
  if (secs < 86400) return std::to_string(secs / 3600) + "h";
  return std::to_string(secs / 86400) + "d";
}

}  // namespace

std::string latency_graph(std::string_view event, const LatencySeries& s, int64_t now) {
  constexpr size_t kCols = 80;  // wider series wrap, as Redis's 80-column graph does
  constexpr int64_t kRows = 4;
  std::vector<LatencySample> samples = s.oldest_first();
  int64_t low = 0, high = 0;
  for (size_t j = 0; j < samples.size(); j++) {
    low = j == 0 ? samples[j].ms : std::min(low, samples[j].ms);
    high = j == 0 ? samples[j].ms : std::max(high, samples[j].ms);
  }
  std::string out(event);
  out += " - high " + std::to_string(high) + " ms, low " + std::to_string(low) +
         " ms (all time high " + std::to_string(s.max_ms) + " ms)\n";
  out += std::string(kCols, '-') + "\n";
  for (size_t from = 0; from < samples.size(); from += kCols) {
    const size_t to = std::min(samples.size(), from + kCols);
    // Bar heights 1..kRows, the lowest sample one row, the highest all of them.
    std::vector<int64_t> height;
    std::vector<std::string> labels;
    size_t label_rows = 0;
    for (size_t j = from; j < to; j++) {
      height.push_back(high == low ? kRows
                                   : 1 + (samples[j].ms - low) * (kRows - 1) / (high - low));
      labels.push_back(age_label(now - samples[j].time));
      label_rows = std::max(label_rows, labels.back().size());
    }
    for (int64_t row = kRows; row >= 1; row--) {
      std::string line;
      for (int64_t h : height) line += h >= row ? '#' : ' ';
      line.erase(line.find_last_not_of(' ') + 1);
      out += line + "\n";
    }
    // Each column's age, written downwards under it.
    for (size_t r = 0; r < label_rows; r++) {
      std::string line;
      for (const std::string& l : labels) line += r < l.size() ? l[r] : ' ';
      line.erase(line.find_last_not_of(' ') + 1);
      out += line + "\n";
    }
    out += "\n";
  }
  return out;
}

namespace {

// What usually makes each event slow, and what to look at. Only events respite records.
const char* advice(std::string_view event) {
  if (event == "command")
    return "A command took long to run. O(N) commands on big values (KEYS, SORT, SMEMBERS, LRANGE "
           "of a long list, DEL of a big collection) or a long script are the usual cause: SLOWLOG "
           "GET names them, and the SCAN family or UNLINK avoid them.";
  if (event == "fast-command")
    return "A command that should run in constant or logarithmic time took long: the process was "
           "probably kept off the CPU (an overloaded or virtualised host, swapping, transparent "
           "huge pages) rather than slowed by the command itself.";
  if (event == "expire-cycle")
    return "The active expiry sweep took long: many keys expiring at the same moment, or big "
           "collections expiring (freeing them is O(N)). Spread expiry times, or lower hz.";
  if (event == "eviction-cycle")
    return "Evicting keys for maxmemory took long: writes are outrunning memory, or big keys are "
           "being evicted. Raise maxmemory, or lower maxmemory-eviction-tenacity.";
  return "";
}

}  // namespace

std::string latency_doctor(const std::map<std::string, LatencySeries, std::less<>>& events,
                           int64_t threshold_ms) {
  std::string out;
  if (threshold_ms <= 0) {
    out +=
        "The latency monitor is off (latency-monitor-threshold is 0). Turn it on with CONFIG SET "
        "latency-monitor-threshold <milliseconds>, e.g. 100.\n";
  } else {
    out +=
        "The latency monitor records events of at least " + std::to_string(threshold_ms) + " ms.\n";
  }
  if (events.empty()) {
    out += "No latency event has been recorded";
    out +=
        threshold_ms > 0 ? ": nothing has been that slow since the last LATENCY RESET.\n" : ".\n";
    return out;
  }
  out += "\n";
  for (const auto& [name, s] : events) {
    std::vector<LatencySample> samples = s.oldest_first();
    int64_t sum = 0;
    for (const LatencySample& x : samples) sum += x.ms;
    const int64_t avg = samples.empty() ? 0 : sum / static_cast<int64_t>(samples.size());
    out += name + ": " + std::to_string(samples.size()) +
           (samples.size() == 1 ? " latency spike" : " latency spikes") +
           " (seconds with at least one)";
    out += ", average " + std::to_string(avg) + " ms, worst " + std::to_string(s.max_ms) + " ms";
    if (samples.size() > 1) {
      const int64_t period = samples.back().time - samples.front().time;
      out += ", over " + std::to_string(period) + " s";
    }
    out += ".\n";
    const char* why = advice(name);
    if (*why) out += std::string("  ") + why + "\n";
  }
  out += "\nLATENCY HISTORY <event> lists the samples; LATENCY RESET clears them.\n";
  return out;
}

}  // namespace respite::server
