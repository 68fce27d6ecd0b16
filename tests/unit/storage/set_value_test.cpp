// Unit tests of storage::SetValue. (Being written.)
#include <doctest.h>

#include "storage/set_value.h"

TEST_CASE("set_value placeholder") {
  CHECK(true);
}
