// Generators for the keyspace family: DEL/UNLINK/EXISTS/TOUCH/TYPE, the EXPIRE family with its
// NX/XX/GT/LT options, the TTL readers (compared with a tolerance), PERSIST, RENAME/RENAMENX, COPY,
// MOVE, KEYS (compared as sets), SCAN (compared after a full iteration), RANDOMKEY (compared only
// for nil) and DBSIZE.
#include "tests/differential/generator.h"

namespace respite::diff {

namespace {

Command multi_key(Gen& g, const char* name, int min, int max) {
  Command c{{name}};
  for (const std::string& k : g.keys(min, max)) c.args.push_back(k);
  return c;
}

Command del(Gen& g) {
  return multi_key(g, "DEL", 1, 3);
}
Command unlink(Gen& g) {
  return multi_key(g, "UNLINK", 1, 3);
}
Command exists(Gen& g) {
  return multi_key(g, "EXISTS", 1, 4);
}
Command touch(Gen& g) {
  return multi_key(g, "TOUCH", 1, 3);
}
Command type(Gen& g) {
  return {{"TYPE", g.key()}};
}

void expire_options(Gen& g, Command& c) {
  static const std::vector<std::string> single = {"NX", "XX", "GT", "LT"};
  static const std::vector<std::vector<std::string>> pairs = {
      {"XX", "GT"}, {"XX", "LT"}, {"NX", "XX"}, {"GT", "LT"}, {"NX", "GT"}, {"FOO"}, {"gt"}};
  int r = g.range(0, 99);
  if (r < 50) return;
  if (r < 90) {
    c.args.push_back(g.pick(single));
  } else {
    for (const std::string& o : g.pick(pairs)) c.args.push_back(o);
  }
}

Command expire(Gen& g) {
  Command c{{"EXPIRE", g.key(), g.chance(85) ? g.rel_seconds() : g.bad_expire()}};
  expire_options(g, c);
  return c;
}

Command pexpire(Gen& g) {
  Command c{{"PEXPIRE", g.key(), g.chance(85) ? g.rel_millis() : g.bad_expire()}};
  expire_options(g, c);
  return c;
}

Command expireat(Gen& g) {
  Command c{{"EXPIREAT", g.key(), g.chance(95) ? g.abs_seconds(true) : "abc"}};
  expire_options(g, c);
  return c;
}

Command pexpireat(Gen& g) {
  Command c{{"PEXPIREAT", g.key(), g.abs_millis(true)}};
  expire_options(g, c);
  return c;
}

Command ttl(Gen& g) {
  return {{"TTL", g.key()}, Compare::kTtlSeconds};
}
Command pttl(Gen& g) {
  return {{"PTTL", g.key()}, Compare::kTtlMillis};
}
Command expiretime(Gen& g) {
  return {{"EXPIRETIME", g.key()}, Compare::kTtlSeconds};
}
Command pexpiretime(Gen& g) {
  return {{"PEXPIRETIME", g.key()}, Compare::kTtlMillis};
}
Command persist(Gen& g) {
  return {{"PERSIST", g.key()}};
}

Command rename(Gen& g) {
  return {{"RENAME", g.key(), g.key()}};
}
Command renamenx(Gen& g) {
  return {{"RENAMENX", g.key(), g.key()}};
}

Command copy(Gen& g) {
  Command c{{"COPY", g.key(), g.key()}};
  if (g.chance(40)) c.args.insert(c.args.end(), {"DB", g.db()});
  if (g.chance(40)) c.args.push_back("REPLACE");
  if (g.chance(3)) c.args.push_back("FOO");
  return c;
}

Command move(Gen& g) {
  return {{"MOVE", g.key(), g.db()}};
}

Command keys(Gen& g) {
  return {{"KEYS", g.pattern()}, Compare::kSortedArray};
}

Command scan(Gen& g) {
  static const std::vector<std::string> types = {"string", "list", "hash", "set", "zset"};
  Command c{{"SCAN", "0"}, Compare::kScanAll};
  if (g.chance(40)) c.args.insert(c.args.end(), {"MATCH", g.pattern()});
  if (g.chance(40)) c.args.insert(c.args.end(), {"COUNT", std::to_string(g.range(1, 20))});
  if (g.chance(20)) c.args.insert(c.args.end(), {"TYPE", g.pick(types)});
  return c;
}

Command randomkey(Gen& g) {
  return {{"RANDOMKEY"}, Compare::kNilOrNot};
}
Command dbsize(Gen& g) {
  return {{"DBSIZE"}};
}

}  // namespace

void add_key_generators(std::vector<CommandGen>& out) {
  out.insert(out.end(), {
                            {"DEL", 12, del},
                            {"UNLINK", 5, unlink},
                            {"EXISTS", 12, exists},
                            {"TOUCH", 4, touch},
                            {"TYPE", 6, type},
                            {"EXPIRE", 12, expire},
                            {"PEXPIRE", 8, pexpire},
                            {"EXPIREAT", 8, expireat},
                            {"PEXPIREAT", 6, pexpireat},
                            {"TTL", 12, ttl},
                            {"PTTL", 8, pttl},
                            {"EXPIRETIME", 5, expiretime},
                            {"PEXPIRETIME", 5, pexpiretime},
                            {"PERSIST", 8, persist},
                            {"RENAME", 8, rename},
                            {"RENAMENX", 6, renamenx},
                            {"COPY", 8, copy},
                            {"MOVE", 6, move},
                            {"KEYS", 5, keys},
                            {"SCAN", 4, scan},
                            {"RANDOMKEY", 4, randomkey},
                            {"DBSIZE", 6, dbsize},
                        });
}

}  // namespace respite::diff
