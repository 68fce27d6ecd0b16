// String commands beyond Redis 7.0 against the real server: MSETEX (Redis 8.4: MSET with one TTL
// for every key, NX/XX over the whole group, atomic like MSET) and SET ... IFEQ (Valkey 8.1: set
// only when the current value equals the given one). No sleeps: TTLs are absolute times read back
// exactly, or relative ones checked against their bound.
#include <string>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {
constexpr long long kFarMs = 4102444800000;  // 2100-01-01
const std::string kFar = std::to_string(kFarMs);
}  // namespace

TEST_CASE("MSETEX sets every key with one TTL, NX and XX over the whole group") {
  Fixture f;
  CHECK(f.cmd({"MSETEX", "2", "a", "1", "b", "2", "PXAT", kFar}) == Reply::Int(1));
  CHECK(f.cmd({"MGET", "a", "b"}) == Reply::StrArr({"1", "2"}));
  CHECK(f.cmd({"PEXPIRETIME", "a"}) == Reply::Int(kFarMs));
  CHECK(f.cmd({"PEXPIRETIME", "b"}) == Reply::Int(kFarMs));
  CHECK(f.cmd({"MSETEX", "2", "b", "x", "c", "y", "NX", "EX", "100"}) == Reply::Int(0));
  CHECK(f.cmd({"EXISTS", "c"}) == Reply::Int(0));
  CHECK(f.cmd({"GET", "b"}) == Reply::Str("2"));
  CHECK(f.cmd({"MSETEX", "2", "c", "x", "d", "y", "NX", "EX", "100"}) == Reply::Int(1));
  long long ttl = f.cmd({"TTL", "c"}).integer;
  CHECK((ttl > 0 && ttl <= 100));
  CHECK(f.cmd({"MSETEX", "2", "a", "3", "zz", "4", "XX"}) == Reply::Int(0));
  CHECK(f.cmd({"EXISTS", "zz"}) == Reply::Int(0));
  CHECK(f.cmd({"MSETEX", "2", "a", "3", "b", "4", "XX", "KEEPTTL"}) == Reply::Int(1));
  CHECK(f.cmd({"MGET", "a", "b"}) == Reply::StrArr({"3", "4"}));
  CHECK(f.cmd({"PEXPIRETIME", "a"}) == Reply::Int(kFarMs));
  CHECK(f.cmd({"MSETEX", "1", "a", "5"}) == Reply::Int(1));  // no option: the TTL goes, as MSET
  CHECK(f.cmd({"TTL", "a"}) == Reply::Int(-1));
  CHECK(f.cmd({"MSETEX", "1", "old", "v", "PXAT", "1"}) == Reply::Int(1));  // already past
  CHECK(f.cmd({"EXISTS", "old"}) == Reply::Int(0));
  // A key over another type is replaced, as MSET does.
  REQUIRE(f.cmd({"HSET", "h", "f", "v"}) == Reply::Int(1));
  CHECK(f.cmd({"MSETEX", "1", "h", "s"}) == Reply::Int(1));
  CHECK(f.cmd({"GET", "h"}) == Reply::Str("s"));
}

TEST_CASE("MSETEX errors and MULTI") {
  Fixture f;
  CHECK(f.cmd({"MSETEX", "0", "a", "1"}) == Reply::Err("ERR invalid numkeys value"));
  CHECK(f.cmd({"MSETEX", "x", "a", "1"}) == Reply::Err("ERR invalid numkeys value"));
  CHECK(f.cmd({"MSETEX", "2", "a", "1"}) ==
        Reply::Err("ERR wrong number of arguments for 'msetex' command"));
  CHECK(f.cmd({"MSETEX", "1", "a", "1", "NX", "XX"}) == Reply::Err("ERR syntax error"));
  CHECK(f.cmd({"MSETEX", "1", "a", "1", "EX", "10", "PX", "10"}) == Reply::Err("ERR syntax error"));
  CHECK(f.cmd({"MSETEX", "1", "a", "1", "GET"}) == Reply::Err("ERR syntax error"));
  CHECK(f.cmd({"MSETEX", "1", "a", "1", "EX", "0"}) ==
        Reply::Err("ERR invalid expire time in 'msetex' command"));
  CHECK(f.cmd({"MSETEX", "1", "a", "1", "EX", "z"}) ==
        Reply::Err("ERR value is not an integer or out of range"));
  CHECK(f.cmd({"EXISTS", "a"}) == Reply::Int(0));
  REQUIRE(f.cmd({"MULTI"}) == OK());
  CHECK(f.cmd({"MSETEX", "2", "a", "1", "b", "2", "PXAT", kFar}) == Reply::Status("QUEUED"));
  CHECK(f.cmd({"EXEC"}) == Reply::Arr({Reply::Int(1)}));
  CHECK(f.cmd({"PEXPIRETIME", "b"}) == Reply::Int(kFarMs));
}

TEST_CASE("SET IFEQ sets only over an equal value") {
  Fixture f;
  CHECK(f.cmd({"SET", "k", "v2", "IFEQ", "v1"}).is_nil());  // missing: never created
  CHECK(f.cmd({"EXISTS", "k"}) == Reply::Int(0));
  REQUIRE(f.cmd({"SET", "k", "v1"}) == OK());
  CHECK(f.cmd({"SET", "k", "v2", "IFEQ", "other"}).is_nil());
  CHECK(f.cmd({"GET", "k"}) == Reply::Str("v1"));
  CHECK(f.cmd({"SET", "k", "v2", "IFEQ", "v1"}) == OK());
  CHECK(f.cmd({"GET", "k"}) == Reply::Str("v2"));
  // GET returns the old value whether or not the set happened.
  CHECK(f.cmd({"SET", "k", "v3", "IFEQ", "nope", "GET"}) == Reply::Str("v2"));
  CHECK(f.cmd({"GET", "k"}) == Reply::Str("v2"));
  CHECK(f.cmd({"SET", "k", "v3", "IFEQ", "v2", "GET", "PXAT", kFar}) == Reply::Str("v2"));
  CHECK(f.cmd({"GET", "k"}) == Reply::Str("v3"));
  CHECK(f.cmd({"PEXPIRETIME", "k"}) == Reply::Int(kFarMs));
  CHECK(f.cmd({"SET", "nokey", "x", "IFEQ", "y", "GET"}).is_nil());
  // Integer-encoded values compare by their text.
  REQUIRE(f.cmd({"SET", "n", "42"}) == OK());
  CHECK(f.cmd({"SET", "n", "43", "IFEQ", "42"}) == OK());
  CHECK(f.cmd({"GET", "n"}) == Reply::Str("43"));
  // Another type is an error, with or without GET; NX/XX with IFEQ are a syntax error.
  REQUIRE(f.cmd({"HSET", "h", "f", "v"}) == Reply::Int(1));
  const Reply wrongtype =
      Reply::Err("WRONGTYPE Operation against a key holding the wrong kind of value");
  CHECK(f.cmd({"SET", "h", "x", "IFEQ", "v"}) == wrongtype);
  CHECK(f.cmd({"SET", "h", "x", "IFEQ", "v", "GET"}) == wrongtype);
  CHECK(f.cmd({"SET", "k", "x", "IFEQ", "v3", "NX"}) == Reply::Err("ERR syntax error"));
  CHECK(f.cmd({"SET", "k", "x", "XX", "IFEQ", "v3"}) == Reply::Err("ERR syntax error"));
  CHECK(f.cmd({"SET", "k", "x", "IFEQ"}) == Reply::Err("ERR syntax error"));
  CHECK(f.cmd({"GET", "k"}) == Reply::Str("v3"));
}
