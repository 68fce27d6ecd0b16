// XREAD and XREADGROUP: reading new entries from several streams, as a plain reader (entries after
// a given ID, `$` meaning "after the last one now") or as a consumer of a group (`>`: entries never
// delivered to the group, which then become the consumer's pending entries; an explicit ID: the
// consumer's own pending history). With BLOCK, a call that finds nothing waits (blocking.h): any
// XADD to one of its keys, from any worker, runs the handler again for that key only.
//
// What Redis records when a client blocks, this records in the arguments it will run with: `$`
// is rewritten into the stream's last ID at that moment; `>` stays, because the group's last ID
// moves while the client waits (other consumers are served first). A blocked XREADGROUP whose
// key disappears or stops being a stream is answered with Redis's UNBLOCKED error, and one whose
// group was destroyed with NOGROUP, when the key is next signalled.
#include <string>
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

// Redis serves a client blocked without COUNT at most this many entries at a time.
constexpr int64_t kBlockedDefaultCount = 1000;

struct ReadArgs {
  bool group = false;  // XREADGROUP
  bool block = false;
  int64_t deadline = 0;
  int64_t count = 0;  // 0: no limit
  bool noack = false;
  std::string_view group_name, consumer;
  size_t streams_at = 0, nstreams = 0;
};

// Options up to STREAMS, in Redis's order; false once it replied an error.
bool parse_read_options(CmdCtx& c, bool xreadgroup, ReadArgs* a) {
  a->group = xreadgroup;
  for (size_t i = 1; i < c.argc(); i++) {
    size_t more = c.argc() - i - 1;
    std::string_view o = c.arg(i);
    if (iequals(o, "block") && more) {
      if (c.conn.in_script) {
        c.error(block_in_script_error(c.arg(0)));
        return false;
      }
      int64_t ms;
      if (!parse_int(c.arg(++i), &ms)) {
        c.error(Err::kTimeoutNotInt);
        return false;
      }
      if (ms < 0) {
        c.error(Err::kTimeoutNegative);
        return false;
      }
      a->block = true;
      a->deadline = ms > 0 ? (ms > INT64_MAX - c.op.now_ms ? INT64_MAX : c.op.now_ms + ms) : 0;
    } else if (iequals(o, "count") && more) {
      if (!parse_int(c.arg(++i), &a->count)) {
        c.error(Err::kNotInt);
        return false;
      }
      if (a->count < 0) a->count = 0;
    } else if (iequals(o, "streams") && more) {
      a->streams_at = i + 1;
      size_t n = c.argc() - a->streams_at;
      if (n % 2) {
        c.error(Err::kStreamUnbalanced);
        return false;
      }
      a->nstreams = n / 2;
      break;
    } else if (iequals(o, "group") && more >= 2) {
      if (!xreadgroup) {
        c.error(Err::kStreamGroupOnlyXreadgroup);
        return false;
      }
      a->group_name = c.arg(i + 1);
      a->consumer = c.arg(i + 2);
      i += 2;
    } else if (iequals(o, "noack")) {
      if (!xreadgroup) {
        c.error(Err::kStreamNoackOnlyXreadgroup);
        return false;
      }
      a->noack = true;
    } else {
      c.error(Err::kSyntax);
      return false;
    }
  }
  if (a->streams_at == 0) {
    c.error(Err::kSyntax);
    return false;
  }
  if (xreadgroup && a->group_name.data() == nullptr) {
    c.error(Err::kStreamMissingGroup);
    return false;
  }
  return true;
}

std::string_view key_at(CmdCtx& c, const ReadArgs& a, size_t i) {
  return c.arg(a.streams_at + i);
}
std::string_view id_at(CmdCtx& c, const ReadArgs& a, size_t i) {
  return c.arg(a.streams_at + a.nstreams + i);
}

// The entries a reply carries, gathered first (the array's length comes first).
std::vector<StreamEntry>& scratch() {
  thread_local std::vector<StreamEntry> v;
  v.clear();
  return v;
}

// One stream's part of the reply: the key, then its entries.
void reply_stream_part(CmdCtx& c, std::string_view key, const std::vector<StreamEntry>& v) {
  if (c.reply.resp() != 3) c.reply.array(2);
  c.reply.bulk(key);
  c.reply.array(v.size());
  for (const StreamEntry& e : v) reply_stream_entry(c.reply, e);
}

// Entries after gt (up to count), delivered to the group's consumer when there is a group.
void collect_new(CmdCtx& c, StreamValue& s, StreamID gt, size_t count, StreamGroup* g,
                 StreamConsumer* con, bool noack, std::vector<StreamEntry>* out) {
  StreamID start = gt;
  start.incr();
  s.range(start, StreamID::max(), count, false, [&](const StreamEntry& e) {
    out->push_back(e);
    return true;
  });
  if (!g) return;
  for (const StreamEntry& e : *out) {
    if (e.id > g->last_id) s.advance_group(*g, e.id);
    if (!noack) s.deliver(*g, *con, e.id, c.op.now_ms);
  }
}

// XREADGROUP with an explicit ID: the consumer's pending entries after it, each delivered again;
// an entry deleted meanwhile shows as its ID with a null.
void reply_history(CmdCtx& c, std::string_view key, StreamValue& s, StreamGroup& g,
                   StreamConsumer& con, StreamID gt, size_t count) {
  StreamID start = gt;
  start.incr();
  thread_local std::vector<StreamID> ids;
  ids.clear();
  for (auto it = con.pel.lower_bound(start); it != con.pel.end() && (!count || ids.size() < count);
       ++it)
    ids.push_back(*it);
  if (c.reply.resp() != 3) c.reply.array(2);
  c.reply.bulk(key);
  c.reply.array(ids.size());
  for (const StreamID& id : ids) {
    bool found = false;
    s.range(id, id, 1, false, [&](const StreamEntry& e) {
      reply_stream_entry(c.reply, e);
      found = true;
      return false;
    });
    if (found) {
      storage::StreamNack& nack = g.pel.find(id)->second;
      nack.delivery_time = c.op.now_ms;
      nack.delivery_count++;
    } else {
      c.reply.array(2);
      reply_stream_id(c.reply, id);
      c.reply.null_array();
    }
  }
}

StreamConsumer* consumer_of(CmdCtx& c, StreamValue& s, StreamGroup& g, std::string_view name,
                            std::string_view key) {
  if (StreamConsumer* con = s.consumer(g, name)) {
    con->seen_time = c.op.now_ms;
    return con;
  }
  StreamConsumer* con = s.create_consumer(g, name, c.op.now_ms);
  c.notify(kNotifyStream, "xgroup-createconsumer", key);
  return con;
}

// A blocked client runs again for the one key that was signalled (served_key).
void serve_blocked(CmdCtx& c, const ReadArgs& a) {
  std::string_view key = served_key(c);
  size_t idx = 0;
  while (idx < a.nstreams && key_at(c, a, idx) != key) idx++;
  if (idx == a.nstreams) return block_client(c, {}, a.deadline);
  Streams st(c, key, Type::kStream);
  StreamValue* s = st.get();
  if (!s) {
    // Redis answers blocked group readers once their stream is gone; plain readers wait on.
    if (a.group) return c.error(Err::kStreamKeyGone);
    return block_client(c, {}, a.deadline);
  }
  StreamGroup* g = nullptr;
  StreamID gt;
  if (a.group) {
    g = s->group(a.group_name);
    if (!g) return c.error(Err::kStreamGroupGone);
    gt = g->last_id;
  } else {
    storage::parse_stream_id(id_at(c, a, idx), &gt, 0, true);
  }
  StreamID last;
  if (!s->last_live(&last) || last <= gt) return block_client(c, {}, a.deadline);
  size_t count = static_cast<size_t>(a.count ? a.count : kBlockedDefaultCount);
  StreamConsumer* con = g ? consumer_of(c, *s, *g, a.consumer, key) : nullptr;
  std::vector<StreamEntry>& v = scratch();
  collect_new(c, *s, gt, count, g, con, a.noack, &v);
  if (g) st.unwatched();
  if (c.reply.resp() == 3)
    c.reply.map(1);
  else
    c.reply.array(1);
  reply_stream_part(c, key, v);
}

void read_generic(CmdCtx& c, bool xreadgroup) {
  ReadArgs a;
  if (!parse_read_options(c, xreadgroup, &a)) return;
  if (serving_blocked(c)) return serve_blocked(c, a);

  storage::Keyspace& ks = c.db();
  storage::MultiLock lock;
  for (size_t i = 0; i < a.nstreams; i++) lock.add_key(ks, key_at(c, a, i));
  lock.lock();

  // Check every key and ID before serving any (Redis's order: type, group, then the ID).
  thread_local std::vector<StreamID> ids;
  ids.assign(a.nstreams, StreamID());
  bool any_dollar = false;
  for (size_t i = 0; i < a.nstreams; i++) {
    Streams st(c, ks, key_at(c, a, i), Type::kStream, AlreadyLocked{}, Access::kRead);
    if (st.wrong_type()) return c.error(Err::kWrongType);
    StreamValue* s = st.get();
    if (a.group && (!s || !s->group(a.group_name)))
      return c.error(nogroup_xreadgroup_error(key_at(c, a, i), a.group_name));
    std::string_view id = id_at(c, a, i);
    if (id == "$") {
      if (a.group) return c.error(Err::kStreamDollarInGroup);
      ids[i] = s ? s->last_id() : StreamID::min();
      any_dollar = true;
    } else if (id == ">") {
      if (!a.group) return c.error(Err::kStreamGreaterOutsideGroup);
      ids[i] = StreamID::max();
    } else if (!parse_id_or_reply(c, id, &ids[i], 0, true)) {
      return;
    }
  }

  // Which streams can serve now, and from which ID (history: the consumer's pending entries).
  // Decided before anything is written, because the reply's length comes first; the keys stay
  // locked, so the decision holds while the parts are written.
  enum Serve : uint8_t { kNo, kNew, kHistory };
  thread_local std::vector<Serve> serve;
  serve.assign(a.nstreams, kNo);
  size_t served = 0;
  for (size_t i = 0; i < a.nstreams; i++) {
    Streams st(c, ks, key_at(c, a, i), Type::kStream, AlreadyLocked{});
    StreamValue* s = st.get();
    if (!s) continue;
    StreamGroup* g = a.group ? s->group(a.group_name) : nullptr;
    StreamID last;
    bool has_last = s->entries() > 0 && s->last_live(&last);
    if (g && ids[i] != StreamID::max()) {
      serve[i] = kHistory;
    } else if (g) {
      // The same key named again reads after what its first mention delivers (the group moves).
      StreamID from = g->last_id;
      for (size_t j = 0; j < i; j++) {
        if (serve[j] == kNew && key_at(c, a, j) == key_at(c, a, i)) from = ids[j];
      }
      if (!has_last || last <= from) continue;
      StreamID start = from;
      start.incr();
      s->range(start, StreamID::max(), static_cast<size_t>(a.count), false,
               [&](const StreamEntry& e) {
                 ids[i] = e.id;  // where the group will stand after this part
                 return true;
               });
      serve[i] = kNew;
    } else {
      if (!has_last || last <= ids[i]) continue;
      serve[i] = kNew;
    }
    served++;
  }
  if (served) {
    if (c.reply.resp() == 3)
      c.reply.map(served);
    else
      c.reply.array(served);
    for (size_t i = 0; i < a.nstreams; i++) {
      if (serve[i] == kNo) continue;
      std::string_view key = key_at(c, a, i);
      Streams st(c, ks, key, Type::kStream, AlreadyLocked{});
      StreamValue* s = st.get();
      StreamGroup* g = a.group ? s->group(a.group_name) : nullptr;
      StreamConsumer* con = g ? consumer_of(c, *s, *g, a.consumer, key) : nullptr;
      if (serve[i] == kHistory) {
        reply_history(c, key, *s, *g, *con, ids[i], static_cast<size_t>(a.count));
      } else {
        // A group reads after its last ID as it stands now (ids[i] holds where it will end).
        StreamID gt = g ? g->last_id : ids[i];
        std::vector<StreamEntry>& v = scratch();
        collect_new(c, *s, gt, static_cast<size_t>(a.count), g, con, a.noack, &v);
        reply_stream_part(c, key, v);
      }
      if (g) st.unwatched();
    }
    return;
  }
  if (!a.block) return c.reply.null_array();
  lock.unlock();
  std::vector<std::string_view> keys;
  keys.reserve(a.nstreams);
  for (size_t i = 0; i < a.nstreams; i++) keys.push_back(key_at(c, a, i));
  if (!any_dollar) return block_client(c, keys, a.deadline);
  // `$` becomes the ID it stood for now, so that the wait is for entries after it.
  std::vector<std::string> argv(c.argv.begin(), c.argv.end());
  for (size_t i = 0; i < a.nstreams; i++) {
    if (id_at(c, a, i) != "$") continue;
    char buf[StreamID::kMaxText];
    argv[a.streams_at + a.nstreams + i].assign(buf, ids[i].format(buf));
  }
  block_client(c, keys, a.deadline, &argv);
}

}  // namespace

void cmd_xread(CmdCtx& c) {
  read_generic(c, false);
}

void cmd_xreadgroup(CmdCtx& c) {
  read_generic(c, true);
}

}  // namespace respite::server
