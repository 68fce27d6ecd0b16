// Generators for the hash family: every hash command with valid and invalid arguments, OBJECT
// ENCODING and TYPE, and CONFIG SET of hash-max-listpack-entries / -value so that hashes convert
// to the table in the middle of a stream. Keys come from the shared pool (so hashes meet strings
// and WRONGTYPE is exercised) plus one hash-heavy key; fields from a small pool of our own with
// integers, binary bytes, the empty string and a field over 64 bytes.
//
// What Redis leaves unordered is normalised: HGETALL / HKEYS / HVALS compare as sets (a table's
// order is unspecified), HSCAN from cursor 0 is iterated to the end and compared as a set, and
// HRANDFIELD is compared by length (or nil-ness). The listpack order IS specified, so one key,
// kLpKey, is written only with the three short fields and short values below and is compared
// exactly: the CONFIG SET values never go under 3 entries or 2 bytes, so it can never convert.
#include "tests/differential/generator.h"

namespace respite::diff {

namespace {

const std::string kHashKey = "hash";
const std::string kLpKey = "hash:lp";

const std::string& hkey(Gen& g) {
  return g.chance(30) ? kHashKey : g.key();
}

const std::string& hfield(Gen& g) {
  static const std::vector<std::string> fields = {"a",
                                                  "b",
                                                  "c",
                                                  "f",
                                                  "field",
                                                  "name",
                                                  "x",
                                                  "y",
                                                  "0",
                                                  "1",
                                                  "-1",
                                                  "10",
                                                  "123",
                                                  "",
                                                  std::string("\0bin\xff", 5),
                                                  "a\r\nb",
                                                  "*",
                                                  "f*",
                                                  std::string(70, 'L'),
                                                  "\xc3\xbc",
                                                  "9223372036854775807",
                                                  "1.5",
                                                  "spa ce"};
  return g.pick(fields);
}

// Numbered fields, for commands with many elements (f0..f79: with the other fields a hash stays
// under 128 entries, so before any CONFIG SET both servers' different defaults never matter:
// redis-server without a config file has 512, respite 128).
std::string numbered(Gen& g) {
  std::string f = "n";
  return f.append(std::to_string(g.range(0, 79)));
}

std::string hvalue(Gen& g) {
  static const std::vector<std::string> numbers = {"0",  "1",   "-1",  "5",   "10.5", "1e3",
                                                   "17", "007", "abc", "1.5", "-2.25"};
  int r = g.range(0, 99);
  if (r < 55) return g.value();
  if (r < 85) return g.pick(numbers);
  return std::string(static_cast<size_t>(g.range(0, 80)), 'v');  // around the 64-byte limit
}

Command hset_like(Gen& g, const char* name) {
  Command c{{name, hkey(g)}};
  int pairs = g.chance(10) ? g.range(5, 30) : g.range(1, 4);
  bool many = pairs > 4;
  for (int i = 0; i < pairs; i++) {
    c.args.push_back(many && g.chance(80) ? numbered(g) : hfield(g));
    c.args.push_back(hvalue(g));
  }
  if (g.chance(4)) c.args.pop_back();  // a field without its value: arity error
  return c;
}

Command hset(Gen& g) {
  return hset_like(g, "HSET");
}
Command hmset(Gen& g) {
  return hset_like(g, "HMSET");
}
Command hsetnx(Gen& g) {
  return {{"HSETNX", hkey(g), hfield(g), hvalue(g)}};
}
Command hget(Gen& g) {
  if (g.chance(3)) return {{"HGET", hkey(g)}};  // arity
  return {{"HGET", hkey(g), hfield(g)}};
}

Command hmget(Gen& g) {
  Command c{{"HMGET", hkey(g)}};
  int n = g.range(1, 5);
  for (int i = 0; i < n; i++) c.args.push_back(hfield(g));
  return c;
}

Command hdel(Gen& g) {
  Command c{{"HDEL", hkey(g)}};
  int n = g.chance(3) ? 0 : g.range(1, 4);  // none: arity error
  for (int i = 0; i < n; i++) c.args.push_back(g.chance(20) ? numbered(g) : hfield(g));
  return c;
}

Command hlen(Gen& g) {
  return {{"HLEN", hkey(g)}};
}
Command hstrlen(Gen& g) {
  return {{"HSTRLEN", hkey(g), hfield(g)}};
}
Command hexists(Gen& g) {
  return {{"HEXISTS", hkey(g), hfield(g)}};
}
Command hgetall(Gen& g) {
  return {{"HGETALL", hkey(g)}, Compare::kSortedPairs};
}
Command hkeys(Gen& g) {
  return {{"HKEYS", hkey(g)}, Compare::kSortedArray};
}
Command hvals(Gen& g) {
  return {{"HVALS", hkey(g)}, Compare::kSortedArray};
}

// Counters: a few numeric fields, so that chains of increments, overflows and non-numbers happen.
const std::string& counter_field(Gen& g) {
  static const std::vector<std::string> fields = {"n", "m", "0", "1", "a"};
  return g.chance(60) ? g.pick(fields) : hfield(g);
}

Command hincrby(Gen& g) {
  return {{"HINCRBY", hkey(g), counter_field(g), g.int_arg()}};
}
Command hincrbyfloat(Gen& g) {
  return {{"HINCRBYFLOAT", hkey(g), counter_field(g), g.float_arg()}};
}

Command hrandfield(Gen& g) {
  // Never a huge negative count without WITHVALUES: Redis would try to build that reply.
  static const std::vector<std::string> counts = {"0",
                                                  "1",
                                                  "2",
                                                  "3",
                                                  "5",
                                                  "10",
                                                  "40",
                                                  "-1",
                                                  "-3",
                                                  "-10",
                                                  "-40",
                                                  "abc",
                                                  "1.5",
                                                  "9223372036854775807",
                                                  "-9223372036854775808",
                                                  "4611686018427387903",
                                                  "4611686018427387904",
                                                  "-4611686018427387904"};
  if (g.chance(25)) return {{"HRANDFIELD", hkey(g)}, Compare::kNilOrNot};
  Command c{{"HRANDFIELD", hkey(g), g.pick(counts)}, Compare::kLength};
  // A count this long is only emitted with WITHVALUES: then a huge negative one is certain to be
  // refused (WITHVALUES's range check) instead of asking for a reply of 2^62 fields.
  const bool huge = c.args[2].size() > 12;
  int r = g.range(0, 99);
  if (r < 40 || huge) {
    c.args.push_back(g.chance(90) ? "WITHVALUES" : "withvalues");
  } else if (r < 45) {
    c.args.push_back(g.chance(50) ? "WITHVALUE" : "FOO");
  } else if (r < 48) {
    c.args.insert(c.args.end(), {"WITHVALUES", "x"});
  }
  return c;
}

Command hscan(Gen& g) {
  static const std::vector<std::string> patterns = {"*",     "a*",    "?", "f*",     "n1*",
                                                    "*\\**", "[a-c]", "",  "nomatch"};
  static const std::vector<std::string> bad_cursors = {"abc", "1.5", " 0", "-"};
  Command c{{"HSCAN", hkey(g), g.chance(95) ? "0" : g.pick(bad_cursors)}, Compare::kScanAll};
  if (g.chance(40)) c.args.insert(c.args.end(), {"MATCH", g.pick(patterns)});
  if (g.chance(40)) {
    static const std::vector<std::string> counts = {"1", "2", "5", "10", "100", "0", "-1", "x"};
    c.args.insert(c.args.end(), {"COUNT", g.pick(counts)});
  }
  if (g.chance(4)) c.args.push_back(g.chance(50) ? "TYPE" : "MATCH");  // syntax errors
  if (g.chance(3)) c.args.insert(c.args.end(), {"TYPE", "hash"});
  return c;
}

Command object_encoding(Gen& g) {
  return {{"OBJECT", "ENCODING", hkey(g)}};
}
Command type(Gen& g) {
  return {{"TYPE", hkey(g)}};
}

// The limits move in a range that never converts kLpKey (3 fields, values up to 2 bytes).
Command config_set(Gen& g) {
  static const std::vector<std::string> entries = {"3", "4", "5", "8", "16", "32", "128"};
  static const std::vector<std::string> values = {"2", "3", "5", "10", "20", "44", "64"};
  if (g.chance(50))
    return {{"CONFIG", "SET",
             g.chance(80) ? "hash-max-listpack-entries" : "hash-max-ziplist-entries",
             g.pick(entries)}};
  return {{"CONFIG", "SET", g.chance(80) ? "hash-max-listpack-value" : "hash-max-ziplist-value",
           g.pick(values)}};
}

// --- the always-listpack key, compared exactly ---

const std::string& lp_field(Gen& g) {
  static const std::vector<std::string> fields = {"a", "b", "c"};
  return g.pick(fields);
}
const std::string& lp_value(Gen& g) {
  static const std::vector<std::string> values = {"", "1", "22", "v", "-1"};
  return g.pick(values);
}

Command lp_write(Gen& g) {
  switch (g.range(0, 4)) {
    case 0:
    case 1: {
      Command c{{g.chance(80) ? "HSET" : "HMSET", kLpKey}};
      int pairs = g.range(1, 3);
      for (int i = 0; i < pairs; i++) {
        c.args.push_back(lp_field(g));
        c.args.push_back(lp_value(g));
      }
      return c;
    }
    case 2:
      return {{"HSETNX", kLpKey, lp_field(g), lp_value(g)}};
    default: {
      Command c{{"HDEL", kLpKey}};
      int n = g.range(1, 2);
      for (int i = 0; i < n; i++) c.args.push_back(lp_field(g));
      return c;
    }
  }
}

Command lp_read(Gen& g) {
  switch (g.range(0, 6)) {
    case 0:
      return {{"HGETALL", kLpKey}};
    case 1:
      return {{"HKEYS", kLpKey}};
    case 2:
      return {{"HVALS", kLpKey}};
    case 3:
      return {{"HSCAN", kLpKey, "0"}};
    case 4:
      return {{"OBJECT", "ENCODING", kLpKey}};
    case 5:  // a count of at least the size returns the whole hash in its order
      return {{"HRANDFIELD", kLpKey, g.chance(50) ? "3" : "10", "WITHVALUES"}};
    default:
      return {{"HRANDFIELD", kLpKey, "3"}};
  }
}

}  // namespace

void add_hashes_generators(std::vector<CommandGen>& out) {
  out.insert(out.end(), {
                            {"HSET", 40, hset},
                            {"HMSET", 8, hmset},
                            {"HSETNX", 10, hsetnx},
                            {"HGET", 25, hget},
                            {"HMGET", 10, hmget},
                            {"HDEL", 20, hdel},
                            {"HLEN", 10, hlen},
                            {"HSTRLEN", 8, hstrlen},
                            {"HEXISTS", 8, hexists},
                            {"HGETALL", 12, hgetall},
                            {"HKEYS", 6, hkeys},
                            {"HVALS", 6, hvals},
                            {"HINCRBY", 20, hincrby},
                            {"HINCRBYFLOAT", 15, hincrbyfloat},
                            {"HRANDFIELD", 12, hrandfield},
                            {"HSCAN", 10, hscan},
                            {"OBJECT ENCODING", 10, object_encoding},
                            {"TYPE", 4, type},
                            {"CONFIG SET hash", 3, config_set},
                            {"hash:lp write", 15, lp_write},
                            {"hash:lp read", 10, lp_read},
                        });
}

}  // namespace respite::diff
