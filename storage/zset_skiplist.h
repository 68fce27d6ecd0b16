// The large encoding of storage::ZSetValue ("skiplist" in OBJECT ENCODING): an order-statistic
// skiplist of (score, member) plus a chained hash index member -> node, as Redis's zset.
//
// Layout. Every member is ONE allocation, shared by the two structures:
//   [ZNode: score, backward, hash-chain next, member length, level][forward pointers x level]
//   [spans x level (uint32)][member bytes]
// The list is ordered by score, then by member bytes (memcmp, a proper prefix first). Level i of a
// node links to the next node that has at least i+1 levels; span[i] counts the nodes that link
// jumps over plus one, so summing spans along a search path gives a node's rank. That makes
// insert, delete, rank, node-at-rank and "how many members sort before this bound" O(log n)
// expected; walking on from a node is O(1) a step both ways (level 0 forward, `backward`). Levels
// are drawn with p = 1/4 up to kMaxLevel (32), Redis's parameters: 1.33 levels a node on average,
// so a member costs 32 B of header + ~16 B of links + its bytes + ~8 B of bucket slot.
//
// The hash index chains nodes through `hnext` from a power-of-two bucket array. It doubles when it
// holds more nodes than buckets and halves when under 1/8 full, rehashing at once. Buckets are
// picked by the low bits of XXH3-64 with a per-table seed, so colliding members cannot be
// precomputed. ZSCAN walks the buckets with Redis's reverse-binary cursor, which visits every
// member present for the whole scan at least once whatever resizes happen between calls.
//
// Nothing here locks: a sorted set is read and written under its key's shard lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "storage/random.h"

namespace respite::storage {

// Members compare by bytes, unsigned, a proper prefix first (Redis's sdscmp).
inline int compare_members(std::string_view a, std::string_view b) {
  size_t n = a.size() < b.size() ? a.size() : b.size();
  int c = n ? std::memcmp(a.data(), b.data(), n) : 0;
  if (c != 0) return c;
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

struct ZNode {
  double score;
  ZNode* backward;  // the previous node; null for the first
  ZNode* hnext;     // the next node in the same hash bucket
  uint32_t mlen;
  uint8_t level;

  ZNode** forward() { return reinterpret_cast<ZNode**>(this + 1); }
  ZNode* const* forward() const { return reinterpret_cast<ZNode* const*>(this + 1); }
  uint32_t* span() { return reinterpret_cast<uint32_t*>(forward() + level); }
  const uint32_t* span() const { return reinterpret_cast<const uint32_t*>(forward() + level); }
  const char* member_ptr() const { return reinterpret_cast<const char*>(span() + level); }
  std::string_view member() const { return {member_ptr(), mlen}; }
  ZNode* next() const { return forward()[0]; }

  // The bytes of a node with `level` levels and an `mlen`-byte member.
  static size_t size_for(int level, size_t mlen) {
    return sizeof(ZNode) + size_t(level) * (sizeof(ZNode*) + sizeof(uint32_t)) + mlen;
  }
};
static_assert(sizeof(ZNode) == 32, "the per-member header: keep it at 32 bytes");

class ZSkiplist {
 public:
  static constexpr int kMaxLevel = 32;  // enough for 4^32 members at p = 1/4 (Redis's bound)

  ZSkiplist();
  ~ZSkiplist();
  ZSkiplist(const ZSkiplist&) = delete;
  ZSkiplist& operator=(const ZSkiplist&) = delete;
  ZSkiplist* clone() const;

  size_t size() const { return length_; }
  // Bytes held: the head node, every node and the bucket array.
  size_t bytes() const { return bytes_; }
  size_t buckets() const { return mask_ + 1; }

  ZNode* first() const { return head_->forward()[0]; }
  ZNode* last() const { return tail_; }
  ZNode* find(std::string_view member) const;
  // Inserts a member known to be absent; returns its node.
  ZNode* insert(double score, std::string_view member);
  // Gives a present node a new score, moving it only if its place in the order changes.
  void update_score(ZNode* n, double score);
  // Unlinks a node from the list and the index and frees it.
  void erase(ZNode* n);
  // Erases `count` nodes starting at 0-based rank `from` (both within size()).
  void erase_ranks(size_t from, size_t count);

  // 0-based rank of a present node.
  size_t rank_of(const ZNode* n) const;
  // The node at 0-based rank r (r < size()).
  ZNode* at_rank(size_t r) const;
  // The number of leading nodes for which before(node) holds; `before` must be true on a prefix of
  // the order (score bounds always are; lex bounds when all scores are equal).
  template <class Before>
  size_t count_before(Before&& before) const {
    size_t rank = 0;
    const ZNode* x = head_;
    for (int i = level_ - 1; i >= 0; i--) {
      while (x->forward()[i] && before(x->forward()[i])) {
        rank += x->span()[i];
        x = x->forward()[i];
      }
    }
    return rank;
  }

  // Visits every node of one bucket (cursor & mask) and returns the next reverse-binary cursor, 0
  // once the scan is complete.
  template <class F>
  uint64_t scan_bucket(uint64_t cursor, F&& f) const {
    if (length_ == 0) return 0;
    const uint64_t m = mask_;
    for (const ZNode* n = buckets_[cursor & m]; n; n = n->hnext) f(n);
    cursor |= ~m;  // the bits above the mask carry the increment past them
    cursor = reverse_bits(cursor);
    cursor++;
    return reverse_bits(cursor);
  }

 private:
  static uint64_t reverse_bits(uint64_t v);
  static bool node_before(const ZNode* x, double score, std::string_view member) {
    return x->score < score || (x->score == score && compare_members(x->member(), member) < 0);
  }
  int random_level();
  ZNode* make_node(int level, double score, std::string_view member);
  void free_node(ZNode* n);
  // Links n (its level set, its links unset) into the list at its (score, member) place.
  void link(ZNode* n);
  // Unlinks n from the list (not from the index) given the predecessors at every level.
  void unlink(ZNode* n, ZNode** update);
  // Fills update[i] with the last node at level i that sorts before n.
  void predecessors(const ZNode* n, ZNode** update) const;

  uint64_t hash(std::string_view member) const;
  ZNode** slot_of(const ZNode* n);
  void index_insert(ZNode* n);
  void index_remove(ZNode* n);
  void resize(size_t new_buckets);
  void maybe_shrink();

  ZNode* head_;
  ZNode* tail_ = nullptr;
  size_t length_ = 0;
  int level_ = 1;
  Rng rng_;        // levels are drawn from it (seeded from the table's address)
  uint64_t seed_;  // of the index's hash
  ZNode** buckets_;
  size_t mask_;
  size_t bytes_ = 0;
};

}  // namespace respite::storage
