// The FUNCTION family of Redis 7.0: LOAD, LIST, DELETE, FLUSH, DUMP, RESTORE, STATS and HELP over
// the server's library registry (Server::functions, scripting/library.h), which validates
// libraries in its own scratch interpreter and holds every text of loading and payload errors;
// each worker's interpreter reloads the libraries when the registry's version moves
// (scripting::sync_libraries, called by FCALL). FCALL, FCALL_RO and FUNCTION KILL live with the
// script runner. Replies follow Redis 7.0.15 (src/functions.c): LIST is an array of maps, STATS a
// map, RESP3 types kept; libraries and functions are listed by name where Redis uses its dicts'
// order (its LIST is documented as of nondeterministic order).
#include <span>
#include <string>
#include <string_view>

#include "scripting/library.h"
#include "scripting/shebang.h"
#include "server/context.h"
#include "server/script_run.h"
#include "server/server.h"
#include "storage/glob.h"

namespace respite::server {

namespace {

using scripting::FunctionInfo;
using scripting::LibraryInfo;
using scripting::RestorePolicy;

// Where a library's redis.log calls go while FUNCTION LOAD runs it: the server log. Nothing else
// of the scripting API is reachable at load time.
class LoadLog : public scripting::Callback {
 public:
  explicit LoadLog(Server& s) : server_(s) {}
  protocol::RespValue call(std::span<const std::string_view>, int, bool) override {
    return protocol::RespValue::null();  // not reached: redis.call does not exist at load time
  }
  void log(int level, std::string_view message) override {
    server_.log(log_level_name(level), std::string(message));
  }

 private:
  Server& server_;
};

// FUNCTION LOAD [REPLACE ...] code: every argument before the last is an option.
void cmd_function_load(CmdCtx& c) {
  bool replace = false;
  size_t i = 2;
  for (; i + 1 < c.argc(); ++i) {
    if (!iequals(c.arg(i), "replace")) return c.error(function_load_option_error(c.arg(i)));
    replace = true;
  }
  LoadLog log(c.server);
  scripting::LibraryRegistry::Result r = c.server.functions.load(c.arg(i), replace, &log);
  if (!r.ok) return c.error(r.error);
  c.reply.bulk(r.name);
}

// Flags as a set of status strings, in Redis's order (no-writes, allow-oom, allow-stale,
// no-cluster, allow-cross-slot-keys).
void reply_flags(CmdCtx& c, uint32_t flags) {
  static constexpr std::pair<uint32_t, std::string_view> kNames[] = {
      {scripting::kFlagNoWrites, "no-writes"},
      {scripting::kFlagAllowOom, "allow-oom"},
      {scripting::kFlagAllowStale, "allow-stale"},
      {scripting::kFlagNoCluster, "no-cluster"},
      {scripting::kFlagAllowCrossSlotKeys, "allow-cross-slot-keys"}};
  size_t n = 0;
  for (auto& [bit, name] : kNames) n += (flags & bit) ? 1 : 0;
  c.reply.set(n);
  for (auto& [bit, name] : kNames) {
    if (flags & bit) c.reply.simple(name);
  }
}

void reply_library(CmdCtx& c, const LibraryInfo& lib, bool with_code) {
  c.reply.map(with_code ? 4 : 3);
  c.reply.bulk("library_name");
  c.reply.bulk(lib.name);
  c.reply.bulk("engine");
  c.reply.bulk(lib.engine);
  c.reply.bulk("functions");
  c.reply.array(lib.functions.size());
  for (const FunctionInfo& f : lib.functions) {
    c.reply.map(3);
    c.reply.bulk("name");
    c.reply.bulk(f.name);
    c.reply.bulk("description");
    if (f.description) {
      c.reply.bulk(*f.description);
    } else {
      c.reply.null();
    }
    c.reply.bulk("flags");
    reply_flags(c, f.flags);
  }
  if (with_code) {
    c.reply.bulk("library_code");
    c.reply.bulk(lib.code);
  }
}

// FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE], each at most once, in any order; the pattern
// matches library names case-insensitively (Redis's stringmatchlen with nocase).
void cmd_function_list(CmdCtx& c) {
  bool with_code = false, have_pattern = false;
  std::string_view pattern;
  for (size_t i = 2; i < c.argc(); ++i) {
    if (!with_code && iequals(c.arg(i), "withcode")) {
      with_code = true;
      continue;
    }
    if (!have_pattern && iequals(c.arg(i), "libraryname")) {
      if (i + 1 >= c.argc()) return c.error(Err::kLibraryNameNotGiven);
      pattern = c.arg(++i);
      have_pattern = true;
      continue;
    }
    return c.error(function_list_argument_error(c.arg(i)));
  }
  auto snap = c.server.functions.snapshot();
  size_t n = 0;
  for (const auto& [name, lib] : snap->libraries)
    n += !have_pattern || storage::glob_match(pattern, name, true) ? 1 : 0;
  c.reply.array(n);
  for (const auto& [name, lib] : snap->libraries) {
    if (!have_pattern || storage::glob_match(pattern, name, true)) reply_library(c, lib, with_code);
  }
}

void cmd_function_delete(CmdCtx& c) {
  if (!c.server.functions.remove(c.arg(2))) return c.error(Err::kLibraryNotFound);
  c.reply.ok();
}

// FUNCTION FLUSH [ASYNC|SYNC]: both free at once (libraries are small; Redis frees them in a
// background thread for ASYNC).
void cmd_function_flush(CmdCtx& c) {
  if (c.argc() > 3) return c.error(subcommand_syntax_error("function", c.arg(1)));
  if (c.argc() == 3 && !iequals(c.arg(2), "sync") && !iequals(c.arg(2), "async"))
    return c.error(Err::kFunctionFlushMode);
  c.server.functions.flush();
  c.reply.ok();
}

void cmd_function_dump(CmdCtx& c) {
  c.reply.bulk(c.server.functions.dump());
}

// FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]: the policy is checked before the payload.
void cmd_function_restore(CmdCtx& c) {
  if (c.argc() > 4) return c.error(subcommand_syntax_error("function", c.arg(1)));
  RestorePolicy policy = RestorePolicy::kAppend;
  if (c.argc() == 4) {
    std::string_view p = c.arg(3);
    if (iequals(p, "append")) {
      policy = RestorePolicy::kAppend;
    } else if (iequals(p, "replace")) {
      policy = RestorePolicy::kReplace;
    } else if (iequals(p, "flush")) {
      policy = RestorePolicy::kFlush;
    } else {
      return c.error(Err::kRestorePolicy);
    }
  }
  scripting::LibraryRegistry::Result r = c.server.functions.restore(c.arg(2), policy);
  if (!r.ok) return c.error(r.error);
  c.reply.ok();
}

// FUNCTION STATS: the function running on any worker (its name, FCALL and duration), and the
// engine's counts.
void cmd_function_stats(CmdCtx& c) {
  auto snap = c.server.functions.snapshot();
  c.reply.map(2);
  c.reply.bulk("running_script");
  RunningFunction running;
  if (running_function(c.server, &running)) {
    c.reply.map(3);
    c.reply.bulk("name");
    c.reply.bulk(running.name);
    c.reply.bulk("command");
    c.reply.array(running.command.size());
    for (const std::string& a : running.command) c.reply.bulk(a);
    c.reply.bulk("duration_ms");
    c.reply.integer(running.duration_ms);
  } else {
    c.reply.null();
  }
  c.reply.bulk("engines");
  c.reply.map(1);
  c.reply.bulk("LUA");
  c.reply.map(2);
  c.reply.bulk("libraries_count");
  c.reply.integer(static_cast<int64_t>(snap->libraries.size()));
  c.reply.bulk("functions_count");
  // Summed over libraries, as Redis's per-engine count: a library may register "f" and "F",
  // which share one entry of the case-insensitive index.
  size_t functions = 0;
  for (const auto& [name, lib] : snap->libraries) functions += lib.functions.size();
  c.reply.integer(static_cast<int64_t>(functions));
}

// FCALL and FCALL_RO: the function by name (any case), then numkeys as Redis checks them, then
// the script runner (script_run.h) with the function's flags.
void fcall_generic(CmdCtx& c, bool ro) {
  WorkerScripting& ws = worker_scripting(c.worker);
  scripting::sync_libraries(*ws.lua, c.server.functions);
  uint32_t flags = 0;
  if (!ws.lua->library_function_flags(c.arg(1), &flags)) return c.error(Err::kFunctionNotFound);
  size_t numkeys;
  if (!parse_numkeys(c, Err::kBadNumKeys, &numkeys)) return;
  run_script(c, {.id = c.arg(1), .run = &scripting::Interpreter::run_library_function}, numkeys,
             {.flags = flags, .ro = ro, .function = true, .name = c.arg(1)});
}

void cmd_fcall(CmdCtx& c) {
  fcall_generic(c, false);
}
void cmd_fcall_ro(CmdCtx& c) {
  fcall_generic(c, true);
}

void cmd_function_kill(CmdCtx& c) {
  Err e = kill_running_script(c.server, /*function=*/true);
  if (e != Err::kOk) return c.error(e);
  c.reply.ok();
}

void cmd_function_help(CmdCtx& c) {
  static const char* lines[] = {
      "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "LOAD [REPLACE] <FUNCTION CODE>",
      "    Create a new library with the given library name and code.",
      "DELETE <LIBRARY NAME>",
      "    Delete the given library.",
      "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
      "    Return general information on all the libraries:",
      "    * Library name",
      "    * The engine used to run the Library",
      "    * Library description",
      "    * Functions list",
      "    * Library code (if WITHCODE is given)",
      "    It also possible to get only function that matches a pattern using LIBRARYNAME "
      "argument.",
      "STATS",
      "    Return information about the current function running:",
      "    * Function name",
      "    * Command used to run the function",
      "    * Duration in MS that the function is running",
      "    If no function is running, return nil",
      "    In addition, returns a list of available engines.",
      "KILL",
      "    Kill the current running function.",
      "FLUSH [ASYNC|SYNC]",
      "    Delete all the libraries.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the libraries.",
      "    * SYNC: Synchronously flush the libraries.",
      "DUMP",
      "    Return a serialized payload representing the current libraries, can be restored using "
      "FUNCTION RESTORE command",
      "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
      "    Restore the libraries represented by the given payload, it is possible to give a "
      "restore policy to",
      "    control how to handle existing libraries (default APPEND):",
      "    * FLUSH: delete all existing libraries.",
      "    * APPEND: appends the restored libraries to the existing libraries. On collision, "
      "abort.",
      "    * REPLACE: appends the restored libraries to the existing libraries, On collision, "
      "replace the old",
      "      libraries with the new libraries (notice that even on this option there is a chance "
      "of failure",
      "      in case of functions name collision with another library).",
      "HELP",
      "    Prints this help."};
  c.reply.array(std::size(lines));
  for (const char* l : lines) c.reply.simple(l);
}

}  // namespace

void register_function_commands(CommandTable& t) {
  constexpr uint32_t N = kNoscript;
  constexpr uint32_t F = kNoscript | kSkipMonitor | kMovableKeys | kStale;
  constexpr std::string_view kSyntax = "function numkeys [key [key ...]] [arg [arg ...]]";
  t.add({.name = "fcall",
         .arity = -3,
         .flags = F | kMayReplicate,
         .numkeys_at = 2,
         .fn = cmd_fcall,
         .doc = {.group = "scripting",
                 .summary = "Invoke a function",
                 .syntax = kSyntax,
                 .since = "7.0.0",
                 .complexity = "Depends on the function that is executed."}});
  t.add({.name = "fcall_ro",
         .arity = -3,
         .flags = F | kReadonly,
         .numkeys_at = 2,
         .fn = cmd_fcall_ro,
         .doc = {.group = "scripting",
                 .summary = "Invoke a read-only function",
                 .syntax = kSyntax,
                 .since = "7.0.0",
                 .complexity = "Depends on the function that is executed."}});
  Command* fn = t.add({.name = "function",
                       .arity = -2,
                       .flags = kNoFlags,
                       .fn = nullptr,
                       .doc = {.group = "scripting",
                               .summary = "A container for function commands",
                               .since = "7.0.0",
                               .complexity = "Depends on subcommand."}});
  t.add_sub(fn, {.name = "load",
                 .arity = -3,
                 .flags = N | kWrite | kDenyOom,
                 .fn = cmd_function_load,
                 .doc = {.summary = "Create a function with the given arguments (name, code, "
                                    "description)",
                         .syntax = "[REPLACE] function-code",
                         .since = "7.0.0",
                         .complexity = "O(1) (considering compilation time is redundant)"}});
  t.add_sub(fn, {.name = "list",
                 .arity = -2,
                 .flags = N,
                 .fn = cmd_function_list,
                 .doc = {.summary = "List information about all the functions",
                         .syntax = "[LIBRARYNAME library-name-pattern] [WITHCODE]",
                         .since = "7.0.0",
                         .complexity = "O(N) where N is the number of functions"}});
  t.add_sub(fn, {.name = "delete",
                 .arity = 3,
                 .flags = N | kWrite,
                 .fn = cmd_function_delete,
                 .doc = {.summary = "Delete a function by name",
                         .syntax = "library-name",
                         .since = "7.0.0"}});
  t.add_sub(fn, {.name = "flush",
                 .arity = -2,
                 .flags = N | kWrite,
                 .fn = cmd_function_flush,
                 .doc = {.summary = "Deleting all functions",
                         .syntax = "[ASYNC | SYNC]",
                         .since = "7.0.0",
                         .complexity = "O(N) where N is the number of functions deleted"}});
  t.add_sub(fn, {.name = "dump",
                 .arity = 2,
                 .flags = N,
                 .fn = cmd_function_dump,
                 .doc = {.summary = "Dump all functions into a serialized binary payload",
                         .since = "7.0.0",
                         .complexity = "O(N) where N is the number of functions"}});
  t.add_sub(fn, {.name = "restore",
                 .arity = -3,
                 .flags = N | kWrite | kDenyOom,
                 .fn = cmd_function_restore,
                 .doc = {.summary = "Restore all the functions on the given payload",
                         .syntax = "serialized-value [FLUSH | APPEND | REPLACE]",
                         .since = "7.0.0",
                         .complexity = "O(N) where N is the number of functions on the payload"}});
  t.add_sub(fn, {.name = "kill",
                 .arity = 2,
                 .flags = N | kAllowBusy,
                 .fn = cmd_function_kill,
                 .doc = {.summary = "Kill the function currently in execution.",
                         .since = "7.0.0",
                         .complexity = "O(1)"}});
  t.add_sub(fn, {.name = "stats",
                 .arity = 2,
                 .flags = N | kAllowBusy,
                 .fn = cmd_function_stats,
                 .doc = {.summary = "Return information about the function currently running "
                                    "(name, description, duration)",
                         .since = "7.0.0"}});
  t.add_sub(fn, {.name = "help",
                 .arity = 2,
                 .flags = kLoading | kStale,
                 .fn = cmd_function_help,
                 .doc = {.summary = "Show helpful text about the different subcommands",
                         .since = "7.0.0"}});
}

}  // namespace respite::server
