// Epoch-based reclamation: see epoch.h for the contract. The implementation keeps one cache-line
// sized announcement slot per participant and a per-participant list of retired objects, so that
// neither pinning nor retiring touches memory shared with other workers except the slot itself.
#include "storage/epoch.h"

#include <cassert>
#include <cstdlib>

namespace respite::storage {

namespace {
// Scanning every slot costs a few hundred nanoseconds; only do it once this much is waiting.
constexpr size_t kCollectThreshold = 256;
}  // namespace

void Participant::pin() {
  if (depth_++ > 0) return;
  // Announce the epoch we read. If the global epoch moves on between the load and the store, the
  // stale announcement only holds the next advance back, which is safe.
  uint64_t e = mgr_->global_.load(std::memory_order_seq_cst);
  announce_->store(e, std::memory_order_seq_cst);
  // Store-load barrier: our announcement is ordered before the (acquire, not seq_cst) loads of
  // the section we are entering. Pairs with the fence in retire().
  std::atomic_thread_fence(std::memory_order_seq_cst);
}

void Participant::unpin() {
  assert(depth_ > 0);
  if (--depth_ > 0) return;
  announce_->store(0, std::memory_order_release);  // leaving: later reads are not ours to protect
  if (retired_.size() >= kCollectThreshold) collect();
}

void Participant::retire(void* p, Deleter fn) {
  // Store-load barrier: the unlink (a release store, not seq_cst) must be ordered before the load
  // of the epoch that stamps the object, or the load may read an epoch older than the unlink's
  // visibility (x86 lets a load pass an earlier buffered store) and the object be freed early.
  // With the fence in pin(), either a reader sees the unlink or the stamp is late enough.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  retired_.push_back({p, fn, mgr_->global_.load(std::memory_order_seq_cst)});
}

size_t Participant::collect() {
  mgr_->try_advance();
  uint64_t now = mgr_->global_.load(std::memory_order_seq_cst);
  size_t kept = 0, freed = 0;
  for (size_t i = 0; i < retired_.size(); i++) {
    Retired r = retired_[i];
    if (r.epoch + 2 <= now) {
      r.fn(r.p);
      freed++;
    } else {
      retired_[kept++] = r;
    }
  }
  retired_.resize(kept);
  return freed;
}

EpochManager::EpochManager() = default;

EpochManager::~EpochManager() {
  std::lock_guard<std::mutex> lock(mu_);
  for (Participant* p : all_) {
    for (auto& r : p->retired_) r.fn(r.p);
    delete p;
  }
  for (auto& r : orphans_) r.fn(r.p);
}

Participant* EpochManager::join() {
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < kMaxParticipants; i++) {
    bool expected = false;
    if (slots_[i].used.compare_exchange_strong(expected, true)) {
      auto* p = new Participant();
      p->mgr_ = this;
      p->announce_ = &slots_[i].announce;
      all_.push_back(p);
      size_t hw = high_water_.load(std::memory_order_relaxed);
      if (i + 1 > hw) high_water_.store(i + 1, std::memory_order_seq_cst);
      return p;
    }
  }
  std::abort();  // more threads than kMaxParticipants touching one store: a configuration bug
}

void EpochManager::leave(Participant* p) {
  assert(!p->pinned());
  std::lock_guard<std::mutex> lock(mu_);
  orphans_.insert(orphans_.end(), p->retired_.begin(), p->retired_.end());
  for (size_t i = 0; i < kMaxParticipants; i++) {
    if (&slots_[i].announce == p->announce_) slots_[i].used.store(false, std::memory_order_release);
  }
  std::erase(all_, p);
  delete p;
  // Orphans are freed by whoever advances next (below) or at destruction.
}

bool EpochManager::try_advance() {
  uint64_t e = global_.load(std::memory_order_seq_cst);
  size_t hw = high_water_.load(std::memory_order_seq_cst);
  for (size_t i = 0; i < hw; i++) {
    uint64_t a = slots_[i].announce.load(std::memory_order_seq_cst);
    if (a != 0 && a != e) return false;  // someone is still reading in an older epoch
  }
  bool advanced = global_.compare_exchange_strong(e, e + 1, std::memory_order_seq_cst);
  if (advanced && mu_.try_lock()) {
    // Free orphans that are now safe; try_lock because this runs on a worker's hot path.
    uint64_t now = e + 1;
    size_t kept = 0;
    for (auto& r : orphans_) {
      if (r.epoch + 2 <= now)
        r.fn(r.p);
      else
        orphans_[kept++] = r;
    }
    orphans_.resize(kept);
    mu_.unlock();
  }
  return advanced;
}

}  // namespace respite::storage
