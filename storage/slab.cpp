// Slabs of entries up to 4 KiB and the per-thread caches in front of them: see slab.h for the
// layout and the locking.
#include "storage/slab.h"

#include <sys/mman.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define RESPITE_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define RESPITE_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define RESPITE_POISON(p, n) ((void)(p), (void)(n))
#define RESPITE_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace respite::storage::slab {

namespace {

constexpr size_t kSlabBytes = size_t{1} << 20;
constexpr size_t kHeaderBytes = 64;
constexpr size_t kSmallClasses = (kSmallMax - kMin) / 8 + 1;
constexpr size_t kClasses = kSmallClasses + (kMax - kSmallMax) / 16;
// Independent sets of classes; a thread allocates from one, picked round-robin when it first
// allocates, and a block goes back to its slab's set. With one set, workers writing values of one
// size would all queue on one mutex: two allocations and a free per overwrite, each bouncing its
// cache line between cores.
constexpr size_t kArenas = 16;

struct Slab {
  Slab* prev;  // in its class's list of slabs with room
  Slab* next;
  void* free_list;  // freed blocks, each holding the next one's address
  uint32_t used;    // blocks handed out and not freed
  uint32_t bump;    // offset of the first never-used block
  uint32_t block;   // the class's block bytes
  uint32_t arena;   // the set of classes it belongs to
  bool listed;      // in the list of slabs with room
  char* base() { return reinterpret_cast<char*>(this); }
  bool full() const { return !free_list && bump + block > kSlabBytes; }
};
static_assert(sizeof(Slab) <= kHeaderBytes);

struct Class {
  std::mutex mu;
  Slab* room = nullptr;  // slabs with a free or never-used block
  void link(Slab* s) {
    s->prev = nullptr;
    s->next = room;
    if (room) room->prev = s;
    room = s;
    s->listed = true;
  }
  void unlink(Slab* s) {
    if (s->prev) s->prev->next = s->next;
    if (s->next) s->next->prev = s->prev;
    if (room == s) room = s->next;
    s->listed = false;
  }
};

Class g_classes[kArenas][kClasses];
std::atomic<size_t> g_mapped{0};
std::atomic<uint32_t> g_next_arena{0};

uint32_t my_arena() {
  thread_local uint32_t arena = g_next_arena.fetch_add(1, std::memory_order_relaxed) % kArenas;
  return arena;
}

size_t class_index(size_t n) {
  size_t c = class_bytes(n);
  return c <= kSmallMax ? (c - kMin) / 8 : kSmallClasses + (c - kSmallMax) / 16 - 1;
}

Slab* map_slab(uint32_t block, uint32_t arena) {
  // Twice the size, then the unaligned ends are handed back: the kernel aligns only to pages.
  void* m =
      mmap(nullptr, 2 * kSlabBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) throw std::bad_alloc();
  uintptr_t a = reinterpret_cast<uintptr_t>(m);
  uintptr_t aligned = (a + kSlabBytes - 1) & ~(kSlabBytes - 1);
  if (aligned > a) munmap(m, aligned - a);
  size_t tail = a + 2 * kSlabBytes - (aligned + kSlabBytes);
  if (tail) munmap(reinterpret_cast<void*>(aligned + kSlabBytes), tail);
  Slab* s = new (reinterpret_cast<void*>(aligned)) Slab();
  s->block = block;
  s->arena = arena;
  s->bump = kHeaderBytes;
  RESPITE_POISON(s->base() + kHeaderBytes, kSlabBytes - kHeaderBytes);
  g_mapped.fetch_add(1, std::memory_order_relaxed);
  return s;
}

void unmap_slab(Slab* s) {
  RESPITE_UNPOISON(s->base(), kSlabBytes);
  munmap(s, kSlabBytes);
  g_mapped.fetch_sub(1, std::memory_order_relaxed);
}

// Takes a block from arena `arena`'s class `ci` (locked by the caller): a freed one first, else a
// never-used one; maps a slab when none has room.
void* take_locked(Class& c, uint32_t arena, uint32_t block) {
  Slab* s = c.room;
  if (!s) {
    s = map_slab(block, arena);
    c.link(s);
  }
  char* p;
  if (s->free_list) {
    p = static_cast<char*>(s->free_list);
    RESPITE_UNPOISON(p, sizeof(void*));
    s->free_list = *reinterpret_cast<void**>(p);
    RESPITE_POISON(p, sizeof(void*));
  } else {
    p = s->base() + s->bump;
    s->bump += s->block;
  }
  s->used++;
  if (s->full()) c.unlink(s);
  return p;
}

// Gives a block back to its slab, under its arena's class lock.
void give_back(void* p, size_t ci) {
  Slab* s = reinterpret_cast<Slab*>(reinterpret_cast<uintptr_t>(p) & ~(kSlabBytes - 1));
  // The slab's arena was set before the slab was first handed out, under a lock every later
  // holder of this block took since: reading it here, before locking, is ordered after that.
  Class& c = g_classes[s->arena][ci];
  std::lock_guard<std::mutex> lock(c.mu);
  RESPITE_UNPOISON(p, sizeof(void*));
  *static_cast<void**>(p) = s->free_list;
  RESPITE_POISON(p, sizeof(void*));
  s->free_list = p;
  s->used--;
  if (!s->listed) c.link(s);
  if (s->used == 0 && (s->prev || s->next)) {  // empty, and not the class's only slab with room
    c.unlink(s);
    unmap_slab(s);
  }
}

// A thread's cache of free blocks per class, so that the common allocation and free take no lock:
// an overwrite allocates a block and, once readers are done with the old entry, frees one of the
// same class on the same thread. A class's cache holds at most kCacheBytes of blocks (at least
// 4): past that, half goes back to the slabs; when empty, half of it is taken from the thread's
// arena under one lock. Cached blocks count as used in their slabs. A thread that ends gives its
// cache back.
constexpr size_t kCacheBytes = 8 << 10;

struct Cache {
  struct Bin {
    void* head = nullptr;
    uint32_t count = 0;
  };
  Bin bins[kClasses];
  ~Cache() { clear(); }
  void clear() {
    for (size_t ci = 0; ci < kClasses; ci++) trim(ci, 0);
  }
  // Gives all but `keep` of class ci's cached blocks back.
  void trim(size_t ci, uint32_t keep) {
    Bin& b = bins[ci];
    while (b.count > keep) {
      void* p = b.head;
      RESPITE_UNPOISON(p, sizeof(void*));
      b.head = *static_cast<void**>(p);
      b.count--;
      give_back(p, ci);
    }
  }
  static uint32_t limit(size_t block) {
    size_t n = kCacheBytes / block;
    return static_cast<uint32_t>(n < 4 ? 4 : n);
  }
};

thread_local Cache t_cache;

}  // namespace

void* alloc(size_t n) {
  const size_t ci = class_index(n);
  Cache::Bin& b = t_cache.bins[ci];
  if (!b.head) [[unlikely]] {  // refill half the cache from this thread's arena
    const uint32_t arena = my_arena();
    const uint32_t block = static_cast<uint32_t>(class_bytes(n));
    Class& c = g_classes[arena][ci];
    std::lock_guard<std::mutex> lock(c.mu);
    for (uint32_t i = 0, want = Cache::limit(block) / 2 + 1; i < want; i++) {
      void* p = take_locked(c, arena, block);
      RESPITE_UNPOISON(p, sizeof(void*));
      *static_cast<void**>(p) = b.head;
      RESPITE_POISON(p, sizeof(void*));
      b.head = p;
      b.count++;
    }
  }
  void* p = b.head;
  RESPITE_UNPOISON(p, sizeof(void*));
  b.head = *static_cast<void**>(p);
  b.count--;
  RESPITE_UNPOISON(p, n);
  return p;
}

void free(void* p, size_t n) {
  const size_t ci = class_index(n);
  Cache::Bin& b = t_cache.bins[ci];
  RESPITE_POISON(p, class_bytes(n));
  RESPITE_UNPOISON(p, sizeof(void*));
  *static_cast<void**>(p) = b.head;
  RESPITE_POISON(p, sizeof(void*));
  b.head = p;
  const uint32_t limit = Cache::limit(class_bytes(n));
  if (++b.count > limit) [[unlikely]]
    t_cache.trim(ci, limit / 2);
}

void flush_thread_cache() {
  t_cache.clear();
}

size_t slabs_mapped() {
  return g_mapped.load(std::memory_order_relaxed);
}

}  // namespace respite::storage::slab
