// Epoch-based reclamation: see epoch.h for the contract and the cost. The implementation keeps one
// cache-line sized announcement slot per participant and a per-participant FIFO of retired objects,
// so that neither pinning nor retiring touches memory shared with other workers except the slot
// itself (and a read of the global epoch).
#include "storage/epoch.h"

#include <cassert>
#include <cstdlib>

namespace respite::storage {

namespace {
// Scanning every slot costs a few hundred nanoseconds; unpin() only looks at the retired objects
// once this much is waiting, and after a failed advance scans again only after this many more
// retirements (or once the epoch has moved): at most one scan per this many objects while stuck.
constexpr size_t kCollectThreshold = 256;
}  // namespace

void Participant::RetiredQueue::add_chunk() {
  Chunk* c = spare_ != nullptr ? spare_ : new Chunk;
  spare_ = nullptr;
  c->next = nullptr;
  if (tail_ == nullptr) {
    head_ = c;
    hi_ = 0;
  } else {
    tail_->next = c;
  }
  tail_ = c;
  ti_ = 0;
}

void Participant::RetiredQueue::pop_front() {
  assert(!empty());
  hi_++;
  popped_++;
  if (hi_ == kChunk) {  // the head chunk is drained: keep it as the spare or give it back
    Chunk* c = head_;
    head_ = c->next;
    hi_ = 0;
    if (head_ == nullptr) tail_ = nullptr;
    if (spare_ == nullptr) {
      spare_ = c;
    } else {
      delete c;
    }
  } else if (empty()) {
    hi_ = ti_ = 0;  // one chunk, now empty: start it over rather than fill the rest first
  }
}

void Participant::RetiredQueue::clear() {
  while (head_ != nullptr) {
    Chunk* c = head_;
    head_ = c->next;
    delete c;
  }
  delete spare_;
  tail_ = spare_ = nullptr;
  hi_ = ti_ = 0;
  popped_ = pushed_;
}

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
  if (retired_.empty() || (retired_.size() < kCollectThreshold && !eager_)) return;
  uint64_t now = mgr_->global_.load(std::memory_order_seq_cst);
  if (eager_ && retired_.back().epoch + 2 > now) {
    // Two advances make everything we retired safe when no one else is reading: this batch's
    // objects, stamped with the epoch we held, need the global epoch two past it.
    if (mgr_->try_advance()) mgr_->try_advance();
    now = mgr_->global_.load(std::memory_order_seq_cst);
  } else if (retired_.front().epoch + 2 > now) {
    // The oldest object is not safe yet: only an advance can help. Skip the slot scan when the
    // last one failed at this same epoch and we have retired little since (a long reader).
    if (now == stuck_epoch_ && retired_.pushed() - stuck_pushed_ < kCollectThreshold) return;
    if (!mgr_->try_advance()) {
      // Remember the epoch we tried from: if the attempt failed only because another participant
      // advanced first, the epoch has moved and the next unpin tries again.
      stuck_epoch_ = now;
      stuck_pushed_ = retired_.pushed();
    }
    now = mgr_->global_.load(std::memory_order_seq_cst);
  }
  free_safe(now);
}

void Participant::retire(void* p, Deleter fn, int64_t bytes) {
  // Store-load barrier: the unlink (a release store, not seq_cst) must be ordered before the load
  // of the epoch that stamps the object, or the load may read an epoch older than the unlink's
  // visibility (x86 lets a load pass an earlier buffered store) and the object be freed early.
  // With the fence in pin(), either a reader sees the unlink or the stamp is late enough.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  uint64_t e = mgr_->global_.load(std::memory_order_seq_cst);
  // Successive loads of one atomic on one thread never go back, so the queue stays in epoch order.
  assert(retired_.empty() || e >= retired_.back().epoch);
  retired_.push_back({p, fn, e, bytes});
  if (bytes != 0) {
    retired_bytes_->store(retired_bytes_->load(std::memory_order_relaxed) + bytes,
                          std::memory_order_relaxed);
  }
}

size_t Participant::collect() {
  mgr_->try_advance();  // always, even with nothing of ours pending: it also frees the orphans
  return free_safe(mgr_->global_.load(std::memory_order_seq_cst));
}

size_t Participant::free_safe(uint64_t now) {
  size_t freed = 0;
  while (!retired_.empty()) {
    Retired r = retired_.front();
    if (r.epoch + 2 > now) break;  // in epoch order: nothing behind it is safe either
    retired_.pop_front();
    r.fn(r.p);
    // After the free, not before: a deleter that hands the object on (to the lazy-free thread)
    // has counted it there already, so the total never dips below what is still allocated.
    if (r.bytes != 0) {
      retired_bytes_->store(retired_bytes_->load(std::memory_order_relaxed) - r.bytes,
                            std::memory_order_relaxed);
    }
    freed++;
  }
  return freed;
}

EpochManager::EpochManager() = default;

EpochManager::~EpochManager() {
  std::lock_guard<std::mutex> lock(mu_);
  for (Participant* p : all_) {
    p->retired_.for_each([](const Participant::Retired& r) { r.fn(r.p); });
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
      p->bytes_ = &slots_[i].bytes;
      p->retired_bytes_ = &slots_[i].retired;
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
  p->retired_.for_each([this](const Participant::Retired& r) { orphans_.push_back(r); });
  p->retired_.clear();
  // The bytes go with the objects: the slot's count, now the orphans', is zero for its next owner.
  orphan_bytes_.store(orphan_bytes_.load(std::memory_order_relaxed) +
                          p->retired_bytes_->load(std::memory_order_relaxed),
                      std::memory_order_relaxed);
  p->retired_bytes_->store(0, std::memory_order_relaxed);
  for (size_t i = 0; i < kMaxParticipants; i++) {
    if (&slots_[i].announce == p->announce_) slots_[i].used.store(false, std::memory_order_release);
  }
  std::erase(all_, p);
  delete p;
  // Orphans are freed by whoever advances next (below) or at destruction.
}

int64_t EpochManager::retired_bytes() const {
  int64_t n = orphan_bytes_.load(std::memory_order_relaxed);
  size_t hw = high_water_.load(std::memory_order_acquire);
  for (size_t i = 0; i < hw; i++) n += slots_[i].retired.load(std::memory_order_relaxed);
  return n;
}

int64_t EpochManager::accounted_bytes() const {
  int64_t n = 0;
  size_t hw = high_water_.load(std::memory_order_acquire);
  for (size_t i = 0; i < hw; i++) n += slots_[i].bytes.load(std::memory_order_relaxed);
  return n;
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
    int64_t freed_bytes = 0;
    for (auto& r : orphans_) {
      if (r.epoch + 2 <= now) {
        r.fn(r.p);
        freed_bytes += r.bytes;
      } else {
        orphans_[kept++] = r;
      }
    }
    orphans_.resize(kept);
    if (freed_bytes != 0) {
      orphan_bytes_.store(orphan_bytes_.load(std::memory_order_relaxed) - freed_bytes,
                          std::memory_order_relaxed);
    }
    mu_.unlock();
  }
  return advanced;
}

}  // namespace respite::storage
