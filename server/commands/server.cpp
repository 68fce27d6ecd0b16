// The server family: DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME, CONFIG, COMMAND, MEMORY and SHUTDOWN
// (INFO has its own file). COMMAND's replies are generated from the command table.
#include <sys/time.h>

#include <algorithm>
#include <climits>
#include <optional>
#include <string>

#include "server/command_docs.h"
#include "server/context.h"
#include "server/keywrite.h"
#include "server/maxmemory.h"
#include "server/memory_report.h"
#include "server/multi.h"
#include "server/server.h"
#include "server/worker.h"
#include "storage/glob.h"

#ifdef RESPITE_WITH_MIMALLOC
#include <mimalloc.h>
#endif

namespace respite::server {

void cmd_info(CmdCtx& c);  // info.cpp

namespace {

void cmd_dbsize(CmdCtx& c) {
  c.reply.integer(static_cast<int64_t>(c.db().size()));
}

enum class FlushMode { kSync, kAsync };

// FLUSHDB/FLUSHALL [ASYNC | SYNC]: the mode asked for, or without an argument ASYNC when
// lazyfree-lazy-user-flush is yes (Redis's getFlushCommandFlags). Replies with the syntax error
// and returns nullopt for anything else.
std::optional<FlushMode> parse_flush_mode(CmdCtx& c) {
  if (c.argc() == 1) {
    return c.server.config.lazyfree_lazy_user_flush.load(std::memory_order_relaxed)
               ? FlushMode::kAsync
               : FlushMode::kSync;
  }
  if (c.argc() == 2 && iequals(c.arg(1), "sync")) return FlushMode::kSync;
  if (c.argc() == 2 && iequals(c.arg(1), "async")) return FlushMode::kAsync;
  c.error(Err::kSyntax);
  return std::nullopt;
}

// Both modes empty the database at once for every reader (storage: redirects). ASYNC hands the
// detached tables to the lazy-free thread; SYNC leaves them to the worker that reclaims them,
// which frees them on its loop, as Redis frees them inline (but blocking one worker, not all).
void cmd_flushdb(CmdCtx& c) {
  auto mode = parse_flush_mode(c);
  if (!mode) return;
  c.db().flush(c.op, *mode == FlushMode::kAsync ? &c.server.store.lazy_free() : nullptr);
  c.server.tracking.flushed();    // client-side caching: a null invalidation for every client
  signal_db_ready(c, c.conn.db);  // XREADGROUP waiters on flushed streams are answered
  c.reply.ok();
}

void cmd_flushall(CmdCtx& c) {
  auto mode = parse_flush_mode(c);
  if (!mode) return;
  c.server.store.flush_all(c.op, *mode == FlushMode::kAsync);
  c.server.tracking.flushed();
  for (int db = 0; db < c.server.store.databases(); db++) signal_db_ready(c, db);
  c.reply.ok();
}

void cmd_swapdb(CmdCtx& c) {
  int64_t a, b;
  if (!parse_int(c.arg(1), &a) || a < INT_MIN || a > INT_MAX) return c.error(Err::kInvalidFirstDb);
  if (!parse_int(c.arg(2), &b) || b < INT_MIN || b > INT_MAX) return c.error(Err::kInvalidSecondDb);
  int n = c.server.store.databases();
  if (a < 0 || a >= n || b < 0 || b >= n) return c.error(Err::kDbIndex);
  c.server.store.swap(static_cast<int>(a), static_cast<int>(b), c.op);
  signal_db_ready(c, static_cast<int>(a));  // waiters of both databases are served (blocking.h)
  signal_db_ready(c, static_cast<int>(b));
  c.reply.ok();
}

void cmd_time(CmdCtx& c) {
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  c.reply.array(2);
  c.reply.bulk(std::to_string(tv.tv_sec));
  c.reply.bulk(std::to_string(tv.tv_usec));
}

void cmd_config_get(CmdCtx& c) {
  std::vector<std::string> patterns;
  for (size_t i = 2; i < c.argc(); i++) patterns.emplace_back(c.arg(i));
  auto pairs = c.server.config.get(patterns);
  c.reply.map(pairs.size());
  for (auto& [k, v] : pairs) {
    c.reply.bulk(k);
    c.reply.bulk(v);
  }
}

void cmd_config_set(CmdCtx& c) {
  if (c.argc() % 2 != 0) return c.arity_error();
  std::vector<std::pair<std::string, std::string>> pairs;
  for (size_t i = 2; i + 1 < c.argc(); i += 2) pairs.emplace_back(c.arg(i), c.arg(i + 1));
  std::string e = c.server.config.set(pairs);
  if (!e.empty()) return c.error(e);
  // maxmemory: the access-tracking mode follows the policy at once; a limit below current usage
  // starts evicting now (the workers' cron goes on until under it), as Redis's CONFIG SET does.
  refresh_access_policy(c.server);
  c.worker.epoch->set_eager(c.server.config.maxmemory.load(std::memory_order_relaxed) > 0);
  // Not inside EXEC: eviction locks shards the transaction does not hold, out of the global lock
  // order (server/multi.h); the cron evicts soon after instead.
  if (!executing_transaction(c.conn)) enforce_maxmemory(c.worker, c.op.now_ms);
  c.reply.ok();
}

void cmd_config_rewrite(CmdCtx& c) {
  std::string e = c.server.config.rewrite();
  if (!e.empty()) return c.error(e);
  c.reply.ok();
}

void cmd_config_resetstat(CmdCtx& c) {
  c.server.reset_stats();
  c.reply.ok();
}

void reply_help(CmdCtx& c, std::initializer_list<const char*> lines) {
  c.reply.array(lines.size());
  for (const char* l : lines) c.reply.simple(l);
}

void cmd_config_help(CmdCtx& c) {
  reply_help(c, {"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "GET <pattern>",
                 "    Return parameters matching the glob-like <pattern> and their values.",
                 "SET <directive> <value>", "    Set the configuration <directive> to <value>.",
                 "RESETSTAT", "    Reset statistics reported by the INFO command.", "REWRITE",
                 "    Rewrite the configuration file.", "HELP", "    Print this help."});
}

// --- COMMAND ---

// Flags in Redis's order. movablekeys and no_mandatory_keys come from the key specs and the key
// procedure (key_spec.h), as Redis derives the first; the registered kMovableKeys serves respite's
// own key walks only.
void reply_flags(CmdCtx& c, const Command& cmd) {
  // A container that runs nothing alone (CONFIG, MEMORY, XINFO...) has no flags of its own in
  // Redis: its subcommands do. COMMAND, which runs alone too, keeps its own.
  if (!cmd.subcommands.empty() && !cmd.fn) return c.reply.set(0);
  static const std::pair<uint32_t, const char*> names[] = {{kWrite, "write"},
                                                           {kReadonly, "readonly"},
                                                           {kDenyOom, "denyoom"},
                                                           {kAdmin, "admin"},
                                                           {kPubsub, "pubsub"},
                                                           {kNoscript, "noscript"},
                                                           {kBlocking, "blocking"},
                                                           {kLoading, "loading"},
                                                           {kStale, "stale"},
                                                           {kSkipMonitor, "skip_monitor"},
                                                           {kSkipSlowlog, "skip_slowlog"},
                                                           {kFast, "fast"},
                                                           {kNoAuth, "no_auth"}};
  const bool no_mandatory = cmd.getkeys_proc == GetKeysProc::kEval;
  const bool movable = legacy_key_range(cmd).movable;
  size_t n = no_mandatory + movable + cmd.has_flag(kNoMulti) + cmd.has_flag(kAllowBusy);
  for (auto& [f, name] : names) n += cmd.has_flag(f);
  c.reply.set(n);
  for (auto& [f, name] : names)
    if (cmd.has_flag(f)) c.reply.simple(name);
  if (no_mandatory) c.reply.simple("no_mandatory_keys");
  if (cmd.has_flag(kNoMulti)) c.reply.simple("no_multi");
  if (movable) c.reply.simple("movablekeys");
  if (cmd.has_flag(kAllowBusy)) c.reply.simple("allow_busy");
}

// Redis's tips for the command (key_spec.h), none for respite's own.
void reply_tips(CmdCtx& c, const Command& cmd) {
  const CommandTipRow* end = kRedisCommandTips + kRedisCommandTipCount;
  auto range = std::equal_range(
      kRedisCommandTips, end, CommandTipRow{cmd.name, {}},
      [](const CommandTipRow& a, const CommandTipRow& b) { return a.command < b.command; });
  c.reply.set(static_cast<size_t>(range.second - range.first));
  for (auto it = range.first; it != range.second; ++it) c.reply.bulk(it->tip);
}

void reply_key_flags(CmdCtx& c, uint16_t flags) {
  size_t n = 0;
  for (int i = 0; i < kSpecFlagCount; i++) n += (flags >> i) & 1;
  c.reply.set(n);
  for (int i = 0; i < kSpecFlagCount; i++)
    if ((flags >> i) & 1) c.reply.simple(key_spec_flag_name(i));
}

void reply_key_specs(CmdCtx& c, const Command& cmd) {
  auto& w = c.reply;
  w.set(cmd.key_specs.size());
  for (const KeySpecDef& s : cmd.key_specs) {
    w.map(3 + !s.notes.empty());
    if (!s.notes.empty()) {
      w.bulk("notes");
      w.bulk(s.notes);
    }
    w.bulk("flags");
    reply_key_flags(c, s.flags);
    w.bulk("begin_search");
    w.map(2);
    w.bulk("type");
    switch (s.begin) {
      case KeySpecDef::Begin::kUnknown:
        w.bulk("unknown");
        w.bulk("spec");
        w.map(0);
        break;
      case KeySpecDef::Begin::kIndex:
        w.bulk("index");
        w.bulk("spec");
        w.map(1);
        w.bulk("index");
        w.integer(s.pos);
        break;
      case KeySpecDef::Begin::kKeyword:
        w.bulk("keyword");
        w.bulk("spec");
        w.map(2);
        w.bulk("keyword");
        w.bulk(s.keyword);
        w.bulk("startfrom");
        w.integer(s.pos);
        break;
    }
    w.bulk("find_keys");
    w.map(2);
    w.bulk("type");
    switch (s.find) {
      case KeySpecDef::Find::kUnknown:
        w.bulk("unknown");
        w.bulk("spec");
        w.map(0);
        break;
      case KeySpecDef::Find::kRange:
        w.bulk("range");
        w.bulk("spec");
        w.map(3);
        w.bulk("lastkey");
        w.integer(s.a);
        w.bulk("keystep");
        w.integer(s.b);
        w.bulk("limit");
        w.integer(s.c);
        break;
      case KeySpecDef::Find::kKeynum:
        w.bulk("keynum");
        w.bulk("spec");
        w.map(3);
        w.bulk("keynumidx");
        w.integer(s.a);
        w.bulk("firstkey");
        w.integer(s.b);
        w.bulk("keystep");
        w.integer(s.c);
        break;
    }
  }
}

// ACL categories: the ones ACL CAT and COMMAND LIST FILTERBY ACLCAT use (acl.h), in Redis's
// order (that of its category table), so that COMMAND INFO reads as Redis's does.
void reply_acl_categories(CmdCtx& c, const Command& cmd) {
  const uint64_t cats = c.server.acl.categories(cmd);
  c.reply.set(static_cast<size_t>(__builtin_popcountll(cats)));
  for (int i = 0; i < kCategoryCount; i++) {
    if (!((cats >> i) & 1)) continue;
    std::string cat = "@";  // appended: GCC 12 warns falsely (-Wrestrict) on "@" + string
    cat += category_name(i);
    c.reply.simple(cat);
  }
}

void reply_command_info(CmdCtx& c, const Command& cmd) {
  c.reply.array(10);
  c.reply.bulk(cmd.name);
  c.reply.integer(cmd.arity);
  reply_flags(c, cmd);
  const LegacyKeyRange range = legacy_key_range(cmd);
  c.reply.integer(range.first);
  c.reply.integer(range.last);
  c.reply.integer(range.step);
  reply_acl_categories(c, cmd);
  reply_tips(c, cmd);
  reply_key_specs(c, cmd);
  c.reply.array(cmd.subcommands.size());
  for (auto& s : cmd.subcommands) reply_command_info(c, *s);
}

void reply_command_docs(CmdCtx& c, const Command& cmd) {
  bool has_args = !cmd.syntax.empty();
  bool has_subs = !cmd.subcommands.empty();
  c.reply.map(4 + has_args + has_subs);
  c.reply.bulk("summary");
  c.reply.bulk(cmd.summary);
  c.reply.bulk("since");
  c.reply.bulk(cmd.since);
  c.reply.bulk("group");
  c.reply.bulk(cmd.group);
  c.reply.bulk("complexity");
  c.reply.bulk(cmd.complexity);
  if (has_args) {
    c.reply.bulk("arguments");
    reply_doc_args(c.reply, parse_syntax(cmd.syntax), cmd.key_specs.size());
  }
  if (has_subs) {
    c.reply.bulk("subcommands");
    c.reply.map(cmd.subcommands.size());
    for (auto& s : cmd.subcommands) {
      c.reply.bulk(s->name);
      reply_command_docs(c, *s);
    }
  }
}

void cmd_command(CmdCtx& c) {
  if (c.argc() > 1) {
    return c.error(unknown_subcommand_error("command", c.arg(1)));
  }
  auto& all = c.server.commands.all();
  c.reply.array(all.size());
  for (const Command* cmd : all) reply_command_info(c, *cmd);
}

void cmd_command_count(CmdCtx& c) {
  c.reply.integer(static_cast<int64_t>(c.server.commands.all().size()));
}

const Command* find_full(CommandTable& t, std::string_view name) {
  size_t bar = name.find('|');
  if (bar == std::string_view::npos) return t.find(name);
  const Command* p = t.find(name.substr(0, bar));
  return p ? p->find_sub(name.substr(bar + 1)) : nullptr;
}

void cmd_command_info(CmdCtx& c) {
  auto& all = c.server.commands.all();
  if (c.argc() == 2) {
    c.reply.array(all.size());
    for (const Command* cmd : all) reply_command_info(c, *cmd);
    return;
  }
  c.reply.array(c.argc() - 2);
  for (size_t i = 2; i < c.argc(); i++) {
    const Command* cmd = find_full(c.server.commands, c.arg(i));
    if (cmd)
      reply_command_info(c, *cmd);
    else
      c.reply.null_array();
  }
}

void cmd_command_docs(CmdCtx& c) {
  std::vector<const Command*> list;
  if (c.argc() == 2) {
    list = c.server.commands.all();
  } else {
    for (size_t i = 2; i < c.argc(); i++) {
      const Command* cmd = find_full(c.server.commands, c.arg(i));
      if (cmd) list.push_back(cmd);
    }
  }
  c.reply.map(list.size());
  for (const Command* cmd : list) {
    c.reply.bulk(cmd->name);
    reply_command_docs(c, *cmd);
  }
}

// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]: every command and
// subcommand by full name, each judged on its own (a container and its subcommands apart). An
// unknown category matches nothing, as no module does; of several FILTERBY the last counts.
void cmd_command_list(CmdCtx& c) {
  enum class By { kNone, kModule, kCategory, kPattern } by = By::kNone;
  std::string_view filter;
  for (size_t i = 2; i < c.argc(); i += 3) {
    if (!iequals(c.arg(i), "filterby") || c.argc() - 1 - i != 2) return c.error(Err::kSyntax);
    if (iequals(c.arg(i + 1), "module"))
      by = By::kModule;
    else if (iequals(c.arg(i + 1), "aclcat"))
      by = By::kCategory;
    else if (iequals(c.arg(i + 1), "pattern"))
      by = By::kPattern;
    else
      return c.error(Err::kSyntax);
    filter = c.arg(i + 2);
  }
  const uint64_t category = by == By::kCategory ? category_by_name(filter) : 0;
  std::vector<std::string_view> names;
  auto consider = [&](const Command& x) {
    switch (by) {
      case By::kNone:
        break;
      case By::kModule:
        return;  // respite loads no modules
      case By::kCategory:
        if (!(c.server.acl.categories(x) & category)) return;
        break;
      case By::kPattern:
        if (!storage::glob_match(filter, x.name, true)) return;
        break;
    }
    names.push_back(x.name);
  };
  for (const Command* cmd : c.server.commands.all()) {
    consider(*cmd);
    for (auto& s : cmd->subcommands) consider(*s);
  }
  c.reply.array(names.size());
  for (auto n : names) c.reply.bulk(n);
}

// COMMAND GETKEYS / GETKEYSANDFLAGS <command> [args...]: the keys Redis's key specs (or the
// command's own procedure) find in that call, checked as Redis checks it: the command (a
// subcommand when the container has any and one is given), then whether it has keys at all,
// then its arity. A call in which no key is found is an error, except for the commands whose keys
// are all optional (EVAL, FCALL: no_mandatory_keys).
void reply_getkeys(CmdCtx& c, bool with_flags) {
  const std::string_view* argv = c.argv.data() + 2;
  const size_t argc = c.argc() - 2;
  const Command* cmd = c.server.commands.find(argv[0]);
  if (cmd && !cmd->subcommands.empty() && argc >= 2) cmd = cmd->find_sub(argv[1]);
  if (!cmd) return c.error(Err::kInvalidCommand);
  if (!command_has_keys(*cmd)) return c.error(Err::kNoKeyArgs);
  if (!cmd->arity_ok(argc)) return c.error(Err::kInvalidNumArgs);
  const size_t n = visit_keys(*cmd, argv, argc, [](size_t, uint16_t) {});
  if (n == 0) {
    if (cmd->getkeys_proc == GetKeysProc::kEval) return c.reply.array(0);
    return c.error(Err::kInvalidArgs);
  }
  c.reply.array(n);
  visit_keys(*cmd, argv, argc, [&](size_t pos, uint16_t flags) {
    if (with_flags) c.reply.array(2);
    c.reply.bulk(argv[pos]);
    if (with_flags) reply_key_flags(c, flags);
  });
}

void cmd_command_getkeys(CmdCtx& c) {
  reply_getkeys(c, false);
}

void cmd_command_getkeysandflags(CmdCtx& c) {
  reply_getkeys(c, true);
}

void cmd_command_help(CmdCtx& c) {
  reply_help(c, {"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                 "(no subcommand)",
                 "    Return details about all Redis commands.",
                 "COUNT",
                 "    Return the total number of commands in this Redis server.",
                 "LIST",
                 "    Return a list of all commands in this Redis server.",
                 "INFO [<command-name> ...]",
                 "    Return details about multiple Redis commands.",
                 "    If no command names are given, documentation details for all",
                 "    commands are returned.",
                 "DOCS [<command-name> ...]",
                 "    Return documentation details about multiple Redis commands.",
                 "    If no command names are given, documentation details for all",
                 "    commands are returned.",
                 "GETKEYS <full-command>",
                 "    Return the keys from a full Redis command.",
                 "GETKEYSANDFLAGS <full-command>",
                 "    Return the keys and the access flags from a full Redis command.",
                 "HELP",
                 "    Prints this help."});
}

void cmd_shutdown(CmdCtx& c) {
  for (size_t i = 1; i < c.argc(); i++) {
    std::string_view o = c.arg(i);
    if (iequals(o, "abort")) return c.error(Err::kNoShutdown);
    if (!iequals(o, "nosave") && !iequals(o, "save") && !iequals(o, "now") && !iequals(o, "force"))
      return c.error(Err::kSyntax);
  }
  // Nothing to save: respite keeps no data on disk. The client sees the connection close, as
  // with Redis.
  c.conn.close_after_reply();
  c.server.request_shutdown();
}

// MEMORY USAGE: the key's whole allocation (header, key, value and any collection behind it) and
// its table slot. respite accounts every byte as it goes, so this is exact rather than Redis's
// sampled estimate; SAMPLES is checked as Redis checks it and otherwise has nothing to change.
void cmd_memory_usage(CmdCtx& c) {
  for (size_t j = 3; j < c.argc(); j++) {
    if (!iequals(c.arg(j), "samples") || j + 1 >= c.argc()) return c.error(Err::kSyntax);
    int64_t samples;
    if (!parse_int(c.arg(++j), &samples)) return c.error(Err::kNotInt);
    if (samples < 0) return c.error(Err::kSyntax);
  }
  KeyWrite kw(c, c.arg(2));  // locked: a collection's size is read under its shard's lock
  if (!kw.cur) return c.reply.null();
  c.reply.integer(static_cast<int64_t>(kw.cur->alloc_size() + sizeof(void*)));
}

// MEMORY STATS: Redis 7.0's fields, in its order and with its types (object.c, memoryCommand);
// a map in RESP3, a flat array of name/value pairs in RESP2. What each figure means for respite:
// server/memory_report.h.
void cmd_memory_stats(CmdCtx& c) {
  MemoryReport r = memory_report(c.server);
  auto& w = c.reply;
  auto num = [&](const char* name, int64_t v) {
    w.bulk(name);
    w.integer(v);
  };
  auto dbl = [&](const char* name, double v) {
    w.bulk(name);
    w.dbl(v);
  };
  w.map(27 + r.dbs.size());
  num("peak.allocated", r.peak);
  num("total.allocated", r.total);
  num("startup.allocated", r.startup);
  num("replication.backlog", 0);
  num("clients.slaves", 0);
  num("clients.normal", r.clients_normal);
  num("cluster.links", 0);
  num("aof.buffer", 0);
  num("lua.caches", 0);
  num("functions.caches", 0);
  for (const MemoryReport::Db& d : r.dbs) {
    w.bulk("db." + std::to_string(d.id));
    w.map(3);
    num("overhead.hashtable.main", d.overhead_main);
    num("overhead.hashtable.expires", d.overhead_expires);
    num("overhead.hashtable.slot-to-keys", 0);
  }
  num("overhead.total", r.overhead_total);
  num("keys.count", r.keys);
  num("keys.bytes-per-key", r.bytes_per_key);
  num("dataset.bytes", r.dataset);
  dbl("dataset.percentage", r.dataset_perc);
  dbl("peak.percentage", r.peak_perc);
  num("allocator.allocated", r.allocator_allocated);
  num("allocator.active", r.allocator_active);
  num("allocator.resident", r.allocator_resident);
  dbl("allocator-fragmentation.ratio", r.allocator_frag);
  num("allocator-fragmentation.bytes", r.allocator_frag_bytes);
  dbl("allocator-rss.ratio", r.allocator_rss);
  num("allocator-rss.bytes", r.allocator_rss_bytes);
  dbl("rss-overhead.ratio", r.rss_extra);
  num("rss-overhead.bytes", r.rss_extra_bytes);
  dbl("fragmentation", r.total_frag);
  num("fragmentation.bytes", r.total_frag_bytes);
}

void cmd_memory_doctor(CmdCtx& c) {
  MemoryReport r = memory_report(c.server);
  c.reply.verbatim(memory_doctor(r, c.server.connected_clients.load(std::memory_order_relaxed)));
}

void cmd_memory_malloc_stats(CmdCtx& c) {
#ifdef RESPITE_WITH_MIMALLOC
  std::string text;
  mi_stats_print_out(
      [](const char* msg, void* arg) { static_cast<std::string*>(arg)->append(msg); }, &text);
  c.reply.verbatim(text);
#else
  c.reply.bulk("Stats not supported for the current allocator");
#endif
}

void cmd_memory_purge(CmdCtx& c) {
#ifdef RESPITE_WITH_MIMALLOC
  mi_collect(true);  // this thread's heap and what other threads abandoned
#endif
  c.reply.ok();
}

void cmd_memory_help(CmdCtx& c) {
  reply_help(c, {"MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "DOCTOR",
                 "    Return memory problems reports.", "MALLOC-STATS",
                 "    Return internal statistics report from the memory allocator.", "PURGE",
                 "    Attempt to purge dirty pages for reclamation by the allocator.", "STATS",
                 "    Return information about the memory usage of the server.",
                 "USAGE <key> [SAMPLES <count>]",
                 "    Return memory in bytes used by <key> and its value. Nested values are",
                 "    sampled up to <count> times (default: 5, 0 means sample all).", "HELP",
                 "    Print this help."});
}

}  // namespace

void register_server_commands(CommandTable& t) {
  Command* mem = t.add({.name = "memory",
                        .arity = -2,
                        .flags = kReadonly,
                        .fn = nullptr,
                        .doc = {.group = "server",
                                .summary = "A container for memory diagnostics commands",
                                .since = "4.0.0"}});
  t.add_sub(mem, {.name = "usage",
                  .arity = -3,
                  .flags = kReadonly,
                  .keys = {2, 2, 1},
                  .fn = cmd_memory_usage,
                  .doc = {.summary = "Estimate the memory usage of a key",
                          .syntax = "key [SAMPLES count]",
                          .since = "4.0.0",
                          .complexity = "O(N)"}});
  t.add_sub(mem, {.name = "stats",
                  .arity = 2,
                  .flags = kNoFlags,
                  .fn = cmd_memory_stats,
                  .doc = {.summary = "Show memory usage details", .since = "4.0.0"}});
  t.add_sub(mem, {.name = "doctor",
                  .arity = 2,
                  .flags = kNoFlags,
                  .fn = cmd_memory_doctor,
                  .doc = {.summary = "Outputs memory problems report", .since = "4.0.0"}});
  t.add_sub(mem, {.name = "malloc-stats",
                  .arity = 2,
                  .flags = kNoFlags,
                  .fn = cmd_memory_malloc_stats,
                  .doc = {.summary = "Show allocator internal stats",
                          .since = "4.0.0",
                          .complexity = "Depends on how much memory is allocated, could be slow"}});
  t.add_sub(mem, {.name = "purge",
                  .arity = 2,
                  .flags = kNoFlags,
                  .fn = cmd_memory_purge,
                  .doc = {.summary = "Ask the allocator to release memory",
                          .since = "4.0.0",
                          .complexity = "Depends on how much memory is allocated, could be slow"}});
  t.add_sub(mem, {.name = "help",
                  .arity = 2,
                  .flags = kLoading | kStale,
                  .fn = cmd_memory_help,
                  .doc = {.summary = "Show helpful text about the different subcommands",
                          .since = "4.0.0"}});
  t.add({.name = "dbsize",
         .arity = 1,
         .flags = kReadonly | kFast,
         .fn = cmd_dbsize,
         .doc = {.group = "server",
                 .summary = "Return the number of keys in the selected database"}});
  t.add({.name = "flushdb",
         .arity = -1,
         .flags = kWrite,
         .fn = cmd_flushdb,
         .doc = {.group = "server",
                 .summary = "Remove all keys from the current database",
                 .syntax = "[ASYNC | SYNC]",
                 .complexity = "O(N)"}});
  t.add({.name = "flushall",
         .arity = -1,
         .flags = kWrite,
         .fn = cmd_flushall,
         .doc = {.group = "server",
                 .summary = "Remove all keys from all databases",
                 .syntax = "[ASYNC | SYNC]",
                 .complexity = "O(N)"}});
  t.add({.name = "swapdb",
         .arity = 3,
         .flags = kWrite | kFast,
         .fn = cmd_swapdb,
         .doc = {.group = "server",
                 .summary = "Swaps two Redis databases",
                 .syntax = "index1 index2",
                 .since = "4.0.0",
                 .complexity = "O(N)"}});
  t.add(
      {.name = "time",
       .arity = 1,
       .flags = kLoading | kStale | kFast,
       .fn = cmd_time,
       .doc = {.group = "server", .summary = "Return the current server time", .since = "2.6.0"}});
  t.add({.name = "info",
         .arity = -1,
         .flags = kLoading | kStale,
         .fn = cmd_info,
         .doc = {.group = "server",
                 .summary = "Get information and statistics about the server",
                 .syntax = "[section [section ...]]"}});
  t.add({.name = "shutdown",
         .arity = -1,
         .flags = kAdmin | kNoscript | kLoading | kStale | kNoMulti | kAllowBusy,
         .fn = cmd_shutdown,
         .doc = {.group = "server",
                 .summary = "Synchronously save the dataset to disk and then shut down the server",
                 .syntax = "[NOSAVE | SAVE] [NOW] [FORCE] [ABORT]",
                 .complexity = "O(N)"}});
  constexpr uint32_t A = kAdmin | kNoscript | kLoading | kStale;
  Command* cfg = t.add({.name = "config",
                        .arity = -2,
                        .flags = A,
                        .fn = nullptr,
                        .doc = {.group = "server",
                                .summary = "A container for server configuration commands",
                                .since = "2.0.0"}});
  t.add_sub(cfg, {.name = "get",
                  .arity = -3,
                  .flags = A,
                  .fn = cmd_config_get,
                  .doc = {.summary = "Get the values of configuration parameters",
                          .syntax = "parameter [parameter ...]",
                          .since = "2.0.0",
                          .complexity = "O(N)"}});
  t.add_sub(cfg, {.name = "set",
                  .arity = -4,
                  .flags = A,
                  .fn = cmd_config_set,
                  .doc = {.summary = "Set configuration parameters to the given values",
                          .syntax = "parameter value [parameter value ...]",
                          .since = "2.0.0",
                          .complexity = "O(N)"}});
  t.add_sub(cfg,
            {.name = "rewrite",
             .arity = 2,
             .flags = A,
             .fn = cmd_config_rewrite,
             .doc = {.summary = "Rewrite the configuration file with the in memory configuration",
                     .since = "2.8.0"}});
  t.add_sub(cfg, {.name = "resetstat",
                  .arity = 2,
                  .flags = A,
                  .fn = cmd_config_resetstat,
                  .doc = {.summary = "Reset the stats returned by INFO", .since = "2.0.0"}});
  t.add_sub(cfg, {.name = "help",
                  .arity = 2,
                  .flags = kLoading | kStale,
                  .fn = cmd_config_help,
                  .doc = {.summary = "Show helpful text about the different subcommands",
                          .since = "5.0.0"}});
  constexpr uint32_t CM = kLoading | kStale;
  Command* cmd = t.add({.name = "command",
                        .arity = -1,
                        .flags = CM,
                        .fn = cmd_command,
                        .doc = {.group = "server",
                                .summary = "Get array of Redis command details",
                                .since = "2.8.13",
                                .complexity = "O(N)"}});
  t.add_sub(cmd, {.name = "count",
                  .arity = 2,
                  .flags = CM,
                  .fn = cmd_command_count,
                  .doc = {.summary = "Get total number of Redis commands", .since = "2.8.13"}});
  t.add_sub(
      cmd,
      {.name = "info",
       .arity = -2,
       .flags = CM,
       .fn = cmd_command_info,
       .doc = {.summary =
                   "Get array of specific Redis command details, or all when no argument is given.",
               .syntax = "[command-name [command-name ...]]",
               .since = "2.8.13",
               .complexity = "O(N) where N is the number of commands to look up"}});
  t.add_sub(cmd, {.name = "docs",
                  .arity = -2,
                  .flags = CM,
                  .fn = cmd_command_docs,
                  .doc = {.summary = "Get array of specific Redis command documentation",
                          .syntax = "[command-name [command-name ...]]",
                          .since = "7.0.0",
                          .complexity = "O(N) where N is the number of commands to look up"}});
  t.add_sub(cmd,
            {.name = "list",
             .arity = -2,
             .flags = CM,
             .fn = cmd_command_list,
             .doc = {.summary = "Get an array of Redis command names",
                     .syntax = "[FILTERBY MODULE module-name | ACLCAT category | PATTERN pattern]",
                     .since = "7.0.0",
                     .complexity = "O(N) where N is the total number of Redis commands"}});
  t.add_sub(cmd, {.name = "getkeys",
                  .arity = -4,
                  .flags = CM,
                  .fn = cmd_command_getkeys,
                  .doc = {.summary = "Extract keys given a full Redis command",
                          .since = "2.8.13",
                          .complexity = "O(N) where N is the number of arguments to the command"}});
  t.add_sub(cmd, {.name = "getkeysandflags",
                  .arity = -4,
                  .flags = CM,
                  .fn = cmd_command_getkeysandflags,
                  .doc = {.summary = "Extract keys and access flags given a full Redis command",
                          .since = "7.0.0",
                          .complexity = "O(N) where N is the number of arguments to the command"}});
  t.add_sub(cmd, {.name = "help",
                  .arity = 2,
                  .flags = CM,
                  .fn = cmd_command_help,
                  .doc = {.summary = "Show helpful text about the different subcommands",
                          .since = "5.0.0"}});
}

}  // namespace respite::server
