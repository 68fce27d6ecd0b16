// The encodings of a hash: the packed pair array and the chained table; see hash_table.h.
#include "storage/hash_table.h"

#include <xxhash.h>

#include <algorithm>
#include <cstdlib>
#include <new>

namespace respite::storage {

namespace {

void* checked_malloc(size_t n) {
  void* p = std::malloc(n);
  if (!p) throw std::bad_alloc();
  return p;
}

void* checked_realloc(void* old, size_t n) {
  void* p = std::realloc(old, n);
  if (!p) throw std::bad_alloc();
  return p;
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// PackedPairs

PackedPairs::~PackedPairs() {
  std::free(buf_);
}

PackedPairs::PackedPairs(const PackedPairs& o) : used_(o.used_), cap_(o.used_), count_(o.count_) {
  if (used_) {
    buf_ = static_cast<char*>(checked_malloc(used_));
    std::memcpy(buf_, o.buf_, used_);
  }
}

void PackedPairs::clear() {
  std::free(buf_);
  buf_ = nullptr;
  used_ = cap_ = count_ = 0;
}

size_t PackedPairs::find(std::string_view field) const {
  size_t off = 0;
  while (off < used_) {
    const char* p = buf_ + off;
    size_t fl, vl;
    p = varint::get(p, &fl);
    if (fl == field.size() && std::memcmp(p, field.data(), fl) == 0) return off;
    p = varint::get(p + fl, &vl);
    off = static_cast<size_t>(p + vl - buf_);
  }
  return npos;
}

// Growth keeps slack small (an eighth, rounded to 16 bytes): memory per element matters more than
// the copy, which a packed insert pays anyway when it moves the tail.
void PackedPairs::reserve(size_t need) {
  if (need <= cap_) return;
  size_t cap = (need + need / 8 + 15) & ~size_t{15};
  buf_ = static_cast<char*>(checked_realloc(buf_, cap));
  cap_ = cap;
}

void PackedPairs::shrink_to_fit_if_loose() {
  if (used_ == 0) {
    std::free(buf_);
    buf_ = nullptr;
    cap_ = 0;
    return;
  }
  if (cap_ - used_ <= std::max<size_t>(64, used_ / 2)) return;
  size_t cap = (used_ + 15) & ~size_t{15};
  buf_ = static_cast<char*>(checked_realloc(buf_, cap));
  cap_ = cap;
}

bool PackedPairs::set(std::string_view field, std::string_view value) {
  size_t off = find(field);
  if (off == npos) {
    reserve(used_ + pair_bytes(field.size(), value.size()));
    char* p = varint::put(buf_ + used_, field.size());
    std::memcpy(p, field.data(), field.size());
    p = varint::put(p + field.size(), value.size());
    std::memcpy(p, value.data(), value.size());
    used_ = static_cast<size_t>(p + value.size() - buf_);
    count_++;
    return true;
  }
  // Replace the value in place: [vlen][value] becomes [new vlen][new value].
  size_t fl, vl;
  const char* f = varint::get(buf_ + off, &fl);
  size_t voff = static_cast<size_t>(f + fl - buf_);
  const char* v = varint::get(buf_ + voff, &vl);
  size_t old_len = static_cast<size_t>(v + vl - buf_) - voff;
  size_t new_len = varint::size(value.size()) + value.size();
  size_t tail = used_ - (voff + old_len);
  if (new_len > old_len) reserve(used_ + new_len - old_len);
  std::memmove(buf_ + voff + new_len, buf_ + voff + old_len, tail);
  char* p = varint::put(buf_ + voff, value.size());
  std::memcpy(p, value.data(), value.size());
  used_ = used_ + new_len - old_len;
  if (new_len < old_len) shrink_to_fit_if_loose();
  return false;
}

bool PackedPairs::erase(std::string_view field) {
  size_t off = find(field);
  if (off == npos) return false;
  HashPair pr;
  size_t next = read(off, &pr);
  std::memmove(buf_ + off, buf_ + next, used_ - next);
  used_ -= next - off;
  count_--;
  shrink_to_fit_if_loose();
  return true;
}

// ------------------------------------------------------------------------------------------------
// PairTable

namespace {
// The smallest power of two >= n, at least 4 (a table never has fewer buckets).
size_t buckets_for(size_t n) {
  size_t b = 4;
  while (b < n) b <<= 1;
  return b;
}
}  // namespace

PairTable::PairTable(size_t expected) {
  uintptr_t self = reinterpret_cast<uintptr_t>(this);
  seed_ = XXH3_64bits(&self, sizeof self);
  size_t b = buckets_for(expected);
  buckets_ = static_cast<Node**>(std::calloc(b, sizeof(Node*)));
  if (!buckets_) throw std::bad_alloc();
  mask_ = b - 1;
}

PairTable::~PairTable() {
  for (size_t b = 0; b <= mask_; b++) {
    Node* n = buckets_[b];
    while (n) {
      Node* next = n->next;
      std::free(n);
      n = next;
    }
  }
  std::free(buckets_);
}

PairTable* PairTable::clone() const {
  auto* t = new PairTable(count_);
  for_each([&](const HashPair& p) { t->insert_new(p.field, p.value); });
  return t;
}

uint64_t PairTable::hash(std::string_view field) const {
  return XXH3_64bits_withSeed(field.data(), field.size(), seed_);
}

uint64_t PairTable::reverse_bits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
  v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
  v = ((v >> 4) & 0x0f0f0f0f0f0f0f0fULL) | ((v & 0x0f0f0f0f0f0f0f0fULL) << 4);
  return __builtin_bswap64(v);
}

PairTable::Node* PairTable::make_node(std::string_view field, std::string_view value,
                                      size_t* size) {
  *size = node_size(field.size(), value.size());
  Node* n = static_cast<Node*>(checked_malloc(*size));
  char* p = varint::put(varint::put(n->data(), field.size()), value.size());
  std::memcpy(p, field.data(), field.size());
  std::memcpy(p + field.size(), value.data(), value.size());
  return n;
}

PairTable::Node** PairTable::slot_of(std::string_view field, uint64_t h) {
  Node** link = &buckets_[h & mask_];
  for (Node* n = *link; n; link = &n->next, n = n->next) {
    size_t fl;
    const char* p = varint::get(n->data(), &fl);
    if (fl != field.size()) continue;
    size_t vl;
    p = varint::get(p, &vl);
    if (std::memcmp(p, field.data(), fl) == 0) return link;
  }
  return nullptr;
}

const PairTable::Node* PairTable::find(std::string_view field) const {
  Node** link = const_cast<PairTable*>(this)->slot_of(field, hash(field));
  return link ? *link : nullptr;
}

void PairTable::insert_new(std::string_view field, std::string_view value) {
  if (count_ + 1 > mask_ + 1) resize((mask_ + 1) * 2);
  size_t size;
  Node* n = make_node(field, value, &size);
  Node** head = &buckets_[hash(field) & mask_];
  n->next = *head;
  *head = n;
  node_bytes_ += size;
  count_++;
  size_t len = 0;
  for (const Node* c = n; c; c = c->next) len++;
  longest_ = std::max(longest_, len);
}

bool PairTable::set(std::string_view field, std::string_view value) {
  uint64_t h = hash(field);
  Node** link = slot_of(field, h);
  if (!link) {
    insert_new(field, value);
    return true;
  }
  Node* old = *link;
  HashPair cur = old->pair();
  if (cur.value.size() == value.size()) {
    // Same length (HINCRBY mostly, a rewritten value often): overwrite, no allocation.
    std::memcpy(const_cast<char*>(cur.value.data()), value.data(), value.size());
    return false;
  }
  size_t old_size = node_size(field.size(), cur.value.size());
  size_t size;
  Node* n = make_node(field, value, &size);
  n->next = old->next;
  *link = n;
  std::free(old);
  node_bytes_ = node_bytes_ - old_size + size;
  return false;
}

bool PairTable::erase(std::string_view field) {
  Node** link = slot_of(field, hash(field));
  if (!link) return false;
  Node* n = *link;
  *link = n->next;
  node_bytes_ -= node_size(field.size(), n->pair().value.size());
  std::free(n);
  count_--;
  // Shrink under 1/8 full (Redis resizes under 10%), to the smallest size that keeps load <= 1.
  if (mask_ + 1 > 4 && count_ * 8 < mask_ + 1) resize(buckets_for(count_));
  return true;
}

void PairTable::resize(size_t new_buckets) {
  Node** fresh = static_cast<Node**>(std::calloc(new_buckets, sizeof(Node*)));
  if (!fresh) throw std::bad_alloc();
  size_t new_mask = new_buckets - 1;
  for (size_t b = 0; b <= mask_; b++) {
    Node* n = buckets_[b];
    while (n) {
      Node* next = n->next;
      Node** head = &fresh[hash(n->pair().field) & new_mask];
      n->next = *head;
      *head = n;
      n = next;
    }
  }
  std::free(buckets_);
  buckets_ = fresh;
  mask_ = new_mask;
  longest_ = 0;
  for (size_t b = 0; b <= mask_; b++) {
    size_t len = 0;
    for (const Node* n = buckets_[b]; n; n = n->next) len++;
    longest_ = std::max(longest_, len);
  }
}

const PairTable::Node* PairTable::random_node(Rng& rng) const {
  if (count_ == 0) return nullptr;
  for (;;) {
    const Node* n = buckets_[rng.below(mask_ + 1)];
    for (size_t depth = rng.below(longest_); n && depth > 0; depth--) n = n->next;
    if (n) return n;
  }
}

}  // namespace respite::storage
