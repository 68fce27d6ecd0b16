// The two conversions between replies and Lua values, as Redis 7.0 documents and implements
// them: a server reply becomes what redis.call returns (integer -> number, bulk -> string, null ->
// false, status -> {ok=}, error -> {err=}, RESP3 map/set/double/big number/verbatim -> tables,
// RESP3 null -> nil, boolean -> boolean), and a script's return value becomes its reply (number
// truncated to an integer, string -> bulk, true -> 1 and false -> null under RESP2, tables by
// their err/ok/double/big_number/verbatim_string/map/set fields, else an array up to its first
// nil). Only raw table access is used, so a script's metatables never run here.
#include <lua.hpp>

#include <cmath>
#include <cstring>

#include "scripting/lua_internal.h"

namespace respite::scripting::detail {

using protocol::RespValue;

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

// ---- reply tree -> Lua ------------------------------------------------------------------------

void push_value(lua_State* L, const RespValue& v) {
  if (!lua_checkstack(L, 4)) {
    lua_pushnil(L);  // a reply nested thousands deep; Redis panics here
    return;
  }
  using T = RespValue::Type;
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
      lua_pushboolean(L, v.integer != 0);
      break;
    case T::kSimple:
      lua_createtable(L, 0, 1);
      lua_pushliteral(L, "ok");
      lua_pushlstring(L, v.str.data(), v.str.size());
      lua_rawset(L, -3);
      break;
    case T::kError:
      push_err_reply(L, v.str.data(), v.str.size());
      // The server counted this error when the command replied it; a script that raises or
      // returns the table replies it uncounted (Interpreter::reply_error_counted). Redis's field
      // name, visible to scripts as it is in Redis.
      lua_pushliteral(L, "ignore_error_stats_update");
      lua_pushboolean(L, 1);
      lua_rawset(L, -3);
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
    case T::kPush:  // never in a command's reply (Redis's fake client gets none); as an array
      lua_createtable(L, static_cast<int>(v.elements.size()), 0);
      for (size_t i = 0; i < v.elements.size(); ++i) {
        push_value(L, v.elements[i]);
        lua_rawseti(L, -2, static_cast<int>(i + 1));  // a RESP3 null leaves a hole, as in Redis
      }
      break;
    case T::kMap:
    case T::kSet: {
      bool map = v.type == T::kMap;
      lua_createtable(L, 0, 1);
      lua_pushstring(L, map ? "map" : "set");
      lua_createtable(L, 0, static_cast<int>(map ? v.elements.size() / 2 : v.elements.size()));
      for (size_t i = 0; i < v.elements.size(); i += map ? 2 : 1) {
        push_value(L, v.elements[i]);
        if (map && i + 1 < v.elements.size()) {
          push_value(L, v.elements[i + 1]);
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
RespValue to_value(lua_State* L, int resp, int depth) {
  if (depth > kMaxReplyDepth || !lua_checkstack(L, 4)) {
    lua_pop(L, 1);
    return RespValue::error("ERR reached lua stack limit");
  }
  RespValue out;
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      size_t n;
      const char* s = lua_tolstring(L, -1, &n);
      out = RespValue::bulk(std::string(s, n));
      break;
    }
    case LUA_TBOOLEAN:
      if (resp == 2) {
        out = lua_toboolean(L, -1) ? RespValue::integer_of(1) : RespValue::null();
      } else {
        out = RespValue::boolean_of(lua_toboolean(L, -1));
      }
      break;
    case LUA_TNUMBER:
      out = RespValue::integer_of(truncate_number(lua_tonumber(L, -1)));
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
        out = RespValue::error(std::string(s, n));
        lua_pop(L, 1);
        break;
      }
      lua_pop(L, 1);
      if (field("ok") == LUA_TSTRING) {
        size_t n;
        const char* s = lua_tolstring(L, -1, &n);
        out = RespValue::simple(no_crlf(s, n));
        lua_pop(L, 1);
        break;
      }
      lua_pop(L, 1);
      if (field("double") == LUA_TNUMBER) {
        out = RespValue::double_of(lua_tonumber(L, -1));
        lua_pop(L, 1);
        break;
      }
      lua_pop(L, 1);
      if (field("big_number") == LUA_TSTRING) {
        size_t n;
        const char* s = lua_tolstring(L, -1, &n);
        out = RespValue::big_number(no_crlf(s, n));
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
          out = RespValue::verbatim(std::string(f, fn), std::string(s, sn));
          lua_pop(L, 3);
          break;
        }
        lua_pop(L, 2);
      }
      lua_pop(L, 1);
      if (field("map") == LUA_TTABLE) {
        out = RespValue::map({});
        lua_pushnil(L);
        while (lua_next(L, -2)) {  // stack: map, key, value
          lua_pushvalue(L, -2);
          out.elements.push_back(to_value(L, resp, depth + 1));  // the key (copy popped)
          out.elements.push_back(
              to_value(L, resp, depth + 1));  // the value, popped: key stays for lua_next
        }
        lua_pop(L, 1);
        break;
      }
      lua_pop(L, 1);
      if (field("set") == LUA_TTABLE) {
        out = RespValue::set({});
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          lua_pop(L, 1);
          lua_pushvalue(L, -1);
          out.elements.push_back(to_value(L, resp, depth + 1));
        }
        lua_pop(L, 1);
        break;
      }
      lua_pop(L, 1);
      out = RespValue::array({});
      for (int j = 1;; ++j) {
        lua_rawgeti(L, -1, j);
        if (lua_isnil(L, -1)) {
          lua_pop(L, 1);
          break;
        }
        out.elements.push_back(to_value(L, resp, depth + 1));
      }
      break;
    }
    default:
      out = RespValue::null();
      break;
  }
  lua_pop(L, 1);
  return out;
}

}  // namespace respite::scripting::detail
