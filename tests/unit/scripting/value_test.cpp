// Unit tests of write_value: a script's reply tree written through ReplyWriter, byte for byte in
// RESP2 and RESP3 (maps flatten, booleans and doubles degrade in RESP2 as Redis sends them).
#include <doctest.h>

#include <string>
#include <vector>

#include "protocol/reply_writer.h"
#include "scripting/value.h"

using respite::protocol::OutputBuffer;
using respite::protocol::ReplyWriter;
using respite::scripting::Value;
using respite::scripting::write_value;

namespace {

std::string wire(int resp, const Value& v) {
  OutputBuffer out;
  ReplyWriter w(&out);
  w.set_resp(resp);
  write_value(w, v);
  std::vector<iovec> iov(64);
  size_t n = out.gather(iov.data(), iov.size());
  std::string s;
  for (size_t i = 0; i < n; ++i)
    s.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
  return s;
}

}  // namespace

TEST_CASE("scalars") {
  CHECK(wire(2, Value::integer_of(-7)) == ":-7\r\n");
  CHECK(wire(2, Value::bulk("ab")) == "$2\r\nab\r\n");
  CHECK(wire(2, Value::status("OK")) == "+OK\r\n");
  CHECK(wire(2, Value::error("ERR x")) == "-ERR x\r\n");
  CHECK(wire(2, Value::null()) == "$-1\r\n");
  CHECK(wire(3, Value::null()) == "_\r\n");
  CHECK(wire(2, Value::null_array()) == "*-1\r\n");
  CHECK(wire(3, Value::boolean_of(true)) == "#t\r\n");
  CHECK(wire(2, Value::boolean_of(true)) == ":1\r\n");
  CHECK(wire(3, Value::double_of(1.5)) == ",1.5\r\n");
  CHECK(wire(2, Value::double_of(1.5)) == "$3\r\n1.5\r\n");
  CHECK(wire(3, Value::big_number("12345678901234567890")) == "(12345678901234567890\r\n");
  CHECK(wire(2, Value::big_number("12345678901234567890")) == "$20\r\n12345678901234567890\r\n");
}

TEST_CASE("aggregates") {
  Value v = Value::array({Value::integer_of(1), Value::map({Value::bulk("k"), Value::bulk("v")})});
  CHECK(wire(3, v) == "*2\r\n:1\r\n%1\r\n$1\r\nk\r\n$1\r\nv\r\n");
  CHECK(wire(2, v) == "*2\r\n:1\r\n*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
  CHECK(wire(3, Value::set({Value::bulk("a")})) == "~1\r\n$1\r\na\r\n");
  CHECK(wire(2, Value::set({Value::bulk("a")})) == "*1\r\n$1\r\na\r\n");
}
