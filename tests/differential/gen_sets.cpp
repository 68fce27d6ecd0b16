// Generators for the set family: every set command with valid and invalid arguments (bad counts,
// bad numkeys and LIMIT, unknown options, wrong arity), OBJECT ENCODING and TYPE, SADD of many
// integers and CONFIG SET set-max-intset-entries so that intsets convert to tables mid-stream.
// Keys come from the shared pool (so sets meet strings and the other types, and WRONGTYPE is
// exercised) plus a set-heavy key; members from a pool of our own: canonical integers of every
// intset width, non-canonical integer text ("007", "+5", "-0"), binary bytes, the empty string and
// members over 64 bytes.
//
// What Redis leaves unspecified is normalised: SMEMBERS / SINTER / SUNION / SDIFF compare as sets
// (a table's order is unspecified), SSCAN from cursor 0 is iterated to the end, SRANDMEMBER is
// compared by length (or nil-ness). SPOP changes the set at random, so it only ever runs where the
// outcome is the same on both servers: with a count of at least the set's size (everything goes;
// the reply compares as a set), with count 0 or an invalid count, and on two keys that can only
// ever hold one member each. An intset's order IS specified (ascending), so one key, kIntKey, only
// ever holds a few small integers, never more than the smallest CONFIG SET limit below, and is
// compared exactly.
#include "tests/differential/generator.h"

namespace respite::diff {

namespace {

const std::string kSetKey = "set";
const std::string kIntKey = "set:int";
const std::string kPopIntKey = "set:pop:int";  // only ever holds "7"
const std::string kPopStrKey = "set:pop:str";  // only ever holds "x"

const std::string& skey(Gen& g) {
  return g.chance(30) ? kSetKey : g.key();
}

std::string member(Gen& g) {
  static const std::vector<std::string> pool = {"0",
                                                "1",
                                                "2",
                                                "3",
                                                "-1",
                                                "42",
                                                "-100",
                                                "32767",
                                                "-32768",
                                                "32768",
                                                "2147483648",
                                                "-2147483649",
                                                "9223372036854775807",
                                                "-9223372036854775808",
                                                "9223372036854775808",
                                                "007",
                                                "+5",
                                                "-0",
                                                " 3",
                                                "1.5",
                                                "",
                                                "a",
                                                "b",
                                                "member",
                                                "hello world",
                                                std::string("\0\r\n\xff", 4),
                                                "\xc3\xbc",
                                                std::string(70, 'L'),
                                                "m*"};
  int r = g.range(0, 99);
  if (r < 70) return g.pick(pool);
  if (r < 92) return std::to_string(g.range(0, 599));  // an integer from a bounded range
  return g.value();
}

Command with_members(Gen& g, const char* name, const std::string& key, int min, int max) {
  Command c{{name, key}};
  int n = g.range(min, max);
  for (int i = 0; i < n; i++) c.args.push_back(member(g));
  return c;
}

Command sadd(Gen& g) {
  if (g.chance(15)) {  // many integers at once: intsets grow past the limits (512 too, at times)
    bool huge = g.chance(10);
    Command c{{"SADD", huge ? kSetKey : skey(g)}};
    int n = huge ? g.range(100, 300) : g.range(10, 40);
    for (int i = 0; i < n; i++) c.args.push_back(std::to_string(g.range(0, 599)));
    if (g.chance(20)) c.args.push_back(member(g));
    return c;
  }
  return with_members(g, "SADD", skey(g), g.chance(3) ? 0 : 1, 5);  // 0 members: arity error
}

Command srem(Gen& g) {
  return with_members(g, "SREM", skey(g), g.chance(3) ? 0 : 1, 4);
}

Command sismember(Gen& g) {
  if (g.chance(3)) return {{"SISMEMBER", skey(g)}};
  return {{"SISMEMBER", skey(g), member(g)}};
}

Command smismember(Gen& g) {
  return with_members(g, "SMISMEMBER", skey(g), g.chance(3) ? 0 : 1, 5);
}

Command scard(Gen& g) {
  if (g.chance(3)) return {{"SCARD", skey(g), "extra"}};
  return {{"SCARD", skey(g)}};
}

Command smembers(Gen& g) {
  return {{"SMEMBERS", skey(g)}, Compare::kSortedArray};
}

// SPOP only where the outcome is deterministic (see the header).
Command spop(Gen& g) {
  static const std::vector<std::string> all = {"5000", "100000", "9223372036854775807"};
  static const std::vector<std::string> bad = {
      "-1", "abc", "", "1.5", "9223372036854775808", "-9223372036854775808"};
  switch (g.range(0, 5)) {
    case 0:
    case 1:
      return {{"SPOP", skey(g), g.pick(all)}, Compare::kSortedArray};
    case 2:
      return {{"SPOP", skey(g), "0"}};
    case 3:
      return {{"SPOP", skey(g), g.pick(bad)}};
    case 4:
      return {{"SPOP", skey(g), "1", "2"}};  // syntax error
    default: {
      const std::string& k = g.chance(50) ? kPopIntKey : kPopStrKey;
      if (g.chance(50)) return {{"SPOP", k}};
      return {{"SPOP", k, g.chance(50) ? "1" : "5"}};
    }
  }
}

// Fills the one-member keys that SPOP pops exactly.
Command pop_key_fill(Gen& g) {
  if (g.chance(50)) return {{"SADD", kPopIntKey, "7"}};
  return {{"SADD", kPopStrKey, "x"}};
}

Command srandmember(Gen& g) {
  static const std::vector<std::string> counts = {
      "0", "1", "2", "3", "5", "10", "50", "1000", "9223372036854775807", "-1", "-2", "-5", "-20"};
  static const std::vector<std::string> bad = {
      "abc", "", "1.5", "-9223372036854775808", "9223372036854775808", "-0"};
  int r = g.range(0, 99);
  if (r < 25) return {{"SRANDMEMBER", skey(g)}, Compare::kNilOrNot};
  if (r < 85) return {{"SRANDMEMBER", skey(g), g.pick(counts)}, Compare::kLength};
  if (r < 95) return {{"SRANDMEMBER", skey(g), g.pick(bad)}};
  return {{"SRANDMEMBER", skey(g), "1", "2"}};  // syntax error
}

Command smove(Gen& g) {
  if (g.chance(3)) return {{"SMOVE", skey(g), skey(g)}};
  const std::string& src = skey(g);
  const std::string& dst = g.chance(10) ? src : skey(g);
  return {{"SMOVE", src, dst, member(g)}};
}

Command keys_command(Gen& g, const char* name, int min, Compare cmp) {
  Command c{{name}, cmp};
  int n = g.range(min, 4);
  for (int i = 0; i < n; i++) c.args.push_back(skey(g));
  return c;
}

Command sinter(Gen& g) {
  return keys_command(g, "SINTER", g.chance(3) ? 0 : 1, Compare::kSortedArray);
}
Command sunion(Gen& g) {
  return keys_command(g, "SUNION", g.chance(3) ? 0 : 1, Compare::kSortedArray);
}
Command sdiff(Gen& g) {
  return keys_command(g, "SDIFF", g.chance(3) ? 0 : 1, Compare::kSortedArray);
}
// The STORE forms: the destination first, then one or more sources (the destination too, now and
// then). Their replies are counts, and the destination is checked by later reads.
Command store_form(Gen& g, const char* name) {
  Command c = keys_command(g, name, g.chance(3) ? 1 : 2, Compare::kExact);
  if (c.args.size() > 2 && g.chance(15)) c.args.push_back(c.args[1]);
  return c;
}
Command sinterstore(Gen& g) {
  return store_form(g, "SINTERSTORE");
}
Command sunionstore(Gen& g) {
  return store_form(g, "SUNIONSTORE");
}
Command sdiffstore(Gen& g) {
  return store_form(g, "SDIFFSTORE");
}

Command sintercard(Gen& g) {
  static const std::vector<std::string> bad_numkeys = {
      "0", "-1", "abc", "", "9", "1.5", "9223372036854775808"};
  static const std::vector<std::string> limits = {"0", "1", "2", "3", "100", "-1", "abc", ""};
  int nkeys = g.range(1, 4);
  Command c{{"SINTERCARD", g.chance(8) ? g.pick(bad_numkeys) : std::to_string(nkeys)}};
  for (int i = 0; i < nkeys; i++) c.args.push_back(skey(g));
  int r = g.range(0, 99);
  if (r < 40) {
    c.args.insert(c.args.end(), {g.chance(80) ? "LIMIT" : "limit", g.pick(limits)});
  } else if (r < 45) {
    c.args.push_back("LIMIT");  // LIMIT without its value
  } else if (r < 50) {
    c.args.insert(c.args.end(), {"FOO", "1"});
  } else if (r < 53) {
    c.args.insert(c.args.end(), {"LIMIT", "1", "LIMIT", g.pick(limits)});
  }
  return c;
}

Command sscan(Gen& g) {
  static const std::vector<std::string> patterns = {"*",  "1*",   "*2",  "?", "[0-4]*",
                                                    "m*", "m\\*", "*e*", "",  "-*"};
  static const std::vector<std::string> counts = {"1", "2", "5", "10", "100"};
  static const std::vector<std::string> bad_counts = {"0", "-1", "abc"};
  Command c{{"SSCAN", skey(g), "0"}, Compare::kScanAll};
  if (g.chance(40)) c.args.insert(c.args.end(), {"MATCH", g.pick(patterns)});
  if (g.chance(40)) c.args.insert(c.args.end(), {"COUNT", g.pick(counts)});
  int r = g.range(0, 99);
  if (r < 3) {
    c.args.insert(c.args.end(), {"COUNT", g.pick(bad_counts)});
  } else if (r < 5) {
    c.args.push_back("MATCH");  // an option without its value
  } else if (r < 7) {
    c.args.insert(c.args.end(), {"TYPE", "set"});  // SCAN only
  } else if (r < 9) {
    c.args[2] = g.chance(50) ? "abc" : "-";
    c.compare = Compare::kExact;  // invalid cursor: one reply, compared as it is
  }
  return c;
}

Command object_encoding(Gen& g) {
  return {{"OBJECT", "ENCODING", skey(g)}};
}

Command type(Gen& g) {
  return {{"TYPE", skey(g)}};
}

// Never below the most kIntKey can hold (5 members), so that kIntKey stays an intset.
Command config_set(Gen& g) {
  static const std::vector<std::string> limits = {"5", "6", "8", "16", "64", "512"};
  return {{"CONFIG", "SET", "set-max-intset-entries", g.pick(limits)}};
}

// --- the always-intset key, compared exactly ---

const std::string& int_member(Gen& g) {
  static const std::vector<std::string> ints = {"-40000", "-1", "0", "3", "70000"};
  return g.pick(ints);
}

Command int_write(Gen& g) {
  Command c{{g.chance(65) ? "SADD" : "SREM", kIntKey}};
  int n = g.range(1, 3);
  for (int i = 0; i < n; i++) c.args.push_back(int_member(g));
  return c;
}

Command int_read(Gen& g) {
  switch (g.range(0, 7)) {
    case 0:
    case 1:
      return {{"SMEMBERS", kIntKey}};
    case 2:
      return {{"SSCAN", kIntKey, g.chance(50) ? "0" : "7"}};  // no cursor in an intset
    case 3:
      return {{"OBJECT", "ENCODING", kIntKey}};
    case 4:  // a count of at least the size returns the whole set, in order
      return {{"SRANDMEMBER", kIntKey, "5"}};
    case 5:
      return {{"SINTER", kIntKey, kIntKey}};
    case 6:
      return {{"SUNION", kIntKey}};
    default:
      return {{"SDIFF", kIntKey, "set:int:none"}};
  }
}

}  // namespace

void add_sets_generators(std::vector<CommandGen>& out) {
  out.insert(out.end(), {
                            {"SADD", 50, sadd},
                            {"SREM", 20, srem},
                            {"SISMEMBER", 15, sismember},
                            {"SMISMEMBER", 10, smismember},
                            {"SCARD", 10, scard},
                            {"SMEMBERS", 15, smembers},
                            {"SPOP", 10, spop},
                            {"set:pop fill", 4, pop_key_fill},
                            {"SRANDMEMBER", 12, srandmember},
                            {"SMOVE", 12, smove},
                            {"SINTER", 10, sinter},
                            {"SUNION", 8, sunion},
                            {"SDIFF", 10, sdiff},
                            {"SINTERSTORE", 8, sinterstore},
                            {"SUNIONSTORE", 8, sunionstore},
                            {"SDIFFSTORE", 8, sdiffstore},
                            {"SINTERCARD", 10, sintercard},
                            {"SSCAN", 10, sscan},
                            {"OBJECT ENCODING", 12, object_encoding},
                            {"TYPE", 4, type},
                            {"CONFIG SET set", 3, config_set},
                            {"set:int write", 10, int_write},
                            {"set:int read", 8, int_read},
                        });
}

}  // namespace respite::diff
