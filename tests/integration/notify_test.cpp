// Keyspace notifications (server/notify.h) over the wire: a RESP2 subscriber PSUBSCRIBEs
// "__key*__:*" and commands on another connection must produce exactly Redis 7.0's messages, in
// order. The end of a run is marked by a PUBLISH on "__keyend__:<n>" from the commanding
// connection, which the pattern also matches: one connection's commands run on one worker, whose
// messages reach a subscriber in order (pubsub.h, step 5), so everything before the marker is
// everything those commands raised. Class filtering, "new", expired (lazy and active), evicted,
// and CONFIG GET/SET of the flag string. Passes against redis-server 7.0.15 too
// (RESPITE_SERVER_BIN=/usr/bin/redis-server), which is how the event names were checked.
#include <string>
#include <utility>
#include <vector>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

using Event = std::pair<std::string, std::string>;  // (channel, message)
using Events = std::vector<Event>;

// The bulk strings of one RESP2 array frame of bulks.
std::vector<std::string> bulks(const std::string& frame) {
  std::vector<std::string> out;
  size_t pos = frame.find("\r\n") + 2;
  while (pos < frame.size() && frame[pos] == '$') {
    size_t eol = frame.find("\r\n", pos);
    size_t len = std::stoul(frame.substr(pos + 1, eol - pos - 1));
    out.push_back(frame.substr(eol + 2, len));
    pos = eol + 2 + len + 2;
  }
  return out;
}

struct Watcher {
  explicit Watcher(Fixture& f) : f(f), sub(f.server.port()) {
    REQUIRE(raw(sub, {"PSUBSCRIBE", "__key*__:*"}) ==
            header('*', 3) + bulk("psubscribe") + bulk("__key*__:*") + ":1\r\n");
  }
  // Everything received up to the next marker (the marker excluded).
  Events drain() {
    std::string mark = "__keyend__:" + std::to_string(++marks);
    REQUIRE(f.cmd({"PUBLISH", mark, "end"}).integer == 1);
    Events got;
    for (;;) {
      std::string frame = sub.read_reply();
      REQUIRE(!frame.empty());  // a timeout: the marker never came
      std::vector<std::string> b = bulks(frame);
      REQUIRE(b.size() == 4);
      REQUIRE(b[0] == "pmessage");
      if (b[2] == mark) return got;
      got.emplace_back(b[2], b[3]);
    }
  }
  // The next message, waiting for it (up to the connection's timeout).
  Event next() {
    std::string frame = sub.read_reply();
    REQUIRE(!frame.empty());
    std::vector<std::string> b = bulks(frame);
    REQUIRE(b.size() == 4);
    return {b[2], b[3]};
  }

  Fixture& f;
  RawConnection sub;
  int marks = 0;
};

Event space(const std::string& key, const std::string& event, int db = 0) {
  return {"__keyspace@" + std::to_string(db) + "__:" + key, event};
}
Event keyev(const std::string& event, const std::string& key, int db = 0) {
  return {"__keyevent@" + std::to_string(db) + "__:" + event, key};
}
// Both messages of one event, keyspace first, as Redis sends them under "KE".
void both(Events& e, const std::string& event, const std::string& key, int db = 0) {
  e.push_back(space(key, event, db));
  e.push_back(keyev(event, key, db));
}

std::string config_get(Fixture& f, const std::string& name) {
  Reply r = f.cmd({"CONFIG", "GET", name});
  REQUIRE(r.elements.size() == 2);
  return r.elements[1].str;
}

}  // namespace

TEST_CASE("notify-keyspace-events: CONFIG SET/GET round trip in Redis's canonical form") {
  Fixture f;
  CHECK(config_get(f, "notify-keyspace-events") == "");
  const std::pair<const char*, const char*> cases[] = {{"gKE", "gKE"},
                                                       {"$lshzxeKE", "$lshzxeKE"},
                                                       {"KA", "AK"},
                                                       {"EA", "AE"},
                                                       {"KEA", "AKE"},
                                                       {"Ag$lshzxetd", "A"},
                                                       {"En", "nE"},
                                                       {"mK", "Km"},
                                                       {"Exm", "xEm"},
                                                       {"tdK", "tdK"},
                                                       {"", ""},
                                                       {"KEAm", "AKEm"},
                                                       {"E$lshzxetdg", "AE"}};
  for (auto [in, out] : cases) {
    CAPTURE(in);
    REQUIRE(f.cmd({"CONFIG", "SET", "notify-keyspace-events", in}) == OK());
    CHECK(config_get(f, "notify-keyspace-events") == out);
  }
  REQUIRE(f.cmd({"CONFIG", "SET", "notify-keyspace-events", "KEg"}) == OK());
  for (const char* bad : {"KEq", "a", "K E", "KE1"}) {
    CAPTURE(bad);
    CHECK(f.cmd({"CONFIG", "SET", "notify-keyspace-events", bad}) ==
          Reply::Err("ERR CONFIG SET failed (possibly related to argument "
                     "'notify-keyspace-events') - Invalid event class character. Use "
                     "'Ag$lshzxeKEtmdn'."));
  }
  CHECK(config_get(f, "notify-keyspace-events") == "gKE");  // unchanged by the refusals
}

TEST_CASE("notify-keyspace-events: the bit commands, only when they change something") {
  Fixture f;
  REQUIRE(f.cmd({"CONFIG", "SET", "notify-keyspace-events", "KEA"}) == OK());
  Watcher w(f);
  Events want;
  f.cmd({"SETBIT", "b", "7", "1"});
  both(want, "setbit", "b");
  f.cmd({"SETBIT", "b", "7", "1"});  // already set: nothing
  f.cmd({"SETBIT", "b", "7", "0"});
  both(want, "setbit", "b");
  f.cmd({"SETBIT", "b", "100", "0"});  // grows the string: an event though the bit was 0
  both(want, "setbit", "b");
  f.cmd({"GETBIT", "b", "7"});
  f.cmd({"BITFIELD", "b", "SET", "u8", "0", "0"});  // the same value: nothing
  f.cmd({"BITFIELD", "b", "INCRBY", "u8", "0", "3", "GET", "u8", "0"});
  both(want, "setbit", "b");
  f.cmd({"BITFIELD", "b", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "300"});  // refused: nothing
  f.cmd({"BITOP", "NOT", "d", "b"});
  both(want, "set", "d");
  f.cmd({"BITOP", "AND", "d", "missing1", "missing2"});  // all empty: the destination goes
  both(want, "del", "d");
  CHECK(w.drain() == want);
}

TEST_CASE("notify-keyspace-events: string and generic commands, in Redis's order") {
  Fixture f;
  REQUIRE(f.cmd({"CONFIG", "SET", "notify-keyspace-events", "KEA"}) == OK());
  Watcher w(f);
  Events want;
  f.cmd({"SET", "s", "1", "EX", "100"});
  both(want, "set", "s");
  both(want, "expire", "s");
  f.cmd({"SET", "s", "2", "KEEPTTL"});
  both(want, "set", "s");
  f.cmd({"SET", "s", "3", "NX"});  // not set: nothing
  f.cmd({"APPEND", "s", "x"});
  both(want, "append", "s");
  f.cmd({"SETRANGE", "s", "0", "z"});
  both(want, "setrange", "s");
  f.cmd({"GETSET", "s", "v"});
  both(want, "set", "s");
  f.cmd({"SET", "s", "w", "GET"});
  both(want, "set", "s");
  f.cmd({"INCR", "n"});
  both(want, "incrby", "n");
  f.cmd({"DECRBY", "n", "5"});
  both(want, "incrby", "n");
  f.cmd({"INCRBYFLOAT", "n", "1.5"});
  both(want, "incrbyfloat", "n");
  f.cmd({"MSET", "a", "1", "b", "2"});
  both(want, "set", "a");
  both(want, "set", "b");
  f.cmd({"SETEX", "e", "100", "x"});
  both(want, "set", "e");
  both(want, "expire", "e");
  f.cmd({"EXPIRE", "a", "100"});
  both(want, "expire", "a");
  f.cmd({"PERSIST", "a"});
  both(want, "persist", "a");
  f.cmd({"PERSIST", "a"});  // no TTL any more: nothing
  f.cmd({"GETEX", "a", "PX", "100000"});
  both(want, "expire", "a");
  f.cmd({"RENAME", "a", "c"});
  both(want, "rename_from", "a");
  both(want, "rename_to", "c");
  f.cmd({"COPY", "c", "d"});
  both(want, "copy_to", "d");
  f.cmd({"MOVE", "d", "1"});
  both(want, "move_from", "d", 0);
  both(want, "move_to", "d", 1);
  f.cmd({"DEL", "c", "b", "nosuchkey"});
  both(want, "del", "c");
  both(want, "del", "b");
  f.cmd({"UNLINK", "e"});
  both(want, "del", "e");
  f.cmd({"GETDEL", "s"});
  both(want, "del", "s");
  f.cmd({"EXPIRE", "n", "-1"});  // a time in the past deletes
  both(want, "del", "n");
  f.cmd({"GET", "nosuchkey"});  // m is not part of A
  CHECK(w.drain() == want);
}

TEST_CASE("notify-keyspace-events: only the enabled classes and channels") {
  Fixture f;
  REQUIRE(f.cmd({"CONFIG", "SET", "notify-keyspace-events", "E$"}) == OK());
  Watcher w(f);
  f.cmd({"SET", "x", "1"});
  f.cmd({"LPUSH", "l", "a"});
  f.cmd({"EXPIRE", "x", "100"});
  f.cmd({"DEL", "x"});
  CHECK(w.drain() == Events{keyev("set", "x")});

  REQUIRE(f.cmd({"CONFIG", "SET", "notify-keyspace-events", "Kg"}) == OK());
  f.cmd({"SET", "x", "1"});
  f.cmd({"DEL", "x"});
  CHECK(w.drain() == Events{space("x", "del")});

  // Classes without K or E publish nothing.
  REQUIRE(f.cmd({"CONFIG", "SET", "notify-keyspace-events", "A"}) == OK());
  f.cmd({"SET", "x", "1"});
  f.cmd({"DEL", "x"});
  CHECK(w.drain().empty());

  REQUIRE(f.cmd({"CONFIG", "SET", "notify-keyspace-events", ""}) == OK());
  f.cmd({"SET", "x", "1"});
  CHECK(w.drain().empty());
}

TEST_CASE("notify-keyspace-events: new keys and key misses") {
  Fixture f;
  REQUIRE(f.cmd({"CONFIG", "SET", "notify-keyspace-events", "En"}) == OK());
  Watcher w(f);
  f.cmd({"SET", "foo", "bar"});
  f.cmd({"SET", "foo", "baz"});  // not new
  f.cmd({"SET", "bar", "bar"});
  f.cmd({"MSET", "bar", "1", "m1", "2"});
  f.cmd({"INCR", "counter"});
  CHECK(w.drain() == Events{keyev("new", "foo"), keyev("new", "bar"), keyev("new", "m1"),
                            keyev("new", "counter")});

  REQUIRE(f.cmd({"CONFIG", "SET", "notify-keyspace-events", "E$n"}) == OK());
  f.cmd({"SET", "fresh", "1"});
  CHECK(w.drain() == Events{keyev("new", "fresh"), keyev("set", "fresh")});

  REQUIRE(f.cmd({"CONFIG", "SET", "notify-keyspace-events", "Km"}) == OK());
  f.cmd({"GET", "nosuchkey"});
  f.cmd({"GET", "foo"});  // a hit: nothing
  CHECK(w.drain() == Events{space("nosuchkey", "keymiss")});
}

TEST_CASE("notify-keyspace-events: expired by the active cycle, with no client touching the key") {
  Fixture f;
  REQUIRE(f.cmd({"CONFIG", "SET", "notify-keyspace-events", "Ex"}) == OK());
  Watcher w(f);
  f.cmd({"PSETEX", "foo", "100", "1"});
  // The cron's sweep removes it; the read waits for the message (up to 10 s), no sleep.
  CHECK(w.next() == keyev("expired", "foo"));
  CHECK(w.drain().empty());
}

TEST_CASE("notify-keyspace-events: expired when a command finds the key past its TTL") {
  Fixture f;
  REQUIRE(f.cmd({"CONFIG", "SET", "notify-keyspace-events", "KEx"}) == OK());
  // One cron tick a second: the key is found by the commands below long before the sweep.
  REQUIRE(f.cmd({"CONFIG", "SET", "hz", "1"}) == OK());
  Watcher w(f);
  f.cmd({"SET", "foo", "1", "PX", "1"});
  f.cmd({"SET", "bar", "1", "PX", "1"});
  REQUIRE(poll_until(
      [&] {
        return f.cmd({"PTTL", "bar"}).integer == -2;
      },
      std::chrono::seconds(5)));
  f.cmd({"GET", "foo"});             // a read
  f.cmd({"SET", "bar", "2", "NX"});  // a write: expired, then set
  Events got = w.drain();
  // Whichever removed them (the command, or a sweep that came first), each expired exactly once.
  Events want_foo = {space("foo", "expired"), keyev("expired", "foo")};
  Events want_bar = {space("bar", "expired"), keyev("expired", "bar")};
  Events foo, bar;
  for (const Event& e : got) {
    bool keyspace = e.first.rfind("__keyspace", 0) == 0;
    std::string key = keyspace ? e.first.substr(e.first.find("__:") + 3) : e.second;
    (key == "foo" ? foo : bar).push_back(e);
  }
  CHECK(foo == want_foo);
  CHECK(bar == want_bar);
}

TEST_CASE("notify-keyspace-events: evicted under maxmemory") {
  Fixture f;
  REQUIRE(f.cmd({"CONFIG", "SET", "notify-keyspace-events", "Ee"}) == OK());
  REQUIRE(f.cmd({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"}) == OK());
  Watcher w(f);
  f.cmd({"SET", "foo", "bar"});
  REQUIRE(f.cmd({"CONFIG", "SET", "maxmemory", "1"}) == OK());
  CHECK(w.next() == keyev("evicted", "foo"));
  REQUIRE(f.cmd({"CONFIG", "SET", "maxmemory", "0"}) == OK());
  CHECK(w.drain().empty());
}

TEST_CASE("notify-keyspace-events: list, hash, set and sorted-set commands, in Redis's order") {
  Fixture f;
  REQUIRE(f.cmd({"CONFIG", "SET", "notify-keyspace-events", "KEA"}) == OK());
  Watcher w(f);
  Events want;
  f.cmd({"RPUSH", "l", "a", "b", "c"});
  both(want, "rpush", "l");
  f.cmd({"LPUSH", "l", "z"});
  both(want, "lpush", "l");
  f.cmd({"LINSERT", "l", "BEFORE", "a", "y"});
  both(want, "linsert", "l");
  f.cmd({"LSET", "l", "0", "x"});
  both(want, "lset", "l");
  f.cmd({"LREM", "l", "0", "nothing"});  // nothing removed: no event
  f.cmd({"LREM", "l", "0", "y"});
  both(want, "lrem", "l");
  f.cmd({"LMOVE", "l", "l2", "LEFT", "RIGHT"});
  both(want, "rpush", "l2");
  both(want, "lpop", "l");
  f.cmd({"LTRIM", "l", "0", "0"});
  both(want, "ltrim", "l");
  f.cmd({"RPOP", "l"});  // the last element: the key goes
  both(want, "rpop", "l");
  both(want, "del", "l");
  f.cmd({"HSET", "h", "f", "1", "g", "2"});
  both(want, "hset", "h");
  f.cmd({"HINCRBY", "h", "f", "2"});
  both(want, "hincrby", "h");
  f.cmd({"HINCRBYFLOAT", "h", "f", "0.5"});
  both(want, "hincrbyfloat", "h");
  f.cmd({"HDEL", "h", "f", "g"});
  both(want, "hdel", "h");
  both(want, "del", "h");
  f.cmd({"SADD", "s", "a", "b"});
  both(want, "sadd", "s");
  f.cmd({"SADD", "s", "a"});  // nothing added: no event
  f.cmd({"SREM", "s", "b"});
  both(want, "srem", "s");
  f.cmd({"SMOVE", "s", "s2", "a"});
  both(want, "srem", "s");
  both(want, "del", "s");
  both(want, "sadd", "s2");
  f.cmd({"SUNIONSTORE", "s3", "s2"});
  both(want, "sunionstore", "s3");
  f.cmd({"SINTERSTORE", "s3", "s2", "nosuchkey"});  // empty result: the destination goes
  both(want, "del", "s3");
  f.cmd({"SPOP", "s2"});
  both(want, "spop", "s2");
  both(want, "del", "s2");
  f.cmd({"ZADD", "z", "1", "a", "2", "b", "3", "c"});
  both(want, "zadd", "z");
  f.cmd({"ZINCRBY", "z", "5", "a"});
  both(want, "zincr", "z");
  f.cmd({"ZREM", "z", "nothing"});
  f.cmd({"ZREM", "z", "b"});
  both(want, "zrem", "z");
  f.cmd({"ZUNIONSTORE", "z2", "1", "z"});
  both(want, "zunionstore", "z2");
  f.cmd({"ZRANGESTORE", "z3", "z", "0", "0"});
  both(want, "zrangestore", "z3");
  f.cmd({"ZREMRANGEBYSCORE", "z2", "0", "3"});
  both(want, "zremrangebyscore", "z2");
  f.cmd({"ZPOPMIN", "z"});
  both(want, "zpopmin", "z");
  f.cmd({"ZPOPMAX", "z"});
  both(want, "zpopmax", "z");
  both(want, "del", "z");
  CHECK(w.drain() == want);
}
