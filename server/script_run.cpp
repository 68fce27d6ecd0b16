// Running scripts as transactions across workers; see script_run.h for the locking design, BUSY
// and SCRIPT KILL. The checks before each redis.call follow Redis 7.0's scriptCall (script.c) in
// its order: arity/unknown, noscript, read-only, OOM; their texts are in errors.h.
#include "server/script_run.h"

#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "scripting/interpreter.h"
#include "scripting/shebang.h"
#include "server/acl.h"
#include "server/blocking.h"
#include "server/command_shards.h"
#include "server/connection.h"
#include "server/context.h"
#include "server/dispatch.h"
#include "server/maxmemory.h"
#include "server/multi.h"
#include "server/server.h"
#include "server/tracking.h"
#include "server/worker.h"

namespace respite::server {

// ---- ScriptCache ------------------------------------------------------------------------------

void ScriptCache::put(const std::string& sha, std::string_view body) {
  std::lock_guard<std::mutex> lock(mu_);
  if (bodies_.try_emplace(sha, body).second) bytes_ += sha.size() + body.size();
}

bool ScriptCache::get(std::string_view sha, std::string* body) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = bodies_.find(std::string(sha));
  if (it == bodies_.end()) return false;
  *body = it->second;
  return true;
}

bool ScriptCache::exists(std::string_view sha) const {
  std::lock_guard<std::mutex> lock(mu_);
  return bodies_.count(std::string(sha)) > 0;
}

void ScriptCache::flush() {
  std::lock_guard<std::mutex> lock(mu_);
  bodies_.clear();
  bytes_ = 0;
  generation_.fetch_add(1, std::memory_order_release);
}

size_t ScriptCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bodies_.size();
}

size_t ScriptCache::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

size_t lua_memory(const Server& srv) {
  size_t total = 0;
  for (const auto& w : srv.workers)
    total += w->scripting->lua_bytes.load(std::memory_order_relaxed);
  return total;
}

// ---- per-worker state -------------------------------------------------------------------------

WorkerScripting::WorkerScripting() = default;

WorkerScripting::~WorkerScripting() {
  if (client) {
    client->close();
    delete client;
  }
}

WorkerScripting& worker_scripting(Worker& w) {
  WorkerScripting& ws = *w.scripting;
  uint64_t gen = w.server->scripts.generation();
  if (!ws.lua) {
    ws.lua = std::make_unique<scripting::Interpreter>();
    ws.generation = gen;
    uint64_t id = w.server->next_client_id.fetch_add(1, std::memory_order_relaxed);
    ws.client = new Connection(&w, id, Connection::NoSocket{});
    // Its transaction is "executing" while a script runs: blocking commands answer at once and
    // SWAPDB's blocked clients wait for the end (multi.h), as inside EXEC.
    ws.client->tx = std::make_unique<Transaction>();
    ws.client->in_script = true;
  } else if (ws.generation != gen) {  // SCRIPT FLUSH on some worker since our last script
    ws.lua->flush_functions();
    ws.learned.clear();
    ws.generation = gen;
    ws.lua_bytes.store(ws.lua->memory_used(), std::memory_order_relaxed);
  }
  return ws;
}

namespace {

// How long a script that already wrote retries try_lock on an undeclared key's shard.
constexpr int64_t kUndeclaredWaitMs = 200;
// Consecutive runs holding the whole database without touching an undeclared key after which a
// script runs holding only its declared keys' shards; and how many SHAs a worker remembers.
constexpr uint8_t kGraduateRuns = 3;
constexpr size_t kLearnedMax = 10000;

// A MultiLock-shaped sink that only lists shards (command_shards.h).
struct ShardList {
  std::vector<storage::Shard*>& v;
  void add(storage::Shard* s) { v.push_back(s); }
  void add_key(storage::Keyspace& ks, std::string_view key) {
    add(&ks.shard_for(storage::hash_key(key)));
  }
  void add_all(storage::Keyspace& ks) {
    for (size_t i = 0; i < ks.shard_count(); i++) add(&ks.shard(i));
  }
};

class ScriptRun final : public scripting::Callback {
 public:
  ScriptRun(CmdCtx& c, WorkerScripting& ws, const ScriptOptions& opt, bool oom, bool can_abort)
      : c_(c), ws_(ws), opt_(opt), oom_(oom), can_abort_(can_abort) {
    bool compat = opt.flags & scripting::kFlagEvalCompatMode;
    read_only_ = opt.ro || (!compat && (opt.flags & scripting::kFlagNoWrites));
    allow_oom_ = !compat && (opt.flags & scripting::kFlagAllowOom);
    start_ = std::chrono::steady_clock::now();
  }

  storage::MultiLock locks;
  bool aborted = false;         // abandoned to run again holding the whole database
  bool became_roaming = false;  // an undeclared key's shard stayed busy after a write
  bool undeclared = false;      // a command reached a shard no declared key is on

  void declare(storage::Shard* s) { declared_.push_back(s); }

  protocol::RespValue call(std::span<const std::string_view> argv, int resp, bool) override {
    if (aborted) return protocol::RespValue::error("ERR script abandoned");  // never replied
    Server& srv = c_.server;
    const Command* cmd = srv.commands.find(argv[0]);
    if (cmd && !cmd->subcommands.empty() && argv.size() > 1) cmd = cmd->find_sub(argv[1]);
    if (!cmd) return reject(nullptr, Err::kScriptUnknownCommand);
    if (!cmd->arity_ok(argv.size())) return reject(cmd, Err::kScriptArity);
    if (cmd->has_flag(kNoscript)) return reject(cmd, Err::kScriptDenied);
    // ACLs: the script runs as its caller's user (Redis's scriptVerifyACL).
    if (!c_.conn.acl_unrestricted) [[unlikely]] {
      size_t pos = 0;
      argv_.assign(argv.begin(), argv.end());
      AclDenied r = acl_check(c_.conn, *cmd, argv_, kAclCtxLua, &pos);
      if (r != AclDenied::kOk) {
        return reject(cmd, r == AclDenied::kCmd   ? Err::kScriptAclCmd
                           : r == AclDenied::kKey ? Err::kScriptAclKey
                                                  : Err::kScriptAclChannel);
      }
    }
    const bool write = cmd->has_flag(kWrite);
    const bool replicates = write || cmd->has_flag(kMayReplicate);
    if (read_only_ && replicates) return reject(cmd, Err::kScriptWriteReadonly);
    if (write && srv.config.min_replicas_to_write.load(std::memory_order_relaxed) > 0)
      return reject(cmd, Err::kNoReplicas);
    // As Redis: only the first write of a script may fail for memory; after it, stopping
    // half-way would be worse.
    if (!allow_oom_ && oom_ && !wrote_ && cmd->has_flag(kDenyOom) &&
        srv.config.maxmemory.load(std::memory_order_relaxed) > 0)
      return reject(cmd, Err::kOom);
    if (write && !wrote_) {
      // Under the state mutex, so that SCRIPT KILL either ends us before this first write or
      // answers UNKILLABLE: never both, never a kill after a write.
      std::lock_guard<std::mutex> lock(ws_.state_mu);
      if (ws_.kill) {
        ws_.lua->abort_run();
        return err(Err::kScriptDenied);  // not seen: the kill error ends the script
      }
      ws_.dirty = true;
      wrote_ = true;
    }
    if (!hold_shards(*cmd, argv)) {
      return aborted ? protocol::RespValue::error("ERR script abandoned")
                     : reject(cmd, Err::kScriptShardBusy);
    }
    if (replicates) changed_ = true;
    // Client-side caching: a script that reads makes its caller track the keys it declared.
    if (c_.conn.tracking && !tracked_ && cmd->has_flag(kReadonly) && !cmd->has_flag(kPubsub)) {
      tracked_ = true;
      tracking_remember_keys(c_.conn, *c_.cmd, c_.argv);
    }
    Connection& cl = *ws_.client;
    argv_.assign(argv.begin(), argv.end());
    cl.reply.set_resp(resp);
    run_command(cl, *cmd, argv_, c_.op.now_ms);
    bytes_.clear();
    cl.out.drain_to(&bytes_);
    replies_.clear();
    std::string why;
    if (protocol::read_replies(bytes_, &replies_, &why) != protocol::ParseStatus::kOk ||
        replies_.size() != 1) {
      return protocol::RespValue::error("ERR reply capture: " + why);  // a bug, shown
    }
    return std::move(replies_[0]);
  }

  int check_acl(std::span<const std::string_view> argv) override {
    const Command* cmd = c_.server.commands.find(argv[0]);
    if (cmd && !cmd->subcommands.empty() && argv.size() > 1) cmd = cmd->find_sub(argv[1]);
    if (!cmd) return -1;
    if (c_.conn.acl_unrestricted || !c_.conn.user) return 1;
    // The caller's user, as redis.call checks it, but without an ACL LOG entry (as Redis).
    size_t pos = 0;
    argv_.assign(argv.begin(), argv.end());
    return c_.server.acl.check(*c_.conn.user, *cmd, argv_, &pos) == AclDenied::kOk ? 1 : 0;
  }

  void log(int level, std::string_view message) override {
    c_.server.log(log_level_name(level), std::string(message));
  }

  bool should_kill() override {
    Worker& w = c_.worker;
    if (!ws_.busy) {
      int64_t limit = c_.server.config.busy_reply_threshold.load(std::memory_order_relaxed);
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - start_)
                    .count();
      if (limit > 0 && ms >= limit) {
        ws_.busy = true;
        w.script_busy = opt_.function ? 2 : 1;
        ws_.busy_db = c_.conn.db;
        Server& srv = c_.server;
        srv.busy_script_dbs[ws_.busy_db].fetch_add(1, std::memory_order_relaxed);
        if (opt_.function) srv.busy_functions.fetch_add(1, std::memory_order_relaxed);
        srv.busy_scripts.fetch_add(1, std::memory_order_release);
        c_.server.log("warning",
                      "Slow script detected: still in execution after " + std::to_string(ms) +
                          " milliseconds. You can try killing the script using the " +
                          (opt_.function ? "FUNCTION KILL" : "SCRIPT KILL") + " command.");
      }
    }
    if (ws_.busy) w.serve_while_busy(&c_.conn);
    // SHUTDOWN NOSAVE, SIGTERM: the server goes even under an unkillable script, as Redis does.
    if (c_.server.stopping()) return true;
    std::lock_guard<std::mutex> lock(ws_.state_mu);
    return ws_.kill;
  }

 private:
  static protocol::RespValue err(Err e) {
    return protocol::RespValue::error(std::string(error_text(e)));
  }

  // A command refused before it ran (Redis's scriptCall error path): the error counts in INFO
  // errorstats as if replied, and the command's rejected_calls, though no reply is written; the
  // script then raises or returns it uncounted (Interpreter::reply_error_counted).
  protocol::RespValue reject(const Command* cmd, Err e) {
    Worker& w = c_.worker;
    w.errors.count(error_text(e));
    if (cmd) w.stats.per_command[cmd->id].rejected.add(1);
    w.error_mark = w.errors.total();  // counted here: not a failure of the script's command
    return err(e);
  }

  // Makes sure every shard cmd may lock is held (script_run.h, steps 2 and 3).
  bool hold_shards(const Command& cmd, std::span<const std::string_view> argv) {
    storage::Store& store = c_.server.store;
    int db = ws_.client->db;
    shards_.clear();
    ShardList sink{shards_};
    CommandShards needs;
    auto arg = [&](size_t i) { return argv[i]; };
    add_command_shards(store, &db, cmd, argv.size(), arg, sink, &needs);
    if (needs.all_dbs) {
      for (int i = 0; i < store.databases(); i++) sink.add_all(store.db(i));
    }
    for (storage::Shard* s : shards_) {
      if (!undeclared && std::find(declared_.begin(), declared_.end(), s) == declared_.end())
        undeclared = true;
      if (locks.try_extend(s)) continue;
      if (can_abort_ && !changed_) {
        aborted = true;
        ws_.lua->abort_run();
        return false;
      }
      auto deadline =
          std::chrono::steady_clock::now() + std::chrono::milliseconds(kUndeclaredWaitMs);
      bool got = false;
      while (!got && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::yield();
        got = locks.try_extend(s);
      }
      if (!got) {
        became_roaming = true;
        return false;
      }
    }
    return true;
  }

  CmdCtx& c_;
  WorkerScripting& ws_;
  const ScriptOptions& opt_;
  bool oom_, can_abort_;
  bool read_only_ = false, allow_oom_ = false;
  bool wrote_ = false;    // a write command ran (SCRIPT KILL answers UNKILLABLE)
  bool changed_ = false;  // a write or PUBLISH ran: the run can no longer be abandoned
  bool tracked_ = false;  // the caller's declared keys were remembered for tracking
  std::chrono::steady_clock::time_point start_;
  std::vector<std::string_view> argv_;
  std::vector<storage::Shard*> shards_;
  std::vector<storage::Shard*> declared_;  // the shards of the declared keys
  std::string bytes_;
  std::vector<protocol::RespValue> replies_;
};

}  // namespace

bool parse_numkeys(CmdCtx& c, Err not_int, size_t* numkeys) {
  int64_t n;
  if (!parse_int(c.arg(2), &n)) {
    c.error(not_int);
    return false;
  }
  if (n > static_cast<int64_t>(c.argc()) - 3) {
    c.error(Err::kTooManyKeys);
    return false;
  }
  if (n < 0) {
    c.error(Err::kNumkeysNegative);
    return false;
  }
  *numkeys = static_cast<size_t>(n);
  return true;
}

namespace {

// The checks before a run: error is kOk when it may run; oom tells whether memory was over the
// limit at the start (then the script's first denyoom command fails, unless allow-oom).
struct ScriptCheck {
  Err error = Err::kOk;
  bool oom = false;
};

ScriptCheck check_script_start(CmdCtx& c, const ScriptOptions& opt) {
  ScriptCheck r;
  if (c.server.config.maxmemory.load(std::memory_order_relaxed) > 0) {
    // Redis evicts before every command; a script makes room first as a write would. Inside EXEC
    // eviction would lock shards out of order: memory is only compared there.
    if (executing_transaction(c.conn))
      r.oom = used_memory(c.server) > c.server.config.maxmemory.load(std::memory_order_relaxed);
    else
      r.oom = !enforce_maxmemory(c.worker, c.op.now_ms);
  }
  if (opt.flags & scripting::kFlagEvalCompatMode) return r;
  if (!(opt.flags & scripting::kFlagNoWrites)) {
    if (opt.ro) {
      r.error = Err::kScriptRoCommand;
      return r;
    }
    // A script that may write is a write command to Redis's checks (min-replicas-to-write).
    if (c.server.config.min_replicas_to_write.load(std::memory_order_relaxed) > 0) {
      r.error = Err::kNoReplicas;
      return r;
    }
  }
  // A script that may write and did not say allow-oom is refused as a denyoom command is (Redis
  // applies the script's flags to the command before its OOM check); scriptPrepareForRun's own
  // text is what is left inside EXEC.
  if (r.oom && !(opt.flags & (scripting::kFlagAllowOom | scripting::kFlagNoWrites)))
    r.error = executing_transaction(c.conn) ? Err::kScriptOom : Err::kOom;
  return r;
}

}  // namespace

void run_script(CmdCtx& c, const ScriptTarget& target, size_t numkeys, const ScriptOptions& opt) {
  ScriptCheck check = check_script_start(c, opt);
  if (check.error != Err::kOk) return c.error(check.error);
  const bool oom = check.oom;
  std::span<const std::string_view> all(c.argv);
  std::span<const std::string_view> keys = all.subspan(3, numkeys), args = all.subspan(3 + numkeys);
  WorkerScripting& ws = *c.worker.scripting;
  Connection& cl = *ws.client;
  // Inside EXEC the transaction holds the whole database already (command_shards.h).
  const bool in_exec = executing_transaction(c.conn);
  auto known = ws.learned.find(target.id);
  bool whole_db = !in_exec && (known == ws.learned.end() || known->second < kGraduateRuns);
  protocol::RespValue reply;
  for (;;) {
    ScriptRun run(c, ws, opt, oom, /*can_abort=*/!in_exec && !whole_db);
    storage::Keyspace& ks = c.db();
    for (std::string_view k : keys) run.declare(&ks.shard_for(storage::hash_key(k)));
    if (whole_db) {
      run.locks.add_all(ks);
    } else {
      for (std::string_view k : keys) run.locks.add_key(ks, k);
    }
    run.locks.lock(/*exclusive=*/true);
    cl.db = c.conn.db;
    cl.tx->executing = true;
    {
      std::lock_guard<std::mutex> lock(ws.state_mu);
      ws.kill = false;
      ws.dirty = false;
      ws.function.store(opt.function, std::memory_order_relaxed);
      ws.name.assign(opt.name);
      ws.command.clear();
      if (opt.function) ws.command.assign(c.argv.begin(), c.argv.end());
      ws.started = std::chrono::steady_clock::now();
      ws.running.store(true, std::memory_order_release);
    }
    bool found = (ws.lua.get()->*target.run)(target.id, keys, args, &run, &reply) ==
                 scripting::Interpreter::RunStatus::kOk;
    ws.running.store(false, std::memory_order_release);
    run.locks.clear();
    cl.tx->executing = false;
    if (ws.busy) {
      ws.busy = false;
      c.worker.script_busy = 0;
      c.server.busy_scripts.fetch_sub(1, std::memory_order_release);
      if (opt.function) c.server.busy_functions.fetch_sub(1, std::memory_order_relaxed);
      c.server.busy_script_dbs[ws.busy_db].fetch_sub(1, std::memory_order_relaxed);
    }
    // SWAPDB's blocked clients, now that no shard is held (or EXEC's, after it).
    for (int db : cl.tx->swapped_dbs) signal_db_ready(c, db);
    cl.tx->swapped_dbs.clear();
    if (!found) return c.error(opt.function ? Err::kFunctionNotFound : Err::kNoScript);
    if (!in_exec) {
      if (ws.learned.size() >= kLearnedMax && !ws.learned.contains(target.id)) ws.learned.clear();
      auto it = ws.learned.try_emplace(std::string(target.id), 0).first;
      if (run.aborted || run.undeclared || run.became_roaming)
        it->second = 0;
      else if (it->second < kGraduateRuns)
        it->second++;
    }
    if (run.aborted) {
      ws.abandoned.fetch_add(1, std::memory_order_release);
      whole_db = true;
      continue;
    }
    break;
  }
  ws.lua_bytes.store(ws.lua->memory_used(), std::memory_order_relaxed);
  if (reply.is_error() && ws.lua->reply_error_counted()) {
    // A redis.call error the script passed on: counted where it arose; the script's command is
    // still a failed call (Redis's ERR_REPLY_FLAG_NO_STATS_UPDATE).
    protocol::ReplyWriter::ErrorHook hook = c.reply.error_hook();
    void* hook_ctx = c.reply.error_hook_ctx();
    c.reply.set_error_hook(nullptr, nullptr);
    protocol::write_reply(c.reply, reply);
    c.reply.set_error_hook(hook, hook_ctx);
    c.worker.stats.per_command[c.cmd->id].failed.add(1);
    return;
  }
  protocol::write_reply(c.reply, reply);
}

bool running_function(Server& srv, RunningFunction* out) {
  for (auto& w : srv.workers) {
    WorkerScripting& ws = *w->scripting;
    std::lock_guard<std::mutex> lock(ws.state_mu);
    if (!ws.running.load(std::memory_order_acquire) || !ws.function.load(std::memory_order_relaxed))
      continue;
    out->name = ws.name;
    out->command = ws.command;
    out->duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - ws.started)
                           .count();
    return true;
  }
  return false;
}

Err kill_running_script(Server& srv, bool function) {
  bool any = false;
  for (auto& w : srv.workers) {
    WorkerScripting& ws = *w->scripting;
    std::lock_guard<std::mutex> lock(ws.state_mu);
    if (!ws.running.load(std::memory_order_acquire)) continue;
    any = true;
    if (ws.dirty) return Err::kUnkillable;
    bool is_function = ws.function.load(std::memory_order_relaxed);
    if (!function && is_function) return Err::kBusyFunction;
    if (function && !is_function) return Err::kBusyEval;
    ws.kill = true;
  }
  return any ? Err::kOk : Err::kNotBusy;
}

}  // namespace respite::server
