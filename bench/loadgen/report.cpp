// Formatting of results. Layout strings are redis-benchmark 7.0.15's (checked against its output,
// including the two leading spaces, the 9-wide summary columns and the "%3.3f%%" percentiles);
// latencies are printed in milliseconds with --precision decimals (3 unless asked otherwise).
#include "bench/loadgen/report.h"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>

namespace respite::bench {
namespace {

void appendf(std::string& out, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void appendf(std::string& out, const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  const int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (static_cast<size_t>(n) < sizeof buf) {
    out.append(buf, static_cast<size_t>(n));
    return;
  }
  std::string big(static_cast<size_t>(n) + 1, '\0');
  va_start(ap, fmt);
  std::vsnprintf(big.data(), big.size(), fmt, ap);
  va_end(ap);
  big.pop_back();
  out += big;
}

double ms(uint64_t ns) {
  return static_cast<double>(ns) / 1e6;
}
double ms(double ns) {
  return ns / 1e6;
}

// The next percentile level after `level`: half of the remaining distance to 100 is split into
// 2^k steps where k grows by one every time the distance halves (HdrHistogram's percentile walk
// with one tick per half distance, which is what redis-benchmark prints).
double next_level(double level) {
  const double halvings = std::floor(std::log2(100.0 / (100.0 - level)));
  const double ticks = std::pow(2.0, halvings + 1);
  return level + 100.0 / ticks;
}

void percentile_section(std::string& out, const TestResult& r, int prec) {
  const Histogram& h = r.latency;
  const uint64_t total = h.count();
  if (total == 0) return;
  double level = 0;
  uint64_t cum = 0;
  uint64_t printed_cum = UINT64_MAX;
  auto line = [&](double pct, size_t bucket) {
    appendf(out, "%3.3f%% <= %.*f milliseconds (cumulative count %llu)\n", pct, prec,
            ms(h.reported_value(bucket)), static_cast<unsigned long long>(cum));
    printed_cum = cum;
  };
  for (size_t i = 0; i < Histogram::kBuckets; i++) {
    if (h.count_at(i) == 0) continue;
    cum += h.count_at(i);
    if (cum == total) {  // the last bucket: the level reached here, then 100%
      line(level, i);
      line(100.0, i);
      return;
    }
    const double here = 100.0 * static_cast<double>(cum) / static_cast<double>(total);
    while (level <= here) {
      if (cum != printed_cum) line(level, i);
      level = next_level(level);
    }
  }
}

void cumulative_section(std::string& out, const TestResult& r, int prec) {
  const Histogram& h = r.latency;
  const uint64_t total = h.count();
  if (total == 0) return;
  uint64_t step = 100'000;  // 0.1 ms, then 1 ms past 2 ms
  uint64_t bound = step;
  size_t bucket = 0;
  uint64_t cum = 0;
  bool first = true;
  while (true) {
    uint64_t added = 0;
    // A bucket counts towards the step that holds its lower bound, so that a latency of exactly
    // the step's value is counted in it (its bucket may reach up to 0.8% past the step).
    while (bucket < Histogram::kBuckets && Histogram::lowest_of(bucket) <= bound) {
      added += h.count_at(bucket);
      bucket++;
    }
    cum += added;
    if (first || added > 0) {
      appendf(out, "%3.3f%% <= %.*f milliseconds (cumulative count %llu)\n",
              100.0 * static_cast<double>(cum) / static_cast<double>(total), prec, ms(bound),
              static_cast<unsigned long long>(cum));
    }
    first = false;
    if (cum == total) break;
    if (bound >= 2'000'000) step = 1'000'000;
    bound += step;
  }
}

}  // namespace

std::string format_default(const TestResult& r, const Options& opt, const ServerConfig& cfg) {
  const int p = opt.precision;
  std::string out;
  appendf(out, "====== %s ======\n", r.name.c_str());
  appendf(out, "  %llu requests completed in %.2f seconds\n",
          static_cast<unsigned long long>(r.requests), r.seconds);
  appendf(out, "  %d parallel clients\n", opt.clients);
  appendf(out, "  %d bytes payload\n", opt.data_size);
  appendf(out, "  keep alive: %d\n", opt.keepalive ? 1 : 0);
  if (cfg.known) {
    appendf(out, "  host configuration \"save\": %s\n", cfg.save.c_str());
    appendf(out, "  host configuration \"appendonly\": %s\n", cfg.appendonly.c_str());
  }
  appendf(out, "  multi-thread: %s\n", opt.threaded() ? "yes" : "no");
  if (opt.threaded()) appendf(out, "  threads: %d\n", opt.threads);
  out += "\nLatency by percentile distribution:\n";
  percentile_section(out, r, p);
  out += "\nCumulative distribution of latencies:\n";
  cumulative_section(out, r, p);
  out += "\nSummary:\n";
  appendf(out, "  throughput summary: %.2f requests per second\n", r.rps());
  out += "  latency summary (msec):\n";
  appendf(out, "    %9s %9s %9s %9s %9s %9s\n", "avg", "min", "p50", "p95", "p99", "max");
  const Histogram& h = r.latency;
  appendf(out, "    %9.*f %9.*f %9.*f %9.*f %9.*f %9.*f\n", p, ms(h.mean()), p, ms(h.min()), p,
          ms(h.percentile(50)), p, ms(h.percentile(95)), p, ms(h.percentile(99)), p, ms(h.max()));
  return out;
}

std::string format_quiet(const TestResult& r, const Options& opt) {
  std::string out;
  appendf(out, "%s: %.2f requests per second, p50=%.*f msec\n", r.name.c_str(), r.rps(),
          opt.precision, ms(r.latency.percentile(50)));
  return out;
}

std::string csv_header() {
  return "\"test\",\"rps\",\"avg_latency_ms\",\"min_latency_ms\",\"p50_latency_ms\","
         "\"p95_latency_ms\",\"p99_latency_ms\",\"max_latency_ms\"\n";
}

std::string csv_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');  // RFC 4180: a quote inside a field is doubled
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string format_csv(const TestResult& r, const Options& opt) {
  const int p = opt.precision;
  const Histogram& h = r.latency;
  std::string out = csv_quote(r.name);
  appendf(out, ",\"%.2f\",\"%.*f\",\"%.*f\",\"%.*f\",\"%.*f\",\"%.*f\",\"%.*f\"\n", r.rps(), p,
          ms(h.mean()), p, ms(h.min()), p, ms(h.percentile(50)), p, ms(h.percentile(95)), p,
          ms(h.percentile(99)), p, ms(h.max()));
  return out;
}

std::string json_quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      appendf(out, "\\u%04x", c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
  return out;
}

std::string format_json(const std::vector<TestResult>& results, const Options& opt) {
  static constexpr const char* kPatterns[] = {"uniform", "zipf", "sequential"};
  std::string out = "{\n  \"tool\": \"respite-benchmark\",\n";
  appendf(out, "  \"server\": {\"host\": %s, \"port\": %d, \"socket\": %s},\n",
          json_quote(opt.host).c_str(), opt.port, json_quote(opt.socket).c_str());
  appendf(out,
          "  \"config\": {\"clients\": %d, \"requests\": %llu, \"duration_s\": %g, "
          "\"pipeline\": %d, \"threads\": %d, \"data_size\": %d, \"keyspace\": %llu, "
          "\"key_pattern\": \"%s\", \"zipf_exponent\": %g, \"keepalive\": %s, \"dbnum\": %d},\n",
          opt.clients, static_cast<unsigned long long>(opt.requests), opt.duration_s, opt.pipeline,
          opt.threads, opt.data_size, static_cast<unsigned long long>(opt.keyspace),
          kPatterns[static_cast<int>(opt.key_pattern)], opt.zipf_exponent,
          opt.keepalive ? "true" : "false", opt.dbnum);
  out += "  \"tests\": [";
  const int p = std::max(opt.precision, 3);  // scripts want full resolution
  for (size_t i = 0; i < results.size(); i++) {
    const TestResult& r = results[i];
    const Histogram& h = r.latency;
    out += i ? ",\n    " : "\n    ";
    appendf(out,
            "{\"name\": %s, \"requests\": %llu, \"errors\": %llu, \"seconds\": %.6f, "
            "\"rps\": %.2f, \"latency_ms\": {\"avg\": %.*f, \"min\": %.*f, \"p50\": %.*f, "
            "\"p95\": %.*f, \"p99\": %.*f, \"p999\": %.*f, \"max\": %.*f}}",
            json_quote(r.name).c_str(), static_cast<unsigned long long>(r.requests),
            static_cast<unsigned long long>(r.errors), r.seconds, r.rps(), p, ms(h.mean()), p,
            ms(h.min()), p, ms(h.percentile(50)), p, ms(h.percentile(95)), p, ms(h.percentile(99)),
            p, ms(h.percentile(99.9)), p, ms(h.max()));
  }
  out += results.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

}  // namespace respite::bench
