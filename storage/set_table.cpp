// storage::MemberTable: the hash table behind "hashtable" sets; the layout and its invariants are
// described in set_table.h.
#include "storage/set_table.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>

#include "storage/hash.h"
#include "storage/shard.h"  // reverse_bits, shared with the keyspace's SCAN
#include "storage/varint.h"

namespace respite::storage {

namespace {

// Garbage below this many bytes is never worth a rewrite of the arena.
constexpr size_t kCompactMin = 1024;
constexpr size_t kMinArena = 16;

// Bytes an arena record takes: its length prefix and its bytes.
size_t record_size(const char* p) {
  uint64_t n;
  const char* bytes = varint::get(p, &n);
  return static_cast<size_t>(bytes - p) + static_cast<size_t>(n);
}

template <class T>
T* checked(T* p) {
  if (!p) throw std::bad_alloc();
  return p;
}

}  // namespace

MemberTable::MemberTable(const MemberTable& other)
    : mask_(other.mask_), size_(other.size_), garbage_(other.garbage_) {
  if (other.slots_) {
    slots_ = checked(static_cast<uint64_t*>(std::malloc(other.slot_count() * sizeof(uint64_t))));
    std::memcpy(slots_, other.slots_, other.slot_count() * sizeof(uint64_t));
  }
  if (other.arena_len_) {
    arena_ = checked(static_cast<char*>(std::malloc(other.arena_len_)));
    std::memcpy(arena_, other.arena_, other.arena_len_);
    arena_len_ = arena_cap_ = other.arena_len_;
  }
  if (garbage_) compact();  // a copy need not inherit the original's holes
}

MemberTable::~MemberTable() {
  std::free(slots_);
  std::free(arena_);
}

uint64_t MemberTable::hash(std::string_view m) {
  return hash_key(m);
}

std::string_view MemberTable::at(size_t slot) const {
  const char* p = arena_ + slot_offset(slot);
  uint64_t n;
  const char* bytes = varint::get(p, &n);
  return {bytes, static_cast<size_t>(n)};
}

size_t MemberTable::find(std::string_view m, uint64_t h) const {
  if (!slots_) return SIZE_MAX;
  const uint64_t tag = tag_of(h);
  for (size_t i = h & mask_;; i = (i + 1) & mask_) {
    uint64_t s = slots_[i];
    if (!s) return SIZE_MAX;
    if ((s >> kOffsetBits) == tag && at(i) == m) return i;
  }
}

bool MemberTable::contains(std::string_view m) const {
  return find(m, hash(m)) != SIZE_MAX;
}

void MemberTable::reserve(size_t n) {
  size_t want = kMinSlots;
  while (n * 4 > want * 3) want *= 2;
  if (want > slot_count()) rehash(want);
}

bool MemberTable::insert(std::string_view m) {
  uint64_t h = hash(m);
  if (find(m, h) != SIZE_MAX) return false;
  if ((size_ + 1) * 4 > slot_count() * 3) rehash(std::max(kMinSlots, slot_count() * 2));
  uint64_t off = append(m);
  size_t i = h & mask_;
  while (slots_[i]) i = (i + 1) & mask_;
  slots_[i] = (tag_of(h) << kOffsetBits) | (off + 1);
  size_++;
  return true;
}

bool MemberTable::erase(std::string_view m) {
  size_t i = find(m, hash(m));
  if (i == SIZE_MAX) return false;
  uint64_t off = slot_offset(i);
  size_t bytes = record_size(arena_ + off);
  // Backward shift: a later member of the run moves into the hole unless its home lies in the
  // cyclic range (hole, its slot], where moving it would put it before its home.
  for (size_t j = (i + 1) & mask_; slots_[j]; j = (j + 1) & mask_) {
    size_t k = home(j);
    bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
    if (!stays) {
      slots_[i] = slots_[j];
      i = j;
    }
  }
  slots_[i] = 0;
  size_--;
  if (off + bytes == arena_len_)
    arena_len_ = off;  // the newest record: just give its bytes back to the arena
  else
    garbage_ += bytes;
  if (size_ == 0) {
    arena_len_ = garbage_ = 0;
  } else if (slot_count() > kMinSlots && size_ * 8 < slot_count()) {
    size_t want = kMinSlots;
    while (want < size_ * 2) want *= 2;
    rehash(want);
  }
  if (garbage_ > kCompactMin && garbage_ * 2 > arena_len_) compact();
  return true;
}

size_t MemberTable::random_slot(Rng& rng) const {
  // At least 1/8 of the slots are occupied (shrinking keeps it so), so this takes a few draws.
  for (;;) {
    size_t i = rng.below(slot_count());
    if (slots_[i]) return i;
  }
}

uint64_t MemberTable::next_cursor(uint64_t cursor) const {
  // Redis's reverse-binary increment: the high bits of the cursor count up first, so the buckets a
  // resize splits or merges are visited together and none is skipped.
  cursor |= ~static_cast<uint64_t>(mask_);
  cursor = reverse_bits(cursor);
  cursor++;
  return reverse_bits(cursor);
}

void MemberTable::rehash(size_t slots) {
  uint64_t* fresh = checked(static_cast<uint64_t*>(std::calloc(slots, sizeof(uint64_t))));
  size_t mask = slots - 1;
  for (size_t i = 0, n = slot_count(); i < n; i++) {
    if (!slots_[i]) continue;
    size_t j = hash(at(i)) & mask;
    while (fresh[j]) j = (j + 1) & mask;
    fresh[j] = slots_[i];
  }
  std::free(slots_);
  slots_ = fresh;
  mask_ = mask;
}

uint64_t MemberTable::append(std::string_view m) {
  size_t need = varint::size(m.size()) + m.size();
  if (arena_len_ + need > arena_cap_) {
    size_t cap = std::max({arena_len_ + need, arena_cap_ + arena_cap_ / 2, kMinArena});
    if (cap > kOffsetMask - 1) throw std::length_error("set member arena over 1 TiB");
    arena_ = checked(static_cast<char*>(std::realloc(arena_, cap)));
    arena_cap_ = cap;
  }
  uint64_t off = arena_len_;
  char* bytes = varint::put(arena_ + off, m.size());
  if (!m.empty()) std::memcpy(bytes, m.data(), m.size());
  arena_len_ += need;
  return off;
}

void MemberTable::compact() {
  size_t live = arena_len_ - garbage_;
  size_t cap = std::max(kMinArena, live + live / 4);
  char* fresh = checked(static_cast<char*>(std::malloc(cap)));
  size_t len = 0;
  for (size_t i = 0, n = slot_count(); i < n; i++) {
    if (!slots_[i]) continue;
    const char* rec = arena_ + slot_offset(i);
    size_t bytes = record_size(rec);
    std::memcpy(fresh + len, rec, bytes);
    slots_[i] = (slots_[i] & ~kOffsetMask) | (len + 1);
    len += bytes;
  }
  std::free(arena_);
  arena_ = fresh;
  arena_len_ = len;
  arena_cap_ = cap;
  garbage_ = 0;
}

}  // namespace respite::storage
