// Generators for the set family. (Being written.)
#include "tests/differential/generator.h"

namespace respite::diff {

void add_sets_generators(std::vector<CommandGen>& out) {
  (void)out;
}

}  // namespace respite::diff
