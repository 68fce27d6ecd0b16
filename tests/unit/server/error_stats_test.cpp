// Unit tests of the error-code counter behind INFO errorstats (server/error_stats.h): which first
// word an error reply is counted under (Redis 7.0's afterErrorReply rule), INFO's name for it, and
// counting, summing over workers and resetting.
#include <doctest.h>

#include <map>
#include <string>

#include "server/error_stats.h"

using namespace respite::server;

TEST_CASE("error_code: the first word, or ERR when none ends within 31 bytes") {
  CHECK(error_code("WRONGTYPE Operation against a key") == "WRONGTYPE");
  CHECK(error_code("ERR unknown command") == "ERR");
  CHECK(error_code("MY_ERR_CODE custom msg") == "MY_ERR_CODE");
  CHECK(error_code("ERR") == "ERR");
  CHECK(error_code("") == "ERR");
  CHECK(error_code(std::string(30, 'X') + " x") == std::string(30, 'X'));
  CHECK(error_code(std::string(31, 'X') + " x") == "ERR");
  CHECK(errorstat_name("A:B#C") == "errorstat_A_B_C");
}

TEST_CASE("ErrorStats counts by code and resets") {
  ErrorStats s;
  s.count("ERR x");
  s.count("ERR y");
  s.count("WRONGTYPE z");
  CHECK(s.total() == 3);
  std::map<std::string, uint64_t, std::less<>> m;
  s.add_to(m);
  s.add_to(m);  // sums, as INFO does over the workers
  CHECK(m["ERR"] == 4);
  CHECK(m["WRONGTYPE"] == 2);
  s.reset();
  CHECK(s.total() == 0);
  m.clear();
  s.add_to(m);
  CHECK(m.empty());
}
