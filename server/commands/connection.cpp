// The connection family: PING, ECHO, QUIT, HELLO, AUTH, SELECT and CLIENT. The CLIENT subcommands
// that see or act on other clients (LIST, INFO, KILL, PAUSE, UNPAUSE) and MONITOR live in
// client_admin.cpp.
#include <climits>
#include <string>

#include "server/acl.h"
#include "server/commands/client_admin.h"
#include "server/context.h"
#include "server/monitor.h"
#include "server/multi.h"
#include "server/pubsub.h"
#include "server/tracking.h"

namespace respite::server {

namespace {

void cmd_ping(CmdCtx& c) {
  if (c.argc() > 2) return c.arity_error();
  if (c.reply.resp() == 2 && c.conn.pubsub_mode()) {  // Redis's pubsub-mode form: [pong, arg]
    c.reply.array(2);
    c.reply.bulk("pong");
    c.reply.bulk(c.argc() == 2 ? c.arg(1) : std::string_view(""));
    return;
  }
  if (c.argc() == 2)
    c.reply.bulk(c.arg(1));
  else
    c.reply.simple("PONG");
}

void cmd_echo(CmdCtx& c) {
  c.reply.bulk(c.arg(1));
}

void cmd_quit(CmdCtx& c) {
  c.reply.ok();
  c.conn.close_after_reply();
}

// RESET: the connection as it was when it connected (Redis's clearClientConnectionState): no
// transaction and no watched keys, database 0, RESP2, no subscriptions, no tracking, replies on
// (its own reply is heard even after CLIENT REPLY OFF), NO-EVICT and NO-TOUCH off, no name, and
// unauthenticated when a password is set.
void cmd_reset(CmdCtx& c) {
  bool muted = c.conn.replies_muted();
  c.conn.reply_mode = Connection::ReplyMode::kOn;
  c.conn.no_evict.store(false, std::memory_order_relaxed);
  c.conn.no_touch.store(false, std::memory_order_relaxed);
  discard_transaction(c.conn);
  c.server.monitors.remove(c.conn);
  c.server.pubsub.unsubscribe_all(c.conn);
  c.server.tracking.disable(c.conn);
  c.conn.db = 0;
  c.conn.db_shown.store(0, std::memory_order_relaxed);
  c.reply.set_resp(2);
  c.conn.resp_shown.store(2, std::memory_order_relaxed);
  acl_attach_default(c.conn);  // the default user, authenticated only if it needs no password
  {
    std::lock_guard<std::mutex> lock(c.server.clients_mu);
    if (Connection::Rare* r = c.conn.rare_if()) r->name.clear();
  }
  protocol::ReplyWriter w(muted ? &c.conn.out : c.reply.output());
  w.simple("RESET");
}

void cmd_select(CmdCtx& c) {
  int64_t id;
  if (!parse_int(c.arg(1), &id) || id < INT_MIN || id > INT_MAX) return c.error(Err::kNotInt);
  if (id < 0 || id >= c.server.store.databases()) return c.error(Err::kDbIndex);
  c.conn.db = static_cast<int>(id);
  c.conn.db_shown.store(c.conn.db, std::memory_order_relaxed);
  c.reply.ok();
}

// Checks a user's password (server/acl.h); replies the error itself and returns false on failure.
bool authenticate(CmdCtx& c, std::string_view user, std::string_view pass) {
  if (acl_auth(c.conn, c.arg(0), user, pass)) return true;
  c.error(Err::kWrongPass);
  return false;
}

void cmd_auth(CmdCtx& c) {
  if (c.argc() > 3) return c.error(Err::kSyntax);
  if (c.argc() == 2) {
    auto d = c.server.acl.default_user();
    if (d && d->nopass) return c.error(Err::kAuthNoPassword);
  }
  std::string_view user = c.argc() == 3 ? c.arg(1) : "default";
  if (authenticate(c, user, c.arg(c.argc() - 1))) c.reply.ok();
}

bool valid_client_name(std::string_view name) {
  for (unsigned char ch : name) {
    if (ch < '!' || ch > '~') return false;  // Redis: no spaces, newlines or special characters
  }
  return true;
}

bool set_client_name(CmdCtx& c, std::string_view name) {
  if (!valid_client_name(name)) {
    c.error(Err::kBadClientName);
    return false;
  }
  std::lock_guard<std::mutex> lock(c.server.clients_mu);
  c.conn.rare().name.assign(name);
  return true;
}

void cmd_hello(CmdCtx& c) {
  int64_t ver = 0;
  size_t j = 1;
  if (c.argc() >= 2) {
    if (!parse_int(c.arg(1), &ver)) return c.error(Err::kProtoNotInt);
    j = 2;
    if (ver < 2 || ver > 3) return c.error(Err::kNoProto);
  }
  std::string_view user, pass, name;
  bool has_auth = false, has_name = false;
  for (; j < c.argc(); j++) {
    size_t more = c.argc() - 1 - j;
    if (iequals(c.arg(j), "auth") && more >= 2) {
      user = c.arg(j + 1);
      pass = c.arg(j + 2);
      has_auth = true;
      j += 2;
    } else if (iequals(c.arg(j), "setname") && more >= 1) {
      name = c.arg(++j);
      has_name = true;
    } else {
      return c.error(hello_option_error(c.arg(j)));
    }
  }
  if (has_auth && !authenticate(c, user, pass)) return;
  if (!c.conn.authenticated) {
    return c.error(Err::kHelloNoAuth);
  }
  if (has_name && !set_client_name(c, name)) return;
  if (ver) {
    c.reply.set_resp(static_cast<int>(ver));
    c.conn.resp_shown.store(static_cast<int>(ver), std::memory_order_relaxed);
  }
  c.reply.map(7);
  c.reply.bulk("server");
  c.reply.bulk("redis");
  c.reply.bulk("version");
  c.reply.bulk(kRedisVersion);
  c.reply.bulk("proto");
  c.reply.integer(c.reply.resp());
  c.reply.bulk("id");
  c.reply.integer(static_cast<int64_t>(c.conn.id));
  c.reply.bulk("mode");
  c.reply.bulk("standalone");
  c.reply.bulk("role");
  c.reply.bulk("master");
  c.reply.bulk("modules");
  c.reply.array(0);
}

// CLIENT REPLY ON | OFF | SKIP. Only ON replies; it is written past the muting (Connection::
// execute), since the client asked to hear again.
void cmd_client_reply(CmdCtx& c) {
  using Mode = Connection::ReplyMode;
  std::string_view v = c.arg(2);
  if (iequals(v, "on")) {
    c.conn.reply_mode = Mode::kOn;
    protocol::ReplyWriter w(&c.conn.out);
    w.set_resp(c.reply.resp());
    w.ok();
  } else if (iequals(v, "off")) {
    c.conn.reply_mode = Mode::kOff;
  } else if (iequals(v, "skip")) {
    if (c.conn.reply_mode != Mode::kOff) c.conn.reply_mode = Mode::kSkipNext;
  } else {
    c.error(Err::kSyntax);
  }
}

void cmd_client_id(CmdCtx& c) {
  c.reply.integer(static_cast<int64_t>(c.conn.id));
}

void cmd_client_setname(CmdCtx& c) {
  if (set_client_name(c, c.arg(2))) c.reply.ok();
}

void cmd_client_getname(CmdCtx& c) {
  std::lock_guard<std::mutex> lock(c.server.clients_mu);
  if (c.conn.client_name().empty())
    c.reply.null();
  else
    c.reply.bulk(c.conn.client_name());
}

void cmd_client_setinfo(CmdCtx& c) {
  std::string_view attr = c.arg(2), val = c.arg(3);
  bool is_name = iequals(attr, "lib-name"), is_ver = iequals(attr, "lib-ver");
  if (!is_name && !is_ver) {
    return c.error(unrecognized_option_error(attr));
  }
  if (!valid_client_name(val)) {
    return c.error(client_attr_error(is_name ? "lib-name" : "lib-ver"));
  }
  std::lock_guard<std::mutex> lock(c.server.clients_mu);  // CLIENT LIST reads it on any worker
  Connection::Rare& r = c.conn.rare();
  (is_name ? r.lib_name : r.lib_ver).assign(val);
  c.reply.ok();
}

// CLIENT UNBLOCK id [TIMEOUT | ERROR]: the blocked client gets its timeout reply (a null array) or
// Redis's UNBLOCKED error, on its own worker.
void cmd_client_unblock(CmdCtx& c) {
  if (c.argc() > 4) {
    return c.error(subcommand_syntax_error("client", c.arg(1)));
  }
  bool error = false;
  if (c.argc() == 4) {  // Redis checks the reason before the id
    if (iequals(c.arg(3), "error"))
      error = true;
    else if (!iequals(c.arg(3), "timeout"))
      return c.error(Err::kUnblockReason);
  }
  int64_t id;
  if (!parse_int(c.arg(2), &id)) return c.error(Err::kNotInt);
  auto timeout = [](protocol::ReplyWriter& r) { r.null_array(); };
  auto unblocked = [](protocol::ReplyWriter& r) { r.error(error_text(Err::kUnblocked)); };
  bool done = id > 0 && c.server.blocking.unblock_client(static_cast<uint64_t>(id),
                                                         error ? +unblocked : +timeout);
  c.reply.integer(done ? 1 : 0);
}

// CLIENT NO-EVICT ON | OFF and CLIENT NO-TOUCH ON | OFF: a per-client switch, syntax error for
// anything else.
void client_switch(CmdCtx& c, std::atomic<bool>& flag) {
  std::string_view v = c.arg(2);
  if (iequals(v, "on"))
    flag.store(true, std::memory_order_relaxed);
  else if (iequals(v, "off"))
    flag.store(false, std::memory_order_relaxed);
  else
    return c.error(Err::kSyntax);
  c.reply.ok();
}
void cmd_client_no_evict(CmdCtx& c) {
  client_switch(c, c.conn.no_evict);
}
void cmd_client_no_touch(CmdCtx& c) {
  client_switch(c, c.conn.no_touch);
}

void cmd_client_help(CmdCtx& c) {
  static const char* lines[] = {
      "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CACHING (YES|NO)",
      "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
      "GETREDIR",
      "    Return the client ID we are redirecting to when tracking is enabled.",
      "GETNAME",
      "    Return the name of the current connection.",
      "ID",
      "    Return the ID of the current connection.",
      "INFO",
      "    Return information about the current client connection.",
      "KILL <ip:port>",
      "    Kill connection made from <ip:port>.",
      "KILL <option> <value> [<option> <value> [...]]",
      "    Kill connections. Options are: ID <client-id>, TYPE (normal|master|replica|pubsub),",
      "    USER <username>, ADDR <ip:port>, LADDR <ip:port>, SKIPME (yes|no).",
      "LIST [options ...]",
      "    Return information about client connections. Options:",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "    * ID id [id ...]",
      "REPLY (ON|OFF|SKIP)",
      "    Control the replies sent to the current connection.",

      "SETNAME <name>",
      "    Assign the name <name> to the current connection.",
      "SETINFO <option> <value>",
      "    Set client meta attr. Options are: LIB-NAME, LIB-VER.",
      "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
      "         [OPTIN] [OPTOUT] [NOLOOP]",
      "    Control server assisted client side caching.",
      "TRACKINGINFO",
      "    Report tracking status for the current connection.",
      "NO-EVICT (ON|OFF)",
      "    Protect current client connection from eviction.",
      "NO-TOUCH (ON|OFF)",
      "    Will not touch LRU/LFU stats when this mode is on.",
      "HELP",
      "    Print this help."};
  c.reply.array(std::size(lines));
  for (const char* l : lines) c.reply.simple(l);
}

}  // namespace

void register_connection_commands(CommandTable& t) {
  constexpr uint32_t F = kFast | kStale | kLoading;
  t.add({.name = "ping",
         .arity = -1,
         .flags = kFast,  // Redis 7.0: not loading or stale
         .fn = cmd_ping,
         .doc = {.group = "connection", .summary = "Ping the server", .syntax = "[message]"}});
  t.add({.name = "echo",
         .arity = 2,
         .flags = F,
         .fn = cmd_echo,
         .doc = {.group = "connection", .summary = "Echo the given string", .syntax = "message"}});
  t.add({.name = "quit",
         .arity = -1,
         .flags = F | kNoAuth | kAllowBusy | kNoscript,
         .fn = cmd_quit,
         .doc = {.group = "connection", .summary = "Close the connection"}});
  t.add({.name = "reset",
         .arity = 1,
         .flags = F | kNoscript | kNoAuth | kAllowBusy,
         .fn = cmd_reset,
         .doc = {.group = "connection", .summary = "Reset the connection", .since = "6.2.0"}});
  t.add({.name = "select",
         .arity = 2,
         .flags = F,
         .fn = cmd_select,
         .doc = {.group = "connection",
                 .summary = "Change the selected database for the current connection",
                 .syntax = "index"}});
  t.add({.name = "auth",
         .arity = -2,
         .flags = F | kNoAuth | kNoscript | kAllowBusy,
         .fn = cmd_auth,
         .doc = {.group = "connection",
                 .summary = "Authenticate to the server",
                 .syntax = "[username] password"}});
  t.add({.name = "hello",
         .arity = -1,
         .flags = F | kNoAuth | kNoscript | kAllowBusy,
         .fn = cmd_hello,
         .doc = {.group = "connection",
                 .summary = "Handshake with Redis",
                 .syntax = "[protover [AUTH username password] [SETNAME clientname]]",
                 .since = "6.0.0"}});
  Command* client = t.add({.name = "client",
                           .arity = -2,
                           .flags = kNoscript | kStale | kLoading,
                           .fn = nullptr,
                           .doc = {.group = "connection",
                                   .summary = "A container for client connection commands",
                                   .since = "2.4.0"}});
  constexpr uint32_t C = kNoscript | kStale | kLoading;
  t.add_sub(client, {.name = "id",
                     .arity = 2,
                     .flags = C,
                     .fn = cmd_client_id,
                     .doc = {.summary = "Returns the client ID for the current connection",
                             .since = "5.0.0"}});
  t.add_sub(client, {.name = "reply",
                     .arity = 3,
                     .flags = C,
                     .fn = cmd_client_reply,
                     .doc = {.summary = "Instruct the server whether to reply to commands",
                             .syntax = "ON | OFF | SKIP",
                             .since = "3.2.0"}});
  t.add_sub(client, {.name = "setname",
                     .arity = 3,
                     .flags = C,
                     .fn = cmd_client_setname,
                     .doc = {.summary = "Set the current connection name",
                             .syntax = "connection-name",
                             .since = "2.6.9"}});
  t.add_sub(client, {.name = "getname",
                     .arity = 2,
                     .flags = C,
                     .fn = cmd_client_getname,
                     .doc = {.summary = "Get the current connection name", .since = "2.6.9"}});
  t.add_sub(client, {.name = "setinfo",
                     .arity = 4,
                     .flags = C,
                     .fn = cmd_client_setinfo,
                     .doc = {.summary = "Set client or connection specific info",
                             .syntax = "LIB-NAME libname | LIB-VER libver",
                             .since = "7.2.0"}});
  t.add_sub(
      client,
      {.name = "unblock",
       .arity = -3,
       .flags = C | kAdmin,
       .fn = cmd_client_unblock,
       .doc = {
           .summary = "Unblock a client blocked in a blocking command from a different connection",
           .syntax = "client-id [TIMEOUT | ERROR]",
           .since = "5.0.0",
           .complexity = "O(log N)"}});
  register_client_admin_commands(t, client);  // LIST, INFO, KILL, PAUSE, UNPAUSE; MONITOR
  t.add_sub(client, {.name = "no-evict",
                     .arity = 3,
                     .flags = C | kAdmin,
                     .fn = cmd_client_no_evict,
                     .doc = {.summary = "Set client eviction mode for the current connection",
                             .syntax = "ON | OFF",
                             .since = "7.0.0"}});
  t.add_sub(client, {.name = "no-touch",
                     .arity = 3,
                     .flags = C,
                     .fn = cmd_client_no_touch,
                     .doc = {.summary = "Controls whether commands sent by the client affect the "
                                        "LRU/LFU of accessed keys",
                             .syntax = "ON | OFF",
                             .since = "7.2.0"}});
  t.add_sub(client, {.name = "tracking",
                     .arity = -3,
                     .flags = C,
                     .fn = cmd_client_tracking,
                     .doc = {.summary = "Enable or disable server assisted client side caching "
                                        "support",
                             .syntax = "ON | OFF [REDIRECT client-id] [PREFIX prefix [PREFIX "
                                       "prefix ...]] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]",
                             .since = "6.0.0",
                             .complexity = "O(1). Some options may introduce additional "
                                           "complexity."}});
  t.add_sub(client, {.name = "caching",
                     .arity = 3,
                     .flags = C,
                     .fn = cmd_client_caching,
                     .doc = {.summary = "Instruct the server about tracking or not keys in the "
                                        "next request",
                             .syntax = "YES | NO",
                             .since = "6.0.0"}});
  t.add_sub(client, {.name = "getredir",
                     .arity = 2,
                     .flags = C,
                     .fn = cmd_client_getredir,
                     .doc = {.summary = "Get tracking notifications redirection client ID if any",
                             .since = "6.0.0"}});
  t.add_sub(client, {.name = "trackinginfo",
                     .arity = 2,
                     .flags = C,
                     .fn = cmd_client_trackinginfo,
                     .doc = {.summary = "Return information about server assisted client side "
                                        "caching for the current connection",
                             .since = "6.2.0"}});
  t.add_sub(client, {.name = "help",
                     .arity = 2,
                     .flags = kLoading | kStale,  // Redis 7.0: not noscript
                     .fn = cmd_client_help,
                     .doc = {.summary = "Show helpful text about the different subcommands",
                             .since = "5.0.0"}});
}

}  // namespace respite::server
