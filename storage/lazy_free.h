// LazyFree: one background thread that frees big things (a flushed database's tables, a large
// deleted value) so that no worker's event loop stalls while millions of allocations are returned.
// Redis's lazyfree.c and its BIO_LAZY_FREE thread are the model; the counters are the ones Redis
// 7.0's INFO memory section reports (lazyfree_pending_objects, lazyfreed_objects).
//
// Contract:
// - submit(obj, fn, objects) hands over obj: the thread calls fn(obj) once, later. obj must be
//   unreachable by every reader: unlinked from every shared structure AND past epoch reclamation.
//   The intended caller is an epoch-retire callback (EpochManager frees it there, so by then no
//   worker can still hold a pointer into it); the thread itself never pins, retires or reads the
//   store. fn must not block, must not call drain() (it would wait for itself) and must not touch
//   the EpochManager; it may submit further jobs.
// - objects is how many keys or elements the job frees, bytes how much memory: INFO's counts and
//   used_memory (the backlog is still allocated), nothing else depends on them.
// - submit is cheap and callable from any thread: it appends a node to a queue under a mutex and
//   signals a condition variable when the thread may be asleep. Jobs run in submission order.
// - drain() returns once every job submitted before it was called has run (jobs submitted while
//   it waits do not hold it back). The destructor runs every queued job, then joins the thread; no
//   one may submit once the destructor has begun.
// - The thread blocks every signal: the server takes SIGTERM/SIGINT with sigwait on one thread,
//   and a store (with its LazyFree) is built before that mask is set.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace respite::storage {

class LazyFree {
 public:
  using Fn = void (*)(void*);

  LazyFree();
  ~LazyFree();  // drains, then joins
  LazyFree(const LazyFree&) = delete;
  LazyFree& operator=(const LazyFree&) = delete;

  void submit(void* obj, Fn fn, uint64_t objects, int64_t bytes = 0);
  void drain();
  // Objects submitted and not yet freed (INFO lazyfree_pending_objects).
  uint64_t pending_objects() const { return pending_.load(std::memory_order_relaxed); }
  // Bytes submitted and not yet freed: part of used_memory (the server's maxmemory.h).
  int64_t pending_bytes() const { return pending_bytes_.load(std::memory_order_relaxed); }
  // Objects freed since start or the last reset (INFO lazyfreed_objects; CONFIG RESETSTAT resets
  // it, as Redis's lazyfreeResetStats does).
  uint64_t freed_objects() const { return freed_.load(std::memory_order_relaxed); }
  void reset_freed_objects() { freed_.store(0, std::memory_order_relaxed); }

 private:
  struct Job {
    void* obj;
    Fn fn;
    uint64_t objects;
    int64_t bytes;
  };
  void run();

  std::mutex mu_;
  std::condition_variable work_cv_;  // the thread waits here for jobs or stop_
  std::condition_variable done_cv_;  // drain() waits here for done_jobs_
  std::vector<Job> queue_;           // guarded by mu_; the thread swaps it out whole
  uint64_t submitted_jobs_ = 0;      // guarded by mu_
  uint64_t done_jobs_ = 0;           // guarded by mu_
  bool sleeping_ = false;            // guarded by mu_: the thread is waiting on work_cv_
  bool stop_ = false;                // guarded by mu_
  // Statistics only, read by INFO without the lock: relaxed suffices because no reader infers
  // anything about other memory from them (drain() orders them for tests through mu_).
  std::atomic<uint64_t> pending_{0};
  std::atomic<uint64_t> freed_{0};
  std::atomic<int64_t> pending_bytes_{0};
  std::thread thread_;  // declared last: started once everything above is initialised
};

}  // namespace respite::storage
