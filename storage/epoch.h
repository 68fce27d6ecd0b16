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
  void unpin();  // also frees what has become safe, when there is enough of it to be worth a scan
  bool pinned() const { return depth_ > 0; }
  void retire(void* p, Deleter fn);
  // Tries to advance the global epoch and frees what is safe; returns how many objects it freed.
  size_t collect();
  size_t pending() const { return retired_.size(); }

 private:
  friend class EpochManager;
  struct Retired {
    void* p;
    Deleter fn;
    uint64_t epoch;
  };
  EpochManager* mgr_ = nullptr;
  std::atomic<uint64_t>* announce_ = nullptr;  // this participant's slot; 0 = not pinned
  int depth_ = 0;
  std::vector<Retired> retired_;
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

 private:
  friend class Participant;
  bool try_advance();
  struct alignas(64) Slot {
    std::atomic<uint64_t> announce{0};
    std::atomic<bool> used{false};
  };
  std::atomic<uint64_t> global_{2};  // starts at 2 so that "epoch + 2 <= global" never underflows
  Slot slots_[kMaxParticipants];
  std::atomic<size_t> high_water_{0};  // slots above this were never used: the scan stops here
  std::mutex mu_;                      // guards join/leave and orphans_
  std::vector<Participant::Retired> orphans_;
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
