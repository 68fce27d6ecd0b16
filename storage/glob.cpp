// Glob matching for KEYS / SCAN MATCH / CONFIG GET, with Redis's stringmatchlen() semantics but
// without its recursion. Every token except `*` consumes exactly one byte, so when a later token
// fails it is enough to retry from the most recent `*`, one byte further on: an earlier `*` never
// needs to absorb more, because anything it could absorb the later `*` can absorb too. That gives
// O(pattern x string) steps in the worst case and constant stack, whatever the pattern.
#include "storage/glob.h"

#include <cstddef>
#include <utility>

namespace respite::storage {
namespace {

unsigned char fold(unsigned char c, bool nocase) {
  return (nocase && c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c - 'A' + 'a') : c;
}

// Result of matching the single-byte token that starts at pattern[p] (never a `*`).
struct Token {
  bool matched;
  size_t next;  // index just after the token
};

// A `[...]` class starting at pattern[p] == '['. Mirrors Redis: `^` negates, `\x` is a literal x
// (compared case-sensitively, as Redis does), `a-z` is a range (reversed ends are swapped), a `]`
// right after `[` closes an empty class, and a class without `]` runs to the end of the pattern.
Token match_class(std::string_view pat, size_t p, unsigned char c, bool nocase) {
  const size_t m = pat.size();
  size_t i = p + 1;
  const bool negate = i < m && pat[i] == '^';
  if (negate) ++i;
  bool matched = false;
  size_t next = m;
  while (i < m) {
    const auto ch = static_cast<unsigned char>(pat[i]);
    if (ch == '\\' && m - i >= 2) {
      ++i;
      if (static_cast<unsigned char>(pat[i]) == c) matched = true;
    } else if (ch == ']') {
      next = i + 1;
      break;
    } else if (m - i >= 3 && pat[i + 1] == '-') {
      unsigned char lo = fold(ch, nocase);
      unsigned char hi = fold(static_cast<unsigned char>(pat[i + 2]), nocase);
      if (lo > hi) std::swap(lo, hi);
      const unsigned char x = fold(c, nocase);
      if (x >= lo && x <= hi) matched = true;
      i += 2;
    } else if (fold(ch, nocase) == fold(c, nocase)) {
      matched = true;
    }
    ++i;
  }
  return {matched != negate, next};
}

Token match_token(std::string_view pat, size_t p, unsigned char c, bool nocase) {
  switch (pat[p]) {
    case '?':
      return {true, p + 1};
    case '[':
      return match_class(pat, p, c, nocase);
    case '\\':
      // A trailing backslash stands for itself, as in Redis.
      if (p + 1 < pat.size()) {
        return {fold(static_cast<unsigned char>(pat[p + 1]), nocase) == fold(c, nocase), p + 2};
      }
      [[fallthrough]];
    default:
      return {fold(static_cast<unsigned char>(pat[p]), nocase) == fold(c, nocase), p + 1};
  }
}

}  // namespace

bool glob_match_counted(std::string_view pat, std::string_view str, bool nocase,
                        std::uint64_t& steps) {
  constexpr size_t kNone = static_cast<size_t>(-1);
  const size_t m = pat.size();
  const size_t n = str.size();
  size_t p = 0, s = 0;
  size_t star_p = kNone;  // pattern index just after the most recent `*` run
  size_t star_s = 0;      // where in str that `*` currently stops absorbing
  while (s < n) {
    ++steps;
    if (p < m && pat[p] == '*') {
      while (p < m && pat[p] == '*') ++p;
      if (p == m) return true;  // a trailing `*` takes the rest
      star_p = p;
      star_s = s;
      continue;
    }
    if (p < m) {
      const Token t = match_token(pat, p, static_cast<unsigned char>(str[s]), nocase);
      if (t.matched) {
        p = t.next;
        ++s;
        continue;
      }
    }
    if (star_p == kNone) return false;
    // Let the last `*` absorb one more byte and retry what follows it.
    p = star_p;
    s = ++star_s;
  }
  while (p < m && pat[p] == '*') ++p;
  return p == m;
}

bool glob_match(std::string_view pattern, std::string_view str, bool nocase) {
  std::uint64_t steps = 0;
  return glob_match_counted(pattern, str, nocase, steps);
}

}  // namespace respite::storage
