// Tests of string-value compression (storage/compress.h): round trips of compressible text,
// incompressible bytes left raw, the threshold's edge (a value exactly threshold long is tried, one
// byte shorter is not), the min-saving boundary found exactly from a value's compressed size, the
// Blob's orig_len and len, partial decoding, and the live totals moving with make and free.
#include <doctest.h>

#include <lz4.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/compress.h"
#include "storage/entry.h"
#include "tests/unit/storage/storage_test_util.h"

// alloc_size() counts what the allocator holds: at least the layout's bytes, rounded up by the
// allocator's size class (within a quarter, plus a little) for the entry's block and a blob's.
inline void check_alloc(const respite::storage::Entry* e, size_t layout) {
  CAPTURE(layout);
  CHECK(e->alloc_size() >= layout);
  CHECK(e->alloc_size() <= layout + layout / 4 + 64);
}

using namespace respite::storage;
using respite::storage::testing::json_text;
using respite::storage::testing::random_bytes;

namespace {

std::string decompressed(const Blob* b) {
  std::string out(b->orig_len, '\x55');
  REQUIRE(decompress_value(b, out.data()));
  return out;
}

// The exact size LZ4_compress_default gives, to place the min-saving boundary precisely.
size_t lz4_size(const std::string& s) {
  std::string dst(static_cast<size_t>(LZ4_compressBound(static_cast<int>(s.size()))), '\0');
  return static_cast<size_t>(LZ4_compress_default(s.data(), dst.data(), static_cast<int>(s.size()),
                                                  static_cast<int>(dst.size())));
}

}  // namespace

TEST_CASE("JSON-like text compresses and round trips; the Blob records both lengths") {
  std::string scratch;
  for (size_t n : {size_t(16384), size_t(100000), size_t(1) << 20}) {
    CAPTURE(n);
    std::string v = json_text(n);
    CompressOutcome out;
    Blob* b = compress_value(v, {16384, 10}, &scratch, &out);
    REQUIRE(b != nullptr);
    CHECK(out == CompressOutcome::kCompressed);
    CHECK(b->orig_len == n);
    CHECK(b->len < n / 2);
    CHECK(is_compressed(b));
    CHECK(b->refs.load() == 1);
    CHECK(decompressed(b) == v);
    // A prefix decodes no further than asked, and matches.
    for (size_t k : {size_t(0), size_t(1), size_t(1000), n - 1, n}) {
      std::string p(k, '\0');
      REQUIRE(decompress_prefix(b, p.data(), k));
      CHECK(p == v.substr(0, k));
    }
    b->unref();
  }
}

TEST_CASE("incompressible bytes stay raw") {
  std::string scratch;
  std::string v = random_bytes(64 * 1024);
  CompressOutcome out;
  CHECK(compress_value(v, {16384, 10}, &scratch, &out) == nullptr);
  CHECK(out == CompressOutcome::kNotWorthIt);
  // Even with no minimum saving: LZ4 cannot shrink random bytes at all.
  CHECK(compress_value(v, {16384, 0}, &scratch, &out) == nullptr);
  CHECK(out == CompressOutcome::kNotWorthIt);
  // The scratch buffer never grows past the value.
  CHECK(scratch.size() <= v.size());
}

TEST_CASE("the threshold: exactly at it is tried, one byte below is not, 0 is off") {
  std::string scratch;
  CompressOutcome out;
  std::string at = json_text(16384);
  Blob* b = compress_value(at, {16384, 10}, &scratch, &out);
  REQUIRE(b != nullptr);
  CHECK(out == CompressOutcome::kCompressed);
  b->unref();

  std::string below = json_text(16383);
  CHECK(compress_value(below, {16384, 10}, &scratch, &out) == nullptr);
  CHECK(out == CompressOutcome::kNotTried);

  CHECK(compress_value(at, {0, 10}, &scratch, &out) == nullptr);
  CHECK(out == CompressOutcome::kNotTried);
  CHECK(compress_value("", {1, 0}, &scratch, &out) == nullptr);
  CHECK(out == CompressOutcome::kNotTried);

  // min-saving 100 can never be met.
  CHECK(compress_value(at, {1, 100}, &scratch, &out) == nullptr);
  CHECK(out == CompressOutcome::kNotWorthIt);
}

TEST_CASE("saves_enough is exact at the boundary") {
  CHECK(saves_enough(100, 90, 10));
  CHECK_FALSE(saves_enough(100, 91, 10));
  CHECK(saves_enough(1000, 999, 0));
  CHECK_FALSE(saves_enough(1000, 1000, 0));  // saving nothing never counts
  CHECK_FALSE(saves_enough(1000, 1001, 0));
  CHECK(saves_enough(3, 2, 33));  // 33.3% saved
  CHECK_FALSE(saves_enough(3, 2, 34));
  CHECK(saves_enough(1 << 30, 0, 100));
}

TEST_CASE("min-saving boundary, from the value's real compressed size") {
  std::string scratch;
  // Half JSON, half random: saves somewhere in the middle.
  std::string v = json_text(20000) + random_bytes(20000);
  size_t c = lz4_size(v);
  REQUIRE(c > 0);
  REQUIRE(c < v.size());
  // The largest whole percent this value saves.
  unsigned best = static_cast<unsigned>((v.size() - c) * 100 / v.size());
  CAPTURE(best);
  REQUIRE(best > 5);
  REQUIRE(best < 95);
  CompressOutcome out;
  Blob* b = compress_value(v, {1, best}, &scratch, &out);
  REQUIRE(b != nullptr);
  CHECK(b->len == c);  // limiting LZ4's output does not change what it makes when it fits
  CHECK(decompressed(b) == v);
  b->unref();
  CHECK(compress_value(v, {1, best + 1}, &scratch, &out) == nullptr);
  CHECK(out == CompressOutcome::kNotWorthIt);
}

TEST_CASE("orig_len: raw Blobs keep len, compressed ones the original length") {
  std::string v = json_text(50000);
  Blob* raw = Blob::make(v.data(), v.size());
  CHECK(raw->orig_len == raw->len);
  CHECK_FALSE(is_compressed(raw));
  std::string scratch;
  CompressOutcome out;
  Blob* z = compress_value(v, {16384, 10}, &scratch, &out);
  REQUIRE(z != nullptr);
  CHECK(z->orig_len == v.size());
  CHECK(z->len < z->orig_len);
  // An entry sharing it: copy() shares, the encoding says lz4, memory counts the stored bytes.
  Entry* e = Entry::make_blob("k", z, Encoding::kLz4, Entry::kNoExpire);
  Entry* c = Entry::copy(e, "k2", Entry::kNoExpire, false);
  CHECK(c->blob() == z);
  CHECK(Encoding(c->enc()) == Encoding::kLz4);
  check_alloc(e, Entry::kHeader + 1 + sizeof(void*) + sizeof(Blob) + z->len);
  Entry::destroy(e);
  Entry::destroy(c);
  raw->unref();
}

TEST_CASE("live totals follow compressed Blobs made and freed") {
  CompressLive before = compress_live();
  std::string v = json_text(40000);
  std::string scratch;
  CompressOutcome out;
  Blob* a = compress_value(v, {16384, 10}, &scratch, &out);
  Blob* b = compress_value(v, {16384, 10}, &scratch, &out);
  REQUIRE(a != nullptr);
  REQUIRE(b != nullptr);
  CompressLive mid = compress_live();
  CHECK(mid.values == before.values + 2);
  CHECK(mid.raw_bytes == before.raw_bytes + 2 * 40000);
  CHECK(mid.stored_bytes == before.stored_bytes + static_cast<int64_t>(a->len + b->len));
  // A raw Blob is not counted.
  Blob* raw = Blob::make(v.data(), v.size());
  raw->unref();
  CHECK(compress_live().values == mid.values);
  a->ref();
  a->unref();  // not the last reference: still alive
  CHECK(compress_live().values == mid.values);
  a->unref();
  b->unref();
  CompressLive after = compress_live();
  CHECK(after.values == before.values);
  CHECK(after.raw_bytes == before.raw_bytes);
  CHECK(after.stored_bytes == before.stored_bytes);
}
