// The process: configuration, the store, the command table, the workers, and what they share (the
// client registry for CLIENT LIST / KILL, process-wide counters, the shutdown latch). main() builds
// one Server and runs it; nothing here is a global, so tests can build several.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "scripting/library.h"
#include "server/acl.h"
#include "server/blocking.h"
#include "server/client_pause.h"
#include "server/command.h"
#include "server/command_clock.h"
#include "server/config.h"
#include "server/latency_histogram.h"
#include "server/latency_monitor.h"
#include "server/monitor.h"
#include "server/multi.h"
#include "server/pubsub.h"
#include "server/script_run.h"
#include "server/slowlog.h"
#include "server/tracking.h"
#include "storage/store.h"

namespace respite::server {

class Worker;
class Connection;
struct ListenerSwap;

inline constexpr const char* kRespiteVersion = "0.1.0";
// The Redis release whose behaviour respite follows; clients gate features on redis_version.
inline constexpr const char* kRedisVersion = "7.0.15";

class Server {
 public:
  explicit Server(Config* config);
  ~Server();

  // Starts the workers and blocks until shutdown; returns the exit code.
  int run();
  // Asks for an orderly stop (SIGTERM, SHUTDOWN). Thread-safe.
  void request_shutdown();
  // Whether a shutdown was asked for (a running script's hook ends the script then).
  bool stopping() const { return stopping_.load(std::memory_order_relaxed); }

  Config& config;
  storage::Store store;
  CommandTable commands;
  Acl acl{commands};  // users and permissions (acl.h), set up once the table is finished
  std::vector<std::unique_ptr<Worker>> workers;
  int64_t start_ms = 0;
  // Where the TCP listeners are (listeners.h): set when the workers first listen, then changed
  // only by CONFIG SET port / bind under the config's update lock.
  int64_t listen_port = 0;
  std::vector<std::string> listen_addrs;
  std::mutex listener_swap_mu;                  // guards listener_swap
  std::shared_ptr<ListenerSwap> listener_swap;  // the last rebind's, until someone waits for it
  uint64_t run_id_hi = 0, run_id_lo = 0;
  std::string executable;

  // --- client registry (CLIENT LIST / KILL / INFO clients) ---
  std::mutex clients_mu;
  std::unordered_map<uint64_t, Connection*> clients;
  std::atomic<uint64_t> next_client_id{1};
  std::atomic<int64_t> connected_clients{0};
  std::atomic<uint64_t> stat_rejected_conn{0};
  // Slow paths the command path takes only while on (CommandHook bits, monitor.h): one relaxed
  // load per command while nobody monitors and no pause is in effect.
  std::atomic<uint32_t> command_hooks{0};
  Monitors monitors{command_hooks};  // MONITOR's clients (monitor.h)
  ClientPause pause{command_hooks};  // CLIENT PAUSE (client_pause.h)
  BlockingRegistry blocking;         // clients waiting in BLPOP, BZPOPMIN, ...
  WatchRegistry watches;  // keys watched by WATCH (multi.h); the store reports changes to it
  PubSub pubsub;          // channel registry: SUBSCRIBE, PUBLISH, ... (pubsub.h)
  // Function libraries (FUNCTION LOAD, FCALL): pure data shared by the workers, each of whose
  // interpreters re-syncs from it by version (scripting/library.h).
  scripting::LibraryRegistry functions;
  Tracking tracking{*this, watches};  // client-side caching (tracking.h), told by watches
  ScriptCache scripts;                // every EVAL / SCRIPT LOAD body by SHA1 (script_run.h)
  // Scripts past busy-reply-threshold on any worker (script_run.h), functions among them, and per
  // database how many of them hold it: other workers answer -BUSY to a command that would wait
  // for a busy script's shards, rather than block their loop until the script ends.
  std::atomic<int> busy_scripts{0}, busy_functions{0};
  std::unique_ptr<std::atomic<int>[]> busy_script_dbs;
  SlowLog slowlog;         // SLOWLOG's entries, from every worker (slowlog.h)
  LatencyMonitor latency;  // LATENCY's events, from every worker (latency_monitor.h)
  CommandClock clock;      // times commands (commandstats, SLOWLOG; command_clock.h)
  // maxmemory (server/maxmemory.h): how entries record accesses (LRU clock, LFU counter), shared
  // by the workers' threads; the highest used_memory seen (INFO used_memory_peak).
  storage::AccessPolicy access_policy;
  std::atomic<int64_t> used_memory_peak{0};
  int64_t memory_baseline = 0;  // allocated before any key: part of used_memory (maxmemory.h)

  unsigned worker_count() const { return static_cast<unsigned>(workers.size()); }
  void log(const char* level, const std::string& msg);
  void reset_stats();
  // One command's latency histogram, summed over the workers (INFO latencystats, LATENCY
  // HISTOGRAM); total 0 when no worker has recorded a call since the last CONFIG RESETSTAT.
  LatencyCounts command_latency(int id) const;
  // The latency monitor: records event if it took at least latency-monitor-threshold ms (and
  // the monitor is on). Cheap when off; called from dispatch, the cron and eviction.
  void latency_event(const char* event, int64_t ms) {
    const int64_t threshold = config.latency_monitor_threshold.load(std::memory_order_relaxed);
    if (threshold > 0 && ms >= threshold) [[unlikely]]
      add_latency_sample(event, ms);
  }

 private:
  void raise_open_files_limit();
  // rename-command, `user` lines and the ACL file, before the workers start; "" or the error.
  std::string apply_security_config();
  void add_latency_sample(const char* event, int64_t ms);
  std::mutex shutdown_mu_;
  std::mutex log_mu_;  // one log line written at a time (log)
  std::condition_variable shutdown_cv_;
  bool shutdown_ = false;
  std::atomic<bool> stopping_{false};
};

unsigned resolve_threads(int configured);
// "debug", "verbose", "notice", "warning" for 0..3 (redis.log's levels), clamped.
const char* log_level_name(int level);

}  // namespace respite::server
