// KeyWatch: how the store tells whoever watches keys (the server's WATCH registry) that a key
// changed, without storage knowing anything of clients.
//
// Every change to a key passes through its shard under the shard's lock: Shard's insert, replace,
// erase and the settling of a staged multi-key write report themselves, in-place changes (a TTL,
// INCR's integer, a collection's contents) are reported by the code that makes them
// (Shard::modified_locked), and lazy expiry, active expiry and eviction remove keys through the
// same erase. FLUSHDB, FLUSHALL and SWAPDB, which replace whole tables, call replacing() for each
// database first. So no write path can forget to tell.
//
// Cost when nobody watches: the watcher keeps kSlots counters indexed by a hash of (db, key);
// a change loads its key's counter (relaxed) and stops at zero. The watcher increments the counter
// before it records a watch, holding the key's shard lock; a writer loads it holding the same lock,
// so the lock orders the two: either the write came first (and the watcher's own look at the key
// sees it), or the writer sees the count and calls touched(), which the watcher serves under its
// own mutex. Lock order: shard locks, then the watcher's mutex; the watcher never takes a shard
// lock while holding its mutex.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace respite::storage {

class Keyspace;

class KeyWatch {
 public:
  // 4096 counters (16 KiB): with a few hundred watched keys a write to another key almost always
  // finds zero. A power of two, so that a slot is some bits of the mixed hash.
  static constexpr size_t kSlots = 4096;
  static_assert((kSlots & (kSlots - 1)) == 0, "kSlots must be a power of two");

  virtual ~KeyWatch() = default;

  // Whether some client may watch a key of database db whose hash has these low 32 bits (what an
  // entry keeps). Relaxed: called under the key's shard lock, which orders it (see above).
  bool maybe_watched(int db, uint32_t hash32) const {
    return slots_[slot(db, hash32)].load(std::memory_order_relaxed) != 0;
  }
  // Whether any key is watched at all (FLUSHDB, FLUSHALL and SWAPDB skip replacing() when not).
  // Relaxed, under the locks of every shard involved, for the same reason.
  bool any() const { return watched_.load(std::memory_order_relaxed) != 0; }

  // Under the key's shard lock: the key of database db changed; `exists`: it is present now.
  virtual void touched(int db, std::string_view key, bool exists) = 0;
  // Under the locks of every shard of both keyspaces, before the change: database db (whose
  // keyspace is `emptied`) is about to be emptied (with == nullptr) or to take the contents of
  // `with` (SWAPDB). now_ms: the command's clock, for what is expired.
  virtual void replacing(int db, Keyspace& emptied, Keyspace* with, int64_t now_ms) = 0;

  static size_t slot(int db, uint32_t hash32) {
    uint64_t h =
        (static_cast<uint64_t>(hash32) ^ (static_cast<uint64_t>(db) << 32)) * 0x9E3779B97F4A7C15ull;
    return static_cast<size_t>(h >> 52) & (kSlots - 1);
  }

 protected:
  // Written by the watcher under the key's shard lock; read by writers under it.
  std::array<std::atomic<uint32_t>, kSlots> slots_{};
  std::atomic<uint64_t> watched_{0};
};

}  // namespace respite::storage
