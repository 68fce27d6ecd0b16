// Generators for transactions, over two connections: MULTI, EXEC, DISCARD, WATCH and UNWATCH go
// to the first connection (where every other family's commands also go, so they are queued while
// a MULTI is open), and writes from a second connection touch (or miss) the keys it watches. The
// harness compares an EXEC's array element by element, each with its queued command's rules.
#include "tests/differential/generator.h"

namespace respite::diff {

namespace {

Command multi(Gen& g) {
  return {{"MULTI"}};
}

Command exec(Gen& g) {
  return {{"EXEC"}};
}

Command discard(Gen& g) {
  return {{"DISCARD"}};
}

Command watch(Gen& g) {
  Command c{{"WATCH"}};
  for (const std::string& k : g.keys(1, 3)) c.args.push_back(k);
  return c;
}

Command unwatch(Gen& g) {
  return {{"UNWATCH"}};
}

// A blocking command with no timeout: inside EXEC it answers at once. Sent only while the first
// connection is in MULTI (the harness sends PING otherwise).
Command blocking(Gen& g) {
  Command c;
  switch (g.range(0, 3)) {
    case 0:
      c.args = {"BLPOP", g.key(), "0"};
      break;
    case 1:
      c.args = {"BLMOVE", g.key(), g.key(), "LEFT", "RIGHT", "0"};
      break;
    case 2:
      c.args = {"BZPOPMIN", g.key(), "0"};
      break;
    default:
      c.args = {"BRPOPLPUSH", g.key(), g.key(), "0"};
      break;
  }
  c.multi_only = true;
  return c;
}

// A write from the second connection: whether it touches a watched key decides the next EXEC.
// Some change nothing (SADD of a member present, DEL of a missing key): no touch either.
Command other_write(Gen& g) {
  Command c;
  switch (g.range(0, 11)) {
    case 0:
      c.args = {"SET", g.key(), g.value()};
      break;
    case 1:
      c.args = {"DEL", g.key()};
      break;
    case 2:
      c.args = {"INCR", g.key()};
      break;
    case 3:
      c.args = {"EXPIRE", g.key(), g.rel_seconds()};
      break;
    case 4:
      c.args = {"RPUSH", g.key(), g.value()};
      break;
    case 5:
      c.args = {"SADD", g.key(), g.chance(50) ? "a" : "b"};
      break;
    case 6:
      c.args = {"HSET", g.key(), "f", g.chance(50) ? "1" : "2"};
      break;
    case 7:
      c.args = {"ZADD", g.key(), g.chance(50) ? "1" : "2", "m"};
      break;
    case 8:
      c.args = {"RENAME", g.key(), g.key()};
      break;
    case 9:
      c.args = {"GET", g.key()};  // a read: never a touch
      break;
    case 10:
      c.args = {"PERSIST", g.key()};
      break;
    default:
      c.args = g.chance(80) ? std::vector<std::string>{"SREM", g.key(), "a"}
                            : std::vector<std::string>{"SWAPDB", "0", "1"};
      break;
  }
  c.conn = 1;
  return c;
}

}  // namespace

void add_transactions_generators(std::vector<CommandGen>& out) {
  out.push_back({"MULTI", 12, multi});
  out.push_back({"EXEC", 10, exec});
  out.push_back({"DISCARD", 2, discard});
  out.push_back({"WATCH", 8, watch});
  out.push_back({"UNWATCH", 1, unwatch});
  out.push_back({"BLOCKING in MULTI", 2, blocking});
  out.push_back({"write from another connection", 20, other_write});
}

}  // namespace respite::diff
