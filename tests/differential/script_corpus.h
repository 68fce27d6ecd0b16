// The corpus of scripts shared by the two scripting differential tests (scripting_interp_diff.cpp,
// the interpreter alone, and scripting_diff.cpp, the whole server): what clients really send (a
// lock's release and extend in the style of redis-py, django-redis's incr, a sliding-window rate
// limiter, INCR+EXPIRE, a BullMQ-style move-to-active that writes a key it did not declare, a
// Sidekiq-style scheduled-set poller) and scripts aimed at each Lua<->RESP conversion. Each case
// names the commands that set the store up, the script, its KEYS and ARGV; the tests compare the
// reply and the state left in the case's keys with redis-server's.
#pragma once

#include <string>
#include <vector>

namespace respite::diff {

struct ScriptCase {
  std::string name;
  std::vector<std::vector<std::string>> setup;
  std::string body;
  std::vector<std::string> keys;
  std::vector<std::string> args;
};

inline std::vector<ScriptCase> script_corpus() {
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
  // BullMQ-style move-to-active: the job key is built from the popped id, so the script touches a
  // key it did not declare.
  const std::string move_to_active =
      "local jobId = redis.call('RPOPLPUSH', KEYS[1], KEYS[2])\n"
      "if not jobId then return false end\n"
      "local jobKey = ARGV[1] .. jobId\n"
      "redis.call('HSET', jobKey, 'processedOn', ARGV[2], 'lockToken', ARGV[3])\n"
      "redis.call('HINCRBY', jobKey, 'attemptsMade', 1)\n"
      "return {jobId, redis.call('HGETALL', jobKey)}";
  // Sidekiq-style scheduled-set poller: pop the first job due by ARGV[1], if any (a script that
  // falls off its end returns nil).
  const std::string zpop_by_score =
      "local key, now = KEYS[1], ARGV[1]\n"
      "local jobs = redis.call('zrange', key, '-inf', now, 'byscore', 'limit', 0, 1)\n"
      "if jobs[1] then\n"
      "  redis.call('zrem', key, jobs[1])\n"
      "  return jobs[1]\n"
      "end";
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
      {"bullmq move to active",
       {{"rpush", "q:wait", "7", "8"}, {"hset", "q:8", "name", "email", "data", "{}"}},
       move_to_active,
       {"q:wait", "q:active"},
       {"q:", "1700000000000", "tok"}},
      {"bullmq move to active, empty",
       {},
       move_to_active,
       {"q:wait", "q:active"},
       {"q:", "1", "t"}},
      {"sidekiq zpopbyscore, due",
       {{"zadd", "schedule", "100", "job-a", "200", "job-b"}},
       zpop_by_score,
       {"schedule"},
       {"150"}},
      {"sidekiq zpopbyscore, none due",
       {{"zadd", "schedule", "100", "job-a"}},
       zpop_by_score,
       {"schedule"},
       {"50"}},
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

}  // namespace respite::diff
