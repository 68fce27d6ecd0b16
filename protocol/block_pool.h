// Emptied output blocks kept for reuse by every connection of one worker. A connection's output
// chain (output_buffer.h) needs a block only while it has replies waiting to be written; once they
// are, the block comes back here, so an idle connection holds no output memory at all (a block per
// connection would cost 4-16 KiB of RSS for each of thousands of idle clients), while a worker that
// answers batch after batch still never calls malloc for one. Not thread-safe: one per worker, used
// only by that worker's connections.
#pragma once

#include <cstddef>

namespace respite::protocol {

class BlockPool {
 public:
  // At most `max_kept` blocks are kept; more are freed as they come back.
  explicit BlockPool(size_t max_kept = 16) : max_kept_(max_kept) {}
  ~BlockPool();
  BlockPool(const BlockPool&) = delete;
  BlockPool& operator=(const BlockPool&) = delete;

  // A block of OutputBuffer::kBlockSize bytes, or nullptr when none is kept.
  void* take() {
    Node* n = head_;
    if (n != nullptr) {
      head_ = n->next;
      --kept_;
    }
    return n;
  }
  // Keeps the block for reuse and returns true, or returns false (the caller frees it) when
  // max_kept blocks are kept already.
  bool give(void* block) {
    if (kept_ >= max_kept_) return false;
    Node* n = static_cast<Node*>(block);
    n->next = head_;
    head_ = n;
    ++kept_;
    return true;
  }
  size_t kept() const { return kept_; }

 private:
  struct Node {
    Node* next;
  };
  Node* head_ = nullptr;
  size_t kept_ = 0;
  size_t max_kept_;
};

}  // namespace respite::protocol
