// The scripting family: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT LOAD / EXISTS / FLUSH /
// KILL / HELP, with Redis 7.0's argument checks and replies (eval.c). The scripts themselves run
// in the worker's interpreter under server/script_run.h's locking; this file finds or compiles
// the script, checks its shebang flags against the command, and hands it over.
#include <string>

#include "scripting/interpreter.h"
#include "scripting/shebang.h"
#include "server/command.h"
#include "server/context.h"
#include "server/script_run.h"

namespace respite::server {

namespace {

// Compiles body into this worker's interpreter (once) and records it for every worker. Replies
// the compile error and returns false when it does not compile.
bool load_body(CmdCtx& c, WorkerScripting& ws, std::string_view body, std::string* sha,
               uint32_t* flags) {
  size_t before = ws.lua->function_count();
  scripting::Interpreter::AddResult r = ws.lua->add_function(body);
  if (!r.ok) {
    c.error(r.error);
    return false;
  }
  if (ws.lua->function_count() != before) c.server.scripts.put(r.sha, body);
  *sha = std::move(r.sha);
  *flags = r.flags;
  return true;
}

// Runs the compiled script `sha` (any case) with the command's keys and arguments.
void run_eval(CmdCtx& c, std::string_view sha, uint32_t flags, size_t numkeys, bool ro) {
  run_script(c, {.id = sha, .run = &scripting::Interpreter::run_function}, numkeys,
             {.flags = flags, .ro = ro});
}

void eval_generic(CmdCtx& c, bool by_sha, bool ro) {
  size_t numkeys;
  if (!parse_numkeys(c, Err::kNotInt, &numkeys)) return;
  WorkerScripting& ws = worker_scripting(c.worker);
  std::string sha;
  uint32_t flags = 0;
  if (!by_sha) {
    if (!load_body(c, ws, c.arg(1), &sha, &flags)) return;
  } else {
    std::string_view given = c.arg(1);
    if (given.size() != 40) return c.error(Err::kNoScript);
    // The interpreter takes the SHA in any case; only the shared cache wants it lowered.
    if (ws.lua->flags_of(given, &flags)) {
      return run_eval(c, given, flags, numkeys, ro);
    }
    std::string body;
    if (!c.server.scripts.get(lowercase(given), &body)) return c.error(Err::kNoScript);
    if (!load_body(c, ws, body, &sha, &flags)) return;
  }
  run_eval(c, sha, flags, numkeys, ro);
}

void cmd_eval(CmdCtx& c) {
  eval_generic(c, false, false);
}
void cmd_evalsha(CmdCtx& c) {
  eval_generic(c, true, false);
}
void cmd_eval_ro(CmdCtx& c) {
  eval_generic(c, false, true);
}
void cmd_evalsha_ro(CmdCtx& c) {
  eval_generic(c, true, true);
}

void cmd_script_load(CmdCtx& c) {
  WorkerScripting& ws = worker_scripting(c.worker);
  std::string sha;
  uint32_t flags;
  if (!load_body(c, ws, c.arg(2), &sha, &flags)) return;
  c.reply.bulk(sha);
}

void cmd_script_exists(CmdCtx& c) {
  c.reply.array(c.argc() - 2);
  for (size_t i = 2; i < c.argc(); i++)
    c.reply.integer(c.server.scripts.exists(lowercase(c.arg(i))) ? 1 : 0);
}

void cmd_script_flush(CmdCtx& c) {
  if (c.argc() == 3) {
    if (!iequals(c.arg(2), "sync") && !iequals(c.arg(2), "async"))
      return c.error(Err::kScriptFlushOption);
  } else if (c.argc() != 2) {
    return c.error(Err::kScriptFlushOption);
  }
  // Every worker's interpreter forgets its scripts when it next runs one (the generation moved);
  // this one at once, so that its memory goes now.
  c.server.scripts.flush();
  worker_scripting(c.worker);
  c.reply.ok();
}

void cmd_script_kill(CmdCtx& c) {
  Err e = kill_running_script(c.server, /*function=*/false);
  if (e != Err::kOk) return c.error(e);
  c.reply.ok();
}

void cmd_script_help(CmdCtx& c) {
  static const char* lines[] = {
      "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DEBUG (YES|SYNC|NO)",
      "    Set the debug mode for subsequent scripts executed.",
      "EXISTS <sha1> [<sha1> ...]",
      "    Return information about the existence of the scripts in the script cache.",
      "FLUSH [ASYNC|SYNC]",
      "    Flush the Lua scripts cache. Very dangerous on replicas.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the scripts cache.",
      "    * SYNC: Synchronously flush the scripts cache.",
      "KILL",
      "    Kill the currently executing Lua script.",
      "LOAD <script>",
      "    Load a script into the scripts cache without executing it.",
      "HELP",
      "    Prints this help."};
  c.reply.array(std::size(lines));
  for (const char* l : lines) c.reply.simple(l);
}

}  // namespace

void register_scripting_commands(CommandTable& t) {
  constexpr std::string_view g = "scripting";
  constexpr uint32_t E = kNoscript | kSkipMonitor | kMovableKeys | kStale;
  constexpr std::string_view kSyntax = "script numkeys [key [key ...]] [arg [arg ...]]";
  constexpr std::string_view kShaSyntax = "sha1 numkeys [key [key ...]] [arg [arg ...]]";
  constexpr std::string_view kDepends = "Depends on the script that is executed.";
  t.add({.name = "eval",
         .arity = -3,
         .flags = E | kMayReplicate,
         .numkeys_at = 2,
         .fn = cmd_eval,
         .doc = {.group = g,
                 .summary = "Execute a Lua script server side",
                 .syntax = kSyntax,
                 .since = "2.6.0",
                 .complexity = kDepends}});
  t.add({.name = "evalsha",
         .arity = -3,
         .flags = E | kMayReplicate,
         .numkeys_at = 2,
         .fn = cmd_evalsha,
         .doc = {.group = g,
                 .summary = "Execute a Lua script server side",
                 .syntax = kShaSyntax,
                 .since = "2.6.0",
                 .complexity = kDepends}});
  t.add({.name = "eval_ro",
         .arity = -3,
         .flags = E | kReadonly,
         .numkeys_at = 2,
         .fn = cmd_eval_ro,
         .doc = {.group = g,
                 .summary = "Execute a read-only Lua script server side",
                 .syntax = kSyntax,
                 .since = "7.0.0",
                 .complexity = kDepends}});
  t.add({.name = "evalsha_ro",
         .arity = -3,
         .flags = E | kReadonly,
         .numkeys_at = 2,
         .fn = cmd_evalsha_ro,
         .doc = {.group = g,
                 .summary = "Execute a read-only Lua script server side",
                 .syntax = kShaSyntax,
                 .since = "7.0.0",
                 .complexity = kDepends}});
  Command* script = t.add({.name = "script",
                           .arity = -2,
                           .flags = kNoFlags,
                           .fn = nullptr,
                           .doc = {.group = g,
                                   .summary = "A container for Lua scripts management commands",
                                   .since = "2.6.0",
                                   .complexity = "Depends on subcommand."}});
  t.add_sub(script, {.name = "load",
                     .arity = 3,
                     .flags = kNoscript | kStale,
                     .fn = cmd_script_load,
                     .doc = {.summary = "Load the specified Lua script into the script cache.",
                             .syntax = "script",
                             .since = "2.6.0",
                             .complexity = "O(N) with N being the length in bytes of the script "
                                           "body."}});
  t.add_sub(script, {.name = "exists",
                     .arity = -3,
                     .flags = kNoscript,
                     .fn = cmd_script_exists,
                     .doc = {.summary = "Check existence of scripts in the script cache.",
                             .syntax = "sha1 [sha1 ...]",
                             .since = "2.6.0",
                             .complexity = "O(N) with N being the number of scripts to check (so "
                                           "checking a single script is an O(1) operation)."}});
  t.add_sub(script, {.name = "flush",
                     .arity = -2,
                     .flags = kNoscript,
                     .fn = cmd_script_flush,
                     .doc = {.summary = "Remove all the scripts from the script cache.",
                             .syntax = "[ASYNC | SYNC]",
                             .since = "2.6.0",
                             .complexity = "O(N) with N being the number of scripts in cache"}});
  t.add_sub(script, {.name = "kill",
                     .arity = 2,
                     .flags = kNoscript | kAllowBusy,
                     .fn = cmd_script_kill,
                     .doc = {.summary = "Kill the script currently in execution.",
                             .since = "2.6.0",
                             .complexity = "O(1)"}});
  t.add_sub(script, {.name = "help",
                     .arity = 2,
                     .flags = kLoading | kStale,
                     .fn = cmd_script_help,
                     .doc = {.summary = "Show helpful text about the different subcommands",
                             .since = "5.0.0",
                             .complexity = "O(1)"}});
}

}  // namespace respite::server
