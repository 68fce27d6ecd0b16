// Integration tests of the list commands against the real server: every command's replies, its
// errors and which of them wins, emptied lists disappearing, lists spread over many nodes (small
// list-max-listpack-size, elements larger than a node), and the blocking commands: served at once
// when data is there, served when another client pushes (we wait until INFO says the client is
// blocked, never a sleep), timeouts, errors, and the reply shapes in RESP2 and RESP3. The blocking
// machinery itself (FIFO across workers, disconnects, stress) is tested in blocking_test.cpp.
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

const Reply kWrongType =
    Reply::Err("WRONGTYPE Operation against a key holding the wrong kind of value");
const Reply kNotInt = Reply::Err("ERR value is not an integer or out of range");
const Reply kSyntax = Reply::Err("ERR syntax error");
const Reply kPositive = Reply::Err("ERR value is out of range, must be positive");
const Reply kEmpty = Reply::Arr({});

Reply range(Fixture& f, const std::string& key) {
  return f.cmd({"LRANGE", key, "0", "-1"});
}

}  // namespace

TEST_CASE("LPUSH, RPUSH, LPUSHX, RPUSHX: order, length, type, encoding") {
  Fixture f;
  CHECK(f.cmd({"LPUSH", "l", "a", "b", "c"}) == Reply::Int(3));
  CHECK(f.cmd({"RPUSH", "l", "d", "e"}) == Reply::Int(5));
  CHECK(range(f, "l") == Reply::StrArr({"c", "b", "a", "d", "e"}));
  CHECK(f.cmd({"TYPE", "l"}) == Reply::Status("list"));
  CHECK(f.cmd({"OBJECT", "ENCODING", "l"}) == Reply::Str("quicklist"));
  CHECK(f.cmd({"LPUSHX", "l", "x", "y"}) == Reply::Int(7));
  CHECK(f.cmd({"RPUSHX", "l", "z"}) == Reply::Int(8));
  CHECK(f.cmd({"LPUSHX", "missing", "x"}) == Reply::Int(0));
  CHECK(f.cmd({"RPUSHX", "missing", "x"}) == Reply::Int(0));
  CHECK(f.cmd({"EXISTS", "missing"}) == Reply::Int(0));
  CHECK(range(f, "l") == Reply::StrArr({"y", "x", "c", "b", "a", "d", "e", "z"}));
  // Binary and empty elements.
  std::string bin("a\0b\r\n", 5);
  CHECK(f.cmd({"RPUSH", "bin", bin, ""}) == Reply::Int(2));
  CHECK(range(f, "bin") == Reply::Arr({Reply::Str(bin), Reply::Str("")}));
  CHECK(f.cmd({"SET", "s", "v"}).is_ok());
  for (const char* cmd : {"LPUSH", "RPUSH", "LPUSHX", "RPUSHX"}) {
    CHECK(f.cmd({cmd, "s", "x"}) == kWrongType);
  }
  CHECK(f.cmd({"LPUSH", "l"}) == Reply::Err("ERR wrong number of arguments for 'lpush' command"));
}

TEST_CASE("LPOP and RPOP, with and without a count") {
  Fixture f;
  RawConnection r(f.server.port());
  CHECK(f.cmd({"RPUSH", "l", "a", "b", "c", "d", "e"}) == Reply::Int(5));
  CHECK(f.cmd({"LPOP", "l"}) == Reply::Str("a"));
  CHECK(f.cmd({"RPOP", "l"}) == Reply::Str("e"));
  CHECK(f.cmd({"LPOP", "l", "2"}) == Reply::StrArr({"b", "c"}));
  CHECK(f.cmd({"RPOP", "l", "0"}) == kEmpty);
  CHECK(f.cmd({"RPOP", "l", "10"}) == Reply::StrArr({"d"}));
  CHECK(f.cmd({"EXISTS", "l"}) == Reply::Int(0));  // emptied: the key is gone
  CHECK(f.cmd({"RPUSH", "l", "1", "2", "3"}) == Reply::Int(3));
  CHECK(f.cmd({"RPOP", "l", "2"}) == Reply::StrArr({"3", "2"}));  // tail first
  // A missing key: nil without a count, a null array with one (even 0).
  CHECK(raw(r, {"LPOP", "nokey"}) == "$-1\r\n");
  CHECK(raw(r, {"LPOP", "nokey", "1"}) == "*-1\r\n");
  CHECK(raw(r, {"RPOP", "nokey", "0"}) == "*-1\r\n");
  CHECK(raw(r, {"HELLO", "3"}).substr(0, 1) == "%");
  CHECK(raw(r, {"LPOP", "nokey", "1"}) == "_\r\n");
  CHECK(raw(r, {"LPOP", "nokey"}) == "_\r\n");
  // The count is checked before the key.
  CHECK(f.cmd({"LPOP", "nokey", "-1"}) == kPositive);
  CHECK(f.cmd({"LPOP", "nokey", "x"}) == kPositive);
  CHECK(f.cmd({"LPOP", "l", "1", "2"}) ==
        Reply::Err("ERR wrong number of arguments for 'lpop' command"));
  CHECK(f.cmd({"SET", "s", "v"}).is_ok());
  CHECK(f.cmd({"RPOP", "s"}) == kWrongType);
  CHECK(f.cmd({"RPOP", "s", "0"}) == kWrongType);
}

TEST_CASE("LLEN, LINDEX, LSET") {
  Fixture f;
  CHECK(f.cmd({"RPUSH", "l", "a", "b", "c"}) == Reply::Int(3));
  CHECK(f.cmd({"LLEN", "l"}) == Reply::Int(3));
  CHECK(f.cmd({"LLEN", "nokey"}) == Reply::Int(0));
  CHECK(f.cmd({"LINDEX", "l", "0"}) == Reply::Str("a"));
  CHECK(f.cmd({"LINDEX", "l", "-1"}) == Reply::Str("c"));
  CHECK(f.cmd({"LINDEX", "l", "-3"}) == Reply::Str("a"));
  CHECK(f.cmd({"LINDEX", "l", "3"}).is_nil());
  CHECK(f.cmd({"LINDEX", "l", "-4"}).is_nil());
  CHECK(f.cmd({"LINDEX", "l", "x"}) == kNotInt);
  CHECK(f.cmd({"LINDEX", "nokey", "x"}).is_nil());  // the key is looked at first
  CHECK(f.cmd({"LSET", "l", "1", "B"}).is_ok());
  CHECK(f.cmd({"LSET", "l", "-1", "C"}).is_ok());
  CHECK(range(f, "l") == Reply::StrArr({"a", "B", "C"}));
  CHECK(f.cmd({"LSET", "l", "3", "x"}) == Reply::Err("ERR index out of range"));
  CHECK(f.cmd({"LSET", "l", "x", "x"}) == kNotInt);
  CHECK(f.cmd({"LSET", "nokey", "x", "x"}) == Reply::Err("ERR no such key"));
  CHECK(f.cmd({"SET", "s", "v"}).is_ok());
  CHECK(f.cmd({"LLEN", "s"}) == kWrongType);
  CHECK(f.cmd({"LINDEX", "s", "x"}) == kWrongType);
  CHECK(f.cmd({"LSET", "s", "x", "x"}) == kWrongType);
}

TEST_CASE("LRANGE and LTRIM clamp their ranges as Redis does") {
  Fixture f;
  CHECK(f.cmd({"RPUSH", "l", "0", "1", "2", "3", "4", "5"}) == Reply::Int(6));
  CHECK(f.cmd({"LRANGE", "l", "1", "2"}) == Reply::StrArr({"1", "2"}));
  CHECK(f.cmd({"LRANGE", "l", "-2", "-1"}) == Reply::StrArr({"4", "5"}));
  CHECK(f.cmd({"LRANGE", "l", "-100", "1"}) == Reply::StrArr({"0", "1"}));
  CHECK(f.cmd({"LRANGE", "l", "4", "100"}) == Reply::StrArr({"4", "5"}));
  CHECK(f.cmd({"LRANGE", "l", "3", "2"}) == kEmpty);
  CHECK(f.cmd({"LRANGE", "l", "6", "10"}) == kEmpty);
  CHECK(f.cmd({"LRANGE", "nokey", "0", "-1"}) == kEmpty);
  CHECK(f.cmd({"LRANGE", "nokey", "x", "1"}) == kNotInt);  // indexes before the key
  CHECK(f.cmd({"LTRIM", "l", "1", "-2"}).is_ok());
  CHECK(range(f, "l") == Reply::StrArr({"1", "2", "3", "4"}));
  CHECK(f.cmd({"LTRIM", "l", "-2", "100"}).is_ok());
  CHECK(range(f, "l") == Reply::StrArr({"3", "4"}));
  CHECK(f.cmd({"LTRIM", "l", "1", "0"}).is_ok());
  CHECK(f.cmd({"EXISTS", "l"}) == Reply::Int(0));
  CHECK(f.cmd({"LTRIM", "nokey", "0", "1"}).is_ok());
  CHECK(f.cmd({"LTRIM", "nokey", "0", "y"}) == kNotInt);
  CHECK(f.cmd({"SET", "s", "v"}).is_ok());
  CHECK(f.cmd({"LRANGE", "s", "0", "1"}) == kWrongType);
  CHECK(f.cmd({"LTRIM", "s", "0", "1"}) == kWrongType);
}

TEST_CASE("LREM and LINSERT") {
  Fixture f;
  CHECK(f.cmd({"RPUSH", "l", "a", "b", "a", "c", "a", "b", "a"}) == Reply::Int(7));
  CHECK(f.cmd({"LREM", "l", "2", "a"}) == Reply::Int(2));
  CHECK(range(f, "l") == Reply::StrArr({"b", "c", "a", "b", "a"}));
  CHECK(f.cmd({"LREM", "l", "-1", "b"}) == Reply::Int(1));
  CHECK(range(f, "l") == Reply::StrArr({"b", "c", "a", "a"}));
  CHECK(f.cmd({"LREM", "l", "0", "a"}) == Reply::Int(2));
  CHECK(f.cmd({"LREM", "l", "0", "zz"}) == Reply::Int(0));
  CHECK(f.cmd({"LREM", "nokey", "0", "a"}) == Reply::Int(0));
  CHECK(f.cmd({"LREM", "l", "x", "a"}) == kNotInt);
  CHECK(f.cmd({"LINSERT", "l", "BEFORE", "c", "X"}) == Reply::Int(3));
  CHECK(f.cmd({"LINSERT", "l", "after", "c", "Y"}) == Reply::Int(4));
  CHECK(range(f, "l") == Reply::StrArr({"b", "X", "c", "Y"}));
  CHECK(f.cmd({"LINSERT", "l", "AFTER", "zz", "Y"}) == Reply::Int(-1));
  CHECK(f.cmd({"LINSERT", "nokey", "AFTER", "zz", "Y"}) == Reply::Int(0));
  CHECK(f.cmd({"LINSERT", "nokey", "MIDDLE", "zz", "Y"}) == kSyntax);
  CHECK(f.cmd({"LREM", "l", "0", "b"}) == Reply::Int(1));
  CHECK(f.cmd({"LREM", "l", "0", "X"}) == Reply::Int(1));
  CHECK(f.cmd({"LREM", "l", "0", "c"}) == Reply::Int(1));
  CHECK(f.cmd({"LREM", "l", "0", "Y"}) == Reply::Int(1));
  CHECK(f.cmd({"EXISTS", "l"}) == Reply::Int(0));
  CHECK(f.cmd({"SET", "s", "v"}).is_ok());
  CHECK(f.cmd({"LREM", "s", "0", "a"}) == kWrongType);
  CHECK(f.cmd({"LINSERT", "s", "BEFORE", "a", "b"}) == kWrongType);
}

TEST_CASE("LPOS: RANK, COUNT, MAXLEN and their errors") {
  Fixture f;
  CHECK(f.cmd({"RPUSH", "l", "a", "b", "a", "c", "a", "a"}) == Reply::Int(6));
  CHECK(f.cmd({"LPOS", "l", "a"}) == Reply::Int(0));
  CHECK(f.cmd({"LPOS", "l", "c"}) == Reply::Int(3));
  CHECK(f.cmd({"LPOS", "l", "zz"}).is_nil());
  CHECK(f.cmd({"LPOS", "l", "a", "RANK", "2"}) == Reply::Int(2));
  CHECK(f.cmd({"LPOS", "l", "a", "RANK", "-1"}) == Reply::Int(5));
  CHECK(f.cmd({"LPOS", "l", "a", "RANK", "-9223372036854775808"}) == Reply::Int(5));
  CHECK(f.cmd({"LPOS", "l", "a", "COUNT", "0"}) ==
        Reply::Arr({Reply::Int(0), Reply::Int(2), Reply::Int(4), Reply::Int(5)}));
  CHECK(f.cmd({"LPOS", "l", "a", "COUNT", "2", "RANK", "-2"}) ==
        Reply::Arr({Reply::Int(4), Reply::Int(2)}));
  CHECK(f.cmd({"LPOS", "l", "a", "RANK", "2", "COUNT", "2", "MAXLEN", "3"}) ==
        Reply::Arr({Reply::Int(2)}));
  CHECK(f.cmd({"LPOS", "l", "a", "RANK", "2", "MAXLEN", "2"}).is_nil());
  CHECK(f.cmd({"LPOS", "l", "zz", "COUNT", "1"}) == kEmpty);
  CHECK(f.cmd({"LPOS", "nokey", "a"}).is_nil());
  CHECK(f.cmd({"LPOS", "nokey", "a", "COUNT", "0"}) == kEmpty);
  CHECK(f.cmd({"LPOS", "l", "a", "RANK", "0"}) ==
        Reply::Err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
                   "second ... or use negative to start from the end of the list"));
  CHECK(f.cmd({"LPOS", "l", "a", "RANK", "x"}) == kNotInt);
  CHECK(f.cmd({"LPOS", "l", "a", "COUNT", "-1"}) == Reply::Err("ERR COUNT can't be negative"));
  CHECK(f.cmd({"LPOS", "l", "a", "COUNT", "x"}) == Reply::Err("ERR COUNT can't be negative"));
  CHECK(f.cmd({"LPOS", "l", "a", "MAXLEN", "-1"}) == Reply::Err("ERR MAXLEN can't be negative"));
  CHECK(f.cmd({"LPOS", "l", "a", "RANK"}) == kSyntax);
  CHECK(f.cmd({"LPOS", "nokey", "a", "FOO", "1"}) == kSyntax);  // options before the key
  CHECK(f.cmd({"SET", "s", "v"}).is_ok());
  CHECK(f.cmd({"LPOS", "s", "a"}) == kWrongType);
}

TEST_CASE("LMOVE and RPOPLPUSH") {
  Fixture f;
  CHECK(f.cmd({"RPUSH", "src", "1", "2", "3"}) == Reply::Int(3));
  CHECK(f.cmd({"LMOVE", "src", "dst", "LEFT", "RIGHT"}) == Reply::Str("1"));
  CHECK(f.cmd({"LMOVE", "src", "dst", "RIGHT", "LEFT"}) == Reply::Str("3"));
  CHECK(range(f, "dst") == Reply::StrArr({"3", "1"}));
  CHECK(f.cmd({"LMOVE", "dst", "dst", "LEFT", "RIGHT"}) == Reply::Str("3"));  // rotation
  CHECK(range(f, "dst") == Reply::StrArr({"1", "3"}));
  CHECK(f.cmd({"LMOVE", "dst", "dst", "RIGHT", "RIGHT"}) == Reply::Str("3"));
  CHECK(range(f, "dst") == Reply::StrArr({"1", "3"}));
  CHECK(f.cmd({"RPOPLPUSH", "src", "dst"}) == Reply::Str("2"));
  CHECK(f.cmd({"EXISTS", "src"}) == Reply::Int(0));
  CHECK(range(f, "dst") == Reply::StrArr({"2", "1", "3"}));
  CHECK(f.cmd({"RPOPLPUSH", "src", "dst"}).is_nil());
  CHECK(f.cmd({"LMOVE", "src", "dst", "LEFT", "LEFT"}).is_nil());
  CHECK(f.cmd({"LMOVE", "src", "dst", "LEFT", "UP"}) == kSyntax);
  CHECK(f.cmd({"LMOVE", "src", "dst", "DOWN", "LEFT"}) == kSyntax);
  CHECK(f.cmd({"SET", "s", "v"}).is_ok());
  CHECK(f.cmd({"LMOVE", "s", "dst", "LEFT", "LEFT"}) == kWrongType);
  CHECK(f.cmd({"LMOVE", "dst", "s", "LEFT", "LEFT"}) == kWrongType);
  CHECK(range(f, "dst") == Reply::StrArr({"2", "1", "3"}));  // nothing moved
  CHECK(f.cmd({"LMOVE", "nokey", "s", "LEFT", "LEFT"}).is_nil());
  CHECK(f.cmd({"RPOPLPUSH", "dst", "s"}) == kWrongType);
}

TEST_CASE("LMPOP: the first non-empty key, counts and errors") {
  Fixture f;
  RawConnection r(f.server.port());
  CHECK(f.cmd({"RPUSH", "b", "1", "2", "3"}) == Reply::Int(3));
  CHECK(f.cmd({"LMPOP", "2", "a", "b", "LEFT"}) ==
        Reply::Arr({Reply::Str("b"), Reply::StrArr({"1"})}));
  CHECK(f.cmd({"LMPOP", "2", "a", "b", "RIGHT", "COUNT", "5"}) ==
        Reply::Arr({Reply::Str("b"), Reply::StrArr({"3", "2"})}));
  CHECK(f.cmd({"EXISTS", "b"}) == Reply::Int(0));
  CHECK(raw(r, {"LMPOP", "2", "a", "b", "LEFT"}) == "*-1\r\n");
  CHECK(f.cmd({"LMPOP", "0", "a", "LEFT"}) == Reply::Err("ERR numkeys should be greater than 0"));
  CHECK(f.cmd({"LMPOP", "x", "a", "LEFT"}) == Reply::Err("ERR numkeys should be greater than 0"));
  CHECK(f.cmd({"LMPOP", "2", "a", "LEFT"}) == kSyntax);
  CHECK(f.cmd({"LMPOP", "1", "a", "MIDDLE"}) == kSyntax);
  CHECK(f.cmd({"LMPOP", "1", "a", "LEFT", "COUNT", "0"}) ==
        Reply::Err("ERR count should be greater than 0"));
  CHECK(f.cmd({"LMPOP", "1", "a", "LEFT", "COUNT", "1", "COUNT", "1"}) == kSyntax);
  CHECK(f.cmd({"LMPOP", "1", "a", "LEFT", "COUNT"}) == kSyntax);
  CHECK(f.cmd({"SET", "s", "v"}).is_ok());
  CHECK(f.cmd({"RPUSH", "l", "x"}) == Reply::Int(1));
  CHECK(f.cmd({"LMPOP", "2", "s", "l", "LEFT"}) == kWrongType);
  CHECK(f.cmd({"LMPOP", "2", "l", "s", "LEFT"}) ==
        Reply::Arr({Reply::Str("l"), Reply::StrArr({"x"})}));
}

TEST_CASE("long lists over many small nodes, and elements larger than a node") {
  Fixture f;
  CHECK(f.cmd({"CONFIG", "SET", "list-max-listpack-size", "3"}).is_ok());
  std::vector<std::string> push = {"RPUSH", "l"};
  std::vector<Reply> model;
  for (int i = 0; i < 100; i++) {
    push.push_back(std::to_string(i));
    model.push_back(Reply::Str(std::to_string(i)));
  }
  CHECK(f.cmd(push) == Reply::Int(100));
  CHECK(range(f, "l") == Reply::Arr(model));
  CHECK(f.cmd({"LRANGE", "l", "47", "52"}) == Reply::StrArr({"47", "48", "49", "50", "51", "52"}));
  CHECK(f.cmd({"LINDEX", "l", "61"}) == Reply::Str("61"));
  CHECK(f.cmd({"LINDEX", "l", "-61"}) == Reply::Str("39"));
  CHECK(f.cmd({"LINSERT", "l", "BEFORE", "50", "x"}) == Reply::Int(101));
  CHECK(f.cmd({"LINDEX", "l", "50"}) == Reply::Str("x"));
  CHECK(f.cmd({"LINDEX", "l", "51"}) == Reply::Str("50"));
  CHECK(f.cmd({"LREM", "l", "0", "x"}) == Reply::Int(1));
  CHECK(f.cmd({"OBJECT", "ENCODING", "l"}) == Reply::Str("quicklist"));
  // Elements of 100 KB among small ones, byte-capped nodes.
  CHECK(f.cmd({"CONFIG", "SET", "list-max-listpack-size", "-1"}).is_ok());
  std::string big(100000, 'B');
  CHECK(f.cmd({"LSET", "l", "10", big}).is_ok());
  CHECK(f.cmd({"LPUSH", "l", big}) == Reply::Int(101));
  CHECK(f.cmd({"RPUSH", "l", big, "tail"}) == Reply::Int(103));
  CHECK(f.cmd({"LINDEX", "l", "11"}) == Reply::Str(big));
  CHECK(f.cmd({"LINDEX", "l", "12"}) == Reply::Str("11"));
  CHECK(f.cmd({"LPOP", "l"}) == Reply::Str(big));
  CHECK(f.cmd({"RPOP", "l", "2"}) == Reply::Arr({Reply::Str("tail"), Reply::Str(big)}));
  CHECK(f.cmd({"LTRIM", "l", "5", "-6"}).is_ok());
  CHECK(f.cmd({"LLEN", "l"}) == Reply::Int(90));
  CHECK(f.cmd({"LINDEX", "l", "0"}) == Reply::Str("5"));
  CHECK(f.cmd({"LINDEX", "l", "-1"}) == Reply::Str("94"));
  CHECK(f.cmd({"LREM", "l", "0", big}) == Reply::Int(1));
  CHECK(f.cmd({"LLEN", "l"}) == Reply::Int(89));
  // COPY keeps an independent list.
  CHECK(f.cmd({"COPY", "l", "l2"}) == Reply::Int(1));
  CHECK(f.cmd({"RPOP", "l2"}) == Reply::Str("94"));
  CHECK(f.cmd({"LINDEX", "l", "-1"}) == Reply::Str("94"));
}

TEST_CASE("BLPOP and BRPOP: served at once, from the first non-empty key") {
  Fixture f;
  RawConnection r(f.server.port());
  CHECK(f.cmd({"RPUSH", "b", "1", "2"}) == Reply::Int(2));
  CHECK(f.cmd({"RPUSH", "c", "3"}) == Reply::Int(1));
  CHECK(f.cmd({"BLPOP", "a", "b", "c", "0"}) == Reply::StrArr({"b", "1"}));
  CHECK(f.cmd({"BRPOP", "a", "c", "b", "0"}) == Reply::StrArr({"c", "3"}));
  CHECK(f.cmd({"BRPOP", "b", "1"}) == Reply::StrArr({"b", "2"}));
  CHECK(f.cmd({"EXISTS", "b", "c"}) == Reply::Int(0));
  CHECK(f.cmd({"SET", "s", "v"}).is_ok());
  CHECK(f.cmd({"BLPOP", "a", "s", "0"}) == kWrongType);
  CHECK(f.cmd({"BLPOP", "a", "x"}) == Reply::Err("ERR timeout is not a float or out of range"));
  CHECK(f.cmd({"BLPOP", "a", "-1"}) == Reply::Err("ERR timeout is negative"));
  CHECK(f.cmd({"BLPOP", "s", "x"}) ==
        Reply::Err("ERR timeout is not a float or out of range"));  // before the keys
  CHECK(raw(r, {"BLPOP", "a", "0.01"}) == "*-1\r\n");
  CHECK(raw(r, {"BRPOP", "a", "b", "0.01"}) == "*-1\r\n");
}

TEST_CASE("BLPOP blocks until another client pushes, then takes the element") {
  Fixture f(workers(2));
  RawConnection waiter(f.server.port());
  REQUIRE(waiter.send(resp({"BLPOP", "k1", "k2", "0"})));
  REQUIRE(wait_blocked(f, 1));
  CHECK(f.cmd({"RPUSH", "k2", "a", "b"}) == Reply::Int(2));
  CHECK(waiter.read_reply() == "*2\r\n" + bulk("k2") + bulk("a"));
  CHECK(range(f, "k2") == Reply::StrArr({"b"}));
  CHECK(blocked_clients(f) == 0);

  // BRPOP takes from the tail; LMOVE into the key wakes it too.
  REQUIRE(waiter.send(resp({"BRPOP", "q", "0"})));
  REQUIRE(wait_blocked(f, 1));
  CHECK(f.cmd({"LMOVE", "k2", "q", "LEFT", "RIGHT"}) == Reply::Str("b"));
  CHECK(waiter.read_reply() == "*2\r\n" + bulk("q") + bulk("b"));
  CHECK(f.cmd({"EXISTS", "q", "k2"}) == Reply::Int(0));

  // A key that turned into another type meanwhile is passed over, as in Redis.
  REQUIRE(waiter.send(resp({"BLPOP", "x", "y", "0"})));
  REQUIRE(wait_blocked(f, 1));
  CHECK(f.cmd({"SET", "x", "str"}).is_ok());
  CHECK(f.cmd({"LPUSH", "y", "v"}) == Reply::Int(1));
  CHECK(waiter.read_reply() == "*2\r\n" + bulk("y") + bulk("v"));
}

TEST_CASE("BLPOP from a second client on another thread") {
  Fixture f(workers(2));
  Reply got;
  std::thread t([&] {
    Client c2(f.server.port());
    got = c2.cmd({"BRPOP", "jobs", "10"});
  });
  REQUIRE(wait_blocked(f, 1));
  CHECK(f.cmd({"LPUSH", "jobs", "j1", "j2"}) == Reply::Int(2));
  t.join();
  CHECK(got == Reply::StrArr({"jobs", "j1"}));
  CHECK(range(f, "jobs") == Reply::StrArr({"j2"}));
}

TEST_CASE("blocking timeouts reply a null array, in RESP2 and RESP3") {
  Fixture f(workers(2));
  RawConnection r(f.server.port());
  CHECK(raw(r, {"BLPOP", "none", "0.02"}) == "*-1\r\n");
  CHECK(raw(r, {"BLMOVE", "none", "d", "LEFT", "LEFT", "0.02"}) == "*-1\r\n");
  CHECK(raw(r, {"BRPOPLPUSH", "none", "d", "0.02"}) == "*-1\r\n");
  CHECK(raw(r, {"BLMPOP", "0.02", "1", "none", "LEFT"}) == "*-1\r\n");
  CHECK(raw(r, {"HELLO", "3"}).substr(0, 1) == "%");
  CHECK(raw(r, {"BRPOP", "none", "0.02"}) == "_\r\n");
  CHECK(raw(r, {"BLMOVE", "none", "d", "LEFT", "LEFT", "0.02"}) == "_\r\n");
  CHECK(f.cmd({"EXISTS", "d"}) == Reply::Int(0));
  CHECK(blocked_clients(f) == 0);
}

TEST_CASE("BLMOVE and BRPOPLPUSH: at once, after blocking, and their errors") {
  Fixture f(workers(2));
  CHECK(f.cmd({"RPUSH", "src", "1", "2"}) == Reply::Int(2));
  CHECK(f.cmd({"BLMOVE", "src", "dst", "RIGHT", "LEFT", "0"}) == Reply::Str("2"));
  CHECK(f.cmd({"BRPOPLPUSH", "src", "dst", "0"}) == Reply::Str("1"));
  CHECK(range(f, "dst") == Reply::StrArr({"1", "2"}));
  CHECK(f.cmd({"EXISTS", "src"}) == Reply::Int(0));

  RawConnection waiter(f.server.port());
  REQUIRE(waiter.send(resp({"BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"})));
  REQUIRE(wait_blocked(f, 1));
  CHECK(f.cmd({"RPUSH", "src", "x", "y"}) == Reply::Int(2));
  CHECK(waiter.read_reply() == bulk("x"));
  CHECK(range(f, "dst") == Reply::StrArr({"1", "2", "x"}));
  CHECK(range(f, "src") == Reply::StrArr({"y"}));
  CHECK(f.cmd({"DEL", "src"}) == Reply::Int(1));

  REQUIRE(waiter.send(resp({"BRPOPLPUSH", "src", "dst", "0"})));
  REQUIRE(wait_blocked(f, 1));
  CHECK(f.cmd({"LPUSH", "src", "p", "q"}) == Reply::Int(2));
  CHECK(waiter.read_reply() == bulk("p"));
  CHECK(f.cmd({"LINDEX", "dst", "0"}) == Reply::Str("p"));
  CHECK(f.cmd({"DEL", "src"}) == Reply::Int(1));

  // The destination turned into a string while waiting: WRONGTYPE, and the element stays.
  REQUIRE(waiter.send(resp({"BLMOVE", "src", "str", "LEFT", "LEFT", "0"})));
  REQUIRE(wait_blocked(f, 1));
  CHECK(f.cmd({"SET", "str", "v"}).is_ok());
  CHECK(f.cmd({"RPUSH", "src", "e"}) == Reply::Int(1));
  CHECK(waiter.read_reply() ==
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  CHECK(range(f, "src") == Reply::StrArr({"e"}));

  CHECK(f.cmd({"BLMOVE", "src", "dst", "UP", "LEFT", "x"}) == kSyntax);
  CHECK(f.cmd({"BLMOVE", "src", "dst", "LEFT", "LEFT", "x"}) ==
        Reply::Err("ERR timeout is not a float or out of range"));
  CHECK(f.cmd({"BRPOPLPUSH", "str", "dst", "x"}) ==
        Reply::Err("ERR timeout is not a float or out of range"));
  CHECK(f.cmd({"BRPOPLPUSH", "str", "dst", "0"}) == kWrongType);
  CHECK(f.cmd({"BLMOVE", "src", "str", "LEFT", "LEFT", "0"}) == kWrongType);
}

TEST_CASE("BLMPOP: at once, after blocking, and which error wins") {
  Fixture f(workers(2));
  CHECK(f.cmd({"RPUSH", "b", "1", "2", "3"}) == Reply::Int(3));
  CHECK(f.cmd({"BLMPOP", "0", "2", "a", "b", "RIGHT", "COUNT", "2"}) ==
        Reply::Arr({Reply::Str("b"), Reply::StrArr({"3", "2"})}));
  CHECK(f.cmd({"BLMPOP", "0", "2", "a", "b", "LEFT"}) ==
        Reply::Arr({Reply::Str("b"), Reply::StrArr({"1"})}));

  RawConnection waiter(f.server.port());
  REQUIRE(waiter.send(resp({"BLMPOP", "0", "2", "a", "b", "LEFT", "COUNT", "2"})));
  REQUIRE(wait_blocked(f, 1));
  CHECK(f.cmd({"RPUSH", "a", "x", "y", "z"}) == Reply::Int(3));
  CHECK(waiter.read_reply() == "*2\r\n" + bulk("a") + "*2\r\n" + bulk("x") + bulk("y"));
  CHECK(range(f, "a") == Reply::StrArr({"z"}));

  // numkeys, the direction and COUNT are checked before the timeout.
  CHECK(f.cmd({"BLMPOP", "x", "0", "a", "LEFT"}) ==
        Reply::Err("ERR numkeys should be greater than 0"));
  CHECK(f.cmd({"BLMPOP", "x", "1", "a", "MIDDLE"}) == kSyntax);
  CHECK(f.cmd({"BLMPOP", "x", "1", "a", "LEFT", "COUNT", "0"}) ==
        Reply::Err("ERR count should be greater than 0"));
  CHECK(f.cmd({"BLMPOP", "x", "1", "a", "LEFT"}) ==
        Reply::Err("ERR timeout is not a float or out of range"));
  CHECK(f.cmd({"BLMPOP", "-1", "1", "a", "LEFT"}) == Reply::Err("ERR timeout is negative"));
  CHECK(f.cmd({"SET", "s", "v"}).is_ok());
  CHECK(f.cmd({"BLMPOP", "0", "2", "s", "a", "LEFT"}) == kWrongType);
}

TEST_CASE("RESP3 shapes of the pops") {
  Fixture f;
  RawConnection r(f.server.port());
  CHECK(raw(r, {"HELLO", "3"}).substr(0, 1) == "%");
  CHECK(raw(r, {"RPUSH", "l", "a", "b", "c"}) == ":3\r\n");
  CHECK(raw(r, {"BLPOP", "l", "0"}) == "*2\r\n" + bulk("l") + bulk("a"));
  CHECK(raw(r, {"LMPOP", "1", "l", "LEFT"}) == "*2\r\n" + bulk("l") + "*1\r\n" + bulk("b"));
  CHECK(raw(r, {"LMPOP", "1", "nokey", "LEFT"}) == "_\r\n");
  CHECK(raw(r, {"LPOS", "l", "zz"}) == "_\r\n");
  CHECK(raw(r, {"LINDEX", "l", "5"}) == "_\r\n");
  CHECK(raw(r, {"RPOPLPUSH", "nokey", "l"}) == "_\r\n");
}
