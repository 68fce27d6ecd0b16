// Generators for the hash family. (Being written.)
#include "tests/differential/generator.h"

namespace respite::diff {

void add_hashes_generators(std::vector<CommandGen>& out) {
  (void)out;
}

}  // namespace respite::diff
