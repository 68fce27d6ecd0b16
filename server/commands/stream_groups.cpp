// Consumer-group commands of the stream family: XGROUP (CREATE, SETID, DESTROY, CREATECONSUMER,
// DELCONSUMER, HELP), XACK, XPENDING, XCLAIM and XAUTOCLAIM (Redis 7.0's three-part reply with
// the IDs of deleted entries). XREADGROUP, which delivers entries to consumers, is in
// stream_read.cpp. Checks run in Redis 7.0.15's order (t_stream.c); the group state itself lives
// in storage::StreamValue.
#include <vector>

#include "server/blocking.h"
#include "server/commands/stream_common.h"

namespace respite::server {

using storage::StreamConsumer;
using storage::StreamEntry;
using storage::StreamGroup;
using storage::StreamID;
using storage::StreamValue;
using storage::Type;

namespace {

// XGROUP's shared prologue (Redis's xgroupCommand before its dispatch): options, the key, the
// group. Returns false once it replied an error.
struct GroupArgs {
  bool mkstream = false;
  int64_t entries_read = StreamValue::kInvalid;
};

bool parse_group_options(CmdCtx& c, bool create, bool setid, GroupArgs* a) {
  for (size_t i = 5; i < c.argc();) {
    if (create && iequals(c.arg(i), "mkstream")) {
      a->mkstream = true;
      i++;
    } else if ((create || setid) && iequals(c.arg(i), "entriesread") && i + 1 < c.argc()) {
      if (!parse_int(c.arg(i + 1), &a->entries_read)) {
        c.error(Err::kNotInt);
        return false;
      }
      if (a->entries_read < 0 && a->entries_read != StreamValue::kInvalid) {
        c.error(Err::kStreamEntriesRead);
        return false;
      }
      i += 2;
    } else {
      c.error(subcommand_syntax_error("XGROUP", c.arg(1)));
      return false;
    }
  }
  return true;
}

// The key must exist (unless MKSTREAM) and hold a stream; need_group: the group too.
bool check_group_key(CmdCtx& c, Streams& st, bool mkstream, bool need_group) {
  if (st.wrong_type()) {
    c.error(Err::kWrongType);
    return false;
  }
  if (mkstream) return true;
  if (!st.get()) {
    c.error(Err::kStreamGroupNeedsKey);
    return false;
  }
  if (need_group && !st.get()->group(c.arg(3))) {
    c.error(nogroup_for_key_error(c.arg(3), c.arg(2)));
    return false;
  }
  return true;
}

// The consumer `name` of g, its seen-time refreshed, or a new one (notified as Redis does).
StreamConsumer* lookup_or_create_consumer(CmdCtx& c, StreamValue& s, StreamGroup& g,
                                          std::string_view name, std::string_view key) {
  if (StreamConsumer* con = s.consumer(g, name)) {
    con->seen_time = c.op.now_ms;
    return con;
  }
  StreamConsumer* con = s.create_consumer(g, name, c.op.now_ms);
  c.notify(kNotifyStream, "xgroup-createconsumer", key);
  return con;
}

}  // namespace

void cmd_xgroup_create(CmdCtx& c) {
  GroupArgs a;
  if (!parse_group_options(c, true, false, &a)) return;
  Streams st(c, c.arg(2), Type::kStream);
  if (!check_group_key(c, st, a.mkstream, false)) return;
  if (c.argc() > 8) return c.error(subcommand_syntax_error("XGROUP", c.arg(1)));
  StreamID id;
  if (c.arg(4) == "$") {
    id = st.get() ? st.get()->last_id() : StreamID::min();
  } else if (!parse_id_or_reply(c, c.arg(4), &id, 0, true)) {
    return;
  }
  StreamValue* s = st.get();
  if (!s) s = st.create(new StreamValue());
  if (!s->create_group(c.arg(3), id, a.entries_read)) return c.error(Err::kStreamBusyGroup);
  st.unwatched();
  c.reply.ok();
  c.notify(kNotifyStream, "xgroup-create", c.arg(2));
}

void cmd_xgroup_setid(CmdCtx& c) {
  GroupArgs a;
  if (!parse_group_options(c, false, true, &a)) return;
  Streams st(c, c.arg(2), Type::kStream);
  if (!check_group_key(c, st, false, true)) return;
  if (c.argc() != 5 && c.argc() != 7) return c.error(subcommand_syntax_error("XGROUP", c.arg(1)));
  StreamValue* s = st.get();
  StreamID id;
  if (c.arg(4) == "$") {
    id = s->last_id();
  } else if (!parse_id_or_reply(c, c.arg(4), &id, 0, false)) {
    return;
  }
  StreamGroup* g = s->group(c.arg(3));
  g->last_id = id;
  g->entries_read = a.entries_read;
  st.unwatched();
  c.reply.ok();
  c.notify(kNotifyStream, "xgroup-setid", c.arg(2));
}

void cmd_xgroup_destroy(CmdCtx& c) {
  Streams st(c, c.arg(2), Type::kStream);
  if (!check_group_key(c, st, false, false)) return;
  if (!st.get()->destroy_group(c.arg(3))) return c.reply.integer(0);
  st.unwatched();
  c.reply.integer(1);
  c.notify(kNotifyStream, "xgroup-destroy", c.arg(2));
  // Clients blocked in XREADGROUP on this group get their NOGROUP error (stream_read.cpp).
  signal_key_ready(c, c.arg(2));
}

void cmd_xgroup_createconsumer(CmdCtx& c) {
  Streams st(c, c.arg(2), Type::kStream);
  if (!check_group_key(c, st, false, true)) return;
  StreamValue* s = st.get();
  StreamGroup* g = s->group(c.arg(3));
  bool created = s->create_consumer(*g, c.arg(4), c.op.now_ms) != nullptr;
  if (created) {
    st.unwatched();
    c.notify(kNotifyStream, "xgroup-createconsumer", c.arg(2));
  }
  c.reply.integer(created ? 1 : 0);
}

void cmd_xgroup_delconsumer(CmdCtx& c) {
  Streams st(c, c.arg(2), Type::kStream);
  if (!check_group_key(c, st, false, true)) return;
  StreamValue* s = st.get();
  StreamGroup* g = s->group(c.arg(3));
  int64_t pending = 0;
  if (s->consumer(*g, c.arg(4))) {
    pending = static_cast<int64_t>(s->delete_consumer(*g, c.arg(4)));
    st.unwatched();
    c.notify(kNotifyStream, "xgroup-delconsumer", c.arg(2));
  }
  c.reply.integer(pending);
}

void cmd_xgroup_help(CmdCtx& c) {
  static const char* lines[] = {"XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                                "CREATE <key> <groupname> <id|$> [option]",
                                "    Create a new consumer group. Options are:",
                                "    * MKSTREAM",
                                "      Create the empty stream if it does not exist.",
                                "    * ENTRIESREAD entries_read",
                                "      Set the group's entries_read counter (internal use).",
                                "CREATECONSUMER <key> <groupname> <consumer>",
                                "    Create a new consumer in the specified group.",
                                "DELCONSUMER <key> <groupname> <consumer>",
                                "    Remove the specified consumer.",
                                "DESTROY <key> <groupname>",
                                "    Remove the specified group.",
                                "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
                                "    Set the current group ID and entries_read counter.",
                                "HELP",
                                "    Print this help."};
  c.reply.array(std::size(lines));
  for (const char* l : lines) c.reply.simple(l);
}

void cmd_xack(CmdCtx& c) {
  Streams st(c, c.arg(1), Type::kStream);
  if (st.wrong_type()) return c.error(Err::kWrongType);
  StreamValue* s = st.get();
  StreamGroup* g = s ? s->group(c.arg(2)) : nullptr;
  if (!g) return c.reply.integer(0);
  // All IDs are checked first: once some are acknowledged the reply can no longer be an error.
  thread_local std::vector<StreamID> ids;
  ids.resize(c.argc() - 3);
  for (size_t j = 3; j < c.argc(); j++) {
    if (!parse_id_or_reply(c, c.arg(j), &ids[j - 3], 0, true)) return;
  }
  int64_t acked = 0;
  for (const StreamID& id : ids) acked += s->ack(*g, id) ? 1 : 0;
  if (acked) st.unwatched();
  c.reply.integer(acked);
}

void cmd_xpending(CmdCtx& c) {
  bool justinfo = c.argc() == 3;
  if (c.argc() != 3 && (c.argc() < 6 || c.argc() > 9)) return c.error(Err::kSyntax);
  StreamID start, end;
  int64_t count = 0, minidle = 0;
  std::string_view consumer_name;
  bool has_consumer = false;
  if (c.argc() >= 6) {
    size_t at = 3;
    if (iequals(c.arg(3), "idle")) {
      if (!parse_int(c.arg(4), &minidle)) return c.error(Err::kNotInt);
      if (c.argc() < 8) return c.error(Err::kSyntax);
      at += 2;
    }
    if (!parse_int(c.arg(at + 2), &count)) return c.error(Err::kNotInt);
    if (count < 0) count = 0;
    if (!parse_range_bound(c, c.arg(at), true, &start)) return;
    if (!parse_range_bound(c, c.arg(at + 1), false, &end)) return;
    if (at + 3 < c.argc()) {
      consumer_name = c.arg(at + 3);
      has_consumer = true;
    }
  }
  Streams st(c, c.arg(1), Type::kStream, Access::kRead);
  if (st.wrong_type()) return c.error(Err::kWrongType);
  StreamValue* s = st.get();
  StreamGroup* g = s ? s->group(c.arg(2)) : nullptr;
  if (!g) return c.error(nogroup_error(c.arg(1), c.arg(2)));

  if (justinfo) {
    c.reply.array(4);
    c.reply.integer(static_cast<int64_t>(g->pel.size()));
    if (g->pel.empty()) {
      c.reply.null();
      c.reply.null();
      c.reply.null_array();
      return;
    }
    reply_stream_id(c.reply, g->pel.begin()->first);
    reply_stream_id(c.reply, g->pel.rbegin()->first);
    size_t with = 0;
    for (const auto& [name, con] : g->consumers) with += con->pel.empty() ? 0 : 1;
    c.reply.array(with);
    for (const auto& [name, con] : g->consumers) {
      if (con->pel.empty()) continue;
      c.reply.array(2);
      c.reply.bulk(name);
      char buf[24];
      int n = std::snprintf(buf, sizeof buf, "%zu", con->pel.size());
      c.reply.bulk(std::string_view(buf, static_cast<size_t>(n)));
    }
    return;
  }

  StreamConsumer* con = nullptr;
  if (has_consumer) {
    con = s->consumer(*g, consumer_name);
    if (!con) return c.reply.array(0);
  }
  int64_t now = c.op.now_ms;
  thread_local std::vector<std::pair<StreamID, const storage::StreamNack*>> out;
  out.clear();
  auto take = [&](const StreamID& id, const storage::StreamNack& nack) {
    if (minidle && now - nack.delivery_time < minidle) return;
    out.emplace_back(id, &nack);
    count--;
  };
  if (con) {
    for (auto it = con->pel.lower_bound(start); count && it != con->pel.end() && *it <= end; ++it)
      take(*it, g->pel.find(*it)->second);
  } else {
    for (auto it = g->pel.lower_bound(start); count && it != g->pel.end() && it->first <= end; ++it)
      take(it->first, it->second);
  }
  c.reply.array(out.size());
  for (const auto& [id, nack] : out) {
    c.reply.array(4);
    reply_stream_id(c.reply, id);
    c.reply.bulk(nack->consumer ? std::string_view(nack->consumer->name) : std::string_view());
    int64_t elapsed = now - nack->delivery_time;
    c.reply.integer(elapsed < 0 ? 0 : elapsed);
    c.reply.integer(static_cast<int64_t>(nack->delivery_count));
  }
}

namespace {

// The reply of XCLAIM and XAUTOCLAIM for claimed IDs: the IDs (JUSTID) or the entries.
void reply_claimed(CmdCtx& c, const StreamValue& s, const std::vector<StreamID>& ids, bool justid) {
  c.reply.array(ids.size());
  for (const StreamID& id : ids) {
    if (justid) {
      reply_stream_id(c.reply, id);
    } else {
      s.range(id, id, 1, false, [&](const StreamEntry& e) {
        reply_stream_entry(c.reply, e);
        return false;
      });
    }
  }
}

}  // namespace

void cmd_xclaim(CmdCtx& c) {
  Streams st(c, c.arg(1), Type::kStream);
  if (st.wrong_type()) return c.error(Err::kWrongType);
  StreamValue* s = st.get();
  StreamGroup* g = s ? s->group(c.arg(2)) : nullptr;
  if (!g) return c.error(nogroup_error(c.arg(1), c.arg(2)));
  int64_t minidle;
  if (!parse_int(c.arg(4), &minidle)) return c.error(Err::kStreamClaimMinIdle);
  if (minidle < 0) minidle = 0;

  thread_local std::vector<StreamID> ids;
  ids.clear();
  size_t j = 5;
  for (; j < c.argc(); j++) {
    StreamID id;
    if (!storage::parse_stream_id(c.arg(j), &id, 0, true)) break;
    ids.push_back(id);
  }
  int64_t now = c.op.now_ms;
  int64_t retrycount = -1, deliverytime = -1;
  bool force = false, justid = false;
  StreamID last_id;
  for (; j < c.argc(); j++) {
    bool more = j + 1 < c.argc();
    std::string_view opt = c.arg(j);
    if (iequals(opt, "force")) {
      force = true;
    } else if (iequals(opt, "justid")) {
      justid = true;
    } else if (iequals(opt, "idle") && more) {
      if (!parse_int(c.arg(++j), &deliverytime)) return c.error(Err::kStreamClaimIdle);
      deliverytime = now - deliverytime;
    } else if (iequals(opt, "time") && more) {
      if (!parse_int(c.arg(++j), &deliverytime)) return c.error(Err::kStreamClaimTime);
    } else if (iequals(opt, "retrycount") && more) {
      if (!parse_int(c.arg(++j), &retrycount)) return c.error(Err::kStreamClaimRetry);
    } else if (iequals(opt, "lastid") && more) {
      if (!parse_id_or_reply(c, c.arg(++j), &last_id, 0, true)) return;
    } else {
      return c.error(xclaim_option_error(opt));
    }
  }
  if (last_id > g->last_id) g->last_id = last_id;
  if (deliverytime != -1) {
    // A bogus time is taken as now rather than refused (clients compute it from their clock).
    if (deliverytime < 0 || deliverytime > now) deliverytime = now;
  } else {
    deliverytime = now;
  }

  StreamConsumer* con = nullptr;
  thread_local std::vector<StreamID> claimed;
  claimed.clear();
  for (const StreamID& id : ids) {
    auto it = g->pel.find(id);
    if (!s->contains(id)) {
      if (it != g->pel.end()) s->drop_nack(*g, it);  // the entry is gone: so is its NACK
      continue;
    }
    if (force && it == g->pel.end()) it = s->force_nack(*g, id);
    if (it == g->pel.end()) continue;
    storage::StreamNack& nack = it->second;
    if (nack.consumer && minidle && now - nack.delivery_time < minidle) continue;
    if (!con) con = lookup_or_create_consumer(c, *s, *g, c.arg(3), c.arg(1));
    nack.delivery_time = deliverytime;
    if (retrycount >= 0)
      nack.delivery_count = static_cast<uint64_t>(retrycount);
    else if (!justid)
      nack.delivery_count++;
    s->move_nack(*g, it, *con);
    claimed.push_back(id);
  }
  st.unwatched();
  reply_claimed(c, *s, claimed, justid);
}

void cmd_xautoclaim(CmdCtx& c) {
  int64_t minidle;
  if (!parse_int(c.arg(4), &minidle)) return c.error(Err::kStreamAutoclaimMinIdle);
  if (minidle < 0) minidle = 0;
  StreamID start;
  if (!parse_range_bound(c, c.arg(5), true, &start)) return;
  int64_t count = 100;
  bool justid = false;
  for (size_t j = 6; j < c.argc(); j++) {
    bool more = j + 1 < c.argc();
    if (iequals(c.arg(j), "count") && more) {
      constexpr int64_t kMaxCount = INT64_MAX / 16;  // Redis: LONG_MAX / sizeof(streamID)
      if (!parse_int(c.arg(j + 1), &count) || count < 1 || count > kMaxCount)
        return c.error(Err::kCountAboveZero);
      j++;
    } else if (iequals(c.arg(j), "justid")) {
      justid = true;
    } else {
      return c.error(Err::kSyntax);
    }
  }
  Streams st(c, c.arg(1), Type::kStream);
  if (st.wrong_type()) return c.error(Err::kWrongType);
  StreamValue* s = st.get();
  StreamGroup* g = s ? s->group(c.arg(2)) : nullptr;
  if (!g) return c.error(nogroup_error(c.arg(1), c.arg(2)));

  int64_t now = c.op.now_ms;
  int64_t attempts = count > INT64_MAX / 10 ? INT64_MAX : count * 10;
  StreamConsumer* con = nullptr;
  thread_local std::vector<StreamID> claimed, deleted;
  claimed.clear();
  deleted.clear();
  auto it = g->pel.lower_bound(start);
  while (attempts > 0 && count > 0 && it != g->pel.end()) {
    attempts--;
    StreamID id = it->first;
    if (!s->contains(id)) {
      auto next = std::next(it);
      s->drop_nack(*g, it);
      it = next;
      deleted.push_back(id);
      count--;
      continue;
    }
    storage::StreamNack& nack = it->second;
    if (minidle && now - nack.delivery_time < minidle) {
      ++it;
      continue;
    }
    if (!con) con = lookup_or_create_consumer(c, *s, *g, c.arg(3), c.arg(1));
    nack.delivery_time = now;
    if (!justid) nack.delivery_count++;
    s->move_nack(*g, it, *con);
    claimed.push_back(id);
    count--;
    ++it;
  }
  st.unwatched();
  c.reply.array(3);
  reply_stream_id(c.reply, it == g->pel.end() ? StreamID::min() : it->first);
  reply_claimed(c, *s, claimed, justid);
  c.reply.array(deleted.size());
  for (const StreamID& id : deleted) reply_stream_id(c.reply, id);
}

}  // namespace respite::server
