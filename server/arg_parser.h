// ArgParser: walks a command's arguments from a given index, reading option words
// (case-insensitively), integers and floats with Redis's rules, and latches the first failure as
// an Err (errors.h) so that a handler parses straight through and replies the error once:
//
//   ArgParser p(c.argv, 3);
//   while (p.has_next()) {
//     if (p.check("RANK")) rank = p.next_int();
//     else if (p.check("COUNT")) count = p.next_int();
//     else p.fail(Err::kSyntax);
//   }
//   if (p.error() != Err::kOk) return c.error(p.error());
//
// After a failure every read returns a zero value, consumes nothing and has_next() is false, so
// loops end at once and the first error is the one reported, the order in which Redis checks.
// Header-only and allocation-free: SET and GETEX parse their options with it on the hot path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

#include "server/errors.h"
#include "storage/canonical_int.h"

namespace respite::server {

// Defined in context.cpp: Redis's strtod rules (no leading space, no trailing bytes, no NaN).
bool parse_double(std::string_view s, double* out);

class ArgParser {
 public:
  ArgParser(const std::vector<std::string_view>& argv, size_t first) : argv_(argv), at_(first) {}

  // Arguments left to read; false once an error has been latched.
  bool has_next() const { return err_ == Err::kOk && at_ < argv_.size(); }
  size_t remaining() const { return at_ < argv_.size() ? argv_.size() - at_ : 0; }
  // The index of the next argument to read.
  size_t index() const { return at_; }
  // The next argument, not consumed; empty when there is none.
  std::string_view peek() const { return at_ < argv_.size() ? argv_[at_] : std::string_view(); }

  // The next argument, consumed; a syntax error when there is none.
  std::string_view next() {
    if (!has_next()) return fail(Err::kSyntax), std::string_view();
    return argv_[at_++];
  }
  // True, consuming it, when the next argument is word (ASCII case-insensitive).
  bool check(std::string_view word) {
    if (!has_next() || !iequal(argv_[at_], word)) return false;
    at_++;
    return true;
  }
  // The position in words of the next argument (case-insensitive), consumed; -1, consuming
  // nothing and latching nothing, when it is none of them (the caller decides what that means).
  int switch_of(std::initializer_list<std::string_view> words) {
    if (!has_next()) return -1;
    int i = 0;
    for (std::string_view w : words) {
      if (iequal(argv_[at_], w)) {
        at_++;
        return i;
      }
      i++;
    }
    return -1;
  }

  // The next argument as a canonical int64 (Redis's string2ll); on failure latches `on_error`
  // (Redis's "value is not an integer or out of range" unless a command has its own text).
  int64_t next_int(Err on_error = Err::kNotInt) {
    std::string_view s = next();
    if (err_ != Err::kOk) return 0;
    int64_t v = 0;
    if (!storage::parse_canonical_int(s, &v)) return fail(on_error), 0;
    return v;
  }
  // An integer that must lie in [lo, hi]; anything else (not an integer included) latches
  // on_error, as Redis's getRangeLongFromObjectOrReply-style checks do.
  int64_t next_int_in(int64_t lo, int64_t hi, Err on_error) {
    int64_t v = next_int(on_error);
    if (err_ == Err::kOk && (v < lo || v > hi)) return fail(on_error), 0;
    return v;
  }
  // The next argument as a double with Redis's rules; kNotFloat (or on_error) on failure.
  double next_double(Err on_error = Err::kNotFloat) {
    std::string_view s = next();
    if (err_ != Err::kOk) return 0;
    double v = 0;
    if (!parse_double(s, &v)) return fail(on_error), 0;
    return v;
  }

  // Latches e unless an earlier error is latched already.
  void fail(Err e) {
    if (err_ == Err::kOk) err_ = e;
  }
  Err error() const { return err_; }
  bool ok() const { return err_ == Err::kOk; }

 private:
  static bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); i++) {
      unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
      if (static_cast<unsigned>(x - 'A') < 26u) x += 32;
      if (static_cast<unsigned>(y - 'A') < 26u) y += 32;
      if (x != y) return false;
    }
    return true;
  }

  const std::vector<std::string_view>& argv_;
  size_t at_;
  Err err_ = Err::kOk;
};

}  // namespace respite::server
