// storage::ZSetValue: a sorted set; see zset_value.h. (Being written.)
#include "storage/zset_value.h"

namespace respite::storage {}  // namespace respite::storage
