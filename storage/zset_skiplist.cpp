// The order-statistic skiplist and member index of large sorted sets; see zset_skiplist.h.
#include "storage/zset_skiplist.h"

#include <xxhash.h>

#include <cstdlib>
#include <new>

namespace respite::storage {

namespace {

constexpr size_t kMinBuckets = 4;

ZNode** alloc_buckets(size_t n) {
  void* p = std::calloc(n, sizeof(ZNode*));
  if (!p) throw std::bad_alloc();
  return static_cast<ZNode**>(p);
}

}  // namespace

ZSkiplist::ZSkiplist() {
  rng_.state = reinterpret_cast<uintptr_t>(this) ^ 0x5bd1e9955bd1e995ULL;
  seed_ = rng_.next();
  head_ = make_node(kMaxLevel, 0, {});
  for (int i = 0; i < kMaxLevel; i++) {
    head_->forward()[i] = nullptr;
    head_->span()[i] = 0;
  }
  head_->backward = nullptr;
  buckets_ = alloc_buckets(kMinBuckets);
  mask_ = kMinBuckets - 1;
  bytes_ += kMinBuckets * sizeof(ZNode*);
}

ZSkiplist::~ZSkiplist() {
  ZNode* n = head_->forward()[0];
  while (n) {
    ZNode* next = n->forward()[0];
    std::free(n);
    n = next;
  }
  std::free(head_);
  std::free(buckets_);
}

ZSkiplist* ZSkiplist::clone() const {
  auto* c = new ZSkiplist();
  if (length_ > c->buckets()) c->resize(size_t{1} << (64 - __builtin_clzll(length_ - 1)));
  // The copy draws its own levels: its shape need not match, only its order.
  for (const ZNode* n = first(); n; n = n->next()) c->insert(n->score, n->member());
  return c;
}

uint64_t ZSkiplist::reverse_bits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
  v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
  v = ((v >> 4) & 0x0f0f0f0f0f0f0f0fULL) | ((v & 0x0f0f0f0f0f0f0f0fULL) << 4);
  return __builtin_bswap64(v);
}

int ZSkiplist::random_level() {
  // Two random bits per level: each further level with probability 1/4.
  uint64_t r = rng_.next();
  int level = 1;
  while ((r & 3) == 0 && level < kMaxLevel) {
    level++;
    r >>= 2;
  }
  return level;
}

ZNode* ZSkiplist::make_node(int level, double score, std::string_view member) {
  size_t size = ZNode::size_for(level, member.size());
  auto* n = static_cast<ZNode*>(std::malloc(size));
  if (!n) throw std::bad_alloc();
  n->score = score;
  n->backward = nullptr;
  n->hnext = nullptr;
  n->mlen = static_cast<uint32_t>(member.size());
  n->level = static_cast<uint8_t>(level);
  if (!member.empty())
    std::memcpy(const_cast<char*>(n->member_ptr()), member.data(), member.size());
  bytes_ += size;
  return n;
}

void ZSkiplist::free_node(ZNode* n) {
  bytes_ -= ZNode::size_for(n->level, n->mlen);
  std::free(n);
}

void ZSkiplist::link(ZNode* x) {
  ZNode* update[kMaxLevel];
  size_t rank[kMaxLevel];
  ZNode* p = head_;
  for (int i = level_ - 1; i >= 0; i--) {
    rank[i] = i == level_ - 1 ? 0 : rank[i + 1];
    while (p->forward()[i] && node_before(p->forward()[i], x->score, x->member())) {
      rank[i] += p->span()[i];
      p = p->forward()[i];
    }
    update[i] = p;
  }
  int level = x->level;
  if (level > level_) {
    for (int i = level_; i < level; i++) {
      rank[i] = 0;
      update[i] = head_;
      head_->span()[i] = static_cast<uint32_t>(length_);
    }
    level_ = level;
  }
  for (int i = 0; i < level; i++) {
    x->forward()[i] = update[i]->forward()[i];
    update[i]->forward()[i] = x;
    // update[i] spanned to its old successor; x now sits (rank[0] - rank[i]) + 1 after it.
    x->span()[i] = static_cast<uint32_t>(update[i]->span()[i] - (rank[0] - rank[i]));
    update[i]->span()[i] = static_cast<uint32_t>((rank[0] - rank[i]) + 1);
  }
  for (int i = level; i < level_; i++) update[i]->span()[i]++;
  x->backward = update[0] == head_ ? nullptr : update[0];
  if (x->forward()[0])
    x->forward()[0]->backward = x;
  else
    tail_ = x;
  length_++;
}

void ZSkiplist::predecessors(const ZNode* n, ZNode** update) const {
  ZNode* p = head_;
  for (int i = level_ - 1; i >= 0; i--) {
    while (p->forward()[i] && node_before(p->forward()[i], n->score, n->member()))
      p = p->forward()[i];
    update[i] = p;
  }
}

void ZSkiplist::unlink(ZNode* x, ZNode** update) {
  for (int i = 0; i < level_; i++) {
    if (update[i]->forward()[i] == x) {
      update[i]->span()[i] += x->span()[i] - 1;
      update[i]->forward()[i] = x->forward()[i];
    } else {
      update[i]->span()[i] -= 1;
    }
  }
  if (x->forward()[0])
    x->forward()[0]->backward = x->backward;
  else
    tail_ = x->backward;
  while (level_ > 1 && head_->forward()[level_ - 1] == nullptr) level_--;
  length_--;
}

ZNode* ZSkiplist::insert(double score, std::string_view member) {
  ZNode* n = make_node(random_level(), score, member);
  link(n);
  index_insert(n);
  return n;
}

void ZSkiplist::update_score(ZNode* n, double score) {
  // Still strictly between its neighbours: the order holds with the new score in place.
  const ZNode* prev = n->backward;
  const ZNode* next = n->forward()[0];
  if ((!prev || prev->score < score) && (!next || next->score > score)) {
    n->score = score;
    return;
  }
  ZNode* update[kMaxLevel];
  predecessors(n, update);
  unlink(n, update);
  n->score = score;
  link(n);
}

void ZSkiplist::erase(ZNode* n) {
  ZNode* update[kMaxLevel];
  predecessors(n, update);
  unlink(n, update);
  index_remove(n);
  free_node(n);
  maybe_shrink();
}

void ZSkiplist::erase_ranks(size_t from, size_t count) {
  if (count == 0) return;
  ZNode* update[kMaxLevel];
  ZNode* p = head_;
  size_t traversed = 0;
  for (int i = level_ - 1; i >= 0; i--) {
    while (p->forward()[i] && traversed + p->span()[i] <= from) {
      traversed += p->span()[i];
      p = p->forward()[i];
    }
    update[i] = p;
  }
  // update[] stays the predecessor set of each next victim: the victims are consecutive.
  for (size_t k = 0; k < count; k++) {
    ZNode* x = update[0]->forward()[0];
    unlink(x, update);
    index_remove(x);
    free_node(x);
  }
  maybe_shrink();
}

size_t ZSkiplist::rank_of(const ZNode* n) const {
  size_t rank = 0;
  const ZNode* p = head_;
  for (int i = level_ - 1; i >= 0; i--) {
    while (p->forward()[i] &&
           (p->forward()[i] == n || node_before(p->forward()[i], n->score, n->member()))) {
      rank += p->span()[i];
      p = p->forward()[i];
      if (p == n) return rank - 1;
    }
  }
  return rank - 1;
}

ZNode* ZSkiplist::at_rank(size_t r) const {
  size_t target = r + 1, traversed = 0;
  ZNode* p = head_;
  for (int i = level_ - 1; i >= 0; i--) {
    while (p->forward()[i] && traversed + p->span()[i] <= target) {
      traversed += p->span()[i];
      p = p->forward()[i];
    }
    if (traversed == target) return p;
  }
  return nullptr;
}

// --- the member index ---

uint64_t ZSkiplist::hash(std::string_view member) const {
  return XXH3_64bits_withSeed(member.data(), member.size(), seed_);
}

ZNode* ZSkiplist::find(std::string_view member) const {
  for (ZNode* n = buckets_[hash(member) & mask_]; n; n = n->hnext) {
    if (n->mlen == member.size() &&
        (member.empty() || std::memcmp(n->member_ptr(), member.data(), member.size()) == 0))
      return n;
  }
  return nullptr;
}

ZNode** ZSkiplist::slot_of(const ZNode* n) {
  ZNode** link = &buckets_[hash(n->member()) & mask_];
  while (*link != n) link = &(*link)->hnext;
  return link;
}

void ZSkiplist::index_insert(ZNode* n) {
  if (length_ > mask_ + 1) resize((mask_ + 1) * 2);
  ZNode** b = &buckets_[hash(n->member()) & mask_];
  n->hnext = *b;
  *b = n;
}

void ZSkiplist::index_remove(ZNode* n) {
  ZNode** link = slot_of(n);
  *link = n->hnext;
}

void ZSkiplist::maybe_shrink() {
  size_t b = mask_ + 1;
  if (b <= kMinBuckets || length_ >= b / 8) return;
  size_t want = kMinBuckets;
  while (want < length_) want *= 2;
  resize(want);
}

void ZSkiplist::resize(size_t new_buckets) {
  ZNode** fresh = alloc_buckets(new_buckets);
  size_t new_mask = new_buckets - 1;
  for (size_t b = 0; b <= mask_; b++) {
    ZNode* n = buckets_[b];
    while (n) {
      ZNode* next = n->hnext;
      ZNode** slot = &fresh[hash(n->member()) & new_mask];
      n->hnext = *slot;
      *slot = n;
      n = next;
    }
  }
  std::free(buckets_);
  bytes_ -= (mask_ + 1) * sizeof(ZNode*);
  bytes_ += new_buckets * sizeof(ZNode*);
  buckets_ = fresh;
  mask_ = new_mask;
}

}  // namespace respite::storage
