// Integration tests of the hash commands against the real server: replies and error texts as Redis
// 7.0 sends them (missing keys, WRONGTYPE, arity, the order in which argument errors win), the
// listpack -> hashtable conversion exactly at both limits (also after CONFIG SET), insertion order
// of small hashes, HINCRBY/HINCRBYFLOAT arithmetic and errors, HRANDFIELD in RESP2 and RESP3,
// HSCAN over both encodings, the generic key commands on hashes (COPY, RENAME, EXPIRE, TYPE), and
// the dataset byte count going up and back down with the hash. Every case passes against
// /usr/bin/redis-server too (RESPITE_SERVER_BIN), except the respite-only memory check.
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

// A connection in RESP3 that returns raw reply bytes.
struct Resp3 {
  explicit Resp3(int port) : raw(port) {
    REQUIRE(raw.send(resp({"HELLO", "3"})));
    REQUIRE(!raw.read_reply().empty());
  }
  std::string cmd(const std::vector<std::string>& args) {
    REQUIRE(raw.send(resp(args)));
    return raw.read_reply();
  }
  RawConnection raw;
};

std::string encoding(Fixture& f, const std::string& key) {
  return f.cmd({"OBJECT", "ENCODING", key}).str;
}

std::string field(int i) {
  std::string f = "f";
  return f.append(std::to_string(i));
}

// HSET key f0 v f1 v ... f(n-1) v
void fill(Fixture& f, const std::string& key, int n, const std::string& value = "v") {
  std::vector<std::string> args = {"HSET", key};
  for (int i = 0; i < n; i++) {
    args.push_back(field(i));
    args.push_back(value);
  }
  REQUIRE(f.cmd(args) == Reply::Int(n));
}

// The limits as redis.conf (and respite's default) set them. A redis-server started without a
// config file uses its compiled-in hash-max-listpack-entries of 512, so tests of where conversion
// happens say which limits they mean.
ServerOptions conf_limits() {
  return ServerOptions()
      .set("hash-max-listpack-entries", "128")
      .set("hash-max-listpack-value", "64");
}

const Reply kWrongType =
    Reply::Err("WRONGTYPE Operation against a key holding the wrong kind of value");

}  // namespace

TEST_CASE("hashes: HSET, HGET, HMGET, HLEN, HEXISTS, HSTRLEN, HDEL") {
  Fixture f(conf_limits());
  CHECK(f.cmd({"HSET", "h", "a", "1", "b", "two"}) == Reply::Int(2));
  CHECK(f.cmd({"HSET", "h", "a", "one", "c", "3"}) == Reply::Int(1));  // a updated, c added
  CHECK(f.cmd({"HGET", "h", "a"}) == Reply::Str("one"));
  CHECK(f.cmd({"HGET", "h", "zz"}) == Reply::Nil());
  CHECK(f.cmd({"HGET", "nokey", "a"}) == Reply::Nil());
  CHECK(f.cmd({"HMGET", "h", "a", "zz", "c"}) ==
        Reply::Arr({Reply::Str("one"), Reply::Nil(), Reply::Str("3")}));
  CHECK(f.cmd({"HMGET", "nokey", "a", "b"}) == Reply::Arr({Reply::Nil(), Reply::Nil()}));
  CHECK(f.cmd({"HLEN", "h"}) == Reply::Int(3));
  CHECK(f.cmd({"HLEN", "nokey"}) == Reply::Int(0));
  CHECK(f.cmd({"HEXISTS", "h", "b"}) == Reply::Int(1));
  CHECK(f.cmd({"HEXISTS", "h", "zz"}) == Reply::Int(0));
  CHECK(f.cmd({"HEXISTS", "nokey", "b"}) == Reply::Int(0));
  CHECK(f.cmd({"HSTRLEN", "h", "b"}) == Reply::Int(3));
  CHECK(f.cmd({"HSTRLEN", "h", "zz"}) == Reply::Int(0));
  CHECK(f.cmd({"HSTRLEN", "nokey", "zz"}) == Reply::Int(0));
  CHECK(f.cmd({"HDEL", "h", "a", "zz", "a"}) == Reply::Int(1));
  CHECK(f.cmd({"HDEL", "nokey", "a"}) == Reply::Int(0));
  CHECK(f.cmd({"HMSET", "h", "x", "1", "y", "2"}) == OK());
  CHECK(f.cmd({"HLEN", "h"}) == Reply::Int(4));
  // Deleting the last fields deletes the key.
  CHECK(f.cmd({"HDEL", "h", "b", "c", "x", "y", "more"}) == Reply::Int(4));
  CHECK(f.cmd({"EXISTS", "h"}) == Reply::Int(0));
  CHECK(f.cmd({"TYPE", "h"}) == Reply::Status("none"));
}

TEST_CASE("hashes: binary-safe fields and values, empty ones included") {
  Fixture f(conf_limits());
  const std::string bin("a\0b\r\n", 5), val("\xff\0\x01", 3);
  CHECK(f.cmd({"HSET", "h", bin, val, "", ""}) == Reply::Int(2));
  CHECK(f.cmd({"HGET", "h", bin}) == Reply::Str(val));
  CHECK(f.cmd({"HGET", "h", ""}) == Reply::Str(""));
  CHECK(f.cmd({"HGET", "h", "a"}) == Reply::Nil());
  CHECK(f.cmd({"HSTRLEN", "h", bin}) == Reply::Int(3));
}

TEST_CASE("hashes: WRONGTYPE from every command, and nothing changed") {
  Fixture f(conf_limits());
  REQUIRE(f.cmd({"SET", "s", "x"}) == OK());
  const std::vector<std::vector<std::string>> cmds = {
      {"HSET", "s", "a", "1"},
      {"HSETNX", "s", "a", "1"},
      {"HMSET", "s", "a", "1"},
      {"HGET", "s", "a"},
      {"HMGET", "s", "a"},
      {"HDEL", "s", "a"},
      {"HLEN", "s"},
      {"HSTRLEN", "s", "a"},
      {"HEXISTS", "s", "a"},
      {"HKEYS", "s"},
      {"HVALS", "s"},
      {"HGETALL", "s"},
      {"HINCRBY", "s", "a", "1"},
      {"HINCRBYFLOAT", "s", "a", "1"},
      {"HRANDFIELD", "s"},
      {"HRANDFIELD", "s", "0"},
      {"HRANDFIELD", "s", "3", "WITHVALUES"},
      {"HSCAN", "s", "0"},
  };
  for (const auto& c : cmds) {
    CAPTURE(c[0]);
    CHECK(f.cmd(c) == kWrongType);
  }
  CHECK(f.cmd({"GET", "s"}) == Reply::Str("x"));
  // A hash under other types' commands.
  REQUIRE(f.cmd({"HSET", "h", "a", "1"}) == Reply::Int(1));
  CHECK(f.cmd({"GET", "h"}) == kWrongType);
  CHECK(f.cmd({"TYPE", "h"}) == Reply::Status("hash"));
}

TEST_CASE("hashes: arity errors, HSET and HMSET with a field missing its value") {
  Fixture f(conf_limits());
  CHECK(f.cmd({"HSET", "h", "a"}) ==
        Reply::Err("ERR wrong number of arguments for 'hset' command"));
  CHECK(f.cmd({"HSET", "h", "a", "1", "b"}) ==
        Reply::Err("ERR wrong number of arguments for 'hset' command"));
  CHECK(f.cmd({"HMSET", "h", "a", "1", "b"}) ==
        Reply::Err("ERR wrong number of arguments for 'hmset' command"));
  CHECK(f.cmd({"HGET", "h"}) == Reply::Err("ERR wrong number of arguments for 'hget' command"));
  CHECK(f.cmd({"HSETNX", "h", "a"}) ==
        Reply::Err("ERR wrong number of arguments for 'hsetnx' command"));
  CHECK(f.cmd({"HDEL", "h"}) == Reply::Err("ERR wrong number of arguments for 'hdel' command"));
  CHECK(f.cmd({"HSCAN", "h"}) == Reply::Err("ERR wrong number of arguments for 'hscan' command"));
  CHECK(f.cmd({"EXISTS", "h"}) == Reply::Int(0));  // nothing was created
  // The odd count is found before the type: a string key still gets the arity error.
  REQUIRE(f.cmd({"SET", "s", "x"}) == OK());
  CHECK(f.cmd({"HSET", "s", "a"}) ==
        Reply::Err("ERR wrong number of arguments for 'hset' command"));
}

TEST_CASE("hashes: HSETNX sets only a missing field") {
  Fixture f(conf_limits());
  CHECK(f.cmd({"HSETNX", "h", "a", "1"}) == Reply::Int(1));
  CHECK(f.cmd({"HSETNX", "h", "a", "2"}) == Reply::Int(0));
  CHECK(f.cmd({"HGET", "h", "a"}) == Reply::Str("1"));
  // An existing field with a long value is left alone: no conversion either.
  CHECK(f.cmd({"HSETNX", "h", "a", std::string(100, 'x')}) == Reply::Int(0));
  CHECK(encoding(f, "h") == "listpack");
  CHECK(f.cmd({"HSETNX", "h", "b", std::string(100, 'x')}) == Reply::Int(1));
  CHECK(encoding(f, "h") == "hashtable");
}

TEST_CASE("hashes: small hashes keep insertion order; updates keep their place") {
  Fixture f(conf_limits());
  REQUIRE(f.cmd({"HSET", "h", "z", "1", "a", "2", "m", "3"}) == Reply::Int(3));
  REQUIRE(f.cmd({"HSET", "h", "a", "22"}) == Reply::Int(0));
  REQUIRE(f.cmd({"HDEL", "h", "z"}) == Reply::Int(1));
  REQUIRE(f.cmd({"HSET", "h", "z", "11"}) == Reply::Int(1));
  CHECK(f.cmd({"HGETALL", "h"}) == Reply::StrArr({"a", "22", "m", "3", "z", "11"}));
  CHECK(f.cmd({"HKEYS", "h"}) == Reply::StrArr({"a", "m", "z"}));
  CHECK(f.cmd({"HVALS", "h"}) == Reply::StrArr({"22", "3", "11"}));
  CHECK(f.cmd({"HGETALL", "nokey"}) == Reply::Arr({}));
  CHECK(f.cmd({"HKEYS", "nokey"}) == Reply::Arr({}));
  CHECK(f.cmd({"HVALS", "nokey"}) == Reply::Arr({}));
  CHECK(f.cmd({"HSCAN", "h", "0"}) ==
        Reply::Arr({Reply::Str("0"), Reply::StrArr({"a", "22", "m", "3", "z", "11"})}));
}

TEST_CASE("hashes: listpack until 128 entries, hashtable from 129, never back") {
  Fixture f(conf_limits());
  fill(f, "h", 128);
  CHECK(encoding(f, "h") == "listpack");
  CHECK(f.cmd({"HSET", "h", "f127", "again"}) == Reply::Int(0));  // an update adds nothing
  CHECK(encoding(f, "h") == "listpack");
  CHECK(f.cmd({"HSET", "h", "one more", "v"}) == Reply::Int(1));
  CHECK(encoding(f, "h") == "hashtable");
  CHECK(f.cmd({"HLEN", "h"}) == Reply::Int(129));
  std::vector<std::string> del = {"HDEL", "h"};
  for (int i = 0; i < 128; i++) del.push_back(field(i));
  CHECK(f.cmd(del) == Reply::Int(128));
  CHECK(f.cmd({"HLEN", "h"}) == Reply::Int(1));
  CHECK(encoding(f, "h") == "hashtable");
  CHECK(f.cmd({"HGETALL", "h"}) == Reply::StrArr({"one more", "v"}));
}

TEST_CASE("hashes: listpack up to 64-byte fields and values, hashtable past them") {
  Fixture f(conf_limits());
  CHECK(f.cmd({"HSET", "a", std::string(64, 'f'), std::string(64, 'v')}) == Reply::Int(1));
  CHECK(encoding(f, "a") == "listpack");
  CHECK(f.cmd({"HSET", "b", "f", std::string(65, 'v')}) == Reply::Int(1));
  CHECK(encoding(f, "b") == "hashtable");
  CHECK(f.cmd({"HSET", "c", std::string(65, 'f'), "v"}) == Reply::Int(1));
  CHECK(encoding(f, "c") == "hashtable");
  // HINCRBY into a long field name converts too (the check is on every write).
  CHECK(f.cmd({"HINCRBY", "d", std::string(65, 'f'), "1"}) == Reply::Int(1));
  CHECK(encoding(f, "d") == "hashtable");
  CHECK(f.cmd({"HGET", "b", "f"}) == Reply::Str(std::string(65, 'v')));
}

TEST_CASE("hashes: CONFIG SET of the limits applies to the next write") {
  Fixture f(conf_limits());
  fill(f, "h", 3);
  REQUIRE(f.cmd({"CONFIG", "SET", "hash-max-listpack-entries", "2"}) == OK());
  CHECK(encoding(f, "h") == "listpack");  // nothing converts by itself
  CHECK(f.cmd({"HDEL", "h", "f2"}) == Reply::Int(1));
  CHECK(encoding(f, "h") == "listpack");  // a delete never converts
  CHECK(f.cmd({"HSET", "h", "f0", "x"}) == Reply::Int(0));
  CHECK(encoding(f, "h") == "listpack");  // two entries: within the limit
  CHECK(f.cmd({"HSET", "h", "f2", "x"}) == Reply::Int(1));
  CHECK(encoding(f, "h") == "hashtable");

  REQUIRE(f.cmd({"CONFIG", "SET", "hash-max-listpack-entries", "0"}) == OK());
  CHECK(f.cmd({"HSET", "z", "", ""}) == Reply::Int(1));
  CHECK(encoding(f, "z") == "hashtable");
  REQUIRE(f.cmd({"CONFIG", "SET", "hash-max-listpack-entries", "128"}) == OK());
  REQUIRE(f.cmd({"CONFIG", "SET", "hash-max-listpack-value", "0"}) == OK());
  CHECK(f.cmd({"HSET", "e", "", ""}) == Reply::Int(1));
  CHECK(encoding(f, "e") == "listpack");
  CHECK(f.cmd({"HSET", "e", "", "x"}) == Reply::Int(0));
  CHECK(encoding(f, "e") == "hashtable");
  // HINCRBYFLOAT whose result is longer than the limit converts.
  REQUIRE(f.cmd({"CONFIG", "SET", "hash-max-listpack-value", "5"}) == OK());
  CHECK(f.cmd({"HSET", "g", "a", "1"}) == Reply::Int(1));
  CHECK(f.cmd({"HINCRBYFLOAT", "g", "a", "0.25"}) == Reply::Str("1.25"));
  CHECK(encoding(f, "g") == "listpack");
  CHECK(f.cmd({"HINCRBYFLOAT", "g", "a", "1e10"}) == Reply::Str("10000000001.25"));
  CHECK(encoding(f, "g") == "hashtable");
}

TEST_CASE("hashes: HINCRBY") {
  Fixture f(conf_limits());
  CHECK(f.cmd({"HINCRBY", "h", "n", "5"}) == Reply::Int(5));
  CHECK(f.cmd({"HINCRBY", "h", "n", "-7"}) == Reply::Int(-2));
  CHECK(f.cmd({"HGET", "h", "n"}) == Reply::Str("-2"));
  CHECK(f.cmd({"HSET", "h", "big", "9223372036854775806"}) == Reply::Int(1));
  CHECK(f.cmd({"HINCRBY", "h", "big", "1"}) == Reply::Int(9223372036854775807LL));
  CHECK(f.cmd({"HINCRBY", "h", "big", "1"}) ==
        Reply::Err("ERR increment or decrement would overflow"));
  CHECK(f.cmd({"HSET", "h", "neg", "-9223372036854775808"}) == Reply::Int(1));
  CHECK(f.cmd({"HINCRBY", "h", "neg", "-1"}) ==
        Reply::Err("ERR increment or decrement would overflow"));
  for (const char* bad : {"x", "007", "+1", " 1", "1 ", "1.5", "", "-0"}) {
    CAPTURE(bad);
    REQUIRE(f.cmd({"HSET", "h", "bad", bad}).type == Reply::Type::kInteger);
    CHECK(f.cmd({"HINCRBY", "h", "bad", "1"}) == Reply::Err("ERR hash value is not an integer"));
  }
  CHECK(f.cmd({"HINCRBY", "h", "n", "abc"}) ==
        Reply::Err("ERR value is not an integer or out of range"));
  CHECK(f.cmd({"HINCRBY", "h", "n", "9223372036854775808"}) ==
        Reply::Err("ERR value is not an integer or out of range"));
  // A bad increment wins over the wrong type (it is parsed first), and creates nothing.
  REQUIRE(f.cmd({"SET", "s", "x"}) == OK());
  CHECK(f.cmd({"HINCRBY", "s", "n", "abc"}) ==
        Reply::Err("ERR value is not an integer or out of range"));
  CHECK(f.cmd({"HINCRBY", "fresh", "n", "abc"}) ==
        Reply::Err("ERR value is not an integer or out of range"));
  CHECK(f.cmd({"EXISTS", "fresh"}) == Reply::Int(0));
}

TEST_CASE("hashes: HINCRBYFLOAT") {
  Fixture f(conf_limits());
  CHECK(f.cmd({"HINCRBYFLOAT", "h", "x", "10.5"}) == Reply::Str("10.5"));
  CHECK(f.cmd({"HINCRBYFLOAT", "h", "x", "0.1"}) == Reply::Str("10.6"));
  CHECK(f.cmd({"HINCRBYFLOAT", "h", "x", "-5.6"}) == Reply::Str("5"));
  CHECK(f.cmd({"HINCRBYFLOAT", "h", "x", "5.0e3"}) == Reply::Str("5005"));
  CHECK(f.cmd({"HINCRBYFLOAT", "h", "x", "-5005"}) == Reply::Str("0"));
  CHECK(f.cmd({"HSET", "h", "i", "3"}) == Reply::Int(1));
  CHECK(f.cmd({"HINCRBYFLOAT", "h", "i", "1.5"}) == Reply::Str("4.5"));
  CHECK(f.cmd({"HINCRBY", "h", "i", "1"}) == Reply::Err("ERR hash value is not an integer"));
  CHECK(f.cmd({"HSET", "h", "s", "abc"}) == Reply::Int(1));
  CHECK(f.cmd({"HINCRBYFLOAT", "h", "s", "1"}) == Reply::Err("ERR hash value is not a float"));
  CHECK(f.cmd({"HSET", "h", "sp", " 1"}) == Reply::Int(1));
  CHECK(f.cmd({"HINCRBYFLOAT", "h", "sp", "1"}) == Reply::Err("ERR hash value is not a float"));
  CHECK(f.cmd({"HINCRBYFLOAT", "h", "x", "abc"}) == Reply::Err("ERR value is not a valid float"));
  CHECK(f.cmd({"HINCRBYFLOAT", "h", "x", "nan"}) == Reply::Err("ERR value is not a valid float"));
  CHECK(f.cmd({"HINCRBYFLOAT", "h", "x", "inf"}) == Reply::Err("ERR value is NaN or Infinity"));
  CHECK(f.cmd({"HINCRBYFLOAT", "h", "x", "-inf"}) == Reply::Err("ERR value is NaN or Infinity"));
  CHECK(f.cmd({"HSET", "h", "huge", "1e4932"}) == Reply::Int(1));
  CHECK(f.cmd({"HINCRBYFLOAT", "h", "huge", "1e4932"}) ==
        Reply::Err("ERR increment would produce NaN or Infinity"));
  CHECK(f.cmd({"HSET", "h", "inf", "inf"}) == Reply::Int(1));
  CHECK(f.cmd({"HINCRBYFLOAT", "h", "inf", "1"}) ==
        Reply::Err("ERR increment would produce NaN or Infinity"));
  CHECK(f.cmd({"HINCRBYFLOAT", "fresh", "x", "inf"}) == Reply::Err("ERR value is NaN or Infinity"));
  CHECK(f.cmd({"EXISTS", "fresh"}) == Reply::Int(0));
}

TEST_CASE("hashes: HRANDFIELD without a count, and its errors") {
  Fixture f(conf_limits());
  CHECK(f.cmd({"HRANDFIELD", "nokey"}) == Reply::Nil());
  fill(f, "h", 5);
  std::set<std::string> fields = {"f0", "f1", "f2", "f3", "f4"};
  std::set<std::string> seen;
  for (int i = 0; i < 200; i++) {
    Reply r = f.cmd({"HRANDFIELD", "h"});
    REQUIRE(r.type == Reply::Type::kString);
    CHECK(fields.count(r.str) == 1);
    seen.insert(r.str);
  }
  CHECK(seen.size() > 1);
  CHECK(f.cmd({"HRANDFIELD", "h", "abc"}) ==
        Reply::Err("ERR value is not an integer or out of range"));
  CHECK(f.cmd({"HRANDFIELD", "h", "-9223372036854775808"}) ==
        Reply::Err("ERR value is out of range, value must between -9223372036854775807 and "
                   "9223372036854775807"));
  CHECK(f.cmd({"HRANDFIELD", "h", "1", "WITHVALUE"}) == Reply::Err("ERR syntax error"));
  CHECK(f.cmd({"HRANDFIELD", "h", "1", "WITHVALUES", "x"}) == Reply::Err("ERR syntax error"));
  CHECK(f.cmd({"HRANDFIELD", "h", "-9223372036854775807", "WITHVALUES"}) ==
        Reply::Err("ERR value is out of range"));
  CHECK(f.cmd({"HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"}) ==
        Reply::Err("ERR value is out of range"));
  // Argument errors come before the key is looked at.
  CHECK(f.cmd({"HRANDFIELD", "nokey", "1", "foo"}) == Reply::Err("ERR syntax error"));
  CHECK(f.cmd({"HRANDFIELD", "nokey", "-9223372036854775807", "WITHVALUES"}) ==
        Reply::Err("ERR value is out of range"));
}

TEST_CASE("hashes: HRANDFIELD with a count, both encodings") {
  Fixture f(conf_limits());
  CHECK(f.cmd({"HRANDFIELD", "nokey", "3"}) == Reply::Arr({}));
  CHECK(f.cmd({"HRANDFIELD", "nokey", "-3", "WITHVALUES"}) == Reply::Arr({}));
  for (int n : {5, 300}) {
    CAPTURE(n);
    f.cmd({"DEL", "h"});
    fill(f, "h", n, "val");
    CHECK(encoding(f, "h") == (n == 5 ? "listpack" : "hashtable"));
    CHECK(f.cmd({"HRANDFIELD", "h", "0"}) == Reply::Arr({}));
    // Distinct, capped at the size.
    for (int count : {1, 2, n / 2, n - 1, n, n + 10}) {
      CAPTURE(count);
      Reply r = f.cmd({"HRANDFIELD", "h", std::to_string(count)});
      REQUIRE(r.is_array());
      CHECK(r.elements.size() == static_cast<size_t>(std::min(count, n)));
      std::set<std::string> uniq;
      for (const Reply& e : r.elements) uniq.insert(e.str);
      CHECK(uniq.size() == r.elements.size());
      for (const std::string& s : uniq) CHECK(f.cmd({"HEXISTS", "h", s}) == Reply::Int(1));
    }
    // Negative: exactly -count, repetitions allowed.
    Reply r = f.cmd({"HRANDFIELD", "h", std::to_string(-3 * n)});
    REQUIRE(r.is_array());
    CHECK(r.elements.size() == static_cast<size_t>(3 * n));
    std::set<std::string> uniq;
    for (const Reply& e : r.elements) uniq.insert(e.str);
    CHECK(uniq.size() < r.elements.size());
    // WITHVALUES in RESP2: flat field, value, field, value.
    r = f.cmd({"HRANDFIELD", "h", "-4", "withvalues"});
    REQUIRE(r.is_array());
    REQUIRE(r.elements.size() == 8);
    for (size_t i = 0; i < 8; i += 2) CHECK(r.elements[i + 1] == Reply::Str("val"));
    r = f.cmd({"HRANDFIELD", "h", "3", "WITHVALUES"});
    CHECK(r.elements.size() == 6);
  }
}

TEST_CASE("hashes: RESP3 replies: HGETALL is a map, HRANDFIELD WITHVALUES nests pairs") {
  Fixture f(conf_limits());
  REQUIRE(f.cmd({"HSET", "h", "a", "1", "b", "2"}) == Reply::Int(2));
  Resp3 c(f.server.port());
  CHECK(c.cmd({"HGETALL", "h"}) == "%2\r\n" + bulk("a") + bulk("1") + bulk("b") + bulk("2"));
  CHECK(c.cmd({"HGETALL", "nokey"}) == "%0\r\n");
  CHECK(c.cmd({"HKEYS", "h"}) == "*2\r\n" + bulk("a") + bulk("b"));
  CHECK(c.cmd({"HGET", "h", "zz"}) == "_\r\n");
  CHECK(c.cmd({"HMGET", "h", "a", "zz"}) == "*2\r\n" + bulk("1") + "_\r\n");
  CHECK(c.cmd({"HRANDFIELD", "nokey"}) == "_\r\n");
  CHECK(c.cmd({"HRANDFIELD", "nokey", "2", "WITHVALUES"}) == "*0\r\n");
  // count >= size returns the whole small hash in its order.
  CHECK(c.cmd({"HRANDFIELD", "h", "2", "WITHVALUES"}) ==
        "*2\r\n*2\r\n" + bulk("a") + bulk("1") + "*2\r\n" + bulk("b") + bulk("2"));
  std::string one = c.cmd({"HRANDFIELD", "h", "-1", "WITHVALUES"});
  CHECK((one == "*1\r\n*2\r\n" + bulk("a") + bulk("1") ||
         one == "*1\r\n*2\r\n" + bulk("b") + bulk("2")));
  std::string plain = c.cmd({"HRANDFIELD", "h", "1"});
  CHECK((plain == "*1\r\n" + bulk("a") || plain == "*1\r\n" + bulk("b")));
  CHECK(c.cmd({"HSCAN", "nokey", "0"}) == "*2\r\n" + bulk("0") + "*0\r\n");
  CHECK(c.cmd({"HINCRBYFLOAT", "h", "a", "1.5"}) == bulk("2.5"));
}

TEST_CASE("hashes: HSCAN of a hashtable returns every pair, COUNT and MATCH respected") {
  Fixture f(conf_limits());
  const int n = 1000;
  fill(f, "h", n);
  REQUIRE(encoding(f, "h") == "hashtable");
  // Iterates to cursor 0 and returns the fields seen; counts the calls.
  auto scan = [&](std::vector<std::string> args, int* calls) {
    std::set<std::string> seen;
    do {
      Reply r = f.cmd(args);
      REQUIRE(r.is_array());
      REQUIRE(r.elements.size() == 2);
      args[2] = r.elements[0].str;
      const auto& items = r.elements[1].elements;
      REQUIRE(items.size() % 2 == 0);
      CHECK(items.size() < 200);  // a few buckets' worth, not everything
      for (size_t i = 0; i < items.size(); i += 2) {
        CHECK(items[i + 1] == Reply::Str("v"));
        seen.insert(items[i].str);
      }
      REQUIRE(++*calls < 10000);
    } while (args[2] != "0");
    return seen;
  };
  int calls = 0;
  CHECK(scan({"HSCAN", "h", "0", "COUNT", "20"}, &calls).size() == static_cast<size_t>(n));
  CHECK(calls > 10);
  // MATCH filters on the field.
  CHECK(
      scan({"HSCAN", "h", "0", "MATCH", "f1?", "COUNT", "100"}, &calls) ==
      std::set<std::string>{"f10", "f11", "f12", "f13", "f14", "f15", "f16", "f17", "f18", "f19"});
}

TEST_CASE("hashes: HSCAN argument errors in Redis's order") {
  Fixture f(conf_limits());
  fill(f, "small", 3);
  CHECK(f.cmd({"HSCAN", "small", "0", "MATCH", "f[12]"}) ==
        Reply::Arr({Reply::Str("0"), Reply::StrArr({"f1", "v", "f2", "v"})}));
  // A listpack comes whole, whatever the cursor.
  CHECK(f.cmd({"HSCAN", "small", "12345", "COUNT", "1"}) ==
        Reply::Arr({Reply::Str("0"), Reply::StrArr({"f0", "v", "f1", "v", "f2", "v"})}));
  CHECK(f.cmd({"HSCAN", "small", "abc"}) == Reply::Err("ERR invalid cursor"));
  CHECK(f.cmd({"HSCAN", "nokey", "abc"}) == Reply::Err("ERR invalid cursor"));
  CHECK(f.cmd({"HSCAN", "nokey", "0", "COUNT", "0"}) ==
        Reply::Arr({Reply::Str("0"), Reply::Arr({})}));
  CHECK(f.cmd({"HSCAN", "small", "0", "COUNT", "0"}) == Reply::Err("ERR syntax error"));
  CHECK(f.cmd({"HSCAN", "small", "0", "COUNT", "x"}) ==
        Reply::Err("ERR value is not an integer or out of range"));
  CHECK(f.cmd({"HSCAN", "small", "0", "TYPE", "hash"}) == Reply::Err("ERR syntax error"));
  CHECK(f.cmd({"HSCAN", "small", "0", "MATCH"}) == Reply::Err("ERR syntax error"));
}

TEST_CASE("hashes: COPY clones, RENAME moves, EXPIRE keeps the hash") {
  Fixture f(conf_limits());
  fill(f, "small", 3);
  fill(f, "big", 200);
  CHECK(f.cmd({"COPY", "small", "small2"}) == Reply::Int(1));
  CHECK(f.cmd({"COPY", "big", "big2"}) == Reply::Int(1));
  CHECK(encoding(f, "small2") == "listpack");
  CHECK(encoding(f, "big2") == "hashtable");
  CHECK(f.cmd({"HSET", "small2", "f0", "changed"}) == Reply::Int(0));
  CHECK(f.cmd({"HDEL", "big2", "f0", "f1"}) == Reply::Int(2));
  CHECK(f.cmd({"HGET", "small", "f0"}) == Reply::Str("v"));
  CHECK(f.cmd({"HLEN", "big"}) == Reply::Int(200));
  CHECK(f.cmd({"HLEN", "big2"}) == Reply::Int(198));
  CHECK(f.cmd({"HGETALL", "small2"}) == Reply::StrArr({"f0", "changed", "f1", "v", "f2", "v"}));
  CHECK(f.cmd({"RENAME", "big", "moved"}) == OK());
  CHECK(f.cmd({"HLEN", "moved"}) == Reply::Int(200));
  CHECK(f.cmd({"EXISTS", "big"}) == Reply::Int(0));
  CHECK(f.cmd({"EXPIRE", "moved", "1000"}) == Reply::Int(1));
  CHECK(f.cmd({"HSET", "moved", "new", "x"}) == Reply::Int(1));
  CHECK(f.cmd({"HLEN", "moved"}) == Reply::Int(201));
  CHECK(f.cmd({"TTL", "moved"}).integer > 990);
}

TEST_CASE("hashes: the dataset byte count grows with a hash and returns when it goes") {
  Fixture f(conf_limits());
  if (!f.server.is_respite()) return;  // used_memory_dataset means something else in Redis
  auto dataset = [&] { return info_field(f.cmd({"INFO", "memory"}).str, "used_memory_dataset"); };
  long long base = dataset();
  fill(f, "h", 100, std::string(50, 'x'));  // listpack: 100 x ~56 bytes
  long long small = dataset();
  CHECK(small > base + 100 * 50);
  fill(f, "g", 1000, std::string(100, 'y'));  // hashtable
  long long big = dataset();
  CHECK(big > small + 1000 * 100);
  std::vector<std::string> del = {"HDEL", "g"};
  for (int i = 0; i < 900; i++) del.push_back(field(i));
  REQUIRE(f.cmd(del) == Reply::Int(900));
  long long shrunk = dataset();
  CHECK(shrunk < big - 900 * 100);
  CHECK(f.cmd({"HINCRBY", "g", "counter", "1"}) == Reply::Int(1));
  CHECK(f.cmd({"DEL", "g", "h"}) == Reply::Int(2));
  CHECK(dataset() == base);
}

TEST_CASE("hashes: concurrent writers on several workers lose no update") {
  Fixture f(conf_limits().set("threads", "4"));
  constexpr int kClients = 4, kOps = 400;
  std::vector<std::thread> threads;
  for (int t = 0; t < kClients; t++) {
    threads.emplace_back([&, t] {
      Client c(f.server.port());
      for (int i = 0; i < kOps; i++) {
        c.cmd({"HINCRBY", "h", "counter", "1"});
        // Distinct fields per client: the hash crosses into the table while others write to it.
        std::string name = "c";
        name.append(std::to_string(t)).append(":").append(std::to_string(i));
        c.cmd({"HSET", "h", name, "v"});
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(f.cmd({"HGET", "h", "counter"}) == Reply::Str(std::to_string(kClients * kOps)));
  CHECK(f.cmd({"HLEN", "h"}) == Reply::Int(kClients * kOps + 1));
  CHECK(encoding(f, "h") == "hashtable");
}
