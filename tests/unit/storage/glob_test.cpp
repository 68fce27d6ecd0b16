// Unit tests for storage/glob: the cases where Redis's stringmatchlen() has a particular answer
// (classes, escapes, unterminated brackets, binary bytes, case folding), checked against what
// redis-server 7.0's KEYS returns, and the work bound on patterns that make naive matchers
// backtrack exponentially. The bound is checked by counting steps, never by timing.
#include <doctest.h>

#include <string>

#include "storage/glob.h"

using respite::storage::glob_match;
using respite::storage::glob_match_counted;

TEST_CASE("literals, ? and *") {
  CHECK(glob_match("", ""));
  CHECK_FALSE(glob_match("", "a"));
  CHECK_FALSE(glob_match("a", ""));
  CHECK(glob_match("abc", "abc"));
  CHECK_FALSE(glob_match("abc", "abd"));
  CHECK_FALSE(glob_match("abc", "abcd"));
  CHECK(glob_match("a?c", "abc"));
  CHECK_FALSE(glob_match("a?c", "ac"));
  CHECK(glob_match("*", ""));
  CHECK(glob_match("*", "anything"));
  CHECK(glob_match("**", "x"));
  CHECK(glob_match("a*", "a"));
  CHECK(glob_match("a*b", "ab"));
  CHECK(glob_match("a*b", "axxxb"));
  CHECK_FALSE(glob_match("a*b", "axxxbc"));
  CHECK(glob_match("*b*", "abc"));
  CHECK_FALSE(glob_match("*b", ""));
  CHECK(glob_match("h*llo", "heeeello"));
  CHECK(glob_match("*:*:*", "user:1:name"));
  CHECK(glob_match("a*b*c", "abbbbc"));
  CHECK(glob_match("a*bc", "abcbc"));  // the first "bc" is not the one that ends the match
}

TEST_CASE("classes") {
  CHECK(glob_match("h[ae]llo", "hello"));
  CHECK(glob_match("h[ae]llo", "hallo"));
  CHECK_FALSE(glob_match("h[ae]llo", "hillo"));
  CHECK(glob_match("h[^e]llo", "hallo"));
  CHECK_FALSE(glob_match("h[^e]llo", "hello"));
  CHECK(glob_match("h[a-b]llo", "hbllo"));
  CHECK_FALSE(glob_match("h[a-b]llo", "hcllo"));
  CHECK(glob_match("[z-a]", "m"));  // reversed ends are swapped
  CHECK(glob_match("[\\]]", "]"));
  CHECK(glob_match("[\\-]", "-"));
  CHECK(glob_match("[a-]", "]"));         // Redis reads "a-]" as a range up to ']'...
  CHECK_FALSE(glob_match("[a-]", "-"));   // ...so '-' is not in it
  CHECK_FALSE(glob_match("[]", "a"));     // an empty class matches nothing,
  CHECK_FALSE(glob_match("[]a]", "a]"));  // so nothing after it matters
  CHECK(glob_match("[*]", "*"));
  CHECK_FALSE(glob_match("[*]", "x"));
}

TEST_CASE("unterminated classes run to the end of the pattern, as in Redis") {
  CHECK(glob_match("[abc", "b"));
  CHECK_FALSE(glob_match("[abc", "d"));
  CHECK_FALSE(glob_match("[abc", "bc"));
  CHECK_FALSE(glob_match("[", "a"));
  CHECK(glob_match("[^", "a"));  // negated empty class: any one byte
  CHECK_FALSE(glob_match("a[", "a"));
}

TEST_CASE("escapes") {
  CHECK(glob_match("\\*", "*"));
  CHECK_FALSE(glob_match("\\*", "a"));
  CHECK(glob_match("\\?", "?"));
  CHECK(glob_match("\\[a]", "[a]"));
  CHECK(glob_match("a\\", "a\\"));  // a trailing backslash stands for itself
  CHECK(glob_match("\\\\", "\\"));
}

TEST_CASE("nocase folds ASCII letters") {
  CHECK(glob_match("MAXMEMORY*", "maxmemory-policy", true));
  CHECK_FALSE(glob_match("MAXMEMORY*", "maxmemory-policy", false));
  CHECK(glob_match("[A-C]x", "bX", true));
  CHECK(glob_match("[^A]", "b", true));
  CHECK_FALSE(glob_match("[^A]", "a", true));
}

TEST_CASE("binary safe") {
  const std::string key("a\0b\xff", 4);
  CHECK(glob_match(std::string("a\0*", 3), key));
  CHECK(glob_match("a?b?", key));
  CHECK_FALSE(glob_match("a", key));
  // Bytes compare as unsigned in ranges (Redis compares plain char, whose sign varies by CPU).
  CHECK(glob_match(std::string("[\x01-\xff]", 5), "\x80"));
}

TEST_CASE("pathological patterns take bounded work") {
  const std::string as(10000, 'a');
  std::uint64_t steps = 0;
  CHECK_FALSE(glob_match_counted("a*a*a*a*a*a*a*a*b", as, false, steps));
  // Linear in the string here; a backtracking matcher needs ~n^8 steps.
  CHECK(steps <= 4 * as.size());

  steps = 0;
  CHECK(glob_match_counted("*a*a*a*a*a*a*a*a*a*a*a*a*a", as, false, steps));
  CHECK(steps <= 4 * as.size());

  // The worst case is pattern length x string length, never more.
  const std::string pattern = "*" + std::string(20, 'a') + "b";
  steps = 0;
  CHECK_FALSE(glob_match_counted(pattern, as, false, steps));
  CHECK(steps <= (pattern.size() + 1) * (as.size() + 1));

  steps = 0;
  CHECK_FALSE(glob_match_counted(std::string(5000, '*') + "b", as, false, steps));
  CHECK(steps <= 2 * (as.size() + 5000));
}
