// The RESP request parser: multibulk and inline commands, parsed incrementally with Redis 7.0.15's
// exact acceptance rules and error texts (networking.c's processMultibulkBuffer and
// processInlineBuffer, util.c's string2ll, sds.c's sdssplitargs). The common shape,
// "$<digits>\r\n", takes a short hand-written fast path; anything unusual falls back to a slow path
// that reproduces Redis's rules byte for byte, including its use of strchr (a NUL before the line
// end hides it).
#include "protocol/request_parser.h"

#include <cstring>

namespace respite::protocol {
namespace {

// An untrusted element count never sizes an allocation beyond this; the vectors grow as elements
// really arrive.
constexpr size_t kMaxReserve = 1024;
// Vectors grown by one huge command are given back when the next one starts, so that one
// 1M-argument MSET does not pin 32 MB for the life of the connection.
constexpr size_t kShrinkAbove = 64 * 1024;

// The shortest limit applied to a "*<n>" or "$<len>" line: longer than any line fast_line takes.
constexpr size_t kMinLineCap = 64;

constexpr std::string_view kInvalidMultibulk = "ERR Protocol error: invalid multibulk length";
constexpr std::string_view kInvalidBulk = "ERR Protocol error: invalid bulk length";
constexpr std::string_view kBigMultibulk = "ERR Protocol error: too big mbulk count string";
constexpr std::string_view kBigBulk = "ERR Protocol error: too big bulk count string";
constexpr std::string_view kUnauthMultibulk =
    "ERR Protocol error: unauthenticated multibulk length";
constexpr std::string_view kUnauthBulk = "ERR Protocol error: unauthenticated bulk length";
constexpr std::string_view kBigInline = "ERR Protocol error: too big inline request";
constexpr std::string_view kUnbalanced = "ERR Protocol error: unbalanced quotes in request";

// Redis's string2ll: optional '-', no leading zeros ("0" alone excepted), no '+', fewer than 21
// bytes, and the value must fit in a signed 64-bit integer.
bool string_to_ll(const char* p, size_t n, int64_t* out) {
  if (n == 0 || n >= 21) return false;
  if (n == 1 && p[0] == '0') {
    *out = 0;
    return true;
  }
  size_t i = p[0] == '-' ? 1 : 0;
  if (i == n || p[i] < '1' || p[i] > '9') return false;
  uint64_t v = static_cast<uint64_t>(p[i++] - '0');
  for (; i < n; ++i) {
    unsigned d = static_cast<unsigned char>(p[i]) - unsigned{'0'};
    if (d > 9) return false;
    if (__builtin_mul_overflow(v, 10u, &v) || __builtin_add_overflow(v, d, &v)) return false;
  }
  if (p[0] == '-') {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *out = static_cast<int64_t>(~v + 1);  // modular in C++20, so INT64_MIN comes out right
  } else {
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

// The fast path for a "<type><digits>\r?" line at p, avail bytes available: a number without sign
// or leading zero, at most 18 digits (so it cannot overflow), then '\r' and one more byte (Redis
// only asks that the '\n' be present, not what it is). On success stores the number and returns the
// line's length; returns 0 when the slow path must decide (anything else, including "not enough
// bytes yet"). The caller has checked the type byte and that avail >= 4.
inline size_t fast_line(const char* p, size_t avail, int64_t* out) {
  unsigned d = static_cast<unsigned char>(p[1]) - unsigned{'0'};
  if (d > 9) return 0;
  if (p[2] == '\r') {  // one digit, the most common length of all
    *out = d;
    return 4;
  }
  if (d == 0) return 0;  // a leading zero: invalid, the slow path says so
  uint64_t v = d;
  // The '\r' may sit at index limit - 1 at most, so that the byte after it is there too.
  size_t limit = avail - 1 < 20 ? avail - 1 : 20;
  for (size_t i = 2; i < limit; ++i) {
    d = static_cast<unsigned char>(p[i]) - unsigned{'0'};
    if (d > 9) {
      if (p[i] != '\r') return 0;
      *out = static_cast<int64_t>(v);
      return i + 2;
    }
    v = v * 10 + d;
  }
  return 0;
}

// The isspace() set of the C locale, which sdssplitargs uses to skip blanks and to check what
// follows a closing quote.
inline bool is_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}
// What ends an unquoted inline token: deliberately narrower than is_space (\v and \f are kept).
inline bool ends_token(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

RequestParser::RequestParser(ParserLimits limits) : limits_(limits) {}

// Puts the resume state back to its initial values; only called when something changed it, so a
// command parsed whole in one call pays nothing for the state a split one needs.
void RequestParser::clear_progress() {
  if (offsets_.capacity() > kShrinkAbove) oversized_ = true;
  offsets_.clear();
  bytes_hint_ = 0;
  line_blocked_ = false;
  multibulk_len_ = -1;
  bulk_len_ = -1;
  parsed_ = 0;
  pos_ = 0;
  scan_ = 0;
  dirty_ = false;
}

// Gives back what one huge command made the vectors grow to.
void RequestParser::shrink() {
  std::vector<std::string_view>().swap(args_);
  std::vector<std::pair<size_t, size_t>>().swap(offsets_);
  std::string().swap(inline_scratch_);
  oversized_ = false;
}

void RequestParser::reset() {
  clear_progress();
  shrink();
  mode_ = Mode::kIdle;
  consumed_ = 0;
  failed_ = false;
  error_.clear();
}

ParseStatus RequestParser::fail(std::string_view msg) {
  failed_ = true;
  error_.assign(msg.data(), msg.size());
  args_.clear();
  consumed_ = 0;
  bytes_hint_ = 0;
  return ParseStatus::kError;
}

ParseStatus RequestParser::parse(const char* data, size_t len) {
  if (failed_) return ParseStatus::kError;
  if (mode_ == Mode::kIdle) {
    if (len == 0) return ParseStatus::kNeedMore;
    if (oversized_) shrink();  // args_ of the previous command are no longer in use
    mode_ = data[0] == '*' ? Mode::kMultibulk : Mode::kInline;
  }
  return mode_ == Mode::kMultibulk ? parse_multibulk(data, len) : parse_inline(data, len);
}

// Redis's rules for a "<type><number>\r\n" line starting at data[pos]: the line ends at the first
// '\r' (unless a NUL comes first, which strchr stops at), the byte after it must be present, then
// the type byte and the number are checked, in that order. With no end in max_inline_len bytes the
// line is too long. Bytes already searched are not searched again (scan_), so a line trickling in
// one byte per read costs linear time.
RequestParser::Line RequestParser::read_line(const char* data, size_t len, size_t pos, char type,
                                             int64_t* value, size_t* next) {
  dirty_ = true;  // scan_ and line_blocked_ change
  const char* line = data + pos;
  size_t avail = len - pos;
  // Never below the longest line the fast path accepts, or the outcome could depend on how the
  // bytes were split between reads.
  size_t cap = limits_.max_inline_len > kMinLineCap ? limits_.max_inline_len : kMinLineCap;
  if (!line_blocked_) {
    size_t window = avail > cap ? cap + 1 : avail;
    size_t from = scan_ > pos ? scan_ - pos : 0;
    if (from < window) {
      const void* cr = memchr(line + from, '\r', window - from);
      if (cr == nullptr) {
        scan_ = pos + window;
      } else {
        size_t i = static_cast<size_t>(static_cast<const char*>(cr) - line);
        if (memchr(line, '\0', i) != nullptr) {
          line_blocked_ = true;
        } else {
          if (i + 1 >= avail) {
            scan_ = pos + i;
            return Line::kNeedMore;
          }
          if (line[0] != type) return Line::kBadType;
          if (!string_to_ll(line + 1, i - 1, value)) return Line::kBadNumber;
          *next = pos + i + 2;
          scan_ = *next;
          return Line::kOk;
        }
      }
    }
  }
  return avail > cap ? Line::kTooLong : Line::kNeedMore;
}

// Arguments are stored as views into the data of the call that parsed them, in args_ sized ahead
// (to the element count, or less when that is large: it grows as elements really arrive), so that
// a pipeline of same-shaped commands never resizes it. When a call ends in kNeedMore, the views it
// added are turned into offsets (each once, so a command arriving in many pieces costs linear
// time); the call that completes the command re-creates those from the offsets. A command that
// arrives whole, the common case, never touches offsets_.
ParseStatus RequestParser::parse_multibulk(const char* data, size_t len) {
  size_t pos, count, idx;
  int64_t blen;
  size_t next;
  if (multibulk_len_ < 0) {
    int64_t n;
    size_t line = len >= 4 ? fast_line(data, len, &n) : 0;
    if (line != 0) {
      next = line;
    } else {
      // Separate locals, so that taking their address does not keep n and next out of registers.
      int64_t value;
      size_t end;
      switch (read_line(data, len, 0, '*', &value, &end)) {
        case Line::kOk:
          break;
        case Line::kNeedMore:
          return ParseStatus::kNeedMore;
        case Line::kTooLong:
          return fail(kBigMultibulk);
        default:
          return fail(kInvalidMultibulk);
      }
      n = value;
      next = end;
    }
    if (n <= 0) {  // "*0", "*-1": an empty command that the caller skips
      args_.clear();
      consumed_ = next;
      if (dirty_) clear_progress();
      mode_ = Mode::kIdle;
      return ParseStatus::kOk;
    }
    if (static_cast<uint64_t>(n) > limits_.max_multibulk_len) return fail(kInvalidMultibulk);
    if (limits_.unauthenticated && static_cast<uint64_t>(n) > kUnauthMaxMultibulk)
      return fail(kUnauthMultibulk);
    count = static_cast<size_t>(n);
    size_t want = count < kMaxReserve ? count : kMaxReserve;
    if (args_.size() != want) args_.resize(want);  // same-shaped commands skip the call
    pos = next;
    idx = 0;
    blen = -1;
  } else {
    count = static_cast<size_t>(multibulk_len_);
    pos = pos_;
    idx = parsed_;
    blen = bulk_len_;
  }

  // Locals, not members: stores into args_ could alias members and force reloads.
  const uint64_t max_bulk = limits_.unauthenticated && limits_.max_bulk_len > kUnauthMaxBulk
                                ? kUnauthMaxBulk
                                : limits_.max_bulk_len;
  std::string_view* out = args_.data();
  size_t room = args_.size();
  while (idx < count) {
    if (blen < 0) {
      const char* p = data + pos;
      size_t avail = len - pos;
      size_t line = avail >= 4 && p[0] == '$' ? fast_line(p, avail, &blen) : 0;
      if (line != 0) {
        next = pos + line;
      } else {
        int64_t value;
        size_t end;
        switch (read_line(data, len, pos, '$', &value, &end)) {
          case Line::kOk:
            break;
          case Line::kNeedMore:
            blen = -1;
            bytes_hint_ = 0;
            goto need_more;
          case Line::kTooLong:
            return fail(kBigBulk);
          case Line::kBadType: {
            // Redis formats the byte with %c and then maps CR/LF to spaces.
            char got = p[0] == '\r' || p[0] == '\n' ? ' ' : p[0];
            std::string msg = "ERR Protocol error: expected '$', got '";
            msg += got;
            msg += '\'';
            return fail(msg);
          }
          default:
            return fail(kInvalidBulk);
        }
        if (value < 0) return fail(kInvalidBulk);
        blen = value;
        next = end;
      }
      if (static_cast<uint64_t>(blen) > max_bulk)
        return fail(static_cast<uint64_t>(blen) > limits_.max_bulk_len ? kInvalidBulk
                                                                       : kUnauthBulk);
      pos = next;
    }
    size_t avail = len - pos;
    size_t need = static_cast<size_t>(blen);
    if (avail < 2 || need > avail - 2) {
      bytes_hint_ = need > SIZE_MAX - 2 - pos ? SIZE_MAX : pos + need + 2;
      goto need_more;
    }
    if (idx == room) {  // only for counts above kMaxReserve: grow with the elements that came
      room = count - room < room ? count : room * 2;
      args_.resize(room);
      out = args_.data();
      if (room > kShrinkAbove) oversized_ = true;
    }
    out[idx++] = std::string_view(data + pos, need);
    pos += need + 2;  // Redis skips the two bytes after the data without looking at them
    blen = -1;
  }

  if (dirty_) {
    // Arguments kept from earlier calls, whose data may have moved since.
    for (size_t i = 0, k = offsets_.size(); i < k; ++i) {
      out[i] = std::string_view(data + offsets_[i].first, offsets_[i].second);
    }
    clear_progress();
  }
  consumed_ = pos;
  mode_ = Mode::kIdle;
  return ParseStatus::kOk;

need_more:
  for (size_t i = offsets_.size(); i < idx; ++i) {
    offsets_.emplace_back(static_cast<size_t>(out[i].data() - data), out[i].size());
  }
  multibulk_len_ = static_cast<int64_t>(count);
  parsed_ = idx;
  pos_ = pos;
  bulk_len_ = blen;
  dirty_ = true;
  return ParseStatus::kNeedMore;
}

ParseStatus RequestParser::parse_inline(const char* data, size_t len) {
  size_t cap = limits_.max_inline_len;
  if (!line_blocked_) {
    size_t window = len > cap ? cap + 1 : len;
    if (scan_ < window) {
      const void* nl = memchr(data + scan_, '\n', window - scan_);
      if (nl == nullptr) {
        scan_ = window;
      } else {
        size_t i = static_cast<size_t>(static_cast<const char*>(nl) - data);
        if (memchr(data, '\0', i) != nullptr) {
          line_blocked_ = true;  // strchr would stop at the NUL: Redis waits for a line forever
        } else {
          size_t n = i > 0 && data[i - 1] == '\r' ? i - 1 : i;
          args_.clear();
          if (!split_inline(data, n)) return fail(kUnbalanced);
          if (args_.capacity() > kShrinkAbove || inline_scratch_.size() > kShrinkAbove) {
            oversized_ = true;
          }
          consumed_ = i + 1;
          if (dirty_) clear_progress();
          mode_ = Mode::kIdle;
          return ParseStatus::kOk;
        }
      }
    }
  }
  if (len > cap) return fail(kBigInline);
  dirty_ = true;  // scan_ or line_blocked_ moved on
  return ParseStatus::kNeedMore;
}

bool RequestParser::split_line(std::string_view line, std::vector<std::string>* out) {
  line = line.substr(0, line.find('\0'));
  RequestParser p;
  out->clear();
  if (!p.split_inline(line.data(), line.size())) return false;
  for (std::string_view a : p.args_) out->emplace_back(a);
  return true;
}

// sdssplitargs over line[0, n), which holds no NUL (the caller made sure), so the end of the line
// plays the part of the C string's terminator. Plain tokens view the line itself; a token with
// quotes is unescaped into inline_scratch_, sized once up front so that views into it stay valid.
bool RequestParser::split_inline(const char* s, size_t n) {
  auto at = [s, n](size_t k) -> char { return k < n ? s[k] : '\0'; };
  size_t w = 0;  // write position in inline_scratch_
  bool scratch_ready = false;
  size_t i = 0;
  for (;;) {
    while (i < n && is_space(s[i])) ++i;
    if (i >= n) return true;
    size_t start = i;
    while (i < n && !ends_token(s[i]) && s[i] != '"' && s[i] != '\'') ++i;
    if (i >= n || ends_token(s[i])) {
      args_.emplace_back(s + start, i - start);
      continue;
    }
    // A quote: unescape this token into the scratch string.
    if (!scratch_ready) {
      if (inline_scratch_.size() < n) inline_scratch_.resize(n);
      scratch_ready = true;
    }
    char* out = inline_scratch_.data();
    size_t token = w;
    memcpy(out + w, s + start, i - start);
    w += i - start;
    // After the opening quote: the token ends at the closing one (Redis's done=1).
    char quote = s[i++];
    for (;;) {
      char c = at(i);
      if (c == '\0') return false;  // unterminated quotes
      if (quote == '"' && c == '\\' && at(i + 1) == 'x' && hex_value(at(i + 2)) >= 0 &&
          hex_value(at(i + 3)) >= 0) {
        out[w++] = static_cast<char>(hex_value(at(i + 2)) * 16 + hex_value(at(i + 3)));
        i += 4;
      } else if (quote == '"' && c == '\\' && at(i + 1) != '\0') {
        char e = s[i + 1];
        switch (e) {
          case 'n':
            e = '\n';
            break;
          case 'r':
            e = '\r';
            break;
          case 't':
            e = '\t';
            break;
          case 'b':
            e = '\b';
            break;
          case 'a':
            e = '\a';
            break;
          default:
            break;
        }
        out[w++] = e;
        i += 2;
      } else if (quote == '\'' && c == '\\' && at(i + 1) == '\'') {
        out[w++] = '\'';
        i += 2;
      } else if (c == quote) {
        // A closing quote must be followed by a blank or the end of the line.
        if (at(i + 1) != '\0' && !is_space(at(i + 1))) return false;
        ++i;
        break;
      } else {
        out[w++] = c;
        ++i;
      }
    }
    args_.emplace_back(out + token, w - token);
  }
}

}  // namespace respite::protocol
