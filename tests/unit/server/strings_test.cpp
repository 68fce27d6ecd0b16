// In-process tests of the string family (server/commands/strings.cpp) through the capturing
// client (inproc.h): option conflicts and expire-time checks of SET and its variants, integer
// overflow at both ends, WRONGTYPE from every reader and writer, ranges with negative and
// crossed bounds, values past the output buffer's by-reference threshold, and RESP3 shapes.
// tests/integration/strings_test.cpp covers the common paths over a socket; expectations here
// were checked against redis-server 7.0.15.
#include <doctest.h>

#include <string>

#include "tests/unit/server/inproc.h"

using namespace respite::test;
using respite::protocol::RespValue;

TEST_CASE("SET: conflicting and incomplete options are syntax errors") {
  Inproc s;
  CHECK(s.run({"SET", "k", "v", "EX", "10", "PX", "10"}) == Syntax());
  CHECK(s.run({"SET", "k", "v", "EX", "10", "KEEPTTL"}) == Syntax());
  CHECK(s.run({"SET", "k", "v", "PXAT", "10", "EXAT", "10"}) == Syntax());
  CHECK(s.run({"SET", "k", "v", "EX"}) == Syntax());  // the option's value is missing
  CHECK(s.run({"SET", "k", "v", "XX", "NX"}) == Syntax());
  CHECK(s.run({"EXISTS", "k"}) == Reply::Int(0));  // nothing was set on the way
  CHECK(s.run({"SET", "k", "v", "PX", "abc"}) == NotInt());
}

TEST_CASE("SET and its variants reject expire times that are not positive or overflow") {
  Inproc s;
  CHECK(s.run({"SET", "k", "v", "EX", "0"}) ==
        Reply::Err("ERR invalid expire time in 'set' command"));
  CHECK(s.run({"SET", "k", "v", "EX", "-1"}) ==
        Reply::Err("ERR invalid expire time in 'set' command"));
  // Seconds that overflow once turned into milliseconds.
  CHECK(s.run({"SET", "k", "v", "EX", "9223372036854775807"}) ==
        Reply::Err("ERR invalid expire time in 'set' command"));
  CHECK(s.run({"SET", "k", "v", "PXAT", "0"}) ==
        Reply::Err("ERR invalid expire time in 'set' command"));
  CHECK(s.run({"SETEX", "k", "0", "v"}) ==
        Reply::Err("ERR invalid expire time in 'setex' command"));
  CHECK(s.run({"PSETEX", "k", "-5", "v"}) ==
        Reply::Err("ERR invalid expire time in 'psetex' command"));
  CHECK(s.run({"SETEX", "k", "abc", "v"}) == NotInt());
  CHECK(s.run({"EXISTS", "k"}) == Reply::Int(0));
}

TEST_CASE("INCR family: overflow at both ends, and DECRBY of INT64_MIN") {
  Inproc s;
  CHECK(s.run({"SET", "n", "9223372036854775807"}) == OK());
  CHECK(s.run({"INCR", "n"}) == Reply::Err("ERR increment or decrement would overflow"));
  CHECK(s.run({"GET", "n"}) == Reply::Str("9223372036854775807"));  // unchanged
  CHECK(s.run({"SET", "m", "-9223372036854775808"}) == OK());
  CHECK(s.run({"DECR", "m"}) == Reply::Err("ERR increment or decrement would overflow"));
  CHECK(s.run({"INCRBY", "m", "-1"}) == Reply::Err("ERR increment or decrement would overflow"));
  // Negating INT64_MIN would itself overflow: a message of its own.
  CHECK(s.run({"DECRBY", "x", "-9223372036854775808"}) ==
        Reply::Err("ERR decrement would overflow"));
  CHECK(s.run({"INCRBY", "x", "9223372036854775808"}) == NotInt());
  CHECK(s.run({"DECRBY", "x", "abc"}) == NotInt());
  CHECK(s.run({"EXISTS", "x"}) == Reply::Int(0));
  CHECK(s.run({"DECRBY", "x", "5"}) == Reply::Int(-5));
}

TEST_CASE("WRONGTYPE from every string reader and writer; MGET answers nil instead") {
  Inproc s;
  CHECK(s.run({"RPUSH", "l", "a"}) == Reply::Int(1));
  for (auto argv : std::vector<std::vector<std::string_view>>{
           {"GET", "l"},
           {"GETDEL", "l"},
           {"GETEX", "l"},
           {"GETRANGE", "l", "0", "1"},
           {"SETRANGE", "l", "0", "x"},
           {"APPEND", "l", "x"},
           {"STRLEN", "l"},
           {"INCR", "l"},
           {"INCRBYFLOAT", "l", "1"},
           {"GETSET", "l", "v"},
           {"SET", "l", "v", "GET"},
       }) {
    INFO(argv[0]);
    CHECK(s.client().run(argv) == WrongType());
  }
  CHECK(s.run({"TYPE", "l"}) == Reply::Status("list"));  // SET ... GET left it alone
  CHECK(s.run({"MGET", "l", "nokey"}) == Reply::Arr({Reply::Nil(), Reply::Nil()}));
  CHECK(s.run({"SET", "l", "v"}) == OK());  // a plain SET replaces any type
  CHECK(s.run({"GET", "l"}) == Reply::Str("v"));
}

TEST_CASE("GETRANGE with negative and crossed bounds") {
  Inproc s;
  CHECK(s.run({"SET", "k", "abc"}) == OK());
  CHECK(s.run({"GETRANGE", "k", "-1", "-5"}) == Reply::Str(""));
  CHECK(s.run({"GETRANGE", "k", "2", "-3"}) == Reply::Str(""));
  CHECK(s.run({"GETRANGE", "k", "-2", "-1"}) == Reply::Str("bc"));
  CHECK(s.run({"GETRANGE", "k", "0", "0"}) == Reply::Str("a"));
  CHECK(s.run({"GETRANGE", "k", "-9223372036854775808", "9223372036854775807"}) ==
        Reply::Str("abc"));
}

TEST_CASE("GETSET and SET GET drop the old TTL; SETNX and MSETNX keep the old value") {
  Inproc s;
  CHECK(s.run({"SETEX", "k", "100", "v"}) == OK());
  CHECK(s.run({"GETSET", "k", "w"}) == Reply::Str("v"));
  CHECK(s.run({"TTL", "k"}) == Reply::Int(-1));
  CHECK(s.run({"SET", "k", "x", "EX", "100", "GET"}) == Reply::Str("w"));
  CHECK(TtlAbout(s.run({"TTL", "k"}), 100));
  CHECK(s.run({"SETNX", "k", "y"}) == Reply::Int(0));
  CHECK(s.run({"MSETNX", "k", "1", "k", "2"}) == Reply::Int(0));
  CHECK(s.run({"GET", "k"}) == Reply::Str("x"));
  CHECK(TtlAbout(s.run({"TTL", "k"}), 100));
}

TEST_CASE("integer-encoded values read back as their text") {
  Inproc s;
  CHECK(s.run({"SET", "n", "-12345"}) == OK());
  CHECK(s.run({"STRLEN", "n"}) == Reply::Int(6));
  CHECK(s.run({"GETRANGE", "n", "1", "-2"}) == Reply::Str("1234"));
  CHECK(s.run({"APPEND", "n", "6"}) == Reply::Int(7));
  CHECK(s.run({"GET", "n"}) == Reply::Str("-123456"));
  CHECK(s.run({"INCRBYFLOAT", "n", "0.5"}) == Reply::Str("-123455.5"));
}

TEST_CASE("binary values and values large enough to be replied by reference come back whole") {
  Inproc s;
  std::string binary("a\0b\r\nc$3\r\n", 10);
  CHECK(s.client().run({"SET", "b", binary}) == OK());
  CHECK(s.run({"GET", "b"}) == Reply::Str(binary));
  std::string big(100000, 'x');
  for (size_t i = 0; i < big.size(); i += 7) big[i] = static_cast<char>('a' + i % 26);
  CHECK(s.client().run({"SET", "big", big}) == OK());
  CHECK(s.run({"GET", "big"}) == Reply::Str(big));
  CHECK(s.run({"GETRANGE", "big", "99990", "-1"}) == Reply::Str(big.substr(99990)));
  CHECK(s.run({"MGET", "big", "b"}) == Reply::Arr({Reply::Str(big), Reply::Str(binary)}));
  CHECK(s.run({"GETDEL", "big"}) == Reply::Str(big));
  CHECK(s.run({"EXISTS", "big"}) == Reply::Int(0));
}

TEST_CASE("arity and unknown commands are refused before any handler runs") {
  Inproc s;
  CHECK(s.run({"GET", "k", "x"}) == Arity("get"));
  CHECK(s.run({"SET", "k"}) == Arity("set"));
  CHECK(s.run({"GETRANGE", "k", "0"}) == Arity("getrange"));
  CHECK(s.run({"MSET", "a", "1", "b"}) == Arity("mset"));
  CHECK(s.run({"foo", "a", "b"}) ==
        Reply::Err("ERR unknown command 'foo', with args beginning with: 'a' 'b' "));
  CHECK(s.run({"get", "k"}) == Reply::Nil());  // names are case-insensitive
}

TEST_CASE("RESP3: a missing key is _, INCRBYFLOAT stays a bulk string") {
  Inproc s;
  s.resp3();
  CHECK(s.call({"GET", "k"}).type == RespValue::Type::kNull);
  CHECK(s.call({"MGET", "k", "k"}).to_string() == "[(nil), (nil)]");
  RespValue f = s.call({"INCRBYFLOAT", "f", "1.5"});
  CHECK(f.type == RespValue::Type::kBulk);
  CHECK(f.str == "1.5");
  CHECK(s.call({"SET", "k", "v", "GET"}).type == RespValue::Type::kNull);
  CHECK(s.call({"INCR", "i"}).type == RespValue::Type::kInteger);
}

TEST_CASE("keys of other databases are apart") {
  Inproc s;
  CHECK(s.run({"SET", "k", "db0"}) == OK());
  CHECK(s.run({"SELECT", "3"}) == OK());
  CHECK(s.run({"GET", "k"}) == Reply::Nil());
  CHECK(s.run({"SET", "k", "db3"}) == OK());
  CHECK(s.run({"SELECT", "0"}) == OK());
  CHECK(s.run({"GET", "k"}) == Reply::Str("db0"));
}
