// Unit tests of MONITOR's line (server/monitor.h): Redis's layout (time with microseconds, the
// database and client in brackets, every argument quoted) and sdscatrepr's escaping of each
// special byte.
#include "server/monitor.h"

#include <doctest.h>

#include <string>
#include <vector>

using namespace respite::server;

TEST_CASE("a monitor line is +<sec>.<usec> [db client] \"arg\" ... CRLF") {
  std::vector<std::string_view> argv = {"keys", "*"};
  CHECK(monitor_line(1339518083107412, 0, "127.0.0.1:60866", argv) ==
        "+1339518083.107412 [0 127.0.0.1:60866] \"keys\" \"*\"\r\n");
  // Microseconds keep their six digits; scripts show as lua.
  std::vector<std::string_view> set = {"set", "k", "v"};
  CHECK(monitor_line(1000000000000005, 3, "lua", set) ==
        "+1000000000.000005 [3 lua] \"set\" \"k\" \"v\"\r\n");
  std::vector<std::string_view> empty_arg = {"echo", ""};
  CHECK(monitor_line(1000000, 15, "unix:/tmp/r.sock", empty_arg) ==
        "+1.000000 [15 unix:/tmp/r.sock] \"echo\" \"\"\r\n");
}

TEST_CASE("arguments are escaped as Redis's sdscatrepr") {
  std::string out;
  append_repr(out, std::string_view("a\"b\\c\n\r\t\a\b\x01\x7f\xff ~", 15));
  CHECK(out == "\"a\\\"b\\\\c\\n\\r\\t\\a\\b\\x01\\x7f\\xff ~\"");
  std::string nul;
  append_repr(nul, std::string_view("\0", 1));
  CHECK(nul == "\"\\x00\"");
}
