// Generators for the sorted-set family: every sorted-set command except the blocking ones (which
// could block the stream), with valid and invalid arguments (bad scores and ranges, conflicting
// options, wrong numkeys), OBJECT ENCODING and TYPE, and CONFIG SET of zset-max-listpack-entries /
// -value so that sets convert to the skiplist mid-stream. Keys come from the shared pool (so sorted
// sets meet strings and the other types and WRONGTYPE is exercised), members from a pool of our own
// with integers, binary bytes, the empty string and members over 64 bytes, plus numbered members
// for commands with many elements (crossing 128 entries).
//
// A sorted set's order is fully specified (score, then member bytes), so nearly everything is
// compared exactly; only ZRANDMEMBER (by length or nil-ness) and ZSCAN (iterated to the end and
// compared as a set) are normalised.
//
// Lex ranges are only meaningful when all scores are equal: on a skiplist with mixed scores Redis's
// answer depends on the random shape of the list. So real lex ranges go to kLexKeys, whose members
// are only ever added with score 0 (and whose names are outside the shared pool, so no other
// command writes them); on the shared keys lex commands use "-"/"+" (whose answer never depends
// on the shape), empty or invalid ranges.
#include "tests/differential/generator.h"

namespace respite::diff {

namespace {

const std::vector<std::string> kLexKeys = {"zlex:1", "zlex:2"};

// Sorted sets written only by this family (the shared pool's keys are often deleted, renamed or
// overwritten by the key and string commands), so that sets grow large enough to convert.
const std::vector<std::string> kZKeys = {"zset:1", "zset:2"};

const std::string& zkey(Gen& g) {
  return g.chance(35) ? g.pick(kZKeys) : g.key();
}

const std::string& lex_key(Gen& g) {
  return g.pick(kLexKeys);
}

// Any key a read may name.
const std::string& any_key(Gen& g) {
  return g.chance(15) ? lex_key(g) : zkey(g);
}

// n0..n149: the members of commands with many elements (built by appending: GCC 12 warns,
// falsely, about operator+ on a literal and a temporary).
std::string numbered(Gen& g) {
  std::string s = "n";
  s += std::to_string(g.range(0, 149));
  return s;
}

std::string member(Gen& g) {
  static const std::vector<std::string> members = {"a",
                                                   "b",
                                                   "c",
                                                   "d",
                                                   "e",
                                                   "f",
                                                   "g",
                                                   "ab",
                                                   "abc",
                                                   "0",
                                                   "1",
                                                   "10",
                                                   "-5",
                                                   "007",
                                                   "",
                                                   std::string("\0bin\xff", 5),
                                                   "a\r\nb",
                                                   "spa ce",
                                                   "\xc3\xbc",
                                                   "9223372036854775808",
                                                   std::string(64, 'm'),
                                                   std::string(65, 'm'),
                                                   std::string(100, 'L')};
  if (g.chance(8)) return numbered(g);
  static const std::vector<std::string> common = {"a", "b", "c", "d", "e", "0", "1", "10"};
  if (g.chance(55)) return g.pick(common);  // so that reads often find what was written
  return g.pick(members);
}

std::string score(Gen& g) {
  static const std::vector<std::string> scores = {
      "0",       "1",    "-1",    "2",    "2.5",   "-2.5", "0.1",  "1e3",
      "3.0e2",   "inf",  "-inf",  "+inf", "-0",    "1e18", "1e20", "123456789012345678",
      "1.5e-10", "5e18", "-5e18", "0x10", "1e-320"};
  static const std::vector<std::string> bad = {"nan", "abc", "", " 1", "1 ", "1e", "(1", "1e999"};
  if (g.chance(4)) return g.pick(bad);
  if (g.chance(30)) return std::to_string(g.range(-20, 20));
  return g.pick(scores);
}

// One end of a score range, sometimes exclusive, sometimes invalid.
std::string score_bound(Gen& g) {
  static const std::vector<std::string> bounds = {"-inf", "+inf", "inf",  "(-inf", "(+inf",
                                                  "0",    "1",    "(1",   "2.5",   "(2.5",
                                                  "-1",   "(-1",  "1e18", "(0",    "-0"};
  static const std::vector<std::string> odd = {"",    "(",  " 5", "0x10", "nan",  "(nan",
                                               "abc", "[1", "1 ", "((1",  "1e999"};
  if (g.chance(6)) return g.pick(odd);
  if (g.chance(30)) {
    std::string n = std::to_string(g.range(-20, 20));
    return g.chance(30) ? "(" + n : n;
  }
  return g.pick(bounds);
}

// One end of a lex range over the lex keys' members.
std::string lex_bound(Gen& g) {
  static const std::vector<std::string> bounds = {"-",   "+",   "[a",  "(a",  "[b", "(c",
                                                  "[ab", "(ab", "[e",  "(g",  "[0", "(1",
                                                  "[",   "(",   "[zz", "(n1", "[n5"};
  static const std::vector<std::string> bad = {"a", "", "+x", "-a", "{a", std::string("\0a", 2)};
  if (g.chance(5)) return g.pick(bad);
  return g.pick(bounds);
}

std::string rank(Gen& g) {
  static const std::vector<std::string> odd = {"abc", "1.5", "9223372036854775807",
                                               "-9223372036854775808", ""};
  if (g.chance(5)) return g.pick(odd);
  if (g.chance(40)) return std::to_string(g.range(-2, 3));
  return std::to_string(g.range(-140, 140));
}

std::string count_arg(Gen& g) {
  static const std::vector<std::string> odd = {"0", "-1", "abc", "1.5", "100", ""};
  if (g.chance(8)) return g.pick(odd);
  return std::to_string(g.range(1, 6));
}

void maybe_lower(Gen& g, Command& c) {
  if (g.chance(5))
    for (char& ch : c.args[0]) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
}

// ---- writes ----

Command zadd(Gen& g) {
  Command c{{"ZADD", zkey(g)}};
  static const std::vector<std::string> opts = {"NX", "XX", "GT", "LT", "CH", "INCR"};
  if (g.chance(40)) {
    int n = g.range(1, 2);
    for (int i = 0; i < n; i++) c.args.push_back(g.pick(opts));
  }
  int pairs = g.chance(10) ? g.range(10, 150) : g.range(1, 6);
  if (g.chance(10) && pairs > 1) pairs = 1;
  for (int i = 0; i < pairs; i++) {
    c.args.push_back(pairs > 4 && g.chance(98) ? std::to_string(g.range(-50, 50)) : score(g));
    c.args.push_back(pairs > 4 && g.chance(85) ? numbered(g) : member(g));
  }
  if (g.chance(4)) c.args.pop_back();  // a score without its member
  maybe_lower(g, c);
  return c;
}

// ZADD to a lex key: always score 0 (so lex ranges stay well defined there).
Command zadd_lex(Gen& g) {
  Command c{{"ZADD", lex_key(g)}};
  if (g.chance(15)) c.args.push_back(g.chance(50) ? "NX" : "CH");
  int pairs = g.chance(5) ? g.range(10, 140) : g.range(1, 5);
  for (int i = 0; i < pairs; i++) {
    c.args.push_back("0");
    c.args.push_back(pairs > 5 ? numbered(g) : member(g));
  }
  return c;
}

Command zincrby(Gen& g) {
  Command c{{"ZINCRBY", zkey(g), score(g), member(g)}};
  if (g.chance(5)) c.args.pop_back();
  return c;
}

Command zrem(Gen& g) {
  Command c{{"ZREM", g.chance(20) ? lex_key(g) : zkey(g)}};
  int n = g.range(1, 4);
  for (int i = 0; i < n; i++) c.args.push_back(member(g));
  return c;
}

// ---- reads ----

Command zscore(Gen& g) {
  return {{"ZSCORE", any_key(g), member(g)}};
}

Command zmscore(Gen& g) {
  Command c{{"ZMSCORE", any_key(g)}};
  int n = g.range(1, 4);
  for (int i = 0; i < n; i++) c.args.push_back(member(g));
  return c;
}

Command zcard(Gen& g) {
  return {{"ZCARD", any_key(g)}};
}

Command zcount(Gen& g) {
  return {{"ZCOUNT", any_key(g), score_bound(g), score_bound(g)}};
}

// A lex range for a key: real bounds on the lex keys, shape-independent ones on the shared keys.
void lex_range(Gen& g, Command& c, bool reversed) {
  if (g.chance(75)) {
    c.args.push_back(lex_key(g));
    std::string a = lex_bound(g), b = lex_bound(g);
    c.args.push_back(a);
    c.args.push_back(b);
    return;
  }
  c.args.push_back(g.key());
  static const std::vector<std::vector<std::string>> safe = {
      {"-", "+"}, {"+", "-"}, {"-", "-"}, {"+", "+"}, {"[b", "[a"}, {"a", "+"}, {"-", ""}};
  const auto& r = g.pick(safe);
  c.args.push_back(reversed ? r[1] : r[0]);
  c.args.push_back(reversed ? r[0] : r[1]);
}

Command zlexcount(Gen& g) {
  Command c{{"ZLEXCOUNT"}};
  lex_range(g, c, false);
  return c;
}

Command zrank(Gen& g) {
  return {{g.chance(50) ? "ZRANK" : "ZREVRANK", any_key(g), member(g)}};
}

void add_limit(Gen& g, Command& c) {
  static const std::vector<std::string> offsets = {"0", "1", "2", "-1", "5", "abc"};
  static const std::vector<std::string> counts = {"1", "2", "3", "-1", "0", "10", "x"};
  if (g.chance(30)) {
    c.args.push_back("LIMIT");
    c.args.push_back(g.pick(offsets));
    if (g.chance(95)) c.args.push_back(g.pick(counts));
  }
}

// ZRANGE key min max [BYSCORE|BYLEX] [REV] [LIMIT o c] [WITHSCORES], options in any order and
// sometimes repeated or conflicting.
Command zrange(Gen& g) {
  Command c{{"ZRANGE"}};
  int by = g.range(0, 9);  // 0-4 rank, 5-7 score, 8-9 lex
  bool rev = g.chance(35);
  if (by >= 8) {
    lex_range(g, c, rev);
  } else {
    c.args.push_back(any_key(g));
    c.args.push_back(by < 5 ? rank(g) : score_bound(g));
    c.args.push_back(by < 5 ? rank(g) : score_bound(g));
  }
  std::vector<std::string> opts;
  if (by >= 8) opts.push_back("BYLEX");
  if (by >= 5 && by < 8) opts.push_back("BYSCORE");
  if (rev) opts.push_back("REV");
  if (g.chance(40)) opts.push_back("WITHSCORES");
  if (g.chance(5)) opts.push_back(g.chance(50) ? "REV" : "BYSCORE");
  for (size_t i = opts.size(); i > 1; i--) std::swap(opts[i - 1], opts[g.range(0, int(i) - 1)]);
  c.args.insert(c.args.end(), opts.begin(), opts.end());
  add_limit(g, c);
  maybe_lower(g, c);
  return c;
}

Command zrangebyscore(Gen& g) {
  bool rev = g.chance(40);
  Command c{
      {rev ? "ZREVRANGEBYSCORE" : "ZRANGEBYSCORE", any_key(g), score_bound(g), score_bound(g)}};
  if (g.chance(40)) c.args.push_back("WITHSCORES");
  add_limit(g, c);
  if (g.chance(4)) c.args.push_back(g.chance(50) ? "REV" : "BYLEX");
  return c;
}

Command zrangebylex(Gen& g) {
  bool rev = g.chance(40);
  Command c{{rev ? "ZREVRANGEBYLEX" : "ZRANGEBYLEX"}};
  lex_range(g, c, rev);
  add_limit(g, c);
  if (g.chance(4)) c.args.push_back("WITHSCORES");
  return c;
}

Command zrevrange(Gen& g) {
  Command c{{"ZREVRANGE", any_key(g), rank(g), rank(g)}};
  if (g.chance(40)) c.args.push_back("WITHSCORES");
  if (g.chance(3)) c.args.push_back("REV");
  return c;
}

// ZRANGESTORE never writes a lex key (it could copy mixed scores there).
Command zrangestore(Gen& g) {
  Command c{{"ZRANGESTORE", zkey(g)}};
  int by = g.range(0, 9);
  if (by >= 8) {
    lex_range(g, c, false);
  } else {
    c.args.push_back(any_key(g));
    c.args.push_back(by < 5 ? rank(g) : score_bound(g));
    c.args.push_back(by < 5 ? rank(g) : score_bound(g));
  }
  if (by >= 8) c.args.push_back("BYLEX");
  if (by >= 5 && by < 8) c.args.push_back("BYSCORE");
  if (g.chance(15) && by < 8) c.args.push_back("REV");  // a reversed lex range needs max min
  add_limit(g, c);
  if (g.chance(4)) c.args.push_back("WITHSCORES");
  return c;
}

Command zremrangebyrank(Gen& g) {
  return {{"ZREMRANGEBYRANK", g.chance(15) ? lex_key(g) : zkey(g), rank(g), rank(g)}};
}

Command zremrangebyscore(Gen& g) {
  return {{"ZREMRANGEBYSCORE", zkey(g), score_bound(g), score_bound(g)}};
}

Command zremrangebylex(Gen& g) {
  Command c{{"ZREMRANGEBYLEX"}};
  lex_range(g, c, false);
  return c;
}

// ---- pops ----

Command zpop(Gen& g) {
  Command c{{g.chance(50) ? "ZPOPMIN" : "ZPOPMAX", g.chance(15) ? lex_key(g) : zkey(g)}};
  if (g.chance(50)) c.args.push_back(count_arg(g));
  if (g.chance(3)) c.args.push_back("1");
  return c;
}

Command zmpop(Gen& g) {
  Command c{{"ZMPOP"}};
  int n = g.range(1, 3);
  static const std::vector<std::string> bad_n = {"0", "-1", "abc", "5"};
  c.args.push_back(g.chance(5) ? g.pick(bad_n) : std::to_string(n));
  for (int i = 0; i < n; i++) c.args.push_back(g.chance(15) ? lex_key(g) : zkey(g));
  static const std::vector<std::string> where = {"MIN", "MAX", "min", "max", "MID"};
  c.args.push_back(g.pick(where));
  if (g.chance(50)) {
    c.args.push_back("COUNT");
    c.args.push_back(count_arg(g));
  }
  if (g.chance(3)) c.args.push_back("COUNT");
  return c;
}

// ---- the algebra ----

void add_sources(Gen& g, Command& c, int n) {
  static const std::vector<std::string> bad_n = {"0", "-1", "abc", "9"};
  c.args.push_back(g.chance(4) ? g.pick(bad_n) : std::to_string(n));
  for (int i = 0; i < n; i++) c.args.push_back(any_key(g));
}

void add_weights_aggregate(Gen& g, Command& c, int n) {
  static const std::vector<std::string> weights = {"1",   "2",   "0",    "-1",
                                                   "0.5", "inf", "-inf", "1e300"};
  static const std::vector<std::string> aggs = {"SUM", "MIN", "MAX", "sum", "AVG"};
  if (g.chance(40)) {
    c.args.push_back("WEIGHTS");
    int k = g.chance(90) ? n : g.range(1, n + 1);
    for (int i = 0; i < k; i++) c.args.push_back(g.chance(95) ? g.pick(weights) : "x");
  }
  if (g.chance(40)) {
    c.args.push_back("AGGREGATE");
    if (g.chance(95)) c.args.push_back(g.pick(aggs));
  }
}

Command zstore_op(Gen& g) {
  static const std::vector<std::string> names = {"ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"};
  Command c{{g.pick(names), zkey(g)}};
  int n = g.range(1, 4);
  add_sources(g, c, n);
  if (c.args[0] != "ZDIFFSTORE" || g.chance(5)) add_weights_aggregate(g, c, n);
  if (g.chance(4)) c.args.push_back("WITHSCORES");
  return c;
}

Command zop(Gen& g) {
  static const std::vector<std::string> names = {"ZUNION", "ZINTER", "ZDIFF"};
  Command c{{g.pick(names)}};
  int n = g.range(1, 4);
  add_sources(g, c, n);
  if (c.args[0] != "ZDIFF" || g.chance(5)) add_weights_aggregate(g, c, n);
  if (g.chance(50)) c.args.push_back("WITHSCORES");
  return c;
}

Command zintercard(Gen& g) {
  Command c{{"ZINTERCARD"}};
  int n = g.range(1, 4);
  add_sources(g, c, n);
  static const std::vector<std::string> limits = {"0", "1", "2", "5", "-1", "abc"};
  if (g.chance(40)) {
    c.args.push_back("LIMIT");
    c.args.push_back(g.pick(limits));
  }
  return c;
}

// Plain sets as inputs of the algebra (they count with score 1).
Command sadd(Gen& g) {
  Command c{{"SADD", g.key()}};
  int n = g.range(1, 4);
  for (int i = 0; i < n; i++) c.args.push_back(member(g));
  return c;
}

// ---- random picks, scans, encodings ----

Command zrandmember(Gen& g) {
  Command c{{"ZRANDMEMBER", any_key(g)}};
  if (g.chance(25)) {
    c.compare = Compare::kNilOrNot;
    return c;
  }
  static const std::vector<std::string> counts = {"0",
                                                  "1",
                                                  "3",
                                                  "-3",
                                                  "10",
                                                  "-10",
                                                  "200",
                                                  "abc",
                                                  "-9223372036854775808",
                                                  "4611686018427387904",
                                                  "-4611686018427387904"};
  c.args.push_back(g.chance(60) ? std::to_string(g.range(-8, 8)) : g.pick(counts));
  if (g.chance(40)) c.args.push_back(g.chance(90) ? "WITHSCORES" : "WITHSCORE");
  c.compare = Compare::kLength;
  // A huge negative count without WITHSCORES would make both servers build a gigantic reply.
  if (c.args[2].size() > 10 && c.args[2][0] == '-' && c.args.size() == 3) c.args[2] = "-7";
  return c;
}

Command zscan(Gen& g) {
  Command c{{"ZSCAN", any_key(g), "0"}};
  if (g.chance(30)) {
    static const std::vector<std::string> patterns = {"*", "a*", "n1*", "?", "*b*", "[a-c]"};
    c.args.push_back("MATCH");
    c.args.push_back(g.pick(patterns));
  }
  if (g.chance(30)) {
    c.args.push_back("COUNT");
    c.args.push_back(g.chance(90) ? std::to_string(g.range(1, 20)) : "0");
  }
  c.compare = Compare::kScanAll;
  if (g.chance(5)) {  // an invalid cursor or option: compared exactly
    c.args[2] = g.chance(50) ? "abc" : "0";
    c.args.push_back("FOO");
    c.compare = Compare::kExact;
  }
  return c;
}

Command object_encoding(Gen& g) {
  return {{"OBJECT", "ENCODING", any_key(g)}};
}

Command type(Gen& g) {
  return {{"TYPE", any_key(g)}};
}

Command config_set(Gen& g) {
  static const std::vector<std::string> entries = {"0", "1", "2", "3", "5", "128", "128"};
  static const std::vector<std::string> values = {"0", "1", "5", "64", "64", "64"};
  if (g.chance(50)) return {{"CONFIG", "SET", "zset-max-listpack-entries", g.pick(entries)}};
  return {{"CONFIG", "SET", "zset-max-listpack-value", g.pick(values)}};
}

}  // namespace

void add_zsets_generators(std::vector<CommandGen>& out) {
  out.insert(out.end(), {
                            {"ZADD", 70, zadd},
                            {"ZADD lex", 25, zadd_lex},
                            {"ZINCRBY", 15, zincrby},
                            {"ZREM", 15, zrem},
                            {"ZSCORE", 12, zscore},
                            {"ZMSCORE", 8, zmscore},
                            {"ZCARD", 8, zcard},
                            {"ZCOUNT", 10, zcount},
                            {"ZLEXCOUNT", 10, zlexcount},
                            {"ZRANK", 10, zrank},
                            {"ZRANGE", 30, zrange},
                            {"ZRANGEBYSCORE", 15, zrangebyscore},
                            {"ZRANGEBYLEX", 15, zrangebylex},
                            {"ZREVRANGE", 8, zrevrange},
                            {"ZRANGESTORE", 10, zrangestore},
                            {"ZREMRANGEBYRANK", 6, zremrangebyrank},
                            {"ZREMRANGEBYSCORE", 6, zremrangebyscore},
                            {"ZREMRANGEBYLEX", 6, zremrangebylex},
                            {"ZPOP", 12, zpop},
                            {"ZMPOP", 8, zmpop},
                            {"Z*STORE", 12, zstore_op},
                            {"ZUNION/ZINTER/ZDIFF", 12, zop},
                            {"ZINTERCARD", 6, zintercard},
                            {"SADD", 4, sadd},
                            {"ZRANDMEMBER", 8, zrandmember},
                            {"ZSCAN", 8, zscan},
                            {"OBJECT ENCODING", 10, object_encoding},
                            {"TYPE", 4, type},
                            {"CONFIG SET", 3, config_set},
                        });
}

}  // namespace respite::diff
