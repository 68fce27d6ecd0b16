// The shard's hash table: see shard.h for the layout and the concurrency contract.
#include "storage/shard.h"

#include "storage/hash.h"

#include <errno.h>
#include <pthread.h>
#include <sys/mman.h>
#include <time.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace respite::storage {

namespace {
constexpr uint64_t kMinBuckets = 4;
// A cap far beyond any memory: 2^32 buckets are 32 GiB of array.
constexpr uint64_t kMaxBuckets = uint64_t(1) << 32;
// Grow past load factor kMaxLoad; shrink below 1/8 so that a table oscillating around a boundary
// does not rehash back and forth. Load 2, not 1: the bucket array is 8 bytes a bucket, 4 to 8 a
// key at load 1..2 instead of 8 to 16 at 0.5..1, a quarter of the budget of 28 bytes a key
// (entry.h); a hit walks 1.5 entries on average instead of 1.25, a miss 1.5 instead of 0.75.
constexpr uint64_t kMaxLoad = 2;
constexpr uint64_t kShrinkFactor = 8;
static_assert((kMinBuckets & (kMinBuckets - 1)) == 0, "bucket counts are powers of two");

inline uint64_t bucket_of(uint64_t hash, uint64_t mask) {
  return hash & mask;
}

// The key's chain in t, searched lock-free.
inline Entry* search(const Shard::Table* t, std::string_view key, uint64_t hash) {
  for (Entry* e = Entry::link_get(t->slots[bucket_of(hash, t->mask)], std::memory_order_acquire); e;
       e = e->next(std::memory_order_acquire)) {
    if (e->key_equals(key)) return e;
  }
  return nullptr;
}

StubBody stub_body(const Entry* stub) {
  StubBody b;
  std::memcpy(&b, stub->value_area(), sizeof b);
  return b;
}

void set_stub_body(Entry* stub, const StubBody& b) {
  std::memcpy(stub->value_area(), &b, sizeof b);
}

// What a lock-free reader sees for a stub: the old entry until the commit store, then the new.
// Field by field: `after` may still be restaged by the writer until the commit, so a reader
// reads it only once the flag's acquire load has ordered it after that last write.
template <class T>
T stub_field(const Entry* stub, size_t offset) {
  T v;
  std::memcpy(&v, static_cast<const char*>(stub->value_area()) + offset, sizeof v);
  return v;
}

Entry* resolve(Entry* stub) {
  auto* committed = stub_field<const std::atomic<bool>*>(stub, offsetof(StubBody, committed));
  if (committed->load(std::memory_order_acquire)) {
    return stub_field<Entry*>(stub, offsetof(StubBody, after));
  }
  return stub_field<Entry*>(stub, offsetof(StubBody, before));
}
}  // namespace

// Bucket arrays of a page or more are mapped from the kernel and unmapped when freed. A shard's
// table doubles through every power of two on its way up; freed to the allocator, the smaller
// arrays stayed resident (mimalloc keeps freed spans committed for reuse, and entries, which come
// from slabs, never reuse them): 5 bytes of RSS a key beyond used_memory at 1M keys. Mapped, they
// are handed back at once, and a fresh mapping is zero-filled by the kernel without touching its
// pages. A resize is one mmap and one munmap, once per doubling.
namespace {
constexpr size_t kMapTableBytes = 4096;

size_t table_alloc_bytes(uint64_t nbuckets) {
  return sizeof(Shard::Table) + (nbuckets - 1) * sizeof(Entry::Link);
}
}  // namespace

Shard::Table* Shard::Table::make(uint64_t nbuckets) {
  size_t size = table_alloc_bytes(nbuckets);
  void* mem;
  if (size >= kMapTableBytes) {
    mem = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) throw std::bad_alloc();
  } else {
    mem = std::calloc(1, size);  // all-zero bytes are null links
    if (!mem) throw std::bad_alloc();
  }
  Table* t = static_cast<Table*>(mem);
  t->mask = nbuckets - 1;
  return t;
}

void Shard::Table::free(void* p) {
  auto* t = static_cast<Table*>(p);
  size_t size = table_alloc_bytes(t->mask + 1);
  if (size >= kMapTableBytes) {
    munmap(t, size);
  } else {
    std::free(t);
  }
}

// Frees a detached table and every entry chained from it (FLUSHDB through reclamation, and the
// destructor).
void Shard::free_table_with_entries(void* p) {
  auto* t = static_cast<Shard::Table*>(p);
  for (uint64_t i = 0; i <= t->mask; i++) {
    Entry* e = Entry::link_get(t->slots[i], std::memory_order_relaxed);
    while (e) {
      Entry* n = e->next(std::memory_order_relaxed);
      Entry::destroy(e);
      e = n;
    }
  }
  Shard::Table::free(t);
}

Shard::~Shard() {
  if (Table* t = table_.load(std::memory_order_relaxed)) free_table_with_entries(t);
  if (Table* o = old_.load(std::memory_order_relaxed)) free_table_with_entries(o);
}

int64_t Shard::tables_bytes() const {
  return table_bytes(table_.load(std::memory_order_acquire)) +
         table_bytes(old_.load(std::memory_order_acquire));
}

uint64_t Shard::buckets() const {
  Table* t = table_.load(std::memory_order_acquire);
  return t ? t->mask + 1 : 0;
}

// pthread_mutex_timedlock on std::mutex's own pthread mutex, not std::timed_mutex: libstdc++'s
// try_lock_for calls pthread_mutex_clocklock, which GCC 12's ThreadSanitizer does not intercept
// (it then reports every access the lock orders as a race). The deadline is CLOCK_REALTIME's, as
// timedlock wants; a clock step only makes one period longer or shorter.
void Shard::wait_lock() const {
  const LockWaitHook hook = t_lock_wait_hook;
  if (hook.fn == nullptr) {
    mu_.lock();
    return;
  }
  for (;;) {
    timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += kLockWaitPeriodMs * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec += 1;
      until.tv_nsec -= 1000000000L;
    }
    int rc = pthread_mutex_timedlock(mu_.native_handle(), &until);
    if (rc == 0) return;
    if (rc != ETIMEDOUT) {  // not expected of a default mutex: wait without the hook
      mu_.lock();
      return;
    }
    hook.fn(hook.ctx);
  }
}

void Shard::wait_exclusive() const {
  if (held_exclusively()) return;  // the holder's own reads see its changes as they go
  // Taken after the holder lowered its marker and unlocked: everything it did is visible now.
  if (!mu_.try_lock()) wait_lock();
  mu_.unlock();
}

Entry* Shard::find(std::string_view key, uint64_t hash) const {
  // A transaction holds this shard (header note): see all of it, so wait for it to end. Acquire:
  // pairs with the release store that lowers the marker.
  if (__builtin_expect(exclusive_.load(std::memory_order_acquire) != nullptr, 0)) wait_exclusive();
  // The common case, kept small: no FLUSHDB/SWAPDB redirect and no migration in flight.
  uint32_t seq = seq_.load(std::memory_order_acquire);
  const Redirect* r = redirect_.load(std::memory_order_acquire);
  const Table* t = table_.load(std::memory_order_acquire);
  const Table* o = old_.load(std::memory_order_acquire);
  if (__builtin_expect(r != nullptr || o != nullptr, 0)) return find_slow(key, hash);
  if (!t) return nullptr;
  if (Entry* e = search(t, key, hash)) return e->pending() ? resolve(e) : e;
  // A miss is trustworthy unless a migration began meanwhile (seqlock read side, shard.h).
  std::atomic_thread_fence(std::memory_order_acquire);
  if (seq_.load(std::memory_order_relaxed) == seq) return nullptr;
  return find_slow(key, hash);
}

Entry* Shard::find_slow(std::string_view key, uint64_t hash) const {
  for (;;) {
    uint32_t seq = seq_.load(std::memory_order_acquire);
    uint64_t lo = 0, hi = 0;
    if (seq & 1) {  // published before the odd sequence (release), so visible here
      lo = step_lo_.load(std::memory_order_relaxed);
      hi = step_hi_.load(std::memory_order_relaxed);
    }
    const Table* t;
    const Table* o = nullptr;
    const Redirect* r = redirect_.load(std::memory_order_acquire);
    if (r && r->committed->load(std::memory_order_acquire)) {
      t = static_cast<const Table*>(r->table);  // FLUSHDB/SWAPDB committed: the new contents
    } else {
      t = table_.load(std::memory_order_acquire);
      o = old_.load(std::memory_order_acquire);
    }
    Entry* e = t ? search(t, key, hash) : nullptr;
    if (!e && o) e = search(o, key, hash);
    if (e) return e->pending() ? resolve(e) : e;
    // A miss is trustworthy unless a step moved this key's old chain while we walked it.
    std::atomic_thread_fence(std::memory_order_acquire);
    if (seq_.load(std::memory_order_relaxed) == seq) {
      if (!(seq & 1) || !o) return nullptr;
      uint64_t ob = bucket_of(hash, o->mask);
      if (ob < lo || ob >= hi) return nullptr;
    }
  }
}

Entry::Link* Shard::find_link_locked(std::string_view key, uint64_t hash) {
  Table* t = table_.load(std::memory_order_relaxed);
  if (!t) {
    // The first insert allocates; readers see the table through the release store.
    t = Table::make(kMinBuckets);
    tables_dirty_ = true;
    table_.store(t, std::memory_order_release);
  }
  auto walk = [&](Table* x) {
    Entry::Link* link = &x->slots[bucket_of(hash, x->mask)];
    for (Entry* e = Entry::link_get(*link, std::memory_order_relaxed); e;
         e = Entry::link_get(*link, std::memory_order_relaxed)) {
      if (e->key_equals(key)) return link;
      link = &e->next_link();
    }
    return link;
  };
  if (Table* o = old_.load(std::memory_order_relaxed)) {
    Entry::Link* link = walk(o);
    if (Entry::link_get(*link, std::memory_order_relaxed)) return link;
  }
  return walk(t);  // new keys go to the current table
}

void Shard::account(const Entry* e, int sign, Participant* p, int64_t bytes) {
  count_.store(count_.load(std::memory_order_relaxed) + sign, std::memory_order_relaxed);
  if (e->expire_ms() >= 0) add_expires_locked(sign);
  if (sign > 0) note_if_subexpires_locked(e);
  add_bytes_locked(sign * (bytes >= 0 ? bytes : static_cast<int64_t>(e->alloc_size())), p);
}

int64_t Shard::table_bytes(const Table* t) {
  return t ? static_cast<int64_t>(sizeof(Shard::Table) + t->mask * sizeof(t->slots[0])) : 0;
}

void Shard::account_tables_locked(Participant* p) {
  int64_t now = table_bytes(table_.load(std::memory_order_relaxed)) +
                table_bytes(old_.load(std::memory_order_relaxed));
  tables_dirty_ = false;
  if (now != tables_accounted_) {
    p->add_bytes(now - tables_accounted_);
    tables_accounted_ = now;
  }
}

Entry* Shard::upsert_locked(Entry* e, uint64_t hash, Participant* p) {
  Entry::Link* link = find_link_locked(e->key(), hash);
  Entry* old = Entry::link_get(*link, std::memory_order_relaxed);
  if (old) {
    replace_at_locked(link, old, e, hash, p);
    return old;
  }
  link_stamp(e);
  e->set_next(nullptr, std::memory_order_relaxed);
  // Publish: the entry's bytes are visible before it.
  Entry::link_set(*link, e, std::memory_order_release);
  account(e, +1, p);
  touched_locked(e->key(), hash, true);
  after_write_locked(p);
  return nullptr;
}

void Shard::replace_locked(Entry* old, Entry* e, uint64_t hash, Participant* p) {
  replace_at_locked(find_link_locked(old->key(), hash), old, e, hash, p);
}

void Shard::recode_locked(Entry* old, Entry* e, uint64_t hash, Participant* p) {
  replace_at_locked(find_link_locked(old->key(), hash), old, e, hash, p, /*touched=*/false);
}

// link points at old; e (same key) takes its place in the chain and old is retired.
void Shard::replace_at_locked(Entry::Link* link, Entry* old, Entry* e, uint64_t hash,
                              Participant* p, bool touched) {
  link_stamp(e);
  e->set_next(old->next(std::memory_order_relaxed), std::memory_order_relaxed);
  Entry::link_set(*link, e, std::memory_order_release);
  // One key out, one in: the count stays, the bytes and TTL count move by the difference.
  int expires = (e->expire_ms() >= 0) - (old->expire_ms() >= 0);
  if (expires) add_expires_locked(expires);
  note_if_subexpires_locked(e);
  int64_t old_bytes = static_cast<int64_t>(old->alloc_size());
  add_bytes_locked(static_cast<int64_t>(e->alloc_size()) - old_bytes, p);
  if (touched) touched_locked(e->key(), hash, true);
  p->retire(old, Entry::destroy_cb, old_bytes);
  after_write_locked(p);
}

bool Shard::erase_locked(std::string_view key, uint64_t hash, Participant* p) {
  if (!table_.load(std::memory_order_relaxed)) return false;
  Entry::Link* link = find_link_locked(key, hash);
  Entry* e = Entry::link_get(*link, std::memory_order_relaxed);
  if (!e) return false;
  Entry::link_set(*link, e->next(std::memory_order_relaxed), std::memory_order_release);
  int64_t bytes = static_cast<int64_t>(e->alloc_size());
  account(e, -1, p, bytes);
  touched_locked(key, hash, false);
  p->retire(e, Entry::destroy_cb, bytes);
  after_write_locked(p);
  return true;
}

bool Shard::holds_locked(const Entry* e, uint64_t hash) const {
  for (const Table* t :
       {table_.load(std::memory_order_relaxed), old_.load(std::memory_order_relaxed)}) {
    if (!t) continue;
    for (const Entry* x =
             Entry::link_get(t->slots[bucket_of(hash, t->mask)], std::memory_order_relaxed);
         x; x = x->next(std::memory_order_relaxed)) {
      if (x == e) return true;
    }
  }
  return false;
}

void Shard::erase_entry_locked(Entry* e, uint64_t hash, Participant* p) {
  erase_locked(e->key(), hash, p);
}

Entry* Shard::stage_locked(std::string_view key, uint64_t hash, const std::atomic<bool>* committed,
                           Entry* after, Entry** displaced, bool* restaged) {
  *displaced = nullptr;
  Entry::Link* link = find_link_locked(key, hash);
  Entry* cur = Entry::link_get(*link, std::memory_order_relaxed);
  *restaged = cur && cur->pending();
  // `after` gets its generation now, while no reader can see it: after the commit they may touch
  // its access word, which shares a word with gen (entry.h).
  if (after) link_stamp(after);
  if (*restaged) {  // staged before by the same write: only `after` changes (readers read the
                    // other fields meanwhile)
    *displaced = stub_field<Entry*>(cur, offsetof(StubBody, after));
    int64_t bytes = after ? static_cast<int64_t>(after->alloc_size()) : 0;
    char* body = static_cast<char*>(cur->value_area());
    std::memcpy(body + offsetof(StubBody, after), &after, sizeof after);
    std::memcpy(body + offsetof(StubBody, after_bytes), &bytes, sizeof bytes);
    return cur;
  }
  Entry* stub = Entry::make_stub(key);
  set_stub_body(stub, StubBody{committed, cur, after,
                               after ? static_cast<int64_t>(after->alloc_size()) : 0, hash});
  stub->set_next(cur ? cur->next(std::memory_order_relaxed) : nullptr, std::memory_order_relaxed);
  // Readers resolve it to `cur` until the commit.
  Entry::link_set(*link, stub, std::memory_order_release);
  return stub;
}

Entry* Shard::staged_value(const Entry* stub) {
  return stub_body(stub).after;
}

void Shard::settle_locked(Entry* stub, Participant* p) {
  StubBody b = stub_body(stub);
  Entry::Link* link = find_link_locked(stub->key(), b.hash);
  Entry* next = stub->next(std::memory_order_relaxed);
  if (b.after) {  // stamped when staged
    b.after->set_next(next, std::memory_order_relaxed);
    Entry::link_set(*link, b.after, std::memory_order_release);
    account(b.after, +1, p, b.after_bytes);
  } else {
    Entry::link_set(*link, next, std::memory_order_release);
  }
  if (b.before) {
    int64_t bytes = static_cast<int64_t>(b.before->alloc_size());
    account(b.before, -1, p, bytes);
    p->retire(b.before, Entry::destroy_cb, bytes);
  }
  touched_locked(stub->key(), b.hash, b.after != nullptr);
  p->retire(stub, Entry::destroy_cb);
  after_write_locked(p);
}

void Shard::after_write_locked(Participant* p) {
  if (old_.load(std::memory_order_relaxed)) {
    migrate_step_locked(p);
  } else if (Table* t = table_.load(std::memory_order_relaxed)) {
    uint64_t n = t->mask + 1;
    if (size() > n * kMaxLoad && n < kMaxBuckets) {
      start_resize_locked(n * 2, p);
    } else if (n > kMinBuckets && size() * kShrinkFactor < n) {
      uint64_t target = kMinBuckets;
      while (target * kMaxLoad < size() * 2) target *= 2;
      start_resize_locked(target, p);
    }
  }
  if (tables_dirty_) account_tables_locked(p);
}

void Shard::start_resize_locked(uint64_t nbuckets, Participant* p) {
  Table* cur = table_.load(std::memory_order_relaxed);
  Table* t = Table::make(nbuckets);
  tables_dirty_ = true;
  // old_ before table_: a reader that sees the new (empty) table also sees the old one to search.
  old_.store(cur, std::memory_order_release);
  table_.store(t, std::memory_order_release);
  migrate_pos_ = 0;
  migrate_step_locked(p);
}

void Shard::migrate_step_locked(Participant* p) {
  Table* o = old_.load(std::memory_order_relaxed);
  Table* t = table_.load(std::memory_order_relaxed);
  uint64_t lo = migrate_pos_, hi = std::min(lo + kStepBuckets, o->mask + 1);
  // Seqlock write side. The range is published with the odd sequence (release), and the fence
  // orders the chain rewrites after it: a reader that sees any of them sees the odd sequence (or
  // a later one) when it checks again, and then knows whether its bucket was in the range.
  step_lo_.store(lo, std::memory_order_relaxed);
  step_hi_.store(hi, std::memory_order_relaxed);
  uint32_t seq = seq_.load(std::memory_order_relaxed);
  seq_.store(seq + 1, std::memory_order_release);
  std::atomic_thread_fence(std::memory_order_release);
  for (uint64_t b = lo; b < hi; b++) {
    Entry* e = Entry::link_get(o->slots[b], std::memory_order_relaxed);
    o->slots[b].store(0, std::memory_order_relaxed);
    while (e) {
      Entry* n = e->next(std::memory_order_relaxed);
      // Prepended: a reader walking the destination chain sees either its old head or e, whose
      // next is already the old head (release). A stub's key hashes like the key it stands for.
      Entry::Link& head = t->slots[bucket_of(hash_key(e->key()), t->mask)];
      e->set_next(Entry::link_get(head, std::memory_order_relaxed), std::memory_order_relaxed);
      Entry::link_set(head, e, std::memory_order_release);
      e = n;
    }
  }
  seq_.store(seq + 2, std::memory_order_release);
  migrate_pos_ = hi;
  migrated_.store(migrated_.load(std::memory_order_relaxed) + (hi - lo), std::memory_order_relaxed);
  if (hi == o->mask + 1) {  // every chain moved: readers may still be walking it, so retire it
    old_.store(nullptr, std::memory_order_release);
    p->retire(o, Table::free, table_bytes(o));
    tables_dirty_ = true;
  }
}

void Shard::finish_resize_locked(Participant* p) {
  while (old_.load(std::memory_order_relaxed)) migrate_step_locked(p);
}

void Shard::install_redirect_locked(Table** prev, Table** prev_old) {
  const Redirect* r = redirect_.load(std::memory_order_relaxed);
  *prev = table_.load(std::memory_order_relaxed);
  *prev_old = old_.load(std::memory_order_relaxed);
  // The tables first, then the redirect goes: a reader that no longer sees the redirect reads
  // the new table (release/acquire on redirect_).
  old_.store(nullptr, std::memory_order_release);
  table_.store(static_cast<Table*>(r->table), std::memory_order_release);
  redirect_.store(nullptr, std::memory_order_release);
  migrate_pos_ = 0;
}

void Shard::clear_counters_locked(Participant* p) {
  count_.store(0, std::memory_order_relaxed);
  expires_.store(0, std::memory_order_relaxed);
  p->add_bytes(-bytes_.load(std::memory_order_relaxed));
  bytes_.store(0, std::memory_order_relaxed);
  expire_cursor_ = 0;
}

void Shard::retire_table_with_entries(Table* t, Participant* p, int64_t bytes) {
  if (t) p->retire(t, free_table_with_entries, bytes);
}

void Shard::swap_counters_locked(Shard& o) {
  auto swap_counter = [](auto& x, auto& y) {
    auto t = x.load(std::memory_order_relaxed);
    x.store(y.load(std::memory_order_relaxed), std::memory_order_relaxed);
    y.store(t, std::memory_order_relaxed);
  };
  swap_counter(count_, o.count_);
  swap_counter(expires_, o.expires_);
  swap_counter(bytes_, o.bytes_);
  std::swap(expire_cursor_, o.expire_cursor_);
  bool mine = may_have_subexpires();
  subexpires_.store(o.may_have_subexpires(), std::memory_order_relaxed);
  o.subexpires_.store(mine, std::memory_order_relaxed);
  std::swap(subexpires_seen_, o.subexpires_seen_);
}

}  // namespace respite::storage
