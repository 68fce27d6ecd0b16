// differential_scripting: the whole server's scripting (EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT
// LOAD / EXISTS / FLUSH / KILL) against Debian's redis-server. Every command goes to the server
// under test and to the reference, and the replies must be equal byte for byte: error texts
// included, whose "script: <sha>, on @user_script:N." suffix names the same script and line on
// both. After each case the whole keyspace is compared too (every key's type, content and whether
// it has a TTL), so that a script's writes to keys it did not declare count as well. Three parts:
//  - the client scripts of script_corpus.h (shared with scripting_interp_diff.cpp), each by EVAL,
//    SCRIPT LOAD + EVALSHA, EVAL_RO (where a writing script must fail) and EVAL over RESP3;
//  - hand-written error paths: numkeys, NOSCRIPT, shebangs and flags, writes from read-only
//    scripts, commands a script may not call, unknown commands and wrong arity from a script,
//    nonexistent globals, readonly tables, error()/error_reply/status_reply, SCRIPT subcommands;
//  - seeded generated scripts that pass every kind of value both ways across the Lua<->RESP line
//    (integers, float truncation, nil in tables, status and error tables, booleans, nested tables,
//    redis.setresp(3)'s doubles, maps, sets, big numbers, verbatim strings, pcall'd errors), run
//    over RESP2 and over RESP3 (HELLO 3), by EVAL or EVAL_RO, sometimes ending in an error.
// RESPITE_SCRIPT_SEED / RESPITE_SCRIPT_COUNT choose the generated scripts (default 1 / 400); the
// failure message names the script and the seed; RESPITE_SCRIPT_TRACE=1 prints every generated
// script with the reference's replies. differential_scripting_self runs the reference
// against itself, which checks that everything here is deterministic.
#include <doctest.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tests/differential/script_corpus.h"
#include "tests/support/client.h"
#include "tests/support/server_process.h"

using namespace respite::test;
using respite::diff::ScriptCase;

namespace {

using Args = std::vector<std::string>;

// One server with a RESP2 client and a RESP3 connection (HELLO 3 sent, its reply, which names
// the server and its version, dropped).
struct Side {
  explicit Side(const std::string& binary)
      : server(binary, ServerOptions().set("threads", "2")), c(server.port()), r3(server.port()) {
    REQUIRE(r3.send(encode_command({"HELLO", "3"})));
    std::string hello = r3.read_reply();
    REQUIRE_MESSAGE((!hello.empty() && hello[0] == '%'), "HELLO 3 answered " << hello);
  }
  std::string raw3(const Args& args) {
    if (!r3.send(encode_command(args))) return "<closed>";
    std::string r = r3.read_reply();
    return r.empty() ? "<no reply>" : r;
  }
  ServerProcess server;
  Client c;
  RawConnection r3;
};

// What the keyspace holds, one line per key in name order: type, whether it has a TTL, content
// (hash fields and set members sorted, since only a small hash's order is specified).
std::vector<std::string> snapshot(Client& c) {
  Reply keys = c.cmd({"KEYS", "*"});
  std::vector<std::string> names;
  for (const Reply& k : keys.elements) names.push_back(k.str);
  std::sort(names.begin(), names.end());
  std::vector<std::string> out;
  for (const std::string& k : names) {
    std::string type = c.cmd({"TYPE", k}).str;
    long long pttl = c.cmd({"PTTL", k}).integer;
    std::string line = quote_bytes(k) + " " + type + " ttl:" + (pttl > 0 ? "yes" : "no") + " ";
    Reply content;
    if (type == "string") {
      content = c.cmd({"GET", k});
    } else if (type == "list") {
      content = c.cmd({"LRANGE", k, "0", "-1"});
    } else if (type == "zset") {
      content = c.cmd({"ZRANGE", k, "0", "-1", "WITHSCORES"});
    } else if (type == "hash" || type == "set") {
      Reply r = c.cmd({type == "hash" ? "HGETALL" : "SMEMBERS", k});
      std::vector<std::string> items;
      size_t step = type == "hash" ? 2 : 1;
      for (size_t i = 0; i + step <= r.elements.size(); i += step) {
        items.push_back(r.elements[i].str + (step == 2 ? "=" + r.elements[i + 1].str : ""));
      }
      std::sort(items.begin(), items.end());
      for (const std::string& s : items) content.elements.push_back(Reply::Str(s));
      content.type = Reply::Type::kArray;
    }
    std::string text = content.to_string();
    std::replace(text.begin(), text.end(), '\n', '|');
    out.push_back(line + text);
  }
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += "  " + s + "\n";
  return out.empty() ? "  (empty)\n" : out;
}

struct Pair {
  Pair() : ut(server_binary()), ref(reference_binary()) {}

  // The command on both RESP2 clients; the replies must be equal. The reference's reply.
  Reply both(const Args& args, const std::string& context) {
    Reply a = ut.c.cmd(args);
    Reply b = ref.c.cmd(args);
    mismatches += a == b ? 0 : 1;
    CHECK_MESSAGE(a == b, context << "\ncommand: " << format_command(args)
                                  << "\nserver under test:\n"
                                  << a.to_string() << "\nreference:\n"
                                  << b.to_string());
    return b;
  }
  // The command on both RESP3 connections; the raw replies must be equal.
  std::string both3(const Args& args, const std::string& context) {
    std::string a = ut.raw3(args);
    std::string b = ref.raw3(args);
    mismatches += a == b ? 0 : 1;
    CHECK_MESSAGE(a == b, context << "\ncommand (RESP3): " << format_command(args)
                                  << "\nserver under test: " << quote_bytes(a)
                                  << "\nreference: " << quote_bytes(b));
    return b;
  }
  // An empty keyspace and script cache on both, then `setup` (which must succeed on the reference).
  void reset(const std::vector<Args>& setup, const std::string& context) {
    both({"FLUSHALL"}, context);
    both({"SCRIPT", "FLUSH"}, context);
    for (const Args& cmd : setup) REQUIRE_FALSE(both(cmd, context).is_error());
  }
  void check_state(const std::string& context) {
    std::vector<std::string> a = snapshot(ut.c);
    std::vector<std::string> b = snapshot(ref.c);
    mismatches += a == b ? 0 : 1;
    CHECK_MESSAGE(a == b, context << "\nkeyspace differs afterwards\nserver under test:\n"
                                  << join(a) << "reference:\n"
                                  << join(b));
  }

  Side ut, ref;
  int mismatches = 0;  // failed comparisons so far
};

Args eval_args(const std::string& cmd, const std::string& body_or_sha,
               const std::vector<std::string>& keys, const std::vector<std::string>& args) {
  Args out{cmd, body_or_sha, std::to_string(keys.size())};
  out.insert(out.end(), keys.begin(), keys.end());
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

// ---------------------------------------------------------------------------------------------
// Error paths: each case a setup and a list of commands, every reply compared, then the keyspace.

struct ErrorCase {
  std::string name;
  std::vector<Args> setup;
  std::vector<Args> commands;
};

const std::string kSha1 = "e0e1f9fabfc9d4800c877a703b823ac0578ff8db";  // SHA1("return 1")

std::vector<ErrorCase> error_cases() {
  auto eval = [](const std::string& body, std::vector<std::string> rest = {"0"}) {
    Args a{"EVAL", body};
    a.insert(a.end(), rest.begin(), rest.end());
    return a;
  };
  auto eval_ro = [](const std::string& body, std::vector<std::string> rest = {"0"}) {
    Args a{"EVAL_RO", body};
    a.insert(a.end(), rest.begin(), rest.end());
    return a;
  };
  const Args list_setup{"RPUSH", "l", "a"};
  return {
      // numkeys and arity
      {"numkeys greater than args", {}, {eval("return 1", {"2", "k"})}},
      {"numkeys negative", {}, {eval("return 1", {"-1"})}},
      {"numkeys not a number", {}, {eval("return 1", {"x"})}},
      {"numkeys float", {}, {eval("return 1", {"1.5", "k"})}},
      {"eval without numkeys", {}, {{"EVAL", "return 1"}}},
      {"eval alone", {}, {{"EVAL"}}},
      {"evalsha without numkeys", {}, {{"EVALSHA", kSha1}}},
      {"numkeys all keys", {}, {eval("return {#KEYS, #ARGV}", {"2", "a", "b"})}},
      {"numkeys huge", {}, {eval("return 1", {"99999999999999999999"})}},
      // NOSCRIPT and the script cache
      {"evalsha unknown", {}, {{"EVALSHA", kSha1, "0"}}},
      {"evalsha_ro unknown", {}, {{"EVALSHA_RO", kSha1, "0"}}},
      {"evalsha short sha", {}, {{"EVALSHA", "abc", "0"}}},
      {"evalsha 41 chars", {}, {{"EVALSHA", kSha1 + "0", "0"}}},
      {"evalsha after eval caches",
       {},
       {eval("return 1"), {"EVALSHA", kSha1, "0"}, {"SCRIPT", "EXISTS", kSha1}}},
      {"evalsha uppercase",
       {},
       {{"SCRIPT", "LOAD", "return 1"},
        {"EVALSHA", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB", "0"}}},
      {"script load then exists",
       {},
       {{"SCRIPT", "EXISTS", kSha1, "nope"},
        {"SCRIPT", "LOAD", "return 1"},
        {"SCRIPT", "EXISTS", kSha1, "nope", kSha1},
        {"SCRIPT", "LOAD", "return 1"}}},
      {"script flush",
       {},
       {{"SCRIPT", "LOAD", "return 1"},
        {"SCRIPT", "FLUSH"},
        {"SCRIPT", "EXISTS", kSha1},
        {"EVALSHA", kSha1, "0"},
        {"SCRIPT", "LOAD", "return 1"},
        {"SCRIPT", "FLUSH", "ASYNC"},
        {"EVALSHA", kSha1, "0"},
        {"SCRIPT", "FLUSH", "SYNC"},
        {"SCRIPT", "FLUSH", "BOGUS"},
        {"SCRIPT", "FLUSH", "SYNC", "ASYNC"}}},
      {"script load errors",
       {},
       {{"SCRIPT", "LOAD"},
        {"SCRIPT", "LOAD", "a", "b"},
        {"SCRIPT", "LOAD", "return +"},
        {"SCRIPT", "LOAD", "#!lua flags=bogus\nreturn 1"},
        {"SCRIPT", "LOAD", "#!lua flags=no-writes\nreturn 1"},
        {"SCRIPT", "EXISTS"}}},
      {"script other subcommands",
       {},
       {{"SCRIPT"},
        {"SCRIPT", "NOSUCH"},
        {"SCRIPT", "KILL"},
        {"SCRIPT", "KILL", "x"},
        {"SCRIPT", "HELP"}}},
      // compile errors and shebangs
      {"compile error", {}, {eval("return +")}},
      {"compile error, later line", {}, {eval("local a = 1\nlocal b = \nreturn")}},
      {"shebang bad flag", {}, {eval("#!lua flags=bogus\nreturn 1")}},
      {"shebang unknown engine", {}, {eval("#!python\nreturn 1")}},
      {"shebang unknown option", {}, {eval("#!lua name=x\nreturn 1")}},
      {"shebang without flags",
       {},
       {eval("#!lua\nreturn redis.call('set', KEYS[1], 'v')", {"1", "k"})}},
      {"shebang several flags",
       {},
       {eval("#!lua flags=allow-oom,allow-stale,no-cluster\nreturn 1"),
        eval("#!lua flags=\nreturn redis.call('get', 'k')")}},
      {"shebang line counts", {}, {eval("#!lua\nreturn redis.call('nosuch')")}},
      {"no-writes flag refuses writes",
       {},
       {eval("#!lua flags=no-writes\nreturn redis.call('set', KEYS[1], 'v')", {"1", "k"}),
        eval("#!lua flags=no-writes\nreturn redis.pcall('set', KEYS[1], 'v')", {"1", "k"}),
        eval("#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])", {"1", "k"})}},
      {"eval_ro refuses writes",
       {{"SET", "k", "1"}},
       {eval_ro("return redis.call('incr', KEYS[1])", {"1", "k"}),
        eval_ro("return redis.pcall('del', KEYS[1])", {"1", "k"}),
        eval_ro("return redis.call('get', KEYS[1])", {"1", "k"}),
        eval_ro("#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])", {"1", "k"}),
        eval_ro("#!lua\nreturn redis.call('get', KEYS[1])", {"1", "k"})}},
      {"read-only scripts may publish",
       {},
       {eval_ro("return redis.call('publish', 'ch', 'm')"),
        eval("#!lua flags=no-writes\nreturn redis.call('publish', 'ch', 'm')"),
        eval_ro("return redis.call('ping')")}},
      {"over maxmemory",
       {{"SET", "k", "1"}},
       {{"CONFIG", "SET", "maxmemory", "1"},
        eval("return redis.call('incr', KEYS[1])", {"1", "k"}),
        eval("return redis.pcall('set', KEYS[1], 'x')", {"1", "k"}),
        eval("return redis.call('get', KEYS[1])", {"1", "k"}),
        eval("return redis.call('del', KEYS[1])", {"1", "nope"}),
        eval("#!lua\nreturn redis.call('get', KEYS[1])", {"1", "k"}),
        eval("#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])", {"1", "k"}),
        eval("#!lua flags=allow-oom\nreturn redis.call('incr', KEYS[1])", {"1", "k"}),
        eval_ro("return redis.call('get', KEYS[1])", {"1", "k"}),
        {"CONFIG", "SET", "maxmemory", "0"}}},
      {"evalsha_ro",
       {{"SET", "k", "1"}},
       {{"SCRIPT", "LOAD", "return redis.call('incr', KEYS[1])"},
        {"EVALSHA_RO", "2bab3b661081db58bd2341920e0ba7cf5dc77b25", "1", "k"},
        {"SCRIPT", "LOAD", "return redis.call('get', KEYS[1])"},
        {"EVALSHA_RO", "4e6d8fc8bb01276962cce5371fa795a7763657ae", "1", "k"}}},
      // what a script may not call, and how calls fail
      {"unknown command", {}, {eval("return redis.call('nosuchcommand', 'x')")}},
      {"unknown command, pcall", {}, {eval("return redis.pcall('nosuchcommand')")}},
      {"wrong arity",
       {},
       {eval("return redis.call('get')"), eval("return redis.pcall('set', 'k')")}},
      {"no arguments", {}, {eval("return redis.call()"), eval("return redis.pcall()")}},
      {"bad argument type",
       {},
       {eval("return redis.call('get', {})"), eval("return redis.call('set', 'k', nil)"),
        eval("return redis.pcall('get', true)")}},
      {"commands not allowed from scripts",
       {},
       {eval("return redis.call('eval', 'return 1', 0)"),
        eval("return redis.call('evalsha', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', 0)"),
        eval("return redis.call('script', 'flush')"), eval("return redis.call('multi')"),
        eval("return redis.call('exec')"), eval("return redis.call('watch', 'k')"),
        eval("return redis.call('subscribe', 'ch')"),
        eval("return redis.pcall('eval_ro', 'return 1', 0)")}},
      {"blocking commands do not block",
       {},
       {eval("return redis.call('blpop', 'nolist', 0)"),
        eval("return redis.call('brpoplpush', 'a', 'b', 0)")}},
      {"wrongtype, call and pcall",
       {list_setup},
       {eval("return redis.call('incr', 'l')"), eval("return redis.pcall('incr', 'l')"),
        eval("local ok, e = pcall(redis.call, 'incr', 'l') return {ok, type(e), e.err}"),
        eval("local r = redis.pcall('incr', 'l') return r")}},
      {"error raised on a later line",
       {list_setup},
       {eval("local a = 1\nlocal b = 2\nredis.call('incr', 'l')\nreturn a + b")}},
      {"setresp", {}, {eval("redis.setresp(4) return 1"), eval("redis.setresp() return 1")}},
      {"select inside a script",
       {},
       {eval("redis.call('select', 1) redis.call('set', 'k', 'in1') return redis.call('get', 'k')"),
        {"GET", "k"}}},
      // Lua errors
      {"nonexistent global",
       {},
       {eval("return undefined_variable"), eval("local x = nosuch.field return 1"),
        eval("local a = 1\nreturn missing_fn()")}},
      {"global write", {}, {eval("x = 1 return x"), eval("function f() return 1 end return f()")}},
      {"readonly tables",
       {},
       {eval("redis.call = nil return 1"), eval("redis.x = 1 return 1"),
        eval("string.x = 1 return 1"), eval("cjson.encode = nil return 1"),
        eval("_G.foo = 1 return 1"), eval("setmetatable(_G, nil) return 1"),
        eval("local t = {} t.x = 1 return t.x")}},
      // Not error({}), a table without err: redis-server 7.0.15 dies of SIGSEGV on it.
      {"error() forms",
       {},
       {eval("error('plain message')"), eval("error({err='MYCODE custom message'})"),
        eval("error({err='nocode'})"), eval("error()"), eval("error(42)"),
        eval("return pcall(error, 'x')"),
        eval("local ok, e = pcall(error, {err='E x'}) return e")}},
      {"error_reply and status_reply",
       {},
       {eval("return redis.error_reply('MY_ERR oops')"), eval("return redis.error_reply('oops')"),
        eval("return redis.error_reply('-DASH oops')"), eval("return redis.error_reply('')"),
        eval("return redis.status_reply('')"), eval("return redis.status_reply('GOOD')"),
        eval("return {err='ERR from table'}"), eval("return {ok='OK from table'}"),
        eval("return redis.error_reply()"), eval("return redis.error_reply(1)")}},
      {"runtime errors",
       {},
       {eval("return 1 + {}"), eval("local t = nil return t.x"), eval("return #nil"),
        eval("return ('x'):bad()"), eval("return string.rep()")}},
      {"redis library",
       {},
       {eval("return redis.sha1hex('')"), eval("return redis.sha1hex()"),
        eval("return redis.replicate_commands()"), eval("redis.set_repl(redis.REPL_ALL) return 1"),
        eval("redis.set_repl(99) return 1"),
        eval("return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_ALL}"),
        eval("redis.log(redis.LOG_WARNING, 'from a test') return 1"),
        eval("redis.log(99, 'x') return 1"), eval("return redis.REDIS_VERSION_NUM ~= nil"),
        eval("return redis.breakpoint()"), eval("return redis.debug('x')")}},
      {"eval inside multi",
       {{"SET", "k", "1"}},
       {{"MULTI"},
        eval("return redis.call('incr', KEYS[1])", {"1", "k"}),
        eval("return redis.call('nosuch')"),
        eval("return +"),
        {"EXEC"},
        {"GET", "k"}}},
      {"undeclared keys",
       {{"SET", "src", "5"}},
       {eval("local v = redis.call('get', 'src') redis.call('del', 'src') "
             "redis.call('set', 'dst', v) return v"),
        eval("for i = 1, 5 do redis.call('incr', 'c' .. i) end return redis.call('mget', 'c1', "
             "'c5')")}},
  };
}

// ---------------------------------------------------------------------------------------------
// Generated scripts

class ScriptGen {
 public:
  explicit ScriptGen(uint64_t seed) : rng_(seed) {}

  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool chance(int percent) { return pick(100) < percent; }
  template <typename T>
  const T& one_of(const std::vector<T>& v) {
    return v[pick(static_cast<int>(v.size()))];
  }

  // A redis.call argument list over the keys of kSetup.
  std::string call_args() {
    static const std::vector<std::string> calls = {
        "'get', 's'",
        "'get', 'missing'",
        "'incr', 'n'",
        "'incrbyfloat', 'f', '0.25'",
        "'lrange', 'l', 0, -1",
        "'lrange', 'missing', 0, -1",
        "'hgetall', 'h'",
        "'hget', 'h', 'nope'",
        "'hmget', 'h', 'f1', 'zz', 'f2'",
        "'zscore', 'z', 'm1'",
        "'zscore', 'z', 'nope'",
        "'zrange', 'z', 0, -1, 'withscores'",
        "'zincrby', 'z', 1, 'm2'",
        "'smembers', 'iset'",
        "'smembers', 'one'",
        "'sismember', 'one', 'x'",
        "'exists', 's', 'n', 'nope'",
        "'type', 'h'",
        "'ping'",
        "'echo', 'x'",
        "'set', 't', 'v'",
        "'set', 't', 'v', 'get'",
        "'llen', 'l'",
        "'lpos', 'l', 'b'",
        "'del', 'nope'",
        "'set', 'n2', 3.7",
        "'rpush', 'l', 1, 2.5, -0.0",
        "'hset', 'h', 'f3', 'v3'",
        "'getrange', 's', 0, 2",
        "'strlen', 's'",
        "'expire', 's', 100",
        "'ttl', 's'",
    };
    return one_of(calls);
  }

  std::string value(int depth) {
    static const std::vector<std::string> ints = {
        "0", "1", "-1", "42", "-7", "2147483648", "2^53", "123456789012", "-9007199254740991"};
    static const std::vector<std::string> floats = {"3.99", "-3.99",  "0.5",   "-0.5",
                                                    "1e10", "2.5e-3", "100.0", "7/2"};
    static const std::vector<std::string> strings = {
        "''",  "'x'",   "'hello world'",        "'a\\0b'",
        "'1'", "'3.5'", "string.rep('ab', 40)", "'\\r\\n'"};
    static const std::vector<std::string> errors = {
        "redis.pcall('incr', 'l')", "redis.pcall('nosuchcmd')", "redis.pcall('get')",
        "redis.pcall('eval', 'return 1', 0)"};
    int kinds = depth >= 3 ? 8 : 13;
    switch (pick(kinds)) {
      case 0:
        return one_of(ints);
      case 1:
        return one_of(floats);
      case 2:
        return one_of(strings);
      case 3:
        return chance(50) ? "true" : "false";
      case 4:
        return "redis.call(" + call_args() + ")";
      case 5:
        switch (pick(6)) {
          case 0:
            return "{ok='STATUS'}";
          case 1:
            return "{err='CODE some message'}";
          case 2:
            return "{err='nocode'}";
          case 3:
            return "redis.status_reply('FINE')";
          case 4:
            return "redis.error_reply('MINE bad')";
          default:
            return one_of(errors);
        }
      case 6:
        return "type(" + value(depth + 1) + ")";
      case 7:
        if (vars_ > 0) return "v" + std::to_string(pick(vars_));
        return one_of(ints);
      case 8:
      case 9: {
        int n = pick(5);
        std::string t = "{";
        for (int i = 0; i < n; i++) {
          if (i) t += ", ";
          t += chance(12) ? "nil" : value(depth + 1);
        }
        return t + "}";
      }
      case 10:
        switch (pick(4)) {
          case 0:
            return "{double=" + (chance(50) ? one_of(floats) : one_of(ints)) + "}";
          case 1:
            return chance(50) ? "{big_number='1234567890123456789012345'}" : "{big_number='-7'}";
          case 2:
            return "{verbatim_string={format='txt', string=" + one_of(strings) + "}}";
          default:
            return "{double='" + std::string(chance(50) ? "inf" : "-inf") + "'}";
        }
      case 11:
        if (chance(50)) return "{map={k1=" + value(depth + 1) + "}}";
        return "{map={k1=" + value(depth + 1) + ", k2=" + value(depth + 1) + "}}";
      default:
        if (chance(50)) return "{set={a=true}}";
        return "{set={a=true, b=true, [" + one_of(ints) + "]=true}}";
    }
  }

  // A script: maybe redis.setresp(3), a few locals, maybe a failing statement, a return.
  std::string script() {
    vars_ = 0;
    std::vector<std::string> lines;
    if (chance(45)) lines.push_back("redis.setresp(3)");
    int locals = pick(3);
    for (int i = 0; i < locals; i++) {
      std::string rhs = chance(70) ? "redis.call(" + call_args() + ")" : value(1);
      lines.push_back("local v" + std::to_string(vars_++) + " = " + rhs);
    }
    if (chance(15)) {
      static const std::vector<std::string> failing = {"redis.call('nosuchcmd')",
                                                       "redis.call('get')",
                                                       "redis.call('incr', 'l')",
                                                       "redis.call('eval', 'return 1', '0')",
                                                       "error('plain')",
                                                       "error({err='CUSTOM boom'})",
                                                       "undefined_global.x = 1",
                                                       "redis.foo = 1",
                                                       "redis.call()",
                                                       "redis.call('get', {})",
                                                       "redis.setresp(7)",
                                                       "local x = undefined_var",
                                                       "local x = #v0",
                                                       "local x = v0.y"};
      lines.push_back(one_of(failing));
    }
    lines.push_back("return " + value(0));
    std::string sep = chance(50) ? "\n" : " ";
    std::string out;
    for (const std::string& l : lines) out += (out.empty() ? "" : sep) + l;
    return out;
  }

 private:
  std::mt19937_64 rng_;
  int vars_ = 0;
};

const std::vector<Args> kSetup = {{"SET", "s", "hello"},
                                  {"SET", "n", "10"},
                                  {"SET", "f", "1.5"},
                                  {"RPUSH", "l", "a", "b", "c"},
                                  {"HSET", "h", "f1", "v1", "f2", "v2"},
                                  {"ZADD", "z", "1.5", "m1", "2", "m2"},
                                  {"SADD", "iset", "3", "1", "2"},
                                  {"SADD", "one", "x"}};

long long env_number(const char* name, long long fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoll(v) : fallback;
}

}  // namespace

TEST_CASE(
    "client scripts: EVAL, EVALSHA, EVAL_RO and RESP3 give redis-server's replies and state") {
  Pair p;
  for (const ScriptCase& k : respite::diff::script_corpus()) {
    const std::string context = "case: " + k.name + "\nscript:\n" + k.body;
    CAPTURE(k.name);
    p.reset(k.setup, context);
    Reply r = p.both(eval_args("EVAL", k.body, k.keys, k.args), context);
    p.check_state(context + "\n(after EVAL)");

    p.reset(k.setup, context);
    Reply sha = p.both({"SCRIPT", "LOAD", k.body}, context);
    p.both(eval_args("EVALSHA", sha.str, k.keys, k.args), context);
    p.check_state(context + "\n(after EVALSHA)");

    p.reset(k.setup, context);
    p.both(eval_args("EVAL_RO", k.body, k.keys, k.args), context);
    p.check_state(context + "\n(after EVAL_RO)");

    p.reset(k.setup, context);
    p.both3(eval_args("EVAL", k.body, k.keys, k.args), context);
    p.check_state(context + "\n(after EVAL over RESP3)");
  }
}

TEST_CASE("error paths give redis-server's replies, word for word") {
  Pair p;
  for (const ErrorCase& e : error_cases()) {
    const std::string context = "case: " + e.name;
    CAPTURE(e.name);
    p.reset(e.setup, context);
    for (const Args& cmd : e.commands) p.both(cmd, context);
    p.check_state(context);
  }
}

TEST_CASE("generated scripts convert every kind of value as redis-server does, RESP2 and RESP3") {
  const uint64_t seed = static_cast<uint64_t>(env_number("RESPITE_SCRIPT_SEED", 1));
  const long long count = env_number("RESPITE_SCRIPT_COUNT", 400);
  const bool trace = std::getenv("RESPITE_SCRIPT_TRACE") != nullptr;
  ScriptGen g(seed);
  Pair p;
  constexpr int kMaxMismatches = 10;  // enough to see a pattern; the rest would be noise
  for (long long i = 0; i < count; i++) {
    if (p.mismatches >= kMaxMismatches) {
      FAIL_CHECK("stopped after " << p.mismatches << " mismatches, at generated script " << i);
      break;
    }
    const std::string body = g.script();
    const std::string cmd = g.chance(20) ? "EVAL_RO" : "EVAL";
    std::ostringstream context;
    context << "generated script " << i << " (RESPITE_SCRIPT_SEED=" << seed
            << " RESPITE_SCRIPT_COUNT=" << i + 1 << "), " << cmd << ":\n"
            << body;
    p.reset(kSetup, context.str());
    Reply r2 = p.both({cmd, body, "0"}, context.str());
    p.check_state(context.str());
    p.reset(kSetup, context.str());
    std::string r3 = p.both3({cmd, body, "0"}, context.str());
    if (trace) {
      MESSAGE(context.str() << "\n-> " << r2.to_string() << "\n-> (RESP3) " << quote_bytes(r3));
    }
    p.check_state(context.str() + "\n(RESP3)");
  }
}
