// What INFO memory, MEMORY STATS and MEMORY DOCTOR report, gathered once: Redis 7.0's
// getMemoryOverheadData() figures, filled from respite's own counters (server/maxmemory.h,
// MemoryParts) and the allocator's process view.
//
// Redis's identity holds: dataset + overhead = total. dataset is the store's entries and their
// values (exact, as respite accounts every byte); overhead is the rest: start-up structures,
// clients, the bucket arrays (db.N overhead.hashtable.main) and memory retired but not yet freed.
//
// The allocator figures: respite has no jemalloc arena statistics (mimalloc's committed figure
// counts reserved segments far beyond what is resident). allocator.allocated is used_memory;
// allocator.active and allocator.resident are the process's resident set. The ratios are Redis's
// formulas over those, so allocator-fragmentation is the whole RSS overhead and the two RSS
// ratios are 1.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace respite::server {

class Server;

struct MemoryReport {
  struct Db {
    int id = 0;
    int64_t overhead_main = 0;     // the bucket arrays of the db's shards (both during a resize)
    int64_t overhead_expires = 0;  // 0: TTLs live in the entries, there is no expires table
  };
  int64_t peak = 0, total = 0, startup = 0;
  int64_t clients_normal = 0;  // connections' structs, query buffers and unwritten output
  int64_t reclaim = 0;         // retired or queued for lazy free, not freed yet
  std::vector<Db> dbs;         // non-empty ones only, as Redis lists them
  int64_t overhead_total = 0, keys = 0, bytes_per_key = 0, dataset = 0;
  double dataset_perc = 0, peak_perc = 0;
  int64_t rss = 0, allocator_allocated = 0, allocator_active = 0, allocator_resident = 0;
  double allocator_frag = 0, allocator_rss = 0, rss_extra = 0, total_frag = 0;
  int64_t allocator_frag_bytes = 0, allocator_rss_bytes = 0, rss_extra_bytes = 0,
          total_frag_bytes = 0;
};

// O(databases x shards) for the per-db overhead: for commands, not for hot paths. Raises the peak.
// The caller's worker must be pinned (a command is), as the shards' tables are read.
MemoryReport memory_report(Server& s);

// MEMORY DOCTOR's text for r, in Redis's manner (the checks that apply to respite).
std::string memory_doctor(const MemoryReport& r, int64_t clients);

uint64_t process_rss_bytes();  // from /proc/self/statm

}  // namespace respite::server
