// The `struct` library of Redis 7.0 scripts, written for respite against the Lua 5.1 C API: the
// semantics of Roberto Ierusalimschy's lstruct 1.7 as Redis 7.0.15 vendors it (lua_struct.c), on
// an LP64 little-endian machine. struct.pack(fmt, ...) returns the binary string, struct.unpack
// (fmt, s [, pos]) the values and then the position after them, struct.size(fmt) the length of a
// fixed-size format. Format: '<' '>' endianness (native: little), '![n]' maximum alignment (8
// without n), 'x' a zero byte, b/B h/H l/L T i/I[n] integers of 1, 2, 8, 8, n (default 4, at most
// 32) bytes, 'c[n]' n chars (packing c0: the whole string; unpacking c0: the length is the value
// read just before), 's' a zero-terminated string, 'f' float, 'd' double, ' ' ignored. Integers go
// through a 64-bit long as there, including where C leaves things to the machine (out-of-range
// doubles, sizes past 8): those follow what x86-64 builds of Redis give. Errors carry its texts.
#include <lua.hpp>

#include <bit>
#include <cctype>
#include <climits>
#include <cstdint>
#include <cstring>

#include "scripting/lua_internal.h"

namespace respite::scripting::detail {
namespace {

constexpr int kMaxIntSize = 32;
constexpr int kMaxAlign = 8;  // alignof(double) and above sizeof(int) on x86-64
constexpr bool kLittle = std::endian::native == std::endian::little;  // the machine's order

struct Header {
  bool little = kLittle;
  int align = 1;
};

// A decimal number at *fmt (advancing past it), or df when there is none.
int read_number(lua_State* L, const char** fmt, int df) {
  if (!std::isdigit(static_cast<unsigned char>(**fmt))) return df;
  int a = 0;
  do {
    int digit = **fmt - '0';
    if (a > INT_MAX / 10 || a * 10 > INT_MAX - digit) luaL_error(L, "integral size overflow");
    a = a * 10 + digit;
    ++*fmt;
  } while (std::isdigit(static_cast<unsigned char>(**fmt)));
  return a;
}

// The size of option opt (reading its count from *fmt); 0 for options without a size.
size_t option_size(lua_State* L, char opt, const char** fmt) {
  switch (opt) {
    case 'B':
    case 'b':
      return 1;
    case 'H':
    case 'h':
      return 2;
    case 'L':
    case 'l':
    case 'T':
      return 8;
    case 'f':
      return 4;
    case 'd':
      return 8;
    case 'x':
      return 1;
    case 'c':
      return static_cast<size_t>(read_number(L, fmt, 1));
    case 'i':
    case 'I': {
      int n = read_number(L, fmt, 4);
      if (n > kMaxIntSize) {
        luaL_error(L, "integral size %d is larger than limit of %d", n, kMaxIntSize);
      }
      return static_cast<size_t>(n);
    }
    default:
      return 0;
  }
}

// Padding before an item of `size` bytes at offset len (lstruct's formula, also for sizes that
// are not powers of two).
size_t padding(size_t len, const Header& h, char opt, size_t size) {
  if (size == 0 || opt == 'c') return 0;
  if (size > static_cast<size_t>(h.align)) size = static_cast<size_t>(h.align);
  return (size - (len & (size - 1))) & (size - 1);
}

// The options that only change the header; anything else is an invalid option.
void control_option(lua_State* L, char opt, const char** fmt, Header& h) {
  switch (opt) {
    case ' ':
      return;
    case '>':
      h.little = false;
      return;
    case '<':
      h.little = true;
      return;
    case '!': {
      int a = read_number(L, fmt, kMaxAlign);
      if (a <= 0 || (a & (a - 1)) != 0) luaL_error(L, "alignment %d is not a power of 2", a);
      h.align = a;
      return;
    }
    default:
      luaL_argerror(L, 1, lua_pushfstring(L, "invalid format option '%c'", opt));
  }
}

// C's double -> long conversion as x86-64 performs it: out of range and NaN give LONG_MIN.
int64_t to_long(double d) {
  if (d >= -9223372036854775808.0 && d < 9223372036854775808.0) return static_cast<int64_t>(d);
  return INT64_MIN;
}

// C's double -> unsigned long as GCC compiles it on x86-64 (lstruct's conversion of a
// non-negative number): 2^64 and above give 0, NaN 2^63.
uint64_t to_ulong(double d) {
  constexpr double k2p63 = 9223372036854775808.0;
  if (d >= k2p63) return static_cast<uint64_t>(to_long(d - k2p63)) ^ (uint64_t{1} << 63);
  return static_cast<uint64_t>(to_long(d));
}

// Swaps the n bytes at p when the requested order is not the machine's.
void fix_order(char* p, size_t n, bool little) {
  if (little == kLittle) return;
  for (size_t i = 0, j = n - 1; i < j; ++i, --j) {
    char t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
}

void add_integer(lua_State* L, luaL_Buffer* b, int arg, bool little, size_t size) {
  double n = luaL_checknumber(L, arg);
  uint64_t v = n < 0 ? static_cast<uint64_t>(to_long(n)) : to_ulong(n);
  char bytes[kMaxIntSize];
  // Past 8 bytes the value has run out: zeros, even for a negative number (as lstruct).
  for (size_t i = 0; i < size; ++i) {
    bytes[little ? i : size - 1 - i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  luaL_addlstring(b, bytes, size);
}

int pack(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  Header h;
  int arg = 2;
  size_t total = 0;
  lua_pushnil(L);  // keeps the buffer's stack slots above the arguments
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  while (*fmt != '\0') {
    char opt = *fmt++;
    size_t size = option_size(L, opt, &fmt);
    size_t pad = padding(total, h, opt, size);
    total += pad;
    for (; pad > 0; --pad) luaL_addchar(&b, '\0');
    switch (opt) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I':
        add_integer(L, &b, arg++, h.little, size);
        break;
      case 'x':
        luaL_addchar(&b, '\0');
        break;
      case 'f': {
        float f = static_cast<float>(luaL_checknumber(L, arg++));
        fix_order(reinterpret_cast<char*>(&f), 4, h.little);
        luaL_addlstring(&b, reinterpret_cast<const char*>(&f), 4);
        break;
      }
      case 'd': {
        double d = luaL_checknumber(L, arg++);
        fix_order(reinterpret_cast<char*>(&d), 8, h.little);
        luaL_addlstring(&b, reinterpret_cast<const char*>(&d), 8);
        break;
      }
      case 'c':
      case 's': {
        size_t len;
        const char* s = luaL_checklstring(L, arg++, &len);
        if (size == 0) size = len;
        // lstruct names the argument after this one in the error; so does this.
        luaL_argcheck(L, len >= size, arg, "string too short");
        luaL_addlstring(&b, s, size);
        if (opt == 's') {
          luaL_addchar(&b, '\0');
          ++size;
        }
        break;
      }
      default:
        control_option(L, opt, &fmt, h);
    }
    total += size;
  }
  luaL_pushresult(&b);
  return 1;
}

// `size` bytes at p as a number. Only the last 8 bytes read survive (a 64-bit accumulator), and
// the sign bit is bit (8 * size - 1) mod 64, as lstruct's shift behaves on x86-64.
double get_integer(const char* p, bool little, bool is_signed, size_t size) {
  uint64_t v = 0;
  for (size_t k = 0; k < size; ++k) {
    size_t i = little ? size - 1 - k : k;
    v = (v << 8) | static_cast<unsigned char>(p[i]);
  }
  if (!is_signed) return static_cast<double>(v);
  uint64_t mask = ~uint64_t{0} << ((size * 8 - 1) & 63);
  if (v & mask) v |= mask;
  return static_cast<double>(static_cast<int64_t>(v));
}

int unpack(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  size_t len;
  const char* data = luaL_checklstring(L, 2, &len);
  // As lstruct: a negative position wraps to a huge one (then "data string too short").
  size_t pos = static_cast<size_t>(luaL_optinteger(L, 3, 1));
  luaL_argcheck(L, pos > 0, 3, "offset must be 1 or greater");
  --pos;
  Header h;
  int n = 0;
  while (*fmt != '\0') {
    char opt = *fmt++;
    size_t size = option_size(L, opt, &fmt);
    pos += padding(pos, h, opt, size);
    luaL_argcheck(L, size <= len && pos <= len - size, 2, "data string too short");
    luaL_checkstack(L, 2, "too many results");
    switch (opt) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I':
        lua_pushnumber(L, get_integer(data + pos, h.little, std::islower(opt) != 0, size));
        ++n;
        break;
      case 'x':
        break;
      case 'f': {
        float f;
        std::memcpy(&f, data + pos, 4);
        fix_order(reinterpret_cast<char*>(&f), 4, h.little);
        lua_pushnumber(L, f);
        ++n;
        break;
      }
      case 'd': {
        double d;
        std::memcpy(&d, data + pos, 8);
        fix_order(reinterpret_cast<char*>(&d), 8, h.little);
        lua_pushnumber(L, d);
        ++n;
        break;
      }
      case 'c':
        if (size == 0) {
          // The previous value (a number, or a string that reads as one) is the length.
          if (n == 0 || !lua_isnumber(L, -1)) luaL_error(L, "format 'c0' needs a previous size");
          size = to_ulong(lua_tonumber(L, -1));
          lua_pop(L, 1);
          --n;
          luaL_argcheck(L, size <= len && pos <= len - size, 2, "data string too short");
        }
        lua_pushlstring(L, data + pos, size);
        ++n;
        break;
      case 's': {
        const void* end = std::memchr(data + pos, '\0', len - pos);
        if (end == nullptr) luaL_error(L, "unfinished string in data");
        size = static_cast<size_t>(static_cast<const char*>(end) - (data + pos)) + 1;
        lua_pushlstring(L, data + pos, size - 1);
        ++n;
        break;
      }
      default:
        control_option(L, opt, &fmt, h);
    }
    pos += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(pos + 1));
  return n + 1;
}

int size(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  Header h;
  size_t pos = 0;
  while (*fmt != '\0') {
    char opt = *fmt++;
    size_t size = option_size(L, opt, &fmt);
    pos += padding(pos, h, opt, size);
    if (opt == 's') {
      luaL_argerror(L, 1, "option 's' has no fixed size");
    } else if (opt == 'c' && size == 0) {
      luaL_argerror(L, 1, "option 'c0' has no fixed size");
    }
    // Unknown letters and digits count as size 0 here, as in lstruct; other characters are
    // checked as control options.
    if (!std::isalnum(static_cast<unsigned char>(opt))) control_option(L, opt, &fmt, h);
    pos += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(pos));
  return 1;
}

}  // namespace

int luaopen_struct(lua_State* L) {
  const luaL_Reg fns[] = {{"pack", pack}, {"unpack", unpack}, {"size", size}};
  lua_createtable(L, 0, 3);
  for (const luaL_Reg& f : fns) {
    lua_pushcfunction(L, f.func);
    lua_setfield(L, -2, f.name);
  }
  return 1;
}

}  // namespace respite::scripting::detail
