// storage::HashValue: a hash (field -> value). (Being written.)
#pragma once

#include "storage/entry.h"

namespace respite::storage {}  // namespace respite::storage
