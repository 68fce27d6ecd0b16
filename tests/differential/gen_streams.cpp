// Generators for the stream family: XADD (explicit and `ms-*` IDs, NOMKSTREAM, MAXLEN / MINID with
// `=` and `~`, LIMIT), XRANGE / XREVRANGE (exclusive bounds, COUNT), XLEN, XDEL, XTRIM, XSETID,
// XINFO, XGROUP, XREADGROUP and XREAD without BLOCK, XACK, XPENDING, XCLAIM, XAUTOCLAIM, with
// valid and invalid arguments in every position (which error wins is compared too).
//
// Replies must not depend on time, so: IDs are explicit (the command index gives a growing
// millisecond part; `*` would differ between the servers), idle filters are 0 or an hour, and the
// fields that show a clock (XPENDING's idle time, XINFO's seen-time and idle) or the shape of
// Redis's radix tree (radix-tree-keys / -nodes) are masked by Compare::kStreamMasked. Approximate
// trimming removes whole nodes, so its result depends on where nodes split: Redis splits on
// stream-node-max-entries and on listpack bytes (4 KiB); the entries written to kStreams are kept
// small enough (one or two one-letter fields, short values) that no node reaches 4 KiB before it
// holds 100 entries, so both servers split on the count alone. Long and binary values go to
// kBigStream only, which is never trimmed approximately.
#include "tests/differential/generator.h"

namespace respite::diff {

namespace {

const std::vector<std::string> kStreams = {"st:1", "st:2", "st:3"};
const std::string kBigStream = "st:big";

// Mostly the family's own keys; sometimes the shared pool, where streams meet other types.
const std::string& skey(Gen& g) {
  if (g.chance(10)) return g.key();
  if (g.chance(8)) return kBigStream;
  return g.pick(kStreams);
}

std::string group(Gen& g) {
  static const std::vector<std::string> groups = {"g1", "g2", "g1", "nogroup"};
  return g.pick(groups);
}

std::string consumer(Gen& g) {
  static const std::vector<std::string> consumers = {"alice", "bob", "carol"};
  return g.pick(consumers);
}

// An ID near what the streams hold: the command index is the millisecond part of new IDs.
std::string near_id(Gen& g) {
  int ms = g.index() - g.range(0, 60);
  if (ms < 0) ms = 0;
  std::string s = std::to_string(ms);
  if (g.chance(80)) {
    s += '-';
    s += std::to_string(g.range(0, 3));
  }
  return s;
}

std::string bad_id(Gen& g) {
  static const std::vector<std::string> bad = {
      "abc", "1-2-3", "-1", "1-x", "", "18446744073709551616", "+", "-", "1.5", "0-0"};
  return g.pick(bad);
}

std::string any_id(Gen& g) {
  return g.chance(8) ? bad_id(g) : near_id(g);
}

// A range bound: an ID, `-` / `+`, exclusive, or invalid.
std::string bound(Gen& g, bool start) {
  int r = g.range(0, 19);
  if (r < 4) return start ? "-" : "+";
  if (r < 7) return "(" + near_id(g);
  if (r == 7)
    return g.pick(std::vector<std::string>{"(-", "(+", "(", "((1",
                                           "(18446744073709551615-18446744073709551615", "(0-0"});
  if (r == 8) return bad_id(g);
  return near_id(g);
}

std::string small_count(Gen& g) {
  static const std::vector<std::string> odd = {"0", "-1", "abc", "1000"};
  if (g.chance(8)) return g.pick(odd);
  return std::to_string(g.range(1, 12));
}

// The XADD ID: new (the command index), `ms-*`, one already used, or invalid.
std::string add_id(Gen& g) {
  int r = g.range(0, 19);
  std::string ms = std::to_string(g.index());
  if (r < 11) return ms + "-" + std::to_string(g.range(0, 2));
  if (r < 15) return ms + "-*";
  if (r < 17) return near_id(g);  // often equal or smaller than the top: an error
  if (r == 17) return "0-0";
  if (r == 18) return "0-*";
  return bad_id(g);
}

void add_fields(Gen& g, Command& c, bool big) {
  static const std::vector<std::string> names = {"a", "b"};
  static const std::vector<std::string> small = {"1", "2", "x", "yz", "", "-5", "abc"};
  int n = g.range(1, 2);
  for (int i = 0; i < n; i++) {
    c.args.push_back(g.chance(85) ? names[static_cast<size_t>(i)] : g.pick(names));
    c.args.push_back(big ? g.value() : g.pick(small));
  }
  if (g.chance(3)) c.args.push_back("odd");  // an odd number of field arguments: arity error
}

void add_trim(Gen& g, Command& c, bool allow_approx) {
  bool maxlen = g.chance(60);
  c.args.push_back(g.chance(80) ? (maxlen ? "MAXLEN" : "MINID") : (maxlen ? "maxlen" : "minid"));
  int mode = g.range(0, 2);
  bool approx = allow_approx && mode == 2;
  if (mode == 1) c.args.push_back("=");
  if (approx) c.args.push_back("~");
  if (maxlen)
    c.args.push_back(g.chance(92) ? std::to_string(g.range(0, 30))
                                  : g.pick(std::vector<std::string>{"-1", "abc", "1.5"}));
  else
    c.args.push_back(g.chance(92) ? near_id(g) : bad_id(g));
  if (g.chance(15)) {
    c.args.push_back("LIMIT");
    c.args.push_back(g.chance(85) ? std::to_string(g.range(0, 40)) : "-1");
  }
}

Command xadd(Gen& g) {
  const std::string& k = skey(g);
  bool big = k == kBigStream || !g.chance(90);
  Command c{{"XADD", k}};
  if (g.chance(8)) c.args.push_back("NOMKSTREAM");
  if (g.chance(30)) add_trim(g, c, k != kBigStream);
  if (g.chance(3)) add_trim(g, c, false);  // a second strategy: an error
  c.args.push_back(add_id(g));
  add_fields(g, c, big && k == kBigStream);
  return c;
}

Command xrange(Gen& g) {
  bool rev = g.chance(40);
  Command c{{rev ? "XREVRANGE" : "XRANGE", skey(g)}};
  std::string start = bound(g, true), end = bound(g, false);
  c.args.push_back(rev ? end : start);
  c.args.push_back(rev ? start : end);
  if (g.chance(40)) {
    c.args.push_back(g.chance(90) ? "COUNT" : "LIMIT");
    c.args.push_back(small_count(g));
  }
  return c;
}

Command xlen(Gen& g) {
  return {{"XLEN", skey(g)}};
}

Command xdel(Gen& g) {
  Command c{{"XDEL", skey(g)}};
  int n = g.range(1, 4);
  for (int i = 0; i < n; i++) c.args.push_back(any_id(g));
  return c;
}

Command xtrim(Gen& g) {
  const std::string& k = skey(g);
  Command c{{"XTRIM", k}};
  if (g.chance(5)) {
    c.args.push_back("LIMIT");  // no strategy: an error
    c.args.push_back("5");
    return c;
  }
  add_trim(g, c, k != kBigStream);
  return c;
}

Command xsetid(Gen& g) {
  Command c{
      {"XSETID", skey(g), g.chance(90) ? std::to_string(g.index() + g.range(-5, 50)) : bad_id(g)}};
  if (g.chance(30)) {
    c.args.push_back("ENTRIESADDED");
    c.args.push_back(std::to_string(g.range(-1, 200)));
  }
  if (g.chance(30)) {
    c.args.push_back("MAXDELETEDID");
    c.args.push_back(any_id(g));
  }
  return c;
}

Command xinfo(Gen& g) {
  int r = g.range(0, 9);
  if (r < 3) return {{"XINFO", "STREAM", skey(g)}, Compare::kStreamMasked};
  if (r < 5) {
    Command c{{"XINFO", "STREAM", skey(g), "FULL"}, Compare::kStreamMasked};
    if (g.chance(50)) {
      c.args.push_back("COUNT");
      c.args.push_back(std::to_string(g.range(-1, 5)));
    }
    return c;
  }
  if (r < 7) return {{"XINFO", "GROUPS", skey(g)}};
  if (r < 9) return {{"XINFO", "CONSUMERS", skey(g), group(g)}, Compare::kStreamMasked};
  return {{"XINFO", "STREAM", skey(g), "COUNT"}};  // a syntax error
}

Command xgroup(Gen& g) {
  int r = g.range(0, 9);
  if (r < 4) {
    Command c{{"XGROUP", "CREATE", skey(g), group(g),
               g.chance(30) ? "$" : (g.chance(90) ? near_id(g) : bad_id(g))}};
    if (g.chance(30)) c.args.push_back("MKSTREAM");
    if (g.chance(20)) {
      c.args.push_back("ENTRIESREAD");
      c.args.push_back(std::to_string(g.range(-2, 10)));
    }
    return c;
  }
  if (r < 6) {
    Command c{{"XGROUP", "SETID", skey(g), group(g), g.chance(30) ? "$" : any_id(g)}};
    if (g.chance(20)) {
      c.args.push_back("ENTRIESREAD");
      c.args.push_back(std::to_string(g.range(-1, 10)));
    }
    return c;
  }
  if (r == 6) return {{"XGROUP", "DESTROY", skey(g), group(g)}};
  if (r == 7) return {{"XGROUP", "CREATECONSUMER", skey(g), group(g), consumer(g)}};
  if (r == 8) return {{"XGROUP", "DELCONSUMER", skey(g), group(g), consumer(g)}};
  return {{"XGROUP", "CREATE", skey(g), group(g), "0", "BOGUS"}};
}

void add_streams_args(Gen& g, Command& c, bool groups) {
  if (g.chance(40)) {
    c.args.push_back("COUNT");
    c.args.push_back(small_count(g));
  }
  if (groups && g.chance(15)) c.args.push_back("NOACK");
  c.args.push_back("STREAMS");
  int n = g.range(1, 2);
  std::vector<std::string> ids;
  for (int i = 0; i < n; i++) {
    c.args.push_back(skey(g));
    int r = g.range(0, 9);
    if (groups)
      ids.push_back(r < 7 ? ">" : (r < 9 ? std::to_string(g.range(0, g.index())) : "$"));
    else
      ids.push_back(r < 2 ? "$" : (r < 9 ? near_id(g) : (g.chance(50) ? ">" : bad_id(g))));
  }
  if (g.chance(4)) ids.pop_back();  // unbalanced
  c.args.insert(c.args.end(), ids.begin(), ids.end());
}

Command xread(Gen& g) {
  Command c{{"XREAD"}};
  if (g.chance(4)) c.args.insert(c.args.end(), {"GROUP", "g1", "alice"});  // an error
  add_streams_args(g, c, false);
  return c;
}

Command xreadgroup(Gen& g) {
  Command c{{"XREADGROUP"}};
  if (g.chance(95)) c.args.insert(c.args.end(), {"GROUP", group(g), consumer(g)});
  add_streams_args(g, c, true);
  return c;
}

Command xack(Gen& g) {
  Command c{{"XACK", skey(g), group(g)}};
  int n = g.range(1, 4);
  for (int i = 0; i < n; i++) c.args.push_back(any_id(g));
  return c;
}

// An idle threshold whose answer does not depend on time: everything, or nothing.
std::string min_idle(Gen& g) {
  int r = g.range(0, 9);
  if (r < 6) return "0";
  if (r < 9) return "3600000";
  return g.chance(50) ? "-5" : "abc";
}

Command xpending(Gen& g) {
  Command c{{"XPENDING", skey(g), group(g)}};
  if (g.chance(40)) return c;
  c.compare = Compare::kStreamMasked;
  if (g.chance(25)) {
    c.args.push_back("IDLE");
    c.args.push_back(min_idle(g));
  }
  c.args.push_back(bound(g, true));
  c.args.push_back(bound(g, false));
  c.args.push_back(small_count(g));
  if (g.chance(40)) c.args.push_back(consumer(g));
  if (g.chance(3)) c.args.push_back("extra");
  return c;
}

Command xclaim(Gen& g) {
  Command c{{"XCLAIM", skey(g), group(g), consumer(g), min_idle(g)}};
  int n = g.range(1, 3);
  for (int i = 0; i < n; i++) c.args.push_back(near_id(g));
  if (g.chance(30)) c.args.push_back("JUSTID");
  if (g.chance(20)) c.args.push_back("FORCE");
  if (g.chance(20)) {
    c.args.push_back("RETRYCOUNT");
    c.args.push_back(g.chance(90) ? std::to_string(g.range(0, 9)) : "x");
  }
  if (g.chance(15)) {
    c.args.push_back("IDLE");
    c.args.push_back(g.chance(90) ? "1000" : "x");
  }
  if (g.chance(10)) {
    c.args.push_back("LASTID");
    c.args.push_back(any_id(g));
  }
  if (g.chance(4)) c.args.push_back("BOGUS");
  return c;
}

Command xautoclaim(Gen& g) {
  Command c{{"XAUTOCLAIM", skey(g), group(g), consumer(g), min_idle(g), bound(g, true)}};
  if (g.chance(40)) {
    c.args.push_back("COUNT");
    c.args.push_back(small_count(g));
  }
  if (g.chance(30)) c.args.push_back("JUSTID");
  return c;
}

Command node_config(Gen& g) {
  static const std::vector<std::string> sizes = {"1", "2", "3", "10", "100"};
  return {{"CONFIG", "SET", "stream-node-max-entries", g.pick(sizes)}};
}

Command stream_type(Gen& g) {
  if (g.chance(50)) return {{"TYPE", skey(g)}};
  return {{"OBJECT", "ENCODING", skey(g)}};
}

}  // namespace

void add_streams_generators(std::vector<CommandGen>& out) {
  out.insert(out.end(), {
                            {"XADD", 60, xadd},
                            {"XRANGE", 25, xrange},
                            {"XLEN", 8, xlen},
                            {"XDEL", 10, xdel},
                            {"XTRIM", 8, xtrim},
                            {"XSETID", 4, xsetid},
                            {"XINFO", 10, xinfo},
                            {"XGROUP", 14, xgroup},
                            {"XREAD", 12, xread},
                            {"XREADGROUP", 20, xreadgroup},
                            {"XACK", 10, xack},
                            {"XPENDING", 10, xpending},
                            {"XCLAIM", 8, xclaim},
                            {"XAUTOCLAIM", 6, xautoclaim},
                            {"CONFIG", 1, node_config},
                            {"TYPE", 3, stream_type},
                        });
}

}  // namespace respite::diff
