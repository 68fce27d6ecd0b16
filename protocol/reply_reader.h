// Replies as values: RespValue, one reply as a tree, and the two ways between it and bytes. The
// reader turns RESP2/RESP3 bytes back into values, the other half of ReplyWriter: a client with no
// socket (server/reply_capture.h) runs a command, drains the bytes its writer produced and reads
// them here, so that tests compare values instead of bytes, and so that EXEC or a script's
// redis.call can hand replies on (Redis converts its fake client's reply to Lua values the same
// way). write_reply() goes the other way, through a ReplyWriter, so that a captured reply or a
// script's result is replayed in the caller's protocol. The scripting layer builds and reads the
// same type (redis.call's result, a script's reply). Not a hot path: a reply is read from its first
// byte on every call, and one that is not complete yet is reported (kNeedMore) rather than resumed.
// No libuv, no storage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/request_parser.h"  // ParseStatus

namespace respite::protocol {

class ReplyWriter;

// One reply as a tree. The wire forms of null stay apart (RESP2's $-1 and *-1, RESP3's _) so that
// a test can tell which one a command sent, and because a script sees false for the first two and
// nil for the third; is_null() covers all three.
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
  // kSimple, kError ("CODE message", no leading '-'), kBulk, kVerbatim (the text after "fmt:"),
  // kBigNumber (its digits) and kDouble (its text, e.g. "1.5", "inf": as sent when read, Redis's
  // %.17g form when built by double_of, so that the two compare equal).
  std::string str;
  // kInteger; kBoolean as 0 or 1, its only representation (the reader and boolean_of alike), so
  // that a read #t and a built true compare equal.
  int64_t integer = 0;
  double dbl = 0;                   // kDouble; what write_reply sends
  std::string format;               // kVerbatim: "txt", "mkd"
  std::vector<RespValue> elements;  // kArray, kSet, kPush; kMap flattened

  // Builders, one per type, named after it. The numeric ones take an _of suffix because
  // `integer` and `dbl` already name fields; boolean_of follows them. A default RespValue is
  // RESP3's null, as null() returns.
  static RespValue null() { return RespValue{}; }
  static RespValue null_bulk() { return of(Type::kNullBulk); }
  static RespValue null_array() { return of(Type::kNullArray); }
  static RespValue simple(std::string s) { return text(Type::kSimple, std::move(s)); }
  static RespValue error(std::string s) { return text(Type::kError, std::move(s)); }
  static RespValue bulk(std::string s) { return text(Type::kBulk, std::move(s)); }
  static RespValue big_number(std::string digits) {
    return text(Type::kBigNumber, std::move(digits));
  }
  static RespValue verbatim(std::string fmt, std::string s);
  static RespValue integer_of(int64_t v) {
    RespValue r = of(Type::kInteger);
    r.integer = v;
    return r;
  }
  static RespValue double_of(double d);  // fills str too; see above
  static RespValue boolean_of(bool b) {
    RespValue r = of(Type::kBoolean);
    r.integer = b ? 1 : 0;
    return r;
  }
  static RespValue array(std::vector<RespValue> v) { return list(Type::kArray, std::move(v)); }
  // kv holds key, value, key, value, ...
  static RespValue map(std::vector<RespValue> kv) { return list(Type::kMap, std::move(kv)); }
  static RespValue set(std::vector<RespValue> v) { return list(Type::kSet, std::move(v)); }
  static RespValue push(std::vector<RespValue> v) { return list(Type::kPush, std::move(v)); }

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

 private:
  static RespValue of(Type t) {
    RespValue r;
    r.type = t;
    return r;
  }
  static RespValue text(Type t, std::string s) {
    RespValue r = of(t);
    r.str = std::move(s);
    return r;
  }
  static RespValue list(Type t, std::vector<RespValue> v) {
    RespValue r = of(t);
    r.elements = std::move(v);
    return r;
  }
};
// to_string(), for test frameworks and logs that print with operator<< (doctest does).
std::ostream& operator<<(std::ostream& os, const RespValue& v);

// Writes v as a reply in out's protocol, so that RESP2/RESP3 differences stay in the writer: a map
// becomes a flat array and a set or push a plain array in RESP2, a boolean :1/:0, a double a bulk
// string (from dbl), a big number a bulk string; every null is out.null() except kNullArray
// (out.null_array()), so RESP3 sends _ for each. A verbatim string goes out as ReplyWriter's
// verbatim(), whose format is always "txt" (format is not sent).
void write_reply(ReplyWriter& out, const RespValue& v);

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
