// What each test sends: the default test list of redis-benchmark 7.0 (names, commands and keys
// exactly as it sends them), a command from the command line, or respite's mixed SET:GET test.
//
// A request is encoded to RESP once, as a Template: its bytes plus the offset of every
// "__rand_int__" in them. The placeholder and its replacement (12 zero-padded digits, as
// redis-benchmark writes them) have the same length, so a connection builds its batch of -P
// requests once and afterwards only overwrites digits in place: no encoding, no allocation per
// request.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bench/loadgen/args.h"

namespace respite::bench {

inline constexpr std::string_view kRandPlaceholder = "__rand_int__";
inline constexpr size_t kRandDigits = 12;
static_assert(kRandPlaceholder.size() == kRandDigits, "substitution must not change lengths");

struct Template {
  std::string bytes;              // one encoded request
  std::vector<uint32_t> rand_at;  // offsets of the 12-byte fields to fill per request
};

// RESP multibulk encoding of `args`. With `substitute`, every __rand_int__ inside an argument
// becomes a field to fill; without it (no -r), the text is sent as it is, like redis-benchmark.
Template encode_command(const std::vector<std::string>& args, bool substitute);
// An inline command ("PING\r\n"): what PING_INLINE sends.
Template encode_inline(std::string_view line);

// Writes `value` modulo 10^12 as 12 zero-padded digits at `out`.
inline void write_rand_digits(char* out, uint64_t value) {
  for (size_t i = kRandDigits; i-- > 0;) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// A test: a name (what the reports print) and the requests it cycles through. Most tests have one
// template; the mixed test has a SET and a GET template and a `sequence` of indices into them.
struct TestSpec {
  std::string name;
  std::vector<Template> templates;
  std::vector<uint8_t> sequence;  // empty: always templates[0]
  // Replies that make one request: 3 for MULTI/SET/EXEC (one transaction counts once, its latency
  // from the batch's start to EXEC's reply), 1 for everything else.
  uint32_t replies_per_request = 1;
};

// The payload of SET, LPUSH, HSET, MSET: `size` printable pseudo-random bytes, the same every run.
std::string make_value(int size);

// The tests to run for these options, in redis-benchmark's order. "multi" (MULTI, SET, EXEC as one
// request) is respite's own and runs only when -t names it, so the default list stays
// redis-benchmark's.
std::vector<TestSpec> build_tests(const Options& opt);

}  // namespace respite::bench
