// differential_keys: what respite says about keys against Debian's redis-server 7.0.15, for every
// command and subcommand both servers have (respite's own commands, and Redis's that respite
// lacks, are left out). Two parts:
//  - COMMAND INFO: the arity, the flags (movablekeys and no_mandatory_keys derived from the key
//    specs among them), the legacy first/last/step, the ACL categories, the tips and the key specs
//    (flags, begin_search, find_keys, notes) must be equal;
//  - COMMAND GETKEYS and GETKEYSANDFLAGS over seeded argument lists for every command with keys:
//    lengths around the arity (so that arity errors are met too), drawn from a pool of words the
//    key specs and Redis's key procedures look for (STORE, STREAMS, KEYS, BY, LIMIT, AUTH2, ...)
//    and numbers that make numkeys valid, zero, negative or too large. Nothing runs: GETKEYS only
//    parses, so any argument list is safe, and the replies (keys, flags, error texts) must be
//    byte for byte the same.
// RESPITE_KEYS_SEED / RESPITE_KEYS_COUNT choose the argument lists (default 1 / 40 per command).
// differential_keys_self runs the reference against itself.
#include <doctest.h>

#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "tests/support/client.h"
#include "tests/support/server_process.h"

using namespace respite::test;

namespace {

using Args = std::vector<std::string>;

struct Side {
  explicit Side(const std::string& binary) : server(binary), c(server.port()) {}
  ServerProcess server;
  Client c;
};

// Every command and subcommand of a COMMAND reply, by full name.
void index_commands(const Reply& list, std::map<std::string, Reply>* out) {
  for (const Reply& info : list.elements) {
    if (info.elements.size() < 10) continue;
    (*out)[info.elements[0].str] = info;
    index_commands(info.elements[9], out);
  }
}

uint64_t env_u64(const char* name, uint64_t dflt) {
  const char* v = std::getenv(name);
  return v ? std::strtoull(v, nullptr, 10) : dflt;
}

struct Servers {
  Side test{server_binary()};
  Side ref{reference_binary()};
  std::map<std::string, Reply> test_cmds, ref_cmds;
  Servers() {
    index_commands(test.c.cmd({"COMMAND"}), &test_cmds);
    index_commands(ref.c.cmd({"COMMAND"}), &ref_cmds);
    REQUIRE(test_cmds.size() > 200);
    REQUIRE(ref_cmds.size() > 200);
  }
};

Servers& servers() {
  static Servers s;
  return s;
}

}  // namespace

TEST_CASE("COMMAND INFO: arity, flags, key positions, categories, tips and key specs are Redis's") {
  Servers& s = servers();
  int compared = 0;
  for (const auto& entry : s.ref_cmds) {
    const std::string& name = entry.first;  // not a structured binding: INFO captures it
    const Reply& ref = entry.second;
    auto it = s.test_cmds.find(name);
    if (it == s.test_cmds.end()) continue;  // a Redis command respite lacks
    const Reply& got = it->second;
    compared++;
    INFO(name);
    CHECK(got.elements[1] == ref.elements[1]);
    CHECK(got.elements[3] == ref.elements[3]);
    CHECK(got.elements[4] == ref.elements[4]);
    CHECK(got.elements[5] == ref.elements[5]);
    CHECK(got.elements[8] == ref.elements[8]);
    CHECK(got.elements[2] ==
          ref.elements[2]);  // flags, movablekeys and no_mandatory_keys among them
    CHECK(got.elements[6] == ref.elements[6]);  // ACL categories
    CHECK(got.elements[7] == ref.elements[7]);  // tips
  }
  CHECK(compared > 200);
}

TEST_CASE("COMMAND GETKEYS and GETKEYSANDFLAGS over seeded arguments give Redis's replies") {
  Servers& s = servers();
  static const std::vector<std::string> kPool = {
      "k1",        "k2",          "k3",      "0",     "1",       "2",
      "3",         "-1",          "x",       "",      "STORE",   "store",
      "STOREDIST", "STREAMS",     "streams", "KEYS",  "keys",    "BY",
      "GET",       "get",         "LIMIT",   "AUTH",  "AUTH2",   "COPY",
      "REPLACE",   "COUNT",       "BLOCK",   "GROUP", "NOACK",   "SET",
      "INCRBY",    "OVERFLOW",    "u8",      "LEFT",  "WEIGHTS", "FROMMEMBER",
      "$",         "99999999999", " 2",      "2x",    "#"};
  const uint64_t seed = env_u64("RESPITE_KEYS_SEED", 1);
  const int count = static_cast<int>(env_u64("RESPITE_KEYS_COUNT", 40));
  std::mt19937_64 rng(seed);
  int compared = 0, with_keys = 0;
  for (const auto& [name, ref] : s.ref_cmds) {
    if (!s.test_cmds.count(name) || ref.elements[8].elements.empty()) continue;
    // "memory|usage" is called as MEMORY USAGE ...
    Args prefix;
    size_t bar = name.find('|');
    if (bar == std::string::npos) {
      prefix = {name};
    } else {
      prefix = {name.substr(0, bar), name.substr(bar + 1)};
    }
    const long long arity = ref.elements[1].integer;
    const size_t base = static_cast<size_t>(arity < 0 ? -arity : arity);
    for (int n = 0; n < count; n++) {
      size_t len = base + rng() % 7;
      if (len >= 2 && rng() % 8 == 0) len -= 1 + rng() % 2;  // short of the arity now and then
      if (len < prefix.size()) len = prefix.size();
      Args argv = prefix;
      while (argv.size() < len) argv.push_back(kPool[rng() % kPool.size()]);
      for (const char* sub : {"GETKEYS", "GETKEYSANDFLAGS"}) {
        Args full = {"COMMAND", sub};
        full.insert(full.end(), argv.begin(), argv.end());
        Reply want = s.ref.c.cmd(full);
        Reply got = s.test.c.cmd(full);
        compared++;
        with_keys += want.type == Reply::Type::kArray && !want.elements.empty();
        CHECK_MESSAGE(got == want, format_command(full)
                                       << "\n  respite: " << got << "\n  redis:   " << want
                                       << "\n  (RESPITE_KEYS_SEED=" << seed << ")");
      }
    }
  }
  CHECK(compared > 1000);
  CHECK(with_keys > compared / 4);  // most lists do reach keys, not only errors
  MESSAGE(compared << " argument lists compared, " << with_keys << " with keys");
}
