// SLOWLOG GET / LEN / RESET / HELP over the server's shared slow log (server/slowlog.h), with Redis
// 7.0's replies: GET's entries are [id, unix time, microseconds, [args], "ip:port", name], newest
// first, ten unless a count is given (-1: all). Which commands are logged is dispatch's business.
#include <iterator>

#include "server/context.h"
#include "server/errors.h"
#include "server/slowlog.h"

namespace respite::server {

namespace {

// Redis trims the log after every command while it is enabled, so a smaller slowlog-max-len shows
// at the next command; respite trims when it adds, and here, so that LEN and GET agree with it.
void trim_to_config(CmdCtx& c) {
  if (c.server.config.slowlog_log_slower_than.load(std::memory_order_relaxed) < 0) return;
  c.server.slowlog.trim(
      static_cast<size_t>(c.server.config.slowlog_max_len.load(std::memory_order_relaxed)));
}

void cmd_slowlog_get(CmdCtx& c) {
  if (c.argc() > 3) return c.error(subcommand_syntax_error("slowlog", c.arg(1)));
  int64_t count = 10;
  // Redis's getRangeLongFromObjectOrReply answers the same text for a non-number.
  if (c.argc() == 3 && (!parse_int(c.arg(2), &count) || count < -1))
    return c.error(Err::kSlowlogCount);
  trim_to_config(c);
  std::vector<SlowlogEntry> entries = c.server.slowlog.newest(count);
  c.reply.array(entries.size());
  for (const SlowlogEntry& e : entries) {
    c.reply.array(6);
    c.reply.integer(static_cast<int64_t>(e.id));
    c.reply.integer(e.time);
    c.reply.integer(e.duration_us);
    c.reply.array(e.argv.size());
    for (const std::string& a : e.argv) c.reply.bulk(a);
    c.reply.bulk(e.peer);
    c.reply.bulk(e.name);
  }
}

void cmd_slowlog_len(CmdCtx& c) {
  trim_to_config(c);
  c.reply.integer(static_cast<int64_t>(c.server.slowlog.size()));
}

void cmd_slowlog_reset(CmdCtx& c) {
  c.server.slowlog.reset();
  c.reply.ok();
}

void cmd_slowlog_help(CmdCtx& c) {
  static const char* lines[] = {
      "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GET [<count>]",
      "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
      "    Entries are made of:",
      "    id, timestamp, time in microseconds, arguments array, client IP and port,",
      "    client name",
      "LEN",
      "    Return the length of the slowlog.",
      "RESET",
      "    Reset the slowlog.",
      "HELP",
      "    Print this help.",
  };
  c.reply.array(std::size(lines));
  for (const char* l : lines) c.reply.simple(l);
}

}  // namespace

void register_slowlog_commands(CommandTable& t) {
  constexpr uint32_t A = kAdmin | kLoading | kStale;
  Command* sl = t.add({.name = "slowlog",
                       .arity = -2,
                       .flags = A,
                       .fn = nullptr,
                       .doc = {.group = "server",
                               .summary = "A container for slow log commands",
                               .since = "2.2.12",
                               .complexity = "Depends on subcommand."}});
  t.add_sub(sl, {.name = "get",
                 .arity = -2,
                 .flags = A,
                 .fn = cmd_slowlog_get,
                 .doc = {.summary = "Get the slow log's entries",
                         .syntax = "[count]",
                         .since = "2.2.12",
                         .complexity = "O(N) where N is the number of entries returned"}});
  t.add_sub(sl, {.name = "len",
                 .arity = 2,
                 .flags = A,
                 .fn = cmd_slowlog_len,
                 .doc = {.summary = "Get the slow log's length", .since = "2.2.12"}});
  t.add_sub(sl, {.name = "reset",
                 .arity = 2,
                 .flags = A,
                 .fn = cmd_slowlog_reset,
                 .doc = {.summary = "Clear all entries from the slow log",
                         .since = "2.2.12",
                         .complexity = "O(N) where N is the number of entries in the slowlog"}});
  t.add_sub(sl, {.name = "help",
                 .arity = 2,
                 .flags = kLoading | kStale,
                 .fn = cmd_slowlog_help,
                 .doc = {.summary = "Show helpful text about the different subcommands",
                         .since = "6.2.0"}});
}

}  // namespace respite::server
