// Construction and destruction of entries and blobs; see entry.h for the layout.
#include "storage/entry.h"

#include <malloc.h>

#include <algorithm>
#include <cstdlib>
#include <new>

#include "storage/compress.h"
#include "storage/size_class.h"
#include "storage/slab.h"

namespace respite::storage {

Blob* Blob::make(const char* p, size_t n) {
  void* mem = std::malloc(sizeof(Blob) + n);
  if (!mem) throw std::bad_alloc();
  Blob* b = new (mem) Blob();
  b->refs.store(1, std::memory_order_relaxed);
  b->len = n;
  b->orig_len = static_cast<uint32_t>(n);
  if (n) std::memcpy(b->data(), p, n);
  return b;
}

void Blob::destroy() {
  if (is_compressed(this)) note_compressed_freed(this);
  this->~Blob();
  std::free(this);
}

// Inlined into every make_*: it is on SET's path, and a call there cost ~20 instructions a SET.
// Builds the header, the slots and the key; the caller writes value_bytes of value after the key.
[[gnu::always_inline]] inline Entry* Entry::alloc(std::string_view key, Type type, Encoding enc,
                                                  int64_t expire_ms, size_t value_bytes) {
  bool has_exp = expire_ms >= 0;
  bool is_int = enc == Encoding::kInt;
  size_t prefix = prefix_bytes(key.size(), has_exp, is_int);
  // At least sizeof(Entry): the object's padding past the 12 header bytes stays inside the block.
  size_t size = std::max(prefix + key.size() + value_bytes, sizeof(Entry));
  void* mem;
  if (slab::serves(size)) {  // destroy() computes the same size again (alloc_bytes)
    mem = slab::alloc(size);
  } else {
    mem = std::malloc(size);
    if (!mem) throw std::bad_alloc();
  }
  Entry* e = new (mem) Entry();
  bool long_key = key.size() >= kLongKey;
  uint64_t w = (uint64_t{long_key ? kLongKey : static_cast<uint32_t>(key.size())} << 48) |
               (uint64_t{static_cast<uint8_t>(enc)} << 56) |
               (uint64_t{static_cast<uint8_t>(type)} << 59) |
               (uint64_t{has_exp ? kHasExpire : uint8_t{0}} << 62);
  e->word_.store(w, std::memory_order_relaxed);
  e->meta_.store(kLfuInitVal, std::memory_order_relaxed);  // gen 0, never touched
  char* p = reinterpret_cast<char*>(mem) + prefix;
  if (has_exp) *e->expire_slot() = expire_ms;
  if (long_key) {
    uint32_t l = static_cast<uint32_t>(key.size());
    std::memcpy(p - 4, &l, sizeof l);
  }
  if (!key.empty()) std::memcpy(p, key.data(), key.size());
  return e;
}

bool Entry::split_saves(size_t key_len, size_t value_len, bool has_expire) {
  if (value_len < kMinSplit) return false;
  size_t head = prefix_bytes(key_len, has_expire, false) + key_len;
  size_t one = block_bytes(string_bytes(key_len, value_len, has_expire));
  size_t two = block_bytes(head + sizeof(Blob*)) + alloc_class_size(sizeof(Blob) + value_len);
  // A margin of 16: the second block costs a pointer chase on every read, so a tie stays inline.
  return two + 16 <= one;
}

Entry* Entry::make_string(std::string_view key, std::string_view value, int64_t expire_ms) {
  if (value.size() > kMaxInline || split_saves(key.size(), value.size(), expire_ms >= 0)) {
    return make_blob(key, Blob::make(value.data(), value.size()), Encoding::kBlob, expire_ms);
  }
  Entry* e = alloc(key, Type::kString, Encoding::kRaw, expire_ms,
                   varint::size(value.size()) + value.size());
  char* p = varint::put(const_cast<char*>(e->value_ptr()), value.size());
  if (!value.empty()) std::memcpy(p, value.data(), value.size());
  return e;
}

Entry* Entry::make_stub(std::string_view key) {
  return alloc(key, Type::kString, Encoding::kPending, kNoExpire, kStubBodyBytes);
}

Entry* Entry::make_int(std::string_view key, int64_t v, int64_t expire_ms) {
  Entry* e = alloc(key, Type::kString, Encoding::kInt, expire_ms, 0);
  *e->int_slot() = v;
  return e;
}

static void store_ptr(Entry* e, const void* p) {
  std::memcpy(e->value_area(), &p, sizeof p);
}

Entry* Entry::make_blob(std::string_view key, Blob* blob, Encoding enc, int64_t expire_ms) {
  Entry* e = alloc(key, Type::kString, enc, expire_ms, sizeof(Blob*));
  store_ptr(e, blob);
  return e;
}

Entry* Entry::make_object(std::string_view key, Type type, Object* obj, int64_t expire_ms) {
  Entry* e = alloc(key, type, Encoding::kObject, expire_ms, sizeof(Object*));
  store_ptr(e, obj);
  return e;
}

Entry* Entry::copy(const Entry* src, std::string_view key, int64_t expire_ms, bool clone_object) {
  switch (src->enc()) {
    case Encoding::kRaw: {
      Entry* e = make_string(key, src->raw_value(), expire_ms);
      e->add_flags(src->flags() & kRawString);
      return e;
    }
    case Encoding::kInt:
      return make_int(key, src->int_value(), expire_ms);
    case Encoding::kBlob:
    case Encoding::kLz4:
      src->blob()->ref();
      return make_blob(key, src->blob(), src->enc(), expire_ms);
    case Encoding::kObject: {
      Object* o = clone_object ? src->object()->clone() : src->object();
      return make_object(key, src->type(), o, expire_ms);
    }
    case Encoding::kPending:
      break;  // stubs are never copied: writers see through them (multi_write.h)
  }
  return nullptr;
}

Object* Entry::disown_object() {
  Object* o = object();
  store_ptr(this, nullptr);
  return o;
}

void Entry::destroy(Entry* e) {
  Encoding enc = e->enc();
  if (enc == Encoding::kBlob || enc == Encoding::kLz4) {
    e->blob()->unref();
  } else if (enc == Encoding::kObject) {
    delete e->object();  // may be null after disown_object()
  }
  size_t bytes = e->alloc_bytes();
  e->~Entry();
  if (slab::serves(bytes)) {
    slab::free(e, bytes);
  } else {
    std::free(e);
  }
}

size_t Entry::block_bytes(size_t n) {
  return slab::serves(n) ? slab::class_bytes(n) : alloc_class_size(n);
}

size_t Entry::alloc_size() const {
  // What the allocator holds for it, usable sizes as Redis's zmalloc_size counts them: an entry
  // just past a size class costs the whole class, and maxmemory must see that.
  size_t bytes = alloc_bytes();
  size_t n =
      slab::serves(bytes) ? slab::class_bytes(bytes) : malloc_usable_size(const_cast<Entry*>(this));
  switch (enc()) {
    case Encoding::kBlob:
    case Encoding::kLz4:
      return n + malloc_usable_size(blob());
    case Encoding::kObject:
      return n + (object() ? object()->memory() : 0);
    case Encoding::kRaw:
    case Encoding::kInt:
    case Encoding::kPending:  // never accounted: a stub lives only while its writer holds the lock
      break;
  }
  return n;
}

}  // namespace respite::storage
