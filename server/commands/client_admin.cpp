// CLIENT LIST, INFO, KILL, PAUSE, UNPAUSE and MONITOR: the commands that see or act on clients of
// every worker. They read other workers' clients through the server's registry (under its mutex,
// through the connections' atomics and Shown copies), and act on them only through their own
// worker's inbox: a kill is carried out by the victim's worker, never by the caller's thread.
#include "server/commands/client_admin.h"

#include <algorithm>
#include <climits>
#include <string>

#include "server/acl.h"
#include "server/client_info.h"
#include "server/client_pause.h"
#include "server/context.h"
#include "server/monitor.h"
#include "server/multi.h"

namespace respite::server {

namespace {

// The caller's own line: its query buffer holds the command being run, as Redis counts it.
std::string own_line(CmdCtx& c) {
  size_t argv_mem = 0;
  for (std::string_view a : c.argv) argv_mem += a.size();
  c.conn.refresh_shown();
  return client_info_line(c.conn, c.op.now_ms, true, c.conn.current_command_bytes(), argv_mem);
}

void cmd_client_info(CmdCtx& c) {
  std::lock_guard<std::mutex> lock(c.server.clients_mu);
  c.reply.verbatim(own_line(c) + "\n");
}

void cmd_client_list(CmdCtx& c) {
  std::vector<uint64_t> ids;
  bool by_id = false;
  ClientType type = ClientType::kAny;
  for (size_t j = 2; j < c.argc(); j++) {
    if (iequals(c.arg(j), "type") && j + 1 < c.argc()) {
      std::string_view t = c.arg(++j);
      if (!parse_client_type(t, &type)) return c.error(unknown_client_type_error(t));
    } else if (iequals(c.arg(j), "id") && j + 1 < c.argc()) {
      by_id = true;
      for (j++; j < c.argc(); j++) {
        int64_t id;
        if (!parse_int(c.arg(j), &id) || id < 1) return c.error(Err::kInvalidClientId);
        ids.push_back(static_cast<uint64_t>(id));
      }
    } else {
      return c.error(Err::kSyntax);
    }
  }
  std::string out;
  std::lock_guard<std::mutex> lock(c.server.clients_mu);
  std::vector<const Connection*> list;
  if (by_id) {  // in the order asked, each once, as Redis
    for (uint64_t id : ids) {
      auto it = c.server.clients.find(id);
      if (it == c.server.clients.end()) continue;
      if (std::find(list.begin(), list.end(), it->second) != list.end()) continue;
      if (client_type_matches(type, *it->second)) list.push_back(it->second);
    }
  } else {
    for (auto& [id, k] : c.server.clients)
      if (client_type_matches(type, *k)) list.push_back(k);
    std::sort(list.begin(), list.end(), [](auto* a, auto* b) { return a->id < b->id; });
  }
  out.reserve(list.size() * 320);
  for (const Connection* k : list) {
    out += k == &c.conn ? own_line(c) : client_info_line(*k, c.op.now_ms, false);
    out += '\n';
  }
  c.reply.verbatim(out);
}

// Asks the worker that owns a client to close it (after the reply if it is the caller itself,
// as Redis does).
void kill_client(CmdCtx& c, Connection* k) {
  if (k == &c.conn) {
    c.conn.close_after_reply();
    return;
  }
  // Release: pairs with the acquire in Connection::process, so that once this CLIENT KILL has
  // replied, the victim's worker runs no further command of it even before the close lands.
  k->kill_requested.store(true, std::memory_order_release);
  uint64_t id = k->id;
  k->worker->post([id](Worker& w) {
    Connection* target = nullptr;
    {
      std::lock_guard<std::mutex> lock(w.server->clients_mu);
      auto it = w.server->clients.find(id);
      if (it != w.server->clients.end() && it->second->worker == &w) target = it->second;
    }
    if (target) target->close();  // only this worker closes its clients: no race with its loop
  });
}

// CLIENT KILL addr:port (the old form, which may kill the caller) or CLIENT KILL with filters:
// ID, TYPE, ADDR, LADDR, USER, SKIPME, and Redis 7.4's MAXAGE; every filter given must match.
void cmd_client_kill(CmdCtx& c) {
  const bool old_form = c.argc() == 3;
  uint64_t id = 0;
  int64_t max_age = 0;
  std::string_view addr, laddr, user;
  bool skipme = !old_form, by_addr = old_form, by_laddr = false, by_user = false;
  ClientType type = ClientType::kAny;
  if (old_form) addr = c.arg(2);
  for (size_t j = 2; !old_form && j < c.argc(); j += 2) {
    if (j + 1 >= c.argc()) return c.error(Err::kSyntax);
    std::string_view o = c.arg(j), v = c.arg(j + 1);
    if (iequals(o, "id")) {
      int64_t x;
      if (!parse_int(v, &x) || x <= 0) return c.error(Err::kClientIdPositive);
      id = static_cast<uint64_t>(x);
    } else if (iequals(o, "type")) {
      if (!parse_client_type(v, &type)) return c.error(unknown_client_type_error(v));
    } else if (iequals(o, "addr")) {
      addr = v;
      by_addr = true;
    } else if (iequals(o, "laddr")) {
      laddr = v;
      by_laddr = true;
    } else if (iequals(o, "user")) {
      if (!c.server.acl.get(v)) return c.error(no_such_user_error(v));
      user = v;
      by_user = true;
    } else if (iequals(o, "skipme")) {
      if (iequals(v, "yes"))
        skipme = true;
      else if (iequals(v, "no"))
        skipme = false;
      else
        return c.error(Err::kSyntax);
    } else if (iequals(o, "maxage")) {
      if (!parse_int(v, &max_age)) return c.error(Err::kMaxAgeNotInt);
      if (max_age <= 0) return c.error(Err::kMaxAgePositive);
    } else {
      return c.error(Err::kSyntax);
    }
  }
  int64_t killed = 0;
  {
    std::lock_guard<std::mutex> lock(c.server.clients_mu);
    for (auto& [kid, k] : c.server.clients) {
      if (by_addr && k->addr != addr) continue;
      if (by_laddr && k->laddr != laddr) continue;
      if (!client_type_matches(type, *k)) continue;
      if (id != 0 && kid != id) continue;
      if (by_user && k->user_name() != user) continue;
      if (max_age != 0 && (c.op.now_ms - k->created_ms) / 1000 < max_age) continue;
      if (skipme && k == &c.conn) continue;
      kill_client(c, k);
      killed++;
    }
  }
  if (!old_form) return c.reply.integer(killed);
  if (killed == 0) return c.error(Err::kNoSuchClient);
  c.reply.ok();
}

// CLIENT PAUSE timeout [WRITE | ALL]: timeout in milliseconds from now (client_pause.h).
void cmd_client_pause(CmdCtx& c) {
  if (c.argc() > 4) return c.error(subcommand_syntax_error("client", c.arg(1)));
  ClientPause::Type type = ClientPause::kAll;
  if (c.argc() == 4) {
    if (iequals(c.arg(3), "write"))
      type = ClientPause::kWrite;
    else if (!iequals(c.arg(3), "all"))
      return c.error(Err::kPauseMode);
  }
  int64_t ms;
  if (!parse_int(c.arg(2), &ms)) return c.error(Err::kTimeoutNotInt);
  if (ms < 0) return c.error(Err::kTimeoutNegative);
  // 0 is a pause already over, as in Redis; a huge timeout saturates instead of wrapping.
  int64_t end = ms == 0 ? 0 : (ms > INT64_MAX - c.op.now_ms ? INT64_MAX : c.op.now_ms + ms);
  c.server.pause.pause(type, end, c.op.now_ms);
  c.reply.ok();
}

void cmd_client_unpause(CmdCtx& c) {
  c.server.pause.unpause();
  resume_all_postponed(c.server);
  c.reply.ok();
}

// MONITOR: from now on the client receives every command run (monitor.h). Inside EXEC it is
// refused as Redis refuses it to a client that must get one reply per command; a second MONITOR
// is ignored without a reply.
void cmd_monitor(CmdCtx& c) {
  if (executing_transaction(c.conn)) return c.error(Err::kMonitorDenyBlocking);
  if (c.conn.monitoring.load(std::memory_order_relaxed)) return;
  c.server.monitors.add(c.conn);
  c.reply.ok();
}

}  // namespace

void register_client_admin_commands(CommandTable& t, Command* client) {
  constexpr uint32_t C = kNoscript | kStale | kLoading;
  t.add_sub(client, {.name = "info",
                     .arity = 2,
                     .flags = C,
                     .fn = cmd_client_info,
                     .doc = {.summary = "Returns information about the current client connection.",
                             .since = "6.2.0"}});
  t.add_sub(
      client,
      {.name = "list",
       .arity = -2,
       .flags = C | kAdmin,
       .fn = cmd_client_list,
       .doc = {.summary = "Get the list of client connections",
               .syntax = "[TYPE NORMAL | MASTER | REPLICA | PUBSUB] [ID client-id [client-id ...]]",
               .since = "2.4.0",
               .complexity = "O(N)"}});
  t.add_sub(client,
            {.name = "kill",
             .arity = -3,
             .flags = C | kAdmin,
             .fn = cmd_client_kill,
             .doc = {.summary = "Kill the connection of a client",
                     .syntax = "ip:port | [ID client-id] [TYPE NORMAL | MASTER | SLAVE | REPLICA | "
                               "PUBSUB] [USER username] [ADDR ip:port] [LADDR ip:port] [SKIPME "
                               "yes/no] [MAXAGE maxage]",
                     .since = "2.4.0",
                     .complexity = "O(N)"}});
  t.add_sub(client, {.name = "pause",
                     .arity = -3,
                     .flags = C | kAdmin,
                     .fn = cmd_client_pause,
                     .doc = {.summary = "Stop processing commands from clients for some time",
                             .syntax = "timeout [WRITE | ALL]",
                             .since = "2.9.50"}});
  t.add_sub(client, {.name = "unpause",
                     .arity = 2,
                     .flags = C | kAdmin,
                     .fn = cmd_client_unpause,
                     .doc = {.summary = "Resume processing of clients that were paused",
                             .since = "6.2.0",
                             .complexity = "O(N) Where N is the number of paused clients"}});
  t.add({.name = "monitor",
         .arity = 1,
         .flags = kAdmin | kNoscript | kLoading | kStale,
         .fn = cmd_monitor,
         .doc = {.group = "server",
                 .summary = "Listen for all requests received by the server in real time"}});
}

}  // namespace respite::server
