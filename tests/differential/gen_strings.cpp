// Generators for the string family: GET/SET and every SET option, the SET and GET variants,
// MGET/MSET/MSETNX, APPEND/STRLEN, the INCR family, INCRBYFLOAT, GETRANGE/SETRANGE. Each sometimes
// builds an invalid instance (bad numbers, conflicting options) so that error texts are compared
// too.
#include "tests/differential/generator.h"

namespace respite::diff {

namespace {

void shuffle(Gen& g, std::vector<std::string>& v, size_t from) {
  for (size_t i = v.size(); i > from + 1; --i) {
    size_t j = from + static_cast<size_t>(g.range(0, static_cast<int>(i - from) - 1));
    std::swap(v[i - 1], v[j]);
  }
}

Command get(Gen& g) {
  return {{"GET", g.key()}};
}

Command set(Gen& g) {
  Command c{{"SET", g.key(), g.value()}};
  if (g.chance(25)) c.args.push_back(g.chance(50) ? "NX" : "XX");
  if (g.chance(20)) c.args.push_back("GET");
  if (g.chance(35)) {
    switch (g.range(0, 5)) {
      case 0:
        c.args.insert(c.args.end(), {"EX", g.rel_seconds()});
        break;
      case 1:
        c.args.insert(c.args.end(), {"PX", g.rel_millis()});
        break;
      // Future absolute times only: SET with a past EXAT leaves an expired key that DBSIZE counts
      // until the active cycle happens to reclaim it.
      case 2:
        c.args.insert(c.args.end(), {"EXAT", g.abs_seconds(false)});
        break;
      case 3:
        c.args.insert(c.args.end(), {"PXAT", g.abs_millis(false)});
        break;
      case 4:
        c.args.push_back("KEEPTTL");
        break;
      default:
        c.args.insert(c.args.end(), {g.chance(50) ? "EX" : "PX", g.bad_expire()});
        break;
    }
  }
  if (g.chance(4)) {
    // Conflicting or unknown options.
    static const std::vector<std::string> junk = {"NX", "XX", "KEEPTTL", "EX", "FOO", "GET"};
    c.args.push_back(g.pick(junk));
  }
  // Options come in any order; a shuffle may also separate EX from its number, an error both
  // servers must agree on.
  if (g.chance(30)) shuffle(g, c.args, 3);
  if (g.chance(5)) c.args[0] = "set";
  return c;
}

Command setnx(Gen& g) {
  return {{"SETNX", g.key(), g.value()}};
}

Command setex(Gen& g) {
  return {{"SETEX", g.key(), g.chance(90) ? g.rel_seconds() : g.bad_expire(), g.value()}};
}

Command psetex(Gen& g) {
  return {{"PSETEX", g.key(), g.chance(90) ? g.rel_millis() : g.bad_expire(), g.value()}};
}

Command getset(Gen& g) {
  return {{"GETSET", g.key(), g.value()}};
}

Command getdel(Gen& g) {
  return {{"GETDEL", g.key()}};
}

Command getex(Gen& g) {
  Command c{{"GETEX", g.key()}};
  switch (g.range(0, 8)) {
    case 0:
      c.args.insert(c.args.end(), {"EX", g.rel_seconds()});
      break;
    case 1:
      c.args.insert(c.args.end(), {"PX", g.rel_millis()});
      break;
    case 2:
      c.args.insert(c.args.end(), {"EXAT", g.abs_seconds(true)});
      break;  // past: deletes
    case 3:
      c.args.insert(c.args.end(), {"PXAT", g.abs_millis(true)});
      break;
    case 4:
      c.args.push_back("PERSIST");
      break;
    case 5:
      c.args.insert(c.args.end(), {"EX", g.bad_expire()});
      break;
    case 6:
      c.args.insert(c.args.end(), {"EX", g.rel_seconds(), "PERSIST"});
      break;
    case 7:
      c.args.push_back(g.chance(50) ? "FOO" : "EX");
      break;
    default:
      break;
  }
  return c;
}

Command mget(Gen& g) {
  Command c{{"MGET"}};
  for (const std::string& k : g.keys(1, 5)) c.args.push_back(k);
  return c;
}

Command mset_like(Gen& g, const char* name) {
  Command c{{name}};
  int pairs = g.range(1, 4);
  for (int i = 0; i < pairs; ++i) {
    c.args.push_back(g.key());
    c.args.push_back(g.value());
  }
  if (g.chance(5)) c.args.pop_back();  // odd argument count
  return c;
}

Command mset(Gen& g) {
  return mset_like(g, "MSET");
}
Command msetnx(Gen& g) {
  return mset_like(g, "MSETNX");
}

Command append(Gen& g) {
  return {{"APPEND", g.key(), g.value()}};
}
Command strlen(Gen& g) {
  return {{"STRLEN", g.key()}};
}

// Counters hit a few keys more often, so that long INCR chains and overflows happen.
const std::string& counter_key(Gen& g) {
  static const std::string counter = "counter";
  return g.chance(40) ? counter : g.key();
}

Command incr(Gen& g) {
  return {{"INCR", counter_key(g)}};
}
Command decr(Gen& g) {
  return {{"DECR", counter_key(g)}};
}
Command incrby(Gen& g) {
  return {{"INCRBY", counter_key(g), g.int_arg()}};
}
Command decrby(Gen& g) {
  return {{"DECRBY", counter_key(g), g.int_arg()}};
}

Command incrbyfloat(Gen& g) {
  static const std::string fkey = "float";
  return {{"INCRBYFLOAT", g.chance(40) ? fkey : g.key(), g.float_arg()}};
}

Command getrange(Gen& g) {
  return {{"GETRANGE", g.key(), g.offset_arg(), g.offset_arg()}};
}

Command setrange(Gen& g) {
  static const std::vector<std::string> offsets = {"0",   "1",  "3",   "10",       "50",
                                                   "100", "-1", "abc", "536870912"};
  static const std::vector<std::string> values = {"", "x", "abc", "12", std::string("\0\n", 2)};
  return {{"SETRANGE", g.key(), g.pick(offsets), g.chance(70) ? g.pick(values) : g.value()}};
}

}  // namespace

void add_string_generators(std::vector<CommandGen>& out) {
  out.insert(
      out.end(),
      {
          {"GET", 60, get},           {"SET", 70, set},           {"SETNX", 8, setnx},
          {"SETEX", 8, setex},        {"PSETEX", 6, psetex},      {"GETSET", 8, getset},
          {"GETDEL", 8, getdel},      {"GETEX", 15, getex},       {"MGET", 15, mget},
          {"MSET", 12, mset},         {"MSETNX", 8, msetnx},      {"APPEND", 15, append},
          {"STRLEN", 10, strlen},     {"INCR", 20, incr},         {"DECR", 10, decr},
          {"INCRBY", 15, incrby},     {"DECRBY", 10, decrby},     {"INCRBYFLOAT", 15, incrbyfloat},
          {"GETRANGE", 12, getrange}, {"SETRANGE", 10, setrange},
      });
}

}  // namespace respite::diff
