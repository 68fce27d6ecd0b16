// Unit tests of the per-command latency histogram (server/latency_histogram.h) and the latency
// monitor's store (server/latency_monitor.h): bucket bounds, percentile accuracy within a bucket's
// width of the exact answer, merging workers' histograms, LATENCY HISTOGRAM's cumulative steps,
// and the monitor's one-sample-per-second ring of 160.
#include <doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "server/latency_histogram.h"
#include "server/latency_monitor.h"

using namespace respite::server;

TEST_CASE("every value lies within its bucket, and buckets tile the range") {
  for (size_t i = 0; i + 1 < LatencyCounts::kBuckets; i++) {
    CAPTURE(i);
    CHECK(LatencyCounts::lowest(i) <= LatencyCounts::highest(i));
    CHECK(LatencyCounts::highest(i) + 1 == LatencyCounts::lowest(i + 1));
    CHECK(LatencyCounts::index(LatencyCounts::lowest(i)) == i);
    CHECK(LatencyCounts::index(LatencyCounts::highest(i)) == i);
  }
  CHECK(LatencyCounts::index(0) == 0);
  CHECK(LatencyCounts::index(15) == 15);
  // Past the range: the last bucket.
  CHECK(LatencyCounts::index(uint64_t{1} << 40) == LatencyCounts::kBuckets - 1);
  CHECK(LatencyCounts::index(UINT64_MAX) == LatencyCounts::kBuckets - 1);
  // Relative width at most 1/16 past the exact buckets.
  for (size_t i = LatencyCounts::kSub; i < LatencyCounts::kBuckets; i++) {
    double width = double(LatencyCounts::highest(i) - LatencyCounts::lowest(i) + 1);
    CHECK(width / double(LatencyCounts::lowest(i)) <= 1.0 / 16 + 1e-12);
  }
}

TEST_CASE("percentiles are within 6.25% above the exact ones") {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(9.0, 1.5);  // around 8 us, long tail
  std::vector<uint64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 100000; i++) {
    uint64_t v = static_cast<uint64_t>(dist(rng)) + 1;
    values.push_back(v);
    h.record(v);
  }
  std::sort(values.begin(), values.end());
  LatencyCounts c;
  h.add_to(c);
  REQUIRE(c.total == values.size());
  for (double p : {0.0, 1.0, 50.0, 90.0, 99.0, 99.9, 100.0}) {
    CAPTURE(p);
    size_t rank = std::max<size_t>(1, size_t(p / 100 * double(values.size()) + 0.5));
    uint64_t exact = values[rank - 1];
    uint64_t got = c.percentile(p);
    CHECK(got >= exact);
    CHECK(double(got) <= double(exact) * (1 + 1.0 / 16) + 1);
  }
}

TEST_CASE("percentile picks ranks as Redis's HDR histogram does") {
  LatencyHistogram h;
  for (uint64_t v : {1, 2, 3}) h.record(v);
  LatencyCounts c;
  h.add_to(c);
  CHECK(c.percentile(0) == 1);
  CHECK(c.percentile(50) == 2);  // rank round(1.5) = 2
  CHECK(c.percentile(100) == 3);
  CHECK(LatencyCounts{}.percentile(50) == 0);
}

TEST_CASE("merging workers' histograms adds their counts") {
  LatencyHistogram a, b;
  for (int i = 0; i < 100; i++) a.record(1000);
  for (int i = 0; i < 300; i++) b.record(1000000);
  LatencyCounts c;
  a.add_to(c);
  b.add_to(c);
  CHECK(c.total == 400);
  CHECK(c.percentile(25) < 1100);
  CHECK(c.percentile(26) >= 1000000);
  a.reset();
  LatencyCounts d;
  a.add_to(d);
  CHECK(d.total == 0);
}

TEST_CASE("cdf: Redis's doubling steps from 1024 ns, only where the count grew") {
  LatencyHistogram h;
  h.record(500);   // under 1024 ns: the first step
  h.record(1500);  // under 2048
  h.record(1500);
  h.record(100000);  // under 131072
  LatencyCounts c;
  h.add_to(c);
  auto cdf = c.cdf();
  REQUIRE(cdf.size() == 3);
  CHECK(cdf[0] == std::pair<int64_t, uint64_t>{1, 1});
  CHECK(cdf[1] == std::pair<int64_t, uint64_t>{2, 3});
  CHECK(cdf[2] == std::pair<int64_t, uint64_t>{132, 4});  // Redis's label for 2^17 ns
  CHECK(LatencyCounts{}.cdf().empty());
}

TEST_CASE("latency monitor: one sample per second (its worst), 160 kept, all-time max") {
  LatencyMonitor m;
  m.add("command", 20, 1000);
  m.add("command", 50, 1000);
  m.add("command", 30, 1000);
  LatencySeries s;
  REQUIRE(m.series("command", &s));
  REQUIRE(s.oldest_first().size() == 1);
  CHECK(s.last().ms == 50);
  for (int64_t t = 1001; t < 1001 + 200; t++) m.add("command", t - 1000, t);
  REQUIRE(m.series("command", &s));
  auto samples = s.oldest_first();
  CHECK(samples.size() == LatencySeries::kLen);
  CHECK(samples.front().time == 1200 - 159);
  CHECK(samples.back().time == 1200);
  CHECK(s.max_ms == 200);
  CHECK(!m.series("fork", &s));
  m.add("expire-cycle", 5, 1300);
  CHECK(m.snapshot().size() == 2);
  CHECK(m.reset({"nosuch", "expire-cycle"}) == 1);
  CHECK(m.reset({}) == 1);
  CHECK(m.snapshot().empty());
}

TEST_CASE("latency graph and doctor say something about each event") {
  LatencyMonitor m;
  m.add("command", 120, 1000);
  m.add("command", 300, 1005);
  LatencySeries s;
  REQUIRE(m.series("command", &s));
  std::string g = latency_graph("command", s, 1010);
  CHECK(g.rfind("command - high 300 ms, low 120 ms (all time high 300 ms)\n", 0) == 0);
  CHECK(g.find("10s") == std::string::npos);  // labels run downwards: "1", "0", "s"
  std::string d = latency_doctor(m.snapshot(), 100);
  CHECK(d.find("command: 2 latency spikes") != std::string::npos);
  CHECK(d.find("SLOWLOG") != std::string::npos);
  CHECK(latency_doctor({}, 0).find("latency-monitor-threshold") != std::string::npos);
}
