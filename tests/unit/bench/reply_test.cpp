// The RESP reply skipper: every reply type, nesting, errors and their text, and the same stream fed
// whole, split at every byte position, and one byte at a time (replies arrive in arbitrary pieces).
#include <doctest.h>

#include <string>
#include <vector>

#include "bench/loadgen/reply.h"

using namespace respite::bench;

namespace {

struct Seen {
  int replies = 0;
  int errors = 0;
  std::vector<std::string> error_texts;
  bool protocol_error = false;
};

// Feeds `pieces` in order through one skipper, collecting what it reports.
Seen run(const std::vector<std::string>& pieces) {
  ReplySkipper s;
  Seen out;
  for (const std::string& piece : pieces) {
    size_t pos = 0;
    while (pos < piece.size()) {
      size_t used = 0;
      auto st = s.feed(piece.data() + pos, piece.size() - pos, used);
      pos += used;
      if (st == ReplySkipper::Status::kProtocolError) {
        out.protocol_error = true;
        return out;
      }
      if (st == ReplySkipper::Status::kNeedMore) {
        REQUIRE(pos == piece.size());
        break;
      }
      out.replies++;
      if (s.was_error()) {
        out.errors++;
        out.error_texts.emplace_back(s.error_text());
      }
    }
  }
  return out;
}

Seen whole(const std::string& s) {
  return run({s});
}

Seen bytewise(const std::string& s) {
  std::vector<std::string> pieces;
  for (char c : s) pieces.emplace_back(1, c);
  return run(pieces);
}

std::string lrange_reply(int n) {
  std::string s = "*";  // (built by appending: GCC 12 warns falsely on "*" + std::string)
  s += std::to_string(n);
  s += "\r\n";
  for (int i = 0; i < n; i++) s += "$3\r\nxyz\r\n";
  return s;
}

// A stream with one of everything: 12 top-level replies, 2 of them errors.
const std::string kStream = std::string("+OK\r\n") + "-ERR unknown command 'FOO'\r\n" +
                            ":1234\r\n" + "$5\r\nhello\r\n" + "$-1\r\n" + "*-1\r\n" + "*0\r\n" +
                            "*2\r\n*2\r\n:1\r\n$1\r\na\r\n*1\r\n+x\r\n" + lrange_reply(600) +
                            "$0\r\n\r\n" + "-WRONGTYPE Operation against a key\r\n" +
                            "*3\r\n$-1\r\n-inner error\r\n:5\r\n";

}  // namespace

TEST_CASE("every reply type, whole") {
  Seen s = whole(kStream);
  CHECK_FALSE(s.protocol_error);
  CHECK(s.replies == 12);
  CHECK(s.errors == 2);  // an error inside an array is part of the reply, not an error reply
  REQUIRE(s.error_texts.size() == 2);
  CHECK(s.error_texts[0] == "ERR unknown command 'FOO'");
  CHECK(s.error_texts[1] == "WRONGTYPE Operation against a key");
}

TEST_CASE("split at every position") {
  for (size_t cut = 1; cut < kStream.size(); cut++) {
    Seen s = run({kStream.substr(0, cut), kStream.substr(cut)});
    REQUIRE_MESSAGE(s.replies == 12, "cut at " << cut);
    REQUIRE(s.errors == 2);
    REQUIRE(s.error_texts[0] == "ERR unknown command 'FOO'");
  }
}

TEST_CASE("one byte at a time") {
  Seen s = bytewise(kStream);
  CHECK(s.replies == 12);
  CHECK(s.errors == 2);
  CHECK(s.error_texts[1] == "WRONGTYPE Operation against a key");
}

TEST_CASE("a long pipeline of small replies") {
  std::string s;
  for (int i = 0; i < 1000; i++) s += i % 2 ? "+OK\r\n" : "$3\r\nabc\r\n";
  CHECK(whole(s).replies == 1000);
  CHECK(bytewise(s).replies == 1000);
}

TEST_CASE("RESP3 types") {
  const std::string s = std::string("_\r\n") + "#t\r\n" + ",3.14\r\n" +
                        "(12345678901234567890\r\n" + "=15\r\ntxt:Some string\r\n" +
                        "%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n" + "~2\r\n+x\r\n+y\r\n" +
                        ">2\r\n+message\r\n+hi\r\n" + "!21\r\nSYNTAX invalid syntax\r\n";
  Seen w = whole(s);
  CHECK(w.replies == 9);
  CHECK(w.errors == 1);  // the blob error
  CHECK(bytewise(s).replies == 9);
}

TEST_CASE("protocol errors are reported, not skipped") {
  CHECK(whole("?what\r\n").protocol_error);
  CHECK(whole("$abc\r\n").protocol_error);
  CHECK(whole("$99999999999999999\r\n").protocol_error);  // a length no server sends
  std::string deep;
  for (int i = 0; i < 40; i++) deep += "*1\r\n";
  CHECK(whole(deep).protocol_error);
}

TEST_CASE("long error text is truncated, not overflowed") {
  std::string e = "-ERR " + std::string(1000, 'x') + "\r\n";
  Seen s = whole(e);
  CHECK(s.replies == 1);
  REQUIRE(s.errors == 1);
  CHECK(s.error_texts[0].size() == ReplySkipper::kErrorCapture);
}
