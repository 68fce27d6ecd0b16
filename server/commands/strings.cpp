// The string family: GET, SET and its options, the counters, ranges and multi-key MGET/MSET.
// Values are stored as integers when they are canonical integers, inline when small, in a shared
// Blob when large, and LZ4-compressed in a Blob when large and compressible (context.cpp,
// make_string_entry). Commands read them through string_bytes / string_length / reply_string, which
// hide the compression.
#include <climits>
#include <cmath>
#include <cstring>

#include "server/arg_parser.h"
#include "server/context.h"
#include "server/keywrite.h"
#include "storage/multi_write.h"

namespace respite::server {

using storage::Encoding;
using storage::Entry;
using storage::Type;

namespace {

// --- SET / GETEX option parsing (Redis's parseExtendedStringArgumentsOrReply) ---
enum : unsigned {
  kNX = 1,
  kXX = 2,
  kGET = 4,
  kKEEPTTL = 8,
  kPERSIST = 16,
  kEX = 32,
  kPX = 64,
  kEXAT = 128,
  kPXAT = 256,
  kIFEQ = 512,  // Valkey 8.1's SET ... IFEQ comparison-value
};
constexpr unsigned kAnyExpire = kEX | kPX | kEXAT | kPXAT;

struct StringOpts {
  unsigned flags = 0;
  std::string_view expire_arg;
  std::string_view ifeq_arg;  // kIFEQ's comparison value
};

// Every conflict (NX with XX, two different expire options, KEEPTTL or PERSIST with an expire) and
// a missing expire value is a syntax error, as in Redis; the same option twice is not. The expire
// value is only read later (opts_expire), so a syntax error anywhere wins over a bad number.
[[gnu::noinline]] bool parse_string_opts_slow(CmdCtx& c, size_t from, bool is_set, StringOpts* o) {
  static_assert(kPX == kEX << 1 && kEXAT == kEX << 2 && kPXAT == kEX << 3);
  ArgParser p(c.argv, from);
  while (p.has_next()) {
    const unsigned f = o->flags;
    int e;  // which of EX PX EXAT PXAT
    if (is_set && !(f & (kXX | kIFEQ)) && p.check("NX")) {
      o->flags |= kNX;
    } else if (is_set && !(f & (kNX | kIFEQ)) && p.check("XX")) {
      o->flags |= kXX;
    } else if (is_set && !(f & (kNX | kXX | kIFEQ)) && p.check("IFEQ")) {
      // Valkey's conditional SET: exclusive with NX and XX; the value to compare follows.
      o->flags |= kIFEQ;
      o->ifeq_arg = p.next();  // none left: a syntax error
    } else if (is_set && p.check("GET")) {
      o->flags |= kGET;
    } else if (is_set && !(f & (kPERSIST | kAnyExpire)) && p.check("KEEPTTL")) {
      o->flags |= kKEEPTTL;
    } else if (!is_set && !(f & (kKEEPTTL | kAnyExpire)) && p.check("PERSIST")) {
      o->flags |= kPERSIST;
    } else if (!(f & (kKEEPTTL | kPERSIST)) &&
               (e = p.switch_of({"EX", "PX", "EXAT", "PXAT"})) >= 0) {
      const unsigned which = kEX << e;
      if (f & kAnyExpire & ~which) p.fail(Err::kSyntax);
      o->flags |= which;
      o->expire_arg = p.next();  // none left: a syntax error
    } else {
      p.fail(Err::kSyntax);
    }
  }
  if (!p.ok()) c.error(p.error());
  return p.ok();
}

// Most SETs have no options: they skip the parser without a call (with the parser's set-up in
// cmd_set's path, a plain SET cost ~20 more instructions).
inline bool parse_string_opts(CmdCtx& c, size_t from, bool is_set, StringOpts* o) {
  return from >= c.argc() || parse_string_opts_slow(c, from, is_set, o);
}

void invalid_expire(CmdCtx& c) {
  c.error(invalid_expire_error(c.cmd->name));
}

// Turns an expire argument into an absolute unix time in ms, with Redis's checks and errors.
bool expire_at(CmdCtx& c, std::string_view arg, bool seconds, bool relative, int64_t* out) {
  int64_t v;
  if (!parse_int(arg, &v)) {
    c.error(Err::kNotInt);
    return false;
  }
  if (v <= 0 || (seconds && v > INT64_MAX / 1000)) {
    invalid_expire(c);
    return false;
  }
  if (seconds) v *= 1000;
  if (relative) {
    if (v > INT64_MAX - c.op.now_ms) {
      invalid_expire(c);
      return false;
    }
    v += c.op.now_ms;
  }
  *out = v;
  return true;
}

bool opts_expire(CmdCtx& c, const StringOpts& o, int64_t* when) {
  *when = -1;
  if (!(o.flags & kAnyExpire)) return true;
  return expire_at(c, o.expire_arg, o.flags & (kEX | kEXAT), o.flags & (kEX | kPX), when);
}

bool check_string_length(CmdCtx& c, uint64_t size) {
  if (size >
      static_cast<uint64_t>(c.server.config.proto_max_bulk_len.load(std::memory_order_relaxed))) {
    c.error(Err::kStringTooLong);
    return false;
  }
  return true;
}

// The common core of SET, SETNX, SETEX, PSETEX. ifeq: IFEQ's comparison value (with kIFEQ).
void set_generic(CmdCtx& c, std::string_view key, std::string_view value, unsigned flags,
                 int64_t when, bool reply_int, std::string_view ifeq = {}) {
  KeyWrite kw(c, key);
  if (flags & kGET) {
    if (kw.cur && kw.cur->type() != Type::kString) {
      c.error(Err::kWrongType);
      return;
    }
    if (kw.cur)
      reply_string(c, kw.cur);
    else
      c.reply.null();
  }
  bool found = kw.cur != nullptr;
  if (flags & kIFEQ) {
    // Valkey 8.1: a value of another type is an error (GET above has sent it already); a
    // missing key or a different value leaves the key alone and answers nil (or GET's value).
    if (found && kw.cur->type() != Type::kString) {
      if (!(flags & kGET)) c.error(Err::kWrongType);
      return;
    }
    StringBuf buf;
    if (!found || string_bytes(c, kw.cur, &buf) != ifeq) {
      if (!(flags & kGET)) c.reply.null();
      return;
    }
  }
  if (((flags & kNX) && found) || ((flags & kXX) && !found)) {
    if (reply_int)
      c.reply.integer(0);
    else if (!(flags & kGET))
      c.reply.null();
    return;
  }
  const bool expire_given = when >= 0;  // KEEPTTL's kept TTL raises no "expire"
  if ((flags & kKEEPTTL) && found) when = kw.cur->expire_ms();
  kw.put(make_string_entry(c, key, value, when));
  c.notify(kNotifyString, "set", key);
  if (expire_given) c.notify(kNotifyGeneric, "expire", key);
  if (reply_int)
    c.reply.integer(1);
  else if (!(flags & kGET))
    c.reply.ok();
}

void cmd_get(CmdCtx& c) {
  const Entry* e = c.lookup_read(c.arg(1));
  if (!e) return c.reply.null();
  if (e->type() != Type::kString) return c.error(Err::kWrongType);
  touch_access(c, e);
  reply_string(c, e);
}

void cmd_set(CmdCtx& c) {
  StringOpts o;
  if (!parse_string_opts(c, 3, true, &o)) return;
  int64_t when;
  if (!opts_expire(c, o, &when)) return;
  set_generic(c, c.arg(1), c.arg(2), o.flags, when, false, o.ifeq_arg);
}

void cmd_setnx(CmdCtx& c) {
  set_generic(c, c.arg(1), c.arg(2), kNX, -1, true);
}

void cmd_setex(CmdCtx& c) {
  bool seconds = c.cmd->name == "setex";
  int64_t when;
  if (!expire_at(c, c.arg(2), seconds, true, &when)) return;
  set_generic(c, c.arg(1), c.arg(3), 0, when, false);
}

void cmd_getset(CmdCtx& c) {
  set_generic(c, c.arg(1), c.arg(2), kGET, -1, false);
}

void cmd_getdel(CmdCtx& c) {
  KeyWrite kw(c, c.arg(1));
  if (!kw.cur) return c.reply.null();
  if (kw.cur->type() != Type::kString) return c.error(Err::kWrongType);
  reply_string(c, kw.cur);
  kw.erase();
  c.notify(kNotifyGeneric, "del", c.arg(1));
}

void cmd_getex(CmdCtx& c) {
  StringOpts o;
  if (!parse_string_opts(c, 2, false, &o)) return;
  KeyWrite kw(c, c.arg(1));
  if (!kw.cur) return c.reply.null();
  if (kw.cur->type() != Type::kString) return c.error(Err::kWrongType);
  int64_t when;  // checked after the lookup, as Redis does: a missing key is nil whatever EX says
  if (!opts_expire(c, o, &when)) return;
  reply_string(c, kw.cur);
  if (when >= 0 && when <= c.op.now_ms) {
    kw.erase();  // an absolute time in the past deletes the key, as Redis does
    c.notify(kNotifyGeneric, "del", c.arg(1));
  } else if (when >= 0) {
    kw.set_expire(when);
    c.notify(kNotifyGeneric, "expire", c.arg(1));
  } else if ((o.flags & kPERSIST) && kw.cur->expire_ms() >= 0) {
    kw.set_expire(Entry::kNoExpire);
    c.notify(kNotifyGeneric, "persist", c.arg(1));
  }
}

void cmd_mget(CmdCtx& c) {
  storage::MultiLock lock;
  for (size_t i = 1; i < c.argc(); i++) lock.add_key(c.db(), c.arg(i));
  lock.lock();
  c.reply.array(c.argc() - 1);
  for (size_t i = 1; i < c.argc(); i++) {
    const Entry* e = c.lookup_read(c.arg(i));
    if (!e || e->type() != Type::kString)
      c.reply.null();
    else
      reply_string(c, e);
  }
}

// MSET and MSETNX: all keys' shards locked together (no other writer interleaves) and published
// by one commit (storage/multi_write.h: no lock-free reader sees half of it).
void mset_generic(CmdCtx& c, bool nx) {
  if (c.argc() % 2 == 0) return c.arity_error();
  storage::Keyspace& ks = c.db();
  storage::MultiLock lock;
  for (size_t i = 1; i < c.argc(); i += 2) lock.add_key(ks, c.arg(i));
  lock.lock();
  storage::MultiWrite write(c.op);
  if (nx) {
    for (size_t i = 1; i < c.argc(); i += 2) {
      if (write.get(ks, c.arg(i))) return c.reply.integer(0);
    }
  }
  uint32_t clock = lru_clock(c.op.now_ms);
  const bool notify_new = c.worker.notify.enabled(kNotifyNew);
  for (size_t i = 1; i < c.argc(); i += 2) {
    if (notify_new && !write.get(ks, c.arg(i))) c.notify(kNotifyNew, "new", c.arg(i));
    Entry* e = make_string_entry(c, c.arg(i), c.arg(i + 1), -1);
    e->touch(clock);
    write.put(ks, e);
    c.notify(kNotifyString, "set", c.arg(i));
  }
  write.commit();
  if (nx)
    c.reply.integer(1);
  else
    c.reply.ok();
}

void cmd_mset(CmdCtx& c) {
  mset_generic(c, false);
}
void cmd_msetnx(CmdCtx& c) {
  mset_generic(c, true);
}

// MSETEX numkeys key value [key value ...] [NX | XX] [EX | PX | EXAT | PXAT | KEEPTTL] (Redis
// 8.4): MSET with one TTL for every key, NX (none of the keys exists) or XX (all of them do)
// checked over the whole group first; 1 when the keys were set, 0 when the condition stopped it.
// Locked and published like MSET.
void cmd_msetex(CmdCtx& c) {
  int64_t n;
  if (!parse_int(c.arg(1), &n) || n <= 0) return c.error(Err::kInvalidNumkeys);
  if (static_cast<uint64_t>(n) > (c.argc() - 2) / 2) return c.arity_error();
  const size_t end = 2 + 2 * static_cast<size_t>(n);  // the options start here
  StringOpts o;
  if (!parse_string_opts(c, end, true, &o)) return;
  if (o.flags & (kGET | kIFEQ)) return c.error(Err::kSyntax);
  int64_t when;
  if (!opts_expire(c, o, &when)) return;

  storage::Keyspace& ks = c.db();
  storage::MultiLock lock;
  for (size_t i = 2; i < end; i += 2) lock.add_key(ks, c.arg(i));
  lock.lock();
  storage::MultiWrite write(c.op);
  if (o.flags & (kNX | kXX)) {
    for (size_t i = 2; i < end; i += 2) {
      bool found = write.get(ks, c.arg(i)) != nullptr;
      if (found == bool(o.flags & kNX)) return c.reply.integer(0);
    }
  }
  uint32_t clock = lru_clock(c.op.now_ms);
  const bool notify_new = c.worker.notify.enabled(kNotifyNew);
  for (size_t i = 2; i < end; i += 2) {
    const Entry* cur = write.get(ks, c.arg(i));
    if (notify_new && !cur) c.notify(kNotifyNew, "new", c.arg(i));
    int64_t at = (o.flags & kKEEPTTL) && cur ? cur->expire_ms() : when;
    Entry* e = make_string_entry(c, c.arg(i), c.arg(i + 1), at);
    e->touch(clock);
    write.put(ks, e);
    c.notify(kNotifyString, "set", c.arg(i));
    if (when >= 0) c.notify(kNotifyGeneric, "expire", c.arg(i));
  }
  write.commit();
  c.reply.integer(1);
}

void cmd_strlen(CmdCtx& c) {
  const Entry* e = c.lookup_read(c.arg(1));
  if (!e) return c.reply.integer(0);
  if (e->type() != Type::kString) return c.error(Err::kWrongType);
  c.reply.integer(static_cast<int64_t>(string_length(e)));
}

void cmd_append(CmdCtx& c) {
  KeyWrite kw(c, c.arg(1));
  std::string_view add = c.arg(2);
  if (!kw.cur) {
    kw.put(make_string_entry(c, c.arg(1), add, -1));
    c.notify(kNotifyString, "append", c.arg(1));
    return c.reply.integer(static_cast<int64_t>(add.size()));
  }
  if (kw.cur->type() != Type::kString) return c.error(Err::kWrongType);
  if (!check_string_length(c, string_length(kw.cur) + add.size())) return;
  StringBuf buf;
  std::string_view old = string_bytes(c, kw.cur, &buf);
  std::string joined;
  joined.reserve(old.size() + add.size());
  joined.append(old).append(add);
  kw.put(make_string_entry(c, c.arg(1), joined, kw.cur->expire_ms(), /*force_raw=*/true));
  c.notify(kNotifyString, "append", c.arg(1));
  c.reply.integer(static_cast<int64_t>(joined.size()));
}

// INCR, DECR, INCRBY, DECRBY. An integer-encoded value is updated in place (no allocation).
void incr_generic(CmdCtx& c, int64_t by) {
  KeyWrite kw(c, c.arg(1));
  int64_t v = 0;
  if (kw.cur) {
    if (kw.cur->type() != Type::kString) return c.error(Err::kWrongType);
    if (kw.cur->enc() == Encoding::kInt) {
      v = kw.cur->int_value();
    } else {
      // Longer than any int64's text: not an integer, known without decompressing it.
      if (string_length(kw.cur) > 20) return c.error(Err::kNotInt);
      StringBuf buf;
      if (!parse_int(string_bytes(c, kw.cur, &buf), &v)) return c.error(Err::kNotInt);
    }
  }
  if ((by < 0 && v < 0 && by < INT64_MIN - v) || (by > 0 && v > 0 && by > INT64_MAX - v))
    return c.error(Err::kOverflow);
  v += by;
  if (kw.cur && kw.cur->enc() == Encoding::kInt) {
    kw.cur->set_int(v);
    kw.modified();
  } else {
    kw.put(Entry::make_int(c.arg(1), v, kw.cur ? kw.cur->expire_ms() : -1));
  }
  c.notify(kNotifyString, "incrby", c.arg(1));  // INCR, DECR, DECRBY too, as in Redis
  c.reply.integer(v);
}

void cmd_incr(CmdCtx& c) {
  incr_generic(c, 1);
}
void cmd_decr(CmdCtx& c) {
  incr_generic(c, -1);
}

void cmd_incrby(CmdCtx& c) {
  int64_t by;
  if (!parse_int(c.arg(2), &by)) return c.error(Err::kNotInt);
  incr_generic(c, by);
}

void cmd_decrby(CmdCtx& c) {
  int64_t by;
  if (!parse_int(c.arg(2), &by)) return c.error(Err::kNotInt);
  if (by == INT64_MIN) return c.error(Err::kDecrOverflow);
  incr_generic(c, -by);
}

void cmd_incrbyfloat(CmdCtx& c) {
  // Redis's order: the key's type, then its value, then the increment.
  KeyWrite kw(c, c.arg(1));
  long double v = 0, by;
  if (kw.cur) {
    if (kw.cur->type() != Type::kString) return c.error(Err::kWrongType);
    StringBuf buf;
    if (!parse_long_double(string_bytes(c, kw.cur, &buf), &v)) return c.error(Err::kNotFloat);
  }
  if (!parse_long_double(c.arg(2), &by)) return c.error(Err::kNotFloat);
  v += by;
  if (std::isnan(v) || std::isinf(v)) return c.error(Err::kNaN);
  std::string text = format_long_double(v);
  // Stored as text even when it reads as an integer ("3"), as Redis does: OBJECT ENCODING says
  // embstr. (At most a few KiB: a long double has no more digits than that.)
  kw.put(Entry::make_string(c.arg(1), text, kw.cur ? kw.cur->expire_ms() : -1));
  c.notify(kNotifyString, "incrbyfloat", c.arg(1));
  c.reply.bulk(text);
}

void cmd_getrange(CmdCtx& c) {
  int64_t start, end;
  if (!parse_int(c.arg(2), &start) || !parse_int(c.arg(3), &end)) return c.error(Err::kNotInt);
  const Entry* e = c.lookup_read(c.arg(1));
  if (!e) return c.reply.bulk("");
  if (e->type() != Type::kString) return c.error(Err::kWrongType);
  int64_t len = static_cast<int64_t>(string_length(e));
  if (start < 0 && end < 0 && start > end) return c.reply.bulk("");
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len == 0) return c.reply.bulk("");
  // Only the bytes up to `end` are needed: a compressed value is decoded no further.
  StringBuf buf;
  std::string_view s = string_prefix(e, static_cast<size_t>(end) + 1, &buf, &c.worker.stats);
  c.reply.bulk(s.substr(static_cast<size_t>(start)));
}

void cmd_setrange(CmdCtx& c) {
  int64_t offset;
  if (!parse_int(c.arg(2), &offset)) return c.error(Err::kNotInt);
  if (offset < 0) return c.error(Err::kOutOfRangeOffset);
  std::string_view value = c.arg(3);
  KeyWrite kw(c, c.arg(1));
  std::string s;
  int64_t when = -1;
  if (!kw.cur) {
    if (value.empty()) return c.reply.integer(0);
    if (!check_string_length(c, static_cast<uint64_t>(offset) + value.size())) return;
  } else {
    if (kw.cur->type() != Type::kString) return c.error(Err::kWrongType);
    if (value.empty()) return c.reply.integer(static_cast<int64_t>(string_length(kw.cur)));
    if (!check_string_length(c, static_cast<uint64_t>(offset) + value.size())) return;
    StringBuf buf;
    s.assign(string_bytes(c, kw.cur, &buf));
    when = kw.cur->expire_ms();
  }
  size_t need = static_cast<size_t>(offset) + value.size();
  if (s.size() < need) s.resize(need, '\0');
  std::memcpy(s.data() + offset, value.data(), value.size());
  kw.put(make_string_entry(c, c.arg(1), s, when, /*force_raw=*/true));
  c.notify(kNotifyString, "setrange", c.arg(1));
  c.reply.integer(static_cast<int64_t>(s.size()));
}

}  // namespace

void register_string_commands(CommandTable& t) {
  constexpr uint32_t W = kWrite | kDenyOom, R = kReadonly;
  t.add({.name = "get",
         .arity = 2,
         .flags = R | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_get,
         .doc = {.group = "string", .summary = "Get the value of a key", .syntax = "key"}});
  t.add({.name = "set",
         .arity = -3,
         .flags = W,
         .keys = {1, 1, 1},
         .fn = cmd_set,
         .doc = {.group = "string",
                 .summary = "Set the string value of a key",
                 .syntax = "key value [NX | XX | IFEQ comparison-value] [GET] [EX seconds | PX "
                           "milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | "
                           "KEEPTTL]"}});
  t.add({.name = "setnx",
         .arity = 3,
         .flags = W | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_setnx,
         .doc = {.group = "string",
                 .summary = "Set the value of a key, only if the key does not exist",
                 .syntax = "key value"}});
  t.add({.name = "setex",
         .arity = 4,
         .flags = W,
         .keys = {1, 1, 1},
         .fn = cmd_setex,
         .doc = {.group = "string",
                 .summary = "Set the value and expiration of a key",
                 .syntax = "key seconds value",
                 .since = "2.0.0"}});
  t.add({.name = "psetex",
         .arity = 4,
         .flags = W,
         .keys = {1, 1, 1},
         .fn = cmd_setex,
         .doc = {.group = "string",
                 .summary = "Set the value and expiration in milliseconds of a key",
                 .syntax = "key milliseconds value",
                 .since = "2.6.0"}});
  t.add({.name = "getset",
         .arity = 3,
         .flags = W | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_getset,
         .doc = {.group = "string",
                 .summary = "Set the string value of a key and return its old value",
                 .syntax = "key value"}});
  t.add({.name = "getdel",
         .arity = 2,
         .flags = kWrite | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_getdel,
         .doc = {.group = "string",
                 .summary = "Get the value of a key and delete the key",
                 .syntax = "key",
                 .since = "6.2.0"}});
  t.add({.name = "getex",
         .arity = -2,
         .flags = kWrite | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_getex,
         .doc = {.group = "string",
                 .summary = "Get the value of a key and optionally set its expiration",
                 .syntax = "key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT "
                           "unix-time-milliseconds | PERSIST]",
                 .since = "6.2.0"}});
  t.add({.name = "mget",
         .arity = -2,
         .flags = R | kFast,
         .keys = {1, -1, 1},
         .fn = cmd_mget,
         .doc = {.group = "string",
                 .summary = "Get the values of all the given keys",
                 .syntax = "key [key ...]",
                 .complexity = "O(N)"}});
  t.add({.name = "mset",
         .arity = -3,
         .flags = W,
         .keys = {1, -1, 2},
         .fn = cmd_mset,
         .doc = {.group = "string",
                 .summary = "Set multiple keys to multiple values",
                 .syntax = "key value [key value ...]",
                 .since = "1.0.1",
                 .complexity = "O(N)"}});
  t.add({.name = "msetex",
         .arity = -4,
         .flags = W | kMovableKeys,
         // Every second argument from the first key on: the keys, and perhaps an option word
         // or value past them (a superset is harmless to EXEC's locking; COMMAND GETKEYS may
         // list one option too many).
         .keys = {2, -1, 2},
         .fn = cmd_msetex,
         .doc = {.group = "string",
                 .summary = "Atomically sets multiple string keys with a shared expiration in a "
                            "single operation.",
                 .syntax = "numkeys key value [key value ...] [NX | XX] [EX seconds | PX "
                           "milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds "
                           "| KEEPTTL]",
                 .since = "8.4.0",
                 .complexity = "O(N) where N is the number of keys to set."}});
  t.add({.name = "msetnx",
         .arity = -3,
         .flags = W,
         .keys = {1, -1, 2},
         .fn = cmd_msetnx,
         .doc = {.group = "string",
                 .summary = "Set multiple keys to multiple values, only if none of the keys exist",
                 .syntax = "key value [key value ...]",
                 .since = "1.0.1",
                 .complexity = "O(N)"}});
  t.add({.name = "strlen",
         .arity = 2,
         .flags = R | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_strlen,
         .doc = {.group = "string",
                 .summary = "Get the length of the value stored in a key",
                 .syntax = "key",
                 .since = "2.2.0"}});
  t.add({.name = "append",
         .arity = 3,
         .flags = W | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_append,
         .doc = {.group = "string",
                 .summary = "Append a value to a key",
                 .syntax = "key value",
                 .since = "2.0.0"}});
  t.add({.name = "incr",
         .arity = 2,
         .flags = W | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_incr,
         .doc = {.group = "string",
                 .summary = "Increment the integer value of a key by one",
                 .syntax = "key"}});
  t.add({.name = "decr",
         .arity = 2,
         .flags = W | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_decr,
         .doc = {.group = "string",
                 .summary = "Decrement the integer value of a key by one",
                 .syntax = "key"}});
  t.add({.name = "incrby",
         .arity = 3,
         .flags = W | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_incrby,
         .doc = {.group = "string",
                 .summary = "Increment the integer value of a key by the given amount",
                 .syntax = "key increment"}});
  t.add({.name = "decrby",
         .arity = 3,
         .flags = W | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_decrby,
         .doc = {.group = "string",
                 .summary = "Decrement the integer value of a key by the given number",
                 .syntax = "key decrement"}});
  t.add({.name = "incrbyfloat",
         .arity = 3,
         .flags = W | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_incrbyfloat,
         .doc = {.group = "string",
                 .summary = "Increment the float value of a key by the given amount",
                 .syntax = "key increment",
                 .since = "2.6.0"}});
  t.add({.name = "getrange",
         .arity = 4,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_getrange,
         .doc = {.group = "string",
                 .summary = "Get a substring of the string stored at a key",
                 .syntax = "key start end",
                 .since = "2.4.0",
                 .complexity = "O(N)"}});
  // SUBSTR is GETRANGE's old name, kept by Redis with the same handler.
  t.add({.name = "substr",
         .arity = 4,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_getrange,
         .doc = {.group = "string",
                 .summary = "Get a substring of the string stored at a key",
                 .syntax = "key start end",
                 .complexity = "O(N)"}});
  t.add({.name = "setrange",
         .arity = 4,
         .flags = W,
         .keys = {1, 1, 1},
         .fn = cmd_setrange,
         .doc = {.group = "string",
                 .summary = "Overwrite part of a string at key starting at the specified offset",
                 .syntax = "key offset value",
                 .since = "2.2.0"}});
}

}  // namespace respite::server
