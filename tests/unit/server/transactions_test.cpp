// In-process tests of MULTI, EXEC, DISCARD, WATCH and UNWATCH (server/commands/transactions.cpp,
// server/multi.h) through two capturing clients on one worker (inproc.h): the state errors, a
// queue-time error aborting EXEC, run-time errors staying inside EXEC's array, WATCH seeing
// another client's write, deletion and a set-then-deleted missing key, UNWATCH and DISCARD
// forgetting watches, SELECT inside a transaction, blocking commands answering at once, and the
// RESP3 null of an aborted EXEC. Expectations were checked against redis-server 7.0.15.
#include <doctest.h>

#include "tests/unit/server/inproc.h"

using namespace respite::test;
using respite::protocol::RespValue;

namespace {
const Reply kQueued = Reply::Status("QUEUED");
}  // namespace

TEST_CASE("EXEC, DISCARD and MULTI out of place") {
  Inproc s;
  CHECK(s.run({"EXEC"}) == Reply::Err("ERR EXEC without MULTI"));
  CHECK(s.run({"DISCARD"}) == Reply::Err("ERR DISCARD without MULTI"));
  CHECK(s.run({"MULTI"}) == OK());
  CHECK(s.run({"MULTI"}) == Reply::Err("ERR MULTI calls can not be nested"));
  CHECK(s.run({"WATCH", "k"}) == Reply::Err("ERR WATCH inside MULTI is not allowed"));
  CHECK(s.run({"EXEC"}) == Reply::Arr({}));  // errors of these kinds do not abort
}

TEST_CASE("a command refused while queuing aborts the transaction") {
  Inproc s;
  CHECK(s.run({"MULTI"}) == OK());
  CHECK(s.run({"SET", "k", "v"}) == kQueued);
  CHECK(s.run({"GET"}) == Arity("get"));
  CHECK(s.run({"NOSUCHCMD"}) ==
        Reply::Err("ERR unknown command 'NOSUCHCMD', with args beginning with: "));
  CHECK(s.run({"EXEC"}) ==
        Reply::Err("EXECABORT Transaction discarded because of previous errors."));
  CHECK(s.run({"EXISTS", "k"}) == Reply::Int(0));
  CHECK(s.run({"EXEC"}) == Reply::Err("ERR EXEC without MULTI"));  // the transaction is over
}

TEST_CASE("run-time errors stay in EXEC's array; the other commands still run") {
  Inproc s;
  CHECK(s.run({"MULTI"}) == OK());
  CHECK(s.run({"SET", "k", "v"}) == kQueued);
  CHECK(s.run({"LPUSH", "k", "x"}) == kQueued);
  CHECK(s.run({"GET", "k"}) == kQueued);
  CHECK(s.run({"EXEC"}) == Reply::Arr({OK(), WrongType(), Reply::Str("v")}));
}

TEST_CASE("DISCARD drops the queue and the watches") {
  Inproc s;
  InprocClient& other = s.add_client();
  CHECK(s.run({"WATCH", "k"}) == OK());
  CHECK(s.run({"MULTI"}) == OK());
  CHECK(s.run({"INCR", "n"}) == kQueued);
  CHECK(s.run({"DISCARD"}) == OK());
  CHECK(s.run({"GET", "n"}) == Reply::Nil());
  CHECK(other.run({"SET", "k", "x"}) == OK());
  CHECK(s.run({"MULTI"}) == OK());
  CHECK(s.run({"INCR", "n"}) == kQueued);
  CHECK(s.run({"EXEC"}) == Reply::Arr({Reply::Int(1)}));  // no longer watched
}

TEST_CASE("WATCH: another client's write aborts EXEC with a null array; UNWATCH forgets") {
  Inproc s;
  InprocClient& other = s.add_client();
  CHECK(s.run({"WATCH", "k"}) == OK());
  CHECK(s.run({"MULTI"}) == OK());
  CHECK(s.run({"INCR", "n"}) == kQueued);
  CHECK(other.run({"SET", "k", "other"}) == OK());
  CHECK(s.client().call({"EXEC"}).type == RespValue::Type::kNullArray);
  CHECK(s.run({"GET", "n"}) == Reply::Nil());  // nothing ran

  CHECK(s.run({"WATCH", "k"}) == OK());
  CHECK(s.run({"UNWATCH"}) == OK());
  CHECK(s.run({"MULTI"}) == OK());
  CHECK(s.run({"INCR", "n"}) == kQueued);
  CHECK(other.run({"SET", "k", "other2"}) == OK());
  CHECK(s.run({"EXEC"}) == Reply::Arr({Reply::Int(1)}));
}

TEST_CASE("WATCH: the client's own write before MULTI also counts") {
  Inproc s;
  CHECK(s.run({"WATCH", "k"}) == OK());
  CHECK(s.run({"SET", "k", "mine"}) == OK());
  CHECK(s.run({"MULTI"}) == OK());
  CHECK(s.run({"GET", "k"}) == kQueued);
  CHECK(s.run({"EXEC"}) == Reply::Nil());
}

TEST_CASE("WATCH: deletion, and a missing key set and deleted again, are changes") {
  Inproc s;
  InprocClient& other = s.add_client();
  CHECK(s.run({"SET", "k", "v"}) == OK());
  CHECK(s.run({"WATCH", "k"}) == OK());
  CHECK(other.run({"DEL", "k"}) == Reply::Int(1));
  CHECK(s.run({"MULTI"}) == OK());
  CHECK(s.run({"EXEC"}) == Reply::Nil());

  CHECK(s.run({"WATCH", "nokey"}) == OK());
  CHECK(other.run({"SET", "nokey", "1"}) == OK());
  CHECK(other.run({"DEL", "nokey"}) == Reply::Int(1));
  CHECK(s.run({"MULTI"}) == OK());
  CHECK(s.run({"EXEC"}) == Reply::Nil());

  // A write to another key, or to the same name in another database, is not a change.
  CHECK(s.run({"WATCH", "k"}) == OK());
  CHECK(other.run({"SET", "k2", "x"}) == OK());
  CHECK(other.run({"SELECT", "1"}) == OK());
  CHECK(other.run({"SET", "k", "x"}) == OK());
  CHECK(s.run({"MULTI"}) == OK());
  CHECK(s.run({"PING"}) == kQueued);
  CHECK(s.run({"EXEC"}) == Reply::Arr({Reply::Status("PONG")}));
}

TEST_CASE("SELECT inside EXEC changes the database for the rest of it and after") {
  Inproc s;
  CHECK(s.run({"MULTI"}) == OK());
  CHECK(s.run({"SELECT", "1"}) == kQueued);
  CHECK(s.run({"SET", "k", "db1"}) == kQueued);
  CHECK(s.run({"EXEC"}) == Reply::Arr({OK(), OK()}));
  CHECK(s.run({"GET", "k"}) == Reply::Str("db1"));
  CHECK(s.run({"SELECT", "0"}) == OK());
  CHECK(s.run({"GET", "k"}) == Reply::Nil());
}

TEST_CASE("a blocking command inside EXEC answers at once, as on timeout") {
  Inproc s;
  CHECK(s.run({"MULTI"}) == OK());
  CHECK(s.run({"BLPOP", "emptyl", "0"}) == kQueued);
  CHECK(s.run({"EXEC"}) == Reply::Arr({Reply::Nil()}));
  CHECK(!s.client().conn().blocked());
}

TEST_CASE("RESP3: an aborted EXEC is _, a queued SUBSCRIBE's confirmation is a push") {
  Inproc s;
  InprocClient& other = s.add_client();
  s.resp3();
  CHECK(s.run({"WATCH", "k"}) == OK());
  CHECK(other.run({"SET", "k", "v"}) == OK());
  CHECK(s.run({"MULTI"}) == OK());
  CHECK(s.run({"PING"}) == kQueued);
  CHECK(s.call({"EXEC"}).type == RespValue::Type::kNull);
  CHECK(s.run({"MULTI"}) == OK());
  CHECK(s.run({"SUBSCRIBE", "x"}) == kQueued);
  CHECK(s.call({"EXEC"}).to_string() == "[>[\"subscribe\", \"x\", (integer) 1]]");
}
