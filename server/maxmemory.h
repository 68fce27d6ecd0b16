// maxmemory enforcement: when used_memory (INFO's used_memory less what is already being freed,
// MemoryParts::for_eviction below) is over maxmemory,
// keys are evicted by maxmemory-policy (storage/evict.h) on the worker that notices:
// - dispatch(), before a command flagged denyoom (kDenyOom: writes that may grow the dataset),
//   evicts until under the limit or for at most the time maxmemory-eviction-tenacity allows
//   (Redis's evictionTimeLimitUs: 10 = 500 us). Still over with nothing evictable (noeviction, or
//   no eligible key) refuses the command with Redis's OOM error; still over but evicting (time
//   ran out) runs it, as Redis does while its eviction timer proc works on.
// - Connection::process evicts the same way once per batch, whatever its commands, as Redis
//   evicts before every command: memory that is not keys (clients' buffers) makes room at once.
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

// Redis's evictionTimeLimitUs(): microseconds one eviction run may take; < 0 means no limit.
int64_t eviction_time_limit_us(int64_t tenacity);

storage::EvictParams evict_params(const Config& c, int64_t now_ms);

// Evicts on w while over maxmemory, for at most budget_us (< 0: the tenacity limit). Returns
// false when still over the limit and nothing could be evicted: the caller answers Err::kOom.
bool enforce_maxmemory(Worker& w, int64_t now_ms, int64_t budget_us = -1);

// Copies maxmemory-policy, lfu-log-factor and lfu-decay-time into s.access_policy (start-up and
// after CONFIG SET).
void refresh_access_policy(Server& s);

// What used_memory is made of, each part kept as a counter so that reading them is O(threads):
// - startup: the server's fixed structures (Server::memory_baseline: the keyspaces' shard arrays,
//   the workers' read buffers), INFO used_memory_startup;
// - store: the store's own accounting, entries with their values and the bucket arrays;
// - clients: every connection's struct, query buffer and unwritten output (Worker::client_memory),
//   INFO mem_clients_normal;
// - reclaim: memory the dataset let go of that is not freed yet: entries and tables retired and
//   awaiting epoch reclamation, then the lazy-free thread's backlog (Store::reclaim_bytes).
struct MemoryParts {
  int64_t startup = 0, store = 0, clients = 0, reclaim = 0;
  int64_t total() const { return startup + store + clients + reclaim; }
  // What maxmemory compares: everything but the reclaim backlog. Those bytes are on their way
  // back to the allocator, and evicting more keys would not bring them back sooner (every
  // eviction adds to them): counting them would evict far more than the limit asks for. Redis
  // leaves out what it cannot evict its way out of, too (its not-counted replication buffers).
  int64_t for_eviction() const { return startup + store + clients; }
};
MemoryParts memory_parts(const Server& s);

// INFO used_memory: MemoryParts::total(); also raises used_memory_peak.
int64_t used_memory(Server& s);
int64_t memory_in_use(const Server& s);  // the same, without touching the peak

}  // namespace respite::server
