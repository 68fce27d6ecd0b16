// Unit tests of ArgParser (server/arg_parser.h): option words match case-insensitively, integers
// and floats follow Redis's rules, and the first failure is latched: later reads return zero,
// consume nothing and do not replace it.
#include <doctest.h>

#include <cmath>
#include <string_view>
#include <vector>

#include "server/arg_parser.h"

using namespace respite::server;

namespace {
using Argv = std::vector<std::string_view>;
}

TEST_CASE("starts at the given index and reads words in order") {
  Argv argv = {"cmd", "key", "a", "b"};
  ArgParser p(argv, 2);
  CHECK(p.index() == 2);
  CHECK(p.remaining() == 2);
  CHECK(p.has_next());
  CHECK(p.peek() == "a");
  CHECK(p.next() == "a");
  CHECK(p.next() == "b");
  CHECK_FALSE(p.has_next());
  CHECK(p.ok());
  CHECK(p.peek().empty());
}

TEST_CASE("reading past the end is a syntax error") {
  // Room beyond the end, so that GCC 12 (-Warray-bounds) does not flag the unreachable read there.
  Argv argv;
  argv.reserve(4);
  argv.push_back("cmd");
  ArgParser p(argv, 1);
  CHECK(p.next().empty());
  CHECK(p.error() == Err::kSyntax);
}

TEST_CASE("check and switch_of match option words case-insensitively") {
  Argv argv = {"cmd", "withScores", "xx", "Gt", "nope"};
  ArgParser p(argv, 1);
  CHECK_FALSE(p.check("LIMIT"));  // no match consumes nothing
  CHECK(p.check("WITHSCORES"));
  CHECK(p.switch_of({"NX", "XX"}) == 1);
  CHECK(p.switch_of({"NX", "XX", "GT", "LT"}) == 2);
  CHECK(p.switch_of({"NX", "XX"}) == -1);  // no match: -1, nothing consumed, no error
  CHECK(p.ok());
  CHECK(p.peek() == "nope");
  CHECK_FALSE(p.check("NOP"));  // a prefix is not a match
  CHECK_FALSE(p.check("NOPES"));
}

TEST_CASE("integers: Redis's canonical form only") {
  Argv argv = {"cmd", "42", "-7", "9223372036854775807", "-9223372036854775808"};
  ArgParser p(argv, 1);
  CHECK(p.next_int() == 42);
  CHECK(p.next_int() == -7);
  CHECK(p.next_int() == INT64_MAX);
  CHECK(p.next_int() == INT64_MIN);
  CHECK(p.ok());
  for (std::string_view bad : {"+1", "01", " 1", "1 ", "1.0", "", "-0", "9223372036854775808",
                               "-9223372036854775809", "abc"}) {
    Argv a = {"cmd", bad};
    ArgParser q(a, 1);
    CAPTURE(bad);
    CHECK(q.next_int() == 0);
    CHECK(q.error() == Err::kNotInt);
  }
}

TEST_CASE("an integer's own error text, and a range") {
  Argv argv = {"cmd", "x"};
  ArgParser p(argv, 1);
  p.next_int(Err::kCountNegative);
  CHECK(p.error() == Err::kCountNegative);

  Argv in = {"cmd", "5", "-1", "x"};
  ArgParser r(in, 1);
  CHECK(r.next_int_in(0, 10, Err::kMaxlenNegative) == 5);
  CHECK(r.ok());
  CHECK(r.next_int_in(0, 10, Err::kMaxlenNegative) == 0);
  CHECK(r.error() == Err::kMaxlenNegative);
}

TEST_CASE("floats: Redis's strtod rules") {
  Argv argv = {"cmd", "1.5", "-inf", "1e3"};
  ArgParser p(argv, 1);
  CHECK(p.next_double() == 1.5);
  CHECK(p.next_double() == -INFINITY);
  CHECK(p.next_double() == 1000.0);
  CHECK(p.ok());
  for (std::string_view bad : {"nan", "abc", " 1", "1x", ""}) {
    Argv a = {"cmd", bad};
    ArgParser q(a, 1);
    CAPTURE(bad);
    q.next_double();
    CHECK(q.error() == Err::kNotFloat);
  }
}

TEST_CASE("the first failure is latched: later reads neither replace it nor consume") {
  Argv argv = {"cmd", "notint", "1.5x", "WITHSCORES", "7"};
  ArgParser p(argv, 1);
  CHECK(p.next_int() == 0);
  CHECK(p.error() == Err::kNotInt);
  CHECK_FALSE(p.has_next());  // loops over the options end
  size_t at = p.index();
  CHECK(p.next_double() == 0);
  CHECK_FALSE(p.check("WITHSCORES"));
  CHECK(p.switch_of({"WITHSCORES"}) == -1);
  CHECK(p.next_int() == 0);
  CHECK(p.next().empty());
  p.fail(Err::kSyntax);
  CHECK(p.index() == at);
  CHECK(p.error() == Err::kNotInt);
}

TEST_CASE("fail latches the caller's own error") {
  Argv argv = {"cmd", "BOGUS"};
  ArgParser p(argv, 1);
  while (p.has_next()) {
    if (p.check("COUNT"))
      p.next_int();
    else
      p.fail(Err::kSyntax);
  }
  CHECK(p.error() == Err::kSyntax);
}
