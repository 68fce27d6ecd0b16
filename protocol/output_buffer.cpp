// The output chain: a singly linked list of segments, each either a 16 KiB block that replies are
// copied into, or a reference to a large value owned elsewhere. A block is one allocation (header
// and bytes together) of exactly kBlockSize bytes, a size every allocator serves without waste; the
// rare reserve() larger than a block's room gets a one-off block of its own. Emptied blocks go to
// the worker's pool (block_pool.h), so that a connection holds blocks only while it has output
// waiting, and answering batch after batch does not call malloc for each.
#include "protocol/output_buffer.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace respite::protocol {

OutputBuffer::~OutputBuffer() {
  clear();
}

// Takes a pooled block, or allocates one with at least `room` bytes, and links it at the tail.
OutputBuffer::Segment* OutputBuffer::new_block(size_t room) {
  // The header costs a block under 0.5% of its room.
  static_assert(sizeof(Segment) <= 64 && kBlockSize - sizeof(Segment) >= kRefThreshold);
  size_t alloc = kBlockSize;
  Segment* s = nullptr;
  if (room > kBlockSize - sizeof(Segment))
    alloc = sizeof(Segment) + room;
  else if (pool_ != nullptr)
    s = static_cast<Segment*>(pool_->take());
  if (s == nullptr) {
    s = static_cast<Segment*>(std::malloc(alloc));
    if (s == nullptr) throw std::bad_alloc();
  }
  s->next = nullptr;
  s->read = s->bytes();
  s->write = s->bytes();
  s->end = reinterpret_cast<char*>(s) + alloc;
  s->release = nullptr;
  s->ctx = nullptr;
  s->held = alloc;
  link(s);
  memory_ += alloc;
  return s;
}

void OutputBuffer::link(Segment* s) {
  if (tail_ == nullptr) {
    head_ = s;
  } else {
    tail_->next = s;
  }
  tail_ = s;
}

void OutputBuffer::free_segment(Segment* s) {
  memory_ -= s->held;
  if (s->release != nullptr) {
    Release release = s->release;
    void* ctx = s->ctx;
    std::free(s);
    release(ctx);  // last, so that a callback that throws or re-enters finds the chain consistent
    return;
  }
  if (s->held != kBlockSize || pool_ == nullptr || !pool_->give(s)) std::free(s);
}

void OutputBuffer::append_slow(const char* src, size_t n) {
  Segment* t = tail_;
  while (n > 0) {
    if (t == nullptr || t->room() == 0) t = new_block(0);
    size_t k = n < t->room() ? n : t->room();
    memcpy(t->write, src, k);
    t->write += k;
    size_ += k;
    src += k;
    n -= k;
  }
}

char* OutputBuffer::reserve_slow(size_t n) {
  return new_block(n)->write;
}

void OutputBuffer::append_ref(const char* data, size_t n, Release release, void* ctx) {
  if (n == 0) {  // nothing will ever be written, so the bytes are done with now
    if (release != nullptr) release(ctx);
    return;
  }
  auto* s = static_cast<Segment*>(std::malloc(sizeof(Segment)));
  if (s == nullptr) throw std::bad_alloc();
  s->next = nullptr;
  s->read = data;
  s->write = const_cast<char*>(data) + n;  // never written through: a reference is read-only
  s->end = s->write;
  // A null callback would make this segment look like a block; a no-op keeps the two apart.
  s->release = release != nullptr ? release : [](void*) {};
  s->ctx = ctx;
  s->held = n;
  link(s);
  memory_ += n;
  size_ += n;
}

size_t OutputBuffer::gather(struct iovec* iov, size_t max) const {
  size_t k = 0;
  for (Segment* s = head_; s != nullptr && k < max; s = s->next) {
    size_t n = s->pending();
    if (n == 0) continue;
    iov[k].iov_base = const_cast<char*>(s->read);
    iov[k].iov_len = n;
    ++k;
  }
  return k;
}

void OutputBuffer::consume(size_t n) {
  if (n > size_) n = size_;
  size_ -= n;
  while (head_ != nullptr) {
    Segment* s = head_;
    size_t pending = s->pending();
    if (n < pending) {
      s->read += n;
      return;
    }
    n -= pending;
    head_ = s->next;
    if (head_ == nullptr) tail_ = nullptr;
    free_segment(s);
  }
}

void OutputBuffer::drain_to(std::string* dst) {
  dst->reserve(dst->size() + size_);
  for (Segment* s = head_; s != nullptr; s = s->next) dst->append(s->read, s->pending());
  consume(size_);
}

void OutputBuffer::clear() {
  while (head_ != nullptr) {
    Segment* s = head_;
    head_ = s->next;
    if (head_ == nullptr) tail_ = nullptr;
    free_segment(s);
  }
  tail_ = nullptr;
  size_ = 0;
}

}  // namespace respite::protocol
