// The Lua side of the interpreter: building the sandboxed state, the redis.* API, the two
// conversions (reply tree -> Lua for redis.call, Lua -> reply tree for a script's result), error
// texts and the time-limit hook. Behaviour follows Redis 7.0.15 (src/script_lua.c, src/eval.c and
// its tests/unit/scripting.tcl), checked against Debian's redis-server where the texts matter.
//
// Lua 5.1 is a C library whose errors are longjmp()s. No C function here may have a live C++
// object with a destructor when it calls anything that can raise (lua_error, luaL_error,
// luaL_check*): the C++ work is done in an inner scope or helper that returns first, and the
// raise comes after. The Callback is called inside such a scope, and C++ exceptions from it are
// turned into error replies rather than let through Lua's frames.
#include "scripting/interpreter.h"

#include <lua.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "scripting/sha1.h"
#include "scripting/shebang.h"

extern "C" {
int luaopen_cjson(lua_State* L);
int luaopen_bit(lua_State* L);
}

namespace respite::scripting {
namespace {

// Registry keys: addresses of these statics are unique light userdata.
char kSelfKey;
char kProtectedKey;

constexpr const char* kReadonly = "Attempt to modify a readonly table";
// Redis runs an incremental GC step every 50 scripts rather than let Lua run a full cycle in the
// middle of one (latency); same period here.
constexpr int kGcPeriod = 50;

Interpreter* self(lua_State* L) {
  lua_pushlightuserdata(L, &kSelfKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  auto* in = static_cast<Interpreter*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return in;
}

// Pushes {err = text}, text already "CODE message" (trailing CR/LF trimmed, as Redis does).
void push_err_reply(lua_State* L, const char* text, size_t len) {
  while (len > 0 && (text[len - 1] == '\r' || text[len - 1] == '\n')) --len;
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "err");
  lua_pushlstring(L, text, len);
  lua_rawset(L, -3);
}

// Pushes {err = "ERR " .. msg}: the interpreter's own errors.
void push_err_plain(lua_State* L, const char* msg) {
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "err");
  lua_pushliteral(L, "ERR ");
  lua_pushstring(L, msg);
  lua_concat(L, 2);
  lua_rawset(L, -3);
}

// Raises {err = "ERR " .. msg}. Never returns.
int raise_plain(lua_State* L, const char* msg) {
  push_err_plain(L, msg);
  return lua_error(L);
}

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

// __index of the globals' backing table: the name does not exist anywhere.
int nonexistent_global(lua_State* L) {
  const char* name = lua_tostring(L, 2);
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                    name ? name : "?");
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

// ---- reply tree -> Lua ------------------------------------------------------------------------

void push_value(lua_State* L, const Value& v) {
  if (!lua_checkstack(L, 4)) {
    lua_pushnil(L);  // a reply nested thousands deep; Redis panics here
    return;
  }
  using T = Value::Type;
  switch (v.type) {
    case T::kNullBulk:
    case T::kNullArray:
      lua_pushboolean(L, 0);
      break;
    case T::kNull:
      lua_pushnil(L);
      break;
    case T::kInteger:
      lua_pushnumber(L, static_cast<lua_Number>(v.integer));
      break;
    case T::kBulk:
      lua_pushlstring(L, v.str.data(), v.str.size());
      break;
    case T::kBoolean:
      lua_pushboolean(L, v.boolean);
      break;
    case T::kStatus:
      lua_createtable(L, 0, 1);
      lua_pushliteral(L, "ok");
      lua_pushlstring(L, v.str.data(), v.str.size());
      lua_rawset(L, -3);
      break;
    case T::kError:
      push_err_reply(L, v.str.data(), v.str.size());
      break;
    case T::kDouble:
      lua_createtable(L, 0, 1);
      lua_pushliteral(L, "double");
      lua_pushnumber(L, v.dbl);
      lua_rawset(L, -3);
      break;
    case T::kBigNumber:
      lua_createtable(L, 0, 1);
      lua_pushliteral(L, "big_number");
      lua_pushlstring(L, v.str.data(), v.str.size());
      lua_rawset(L, -3);
      break;
    case T::kVerbatim:
      lua_createtable(L, 0, 1);
      lua_pushliteral(L, "verbatim_string");
      lua_createtable(L, 0, 2);
      lua_pushliteral(L, "string");
      lua_pushlstring(L, v.str.data(), v.str.size());
      lua_rawset(L, -3);
      lua_pushliteral(L, "format");
      lua_pushlstring(L, v.format.data(), v.format.size());
      lua_rawset(L, -3);
      lua_rawset(L, -3);
      break;
    case T::kArray:
      lua_createtable(L, static_cast<int>(v.elems.size()), 0);
      for (size_t i = 0; i < v.elems.size(); ++i) {
        push_value(L, v.elems[i]);
        lua_rawseti(L, -2, static_cast<int>(i + 1));  // a RESP3 null leaves a hole, as in Redis
      }
      break;
    case T::kMap:
    case T::kSet: {
      bool map = v.type == T::kMap;
      lua_createtable(L, 0, 1);
      lua_pushstring(L, map ? "map" : "set");
      lua_createtable(L, 0, static_cast<int>(map ? v.elems.size() / 2 : v.elems.size()));
      for (size_t i = 0; i < v.elems.size(); i += map ? 2 : 1) {
        push_value(L, v.elems[i]);
        if (map && i + 1 < v.elems.size()) {
          push_value(L, v.elems[i + 1]);
        } else {
          lua_pushboolean(L, 1);
        }
        if (lua_isnil(L, -2) || (lua_isnumber(L, -2) && std::isnan(lua_tonumber(L, -2)))) {
          lua_pop(L, 2);  // Lua cannot index by nil or NaN
        } else {
          lua_rawset(L, -3);
        }
      }
      lua_rawset(L, -3);
      break;
    }
  }
}

// ---- Lua -> reply tree ------------------------------------------------------------------------

// (long long)d as x86's cvttsd2si gives it, which is what Redis's cast produces: out-of-range
// values and NaN become INT64_MIN. Written out because the cast itself is undefined in C++.
int64_t truncate_number(double d) {
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return INT64_MIN;
  return static_cast<int64_t>(d);
}

std::string no_crlf(const char* s, size_t n) {
  std::string out(s, n);
  for (char& c : out)
    if (c == '\r' || c == '\n') c = ' ';
  return out;
}

// Replies nest a handful of levels; a self-referencing table would nest until Lua's stack limit
// (~2,600 levels here, as in Redis), deep enough to overflow the C++ stack of a sanitizer build.
// Past this depth the element becomes the error Redis gives at its stack limit.
constexpr int kMaxReplyDepth = 500;

// Converts the value at the top of the stack and pops it. Uses raw access only, so it never
// raises (short of running out of memory).
Value to_value(lua_State* L, int resp, int depth = 0) {
  if (depth > kMaxReplyDepth || !lua_checkstack(L, 4)) {
    lua_pop(L, 1);
    return Value::error("ERR reached lua stack limit");
  }
  Value out;
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      size_t n;
      const char* s = lua_tolstring(L, -1, &n);
      out = Value::bulk(std::string(s, n));
      break;
    }
    case LUA_TBOOLEAN:
      if (resp == 2) {
        out = lua_toboolean(L, -1) ? Value::integer_of(1) : Value::null();
      } else {
        out = Value::boolean_of(lua_toboolean(L, -1));
      }
      break;
    case LUA_TNUMBER:
      out = Value::integer_of(truncate_number(lua_tonumber(L, -1)));
      break;
    case LUA_TTABLE: {
      auto field = [&](const char* name) {
        lua_pushstring(L, name);
        lua_rawget(L, -2);
        return lua_type(L, -1);
      };
      if (field("err") == LUA_TSTRING) {
        size_t n;
        const char* s = lua_tolstring(L, -1, &n);
        out = Value::error(std::string(s, n));
        lua_pop(L, 1);
        break;
      }
      lua_pop(L, 1);
      if (field("ok") == LUA_TSTRING) {
        size_t n;
        const char* s = lua_tolstring(L, -1, &n);
        out = Value::status(no_crlf(s, n));
        lua_pop(L, 1);
        break;
      }
      lua_pop(L, 1);
      if (field("double") == LUA_TNUMBER) {
        out = Value::double_of(lua_tonumber(L, -1));
        lua_pop(L, 1);
        break;
      }
      lua_pop(L, 1);
      if (field("big_number") == LUA_TSTRING) {
        size_t n;
        const char* s = lua_tolstring(L, -1, &n);
        out = Value::big_number(no_crlf(s, n));
        lua_pop(L, 1);
        break;
      }
      lua_pop(L, 1);
      if (field("verbatim_string") == LUA_TTABLE) {
        lua_pushliteral(L, "format");
        lua_rawget(L, -2);
        lua_pushliteral(L, "string");
        lua_rawget(L, -3);
        if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING) {
          size_t fn, sn;
          const char* f = lua_tolstring(L, -2, &fn);
          const char* s = lua_tolstring(L, -1, &sn);
          out = Value::verbatim(std::string(f, fn), std::string(s, sn));
          lua_pop(L, 3);
          break;
        }
        lua_pop(L, 2);
      }
      lua_pop(L, 1);
      if (field("map") == LUA_TTABLE) {
        out = Value::map({});
        lua_pushnil(L);
        while (lua_next(L, -2)) {  // stack: map, key, value
          lua_pushvalue(L, -2);
          out.elems.push_back(to_value(L, resp, depth + 1));  // the key (copy popped)
          out.elems.push_back(
              to_value(L, resp, depth + 1));  // the value, popped: key stays for lua_next
        }
        lua_pop(L, 1);
        break;
      }
      lua_pop(L, 1);
      if (field("set") == LUA_TTABLE) {
        out = Value::set({});
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          lua_pop(L, 1);
          lua_pushvalue(L, -1);
          out.elems.push_back(to_value(L, resp, depth + 1));
        }
        lua_pop(L, 1);
        break;
      }
      lua_pop(L, 1);
      out = Value::array({});
      for (int j = 1;; ++j) {
        lua_rawgeti(L, -1, j);
        if (lua_isnil(L, -1)) {
          lua_pop(L, 1);
          break;
        }
        out.elems.push_back(to_value(L, resp, depth + 1));
      }
      break;
    }
    default:
      out = Value::null();
      break;
  }
  lua_pop(L, 1);
  return out;
}

// ---- redis.* ----------------------------------------------------------------------------------

enum class CallOutcome { kReply, kRaise };

// The C++ half of redis.call/pcall: every C++ object lives and dies in here; the caller raises.
// Leaves exactly one value on the stack (the reply, or an error table).
CallOutcome do_call(lua_State* L, Interpreter::Run* run, bool raise) {
  int argc = lua_gettop(L);
  if (argc == 0) {
    push_err_plain(L, "Please specify at least one argument for this redis lib call");
    return raise ? CallOutcome::kRaise : CallOutcome::kReply;
  }
  // Numbers are formatted with %.17g (Lua's own %.14g loses precision), as Redis does; the
  // texts are kept in `numbers` (reserved so views into it stay valid).
  std::vector<std::string> numbers;
  numbers.reserve(argc);
  std::vector<std::string_view> argv;
  argv.reserve(argc);
  for (int i = 1; i <= argc; ++i) {
    if (lua_type(L, i) == LUA_TNUMBER) {
      char buf[64];
      int n = std::snprintf(buf, sizeof buf, "%.17g", static_cast<double>(lua_tonumber(L, i)));
      numbers.emplace_back(buf, n);
      argv.push_back(numbers.back());
    } else if (lua_type(L, i) == LUA_TSTRING) {
      size_t n;
      const char* s = lua_tolstring(L, i, &n);
      argv.emplace_back(s, n);
    } else {
      lua_settop(L, 0);
      push_err_plain(L, "Lua redis lib command arguments must be strings or integers");
      return raise ? CallOutcome::kRaise : CallOutcome::kReply;
    }
  }
  Value reply;
  try {
    reply = run->cb->call(argv, run->resp, raise);
  } catch (const std::exception& e) {
    reply = Value::error(std::string("ERR ") + e.what());
  } catch (...) {
    reply = Value::error("ERR unknown failure while running a command from a script");
  }
  // The arguments are popped only now: argv points into the Lua strings on the stack.
  lua_settop(L, 0);
  push_value(L, reply);
  return raise && reply.is_error() ? CallOutcome::kRaise : CallOutcome::kReply;
}

int redis_call_generic(lua_State* L, bool raise) {
  Interpreter::Run* run = self(L)->current_run();
  if (!run || !run->cb)
    return raise_plain(L, "redis.call/pcall can only be called inside a script invocation");
  if (do_call(L, run, raise) == CallOutcome::kRaise) return lua_error(L);
  return 1;
}

int redis_call(lua_State* L) {
  return redis_call_generic(L, true);
}
int redis_pcall_cmd(lua_State* L) {
  return redis_call_generic(L, false);
}

int redis_sha1hex(lua_State* L) {
  if (lua_gettop(L) != 1) return raise_plain(L, "wrong number of arguments");
  size_t n = 0;
  const char* s = lua_tolstring(L, 1, &n);
  char hex[40];
  {
    std::string_view data = s ? std::string_view(s, n) : std::string_view();
    sha1_hex(data, hex);
  }
  lua_pushlstring(L, hex, 40);
  return 1;
}

// redis.error_reply: "-CODE msg" or "CODE msg" -> {err="CODE msg"}; without a space the whole
// text is the message under ERR ("x" -> "ERR x", "" -> "ERR ").
int redis_error_reply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    push_err_plain(L, "wrong number or type of arguments");
    return 1;
  }
  size_t n;
  const char* s = lua_tolstring(L, 1, &n);
  if (n > 0 && s[0] == '-') {
    ++s;
    --n;
  }
  if (std::memchr(s, ' ', n) != nullptr) {
    push_err_reply(L, s, n);
  } else {
    lua_pushliteral(L, "ERR ");
    lua_pushlstring(L, s, n);
    lua_concat(L, 2);
    size_t m;
    const char* t = lua_tolstring(L, -1, &m);
    push_err_reply(L, t, m);
  }
  return 1;
}

int redis_status_reply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    push_err_plain(L, "wrong number or type of arguments");
    return 1;
  }
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "ok");
  lua_pushvalue(L, 1);
  lua_rawset(L, -3);
  return 1;
}

void do_log(Interpreter::Run* run, int level, lua_State* L, int argc) {
  std::string msg;
  for (int j = 2; j <= argc; ++j) {
    size_t n;
    const char* s = lua_tolstring(L, j, &n);
    if (!s) continue;
    if (j != 2) msg.push_back(' ');
    msg.append(s, n);
  }
  try {
    run->cb->log(level, msg);
  } catch (...) {
  }
}

int redis_log(lua_State* L) {
  int argc = lua_gettop(L);
  if (argc < 2) return raise_plain(L, "redis.log() requires two arguments or more.");
  if (!lua_isnumber(L, 1)) return raise_plain(L, "First argument must be a number (log level).");
  int level = static_cast<int>(lua_tonumber(L, 1));
  if (level < 0 || level > 3) return raise_plain(L, "Invalid debug level.");
  Interpreter::Run* run = self(L)->current_run();
  if (run && run->cb) do_log(run, level, L, argc);
  return 0;
}

int redis_setresp(lua_State* L) {
  Interpreter::Run* run = self(L)->current_run();
  if (!run) return raise_plain(L, "redis.setresp can only be called inside a script invocation");
  if (lua_gettop(L) != 1) return raise_plain(L, "redis.setresp() requires one argument.");
  int resp = static_cast<int>(lua_tonumber(L, 1));
  if (resp != 2 && resp != 3) return raise_plain(L, "RESP version must be 2 or 3.");
  run->resp = resp;
  return 0;
}

// Effects replication is the only mode since Redis 7; these stay for old scripts and do nothing.
int redis_set_repl(lua_State* L) {
  if (!self(L)->current_run())
    return raise_plain(L, "redis.set_repl can only be called inside a script invocation");
  if (lua_gettop(L) != 1) return raise_plain(L, "redis.set_repl() requires two arguments.");
  int flags = static_cast<int>(lua_tonumber(L, -1));
  if ((flags & ~3) != 0)
    return raise_plain(
        L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
  return 0;
}

int redis_replicate_commands(lua_State* L) {
  lua_pushboolean(L, 1);
  return 1;
}

// ---- math.random: Redis's 48-bit generator --------------------------------------------------

// x' = (a*x + c) mod 2^48 with the drand48 constants; 31 bits out (bits 17..47).
constexpr uint64_t kRandA = 0x5DEECE66Dull, kRandC = 0xB, kRandMask = (1ull << 48) - 1;
constexpr int32_t kRandMax = INT32_MAX;
constexpr uint64_t kRandInitial = 0x1234ABCD330Eull;  // what Redis's generator starts from

int32_t rand48_next(uint64_t& x) {
  x = (kRandA * x + kRandC) & kRandMask;
  return static_cast<int32_t>(x >> 17);
}

int math_random(lua_State* L) {
  Interpreter* in = self(L);
  if (!in->current_run())
    return luaL_error(L, "math.random can only be called inside a script invocation");
  lua_Number r = static_cast<lua_Number>(rand48_next(in->rand_state()) % kRandMax) /
                 static_cast<lua_Number>(kRandMax);
  switch (lua_gettop(L)) {
    case 0:
      lua_pushnumber(L, r);
      break;
    case 1: {
      int u = luaL_checkint(L, 1);
      luaL_argcheck(L, 1 <= u, 1, "interval is empty");
      lua_pushnumber(L, std::floor(r * u) + 1);
      break;
    }
    case 2: {
      int l = luaL_checkint(L, 1);
      int u = luaL_checkint(L, 2);
      luaL_argcheck(L, l <= u, 2, "interval is empty");
      lua_pushnumber(L, std::floor(r * (u - l + 1)) + l);
      break;
    }
    default:
      return luaL_error(L, "wrong number of arguments");
  }
  return 1;
}

int math_randomseed(lua_State* L) {
  Interpreter* in = self(L);
  if (!in->current_run())
    return luaL_error(L, "math.randomseed can only be called inside a script invocation");
  auto seed = static_cast<uint32_t>(luaL_checkint(L, 1));
  in->rand_state() = (static_cast<uint64_t>(seed) << 16) | 0x330E;
  return 0;
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

void set_field_fn(lua_State* L, const char* name, lua_CFunction f) {
  lua_pushcfunction(L, f);
  lua_setfield(L, -2, name);
}

void set_field_num(lua_State* L, const char* name, lua_Number n) {
  lua_pushnumber(L, n);
  lua_setfield(L, -2, name);
}

// Replaces t[name] (t at the top) with guarded_writer around the original.
void guard_field(lua_State* L, const char* name) {
  lua_getfield(L, -1, name);
  lua_pushcclosure(L, guarded_writer, 1);
  lua_setfield(L, -2, name);
}

// Pushes an empty proxy table standing for the table at index `real`: reads go to it, writes
// raise, its metatable is out of reach (getmetatable gives the decoy at registry `decoy_ref`).
void push_proxy(lua_State* L, int real, int decoy_ref) {
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

}  // namespace

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
  // error handler, which is C here and needs none; cjson, bit). struct and cmsgpack are not in
  // Debian; os, io and package are never opened.
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
  lua_getfield(L, backing, "math");
  set_field_fn(L, "random", math_random);
  set_field_fn(L, "randomseed", math_randomseed);
  lua_pop(L, 1);

  // redis.*
  lua_newtable(L);
  set_field_fn(L, "call", redis_call);
  set_field_fn(L, "pcall", redis_pcall_cmd);
  set_field_fn(L, "log", redis_log);
  set_field_num(L, "LOG_DEBUG", 0);
  set_field_num(L, "LOG_VERBOSE", 1);
  set_field_num(L, "LOG_NOTICE", 2);
  set_field_num(L, "LOG_WARNING", 3);
  set_field_num(L, "REDIS_VERSION_NUM", opts_.redis_version_num);
  lua_pushstring(L, opts_.redis_version.c_str());
  lua_setfield(L, -2, "REDIS_VERSION");
  set_field_fn(L, "setresp", redis_setresp);
  set_field_fn(L, "sha1hex", redis_sha1hex);
  set_field_fn(L, "error_reply", redis_error_reply);
  set_field_fn(L, "status_reply", redis_status_reply);
  set_field_fn(L, "set_repl", redis_set_repl);
  set_field_fn(L, "replicate_commands", redis_replicate_commands);
  set_field_num(L, "REPL_NONE", 0);
  set_field_num(L, "REPL_AOF", 1);
  set_field_num(L, "REPL_SLAVE", 2);
  set_field_num(L, "REPL_REPLICA", 2);
  set_field_num(L, "REPL_ALL", 3);
  lua_setfield(L, backing, "redis");

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
  for (const char* name : {"string", "math", "table", "redis", "cjson", "bit", "coroutine"}) {
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
  lua_pushvalue(L, -1);
  lua_setfield(L, backing, "_G");
  lua_pushvalue(L, -1);
  globals_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_replace(L, LUA_GLOBALSINDEX);
  backing_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_settop(L, 0);
}

std::string Interpreter::normalize_sha(std::string_view sha) const {
  std::string s(sha);
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
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
  return sha.size() == 40 && scripts_.count(normalize_sha(sha)) != 0;
}

bool Interpreter::flags_of(std::string_view sha, uint32_t* flags) const {
  if (sha.size() != 40) return false;
  auto it = scripts_.find(normalize_sha(sha));
  if (it == scripts_.end()) return false;
  *flags = it->second.flags;
  return true;
}

void Interpreter::flush_functions() {
  for (auto& [sha, s] : scripts_) luaL_unref(lua_, LUA_REGISTRYINDEX, s.ref);
  scripts_.clear();
  lua_gc(lua_, LUA_GCCOLLECT, 0);
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
                                                 Callback* cb, Value* reply) {
  if (sha.size() != 40) return RunStatus::kNoScript;
  std::string key = normalize_sha(sha);
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
  if (opts_.hook_interval > 0 && cb) lua_sethook(L, count_hook, LUA_MASKCOUNT, opts_.hook_interval);

  int err = lua_pcall(L, 0, 1, errh);

  if (++count_ == kGcPeriod) {
    lua_gc(L, LUA_GCSTEP, kGcPeriod);
    count_ = 0;
  }
  if (err == 0) {
    *reply = to_value(L, run.resp);
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
      msg += " script: " + key + ", on " + lua_tostring(L, -2) + ":" + lua_tostring(L, -1) + ".";
    }
    lua_pop(L, 3);
    *reply = Value::error(no_crlf(msg.data(), msg.size()));
  } else {
    // No handler ran (out of memory, or an error inside the handler itself).
    const char* s = lua_tostring(L, -1);
    std::string msg = "ERR Error running script " + key + ", " +
                      (s ? std::string(s).substr(0, 100) : std::string("execution failure"));
    *reply = Value::error(no_crlf(msg.data(), msg.size()));
    lua_pop(L, 1);
  }
  if (opts_.hook_interval > 0 && cb) lua_sethook(L, nullptr, 0, 0);
  lua_settop(L, 0);
  run_ = nullptr;
  return RunStatus::kOk;
}

}  // namespace respite::scripting
