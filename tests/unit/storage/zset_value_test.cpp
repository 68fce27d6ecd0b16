// Unit tests of storage::ZSetValue. (Being written.)
#include <doctest.h>

#include "storage/zset_value.h"

TEST_CASE("zset_value placeholder") {
  CHECK(true);
}
