// Tests of the counters behind used_memory's reclaim part (storage/epoch.h retired_bytes,
// storage/lazy_free.h pending_bytes, Store::reclaim_bytes): bytes given to retire() are counted
// until the object is freed, by the participant or, after leave(), as orphans; eager mode frees
// a batch's retirements at unpin when no one else reads; erased and replaced entries and flushed
// tables are retired with their accounted bytes, so the dataset's bytes move into the reclaim
// count and out of it once freed, synchronously or through the lazy-free thread.
#include <doctest.h>

#include <latch>

#include "storage/store.h"
#include "tests/unit/storage/storage_test_util.h"

using namespace respite::storage;
using respite::storage::testing::del;
using respite::storage::testing::numbered;
using respite::storage::testing::put;
using respite::storage::testing::Worker;

namespace {
void free_int(void* p) {
  delete static_cast<int*>(p);
}
}  // namespace

TEST_CASE("retired bytes are counted until freed") {
  EpochManager m;
  Participant* a = m.join();
  CHECK(m.retired_bytes() == 0);
  a->retire(new int(1), free_int, 100);
  a->retire(new int(2), free_int, 50);
  a->retire(new int(3), free_int);  // no bytes given: not counted
  CHECK(m.retired_bytes() == 150);
  for (int i = 0; i < 3 && a->pending() > 0; i++) a->collect();
  CHECK(a->pending() == 0);
  CHECK(m.retired_bytes() == 0);
  m.leave(a);
}

TEST_CASE("a pinned reader holds the count up; leave moves it to the orphans") {
  EpochManager m;
  Participant* a = m.join();
  Participant* b = m.join();
  b->pin();
  a->retire(new int(1), free_int, 64);
  a->collect();
  CHECK(m.retired_bytes() == 64);  // b may still read it
  m.leave(a);                      // the leftovers and their bytes go to the manager
  CHECK(m.retired_bytes() == 64);
  Participant* c = m.join();  // takes a's slot: starts from zero
  c->retire(new int(2), free_int, 8);
  CHECK(m.retired_bytes() == 72);
  b->unpin();
  for (int i = 0; i < 3; i++) b->collect();
  c->collect();
  CHECK(m.retired_bytes() == 0);
  m.leave(b);
  m.leave(c);
}

TEST_CASE("eager mode frees a batch's retirements at its unpin") {
  EpochManager m;
  Participant* a = m.join();
  Participant* idle = m.join();  // joined but not reading: does not hold the epoch back
  a->set_eager(true);
  a->pin();
  a->retire(new int(1), free_int, 40);
  a->unpin();
  CHECK(a->pending() == 0);
  CHECK(m.retired_bytes() == 0);

  a->set_eager(false);  // the default: waits for a batch of retirements
  a->pin();
  a->retire(new int(2), free_int, 40);
  a->unpin();
  CHECK(a->pending() == 1);
  CHECK(m.retired_bytes() == 40);
  m.leave(idle);
  m.leave(a);  // the destructor frees the orphan
}

TEST_CASE("erased and replaced entries move the dataset's bytes into the reclaim count") {
  Store store(1, 2);
  Keyspace& ks = store.db(0);
  Worker w(store.epochs());
  {
    EpochGuard pin(w.ctx.epoch);
    put(ks, w.ctx, "a", std::string(300, 'x'));
    put(ks, w.ctx, "b", "small");
    int64_t a_bytes = int64_t(ks.find("a", 0)->alloc_size());
    CHECK(store.reclaim_bytes() == 0);
    put(ks, w.ctx, "a", "replaced");  // the old entry is retired with its bytes
    CHECK(store.reclaim_bytes() == a_bytes);
    int64_t b_bytes = int64_t(ks.find("b", 0)->alloc_size());
    CHECK(del(ks, w.ctx, "b"));
    CHECK(store.reclaim_bytes() == a_bytes + b_bytes);
  }
  for (int i = 0; i < 3; i++) w.ctx.epoch->collect();
  CHECK(store.reclaim_bytes() == 0);
}

TEST_CASE("a flush retires the tables with every entry's bytes; async passes them to lazy free") {
  Store store(1, 2);
  Worker w(store.epochs());
  int64_t entries = 0;
  {
    EpochGuard pin(w.ctx.epoch);
    for (int i = 0; i < 1000; i++) put(store.db(0), w.ctx, numbered("k", i), "value");
    entries = store.bytes();
    int64_t before = store.accounted_bytes();
    int64_t reclaim_before = store.reclaim_bytes();  // tables the growth left behind
    SUBCASE("sync") {
      store.flush_all(w.ctx, false);
    }
    SUBCASE("async") {
      store.flush_all(w.ctx, true);
    }
    // What the store no longer accounts is what waits to be freed: entries and bucket arrays.
    CHECK(store.reclaim_bytes() - reclaim_before >= entries);
    CHECK(store.reclaim_bytes() - reclaim_before == before - store.accounted_bytes());
  }
  // The lazy-free thread may be freeing meanwhile: count only once it has drained.
  for (int i = 0; i < 3; i++) w.ctx.epoch->collect();
  store.lazy_free().drain();
  CHECK(store.lazy_free().pending_bytes() == 0);
  CHECK(store.reclaim_bytes() == 0);
}

TEST_CASE("lazy free counts a job's bytes until it has run") {
  LazyFree lf;
  std::latch gate(1);
  lf.submit(
      &gate, [](void* p) { static_cast<std::latch*>(p)->wait(); }, 1, 0);
  lf.submit(new int(1), free_int, 1, 4096);
  CHECK(lf.pending_bytes() == 4096);  // the first job holds the thread at the gate
  gate.count_down();
  lf.drain();
  CHECK(lf.pending_bytes() == 0);
}
