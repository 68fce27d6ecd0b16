// LZ4 compression of large string values; see compress.h.
#include "storage/compress.h"

#include <lz4.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

namespace respite::storage {

namespace {

// The live totals (compress.h explains why they are process-wide). Relaxed: they are statistics,
// read by INFO with no ordering against the values they describe.
struct LiveTotals {
  std::atomic<int64_t> values{0}, raw_bytes{0}, stored_bytes{0};
};
LiveTotals& live() {
  static LiveTotals t;
  return t;
}

// LZ4's block API takes int sizes; orig_len is 32 bits. Both limits are far above any value worth
// compressing as one block (proto-max-bulk-len defaults to 512 MiB).
constexpr size_t kMaxCompressible = LZ4_MAX_INPUT_SIZE;
static_assert(kMaxCompressible <= UINT32_MAX, "orig_len must hold every compressible length");

}  // namespace

bool saves_enough(size_t raw, size_t stored, unsigned min_saving_pct) {
  if (stored >= raw) return false;
  // (raw - stored) / raw >= pct / 100, in integers: raw < 2^31, so neither side overflows.
  return static_cast<uint64_t>(raw - stored) * 100 >= static_cast<uint64_t>(min_saving_pct) * raw;
}

Blob* compress_value(std::string_view value, const CompressPolicy& policy, std::string* scratch,
                     CompressOutcome* outcome) {
  *outcome = CompressOutcome::kNotTried;
  size_t n = value.size();
  if (!policy.applies(n) || n > kMaxCompressible || n == 0) return nullptr;
  *outcome = CompressOutcome::kNotWorthIt;
  if (policy.min_saving_pct >= 100) return nullptr;
  // The largest result that still saves enough: LZ4 gives up (returns 0) once its output would
  // not fit, so a value that does not compress costs less than a full pass.
  size_t limit = n - 1;
  if (policy.min_saving_pct > 0) {
    limit = n - (static_cast<uint64_t>(n) * policy.min_saving_pct + 99) / 100;
  }
  if (limit == 0) return nullptr;
  if (scratch->size() < limit) scratch->resize(limit);
  int k = LZ4_compress_default(value.data(), scratch->data(), static_cast<int>(n),
                               static_cast<int>(limit));
  if (k <= 0 || !saves_enough(n, static_cast<size_t>(k), policy.min_saving_pct)) return nullptr;
  Blob* b = Blob::make(scratch->data(), static_cast<size_t>(k));
  b->orig_len = static_cast<uint32_t>(n);
  LiveTotals& t = live();
  t.values.fetch_add(1, std::memory_order_relaxed);
  t.raw_bytes.fetch_add(static_cast<int64_t>(n), std::memory_order_relaxed);
  t.stored_bytes.fetch_add(k, std::memory_order_relaxed);
  *outcome = CompressOutcome::kCompressed;
  return b;
}

bool decompress_value(const Blob* b, char* dst) {
  int n =
      LZ4_decompress_safe(b->data(), dst, static_cast<int>(b->len), static_cast<int>(b->orig_len));
  return n == static_cast<int>(b->orig_len);
}

bool decompress_prefix(const Blob* b, char* dst, size_t n) {
  if (n >= b->orig_len) return decompress_value(b, dst);
  if (n == 0) return true;
  int k = LZ4_decompress_safe_partial(b->data(), dst, static_cast<int>(b->len), static_cast<int>(n),
                                      static_cast<int>(n));
  return k >= 0 && static_cast<size_t>(k) >= n;
}

CompressLive compress_live() {
  LiveTotals& t = live();
  return {t.values.load(std::memory_order_relaxed), t.raw_bytes.load(std::memory_order_relaxed),
          t.stored_bytes.load(std::memory_order_relaxed)};
}

void note_compressed_freed(const Blob* b) {
  LiveTotals& t = live();
  t.values.fetch_sub(1, std::memory_order_relaxed);
  t.raw_bytes.fetch_sub(b->orig_len, std::memory_order_relaxed);
  t.stored_bytes.fetch_sub(static_cast<int64_t>(b->len), std::memory_order_relaxed);
}

}  // namespace respite::storage
