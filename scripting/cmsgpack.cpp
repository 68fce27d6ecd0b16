// The `cmsgpack` library of Redis 7.0 scripts, written for respite against the Lua 5.1 C API (no
// Debian package offers it; lua-messagepack has another API). It behaves as Redis 7.0.15's vendored
// lua_cmsgpack.c (lua-cmsgpack 0.4.0), byte for byte: pack(v1, ...) concatenates each value's
// encoding (tables whose keys are exactly 1..n become arrays, any other table a map; integral
// numbers take the smallest int/uint format, others a float when that is exact, else a double;
// strings fixstr/str8/str16/str32; functions and other values nil; a table nested 16 deep is
// encoded as nil, which is also what stops circular references); unpack(s) returns every value,
// unpack_one(s, offset) and unpack_limit(s, limit, offset) also return the next offset first
// (-1 once the input is used up). Decoding knows only the formats the encoder writes (plus
// fixarray/fixmap and the 16/32-bit forms); anything else is "Bad data format in input.".
// Lua errors are longjmp()s: the encoder writes into a thread_local buffer, never into a C++
// object on the stack, so an error in the middle cannot leak or skip a destructor.
#include <lua.hpp>

#include <climits>
#include <cstdint>
#include <cstring>
#include <string>

#include "scripting/lua_internal.h"

namespace respite::scripting::detail {
namespace {

constexpr int kMaxNesting = 16;

// ---- encoding ---------------------------------------------------------------------------------

// The output of the pack() in progress. One per thread: the interpreter is used by one thread,
// and encoding runs no Lua code, so pack() cannot re-enter itself.
thread_local std::string out;

void put_byte(unsigned c) {
  out.push_back(static_cast<char>(c & 0xff));
}

// `bytes` bytes of v, most significant first.
void put_be(uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) put_byte(static_cast<unsigned>(v >> (8 * i)));
}

// An array or map header: the fix form (fix | n) up to 15, else tag16 and 2 bytes of n, else
// tag16 + 1 (the 32-bit form) and 4 bytes.
void put_container(uint64_t n, unsigned fix, unsigned tag16) {
  if (n <= 15) {
    put_byte(fix | static_cast<unsigned>(n));
  } else if (n <= 0xffff) {
    put_byte(tag16);
    put_be(n, 2);
  } else {
    put_byte(tag16 + 1);
    put_be(n, 4);
  }
}

void put_string(const char* s, size_t len) {
  if (len < 32) {
    put_byte(0xa0 | static_cast<unsigned>(len));
  } else if (len <= 0xff) {
    put_byte(0xd9);
    put_be(len, 1);
  } else if (len <= 0xffff) {
    put_byte(0xda);
    put_be(len, 2);
  } else {
    put_byte(0xdb);
    put_be(len, 4);  // as Redis: lengths past 4 GiB keep their low 32 bits
  }
  out.append(s, len);
}

void put_int(int64_t n) {
  if (n >= 0) {
    if (n <= 127) {
      put_byte(static_cast<unsigned>(n));
    } else if (n <= 0xff) {
      put_byte(0xcc);
      put_be(n, 1);
    } else if (n <= 0xffff) {
      put_byte(0xcd);
      put_be(n, 2);
    } else if (n <= 0xffffffffLL) {
      put_byte(0xce);
      put_be(n, 4);
    } else {
      put_byte(0xcf);
      put_be(n, 8);
    }
  } else if (n >= -32) {
    put_byte(static_cast<unsigned>(n));  // negative fixint: the low byte, 0xe0..0xff
  } else if (n >= -128) {
    put_byte(0xd0);
    put_be(static_cast<uint64_t>(n), 1);
  } else if (n >= -32768) {
    put_byte(0xd1);
    put_be(static_cast<uint64_t>(n), 2);
  } else if (n >= INT32_MIN) {
    put_byte(0xd2);
    put_be(static_cast<uint64_t>(n), 4);
  } else {
    put_byte(0xd3);
    put_be(static_cast<uint64_t>(n), 8);
  }
}

void put_number(double d) {
  // Integral and within int64's range (NaN and the infinities are not): an integer format.
  if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 &&
      static_cast<double>(static_cast<int64_t>(d)) == d) {
    put_int(static_cast<int64_t>(d));
    return;
  }
  float f = static_cast<float>(d);
  if (static_cast<double>(f) == d) {  // NaN fails this and goes out as a double, as in Redis
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    put_byte(0xca);
    put_be(bits, 4);
  } else {
    uint64_t bits;
    std::memcpy(&bits, &d, 8);
    put_byte(0xcb);
    put_be(bits, 8);
  }
}

// Redis's test: every key a number n > 0 that an int holds exactly, and the largest key equal to
// the number of keys (so the keys are 1..n with no hole). The empty table is an array. Returns n,
// or -1 for a map.
long array_length(lua_State* L, int t) {
  long count = 0;
  double max = 0;
  lua_pushnil(L);
  while (lua_next(L, t)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TNUMBER) {
      lua_pop(L, 1);
      return -1;
    }
    double n = lua_tonumber(L, -1);
    if (!(n > 0 && n <= INT_MAX && static_cast<double>(static_cast<int>(n)) == n)) {
      lua_pop(L, 1);
      return -1;
    }
    if (n > max) max = n;
    ++count;
  }
  return max == static_cast<double>(count) ? count : -1;
}

// Encodes the value at the top of the stack and pops it; level is how many tables enclose it.
void encode(lua_State* L, int level) {
  int type = lua_type(L, -1);
  if (type == LUA_TTABLE && level == kMaxNesting) type = LUA_TNIL;
  switch (type) {
    case LUA_TSTRING: {
      size_t len;
      const char* s = lua_tolstring(L, -1, &len);
      put_string(s, len);
      break;
    }
    case LUA_TBOOLEAN:
      put_byte(lua_toboolean(L, -1) ? 0xc3 : 0xc2);
      break;
    case LUA_TNUMBER:
      put_number(lua_tonumber(L, -1));
      break;
    case LUA_TTABLE: {
      luaL_checkstack(L, 4, "in function cmsgpack.pack");
      int t = lua_gettop(L);
      long n = array_length(L, t);
      if (n >= 0) {
        put_container(static_cast<uint64_t>(n), 0x90, 0xdc);
        for (long i = 1; i <= n; ++i) {
          lua_rawgeti(L, t, static_cast<int>(i));
          encode(L, level + 1);
        }
      } else {
        uint64_t pairs = 0;
        lua_pushnil(L);
        while (lua_next(L, t)) {
          lua_pop(L, 1);
          ++pairs;
        }
        put_container(pairs, 0x80, 0xde);
        lua_pushnil(L);
        while (lua_next(L, t)) {
          lua_pushvalue(L, -2);
          encode(L, level + 1);  // the key
          encode(L, level + 1);  // the value; the key stays for lua_next
        }
      }
      break;
    }
    default:  // nil, functions, userdata, threads
      put_byte(0xc0);
      break;
  }
  lua_pop(L, 1);
}

int pack(lua_State* L) {
  int nargs = lua_gettop(L);
  if (nargs == 0) return luaL_argerror(L, 0, "MessagePack pack needs input.");
  out.clear();
  for (int i = 1; i <= nargs; ++i) {
    luaL_checkstack(L, 1, "in function cmsgpack.pack");
    lua_pushvalue(L, i);
    encode(L, 0);
  }
  lua_pushlstring(L, out.data(), out.size());
  // Give back the memory of a large result rather than keep it for the thread's life.
  if (out.capacity() > (1u << 20)) std::string().swap(out);
  return 1;
}

// ---- decoding ---------------------------------------------------------------------------------

enum class Err { kNone, kEof, kBadFormat };

struct Cursor {
  const unsigned char* p;
  size_t left;
  Err err;
};

uint64_t get_be(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  return v;
}

void decode(lua_State* L, Cursor& c);

// Redis sets each element with lua_settable, so a nil map key raises "table index is nil".
void decode_array(lua_State* L, Cursor& c, size_t n) {
  lua_newtable(L);
  luaL_checkstack(L, 1, "in function mp_decode_to_lua_array");
  for (size_t i = 1; i <= n; ++i) {
    lua_pushnumber(L, static_cast<double>(i));
    decode(L, c);
    if (c.err != Err::kNone) return;
    lua_settable(L, -3);
  }
}

void decode_map(lua_State* L, Cursor& c, size_t n) {
  lua_newtable(L);
  for (size_t i = 0; i < n; ++i) {
    decode(L, c);
    if (c.err != Err::kNone) return;
    decode(L, c);
    if (c.err != Err::kNone) return;
    lua_settable(L, -3);
  }
}

// True when at least n bytes are left; otherwise marks the cursor at end of input.
bool need(Cursor& c, size_t n) {
  if (c.left >= n) return true;
  c.err = Err::kEof;
  return false;
}

void consume(Cursor& c, size_t n) {
  c.p += n;
  c.left -= n;
}

// A string of n bytes after a header of hdr bytes.
void decode_string(lua_State* L, Cursor& c, size_t hdr, size_t n) {
  consume(c, hdr);
  if (!need(c, n)) return;
  lua_pushlstring(L, reinterpret_cast<const char*>(c.p), n);
  consume(c, n);
}

// Decodes one value onto the stack, or sets c.err.
void decode(lua_State* L, Cursor& c) {
  if (!need(c, 1)) return;
  // One slot per value; a long stream of top-level values runs into Lua's stack limit here.
  luaL_checkstack(L, 1, "too many return values at once; use unpack_one or unpack_limit instead.");
  const unsigned char tag = c.p[0];
  // Integer formats: payload size and signedness.
  int int_bytes = 0;
  bool is_signed = false;
  switch (tag) {
    case 0xcc:
      int_bytes = 1;
      break;
    case 0xcd:
      int_bytes = 2;
      break;
    case 0xce:
      int_bytes = 4;
      break;
    case 0xcf:
      int_bytes = 8;
      break;
    case 0xd0:
      int_bytes = 1;
      is_signed = true;
      break;
    case 0xd1:
      int_bytes = 2;
      is_signed = true;
      break;
    case 0xd2:
      int_bytes = 4;
      is_signed = true;
      break;
    case 0xd3:
      int_bytes = 8;
      is_signed = true;
      break;
    default:
      break;
  }
  if (int_bytes) {
    if (!need(c, 1 + int_bytes)) return;
    uint64_t v = get_be(c.p + 1, int_bytes);
    int64_t n;
    if (is_signed && int_bytes < 8) {
      uint64_t sign = uint64_t{1} << (8 * int_bytes - 1);
      n = static_cast<int64_t>((v ^ sign) - sign);
    } else {
      n = static_cast<int64_t>(v);  // uint 64 past INT64_MAX wraps negative, as in Redis
    }
    lua_pushnumber(L, static_cast<double>(n));
    consume(c, 1 + int_bytes);
    return;
  }
  switch (tag) {
    case 0xc0:
      lua_pushnil(L);
      consume(c, 1);
      return;
    case 0xc2:
    case 0xc3:
      lua_pushboolean(L, tag == 0xc3);
      consume(c, 1);
      return;
    case 0xca: {
      if (!need(c, 5)) return;
      uint32_t bits = static_cast<uint32_t>(get_be(c.p + 1, 4));
      float f;
      std::memcpy(&f, &bits, 4);
      lua_pushnumber(L, f);
      consume(c, 5);
      return;
    }
    case 0xcb: {
      if (!need(c, 9)) return;
      uint64_t bits = get_be(c.p + 1, 8);
      double d;
      std::memcpy(&d, &bits, 8);
      lua_pushnumber(L, d);
      consume(c, 9);
      return;
    }
    case 0xd9:
      if (!need(c, 2)) return;
      if (!need(c, 2 + c.p[1])) return;  // Redis checks header and body together here
      decode_string(L, c, 2, c.p[1]);
      return;
    case 0xda: {
      if (!need(c, 3)) return;
      size_t n = get_be(c.p + 1, 2);
      if (!need(c, 3 + n)) return;
      decode_string(L, c, 3, n);
      return;
    }
    case 0xdb:
      if (!need(c, 5)) return;
      decode_string(L, c, 5, get_be(c.p + 1, 4));
      return;
    case 0xdc:
    case 0xde: {
      if (!need(c, 3)) return;
      size_t n = get_be(c.p + 1, 2);
      consume(c, 3);
      tag == 0xdc ? decode_array(L, c, n) : decode_map(L, c, n);
      return;
    }
    case 0xdd:
    case 0xdf: {
      if (!need(c, 5)) return;
      size_t n = get_be(c.p + 1, 4);
      consume(c, 5);
      tag == 0xdd ? decode_array(L, c, n) : decode_map(L, c, n);
      return;
    }
    default:
      break;
  }
  if ((tag & 0x80) == 0) {  // positive fixint
    lua_pushnumber(L, tag);
    consume(c, 1);
  } else if ((tag & 0xe0) == 0xe0) {  // negative fixint
    lua_pushnumber(L, static_cast<int>(tag) - 256);
    consume(c, 1);
  } else if ((tag & 0xe0) == 0xa0) {  // fixstr
    size_t n = tag & 0x1f;
    if (!need(c, 1 + n)) return;
    decode_string(L, c, 1, n);
  } else if ((tag & 0xf0) == 0x90) {  // fixarray
    consume(c, 1);
    decode_array(L, c, tag & 0xf);
  } else if ((tag & 0xf0) == 0x80) {  // fixmap
    consume(c, 1);
    decode_map(L, c, tag & 0xf);
  } else {  // bin, ext, 0xc1 and the fixext forms: the encoder never writes them
    c.err = Err::kBadFormat;
  }
}

// Decodes from `offset` of argument 1, at most `limit` values; limit and offset both 0 means
// "everything, and no offset in the results" (so unpack_limit(s, 0) acts as unpack(s)).
// Otherwise the next offset comes first: -1 when nothing is left.
int unpack_full(lua_State* L, lua_Integer limit, lua_Integer offset) {
  size_t len;
  const char* s = luaL_checklstring(L, 1, &len);
  bool all = limit == 0 && offset == 0;
  if (offset < 0 || limit < 0) {
    // Redis's text, which prints the input's length where it says "limit".
    return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.",
                      static_cast<int>(offset), static_cast<int>(len));
  }
  if (static_cast<size_t>(offset) > len) {
    return luaL_error(L, "Start offset %d greater than input length %d.", static_cast<int>(offset),
                      static_cast<int>(len));
  }
  if (all) limit = INT_MAX;
  Cursor c{reinterpret_cast<const unsigned char*>(s) + offset, len - static_cast<size_t>(offset),
           Err::kNone};
  int count = 0;
  for (; c.left > 0 && count < limit; ++count) {
    decode(L, c);
    if (c.err == Err::kEof) return luaL_error(L, "Missing bytes in input.");
    if (c.err == Err::kBadFormat) return luaL_error(L, "Bad data format in input.");
  }
  if (all) return count;
  luaL_checkstack(L, 1, "in function mp_unpack_full");
  lua_pushinteger(L, c.left == 0 ? -1 : static_cast<lua_Integer>(len - c.left));
  lua_insert(L, 2);  // just above the input string, the only argument left
  return count + 1;
}

int unpack(lua_State* L) {
  return unpack_full(L, 0, 0);
}

int unpack_one(lua_State* L) {
  lua_Integer offset = luaL_optinteger(L, 2, 0);
  // Drops the arguments after the input; with none at all the stack stays empty, so that the
  // error says "got no value".
  lua_pop(L, lua_gettop(L) - 1);
  return unpack_full(L, 1, offset);
}

int unpack_limit(lua_State* L) {
  lua_Integer limit = luaL_checkinteger(L, 2);
  lua_Integer offset = luaL_optinteger(L, 3, 0);
  lua_pop(L, lua_gettop(L) - 1);
  return unpack_full(L, limit, offset);
}

}  // namespace

int luaopen_cmsgpack(lua_State* L) {
  const luaL_Reg fns[] = {{"pack", pack},
                          {"unpack", unpack},
                          {"unpack_one", unpack_one},
                          {"unpack_limit", unpack_limit}};
  lua_createtable(L, 0, 8);
  for (const luaL_Reg& f : fns) {
    lua_pushcfunction(L, f.func);
    lua_setfield(L, -2, f.name);
  }
  // The module's metadata, as Redis's table carries it.
  const char* meta[][2] = {{"_NAME", "cmsgpack"},
                           {"_VERSION", "lua-cmsgpack 0.4.0"},
                           {"_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo"},
                           {"_DESCRIPTION", "MessagePack C implementation for Lua"}};
  for (auto& [key, value] : meta) {
    lua_pushstring(L, value);
    lua_setfield(L, -2, key);
  }
  return 1;
}

}  // namespace respite::scripting::detail
