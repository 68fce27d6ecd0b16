// Client limits and client introspection over the wire: maxclients across workers, output and
// query buffer limits, idle timeout (and who it spares), CLIENT LIST / INFO fields, CLIENT KILL's
// filters across workers, CLIENT PAUSE / UNPAUSE. Every wait is a poll on something the server
// reports (CLIENT LIST, INFO, a closed socket), never a fixed sleep.
#include <chrono>
#include <map>
#include <sstream>
#include <thread>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

// CLIENT LIST's fields of one line, by name, and their names in order.
struct ClientLine {
  std::map<std::string, std::string> f;
  std::vector<std::string> order;
};
ClientLine parse_line(const std::string& line) {
  ClientLine out;
  std::istringstream in(line);
  std::string kv;
  while (in >> kv) {
    size_t eq = kv.find('=');
    std::string k = kv.substr(0, eq);
    out.order.push_back(k);
    out.f[k] = eq == std::string::npos ? "" : kv.substr(eq + 1);
  }
  return out;
}

// The CLIENT LIST line of client id ("" once it is gone).
std::string line_of(Fixture& f, long long id) {
  std::string s = f.cmd({"CLIENT", "LIST", "ID", std::to_string(id)}).str;
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}
bool gone(Fixture& f, long long id) {
  return line_of(f, id).empty();
}
bool wait_gone(Fixture& f, long long id) {
  return poll_until([&] { return gone(f, id); }, std::chrono::seconds(10));
}

long long raw_id(RawConnection& c) {
  std::string r = raw(c, {"CLIENT", "ID"});
  REQUIRE(r.size() > 3);
  return std::stoll(r.substr(1));
}

long long connected(Fixture& f) {
  return info_field(f.cmd({"INFO", "clients"}).str, "connected_clients");
}

}  // namespace

TEST_CASE("maxclients refuses the next connection, counted over every worker, and accepts again") {
  Fixture f(workers(2).set("maxclients", "4"));
  std::vector<std::unique_ptr<Client>> others;
  for (int i = 0; i < 3; i++) {
    others.push_back(std::make_unique<Client>(f.server.port()));
    REQUIRE(others.back()->cmd({"PING"}) == Reply::Status("PONG"));
  }
  CHECK(connected(f) == 4);
  // The fifth: told why, then closed (whichever worker accepted it).
  RawConnection refused(f.server.port());
  CHECK(refused.read_line() == "-ERR max number of clients reached\r\n");
  CHECK(refused.wait_closed());
  CHECK(info_field(f.cmd({"INFO", "stats"}).str, "rejected_connections") == 1);
  others.pop_back();
  REQUIRE(poll_until([&] { return connected(f) == 3; }, std::chrono::seconds(10)));
  Client again(f.server.port());
  CHECK(again.cmd({"PING"}) == Reply::Status("PONG"));
  // Live: lowering it refuses new clients only.
  CHECK(f.cmd({"CONFIG", "SET", "maxclients", "2"}) == OK());
  RawConnection refused2(f.server.port());
  CHECK(refused2.read_line() == "-ERR max number of clients reached\r\n");
  CHECK(again.cmd({"PING"}) == Reply::Status("PONG"));
}

TEST_CASE("a client over client-output-buffer-limit normal's hard limit is closed") {
  Fixture f(ServerOptions().set("client-output-buffer-limit", "normal 1mb 0 0"));
  CHECK(f.cmd({"CONFIG", "GET", "client-output-buffer-limit"}) ==
        Reply::StrArr({"client-output-buffer-limit",
                       "normal 1048576 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 "
                       "60"}));
  CHECK(f.cmd({"SET", "big", std::string(1 << 20, 'x')}) == OK());
  RawConnection reader(f.server.port());
  long long id = raw_id(reader);
  // 32 MiB of replies asked for in one write and never read: far past what the kernel buffers.
  std::string pipeline;
  for (int i = 0; i < 32; i++) pipeline += resp({"GET", "big"});
  REQUIRE(reader.send(pipeline));
  CHECK(wait_gone(f, id));
  CHECK(f.server.log().find("scheduled to be closed ASAP for overcoming of output buffer limits") !=
        std::string::npos);
  CHECK(f.cmd({"PING"}) == Reply::Status("PONG"));
}

TEST_CASE("a client past the soft output limit for its seconds is closed, sending nothing more") {
  Fixture f;
  CHECK(f.cmd({"CONFIG", "SET", "client-output-buffer-limit", "normal 0 128kb 1"}) == OK());
  CHECK(f.cmd({"SET", "big", std::string(1 << 20, 'x')}) == OK());
  RawConnection reader(f.server.port());
  long long id = raw_id(reader);
  std::string pipeline;
  for (int i = 0; i < 16; i++) pipeline += resp({"GET", "big"});
  REQUIRE(reader.send(pipeline));
  // Still there at first (the soft limit allows a second), then closed by the periodic check.
  CHECK(wait_gone(f, id));
  CHECK(f.server.log().find("scheduled to be closed ASAP") != std::string::npos);
}

TEST_CASE("with no output limit a client that does not read is paused, not closed") {
  Fixture f;
  CHECK(f.cmd({"SET", "big", std::string(1 << 20, 'x')}) == OK());
  RawConnection reader(f.server.port());
  long long id = raw_id(reader);
  std::string pipeline;
  for (int i = 0; i < 16; i++) pipeline += resp({"GET", "big"});
  REQUIRE(reader.send(pipeline));
  // Its output waits (omem grows past the kernel's buffers), and nothing closes it.
  REQUIRE(poll_until(
      [&] {
        std::string l = line_of(f, id);
        return !l.empty() && std::stoll(parse_line(l).f["omem"]) > 0;
      },
      std::chrono::seconds(10)));
  // Everything arrives once it reads.
  std::string one = header('$', 1 << 20) + std::string(1 << 20, 'x') + "\r\n";
  for (int i = 0; i < 16; i++) REQUIRE(reader.read_exact(one.size()) == one);
  CHECK(!gone(f, id));
}

TEST_CASE("with no output limit a client that does not read has its later commands held back") {
  Fixture f;
  if (!f.server.is_respite()) return;  // Redis runs them all and buffers every reply
  REQUIRE(f.cmd({"CONFIG", "SET", "compression-threshold", "0"}) == OK());
  std::string big(256 * 1024, 'v');
  for (size_t i = 0; i < big.size(); i += 101) big[i] = static_cast<char>('a' + i % 26);
  REQUIRE(f.cmd({"SET", "big", big}) == OK());
  RawConnection reader(f.server.port());
  long long id = raw_id(reader);
  std::string pipeline;
  for (int i = 0; i < 64; i++) pipeline += resp({"GET", "big"});
  pipeline += resp({"PING"});
  REQUIRE(reader.send(pipeline));
  // 16 MiB of replies asked for: the output stops growing near 256 KiB and the commands not run
  // yet wait in the query buffer.
  std::string line;
  REQUIRE(poll_until(
      [&] {
        line = line_of(f, id);
        return !line.empty() && std::stoll(parse_line(line).f["omem"]) > 0 &&
               std::stoll(parse_line(line).f["qbuf"]) > 0;
      },
      std::chrono::seconds(10)));
  CHECK(std::stoll(parse_line(line).f["omem"]) < (2 << 20));
  // Everything arrives, in order, once it reads.
  std::string one = header('$', big.size()) + big + "\r\n";
  for (int i = 0; i < 64; i++) REQUIRE(reader.read_exact(one.size()) == one);
  CHECK(reader.read_line() == "+PONG\r\n");
  CHECK(raw(reader, {"PING"}) == "+PONG\r\n");
}

TEST_CASE("client-query-buffer-limit closes a client whose unparsed input grows past it") {
  Fixture f;
  CHECK(f.cmd({"CONFIG", "SET", "client-query-buffer-limit", "1mb"}) == OK());
  RawConnection c(f.server.port());
  long long id = raw_id(c);
  // A bulk announced at 4 MB, of which 2 MB are sent: past the limit, not yet a command.
  c.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4000000\r\n");
  c.send(std::string(2000000, 'v'));
  CHECK(wait_gone(f, id));
  CHECK(f.server.log().find("Closing client that reached max query buffer length") !=
        std::string::npos);
}

TEST_CASE("proto-max-bulk-len refuses a larger bulk with Redis's protocol error") {
  Fixture f;
  CHECK(f.cmd({"CONFIG", "SET", "proto-max-bulk-len", "1mb"}) == OK());
  RawConnection c(f.server.port());
  c.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n");
  CHECK(c.read_line() == "-ERR Protocol error: invalid bulk length\r\n");
  CHECK(c.wait_closed());
}

TEST_CASE("timeout closes idle clients but spares blocked and subscribed ones") {
  Fixture f(workers(2));
  RawConnection idle(f.server.port());
  long long idle_id = raw_id(idle);
  RawConnection blocked(f.server.port());
  long long blocked_id = raw_id(blocked);
  REQUIRE(blocked.send(resp({"BLPOP", "nothing", "0"})));
  REQUIRE(wait_blocked(f, 1));
  RawConnection sub(f.server.port());
  long long sub_id = raw_id(sub);
  REQUIRE(raw(sub, {"SUBSCRIBE", "ch"}).find("subscribe") != std::string::npos);
  RawConnection mon(f.server.port());
  long long mon_id = raw_id(mon);
  REQUIRE(raw(mon, {"MONITOR"}) == "+OK\r\n");
  CHECK(f.cmd({"CONFIG", "SET", "timeout", "1"}) == OK());
  CHECK(idle.wait_closed());
  // (The fixture's own client idled as long: it is closed too, so a new one checks.)
  Client admin(f.server.port());
  CHECK(admin.cmd({"CONFIG", "SET", "timeout", "0"}) == OK());
  auto gone_now = [&](long long id) {
    return admin.cmd({"CLIENT", "LIST", "ID", std::to_string(id)}).str.empty();
  };
  CHECK(gone_now(idle_id));
  // The same sweeps that closed the idle clients passed over these.
  CHECK(!gone_now(blocked_id));
  CHECK(!gone_now(sub_id));
  CHECK(!gone_now(mon_id));
}

TEST_CASE("tcp-backlog and tcp-keepalive are directives with Redis's defaults") {
  Fixture f;
  CHECK(f.cmd({"CONFIG", "GET", "tcp-backlog"}) == Reply::StrArr({"tcp-backlog", "511"}));
  CHECK(f.cmd({"CONFIG", "GET", "tcp-keepalive"}) == Reply::StrArr({"tcp-keepalive", "300"}));
  CHECK(f.cmd({"CONFIG", "SET", "tcp-keepalive", "60"}) == OK());
  Client c(f.server.port());
  CHECK(c.cmd({"PING"}) == Reply::Status("PONG"));
}

TEST_CASE("CLIENT LIST and CLIENT INFO print Redis 7.0's fields in order, with real values") {
  Fixture f(workers(2));
  std::string info = f.cmd({"CLIENT", "INFO"}).str;
  ClientLine l = parse_line(info);
  const std::vector<std::string> want = {
      "id",        "addr", "laddr", "fd",   "name",     "age",    "idle",      "flags",
      "db",        "sub",  "psub",  "ssub", "multi",    "qbuf",   "qbuf-free", "argv-mem",
      "multi-mem", "rbs",  "rbp",   "obl",  "oll",      "omem",   "tot-mem",   "events",
      "cmd",       "user", "redir", "resp", "lib-name", "lib-ver"};
  CHECK(l.order == want);
  CHECK(l.f["flags"] == "N");
  CHECK(l.f["multi"] == "-1");
  CHECK(l.f["qbuf"] == "26");  // *2 $6 client $4 info: the command being run, as Redis counts
  CHECK(l.f["argv-mem"] == "10");
  CHECK(l.f["cmd"] == "client|info");
  CHECK(l.f["user"] == "default");
  CHECK(l.f["events"] == "r");
  CHECK(l.f["omem"] == "0");
  CHECK(std::stoll(l.f["tot-mem"]) > 0);
  // Name, library, database, MULTI: seen from another client on whichever worker.
  Client other(f.server.port());
  long long id = other.cmd({"CLIENT", "ID"}).integer;
  CHECK(other.cmd({"CLIENT", "SETNAME", "worker-7"}) == OK());
  CHECK(other.cmd({"CLIENT", "SETINFO", "LIB-NAME", "redis-py"}) == OK());
  CHECK(other.cmd({"CLIENT", "SETINFO", "LIB-VER", "5.0.1"}) == OK());
  CHECK(other.cmd({"SELECT", "3"}) == OK());
  CHECK(other.cmd({"MULTI"}) == OK());
  CHECK(other.cmd({"SET", "a", "b"}) == Reply::Status("QUEUED"));
  CHECK(other.cmd({"SET", "c", "d"}) == Reply::Status("QUEUED"));
  ClientLine o = parse_line(line_of(f, id));
  CHECK(o.f["name"] == "worker-7");
  CHECK(o.f["lib-name"] == "redis-py");
  CHECK(o.f["lib-ver"] == "5.0.1");
  CHECK(o.f["db"] == "3");
  CHECK(o.f["flags"] == "x");
  CHECK(o.f["multi"] == "2");
  CHECK(std::stoll(o.f["multi-mem"]) > 0);
  CHECK(o.f["cmd"] == "set");
  CHECK(o.f["qbuf"] == "0");
  CHECK(other.cmd({"DISCARD"}) == OK());
  CHECK(parse_line(line_of(f, id)).f["multi"] == "-1");
  // TYPE and ID filters.
  RawConnection sub(f.server.port());
  long long sub_id = raw_id(sub);
  REQUIRE(raw(sub, {"SUBSCRIBE", "ch"}).find("subscribe") != std::string::npos);
  std::string pubsub = f.cmd({"CLIENT", "LIST", "TYPE", "pubsub"}).str;
  CHECK(pubsub.find("id=" + std::to_string(sub_id) + " ") == 0);
  CHECK(pubsub.find("flags=P ") != std::string::npos);
  CHECK(
      f.cmd({"CLIENT", "LIST", "TYPE", "normal"}).str.find("id=" + std::to_string(sub_id) + " ") ==
      std::string::npos);
  CHECK(f.cmd({"CLIENT", "LIST", "TYPE", "replica"}).str.empty());
  CHECK(f.cmd({"CLIENT", "LIST", "TYPE", "master"}).str.empty());
  std::string two = f.cmd({"CLIENT", "LIST", "ID", std::to_string(sub_id), std::to_string(id)}).str;
  CHECK(two.find("id=" + std::to_string(sub_id)) == 0);  // in the order asked
  CHECK(two.find("\nid=" + std::to_string(id)) != std::string::npos);
  CHECK(f.cmd({"CLIENT", "LIST", "TYPE", "bogus"}) ==
        Reply::Err("ERR Unknown client type 'bogus'"));
  CHECK(f.cmd({"CLIENT", "LIST", "ID", "x"}) == Reply::Err("ERR Invalid client ID"));
  // NO-EVICT shows as 'e'.
  CHECK(other.cmd({"CLIENT", "NO-EVICT", "on"}) == OK());
  CHECK(parse_line(line_of(f, id)).f["flags"] == "e");
  CHECK(other.cmd({"CLIENT", "NO-EVICT", "off"}) == OK());
  CHECK(other.cmd({"CLIENT", "GETNAME"}) == Reply::Str("worker-7"));
}

TEST_CASE("CLIENT KILL's filters reach clients on every worker") {
  Fixture f(workers(2));
  std::vector<std::unique_ptr<RawConnection>> conns;
  std::vector<long long> ids;
  for (int i = 0; i < 6; i++) {
    conns.push_back(std::make_unique<RawConnection>(f.server.port()));
    ids.push_back(raw_id(*conns.back()));
  }
  // ID.
  CHECK(f.cmd({"CLIENT", "KILL", "ID", std::to_string(ids[0])}) == Reply::Int(1));
  CHECK(conns[0]->wait_closed());
  // ADDR (the new form counts, the old one answers OK).
  std::string addr1 = parse_line(line_of(f, ids[1])).f["addr"];
  std::string addr2 = parse_line(line_of(f, ids[2])).f["addr"];
  CHECK(f.cmd({"CLIENT", "KILL", "ADDR", addr1}) == Reply::Int(1));
  CHECK(conns[1]->wait_closed());
  CHECK(f.cmd({"CLIENT", "KILL", addr2}) == OK());
  CHECK(conns[2]->wait_closed());
  CHECK(f.cmd({"CLIENT", "KILL", "127.0.0.1:1"}) == Reply::Err("ERR No such client"));
  // TYPE pubsub only takes the subscriber.
  REQUIRE(raw(*conns[3], {"SUBSCRIBE", "x"}).find("subscribe") != std::string::npos);
  CHECK(f.cmd({"CLIENT", "KILL", "TYPE", "pubsub"}) == Reply::Int(1));
  CHECK(conns[3]->wait_closed());
  // MAXAGE: nobody is an hour old.
  CHECK(f.cmd({"CLIENT", "KILL", "MAXAGE", "3600"}) == Reply::Int(0));
  CHECK(f.cmd({"CLIENT", "KILL", "MAXAGE", "0"}) ==
        Reply::Err("ERR maxage should be greater than 0"));
  CHECK(f.cmd({"CLIENT", "KILL", "MAXAGE", "x"}) ==
        Reply::Err("ERR maxage is not an integer or out of range"));
  // Errors, as Redis.
  CHECK(f.cmd({"CLIENT", "KILL", "ID", "0"}) ==
        Reply::Err("ERR client-id should be greater than 0"));
  CHECK(f.cmd({"CLIENT", "KILL", "TYPE", "x"}) == Reply::Err("ERR Unknown client type 'x'"));
  CHECK(f.cmd({"CLIENT", "KILL", "USER", "nobody"}) == Reply::Err("ERR No such user 'nobody'"));
  CHECK(f.cmd({"CLIENT", "KILL", "SKIPME", "maybe"}) == Reply::Err("ERR syntax error"));
  CHECK(f.cmd({"CLIENT", "KILL", "ID", "5", "ADDR"}) == Reply::Err("ERR syntax error"));
  // USER default with SKIPME yes (the default): everyone but the caller, on both workers.
  std::string laddr = parse_line(line_of(f, ids[4])).f["laddr"];
  CHECK(f.cmd({"CLIENT", "KILL", "LADDR", laddr, "USER", "default"}) == Reply::Int(2));
  CHECK(conns[4]->wait_closed());
  CHECK(conns[5]->wait_closed());
  CHECK(f.cmd({"PING"}) == Reply::Status("PONG"));
  // SKIPME no: the caller too, after its reply.
  Client last(f.server.port());
  CHECK(last.cmd({"CLIENT", "KILL", "USER", "default", "SKIPME", "no"}) == Reply::Int(2));
  CHECK_THROWS(last.cmd({"PING"}));
}

TEST_CASE("CLIENT PAUSE WRITE holds writes on every worker until CLIENT UNPAUSE; reads go on") {
  Fixture f(workers(2));
  CHECK(f.cmd({"SET", "k", "before"}) == OK());
  CHECK(f.cmd({"CLIENT", "PAUSE", "100000", "WRITE"}) == OK());
  std::vector<std::unique_ptr<RawConnection>> writers;
  std::vector<long long> ids;
  for (int i = 0; i < 4; i++) {
    writers.push_back(std::make_unique<RawConnection>(f.server.port()));
    ids.push_back(raw_id(*writers.back()));
    // A write, a read pipelined behind it: both wait, in order.
    REQUIRE(writers.back()->send(resp({"SET", "k", "w" + std::to_string(i)}) + resp({"GET", "k"})));
  }
  for (long long id : ids) {
    REQUIRE(poll_until([&] { return parse_line(line_of(f, id)).f["flags"] == "b"; },
                       std::chrono::seconds(10)));
  }
  Client reader(f.server.port());
  CHECK(reader.cmd({"GET", "k"}) == Reply::Str("before"));
  CHECK(f.cmd({"CLIENT", "UNPAUSE"}) == OK());
  for (auto& w : writers) {
    CHECK(w->read_reply() == "+OK\r\n");
    CHECK(w->read_reply().substr(0, 2) == "$2");
  }
}

TEST_CASE("CLIENT PAUSE WRITE holds PUBLISH and writing scripts, not read-only ones") {
  Fixture f;
  const std::string lib =
      "#!lua name=pauselib\n"
      "redis.register_function{function_name='ro', callback=function() return 5 end, "
      "flags={'no-writes'}}\n"
      "redis.register_function('rw', function() return redis.call('incr', 'fn') end)";
  CHECK(f.cmd({"FUNCTION", "LOAD", lib}) == Reply::Str("pauselib"));
  CHECK(f.cmd({"CLIENT", "PAUSE", "100000", "WRITE"}) == OK());
  // A function registered no-writes runs, as Redis judges FCALL by the function's flags.
  RawConnection fn(f.server.port());
  CHECK(raw(fn, {"FCALL", "ro", "0"}) == ":5\r\n");
  CHECK(raw(fn, {"FCALL_RO", "ro", "0"}) == ":5\r\n");
  long long fn_id = raw_id(fn);
  REQUIRE(fn.send(resp({"FCALL", "rw", "0"})));
  RawConnection pub(f.server.port());
  long long pub_id = raw_id(pub);
  REQUIRE(pub.send(resp({"PUBLISH", "ch", "m"})));
  RawConnection script(f.server.port());
  long long script_id = raw_id(script);
  REQUIRE(script.send(resp({"EVAL", "return redis.call('get','k')", "0"})));
  RawConnection ro(f.server.port());
  CHECK(raw(ro, {"EVAL", "#!lua flags=no-writes\nreturn 7", "0"}) == ":7\r\n");
  CHECK(raw(ro, {"EVAL_RO", "return 8", "0"}) == ":8\r\n");
  RawConnection tx(f.server.port());
  long long tx_id = raw_id(tx);
  CHECK(raw(tx, {"MULTI"}) == "+OK\r\n");
  CHECK(raw(tx, {"GET", "k"}) == "+QUEUED\r\n");
  CHECK(raw(tx, {"EXEC"}) == "*1\r\n$-1\r\n");  // reads only: runs
  CHECK(raw(tx, {"MULTI"}) == "+OK\r\n");
  REQUIRE(tx.send(resp({"INCR", "n"})));  // a write inside MULTI waits too, as in Redis 7.0
  for (long long id : {pub_id, script_id, tx_id, fn_id}) {
    REQUIRE(poll_until(
        [&] { return parse_line(line_of(f, id)).f["flags"].find('b') != std::string::npos; },
        std::chrono::seconds(10)));
  }
  CHECK(f.cmd({"CLIENT", "UNPAUSE"}) == OK());
  CHECK(pub.read_reply() == ":0\r\n");
  CHECK(script.read_reply() == "$-1\r\n");
  CHECK(tx.read_reply() == "+QUEUED\r\n");
  CHECK(fn.read_reply() == ":1\r\n");
}

TEST_CASE("CLIENT PAUSE ALL holds every command until its timeout passes") {
  Fixture f(workers(2));
  auto start = std::chrono::steady_clock::now();
  CHECK(f.cmd({"CLIENT", "PAUSE", "300"}) == OK());
  Client other(f.server.port(), std::chrono::milliseconds(20000));
  CHECK(other.cmd({"PING"}) == Reply::Status("PONG"));
  auto waited = std::chrono::steady_clock::now() - start;
  CHECK(waited >= std::chrono::milliseconds(300));
  CHECK(f.cmd({"CLIENT", "PAUSE", "10", "NEVER"}) ==
        Reply::Err("ERR CLIENT PAUSE mode must be WRITE or ALL"));
  CHECK(f.cmd({"CLIENT", "PAUSE", "x"}) ==
        Reply::Err("ERR timeout is not an integer or out of range"));
  CHECK(f.cmd({"CLIENT", "PAUSE", "-1"}) == Reply::Err("ERR timeout is negative"));
  CHECK(f.cmd({"CLIENT", "PAUSE", "0"}) == OK());  // over at once
  CHECK(f.cmd({"PING"}) == Reply::Status("PONG"));
}

TEST_CASE("expired keys are not deleted while clients are paused") {
  Fixture f;
  // Two seconds to live: still there when the pause starts, however loaded the machine.
  CHECK(f.cmd({"SET", "gone", "v", "PX", "2000"}) == OK());
  CHECK(f.cmd({"HSET", "h", "f", "v"}) == Reply::Int(1));
  CHECK(f.cmd({"PEXPIRE", "h", "2000"}) == Reply::Int(1));
  CHECK(f.cmd({"CLIENT", "PAUSE", "100000", "WRITE"}) == OK());
  REQUIRE(f.cmd({"PTTL", "gone"}).integer > 0);
  const long long base = info_field(f.cmd({"INFO", "stats"}).str, "expired_keys");
  // They expire: reads (lock-free GET, locked HGET) see them gone, yet nothing deletes them.
  REQUIRE(poll_until([&] { return f.cmd({"GET", "gone"}).is_nil(); }, std::chrono::seconds(10)));
  REQUIRE(poll_until([&] { return f.cmd({"HGET", "h", "f"}).is_nil(); }, std::chrono::seconds(5)));
  CHECK(info_field(f.cmd({"INFO", "stats"}).str, "expired_keys") == base);
  CHECK(f.cmd({"DBSIZE"}) == Reply::Int(2));
  CHECK(f.cmd({"CLIENT", "UNPAUSE"}) == OK());
  REQUIRE(poll_until([&] { return f.cmd({"DBSIZE"}) == Reply::Int(0); }, std::chrono::seconds(10)));
  CHECK(info_field(f.cmd({"INFO", "stats"}).str, "expired_keys") == base + 2);
}

TEST_CASE("a long pipeline yields its worker to the other clients between turns") {
  // One worker, and a pipeline of 100,000 INCRs already in the server's hands when it may run
  // (held by CLIENT PAUSE WRITE until all of it has been read), with another client's INCR
  // postponed behind it. On UNPAUSE the pipeline runs a turn's worth (64 KiB of input), yields,
  // and the other client's INCR goes before the rest: it sees a count far below 100,000.
  Fixture f(workers(1));
  if (!f.server.is_respite()) return;  // Redis runs a client's whole query buffer at once
  CHECK(f.cmd({"CLIENT", "PAUSE", "100000", "WRITE"}) == OK());
  const std::string info_cmd = resp({"INFO", "stats"});
  long long polls = 1;
  const long long in0 = info_field(f.cmd({"INFO", "stats"}).str, "total_net_input_bytes");
  const int kCommands = 100000;
  std::string pipeline;
  for (int i = 0; i < kCommands; i++) pipeline += resp({"INCR", "c"});
  RawConnection a(f.server.port());
  REQUIRE(a.send(pipeline));
  // Read by the server once its input count has grown by the pipeline (and by these INFOs).
  REQUIRE(poll_until(
      [&] {
        long long in = info_field(f.cmd({"INFO", "stats"}).str, "total_net_input_bytes");
        polls++;
        return in >= in0 + static_cast<long long>(pipeline.size() + (polls - 1) * info_cmd.size());
      },
      std::chrono::seconds(20)));
  RawConnection b(f.server.port());
  long long b_id = raw_id(b);
  REQUIRE(b.send(resp({"INCR", "c"})));
  REQUIRE(poll_until([&] { return parse_line(line_of(f, b_id)).f["flags"] == "b"; },
                     std::chrono::seconds(10)));
  CHECK(f.cmd({"CLIENT", "UNPAUSE"}) == OK());
  std::string got = b.read_reply();
  REQUIRE(got.size() > 3);
  const long long seen = std::stoll(got.substr(1));
  CHECK(seen > 1);
  CHECK(seen < kCommands / 2);
  // The pipeline's replies: every count but the one the other client took, in order.
  long long expect = 1;
  for (int i = 0; i < kCommands; i++) {
    if (expect == seen) expect++;
    REQUIRE(a.read_reply() == ":" + std::to_string(expect) + "\r\n");
    expect++;
  }
  CHECK(f.cmd({"GET", "c"}) == Reply::Str(std::to_string(kCommands + 1)));
}
