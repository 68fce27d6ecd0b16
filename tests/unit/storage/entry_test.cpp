// Tests of the compact entry (storage/entry.h): every constructor, the key/value round trip with
// binary and empty bytes, the optional expire slot (present exactly when an expiry was given), the
// in-place updates that commands make under the shard lock (EXPIRE/PERSIST, INCR), copy() with its
// sharing rules (blobs are shared by reference count, collections are cloned or stolen), the
// alloc_size used for memory accounting, and parse_canonical_int, which decides which strings are
// stored as integers and therefore must agree with Redis on every edge case.
#include <doctest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "storage/entry.h"
#include "storage/size_class.h"
#include "storage/slab.h"

// alloc_size() counts what the allocator holds: at least the layout's bytes, rounded up by the
// allocator's size class (within a quarter, plus a little) for the entry's block and a blob's.
inline void check_alloc(const respite::storage::Entry* e, size_t layout) {
  CAPTURE(layout);
  CHECK(e->alloc_size() >= layout);
  CHECK(e->alloc_size() <= layout + layout / 4 + 64);
}

using namespace respite::storage;
using namespace std::string_view_literals;

namespace {

// A collection stand-in that counts how many instances are alive.
struct TestObject final : Object {
  TestObject(int* live, std::string tag) : live_(live), tag_(std::move(tag)) { ++*live_; }
  ~TestObject() override { --*live_; }
  const char* encoding_name() const override { return "test"; }
  size_t memory() const override { return 100; }
  size_t length() const override { return 1; }
  Object* clone() const override { return new TestObject(live_, tag_ + "-clone"); }
  int* live_;
  std::string tag_;
};

constexpr size_t kHeader = Entry::kHeader;

}  // namespace

TEST_CASE("string entry: key and value round trip") {
  Entry* e = Entry::make_string("key", "value", Entry::kNoExpire);
  CHECK(Type(e->type()) == Type::kString);
  CHECK(Encoding(e->enc()) == Encoding::kRaw);
  CHECK(e->key() == "key");
  CHECK(e->raw_value() == "value");
  CHECK(e->key_equals("key"));
  CHECK_FALSE(e->key_equals("ke"));
  CHECK_FALSE(e->key_equals("keyx"));
  CHECK_FALSE(e->key_equals("kez"));
  CHECK(e->next(std::memory_order_relaxed) == nullptr);
  CHECK(e->gen() == 0);
  CHECK(e->access() == kLfuInitVal);  // clock 0 (never touched), LFU counter at its initial value
  CHECK_FALSE(e->has_expire_slot());
  CHECK(e->expire_ms() == Entry::kNoExpire);
  CHECK_FALSE(e->expired(std::numeric_limits<int64_t>::max()));
  check_alloc(e, kHeader + 3 + 5);
  Entry::destroy(e);
}

TEST_CASE("string entry: binary and empty bytes") {
  const std::string key("a\0b\xff\n", 5);
  const std::string value("\0\0\x80zz\0", 6);
  Entry* e = Entry::make_string(key, value, Entry::kNoExpire);
  CHECK(e->key() == key);
  CHECK(e->raw_value() == value);
  CHECK(e->key_equals(key));
  CHECK_FALSE(e->key_equals(std::string("a\0c\xff\n", 5)));
  Entry::destroy(e);

  Entry* empty = Entry::make_string("", "", Entry::kNoExpire);
  CHECK(empty->key().empty());
  CHECK(empty->raw_value().empty());
  CHECK(empty->key_equals(""));
  CHECK_FALSE(empty->key_equals("x"));
  check_alloc(empty, kHeader);
  Entry::destroy(empty);

  Entry* empty_key = Entry::make_string("", "v", 5);
  CHECK(empty_key->key().empty());
  CHECK(empty_key->raw_value() == "v");
  CHECK(empty_key->expire_ms() == 5);
  Entry::destroy(empty_key);

  Entry* empty_value = Entry::make_string("k", "", Entry::kNoExpire);
  CHECK(empty_value->key() == "k");
  CHECK(empty_value->raw_value().empty());
  Entry::destroy(empty_value);
}

TEST_CASE("expire slot exists only when an expiry is given") {
  SUBCASE("no expiry") {
    Entry* e = Entry::make_string("k", "v", -1);
    CHECK_FALSE(e->has_expire_slot());
    check_alloc(e, kHeader + 2);
    Entry::destroy(e);
  }
  SUBCASE("expiry at time zero still gets a slot") {
    Entry* e = Entry::make_string("k", "v", 0);
    CHECK(e->has_expire_slot());
    CHECK(e->expire_ms() == 0);
    CHECK(e->expired(0));
    check_alloc(e, kHeader + 8 + 2);
    Entry::destroy(e);
  }
  SUBCASE("expired() is inclusive of the expiry instant") {
    Entry* e = Entry::make_string("k", "v", 12345);
    CHECK(e->key() == "k");
    CHECK(e->raw_value() == "v");
    CHECK_FALSE(e->expired(12344));
    CHECK(e->expired(12345));
    CHECK(e->expired(99999));
    Entry::destroy(e);
  }
  SUBCASE("set_expire updates in place; kNoExpire turns expiry off but keeps the slot") {
    Entry* e = Entry::make_string("key", "value", 100);
    e->set_expire(200);
    CHECK(e->expire_ms() == 200);
    CHECK_FALSE(e->expired(150));
    e->set_expire(Entry::kNoExpire);
    CHECK(e->has_expire_slot());
    CHECK(e->expire_ms() == Entry::kNoExpire);
    CHECK_FALSE(e->expired(std::numeric_limits<int64_t>::max()));
    CHECK(e->key() == "key");  // the key and value did not move
    CHECK(e->raw_value() == "value");
    Entry::destroy(e);
  }
}

TEST_CASE("integer entry") {
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{42}, std::numeric_limits<int64_t>::min(),
                    std::numeric_limits<int64_t>::max()}) {
    CAPTURE(v);
    Entry* e = Entry::make_int("counter", v, Entry::kNoExpire);
    CHECK(Type(e->type()) == Type::kString);
    CHECK(Encoding(e->enc()) == Encoding::kInt);
    CHECK(e->int_value() == v);
    CHECK(e->key() == "counter");
    check_alloc(e, kHeader + 8 + 7);
    Entry::destroy(e);
  }
  Entry* e = Entry::make_int("n", 7, 1000);
  CHECK(e->has_expire_slot());
  CHECK(e->expire_ms() == 1000);
  CHECK(e->int_value() == 7);
  check_alloc(e, kHeader + 8 + 8 + 1);
  e->set_int(-99);  // INCRBY in place must not disturb the expiry or the key
  CHECK(e->int_value() == -99);
  CHECK(e->expire_ms() == 1000);
  CHECK(e->key() == "n");
  e->set_expire(2000);  // nor the other way round
  CHECK(e->int_value() == -99);
  Entry::destroy(e);
}

TEST_CASE("blob entry shares its blob by reference count") {
  std::string big(1000, 'x');
  big[0] = '\0';
  Blob* b = Blob::make(big.data(), big.size());
  CHECK(b->refs.load() == 1);
  CHECK(b->len == big.size());
  CHECK(b->orig_len == big.size());
  CHECK(std::string_view(b->data(), b->len) == big);

  Entry* e = Entry::make_blob("big", b, Encoding::kBlob, Entry::kNoExpire);
  CHECK(Encoding(e->enc()) == Encoding::kBlob);
  CHECK(Type(e->type()) == Type::kString);
  CHECK(e->blob() == b);
  CHECK(e->key() == "big");
  check_alloc(e, kHeader + 3 + sizeof(void*) + sizeof(Blob) + big.size());

  Entry* c = Entry::copy(e, "renamed", 500, false);
  CHECK(c->blob() == b);
  CHECK(b->refs.load() == 2);
  CHECK(c->key() == "renamed");
  CHECK(c->expire_ms() == 500);
  CHECK(Encoding(c->enc()) == Encoding::kBlob);
  CHECK(e->key() == "big");  // the source is unchanged
  CHECK_FALSE(e->has_expire_slot());

  b->ref();  // a reply in flight holds the blob
  Entry::destroy(e);
  Entry::destroy(c);
  REQUIRE(b->refs.load() == 1);
  CHECK(std::string_view(b->data(), b->len) == big);  // still readable by the reply
  b->unref();                                         // frees (ASan checks that it does)

  Blob* z = Blob::make(nullptr, 0);
  Entry* lz = Entry::make_blob("z", z, Encoding::kLz4, 3);
  Entry* lc = Entry::copy(lz, "z2", Entry::kNoExpire, true);
  CHECK(Encoding(lc->enc()) == Encoding::kLz4);
  CHECK(lc->blob() == z);
  CHECK(z->refs.load() == 2);
  CHECK_FALSE(lc->has_expire_slot());
  Entry::destroy(lz);
  CHECK(z->refs.load() == 1);
  Entry::destroy(lc);
}

TEST_CASE("object entry: clone or share on copy") {
  int live = 0;
  auto* obj = new TestObject(&live, "h");
  Entry* e = Entry::make_object("hash", Type::kHash, obj, Entry::kNoExpire);
  CHECK(Type(e->type()) == Type::kHash);
  CHECK(Encoding(e->enc()) == Encoding::kObject);
  CHECK(e->object() == obj);
  CHECK(std::string_view(e->object()->encoding_name()) == "test");
  check_alloc(e, kHeader + 4 + sizeof(void*) + 100);
  CHECK(live == 1);

  SUBCASE("clone (COPY)") {
    Entry* c = Entry::copy(e, "hash2", 77, true);
    CHECK(live == 2);
    CHECK(c->object() != obj);
    CHECK(static_cast<TestObject*>(c->object())->tag_ == "h-clone");
    CHECK(Type(c->type()) == Type::kHash);
    CHECK(c->key() == "hash2");
    CHECK(c->expire_ms() == 77);
    CHECK(e->object() == obj);  // the source keeps its own
    Entry::destroy(c);
    CHECK(live == 1);
    Entry::destroy(e);
    CHECK(live == 0);
  }
  SUBCASE("share, then disown (RENAME)") {
    Entry* c = Entry::copy(e, "moved", Entry::kNoExpire, false);
    CHECK(live == 1);
    CHECK(c->object() == obj);
    CHECK(e->object() == obj);  // still counted with the source until the caller unlinks it
    check_alloc(e, kHeader + 4 + sizeof(void*) + 100);
    size_t with_object = e->alloc_size();
    CHECK(e->disown_object() == obj);
    CHECK(e->object() == nullptr);
    CHECK(with_object - e->alloc_size() == 100);  // a disowned entry no longer counts the object
    Entry::destroy(e);                            // must leave the object alone
    CHECK(live == 1);
    CHECK(static_cast<TestObject*>(c->object())->tag_ == "h");
    Entry::destroy(c);
    CHECK(live == 0);
  }
  SUBCASE("disown_object directly") {
    Object* o = e->disown_object();
    CHECK(o == obj);
    CHECK(e->object() == nullptr);
    Entry::destroy(e);
    CHECK(live == 1);
    delete o;
    CHECK(live == 0);
  }
}

TEST_CASE("copy of inline values under a new key and expiry") {
  Entry* s = Entry::make_string("src", std::string("v\0v", 3), 10);
  Entry* a = Entry::copy(s, "dst", Entry::kNoExpire, false);
  CHECK(a->key() == "dst");
  CHECK(a->raw_value() == std::string("v\0v", 3));
  CHECK_FALSE(a->has_expire_slot());
  check_alloc(a, kHeader + 3 + 3);
  Entry* b = Entry::copy(s, s->key(), 20, false);  // EXPIRE on the same key: only expiry changes
  CHECK(b->key() == "src");
  CHECK(b->expire_ms() == 20);
  CHECK(s->expire_ms() == 10);
  Entry::destroy(a);
  Entry::destroy(b);
  Entry::destroy(s);

  Entry* i = Entry::make_int("i", std::numeric_limits<int64_t>::min(), Entry::kNoExpire);
  Entry* j = Entry::copy(i, "j", 5, false);
  CHECK(Encoding(j->enc()) == Encoding::kInt);
  CHECK(j->int_value() == std::numeric_limits<int64_t>::min());
  CHECK(j->expire_ms() == 5);
  CHECK(j->key() == "j");
  Entry::destroy(i);
  Entry::destroy(j);
}

TEST_CASE("parse_canonical_int accepts exactly Redis's canonical integers") {
  auto ok = [](std::string_view s) -> std::optional<int64_t> {
    int64_t v = 12345;  // sentinel: must be overwritten on success only
    if (!parse_canonical_int(s, &v)) return std::nullopt;
    return v;
  };
  CHECK(ok("0") == 0);
  CHECK(ok("1") == 1);
  CHECK(ok("-1") == -1);
  CHECK(ok("10") == 10);
  CHECK(ok("1234567890") == 1234567890);
  CHECK(ok("9223372036854775807") == std::numeric_limits<int64_t>::max());
  CHECK(ok("-9223372036854775808") == std::numeric_limits<int64_t>::min());

  for (std::string_view bad : {
           ""sv,
           "-"sv,
           "-0"sv,
           "00"sv,
           "007"sv,
           "-01"sv,
           "+1"sv,
           "+0"sv,
           " 1"sv,
           "1 "sv,
           "1a"sv,
           "a1"sv,
           "1.0"sv,
           "0x10"sv,
           "--1"sv,
           "9223372036854775808"sv,     // INT64_MAX + 1
           "-9223372036854775809"sv,    // INT64_MIN - 1
           "18446744073709551615"sv,    // UINT64_MAX: 20 digits
           "18446744073709551616"sv,    // overflows uint64 too
           "99999999999999999999"sv,    // 20 nines
           "100000000000000000000"sv,   // 21 digits
           "-100000000000000000000"sv,  // 21 digits after the sign
           "000000000000000000001"sv,   // 21 characters
       }) {
    CAPTURE(bad);
    CHECK_FALSE(ok(bad).has_value());
  }
  // Bytes that are not ASCII digits, including ones above 0x7f and NUL.
  CHECK_FALSE(ok(std::string_view("1\0", 2)).has_value());
  CHECK_FALSE(ok("\xb1").has_value());
  CHECK_FALSE(ok("1\xff").has_value());
}

TEST_CASE("a string past a size-class boundary is split into entry and Blob when that is smaller") {
  // 5,100 bytes with an 11-byte key: one block of 12 + 11 + 2 + 5,100 = 5,125 bytes would take a
  // 6,144-byte class, while a 31-byte entry and a 5,116-byte Blob take 32 + 5,120.
  CHECK(Entry::split_saves(11, 5100, false));
  std::string v(5100, 'v');
  Entry* e = Entry::make_string("key:0000001", v, Entry::kNoExpire);
  CHECK(Encoding(e->enc()) == Encoding::kBlob);
  CHECK(std::string_view(e->blob()->data(), e->blob()->len) == v);
  Entry::destroy(e);
  // 1,000 bytes: 1,025 is a 1,040-byte slab block (storage/slab.h), which no split beats.
  CHECK_FALSE(Entry::split_saves(11, 1000, false));
  e = Entry::make_string("key:0000001", std::string(1000, 'x'), Entry::kNoExpire);
  CHECK(Encoding(e->enc()) == Encoding::kRaw);
  CHECK(e->alloc_size() == 1040);
  CHECK(e->raw_value() == std::string(1000, 'x'));
  Entry::destroy(e);
  // 100 bytes: 124 -> 128 inline against 32 + 128 split: stays inline.
  CHECK_FALSE(Entry::split_saves(11, 100, false));
  // Short values never split, whatever the classes say.
  CHECK_FALSE(Entry::split_saves(11, Entry::kMinSplit - 1, false));
  // A value that fills its class inline stays inline: 6,144 - 24 (header, padding, expire) - 8
  // (key) - 2 (length) = 6,110.
  CHECK_FALSE(Entry::split_saves(8, 6110, true));
  e = Entry::make_string("12345678", std::string(6110, 'w'), 42);
  CHECK(Encoding(e->enc()) == Encoding::kRaw);
  CHECK(e->raw_value() == std::string(6110, 'w'));
  CHECK(e->expire_ms() == 42);
  Entry::destroy(e);
}

TEST_CASE("entries of 256 bytes to 4 KiB live in slabs, whatever their encoding") {
  // Long keys bring every encoding into the slab range; each must free with the size it took.
  std::string key(300, 'k');
  int live = 0;
  Entry* es[] = {
      Entry::make_string(key, "v", Entry::kNoExpire),
      Entry::make_string(key, std::string(600, 'v'), 77),
      Entry::make_int(key, 12345, Entry::kNoExpire),
      Entry::make_int(key, -1, 99),
      Entry::make_object(key, Type::kHash, new TestObject(&live, "t"), Entry::kNoExpire),
      Entry::make_stub(key),
  };
  for (Entry* e : es) {
    CAPTURE(int(e->enc()));
    CHECK(slab::serves(e->alloc_bytes()));
    CHECK(e->key() == key);
    // A slab block is its request rounded up to 16 bytes; a collection adds its own bytes.
    size_t own = e->alloc_size() - (e->enc() == Encoding::kObject ? 100 : 0);
    CHECK(own == slab::class_bytes(e->alloc_bytes()));
  }
  CHECK(es[1]->raw_value() == std::string(600, 'v'));
  CHECK(es[3]->int_value() == -1);
  CHECK(es[3]->expire_ms() == 99);
  for (Entry* e : es) Entry::destroy(e);
  CHECK(live == 0);
}

TEST_CASE("the 12-byte header: an 11-byte key and a 32-byte value fit one 56-byte block") {
  // 12 + 11 + 1 (length) + 32 = 56; the 24-byte header made it 67, an 80-byte block.
  CHECK(Entry::string_bytes(11, 32, false) == 56);
  CHECK(Entry::block_bytes(56) == 56);  // a slab class (storage/slab.h); mimalloc would take 64
  // 100 bytes: 124, one 128-byte block.
  CHECK(Entry::string_bytes(11, 100, false) == 124);
  // An expiry adds its 8-byte slot and 4 bytes of padding that align it.
  CHECK(Entry::string_bytes(11, 32, true) == 56 + 12);
  // A 255-byte key adds its 4-byte length.
  CHECK(Entry::string_bytes(255, 32, false) == 12 + 4 + 255 + 1 + 32);
  for (size_t n : {size_t{32}, size_t{100}}) {
    Entry* e = Entry::make_string("key:0000001", std::string(n, 'x'), Entry::kNoExpire);
    CHECK(e->alloc_bytes() == Entry::string_bytes(11, n, false));
    CHECK(e->alloc_size() == Entry::block_bytes(Entry::string_bytes(11, n, false)));
    Entry::destroy(e);
  }
}

TEST_CASE("keys of 255 bytes and more keep their length before the key bytes") {
  for (size_t n : {size_t{254}, size_t{255}, size_t{256}, size_t{1000}, size_t{70000}}) {
    CAPTURE(n);
    std::string key(n, 'k');
    key[n / 2] = '\0';
    key.back() = 'z';
    for (int64_t exp : {Entry::kNoExpire, int64_t{1234}}) {
      Entry* s = Entry::make_string(key, "value", exp);
      CHECK(s->key() == key);
      CHECK(s->key_equals(key));
      CHECK_FALSE(s->key_equals(key.substr(0, n - 1)));
      CHECK(s->raw_value() == "value");
      CHECK(s->expire_ms() == exp);
      Entry* i = Entry::make_int(key, -77, exp);
      CHECK(i->key() == key);
      CHECK(i->int_value() == -77);
      CHECK(i->expire_ms() == exp);
      Entry* b = Entry::make_string(key, std::string(70000, 'b'), exp);
      CHECK(Encoding(b->enc()) == Encoding::kBlob);
      CHECK(b->key() == key);
      CHECK(b->blob()->len == 70000);
      Entry* c = Entry::copy(s, "short", Entry::kNoExpire, false);
      CHECK(c->key() == "short");
      CHECK(c->raw_value() == "value");
      for (Entry* x : {s, i, b, c}) Entry::destroy(x);
    }
  }
}

TEST_CASE("inline value lengths round trip across the varint's byte boundaries") {
  for (size_t n : {size_t{0}, size_t{1}, size_t{127}, size_t{128}, size_t{16383}, size_t{16384},
                   Entry::kMaxInline}) {
    CAPTURE(n);
    std::string v(n, 'a');
    if (n) v.back() = 'z';
    // A 300-byte key moves the value past the long-key length too.
    for (std::string key : {std::string("k"), std::string(300, 'q')}) {
      Entry* e = Entry::make_int(key, 1, Entry::kNoExpire);  // an integer entry is never raw
      Entry::destroy(e);
      e = Entry::make_string(key, v, 99);
      if (Encoding(e->enc()) == Encoding::kRaw) CHECK(e->raw_value() == v);
      CHECK(e->key() == key);
      CHECK(e->expire_ms() == 99);
      Entry::destroy(e);
    }
  }
}

TEST_CASE("next, gen and the access word share the header without disturbing each other") {
  Entry* a = Entry::make_string("alpha", "1", 5000);
  Entry* b = Entry::make_object("beta", Type::kHash, nullptr, Entry::kNoExpire);
  a->add_flags(Entry::kRawString);
  a->set_next(b, std::memory_order_relaxed);
  CHECK(a->next(std::memory_order_relaxed) == b);
  CHECK(a->key() == "alpha");
  CHECK(Type(a->type()) == Type::kString);
  CHECK(Encoding(a->enc()) == Encoding::kRaw);
  CHECK((a->flags() & Entry::kRawString) != 0);
  CHECK(a->has_expire_slot());
  a->set_next(nullptr, std::memory_order_relaxed);
  CHECK(a->next(std::memory_order_relaxed) == nullptr);
  CHECK(a->key() == "alpha");
  CHECK(a->expire_ms() == 5000);
  CHECK(Type(b->type()) == Type::kHash);
  CHECK(Encoding(b->enc()) == Encoding::kObject);

  a->set_gen(200);
  a->touch(0x123456);
  CHECK(a->gen() == 200);
  CHECK(a->access() == 0x123456);  // LRU: the 24-bit clock
  a->set_gen(7);
  CHECK(a->access() == 0x123456);
  // Under an LFU policy the word is the 1-based minute and the counter.
  AccessPolicy lfu;
  lfu.lfu.store(true);
  t_access_policy = &lfu;
  Entry* c = Entry::make_string("gamma", "1", Entry::kNoExpire);
  c->set_gen(9);
  uint32_t clock = 10 * kLruTicksPerMinute + 5;  // minute 10
  c->touch(clock);                               // the first stamp keeps the initial counter
  CHECK(c->access() == ((lfu_minute(clock) << 8) | kLfuInitVal));
  CHECK(c->gen() == 9);
  for (int i = 0; i < 200; i++) c->touch(clock);
  CHECK((c->access() & 0xff) > kLfuInitVal);
  CHECK((c->access() >> 8) == 11);
  t_access_policy = nullptr;
  for (Entry* x : {a, b, c}) Entry::destroy(x);
}

TEST_CASE("the LFU counter decays by minutes, across the LRU clock's wrap") {
  const uint32_t last = kLruClockMask;  // the clock's last tick, in the wrap's last minute
  uint32_t a = (lfu_minute(last) << 8) | 100;
  CHECK(lfu_decayed(a, last, 1) == 100);
  // Three minutes later the clock has wrapped: 3 periods of one minute.
  uint32_t later = 3 * kLruTicksPerMinute - 1;
  CHECK(lfu_decayed(a, later, 1) == 100 - 3);
  CHECK(lfu_decayed(a, later, 2) == 100 - 1);
  CHECK(lfu_decayed(a, later, 0) == 100);                    // lfu-decay-time 0: never decays
  CHECK(lfu_decayed(kLfuInitVal, later, 1) == kLfuInitVal);  // never touched: no decay
}
