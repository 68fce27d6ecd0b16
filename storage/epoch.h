// Epoch-based reclamation (EBR). Readers of the shared store take no locks, so memory that a writer
// unlinks (a replaced or deleted entry, an old bucket array) may still be read by another worker.
// Such memory is *retired*, not freed: it is freed once every participant has been seen outside any
// read section that began before the retirement.
//
// Contract:
// - Each thread that touches the store owns one Participant (EpochManager::join), used only by
//   that thread. A worker pins it around each batch of commands (EpochGuard).
// - retire(p, fn) may be called only after p has been unlinked from every shared structure.
// - The global epoch advances from e to e+1 only when every pinned participant has announced e.
//   Memory retired in epoch e is freed once the global epoch reaches e+2: by then every reader
//   that could have seen it has unpinned.
// Ordering: announcements and the global epoch use seq_cst. The unlinks and the readers' loads are
// release/acquire only, so pin() (after announcing) and retire() (before reading the epoch) each
// issue a seq_cst fence: that store-load pair is what makes "a reader either sees the unlink or
// holds back the epoch the object needs to be freed" hold. pin happens once per batch; the fence
// in retire costs about as much as the shard lock the writer already took.
// Cost: retired objects are stamped with the global epoch, which never decreases, so each
// participant's retired list is a FIFO in epoch order (a list of fixed-size chunks that recycles a
// drained one: no allocation in the steady state, no copying behind a backlog). Freeing pops the
// safe prefix and stops at the first object that is not yet safe, so it is amortised O(1) per
// retired object however much is pending. Trying to advance the epoch scans every announcement
// slot; unpin() does it at most once per batch, only when the oldest pending object is not yet
// safe, and not again after a failed attempt until the global epoch has moved or this participant
// has retired another kCollectThreshold (256) objects (a worker pinned through a long command would
// otherwise make every batch scan in vain). collect() always tries once: the worker's periodic tick
// calls it, which also bounds how long the epoch can sit still after the last reader unpins.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace respite::storage {

class EpochManager;

class Participant {
 public:
  using Deleter = void (*)(void*);

  void pin();    // nests: only the outermost pin announces
  void unpin();  // also frees what has become safe, once enough is pending (see Cost above)
  bool pinned() const { return depth_ > 0; }
  // bytes: what freeing p will give back (0 when not worth counting); it is counted in
  // retired_bytes() until then.
  void retire(void* p, Deleter fn, int64_t bytes = 0);
  // Tries to advance the global epoch (one slot scan) and frees what is safe; returns how many
  // objects it freed.
  size_t collect();
  size_t pending() const { return retired_.size(); }
  // Eager mode (the server sets it while maxmemory is on): unpin() tries to advance the epoch and
  // free after every batch that left anything retired, instead of waiting for kCollectThreshold
  // objects, so that used_memory (which counts what is retired) tracks the dataset closely. It
  // costs an announcement scan per writing batch, which only a memory-limited server pays.
  void set_eager(bool on) { eager_ = on; }
  // This thread's share of the store's accounted bytes (EpochManager::accounted_bytes): the
  // shards add every change a thread makes through its participant, so the total is a sum over
  // a few per-thread cache lines, with no shared counter written on the write path. Written only
  // by the owner thread (a plain load and store), read by anyone.
  void add_bytes(int64_t d) {
    bytes_->store(bytes_->load(std::memory_order_relaxed) + d, std::memory_order_relaxed);
  }

 private:
  friend class EpochManager;
  struct Retired {
    void* p;
    Deleter fn;
    uint64_t epoch;
    int64_t bytes;  // given to retire(); subtracted from the slot's retired count once freed
  };
  // A FIFO of retired objects: a singly linked list of fixed-size chunks, pushed at the tail and
  // popped at the head. A drained chunk is kept as a spare for the next one needed, so a steady
  // state allocates nothing; a backlog costs one allocation per kChunk retirements and no copying,
  // and its chunks are given back as it drains.
  class RetiredQueue {
   public:
    RetiredQueue() = default;
    ~RetiredQueue() { clear(); }
    RetiredQueue(const RetiredQueue&) = delete;
    RetiredQueue& operator=(const RetiredQueue&) = delete;

    size_t size() const { return static_cast<size_t>(pushed_ - popped_); }
    bool empty() const { return pushed_ == popped_; }
    uint64_t pushed() const { return pushed_; }  // retirements ever pushed
    const Retired& front() const { return head_->items[hi_]; }
    const Retired& back() const { return tail_->items[ti_ - 1]; }
    void push_back(const Retired& r) {
      if (tail_ == nullptr || ti_ == kChunk) add_chunk();
      tail_->items[ti_++] = r;
      pushed_++;
    }
    void pop_front();
    template <typename F>
    void for_each(F f) const {
      for (Chunk* c = head_; c != nullptr; c = c->next) {
        size_t end = c == tail_ ? ti_ : kChunk;
        for (size_t i = c == head_ ? hi_ : 0; i < end; i++) f(c->items[i]);
      }
    }
    void clear();  // drops everything without running the deleters

   private:
    static constexpr size_t kChunk = 512;  // 16 KiB of entries: a few pages, one malloc per 512
    struct Chunk {
      Chunk* next;
      Retired items[kChunk];
    };
    void add_chunk();
    Chunk* head_ = nullptr;  // oldest chunk; items [hi_, ...) are live
    Chunk* tail_ = nullptr;  // newest chunk; items [..., ti_) are live
    Chunk* spare_ = nullptr;
    size_t hi_ = 0, ti_ = 0;
    uint64_t pushed_ = 0, popped_ = 0;
  };
  // Frees the safe prefix (epoch + 2 <= now); returns how many it freed.
  size_t free_safe(uint64_t now);

  EpochManager* mgr_ = nullptr;
  std::atomic<uint64_t>* announce_ = nullptr;      // this participant's slot; 0 = not pinned
  std::atomic<int64_t>* bytes_ = nullptr;          // its slot's byte count
  std::atomic<int64_t>* retired_bytes_ = nullptr;  // its slot's count of bytes awaiting free
  int depth_ = 0;
  bool eager_ = false;
  RetiredQueue retired_;
  // The last failed advance from unpin(): the global epoch it saw and retired_.pushed() then.
  // unpin() does not scan again until one of the two has moved on (see the note at the top).
  uint64_t stuck_epoch_ = 0;
  uint64_t stuck_pushed_ = 0;
};

class EpochManager {
 public:
  static constexpr size_t kMaxParticipants = 512;
  EpochManager();
  ~EpochManager();  // frees everything still retired; no participant may be pinned
  EpochManager(const EpochManager&) = delete;
  EpochManager& operator=(const EpochManager&) = delete;

  // Registers a participant for the calling thread; leave() hands its leftovers to the manager.
  Participant* join();
  void leave(Participant* p);
  uint64_t epoch() const { return global_.load(std::memory_order_seq_cst); }
  // The sum of every participant's add_bytes(): what the store holds by its own accounting
  // (entries and values, tables). Relaxed: a gauge for INFO and maxmemory, read in O(threads).
  int64_t accounted_bytes() const;
  // Bytes retired and not yet freed (the bytes given to retire()), every participant's and the
  // orphans': memory still allocated that the dataset no longer holds. O(threads), relaxed.
  int64_t retired_bytes() const;

 private:
  friend class Participant;
  bool try_advance();
  struct alignas(64) Slot {
    std::atomic<uint64_t> announce{0};
    std::atomic<bool> used{false};
    // Bytes accounted by the participants that held this slot. Kept when one leaves (the bytes it
    // added are still in the store) and carried on by the next: join and leave are ordered by mu_.
    std::atomic<int64_t> bytes{0};
    // Bytes retired by the slot's participant and not yet freed: written only by that participant
    // (load and store), read by anyone (relaxed: a gauge). Zero whenever the slot is free.
    std::atomic<int64_t> retired{0};
  };
  std::atomic<uint64_t> global_{2};  // starts at 2 so that "epoch + 2 <= global" never underflows
  Slot slots_[kMaxParticipants];
  std::atomic<size_t> high_water_{0};  // slots above this were never used: the scan stops here
  std::mutex mu_;                      // guards join/leave and orphans_
  std::vector<Participant::Retired> orphans_;
  std::atomic<int64_t> orphan_bytes_{0};  // their bytes; written under mu_, read anywhere
  std::vector<Participant*> all_;
};

// Pins a participant for a scope: the batch of commands a worker runs between two loop turns.
class EpochGuard {
 public:
  explicit EpochGuard(Participant* p) : p_(p) { p_->pin(); }
  ~EpochGuard() { p_->unpin(); }
  EpochGuard(const EpochGuard&) = delete;
  EpochGuard& operator=(const EpochGuard&) = delete;

 private:
  Participant* p_;
};

}  // namespace respite::storage
