// Function libraries in the interpreter (Redis 7.0 FUNCTIONS, its src/function_lua.c): the
// load-time environment, redis.register_function in both of its forms, loading a library's code
// and running a registered function with KEYS and ARGV as its two arguments.
//
// The load-time environment is a second backing table behind the same globals proxy: while a
// library's code runs, the proxy's __index points at a table holding nothing but a `redis` with
// register_function, log, the LOG_* constants and the version, so `string`, `error` or
// `redis.call` raise "Script attempted to access nonexistent global variable 'x'" as in Redis.
// Functions compiled there keep the proxy as their environment, so once __index is back on the
// real globals they see the full run-time API, as Redis's do.
//
// Lua errors are longjmp()s: the C functions that raise keep their C++ state in the
// Interpreter's Loading record, never in locals with destructors.
#include <strings.h>
#include <lua.hpp>

#include <chrono>
#include <cstring>
#include <string>

#include "scripting/interpreter.h"
#include "scripting/lua_internal.h"
#include "scripting/shebang.h"

namespace respite::scripting {

using namespace detail;

namespace {

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Redis's flag names, matched case-insensitively by register_function.
uint32_t flag_nocase(const char* s) {
  for (const char* name :
       {"no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"}) {
    if (strcasecmp(name, s) == 0) return script_flag_from_name(name);
  }
  return 0;
}

void release_pending(lua_State* L, Interpreter::Loading* ld) {
  if (ld->pending_ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, ld->pending_ref);
  ld->pending_ref = LUA_NOREF;
}

// Reads the flags table at the top of the stack into *flags; false on an unknown flag.
bool read_flags(lua_State* L, uint32_t* flags) {
  uint32_t f = 0;
  for (int j = 1;; ++j) {
    lua_pushnumber(L, j);
    lua_gettable(L, -2);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      break;
    }
    uint32_t bit = lua_isstring(L, -1) ? flag_nocase(lua_tostring(L, -1)) : 0;
    lua_pop(L, 1);
    if (bit == 0) return false;
    f |= bit;
  }
  *flags = f;
  return true;
}

// register_function{function_name=, callback=, flags=, description=}. Returns an error text or
// null; fills ld->pending and ld->pending_ref.
const char* read_named(lua_State* L, Interpreter::Loading* ld) {
  if (!lua_istable(L, 1))
    return "calling redis.register_function with a single argument is only applicable to Lua "
           "table (representing named arguments).";
  bool named = false;
  lua_pushnil(L);
  while (lua_next(L, 1)) {
    int kt = lua_type(L, -2);
    if (kt != LUA_TSTRING && kt != LUA_TNUMBER)
      return "named argument key given to redis.register_function is not a string";
    const char* key = kt == LUA_TSTRING ? lua_tostring(L, -2) : "";
    if (strcasecmp(key, "function_name") == 0) {
      if (!lua_isstring(L, -1))
        return "function_name argument given to redis.register_function must be a string";
      size_t n;
      const char* s = lua_tolstring(L, -1, &n);
      ld->pending.name.assign(s, n);
      named = true;
    } else if (strcasecmp(key, "description") == 0) {
      if (!lua_isstring(L, -1))
        return "description argument given to redis.register_function must be a string";
      size_t n;
      const char* s = lua_tolstring(L, -1, &n);
      ld->pending.description = std::string(s, n);
    } else if (strcasecmp(key, "callback") == 0) {
      if (!lua_isfunction(L, -1))
        return "callback argument given to redis.register_function must be a function";
      release_pending(L, ld);
      ld->pending_ref = luaL_ref(L, LUA_REGISTRYINDEX);  // pops the value
      continue;
    } else if (strcasecmp(key, "flags") == 0) {
      if (!lua_istable(L, -1))
        return "flags argument to redis.register_function must be a table representing "
               "function flags";
      if (!read_flags(L, &ld->pending.flags)) return "unknown flag given";
    } else {
      return "unknown argument given to redis.register_function";
    }
    lua_pop(L, 1);
  }
  if (!named) return "redis.register_function must get a function name argument";
  if (ld->pending_ref == LUA_NOREF) return "redis.register_function must get a callback argument";
  return nullptr;
}

const char* read_args(lua_State* L, Interpreter::Loading* ld) {
  ld->pending = FunctionInfo{};
  ld->pending_ref = LUA_NOREF;
  int argc = lua_gettop(L);
  if (argc < 1 || argc > 2) return "wrong number of arguments to redis.register_function";
  if (argc == 1) return read_named(L, ld);
  if (!lua_isstring(L, 1)) return "first argument to redis.register_function must be a string";
  if (!lua_isfunction(L, 2)) return "second argument to redis.register_function must be a function";
  size_t n;
  const char* s = lua_tolstring(L, 1, &n);
  ld->pending.name.assign(s, n);
  lua_settop(L, 2);
  ld->pending_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return nullptr;
}

// Functions' names follow libraries' rules (Redis checks them with the same text).
const char* add_pending(Interpreter::Loading* ld) {
  const std::string& name = ld->pending.name;
  bool ok = !name.empty();
  for (char c : name) ok = ok && is_name_char(c);
  if (!ok)
    return "Library names can only contain letters, numbers, or underscores(_) and must be at "
           "least one character long";
  for (const FunctionInfo& f : ld->functions) {
    if (f.name == name) return "Function already exists in the library";
  }
  ld->functions.push_back(std::move(ld->pending));
  ld->refs.push_back(ld->pending_ref);
  ld->pending_ref = LUA_NOREF;
  return nullptr;
}

int register_function(lua_State* L) {
  Interpreter::Loading* ld = self(L)->loading();
  if (!ld)
    return raise_plain(L, "redis.register_function can only be called on FUNCTION LOAD command");
  const char* err = read_args(L, ld);
  if (!err) err = add_pending(ld);
  if (err) {
    release_pending(L, ld);
    return raise_plain(L, err);
  }
  return 0;
}

// FUNCTION LOAD's time limit (Redis's luaEngineLoadHook).
void load_hook(lua_State* L, lua_Debug*) {
  Interpreter::Loading* ld = self(L)->loading();
  if (!ld || ld->deadline_us == 0 || now_us() <= ld->deadline_us) return;
  lua_sethook(L, load_hook, LUA_MASKLINE, 0);  // so that a pcall cannot keep the load going
  raise_plain(L, "FUNCTION LOAD timeout");
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

}  // namespace

int detail::open_library_api(lua_State* L, int backing_ref, int decoy_ref) {
  lua_newtable(L);  // the load-time backing table
  int lb = lua_gettop(L);
  lua_newtable(L);  // its redis
  int redis = lua_gettop(L);
  lua_pushcfunction(L, register_function);
  lua_setfield(L, redis, "register_function");
  // log, the LOG_* constants and the version, taken from the run-time redis (through its proxy,
  // whose reads go to the real table).
  lua_rawgeti(L, LUA_REGISTRYINDEX, backing_ref);
  lua_getfield(L, -1, "redis");
  for (const char* f : {"log", "LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING",
                        "REDIS_VERSION", "REDIS_VERSION_NUM"}) {
    lua_getfield(L, -1, f);
    lua_setfield(L, redis, f);
  }
  lua_pop(L, 2);
  // A missing field of this redis raises as a missing global does ("... variable 'call'").
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, nonexistent_global);
  lua_setfield(L, -2, "__index");
  lua_pushvalue(L, -1);
  lua_setmetatable(L, redis);
  lua_setmetatable(L, lb);
  push_proxy(L, redis, decoy_ref);
  lua_setfield(L, lb, "redis");
  lua_settop(L, lb);
  return luaL_ref(L, LUA_REGISTRYINDEX);
}

Interpreter::LibraryLoad Interpreter::load_library(std::string_view body, bool keep,
                                                   int load_timeout_ms, Callback* log) {
  LibraryLoad r;
  lua_State* L = lua_;
  if (run_ || loading_) {
    r.error = "ERR a script cannot run another script";
    return r;
  }
  if (luaL_loadbuffer(L, body.data(), body.size(), "@user_function") != 0) {
    r.error = std::string("ERR Error compiling function: ") + lua_tostring(L, -1);
    lua_settop(L, 0);
    return r;
  }
  Loading ld;
  ld.log = log;
  ld.deadline_us = load_timeout_ms > 0 ? now_us() + int64_t{load_timeout_ms} * 1000 : 0;
  loading_ = &ld;
  // Swap the globals for the load-time ones.
  lua_rawgeti(L, LUA_REGISTRYINDEX, globals_meta_ref_);
  lua_pushliteral(L, "__index");
  lua_rawgeti(L, LUA_REGISTRYINDEX, load_backing_ref_);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  lua_sethook(L, load_hook, LUA_MASKCOUNT, 100000);

  int err = lua_pcall(L, 0, 0, 0);

  lua_sethook(L, nullptr, 0, 0);
  lua_rawgeti(L, LUA_REGISTRYINDEX, globals_meta_ref_);
  lua_pushliteral(L, "__index");
  lua_rawgeti(L, LUA_REGISTRYINDEX, backing_ref_);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  loading_ = nullptr;

  if (err != 0) {
    // As Redis's luaExtractErrorInformation: a string gets "ERR ", a table gives its err.
    std::string msg;
    if (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER) {
      msg = std::string("ERR ") + lua_tostring(L, -1);
    } else if (lua_istable(L, -1)) {
      lua_pushliteral(L, "err");
      lua_rawget(L, -2);
      if (lua_isstring(L, -1)) msg = lua_tostring(L, -1);
      lua_pop(L, 1);
    }
    r.error = "ERR Error registering functions: " + no_crlf(msg.data(), msg.size());
    for (int ref : ld.refs) luaL_unref(L, LUA_REGISTRYINDEX, ref);
    lua_settop(L, 0);
    return r;
  }
  lua_settop(L, 0);
  for (size_t i = 0; i < ld.functions.size(); ++i) {
    if (keep) {
      std::string key = lower(ld.functions[i].name);
      if (auto it = lib_functions_.find(key); it != lib_functions_.end())
        luaL_unref(L, LUA_REGISTRYINDEX, it->second.ref);
      lib_functions_[key] = LibFunction{ld.refs[i], ld.functions[i].flags, ld.functions[i].name};
    } else {
      luaL_unref(L, LUA_REGISTRYINDEX, ld.refs[i]);
    }
  }
  r.functions = std::move(ld.functions);
  r.ok = true;
  return r;
}

void Interpreter::drop_libraries() {
  for (auto& [name, f] : lib_functions_) luaL_unref(lua_, LUA_REGISTRYINDEX, f.ref);
  lib_functions_.clear();
  libraries_version_ = 0;
}

bool Interpreter::library_function_flags(std::string_view name, uint32_t* flags) const {
  auto it = lib_functions_.find(lower(name));
  if (it == lib_functions_.end()) return false;
  *flags = it->second.flags;
  return true;
}

Interpreter::RunStatus Interpreter::run_library_function(std::string_view name,
                                                         std::span<const std::string_view> keys,
                                                         std::span<const std::string_view> args,
                                                         Callback* cb, protocol::RespValue* reply) {
  if (run_ != nullptr || loading_ != nullptr) {
    *reply = protocol::RespValue::error("ERR a script cannot run another script");
    return RunStatus::kOk;
  }
  auto it = lib_functions_.find(lower(name));
  if (it == lib_functions_.end()) return RunStatus::kNoScript;
  lua_State* L = lua_;
  Run run;
  run.cb = cb;
  run_ = &run;
  // Functions see no KEYS or ARGV globals: an EVAL's are cleared so that they raise.
  lua_rawgeti(L, LUA_REGISTRYINDEX, backing_ref_);
  lua_pushnil(L);
  lua_setfield(L, -2, "KEYS");
  lua_pushnil(L);
  lua_setfield(L, -2, "ARGV");
  lua_pop(L, 1);
  lua_rawgeti(L, LUA_REGISTRYINDEX, errh_ref_);
  int errh = lua_gettop(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, it->second.ref);
  for (auto items : {keys, args}) {
    lua_createtable(L, static_cast<int>(items.size()), 0);
    for (size_t i = 0; i < items.size(); ++i) {
      lua_pushlstring(L, items[i].data(), items[i].size());
      lua_rawseti(L, -2, static_cast<int>(i + 1));
    }
  }
  call_and_reply(errh, 2, it->second.name, &run, reply);
  run_ = nullptr;
  return RunStatus::kOk;
}

}  // namespace respite::scripting
