// Reads RESP2 and RESP3 replies back into values: the other half of ReplyWriter. A client with no
// socket (server/reply_capture.h) runs a command, drains the bytes its writer produced and reads
// them here, so that tests compare values instead of bytes, and so that EXEC or a script's
// redis.call can hand replies on (Redis converts its fake client's reply to Lua values the same
// way). Not a hot path: a reply is read from its first byte on every call, and one that is not
// complete yet is reported (kNeedMore) rather than resumed. No libuv, no storage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/request_parser.h"  // ParseStatus

namespace respite::protocol {

// One reply as a tree. The wire forms of null stay apart (RESP2's $-1 and *-1, RESP3's _) so that
// a test can tell which one a command sent; is_null() covers all three.
struct RespValue {
  enum class Type : uint8_t {
    kSimple,     // +text
    kError,      // -text, and RESP3's blob error !n
    kInteger,    // :n
    kBulk,       // $n
    kNullBulk,   // $-1 (RESP2)
    kNullArray,  // *-1 (RESP2)
    kNull,       // _ (RESP3)
    kDouble,     // ,d (RESP3)
    kBoolean,    // #t / #f (RESP3)
    kBigNumber,  // (digits (RESP3)
    kVerbatim,   // =n fmt:text (RESP3)
    kArray,      // *n
    kMap,        // %n (RESP3): elements are key, value, key, value, ...
    kSet,        // ~n (RESP3)
    kPush,       // >n (RESP3)
  };

  Type type = Type::kNull;
  // kSimple, kError, kBulk, kVerbatim (the text after "fmt:"), kBigNumber (its digits) and
  // kDouble (the text as sent, e.g. "1.5", "inf").
  std::string str;
  int64_t integer = 0;              // kInteger; kBoolean as 0 or 1
  double dbl = 0;                   // kDouble
  std::string format;               // kVerbatim: "txt", "mkd"
  std::vector<RespValue> elements;  // kArray, kSet, kPush; kMap flattened

  bool is_null() const {
    return type == Type::kNull || type == Type::kNullBulk || type == Type::kNullArray;
  }
  bool is_error() const { return type == Type::kError; }
  bool is_aggregate() const {
    return type == Type::kArray || type == Type::kMap || type == Type::kSet || type == Type::kPush;
  }
  // One line for assertion messages: OK, (error) ERR x, (integer) 3, "bar", (nil), (double) 1.5,
  // (true), [a, b], {k: v, ...}, ~[...] for a set, >[...] for a push.
  std::string to_string() const;

  friend bool operator==(const RespValue& a, const RespValue& b) = default;
};

class ReplyReader {
 public:
  // Deeper nesting than this is reported as an error rather than recursed into (Redis's replies
  // nest a handful of levels at most; COMMAND DOCS is among the deepest).
  static constexpr int kMaxDepth = 128;

  // Reads the reply that starts at in[0]. kOk: *out holds it and consumed() is its length;
  // kNeedMore: in holds only part of it; kError: in is not RESP there, error() says why. A RESP3
  // attribute (|n) before a reply is read and dropped.
  ParseStatus read(std::string_view in, RespValue* out);
  size_t consumed() const { return consumed_; }
  const std::string& error() const { return error_; }

 private:
  ParseStatus value(RespValue* out, int depth);
  ParseStatus line(std::string_view* text);  // up to the next CRLF, which it consumes
  ParseStatus length(std::string_view text, int64_t* n);
  ParseStatus blob(int64_t n, std::string_view* bytes);
  ParseStatus fail(std::string msg);

  std::string_view in_;
  size_t pos_ = 0;
  size_t consumed_ = 0;
  std::string error_;
};

// Every reply in bytes, in order. kNeedMore when the last one is incomplete, kError (with *error
// set) when one is malformed; out then holds the replies before it.
ParseStatus read_replies(std::string_view bytes, std::vector<RespValue>* out,
                         std::string* error = nullptr);

}  // namespace respite::protocol
