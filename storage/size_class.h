// The block size an allocator hands out for a request of n bytes, as mimalloc's size classes lay
// them out on x86-64: 8, then 16-byte steps up to 64 (blocks keep max_align_t's 16-byte alignment),
// then four classes per power of two (80, 96, 112, 128, 160, ...). Layout decisions use it to avoid
// landing one byte past a class (Entry::split_saves); accounting never does: it reads
// malloc_usable_size of real blocks.
#pragma once

#include <bit>
#include <cstddef>

namespace respite::storage {

constexpr size_t alloc_class_size(size_t n) {
  if (n <= 8) return 8;
  if (n <= 64) return (n + 15) & ~size_t{15};
  size_t step = size_t{1} << (std::bit_width(n - 1) - 3);  // a quarter of the power of two below
  return (n + step - 1) & ~(step - 1);
}

static_assert(alloc_class_size(67) == 80 && alloc_class_size(135) == 160);
static_assert(alloc_class_size(1016) == 1024 && alloc_class_size(1035) == 1280);
static_assert(alloc_class_size(56) == 64 && alloc_class_size(40) == 48 &&
              alloc_class_size(64) == 64 && alloc_class_size(65) == 80 &&
              alloc_class_size(128) == 128);

}  // namespace respite::storage
