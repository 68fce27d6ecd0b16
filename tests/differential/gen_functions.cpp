// Generators for the FUNCTION family (server/commands/functions.cpp): LOAD with and without
// REPLACE over a small pool of libraries (valid ones, each registering one function so that
// Redis's dict order cannot show, with flags and descriptions, and broken ones covering the
// metadata, compile, load-time and register_function errors), LIST with its filters, DELETE,
// FLUSH, STATS and RESTORE's policy and payload errors. DUMP is not sent: Redis LZF-compresses
// the code and respite does not, so the bytes differ though each restores the other's (unit
// tests cover that). Used only when named in RESPITE_DIFF_FAMILIES, as transactions.
#include "tests/differential/generator.h"

namespace respite::diff {

namespace {

const std::vector<std::string>& libraries() {
  static const std::vector<std::string> libs = {
      "#!lua name=lib1\nredis.register_function('f1', function(keys, args) return 1 end)",
      "#!lua name=lib1\nredis.register_function{function_name='f1', callback=function() return "
      "2 end, flags={'no-writes', 'allow-oom'}, description='second'}",
      "#!lua name=lib2\nredis.register_function('f2', function() return 'two' end)",
      "#!lua name=lib2\nredis.register_function('F1', function() return 'clash' end)",
      "#!lua name=Lib3\nredis.register_function{function_name='g', callback=function() end, "
      "flags={'ALLOW-STALE', 'no-cluster', 'allow-cross-slot-keys'}}",
      "#!LUA name=lib4\nredis.register_function{function_name='h', callback=function() end, "
      "description=''}",
      // Errors.
      "#!lua name=bad-name\nredis.register_function('x', function() end)",
      "#!lua5 name=lib5\nredis.register_function('x', function() end)",
      "#!lua name=lib5 extra=1\nredis.register_function('x', function() end)",
      "#!lua\nredis.register_function('x', function() end)",
      "lua name=lib5\n",
      "#!lua name=lib5",
      "#!lua name=lib5\nlocal a = 1",
      "#!lua name=lib5\nredis.register_function('x', function() end",
      "#!lua name=lib5\nredis.call('set', 'k', 'v')",
      "#!lua name=lib5\nlocal t = table.concat({})",
      "#!lua name=lib5\nredis.register_function('x-y', function() end)",
      "#!lua name=lib5\nredis.register_function('x', function() end)\n"
      "redis.register_function('x', function() end)",
      "#!lua name=lib5\nredis.register_function{function_name='x', callback=function() end, "
      "flags={'no-such-flag'}}",
      "#!lua name=lib5\nredis.register_function{function_name='x'}",
      "#!lua name=lib5\nredis.register_function{callback=function() end}",
      "#!lua name=lib5\nredis.register_function{function_name='x', callback=function() end, "
      "other=1}",
      "#!lua name=lib5\nredis.register_function('x')",
      "#!lua name=lib5\nredis.register_function(1, 2, 3)",
      "#!lua name=lib5\nglobal_var = 1",
  };
  return libs;
}

std::string library_name(Gen& g) {
  static const std::vector<std::string> names = {"lib1", "lib2", "Lib3", "lib3",
                                                 "lib4", "nope", "lib*", "*"};
  return g.pick(names);
}

Command load(Gen& g) {
  Command c{{"FUNCTION", "LOAD"}};
  int r = g.range(0, 9);
  if (r < 4) c.args.push_back(g.chance(50) ? "REPLACE" : "replace");
  if (r == 4) c.args.push_back("FORCE");
  c.args.push_back(g.pick(libraries()));
  return c;
}

Command list(Gen& g) {
  Command c{{"FUNCTION", "LIST"}};
  switch (g.range(0, 6)) {
    case 0:
      c.compare = Compare::kSortedArray;
      break;
    case 1:
      c.args.push_back("WITHCODE");
      c.compare = Compare::kSortedArray;
      break;
    case 2:
      c.args.insert(c.args.end(), {"LIBRARYNAME", library_name(g)});
      c.compare = Compare::kSortedArray;
      break;
    case 3:
      c.args.insert(c.args.end(), {"libraryname", library_name(g), "withcode"});
      c.compare = Compare::kSortedArray;
      break;
    case 4:
      c.args.push_back("LIBRARYNAME");
      break;
    case 5:
      c.args.insert(c.args.end(), {"WITHCODE", "WITHCODE"});
      break;
    default:
      c.args.push_back("bogus");
      break;
  }
  return c;
}

Command del(Gen& g) {
  return {{"FUNCTION", "DELETE", library_name(g)}};
}

Command flush(Gen& g) {
  static const std::vector<std::vector<std::string>> forms = {{"FUNCTION", "FLUSH"},
                                                              {"FUNCTION", "FLUSH", "SYNC"},
                                                              {"FUNCTION", "FLUSH", "async"},
                                                              {"FUNCTION", "FLUSH", "later"},
                                                              {"FUNCTION", "FLUSH", "SYNC", "x"}};
  return {g.pick(forms)};
}

Command stats(Gen& g) {
  return {{"FUNCTION", "STATS"}};
}

// Payloads that are never valid (a valid one's bytes would differ between the servers' DUMPs).
Command restore(Gen& g) {
  static const std::vector<std::string> payloads = {
      "", "x", "0123456789", std::string("\xf5\x00\x0a\x00\x00\x00\x00\x00\x00\x00\x00\x00", 12)};
  Command c{{"FUNCTION", "RESTORE", g.pick(payloads)}};
  switch (g.range(0, 5)) {
    case 0:
      c.args.push_back("FLUSH");
      break;
    case 1:
      c.args.push_back("append");
      break;
    case 2:
      c.args.push_back("Replace");
      break;
    case 3:
      c.args.push_back("merge");
      break;
    case 4:
      c.args.insert(c.args.end(), {"APPEND", "x"});
      break;
    default:
      break;
  }
  return c;
}

Command misc(Gen& g) {
  static const std::vector<std::vector<std::string>> forms = {{"FUNCTION"},
                                                              {"FUNCTION", "nosuch"},
                                                              {"FUNCTION", "HELP"},
                                                              {"FUNCTION", "DELETE"},
                                                              {"FUNCTION", "LOAD"},
                                                              {"FUNCTION", "DUMP", "x"},
                                                              {"FUNCTION", "STATS", "x"}};
  return {g.pick(forms)};
}

}  // namespace

void add_functions_generators(std::vector<CommandGen>& out) {
  out.push_back({"FUNCTION LOAD", 30, load});
  out.push_back({"FUNCTION LIST", 20, list});
  out.push_back({"FUNCTION DELETE", 8, del});
  out.push_back({"FUNCTION FLUSH", 3, flush});
  out.push_back({"FUNCTION STATS", 6, stats});
  out.push_back({"FUNCTION RESTORE", 5, restore});
  out.push_back({"FUNCTION misc", 4, misc});
}

}  // namespace respite::diff
