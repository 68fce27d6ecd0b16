// The outputs of respite-benchmark: redis-benchmark 7.0's default report, its -q line and its CSV,
// byte for byte in layout, and a JSON document for scripts.
//
// Each formatter returns a string rather than printing, so the unit tests compare exact text and
// main() decides where it goes. The default report's two distribution sections walk our own
// histogram with redis-benchmark's rules: percentiles at 0, 50, 75, 87.5, ... (halving the distance
// to 100 each step, one line per bucket), then cumulative counts in 0.1 ms steps up to 2 ms and 1
// ms steps beyond. Values differ from redis-benchmark's in the last digit because the buckets
// differ (theirs are 8 µs wide at the bottom, ours 0.8% of the value).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/loadgen/args.h"
#include "bench/loadgen/histogram.h"

namespace respite::bench {

struct TestResult {
  std::string name;
  uint64_t requests = 0;  // replies received and counted (errors included)
  uint64_t errors = 0;    // error replies among them
  double seconds = 0;     // from the first write to the last reply
  Histogram latency;      // nanoseconds

  double rps() const { return seconds > 0 ? static_cast<double>(requests) / seconds : 0; }
};

// What CONFIG GET told us; `known` is false when the server would not say.
struct ServerConfig {
  bool known = false;
  std::string save;
  std::string appendonly;
};

std::string format_default(const TestResult& r, const Options& opt, const ServerConfig& cfg);
std::string format_quiet(const TestResult& r, const Options& opt);
std::string csv_header();
std::string format_csv(const TestResult& r, const Options& opt);
// One JSON document for a whole run (every test of one pass).
std::string format_json(const std::vector<TestResult>& results, const Options& opt);

// Helpers the formats share, exposed for tests.
std::string csv_quote(const std::string& s);
std::string json_quote(const std::string& s);

}  // namespace respite::bench
