// Unit tests of storage::HashValue (storage/hash_value.h) and its two encodings: the packed pair
// array (insertion order, in-place updates, gaps closed on delete, length prefixes of every size),
// the conversion to the table exactly at hash-max-listpack-entries / -value (and never back), the
// chained table (lookups, updates, deletes, growth and shrinking), memory() following every change
// both ways, clone(), the HSCAN cursor (every field present for the whole scan is returned even
// when the table grows or shrinks between calls) and the random picks of HRANDFIELD.
#include <doctest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "storage/hash_value.h"

using namespace respite::storage;
using namespace std::string_view_literals;

namespace {

constexpr HashValue::Limits kDefault{128, 64};
constexpr HashValue::Limits kHuge{1u << 20, 1u << 20};

std::string field(int i) {
  return "field:" + std::to_string(i);
}

std::vector<std::pair<std::string, std::string>> pairs_of(const HashValue& h) {
  std::vector<std::pair<std::string, std::string>> out;
  h.for_each([&](const HashPair& p) { out.emplace_back(p.field, p.value); });
  return out;
}

std::string get(const HashValue& h, std::string_view f) {
  std::string_view v;
  REQUIRE(h.get(f, &v));
  return std::string(v);
}

// Every (field, value) a full scan from cursor 0 returns, calling between(cursor) after each step.
template <class Between>
std::multiset<std::string> scan_all(const HashValue& h, size_t count, Between between) {
  std::multiset<std::string> seen;
  uint64_t cursor = 0;
  int steps = 0;
  do {
    cursor = h.scan(cursor, count, [&](const HashPair& p) { seen.insert(std::string(p.field)); });
    between(cursor);
    REQUIRE(++steps < 1000000);
  } while (cursor != 0);
  return seen;
}

}  // namespace

TEST_CASE("packed: set, get, update in place, delete closing the gap, insertion order") {
  HashValue h;
  CHECK(h.packed());
  CHECK(h.encoding_name() == "listpack"sv);
  CHECK(h.length() == 0);
  CHECK(h.set("a", "1", kDefault));
  CHECK(h.set("b", "2", kDefault));
  CHECK(h.set("c", "3", kDefault));
  CHECK(h.length() == 3);
  CHECK(get(h, "b") == "2");
  CHECK_FALSE(h.contains("d"));

  // An update keeps the pair's position, whether the value grows, shrinks or stays the same size.
  CHECK_FALSE(h.set("b", "a much longer value", kDefault));
  CHECK(pairs_of(h) == decltype(pairs_of(h)){{"a", "1"}, {"b", "a much longer value"}, {"c", "3"}});
  CHECK_FALSE(h.set("b", "", kDefault));
  CHECK(pairs_of(h) == decltype(pairs_of(h)){{"a", "1"}, {"b", ""}, {"c", "3"}});
  CHECK_FALSE(h.set("a", "9", kDefault));
  CHECK(get(h, "a") == "9");

  CHECK(h.erase("b"));
  CHECK_FALSE(h.erase("b"));
  CHECK(pairs_of(h) == decltype(pairs_of(h)){{"a", "9"}, {"c", "3"}});
  CHECK(h.set("b", "again", kDefault));  // a re-added field goes to the end
  CHECK(pairs_of(h) == decltype(pairs_of(h)){{"a", "9"}, {"c", "3"}, {"b", "again"}});
  CHECK(h.erase("a"));
  CHECK(h.erase("c"));
  CHECK(h.erase("b"));
  CHECK(h.length() == 0);
  CHECK(h.packed());
}

TEST_CASE("packed: binary, empty and prefix-sharing fields are told apart") {
  HashValue h;
  const std::string bin("a\0b", 3), nul("\0", 1);
  CHECK(h.set("", "empty field", kDefault));
  CHECK(h.set(bin, "binary", kDefault));
  CHECK(h.set(nul, std::string("\r\n\0", 3), kDefault));
  CHECK(h.set("a", "", kDefault));
  CHECK(h.set("ab", "x", kDefault));
  CHECK(get(h, "") == "empty field");
  CHECK(get(h, bin) == "binary");
  CHECK(get(h, nul) == std::string("\r\n\0", 3));
  CHECK(get(h, "a") == "");
  CHECK(get(h, "ab") == "x");
  CHECK_FALSE(h.contains("a\0"sv));
  CHECK(h.length() == 5);
}

TEST_CASE("packed: length prefixes of one, two and three bytes round-trip") {
  HashValue h;
  std::map<std::string, std::string> want;
  for (size_t len : {0u, 1u, 127u, 128u, 129u, 16383u, 16384u, 70000u}) {
    std::string f(len, 'f'), v(len + 1, 'v');
    f += std::to_string(len);
    want[f] = v;
    CHECK(h.set(f, v, kHuge));
  }
  CHECK(h.packed());
  for (auto& [f, v] : want) CHECK(get(h, f) == v);
  // Updates across prefix sizes move the tail correctly.
  std::string f128 = std::string(128, 'f') + "128";
  CHECK_FALSE(h.set(f128, "short", kHuge));
  want[f128] = "short";
  std::string f0 = "0";
  CHECK_FALSE(h.set(f0, std::string(20000, 'z'), kHuge));
  want[f0] = std::string(20000, 'z');
  for (auto& [f, v] : want) CHECK(get(h, f) == v);
  CHECK(h.length() == want.size());
}

TEST_CASE("conversion exactly at hash-max-listpack-entries") {
  HashValue::Limits lim{4, 64};
  HashValue h;
  for (int i = 0; i < 4; i++) h.set(field(i), "v", lim);
  CHECK(h.packed());  // at the limit: still packed
  h.set(field(4), "v", lim);
  CHECK_FALSE(h.packed());  // one past it
  CHECK(h.encoding_name() == "hashtable"sv);
  CHECK(h.length() == 5);
  for (int i = 0; i < 5; i++) CHECK(get(h, field(i)) == "v");
  // Never back, even down to one field.
  for (int i = 0; i < 4; i++) CHECK(h.erase(field(i)));
  CHECK(h.length() == 1);
  CHECK_FALSE(h.packed());
}

TEST_CASE("conversion exactly at hash-max-listpack-value, by field or by value") {
  HashValue::Limits lim{128, 8};
  {
    HashValue h;
    h.set(std::string(8, 'f'), std::string(8, 'v'), lim);
    CHECK(h.packed());
    h.set("x", std::string(9, 'v'), lim);
    CHECK_FALSE(h.packed());
    CHECK(get(h, std::string(8, 'f')) == std::string(8, 'v'));
  }
  {
    HashValue h;
    h.set("a", "1", lim);
    h.set(std::string(9, 'f'), "1", lim);
    CHECK_FALSE(h.packed());
    CHECK(get(h, "a") == "1");
    CHECK(get(h, std::string(9, 'f')) == "1");
  }
  {
    HashValue h;  // an update with a long value converts too
    h.set("a", "1", lim);
    CHECK_FALSE(h.set("a", std::string(9, 'v'), lim));
    CHECK_FALSE(h.packed());
    CHECK(h.length() == 1);
  }
}

TEST_CASE("limits of zero: no entries converts on the first pair; no length allows empty ones") {
  HashValue a;
  a.set("", "", HashValue::Limits{0, 64});
  CHECK_FALSE(a.packed());
  HashValue b;
  b.set("", "", HashValue::Limits{128, 0});
  CHECK(b.packed());
  b.set("", "x", HashValue::Limits{128, 0});
  CHECK_FALSE(b.packed());
}

TEST_CASE("a lowered entries limit converts on the next write, even an update") {
  HashValue h;
  for (int i = 0; i < 3; i++) h.set(field(i), "v", kDefault);
  CHECK(h.packed());
  CHECK(h.erase(field(2)));  // a delete never converts
  CHECK(h.packed());
  CHECK_FALSE(h.set(field(0), "w", HashValue::Limits{1, 64}));
  CHECK_FALSE(h.packed());
  CHECK(get(h, field(0)) == "w");
  CHECK(get(h, field(1)) == "v");
}

TEST_CASE("table: many fields, updates of every size, deletes, growth and shrinking") {
  HashValue h;
  std::map<std::string, std::string> want;
  const int n = 20000;
  for (int i = 0; i < n; i++) {
    std::string v(static_cast<size_t>(i % 100), static_cast<char>('a' + i % 26));
    CHECK(h.set(field(i), v, kDefault) == true);
    want[field(i)] = v;
  }
  CHECK_FALSE(h.packed());
  CHECK(h.length() == static_cast<size_t>(n));
  for (int i = 0; i < n; i += 3) {
    std::string v = "updated:" + std::to_string(i * 7);
    CHECK_FALSE(h.set(field(i), v, kDefault));
    want[field(i)] = v;
  }
  for (int i = 1; i < n; i += 2) {
    CHECK(h.erase(field(i)));
    want.erase(field(i));
  }
  CHECK_FALSE(h.erase(field(1)));
  CHECK(h.length() == want.size());
  for (auto& [f, v] : want) CHECK(get(h, f) == v);
  CHECK_FALSE(h.contains(field(n + 1)));
  auto all = pairs_of(h);
  CHECK(std::map<std::string, std::string>(all.begin(), all.end()) == want);
  // Down to a handful: the table shrinks (memory drops) and still finds everything.
  size_t before = h.memory();
  for (int i = 0; i < n - 10; i += 2) h.erase(field(i));
  CHECK(h.length() == 5);
  CHECK(h.memory() < before / 100);
  for (int i = n - 10; i < n; i += 2) CHECK(h.contains(field(i)));
}

TEST_CASE("memory() follows every change, both ways, in both encodings") {
  HashValue h;
  size_t empty = h.memory();
  CHECK(empty >= sizeof(HashValue));
  h.set("f", "v", kDefault);
  size_t one = h.memory();
  CHECK(one > empty);
  h.set("f", std::string(60, 'v'), kDefault);
  CHECK(h.memory() > one);
  h.set("f", "v", kDefault);
  CHECK(h.memory() <= one + 64);  // capacity may keep a little slack, not the long value
  h.erase("f");
  CHECK(h.memory() == empty);  // an emptied buffer is freed

  // Table: each pair adds at least its bytes; deleting brings it back down.
  for (int i = 0; i < 200; i++) h.set(field(i), "value", kDefault);
  CHECK_FALSE(h.packed());
  size_t full = h.memory();
  CHECK(full > empty + 200 * (field(150).size() + 5));
  h.set(field(0), std::string(1000, 'x'), kDefault);
  CHECK(h.memory() == full + 996);  // a node is its bytes: 995 more, and a 2-byte length
  h.set(field(0), "value", kDefault);
  CHECK(h.memory() == full);
  CHECK_FALSE(h.set(field(0), "VALUE", kDefault));  // same length: rewritten in place
  CHECK(h.memory() == full);
  CHECK(get(h, field(0)) == "VALUE");
  for (int i = 0; i < 199; i++) h.erase(field(i));
  CHECK(h.memory() < full / 10);
}

TEST_CASE("clone() copies deeply in both encodings") {
  for (bool table : {false, true}) {
    CAPTURE(table);
    HashValue h;
    int n = table ? 300 : 10;
    for (int i = 0; i < n; i++) h.set(field(i), std::to_string(i), kDefault);
    CHECK(h.packed() != table);
    std::unique_ptr<HashValue> c(static_cast<HashValue*>(h.clone()));
    CHECK(c->packed() == h.packed());
    CHECK(c->length() == h.length());
    CHECK(c->memory() <= h.memory() + 64);
    if (!table) CHECK(pairs_of(*c) == pairs_of(h));  // packed order is kept
    h.set(field(0), "changed", kDefault);
    h.erase(field(1));
    CHECK(get(*c, field(0)) == "0");
    CHECK(get(*c, field(1)) == "1");
    c->set("only in clone", "x", kDefault);
    CHECK_FALSE(h.contains("only in clone"));
  }
}

TEST_CASE("scan: a packed hash comes whole with cursor 0, whatever the cursor and count") {
  HashValue h;
  for (int i = 0; i < 50; i++) h.set(field(i), "v", kDefault);
  for (uint64_t cursor : {0ull, 7ull, 123456789ull}) {
    size_t n = 0;
    CHECK(h.scan(cursor, 1, [&](const HashPair&) { n++; }) == 0);
    CHECK(n == 50);
  }
}

TEST_CASE("scan: a table returns every field once when nothing changes, a few per call") {
  HashValue h;
  const int n = 5000;
  for (int i = 0; i < n; i++) h.set(field(i), "v", kDefault);
  int calls = 0;
  auto seen = scan_all(h, 10, [&](uint64_t) { calls++; });
  CHECK(seen.size() == static_cast<size_t>(n));
  CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == static_cast<size_t>(n));
  CHECK(calls > n / 20);  // COUNT 10 = five pairs a call, give or take a chain
  CHECK(calls < n);
}

TEST_CASE("scan: fields present throughout are returned although the table grows meanwhile") {
  HashValue h;
  for (int i = 0; i < 300; i++) h.set(field(i), "v", kDefault);
  int next = 300;
  auto seen = scan_all(h, 10, [&](uint64_t) {
    for (int k = 0; k < 40; k++, next++) h.set(field(next), "v", kDefault);
  });
  CHECK(h.length() > 5000);
  for (int i = 0; i < 300; i++) CHECK(seen.count(field(i)) >= 1);
}

TEST_CASE("scan: fields present throughout are returned although the table shrinks meanwhile") {
  HashValue h;
  const int n = 8000;
  for (int i = 0; i < n; i++) h.set(field(i), "v", kDefault);
  int victim = 100;  // fields 0..99 stay; the rest go a batch at a time
  auto seen = scan_all(h, 20, [&](uint64_t) {
    for (int k = 0; k < 60 && victim < n; k++) h.erase(field(victim++));
  });
  for (int i = 0; i < 100; i++) CHECK(seen.count(field(i)) >= 1);
}

TEST_CASE("random picks: members only, distinct when asked, all reachable") {
  for (int n : {1, 7, 100, 1000}) {
    CAPTURE(n);
    HashValue h;
    for (int i = 0; i < n; i++) h.set(field(i), std::to_string(i), kDefault);
    Rng rng{42};
    std::set<std::string> hit;
    // Draw enough that even a field with a tenth of its fair share would be missed with
    // probability e^-10.
    for (int k = 0; k < 100 * n + 50; k++) {
      HashPair p = h.random_pair(rng);
      REQUIRE(get(h, p.field) == std::string(p.value));
      hit.insert(std::string(p.field));
    }
    CHECK(hit.size() == static_cast<size_t>(n));  // every field came up

    size_t got = 0;
    std::set<std::string> rep;
    h.random_pairs(3 * static_cast<uint64_t>(n), rng, [&](const HashPair& p) {
      REQUIRE(h.contains(p.field));
      rep.insert(std::string(p.field));
      got++;
    });
    CHECK(got == static_cast<size_t>(3 * n));
    if (n > 1) CHECK(rep.size() > 1);

    // Distinct picks through both strategies: a small share (draw and dedupe) and a large one
    // (shuffle everything).
    for (int count : {1, n / 4, n / 2, n - 1}) {
      if (count < 1 || count >= n) continue;
      std::vector<HashPair> out;
      h.random_distinct(static_cast<size_t>(count), rng, &out);
      REQUIRE(out.size() == static_cast<size_t>(count));
      std::set<std::string> uniq;
      for (const HashPair& p : out) {
        CHECK(get(h, p.field) == std::string(p.value));
        uniq.insert(std::string(p.field));
      }
      CHECK(uniq.size() == static_cast<size_t>(count));
    }
  }
}

// Pearson's chi-square statistic of how often each of n fields came up in draws picks.
static double chi_square(const std::map<std::string, int>& counts, int n, int draws) {
  double expected = static_cast<double>(draws) / n, x = 0;
  for (auto& [f, c] : counts) x += (c - expected) * (c - expected) / expected;
  return x + (n - static_cast<int>(counts.size())) * expected;  // fields never drawn
}

TEST_CASE("random picks from a table are uniform, whatever its chains") {
  // Redis's HRANDFIELD test: ten fields, count -1000, chi-square (9 degrees of freedom) under 40.
  // A pick of a bucket and then a node of its chain fails it for almost every table (a field
  // alone in its bucket comes up twice as often as two sharing one). Many tables (their seeds,
  // from their addresses, lay the chains out differently), a fixed random sequence each: the
  // bound is passed by a fair pick with probability 1 - 1e-5 per table.
  Rng rng{7};
  for (int t = 0; t < 20; t++) {
    PairTable table;
    for (int i = 0; i < 10; i++) table.insert_new(field(i), "v");
    for (int i = 0; i < 13; i++) table.insert_new(field(100 + i), "v");  // longer chains
    for (int i = 0; i < 13; i++) CHECK(table.erase(field(100 + i)));     // and back to ten
    REQUIRE(table.size() == 10);
    std::map<std::string, int> counts;
    constexpr int kDraws = 1000;
    for (int k = 0; k < kDraws; k++) counts[std::string(table.random_node(rng)->pair().field)]++;
    CHECK(chi_square(counts, 10, kDraws) < 40);
  }
}
