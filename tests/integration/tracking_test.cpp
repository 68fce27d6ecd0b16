// Client-side caching over the wire (server/tracking.h), with two workers so that tracking clients
// and writers sit on different event loops: invalidations for keys changed on another worker,
// BCAST with prefixes, OPTIN/OPTOUT with CLIENT CACHING, NOLOOP, REDIRECT to a RESP2 subscriber,
// FLUSHALL's null invalidation, expiry, the tracking-table-max-keys bound, the introspection
// (CLIENT TRACKINGINFO, GETREDIR, LIST, INFO) and Redis 7.0's error texts. Frames are compared
// byte for byte with Redis 7.0's. No sleeps: every wait is a read with the connection's timeout.
#include <algorithm>
#include <atomic>
#include <thread>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

// >2 invalidate [keys] (RESP3), or with a null list (FLUSHDB / FLUSHALL).
std::string push_invalidate(const std::vector<std::string>& keys) {
  std::string s = header('>', 2) + bulk("invalidate") + header('*', keys.size());
  for (const std::string& k : keys) s += bulk(k);
  return s;
}
std::string push_invalidate_all() {
  return header('>', 2) + bulk("invalidate") + "_\r\n";
}
// message __redis__:invalidate [keys] (RESP2, on a subscribed redirect target).
std::string message_invalidate(const std::vector<std::string>& keys) {
  std::string s =
      header('*', 3) + bulk("message") + bulk("__redis__:invalidate") + header('*', keys.size());
  for (const std::string& k : keys) s += bulk(k);
  return s;
}

// A RESP3 connection (HELLO 3 answered) with CLIENT TRACKING ON and the given options.
std::unique_ptr<RawConnection> tracker(Fixture& f, std::vector<std::string> options = {}) {
  auto c = std::make_unique<RawConnection>(f.server.port());
  REQUIRE(c->send(resp({"HELLO", "3"})));
  REQUIRE(c->read_reply().substr(0, 1) == "%");
  std::vector<std::string> cmd = {"CLIENT", "TRACKING", "ON"};
  cmd.insert(cmd.end(), options.begin(), options.end());
  REQUIRE(raw(*c, cmd) == "+OK\r\n");
  return c;
}

long long client_id(RawConnection& c) {
  std::string r = raw(c, {"CLIENT", "ID"});
  return std::stoll(r.substr(1));
}

}  // namespace

TEST_CASE("tracking invalidations arrive for keys changed on another worker") {
  // One tracking client and 16 writers over 2 workers: SO_REUSEPORT spreads connections by their
  // addresses, so at least one writer sits on the other loop unless all 17 drew the same one
  // (1 in 2^16). Each writer changes a key the tracker read; the invalidation must come, and
  // before the reply to the tracker's next command (its worker drains the mailbox first).
  Fixture f(workers(2));
  auto t = tracker(f);
  std::vector<std::unique_ptr<Client>> writers;
  for (int i = 0; i < 16; i++) writers.push_back(std::make_unique<Client>(f.server.port()));
  for (int i = 0; i < 16; i++) {
    std::string key = "k" + std::to_string(i);
    REQUIRE(writers[i]->cmd({"SET", key, "1"}).is_ok());
    REQUIRE(raw(*t, {"GET", key}) == bulk("1"));
    REQUIRE(writers[i]->cmd({"SET", key, "2"}).is_ok());
    CHECK(raw(*t, {"PING"}) == push_invalidate({key}));
    CHECK(t->read_reply() == "+PONG\r\n");
    // Invalidated once, then forgotten: a second write says nothing until it is read again.
    REQUIRE(writers[i]->cmd({"SET", key, "3"}).is_ok());
    CHECK(raw(*t, {"PING"}) == "+PONG\r\n");
  }
  // Every kind of write invalidates: in-place ones, deletion, collections.
  Client& w = *writers[0];
  REQUIRE(w.cmd({"RPUSH", "list", "a"}) == Reply::Int(1));
  REQUIRE(w.cmd({"HSET", "hash", "f", "v"}) == Reply::Int(1));
  REQUIRE(w.cmd({"SET", "n", "1"}).is_ok());
  REQUIRE(raw(*t, {"LRANGE", "list", "0", "-1"}) == header('*', 1) + bulk("a"));
  REQUIRE(raw(*t, {"HGET", "hash", "f"}) == bulk("v"));
  REQUIRE(raw(*t, {"MGET", "n", "missing"}) == header('*', 2) + bulk("1") + "_\r\n");
  REQUIRE(w.cmd({"INCR", "n"}) == Reply::Int(2));
  CHECK(t->read_reply() == push_invalidate({"n"}));
  REQUIRE(w.cmd({"LPOP", "list"}) == Reply::Str("a"));
  CHECK(t->read_reply() == push_invalidate({"list"}));
  REQUIRE(w.cmd({"HDEL", "hash", "f"}) == Reply::Int(1));
  CHECK(t->read_reply() == push_invalidate({"hash"}));
  REQUIRE(w.cmd({"SET", "missing", "x"}).is_ok());  // a miss is tracked too
  CHECK(t->read_reply() == push_invalidate({"missing"}));
}

TEST_CASE("BCAST: one batch per prefix, every matching key, whoever writes it") {
  Fixture f(workers(2));
  auto t = tracker(f, {"BCAST", "PREFIX", "a:", "PREFIX", "b:"});
  Client w(f.server.port());
  REQUIRE(w.cmd({"MSET", "a:2", "x", "b:1", "y", "c:1", "z", "a:1", "x"}).is_ok());
  CHECK(t->read_reply() == push_invalidate({"a:1", "a:2"}));
  CHECK(t->read_reply() == push_invalidate({"b:1"}));
  CHECK(raw(*t, {"PING"}) == "+PONG\r\n");  // nothing for c:1
  // No read needed, and the keys are not forgotten: every write says it again.
  REQUIRE(w.cmd({"SET", "a:1", "again"}).is_ok());
  CHECK(t->read_reply() == push_invalidate({"a:1"}));
  // The empty prefix: everything.
  auto all = tracker(f, {"BCAST"});
  REQUIRE(w.cmd({"SET", "zzz", "1"}).is_ok());
  CHECK(all->read_reply() == push_invalidate({"zzz"}));
  CHECK(f.cmd({"CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "foo", "PREFIX", "fo"}) ==
        Reply::Err("ERR Prefix 'foo' overlaps with another provided prefix 'fo'. Prefixes for a "
                   "single client must not overlap."));
  CHECK(raw(*t, {"CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "a"}) ==
        "-ERR Prefix 'a' overlaps with an existing prefix 'a:'. Prefixes for a single client must "
        "not overlap.\r\n");
  CHECK(raw(*t, {"CLIENT", "TRACKINGINFO"}) == header('%', 3) + bulk("flags") + header('~', 2) +
                                                   bulk("on") + bulk("bcast") + bulk("redirect") +
                                                   ":0\r\n" + bulk("prefixes") + header('*', 2) +
                                                   bulk("a:") + bulk("b:"));
  std::string info = f.cmd({"INFO"}).str;
  CHECK(info_field(info, "tracking_clients") == 2);
  CHECK(info_field(info, "tracking_total_prefixes") == 3);
}

TEST_CASE("OPTIN and OPTOUT with CLIENT CACHING") {
  Fixture f(workers(2));
  Client w(f.server.port());
  auto in = tracker(f, {"OPTIN"});
  REQUIRE(raw(*in, {"GET", "x"}) == "_\r\n");  // not cached: no CACHING YES before it
  REQUIRE(raw(*in, {"CLIENT", "CACHING", "YES"}) == "+OK\r\n");
  REQUIRE(raw(*in, {"GET", "y"}) == "_\r\n");
  REQUIRE(raw(*in, {"GET", "z"}) == "_\r\n");  // CACHING YES covered one command only
  REQUIRE(w.cmd({"MSET", "x", "1", "y", "1", "z", "1"}).is_ok());
  CHECK(raw(*in, {"PING"}) == push_invalidate({"y"}));
  CHECK(in->read_reply() == "+PONG\r\n");

  auto out = tracker(f, {"OPTOUT"});
  REQUIRE(raw(*out, {"CLIENT", "CACHING", "NO"}) == "+OK\r\n");
  REQUIRE(raw(*out, {"GET", "x"}) == bulk("1"));  // not cached
  REQUIRE(raw(*out, {"GET", "y"}) == bulk("1"));  // cached
  REQUIRE(w.cmd({"MSET", "x", "2", "y", "2"}).is_ok());
  CHECK(raw(*out, {"PING"}) == push_invalidate({"y"}));
  CHECK(out->read_reply() == "+PONG\r\n");

  CHECK(raw(*in, {"CLIENT", "CACHING", "NO"}) ==
        "-ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.\r\n");
  CHECK(raw(*out, {"CLIENT", "CACHING", "YES"}) ==
        "-ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.\r\n");
  CHECK(raw(*out, {"CLIENT", "TRACKING", "ON", "OPTIN"}) ==
        "-ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and "
        "then re-enabling it with a different mode.\r\n");
  CHECK(f.cmd({"CLIENT", "CACHING", "YES"}) ==
        Reply::Err("ERR CLIENT CACHING can be called only when the client is in tracking mode "
                   "with OPTIN or OPTOUT mode enabled"));
  CHECK(f.cmd({"CLIENT", "TRACKING", "ON", "OPTIN", "OPTOUT"}) ==
        Reply::Err("ERR You can't specify both OPTIN mode and OPTOUT mode"));
  CHECK(f.cmd({"CLIENT", "TRACKING", "ON", "BCAST", "OPTIN"}) ==
        Reply::Err("ERR OPTIN and OPTOUT are not compatible with BCAST"));
  CHECK(f.cmd({"CLIENT", "TRACKING", "ON", "PREFIX", "a"}) ==
        Reply::Err("ERR PREFIX option requires BCAST mode to be enabled"));
  CHECK(f.cmd({"CLIENT", "TRACKING", "MAYBE"}) == Reply::Err("ERR syntax error"));
  CHECK(f.cmd({"CLIENT", "TRACKING", "ON", "REDIRECT", "999999"}) ==
        Reply::Err("ERR The client ID you want redirect to does not exist"));
}

TEST_CASE("NOLOOP: no invalidation for the client's own writes") {
  Fixture f(workers(2));
  Client w(f.server.port());
  auto t = tracker(f, {"NOLOOP"});
  REQUIRE(raw(*t, {"GET", "k"}) == "_\r\n");
  REQUIRE(raw(*t, {"SET", "k", "mine"}) == "+OK\r\n");
  CHECK(raw(*t, {"PING"}) == "+PONG\r\n");
  REQUIRE(raw(*t, {"GET", "k"}) == bulk("mine"));
  REQUIRE(w.cmd({"SET", "k", "theirs"}).is_ok());
  CHECK(t->read_reply() == push_invalidate({"k"}));
  // Without NOLOOP the client hears of its own write, after the write's reply.
  auto loop = tracker(f);
  REQUIRE(raw(*loop, {"GET", "k"}) == bulk("theirs"));
  REQUIRE(raw(*loop, {"SET", "k", "x"}) == "+OK\r\n");
  CHECK(loop->read_reply() == push_invalidate({"k"}));
  // BCAST NOLOOP: the batch leaves out what the client wrote itself.
  auto b = tracker(f, {"BCAST", "NOLOOP"});
  REQUIRE(raw(*b, {"MSET", "own", "1"}) == "+OK\r\n");
  REQUIRE(w.cmd({"MSET", "other", "1"}).is_ok());
  CHECK(b->read_reply() == push_invalidate({"other"}));
}

TEST_CASE("REDIRECT to a RESP2 subscriber of __redis__:invalidate, and a broken redirect") {
  Fixture f(workers(2));
  auto r = std::make_unique<RawConnection>(f.server.port());
  long long rid = client_id(*r);
  REQUIRE(raw(*r, {"SUBSCRIBE", "__redis__:invalidate"}) ==
          header('*', 3) + bulk("subscribe") + bulk("__redis__:invalidate") + ":1\r\n");
  Client t(f.server.port());  // RESP2: pushes go to the redirect target only
  REQUIRE(t.cmd({"CLIENT", "TRACKING", "ON", "REDIRECT", std::to_string(rid)}).is_ok());
  CHECK(t.cmd({"CLIENT", "GETREDIR"}) == Reply::Int(rid));
  REQUIRE(t.cmd({"GET", "a"}).is_nil());
  REQUIRE(f.cmd({"SET", "a", "1"}).is_ok());
  CHECK(r->read_reply() == message_invalidate({"a"}));
  Reply list = t.cmd({"CLIENT", "INFO"});
  CHECK(list.str.find(" flags=t ") != std::string::npos);
  CHECK(list.str.find(" redir=" + std::to_string(rid) + " ") != std::string::npos);

  // FLUSHALL: a null list for every tracking client.
  REQUIRE(t.cmd({"GET", "a"}) == Reply::Str("1"));
  REQUIRE(f.cmd({"FLUSHALL"}).is_ok());
  CHECK(r->read_reply() ==
        header('*', 3) + bulk("message") + bulk("__redis__:invalidate") + "$-1\r\n");
  CHECK(info_field(f.cmd({"INFO"}).str, "tracking_total_keys") == 0);

  // The target goes: a RESP3 tracker is told, with the id it asked for.
  auto t3 = tracker(f, {"REDIRECT", std::to_string(rid)});
  REQUIRE(raw(*t3, {"GET", "b"}) == "_\r\n");
  r->close();
  REQUIRE(poll_until(
      [&] {
        return f.cmd({"CLIENT", "LIST"}).str.find("id=" + std::to_string(rid) + " ") ==
               std::string::npos;
      },
      std::chrono::seconds(10)));
  REQUIRE(f.cmd({"SET", "b", "1"}).is_ok());
  CHECK(t3->read_reply() ==
        header('>', 2) + bulk("tracking-redir-broken") + ":" + std::to_string(rid) + "\r\n");
  CHECK(raw(*t3, {"CLIENT", "TRACKINGINFO"}) == header('%', 3) + bulk("flags") + header('~', 2) +
                                                    bulk("on") + bulk("broken_redirect") +
                                                    bulk("redirect") + ":" + std::to_string(rid) +
                                                    "\r\n" + bulk("prefixes") + header('*', 0));
  CHECK(raw(*t3, {"CLIENT", "INFO"}).find(" flags=tR ") != std::string::npos);
}

TEST_CASE("FLUSHDB and expiry invalidate; RESET turns tracking off") {
  Fixture f(workers(2));
  auto t = tracker(f);
  REQUIRE(raw(*t, {"GET", "k"}) == "_\r\n");
  REQUIRE(f.cmd({"FLUSHDB"}).is_ok());
  CHECK(t->read_reply() == push_invalidate_all());
  // Active expiry (the cron) removes the key: the invalidation comes without anyone asking.
  // A second's TTL leaves room for the GET on a loaded machine; were it already gone, the GET
  // would track a missing key and no invalidation would follow.
  REQUIRE(f.cmd({"SET", "e", "v", "PX", "1000"}).is_ok());
  REQUIRE(raw(*t, {"GET", "e"}) == bulk("v"));
  CHECK(t->read_reply() == push_invalidate({"e"}));
  // BCAST needs no read: the write, then the expiry, each say it (Redis's "Tracking gets
  // notification of expired keys"), and under NOLOOP only the expiry, which is nobody's write.
  auto b = tracker(f, {"BCAST", "PREFIX", "x:", "NOLOOP"});
  REQUIRE(raw(*b, {"SET", "x:1", "v", "PX", "1"}) == "+OK\r\n");
  CHECK(b->read_reply() == push_invalidate({"x:1"}));
  REQUIRE(raw(*t, {"RESET"}) == "+RESET\r\n");
  CHECK(raw(*t, {"CLIENT", "GETREDIR"}) == ":-1\r\n");
  CHECK(info_field(f.cmd({"INFO"}).str, "tracking_clients") == 1);  // b is left
}

TEST_CASE("tracking-table-max-keys bounds the table, with invalidations for what it drops") {
  Fixture f(workers(2));
  CHECK(f.cmd({"CONFIG", "GET", "tracking-table-max-keys"}) ==
        Reply::StrArr({"tracking-table-max-keys", "1000000"}));
  auto t = tracker(f);
  for (int i = 0; i < 5; i++) REQUIRE(raw(*t, {"GET", "k" + std::to_string(i)}) == "_\r\n");
  std::string info = f.cmd({"INFO"}).str;
  CHECK(info_field(info, "tracking_total_keys") == 5);
  CHECK(info_field(info, "tracking_total_items") == 5);
  REQUIRE(f.cmd({"CONFIG", "SET", "tracking-table-max-keys", "2"}).is_ok());
  // The cron drops three keys, each with its invalidation.
  std::vector<std::string> dropped;
  for (int i = 0; i < 3; i++) {
    std::string frame = t->read_reply();
    std::string head = header('>', 2) + bulk("invalidate") + header('*', 1);
    REQUIRE(frame.substr(0, head.size()) == head);
    dropped.push_back(frame);
  }
  CHECK(info_field(f.cmd({"INFO"}).str, "tracking_total_keys") == 2);
  CHECK(raw(*t, {"PING"}) == "+PONG\r\n");
  // 0: no limit.
  REQUIRE(f.cmd({"CONFIG", "SET", "tracking-table-max-keys", "0"}).is_ok());
  for (int i = 5; i < 10; i++) REQUIRE(raw(*t, {"GET", "k" + std::to_string(i)}) == "_\r\n");
  CHECK(info_field(f.cmd({"INFO"}).str, "tracking_total_keys") == 7);
}

TEST_CASE(
    "a key evicted for maxmemory is invalidated before the reply of the command that evicted it") {
  // Redis evicts before it runs a command and tells the tracking client before that command's
  // reply. Once big-key pushes used_memory over the limit, the next write must evict the only
  // volatile key, so the push comes, at the latest, before the last reply.
  Fixture f(workers(2));
  auto t = tracker(f);
  REQUIRE(raw(*t, {"SET", "volatile-key", "x", "EX", "10000"}) == "+OK\r\n");
  REQUIRE(raw(*t, {"GET", "volatile-key"}) == bulk("x"));
  long long used = info_field(f.cmd({"INFO", "memory"}).str, "used_memory");
  REQUIRE(used > 0);
  REQUIRE(f.cmd({"CONFIG", "SET", "maxmemory-policy", "volatile-random"}).is_ok());
  REQUIRE(f.cmd({"CONFIG", "SET", "maxmemory", std::to_string(used + 100 * 1024)}).is_ok());
  REQUIRE(t->send(resp({"SET", "big-key", std::string(200 * 1024, 'b')})));
  REQUIRE(t->send(resp({"SET", "other", "1"})));
  std::vector<std::string> frames;
  int replies = 0;
  while (replies < 2) {
    std::string frame = t->read_reply();
    REQUIRE(!frame.empty());
    frames.push_back(frame);
    if (frame[0] != '>') replies++;
  }
  CHECK(std::count(frames.begin(), frames.end(), push_invalidate({"volatile-key"})) == 1);
  CHECK(frames.back()[0] != '>');
}

TEST_CASE("readers and writers on every worker: each read is invalidated by a later write") {
  // Tracking clients read keys that writers on other workers keep changing. Whatever the
  // interleaving (the key remembered before its read, under the writer's lock: tracking.h), every
  // GET is followed by an invalidation of that key, and no invalidation arrives for a key that was
  // not read. Run under ThreadSanitizer too.
  Fixture f(workers(2));
  constexpr int kReaders = 4, kWriters = 3, kRounds = 200;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; w++) {
    writers.emplace_back([&, w] {
      Client c(f.server.port());
      for (long i = 0; !stop.load(); i++) {
        c.cmd({"SET", "key" + std::to_string(i % kReaders), std::to_string(w * 1000000 + i)});
      }
    });
  }
  std::vector<std::thread> readers;
  std::vector<int> failures(kReaders, 0);
  for (int r = 0; r < kReaders; r++) {
    readers.emplace_back([&, r] {
      RawConnection c(f.server.port());
      c.send(resp({"HELLO", "3"}));
      c.read_reply();
      if (raw(c, {"CLIENT", "TRACKING", "ON"}) != "+OK\r\n") failures[r]++;
      std::string key = "key" + std::to_string(r);
      for (int i = 0; i < kRounds; i++) {
        std::string reply = raw(c, {"GET", key});
        if (reply.empty() || reply[0] == '>') failures[r]++;
        if (c.read_reply() != push_invalidate({key})) failures[r]++;
      }
    });
  }
  for (auto& t : readers) t.join();
  stop = true;
  for (auto& t : writers) t.join();
  for (int r = 0; r < kReaders; r++) CHECK(failures[r] == 0);
  CHECK(f.cmd({"PING"}) == Reply::Status("PONG"));
}
