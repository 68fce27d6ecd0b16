// Unit tests of storage::ZSetValue and its two encodings (the packed "listpack" buffer and the
// order-statistic skiplist with its member index): creation and conversion exactly at Redis's
// thresholds, ZADD's flag semantics, the order (score, then member bytes), score and lex ranges as
// rank intervals, walks both ways, erasing rank ranges, memory() going up and down, clone(), the
// *STORE conversion back to listpack, and ZSCAN cursors across resizes. A randomised run against a
// std::set model checks every rank, score and walk of both encodings after each change.
#include <doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "storage/set_value.h"
#include "storage/zset_value.h"

using respite::storage::compare_members;
using respite::storage::ZItem;
using respite::storage::ZLexBound;
using respite::storage::ZLexRange;
using respite::storage::ZScoreRange;
using respite::storage::ZSetValue;
namespace zset = respite::storage::zset;

namespace {

constexpr ZSetValue::Limits kDefault{128, 64};
constexpr ZSetValue::Limits kHuge{1u << 20, 1u << 20};
using Result = ZSetValue::AddResult;
using Z = std::unique_ptr<ZSetValue>;

Z packed() {
  return Z(ZSetValue::create_packed());
}
Z skiplist() {
  return Z(ZSetValue::create_skiplist());
}

Result add(ZSetValue* z, double score, std::string_view m, int flags = 0,
           const ZSetValue::Limits& l = kDefault, double* out = nullptr) {
  double tmp;
  return z->add(score, m, flags, l, out ? out : &tmp);
}

std::vector<std::pair<std::string, double>> items(const ZSetValue& z, bool reverse = false) {
  std::vector<std::pair<std::string, double>> out;
  if (z.length() == 0) return out;
  z.walk(reverse ? z.length() - 1 : 0, reverse, [&](const ZItem& it) {
    out.emplace_back(std::string(it.member), it.score);
    return true;
  });
  return out;
}

std::vector<std::string> members(const ZSetValue& z) {
  std::vector<std::string> out;
  for (auto& [m, s] : items(z)) out.push_back(m);
  return out;
}

std::string numbered(int i, size_t len = 0) {
  std::string s = "m";
  s += std::to_string(i);
  if (len) s.resize(len, 'x');
  return s;
}

std::map<std::string, double> full_scan(const ZSetValue& z, size_t count = 10) {
  std::map<std::string, double> seen;
  uint64_t cursor = 0;
  do {
    cursor =
        z.scan(cursor, count, [&](const ZItem& it) { seen[std::string(it.member)] = it.score; });
  } while (cursor != 0);
  return seen;
}

ZLexBound lex(std::string_view s) {
  ZLexBound b;
  if (s == "-") {
    b.kind = ZLexBound::kMinusInf;
  } else if (s == "+") {
    b.kind = ZLexBound::kPlusInf;
  } else {
    b.kind = s[0] == '(' ? ZLexBound::kExclusive : ZLexBound::kInclusive;
    b.value = s.substr(1);
  }
  return b;
}

}  // namespace

TEST_CASE("a new sorted set is packed unless the limits rule it out (Redis 7.0's ZADD rule)") {
  CHECK(Z(ZSetValue::create(kDefault, 0))->packed());
  CHECK(Z(ZSetValue::create(kDefault, 64))->packed());
  CHECK_FALSE(Z(ZSetValue::create(kDefault, 65))->packed());
  CHECK_FALSE(Z(ZSetValue::create({0, 64}, 1))->packed());
  CHECK(Z(ZSetValue::create({1, 0}, 0))->packed());
  CHECK_FALSE(Z(ZSetValue::create({1, 0}, 1))->packed());
  CHECK(std::string(Z(ZSetValue::create(kDefault, 1))->encoding_name()) == "listpack");
  CHECK(std::string(Z(ZSetValue::create(kDefault, 100))->encoding_name()) == "skiplist");
}

TEST_CASE("conversion to skiplist happens exactly past zset-max-listpack-entries") {
  Z z = packed();
  for (int i = 0; i < 128; i++) CHECK(add(z.get(), i, numbered(i)) == Result::kAdded);
  CHECK(z->packed());
  CHECK(z->length() == 128);
  // Updating, or adding nothing new, never converts.
  CHECK(add(z.get(), 500, numbered(3)) == Result::kUpdated);
  CHECK(add(z.get(), 1, numbered(200), ZSetValue::kXX) == Result::kNop);
  CHECK(z->packed());
  auto before = items(*z);
  CHECK(add(z.get(), -1, "new") == Result::kAdded);
  CHECK_FALSE(z->packed());
  CHECK(z->length() == 129);
  auto after = items(*z);
  CHECK(after.front() == std::make_pair(std::string("new"), -1.0));
  after.erase(after.begin());
  CHECK(after == before);
  // Shrinking never converts back.
  for (int i = 0; i < 128; i++) z->remove(numbered(i));
  CHECK(z->length() == 1);
  CHECK_FALSE(z->packed());
}

TEST_CASE("conversion to skiplist happens exactly past zset-max-listpack-value") {
  Z z = packed();
  add(z.get(), 1, std::string(64, 'a'));
  CHECK(z->packed());
  add(z.get(), 2, std::string(65, 'b'));
  CHECK_FALSE(z->packed());
  double s;
  CHECK(z->score(std::string(64, 'a'), &s));
  CHECK(s == 1);
  CHECK(members(*z) == std::vector<std::string>{std::string(64, 'a'), std::string(65, 'b')});
  // A too-long member that is not added (XX) converts nothing.
  Z y = packed();
  add(y.get(), 1, "a");
  CHECK(add(y.get(), 1, std::string(70, 'c'), ZSetValue::kXX) == Result::kNop);
  CHECK(y->packed());
}

TEST_CASE("order: score, then member bytes unsigned, a proper prefix first") {
  for (bool pk : {true, false}) {
    Z z = pk ? packed() : skiplist();
    add(z.get(), 1, "b");
    add(z.get(), 1, "ab");
    add(z.get(), 1, "a");
    add(z.get(), 1, "");
    add(z.get(), 1, std::string("a\0", 2));
    add(z.get(), 1, "\xff");
    add(z.get(), 0.5, "zzz");
    add(z.get(), -INFINITY, "lowest");
    add(z.get(), INFINITY, "highest");
    std::vector<std::string> want = {"lowest", "zzz", "",     "a",      std::string("a\0", 2),
                                     "ab",     "b",   "\xff", "highest"};
    CHECK(members(*z) == want);
    auto rev = items(*z, true);
    std::reverse(rev.begin(), rev.end());
    CHECK(rev == items(*z));
    CHECK(compare_members("a", "ab") < 0);
    CHECK(compare_members("\x80", "a") > 0);
  }
}

TEST_CASE("ZADD flags: NX, XX, GT, LT, INCR and NaN") {
  for (bool pk : {true, false}) {
    Z z = pk ? packed() : skiplist();
    double out = 0;
    CHECK(add(z.get(), 5, "a", 0, kDefault, &out) == Result::kAdded);
    CHECK(out == 5);
    CHECK(add(z.get(), 5, "a") == Result::kUnchanged);
    CHECK(add(z.get(), 6, "a", ZSetValue::kNX) == Result::kNop);
    CHECK(add(z.get(), 6, "b", ZSetValue::kXX) == Result::kNop);
    CHECK(z->length() == 1);
    CHECK(add(z.get(), 4, "a", ZSetValue::kGT) == Result::kNop);
    CHECK(add(z.get(), 5, "a", ZSetValue::kGT) == Result::kNop);
    CHECK(add(z.get(), 7, "a", ZSetValue::kGT, kDefault, &out) == Result::kUpdated);
    CHECK(out == 7);
    CHECK(add(z.get(), 8, "a", ZSetValue::kLT) == Result::kNop);
    CHECK(add(z.get(), 3, "a", ZSetValue::kLT | ZSetValue::kXX) == Result::kUpdated);
    // GT/LT never stop a new member.
    CHECK(add(z.get(), 1, "new", ZSetValue::kGT) == Result::kAdded);
    CHECK(add(z.get(), 2.5, "a", ZSetValue::kIncr, kDefault, &out) == Result::kUpdated);
    CHECK(out == 5.5);
    CHECK(add(z.get(), -1, "a", ZSetValue::kIncr | ZSetValue::kGT) == Result::kNop);
    CHECK(add(z.get(), INFINITY, "a", ZSetValue::kIncr) == Result::kUpdated);
    CHECK(add(z.get(), -INFINITY, "a", ZSetValue::kIncr) == Result::kNaN);
    double s;
    CHECK(z->score("a", &s));
    CHECK(s == INFINITY);
    CHECK(add(z.get(), 0, "a", ZSetValue::kIncr) == Result::kUnchanged);
    CHECK(members(*z) == std::vector<std::string>{"new", "a"});
  }
}

TEST_CASE("-0 becomes 0 in the packed encoding (a listpack stores it as an integer) only") {
  Z p = packed(), s = skiplist();
  double out = 1;
  add(p.get(), -0.0, "a", 0, kDefault, &out);
  CHECK(std::signbit(out));  // the reply still shows what was computed
  add(s.get(), -0.0, "a");
  double v;
  CHECK(p->score("a", &v));
  CHECK_FALSE(std::signbit(v));
  CHECK(s->score("a", &v));
  CHECK(std::signbit(v));
  // 0 and -0 are equal scores: no update.
  CHECK(add(s.get(), 0.0, "a") == Result::kUnchanged);
  // Packed again (a *STORE result): the sign goes.
  s->convert_if_fits(kDefault);
  CHECK(s->packed());
  CHECK(s->score("a", &v));
  CHECK_FALSE(std::signbit(v));
}

TEST_CASE("ranks, access by rank and walks in both encodings, packed reverse past 256") {
  for (int enc = 0; enc < 2; enc++) {
    Z z = enc == 0 ? packed() : skiplist();
    const int n = 300;
    for (int i = 0; i < n; i++) add(z.get(), i / 3, numbered(i), 0, kHuge);
    CHECK(z->packed() == (enc == 0));
    CHECK(z->length() == size_t(n));
    for (int i : {0, 1, 2, 150, 255, 256, 257, 299}) {
      size_t r;
      CHECK(z->rank(numbered(i), &r));
      ZItem it = z->at(r);
      CHECK(it.member == numbered(i));
      CHECK(it.score == i / 3);
    }
    size_t r;
    CHECK_FALSE(z->rank("nope", &r));
    // A reverse walk from the top (the packed form notes 300 offsets: the heap path).
    auto fwd = items(*z), rev = items(*z, true);
    std::reverse(rev.begin(), rev.end());
    CHECK(fwd == rev);
    // Walks stop when told to.
    int seen = 0;
    z->walk(10, true, [&](const ZItem&) { return ++seen < 4; });
    CHECK(seen == 4);
    seen = 0;
    z->walk(size_t(n), false, [&](const ZItem&) { return ++seen > 0; });
    CHECK(seen == 0);
  }
}

TEST_CASE("score ranges become rank intervals, ends inclusive or exclusive") {
  for (bool pk : {true, false}) {
    Z z = pk ? packed() : skiplist();
    for (int i = 1; i <= 5; i++) add(z.get(), i, numbered(i));
    add(z.get(), 3, "m3b");
    ZScoreRange r{2, 4, false, false};
    CHECK(z->score_lower(r) == 1);
    CHECK(z->score_upper(r) == 5);
    CHECK(z->count_in(r) == 4);
    r = {2, 4, true, true};
    CHECK(z->count_in(r) == 2);
    r = {3, 3, false, false};
    CHECK(z->count_in(r) == 2);
    r = {3, 3, true, false};
    CHECK(zset::empty_range(r));
    CHECK(z->count_in(r) == 0);
    r = {5, 1, false, false};
    CHECK(z->count_in(r) == 0);
    r = {-INFINITY, INFINITY, false, false};
    CHECK(z->count_in(r) == 6);
    r = {10, INFINITY, false, false};
    CHECK(z->count_in(r) == 0);
  }
}

TEST_CASE("lex ranges over equal scores: first, last, run and count") {
  for (bool pk : {true, false}) {
    Z z = pk ? packed() : skiplist();
    for (const char* m : {"a", "b", "c", "d", "e"}) add(z.get(), 0, m);
    auto range = [](std::string_view a, std::string_view b) { return ZLexRange{lex(a), lex(b)}; };
    ZLexRange r = range("[b", "(e");
    CHECK(z->lex_first(r) == 1);
    CHECK(z->lex_last(r) == 3);
    CHECK(z->lex_run(r, 1, false) == 3);
    CHECK(z->lex_run(r, 3, true) == 3);
    CHECK(z->lex_count(r) == 3);
    CHECK(z->lex_count(range("-", "+")) == 5);
    CHECK(z->lex_count(range("(a", "[a")) == 0);
    CHECK(z->lex_count(range("[a", "[a")) == 1);
    CHECK(z->lex_count(range("+", "-")) == 0);
    CHECK(z->lex_count(range("-", "-")) == 0);
    CHECK(z->lex_first(range("(e", "+")) == ZSetValue::npos);
    CHECK(z->lex_last(range("-", "(a")) == ZSetValue::npos);
    CHECK(z->lex_count(range("[bb", "[cc")) == 1);
    CHECK(zset::empty_range(range("[b", "[a")));
    CHECK(zset::empty_range(range("[a", "(a")));
    CHECK_FALSE(zset::empty_range(range("-", "[a")));
  }
}

TEST_CASE("packed lex ranges walk like Redis's listpack even when scores differ") {
  // Scores out of lex order: Redis scans from the first element >= min and stops at the first
  // one past max; the packed form must do exactly that.
  Z z = packed();
  add(z.get(), 1, "c");
  add(z.get(), 2, "a");
  add(z.get(), 3, "d");
  ZLexRange r{lex("[b"), lex("+")};
  CHECK(z->lex_first(r) == 0);          // "c", the first member >= min
  CHECK(z->lex_run(r, 0, false) == 3);  // going up only max is checked: "a" is taken too
  CHECK(z->lex_count(r) == 3);
  CHECK(z->lex_last(r) == 2);          // "d"
  CHECK(z->lex_run(r, 2, true) == 1);  // going down "a" < min stops the walk
  ZLexRange up_to_c{lex("-"), lex("[c")};
  CHECK(z->lex_first(up_to_c) == 0);
  CHECK(z->lex_run(up_to_c, 0, false) == 2);  // "c", "a"; "d" > max
  CHECK(z->lex_last(up_to_c) == 1);           // the last member <= max is "a"
  CHECK(z->lex_run(up_to_c, 1, true) == 2);
  // Redis's early test: the first member must be <= max and the last >= min.
  CHECK(z->lex_first(ZLexRange{lex("-"), lex("[a")}) == ZSetValue::npos);
}

TEST_CASE("erase_ranks removes a contiguous slice") {
  for (bool pk : {true, false}) {
    Z z = pk ? packed() : skiplist();
    for (int i = 0; i < 10; i++) add(z.get(), i, numbered(i));
    z->erase_ranks(2, 3);
    CHECK(members(*z) == std::vector<std::string>{"m0", "m1", "m5", "m6", "m7", "m8", "m9"});
    z->erase_ranks(0, 1);
    z->erase_ranks(5, 1);
    CHECK(members(*z) == std::vector<std::string>{"m1", "m5", "m6", "m7", "m8"});
    z->erase_ranks(0, 0);
    CHECK(z->length() == 5);
    z->erase_ranks(0, 5);
    CHECK(z->length() == 0);
    double s;
    CHECK_FALSE(z->score("m5", &s));
  }
}

TEST_CASE("memory() rises with members and falls as they go, in both encodings") {
  for (bool pk : {true, false}) {
    Z z = pk ? packed() : skiplist();
    size_t empty = z->memory();
    std::vector<size_t> seen = {empty};
    for (int i = 0; i < 100; i++) {
      add(z.get(), i, numbered(i, 20), 0, kHuge);
      seen.push_back(z->memory());
    }
    CHECK(seen.back() > empty + 100 * 20);
    CHECK(std::is_sorted(seen.begin(), seen.end()));
    for (int i = 0; i < 100; i++) z->remove(numbered(i, 20));
    CHECK(z->memory() < seen.back());
    CHECK(z->memory() <= empty + 64 * sizeof(void*));  // a few buckets may stay
  }
  // The packed form is far leaner per member than the skiplist.
  Z p = packed(), s = skiplist();
  for (int i = 0; i < 100; i++) {
    add(p.get(), i, numbered(i));
    add(s.get(), i, numbered(i));
  }
  CHECK(p->memory() * 3 < s->memory());
  // A packed member costs its bytes, a one-byte length and its 8-byte score (plus slack).
  CHECK(p->memory() < sizeof(ZSetValue) + 100 * (1 + 4 + 8) * 3 / 2 + 64);
}

TEST_CASE("clone() is a deep, independent copy in the same encoding") {
  for (bool pk : {true, false}) {
    Z z = pk ? packed() : skiplist();
    for (int i = 0; i < 50; i++) add(z.get(), i % 7, numbered(i));
    Z c(static_cast<ZSetValue*>(z->clone()));
    CHECK(c->packed() == z->packed());
    CHECK(items(*c) == items(*z));
    add(c.get(), 100, "only-in-clone");
    z->remove("m1");
    double s;
    CHECK_FALSE(z->score("only-in-clone", &s));
    CHECK(c->score("m1", &s));
    CHECK(c->length() == 51);
    CHECK(z->length() == 49);
  }
}

TEST_CASE("*STORE results: from_sorted and convert_if_fits pack exactly what fits") {
  std::vector<std::string> keep;
  std::vector<ZItem> in;
  for (int i = 0; i < 128; i++) keep.push_back(numbered(i, 10));
  for (int i = 0; i < 128; i++) in.push_back({keep[i], double(i)});
  Z a(ZSetValue::from_sorted(in.data(), in.size(), kDefault));
  CHECK(a->packed());
  CHECK(a->length() == 128);
  CHECK(a->at(127).member == keep[127]);
  keep.push_back(numbered(999, 10));
  in.clear();
  for (int i = 0; i < 129; i++) in.push_back({keep[i], double(i)});
  Z b(ZSetValue::from_sorted(in.data(), in.size(), kDefault));
  CHECK_FALSE(b->packed());
  CHECK(items(*b).size() == 129);
  std::string long_member(65, 'l');
  ZItem one{long_member, 1};
  CHECK_FALSE(Z(ZSetValue::from_sorted(&one, 1, kDefault))->packed());
  CHECK(Z(ZSetValue::from_sorted(&one, 1, {128, 65}))->packed());
  CHECK_FALSE(Z(ZSetValue::from_sorted(&one, 1, {0, 100}))->packed());

  Z s = skiplist();
  for (int i = 0; i < 10; i++) add(s.get(), i, numbered(i));
  auto before = items(*s);
  s->convert_if_fits({9, 64});
  CHECK_FALSE(s->packed());
  s->convert_if_fits({10, 1});  // "m0".."m9" are two bytes long
  CHECK_FALSE(s->packed());
  s->convert_if_fits({10, 2});
  CHECK(s->packed());
  CHECK(items(*s) == before);
}

TEST_CASE("ZSCAN: a packed set comes whole; a skiplist cursor covers every member") {
  Z p = packed();
  for (int i = 0; i < 20; i++) add(p.get(), i, numbered(i));
  int calls = 0;
  CHECK(p->scan(0, 1, [&](const ZItem&) { calls++; }) == 0);
  CHECK(calls == 20);

  Z s = skiplist();
  for (int i = 0; i < 1000; i++) add(s.get(), i, numbered(i));
  auto seen = full_scan(*s, 10);
  CHECK(seen.size() == 1000);
  CHECK(seen["m500"] == 500);
  // Resizes between calls (growing, then shrinking) lose nothing that stayed in the set.
  std::set<std::string> got;
  uint64_t cursor = 0;
  int step = 0;
  do {
    cursor = s->scan(cursor, 5, [&](const ZItem& it) { got.emplace(it.member); });
    if (step == 3)
      for (int i = 1000; i < 5000; i++) add(s.get(), i, numbered(i));
    if (step == 40)
      for (int i = 1000; i < 4990; i++) s->remove(numbered(i));
    step++;
  } while (cursor != 0);
  for (int i = 0; i < 1000; i++) CHECK(got.count(numbered(i)) == 1);
}

TEST_CASE("randomised: both encodings agree with a std::set model after every change") {
  std::mt19937_64 rng(12345);
  for (int round = 0; round < 2; round++) {
    // Round 0 starts packed with small limits (so it converts midway); round 1 is a skiplist.
    ZSetValue::Limits lim{40, 64};
    Z z = round == 0 ? packed() : skiplist();
    std::map<std::string, double> scores;
    std::set<std::pair<double, std::string>> order;
    auto check_all = [&] {
      REQUIRE(z->length() == order.size());
      size_t r = 0;
      auto it = order.begin();
      bool ok = true;
      z->walk(0, false, [&](const ZItem& x) {
        ok = ok && x.member == it->second && x.score == it->first;
        ++it;
        ++r;
        return true;
      });
      CHECK(ok);
      CHECK(r == order.size());
    };
    for (int step = 0; step < 4000; step++) {
      int op = static_cast<int>(rng() % 10);
      std::string m = numbered(static_cast<int>(rng() % 120));
      double score = static_cast<double>(static_cast<int>(rng() % 21) - 10) / 2;
      if (op < 5) {
        auto found = scores.find(m);
        Result res = add(z.get(), score, m, 0, lim);
        if (found == scores.end()) {
          CHECK(res == Result::kAdded);
        } else {
          CHECK(res == (found->second == score ? Result::kUnchanged : Result::kUpdated));
          order.erase({found->second, m});
        }
        scores[m] = score;
        order.insert({score, m});
      } else if (op < 7) {
        bool had = scores.erase(m) > 0;
        if (had) {
          for (auto it = order.begin(); it != order.end(); ++it)
            if (it->second == m) {
              order.erase(it);
              break;
            }
        }
        CHECK(z->remove(m) == had);
      } else if (op == 7 && !order.empty()) {
        size_t from = rng() % order.size(), count = rng() % 4;
        if (from + count > order.size()) count = order.size() - from;
        z->erase_ranks(from, count);
        auto it = std::next(order.begin(), static_cast<long>(from));
        for (size_t i = 0; i < count; i++) {
          scores.erase(it->second);
          it = order.erase(it);
        }
      } else if (op == 8) {
        ZScoreRange r{score, score + 2, rng() % 2 == 0, rng() % 2 == 0};
        size_t want = 0;
        for (auto& [s, mm] : order) want += zset::gte_min(s, r) && zset::lte_max(s, r);
        CHECK(z->count_in(r) == want);
      } else {
        size_t r;
        auto found = scores.find(m);
        CHECK(z->rank(m, &r) == (found != scores.end()));
        if (found != scores.end()) {
          CHECK(std::distance(order.begin(), order.find({found->second, m})) == long(r));
          CHECK(z->at(r).member == m);
        }
      }
      if (step % 50 == 0) check_all();
    }
    check_all();
    if (round == 0) CHECK_FALSE(z->packed());
    auto scanned = full_scan(*z, 7);
    CHECK(scanned == std::map<std::string, double>(scores.begin(), scores.end()));
  }
}

TEST_CASE("combine: union, inter and diff, weights, aggregates, NaN rules, plain-set inputs") {
  using respite::storage::SetValue;
  namespace zs = respite::storage::zset;
  Z a = packed(), b = packed(), c = skiplist();
  add(a.get(), 1, "x");
  add(a.get(), 2, "y");
  add(a.get(), 3, "z");
  add(b.get(), 10, "y");
  add(b.get(), 20, "z");
  add(b.get(), 30, "w");
  add(c.get(), INFINITY, "z");
  std::unique_ptr<SetValue> ints(SetValue::make_for("5"));
  ints->add("5", 512);
  ints->add("z", 512);  // no longer an intset
  std::unique_ptr<SetValue> intset(SetValue::make_for("7"));
  intset->add("7", 512);
  intset->add("8", 512);
  auto result = [](const zs::Combined& r) {
    std::vector<std::pair<std::string, double>> out;
    for (const ZItem& it : r.items) out.emplace_back(std::string(it.member), it.score);
    return out;
  };
  using V = std::vector<std::pair<std::string, double>>;
  {
    std::vector<zs::Source> src = {{a.get(), nullptr, 1}, {b.get(), nullptr, 2}};
    zs::Combined r;
    zs::combine(src, zs::SetOp::kUnion, zs::Aggregate::kSum, false, 0, &r);
    CHECK(result(r) == V{{"x", 1}, {"y", 22}, {"z", 43}, {"w", 60}});
  }
  {
    std::vector<zs::Source> src = {{a.get(), nullptr, 1}, {b.get(), nullptr, 1}};
    zs::Combined r;
    zs::combine(src, zs::SetOp::kInter, zs::Aggregate::kMax, false, 0, &r);
    CHECK(result(r) == V{{"y", 10}, {"z", 20}});
    zs::Combined n;
    zs::combine(src, zs::SetOp::kInter, zs::Aggregate::kMin, true, 1, &n);
    CHECK(n.cardinality == 1);
    CHECK(n.items.empty());
  }
  {
    // inf * 0 is NaN: counted as 0; inf + -inf as well.
    Z d = packed();
    add(d.get(), -INFINITY, "z");
    std::vector<zs::Source> src = {{c.get(), nullptr, 0}};
    zs::Combined r;
    zs::combine(src, zs::SetOp::kUnion, zs::Aggregate::kSum, false, 0, &r);
    CHECK(result(r) == V{{"z", 0}});
    std::vector<zs::Source> src2 = {{c.get(), nullptr, 1}, {d.get(), nullptr, 1}};
    zs::Combined r2;
    zs::combine(src2, zs::SetOp::kInter, zs::Aggregate::kSum, false, 0, &r2);
    CHECK(result(r2) == V{{"z", 0}});
  }
  {
    // Plain sets count with score 1; an intset's members are kept by copy.
    std::vector<zs::Source> src = {{nullptr, intset.get(), 1}, {nullptr, ints.get(), 3}, {}};
    zs::Combined r;
    zs::combine(src, zs::SetOp::kUnion, zs::Aggregate::kSum, false, 0, &r);
    CHECK(result(r) == V{{"7", 1}, {"8", 1}, {"5", 3}, {"z", 3}});
    CHECK(r.kept.size() == 4);
    std::vector<zs::Source> diff = {{a.get(), nullptr, 1}, {nullptr, ints.get(), 1}};
    zs::Combined d;
    zs::combine(diff, zs::SetOp::kDiff, zs::Aggregate::kSum, false, 0, &d);
    CHECK(result(d) == V{{"x", 1}, {"y", 2}});
    // A missing first input: nothing to intersect or subtract from.
    std::vector<zs::Source> none = {{}, {a.get(), nullptr, 1}};
    zs::Combined e;
    zs::combine(none, zs::SetOp::kDiff, zs::Aggregate::kSum, false, 0, &e);
    CHECK(e.items.empty());
  }
  {
    // The smallest input is summed first, stably among equals (Redis's qsort is a merge sort):
    // 1e16 + 1 + 1 rounds to 1e16, (1 + 1) + 1e16 is exact.
    Z big = packed(), one = packed(), two = packed();
    add(big.get(), 1e16, "m");
    add(one.get(), 1, "m");
    add(two.get(), 1, "m");
    add(two.get(), 5, "other");
    std::vector<zs::Source> src = {
        {two.get(), nullptr, 1}, {one.get(), nullptr, 1}, {big.get(), nullptr, 1}};
    zs::Combined r;
    zs::combine(src, zs::SetOp::kUnion, zs::Aggregate::kSum, false, 0, &r);
    CHECK(r.items[0].member == "other");
    // one and big (size 1, in their given order), then two: (1 + 1e16) + 1 rounds to 1e16.
    CHECK(r.items[1].score == 1e16);
    std::vector<zs::Source> src2 = {
        {one.get(), nullptr, 1}, {one.get(), nullptr, 1}, {big.get(), nullptr, 1}};
    zs::Combined r2;
    zs::combine(src2, zs::SetOp::kUnion, zs::Aggregate::kSum, false, 0, &r2);
    CHECK(r2.items[0].score == 1e16 + 2);
  }
}
