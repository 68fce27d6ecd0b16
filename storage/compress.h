// Transparent LZ4 compression of large string values (Encoding::kLz4).
//
// A string value of at least `threshold` bytes is compressed when that saves at least
// `min_saving_pct` percent of it (and at least one byte); otherwise it is stored raw (kBlob). The
// compressed bytes live in an ordinary Blob, immutable and reference counted like every Blob, with
// `orig_len` the uncompressed length and `len` the compressed one. So a compressed Blob is exactly
// one whose len < orig_len: Blob::make sets orig_len = len (a value past 4 GiB truncates orig_len,
// which only makes it smaller than len) and compress_value never makes a Blob that saves nothing.
//
// Commands never see the compressed bytes: the server's string helpers (server/context.h)
// decompress on read, straight into the reply's output buffer for GET. Values are compressed as one
// LZ4 block (LZ4_compress_default): decompression runs at several GB/s, and a block needs no
// framing.
//
// Live totals: how many compressed Blobs exist and their raw and stored sizes are process-wide
// relaxed atomics, changed when compress_value makes a Blob and when such a Blob is freed (on any
// thread: the last unref may come from an output buffer, the epoch reclaimer or the lazy-free
// thread, none of which knows a worker). They are touched once per compressed value made or freed,
// never on a read: next to the compression itself (tens of microseconds for 16 KiB and up) an
// uncontended RMW is noise, and per-worker counters cannot see frees on other threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/entry.h"

namespace respite::storage {

struct CompressPolicy {
  size_t threshold = 0;         // values at least this long are tried; 0 = compression off
  unsigned min_saving_pct = 0;  // 0..100: the saving (percent of the value) needed to keep it
  bool applies(size_t n) const { return threshold != 0 && n >= threshold; }
};

enum class CompressOutcome {
  kNotTried,    // below the threshold, compression off, or too large for orig_len
  kCompressed,  // a Blob was returned
  kNotWorthIt,  // tried, but it did not save min_saving_pct
};

// True when the saving of `stored` bytes for `raw` bytes of value meets the policy: at least one
// byte and at least min_saving_pct percent of raw (exact integer arithmetic, no rounding).
bool saves_enough(size_t raw, size_t stored, unsigned min_saving_pct);

// A new Blob (refs = 1) holding `value` compressed, or nullptr when the policy does not apply or
// the saving is too small (*outcome says which). `scratch` is the caller's reusable buffer (grown
// to at most value.size() bytes): the value is compressed there, with LZ4 told to give up once the
// output would save too little, and only the result is copied into an allocation of exactly its
// size (shrinking a larger one in place would leave its slack allocated under mimalloc).
Blob* compress_value(std::string_view value, const CompressPolicy& policy, std::string* scratch,
                     CompressOutcome* outcome);

// A compressed Blob (len < orig_len); see the top of this file.
inline bool is_compressed(const Blob* b) {
  return b->len < b->orig_len;
}

// Writes the b->orig_len original bytes of a compressed Blob to dst. False only for bytes that
// are not a valid LZ4 block of that size, which compress_value never makes.
bool decompress_value(const Blob* b, char* dst);
// Writes the first n (<= orig_len) original bytes to dst, decoding no further than it must
// (GETRANGE near the start of a large value).
bool decompress_prefix(const Blob* b, char* dst, size_t n);

// Compressed Blobs alive in this process: count, and their original and compressed bytes.
struct CompressLive {
  int64_t values = 0, raw_bytes = 0, stored_bytes = 0;
};
CompressLive compress_live();
// Called by Blob::destroy for a compressed Blob.
void note_compressed_freed(const Blob* b);

}  // namespace respite::storage
