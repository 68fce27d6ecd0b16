// storage::SetValue: a set; see set_value.h. (Being written.)
#include "storage/set_value.h"

namespace respite::storage {}  // namespace respite::storage
