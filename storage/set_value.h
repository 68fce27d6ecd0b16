// storage::SetValue: a set, in Redis 7.0's two encodings.
//
//  "intset"     a sorted array of integers, all stored at the narrowest width (2, 4 or 8 bytes)
//               that holds every one of them, in one allocation; membership by binary search,
//               iteration in ascending order. Only members that are canonical int64 text (Redis's
//               string2ll: "12", not "012", "+1", " 1" or "-0") can live here.
//  "hashtable"  a MemberTable (set_table.h): slots plus one arena of member bytes.
//
// Conversions follow Redis 7.0.15 exactly, because OBJECT ENCODING shows them: a new set is an
// intset when its first member is an integer; adding a non-integer, or growing past
// set-max-intset-entries (capped at 2^30, as Redis caps it), turns it into a hashtable for good;
// the width of an intset only ever grows. The limit comes in as an argument from the command
// (storage knows nothing of the config).
//
// Members are read as string_views valid until the set changes: a table member points into the
// arena; an intset member is formatted into a MemberBuf the caller provides. Positions (see
// position_count) name members for random picks: array indexes of an intset, slots of a table.
//
// Not thread-safe: a set is read and changed only under its shard's lock (server/collection.h).
// memory() is O(1): it is computed from the capacities held.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "storage/entry.h"
#include "storage/set_table.h"

namespace respite::storage {

// Room for an int64 in decimal.
struct MemberBuf {
  char data[24];
};

class SetValue final : public Object {
 public:
  // An empty set in the encoding Redis gives a set created for its first member `first`.
  static SetValue* make_for(std::string_view first);
  // An empty intset: the start of every SUNION/SDIFF/SINTER result, as in Redis, so that an
  // all-integer result that fits the limit is an intset.
  static SetValue* make_intset() { return new SetValue(true); }

  explicit SetValue(bool intset) : intset_(intset) {
    if (!intset) rep_.table = new MemberTable();
  }
  SetValue(const SetValue& other);
  SetValue& operator=(const SetValue&) = delete;
  ~SetValue() override;

  const char* encoding_name() const override { return intset_ ? "intset" : "hashtable"; }
  size_t memory() const override;
  size_t length() const override { return intset_ ? count_ : rep_.table->size(); }
  Object* clone() const override { return new SetValue(*this); }

  bool is_intset() const { return intset_; }

  // Adds m; false when it was already there. max_intset: set-max-intset-entries.
  bool add(std::string_view m, size_t max_intset);
  bool add_int(int64_t v, size_t max_intset);  // the same, for an integer member
  bool remove(std::string_view m);
  bool contains(std::string_view m) const;
  bool contains_int(int64_t v) const;

  // Every member, fn(std::string_view), in the encoding's order (ascending for an intset).
  template <class Fn>
  void for_each(Fn&& fn) const {
    if (intset_) {
      MemberBuf buf;
      for (size_t i = 0; i < count_; i++) fn(format(int_at(i), &buf));
    } else {
      rep_.table->for_each(fn);
    }
  }
  // An intset's members as integers, ascending. Requires is_intset().
  template <class Fn>
  void for_each_int(Fn&& fn) const {
    for (size_t i = 0; i < count_; i++) fn(int_at(i));
  }
  int64_t int_at(size_t i) const;  // requires is_intset(), i < length()

  // Positions: [0, position_count()); occupied(p) is always true for an intset.
  size_t position_count() const { return intset_ ? count_ : rep_.table->slot_count(); }
  bool occupied(size_t p) const { return intset_ || rep_.table->occupied(p); }
  std::string_view at(size_t p, MemberBuf* buf) const {
    return intset_ ? format(int_at(p), buf) : rep_.table->at(p);
  }
  // A uniformly random member's position; length() > 0.
  size_t random_position(Rng& rng) const {
    return intset_ ? rng.below(count_) : rep_.table->random_slot(rng);
  }
  // `count` distinct positions chosen uniformly, count < length().
  std::vector<size_t> sample_positions(size_t count, Rng& rng) const;

  // One SSCAN step: an intset has no cursor (it returns everything and 0, as Redis does).
  template <class Fn>
  uint64_t scan(uint64_t cursor, Fn&& fn) const {
    if (intset_) {
      for_each(fn);
      return 0;
    }
    return rep_.table->scan(cursor, fn);
  }

  // Exchanges the contents of two sets (SPOP keeps the key's entry and swaps in the survivors).
  void swap(SetValue& other);

  static std::string_view format(int64_t v, MemberBuf* buf);

 private:
  // Intset helpers.
  size_t lower_bound(int64_t v) const;  // first index whose value >= v
  void set_int(size_t i, int64_t v);
  void widen(unsigned width);
  void reserve_ints(size_t n);
  void to_table();

  bool intset_;
  uint8_t width_ = 2;   // intset: bytes per integer
  uint32_t count_ = 0;  // intset: members (an intset never holds more than 2^30)
  uint32_t cap_ = 0;    // intset: integers the buffer holds
  // One pointer for either encoding (the flag says which): 8 bytes less on every set.
  union Rep {
    char* ints;  // intset: count_ integers of width_ bytes, ascending
    MemberTable* table;
  } rep_{nullptr};
};

// Every set key pays this header (a vtable pointer, the intset's counts, one pointer): keep it
// small.
static_assert(sizeof(SetValue) == 32, "SetValue grew: every set key pays for it");

}  // namespace respite::storage
