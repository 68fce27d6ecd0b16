// The output chain of one connection: replies are appended to fixed-size blocks that are written
// with one writev per batch; a large value is referenced rather than copied, and its owner is told
// (release callback) when the bytes have been written or dropped. No libuv, no storage: plain bytes
// and iovecs.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "protocol/block_pool.h"

namespace respite::protocol {

class OutputBuffer {
 public:
  static constexpr size_t kBlockSize = 16 * 1024;
  // Values at least this large may be appended by reference (append_ref) instead of copied.
  static constexpr size_t kRefThreshold = 8 * 1024;
  using Release = void (*)(void* ctx);

  // With a pool, emptied blocks go back to it (and new ones come from it); without one, each is
  // freed as soon as it is written.
  explicit OutputBuffer(BlockPool* pool = nullptr) : pool_(pool) {}
  ~OutputBuffer();
  OutputBuffer(const OutputBuffer&) = delete;
  OutputBuffer& operator=(const OutputBuffer&) = delete;

  void append(const void* data, size_t n);
  void append(std::string_view s) { append(s.data(), s.size()); }
  // Contiguous room for at least n bytes at the tail; commit(k) makes k of them part of the
  // output. Lets the reply writer format numbers straight into the chain. More than a block holds
  // gets a block of its own, of exactly that size (a value produced in place, bulk_in_place).
  char* reserve(size_t n);
  void commit(size_t n);
  // Appends bytes owned elsewhere; release(ctx) is called once they are written, or on
  // clear/destroy.
  void append_ref(const char* data, size_t n, Release release, void* ctx);

  size_t size() const { return size_; }  // bytes not yet consumed
  bool empty() const { return size_ == 0; }
  // Fills up to max iovecs with the pending bytes in order; returns how many were filled.
  size_t gather(struct iovec* iov, size_t max) const;
  // Drops the first n bytes (they were written), freeing blocks and releasing references.
  void consume(size_t n);
  // Appends every pending byte to dst, in order, and consumes them: how a connection with no
  // socket hands its replies to whoever runs its commands (server/reply_capture.h).
  void drain_to(std::string* dst);
  void clear();
  // Bytes held in memory by the chain (blocks allocated plus referenced values), for
  // client-output-buffer-limit and CLIENT LIST's omem.
  size_t memory() const { return memory_; }

 private:
  // A block (header followed by its bytes) or a reference to a value owned elsewhere. Defined here
  // so that the fast paths of append, reserve and commit inline into the reply writer.
  struct Segment {
    Segment* next;
    const char* read;  // first byte not yet consumed
    char* write;       // end of the bytes appended so far (for a reference: end of the value)
    char* end;         // end of the room (for a reference: == write, so nothing is appended to it)
    Release release;   // nullptr for a block
    void* ctx;
    size_t held;  // what memory() counts for this segment: allocation size, or the value's length

    char* bytes() { return reinterpret_cast<char*>(this + 1); }
    size_t pending() const { return static_cast<size_t>(write - read); }
    size_t room() const { return static_cast<size_t>(end - write); }
  };

  Segment* head_ = nullptr;
  Segment* tail_ = nullptr;
  BlockPool* pool_;  // where emptied blocks go for reuse: no malloc per batch
  size_t size_ = 0;
  size_t memory_ = 0;
  Segment* new_block(size_t room);
  void append_slow(const char* data, size_t n);
  char* reserve_slow(size_t n);
  void link(Segment* s);
  void free_segment(Segment* s);
};

inline void OutputBuffer::append(const void* data, size_t n) {
  if (tail_ != nullptr && tail_->room() >= n) {
    memcpy(tail_->write, data, n);
    tail_->write += n;
    size_ += n;
    return;
  }
  append_slow(static_cast<const char*>(data), n);
}

inline char* OutputBuffer::reserve(size_t n) {
  if (tail_ != nullptr && tail_->room() >= n) return tail_->write;
  return reserve_slow(n);
}

inline void OutputBuffer::commit(size_t n) {
  tail_->write += n;
  size_ += n;
}

}  // namespace respite::protocol
