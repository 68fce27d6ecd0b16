// maxmemory enforcement: when used_memory (the store's accounting plus a start-up baseline, INFO's
// used_memory) is over maxmemory,
// keys are evicted by maxmemory-policy (storage/evict.h) on the worker that notices:
// - dispatch(), before a command flagged denyoom (kDenyOom: writes that may grow the dataset),
//   evicts until under the limit or for at most the time maxmemory-eviction-tenacity allows
//   (Redis's evictionTimeLimitUs: 10 = 500 us). Still over with nothing evictable (noeviction, or
//   no eligible key) refuses the command with Redis's OOM error; still over but evicting (time
//   ran out) runs it, as Redis does while its eviction timer proc works on.
// - Worker::cron evicts each tick while over the limit, so memory goes back under it when writes
//   stop and after CONFIG SET maxmemory below current usage (which also evicts at once).
// Commands without denyoom (reads, DEL, EXPIRE...) always run.
#pragma once

#include <cstdint>

#include "storage/evict.h"

namespace respite::server {

class Server;
class Worker;
struct Config;

inline constexpr const char* kOomError = "OOM command not allowed when used memory > 'maxmemory'.";

// Redis's evictionTimeLimitUs(): microseconds one eviction run may take; < 0 means no limit.
int64_t eviction_time_limit_us(int64_t tenacity);

storage::EvictParams evict_params(const Config& c, int64_t now_ms);

// Evicts on w while over maxmemory, for at most budget_us (< 0: the tenacity limit). Returns
// false when still over the limit and nothing could be evicted: the caller answers kOomError.
bool enforce_maxmemory(Worker& w, int64_t now_ms, int64_t budget_us = -1);

// Copies maxmemory-policy, lfu-log-factor and lfu-decay-time into s.access_policy (start-up and
// after CONFIG SET).
void refresh_access_policy(Server& s);

// INFO used_memory: the figure maxmemory compares; also raises used_memory_peak. It is the
// store's own accounting plus the server's fixed structures (Server::memory_baseline: the shard
// arrays and the workers' read buffers), as Redis's used_memory counts more than the keys.
int64_t used_memory(Server& s);
int64_t memory_in_use(const Server& s);  // the same, without touching the peak

}  // namespace respite::server
