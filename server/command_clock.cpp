// The command timing clock; see command_clock.h.
#include "server/command_clock.h"

#include <fstream>
#include <string>

namespace respite::server {

namespace {

// Whether /proc/cpuinfo promises a TSC that ticks at one rate on every core, in every power state.
bool invariant_tsc() {
#if defined(__x86_64__)
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    return line.find(" constant_tsc") != std::string::npos &&
           line.find(" nonstop_tsc") != std::string::npos;
  }
#endif
  return false;
}

}  // namespace

CommandClock::CommandClock() {
#if defined(__x86_64__)
  if (!invariant_tsc()) return;
  // 2 ms against steady_clock: its nanoseconds make the rate good to a few parts in 10^5.
  using Clock = std::chrono::steady_clock;
  auto t0 = Clock::now();
  uint64_t c0 = __rdtsc();
  auto t1 = t0;
  while (t1 - t0 < std::chrono::milliseconds(2)) t1 = Clock::now();
  uint64_t c1 = __rdtsc();
  if (c1 <= c0) return;
  ns_per_tick_ =
      static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count()) /
      static_cast<double>(c1 - c0);
  tsc_ = true;
#endif
}

std::string CommandClock::description() const {
  if (!tsc_) return "POSIX clock_gettime";
  return "X86 TSC @ " + std::to_string(static_cast<long long>(1000.0 / ns_per_tick_)) + " ticks/us";
}

}  // namespace respite::server
