// The hash family: HSET, HSETNX, HMSET, HGET, HMGET, HGETALL, HKEYS, HVALS, HDEL, HLEN, HSTRLEN,
// HEXISTS, HINCRBY, HINCRBYFLOAT, HRANDFIELD and HSCAN, over storage::HashValue (hash_value.h).
// Every handler reaches its hash through LiveHash (hash_live.h: a Collection<HashValue> that first
// drops fields past their own TTLs), which holds the key's shard lock for the whole command,
// settles the memory the command added or freed and deletes a hash left empty; replies are written
// straight from the hash while the lock is held. Arguments are parsed in the order Redis 7.0 parses
// them, so the same error wins when several apply.
#include <climits>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "server/collection.h"
#include "server/commands/hash_live.h"
#include "server/context.h"
#include "storage/glob.h"
#include "storage/hash_value.h"

namespace respite::server {

using storage::HashPair;
using storage::HashValue;
using storage::Type;

namespace {

using Hash = LiveHash;

// --- writes ---

// HSET and HMSET: a pair count that is not whole is an arity error, before the key is looked at.
void hset_generic(CmdCtx& c, bool hmset) {
  if (c.argc() % 2 != 0) return c.arity_error();
  Hash h(c, c.arg(1), Type::kHash);
  HashValue* v = hash_for_write(c, h);
  if (!v) return;
  HashValue::Limits limits = hash_limits(c);
  int64_t added = 0;
  for (size_t i = 2; i < c.argc(); i += 2) added += v->set(c.arg(i), c.arg(i + 1), limits);
  h.changed();
  c.notify(kNotifyHash, "hset", c.arg(1));
  if (hmset)
    c.reply.ok();
  else
    c.reply.integer(added);
}

void cmd_hset(CmdCtx& c) {
  hset_generic(c, false);
}
void cmd_hmset(CmdCtx& c) {
  hset_generic(c, true);
}

void cmd_hsetnx(CmdCtx& c) {
  Hash h(c, c.arg(1), Type::kHash);
  if (h.wrong_type()) return c.error(Err::kWrongType);
  // An existing field is left alone, without even the encoding check a write would make.
  if (h.get() && h.get()->contains(c.arg(2))) return c.reply.integer(0);
  HashValue* v = hash_for_write(c, h);
  v->set(c.arg(2), c.arg(3), hash_limits(c));
  c.notify(kNotifyHash, "hset", c.arg(1));
  c.reply.integer(1);
}

void cmd_hdel(CmdCtx& c) {
  Hash h(c, c.arg(1), Type::kHash, Access::kWrite, Hash::Unreaped{});
  if (h.wrong_type()) return c.error(Err::kWrongType);
  HashValue* v = h.get();
  if (!v) return c.reply.integer(0);
  int64_t removed = 0;
  for (size_t i = 2; i < c.argc(); i++) {
    if (v->erase(c.arg(i))) removed++;
    if (v->length() == 0) break;  // the key goes when h settles (and "del" follows)
  }
  if (removed) c.notify(kNotifyHash, "hdel", c.arg(1));
  c.reply.integer(removed);
}

void cmd_hincrby(CmdCtx& c) {
  int64_t by;
  if (!parse_int(c.arg(3), &by)) return c.error(Err::kNotInt);
  Hash h(c, c.arg(1), Type::kHash);
  if (h.wrong_type()) return c.error(Err::kWrongType);
  int64_t cur = 0;
  std::string_view text;
  if (h.get() && h.get()->get(c.arg(2), &text) && !parse_int(text, &cur))
    return c.error(Err::kHashNotInt);
  if ((by < 0 && cur < 0 && by < INT64_MIN - cur) || (by > 0 && cur > 0 && by > INT64_MAX - cur))
    return c.error(Err::kOverflow);
  cur += by;
  char buf[24];
  size_t n = protocol::ReplyWriter::format_int(cur, buf);
  hash_for_write(c, h)->set(c.arg(2), {buf, n}, hash_limits(c), /*keep_ttl=*/true);
  h.changed();
  c.notify(kNotifyHash, "hincrby", c.arg(1));
  c.reply.integer(cur);
}

void cmd_hincrbyfloat(CmdCtx& c) {
  long double by;
  if (!parse_long_double(c.arg(3), &by)) return c.error(Err::kNotFloat);
  if (std::isnan(by) || std::isinf(by)) return c.error(Err::kIncrNaN);
  Hash h(c, c.arg(1), Type::kHash);
  if (h.wrong_type()) return c.error(Err::kWrongType);
  long double cur = 0;
  std::string_view text;
  if (h.get() && h.get()->get(c.arg(2), &text) && !parse_long_double(text, &cur))
    return c.error(Err::kHashNotFloat);
  cur += by;
  if (std::isnan(cur) || std::isinf(cur)) return c.error(Err::kNaN);
  std::string out = format_long_double(cur);
  hash_for_write(c, h)->set(c.arg(2), out, hash_limits(c), /*keep_ttl=*/true);
  h.changed();
  c.notify(kNotifyHash, "hincrbyfloat", c.arg(1));
  c.reply.bulk(out);
}

// --- reads ---

void cmd_hget(CmdCtx& c) {
  Hash h(c, c.arg(1), Type::kHash, Access::kRead);
  if (h.wrong_type()) return c.error(Err::kWrongType);
  std::string_view v;
  if (h.get() && h.get()->get(c.arg(2), &v))
    c.reply.bulk(v);
  else
    c.reply.null();
}

void cmd_hmget(CmdCtx& c) {
  Hash h(c, c.arg(1), Type::kHash, Access::kRead);
  if (h.wrong_type()) return c.error(Err::kWrongType);
  c.reply.array(c.argc() - 2);
  std::string_view v;
  for (size_t i = 2; i < c.argc(); i++) {
    if (h.get() && h.get()->get(c.arg(i), &v))
      c.reply.bulk(v);
    else
      c.reply.null();
  }
}

void cmd_hlen(CmdCtx& c) {
  Hash h(c, c.arg(1), Type::kHash, Access::kRead, Hash::Unreaped{});
  if (h.wrong_type()) return c.error(Err::kWrongType);
  c.reply.integer(h.get() ? static_cast<int64_t>(h.get()->length()) : 0);
}

void cmd_hstrlen(CmdCtx& c) {
  Hash h(c, c.arg(1), Type::kHash, Access::kRead);
  if (h.wrong_type()) return c.error(Err::kWrongType);
  std::string_view v;
  bool found = h.get() && h.get()->get(c.arg(2), &v);
  c.reply.integer(found ? static_cast<int64_t>(v.size()) : 0);
}

void cmd_hexists(CmdCtx& c) {
  Hash h(c, c.arg(1), Type::kHash, Access::kRead);
  if (h.wrong_type()) return c.error(Err::kWrongType);
  c.reply.integer(h.get() && h.get()->contains(c.arg(2)) ? 1 : 0);
}

// HKEYS, HVALS, HGETALL. HGETALL is a map in RESP3 (a flat array in RESP2), the others arrays.
void getall_generic(CmdCtx& c, bool fields, bool values) {
  Hash h(c, c.arg(1), Type::kHash, Access::kRead);
  if (h.wrong_type()) return c.error(Err::kWrongType);
  const HashValue* v = h.get();
  size_t n = v ? v->length() : 0;
  if (fields && values)
    c.reply.map(n);
  else
    c.reply.array(n);
  if (!v) return;
  v->for_each([&](const HashPair& p) {
    if (fields) c.reply.bulk(p.field);
    if (values) c.reply.bulk(p.value);
  });
}

void cmd_hkeys(CmdCtx& c) {
  getall_generic(c, true, false);
}
void cmd_hvals(CmdCtx& c) {
  getall_generic(c, false, true);
}
void cmd_hgetall(CmdCtx& c) {
  getall_generic(c, true, true);
}

// HRANDFIELD key [count [WITHVALUES]], as Redis 7.0's hrandfieldCommand: the count is checked
// (integer, then range, then the syntax of what follows, then WITHVALUES's tighter range) before
// the key is looked up. A non-negative count returns distinct fields, a negative one -count fields
// with repetitions. With WITHVALUES, RESP3 nests each pair in a two-element array; RESP2 is flat.
void cmd_hrandfield(CmdCtx& c) {
  if (c.argc() < 3) {
    Hash h(c, c.arg(1), Type::kHash, Access::kRead);
    if (h.wrong_type()) return c.error(Err::kWrongType);
    if (!h.get()) return c.reply.null();
    c.reply.bulk(h.get()->random_pair(c.worker.rng).field);
    return;
  }
  int64_t l;
  if (!parse_int(c.arg(2), &l)) return c.error(Err::kNotInt);
  if (l < -INT64_MAX) return c.error(Err::kRandCount);
  if (c.argc() > 4 || (c.argc() == 4 && !iequals(c.arg(3), "withvalues")))
    return c.error(Err::kSyntax);
  const bool withvalues = c.argc() == 4;
  if (withvalues && (l < -INT64_MAX / 2 || l > INT64_MAX / 2)) return c.error(Err::kOutOfRange);

  Hash h(c, c.arg(1), Type::kHash, Access::kRead);
  if (h.wrong_type()) return c.error(Err::kWrongType);
  const HashValue* v = h.get();
  if (!v || l == 0) return c.reply.array(0);
  const bool nested = withvalues && c.reply.resp() == 3;
  auto emit = [&](const HashPair& p) {
    if (nested) c.reply.array(2);
    c.reply.bulk(p.field);
    if (withvalues) c.reply.bulk(p.value);
  };
  auto reply_len = [&](uint64_t pairs) {
    c.reply.array(withvalues && !nested ? pairs * 2 : pairs);
  };
  storage::Rng& rng = c.worker.rng;
  const bool distinct = l > 0;
  const uint64_t count = distinct ? static_cast<uint64_t>(l) : static_cast<uint64_t>(-l);
  if (!distinct || count == 1) {
    reply_len(count);
    v->random_pairs(count, rng, emit);
    return;
  }
  const size_t size = v->length();
  if (count >= size) {  // all of them, in the hash's own order
    reply_len(size);
    v->for_each(emit);
    return;
  }
  std::vector<HashPair> picked;
  picked.reserve(count);
  v->random_distinct(count, rng, &picked);
  reply_len(count);
  for (const HashPair& p : picked) emit(p);
}

// HSCAN key cursor [MATCH pattern] [COUNT count]: the cursor is checked first, the options only
// once the key holds a hash (a missing key answers an empty scan whatever follows), as Redis does.
void cmd_hscan(CmdCtx& c) {
  uint64_t cursor;
  if (!parse_scan_cursor(c, c.arg(2), &cursor)) return;
  Hash h(c, c.arg(1), Type::kHash, Access::kRead);
  if (h.wrong_type()) return c.error(Err::kWrongType);
  if (!h.get()) return reply_scan(c.reply, 0, 0);
  ScanArgs a;
  if (!parse_scan_options(c, 3, false, &a)) return;
  std::vector<HashPair> items;
  cursor = h.get()->scan(cursor, a.count, [&](const HashPair& p) {
    if (!a.has_pattern || storage::glob_match(a.pattern, p.field)) items.push_back(p);
  });
  reply_scan(c.reply, cursor, items.size() * 2);
  for (const HashPair& p : items) {
    c.reply.bulk(p.field);
    c.reply.bulk(p.value);
  }
}

}  // namespace

void register_hash_commands(CommandTable& t) {
  constexpr uint32_t W = kWrite, R = kReadonly, F = kFast, M = kDenyOom;
  t.add(
      {.name = "hset",
       .arity = -4,
       .flags = W | M | F,
       .keys = {1, 1, 1},
       .fn = cmd_hset,
       .doc = {.group = "hash",
               .summary = "Set the string value of a hash field",
               .syntax = "key field value [field value ...]",
               .since = "2.0.0",
               .complexity = "O(1) for each field/value pair added, so O(N) to add N field/value "
                             "pairs when the command is called with multiple field/value pairs."}});
  t.add({.name = "hsetnx",
         .arity = 4,
         .flags = W | M | F,
         .keys = {1, 1, 1},
         .fn = cmd_hsetnx,
         .doc = {.group = "hash",
                 .summary = "Set the value of a hash field, only if the field does not exist",
                 .syntax = "key field value",
                 .since = "2.0.0"}});
  t.add({.name = "hmset",
         .arity = -4,
         .flags = W | M | F,
         .keys = {1, 1, 1},
         .fn = cmd_hmset,
         .doc = {.group = "hash",
                 .summary = "Set multiple hash fields to multiple values",
                 .syntax = "key field value [field value ...]",
                 .since = "2.0.0",
                 .complexity = "O(N) where N is the number of fields being set."}});
  t.add({.name = "hget",
         .arity = 3,
         .flags = R | F,
         .keys = {1, 1, 1},
         .fn = cmd_hget,
         .doc = {.group = "hash",
                 .summary = "Get the value of a hash field",
                 .syntax = "key field",
                 .since = "2.0.0"}});
  t.add({.name = "hmget",
         .arity = -3,
         .flags = R | F,
         .keys = {1, 1, 1},
         .fn = cmd_hmget,
         .doc = {.group = "hash",
                 .summary = "Get the values of all the given hash fields",
                 .syntax = "key field [field ...]",
                 .since = "2.0.0",
                 .complexity = "O(N) where N is the number of fields being requested."}});
  t.add({.name = "hincrby",
         .arity = 4,
         .flags = W | M | F,
         .keys = {1, 1, 1},
         .fn = cmd_hincrby,
         .doc = {.group = "hash",
                 .summary = "Increment the integer value of a hash field by the given number",
                 .syntax = "key field increment",
                 .since = "2.0.0"}});
  t.add({.name = "hincrbyfloat",
         .arity = 4,
         .flags = W | M | F,
         .keys = {1, 1, 1},
         .fn = cmd_hincrbyfloat,
         .doc = {.group = "hash",
                 .summary = "Increment the float value of a hash field by the given amount",
                 .syntax = "key field increment",
                 .since = "2.6.0"}});
  t.add({.name = "hdel",
         .arity = -3,
         .flags = W | F,
         .keys = {1, 1, 1},
         .fn = cmd_hdel,
         .doc = {.group = "hash",
                 .summary = "Delete one or more hash fields",
                 .syntax = "key field [field ...]",
                 .since = "2.0.0",
                 .complexity = "O(N) where N is the number of fields to be removed."}});
  t.add({.name = "hlen",
         .arity = 2,
         .flags = R | F,
         .keys = {1, 1, 1},
         .fn = cmd_hlen,
         .doc = {.group = "hash",
                 .summary = "Get the number of fields in a hash",
                 .syntax = "key",
                 .since = "2.0.0"}});
  t.add({.name = "hstrlen",
         .arity = 3,
         .flags = R | F,
         .keys = {1, 1, 1},
         .fn = cmd_hstrlen,
         .doc = {.group = "hash",
                 .summary = "Get the length of the value of a hash field",
                 .syntax = "key field",
                 .since = "3.2.0"}});
  t.add({.name = "hexists",
         .arity = 3,
         .flags = R | F,
         .keys = {1, 1, 1},
         .fn = cmd_hexists,
         .doc = {.group = "hash",
                 .summary = "Determine if a hash field exists",
                 .syntax = "key field",
                 .since = "2.0.0"}});
  t.add({.name = "hkeys",
         .arity = 2,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_hkeys,
         .doc = {.group = "hash",
                 .summary = "Get all the fields in a hash",
                 .syntax = "key",
                 .since = "2.0.0",
                 .complexity = "O(N) where N is the size of the hash."}});
  t.add({.name = "hvals",
         .arity = 2,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_hvals,
         .doc = {.group = "hash",
                 .summary = "Get all the values in a hash",
                 .syntax = "key",
                 .since = "2.0.0",
                 .complexity = "O(N) where N is the size of the hash."}});
  t.add({.name = "hgetall",
         .arity = 2,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_hgetall,
         .doc = {.group = "hash",
                 .summary = "Get all the fields and values in a hash",
                 .syntax = "key",
                 .since = "2.0.0",
                 .complexity = "O(N) where N is the size of the hash."}});
  t.add({.name = "hrandfield",
         .arity = -2,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_hrandfield,
         .doc = {.group = "hash",
                 .summary = "Get one or multiple random fields from a hash",
                 .syntax = "key [count [WITHVALUES]]",
                 .since = "6.2.0",
                 .complexity = "O(N) where N is the number of fields returned"}});
  t.add({.name = "hscan",
         .arity = -3,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_hscan,
         .doc = {.group = "hash",
                 .summary = "Incrementally iterate hash fields and associated values",
                 .syntax = "key cursor [MATCH pattern] [COUNT count]",
                 .since = "2.8.0",
                 .complexity = "O(1) for every call. O(N) for a complete iteration, including "
                               "enough command calls for the cursor to return back to 0. N is the "
                               "number of elements inside the collection.."}});
}

}  // namespace respite::server
