// Unit tests of hash-field TTLs (HEXPIRE and friends) in storage::HashValue (hash_value.h) and of
// the active expiry sweep that reclaims them (Keyspace::active_expire): TTLs set, read, replaced,
// persisted; HSET clearing a TTL and HINCRBY-style writes keeping it; erase and expire_fields
// removing fields with their TTLs in both encodings and across the conversion; memory() growing
// with TTLs and back to the exact plain size once they are gone; clone() copying them; and the
// sweep deleting due fields, then the key with its last field, in shards that hold no key TTL.
#include <doctest.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/hash_value.h"
#include "storage/key_events.h"
#include "tests/unit/storage/storage_test_util.h"

using namespace respite::storage;
using respite::storage::testing::Worker;

namespace {

constexpr HashValue::Limits kDefault{128, 64};

std::string field(int i) {
  return "field:" + std::to_string(i);
}

// Records what the sweep reports.
struct Events final : KeyEvents {
  void expired(int, std::string_view key) override {
    keys.emplace_back("expired " + std::string(key));
  }
  void evicted(int, std::string_view) override {}
  void fields_expired(int, std::string_view key, bool deleted) override {
    keys.emplace_back((deleted ? "emptied " : "hexpired ") + std::string(key));
  }
  std::vector<std::string> keys;
};

}  // namespace

TEST_CASE("a plain hash costs what it did before field TTLs existed") {
  CHECK(sizeof(HashValue) == 48);
  HashValue h;
  h.set("a", "1", kDefault);
  size_t plain = h.memory();
  CHECK_FALSE(h.has_field_ttls());
  CHECK(h.subexpire_ms() == -1);
  CHECK(std::string(h.encoding_name()) == "listpack");
  h.set_field_expire("a", 5000);
  CHECK(std::string(h.encoding_name()) == "listpackex");  // Redis 7.4's name for it
  CHECK(h.memory() > plain);
  CHECK(h.persist_field("a"));
  CHECK(h.memory() == plain);  // the side table is freed with its last TTL
  CHECK_FALSE(h.has_field_ttls());
  CHECK_FALSE(h.persist_field("a"));
}

TEST_CASE("field TTLs: set, read, replace, and the lower bound the sweep reads") {
  for (bool table : {false, true}) {
    CAPTURE(table);
    HashValue h;
    HashValue::Limits limits = table ? HashValue::Limits{1, 64} : kDefault;
    for (int i = 0; i < 10; i++) h.set(field(i), "v", limits);
    CHECK(h.packed() == !table);
    h.set_field_expire(field(1), 3000);
    h.set_field_expire(field(2), 2000);
    CHECK(h.field_expire(field(1)) == 3000);
    CHECK(h.field_expire(field(2)) == 2000);
    CHECK(h.field_expire(field(3)) == -1);
    CHECK(h.subexpire_ms() == 2000);
    h.set_field_expire(field(2), 4000);  // a later time: the bound stays low until a sweep
    CHECK(h.field_expire(field(2)) == 4000);
    CHECK(h.subexpire_ms() <= 3000);
    CHECK(h.expire_fields(2500) == 0);  // nothing due; the bound is made exact
    CHECK(h.subexpire_ms() == 3000);
    CHECK(h.length() == 10);
    CHECK(h.expire_fields(3000) == 1);  // "at or before now"
    CHECK_FALSE(h.contains(field(1)));
    CHECK(h.field_expire(field(1)) == -1);
    CHECK(h.subexpire_ms() == 4000);
    CHECK(h.expire_fields(10000) == 1);
    CHECK_FALSE(h.has_field_ttls());
    CHECK(h.length() == 8);
  }
}

TEST_CASE("HSET clears a field's TTL, a kept write and HDEL do as Redis does") {
  HashValue h;
  h.set("a", "1", kDefault);
  h.set("b", "1", kDefault);
  h.set_field_expire("a", 100);
  h.set_field_expire("b", 100);
  h.set("a", "2", kDefault);  // HSET: the TTL goes
  CHECK(h.field_expire("a") == -1);
  h.set("b", "3", kDefault, /*keep_ttl=*/true);  // HINCRBY: kept
  CHECK(h.field_expire("b") == 100);
  CHECK(h.erase("b"));
  CHECK_FALSE(h.has_field_ttls());
  h.set("b", "4", kDefault);  // a field made again starts without one
  CHECK(h.field_expire("b") == -1);
}

TEST_CASE("TTLs survive the conversion to the table, and clone() copies them") {
  HashValue h;
  for (int i = 0; i < 100; i++) h.set(field(i), "v", kDefault);
  for (int i = 0; i < 100; i += 2) h.set_field_expire(field(i), 1000 + i);
  for (int i = 100; i < 200; i++) h.set(field(i), "v", kDefault);
  REQUIRE_FALSE(h.packed());
  std::unique_ptr<HashValue> copy(static_cast<HashValue*>(h.clone()));
  CHECK(copy->memory() == h.memory());
  for (int i = 0; i < 100; i++) CHECK(copy->field_expire(field(i)) == (i % 2 ? -1 : 1000 + i));
  CHECK(copy->expire_fields(1049) == 25);
  CHECK(copy->length() == 175);
  CHECK(h.length() == 200);  // the original is its own
  CHECK(h.expire_fields(5000) == 50);
  CHECK(h.length() == 150);
  CHECK_FALSE(h.has_field_ttls());
}

TEST_CASE("memory() follows TTLs both ways, long field names included") {
  HashValue h;
  std::string longname(40, 'x');
  h.set(longname, "v", kDefault);
  h.set("s", "v", kDefault);
  h.set("t", "v", kDefault);
  size_t plain = h.memory();
  h.set_field_expire("s", 10);  // the first TTL brings the side table
  size_t one = h.memory();
  h.set_field_expire("t", 10);
  size_t short_cost = h.memory() - one;
  size_t two = h.memory();
  h.set_field_expire(longname, 10);
  CHECK(h.memory() - two == short_cost + longname.size() + 1);  // the long name's bytes count
  size_t three = h.memory();
  h.set_field_expire(longname, 20);  // a new time costs nothing more
  CHECK(h.memory() == three);
  CHECK(h.expire_fields(10) == 2);
  CHECK(h.persist_field(longname));
  CHECK_FALSE(h.has_field_ttls());
  CHECK(h.memory() <= plain);  // "s" and "t" are gone too; the buffer may keep its capacity
}

TEST_CASE("the active sweep reclaims expired hash fields, then the emptied key") {
  Store store(1, 2);
  Keyspace& ks = store.db(0);
  Worker w(store.epochs(), 1000);
  Events events;
  w.ctx.events = &events;
  auto add_hash = [&](const std::string& key, int fields, int64_t ttl_ms) {
    EpochGuard pin(w.ctx.epoch);
    auto* h = new HashValue();
    for (int i = 0; i < fields; i++) h->set(field(i), "v", kDefault);
    if (ttl_ms >= 0) h->set_field_expire(field(0), ttl_ms);
    uint64_t hk = hash_key(key);
    Shard& s = ks.shard_for(hk);
    std::lock_guard<Shard> lock(s.mutex());
    s.upsert_locked(Entry::make_object(key, Type::kHash, h, Entry::kNoExpire), hk, w.ctx.epoch);
  };
  add_hash("one", 1, 1500);  // its only field expires: the key goes
  add_hash("two", 3, 1500);  // one of three: the key stays with two
  add_hash("late", 2, 9000);
  add_hash("none", 2, -1);
  REQUIRE(ks.expires() == 0);  // no key TTL anywhere: only the field flag brings the sweep
  CHECK(ks.may_have_subexpires());
  int64_t bytes_before = ks.bytes();

  auto never = [] { return false; };
  w.ctx.now_ms = 1000;
  for (int i = 0; i < 4; i++) {
    EpochGuard pin(w.ctx.epoch);
    ks.active_expire(w.ctx, 0, 1, never);
  }
  CHECK(events.keys.empty());  // nothing due yet

  w.ctx.now_ms = 2000;
  for (int i = 0; i < 4; i++) {
    EpochGuard pin(w.ctx.epoch);
    ks.active_expire(w.ctx, 0, 1, never);
  }
  std::sort(events.keys.begin(), events.keys.end());
  CHECK(events.keys == std::vector<std::string>{"emptied one", "hexpired two"});
  EpochGuard pin(w.ctx.epoch);
  CHECK(ks.find("one", 2000) == nullptr);
  const Entry* two = ks.find("two", 2000);
  REQUIRE(two);
  CHECK(two->object()->length() == 2);
  CHECK(ks.find("late", 2000)->object()->length() == 2);
  CHECK(ks.size() == 3);
  CHECK(ks.bytes() < bytes_before);
  // "late" still has a TTL: the shards keep their flag through whole passes.
  CHECK(ks.may_have_subexpires());
}
