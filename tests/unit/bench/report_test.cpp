// Report formats: the CSV header and rows parse like redis-benchmark's, the -q line, the default
// report's layout (block title, summary table widths, distribution sections) and the JSON document.
#include <doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "bench/loadgen/report.h"

using namespace respite::bench;

namespace {

TestResult sample(const std::string& name = "SET") {
  TestResult r;
  r.name = name;
  r.seconds = 0.5;
  // 100 requests: 1..100 x 10 us, so p50 = 0.5 ms, p95 = 0.95 ms, p99 = 0.99 ms exactly; the
  // histogram reports the upper bound of each one's bucket (0.502, 0.950, 0.991: within 1/128).
  for (uint64_t i = 1; i <= 100; i++) r.latency.record(i * 10'000);
  r.requests = 100;
  return r;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// Splits one CSV line of quoted fields.
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    REQUIRE(line[i] == '"');
    std::string f;
    i++;
    while (i < line.size()) {
      if (line[i] == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        f.push_back('"');
        i += 2;
      } else if (line[i] == '"') {
        i++;
        break;
      } else {
        f.push_back(line[i++]);
      }
    }
    out.push_back(f);
    if (i < line.size()) {
      REQUIRE(line[i] == ',');
      i++;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("CSV: redis-benchmark's header and columns") {
  CHECK(csv_header() ==
        "\"test\",\"rps\",\"avg_latency_ms\",\"min_latency_ms\",\"p50_latency_ms\","
        "\"p95_latency_ms\",\"p99_latency_ms\",\"max_latency_ms\"\n");
  Options o;
  const std::string row = format_csv(sample(), o);
  CHECK(row == "\"SET\",\"200.00\",\"0.505\",\"0.010\",\"0.502\",\"0.950\",\"0.991\",\"1.000\"\n");
  auto fields = csv_fields(lines(row)[0]);
  CHECK(fields.size() == 8);
  CHECK(csv_fields(lines(csv_header())[0]).size() == 8);
}

TEST_CASE("CSV: names with commas and quotes stay one field") {
  Options o;
  auto fields = csv_fields(lines(format_csv(sample("MSET (10 keys)"), o))[0]);
  CHECK(fields[0] == "MSET (10 keys)");
  fields = csv_fields(lines(format_csv(sample("eval \"return 1\" 0,x"), o))[0]);
  REQUIRE(fields.size() == 8);
  CHECK(fields[0] == "eval \"return 1\" 0,x");
}

TEST_CASE("--precision changes the latency decimals") {
  Options o;
  o.precision = 1;
  CHECK(format_csv(sample(), o) ==
        "\"SET\",\"200.00\",\"0.5\",\"0.0\",\"0.5\",\"1.0\",\"1.0\",\"1.0\"\n");
}

TEST_CASE("-q line") {
  Options o;
  CHECK(format_quiet(sample(), o) == "SET: 200.00 requests per second, p50=0.502 msec\n");
}

TEST_CASE("default report layout") {
  Options o;
  ServerConfig cfg{true, "", "no"};
  auto l = lines(format_default(sample(), o, cfg));
  REQUIRE(l.size() > 12);
  CHECK(l[0] == "====== SET ======");
  CHECK(l[1] == "  100 requests completed in 0.50 seconds");
  CHECK(l[2] == "  50 parallel clients");
  CHECK(l[3] == "  3 bytes payload");
  CHECK(l[4] == "  keep alive: 1");
  CHECK(l[5] == "  host configuration \"save\": ");
  CHECK(l[6] == "  host configuration \"appendonly\": no");
  CHECK(l[7] == "  multi-thread: no");
  CHECK(l[8] == "");
  CHECK(l[9] == "Latency by percentile distribution:");
  CHECK(l[10] == "0.000% <= 0.010 milliseconds (cumulative count 1)");
  CHECK(l[11] == "50.000% <= 0.502 milliseconds (cumulative count 50)");
  CHECK(l[12] == "75.000% <= 0.754 milliseconds (cumulative count 75)");
  const size_t n = l.size();
  CHECK(l[n - 6] == "");
  CHECK(l[n - 5] == "Summary:");
  CHECK(l[n - 4] == "  throughput summary: 200.00 requests per second");
  CHECK(l[n - 3] == "  latency summary (msec):");
  CHECK(l[n - 2] == "          avg       min       p50       p95       p99       max");
  CHECK(l[n - 1] == "        0.505     0.010     0.502     0.950     0.991     1.000");
  // The percentile walk ends at 100% with the total count; the cumulative section too.
  bool seen_100 = false, seen_cumulative = false;
  for (size_t i = 0; i < n; i++) {
    if (l[i] == "100.000% <= 1.000 milliseconds (cumulative count 100)") seen_100 = true;
    if (l[i] == "Cumulative distribution of latencies:") {
      seen_cumulative = true;
      CHECK(l[i + 1] == "10.000% <= 0.100 milliseconds (cumulative count 10)");
    }
  }
  CHECK(seen_100);
  CHECK(seen_cumulative);
}

TEST_CASE("default report: threads and unknown server config") {
  Options o;
  o.threads = 4;
  auto l = lines(format_default(sample(), o, ServerConfig{}));
  CHECK(l[5] == "  multi-thread: yes");
  CHECK(l[6] == "  threads: 4");
}

TEST_CASE("one latency value: percentile walk is 0% then 100%") {
  TestResult r;
  r.name = "PING";
  r.seconds = 1;
  for (int i = 0; i < 10; i++) r.latency.record(2'000'000);
  r.requests = 10;
  Options o;
  auto l = lines(format_default(r, o, ServerConfig{}));
  CHECK(l[8] == "0.000% <= 2.000 milliseconds (cumulative count 10)");
  CHECK(l[9] == "100.000% <= 2.000 milliseconds (cumulative count 10)");
}

TEST_CASE("JSON document") {
  Options o;
  o.json = true;
  std::vector<TestResult> rs;
  rs.push_back(sample("SET"));
  rs.push_back(sample("a \"quoted\" name"));
  rs[1].errors = 3;
  const std::string j = format_json(rs, o);
  CHECK(j.find("\"tool\": \"respite-benchmark\"") != std::string::npos);
  CHECK(j.find("{\"name\": \"SET\", \"requests\": 100, \"errors\": 0, \"seconds\": 0.500000, "
               "\"rps\": 200.00, \"latency_ms\": {\"avg\": 0.505, \"min\": 0.010, \"p50\": 0.502, "
               "\"p95\": 0.950, \"p99\": 0.991, \"p999\": 1.000, \"max\": 1.000}}") !=
        std::string::npos);
  CHECK(j.find("\"a \\\"quoted\\\" name\"") != std::string::npos);
  CHECK(j.find("\"errors\": 3") != std::string::npos);
  CHECK(j.find("\"key_pattern\": \"uniform\"") != std::string::npos);
  CHECK(format_json({}, o).find("\"tests\": []") != std::string::npos);
}

TEST_CASE("quoting helpers") {
  CHECK(csv_quote("a\"b") == "\"a\"\"b\"");
  CHECK(json_quote("a\\b\n") == "\"a\\\\b\\u000a\"");
}
