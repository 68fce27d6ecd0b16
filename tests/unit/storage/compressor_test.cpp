// Tests of the background compressor (storage/compressor.h): a queued raw value is swapped for its
// compressed form with the same bytes, TTL and access clock; a key rewritten, deleted or holding an
// incompressible value is left as it is; the pending bound drops jobs instead of queueing them; the
// thread drains what was queued; and the store's byte accounting follows the swap.
#include <doctest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/compress.h"
#include "storage/compressor.h"
#include "storage/key_watch.h"
#include "storage/store.h"
#include "tests/unit/storage/storage_test_util.h"

using namespace respite::storage;
using respite::storage::testing::json_text;
using respite::storage::testing::random_bytes;
using respite::storage::testing::Worker;

namespace {

const CompressPolicy kPolicy{16384, 10};

// SET key value as the server does in background mode: a raw Blob, queued under the shard lock.
void set_raw(Store& st, Worker& w, std::string_view key, std::string_view value,
             int64_t expire_ms = Entry::kNoExpire, bool queue = true) {
  Keyspace& ks = st.db(0);
  uint64_t h = hash_key(key);
  Shard& s = ks.shard_for(h);
  std::lock_guard<Shard> g(s.mutex());
  if (queue) st.compressor().enqueue(ks, key, h, value.size(), kPolicy);
  s.upsert_locked(
      Entry::make_blob(key, Blob::make(value.data(), value.size()), Encoding::kBlob, expire_ms), h,
      w.ctx.epoch);
}

// The key's value bytes, decompressed if need be, and its encoding.
std::string bytes_of(Store& st, std::string_view key, Encoding* enc) {
  const Entry* e = st.db(0).find(key, 0);
  REQUIRE(e != nullptr);
  *enc = e->enc();
  const Blob* b = e->blob();
  if (e->enc() == Encoding::kLz4) {
    std::string out(b->orig_len, '\0');
    REQUIRE(decompress_value(b, out.data()));
    return out;
  }
  return std::string(b->data(), b->len);
}

}  // namespace

TEST_CASE("a queued raw value becomes its compressed form, same bytes, TTL and clock") {
  Store st(1, 2);
  std::string v = json_text(50000, 1);
  {
    Worker w(st.epochs());
    w.ctx.epoch->pin();
    set_raw(st, w, "k", v, 123456789);
    const Entry* e = st.db(0).find("k", 0);
    e->touch(777);
    w.ctx.epoch->unpin();
  }
  int64_t before = st.accounted_bytes();
  CHECK(st.compressor().run_pending() == 1);
  Encoding enc;
  CHECK(bytes_of(st, "k", &enc) == v);
  CHECK(enc == Encoding::kLz4);
  const Entry* e = st.db(0).find("k", 0);
  CHECK(e->expire_ms() == 123456789);
  CHECK(e->lru_clock() == 777);
  CHECK(st.db(0).size() == 1);
  CHECK(st.db(0).expires() == 1);
  // The store now accounts the compressed entry: tens of kilobytes less.
  CHECK(st.accounted_bytes() < before - 30000);
  Compressor::Stats s = st.compressor().stats();
  CHECK(s.compressed == 1);
  CHECK(s.raw_bytes == v.size());
  CHECK(s.stored_bytes < v.size() / 2);
  CHECK(s.pending == 0);
  CHECK(s.pending_bytes == 0);
}

TEST_CASE("rewritten, deleted and incompressible values are left as they are") {
  Store st(1, 2);
  std::string a = json_text(20000, 2), b = json_text(30000, 3), r = random_bytes(20000, 4);
  {
    Worker w(st.epochs());
    w.ctx.epoch->pin();
    set_raw(st, w, "rewritten", a);
    set_raw(st, w, "rewritten", b, Entry::kNoExpire, /*queue=*/false);  // a newer value, not queued
    set_raw(st, w, "gone", a);
    respite::storage::testing::del(st.db(0), w.ctx, "gone");
    set_raw(st, w, "noise", r);
    w.ctx.epoch->unpin();
  }
  CHECK(st.compressor().run_pending() == 3);
  Encoding enc;
  // The job compresses whatever the key holds when it runs: the newer value, intact.
  CHECK(bytes_of(st, "rewritten", &enc) == b);
  CHECK(enc == Encoding::kLz4);
  CHECK(st.db(0).find("gone", 0) == nullptr);
  CHECK(bytes_of(st, "noise", &enc) == r);
  CHECK(enc == Encoding::kBlob);
  Compressor::Stats s = st.compressor().stats();
  CHECK(s.compressed == 1);
  CHECK(s.skipped == 1);
  CHECK(s.not_worth_it == 1);
}

TEST_CASE("past the queue's bound a job is dropped and its value stays raw") {
  Store st(1, 2);
  st.compressor().set_max_pending(1);
  std::string v = json_text(30000, 5);
  {
    Worker w(st.epochs());
    w.ctx.epoch->pin();
    set_raw(st, w, "one", v);
    set_raw(st, w, "two", v);  // the queue holds one job: dropped
    w.ctx.epoch->unpin();
  }
  Compressor::Stats s = st.compressor().stats();
  CHECK(s.pending == 1);
  CHECK(s.pending_bytes == v.size());
  CHECK(s.dropped == 1);
  CHECK(st.compressor().run_pending() == 1);
  Encoding enc;
  bytes_of(st, "one", &enc);
  CHECK(enc == Encoding::kLz4);
  bytes_of(st, "two", &enc);
  CHECK(enc == Encoding::kBlob);
}

TEST_CASE("the thread compresses what is queued; drain waits for it") {
  Store st(1, 2);
  st.compressor().start();
  std::vector<std::string> vals;
  {
    Worker w(st.epochs());
    w.ctx.epoch->pin();
    for (int i = 0; i < 20; i++) {
      vals.push_back(json_text(20000 + i, 10 + i));
      set_raw(st, w, "k" + std::to_string(i), vals.back());
    }
    w.ctx.epoch->unpin();
  }
  st.compressor().drain();
  for (int i = 0; i < 20; i++) {
    Encoding enc;
    CHECK(bytes_of(st, "k" + std::to_string(i), &enc) == vals[i]);
    CHECK(enc == Encoding::kLz4);
  }
  CHECK(st.compressor().stats().compressed == 20);
}

namespace {
// Watches every key (every slot counted) and counts the changes reported.
struct CountingWatch : KeyWatch {
  CountingWatch() {
    for (auto& s : slots_) s.store(1);
    watched_.store(1);
  }
  void touched(int, std::string_view, bool) override { touches++; }
  void replacing(int, Keyspace&, Keyspace*, int64_t) override {}
  int touches = 0;
};
}  // namespace

TEST_CASE("the swap is not a change of the key: WATCH is not told") {
  Store st(1, 2);
  CountingWatch watch;
  st.set_watch(&watch);
  {
    Worker w(st.epochs());
    w.ctx.epoch->pin();
    set_raw(st, w, "k", json_text(40000, 7));
    w.ctx.epoch->unpin();
  }
  CHECK(watch.touches == 1);  // the SET
  CHECK(st.compressor().run_pending() == 1);
  Encoding enc;
  bytes_of(st, "k", &enc);
  CHECK(enc == Encoding::kLz4);
  CHECK(watch.touches == 1);  // the swap told no one
  st.set_watch(nullptr);
}
