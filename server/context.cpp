// Shared helpers of command handlers: argument parsing, string values, lookups; see context.h.
#include "server/context.h"

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "server/arg_parser.h"
#include "storage/hash.h"

namespace respite::server {

using storage::Encoding;
using storage::Entry;

const Entry* CmdCtx::lookup_read(std::string_view key) {
  const Entry* e = db().find(key, op.now_ms);
  (e ? worker.stats.hits : worker.stats.misses).add(1);
  if (!e && worker.notify.enabled(kNotifyExpired | kNotifyKeyMiss)) [[unlikely]]
    read_miss_events(key);
  return e;
}

const Entry* CmdCtx::lookup_read_locked(storage::Keyspace& ks, std::string_view key) {
  uint64_t h = storage::hash_key(key);
  const Entry* e = ks.lookup_locked(ks.shard_for(h), key, h, op);
  (e ? worker.stats.hits : worker.stats.misses).add(1);
  return e;
}

// A read missed while "expired" or "keymiss" events are on (only then: the lock-free read never
// removes an expired entry by itself). As Redis's lookupKeyRead: an expired entry is removed now,
// under its shard's lock ("expired"), then "keymiss". Not inside EXEC, whose exclusive hold
// allows locking only the shards it took (keyspace.h, MultiLock).
void CmdCtx::read_miss_events(std::string_view key) {
  if (worker.command_depth <= 1 && worker.notify.enabled(kNotifyExpired)) {
    storage::Keyspace& ks = db();
    uint64_t h = storage::hash_key(key);
    storage::Shard& s = ks.shard_for(h);
    const Entry* raw = s.find(key, h);
    if (raw && raw->expired(op.now_ms)) {
      std::lock_guard<storage::Shard> lock(s);
      ks.lookup_locked(s, key, h, op);
    }
  }
  notify(kNotifyKeyMiss, "keymiss", key);
}

void CmdCtx::arity_error() {
  reply.error(server::arity_error(cmd->name));
}

namespace {
// Redis's string2ld/strtod acceptance rules, for double and long double alike: no leading space,
// nothing after the number, no NaN, no overflow (underflow to a denormal is fine).
template <class T, T (*Convert)(const char*, char**)>
bool parse_floating(std::string_view s, T* out) {
  if (s.empty() || s.size() >= 5 * 1024) return false;
  char buf[5 * 1024];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = 0;
  if (std::isspace(static_cast<unsigned char>(buf[0]))) return false;
  char* end;
  errno = 0;
  T v = Convert(buf, &end);
  if (end != buf + s.size() || std::isnan(v)) return false;
  if (errno == ERANGE && (std::isinf(v) || std::fpclassify(v) == FP_ZERO)) return false;
  *out = v;
  return true;
}
}  // namespace

bool parse_long_double(std::string_view s, long double* out) {
  return parse_floating<long double, std::strtold>(s, out);
}

bool parse_double(std::string_view s, double* out) {
  // Plain decimal digits (at most 15, with an optional sign), the common case of ZADD scores, are
  // converted directly: exactly what strtod returns, since such integers are exact in a double,
  // without copying into a C string and running strtod (~400 instructions a score).
  size_t i = !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (s.size() > i && s.size() - i <= 15) {
    int64_t v = 0;
    size_t j = i;
    for (; j < s.size() && s[j] >= '0' && s[j] <= '9'; j++) v = v * 10 + (s[j] - '0');
    if (j == s.size()) {
      double d = static_cast<double>(v);
      *out = s[0] == '-' ? -d : d;  // "-0" is -0, as strtod reads it
      return true;
    }
  }
  return parse_floating<double, std::strtod>(s, out);
}

namespace {

using SteadyClock = std::chrono::steady_clock;

void count_ns(WorkerStats* stats, Counter WorkerStats::*field, SteadyClock::time_point since) {
  if (stats == nullptr) return;
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - since);
  (stats->*field).add(static_cast<uint64_t>(ns.count()));
}

// Decodes the first n bytes of a compressed value into dst. Only a Blob that compress_value did
// not make could fail; its bytes then read as zeros rather than as whatever dst held.
void decode(const storage::Blob* b, char* dst, size_t n, WorkerStats* stats) {
  SteadyClock::time_point t0 = stats ? SteadyClock::now() : SteadyClock::time_point();
  bool ok =
      n == b->orig_len ? storage::decompress_value(b, dst) : storage::decompress_prefix(b, dst, n);
  if (!ok) std::memset(dst, 0, n);
  count_ns(stats, &WorkerStats::lz4_decompress_ns, t0);
}

}  // namespace

std::string_view string_bytes(const Entry* e, StringBuf* buf, WorkerStats* stats) {
  switch (e->enc()) {
    case Encoding::kRaw:
      return e->raw_value();
    case Encoding::kInt: {
      size_t n = protocol::ReplyWriter::format_int(e->int_value(), buf->small);
      return {buf->small, n};
    }
    case Encoding::kBlob:
      return {e->blob()->data(), e->blob()->len};
    case Encoding::kLz4:
      return string_prefix(e, e->blob()->orig_len, buf, stats);
    default:
      return {};
  }
}

size_t string_length(const Entry* e) {
  switch (e->enc()) {
    case Encoding::kRaw:
      return e->raw_value().size();
    case Encoding::kInt: {
      char small[32];
      return protocol::ReplyWriter::format_int(e->int_value(), small);
    }
    case Encoding::kBlob:
      return e->blob()->len;
    case Encoding::kLz4:
      return e->blob()->orig_len;
    default:
      return 0;
  }
}

std::string_view string_prefix(const Entry* e, size_t n, StringBuf* buf, WorkerStats* stats) {
  if (e->enc() != Encoding::kLz4) return string_bytes(e, buf, stats).substr(0, n);
  const storage::Blob* b = e->blob();
  if (n > b->orig_len) n = b->orig_len;
  buf->big = std::make_unique_for_overwrite<char[]>(n);
  decode(b, buf->big.get(), n, stats);
  return {buf->big.get(), n};
}

void reply_string(protocol::ReplyWriter& r, const Entry* e, WorkerStats* stats) {
  if (e->enc() == Encoding::kBlob) {
    storage::Blob* b = e->blob();
    if (b->len >= protocol::OutputBuffer::kRefThreshold) {
      b->ref();  // released when the bytes have been written (or the client is gone)
      r.bulk_ref(b->data(), b->len, storage::Blob::unref_cb, b);
      return;
    }
  } else if (e->enc() == Encoding::kLz4) {
    // No intermediate copy: the value is decoded where the reply's bytes go.
    const storage::Blob* b = e->blob();
    decode(b, r.bulk_in_place(b->orig_len), b->orig_len, stats);
    return;
  }
  StringBuf buf;
  r.bulk(string_bytes(e, &buf, stats));
}

storage::CompressPolicy compress_policy(const Config& config) {
  int64_t threshold = config.compression_threshold.load(std::memory_order_relaxed);
  int64_t pct = config.compression_min_saving.load(std::memory_order_relaxed);
  return {static_cast<size_t>(threshold), static_cast<unsigned>(pct)};
}

Entry* make_string_entry(CmdCtx& c, std::string_view key, std::string_view value, int64_t expire_ms,
                         bool force_raw) {
  int64_t v;
  if (!force_raw && value.size() <= 20 && storage::parse_canonical_int(value, &v)) {
    return Entry::make_int(key, v, expire_ms);
  }
  storage::CompressPolicy policy = compress_policy(c.server.config);
  // Compressed later, off the request path (storage/compressor.h): stored now as a raw Blob, the
  // form the compressor swaps. Every caller holds the key's shard lock, as its ordering needs.
  const bool later = policy.applies(value.size()) &&
                     c.server.config.compression_background.load(std::memory_order_relaxed);
  if (later) {
    c.server.store.compressor().enqueue(c.db(), key, storage::hash_key(key), value.size(), policy);
  } else if (policy.applies(value.size())) {
    WorkerStats& st = c.worker.stats;
    SteadyClock::time_point t0 = SteadyClock::now();
    storage::CompressOutcome outcome;
    storage::Blob* b = storage::compress_value(value, policy, &c.worker.lz4_scratch, &outcome);
    count_ns(&st, &WorkerStats::lz4_compress_ns, t0);
    if (b != nullptr) {
      st.lz4_values.add(1);
      st.lz4_raw.add(value.size());
      st.lz4_stored.add(b->len);
      return Entry::make_blob(key, b, Encoding::kLz4, expire_ms);
    }
    if (outcome == storage::CompressOutcome::kNotWorthIt) st.lz4_skipped.add(1);
  }
  if (later || value.size() >= protocol::OutputBuffer::kRefThreshold) {
    return Entry::make_blob(key, storage::Blob::make(value.data(), value.size()), Encoding::kBlob,
                            expire_ms);
  }
  Entry* e = Entry::make_string(key, value, expire_ms);
  if (force_raw) e->add_flags(Entry::kRawString);
  return e;
}

bool parse_scan_cursor(CmdCtx& c, std::string_view arg, uint64_t* out) {
  // Exactly Redis's parseScanCursorOrReply: strtoul, refusing leading space, trailing bytes and
  // overflow (so "" is 0 and "-1" wraps to the largest cursor, as there).
  std::string s(arg);
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if ((!s.empty() && std::isspace(static_cast<unsigned char>(s[0]))) || *end != '\0' ||
      errno == ERANGE) {
    c.error(Err::kCursor);
    return false;
  }
  *out = v;
  return true;
}

bool parse_scan_options(CmdCtx& c, size_t first, bool allow_type, ScanArgs* out) {
  ArgParser p(c.argv, first);
  while (p.has_next()) {
    if (p.remaining() < 2) {  // Redis checks for the value before it reads the option's name
      p.fail(Err::kSyntax);
    } else if (p.check("COUNT")) {
      int64_t count = p.next_int();
      if (p.ok() && count < 1) p.fail(Err::kSyntax);
      out->count = static_cast<size_t>(count);
    } else if (p.check("MATCH")) {
      std::string_view v = p.next();
      out->pattern = v;
      out->has_pattern = !(v.size() == 1 && v[0] == '*');
    } else if (allow_type && p.check("TYPE")) {
      out->type = lowercase(p.next());
      out->has_type = true;
    } else {
      p.fail(Err::kSyntax);
    }
  }
  if (!p.ok()) c.error(p.error());
  return p.ok();
}

bool parse_mpop(CmdCtx& c, size_t at, std::string_view first_end, std::string_view second_end,
                MpopArgs* a) {
  int64_t numkeys;
  if (!parse_int(c.arg(at), &numkeys) || numkeys <= 0) {
    c.error(Err::kNumkeysPositive);
    return false;
  }
  if (static_cast<uint64_t>(numkeys) >= c.argc() - at - 1) {  // no room for the end word
    c.error(Err::kSyntax);
    return false;
  }
  a->first_key = at + 1;
  a->nkeys = static_cast<size_t>(numkeys);
  size_t where = a->first_key + a->nkeys;
  if (iequals(c.arg(where), first_end)) {
    a->second_end = false;
  } else if (iequals(c.arg(where), second_end)) {
    a->second_end = true;
  } else {
    c.error(Err::kSyntax);
    return false;
  }
  bool counted = false;
  for (size_t j = where + 1; j < c.argc(); j++) {
    if (counted || !iequals(c.arg(j), "count") || j + 1 >= c.argc()) {
      c.error(Err::kSyntax);
      return false;
    }
    if (!parse_int(c.arg(++j), &a->count) || a->count < 1) {
      c.error(Err::kCountPositive);
      return false;
    }
    counted = true;
  }
  return true;
}

void reply_scan(protocol::ReplyWriter& r, uint64_t cursor, size_t items) {
  r.array(2);
  r.bulk(std::to_string(cursor));  // unsigned: cursors use all 64 bits
  r.array(items);
}

std::string format_long_double(long double v) {
  // Redis: "%.17Lf" then strip trailing zeros and a trailing dot (ld2string, LD_STR_HUMAN).
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[5 * 1024 + 64];
  int n = std::snprintf(buf, sizeof buf, "%.17Lf", v);
  if (n <= 0) return "0";
  std::string s(buf, static_cast<size_t>(n));
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

}  // namespace respite::server
