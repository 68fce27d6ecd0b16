// HyperLogLog values in Redis's own byte format, so that a GET of a key PFADDed here returns the
// bytes redis-server would hold after the same PFADDs, and a value SET from redis-server counts
// here the same (and the reverse). An HLL is an ordinary string:
//
//   "HYLL" | encoding (0 dense, 1 sparse) | 3 unused bytes | cached cardinality (8 bytes, LE)
//
// then the registers. 16384 registers (precision 14) of 6 bits each; an element's register is the
// low 14 bits of MurmurHash64A(element, seed 0xadc83b19) and its value the position of the first
// set bit among the other 50 (1-based, so 1..51). The top bit of the cache's last byte set means
// "stale": every change sets it, PFCOUNT recomputes and clears it.
//   - dense: 12288 bytes, register i at bit 6i, least significant bits first;
//   - sparse: run-length opcodes, ZERO (00xxxxxx: 1..64 zero registers), XZERO (01xxxxxx
//     yyyyyyyy: 1..16384 zero registers), VAL (1vvvvvxx: 1..4 registers of value 1..32).
// A new HLL is sparse; it turns dense when a register needs a value above 32 or the sparse form
// would grow past hll-sparse-max-bytes. Byte compatibility goes further than the format: the sparse
// bytes depend on the order of updates (which runs get split, which neighbours get merged), so
// set_register() follows Redis's update rules step by step, and the estimator is Redis 7's (Ertl's
// improved estimator over the register histogram), so counts agree exactly, not just roughly.
//
// Everything here works on plain bytes: a view for reads, a std::string for a value being built
// (the caller stores the result as a new string entry; published entries are never changed).
// Corrupted input (a client can SETRANGE any byte) is detected where Redis detects it and never
// read out of bounds. A sparse body is valid when its opcodes cover exactly the 16384 registers;
// readers stop at the first opcode that would run past them, as redis-server does since the fix
// for CVE-2025-32023 (in Debian's 7.0.15 too), so a body with opcodes after the last register is
// corrupt for every command, not just for some.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace respite::storage::hll {

inline constexpr int kPrecision = 14;
inline constexpr uint32_t kRegisters = 1u << kPrecision;
inline constexpr int kRegisterBits = 6;
inline constexpr size_t kHeaderSize = 16;
inline constexpr size_t kDenseBytes = (kRegisters * kRegisterBits + 7) / 8;
inline constexpr size_t kDenseSize = kHeaderSize + kDenseBytes;
inline constexpr uint8_t kDense = 0;
inline constexpr uint8_t kSparse = 1;
inline constexpr uint64_t kSeed = 0xadc83b19ull;
// Largest value a sparse VAL opcode holds; a larger register forces the dense form.
inline constexpr uint8_t kSparseValMax = 32;
static_assert(kDenseSize == 12304, "Redis's dense HLL is 16 + 12288 bytes");

// MurmurHash2, 64-bit variant (Austin Appleby's MurmurHash64A), reading 8-byte blocks as little
// endian on every platform as Redis does. The hash is part of the format: another one would put
// elements in other registers.
uint64_t murmur_hash64a(const void* data, size_t len, uint64_t seed);

// Where an element lands: its register and the value it offers that register (1..51).
struct Pattern {
  uint32_t index;
  uint8_t count;
};
Pattern pattern_of(std::string_view element);

// What Redis accepts as an HLL before reading it (isHLLObjectOrReply): at least a header, the
// magic, a known encoding, and the exact length when dense. A sparse body is checked as it is
// read (the functions below report corruption).
bool looks_valid(std::string_view v);
inline uint8_t encoding(std::string_view v) {
  return static_cast<uint8_t>(v[4]);
}
inline bool cache_valid(std::string_view v) {
  return (static_cast<uint8_t>(v[15]) & 0x80) == 0;
}
uint64_t cached_count(std::string_view v);
void set_cached_count(std::string* v, uint64_t count);
inline void invalidate_cache(std::string* v) {
  (*v)[15] = static_cast<char>(static_cast<uint8_t>((*v)[15]) | 0x80);
}

// A new, empty HLL: sparse, one XZERO opcode for every register, the cache valid and 0.
void make_empty(std::string* out);

// The value of register `index`, or -1 when a sparse body ends before reaching it (corrupt).
// PFADD asks this first, so an add that changes nothing copies nothing.
int register_at(std::string_view v, uint32_t index);

// Raises register `index` of *v to `count` if it is lower, promoting a sparse HLL to dense when
// Redis would (count above 32, or the sparse form growing past sparse_max bytes). Returns 1 when
// the register changed, 0 when not, -1 when the sparse body is corrupt (then *v may hold the
// partial work, as Redis's value would). A changed sparse body has its cache invalidated here; a
// dense one's is left to the caller (PFADD, PFMERGE), as in Redis.
int set_register(std::string* v, uint32_t index, uint8_t count, size_t sparse_max);
inline int add(std::string* v, std::string_view element, size_t sparse_max) {
  Pattern p = pattern_of(element);
  return set_register(v, p.index, p.count, sparse_max);
}

// Rewrites a sparse HLL as dense (header, cache included, kept). True if it was dense already or
// converted; false, leaving *v alone, when the sparse body is corrupt.
bool to_dense(std::string* v);

// max[i] = max(max[i], register i of v) for every register (PFMERGE, PFCOUNT of several keys).
// False when the sparse body is corrupt.
bool merge_into(std::string_view v, uint8_t* max);

// The estimated cardinality of v (the cache is not consulted); *invalid set when a sparse body
// does not cover exactly 16384 registers.
uint64_t count(std::string_view v, bool* invalid);
// The estimated cardinality of 16384 one-byte registers.
uint64_t count_registers(const uint8_t* regs);

// PFDEBUG DECODE's text for a sparse body: "Z:16384", "z:3 v:2,1 Z:16380", ...
std::string decode_sparse(std::string_view v);

// PFSELFTEST: register access on a dense body, then 10 million distinct elements added to a dense
// and a sparse HLL side by side, checking that both agree and stay within 6 standard errors.
// Empty when it passes, else what failed (after "TESTFAILED ").
std::string self_test(size_t sparse_max, uint64_t seed);

}  // namespace respite::storage::hll
