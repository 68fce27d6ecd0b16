// One key and its value in a single allocation.
//
// Layout (all in one block from the allocator):
//   [Header 24 B][expire 8 B, only if kHasExpire][int64 8 B, only for Encoding::kInt]
//   [key bytes][value bytes: raw string inline | pointer to a Blob | pointer to a collection
//                           | a StubBody, for Encoding::kPending]
// The header: next (8), key_len (4), the low 32 bits of the key's hash (4: bucket indexes come
// from them, so a table migrates entries without hashing keys again), val_len (2: inline strings
// are short; longer ones live in a Blob), type/encoding/flags packed in one byte, gen (1), access
// (4). The expire slot and the integer come first so that both are 8-byte aligned: they are
// updated in place (EXPIRE, PERSIST, INCR) with atomic stores while lock-free readers may be
// looking at them. Everything else in an entry is immutable once it is published: a new value
// means a new entry.
//
// Generation and weak handles: `gen` is stamped from a per-shard counter each time an entry is
// linked into its shard (insert or replace). A weak handle is (entry address, hash, gen, the
// shard's link counter when taken). It is checked under the shard's lock: the address must still
// be linked in the chain that `hash` selects (so dereferencing it is safe), and its gen must match.
// An address reused by a new entry in the same chain carries another gen unless 256 links
// happened in that shard since the handle was taken, and a handle older than 256 links is treated
// as stale without being compared: so a handle is never mistaken after the counter wraps.
//
// Pending stubs (Encoding::kPending) are how a multi-key write becomes visible at once: see
// storage/multi_write.h. A stub stands in the chain for its key while a multi-key write is
// staged; lock-free readers resolve it (Shard::find) and never return it.
//
// Concurrency: `next` is written only under the shard lock and read lock-free (acquire), `access`
// (the LRU clock and LFU counter) is written by readers with relaxed stores, and only when the
// coarse clock moved, so a hot key's cache line is not written on every hit.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "storage/canonical_int.h"

namespace respite::storage {

enum class Type : uint8_t { kString = 0, kList = 1, kSet = 2, kZSet = 3, kHash = 4 };

enum class Encoding : uint8_t {
  kRaw = 0,      // string bytes inline (Redis calls short ones "embstr"; OBJECT ENCODING follows)
  kInt = 1,      // a string that is a canonical int64
  kBlob = 2,     // a large string in a reference-counted Blob, shared with in-flight replies
  kLz4 = 3,      // a compressed large string (Blob holding the compressed bytes)
  kObject = 4,   // a collection; the Object says which encoding it uses
  kPending = 5,  // a stub standing for a key while a multi-key write is staged (multi_write.h)
};

// A large string value outside the entry, reference counted so that a reply being written can keep
// it alive after the key is overwritten or deleted, and so that a copy of an entry (EXPIRE on a key
// that had no TTL, RENAME, COPY) shares it instead of copying megabytes.
struct Blob {
  std::atomic<uint32_t> refs;
  uint32_t orig_len;  // kLz4: the uncompressed length (> len); otherwise len (storage/compress.h)
  uint64_t len;
  char* data() { return reinterpret_cast<char*>(this + 1); }
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }

  static Blob* make(const char* p, size_t n);  // refs = 1
  void ref() { refs.fetch_add(1, std::memory_order_relaxed); }
  // acq_rel: the last unref must see every other holder's reads finished before it frees.
  void unref() {
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy();
  }
  static void unref_cb(void* b) { static_cast<Blob*>(b)->unref(); }

 private:
  void destroy();
};

// Collections (hash, list, set, sorted set) implement this. They are changed in place under their
// shard's lock; readers of them take the same lock. An encoding change (a small packed form grown
// into a table) happens inside the object, so the entry's pointer to it never changes.
struct Object {
  virtual ~Object() = default;
  virtual const char* encoding_name() const = 0;  // OBJECT ENCODING
  // Bytes held, for memory accounting. O(1): kept up to date as the collection changes, because
  // every write command reads it before and after to settle the shard's byte count.
  virtual size_t memory() const = 0;
  virtual size_t length() const = 0;  // elements (fields, members); 0 means the key must go
  virtual Object* clone() const = 0;  // COPY
};

// How accesses are recorded in Entry::access: shared by a server's workers, changed by CONFIG SET
// (relaxed: a new policy only has to be seen soon). A worker thread points t_access_policy at its
// server's one when it starts; a thread with none (unit tests, helpers) records the LRU clock only.
struct AccessPolicy {
  std::atomic<bool> lfu{false};              // an LFU maxmemory-policy is selected
  std::atomic<uint32_t> lfu_log_factor{10};  // lfu-log-factor
  std::atomic<uint32_t> lfu_decay_time{1};   // lfu-decay-time, minutes; 0: never decays
};
inline thread_local const AccessPolicy* t_access_policy = nullptr;

// The LRU clock's tick. Redis uses 1000 ms; eviction under a fast writer then sees every key
// written or read in the last second as equally recent, and allkeys-lru lost 90% of a hot set read
// every 50 ms (tests/integration/maxmemory_test). 100 ms ticks tell them apart; the 24-bit clock
// then wraps after 19 days instead of 194 (OBJECT IDLETIME of a key idle longer wraps too).
inline constexpr int64_t kLruClockMs = 100;
inline constexpr uint32_t kLruTicksPerMinute = 60000 / kLruClockMs;

// Redis's LFU counter (evict.c): new keys start at kLfuInitVal so that they are not evicted before
// they had a chance to be read; an access increments the counter with probability
// 1 / ((counter - kLfuInitVal) * lfu_log_factor + 1), so that 255 means about a million hits with
// the default factor; every lfu_decay_time minutes without an access take one off, as Redis's
// LFUDecrAndReturn does. Elapsed minutes come from the LRU clock kept in the same word.
inline constexpr uint32_t kLfuInitVal = 5;
static_assert(kLfuInitVal < 255, "the counter is 8 bits and must be able to grow");
// The counter of access word `a` decayed to `clock` (24-bit seconds): the minutes elapsed since
// the access recorded in `a`, divided by decay_time. A word whose clock is 0 was never touched
// (a new entry): no decay.
uint32_t lfu_decayed(uint32_t a, uint32_t clock, uint32_t decay_time);
// The counter after an access at clock: decayed, then maybe incremented (a thread-local random
// draw).
uint32_t lfu_touch(uint32_t a, uint32_t clock, const AccessPolicy& p);

struct Entry {
  static constexpr uint8_t kHasExpire = 1;
  // A string built by APPEND/SETRANGE: Redis reports it as "raw" whatever its length.
  static constexpr uint8_t kRawString = 2;
  static constexpr int64_t kNoExpire = -1;  // the expire slot of an entry whose TTL was removed
  // Inline (kRaw) strings are at most this long; make_string keeps longer ones in a Blob.
  static constexpr size_t kMaxInline = 0xffff;
  // Below this, a string is always inline: the split (a pointer, a Blob header, a second block)
  // cannot win against a size class step of at most 16 bytes.
  static constexpr size_t kMinSplit = 256;

  std::atomic<Entry*> next;
  uint32_t key_len;
  uint32_t hash;     // low 32 bits of hash_key(key): the bucket index, without hashing again
  uint16_t val_len;  // kRaw: string length; other encodings: unused
  Encoding enc : 3;  // the low bits: switches on the encoding need no shift
  Type type : 3;
  uint8_t flags : 2;
  uint8_t gen;                           // generation: see "weak handles" above
  mutable std::atomic<uint32_t> access;  // LRU clock (high 24 bits) | LFU counter (low 8 bits)

  // --- construction (entry.cpp); every entry starts unlinked and is freed with destroy() ---
  // Inline, unless the value is over kMaxInline or storing it in a Blob of its own takes fewer
  // allocator bytes (split_saves below).
  static Entry* make_string(std::string_view key, std::string_view value, int64_t expire_ms);
  // Whether an entry for this key and value costs less as two blocks (entry + Blob) than as one.
  // Size classes step by a quarter of a power of two, so one block of 1,035 bytes costs 1,280 while
  // 48 + 1,024 cover the same bytes: a 1,000-byte value then saves 208 bytes a key.
  static bool split_saves(size_t key_len, size_t value_len, bool has_expire);
  static Entry* make_int(std::string_view key, int64_t v, int64_t expire_ms);
  static Entry* make_blob(std::string_view key, Blob* blob, Encoding enc, int64_t expire_ms);
  static Entry* make_object(std::string_view key, Type type, Object* obj, int64_t expire_ms);
  // The same value under another key and/or expire (RENAME, COPY, EXPIRE on a key with no slot).
  // Blobs are shared. A collection is cloned (clone_object, COPY) or shared with the source: then
  // the caller unlinks the source (so that the shard accounts it with its collection) and calls
  // disown_object() on it, so that freeing the source leaves the collection to the copy.
  static Entry* copy(const Entry* e, std::string_view key, int64_t expire_ms, bool clone_object);
  static void destroy(Entry* e);  // frees the value it owns too (a stub owns nothing)
  static void destroy_cb(void* e) { destroy(static_cast<Entry*>(e)); }

  // --- reading ---
  bool has_expire_slot() const { return flags & kHasExpire; }
  bool pending() const { return enc == Encoding::kPending; }
  int64_t expire_ms() const {  // kNoExpire when none
    if (!has_expire_slot()) return kNoExpire;
    // Acquire, paired with set_expire's release: see set_expire.
    return std::atomic_ref<int64_t>(*const_cast<int64_t*>(expire_slot()))
        .load(std::memory_order_acquire);
  }
  bool expired(int64_t now_ms) const {
    int64_t e = expire_ms();
    return e >= 0 && e <= now_ms;
  }
  std::string_view key() const { return {key_ptr(), key_len}; }
  bool key_equals(std::string_view k) const {
    return k.size() == key_len && std::memcmp(k.data(), key_ptr(), key_len) == 0;
  }
  int64_t int_value() const {
    return std::atomic_ref<int64_t>(*const_cast<int64_t*>(int_slot()))
        .load(std::memory_order_acquire);  // see set_int
  }
  std::string_view raw_value() const { return {key_ptr() + key_len, val_len}; }
  Blob* blob() const { return load_ptr<Blob>(); }
  Object* object() const { return load_ptr<Object>(); }

  // Records an access at `clock` (a 24-bit coarse clock of kLruClockMs ticks): the LRU clock, and
  // under an LFU policy (the calling thread's AccessPolicy, below) the logarithmic counter, decayed
  // for the minutes since the last access and then perhaps incremented. Written only when it
  // changed, so that a hot key read by every worker does not bounce its cache line on each hit (the
  // counter of a hot key rarely moves: its increment probability falls as it grows).
  void touch(uint32_t clock) const {
    uint32_t a = access.load(std::memory_order_relaxed);
    uint32_t counter = a & 0xff;
    if (const AccessPolicy* p = t_access_policy; p && p->lfu.load(std::memory_order_relaxed)) {
      counter = lfu_touch(a, clock, *p);
    }
    uint32_t want = (clock << 8) | counter;
    if (a != want) access.store(want, std::memory_order_relaxed);
  }
  uint32_t lru_clock() const { return access.load(std::memory_order_relaxed) >> 8; }

  // --- in-place updates, under the shard lock ---
  // Release stores read with acquire loads: a lock-free reader that sees an in-place change made
  // inside a transaction also sees what the transaction did before it (shard.h, "Exclusive
  // holds"). Both are plain moves on x86.
  void set_expire(int64_t ms) {  // requires has_expire_slot()
    std::atomic_ref<int64_t>(*expire_slot()).store(ms, std::memory_order_release);
  }
  void set_int(int64_t v) {
    std::atomic_ref<int64_t>(*int_slot()).store(v, std::memory_order_release);
  }
  // Hands the collection to another entry (RENAME) so destroy() of this one leaves it alone. Only
  // on an entry already unlinked: lock-free readers never dereference object() (collections are
  // read under the shard lock, on an entry found under it), so clearing the pointer races with no
  // one.
  Object* disown_object();

  // Total bytes of the allocation (for memory accounting).
  size_t alloc_size() const;

  // A kPending stub for key with body_bytes of value area, where it keeps what it stands for
  // (shard.h's StubBody; multi_write.h).
  static Entry* make_stub(std::string_view key, size_t body_bytes);
  void* value_area() const { return const_cast<char*>(key_ptr()) + key_len; }

 private:
  static Entry* alloc(std::string_view key, Type type, Encoding enc, int64_t expire_ms,
                      size_t value_bytes);
  int64_t* expire_slot() const {
    return reinterpret_cast<int64_t*>(const_cast<char*>(reinterpret_cast<const char*>(this + 1)));
  }
  int64_t* int_slot() const { return expire_slot() + (has_expire_slot() ? 1 : 0); }
  const char* key_ptr() const {
    const char* p = reinterpret_cast<const char*>(this + 1);
    if (has_expire_slot()) p += 8;
    if (enc == Encoding::kInt) p += 8;
    return p;
  }
  template <class T>
  T* load_ptr() const {
    T* p;
    std::memcpy(&p, key_ptr() + key_len, sizeof p);
    return p;
  }
};

static_assert(sizeof(Entry) == 24, "the header is part of every key's overhead: keep it 24 bytes");

// parse_canonical_int (storage/canonical_int.h) decides which string values are Encoding::kInt.

}  // namespace respite::storage
