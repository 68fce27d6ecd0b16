// Generators for the HyperLogLog commands (PFADD, PFCOUNT, PFMERGE, PFDEBUG). Most go to three HLL
// keys so that registers pile up on the same values, and a GET of those keys compares the stored
// bytes exactly: the sparse and dense encodings, the order of sparse edits, the cached count and
// its validity bit must all be Redis's. Some PFADDs carry hundreds of elements, promoting a key to
// dense; hll-sparse-max-bytes is changed now and then to move that point. The rest go to the shared
// key pool (WRONGTYPE, strings that are not HLLs), and SETRANGE/APPEND corrupt an HLL now and then
// so that both servers must detect the same corruption, or change the same bytes before they do.
#include "tests/differential/generator.h"

namespace respite::diff {

namespace {

std::string hll_key(Gen& g) {
  static const std::vector<std::string> hlls = {"hll0", "hll1", "hll2"};
  return g.chance(80) ? g.pick(hlls) : g.key();
}

std::string element(Gen& g) {
  if (g.chance(5)) return g.value();  // binary, integers, long text
  return std::string("e:").append(std::to_string(g.range(0, 20000)));
}

Command pfadd(Gen& g) {
  Command c{{"PFADD", hll_key(g)}};
  int n = g.range(0, 6);
  if (g.chance(8)) n = g.range(50, 400);
  if (g.chance(2)) n = g.range(1000, 3000);  // straight to dense
  for (int i = 0; i < n; i++) c.args.push_back(element(g));
  return c;
}

Command pfcount(Gen& g) {
  Command c{{"PFCOUNT", hll_key(g)}};
  if (g.chance(30)) {
    int n = g.range(1, 3);
    for (int i = 0; i < n; i++) c.args.push_back(hll_key(g));
  }
  return c;
}

Command pfmerge(Gen& g) {
  Command c{{"PFMERGE", hll_key(g)}};
  int n = g.range(0, 3);
  for (int i = 0; i < n; i++) c.args.push_back(hll_key(g));
  return c;
}

Command get(Gen& g) {
  return {{"GET", hll_key(g)}};
}

Command pfdebug(Gen& g) {
  static const std::vector<std::string> subs = {"ENCODING", "DECODE", "decode",  "TODENSE",
                                                "GETREG",   "NOPE",   "encoding"};
  return {{"PFDEBUG", g.pick(subs), hll_key(g)}};
}

// Breaks an HLL: a byte overwritten in the header or the registers, or bytes appended.
Command corrupt(Gen& g) {
  static const std::vector<std::string> hlls = {"hll0", "hll1", "hll2"};
  if (g.chance(30)) return {{"APPEND", g.pick(hlls), g.chance(50) ? "x" : "hello"}};
  std::string byte(1, static_cast<char>(g.next() & 0xff));
  int offset = g.chance(30) ? g.range(0, 17) : g.range(16, 300);
  return {{"SETRANGE", g.pick(hlls), std::to_string(offset), byte}};
}

Command del(Gen& g) {
  static const std::vector<std::string> hlls = {"hll0", "hll1", "hll2"};
  return {{"DEL", g.pick(hlls)}};
}

// A key of another type where HLLs live: PFADD, PFCOUNT and PFMERGE must answer WRONGTYPE.
Command other_type(Gen& g) {
  return {{"RPUSH", hll_key(g), "x"}};
}

Command sparse_max(Gen& g) {
  static const std::vector<std::string> sizes = {"3000", "3000", "200", "50", "0", "10000"};
  return {{"CONFIG", "SET", "hll-sparse-max-bytes", g.pick(sizes)}};
}

Command arity(Gen& g) {
  static const std::vector<std::vector<std::string>> bad = {
      {"PFADD"}, {"PFCOUNT"}, {"PFMERGE"}, {"PFDEBUG", "ENCODING"}, {"PFSELFTEST", "x"}};
  return {g.pick(bad)};
}

}  // namespace

void add_hll_generators(std::vector<CommandGen>& out) {
  out.insert(out.end(), {
                            {"PFADD", 60, pfadd},
                            {"PFCOUNT", 30, pfcount},
                            {"PFMERGE", 12, pfmerge},
                            {"GET", 25, get},
                            {"PFDEBUG", 8, pfdebug},
                            {"corrupt", 3, corrupt},
                            {"DEL", 4, del},
                            {"RPUSH", 1, other_type},
                            {"CONFIG SET hll-sparse-max-bytes", 2, sparse_max},
                            {"arity", 1, arity},
                        });
}

}  // namespace respite::diff
