// Mid-size entries (256 bytes to 4 KiB) in 16-byte classes carved from 1 MiB slabs.
//
// Why not the allocator: mimalloc (like jemalloc) steps its classes by a quarter of a power of two,
// so above 256 bytes an entry wastes 12% of its size on average: an 11-byte key with a 1,000-byte
// value is a 1,025-byte entry in a 1,280-byte block. Splitting the value into a Blob of its own
// (entry.h) only moves the slack: 32 + 1,024 bytes, and mimalloc starts its pages of blocks up to
// 1 KiB one block in, so a 1,024-byte block costs 1,040. Entries are never resized, and their
// size is known again when they are freed, so exact classes are cheap to serve here: 16-byte
// steps waste 7.5 bytes on average, and 1 MiB slabs waste less than one block each.
//
// Layout: a slab is 1 MiB, mapped from the kernel and aligned to 1 MiB, serving one class. Its
// header (the class, a free list, counts, links) sits in its first 64 bytes; blocks follow. A
// block's slab is its address rounded down to 1 MiB. Never-used blocks are handed out from a bump
// offset, so a slab's pages become resident only as it fills.
//
// Concurrency: there are 16 arenas, each with every class; a thread allocates from the arena it
// was given (round-robin) when it first allocated, and a block is freed into its slab's arena. One
// mutex per class of an arena guards its slabs (their free lists, counts and the list of slabs
// with room). Entries are allocated by any worker and freed by whichever thread reclaims them
// (epoch.h), so the lock is taken once per allocation or free of a mid-size entry; it is
// contended only when threads sharing an arena, or freeing into it, touch one 16-byte class at
// once. A slab whose last block is freed is unmapped, unless it is its class's only slab with room
// in that arena (so that a key rewritten over and over does not map and unmap a slab each time).
//
// Under AddressSanitizer free blocks and each block's bytes past its request are poisoned, so an
// overrun or a use after free inside a slab is reported as it would be with malloc.
#pragma once

#include <cstddef>

namespace respite::storage::slab {

inline constexpr size_t kMin = 256;
inline constexpr size_t kMax = 4096;
inline constexpr size_t kStep = 16;

// Whether an allocation of n bytes is served here.
inline bool serves(size_t n) {
  return n >= kMin && n <= kMax;
}
// The bytes a block of n (served here) takes.
inline size_t class_bytes(size_t n) {
  return (n + kStep - 1) & ~(kStep - 1);
}

// n must be served here; throws std::bad_alloc when the kernel refuses a slab.
void* alloc(size_t n);
// p from alloc(n), with the same n.
void free(void* p, size_t n);

// Slabs mapped now, for tests and INFO.
size_t slabs_mapped();

}  // namespace respite::storage::slab
