// CLIENT PAUSE's state, the postponing of commands and their resumption; see client_pause.h.
#include "server/client_pause.h"

#include <uv.h>

#include <algorithm>
#include <string>

#include "scripting/shebang.h"
#include "server/ascii.h"
#include "server/command.h"
#include "server/connection.h"
#include "server/monitor.h"
#include "server/multi.h"
#include "server/server.h"
#include "server/worker.h"

namespace respite::server {

void ClientPause::pause(Type t, int64_t end_ms, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  int old = type_.load(std::memory_order_relaxed);
  int64_t old_end = end_ms_.load(std::memory_order_relaxed);
  if (old_end < now_ms) old = kOff;  // that one is over
  // As Redis's pauseClients: one pause per purpose, growing to the stricter type and later end.
  end_ms_.store(old == kOff ? end_ms : std::max(old_end, end_ms), std::memory_order_relaxed);
  type_.store(std::max(old, static_cast<int>(t)), std::memory_order_relaxed);
  hooks_.fetch_or(kHookPause, std::memory_order_relaxed);
}

void ClientPause::clear_if_over(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  if (now_ms <= end_ms_.load(std::memory_order_relaxed)) return;
  type_.store(kOff, std::memory_order_relaxed);
  hooks_.fetch_and(~uint32_t{kHookPause}, std::memory_order_relaxed);
}

void ClientPause::unpause() {
  std::lock_guard<std::mutex> lock(mu_);
  type_.store(kOff, std::memory_order_relaxed);
  end_ms_.store(0, std::memory_order_relaxed);
  hooks_.fetch_and(~uint32_t{kHookPause}, std::memory_order_relaxed);
}

namespace {

constexpr uint32_t kWriteLike = kWrite | kMayReplicate;

// Whether a script command may write: EVAL and EVALSHA scripts declare no-writes in their shebang
// (Redis's evalGetCommandFlags), FCALL's functions in their registration (fcallGetCommandFlags);
// an unknown script or function counts as writing (it fails anyway, once the pause ends).
bool script_may_write(Server& srv, const Command& cmd, const std::vector<std::string_view>& argv) {
  std::string body;
  if (cmd.name == "fcall") {
    if (argv.size() < 2) return true;
    auto snap = srv.functions.snapshot();
    const scripting::LibraryInfo* lib = nullptr;
    const scripting::FunctionInfo* fn = snap ? snap->find_function(argv[1], &lib) : nullptr;
    return !(fn && (fn->flags & scripting::kFlagNoWrites));
  }
  if (cmd.name == "eval") {
    body.assign(argv[1]);
  } else if (cmd.name == "evalsha") {
    if (!srv.scripts.get(lowercase(argv[1]), &body)) return true;
  } else {
    return true;
  }
  scripting::Shebang sb = scripting::parse_eval_shebang(body);
  return !(sb.ok && (sb.flags & scripting::kFlagNoWrites));
}

bool may_write(Server& srv, const Connection& c, const Command& cmd,
               const std::vector<std::string_view>& argv) {
  if (is_exec(cmd)) {
    if (!c.tx) return false;
    for (const Transaction::Queued& q : c.tx->queue)
      if (q.cmd->has_flag(kWriteLike)) return true;
    return false;
  }
  if (!cmd.has_flag(kWriteLike)) return false;
  if (cmd.has_flag(kSkipMonitor)) return script_may_write(srv, cmd, argv);  // the script commands
  return true;
}

void on_pause_timer(uv_timer_t* t) {
  resume_postponed(*static_cast<Worker*>(t->data));
}

// Wakes w when the pause in effect ends (owner thread).
void arm_timer(Worker& w, int64_t now_ms) {
  if (!w.pause_timer) {
    w.pause_timer = new uv_timer_t;
    uv_timer_init(&w.loop, w.pause_timer);
    w.pause_timer->data = &w;
  }
  int64_t wait = w.server->pause.end_ms() - now_ms + 1;  // paused while now <= end
  uv_timer_start(w.pause_timer, on_pause_timer, static_cast<uint64_t>(std::max<int64_t>(wait, 0)),
                 0);
}

}  // namespace

bool postpone_if_paused(Connection& c, const Command& cmd,
                        const std::vector<std::string_view>& argv, int64_t now_ms) {
  Server& srv = *c.worker->server;
  ClientPause::Type t = srv.pause.current(now_ms);
  if (t == ClientPause::kOff) {
    srv.pause.clear_if_over(now_ms);  // so that later commands skip this check
    return false;
  }
  // Commands run by commands (EXEC's queue, redis.call) are part of one already admitted.
  if (c.in_script || c.worker->command_depth > 0 || !c.has_socket()) return false;
  if (t == ClientPause::kWrite && !may_write(srv, c, cmd, argv)) return false;
  if (!c.postponed) {
    c.postponed = true;
    c.blocked_shown.store(true, std::memory_order_relaxed);
    c.worker->postponed.push_back(&c);
    arm_timer(*c.worker, now_ms);
  }
  return true;
}

void resume_postponed(Worker& w) {
  // As Redis's unblockPostponedClients: every postponed client runs again, and dispatch postpones
  // once more (re-arming the timer) whatever a pause still covers, e.g. after it was extended.
  std::vector<Connection*> todo;
  todo.swap(w.postponed);
  for (Connection* c : todo) {
    c->postponed = false;
    c->blocked_shown.store(false, std::memory_order_relaxed);
  }
  // A client closed by another's command meanwhile is freed only by a later loop callback.
  for (Connection* c : todo) c->resume();
}

void resume_all_postponed(Server& srv) {
  for (auto& w : srv.workers) w->post([](Worker& x) { resume_postponed(x); });
}

}  // namespace respite::server
