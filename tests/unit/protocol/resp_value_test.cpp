// Unit tests of RespValue's builders and of write_reply (reply_reader.h): a reply tree written
// through ReplyWriter, byte for byte in RESP2 and RESP3 (maps flatten, booleans and doubles degrade
// in RESP2 as Redis sends them), and built values equal to what the reader makes of the same
// bytes, since the scripting layer builds replies that are compared with read ones. The byte
// cases came from the scripting layer's own tree, which RespValue replaced.
#include <doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "protocol/reply_reader.h"
#include "protocol/reply_writer.h"

using respite::protocol::OutputBuffer;
using respite::protocol::ParseStatus;
using respite::protocol::ReplyReader;
using respite::protocol::ReplyWriter;
using respite::protocol::RespValue;
using respite::protocol::write_reply;
using T = RespValue::Type;

namespace {

std::string wire(int resp, const RespValue& v) {
  OutputBuffer out;
  ReplyWriter w(&out);
  w.set_resp(resp);
  write_reply(w, v);
  std::string s;
  out.drain_to(&s);
  return s;
}

RespValue read(const std::string& bytes) {
  ReplyReader r;
  RespValue v;
  REQUIRE(r.read(bytes, &v) == ParseStatus::kOk);
  CHECK(r.consumed() == bytes.size());
  return v;
}

}  // namespace

TEST_CASE("scalars") {
  CHECK(wire(2, RespValue::integer_of(-7)) == ":-7\r\n");
  CHECK(wire(2, RespValue::bulk("ab")) == "$2\r\nab\r\n");
  CHECK(wire(2, RespValue::simple("OK")) == "+OK\r\n");
  CHECK(wire(2, RespValue::error("ERR x")) == "-ERR x\r\n");
  CHECK(wire(2, RespValue::null()) == "$-1\r\n");
  CHECK(wire(3, RespValue::null()) == "_\r\n");
  CHECK(wire(2, RespValue::null_bulk()) == "$-1\r\n");
  CHECK(wire(3, RespValue::null_bulk()) == "_\r\n");
  CHECK(wire(2, RespValue::null_array()) == "*-1\r\n");
  CHECK(wire(3, RespValue::null_array()) == "_\r\n");
  CHECK(wire(3, RespValue::boolean_of(true)) == "#t\r\n");
  CHECK(wire(2, RespValue::boolean_of(true)) == ":1\r\n");
  CHECK(wire(3, RespValue::boolean_of(false)) == "#f\r\n");
  CHECK(wire(2, RespValue::boolean_of(false)) == ":0\r\n");
  CHECK(wire(3, RespValue::double_of(1.5)) == ",1.5\r\n");
  CHECK(wire(2, RespValue::double_of(1.5)) == "$3\r\n1.5\r\n");
  CHECK(wire(3, RespValue::big_number("12345678901234567890")) == "(12345678901234567890\r\n");
  CHECK(wire(2, RespValue::big_number("12345678901234567890")) ==
        "$20\r\n12345678901234567890\r\n");
  // The writer's verbatim strings are always txt: the format is kept in the tree, not sent.
  CHECK(wire(3, RespValue::verbatim("txt", "hi")) == "=6\r\ntxt:hi\r\n");
  CHECK(wire(2, RespValue::verbatim("txt", "hi")) == "$2\r\nhi\r\n");
}

TEST_CASE("aggregates") {
  RespValue v = RespValue::array(
      {RespValue::integer_of(1), RespValue::map({RespValue::bulk("k"), RespValue::bulk("v")})});
  CHECK(wire(3, v) == "*2\r\n:1\r\n%1\r\n$1\r\nk\r\n$1\r\nv\r\n");
  CHECK(wire(2, v) == "*2\r\n:1\r\n*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
  CHECK(wire(3, RespValue::set({RespValue::bulk("a")})) == "~1\r\n$1\r\na\r\n");
  CHECK(wire(2, RespValue::set({RespValue::bulk("a")})) == "*1\r\n$1\r\na\r\n");
  CHECK(wire(3, RespValue::push({RespValue::bulk("a")})) == ">1\r\n$1\r\na\r\n");
  CHECK(wire(2, RespValue::push({RespValue::bulk("a")})) == "*1\r\n$1\r\na\r\n");
  CHECK(wire(2, RespValue::array({})) == "*0\r\n");
}

TEST_CASE("builders set one type and its one field") {
  CHECK(RespValue::null() == RespValue{});
  CHECK(RespValue::null().is_null());
  CHECK(RespValue::null_bulk().is_null());
  CHECK(RespValue::null_array().is_null());
  CHECK(RespValue::error("ERR x").is_error());
  CHECK(RespValue::simple("OK").type == T::kSimple);
  CHECK(RespValue::simple("OK").str == "OK");
  // A boolean lives in `integer`, as the reader puts it.
  CHECK(RespValue::boolean_of(true).integer == 1);
  CHECK(RespValue::boolean_of(false).integer == 0);
  RespValue d = RespValue::double_of(0.1);
  CHECK(d.dbl == 0.1);
  CHECK(d.str == "0.10000000000000001");  // Redis's %.17g, the text ReplyWriter::dbl sends
  RespValue verb = RespValue::verbatim("mkd", "# x");
  CHECK(verb.format == "mkd");
  CHECK(verb.str == "# x");
  CHECK(RespValue::map({RespValue::bulk("k"), RespValue::integer_of(1)}).elements.size() == 2);
  CHECK(RespValue::array({RespValue::null()}).is_aggregate());
}

TEST_CASE("a built value equals what the reader makes of its bytes") {
  // Lossless in RESP3 for every type but the RESP2 nulls (both become _) and non-txt verbatims.
  std::vector<RespValue> values = {
      RespValue::null(),
      RespValue::simple("PONG"),
      RespValue::error("WRONGTYPE Operation against a key holding the wrong kind of value"),
      RespValue::integer_of(std::numeric_limits<int64_t>::min()),
      RespValue::bulk(std::string("a\0\r\nb", 5)),
      RespValue::double_of(3.5),
      RespValue::double_of(-std::numeric_limits<double>::infinity()),
      RespValue::double_of(1e300),
      RespValue::boolean_of(true),
      RespValue::boolean_of(false),
      RespValue::big_number("-123456789012345678901234567890"),
      RespValue::verbatim("txt", "some text"),
      RespValue::array({RespValue::integer_of(1), RespValue::null(), RespValue::bulk("x")}),
      RespValue::map({RespValue::bulk("f"), RespValue::set({RespValue::bulk("m")})}),
      RespValue::push({RespValue::bulk("message"), RespValue::bulk("ch")}),
  };
  for (const RespValue& v : values) {
    INFO(v.to_string());
    CHECK(read(wire(3, v)) == v);
  }
  // In RESP2 the nulls keep their wire form.
  CHECK(read(wire(2, RespValue::null_bulk())) == RespValue::null_bulk());
  CHECK(read(wire(2, RespValue::null_array())) == RespValue::null_array());
  // The reader's double keeps the text it was sent; a built one has Redis's text for its value.
  CHECK(read(",1.5\r\n") == RespValue::double_of(1.5));
  CHECK(read(",inf\r\n") == RespValue::double_of(std::numeric_limits<double>::infinity()));
}
