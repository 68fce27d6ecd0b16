// Tests of the entry slabs (storage/slab.h): blocks are the request rounded to 8 or 16 bytes
// inside 1 MiB-aligned slabs, never handed out twice, keep their bytes until freed, and a class's
// emptied slabs are unmapped but for one; and, under TSan, threads allocating and freeing blocks of
// one class at once (entries are freed by whichever thread reclaims them) never share a block.
#include <doctest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

#include "storage/slab.h"

using namespace respite::storage;

namespace {

constexpr uintptr_t kSlabBytes = uintptr_t{1} << 20;

// Writes a pattern of `tag` over n bytes, and checks it.
void fill(void* p, size_t n, uint8_t tag) {
  std::memset(p, tag, n);
}
bool holds(const void* p, size_t n, uint8_t tag) {
  const auto* b = static_cast<const uint8_t*>(p);
  for (size_t i = 0; i < n; i++)
    if (b[i] != tag) return false;
  return true;
}

}  // namespace

TEST_CASE("the range and the 16-byte classes") {
  CHECK_FALSE(slab::serves(slab::kMin - 1));
  CHECK(slab::serves(slab::kMin));
  CHECK(slab::serves(slab::kMax));
  CHECK_FALSE(slab::serves(slab::kMax + 1));
  CHECK(slab::class_bytes(1025) == 1040);
  CHECK(slab::class_bytes(1040) == 1040);
  CHECK(slab::class_bytes(257) == 272);
  CHECK(slab::class_bytes(256) == 256);
  CHECK(slab::class_bytes(56) == 56);
  CHECK(slab::class_bytes(57) == 64);
  CHECK(slab::class_bytes(16) == 16);
}

TEST_CASE("blocks are distinct, stay in their slab and keep their bytes") {
  std::vector<std::pair<void*, size_t>> blocks;
  std::set<uintptr_t> seen;
  for (size_t n = slab::kMin; n <= slab::kMax; n += 37) {
    for (int i = 0; i < 3; i++) {
      void* p = slab::alloc(n);
      uintptr_t a = reinterpret_cast<uintptr_t>(p);
      CHECK(seen.insert(a).second);
      CHECK(a % 8 == 0);
      // The whole block lies in the 1 MiB slab its address rounds down to, past its header.
      CHECK((a & (kSlabBytes - 1)) >= 64);
      CHECK(((a + slab::class_bytes(n) - 1) & ~(kSlabBytes - 1)) == (a & ~(kSlabBytes - 1)));
      fill(p, n, static_cast<uint8_t>(blocks.size()));
      blocks.emplace_back(p, n);
    }
  }
  for (size_t i = 0; i < blocks.size(); i++) {
    CHECK(holds(blocks[i].first, blocks[i].second, static_cast<uint8_t>(i)));
  }
  for (auto& [p, n] : blocks) slab::free(p, n);
  // A freed block is handed out again before a new one is carved.
  void* a = slab::alloc(1000);
  slab::free(a, 1000);
  void* b = slab::alloc(1000);
  CHECK(a == b);
  slab::free(b, 1000);
}

TEST_CASE("a class's emptied slabs are unmapped, but for one") {
  const size_t before = slab::slabs_mapped();
  // 4,096-byte blocks: 255 to a slab, so 1,000 need four; one may be kept from an earlier test.
  std::vector<void*> blocks;
  for (int i = 0; i < 1000; i++) blocks.push_back(slab::alloc(4096));
  CHECK(slab::slabs_mapped() >= before + 3);
  for (void* p : blocks) slab::free(p, 4096);
  slab::flush_thread_cache();  // this thread kept a few freed blocks for its next allocations
  CHECK(slab::slabs_mapped() <= before + 1);
  // Allocating again reuses the kept slab: nothing new is mapped for one block.
  const size_t kept = slab::slabs_mapped();
  void* p = slab::alloc(4096);
  CHECK(slab::slabs_mapped() == kept);
  slab::free(p, 4096);
}

TEST_CASE("threads allocating and freeing one class never share a block") {
  constexpr int kThreads = 4, kRounds = 3000, kHeld = 64;
  constexpr size_t kSize = 1025;
  std::vector<std::thread> ts;
  std::atomic<int> bad{0};
  for (int t = 0; t < kThreads; t++) {
    ts.emplace_back([&, t] {
      std::vector<void*> held;
      const uint8_t tag = static_cast<uint8_t>(t + 1);
      for (int r = 0; r < kRounds; r++) {
        void* p = slab::alloc(kSize);
        fill(p, kSize, tag);
        held.push_back(p);
        if (held.size() == kHeld || r == kRounds - 1) {
          // Another thread's block, or one handed out twice, would show its tag here.
          for (void* q : held) {
            if (!holds(q, kSize, tag)) bad.fetch_add(1);
            slab::free(q, kSize);
          }
          held.clear();
        }
      }
    });
  }
  for (auto& t : ts) t.join();
  CHECK(bad.load() == 0);
}

TEST_CASE("a block freed by another thread goes back to the slab's own arena") {
  // Entries are freed by whichever thread reclaims them: the blocks here are carved by one thread
  // (its arena) and freed by two others (their own arenas, other mutexes), while a fourth carves
  // more from the first thread's class. Afterwards the slabs empty and are unmapped as usual.
  const size_t before = slab::slabs_mapped();
  constexpr size_t kSize = 2000;
  std::vector<void*> blocks(1000);
  std::thread maker([&] {
    for (auto& p : blocks) {
      p = slab::alloc(kSize);
      fill(p, kSize, 0x5a);
    }
  });
  maker.join();
  std::atomic<int> bad{0};
  auto free_half = [&](size_t from) {
    for (size_t i = from; i < blocks.size(); i += 2) {
      if (!holds(blocks[i], kSize, 0x5a)) bad.fetch_add(1);
      slab::free(blocks[i], kSize);
    }
  };
  std::thread a(free_half, 0), b(free_half, 1);
  std::thread other([&] {
    std::vector<void*> mine;
    for (int i = 0; i < 500; i++) mine.push_back(slab::alloc(kSize));
    for (void* p : mine) slab::free(p, kSize);
  });
  a.join();
  b.join();
  other.join();
  CHECK(bad.load() == 0);
  // 1,000 blocks of 2,000 bytes took two slabs, the other thread's one or two: each arena keeps
  // at most one.
  CHECK(slab::slabs_mapped() <= before + 2);
}
