// A RESP reply skipper: finds where each reply ends without building it.
//
// The load generator only needs to know that a reply is complete and whether it was an error, so
// this is a resumable state machine over the bytes as they arrive: it never copies, never allocates
// and never rescans (a reply split across reads continues where it stopped, digit by digit if
// need be). Bulk payloads are skipped by arithmetic, so a 600-element LRANGE costs a few hundred
// header bytes of work. Aggregates nest through a fixed stack of element counts. RESP2 and the
// RESP3 types a server may send are understood; an error reply's first bytes are kept for -e.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace respite::bench {

class ReplySkipper {
 public:
  enum class Status { kNeedMore, kReply, kProtocolError };
  static constexpr int kMaxDepth = 32;
  static constexpr size_t kErrorCapture = 200;

  // Consumes bytes from [p, p + len) until one top-level reply is complete (kReply) or the input
  // runs out (kNeedMore, everything consumed). `consumed` is set either way.
  Status feed(const char* p, size_t len, size_t& consumed);

  // About the reply just completed.
  bool was_error() const { return reply_error_; }
  std::string_view error_text() const { return {error_, error_len_}; }

  void reset() { *this = ReplySkipper(); }

 private:
  enum class State : uint8_t {
    kType,    // expecting a type byte
    kNumber,  // reading the decimal after $ * : % ~ > = !  (up to '\n')
    kLine,    // skipping a simple string / error / RESP3 scalar line (up to '\n')
    kBulk,    // skipping a bulk payload and its CRLF
  };

  // One element finished: pop completed aggregates; true when the top-level reply is complete.
  bool element_done();

  State state_ = State::kType;
  char type_ = 0;
  bool negative_ = false;
  bool line_is_error_ = false;
  bool reply_error_ = false;
  bool error_in_progress_ = false;  // the top-level reply is an error (set on its first byte)
  int64_t number_ = 0;
  uint64_t bulk_left_ = 0;
  int depth_ = 0;
  int64_t left_[kMaxDepth];  // elements still expected at each open aggregate
  char error_[kErrorCapture];
  size_t error_len_ = 0;
};

}  // namespace respite::bench
