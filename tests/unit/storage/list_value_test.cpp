// Unit tests of storage::ListValue. (Being written.)
#include <doctest.h>

#include "storage/list_value.h"

TEST_CASE("list_value placeholder") {
  CHECK(true);
}
