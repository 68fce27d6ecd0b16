// The generic key family: existence, deletion, TTLs, renaming and copying, iteration (KEYS, SCAN,
// RANDOMKEY) and OBJECT. Commands that touch several keys lock every shard involved together
// (storage::MultiLock), so they are atomic with respect to other workers.
#include <climits>
#include <cstdlib>
#include <string>

#include "server/arg_parser.h"
#include "server/context.h"
#include "server/keywrite.h"
#include "storage/glob.h"
#include "storage/multi_write.h"

namespace respite::server {

using storage::Entry;
using storage::Type;

std::string_view type_name(Type t) {
  switch (t) {
    case Type::kString:
      return "string";
    case Type::kList:
      return "list";
    case Type::kSet:
      return "set";
    case Type::kZSet:
      return "zset";
    case Type::kHash:
      return "hash";
    case Type::kStream:
      return "stream";
  }
  return "none";
}

std::string_view encoding_name(const Entry* e) {
  switch (e->enc()) {
    case storage::Encoding::kInt:
      return "int";
    case storage::Encoding::kRaw:
      return e->raw_value().size() <= 44 && !(e->flags() & Entry::kRawString) ? "embstr" : "raw";
    case storage::Encoding::kBlob:
      return "raw";
    case storage::Encoding::kLz4:
      return "lz4";  // a respite extension: the value is stored LZ4-compressed (storage/compress.h)
    case storage::Encoding::kObject:
      return e->object()->encoding_name();
    case storage::Encoding::kPending:
      break;  // never seen by commands: Shard::find and lookup_locked resolve stubs
  }
  return "raw";
}

namespace {

// Locks the shards of keys argv[from], argv[from+step], ... in the selected database.
void lock_keys(CmdCtx& c, storage::MultiLock& lock, size_t from, size_t step = 1) {
  for (size_t i = from; i < c.argc(); i += step) lock.add_key(c.db(), c.arg(i));
  lock.lock();
}

// DEL and UNLINK: one key is one unlink; several are staged and committed together, so no
// lock-free reader sees some of them gone and others not yet (storage/multi_write.h).
void cmd_del(CmdCtx& c) {
  storage::Keyspace& ks = c.db();
  if (c.argc() == 2) {
    KeyWrite kw(c, c.arg(1));
    bool found = kw.cur != nullptr;
    kw.erase();
    if (found) c.notify(kNotifyGeneric, "del", c.arg(1));
    return c.reply.integer(found ? 1 : 0);
  }
  storage::MultiLock lock;
  lock_keys(c, lock, 1);
  storage::MultiWrite write(c.op);
  int64_t n = 0;
  for (size_t i = 1; i < c.argc(); i++) {
    if (!write.erase(ks, c.arg(i))) continue;
    n++;
    c.notify(kNotifyGeneric, "del", c.arg(i));
    // A blocked XREADGROUP on a deleted stream is answered (stream_read.cpp); other waiters find
    // nothing and wait on. One atomic load when nobody waits.
    signal_key_ready(c, c.arg(i));
  }
  write.commit();
  c.reply.integer(n);
}

// EXISTS and TOUCH count each argument, duplicates included, as Redis does.
void exists_generic(CmdCtx& c, bool touch) {
  storage::MultiLock lock;
  if (c.argc() > 2) lock_keys(c, lock, 1);
  int64_t n = 0;
  uint32_t clock = lru_clock(c.op.now_ms);
  for (size_t i = 1; i < c.argc(); i++) {
    const Entry* e = c.db().find(c.arg(i), c.op.now_ms);
    if (!e) continue;
    if (touch) e->touch(clock);
    n++;
  }
  c.reply.integer(n);
}

void cmd_exists(CmdCtx& c) {
  exists_generic(c, false);
}
void cmd_touch(CmdCtx& c) {
  exists_generic(c, true);
}

void cmd_type(CmdCtx& c) {
  const Entry* e = c.db().find(c.arg(1), c.op.now_ms);
  c.reply.simple(e ? type_name(e->type()) : "none");
}

// EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT with NX XX GT LT (Redis's expireGenericCommand).
void expire_generic(CmdCtx& c, bool seconds, bool relative) {
  enum { NX = 1, XX = 2, GT = 4, LT = 8 };  // in the order of the switch_of list below
  int flags = 0;
  ArgParser p(c.argv, 3);
  while (p.has_next()) {
    int i = p.switch_of({"NX", "XX", "GT", "LT"});
    if (i < 0) return c.error(unsupported_option_error(p.peek()));
    flags |= 1 << i;
  }
  if ((flags & NX) && (flags & (XX | GT | LT))) return c.error(Err::kExpireNxAndOthers);
  if ((flags & GT) && (flags & LT)) return c.error(Err::kExpireGtAndLt);
  int64_t when;
  if (!parse_int(c.arg(2), &when)) return c.error(Err::kNotInt);
  auto invalid = [&] { c.error(invalid_expire_error(c.cmd->name)); };
  if (seconds) {
    if (when > INT64_MAX / 1000 || when < INT64_MIN / 1000) return invalid();
    when *= 1000;
  }
  int64_t base = relative ? c.op.now_ms : 0;
  if (when > INT64_MAX - base) return invalid();
  when += base;
  KeyWrite kw(c, c.arg(1));
  if (!kw.cur) return c.reply.integer(0);
  int64_t cur = kw.cur->expire_ms();
  if ((flags & NX) && cur != -1) return c.reply.integer(0);
  if ((flags & XX) && cur == -1) return c.reply.integer(0);
  if ((flags & GT) && (when <= cur || cur == -1)) return c.reply.integer(0);
  if ((flags & LT) && cur != -1 && when >= cur) return c.reply.integer(0);
  if (when <= c.op.now_ms) {
    kw.erase();  // already in the past: the key goes now
    c.notify(kNotifyGeneric, "del", c.arg(1));
  } else {
    kw.set_expire(when);
    c.notify(kNotifyGeneric, "expire", c.arg(1));
  }
  c.reply.integer(1);
}

void cmd_expire(CmdCtx& c) {
  expire_generic(c, true, true);
}
void cmd_pexpire(CmdCtx& c) {
  expire_generic(c, false, true);
}
void cmd_expireat(CmdCtx& c) {
  expire_generic(c, true, false);
}
void cmd_pexpireat(CmdCtx& c) {
  expire_generic(c, false, false);
}

void ttl_generic(CmdCtx& c, bool ms, bool absolute) {
  const Entry* e = c.db().find(c.arg(1), c.op.now_ms);
  if (!e) return c.reply.integer(-2);
  int64_t when = e->expire_ms();
  if (when < 0) return c.reply.integer(-1);
  if (absolute) return c.reply.integer(ms ? when : when / 1000);
  int64_t ttl = when - c.op.now_ms;
  if (ttl < 0) ttl = 0;
  c.reply.integer(ms ? ttl : (ttl + 500) / 1000);
}

void cmd_ttl(CmdCtx& c) {
  ttl_generic(c, false, false);
}
void cmd_pttl(CmdCtx& c) {
  ttl_generic(c, true, false);
}
void cmd_expiretime(CmdCtx& c) {
  ttl_generic(c, false, true);
}
void cmd_pexpiretime(CmdCtx& c) {
  ttl_generic(c, true, true);
}

void cmd_persist(CmdCtx& c) {
  KeyWrite kw(c, c.arg(1));
  if (!kw.cur || kw.cur->expire_ms() < 0) return c.reply.integer(0);
  kw.set_expire(Entry::kNoExpire);
  c.notify(kNotifyGeneric, "persist", c.arg(1));
  c.reply.integer(1);
}

// RENAME and RENAMENX: both shards locked; the value moves (collections are not copied).
void rename_generic(CmdCtx& c, bool nx) {
  storage::Keyspace& ks = c.db();
  std::string_view src = c.arg(1), dst = c.arg(2);
  storage::MultiLock lock;
  lock_keys(c, lock, 1);
  uint64_t hs = storage::hash_key(src), hd = storage::hash_key(dst);
  Entry* e = ks.lookup_locked(ks.shard_for(hs), src, hs, c.op);
  if (!e) return c.error(Err::kNoSuchKey);
  if (src == dst) return nx ? c.reply.integer(0) : c.reply.ok();
  Entry* d = ks.lookup_locked(ks.shard_for(hd), dst, hd, c.op);
  if (d && nx) return c.reply.integer(0);
  // Both keys change in one commit: no reader sees neither (or both) of them.
  storage::MultiWrite write(c.op);
  Entry* moved = Entry::copy(e, dst, e->expire_ms(), /*clone_object=*/false);
  moved->touch(lru_clock(c.op.now_ms));
  write.put(ks, moved);
  write.erase_moved(ks, e);  // the collection, if any, went with the copy
  write.commit();
  // As Redis: dst is deleted, then added ("new" even when it existed), then the two renames.
  c.notify(kNotifyNew, "new", dst);
  c.notify(kNotifyGeneric, "rename_from", src);
  c.notify(kNotifyGeneric, "rename_to", dst);
  signal_key_ready(c, dst);  // a list or sorted set now under dst serves its waiters (blocking.h)
  signal_key_ready(c, src);  // a stream leaving src answers its XREADGROUP waiters
  nx ? c.reply.integer(1) : c.reply.ok();
}

void cmd_rename(CmdCtx& c) {
  rename_generic(c, false);
}
void cmd_renamenx(CmdCtx& c) {
  rename_generic(c, true);
}

bool parse_db_index(CmdCtx& c, std::string_view arg, int* out) {
  int64_t v;
  if (!parse_int(arg, &v) || v < INT_MIN || v > INT_MAX) {
    c.error(Err::kNotInt);
    return false;
  }
  if (v < 0 || v >= c.server.store.databases()) {
    c.error(Err::kDbIndex);
    return false;
  }
  *out = static_cast<int>(v);
  return true;
}

// Copies or moves src of the selected db into dst of database dst_db, both locked together.
void copy_into(CmdCtx& c, std::string_view src, std::string_view dst, int dst_db, bool replace,
               bool move) {
  storage::Keyspace& from = c.db();
  storage::Keyspace& to = c.db(dst_db);
  storage::MultiLock lock;
  lock.add_key(from, src);
  lock.add_key(to, dst);
  lock.lock();
  uint64_t hs = storage::hash_key(src), hd = storage::hash_key(dst);
  Entry* e = from.lookup_locked(from.shard_for(hs), src, hs, c.op);
  if (!e) return c.reply.integer(0);
  Entry* d = to.lookup_locked(to.shard_for(hd), dst, hd, c.op);
  if (d && !replace) return c.reply.integer(0);
  Entry* n = Entry::copy(e, dst, e->expire_ms(), /*clone_object=*/!move);
  n->touch(lru_clock(c.op.now_ms));
  if (move) {  // both databases change in one commit: no reader sees the key in neither
    storage::MultiWrite write(c.op);
    write.put(to, n);
    write.erase_moved(from, e);  // the collection, if any, went with the copy
    write.commit();
  } else {
    to.shard_for(hd).upsert_locked(n, hd, c.op.epoch);
  }
  c.notify(kNotifyNew, "new", dst, dst_db);  // dst deleted first if there, then added (Redis)
  if (move) {
    c.notify(kNotifyGeneric, "move_from", src);
    c.notify(kNotifyGeneric, "move_to", dst, dst_db);
  } else {
    c.notify(kNotifyGeneric, "copy_to", dst, dst_db);
  }
  signal_key_ready(c, dst_db, dst);    // COPY and MOVE: dst's waiters are served (blocking.h)
  if (move) signal_key_ready(c, src);  // and MOVE's source, for XREADGROUP waiters
  c.reply.integer(1);
}

void cmd_copy(CmdCtx& c) {
  int dst_db = c.conn.db;
  bool replace = false;
  for (size_t j = 3; j < c.argc(); j++) {
    if (iequals(c.arg(j), "replace")) {
      replace = true;
    } else if (iequals(c.arg(j), "db") && j + 1 < c.argc()) {
      if (!parse_db_index(c, c.arg(++j), &dst_db)) return;
    } else {
      return c.error(Err::kSyntax);
    }
  }
  if (dst_db == c.conn.db && c.arg(1) == c.arg(2)) return c.error(Err::kSameObject);
  copy_into(c, c.arg(1), c.arg(2), dst_db, replace, false);
}

void cmd_move(CmdCtx& c) {
  int dst_db;
  if (!parse_db_index(c, c.arg(2), &dst_db)) return;
  if (dst_db == c.conn.db) return c.error(Err::kSameObject);
  copy_into(c, c.arg(1), c.arg(1), dst_db, false, true);
}

void cmd_keys(CmdCtx& c) {
  std::string_view pattern = c.arg(1);
  bool all = pattern == "*";
  std::vector<std::string> keys;
  uint64_t cursor = 0;
  do {
    cursor = c.db().scan(cursor, 1024, [&](const Entry* e) {
      if (e->expired(c.op.now_ms)) return;
      if (all || storage::glob_match(pattern, e->key())) keys.emplace_back(e->key());
    });
  } while (cursor != 0);
  c.reply.array(keys.size());
  for (auto& k : keys) c.reply.bulk(k);
}

void cmd_scan(CmdCtx& c) {
  uint64_t cursor;
  ScanArgs a;
  if (!parse_scan_cursor(c, c.arg(1), &cursor) || !parse_scan_options(c, 2, true, &a)) return;
  std::vector<std::string> keys;
  cursor = c.db().scan(cursor, a.count, [&](const Entry* e) {
    if (e->expired(c.op.now_ms)) return;
    if (a.has_type && type_name(e->type()) != a.type) return;
    if (a.has_pattern && !storage::glob_match(a.pattern, e->key())) return;
    keys.emplace_back(e->key());
  });
  reply_scan(c.reply, cursor, keys.size());
  for (auto& k : keys) c.reply.bulk(k);
}

void cmd_randomkey(CmdCtx& c) {
  std::string key;
  if (c.db().random_key(c.op, c.worker.rng.next(), &key))
    c.reply.bulk(key);
  else
    c.reply.null();
}

void cmd_object_encoding(CmdCtx& c) {
  KeyWrite kw(c, c.arg(2));  // locked: a collection's encoding is read under its shard lock
  if (!kw.cur) return c.reply.null();
  c.reply.bulk(encoding_name(kw.cur));
}

void cmd_object_refcount(CmdCtx& c) {
  const Entry* e = c.db().find(c.arg(2), c.op.now_ms);
  if (!e) return c.reply.null();
  c.reply.integer(1);
}

void cmd_object_idletime(CmdCtx& c) {
  const Entry* e = c.db().find(c.arg(2), c.op.now_ms);
  if (!e) return c.reply.null();
  // Under an LFU policy the access word holds the counter, not the clock (storage/entry.h).
  auto p = c.server.config.maxmemory_policy.load(std::memory_order_relaxed);
  if (p == EvictionPolicy::kAllKeysLfu || p == EvictionPolicy::kVolatileLfu) {
    return c.error(Err::kLfuSelected);
  }
  uint32_t now = lru_clock(c.op.now_ms), then = e->lru_clock();
  uint32_t idle = now >= then ? now - then : now + (0xffffff - then);
  c.reply.integer(static_cast<int64_t>(idle) * storage::kLruClockMs / 1000);  // seconds
}

void cmd_object_freq(CmdCtx& c) {
  const Entry* e = c.db().find(c.arg(2), c.op.now_ms);
  if (!e) return c.reply.null();
  auto p = c.server.config.maxmemory_policy.load(std::memory_order_relaxed);
  if (p != EvictionPolicy::kAllKeysLfu && p != EvictionPolicy::kVolatileLfu) {
    return c.error(Err::kLfuNotSelected);
  }
  // The counter decayed to now, as Redis's LFUDecrAndReturn (reading does not count as an access).
  c.reply.integer(storage::lfu_decayed(
      e->access(), lru_clock(c.op.now_ms),
      static_cast<uint32_t>(c.server.config.lfu_decay_time.load(std::memory_order_relaxed))));
}

void cmd_object_help(CmdCtx& c) {
  static const char* lines[] = {
      "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ENCODING <key>",
      "    Return the kind of internal representation used in order to store the value",
      "    associated with a <key>.",
      "FREQ <key>",
      "    Return the access frequency index of the <key>. The returned integer is",
      "    proportional to the logarithm of the recent access frequency of the key.",
      "IDLETIME <key>",
      "    Return the idle time of the <key>, that is the approximated number of",
      "    seconds elapsed since the last access to the key.",
      "REFCOUNT <key>",
      "    Return the number of references of the value associated with the specified",
      "    <key>.",
      "HELP",
      "    Print this help."};
  c.reply.array(std::size(lines));
  for (const char* l : lines) c.reply.simple(l);
}

}  // namespace

void register_key_commands(CommandTable& t) {
  constexpr uint32_t W = kWrite, R = kReadonly;
  t.add({.name = "del",
         .arity = -2,
         .flags = W,
         .keys = {1, -1, 1},
         .fn = cmd_del,
         .doc = {.group = "generic",
                 .summary = "Delete a key",
                 .syntax = "key [key ...]",
                 .complexity = "O(N)"}});
  t.add({.name = "unlink",
         .arity = -2,
         .flags = W | kFast,
         .keys = {1, -1, 1},
         .fn = cmd_del,
         .doc = {.group = "generic",
                 .summary = "Delete a key asynchronously in another thread. Otherwise it is just "
                            "as DEL, but non blocking.",
                 .syntax = "key [key ...]",
                 .since = "4.0.0",
                 .complexity = "O(1) for each key removed regardless of its size."}});
  t.add({.name = "exists",
         .arity = -2,
         .flags = R | kFast,
         .keys = {1, -1, 1},
         .fn = cmd_exists,
         .doc = {.group = "generic",
                 .summary = "Determine if a key exists",
                 .syntax = "key [key ...]",
                 .complexity = "O(N)"}});
  t.add({.name = "touch",
         .arity = -2,
         .flags = R | kFast,
         .keys = {1, -1, 1},
         .fn = cmd_touch,
         .doc = {.group = "generic",
                 .summary = "Alters the last access time of a key(s). Returns the number of "
                            "existing keys specified.",
                 .syntax = "key [key ...]",
                 .since = "3.2.1",
                 .complexity = "O(N)"}});
  t.add({.name = "type",
         .arity = 2,
         .flags = R | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_type,
         .doc = {
             .group = "generic", .summary = "Determine the type stored at key", .syntax = "key"}});
  const char* exp_syntax = "key seconds [NX | XX | GT | LT]";
  t.add({.name = "expire",
         .arity = -3,
         .flags = W | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_expire,
         .doc = {.group = "generic",
                 .summary = "Set a key's time to live in seconds",
                 .syntax = exp_syntax}});
  t.add({.name = "pexpire",
         .arity = -3,
         .flags = W | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_pexpire,
         .doc = {.group = "generic",
                 .summary = "Set a key's time to live in milliseconds",
                 .syntax = "key milliseconds [NX | XX | GT | LT]",
                 .since = "2.6.0"}});
  t.add({.name = "expireat",
         .arity = -3,
         .flags = W | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_expireat,
         .doc = {.group = "generic",
                 .summary = "Set the expiration for a key as a UNIX timestamp",
                 .syntax = "key unix-time-seconds [NX | XX | GT | LT]",
                 .since = "1.2.0"}});
  t.add({.name = "pexpireat",
         .arity = -3,
         .flags = W | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_pexpireat,
         .doc = {.group = "generic",
                 .summary =
                     "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
                 .syntax = "key unix-time-milliseconds [NX | XX | GT | LT]",
                 .since = "2.6.0"}});
  t.add({.name = "ttl",
         .arity = 2,
         .flags = R | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_ttl,
         .doc = {.group = "generic",
                 .summary = "Get the time to live for a key in seconds",
                 .syntax = "key"}});
  t.add({.name = "pttl",
         .arity = 2,
         .flags = R | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_pttl,
         .doc = {.group = "generic",
                 .summary = "Get the time to live for a key in milliseconds",
                 .syntax = "key",
                 .since = "2.6.0"}});
  t.add({.name = "expiretime",
         .arity = 2,
         .flags = R | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_expiretime,
         .doc = {.group = "generic",
                 .summary = "Get the expiration Unix timestamp for a key",
                 .syntax = "key",
                 .since = "7.0.0"}});
  t.add({.name = "pexpiretime",
         .arity = 2,
         .flags = R | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_pexpiretime,
         .doc = {.group = "generic",
                 .summary = "Get the expiration Unix timestamp for a key in milliseconds",
                 .syntax = "key",
                 .since = "7.0.0"}});
  t.add({.name = "persist",
         .arity = 2,
         .flags = W | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_persist,
         .doc = {.group = "generic",
                 .summary = "Remove the expiration from a key",
                 .syntax = "key",
                 .since = "2.2.0"}});
  t.add({.name = "rename",
         .arity = 3,
         .flags = W,
         .keys = {1, 2, 1},
         .fn = cmd_rename,
         .doc = {.group = "generic", .summary = "Rename a key", .syntax = "key newkey"}});
  t.add({.name = "renamenx",
         .arity = 3,
         .flags = W | kFast,
         .keys = {1, 2, 1},
         .fn = cmd_renamenx,
         .doc = {.group = "generic",
                 .summary = "Rename a key, only if the new key does not exist",
                 .syntax = "key newkey"}});
  t.add({.name = "copy",
         .arity = -3,
         .flags = W | kDenyOom,
         .keys = {1, 2, 1},
         .fn = cmd_copy,
         .doc = {.group = "generic",
                 .summary = "Copy a key",
                 .syntax = "source destination [DB destination-db] [REPLACE]",
                 .since = "6.2.0",
                 .complexity = "O(N) worst case for collections"}});
  t.add({.name = "move",
         .arity = 3,
         .flags = W | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_move,
         .doc = {
             .group = "generic", .summary = "Move a key to another database", .syntax = "key db"}});
  t.add({.name = "keys",
         .arity = 2,
         .flags = R,
         .fn = cmd_keys,
         .doc = {.group = "generic",
                 .summary = "Find all keys matching the given pattern",
                 .syntax = "pattern",
                 .complexity = "O(N)"}});
  t.add({.name = "scan",
         .arity = -2,
         .flags = R,
         .fn = cmd_scan,
         .doc = {.group = "generic",
                 .summary = "Incrementally iterate the keys space",
                 .syntax = "cursor [MATCH pattern] [COUNT count] [TYPE type]",
                 .since = "2.8.0",
                 .complexity = "O(1) for every call. O(N) for a complete iteration."}});
  t.add({.name = "randomkey",
         .arity = 1,
         .flags = R,
         .fn = cmd_randomkey,
         .doc = {.group = "generic", .summary = "Return a random key from the keyspace"}});
  Command* obj = t.add(
      {.name = "object",
       .arity = -2,
       .flags = R,
       .fn = nullptr,
       .doc = {.group = "generic", .summary = "A container for object introspection commands"}});
  t.add_sub(obj, {.name = "encoding",
                  .arity = 3,
                  .flags = R,
                  .keys = {2, 2, 1},
                  .fn = cmd_object_encoding,
                  .doc = {.summary = "Inspect the internal encoding of a Redis object",
                          .syntax = "key",
                          .since = "2.2.3"}});
  t.add_sub(obj, {.name = "refcount",
                  .arity = 3,
                  .flags = R,
                  .keys = {2, 2, 1},
                  .fn = cmd_object_refcount,
                  .doc = {.summary = "Get the number of references to the value of the key",
                          .syntax = "key",
                          .since = "2.2.3"}});
  t.add_sub(obj, {.name = "idletime",
                  .arity = 3,
                  .flags = R,
                  .keys = {2, 2, 1},
                  .fn = cmd_object_idletime,
                  .doc = {.summary = "Get the time since a Redis object was last accessed",
                          .syntax = "key",
                          .since = "2.2.3"}});
  t.add_sub(obj,
            {.name = "freq",
             .arity = 3,
             .flags = R,
             .keys = {2, 2, 1},
             .fn = cmd_object_freq,
             .doc = {.summary = "Get the logarithmic access frequency counter of a Redis object",
                     .syntax = "key",
                     .since = "4.0.0"}});
  t.add_sub(obj, {.name = "help",
                  .arity = 2,
                  .flags = kLoading | kStale,  // Redis 7.0: not readonly
                  .fn = cmd_object_help,
                  .doc = {.summary = "Show helpful text about the different subcommands",
                          .since = "6.2.0"}});
}

}  // namespace respite::server
