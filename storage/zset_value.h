// storage::ZSetValue: a sorted set. (Being written.)
#pragma once

#include "storage/entry.h"

namespace respite::storage {}  // namespace respite::storage
