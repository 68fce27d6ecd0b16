// libFuzzer target for command execution: each input decodes to a sequence of commands over the
// whole command table, with arguments drawn from a dictionary of values that break parsers and
// type checks (int64 and double edges, inf/nan, option keywords, a few shared key names so that
// commands meet each other's keys with the wrong type, binary bytes, empty strings), run by three
// in-process clients (server/reply_capture.h) against a server reset between inputs. It aborts when
// an invariant breaks: a reply that is not well-formed RESP (the capture reads every byte back), an
// ordinary command that did not answer exactly once, or a keyspace whose own counts disagree with
// what reading it back finds (DBSIZE against KEYS, every collection's length against its
// elements). ASan, UBSan and LeakSanitizer catch the rest. FUZZ_COMMANDS_TRACE=1 prints each
// decoded command and its replies: run it on a crash input to read the reproduction.
//
// Input format (what the seeds in corpus_commands/ are written in):
//   command := head:u8 sel:u8 [name] argc:u8 arg*
//   head    bits 0-1 pick the client (3 counts as 0); bit 2 mixes the name's case
//   sel     0xFF: a literal name follows (len:u8, bytes); 0xFE: an unknown name (next byte picks);
//           else (sel << 8 | next byte) picks from the table's commands and subcommands
//   argc    below 0xF0: argc % 8 arguments; else 8 + 4 * (argc - 0xF0)
//   arg     tag below 0xE0: dictionary value tag; 0xFF: literal (len:u8, bytes); else an integer
//           from the next four bytes (little-endian, signed)
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/config.h"
#include "server/connection.h"
#include "server/pubsub.h"
#include "server/reply_capture.h"
#include "server/server.h"
#include "server/worker.h"
#include "storage/entry.h"
#include "storage/epoch.h"

using namespace respite;
using protocol::RespValue;

namespace {

void check(bool ok, const char* what, const std::string& detail = {}) {
  if (ok) return;
  fprintf(stderr, "invariant broken: %s %s\n", what, detail.c_str());
  abort();
}

bool trace() {
  static const bool on = getenv("FUZZ_COMMANDS_TRACE") != nullptr;
  return on;
}

// Argument values. Keys first: a small set that every family writes to.
const std::vector<std::string>& dictionary() {
  static const std::vector<std::string> d = [] {
    std::vector<std::string> v = {
        // keys, shared by every family; {a} tags share a hash slot
        "a", "b", "c", "k", "l", "h", "s", "z", "{a}b", "{a}c",
        // integers at the edges
        "0", "1", "-1", "2", "3", "5", "10", "100", "-100", "128", "129", "512", "513", "65535",
        "2147483647", "-2147483648", "4294967295", "4294967296", "9223372036854775807",
        "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
        "18446744073709551615", "536870911", "536870912", "-0", "+1", "01", "1 ", " 1", "0x10",
        // doubles and their spellings
        "0.5", "-0.5", "1.5", "3.0", "0.01", "-0.0", "1e10", "1e-10", "1e400", "-1e400",
        "1.7976931348623157e308", "-1.7976931348623157e308", "4.9e-324", "inf", "-inf", "+inf",
        "nan", "-nan", "NaN", "Infinity", "1.", ".5", "1e", "e1",
        // range bounds (ZRANGEBYSCORE, ZRANGEBYLEX)
        "(1", "(-1", "[a", "[z", "(a", "-", "+", "(inf", "(-inf", "[", "(", "((1",
        // options
        "EX", "PX", "EXAT", "PXAT", "NX", "XX", "GT", "LT", "CH", "INCR", "KEEPTTL", "GET",
        "PERSIST", "WITHSCORES", "WITHSCORE", "LIMIT", "COUNT", "MATCH", "TYPE", "BYSCORE", "BYLEX",
        "REV", "LEFT", "RIGHT", "BEFORE", "AFTER", "RANK", "MAXLEN", "IDX", "LEN", "MINMATCHLEN",
        "WITHMATCHLEN", "AGGREGATE", "SUM", "MIN", "MAX", "WEIGHTS", "STORE", "BY", "ALPHA", "ASC",
        "DESC", "ASYNC", "SYNC", "REPLACE", "DB", "ABSTTL", "IDLETIME", "FREQ", "ON", "OFF", "SKIP",
        "NOLOOP", "BCAST", "OPTIN", "OPTOUT", "PREFIX", "REDIRECT", "YES", "NO", "ID", "ADDR",
        "LADDR", "SKIPME", "MAXAGE", "USER", "WITHVALUES", "OVERFLOW", "WRAP", "SAT", "FAIL", "u8",
        "i8", "i64", "u63", "u64", "i1", "#0", "#1", "SET", "INCRBY", "BIT", "BYTE", "AND", "OR",
        "XOR", "NOT", "CHANNELS", "NUMSUB", "NUMPAT", "SHARDCHANNELS", "LOAD", "FLUSH", "EXISTS",
        "KILL", "LIST", "STATS", "DUMP", "RESTORE", "APPEND", "FUNCTIONS", "LIBRARYNAME",
        "WITHCODE", "SCHEDULE", "NOSAVE", "ABORT", "RESETSTAT", "USAGE", "SAMPLES", "ENCODING",
        "REFCOUNT", "MINID", "string", "list", "set", "zset", "hash", "stream", "none", "*", "?",
        "[a-z]*", "h*llo", "\\", "a*", "*a*b*c*", "[^a]", "[", "normal", "pubsub", "master",
        "replica",
        // CONFIG parameters (dir, logfile and friends are never set: see skip())
        "maxmemory", "maxmemory-policy", "allkeys-lru", "volatile-ttl", "hash-max-listpack-entries",
        "zset-max-listpack-entries", "set-max-intset-entries", "list-max-listpack-size",
        "notify-keyspace-events", "KEA", "latency-tracking", "slowlog-log-slower-than",
        "compression-threshold", "lua-time-limit", "timeout", "maxclients", "requirepass", "hz",
        "latency-monitor-threshold",
        // HELLO
        "HELLO", "AUTH", "default", "SETNAME",
        // scripts
        "return 1", "return redis.call('incr',KEYS[1])", "return redis.call('get',KEYS[1])",
        "return {1,2,{3,'x'},redis.status_reply('OK'),redis.error_reply('E x')}",
        "redis.call('set',KEYS[1],ARGV[1]) return redis.call('lpush',KEYS[1],'x')",
        "return redis.pcall('nosuch')", "return 3.99", "return redis.call('ping')",
        "#!lua flags=no-writes\nreturn redis.call('set','a','b')",
        "#!lua name=lib\nredis.register_function('f', function(k, a) return #k end)",
        "#!lua name=lib2\nredis.register_function{function_name='g', callback=function(k, a) "
        "return redis.call('get', k[1]) end, flags={'no-writes'}}",
        "return cjson.encode({1,2})", "return redis.sha1hex('')", "return {err='x'}",
        "return redis.call('multi')", "return redis.setresp(3)", "f", "g", "lib",
        "e0e5ec5fbba15c1fa2e3cbf8a0e3b2ec84c8bd2f",
        // binary and awkward bytes
        "", std::string("\0", 1), "\xff\xfe", "a\r\nb", "\r\n", "*1\r\n$4\r\nPING\r\n", "\"", "'",
        "é", std::string(65, 'x'), std::string(300, 'y'), std::string(70, 'C')};
    return v;
  }();
  return d;
}

// Names that are not commands: empty, binary, near misses, one past the table's name limit.
const std::vector<std::string>& unknown_names() {
  static const std::vector<std::string> v = {"",     "nosuch",    std::string("get\0", 4), "GETT",
                                             "\xff", "a b",       std::string(70, 'g'),    "host:",
                                             "post", "config|get"};
  return v;
}

// One way of calling a command: its name, and a subcommand for the containers.
struct Invocation {
  std::string name, sub;
};

// Every command and subcommand in the table (sorted by name, so fixed for a given table), each
// container also bare and with an unknown subcommand.
std::vector<Invocation> invocations(const server::CommandTable& t) {
  std::vector<Invocation> out;
  for (const server::Command* c : t.all()) {
    if (c->subcommands.empty()) {
      out.push_back({c->name, ""});
      continue;
    }
    out.push_back({c->name, ""});
    out.push_back({c->name, "nosuchsub"});
    for (const auto& s : c->subcommands)
      out.push_back({c->name, s->name.substr(s->name.find('|') + 1)});
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

// Commands the fuzzer never runs: they end the process, write files, or flush what the other
// commands built (the fuzzer flushes between inputs itself). CONFIG SET of a
// path (dir, logfile, ...) would write files; of proto-max-bulk-len would lift the cap that keeps
// SETRANGE and SETBIT from allocating 512 MB, which Redis does too but which is no bug to find;
// of requirepass (like ACL) would lock the fuzzer's clients out for the rest of the run; of port
// or bind would open real listening sockets on the machine.
// PFSELFTEST takes no input and runs for seconds under the sanitizers: libFuzzer's timeout.
bool skip(const std::vector<std::string>& argv) {
  std::string name = lower(argv[0]);
  for (const char* s : {"shutdown", "debug", "monitor", "flushall", "flushdb", "save", "bgsave",
                        "bgrewriteaof", "replicaof", "slaveof", "sync", "psync", "failover", "wait",
                        "waitaof", "module", "acl", "migrate", "pfselftest"}) {
    if (name == s) return true;
  }
  if (name == "config") {
    for (size_t i = 2; i < argv.size(); i++) {
      std::string a = lower(argv[i]);
      for (const char* p :
           {"dir", "logfile", "dbfilename", "pidfile", "appendfilename", "unixsocket", "aclfile",
            "proto-max-bulk-len", "client-query-buffer-limit", "requirepass", "port", "bind"}) {
        if (a == p) return true;
      }
    }
    if (argv.size() > 1 && lower(argv[1]) == "rewrite") return true;
  }
  if (name == "client" && argv.size() > 1 && lower(argv[1]) == "pause") return true;
  // A negative count asks for that many picks with repetition: Redis builds the whole reply as
  // well. Bounded here so that a run measures crashes, not the size of a legitimate reply.
  if ((name == "srandmember" || name == "zrandmember" || name == "hrandfield") && argv.size() > 2) {
    long long n = strtoll(argv[2].c_str(), nullptr, 10);
    if (n < -100000) return true;
  }
  return false;
}

// Script text the fuzzer wrote itself (a literal argument) that could loop or allocate without
// end: a script runs until it returns (SCRIPT KILL needs another connection's loop), so such a
// body would read as a hang. The dictionary's scripts are known to end.
bool may_not_end(const std::vector<std::string>& argv, const std::vector<bool>& literal) {
  std::string name = lower(argv[0]);
  if (name.rfind("eval", 0) != 0 && name.rfind("fcall", 0) != 0 && name != "function" &&
      name != "script")
    return false;
  for (size_t i = 1; i < argv.size(); i++) {
    if (!literal[i]) continue;
    for (const char* word : {"while", "repeat", "for", "goto", "function", "rep"})
      if (argv[i].find(word) != std::string::npos) return true;
  }
  return false;
}

// Reads the input front to back; past the end every read is 0 and done() is true.
struct Reader {
  const uint8_t* p;
  size_t n;
  bool done() const { return n == 0; }
  uint8_t u8() {
    if (n == 0) return 0;
    n--;
    return *p++;
  }
  std::string bytes(size_t len) {
    if (len > n) len = n;
    std::string s(reinterpret_cast<const char*>(p), len);
    p += len;
    n -= len;
    return s;
  }
};

// The server inputs run against: one worker (its loop never runs; poll() runs what was posted),
// set up as tests/unit/server/inproc.cpp does, made once and reset between inputs. A fresh
// Server per input would be simpler, but its lazy-free thread's start and join cost tens of
// milliseconds on a loaded machine: fifteen inputs a second instead of hundreds. What an input
// can leave behind is undone by reset(): its clients (and with them subscriptions, watches,
// tracking, blocked waits), every key, scripts and functions, statistics, the slow and latency
// logs, the configuration (each parameter set back to its start-up value), and the random state.
struct World {
  server::Config config;
  std::unique_ptr<server::Server> srv;
  std::vector<std::unique_ptr<server::ReplyCapture>> clients;
  std::vector<std::pair<std::string, std::string>> initial_config;

  World() {
    config.threads = 1;
    config.shards = 16;  // few shards: FLUSHALL between inputs stays cheap
    // The cap SETRANGE, APPEND and SETBIT check: keeps a single command's allocation small.
    config.proto_max_bulk_len.store(1 << 20);
    srv = std::make_unique<server::Server>(&config);
    auto w = std::make_unique<server::Worker>(srv.get(), 0);
    w->epoch = srv->store.epochs().join();
    srv->workers.push_back(std::move(w));
    storage::t_access_policy = &srv->access_policy;
    RespValue all = admin({"CONFIG", "GET", "*"});
    for (size_t i = 0; i + 1 < all.elements.size(); i += 2)
      initial_config.emplace_back(all.elements[i].str, all.elements[i + 1].str);
  }
  std::unique_ptr<server::ReplyCapture> new_client() {
    return std::make_unique<server::ReplyCapture>(*srv->workers[0], /*listed=*/true);
  }
  void poll() { uv_run(&srv->workers[0]->loop, UV_RUN_NOWAIT); }
  // One command on a client of its own (a new one is never muted, subscribed or in MULTI).
  RespValue admin(std::vector<std::string_view> argv) {
    server::ReplyCapture c(*srv->workers[0]);
    std::vector<RespValue> r = c.run(argv);
    return r.empty() ? RespValue::null() : r[0];
  }
  void start_input() {
    srv->workers[0]->rng.state = 0x9e3779b97f4a7c15ull;  // SPOP, RANDOMKEY: same picks on replay
    for (int i = 0; i < 3; i++) clients.push_back(new_client());
  }
  void reset(bool config_touched) {
    clients.clear();
    poll();
    if (config_touched) {
      for (const auto& [name, value] : initial_config) admin({"CONFIG", "SET", name, value});
    }
    for (std::vector<std::string_view> argv :
         std::initializer_list<std::vector<std::string_view>>{{"FLUSHALL", "SYNC"},
                                                              {"SCRIPT", "FLUSH"},
                                                              {"FUNCTION", "FLUSH"},
                                                              {"CONFIG", "RESETSTAT"},
                                                              {"SLOWLOG", "RESET"},
                                                              {"LATENCY", "RESET"}}) {
      admin(argv);
    }
    poll();
    // Frees what the input deleted: the worker's loop would collect at the end of its batches.
    // Left retired, it would pile up from input to input, and LeakSanitizer cannot see through
    // an entry to the collection it points to (so it reports that as leaked).
    storage::Participant* p = srv->workers[0]->epoch;
    for (int i = 0; i < 8 && p->pending() > 0; i++) p->collect();
  }
};

bool is_subscribe_family(std::string_view name) {
  for (const char* s :
       {"subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe"}) {
    if (name == s) return true;
  }
  return false;
}

void check_wellformed(const std::vector<RespValue>& replies, const std::string& cmd) {
  for (const RespValue& r : replies) {
    check(!(r.type == RespValue::Type::kError && r.str.rfind("ERR reply capture:", 0) == 0),
          "reply is not well-formed RESP:", cmd + " -> " + r.str);
  }
}

std::string show(const std::vector<std::string>& argv) {
  std::string s;
  for (const std::string& a : argv) {
    s += s.empty() ? "" : " ";
    s += '"';
    for (unsigned char ch : a) {
      if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\') {
        s += static_cast<char>(ch);
      } else {
        char buf[8];
        snprintf(buf, sizeof buf, "\\x%02x", ch);
        s += buf;
      }
    }
    s += '"';
  }
  return s;
}

void print_value(const RespValue& v, int depth) {
  fprintf(stderr, "%*s", depth * 2, "");
  if (v.elements.empty() && !v.str.empty())
    fprintf(stderr, "%d %s\n", static_cast<int>(v.type), show({v.str}).c_str());
  else
    fprintf(stderr, "%d int=%lld n=%zu\n", static_cast<int>(v.type),
            static_cast<long long>(v.integer), v.elements.size());
  for (const RespValue& e : v.elements) print_value(e, depth + 1);
}

// Runs argv on client `who` and checks what came back.
void run_one(World& w, size_t who, const std::vector<std::string>& argv) {
  auto& cl = w.clients[who];
  server::Connection& conn = cl->conn();
  // A client that QUIT, was killed or is blocked is replaced: the next commands need a live one,
  // and closing a blocked client is a path of its own (its wait is detached).
  if (conn.closing() || conn.blocked()) {
    cl.reset();
    w.poll();
    cl = w.new_client();
  }
  server::Connection& c = cl->conn();
  // What arrived since its last command (a blocked command's answer, messages) is not this
  // command's reply.
  w.poll();
  check_wellformed(cl->take(), "(pending)");
  const bool muted_before = c.reply_mode != server::Connection::ReplyMode::kOn;
  const bool pubsub_before = c.pubsub_mode();
  std::vector<std::string_view> views(argv.begin(), argv.end());
  w.poll();
  std::vector<RespValue> replies = cl->run(views);
  const std::string shown = show(argv);
  if (trace()) {
    fprintf(stderr, "[%zu] %s\n", who, shown.c_str());
    for (const RespValue& r : replies) print_value(r, 1);
  }
  check_wellformed(replies, shown);
  // An ordinary command answers exactly once. Not checked where Redis itself does not: muted by
  // CLIENT REPLY, blocked, (un)subscribing (one confirmation per channel), or a RESP2 subscriber,
  // whose messages are arrays like replies. RESP3 pushes (messages, invalidations) are not
  // replies: not counted.
  const bool muted_after = c.reply_mode != server::Connection::ReplyMode::kOn;
  if (!muted_before && !muted_after && !c.blocked() && !is_subscribe_family(lower(argv[0])) &&
      !(c.reply.resp() == 2 && (pubsub_before || c.pubsub_mode()))) {
    size_t n = 0;
    for (const RespValue& r : replies) n += r.type != RespValue::Type::kPush;
    if (c.reply.resp() == 2 && c.tracking) n = n ? 1 : 0;  // invalidations in RESP2 redirect
    check(n == 1, "expected exactly one reply:", shown + " got " + std::to_string(n));
  }
}

// The keyspace read back through commands agrees with its own counts: in every database, DBSIZE
// equals what KEYS * lists (when no key has a TTL that could lapse between the two), and each
// collection's length equals the number of elements a full read returns.
void check_keyspace(World& w) {
  server::ReplyCapture checker(*w.srv->workers[0]);
  auto one = [&](std::vector<std::string_view> argv) {
    std::vector<RespValue> r = checker.run(argv);
    check(r.size() == 1, "checker reply count");
    return r[0];
  };
  for (int db = 0; db < w.srv->store.databases(); db++) {
    std::string dbs = std::to_string(db);
    RespValue sel = one({"SELECT", dbs});
    if (sel.type != RespValue::Type::kSimple) return;  // SELECT refused (e.g. requirepass set)
    RespValue size = one({"DBSIZE"});
    RespValue keys = one({"KEYS", "*"});
    check(size.type == RespValue::Type::kInteger && keys.type == RespValue::Type::kArray,
          "DBSIZE / KEYS types");
    if (w.srv->store.db(db).expires() == 0)
      check(static_cast<size_t>(size.integer) == keys.elements.size(), "DBSIZE == KEYS *",
            std::to_string(size.integer) + " vs " + std::to_string(keys.elements.size()));
    for (const RespValue& k : keys.elements) {
      RespValue type = one({"TYPE", k.str});
      const std::string& t = type.str;
      auto length = [&](const char* len_cmd, std::vector<std::string_view> read, size_t per) {
        RespValue len = one({len_cmd, k.str});
        RespValue all = one(read);
        if (len.type != RespValue::Type::kInteger || all.type != RespValue::Type::kArray)
          return;  // expired between the calls
        check(static_cast<size_t>(len.integer) * per == all.elements.size(), "collection length",
              t + " " + show({k.str}));
      };
      if (t == "list") length("LLEN", {"LRANGE", k.str, "0", "-1"}, 1);
      if (t == "set") length("SCARD", {"SMEMBERS", k.str}, 1);
      if (t == "zset") length("ZCARD", {"ZRANGE", k.str, "0", "-1", "WITHSCORES"}, 2);
      if (t == "hash") length("HLEN", {"HGETALL", k.str}, 2);
      if (t == "string") {
        RespValue len = one({"STRLEN", k.str});
        RespValue val = one({"GET", k.str});
        if (len.type == RespValue::Type::kInteger && val.type == RespValue::Type::kBulk)
          check(static_cast<size_t>(len.integer) == val.str.size(), "STRLEN == GET's size");
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World& w = *new World;  // lives as long as the process (see World)
  static const std::vector<Invocation> table = invocations(w.srv->commands);
  w.start_input();
  bool config_touched = false;
  const auto& dict = dictionary();
  Reader in{data, size};
  for (int count = 0; count < 256 && !in.done(); count++) {
    const uint8_t head = in.u8();
    const size_t who = (head & 3) == 3 ? 0 : head & 3;
    std::vector<std::string> argv;
    const uint8_t sel = in.u8();
    if (sel == 0xFF) {
      argv.push_back(in.bytes(in.u8()));
    } else if (sel == 0xFE) {
      argv.push_back(unknown_names()[in.u8() % unknown_names().size()]);
    } else {
      const Invocation& inv = table[((size_t(sel) << 8) | in.u8()) % table.size()];
      argv.push_back(inv.name);
      if (!inv.sub.empty()) argv.push_back(inv.sub);
    }
    if (head & 4) {  // mixed case: the table's lookup folds case
      for (size_t i = 0; i < argv[0].size(); i += 2)
        argv[0][i] = static_cast<char>(std::toupper(static_cast<unsigned char>(argv[0][i])));
    }
    std::vector<bool> literal(argv.size(), false);
    const uint8_t argc = in.u8();
    const size_t nargs = argc < 0xF0 ? argc % 8 : 8 + 4 * size_t(argc - 0xF0);
    for (size_t i = 0; i < nargs && !in.done(); i++) {
      const uint8_t tag = in.u8();
      literal.push_back(tag == 0xFF);
      if (tag < 0xE0) {
        argv.push_back(dict[tag % dict.size()]);
      } else if (tag == 0xFF) {
        argv.push_back(in.bytes(in.u8()));
      } else {
        uint32_t u = 0;
        for (int b = 0; b < 4; b++) u |= uint32_t(in.u8()) << (8 * b);
        argv.push_back(std::to_string(static_cast<int32_t>(u)));
      }
    }
    if (skip(argv) || may_not_end(argv, literal)) continue;
    config_touched |= lower(argv[0]) == "config";
    run_one(w, who, argv);
  }
  w.poll();
  check_keyspace(w);
  w.reset(config_touched);
  return 0;
}
