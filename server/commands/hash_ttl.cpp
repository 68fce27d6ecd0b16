// Hash-field expiry, a respite extension beyond Redis 7.0 that follows Redis 7.4/8.0's syntax,
// replies and error texts: HEXPIRE, HPEXPIRE, HEXPIREAT, HPEXPIREAT (per-field codes -2 no such
// field, 0 condition not met, 1 set, 2 deleted because the time is already past), HTTL, HPTTL,
// HEXPIRETIME, HPEXPIRETIME (-2 no such field, -1 no TTL), HPERSIST (-2, -1, 1), and Redis 8.0's
// HGETEX, HSETEX and HGETDEL. The TTLs live in storage::HashValue (hash_value.h); every command
// reaches its hash through LiveHash (hash_live.h), so a field past its TTL is gone before the
// command looks. Checks run in the order Redis runs them: the key's type first, then the time,
// the condition, FIELDS and its count.
#include <cstdint>
#include <string_view>

#include "server/arg_parser.h"
#include "server/commands/hash_live.h"
#include "server/context.h"
#include "storage/hash_value.h"

namespace respite::server {

using storage::HashValue;
using storage::Type;

namespace {

using Hash = LiveHash;

// Redis's HFE_MAX_ABS_TIME_MSEC: a quarter of its 48-bit expire-time range.
constexpr int64_t kMaxFieldExpireMs = ((int64_t{1} << 48) - 1) >> 2;

// "FIELDS numfields" at argv[at], numfields fields of `per_field` arguments each filling the rest
// of the command. count_err: the text for a count that is not a positive integer; mismatch_err:
// for a count that does not match what follows (kOk: the arity error, as Redis 8.0's HGETEX and
// HSETEX answer). Sends the error and returns false when something is off.
bool parse_fields(CmdCtx& c, size_t at, size_t per_field, Err count_err, Err mismatch_err,
                  int64_t* n) {
  if (at >= c.argc() || !iequals(c.arg(at), "FIELDS")) {
    c.error(Err::kFieldsArgMissing);
    return false;
  }
  if (at + 1 >= c.argc() || !parse_int(c.arg(at + 1), n) || *n < 1) {
    c.error(count_err);
    return false;
  }
  uint64_t rest = c.argc() - at - 2;
  if (static_cast<uint64_t>(*n) > rest / per_field ||
      rest != static_cast<uint64_t>(*n) * per_field) {
    if (mismatch_err == Err::kOk)
      c.arity_error();
    else
      c.error(mismatch_err);
    return false;
  }
  return true;
}

// --- HEXPIRE, HPEXPIRE, HEXPIREAT, HPEXPIREAT ---

enum Cond { kNone, kNX, kXX, kGT, kLT };

void hexpire_generic(CmdCtx& c, bool seconds, bool relative) {
  Hash h(c, c.arg(1), Type::kHash);
  if (h.wrong_type()) return c.error(Err::kWrongType);
  int64_t when;
  if (!parse_int(c.arg(2), &when)) return c.error(Err::kNotInt);
  if (when < 0) return c.error(Err::kExpireNegative);
  if (seconds) {
    if (when > kMaxFieldExpireMs / 1000) return c.error(invalid_expire_error(c.cmd->name));
    when *= 1000;
  }
  const int64_t base = relative ? c.op.now_ms : 0;
  if (when > kMaxFieldExpireMs - base) return c.error(invalid_expire_error(c.cmd->name));
  when += base;

  size_t at = 3;
  Cond cond = kNone;
  if (iequals(c.arg(3), "NX"))
    cond = kNX;
  else if (iequals(c.arg(3), "XX"))
    cond = kXX;
  else if (iequals(c.arg(3), "GT"))
    cond = kGT;
  else if (iequals(c.arg(3), "LT"))
    cond = kLT;
  if (cond != kNone) at++;
  int64_t n;
  if (!parse_fields(c, at, 1, Err::kNumFieldsGreaterThanZero, Err::kNumFieldsMismatch, &n)) return;

  c.reply.array(static_cast<size_t>(n));
  HashValue* v = h.get();
  if (!v) {
    for (int64_t i = 0; i < n; i++) c.reply.integer(-2);
    return;
  }
  int64_t updated = 0, deleted = 0;
  for (size_t i = at + 2; i < c.argc(); i++) {
    std::string_view f = c.arg(i);
    if (!v->contains(f)) {
      c.reply.integer(-2);
      continue;
    }
    int64_t cur = v->field_expire(f);
    // A field without a TTL counts as one that never expires: GT and XX fail, LT and NX pass.
    bool met = cur < 0
                   ? (cond != kXX && cond != kGT)
                   : !(cond == kNX || (cond == kGT && cur >= when) || (cond == kLT && cur <= when));
    if (!met) {
      c.reply.integer(0);
      continue;
    }
    if (when <= c.op.now_ms) {  // already past: the field goes, as EXPIRE deletes a key
      v->erase(f);
      deleted++;
      c.reply.integer(2);
    } else {
      v->set_field_expire(f, when);
      updated++;
      c.reply.integer(1);
    }
  }
  if (updated + deleted == 0) return;
  h.changed();
  if (updated) h.noted_ttl();
  c.notify(kNotifyHash, deleted ? "hdel" : "hexpire", c.arg(1));
  // An emptied hash goes with its key when h settles, and "del" follows.
}

void cmd_hexpire(CmdCtx& c) {
  hexpire_generic(c, true, true);
}
void cmd_hpexpire(CmdCtx& c) {
  hexpire_generic(c, false, true);
}
void cmd_hexpireat(CmdCtx& c) {
  hexpire_generic(c, true, false);
}
void cmd_hpexpireat(CmdCtx& c) {
  hexpire_generic(c, false, false);
}

// --- HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME ---

void httl_generic(CmdCtx& c, bool seconds, bool relative) {
  Hash h(c, c.arg(1), Type::kHash, Access::kRead);
  if (h.wrong_type()) return c.error(Err::kWrongType);
  int64_t n;
  if (!parse_fields(c, 2, 1, Err::kNumFieldsPositive, Err::kNumFieldsMismatch, &n)) return;
  c.reply.array(static_cast<size_t>(n));
  const HashValue* v = h.get();
  const int64_t base = relative ? c.op.now_ms : 0;
  for (size_t i = 4; i < c.argc(); i++) {
    std::string_view f = c.arg(i);
    if (!v || !v->contains(f)) {
      c.reply.integer(-2);
      continue;
    }
    int64_t at = v->field_expire(f);
    if (at < 0)
      c.reply.integer(-1);
    else if (seconds)
      c.reply.integer((at - base + 999) / 1000);  // rounded up, as Redis's HTTL
    else
      c.reply.integer(at - base);
  }
}

void cmd_httl(CmdCtx& c) {
  httl_generic(c, true, true);
}
void cmd_hpttl(CmdCtx& c) {
  httl_generic(c, false, true);
}
void cmd_hexpiretime(CmdCtx& c) {
  httl_generic(c, true, false);
}
void cmd_hpexpiretime(CmdCtx& c) {
  httl_generic(c, false, false);
}

// HPERSIST key FIELDS numfields field ...
void cmd_hpersist(CmdCtx& c) {
  Hash h(c, c.arg(1), Type::kHash);
  if (h.wrong_type()) return c.error(Err::kWrongType);
  int64_t n;
  if (!parse_fields(c, 2, 1, Err::kNumFieldsPositive, Err::kNumFieldsMismatch, &n)) return;
  c.reply.array(static_cast<size_t>(n));
  HashValue* v = h.get();
  bool changed = false;
  for (size_t i = 4; i < c.argc(); i++) {
    std::string_view f = c.arg(i);
    if (!v || !v->contains(f)) {
      c.reply.integer(-2);
    } else if (v->persist_field(f)) {
      changed = true;
      c.reply.integer(1);
    } else {
      c.reply.integer(-1);
    }
  }
  if (!changed) return;
  h.changed();
  c.notify(kNotifyHash, "hpersist", c.arg(1));
}

// --- HGETEX, HSETEX, HGETDEL (Redis 8.0) ---

// The TTL options of HGETEX and HSETEX: EX/PX/EXAT/PXAT, and PERSIST (HGETEX) or KEEPTTL (HSETEX).
struct TtlOpt {
  int which = -1;  // 0 EX, 1 PX, 2 EXAT, 3 PXAT
  std::string_view value;
  bool keep = false;  // PERSIST or KEEPTTL
  bool any() const { return which >= 0 || keep; }
};

// Reads one TTL option at argv[*at] if there is one: 1 read, 0 none there, -1 error sent.
int parse_ttl_opt(CmdCtx& c, size_t* at, std::string_view keep_word, Err dup_err, TtlOpt* o) {
  std::string_view a = c.arg(*at);
  int which = -1;
  for (int i = 0; i < 4; i++) {
    static constexpr std::string_view kWords[] = {"EX", "PX", "EXAT", "PXAT"};
    if (iequals(a, kWords[i])) which = i;
  }
  if (which < 0 && !iequals(a, keep_word)) return 0;
  if (o->any()) {
    c.error(dup_err);
    return -1;
  }
  if (which < 0) {
    o->keep = true;
    ++*at;
    return 1;
  }
  if (*at + 1 >= c.argc()) {
    c.error(Err::kSyntax);
    return -1;
  }
  o->which = which;
  o->value = c.arg(*at + 1);
  *at += 2;
  return 1;
}

// The absolute unix ms of an EX/PX/EXAT/PXAT value: positive, and within Redis's field range.
bool ttl_opt_when(CmdCtx& c, const TtlOpt& o, int64_t* when) {
  int64_t v;
  if (!parse_int(o.value, &v)) {
    c.error(Err::kNotInt);
    return false;
  }
  const bool seconds = o.which == 0 || o.which == 2;
  const int64_t base = o.which < 2 ? c.op.now_ms : 0;
  if (v <= 0 || (seconds && v > kMaxFieldExpireMs / 1000)) {
    c.error(invalid_expire_error(c.cmd->name));
    return false;
  }
  if (seconds) v *= 1000;
  if (v > kMaxFieldExpireMs - base) {
    c.error(invalid_expire_error(c.cmd->name));
    return false;
  }
  *when = v + base;
  return true;
}

// HGETEX key [EX s | PX ms | EXAT ts | PXAT ts | PERSIST] FIELDS numfields field ...: the values
// (nil for a missing field), then the TTL change applied to the fields that exist.
void cmd_hgetex(CmdCtx& c) {
  Hash h(c, c.arg(1), Type::kHash);
  if (h.wrong_type()) return c.error(Err::kWrongType);
  size_t at = 2;
  TtlOpt o;
  while (at < c.argc()) {
    int r = parse_ttl_opt(c, &at, "PERSIST", Err::kHgetexOneExpire, &o);
    if (r < 0) return;
    if (r == 0) break;
  }
  int64_t n;
  if (!parse_fields(c, at, 1, Err::kInvalidNumFields, Err::kOk, &n)) return;
  int64_t when = -1;
  if (o.which >= 0 && !ttl_opt_when(c, o, &when)) return;

  c.reply.array(static_cast<size_t>(n));
  HashValue* v = h.get();
  for (size_t i = at + 2; i < c.argc(); i++) {
    std::string_view val;
    if (v && v->get(c.arg(i), &val))
      c.reply.bulk(val);
    else
      c.reply.null();
  }
  if (!v || !o.any()) return;
  int64_t updated = 0, deleted = 0, persisted = 0;
  for (size_t i = at + 2; i < c.argc(); i++) {
    std::string_view f = c.arg(i);
    if (!v->contains(f)) continue;
    if (o.keep) {
      persisted += v->persist_field(f);
    } else if (when <= c.op.now_ms) {
      v->erase(f);
      deleted++;
    } else {
      v->set_field_expire(f, when);
      updated++;
    }
  }
  if (updated + deleted + persisted == 0) return;
  h.changed();
  if (updated) h.noted_ttl();
  if (persisted) c.notify(kNotifyHash, "hpersist", c.arg(1));
  if (updated) c.notify(kNotifyHash, "hexpire", c.arg(1));
  if (deleted) c.notify(kNotifyHash, "hdel", c.arg(1));
}

// HSETEX key [FNX | FXX] [EX s | PX ms | EXAT ts | PXAT ts | KEEPTTL] FIELDS numfields field value
// ...: 1 when the fields were set, 0 when FNX or FXX stopped it. Without a TTL option the fields
// lose any TTL they had, as HSET does; KEEPTTL keeps it.
void cmd_hsetex(CmdCtx& c) {
  Hash h(c, c.arg(1), Type::kHash);
  if (h.wrong_type()) return c.error(Err::kWrongType);
  size_t at = 2;
  TtlOpt o;
  int cond = 0;  // 1 FNX, 2 FXX
  while (at < c.argc()) {
    if (iequals(c.arg(at), "FNX") || iequals(c.arg(at), "FXX")) {
      if (cond) return c.error(Err::kHsetexOneCondition);
      cond = iequals(c.arg(at), "FNX") ? 1 : 2;
      at++;
      continue;
    }
    int r = parse_ttl_opt(c, &at, "KEEPTTL", Err::kHsetexOneExpire, &o);
    if (r < 0) return;
    if (r == 0) break;
  }
  int64_t n;
  if (!parse_fields(c, at, 2, Err::kInvalidNumFields, Err::kOk, &n)) return;
  int64_t when = -1;
  if (o.which >= 0 && !ttl_opt_when(c, o, &when)) return;

  const size_t first = at + 2;
  if (cond) {
    const HashValue* v = h.get();
    for (size_t i = first; i < c.argc(); i += 2) {
      bool there = v && v->contains(c.arg(i));
      if ((cond == 1 && there) || (cond == 2 && !there)) return c.reply.integer(0);
    }
  }
  HashValue* v = hash_for_write(c, h);
  HashValue::Limits limits = hash_limits(c);
  for (size_t i = first; i < c.argc(); i += 2) v->set(c.arg(i), c.arg(i + 1), limits, o.keep);
  h.changed();
  c.notify(kNotifyHash, "hset", c.arg(1));
  if (when >= 0) {
    if (when <= c.op.now_ms) {
      for (size_t i = first; i < c.argc(); i += 2) v->erase(c.arg(i));
      c.notify(kNotifyHash, "hdel", c.arg(1));
    } else {
      for (size_t i = first; i < c.argc(); i += 2) v->set_field_expire(c.arg(i), when);
      h.noted_ttl();
      c.notify(kNotifyHash, "hexpire", c.arg(1));
    }
  }
  c.reply.integer(1);
}

// HGETDEL key FIELDS numfields field ...: the values (nil for a missing field), and the fields
// deleted; the key goes with its last field.
void cmd_hgetdel(CmdCtx& c) {
  Hash h(c, c.arg(1), Type::kHash);
  if (h.wrong_type()) return c.error(Err::kWrongType);
  int64_t n;
  if (!parse_fields(c, 2, 1, Err::kNumFieldsPositive, Err::kNumFieldsMismatch, &n)) return;
  c.reply.array(static_cast<size_t>(n));
  HashValue* v = h.get();
  bool deleted = false;
  for (size_t i = 4; i < c.argc(); i++) {
    std::string_view val;
    if (v && v->get(c.arg(i), &val)) {
      c.reply.bulk(val);  // copied into the reply before the erase frees it
      v->erase(c.arg(i));
      deleted = true;
    } else {
      c.reply.null();
    }
  }
  if (deleted) c.notify(kNotifyHash, "hdel", c.arg(1));
}

}  // namespace

void register_hash_ttl_commands(CommandTable& t) {
  constexpr uint32_t W = kWrite, R = kReadonly, F = kFast, M = kDenyOom;
  auto expire_cmd = [&](std::string_view name, Handler fn, std::string_view summary,
                        std::string_view syntax) {
    t.add({.name = name,
           .arity = -6,
           .flags = W | F,
           .keys = {1, 1, 1},
           .fn = fn,
           .doc = {.group = "hash",
                   .summary = summary,
                   .syntax = syntax,
                   .since = "7.4.0",
                   .complexity = "O(N) where N is the number of specified fields"}});
  };
  expire_cmd("hexpire", cmd_hexpire,
             "Set expiry for hash field using relative time to expire (seconds)",
             "key seconds [NX | XX | GT | LT] FIELDS numfields field [field ...]");
  expire_cmd("hpexpire", cmd_hpexpire,
             "Set expiry for hash field using relative time to expire (milliseconds)",
             "key milliseconds [NX | XX | GT | LT] FIELDS numfields field [field ...]");
  expire_cmd("hexpireat", cmd_hexpireat,
             "Set expiry for hash field using an absolute Unix timestamp (seconds)",
             "key unix-time-seconds [NX | XX | GT | LT] FIELDS numfields field [field ...]");
  expire_cmd("hpexpireat", cmd_hpexpireat,
             "Set expiry for hash field using an absolute Unix timestamp (milliseconds)",
             "key unix-time-milliseconds [NX | XX | GT | LT] FIELDS numfields field [field ...]");
  auto ttl_cmd = [&](std::string_view name, Handler fn, std::string_view summary) {
    t.add({.name = name,
           .arity = -5,
           .flags = R | F,
           .keys = {1, 1, 1},
           .fn = fn,
           .doc = {.group = "hash",
                   .summary = summary,
                   .syntax = "key FIELDS numfields field [field ...]",
                   .since = "7.4.0",
                   .complexity = "O(N) where N is the number of specified fields"}});
  };
  ttl_cmd("httl", cmd_httl, "Returns the TTL in seconds of a hash field.");
  ttl_cmd("hpttl", cmd_hpttl, "Returns the TTL in milliseconds of a hash field.");
  ttl_cmd("hexpiretime", cmd_hexpiretime,
          "Returns the expiration time of a hash field as a Unix timestamp, in seconds.");
  ttl_cmd("hpexpiretime", cmd_hpexpiretime,
          "Returns the expiration time of a hash field as a Unix timestamp, in msec.");
  t.add({.name = "hpersist",
         .arity = -5,
         .flags = W | F,
         .keys = {1, 1, 1},
         .fn = cmd_hpersist,
         .doc = {.group = "hash",
                 .summary = "Removes the expiration time for each specified field",
                 .syntax = "key FIELDS numfields field [field ...]",
                 .since = "7.4.0",
                 .complexity = "O(N) where N is the number of specified fields"}});
  t.add({.name = "hgetex",
         .arity = -5,
         .flags = W | F,
         .keys = {1, 1, 1},
         .fn = cmd_hgetex,
         .doc = {.group = "hash",
                 .summary = "Get the value of one or more fields of a given hash key, and "
                            "optionally set their expiration time or time-to-live (TTL).",
                 .syntax = "key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT "
                           "unix-time-milliseconds | PERSIST] FIELDS numfields field [field ...]",
                 .since = "8.0.0",
                 .complexity = "O(N) where N is the number of specified fields"}});
  t.add({.name = "hsetex",
         .arity = -6,
         .flags = W | M | F,
         .keys = {1, 1, 1},
         .fn = cmd_hsetex,
         .doc = {.group = "hash",
                 .summary = "Set the value of one or more fields of a given hash key, and "
                            "optionally set their expiration time or time-to-live (TTL).",
                 .syntax = "key [FNX | FXX] [EX seconds | PX milliseconds | EXAT "
                           "unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL] FIELDS "
                           "numfields field value [field value ...]",
                 .since = "8.0.0",
                 .complexity = "O(N) where N is the number of fields being set."}});
  t.add({.name = "hgetdel",
         .arity = -5,
         .flags = W | F,
         .keys = {1, 1, 1},
         .fn = cmd_hgetdel,
         .doc = {.group = "hash",
                 .summary = "Returns the value of a field and deletes it from the hash.",
                 .syntax = "key FIELDS numfields field [field ...]",
                 .since = "8.0.0",
                 .complexity = "O(N) where N is the number of specified fields"}});
}

}  // namespace respite::server
