// The HyperLogLog family: PFADD, PFCOUNT, PFMERGE, and the debugging PFDEBUG and PFSELFTEST. An
// HLL is an ordinary string value in Redis's byte format (storage/hyperloglog.h), so TYPE says
// string and GET, SET, APPEND and SETRANGE work on it, and values move between respite and
// redis-server by GET and SET. Values are read through string_bytes (integer-encoded ones are
// never HLLs; compressed ones are decoded), and every change builds the new bytes in the worker's
// scratch buffer and stores them as a new string entry, because published entries are never
// changed under lock-free readers. PFADD first checks, without copying, whether any element would
// raise a register: adding elements already counted costs no copy and no write. PFCOUNT of one
// key is a lock-free read while the cached count is valid; when it is stale it counts outside any
// lock and then takes the key's shard lock only to store the value with the count cached (Redis
// writes that cache too, as a change of the key: WATCH sees it), and only if the key still holds
// the entry it counted. Replies, flags and error texts are Redis 7.0.15's hyperloglog.c.
#include <cstring>
#include <string>

#include "server/context.h"
#include "server/keywrite.h"
#include "storage/hyperloglog.h"
#include "storage/multi_write.h"

namespace respite::server {

namespace hll = storage::hll;
using storage::Encoding;
using storage::Entry;
using storage::Type;

namespace {

// The worker's buffer for building a new HLL value. It keeps its capacity between commands (a
// dense value is 12 KiB) unless one command made it large (a huge corrupted "HLL", or a very high
// hll-sparse-max-bytes): that memory is given back rather than held by the worker for good.
class Scratch {
 public:
  explicit Scratch(CmdCtx& c) : s_(c.worker.hll_scratch) {}
  ~Scratch() {
    if (s_.capacity() > kKeep) std::string().swap(s_);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  std::string& get() { return s_; }

 private:
  static constexpr size_t kKeep = 64 * 1024;
  std::string& s_;
};

size_t sparse_max_bytes(CmdCtx& c) {
  return static_cast<size_t>(c.server.config.hll_sparse_max_bytes.load(std::memory_order_relaxed));
}

// The bytes of an existing key as an HLL, or false with the error sent: WRONGTYPE for another
// type, Redis's "not a valid HyperLogLog" WRONGTYPE for a string that is not one (an
// integer-encoded value never is: Redis checks the encoding before the bytes).
bool read_hll(CmdCtx& c, const Entry* e, StringBuf* buf, std::string_view* out) {
  if (e->type() != Type::kString) {
    c.error(Err::kWrongType);
    return false;
  }
  if (e->enc() == Encoding::kInt || string_length(e) < hll::kHeaderSize) {
    c.error(Err::kHllWrongType);
    return false;
  }
  *out = string_bytes(c, e, buf);
  if (!hll::looks_valid(*out)) {
    c.error(Err::kHllWrongType);
    return false;
  }
  return true;
}

// Stores the HLL built in `v` as the key's value, keeping its TTL (`when`), as a raw string:
// Redis changes the value in place, so neither its TTL nor its encoding changes.
void store(CmdCtx& c, KeyWrite& kw, const std::string& v, int64_t when) {
  kw.put(make_string_entry(c, kw.key(), v, when, /*force_raw=*/true));
}

// True when adding argv[from..] to v would change it or meet a corrupted body (so the real add
// must run to find out which); false when every element's register is already high enough.
bool adds_anything(CmdCtx& c, std::string_view v, size_t from) {
  for (size_t j = from; j < c.argc(); j++) {
    const hll::Pattern p = hll::pattern_of(c.arg(j));
    if (hll::register_at(v, p.index) < p.count) return true;  // -1 (corrupt) included
  }
  return false;
}

// --- PFADD ---

void cmd_pfadd(CmdCtx& c) {
  KeyWrite kw(c, c.arg(1));
  Scratch scratch(c);
  std::string& v = scratch.get();
  int64_t when = -1;
  int updated = 0;
  if (!kw.cur) {
    hll::make_empty(&v);
    updated = 1;  // creating the key is a change, even with no elements
  } else {
    StringBuf buf;
    std::string_view cur;
    if (!read_hll(c, kw.cur, &buf, &cur)) return;
    if (!adds_anything(c, cur, 2)) {
      touch_access(c, kw.cur);
      return c.reply.integer(0);
    }
    v.assign(cur);
    when = kw.cur->expire_ms();
  }
  const size_t sparse_max = sparse_max_bytes(c);
  for (size_t j = 2; j < c.argc(); j++) {
    const int r = hll::add(&v, c.arg(j), sparse_max);
    if (r < 0) {
      // Redis changes the value in place element by element: what the elements before the
      // corrupted spot changed stays changed, without an event.
      if (updated) store(c, kw, v, when);
      return c.error(Err::kHllCorrupt);
    }
    updated += r;
  }
  if (updated) {
    hll::invalidate_cache(&v);
    store(c, kw, v, when);
    c.notify(kNotifyString, "pfadd", c.arg(1));
  }
  c.reply.integer(updated ? 1 : 0);
}

// --- PFCOUNT ---

// The count of the union of several keys, none of them changed. Read under their shards' locks,
// so that the union is of values that were all there at one instant.
void pfcount_union(CmdCtx& c) {
  storage::Keyspace& ks = c.db();
  storage::MultiLock lock;
  for (size_t i = 1; i < c.argc(); i++) lock.add_key(ks, c.arg(i));
  lock.lock();
  uint8_t max[hll::kRegisters] = {};
  for (size_t i = 1; i < c.argc(); i++) {
    const Entry* e = c.lookup_read_locked(ks, c.arg(i));
    if (!e) continue;  // a missing key is an empty HLL
    StringBuf buf;
    std::string_view v;
    if (!read_hll(c, e, &buf, &v)) return;
    touch_access(c, e);
    if (!hll::merge_into(v, max)) return c.error(Err::kHllCorrupt);
  }
  c.reply.integer(static_cast<int64_t>(hll::count_registers(max)));
}

void cmd_pfcount(CmdCtx& c) {
  if (c.argc() > 2) return pfcount_union(c);
  const Entry* e = c.lookup_read(c.arg(1));
  if (!e) return c.reply.integer(0);
  StringBuf buf;
  std::string_view v;
  if (!read_hll(c, e, &buf, &v)) return;
  touch_access(c, e);
  if (hll::cache_valid(v)) return c.reply.integer(static_cast<int64_t>(hll::cached_count(v)));
  bool invalid = false;
  const uint64_t count = hll::count(v, &invalid);
  if (invalid) return c.error(Err::kHllCorrupt);
  {
    // Cache the count in the value, unless the key changed since it was read (that write's
    // value has its own stale cache for the next PFCOUNT). e is still readable here: it cannot
    // be reclaimed before this batch ends (storage/epoch.h).
    KeyWrite kw(c, c.arg(1));
    if (kw.cur == e) {
      Scratch scratch(c);
      std::string& s = scratch.get();
      s.assign(v);
      hll::set_cached_count(&s, count);
      store(c, kw, s, e->expire_ms());
    }
  }
  c.reply.integer(static_cast<int64_t>(count));
}

// --- PFMERGE ---

void cmd_pfmerge(CmdCtx& c) {
  storage::Keyspace& ks = c.db();
  storage::MultiLock lock;  // the sources read and the destination written at one instant
  for (size_t i = 1; i < c.argc(); i++) lock.add_key(ks, c.arg(i));
  lock.lock();
  // The destination is a source too (argv[1] included), and everything is checked before
  // anything is written.
  uint8_t max[hll::kRegisters] = {};
  bool any_dense = false;
  for (size_t i = 1; i < c.argc(); i++) {
    const Entry* e = c.lookup_read_locked(ks, c.arg(i));
    if (!e) continue;
    StringBuf buf;
    std::string_view v;
    if (!read_hll(c, e, &buf, &v)) return;
    touch_access(c, e);
    any_dense |= hll::encoding(v) == hll::kDense;
    if (!hll::merge_into(v, max)) return c.error(Err::kHllCorrupt);
  }
  KeyWrite dest(c, ks, c.arg(1), AlreadyLocked{});
  Scratch scratch(c);
  std::string& v = scratch.get();
  int64_t when = -1;
  if (dest.cur) {
    StringBuf buf;
    v.assign(string_bytes(c, dest.cur, &buf));
    when = dest.cur->expire_ms();
  } else {
    hll::make_empty(&v);
  }
  // A dense source makes the destination dense at once, as in Redis (it would be soon anyway).
  if (any_dense && !hll::to_dense(&v)) return c.error(Err::kHllCorrupt);
  const size_t sparse_max = sparse_max_bytes(c);
  for (uint32_t i = 0; i < hll::kRegisters; i++) {
    if (max[i]) hll::set_register(&v, i, max[i], sparse_max);
  }
  hll::invalidate_cache(&v);  // even when nothing changed, as in Redis
  store(c, dest, v, when);
  // Redis reports a merge as a mass PFADD.
  c.notify(kNotifyString, "pfadd", c.arg(1));
  c.reply.ok();
}

// --- PFDEBUG / PFSELFTEST ---

void cmd_pfdebug(CmdCtx& c) {
  // Redis compares the subcommand as a C string, after it has found the key.
  const std::string_view sub = until_nul(c.arg(1));
  KeyWrite kw(c, c.arg(2));
  if (!kw.cur) return c.error(Err::kHllNoSuchKey);
  StringBuf buf;
  std::string_view v;
  if (!read_hll(c, kw.cur, &buf, &v)) return;
  const bool sparse = hll::encoding(v) == hll::kSparse;
  // GETREG and TODENSE convert a sparse value to dense, and the key keeps the dense form.
  Scratch scratch(c);
  auto make_dense = [&]() {
    std::string& s = scratch.get();
    s.assign(v);
    if (!hll::to_dense(&s)) return false;
    store(c, kw, s, kw.cur->expire_ms());
    v = s;
    return true;
  };
  if (iequals(sub, "getreg")) {
    if (sparse && !make_dense()) return c.error(Err::kHllCorrupt);
    c.reply.array(hll::kRegisters);
    for (uint32_t i = 0; i < hll::kRegisters; i++) c.reply.integer(hll::register_at(v, i));
  } else if (iequals(sub, "decode")) {
    if (!sparse) return c.error(Err::kHllNotSparse);
    c.reply.bulk(hll::decode_sparse(v));
  } else if (iequals(sub, "encoding")) {
    c.reply.simple(sparse ? "sparse" : "dense");
  } else if (iequals(sub, "todense")) {
    if (sparse && !make_dense()) return c.error(Err::kHllCorrupt);
    c.reply.integer(sparse ? 1 : 0);
  } else {
    c.error(pfdebug_subcommand_error(sub));
  }
}

void cmd_pfselftest(CmdCtx& c) {
  const std::string failed = hll::self_test(sparse_max_bytes(c), c.worker.rng.next());
  if (!failed.empty()) return c.error(hll_selftest_error(failed));
  c.reply.ok();
}

}  // namespace

void register_hyperloglog_commands(CommandTable& t) {
  t.add({.name = "pfadd",
         .arity = -2,
         .flags = kWrite | kDenyOom | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_pfadd,
         .doc = {.group = "hyperloglog",
                 .summary = "Adds the specified elements to the specified HyperLogLog.",
                 .syntax = "key [element [element ...]]",
                 .since = "2.8.9",
                 .complexity = "O(1) to add every element."}});
  t.add({.name = "pfcount",
         .arity = -2,
         .flags = kReadonly | kMayReplicate,
         .keys = {1, -1, 1},
         .fn = cmd_pfcount,
         .doc = {.group = "hyperloglog",
                 .summary = "Return the approximated cardinality of the set(s) observed by the "
                            "HyperLogLog at key(s).",
                 .syntax = "key [key ...]",
                 .since = "2.8.9",
                 .complexity = "O(1) with a very small average constant time when called with a "
                               "single key. O(N) with N being the number of keys, and much bigger "
                               "constant times, when called with multiple keys."}});
  t.add({.name = "pfmerge",
         .arity = -2,
         .flags = kWrite | kDenyOom,
         .keys = {1, -1, 1},
         .fn = cmd_pfmerge,
         .doc = {.group = "hyperloglog",
                 .summary = "Merge N different HyperLogLogs into a single one.",
                 .syntax = "destkey [sourcekey [sourcekey ...]]",
                 .since = "2.8.9",
                 .complexity = "O(N) to merge N HyperLogLogs, but with high constant times."}});
  t.add({.name = "pfdebug",
         .arity = 3,
         .flags = kWrite | kDenyOom | kAdmin,
         .keys = {2, 2, 1},
         .fn = cmd_pfdebug,
         .doc = {.group = "hyperloglog",
                 .summary = "Internal commands for debugging HyperLogLog values",
                 .syntax = "subcommand key",
                 .since = "2.8.9",
                 .complexity = "N/A"}});
  t.add({.name = "pfselftest",
         .arity = 1,
         .flags = kAdmin,
         .fn = cmd_pfselftest,
         .doc = {.group = "hyperloglog",
                 .summary = "An internal command for testing HyperLogLog values",
                 .since = "2.8.9",
                 .complexity = "N/A"}});
}

}  // namespace respite::server
