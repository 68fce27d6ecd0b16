// Unit tests of storage::SetValue and its hashtable, storage::MemberTable: both encodings, the
// conversions exactly at Redis's thresholds, intset widths, memory() going up and down, clone(),
// iteration, random picks and SSCAN cursors across resizes. A randomised run against
// std::unordered_set checks the table's backward-shift deletion and arena compaction.
#include <doctest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "storage/set_table.h"
#include "storage/set_value.h"

using respite::storage::MemberBuf;
using respite::storage::MemberTable;
using respite::storage::Rng;
using respite::storage::SetValue;

namespace {

constexpr size_t kLimit = 512;  // set-max-intset-entries' default

std::vector<std::string> members(const SetValue& s) {
  std::vector<std::string> out;
  s.for_each([&](std::string_view m) { out.emplace_back(m); });
  return out;
}

std::set<std::string> member_set(const SetValue& s) {
  auto v = members(s);
  return {v.begin(), v.end()};
}

std::set<std::string> full_scan(const SetValue& s) {
  std::set<std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = s.scan(cursor, [&](std::string_view m) { seen.emplace(m); });
  } while (cursor != 0);
  return seen;
}

std::string long_member(int i, size_t len) {
  std::string s(1, 'm');  // (built by appending: GCC 12 warns falsely on "m" + std::string)
  s += std::to_string(i);
  s += ':';
  s.resize(len, static_cast<char>('a' + i % 26));
  return s;
}

}  // namespace

TEST_CASE("a new set is an intset exactly when its first member is canonical int64 text") {
  for (const char* m : {"0", "12", "-1", "9223372036854775807", "-9223372036854775808"}) {
    std::unique_ptr<SetValue> s(SetValue::make_for(m));
    CHECK(s->is_intset());
    CHECK(std::string(s->encoding_name()) == "intset");
  }
  for (const char* m : {"012", "+1", " 1", "1 ", "-0", "", "1.0", "9223372036854775808",
                        "-9223372036854775809", "abc", "0x10"}) {
    std::unique_ptr<SetValue> s(SetValue::make_for(m));
    CHECK_FALSE(s->is_intset());
    CHECK(std::string(s->encoding_name()) == "hashtable");
  }
}

TEST_CASE("intset: sorted, deduplicated, binary-search membership") {
  SetValue s(true);
  for (int v : {5, -3, 100, 5, 0, -3, 42}) s.add(std::to_string(v), kLimit);
  CHECK(s.is_intset());
  CHECK(s.length() == 5);
  CHECK(members(s) == std::vector<std::string>{"-3", "0", "5", "42", "100"});
  CHECK(s.contains("42"));
  CHECK(s.contains_int(-3));
  CHECK_FALSE(s.contains("43"));
  CHECK_FALSE(s.contains("042"));  // not canonical: cannot be a member of an intset
  CHECK_FALSE(s.contains("abc"));
  CHECK_FALSE(s.add("5", kLimit));
  CHECK_FALSE(s.add_int(100, kLimit));
  CHECK(s.remove("0"));
  CHECK_FALSE(s.remove("0"));
  CHECK_FALSE(s.remove("+5"));
  CHECK_FALSE(s.remove("99999999999"));  // wider than anything stored: cannot be there
  CHECK(members(s) == std::vector<std::string>{"-3", "5", "42", "100"});
  CHECK(s.int_at(0) == -3);
  CHECK(s.int_at(3) == 100);
}

TEST_CASE("intset: widens to 32 and 64 bits, keeping order, and memory grows") {
  SetValue s(true);
  for (int v = 0; v < 8; v++) s.add_int(v, kLimit);
  size_t narrow = s.memory();
  s.add_int(40000, kLimit);  // past int16
  size_t mid = s.memory();
  CHECK(mid > narrow);
  s.add_int(-5000000000LL, kLimit);  // past int32, at the front
  CHECK(s.memory() > mid);
  s.add_int(INT64_MAX, kLimit);
  s.add_int(INT64_MIN, kLimit);
  CHECK(s.is_intset());
  auto m = members(s);
  CHECK(m.front() == "-9223372036854775808");
  CHECK(m[1] == "-5000000000");
  CHECK(m[2] == "0");
  CHECK(m.back() == "9223372036854775807");
  CHECK(m[m.size() - 2] == "40000");
  CHECK(s.contains_int(7));
  CHECK(s.contains("-5000000000"));
  CHECK(s.length() == 12);
  // Removing the wide values does not narrow it back (Redis never downgrades either).
  CHECK(s.remove("9223372036854775807"));
  CHECK(s.remove("-9223372036854775808"));
  CHECK(s.contains_int(40000));
}

TEST_CASE("intset converts to hashtable one past set-max-intset-entries, never back") {
  SetValue s(true);
  for (int v = 1; v <= 4; v++) s.add_int(v, 4);
  CHECK(s.is_intset());
  CHECK_FALSE(s.add_int(4, 4));  // a duplicate at the limit changes nothing
  CHECK(s.is_intset());
  CHECK(s.add("5", 4));
  CHECK_FALSE(s.is_intset());
  CHECK(s.length() == 5);
  for (int v = 1; v <= 5; v++) CHECK(s.contains(std::to_string(v)));
  for (int v = 1; v <= 4; v++) CHECK(s.remove(std::to_string(v)));
  CHECK_FALSE(s.is_intset());
  CHECK(members(s) == std::vector<std::string>{"5"});
}

TEST_CASE("a limit of 0 converts on the first member; a huge limit is capped") {
  SetValue s(true);
  CHECK(s.add_int(1, 0));
  CHECK_FALSE(s.is_intset());
  CHECK(s.contains("1"));
  SetValue big(true);
  for (int v = 0; v < 2000; v++) big.add_int(v, SIZE_MAX);
  CHECK(big.is_intset());
}

TEST_CASE("a non-integer member converts an intset, keeping every member") {
  SetValue s(true);
  for (int v = -50; v < 50; v++) s.add_int(v * 1000, kLimit);
  size_t before = s.memory();
  CHECK(s.add("x", kLimit));
  CHECK_FALSE(s.is_intset());
  CHECK(s.length() == 101);
  CHECK(s.memory() > before);
  for (int v = -50; v < 50; v++) CHECK(s.contains_int(v * 1000));
  CHECK(s.contains("x"));
  CHECK_FALSE(s.add("-50000", kLimit));
  CHECK(s.add("007", kLimit));  // in a hashtable, non-canonical integer text is just bytes
  CHECK(s.contains("007"));
  CHECK_FALSE(s.contains("7"));
}

TEST_CASE("hashtable: binary, empty and long members; memory follows the contents") {
  SetValue s(false);
  size_t empty_mem = s.memory();
  std::vector<std::string> ms = {
      "", std::string("a\0b", 3), "\r\n", std::string(200, 'q'), std::string(20000, 'z'), "12"};
  for (const auto& m : ms) CHECK(s.add(m, kLimit));
  for (const auto& m : ms) CHECK_FALSE(s.add(m, kLimit));
  CHECK(s.length() == ms.size());
  CHECK(s.memory() > empty_mem + 20000);
  for (const auto& m : ms) CHECK(s.contains(m));
  CHECK_FALSE(s.contains(std::string("a\0c", 3)));
  CHECK_FALSE(s.contains(std::string(201, 'q')));
  CHECK(member_set(s) == std::set<std::string>(ms.begin(), ms.end()));

  for (int i = 0; i < 5000; i++) s.add(long_member(i, 40), kLimit);
  size_t full = s.memory();
  CHECK(s.length() == ms.size() + 5000);
  for (int i = 0; i < 5000; i++) CHECK(s.remove(long_member(i, 40)));
  CHECK(s.length() == ms.size());
  CHECK(s.memory() < full / 4);  // slots shrank and the arena was compacted
  for (const auto& m : ms) CHECK(s.contains(m));
}

TEST_CASE("clone() is a deep copy in both encodings") {
  SetValue ints(true);
  for (int v = 0; v < 100; v++) ints.add_int(v * 7, kLimit);
  std::unique_ptr<SetValue> ic(static_cast<SetValue*>(ints.clone()));
  CHECK(ic->is_intset());
  CHECK(members(*ic) == members(ints));
  ic->add_int(1, kLimit);
  CHECK_FALSE(ints.contains_int(1));

  SetValue tab(false);
  for (int i = 0; i < 3000; i++) tab.add(long_member(i, 10 + i % 50), kLimit);
  for (int i = 0; i < 3000; i += 3) tab.remove(long_member(i, 10 + i % 50));  // leave holes
  std::unique_ptr<SetValue> tc(static_cast<SetValue*>(tab.clone()));
  CHECK_FALSE(tc->is_intset());
  CHECK(tc->length() == tab.length());
  CHECK(member_set(*tc) == member_set(tab));
  CHECK(tc->memory() <= tab.memory());  // the copy sheds the arena's garbage
  tc->remove(long_member(1, 11));
  CHECK(tab.contains(long_member(1, 11)));
}

TEST_CASE("swap exchanges encodings and contents") {
  SetValue a(true), b(false);
  a.add_int(1, kLimit);
  b.add("x", kLimit);
  b.add("y", kLimit);
  size_t am = a.memory(), bm = b.memory();
  a.swap(b);
  CHECK_FALSE(a.is_intset());
  CHECK(b.is_intset());
  CHECK(a.length() == 2);
  CHECK(b.contains_int(1));
  CHECK(a.memory() == bm);
  CHECK(b.memory() == am);
}

TEST_CASE("random picks reach every member; samples are distinct") {
  Rng rng{12345};
  for (bool intset : {true, false}) {
    SetValue s(intset);
    for (int v = 0; v < 20; v++) s.add_int(v, kLimit);
    REQUIRE(s.is_intset() == intset);
    std::map<std::string, int> hits;
    MemberBuf buf;
    for (int i = 0; i < 4000; i++) hits[std::string(s.at(s.random_position(rng), &buf))]++;
    CHECK(hits.size() == 20);
    for (auto& [m, n] : hits) CHECK(n > 100);          // 200 expected each
    for (size_t count : {1u, 3u, 6u, 7u, 15u, 19u}) {  // both sampling strategies
      auto picks = s.sample_positions(count, rng);
      CHECK(picks.size() == count);
      std::set<std::string> distinct;
      for (size_t p : picks) {
        CHECK(s.occupied(p));
        distinct.emplace(s.at(p, &buf));
      }
      CHECK(distinct.size() == count);
    }
  }
}

TEST_CASE("random picks stay uniform after most of a table was removed") {
  SetValue s(false);
  for (int i = 0; i < 10000; i++) s.add(long_member(i, 12), kLimit);
  for (int i = 0; i < 9990; i++) s.remove(long_member(i, 12));
  CHECK(s.position_count() <= 64);  // shrunk with the contents
  Rng rng{7};
  MemberBuf buf;
  std::set<std::string> seen;
  for (int i = 0; i < 1000; i++) seen.emplace(s.at(s.random_position(rng), &buf));
  CHECK(seen.size() == 10);
}

TEST_CASE("SSCAN: an intset answers everything with cursor 0") {
  SetValue s(true);
  for (int v = 0; v < 30; v++) s.add_int(v, kLimit);
  std::vector<std::string> got;
  CHECK(s.scan(12345, [&](std::string_view m) { got.emplace_back(m); }) == 0);
  CHECK(got.size() == 30);
}

TEST_CASE("SSCAN: members present throughout are returned despite growth between calls") {
  SetValue s(false);
  std::set<std::string> original;
  for (int i = 0; i < 100; i++) {
    s.add(long_member(i, 8), kLimit);
    original.insert(long_member(i, 8));
  }
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int calls = 0, added = 100;
  do {
    for (int b = 0; b < 8; b++) {  // a few buckets per call, as SSCAN's COUNT does
      cursor = s.scan(cursor, [&](std::string_view m) { seen.emplace(m); });
      if (cursor == 0) break;
    }
    // Grow the table several times over (to 2^15 slots) while the scan runs.
    for (int k = 0; k < 400 && added < 20000; k++) s.add(long_member(added++, 8), kLimit);
    calls++;
  } while (cursor != 0);
  CHECK(calls > 1);
  CHECK(added == 20000);  // the growth really happened during the scan
  for (const auto& m : original) CHECK(seen.count(m) == 1);
}

TEST_CASE("SSCAN: members present throughout are returned despite shrinking between calls") {
  SetValue s(false);
  for (int i = 0; i < 4000; i++) s.add(long_member(i, 8), kLimit);
  std::set<std::string> keep;
  for (int i = 0; i < 4000; i += 50) keep.insert(long_member(i, 8));
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int next_removal = 0;
  do {
    for (int b = 0; b < 8; b++) {  // a few buckets per call, as SSCAN's COUNT does
      cursor = s.scan(cursor, [&](std::string_view m) { seen.emplace(m); });
      if (cursor == 0) break;
    }
    for (int k = 0; k < 200 && next_removal < 4000; k++, next_removal++) {
      if (next_removal % 50) s.remove(long_member(next_removal, 8));
    }
  } while (cursor != 0);
  CHECK(s.length() == keep.size());
  for (const auto& m : keep) CHECK(seen.count(m) == 1);
}

TEST_CASE("SSCAN: a full scan of an unchanged table returns each member exactly once") {
  SetValue s(false);
  for (int i = 0; i < 777; i++) s.add(long_member(i, 5 + i % 9), kLimit);
  std::vector<std::string> got;
  uint64_t cursor = 0;
  do {
    cursor = s.scan(cursor, [&](std::string_view m) { got.emplace_back(m); });
  } while (cursor != 0);
  CHECK(got.size() == 777);
  CHECK(std::set<std::string>(got.begin(), got.end()) == member_set(s));
  CHECK(full_scan(s).size() == 777);
}

TEST_CASE("MemberTable against std::unordered_set: random inserts and erases") {
  MemberTable t;
  std::unordered_set<std::string> ref;
  Rng rng{99};
  // A small key space makes collisions between inserts and erases frequent; varied lengths
  // cross the 1-, 2- and 3-byte length prefixes.
  auto member = [&](uint64_t r) {
    size_t i = r % 3000;
    size_t len = i % 7 == 0 ? 130 + i % 5 : (i % 97 == 0 ? 17000 : i % 23);
    std::string m = std::to_string(i) + "/";
    m.resize(std::max(len, m.size()), 'p');
    return m;
  };
  size_t peak = 0;
  for (int step = 0; step < 200000; step++) {
    std::string m = member(rng.next());
    // Phases: mostly inserts, then mostly erases, so the table grows and shrinks repeatedly.
    bool grow = (step / 20000) % 2 == 0;
    if (rng.below(100) < (grow ? 70u : 30u)) {
      CHECK(t.insert(m) == ref.insert(m).second);
    } else {
      CHECK(t.erase(m) == (ref.erase(m) == 1));
    }
    CHECK(t.size() == ref.size());
    peak = std::max(peak, t.memory());
    if (step % 10000 == 0) {
      size_t n = 0;
      bool all_known = true;
      t.for_each([&](std::string_view x) {
        n++;
        all_known = all_known && ref.count(std::string(x)) == 1;
      });
      CHECK(n == ref.size());
      CHECK(all_known);
      for (const auto& x : ref) CHECK(t.contains(x));
    }
  }
  while (!ref.empty()) {
    CHECK(t.erase(*ref.begin()));
    ref.erase(ref.begin());
  }
  CHECK(t.size() == 0);
  CHECK(t.memory() < peak);
}
