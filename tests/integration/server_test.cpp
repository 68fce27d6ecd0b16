// Server and connection administration over the wire: INFO, CONFIG GET/SET, COMMAND (COUNT, INFO,
// DOCS, which redis-cli and client libraries read), CLIENT, HELLO in both protocol versions, AUTH
// with requirepass, TIME, and the two ways a server is told to stop (SHUTDOWN and SIGTERM).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/integration/harness.h"

using namespace respite::test;
using namespace std::chrono_literals;

namespace {
bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// The value after `key` in a flattened RESP2 map, or nil.
Reply map_get(const Reply& map, const std::string& key) {
  for (size_t i = 0; i + 1 < map.elements.size(); i += 2) {
    if (map.elements[i].str == key) return map.elements[i + 1];
  }
  return Reply::Nil();
}
}  // namespace

TEST_CASE("INFO sections") {
  Fixture f;
  Reply all = f.cmd({"INFO"});
  REQUIRE(all.type == Reply::Type::kString);
  CHECK(contains(all.str, "# Server\r\n"));
  CHECK(contains(all.str, "\r\nredis_version:7.0.15\r\n"));
  CHECK(contains(all.str, "\r\nredis_mode:standalone\r\n"));
  CHECK(info_field(all.str, "tcp_port") == f.server.port());
  CHECK(info_field(all.str, "connected_clients") >= 1);
  CHECK(info_field(all.str, "used_memory") > 0);
  if (f.server.is_respite()) {
    CHECK(contains(all.str, "\r\nrespite_version:"));
  }

  Reply server = f.cmd({"INFO", "server"});
  CHECK(server.str.rfind("# Server\r\n", 0) == 0);
  CHECK(!contains(server.str, "# Keyspace"));

  CHECK(f.cmd({"SET", "a", "1"}) == OK());
  CHECK(f.cmd({"SET", "b", "1", "EX", "100"}) == OK());
  CHECK(f.cmd({"SELECT", "3"}) == OK());
  CHECK(f.cmd({"SET", "c", "1"}) == OK());
  Reply keyspace = f.cmd({"INFO", "keyspace"});
  CHECK(keyspace.str.rfind("# Keyspace\r\n", 0) == 0);
  CHECK(contains(keyspace.str, "\r\ndb0:keys=2,expires=1,avg_ttl="));
  CHECK(contains(keyspace.str, "\r\ndb3:keys=1,expires=0,avg_ttl=0\r\n"));
  CHECK(!contains(keyspace.str, "db1:"));  // empty databases are not listed
  Reply two = f.cmd({"INFO", "server", "keyspace"});
  CHECK(contains(two.str, "# Server\r\n"));
  CHECK(contains(two.str, "# Keyspace\r\n"));
}

TEST_CASE("INFO threads and per-worker CPU: every worker's connections, commands and CPU") {
  Fixture f(workers(2));
  if (!f.server.is_respite()) return;  // a respite section
  // Connections until both workers hold one (SO_REUSEPORT spreads them; the kernel decides).
  std::vector<std::unique_ptr<Client>> extra;
  auto worker_line = [&](int w) {
    std::string info = f.cmd({"INFO", "threads"}).str;
    std::string key = "\r\nworker" + std::to_string(w) + ":";
    size_t at = info.find(key);
    if (at == std::string::npos) return std::string();
    return info.substr(at + key.size(), info.find("\r\n", at + 2) - at - key.size());
  };
  auto connections = [&](int w) {
    std::string line = worker_line(w);
    return line.empty() ? -1 : std::stoll(line.substr(line.find("connections=") + 12));
  };
  REQUIRE(poll_until(
      [&] {
        if (connections(0) > 0 && connections(1) > 0) return true;
        // A worker counts a connection once its loop has accepted it, which on a busy machine
        // can lag the connect; so after 64 connections keep polling instead of opening more.
        if (extra.size() < 64) extra.push_back(std::make_unique<Client>(f.server.port()));
        return false;
      },
      std::chrono::seconds(10)));
  CHECK(connections(0) > 0);
  CHECK(connections(1) > 0);
  std::string info = f.cmd({"INFO", "threads"}).str;
  CHECK(info.rfind("# Threads\r\n", 0) == 0);
  CHECK(info_field(info, "threads") == 2);
  for (int w = 0; w < 2; w++) {
    std::string line = worker_line(w);
    CAPTURE(line);
    for (const char* k : {"commands=", ",net_input_bytes=", ",net_output_bytes=", ",used_cpu_sys=",
                          ",used_cpu_user="})
      CHECK(contains(line, k));
  }
  CHECK(!contains(info, "worker2:"));
  // This connection's worker ran our INFO commands: its count is above zero.
  CHECK((contains(worker_line(0), "commands=0,") && contains(worker_line(1), "commands=0,")) ==
        false);
  std::string cpu = f.cmd({"INFO", "cpu"}).str;
  for (const char* k : {"used_cpu_sys_main_thread", "used_cpu_user_main_thread",
                        "used_cpu_user_worker0", "used_cpu_sys_worker1"})
    CHECK(contains(cpu, std::string("\r\n") + k + ":"));
  CHECK(!contains(cpu, "worker2"));
}

TEST_CASE("start-up sizes the descriptor limit and table for maxclients") {
  // Growing the kernel's descriptor table while workers run stalls every accept for an RCU grace
  // period at each doubling; the server grows it once at start-up instead (server.cpp).
  Fixture f(workers(2).set("maxclients", "3000"));
  if (!f.server.is_respite()) return;
  const long long want = 3000 + 32 + 4 * 2;
  std::ifstream limits("/proc/" + std::to_string(f.server.pid()) + "/limits");
  long long soft = -1, hard = -1;
  for (std::string line; std::getline(limits, line);)
    if (line.rfind("Max open files", 0) == 0) {
      std::istringstream fields(line.substr(14));
      std::string hard_text;
      fields >> soft >> hard_text;
      hard = hard_text == "unlimited" ? want : std::stoll(hard_text);
    }
  REQUIRE(soft > 0);
  CHECK(soft >= std::min(want, hard));  // raised as far as the hard limit allows
  CHECK(proc_status_field(f.server.pid(), "FDSize") >= std::min(want, soft));
}

TEST_CASE("logfile and loglevel: Redis's line format, CONFIG SET loglevel at run time") {
  char path[] = "/tmp/respite-log-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  {
    Fixture f(ServerOptions().set("logfile", path));
    if (!f.server.is_respite()) {
      unlink(path);
      return;
    }
    CHECK(f.cmd({"CONFIG", "GET", "loglevel"}) == Reply::StrArr({"loglevel", "notice"}));
    CHECK(f.cmd({"CONFIG", "SET", "loglevel", "warning"}) == OK());
    CHECK(f.cmd({"CONFIG", "GET", "loglevel"}) == Reply::StrArr({"loglevel", "warning"}));
    CHECK(f.cmd({"CONFIG", "SET", "syslog-ident", "x"}).is_error());
  }
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  unlink(path);
  // "pid:M 07 Dec 2026 15:04:05.123 * Ready to accept connections"
  std::regex ready(
      R"(\d+:M \d\d \w{3} \d{4} \d\d:\d\d:\d\d\.\d{3} \* Ready to accept connections\n)");
  CHECK(std::regex_search(text, ready));
  // The shutdown lines are warnings ('#'): still written at loglevel warning.
  CHECK(contains(text, "# User requested shutdown..."));
}

TEST_CASE("CONFIG GET and SET") {
  Fixture f;
  CHECK(f.cmd({"CONFIG", "GET", "port"}) ==
        Reply::StrArr({"port", std::to_string(f.server.port())}));
  // redis-benchmark reads these two before it starts.
  Reply save = f.cmd({"CONFIG", "GET", "save"});
  REQUIRE(save.elements.size() == 2);
  CHECK(save.elements[0] == Reply::Str("save"));
  Reply aof = f.cmd({"CONFIG", "GET", "appendonly"});
  REQUIRE(aof.elements.size() == 2);
  CHECK(aof.elements[0] == Reply::Str("appendonly"));
  CHECK(f.cmd({"CONFIG", "GET", "no-such-option"}) == Reply::Arr({}));

  CHECK(f.cmd({"CONFIG", "SET", "maxmemory", "100mb"}) == OK());
  CHECK(f.cmd({"CONFIG", "GET", "maxmemory"}) == Reply::StrArr({"maxmemory", "104857600"}));
  CHECK(f.cmd({"CONFIG", "SET", "maxmemory", "0"}) == OK());
  CHECK(f.cmd({"CONFIG", "GET", "maxmemory"}) == Reply::StrArr({"maxmemory", "0"}));
  CHECK(f.cmd({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"}) == OK());
  CHECK(f.cmd({"CONFIG", "GET", "maxmemory-policy"}) ==
        Reply::StrArr({"maxmemory-policy", "allkeys-lru"}));
  Reply bad = f.cmd({"CONFIG", "SET", "no-such-option", "1"});
  CHECK(bad == Reply::Err("ERR Unknown option or number of arguments for CONFIG SET - "
                          "'no-such-option'"));
  CHECK(f.cmd({"CONFIG", "SET", "maxmemory", "lots"}).is_error());
}

TEST_CASE("COMMAND COUNT, INFO and DOCS") {
  Fixture f;
  Reply count = f.cmd({"COMMAND", "COUNT"});
  REQUIRE(count.type == Reply::Type::kInteger);
  CHECK(count.integer > 0);

  Reply info = f.cmd({"COMMAND", "INFO", "get", "set", "no-such-command"});
  REQUIRE(info.elements.size() == 3);
  const Reply& get = info.elements[0];
  REQUIRE(get.elements.size() >= 6);
  CHECK(get.elements[0] == Reply::Str("get"));
  CHECK(get.elements[1] == Reply::Int(2));
  std::vector<std::string> flags;
  for (const Reply& fl : get.elements[2].elements) flags.push_back(fl.str);
  CHECK(std::find(flags.begin(), flags.end(), "readonly") != flags.end());
  CHECK(get.elements[3] == Reply::Int(1));  // first key
  CHECK(get.elements[4] == Reply::Int(1));  // last key
  CHECK(get.elements[5] == Reply::Int(1));  // step
  const Reply& set = info.elements[1];
  REQUIRE(set.elements.size() >= 6);
  CHECK(set.elements[0] == Reply::Str("set"));
  CHECK(set.elements[1] == Reply::Int(-3));
  CHECK(info.elements[2] == Reply::Nil());
  Reply mset = f.cmd({"COMMAND", "INFO", "MSET"});
  REQUIRE(mset.elements.size() == 1);
  REQUIRE(mset.elements[0].elements.size() >= 6);
  CHECK(mset.elements[0].elements[1] == Reply::Int(-3));
  CHECK(mset.elements[0].elements[3] == Reply::Int(1));
  CHECK(mset.elements[0].elements[4] == Reply::Int(-1));
  CHECK(mset.elements[0].elements[5] == Reply::Int(2));

  Reply docs = f.cmd({"COMMAND", "DOCS", "get"});
  REQUIRE(docs.elements.size() == 2);
  CHECK(docs.elements[0] == Reply::Str("get"));
  const Reply& doc = docs.elements[1];
  CHECK(map_get(doc, "summary").type == Reply::Type::kString);
  CHECK(map_get(doc, "group") == Reply::Str("string"));
  CHECK(map_get(doc, "since").type == Reply::Type::kString);

  Reply list = f.cmd({"COMMAND"});
  REQUIRE(list.is_array());
  CHECK(static_cast<long long>(list.elements.size()) == count.integer);
}

TEST_CASE("COMMAND INFO's ACL categories in Redis's order; GETKEYS with movable keys") {
  Fixture f;
  auto categories = [&](const std::string& name) {
    Reply r = f.cmd({"COMMAND", "INFO", name});
    std::string out;
    for (const Reply& c : r.elements.at(0).elements.at(6).elements) out += c.str + " ";
    return out;
  };
  CHECK(categories("lpush") == "@write @list @fast ");
  CHECK(categories("blpop") == "@write @list @slow @blocking ");
  CHECK(categories("get") == "@read @string @fast ");
  CHECK(categories("zunion") == "@read @sortedset @slow ");
  CHECK(categories("del") == "@keyspace @write @slow ");

  auto keys = [&](std::initializer_list<std::string_view> args) {
    std::vector<std::string> argv = {"COMMAND", "GETKEYS"};
    argv.insert(argv.end(), args.begin(), args.end());
    return f.cmd(argv);
  };
  CHECK(keys({"zunionstore", "d", "2", "a", "b"}) == Reply::StrArr({"d", "a", "b"}));
  CHECK(keys({"lmpop", "2", "a", "b", "left"}) == Reply::StrArr({"a", "b"}));
  CHECK(keys({"blmpop", "0", "2", "a", "b", "left"}) == Reply::StrArr({"a", "b"}));
  CHECK(keys({"sintercard", "1", "a"}) == Reply::StrArr({"a"}));
  CHECK(keys({"mset", "a", "1", "b", "2"}) == Reply::StrArr({"a", "b"}));
  const Reply invalid = Reply::Err("ERR Invalid arguments specified for command");
  CHECK(keys({"zunion", "0", "a"}) == invalid);
  CHECK(keys({"zunion", "3", "a", "b"}) == invalid);
  CHECK(keys({"lmpop", "x", "a", "left"}) == invalid);
  CHECK(keys({"echo", "x"}) == Reply::Err("ERR The command has no key arguments"));
}

TEST_CASE("COMMAND GETKEYS and GETKEYSANDFLAGS: Redis's key specs, procedures and errors") {
  Fixture f;
  auto run = [&](std::string_view sub, std::initializer_list<std::string_view> args) {
    std::vector<std::string> argv = {"COMMAND", std::string(sub)};
    argv.insert(argv.end(), args.begin(), args.end());
    return f.cmd(argv);
  };
  auto flags = [](std::initializer_list<const char*> names) {
    std::vector<Reply> v;
    for (const char* n : names) v.push_back(Reply::Status(n));
    return Reply::Arr(v);
  };
  auto key = [](const char* k, Reply fl) { return Reply::Arr({Reply::Str(k), std::move(fl)}); };
  CHECK(run("GETKEYSANDFLAGS", {"set", "k1", "v1"}) ==
        Reply::Arr({key("k1", flags({"OW", "update"}))}));
  CHECK(run("GETKEYSANDFLAGS", {"set", "k1", "v1", "get"}) ==
        Reply::Arr({key("k1", flags({"RW", "access", "update"}))}));
  CHECK(run("GETKEYSANDFLAGS", {"LMOVE", "k1", "k2", "left", "right"}) ==
        Reply::Arr(
            {key("k1", flags({"RW", "access", "delete"})), key("k2", flags({"RW", "insert"}))}));
  CHECK(run("GETKEYSANDFLAGS", {"sort", "k1", "store", "k2"}) ==
        Reply::Arr({key("k1", flags({"RO", "access"})), key("k2", flags({"OW", "update"}))}));
  CHECK(run("GETKEYS", {"memory", "usage", "key"}) == Reply::StrArr({"key"}));
  CHECK(run("GETKEYS", {"xgroup", "create", "key", "groupname", "$"}) == Reply::StrArr({"key"}));
  CHECK(run("GETKEYS", {"eval", "return 1", "1", "key"}) == Reply::StrArr({"key"}));
  CHECK(run("GETKEYS", {"eval", "return 1", "0"}) == Reply::StrArr({}));
  CHECK(run("GETKEYS", {"lcs", "key1", "key2"}) == Reply::StrArr({"key1", "key2"}));
  CHECK(run("GETKEYS", {"xread", "count", "1", "streams", "a", "b", "0", "0"}) ==
        Reply::StrArr({"a", "b"}));
  CHECK(run("GETKEYS", {"georadius", "g", "0", "0", "1", "km", "storedist", "d"}) ==
        Reply::StrArr({"g", "d"}));
  CHECK(run("GETKEYS", {"nosuch", "k"}) == Reply::Err("ERR Invalid command specified"));
  CHECK(run("GETKEYS", {"config", "nosuch"}) == Reply::Err("ERR Invalid command specified"));
  CHECK(run("GETKEYS", {"get", "a", "b"}) ==
        Reply::Err("ERR Invalid number of arguments specified for command"));
  CHECK(run("GETKEYS", {"ping", "x"}) == Reply::Err("ERR The command has no key arguments"));
  CHECK(run("GETKEYS", {"memory", "stats"}) == Reply::Err("ERR The command has no key arguments"));
  CHECK(run("GETKEYS", {"zunionstore", "d", "0", "a"}) ==
        Reply::Err("ERR Invalid arguments specified for command"));
  CHECK(run("GETKEYSANDFLAGS", {"get"}) ==
        Reply::Err("ERR wrong number of arguments for 'command|getkeysandflags' command"));
}

TEST_CASE("COMMAND INFO: key specs, the legacy range and movablekeys as Redis derives them") {
  Fixture f;
  Reply lmove = f.cmd({"COMMAND", "INFO", "lmove"}).elements.at(0);
  CHECK(lmove.elements.at(3) == Reply::Int(1));
  CHECK(lmove.elements.at(4) == Reply::Int(2));
  CHECK(lmove.elements.at(5) == Reply::Int(1));
  const Reply& specs = lmove.elements.at(8);
  REQUIRE(specs.elements.size() == 2);
  // RESP2: each spec a flat array of name, value pairs.
  CHECK(specs.elements[0] ==
        Reply::Arr(
            {Reply::Str("flags"),
             Reply::Arr({Reply::Status("RW"), Reply::Status("access"), Reply::Status("delete")}),
             Reply::Str("begin_search"),
             Reply::Arr({Reply::Str("type"), Reply::Str("index"), Reply::Str("spec"),
                         Reply::Arr({Reply::Str("index"), Reply::Int(1)})}),
             Reply::Str("find_keys"),
             Reply::Arr({Reply::Str("type"), Reply::Str("range"), Reply::Str("spec"),
                         Reply::Arr({Reply::Str("lastkey"), Reply::Int(0), Reply::Str("keystep"),
                                     Reply::Int(1), Reply::Str("limit"), Reply::Int(0)})})}));
  auto flag_list = [&](const std::string& name) {
    const Reply info = f.cmd({"COMMAND", "INFO", name});
    std::string out;
    for (const Reply& r : info.elements.at(0).elements.at(2).elements) out += r.str + " ";
    return out;
  };
  for (const char* movable : {"zunionstore", "xread", "eval", "sort", "sort_ro", "georadius"})
    CHECK_MESSAGE(flag_list(movable).find("movablekeys") != std::string::npos, movable);
  for (const char* fixed : {"set", "get", "mset", "bitfield", "lmove", "lpop", "blpop", "ping",
                            "memory", "memory|usage", "rename", "georadius_ro"})
    CHECK_MESSAGE(flag_list(fixed).find("movablekeys") == std::string::npos, fixed);
  CHECK(flag_list("eval") == "noscript stale skip_monitor no_mandatory_keys movablekeys ");
}

TEST_CASE("COMMAND DOCS: each key argument names its key spec") {
  Fixture f;
  auto get = [](const Reply& flat, std::string_view name) {
    for (size_t i = 0; i + 1 < flat.elements.size(); i += 2) {
      if (flat.elements[i].str == name) return flat.elements[i + 1];
    }
    return Reply::Nil();
  };
  // The key_spec_index of every key argument, nested ones included, in order.
  auto walk = [&](const Reply& args, std::string* out, auto& self) -> void {
    for (const Reply& arg : args.elements) {
      Reply idx = get(arg, "key_spec_index");
      if (idx.type == Reply::Type::kInteger) *out += std::to_string(idx.integer) + " ";
      self(get(arg, "arguments"), out, self);
    }
  };
  auto key_indexes = [&](const std::string& cmd) {
    const Reply docs = f.cmd({"COMMAND", "DOCS", cmd});
    std::string out;
    walk(get(docs.elements.at(1), "arguments"), &out, walk);
    return out;
  };
  CHECK(key_indexes("lmove") == "0 1 ");
  CHECK(key_indexes("copy") == "0 1 ");
  CHECK(key_indexes("get") == "0 ");
  CHECK(key_indexes("zunionstore") == "0 1 ");
}

TEST_CASE("COMMAND LIST FILTERBY PATTERN, ACLCAT and MODULE") {
  Fixture f;
  CHECK(f.cmd({"COMMAND", "LIST", "FILTERBY", "PATTERN", "set"}) == Reply::StrArr({"set"}));
  Reply cl = f.cmd({"COMMAND", "LIST", "FILTERBY", "PATTERN", "cl*help"});
  std::vector<std::string> names;
  for (const Reply& r : cl.elements) names.push_back(r.str);
  CHECK(std::find(names.begin(), names.end(), "client|help") != names.end());
  CHECK(std::find(names.begin(), names.end(), "cluster|help") != names.end());
  Reply scripting = f.cmd({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "scripting"});
  names.clear();
  for (const Reply& r : scripting.elements) names.push_back(r.str);
  CHECK(std::find(names.begin(), names.end(), "eval") != names.end());
  CHECK(std::find(names.begin(), names.end(), "script|kill") != names.end());
  CHECK(std::find(names.begin(), names.end(), "set") == names.end());
  CHECK(f.cmd({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch"}) == Reply::StrArr({}));
  CHECK(f.cmd({"COMMAND", "LIST", "FILTERBY", "MODULE", "nosuch"}) == Reply::StrArr({}));
  CHECK(f.cmd({"COMMAND", "LIST", "FILTERBY", "bad", "x"}) == Reply::Err("ERR syntax error"));
  CHECK(f.cmd({"COMMAND", "LIST", "bad"}) == Reply::Err("ERR syntax error"));
  Reply all = f.cmd({"COMMAND", "LIST"});
  Reply count = f.cmd({"COMMAND", "COUNT"});
  size_t containers_and_subs = 0;
  for (const Reply& r : all.elements) containers_and_subs += r.str.find('|') == std::string::npos;
  CHECK(static_cast<long long>(containers_and_subs) == count.integer);
}

TEST_CASE("CLIENT ID, SETNAME, GETNAME, LIST, KILL") {
  Fixture f;
  Reply id = f.cmd({"CLIENT", "ID"});
  REQUIRE(id.type == Reply::Type::kInteger);
  Client other(f.server.port());
  Reply other_id = other.cmd({"CLIENT", "ID"});
  CHECK(other_id.integer != id.integer);

  CHECK(f.cmd({"CLIENT", "GETNAME"}) == Reply::Nil());
  CHECK(f.cmd({"CLIENT", "SETNAME", "tester"}) == OK());
  CHECK(f.cmd({"CLIENT", "GETNAME"}) == Reply::Str("tester"));
  CHECK(f.cmd({"CLIENT", "SETNAME", "a b"}) ==
        Reply::Err("ERR Client names cannot contain spaces, newlines or special characters."));

  Reply list = f.cmd({"CLIENT", "LIST"});
  REQUIRE(list.type == Reply::Type::kString);
  CHECK(contains(list.str, "id=" + std::to_string(id.integer) + " "));
  CHECK(contains(list.str, "id=" + std::to_string(other_id.integer) + " "));
  CHECK(contains(list.str, " name=tester "));
  CHECK(contains(list.str, " addr=127.0.0.1:"));

  CHECK(f.cmd({"CLIENT", "KILL", "ID", std::to_string(other_id.integer)}) == Reply::Int(1));
  bool failed = false;
  try {
    other.cmd({"PING"});
  } catch (const std::exception&) {
    failed = true;  // the server closed the killed connection
  }
  CHECK(failed);
  CHECK(f.cmd({"CLIENT", "KILL", "ID", "999999"}) == Reply::Int(0));
  CHECK(f.cmd({"CLIENT", "KILL"}) ==
        Reply::Err("ERR wrong number of arguments for 'client|kill' command"));
  CHECK(f.cmd({"CLIENT", "NO-SUCH"}) ==
        Reply::Err("ERR unknown subcommand 'NO-SUCH'. Try CLIENT HELP."));
  CHECK(f.cmd({"PING"}) == Reply::Status("PONG"));
}

// With lfu-log-factor 0 every access that touches a key adds one to its LFU counter (and with
// lfu-decay-time 0 none is taken off), so OBJECT FREQ shows exactly which commands touched it, with
// no waiting for a clock to move.
TEST_CASE("CLIENT NO-TOUCH leaves access clocks alone except for TOUCH; NO-EVICT is a flag") {
  Fixture f(ServerOptions{}
                .set("maxmemory-policy", "allkeys-lfu")
                .set("lfu-log-factor", "0")
                .set("lfu-decay-time", "0"));
  REQUIRE(f.cmd({"SET", "k", "v"}) == OK());
  REQUIRE(f.cmd({"RPUSH", "l", "a"}) == Reply::Int(1));
  int64_t k0 = f.cmd({"OBJECT", "FREQ", "k"}).integer;
  int64_t l0 = f.cmd({"OBJECT", "FREQ", "l"}).integer;
  CHECK(f.cmd({"GET", "k"}) == Reply::Str("v"));
  CHECK(f.cmd({"OBJECT", "FREQ", "k"}) == Reply::Int(k0 + 1));  // a touch counts: the control
  // The access word holds the counter under LFU (storage/entry.h): no idle time, as in Redis.
  CHECK(f.cmd({"OBJECT", "IDLETIME", "k"}) ==
        Reply::Err("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note "
                   "that when switching between policies at runtime LRU and LFU data will take "
                   "some time to adjust."));

  CHECK(f.cmd({"CLIENT", "NO-TOUCH", "on"}) == OK());
  CHECK(contains(f.cmd({"CLIENT", "INFO"}).str, " flags=T "));
  CHECK(f.cmd({"GET", "k"}) == Reply::Str("v"));
  CHECK(f.cmd({"LRANGE", "l", "0", "-1"}) == Reply::StrArr({"a"}));
  CHECK(f.cmd({"RPUSH", "l", "b"}) == Reply::Int(2));
  CHECK(f.cmd({"OBJECT", "FREQ", "k"}) == Reply::Int(k0 + 1));
  CHECK(f.cmd({"OBJECT", "FREQ", "l"}) == Reply::Int(l0));
  // Another client still touches the key, and so does TOUCH from this one.
  Client other(f.server.port());
  CHECK(other.cmd({"GET", "k"}) == Reply::Str("v"));
  CHECK(f.cmd({"OBJECT", "FREQ", "k"}) == Reply::Int(k0 + 2));
  CHECK(f.cmd({"TOUCH", "k"}) == Reply::Int(1));
  CHECK(f.cmd({"OBJECT", "FREQ", "k"}) == Reply::Int(k0 + 3));
  CHECK(f.cmd({"CLIENT", "NO-TOUCH", "off"}) == OK());
  CHECK(f.cmd({"GET", "k"}) == Reply::Str("v"));
  CHECK(f.cmd({"OBJECT", "FREQ", "k"}) == Reply::Int(k0 + 4));

  CHECK(f.cmd({"CLIENT", "NO-EVICT", "ON"}) == OK());
  CHECK(f.cmd({"CLIENT", "NO-TOUCH", "ON"}) == OK());
  CHECK(contains(f.cmd({"CLIENT", "INFO"}).str, " flags=eT "));
  CHECK(f.cmd({"CLIENT", "NO-EVICT", "maybe"}) == Reply::Err("ERR syntax error"));
  CHECK(f.cmd({"CLIENT", "NO-TOUCH", "maybe"}) == Reply::Err("ERR syntax error"));
  CHECK(f.cmd({"CLIENT", "NO-EVICT"}) ==
        Reply::Err("ERR wrong number of arguments for 'client|no-evict' command"));
  // RESET clears both.
  CHECK(f.cmd({"RESET"}) == Reply::Status("RESET"));
  CHECK(contains(f.cmd({"CLIENT", "INFO"}).str, " flags=N "));
  CHECK(f.cmd({"GET", "k"}) == Reply::Str("v"));
  CHECK(f.cmd({"OBJECT", "FREQ", "k"}) == Reply::Int(k0 + 5));
}

TEST_CASE("HELLO 3 switches to RESP3, HELLO 2 back") {
  Fixture f;
  RawConnection raw(f.server.port());
  REQUIRE(raw.send("*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n"));
  std::string hello = raw.read_reply();
  REQUIRE(!hello.empty());
  CHECK(hello[0] == '%');
  CHECK(contains(hello, "$5\r\nproto\r\n:3\r\n"));
  CHECK(contains(hello, "$7\r\nversion\r\n$6\r\n7.0.15\r\n"));
  REQUIRE(raw.send("*2\r\n$3\r\nGET\r\n$7\r\nmissing\r\n"));
  CHECK(raw.read_reply() == "_\r\n");  // RESP3 null
  REQUIRE(raw.send("*1\r\n$4\r\nPING\r\n"));
  CHECK(raw.read_reply() == "+PONG\r\n");
  REQUIRE(raw.send("*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$4\r\nport\r\n"));
  std::string config = raw.read_reply();
  CHECK(config.rfind("%1\r\n$4\r\nport\r\n", 0) == 0);  // a map in RESP3
  REQUIRE(raw.send("*2\r\n$5\r\nHELLO\r\n$1\r\n2\r\n"));
  CHECK(raw.read_reply().rfind("*14\r\n", 0) == 0);
  REQUIRE(raw.send("*2\r\n$3\r\nGET\r\n$7\r\nmissing\r\n"));
  CHECK(raw.read_reply() == "$-1\r\n");

  Reply h2 = f.cmd({"HELLO", "2"});
  REQUIRE(h2.is_array());
  CHECK(map_get(h2, "server") == Reply::Str("redis"));
  CHECK(map_get(h2, "version") == Reply::Str("7.0.15"));
  CHECK(map_get(h2, "proto") == Reply::Int(2));
  CHECK(map_get(h2, "id").type == Reply::Type::kInteger);
  CHECK(f.cmd({"HELLO", "4"}) == Reply::Err("NOPROTO unsupported protocol version"));
}

TEST_CASE("AUTH with and without requirepass") {
  {
    Fixture f;
    CHECK(f.cmd({"AUTH", "x"}) ==
          Reply::Err("ERR AUTH <password> called without any password configured for the default "
                     "user. Are you sure your configuration is correct?"));
  }
  Fixture f(ServerOptions().set("requirepass", "s3cret"));
  CHECK(f.cmd({"GET", "k"}) == Reply::Err("NOAUTH Authentication required."));
  CHECK(f.cmd({"SET", "k", "v"}) == Reply::Err("NOAUTH Authentication required."));
  CHECK(f.cmd({"AUTH", "wrong"}) ==
        Reply::Err("WRONGPASS invalid username-password pair or user is disabled."));
  CHECK(f.cmd({"AUTH", "default", "wrong"}) ==
        Reply::Err("WRONGPASS invalid username-password pair or user is disabled."));
  CHECK(f.cmd({"GET", "k"}) == Reply::Err("NOAUTH Authentication required."));
  CHECK(f.cmd({"AUTH", "s3cret"}) == OK());
  CHECK(f.cmd({"SET", "k", "v"}) == OK());
  CHECK(f.cmd({"GET", "k"}) == Reply::Str("v"));

  Client second(f.server.port());
  CHECK(second.cmd({"GET", "k"}) == Reply::Err("NOAUTH Authentication required."));
  CHECK(second.cmd({"AUTH", "default", "s3cret"}) == OK());
  CHECK(second.cmd({"GET", "k"}) == Reply::Str("v"));

  Client third(f.server.port());
  Reply hello = third.cmd({"HELLO", "2", "AUTH", "default", "s3cret"});
  CHECK(hello.is_array());
  CHECK(third.cmd({"GET", "k"}) == Reply::Str("v"));
}

TEST_CASE("MEMORY USAGE follows the value's size and errors like Redis") {
  Fixture f;
  CHECK(f.cmd({"MEMORY", "USAGE", "missing"}) == Reply::Nil());
  // Stored as it came: respite would compress 100000 x's to a few hundred bytes.
  if (f.server.is_respite()) CHECK(f.cmd({"CONFIG", "SET", "compression-threshold", "0"}) == OK());
  CHECK(f.cmd({"SET", "small", "x"}) == OK());
  CHECK(f.cmd({"SET", "big", std::string(100000, 'x')}) == OK());
  long long small = f.cmd({"MEMORY", "USAGE", "small"}).integer;
  long long big = f.cmd({"MEMORY", "USAGE", "big"}).integer;
  CHECK(small > 0);
  CHECK(small < 100);
  CHECK(big >= 100000);
  CHECK(f.cmd({"MEMORY", "USAGE", "big", "SAMPLES", "0"}) == Reply::Int(big));
  CHECK(f.cmd({"MEMORY", "USAGE", "big", "SAMPLES", "-1"}) == Reply::Err("ERR syntax error"));
  CHECK(f.cmd({"MEMORY", "USAGE", "big", "SAMPLES", "x"}) ==
        Reply::Err("ERR value is not an integer or out of range"));
  CHECK(f.cmd({"MEMORY", "USAGE", "big", "SAMPLES"}) == Reply::Err("ERR syntax error"));
  CHECK(f.cmd({"MEMORY", "USAGE"}) ==
        Reply::Err("ERR wrong number of arguments for 'memory|usage' command"));
}

TEST_CASE("lazyfree directives, FLUSHALL/FLUSHDB [ASYNC | SYNC] and INFO's lazyfree fields") {
  Fixture f;
  for (const char* name : {"lazyfree-lazy-eviction", "lazyfree-lazy-expire",
                           "lazyfree-lazy-server-del", "lazyfree-lazy-user-del",
                           "lazyfree-lazy-user-flush", "replica-lazy-flush", "slave-lazy-flush"}) {
    CAPTURE(name);
    CHECK(f.cmd({"CONFIG", "GET", name}) == Reply::StrArr({name, "no"}));
  }
  CHECK(f.cmd({"CONFIG", "SET", "lazyfree-lazy-user-flush", "yes"}) == OK());
  CHECK(f.cmd({"CONFIG", "GET", "lazyfree-lazy-user-flush"}) ==
        Reply::StrArr({"lazyfree-lazy-user-flush", "yes"}));
  CHECK(f.cmd({"CONFIG", "SET", "lazyfree-lazy-user-flush", "maybe"}).is_error());

  // A few thousand keys in two databases, flushed every way the commands allow.
  auto fill = [&] {
    for (const char* db : {"0", "1"}) {
      CHECK(f.cmd({"SELECT", db}) == OK());
      std::vector<std::string> mset = {"MSET"};
      for (int i = 0; i < 2000; i++) {
        mset.push_back("key:" + std::to_string(i));
        mset.push_back("value");
      }
      CHECK(f.cmd(mset) == OK());
      CHECK(f.cmd({"HSET", "hash", "a", "1", "b", "2"}) == Reply::Int(2));
    }
  };
  fill();
  CHECK(f.cmd({"FLUSHALL"}) == OK());  // ASYNC, by lazyfree-lazy-user-flush
  CHECK(f.cmd({"DBSIZE"}) == Reply::Int(0));
  fill();
  CHECK(f.cmd({"FLUSHDB", "async"}) == OK());
  CHECK(f.cmd({"DBSIZE"}) == Reply::Int(0));
  CHECK(f.cmd({"FLUSHALL", "ASYNC"}) == OK());
  fill();
  CHECK(f.cmd({"FLUSHDB", "SYNC"}) == OK());
  CHECK(f.cmd({"FLUSHALL", "sync"}) == OK());
  CHECK(f.cmd({"SELECT", "0"}) == OK());
  CHECK(f.cmd({"DBSIZE"}) == Reply::Int(0));
  CHECK(f.cmd({"CONFIG", "SET", "lazyfree-lazy-user-flush", "no"}) == OK());
  CHECK(f.cmd({"FLUSHDB"}) == OK());

  // Redis's error for anything but one SYNC or ASYNC.
  CHECK(f.cmd({"FLUSHALL", "bogus"}) == Reply::Err("ERR syntax error"));
  CHECK(f.cmd({"FLUSHALL", "ASYNC", "SYNC"}) == Reply::Err("ERR syntax error"));
  CHECK(f.cmd({"FLUSHDB", "bogus"}) == Reply::Err("ERR syntax error"));

  // Both fields in the memory section, as Redis 7.0 prints them; whatever was queued is freed soon.
  Reply memory = f.cmd({"INFO", "memory"});
  CHECK(info_field(memory.str, "lazyfree_pending_objects") >= 0);
  CHECK(info_field(memory.str, "lazyfreed_objects") >= 0);
  CHECK(poll_until(
      [&] {
        return info_field(f.cmd({"INFO", "memory"}).str, "lazyfree_pending_objects") == 0;
      },
      std::chrono::seconds(10)));
  CHECK(!contains(f.cmd({"INFO", "stats"}).str, "lazyfree"));
}

TEST_CASE("TIME") {
  Fixture f;
  Reply t = f.cmd({"TIME"});
  REQUIRE(t.elements.size() == 2);
  REQUIRE(t.elements[0].type == Reply::Type::kString);
  long long secs = std::stoll(t.elements[0].str);
  long long micros = std::stoll(t.elements[1].str);
  long long now = static_cast<long long>(std::time(nullptr));
  CHECK(secs >= now - 5);
  CHECK(secs <= now + 5);
  CHECK(micros >= 0);
  CHECK(micros < 1000000);
}

TEST_CASE("SHUTDOWN stops the server") {
  Fixture f;
  CHECK(f.cmd({"SET", "k", "v"}) == OK());
  bool replied = true;
  try {
    f.cmd({"SHUTDOWN"});
  } catch (const std::exception&) {
    replied = false;  // success means the connection closes without a reply
  }
  CHECK(!replied);
  std::optional<int> status = f.server.wait_exit(10000ms);
  REQUIRE(status.has_value());
  CHECK(describe_status(*status) == "exit 0");
}

TEST_CASE("SIGTERM exits cleanly") {
  Fixture f;
  Client idle(f.server.port());  // an open connection must not hold up the exit
  CHECK(f.cmd({"SET", "k", "v"}) == OK());
  REQUIRE(::kill(f.server.pid(), SIGTERM) == 0);
  std::optional<int> status = f.server.wait_exit(10000ms);
  REQUIRE(status.has_value());
  CHECK(describe_status(*status) == "exit 0");
}
