// A reply from a Redis-protocol server as a plain value (Reply): easy to compare in assertions, and
// printed like `redis-cli --no-raw` so that a failing check or a differential mismatch shows both
// sides in a form anyone who knows redis-cli can read.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace respite::test {

// ---------------------------------------------------------------------------------------------
// Replies

// One reply, as a value: easy to compare in assertions and to print when they fail.
struct Reply {
  enum class Type : uint8_t { kString, kArray, kInteger, kNil, kStatus, kError };

  Type type = Type::kNil;
  std::string str;  // kString, kStatus, kError
  long long integer = 0;
  std::vector<Reply> elements;

  static Reply Str(std::string_view s) { return {Type::kString, std::string(s), 0, {}}; }
  static Reply Status(std::string_view s) { return {Type::kStatus, std::string(s), 0, {}}; }
  static Reply Err(std::string_view s) { return {Type::kError, std::string(s), 0, {}}; }
  static Reply Int(long long v) { return {Type::kInteger, {}, v, {}}; }
  static Reply Nil() { return {}; }
  static Reply Arr(std::vector<Reply> elems) { return {Type::kArray, {}, 0, std::move(elems)}; }
  // An array of bulk strings, the most common shape (MGET, KEYS, ...).
  static Reply StrArr(std::initializer_list<std::string_view> elems);

  bool is_error() const { return type == Type::kError; }
  bool is_nil() const { return type == Type::kNil; }
  bool is_array() const { return type == Type::kArray; }
  bool is_ok() const { return type == Type::kStatus && str == "OK"; }

  // Like redis-cli --no-raw: "bar" (quoted and escaped), (integer) 1, (nil), (error) ERR x, OK,
  // and numbered, indented lines for arrays, (empty array) for an empty one.
  std::string to_string() const;

  friend bool operator==(const Reply& a, const Reply& b);
};
std::ostream& operator<<(std::ostream& os, const Reply& r);

// Quotes and escapes bytes the way redis-cli shows them ("a\x00b\r\n").
std::string quote_bytes(std::string_view s);
// `SET "k0" "v"`: a command's arguments quoted the way redis-cli shows bytes.
std::string format_command(const std::vector<std::string>& args);

}  // namespace respite::test
