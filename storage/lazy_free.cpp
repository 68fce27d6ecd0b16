// The lazy-free thread; see lazy_free.h.
#include "storage/lazy_free.h"

#include <pthread.h>
#include <signal.h>

namespace respite::storage {

LazyFree::LazyFree() {
  // Start the thread with every signal blocked (it inherits this thread's mask), so that a
  // process-directed SIGTERM is never delivered to it instead of the server's sigwait thread.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  thread_ = std::thread([this] { run(); });
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  pthread_setname_np(thread_.native_handle(), "lazyfree");
}

LazyFree::~LazyFree() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_one();
  thread_.join();  // run() empties the queue before it returns
}

void LazyFree::submit(void* obj, Fn fn, uint64_t objects, int64_t bytes) {
  // Counted before the job is queued: the lock orders this increment before the thread's
  // decrement, so pending_objects() never wraps below zero.
  pending_.fetch_add(objects, std::memory_order_relaxed);
  if (bytes != 0) pending_bytes_.fetch_add(bytes, std::memory_order_relaxed);
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back({obj, fn, objects, bytes});
    submitted_jobs_++;
    wake = sleeping_;
  }
  if (wake) work_cv_.notify_one();
}

void LazyFree::drain() {
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t target = submitted_jobs_;
  done_cv_.wait(lock, [&] { return done_jobs_ >= target; });
}

void LazyFree::run() {
  std::vector<Job> batch;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (queue_.empty()) {
      if (stop_) return;
      sleeping_ = true;
      work_cv_.wait(lock, [&] { return !queue_.empty() || stop_; });
      sleeping_ = false;
      continue;
    }
    // Take the whole queue; submitters keep appending to the (now empty) vector meanwhile.
    batch.swap(queue_);
    lock.unlock();
    for (const Job& j : batch) {
      j.fn(j.obj);
      pending_.fetch_sub(j.objects, std::memory_order_relaxed);
      if (j.bytes != 0) pending_bytes_.fetch_sub(j.bytes, std::memory_order_relaxed);
      freed_.fetch_add(j.objects, std::memory_order_relaxed);
    }
    const uint64_t n = batch.size();
    batch.clear();  // keeps its capacity for the next swap
    lock.lock();
    done_jobs_ += n;
    done_cv_.notify_all();
  }
}

}  // namespace respite::storage
