// What the three stream command files share (streams.cpp: entries; stream_groups.cpp: consumer
// groups; stream_read.cpp: XREAD and XREADGROUP): ID parsing with Redis's error replies, the reply
// of an ID and of an entry, the node limits from the live config, and the handlers that
// streams.cpp registers.
#pragma once

#include <string_view>

#include "server/collection.h"
#include "server/context.h"
#include "storage/stream_value.h"

namespace respite::server {

using Streams = Collection<storage::StreamValue>;

inline storage::StreamValue::Limits stream_limits(const Server& s) {
  return {static_cast<size_t>(s.config.stream_node_max_bytes.load(std::memory_order_relaxed)),
          s.config.stream_node_max_entries.load(std::memory_order_relaxed)};
}

inline void reply_stream_id(protocol::ReplyWriter& r, storage::StreamID id) {
  char buf[storage::StreamID::kMaxText];
  r.bulk(std::string_view(buf, id.format(buf)));
}

// [id, [field, value, ...]]
inline void reply_stream_entry(protocol::ReplyWriter& r, const storage::StreamEntry& e) {
  r.array(2);
  reply_stream_id(r, e.id);
  r.array(e.pairs() * 2);
  e.for_each([&](std::string_view f, std::string_view v) {
    r.bulk(f);
    r.bulk(v);
  });
}

// Redis's streamParseIDOrReply / streamParseStrictIDOrReply.
inline bool parse_id_or_reply(CmdCtx& c, std::string_view arg, storage::StreamID* id,
                              uint64_t missing_seq, bool strict, bool* seq_given = nullptr) {
  if (storage::parse_stream_id(arg, id, missing_seq, strict, seq_given)) return true;
  c.error(Err::kStreamInvalidId);
  return false;
}

// A range bound: "(" makes it exclusive (then "-" and "+" are invalid), and the bound moves to the
// next (start) or previous (end) ID, with Redis's errors when there is none.
inline bool parse_range_bound(CmdCtx& c, std::string_view arg, bool is_start,
                              storage::StreamID* id) {
  bool excl = arg.size() > 1 && arg[0] == '(';
  if (excl) arg.remove_prefix(1);
  if (!parse_id_or_reply(c, arg, id, is_start ? 0 : UINT64_MAX, excl)) return false;
  if (excl && !(is_start ? id->incr() : id->decr())) {
    c.error(is_start ? Err::kStreamInvalidStart : Err::kStreamInvalidEnd);
    return false;
  }
  return true;
}

// Handlers defined in stream_groups.cpp and stream_read.cpp.
void cmd_xgroup_create(CmdCtx& c);
void cmd_xgroup_setid(CmdCtx& c);
void cmd_xgroup_destroy(CmdCtx& c);
void cmd_xgroup_createconsumer(CmdCtx& c);
void cmd_xgroup_delconsumer(CmdCtx& c);
void cmd_xgroup_help(CmdCtx& c);
void cmd_xack(CmdCtx& c);
void cmd_xpending(CmdCtx& c);
void cmd_xclaim(CmdCtx& c);
void cmd_xautoclaim(CmdCtx& c);
void cmd_xread(CmdCtx& c);
void cmd_xreadgroup(CmdCtx& c);

}  // namespace respite::server
