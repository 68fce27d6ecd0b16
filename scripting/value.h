// A reply as a small value tree: what redis.call() gets back from the server and what a script
// returns to its caller. The interpreter converts between it and Lua values with Redis's rules;
// the server fills it from a captured command reply (a RESP reply reader can produce it directly:
// each RESP2/RESP3 type has one kind here) and writes it with ReplyWriter via write_value(). It
// stays a plain tree of std::string and std::vector because scripts' replies are small and built
// once; speed matters in the interpreter's conversions, not here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace respite::protocol {
class ReplyWriter;
}

namespace respite::scripting {

struct Value {
  enum class Type : uint8_t {
    kNullBulk,   // RESP2 $-1   -> Lua false
    kNullArray,  // RESP2 *-1   -> Lua false
    kNull,       // RESP3 _     -> Lua nil; as a script's result, the caller's null
    kInteger,    // :n          <-> Lua number (truncated on the way back)
    kBulk,       // $len bytes  <-> Lua string
    kStatus,     // +text       <-> {ok=text}
    kError,      // -CODE msg   <-> {err="CODE msg"}; str holds "CODE msg", no leading '-'
    kArray,      // *n          <-> Lua array (a script's array stops at its first nil)
    kMap,        // RESP3 %n    <-> {map={k=v}}; elems holds key, value, key, value, ...
    kSet,        // RESP3 ~n    <-> {set={k=true}}
    kDouble,     // RESP3 ,d    <-> {double=d}
    kBoolean,    // RESP3 #t/#f <-> Lua boolean (RESP3 only; under RESP2 a script's true is 1)
    kBigNumber,  // RESP3 (n    <-> {big_number="n"}
    kVerbatim,   // RESP3 =len fmt:text <-> {verbatim_string={format=fmt, string=text}}
  };

  Type type = Type::kNull;
  bool boolean = false;
  int64_t integer = 0;
  double dbl = 0;
  std::string str;     // bulk, status, error, big number, verbatim text
  std::string format;  // verbatim format ("txt", "mkd")
  std::vector<Value> elems;

  static Value null() { return Value{}; }
  static Value null_bulk() { return of(Type::kNullBulk); }
  static Value null_array() { return of(Type::kNullArray); }
  static Value integer_of(int64_t v) {
    Value r = of(Type::kInteger);
    r.integer = v;
    return r;
  }
  static Value bulk(std::string s) { return text(Type::kBulk, std::move(s)); }
  static Value status(std::string s) { return text(Type::kStatus, std::move(s)); }
  static Value error(std::string s) { return text(Type::kError, std::move(s)); }
  static Value big_number(std::string s) { return text(Type::kBigNumber, std::move(s)); }
  static Value double_of(double d) {
    Value r = of(Type::kDouble);
    r.dbl = d;
    return r;
  }
  static Value boolean_of(bool b) {
    Value r = of(Type::kBoolean);
    r.boolean = b;
    return r;
  }
  static Value verbatim(std::string fmt, std::string s) {
    Value r = text(Type::kVerbatim, std::move(s));
    r.format = std::move(fmt);
    return r;
  }
  static Value array(std::vector<Value> v) { return list(Type::kArray, std::move(v)); }
  static Value map(std::vector<Value> kv) { return list(Type::kMap, std::move(kv)); }
  static Value set(std::vector<Value> v) { return list(Type::kSet, std::move(v)); }

  bool is_error() const { return type == Type::kError; }
  bool operator==(const Value&) const = default;

 private:
  static Value of(Type t) {
    Value r;
    r.type = t;
    return r;
  }
  static Value text(Type t, std::string s) {
    Value r = of(t);
    r.str = std::move(s);
    return r;
  }
  static Value list(Type t, std::vector<Value> v) {
    Value r = of(t);
    r.elems = std::move(v);
    return r;
  }
};

// Writes v as a reply in the writer's protocol (RESP2 or RESP3; a map becomes a flat array in
// RESP2, as ReplyWriter does for every command).
void write_value(protocol::ReplyWriter& out, const Value& v);

}  // namespace respite::scripting
