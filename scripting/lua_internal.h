// Declarations shared by the interpreter's source files and nothing else: the conversions
// (convert.cpp), the redis.* API and math.random (redis_api.cpp), and the state they reach through
// the registry (interpreter.cpp). Not part of the layer's interface; the server includes
// interpreter.h only (replies are protocol/reply_reader.h's RespValue).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "protocol/reply_reader.h"
#include "scripting/interpreter.h"

struct lua_State;

namespace respite::scripting::detail {

// The Interpreter that owns L (kept in L's registry).
Interpreter* self(lua_State* L);

// Pushes {err = text}, text already "CODE message"; trailing CR/LF trimmed, as Redis does.
void push_err_reply(lua_State* L, const char* text, size_t len);
// Pushes {err = "ERR " .. msg}: the interpreter's own errors.
void push_err_plain(lua_State* L, const char* msg);
// Raises {err = "ERR " .. msg}. Never returns.
int raise_plain(lua_State* L, const char* msg);

// A reply from the server as the Lua value redis.call returns.
void push_value(lua_State* L, const protocol::RespValue& v);
// The value at the top of the stack as a reply (popped); resp is the script's redis.setresp.
protocol::RespValue to_value(lua_State* L, int resp, int depth = 0);
// CR and LF become spaces (status and error lines cannot hold them).
std::string no_crlf(const char* s, size_t n);

// Sets backing["redis"] to the redis.* table and replaces math.random and math.randomseed in
// backing["math"]; backing is an absolute stack index.
void open_redis_api(lua_State* L, int backing, const Interpreter::Options& opts);

// The cmsgpack and struct libraries (cmsgpack.cpp, struct.cpp): each pushes its table, which
// init() exposes as a global behind a read-only proxy, as it does cjson and bit.
int luaopen_cmsgpack(lua_State* L);
int luaopen_struct(lua_State* L);
// The sandbox's pieces (interpreter.cpp), shared with the library loader (library_lua.cpp).
// __index that raises "Script attempted to access nonexistent global variable 'x'".
int nonexistent_global(lua_State* L);
// Pushes an empty read-only proxy of the table at `real` (see interpreter.h); decoy_ref is what
// getmetatable() returns for it (LUA_NOREF: false).
void push_proxy(lua_State* L, int real, int decoy_ref);

// Builds the load-time globals of function libraries (library_lua.cpp) from the run-time ones at
// registry backing_ref; returns their registry ref.
int open_library_api(lua_State* L, int backing_ref, int decoy_ref);

// Where Redis's math.random generator starts (its rand.c's initial state).
constexpr uint64_t kRandInitial = 0x1234ABCD330Eull;

}  // namespace respite::scripting::detail
