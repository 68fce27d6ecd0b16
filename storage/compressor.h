// Compressor: LZ4 compression of large string values off the request path (compression-background).
//
// Why: compressing costs far more than storing. A 16 KiB JSON-like value takes ~18.5 us to compress
// while a whole uncompressed SET of it costs ~11 us of server CPU, so compressing inline made large
// SETs about 2.8x slower. With this, a write stores a large value raw (a kBlob) and queues its key
// here; one background thread, at SCHED_IDLE priority, compresses it later with CPU time that no
// worker wants. Memory converges to the compressed size as soon as a core has spare time; a core
// saturated by requests keeps serving at the uncompressed rate.
//
// How, in four steps:
// 1. enqueue(ks, key, hash, bytes) is called by a write while it holds the key's shard lock, before
//    or after its new entry is linked. A job is (keyspace, a copy of the key, hash), appended to a
//    FIFO under the compressor's mutex; the thread is signalled only when the queue was empty, so a
//    stream of large SETs costs one uncontended mutex section each, not a wake-up each. The queue
//    holds keys, not values (a raw value waiting is in the store anyway, where maxmemory sees its
//    raw size), so it is bounded only by its length: past kDefaultMaxPending jobs (about 100 MB of
//    keys at worst) a job is dropped (counted) and that value stays raw.
// 2. The thread pops a job, locks the key's shard and looks the key up. Because the job was queued
//    under that lock, the lookup sees the value the job was made for or a newer one, never an older
//    one. If the live entry is a raw Blob at least compression-threshold long, the thread takes a
//    reference to the Blob and unlocks.
// 3. It compresses the Blob's bytes with no lock held (Blobs are immutable); a value that does not
//    save compression-min-saving percent is left as it is.
// 4. It locks the shard again and, if the key's live entry still holds that very Blob (the
//    reference it holds makes the pointer comparison exact: the Blob cannot have been freed and
//    its address reused), swaps in a copy of the entry holding the compressed Blob: same key, TTL
//    and access clock, through Shard::recode_locked (a replace that WATCH does not hear of: the
//    value is the same). Lock-free readers see the old entry or the new one, and both give the same
//    bytes; the old entry is retired through the epoch reclaimer like any overwrite. A value
//    written again in between is simply skipped: its own job comes later.
//
// The thread's lock sections are a lookup or a replace, as short as a SET's. At idle priority it
// can be preempted inside one; a worker that then waits for that shard sleeps, which frees its
// core for the compressor to finish. drain() (tests, and bench/memory.sh through INFO) waits until
// the queue is empty and the last job is done.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "storage/compress.h"

namespace respite::storage {

class EpochManager;
class Keyspace;
class Participant;

class Compressor {
 public:
  static constexpr uint64_t kDefaultMaxPending = 1u << 20;  // jobs

  explicit Compressor(EpochManager& epochs);
  ~Compressor() { stop(); }
  // Stops the thread (idempotent); queued jobs are dropped (the values stay raw). The Store calls
  // it before it frees the keyspaces the thread looks keys up in.
  void stop();
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;

  // Starts the thread (the server does; unit tests may call run_pending() instead).
  void start();
  void set_max_pending(uint64_t jobs) { max_pending_.store(jobs, std::memory_order_relaxed); }

  // Step 1 above. `bytes` is the value's length (for the pending bound); `policy` is the one in
  // force for the write (compression-threshold and -min-saving apply to the next write, queued or
  // not). Any thread.
  void enqueue(Keyspace& ks, std::string_view key, uint64_t hash, uint64_t bytes,
               const CompressPolicy& policy);
  // Runs every queued job on the calling thread (unit tests, with no thread started); returns how
  // many ran. The caller must not be pinned in the epoch.
  size_t run_pending();
  // Returns once the queue is empty and no job is running (the thread must be started).
  void drain();

  struct Stats {
    uint64_t compressed = 0;                   // values swapped to their compressed form
    uint64_t raw_bytes = 0, stored_bytes = 0;  // of those, before and after
    uint64_t not_worth_it = 0;                 // compressed, but it did not save enough
    uint64_t skipped = 0;  // the key was gone, rewritten, or no longer over the threshold
    uint64_t dropped = 0;  // not queued: the queue was full
    uint64_t compress_ns = 0;
    uint64_t pending = 0, pending_bytes = 0;  // queued or running now
  };
  Stats stats() const;
  // Values swapped to their compressed form so far (Stats::compressed, without the mutex).
  uint64_t swaps() const { return compressed_.load(std::memory_order_relaxed); }

 private:
  struct Job {
    Keyspace* ks;
    uint64_t hash;
    uint64_t bytes;
    CompressPolicy policy;
    std::string key;
  };
  void thread_main();
  void run_job(const Job& j, Participant* p, std::string* scratch);

  EpochManager& epochs_;
  std::atomic<uint64_t> max_pending_{kDefaultMaxPending};

  mutable std::mutex mu_;
  std::condition_variable work_cv_, idle_cv_;
  std::deque<Job> queue_;
  uint64_t pending_bytes_ = 0;
  bool running_job_ = false;
  bool stop_ = false;
  std::thread thread_;

  std::atomic<uint64_t> compressed_{0}, raw_bytes_{0}, stored_bytes_{0}, not_worth_it_{0},
      skipped_{0}, dropped_{0}, compress_ns_{0};
};

}  // namespace respite::storage
