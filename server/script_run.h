// Running a Lua script (EVAL, EVALSHA and their _RO forms; FCALL) as one transaction across
// workers, with keys it did not declare allowed.
//
// Where scripts live. Every worker has its own Lua interpreter (scripting/interpreter.h), made on
// its first script; bodies are kept once for the server in ScriptCache (by SHA1), so that EVALSHA
// and SCRIPT EXISTS on one worker find a script that EVAL or SCRIPT LOAD gave another: a worker
// compiles a body from the cache the first time it runs it. SCRIPT FLUSH empties the cache and
// moves its generation on; each interpreter forgets its scripts when it next sees a new one.
//
// Atomicity: two-phase locking over shards, no rollback.
//  1. Learning. A script this worker has not seen run cleanly yet starts holding *every* shard of
//     its database, exclusively, taken in the store's lock order (storage::MultiLock::lock(true),
//     as EXEC takes its shards; multi.h): it may wait for them, but it never needs another one,
//     so it can touch any key of its database and cannot fail or deadlock. After kGraduateRuns
//     such runs in a row that touched only shards of declared keys (KEYS), the script "graduates".
//  2. A graduated script takes only its declared keys' shards, all at once in order, exclusively:
//     no other worker changes them and lock-free readers wait for the whole script instead of
//     seeing part of it. Scripts that touch only declared keys on distinct shards stall nobody.
//  3. Before each redis.call, the shards that command may lock (command_shards.h: its keys, or the
//     whole database for KEYS, SCAN, FLUSHDB, ...) must be held. A shard not held yet is taken
//     with try_lock and kept to the end of the run (MultiLock::try_extend): the set only grows
//     until the run ends, so every run is serializable with every other locker (EXEC, multi-key
//     commands, other scripts). It never *waits* for a shard while holding raised markers: a
//     lock-free reader that holds a lock of its own (SORT's patterns) may be waiting on one of
//     those markers, and waiting on it back would deadlock.
//  4. When that try_lock fails: if the run has changed nothing yet (no write, no PUBLISH), it is
//     abandoned (Interpreter::abort_run; it only read), its locks are released, and it runs again
//     from the start holding the whole database (step 1); the script is back to learning. A run
//     that already wrote cannot be abandoned: it retries try_lock for up to kUndeclaredWaitMs
//     (the holder is usually a short command), then fails that redis.call with
//     Err::kScriptShardBusy (what it wrote stays, as after any script error in Redis), and the
//     script is back to learning. Only a graduated script that changes its habits after writing,
//     while another client holds the very shard it now wants, can meet this.
// Why no upgrade in place: two scripts that each wrote and each need the other's shard cannot
// both finish without undoing one of them, and an undo log (copies of every key a script writes,
// in case) would tax every script for the sake of a rare one.
// The cost: a graduated script pays one exclusive lock per distinct declared shard, like EXEC. A
// learning or roaming script holds its whole database, which serializes it with every other
// client of that database (Redis's own model, for that script only) and costs one lock per shard
// of the database (tens to hundreds). Changes made before a late try_extend (after the first
// write) are published before that shard's marker is raised: lock-taking readers (MGET, EXEC,
// other scripts) still see all or nothing, but a lock-free single-key GET racing that window may
// see the late shard's old value after another key's new one.
// Inside EXEC, EXEC already holds the whole database for a queued script (command_shards.h).
//
// BUSY. Past busy-reply-threshold (lua-time-limit), the running worker serves its other clients
// from the script's time-limit hook: each gets -BUSY but for allow-busy commands (SCRIPT KILL,
// FUNCTION KILL, SHUTDOWN NOSAVE, AUTH, ...). Clients of other workers are served as usual, but
// a command that would lock or read the busy script's database (its caller's) gets -BUSY there
// too: waiting for the script's shards would block that worker's loop, and with it a SCRIPT KILL
// sent to it (WATCH, allow-busy in Redis, is refused there too). A command that began to wait
// before the script passed the threshold waits on, but its worker then serves its other clients
// as the script's worker does (Worker::on_lock_wait, run by the shard lock's wait hook, shard.h).
// SCRIPT KILL from any worker ends a script that has not written (-UNKILLABLE
// otherwise, -NOTBUSY with none running).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "protocol/reply_reader.h"
#include "scripting/interpreter.h"
#include "server/errors.h"

namespace respite::server {

class Connection;
class Server;
class Worker;
struct CmdCtx;

// Every script body EVAL or SCRIPT LOAD was given, by lower-case SHA1. Thread-safe.
class ScriptCache {
 public:
  void put(const std::string& sha, std::string_view body);
  bool get(std::string_view sha, std::string* body) const;
  bool exists(std::string_view sha) const;
  void flush();
  size_t size() const;
  size_t bytes() const;  // of the bodies (INFO used_memory_scripts_eval)
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::string> bodies_;
  size_t bytes_ = 0;
  std::atomic<uint64_t> generation_{0};
};

// A worker's scripting state: its interpreter and script client (made on first use, owner thread
// only) and what other workers read of the script running on it (SCRIPT KILL, FUNCTION STATS).
struct WorkerScripting {
  WorkerScripting();
  ~WorkerScripting();
  std::unique_ptr<scripting::Interpreter> lua;
  uint64_t generation = 0;  // the ScriptCache generation lua's scripts belong to
  // Per script (SHA, or function name): consecutive runs that held the whole database and
  // touched no undeclared key (looked up by string_view). See the header note, "Learning".
  struct ShaHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, uint8_t, ShaHash, std::equal_to<>> learned;
  Connection* client = nullptr;  // runs redis.call's commands (no socket)
  // The interpreter's heap after its last script, for INFO on any worker (lua_gc is not
  // thread-safe, so INFO cannot ask the state itself).
  std::atomic<size_t> lua_bytes{0};
  // Runs abandoned to start again holding the whole database (step 4 of the header note).
  std::atomic<uint64_t> abandoned{0};

  std::atomic<bool> running{false};   // a script runs on this worker now
  std::atomic<bool> function{false};  // ... and it is FCALL's (FUNCTION KILL), not EVAL's
  // Under state_mu: whether it has run a write command (SCRIPT KILL answers UNKILLABLE), whether
  // a kill was asked, and FUNCTION STATS' running function name.
  std::mutex state_mu;
  bool dirty = false;
  bool kill = false;
  std::string name;                  // the running function's name (FCALL)
  std::vector<std::string> command;  // the FCALL that runs it
  std::chrono::steady_clock::time_point started;
  // Past busy-reply-threshold: this worker answers its other clients -BUSY (dispatch.cpp), and
  // the others answer it to commands on busy_db, the database the script holds (Server's
  // busy_script_dbs).
  bool busy = false;
  int busy_db = 0;
};

// The worker's scripting state with its interpreter ready and in step with the cache.
WorkerScripting& worker_scripting(Worker& w);
// The Lua heaps of every worker (INFO used_memory_lua).
size_t lua_memory(const Server& srv);

struct ScriptOptions {
  uint32_t flags = 0;     // scripting::ScriptFlag bits
  bool ro = false;        // EVAL_RO, EVALSHA_RO, FCALL_RO
  bool function = false;  // FCALL: killed by FUNCTION KILL, named in FUNCTION STATS
  std::string_view name;  // the function's name (FCALL)
};

// Redis's numkeys (argv[2] of EVAL and FCALL): 0..argc-3. Replies the error and returns false
// when it is not; not_int is the command's text for a non-integer (EVAL's and FCALL's differ).
bool parse_numkeys(CmdCtx& c, Err not_int, size_t* numkeys);

// What runs: an EVAL script by SHA or a registered function by name, through the interpreter
// method that runs it (both take the same arguments).
struct ScriptTarget {
  using RunFn = scripting::Interpreter::RunStatus (scripting::Interpreter::*)(
      std::string_view, std::span<const std::string_view>, std::span<const std::string_view>,
      scripting::Callback*, protocol::RespValue*);
  std::string_view id;  // the SHA or function name, by which the worker learns the script
  RunFn run;
};

// Runs target as described above and writes its reply to c.reply, after the checks Redis makes
// before a script runs (scriptPrepareForRun: *_RO with a write script, allow-oom under
// maxmemory). KEYS are the numkeys arguments from argv[3], ARGV the rest.
void run_script(CmdCtx& c, const ScriptTarget& target, size_t numkeys, const ScriptOptions& opt);

// FUNCTION STATS' running_script: a function running on any worker, its FCALL and how long it
// has run; false when none runs.
struct RunningFunction {
  std::string name;
  std::vector<std::string> command;
  int64_t duration_ms = 0;
};
bool running_function(Server& srv, RunningFunction* out);

// SCRIPT KILL (function false) and FUNCTION KILL (true): kOk to answer +OK, else the error.
Err kill_running_script(Server& srv, bool function);

}  // namespace respite::server
