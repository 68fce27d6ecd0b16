// RespValue, its reader and its writer; see reply_reader.h. The reader is recursive descent over
// the input with a position: every type byte either reads one CRLF-terminated line (simple, error,
// integer, double, boolean, null, big number) or a length line and then that many bytes or
// elements. Strict where the writer is exact (CRLF after every line and blob, canonical numbers)
// so that a test notices a writer that drifts, lenient nowhere. write_reply() walks the tree
// calling ReplyWriter, which alone knows RESP2 from RESP3.
#include "protocol/reply_reader.h"

#include "protocol/reply_writer.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace respite::protocol {

namespace {

// Signed decimal, as RESP writes lengths and integers: an optional '-', then digits only.
bool parse_int64(std::string_view s, int64_t* out) {
  if (s.empty() || s[0] == '+') return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool parse_digits(std::string_view s) {
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

void append_quoted(std::string* out, std::string_view s) {
  out->push_back('"');
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else if (c >= 0x20 && c < 0x7f) {
      out->push_back(static_cast<char>(c));
    } else {
      static const char kHex[] = "0123456789abcdef";
      out->append("\\x");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    }
  }
  out->push_back('"');
}

void describe(const RespValue& v, std::string* out) {
  using T = RespValue::Type;
  switch (v.type) {
    case T::kSimple:
      out->append(v.str);
      return;
    case T::kError:
      out->append("(error) ").append(v.str);
      return;
    case T::kInteger:
      out->append("(integer) ").append(std::to_string(v.integer));
      return;
    case T::kBulk:
      append_quoted(out, v.str);
      return;
    case T::kVerbatim:
      out->append("(verbatim ").append(v.format).append(") ");
      append_quoted(out, v.str);
      return;
    case T::kNullBulk:
    case T::kNullArray:
    case T::kNull:
      out->append(v.type == T::kNullArray ? "(nil array)" : "(nil)");
      return;
    case T::kDouble:
      out->append("(double) ").append(v.str);
      return;
    case T::kBoolean:
      out->append(v.integer ? "(true)" : "(false)");
      return;
    case T::kBigNumber:
      out->append("(big number) ").append(v.str);
      return;
    case T::kArray:
    case T::kSet:
    case T::kPush:
    case T::kMap:
      break;
  }
  bool map = v.type == T::kMap;
  if (v.type == T::kSet) out->push_back('~');
  if (v.type == T::kPush) out->push_back('>');
  out->push_back(map ? '{' : '[');
  for (size_t i = 0; i < v.elements.size(); i++) {
    if (i > 0) out->append(map && i % 2 == 1 ? ": " : ", ");
    describe(v.elements[i], out);
  }
  out->push_back(map ? '}' : ']');
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const RespValue& v) {
  return os << v.to_string();
}

std::string RespValue::to_string() const {
  std::string s;
  describe(*this, &s);
  return s;
}

RespValue RespValue::verbatim(std::string fmt, std::string s) {
  RespValue r = text(Type::kVerbatim, std::move(s));
  r.format = std::move(fmt);
  return r;
}

RespValue RespValue::double_of(double d) {
  RespValue r = of(Type::kDouble);
  r.dbl = d;
  char buf[40];
  r.str.assign(buf, ReplyWriter::format_double(d, buf, sizeof(buf)));
  return r;
}

void write_reply(ReplyWriter& out, const RespValue& v) {
  using T = RespValue::Type;
  switch (v.type) {
    case T::kNullBulk:
    case T::kNull:
      out.null();
      return;
    case T::kNullArray:
      out.null_array();
      return;
    case T::kInteger:
      out.integer(v.integer);
      return;
    case T::kBulk:
      out.bulk(v.str);
      return;
    case T::kSimple:
      out.simple(v.str);
      return;
    case T::kError:
      out.error(v.str);
      return;
    case T::kDouble:
      out.dbl(v.dbl);
      return;
    case T::kBoolean:
      out.boolean(v.integer != 0);
      return;
    case T::kBigNumber:
      // RESP3 "(n"; RESP2 has no big number, Redis sends it as a bulk string.
      if (out.resp() == 3) {
        out.raw("(");
        out.raw(v.str);
        out.raw("\r\n");
      } else {
        out.bulk(v.str);
      }
      return;
    case T::kVerbatim:
      out.verbatim(v.str);
      return;
    case T::kArray:
      out.array(v.elements.size());
      break;
    case T::kMap:
      out.map(v.elements.size() / 2);
      break;
    case T::kSet:
      out.set(v.elements.size());
      break;
    case T::kPush:
      out.push(v.elements.size());
      break;
  }
  for (const RespValue& e : v.elements) write_reply(out, e);
}

ParseStatus ReplyReader::fail(std::string msg) {
  error_ = std::move(msg);
  return ParseStatus::kError;
}

ParseStatus ReplyReader::line(std::string_view* text) {
  size_t cr = in_.find('\r', pos_);
  if (cr == std::string_view::npos) {
    // A bare LF cannot end a line: say so now rather than wait for a CR that never comes.
    if (in_.find('\n', pos_) != std::string_view::npos) return fail("line ends without CR");
    return ParseStatus::kNeedMore;
  }
  if (std::memchr(in_.data() + pos_, '\n', cr - pos_) != nullptr)
    return fail("line ends without CR");
  if (cr + 1 >= in_.size()) return ParseStatus::kNeedMore;
  if (in_[cr + 1] != '\n') return fail("CR not followed by LF");
  *text = in_.substr(pos_, cr - pos_);
  pos_ = cr + 2;
  return ParseStatus::kOk;
}

ParseStatus ReplyReader::length(std::string_view text, int64_t* n) {
  if (!parse_int64(text, n) || *n < -1) {
    return fail("invalid length '" + std::string(text) + "'");
  }
  return ParseStatus::kOk;
}

ParseStatus ReplyReader::blob(int64_t n, std::string_view* bytes) {
  size_t len = static_cast<size_t>(n);
  if (in_.size() - pos_ < len + 2) return ParseStatus::kNeedMore;
  if (in_[pos_ + len] != '\r' || in_[pos_ + len + 1] != '\n')
    return fail("blob of " + std::to_string(n) + " bytes not followed by CRLF");
  *bytes = in_.substr(pos_, len);
  pos_ += len + 2;
  return ParseStatus::kOk;
}

ParseStatus ReplyReader::value(RespValue* out, int depth) {
  using T = RespValue::Type;
  if (depth > kMaxDepth) return fail("replies nested too deep");
  if (pos_ >= in_.size()) return ParseStatus::kNeedMore;
  char type = in_[pos_++];
  std::string_view text;
  ParseStatus st = line(&text);
  if (st != ParseStatus::kOk) return st;
  *out = RespValue{};
  switch (type) {
    case '+':
      out->type = T::kSimple;
      out->str = text;
      return ParseStatus::kOk;
    case '-':
      out->type = T::kError;
      out->str = text;
      return ParseStatus::kOk;
    case ':':
      out->type = T::kInteger;
      if (!parse_int64(text, &out->integer))
        return fail("invalid integer '" + std::string(text) + "'");
      return ParseStatus::kOk;
    case '_':
      if (!text.empty()) return fail("null with a payload");
      out->type = T::kNull;
      return ParseStatus::kOk;
    case '#':
      if (text != "t" && text != "f") return fail("invalid boolean '" + std::string(text) + "'");
      out->type = T::kBoolean;
      out->integer = text == "t";
      return ParseStatus::kOk;
    case ',': {
      out->type = T::kDouble;
      out->str = text;
      // from_chars takes "inf", "-inf", "nan" and "-nan" as Redis writes them, and no '+'.
      auto r = std::from_chars(text.data(), text.data() + text.size(), out->dbl);
      if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size())
        return fail("invalid double '" + std::string(text) + "'");
      return ParseStatus::kOk;
    }
    case '(':
      if (!parse_digits(text)) return fail("invalid big number '" + std::string(text) + "'");
      out->type = T::kBigNumber;
      out->str = text;
      return ParseStatus::kOk;
    case '$':
    case '!':
    case '=': {
      int64_t n;
      if ((st = length(text, &n)) != ParseStatus::kOk) return st;
      if (n == -1) {
        if (type != '$') return fail("null length for a non-bulk blob");
        out->type = T::kNullBulk;
        return ParseStatus::kOk;
      }
      std::string_view bytes;
      if ((st = blob(n, &bytes)) != ParseStatus::kOk) return st;
      if (type == '=') {
        if (bytes.size() < 4 || bytes[3] != ':') return fail("verbatim string without a format");
        out->type = T::kVerbatim;
        out->format = bytes.substr(0, 3);
        out->str = bytes.substr(4);
      } else {
        out->type = type == '$' ? T::kBulk : T::kError;
        out->str = bytes;
      }
      return ParseStatus::kOk;
    }
    case '*':
    case '%':
    case '~':
    case '>':
    case '|': {
      int64_t n;
      if ((st = length(text, &n)) != ParseStatus::kOk) return st;
      if (n == -1) {
        if (type != '*') return fail("null length for a non-array aggregate");
        out->type = T::kNullArray;
        return ParseStatus::kOk;
      }
      uint64_t count = static_cast<uint64_t>(n);
      if (type == '%' || type == '|') count *= 2;  // n < 2^63: no overflow in 64 bits
      // Every element takes at least 3 bytes: a huge count in a short input reserves nothing
      // it cannot fill.
      size_t left = in_.size() - pos_;
      std::vector<RespValue> elems;
      elems.reserve(static_cast<size_t>(std::min<uint64_t>(count, left / 3)));
      for (uint64_t i = 0; i < count; i++) {
        elems.emplace_back();
        if ((st = value(&elems.back(), depth + 1)) != ParseStatus::kOk) return st;
      }
      if (type == '|') return value(out, depth);  // the attribute is dropped; its reply follows
      out->type = type == '*'   ? T::kArray
                  : type == '%' ? T::kMap
                  : type == '~' ? T::kSet
                                : T::kPush;
      out->elements = std::move(elems);
      return ParseStatus::kOk;
    }
    default: {
      std::string msg = "unknown reply type byte '";
      msg.push_back(type);
      return fail(msg + "'");
    }
  }
}

ParseStatus ReplyReader::read(std::string_view in, RespValue* out) {
  in_ = in;
  pos_ = 0;
  consumed_ = 0;
  error_.clear();
  ParseStatus st = value(out, 0);
  if (st == ParseStatus::kOk) consumed_ = pos_;
  return st;
}

ParseStatus read_replies(std::string_view bytes, std::vector<RespValue>* out, std::string* error) {
  ReplyReader reader;
  while (!bytes.empty()) {
    RespValue v;
    ParseStatus st = reader.read(bytes, &v);
    if (st != ParseStatus::kOk) {
      if (error) *error = st == ParseStatus::kNeedMore ? "incomplete reply" : reader.error();
      return st;
    }
    out->push_back(std::move(v));
    bytes.remove_prefix(reader.consumed());
  }
  return ParseStatus::kOk;
}

}  // namespace respite::protocol
