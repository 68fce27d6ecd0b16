// The redis.* table scripts see (call, pcall, acl_check_cmd, log, setresp, sha1hex, error_reply,
// status_reply, set_repl and replicate_commands as no-ops, the LOG_* and REPL_* constants, the
// version) and Redis's math.random. Each function checks its arguments with Redis 7.0.15's error
// texts.
//
// Lua 5.1 raises errors with longjmp(): no function here may hold a live C++ object with a
// destructor when it calls anything that can raise (lua_error, luaL_error, luaL_check*). The C++
// work runs in a helper that returns first (do_call, do_log), and the raise comes after; C++
// exceptions from the Callback become error replies instead of crossing Lua's frames.
#include <lua.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "protocol/reply_writer.h"
#include "scripting/lua_internal.h"
#include "scripting/sha1.h"

namespace respite::scripting::detail {
namespace {

// ---- redis.* ----------------------------------------------------------------------------------

// A number argument's text: what snprintf("%.17g") gives, without snprintf for integral values
// below 1e15 (there %.17g prints exactly the integer's digits; -0 keeps its "-0").
size_t format_number(double d, char* buf, size_t cap) {
  if (d == std::trunc(d) && std::fabs(d) < 1e15 && !(d == 0 && std::signbit(d)))
    return protocol::ReplyWriter::format_int(static_cast<int64_t>(d), buf);
  return static_cast<size_t>(std::snprintf(buf, cap, "%.17g", d));
}

enum class CallOutcome { kReply, kRaise };

// The arguments on the Lua stack as a command's argv, for redis.call/pcall and
// redis.acl_check_cmd. Numbers are formatted as Redis does, "%.17g" (Lua's own "%.14g" loses
// precision), with a fast path for integral values, whose %.17g text is their plain digits. The
// views point into the Lua strings on the stack and into the interpreter's scratch text, which is
// complete before any view into it is taken. False, with the error table pushed, when an argument
// is neither a string nor a number or there is none.
bool collect_argv(lua_State* L, Interpreter* in, std::span<const std::string_view>* out) {
  int argc = lua_gettop(L);
  if (argc == 0) {
    push_err_plain(L, "Please specify at least one argument for this redis lib call");
    return false;
  }
  Interpreter::CallScratch& sc = in->call_scratch();
  sc.numbers.clear();
  sc.number_spans.clear();
  for (int i = 1; i <= argc; ++i) {
    int t = lua_type(L, i);
    if (t == LUA_TNUMBER) {
      char buf[64];
      size_t n = format_number(lua_tonumber(L, i), buf, sizeof buf);
      sc.number_spans.emplace_back(sc.numbers.size(), n);
      sc.numbers.append(buf, n);
    } else if (t != LUA_TSTRING) {
      lua_settop(L, 0);
      push_err_plain(L, "Lua redis lib command arguments must be strings or integers");
      return false;
    }
  }
  sc.argv.clear();
  size_t next_number = 0;
  for (int i = 1; i <= argc; ++i) {
    if (lua_type(L, i) == LUA_TNUMBER) {
      auto [off, n] = sc.number_spans[next_number++];
      sc.argv.emplace_back(sc.numbers.data() + off, n);
    } else {
      size_t n;
      const char* s = lua_tolstring(L, i, &n);
      sc.argv.emplace_back(s, n);
    }
  }
  *out = std::span<const std::string_view>(sc.argv);
  return true;
}

// The C++ half of redis.call/pcall: every C++ object lives and dies in here; the caller raises.
// Leaves exactly one value on the stack (the reply, or an error table).
CallOutcome do_call(lua_State* L, Interpreter* in, Interpreter::Run* run, bool raise) {
  std::span<const std::string_view> argv;
  if (!collect_argv(L, in, &argv)) return raise ? CallOutcome::kRaise : CallOutcome::kReply;
  protocol::RespValue reply;
  try {
    reply = run->cb->call(argv, run->resp, raise);
  } catch (const std::exception& e) {
    reply = protocol::RespValue::error(std::string("ERR ") + e.what());
  } catch (...) {
    reply = protocol::RespValue::error("ERR unknown failure while running a command from a script");
  }
  // The arguments are popped only now: argv points into the Lua strings on the stack.
  lua_settop(L, 0);
  push_value(L, reply);
  return raise && reply.is_error() ? CallOutcome::kRaise : CallOutcome::kReply;
}

// redis.call and redis.pcall carry their Interpreter as upvalue 1: the hottest functions skip
// self()'s registry lookup (about a hundred instructions a call).
int redis_call_generic(lua_State* L, bool raise) {
  auto* in = static_cast<Interpreter*>(lua_touserdata(L, lua_upvalueindex(1)));
  Interpreter::Run* run = in->current_run();
  if (!run || !run->cb)
    return raise_plain(L, "redis.call/pcall can only be called inside a script invocation");
  if (do_call(L, in, run, raise) == CallOutcome::kRaise) return lua_error(L);
  return 1;
}

int redis_call(lua_State* L) {
  return redis_call_generic(L, true);
}
int redis_pcall_cmd(lua_State* L) {
  return redis_call_generic(L, false);
}

// redis.acl_check_cmd(command, args...): whether the script's caller may run that command with
// those arguments (its user's command, key and channel rules), as a boolean; an unknown command
// raises.
int redis_acl_check_cmd(lua_State* L) {
  Interpreter* in = self(L);
  Interpreter::Run* run = in->current_run();
  if (!run || !run->cb)
    return raise_plain(L, "redis.acl_check_cmd can only be called inside a script invocation");
  std::span<const std::string_view> argv;
  if (!collect_argv(L, in, &argv)) return lua_error(L);
  int allowed = 1;
  try {
    allowed = run->cb->check_acl(argv);
  } catch (...) {
    allowed = -1;
  }
  lua_settop(L, 0);  // argv points into the stack's strings until here
  if (allowed < 0) {
    push_err_plain(L, "Invalid command passed to redis.acl_check_cmd()");
    return lua_error(L);
  }
  lua_pushboolean(L, allowed);
  return 1;
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

void do_log(Callback* cb, int level, lua_State* L, int argc) {
  std::string msg;
  for (int j = 2; j <= argc; ++j) {
    size_t n;
    const char* s = lua_tolstring(L, j, &n);
    if (!s) continue;
    if (j != 2) msg.push_back(' ');
    msg.append(s, n);
  }
  try {
    cb->log(level, msg);
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
  // While a library loads, its log callback (FUNCTION LOAD logs; a worker's re-sync does not).
  Interpreter::Loading* ld = self(L)->loading();
  Callback* cb = run ? run->cb : ld ? ld->log : nullptr;
  if (cb) do_log(cb, level, L, argc);
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

// redis.breakpoint() and redis.debug(...): respite has no script debugger (SCRIPT DEBUG), so
// they behave as in Redis outside a debugging session: false, and nothing.
int redis_breakpoint(lua_State* L) {
  lua_pushboolean(L, 0);
  return 1;
}

int redis_debug(lua_State*) {
  return 0;
}

// ---- math.random: Redis's 48-bit generator --------------------------------------------------

// x' = (a*x + c) mod 2^48 with the drand48 constants; 31 bits out (bits 17..47).
constexpr uint64_t kRandA = 0x5DEECE66Dull, kRandC = 0xB, kRandMask = (1ull << 48) - 1;
constexpr int32_t kRandMax = INT32_MAX;

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

void set_field_fn(lua_State* L, const char* name, lua_CFunction f) {
  lua_pushcfunction(L, f);
  lua_setfield(L, -2, name);
}

void set_field_num(lua_State* L, const char* name, lua_Number n) {
  lua_pushnumber(L, n);
  lua_setfield(L, -2, name);
}

}  // namespace

void open_redis_api(lua_State* L, int backing, const Interpreter::Options& opts) {
  lua_getfield(L, backing, "math");
  set_field_fn(L, "random", math_random);
  set_field_fn(L, "randomseed", math_randomseed);
  lua_pop(L, 1);

  // redis.*
  lua_newtable(L);
  const std::pair<const char*, lua_CFunction> calls[] = {{"call", redis_call},
                                                         {"pcall", redis_pcall_cmd}};
  for (auto [name, fn] : calls) {
    lua_pushlightuserdata(L, self(L));
    lua_pushcclosure(L, fn, 1);
    lua_setfield(L, -2, name);
  }
  set_field_fn(L, "log", redis_log);
  set_field_num(L, "LOG_DEBUG", 0);
  set_field_num(L, "LOG_VERBOSE", 1);
  set_field_num(L, "LOG_NOTICE", 2);
  set_field_num(L, "LOG_WARNING", 3);
  set_field_num(L, "REDIS_VERSION_NUM", opts.redis_version_num);
  lua_pushstring(L, opts.redis_version.c_str());
  lua_setfield(L, -2, "REDIS_VERSION");
  set_field_fn(L, "setresp", redis_setresp);
  set_field_fn(L, "sha1hex", redis_sha1hex);
  set_field_fn(L, "acl_check_cmd", redis_acl_check_cmd);
  set_field_fn(L, "error_reply", redis_error_reply);
  set_field_fn(L, "status_reply", redis_status_reply);
  set_field_fn(L, "set_repl", redis_set_repl);
  set_field_fn(L, "replicate_commands", redis_replicate_commands);
  set_field_fn(L, "breakpoint", redis_breakpoint);
  set_field_fn(L, "debug", redis_debug);
  set_field_num(L, "REPL_NONE", 0);
  set_field_num(L, "REPL_AOF", 1);
  set_field_num(L, "REPL_SLAVE", 2);
  set_field_num(L, "REPL_REPLICA", 2);
  set_field_num(L, "REPL_ALL", 3);
  lua_setfield(L, backing, "redis");
}

}  // namespace respite::scripting::detail
