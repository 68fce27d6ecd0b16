// The shard's hash table: see shard.h for the layout and the concurrency contract.
#include "storage/shard.h"

#include "storage/hash.h"

#include <cstdlib>
#include <new>

namespace respite::storage {

namespace {
constexpr uint64_t kMinBuckets = 4;
// Grow at load factor 1 (chains stay short for lock-free readers); shrink below 1/8 so that a
// table oscillating around a boundary does not rehash back and forth.
constexpr uint64_t kShrinkFactor = 8;
static_assert((kMinBuckets & (kMinBuckets - 1)) == 0, "bucket counts are powers of two");

inline uint64_t bucket_of(uint64_t hash, uint64_t mask) {
  return hash & mask;
}
}  // namespace

Shard::Table* Shard::Table::make(uint64_t nbuckets) {
  size_t size = sizeof(Table) + (nbuckets - 1) * sizeof(std::atomic<Entry*>);
  void* mem = std::calloc(1, size);  // all-zero bytes are null atomic pointers
  if (!mem) throw std::bad_alloc();
  Table* t = static_cast<Table*>(mem);
  t->mask = nbuckets - 1;
  return t;
}

void Shard::Table::free(void* t) {
  std::free(t);
}

// Frees a detached table and every entry chained from it (FLUSHDB through reclamation, and the
// destructor).
static void free_table_with_entries(void* p) {
  auto* t = static_cast<Shard::Table*>(p);
  for (uint64_t i = 0; i <= t->mask; i++) {
    Entry* e = t->slots[i].load(std::memory_order_relaxed);
    while (e) {
      Entry* n = e->next.load(std::memory_order_relaxed);
      Entry::destroy(e);
      e = n;
    }
  }
  Shard::Table::free(t);
}

Shard::~Shard() {
  if (Table* t = table_.load(std::memory_order_relaxed)) free_table_with_entries(t);
}

uint64_t Shard::buckets() const {
  Table* t = table_.load(std::memory_order_acquire);
  return t ? t->mask + 1 : 0;
}

Entry* Shard::find(std::string_view key, uint64_t hash) const {
  for (;;) {
    uint32_t seq = resize_seq_.load(std::memory_order_acquire);
    Table* t = table_.load(std::memory_order_acquire);
    if (!t) return nullptr;
    for (Entry* e = t->slots[bucket_of(hash, t->mask)].load(std::memory_order_acquire); e;
         e = e->next.load(std::memory_order_acquire)) {
      if (e->key_equals(key)) return e;
    }
    // A miss is only trustworthy if no resize ran meanwhile (seqlock read side).
    std::atomic_thread_fence(std::memory_order_acquire);
    if (!(seq & 1) && resize_seq_.load(std::memory_order_relaxed) == seq) return nullptr;
  }
}

std::atomic<Entry*>* Shard::find_link_locked(std::string_view key, uint64_t hash) {
  Table* t = table_.load(std::memory_order_relaxed);
  if (!t) {
    // The first insert allocates; readers see the table through the release store.
    t = Table::make(kMinBuckets);
    table_.store(t, std::memory_order_release);
  }
  std::atomic<Entry*>* link = &t->slots[bucket_of(hash, t->mask)];
  for (Entry* e = link->load(std::memory_order_relaxed); e;
       e = link->load(std::memory_order_relaxed)) {
    if (e->key_equals(key)) return link;
    link = &e->next;
  }
  return link;
}

void Shard::account_insert(const Entry* e, int sign) {
  count_.store(count_.load(std::memory_order_relaxed) + sign, std::memory_order_relaxed);
  if (e->expire_ms() >= 0) add_expires_locked(sign);
  add_bytes_locked(sign * static_cast<int64_t>(e->alloc_size()));
}

Entry* Shard::upsert_locked(Entry* e, uint64_t hash, Participant* p) {
  std::atomic<Entry*>* link = find_link_locked(e->key(), hash);
  Entry* old = link->load(std::memory_order_relaxed);
  if (old) {
    replace_at_locked(link, old, e, p);
    return old;
  }
  e->gen = next_gen_++;
  e->next.store(nullptr, std::memory_order_relaxed);
  link->store(e, std::memory_order_release);  // publish: the entry's bytes are visible before it
  account_insert(e, +1);
  maybe_grow_locked(p);
  return nullptr;
}

void Shard::replace_locked(Entry* old, Entry* e, uint64_t hash, Participant* p) {
  replace_at_locked(find_link_locked(old->key(), hash), old, e, p);
}

// link points at old; e (same key) takes its place in the chain and old is retired.
void Shard::replace_at_locked(std::atomic<Entry*>* link, Entry* old, Entry* e, Participant* p) {
  e->gen = next_gen_++;
  e->next.store(old->next.load(std::memory_order_relaxed), std::memory_order_relaxed);
  link->store(e, std::memory_order_release);
  account_insert(old, -1);
  account_insert(e, +1);
  p->retire(old, Entry::destroy_cb);
}

bool Shard::erase_locked(std::string_view key, uint64_t hash, Participant* p) {
  if (!table_.load(std::memory_order_relaxed)) return false;
  std::atomic<Entry*>* link = find_link_locked(key, hash);
  Entry* e = link->load(std::memory_order_relaxed);
  if (!e) return false;
  link->store(e->next.load(std::memory_order_relaxed), std::memory_order_release);
  account_insert(e, -1);
  p->retire(e, Entry::destroy_cb);
  maybe_shrink_locked(p);
  return true;
}

void Shard::erase_entry_locked(Entry* e, uint64_t hash, Participant* p) {
  erase_locked(e->key(), hash, p);
}

void Shard::maybe_grow_locked(Participant* p) {
  Table* t = table_.load(std::memory_order_relaxed);
  if (size() > t->mask + 1) rehash_locked((t->mask + 1) * 2, p);
}

void Shard::maybe_shrink_locked(Participant* p) {
  Table* t = table_.load(std::memory_order_relaxed);
  uint64_t n = t->mask + 1;
  if (n > kMinBuckets && size() * kShrinkFactor < n) {
    uint64_t target = kMinBuckets;
    while (target < size() * 2) target *= 2;
    rehash_locked(target, p);
  }
}

void Shard::rehash_locked(uint64_t nbuckets, Participant* p) {
  Table* old = table_.load(std::memory_order_relaxed);
  Table* t = Table::make(nbuckets);
  // Seqlock write side: readers that miss while the sequence is odd, or changed, retry.
  uint32_t seq = resize_seq_.load(std::memory_order_relaxed);
  resize_seq_.store(seq + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  for (uint64_t i = 0; i <= old->mask; i++) {
    Entry* e = old->slots[i].load(std::memory_order_relaxed);
    while (e) {
      Entry* n = e->next.load(std::memory_order_relaxed);
      std::atomic<Entry*>& head = t->slots[bucket_of(hash_key(e->key()), t->mask)];
      e->next.store(head.load(std::memory_order_relaxed), std::memory_order_release);
      head.store(e, std::memory_order_relaxed);  // published with the table below
      e = n;
    }
  }
  table_.store(t, std::memory_order_release);
  resize_seq_.store(seq + 2, std::memory_order_release);
  p->retire(old, Table::free);
}

Shard::Table* Shard::detach_locked() {
  Table* t = table_.load(std::memory_order_relaxed);
  if (!t) return nullptr;
  table_.store(nullptr, std::memory_order_release);
  count_.store(0, std::memory_order_relaxed);
  expires_.store(0, std::memory_order_relaxed);
  bytes_.store(0, std::memory_order_relaxed);
  expire_cursor_ = 0;
  return t;
}

void Shard::retire_table_with_entries(Table* t, Participant* p) {
  if (t) p->retire(t, free_table_with_entries);
}

void Shard::swap_locked(Shard& o) {
  Table* a = table_.load(std::memory_order_relaxed);
  Table* b = o.table_.load(std::memory_order_relaxed);
  // A reader that misses in the middle of the swap retries, as for a resize.
  uint32_t sa = resize_seq_.load(std::memory_order_relaxed),
           sb = o.resize_seq_.load(std::memory_order_relaxed);
  resize_seq_.store(sa + 1, std::memory_order_relaxed);
  o.resize_seq_.store(sb + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  table_.store(b, std::memory_order_release);
  o.table_.store(a, std::memory_order_release);
  auto swap_counter = [](auto& x, auto& y) {
    auto t = x.load(std::memory_order_relaxed);
    x.store(y.load(std::memory_order_relaxed), std::memory_order_relaxed);
    y.store(t, std::memory_order_relaxed);
  };
  swap_counter(count_, o.count_);
  swap_counter(expires_, o.expires_);
  swap_counter(bytes_, o.bytes_);
  std::swap(expire_cursor_, o.expire_cursor_);
  resize_seq_.store(sa + 2, std::memory_order_release);
  o.resize_seq_.store(sb + 2, std::memory_order_release);
}

}  // namespace respite::storage
