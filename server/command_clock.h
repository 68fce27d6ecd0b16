// The clock commands are timed with (INFO commandstats' usec, SLOWLOG). dispatch reads it twice per
// command, so it has to be cheap: where the CPU has an invariant time-stamp counter (x86-64 with
// constant_tsc and nonstop_tsc in /proc/cpuinfo, the test Redis's monotonic clock makes too) it is
// the TSC, about 10 ns a read here against about 24 ns for clock_gettime through kvm-clock; the
// TSC's rate is measured against steady_clock when the server starts. Anywhere else it is
// steady_clock. One per Server (no process-wide state), read-only after construction.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace respite::server {

class CommandClock {
 public:
  CommandClock();  // measures the TSC's rate (about 2 ms) when there is one
  uint64_t now() const {
#if defined(__x86_64__)
    if (tsc_) return __rdtsc();
#endif
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count());
  }
  // Nanoseconds between two now() readings.
  int64_t ns_between(uint64_t start, uint64_t end) const {
    uint64_t d = end - start;
    return tsc_ ? static_cast<int64_t>(static_cast<double>(d) * ns_per_tick_)
                : static_cast<int64_t>(d);
  }
  // INFO's monotonic_clock, in Redis's words ("X86 TSC @ 2400 ticks/us", "POSIX clock_gettime").
  std::string description() const;

 private:
  bool tsc_ = false;
  double ns_per_tick_ = 1.0;
};

}  // namespace respite::server
