// Background compression of large string values; the design note is in compressor.h.
#include "storage/compressor.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>

#include <chrono>

#include "storage/entry.h"
#include "storage/epoch.h"
#include "storage/keyspace.h"
#include "storage/shard.h"

namespace respite::storage {

Compressor::Compressor(EpochManager& epochs) : epochs_(epochs) {}

void Compressor::stop() {
  {
    std::lock_guard<std::mutex> g(mu_);
    stop_ = true;
    queue_.clear();
    pending_bytes_ = 0;
  }
  work_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Compressor::start() {
  thread_ = std::thread([this] { thread_main(); });
}

void Compressor::enqueue(Keyspace& ks, std::string_view key, uint64_t hash, uint64_t bytes,
                         const CompressPolicy& policy) {
  bool was_empty;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (queue_.size() >= max_pending_.load(std::memory_order_relaxed)) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    was_empty = queue_.empty();
    queue_.push_back(Job{&ks, hash, bytes, policy, std::string(key)});
    pending_bytes_ += bytes;
  }
  if (was_empty) work_cv_.notify_one();
}

void Compressor::thread_main() {
  // Signals go to the server's sigwait thread, never here.
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  // Idle priority: only CPU time no worker wants (see the note). Best effort: a container may
  // refuse it, and then the thread runs at normal priority.
  sched_param sp{};
  pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp);
  pthread_setname_np(pthread_self(), "respite-lz4");

  Participant* p = epochs_.join();
  std::string scratch;
  std::unique_lock<std::mutex> lk(mu_);
  while (!stop_) {
    if (queue_.empty()) {
      idle_cv_.notify_all();
      // Wake now and then while idle so that entries this thread retired get freed.
      work_cv_.wait_for(lk, std::chrono::milliseconds(100));
      if (queue_.empty()) {
        lk.unlock();
        p->collect();
        lk.lock();
      }
      continue;
    }
    Job j = std::move(queue_.front());
    queue_.pop_front();
    running_job_ = true;
    lk.unlock();
    run_job(j, p, &scratch);
    lk.lock();
    pending_bytes_ -= j.bytes;
    running_job_ = false;
  }
  idle_cv_.notify_all();
  lk.unlock();
  epochs_.leave(p);
}

size_t Compressor::run_pending() {
  Participant* p = epochs_.join();
  std::string scratch;
  size_t n = 0;
  for (;;) {
    Job j;
    {
      std::lock_guard<std::mutex> g(mu_);
      if (queue_.empty()) break;
      j = std::move(queue_.front());
      queue_.pop_front();
      pending_bytes_ -= j.bytes;
    }
    run_job(j, p, &scratch);
    n++;
  }
  epochs_.leave(p);
  return n;
}

void Compressor::drain() {
  std::unique_lock<std::mutex> lk(mu_);
  idle_cv_.wait(lk, [this] { return (queue_.empty() && !running_job_) || stop_; });
}

void Compressor::run_job(const Job& j, Participant* p, std::string* scratch) {
  const CompressPolicy& policy = j.policy;
  Shard& s = j.ks->shard_for(j.hash);
  Blob* raw = nullptr;
  {  // Step 2: the key's live value, if it is still a raw Blob worth trying.
    std::lock_guard<Shard> g(s.mutex());
    Entry* e = s.find_locked(j.key, j.hash);
    if (e && e->enc() == Encoding::kBlob && policy.applies(e->blob()->len)) {
      raw = e->blob();
      raw->ref();
    }
  }
  if (!raw) {
    skipped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  // Step 3: no lock held.
  auto t0 = std::chrono::steady_clock::now();
  CompressOutcome outcome;
  Blob* packed = compress_value({raw->data(), raw->len}, policy, scratch, &outcome);
  compress_ns_.fetch_add(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
          .count(),
      std::memory_order_relaxed);
  if (!packed) {
    if (outcome == CompressOutcome::kNotWorthIt) not_worth_it_.fetch_add(1);
    raw->unref();
    return;
  }
  // Read before the swap: from then on the new entry owns `packed`, and a write may free it.
  const uint64_t stored = packed->len;
  bool swapped = false;
  {  // Step 4: swap it in if the key still holds that very Blob.
    EpochGuard pin(p);
    std::lock_guard<Shard> g(s.mutex());
    Entry* e = s.find_locked(j.key, j.hash);
    if (e && e->enc() == Encoding::kBlob && e->blob() == raw) {
      Entry* c = Entry::make_blob(j.key, packed, Encoding::kLz4, e->expire_ms());
      c->set_access(e->access());
      s.recode_locked(e, c, j.hash, p);
      swapped = true;
    }
  }
  if (swapped) {
    compressed_.fetch_add(1, std::memory_order_relaxed);
    raw_bytes_.fetch_add(raw->len, std::memory_order_relaxed);
    stored_bytes_.fetch_add(stored, std::memory_order_relaxed);
  } else {
    packed->unref();
    skipped_.fetch_add(1, std::memory_order_relaxed);
  }
  raw->unref();
}

Compressor::Stats Compressor::stats() const {
  Stats st;
  st.compressed = compressed_.load(std::memory_order_relaxed);
  st.raw_bytes = raw_bytes_.load(std::memory_order_relaxed);
  st.stored_bytes = stored_bytes_.load(std::memory_order_relaxed);
  st.not_worth_it = not_worth_it_.load(std::memory_order_relaxed);
  st.skipped = skipped_.load(std::memory_order_relaxed);
  st.dropped = dropped_.load(std::memory_order_relaxed);
  st.compress_ns = compress_ns_.load(std::memory_order_relaxed);
  std::lock_guard<std::mutex> g(mu_);
  st.pending = queue_.size() + (running_job_ ? 1 : 0);
  st.pending_bytes = pending_bytes_;
  return st;
}

}  // namespace respite::storage
