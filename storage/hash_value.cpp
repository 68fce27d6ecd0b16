// storage::HashValue: a hash (field -> value); see hash_value.h. (Being written.)
#include "storage/hash_value.h"

namespace respite::storage {}  // namespace respite::storage
