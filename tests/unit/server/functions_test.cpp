// In-process tests of the FUNCTION family (server/commands/functions.cpp) through a capturing
// client (inproc.h): LOAD and its REPLACE and errors, LIST with its filters and RESP2/RESP3
// shapes, DELETE, FLUSH and its mode check, DUMP then RESTORE with each policy and the payload
// errors, STATS and HELP. Expected replies were checked against redis-server 7.0.15.
#include <doctest.h>

#include "tests/unit/server/inproc.h"

using namespace respite::test;
using respite::protocol::RespValue;

namespace {

const char* kLib1 =
    "#!lua name=lib1\n"
    "redis.register_function{function_name='f2', callback=function(k, a) return 2 end, "
    "flags={'no-writes', 'allow-stale'}, description='desc two'}\n"
    "redis.register_function('f1', function(k, a) return 1 end)";
const char* kLib2 = "#!lua name=lib2\nredis.register_function('g', function() return 3 end)";

Reply fn_entry(std::string_view name, Reply desc, std::vector<Reply> flags) {
  return Reply::Arr({Reply::Str("name"), Reply::Str(name), Reply::Str("description"),
                     std::move(desc), Reply::Str("flags"), Reply::Arr(std::move(flags))});
}

Reply lib1_entry() {
  return Reply::Arr(
      {Reply::Str("library_name"), Reply::Str("lib1"), Reply::Str("engine"), Reply::Str("LUA"),
       Reply::Str("functions"),
       Reply::Arr({fn_entry("f1", Reply::Nil(), {}),
                   fn_entry("f2", Reply::Str("desc two"),
                            {Reply::Status("no-writes"), Reply::Status("allow-stale")})})});
}

}  // namespace

TEST_CASE("FUNCTION LOAD, REPLACE and the load errors") {
  Inproc s;
  CHECK(s.run({"FUNCTION", "LOAD", kLib1}) == Reply::Str("lib1"));
  CHECK(s.run({"FUNCTION", "LOAD", kLib1}) == Reply::Err("ERR Library 'lib1' already exists"));
  CHECK(s.run({"FUNCTION", "LOAD", "replace", kLib1}) == Reply::Str("lib1"));
  CHECK(s.run({"FUNCTION", "LOAD", "foo", kLib1}) == Reply::Err("ERR Unknown option given: foo"));
  CHECK(
      s.run({"FUNCTION", "LOAD", "#!lua name=x\nredis.register_function('F1', function() end)"}) ==
      Reply::Err("ERR Function F1 already exists"));
  CHECK(s.run({"FUNCTION", "LOAD", "x"}) == Reply::Err("ERR Missing library metadata"));
  CHECK(s.run({"FUNCTION", "LOAD", "#!lua name=t\nredis.call('ping')"}) ==
        Reply::Err("ERR Error registering functions: ERR user_function:2: Script attempted to "
                   "access nonexistent global variable 'call'"));
  CHECK(s.run({"FUNCTION", "LOAD"}) ==
        Reply::Err("ERR wrong number of arguments for 'function|load' command"));
}

TEST_CASE("FUNCTION LIST: filters, WITHCODE and its errors") {
  Inproc s;
  CHECK(s.run({"FUNCTION", "LIST"}) == Reply::Arr({}));
  REQUIRE(s.run({"FUNCTION", "LOAD", kLib1}) == Reply::Str("lib1"));
  REQUIRE(s.run({"FUNCTION", "LOAD", kLib2}) == Reply::Str("lib2"));
  Reply lib2 = Reply::Arr({Reply::Str("library_name"), Reply::Str("lib2"), Reply::Str("engine"),
                           Reply::Str("LUA"), Reply::Str("functions"),
                           Reply::Arr({fn_entry("g", Reply::Nil(), {})})});
  CHECK(s.run({"FUNCTION", "LIST"}) == Reply::Arr({lib1_entry(), lib2}));
  CHECK(s.run({"FUNCTION", "LIST", "LIBRARYNAME", "LIB1*"}) == Reply::Arr({lib1_entry()}));
  CHECK(s.run({"FUNCTION", "LIST", "libraryname", "nomatch"}) == Reply::Arr({}));
  Reply with_code = s.run({"FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "lib2"});
  REQUIRE(with_code.elements.size() == 1);
  REQUIRE(with_code.elements[0].elements.size() == 8);
  CHECK(with_code.elements[0].elements[6] == Reply::Str("library_code"));
  CHECK(with_code.elements[0].elements[7] == Reply::Str(kLib2));
  CHECK(s.run({"FUNCTION", "LIST", "x"}) == Reply::Err("ERR Unknown argument x"));
  CHECK(s.run({"FUNCTION", "LIST", "WITHCODE", "WITHCODE"}) ==
        Reply::Err("ERR Unknown argument WITHCODE"));
  CHECK(s.run({"FUNCTION", "LIST", "LIBRARYNAME"}) ==
        Reply::Err("ERR library name argument was not given"));

  // RESP3: maps, a set of flags and a null description.
  s.resp3();
  RespValue v = s.call({"FUNCTION", "LIST", "LIBRARYNAME", "lib1"});
  REQUIRE(v.type == RespValue::Type::kArray);
  REQUIRE(v.elements.size() == 1);
  const RespValue& lib = v.elements[0];
  CHECK(lib.type == RespValue::Type::kMap);
  const RespValue& fns = lib.elements[5];
  REQUIRE(fns.elements.size() == 2);
  CHECK(fns.elements[0].type == RespValue::Type::kMap);
  CHECK(fns.elements[0].elements[3].type == RespValue::Type::kNull);
  CHECK(fns.elements[1].elements[5].type == RespValue::Type::kSet);
}

TEST_CASE("FUNCTION DELETE, FLUSH and STATS") {
  Inproc s;
  Reply empty_stats =
      Reply::Arr({Reply::Str("running_script"), Reply::Nil(), Reply::Str("engines"),
                  Reply::Arr({Reply::Str("LUA"),
                              Reply::Arr({Reply::Str("libraries_count"), Reply::Int(0),
                                          Reply::Str("functions_count"), Reply::Int(0)})})});
  CHECK(s.run({"FUNCTION", "STATS"}) == empty_stats);
  REQUIRE(s.run({"FUNCTION", "LOAD", kLib1}) == Reply::Str("lib1"));
  REQUIRE(s.run({"FUNCTION", "LOAD", kLib2}) == Reply::Str("lib2"));
  CHECK(s.run({"FUNCTION", "STATS"}) ==
        Reply::Arr({Reply::Str("running_script"), Reply::Nil(), Reply::Str("engines"),
                    Reply::Arr({Reply::Str("LUA"),
                                Reply::Arr({Reply::Str("libraries_count"), Reply::Int(2),
                                            Reply::Str("functions_count"), Reply::Int(3)})})}));
  CHECK(s.run({"FUNCTION", "DELETE", "nope"}) == Reply::Err("ERR Library not found"));
  CHECK(s.run({"FUNCTION", "DELETE", "lib2"}) == OK());
  CHECK(s.run({"FUNCTION", "LIST"}) == Reply::Arr({lib1_entry()}));
  // "a" and "A" in one library count twice, as in Redis (with lib1's two: 4).
  REQUIRE(s.run({"FUNCTION", "LOAD",
                 "#!lua name=t\nredis.register_function('a', function() end) "
                 "redis.register_function('A', function() end)"}) == Reply::Str("t"));
  CHECK(s.run({"FUNCTION", "STATS"}).elements[3].elements[1].elements[3] == Reply::Int(4));
  CHECK(s.run({"FUNCTION", "FLUSH", "x"}) ==
        Reply::Err("ERR FUNCTION FLUSH only supports SYNC|ASYNC option"));
  CHECK(s.run({"FUNCTION", "FLUSH", "a", "b"}) ==
        Reply::Err("ERR unknown subcommand or wrong number of arguments for 'FLUSH'. Try "
                   "FUNCTION HELP."));
  CHECK(s.run({"FUNCTION", "FLUSH", "async"}) == OK());
  CHECK(s.run({"FUNCTION", "STATS"}) == empty_stats);
  CHECK(s.run({"FUNCTION", "FLUSH"}) == OK());
  CHECK(s.run({"FUNCTION", "FLUSH", "SYNC"}) == OK());
}

TEST_CASE("FUNCTION DUMP and RESTORE with each policy") {
  Inproc s;
  REQUIRE(s.run({"FUNCTION", "LOAD", kLib1}) == Reply::Str("lib1"));
  Reply dump = s.run({"FUNCTION", "DUMP"});
  REQUIRE(dump.type == Reply::Type::kString);
  std::string payload = dump.str;
  CHECK(s.run({"FUNCTION", "RESTORE", payload}) == Reply::Err("ERR Library lib1 already exists"));
  CHECK(s.run({"FUNCTION", "RESTORE", payload, "REPLACE"}) == OK());
  CHECK(s.run({"FUNCTION", "RESTORE", payload, "bad"}) ==
        Reply::Err("ERR Wrong restore policy given, value should be either FLUSH, APPEND or "
                   "REPLACE."));
  CHECK(s.run({"FUNCTION", "RESTORE", payload, "APPEND", "x"}) ==
        Reply::Err("ERR unknown subcommand or wrong number of arguments for 'RESTORE'. Try "
                   "FUNCTION HELP."));
  CHECK(s.run({"FUNCTION", "RESTORE", "garbage"}) ==
        Reply::Err("ERR DUMP payload version or checksum are wrong"));
  REQUIRE(s.run({"FUNCTION", "LOAD", kLib2}) == Reply::Str("lib2"));
  CHECK(s.run({"FUNCTION", "RESTORE", payload, "FLUSH"}) == OK());
  CHECK(s.run({"FUNCTION", "LIST"}) == Reply::Arr({lib1_entry()}));
  CHECK(s.run({"FUNCTION", "FLUSH"}) == OK());
  CHECK(s.run({"FUNCTION", "RESTORE", payload, "append"}) == OK());
  CHECK(s.run({"FUNCTION", "LIST"}) == Reply::Arr({lib1_entry()}));
}

TEST_CASE("FUNCTION HELP and unknown subcommands") {
  Inproc s;
  Reply help = s.run({"FUNCTION", "HELP"});
  REQUIRE(help.elements.size() == 40);
  CHECK(help.elements[0] ==
        Reply::Status("FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
  CHECK(help.elements[39] == Reply::Status("    Prints this help."));
  CHECK(s.run({"FUNCTION", "nosuch"}) ==
        Reply::Err("ERR unknown subcommand 'nosuch'. Try FUNCTION HELP."));
  CHECK(s.run({"FUNCTION"}) == Arity("function"));
}
