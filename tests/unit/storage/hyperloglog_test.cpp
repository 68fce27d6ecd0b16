// Unit tests of storage/hyperloglog.h against redis-server 7.0.15's own answers: where elements
// land (register and value, read from PFDEBUG DECODE), the exact bytes of sparse and dense values
// after a run of PFADDs (hex for the small ones, a 64-bit FNV-1a of the bytes for the large ones),
// PFCOUNT's estimates, PFMERGE's results, and the promotion to dense at hll-sparse-max-bytes. Then
// the representations against each other and a plain register array: random adds keep sparse,
// dense and the reference in step; corrupted sparse bodies are reported, never read past.
#include <doctest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "storage/hyperloglog.h"

namespace hll = respite::storage::hll;

namespace {

constexpr size_t kSparseMax = 3000;  // Redis's default hll-sparse-max-bytes

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char ch : s) {
    h ^= ch;
    h *= 0x100000001b3ull;
  }
  return h;
}

std::string hex(std::string_view s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char ch : s) {
    out += digits[ch >> 4];
    out += digits[ch & 15];
  }
  return out;
}

// PFADD key e:1, PFADD key e:2, ... PFADD key e:n, one element per command, as the reference
// values were made.
std::string added(const std::string& prefix, int n) {
  std::string v;
  hll::make_empty(&v);
  for (int i = 1; i <= n; i++) {
    const std::string e = prefix + std::to_string(i);
    REQUIRE(hll::add(&v, e, kSparseMax) >= 0);
  }
  hll::invalidate_cache(&v);  // PFADD does when anything changed (PFADD on a new key always)
  return v;
}

// What PFCOUNT does to a value: compute and cache the estimate.
uint64_t pfcount(std::string* v) {
  bool invalid = false;
  const uint64_t c = hll::count(*v, &invalid);
  REQUIRE(!invalid);
  hll::set_cached_count(v, c);
  return c;
}

std::vector<uint8_t> registers_of(std::string_view v) {
  std::vector<uint8_t> r(hll::kRegisters, 0);
  REQUIRE(hll::merge_into(v, r.data()));
  return r;
}

}  // namespace

TEST_CASE("elements land in Redis's registers (MurmurHash64A, seed 0xadc83b19)") {
  // From redis-server: PFADD k <e>, then PFDEBUG DECODE k gives "Z:<index> v:<count>,1 ...".
  const struct {
    const char* element;
    uint32_t index;
    uint8_t count;
  } want[] = {{"a", 12711, 2}, {"b", 15780, 1},  {"c", 8436, 1},    {"hello", 9216, 1},
              {"", 5938, 2},   {"foo", 7348, 5}, {"bar", 10007, 1}, {"1", 7527, 1},
              {"2", 15371, 4}, {"3", 10973, 1}};
  for (const auto& w : want) {
    CAPTURE(w.element);
    hll::Pattern p = hll::pattern_of(w.element);
    CHECK(p.index == w.index);
    CHECK(p.count == w.count);
  }
  // Every length of tail (len % 8) and of whole blocks goes through the same code.
  std::string s;
  for (int i = 0; i < 40; i++) {
    s += static_cast<char>('a' + i % 26);
    hll::Pattern p = hll::pattern_of(s);
    CHECK(p.index < hll::kRegisters);
    CHECK(p.count >= 1);
    CHECK(p.count <= 51);
  }
}

TEST_CASE("a new HLL is Redis's empty sparse value") {
  std::string v;
  hll::make_empty(&v);
  CHECK(hex(v) ==
        "48594c4c010000000000000000000000"
        "7fff");
  CHECK(hll::looks_valid(v));
  CHECK(hll::encoding(v) == hll::kSparse);
  CHECK(hll::cache_valid(v));
  CHECK(hll::cached_count(v) == 0);
  CHECK(hll::decode_sparse(v) == "Z:16384");
  bool invalid = false;
  CHECK(hll::count(v, &invalid) == 0);
  CHECK(!invalid);
}

TEST_CASE("PFADD a b c gives redis-server's bytes, before and after PFCOUNT caches the count") {
  std::string v;
  hll::make_empty(&v);
  int changed = 0;
  for (const char* e : {"a", "b", "c"}) changed += hll::add(&v, e, kSparseMax);
  CHECK(changed == 3);
  hll::invalidate_cache(&v);
  CHECK(hex(v) ==
        "48594c4c010000000000000000000080"
        "60f38050b1844bfb80425a");
  CHECK(!hll::cache_valid(v));
  CHECK(pfcount(&v) == 3);
  CHECK(hex(v) ==
        "48594c4c010000000300000000000000"
        "60f38050b1844bfb80425a");
  CHECK(hll::cache_valid(v));
  CHECK(hll::cached_count(v) == 3);
  // Adding them again changes nothing.
  for (const char* e : {"a", "b", "c"}) CHECK(hll::add(&v, e, kSparseMax) == 0);
  CHECK(hll::decode_sparse(v) == "Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603");
}

TEST_CASE("sparse and dense values match redis-server's bytes and counts") {
  // redis-server 7.0.15: PFADD k e:1 ... PFADD k e:n, PFCOUNT k, GET k.
  const struct {
    int n;
    uint64_t count;
    size_t len;
    uint64_t fnv;
    const char* hex;  // for the small ones
  } want[] = {
      {10, 10, 48, 0x2df3a47dcb49c160ull,
       "48594c4c010000000a0000000000000040a2844822804663804491804627804ac48443458047ff8046ef8045de"
       "804337"},
      {100, 100, 279, 0x0a61b81823102edfull, nullptr},
      {1000, 995, 1881, 0x6fc30c2a82cd3408ull, nullptr},
      {3000, 2981, 12304, 0x0c239f88bd2673f4ull, nullptr},
      {20000, 20096, 12304, 0xe37b314df87e1d3cull, nullptr},
      {100000, 100342, 12304, 0x0abec102fe1c0251ull, nullptr},
  };
  for (const auto& w : want) {
    CAPTURE(w.n);
    std::string v = added("e:", w.n);
    CHECK(pfcount(&v) == w.count);
    CHECK(v.size() == w.len);
    CHECK(hll::encoding(v) == (w.len == hll::kDenseSize ? hll::kDense : hll::kSparse));
    if (w.hex) CHECK(hex(v) == w.hex);
    CHECK(fnv1a(v) == w.fnv);
  }
}

TEST_CASE("PFCOUNT of several keys and PFMERGE match redis-server") {
  std::string h1 = added("e:", 1000), h2 = added("f:", 500), h3 = added("g:", 5000);
  CHECK(hll::encoding(h1) == hll::kSparse);
  CHECK(hll::encoding(h3) == hll::kDense);
  std::vector<uint8_t> max(hll::kRegisters, 0);
  REQUIRE(hll::merge_into(h1, max.data()));
  REQUIRE(hll::merge_into(h2, max.data()));
  CHECK(hll::count_registers(max.data()) == 1497);
  REQUIRE(hll::merge_into(h3, max.data()));
  CHECK(hll::count_registers(max.data()) == 6517);

  // PFMERGE d h1 h2 into a new (sparse) key: registers set in index order, then the cache
  // invalidated. redis-server: 2705 bytes, and PFCOUNT 1497.
  auto pfmerge = [](std::vector<const std::string*> srcs) {
    std::vector<uint8_t> m(hll::kRegisters, 0);
    bool dense = false;
    for (const std::string* s : srcs) {
      REQUIRE(hll::merge_into(*s, m.data()));
      dense |= hll::encoding(*s) == hll::kDense;
    }
    std::string d;
    hll::make_empty(&d);
    if (dense) REQUIRE(hll::to_dense(&d));
    for (uint32_t i = 0; i < hll::kRegisters; i++)
      if (m[i]) hll::set_register(&d, i, m[i], kSparseMax);
    hll::invalidate_cache(&d);
    return d;
  };
  std::string d = pfmerge({&h1, &h2});
  CHECK(d.size() == 2705);
  CHECK(fnv1a(d) == 0x9533fd8380e93026ull);
  CHECK(pfcount(&d) == 1497);
  std::string d2 = pfmerge({&h2, &h3});
  CHECK(d2.size() == hll::kDenseSize);
  CHECK(fnv1a(d2) == 0xa5d9602fd9489d39ull);
  CHECK(pfcount(&d2) == 5520);
}

TEST_CASE("a sparse HLL turns dense when it would grow past sparse_max, or for a value above 32") {
  std::string v;
  hll::make_empty(&v);
  int i = 0;
  while (hll::encoding(v) == hll::kSparse) {
    const size_t before = v.size();
    REQUIRE(hll::add(&v, std::string("x").append(std::to_string(i++)), 300) >= 0);
    if (hll::encoding(v) == hll::kSparse) CHECK(v.size() <= 300);
    if (hll::encoding(v) == hll::kDense) CHECK(before + 3 > 300);  // it was near the bound
  }
  CHECK(v.size() == hll::kDenseSize);
  CHECK(hll::looks_valid(v));

  // Register values 33 and up exist only in the dense form.
  std::string w;
  hll::make_empty(&w);
  CHECK(hll::set_register(&w, 100, 32, kSparseMax) == 1);
  CHECK(hll::encoding(w) == hll::kSparse);
  CHECK(hll::decode_sparse(w) == "Z:100 v:32,1 Z:16283");
  CHECK(hll::set_register(&w, 100, 33, kSparseMax) == 1);
  CHECK(hll::encoding(w) == hll::kDense);
  CHECK(hll::register_at(w, 100) == 33);
  CHECK(hll::register_at(w, 99) == 0);
  // The cache travels with the header; a dense change leaves it to the caller.
  CHECK(!hll::cache_valid(w));
}

TEST_CASE("sparse edits split runs and merge equal neighbours as Redis does") {
  std::string v;
  hll::make_empty(&v);
  hll::set_register(&v, 0, 3, kSparseMax);
  CHECK(hll::decode_sparse(v) == "v:3,1 Z:16383");
  hll::set_register(&v, 1, 3, kSparseMax);
  CHECK(hll::decode_sparse(v) == "v:3,2 Z:16382");
  hll::set_register(&v, 3, 3, kSparseMax);
  hll::set_register(&v, 4, 3, kSparseMax);
  CHECK(hll::decode_sparse(v) == "v:3,2 z:1 v:3,2 Z:16379");
  // Filling the gap merges left first: VAL 3x3 then 3x2, not 3x4 then 3x1 (history matters, which
  // is why the edits follow Redis's order exactly).
  hll::set_register(&v, 2, 3, kSparseMax);
  CHECK(hll::decode_sparse(v) == "v:3,3 v:3,2 Z:16379");
  // Raising one register inside a run splits it in three; the merge scan that follows joins the
  // third piece with its equal neighbour.
  hll::set_register(&v, 1, 5, kSparseMax);
  CHECK(hll::decode_sparse(v) == "v:3,1 v:5,1 v:3,3 Z:16379");
  // Lower or equal values change nothing.
  CHECK(hll::set_register(&v, 1, 4, kSparseMax) == 0);
  CHECK(hll::set_register(&v, 0, 3, kSparseMax) == 0);
  // A zero run of 64 or less is a one-byte ZERO, longer ones XZERO.
  hll::set_register(&v, 100, 1, kSparseMax);
  CHECK(hll::decode_sparse(v) == "v:3,1 v:5,1 v:3,3 Z:95 v:1,1 Z:16283");
  hll::set_register(&v, 40, 1, kSparseMax);
  CHECK(hll::decode_sparse(v) == "v:3,1 v:5,1 v:3,3 z:35 v:1,1 z:59 v:1,1 Z:16283");
  hll::set_register(&v, hll::kRegisters - 1, 2, kSparseMax);
  CHECK(hll::decode_sparse(v) == "v:3,1 v:5,1 v:3,3 z:35 v:1,1 z:59 v:1,1 Z:16282 v:2,1");
  bool invalid = false;
  hll::count(v, &invalid);
  CHECK(!invalid);
}

TEST_CASE("sparse, dense and a plain register array agree under random adds") {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 20; round++) {
    std::string sparse, dense;
    hll::make_empty(&sparse);
    hll::make_empty(&dense);
    REQUIRE(hll::to_dense(&dense));
    std::vector<uint8_t> ref(hll::kRegisters, 0);
    const int n = static_cast<int>(rng() % 4000);
    for (int i = 0; i < n; i++) {
      const std::string e = std::to_string(rng());
      const hll::Pattern p = hll::pattern_of(e);
      const int want = p.count > ref[p.index] ? 1 : 0;
      if (want) ref[p.index] = p.count;
      CHECK(hll::add(&sparse, e, kSparseMax) == want);
      CHECK(hll::add(&dense, e, kSparseMax) == want);
    }
    CHECK(registers_of(sparse) == ref);
    CHECK(registers_of(dense) == ref);
    for (uint32_t i = 0; i < hll::kRegisters; i += 97) {
      CHECK(hll::register_at(sparse, i) == ref[i]);
      CHECK(hll::register_at(dense, i) == ref[i]);
    }
    bool invalid = false;
    const uint64_t c = hll::count(sparse, &invalid);
    CHECK(!invalid);
    CHECK(c == hll::count(dense, nullptr));
    CHECK(c == hll::count_registers(ref.data()));
    // Converting gives the same registers and keeps the header's cache bytes.
    std::string converted = sparse;
    REQUIRE(hll::to_dense(&converted));
    CHECK(registers_of(converted) == ref);
    CHECK(converted.substr(5, 11) == sparse.substr(5, 11));
  }
}

TEST_CASE("the estimate stays within a few standard errors") {
  std::string v;
  hll::make_empty(&v);
  uint64_t checkpoint = 10;
  for (uint64_t i = 1; i <= 200000; i++) {
    hll::add(&v, std::string("k").append(std::to_string(i)), kSparseMax);
    if (i == checkpoint) {
      const double c = static_cast<double>(hll::count(v, nullptr));
      CHECK(std::abs(c - static_cast<double>(i)) <= 0.05 * static_cast<double>(i) + 1);
      checkpoint *= 10;
    }
  }
}

TEST_CASE("looks_valid follows Redis's header checks") {
  std::string v;
  hll::make_empty(&v);
  CHECK(hll::looks_valid(v));
  CHECK(!hll::looks_valid(v.substr(0, 15)));
  std::string bad = v;
  bad[0] = 'h';
  CHECK(!hll::looks_valid(bad));
  bad = v;
  bad[4] = 2;
  CHECK(!hll::looks_valid(bad));
  bad = v;
  bad[4] = 0;  // claims dense with a sparse length
  CHECK(!hll::looks_valid(bad));
  REQUIRE(hll::to_dense(&v));
  CHECK(hll::looks_valid(v));
  CHECK(!hll::looks_valid(v + "x"));
  // A header alone is a (corrupt) sparse HLL: valid-looking, reported when read.
  std::string header = v.substr(0, 16);
  header[4] = 1;
  CHECK(hll::looks_valid(header));
  bool invalid = false;
  hll::count(header, &invalid);
  CHECK(invalid);
  CHECK(hll::register_at(header, 0) == -1);
  std::string h = header;
  CHECK(hll::add(&h, "a", kSparseMax) == -1);
  CHECK(!hll::to_dense(&h));
}

TEST_CASE("corrupted sparse bodies are reported, and nothing reads past them") {
  std::string base;
  hll::make_empty(&base);
  for (int i = 0; i < 200; i++)
    hll::add(&base, std::string("e").append(std::to_string(i)), kSparseMax);
  {
    std::string v = base + "hello";  // bytes past the last register (the Tcl suite's case)
    bool invalid = false;
    hll::count(v, &invalid);
    CHECK(invalid);
    std::vector<uint8_t> m(hll::kRegisters, 0);
    CHECK(!hll::merge_into(v, m.data()));
    CHECK(!hll::to_dense(&v));
  }
  {
    // Zero runs past the last register, then a VAL: corrupt everywhere (redis-server with the
    // CVE-2025-32023 fix stops at the first opcode that overruns, whatever its kind).
    std::string v;
    hll::make_empty(&v);
    v += std::string("\x80", 1);  // VAL 1x1 after all 16384 registers
    bool invalid = false;
    hll::count(v, &invalid);
    CHECK(invalid);
    std::vector<uint8_t> m(hll::kRegisters, 0);
    CHECK(!hll::merge_into(v, m.data()));
    CHECK(!hll::to_dense(&v));
  }
  {
    // Cut inside an XZERO: its missing second byte reads as 0, as in Redis.
    std::string v;
    hll::make_empty(&v);
    v.pop_back();
    bool invalid = false;
    hll::count(v, &invalid);
    CHECK(invalid);  // covers 16129 registers
    CHECK(hll::decode_sparse(v) == "Z:16129");
    CHECK(hll::register_at(v, 0) == 0);
    CHECK(hll::register_at(v, 16200) == -1);
  }
  // Random corruption: every function returns, whatever it finds.
  std::mt19937_64 rng(11);
  for (int round = 0; round < 3000; round++) {
    std::string v = base;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 4); k++)
      v[hll::kHeaderSize + rng() % (v.size() - hll::kHeaderSize)] = static_cast<char>(rng());
    if (rng() % 4 == 0) v.resize(hll::kHeaderSize + rng() % (v.size() - hll::kHeaderSize));
    bool invalid = false;
    hll::count(v, &invalid);
    std::vector<uint8_t> m(hll::kRegisters, 0);
    const bool merged = hll::merge_into(v, m.data());
    CHECK(merged == !invalid);
    hll::decode_sparse(v);
    for (int k = 0; k < 5; k++) {
      const int r = hll::add(&v, std::to_string(rng()), kSparseMax);
      CHECK(r >= -1);
      CHECK(r <= 1);
    }
    std::string d = v;
    hll::to_dense(&d);
  }
}

TEST_CASE("PFDEBUG DECODE's text") {
  std::string v;
  hll::make_empty(&v);
  hll::set_register(&v, 1000, 2, kSparseMax);
  hll::set_register(&v, 1020, 3, kSparseMax);
  hll::set_register(&v, 1021, 3, kSparseMax);
  // The example in Redis's own description of the format.
  CHECK(hll::decode_sparse(v) == "Z:1000 v:2,1 z:19 v:3,2 Z:15362");
}

TEST_CASE("the self test passes") {
  CHECK(hll::self_test(kSparseMax, 12345) == "");
}
