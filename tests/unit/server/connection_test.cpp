// In-process tests of the connection family (server/commands/connection.cpp) through capturing
// clients (inproc.h): PING and ECHO, HELLO switching the reply protocol (and its errors, SETNAME
// and AUTH options), AUTH without a password configured, CLIENT SETNAME/GETNAME validation,
// SELECT's range, CLIENT REPLY OFF/SKIP muting exactly the commands they should, RESET, CLIENT
// ID/INFO/LIST for listed clients, CLIENT KILL, and QUIT closing after its reply. Expectations were
// checked against redis-server 7.0.15.
#include <doctest.h>

#include <string>

#include "server/connection.h"
#include "tests/unit/server/inproc.h"

using namespace respite::test;
using respite::protocol::RespValue;

namespace {

// The value of `field` in a HELLO reply (a map in RESP3, a flat array in RESP2).
RespValue hello_field(const RespValue& hello, std::string_view field) {
  for (size_t i = 0; i + 1 < hello.elements.size(); i += 2) {
    if (hello.elements[i].str == field) return hello.elements[i + 1];
  }
  return RespValue{};
}

}  // namespace

TEST_CASE("PING and ECHO") {
  Inproc s;
  CHECK(s.run({"PING"}) == Reply::Status("PONG"));
  CHECK(s.run({"PING", "hi"}) == Reply::Str("hi"));
  CHECK(s.run({"PING", "a", "b"}) == Arity("ping"));
  CHECK(s.run({"ECHO"}) == Arity("echo"));
  CHECK(s.run({"ECHO", std::string("a\0b", 3)}) == Reply::Str(std::string("a\0b", 3)));
}

TEST_CASE("HELLO 3 switches the client to RESP3 and HELLO 2 back") {
  Inproc s;
  RespValue h2 = s.call({"HELLO"});
  CHECK(h2.type == RespValue::Type::kArray);  // without a version: the current protocol
  CHECK(hello_field(h2, "proto").integer == 2);
  RespValue h3 = s.call({"HELLO", "3"});
  REQUIRE(h3.type == RespValue::Type::kMap);
  CHECK(hello_field(h3, "proto").integer == 3);
  CHECK(hello_field(h3, "id") == s.client().call({"CLIENT", "ID"}));
  CHECK(hello_field(h3, "mode").str == "standalone");
  CHECK(hello_field(h3, "role").str == "master");
  CHECK(s.call({"GET", "k"}).type == RespValue::Type::kNull);
  CHECK(s.client().conn().reply.resp() == 3);
  RespValue back = s.call({"HELLO", "2"});
  CHECK(back.type == RespValue::Type::kArray);
  CHECK(s.call({"GET", "k"}).type == RespValue::Type::kNullBulk);
}

TEST_CASE("HELLO's errors leave the protocol as it was") {
  Inproc s;
  CHECK(s.run({"HELLO", "4"}) == Reply::Err("NOPROTO unsupported protocol version"));
  CHECK(s.run({"HELLO", "abc"}) ==
        Reply::Err("ERR Protocol version is not an integer or out of range"));
  CHECK(s.run({"HELLO", "3", "FOO"}) == Reply::Err("ERR Syntax error in HELLO option 'FOO'"));
  CHECK(s.run({"HELLO", "3", "SETNAME", "my name"}) ==
        Reply::Err("ERR Client names cannot contain spaces, newlines or special characters."));
  CHECK(s.run({"HELLO", "2", "AUTH", "u", "p"}) ==
        Reply::Err("WRONGPASS invalid username-password pair or user is disabled."));
  CHECK(s.client().conn().reply.resp() == 2);
  CHECK(s.call({"HELLO", "3", "SETNAME", "n2"}).type == RespValue::Type::kMap);
  CHECK(s.run({"CLIENT", "GETNAME"}) == Reply::Str("n2"));
}

TEST_CASE("AUTH without a configured password") {
  Inproc s;
  CHECK(s.run({"AUTH", "p"}) ==
        Reply::Err("ERR AUTH <password> called without any password configured for the default "
                   "user. Are you sure your configuration is correct?"));
  CHECK(s.run({"AUTH", "u", "p"}) ==
        Reply::Err("WRONGPASS invalid username-password pair or user is disabled."));
}

TEST_CASE("CLIENT SETNAME and GETNAME") {
  Inproc s;
  CHECK(s.run({"CLIENT", "GETNAME"}) == Reply::Nil());
  CHECK(s.run({"CLIENT", "SETNAME", "bad name"}) ==
        Reply::Err("ERR Client names cannot contain spaces, newlines or special characters."));
  CHECK(s.run({"CLIENT", "SETNAME", "good"}) == OK());
  CHECK(s.run({"CLIENT", "GETNAME"}) == Reply::Str("good"));
  CHECK(s.run({"CLIENT", "SETNAME", ""}) == OK());  // an empty name clears it
  CHECK(s.run({"CLIENT", "GETNAME"}) == Reply::Nil());
  CHECK(s.run({"CLIENT", "FOO"}) == Reply::Err("ERR unknown subcommand 'FOO'. Try CLIENT HELP."));
  CHECK(s.run({"CLIENT"}) == Arity("client"));
}

TEST_CASE("SELECT: range and parsing") {
  Inproc s;
  CHECK(s.run({"SELECT", "16"}) == Reply::Err("ERR DB index is out of range"));
  CHECK(s.run({"SELECT", "-1"}) == Reply::Err("ERR DB index is out of range"));
  CHECK(s.run({"SELECT", "abc"}) == NotInt());
  CHECK(s.run({"SELECT", "15"}) == OK());
  CHECK(s.client().conn().db == 15);
}

TEST_CASE("CLIENT REPLY OFF and SKIP mute exactly the commands they should") {
  Inproc s;
  CHECK(s.client().run_all({"CLIENT", "REPLY", "OFF"}).empty());
  CHECK(s.client().run_all({"SET", "k", "v"}).empty());
  CHECK(s.client().run_all({"GET", "nosuchcommand", "x"}).empty());  // errors too
  CHECK(s.run({"CLIENT", "REPLY", "ON"}) == OK());
  CHECK(s.client().run_all({"CLIENT", "REPLY", "SKIP"}).empty());
  CHECK(s.client().run_all({"GET", "k"}).empty());
  CHECK(s.run({"GET", "k"}) == Reply::Str("v"));
  CHECK(s.run({"CLIENT", "REPLY", "FOO"}) == Syntax());
}

TEST_CASE("RESET returns the client to its first state") {
  Inproc s;
  s.resp3();
  CHECK(s.run({"SELECT", "3"}) == OK());
  CHECK(s.run({"CLIENT", "SETNAME", "n"}) == OK());
  CHECK(s.client().run_all({"SUBSCRIBE", "ch"}).size() == 1);
  CHECK(s.client().run_all({"CLIENT", "REPLY", "OFF"}).empty());
  CHECK(s.run({"RESET"}) == Reply::Status("RESET"));  // heard despite REPLY OFF
  CHECK(s.client().conn().db == 0);
  CHECK(s.client().conn().reply.resp() == 2);
  CHECK(!s.client().conn().pubsub_mode());
  CHECK(s.run({"CLIENT", "GETNAME"}) == Reply::Nil());
}

// Redis's RESET (clearClientConnectionState) discards the transaction and unwatches every key.
TEST_CASE("RESET discards the transaction and the watches") {
  Inproc s;
  InprocClient& other = s.add_client();
  CHECK(s.run({"MULTI"}) == OK());
  CHECK(s.run({"SET", "x", "1"}) == Reply::Status("QUEUED"));
  CHECK(s.run({"RESET"}) == Reply::Status("RESET"));
  CHECK(s.run({"EXEC"}) == Reply::Err("ERR EXEC without MULTI"));
  CHECK(s.run({"GET", "x"}) == Reply::Nil());
  CHECK(s.run({"WATCH", "k"}) == OK());
  CHECK(s.run({"RESET"}) == Reply::Status("RESET"));
  CHECK(other.run({"SET", "k", "v"}) == OK());
  CHECK(s.run({"MULTI"}) == OK());
  CHECK(s.run({"PING"}) == Reply::Status("QUEUED"));
  CHECK(s.run({"EXEC"}) == Reply::Arr({Reply::Status("PONG")}));
}

TEST_CASE("CLIENT ID, INFO and LIST see listed clients; CLIENT KILL by ID") {
  Inproc s;
  InprocClient& other = s.add_client();
  CHECK(other.run({"CLIENT", "SETNAME", "victim"}) == OK());
  Reply id = other.run({"CLIENT", "ID"});
  REQUIRE(id.type == Reply::Type::kInteger);
  CHECK(id.integer == static_cast<long long>(other.conn().id));
  Reply info = other.run({"CLIENT", "INFO"});
  CHECK(info.str.find("id=" + std::to_string(id.integer) + " ") != std::string::npos);
  CHECK(info.str.find(" name=victim ") != std::string::npos);
  Reply list = s.run({"CLIENT", "LIST"});
  CHECK(list.str.find(" name=victim ") != std::string::npos);
  CHECK(s.run({"CLIENT", "KILL", "ID", "999999"}) == Reply::Int(0));
  CHECK(s.run({"CLIENT", "KILL", "1.2.3.4:5"}) == Reply::Err("ERR No such client"));
  CHECK(s.run({"CLIENT", "KILL", "ID", std::to_string(id.integer)}) == Reply::Int(1));
  // The close is posted to the victim's worker, even when it is the killer's own.
  CHECK(other.run_all({"PING"}).empty());
  CHECK(other.conn().closing());
  CHECK(s.run({"CLIENT", "LIST"}).str.find("victim") == std::string::npos);
}

TEST_CASE("QUIT replies, then the client is closed") {
  Inproc s;
  InprocClient& c = s.add_client();
  CHECK(c.run({"QUIT"}) == OK());
  CHECK(c.conn().closing());
  CHECK(c.run_all({"PING"}).empty());
}
