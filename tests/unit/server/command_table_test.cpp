// Unit tests for the command table's dispatch lookup (server/command.h): CommandTable::find folds
// case through a table and hashes and compares in place, with no std::string, so it is checked here
// against the obvious reference (lower-case the name, look it up in a map) over every registered
// name, every case mix and every single-byte change of every name.
#include <doctest.h>

#include <map>
#include <string>

#include "server/command.h"

using respite::server::Command;
using respite::server::CommandTable;

namespace {

std::string lower(std::string s) {
  for (char& ch : s)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch + 32);  // ASCII only, as Redis
  return s;
}

struct Tables {
  CommandTable table;
  std::map<std::string, const Command*> reference;
  Tables() {
    register_all_commands(table);
    for (const Command* c : table.all()) reference[c->name] = c;
  }
  const Command* expected(const std::string& name) const {
    auto it = reference.find(lower(name));
    return it == reference.end() ? nullptr : it->second;
  }
};

}  // namespace

TEST_CASE("find: every name, in every case, and nothing else") {
  Tables t;
  REQUIRE(t.reference.size() > 100);
  for (auto& [name, cmd] : t.reference) {
    CHECK(t.table.find(name) == cmd);
    std::string upper = name, mixed = name;
    for (size_t i = 0; i < name.size(); i++) {
      upper[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[i])));
      if (i % 2) mixed[i] = upper[i];
    }
    CHECK(t.table.find(upper) == cmd);
    CHECK(t.table.find(mixed) == cmd);
    // A prefix or an extension of a name is another name or none.
    CHECK(t.table.find(name.substr(0, name.size() - 1)) ==
          t.expected(name.substr(0, name.size() - 1)));
    CHECK(t.table.find(name + "x") == t.expected(name + "x"));
    CHECK(t.table.find(name + std::string(1, '\0')) == nullptr);
  }
}

TEST_CASE("find: names past 16 bytes are compared in full") {
  // No Redis 7.0 command name is that long, but the table must not answer for a name that only
  // shares its first 16 bytes and its length with another.
  CommandTable t;
  auto add = [&](const char* name) {
    t.add({.name = name,
           .arity = 1,
           .flags = respite::server::kFast,
           .fn = [](respite::server::CmdCtx&) {},
           .doc = {.group = "generic", .summary = "test"}});
  };
  add("abcdefghijklmnop-one");
  add("abcdefghijklmnop-two");
  add("abcdefghijklmnopq");
  t.finish();
  CHECK(t.find("ABCDEFGHIJKLMNOP-ONE")->name == "abcdefghijklmnop-one");
  CHECK(t.find("abcdefghijklmnop-Two")->name == "abcdefghijklmnop-two");
  CHECK(t.find("abcdefghijklmnop-six") == nullptr);
  CHECK(t.find("abcdefghijklmnop-on") == nullptr);
  CHECK(t.find("abcdefghijklmnopQ")->name == "abcdefghijklmnopq");
  CHECK(t.find("abcdefghijklmnopr") == nullptr);
  CHECK(t.find("abcdefghijklmnop") == nullptr);
}

TEST_CASE("find: every single-byte change of every name agrees with the reference") {
  // Bytes next to the letters ('@', '[', '`', '{') and with the top bit set are where a wrong
  // case fold would turn one name into another.
  Tables t;
  size_t checked = 0;
  for (auto& [name, cmd] : t.reference) {
    for (size_t i = 0; i < name.size(); i++) {
      std::string m = name;
      for (int b = 0; b < 256; b++) {
        m[i] = static_cast<char>(b);
        const Command* want = t.expected(m);
        if (t.table.find(m) != want) {
          FAIL_CHECK("find(\"", m, "\") disagrees at byte ", i, " = ", b);
        }
        checked++;
      }
    }
  }
  CHECK(checked > 100000);
}

TEST_CASE("find: empty, over-long and binary names") {
  Tables t;
  CHECK(t.table.find("") == nullptr);
  CHECK(t.table.find(std::string(CommandTable::kMaxName, 'a')) == nullptr);
  CHECK(t.table.find(std::string(200, 'G')) == nullptr);
  CHECK(t.table.find(std::string("g\0t", 3)) == nullptr);
  CHECK(t.table.find("\xc7\xc5\xd4") == nullptr);  // "GET" with the top bits set
  CHECK(t.table.find("GET")->name == "get");
  CHECK(t.table.find("zRangeByScore")->name == "zrangebyscore");
}
