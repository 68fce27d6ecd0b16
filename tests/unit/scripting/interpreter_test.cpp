// Unit tests of the scripting interpreter with no server: a fake Callback stands in for command
// execution. Expected texts are Redis 7.0.15's, taken from its tests/unit/scripting.tcl and from
// Debian's redis-server 7.0.15 answering the same scripts (noted where a value came from there).
#include <doctest.h>

#include <map>
#include <string>
#include <vector>

#include "scripting/interpreter.h"
#include "scripting/sha1.h"
#include "scripting/shebang.h"

using respite::protocol::RespValue;
using respite::scripting::Callback;
using respite::scripting::Interpreter;
using respite::scripting::sha1_hex;

namespace {

// Records every command and answers from a table keyed by the command name; unknown commands get
// Redis's error, "echo" returns its argument, "ping" PONG.
class FakeServer : public Callback {
 public:
  std::vector<std::vector<std::string>> calls;
  std::vector<int> resps;
  std::vector<bool> raises;
  std::map<std::string, RespValue> replies;
  std::vector<std::pair<int, std::string>> logs;
  int kill_after = -1;  // should_kill() returns true from this many hook calls on
  int hook_calls = 0;

  RespValue call(std::span<const std::string_view> argv, int resp, bool raise) override {
    calls.emplace_back(argv.begin(), argv.end());
    resps.push_back(resp);
    raises.push_back(raise);
    std::string name(argv[0]);
    if (auto it = replies.find(name); it != replies.end()) return it->second;
    if (name == "echo" && argv.size() == 2) return RespValue::bulk(std::string(argv[1]));
    if (name == "ping") return RespValue::simple("PONG");
    return RespValue::error("ERR Unknown Redis command called from script");
  }
  void log(int level, std::string_view message) override {
    logs.emplace_back(level, std::string(message));
  }
  bool should_kill() override { return kill_after >= 0 && ++hook_calls > kill_after; }
};

struct Run {
  RespValue reply;
  std::string sha;
};

Run eval(Interpreter& in, std::string_view body, std::vector<std::string_view> keys = {},
         std::vector<std::string_view> args = {}, Callback* cb = nullptr) {
  FakeServer local;
  Interpreter::AddResult added = in.add_function(body);
  REQUIRE_MESSAGE(added.ok, added.error);
  Run r;
  r.sha = added.sha;
  REQUIRE(in.run_function(added.sha, keys, args, cb ? cb : &local, &r.reply) ==
          Interpreter::RunStatus::kOk);
  return r;
}

RespValue run(Interpreter& in, std::string_view body, Callback* cb = nullptr) {
  return eval(in, body, {}, {}, cb).reply;
}

std::string error_of(Interpreter& in, std::string_view body, Callback* cb = nullptr) {
  RespValue v = run(in, body, cb);
  REQUIRE_MESSAGE(v.is_error(), body);
  return v.str;
}

RespValue arr(std::vector<RespValue> v) {
  return RespValue::array(std::move(v));
}
RespValue num(int64_t n) {
  return RespValue::integer_of(n);
}
RespValue bulk(std::string s) {
  return RespValue::bulk(std::move(s));
}

}  // namespace

TEST_CASE("reading an undeclared global raises Redis's text, with the script's location") {
  Interpreter in;
  Run r = eval(in, "return a");
  REQUIRE(r.reply.is_error());
  CHECK(r.reply.str ==
        "ERR user_script:1: Script attempted to access nonexistent global variable "
        "'a' script: " +
            r.sha + ", on @user_script:1.");
  // The SHA is the one redis-server 7.0.15 names for this body.
  CHECK(r.sha == "bbfcd1ececc90deec823f7fb730e4bfb2a4ba625");
}

TEST_CASE("writing a global, new or existing, is a read-only table error") {
  Interpreter in;
  Run r = eval(in, "a=10");
  CHECK(r.reply.str == "ERR user_script:1: Attempt to modify a readonly table script: " + r.sha +
                           ", on @user_script:1.");
  CHECK(
      error_of(in, "redis = function() return 1 end").find("Attempt to modify a readonly table") !=
      std::string::npos);
  CHECK(error_of(in, "_G = {}").find("Attempt to modify a readonly table") != std::string::npos);
  CHECK(error_of(in, "KEYS = {}").find("Attempt to modify a readonly table") != std::string::npos);
}

TEST_CASE("library tables are read-only, and the tricks around metatables fail") {
  Interpreter in;
  for (const char* body :
       {"redis.call = function() return 1 end", "cjson.encode = function() return 1 end",
        "bit.lshift = function() return 1 end", "string.x = 1", "math.pi = 3", "table.foo = 1",
        "setmetatable(_G, {})", "local g = getmetatable(_G) g.__index = {}", "rawset(_G, 'x', 1)",
        "rawset(redis, 'call', 1)", "table.insert(string, 1)", "table.remove(redis)",
        "getmetatable('').__index = {}"}) {
    CAPTURE(body);
    CHECK(error_of(in, body).find("Attempt to modify a readonly table") != std::string::npos);
  }
  // Redis's exact text for a raw write: no location before the message.
  Run r = eval(in, "rawset(_G, 'y', 1)");
  CHECK(r.reply.str ==
        "ERR Attempt to modify a readonly table script: " + r.sha + ", on @user_script:1.");
}

TEST_CASE("os, io, require, loadfile, dofile, print and debug are absent") {
  Interpreter in;
  for (const char* name : {"os", "io", "require", "loadfile", "dofile", "print", "debug", "package",
                           "module", "getfenv", "setfenv", "newproxy"}) {
    CAPTURE(name);
    std::string err = error_of(in, std::string("return ") + name);
    CHECK(err.find(std::string("Script attempted to access nonexistent global variable '") + name +
                   "'") != std::string::npos);
  }
  // What Redis 7.0 scripts rely on is there.
  CHECK(run(in,
            "return {type(bit.band), type(cjson.encode), type(table.getn), type(unpack), "
            "type(math.mod), type(string.gfind), type(loadstring), type(coroutine.wrap)}") ==
        arr({bulk("function"), bulk("function"), bulk("function"), bulk("function"),
             bulk("function"), bulk("function"), bulk("function"), bulk("function")}));
  CHECK(run(in, "return bit.bxor(5, 3)") == num(6));
  CHECK(run(in, "return cjson.encode({1,2})") == bulk("[1,2]"));
  CHECK(run(in, "return cjson.decode('{\"a\":[1,2,3]}').a[3]") == num(3));
  CHECK(run(in, "return table.getn({1,2,3})") == num(3));
  CHECK(run(in, "return ('abc'):upper()") == bulk("ABC"));
  // No debugger: as Redis outside a SCRIPT DEBUG session, false and nothing.
  CHECK(run(in, "return (redis.breakpoint() == false and redis.debug('x') == nil) and 1 or 0") ==
        num(1));
}

TEST_CASE("binary chunks are refused; text chunks load into the same protected globals") {
  Interpreter in;
  CHECK(error_of(in, "return loadstring(string.dump(function() return 1 end))()")
            .find("attempt to call a nil value") != std::string::npos);
  CHECK(run(in, "return loadstring('return 1 + 1')()") == num(2));
  CHECK(error_of(in, "loadstring('x = 1')()").find("Attempt to modify a readonly table") !=
        std::string::npos);
  CHECK(run(in,
            "local parts = {'return ', '40 + 2'} local i = 0 "
            "return load(function() i = i + 1 return parts[i] end)()") == num(42));
}

TEST_CASE("nothing a script does leaks into the next one") {
  Interpreter in;
  // Every write attempt is caught inside the script.
  CHECK(run(in,
            "local a = pcall(function() x = 1 end) local b = pcall(function() string.leak = 1 end) "
            "local c = pcall(table.insert, redis, 'leak') "
            "local d = pcall(function() getmetatable('').__index = {} end) "
            "return {tostring(a), tostring(b), tostring(c), tostring(d)}") ==
        arr({bulk("false"), bulk("false"), bulk("false"), bulk("false")}));
  CHECK(run(in, "return {type(string.leak), #redis, tostring(rawget(_G, 'x')), ('a'):rep(2)}") ==
        arr({bulk("nil"), num(0), bulk("nil"), bulk("aa")}));
  CHECK(error_of(in, "return x").find("nonexistent global variable 'x'") != std::string::npos);
  CHECK(run(in, "return type(redis.call)") == bulk("function"));
  // A table a script builds is its own: a local of one run is gone in the next.
  CHECK(run(in, "local t = {} t.a = 1 return t.a") == num(1));
  CHECK(error_of(in, "return t").find("nonexistent global variable 't'") != std::string::npos);
}

TEST_CASE("KEYS and ARGV are set per call") {
  Interpreter in;
  Run r = eval(in, "return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], #KEYS, #ARGV}", {"a{t}", "b{t}"},
               {"c{t}", "d{t}"});
  CHECK(r.reply == arr({bulk("a{t}"), bulk("b{t}"), bulk("c{t}"), bulk("d{t}"), num(2), num(2)}));
  FakeServer srv;
  RespValue v;
  REQUIRE(in.run_function(r.sha, {}, {}, &srv, &v) == Interpreter::RunStatus::kOk);
  CHECK(v == arr({}));  // KEYS[1] is nil now: the array stops there
}

TEST_CASE("Lua -> reply conversions, RESP2") {
  Interpreter in;
  CHECK(run(in, "return 3.99") == num(3));
  CHECK(run(in, "return -3.99") == num(-3));
  CHECK(run(in, "return 'x'") == bulk("x"));
  CHECK(run(in, "return true") == num(1));
  CHECK(run(in, "return false") == RespValue::null());
  CHECK(run(in, "return nil") == RespValue::null());
  CHECK(run(in, "return function() end") == RespValue::null());
  CHECK(run(in, "return {1,2,3,'ciao',{1,2}}") ==
        arr({num(1), num(2), num(3), bulk("ciao"), arr({num(1), num(2)})}));
  CHECK(run(in, "return {1,2,nil,4}") == arr({num(1), num(2)}));
  CHECK(run(in, "return {1, 3.7, 'x', nil, 5}") == arr({num(1), num(3), bulk("x")}));
  CHECK(run(in, "return {ok='fine'}") == RespValue::simple("fine"));
  CHECK(run(in, "return {ok='a\\r\\nb'}") == RespValue::simple("a  b"));
  CHECK(run(in, "return {err='ERR this is an error'}") == RespValue::error("ERR this is an error"));
  CHECK(run(in, "return {err=1}") == arr({}));  // err must be a string, else an (empty) array
  CHECK(run(in, "return {true, false, 1}") == arr({num(1), RespValue::null(), num(1)}));
  CHECK(run(in, "return {double=3.5}") == RespValue::double_of(3.5));
  CHECK(run(in, "return {big_number='123456789012345678901234567890'}") ==
        RespValue::big_number("123456789012345678901234567890"));
  CHECK(run(in, "return {verbatim_string={format='txt', string='hi'}}") ==
        RespValue::verbatim("txt", "hi"));
  CHECK(run(in, "return {map={a=1}}") == RespValue::map({bulk("a"), num(1)}));
  CHECK(run(in, "return {set={a=true}}") == RespValue::set({bulk("a")}));
  CHECK(run(in, "return 0/0") == num(INT64_MIN));  // what Redis's cast gives on x86
  CHECK(run(in, "return {{err='ERR nested'}}") == arr({RespValue::error("ERR nested")}));
}

TEST_CASE("Lua -> reply under redis.setresp(3): booleans stay booleans") {
  Interpreter in;
  CHECK(run(in, "redis.setresp(3) return true") == RespValue::boolean_of(true));
  CHECK(run(in, "redis.setresp(3) return false") == RespValue::boolean_of(false));
  CHECK(run(in, "redis.setresp(3) return {double=0.5}") == RespValue::double_of(0.5));
  // Each run starts in RESP2 again.
  CHECK(run(in, "return true") == num(1));
  CHECK(error_of(in, "redis.setresp(4)").find("ERR RESP version must be 2 or 3. script:") == 0);
  CHECK(error_of(in, "redis.setresp()").find("ERR redis.setresp() requires one argument.") == 0);
}

TEST_CASE("reply -> Lua conversions, RESP2 types") {
  Interpreter in;
  FakeServer srv;
  srv.replies["int"] = num(42);
  srv.replies["bulk"] = bulk("v");
  srv.replies["nullbulk"] = RespValue::null_bulk();
  srv.replies["nullarray"] = RespValue::null_array();
  srv.replies["arr"] = arr({num(1), bulk("b"), arr({bulk("c")})});
  CHECK(run(in, "local v = redis.call('int') return {type(v), v}", &srv) ==
        arr({bulk("number"), num(42)}));
  CHECK(run(in, "local v = redis.call('bulk') return {type(v), v}", &srv) ==
        arr({bulk("string"), bulk("v")}));
  CHECK(run(in, "local v = redis.call('nullbulk') return {type(v), tostring(v)}", &srv) ==
        arr({bulk("boolean"), bulk("false")}));
  CHECK(run(in, "local v = redis.call('nullarray') return tostring(v)", &srv) == bulk("false"));
  CHECK(run(in, "local v = redis.call('arr') return {#v, v[1], v[2], v[3][1]}", &srv) ==
        arr({num(3), num(1), bulk("b"), bulk("c")}));
  CHECK(run(in, "return redis.call('ping').ok", &srv) == bulk("PONG"));
  CHECK(run(in, "return redis.call('ping')", &srv) == RespValue::simple("PONG"));
  CHECK(srv.resps.back() == 2);
}

TEST_CASE("reply -> Lua conversions, RESP3 types, and round trips") {
  Interpreter in;
  FakeServer srv;
  srv.replies["map"] = RespValue::map({bulk("f"), num(1)});
  srv.replies["set"] = RespValue::set({bulk("m")});
  srv.replies["dbl"] = RespValue::double_of(1.5);
  srv.replies["t"] = RespValue::boolean_of(true);
  srv.replies["f"] = RespValue::boolean_of(false);
  srv.replies["null"] = RespValue::null();
  srv.replies["big"] = RespValue::big_number("1234567890123456789012");
  srv.replies["verb"] = RespValue::verbatim("txt", "some text");
  srv.replies["holes"] = arr({num(1), RespValue::null(), num(3)});
  CHECK(run(in, "redis.setresp(3) return redis.call('map').map.f", &srv) == num(1));
  CHECK(srv.resps.back() == 3);
  CHECK(run(in, "redis.setresp(3) return tostring(redis.call('set').set.m)", &srv) == bulk("true"));
  CHECK(run(in, "redis.setresp(3) return tostring(redis.call('dbl').double)", &srv) == bulk("1.5"));
  CHECK(run(in,
            "redis.setresp(3) local t, f = redis.call('t'), redis.call('f') "
            "return {type(t), tostring(t), tostring(f)}",
            &srv) == arr({bulk("boolean"), bulk("true"), bulk("false")}));
  CHECK(run(in, "redis.setresp(3) return type(redis.call('null'))", &srv) == bulk("nil"));
  CHECK(run(in, "redis.setresp(3) return redis.call('big').big_number", &srv) ==
        bulk("1234567890123456789012"));
  CHECK(run(in,
            "redis.setresp(3) local v = redis.call('verb').verbatim_string "
            "return {v.format, v.string}",
            &srv) == arr({bulk("txt"), bulk("some text")}));
  // Round trips: what the server returned is what the script returns.
  for (const char* name : {"map", "set", "dbl", "t", "f", "big", "verb"}) {
    CAPTURE(name);
    CHECK(run(in, std::string("redis.setresp(3) return redis.call('") + name + "')", &srv) ==
          srv.replies[name]);
  }
  // A RESP3 null inside an array leaves a hole, so the returned array stops there.
  CHECK(run(in, "redis.setresp(3) return redis.call('holes')", &srv) == arr({num(1)}));
}

TEST_CASE("arguments reach the server as Redis formats them") {
  Interpreter in;
  FakeServer srv;
  srv.replies["set"] = RespValue::simple("OK");
  run(in,
      "redis.call('set', 'k', 60) redis.call('set', 'k', 3.5) redis.call('set', 'k', 0.1) "
      "redis.call('set', 'k', -0) redis.call('set', 'k', 1e20)",
      &srv);
  // A script of its own: Lua 5.1 shares one constant for 0 and -0 within a chunk.
  run(in, "redis.call('set', 'k', -7, 999999999999999, 1e15, 1e16, 2^53 + 0.5, -1.5, 0)", &srv);
  REQUIRE(srv.calls.size() == 6);
  CHECK(srv.calls[5] == std::vector<std::string>{"set", "k", "-7", "999999999999999",
                                                 "1000000000000000", "10000000000000000",
                                                 "9007199254740992", "-1.5", "0"});
  CHECK(srv.calls[0] == std::vector<std::string>{"set", "k", "60"});
  CHECK(srv.calls[1][2] == "3.5");
  CHECK(srv.calls[2][2] == "0.10000000000000001");
  CHECK(srv.calls[3][2] == "-0");
  CHECK(srv.calls[4][2] == "1e+20");
  CHECK(srv.raises == std::vector<bool>(6, true));
}

TEST_CASE("redis.call raises command errors; redis.pcall returns them") {
  Interpreter in;
  FakeServer srv;
  srv.replies["lpush"] =
      RespValue::error("WRONGTYPE Operation against a key holding the wrong kind of value");
  Run r = eval(in, "redis.call('nosuchcommand')", {}, {}, &srv);
  CHECK(r.reply.str ==
        "ERR Unknown Redis command called from script script: " + r.sha + ", on @user_script:1.");
  // The line is the caller's, not the C function's.
  r = eval(in, "local x = 1\nreturn redis.call('lpush', 'k', 'v')", {}, {}, &srv);
  CHECK(r.reply.str ==
        "WRONGTYPE Operation against a key holding the wrong kind of value "
        "script: " +
            r.sha + ", on @user_script:2.");
  CHECK(run(in, "return redis.pcall('nosuch')", &srv) ==
        RespValue::error("ERR Unknown Redis command called from script"));
  CHECK(run(in, "local t = redis.pcall('lpush', 'k', 'v') return t.err", &srv) ==
        bulk("WRONGTYPE Operation against a key holding the wrong kind of value"));
  CHECK(srv.raises.back() == false);
  // Lua's pcall around redis.call sees the error text, as in Redis 7.
  CHECK(run(in, "local ok, e = pcall(redis.call, 'nosuch') return {tostring(ok), type(e), e}",
            &srv) ==
        arr({bulk("false"), bulk("string"), bulk("ERR Unknown Redis command called from script")}));
  CHECK(run(in, "local ok, e = pcall(function() error('x') end) return e", &srv) ==
        bulk("user_script:1: x"));
  CHECK(run(in,
            "local status, res = pcall(function() return 1 end) "
            "return 'status: ' .. tostring(status) .. ' result: ' .. res") ==
        bulk("status: true result: 1"));
  CHECK(run(in, "local status, res = pcall(function() return foo end) return res") ==
        bulk("user_script:1: Script attempted to access nonexistent global variable 'foo'"));
}

TEST_CASE("argument errors of redis.call and pcall") {
  Interpreter in;
  FakeServer srv;
  Run r = eval(in, "return redis.call()", {}, {}, &srv);
  CHECK(r.reply.str ==
        "ERR Please specify at least one argument for this redis lib call "
        "script: " +
            r.sha + ", on @user_script:1.");
  CHECK(run(in, "return redis.pcall()", &srv) ==
        RespValue::error("ERR Please specify at least one argument for this redis lib call"));
  r = eval(in, "return redis.call('ping', {})", {}, {}, &srv);
  CHECK(r.reply.str ==
        "ERR Lua redis lib command arguments must be strings or integers "
        "script: " +
            r.sha + ", on @user_script:1.");
  CHECK(srv.calls.empty());
  // The argument scratch space survives the error.
  CHECK(run(in, "return redis.call('echo', 'asdf')", &srv) == bulk("asdf"));
}

TEST_CASE("runtime errors, error() and error tables") {
  Interpreter in;
  Run r = eval(in, "error('boom')");
  CHECK(r.reply.str == "ERR user_script:1: boom script: " + r.sha + ", on @user_script:1.");
  r = eval(in, "error({err='MYERR hi'})");
  CHECK(r.reply.str == "MYERR hi script: " + r.sha + ", on @user_script:1.");
  r = eval(in, "\n\nlocal t = nil\nreturn t.x");
  CHECK(r.reply.str == "ERR user_script:4: attempt to index local 't' (a nil value) script: " +
                           r.sha + ", on @user_script:4.");
}

TEST_CASE("hostile error objects do not take the process down") {
  Interpreter in;
  // An error table whose metatable raises on every read: read raw, outside Lua's protection.
  RespValue v = run(in, "error(setmetatable({}, {__index = function() error('no') end}))");
  CHECK(v.is_error());
  v = run(in, "error(setmetatable({}, {__tostring = function() error('no') end}))");
  CHECK(v.is_error());
  Run r = eval(in, "error({})");
  CHECK(r.reply.str == "ERR unknown error script: " + r.sha + ", on @user_script:1.");
  // A protected table as the error object is not written to.
  CHECK(run(in, "error(redis)").is_error());
  CHECK(run(in, "return {redis.source, redis.line}") == arr({}));
  // A self-referencing table as a reply ends at Lua's stack limit instead of recursing forever.
  v = run(in, "local t = {} t[1] = t return t");
  REQUIRE(v.type == RespValue::Type::kArray);
  int depth = 0;
  const RespValue* p = &v;
  while (p->type == RespValue::Type::kArray && p->elements.size() == 1) {
    p = &p->elements[0];
    ++depth;
  }
  CHECK(depth > 100);
  CHECK(*p == RespValue::error("ERR reached lua stack limit"));
}

TEST_CASE("redis.error_reply and redis.status_reply") {
  Interpreter in;
  CHECK(run(in, "return redis.error_reply('MY_ERR_CODE custom msg')") ==
        RespValue::error("MY_ERR_CODE custom msg"));
  CHECK(run(in, "return redis.error_reply('-MY_ERR_CODE custom msg')") ==
        RespValue::error("MY_ERR_CODE custom msg"));
  CHECK(run(in, "return redis.error_reply('x')") == RespValue::error("ERR x"));
  CHECK(run(in, "return redis.error_reply('')") == RespValue::error("ERR "));
  CHECK(run(in, "return redis.error_reply(1)") ==
        RespValue::error("ERR wrong number or type of arguments"));
  CHECK(run(in, "return redis.status_reply('MY_OK_CODE custom msg')") ==
        RespValue::simple("MY_OK_CODE custom msg"));
  CHECK(run(in, "return redis.status_reply(1)") ==
        RespValue::error("ERR wrong number or type of arguments"));
  CHECK(run(in, "return redis.error_reply('E x').err") == bulk("E x"));
}

TEST_CASE("sha1hex against known vectors") {
  Interpreter in;
  CHECK(run(in, "return redis.sha1hex('')") == bulk("da39a3ee5e6b4b0d3255bfef95601890afd80709"));
  CHECK(run(in, "return redis.sha1hex('Pizza & Mandolino')") ==
        bulk("74822d82031af7493c20eefa13bd07ec4fada82f"));
  CHECK(run(in, "return redis.sha1hex(123)") == bulk(sha1_hex("123")));
  CHECK(sha1_hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(sha1_hex(std::string(1000000, 'a')) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  CHECK(error_of(in, "return redis.sha1hex()").find("ERR wrong number of arguments script:") == 0);
}

TEST_CASE("math.random: Redis 7.0's generator, seeded on demand, not reset per script") {
  Interpreter in;
  // The values redis-server 7.0.15 returns for the same script.
  CHECK(run(in,
            "math.randomseed(10) return {tostring(math.random()), math.random(100), "
            "math.random(5, 9)}") == arr({bulk("0.87885112309775"), num(80), num(7)}));
  CHECK(run(in, "math.randomseed(10) return tostring(math.random())") == bulk("0.87885112309775"));
  // Without a seed, consecutive scripts get different numbers ("random numbers are random now"),
  RespValue a = run(in, "return tostring(math.random())");
  RespValue b = run(in, "return tostring(math.random())");
  CHECK(a != b);
  // but the sequence is deterministic: a fresh interpreter starts from the same state.
  Interpreter x, y;
  CHECK(run(x, "return tostring(math.random())") == run(y, "return tostring(math.random())"));
  CHECK(error_of(in, "return math.random(0)").find("interval is empty") != std::string::npos);
}

TEST_CASE("compile errors carry Redis's text and cache nothing") {
  Interpreter in;
  Interpreter::AddResult r = in.add_function("return 1 +");
  CHECK_FALSE(r.ok);
  CHECK(r.error ==
        "ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'");
  CHECK(in.function_count() == 0);
  CHECK_FALSE(in.exists(r.sha));
}

TEST_CASE("the count hook kills an infinite loop, even one that pcall()s") {
  Interpreter::Options opts;
  opts.hook_interval = 1000;
  Interpreter in(opts);
  FakeServer srv;
  srv.kill_after = 3;
  Run r = eval(in, "while true do end", {}, {}, &srv);
  CHECK(srv.hook_calls == 4);
  CHECK(r.reply.str ==
        "ERR Script killed by user with SCRIPT KILL... script: " + r.sha + ", on @user_script:1.");
  FakeServer srv2;
  srv2.kill_after = 2;
  r = eval(in,
           "local f = function() while 1 do redis.call('ping') end end\n"
           "while 1 do pcall(f) end",
           {}, {}, &srv2);
  CHECK(r.reply.str.find("ERR Script killed by user with SCRIPT KILL...") == 0);
  // Coroutines inherit the hook.
  FakeServer srv4;
  srv4.kill_after = 1;
  r = eval(in, "coroutine.wrap(function() while true do end end)()", {}, {}, &srv4);
  CHECK(r.reply.str.find("ERR Script killed by user with SCRIPT KILL...") == 0);
  // The interpreter is usable afterwards, without the hook firing for quiet scripts.
  FakeServer srv3;
  CHECK(run(in, "local s = 0 for i = 1, 10000 do s = s + i end return s", &srv3) == num(50005000));
  CHECK(srv3.hook_calls == 0);  // kill_after < 0: asked, never killed
}

TEST_CASE("shebang flags and line numbers") {
  Interpreter in;
  Interpreter::AddResult r = in.add_function("#!lua flags=no-writes,allow-oom\nreturn 1");
  REQUIRE(r.ok);
  CHECK(r.flags == (respite::scripting::kFlagNoWrites | respite::scripting::kFlagAllowOom));
  uint32_t flags = 0;
  CHECK(in.flags_of(r.sha, &flags));
  CHECK(flags == r.flags);
  CHECK(in.add_function("return 1").flags == respite::scripting::kFlagEvalCompatMode);
  r = in.add_function("#!lua flags=no-writes,bad\nreturn 1");
  CHECK(r.error == "ERR Unexpected flag in script shebang: bad");
  // The shebang line still counts: the error is on line 2.
  FakeServer srv;
  Run run2 = eval(in, "#!lua\nreturn redis.call('nosuch')", {}, {}, &srv);
  CHECK(run2.reply.str.ends_with(", on @user_script:2."));
}

TEST_CASE("the script cache is keyed by SHA1, case-insensitively") {
  Interpreter in;
  Interpreter::AddResult a = in.add_function("return redis.call('get',KEYS[1])");
  REQUIRE(a.ok);
  CHECK(a.sha == "fd758d1589d044dd850a6f05d52f2eefd27f033f");  // from Redis's scripting.tcl
  CHECK(in.add_function("return redis.call('get',KEYS[1])").sha == a.sha);
  CHECK(in.function_count() == 1);
  CHECK(in.exists(a.sha));
  CHECK(in.exists("FD758D1589D044DD850A6F05D52F2EEFD27F033F"));
  CHECK_FALSE(in.exists("ffd632c7d33e571e9f24556ebed26c3479a87130"));
  CHECK_FALSE(in.exists("NotValidShaSUM"));
  FakeServer srv;
  srv.replies["get"] = bulk("myval");
  std::vector<std::string_view> keys{"mykey"};
  RespValue v;
  CHECK(in.run_function("FD758D1589D044DD850A6F05D52F2EEFD27F033F", keys, {}, &srv, &v) ==
        Interpreter::RunStatus::kOk);
  CHECK(v == bulk("myval"));
  CHECK(srv.calls.back() == std::vector<std::string>{"get", "mykey"});
  CHECK(in.run_function("ffd632c7d33e571e9f24556ebed26c3479a87130", keys, {}, &srv, &v) ==
        Interpreter::RunStatus::kNoScript);
  size_t before = in.memory_used();
  CHECK(before > 0);
  in.flush_functions();
  CHECK(in.function_count() == 0);
  CHECK_FALSE(in.exists(a.sha));
  CHECK(in.run_function(a.sha, keys, {}, &srv, &v) == Interpreter::RunStatus::kNoScript);
}

// A callback that runs a script on the interpreter that called it.
class Reentrant : public Callback {
 public:
  Interpreter* in = nullptr;
  std::string sha;
  RespValue call(std::span<const std::string_view>, int, bool) override {
    RespValue inner;
    in->run_function(sha, {}, {}, this, &inner);
    return inner;
  }
};

TEST_CASE("a script cannot run a script on the same interpreter") {
  Interpreter in;
  Reentrant cb;
  cb.in = &in;
  Interpreter::AddResult inner = in.add_function("return 1");
  cb.sha = inner.sha;
  Run r = eval(in, "local v = redis.pcall('evalsha') return {v.err, KEYS[1]}", {"k"}, {}, &cb);
  CHECK(r.reply == arr({bulk("ERR a script cannot run another script"), bulk("k")}));
  // The outer run's state survived, and the inner script still runs on its own.
  FakeServer srv;
  RespValue v;
  CHECK(in.run_function(inner.sha, {}, {}, &srv, &v) == Interpreter::RunStatus::kOk);
  CHECK(v == num(1));
}

TEST_CASE("redis.log, set_repl, replicate_commands, version") {
  Interpreter in;
  FakeServer srv;
  run(in, "redis.log(redis.LOG_WARNING, 'disk', 'full', 3)", &srv);
  REQUIRE(srv.logs.size() == 1);
  CHECK(srv.logs[0] == std::pair<int, std::string>{3, "disk full 3"});
  CHECK(error_of(in, "redis.log(1)").find("ERR redis.log() requires two arguments or more.") == 0);
  CHECK(error_of(in, "redis.log('x', 'y')").find("ERR First argument must be a number") == 0);
  CHECK(error_of(in, "redis.log(7, 'y')").find("ERR Invalid debug level.") == 0);
  CHECK(run(in,
            "redis.set_repl(redis.REPL_ALL) redis.set_repl(redis.REPL_NONE) "
            "return {redis.REPL_AOF, redis.REPL_REPLICA, redis.REPL_SLAVE, redis.REPL_ALL}") ==
        arr({num(1), num(2), num(2), num(3)}));
  CHECK(error_of(in, "redis.set_repl(8)").find("ERR Invalid replication flags.") == 0);
  CHECK(run(in, "return redis.replicate_commands()") == num(1));
  CHECK(run(in, "return {redis.REDIS_VERSION, redis.REDIS_VERSION_NUM}") ==
        arr({bulk("7.0.15"), num(0x0007000f)}));
}
