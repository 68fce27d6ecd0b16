// CLIENT LIST's line and the client classes; see client_info.h.
#include "server/client_info.h"

#include "server/ascii.h"
#include "server/command.h"
#include "server/connection.h"
#include "server/tracking.h"

namespace respite::server {

namespace {

void field(std::string& s, const char* name, std::string_view v) {
  s += ' ';
  s += name;
  s += '=';
  s += v;
}
void field(std::string& s, const char* name, int64_t v) {
  field(s, name, std::string_view(std::to_string(v)));
}

}  // namespace

std::string client_info_line(const Connection& k, int64_t now_ms, bool live, size_t live_qbuf,
                             size_t live_argv_mem) {
  const auto rx = std::memory_order_relaxed;
  const Command* cmd = k.last_cmd.load(rx);
  int64_t age = (now_ms - k.created_ms) / 1000;
  int64_t idle = live ? 0 : (now_ms - k.last_active_ms.load(rx)) / 1000;
  const Connection::Shown& sh = k.shown;
  const Connection::Rare* r = k.rare_if();
  const int sub = r ? r->sub_shown.load(rx) : 0, psub = r ? r->psub_shown.load(rx) : 0,
            ssub = r ? r->ssub_shown.load(rx) : 0;
  const uint32_t state = sh.state.load(rx);
  const int64_t multi = sh.multi.load(rx);
  // In Redis's order: O (monitor), P (pubsub), x (in MULTI), b (blocked or paused), t R B
  // (tracking, broken redirect, BCAST), d (watched key changed), c (closing after the reply), U
  // (unix socket), e (no-evict), T (no-touch, 7.2); N for none.
  std::string flags;
  if (k.monitoring.load(rx)) flags += 'O';
  if (sub + psub + ssub > 0) flags += 'P';
  if (multi >= 0) flags += 'x';
  if (k.blocked_shown.load(rx)) flags += 'b';
  uint32_t tf = k.tracking_shown.load(rx);
  if (tf & kTrackOn) flags += 't';
  if (tf & kTrackBrokenRedir) flags += 'R';
  if (tf & kTrackBcast) flags += 'B';
  if (state & Connection::kShownDirty) flags += 'd';
  if (state & Connection::kShownCloseAfterReply) flags += 'c';
  if (k.is_unix) flags += 'U';
  if (k.no_evict.load(rx)) flags += 'e';
  if (k.no_touch.load(rx)) flags += 'T';
  if (flags.empty()) flags = "N";
  std::string events;
  if (!(state & Connection::kShownReadPaused)) events += 'r';
  if (state & Connection::kShownWriting) events += 'w';
  const uint64_t omem = sh.omem.load(rx);
  // respite's output is a chain of 16 KiB blocks (protocol/output_buffer.h) with no separate
  // static buffer: obl (Redis's static buffer bytes) is 0, oll counts the blocks omem spans, rbs
  // is the block size.
  const uint64_t block = protocol::OutputBuffer::kBlockSize;
  std::string s;
  s.reserve(320);
  s += "id=" + std::to_string(k.id);
  field(s, "addr", k.addr);
  field(s, "laddr", k.laddr);
  field(s, "fd", k.fd);
  field(s, "name", k.client_name());
  field(s, "age", age < 0 ? 0 : age);
  field(s, "idle", idle < 0 ? 0 : idle);
  field(s, "flags", flags);
  field(s, "db", k.db_shown.load(rx));
  field(s, "sub", sub);
  field(s, "psub", psub);
  field(s, "ssub", ssub);
  field(s, "multi", multi);
  field(s, "qbuf", static_cast<int64_t>(live ? live_qbuf : sh.qbuf.load(rx)));
  field(s, "qbuf-free", static_cast<int64_t>(sh.qbuf_free.load(rx)));
  field(s, "argv-mem", static_cast<int64_t>(live ? live_argv_mem : 0));
  field(s, "multi-mem", static_cast<int64_t>(sh.multi_mem.load(rx)));
  field(s, "rbs", static_cast<int64_t>(block));
  field(s, "rbp", static_cast<int64_t>(omem ? block : 0));
  field(s, "obl", 0);
  field(s, "oll", static_cast<int64_t>((omem + block - 1) / block));
  field(s, "omem", static_cast<int64_t>(omem));
  field(s, "tot-mem", static_cast<int64_t>(sh.tot_mem.load(rx)));
  field(s, "events", events);
  field(s, "cmd", cmd ? std::string_view(cmd->name) : std::string_view("NULL"));
  field(s, "user", k.user_name());
  field(s, "redir", r ? r->redir_shown.load(rx) : -1);
  field(s, "resp", k.resp_shown.load(rx));
  field(s, "lib-name", r ? std::string_view(r->lib_name) : std::string_view());
  field(s, "lib-ver", r ? std::string_view(r->lib_ver) : std::string_view());
  return s;
}

bool parse_client_type(std::string_view t, ClientType* out) {
  if (iequals(t, "normal"))
    *out = ClientType::kNormal;
  else if (iequals(t, "pubsub"))
    *out = ClientType::kPubsub;
  else if (iequals(t, "master") || iequals(t, "replica") || iequals(t, "slave"))
    *out = ClientType::kNone;
  else
    return false;
  return true;
}

bool client_type_matches(ClientType t, const Connection& k) {
  const auto rx = std::memory_order_relaxed;
  const Connection::Rare* r = k.rare_if();
  bool pubsub = r && r->sub_shown.load(rx) + r->psub_shown.load(rx) + r->ssub_shown.load(rx) > 0;
  switch (t) {
    case ClientType::kAny:
      return true;
    case ClientType::kNormal:
      return !pubsub;
    case ClientType::kPubsub:
      return pubsub;
    case ClientType::kNone:
      return false;
  }
  return false;
}

}  // namespace respite::server
