// In-process tests of EVAL, EVALSHA, their _RO forms and SCRIPT (server/commands/scripting.cpp,
// server/script_run.h) through capturing clients (inproc.h): the argument errors, the script
// cache shared by workers (EVALSHA on another worker, SCRIPT EXISTS, FLUSH), redis.call's checks
// (unknown command, arity, noscript, writes from read-only scripts), SELECT inside a script not
// reaching the caller, blocking commands answering at once, SORT of a set ordered inside scripts,
// undeclared keys (a graduated script meeting a busy shard before and after writing), scripts
// inside MULTI/EXEC, NOTBUSY, FCALL, and the shebang flags against the commands. Expectations were
// checked against redis-server 7.0.15.
#include <doctest.h>

#include <atomic>
#include <string>
#include <thread>

#include "server/script_run.h"
#include "server/server.h"
#include "server/worker.h"
#include "storage/hash.h"
#include "tests/unit/server/inproc.h"

using namespace respite::test;

namespace {
// SHA1 of "return 1", as redis-server computes it.
constexpr std::string_view kReturnOne = "e0e1f9fabfc9d4800c877a703b823ac0578ff8db";

// True when reply is an error whose text starts with prefix.
bool error_starts(const Reply& r, std::string_view prefix) {
  return r.type == Reply::Type::kError && r.str.rfind(prefix, 0) == 0;
}
}  // namespace

TEST_CASE("EVAL's argument errors") {
  Inproc s;
  CHECK(s.run({"EVAL", "return 1", "x"}) ==
        Reply::Err("ERR value is not an integer or out of range"));
  CHECK(s.run({"EVAL", "return 1", "2", "a"}) ==
        Reply::Err("ERR Number of keys can't be greater than number of args"));
  CHECK(s.run({"EVAL", "return 1", "-1"}) == Reply::Err("ERR Number of keys can't be negative"));
  CHECK(s.run({"EVALSHA", "abc", "0"}) ==
        Reply::Err("NOSCRIPT No matching script. Please use EVAL."));
  CHECK(s.run({"EVALSHA", kReturnOne, "0"}) ==
        Reply::Err("NOSCRIPT No matching script. Please use EVAL."));
  CHECK(error_starts(s.run({"EVAL", "return (", "0"}),
                     "ERR Error compiling script (new function): user_script:1:"));
}

TEST_CASE("scripts are cached for every worker; SCRIPT FLUSH forgets them everywhere") {
  Inproc s(2);
  InprocClient& other = s.add_client(1);
  CHECK(s.run({"EVAL", "return 1", "0"}) == Reply::Int(1));
  CHECK(other.run({"EVALSHA", kReturnOne, "0"}) == Reply::Int(1));
  CHECK(other.run({"EVALSHA", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB", "0"}) == Reply::Int(1));
  CHECK(other.run({"SCRIPT", "EXISTS", kReturnOne, "ffff"}) ==
        Reply::Arr({Reply::Int(1), Reply::Int(0)}));
  CHECK(other.run({"SCRIPT", "LOAD", "return 2"}) ==
        Reply::Str("7f923f79fe76194c868d7e1d0820de36700eb649"));
  CHECK(s.run({"EVALSHA", "7f923f79fe76194c868d7e1d0820de36700eb649", "0"}) == Reply::Int(2));
  CHECK(s.run({"SCRIPT", "FLUSH", "bogus"}) ==
        Reply::Err("ERR SCRIPT FLUSH only support SYNC|ASYNC option"));
  CHECK(other.run({"SCRIPT", "FLUSH", "ASYNC"}) == OK());
  CHECK(s.run({"EVALSHA", kReturnOne, "0"}) ==
        Reply::Err("NOSCRIPT No matching script. Please use EVAL."));
  CHECK(s.run({"SCRIPT", "EXISTS", kReturnOne}) == Reply::Arr({Reply::Int(0)}));
  CHECK(s.run({"SCRIPT", "KILL"}) == Reply::Err("NOTBUSY No scripts in execution right now."));
}

TEST_CASE("redis.call refuses what Redis refuses inside scripts") {
  Inproc s;
  CHECK(error_starts(s.run({"EVAL", "return redis.call('nosuch')", "0"}),
                     "ERR Unknown Redis command called from script script: "));
  CHECK(error_starts(s.run({"EVAL", "return redis.call('get')", "0"}),
                     "ERR Wrong number of args calling Redis command from script script: "));
  CHECK(error_starts(s.run({"EVAL", "return redis.call('multi')", "0"}),
                     "ERR This Redis command is not allowed from script script: "));
  CHECK(error_starts(s.run({"EVAL", "return redis.call('config')", "0"}),
                     "ERR Wrong number of args calling Redis command from script script: "));
  CHECK(error_starts(s.run({"EVAL_RO", "return redis.call('set','k','v')", "0"}),
                     "ERR Write commands are not allowed from read-only scripts. script: "));
  CHECK(error_starts(s.run({"EVAL_RO", "return redis.call('publish','ch','m')", "0"}),
                     "ERR Write commands are not allowed from read-only scripts. script: "));
  CHECK(s.run({"EVAL_RO", "#!lua\nreturn 1", "0"}) ==
        Reply::Err("ERR Can not execute a script with write flag using *_ro command."));
  CHECK(s.run({"EVAL_RO", "#!lua flags=no-writes\nreturn 1", "0"}) == Reply::Int(1));
  CHECK(error_starts(s.run({"EVAL", "#!lua flags=no-writes\nreturn redis.call('del','k')", "0"}),
                     "ERR Write commands are not allowed from read-only scripts. script: "));
  // pcall gives the error as a table instead of raising it.
  CHECK(s.run({"EVAL", "return redis.pcall('nosuch')['err']", "0"}) ==
        Reply::Str("ERR Unknown Redis command called from script"));
}

TEST_CASE("a script's SELECT stays in the script; its writes reach the databases") {
  Inproc s;
  CHECK(s.run({"EVAL", "redis.call('select', 9); return redis.call('set', 'k', 'nine')", "0"}) ==
        OK());
  CHECK(s.run({"GET", "k"}) == Reply::Nil());
  CHECK(s.run({"SELECT", "9"}) == OK());
  CHECK(s.run({"GET", "k"}) == Reply::Str("nine"));
  // A script starts in its caller's database.
  CHECK(s.run({"EVAL", "return redis.call('get', KEYS[1])", "1", "k"}) == Reply::Str("nine"));
}

TEST_CASE("blocking commands are refused inside a script; SORT of a set is ordered there") {
  Inproc s;
  CHECK(error_starts(s.run({"EVAL", "return redis.call('blpop', 'none', 0)", "0"}),
                     "ERR This Redis command is not allowed from script script: "));
  CHECK(s.run({"SADD", "set", "c", "a", "b"}) == Reply::Int(3));
  CHECK(s.run({"EVAL", "return redis.call('sort', KEYS[1], 'by', 'nosort')", "1", "set"}) ==
        Reply::Arr({Reply::Str("a"), Reply::Str("b"), Reply::Str("c")}));
}

TEST_CASE("undeclared keys are read and written; scripts run inside MULTI/EXEC") {
  Inproc s(2);
  InprocClient& other = s.add_client(1);
  CHECK(other.run({"MSET", "a", "1", "b", "2"}) == OK());
  const char* move =
      "local v = redis.call('get', 'a'); redis.call('set', 'a', 0);"
      "return redis.call('incrby', 'b', v)";
  CHECK(s.run({"EVAL", move, "0"}) == Reply::Int(3));
  CHECK(other.run({"MGET", "a", "b"}) == Reply::Arr({Reply::Str("0"), Reply::Str("3")}));
  CHECK(s.run({"EVAL", "return redis.call('dbsize')", "0"}) == Reply::Int(2));
  CHECK(s.run({"MULTI"}) == OK());
  CHECK(s.run({"EVAL", "return redis.call('incr', 'a')", "0"}) == Reply::Status("QUEUED"));
  CHECK(s.run({"EVAL", "return redis.call('incr', KEYS[1])", "1", "b"}) == Reply::Status("QUEUED"));
  CHECK(s.run({"EXEC"}) == Reply::Arr({Reply::Int(1), Reply::Int(4)}));
}

TEST_CASE("FCALL runs a library's functions on every worker, with their flags") {
  Inproc s(2);
  InprocClient& other = s.add_client(1);
  CHECK(s.run({"FUNCTION", "LOAD",
               "#!lua name=lib\n"
               "redis.register_function('incr', function(keys, args) return redis.call('incr', "
               "keys[1]) end)\n"
               "redis.register_function{function_name='peek', callback=function(keys) return "
               "redis.call('get', keys[1]) end, flags={'no-writes'}}"}) == Reply::Str("lib"));
  CHECK(s.run({"FCALL", "incr", "1", "n"}) == Reply::Int(1));
  CHECK(other.run({"FCALL", "INCR", "1", "n"}) == Reply::Int(2));  // any case, any worker
  CHECK(other.run({"FCALL_RO", "peek", "1", "n"}) == Reply::Str("2"));
  CHECK(other.run({"FCALL_RO", "incr", "1", "n"}) ==
        Reply::Err("ERR Can not execute a script with write flag using *_ro command."));
  CHECK(s.run({"FCALL", "nosuch", "0"}) == Reply::Err("ERR Function not found"));
  CHECK(s.run({"FCALL", "incr", "x"}) == Reply::Err("ERR Bad number of keys provided"));
  CHECK(s.run({"FCALL", "incr", "2", "n"}) ==
        Reply::Err("ERR Number of keys can't be greater than number of args"));
  CHECK(s.run({"FUNCTION", "KILL"}) == Reply::Err("NOTBUSY No scripts in execution right now."));
  CHECK(s.run({"FUNCTION", "DELETE", "lib"}) == OK());
  CHECK(other.run({"FCALL", "incr", "1", "n"}) == Reply::Err("ERR Function not found"));
}

namespace {

// Two keys on different shards of database 0, and the shard of the second.
struct TwoShards {
  std::string declared = "d0", other;
  respite::storage::Shard* other_shard = nullptr;
  explicit TwoShards(Inproc& s) {
    respite::storage::Keyspace& ks = s.srv->store.db(0);
    auto shard = [&](const std::string& k) { return &ks.shard_for(respite::storage::hash_key(k)); };
    for (int i = 0; other.empty(); i++) {
      std::string k = "u" + std::to_string(i);
      if (shard(k) != shard(declared)) other = k;
    }
    other_shard = shard(other);
  }
};

// Runs the script until it has graduated (runs holding only its declared keys' shards).
void graduate(Inproc& s, const char* body, const std::string& key, const std::string& arg) {
  for (int i = 0; i < 4; i++) s.run({"EVAL", body, "1", key, arg});
}

}  // namespace

TEST_CASE("a graduated script that meets a busy undeclared shard before writing runs again") {
  // Another thread holds the undeclared key's shard: the script, which has only read, is
  // abandoned and runs again holding the whole database, which waits for the holder. The holder
  // lets go once it sees the abandoned run; the script's reply is that of its second run.
  Inproc s;
  TwoShards t(s);
  CHECK(s.run({"SET", t.other, "v"}) == OK());
  const char* body =
      "local v = false if ARGV[1] ~= '' then v = redis.call('get', ARGV[1]) end "
      "redis.call('incr', KEYS[1]) return v";
  graduate(s, body, t.declared, "");  // declared keys only: graduates
  auto& ws = *s.srv->workers[0]->scripting;
  uint64_t before = ws.abandoned.load();
  std::atomic<bool> held{false};
  std::thread holder([&] {
    std::lock_guard<respite::storage::Shard> lock(*t.other_shard);
    held = true;
    while (ws.abandoned.load(std::memory_order_acquire) == before) std::this_thread::yield();
  });
  while (!held.load()) std::this_thread::yield();
  CHECK(s.run({"EVAL", body, "1", t.declared, t.other}) == Reply::Str("v"));
  holder.join();
  CHECK(ws.abandoned.load() == before + 1);
  CHECK(s.run({"GET", t.declared}) == Reply::Str("5"));  // 4 graduation runs + 1: incr once
}

TEST_CASE("a graduated script that wrote and then meets a busy undeclared shard fails that call") {
  // It cannot be abandoned (it wrote): after a bounded wait redis.call fails with respite's
  // error, what it wrote stays (as after any script error), and its next run holds the database.
  Inproc s;
  TwoShards t(s);
  const char* body =
      "redis.call('incr', KEYS[1]) if ARGV[1] ~= '' then redis.call('set', ARGV[1], 'x') end "
      "return 1";
  graduate(s, body, t.declared, "");
  std::atomic<int> step{0};
  std::thread holder([&] {
    std::lock_guard<respite::storage::Shard> lock(*t.other_shard);
    step = 1;
    while (step.load() != 2) std::this_thread::yield();
  });
  while (step.load() != 1) std::this_thread::yield();
  Reply r = s.run({"EVAL", body, "1", t.declared, t.other});
  step = 2;
  holder.join();
  CHECK(error_starts(r, "ERR Script accessed an undeclared key whose shard another client held"));
  CHECK(s.run({"GET", t.declared}) == Reply::Str("5"));
  CHECK(s.run({"EXISTS", t.other}) == Reply::Int(0));
  CHECK(s.run({"EVAL", body, "1", t.declared, t.other}) == Reply::Int(1));  // whole database now
  CHECK(s.run({"GET", t.other}) == Reply::Str("x"));
}
