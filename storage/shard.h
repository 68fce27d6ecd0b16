// One shard of a keyspace: a chained hash table whose lookups take no lock and never wait for a
// resize.
//
// Layout: `table_` points to a power-of-two array of atomic bucket heads; each bucket is a singly
// linked chain of Entries (entry.h) through the next pointer in each entry's header word. Entries
// keep no hash (12-byte headers, entry.h): chains are walked comparing keys, whose length sits in
// the word that holds `next`, and a migration step hashes each key it moves once more.
//
// Concurrency contract:
// - find() is lock-free: acquire loads of the table, the bucket head and each next pointer pair
//   with the release stores that publish them, so a reader that reaches an entry sees it fully
//   built. A pending stub (a multi-key write being staged, multi_write.h) is resolved by find():
//   readers see the old value until the write's single commit store, then the new one.
// - Every change (insert, replace, erase, resize) happens under mu_. A replaced or erased entry is
//   unlinked with one release store and retired to the epoch manager; it keeps its own `next`, so a
//   reader standing on it walks on safely.
// - Resize is incremental. Growing or shrinking publishes a new table and keeps the old one in
//   `old_`; from then on every write under the lock moves kStepBuckets buckets of the old table
//   into the new one, until none is left and the old array is retired. Readers look in both
//   tables. Moving a chain rewrites `next` pointers, so a reader walking one of the chains being
//   moved may be led astray and miss its key (never find a wrong one: keys are compared). Each step
//   is therefore a small seqlock write section that also publishes which old buckets it moves
//   ([step_lo_, step_hi_)): a reader that misses retries only if a step began or ended meanwhile,
//   or if a step is running over its own old bucket. A step moves at most kStepBuckets chains, so
//   no reader ever waits for more than one short step, whatever the shard's size; hits never
//   retry. The whole O(n) rehash of earlier versions (153 ms for 2^20 keys, with readers spinning
//   throughout) is gone.
// - FLUSHDB and SWAPDB replace whole tables of many shards at once. Under every shard's lock the
//   writer points each shard's `redirect_` at the table it will have afterwards (nullptr for a
//   flush), flips one commit flag shared by all of them, then installs the tables and clears the
//   redirects. A reader that sees a committed redirect reads its table, so every reader sees every
//   shard of the keyspace either before or after, never a mix.
// - Exclusive holds (EXEC, server/commands/transactions.cpp). A thread that locks a set of shards
//   with MultiLock::lock(/*exclusive=*/true) raises each one's `exclusive_` marker (its thread
//   token) once it holds every lock, makes its changes, lowers the markers (release) and unlocks.
//   While a shard is held so, its lock is re-entrant for that thread (lock()/unlock() are no-ops
//   there), so the commands of a transaction run unchanged; and a lock-free reader on any other
//   thread that finds the marker raised (acquire load, before it traverses) waits for the shard's
//   lock instead, so that it sees the whole transaction or nothing of it. Why no reader sees half
//   of one: every marker is raised before the first change, every change (a link store, an
//   in-place integer or TTL store) is a release store, and every marker is lowered after the last
//   change. A reader R of key k in shard S either (a) loads S's marker raised: it waits for S's
//   lock, taken after the holder released it, and sees everything; (b) loads it lowered by the
//   holder: that store is ordered after every change, so R sees them all; or (c) loads it before
//   it was raised: R may still meet a change made to k meanwhile (a value read through an acquire
//   load of a release store), and then everything the holder did before that change, the raising
//   of every marker included, happens-before R's next step: any later read R makes, in any shard
//   of the transaction, finds the marker raised or lowered, i.e. cases (a) or (b). So once R has
//   seen one effect of the transaction it sees all of them; before that it sees none. Readers on
//   the holder's own thread (the transaction's own GETs) skip the marker. The fast path costs one
//   acquire load of a field next to the table pointer (a plain load on x86).
// - Watched keys (key_watch.h): every change of a key that the shard makes (insert, replace,
//   erase, settle of a staged write) and every in-place change its callers report
//   (modified_locked) tells the store's KeyWatch, which costs one relaxed load of a counter when
//   nobody watches a key with that hash.
// Complexity: O(1) expected per operation at load factor <= 2 (shard.cpp, kMaxLoad), plus at most
// one migration step (kStepBuckets chains) per write while a resize is in flight.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string_view>

#include "storage/entry.h"
#include "storage/epoch.h"
#include "storage/key_watch.h"

namespace respite::storage {

// What a thread does while it waits for a shard's lock: if set (for that thread), fn(ctx) runs
// each time the wait has lasted another kLockWaitPeriodMs. The server's workers set it so that one
// whose command waits for a script holding the shard still answers its other clients (-BUSY, and
// SCRIPT KILL) once the script is past busy-reply-threshold, instead of freezing until the script
// ends (server/worker.h). fn must not take a lock of a shard that the waiting thread holds.
struct LockWaitHook {
  void (*fn)(void* ctx) = nullptr;
  void* ctx = nullptr;
};
inline thread_local LockWaitHook t_lock_wait_hook;
constexpr int kLockWaitPeriodMs = 10;

// The address of this thread's instance names the thread in Shard::exclusive_ (see the header
// note): no thread id syscall, and a thread never mistakes another's token for its own.
inline thread_local char t_shard_token;

// What a pending stub stands for: `before` (the entry linked when the write was staged, or null)
// until *committed, then `after` (null: the key is deleted). Written before the commit store,
// read by readers only after they load it (acquire), so plain fields suffice.
struct StubBody {
  const std::atomic<bool>* committed;
  Entry* before;
  Entry* after;
  // after->alloc_size() when staged: what the commit accounts for it. A collection staged empty
  // and filled before the commit has its growth accounted by its writer meanwhile (Collection).
  int64_t after_bytes;
  uint64_t hash;  // the key's: entries keep none, and settling relinks and reports the key
};
static_assert(sizeof(StubBody) == Entry::kStubBodyBytes, "a stub's value area holds its body");

// A table a shard reads instead of its own once *committed (FLUSHDB, SWAPDB).
struct Redirect {
  const std::atomic<bool>* committed;
  void* table;  // a Shard::Table, or null for an empty shard
};

class Shard {
 public:
  // Old buckets moved per write while a resize is in flight. A step must be short (it bounds the
  // longest a reader can wait) yet move old buckets faster than writes can add keys: a grow starts
  // at n keys over n buckets and the next one is due only after n more inserts, each moving
  // kStepBuckets >= 1 old buckets, so a migration always ends before the next one is needed.
  static constexpr uint64_t kStepBuckets = 16;
  static_assert(kStepBuckets >= 2, "migration must outpace inserts");

  Shard() = default;
  ~Shard();  // frees every entry: only when no reader can remain
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  // Lock-free lookup; the caller is pinned. May return an expired entry: callers check expiry.
  // Never returns a pending stub.
  Entry* find(std::string_view key, uint64_t hash) const;

  // The shard's writer lock (BasicLockable, for std::lock_guard and std::unique_lock): a
  // mutex, except that a thread holding the shard exclusively (the header note) passes through
  // lock() and unlock() without touching it, so that code run inside an EXEC locks and unlocks as
  // it does outside. A wait runs the thread's LockWaitHook every kLockWaitPeriodMs.
  void lock() {
    if (!held_exclusively() && !mu_.try_lock()) wait_lock();
  }
  void unlock() {
    if (!held_exclusively()) mu_.unlock();
  }
  bool try_lock() { return held_exclusively() || mu_.try_lock(); }
  Shard& mutex() { return *this; }
  // Whether the calling thread holds this shard exclusively. Relaxed: only this thread ever
  // stores its own token, so it reads its own last store (or another thread's, never equal).
  bool held_exclusively() const {
    const void* x = exclusive_.load(std::memory_order_relaxed);
    return __builtin_expect(x != nullptr, 0) && x == &t_shard_token;  // the TLS address only then
  }
  // Under mu_, by the thread that locked it: raise (after every lock of the set is held, before the
  // first change) and lower (after the last change, before unlocking) the exclusive marker.
  void raise_exclusive_locked() { exclusive_.store(&t_shard_token, std::memory_order_relaxed); }
  void lower_exclusive_locked() { exclusive_.store(nullptr, std::memory_order_release); }

  // Where this shard reports changed keys (null: nobody asked), and its database's number.
  void set_watch(KeyWatch* w, int db) {
    watch_ = w;
    db_ = db;
  }
  int db() const { return db_; }  // its database's number (set with the watch)
  // --- everything below requires mu_ held ---
  // A key of this shard changed in place (a TTL, INCR's integer, a collection's contents): tells
  // the store's KeyWatch. Inserts, replacements and removals made through the shard report
  // themselves.
  void modified_locked(std::string_view key, uint64_t hash) { touched_locked(key, hash, true); }
  // The link that points to the key's entry (or, for a missing key, the null link ending its
  // bucket's chain in the current table). The entry may be a pending stub of the caller's own
  // multi-key write.
  Entry::Link* find_link_locked(std::string_view key, uint64_t hash);
  Entry* find_locked(std::string_view key, uint64_t hash) {
    return Entry::link_get(*find_link_locked(key, hash), std::memory_order_relaxed);
  }
  // Inserts e, or replaces the entry with the same key (retired through p). Returns the replaced
  // entry (already retired) or nullptr.
  Entry* upsert_locked(Entry* e, uint64_t hash, Participant* p);
  // Unlinks and retires the key's entry; false if there was none.
  bool erase_locked(std::string_view key, uint64_t hash, Participant* p);
  // Whether e is linked in the chain that hash selects, in either table while a migration runs.
  // Never dereferences e unless it is found linked (eviction's weak handles, evict.h). O(chain
  // length).
  bool holds_locked(const Entry* e, uint64_t hash) const;
  // Unlinks and retires a specific entry (the one find_locked returned).
  void erase_entry_locked(Entry* e, uint64_t hash, Participant* p);
  // Replaces old (present) by e, which has the same key.
  void replace_locked(Entry* old, Entry* e, uint64_t hash, Participant* p);
  // The same, for an e that holds old's very value in another encoding (the background compressor,
  // compressor.h): the key did not change, so WATCH is not told (key_watch.h).
  void recode_locked(Entry* old, Entry* e, uint64_t hash, Participant* p);

  // Multi-key writes (multi_write.h). stage_locked links a stub for `key` standing for the entry
  // linked now (or none) until *committed, then for `after`; it returns the stub. If the key's
  // link already holds a stub (the same write staged the key before: *restaged = true), that
  // stub's `after` is replaced and the previous one returned through *displaced to be freed.
  Entry* stage_locked(std::string_view key, uint64_t hash, const std::atomic<bool>* committed,
                      Entry* after, Entry** displaced, bool* restaged);
  // After the commit: puts the stub's `after` in its place (or unlinks it), retires the stub and
  // the entry it stood for, and accounts the change.
  void settle_locked(Entry* stub, Participant* p);
  // The value a stub's own writer sees: what it staged (null: the key is being deleted).
  static Entry* staged_value(const Entry* stub);

  // Visits the entries of the bucket that cursor points at (in both tables while a resize is in
  // flight), then advances cursor in reverse-binary order, so that growing or shrinking between
  // calls never skips an entry present throughout; returns 0 after the last bucket.
  template <class Fn>
  uint64_t scan_bucket_locked(uint64_t cursor, Fn&& fn);

  // FLUSHDB and SWAPDB (see the header note). Between redirect_locked and the commit store the
  // shard reads as before; after it, as `r->table`. install_redirect_locked then makes that table
  // the shard's own and drops the redirect; it hands back the previous table and the one a
  // migration was emptying (either may be null) for the caller to retire or pass on.
  struct Table;
  void finish_resize_locked(Participant* p);  // completes a migration in flight, if any
  Table* table_locked() const { return table_.load(std::memory_order_relaxed); }
  void redirect_locked(const Redirect* r) { redirect_.store(r, std::memory_order_release); }
  void install_redirect_locked(Table** prev, Table** prev_old);
  void clear_counters_locked(Participant* p);  // FLUSHDB: the shard is empty now
  // Brings p's accounted bytes up to date with the tables this shard holds (FLUSHDB, SWAPDB).
  void account_tables_locked(Participant* p);
  // bytes: the table's and its entries' (Participant::retire counts them until freed).
  static void retire_table_with_entries(Table* t, Participant* p, int64_t bytes);
  // A bucket array's bytes as accounted (0 for none).
  static int64_t table_bytes(const Table* t);
  static void free_table_with_entries(void* t);
  // SWAPDB: exchanges the counters and cursors of two shards whose tables were redirected to each
  // other's.
  void swap_counters_locked(Shard& other);

  uint64_t size() const { return count_.load(std::memory_order_relaxed); }
  uint64_t expires() const { return expires_.load(std::memory_order_relaxed); }
  int64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  // Accounting hook for in-place changes made by callers (collections): the shard's dataset bytes,
  // and p's share of the store's accounted bytes (epoch.h), move by d.
  void add_bytes_locked(int64_t d, Participant* p) {
    bytes_.store(bytes_.load(std::memory_order_relaxed) + d, std::memory_order_relaxed);
    p->add_bytes(d);
  }
  void add_expires_locked(int64_t d) {
    expires_.store(expires_.load(std::memory_order_relaxed) + d, std::memory_order_relaxed);
  }
  uint64_t buckets() const;
  // Bytes of the bucket arrays (the current one and, while a resize runs, the old one). Lock-free;
  // the caller must be pinned (epoch.h), as a retired table is read.
  int64_t tables_bytes() const;
  uint64_t& expire_cursor_locked() { return expire_cursor_; }
  // Whether a collection of this shard may hold parts with TTLs of their own (hash fields,
  // Object::subexpire_ms), so that the active expiry sweep visits it even with no key TTL. Set
  // when such a collection is linked here (account) or given its first part TTL
  // (note_subexpires_locked); cleared by the sweep after a whole pass over the shard met none.
  bool may_have_subexpires() const { return subexpires_.load(std::memory_order_relaxed); }
  void note_subexpires_locked() {
    subexpires_.store(true, std::memory_order_relaxed);
    subexpires_seen_ = true;
  }
  // The sweep's half: it met such a collection in this pass (seen), or ended a pass (done).
  void sweep_subexpires_locked(bool seen, bool pass_done) {
    subexpires_seen_ |= seen;
    if (!pass_done) return;
    if (!subexpires_seen_) subexpires_.store(false, std::memory_order_relaxed);
    subexpires_seen_ = false;
  }
  // Resize progress, readable anywhere: whether a migration is in flight, and how many old
  // buckets have been moved since the shard was made (tests watch readers progress against it).
  bool resizing() const { return old_.load(std::memory_order_acquire) != nullptr; }
  uint64_t migrated_buckets() const { return migrated_.load(std::memory_order_relaxed); }
  // Links made in this shard (under mu_); an entry's gen is the low byte of this count when it
  // was linked.
  uint64_t links_locked() const { return links_; }

  struct Table {
    uint64_t mask;
    Entry::Link slots[1];  // really mask + 1 of them; high bits zero (Entry::link_get)
    static Table* make(uint64_t nbuckets);
    static void free(void* t);
  };

 private:
  Entry* find_slow(std::string_view key, uint64_t hash) const;  // redirect, migration, retry
  void wait_exclusive() const;  // another thread holds the shard exclusively: wait for it
  // Key taken from e only when someone may watch it: the common case reads no more than the
  // watch pointer and one counter.
  void touched_locked(std::string_view key, uint64_t hash, bool exists) {
    if (watch_ && watch_->maybe_watched(db_, static_cast<uint32_t>(hash)))
      watch_->touched(db_, key, exists);
  }
  // A hash with field TTLs arriving here (RENAME, COPY, MOVE, RESTORE): the sweep must visit
  // this shard. One load of the word for every other entry.
  void note_if_subexpires_locked(const Entry* e) {
    if (e->enc() == Encoding::kObject && e->object() && e->object()->subexpire_ms() >= 0)
      note_subexpires_locked();
  }
  // Stamps e's generation (entry.h, weak handles) before it is published.
  void link_stamp(Entry* e) { e->set_gen(static_cast<uint8_t>(links_++)); }
  // Counts e in (sign +1) or out (-1), in the shard and in p's share; bytes < 0: its
  // alloc_size() now.
  void account(const Entry* e, int sign, Participant* p, int64_t bytes = -1);
  void replace_at_locked(Entry::Link* link, Entry* old, Entry* e, uint64_t hash, Participant* p,
                         bool touched = true);
  void after_write_locked(Participant* p);  // a migration step, or a resize when due
  void start_resize_locked(uint64_t nbuckets, Participant* p);
  void migrate_step_locked(Participant* p);

  std::atomic<Table*> table_{nullptr};  // null until the first insert: empty databases cost nothing
  std::atomic<Table*> old_{nullptr};    // the table being migrated from, while a resize runs
  std::atomic<const Redirect*> redirect_{nullptr};
  // The token of the thread holding the shard exclusively (EXEC), or null; see the header note.
  std::atomic<const void*> exclusive_{nullptr};
  std::atomic<uint32_t> seq_{0};                   // odd while a migration step moves chains
  std::atomic<uint64_t> step_lo_{0}, step_hi_{0};  // the old buckets the running step moves
  std::atomic<uint64_t> migrated_{0};
  std::atomic<uint64_t> count_{0};    // written under mu_, read anywhere (relaxed: a statistic)
  std::atomic<uint64_t> expires_{0};  // entries with a TTL
  std::atomic<int64_t> bytes_{0};     // bytes of entries (and their values)
  uint64_t migrate_pos_ = 0;          // the next old bucket to move
  uint64_t expire_cursor_ = 0;        // where the active expiry cycle resumes
  // See may_have_subexpires(). Relaxed: a hint read without the lock; the sweep rechecks under it.
  std::atomic<bool> subexpires_{false};
  bool subexpires_seen_ = false;  // this sweep pass met a collection with part TTLs
  uint64_t links_ = 0;
  int64_t tables_accounted_ = 0;  // bucket-array bytes already added to a participant
  bool tables_dirty_ = false;     // a table was made or retired since they were accounted
  KeyWatch* watch_ = nullptr;
  int db_ = 0;
  mutable std::mutex mu_;
  void wait_lock() const;  // mu_, running t_lock_wait_hook while the wait lasts
};

inline uint64_t reverse_bits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
  v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
  v = ((v >> 4) & 0x0f0f0f0f0f0f0f0full) | ((v & 0x0f0f0f0f0f0f0f0full) << 4);
  return __builtin_bswap64(v);
}

// The cursor after `cursor` in reverse-binary order over a table of mask + 1 buckets.
inline uint64_t next_cursor(uint64_t cursor, uint64_t mask) {
  cursor |= ~mask;
  return reverse_bits(reverse_bits(cursor) + 1);
}

template <class Fn>
uint64_t Shard::scan_bucket_locked(uint64_t cursor, Fn&& fn) {
  Table* t = table_.load(std::memory_order_relaxed);
  if (!t) return 0;
  auto visit = [&](Table* x, uint64_t b) {
    for (Entry* e = Entry::link_get(x->slots[b], std::memory_order_relaxed); e;
         e = e->next(std::memory_order_relaxed)) {
      fn(e);
    }
  };
  Table* o = old_.load(std::memory_order_relaxed);
  if (!o) {
    visit(t, cursor & t->mask);
    return next_cursor(cursor, t->mask);
  }
  // Both tables: the smaller one's bucket, then every bucket of the larger one that it expands
  // to (they differ in the high bits of the bucket index, which reverse-binary order walks
  // first), so the cursor stays valid for whichever table remains.
  Table* small = o->mask < t->mask ? o : t;
  Table* large = small == o ? t : o;
  uint64_t ms = small->mask, ml = large->mask;
  visit(small, cursor & ms);
  do {
    visit(large, cursor & ml);
    cursor = next_cursor(cursor, ml);
  } while (cursor & (ms ^ ml));
  return cursor;
}

}  // namespace respite::storage
