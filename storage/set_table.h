// storage::MemberTable: the "hashtable" encoding of a set: a table of distinct byte strings.
//
// Layout: two allocations, whatever the number of members.
//   slots_  2^k 64-bit slots, linear probing. A slot is 0 when empty, else
//           [hash bits 40..63: 24-bit tag][arena offset + 1: 40 bits]. The tag turns almost every
//           probe that meets another member into a register comparison instead of a memcmp.
//   arena_  the member bytes, each as [LEB128 length][bytes], appended in insertion order.
// A member costs its bytes plus a length byte or two, plus 8 / load bytes of slot: about 20 bytes
// of overhead for a short member, against Redis's ~60 (a dictEntry, an sds header and a bucket).
//
// Deletion shifts the following members of the probe run back (no tombstones), so every member
// lies in the unbroken run of occupied slots that starts at its home slot (hash & mask). Erased
// member bytes become garbage in the arena; once garbage outweighs live bytes the arena is
// rewritten (compact()), so the waste stays below half. The table doubles above 3/4 load and halves
// below 1/8 (as Redis shrinks its dicts below 10% fill), which also keeps random picks, done by
// drawing slots until an occupied one comes up, at a few draws and uniform over the members.
//
// SSCAN: a cursor names a home slot in reverse-binary order, exactly as Redis's dictScan; a call
// returns every member whose home is that slot (found in the run starting there). Because homes
// are hash & mask, a member present for a whole scan is returned even if the table was resized
// between calls; a shrink may return some members twice, as in Redis.
//
// Complexity: insert/erase/contains O(1) expected; resizes and compaction O(n), amortised O(1).
// Not thread-safe: a set is only touched under its shard's lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "storage/random.h"

namespace respite::storage {

class MemberTable {
 public:
  MemberTable() = default;
  MemberTable(const MemberTable& other);  // deep copy (COPY)
  MemberTable& operator=(const MemberTable&) = delete;
  ~MemberTable();

  size_t size() const { return size_; }
  // Bytes allocated: slots and arena (capacity, not length: what the allocator holds).
  size_t memory() const { return slot_count() * sizeof(uint64_t) + arena_cap_; }

  // Makes room for n members without a resize.
  void reserve(size_t n);
  bool insert(std::string_view m);  // false when already present
  bool erase(std::string_view m);   // false when absent
  bool contains(std::string_view m) const;

  // Slots, for random picks and sampling: a slot index stays valid until the table changes.
  size_t slot_count() const { return slots_ ? mask_ + 1 : 0; }
  bool occupied(size_t slot) const { return slots_[slot] != 0; }
  std::string_view at(size_t slot) const;  // the member in an occupied slot
  size_t random_slot(Rng& rng) const;      // an occupied slot, uniformly; size() > 0

  template <class Fn>
  void for_each(Fn&& fn) const {  // fn(std::string_view), in slot order
    for (size_t i = 0, n = slot_count(); i < n; i++) {
      if (slots_[i]) fn(at(i));
    }
  }
  // One SSCAN step: every member whose home slot is the cursor's; returns the next cursor (0 when
  // the scan is complete).
  template <class Fn>
  uint64_t scan(uint64_t cursor, Fn&& fn) const {
    if (!slots_) return 0;
    size_t b = cursor & mask_;
    for (size_t i = b; slots_[i]; i = (i + 1) & mask_) {
      if (home(i) == b) fn(at(i));
    }
    return next_cursor(cursor);
  }

 private:
  static constexpr size_t kMinSlots = 4;
  static constexpr unsigned kOffsetBits = 40;  // arenas up to 1 TiB
  static constexpr uint64_t kOffsetMask = (uint64_t(1) << kOffsetBits) - 1;
  static_assert(64 - kOffsetBits >= 16, "the tag must keep enough hash bits to skip most memcmps");

  static uint64_t hash(std::string_view m);
  static uint64_t tag_of(uint64_t h) { return h >> kOffsetBits; }
  uint64_t slot_offset(size_t slot) const { return (slots_[slot] & kOffsetMask) - 1; }
  size_t home(size_t slot) const { return hash(at(slot)) & mask_; }
  // The slot holding m (hash h), or SIZE_MAX.
  size_t find(std::string_view m, uint64_t h) const;
  uint64_t next_cursor(uint64_t cursor) const;
  void rehash(size_t slots);            // a power of two above size_ / (3/4)
  uint64_t append(std::string_view m);  // copies m into the arena; returns its offset
  void compact();

  uint64_t* slots_ = nullptr;
  size_t mask_ = 0;  // slot_count() - 1
  size_t size_ = 0;
  char* arena_ = nullptr;
  size_t arena_len_ = 0, arena_cap_ = 0;
  size_t garbage_ = 0;  // bytes of erased members still in the arena
};

}  // namespace respite::storage
