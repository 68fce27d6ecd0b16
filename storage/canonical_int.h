// The server's one string-to-integer routine: decimal text in Redis's canonical form (string2ll:
// optional '-', no '+', no leading zeros or spaces, fits int64). It decides which string values
// are stored as Encoding::kInt and it reads every integer argument of every command and config
// directive, so that all of them accept exactly the same texts. Inline and header-only: it sits on
// the SET path, and code that links no storage library (the config unit test) may use it. The
// protocol layer keeps its own bulk-length fast path, as it may not include storage/.
#pragma once

#include <cstdint>
#include <string_view>

namespace respite::storage {

inline bool parse_canonical_int(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 20) return false;  // 20: "-9223372036854775808"
  size_t i = 0;
  bool neg = false;
  if (s[0] == '-') {
    neg = true;
    i = 1;
    if (s.size() == 1) return false;
  }
  if (s[i] == '0' && s.size() > i + 1) return false;  // leading zero
  if (neg && s[i] == '0') return false;               // "-0"
  uint64_t v = 0;
  for (; i < s.size(); i++) {
    unsigned d = static_cast<unsigned char>(s[i]) - '0';
    if (d > 9) return false;
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  if (neg) {
    if (v > uint64_t(INT64_MAX) + 1) return false;
    *out = static_cast<int64_t>(0 - v);
  } else {
    if (v > uint64_t(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

}  // namespace respite::storage
