// Unit tests of storage::HashValue. (Being written.)
#include <doctest.h>

#include "storage/hash_value.h"

TEST_CASE("hash_value placeholder") {
  CHECK(true);
}
