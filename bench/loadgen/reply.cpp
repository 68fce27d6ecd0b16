// The skipper's state machine. Lines are found with memchr (the common case: a whole "+OK\r\n" or
// "$3\r\n" in the buffer); numbers are accumulated digit by digit so that a header split between
// two reads needs no carry buffer. Lengths above 2^40 are refused as protocol errors: no server
// sends a terabyte bulk to a benchmark, and the cap keeps the arithmetic far from overflow.
#include "bench/loadgen/reply.h"

#include <algorithm>
#include <cstring>

namespace respite::bench {

bool ReplySkipper::element_done() {
  state_ = State::kType;
  while (depth_ > 0) {
    if (--left_[depth_ - 1] > 0) return false;
    depth_--;
  }
  return true;
}

ReplySkipper::Status ReplySkipper::feed(const char* p, size_t len, size_t& consumed) {
  constexpr int64_t kMaxLength = int64_t{1} << 40;
  size_t i = 0;
  while (i < len) {
    switch (state_) {
      case State::kType: {
        type_ = p[i++];
        if (depth_ == 0) {
          reply_error_ = false;
          error_len_ = 0;
        }
        switch (type_) {
          case '-':
            line_is_error_ = depth_ == 0;
            if (line_is_error_) reply_error_ = true;
            state_ = State::kLine;
            break;
          case '+':
          case '_':
          case '#':
          case ',':
          case '(':
            line_is_error_ = false;
            state_ = State::kLine;
            break;
          case ':':
          case '$':
          case '=':
          case '!':
          case '*':
          case '~':
          case '>':
          case '%':
            number_ = 0;
            negative_ = false;
            state_ = State::kNumber;
            break;
          default:  // '|' (attributes) included: a benchmark never asks for them
            consumed = i;
            return Status::kProtocolError;
        }
        break;
      }

      case State::kNumber: {
        while (i < len) {
          const char c = p[i++];
          if (c >= '0' && c <= '9') {
            number_ = number_ * 10 + (c - '0');
            if (number_ > kMaxLength && type_ != ':') {
              consumed = i;
              return Status::kProtocolError;
            }
            if (number_ > (int64_t{1} << 58))
              number_ = int64_t{1} << 58;  // ':' values: only skipped
          } else if (c == '-') {
            negative_ = true;
          } else if (c == '\n') {
            const int64_t v = negative_ ? -number_ : number_;
            switch (type_) {
              case ':':
                if (element_done()) {
                  consumed = i;
                  return Status::kReply;
                }
                break;
              case '$':
              case '=':
              case '!':
                if (v < 0) {  // null bulk
                  if (element_done()) {
                    consumed = i;
                    return Status::kReply;
                  }
                } else {
                  if (type_ == '!' && depth_ == 0) reply_error_ = true;
                  bulk_left_ = static_cast<uint64_t>(v) + 2;
                  state_ = State::kBulk;
                }
                break;
              default: {  // aggregates
                const int64_t elements = type_ == '%' ? v * 2 : v;
                if (elements <= 0) {  // empty or null aggregate: complete as it is
                  if (element_done()) {
                    consumed = i;
                    return Status::kReply;
                  }
                } else {
                  if (depth_ == kMaxDepth) {
                    consumed = i;
                    return Status::kProtocolError;
                  }
                  left_[depth_++] = elements;
                  state_ = State::kType;
                }
              }
            }
            break;
          } else if (c != '\r') {
            consumed = i;
            return Status::kProtocolError;
          }
        }
        break;
      }

      case State::kLine: {
        const char* nl = static_cast<const char*>(std::memchr(p + i, '\n', len - i));
        const size_t end = nl ? static_cast<size_t>(nl - p) : len;
        if (line_is_error_) {
          const size_t room = kErrorCapture - error_len_;
          const size_t take = std::min(room, end - i);
          std::memcpy(error_ + error_len_, p + i, take);
          error_len_ += take;
        }
        if (!nl) {
          consumed = len;
          return Status::kNeedMore;
        }
        i = end + 1;
        if (line_is_error_ && error_len_ > 0 && error_[error_len_ - 1] == '\r') error_len_--;
        if (element_done()) {
          consumed = i;
          return Status::kReply;
        }
        break;
      }

      case State::kBulk: {
        const uint64_t take = std::min<uint64_t>(bulk_left_, len - i);
        i += take;
        bulk_left_ -= take;
        if (bulk_left_ == 0 && element_done()) {
          consumed = i;
          return Status::kReply;
        }
        break;
      }
    }
  }
  consumed = len;
  return Status::kNeedMore;
}

}  // namespace respite::bench
