// differential_scripting_interp: the interpreter layer against Debian's redis-server, with no
// respite server involved. Each case runs a script with EVAL on redis-server, and the same script
// in a scripting::Interpreter whose Callback forwards every redis.call to that same redis-server
// (a second connection, RESP2); the store is flushed and set up identically before each side.
// The two replies must be equal (error texts included: the "script: <sha>, on @user_script:N."
// suffix is built from the same body), and so must the state the script left in the keys it
// names (DUMP of each, whether it has a TTL). This checks the conversions both ways, argument
// formatting and error propagation on real replies. The corpus holds what clients really send (a
// lock's release and extend in the style of redis-py, django-redis's incr, a sliding-window rate
// limiter, INCR+EXPIRE) and scripts aimed at each conversion. Commands the script layer itself
// must refuse or reword (unknown commands, wrong arity) are the server's job and are not here,
// since redis-server answers them as it would any client.
#include <doctest.h>

#include <string>
#include <vector>

#include "scripting/interpreter.h"
#include "tests/support/client.h"
#include "tests/support/server_process.h"

using respite::protocol::RespValue;
using respite::scripting::Callback;
using respite::scripting::Interpreter;
using respite::test::Client;
using respite::test::Reply;
using respite::test::ServerProcess;

namespace {

RespValue to_value(const Reply& r) {
  switch (r.type) {
    case Reply::Type::kString:
      return RespValue::bulk(r.str);
    case Reply::Type::kInteger:
      return RespValue::integer_of(r.integer);
    case Reply::Type::kNil:
      return RespValue::null_bulk();  // $-1 and *-1 are both false in Lua
    case Reply::Type::kStatus:
      return RespValue::simple(r.str);
    case Reply::Type::kError:
      return RespValue::error(r.str);
    case Reply::Type::kArray: {
      std::vector<RespValue> elems;
      for (const Reply& e : r.elements) elems.push_back(to_value(e));
      return RespValue::array(std::move(elems));
    }
  }
  return RespValue::null();
}

// A script's result as a RESP2 client sees it.
Reply to_reply(const RespValue& v) {
  using T = RespValue::Type;
  switch (v.type) {
    case T::kInteger:
      return Reply::Int(v.integer);
    case T::kBulk:
      return Reply::Str(v.str);
    case T::kSimple:
      return Reply::Status(v.str);
    case T::kError:
      return Reply::Err(v.str);
    case T::kArray: {
      std::vector<Reply> elems;
      for (const RespValue& e : v.elements) elems.push_back(to_reply(e));
      return Reply::Arr(std::move(elems));
    }
    default:
      return Reply::Nil();  // RESP3-only kinds never come out of a RESP2 script here
  }
}

class Forward : public Callback {
 public:
  explicit Forward(Client* c) : c_(c) {}
  RespValue call(std::span<const std::string_view> argv, int resp, bool raise) override {
    REQUIRE(resp == 2);
    return to_value(c_->cmd(std::vector<std::string>(argv.begin(), argv.end())));
  }

 private:
  Client* c_;
};

struct Case {
  std::string name;
  std::vector<std::vector<std::string>> setup;
  std::string body;
  std::vector<std::string> keys;
  std::vector<std::string> args;
};

std::vector<Case> corpus() {
  const std::string lock_release =
      "local token = redis.call('get', KEYS[1])\n"
      "if not token or token ~= ARGV[1] then return 0 end\n"
      "redis.call('del', KEYS[1])\n"
      "return 1";
  const std::string lock_extend =
      "local token = redis.call('get', KEYS[1])\n"
      "if not token or token ~= ARGV[1] then return 0 end\n"
      "local expiration = redis.call('pttl', KEYS[1])\n"
      "if not expiration then expiration = 0 end\n"
      "if expiration < 0 then return 0 end\n"
      "local newttl = ARGV[2]\n"
      "if ARGV[3] == '0' then newttl = ARGV[2] + expiration end\n"
      "redis.call('pexpire', KEYS[1], newttl)\n"
      "return 1";
  const std::string django_incr =
      "local exists = redis.call('EXISTS', KEYS[1])\n"
      "if (exists == 1) then return redis.call('INCRBY', KEYS[1], ARGV[1]) else return false end";
  const std::string rate_limit =
      "redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, ARGV[1] - ARGV[2])\n"
      "local n = redis.call('ZCARD', KEYS[1])\n"
      "if n < tonumber(ARGV[3]) then\n"
      "  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])\n"
      "  redis.call('PEXPIRE', KEYS[1], ARGV[2])\n"
      "  return {1, n + 1}\n"
      "end\n"
      "return {0, n}";
  const std::string incr_expire =
      "local v = redis.call('INCR', KEYS[1]) redis.call('EXPIRE', KEYS[1], 60) return v";
  return {
      {"lock release, owner", {{"set", "lock", "tok1"}}, lock_release, {"lock"}, {"tok1"}},
      {"lock release, not owner", {{"set", "lock", "tok2"}}, lock_release, {"lock"}, {"tok1"}},
      {"lock release, no lock", {}, lock_release, {"lock"}, {"tok1"}},
      {"lock extend",
       {{"set", "lock", "tok1", "px", "100000"}},
       lock_extend,
       {"lock"},
       {"tok1", "5000", "0"}},
      {"lock extend, replace ttl",
       {{"set", "lock", "tok1", "px", "100000"}},
       lock_extend,
       {"lock"},
       {"tok1", "5000", "1"}},
      {"lock extend, no ttl",
       {{"set", "lock", "tok1"}},
       lock_extend,
       {"lock"},
       {"tok1", "5000", "0"}},
      {"django incr, present", {{"set", "c", "41"}}, django_incr, {"c"}, {"1"}},
      {"django incr, missing", {}, django_incr, {"c"}, {"1"}},
      {"django incr, not a number", {{"set", "c", "x"}}, django_incr, {"c"}, {"1"}},
      {"rate limiter, room",
       {{"zadd", "rl", "1000", "a"}},
       rate_limit,
       {"rl"},
       {"1500", "1000", "3", "b"}},
      {"rate limiter, full",
       {{"zadd", "rl", "1000", "a", "1100", "b", "1200", "c"}},
       rate_limit,
       {"rl"},
       {"1500", "1000", "3", "d"}},
      {"incr expire", {{"set", "k", "9"}}, incr_expire, {"k"}, {}},
      {"wrong type raises", {{"rpush", "l", "a"}}, "return redis.call('incr', KEYS[1])", {"l"}, {}},
      {"wrong type with pcall",
       {{"rpush", "l", "a"}},
       "return redis.pcall('incr', KEYS[1])",
       {"l"},
       {}},
      {"error table from pcall",
       {{"rpush", "l", "a"}},
       "local t = redis.pcall('incr', KEYS[1]) return {type(t), t.err}",
       {"l"},
       {}},
      {"error on a later line",
       {{"set", "s", "x"}},
       "local a = 1\n\nreturn redis.call('incr', 's')",
       {"s"},
       {}},
      {"hgetall as array",
       {{"hset", "h", "f1", "v1", "f2", "v2"}},
       "return redis.call('hgetall', KEYS[1])",
       {"h"},
       {}},
      {"lrange nested",
       {{"rpush", "l", "a", "b", "c"}},
       "return {redis.call('lrange', KEYS[1], 0, -1), redis.call('llen', KEYS[1])}",
       {"l"},
       {}},
      {"missing key is false",
       {},
       "local v = redis.call('get', 'nope') return {type(v), v == false}",
       {},
       {}},
      {"status reply", {}, "return redis.call('set', 'k', 'v')", {"k"}, {}},
      {"status as table", {}, "local r = redis.call('set', 'k', 'v') return r.ok", {"k"}, {}},
      {"type is a status", {{"sadd", "s", "m"}}, "return redis.call('type', KEYS[1])", {"s"}, {}},
      {"numbers as arguments",
       {},
       "redis.call('set', 'a', 0.1) redis.call('set', 'b', 60) redis.call('set', 'c', -2.5e20) "
       "return redis.call('mget', 'a', 'b', 'c')",
       {"a", "b", "c"},
       {}},
      {"float increments", {}, "return redis.call('incrbyfloat', 'f', 1.5)", {"f"}, {}},
      {"truncation", {}, "return {3.99, -3.99, 1e15, 0.5}", {}, {}},
      {"booleans", {}, "return {true, false, true}", {}, {}},
      {"nil ends an array", {}, "return {1, 2, nil, 4}", {}, {}},
      {"ok and err tables", {}, "return {{ok='fine'}, {err='ERR nested'}}", {}, {}},
      {"error_reply", {}, "return redis.error_reply('MY_CODE my message')", {}, {}},
      {"status_reply", {}, "return redis.status_reply('FINE')", {}, {}},
      {"error()", {}, "error('boom')", {}, {}},
      {"undeclared global", {}, "return undeclared_thing", {}, {}},
      {"global write", {}, "x = 1", {}, {}},
      {"sha1hex", {}, "return redis.sha1hex('Pizza & Mandolino')", {}, {}},
      {"cjson", {}, "return cjson.encode({a=1, b={1,2,3}, c='x'})", {}, {}},
      {"cjson decode",
       {},
       "local t = cjson.decode('{\"k\":[1,2,{\"z\":true}]}') return t.k[2]",
       {},
       {}},
      {"bit", {}, "return {bit.band(12, 10), bit.bor(12, 10), bit.tohex(255)}", {}, {}},
      {"cmsgpack and struct round trip through the store",
       {},
       "redis.call('set', KEYS[1], cmsgpack.pack({KEYS[1], 1.5, -300, {x=true}}))\n"
       "redis.call('set', KEYS[2], struct.pack('>I2 s d', 513, ARGV[1], 0.1))\n"
       "local t = cmsgpack.unpack(redis.call('get', KEYS[1]))\n"
       "local a, b, c, nxt = struct.unpack('>I2 s d', redis.call('get', KEYS[2]))\n"
       "return {t[1], tostring(t[2]), t[3], tostring(t[4].x), a, b, tostring(c), nxt}",
       {"mp", "st"},
       {"hello"}},
      {"seeded random",
       {},
       "math.randomseed(42) return {math.random(1000), math.random(1000), tostring(math.random())}",
       {},
       {}},
      {"pairs order",
       {},
       "local t = {} for k in pairs({alpha=1, beta=2, gamma=3, delta=4, eps=5}) do t[#t+1] = k "
       "end return t",
       {},
       {}},
      {"keys and argv",
       {},
       "return {KEYS[1], KEYS[2], ARGV[1], #ARGV}",
       {"k1", "k2"},
       {"a1", "a2", "a3"}},
      {"tonumber and string ops",
       {{"set", "n", "17"}},
       "local n = tonumber(redis.call('get', KEYS[1])) return string.format('%05d|%s', n * 2, "
       "string.rep('ab', 3))",
       {"n"},
       {}},
  };
}

// What a case's keys hold afterwards: each key's DUMP and whether it has a TTL.
std::vector<Reply> state(Client& c, const Case& k) {
  std::vector<Reply> out;
  for (const std::string& key : k.keys) {
    out.push_back(c.cmd({"dump", key}));
    Reply ttl = c.cmd({"pttl", key});
    out.push_back(Reply::Int(ttl.integer > 0 ? 1 : ttl.integer));
  }
  out.push_back(c.cmd({"dbsize"}));
  return out;
}

}  // namespace

TEST_CASE("scripts give redis-server's replies and leave its state") {
  ServerProcess redis(respite::test::reference_binary());
  Client eval_conn(redis.port());
  Client fwd_conn(redis.port());
  Interpreter in;
  for (const Case& k : corpus()) {
    CAPTURE(k.name);
    CAPTURE(k.body);
    REQUIRE(eval_conn.cmd({"flushall"}).is_ok());
    for (const auto& cmd : k.setup) REQUIRE_FALSE(eval_conn.cmd(cmd).is_error());
    std::vector<std::string> eval{"eval", k.body, std::to_string(k.keys.size())};
    eval.insert(eval.end(), k.keys.begin(), k.keys.end());
    eval.insert(eval.end(), k.args.begin(), k.args.end());
    Reply expected = eval_conn.cmd(eval);
    std::vector<Reply> expected_state = state(eval_conn, k);

    REQUIRE(eval_conn.cmd({"flushall"}).is_ok());
    for (const auto& cmd : k.setup) REQUIRE_FALSE(eval_conn.cmd(cmd).is_error());
    Interpreter::AddResult added = in.add_function(k.body);
    REQUIRE_MESSAGE(added.ok, added.error);
    std::vector<std::string_view> keys(k.keys.begin(), k.keys.end());
    std::vector<std::string_view> args(k.args.begin(), k.args.end());
    Forward fwd(&fwd_conn);
    RespValue got;
    REQUIRE(in.run_function(added.sha, keys, args, &fwd, &got) == Interpreter::RunStatus::kOk);
    CHECK(to_reply(got) == expected);
    CHECK(state(eval_conn, k) == expected_state);
  }
}
