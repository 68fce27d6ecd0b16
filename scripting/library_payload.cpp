// FUNCTION DUMP / RESTORE payloads in Redis 7.0.15's format (its rdbSaveFunctions,
// functionDumpCommand, functionRestoreCommand and verifyDumpPayload): per library the byte 245
// (RDB_OPCODE_FUNCTION2) and the library's code as an RDB string; then the RDB version as two
// little-endian bytes (10) and the CRC64 of everything before it, eight little-endian bytes.
// Reading accepts every RDB string encoding Redis writes (plain lengths of 6, 14, 32 and 64 bits,
// the integer encodings and LZF, which Redis uses for any code over 20 bytes that compresses)
// and the 7.0-rc format (opcode 246: name, engine, optional description, body). Writing stores
// the code verbatim: no LZF compressor here, and Redis reads verbatim strings as well.
#include <cstring>
#include <string>

#include "scripting/library.h"

namespace respite::scripting {
namespace {

constexpr uint8_t kOpcodeFunction2 = 245;  // RDB_OPCODE_FUNCTION2
constexpr uint8_t kOpcodeFunction = 246;   // RDB_OPCODE_FUNCTION (7.0 rc1/rc2)
constexpr uint16_t kRdbVersion = 10;       // RDB_VERSION of Redis 7.0
constexpr size_t kFooter = 10;             // version (2) + CRC64 (8)

// The reflected Jones polynomial's table, built at compile time.
struct Crc64Table {
  uint64_t t[256];
  constexpr Crc64Table() : t() {
    constexpr uint64_t kPoly = 0x95ac9329ac4bc9b5ull;  // 0xad93d23594c935a9 bit-reversed
    for (uint64_t i = 0; i < 256; ++i) {
      uint64_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPoly : c >> 1;
      t[i] = c;
    }
  }
};
constexpr Crc64Table kCrcTable;

void put_len(std::string* out, uint64_t len) {
  if (len < (1u << 6)) {
    out->push_back(static_cast<char>(len));
  } else if (len < (1u << 14)) {
    out->push_back(static_cast<char>(0x40 | (len >> 8)));
    out->push_back(static_cast<char>(len & 0xff));
  } else if (len <= UINT32_MAX) {
    out->push_back(static_cast<char>(0x80));
    for (int s = 24; s >= 0; s -= 8) out->push_back(static_cast<char>((len >> s) & 0xff));
  } else {
    out->push_back(static_cast<char>(0x81));
    for (int s = 56; s >= 0; s -= 8) out->push_back(static_cast<char>((len >> s) & 0xff));
  }
}

// A reader over the whole payload, as Redis's buffer rio (reads may run into the footer).
class Reader {
 public:
  explicit Reader(std::string_view data) : d_(data) {}
  size_t pos() const { return pos_; }
  bool byte(uint8_t* b) {
    if (pos_ >= d_.size()) return false;
    *b = static_cast<uint8_t>(d_[pos_++]);
    return true;
  }
  bool bytes(size_t n, std::string_view* out) {
    if (d_.size() - pos_ < n) return false;
    *out = d_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  // rdbLoadLen: the length, or the encoding type when *encoded.
  bool len(uint64_t* out, bool* encoded) {
    uint8_t b;
    if (!byte(&b)) return false;
    *encoded = false;
    int type = (b & 0xc0) >> 6;
    if (type == 3) {
      *encoded = true;
      *out = b & 0x3f;
    } else if (type == 0) {
      *out = b & 0x3f;
    } else if (type == 1) {
      uint8_t b2;
      if (!byte(&b2)) return false;
      *out = (uint64_t{b & 0x3fu} << 8) | b2;
    } else if (b == 0x80 || b == 0x81) {
      std::string_view s;
      if (!bytes(b == 0x80 ? 4 : 8, &s)) return false;
      uint64_t v = 0;
      for (char c : s) v = (v << 8) | static_cast<uint8_t>(c);
      *out = v;
    } else {
      return false;
    }
    return true;
  }
  // rdbGenericLoadStringObject.
  bool string(std::string* out) {
    uint64_t n;
    bool encoded;
    if (!len(&n, &encoded)) return false;
    if (!encoded) {
      std::string_view s;
      if (!bytes(n, &s)) return false;
      out->assign(s);
      return true;
    }
    if (n <= 2) {  // INT8, INT16, INT32, little-endian
      std::string_view s;
      if (!bytes(size_t{1} << n, &s)) return false;
      uint32_t u = 0;
      for (size_t i = s.size(); i-- > 0;) u = (u << 8) | static_cast<uint8_t>(s[i]);
      int64_t v = n == 0   ? int64_t{static_cast<int8_t>(u)}
                  : n == 1 ? int64_t{static_cast<int16_t>(u)}
                           : int64_t{static_cast<int32_t>(u)};
      *out = std::to_string(v);
      return true;
    }
    if (n != 3) return false;
    uint64_t clen, ulen;
    bool e1, e2;
    if (!len(&clen, &e1) || !len(&ulen, &e2) || e1 || e2) return false;
    std::string_view c;
    if (!bytes(clen, &c)) return false;
    return lzf_decompress(c, ulen, out);
  }

 private:
  // liblzf's format: a control byte below 32 is a literal run of ctrl+1 bytes; otherwise a back
  // reference of (ctrl >> 5) + 2 bytes (7: plus the next byte) at distance ((ctrl & 31) << 8) +
  // the next byte + 1.
  static bool lzf_decompress(std::string_view in, uint64_t ulen, std::string* out) {
    if (ulen > (uint64_t{1} << 32)) return false;
    out->clear();
    out->reserve(ulen);
    size_t i = 0;
    while (i < in.size()) {
      unsigned ctrl = static_cast<uint8_t>(in[i++]);
      if (ctrl < 32) {
        size_t n = ctrl + 1;
        if (in.size() - i < n || out->size() + n > ulen) return false;
        out->append(in.substr(i, n));
        i += n;
      } else {
        size_t n = ctrl >> 5;
        if (n == 7) {
          if (i >= in.size()) return false;
          n += static_cast<uint8_t>(in[i++]);
        }
        if (i >= in.size()) return false;
        size_t back = ((ctrl & 0x1f) << 8) + static_cast<uint8_t>(in[i++]) + 1;
        n += 2;
        if (back > out->size() || out->size() + n > ulen) return false;
        size_t from = out->size() - back;
        for (size_t k = 0; k < n; ++k) out->push_back((*out)[from + k]);
      }
    }
    return out->size() == ulen;
  }

  std::string_view d_;
  size_t pos_ = 0;
};

}  // namespace

uint64_t crc64(uint64_t crc, std::string_view data) {
  for (char ch : data) crc = kCrcTable.t[(crc ^ static_cast<uint8_t>(ch)) & 0xff] ^ (crc >> 8);
  return crc;
}

std::string encode_function_payload(const std::vector<std::string_view>& codes) {
  std::string out;
  for (std::string_view code : codes) {
    out.push_back(static_cast<char>(kOpcodeFunction2));
    // Redis would write a code of up to 11 bytes that parses as an integer in an integer
    // encoding; a library's code starts with "#!", so it never does.
    put_len(&out, code.size());
    out.append(code);
  }
  out.push_back(static_cast<char>(kRdbVersion & 0xff));
  out.push_back(static_cast<char>(kRdbVersion >> 8));
  uint64_t crc = crc64(0, out);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  return out;
}

bool decode_function_payload(std::string_view payload, std::vector<std::string>* codes,
                             std::string* error) {
  // verifyDumpPayload.
  bool valid = payload.size() >= kFooter;
  if (valid) {
    std::string_view footer = payload.substr(payload.size() - kFooter);
    uint16_t ver = static_cast<uint16_t>(static_cast<uint8_t>(footer[0]) |
                                         (static_cast<uint8_t>(footer[1]) << 8));
    uint64_t want = 0;
    for (int i = 7; i >= 0; --i) want = (want << 8) | static_cast<uint8_t>(footer[2 + i]);
    valid = ver <= kRdbVersion && crc64(0, payload.substr(0, payload.size() - 8)) == want;
  }
  if (!valid) {
    *error = "ERR DUMP payload version or checksum are wrong";
    return false;
  }
  Reader r(payload);
  while (payload.size() - r.pos() > kFooter) {
    uint8_t type;
    if (!r.byte(&type)) {
      *error = "ERR can not read data type";
      return false;
    }
    if (type != kOpcodeFunction && type != kOpcodeFunction2) {
      *error = "ERR given type is not a function";
      return false;
    }
    std::string code;
    if (type == kOpcodeFunction2) {
      if (!r.string(&code)) {
        *error = "ERR Failed loading library payload";
        return false;
      }
    } else {
      // 7.0 rc1/rc2: name, engine, a description flag (and description), then the body; made
      // into today's form, "#!<engine> name=<name>\n<body>", the description dropped.
      std::string name, engine, desc, blob;
      uint64_t has_desc;
      bool enc;
      if (!r.string(&name)) return *error = "ERR Failed loading library name", false;
      if (!r.string(&engine)) return *error = "ERR Failed loading engine name", false;
      if (!r.len(&has_desc, &enc) || enc)
        return *error = "ERR Failed loading library description indicator", false;
      if (has_desc && !r.string(&desc))
        return *error = "ERR Failed loading library description", false;
      if (!r.string(&blob)) return *error = "ERR Failed loading library blob", false;
      code = "#!" + engine + " name=" + name + "\n" + blob;
    }
    codes->push_back(std::move(code));
  }
  return true;
}

}  // namespace respite::scripting
