// Unit tests of shebang parsing for EVAL scripts and function libraries: flags, and every error
// with the text redis-server 7.0.15 answers for the same first line.
#include <doctest.h>

#include <string>

#include "scripting/shebang.h"

using namespace respite::scripting;

TEST_CASE("no shebang: compatibility mode, nothing to skip") {
  Shebang s = parse_eval_shebang("return 1");
  CHECK(s.ok);
  CHECK(s.flags == kFlagEvalCompatMode);
  CHECK(s.length == 0);
}

TEST_CASE("flags") {
  Shebang s = parse_eval_shebang("#!lua flags=no-writes,allow-oom\nreturn 1");
  REQUIRE(s.ok);
  CHECK(s.flags == (kFlagNoWrites | kFlagAllowOom));
  CHECK(s.length == std::string("#!lua flags=no-writes,allow-oom").size());
  s = parse_eval_shebang("#!lua flags=allow-stale,no-cluster,allow-cross-slot-keys\n");
  CHECK(s.flags == (kFlagAllowStale | kFlagNoCluster | kFlagAllowCrossSlotKeys));
  s = parse_eval_shebang("#!lua\nreturn 1");
  CHECK(s.ok);
  CHECK(s.flags == 0);  // a shebang leaves compatibility mode even without flags
  s = parse_eval_shebang("#!lua flags=\nreturn 1");
  CHECK(s.ok);
  CHECK(s.flags == 0);
  CHECK(script_flag_from_name("no-writes") == kFlagNoWrites);
  CHECK(script_flag_from_name("nope") == 0);
}

TEST_CASE("EVAL shebang errors, Redis's texts") {
  CHECK(parse_eval_shebang("#!lua flags=no-writes,bad\nreturn 1").error ==
        "ERR Unexpected flag in script shebang: bad");
  CHECK(parse_eval_shebang("#!lua name=x\nreturn 1").error ==
        "ERR Unknown lua shebang option: name=x");
  CHECK(parse_eval_shebang("#!luax\nreturn 1").error ==
        "ERR Unexpected engine in script shebang: #!luax");
  CHECK(parse_eval_shebang("#!lua").error == "ERR Invalid script shebang");
  CHECK_FALSE(parse_eval_shebang("#!lua").ok);
}

TEST_CASE("library shebangs") {
  std::string engine;
  Shebang s = parse_library_shebang("#!lua name=mylib\nredis.register_function(...)", &engine);
  REQUIRE(s.ok);
  CHECK(engine == "lua");
  CHECK(s.name == "mylib");
  CHECK(s.length == 16);
  CHECK(parse_library_shebang("#!lua NAME=x\n", &engine).name == "x");
  CHECK(parse_library_shebang("return 1", &engine).error == "ERR Missing library metadata");
  CHECK(parse_library_shebang("#!lua name=x", &engine).error == "ERR Invalid library metadata");
  CHECK(parse_library_shebang("#!lua\n", &engine).error == "ERR Library name was not given");
  CHECK(parse_library_shebang("#!lua name=a name=b\n", &engine).error ==
        "ERR Invalid metadata value, name argument was given multiple times");
  CHECK(parse_library_shebang("#!lua foo=bar\n", &engine).error ==
        "ERR Invalid metadata value given: foo=bar");
}

TEST_CASE("shebang arguments are split as sdssplitargs splits them") {
  std::string engine;
  Shebang lib = parse_library_shebang("#!lua name=\"foo\"\nreturn", &engine);
  CHECK(lib.ok);
  CHECK(lib.name == "foo");
  CHECK(parse_library_shebang("#!lua name='b\\'ar'\n", &engine).name == "b'ar");
  CHECK(parse_library_shebang("#!lua \"name=x\\x41\"\n", &engine).name == "xA");
  CHECK(parse_library_shebang("#!lua name=\"foo\n", &engine).error ==
        "ERR Invalid library metadata");
  CHECK(parse_library_shebang("#!lua name=\"foo\"x\n", &engine).error ==
        "ERR Invalid library metadata");
  CHECK(parse_eval_shebang("#!lua flags=\"no-writes\"\nreturn 1").flags == kFlagNoWrites);
  CHECK(parse_eval_shebang("#!lua 'flags=no-writes\nreturn 1").error ==
        "ERR Invalid engine in script shebang");
}
