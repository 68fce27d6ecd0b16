// maxmemory enforcement; see maxmemory.h.
#include "server/maxmemory.h"

#include <chrono>
#include <cmath>

#include "server/keywrite.h"
#include "server/server.h"
#include "server/worker.h"

namespace respite::server {

int64_t eviction_time_limit_us(int64_t tenacity) {
  if (tenacity <= 10) return 50 * tenacity;
  if (tenacity < 100) return static_cast<int64_t>(500.0 * std::pow(1.15, tenacity - 10.0));
  return -1;
}

storage::EvictParams evict_params(const Config& c, int64_t now_ms) {
  storage::EvictParams p;
  p.policy = c.maxmemory_policy.load(std::memory_order_relaxed);
  p.samples = static_cast<int>(c.maxmemory_samples.load(std::memory_order_relaxed));
  p.lfu_decay_time = static_cast<uint32_t>(c.lfu_decay_time.load(std::memory_order_relaxed));
  p.now_ms = now_ms;
  p.clock = lru_clock(now_ms);
  return p;
}

MemoryParts memory_parts(const Server& s) {
  MemoryParts m;
  m.startup = s.memory_baseline;
  m.store = s.store.accounted_bytes();
  for (const auto& w : s.workers) m.clients += w->client_memory.load(std::memory_order_relaxed);
  m.reclaim = s.store.reclaim_bytes();
  return m;
}

int64_t memory_in_use(const Server& s) {
  return memory_parts(s).total();
}

namespace {
int64_t memory_for_eviction(const Server& s) {
  return memory_parts(s).for_eviction();
}
}  // namespace

namespace {
void raise_peak(Server& s, int64_t used) {
  int64_t peak = s.used_memory_peak.load(std::memory_order_relaxed);
  while (used > peak &&
         !s.used_memory_peak.compare_exchange_weak(peak, used, std::memory_order_relaxed)) {
  }
}
}  // namespace

int64_t used_memory(Server& s) {
  int64_t used = memory_in_use(s);
  raise_peak(s, used);
  return used;
}

bool enforce_maxmemory(Worker& w, int64_t now_ms, int64_t budget_us) {
  Server& s = *w.server;
  int64_t limit = s.config.maxmemory.load(std::memory_order_relaxed);
  if (limit <= 0) return true;
  MemoryParts m = memory_parts(s);
  raise_peak(s, m.total());
  if (m.for_eviction() <= limit) return true;
  // As Redis's performEvictions: nothing is evicted while clients are paused (client_pause.h).
  if ((s.command_hooks.load(std::memory_order_relaxed) & kHookPause) &&
      s.pause.current(now_ms) != ClientPause::kOff)
    return true;
  if (budget_us < 0) {
    budget_us = eviction_time_limit_us(
        s.config.maxmemory_eviction_tenacity.load(std::memory_order_relaxed));
  }
  using Clock = std::chrono::steady_clock;
  Clock::time_point deadline = budget_us < 0 ? Clock::time_point::max()
                                             : Clock::now() + std::chrono::microseconds(budget_us);
  storage::EpochGuard guard(w.epoch);
  storage::OpCtx ctx{w.epoch, now_ms, 0, &w.notify};
  const Clock::time_point start = Clock::now();
  storage::Evictor::Result r = w.evictor.run(
      s.store, evict_params(s.config, now_ms), ctx, w.rng,
      [&] { return memory_for_eviction(s) > limit; }, [&] { return Clock::now() >= deadline; });
  // LATENCY's eviction-cycle, as Redis samples its performEvictions: one run of the evictor.
  s.latency_event(
      "eviction-cycle",
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
  if (r.evicted) w.stats.evicted.add(r.evicted);
  if (ctx.expired) w.stats.expired.add(ctx.expired);
  // Before a command runs (dispatch) or in the cron: no reply is being built, so "evicted" and
  // "expired" go out now (notify.h). Inside a command (a script), the command's end does it.
  if (w.command_depth == 0) w.notify.flush();
  return !r.stuck || memory_for_eviction(s) <= limit;
}

void refresh_access_policy(Server& s) {
  auto p = s.config.maxmemory_policy.load(std::memory_order_relaxed);
  s.access_policy.lfu.store(p == EvictionPolicy::kAllKeysLfu || p == EvictionPolicy::kVolatileLfu,
                            std::memory_order_relaxed);
  s.access_policy.lfu_log_factor.store(
      static_cast<uint32_t>(s.config.lfu_log_factor.load(std::memory_order_relaxed)),
      std::memory_order_relaxed);
  s.access_policy.lfu_decay_time.store(
      static_cast<uint32_t>(s.config.lfu_decay_time.load(std::memory_order_relaxed)),
      std::memory_order_relaxed);
}

}  // namespace respite::server
