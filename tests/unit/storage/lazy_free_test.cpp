// Tests of the lazy-free thread (storage/lazy_free.h): jobs run on its thread, in submission
// order; pending_objects rises while jobs wait and returns to 0 after drain; freed_objects counts
// what ran and resets; drain waits only for what was submitted before it; the destructor runs what
// is still queued; a job may submit another; and a Store's EpochManager may submit from its
// destructor (the declaration order in store.h). Jobs are held back with latches, never sleeps.
#include <doctest.h>

#include <atomic>
#include <latch>
#include <thread>
#include <vector>

#include "storage/lazy_free.h"
#include "storage/store.h"

using namespace respite::storage;

namespace {

// A job that records where and in which order it ran.
struct Probe {
  std::thread::id ran_on;
  int seq = -1;
  std::atomic<int>* counter = nullptr;
  static void run(void* p) {
    auto* self = static_cast<Probe*>(p);
    self->ran_on = std::this_thread::get_id();
    self->seq = self->counter->fetch_add(1);
  }
};

// A job that blocks the thread until the test counts the latch down.
void wait_gate(void* p) {
  static_cast<std::latch*>(p)->wait();
}

}  // namespace

TEST_CASE("jobs run on the lazy-free thread, in submission order") {
  LazyFree lf;
  std::atomic<int> counter{0};
  std::vector<Probe> probes(100);
  for (auto& p : probes) {
    p.counter = &counter;
    lf.submit(&p, Probe::run, 1);
  }
  lf.drain();
  CHECK(counter.load() == 100);
  for (int i = 0; i < 100; i++) {
    CAPTURE(i);
    CHECK(probes[i].seq == i);
    CHECK(probes[i].ran_on != std::this_thread::get_id());
    CHECK(probes[i].ran_on == probes[0].ran_on);
  }
}

TEST_CASE("pending_objects rises while jobs wait, returns to 0 after drain; freed_objects counts") {
  LazyFree lf;
  CHECK(lf.pending_objects() == 0);
  CHECK(lf.freed_objects() == 0);
  std::latch gate(1);
  lf.submit(&gate, wait_gate, 0);
  std::atomic<int> counter{0};
  std::vector<Probe> probes(10);
  for (int i = 0; i < 10; i++) {
    probes[i].counter = &counter;
    lf.submit(&probes[i], Probe::run, 1000);  // as a flushed table of 1000 keys would
  }
  // The gate holds the thread, so none of these can have run yet.
  CHECK(lf.pending_objects() == 10000);
  CHECK(lf.freed_objects() == 0);
  CHECK(counter.load() == 0);
  gate.count_down();
  lf.drain();
  CHECK(counter.load() == 10);
  CHECK(lf.pending_objects() == 0);
  CHECK(lf.freed_objects() == 10000);
  lf.reset_freed_objects();
  CHECK(lf.freed_objects() == 0);
  lf.drain();  // nothing queued: returns at once
}

TEST_CASE("drain waits for what was submitted before it, not for later submissions") {
  LazyFree lf;
  std::latch gate(1);
  lf.submit(&gate, wait_gate, 1);
  std::atomic<bool> drained{false};
  std::thread drainer([&] {
    lf.drain();
    drained = true;
  });
  CHECK(!drained.load());  // the gate job cannot have finished
  gate.count_down();
  drainer.join();
  CHECK(drained.load());
  CHECK(lf.pending_objects() == 0);
}

TEST_CASE("the destructor runs every queued job before it returns") {
  std::atomic<int> counter{0};
  std::vector<Probe> probes(50);
  {
    LazyFree lf;
    std::latch gate(1);
    lf.submit(&gate, wait_gate, 0);
    for (auto& p : probes) {
      p.counter = &counter;
      lf.submit(&p, Probe::run, 1);
    }
    gate.count_down();
  }
  CHECK(counter.load() == 50);
}

namespace {

struct Chain {
  LazyFree* lf;
  Probe* next;
  static void run(void* p) {
    auto* c = static_cast<Chain*>(p);
    c->lf->submit(c->next, Probe::run, 1);
  }
};

}  // namespace

TEST_CASE("a job may submit another; both run before the destructor returns") {
  std::atomic<int> counter{0};
  Probe probe;
  probe.counter = &counter;
  {
    LazyFree lf;
    Chain chain{&lf, &probe};
    lf.submit(&chain, Chain::run, 1);
  }
  CHECK(counter.load() == 1);
}

TEST_CASE("many threads submit and drain at once (run under TSan by make test-tsan)") {
  LazyFree lf;
  std::atomic<int> counter{0};
  constexpr int kThreads = 4, kJobs = 2000;
  std::vector<std::vector<Probe>> probes(kThreads, std::vector<Probe>(kJobs));
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < kJobs; i++) {
        probes[t][i].counter = &counter;
        lf.submit(&probes[t][i], Probe::run, 2);
        if (i % 500 == 0) lf.drain();
        (void)lf.pending_objects();
      }
      lf.drain();
    });
  }
  for (auto& th : threads) th.join();
  CHECK(counter.load() == kThreads * kJobs);
  CHECK(lf.pending_objects() == 0);
  CHECK(lf.freed_objects() == uint64_t{2} * kThreads * kJobs);
}

namespace {

// Retired into the epoch manager; its retire callback hands it to the lazy-free thread, as the
// store's flush does.
struct Big {
  LazyFree* lf;
  std::atomic<int>* freed;
  static void free_now(void* p) {
    auto* b = static_cast<Big*>(p);
    b->freed->fetch_add(1);
    delete b;
  }
  static void retire_cb(void* p) { static_cast<Big*>(p)->lf->submit(p, free_now, 1); }
};

}  // namespace

TEST_CASE("Store: the EpochManager may submit to lazy_free() while the store is destroyed") {
  std::atomic<int> freed{0};
  {
    Store store(1, 4);
    Participant* p = store.epochs().join();
    p->retire(new Big{&store.lazy_free(), &freed}, Big::retire_cb);
    // Still retired when the store goes: ~EpochManager submits, ~LazyFree runs it.
  }
  CHECK(freed.load() == 1);
}
