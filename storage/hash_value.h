// storage::HashValue: the value of a Redis hash (field -> value), in one of Redis 7.0's two
// encodings, which OBJECT ENCODING names:
//   "listpack"  while the hash has at most `max_entries` pairs and no field or value longer than
//               `max_value` bytes: one contiguous buffer of length-prefixed pairs in insertion
//               order (PackedPairs, hash_table.h). Linear lookups over a few hundred bytes.
//   "hashtable" past either limit: a chained table, one allocation per pair (PairTable).
// The change is one way, as in Redis: a hash never goes back to the packed form, even when it
// shrinks. The limits are hash-max-listpack-entries / -value, passed in by the caller on every
// write (they may change at run time) and applied exactly where Redis's hashTypeSet applies them: a
// too-long field or value converts before it is stored, a count over the limit converts after the
// pair is stored (so an update of a hash already over a lowered limit converts it too).
//
// Concurrency: none here. The hash is read and changed only under its key's shard lock (through
// server::Collection), so views returned by get(), for_each() and the random picks stay valid
// until the caller next changes the hash or releases the lock.
//
// memory() is O(1): the packed buffer's capacity, or the table's bucket array plus its nodes'
// bytes, each kept up to date as pairs come and go.
//
// Field TTLs (HEXPIRE and friends, Redis 7.4's hash-field expiry) live beside the pairs, not in
// them: a FieldTtls side table (field -> absolute unix ms) that exists only while at least one
// field has a TTL. A hash without field TTLs pays one null pointer, and PackedPairs's sizes went
// to 32 bits to make room for it, so sizeof(HashValue) stays 48 (static_assert below): no hash
// that never used HEXPIRE costs a byte more. A field's TTL goes with the field (erase), is
// cleared by set() (HSET replaces a field and its TTL, as Redis does) unless the caller keeps it
// (HINCRBY), and is copied by clone() (COPY). `min_` is a lower bound of every TTL in the table:
// expire_fields() is O(1) while it is in the future and walks the table, making it exact again,
// only when it is due; the active expiry cycle (Keyspace::active_expire) reads it through
// Object::subexpire_ms(). Expired fields are not hidden by reads here: every hash command first
// calls expire_fields() with its command clock under the shard lock, so that a field past its
// TTL is gone before the command looks (server/commands/hashes.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/entry.h"
#include "storage/hash_table.h"

namespace respite::storage {

class HashValue final : public Object {
 public:
  // hash-max-listpack-entries and hash-max-listpack-value.
  struct Limits {
    size_t max_entries = 128;
    size_t max_value = 64;
  };

  HashValue() = default;
  ~HashValue() override;
  HashValue(const HashValue&) = delete;
  HashValue& operator=(const HashValue&) = delete;

  // "listpackex" is Redis 7.4's name for a listpack hash with field TTLs (it keeps the name after
  // the last TTL goes; respite's goes back to "listpack").
  const char* encoding_name() const override {
    return table_ ? "hashtable" : ttls_ ? "listpackex" : "listpack";
  }
  size_t memory() const override;
  size_t length() const override { return table_ ? table_->size() : packed_.size(); }
  Object* clone() const override;
  int64_t subexpire_ms() const override { return ttls_ ? ttls_->min : -1; }
  size_t expire_parts(int64_t now_ms) override { return expire_fields(now_ms); }

  bool packed() const { return table_ == nullptr; }

  // The value of field, if present (value may be null to test presence only).
  bool get(std::string_view field, std::string_view* value) const;
  bool contains(std::string_view field) const { return get(field, nullptr); }
  // HSET of one pair, converting to the table as Redis does (see the top). True: a new field.
  // The field's TTL goes, unless keep_ttl (HINCRBY, HSETEX KEEPTTL).
  bool set(std::string_view field, std::string_view value, const Limits& limits,
           bool keep_ttl = false);
  // HDEL of one field (and its TTL); true if it was there.
  bool erase(std::string_view field);

  // --- field TTLs (see the top) ---
  bool has_field_ttls() const { return ttls_ != nullptr; }
  // The field's TTL as an absolute unix time in ms, or -1 when it has none (or is missing).
  int64_t field_expire(std::string_view field) const;
  // Gives an existing field a TTL (absolute unix ms).
  void set_field_expire(std::string_view field, int64_t at_ms);
  // Removes the field's TTL; true if it had one.
  bool persist_field(std::string_view field);
  // Deletes every field whose TTL is at or before now_ms; returns how many went.
  size_t expire_fields(int64_t now_ms);

  // Calls f(const HashPair&) for every pair: insertion order for a packed hash, table order else.
  template <class F>
  void for_each(F&& f) const {
    if (table_) return table_->for_each(f);
    HashPair p;
    for (size_t off = 0; off < packed_.bytes();) {
      off = packed_.read(off, &p);
      f(p);
    }
  }

  // One HSCAN step. A packed hash is returned whole with cursor 0. A table visits buckets from
  // `cursor` until it has seen `count` items (a pair counts as two, as Redis counts them) or has
  // visited count*10 buckets, and returns the cursor to continue from (0: done).
  template <class F>
  uint64_t scan(uint64_t cursor, size_t count, F&& f) const {
    if (!table_) {
      for_each(f);
      return 0;
    }
    size_t items = 0;
    size_t budget = count > SIZE_MAX / 10 ? SIZE_MAX : count * 10;
    do {
      cursor = table_->scan_bucket(cursor, [&](const HashPair& p) {
        items += 2;
        f(p);
      });
    } while (cursor && budget-- && items < count);
    return cursor;
  }

  // HRANDFIELD, drawing from the caller's rng.
  // One random pair; the hash must not be empty.
  HashPair random_pair(Rng& rng) const;
  // `count` random pairs, repetitions allowed (a negative count), each passed to f.
  template <class F>
  void random_pairs(uint64_t count, Rng& rng, F&& f) const {
    if (table_) {
      while (count--) f(table_->random_node(rng)->pair());
      return;
    }
    // Index the packed pairs once, then pick from the index: O(n + count), not O(n * count).
    std::vector<size_t> offsets = packed_offsets();
    HashPair p;
    while (count--) {
      packed_.read(offsets[rng.below(offsets.size())], &p);
      f(p);
    }
  }
  // `count` distinct random pairs, 0 < count < length(), in random order, appended to out.
  void random_distinct(size_t count, Rng& rng, std::vector<HashPair>* out) const;

 private:
  explicit HashValue(const PackedPairs& packed) : packed_(packed) {}  // clone()
  void convert();                                                     // packed -> table
  std::vector<size_t> packed_offsets() const;

  struct FieldTtls {
    struct Hash {
      using is_transparent = void;
      size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, int64_t, Hash, std::equal_to<>> at;  // field -> unix ms
    int64_t min = INT64_MAX;                                             // <= every value in `at`
    size_t bytes = 0;  // the nodes' estimated bytes, for memory()
  };
  // What one TTL costs: a node (next, std::string, the time, the cached hash), a bucket, and the
  // field's bytes when they do not fit std::string's inline buffer.
  static size_t ttl_bytes(std::string_view field) {
    return 64 + (field.size() > 15 ? field.size() + 1 : 0);
  }
  void drop_ttl(std::string_view field);  // forgets field's TTL; frees the table when empty

  PackedPairs packed_;
  std::unique_ptr<PairTable> table_;  // non-null once converted
  std::unique_ptr<FieldTtls> ttls_;   // non-null while a field has a TTL
};

static_assert(sizeof(HashValue) == 48, "field TTLs must not make a plain hash bigger (the top)");

}  // namespace respite::storage
