// The stream family's entry commands: XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XSETID and
// XINFO, over storage::StreamValue (stream_value.h), and the registration of every stream command
// (the consumer-group ones live in stream_groups.cpp, XREAD and XREADGROUP in stream_read.cpp).
// Arguments are checked in Redis 7.0.15's order (t_stream.c), which decides which error wins; the
// replies are written while the key's shard is locked, from views into the stream.
#include <vector>

#include "server/blocking.h"
#include "server/commands/stream_common.h"

namespace respite::server {

using storage::StreamEntry;
using storage::StreamID;
using storage::StreamValue;
using storage::Type;

namespace {

// Ranges are gathered before the reply because the array's length comes first; the vector is
// the worker's, reused, so a range allocates nothing once it has grown.
std::vector<StreamEntry>& scratch() {
  thread_local std::vector<StreamEntry> v;
  v.clear();
  return v;
}

void reply_range(CmdCtx& c, const StreamValue& s, StreamID start, StreamID end, size_t count,
                 bool rev) {
  std::vector<StreamEntry>& v = scratch();
  s.range(start, end, count, rev, [&](const StreamEntry& e) {
    v.push_back(e);
    return true;
  });
  c.reply.array(v.size());
  for (const StreamEntry& e : v) reply_stream_entry(c.reply, e);
}

// XADD's and XTRIM's options (Redis's streamParseAddOrTrimArgsOrReply). For XADD, *id_pos is
// where the ID is; false when it replied an error.
struct AddArgs {
  StreamValue::Trim trim;
  bool nomkstream = false;
  bool id_given = false, seq_given = true;
  StreamID id;
};

bool parse_add_or_trim(CmdCtx& c, bool xadd, AddArgs* a, size_t* id_pos) {
  StreamValue::Trim& t = a->trim;
  bool limit_given = false;
  size_t i = 2;
  size_t argc = c.argc();
  for (; i < argc; i++) {
    size_t more = argc - 1 - i;
    std::string_view opt = c.arg(i);
    if (xadd && opt == "*") break;
    bool maxlen = iequals(opt, "maxlen"), minid = !maxlen && iequals(opt, "minid");
    if ((maxlen || minid) && more) {
      if (t.strategy != StreamValue::Trim::kNone) {
        c.error(Err::kStreamMaxlenAndMinid);
        return false;
      }
      t.approx = false;
      std::string_view next = c.arg(i + 1);
      if (more >= 2 && next == "~") {
        t.approx = true;
        i++;
      } else if (more >= 2 && next == "=") {
        i++;
      }
      if (maxlen) {
        int64_t n;
        if (!parse_int(c.arg(i + 1), &n)) {
          c.error(Err::kNotInt);
          return false;
        }
        if (n < 0) {
          c.error(Err::kStreamMaxlenNegative);
          return false;
        }
        t.maxlen = static_cast<uint64_t>(n);
        t.strategy = StreamValue::Trim::kMaxLen;
      } else {
        if (!parse_id_or_reply(c, c.arg(i + 1), &t.minid, 0, true)) return false;
        t.strategy = StreamValue::Trim::kMinId;
      }
      i++;
    } else if (iequals(opt, "limit") && more) {
      int64_t n;
      if (!parse_int(c.arg(i + 1), &n)) {
        c.error(Err::kNotInt);
        return false;
      }
      if (n < 0) {
        c.error(Err::kStreamLimitNegative);
        return false;
      }
      t.limit = n;
      limit_given = true;
      i++;
    } else if (xadd && iequals(opt, "nomkstream")) {
      a->nomkstream = true;
    } else if (xadd) {
      if (!parse_id_or_reply(c, opt, &a->id, 0, true, &a->seq_given)) return false;
      a->id_given = true;
      break;
    } else {
      c.error(Err::kSyntax);
      return false;
    }
  }
  if (t.limit && t.strategy == StreamValue::Trim::kNone) {
    c.error(Err::kStreamLimitNoStrategy);
    return false;
  }
  if (!xadd && t.strategy == StreamValue::Trim::kNone) {
    c.error(Err::kStreamXtrimNoStrategy);
    return false;
  }
  if (limit_given) {
    if (!t.approx) {
      c.error(Err::kStreamLimitNoApprox);
      return false;
    }
  } else if (t.approx) {
    // Redis caps approximate trimming at 100 nodes' worth of entries unless LIMIT says otherwise.
    int64_t per_node = c.server.config.stream_node_max_entries.load(std::memory_order_relaxed);
    int64_t lim = per_node > INT64_MAX / 100 ? INT64_MAX : 100 * per_node;
    if (lim <= 0) lim = 10000;
    if (lim > 1000000) lim = 1000000;
    t.limit = lim;
  } else {
    t.limit = 0;
  }
  *id_pos = i;
  return true;
}

void cmd_xadd(CmdCtx& c) {
  AddArgs a;
  size_t id_pos;
  if (!parse_add_or_trim(c, true, &a, &id_pos)) return;
  size_t field_pos = id_pos + 1;
  if (c.argc() < field_pos + 2 || (c.argc() - field_pos) % 2 == 1) return c.arity_error();
  if (a.id_given && a.seq_given && a.id.is_zero()) return c.error(Err::kStreamIdZero);

  Streams st(c, c.arg(1), Type::kStream);
  if (st.wrong_type()) return c.error(Err::kWrongType);
  StreamValue* s = st.get();
  if (!s) {
    if (a.nomkstream) return c.reply.null();
    s = st.create(new StreamValue());
  }
  if (s->last_id() == StreamID::max()) return c.error(Err::kStreamExhausted);
  StreamID id;
  if (!s->next_id(a.id_given ? &a.id : nullptr, a.seq_given, c.op.now_ms, &id))
    return c.error(Err::kStreamIdTooSmall);
  size_t total = 0;
  for (size_t i = field_pos; i < c.argc(); i++) total += c.arg(i).size();
  if (total > (size_t{1} << 30)) return c.error(Err::kStreamTooLarge);
  s->append(id, &c.argv[field_pos], c.argc() - field_pos, stream_limits(c.server));
  reply_stream_id(c.reply, id);
  c.notify(kNotifyStream, "xadd", c.arg(1));
  if (s->trim(a.trim)) c.notify(kNotifyStream, "xtrim", c.arg(1));
  st.changed();
  signal_key_ready(c, c.arg(1));
}

void range_generic(CmdCtx& c, bool rev) {
  StreamID start, end;
  if (!parse_range_bound(c, c.arg(rev ? 3 : 2), true, &start)) return;
  if (!parse_range_bound(c, c.arg(rev ? 2 : 3), false, &end)) return;
  int64_t count = -1;
  for (size_t j = 4; j < c.argc(); j++) {
    if (iequals(c.arg(j), "count") && j + 1 < c.argc()) {
      if (!parse_int(c.arg(j + 1), &count)) return c.error(Err::kNotInt);
      if (count < 0) count = 0;
      j++;
    } else {
      return c.error(Err::kSyntax);
    }
  }
  Streams st(c, c.arg(1), Type::kStream, Access::kRead);
  if (st.wrong_type()) return c.error(Err::kWrongType);
  if (!st.get()) return c.reply.array(0);
  if (count == 0) return c.reply.null_array();
  reply_range(c, *st.get(), start, end, count < 0 ? 0 : static_cast<size_t>(count), rev);
}

void cmd_xrange(CmdCtx& c) {
  range_generic(c, false);
}
void cmd_xrevrange(CmdCtx& c) {
  range_generic(c, true);
}

void cmd_xlen(CmdCtx& c) {
  Streams st(c, c.arg(1), Type::kStream, Access::kRead);
  if (st.wrong_type()) return c.error(Err::kWrongType);
  c.reply.integer(st.get() ? static_cast<int64_t>(st.get()->entries()) : 0);
}

void cmd_xdel(CmdCtx& c) {
  Streams st(c, c.arg(1), Type::kStream);
  if (st.wrong_type()) return c.error(Err::kWrongType);
  StreamValue* s = st.get();
  if (!s) return c.reply.integer(0);
  // Every ID is checked before any is deleted: the command is all or nothing.
  thread_local std::vector<StreamID> ids;
  ids.resize(c.argc() - 2);
  for (size_t j = 2; j < c.argc(); j++) {
    if (!parse_id_or_reply(c, c.arg(j), &ids[j - 2], 0, true)) return;
  }
  int64_t deleted = 0;
  for (const StreamID& id : ids) deleted += s->erase(id) ? 1 : 0;
  if (deleted) {
    st.changed();
    c.notify(kNotifyStream, "xdel", c.arg(1));
  }
  c.reply.integer(deleted);
}

void cmd_xtrim(CmdCtx& c) {
  AddArgs a;
  size_t unused;
  if (!parse_add_or_trim(c, false, &a, &unused)) return;
  Streams st(c, c.arg(1), Type::kStream);
  if (st.wrong_type()) return c.error(Err::kWrongType);
  StreamValue* s = st.get();
  if (!s) return c.reply.integer(0);
  int64_t deleted = s->trim(a.trim);
  if (deleted) {
    st.changed();
    c.notify(kNotifyStream, "xtrim", c.arg(1));
  }
  c.reply.integer(deleted);
}

void cmd_xsetid(CmdCtx& c) {
  StreamID id, max_deleted;
  int64_t entries_added = -1;
  if (!parse_id_or_reply(c, c.arg(2), &id, 0, true)) return;
  for (size_t i = 3; i < c.argc();) {
    bool more = i + 1 < c.argc();
    if (iequals(c.arg(i), "entriesadded") && more) {
      if (!parse_int(c.arg(i + 1), &entries_added)) return c.error(Err::kNotInt);
      if (entries_added < 0) return c.error(Err::kStreamEntriesAdded);
      i += 2;
    } else if (iequals(c.arg(i), "maxdeletedid") && more) {
      if (!parse_id_or_reply(c, c.arg(i + 1), &max_deleted, 0, true)) return;
      if (id < max_deleted) return c.error(Err::kStreamSetidBelowMaxDeleted);
      i += 2;
    } else {
      return c.error(Err::kSyntax);
    }
  }
  Streams st(c, c.arg(1), Type::kStream);
  if (!st.exists()) return c.error(Err::kNoSuchKey);
  if (st.wrong_type()) return c.error(Err::kWrongType);
  StreamValue* s = st.get();
  if (s->entries() > 0) {
    StreamID top;
    s->last_live(&top);
    if (id < top) return c.error(Err::kStreamSetidBelowTop);
    if (entries_added != -1 && s->entries() > static_cast<uint64_t>(entries_added))
      return c.error(Err::kStreamSetidEntriesAdded);
  }
  s->set_last_id(id);
  if (entries_added != -1) s->set_entries_added(static_cast<uint64_t>(entries_added));
  if (!max_deleted.is_zero()) s->set_max_deleted(max_deleted);
  st.unwatched();  // Redis does not report XSETID to WATCH
  c.reply.ok();
  c.notify(kNotifyStream, "xsetid", c.arg(1));
}

// --- XINFO ---

void reply_lag(CmdCtx& c, const StreamValue& s, const storage::StreamGroup& g) {
  int64_t lag;
  if (s.lag(g, &lag))
    c.reply.integer(lag);
  else
    c.reply.null();
}

void reply_entries_read(CmdCtx& c, const storage::StreamGroup& g) {
  if (g.entries_read != StreamValue::kInvalid)
    c.reply.integer(g.entries_read);
  else
    c.reply.null();
}

// The fields XINFO STREAM shows in both forms.
void reply_stream_head(CmdCtx& c, const StreamValue& s) {
  c.reply.bulk("length");
  c.reply.integer(static_cast<int64_t>(s.entries()));
  c.reply.bulk("radix-tree-keys");
  c.reply.integer(static_cast<int64_t>(s.nodes()));
  // Redis counts its radix tree's inner nodes; a map of nodes has one per key, plus the root.
  c.reply.bulk("radix-tree-nodes");
  c.reply.integer(static_cast<int64_t>(s.nodes() + 1));
  c.reply.bulk("last-generated-id");
  reply_stream_id(c.reply, s.last_id());
  c.reply.bulk("max-deleted-entry-id");
  reply_stream_id(c.reply, s.max_deleted_id());
  c.reply.bulk("entries-added");
  c.reply.integer(static_cast<int64_t>(s.entries_added()));
  c.reply.bulk("recorded-first-entry-id");
  reply_stream_id(c.reply, s.first_id());
}

void reply_edge_entry(CmdCtx& c, const StreamValue& s, bool last) {
  bool found = false;
  s.range(StreamID::min(), StreamID::max(), 1, last, [&](const StreamEntry& e) {
    reply_stream_entry(c.reply, e);
    found = true;
    return false;
  });
  if (!found) c.reply.null();
}

void reply_stream_full(CmdCtx& c, const StreamValue& s, size_t count) {
  c.reply.bulk("entries");
  reply_range(c, s, StreamID::min(), StreamID::max(), count, false);
  c.reply.bulk("groups");
  c.reply.array(s.groups().size());
  for (const auto& [name, g] : s.groups()) {
    c.reply.map(7);
    c.reply.bulk("name");
    c.reply.bulk(name);
    c.reply.bulk("last-delivered-id");
    reply_stream_id(c.reply, g->last_id);
    c.reply.bulk("entries-read");
    reply_entries_read(c, *g);
    c.reply.bulk("lag");
    reply_lag(c, s, *g);
    c.reply.bulk("pel-count");
    c.reply.integer(static_cast<int64_t>(g->pel.size()));
    c.reply.bulk("pending");
    size_t n = count && count < g->pel.size() ? count : g->pel.size();
    c.reply.array(n);
    size_t i = 0;
    for (const auto& [id, nack] : g->pel) {
      if (i++ == n) break;
      c.reply.array(4);
      reply_stream_id(c.reply, id);
      c.reply.bulk(nack.consumer ? std::string_view(nack.consumer->name) : std::string_view());
      c.reply.integer(nack.delivery_time);
      c.reply.integer(static_cast<int64_t>(nack.delivery_count));
    }
    c.reply.bulk("consumers");
    c.reply.array(g->consumers.size());
    for (const auto& [cname, con] : g->consumers) {
      c.reply.map(4);
      c.reply.bulk("name");
      c.reply.bulk(cname);
      c.reply.bulk("seen-time");
      c.reply.integer(con->seen_time);
      c.reply.bulk("pel-count");
      c.reply.integer(static_cast<int64_t>(con->pel.size()));
      c.reply.bulk("pending");
      size_t m = count && count < con->pel.size() ? count : con->pel.size();
      c.reply.array(m);
      size_t k = 0;
      for (const StreamID& id : con->pel) {
        if (k++ == m) break;
        const storage::StreamNack& nack = g->pel.find(id)->second;
        c.reply.array(3);
        reply_stream_id(c.reply, id);
        c.reply.integer(nack.delivery_time);
        c.reply.integer(static_cast<int64_t>(nack.delivery_count));
      }
    }
  }
}

void cmd_xinfo_stream(CmdCtx& c) {
  Streams st(c, c.arg(2), Type::kStream, Access::kRead);
  if (!st.exists()) return c.error(Err::kNoSuchKey);
  if (st.wrong_type()) return c.error(Err::kWrongType);
  const StreamValue& s = *st.get();
  size_t optc = c.argc() - 3;
  bool full = optc > 0;
  int64_t count = 10;
  if (full) {
    if ((optc != 1 && optc != 3) || !iequals(c.arg(3), "full") ||
        (optc == 3 && !iequals(c.arg(4), "count")))
      return c.error(subcommand_syntax_error("XINFO", c.arg(1)));
    if (optc == 3) {
      if (!parse_int(c.arg(5), &count)) return c.error(Err::kNotInt);
      if (count < 0) count = 10;
    }
  }
  c.reply.map(full ? 9 : 10);
  reply_stream_head(c, s);
  if (full) return reply_stream_full(c, s, static_cast<size_t>(count));
  c.reply.bulk("groups");
  c.reply.integer(static_cast<int64_t>(s.groups().size()));
  c.reply.bulk("first-entry");
  reply_edge_entry(c, s, false);
  c.reply.bulk("last-entry");
  reply_edge_entry(c, s, true);
}

void cmd_xinfo_groups(CmdCtx& c) {
  Streams st(c, c.arg(2), Type::kStream, Access::kRead);
  if (!st.exists()) return c.error(Err::kNoSuchKey);
  if (st.wrong_type()) return c.error(Err::kWrongType);
  const StreamValue& s = *st.get();
  c.reply.array(s.groups().size());
  for (const auto& [name, g] : s.groups()) {
    c.reply.map(6);
    c.reply.bulk("name");
    c.reply.bulk(name);
    c.reply.bulk("consumers");
    c.reply.integer(static_cast<int64_t>(g->consumers.size()));
    c.reply.bulk("pending");
    c.reply.integer(static_cast<int64_t>(g->pel.size()));
    c.reply.bulk("last-delivered-id");
    reply_stream_id(c.reply, g->last_id);
    c.reply.bulk("entries-read");
    reply_entries_read(c, *g);
    c.reply.bulk("lag");
    reply_lag(c, s, *g);
  }
}

void cmd_xinfo_consumers(CmdCtx& c) {
  Streams st(c, c.arg(2), Type::kStream, Access::kRead);
  if (!st.exists()) return c.error(Err::kNoSuchKey);
  if (st.wrong_type()) return c.error(Err::kWrongType);
  const StreamValue& s = *st.get();
  storage::StreamGroup* g = s.group(c.arg(3));
  if (!g) return c.error(nogroup_for_key_error(c.arg(3), c.arg(2)));
  c.reply.array(g->consumers.size());
  for (const auto& [name, con] : g->consumers) {
    int64_t idle = c.op.now_ms - con->seen_time;
    c.reply.map(3);
    c.reply.bulk("name");
    c.reply.bulk(name);
    c.reply.bulk("pending");
    c.reply.integer(static_cast<int64_t>(con->pel.size()));
    c.reply.bulk("idle");
    c.reply.integer(idle < 0 ? 0 : idle);
  }
}

void cmd_xinfo_help(CmdCtx& c) {
  static const char* lines[] = {"XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                                "CONSUMERS <key> <groupname>",
                                "    Show consumers of <groupname>.",
                                "GROUPS <key>",
                                "    Show the stream consumer groups.",
                                "STREAM <key> [FULL [COUNT <count>]",
                                "    Show information about the stream.",
                                "HELP",
                                "    Print this help."};
  c.reply.array(std::size(lines));
  for (const char* l : lines) c.reply.simple(l);
}

}  // namespace

void register_stream_commands(CommandTable& t) {
  constexpr uint32_t W = kWrite, R = kReadonly, WM = kWrite | kDenyOom;
  t.add({.name = "xadd",
         .arity = -5,
         .flags = WM | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_xadd,
         .doc = {.group = "stream",
                 .summary = "Appends a new entry to a stream",
                 .syntax = "key [NOMKSTREAM] [<MAXLEN | MINID> [= | ~] threshold [LIMIT count]] "
                           "<* | id> field value [field value ...]",
                 .since = "5.0.0",
                 .complexity = "O(1) when adding a new entry, O(N) when trimming where N being "
                               "the number of entries evicted."}});
  t.add({.name = "xrange",
         .arity = -4,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_xrange,
         .doc = {.group = "stream",
                 .summary = "Return a range of elements in a stream, with IDs matching the "
                            "specified IDs interval",
                 .syntax = "key start end [COUNT count]",
                 .since = "5.0.0",
                 .complexity = "O(N) with N being the number of elements being returned."}});
  t.add({.name = "xrevrange",
         .arity = -4,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_xrevrange,
         .doc = {.group = "stream",
                 .summary = "Return a range of elements in a stream, with IDs matching the "
                            "specified IDs interval, in reverse order (from greater to smaller "
                            "IDs) compared to XRANGE",
                 .syntax = "key end start [COUNT count]",
                 .since = "5.0.0",
                 .complexity = "O(N) with N being the number of elements returned."}});
  t.add({.name = "xlen",
         .arity = 2,
         .flags = R | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_xlen,
         .doc = {.group = "stream",
                 .summary = "Return the number of entries in a stream",
                 .syntax = "key",
                 .since = "5.0.0"}});
  t.add({.name = "xdel",
         .arity = -3,
         .flags = W | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_xdel,
         .doc = {.group = "stream",
                 .summary = "Removes the specified entries from the stream. Returns the number "
                            "of items actually deleted, that may be different from the number "
                            "of IDs passed in case certain IDs do not exist.",
                 .syntax = "key id [id ...]",
                 .since = "5.0.0",
                 .complexity = "O(1) for each single item to delete in the stream, regardless "
                               "of the stream size."}});
  t.add({.name = "xtrim",
         .arity = -4,
         .flags = W,
         .keys = {1, 1, 1},
         .fn = cmd_xtrim,
         .doc = {.group = "stream",
                 .summary = "Trims the stream to (approximately if '~' is passed) a certain size",
                 .syntax = "key <MAXLEN | MINID> [= | ~] threshold [LIMIT count]",
                 .since = "5.0.0",
                 .complexity = "O(N), with N being the number of evicted entries."}});
  t.add({.name = "xsetid",
         .arity = -3,
         .flags = WM | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_xsetid,
         .doc = {.group = "stream",
                 .summary = "An internal command for replicating stream values",
                 .syntax = "key last-id [ENTRIESADDED entries-added] "
                           "[MAXDELETEDID max-deleted-id]",
                 .since = "5.0.0"}});
  t.add({.name = "xack",
         .arity = -4,
         .flags = W | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_xack,
         .doc = {.group = "stream",
                 .summary = "Marks a pending message as correctly processed, effectively "
                            "removing it from the pending entries list of the consumer group.",
                 .syntax = "key group id [id ...]",
                 .since = "5.0.0",
                 .complexity = "O(1) for each message ID processed."}});
  t.add({.name = "xpending",
         .arity = -3,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_xpending,
         .doc = {.group = "stream",
                 .summary = "Return information and entries from a stream consumer group "
                            "pending entries list, that are messages fetched but never "
                            "acknowledged.",
                 .syntax = "key group [[IDLE min-idle-time] start end count [consumer]]",
                 .since = "5.0.0",
                 .complexity = "O(N) with N being the number of elements returned"}});
  t.add({.name = "xclaim",
         .arity = -6,
         .flags = W | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_xclaim,
         .doc = {.group = "stream",
                 .summary = "Changes (or acquires) ownership of a message in a consumer group, "
                            "as if the message was delivered to the specified consumer.",
                 .syntax = "key group consumer min-idle-time id [id ...] [IDLE ms] "
                           "[TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] "
                           "[LASTID lastid]",
                 .since = "5.0.0",
                 .complexity = "O(log N) with N being the number of messages in the PEL of the "
                               "consumer group."}});
  t.add({.name = "xautoclaim",
         .arity = -6,
         .flags = W | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_xautoclaim,
         .doc = {.group = "stream",
                 .summary = "Changes (or acquires) ownership of messages in a consumer group, "
                            "as if the messages were delivered to the specified consumer.",
                 .syntax = "key group consumer min-idle-time start [COUNT count] [JUSTID]",
                 .since = "6.2.0",
                 .complexity = "O(1) if COUNT is small."}});
  // XREAD and XREADGROUP name their keys after STREAMS, at no fixed position: EXEC and scripts
  // lock every shard of the database for them (command_shards.h).
  t.add({.name = "xread",
         .arity = -4,
         .flags = R | kBlocking | kMovableKeys,
         .fn = cmd_xread,
         .doc = {.group = "stream",
                 .summary = "Return never seen elements in multiple streams, with IDs greater "
                            "than the ones reported by the caller for each stream. Can block.",
                 .syntax = "[COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]",
                 .since = "5.0.0",
                 .complexity = "For each stream mentioned: O(N) with N being the number of "
                               "elements being returned."}});
  t.add({.name = "xreadgroup",
         .arity = -7,
         .flags = W | kBlocking | kMovableKeys,
         .fn = cmd_xreadgroup,
         .doc = {.group = "stream",
                 .summary = "Return new entries from a stream using a consumer group, or access "
                            "the history of the pending entries for a given consumer. Can block.",
                 .syntax = "GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] "
                           "STREAMS key [key ...] id [id ...]",
                 .since = "5.0.0",
                 .complexity = "For each stream mentioned: O(M) with M being the number of "
                               "elements returned."}});

  Command* info = t.add({.name = "xinfo",
                         .arity = -2,
                         .flags = R,
                         .fn = nullptr,
                         .doc = {.group = "stream",
                                 .summary = "A container for stream introspection commands",
                                 .since = "5.0.0"}});
  t.add_sub(info, {.name = "stream",
                   .arity = -3,
                   .flags = R,
                   .keys = {2, 2, 1},
                   .fn = cmd_xinfo_stream,
                   .doc = {.summary = "Get information about a stream",
                           .syntax = "key [FULL [COUNT count]]",
                           .since = "5.0.0"}});
  t.add_sub(info, {.name = "groups",
                   .arity = 3,
                   .flags = R,
                   .keys = {2, 2, 1},
                   .fn = cmd_xinfo_groups,
                   .doc = {.summary = "List the consumer groups of a stream",
                           .syntax = "key",
                           .since = "5.0.0"}});
  t.add_sub(info, {.name = "consumers",
                   .arity = 4,
                   .flags = R,
                   .keys = {2, 2, 1},
                   .fn = cmd_xinfo_consumers,
                   .doc = {.summary = "List the consumers in a consumer group",
                           .syntax = "key group",
                           .since = "5.0.0"}});
  t.add_sub(info, {.name = "help",
                   .arity = 2,
                   .flags = kLoading | kStale,  // as Redis: help reads no key
                   .fn = cmd_xinfo_help,
                   .doc = {.summary = "Show helpful text about the different subcommands",
                           .since = "5.0.0"}});

  Command* group = t.add({.name = "xgroup",
                          .arity = -2,
                          .flags = W,
                          .fn = nullptr,
                          .doc = {.group = "stream",
                                  .summary = "A container for consumer groups commands",
                                  .since = "5.0.0"}});
  t.add_sub(group, {.name = "create",
                    .arity = -5,
                    .flags = WM,
                    .keys = {2, 2, 1},
                    .fn = cmd_xgroup_create,
                    .doc = {.summary = "Create a consumer group.",
                            .syntax = "key group <id | $> [MKSTREAM] [ENTRIESREAD entries-read]",
                            .since = "5.0.0"}});
  t.add_sub(group, {.name = "setid",
                    .arity = -5,
                    .flags = W,
                    .keys = {2, 2, 1},
                    .fn = cmd_xgroup_setid,
                    .doc = {.summary = "Set a consumer group to an arbitrary last delivered ID "
                                       "value.",
                            .syntax = "key group <id | $> [ENTRIESREAD entries-read]",
                            .since = "5.0.0"}});
  t.add_sub(group, {.name = "destroy",
                    .arity = 4,
                    .flags = W,
                    .keys = {2, 2, 1},
                    .fn = cmd_xgroup_destroy,
                    .doc = {.summary = "Destroy a consumer group.",
                            .syntax = "key group",
                            .since = "5.0.0",
                            .complexity = "O(N) where N is the number of entries in the group's "
                                          "pending entries list (PEL)."}});
  t.add_sub(group, {.name = "createconsumer",
                    .arity = 5,
                    .flags = WM,
                    .keys = {2, 2, 1},
                    .fn = cmd_xgroup_createconsumer,
                    .doc = {.summary = "Create a consumer in a consumer group.",
                            .syntax = "key group consumer",
                            .since = "6.2.0"}});
  t.add_sub(group, {.name = "delconsumer",
                    .arity = 5,
                    .flags = W,
                    .keys = {2, 2, 1},
                    .fn = cmd_xgroup_delconsumer,
                    .doc = {.summary = "Delete a consumer from a consumer group.",
                            .syntax = "key group consumer",
                            .since = "5.0.0"}});
  t.add_sub(group, {.name = "help",
                    .arity = 2,
                    .flags = kLoading | kStale,  // as Redis: help reads no key
                    .fn = cmd_xgroup_help,
                    .doc = {.summary = "Show helpful text about the different subcommands",
                            .since = "5.0.0"}});
}

}  // namespace respite::server
