// The blocking machinery (server/blocking.h) over the wire, with several workers so that blocked
// clients and pushers sit on different event loops: FIFO service across workers, Redis's "the
// pusher sees the element already taken", timeouts, pipelined commands held back while blocked,
// disconnects and CLIENT KILL of blocked clients, BLMOVE chains, and a concurrent stress in which
// every pushed element must be delivered exactly once. The per-command semantics of BLPOP & co
// live in lists_test.cpp and zsets_test.cpp.
#include <set>
#include <thread>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

// [key, value] as BLPOP replies it in RESP2.
std::string pair_reply(const std::string& k, const std::string& v) {
  return header('*', 2) + bulk(k) + bulk(v);
}

}  // namespace

TEST_CASE("clients blocked on one key are served oldest first, whatever worker they are on") {
  Fixture f(workers(4));
  constexpr int kWaiters = 8;
  std::vector<std::unique_ptr<RawConnection>> waiters;
  for (int i = 0; i < kWaiters; i++) {
    waiters.push_back(std::make_unique<RawConnection>(f.server.port()));
    REQUIRE(waiters.back()->send(resp({"BLPOP", "queue", "0"})));
    // Block them one at a time so that their order is known.
    REQUIRE(wait_blocked(f, i + 1));
  }
  std::vector<std::string> push = {"RPUSH", "queue"};
  for (int i = 0; i < kWaiters; i++) push.push_back("job" + std::to_string(i));
  CHECK(f.cmd(push) == Reply::Int(kWaiters));
  for (int i = 0; i < kWaiters; i++) {
    CHECK(waiters[i]->read_reply() == pair_reply("queue", "job" + std::to_string(i)));
  }
  CHECK(f.cmd({"LLEN", "queue"}) == Reply::Int(0));
  CHECK(blocked_clients(f) == 0);
}

TEST_CASE("the pushing connection sees the element already taken") {
  Fixture f(workers(2));
  RawConnection waiter(f.server.port());
  REQUIRE(waiter.send(resp({"BRPOP", "k", "0"})));
  REQUIRE(wait_blocked(f, 1));
  // Pipelined: the blocked client is served between the two commands, as in Redis.
  f.c.append({"LPUSH", "k", "v"});
  f.c.append({"LLEN", "k"});
  CHECK(f.c.get_reply() == Reply::Int(1));
  CHECK(f.c.get_reply() == Reply::Int(0));
  CHECK(waiter.read_reply() == pair_reply("k", "v"));
}

TEST_CASE("a timeout replies a null array, in RESP2 and RESP3") {
  Fixture f(workers(2));
  RawConnection c2(f.server.port());
  REQUIRE(c2.send(resp({"BLPOP", "nothing", "0.05"})));
  CHECK(c2.read_reply() == "*-1\r\n");
  RawConnection c3(f.server.port());
  REQUIRE(c3.send(resp({"HELLO", "3"})));
  CHECK(!c3.read_reply().empty());
  REQUIRE(c3.send(resp({"BLPOP", "nothing", "0.05"})));
  CHECK(c3.read_reply() == "_\r\n");
  CHECK(blocked_clients(f) == 0);
  // The connection goes on normally afterwards.
  REQUIRE(c2.send(resp({"PING"})));
  CHECK(c2.read_reply() == "+PONG\r\n");
}

TEST_CASE("commands pipelined behind a blocked one wait for it, then run in order") {
  Fixture f(workers(2));
  RawConnection waiter(f.server.port());
  REQUIRE(waiter.send(resp({"BLPOP", "k", "0"}) + resp({"PING"}) + resp({"LLEN", "k"})));
  REQUIRE(wait_blocked(f, 1));
  // More input while blocked is kept, not executed.
  REQUIRE(waiter.send(resp({"ECHO", "later"})));
  CHECK(f.cmd({"RPUSH", "k", "a", "b"}) == Reply::Int(2));
  CHECK(waiter.read_reply() == pair_reply("k", "a"));
  CHECK(waiter.read_reply() == "+PONG\r\n");
  CHECK(waiter.read_reply() == ":1\r\n");
  CHECK(waiter.read_reply() == bulk("later"));
}

TEST_CASE("a blocked client that disconnects or is killed stops waiting and takes nothing") {
  Fixture f(workers(3));
  {
    RawConnection gone(f.server.port());
    REQUIRE(gone.send(resp({"BLPOP", "k", "0"})));
    REQUIRE(wait_blocked(f, 1));
    gone.close();
  }
  CHECK(wait_blocked(f, 0));
  CHECK(f.cmd({"RPUSH", "k", "kept"}) == Reply::Int(1));
  CHECK(f.cmd({"LLEN", "k"}) == Reply::Int(1));

  RawConnection victim(f.server.port());
  REQUIRE(victim.send(resp({"CLIENT", "ID"})));
  std::string id = victim.read_reply();  // ":<id>\r\n"
  REQUIRE(id.size() > 3);
  id = id.substr(1, id.size() - 3);
  REQUIRE(victim.send(resp({"BLPOP", "other", "0"})));
  REQUIRE(wait_blocked(f, 1));
  CHECK(f.cmd({"CLIENT", "KILL", "ID", id}) == Reply::Int(1));
  CHECK(victim.wait_closed());
  CHECK(wait_blocked(f, 0));
  CHECK(f.cmd({"RPUSH", "other", "x"}) == Reply::Int(1));
  CHECK(f.cmd({"LLEN", "other"}) == Reply::Int(1));
}

TEST_CASE("CLIENT UNBLOCK ends a wait with the timeout reply or an error; CLIENT LIST shows it") {
  Fixture f(workers(2));
  RawConnection waiter(f.server.port());
  REQUIRE(waiter.send(resp({"CLIENT", "ID"})));
  std::string id = waiter.read_reply();
  REQUIRE(id.size() > 3);
  id = id.substr(1, id.size() - 3);
  CHECK(f.cmd({"CLIENT", "UNBLOCK", id}) == Reply::Int(0));  // not blocked
  REQUIRE(waiter.send(resp({"BLPOP", "k", "0"})));
  REQUIRE(wait_blocked(f, 1));
  std::string list = f.cmd({"CLIENT", "LIST", "ID", id}).str;
  CHECK(list.find(" flags=b ") != std::string::npos);
  CHECK(f.cmd({"CLIENT", "UNBLOCK", id, "TIMEOUT"}) == Reply::Int(1));
  CHECK(waiter.read_reply() == "*-1\r\n");
  CHECK(f.cmd({"CLIENT", "UNBLOCK", id}) == Reply::Int(0));
  CHECK(f.cmd({"CLIENT", "LIST", "ID", id}).str.find(" flags=N ") != std::string::npos);

  REQUIRE(waiter.send(resp({"BRPOP", "k", "0"})));
  REQUIRE(wait_blocked(f, 1));
  CHECK(f.cmd({"CLIENT", "UNBLOCK", id, "ERROR"}) == Reply::Int(1));
  CHECK(waiter.read_reply() == "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
  CHECK(blocked_clients(f) == 0);
  CHECK(f.cmd({"CLIENT", "UNBLOCK", id, "LATER"}) ==
        Reply::Err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"));
  CHECK(f.cmd({"CLIENT", "UNBLOCK", "x"}) ==
        Reply::Err("ERR value is not an integer or out of range"));
}

TEST_CASE("a client blocked on several keys is served by the first that gets data, once") {
  Fixture f(workers(2));
  RawConnection waiter(f.server.port());
  REQUIRE(waiter.send(resp({"BLPOP", "a", "b", "c", "0"})));
  REQUIRE(wait_blocked(f, 1));
  CHECK(f.cmd({"RPUSH", "b", "1"}) == Reply::Int(1));
  CHECK(waiter.read_reply() == pair_reply("b", "1"));
  CHECK(blocked_clients(f) == 0);
  CHECK(f.cmd({"RPUSH", "a", "2"}) == Reply::Int(1));
  CHECK(f.cmd({"LLEN", "a"}) == Reply::Int(1));  // nobody is waiting any more
}

TEST_CASE("BLMOVE hands on to a client blocked on its destination") {
  Fixture f(workers(3));
  RawConnection mover(f.server.port()), popper(f.server.port());
  REQUIRE(mover.send(resp({"BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"})));
  REQUIRE(wait_blocked(f, 1));
  REQUIRE(popper.send(resp({"BLPOP", "dst", "0"})));
  REQUIRE(wait_blocked(f, 2));
  CHECK(f.cmd({"RPUSH", "src", "item"}) == Reply::Int(1));
  CHECK(mover.read_reply() == bulk("item"));
  CHECK(popper.read_reply() == pair_reply("dst", "item"));
  CHECK(f.cmd({"EXISTS", "src", "dst"}) == Reply::Int(0));
}

TEST_CASE("sorted-set pops block and wake like list pops") {
  Fixture f(workers(2));
  RawConnection waiter(f.server.port());
  REQUIRE(waiter.send(resp({"BZPOPMIN", "z", "0"})));
  REQUIRE(wait_blocked(f, 1));
  CHECK(f.cmd({"ZADD", "z", "2", "b", "1", "a"}) == Reply::Int(2));
  CHECK(waiter.read_reply() == "*3\r\n" + bulk("z") + bulk("a") + bulk("1"));
  CHECK(f.cmd({"ZCARD", "z"}) == Reply::Int(1));
}

TEST_CASE("a waiter for another type does not hold up the ones behind it on the same key") {
  Fixture f(workers(2));
  RawConnection zwaiter(f.server.port()), lwaiter(f.server.port());
  REQUIRE(zwaiter.send(resp({"BZPOPMIN", "k", "0"})));
  REQUIRE(wait_blocked(f, 1));
  REQUIRE(lwaiter.send(resp({"BLPOP", "k", "0"})));
  REQUIRE(wait_blocked(f, 2));
  CHECK(f.cmd({"LPUSH", "k", "v"}) == Reply::Int(1));
  CHECK(lwaiter.read_reply() == pair_reply("k", "v"));
  CHECK(wait_blocked(f, 1));
  CHECK(f.cmd({"ZADD", "k", "1", "m"}) == Reply::Int(1));
  CHECK(zwaiter.read_reply() == "*3\r\n" + bulk("k") + bulk("m") + bulk("1"));
  CHECK(blocked_clients(f) == 0);
}

// Producers and consumers on four workers at once; consumers use short timeouts too, so that
// timeouts race with pushes. Every element must come out exactly once: served to one consumer or
// left in the list. Also run under ThreadSanitizer (label tsan).
TEST_CASE("stress: every pushed element is delivered exactly once") {
  Fixture f(workers(4));
  constexpr int kProducers = 3, kConsumers = 6, kPerProducer = 300;
  std::vector<std::vector<std::string>> got(kConsumers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kConsumers; i++) {
    threads.emplace_back([&, i] {
      Client c(f.server.port());
      for (;;) {
        // Half the consumers wait forever on several keys; the others time out often.
        Reply r =
            (i % 2) ? c.cmd({"BLPOP", "q1", "q2", "0.01"}) : c.cmd({"BRPOP", "q2", "q1", "0"});
        if (r.is_array() && r.elements.size() == 2) {
          if (r.elements[1].str == "stop") break;
          got[i].push_back(r.elements[1].str);
        } else if (!r.is_nil()) {
          got[i].push_back("unexpected: " + r.to_string());
        }
      }
    });
  }
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; p++) {
    producers.emplace_back([&, p] {
      Client c(f.server.port());
      for (int j = 0; j < kPerProducer; j++) {
        std::string key = (j % 2) ? "q1" : "q2";
        c.cmd({"LPUSH", key, std::to_string(p) + ":" + std::to_string(j)});
      }
    });
  }
  for (auto& t : producers) t.join();
  // One stop marker per consumer, pushed after all the work: each consumer takes exactly one.
  for (int i = 0; i < kConsumers; i++) f.cmd({"RPUSH", "q1", "stop"});
  for (auto& t : threads) t.join();
  std::multiset<std::string> all;
  for (auto& v : got) all.insert(v.begin(), v.end());
  Reply rest1 = f.cmd({"LRANGE", "q1", "0", "-1"}), rest2 = f.cmd({"LRANGE", "q2", "0", "-1"});
  for (const Reply& r : rest1.elements) all.insert(r.str);
  for (const Reply& r : rest2.elements) all.insert(r.str);
  CHECK(all.size() == size_t(kProducers * kPerProducer));
  std::set<std::string> distinct(all.begin(), all.end());
  CHECK(distinct.size() == all.size());  // nothing delivered twice
  for (int p = 0; p < kProducers; p++)
    for (int j = 0; j < kPerProducer; j++)
      CHECK(distinct.count(std::to_string(p) + ":" + std::to_string(j)) == 1);
  CHECK(blocked_clients(f) == 0);
}
