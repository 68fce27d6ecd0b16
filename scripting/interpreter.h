// One Lua 5.1 state with Redis 7.0's scripting environment, and the scripts compiled into it,
// knowing nothing of sockets, connections or the store. The server keeps one per worker (so no
// locking inside: every method must be called on the owning worker's thread) and reaches back
// into itself only through a Callback for redis.call/redis.pcall, redis.log and the time-limit
// hook. Modelled on the layering of Dragonfly's core/interpreter.h; written for respite.
//
// The sandbox. Stock Lua 5.1 has no read-only tables (Redis patches its vendored Lua for them),
// so the same behaviour is built from metatables:
//  - the globals table is kept *empty*; every global (the libraries, redis, KEYS, ARGV) lives in
//    a hidden backing table reached through __index, whose own __index raises "Script attempted
//    to access nonexistent global variable 'x'". Any assignment to a global therefore reaches
//    __newindex and raises "Attempt to modify a readonly table", whether the name exists or not,
//    and code compiled by loadstring() sees the same protected table;
//  - the library tables (redis, string, math, table, cjson, bit, struct, cmsgpack, coroutine)
//    are empty proxies of the same kind, so `redis.call = f` or `string.x = 1` raise the same
//    error and nothing a script does survives into the next script;
//  - the raw writers that bypass metatables (rawset, setmetatable, table.insert/remove/sort) are
//    wrapped to refuse protected tables with that error; getmetatable() of a protected table or
//    of a string returns a read-only decoy, so the real metatables cannot be reached;
//  - os, io, package/require, loadfile, dofile, print and debug are absent, and so are getfenv,
//    setfenv and newproxy, as in Debian's redis-server 7.0.15 (setfenv(0, t) would swap the
//    globals of every later script); loadstring/load refuse binary chunks.
// Deviations from Redis that scripts can observe: pairs(_G) and rawget(_G, name) see nothing
// (the globals table is empty), and getmetatable("") is an empty decoy rather than the string
// metatable.
//
// math.random follows Redis 7.0: one 48-bit generator per interpreter (the same sequence as
// Redis's redisLrand48 for the same seed), *not* reseeded per script (Redis 6 did that; 7.0
// dropped it, its test "random numbers are random now" checks that two runs differ), and
// math.randomseed(n) makes the sequence reproducible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "protocol/reply_reader.h"

struct lua_State;

namespace respite::scripting {

// What the interpreter needs from the server while a script runs. One object per run.
class Callback {
 public:
  virtual ~Callback() = default;

  // Runs one command (argv[0] is its name; numbers already formatted as Redis does, "%.17g")
  // and returns its reply in protocol `resp` (2 or 3, as redis.setresp chose). An error reply is
  // RespValue::error("CODE message"): redis.call then raises it and redis.pcall returns {err=...}.
  // `raise` tells which of the two called, for error statistics. Errors of the scripting layer
  // itself ("Unknown Redis command called from script", "Write commands are not allowed from
  // read-only scripts", ...) are the server's to produce, as error replies.
  virtual protocol::RespValue call(std::span<const std::string_view> argv, int resp,
                                   bool raise) = 0;

  // redis.acl_check_cmd(...): whether the script's caller may run argv (1), may not (0), or argv
  // names no command (-1).
  virtual int check_acl(std::span<const std::string_view> argv) { return 1; }

  // redis.log(level, ...) with level 0..3 (LOG_DEBUG, LOG_VERBOSE, LOG_NOTICE, LOG_WARNING).
  virtual void log(int level, std::string_view message) {}

  // Called every Options::hook_interval VM instructions while the script runs: the server checks
  // the time against busy-reply-threshold there (and serves other clients with -BUSY). Returning
  // true kills the script with "ERR Script killed by user with SCRIPT KILL..."; from then on
  // the hook fires on every line so that pcall cannot swallow the kill.
  virtual bool should_kill() { return false; }
};

// A function that a library registered with redis.register_function (Redis 7.0 FUNCTIONS).
struct FunctionInfo {
  std::string name;
  std::optional<std::string> description;
  uint32_t flags = 0;  // ScriptFlag bits (shebang.h)
};

class Interpreter {
 public:
  struct Options {
    // VM instructions between two Callback::should_kill() calls; 0 disables the hook. Redis
    // uses 100,000 (a few hundred microseconds of Lua).
    int hook_interval = 100000;
    std::string redis_version = "7.0.15";
    int redis_version_num = (7 << 16) | (0 << 8) | 15;
  };

  Interpreter();
  explicit Interpreter(Options opts);
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  struct AddResult {
    bool ok = false;
    std::string sha;     // 40 lowercase hex chars of the whole body (shebang included)
    std::string error;   // "ERR Error compiling script (new function): user_script:1: ..." or a
                         // shebang error, ready for ReplyWriter::error
    uint32_t flags = 0;  // ScriptFlag bits from the shebang
  };
  // Compiles body once and caches it under its SHA1 (EVAL, SCRIPT LOAD). Adding a body already
  // cached compiles nothing and succeeds.
  AddResult add_function(std::string_view body);

  // Whether a script with this SHA is cached (SCRIPT EXISTS). sha may be in upper case.
  bool exists(std::string_view sha) const;
  // The flags a cached script was compiled with; false when it is not cached.
  bool flags_of(std::string_view sha, uint32_t* flags) const;
  // Forgets every cached script (SCRIPT FLUSH) and collects their memory.
  void flush_functions();
  size_t function_count() const { return scripts_.size(); }

  enum class RunStatus { kOk, kNoScript };
  // Runs a cached script with KEYS and ARGV set; the reply (or error, with Redis 7.0's text,
  // e.g. "ERR user_script:1: ... script: <sha>, on @user_script:1.") goes to *reply. kNoScript
  // when no script has that SHA: the server answers NOSCRIPT. Not reentrant: a Callback that
  // runs a script on the same interpreter gets "ERR a script cannot run another script" (the
  // server should refuse EVAL/FCALL inside scripts first, as Redis does with its noscript flag).
  RunStatus run_function(std::string_view sha, std::span<const std::string_view> keys,
                         std::span<const std::string_view> args, Callback* cb,
                         protocol::RespValue* reply);

  // From a Callback, while a script runs: ends it at its next line (or loop jump) with the SCRIPT
  // KILL error, which no pcall can catch, as a kill does. The server abandons a run this way when
  // it must start it again holding more shards (server/script_run.h); it discards the reply.
  void abort_run();

  // ---- function libraries (FUNCTION LOAD, FCALL; scripting/library.h keeps the registry) ----

  struct LibraryLoad {
    bool ok = false;
    std::string error;  // "ERR Error compiling function: ...", "ERR Error registering
                        // functions: ...", ready for ReplyWriter::error
    std::vector<FunctionInfo> functions;  // in registration order
  };
  // Runs a library's code (`body`: what follows its shebang line, starting with that line's
  // '\n' so that line numbers stay the user's) in Redis 7.0's load-time environment, where the
  // only global is `redis` with register_function, log, the LOG_* constants and the version.
  // When it succeeds and keep is true its functions stay callable by name (run_library_function);
  // with keep false (validation) they are released at once. A failed load keeps nothing. Takes
  // at most load_timeout_ms (Redis: 500; 0: no limit) of Lua time: "FUNCTION LOAD timeout" after
  // that. redis.log goes to log->log() when log is given; nothing else of it is called.
  LibraryLoad load_library(std::string_view body, bool keep, int load_timeout_ms = 500,
                           Callback* log = nullptr);
  // Forgets every library function kept by load_library.
  void drop_libraries();
  // Flags of a kept function, looked up case-insensitively as Redis does; false when unknown.
  bool library_function_flags(std::string_view name, uint32_t* flags) const;
  size_t library_function_count() const { return lib_functions_.size(); }
  // Runs a kept function with its two arguments, the KEYS and ARGV tables (functions see no KEYS
  // or ARGV globals). Errors as Redis 7.0 formats FCALL's: "ERR user_function:4: boom script: f,
  // on @user_function:4.". kNoScript when no function has that name (FCALL: "Function not
  // found").
  RunStatus run_library_function(std::string_view name, std::span<const std::string_view> keys,
                                 std::span<const std::string_view> args, Callback* cb,
                                 protocol::RespValue* reply);
  // Whether the last run's reply is an error that redis.call or redis.pcall handed the script
  // (raised, or returned as its table): the server counted it when the command replied it, so,
  // as Redis's ignore_error_stats_update, it is not counted again as the script's error reply.
  bool reply_error_counted() const { return reply_error_counted_; }
  // Whether a script or function runs, or a library loads, on this interpreter right now.
  bool busy() const { return run_ != nullptr || loading_ != nullptr; }
  // The LibraryRegistry version these libraries were loaded from (sync_libraries, library.h).
  uint64_t libraries_version() const { return libraries_version_; }
  void set_libraries_version(uint64_t v) { libraries_version_ = v; }

  // Bytes the Lua state uses (INFO's used_memory_lua).
  size_t memory_used() const;

  // The state itself, for tests and for FUNCTION support built on top; nothing else.
  lua_State* lua() { return lua_; }

 private:
  void init();
  // sha in lower case, written into out; a view of out.
  static std::string_view lower_sha(std::string_view sha, char out[40]);

  Options opts_;
  lua_State* lua_ = nullptr;
  struct Script {
    int ref;  // the compiled function in the registry
    uint32_t flags;
  };
  // Looked up by string_view (EVALSHA's argument, lowered in a stack buffer): no allocation.
  struct ShaHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Script, ShaHash, std::equal_to<>> scripts_;
  int globals_ref_ = 0;       // the (empty, protected) globals table
  int backing_ref_ = 0;       // where the globals really live
  int errh_ref_ = 0;          // the error handler that adds source and line
  uint64_t rand_state_;       // 48-bit generator behind math.random
  int globals_meta_ref_ = 0;  // the globals proxy's metatable: its __index is swapped at load
  int load_backing_ref_ = 0;  // the load-time globals (just `redis`)

  struct LibFunction {
    int ref;
    uint32_t flags;
    std::string name;  // as registered: error texts print it
  };
  // Keyed by the lower-cased name: FCALL finds functions case-insensitively.
  std::unordered_map<std::string, LibFunction, ShaHash, std::equal_to<>> lib_functions_;
  uint64_t libraries_version_ = 0;

 public:
  // Run-time state reached from Lua's C functions through the registry; internal.
  struct Run {
    Callback* cb = nullptr;
    int resp = 2;
    bool killed = false;
  };
  Run* current_run() { return run_; }
  uint64_t& rand_state() { return rand_state_; }
  // redis.call's argument vector and number texts, kept across calls so that a warm call
  // allocates nothing for its arguments.
  struct CallScratch {
    std::vector<std::string_view> argv;
    std::string numbers;
    std::vector<std::pair<size_t, size_t>> number_spans;  // offset, length in `numbers`
  };
  CallScratch& call_scratch() { return scratch_; }
  // The library being loaded (redis.register_function appends to it); null outside a load.
  struct Loading {
    std::vector<FunctionInfo> functions;
    std::vector<int> refs;  // parallel to functions
    int64_t deadline_us = 0;
    // The registration being read: members, not locals of the C function that raises.
    FunctionInfo pending;
    int pending_ref = -2;     // LUA_NOREF
    Callback* log = nullptr;  // redis.log's destination, if any
  };
  Loading* loading() { return loading_; }

 private:
  // The end of a run: pcalls the function at stack index errh + 1 with the nargs values above
  // it, the error handler at errh; the reply or the error (its location suffix naming `label`,
  // the SHA or the function name) goes to *reply. Leaves the stack empty.
  void call_and_reply(int errh, int nargs, std::string_view label, Run* run,
                      protocol::RespValue* reply);
  Run* run_ = nullptr;
  Loading* loading_ = nullptr;
  CallScratch scratch_;
  int count_ = 0;  // runs since the last incremental GC step
  bool reply_error_counted_ = false;
};

}  // namespace respite::scripting
