// Unit tests of key specs and the key extraction they drive (server/key_spec.h), over the real
// command table: the keys and flags Redis 7.0.15's COMMAND GETKEYSANDFLAGS reports for sample
// calls (the specs, their all-or-nothing failure, and each command's own procedure), the legacy
// first/last/step and movablekeys that COMMAND INFO derives from them, the specs derived for
// respite's own commands, and a walk of the table that every command with fixed key positions
// also has keys by its specs.
#include <doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "server/command.h"
#include "server/key_spec.h"

using namespace respite::server;

namespace {

const CommandTable& table() {
  static CommandTable t = [] {
    CommandTable x;
    register_all_commands(x);
    return x;
  }();
  return t;
}

const Command& command(const std::vector<std::string_view>& argv) {
  const Command* cmd = table().find(argv[0]);
  REQUIRE(cmd);
  if (!cmd->subcommands.empty() && argv.size() > 1) cmd = cmd->find_sub(argv[1]);
  REQUIRE(cmd);
  return *cmd;
}

// "key:FLAGS" for each key found, flags as GETKEYSANDFLAGS prints them.
std::vector<std::string> keys(std::vector<std::string_view> argv) {
  std::vector<std::string> out;
  const Command& cmd = command(argv);
  size_t n = visit_keys(cmd, argv.data(), argv.size(), [&](size_t pos, uint16_t flags) {
    std::string s(argv[pos]);
    s += ':';
    for (int i = 0; i < kSpecFlagCount; i++) {
      if (!((flags >> i) & 1)) continue;
      if (s.back() != ':') s += ' ';
      s += key_spec_flag_name(i);
    }
    out.push_back(s);
  });
  CHECK(n == out.size());
  return out;
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("plain specs: positions and flags per key") {
  CHECK(keys({"get", "k"}) == V{"k:RO access"});
  CHECK(keys({"mset", "a", "1", "b", "2"}) == V{"a:OW update", "b:OW update"});
  CHECK(keys({"lmove", "s", "d", "left", "right"}) == V{"s:RW access delete", "d:RW insert"});
  CHECK(keys({"copy", "s", "d"}) == V{"s:RO access", "d:OW update"});
  CHECK(keys({"memory", "usage", "k"}) == V{"k:RO"});
  CHECK(keys({"xgroup", "create", "k", "g", "$"}) == V{"k:RW insert"});
  CHECK(keys({"lcs", "a", "b"}) == V{"a:RO access", "b:RO access"});
  CHECK(keys({"blpop", "a", "b", "0"}) == V{"a:RW access delete", "b:RW access delete"});
  CHECK(keys({"ping"}).empty());
}

TEST_CASE("keynum and keyword specs, and the procedure when they do not resolve") {
  CHECK(keys({"zunionstore", "t", "2", "a", "b"}) ==
        V{"t:OW update", "a:RO access", "b:RO access"});
  // numkeys 0: the keynum spec fails as a whole, and Redis's procedure finds nothing either.
  CHECK(keys({"zunionstore", "t", "0", "a"}).empty());
  CHECK(keys({"zunionstore", "t", "x", "a"}).empty());
  CHECK(keys({"eval", "return 1", "1", "k"}) == V{"k:RW access update"});
  CHECK(keys({"eval", "return 1", "0"}).empty());
  CHECK(keys({"eval", "return 1", "3", "k"}).empty());
  // XREAD's keyword spec covers the keys and the IDs (limit 2): half of what follows STREAMS.
  CHECK(keys({"xread", "count", "2", "streams", "a", "b", "0", "0"}) ==
        V{"a:RO access", "b:RO access"});
  // An odd count still resolves by the spec (Redis reports the first): XREAD errs later.
  CHECK(keys({"xread", "streams", "a", "b", "0"}) == V{"a:RO access"});
  CHECK(keys({"xread", "block"}).empty());
  CHECK(keys({"georadius", "k", "0", "0", "1", "km", "store", "d"}) ==
        V{"k:RO access", "d:OW update"});
  CHECK(keys({"georadius", "k", "0", "0", "1", "km"}) == V{"k:RO access"});
}

TEST_CASE("procedures: SET, BITFIELD, SORT, SORT_RO") {
  CHECK(keys({"set", "k", "v"}) == V{"k:OW update"});
  CHECK(keys({"set", "k", "v", "GET"}) == V{"k:RW access update"});
  CHECK(keys({"bitfield", "k", "get", "u8", "0"}) == V{"k:RO access"});
  CHECK(keys({"bitfield", "k", "incrby", "u8", "0", "1"}) == V{"k:RW access update"});
  CHECK(keys({"sort", "k", "store", "d"}) == V{"k:RO access", "d:OW update"});
  CHECK(keys({"sort", "k", "by", "store", "limit", "0", "1"}) == V{"k:RO access"});
  CHECK(keys({"sort", "k", "store", "a", "store", "b"}) == V{"k:RO access", "b:OW update"});
  CHECK(keys({"sort_ro", "k", "by", "w*"}) == V{"k:RO access"});
}

TEST_CASE("COMMAND INFO's legacy range and movablekeys, derived from the specs") {
  auto range = [](std::vector<std::string_view> argv) {
    LegacyKeyRange r = legacy_key_range(command(argv));
    return std::vector<int>{r.first, r.last, r.step, r.movable};
  };
  CHECK(range({"get"}) == std::vector<int>{1, 1, 1, 0});
  CHECK(range({"mset"}) == std::vector<int>{1, -1, 2, 0});
  CHECK(range({"lmove"}) == std::vector<int>{1, 2, 1, 0});
  CHECK(range({"blpop"}) == std::vector<int>{1, -2, 1, 0});
  CHECK(range({"set"}) == std::vector<int>{1, 1, 1, 0});
  CHECK(range({"zunionstore"}) == std::vector<int>{1, 1, 1, 1});
  CHECK(range({"eval"}) == std::vector<int>{0, 0, 0, 1});
  CHECK(range({"sort"}) == std::vector<int>{1, 1, 1, 1});
  CHECK(range({"sort_ro"}) == std::vector<int>{1, 1, 1, 1});
  CHECK(range({"georadius"}) == std::vector<int>{1, 1, 1, 1});
  CHECK(range({"georadius_ro"}) == std::vector<int>{1, 1, 1, 0});
  CHECK(range({"xread"}) == std::vector<int>{0, 0, 0, 1});
  CHECK(range({"memory", "usage"}) == std::vector<int>{2, 2, 1, 0});
  CHECK(range({"ping"}) == std::vector<int>{0, 0, 0, 0});
}

TEST_CASE("respite's own commands get specs from their fixed positions") {
  const Command& hexpire = command({"hexpire"});
  REQUIRE(hexpire.key_specs.size() == 1);
  CHECK(keys({"hexpire", "h", "10", "fields", "1", "f"}) == V{"h:RW update"});
  CHECK(keys({"httl", "h", "fields", "1", "f"}) == V{"h:RO access"});
  CHECK(command_has_keys(hexpire));
  // HGETDEL returns the fields it deletes: reading them needs read permission as well.
  CHECK(keys({"hgetdel", "h", "fields", "1", "f"}) == V{"h:RW access delete"});
  CHECK(keys({"hgetex", "h", "fields", "1", "f"}) == V{"h:RW access update"});
}

TEST_CASE("the table: every command with key positions has keys by its specs") {
  auto walk = [](const Command& c, auto& self) -> void {
    INFO(c.name);
    if ((c.first_key > 0 || c.numkeys_at > 0) && !c.has_flag(kPubsub)) CHECK(command_has_keys(c));
    // Redis's shard channels are not keys; nor are the keys of a command without positions.
    if (c.first_key == 0 && c.numkeys_at == 0 && c.getkeys_proc == GetKeysProc::kNone &&
        !c.key_specs.empty()) {
      for (const KeySpecDef& s : c.key_specs) CHECK((s.flags & kSpecNotKey) != 0);
    }
    for (auto& s : c.subcommands) self(*s, self);
  };
  for (const Command* c : table().all()) walk(*c, walk);
}

TEST_CASE("any argument list, any length: keys are always arguments that exist") {
  // Dispatch checks arity before ACL asks for keys, but the walk must stay in bounds without it.
  static const std::vector<std::string_view> kPool = {
      "k",     "0",       "1",        "2",         "-1",    "3",     "999999999999",
      "STORE", "STREAMS", "KEYS",     "GET",       "BY",    "LIMIT", "AUTH",
      "AUTH2", "SET",     "OVERFLOW", "STOREDIST", "BLOCK", "GROUP", ""};
  uint64_t state = 42;
  auto next = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<size_t>(state >> 33);
  };
  auto walk = [&](const Command& c, auto& self) -> void {
    for (int round = 0; round < 60; round++) {
      std::vector<std::string_view> argv;
      if (c.parent) argv.push_back(c.parent->name);
      argv.push_back(c.name);
      size_t len = argv.size() + next() % 9;
      while (argv.size() < len) argv.push_back(kPool[next() % kPool.size()]);
      size_t seen = 0;
      bool in_bounds = true;
      size_t n = visit_keys(c, argv.data(), argv.size(), [&](size_t pos, uint16_t) {
        seen++;
        in_bounds &= pos > 0 && pos < argv.size();
      });
      INFO(c.name);
      CHECK(in_bounds);
      CHECK(n == seen);
    }
    for (auto& s : c.subcommands) self(*s, self);
  };
  for (const Command* c : table().all()) walk(*c, walk);
}
