// The blocking machinery (server/blocking.h) over the wire, with several workers so that blocked
// clients and pushers sit on different event loops: FIFO service across workers, Redis's "the
// pusher sees the element already taken", timeouts, pipelined commands held back while blocked,
// disconnects and CLIENT KILL of blocked clients, BLMOVE chains in Redis's order, wake-ups by key
// moves (RENAME, MOVE, COPY, SWAPDB, SORT STORE), serving from the key signalled, and a concurrent
// stress in which every pushed element must be delivered exactly once. The per-command semantics of
// BLPOP & co live in lists_test.cpp and zsets_test.cpp.
#include <set>
#include <thread>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

// [key, value] as BLPOP replies it in RESP2.
std::string pair_reply(const std::string& k, const std::string& v) {
  return header('*', 2) + bulk(k) + bulk(v);
}

// A raw connection that has selected database db.
std::unique_ptr<RawConnection> on_db(Fixture& f, int db) {
  auto c = std::make_unique<RawConnection>(f.server.port());
  if (db != 0) REQUIRE(raw(*c, {"SELECT", std::to_string(db)}) == "+OK\r\n");
  return c;
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

// --- wake-ups by key moves: Redis 7.0 signals the key a value lands under (dbAdd) ---

TEST_CASE("RENAME and RENAMENX onto a waited key hand the list to the waiter") {
  Fixture f(workers(3));
  for (const char* cmd : {"RENAME", "RENAMENX"}) {
    CAPTURE(cmd);
    RawConnection waiter(f.server.port());
    REQUIRE(waiter.send(resp({"BLPOP", "dst", "0"})));
    REQUIRE(wait_blocked(f, 1));
    CHECK(f.cmd({"RPUSH", "src", "x"}) == Reply::Int(1));
    Reply r = f.cmd({cmd, "src", "dst"});
    CHECK((r == OK() || r == Reply::Int(1)));
    CHECK(waiter.read_reply() == pair_reply("dst", "x"));
    CHECK(f.cmd({"EXISTS", "src", "dst"}) == Reply::Int(0));
    CHECK(blocked_clients(f) == 0);
  }
}

TEST_CASE("SORT ... STORE onto a waited key wakes its waiter; an empty result does not") {
  Fixture f(workers(3));
  RawConnection waiter(f.server.port());
  REQUIRE(waiter.send(resp({"BLPOP", "dst", "0"})));
  REQUIRE(wait_blocked(f, 1));
  CHECK(f.cmd({"SORT", "missing", "STORE", "dst"}) == Reply::Int(0));  // stores nothing
  CHECK(blocked_clients(f) == 1);
  CHECK(f.cmd({"RPUSH", "src", "3", "1", "2"}) == Reply::Int(3));
  CHECK(f.cmd({"SORT", "src", "STORE", "dst"}) == Reply::Int(3));
  CHECK(waiter.read_reply() == pair_reply("dst", "1"));
  CHECK(f.cmd({"LRANGE", "dst", "0", "-1"}) == Reply::StrArr({"2", "3"}));
  CHECK(blocked_clients(f) == 0);
}

TEST_CASE("MOVE into the waiter's database wakes it") {
  Fixture f(workers(3));
  auto waiter = on_db(f, 1);
  REQUIRE(waiter->send(resp({"BLPOP", "k", "0"})));
  REQUIRE(wait_blocked(f, 1));
  CHECK(f.cmd({"RPUSH", "k", "x"}) == Reply::Int(1));
  CHECK(f.cmd({"MOVE", "k", "1"}) == Reply::Int(1));
  CHECK(waiter->read_reply() == pair_reply("k", "x"));
  CHECK(blocked_clients(f) == 0);
  CHECK(f.cmd({"SELECT", "1"}) == OK());
  CHECK(f.cmd({"EXISTS", "k"}) == Reply::Int(0));
}

TEST_CASE("COPY onto a waited key wakes its waiter, in the same database or DB n") {
  Fixture f(workers(3));
  CHECK(f.cmd({"RPUSH", "src", "x"}) == Reply::Int(1));
  {
    RawConnection waiter(f.server.port());
    REQUIRE(waiter.send(resp({"BLPOP", "dst", "0"})));
    REQUIRE(wait_blocked(f, 1));
    CHECK(f.cmd({"COPY", "src", "dst"}) == Reply::Int(1));
    CHECK(waiter.read_reply() == pair_reply("dst", "x"));
  }
  {
    auto waiter = on_db(f, 2);
    REQUIRE(waiter->send(resp({"BRPOP", "dst", "0"})));
    REQUIRE(wait_blocked(f, 1));
    CHECK(f.cmd({"COPY", "src", "dst", "DB", "2", "REPLACE"}) == Reply::Int(1));
    CHECK(waiter->read_reply() == pair_reply("dst", "x"));
  }
  {  // a sorted set too
    CHECK(f.cmd({"ZADD", "zsrc", "1", "m"}) == Reply::Int(1));
    auto waiter = on_db(f, 3);
    REQUIRE(waiter->send(resp({"BZPOPMIN", "z", "0"})));
    REQUIRE(wait_blocked(f, 1));
    CHECK(f.cmd({"COPY", "zsrc", "z", "DB", "3"}) == Reply::Int(1));
    CHECK(waiter->read_reply() == "*3\r\n" + bulk("z") + bulk("m") + bulk("1"));
  }
  CHECK(f.cmd({"LRANGE", "src", "0", "-1"}) == Reply::StrArr({"x"}));
  CHECK(blocked_clients(f) == 0);
}

TEST_CASE("SWAPDB wakes clients blocked on keys of both databases that now hold their type") {
  Fixture f(workers(3));
  auto in1 = on_db(f, 1);
  CHECK(raw(*in1, {"RPUSH", "k", "x"}) == ":1\r\n");
  CHECK(f.cmd({"ZADD", "z", "1", "m"}) == Reply::Int(1));
  auto w0 = on_db(f, 0), w1 = on_db(f, 1), w1_other = on_db(f, 1);
  REQUIRE(w0->send(resp({"BLPOP", "k", "0"})));
  REQUIRE(wait_blocked(f, 1));
  REQUIRE(w1->send(resp({"BZPOPMIN", "z", "0"})));
  REQUIRE(wait_blocked(f, 2));
  REQUIRE(w1_other->send(resp({"BLPOP", "q", "0"})));  // nothing under q in either database
  REQUIRE(wait_blocked(f, 3));
  CHECK(f.cmd({"SWAPDB", "0", "1"}) == OK());
  CHECK(w0->read_reply() == pair_reply("k", "x"));
  CHECK(w1->read_reply() == "*3\r\n" + bulk("z") + bulk("m") + bulk("1"));
  CHECK(blocked_clients(f) == 1);  // served while SWAPDB ran: its waiter still waits
  CHECK(raw(*in1, {"RPUSH", "q", "v"}) == ":1\r\n");
  CHECK(w1_other->read_reply() == pair_reply("q", "v"));
  CHECK(blocked_clients(f) == 0);
}

TEST_CASE("a value of another type moved under a waited key wakes no one") {
  Fixture f(workers(2));
  RawConnection waiter(f.server.port());
  REQUIRE(waiter.send(resp({"BLPOP", "k", "0"})));
  REQUIRE(wait_blocked(f, 1));
  CHECK(f.cmd({"SET", "s", "str"}) == OK());
  CHECK(f.cmd({"RENAME", "s", "k"}) == OK());
  // Serving happens before RENAME's reply: a client served would already be unregistered.
  CHECK(blocked_clients(f) == 1);
  CHECK(f.cmd({"DEL", "k"}) == Reply::Int(1));
  CHECK(f.cmd({"RPUSH", "k", "v"}) == Reply::Int(1));
  CHECK(waiter.read_reply() == pair_reply("k", "v"));
}

// --- Redis 7.0's order of service ---

TEST_CASE("linked BLMOVEs hand the element on in order") {
  Fixture f(workers(3));
  RawConnection rd1(f.server.port()), rd2(f.server.port());
  REQUIRE(rd1.send(resp({"BLMOVE", "list1", "list2", "RIGHT", "LEFT", "0"})));
  REQUIRE(wait_blocked(f, 1));
  REQUIRE(rd2.send(resp({"BLMOVE", "list2", "list3", "LEFT", "RIGHT", "0"})));
  REQUIRE(wait_blocked(f, 2));
  CHECK(f.cmd({"RPUSH", "list1", "foo"}) == Reply::Int(1));
  CHECK(f.cmd({"LRANGE", "list1", "0", "-1"}) == Reply::StrArr({}));
  CHECK(f.cmd({"LRANGE", "list2", "0", "-1"}) == Reply::StrArr({}));
  CHECK(f.cmd({"LRANGE", "list3", "0", "-1"}) == Reply::StrArr({"foo"}));
  CHECK(rd1.read_reply() == bulk("foo"));
  CHECK(rd2.read_reply() == bulk("foo"));
}

TEST_CASE("circular BRPOPLPUSH: the element comes back to the first list, which nobody waits on") {
  Fixture f(workers(3));
  RawConnection rd1(f.server.port()), rd2(f.server.port());
  REQUIRE(rd1.send(resp({"BRPOPLPUSH", "list1", "list2", "0"})));
  REQUIRE(wait_blocked(f, 1));
  REQUIRE(rd2.send(resp({"BRPOPLPUSH", "list2", "list1", "0"})));
  REQUIRE(wait_blocked(f, 2));
  CHECK(f.cmd({"RPUSH", "list1", "foo"}) == Reply::Int(1));
  CHECK(f.cmd({"LRANGE", "list1", "0", "-1"}) == Reply::StrArr({"foo"}));
  CHECK(f.cmd({"LRANGE", "list2", "0", "-1"}) == Reply::StrArr({}));
  CHECK(rd1.read_reply() == bulk("foo"));
  CHECK(rd2.read_reply() == bulk("foo"));
  CHECK(blocked_clients(f) == 0);
}

TEST_CASE("self-referential BRPOPLPUSH rotates once and leaves the element") {
  Fixture f(workers(2));
  RawConnection rd(f.server.port());
  REQUIRE(rd.send(resp({"BRPOPLPUSH", "blist", "blist", "0"})));
  REQUIRE(wait_blocked(f, 1));
  CHECK(f.cmd({"RPUSH", "blist", "foo"}) == Reply::Int(1));
  CHECK(f.cmd({"LRANGE", "blist", "0", "-1"}) == Reply::StrArr({"foo"}));
  CHECK(rd.read_reply() == bulk("foo"));
  CHECK(blocked_clients(f) == 0);
}

TEST_CASE(
    "BLMPOP with multiple blocked clients: each served from the signalled key, with its count") {
  Fixture f(workers(4));
  std::vector<std::unique_ptr<RawConnection>> rd;
  const std::vector<std::vector<std::string>> cmds = {
      {"BLMPOP", "0", "2", "blist", "blist2", "LEFT", "COUNT", "1"},
      {"BLMPOP", "0", "2", "blist", "blist2", "RIGHT", "COUNT", "10"},
      {"BLMPOP", "0", "2", "blist", "blist2", "LEFT", "COUNT", "10"},
      {"BLMPOP", "0", "2", "blist", "blist2", "RIGHT", "COUNT", "1"}};
  for (size_t i = 0; i < cmds.size(); i++) {
    rd.push_back(std::make_unique<RawConnection>(f.server.port()));
    REQUIRE(rd.back()->send(resp(cmds[i])));
    REQUIRE(wait_blocked(f, static_cast<long long>(i + 1)));
  }
  auto mpop = [](const std::string& key, const std::vector<std::string>& elems) {
    std::string out = header('*', 2) + bulk(key) + header('*', elems.size());
    for (const std::string& e : elems) out += bulk(e);
    return out;
  };
  CHECK(f.cmd({"LPUSH", "blist", "a", "b", "c", "d", "e"}) == Reply::Int(5));
  CHECK(rd[0]->read_reply() == mpop("blist", {"e"}));
  CHECK(rd[1]->read_reply() == mpop("blist", {"a", "b", "c", "d"}));
  CHECK(blocked_clients(f) == 2);  // blist is empty again: the others keep waiting
  CHECK(f.cmd({"LPUSH", "blist2", "1", "2", "3", "4", "5"}) == Reply::Int(5));
  CHECK(rd[2]->read_reply() == mpop("blist2", {"5", "4", "3", "2", "1"}));
  CHECK(blocked_clients(f) == 1);
  CHECK(f.cmd({"LPUSH", "blist2", "1", "2", "3"}) == Reply::Int(3));
  CHECK(rd[3]->read_reply() == mpop("blist2", {"1"}));
  CHECK(f.cmd({"LRANGE", "blist2", "0", "-1"}) == Reply::StrArr({"3", "2"}));
}

// Redis serves a client from the key being served, not from the first of its keys with data:
// W2 waits on dst and src; serving src, W1 moves an element to dst, then W2 is served from src.
TEST_CASE("a client is served from the key that was signalled; the keys it fills come next") {
  Fixture f(workers(4));
  RawConnection w1(f.server.port()), w2(f.server.port()), w3(f.server.port());
  REQUIRE(w1.send(resp({"BLMOVE", "src", "dst", "RIGHT", "LEFT", "0"})));
  REQUIRE(wait_blocked(f, 1));
  REQUIRE(w2.send(resp({"BLPOP", "dst", "src", "0"})));
  REQUIRE(wait_blocked(f, 2));
  REQUIRE(w3.send(resp({"BLPOP", "dst", "0"})));
  REQUIRE(wait_blocked(f, 3));
  CHECK(f.cmd({"RPUSH", "src", "a", "b"}) == Reply::Int(2));
  CHECK(w1.read_reply() == bulk("b"));
  CHECK(w2.read_reply() == pair_reply("src", "a"));
  CHECK(w3.read_reply() == pair_reply("dst", "b"));
  CHECK(f.cmd({"EXISTS", "src", "dst"}) == Reply::Int(0));
}

// A key emptied before its waiters are served wakes no one: the first waiter takes all; or a
// rotation (BRPOPLPUSH k k) signals k again and the waiter behind it empties k before that round.
TEST_CASE("a signalled key that is empty by the time it is served wakes no one") {
  Fixture f(workers(3));
  RawConnection all(f.server.port()), late(f.server.port());
  REQUIRE(all.send(resp({"BLMPOP", "0", "1", "k", "LEFT", "COUNT", "10"})));
  REQUIRE(wait_blocked(f, 1));
  REQUIRE(late.send(resp({"BLPOP", "k", "0"})));
  REQUIRE(wait_blocked(f, 2));
  CHECK(f.cmd({"RPUSH", "k", "a", "b"}) == Reply::Int(2));
  CHECK(all.read_reply() == header('*', 2) + bulk("k") + header('*', 2) + bulk("a") + bulk("b"));
  CHECK(blocked_clients(f) == 1);  // served before RPUSH replied: late found nothing
  CHECK(f.cmd({"EXISTS", "k"}) == Reply::Int(0));
  CHECK(f.cmd({"RPUSH", "k", "c"}) == Reply::Int(1));
  CHECK(late.read_reply() == pair_reply("k", "c"));

  RawConnection rot(f.server.port()), one(f.server.port()), late2(f.server.port());
  REQUIRE(rot.send(resp({"BRPOPLPUSH", "k2", "k2", "0"})));
  REQUIRE(wait_blocked(f, 1));
  REQUIRE(one.send(resp({"BLPOP", "k2", "0"})));
  REQUIRE(wait_blocked(f, 2));
  REQUIRE(late2.send(resp({"BRPOP", "k2", "0"})));
  REQUIRE(wait_blocked(f, 3));
  CHECK(f.cmd({"RPUSH", "k2", "x"}) == Reply::Int(1));
  CHECK(rot.read_reply() == bulk("x"));
  CHECK(one.read_reply() == pair_reply("k2", "x"));
  CHECK(blocked_clients(f) == 1);  // k2 was signalled again by the rotation, but is empty
  CHECK(f.cmd({"EXISTS", "k2"}) == Reply::Int(0));
  CHECK(f.cmd({"RPUSH", "k2", "y"}) == Reply::Int(1));
  CHECK(late2.read_reply() == pair_reply("k2", "y"));
  CHECK(blocked_clients(f) == 0);
}
