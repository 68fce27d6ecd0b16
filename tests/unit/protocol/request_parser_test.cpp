// Unit tests for RequestParser: every command shape and every error text of Redis 7.0.15, and the
// property that matters most for a network parser: the same bytes give the same commands however
// they are split between reads (every two-piece split, and 1-, 2-, 5-, 100-byte fragments), even
// when the caller's buffer moves between calls.
#include <doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "protocol/request_parser.h"

using respite::protocol::ParserLimits;
using respite::protocol::ParseStatus;
using respite::protocol::RequestParser;

// The largest single allocation made while `g_track` is on: proves that a hostile element count
// does not size an allocation.
static bool g_track = false;
static size_t g_largest = 0;

// GCC cannot tell that this file replaces both halves, and flags free() on memory from new.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(size_t n) {
  if (g_track && n > g_largest) g_largest = n;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, size_t) noexcept {
  std::free(p);
}

namespace {

using Command = std::vector<std::string>;

// What a connection would see: the commands parsed, then how the stream ended.
struct Outcome {
  std::vector<Command> commands;
  std::string error;    // non-empty after kError
  size_t leftover = 0;  // bytes of an incomplete command at the end
  bool operator==(const Outcome&) const = default;
};

// Feeds `input` in pieces of the given sizes (the last size repeats), parsing after each piece like
// a connection: complete commands are consumed from the front of the buffer. When `move` is set,
// the buffer is copied to a fresh allocation before each resumed call, so that saved progress must
// not hold pointers.
Outcome feed(const std::string& input, const std::vector<size_t>& pieces, bool move = false,
             ParserLimits limits = {}) {
  RequestParser parser(limits);
  Outcome out;
  std::string buf;
  size_t fed = 0;
  size_t k = 0;
  while (fed < input.size()) {
    size_t n = pieces[k < pieces.size() ? k : pieces.size() - 1];
    ++k;
    if (n > input.size() - fed) n = input.size() - fed;
    buf.append(input, fed, n);
    fed += n;
    if (move) buf = std::string(buf.data(), buf.size());
    for (;;) {
      ParseStatus st = parser.parse(buf.data(), buf.size());
      if (st == ParseStatus::kError) {
        out.error = parser.error();
        return out;
      }
      if (st == ParseStatus::kNeedMore) break;
      REQUIRE(parser.consumed() <= buf.size());
      Command cmd;
      for (auto a : parser.args()) cmd.emplace_back(a);
      out.commands.push_back(std::move(cmd));
      buf.erase(0, parser.consumed());
      if (buf.empty()) break;
    }
  }
  out.leftover = buf.size();
  return out;
}

Outcome whole(const std::string& input, ParserLimits limits = {}) {
  return feed(input, {input.size() == 0 ? 1 : input.size()}, false, limits);
}

std::string bulk(const std::string& s) {
  return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n";
}

std::string multibulk(const Command& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) out += bulk(a);
  return out;
}

// One command parsed from the start of `input` in one call.
struct One {
  ParseStatus status;
  Command args;
  size_t consumed;
  std::string error;
};

One parse_one(const std::string& input, ParserLimits limits = {}) {
  RequestParser p(limits);
  One r;
  r.status = p.parse(input.data(), input.size());
  for (auto a : p.args()) r.args.emplace_back(a);
  r.consumed = p.consumed();
  r.error = p.error();
  return r;
}

std::string error_of(const std::string& input, ParserLimits limits = {}) {
  One r = parse_one(input, limits);
  CHECK(r.status == ParseStatus::kError);
  return r.error;
}

// A pipeline of 50 commands of every shape, and the commands it holds.
void build_pipeline(std::string* input, std::vector<Command>* expected) {
  std::string binary("a\r\nb\0c\r\n$3\r\n*1\r\n", 17);
  for (int i = 0; i < 50; ++i) {
    std::string key = "key:" + std::to_string(i);
    switch (i % 10) {
      case 0:
        *input += multibulk({"SET", key, binary});
        expected->push_back({"SET", key, binary});
        break;
      case 1:
        *input += "PING\r\n";
        expected->push_back({"PING"});
        break;
      case 2:
        *input += "*0\r\n";
        expected->push_back({});
        break;
      case 3:
        *input += "SET \"a b\\r\\n\" 'it\\'s' \"\\x41\\x7a\"\n";
        expected->push_back({"SET", "a b\r\n", "it's", "Az"});
        break;
      case 4:
        *input += multibulk({"GET", key});
        expected->push_back({"GET", key});
        break;
      case 5:
        *input += "*-1\r\n";
        expected->push_back({});
        break;
      case 6:
        *input += "  \r\n";
        expected->push_back({});
        break;
      case 7:
        *input += multibulk({"MSET", "", std::string(300, 'x'), key, ""});
        expected->push_back({"MSET", "", std::string(300, 'x'), key, ""});
        break;
      case 8:
        *input += "GET " + key + "\r\n";
        expected->push_back({"GET", key});
        break;
      case 9:
        *input += "*2\r\n$3\r\nDEL\r\n$" + std::to_string(key.size()) + "\r\n" + key + "\r\n";
        expected->push_back({"DEL", key});
        break;
    }
  }
}

}  // namespace

TEST_CASE("multibulk commands") {
  One r = parse_one("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n*1\r\n");
  CHECK(r.status == ParseStatus::kOk);
  CHECK(r.args == Command{"SET", "k", "value"});
  CHECK(r.consumed == 31);

  r = parse_one("*1\r\n$0\r\n\r\n");
  CHECK(r.status == ParseStatus::kOk);
  CHECK(r.args == Command{""});

  // Binary data, CRLF inside included, and a 0 in the data.
  std::string bin("x\r\ny\0z", 6);
  r = parse_one(multibulk({"ECHO", bin}));
  CHECK(r.args == Command{"ECHO", bin});

  // Like Redis, the two bytes after the data are skipped unchecked.
  r = parse_one("*1\r\n$3\r\nfooXY*1");
  CHECK(r.status == ParseStatus::kOk);
  CHECK(r.args == Command{"foo"});
  CHECK(r.consumed == 13);

  // The byte after '\r' only has to be present.
  r = parse_one("*1\r?$4\rxPING\r\n");
  CHECK(r.status == ParseStatus::kOk);
  CHECK(r.args == Command{"PING"});
}

TEST_CASE("empty multibulk commands") {
  for (const char* in : {"*0\r\n", "*-1\r\n", "*-5\r\n", "*-9223372036854775808\r\n"}) {
    One r = parse_one(in);
    CHECK(r.status == ParseStatus::kOk);
    CHECK(r.args.empty());
    CHECK(r.consumed == std::string(in).size());
  }
}

TEST_CASE("incomplete multibulk commands need more") {
  std::string cmd = "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n";
  for (size_t n = 0; n < cmd.size(); ++n) {
    RequestParser p;
    CHECK(p.parse(cmd.data(), n) == ParseStatus::kNeedMore);
    CHECK(!p.failed());
    CHECK(p.parse(cmd.data(), cmd.size()) == ParseStatus::kOk);
    CHECK(p.args().size() == 2);
  }
}

TEST_CASE("multibulk errors") {
  const std::string invalid_mb = "ERR Protocol error: invalid multibulk length";
  const std::string invalid_bulk = "ERR Protocol error: invalid bulk length";
  for (const char* in : {"*abc\r\n", "*2147483648\r\n", "*01\r\n", "*-0\r\n", "*+1\r\n", "*\r\n",
                         "*1 \r\n", "*99999999999999999999\r\n"}) {
    CAPTURE(in);
    CHECK(error_of(in) == invalid_mb);
  }
  CHECK(error_of("*" + std::string(65537, '1')) ==
        "ERR Protocol error: too big mbulk count string");
  CHECK(error_of("*1\r\nX\r\n") == "ERR Protocol error: expected '$', got 'X'");
  CHECK(error_of("*1\r\n\r\n") == "ERR Protocol error: expected '$', got ' '");
  CHECK(error_of("*1\r\n\n3\r\n") == "ERR Protocol error: expected '$', got ' '");
  CHECK(error_of("*1\r\n$" + std::string(65537, '1')) ==
        "ERR Protocol error: too big bulk count string");
  for (const char* in : {"*1\r\n$-1\r\n", "*1\r\n$abc\r\n", "*1\r\n$03\r\n", "*1\r\n$\r\n",
                         "*1\r\n$536870913\r\n", "*1\r\n$9223372036854775808\r\n"}) {
    CAPTURE(in);
    CHECK(error_of(in) == invalid_bulk);
  }
  // Exactly at the limits: still waiting, not failing.
  RequestParser p;
  std::string at_limit = "*" + std::string(65535, '0');
  CHECK(p.parse(at_limit.data(), at_limit.size()) == ParseStatus::kNeedMore);
  at_limit += "\r";
  CHECK(p.parse(at_limit.data(), at_limit.size()) == ParseStatus::kNeedMore);
  at_limit += "\n";
  CHECK(p.parse(at_limit.data(), at_limit.size()) == ParseStatus::kError);
  CHECK(p.error() == invalid_mb);
}

TEST_CASE("configured limits") {
  ParserLimits limits;
  limits.max_bulk_len = 100;
  limits.max_multibulk_len = 3;
  CHECK(parse_one("*1\r\n$100\r\n" + std::string(100, 'a') + "\r\n", limits).status ==
        ParseStatus::kOk);
  CHECK(error_of("*1\r\n$101\r\n", limits) == "ERR Protocol error: invalid bulk length");
  CHECK(error_of("*4\r\n", limits) == "ERR Protocol error: invalid multibulk length");
  CHECK(parse_one("*3\r\n", limits).status == ParseStatus::kNeedMore);
}

TEST_CASE("a client that must still authenticate may send only small commands") {
  ParserLimits limits;
  limits.unauthenticated = true;
  const std::string bulk_16k = "*1\r\n$16384\r\n" + std::string(16384, 'a') + "\r\n";
  CHECK(parse_one(bulk_16k, limits).status == ParseStatus::kOk);
  CHECK(parse_one("*10\r\n", limits).status == ParseStatus::kNeedMore);
  CHECK(error_of("*11\r\n", limits) == "ERR Protocol error: unauthenticated multibulk length");
  CHECK(error_of("*1\r\n$16385\r\n", limits) == "ERR Protocol error: unauthenticated bulk length");
  // Over proto-max-bulk-len is still the ordinary error, as Redis checks that first.
  limits.max_bulk_len = 100;
  CHECK(error_of("*1\r\n$101\r\n", limits) == "ERR Protocol error: invalid bulk length");
  // The same input is fine once the limits are lifted.
  limits = ParserLimits();
  CHECK(parse_one("*11\r\n", limits).status == ParseStatus::kNeedMore);
  CHECK(parse_one("*1\r\n$16385\r\n", limits).status == ParseStatus::kNeedMore);
}

TEST_CASE("a NUL before the line end hides it, as Redis's strchr does") {
  CHECK(parse_one(std::string("*1\0\r\n", 5)).status == ParseStatus::kNeedMore);
  CHECK(parse_one(std::string("*1\r\n$\0\r\n", 8)).status == ParseStatus::kNeedMore);
  CHECK(parse_one(std::string("*1\r\nX\0\r\n", 8)).status == ParseStatus::kNeedMore);
  CHECK(parse_one(std::string("PI\0NG\r\n", 7)).status == ParseStatus::kNeedMore);
  CHECK(error_of(std::string("*1\0\r\n", 5) + std::string(65536, 'x')) ==
        "ERR Protocol error: too big mbulk count string");
  CHECK(error_of(std::string("PI\0NG\r\n", 7) + std::string(65536, 'x')) ==
        "ERR Protocol error: too big inline request");
}

TEST_CASE("errors latch until reset") {
  RequestParser p;
  std::string bad = "*x\r\n";
  CHECK(p.parse(bad.data(), bad.size()) == ParseStatus::kError);
  CHECK(p.failed());
  std::string good = "PING\r\n";
  CHECK(p.parse(good.data(), good.size()) == ParseStatus::kError);
  CHECK(p.error() == "ERR Protocol error: invalid multibulk length");
  p.reset();
  CHECK(!p.failed());
  CHECK(p.error().empty());
  CHECK(p.parse(good.data(), good.size()) == ParseStatus::kOk);
  CHECK(p.args().size() == 1);
}

TEST_CASE("inline commands") {
  One r = parse_one("PING\r\n");
  CHECK(r.status == ParseStatus::kOk);
  CHECK(r.args == Command{"PING"});
  CHECK(r.consumed == 6);
  r = parse_one("  SET  k\tv  \nGET");
  CHECK(r.args == Command{"SET", "k", "v"});
  CHECK(r.consumed == 13);
  r = parse_one("PING\r\r\n");
  CHECK(r.args == Command{"PING"});
  for (const char* in : {"\r\n", "\n", "   \t\r\n", "\v\f\n"}) {
    r = parse_one(in);
    CHECK(r.status == ParseStatus::kOk);
    CHECK(r.args.empty());
    CHECK(r.consumed == std::string(in).size());
  }
  CHECK(parse_one("PING").status == ParseStatus::kNeedMore);
  CHECK(parse_one("PING\r").status == ParseStatus::kNeedMore);
  // \v and \f are skipped before a token but do not end one.
  r = parse_one("\va\vb c\n");
  CHECK(r.args == Command{"a\vb", "c"});
}

TEST_CASE("inline quoting and escapes") {
  One r = parse_one("SET \"a b\" 'c d'\r\n");
  CHECK(r.args == Command{"SET", "a b", "c d"});
  r = parse_one("\"\\x41\\x4a\\x4A\\n\\r\\t\\b\\a\\\\\\\"\\q\"\n");
  CHECK(r.args == Command{"AJJ\n\r\t\b\a\\\"q"});
  r = parse_one("'it\\'s' 'a\\nb' '\"'\n");
  CHECK(r.args == Command{"it's", "a\\nb", "\""});
  r = parse_one("foo\"bar baz\" x'y z'\n");
  CHECK(r.args == Command{"foobar baz", "xy z"});
  r = parse_one("\"\\x4\" \"\\xg1\" \"\"\n");
  CHECK(r.args == Command{"x4", "xg1", ""});
  r = parse_one("\"a\"\t\"b\"\v\"c\"\r\n");
  CHECK(r.args == Command{"a", "b", "c"});
  // The scratch buffer holds several quoted tokens at once.
  r = parse_one("\"" + std::string(100, 'a') + "\" plain \"" + std::string(200, 'b') + "\"\n");
  CHECK(r.args == Command{std::string(100, 'a'), "plain", std::string(200, 'b')});

  const std::string unbalanced = "ERR Protocol error: unbalanced quotes in request";
  for (const char* in : {"SET \"a\n", "SET 'a\r\n", "SET \"a\"b\n", "SET 'a'b\n", "ECHO \"a\\\"\n",
                         "ECHO 'a\\'\n", "ECHO \"a\\\n"}) {
    CAPTURE(in);
    CHECK(error_of(in) == unbalanced);
  }
}

TEST_CASE("inline length limit") {
  CHECK(parse_one(std::string(65536, 'a')).status == ParseStatus::kNeedMore);
  CHECK(error_of(std::string(65537, 'a')) == "ERR Protocol error: too big inline request");
  One r = parse_one(std::string(65536, 'a') + "\n");
  CHECK(r.status == ParseStatus::kOk);
  CHECK(r.args.size() == 1);
}

TEST_CASE("a large bulk gives a size hint") {
  RequestParser p;
  std::string head = "*2\r\n$3\r\nSET\r\n$1000000\r\nabc";
  CHECK(p.parse(head.data(), head.size()) == ParseStatus::kNeedMore);
  CHECK(p.bytes_hint() == 23 + 1000000 + 2);
  std::string full = head + std::string(1000000 - 3, 'z') + "\r\n";
  CHECK(p.parse(full.data(), full.size()) == ParseStatus::kOk);
  CHECK(p.args()[1].size() == 1000000);
  CHECK(p.consumed() == full.size());
  CHECK(p.bytes_hint() == 0);
}

TEST_CASE("a huge element count allocates nothing huge") {
  RequestParser p;
  std::string in = "*2147483647\r\n";
  for (int i = 0; i < 100; ++i) in += "$1\r\nx\r\n";
  g_largest = 0;
  g_track = true;
  ParseStatus st = p.parse(in.data(), in.size());
  g_track = false;
  CHECK(st == ParseStatus::kNeedMore);
  CHECK(g_largest <= 64 * 1024);
  // A huge bulk length is refused before anything is sized by it.
  CHECK(error_of("*1\r\n$4294967296\r\n") == "ERR Protocol error: invalid bulk length");
}

TEST_CASE("commands of changing shapes reuse the parser") {
  std::string input = multibulk({"GET", "a"}) + multibulk({"SET", "k", "v"}) + multibulk({"PING"}) +
                      "ECHO \"x y\"\n" + multibulk({"MSET", "a", "1", "b", "2"}) +
                      multibulk({"GET", "b"});
  Outcome o = whole(input);
  CHECK(o.commands == std::vector<Command>{{"GET", "a"},
                                           {"SET", "k", "v"},
                                           {"PING"},
                                           {"ECHO", "x y"},
                                           {"MSET", "a", "1", "b", "2"},
                                           {"GET", "b"}});
}

TEST_CASE("a pipeline parses the same however it is split") {
  std::string input;
  std::vector<Command> expected;
  build_pipeline(&input, &expected);
  Outcome ref = whole(input);
  CHECK(ref.error.empty());
  CHECK(ref.leftover == 0);
  REQUIRE(ref.commands == expected);

  for (size_t cut = 0; cut <= input.size(); ++cut) {
    Outcome o = feed(input, {cut == 0 ? input.size() : cut, input.size()}, cut % 2 == 1);
    if (!(o == ref)) FAIL("split at " << cut);
  }
  for (size_t piece : {1, 2, 5, 100}) {
    CAPTURE(piece);
    CHECK(feed(input, {piece}) == ref);
    CHECK(feed(input, {piece}, true) == ref);
  }
}

TEST_CASE("errors are found the same however the input is split") {
  std::string prefix = "PING\r\n*1\r\n$4\r\nPING\r\n";
  for (std::string bad :
       {std::string("*1\r\n$4\r\nPING\r\n*1\r\n:1\r\n"), std::string("*x\r\n"),
        std::string("GET \"a\n"), std::string("*1\r\n$" + std::string(70000, '1')),
        std::string(70000, 'a')}) {
    std::string input = prefix + bad;
    Outcome ref = whole(input);
    CHECK(!ref.error.empty());
    CHECK(ref.commands.size() >= 2);
    for (size_t piece : {1, 2, 5, 100, 4096}) {
      CAPTURE(piece);
      CHECK(feed(input, {piece}, piece >= 100) == ref);
    }
  }
}

TEST_CASE("a million arguments arriving in 4 KB pieces parse in linear time") {
  constexpr size_t kArgs = 1000000;
  std::string input = "*" + std::to_string(kArgs) + "\r\n";
  input.reserve(kArgs * 8 + 16);
  for (size_t i = 0; i < kArgs; ++i) input += "$1\r\nx\r\n";
  auto start = std::chrono::steady_clock::now();
  RequestParser p;
  size_t fed = 0;
  ParseStatus st = ParseStatus::kNeedMore;
  while (st == ParseStatus::kNeedMore && fed < input.size()) {
    fed = std::min(input.size(), fed + 4096);
    st = p.parse(input.data(), fed);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(st == ParseStatus::kOk);
  CHECK(p.args().size() == kArgs);
  CHECK(p.args().back() == "x");
  CHECK(p.consumed() == input.size());
  // Linear work is a few milliseconds; re-parsing from the start on each piece would take minutes.
  CHECK(secs < 10.0);
  // The parser is ready for ordinary commands afterwards (and gives the big vectors back).
  std::string next = "*1\r\n$4\r\nPING\r\n";
  CHECK(p.parse(next.data(), next.size()) == ParseStatus::kOk);
  CHECK(p.args().size() == 1);
  CHECK(p.args()[0] == "PING");
}
