// Integration tests of the blocking commands against the real server. (Being written.)
#include "tests/integration/harness.h"

using namespace respite::test;

TEST_CASE("blocking: the server answers") {
  Fixture f;
  CHECK(f.cmd({"PING"}) == Reply::Status("PONG"));
}
