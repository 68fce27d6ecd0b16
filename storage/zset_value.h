// storage::ZSetValue: a sorted set, with Redis 7.0's two encodings and its conversion rules.
//
// "listpack" (ZPacked): one malloc'd buffer of entries in order (score, then member bytes), each
//   [varint member length][member bytes][score: 8-byte IEEE double]
// Every operation is a linear walk; the encoding is used only while the set is small
// (zset-max-listpack-entries, default 128) and its members short (zset-max-listpack-value, 64).
// A score is stored as Redis's listpack stores it: an integral double is kept as an integer there,
// so -0 comes back as 0 (ZSCORE and ZSCAN show "0" while the set is packed, "-0" once it is a
// skiplist), and nothing else is lost (%.17g round-trips every finite double).
//
// "skiplist" (ZSkiplist, zset_skiplist.h): an order-statistic skiplist plus a hash index.
//
// Conversions follow Redis 7.0: a set is created packed unless zset-max-listpack-entries is 0 or
// its first member is longer than zset-max-listpack-value; it becomes a skiplist when an insert
// would exceed either limit, and never goes back, except the destination of the *STORE commands,
// which is packed when the finished result fits (from_sorted, convert_if_fits). The limits are
// parameters: the server reads them from its live config, storage never does.
//
// Everything speaks in ranks (0-based positions in the order): score and lex ranges become rank
// intervals here, and the server walks or erases those. Members are returned as views into the set,
// valid until it is next changed. zset::combine (at the end) computes ZUNION, ZINTER and ZDIFF.
// Not thread-safe: used under the key's shard lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/entry.h"
#include "storage/zset_skiplist.h"

namespace respite::storage {

struct ZItem {
  std::string_view member;
  double score;
};

// A score interval, each end inclusive or exclusive ("(1.5").
struct ZScoreRange {
  double min = 0, max = 0;
  bool minex = false, maxex = false;
};

// A lex interval end: "-", "+", "[value" or "(value".
struct ZLexBound {
  enum Kind : uint8_t { kMinusInf, kPlusInf, kInclusive, kExclusive };
  Kind kind = kMinusInf;
  std::string_view value;
};
struct ZLexRange {
  ZLexBound min, max;
};

namespace zset {
// Redis's zslIsInRange / zslIsInLexRange first test: ranges that are empty whatever the set holds.
bool empty_range(const ZScoreRange& r);
bool empty_range(const ZLexRange& r);
bool gte_min(double score, const ZScoreRange& r);
bool lte_max(double score, const ZScoreRange& r);
bool gte_min(std::string_view member, const ZLexRange& r);
bool lte_max(std::string_view member, const ZLexRange& r);
}  // namespace zset

class ZPacked {
 public:
  // A listpack never grows past this (Redis's LISTPACK_MAX_SAFETY_SIZE): an insert that would
  // converts the set first.
  static constexpr size_t kMaxBytes = size_t{1} << 30;
  static constexpr size_t npos = ~size_t{0};

  ZPacked() = default;
  ~ZPacked();
  ZPacked(const ZPacked& o);
  ZPacked& operator=(const ZPacked&) = delete;

  size_t size() const { return count_; }
  size_t used() const { return used_; }
  size_t capacity() const { return cap_; }
  static size_t entry_bytes(size_t mlen);

  // Reads the entry at offset off (an entry boundary below used()); returns the next one's offset.
  size_t read(size_t off, ZItem* out) const;
  // The offset of member's entry (and its score), or npos.
  size_t find(std::string_view member, double* score) const;
  size_t offset_of_rank(size_t r) const;
  // Inserts a member known to be absent at its place in the order.
  void insert(double score, std::string_view member);
  // Appends a member known to sort after every present one (building from sorted input).
  void append(double score, std::string_view member);
  void erase_at(size_t off);
  void erase_ranks(size_t from, size_t count);
  void clear();
  // Room for `need` bytes in all (growing by half again, at most 4 KiB of slack at a time).
  void reserve(size_t need);
  void swap(ZPacked& o) {
    std::swap(buf_, o.buf_);
    std::swap(used_, o.used_);
    std::swap(cap_, o.cap_);
    std::swap(count_, o.count_);
  }

  template <class Before>
  size_t count_before(Before&& before) const {
    size_t n = 0;
    ZItem it;
    for (size_t off = 0; off < used_; n++) {
      off = read(off, &it);
      if (!before(it)) break;
    }
    return n;
  }

 private:
  void shrink_if_loose();

  char* buf_ = nullptr;
  uint32_t used_ = 0, cap_ = 0, count_ = 0;
};

class ZSetValue final : public Object {
 public:
  struct Limits {
    size_t max_entries;  // zset-max-listpack-entries
    size_t max_value;    // zset-max-listpack-value
  };
  // ZADD flags (Redis's ZADD_IN_*).
  enum AddFlag : int { kNX = 1, kXX = 2, kGT = 4, kLT = 8, kIncr = 16 };
  enum class AddResult {
    kAdded,      // a new member
    kUpdated,    // its score changed
    kUnchanged,  // processed, same score (ZADD INCR still replies the score)
    kNop,        // skipped by NX, XX, GT or LT
    kNaN,        // INCR would make the score NaN: nothing changed
  };
  static constexpr size_t npos = ~size_t{0};

  // The set a first write creates, given its first member's length (Redis 7.0's ZADD rule).
  static ZSetValue* create(const Limits& l, size_t first_member_len);
  static ZSetValue* create_packed() { return new ZSetValue(); }
  static ZSetValue* create_skiplist();
  // A set of items already in order (score, then member; no duplicates): the result of ZUNIONSTORE
  // & co., packed when it fits the limits, as Redis converts it.
  static ZSetValue* from_sorted(const ZItem* items, size_t n, const Limits& l);
  ~ZSetValue() override;

  const char* encoding_name() const override { return packed() ? "listpack" : "skiplist"; }
  size_t memory() const override;
  size_t length() const override { return packed() ? packed_.size() : list_->size(); }
  Object* clone() const override;
  bool packed() const { return list_ == nullptr; }

  // ZADD's core (Redis's zsetAdd). *out_score receives the member's score after the call when it
  // was processed (added, updated or unchanged).
  AddResult add(double score, std::string_view member, int flags, const Limits& l,
                double* out_score);
  bool remove(std::string_view member);
  bool score(std::string_view member, double* out) const;
  // 0-based ascending rank.
  bool rank(std::string_view member, size_t* out) const;

  // --- ranks of ranges ---
  // Members before the range's min end, and members up to its max end: for a non-empty range the
  // members in it have ranks [score_lower, score_upper).
  size_t score_lower(const ZScoreRange& r) const;
  size_t score_upper(const ZScoreRange& r) const;
  size_t count_in(const ZScoreRange& r) const;
  // The rank of the first / last member in a lex range, or npos (Redis's zzl/zsl First/Last
  // InLexRange: exact for a set whose scores are all equal, which is what lex ranges are for).
  size_t lex_first(const ZLexRange& r) const;
  size_t lex_last(const ZLexRange& r) const;
  size_t lex_count(const ZLexRange& r) const;
  // How many members from rank `start` on (downwards when reverse) stay within the range's far end
  // (max going up, min going down): the length of a ZRANGEBYLEX walk started there.
  size_t lex_run(const ZLexRange& r, size_t start, bool reverse) const;

  // --- access by rank ---
  ZItem at(size_t rank) const;
  // Calls f(ZItem) from `rank` on, upwards or (reverse) downwards, while f returns true.
  template <class F>
  void walk(size_t rank, bool reverse, F&& f) const;
  void erase_ranks(size_t from, size_t count);

  // --- whole-set operations ---
  // The destination of ZUNIONSTORE & co.: packed if the finished result fits the limits.
  void convert_if_fits(const Limits& l);
  void convert_to_skiplist();
  // ZSCAN: visits items from cursor, roughly `count` of them; returns the next cursor (0 = done).
  // A packed set is visited whole in one call, as Redis does.
  template <class F>
  uint64_t scan(uint64_t cursor, size_t count, F&& f) const;

 private:
  ZSetValue() = default;
  // Visits packed entries from `rank` downwards.
  template <class F>
  void walk_packed_reverse(size_t rank, F&& f) const;

  ZPacked packed_;
  ZSkiplist* list_ = nullptr;  // non-null: skiplist encoding (packed_ is then empty)
};

template <class F>
void ZSetValue::walk(size_t rank, bool reverse, F&& f) const {
  if (rank >= length()) return;
  if (!packed()) {
    for (const ZNode* n = list_->at_rank(rank); n; n = reverse ? n->backward : n->next()) {
      if (!f(ZItem{n->member(), n->score})) return;
    }
    return;
  }
  if (reverse) return walk_packed_reverse(rank, f);
  ZItem it;
  for (size_t off = packed_.offset_of_rank(rank); off < packed_.used();) {
    off = packed_.read(off, &it);
    if (!f(it)) return;
  }
}

template <class F>
void ZSetValue::walk_packed_reverse(size_t rank, F&& f) const {
  // Entries can only be read forwards: note the offsets up to `rank`, then visit them backwards.
  uint32_t small[256];
  std::vector<uint32_t> big;
  uint32_t* offs = small;
  if (rank >= 256) {
    big.resize(rank + 1);
    offs = big.data();
  }
  ZItem it;
  size_t off = 0;
  for (size_t i = 0; i <= rank; i++) {
    offs[i] = static_cast<uint32_t>(off);
    off = packed_.read(off, &it);
  }
  for (size_t i = rank + 1; i-- > 0;) {
    packed_.read(offs[i], &it);
    if (!f(it)) return;
  }
}

template <class F>
uint64_t ZSetValue::scan(uint64_t cursor, size_t count, F&& f) const {
  if (packed()) {
    walk(0, false, [&](const ZItem& it) {
      f(it);
      return true;
    });
    return 0;
  }
  // Redis: up to count*10 buckets, until about `count` reply items (a member and its score are
  // two).
  size_t budget = count * 10, items = 0;
  do {
    cursor = list_->scan_bucket(cursor, [&](const ZNode* n) {
      f(ZItem{n->member(), n->score});
      items += 2;
    });
  } while (cursor && budget-- && items < count);
  return cursor;
}

// --- the algebra of ZUNION, ZINTER, ZDIFF (their STORE forms) and ZINTERCARD ---

class SetValue;

namespace zset {

enum class SetOp : uint8_t { kUnion, kInter, kDiff };
enum class Aggregate : uint8_t { kSum, kMin, kMax };

// One input: a sorted set, a plain set (each member scores 1) or nothing (a missing key), and its
// WEIGHTS factor.
struct Source {
  const ZSetValue* zset = nullptr;
  const SetValue* set = nullptr;
  double weight = 1;
  size_t size() const;
};

struct Combined {
  std::vector<ZItem> items;  // the result in order (score, then member)
  uint64_t cardinality = 0;  // ZINTERCARD's count
  // Copies of plain sets' members (an intset formats them on the fly); the other items view the
  // inputs, which must stay locked and unchanged while the result is used.
  std::deque<std::string> kept;
};

// Redis 7.0's zunionInterDiffGenericCommand, computed exactly as there, floating point included:
// for union and inter the inputs are first sorted by size (stably: glibc's qsort is a merge sort),
// which fixes the order in which each member's weighted scores are aggregated; a weighted score
// that is NaN (0 * inf) counts as 0, and a sum that comes out NaN (inf + -inf) as 0. Inter walks
// the smallest input; diff keeps the first input's scores. card_only counts the intersection,
// stopping at `limit` (0: none).
void combine(std::vector<Source>& src, SetOp op, Aggregate agg, bool card_only, uint64_t limit,
             Combined* out);

}  // namespace zset

}  // namespace respite::storage
