// One key and its value in a single allocation, behind a 12-byte header.
//
// Layout (all in one block from the allocator):
//   word   8 B  next entry (bits 0-47) | key length byte (48-55) | enc:3 type:3 flags:2 (56-63)
//   meta   4 B  access (bits 0-23) | gen (24-31)
//   [4 B of padding, expire 8 B (kHasExpire), int64 8 B (Encoding::kInt): only when a slot exists]
//   [u32 key length, only when the length byte says kLongKey][key bytes]
//   [value: kRaw: LEB128 length + bytes | a Blob* | an Object* | a StubBody, for kPending]
// Why so tight: the budget is 28 bytes a key beyond the key and value, table slot included, and
// entries up to 256 bytes come in 8-byte classes (storage/slab.h). An 11-byte key with a 32-byte
// value is 12 + 11 + 1 + 32 = 56 bytes, one 56-byte block; the 24-byte header this replaced made it
// 67, an 80-byte block from mimalloc. What went to get there: the stored 32-bit hash (a resize
// hashes each key again, once per doubling; find() compares keys, whose length byte sits in the
// word it loads anyway), the 4-byte key length (keys of 255 bytes or more keep theirs before the
// key bytes), the 2-byte value length (a one-byte varint for short values), and 8 bits of the
// access word (below). Pointers fit in 48 bits: Linux gives user space 47 unless a mapping asks for
// more. The expire slot and the integer are 8-byte aligned: they are updated in place (EXPIRE,
// PERSIST, INCR) with atomic stores while lock-free readers may be looking at them. Everything else
// in an entry is immutable once it is published: a new value means a new entry.
//
// Why `word` and `meta` are atomics: `word` holds `next`, which writers change under the shard lock
// while lock-free readers follow it (acquire); the key length and type bits beside it never change
// after construction, so a writer rewrites them unchanged. `meta` holds the access word, which
// readers store (relaxed) when the coarse clock moved, so a hot key's cache line is not written on
// every hit; its gen byte is stamped before the entry is published and never changes after, so a
// reader's store writes back the gen it loaded.
//
// The access word is 24 bits, as Redis's: under an LRU policy (or none) it is the LRU clock; under
// an LFU policy it is 16 bits of minutes and the 8-bit logarithmic counter. Switching policy
// leaves old words read the other way until their keys are next touched, as in Redis.
//
// Generation and weak handles: `gen` is stamped from a per-shard counter each time an entry is
// linked into its shard (insert or replace) or staged to be (multi_write.h). A weak handle is
// (entry address, hash, gen, the shard's link counter when taken). It is checked under the shard's
// lock: the address must still be linked in the chain that `hash` selects (so dereferencing it is
// safe), and its gen must match. An address reused by a new entry in the same chain carries another
// gen unless 256 links happened in that shard since the handle was taken, and a handle older than
// 256 links is treated as stale without being compared: so a handle is never mistaken after the
// counter wraps.
//
// Pending stubs (Encoding::kPending) are how a multi-key write becomes visible at once: see
// storage/multi_write.h. A stub stands in the chain for its key while a multi-key write is
// staged; lock-free readers resolve it (Shard::find) and never return it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "storage/canonical_int.h"
#include "storage/varint.h"

namespace respite::storage {

enum class Type : uint8_t { kString = 0, kList = 1, kSet = 2, kZSet = 3, kHash = 4, kStream = 5 };

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
  // Parts with TTLs of their own (a hash's fields, HEXPIRE): the earliest such TTL or a lower
  // bound of it (unix ms), -1 when none; and removing those due at now_ms, returning how many
  // went. The active expiry sweep (Keyspace::active_expire) calls them under the shard lock.
  virtual int64_t subexpire_ms() const { return -1; }
  virtual size_t expire_parts(int64_t now_ms) { return 0; }
};

// How accesses are recorded in an entry's access word: shared by a server's workers, changed by
// CONFIG SET (relaxed: a new policy only has to be seen soon). A worker thread points
// t_access_policy at its server's one when it starts; a thread with none (unit tests, helpers)
// records the LRU clock.
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
inline constexpr uint32_t kLruClockMask = 0xffffff;
inline constexpr uint32_t kLruTicksPerMinute = 60000 / kLruClockMs;

// Redis's LFU counter (evict.c): new keys start at kLfuInitVal so that they are not evicted before
// they had a chance to be read; an access increments the counter with probability
// 1 / ((counter - kLfuInitVal) * lfu_log_factor + 1), so that 255 means about a million hits with
// the default factor; every lfu_decay_time minutes without an access take one off, as Redis's
// LFUDecrAndReturn does. The word: (minute << 8) | counter, the minute taken from the LRU clock
// (lfu_minute), 1-based so that 0 means "never touched" (a new entry, whose word is kLfuInitVal).
inline constexpr uint32_t kLfuInitVal = 5;
static_assert(kLfuInitVal < 255, "the counter is 8 bits and must be able to grow");
// Minutes in one turn of the 24-bit LRU clock, the modulus of the LFU minute.
inline constexpr uint32_t kLfuMinutesPerWrap = (kLruClockMask + 1) / kLruTicksPerMinute + 1;
static_assert(kLfuMinutesPerWrap < 0xffff, "the LFU minute is 16 bits, 0 reserved");
inline uint32_t lfu_minute(uint32_t clock) {
  return clock / kLruTicksPerMinute + 1;
}
// The counter of access word `a` decayed to `clock` (the 24-bit LRU clock): the minutes elapsed
// since the access recorded in `a`, divided by decay_time. A word whose minute is 0 was never
// touched (a new entry): no decay.
uint32_t lfu_decayed(uint32_t a, uint32_t clock, uint32_t decay_time);
// The access word after an access at clock under an LFU policy: the counter decayed, then maybe
// incremented (a thread-local random draw), stamped with the clock's minute.
uint32_t lfu_touch(uint32_t a, uint32_t clock, const AccessPolicy& p);

// Whether n bytes at a and b are equal. Chains are walked comparing keys (entries keep no hash):
// keys of 4 to 16 bytes, most of them, are compared with two overlapping loads each, not a call.
inline bool bytes_equal(const char* a, const char* b, size_t n) {
  if (n >= 8 && n <= 16) {
    uint64_t a0, b0, a1, b1;
    std::memcpy(&a0, a, 8);
    std::memcpy(&b0, b, 8);
    std::memcpy(&a1, a + n - 8, 8);
    std::memcpy(&b1, b + n - 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  if (n >= 4 && n < 8) {
    uint32_t a0, b0, a1, b1;
    std::memcpy(&a0, a, 4);
    std::memcpy(&b0, b, 4);
    std::memcpy(&a1, a + n - 4, 4);
    std::memcpy(&b1, b + n - 4, 4);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  return std::memcmp(a, b, n) == 0;
}

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
  // The header's bytes (word and meta; sizeof(Entry) rounds them up to 16).
  static constexpr size_t kHeader = 12;
  // A key length byte of this value: the length is a u32 in front of the key bytes.
  static constexpr uint32_t kLongKey = 255;
  static constexpr uint64_t kNextMask = (uint64_t{1} << 48) - 1;

  // --- construction (entry.cpp); every entry starts unlinked and is freed with destroy() ---
  // Inline, unless the value is over kMaxInline or storing it in a Blob of its own takes fewer
  // allocator bytes (split_saves below).
  static Entry* make_string(std::string_view key, std::string_view value, int64_t expire_ms);
  // Whether an entry for this key and value costs less as two blocks (entry + Blob) than as one.
  // Above slab.h's range allocator classes step by a quarter of a power of two, so one block of,
  // say, 4,200 bytes costs 5,120 while 48 + 4,608 cover the same bytes. In slab.h's range (16-byte
  // classes) one block always wins.
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

  // --- the header's fields ---
  Encoding enc() const { return static_cast<Encoding>((word_.load(kRelaxed) >> 56) & 7); }
  Type type() const { return static_cast<Type>((word_.load(kRelaxed) >> 59) & 7); }
  uint8_t flags() const { return static_cast<uint8_t>(word_.load(kRelaxed) >> 62); }
  // Before the entry is published only (entry.h's note: the type bits never change after).
  void add_flags(uint8_t f) {
    word_.store(word_.load(kRelaxed) | (uint64_t{f} << 62), std::memory_order_relaxed);
  }
  uint8_t gen() const { return static_cast<uint8_t>(meta_.load(kRelaxed) >> 24); }
  // Stamped by the shard before the entry is published (see the note).
  void set_gen(uint8_t g) {
    meta_.store((meta_.load(kRelaxed) & kLruClockMask) | (uint32_t{g} << 24), kRelaxed);
  }
  // The access word (24 bits): the LRU clock, or the LFU minute and counter (see the note).
  uint32_t access() const { return meta_.load(kRelaxed) & kLruClockMask; }
  // Before the entry is published only (the compressor's copy keeps its original's clock).
  void set_access(uint32_t a) {
    meta_.store((meta_.load(kRelaxed) & ~kLruClockMask) | (a & kLruClockMask), kRelaxed);
  }

  // --- the chain: `next` lives in the header's word, beside bits that never change ---
  // A link is a table slot or an entry's word: either way a 64-bit word whose low 48 bits point
  // to the next entry. Table slots keep their high bits zero.
  using Link = std::atomic<uint64_t>;
  static Entry* link_get(const Link& l, std::memory_order o) {
    return reinterpret_cast<Entry*>(l.load(o) & kNextMask);
  }
  // Only under the shard lock: a link has one writer at a time.
  static void link_set(Link& l, const Entry* e, std::memory_order o) {
    l.store((l.load(kRelaxed) & ~kNextMask) | reinterpret_cast<uintptr_t>(e), o);
  }
  Link& next_link() { return word_; }
  Entry* next(std::memory_order o) const { return link_get(word_, o); }
  void set_next(const Entry* e, std::memory_order o) { link_set(word_, e, o); }

  // --- reading ---
  bool has_expire_slot() const { return flags() & kHasExpire; }
  bool pending() const { return enc() == Encoding::kPending; }
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
  std::string_view key() const {
    uint64_t w = word_.load(kRelaxed);
    return {key_ptr(w), key_len(w)};
  }
  bool key_equals(std::string_view k) const {
    uint64_t w = word_.load(kRelaxed);
    size_t n = key_len_byte(w);
    if (__builtin_expect(n != kLongKey, 1)) {  // the length is in the word: most keys end here
      return n == k.size() && bytes_equal(k.data(), base() + slots_end(w), n);
    }
    return k.size() == key_len(w) && bytes_equal(k.data(), key_ptr(w), k.size());
  }
  int64_t int_value() const {
    return std::atomic_ref<int64_t>(*const_cast<int64_t*>(int_slot()))
        .load(std::memory_order_acquire);  // see set_int
  }
  std::string_view raw_value() const {
    uint64_t n;
    const char* p = varint::get(value_ptr(), &n);
    return {p, n};
  }
  Blob* blob() const { return load_ptr<Blob>(); }
  Object* object() const { return load_ptr<Object>(); }

  // Records an access at `clock` (a 24-bit coarse clock of kLruClockMs ticks): the LRU clock, or
  // under an LFU policy (the calling thread's AccessPolicy, above) the logarithmic counter, decayed
  // for the minutes since the last access and then perhaps incremented. Written only when it
  // changed, so that a hot key read by every worker does not bounce its cache line on each hit (the
  // counter of a hot key rarely moves: its increment probability falls as it grows).
  void touch(uint32_t clock) const {
    uint32_t m = meta_.load(kRelaxed);
    uint32_t a = m & kLruClockMask;
    uint32_t want = clock & kLruClockMask;
    if (const AccessPolicy* p = t_access_policy; p && p->lfu.load(kRelaxed)) {
      want = lfu_touch(a, clock, *p);
    }
    if (a != want) meta_.store((m & ~kLruClockMask) | want, kRelaxed);
  }
  uint32_t lru_clock() const { return access(); }

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

  // Total bytes of the allocation (for memory accounting): the blocks' sizes.
  size_t alloc_size() const;
  // The bytes this entry asked for, computed again from its fields: entries of a size that
  // storage/slab.h serves live in slabs, and freeing one needs its size. From one load of the
  // word: every SET asks it of two entries (accounting) and again when it frees the old one.
  size_t alloc_bytes() const {
    uint64_t w = word_.load(kRelaxed);
    const char* v = key_ptr(w) + key_len(w);  // the value area
    size_t value;
    switch (static_cast<Encoding>((w >> 56) & 7)) {
      case Encoding::kRaw: {
        uint64_t n;
        value = static_cast<size_t>(varint::get(v, &n) - v) + n;
        break;
      }
      case Encoding::kInt:
        value = 0;
        break;
      case Encoding::kPending:
        value = kStubBodyBytes;
        break;
      default:  // kBlob, kLz4, kObject: a pointer
        value = sizeof(void*);
        break;
    }
    size_t n = static_cast<size_t>(v - base()) + value;
    return n > sizeof(Entry) ? n : sizeof(Entry);
  }
  // The block a request of n bytes for an entry takes: a slab class or an allocator class.
  static size_t block_bytes(size_t n);

  // A kPending stub for key with kStubBodyBytes of value area, where it keeps what it stands for
  // (shard.h's StubBody; multi_write.h).
  static constexpr size_t kStubBodyBytes = 40;
  static Entry* make_stub(std::string_view key);
  void* value_area() const { return const_cast<char*>(value_ptr()); }

  // The bytes of an inline string entry: what make_string asks the allocator for.
  static size_t string_bytes(size_t key_len, size_t value_len, bool has_expire) {
    return prefix_bytes(key_len, has_expire, false) + key_len + varint::size(value_len) + value_len;
  }
  // The bytes before the key: header, slots and a long key's length (the layout above).
  static size_t prefix_bytes(size_t key_len, bool has_expire, bool is_int) {
    size_t n = (has_expire || is_int) ? 16 + 8 * (has_expire + is_int) : kHeader;
    return n + (key_len >= kLongKey ? 4 : 0);
  }

 private:
  static constexpr std::memory_order kRelaxed = std::memory_order_relaxed;
  static Entry* alloc(std::string_view key, Type type, Encoding enc, int64_t expire_ms,
                      size_t value_bytes);
  const char* base() const { return reinterpret_cast<const char*>(this); }
  // Where the slots end and the key area begins.
  static size_t slots_end(uint64_t w) {
    bool exp = (w >> 62) & kHasExpire;
    bool is_int = ((w >> 56) & 7) == static_cast<uint64_t>(Encoding::kInt);
    return (exp || is_int) ? 16 + 8 * (exp + is_int) : kHeader;
  }
  static size_t key_len_byte(uint64_t w) { return (w >> 48) & 0xff; }
  size_t key_len(uint64_t w) const {
    size_t n = key_len_byte(w);
    if (__builtin_expect(n == kLongKey, 0)) {
      uint32_t l;
      std::memcpy(&l, base() + slots_end(w), sizeof l);
      return l;
    }
    return n;
  }
  const char* key_ptr(uint64_t w) const {
    return base() + slots_end(w) + (key_len_byte(w) == kLongKey ? 4 : 0);
  }
  const char* value_ptr() const {
    uint64_t w = word_.load(kRelaxed);
    return key_ptr(w) + key_len(w);
  }
  int64_t* expire_slot() const {
    return reinterpret_cast<int64_t*>(const_cast<char*>(base()) + 16);
  }
  int64_t* int_slot() const { return expire_slot() + (has_expire_slot() ? 1 : 0); }
  template <class T>
  T* load_ptr() const {
    T* p;
    std::memcpy(&p, value_ptr(), sizeof p);
    return p;
  }

  std::atomic<uint64_t> word_;          // next | key length byte | enc, type, flags
  mutable std::atomic<uint32_t> meta_;  // access | gen
};

static_assert(sizeof(std::atomic<uint64_t>) == 8 && sizeof(std::atomic<uint32_t>) == 4 &&
                  std::atomic<uint64_t>::is_always_lock_free,
              "the header is two plain words");

// parse_canonical_int (storage/canonical_int.h) decides which string values are Encoding::kInt.

}  // namespace respite::storage
