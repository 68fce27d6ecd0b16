// Streams over the wire (server/commands/streams.cpp, stream_groups.cpp, stream_read.cpp): the
// stream type in the generic commands (TYPE, OBJECT ENCODING, SCAN TYPE, COPY, RENAME, WRONGTYPE),
// consumer-group flows (deliver, pending, claim, ack), and blocking XREAD / XREADGROUP woken by
// XADD from another worker, by a key appearing through RENAME, by a transaction, and answered with
// Redis's errors when the key or group goes away. The value-level cases (ranges, trimming, IDs)
// are compared with redis-server by tests/differential/gen_streams.cpp; the cases here that do
// not depend on respite also pass against redis-server (RESPITE_SERVER_BIN=/usr/bin/redis-server).
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

// RESP2 bytes of an XREAD reply with one stream holding one entry of one pair.
std::string one_entry(const std::string& key, const std::string& id, const std::string& f,
                      const std::string& v) {
  return header('*', 1) + header('*', 2) + bulk(key) + header('*', 1) + header('*', 2) + bulk(id) +
         header('*', 2) + bulk(f) + bulk(v);
}

}  // namespace

TEST_CASE("streams in the generic key commands") {
  Fixture f;
  REQUIRE(f.cmd({"XADD", "s", "1-1", "f", "v"}) == Reply::Str("1-1"));
  CHECK(f.cmd({"TYPE", "s"}) == Reply::Status("stream"));
  CHECK(f.cmd({"OBJECT", "ENCODING", "s"}) == Reply::Str("stream"));
  REQUIRE(f.cmd({"SET", "str", "x"}) == OK());
  Reply scan = f.cmd({"SCAN", "0", "TYPE", "stream"});
  REQUIRE(scan.is_array());
  CHECK(scan.elements[1] == Reply::StrArr({"s"}));
  CHECK(f.cmd({"XADD", "str", "*", "f", "v"}).is_error());
  CHECK(f.cmd({"XLEN", "str"}) ==
        Reply::Err("WRONGTYPE Operation against a key holding the wrong kind of value"));
  CHECK(f.cmd({"LPUSH", "s", "x"}).is_error());
  // COPY clones entries and groups; the copy is independent.
  REQUIRE(f.cmd({"XGROUP", "CREATE", "s", "g", "0"}) == OK());
  REQUIRE(f.cmd({"COPY", "s", "s2"}) == Reply::Int(1));
  REQUIRE(f.cmd({"XADD", "s", "2-1", "f", "w"}) == Reply::Str("2-1"));
  CHECK(f.cmd({"XLEN", "s2"}) == Reply::Int(1));
  CHECK(f.cmd({"XLEN", "s"}) == Reply::Int(2));
  Reply groups = f.cmd({"XINFO", "GROUPS", "s2"});
  REQUIRE(groups.is_array());
  CHECK(groups.elements.size() == 1);
  REQUIRE(f.cmd({"RENAME", "s2", "s3"}) == OK());
  CHECK(f.cmd({"XRANGE", "s3", "-", "+"}) ==
        Reply::Arr({Reply::Arr({Reply::Str("1-1"), Reply::StrArr({"f", "v"})})}));
  Reply mem = f.cmd({"MEMORY", "USAGE", "s"});
  CHECK(mem.type == Reply::Type::kInteger);
  CHECK(mem.integer > 0);
  // An emptied stream stays (unlike an emptied list).
  REQUIRE(f.cmd({"XDEL", "s", "1-1", "2-1"}) == Reply::Int(2));
  CHECK(f.cmd({"EXISTS", "s"}) == Reply::Int(1));
  CHECK(f.cmd({"XLEN", "s"}) == Reply::Int(0));
}

TEST_CASE("a consumer group flow: deliver, pending, claim, ack") {
  Fixture f;
  for (int i = 1; i <= 4; i++)
    REQUIRE(f.cmd({"XADD", "jobs", std::to_string(i) + "-0", "n", std::to_string(i)}).type ==
            Reply::Type::kString);
  REQUIRE(f.cmd({"XGROUP", "CREATE", "jobs", "workers", "0"}) == OK());
  CHECK(f.cmd({"XGROUP", "CREATE", "jobs", "workers", "0"}) ==
        Reply::Err("BUSYGROUP Consumer Group name already exists"));
  Reply r =
      f.cmd({"XREADGROUP", "GROUP", "workers", "alice", "COUNT", "3", "STREAMS", "jobs", ">"});
  REQUIRE(r.is_array());
  REQUIRE(r.elements.size() == 1);
  CHECK(r.elements[0].elements[1].elements.size() == 3);
  r = f.cmd({"XREADGROUP", "GROUP", "workers", "bob", "STREAMS", "jobs", ">"});
  REQUIRE(r.is_array());
  CHECK(r.elements[0].elements[1].elements.size() == 1);
  // Nothing new: a null reply without BLOCK.
  CHECK(f.cmd({"XREADGROUP", "GROUP", "workers", "bob", "STREAMS", "jobs", ">"}).is_nil());
  Reply pending = f.cmd({"XPENDING", "jobs", "workers"});
  REQUIRE(pending.is_array());
  CHECK(pending.elements[0] == Reply::Int(4));
  CHECK(pending.elements[1] == Reply::Str("1-0"));
  CHECK(pending.elements[2] == Reply::Str("4-0"));
  CHECK(pending.elements[3] ==
        Reply::Arr({Reply::StrArr({"alice", "3"}), Reply::StrArr({"bob", "1"})}));
  // Alice's history (ID 0) replays her three entries.
  r = f.cmd({"XREADGROUP", "GROUP", "workers", "alice", "STREAMS", "jobs", "0"});
  REQUIRE(r.is_array());
  CHECK(r.elements[0].elements[1].elements.size() == 3);
  // Bob claims 2-0 from alice; the delivery count goes up (3: read, history, claim).
  r = f.cmd({"XCLAIM", "jobs", "workers", "bob", "0", "2-0", "JUSTID"});
  CHECK(r == Reply::StrArr({"2-0"}));
  Reply ext = f.cmd({"XPENDING", "jobs", "workers", "-", "+", "10", "bob"});
  REQUIRE(ext.is_array());
  REQUIRE(ext.elements.size() == 2);
  CHECK(ext.elements[0].elements[0] == Reply::Str("2-0"));
  CHECK(ext.elements[0].elements[3] == Reply::Int(2));  // JUSTID does not count a delivery
  CHECK(f.cmd({"XACK", "jobs", "workers", "1-0", "2-0", "9-9"}) == Reply::Int(2));
  // XAUTOCLAIM moves the rest to carol; a deleted entry's ID comes back in the third part.
  REQUIRE(f.cmd({"XDEL", "jobs", "3-0"}) == Reply::Int(1));
  r = f.cmd({"XAUTOCLAIM", "jobs", "workers", "carol", "0", "-"});
  REQUIRE(r.is_array());
  REQUIRE(r.elements.size() == 3);
  CHECK(r.elements[0] == Reply::Str("0-0"));
  CHECK(r.elements[1].elements.size() == 1);
  CHECK(r.elements[2] == Reply::StrArr({"3-0"}));
  Reply consumers = f.cmd({"XINFO", "CONSUMERS", "jobs", "workers"});
  REQUIRE(consumers.is_array());
  CHECK(consumers.elements.size() == 3);
  CHECK(f.cmd({"XGROUP", "DELCONSUMER", "jobs", "workers", "carol"}) == Reply::Int(1));
  CHECK(f.cmd({"XPENDING", "jobs", "workers"}).elements[0] == Reply::Int(0));
  CHECK(f.cmd({"XGROUP", "DESTROY", "jobs", "workers"}) == Reply::Int(1));
  CHECK(f.cmd({"XREADGROUP", "GROUP", "workers", "x", "STREAMS", "jobs", ">"}) ==
        Reply::Err("NOGROUP No such key 'jobs' or consumer group 'workers' in XREADGROUP with "
                   "GROUP option"));
}

TEST_CASE("blocking XREAD is woken by XADD on another worker") {
  Fixture f(workers(2));
  REQUIRE(f.cmd({"XADD", "s", "5-0", "old", "x"}) == Reply::Str("5-0"));
  // Several readers, on both workers (connections alternate between them).
  std::vector<std::unique_ptr<RawConnection>> readers;
  for (int i = 0; i < 4; i++) {
    readers.push_back(std::make_unique<RawConnection>(f.server.port()));
    REQUIRE(readers.back()->send(resp({"XREAD", "BLOCK", "0", "STREAMS", "s", "other", "$", "$"})));
    REQUIRE(wait_blocked(f, i + 1));
  }
  REQUIRE(f.cmd({"XADD", "s", "6-0", "new", "y"}) == Reply::Str("6-0"));
  for (auto& r : readers) CHECK(r->read_reply() == one_entry("s", "6-0", "new", "y"));
  CHECK(blocked_clients(f) == 0);
}

TEST_CASE("blocking XREAD with an explicit ID waits for entries above it only") {
  Fixture f(workers(2));
  REQUIRE(f.cmd({"XADD", "s", "5-0", "a", "1"}) == Reply::Str("5-0"));
  RawConnection high(f.server.port()), low(f.server.port());
  REQUIRE(high.send(resp({"XREAD", "BLOCK", "0", "STREAMS", "s", "10-0"})));
  REQUIRE(wait_blocked(f, 1));
  REQUIRE(low.send(resp({"XREAD", "BLOCK", "0", "STREAMS", "s", "$"})));
  REQUIRE(wait_blocked(f, 2));
  REQUIRE(f.cmd({"XADD", "s", "7-0", "b", "2"}) == Reply::Str("7-0"));
  // The first waiter keeps waiting; the one behind it is served all the same.
  CHECK(low.read_reply() == one_entry("s", "7-0", "b", "2"));
  CHECK(blocked_clients(f) == 1);
  REQUIRE(f.cmd({"XADD", "s", "11-0", "c", "3"}) == Reply::Str("11-0"));
  CHECK(high.read_reply() == one_entry("s", "11-0", "c", "3"));
}

TEST_CASE("blocking XREAD: timeouts, a stream appearing by RENAME, transactions") {
  Fixture f(workers(2));
  RawConnection c(f.server.port());
  REQUIRE(c.send(resp({"XREAD", "BLOCK", "50", "STREAMS", "nothing", "$"})));
  CHECK(c.read_reply() == "*-1\r\n");
  // A stream renamed onto the waited name serves the reader.
  REQUIRE(c.send(resp({"XREAD", "BLOCK", "0", "STREAMS", "dst", "0"})));
  REQUIRE(wait_blocked(f, 1));
  REQUIRE(f.cmd({"XADD", "src", "3-0", "f", "v"}) == Reply::Str("3-0"));
  REQUIRE(f.cmd({"RENAME", "src", "dst"}) == OK());
  CHECK(c.read_reply() == one_entry("dst", "3-0", "f", "v"));
  // XADD then DEL inside one transaction wakes no one; the next XADD does.
  REQUIRE(c.send(resp({"XREAD", "BLOCK", "0", "STREAMS", "t", "$"})));
  REQUIRE(wait_blocked(f, 1));
  REQUIRE(f.cmd({"MULTI"}) == OK());
  REQUIRE(f.cmd({"XADD", "t", "1-0", "old", "x"}) == Reply::Status("QUEUED"));
  REQUIRE(f.cmd({"DEL", "t"}) == Reply::Status("QUEUED"));
  REQUIRE(f.cmd({"EXEC"}).is_array());
  CHECK(blocked_clients(f) == 1);
  REQUIRE(f.cmd({"XADD", "t", "2-0", "new", "y"}) == Reply::Str("2-0"));
  CHECK(c.read_reply() == one_entry("t", "2-0", "new", "y"));
  // Inside MULTI, XREAD BLOCK does not block: a null at once.
  REQUIRE(f.cmd({"MULTI"}) == OK());
  REQUIRE(f.cmd({"XREAD", "BLOCK", "0", "STREAMS", "none", "$"}) == Reply::Status("QUEUED"));
  Reply exec = f.cmd({"EXEC"});
  REQUIRE(exec.is_array());
  CHECK(exec.elements[0].is_nil());
}

TEST_CASE("blocking XREADGROUP: served across workers, group destroyed, key deleted") {
  Fixture f(workers(2));
  REQUIRE(f.cmd({"XGROUP", "CREATE", "q", "g", "$", "MKSTREAM"}) == OK());
  RawConnection a(f.server.port()), b(f.server.port());
  REQUIRE(a.send(resp({"XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "q", ">"})));
  REQUIRE(wait_blocked(f, 1));
  REQUIRE(b.send(resp({"XREADGROUP", "GROUP", "g", "bob", "BLOCK", "0", "STREAMS", "q", ">"})));
  REQUIRE(wait_blocked(f, 2));
  // One entry: the first waiter takes it, the second keeps waiting (the group moved past it).
  REQUIRE(f.cmd({"XADD", "q", "1-0", "job", "1"}) == Reply::Str("1-0"));
  CHECK(a.read_reply() == one_entry("q", "1-0", "job", "1"));
  CHECK(blocked_clients(f) == 1);
  REQUIRE(f.cmd({"XADD", "q", "2-0", "job", "2"}) == Reply::Str("2-0"));
  CHECK(b.read_reply() == one_entry("q", "2-0", "job", "2"));
  Reply pending = f.cmd({"XPENDING", "q", "g"});
  REQUIRE(pending.is_array());
  CHECK(pending.elements[0] == Reply::Int(2));

  REQUIRE(a.send(resp({"XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "q", ">"})));
  REQUIRE(wait_blocked(f, 1));
  REQUIRE(f.cmd({"XGROUP", "DESTROY", "q", "g"}) == Reply::Int(1));
  CHECK(a.read_reply() ==
        "-NOGROUP the consumer group this client was blocked on no longer exists\r\n");

  REQUIRE(f.cmd({"XGROUP", "CREATE", "q", "g2", "$"}) == OK());
  REQUIRE(b.send(resp({"XREADGROUP", "GROUP", "g2", "bob", "BLOCK", "0", "STREAMS", "q", ">"})));
  REQUIRE(wait_blocked(f, 1));
  REQUIRE(f.cmd({"DEL", "q"}) == Reply::Int(1));
  CHECK(b.read_reply() == "-UNBLOCKED the stream key no longer exists\r\n");
  CHECK(blocked_clients(f) == 0);

  // A stream that expires (found by the active expiry cycle, no command touches it) answers too.
  REQUIRE(f.cmd({"XGROUP", "CREATE", "q", "g", "$", "MKSTREAM"}) == OK());
  REQUIRE(a.send(resp({"XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "q", ">"})));
  REQUIRE(wait_blocked(f, 1));
  REQUIRE(f.cmd({"PEXPIRE", "q", "20"}) == Reply::Int(1));
  CHECK(a.read_reply() == "-UNBLOCKED the stream key no longer exists\r\n");
}

TEST_CASE("concurrent producers and group consumers deliver every entry exactly once") {
  Fixture f(workers(2));
  REQUIRE(f.cmd({"XGROUP", "CREATE", "work", "g", "$", "MKSTREAM"}) == OK());
  constexpr int kEntries = 400, kConsumers = 3;
  std::atomic<int> got{0};
  std::vector<std::thread> consumers;
  std::vector<std::vector<std::string>> seen(kConsumers);
  for (int i = 0; i < kConsumers; i++) {
    consumers.emplace_back([&, i] {
      Client c(f.server.port());
      while (got.load() < kEntries) {
        Reply r = c.cmd({"XREADGROUP", "GROUP", "g", "c" + std::to_string(i), "COUNT", "7", "BLOCK",
                         "100", "STREAMS", "work", ">"});
        if (!r.is_array()) continue;
        for (const Reply& e : r.elements[0].elements[1].elements) {
          seen[i].push_back(e.elements[0].str);
          c.cmd({"XACK", "work", "g", e.elements[0].str});
          got++;
        }
      }
    });
  }
  std::thread producer([&] {
    Client c(f.server.port());
    for (int i = 0; i < kEntries; i++) c.cmd({"XADD", "work", "*", "i", std::to_string(i)});
  });
  producer.join();
  for (auto& t : consumers) t.join();
  std::set<std::string> all;
  size_t total = 0;
  for (auto& v : seen) {
    total += v.size();
    all.insert(v.begin(), v.end());
  }
  CHECK(total == kEntries);
  CHECK(all.size() == kEntries);
  CHECK(f.cmd({"XPENDING", "work", "g"}).elements[0] == Reply::Int(0));
}

TEST_CASE("WATCH sees entries change, not consumer-group bookkeeping (as Redis 7.0)") {
  Fixture f;
  REQUIRE(f.cmd({"XADD", "s", "1-0", "f", "v"}) == Reply::Str("1-0"));
  REQUIRE(f.cmd({"XGROUP", "CREATE", "s", "g", "0"}) == OK());
  Client other(f.server.port());
  REQUIRE(f.cmd({"WATCH", "s"}) == OK());
  REQUIRE(other.cmd({"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"}).is_array());
  REQUIRE(other.cmd({"XACK", "s", "g", "1-0"}) == Reply::Int(1));
  REQUIRE(f.cmd({"MULTI"}) == OK());
  REQUIRE(f.cmd({"XLEN", "s"}) == Reply::Status("QUEUED"));
  CHECK(f.cmd({"EXEC"}) == Reply::Arr({Reply::Int(1)}));
  REQUIRE(f.cmd({"WATCH", "s"}) == OK());
  REQUIRE(other.cmd({"XADD", "s", "2-0", "f", "v"}) == Reply::Str("2-0"));
  REQUIRE(f.cmd({"MULTI"}) == OK());
  REQUIRE(f.cmd({"XLEN", "s"}) == Reply::Status("QUEUED"));
  CHECK(f.cmd({"EXEC"}).is_nil());
}
