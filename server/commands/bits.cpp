// The bit family: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO, and LCS (which
// also reads strings as arrays rather than as text). They work on ordinary string entries: a
// read goes through string_bytes / string_prefix, so integer-encoded and LZ4-compressed values
// behave like any other, and a write builds the new bytes and stores a new string entry (as
// APPEND and SETRANGE do), never changing bytes a lock-free reader may be looking at. Bit 0 is
// the most significant bit of byte 0, as in Redis. Replies, argument order and error texts follow
// Redis 7.0.15's bitops.c and lcsCommand.
#include <algorithm>
#include <cstring>
#include <vector>

#include "server/context.h"
#include "server/keywrite.h"
#include "storage/multi_write.h"

namespace respite::server {

using storage::Entry;
using storage::Type;

namespace {

// --- bit arithmetic over byte strings ---

inline uint64_t load_be64(const uint8_t* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return __builtin_bswap64(w);
}

// Set bits in p[0..n): 8-byte words through popcount, the last few bytes one at a time. The build
// targets baseline x86-64, where __builtin_popcountll is a libgcc call (~4x slower than Redis's
// table on a 1 MiB bitmap); a copy compiled for the POPCNT instruction is used where the CPU has
// it (every x86-64 since 2008), the baseline one elsewhere. Chosen by a check made once, not by
// an ifunc (target_clones): an ifunc resolver runs while the dynamic loader relocates, before a
// sanitizer's runtime is up, and the TSan build crashed there at start-up.
[[gnu::always_inline]] inline uint64_t popcount_body(const uint8_t* p, size_t n) {
  uint64_t count = 0;
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {  // four independent words per step keep the popcnt unit busy
    uint64_t a, b, c, d;
    std::memcpy(&a, p + i, 8);
    std::memcpy(&b, p + i + 8, 8);
    std::memcpy(&c, p + i + 16, 8);
    std::memcpy(&d, p + i + 24, 8);
    count += __builtin_popcountll(a) + __builtin_popcountll(b) + __builtin_popcountll(c) +
             __builtin_popcountll(d);
  }
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    count += __builtin_popcountll(w);
  }
  for (; i < n; i++) count += __builtin_popcount(p[i]);
  return count;
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define RESPITE_POPCNT_COPY 1
[[gnu::target("popcnt")]] uint64_t popcount_bytes_popcnt(const uint8_t* p, size_t n) {
  return popcount_body(p, n);
}
#endif

uint64_t popcount_bytes(const uint8_t* p, size_t n) {
#ifdef RESPITE_POPCNT_COPY
  static const bool has_popcnt = __builtin_cpu_supports("popcnt");
  if (has_popcnt) return popcount_bytes_popcnt(p, n);
#endif
  return popcount_body(p, n);
}

// Set bits among bits [first, last] of p (both inside the string).
uint64_t count_bits(const uint8_t* p, uint64_t first, uint64_t last) {
  const uint64_t b0 = first >> 3, b1 = last >> 3;
  uint64_t count = popcount_bytes(p + b0, b1 - b0 + 1);
  // The edge bytes were counted whole: take back the bits outside the range.
  count -= __builtin_popcount(p[b0] & ~(0xffu >> (first & 7)) & 0xff);
  count -= __builtin_popcount(p[b1] & (0xffu >> ((last & 7) + 1)));
  return count;
}

// The first bit equal to `bit` among bits [first, last] of p, or -1. Whole words are skipped while
// they hold only the other value; the edges go a byte or a bit at a time.
int64_t find_bit(const uint8_t* p, uint64_t first, uint64_t last, int bit) {
  uint64_t i = first;
  while (i <= last) {
    const uint64_t left = last - i + 1;
    if ((i & 7) == 0 && left >= 64) {
      uint64_t w = load_be64(p + (i >> 3));
      if (!bit) w = ~w;
      if (w) return static_cast<int64_t>(i + __builtin_clzll(w));
      i += 64;
    } else if ((i & 7) == 0 && left >= 8) {
      unsigned b = p[i >> 3];
      if (!bit) b = ~b & 0xff;
      if (b) return static_cast<int64_t>(i + __builtin_clz(b) - 24);
      i += 8;
    } else {
      if (((p[i >> 3] >> (7 - (i & 7))) & 1) == static_cast<unsigned>(bit))
        return static_cast<int64_t>(i);
      i++;
    }
  }
  return -1;
}

// The `bits`-wide field at bit `offset` of p, as an unsigned number; bytes past len read as zero.
uint64_t get_field(const uint8_t* p, size_t len, uint64_t offset, int bits) {
  // Up to 64 bits starting anywhere in a byte span at most 9 bytes: read them as one 72-bit number.
  const uint64_t byte = offset >> 3;
  unsigned __int128 v = 0;
  for (uint64_t i = 0; i < 9; i++) v = (v << 8) | (byte + i < len ? p[byte + i] : 0);
  const int shift = 72 - static_cast<int>(offset & 7) - bits;
  const uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
  return static_cast<uint64_t>(v >> shift) & mask;
}

// Writes the low `bits` bits of value at bit `offset` of p (which holds them: the caller grew it).
void set_field(uint8_t* p, size_t len, uint64_t offset, int bits, uint64_t value) {
  const uint64_t byte = offset >> 3;
  unsigned __int128 v = 0;
  for (uint64_t i = 0; i < 9; i++) v = (v << 8) | (byte + i < len ? p[byte + i] : 0);
  const int shift = 72 - static_cast<int>(offset & 7) - bits;
  const unsigned __int128 mask = ((static_cast<unsigned __int128>(1) << bits) - 1) << shift;
  v = (v & ~mask) | ((static_cast<unsigned __int128>(value) << shift) & mask);
  for (int i = 8; i >= 0; i--, v >>= 8)
    if (byte + static_cast<uint64_t>(i) < len) p[byte + i] = static_cast<uint8_t>(v);
}

// --- argument parsing ---

// A bit offset (Redis's getBitOffsetFromArgument): a non-negative integer whose byte lies below
// proto-max-bulk-len, so a write can never grow a string past it. With `field_bits` (BITFIELD),
// "#n" means n fields of that width.
bool parse_bit_offset(CmdCtx& c, std::string_view arg, int field_bits, uint64_t* out) {
  const bool hash = field_bits > 0 && !arg.empty() && arg[0] == '#';
  int64_t v;
  const bool ok = parse_int(hash ? arg.substr(1) : arg, &v);
  // "#n" multiplies as Redis's C does on this platform: wrapping (a huge n can come out small).
  if (ok && hash) v = static_cast<int64_t>(static_cast<uint64_t>(v) * field_bits);
  if (!ok || v < 0 ||
      (v >> 3) >= c.server.config.proto_max_bulk_len.load(std::memory_order_relaxed)) {
    c.error(Err::kBitOffset);
    return false;
  }
  *out = static_cast<uint64_t>(v);
  return true;
}

// BITCOUNT's and BITPOS's [BYTE | BIT].
bool parse_unit(CmdCtx& c, std::string_view arg, bool* is_bit) {
  if (iequals(arg, "bit")) {
    *is_bit = true;
  } else if (iequals(arg, "byte")) {
    *is_bit = false;
  } else {
    c.error(Err::kSyntax);
    return false;
  }
  return true;
}

// A read of a string key for the read-only commands: nullptr when missing, *wrong set when it
// holds another type (the error is then already sent).
const Entry* read_string(CmdCtx& c, std::string_view key, bool* wrong) {
  const Entry* e = c.lookup_read(key);
  *wrong = e && e->type() != Type::kString;
  if (*wrong) c.error(Err::kWrongType);
  if (e && !*wrong) touch_access(c, e);
  return *wrong ? nullptr : e;
}

// --- SETBIT / GETBIT ---

void cmd_setbit(CmdCtx& c) {
  uint64_t offset;
  if (!parse_bit_offset(c, c.arg(2), 0, &offset)) return;
  int64_t on;
  if (!parse_int(c.arg(3), &on) || (on & ~1)) return c.error(Err::kBitValue);
  KeyWrite kw(c, c.arg(1));
  if (kw.cur && kw.cur->type() != Type::kString) return c.error(Err::kWrongType);
  const size_t byte = offset >> 3;
  const unsigned shift = 7 - (offset & 7);
  const size_t len = kw.cur ? string_length(kw.cur) : 0;
  int old = 0;
  if (byte < len) {
    StringBuf buf;  // the bit is read in place: a SETBIT that changes nothing copies nothing
    old = (static_cast<uint8_t>(string_prefix(kw.cur, byte + 1, &buf, &c.worker.stats)[byte]) >>
           shift) &
          1;
  }
  // As in Redis, a SETBIT that changes nothing is no write: no event, no WATCH abort.
  if (byte < len && old == on) return c.reply.integer(old);
  std::string s;
  s.reserve(std::max(len, byte + 1));  // one allocation, grown or not
  int64_t when = -1;
  if (kw.cur) {
    StringBuf buf;
    s.assign(string_bytes(c, kw.cur, &buf));
    when = kw.cur->expire_ms();
  }
  if (s.size() < byte + 1) s.resize(byte + 1, '\0');
  s[byte] = static_cast<char>((static_cast<uint8_t>(s[byte]) & ~(1u << shift)) |
                              (static_cast<unsigned>(on) << shift));
  kw.put(make_string_entry(c, c.arg(1), s, when, /*force_raw=*/true));
  c.notify(kNotifyString, "setbit", c.arg(1));
  c.reply.integer(old);
}

void cmd_getbit(CmdCtx& c) {
  uint64_t offset;
  if (!parse_bit_offset(c, c.arg(2), 0, &offset)) return;
  bool wrong;
  const Entry* e = read_string(c, c.arg(1), &wrong);
  if (wrong) return;
  const size_t byte = offset >> 3;
  if (!e || byte >= string_length(e)) return c.reply.integer(0);
  StringBuf buf;  // only the bytes up to the one asked for are decoded
  std::string_view s = string_prefix(e, byte + 1, &buf, &c.worker.stats);
  c.reply.integer((static_cast<uint8_t>(s[byte]) >> (7 - (offset & 7))) & 1);
}

// --- BITCOUNT / BITPOS ---

// Clamps Redis-style start/end indexes (negative from the end) to a string of `total` units:
// false when the range is empty.
bool clamp_range(int64_t total, int64_t* start, int64_t* end) {
  if (*start < 0) *start += total;
  if (*end < 0) *end += total;
  if (*start < 0) *start = 0;
  if (*end < 0) *end = 0;
  if (*end >= total) *end = total - 1;
  return *start <= *end;
}

void cmd_bitcount(CmdCtx& c) {
  // Redis's order: a missing key answers 0 before the arguments are even read.
  bool wrong;
  const Entry* e = read_string(c, c.arg(1), &wrong);
  if (wrong) return;
  if (!e) return c.reply.integer(0);
  const int64_t len = static_cast<int64_t>(string_length(e));
  int64_t first = 0, last = len * 8 - 1;  // in bits
  if (c.argc() == 4 || c.argc() == 5) {
    int64_t start, end;
    if (!parse_int(c.arg(2), &start) || !parse_int(c.arg(3), &end)) return c.error(Err::kNotInt);
    if (start < 0 && end < 0 && start > end) return c.reply.integer(0);
    bool is_bit = false;
    if (c.argc() == 5 && !parse_unit(c, c.arg(4), &is_bit)) return;
    if (!clamp_range(is_bit ? len * 8 : len, &start, &end)) return c.reply.integer(0);
    first = is_bit ? start : start * 8;
    last = is_bit ? end : end * 8 + 7;
  } else if (c.argc() != 2) {
    return c.error(Err::kSyntax);
  }
  if (len == 0) return c.reply.integer(0);
  StringBuf buf;  // decoded no further than the range's last byte
  std::string_view s = string_prefix(e, static_cast<size_t>(last >> 3) + 1, &buf, &c.worker.stats);
  c.reply.integer(
      static_cast<int64_t>(count_bits(reinterpret_cast<const uint8_t*>(s.data()),
                                      static_cast<uint64_t>(first), static_cast<uint64_t>(last))));
}

void cmd_bitpos(CmdCtx& c) {
  int64_t bit;
  if (!parse_int(c.arg(2), &bit)) return c.error(Err::kNotInt);
  if (bit != 0 && bit != 1) return c.error(Err::kBitArgument);
  bool wrong;
  const Entry* e = read_string(c, c.arg(1), &wrong);
  if (wrong) return;
  // A missing key is an endless run of zeros.
  if (!e) return c.reply.integer(bit ? -1 : 0);
  const int64_t len = static_cast<int64_t>(string_length(e));
  int64_t first = 0, last = len * 8 - 1;
  bool end_given = false;
  if (c.argc() >= 4 && c.argc() <= 6) {
    int64_t start, end;
    if (!parse_int(c.arg(3), &start)) return c.error(Err::kNotInt);
    bool is_bit = false;
    if (c.argc() == 6 && !parse_unit(c, c.arg(5), &is_bit)) return;
    if (c.argc() >= 5) {
      if (!parse_int(c.arg(4), &end)) return c.error(Err::kNotInt);
      end_given = true;
    } else {
      end = is_bit ? len * 8 + 7 : len - 1;
    }
    if (!clamp_range(is_bit ? len * 8 : len, &start, &end)) return c.reply.integer(-1);
    first = is_bit ? start : start * 8;
    last = is_bit ? end : end * 8 + 7;
  } else if (c.argc() != 3) {
    return c.error(Err::kSyntax);
  }
  if (len == 0) return c.reply.integer(-1);  // an empty range holds neither a 0 nor a 1
  StringBuf buf;
  std::string_view s = string_prefix(e, static_cast<size_t>(last >> 3) + 1, &buf, &c.worker.stats);
  int64_t pos = find_bit(reinterpret_cast<const uint8_t*>(s.data()), static_cast<uint64_t>(first),
                         static_cast<uint64_t>(last), static_cast<int>(bit));
  // No clear bit in the range: without an explicit end the string counts as followed by zeros,
  // so the first one is just past it; with an end, there is none.
  if (pos < 0 && bit == 0 && !end_given) pos = last + 1;
  c.reply.integer(pos);
}

// --- BITOP ---

enum class BitOp { kAnd, kOr, kXor, kNot };

void cmd_bitop(CmdCtx& c) {
  BitOp op;
  std::string_view name = c.arg(1);
  if (iequals(name, "and")) {
    op = BitOp::kAnd;
  } else if (iequals(name, "or")) {
    op = BitOp::kOr;
  } else if (iequals(name, "xor")) {
    op = BitOp::kXor;
  } else if (iequals(name, "not")) {
    op = BitOp::kNot;
  } else {
    return c.error(Err::kSyntax);
  }
  if (op == BitOp::kNot && c.argc() != 4) return c.error(Err::kBitopNot);
  storage::Keyspace& ks = c.db();
  storage::MultiLock lock;
  for (size_t i = 2; i < c.argc(); i++) lock.add_key(ks, c.arg(i));
  lock.lock();
  // The sources are read and the destination replaced under the same locks, and the new value
  // appears in one commit: no reader sees the destination between its old and new value.
  storage::MultiWrite write(c.op);
  Staging staging(c, &write);
  const size_t n = c.argc() - 3;
  std::vector<StringBuf> bufs(n);
  std::vector<std::string_view> src(n);
  size_t maxlen = 0;
  for (size_t i = 0; i < n; i++) {
    const Entry* e = c.lookup_read_locked(ks, c.arg(i + 3));
    if (!e) continue;  // a missing key is an empty string
    if (e->type() != Type::kString) return c.error(Err::kWrongType);
    src[i] = string_bytes(c, e, &bufs[i]);
    maxlen = std::max(maxlen, src[i].size());
  }
  KeyWrite dest(c, ks, c.arg(2), AlreadyLocked{});
  if (maxlen == 0) {
    // Every source empty or missing: the destination is deleted, as in Redis.
    if (dest.cur) {
      dest.erase();
      c.notify(kNotifyGeneric, "del", c.arg(2));
    }
    return c.reply.integer(0);
  }
  // Sources shorter than the longest count as zero-padded: start from the first one padded, then
  // fold the others in, a word at a time where both have bytes.
  std::string res(maxlen, '\0');
  std::memcpy(res.data(), src[0].data(), src[0].size());
  uint8_t* r = reinterpret_cast<uint8_t*>(res.data());
  if (op == BitOp::kNot) {
    for (size_t j = 0; j < maxlen; j++) r[j] = static_cast<uint8_t>(~r[j]);
  }
  for (size_t i = 1; i < n; i++) {
    const uint8_t* p = reinterpret_cast<const uint8_t*>(src[i].data());
    const size_t have = src[i].size();
    size_t j = 0;
    for (; j + 8 <= have; j += 8) {
      uint64_t a, b;
      std::memcpy(&a, r + j, 8);
      std::memcpy(&b, p + j, 8);
      a = op == BitOp::kAnd ? (a & b) : op == BitOp::kOr ? (a | b) : (a ^ b);
      std::memcpy(r + j, &a, 8);
    }
    for (; j < have; j++)
      r[j] = op == BitOp::kAnd ? (r[j] & p[j]) : op == BitOp::kOr ? (r[j] | p[j]) : (r[j] ^ p[j]);
    if (op == BitOp::kAnd) std::memset(r + have, 0, maxlen - have);  // AND with the padding
  }
  // The destination loses any TTL (Redis's setKey), and is stored raw as Redis does.
  dest.put(make_string_entry(c, c.arg(2), res, -1, /*force_raw=*/true));
  c.notify(kNotifyString, "set", c.arg(2));
  c.reply.integer(static_cast<int64_t>(maxlen));
}

// --- BITFIELD / BITFIELD_RO ---

enum class Overflow { kWrap, kSat, kFail };

struct FieldOp {
  enum Kind { kGet, kSet, kIncr } kind;
  bool is_signed;
  int bits;
  uint64_t offset;
  int64_t arg;  // SET's value or INCRBY's increment
  Overflow overflow;
};

bool parse_field_type(CmdCtx& c, std::string_view arg, bool* is_signed, int* bits) {
  int64_t n;
  const bool ok = !arg.empty() && (arg[0] == 'i' || arg[0] == 'u') &&
                  parse_int(until_nul(arg.substr(1)), &n) && n >= 1 &&
                  n <= (arg[0] == 'i' ? 64 : 63);  // a u64 could not be replied as an integer
  if (!ok) {
    c.error(Err::kBitfieldType);
    return false;
  }
  *is_signed = arg[0] == 'i';
  *bits = static_cast<int>(n);
  return true;
}

// Parses every subcommand before anything runs, as Redis does: an error anywhere means no change.
bool parse_field_ops(CmdCtx& c, std::vector<FieldOp>* ops, uint64_t* highest_write) {
  Overflow overflow = Overflow::kWrap;
  for (size_t j = 2; j < c.argc(); j++) {
    const size_t more = c.argc() - j - 1;
    std::string_view sub = c.arg(j);
    FieldOp op{};
    if (iequals(sub, "get") && more >= 2) {
      op.kind = FieldOp::kGet;
    } else if (iequals(sub, "set") && more >= 3) {
      op.kind = FieldOp::kSet;
    } else if (iequals(sub, "incrby") && more >= 3) {
      op.kind = FieldOp::kIncr;
    } else if (iequals(sub, "overflow") && more >= 1) {
      std::string_view how = c.arg(++j);
      if (iequals(how, "wrap")) {
        overflow = Overflow::kWrap;
      } else if (iequals(how, "sat")) {
        overflow = Overflow::kSat;
      } else if (iequals(how, "fail")) {
        overflow = Overflow::kFail;
      } else {
        c.error(Err::kBitfieldOverflow);
        return false;
      }
      continue;
    } else {
      c.error(Err::kSyntax);
      return false;
    }
    if (!parse_field_type(c, c.arg(j + 1), &op.is_signed, &op.bits)) return false;
    if (!parse_bit_offset(c, c.arg(j + 2), op.bits, &op.offset)) return false;
    if (op.kind != FieldOp::kGet) {
      *highest_write = std::max(*highest_write, op.offset + op.bits - 1);
      if (!parse_int(c.arg(j + 3), &op.arg)) {
        c.error(Err::kNotInt);
        return false;
      }
    }
    op.overflow = overflow;
    ops->push_back(op);
    j += op.kind == FieldOp::kGet ? 2 : 3;
  }
  return true;
}

// A `bits`-wide two's complement field read as a signed number.
int64_t field_signed(uint64_t raw, int bits) {
  if (bits < 64 && (raw >> (bits - 1)) & 1) return static_cast<int64_t>(raw | (~0ull << bits));
  return static_cast<int64_t>(raw);
}

// The value a SET or INCRBY leaves in the field and what it replies, under the op's OVERFLOW rule;
// false when OVERFLOW FAIL refuses it. SET is "the value plus 0". Overflow is detected with Redis's
// own arithmetic (checkSignedBitfieldOverflow), 64-bit and wrapping, because it differs from the
// exact answer at one edge that clients can see: a signed SET of a value so negative that
// max - value wraps (INT64_MIN into an i8) counts as too large, so SAT stores the maximum.
bool field_result(const FieldOp& op, uint64_t old_raw, int64_t* reply, uint64_t* store) {
  const int b = op.bits;
  const bool incr_op = op.kind == FieldOp::kIncr;
  const int64_t incr = incr_op ? op.arg : 0;
  const uint64_t mask = b == 64 ? ~0ull : (1ull << b) - 1;
  int over = 0;  // 1 too large, -1 too small
  uint64_t result;
  if (op.is_signed) {
    const int64_t old = field_signed(old_raw, b);
    const int64_t value = incr_op ? old : op.arg;
    const int64_t max = static_cast<int64_t>(mask >> 1), min = -max - 1;
    const auto maxincr = static_cast<int64_t>(static_cast<uint64_t>(max) - value);
    const auto minincr = static_cast<int64_t>(static_cast<uint64_t>(min) - value);
    if (value > max || (b != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr))
      over = 1;
    else if (value < min || (b != 64 && incr < minincr) ||
             (value < 0 && incr < 0 && incr < minincr))
      over = -1;
    result = static_cast<uint64_t>(value) + static_cast<uint64_t>(incr);
    if (over && op.overflow == Overflow::kSat) result = static_cast<uint64_t>(over > 0 ? max : min);
    *store = result & mask;
    *reply = incr_op ? field_signed(*store, b) : old;
  } else {
    const uint64_t value = incr_op ? old_raw : static_cast<uint64_t>(op.arg);
    const auto maxincr = static_cast<int64_t>(mask - value);
    const auto minincr = static_cast<int64_t>(-value);
    if (value > mask || (incr > 0 && incr > maxincr))
      over = 1;
    else if (incr < 0 && incr < minincr)
      over = -1;
    result = value + static_cast<uint64_t>(incr);
    if (over && op.overflow == Overflow::kSat) result = over > 0 ? mask : 0;
    *store = result & mask;
    *reply = static_cast<int64_t>(incr_op ? *store : old_raw);
  }
  return !(over && op.overflow == Overflow::kFail);
}

int64_t field_value(const FieldOp& op, uint64_t raw) {
  return op.is_signed ? field_signed(raw, op.bits) : static_cast<int64_t>(raw);
}

void bitfield_generic(CmdCtx& c, bool read_only_cmd) {
  std::vector<FieldOp> ops;
  uint64_t highest_write = 0;
  if (!parse_field_ops(c, &ops, &highest_write)) return;
  bool writes = false;
  for (const FieldOp& op : ops) writes |= op.kind != FieldOp::kGet;
  if (!writes) {
    bool wrong;
    const Entry* e = read_string(c, c.arg(1), &wrong);
    if (wrong) return;
    StringBuf buf;
    std::string_view s = e ? string_bytes(c, e, &buf) : std::string_view();
    c.reply.array(ops.size());
    for (const FieldOp& op : ops)
      c.reply.integer(field_value(
          op, get_field(reinterpret_cast<const uint8_t*>(s.data()), s.size(), op.offset, op.bits)));
    return;
  }
  if (read_only_cmd) return c.error(Err::kBitfieldRo);
  KeyWrite kw(c, c.arg(1));
  if (kw.cur && kw.cur->type() != Type::kString) return c.error(Err::kWrongType);
  std::string s;
  int64_t when = -1;
  if (kw.cur) {
    StringBuf buf;
    s.assign(string_bytes(c, kw.cur, &buf));
    when = kw.cur->expire_ms();
  }
  // Room for the farthest bit any write reaches, made before any op runs (as Redis does): a key
  // created or grown this way stays so even when every write fails its OVERFLOW FAIL check.
  const size_t need = (highest_write >> 3) + 1;
  const bool grown = !kw.cur || s.size() < need;
  if (s.size() < need) s.resize(need, '\0');
  uint8_t* p = reinterpret_cast<uint8_t*>(s.data());
  bool changed = false;  // a field took a new value
  bool wrote = false;    // a SET or INCRBY passed its OVERFLOW check
  c.reply.array(ops.size());
  for (const FieldOp& op : ops) {
    const uint64_t old = get_field(p, s.size(), op.offset, op.bits);
    if (op.kind == FieldOp::kGet) {
      c.reply.integer(field_value(op, old));
      continue;
    }
    int64_t reply;
    uint64_t store;
    if (!field_result(op, old, &reply, &store)) {
      c.reply.null();
      continue;
    }
    c.reply.integer(reply);
    set_field(p, s.size(), op.offset, op.bits, store);
    changed |= store != old;
    wrote = true;
  }
  if (!grown && !changed) return;
  kw.put(make_string_entry(c, c.arg(1), s, when, /*force_raw=*/true));
  // Redis counts a change per write that ran on a created or grown string, or changed a field.
  if (changed || (grown && wrote)) c.notify(kNotifyString, "setbit", c.arg(1));
}

void cmd_bitfield(CmdCtx& c) {
  bitfield_generic(c, false);
}
void cmd_bitfield_ro(CmdCtx& c) {
  bitfield_generic(c, true);
}

// --- LCS ---

struct LcsMatch {
  uint32_t a_start, a_end, b_start, b_end;
};

void cmd_lcs(CmdCtx& c) {
  storage::Keyspace& ks = c.db();
  storage::MultiLock lock;  // both strings read at one instant
  lock.add_key(ks, c.arg(1));
  lock.add_key(ks, c.arg(2));
  lock.lock();
  const Entry* ea = c.lookup_read_locked(ks, c.arg(1));
  const Entry* eb = c.lookup_read_locked(ks, c.arg(2));
  if ((ea && ea->type() != Type::kString) || (eb && eb->type() != Type::kString))
    return c.error(Err::kLcsNotString);
  bool want_len = false, want_idx = false, with_len = false;
  int64_t min_len = 0;
  for (size_t j = 3; j < c.argc(); j++) {
    std::string_view opt = c.arg(j);
    if (iequals(opt, "idx")) {
      want_idx = true;
    } else if (iequals(opt, "len")) {
      want_len = true;
    } else if (iequals(opt, "withmatchlen")) {
      with_len = true;
    } else if (iequals(opt, "minmatchlen") && j + 1 < c.argc()) {
      if (!parse_int(c.arg(++j), &min_len)) return c.error(Err::kNotInt);
      if (min_len < 0) min_len = 0;
    } else {
      return c.error(Err::kSyntax);
    }
  }
  if (want_len && want_idx) return c.error(Err::kLcsLenAndIdx);
  StringBuf abuf, bbuf;
  std::string_view a = ea ? string_bytes(c, ea, &abuf) : std::string_view();
  std::string_view b = eb ? string_bytes(c, eb, &bbuf) : std::string_view();
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) return c.error(Err::kLcsTooLong);
  // The table is (|a|+1) x (|b|+1) lengths: Redis bounds this transient memory by
  // proto-max-bulk-len.
  const uint64_t cells = (a.size() + 1) * (b.size() + 1);
  if (cells * sizeof(uint32_t) >
      static_cast<uint64_t>(c.server.config.proto_max_bulk_len.load(std::memory_order_relaxed)))
    return c.error(Err::kLcsMemory);
  const size_t w = b.size() + 1;
  std::vector<uint32_t> t(cells, 0);
  for (size_t i = 1; i <= a.size(); i++)
    for (size_t j = 1; j <= b.size(); j++)
      t[i * w + j] = a[i - 1] == b[j - 1] ? t[(i - 1) * w + j - 1] + 1
                                          : std::max(t[(i - 1) * w + j], t[i * w + j - 1]);
  const uint32_t total = t[a.size() * w + b.size()];
  if (want_len) return c.reply.integer(total);
  // Walk back from the end, collecting the LCS (built backwards) and, for IDX, the runs of
  // consecutive matches in the order Redis reports them (last first).
  std::string lcs(total, '\0');
  std::vector<LcsMatch> matches;
  size_t i = a.size(), j = b.size(), k = total;
  bool in_run = false;
  LcsMatch run{};
  while (i > 0 && j > 0) {
    bool emit = false;
    if (a[i - 1] == b[j - 1]) {
      lcs[--k] = a[i - 1];
      if (!in_run) {
        run = {uint32_t(i - 1), uint32_t(i - 1), uint32_t(j - 1), uint32_t(j - 1)};
        in_run = true;
      } else if (run.a_start == i && run.b_start == j) {
        run.a_start--;
        run.b_start--;
      } else {
        emit = true;
      }
      if (run.a_start == 0 || run.b_start == 0) emit = true;
      i--;
      j--;
    } else {
      if (t[(i - 1) * w + j] > t[i * w + j - 1])
        i--;
      else
        j--;
      if (in_run) emit = true;
    }
    if (emit) {
      // A non-contiguous match ends the run before it (Redis's quirk: that match itself is then
      // dropped from the ranges, though it is in the string).
      if (run.a_end - run.a_start + 1 >= static_cast<uint64_t>(min_len)) matches.push_back(run);
      in_run = false;
    }
  }
  if (!want_idx) return c.reply.bulk(lcs);
  c.reply.map(2);
  c.reply.bulk("matches");
  c.reply.array(matches.size());
  for (const LcsMatch& m : matches) {
    c.reply.array(with_len ? 3 : 2);
    c.reply.array(2);
    c.reply.integer(m.a_start);
    c.reply.integer(m.a_end);
    c.reply.array(2);
    c.reply.integer(m.b_start);
    c.reply.integer(m.b_end);
    if (with_len) c.reply.integer(m.a_end - m.a_start + 1);
  }
  c.reply.bulk("len");
  c.reply.integer(total);
}

}  // namespace

void register_bit_commands(CommandTable& t) {
  t.add({.name = "setbit",
         .arity = 4,
         .flags = kWrite | kDenyOom,
         .keys = {1, 1, 1},
         .fn = cmd_setbit,
         .doc = {.group = "bitmap",
                 .summary = "Sets or clears the bit at offset in the string value stored at key",
                 .syntax = "key offset value",
                 .since = "2.2.0"}});
  t.add({.name = "getbit",
         .arity = 3,
         .flags = kReadonly | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_getbit,
         .doc = {.group = "bitmap",
                 .summary = "Returns the bit value at offset in the string value stored at key",
                 .syntax = "key offset",
                 .since = "2.2.0"}});
  t.add({.name = "bitcount",
         .arity = -2,
         .flags = kReadonly,
         .keys = {1, 1, 1},
         .fn = cmd_bitcount,
         .doc = {.group = "bitmap",
                 .summary = "Count set bits in a string",
                 .syntax = "key [start end [BYTE | BIT]]",
                 .since = "2.6.0",
                 .complexity = "O(N)"}});
  t.add({.name = "bitpos",
         .arity = -3,
         .flags = kReadonly,
         .keys = {1, 1, 1},
         .fn = cmd_bitpos,
         .doc = {.group = "bitmap",
                 .summary = "Find first bit set or clear in a string",
                 .syntax = "key bit [start [end [BYTE | BIT]]]",
                 .since = "2.8.7",
                 .complexity = "O(N)"}});
  t.add({.name = "bitop",
         .arity = -4,
         .flags = kWrite | kDenyOom,
         .keys = {2, -1, 1},
         .fn = cmd_bitop,
         .doc = {.group = "bitmap",
                 .summary = "Perform bitwise operations between strings",
                 .syntax = "operation destkey key [key ...]",
                 .since = "2.6.0",
                 .complexity = "O(N)"}});
  t.add({.name = "bitfield",
         .arity = -2,
         .flags = kWrite | kDenyOom,
         .keys = {1, 1, 1},
         .fn = cmd_bitfield,
         .doc = {.group = "bitmap",
                 .summary = "Perform arbitrary bitfield integer operations on strings",
                 .syntax = "key [GET encoding offset | [OVERFLOW WRAP | SAT | FAIL] SET encoding "
                           "offset value | INCRBY encoding offset increment ...]",
                 .since = "3.2.0",
                 .complexity = "O(1) for each subcommand specified"}});
  t.add({.name = "bitfield_ro",
         .arity = -2,
         .flags = kReadonly | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_bitfield_ro,
         .doc = {.group = "bitmap",
                 .summary = "Perform arbitrary bitfield integer operations on strings. Read-only "
                            "variant of BITFIELD",
                 .syntax = "key [GET encoding offset ...]",
                 .since = "6.0.0",
                 .complexity = "O(1) for each subcommand specified"}});
  t.add({.name = "lcs",
         .arity = -3,
         .flags = kReadonly,
         .keys = {1, 2, 1},
         .fn = cmd_lcs,
         .doc = {.group = "string",
                 .summary = "Find longest common substring",
                 .syntax = "key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]",
                 .since = "7.0.0",
                 .complexity = "O(N*M) where N and M are the lengths of s1 and s2, respectively"}});
}

}  // namespace respite::server
