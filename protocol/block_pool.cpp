// The pool's destructor: the kept blocks go back to the allocator. See block_pool.h.
#include "protocol/block_pool.h"

#include <cstdlib>

namespace respite::protocol {

BlockPool::~BlockPool() {
  while (void* b = take()) std::free(b);
}

}  // namespace respite::protocol
