// Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH. Reply shapes (RESP2 and RESP3, byte for
// byte), queuing errors, WATCH against every path that touches a key, optimistic increments from
// many workers, EXEC's atomicity for lock-free readers on other workers, and blocking commands
// inside and around EXEC. Every case also passes against redis-server
// (RESPITE_SERVER_BIN=/usr/bin/redis-server), except where a case says it is respite-only.
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

using Clock = std::chrono::steady_clock;

Reply Q() {
  return Reply::Status("QUEUED");
}

// WATCH key; then `touch` runs (on this or another client); then MULTI; PING; EXEC. Returns the
// EXEC reply: nil when the touch counted.
template <class F>
Reply watch_then(Fixture& f, std::initializer_list<std::string_view> watch, F&& touch) {
  std::vector<std::string> args{"WATCH"};
  for (auto k : watch) args.emplace_back(k);
  REQUIRE(f.c.cmd(args) == OK());
  touch();
  REQUIRE(f.cmd({"MULTI"}) == OK());
  REQUIRE(f.cmd({"PING"}) == Q());
  return f.cmd({"EXEC"});
}

const Reply kPong = Reply::Arr({Reply::Status("PONG")});

}  // namespace

TEST_CASE("MULTI/EXEC/DISCARD reply shapes in RESP2, byte for byte") {
  Fixture f;
  RawConnection r(f.server.port());
  CHECK(raw(r, {"EXEC"}) == "-ERR EXEC without MULTI\r\n");
  CHECK(raw(r, {"DISCARD"}) == "-ERR DISCARD without MULTI\r\n");
  CHECK(raw(r, {"MULTI"}) == "+OK\r\n");
  CHECK(raw(r, {"MULTI"}) == "-ERR MULTI calls can not be nested\r\n");
  CHECK(raw(r, {"WATCH", "x"}) == "-ERR WATCH inside MULTI is not allowed\r\n");
  CHECK(raw(r, {"SET", "a", "1"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"INCR", "a"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"GET", "a"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"LPUSH", "a", "x"}) == "+QUEUED\r\n");  // fails at EXEC, in place
  CHECK(raw(r, {"GET", "nokey"}) == "+QUEUED\r\n");
  // Neither the nested MULTI nor WATCH flagged the transaction (Redis replies, no flag).
  CHECK(raw(r, {"EXEC"}) ==
        "*5\r\n+OK\r\n:2\r\n$1\r\n2\r\n"
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n$-1\r\n");
  CHECK(raw(r, {"EXEC"}) == "-ERR EXEC without MULTI\r\n");
  // An empty transaction.
  CHECK(raw(r, {"MULTI"}) == "+OK\r\n");
  CHECK(raw(r, {"EXEC"}) == "*0\r\n");
  // DISCARD drops the queue.
  CHECK(raw(r, {"MULTI"}) == "+OK\r\n");
  CHECK(raw(r, {"SET", "a", "discarded"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"DISCARD"}) == "+OK\r\n");
  CHECK(raw(r, {"GET", "a"}) == "$1\r\n2\r\n");
  // A watched key touched: a null array.
  CHECK(raw(r, {"WATCH", "a"}) == "+OK\r\n");
  CHECK(raw(r, {"SET", "a", "3"}) == "+OK\r\n");
  CHECK(raw(r, {"MULTI"}) == "+OK\r\n");
  CHECK(raw(r, {"SET", "a", "4"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"EXEC"}) == "*-1\r\n");
  CHECK(raw(r, {"GET", "a"}) == "$1\r\n3\r\n");
  CHECK(raw(r, {"UNWATCH"}) == "+OK\r\n");
}

TEST_CASE("RESP3: EXEC of a touched WATCH is a RESP3 null, others as in RESP2") {
  Fixture f;
  RawConnection r(f.server.port());
  CHECK(raw(r, {"HELLO", "3"}).substr(0, 1) == "%");
  CHECK(raw(r, {"WATCH", "k"}) == "+OK\r\n");
  CHECK(raw(r, {"SET", "k", "v"}) == "+OK\r\n");
  CHECK(raw(r, {"MULTI"}) == "+OK\r\n");
  CHECK(raw(r, {"GET", "k"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"EXEC"}) == "_\r\n");
  CHECK(raw(r, {"MULTI"}) == "+OK\r\n");
  CHECK(raw(r, {"GET", "k"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"GET", "missing"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"BLPOP", "nolist", "0"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"EXEC"}) == "*3\r\n$1\r\nv\r\n_\r\n_\r\n");
}

TEST_CASE("queuing errors abort the transaction with EXECABORT; errors at EXEC stay in place") {
  Fixture f;
  RawConnection r(f.server.port());
  const std::string abort = "-EXECABORT Transaction discarded because of previous errors.\r\n";
  // Unknown command.
  CHECK(raw(r, {"MULTI"}) == "+OK\r\n");
  CHECK(raw(r, {"SET", "a", "1"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"NOSUCHCMD", "x"}).substr(0, 21) == "-ERR unknown command ");
  CHECK(raw(r, {"SET", "b", "1"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"EXEC"}) == abort);
  CHECK(raw(r, {"EXISTS", "a", "b"}) == ":0\r\n");
  // Wrong arity.
  CHECK(raw(r, {"MULTI"}) == "+OK\r\n");
  CHECK(raw(r, {"SET", "a"}) == "-ERR wrong number of arguments for 'set' command\r\n");
  CHECK(raw(r, {"EXEC"}) == abort);
  // Unknown subcommand.
  CHECK(raw(r, {"MULTI"}) == "+OK\r\n");
  CHECK(raw(r, {"CONFIG", "NOPE"}).substr(0, 26) == "-ERR unknown subcommand 'N");
  CHECK(raw(r, {"EXEC"}) == abort);
  // A no-multi command (SHUTDOWN).
  CHECK(raw(r, {"MULTI"}) == "+OK\r\n");
  CHECK(raw(r, {"SET", "a", "1"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"SHUTDOWN"}) == "-ERR Command not allowed inside a transaction\r\n");
  CHECK(raw(r, {"EXEC"}) == abort);
  CHECK(raw(r, {"PING"}) == "+PONG\r\n");  // still up, state cleared
  CHECK(raw(r, {"EXISTS", "a"}) == ":0\r\n");
  // EXEC with arguments: rejected, and the transaction goes with the reason.
  CHECK(raw(r, {"MULTI"}) == "+OK\r\n");
  CHECK(raw(r, {"EXEC", "extra"}) ==
        "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' "
        "command\r\n");
  CHECK(raw(r, {"EXEC"}) == "-ERR EXEC without MULTI\r\n");
  // Errors at EXEC time are replies in the array; the rest runs.
  CHECK(raw(r, {"SET", "s", "str"}) == "+OK\r\n");
  CHECK(raw(r, {"MULTI"}) == "+OK\r\n");
  CHECK(raw(r, {"INCR", "s"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"SET", "t", "1"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"SELECT", "99"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"EXEC"}) ==
        "*3\r\n-ERR value is not an integer or out of range\r\n+OK\r\n"
        "-ERR DB index is out of range\r\n");
  CHECK(raw(r, {"GET", "t"}) == "$1\r\n1\r\n");
}

TEST_CASE("OOM: queuing is refused while out of memory, EXEC of denyoom commands aborts") {
  Fixture f;
  Client other(f.server.port());
  REQUIRE(f.cmd({"SET", "x", "value"}) == OK());
  // Read-only transaction: runs even when OOM comes between queuing and EXEC.
  REQUIRE(f.cmd({"MULTI"}) == OK());
  REQUIRE(f.cmd({"GET", "x"}) == Q());
  REQUIRE(other.cmd({"CONFIG", "SET", "maxmemory", "1"}) == OK());
  CHECK(f.cmd({"EXEC"}) == Reply::Arr({Reply::Str("value")}));
  // A queued write: EXECABORT with the OOM reason.
  REQUIRE(other.cmd({"CONFIG", "SET", "maxmemory", "0"}) == OK());
  REQUIRE(f.cmd({"MULTI"}) == OK());
  REQUIRE(f.cmd({"SET", "x", "1"}) == Q());
  REQUIRE(other.cmd({"CONFIG", "SET", "maxmemory", "1"}) == OK());
  Reply r = f.cmd({"EXEC"});
  CHECK(r.is_error());
  CHECK(r.str.rfind("EXECABORT Transaction discarded because of: OOM", 0) == 0);
  // Queuing while OOM flags the transaction; DISCARD still works.
  REQUIRE(f.cmd({"MULTI"}) == OK());
  CHECK(f.cmd({"SET", "x", "1"}).str.rfind("OOM", 0) == 0);
  CHECK(f.cmd({"DISCARD"}) == OK());
  REQUIRE(f.cmd({"MULTI"}) == OK());
  CHECK(f.cmd({"PING"}).is_error());
  REQUIRE(other.cmd({"CONFIG", "SET", "maxmemory", "0"}) == OK());
  CHECK(f.cmd({"EXEC"}).str.rfind("EXECABORT", 0) == 0);
  CHECK(f.cmd({"GET", "x"}) == Reply::Str("value"));
}

TEST_CASE("WATCH: untouched keys let EXEC run; EXEC, DISCARD and UNWATCH end watches") {
  Fixture f;
  REQUIRE(f.cmd({"SET", "x", "1"}) == OK());
  CHECK(watch_then(f, {"x", "y", "z"}, [&] { f.cmd({"SET", "other", "1"}); }) == kPong);
  // After a successful and after a failed EXEC the key is no longer watched.
  CHECK(watch_then(f, {"x"}, [] {}) == kPong);
  CHECK(watch_then(f, {"x"}, [&] { f.cmd({"SET", "x", "2"}); }).is_nil());
  REQUIRE(f.cmd({"SET", "x", "3"}) == OK());
  REQUIRE(f.cmd({"MULTI"}) == OK());
  REQUIRE(f.cmd({"PING"}) == Q());
  CHECK(f.cmd({"EXEC"}) == kPong);
  // UNWATCH forgets a touch too.
  REQUIRE(f.cmd({"WATCH", "x"}) == OK());
  REQUIRE(f.cmd({"SET", "x", "4"}) == OK());
  REQUIRE(f.cmd({"UNWATCH"}) == OK());
  REQUIRE(f.cmd({"MULTI"}) == OK());
  REQUIRE(f.cmd({"PING"}) == Q());
  CHECK(f.cmd({"EXEC"}) == kPong);
  // DISCARD clears the dirty flag and the watches.
  REQUIRE(f.cmd({"WATCH", "x"}) == OK());
  REQUIRE(f.cmd({"SET", "x", "10"}) == OK());
  REQUIRE(f.cmd({"MULTI"}) == OK());
  REQUIRE(f.cmd({"DISCARD"}) == OK());
  REQUIRE(f.cmd({"SET", "x", "10"}) == OK());
  REQUIRE(f.cmd({"MULTI"}) == OK());
  REQUIRE(f.cmd({"INCR", "x"}) == Q());
  CHECK(f.cmd({"EXEC"}) == Reply::Arr({Reply::Int(11)}));
  // The database a key was watched in counts.
  REQUIRE(f.cmd({"SELECT", "5"}) == OK());
  REQUIRE(f.cmd({"SET", "x", "30"}) == OK());
  REQUIRE(f.cmd({"WATCH", "x"}) == OK());
  REQUIRE(f.cmd({"SELECT", "1"}) == OK());
  REQUIRE(f.cmd({"SET", "x", "10"}) == OK());
  REQUIRE(f.cmd({"SELECT", "5"}) == OK());
  REQUIRE(f.cmd({"MULTI"}) == OK());
  REQUIRE(f.cmd({"PING"}) == Q());
  CHECK(f.cmd({"EXEC"}) == kPong);
  // A transaction's own writes to its watched keys do not fail it.
  REQUIRE(f.cmd({"WATCH", "x"}) == OK());
  REQUIRE(f.cmd({"MULTI"}) == OK());
  REQUIRE(f.cmd({"INCR", "x"}) == Q());
  REQUIRE(f.cmd({"INCR", "x"}) == Q());
  CHECK(f.cmd({"EXEC"}) == Reply::Arr({Reply::Int(31), Reply::Int(32)}));
}

TEST_CASE("WATCH: every path that touches a key fails the EXEC") {
  Fixture f(workers(4));
  Client other(f.server.port());  // another connection, most likely on another worker
  auto touched = [&](const char* what, std::initializer_list<std::string_view> setup,
                     std::string_view key, auto&& touch) {
    CAPTURE(what);
    REQUIRE(f.cmd({"FLUSHALL"}) == OK());
    if (setup.size()) REQUIRE(!f.cmd(setup).is_error());
    CHECK(watch_then(f, {key}, touch).is_nil());
  };
  auto by_other = [&](std::initializer_list<std::string_view> cmd) {
    return [&other, cmd] { REQUIRE(!other.cmd(cmd).is_error()); };
  };
  auto by_self = [&](std::initializer_list<std::string_view> cmd) {
    return [&f, cmd] { REQUIRE(!f.cmd(cmd).is_error()); };
  };
  touched("SET by another client", {"SET", "k", "1"}, "k", by_other({"SET", "k", "2"}));
  touched("SET of a missing key", {}, "k", by_other({"SET", "k", "2"}));
  touched("INCR in place", {"SET", "k", "1"}, "k", by_other({"INCR", "k"}));
  touched("INCRBY in place", {"SET", "k", "1"}, "k", by_self({"INCRBY", "k", "5"}));
  touched("EXPIRE, no TTL before", {"SET", "k", "1"}, "k", by_other({"EXPIRE", "k", "100"}));
  touched("EXPIRE in place", {"SET", "k", "1", "EX", "100"}, "k", by_other({"EXPIRE", "k", "200"}));
  touched("PERSIST in place", {"SET", "k", "1", "EX", "100"}, "k", by_other({"PERSIST", "k"}));
  touched("APPEND", {"SET", "k", "1"}, "k", by_other({"APPEND", "k", "x"}));
  touched("DEL", {"SET", "k", "1"}, "k", by_other({"DEL", "k"}));
  touched("UNLINK of several", {"MSET", "k", "1", "j", "2"}, "k", by_other({"UNLINK", "j", "k"}));
  touched("MSET", {}, "k", by_other({"MSET", "j", "1", "k", "2"}));
  touched("RPUSH to a list", {"RPUSH", "k", "a"}, "k", by_other({"RPUSH", "k", "b"}));
  touched("LSET", {"RPUSH", "k", "a"}, "k", by_other({"LSET", "k", "0", "b"}));
  touched("LPOP", {"RPUSH", "k", "a", "b"}, "k", by_other({"LPOP", "k"}));
  touched("HSET", {"HSET", "k", "f", "v"}, "k", by_other({"HSET", "k", "f", "w"}));
  touched("SADD", {"SADD", "k", "a"}, "k", by_other({"SADD", "k", "b"}));
  touched("ZADD score update", {"ZADD", "k", "1", "a"}, "k", by_other({"ZADD", "k", "2", "a"}));
  touched("ZINCRBY", {"ZADD", "k", "1", "a"}, "k", by_other({"ZINCRBY", "k", "2", "a"}));
  touched("RENAME source", {"SET", "k", "1"}, "k", by_other({"RENAME", "k", "j"}));
  touched("RENAME destination", {"SET", "j", "1"}, "k", by_other({"RENAME", "j", "k"}));
  touched("MOVE", {"SET", "k", "1"}, "k", by_other({"MOVE", "k", "3"}));
  touched("COPY onto", {"SET", "j", "1"}, "k", by_other({"COPY", "j", "k"}));
  touched("SINTERSTORE destination", {"SADD", "j", "a"}, "k", by_other({"SINTERSTORE", "k", "j"}));
  touched("FLUSHALL", {"SET", "k", "1"}, "k", by_other({"FLUSHALL"}));
  touched("FLUSHDB", {"SET", "k", "1"}, "k", by_other({"FLUSHDB"}));
  touched("SWAPDB, key in the watched db", {"SET", "k", "1"}, "k", by_other({"SWAPDB", "0", "1"}));
  touched("a transaction on another client", {"SET", "k", "1"}, "k", [&] {
    REQUIRE(other.cmd({"MULTI"}) == OK());
    REQUIRE(other.cmd({"INCR", "k"}) == Q());
    REQUIRE(other.cmd({"EXEC"}) == Reply::Arr({Reply::Int(2)}));
  });
  {
    CAPTURE("SWAPDB, key only in the other db");
    REQUIRE(f.cmd({"FLUSHALL"}) == OK());
    REQUIRE(f.cmd({"SELECT", "1"}) == OK());
    REQUIRE(f.cmd({"SET", "k", "1"}) == OK());
    REQUIRE(f.cmd({"SELECT", "0"}) == OK());
    CHECK(watch_then(f, {"k"}, by_other({"SWAPDB", "0", "1"})).is_nil());
  }
  {
    CAPTURE("expiry after WATCH");
    REQUIRE(f.cmd({"SET", "k", "1", "PX", "30"}) == OK());
    CHECK(watch_then(f, {"k"}, [&] {
            // PTTL reads without removing the key: it may still be there, expired (lazy), or
            // gone (active expiry). Either fails the EXEC.
            REQUIRE(poll_until(
                [&] {
                  return other.cmd({"PTTL", "k"}) == Reply::Int(-2);
                },
                std::chrono::seconds(10)));
          }).is_nil());
    REQUIRE(f.cmd({"SET", "k", "1", "PX", "30"}) == OK());
    CHECK(watch_then(f, {"k"}, [&] {
            REQUIRE(poll_until([&] { return other.cmd({"DBSIZE"}) == Reply::Int(0); },
                               std::chrono::seconds(10)));
          }).is_nil());
  }
  // What does not touch: missing keys stay missing through FLUSHALL and DEL, and a key expired
  // when watched that is then deleted did not change (Redis 7.0).
  REQUIRE(f.cmd({"FLUSHALL"}) == OK());
  CHECK(watch_then(f, {"k"}, by_other({"FLUSHALL"})) == kPong);
  CHECK(watch_then(f, {"k"}, by_other({"DEL", "k"})) == kPong);
  CHECK(watch_then(f, {"k"}, by_other({"SET", "j", "1"})) == kPong);
  REQUIRE(f.cmd({"SET", "k", "1", "PX", "1"}) == OK());
  REQUIRE(poll_until(
      [&] {
        return f.cmd({"PTTL", "k"}) == Reply::Int(-2);
      },
      std::chrono::seconds(10)));
  CHECK(watch_then(f, {"k"}, by_other({"DEL", "k"})) == kPong);
  REQUIRE(f.cmd({"SET", "k", "1", "PX", "1"}) == OK());
  REQUIRE(poll_until(
      [&] {
        return f.cmd({"PTTL", "k"}) == Reply::Int(-2);
      },
      std::chrono::seconds(10)));
  CHECK(watch_then(f, {"k"}, by_other({"FLUSHDB"})) == kPong);
}

TEST_CASE("WATCH: writes that change nothing do not touch; same-size changes do") {
  Fixture f;
  Client other(f.server.port());
  auto after = [&](std::initializer_list<std::string_view> setup, std::string_view key,
                   std::initializer_list<std::string_view> touch) {
    REQUIRE(f.cmd({"FLUSHALL"}) == OK());
    REQUIRE(!f.cmd(setup).is_error());
    return watch_then(f, {key}, [&] { REQUIRE(!other.cmd(touch).is_error()); });
  };
  CHECK(after({"SADD", "k", "a"}, "k", {"SADD", "k", "a"}) == kPong);
  CHECK(after({"SADD", "k", "a", "b"}, "k", {"SREM", "k", "c"}) == kPong);
  CHECK(after({"HSET", "k", "f", "v"}, "k", {"HDEL", "k", "g"}) == kPong);
  CHECK(after({"ZADD", "k", "1", "a"}, "k", {"ZADD", "k", "1", "a"}) == kPong);
  CHECK(after({"ZADD", "k", "1", "a"}, "k", {"ZADD", "k", "GT", "0", "a"}) == kPong);
  CHECK(after({"RPUSH", "k", "a"}, "k", {"LREM", "k", "0", "b"}) == kPong);
  CHECK(after({"RPUSH", "k", "a"}, "k", {"LPUSHX", "j", "b"}) == kPong);
  CHECK(after({"SET", "k", "1"}, "k", {"RENAME", "k", "k"}) == kPong);
  CHECK(after({"SET", "k", "1"}, "k", {"EXPIRE", "k", "100", "XX"}) == kPong);
  CHECK(after({"SET", "k", "1"}, "k", {"PERSIST", "k"}) == kPong);
  CHECK(after({"SET", "k", "1"}, "k", {"SETNX", "k", "2"}) == kPong);
  CHECK(after({"HSET", "k", "f", "v"}, "k", {"HSETNX", "k", "f", "w"}) == kPong);
  // Same length and size, yet a change (Redis signals these whatever the value).
  CHECK(after({"HSET", "k", "f", "v"}, "k", {"HSET", "k", "f", "w"}).is_nil());
  CHECK(after({"HSET", "k", "f", "v"}, "k", {"HSET", "k", "f", "v"}).is_nil());
  CHECK(after({"HSET", "k", "f", "1"}, "k", {"HINCRBY", "k", "f", "1"}).is_nil());
  CHECK(after({"RPUSH", "k", "a"}, "k", {"LSET", "k", "0", "b"}).is_nil());
  CHECK(after({"RPUSH", "k", "a", "b"}, "k", {"LTRIM", "k", "0", "-1"}).is_nil());
  CHECK(after({"RPUSH", "k", "a", "b"}, "k", {"LMOVE", "k", "k", "LEFT", "RIGHT"}).is_nil());
  CHECK(after({"ZADD", "k", "1", "a"}, "k", {"ZADD", "k", "2", "a"}).is_nil());
  CHECK(after({"ZADD", "k", "1", "a"}, "k", {"ZINCRBY", "k", "1", "a"}).is_nil());
  CHECK(after({"SET", "k", "1"}, "k", {"INCRBY", "k", "0"}).is_nil());
}

TEST_CASE("WATCH: keys expired when watched, through deletion, FLUSHDB and SWAPDB (Redis 7.0)") {
  // Redis's own versions of these need DEBUG SET-ACTIVE-EXPIRE 0 to keep the expired keys around.
  // Here the active cycle may remove them at any moment, which by the same rules is no change
  // either, so every outcome below holds whether or not it got there first.
  Fixture f;
  auto stale = [&](std::string_view key) {
    REQUIRE(f.cmd({"SET", key, "foo", "PX", "1"}) == OK());
    REQUIRE(poll_until(
        [&] {
          return f.cmd({"PTTL", key}) == Reply::Int(-2);
        },
        std::chrono::seconds(10)));
  };
  // WATCH of a stale key, nothing else.
  stale("x");
  CHECK(watch_then(f, {"x"}, [] {}) == kPong);
  // Deleted after WATCH (EXISTS deletes it lazily).
  stale("x");
  CHECK(watch_then(f, {"x"}, [&] { f.cmd({"EXISTS", "x"}); }) == kPong);
  // FLUSHDB.
  stale("x");
  CHECK(watch_then(f, {"x"}, [&] { REQUIRE(f.cmd({"FLUSHDB"}) == OK()); }) == kPong);
  // SWAPDB: a stale key replaced by no key.
  REQUIRE(f.cmd({"FLUSHALL"}) == OK());
  REQUIRE(f.cmd({"SELECT", "1"}) == OK());
  stale("x");
  CHECK(watch_then(f, {"x"}, [&] { REQUIRE(f.cmd({"SWAPDB", "0", "1"}) == OK()); }) == kPong);
  // SWAPDB: no key replaced by a stale one.
  REQUIRE(f.cmd({"FLUSHALL"}) == OK());
  REQUIRE(f.cmd({"SELECT", "0"}) == OK());
  stale("x");
  REQUIRE(f.cmd({"SELECT", "1"}) == OK());
  CHECK(watch_then(f, {"x"}, [&] { REQUIRE(f.cmd({"SWAPDB", "0", "1"}) == OK()); }) == kPong);
  // SWAPDB: a stale key replaced by another stale one.
  REQUIRE(f.cmd({"FLUSHALL"}) == OK());
  stale("x");
  REQUIRE(f.cmd({"SELECT", "0"}) == OK());
  stale("x");
  REQUIRE(f.cmd({"SELECT", "1"}) == OK());
  CHECK(watch_then(f, {"x"}, [&] { REQUIRE(f.cmd({"SWAPDB", "0", "1"}) == OK()); }) == kPong);
  // But a stale key written again is a change.
  REQUIRE(f.cmd({"FLUSHALL"}) == OK());
  stale("x");
  CHECK(watch_then(f, {"x"}, [&] { REQUIRE(f.cmd({"SET", "x", "new"}) == OK()); }).is_nil());
}

TEST_CASE("WATCH: eviction touches the evicted key") {
  Fixture f;
  if (!f.server.is_respite()) return;  // eviction order differs; the path is respite's own
  REQUIRE(f.cmd({"CONFIG", "SET", "maxmemory-policy", "allkeys-random"}) == OK());
  std::vector<std::string> watch{"WATCH"};
  for (int i = 0; i < 200; i++) {
    std::string k = "key:" + std::to_string(i);
    REQUIRE(f.cmd({"SET", k, std::string(200, 'x')}) == OK());
    watch.push_back(k);
  }
  REQUIRE(f.c.cmd(watch) == OK());
  Client other(f.server.port());
  REQUIRE(other.cmd({"CONFIG", "SET", "maxmemory", "1"}) == OK());  // evicts at once
  REQUIRE(other.cmd({"CONFIG", "SET", "maxmemory", "0"}) == OK());
  REQUIRE(info_field(other.cmd({"INFO", "stats"}).str, "evicted_keys") > 0);
  REQUIRE(f.cmd({"MULTI"}) == OK());
  REQUIRE(f.cmd({"PING"}) == Q());
  CHECK(f.cmd({"EXEC"}).is_nil());
}

TEST_CASE("WATCH: optimistic increments from 8 clients on several workers lose nothing") {
  // Eight workers: the kernel spreads the eight connections over them (SO_REUSEPORT), so most
  // increments race with ones run on other event loops.
  Fixture f(workers(8));
  constexpr int kClients = 8, kIncrements = 200;
  std::atomic<long long> retries{0};
  std::vector<std::string> errors(kClients);
  std::vector<std::thread> threads;
  for (int t = 0; t < kClients; t++) {
    threads.emplace_back([&, t] {
      try {
        Client c(f.server.port());
        for (int i = 0; i < kIncrements; i++) {
          for (;;) {
            if (!c.cmd({"WATCH", "counter"}).is_ok()) throw std::runtime_error("WATCH");
            Reply v = c.cmd({"GET", "counter"});
            long long n = v.is_nil() ? 0 : std::stoll(v.str);
            c.append({"MULTI"});
            c.append({"SET", "counter", std::to_string(n + 1)});
            c.append({"EXEC"});
            if (!c.get_reply().is_ok() || c.get_reply() != Q()) throw std::runtime_error("queue");
            Reply r = c.get_reply();
            if (r.is_nil()) {
              retries++;
              continue;
            }
            if (r != Reply::Arr({OK()})) throw std::runtime_error("EXEC: " + r.to_string());
            break;
          }
        }
      } catch (const std::exception& e) {
        errors[t] = e.what();
      }
    });
  }
  for (auto& th : threads) th.join();
  for (auto& e : errors) CHECK(e.empty());
  MESSAGE("retries: " << retries.load());
  CHECK(f.cmd({"GET", "counter"}) == Reply::Str(std::to_string(kClients * kIncrements)));
}

TEST_CASE("EXEC is atomic for lock-free readers on other workers") {
  // Transaction i: SET a i; INCR b (in place: b == i after it); EXPIRE d 1000+i (in place); SET
  // c i. Readers pipeline GET a, GET b, GET c (lock-free reads, in the writer's order), MGET a c
  // and TTL d. Versions only grow, so in one batch a later read may show a newer version (the
  // batch straddled a transaction) but never an older one: va > vb or vb > vc would be a
  // transaction seen half done (the first keys new, the later ones still old). MGET must agree
  // with itself, and d's TTL must be at least the one set by c's transaction.
  Fixture f(workers(4));
  REQUIRE(f.cmd({"MSET", "a", "0", "b", "0", "c", "0"}) == OK());
  REQUIRE(f.cmd({"SET", "d", "x", "EX", "1000"}) == OK());
  constexpr long long kTx = 3000;
  constexpr int kFiller = 16;
  std::atomic<bool> stop{false};
  std::atomic<int> ready{0};
  std::atomic<long long> checked{0}, straddled{0}, torn{0};
  std::vector<std::string> errors(3);
  std::vector<std::thread> readers;
  auto deadline = Clock::now() + std::chrono::seconds(20);
  for (int t = 0; t < 3; t++) {
    readers.emplace_back([&, t] {
      try {
        Client c(f.server.port());
        bool counted = false;
        while (!stop.load() && Clock::now() < deadline) {
          c.append({"GET", "a"});
          c.append({"GET", "b"});
          c.append({"GET", "c"});
          c.append({"MGET", "a", "c"});
          c.append({"TTL", "d"});
          long long va = std::stoll(c.get_reply().str);
          long long vb = std::stoll(c.get_reply().str);
          long long vc = std::stoll(c.get_reply().str);
          Reply m = c.get_reply();
          long long ttl = c.get_reply().integer;
          if (va > vb || vb > vc) torn++;
          if (m.elements.size() != 2 || m.elements[0].str != m.elements[1].str) torn++;
          if (ttl < 1000 + vc - 5) torn++;  // d's TTL was raised by the transaction c came from
          if (va != vc) straddled++;
          checked++;
          if (!counted) {
            counted = true;
            ready++;
          }
        }
        if (!counted) ready++;
      } catch (const std::exception& e) {
        errors[t] = e.what();
        ready++;
      }
    });
  }
  while (ready.load() < 3 && Clock::now() < deadline) std::this_thread::yield();
  Client w(f.server.port());
  long long done = 0;
  auto start = Clock::now();
  for (long long i = 1; i <= kTx && Clock::now() < deadline; i++) {
    std::string v = std::to_string(i);
    w.append({"MULTI"});
    w.append({"SET", "a", v});
    w.append({"INCR", "b"});
    // Filler between the first and the last key: a wider window for a torn read to fall in.
    for (int k = 0; k < kFiller; k++) w.append({"SET", "filler" + std::to_string(k), v});
    w.append({"EXPIRE", "d", std::to_string(1000 + i)});
    w.append({"SET", "c", v});
    w.append({"EXEC"});
    for (int k = 0; k < 5 + kFiller; k++) REQUIRE(!w.get_reply().is_error());
    Reply r = w.get_reply();
    REQUIRE(r.elements.size() == 4 + kFiller);
    done++;
  }
  stop = true;
  for (auto& th : readers) th.join();
  for (auto& e : errors) CHECK(e.empty());
  MESSAGE("transactions: "
          << done << ", reader batches: " << checked.load() << ", straddled: " << straddled.load()
          << ", torn: " << torn.load() << ", "
          << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count()
          << " ms");
  CHECK(done == kTx);
  CHECK(checked.load() >= 100);
  CHECK(torn.load() == 0);
  CHECK(f.cmd({"MGET", "a", "b", "c"}) ==
        Reply::StrArr({std::to_string(kTx), std::to_string(kTx), std::to_string(kTx)}));
}

TEST_CASE("blocking commands inside MULTI answer at once, as on timeout") {
  Fixture f;
  RawConnection r(f.server.port());
  CHECK(raw(r, {"MULTI"}) == "+OK\r\n");
  for (auto& cmd : std::vector<std::vector<std::string>>{{"BLPOP", "e", "0"},
                                                         {"BRPOP", "e", "0"},
                                                         {"BRPOPLPUSH", "e", "f", "0"},
                                                         {"BLMOVE", "e", "f", "LEFT", "LEFT", "0"},
                                                         {"BLMPOP", "0", "1", "e", "LEFT"},
                                                         {"BZPOPMIN", "z", "0"},
                                                         {"BZPOPMAX", "z", "0"},
                                                         {"BZMPOP", "0", "1", "z", "MIN"}}) {
    CHECK(raw(r, cmd) == "+QUEUED\r\n");
  }
  CHECK(raw(r, {"EXEC"}) == "*8\r\n*-1\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n*-1\r\n*-1\r\n*-1\r\n");
  // With data they serve as usual.
  CHECK(raw(r, {"RPUSH", "e", "x"}) == ":1\r\n");
  CHECK(raw(r, {"MULTI"}) == "+OK\r\n");
  CHECK(raw(r, {"BLPOP", "e", "0"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"EXEC"}) == "*1\r\n*2\r\n$1\r\ne\r\n$1\r\nx\r\n");
}

TEST_CASE("a key pushed inside EXEC wakes a blocked client only after the whole EXEC") {
  Fixture f(workers(2));
  RawConnection blocked(f.server.port());
  REQUIRE(blocked.send(resp({"BLPOP", "q", "0"})));
  REQUIRE(wait_blocked(f, 1));
  // Served after EXEC: the element it gets is the transaction's last word on q (LPUSH z in front
  // of a), not the a that a serve in the middle would have handed it.
  RawConnection w(f.server.port());
  REQUIRE(w.send(resp({"MULTI"}) + resp({"RPUSH", "q", "a"}) + resp({"LPUSH", "q", "z"}) +
                 resp({"EXEC"}) + resp({"LRANGE", "q", "0", "-1"})));
  CHECK(w.read_reply() == "+OK\r\n");
  CHECK(w.read_reply() == "+QUEUED\r\n");
  CHECK(w.read_reply() == "+QUEUED\r\n");
  CHECK(w.read_reply() == "*2\r\n:1\r\n:2\r\n");
  // The pushing connection's next command already sees the element gone (served before it).
  CHECK(w.read_reply() == "*1\r\n$1\r\na\r\n");
  CHECK(blocked.read_reply() == "*2\r\n$1\r\nq\r\n$1\r\nz\r\n");
  // A push undone in the same transaction wakes nobody.
  REQUIRE(blocked.send(resp({"BLPOP", "q2", "0"})));
  REQUIRE(wait_blocked(f, 1));
  CHECK(raw(w, {"MULTI"}) == "+OK\r\n");
  CHECK(raw(w, {"RPUSH", "q2", "a"}) == "+QUEUED\r\n");
  CHECK(raw(w, {"DEL", "q2"}) == "+QUEUED\r\n");
  CHECK(raw(w, {"EXEC"}) == "*2\r\n:1\r\n:1\r\n");
  CHECK(blocked_clients(f) == 1);
  CHECK(raw(w, {"RPUSH", "q2", "b"}) == ":1\r\n");
  CHECK(blocked.read_reply() == "*2\r\n$2\r\nq2\r\n$1\r\nb\r\n");
}

TEST_CASE("CLIENT UNBLOCK and SWAPDB inside EXEC reach blocked clients after it") {
  Fixture f(workers(2));
  RawConnection blocked(f.server.port());
  std::string id = raw(blocked, {"CLIENT", "ID"});
  REQUIRE(id.size() > 3);
  id = id.substr(1, id.size() - 3);
  REQUIRE(blocked.send(resp({"BLPOP", "q", "0"})));
  REQUIRE(wait_blocked(f, 1));
  RawConnection w(f.server.port());
  CHECK(raw(w, {"MULTI"}) == "+OK\r\n");
  CHECK(raw(w, {"SET", "x", "1"}) == "+QUEUED\r\n");
  CHECK(raw(w, {"CLIENT", "UNBLOCK", id}) == "+QUEUED\r\n");
  CHECK(raw(w, {"EXEC"}) == "*2\r\n+OK\r\n:1\r\n");
  CHECK(blocked.read_reply() == "*-1\r\n");
  // SWAPDB bringing a list under a waited key serves the waiter once EXEC is over.
  REQUIRE(blocked.send(resp({"BLPOP", "q", "0"})));
  REQUIRE(wait_blocked(f, 1));
  CHECK(raw(w, {"SELECT", "1"}) == "+OK\r\n");
  CHECK(raw(w, {"RPUSH", "q", "from1"}) == ":1\r\n");
  CHECK(raw(w, {"MULTI"}) == "+OK\r\n");
  CHECK(raw(w, {"SWAPDB", "0", "1"}) == "+QUEUED\r\n");
  CHECK(raw(w, {"EXEC"}) == "*1\r\n+OK\r\n");
  CHECK(blocked.read_reply() == "*2\r\n$1\r\nq\r\n$5\r\nfrom1\r\n");
}

TEST_CASE("SELECT, FLUSHDB, SWAPDB, MOVE and KEYS inside EXEC") {
  Fixture f(workers(2));
  RawConnection r(f.server.port());
  CHECK(raw(r, {"SET", "k", "0"}) == "+OK\r\n");
  CHECK(raw(r, {"MULTI"}) == "+OK\r\n");
  CHECK(raw(r, {"SELECT", "2"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"SET", "k", "2"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"MOVE", "k", "3"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"SELECT", "3"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"KEYS", "*"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"SWAPDB", "3", "4"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"DBSIZE"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"FLUSHDB"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"SELECT", "4"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"GET", "k"}) == "+QUEUED\r\n");
  CHECK(
      raw(r, {"EXEC"}) ==
      "*10\r\n+OK\r\n+OK\r\n:1\r\n+OK\r\n*1\r\n$1\r\nk\r\n+OK\r\n:0\r\n+OK\r\n+OK\r\n$1\r\n2\r\n");
  CHECK(raw(r, {"FLUSHALL"}) == "+OK\r\n");
  CHECK(raw(r, {"MULTI"}) == "+OK\r\n");
  CHECK(raw(r, {"SET", "x", "1"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"FLUSHALL"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"SET", "y", "1"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"DBSIZE"}) == "+QUEUED\r\n");
  CHECK(raw(r, {"EXEC"}) == "*4\r\n+OK\r\n+OK\r\n+OK\r\n:1\r\n");
}

TEST_CASE("thousands of pipelined MULTI/SET/EXEC blocks") {
  Fixture f(workers(2));
  RawConnection r(f.server.port());
  constexpr int kBlocks = 5000;
  std::string out;
  for (int i = 0; i < kBlocks; i++) {
    out += resp({"MULTI"});
    out += resp({"SET", "k" + std::to_string(i % 16), std::to_string(i)});
    out += resp({"INCR", "n"});
    out += resp({"EXEC"});
  }
  auto start = Clock::now();
  std::thread sender([&] { r.send(out); });
  bool ok = true;
  for (int i = 0; i < kBlocks && ok; i++) {
    ok = r.read_reply() == "+OK\r\n" && r.read_reply() == "+QUEUED\r\n" &&
         r.read_reply() == "+QUEUED\r\n" &&
         r.read_reply() == "*2\r\n+OK\r\n:" + std::to_string(i + 1) + "\r\n";
  }
  sender.join();
  CHECK(ok);
  MESSAGE(
      kBlocks << " blocks in "
              << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count()
              << " ms");
  CHECK(raw(r, {"GET", "n"}) == "$4\r\n5000\r\n");
}
