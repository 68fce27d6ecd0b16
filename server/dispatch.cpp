// Command dispatch; see dispatch.h. Error texts follow Redis 7.0's processCommand word for word.
#include "server/dispatch.h"

#include <string>

#include "server/acl.h"
#include "server/blocking.h"
#include "server/client_pause.h"
#include "server/command_shards.h"
#include "server/context.h"
#include "server/errors.h"
#include "server/foreign_protocol.h"
#include "server/maxmemory.h"
#include "server/monitor.h"
#include "server/multi.h"
#include "server/pubsub.h"
#include "server/server.h"
#include "server/slowlog.h"
#include "server/tracking.h"

namespace respite::server {

namespace {

void unknown_command(protocol::ReplyWriter& r, const std::vector<std::string_view>& argv) {
  r.error(unknown_command_error(argv));
}

void unknown_subcommand(protocol::ReplyWriter& r, const Command& parent, std::string_view sub) {
  r.error(unknown_subcommand_error(parent.name, sub.substr(0, 128)));
}

// A command that ran for at least slowlog-log-slower-than: out of line, the hot path only
// compares. EXEC is not logged itself (the commands it ran are), as in Redis, nor is a command
// that blocked: it is logged when its wait ends (log_unblocked).
[[gnu::noinline]] void log_slow(Connection& c, const Command& cmd,
                                const std::vector<std::string_view>& argv, int64_t us,
                                int64_t now_ms, bool unblocked = false) {
  if (is_exec(cmd) || (c.blocked() && !unblocked)) return;
  Server& srv = *c.worker->server;
  std::vector<std::string_view> shown(argv);
  slowlog_redact(cmd.name, shown);
  int64_t max_len = srv.config.slowlog_max_len.load(std::memory_order_relaxed);
  srv.slowlog.add(shown, us, now_ms / 1000, c.addr.empty() ? std::string_view("?:0") : c.addr,
                  c.client_name(), static_cast<size_t>(max_len));
}

// Whether cmd would lock or read a database that a busy script holds: its keys' database, or
// the one it names (MOVE, COPY, SWAPDB, FLUSHALL). EXEC stands for its queued commands: refused
// while any database is held, as Redis refuses it.
[[gnu::noinline]] bool waits_for_busy_script(Connection& c, const Command& cmd,
                                             const std::vector<std::string_view>& argv) {
  if (is_exec(cmd)) return true;
  Server& srv = *c.worker->server;
  struct Sink {
    Server& srv;
    bool hit = false;
    void add_all(storage::Keyspace& ks) {
      hit = hit || srv.busy_script_dbs[ks.index()].load(std::memory_order_relaxed) > 0;
    }
    void add_key(storage::Keyspace& ks, std::string_view) { add_all(ks); }
  } sink{srv};
  CommandShards needs;
  int db = c.db;
  auto arg = [&](size_t i) { return argv[i]; };
  add_command_shards(srv.store, &db, cmd, argv.size(), arg, sink, &needs);
  return sink.hit || needs.all_dbs;
}

}  // namespace

void log_unblocked(Connection& c, const Command& cmd, const std::vector<std::string>& argv,
                   int64_t us) {
  const int64_t slower =
      c.worker->server->config.slowlog_log_slower_than.load(std::memory_order_relaxed);
  if (slower < 0 || us < slower) return;
  std::vector<std::string_view> views(argv.begin(), argv.end());
  log_slow(c, cmd, views, us, c.worker->now_ms(), /*unblocked=*/true);
}

namespace {

// A worker's first call of a command with latency-tracking on: its histogram (4 KiB) is made
// then, so that commands never called cost no memory. Published with release for INFO's readers.
[[gnu::noinline]] LatencyHistogram* new_histogram(CommandStats& cs) {
  auto* h = new LatencyHistogram();
  cs.latency.store(h, std::memory_order_release);
  return h;
}

// The latency monitor is on: a command of at least its threshold is an event, "fast-command" for
// one flagged fast as in Redis. Out of line: the hot path only tests whether the monitor is on.
[[gnu::noinline]] void monitor_command(Server& srv, const Command& cmd, int64_t ns) {
  srv.latency_event(cmd.has_flag(kFast) ? "fast-command" : "command", ns / 1000000);
}

// Someone monitors or clients are paused (Server::command_hooks), before the command runs: the
// script commands, which Redis shows before the commands their script runs, are fed to monitors,
// and a paused dataset keeps its expired keys (client_pause.h).
[[gnu::noinline]] void hooks_before(CmdCtx& ctx, uint32_t hooks) {
  Server& srv = ctx.server;
  if ((hooks & kHookPause) && srv.pause.current(ctx.op.now_ms) != ClientPause::kOff)
    ctx.op.keep_expired = true;
  if ((hooks & kHookMonitor) && ctx.cmd->has_flag(kSkipMonitor))
    srv.monitors.feed(ctx.worker, ctx.conn, ctx.conn.db, ctx.argv);
}

// After the command: fed to monitors as Redis's call() does, with AUTH's and HELLO's secrets
// redacted, but never an admin command (CONFIG, CLIENT LIST, ...) nor the script commands, shown
// before they ran.
[[gnu::noinline]] void hooks_after(Connection& c, const Command& cmd,
                                   const std::vector<std::string_view>& argv) {
  const int db = c.db;  // as Redis shows it: after the command (SELECT shows its new database)
  if (cmd.has_flag(kSkipMonitor | kAdmin)) return;
  Server& srv = *c.worker->server;
  if (cmd.name == "auth" || cmd.name == "hello") {
    std::vector<std::string_view> shown(argv);
    slowlog_redact(cmd.name, shown);
    srv.monitors.feed(*c.worker, c, db, shown);
    return;
  }
  srv.monitors.feed(*c.worker, c, db, argv);
}

// The handler and its bookkeeping: inlined into dispatch(), whose hot path it is (a call here cost
// GET 18 instructions), and behind run_command() for EXEC and scripts' redis.call.
[[gnu::always_inline]] inline void run(Connection& c, const Command& cmd,
                                       const std::vector<std::string_view>& argv, int64_t now_ms,
                                       uint32_t hooks) {
  Worker& w = *c.worker;
  c.last_cmd.store(&cmd, std::memory_order_relaxed);
  CmdCtx ctx{*w.server, w, c, c.reply, argv, &cmd, storage::OpCtx{w.epoch, now_ms, 0, &w.notify}};
  // As Redis's call(): the command failed when an error was replied while it ran, but not one
  // that a command it ran itself (EXEC's queue, redis.call) replied, which moves the mark on.
  w.error_mark = w.errors.total();
  const CommandClock& clock = w.server->clock;
  // Read once: the checks below would otherwise reload Server and its Config reference each.
  const Config& cfg = w.server->config;
  // MONITOR, CLIENT PAUSE (hooks: Server::command_hooks, loaded once by the caller).
  if (hooks) [[unlikely]]
    hooks_before(ctx, hooks);
  const uint64_t start = clock.now();
  w.command_depth++;
  cmd.fn(ctx);
  w.command_depth--;
  if (hooks & kHookMonitor) [[unlikely]]
    hooks_after(c, cmd, argv);
  const int64_t ns = clock.ns_between(start, clock.now());
  CommandStats& cs = w.stats.per_command[cmd.id];
  cs.calls.add(1);
  cs.ns.add(static_cast<uint64_t>(ns));
  // INFO latencystats: one bucket of this worker's own histogram (latency_histogram.h).
  if (cfg.latency_tracking.load(std::memory_order_relaxed)) [[likely]] {
    LatencyHistogram* h = cs.latency.load(std::memory_order_relaxed);
    if (!h) [[unlikely]]
      h = new_histogram(cs);
    h->record(static_cast<uint64_t>(ns));
  }
  const uint64_t errors = w.errors.total();
  if (errors > w.error_mark) cs.failed.add(1);  // not after CONFIG RESETSTAT zeroed them
  w.error_mark = errors;
  w.stats.commands.add(1);
  if (ctx.op.expired) w.stats.expired.add(ctx.op.expired);
  // SLOWLOG: one relaxed load and a compare for a fast command (slowlog.h).
  const int64_t slower = cfg.slowlog_log_slower_than.load(std::memory_order_relaxed);
  if (ns / 1000 >= slower && slower >= 0) [[unlikely]]
    log_slow(c, cmd, argv, ns / 1000, now_ms);
  // LATENCY: as Redis's call(), every command is sampled, EXEC's and scripts' ones included; off
  // (the default), one load and a test.
  if (cfg.latency_monitor_threshold.load(std::memory_order_relaxed) > 0) [[unlikely]]
    monitor_command(*w.server, cmd, ns);
  // Blocked clients are served once the whole command that made their keys ready has finished: a
  // command run by another (EXEC, a script) leaves its keys queued for the outermost one.
  if (w.command_depth == 0 && !w.ready_keys.empty()) serve_ready_keys(w);
  // Keyspace notifications go out once the reply is complete, never inside it (notify.h).
  if (w.command_depth == 0) w.notify.flush();
  c.last_cmd.store(&cmd, std::memory_order_relaxed);
}

// A client with CLIENT TRACKING on: its read-only command's keys are remembered before it runs,
// and it is the writer NOLOOP leaves out (tracking.h). Out of line: the common path only tests
// the flag.
[[gnu::noinline]] void run_tracked(Connection& c, const Command& cmd,
                                   const std::vector<std::string_view>& argv, int64_t now_ms,
                                   uint32_t hooks) {
  uint64_t saved = tracking_before(c, cmd, argv);
  run(c, cmd, argv, now_ms, hooks);
  tracking_after(c, cmd, saved);
}

[[gnu::always_inline]] inline void execute(Connection& c, const Command& cmd,
                                           const std::vector<std::string_view>& argv,
                                           int64_t now_ms, uint32_t hooks) {
  if (c.tracking) [[unlikely]]
    return run_tracked(c, cmd, argv, now_ms, hooks);
  run(c, cmd, argv, now_ms, hooks);
}

// Refuses a command before it runs (Redis's rejectCommand): the error, the transaction flagged,
// and the command's rejected_calls counted.
void reject(Connection& c, const Command& cmd, std::string_view msg) {
  reject_command(c, &cmd, msg);
  c.worker->stats.per_command[cmd.id].rejected.add(1);
}

// A user with limited rules: Redis's ACL check, logged and refused with its NOPERM text.
[[gnu::noinline]] bool acl_permits(Connection& c, const Command& cmd,
                                   const std::vector<std::string_view>& argv) {
  size_t pos = 0;
  AclDenied r = acl_check(c, cmd, argv, in_multi(c) ? kAclCtxMulti : kAclCtxToplevel, &pos);
  if (r == AclDenied::kOk) return true;
  if (r == AclDenied::kCmd)
    reject(c, cmd, noperm_command_error(cmd.name));
  else
    reject(c, cmd, error_text(r == AclDenied::kKey ? Err::kNoPermKey : Err::kNoPermChannel));
  return false;
}

}  // namespace

void dispatch(Connection& c, const std::vector<std::string_view>& argv, int64_t now_ms) {
  Worker& w = *c.worker;
  Server& srv = *w.server;
  // An ACL change since this client's last command: take its user's new rules (acl.h). One load
  // and a compare otherwise.
  if (c.acl_epoch != srv.acl.epoch()) [[unlikely]] {
    if (!acl_refresh(c)) return;  // its user is gone: the client is closing
  }
  const Command* cmd = srv.commands.find(argv[0]);
  if (!cmd) {
    if (c.has_socket() && looks_like_http(argv)) return refuse_foreign_protocol(c, false);
    unknown_command(c.reply, argv);
    if (in_multi(c)) reject_command(c, nullptr, {});  // flags the transaction (multi.h)
    return;
  }
  if (!cmd->subcommands.empty()) {
    if (argv.size() == 1) {
      if (!cmd->fn) {  // a pure container (CONFIG, CLIENT): Redis's arity error
        reject(c, *cmd, arity_error(cmd->name));
        return;
      }
    } else {
      const Command* sub = cmd->find_sub(argv[1]);
      if (!sub) {
        unknown_subcommand(c.reply, *cmd, argv[1]);
        if (in_multi(c)) reject_command(c, nullptr, {});
        return;
      }
      cmd = sub;
    }
  }
  if (!cmd->arity_ok(argv.size())) {
    if (c.has_socket() && looks_like_http(argv)) return refuse_foreign_protocol(c, false);
    reject(c, *cmd, arity_error(cmd->name));
    return;
  }
  if (!c.authenticated && !cmd->has_flag(kNoAuth)) {
    reject(c, *cmd, error_text(Err::kNoAuth));
    return;
  }
  if (!c.acl_unrestricted) [[unlikely]] {
    if (!acl_permits(c, *cmd, argv)) return;
  }
  const bool multi = in_multi(c);
  if (multi && cmd->has_flag(kNoMulti)) {
    reject(c, *cmd, error_text(Err::kNotAllowedInMulti));
    return;
  }
  // A script on this worker is past busy-reply-threshold and we are inside its hook
  // (script_run.h), or a command of this worker waits for a busy script's shard
  // (Worker::on_lock_wait): only allow-busy commands run. WATCH, the one with keys, not in the
  // second case: its shard lock could wait again, or be one the waiting command holds.
  if (w.script_busy && (!cmd->has_flag(kAllowBusy) || (w.serving_lock_wait && cmd->first_key > 0)))
      [[unlikely]] {
    reject(c, *cmd, error_text(w.script_busy == 2 ? Err::kBusyFunction : Err::kBusyEval));
    return;
  }
  // One on another worker: what would wait for its shards is refused too (script_run.h), WATCH
  // included, except on the script's own worker, where its hold lets WATCH through.
  if (srv.busy_scripts.load(std::memory_order_acquire) > 0 &&
      (!cmd->has_flag(kAllowBusy) || (cmd->first_key > 0 && !w.script_busy)) &&
      waits_for_busy_script(c, *cmd, argv)) [[unlikely]] {
    bool function = srv.busy_functions.load(std::memory_order_relaxed) > 0;
    reject(c, *cmd, error_text(function ? Err::kBusyFunction : Err::kBusyEval));
    return;
  }
  // maxmemory: a command that may grow the dataset first makes room (server/maxmemory.h). As in
  // Redis, inside MULTI every command but EXEC and DISCARD is refused while out of memory, and
  // EXEC is when it queued a denyoom command.
  bool denyoom = cmd->has_flag(kDenyOom) || (multi && !runs_in_multi(*cmd)) ||
                 (multi && is_exec(*cmd) && queued_denyoom(c));
  if (denyoom && srv.config.maxmemory.load(std::memory_order_relaxed) > 0 &&
      !enforce_maxmemory(w, now_ms)) {
    reject(c, *cmd, error_text(Err::kOom));
    return;
  }
  // min-replicas-to-write: with no replica ever connected, any value above 0 refuses writes, as
  // Redis's master without replicas does (after its OOM check, as there).
  if (cmd->has_flag(kWrite) && srv.config.min_replicas_to_write.load(std::memory_order_relaxed) > 0)
      [[unlikely]] {
    reject(c, *cmd, error_text(Err::kNoReplicas));
    return;
  }
  // A RESP2 client with a subscription reads pushes: only (un)subscribing and a few others.
  if (c.reply.resp() == 2 && c.pubsub_mode() && !allowed_in_resp2_pubsub(*cmd)) {
    reject(c, *cmd, pubsub_context_error(cmd->name));
    return;
  }
  // MONITOR and CLIENT PAUSE (monitor.h, client_pause.h): one relaxed load per command while
  // neither is on. A monitor is a replica to Redis, kept away from the keyspace; a paused command
  // waits, unparsed, for the pause to end.
  const uint32_t hooks = srv.command_hooks.load(std::memory_order_relaxed);
  if (hooks) [[unlikely]] {
    if (c.monitoring.load(std::memory_order_relaxed) &&
        cmd->has_flag(kReadonly | kWrite | kMayReplicate)) {
      reject(c, *cmd, error_text(Err::kReplicaKeyspace));
      return;
    }
    if ((hooks & kHookPause) && postpone_if_paused(c, *cmd, argv, now_ms)) return;
  }
  if (multi && !runs_in_multi(*cmd)) {
    c.last_cmd.store(cmd, std::memory_order_relaxed);  // CLIENT LIST's cmd, as Redis sets it
    queue_command(c, *cmd, argv);
    return;
  }
  execute(c, *cmd, argv, now_ms, hooks);
}

void run_command(Connection& c, const Command& cmd, const std::vector<std::string_view>& argv,
                 int64_t now_ms) {
  execute(c, cmd, argv, now_ms, c.worker->server->command_hooks.load(std::memory_order_relaxed));
}

}  // namespace respite::server
