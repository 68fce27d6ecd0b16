// CLUSTER, as a Redis server started without cluster-enabled answers it: every subcommand
// replies "ERR This instance has cluster support disabled". Clients probe with CLUSTER INFO or
// CLUSTER SLOTS to tell a cluster from a single server, and read that error as "single server";
// an unknown command would read as a broken server. The subcommands carry Redis 7.0's flags, so
// that CLUSTER RESET is refused inside scripts as in Redis.
#include "server/context.h"

namespace respite::server {

namespace {

void cmd_cluster_disabled(CmdCtx& c) {
  c.error(Err::kClusterDisabled);
}

}  // namespace

void register_cluster_commands(CommandTable& t) {
  Command* cl = t.add({.name = "cluster",
                       .arity = -2,
                       .flags = 0,
                       .fn = nullptr,
                       .doc = {.group = "cluster",
                               .summary = "A container for Redis Cluster commands",
                               .since = "3.0.0",
                               .complexity = "Depends on subcommand."}});
  struct Sub {
    const char* name;
    int arity;
    uint32_t flags;
    const char* summary;
  };
  static constexpr Sub kSubs[] = {
      {"info", 2, kStale, "Provides info about Redis Cluster node state"},
      {"nodes", 2, kStale, "Get Cluster config for the node"},
      {"slots", 2, kStale, "Get array of Cluster slot to node mappings"},
      {"shards", 2, kStale, "Get array of cluster slots to node mappings"},
      {"myid", 2, kStale, "Return the node id"},
      {"keyslot", 3, kStale, "Returns the hash slot of the specified key"},
      {"countkeysinslot", 3, kStale, "Return the number of local keys in the specified hash slot"},
      {"getkeysinslot", 4, kStale, "Return local key names in the specified hash slot"},
      {"reset", -2, kAdmin | kStale | kNoscript, "Reset a Redis Cluster node"},
      {"help", 2, kLoading | kStale, "Show helpful text about the different subcommands"},
  };
  for (const Sub& s : kSubs) {
    t.add_sub(cl, {.name = s.name,
                   .arity = s.arity,
                   .flags = s.flags,
                   .fn = cmd_cluster_disabled,
                   .doc = {.summary = s.summary, .since = "3.0.0"}});
  }
}

}  // namespace respite::server
