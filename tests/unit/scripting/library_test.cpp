// Unit tests of function libraries in the scripting layer (scripting/library.h and
// Interpreter::load_library): the load-time environment, redis.register_function's two forms,
// flags and validation texts, running a function with KEYS and ARGV as arguments and its error
// texts, the registry's LOAD/REPLACE/DELETE/FLUSH rules and version, sync_libraries, the CRC64
// and the DUMP/RESTORE payload, including one that Debian's redis-server 7.0.15 produced (with an
// LZF-compressed library). Every expected text was checked against that redis-server.
#include <doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "scripting/interpreter.h"
#include "scripting/library.h"
#include "scripting/shebang.h"

using respite::protocol::RespValue;
using namespace respite::scripting;

namespace {

class Echo : public Callback {
 public:
  RespValue call(std::span<const std::string_view> argv, int, bool) override {
    if (argv[0] == "ping") return RespValue::simple("PONG");
    return RespValue::error("ERR Unknown Redis command called from script");
  }
};

std::string load_error(std::string_view code) {
  LibraryRegistry reg;
  LibraryRegistry::Result r = reg.load(code, false);
  CHECK_FALSE(r.ok);
  return r.error;
}

RespValue fcall(Interpreter& in, std::string_view name, std::vector<std::string_view> keys = {},
                std::vector<std::string_view> args = {}) {
  Echo cb;
  RespValue reply;
  REQUIRE(in.run_library_function(name, keys, args, &cb, &reply) == Interpreter::RunStatus::kOk);
  return reply;
}

// FUNCTION DUMP of redis-server 7.0.15 after loading
//   "#!lua name=mylib\nredis.register_function{function_name='myfunc', callback=function(keys,
//   args) return args[1] end, flags={'no-writes'}, description='echoes its first argument'}\n
//   redis.register_function('other', function(keys, args) return #keys end)"
// and "#!lua name=x\nredis.register_function('xf', function() return 1 end)". mylib's code is
// LZF-compressed in it; x's is verbatim (compression saved too little).
const std::string kRedisDump(
    "\xf5\x40\x43\x23\x21\x6c\x75\x61\x20\x6e\x61\x6d\x65\x3d\x78\x0a\x72\x65\x64\x69\x73\x2e\x72"
    "\x65"
    "\x67\x69\x73\x74\x65\x72\x5f\x66\x75\x6e\x63\x74\x69\x6f\x6e\x28\x27\x78\x66\x27\x2c\x20\x66"
    "\x75"
    "\x6e\x63\x74\x69\x6f\x6e\x28\x29\x20\x72\x65\x74\x75\x72\x6e\x20\x31\x20\x65\x6e\x64\x29\xf5"
    "\xc3"
    "\x40\xbd\x40\xf8\x1f\x23\x21\x6c\x75\x61\x20\x6e\x61\x6d\x65\x3d\x6d\x79\x6c\x69\x62\x0a\x72"
    "\x65"
    "\x64\x69\x73\x2e\x72\x65\x67\x69\x73\x74\x65\x72\x5f\x08\x66\x75\x6e\x63\x74\x69\x6f\x6e\x7b"
    "\xc0"
    "\x08\x00\x5f\x60\x2b\x02\x27\x6d\x79\x40\x10\x0b\x27\x2c\x20\x63\x61\x6c\x6c\x62\x61\x63\x6b"
    "\x3d"
    "\x40\x0f\x40\x29\x12\x28\x6b\x65\x79\x73\x2c\x20\x61\x72\x67\x73\x29\x20\x72\x65\x74\x75\x72"
    "\x6e"
    "\x60\x0c\x1f\x5b\x31\x5d\x20\x65\x6e\x64\x2c\x20\x66\x6c\x61\x67\x73\x3d\x7b\x27\x6e\x6f\x2d"
    "\x77"
    "\x72\x69\x74\x65\x73\x27\x7d\x2c\x20\x64\x65\x04\x73\x63\x72\x69\x70\x40\x40\x11\x3d\x27\x65"
    "\x63"
    "\x68\x6f\x65\x73\x20\x69\x74\x73\x20\x66\x69\x72\x73\x74\x40\x3f\x06\x75\x6d\x65\x6e\x74\x27"
    "\x7d"
    "\xe0\x0f\x9f\x06\x28\x27\x6f\x74\x68\x65\x72\x20\x90\xe0\x13\x87\x00\x23\x40\x9b\x20\x85\x01"
    "\x64"
    "\x29\x0a\x00\x49\x27\x1a\x41\x4d\xa4\x21\xbd",
    275);

}  // namespace

TEST_CASE("CRC64 is Redis's (Jones polynomial)") {
  CHECK(crc64(0, "123456789") == 0xe9c6d914c4b8d9caull);
  CHECK(crc64(0, "") == 0);
}

TEST_CASE("library metadata and name errors") {
  CHECK(load_error("x") == "ERR Missing library metadata");
  CHECK(load_error("#!lua name=t") == "ERR Invalid library metadata");
  CHECK(load_error("#!lua\n") == "ERR Library name was not given");
  CHECK(load_error("#!lua name=t foo=bar\n") == "ERR Invalid metadata value given: foo=bar");
  CHECK(load_error("#!lua2 name=t\n") == "ERR Engine 'lua2' not found");
  CHECK(load_error("#!lua name=t-1\n") ==
        "ERR Library names can only contain letters, numbers, or underscores(_) and must be at "
        "least one character long");
  CHECK(load_error("#!lua name=t\nlocal x = 1") == "ERR No functions registered");
  CHECK(load_error("#!lua name=t\nredis.register_function('f', function() end") ==
        "ERR Error compiling function: user_function:2: ')' expected near '<eof>'");
}

TEST_CASE("the load-time environment has only redis.register_function, log and the version") {
  CHECK(load_error("#!lua name=t\nredis.call('ping')") ==
        "ERR Error registering functions: ERR user_function:2: Script attempted to access "
        "nonexistent global variable 'call'");
  CHECK(load_error("#!lua name=t\nlocal s = string.len('a')") ==
        "ERR Error registering functions: ERR user_function:2: Script attempted to access "
        "nonexistent global variable 'string'");
  CHECK(load_error("#!lua name=t\nerror('boom')") ==
        "ERR Error registering functions: ERR user_function:2: Script attempted to access "
        "nonexistent global variable 'error'");
  CHECK(load_error("#!lua name=t\nredis.setresp(3)") ==
        "ERR Error registering functions: ERR user_function:2: Script attempted to access "
        "nonexistent global variable 'setresp'");
  CHECK(load_error("#!lua name=t\nx = 1") ==
        "ERR Error registering functions: ERR user_function:2: Attempt to modify a readonly table");
  CHECK(load_error("#!lua name=t\nredis.log(redis.LOG_NOTICE, redis.REDIS_VERSION)") ==
        "ERR No functions registered");
}

TEST_CASE("redis.log works at load time when given a destination") {
  struct Logs : Callback {
    std::vector<std::pair<int, std::string>> lines;
    RespValue call(std::span<const std::string_view>, int, bool) override { return {}; }
    void log(int level, std::string_view m) override { lines.emplace_back(level, m); }
  } logs;
  LibraryRegistry reg;
  auto r = reg.load(
      "#!lua name=t\nredis.log(redis.LOG_WARNING, 'loading', 1)\n"
      "redis.register_function('f', function() end)",
      false, &logs);
  REQUIRE_MESSAGE(r.ok, r.error);
  REQUIRE(logs.lines.size() == 1);
  CHECK(logs.lines[0].first == 3);
  CHECK(logs.lines[0].second == "loading 1");
  CHECK(reg.load("#!lua name=u\nredis.log(redis.LOG_WARNING, 'quiet')\n"
                 "redis.register_function('g', function() end)",
                 false)
            .ok);
}

TEST_CASE("redis.register_function's validation") {
  const std::string pre = "ERR Error registering functions: ERR ";
  CHECK(load_error("#!lua name=t\nredis.register_function('a-b', function() end)") ==
        pre +
            "Library names can only contain letters, numbers, or underscores(_) and must be "
            "at least one character long");
  CHECK(load_error("#!lua name=t\nredis.register_function('f', function() end) "
                   "redis.register_function('f', function() end)") ==
        pre + "Function already exists in the library");
  CHECK(load_error("#!lua name=t\nredis.register_function{function_name='f', callback=function() "
                   "end, flags={'bad'}}") == pre + "unknown flag given");
  CHECK(load_error("#!lua name=t\nredis.register_function()") ==
        pre + "wrong number of arguments to redis.register_function");
  CHECK(load_error("#!lua name=t\nredis.register_function('f')") ==
        pre +
            "calling redis.register_function with a single argument is only applicable to Lua "
            "table (representing named arguments).");
  CHECK(load_error("#!lua name=t\nredis.register_function({}, function() end)") ==
        pre + "first argument to redis.register_function must be a string");
  CHECK(load_error("#!lua name=t\nredis.register_function('f', 1)") ==
        pre + "second argument to redis.register_function must be a function");
  CHECK(load_error("#!lua name=t\nredis.register_function{callback=function() end}") ==
        pre + "redis.register_function must get a function name argument");
  CHECK(load_error("#!lua name=t\nredis.register_function{function_name='f'}") ==
        pre + "redis.register_function must get a callback argument");
  CHECK(load_error("#!lua name=t\nredis.register_function{function_name='f', foo=1}") ==
        pre + "unknown argument given to redis.register_function");
  CHECK(load_error("#!lua name=t\nredis.register_function{function_name='f', callback=1}") ==
        pre + "callback argument given to redis.register_function must be a function");
  CHECK(load_error("#!lua name=t\nredis.register_function{function_name='f', flags=1}") ==
        pre +
            "flags argument to redis.register_function must be a table representing function "
            "flags");
}

TEST_CASE("a library's functions: flags, descriptions, arguments and errors") {
  Interpreter in;
  Interpreter::LibraryLoad ld = in.load_library(
      "\nlocal function f(keys, args) return {keys[1], args[1], #keys, #args} end\n"
      "redis.register_function('f1', f)\n"
      "redis.register_function{function_name='f2', callback=function(k,a) return KEYS end, "
      "flags={'no-writes', 'ALLOW-STALE'}, description='desc two'}\n"
      "redis.register_function('f3', function() return redis.call('nosuch') end)\n"
      "redis.register_function('f4', function() error('boom') end)\n"
      "redis.register_function('f5', function() return redis.register_function('x', function() "
      "end) end)\n"
      "redis.register_function('f6', function() return redis.call('ping') end)\n",
      true);
  REQUIRE_MESSAGE(ld.ok, ld.error);
  REQUIRE(ld.functions.size() == 6);
  CHECK(ld.functions[1].name == "f2");
  CHECK(ld.functions[1].flags == (kFlagNoWrites | kFlagAllowStale));
  CHECK(ld.functions[1].description == "desc two");
  CHECK_FALSE(ld.functions[0].description.has_value());
  uint32_t flags = 0;
  CHECK(in.library_function_flags("F2", &flags));
  CHECK(flags == (kFlagNoWrites | kFlagAllowStale));
  CHECK_FALSE(in.library_function_flags("nope", &flags));

  RespValue r = fcall(in, "f1", {"k"}, {"a"});
  REQUIRE(r.elements.size() == 4);
  CHECK(r.elements[0].str == "k");
  CHECK(r.elements[1].str == "a");
  CHECK(r.elements[2].integer == 1);
  CHECK(r.elements[3].integer == 1);
  // Names are case-insensitive; the table stops at its first nil (args[1]), as in Redis.
  CHECK(fcall(in, "F1", {"x"}).elements.size() == 1);
  CHECK(fcall(in, "f2").str ==
        "ERR user_function:4: Script attempted to access nonexistent global variable 'KEYS' "
        "script: f2, on @user_function:4.");
  CHECK(fcall(in, "f3").str ==
        "ERR Unknown Redis command called from script script: f3, on @user_function:5.");
  CHECK(fcall(in, "f4").str == "ERR user_function:6: boom script: f4, on @user_function:6.");
  CHECK(fcall(in, "f5").str ==
        "ERR user_function:7: attempt to call field 'register_function' (a nil value) script: "
        "f5, on @user_function:7.");
  CHECK(fcall(in, "f6").str == "PONG");

  // An EVAL's KEYS do not leak into a function.
  Interpreter::AddResult added = in.add_function("return KEYS[1]");
  REQUIRE(added.ok);
  Echo cb;
  RespValue er;
  std::vector<std::string_view> keys{"evalkey"};
  in.run_function(added.sha, keys, {}, &cb, &er);
  CHECK(er.str == "evalkey");
  CHECK(fcall(in, "f2").str.find("nonexistent global variable 'KEYS'") != std::string::npos);

  RespValue none;
  CHECK(in.run_library_function("nope", {}, {}, &cb, &none) == Interpreter::RunStatus::kNoScript);
  in.drop_libraries();
  CHECK(in.library_function_count() == 0);
  CHECK(in.run_library_function("f1", {}, {}, &cb, &none) == Interpreter::RunStatus::kNoScript);
}

TEST_CASE("redis.register_function outside FUNCTION LOAD is absent, a load that loops times out") {
  Interpreter in;
  Interpreter::LibraryLoad ld =
      in.load_library("\nredis.register_function('f', function() end) while true do end", true, 50);
  CHECK_FALSE(ld.ok);
  CHECK(ld.error == "ERR Error registering functions: ERR FUNCTION LOAD timeout");
  CHECK(in.library_function_count() == 0);  // a failed load keeps nothing
}

TEST_CASE("the registry: LOAD, REPLACE, collisions, DELETE, FLUSH and versions") {
  LibraryRegistry reg;
  CHECK(reg.version() == 0);
  auto r =
      reg.load("#!lua name=lib1\nredis.register_function('F1', function() return 1 end)", false);
  REQUIRE_MESSAGE(r.ok, r.error);
  CHECK(r.name == "lib1");
  uint64_t v1 = reg.version();
  CHECK(v1 > 0);
  CHECK(reg.load("#!lua name=lib1\nredis.register_function('g', function() end)", false).error ==
        "ERR Library 'lib1' already exists");
  CHECK(reg.load("#!lua name=lib2\nredis.register_function('f1', function() end)", false).error ==
        "ERR Function f1 already exists");
  CHECK(reg.version() == v1);  // failures change nothing
  // REPLACE may reuse the library's own function names.
  r = reg.load("#!lua name=lib1\nredis.register_function('f1', function() return 2 end)", true);
  REQUIRE_MESSAGE(r.ok, r.error);
  CHECK(reg.version() > v1);

  auto snap = reg.snapshot();
  const LibraryInfo* lib = nullptr;
  const FunctionInfo* f = snap->find_function("F1", &lib);
  REQUIRE(f != nullptr);
  CHECK(f->name == "f1");
  CHECK(lib->name == "lib1");
  CHECK(lib->engine == "LUA");
  CHECK(lib->code == "#!lua name=lib1\nredis.register_function('f1', function() return 2 end)");

  Interpreter in;
  CHECK(sync_libraries(in, reg));
  CHECK_FALSE(sync_libraries(in, reg));
  CHECK(fcall(in, "f1").integer == 2);
  CHECK_FALSE(reg.remove("nope"));
  CHECK(reg.remove("lib1"));
  CHECK(sync_libraries(in, reg));
  CHECK(in.library_function_count() == 0);
  REQUIRE(reg.load("#!lua name=a\nredis.register_function('fa', function() end)", false).ok);
  reg.flush();
  CHECK(reg.snapshot()->libraries.empty());
  CHECK(reg.snapshot()->functions.empty());
}

TEST_CASE("DUMP and RESTORE round-trip, policies and errors") {
  LibraryRegistry a;
  REQUIRE(
      a.load("#!lua name=l1\nredis.register_function('f1', function() return 1 end)", false).ok);
  REQUIRE(
      a.load("#!lua name=l2\nredis.register_function('f2', function() return 2 end)", false).ok);
  std::string payload = a.dump();
  CHECK(static_cast<unsigned char>(payload[0]) == 245);

  LibraryRegistry b;
  auto r = b.restore(payload, RestorePolicy::kAppend);
  REQUIRE_MESSAGE(r.ok, r.error);
  CHECK(b.snapshot()->libraries.size() == 2);
  CHECK(b.restore(payload, RestorePolicy::kAppend).error == "ERR Library l1 already exists");
  CHECK(b.restore(payload, RestorePolicy::kReplace).ok);
  CHECK(b.snapshot()->libraries.size() == 2);

  LibraryRegistry c;
  REQUIRE(c.load("#!lua name=other\nredis.register_function('F1', function() end)", false).ok);
  CHECK(c.restore(payload, RestorePolicy::kAppend).error == "ERR Function f1 already exists");
  CHECK(c.restore(payload, RestorePolicy::kReplace).error == "ERR Function f1 already exists");
  CHECK(c.restore(payload, RestorePolicy::kFlush).ok);
  CHECK(c.snapshot()->libraries.count("other") == 0);
  CHECK(c.snapshot()->libraries.size() == 2);

  std::string bad = payload;
  bad[3] ^= 1;
  CHECK(c.restore(bad, RestorePolicy::kAppend).error ==
        "ERR DUMP payload version or checksum are wrong");
  CHECK(c.restore("short", RestorePolicy::kAppend).error ==
        "ERR DUMP payload version or checksum are wrong");
  // A well-formed payload holding something else than a function.
  std::string other = encode_function_payload({});
  other.insert(0, 1, '\x00');
  std::string body = other.substr(0, other.size() - 8);
  uint64_t crc = crc64(0, body);
  for (int i = 0; i < 8; ++i) body.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  CHECK(c.restore(body, RestorePolicy::kAppend).error == "ERR given type is not a function");
  // An empty dump restores to nothing.
  LibraryRegistry e;
  CHECK(e.restore(e.dump(), RestorePolicy::kFlush).ok);
  CHECK(e.snapshot()->libraries.empty());
}

TEST_CASE("a payload from redis-server 7.0.15 restores (LZF included) and round-trips") {
  LibraryRegistry reg;
  auto r = reg.restore(kRedisDump, RestorePolicy::kAppend);
  REQUIRE_MESSAGE(r.ok, r.error);
  auto snap = reg.snapshot();
  REQUIRE(snap->libraries.size() == 2);
  const LibraryInfo& mylib = snap->libraries.at("mylib");
  CHECK(mylib.code ==
        "#!lua name=mylib\nredis.register_function{function_name='myfunc', callback=function(keys, "
        "args) return args[1] end, flags={'no-writes'}, description='echoes its first "
        "argument'}\nredis.register_function('other', function(keys, args) return #keys end)");
  REQUIRE(mylib.functions.size() == 2);
  CHECK(mylib.functions[0].name == "myfunc");
  CHECK(mylib.functions[0].flags == kFlagNoWrites);
  CHECK(mylib.functions[0].description == "echoes its first argument");
  CHECK(snap->libraries.at("x").functions[0].name == "xf");

  // What respite dumps decodes to the same codes.
  std::vector<std::string> codes;
  std::string err;
  REQUIRE(decode_function_payload(reg.dump(), &codes, &err));
  REQUIRE(codes.size() == 2);
  CHECK(codes[0] == mylib.code);
}

TEST_CASE("workers re-sync while another thread loads libraries") {
  LibraryRegistry reg;
  std::atomic<bool> done{false};
  std::thread loader([&] {
    for (int i = 0; i < 50; ++i) {
      std::string code = "#!lua name=l" + std::to_string(i % 5) + "\nredis.register_function('f" +
                         std::to_string(i % 5) + "', function() return " + std::to_string(i) +
                         " end)";
      CHECK(reg.load(code, true).ok);
    }
    done = true;
  });
  Interpreter in;
  int reloads = 0;
  while (!done) reloads += sync_libraries(in, reg) ? 1 : 0;
  loader.join();
  sync_libraries(in, reg);
  CHECK(in.library_function_count() == 5);
  CHECK(fcall(in, "f4").integer == 49);
  CHECK(in.libraries_version() == reg.version());
}

TEST_CASE("sync_libraries does nothing while a function runs on the interpreter") {
  LibraryRegistry reg;
  REQUIRE(reg.load("#!lua name=l\nredis.register_function('f', function() "
                   "return redis.call('sync') end)",
                   false)
              .ok);
  Interpreter in;
  REQUIRE(sync_libraries(in, reg));
  REQUIRE(reg.load("#!lua name=m\nredis.register_function('g', function() end)", false).ok);
  struct Syncer : Callback {
    Interpreter* in;
    LibraryRegistry* reg;
    bool synced = true;
    RespValue call(std::span<const std::string_view>, int, bool) override {
      synced = sync_libraries(*in, *reg);
      return RespValue::simple("OK");
    }
  } cb;
  cb.in = &in;
  cb.reg = &reg;
  RespValue reply;
  REQUIRE(in.run_library_function("f", {}, {}, &cb, &reply) == Interpreter::RunStatus::kOk);
  CHECK(reply.str == "OK");
  CHECK_FALSE(cb.synced);
  CHECK(sync_libraries(in, reg));  // outside the run it catches up
  CHECK(in.library_function_count() == 2);
}
