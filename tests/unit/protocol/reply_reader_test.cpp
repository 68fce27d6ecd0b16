// Unit tests for ReplyReader: every ReplyWriter method read back in RESP2 and RESP3 (the writer
// and the reader must agree, since in-process clients rest on both), every proper prefix of a
// reply reported as incomplete, and malformed input (bad type bytes, lengths, numbers, missing
// CRLFs, excessive nesting) reported as an error rather than misread.
#include <doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "protocol/reply_reader.h"
#include "protocol/reply_writer.h"

using respite::protocol::OutputBuffer;
using respite::protocol::ParseStatus;
using respite::protocol::read_replies;
using respite::protocol::ReplyReader;
using respite::protocol::ReplyWriter;
using respite::protocol::RespValue;
using T = RespValue::Type;

namespace {

template <typename F>
std::string encode(int resp, F&& f) {
  OutputBuffer out;
  ReplyWriter w(&out);
  w.set_resp(resp);
  f(w);
  std::string s;
  out.drain_to(&s);
  return s;
}

// Reads exactly one reply that fills all of bytes, and checks that each proper prefix of it is
// reported as incomplete (never as an error, never as a shorter reply).
RespValue read_one(const std::string& bytes) {
  ReplyReader r;
  for (size_t n = 0; n < bytes.size(); n++) {
    RespValue v;
    ParseStatus st = r.read(std::string_view(bytes).substr(0, n), &v);
    INFO("prefix of ", n, " bytes of ", bytes);
    REQUIRE(st == ParseStatus::kNeedMore);
  }
  RespValue v;
  REQUIRE(r.read(bytes, &v) == ParseStatus::kOk);
  CHECK(r.consumed() == bytes.size());
  return v;
}

template <typename F>
RespValue round_trip(int resp, F&& f) {
  return read_one(encode(resp, f));
}

RespValue bulk(std::string_view s) {
  RespValue v;
  v.type = T::kBulk;
  v.str = s;
  return v;
}

RespValue integer(int64_t n) {
  RespValue v;
  v.type = T::kInteger;
  v.integer = n;
  return v;
}

std::string error_of(std::string_view bytes) {
  ReplyReader r;
  RespValue v;
  if (r.read(bytes, &v) != ParseStatus::kError) return "(no error)";
  return r.error();
}

}  // namespace

TEST_CASE("simple strings, errors and integers read back in both protocols") {
  for (int resp : {2, 3}) {
    RespValue v = round_trip(resp, [](ReplyWriter& w) { w.ok(); });
    CHECK(v.type == T::kSimple);
    CHECK(v.str == "OK");
    v = round_trip(resp, [](ReplyWriter& w) { w.error("ERR bad\r\nthing"); });
    CHECK(v.type == T::kError);
    CHECK(v.str == "ERR bad  thing");  // the writer's CR/LF became spaces
    for (int64_t n : {int64_t(0), int64_t(-1), int64_t(42), std::numeric_limits<int64_t>::min(),
                      std::numeric_limits<int64_t>::max()}) {
      CHECK(round_trip(resp, [n](ReplyWriter& w) { w.integer(n); }) == integer(n));
    }
  }
}

TEST_CASE("bulk strings: empty, binary, large, by reference and in place") {
  std::string binary("a\0b\r\nc", 6);
  std::string large(20000, 'x');
  for (int resp : {2, 3}) {
    CHECK(round_trip(resp, [](ReplyWriter& w) { w.bulk(""); }) == bulk(""));
    CHECK(round_trip(resp, [&](ReplyWriter& w) { w.bulk(binary); }) == bulk(binary));
    std::string bytes = encode(resp, [&](ReplyWriter& w) {
      w.bulk_ref(large.data(), large.size(), nullptr, nullptr);
      std::memcpy(w.bulk_in_place(3), "abc", 3);
    });
    std::vector<RespValue> all;
    REQUIRE(read_replies(bytes, &all) == ParseStatus::kOk);
    REQUIRE(all.size() == 2);
    CHECK(all[0] == bulk(large));
    CHECK(all[1] == bulk("abc"));
  }
}

TEST_CASE("nulls keep their wire form: $-1 and *-1 in RESP2, _ in RESP3") {
  CHECK(round_trip(2, [](ReplyWriter& w) { w.null(); }).type == T::kNullBulk);
  CHECK(round_trip(2, [](ReplyWriter& w) { w.null_array(); }).type == T::kNullArray);
  RespValue v = round_trip(3, [](ReplyWriter& w) { w.null(); });
  CHECK(v.type == T::kNull);
  CHECK(v.is_null());
  CHECK(round_trip(3, [](ReplyWriter& w) { w.null_array(); }).type == T::kNull);
}

TEST_CASE("aggregates: arrays, maps, sets and pushes, flat in RESP2") {
  auto write = [](ReplyWriter& w) {
    w.map(2);
    w.bulk("a");
    w.integer(1);
    w.bulk("b");
    w.set(2);
    w.bulk("x");
    w.push(1);
    w.array(0);
  };
  RespValue v2 = round_trip(2, write);
  CHECK(v2.type == T::kArray);
  REQUIRE(v2.elements.size() == 4);  // a map of 2 is an array of 4
  CHECK(v2.elements[3].type == T::kArray);
  CHECK(v2.elements[3].elements[1].type == T::kArray);  // the push, an array in RESP2

  RespValue v3 = round_trip(3, write);
  CHECK(v3.type == T::kMap);
  REQUIRE(v3.elements.size() == 4);  // flattened: key, value, key, value
  CHECK(v3.elements[0] == bulk("a"));
  CHECK(v3.elements[1] == integer(1));
  const RespValue& set = v3.elements[3];
  CHECK(set.type == T::kSet);
  REQUIRE(set.elements.size() == 2);
  CHECK(set.elements[1].type == T::kPush);
  REQUIRE(set.elements[1].elements.size() == 1);
  CHECK(set.elements[1].elements[0].type == T::kArray);
  CHECK(set.elements[1].elements[0].elements.empty());
  CHECK(v3.to_string() == "{\"a\": (integer) 1, \"b\": ~[\"x\", >[[]]]}");
}

TEST_CASE("doubles: a RESP3 double with its text, a bulk string in RESP2") {
  for (double d : {1.5, -0.1, 0.0, 1e300, 3.0}) {
    RespValue v = round_trip(3, [d](ReplyWriter& w) { w.dbl(d); });
    CHECK(v.type == T::kDouble);
    CHECK(v.dbl == d);
    RespValue b = round_trip(2, [d](ReplyWriter& w) { w.dbl(d); });
    CHECK(b.type == T::kBulk);
    CHECK(b.str == v.str);
  }
  CHECK(round_trip(3, [](ReplyWriter& w) { w.dbl(3.0); }).str == "3");
  RespValue inf = round_trip(3, [](ReplyWriter& w) { w.dbl(-INFINITY); });
  CHECK(inf.str == "-inf");
  CHECK(std::isinf(inf.dbl));
  CHECK(inf.dbl < 0);
  CHECK(std::isnan(round_trip(3, [](ReplyWriter& w) { w.dbl(NAN); }).dbl));
}

TEST_CASE("booleans and verbatim strings, and their RESP2 fallbacks") {
  RespValue t = round_trip(3, [](ReplyWriter& w) { w.boolean(true); });
  CHECK(t.type == T::kBoolean);
  CHECK(t.integer == 1);
  CHECK(round_trip(3, [](ReplyWriter& w) { w.boolean(false); }).integer == 0);
  CHECK(round_trip(2, [](ReplyWriter& w) { w.boolean(true); }) == integer(1));
  RespValue v = round_trip(3, [](ReplyWriter& w) { w.verbatim("line\r\nnext"); });
  CHECK(v.type == T::kVerbatim);
  CHECK(v.format == "txt");
  CHECK(v.str == "line\r\nnext");
  CHECK(round_trip(2, [](ReplyWriter& w) { w.verbatim("x"); }) == bulk("x"));
}

TEST_CASE("types the writer does not produce: big numbers, blob errors, attributes") {
  RespValue big = read_one("(-3492890328409238509324850943850943825024385\r\n");
  CHECK(big.type == T::kBigNumber);
  CHECK(big.str == "-3492890328409238509324850943850943825024385");
  RespValue err = read_one("!21\r\nSYNTAX invalid syntax\r\n");
  CHECK(err.type == T::kError);
  CHECK(err.str == "SYNTAX invalid syntax");
  // An attribute describes the reply after it; the reader keeps the reply only.
  CHECK(read_one("|1\r\n+key-popularity\r\n%0\r\n:7\r\n") == integer(7));
}

TEST_CASE("several replies in one buffer, and a trailing incomplete one") {
  std::string bytes = encode(3, [](ReplyWriter& w) {
    w.ok();
    w.integer(2);
    w.array(1);
    w.bulk("x");
  });
  std::vector<RespValue> all;
  CHECK(read_replies(bytes, &all) == ParseStatus::kOk);
  CHECK(all.size() == 3);
  all.clear();
  std::string why;
  CHECK(read_replies(bytes.substr(0, bytes.size() - 1), &all, &why) == ParseStatus::kNeedMore);
  CHECK(all.size() == 2);  // the complete ones before it
  CHECK(why == "incomplete reply");
  CHECK(read_replies("", &all) == ParseStatus::kOk);
}

TEST_CASE("malformed input is an error, not a misread") {
  CHECK(error_of("?x\r\n") == "unknown reply type byte '?'");
  CHECK(error_of(":12a\r\n") == "invalid integer '12a'");
  CHECK(error_of(":+1\r\n") == "invalid integer '+1'");
  CHECK(error_of(":\r\n") == "invalid integer ''");
  CHECK(error_of(":99999999999999999999\r\n") == "invalid integer '99999999999999999999'");
  CHECK(error_of("$-2\r\n") == "invalid length '-2'");
  CHECK(error_of("$x\r\n") == "invalid length 'x'");
  CHECK(error_of("*-5\r\n") == "invalid length '-5'");
  CHECK(error_of("$3\r\nabcd\r\n") == "blob of 3 bytes not followed by CRLF");
  CHECK(error_of("+OK\rX") == "CR not followed by LF");
  CHECK(error_of("+OK\n") == "line ends without CR");
  CHECK(error_of("_x\r\n") == "null with a payload");
  CHECK(error_of("#x\r\n") == "invalid boolean 'x'");
  CHECK(error_of(",1.5x\r\n") == "invalid double '1.5x'");
  CHECK(error_of(",\r\n") == "invalid double ''");
  CHECK(error_of("(12a\r\n") == "invalid big number '12a'");
  CHECK(error_of("=3\r\nabc\r\n") == "verbatim string without a format");
  CHECK(error_of("%-1\r\n") == "null length for a non-array aggregate");
  CHECK(error_of("=-1\r\n") == "null length for a non-bulk blob");
  // An error inside an aggregate is the aggregate's error.
  CHECK(error_of("*2\r\n:1\r\n:x\r\n") == "invalid integer 'x'");
  std::string deep;
  for (int i = 0; i <= ReplyReader::kMaxDepth + 1; i++) deep += "*1\r\n";
  deep += ":1\r\n";
  CHECK(error_of(deep) == "replies nested too deep");
}

TEST_CASE("a huge announced count in a short input is incomplete, and allocates nothing big") {
  ReplyReader r;
  RespValue v;
  CHECK(r.read("*9223372036854775807\r\n:1\r\n", &v) == ParseStatus::kNeedMore);
  CHECK(r.read("%4611686018427387903\r\n", &v) == ParseStatus::kNeedMore);
  CHECK(r.read("$9223372036854775807\r\nabc", &v) == ParseStatus::kNeedMore);
}
