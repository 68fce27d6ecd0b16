// storage::ListValue: the value of a Redis list, a quicklist as Redis 7.0 keeps every list (OBJECT
// ENCODING says "quicklist" whatever the size).
//
// Layout: a doubly linked chain of nodes. A node is ONE allocation: a 32-byte header followed by a
// byte buffer that holds its elements packed back to back, each as
//     [length, LEB128 varint][bytes][the same varint, bytes reversed]
// so that the buffer can be walked in both directions (2 bytes of overhead for elements under 128
// bytes). The used bytes are [begin, end) of the buffer; slack may sit on either side, so a push
// at either end of a node is a memcpy into its slack and a pop is an offset bump: no allocation
// per element. When a side runs out, the node is laid out again (in place when at least half of it
// is free, else in a buffer up to twice as large), with the slack put where pushes will come: all
// in front for the head node of a longer list, all behind for the tail node, half and half
// otherwise. A node whose used bytes fall under a quarter of a large buffer is shrunk.
//
// Node size: list-max-listpack-size, passed in by the caller (it may change at run time) as
// Limits: negative -1..-5 caps a node at 4/8/16/32/64 KiB of packed bytes, positive n at n
// elements and 8 KiB (Redis's safety limit). An element that does not fit the node at the end it
// is pushed to starts a new node; an element larger than the cap therefore sits in a node of its
// own. Nodes are never empty: a node whose last element goes is freed.
//
// Access: LINDEX/LSET/LRANGE find an index from the nearer end of the list, skipping whole nodes by
// their element counts, then from the nearer end of the node. Views returned by front(), back(),
// at() and iterators stay valid until the list is next changed.
//
// Concurrency: none here. A list is read and changed only under its key's shard lock (through
// server::Collection).
//
// memory() is O(1): sizeof(ListValue) plus every node's header and buffer, kept up to date as nodes
// are allocated, grown, shrunk and freed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "storage/entry.h"
#include "storage/varint.h"

namespace respite::storage {

// One node of a ListValue: header, then `cap` bytes of buffer.
struct ListNode {
  ListNode* prev;
  ListNode* next;
  uint32_t cap;    // bytes of buffer after the header
  uint32_t begin;  // offset of the first element's first byte
  uint32_t end;    // one past the last element's last byte
  uint32_t count;  // elements in [begin, end)
  char* data() { return reinterpret_cast<char*>(this + 1); }
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }
  size_t used() const { return end - begin; }
};
static_assert(sizeof(ListNode) == 32, "node header: two links and four 32-bit offsets");

// The packed element format (see the note at the top).
namespace listpack {
// Bytes an element of n bytes takes in a node.
inline size_t entry_size(size_t n) {
  return n + 2 * varint::size(n);
}
// Writes v at p; returns the byte after it.
inline char* write(char* p, std::string_view v) {
  size_t n = v.size();
  char* q = varint::put(p, n);
  size_t k = static_cast<size_t>(q - p);
  if (n) std::memcpy(q, v.data(), n);
  for (size_t i = 0; i < k; i++) q[n + i] = p[k - 1 - i];  // the length again, mirrored
  return q + n + k;
}
// Reads the element starting at p; returns where the next one starts.
inline const char* read_next(const char* p, std::string_view* v) {
  uint64_t n;
  const char* q = varint::get(p, &n);
  *v = {q, static_cast<size_t>(n)};
  return q + n + (q - p);
}
// Reads the element ending just before `end`; returns where it starts.
inline const char* read_prev(const char* end, std::string_view* v) {
  const char* q = end;
  uint8_t b = static_cast<uint8_t>(*--q);
  size_t n = b & 0x7f, k = 1;
  while (b & 0x80) {
    b = static_cast<uint8_t>(*--q);
    n |= static_cast<size_t>(b & 0x7f) << (7 * k++);
  }
  *v = {q - n, n};
  return q - n - k;
}
}  // namespace listpack

class ListValue final : public Object {
 public:
  // Node size limits, from list-max-listpack-size.
  struct Limits {
    size_t max_bytes = 8192;        // packed bytes per node
    size_t max_count = ~size_t(0);  // elements per node
    static Limits from_fill(int64_t fill);
  };
  // Redis's SIZE_SAFETY_LIMIT: the byte cap of a node when the limit is a count.
  static constexpr size_t kSafetyBytes = 8192;
  // Node offsets are 32 bits: the largest element a list takes (Redis would take larger ones, but
  // only with proto-max-bulk-len raised past 4 GiB).
  static constexpr size_t kMaxElement = (size_t(1) << 32) - 64;

  ListValue() = default;
  ~ListValue() override;
  ListValue(const ListValue&) = delete;
  ListValue& operator=(const ListValue&) = delete;

  const char* encoding_name() const override { return "quicklist"; }
  size_t memory() const override { return mem_; }
  size_t length() const override { return count_; }
  Object* clone() const override;

  // --- ends: O(1) amortised ---
  void push_front(std::string_view v, const Limits& lim);
  void push_back(std::string_view v, const Limits& lim);
  void push(bool front, std::string_view v, const Limits& lim) {
    front ? push_front(v, lim) : push_back(v, lim);
  }
  std::string_view front() const;  // the list must not be empty
  std::string_view back() const;
  std::string_view end_value(bool front) const { return front ? this->front() : back(); }
  void pop_front();
  void pop_back();
  void pop(bool front) { front ? pop_front() : pop_back(); }
  // Removes the first (last) n elements (n <= length()): whole nodes at a time, then an offset.
  void remove_front(size_t n);
  void remove_back(size_t n);

  // --- by index (0 <= i < length()), from the nearer end ---
  std::string_view at(size_t i) const;
  void set(size_t i, std::string_view v, const Limits& lim);

  // LINSERT: inserts v before (or after) the first element equal to pivot; false if none is.
  bool insert(std::string_view pivot, std::string_view v, bool after, const Limits& lim);
  // LREM: removes elements equal to v, the first `count` from the head (count > 0), the last
  // -count from the tail (count < 0), or all (0). Returns how many went.
  size_t remove(std::string_view v, int64_t count);

  // Walks elements from index `first` towards the tail, or towards the head when reverse.
  class Iterator {
   public:
    bool next(std::string_view* v) {
      if (!node_) return false;
      if (!reverse_) {
        if (off_ == node_->end) {
          node_ = node_->next;
          if (!node_) return false;
          off_ = node_->begin;
        }
        off_ = static_cast<uint32_t>(listpack::read_next(node_->data() + off_, v) - node_->data());
      } else {
        if (off_ == node_->begin) {
          node_ = node_->prev;
          if (!node_) return false;
          off_ = node_->end;
        }
        off_ = static_cast<uint32_t>(listpack::read_prev(node_->data() + off_, v) - node_->data());
      }
      return true;
    }

   private:
    friend class ListValue;
    Iterator(const ListNode* n, uint32_t off, bool reverse)
        : node_(n), off_(off), reverse_(reverse) {}
    const ListNode* node_;
    uint32_t off_;  // forward: start of the next element; reverse: end of the next element
    bool reverse_;
  };
  Iterator iter(size_t first, bool reverse) const;
  // fn(std::string_view) for n elements from index first (towards the head when reverse).
  template <class F>
  void visit(size_t first, size_t n, bool reverse, F&& fn) const {
    if (n == 0) return;
    Iterator it = iter(first, reverse);
    std::string_view v;
    while (n-- && it.next(&v)) fn(v);
  }

  // --- introspection, for tests ---
  size_t node_count() const;
  std::vector<size_t> node_counts() const;  // elements per node, head first
  // Checks every invariant (links, counts, no empty node, limits, memory()); "" when all hold.
  std::string check(const Limits* lim = nullptr) const;

 private:
  enum class Slack { kFront, kBack, kSplit };
  struct Pos {
    ListNode* node;
    uint32_t off;  // start of the element
  };

  Pos locate(size_t i) const;
  bool fits(const ListNode* n, size_t bytes, const Limits& lim) const {
    return n->count < lim.max_count && n->used() + bytes <= lim.max_bytes;
  }
  ListNode* alloc_node(size_t cap);
  void free_node(ListNode* n);
  void link_after(ListNode* at, ListNode* n);  // at null: as the new head
  void unlink(ListNode* n);
  // A new node holding v alone, linked after `at` (null: at the head).
  ListNode* node_with(ListNode* at, std::string_view v, const Limits& lim, Slack slack);
  Slack slack_for(const ListNode* n) const;
  size_t grow_cap(size_t cap, size_t need, const Limits& lim) const;
  // Makes `gap` bytes of room at offset off of n; returns the room's offset. May move n.
  uint32_t open_gap(ListNode*& n, uint32_t off, size_t gap, const Limits& lim);
  // Closes `len` bytes at off; returns where the bytes that followed them now start.
  uint32_t close_gap(ListNode* n, uint32_t off, size_t len);
  // Lays n's used bytes out in a buffer of new_cap with `gap` bytes opened at off; returns the
  // gap's offset. Replaces n when new_cap differs.
  uint32_t relayout(ListNode*& n, size_t new_cap, uint32_t off, size_t gap, Slack slack);
  void maybe_shrink(ListNode*& n);
  void insert_at(ListNode* n, uint32_t off, std::string_view v, const Limits& lim);
  void drop_if_empty(ListNode*& n);  // frees n when it has no elements left
  size_t remove_forward(std::string_view v, size_t limit);
  size_t remove_backward(std::string_view v, size_t limit);

  ListNode* head_ = nullptr;
  ListNode* tail_ = nullptr;
  size_t count_ = 0;
  size_t mem_ = sizeof(ListValue);
};

}  // namespace respite::storage
