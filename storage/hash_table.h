// The two encodings behind storage::HashValue (hash_value.h): a packed array of field/value pairs
// for small hashes ("listpack" in OBJECT ENCODING) and a chained hash table for large ones
// ("hashtable"). Both store a pair's bytes with LEB128 length prefixes, so a short field or value
// costs one byte of framing.
//
// PackedPairs layout: one malloc'd buffer, pairs in insertion order, each pair
//   [varint flen][field bytes][varint vlen][value bytes]
// Lookups are linear (the encoding is only used while a hash has few, short entries); an update
// rewrites the value in place (moving the tail when its size changes) and keeps the pair's
// position; a delete closes the gap. Only capacity is accounted as memory.
//
// PairTable layout: a power-of-two array of bucket heads; each pair is one allocation
//   [Node: next pointer][varint flen][varint vlen][field bytes][value bytes]
// chained from its bucket. The table doubles when it holds more pairs than buckets (load <= 1) and
// halves down when it falls under 1/8 full, rehashing everything at once (no incremental rehash:
// one resize of n pairs costs O(n) once per doubling). Buckets are chosen by the low bits of
// XXH3-64 of the field with a per-table seed (taken from the table's address, so that a client
// cannot precompute colliding fields for every server).
//
// Iteration for HSCAN uses Redis's reverse-binary cursor over the bucket index: because the table
// size is a power of two and the cursor is incremented from its high bit down, a scan started at
// cursor 0 visits every bucket's "descendants" exactly once whatever resizes happen between calls,
// so every pair present for the whole scan is returned (some may come back twice after a shrink).
//
// Neither class locks anything: a HashValue is read and written under its key's shard lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "storage/random.h"
#include "storage/varint.h"

namespace respite::storage {

// A field and its value, viewing bytes inside a hash: valid until the hash is next changed.
struct HashPair {
  std::string_view field, value;
};

class PackedPairs {
 public:
  // A listpack can never grow past this many bytes; a write that would is done after converting to
  // the table (Redis's LISTPACK_MAX_SAFETY_SIZE).
  static constexpr size_t kMaxBytes = size_t{1} << 30;
  static constexpr size_t npos = ~size_t{0};

  PackedPairs() = default;
  ~PackedPairs();
  PackedPairs(const PackedPairs& o);
  PackedPairs& operator=(const PackedPairs&) = delete;

  size_t size() const { return count_; }
  size_t bytes() const { return used_; }
  size_t capacity() const { return cap_; }
  // The bytes a pair takes in the buffer, framing included.
  static size_t pair_bytes(size_t flen, size_t vlen) {
    return varint::size(flen) + flen + varint::size(vlen) + vlen;
  }

  // The offset of field's pair, or npos.
  size_t find(std::string_view field) const;
  // Reads the pair at `off` (a pair boundary below bytes()); returns the next pair's offset.
  size_t read(size_t off, HashPair* out) const {
    const char* p = buf_ + off;
    size_t n;
    p = varint::get(p, &n);
    out->field = {p, n};
    p = varint::get(p + n, &n);
    out->value = {p, n};
    return static_cast<size_t>(p + n - buf_);
  }
  // Inserts at the end or updates in place; true when the field is new.
  bool set(std::string_view field, std::string_view value);
  bool erase(std::string_view field);
  // Frees the buffer (after the pairs moved to a table).
  void clear();

 private:
  void reserve(size_t need);
  void shrink_to_fit_if_loose();

  // 32-bit sizes: a buffer never passes kMaxBytes (plus reserve()'s eighth of slack), and the four
  // bytes saved per field keep HashValue at 48 bytes with its field-TTL pointer (hash_value.h).
  char* buf_ = nullptr;
  uint32_t used_ = 0, cap_ = 0;
  uint32_t count_ = 0;  // pairs
};
static_assert(PackedPairs::kMaxBytes + PackedPairs::kMaxBytes / 8 + 16 <= UINT32_MAX,
              "packed sizes fit in 32 bits");

class PairTable {
 public:
  struct Node {
    Node* next;
    // [varint flen][varint vlen][field][value] follow the node.
    char* data() { return reinterpret_cast<char*>(this + 1); }
    const char* data() const { return reinterpret_cast<const char*>(this + 1); }
    HashPair pair() const {
      size_t fl, vl;
      const char* p = varint::get(varint::get(data(), &fl), &vl);
      return {{p, fl}, {p + fl, vl}};
    }
  };

  // A table with room for `expected` pairs before its first resize.
  explicit PairTable(size_t expected = 0);
  ~PairTable();
  PairTable(const PairTable&) = delete;
  PairTable& operator=(const PairTable&) = delete;
  PairTable* clone() const;

  size_t size() const { return count_; }
  size_t buckets() const { return mask_ + 1; }
  // Bytes held: the bucket array and every node (the object itself not included).
  size_t bytes() const { return (mask_ + 1) * sizeof(Node*) + node_bytes_; }

  const Node* find(std::string_view field) const;
  // Inserts or updates; true when the field is new.
  bool set(std::string_view field, std::string_view value);
  // Inserts a field known to be absent (converting from the packed form).
  void insert_new(std::string_view field, std::string_view value);
  bool erase(std::string_view field);

  template <class F>
  void for_each(F&& f) const {
    for (size_t b = 0; b <= mask_; b++)
      for (const Node* n = buckets_[b]; n; n = n->next) f(n->pair());
  }
  // Visits one bucket (cursor & mask) and returns the next reverse-binary cursor, 0 when done.
  template <class F>
  uint64_t scan_bucket(uint64_t cursor, F&& f) const {
    if (count_ == 0) return 0;
    const uint64_t m = mask_;
    for (const Node* n = buckets_[cursor & m]; n; n = n->next) f(n->pair());
    cursor |= ~m;  // set the bits above the mask so the increment carries past them
    cursor = reverse_bits(cursor);
    cursor++;
    return reverse_bits(cursor);
  }
  // A random node, every one equally likely; nullptr when empty. A random (bucket, depth) cell
  // with depth below the longest chain's length, retried until a node sits there: each node is
  // exactly one cell. (Picking a bucket and then a node of its chain, as Redis's dictGetRandomKey
  // does, favours nodes alone in their bucket: twice as likely as those sharing one with another,
  // which HRANDFIELD's chi-square test catches.) Expected tries: buckets * longest / size, a few.
  const Node* random_node(Rng& rng) const;
  // Every node, for picking many distinct ones.
  template <class F>
  void for_each_node(F&& f) const {
    for (size_t b = 0; b <= mask_; b++)
      for (const Node* n = buckets_[b]; n; n = n->next) f(n);
  }

 private:
  static uint64_t reverse_bits(uint64_t v);
  static size_t node_size(size_t flen, size_t vlen) {
    return sizeof(Node) + varint::size(flen) + varint::size(vlen) + flen + vlen;
  }
  static Node* make_node(std::string_view field, std::string_view value, size_t* size);
  uint64_t hash(std::string_view field) const;
  Node** slot_of(std::string_view field, uint64_t h);  // the link that points at field's node
  void resize(size_t new_buckets);

  Node** buckets_ = nullptr;
  size_t mask_ = 0;
  size_t count_ = 0;
  // At least the length of the longest chain (random_node): raised by inserts, recomputed by
  // resizes, left as it is by erases (an upper bound is enough; resizes bring it back down).
  size_t longest_ = 0;
  size_t node_bytes_ = 0;
  uint64_t seed_;
};

}  // namespace respite::storage
