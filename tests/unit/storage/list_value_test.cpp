// Tests of storage::ListValue (storage/list_value.h): the packed element format at its varint
// boundaries, pushes and pops at both ends, node splitting exactly at every list-max-listpack-size
// form (byte caps, element counts, the 8 KiB safety cap, an element larger than a node), index
// access from either end, LSET/LINSERT splitting a full node, LREM in both directions, trimming,
// iterators, clone(), memory() rising and falling back, and a long seeded random run against a
// std::deque model with every invariant checked after each step.
#include <doctest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "storage/list_value.h"

using respite::storage::ListValue;
namespace listpack = respite::storage::listpack;
using Limits = ListValue::Limits;

namespace {

std::vector<std::string> contents(const ListValue& l) {
  std::vector<std::string> out;
  l.visit(0, l.length(), false, [&](std::string_view v) { out.emplace_back(v); });
  return out;
}

std::vector<std::string> contents_reversed(const ListValue& l) {
  std::vector<std::string> out;
  if (l.length())
    l.visit(l.length() - 1, l.length(), true, [&](std::string_view v) { out.emplace_back(v); });
  return out;
}

std::vector<std::string> as_vector(const std::deque<std::string>& d) {
  return {d.begin(), d.end()};
}

void check_ok(const ListValue& l, const Limits* lim = nullptr) {
  std::string why = l.check(lim);
  INFO(why);
  CHECK(why.empty());
}

}  // namespace

TEST_CASE("listpack format: round trip at the varint boundaries, both directions") {
  for (size_t n : {size_t(0), size_t(1), size_t(127), size_t(128), size_t(16383), size_t(16384),
                   size_t(100000)}) {
    std::string v(n, 'x');
    for (size_t i = 0; i < n; i++) v[i] = static_cast<char>(i * 7);
    std::string buf(listpack::entry_size(n) + 3, '\0');
    char* end = listpack::write(buf.data() + 1, v);
    CHECK(static_cast<size_t>(end - buf.data() - 1) == listpack::entry_size(n));
    std::string_view got;
    CHECK(listpack::read_next(buf.data() + 1, &got) == end);
    CHECK(got == v);
    CHECK(listpack::read_prev(end, &got) == buf.data() + 1);
    CHECK(got == v);
  }
  CHECK(listpack::entry_size(127) == 129);
  CHECK(listpack::entry_size(128) == 132);
}

TEST_CASE("empty list: quicklist, nothing held beyond the object") {
  ListValue l;
  CHECK(std::string(l.encoding_name()) == "quicklist");
  CHECK(l.length() == 0);
  CHECK(l.memory() == sizeof(ListValue));
  CHECK(l.node_count() == 0);
  std::string_view v;
  auto it = l.iter(0, false);
  CHECK_FALSE(it.next(&v));
  check_ok(l);
}

TEST_CASE("push and pop at both ends, binary and empty elements") {
  Limits lim = Limits::from_fill(-2);
  ListValue l;
  std::string bin("a\0b\r\n", 5);
  l.push_back("b", lim);
  l.push_front("a", lim);
  l.push_back(bin, lim);
  l.push_front("", lim);
  CHECK(contents(l) == std::vector<std::string>{"", "a", "b", bin});
  CHECK(contents_reversed(l) == std::vector<std::string>{bin, "b", "a", ""});
  CHECK(l.front() == "");
  CHECK(l.back() == bin);
  l.pop_back();
  CHECK(l.back() == "b");
  l.pop_front();
  CHECK(l.front() == "a");
  CHECK(l.length() == 2);
  l.pop_front();
  l.pop_front();
  CHECK(l.length() == 0);
  CHECK(l.node_count() == 0);
  CHECK(l.memory() == sizeof(ListValue));
  check_ok(l);
}

TEST_CASE("node size limits from list-max-listpack-size") {
  CHECK(Limits::from_fill(-1).max_bytes == 4096);
  CHECK(Limits::from_fill(-2).max_bytes == 8192);
  CHECK(Limits::from_fill(-3).max_bytes == 16384);
  CHECK(Limits::from_fill(-4).max_bytes == 32768);
  CHECK(Limits::from_fill(-5).max_bytes == 65536);
  CHECK(Limits::from_fill(-100).max_bytes == 65536);  // clamped as Redis does
  CHECK(Limits::from_fill(0).max_count == 1);
  CHECK(Limits::from_fill(1).max_count == 1);
  CHECK(Limits::from_fill(128).max_count == 128);
  CHECK(Limits::from_fill(128).max_bytes == ListValue::kSafetyBytes);
  CHECK(Limits::from_fill(1000000).max_count == 32768);
}

TEST_CASE("byte-capped nodes split exactly at the cap, at either end") {
  Limits lim = Limits::from_fill(-1);  // 4096 bytes
  std::string v(100, 'v');             // 102 bytes packed: 40 fit (4080), 41 do not (4182)
  SUBCASE("push_back") {
    ListValue l;
    for (int i = 0; i < 40; i++) l.push_back(v, lim);
    CHECK(l.node_counts() == std::vector<size_t>{40});
    l.push_back(v, lim);
    CHECK(l.node_counts() == std::vector<size_t>{40, 1});
    for (int i = 0; i < 40; i++) l.push_back(v, lim);
    CHECK(l.node_counts() == std::vector<size_t>{40, 40, 1});
    check_ok(l, &lim);
  }
  SUBCASE("push_front") {
    ListValue l;
    for (int i = 0; i < 40; i++) l.push_front(v, lim);
    CHECK(l.node_counts() == std::vector<size_t>{40});
    l.push_front(v, lim);
    CHECK(l.node_counts() == std::vector<size_t>{1, 40});
    check_ok(l, &lim);
  }
  SUBCASE("an element exactly filling a node, and one larger than a node") {
    Limits lim2 = Limits::from_fill(-2);  // 8192
    ListValue l;
    std::string exact(8188, 'e');  // 8188 + 2 + 2 = 8192
    CHECK(listpack::entry_size(exact.size()) == 8192);
    l.push_back(exact, lim2);
    l.push_back("x", lim2);
    CHECK(l.node_counts() == std::vector<size_t>{1, 1});
    std::string big(20000, 'b');
    l.push_back(big, lim2);
    l.push_back("y", lim2);
    l.push_front("z", lim2);
    CHECK(l.node_counts() == std::vector<size_t>{1, 1, 1, 1, 1});
    CHECK(l.at(3) == big);
    CHECK(contents(l) == std::vector<std::string>{"z", exact, "x", big, "y"});
    check_ok(l, &lim2);
  }
}

TEST_CASE("count-capped nodes: n elements per node, and the 8 KiB safety cap") {
  SUBCASE("fill 3") {
    Limits lim = Limits::from_fill(3);
    ListValue l;
    for (int i = 0; i < 7; i++) l.push_back(std::to_string(i), lim);
    CHECK(l.node_counts() == std::vector<size_t>{3, 3, 1});
    for (int i = 0; i < 3; i++) l.push_front("f", lim);
    CHECK(l.node_counts() == std::vector<size_t>{3, 3, 3, 1});
    check_ok(l, &lim);
  }
  SUBCASE("fill 0 and 1: one element per node") {
    for (int fill : {0, 1}) {
      Limits lim = Limits::from_fill(fill);
      ListValue l;
      for (int i = 0; i < 4; i++) l.push_back("x", lim);
      CHECK(l.node_counts() == std::vector<size_t>{1, 1, 1, 1});
      check_ok(l, &lim);
    }
  }
  SUBCASE("a count that the byte safety cap overrides") {
    Limits lim = Limits::from_fill(5000);
    ListValue l;
    for (int i = 0; i < 4097; i++) l.push_back("", lim);  // 2 bytes each: 4096 per 8 KiB
    CHECK(l.node_counts() == std::vector<size_t>{4096, 1});
    check_ok(l, &lim);
  }
}

TEST_CASE("index access from both ends over several nodes") {
  Limits lim = Limits::from_fill(4);
  ListValue l;
  for (int i = 0; i < 23; i++) l.push_back(std::to_string(i), lim);
  for (int i = 0; i < 23; i++) CHECK(l.at(static_cast<size_t>(i)) == std::to_string(i));
  for (size_t first : {size_t(0), size_t(3), size_t(4), size_t(11), size_t(22)}) {
    std::vector<std::string> fwd, rev;
    l.visit(first, 5, false, [&](std::string_view v) { fwd.emplace_back(v); });
    l.visit(first, 5, true, [&](std::string_view v) { rev.emplace_back(v); });
    for (size_t k = 0; k < fwd.size(); k++) CHECK(fwd[k] == std::to_string(first + k));
    CHECK(fwd.size() == std::min<size_t>(5, 23 - first));
    for (size_t k = 0; k < rev.size(); k++) CHECK(rev[k] == std::to_string(first - k));
    CHECK(rev.size() == std::min<size_t>(5, first + 1));
  }
  auto it = l.iter(23, false);
  std::string_view v;
  CHECK_FALSE(it.next(&v));
}

TEST_CASE("set: in place, larger, smaller, and splitting a full node") {
  Limits lim = Limits::from_fill(-1);
  ListValue l;
  std::deque<std::string> model;
  for (int i = 0; i < 40; i++) {
    std::string v(100, static_cast<char>('a' + i % 26));
    l.push_back(v, lim);
    model.push_back(v);
  }
  REQUIRE(l.node_count() == 1);
  l.set(5, std::string(100, 'Z'), lim);  // same size
  model[5] = std::string(100, 'Z');
  l.set(6, "s", lim);  // smaller
  model[6] = std::string(1, 's');
  CHECK(contents(l) == as_vector(model));
  l.set(20, std::string(1000, 'L'), lim);  // no longer fits: the node splits around it
  model[20] = std::string(1000, 'L');
  CHECK(contents(l) == as_vector(model));
  CHECK(l.node_count() > 1);
  check_ok(l, &lim);
  l.set(0, std::string(5000, 'H'), lim);  // larger than a node
  model[0] = std::string(5000, 'H');
  l.set(l.length() - 1, std::string(5000, 'T'), lim);
  model.back() = std::string(5000, 'T');
  CHECK(contents(l) == as_vector(model));
  check_ok(l, &lim);
}

TEST_CASE("insert before and after a pivot, splitting a full node in the middle") {
  Limits lim = Limits::from_fill(-1);
  ListValue l;
  std::deque<std::string> model;
  for (int i = 0; i < 40; i++) {
    std::string v = std::to_string(i);
    v.resize(100, '.');  // 102 bytes packed: the 40 fill the 4 KiB node
    l.push_back(v, lim);
    model.push_back(v);
  }
  CHECK_FALSE(l.insert("missing", "x", false, lim));
  std::string pivot = model[17];
  CHECK(l.insert(pivot, "before17", false, lim));
  model.insert(model.begin() + 17, "before17");
  CHECK(l.insert(pivot, "after17", true, lim));
  model.insert(model.begin() + 19, "after17");
  CHECK(contents(l) == as_vector(model));
  CHECK(l.node_count() >= 2);
  check_ok(l, &lim);
  // At the ends of a full node: the neighbour takes it, or a node of its own.
  CHECK(l.insert(model.front(), "head", false, lim));
  model.push_front("head");
  CHECK(l.insert(model.back(), "tail", true, lim));
  model.push_back("tail");
  CHECK(contents(l) == as_vector(model));
  check_ok(l, &lim);
}

TEST_CASE("remove (LREM) from the head, from the tail, all") {
  Limits lim = Limits::from_fill(3);
  auto build = [&](ListValue& l) {
    for (const char* s : {"a", "b", "a", "a", "c", "a", "b", "a", "a", "a", "d"})
      l.push_back(s, lim);
  };
  SUBCASE("first two") {
    ListValue l;
    build(l);
    CHECK(l.remove("a", 2) == 2);
    CHECK(contents(l) == std::vector<std::string>{"b", "a", "c", "a", "b", "a", "a", "a", "d"});
    check_ok(l, &lim);
  }
  SUBCASE("last four, emptying a node") {
    ListValue l;
    build(l);
    CHECK(l.remove("a", -4) == 4);
    CHECK(contents(l) == std::vector<std::string>{"a", "b", "a", "a", "c", "b", "d"});
    check_ok(l, &lim);
  }
  SUBCASE("all, and INT64_MIN means all from the tail") {
    ListValue l, m;
    build(l);
    build(m);
    CHECK(l.remove("a", 0) == 7);
    CHECK(m.remove("a", INT64_MIN) == 7);
    CHECK(contents(l) == std::vector<std::string>{"b", "c", "b", "d"});
    CHECK(contents(m) == contents(l));
    CHECK(l.remove("zz", 0) == 0);
    check_ok(l, &lim);
    check_ok(m, &lim);
  }
  SUBCASE("everything") {
    ListValue l;
    for (int i = 0; i < 10; i++) l.push_back("x", lim);
    CHECK(l.remove("x", 0) == 10);
    CHECK(l.length() == 0);
    CHECK(l.memory() == sizeof(ListValue));
  }
}

TEST_CASE("remove_front / remove_back (LTRIM) across nodes") {
  Limits lim = Limits::from_fill(4);
  ListValue l;
  for (int i = 0; i < 30; i++) l.push_back(std::to_string(i), lim);
  l.remove_front(9);  // two whole nodes and one element of the third
  l.remove_back(6);
  CHECK(l.length() == 15);
  CHECK(l.front() == "9");
  CHECK(l.back() == "23");
  check_ok(l, &lim);
  l.remove_front(15);
  CHECK(l.length() == 0);
  CHECK(l.memory() == sizeof(ListValue));
}

TEST_CASE("memory: grows with elements, shrinks back when they go") {
  Limits lim = Limits::from_fill(-2);
  ListValue l;
  size_t base = l.memory();
  std::string v(50, 'm');
  size_t last = base;
  for (int i = 0; i < 5000; i++) {
    l.push_back(v, lim);
    CHECK(l.memory() >= last);
    last = l.memory();
  }
  size_t full = l.memory();
  // Packed at 52 bytes per element, nodes nearly full: the overhead stays small.
  CHECK(full < 5000 * 52 * 12 / 10);
  CHECK(full > 5000 * 52);
  while (l.length() > 1) l.pop_front();
  // One element left: its node has been shrunk, not kept at 8 KiB.
  CHECK(l.memory() < base + sizeof(respite::storage::ListNode) + 256);
  check_ok(l);
  l.pop_back();
  CHECK(l.memory() == base);
}

TEST_CASE("clone: same elements, compact, independent") {
  Limits lim = Limits::from_fill(-1);
  ListValue l;
  for (int i = 0; i < 300; i++) l.push_front(std::to_string(i) + std::string(30, 'c'), lim);
  std::unique_ptr<ListValue> c(static_cast<ListValue*>(l.clone()));
  CHECK(contents(*c) == contents(l));
  CHECK(c->length() == l.length());
  CHECK(c->memory() <= l.memory());
  check_ok(*c, &lim);
  c->pop_front();
  c->push_back("new", lim);
  CHECK(l.length() == 300);
  CHECK(l.back() != "new");
  check_ok(l, &lim);
}

TEST_CASE("seeded random operations agree with a deque model") {
  for (int fill : {-1, -2, 1, 2, 5, 128}) {
    for (uint64_t seed = 1; seed <= 3; seed++) {
      CAPTURE(fill);
      CAPTURE(seed);
      Limits lim = Limits::from_fill(fill);
      std::mt19937_64 rng(seed * 1000 + static_cast<uint64_t>(fill + 100));
      auto rnd = [&](size_t n) { return static_cast<size_t>(rng() % n); };
      std::vector<std::string> pool = {"",
                                       "a",
                                       "b",
                                       "12345",
                                       std::string(127, 'p'),
                                       std::string(128, 'q'),
                                       std::string(300, 'r'),
                                       std::string(5000, 's'),
                                       std::string("\0\xff", 2)};
      ListValue l;
      std::deque<std::string> m;
      for (int step = 0; step < 4000; step++) {
        const std::string& v = pool[rnd(pool.size())];
        switch (rnd(12)) {
          case 0:
          case 1:
            l.push_front(v, lim);
            m.push_front(v);
            break;
          case 2:
          case 3:
            l.push_back(v, lim);
            m.push_back(v);
            break;
          case 4:
            if (!m.empty()) {
              CHECK(l.front() == m.front());
              l.pop_front();
              m.pop_front();
            }
            break;
          case 5:
            if (!m.empty()) {
              CHECK(l.back() == m.back());
              l.pop_back();
              m.pop_back();
            }
            break;
          case 6:
            if (!m.empty()) {
              size_t i = rnd(m.size());
              CHECK(l.at(i) == m[i]);
              l.set(i, v, lim);
              m[i] = v;
            }
            break;
          case 7: {
            const std::string& pivot = pool[rnd(pool.size())];
            bool after = rnd(2);
            auto it = std::find(m.begin(), m.end(), pivot);
            CHECK(l.insert(pivot, v, after, lim) == (it != m.end()));
            if (it != m.end()) m.insert(after ? it + 1 : it, v);
            break;
          }
          case 8: {
            int64_t count = static_cast<int64_t>(rnd(5)) - 2;
            size_t limit = count == 0 ? SIZE_MAX : static_cast<size_t>(count < 0 ? -count : count);
            size_t removed = 0;
            if (count >= 0) {
              for (auto it = m.begin(); it != m.end() && removed < limit;) {
                if (*it == v) {
                  it = m.erase(it);
                  removed++;
                } else {
                  ++it;
                }
              }
            } else {
              for (size_t i = m.size(); i > 0 && removed < limit; i--) {
                if (m[i - 1] == v) {
                  m.erase(m.begin() + static_cast<std::ptrdiff_t>(i - 1));
                  removed++;
                }
              }
            }
            CHECK(l.remove(v, count) == removed);
            break;
          }
          case 9:
            if (!m.empty() && rnd(4) == 0) {
              size_t k = rnd(m.size() / 3 + 1);
              l.remove_front(k);
              m.erase(m.begin(), m.begin() + static_cast<std::ptrdiff_t>(k));
              k = rnd(m.size() / 3 + 1);
              l.remove_back(k);
              m.erase(m.end() - static_cast<std::ptrdiff_t>(k), m.end());
            }
            break;
          default:
            if (!m.empty()) {
              size_t first = rnd(m.size()), n = rnd(20);
              bool reverse = rnd(2);
              std::vector<std::string> got, want;
              l.visit(first, n, reverse, [&](std::string_view x) { got.emplace_back(x); });
              for (size_t k = 0; k < n; k++) {
                if (reverse ? k > first : first + k >= m.size()) break;
                want.push_back(m[reverse ? first - k : first + k]);
              }
              CHECK(got == want);
            }
            break;
        }
        REQUIRE(l.length() == m.size());
        std::string why = l.check(&lim);
        if (!why.empty()) {
          INFO("step " << step << ": " << why);
          REQUIRE(why.empty());
        }
      }
      CHECK(contents(l) == as_vector(m));
      CHECK(contents_reversed(l) == std::vector<std::string>(m.rbegin(), m.rend()));
    }
  }
}
