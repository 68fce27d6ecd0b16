// Generators for the list family: every non-blocking list command with valid and invalid arguments
// (bad indexes and counts, unknown options, wrong arity), OBJECT ENCODING and TYPE, pushes of many
// elements at once, and CONFIG SET list-max-listpack-size to small values so that lists spread over
// many nodes and elements larger than a node appear. A list's order is fully specified, so every
// reply is compared exactly.
//
// The blocking commands appear only in forms that fail before they could block (a bad timeout, a
// bad direction, numkeys 0): a blocked stream would stall, and whether a key is empty is not known
// here. Their blocking behaviour is covered by tests/integration/lists_test.cpp.
//
// Keys: two list-heavy keys plus the shared pool (so lists meet strings and the other types, and
// WRONGTYPE is exercised). Elements: a small pool of our own with integers, binary bytes, the empty
// string, elements around 64 bytes and one over 4 KiB (larger than a node at size -1).
#include "tests/differential/generator.h"

namespace respite::diff {

namespace {

const std::string& lkey(Gen& g) {
  static const std::vector<std::string> lists = {"list", "list2"};
  return g.chance(45) ? g.pick(lists) : g.key();
}

const std::string& elem(Gen& g) {
  static const std::vector<std::string> elems = {"a",
                                                 "b",
                                                 "c",
                                                 "x",
                                                 "hello world",
                                                 "0",
                                                 "1",
                                                 "-1",
                                                 "42",
                                                 "9223372036854775807",
                                                 "",
                                                 std::string("\0\xff", 2),
                                                 "a\r\nb",
                                                 std::string(63, 'm'),
                                                 std::string(64, 'n'),
                                                 std::string(65, 'o'),
                                                 std::string(300, 'L'),
                                                 std::string(5000, 'H')};
  // The 5000-byte element rarely: it makes every reply that carries it large.
  const std::string& e = g.pick(elems);
  if (e.size() == 5000 && !g.chance(25)) return elems[0];
  return e;
}

// An index or range bound: mostly small, sometimes at the int64 limits or not a number.
std::string index_arg(Gen& g) {
  if (g.chance(75)) return std::to_string(g.range(-12, 12));
  return g.offset_arg();
}

// A count argument for LPOP/LMPOP/LPOS: mostly valid, sometimes zero, negative or not a number.
std::string count_arg(Gen& g) {
  static const std::vector<std::string> odd = {
      "0", "-1", "abc", "1.5", "", "9223372036854775807", "-9223372036854775808"};
  if (g.chance(80)) return std::to_string(g.range(1, 8));
  return g.pick(odd);
}

std::string where(Gen& g) {
  static const std::vector<std::string> w = {"LEFT", "RIGHT", "left", "Right"};
  static const std::vector<std::string> bad = {"MIDDLE", "", "LEFTX"};
  return g.chance(96) ? g.pick(w) : g.pick(bad);
}

Command push(Gen& g, const char* name) {
  Command c{{name, lkey(g)}};
  int n = g.chance(4) ? 0 : g.chance(10) ? g.range(20, 70) : g.range(1, 4);  // 0: arity error
  for (int i = 0; i < n; i++) c.args.push_back(elem(g));
  return c;
}
Command lpush(Gen& g) {
  return push(g, "LPUSH");
}
Command rpush(Gen& g) {
  return push(g, "RPUSH");
}
Command lpushx(Gen& g) {
  return push(g, "LPUSHX");
}
Command rpushx(Gen& g) {
  return push(g, "RPUSHX");
}

Command pop(Gen& g, const char* name) {
  Command c{{name, lkey(g)}};
  if (g.chance(40)) c.args.push_back(count_arg(g));
  if (g.chance(3)) c.args.push_back("1");  // too many arguments
  return c;
}
Command lpop(Gen& g) {
  return pop(g, "LPOP");
}
Command rpop(Gen& g) {
  return pop(g, "RPOP");
}

Command llen(Gen& g) {
  return {{"LLEN", lkey(g)}};
}

Command lindex(Gen& g) {
  return {{"LINDEX", lkey(g), index_arg(g)}};
}

Command lset(Gen& g) {
  return {{"LSET", lkey(g), index_arg(g), elem(g)}};
}

Command lrange(Gen& g) {
  if (g.chance(30)) return {{"LRANGE", lkey(g), "0", "-1"}};
  return {{"LRANGE", lkey(g), index_arg(g), index_arg(g)}};
}

Command ltrim(Gen& g) {
  // Mostly gentle trims (drop a few at the ends), so lists survive to grow long.
  if (g.chance(60))
    return {{"LTRIM", lkey(g), std::to_string(g.range(0, 3)), std::to_string(g.range(-4, -1))}};
  return {{"LTRIM", lkey(g), index_arg(g), index_arg(g)}};
}

Command lrem(Gen& g) {
  static const std::vector<std::string> counts = {
      "0", "1", "2", "-1", "-2", "5", "-5", "abc", "-9223372036854775808"};
  return {{"LREM", lkey(g), g.pick(counts), elem(g)}};
}

Command linsert(Gen& g) {
  static const std::vector<std::string> pos = {"BEFORE", "AFTER", "before", "after", "MIDDLE"};
  return {{"LINSERT", lkey(g), g.pick(pos), elem(g), elem(g)}};
}

Command lpos(Gen& g) {
  Command c{{"LPOS", lkey(g), elem(g)}};
  static const std::vector<std::string> ranks = {
      "1", "2", "3", "-1", "-2", "-3", "0", "x", "-9223372036854775808", "9223372036854775807"};
  int opts = g.range(0, 3);
  for (int i = 0; i < opts; i++) {
    switch (g.range(0, 3)) {
      case 0:
        c.args.insert(c.args.end(), {"RANK", g.pick(ranks)});
        break;
      case 1:
        c.args.insert(c.args.end(), {"COUNT", g.chance(30) ? "0" : count_arg(g)});
        break;
      case 2:
        c.args.insert(c.args.end(), {"MAXLEN", g.chance(30) ? "0" : count_arg(g)});
        break;
      default:
        c.args.push_back(g.chance(50) ? "FOO" : "RANK");  // unknown, or missing its value
        break;
    }
  }
  return c;
}

Command lmove(Gen& g) {
  return {{"LMOVE", lkey(g), lkey(g), where(g), where(g)}};
}

Command rpoplpush(Gen& g) {
  return {{"RPOPLPUSH", lkey(g), lkey(g)}};
}

Command lmpop(Gen& g) {
  Command c{{"LMPOP"}};
  int n = g.range(1, 3);
  if (g.chance(5)) {
    static const std::vector<std::string> bad = {"0", "-1", "x", "5"};
    c.args.push_back(g.pick(bad));  // bad numkeys, or more than there are
  } else {
    c.args.push_back(std::to_string(n));
  }
  for (int i = 0; i < n; i++) c.args.push_back(lkey(g));
  c.args.push_back(where(g));
  if (g.chance(50)) c.args.insert(c.args.end(), {"COUNT", count_arg(g)});
  if (g.chance(4)) c.args.push_back(g.chance(50) ? "COUNT" : "FOO");
  return c;
}

// Blocking commands, only in forms that are rejected before they could block.
Command blocking_error(Gen& g) {
  static const std::vector<std::string> bad_timeouts = {"-1", "abc", "", "1e400", "-0.5", "nan"};
  const std::string& t = g.pick(bad_timeouts);
  switch (g.range(0, 5)) {
    case 0:
      return {{"BLPOP", lkey(g), lkey(g), t}};
    case 1:
      return {{"BRPOP", lkey(g), t}};
    case 2:
      return {{"BRPOPLPUSH", lkey(g), lkey(g), t}};
    case 3:  // a bad direction is reported before the timeout, whatever the timeout
      return {{"BLMOVE", lkey(g), lkey(g), "UP", where(g), g.chance(50) ? "0" : t}};
    case 4:
      return {{"BLMOVE", lkey(g), lkey(g), "LEFT", "RIGHT", t}};
    default: {
      static const std::vector<std::string> bad_numkeys = {"0", "-1", "x"};
      // numkeys is checked before the timeout, so even timeout 0 cannot block here.
      return {{"BLMPOP", g.chance(50) ? "0" : t, g.pick(bad_numkeys), lkey(g), where(g)}};
    }
  }
}

// SORT and SORT_RO over lists (and the pool's other types: sets and sorted sets sort too, strings
// answer WRONGTYPE). Only forms whose result Redis fully specifies: numeric ties are ordered by
// the elements' bytes, but ALPHA ties under a BY pattern are not, so ALPHA never meets one; BY
// without '*' keeps the native order, which a set does not have, so it only sorts the two lists.
// A replied ALPHA sort compares C strings, so "" and "\0\xff" tie and come in any order: it is
// compared as a multiset, without LIMIT or GET (a stored one compares all bytes: exact).
Command sort(Gen& g) {
  static const std::vector<std::string> lists = {"list", "list2"};
  Command c{{g.chance(80) ? "SORT" : "SORT_RO"}};
  bool nosort = g.chance(20);
  c.args.push_back(nosort ? g.pick(lists) : lkey(g));
  bool alpha = g.chance(50);
  if (nosort)
    c.args.insert(c.args.end(), {"BY", g.chance(80) ? "nosort" : "constant"});
  else if (!alpha && g.chance(25))
    c.args.insert(c.args.end(), {"BY", g.chance(50) ? "*" : "w_*"});  // the elements as keys
  if (alpha) c.args.push_back(g.chance(50) ? "ALPHA" : "alpha");
  if (g.chance(30)) c.args.push_back(g.chance(50) ? "DESC" : "ASC");
  bool store = c.args[0] == "SORT" && g.chance(alpha ? 50 : 15);
  bool loose = alpha && !store && !nosort;
  if (!loose && g.chance(30)) c.args.insert(c.args.end(), {"LIMIT", index_arg(g), index_arg(g)});
  if (!loose && g.chance(20)) c.args.insert(c.args.end(), {"GET", g.chance(50) ? "#" : "*"});
  if (!loose && g.chance(10)) c.args.insert(c.args.end(), {"GET", "#"});
  if (store) c.args.insert(c.args.end(), {"STORE", lkey(g)});
  if (g.chance(3)) c.args.push_back(g.chance(50) ? "LIMIT" : "nonsense");
  if (loose) c.compare = Compare::kSortedArray;
  return c;
}

Command object_encoding(Gen& g) {
  return {{"OBJECT", "ENCODING", lkey(g)}};
}

Command type(Gen& g) {
  return {{"TYPE", lkey(g)}};
}

Command config_set(Gen& g) {
  static const std::vector<std::string> sizes = {"-1", "-2", "-5", "0",   "1",
                                                 "2",  "3",  "5",  "128", "-7"};
  return {{"CONFIG", "SET", g.chance(80) ? "list-max-listpack-size" : "list-max-ziplist-size",
           g.pick(sizes)}};
}

}  // namespace

void add_lists_generators(std::vector<CommandGen>& out) {
  out.insert(out.end(), {
                            {"LPUSH", 30, lpush},
                            {"RPUSH", 30, rpush},
                            {"LPUSHX", 6, lpushx},
                            {"RPUSHX", 6, rpushx},
                            {"LPOP", 14, lpop},
                            {"RPOP", 14, rpop},
                            {"LLEN", 6, llen},
                            {"LINDEX", 10, lindex},
                            {"LSET", 8, lset},
                            {"LRANGE", 16, lrange},
                            {"LTRIM", 5, ltrim},
                            {"LREM", 8, lrem},
                            {"LINSERT", 8, linsert},
                            {"LPOS", 12, lpos},
                            {"LMOVE", 8, lmove},
                            {"RPOPLPUSH", 4, rpoplpush},
                            {"LMPOP", 8, lmpop},
                            {"SORT", 8, sort},
                            {"blocking (errors only)", 4, blocking_error},
                            {"OBJECT ENCODING", 4, object_encoding},
                            {"TYPE", 3, type},
                            {"CONFIG SET list size", 3, config_set},
                        });
}

}  // namespace respite::diff
