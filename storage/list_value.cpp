// storage::ListValue: node management (allocation, growth, shrinking, splitting) and the list
// operations built on it; see list_value.h for the layout and its reasons.
#include "storage/list_value.h"

#include <algorithm>
#include <cstdlib>
#include <new>

namespace respite::storage {

namespace {

// The smallest node buffer: with the 32-byte header a 56-byte block, one of the allocator's small
// size classes (mimalloc's, and glibc's 64-byte chunk). Room for a few short elements before the
// first regrowth.
constexpr size_t kMinCap = 24;
// Buffers up to this size are never shrunk: shrinking them would save less than it costs.
constexpr size_t kShrinkAbove = 256;
// Redis's FILL_MAX: the largest element count per node list-max-listpack-size can ask for.
constexpr size_t kMaxFillCount = 32768;

size_t offset_of(const ListNode* n, const char* p) {
  return static_cast<size_t>(p - n->data());
}

}  // namespace

ListValue::Limits ListValue::Limits::from_fill(int64_t fill) {
  Limits l;
  if (fill >= 0) {
    // Redis lets a node grow while count < fill (and stays under the safety size), so 0 and 1
    // both mean one element per node.
    l.max_count = std::clamp<size_t>(static_cast<size_t>(fill), 1, kMaxFillCount);
    l.max_bytes = kSafetyBytes;
  } else {
    int level = fill < -5 ? 4 : static_cast<int>(-fill) - 1;  // -1..-5 -> 4..64 KiB
    l.max_bytes = size_t(4096) << level;
  }
  return l;
}

ListValue::~ListValue() {
  for (ListNode* n = head_; n;) {
    ListNode* next = n->next;
    std::free(n);
    n = next;
  }
}

Object* ListValue::clone() const {
  auto* c = new ListValue();
  for (const ListNode* n = head_; n; n = n->next) {
    // The copy is compact: each node's buffer exactly its elements.
    ListNode* m = c->alloc_node(n->used());
    m->begin = 0;
    m->end = static_cast<uint32_t>(n->used());
    m->count = n->count;
    std::memcpy(m->data(), n->data() + n->begin, n->used());
    c->link_after(c->tail_, m);
  }
  c->count_ = count_;
  return c;
}

// --- nodes ---

ListNode* ListValue::alloc_node(size_t cap) {
  auto* n = static_cast<ListNode*>(std::malloc(sizeof(ListNode) + cap));
  if (!n) throw std::bad_alloc();
  n->prev = n->next = nullptr;
  n->cap = static_cast<uint32_t>(cap);
  n->begin = n->end = n->count = 0;
  mem_ += sizeof(ListNode) + cap;
  return n;
}

void ListValue::free_node(ListNode* n) {
  mem_ -= sizeof(ListNode) + n->cap;
  std::free(n);
}

void ListValue::link_after(ListNode* at, ListNode* n) {
  n->prev = at;
  n->next = at ? at->next : head_;
  (n->next ? n->next->prev : tail_) = n;
  (at ? at->next : head_) = n;
}

void ListValue::unlink(ListNode* n) {
  (n->prev ? n->prev->next : head_) = n->next;
  (n->next ? n->next->prev : tail_) = n->prev;
}

void ListValue::drop_if_empty(ListNode*& n) {
  if (n->count != 0) return;
  unlink(n);
  free_node(n);
  n = nullptr;
}

ListValue::Slack ListValue::slack_for(const ListNode* n) const {
  // The head of a longer list only grows at its front, the tail only at its back (LINSERT and
  // LSET aside); a lone node or an inner one may grow either way.
  if (n == head_ && n != tail_) return Slack::kFront;
  if (n == tail_ && n != head_) return Slack::kBack;
  return Slack::kSplit;
}

size_t ListValue::grow_cap(size_t cap, size_t need, const Limits& lim) const {
  size_t c = std::max(cap * 2, kMinCap);
  c = std::min(c, std::max(lim.max_bytes, need));  // never more than a full node needs
  return std::max(c, need);
}

ListNode* ListValue::node_with(ListNode* at, std::string_view v, const Limits& lim, Slack slack) {
  size_t e = listpack::entry_size(v.size());
  // A new end node next to a full one will most likely fill up too: start it at the size its
  // neighbour reached instead of doubling up from the minimum.
  const ListNode* near = at ? at : head_;
  size_t cap = std::max(e, kMinCap);
  if (near && near->used() > cap) cap = std::max(e, std::min(near->used(), lim.max_bytes));
  ListNode* n = alloc_node(cap);
  size_t room = cap - e;
  n->begin = static_cast<uint32_t>(slack == Slack::kFront  ? room
                                   : slack == Slack::kBack ? 0
                                                           : room / 2);
  n->end = static_cast<uint32_t>(n->begin + e);
  n->count = 1;
  listpack::write(n->data() + n->begin, v);
  link_after(at, n);
  return n;
}

uint32_t ListValue::relayout(ListNode*& n, size_t new_cap, uint32_t off, size_t gap, Slack slack) {
  size_t front = off - n->begin, back = n->end - off, used = front + back + gap;
  size_t room = new_cap - used;
  size_t fs = slack == Slack::kFront ? room : slack == Slack::kBack ? 0 : room / 2;
  if (new_cap == n->cap) {
    char* d = n->data();
    // Move the part that goes right first, so that neither move overwrites bytes not yet moved.
    if (fs > n->begin) {
      std::memmove(d + fs + front + gap, d + off, back);
      std::memmove(d + fs, d + n->begin, front);
    } else {
      std::memmove(d + fs, d + n->begin, front);
      std::memmove(d + fs + front + gap, d + off, back);
    }
  } else {
    ListNode* m = alloc_node(new_cap);
    m->prev = n->prev;
    m->next = n->next;
    m->count = n->count;
    std::memcpy(m->data() + fs, n->data() + n->begin, front);
    std::memcpy(m->data() + fs + front + gap, n->data() + off, back);
    (m->prev ? m->prev->next : head_) = m;
    (m->next ? m->next->prev : tail_) = m;
    free_node(n);
    n = m;
  }
  n->begin = static_cast<uint32_t>(fs);
  n->end = static_cast<uint32_t>(fs + used);
  return static_cast<uint32_t>(fs + front);
}

uint32_t ListValue::open_gap(ListNode*& n, uint32_t off, size_t gap, const Limits& lim) {
  char* d = n->data();
  size_t front = off - n->begin, back = n->end - off;
  bool can_front = n->begin >= gap, can_back = n->cap - n->end >= gap;
  if (can_front && (!can_back || front <= back)) {
    std::memmove(d + n->begin - gap, d + n->begin, front);
    n->begin -= static_cast<uint32_t>(gap);
    return static_cast<uint32_t>(off - gap);
  }
  if (can_back) {
    std::memmove(d + off + gap, d + off, back);
    n->end += static_cast<uint32_t>(gap);
    return off;
  }
  // Neither side has room. With at least half the buffer free, moving the bytes is enough (a
  // queue's node: pops free the front while pushes fill the back); else grow.
  size_t need = n->used() + gap;
  size_t new_cap = need * 2 <= n->cap ? n->cap : grow_cap(n->cap, need, lim);
  return relayout(n, new_cap, off, gap, slack_for(n));
}

uint32_t ListValue::close_gap(ListNode* n, uint32_t off, size_t len) {
  char* d = n->data();
  size_t front = off - n->begin, back = n->end - (off + len);
  if (front <= back) {
    std::memmove(d + n->begin + len, d + n->begin, front);
    n->begin += static_cast<uint32_t>(len);
    return static_cast<uint32_t>(off + len);
  }
  std::memmove(d + off, d + off + len, back);
  n->end -= static_cast<uint32_t>(len);
  return off;
}

void ListValue::maybe_shrink(ListNode*& n) {
  if (n->cap <= kShrinkAbove || n->used() * 4 >= n->cap) return;
  relayout(n, std::max(n->used() * 2, kMinCap), n->begin, 0, slack_for(n));
}

// --- ends ---

void ListValue::push_front(std::string_view v, const Limits& lim) {
  size_t e = listpack::entry_size(v.size());
  ListNode* n = head_;
  if (n && fits(n, e, lim)) {
    uint32_t off;
    if (n->begin >= e) {
      off = n->begin -= static_cast<uint32_t>(e);
    } else {
      off = open_gap(n, n->begin, e, lim);
    }
    listpack::write(n->data() + off, v);
    n->count++;
  } else {
    node_with(nullptr, v, lim, n ? Slack::kFront : Slack::kSplit);
  }
  count_++;
}

void ListValue::push_back(std::string_view v, const Limits& lim) {
  size_t e = listpack::entry_size(v.size());
  ListNode* n = tail_;
  if (n && fits(n, e, lim)) {
    uint32_t off;
    if (n->cap - n->end >= e) {
      off = n->end;
      n->end += static_cast<uint32_t>(e);
    } else {
      off = open_gap(n, n->end, e, lim);
    }
    listpack::write(n->data() + off, v);
    n->count++;
  } else {
    node_with(n, v, lim, n ? Slack::kBack : Slack::kSplit);
  }
  count_++;
}

std::string_view ListValue::front() const {
  std::string_view v;
  listpack::read_next(head_->data() + head_->begin, &v);
  return v;
}

std::string_view ListValue::back() const {
  std::string_view v;
  listpack::read_prev(tail_->data() + tail_->end, &v);
  return v;
}

void ListValue::pop_front() {
  ListNode* n = head_;
  std::string_view v;
  n->begin = static_cast<uint32_t>(offset_of(n, listpack::read_next(n->data() + n->begin, &v)));
  n->count--;
  count_--;
  drop_if_empty(n);
  if (n) maybe_shrink(n);
}

void ListValue::pop_back() {
  ListNode* n = tail_;
  std::string_view v;
  n->end = static_cast<uint32_t>(offset_of(n, listpack::read_prev(n->data() + n->end, &v)));
  n->count--;
  count_--;
  drop_if_empty(n);
  if (n) maybe_shrink(n);
}

void ListValue::remove_front(size_t k) {
  count_ -= k;
  while (k) {
    ListNode* n = head_;
    if (n->count <= k) {
      k -= n->count;
      unlink(n);
      free_node(n);
      continue;
    }
    const char* p = n->data() + n->begin;
    std::string_view v;
    for (size_t i = 0; i < k; i++) p = listpack::read_next(p, &v);
    n->begin = static_cast<uint32_t>(offset_of(n, p));
    n->count -= static_cast<uint32_t>(k);
    maybe_shrink(n);
    break;
  }
}

void ListValue::remove_back(size_t k) {
  count_ -= k;
  while (k) {
    ListNode* n = tail_;
    if (n->count <= k) {
      k -= n->count;
      unlink(n);
      free_node(n);
      continue;
    }
    const char* p = n->data() + n->end;
    std::string_view v;
    for (size_t i = 0; i < k; i++) p = listpack::read_prev(p, &v);
    n->end = static_cast<uint32_t>(offset_of(n, p));
    n->count -= static_cast<uint32_t>(k);
    maybe_shrink(n);
    break;
  }
}

// --- by index ---

ListValue::Pos ListValue::locate(size_t i) const {
  ListNode* n;
  if (i < count_ / 2) {
    n = head_;
    while (i >= n->count) {
      i -= n->count;
      n = n->next;
    }
  } else {
    size_t r = count_ - 1 - i;
    n = tail_;
    while (r >= n->count) {
      r -= n->count;
      n = n->prev;
    }
    i = n->count - 1 - r;
  }
  std::string_view v;
  const char* p;
  if (i <= n->count / 2) {
    p = n->data() + n->begin;
    for (size_t k = 0; k < i; k++) p = listpack::read_next(p, &v);
  } else {
    p = n->data() + n->end;
    for (size_t k = n->count - i; k > 0; k--) p = listpack::read_prev(p, &v);
  }
  return {n, static_cast<uint32_t>(offset_of(n, p))};
}

ListValue::Iterator ListValue::iter(size_t first, bool reverse) const {
  if (first >= count_) return Iterator(nullptr, 0, reverse);
  if (!reverse && first == 0) return Iterator(head_, head_->begin, false);
  if (reverse && first == count_ - 1) return Iterator(tail_, tail_->end, true);
  Pos p = locate(first);
  if (!reverse) return Iterator(p.node, p.off, false);
  std::string_view v;
  const char* end = listpack::read_next(p.node->data() + p.off, &v);
  return Iterator(p.node, static_cast<uint32_t>(offset_of(p.node, end)), true);
}

std::string_view ListValue::at(size_t i) const {
  Pos p = locate(i);
  std::string_view v;
  listpack::read_next(p.node->data() + p.off, &v);
  return v;
}

void ListValue::set(size_t i, std::string_view v, const Limits& lim) {
  Pos p = locate(i);
  ListNode* n = p.node;
  std::string_view old;
  size_t old_size = offset_of(n, listpack::read_next(n->data() + p.off, &old)) - p.off;
  size_t new_size = listpack::entry_size(v.size());
  if (new_size == old_size) {
    listpack::write(n->data() + p.off, v);
    return;
  }
  uint32_t off = close_gap(n, p.off, old_size);
  if (new_size < old_size || n->count == 1 || n->used() + new_size <= lim.max_bytes) {
    off = open_gap(n, off, new_size, lim);
    listpack::write(n->data() + off, v);
    if (new_size < old_size) maybe_shrink(n);
    return;
  }
  // The node has no room for the larger element: take the old one out and insert the new one in
  // its place, which splits the node.
  n->count--;
  count_--;
  insert_at(n, off, v, lim);
}

void ListValue::insert_at(ListNode* n, uint32_t off, std::string_view v, const Limits& lim) {
  size_t e = listpack::entry_size(v.size());
  count_++;
  auto put = [&](ListNode* m, uint32_t at) {
    at = open_gap(m, at, e, lim);
    listpack::write(m->data() + at, v);
    m->count++;
  };
  if (fits(n, e, lim)) return put(n, off);
  // n is full. At one of its ends, the neighbour there may have room; else a node of its own.
  if (off == n->end) {
    if (n->next && fits(n->next, e, lim)) return put(n->next, n->next->begin);
    node_with(n, v, lim, Slack::kSplit);
    return;
  }
  if (off == n->begin) {
    if (n->prev && fits(n->prev, e, lim)) return put(n->prev, n->prev->end);
    node_with(n->prev, v, lim, Slack::kSplit);
    return;
  }
  // In the middle: split n there, the elements from off on moving to a new node after it.
  size_t moved = 0, bytes = n->end - off;
  std::string_view t;
  for (const char* p = n->data() + off; p < n->data() + n->end; moved++) {
    p = listpack::read_next(p, &t);
  }
  ListNode* r = alloc_node(std::max(bytes, kMinCap));
  r->end = static_cast<uint32_t>(bytes);
  r->count = static_cast<uint32_t>(moved);
  std::memcpy(r->data(), n->data() + off, bytes);
  link_after(n, r);
  n->end = off;
  n->count -= static_cast<uint32_t>(moved);
  if (fits(n, e, lim)) {
    put(n, n->end);
  } else if (fits(r, e, lim)) {
    put(r, r->begin);
  } else {
    node_with(n, v, lim, Slack::kSplit);
    maybe_shrink(n);
  }
}

bool ListValue::insert(std::string_view pivot, std::string_view v, bool after, const Limits& lim) {
  for (ListNode* n = head_; n; n = n->next) {
    const char* d = n->data();
    for (uint32_t off = n->begin; off < n->end;) {
      std::string_view t;
      auto next = static_cast<uint32_t>(offset_of(n, listpack::read_next(d + off, &t)));
      if (t == pivot) {
        insert_at(n, after ? next : off, v, lim);
        return true;
      }
      off = next;
    }
  }
  return false;
}

// --- LREM: each node is compacted in one pass, the kept elements sliding over the removed ones ---

size_t ListValue::remove(std::string_view v, int64_t count) {
  if (count >= 0) return remove_forward(v, count == 0 ? ~size_t(0) : static_cast<size_t>(count));
  // -INT64_MIN does not fit an int64; as a limit it means "all" anyway.
  return remove_backward(v, count == INT64_MIN ? ~size_t(0) : static_cast<size_t>(-count));
}

size_t ListValue::remove_forward(std::string_view v, size_t limit) {
  size_t removed = 0;
  for (ListNode* n = head_; n && removed < limit;) {
    ListNode* next = n->next;
    char* d = n->data();
    size_t before = removed;
    uint32_t r = n->begin, w = n->begin;
    while (r < n->end) {
      if (removed == limit) {  // done: slide the rest over in one move
        std::memmove(d + w, d + r, n->end - r);
        w += n->end - r;
        break;
      }
      std::string_view t;
      auto sz = static_cast<uint32_t>(listpack::read_next(d + r, &t) - (d + r));
      if (t == v) {
        removed++;
      } else {
        if (w != r) std::memmove(d + w, d + r, sz);
        w += sz;
      }
      r += sz;
    }
    if (removed != before) {
      n->end = w;
      n->count -= static_cast<uint32_t>(removed - before);
      drop_if_empty(n);
      if (n) maybe_shrink(n);
    }
    n = next;
  }
  count_ -= removed;
  return removed;
}

size_t ListValue::remove_backward(std::string_view v, size_t limit) {
  size_t removed = 0;
  for (ListNode* n = tail_; n && removed < limit;) {
    ListNode* prev = n->prev;
    char* d = n->data();
    size_t before = removed;
    uint32_t r = n->end, w = n->end;
    while (r > n->begin) {
      if (removed == limit) {
        size_t rest = r - n->begin;
        std::memmove(d + w - rest, d + n->begin, rest);
        w -= static_cast<uint32_t>(rest);
        break;
      }
      std::string_view t;
      auto sz = static_cast<uint32_t>((d + r) - listpack::read_prev(d + r, &t));
      r -= sz;
      if (t == v) {
        removed++;
      } else {
        w -= sz;
        if (w != r) std::memmove(d + w, d + r, sz);
      }
    }
    if (removed != before) {
      n->begin = w;
      n->count -= static_cast<uint32_t>(removed - before);
      drop_if_empty(n);
      if (n) maybe_shrink(n);
    }
    n = prev;
  }
  count_ -= removed;
  return removed;
}

// --- introspection ---

size_t ListValue::node_count() const {
  size_t k = 0;
  for (const ListNode* n = head_; n; n = n->next) k++;
  return k;
}

std::vector<size_t> ListValue::node_counts() const {
  std::vector<size_t> out;
  for (const ListNode* n = head_; n; n = n->next) out.push_back(n->count);
  return out;
}

std::string ListValue::check(const Limits* lim) const {
  size_t total = 0, mem = sizeof(ListValue), idx = 0;
  const ListNode* prev = nullptr;
  for (const ListNode* n = head_; n; prev = n, n = n->next, idx++) {
    std::string where = "node " + std::to_string(idx) + ": ";
    if (n->prev != prev) return where + "bad prev link";
    if (n->count == 0) return where + "empty";
    if (n->begin > n->end || n->end > n->cap) return where + "bad offsets";
    size_t k = 0;
    const char* p = n->data() + n->begin;
    std::string_view v;
    while (p < n->data() + n->end) {
      p = listpack::read_next(p, &v);
      k++;
    }
    if (p != n->data() + n->end) return where + "elements overrun the end";
    if (k != n->count)
      return where + "count " + std::to_string(n->count) + " but holds " + std::to_string(k);
    if (lim && n->count > 1 && (n->count > lim->max_count || n->used() > lim->max_bytes))
      return where + "over the node limit";
    total += k;
    mem += sizeof(ListNode) + n->cap;
  }
  if (prev != tail_) return "bad tail";
  if (total != count_)
    return "length " + std::to_string(count_) + " but holds " + std::to_string(total);
  if (mem != mem_) return "memory " + std::to_string(mem_) + " but holds " + std::to_string(mem);
  return "";
}

}  // namespace respite::storage
