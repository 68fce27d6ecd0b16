// RESP2/RESP3 reply encodings, byte for byte as Redis 7.0.15 sends them. Small replies are
// formatted straight into the output chain through reserve()/commit(), one bounds check per reply;
// integers are converted two digits at a time by hand and doubles with std::to_chars, whose "%.17g"
// text is defined to equal printf's (Redis 7.0 formats doubles that way), without printf's locale
// and format-string costs.
#include "protocol/reply_writer.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace respite::protocol {
namespace {

constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// Largest reply header: a type byte, 20 digits and a sign, CRLF.
constexpr size_t kHeaderMax = 24;
// A bulk string this small is written with one reserve(): header, bytes and CRLF together.
constexpr size_t kSmallBulk = 512;

inline size_t count_digits(uint64_t u) {
  size_t n = 1;
  for (;;) {
    if (u < 10) return n;
    if (u < 100) return n + 1;
    if (u < 1000) return n + 2;
    if (u < 10000) return n + 3;
    u /= 10000;
    n += 4;
  }
}

// Writes u in decimal at p and returns the end. Lengths and counts in replies are mostly one or two
// digits, which take no loop at all.
inline char* put_uint(char* p, uint64_t u) {
  if (u < 10) {
    *p = static_cast<char>('0' + u);
    return p + 1;
  }
  if (u < 100) {
    memcpy(p, kDigitPairs + u * 2, 2);
    return p + 2;
  }
  char* end = p + count_digits(u);
  char* q = end;
  while (u >= 100) {
    size_t i = static_cast<size_t>(u % 100) * 2;
    u /= 100;
    q -= 2;
    memcpy(q, kDigitPairs + i, 2);
  }
  if (u >= 10) {
    memcpy(q - 2, kDigitPairs + u * 2, 2);
  } else {
    q[-1] = static_cast<char>('0' + u);
  }
  return end;
}

inline char* put(char* p, std::string_view s) {
  memcpy(p, s.data(), s.size());
  return p + s.size();
}

inline char* put_crlf(char* p) {
  p[0] = '\r';
  p[1] = '\n';
  return p + 2;
}

}  // namespace

size_t ReplyWriter::format_int(int64_t v, char* buf) {
  // The magnitude as unsigned, so that INT64_MIN has one too.
  if (v < 0) {
    buf[0] = '-';
    return static_cast<size_t>(put_uint(buf + 1, ~static_cast<uint64_t>(v) + 1) - buf);
  }
  return static_cast<size_t>(put_uint(buf, static_cast<uint64_t>(v)) - buf);
}

size_t ReplyWriter::format_double(double d, char* buf, size_t cap) {
  // glibc's spellings of the special values; Redis 7.0 special-cases only the infinities itself.
  std::string_view special;
  if (std::isinf(d)) {
    special = d > 0 ? "inf" : "-inf";
  } else if (std::isnan(d)) {
    special = std::signbit(d) ? "-nan" : "nan";
  }
  if (!special.empty()) {
    if (cap < special.size()) return 0;
    memcpy(buf, special.data(), special.size());
    return special.size();
  }
  auto r = std::to_chars(buf, buf + cap, d, std::chars_format::general, 17);
  if (r.ec != std::errc()) return 0;
  return static_cast<size_t>(r.ptr - buf);
}

void ReplyWriter::header(char type, int64_t n) {
  char* p = out_->reserve(kHeaderMax);
  p[0] = type;
  char* q = p + 1;
  if (n < 0) {
    *q++ = '-';
    q = put_uint(q, ~static_cast<uint64_t>(n) + 1);
  } else {
    q = put_uint(q, static_cast<uint64_t>(n));
  }
  q = put_crlf(q);
  out_->commit(static_cast<size_t>(q - p));
}

void ReplyWriter::simple(std::string_view s) {
  if (s.size() <= kSmallBulk) {
    char* p = out_->reserve(s.size() + 3);
    char* q = p;
    *q++ = '+';
    q = put_crlf(put(q, s));
    out_->commit(static_cast<size_t>(q - p));
    return;
  }
  out_->append("+", 1);
  out_->append(s);
  out_->append("\r\n", 2);
}

void ReplyWriter::error(std::string_view msg) {
  // The code is part of msg; a stray leading '-' would be sent twice.
  if (!msg.empty() && msg[0] == '-') msg.remove_prefix(1);
  if (hook_) hook_(hook_ctx_, msg);
  char* p = out_->reserve(1);
  *p = '-';
  out_->commit(1);
  // Redis maps CR and LF to spaces so that one error stays one line of protocol.
  size_t start = 0;
  for (size_t i = 0; i < msg.size(); ++i) {
    if (msg[i] == '\r' || msg[i] == '\n') {
      out_->append(msg.data() + start, i - start);
      out_->append(" ", 1);
      start = i + 1;
    }
  }
  out_->append(msg.data() + start, msg.size() - start);
  out_->append("\r\n", 2);
}

void ReplyWriter::integer(int64_t v) {
  header(':', v);
}

void ReplyWriter::bulk(std::string_view s) {
  if (s.size() <= kSmallBulk) {
    char* p = out_->reserve(s.size() + kHeaderMax + 2);
    char* q = p;
    *q++ = '$';
    q = put_crlf(put(put_crlf(put_uint(q, s.size())), s));
    out_->commit(static_cast<size_t>(q - p));
    return;
  }
  header('$', static_cast<int64_t>(s.size()));
  out_->append(s);
  out_->append("\r\n", 2);
}

void ReplyWriter::bulk_ref(const char* data, size_t n, OutputBuffer::Release release, void* ctx) {
  if (n < OutputBuffer::kRefThreshold) {
    // Copying a small value is cheaper than tracking it; its owner is done with it at once.
    bulk(std::string_view(data, n));
    if (release != nullptr) release(ctx);
    return;
  }
  header('$', static_cast<int64_t>(n));
  out_->append_ref(data, n, release, ctx);
  out_->append("\r\n", 2);
}

char* ReplyWriter::bulk_in_place(size_t n) {
  header('$', static_cast<int64_t>(n));
  char* p = out_->reserve(n + 2);  // past a block's room: a block of its own, exactly this size
  put_crlf(p + n);
  out_->commit(n + 2);
  return p;
}

void ReplyWriter::null() {
  if (resp3_) {
    out_->append("_\r\n", 3);
  } else {
    out_->append("$-1\r\n", 5);
  }
}

void ReplyWriter::null_array() {
  if (resp3_) {
    out_->append("_\r\n", 3);
  } else {
    out_->append("*-1\r\n", 5);
  }
}

void ReplyWriter::array(size_t n) {
  header('*', static_cast<int64_t>(n));
}

void ReplyWriter::map(size_t n) {
  if (resp3_) {
    header('%', static_cast<int64_t>(n));
  } else {
    header('*', static_cast<int64_t>(n * 2));
  }
}

void ReplyWriter::set(size_t n) {
  header(resp3_ ? '~' : '*', static_cast<int64_t>(n));
}

void ReplyWriter::push(size_t n) {
  header(resp3_ ? '>' : '*', static_cast<int64_t>(n));
}

void ReplyWriter::dbl(double d) {
  char buf[40];
  size_t n = format_double(d, buf, sizeof(buf));
  if (!resp3_) {
    bulk(std::string_view(buf, n));
    return;
  }
  char* p = out_->reserve(n + 3);
  p[0] = ',';
  memcpy(p + 1, buf, n);
  put_crlf(p + 1 + n);
  out_->commit(n + 3);
}

void ReplyWriter::boolean(bool b) {
  if (resp3_) {
    out_->append(b ? "#t\r\n" : "#f\r\n", 4);
  } else {
    out_->append(b ? ":1\r\n" : ":0\r\n", 4);
  }
}

void ReplyWriter::verbatim(std::string_view s) {
  if (!resp3_) {
    bulk(s);
    return;
  }
  header('=', static_cast<int64_t>(s.size() + 4));
  out_->append("txt:", 4);
  out_->append(s);
  out_->append("\r\n", 2);
}

void ReplyWriter::raw(std::string_view bytes) {
  out_->append(bytes);
}

}  // namespace respite::protocol
