// HyperLogLog representation logic: hashing, the dense and sparse encodings, promotion, merging and
// the cardinality estimator. See hyperloglog.h for the format and why it follows Redis's byte for
// byte.
#include "storage/hyperloglog.h"

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <random>

namespace respite::storage::hll {

namespace {

// Sparse opcodes (see the header): the two top bits say which.
constexpr uint8_t kXzeroBit = 0x40;
constexpr uint8_t kValBit = 0x80;
constexpr uint32_t kZeroMaxLen = 64;  // longest run one ZERO byte holds
constexpr uint32_t kValMaxLen = 4;    // longest run one VAL byte holds
constexpr int kQ = 64 - kPrecision;   // hash bits left for the zero-run count: values 1..kQ + 1
// 0.5 / ln 2: the limit of HyperLogLog's bias constant alpha as the register count grows, which
// is the one Ertl's estimator (and Redis 7) uses.
constexpr double kAlphaInf = 0.721347520444481703680;
static_assert(kZeroMaxLen == 64 && kValMaxLen == 4, "opcode widths: 6 bits of run, 2 bits of run");
static_assert(kQ + 1 < 64, "a register value indexes a 64-slot histogram");

inline bool is_zero(uint8_t op) {
  return (op & 0xc0) == 0;
}
inline bool is_xzero(uint8_t op) {
  return (op & 0xc0) == kXzeroBit;
}
inline bool is_val(uint8_t op) {
  return (op & kValBit) != 0;
}
inline uint32_t zero_len(uint8_t op) {
  return (op & 0x3fu) + 1;
}
inline uint32_t xzero_len(uint8_t op, uint8_t low) {
  return (((op & 0x3fu) << 8) | low) + 1;
}
inline uint32_t val_value(uint8_t op) {
  return ((op >> 2) & 0x1fu) + 1;
}
inline uint32_t val_len(uint8_t op) {
  return (op & 3u) + 1;
}
inline uint8_t val_op(uint32_t value, uint32_t len) {
  return static_cast<uint8_t>(((value - 1) << 2) | (len - 1) | kValBit);
}

// A sparse body: the bytes after the header. An XZERO whose second byte would lie past the end
// (a truncated or corrupted value) reads that byte as 0, which is what Redis finds there (the
// string's terminating NUL); it never reads past the view.
struct Body {
  const uint8_t* p;
  size_t n;
  explicit Body(std::string_view v)
      : p(reinterpret_cast<const uint8_t*>(v.data()) + kHeaderSize), n(v.size() - kHeaderSize) {}
  uint8_t at(size_t i) const { return i < n ? p[i] : 0; }
  // The registers the opcode at i covers, and its size in bytes.
  uint32_t span(size_t i, size_t* oplen) const {
    const uint8_t op = p[i];
    *oplen = 1;
    if (is_zero(op)) return zero_len(op);
    if (is_val(op)) return val_len(op);
    *oplen = 2;
    return xzero_len(op, at(i + 1));
  }
};

// Dense registers: register i is the 6 bits from bit 6i, low bits first. A register that starts
// in the top two bits of a byte continues in the next one; the last register (at bit 98298, two
// bits into byte 12287) never does, so these never touch a byte past the 12288.
inline unsigned dense_get(const uint8_t* r, uint32_t i) {
  const uint32_t bit = i * kRegisterBits, byte = bit >> 3, shift = bit & 7;
  unsigned v = r[byte] >> shift;
  if (shift > 2) v |= static_cast<unsigned>(r[byte + 1]) << (8 - shift);
  return v & 63;
}
inline void dense_put(uint8_t* r, uint32_t i, unsigned value) {
  const uint32_t bit = i * kRegisterBits, byte = bit >> 3, shift = bit & 7;
  r[byte] = static_cast<uint8_t>((r[byte] & ~(63u << shift)) | (value << shift));
  if (shift > 2) {
    r[byte + 1] =
        static_cast<uint8_t>((r[byte + 1] & ~(63u >> (8 - shift))) | (value >> (8 - shift)));
  }
}

inline uint8_t* dense_regs(std::string* v) {
  return reinterpret_cast<uint8_t*>(v->data()) + kHeaderSize;
}
inline const uint8_t* dense_regs(std::string_view v) {
  return reinterpret_cast<const uint8_t*>(v.data()) + kHeaderSize;
}

// Register-value histograms, the estimator's only input. int64_t: a corrupted sparse body can
// claim far more than 16384 registers (it is then reported invalid, but counted first).
using Histogram = int64_t[64];

void dense_histogram(const uint8_t* r, Histogram h) {
  // Three bytes hold four registers exactly.
  for (size_t i = 0; i < kDenseBytes; i += 3) {
    const uint32_t w =
        r[i] | (static_cast<uint32_t>(r[i + 1]) << 8) | (static_cast<uint32_t>(r[i + 2]) << 16);
    h[w & 63]++;
    h[(w >> 6) & 63]++;
    h[(w >> 12) & 63]++;
    h[(w >> 18) & 63]++;
  }
}

// False when the body does not cover exactly 16384 registers.
bool sparse_histogram(std::string_view v, Histogram h) {
  Body b(v);
  uint64_t idx = 0;
  for (size_t i = 0; i < b.n;) {
    const uint8_t op = b.p[i];
    size_t oplen;
    const uint32_t len = b.span(i, &oplen);
    if (idx + len > kRegisters) return false;
    h[is_val(op) ? val_value(op) : 0] += len;
    idx += len;
    i += oplen;
  }
  return idx == kRegisters;
}

// Ertl's sigma and tau ("New cardinality estimation algorithms for HyperLogLog sketches",
// arXiv:1702.01284): series summed until the double stops changing.
double sigma(double x) {
  if (x == 1.) return INFINITY;
  double y = 1, z = x, before;
  do {
    x *= x;
    before = z;
    z += x * y;
    y += y;
  } while (before != z);
  return z;
}

double tau(double x) {
  if (x == 0. || x == 1.) return 0.;
  double y = 1.0, z = 1 - x, before;
  do {
    x = std::sqrt(x);
    before = z;
    y *= 0.5;
    z -= std::pow(1 - x, 2) * y;
  } while (before != z);
  return z / 3;
}

// The estimate from a histogram, in Redis 7's exact order of floating-point operations: the same
// histogram gives the same integer here and there.
uint64_t estimate(const Histogram h) {
  const double m = kRegisters;
  double z = m * tau((m - static_cast<double>(h[kQ + 1])) / m);
  for (int j = kQ; j >= 1; --j) {
    z += static_cast<double>(h[j]);
    z *= 0.5;
  }
  z += m * sigma(static_cast<double>(h[0]) / m);
  return static_cast<uint64_t>(std::llround(static_cast<long double>(kAlphaInf * m * m / z)));
}

inline uint64_t load_le64(const uint8_t* p) {
  uint64_t k;
  std::memcpy(&k, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  k = __builtin_bswap64(k);
#endif
  return k;
}

}  // namespace

uint64_t murmur_hash64a(const void* data, size_t len, uint64_t seed) {
  constexpr uint64_t m = 0xc6a4a7935bd1e995ull;
  constexpr int r = 47;
  const uint8_t* p = static_cast<const uint8_t*>(data);
  uint64_t h = seed ^ (static_cast<uint64_t>(len) * m);
  const size_t blocks = len / 8;
  for (size_t i = 0; i < blocks; i++, p += 8) {
    uint64_t k = load_le64(p);
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  if (const size_t rest = len & 7) {
    uint64_t t = 0;  // the last 1..7 bytes as a little-endian number
    for (size_t i = rest; i-- > 0;) t = (t << 8) | p[i];
    h ^= t;
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

Pattern pattern_of(std::string_view element) {
  uint64_t hash = murmur_hash64a(element.data(), element.size(), kSeed);
  const uint32_t index = static_cast<uint32_t>(hash & (kRegisters - 1));
  // The other 50 bits, with a sentinel above them so that an all-zero hash still ends: the value
  // is the 1-based position of the first set bit, 1..51.
  hash = (hash >> kPrecision) | (1ull << kQ);
  return {index, static_cast<uint8_t>(__builtin_ctzll(hash) + 1)};
}

bool looks_valid(std::string_view v) {
  if (v.size() < kHeaderSize || v.substr(0, 4) != "HYLL") return false;
  const uint8_t enc = encoding(v);
  if (enc > kSparse) return false;
  return enc != kDense || v.size() == kDenseSize;
}

uint64_t cached_count(std::string_view v) {
  uint64_t c = 0;
  for (int i = 7; i >= 0; i--) c = (c << 8) | static_cast<uint8_t>(v[8 + i]);
  return c;
}

void set_cached_count(std::string* v, uint64_t count) {
  for (int i = 0; i < 8; i++) (*v)[8 + i] = static_cast<char>((count >> (8 * i)) & 0xff);
}

void make_empty(std::string* out) {
  out->assign(kHeaderSize + 2, '\0');
  std::memcpy(out->data(), "HYLL", 4);
  (*out)[4] = static_cast<char>(kSparse);
  // One XZERO of all 16384 registers: 01 111111 11111111.
  (*out)[kHeaderSize] = static_cast<char>(kXzeroBit | ((kRegisters - 1) >> 8));
  (*out)[kHeaderSize + 1] = static_cast<char>((kRegisters - 1) & 0xff);
}

int register_at(std::string_view v, uint32_t index) {
  if (encoding(v) == kDense) return static_cast<int>(dense_get(dense_regs(v), index));
  Body b(v);
  uint64_t first = 0;
  for (size_t i = 0; i < b.n;) {
    size_t oplen;
    const uint32_t span = b.span(i, &oplen);
    if (index < first + span) return is_val(b.p[i]) ? static_cast<int>(val_value(b.p[i])) : 0;
    first += span;
    i += oplen;
  }
  return -1;
}

bool to_dense(std::string* v) {
  if (encoding(*v) == kDense) return true;
  // Built on the stack and copied once: *v is usually a reused buffer whose capacity is worth
  // keeping, and a dense value's size is fixed and small.
  uint8_t dense[kDenseSize] = {};
  std::memcpy(dense, v->data(), kHeaderSize);  // magic, unused bytes and cache carried over
  dense[4] = kDense;
  uint8_t* regs = dense + kHeaderSize;
  Body b(*v);
  uint64_t idx = 0;
  for (size_t i = 0; i < b.n;) {
    const uint8_t op = b.p[i];
    size_t oplen;
    const uint32_t len = b.span(i, &oplen);
    if (idx + len > kRegisters) return false;  // runs past the last register: corrupt
    if (is_val(op)) {
      const uint32_t value = val_value(op);
      for (uint32_t k = 0; k < len; k++) dense_put(regs, static_cast<uint32_t>(idx + k), value);
    }
    idx += len;
    i += oplen;
  }
  if (idx != kRegisters) return false;  // ends short of the last register
  v->assign(reinterpret_cast<const char*>(dense), kDenseSize);
  return true;
}

namespace {

// The sparse case of set_register. Redis updates a sparse HLL in place; this does the same edits
// on *v in the same order, so the bytes come out the same. Four cases, by the opcode that covers
// the register: a VAL already high enough (nothing to do); a VAL or ZERO of one register
// (rewritten as the new VAL); otherwise the run is split into up to three opcodes (zeros or the
// old value before, the new VAL, zeros or the old value after), which may grow the body by up to
// three bytes. Then adjacent VALs of equal value are merged, looking at most five opcodes from
// the one before the change.
int sparse_set(std::string* v, uint32_t index, uint8_t count, size_t sparse_max) {
  Body b(*v);
  uint64_t first = 0;
  uint32_t span = 0;
  size_t pos = 0, oplen = 1;
  size_t prev = SIZE_MAX;  // the opcode before pos, if any
  bool found = false;
  while (pos < b.n) {
    span = b.span(pos, &oplen);
    if (index < first + span) {
      found = true;
      break;
    }
    prev = pos;
    pos += oplen;
    first += span;
  }
  if (!found) return -1;

  uint8_t* body = reinterpret_cast<uint8_t*>(v->data()) + kHeaderSize;
  const uint8_t op = body[pos];
  const bool zero = is_zero(op), xzero = is_xzero(op), val = is_val(op);
  bool done = false;
  if (val) {
    if (val_value(op) >= count) return 0;
    if (span == 1) {
      body[pos] = val_op(count, 1);
      done = true;
    }
  } else if (zero && span == 1) {
    body[pos] = val_op(count, 1);
    done = true;
  }

  if (!done) {
    uint8_t seq[5];
    size_t n = 0;
    const uint64_t last = first + span - 1;
    auto put_zeros = [&](uint64_t len) {
      if (len > kZeroMaxLen) {
        seq[n++] = static_cast<uint8_t>(kXzeroBit | ((len - 1) >> 8));
        seq[n++] = static_cast<uint8_t>((len - 1) & 0xff);
      } else {
        seq[n++] = static_cast<uint8_t>(len - 1);
      }
    };
    if (zero || xzero) {
      if (index != first) put_zeros(index - first);
      seq[n++] = val_op(count, 1);
      if (index != last) put_zeros(last - index);
    } else {
      const uint32_t old = val_value(op);
      if (index != first) seq[n++] = val_op(old, static_cast<uint32_t>(index - first));
      seq[n++] = val_op(count, 1);
      if (index != last) seq[n++] = val_op(old, static_cast<uint32_t>(last - index));
    }
    const size_t old_len = xzero ? 2 : 1;
    const ptrdiff_t delta = static_cast<ptrdiff_t>(n) - static_cast<ptrdiff_t>(old_len);
    if (delta > 0 && v->size() + static_cast<size_t>(delta) > sparse_max) {
      if (!to_dense(v)) return -1;
      uint8_t* r = dense_regs(v);
      if (dense_get(r, index) >= count) return 0;
      dense_put(r, index, count);
      return 1;
    }
    const size_t total = v->size();
    if (pos + old_len < b.n) {
      // Opcodes follow: open (or close) the room the new ones need, then write them.
      const size_t at = kHeaderSize + pos;
      if (n > old_len)
        v->insert(at + old_len, n - old_len, '\0');
      else if (n < old_len)
        v->erase(at + n, old_len - n);
      std::memcpy(v->data() + at, seq, n);
    } else {
      // The last opcode. When it is an XZERO cut short (its second byte missing), Redis writes
      // the new opcodes over the end but keeps the length it computed, losing the last byte.
      v->resize(kHeaderSize + pos);
      v->append(reinterpret_cast<const char*>(seq), n);
      v->resize(static_cast<size_t>(static_cast<ptrdiff_t>(total) + delta));
    }
  }

  // Merge equal adjacent VALs near the change (Redis's scan of up to five opcodes).
  uint8_t* p0 = reinterpret_cast<uint8_t*>(v->data()) + kHeaderSize;
  size_t end = v->size() - kHeaderSize;
  size_t p = prev == SIZE_MAX ? 0 : prev;
  int scan = 5;
  while (p < end && scan-- > 0) {
    const uint8_t a = p0[p];
    if (is_xzero(a)) {
      p += 2;
      continue;
    }
    if (is_zero(a)) {
      p++;
      continue;
    }
    if (p + 1 < end && is_val(p0[p + 1]) && val_value(a) == val_value(p0[p + 1])) {
      const uint32_t len = val_len(a) + val_len(p0[p + 1]);
      if (len <= kValMaxLen) {
        p0[p + 1] = val_op(val_value(a), len);
        v->erase(kHeaderSize + p, 1);
        p0 = reinterpret_cast<uint8_t*>(v->data()) + kHeaderSize;
        end--;
        continue;  // the merged opcode may merge with the next one too
      }
    }
    p++;
  }
  invalidate_cache(v);
  return 1;
}

}  // namespace

int set_register(std::string* v, uint32_t index, uint8_t count, size_t sparse_max) {
  if (encoding(*v) == kDense) {
    uint8_t* r = dense_regs(v);
    if (dense_get(r, index) >= count) return 0;
    dense_put(r, index, count);
    return 1;
  }
  if (count > kSparseValMax) {
    // No VAL opcode holds it: dense from now on. The register was at most 32, so it changes.
    if (!to_dense(v)) return -1;
    uint8_t* r = dense_regs(v);
    if (dense_get(r, index) >= count) return 0;
    dense_put(r, index, count);
    return 1;
  }
  return sparse_set(v, index, count, sparse_max);
}

bool merge_into(std::string_view v, uint8_t* max) {
  if (encoding(v) == kDense) {
    const uint8_t* r = dense_regs(v);
    for (uint32_t i = 0; i < kRegisters; i++) {
      const uint8_t x = static_cast<uint8_t>(dense_get(r, i));
      if (x > max[i]) max[i] = x;
    }
    return true;
  }
  Body b(v);
  uint64_t idx = 0;
  for (size_t i = 0; i < b.n;) {
    const uint8_t op = b.p[i];
    size_t oplen;
    const uint32_t len = b.span(i, &oplen);
    if (idx + len > kRegisters) return false;
    if (is_val(op)) {
      const uint8_t value = static_cast<uint8_t>(val_value(op));
      for (uint32_t k = 0; k < len; k++) {
        if (value > max[idx + k]) max[idx + k] = value;
      }
    }
    idx += len;
    i += oplen;
  }
  return idx == kRegisters;
}

uint64_t count(std::string_view v, bool* invalid) {
  Histogram h = {};
  if (encoding(v) == kDense) {
    dense_histogram(dense_regs(v), h);
  } else if (!sparse_histogram(v, h) && invalid) {
    *invalid = true;
  }
  return estimate(h);
}

uint64_t count_registers(const uint8_t* regs) {
  Histogram h = {};
  for (uint32_t i = 0; i < kRegisters; i++) h[regs[i] & 63]++;
  return estimate(h);
}

std::string decode_sparse(std::string_view v) {
  std::string out;
  Body b(v);
  char item[32];
  for (size_t i = 0; i < b.n;) {
    const uint8_t op = b.p[i];
    size_t oplen;
    const uint32_t len = b.span(i, &oplen);
    int w;
    if (is_zero(op))
      w = std::snprintf(item, sizeof item, "z:%u ", len);
    else if (is_xzero(op))
      w = std::snprintf(item, sizeof item, "Z:%u ", len);
    else
      w = std::snprintf(item, sizeof item, "v:%u,%u ", val_value(op), len);
    out.append(item, static_cast<size_t>(w));
    i += oplen;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string self_test(size_t sparse_max, uint64_t seed) {
  std::mt19937_64 rng(seed);
  char msg[128];
  // 1: every register of a dense body keeps the value written to it, whatever its neighbours.
  {
    uint8_t regs[kDenseBytes] = {};
    uint8_t want[kRegisters];
    for (int cycle = 0; cycle < 1000; cycle++) {
      for (uint32_t i = 0; i < kRegisters; i++) {
        want[i] = static_cast<uint8_t>(rng() & 63);
        dense_put(regs, i, want[i]);
      }
      for (uint32_t i = 0; i < kRegisters; i++) {
        const unsigned got = dense_get(regs, i);
        if (got != want[i]) {
          std::snprintf(msg, sizeof msg, "Register %u should be %u but is %u", i,
                        static_cast<unsigned>(want[i]), got);
          return msg;
        }
      }
    }
  }
  // 2: distinct elements into a dense and a sparse HLL at once: the sparse one stays sparse while
  // small, both give the same count, and the error stays within 6 standard errors.
  std::string dense, sparse;
  make_empty(&dense);
  if (!to_dense(&dense)) return "dense conversion failed";
  make_empty(&sparse);
  const double relerr = 1.04 / std::sqrt(static_cast<double>(kRegisters));
  const uint64_t base = rng();
  uint64_t checkpoint = 1;
  for (uint64_t j = 1; j <= 10000000; j++) {
    uint8_t ele[8];
    const uint64_t x = j ^ base;
    for (int k = 0; k < 8; k++) ele[k] = static_cast<uint8_t>(x >> (8 * k));
    const std::string_view e(reinterpret_cast<const char*>(ele), 8);
    add(&dense, e, sparse_max);
    add(&sparse, e, sparse_max);
    if (j != checkpoint) continue;
    if (j < sparse_max / 2 && encoding(sparse) != kSparse) return "sparse encoding not used";
    const uint64_t c = count(dense, nullptr);
    if (c != count(sparse, nullptr)) return "dense/sparse disagree";
    const uint64_t abserr = c > checkpoint ? c - checkpoint : checkpoint - c;
    uint64_t maxerr =
        static_cast<uint64_t>(std::ceil(relerr * 6 * static_cast<double>(checkpoint)));
    if (j == 10) maxerr = 1;  // small counts collide now and then: Redis allows 1 here
    if (abserr > maxerr) {
      std::snprintf(msg, sizeof msg, "Too big error. card:%llu abserr:%llu",
                    static_cast<unsigned long long>(checkpoint),
                    static_cast<unsigned long long>(abserr));
      return msg;
    }
    checkpoint *= 10;
  }
  return {};
}

}  // namespace respite::storage::hll
