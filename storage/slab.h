// Entries of up to 4 KiB in exact classes carved from 1 MiB slabs: 8-byte steps up to 256 bytes,
// 16-byte steps above.
//
// Why not the allocator: mimalloc keeps 16-byte steps up to 64 bytes (max_align_t), and above 64
// steps by a quarter of a power of two, so an entry wastes 12% of its size on average: an 11-byte
// key with a 32-byte value is a 56-byte entry in a 64-byte block, and with a 1,000-byte value a
// 1,025-byte entry in a 1,280-byte block. Splitting the value into a Blob of its own (entry.h) only
// moves the slack: 32 + 1,024 bytes, and mimalloc starts its pages of blocks up to 1 KiB one block
// in, so a 1,024-byte block costs 1,040. Entries need only 8-byte alignment, are never resized,
// and know their size again when they are freed, so exact classes are cheap to serve here: they
// waste 3.5 bytes on average up to 256 and 7.5 above, and 1 MiB slabs less than one block each.
//
// Layout: a slab is 1 MiB, mapped from the kernel and aligned to 1 MiB, serving one class. Its
// header (the class, a free list, counts, links) sits in its first 64 bytes; blocks follow. A
// block's slab is its address rounded down to 1 MiB. Never-used blocks are handed out from a bump
// offset, so a slab's pages become resident only as it fills.
//
// Concurrency: each thread keeps a small cache of free blocks per class (at most 8 KiB of them),
// so most allocations and frees take no lock: an overwrite allocates a block and, once readers
// are done with the old entry, frees one of the same class on the same thread. Behind the caches
// there are 16 arenas, each with every class; a thread refills from the arena it was given
// (round-robin) when it first allocated, half a cache at a time, and an overfull cache gives half
// back, each block into its slab's arena. One mutex per class of an arena guards its slabs (their
// free lists, counts and the list of slabs with room). A slab whose last block comes back is
// unmapped, unless it is its class's only slab with room in that arena (so that a key rewritten
// over and over does not map and unmap a slab each time). Blocks in caches count as used.
//
// Under AddressSanitizer free blocks and each block's bytes past its request are poisoned, so an
// overrun or a use after free inside a slab is reported as it would be with malloc.
#pragma once

#include <cstddef>

namespace respite::storage::slab {

inline constexpr size_t kMin = 16;        // an Entry object's size (entry.h): no entry is smaller
inline constexpr size_t kSmallMax = 256;  // 8-byte steps up to here, 16-byte steps above
inline constexpr size_t kMax = 4096;

// Whether an allocation of n bytes is served here.
inline bool serves(size_t n) {
  return n >= kMin && n <= kMax;
}
// The bytes a block of n (served here) takes.
inline size_t class_bytes(size_t n) {
  return n <= kSmallMax ? (n + 7) & ~size_t{7} : (n + 15) & ~size_t{15};
}

// n must be served here; throws std::bad_alloc when the kernel refuses a slab.
void* alloc(size_t n);
// p from alloc(n), with the same n.
void free(void* p, size_t n);

// Gives the calling thread's cached free blocks back to their slabs (a thread's cache is given
// back when it ends; tests call this to see slabs empty).
void flush_thread_cache();

// Slabs mapped now (tests watch slabs empty and go).
size_t slabs_mapped();

}  // namespace respite::storage::slab
