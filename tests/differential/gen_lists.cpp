// Generators for the list family (non-blocking commands; blocking ones cannot be compared step by
// step). (Being written.)
#include "tests/differential/generator.h"

namespace respite::diff {

void add_lists_generators(std::vector<CommandGen>& out) {
  (void)out;
}

}  // namespace respite::diff
