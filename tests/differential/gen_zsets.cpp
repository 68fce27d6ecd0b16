// Generators for the sorted-set family. (Being written.)
#include "tests/differential/generator.h"

namespace respite::diff {

void add_zsets_generators(std::vector<CommandGen>& out) {
  (void)out;
}

}  // namespace respite::diff
