// Generators for connection and server commands whose replies are deterministic: PING, ECHO,
// SELECT, SWAPDB, FLUSHDB and FLUSHALL (rare, so that the keyspace has time to fill up again),
// unknown commands and wrong argument counts (error texts).
#include "tests/differential/generator.h"

namespace respite::diff {

namespace {

Command ping(Gen& g) {
  if (g.chance(50)) return {{"PING"}};
  return {{"PING", g.value()}};
}

Command echo(Gen& g) {
  return {{"ECHO", g.value()}};
}

Command select(Gen& g) {
  return {{"SELECT", g.db()}};
}

Command swapdb(Gen& g) {
  return {{"SWAPDB", g.db(), g.db()}};
}

Command flushdb(Gen& g) {
  Command c{{"FLUSHDB"}};
  if (g.chance(30)) c.args.push_back(g.chance(50) ? "ASYNC" : "SYNC");
  return c;
}

Command flushall(Gen& g) {
  return {{"FLUSHALL"}};
}

Command unknown(Gen& g) {
  Command c{{g.chance(50) ? "NOSUCH" : "getx"}};
  for (int i = g.range(0, 3); i > 0; --i) c.args.push_back(g.value());
  return c;
}

Command wrong_arity(Gen& g) {
  static const std::vector<std::vector<std::string>> cases = {{"GET"},
                                                              {"GET", "k0", "k1"},
                                                              {"SET", "k0"},
                                                              {"INCRBY", "k0"},
                                                              {"GETRANGE", "k0", "0"},
                                                              {"EXPIRE"},
                                                              {"MSET", "k0"},
                                                              {"MGET"},
                                                              {"DEL"},
                                                              {"TTL"},
                                                              {"RENAME", "k0"},
                                                              {"APPEND", "k0"},
                                                              {"SETEX", "k0", "10"},
                                                              {"ECHO"},
                                                              {"SELECT"},
                                                              {"SWAPDB", "0"},
                                                              {"DBSIZE", "x"},
                                                              {"RANDOMKEY", "x"},
                                                              {"KEYS"},
                                                              {"SCAN"},
                                                              {"COPY", "k0"},
                                                              {"MOVE", "k0"},
                                                              {"PING", "a", "b"},
                                                              {"GETEX"}};
  Command c{g.pick(cases)};
  return c;
}

}  // namespace

void add_server_generators(std::vector<CommandGen>& out) {
  out.insert(out.end(), {
                            {"PING", 3, ping},
                            {"ECHO", 3, echo},
                            {"SELECT", 8, select},
                            {"SWAPDB", 3, swapdb},
                            {"FLUSHDB", 1, flushdb},
                            {"FLUSHALL", 1, flushall},
                            {"unknown", 2, unknown},
                            {"arity", 4, wrong_arity},
                        });
}

}  // namespace respite::diff
