// CLIENT PAUSE / UNPAUSE, as Redis 7.0: while a pause is in effect, a client's command that the
// pause covers (every command for ALL; for WRITE, writes, commands that may replicate such as
// PUBLISH and scripts that may write, and an EXEC that queued any of them) is postponed: it stays
// unparsed in the client's buffer, the client shows flag 'b', and the worker runs it again once
// the pause ends (its timeout passes, or CLIENT UNPAUSE). Nothing is lost or reordered: the
// postponed command and whatever the client pipelined behind it wait together.
//
// The state is two atomics (type, end time) written under a mutex by CLIENT PAUSE / UNPAUSE on any
// worker and read with relaxed loads: a command that starts just as a pause is set may still run,
// exactly as one that Redis had already dispatched. Dispatch looks at it only while the
// kHookPause bit of Server::command_hooks is set. Each worker that postponed a client arms one
// timer for the pause's end; UNPAUSE posts a resume to every worker. While paused, commands do
// not delete expired keys (OpCtx::keep_expired) and the active expiry and eviction sweeps stand
// still, so that the dataset does not change under a paused failover, as in Redis.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <vector>

namespace respite::server {

class Server;
class Worker;
class Connection;
struct Command;

class ClientPause {
 public:
  enum Type : int { kOff = 0, kWrite = 1, kAll = 2 };

  explicit ClientPause(std::atomic<uint32_t>& hooks) : hooks_(hooks) {}
  // CLIENT PAUSE: the more restrictive type and the later end of this and any pause in effect.
  void pause(Type t, int64_t end_ms, int64_t now_ms);
  // CLIENT UNPAUSE: ends the pause; the caller then resumes every worker's postponed clients.
  void unpause();
  // Once the pause's end has passed: forgets it and clears kHookPause.
  void clear_if_over(int64_t now_ms);
  // The pause in effect at now_ms (kOff once its end has passed).
  Type current(int64_t now_ms) const {
    int t = type_.load(std::memory_order_relaxed);
    if (t == kOff || now_ms > end_ms_.load(std::memory_order_relaxed)) return kOff;
    return static_cast<Type>(t);
  }
  int64_t end_ms() const { return end_ms_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint32_t>& hooks_;
  std::mutex mu_;
  std::atomic<int> type_{kOff};
  std::atomic<int64_t> end_ms_{0};
};

// Dispatch's check, taken only while kHookPause is set: true if cmd (argv) must wait for the
// pause to end, in which case c is now postponed on its worker.
bool postpone_if_paused(Connection& c, const Command& cmd,
                        const std::vector<std::string_view>& argv, int64_t now_ms);
// Runs again the commands of w's postponed clients whose pause is over (owner thread).
void resume_postponed(Worker& w);
// Every worker resumes its postponed clients (CLIENT UNPAUSE). Thread-safe.
void resume_all_postponed(Server& srv);

}  // namespace respite::server
