// The random source and the value pools shared by every family's generators, and the table that
// combines the families. Pools are small on purpose: commands must keep hitting the same keys and
// the edge values (integer limits, non-canonical numbers, binary bytes) where servers differ.
#include "tests/differential/generator.h"

#include <algorithm>
#include <cstdlib>

namespace respite::diff {

namespace {

const std::vector<std::string>& key_pool() {
  static const std::vector<std::string> keys = {"k0",       "k1",
                                                "k2",       "k3",
                                                "k4",       "k5",
                                                "k6",       "k7",
                                                "counter",  "float",
                                                "{tag}a",   "{tag}b",
                                                "",         std::string("bin\0key", 7),
                                                "a\r\nb",   "key with space",
                                                "\xc3\xbc", "k10",
                                                "k*",       "K0"};
  return keys;
}

const std::vector<std::string>& value_pool() {
  static const std::vector<std::string> values = {"",
                                                  "v",
                                                  "hello",
                                                  "hello world",
                                                  "0",
                                                  "1",
                                                  "-1",
                                                  "42",
                                                  "100",
                                                  "-100",
                                                  "007",
                                                  "+5",
                                                  " 3",
                                                  "3 ",
                                                  "-0",
                                                  "1.5",
                                                  "-0.5",
                                                  "3.0",
                                                  "1e3",
                                                  "0.1",
                                                  "10.5",
                                                  "inf",
                                                  "nan",
                                                  "abc",
                                                  "9223372036854775807",
                                                  "-9223372036854775808",
                                                  "9223372036854775806",
                                                  "-9223372036854775807",
                                                  "9223372036854775808",
                                                  "18446744073709551616",
                                                  std::string("\0\r\n\xff", 4),
                                                  std::string("a\0b", 3),
                                                  "\r\n",
                                                  "12345678901234567890",
                                                  std::string(44, 'e'),
                                                  std::string(45, 'r'),
                                                  std::string(300, 'x')};
  return values;
}

}  // namespace

Gen::Gen(uint64_t seed, long long base_time_s, int count)
    : engine_(seed), base_time_s_(base_time_s), bucket_unit_s_(10LL * std::max(count, 1000)) {}

uint64_t Gen::next() {
  return engine_();
}

int Gen::range(int lo, int hi) {
  uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
  return lo + static_cast<int>(next() % span);
}

bool Gen::chance(int percent) {
  return range(0, 99) < percent;
}

const std::string& Gen::key() {
  return pick(key_pool());
}

std::vector<std::string> Gen::keys(int min, int max) {
  std::vector<std::string> out;
  int n = range(min, max);
  for (int i = 0; i < n; ++i) out.push_back(key());
  return out;
}

std::string Gen::value() {
  if (chance(10)) {
    // Fresh random bytes: anything at all must round-trip.
    std::string s(static_cast<size_t>(range(0, 40)), '\0');
    for (char& c : s) c = static_cast<char>(next() & 0xff);
    return s;
  }
  if (chance(20)) return std::to_string(static_cast<long long>(next() % 2000001) - 1000000);
  return pick(value_pool());
}

std::string Gen::int_arg() {
  static const std::vector<std::string> args = {"0",
                                                "1",
                                                "-1",
                                                "5",
                                                "-5",
                                                "100",
                                                "-100",
                                                "1000000",
                                                "9223372036854775807",
                                                "-9223372036854775808",
                                                "9223372036854775806",
                                                "-9223372036854775807",
                                                "9223372036854775808",
                                                "abc",
                                                "1.5",
                                                "",
                                                " 1",
                                                "+1",
                                                "007"};
  if (chance(30)) return std::to_string(range(-50, 50));
  return pick(args);
}

std::string Gen::float_arg() {
  static const std::vector<std::string> args = {
      "0",     "1",    "-1",    "0.1",    "-0.1", "1.5", "-2.25",         "10.5", "1e3",  "-1e3",
      "3.0e2", "1e20", "-1e20", "0.0001", "5",    "100", "123456789.125", "inf",  "-inf", "nan",
      "abc",   "",     "1.5 ",  "1e",     ".5",   "5."};
  return pick(args);
}

std::string Gen::offset_arg() {
  static const std::vector<std::string> args = {"0",
                                                "1",
                                                "2",
                                                "3",
                                                "5",
                                                "10",
                                                "44",
                                                "100",
                                                "-1",
                                                "-2",
                                                "-5",
                                                "-100",
                                                "abc",
                                                "1.5",
                                                "9223372036854775807",
                                                "-9223372036854775808"};
  return pick(args);
}

std::string Gen::db() {
  static const std::vector<std::string> dbs = {"16", "-1", "abc", "100"};
  if (chance(92)) return std::to_string(range(0, 3));
  return pick(dbs);
}

std::string Gen::pattern() {
  static const std::vector<std::string> patterns = {
      "*",  "k*",   "k?",  "k[0-5]", "k[^0-5]*", "*tag*", "\\{tag\\}*", "",     "nomatch",
      "K*", "k\\*", "*a*", "[a-k]*", "??",       "*\\*",  "*[",         "bin*", "a\r\n*"};
  return pick(patterns);
}

std::string Gen::rel_seconds() {
  static const long long buckets[] = {1, 10, 100};
  return std::to_string(bucket_unit_s_ * buckets[range(0, 2)] + index_);
}

std::string Gen::rel_millis() {
  static const long long buckets[] = {3, 30, 300};
  return std::to_string(bucket_unit_s_ * buckets[range(0, 2)] * 1000 + index_);
}

std::string Gen::abs_seconds(bool allow_past) {
  static const long long buckets[] = {6, 60, 600};
  if (allow_past && chance(30)) {
    const long long past[] = {1, base_time_s_ - 1000, base_time_s_ - 1};
    return std::to_string(past[range(0, 2)]);
  }
  return std::to_string(base_time_s_ + bucket_unit_s_ * buckets[range(0, 2)]);
}

std::string Gen::abs_millis(bool allow_past) {
  static const long long buckets[] = {6, 60, 600};
  if (allow_past && chance(30)) {
    const long long past[] = {1, (base_time_s_ - 1000) * 1000, base_time_s_ * 1000 - 1};
    return std::to_string(past[range(0, 2)]);
  }
  return std::to_string((base_time_s_ + bucket_unit_s_ * buckets[range(0, 2)]) * 1000 +
                        range(0, 999));
}

std::string Gen::bad_expire() {
  // No huge but valid value here: two of them could tie within one millisecond (see above).
  static const std::vector<std::string> bad = {"0", "-5", "abc", "", "1.5", "9223372036854775807"};
  return pick(bad);
}

std::vector<CommandGen> all_generators() {
  static const struct {
    const char* name;
    void (*add)(std::vector<CommandGen>&);
  } families[] = {{"strings", add_string_generators},
                  {"keys", add_key_generators},
                  {"server", add_server_generators},
                  {"hashes", add_hashes_generators},
                  {"lists", add_lists_generators},
                  {"sets", add_sets_generators},
                  {"zsets", add_zsets_generators},
                  {"transactions", add_transactions_generators},
                  {"functions", add_functions_generators},
                  {"bits", add_bits_generators},
                  {"hll", add_hll_generators},
                  {"geo", add_geo_generators},
                  {"streams", add_streams_generators}};
  const char* only = std::getenv("RESPITE_DIFF_FAMILIES");
  std::string wanted = only ? "," + std::string(only) + "," : "";
  std::vector<CommandGen> table;
  for (const auto& f : families) {
    bool named = wanted.find("," + std::string(f.name) + ",") != std::string::npos;
    bool opt_in = std::string(f.name) == "transactions" || std::string(f.name) == "functions" ||
                  std::string(f.name) == "bits" || std::string(f.name) == "hll" ||
                  std::string(f.name) == "geo" || std::string(f.name) == "streams";
    if (named || (wanted.empty() && !opt_in)) f.add(table);
  }
  return table;
}

Command generate(Gen& g, const std::vector<CommandGen>& table) {
  int total = 0;
  for (const CommandGen& c : table) total += c.weight;
  int r = g.range(0, total - 1);
  for (const CommandGen& c : table) {
    if (r < c.weight) return c.fn(g);
    r -= c.weight;
  }
  return table.back().fn(g);
}

}  // namespace respite::diff
