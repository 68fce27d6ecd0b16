// Unit tests of storage::StreamValue (storage/stream_value.h): ID parsing with Redis's quirks,
// ID generation (`*`, `ms-*`, explicit), appends across node boundaries with and without shared
// field names, forward and reverse ranges checked against a plain std::map model under random
// appends, deletions and trims (exact and approximate, MAXLEN and MINID, with LIMIT), the
// recorded first ID and max deleted ID, memory() moving both ways, clone(), and consumer groups:
// delivery, re-delivery to another consumer, acknowledgement, deleting a consumer, lag.
#include <doctest.h>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "storage/stream_value.h"

using namespace respite::storage;

namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;
using Model = std::map<StreamID, Fields>;

void add(StreamValue& s, StreamID id, const Fields& f, const StreamValue::Limits& lim = {}) {
  std::vector<std::string_view> kv;
  for (const auto& [k, v] : f) {
    kv.push_back(k);
    kv.push_back(v);
  }
  s.append(id, kv.data(), kv.size(), lim);
}

Model contents(const StreamValue& s, StreamID from = StreamID::min(),
               StreamID to = StreamID::max()) {
  Model m;
  s.range(from, to, 0, false, [&](const StreamEntry& e) {
    Fields f;
    e.for_each([&](std::string_view k, std::string_view v) { f.emplace_back(k, v); });
    m.emplace(e.id, f);
    return true;
  });
  return m;
}

std::vector<StreamID> ids_of(const StreamValue& s, StreamID from, StreamID to, size_t count,
                             bool rev) {
  std::vector<StreamID> out;
  s.range(from, to, count, rev, [&](const StreamEntry& e) {
    out.push_back(e.id);
    return true;
  });
  return out;
}

}  // namespace

TEST_CASE("stream IDs parse as Redis parses them") {
  StreamID id;
  bool seq_given;
  CHECK(parse_stream_id("5-3", &id, 0, true));
  CHECK(id == StreamID{5, 3});
  CHECK(parse_stream_id("7", &id, 9, true));
  CHECK(id == StreamID{7, 9});
  CHECK_FALSE(parse_stream_id("-", &id, 0, true));
  CHECK(parse_stream_id("-", &id, 0, false));
  CHECK(id == StreamID::min());
  CHECK(parse_stream_id("+", &id, 0, false));
  CHECK(id == StreamID::max());
  CHECK(parse_stream_id("5-*", &id, 0, true, &seq_given));
  CHECK_FALSE(seq_given);
  CHECK_FALSE(parse_stream_id("5-*", &id, 0, true));  // `*` only where XADD allows it
  CHECK(parse_stream_id("18446744073709551615-18446744073709551615", &id, 0, true));
  CHECK(id == StreamID::max());
  CHECK_FALSE(parse_stream_id("18446744073709551616", &id, 0, true));
  CHECK_FALSE(parse_stream_id("abc", &id, 0, true));
  CHECK_FALSE(parse_stream_id("1-2-3", &id, 0, true));
  CHECK_FALSE(parse_stream_id("", &id, 0, true));
  CHECK_FALSE(parse_stream_id(std::string(200, '1'), &id, 0, true));
  // strtoull's leniency, which Redis inherits: a leading '+' or blank.
  CHECK(parse_stream_id("+5-1", &id, 0, true));
  CHECK(id == StreamID{5, 1});
  StreamID x{1, UINT64_MAX};
  CHECK(x.incr());
  CHECK(x == StreamID{2, 0});
  StreamID m = StreamID::max();
  CHECK_FALSE(m.incr());
  StreamID z;
  CHECK_FALSE(z.decr());
  char buf[StreamID::kMaxText];
  CHECK(std::string(buf, StreamID::max().format(buf)) ==
        "18446744073709551615-18446744073709551615");
}

TEST_CASE("next_id follows Redis's rules") {
  StreamValue s;
  StreamID id;
  CHECK(s.next_id(nullptr, true, 1000, &id));
  CHECK(id == StreamID{1000, 0});
  add(s, id, {{"a", "1"}});
  CHECK(s.next_id(nullptr, true, 999, &id));  // the clock went back: the sequence moves on
  CHECK(id == StreamID{1000, 1});
  StreamID use{1000, 0};
  CHECK(s.next_id(&use, false, 0, &id));  // 1000-*
  CHECK(id == StreamID{1000, 1});
  use = {2000, 0};
  CHECK(s.next_id(&use, false, 0, &id));
  CHECK(id == StreamID{2000, 0});
  use = {1000, 0};
  CHECK_FALSE(s.next_id(&use, true, 0, &id));  // not above the last ID
  s.set_last_id({5, UINT64_MAX});
  use = {5, 0};
  CHECK_FALSE(s.next_id(&use, false, 0, &id));  // 5-* cannot go past 5-max
}

TEST_CASE("appends, ranges and shared field names across nodes") {
  StreamValue s;
  StreamValue::Limits lim{4096, 10};
  Model m;
  for (uint64_t i = 1; i <= 95; i++) {
    Fields f = i % 7 == 0 ? Fields{{"other", std::to_string(i)}}
                          : Fields{{"name", std::string("n").append(std::to_string(i))},
                                   {"v", std::to_string(i)}};
    add(s, {i, i % 3}, f, lim);
    m[{i, i % 3}] = f;
  }
  CHECK(s.entries() == 95);
  CHECK(s.nodes() == 10);
  CHECK(contents(s) == m);
  CHECK(ids_of(s, {10, 0}, {20, 0}, 0, false).size() == 10);  // 10-1 .. 19-1 (20-2 > 20-0)
  auto rev = ids_of(s, StreamID::min(), StreamID::max(), 5, true);
  REQUIRE(rev.size() == 5);
  CHECK(rev[0] == StreamID{95, 95 % 3});
  CHECK(rev[4] == StreamID{91, 91 % 3});
  CHECK(ids_of(s, {50, 0}, {40, 0}, 0, false).empty());
  StreamID first, last;
  CHECK(s.first_live(&first));
  CHECK(s.last_live(&last));
  CHECK(first == StreamID{1, 1});
  CHECK(last == StreamID{95, 95 % 3});
}

TEST_CASE("deletes, trims and ranges agree with a model") {
  std::mt19937_64 rng(12345);
  for (int round = 0; round < 20; round++) {
    StreamValue s;
    StreamValue::Limits lim{round % 2 ? size_t{64} : size_t{4096}, 1 + round % 7};
    Model m;
    uint64_t ms = 1;
    for (int op = 0; op < 400; op++) {
      int what = static_cast<int>(rng() % 10);
      if (what < 6) {
        ms += rng() % 3;
        StreamID id{ms, rng() % 4};
        if (id <= s.last_id()) id = {s.last_id().ms, s.last_id().seq + 1};
        Fields f{{"f", std::to_string(op)}};
        if (rng() % 4 == 0) f.emplace_back("g", std::string(rng() % 40, 'x'));
        add(s, id, f, lim);
        m[id] = f;
      } else if (what < 8 && !m.empty()) {
        auto it = std::next(m.begin(), static_cast<long>(rng() % m.size()));
        StreamID id = it->first;
        CHECK(s.erase(id));
        CHECK_FALSE(s.erase(id));
        m.erase(it);
      } else if (what == 8) {
        StreamValue::Trim t;
        t.strategy = StreamValue::Trim::kMaxLen;
        t.maxlen = rng() % 50;
        t.approx = rng() % 2;
        t.limit = t.approx ? static_cast<int64_t>(rng() % 30) : 0;
        size_t before = m.size();
        int64_t n = s.trim(t);
        for (int64_t i = 0; i < n; i++) m.erase(m.begin());
        CHECK(s.entries() == before - static_cast<size_t>(n));
        if (!t.approx) CHECK(s.entries() <= std::max<uint64_t>(t.maxlen, 0) + 0);
      } else {
        StreamValue::Trim t;
        t.strategy = StreamValue::Trim::kMinId;
        t.minid = {ms > 20 ? ms - rng() % 20 : 0, 0};
        t.approx = rng() % 2;
        int64_t n = s.trim(t);
        for (int64_t i = 0; i < n; i++) m.erase(m.begin());
        if (!t.approx && !m.empty()) CHECK(m.begin()->first >= t.minid);
      }
      REQUIRE(s.entries() == m.size());
      StreamID first;
      if (m.empty()) {
        CHECK(s.first_id() == StreamID::min());
        CHECK_FALSE(s.first_live(&first));
      } else {
        CHECK(s.first_id() == m.begin()->first);
      }
    }
    CHECK(contents(s) == m);
    // Reverse ranges are forward ranges reversed, with COUNT cutting from the top.
    std::vector<StreamID> fwd = ids_of(s, StreamID::min(), StreamID::max(), 0, false);
    std::vector<StreamID> back = ids_of(s, StreamID::min(), StreamID::max(), 0, true);
    std::reverse(back.begin(), back.end());
    CHECK(fwd == back);
    for (const auto& [id, f] : m) CHECK(s.contains(id));
  }
}

TEST_CASE("exact MAXLEN trims inside a node; approximate only whole nodes") {
  StreamValue::Limits lim{0, 10};
  StreamValue s;
  for (uint64_t i = 1; i <= 35; i++) add(s, {i, 0}, {{"f", "v"}}, lim);
  StreamValue::Trim t;
  t.strategy = StreamValue::Trim::kMaxLen;
  t.maxlen = 22;
  t.approx = true;
  CHECK(s.trim(t) == 10);  // one whole node; a second would leave fewer than 22
  CHECK(s.entries() == 25);
  t.approx = false;
  CHECK(s.trim(t) == 3);
  CHECK(s.entries() == 22);
  CHECK(s.first_id() == StreamID{14, 0});
  // LIMIT stops before a node that would exceed it.
  t.strategy = StreamValue::Trim::kMinId;
  t.minid = {40, 0};
  t.approx = true;
  t.limit = 15;
  CHECK(s.trim(t) == 7);  // the rest of the second node; the next (10) would pass 15
}

TEST_CASE("XDEL bookkeeping: max deleted ID, first ID, empty nodes go") {
  StreamValue s;
  StreamValue::Limits lim{0, 2};
  for (uint64_t i = 1; i <= 4; i++) add(s, {i, 0}, {{"f", "v"}}, lim);
  size_t mem = s.memory();
  CHECK(s.erase({1, 0}));
  CHECK(s.first_id() == StreamID{2, 0});
  CHECK(s.max_deleted_id() == StreamID{1, 0});
  CHECK(s.erase({2, 0}));  // the first node is empty now: it goes
  CHECK(s.nodes() == 1);
  CHECK(s.memory() < mem);
  CHECK(s.erase({4, 0}));
  CHECK(s.max_deleted_id() == StreamID{4, 0});
  CHECK(s.last_id() == StreamID{4, 0});  // the last ID stays
  StreamID top;
  CHECK(s.last_live(&top));
  CHECK(top == StreamID{3, 0});  // the last appended entry is gone: found by a walk
  s.set_max_deleted({1, 0});     // XSETID MAXDELETEDID cannot make it look alive again
  CHECK(s.last_live(&top));
  CHECK(top == StreamID{3, 0});
  CHECK(s.erase({3, 0}));
  CHECK(s.entries() == 0);
  CHECK_FALSE(s.last_live(&top));
  CHECK(s.length() == 1);  // an empty stream is not an empty collection
  CHECK(s.first_id() == StreamID::min());
}

TEST_CASE("consumer groups: delivery, claims, acks, lag") {
  StreamValue s;
  for (uint64_t i = 1; i <= 5; i++) add(s, {i, 0}, {{"f", "v"}});
  StreamGroup* g = s.create_group("g", StreamID::min(), 0);
  REQUIRE(g);
  CHECK(s.create_group("g", StreamID::min(), 0) == nullptr);
  int64_t lag;
  CHECK(s.lag(*g, &lag));
  CHECK(lag == 5);
  StreamConsumer* alice = s.create_consumer(*g, "alice", 100);
  StreamConsumer* bob = s.create_consumer(*g, "bob", 100);
  CHECK(s.create_consumer(*g, "bob", 100) == nullptr);
  size_t mem = s.memory();
  for (uint64_t i = 1; i <= 3; i++) {
    s.advance_group(*g, {i, 0});
    s.deliver(*g, *alice, {i, 0}, 200);
  }
  CHECK(s.memory() > mem);
  CHECK(g->entries_read == 3);
  CHECK(s.lag(*g, &lag));
  CHECK(lag == 2);
  CHECK(g->pel.size() == 3);
  CHECK(alice->pel.size() == 3);
  // Delivered again to bob (a group moved back by SETID): the NACK changes owner.
  s.deliver(*g, *bob, {2, 0}, 300);
  CHECK(alice->pel.size() == 2);
  CHECK(bob->pel.count({2, 0}) == 1);
  CHECK(g->pel.at({2, 0}).consumer == bob);
  CHECK(s.ack(*g, {1, 0}));
  CHECK_FALSE(s.ack(*g, {1, 0}));
  CHECK(alice->pel.size() == 1);
  // XCLAIM-style move and FORCE.
  s.move_nack(*g, g->pel.find({3, 0}), *bob);
  CHECK(alice->pel.empty());
  CHECK(bob->pel.size() == 2);
  auto it = s.force_nack(*g, {5, 0});
  CHECK(it->second.consumer == nullptr);
  s.move_nack(*g, it, *alice);
  CHECK(alice->pel.size() == 1);
  // Clone keeps groups, with owners pointing into the copy.
  std::unique_ptr<StreamValue> copy(static_cast<StreamValue*>(s.clone()));
  StreamGroup* cg = copy->group("g");
  REQUIRE(cg);
  CHECK(cg->pel.size() == g->pel.size());
  CHECK(cg->pel.at({5, 0}).consumer == copy->consumer(*cg, "alice"));
  CHECK(copy->memory() >= s.memory() - 64);
  // Deleting a consumer drops its pending entries.
  CHECK(s.delete_consumer(*g, "bob") == 2);
  CHECK(g->pel.size() == 1);
  CHECK(s.destroy_group("g"));
  CHECK_FALSE(s.destroy_group("g"));
  // A tombstone after the group's position makes entries-read unknowable.
  StreamGroup* h = s.create_group("h", StreamID::min(), StreamValue::kInvalid);
  CHECK(s.erase({4, 0}));
  CHECK_FALSE(s.lag(*h, &lag));
}
