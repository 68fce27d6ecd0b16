// The Lua state itself: building the sandbox (see interpreter.h for its design), the error
// handler that records where an error was raised, the time-limit hook, the script cache and a
// run from KEYS/ARGV to the reply. The redis.* API is in redis_api.cpp, the conversions in
// convert.cpp. Behaviour follows Redis 7.0.15 (src/script_lua.c, src/eval.c and its
// tests/unit/scripting.tcl), checked against Debian's redis-server where the texts matter.
//
// Lua 5.1 is a C library whose errors are longjmp()s. No C function here may have a live C++
// object with a destructor when it calls anything that can raise (lua_error, luaL_error,
// luaL_check*); run_function's own C++ objects are safe because lua_pcall catches every error.
#include "scripting/interpreter.h"

#include <lua.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "scripting/lua_internal.h"
#include "scripting/sha1.h"
#include "scripting/shebang.h"

extern "C" {
int luaopen_cjson(lua_State* L);
int luaopen_bit(lua_State* L);
}

namespace respite::scripting {

using namespace detail;

namespace {

// Registry keys: addresses of these statics are unique light userdata.
char kSelfKey;
char kProtectedKey;

constexpr const char* kReadonly = "Attempt to modify a readonly table";
// Redis runs an incremental GC step every 50 scripts rather than let Lua run a full cycle in the
// middle of one (latency); same period here.
constexpr int kGcPeriod = 50;

bool is_protected(lua_State* L, int idx) {
  if (!lua_istable(L, idx)) return false;
  idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
  lua_pushlightuserdata(L, &kProtectedKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, idx);
  lua_rawget(L, -2);
  bool p = lua_toboolean(L, -1);
  lua_pop(L, 2);
  return p;
}

void mark_protected(lua_State* L, int idx) {
  idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
  lua_pushlightuserdata(L, &kProtectedKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, idx);
  lua_pushboolean(L, 1);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

// ---- the sandbox ----------------------------------------------------------------------------

// __newindex of every protected table. luaL_error adds the script's location ("user_script:1:")
// as Redis's patched VM does for an assignment.
int readonly_newindex(lua_State* L) {
  return luaL_error(L, "%s", kReadonly);
}

// Raised by the raw writers; without a location, like Redis's (the error comes from a C
// function there too).
int raise_readonly(lua_State* L) {
  lua_pushstring(L, kReadonly);
  return lua_error(L);
}

// rawset/setmetatable/table.insert/table.remove/table.sort: refuse a protected first argument,
// otherwise call the original (upvalue 1) with the same arguments.
int guarded_writer(lua_State* L) {
  if (is_protected(L, 1)) return raise_readonly(L);
  int n = lua_gettop(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, n, LUA_MULTRET);
  return lua_gettop(L);
}

// loadstring/load without binary chunks: precompiled bytecode can crash the VM (Lua 5.1 does not
// verify it), and Redis's Lua refuses it too ("attempt to call a nil value" when called).
int load_text_only(lua_State* L, const char* s, size_t len, const char* chunkname) {
  if (len > 0 && s[0] == LUA_SIGNATURE[0]) {
    lua_pushnil(L);
    lua_pushliteral(L, "binary chunks are not allowed");
    return 2;
  }
  if (luaL_loadbuffer(L, s, len, chunkname) != 0) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  return 1;
}

int safe_loadstring(lua_State* L) {
  size_t len;
  const char* s = luaL_checklstring(L, 1, &len);
  const char* name = luaL_optstring(L, 2, s);
  return load_text_only(L, s, len, name);
}

// load(f [, name]): gathers the pieces f returns into one string first (a Lua buffer, so that
// nothing C++ is alive if f raises), then loads it as text.
int safe_load(lua_State* L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  const char* name = luaL_optstring(L, 2, "=(load)");
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (;;) {
    lua_pushvalue(L, 1);
    lua_call(L, 0, 1);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      break;
    }
    if (!lua_isstring(L, -1)) return luaL_error(L, "reader function must return a string");
    size_t n;
    lua_tolstring(L, -1, &n);
    if (n == 0) {
      lua_pop(L, 1);
      break;
    }
    luaL_addvalue(&b);
  }
  luaL_pushresult(&b);
  size_t len;
  const char* s = lua_tolstring(L, -1, &len);
  return load_text_only(L, s, len, name);
}

// Redis's pcall: a redis.call error is a table {err=...}; pcall hands scripts its text, as
// before Redis 7 when errors were strings.
int redis_pcall(lua_State* L) {
  luaL_checkany(L, 1);
  int argc = lua_gettop(L);
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  if (lua_pcall(L, argc - 1, LUA_MULTRET, 0) != 0) {
    lua_remove(L, 1);
    if (lua_istable(L, -1)) {
      lua_pushliteral(L, "err");
      lua_rawget(L, -2);
      if (lua_isstring(L, -1)) {
        lua_replace(L, -2);
      } else {
        lua_pop(L, 1);
      }
    }
    lua_pushboolean(L, 0);
    lua_insert(L, 1);
  }
  return lua_gettop(L);
}

// The pcall error handler of every run: turns the error into a table and records where it was
// raised (the caller's line when a C function such as redis.call raised it), for the
// "script: <sha>, on @user_script:<line>." suffix. Upvalue 1 is the original tostring.
int error_handler(lua_State* L) {
  lua_Debug ar;
  bool have = lua_getstack(L, 1, &ar) && lua_getinfo(L, "nSl", &ar);
  if (have && std::strcmp(ar.what, "C") == 0)
    have = lua_getstack(L, 2, &ar) && lua_getinfo(L, "nSl", &ar);
  if (!lua_istable(L, 1) || is_protected(L, 1)) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_call(L, 1, 1);
    lua_createtable(L, 0, 3);
    lua_pushliteral(L, "err");
    lua_pushliteral(L, "ERR ");
    lua_pushvalue(L, -4);
    lua_concat(L, 2);
    lua_rawset(L, -3);
    lua_replace(L, 1);
    lua_settop(L, 1);
  }
  if (have) {
    lua_pushliteral(L, "source");
    lua_pushstring(L, ar.source);
    lua_rawset(L, 1);
    lua_pushliteral(L, "line");
    lua_pushinteger(L, ar.currentline);
    lua_rawset(L, 1);
  }
  lua_settop(L, 1);
  return 1;
}

// ---- the time-limit hook ----------------------------------------------------------------------

constexpr const char* kKilled = "Script killed by user with SCRIPT KILL...";

bool ask_kill(Interpreter::Run* run) {
  try {
    return run->cb->should_kill();
  } catch (...) {
    return false;
  }
}

void count_hook(lua_State* L, lua_Debug*) {
  Interpreter::Run* run = self(L)->current_run();
  if (!run || !run->cb) return;
  if (!run->killed && !ask_kill(run)) return;
  if (!run->killed) {
    run->killed = true;
    // From now on on every line, so that a pcall catching the error cannot keep the script alive.
    lua_sethook(L, count_hook, LUA_MASKLINE, 0);
  }
  raise_plain(L, kKilled);
}

// Replaces t[name] (t at the top) with guarded_writer around the original.
void guard_field(lua_State* L, const char* name) {
  lua_getfield(L, -1, name);
  lua_pushcclosure(L, guarded_writer, 1);
  lua_setfield(L, -2, name);
}

}  // namespace

Interpreter* detail::self(lua_State* L) {
  lua_pushlightuserdata(L, &kSelfKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  auto* in = static_cast<Interpreter*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return in;
}

// __index of the globals' backing table: the name does not exist anywhere.
int detail::nonexistent_global(lua_State* L) {
  const char* name = lua_tostring(L, 2);
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                    name ? name : "?");
}

// Pushes an empty proxy table standing for the table at index `real`: reads go to it, writes
// raise, its metatable is out of reach (getmetatable gives the decoy at registry `decoy_ref`).
void detail::push_proxy(lua_State* L, int real, int decoy_ref) {
  real = real < 0 ? lua_gettop(L) + real + 1 : real;
  lua_newtable(L);           // proxy
  lua_createtable(L, 0, 3);  // its metatable
  lua_pushvalue(L, real);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, readonly_newindex);
  lua_setfield(L, -2, "__newindex");
  if (decoy_ref != LUA_NOREF) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, decoy_ref);
    lua_setfield(L, -2, "__metatable");
  } else {
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
  }
  mark_protected(L, -1);
  lua_setmetatable(L, -2);
  mark_protected(L, -1);
}

// ---- Interpreter ------------------------------------------------------------------------------

Interpreter::Interpreter() : Interpreter(Options{}) {}

Interpreter::Interpreter(Options opts) : opts_(std::move(opts)), rand_state_(kRandInitial) {
  init();
}

Interpreter::~Interpreter() {
  if (lua_) lua_close(lua_);
}

void Interpreter::init() {
  lua_State* L = lua_ = luaL_newstate();
  lua_pushlightuserdata(L, &kSelfKey);
  lua_pushlightuserdata(L, this);
  lua_rawset(L, LUA_REGISTRYINDEX);
  lua_pushlightuserdata(L, &kProtectedKey);
  lua_newtable(L);
  lua_rawset(L, LUA_REGISTRYINDEX);

  // The libraries Redis 7.0 loads (base, table, string, math; debug only long enough for its
  // error handler, which is C here and needs none; cjson, bit, and our own struct and cmsgpack,
  // which Debian does not package); os, io and package are never opened.
  const std::pair<const char*, lua_CFunction> libs[] = {{"", luaopen_base},
                                                        {LUA_TABLIBNAME, luaopen_table},
                                                        {LUA_STRLIBNAME, luaopen_string},
                                                        {LUA_MATHLIBNAME, luaopen_math}};
  for (auto& [name, fn] : libs) {
    lua_pushcfunction(L, fn);
    lua_pushstring(L, name);
    lua_call(L, 1, 0);
  }
  lua_pushcfunction(L, luaopen_cjson);
  lua_call(L, 0, 1);
  lua_setglobal(L, "cjson");
  lua_pushcfunction(L, luaopen_bit);
  lua_call(L, 0, 1);
  lua_setglobal(L, "bit");
  lua_pushcfunction(L, luaopen_struct);
  lua_call(L, 0, 1);
  lua_setglobal(L, "struct");
  lua_pushcfunction(L, luaopen_cmsgpack);
  lua_call(L, 0, 1);
  lua_setglobal(L, "cmsgpack");

  // From here the table at LUA_GLOBALSINDEX is the backing table.
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  int backing = lua_gettop(L);
  // getfenv, setfenv and newproxy are absent from Debian's redis-server 7.0.15 (the reference of
  // our differential tests) though upstream's allow list has them; setfenv(0, t) could replace
  // the globals every later script sees.
  for (const char* name : {"dofile", "loadfile", "print", "getfenv", "setfenv", "newproxy"}) {
    lua_pushnil(L);
    lua_setfield(L, backing, name);
  }
  lua_pushcfunction(L, redis_pcall);
  lua_setfield(L, backing, "pcall");
  lua_pushcfunction(L, safe_loadstring);
  lua_setfield(L, backing, "loadstring");
  lua_pushcfunction(L, safe_load);
  lua_setfield(L, backing, "load");
  guard_field(L, "rawset");
  guard_field(L, "setmetatable");
  lua_getfield(L, backing, "table");
  guard_field(L, "insert");
  guard_field(L, "remove");
  guard_field(L, "sort");
  lua_pop(L, 1);
  open_redis_api(L, backing, opts_);

  // The error handler keeps the original tostring as an upvalue: scripts cannot swap it.
  lua_getfield(L, backing, "tostring");
  lua_pushcclosure(L, error_handler, 1);
  errh_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);

  // The decoy that getmetatable() returns for protected tables: itself protected, so that
  // `getmetatable(_G).__index = {}` raises the read-only error as in Redis.
  lua_newtable(L);
  push_proxy(L, -1, LUA_NOREF);
  int decoy_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pop(L, 1);

  // Library tables become proxies in the backing table.
  for (const char* name :
       {"string", "math", "table", "redis", "cjson", "bit", "struct", "cmsgpack", "coroutine"}) {
    lua_getfield(L, backing, name);
    if (!lua_istable(L, -1)) {
      lua_pop(L, 1);
      continue;
    }
    push_proxy(L, -1, decoy_ref);
    lua_setfield(L, backing, name);
    lua_pop(L, 1);
  }
  // Strings' methods go through the proxy too, and their metatable is out of reach.
  lua_pushliteral(L, "");
  if (lua_getmetatable(L, -1)) {
    lua_getfield(L, backing, "string");
    lua_setfield(L, -2, "__index");
    lua_rawgeti(L, LUA_REGISTRYINDEX, decoy_ref);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
  }
  lua_pop(L, 1);

  // The backing table raises on a missing name; the globals proxy reads through to it.
  lua_createtable(L, 0, 2);
  lua_pushcfunction(L, nonexistent_global);
  lua_setfield(L, -2, "__index");
  lua_rawgeti(L, LUA_REGISTRYINDEX, decoy_ref);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, backing);
  mark_protected(L, backing);
  push_proxy(L, backing, decoy_ref);
  lua_getmetatable(L, -1);
  globals_meta_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, -1);
  lua_setfield(L, backing, "_G");
  lua_pushvalue(L, -1);
  globals_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_replace(L, LUA_GLOBALSINDEX);
  backing_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_settop(L, 0);
  load_backing_ref_ = open_library_api(L, backing_ref_, decoy_ref);
}

std::string_view Interpreter::lower_sha(std::string_view sha, char out[40]) {
  for (size_t i = 0; i < 40; ++i) {
    char c = sha[i];
    out[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return std::string_view(out, 40);
}

Interpreter::AddResult Interpreter::add_function(std::string_view body) {
  AddResult r;
  r.sha = sha1_hex(body);
  if (auto it = scripts_.find(r.sha); it != scripts_.end()) {
    r.ok = true;
    r.flags = it->second.flags;
    return r;
  }
  Shebang sb = parse_eval_shebang(body);
  if (!sb.ok) {
    r.error = std::move(sb.error);
    return r;
  }
  lua_State* L = lua_;
  // The shebang line is skipped but its '\n' kept, so that line numbers stay the user's.
  if (luaL_loadbuffer(L, body.data() + sb.length, body.size() - sb.length, "@user_script") != 0) {
    r.error = std::string("ERR Error compiling script (new function): ") + lua_tostring(L, -1);
    lua_pop(L, 1);
    return r;
  }
  scripts_.emplace(r.sha, Script{luaL_ref(L, LUA_REGISTRYINDEX), sb.flags});
  r.ok = true;
  r.flags = sb.flags;
  return r;
}

bool Interpreter::exists(std::string_view sha) const {
  char buf[40];
  return sha.size() == 40 && scripts_.find(lower_sha(sha, buf)) != scripts_.end();
}

bool Interpreter::flags_of(std::string_view sha, uint32_t* flags) const {
  if (sha.size() != 40) return false;
  char buf[40];
  auto it = scripts_.find(lower_sha(sha, buf));
  if (it == scripts_.end()) return false;
  *flags = it->second.flags;
  return true;
}

void Interpreter::flush_functions() {
  for (auto& [sha, s] : scripts_) luaL_unref(lua_, LUA_REGISTRYINDEX, s.ref);
  scripts_.clear();
  lua_gc(lua_, LUA_GCCOLLECT, 0);
}

void Interpreter::abort_run() {
  if (!run_ || run_->killed) return;
  run_->killed = true;
  lua_sethook(lua_, count_hook, LUA_MASKLINE, 0);
}

size_t Interpreter::memory_used() const {
  return static_cast<size_t>(lua_gc(lua_, LUA_GCCOUNT, 0)) * 1024 +
         static_cast<size_t>(lua_gc(lua_, LUA_GCCOUNTB, 0));
}

namespace {

void set_array(lua_State* L, int backing, const char* name,
               std::span<const std::string_view> items) {
  lua_createtable(L, static_cast<int>(items.size()), 0);
  for (size_t i = 0; i < items.size(); ++i) {
    lua_pushlstring(L, items[i].data(), items[i].size());
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
  lua_setfield(L, backing, name);  // the backing table has no __newindex: a plain set
}

}  // namespace

Interpreter::RunStatus Interpreter::run_function(std::string_view sha,
                                                 std::span<const std::string_view> keys,
                                                 std::span<const std::string_view> args,
                                                 Callback* cb, protocol::RespValue* reply) {
  if (run_ != nullptr) {
    // A Callback that ran EVAL/FCALL on this interpreter from inside a script: Redis refuses
    // those commands in scripts (noscript), and a nested run would clobber this one's state.
    *reply = protocol::RespValue::error("ERR a script cannot run another script");
    return RunStatus::kOk;
  }
  if (sha.size() != 40) return RunStatus::kNoScript;
  char buf[40];
  std::string_view key = lower_sha(sha, buf);
  auto it = scripts_.find(key);
  if (it == scripts_.end()) return RunStatus::kNoScript;
  lua_State* L = lua_;
  Run run;
  run.cb = cb;
  run_ = &run;

  lua_rawgeti(L, LUA_REGISTRYINDEX, backing_ref_);
  int backing = lua_gettop(L);
  set_array(L, backing, "KEYS", keys);
  set_array(L, backing, "ARGV", args);
  lua_rawgeti(L, LUA_REGISTRYINDEX, errh_ref_);
  int errh = lua_gettop(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, it->second.ref);
  call_and_reply(errh, 0, key, &run, reply);
  run_ = nullptr;
  return RunStatus::kOk;
}

void Interpreter::call_and_reply(int errh, int nargs, std::string_view label, Run* run,
                                 protocol::RespValue* reply) {
  lua_State* L = lua_;
  Callback* cb = run->cb;
  if (opts_.hook_interval > 0 && cb) lua_sethook(L, count_hook, LUA_MASKCOUNT, opts_.hook_interval);

  int err = lua_pcall(L, nargs, 1, errh);

  if (++count_ == kGcPeriod) {
    lua_gc(L, LUA_GCSTEP, kGcPeriod);
    count_ = 0;
  }
  // Raw reads, as below: whether the error table (raised, or returned) came from redis.call.
  auto counted = [L] {
    if (!lua_istable(L, -1)) return false;
    lua_pushliteral(L, "err");
    lua_rawget(L, -2);
    bool is_error = lua_isstring(L, -1);
    lua_pushliteral(L, "ignore_error_stats_update");
    lua_rawget(L, -3);
    bool ignore = lua_toboolean(L, -1);
    lua_pop(L, 2);
    return is_error && ignore;
  };
  reply_error_counted_ = counted();
  if (err == 0) {
    *reply = to_value(L, run->resp);
  } else if (lua_istable(L, -1)) {
    // Raw reads: outside the pcall a metamethod that raised would abort the process.
    std::string msg;
    lua_pushliteral(L, "err");
    lua_rawget(L, -2);
    if (lua_isstring(L, -1)) {
      size_t n;
      const char* s = lua_tolstring(L, -1, &n);
      msg.assign(s, n);
    } else {
      msg = "ERR unknown error";  // error({}): Redis 7.0.15 crashes on a NULL message here
    }
    lua_pop(L, 1);
    lua_pushliteral(L, "source");
    lua_rawget(L, -2);
    lua_pushliteral(L, "line");
    lua_rawget(L, -3);
    if (lua_isstring(L, -2) && lua_isstring(L, -1)) {
      msg += " script: " + std::string(label) + ", on " + lua_tostring(L, -2) + ":" +
             lua_tostring(L, -1) + ".";
    }
    lua_pop(L, 3);
    *reply = protocol::RespValue::error(no_crlf(msg.data(), msg.size()));
  } else {
    // No handler ran (out of memory, or an error inside the handler itself).
    const char* s = lua_tostring(L, -1);
    std::string msg = "ERR Error running script " + std::string(label) + ", " +
                      (s ? std::string(s).substr(0, 100) : std::string("execution failure"));
    *reply = protocol::RespValue::error(no_crlf(msg.data(), msg.size()));
    lua_pop(L, 1);
  }
  lua_sethook(L, nullptr, 0, 0);  // the count hook, or abort_run()'s line hook
  lua_settop(L, 0);
}

}  // namespace respite::scripting
