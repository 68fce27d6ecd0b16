// storage::ListValue: a list; see list_value.h. (Being written.)
#include "storage/list_value.h"

namespace respite::storage {}  // namespace respite::storage
