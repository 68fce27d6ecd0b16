// Unit tests for ReplyWriter: the exact bytes of every reply type in RESP2 and RESP3 (as Redis
// 7.0.15 sends them), integer and double formatting against the C library over many values, and
// encode-then-parse round trips of bulk arrays through RequestParser.
#include <doctest.h>

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "protocol/reply_writer.h"
#include "protocol/request_parser.h"

using respite::protocol::OutputBuffer;
using respite::protocol::ParseStatus;
using respite::protocol::ReplyWriter;
using respite::protocol::RequestParser;

namespace {

std::string text(const OutputBuffer& out) {
  std::vector<iovec> iov(4096);
  size_t n = out.gather(iov.data(), iov.size());
  std::string s;
  for (size_t i = 0; i < n; ++i)
    s.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
  return s;
}

// The bytes one call produces, in the given protocol version.
template <typename F>
std::string reply(int resp, F&& f) {
  OutputBuffer out;
  ReplyWriter w(&out);
  w.set_resp(resp);
  f(w);
  return text(out);
}

void count_release(void* ctx) {
  ++*static_cast<int*>(ctx);
}

}  // namespace

TEST_CASE("simple strings and errors") {
  for (int resp : {2, 3}) {
    CHECK(reply(resp, [](ReplyWriter& w) { w.ok(); }) == "+OK\r\n");
    CHECK(reply(resp, [](ReplyWriter& w) { w.simple("PONG"); }) == "+PONG\r\n");
    CHECK(reply(resp, [](ReplyWriter& w) { w.simple(std::string(1000, 's')); }) ==
          "+" + std::string(1000, 's') + "\r\n");
    CHECK(reply(resp, [](ReplyWriter& w) { w.error("ERR unknown command"); }) ==
          "-ERR unknown command\r\n");
    CHECK(reply(resp, [](ReplyWriter& w) { w.error("WRONGTYPE a\r\nb\nc\r"); }) ==
          "-WRONGTYPE a  b c \r\n");
    CHECK(reply(resp, [](ReplyWriter& w) { w.error("-ERR x"); }) == "-ERR x\r\n");
  }
}

TEST_CASE("integers") {
  for (int resp : {2, 3}) {
    CHECK(reply(resp, [](ReplyWriter& w) { w.integer(0); }) == ":0\r\n");
    CHECK(reply(resp, [](ReplyWriter& w) { w.integer(-1); }) == ":-1\r\n");
    CHECK(reply(resp, [](ReplyWriter& w) { w.integer(INT64_MAX); }) == ":9223372036854775807\r\n");
    CHECK(reply(resp, [](ReplyWriter& w) { w.integer(INT64_MIN); }) == ":-9223372036854775808\r\n");
  }
  char buf[32];
  std::mt19937_64 rng(42);
  std::vector<int64_t> values = {INT64_MIN, INT64_MIN + 1, INT64_MAX, 0, 1, -1};
  int64_t p = 1;
  for (int i = 0; i < 19; ++i) {
    for (int64_t d : {-1, 0, 1}) {
      values.push_back(p + d);
      values.push_back(-(p + d));
    }
    if (i < 18) p *= 10;
  }
  for (int i = 0; i < 20000; ++i) values.push_back(static_cast<int64_t>(rng()) >> (rng() % 64));
  for (int64_t v : values) {
    char want[32];
    snprintf(want, sizeof(want), "%" PRId64, v);
    size_t n = ReplyWriter::format_int(v, buf);
    REQUIRE(std::string(buf, n) == want);
  }
}

TEST_CASE("bulk strings and nulls") {
  for (int resp : {2, 3}) {
    CHECK(reply(resp, [](ReplyWriter& w) { w.bulk("foo"); }) == "$3\r\nfoo\r\n");
    CHECK(reply(resp, [](ReplyWriter& w) { w.bulk(""); }) == "$0\r\n\r\n");
    std::string big(100000, 'b');
    CHECK(reply(resp, [&](ReplyWriter& w) { w.bulk(big); }) == "$100000\r\n" + big + "\r\n");
  }
  CHECK(reply(2, [](ReplyWriter& w) { w.null(); }) == "$-1\r\n");
  CHECK(reply(3, [](ReplyWriter& w) { w.null(); }) == "_\r\n");
  CHECK(reply(2, [](ReplyWriter& w) { w.null_array(); }) == "*-1\r\n");
  CHECK(reply(3, [](ReplyWriter& w) { w.null_array(); }) == "_\r\n");
}

TEST_CASE("bulk_ref: copied when small, referenced when large, released once") {
  int released = 0;
  std::string small(100, 's'), large(20000, 'L');
  {
    OutputBuffer out;
    ReplyWriter w(&out);
    w.bulk_ref(small.data(), small.size(), count_release, &released);
    CHECK(released == 1);  // copied, so its owner is done with it at once
    w.bulk_ref(large.data(), large.size(), count_release, &released);
    CHECK(released == 1);
    CHECK(text(out) == "$100\r\n" + small + "\r\n$20000\r\n" + large + "\r\n");
    out.consume(out.size());
    CHECK(released == 2);
    w.bulk_ref(large.data(), large.size(), count_release, &released);
  }
  CHECK(released == 3);
}

TEST_CASE("aggregates") {
  CHECK(reply(2, [](ReplyWriter& w) { w.array(3); }) == "*3\r\n");
  CHECK(reply(3, [](ReplyWriter& w) { w.array(0); }) == "*0\r\n");
  CHECK(reply(2, [](ReplyWriter& w) { w.map(2); }) == "*4\r\n");
  CHECK(reply(3, [](ReplyWriter& w) { w.map(2); }) == "%2\r\n");
  CHECK(reply(2, [](ReplyWriter& w) { w.set(5); }) == "*5\r\n");
  CHECK(reply(3, [](ReplyWriter& w) { w.set(5); }) == "~5\r\n");
  CHECK(reply(2, [](ReplyWriter& w) { w.push(3); }) == "*3\r\n");
  CHECK(reply(3, [](ReplyWriter& w) { w.push(3); }) == ">3\r\n");
  CHECK(reply(3, [](ReplyWriter& w) {
          w.map(1);
          w.bulk("k");
          w.integer(7);
        }) == "%1\r\n$1\r\nk\r\n:7\r\n");
}

TEST_CASE("doubles as Redis 7.0 formats them") {
  CHECK(reply(3, [](ReplyWriter& w) { w.dbl(1.1); }) == ",1.1000000000000001\r\n");
  CHECK(reply(2, [](ReplyWriter& w) { w.dbl(1.1); }) == "$18\r\n1.1000000000000001\r\n");
  CHECK(reply(3, [](ReplyWriter& w) { w.dbl(3); }) == ",3\r\n");
  CHECK(reply(2, [](ReplyWriter& w) { w.dbl(3); }) == "$1\r\n3\r\n");
  CHECK(reply(2, [](ReplyWriter& w) { w.dbl(-0.5); }) == "$4\r\n-0.5\r\n");
  CHECK(reply(3, [](ReplyWriter& w) { w.dbl(1e300); }) == ",1.0000000000000001e+300\r\n");
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(reply(3, [&](ReplyWriter& w) { w.dbl(inf); }) == ",inf\r\n");
  CHECK(reply(3, [&](ReplyWriter& w) { w.dbl(-inf); }) == ",-inf\r\n");
  CHECK(reply(2, [&](ReplyWriter& w) { w.dbl(inf); }) == "$3\r\ninf\r\n");
  CHECK(reply(2, [&](ReplyWriter& w) { w.dbl(-inf); }) == "$4\r\n-inf\r\n");
  CHECK(reply(3, [](ReplyWriter& w) { w.dbl(std::nan("")); }) == ",nan\r\n");

  // The same text as printf's %.17g over a spread of values.
  std::mt19937_64 rng(7);
  std::vector<double> values = {0.0,         -0.0, 0.1,  1e-320, 5e-324, 1.7976931348623157e308,
                                123456789.0, 1e16, 1e17, 1e-5,   1e-4,   2.5,
                                100};
  for (int i = 0; i < 20000; ++i) {
    uint64_t bits = rng();
    double d;
    memcpy(&d, &bits, sizeof d);
    if (std::isfinite(d)) values.push_back(d);
    values.push_back(static_cast<double>(static_cast<int64_t>(rng() % 2000000) - 1000000) / 1000);
  }
  char buf[64], want[64];
  for (double d : values) {
    snprintf(want, sizeof(want), "%.17g", d);
    size_t n = ReplyWriter::format_double(d, buf, sizeof(buf));
    REQUIRE(std::string(buf, n) == want);
  }
}

TEST_CASE("booleans, verbatim and raw") {
  CHECK(reply(2, [](ReplyWriter& w) { w.boolean(true); }) == ":1\r\n");
  CHECK(reply(2, [](ReplyWriter& w) { w.boolean(false); }) == ":0\r\n");
  CHECK(reply(3, [](ReplyWriter& w) { w.boolean(true); }) == "#t\r\n");
  CHECK(reply(3, [](ReplyWriter& w) { w.boolean(false); }) == "#f\r\n");
  CHECK(reply(3, [](ReplyWriter& w) { w.verbatim("# Server"); }) == "=12\r\ntxt:# Server\r\n");
  CHECK(reply(2, [](ReplyWriter& w) { w.verbatim("# Server"); }) == "$8\r\n# Server\r\n");
  for (int resp : {2, 3}) {
    CHECK(reply(resp, [](ReplyWriter& w) { w.raw("+QUEUED\r\n"); }) == "+QUEUED\r\n");
  }
}

TEST_CASE("protocol version switch") {
  OutputBuffer out;
  ReplyWriter w(&out);
  CHECK(w.resp() == 2);
  w.set_resp(3);
  CHECK(w.resp() == 3);
  w.null();
  w.set_resp(2);
  w.null();
  CHECK(text(out) == "_\r\n$-1\r\n");
  OutputBuffer other;
  w.set_output(&other);
  CHECK(w.output() == &other);
  w.ok();
  CHECK(text(other) == "+OK\r\n");
}

TEST_CASE("bulk arrays round-trip through the parser") {
  std::mt19937 rng(3);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> args(1 + rng() % 20);
    for (auto& a : args) {
      size_t n = rng() % 4 == 0 ? rng() % 40000 : rng() % 40;
      a.resize(n);
      for (auto& c : a) c = static_cast<char>(rng());
    }
    OutputBuffer out;
    ReplyWriter w(&out);
    w.set_resp(round % 2 == 0 ? 2 : 3);
    w.array(args.size());
    for (const auto& a : args) {
      if (a.size() >= OutputBuffer::kRefThreshold && round % 3 == 0) {
        w.bulk_ref(a.data(), a.size(), nullptr, nullptr);
      } else {
        w.bulk(a);
      }
    }
    std::string wire = text(out);
    RequestParser p;
    REQUIRE(p.parse(wire.data(), wire.size()) == ParseStatus::kOk);
    CHECK(p.consumed() == wire.size());
    REQUIRE(p.args().size() == args.size());
    for (size_t i = 0; i < args.size(); ++i) CHECK(p.args()[i] == args[i]);
  }
}
