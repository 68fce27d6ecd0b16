// Integration tests of the sets commands against the real server. (Being written.)
#include "tests/integration/harness.h"

using namespace respite::test;

TEST_CASE("sets: the server answers") {
  Fixture f;
  CHECK(f.cmd({"PING"}) == Reply::Status("PONG"));
}
