// In-process tests of the server family (server/commands/server.cpp, info.cpp) through the
// capturing client (inproc.h): DBSIZE per database, FLUSHDB/FLUSHALL options, SWAPDB's checks and
// effect, CONFIG GET patterns and CONFIG SET's error texts and round trips, COMMAND COUNT against
// the command table, COMMAND INFO's shape and unknown names, COMMAND GETKEYS, INFO keyspace lines,
// and the RESP3 shape of CONFIG GET. Expectations were checked against redis-server 7.0.15 where
// Redis and respite share the behaviour (COMMAND COUNT and INFO's contents are respite's own).
#include <doctest.h>

#include <string>

#include "server/server.h"
#include "tests/unit/server/inproc.h"

using namespace respite::test;
using respite::protocol::RespValue;

TEST_CASE("DBSIZE counts the selected database only") {
  Inproc s;
  CHECK(s.run({"DBSIZE"}) == Reply::Int(0));
  CHECK(s.run({"MSET", "a", "1", "b", "2"}) == OK());
  CHECK(s.run({"DBSIZE"}) == Reply::Int(2));
  CHECK(s.run({"SELECT", "1"}) == OK());
  CHECK(s.run({"DBSIZE"}) == Reply::Int(0));
  CHECK(s.run({"DBSIZE", "x"}) == Arity("dbsize"));
}

TEST_CASE("FLUSHDB empties one database, FLUSHALL all; options are checked") {
  Inproc s;
  CHECK(s.run({"SET", "a", "1"}) == OK());
  CHECK(s.run({"SELECT", "1"}) == OK());
  CHECK(s.run({"SET", "b", "1"}) == OK());
  CHECK(s.run({"FLUSHDB", "FOO"}) == Syntax());
  CHECK(s.run({"FLUSHDB", "ASYNC"}) == OK());
  CHECK(s.run({"DBSIZE"}) == Reply::Int(0));
  CHECK(s.run({"SELECT", "0"}) == OK());
  CHECK(s.run({"DBSIZE"}) == Reply::Int(1));
  CHECK(s.run({"FLUSHALL", "SYNC"}) == OK());
  CHECK(s.run({"DBSIZE"}) == Reply::Int(0));
  CHECK(s.run({"FLUSHALL", "FOO"}) == Syntax());
}

TEST_CASE("SWAPDB: index checks, and the swap itself") {
  Inproc s;
  CHECK(s.run({"SWAPDB", "0", "16"}) == Reply::Err("ERR DB index is out of range"));
  CHECK(s.run({"SWAPDB", "0", "abc"}) == Reply::Err("ERR invalid second DB index"));
  CHECK(s.run({"SWAPDB", "abc", "0"}) == Reply::Err("ERR invalid first DB index"));
  CHECK(s.run({"SET", "k", "zero"}) == OK());
  CHECK(s.run({"SWAPDB", "0", "1"}) == OK());
  CHECK(s.run({"GET", "k"}) == Reply::Nil());
  CHECK(s.run({"SELECT", "1"}) == OK());
  CHECK(s.run({"GET", "k"}) == Reply::Str("zero"));
  CHECK(s.run({"SWAPDB", "1", "1"}) == OK());
}

TEST_CASE("CONFIG GET: exact names, patterns, unknown names") {
  Inproc s;
  CHECK(s.run({"CONFIG", "GET", "maxmemory"}) == Reply::StrArr({"maxmemory", "0"}));
  CHECK(s.run({"CONFIG", "GET", "nosuch"}) == Reply::Arr({}));
  CHECK(s.run({"CONFIG", "GET", "maxmemory-polic*"}) ==
        Reply::StrArr({"maxmemory-policy", "noeviction"}));
  CHECK(s.run({"CONFIG", "GET"}) == Arity("config|get"));
  CHECK(s.run({"CONFIG"}) == Arity("config"));
  CHECK(s.run({"CONFIG", "FOO"}) == Reply::Err("ERR unknown subcommand 'FOO'. Try CONFIG HELP."));
}

TEST_CASE("CONFIG SET: errors name the parameter; accepted values read back normalised") {
  Inproc s;
  CHECK(s.run({"CONFIG", "SET", "nosuch", "1"}) ==
        Reply::Err("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"));
  CHECK(s.run({"CONFIG", "SET", "maxmemory", "abc"}) ==
        Reply::Err("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument "
                   "must be a memory value"));
  CHECK(s.run({"CONFIG", "SET", "hz", "10", "hz", "20"}) ==
        Reply::Err("ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate "
                   "parameter"));
  CHECK(s.run({"CONFIG", "SET", "maxmemory", "1mb"}) == OK());
  CHECK(s.run({"CONFIG", "GET", "maxmemory"}) == Reply::StrArr({"maxmemory", "1048576"}));
  CHECK(s.config.maxmemory.load() == 1048576);  // the live value the server reads
  CHECK(s.run({"CONFIG", "SET", "maxmemory", "0"}) == OK());
}

TEST_CASE("COMMAND COUNT matches the table; COMMAND INFO's fields; unknown names are nil") {
  Inproc s;
  CHECK(s.run({"COMMAND", "COUNT"}) ==
        Reply::Int(static_cast<long long>(s.srv->commands.all().size())));
  Reply info = s.run({"COMMAND", "INFO", "get", "nosuch"});
  REQUIRE(info.elements.size() == 2);
  const Reply& get = info.elements[0];
  REQUIRE(get.elements.size() == 10);
  CHECK(get.elements[0] == Reply::Str("get"));
  CHECK(get.elements[1] == Reply::Int(2));
  CHECK(get.elements[2] == Reply::Arr({Reply::Status("readonly"), Reply::Status("fast")}));
  CHECK(get.elements[3] == Reply::Int(1));
  CHECK(get.elements[4] == Reply::Int(1));
  CHECK(get.elements[5] == Reply::Int(1));
  CHECK(info.elements[1] == Reply::Nil());
  CHECK(s.run({"COMMAND", "FOO"}) == Reply::Err("ERR unknown subcommand 'FOO'. Try COMMAND HELP."));
}

TEST_CASE("COMMAND GETKEYS follows the key positions") {
  Inproc s;
  CHECK(s.run({"COMMAND", "GETKEYS", "set", "k", "v"}) == Reply::StrArr({"k"}));
  CHECK(s.run({"COMMAND", "GETKEYS", "mset", "a", "1", "b", "2"}) == Reply::StrArr({"a", "b"}));
  CHECK(s.run({"COMMAND", "GETKEYS", "zunionstore", "d", "2", "x", "y"}) ==
        Reply::StrArr({"d", "x", "y"}));
}

TEST_CASE("INFO keyspace lists the non-empty databases with keys and expires") {
  Inproc s;
  CHECK(s.run({"INFO", "keyspace"}) == Reply::Str("# Keyspace\r\n"));
  CHECK(s.run({"SET", "a", "1", "EX", "100"}) == OK());
  CHECK(s.run({"SET", "b", "1"}) == OK());
  CHECK(s.run({"SELECT", "2"}) == OK());
  CHECK(s.run({"SET", "c", "1"}) == OK());
  CHECK(s.run({"INFO", "keyspace"}) ==
        Reply::Str(
            "# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\ndb2:keys=1,expires=0,avg_ttl=0\r\n"));
  CHECK(s.run({"INFO", "nosuchsection"}) == Reply::Str(""));
}

TEST_CASE("RESP3: CONFIG GET is a map, TIME an array of two bulk strings") {
  Inproc s;
  s.resp3();
  CHECK(s.call({"CONFIG", "GET", "maxmemory"}).to_string() == "{\"maxmemory\": \"0\"}");
  RespValue t = s.call({"TIME"});
  REQUIRE(t.type == RespValue::Type::kArray);
  REQUIRE(t.elements.size() == 2);
  CHECK(t.elements[0].type == RespValue::Type::kBulk);
  CHECK(std::stoll(t.elements[0].str) > 1600000000);
  CHECK(s.call({"INFO", "keyspace"}).type == RespValue::Type::kVerbatim);
}

TEST_CASE("CONFIG SET of several parameters is all or nothing") {
  Inproc s;
  CHECK(s.run({"CONFIG", "GET", "hz"}) == Reply::StrArr({"hz", "10"}));
  CHECK(s.run({"CONFIG", "SET", "hz", "20", "maxmemory", "abc"}) ==
        Reply::Err("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument "
                   "must be a memory value"));
  CHECK(s.run({"CONFIG", "GET", "hz"}) == Reply::StrArr({"hz", "10"}));
  CHECK(s.run({"CONFIG", "SET", "hz", "20", "maxmemory", "2mb"}) == OK());
  CHECK(s.run({"CONFIG", "GET", "hz"}) == Reply::StrArr({"hz", "20"}));
  CHECK(s.run({"CONFIG", "GET", "maxmemory"}) == Reply::StrArr({"maxmemory", "2097152"}));
}
