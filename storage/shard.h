// One shard of a keyspace: a chained hash table whose lookups take no lock.
//
// Layout: `table_` points to a power-of-two array of atomic bucket heads; each bucket is a singly
// linked chain of Entries (entry.h) through Entry::next.
//
// Concurrency contract:
// - find() is lock-free: acquire loads of the table, the bucket head and each next pointer pair
// with
//   the release stores that publish them, so a reader that reaches an entry sees it fully built.
// - Every change (insert, replace, erase, resize) happens under mu_. A replaced or erased entry is
//   unlinked with one release store and retired to the epoch manager; it keeps its own `next`, so a
//   reader standing on it walks on safely.
// - Resize relinks live entries into a new array. A reader walking a chain during a resize may be
// led
//   into another chain and miss its key, never find a wrong one (keys are compared). So resize_seq_
//   works as a seqlock for misses only: odd while a resize runs, and a miss is retried if it
//   changed. Hits need no check. Resizing one shard never blocks readers or other shards.
// Complexity: O(1) expected per operation at load factor <= 1; a resize is O(shard size) under the
// shard's lock only (there are many shards, so each is small).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string_view>

#include "storage/entry.h"
#include "storage/epoch.h"

namespace respite::storage {

class Shard {
 public:
  Shard() = default;
  ~Shard();  // frees every entry: only when no reader can remain
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  // Lock-free lookup; the caller is pinned. May return an expired entry: callers check expiry.
  Entry* find(std::string_view key, uint64_t hash) const;

  // --- everything below requires mu_ held ---
  std::mutex& mutex() { return mu_; }
  // The link that points to the key's entry (or the null link ending its bucket).
  std::atomic<Entry*>* find_link_locked(std::string_view key, uint64_t hash);
  Entry* find_locked(std::string_view key, uint64_t hash) {
    return find_link_locked(key, hash)->load(std::memory_order_relaxed);
  }
  // Inserts e, or replaces the entry with the same key (retired through p). Returns the replaced
  // entry (already retired) or nullptr.
  Entry* upsert_locked(Entry* e, uint64_t hash, Participant* p);
  // Unlinks and retires the key's entry; false if there was none.
  bool erase_locked(std::string_view key, uint64_t hash, Participant* p);
  // Unlinks and retires a specific entry (the one find_locked returned).
  void erase_entry_locked(Entry* e, uint64_t hash, Participant* p);
  // Replaces old (present) by e, which has the same key.
  void replace_locked(Entry* old, Entry* e, uint64_t hash, Participant* p);

  // Visits the entries of the bucket that cursor points at, then advances cursor in reverse-binary
  // order (so that growing or shrinking between calls never skips an entry present throughout);
  // returns 0 after the last bucket. Requires mu_.
  template <class Fn>
  uint64_t scan_bucket_locked(uint64_t cursor, Fn&& fn);

  // Detaches every entry (FLUSHDB); returns the old table for retire_table(), or nullptr.
  struct Table;
  Table* detach_locked();
  static void retire_table_with_entries(Table* t, Participant* p);
  void swap_locked(Shard& other);  // SWAPDB: exchanges contents; both locked

  uint64_t size() const { return count_.load(std::memory_order_relaxed); }
  uint64_t expires() const { return expires_.load(std::memory_order_relaxed); }
  int64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  // Accounting hooks for in-place changes made by callers (collections, TTL added in place).
  void add_bytes_locked(int64_t d) {
    bytes_.store(bytes_.load(std::memory_order_relaxed) + d, std::memory_order_relaxed);
  }
  void add_expires_locked(int64_t d) {
    expires_.store(expires_.load(std::memory_order_relaxed) + d, std::memory_order_relaxed);
  }
  uint64_t buckets() const;
  uint64_t& expire_cursor_locked() { return expire_cursor_; }

  struct Table {
    uint64_t mask;
    std::atomic<Entry*> slots[1];  // really mask + 1 of them
    static Table* make(uint64_t nbuckets);
    static void free(void* t);
  };

 private:
  void account_insert(const Entry* e, int sign);
  void replace_at_locked(std::atomic<Entry*>* link, Entry* old, Entry* e, Participant* p);
  void maybe_grow_locked(Participant* p);
  void maybe_shrink_locked(Participant* p);
  void rehash_locked(uint64_t nbuckets, Participant* p);

  std::atomic<Table*> table_{nullptr};  // null until the first insert: empty databases cost nothing
  std::atomic<uint32_t> resize_seq_{0};
  std::atomic<uint64_t> count_{0};    // written under mu_, read anywhere (relaxed: a statistic)
  std::atomic<uint64_t> expires_{0};  // entries with a TTL
  std::atomic<int64_t> bytes_{0};     // bytes of entries (and their values)
  uint64_t expire_cursor_ = 0;        // where the active expiry cycle resumes
  uint8_t next_gen_ = 0;
  std::mutex mu_;
};

inline uint64_t reverse_bits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
  v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
  v = ((v >> 4) & 0x0f0f0f0f0f0f0f0full) | ((v & 0x0f0f0f0f0f0f0f0full) << 4);
  return __builtin_bswap64(v);
}

template <class Fn>
uint64_t Shard::scan_bucket_locked(uint64_t cursor, Fn&& fn) {
  Table* t = table_.load(std::memory_order_relaxed);
  if (!t) return 0;
  uint64_t m = t->mask;
  for (Entry* e = t->slots[cursor & m].load(std::memory_order_relaxed); e;
       e = e->next.load(std::memory_order_relaxed)) {
    fn(e);
  }
  cursor |= ~m;
  cursor = reverse_bits(cursor);
  cursor++;
  cursor = reverse_bits(cursor);
  return cursor;
}

}  // namespace respite::storage
