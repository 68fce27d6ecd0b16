// Tests of epoch-based reclamation (storage/epoch.h), the one thing that stands between lock-free
// readers and use-after-free: a retired object is freed only after every participant that was
// pinned when it was retired has unpinned (on this thread or another one), nested pins count as
// one, unpin frees once enough is waiting, a participant that leaves hands its leftovers to the
// manager (which frees them on a later advance or at destruction), and slots are reused. Objects
// are tracked by a deleter that counts into the test's own counter. Threads are synchronised with
// latches and atomics, never with sleeps.
#include <doctest.h>

#include <atomic>
#include <latch>
#include <memory>
#include <thread>
#include <vector>

#include "storage/epoch.h"

using namespace respite::storage;

namespace {

// A retired object that reports its own destruction.
struct Tracked {
  std::atomic<int>* freed;
  static void deleter(void* p) {
    auto* t = static_cast<Tracked*>(p);
    t->freed->fetch_add(1);
    delete t;
  }
};

void retire_tracked(Participant* p, std::atomic<int>& freed, int n = 1) {
  for (int i = 0; i < n; i++) p->retire(new Tracked{&freed}, Tracked::deleter);
}

// Collects up to `rounds` times; returns the number freed.
size_t collect_rounds(Participant* p, int rounds) {
  size_t n = 0;
  for (int i = 0; i < rounds; i++) n += p->collect();
  return n;
}

}  // namespace

TEST_CASE("with nobody pinned, a retired object is freed after two epochs") {
  EpochManager m;
  std::atomic<int> freed{0};
  Participant* a = m.join();
  retire_tracked(a, freed);
  CHECK(a->pending() == 1);
  uint64_t e0 = m.epoch();
  // Each collect advances the epoch by at most one; two advances make it safe.
  size_t n = collect_rounds(a, 3);
  CHECK(n == 1);
  CHECK(freed == 1);
  CHECK(a->pending() == 0);
  CHECK(m.epoch() >= e0 + 2);
  m.leave(a);
}

TEST_CASE("a pinned participant holds back freeing until it unpins") {
  EpochManager m;
  std::atomic<int> freed{0};
  Participant* a = m.join();
  Participant* b = m.join();

  b->pin();
  CHECK(b->pinned());
  retire_tracked(a, freed, 3);
  CHECK(collect_rounds(a, 10) == 0);
  CHECK(freed == 0);
  CHECK(a->pending() == 3);

  b->unpin();
  CHECK_FALSE(b->pinned());
  CHECK(collect_rounds(a, 3) == 3);
  CHECK(freed == 3);
  m.leave(a);
  m.leave(b);
}

TEST_CASE("the retiring participant's own pin holds back its own retirements") {
  EpochManager m;
  std::atomic<int> freed{0};
  Participant* a = m.join();
  {
    EpochGuard g(a);
    retire_tracked(a, freed);
    CHECK(collect_rounds(a, 10) == 0);  // a reader could still hold it: a itself
  }
  CHECK(collect_rounds(a, 3) == 1);
  m.leave(a);
}

TEST_CASE("pins nest: only the outermost unpin releases") {
  EpochManager m;
  std::atomic<int> freed{0};
  Participant* a = m.join();
  Participant* b = m.join();

  b->pin();
  b->pin();
  retire_tracked(a, freed);
  b->unpin();
  CHECK(b->pinned());
  CHECK(collect_rounds(a, 10) == 0);
  {
    EpochGuard inner(b);  // a guard inside a pinned section nests too
  }
  CHECK(b->pinned());
  CHECK(collect_rounds(a, 10) == 0);
  b->unpin();
  CHECK_FALSE(b->pinned());
  CHECK(collect_rounds(a, 3) == 1);
  m.leave(a);
  m.leave(b);
}

TEST_CASE("an object retired after a reader pinned late is still protected") {
  // The reader pins while the epoch is e; the epoch may then move to e+1 but no further, so an
  // object retired in e+1 needs the reader gone before the epoch can reach e+3.
  EpochManager m;
  std::atomic<int> freed{0};
  Participant* a = m.join();
  Participant* r = m.join();
  r->pin();
  collect_rounds(a, 5);  // advance as far as the pinned reader allows
  retire_tracked(a, freed);
  CHECK(collect_rounds(a, 10) == 0);
  r->unpin();
  CHECK(collect_rounds(a, 3) == 1);
  m.leave(a);
  m.leave(r);
}

TEST_CASE("unpin frees by itself once enough has been retired") {
  EpochManager m;
  std::atomic<int> freed{0};
  Participant* a = m.join();
  constexpr int kMany = 1000;  // well above the threshold at which unpin collects
  a->pin();
  retire_tracked(a, freed, kMany);
  a->unpin();
  for (int i = 0; i < 4 && a->pending() > 0; i++) {
    a->pin();  // a worker's loop: pin, run a batch, unpin
    a->unpin();
  }
  CHECK(a->pending() == 0);
  CHECK(freed == kMany);

  // A few retirements are left for later rather than scanned on every unpin.
  retire_tracked(a, freed, 3);
  for (int i = 0; i < 4; i++) {
    a->pin();
    a->unpin();
  }
  CHECK(a->pending() == 3);
  m.leave(a);
}

TEST_CASE("a participant pinned on another thread holds back freeing") {
  EpochManager m;
  std::atomic<int> freed{0};
  Participant* a = m.join();
  std::latch pinned(1), release(1);
  std::atomic<bool> reader_ok{true};

  // The reader owns an object that the main thread unlinks and retires while the reader is
  // pinned; the reader checks it is intact after the main thread has collected repeatedly.
  auto* shared = new Tracked{&freed};
  std::atomic<Tracked*> link{shared};
  std::thread reader([&] {
    Participant* r = m.join();
    r->pin();
    Tracked* seen = link.load(std::memory_order_acquire);
    pinned.count_down();
    release.wait();
    if (seen->freed != &freed) reader_ok = false;  // ASan would report a use after free here
    r->unpin();
    m.leave(r);
  });

  pinned.wait();
  link.store(nullptr, std::memory_order_release);  // unlink, then retire
  a->retire(shared, Tracked::deleter);
  CHECK(collect_rounds(a, 20) == 0);
  CHECK(freed == 0);
  release.count_down();
  reader.join();
  CHECK(reader_ok);
  CHECK(collect_rounds(a, 3) == 1);
  CHECK(freed == 1);
  m.leave(a);
}

TEST_CASE("many threads pinning and retiring: everything freed exactly once") {
  std::atomic<int> freed{0};
  constexpr int kThreads = 4, kRounds = 300, kPerRound = 5;
  {
    EpochManager m;
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; t++) {
      threads.emplace_back([&] {
        Participant* p = m.join();
        start.arrive_and_wait();
        for (int i = 0; i < kRounds; i++) {
          EpochGuard g(p);
          retire_tracked(p, freed, kPerRound);
          if (i % 10 == 0) p->collect();
        }
        m.leave(p);  // leftovers go to the manager
      });
    }
    for (auto& t : threads) t.join();
    CHECK(freed <= kThreads * kRounds * kPerRound);
  }
  CHECK(freed == kThreads * kRounds * kPerRound);  // the destructor freed the rest
}

TEST_CASE("leave hands leftovers to the manager") {
  std::atomic<int> freed{0};
  SUBCASE("freed by the destructor") {
    {
      EpochManager m;
      Participant* a = m.join();
      Participant* b = m.join();
      b->pin();  // holds back any advance, so nothing can be freed before the destructor
      retire_tracked(a, freed, 5);
      m.leave(a);
      CHECK(freed == 0);
      b->unpin();
    }
    CHECK(freed == 5);
  }
  SUBCASE("freed by a later advance of another participant") {
    EpochManager m;
    Participant* a = m.join();
    Participant* b = m.join();
    retire_tracked(a, freed, 5);
    m.leave(a);
    CHECK(freed == 0);
    collect_rounds(b, 3);
    CHECK(freed == 5);
    m.leave(b);
  }
  SUBCASE("retirements of participants that never left are freed by the destructor") {
    {
      EpochManager m;
      Participant* a = m.join();
      retire_tracked(a, freed, 7);
    }
    CHECK(freed == 7);
  }
}

TEST_CASE("slots are reused after leave") {
  EpochManager m;
  std::vector<Participant*> held;
  for (size_t i = 0; i < 10; i++) held.push_back(m.join());
  // Far more joins than there are slots: each leave must free its slot.
  for (size_t i = 0; i < 4 * EpochManager::kMaxParticipants; i++) {
    Participant* p = m.join();
    p->pin();
    p->unpin();
    m.leave(p);
  }
  for (Participant* p : held) m.leave(p);
  // A full house works too.
  std::vector<Participant*> all;
  for (size_t i = 0; i < EpochManager::kMaxParticipants; i++) all.push_back(m.join());
  for (Participant* p : all) m.leave(p);
}

// Reclamation stays cheap behind a long reader: the retired list is a FIFO in epoch order, freed
// from the front, and nothing is scanned or freed while the oldest object cannot be.

namespace {

// A retired object that records the order in which objects are freed.
struct Ordered {
  std::vector<int>* log;
  int id;
  static void deleter(void* p) {
    auto* o = static_cast<Ordered*>(p);
    o->log->push_back(o->id);
    delete o;
  }
};

}  // namespace

TEST_CASE("behind a long reader, a large backlog is kept, then freed in retire order") {
  EpochManager m;
  std::vector<int> log;
  Participant* a = m.join();
  Participant* b = m.join();
  constexpr int kMany = 100000, kBatch = 10;
  b->pin();  // a long command on another worker
  int next = 0;
  for (int round = 0; next < kMany; round++) {
    a->pin();  // a worker's loop: pin, retire a batch, unpin (which may try to collect)
    for (int i = 0; i < kBatch; i++) a->retire(new Ordered{&log, next++}, Ordered::deleter);
    a->unpin();
    if (round % 1000 == 0) CHECK(log.empty());
  }
  CHECK(log.empty());
  CHECK(a->pending() == kMany);
  CHECK(collect_rounds(a, 5) == 0);  // explicit collects cannot free anything either
  CHECK(a->pending() == kMany);

  b->unpin();
  size_t freed = collect_rounds(a, 3);
  CHECK(freed == kMany);
  CHECK(a->pending() == 0);
  REQUIRE(log.size() == kMany);
  bool in_order = true;
  for (int i = 0; i < kMany; i++) in_order = in_order && log[i] == i;
  CHECK(in_order);
  m.leave(a);
  m.leave(b);
}

TEST_CASE("after a long reader unpins, unpin alone frees the backlog") {
  EpochManager m;
  std::atomic<int> freed{0};
  Participant* a = m.join();
  Participant* b = m.join();
  b->pin();
  for (int i = 0; i < 1000; i++) {
    EpochGuard g(a);
    retire_tracked(a, freed, 10);
  }
  CHECK(freed == 0);
  b->unpin();
  // unpin skips the scan after a failed advance until the epoch moves or enough more has been
  // retired: a few batches of retirements later everything retired so far has been freed.
  for (int i = 0; i < 200 && freed < 10000; i++) {
    EpochGuard g(a);
    retire_tracked(a, freed, 10);
  }
  CHECK(freed >= 10000);
  CHECK(a->pending() < 1000);
  m.leave(a);
  m.leave(b);
}

TEST_CASE("a reader pinned before a retirement holds it back, however much is retired after") {
  EpochManager m;
  std::vector<int> log;
  Participant* a = m.join();
  Participant* r1 = m.join();
  Participant* r2 = m.join();
  // r1 pins first; a retires object 0; r1 unpins and r2 pins; a retires 1..N. Object 0 may be
  // freed once r1 is gone, but nothing retired while r2 is pinned may be, until r2 unpins.
  r1->pin();
  a->retire(new Ordered{&log, 0}, Ordered::deleter);
  collect_rounds(a, 5);
  CHECK(log.empty());
  r2->pin();
  r1->unpin();
  constexpr int kMany = 5000;
  for (int i = 1; i <= kMany; i++) {
    EpochGuard g(a);
    a->retire(new Ordered{&log, i}, Ordered::deleter);
  }
  collect_rounds(a, 5);
  // r2 pinned before objects 1..kMany were retired (and maybe in the epoch before object 0's
  // stamp + 2): of them, none may be freed yet.
  for (int id : log) CHECK(id == 0);
  CHECK(a->pending() >= static_cast<size_t>(kMany));
  r2->unpin();
  collect_rounds(a, 3);
  CHECK(a->pending() == 0);
  REQUIRE(log.size() == kMany + 1);
  bool in_order = true;
  for (int i = 0; i <= kMany; i++) in_order = in_order && log[i] == i;
  CHECK(in_order);
  m.leave(a);
  m.leave(r1);
  m.leave(r2);
}

TEST_CASE("a reader on another thread pinned before a retirement holds back a stream of them") {
  // The writer keeps retiring in batches while the reader stays pinned and re-reads every object
  // it saw before they were unlinked: none of them may have been freed (ASan/TSan would report it).
  EpochManager m;
  std::atomic<int> freed{0};
  constexpr int kObjects = 2000;
  std::vector<std::atomic<Tracked*>> links(kObjects);
  for (auto& l : links) l.store(new Tracked{&freed}, std::memory_order_relaxed);
  std::latch pinned(1), release(1);
  std::atomic<bool> reader_ok{true};
  std::thread reader([&] {
    Participant* r = m.join();
    r->pin();
    std::vector<Tracked*> seen;
    for (auto& l : links) seen.push_back(l.load(std::memory_order_acquire));
    pinned.count_down();
    release.wait();
    for (Tracked* t : seen) {
      if (t->freed != &freed) reader_ok = false;
    }
    r->unpin();
    m.leave(r);
  });
  pinned.wait();
  Participant* a = m.join();
  for (int i = 0; i < kObjects; i += 10) {
    EpochGuard g(a);
    for (int j = i; j < i + 10; j++) {
      Tracked* t = links[j].exchange(nullptr, std::memory_order_acq_rel);  // unlink, then retire
      a->retire(t, Tracked::deleter);
    }
  }
  collect_rounds(a, 10);
  CHECK(freed == 0);
  CHECK(a->pending() == kObjects);
  release.count_down();
  reader.join();
  CHECK(reader_ok);
  CHECK(collect_rounds(a, 3) == kObjects);
  m.leave(a);
}
