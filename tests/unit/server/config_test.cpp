// Unit tests for respite's configuration layer: the directive table's invariants, redis.conf syntax
// (quotes, units, include), every error shape with its line number, the command line overriding
// the file, CONFIG GET globs, CONFIG SET's all-or-nothing rule and Redis's error texts (copied from
// redis-server 7.0.15), CONFIG REWRITE round trips, and conf/respite.conf documenting every
// directive and loading to the defaults.
#include <doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "server/config.h"
#include "server/config_table.h"

using respite::server::Config;
using respite::server::ConfigAccess;
using respite::server::Directive;
using respite::server::EvictionPolicy;
using Pairs = std::vector<std::pair<std::string, std::string>>;
namespace fs = std::filesystem;

namespace {

// A fresh directory per test case, removed at the end of it.
struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("respite-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
    return (path / name).string();
  }
};

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string get1(const Config& c, const std::string& name) {
  auto r = c.get({name});
  REQUIRE(r.size() == 1);
  return r[0].second;
}

std::string fatal(int line, const std::string& origin, const std::string& text,
                  const std::string& why) {
  return "\n*** FATAL CONFIG FILE ERROR (respite) ***\nReading the configuration file, at line " +
         std::to_string(line) + " of " + origin + "\n>>> '" + text + "'\n" + why;
}

// Loads one line of text and returns the error (or "").
std::string load1(const std::string& line) {
  Config c;
  return c.load_text(line, "test");
}

std::string reason(const std::string& line) {
  std::string err = load1(line);
  return err.substr(err.rfind('\n') + 1);
}

std::vector<std::string> names(const Pairs& p) {
  std::vector<std::string> out;
  for (const auto& [n, v] : p) out.push_back(n);
  return out;
}

}  // namespace

TEST_CASE("the table: unique names, documented, defaults agree with Config's initialisers") {
  std::set<std::string> seen;
  const Config defaults;
  for (const Directive& d : ConfigAccess::table()) {
    CAPTURE(d.name);
    CHECK(seen.insert(std::string(d.name)).second);
    if (!d.alias.empty()) CHECK(seen.insert(std::string(d.alias)).second);
    CHECK(!d.doc.empty());
    CHECK(respite::server::find_directive(d.name) == &d);
    // The default text, read as a file would read it, gives what Config starts with.
    std::vector<std::string> args;
    REQUIRE(respite::server::split_args(d.def, args));
    respite::server::Value v;
    CHECK(respite::server::parse_value(d, args, v) == "");
    Config c;
    respite::server::apply_value(d, c, v);
    CHECK(respite::server::show_value(d, c) == respite::server::show_value(d, defaults));
    // A directive CONFIG SET may change must live where workers can read it during a SET.
    if (d.runtime) {
      const bool atomic = std::holds_alternative<std::atomic<int64_t> Config::*>(d.field) ||
                          std::holds_alternative<std::atomic<EvictionPolicy> Config::*>(d.field);
      const bool locked_string =
          d.name == "save" || d.name == "appendonly" || d.name == "requirepass" ||
          d.name == "latency-tracking-info-percentiles" || d.name == "oom-score-adj-values" ||
          d.name == "proc-title-template";
      const bool obuf = d.kind == respite::server::Kind::kObuf;
      const bool locked_list = d.name == "bind";  // under the strings' mutex (bind_list())
      CHECK((atomic || locked_string || obuf || locked_list));
    }
  }
  CHECK(Config().all().size() == ConfigAccess::table().size());
}

TEST_CASE("default values as CONFIG GET prints them") {
  Config c;
  CHECK(get1(c, "port") == "6379");
  CHECK(get1(c, "bind") == "127.0.0.1 -::1");
  CHECK(get1(c, "threads") == "auto");
  CHECK(get1(c, "databases") == "16");
  CHECK(get1(c, "protected-mode") == "yes");
  CHECK(get1(c, "daemonize") == "no");
  CHECK(get1(c, "appendonly") == "no");
  CHECK(get1(c, "save") == "3600 1 300 100 60 10000");  // Redis's built-in default
  CHECK(get1(c, "unixsocketperm") == "0");
  CHECK(get1(c, "proto-max-bulk-len") == "536870912");
  CHECK(get1(c, "maxmemory-policy") == "noeviction");
  CHECK(get1(c, "client-output-buffer-limit") ==
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
}

TEST_CASE("memory units, booleans, enums and octal") {
  Config c;
  CHECK(c.load_text("maxmemory 1k", "t") == "");
  CHECK(c.maxmemory == 1000);
  CHECK(c.load_text("maxmemory 1kb", "t") == "");
  CHECK(c.maxmemory == 1024);
  CHECK(c.load_text("maxmemory 2m\n", "t") == "");
  CHECK(c.maxmemory == 2000000);
  CHECK(c.load_text("maxmemory 2MB", "t") == "");
  CHECK(c.maxmemory == 2 << 20);
  CHECK(c.load_text("maxmemory 3g", "t") == "");
  CHECK(c.maxmemory == 3000000000);
  CHECK(c.load_text("MAXMEMORY 3Gb", "t") == "");
  CHECK(c.maxmemory == 3ll << 30);
  CHECK(c.load_text("maxmemory 7b", "t") == "");
  CHECK(c.maxmemory == 7);
  CHECK(get1(c, "maxmemory") == "7");
  for (const char* bad : {"1.5gb", "-1", "1tb", "+1", "gb", "99999999999999999999"}) {
    CAPTURE(bad);
    CHECK(reason(std::string("maxmemory ") + bad) == "argument must be a memory value");
  }
  CHECK(c.load_text("protected-mode NO\nmaxmemory-policy ALLKEYS-lru", "t") == "");
  CHECK_FALSE(c.protected_mode());
  CHECK(c.maxmemory_policy == EvictionPolicy::kAllKeysLru);
  CHECK(get1(c, "maxmemory-policy") == "allkeys-lru");
  CHECK(c.load_text("unixsocketperm 755\nthreads 4\nthreads auto\nshards 256", "t") == "");
  CHECK(c.unixsocketperm == 0755);
  CHECK(get1(c, "unixsocketperm") == "755");
  CHECK(c.threads == 0);
  CHECK(c.shards == 256);
  CHECK(c.load_text("client-output-buffer-limit pubsub 64mb 16mb 30 normal 1k 2 3", "t") == "");
  CHECK(get1(c, "client-output-buffer-limit") ==
        "normal 1000 2 3 slave 268435456 67108864 60 pubsub 67108864 16777216 30");
  CHECK(c.load_text("client-output-buffer-limit slave 1 2 3", "t") == "");
  CHECK(c.obuf_replica_hard == 1);
  CHECK(c.load_text("bind 0.0.0.0 '::' \"-::1\"", "t") == "");
  CHECK(c.bind == std::vector<std::string>{"0.0.0.0", "::", "-::1"});
}

TEST_CASE("logging: loglevel changes at run time, the syslog directives are fixed") {
  Config c;
  CHECK(c.loglevel == 2);
  CHECK(c.set({{"loglevel", "WARNING"}}) == "");
  CHECK(c.loglevel == 3);
  CHECK(get1(c, "loglevel") == "warning");
  CHECK(c.set({{"loglevel", "chatty"}})
            .ends_with("argument(s) must be one of the following: "
                       "debug, verbose, notice, warning"));
  CHECK(get1(c, "syslog-enabled") == "no");
  CHECK(get1(c, "syslog-facility") == "local0");
  CHECK(c.load_text("syslog-enabled yes\nsyslog-ident respite\nsyslog-facility USER", "t") == "");
  CHECK(c.syslog_enabled == 1);
  CHECK(c.syslog_ident == "respite");
  CHECK(c.syslog_facility == 8);  // LOG_USER
  CHECK(get1(c, "syslog-facility") == "user");
  CHECK(reason("syslog-facility local8") ==
        "argument(s) must be one of the following: user, local0, local1, local2, local3, local4, "
        "local5, local6, local7");
  CHECK(c.set({{"syslog-ident", "x"}}).ends_with("can't set immutable config"));
}

TEST_CASE("quoting as Redis's sdssplitargs") {
  std::vector<std::string> a;
  REQUIRE(respite::server::split_args("  a  \"b c\"\t'd e'  ", a));
  CHECK(a == std::vector<std::string>{"a", "b c", "d e"});
  REQUIRE(respite::server::split_args(R"("\x41\n\t\"\\" 'it\'s' "\q" x"y z")", a));
  CHECK(a == std::vector<std::string>{"A\n\t\"\\", "it's", "q", "xy z"});
  REQUIRE(respite::server::split_args(R"('\n' "")", a));
  CHECK(a == std::vector<std::string>{"\\n", ""});
  CHECK_FALSE(respite::server::split_args("\"abc", a));
  CHECK_FALSE(respite::server::split_args("'abc", a));
  CHECK_FALSE(respite::server::split_args("\"a\"b", a));
  CHECK_FALSE(respite::server::split_args("'a'b", a));
  CHECK_FALSE(respite::server::split_args("\"a\\", a));
  for (const std::string& s : std::vector<std::string>{"", "plain", "a b", "q\"uote", "back\\slash",
                                                       "nl\n", std::string("\0\xff", 2)}) {
    REQUIRE(respite::server::split_args(respite::server::quote_arg(s), a));
    CHECK(a == std::vector<std::string>{s});
  }
  Config c;
  CHECK(c.load_text("requirepass \"s3cr et\\x21\"", "t") == "");
  CHECK(c.requirepass() == "s3cr et!");
}

TEST_CASE("comments, blank lines and CRLF") {
  Config c;
  CHECK(c.load_text("# comment\n\n   \r\n  port 7000  \r\n\t# indented comment\nhz 20", "t") == "");
  CHECK(c.port == 7000);
  CHECK(c.hz == 20);
}

TEST_CASE("error shapes name the origin, the line and Redis's reason") {
  CHECK(load1("port 6380\n\nfoo bar") ==
        fatal(3, "test", "foo bar", "Bad directive or wrong number of arguments"));
  CHECK(load1("  port abc  ") ==
        fatal(1, "test", "port abc", "argument couldn't be parsed into an integer"));
  CHECK(reason("port 70000") == "argument must be between 0 and 65535 inclusive");
  CHECK(reason("port -1") == "argument must be between 0 and 65535 inclusive");
  CHECK(reason("port 01") == "argument couldn't be parsed into an integer");
  CHECK(reason("port +1") == "argument couldn't be parsed into an integer");
  CHECK(reason("port") == "wrong number of arguments");
  CHECK(reason("port 1 2") == "wrong number of arguments");
  CHECK(reason("databases 0") == "argument must be between 1 and 65536 inclusive");
  CHECK(reason("hz -5") == "argument must be between 0 and 2147483647 inclusive");
  CHECK(reason("proto-max-bulk-len 10") ==
        "argument must be between 1048576 and 9223372036854775807 inclusive");
  CHECK(reason("active-expire-effort 11") == "argument must be between 1 and 10 inclusive");
  CHECK(reason("daemonize maybe") == "argument must be 'yes' or 'no'");
  CHECK(reason("maxmemory-policy bogus") ==
        "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, "
        "volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction");
  CHECK(reason("loglevel foo") ==
        "argument(s) must be one of the following: debug, verbose, notice, warning");
  CHECK(reason("unixsocketperm 999") == "argument couldn't be parsed as an octal number");
  CHECK(reason("unixsocketperm 1777") == "argument must be between 0 and 777 inclusive");
  CHECK(reason("bind \"a") == "Unbalanced quotes in configuration line");
  CHECK(reason("client-output-buffer-limit foo 1 2 3") ==
        "Invalid client class specified in buffer limit configuration.");
  CHECK(reason("client-output-buffer-limit normal 1 2") ==
        "Wrong number of arguments in buffer limit configuration.");
  CHECK(reason("client-output-buffer-limit normal -1 2 3") ==
        "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
  CHECK(reason("save abc") == "Invalid save parameters");
  CHECK(reason("save \"3600 x\"") == "Invalid save parameters");
  CHECK(reason("save 3600") == "Invalid save parameters");
  // respite's own rules.
  CHECK(reason("shards 3") == "argument must be 0 (auto) or a power of two");
  CHECK(reason("threads 0x") == "argument couldn't be parsed into an integer");
  CHECK(reason("daemonize yes").find("does not daemonize") != std::string::npos);
  CHECK(reason("appendonly yes") == "respite keeps no data on disk: appendonly must be 'no'");
  CHECK(reason("io-threads 4") == "Bad directive or wrong number of arguments");
  CHECK(load1("daemonize no\nappendonly no\nsave \"\"\nsave \"3600 1\"") == "");
}

TEST_CASE("save lines accumulate within one load, and save \"\" clears them") {
  Config c;
  CHECK(c.load_text("save 3600 1\nsave 300 100\nsave \"60 10000\"", "t") == "");
  CHECK(c.save() == "3600 1 300 100 60 10000");
  CHECK(c.load_text("save 10 1", "t") == "");  // a new load starts over
  CHECK(c.save() == "10 1");
  CHECK(c.load_text("save 10 1\nsave \"\"", "t") == "");
  CHECK(c.save() == "");
}

TEST_CASE("load_file and include") {
  TempDir dir;
  dir.write("sub.conf", "maxmemory 2mb\n# nothing\nhz 33\n");
  dir.write("bad.conf", "\n\ntimeout x\n");
  dir.write("d1.conf", "lfu-log-factor 11\n");
  dir.write("d2.conf", "lfu-log-factor 12\n");
  const std::string main = dir.write("main.conf", "port 7001\ninclude sub.conf\nhz 44\n");
  Config c;
  CHECK(c.load_file(main) == "");
  CHECK(c.port == 7001);
  CHECK(c.maxmemory == 2 << 20);
  CHECK(c.hz == 44);  // the line after the include wins
  CHECK(c.config_file == main);

  const std::string with_bad =
      dir.write("b.conf", "port 1\ninclude " + dir.path.string() + "/bad.conf\n");
  CHECK(Config().load_file(with_bad) == fatal(3, dir.path.string() + "/bad.conf", "timeout x",
                                              "argument couldn't be parsed into an integer"));

  const std::string missing = dir.write("m.conf", "\ninclude nope.conf\n");
  CHECK(Config().load_file(missing) == fatal(2, missing, "include nope.conf",
                                             "can't open config file '" + dir.path.string() +
                                                 "/nope.conf': No such file or directory"));
  CHECK(Config().load_file(dir.path.string() + "/absent.conf") ==
        "Fatal error, can't open config file '" + dir.path.string() +
            "/absent.conf': No such file or directory");

  const std::string loop = dir.write("loop.conf", "include loop.conf\n");
  CHECK(Config().load_file(loop).find("include nesting is too deep") != std::string::npos);

  Config w;
  CHECK(w.load_text("include " + dir.path.string() + "/d*.conf", "t") == "");
  CHECK(w.lfu_log_factor == 12);  // matches are read in name order
}

TEST_CASE("load_args: the file first, then --options override it") {
  TempDir dir;
  const std::string file = dir.write("a.conf", "port 7002\nmaxmemory 1mb\nsave 3600 1\n");
  Config c;
  CHECK(c.load_args({file, "--port", "7003", "--bind", "10.0.0.1", "-::1", "--maxmemory-policy",
                     "allkeys-lfu", "--save", "--requirepass", "a b"}) == "");
  CHECK(c.port == 7003);
  CHECK(c.maxmemory == 1 << 20);
  CHECK(c.bind == std::vector<std::string>{"10.0.0.1", "-::1"});
  CHECK(c.maxmemory_policy == EvictionPolicy::kAllKeysLfu);
  CHECK(c.save() == "");  // a bare --save means save ""
  CHECK(c.requirepass() == "a b");
  CHECK(c.config_file == file);

  Config d;
  CHECK(d.load_args({file, "--save", "300", "100"}) == "");
  CHECK(d.save() == "3600 1 300 100");  // as in Redis, the command line adds to the file's

  Config e;
  CHECK(e.load_args({"--list-max-listpack-size", "-3", "--hz", "5"}) == "");
  CHECK(e.list_max_listpack_size == -3);
  CHECK(e.config_file.empty());
  CHECK(Config().load_args({}) == "");
  CHECK(Config().load_args({"--port", "1", "--bogus", "1"}) ==
        fatal(2, "the command line", "bogus \"1\"", "Bad directive or wrong number of arguments"));
  CHECK(
      Config().load_args({"--port", "x y"}) ==
      fatal(1, "the command line", "port \"x y\"", "argument couldn't be parsed into an integer"));
  // As in Redis, a word that is no option's value starts a line of its own: a second file name
  // reads as an unknown directive.
  CHECK(Config().load_args({file, "extra.conf"}).find("Bad directive") != std::string::npos);
  // Redis's command-line shapes (unit/introspection's "command line arguments" tests).
  Config g;
  CHECK(g.load_args({file, "loglevel", "verbose", "--maxmemory '700mb'",
                     "--maxmemory-policy 'volatile-lru'"}) == "");
  CHECK(g.maxmemory == 734003200);
  CHECK(g.loglevel == 1);
  Config h;
  CHECK(h.load_args({"--proc-title-template", "--save", "--save", "--loglevel", "verbose"}) == "");
  CHECK(get1(h, "proc-title-template") == "--save");
  CHECK(h.save() == "");
  Config k;
  CHECK(k.load_args({"--shutdown-on-sigint", "nosave", "force", "now", "--shutdown-on-sigterm",
                     "nosave force"}) == "");
  CHECK(get1(k, "shutdown-on-sigint") == "nosave now force");
  CHECK(get1(k, "shutdown-on-sigterm") == "nosave force");
  CHECK(Config().load_args({"--port", "6379", "6380"}).find("'port \"6379\" \"6380\"'") !=
        std::string::npos);
  CHECK(Config().load_args({"--port", "--bla", "--loglevel", "verbose"}) ==
        fatal(1, "the command line", "port \"--bla\"",
              "argument couldn't be parsed into an integer"));
  CHECK(Config().load_args({"--replicaof", "127.0.0.1", "abc"}).ends_with("Invalid master port"));
  CHECK(Config()
            .load_args({"--replicaof", "--127.0.0.1", "--abc"})
            .ends_with("wrong number of arguments"));
  CHECK(Config().load_args({"--shutdown-on-sigint"}).find("argument(s) must be one of") !=
        std::string::npos);
}

TEST_CASE("CONFIG GET: globs, aliases, each name once, table order") {
  Config c;
  const auto entries = c.get({"*max-*-entries*"});
  CHECK(names(entries) ==
        std::vector<std::string>{"hash-max-listpack-entries", "hash-max-ziplist-entries",
                                 "set-max-intset-entries", "set-max-listpack-entries",
                                 "zset-max-listpack-entries", "zset-max-ziplist-entries"});
  CHECK(entries[1].second == "128");
  CHECK(names(c.get({"maxmemory*"})) ==
        std::vector<std::string>{"maxmemory", "maxmemory-clients", "maxmemory-policy",
                                 "maxmemory-samples", "maxmemory-eviction-tenacity"});
  CHECK(names(c.get({"port", "PORT", "Po?t"})) == std::vector<std::string>{"port"});
  CHECK(names(c.get({"hash-max-ziplist-entries"})) ==
        std::vector<std::string>{"hash-max-ziplist-entries"});
  CHECK(c.get({"nothing-like-this"}).empty());
  CHECK(c.get({}).empty());
  CHECK(c.get({"*"}).size() > c.all().size());  // the aliases come too
  CHECK(names(c.get({"[lt]*-*-factor", "timeout"})) ==
        std::vector<std::string>{"timeout", "lfu-log-factor"});
}

TEST_CASE("CONFIG SET: Redis's errors") {
  Config c;
  CHECK(c.set({{"foo", "bar"}}) ==
        "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
  CHECK(c.set({{"FOO", "bar"}}) ==
        "ERR Unknown option or number of arguments for CONFIG SET - 'FOO'");
  CHECK(c.set({{"DATABASES", "4"}}) ==
        "ERR CONFIG SET failed (possibly related to argument 'DATABASES') - can't set immutable "
        "config");
  for (const char* fixed : {"threads", "shards", "unixsocket", "daemonize", "replicaof",
                            "tcp-backlog", "logfile", "pidfile", "dir", "syslog-enabled"}) {
    CAPTURE(fixed);
    CHECK(c.set({{fixed, "1"}}).ends_with("can't set immutable config"));
  }
  CHECK(c.set({{"MAXMEMORY", "10x"}}) ==
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a "
        "memory value");
  CHECK(c.set({{"hash-max-ziplist-entries", "abc"}}) ==
        "ERR CONFIG SET failed (possibly related to argument 'hash-max-ziplist-entries') - "
        "argument couldn't be parsed into an integer");
  CHECK(c.set({{"maxmemory", "1"}, {"MAXMEMORY", "2"}}) ==
        "ERR CONFIG SET failed (possibly related to argument 'MAXMEMORY') - duplicate parameter");
  CHECK(c.set({{"maxmemory", "1"}, {"maxmemory", "2"}, {"foo", "3"}})
            .ends_with("duplicate parameter"));
  CHECK(c.set({{"foo", "bar"}, {"databases", "1"}}).starts_with("ERR Unknown option"));
  CHECK(c.set({{"databases", "1"}, {"foo", "bar"}}).ends_with("can't set immutable config"));
  CHECK(c.set({{"hz", "abc"}, {"maxmemory", "1"}, {"maxmemory", "2"}})
            .ends_with("duplicate parameter"));
  CHECK(c.set({{"timeout", "1.5"}}).ends_with("argument couldn't be parsed into an integer"));
  CHECK(c.set({{"lfu-log-factor", "-1"}})
            .ends_with("argument must be between 0 and 2147483647 inclusive"));
  CHECK(c.set({{"maxclients", "0"}})
            .ends_with("argument must be between 1 and 4294967295 inclusive"));
  CHECK(c.set({{"save", "  "}}).ends_with("Invalid save parameters"));
  CHECK(c.set({{"appendonly", "maybe"}}).ends_with("argument must be 'yes' or 'no'"));
  CHECK(c.set({{"appendonly", "yes"}}).ends_with("appendonly must be 'no'"));
  CHECK(c.set({{"client-output-buffer-limit", "normal 1 2"}}) ==
        "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Wrong "
        "number of arguments in buffer limit configuration.");
  CHECK(c.set({}) == "ERR wrong number of arguments for 'config|set' command");
}

TEST_CASE("CONFIG SET: applies all pairs or none, then reports what changed") {
  Config c;
  std::vector<std::string> changed;
  c.on_change = [&](std::string_view n) { changed.emplace_back(n); };
  CHECK(c.set({{"maxmemory", "100mb"}, {"hz", "abc"}}) != "");
  CHECK(c.maxmemory == 0);
  CHECK(changed.empty());

  CHECK(c.set({{"MaxMemory", "100mb"},
               {"maxmemory-policy", "Volatile-TTL"},
               {"hz", "10"},
               {"hash-max-ziplist-entries", "7"},
               {"requirepass", "pw"},
               {"save", "900 1"},
               {"protected-mode", "no"},
               {"client-output-buffer-limit", "pubsub 1mb 2mb 3"}}) == "");
  CHECK(c.maxmemory == 100 << 20);
  CHECK(c.maxmemory_policy == EvictionPolicy::kVolatileTtl);
  CHECK(get1(c, "maxmemory-policy") == "volatile-ttl");
  CHECK(c.hash_max_listpack_entries == 7);
  CHECK(c.requirepass() == "pw");
  CHECK(c.save() == "900 1");
  CHECK_FALSE(c.protected_mode());
  CHECK(get1(c, "client-output-buffer-limit") ==
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 2097152 3");
  // hz was already 10: no call for it. Names are the table's, not the alias.
  CHECK(changed == std::vector<std::string>{"maxmemory", "maxmemory-policy",
                                            "hash-max-listpack-entries", "requirepass", "save",
                                            "protected-mode", "client-output-buffer-limit"});
  CHECK(c.set({{"appendonly", "NO"}, {"save", ""}, {"requirepass", ""}}) == "");
  CHECK(c.appendonly() == "no");
  CHECK(c.save() == "");
  CHECK(c.requirepass() == "");
}

TEST_CASE("CONFIG SET: a change that fails when applied rolls the whole SET back") {
  Config c;
  std::vector<std::string> seen, changed;
  c.on_change = [&](std::string_view n) { changed.emplace_back(n); };
  // As Server does for port and bind: fails for one port, as if it were taken.
  c.on_apply = [&](const std::vector<std::string_view>& names) -> Config::ApplyError {
    seen.assign(names.begin(), names.end());
    if (c.port == 7777) return {"port", "Unable to listen on this port. Check server logs."};
    return {};
  };
  CHECK(c.set({{"maxmemory", "10000001"}, {"port", "7777"}, {"bind", "*"}, {"hz", "10"}}) ==
        "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this "
        "port. Check server logs.");
  CHECK(seen == std::vector<std::string>{"maxmemory", "port", "bind"});  // hz did not change
  CHECK(c.maxmemory == 0);
  CHECK(c.port == 6379);
  CHECK(get1(c, "bind") == "127.0.0.1 -::1");
  CHECK(changed.empty());
  CHECK(c.set({{"port", "7000"}, {"bind", ""}}) == "");
  CHECK(c.port == 7000);
  CHECK(c.bind_list().empty());
  CHECK(changed == std::vector<std::string>{"port", "bind"});
  // Nothing changed: on_apply is not called.
  seen.clear();
  CHECK(c.set({{"port", "7000"}}) == "");
  CHECK(seen.empty());
}

TEST_CASE("directives kept for compatibility: Redis's parsing, errors and printing") {
  Config c;
  // maxmemory-clients: bytes or a percentage, kept as Redis keeps it.
  CHECK(c.set({{"maxmemory-clients", "10%"}}) == "");
  CHECK(get1(c, "maxmemory-clients") == "10%");
  CHECK(c.set({{"maxmemory-clients", "1mb"}}) == "");
  CHECK(get1(c, "maxmemory-clients") == "1048576");
  CHECK(c.set({{"maxmemory", "10000001"},
               {"maxmemory-clients", "200%"},
               {"client-query-buffer-limit", "invalid"}}) ==
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage "
        "argument must be less or equal to 100");
  CHECK(c.maxmemory == 0);
  CHECK(
      c.set({{"maxmemory-clients", "x%"}}).ends_with("argument must be a memory or percent value"));
  CHECK(c.set({{"repl-backlog-size", "10000002"}, {"save", "3000 5"}}) == "");
  CHECK(get1(c, "repl-backlog-size") == "10000002");
  // key-load-delay is hidden: only its exact name finds it.
  CHECK(c.get({"*"}).size() == c.get({"*", "key-load-delay"}).size() - 1);
  CHECK(names(c.get({"key-load-delay"})) == std::vector<std::string>{"key-load-delay"});
  CHECK(c.get({"key-load-*"}).empty());
  // replicaof and its alias: "" while a master; only "no one" is taken.
  CHECK(names(c.get({"*of"})) == std::vector<std::string>{"replicaof", "slaveof"});
  CHECK(get1(c, "replicaof") == "");
  CHECK(c.set({{"replicaof", "no one"}}).ends_with("can't set immutable config"));
  CHECK(c.load_text("replicaof no one\nslaveof no one", "t") == "");
  CHECK(c.load_text("replicaof 127.0.0.1 6379", "t").find("no replication") != std::string::npos);
  // shutdown-on-sig*: flags, printed in Redis's order; save and nosave exclude each other.
  CHECK(c.set({{"shutdown-on-sigterm", "now nosave"}}) == "");
  CHECK(get1(c, "shutdown-on-sigterm") == "nosave now");
  CHECK(c.set({{"shutdown-on-sigint", "save nosave"}})
            .ends_with("shutdown options SAVE and NOSAVE can't be used simultaneously"));
  CHECK(c.set({{"shutdown-on-sigint", ""}})
            .ends_with(
                "argument(s) must be one of the following: default, save, nosave, now, force"));
  CHECK(c.set({{"shutdown-on-sigterm", "default"}}) == "");
  CHECK(get1(c, "shutdown-on-sigterm") == "default");
  // oom-score-adj and its values.
  CHECK(c.set({{"oom-score-adj", "relative"}, {"oom-score-adj-values", "1 1 1"}}) == "");
  CHECK(get1(c, "oom-score-adj") == "yes");
  CHECK(get1(c, "oom-score-adj-values") == "1 1 1");
  CHECK(c.set({{"oom-score-adj-values", "1 1 3000"}})
            .ends_with("Invalid oom-score-adj-values, elements must be between -2000 and 2000."));
  CHECK(c.set({{"proc-title-template", "{title} {nope}"}})
            .ends_with("template format is invalid or contains unknown variables"));
  // threads and shards: their own value only.
  CHECK(c.set({{"threads", "auto"}, {"shards", "0"}}) == "");
  CHECK(c.set({{"threads", "3"}}).ends_with("can't set immutable config"));
  // bind: "" is no address, at most 16, and a rewritten empty bind reads back.
  CHECK(c.set({{"bind", ""}}) == "");
  CHECK(get1(c, "bind") == "");
  CHECK(c.load_text("bind \"\"", "t") == "");
  CHECK(c.bind_list().empty());
  CHECK(c.load_text("bind \"127.0.0.1 -::1\"", "t") == "");
  CHECK(get1(c, "bind") == "127.0.0.1 -::1");
}

TEST_CASE("every directive's rewritten line reads back to the same value") {
  // What DEBUG CONFIG-REWRITE-FORCE-ALL checks in Redis's suite, for values off the defaults too.
  Config c;
  REQUIRE(c.set({{"bind", ""},
                 {"maxmemory-clients", "10%"},
                 {"shutdown-on-sigterm", "nosave now"},
                 {"oom-score-adj-values", "-5 0 2000"},
                 {"proc-title-template", "x {title}"},
                 {"save", "3000 5 60 1"}}) == "");
  for (const Directive& d : ConfigAccess::table()) {
    CAPTURE(d.name);
    Config back;
    const std::string line = std::string(d.name) + " " + respite::server::file_value(d, c);
    CAPTURE(line);
    CHECK(back.load_text(line, "rewrite") == "");
    CHECK(respite::server::show_value(d, back) == respite::server::show_value(d, c));
  }
}

TEST_CASE("CONFIG REWRITE") {
  CHECK(Config().rewrite() == "ERR The server is running without a config file");

  TempDir dir;
  const std::string original =
      "# my cache\n"
      "port 7005\n"
      "\n"
      "# memory\n"
      "maxmemory 1GB\n"
      "hash-max-ziplist-entries 64\n"
      "include extra.conf\n"
      "save 3600 1\n"
      "save 300 100\n"
      "# trailing comment\n";
  dir.write("extra.conf", "hz 15\n");
  const std::string path = dir.write("r.conf", original);
  Config c;
  REQUIRE(c.load_file(path) == "");

  // Nothing changed: the file stays as written, except the two save lines become one.
  REQUIRE(c.rewrite() == "");
  CHECK(read(path) ==
        "# my cache\nport 7005\n\n# memory\nmaxmemory 1GB\nhash-max-ziplist-entries 64\n"
        "include extra.conf\nsave 3600 1 300 100\n# trailing comment\n"
        "# Generated by CONFIG REWRITE\nhz 15\n");

  REQUIRE(c.set({{"maxmemory", "512mb"},
                 {"hash-max-listpack-entries", "32"},
                 {"timeout", "9"},
                 {"requirepass", "p w\n"},
                 {"client-output-buffer-limit", "normal 1mb 1000 5"},
                 {"save", ""}}) == "");
  REQUIRE(c.rewrite() == "");
  const std::string text = read(path);
  CHECK(text ==
        "# my cache\nport 7005\n\n# memory\nmaxmemory 512mb\nhash-max-listpack-entries 32\n"
        "include extra.conf\nsave \"\"\n# trailing comment\n"
        "# Generated by CONFIG REWRITE\nhz 15\n"
        "timeout 9\nrequirepass \"p w\\n\"\n"
        "client-output-buffer-limit normal 1mb 1000 5 replica 256mb 64mb 60 pubsub 32mb 8mb 60\n");

  // Reading it back gives the same values; rewriting again changes nothing.
  Config back;
  REQUIRE(back.load_file(path) == "");
  CHECK(back.all() == c.all());
  REQUIRE(back.rewrite() == "");
  CHECK(read(path) == text);
  CHECK(fs::exists(path + ".rewrite-tmp") == false);

  // A config file that has gone is written afresh with what differs from the defaults.
  fs::remove(path);
  REQUIRE(c.rewrite() == "");
  Config fresh;
  REQUIRE(fresh.load_file(path) == "");
  CHECK(fresh.all() == c.all());
}

TEST_CASE("conf/respite.conf documents every directive and loads to the defaults") {
  const std::string path = std::string(RESPITE_SOURCE_DIR) + "/conf/respite.conf";
  const std::string text = read(path);
  REQUIRE(!text.empty());
  for (const Directive& d : ConfigAccess::table()) {
    CAPTURE(d.name);
    // Either set (`name value`) or shown as an example (`# name value`) at the start of a line,
    // with its comment above.
    const std::string n(d.name);
    const bool present = text.find("\n" + n + " ") != std::string::npos ||
                         text.find("\n# " + n + " ") != std::string::npos;
    CHECK(present);
  }
  Config c;
  CHECK(c.load_file(path) == "");
  CHECK(c.all() == Config().all());
}

TEST_CASE("CONFIG SET while other threads read (run under TSan by make test-tsan)") {
  Config c;
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop.load()) {
      (void)c.maxmemory.load(std::memory_order_relaxed);
      (void)c.requirepass();
      (void)c.get({"maxmemory*", "requirepass", "save", "bind", "port"});
      (void)c.bind_list();  // as a worker reads it when listening
    }
  });
  for (int i = 0; i < 200; ++i) {
    REQUIRE(c.set({{"maxmemory", std::to_string(i)},
                   {"requirepass", "pw" + std::to_string(i)},
                   {"save", std::to_string(i) + " 1"},
                   {"port", std::to_string(7000 + i)},
                   {"bind", i % 2 ? "127.0.0.1" : "* -::*"}}) == "");
  }
  stop = true;
  reader.join();
  CHECK(c.requirepass() == "pw199");
}
