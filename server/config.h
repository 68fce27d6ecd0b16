// respite's configuration: the typed values every part of the server reads, and the directive table
// that reads them from a redis.conf-syntax file, from `--directive value` arguments, and serves
// CONFIG GET / SET / REWRITE. Directives that CONFIG SET may change at run time are atomics
// (workers read them with relaxed loads: a new value only has to be seen soon, not in any order
// with other memory); strings that may change live sit behind a mutex. Everything else is fixed
// after start-up.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/evict.h"

namespace respite::server {

// maxmemory-policy: the storage layer's own enum (storage/evict.h), so nothing converts.
using EvictionPolicy = storage::EvictPolicy;

struct Config {
  // CONFIG SET may change port and bind: the workers' listeners move with them
  // (server/listeners.h). bind is guarded by the strings' mutex (read it with bind_list()).
  std::atomic<int64_t> port{6379};
  std::vector<std::string> bind = {"127.0.0.1", "-::1"};  // "-" prefix: skip if unavailable

  // Fixed once the server has started.
  std::string unixsocket;  // empty: none
  int unixsocketperm = 0;  // octal in the file, 0: umask
  int threads = 0;         // 0 = "auto": one worker per online core
  int databases = 16;
  int shards = 0;  // shards per database, power of two; 0 = auto (>= 16 x threads, at least 64)
  int tcp_backlog = 511;
  std::string logfile;     // empty: stdout
  int syslog_enabled = 0;  // also send log lines to syslog(3)
  std::string syslog_ident = "redis";
  int syslog_facility = 128;  // LOG_LOCAL0 (<syslog.h>); USER or LOCAL0..LOCAL7
  std::string pidfile;
  std::string dir = ".";
  // Security (server/acl.h): `rename-command old new` pairs (new empty: disabled), `user` lines
  // as written (the word "user" first), and the ACL file; all applied when the server starts.
  std::vector<std::pair<std::string, std::string>> renames;
  std::vector<std::vector<std::string>> user_lines;
  std::string aclfile;
  std::string config_file;  // absolute path of the file read at start-up, for CONFIG REWRITE

  // May change at run time (CONFIG SET).
  std::atomic<int64_t> loglevel{2};  // 0 debug, 1 verbose, 2 notice, 3 warning (Server::log)
  std::atomic<int64_t> maxclients{10000};
  std::atomic<int64_t> timeout{0};  // seconds idle before a client is closed; 0 = never
  std::atomic<int64_t> tcp_keepalive{300};
  std::atomic<int64_t> hz{10};
  // Redis's min-replicas-to-write / -max-lag: respite has no replicas, so any value above 0
  // refuses every write with NOREPLICAS, as a Redis master without replicas does.
  std::atomic<int64_t> min_replicas_to_write{0}, min_replicas_max_lag{10};
  std::atomic<int64_t> proto_max_bulk_len{512ll << 20};
  std::atomic<int64_t> client_query_buffer_limit{1ll << 30};
  // client-output-buffer-limit <class> <hard> <soft> <soft-seconds>, for the normal and pubsub
  // classes (replica is accepted and kept for CONFIG GET).
  std::atomic<int64_t> obuf_normal_hard{0}, obuf_normal_soft{0}, obuf_normal_soft_seconds{0};
  std::atomic<int64_t> obuf_pubsub_hard{32ll << 20}, obuf_pubsub_soft{8ll << 20},
      obuf_pubsub_soft_seconds{60};
  std::atomic<int64_t> obuf_replica_hard{256ll << 20}, obuf_replica_soft{64ll << 20},
      obuf_replica_soft_seconds{60};
  std::atomic<int64_t> maxmemory{0};
  // Accepted and shown for compatibility, without effect (conf/respite.conf): respite has no
  // replication, evicts no clients for their memory (a negative value is a percentage, as in
  // Redis) and loads no data.
  std::atomic<int64_t> repl_backlog_size{1ll << 20}, maxmemory_clients{0}, key_load_delay{0};
  // shutdown-on-sigint / -sigterm flags (Redis's SHUTDOWN_* bits), shown without effect.
  std::atomic<int64_t> shutdown_on_sigint{0}, shutdown_on_sigterm{0};
  std::atomic<int64_t> oom_score_adj{0};  // no / yes|relative / absolute, shown without effect
  std::atomic<EvictionPolicy> maxmemory_policy{EvictionPolicy::kNoEviction};
  std::atomic<int64_t> maxmemory_samples{5};
  std::atomic<int64_t> lfu_log_factor{10};
  std::atomic<int64_t> lfu_decay_time{1};
  // How long a command may spend evicting before it runs anyway (Redis 7.0's tenacity scale:
  // 10 = 500 us; 100 = unlimited). server/maxmemory.h.
  std::atomic<int64_t> maxmemory_eviction_tenacity{10};
  std::atomic<int64_t> active_expire_effort{1};
  // A script running longer than this (ms) makes its worker answer other clients -BUSY and lets
  // SCRIPT KILL in; 0: never (server/script_run.h).
  std::atomic<int64_t> busy_reply_threshold{5000};
  // SLOWLOG (server/slowlog.h): commands running at least this many microseconds are logged
  // (0: all; negative: none), the newest slowlog_max_len kept.
  std::atomic<int64_t> slowlog_log_slower_than{10000}, slowlog_max_len{128};
  // INFO latencystats / LATENCY HISTOGRAM (server/latency_histogram.h): whether dispatch records
  // each command's duration (0/1). The latency monitor (server/latency_monitor.h) samples events
  // of at least latency_monitor_threshold ms; 0: off.
  std::atomic<int64_t> latency_tracking{1}, latency_monitor_threshold{0};
  // ACL LOG keeps at most this many entries; acl-pubsub-default: 1 (allchannels) gives new users
  // and selectors every channel, 0 (resetchannels, Redis 7.0's default) none.
  std::atomic<int64_t> acllog_max_len{128}, acl_pubsub_default{0};
  // Client-side caching: keys the tracking table remembers at most; 0: no bound (tracking.h).
  std::atomic<int64_t> tracking_table_max_keys{1000000};
  // notify-keyspace-events as Redis's NOTIFY_* bits (server/notify.h); 0: off.
  std::atomic<int64_t> notify_keyspace_events{0};  // 1..10, as Redis's active-expire-effort
  // String values of at least compression_threshold bytes (0: off) are stored LZ4-compressed when
  // that saves at least compression_min_saving percent (storage/compress.h).
  std::atomic<int64_t> compression_threshold{16384}, compression_min_saving{10};
  // yes: writes store large values raw and the background compressor (storage/compressor.h)
  // compresses them at idle priority; no: the write compresses before it replies.
  std::atomic<int64_t> compression_background{1};
  // Encodings of small collections (used by the data-type commands).
  std::atomic<int64_t> hash_max_listpack_entries{128}, hash_max_listpack_value{64};
  std::atomic<int64_t> list_max_listpack_size{-2}, list_compress_depth{0};
  std::atomic<int64_t> set_max_intset_entries{512}, set_max_listpack_entries{128},
      set_max_listpack_value{64};
  std::atomic<int64_t> zset_max_listpack_entries{128}, zset_max_listpack_value{64};
  std::atomic<int64_t> hll_sparse_max_bytes{3000};  // HyperLogLog sparse form's largest size
  // Stream nodes (storage/stream_value.h): how many bytes and entries one node holds.
  std::atomic<int64_t> stream_node_max_bytes{4096}, stream_node_max_entries{100};
  // Lazy freeing, 0/1 under Redis 7.0's names (lazyfree-lazy-*, replica-lazy-flush). In effect:
  // user_flush (FLUSHALL/FLUSHDB without SYNC/ASYNC run as ASYNC) and user_del (DEL as UNLINK); the
  // others are accepted and shown for compatibility (see conf/respite.conf).
  std::atomic<int64_t> lazyfree_lazy_eviction{0}, lazyfree_lazy_expire{0},
      lazyfree_lazy_server_del{0}, lazyfree_lazy_user_del{0}, lazyfree_lazy_user_flush{0},
      replica_lazy_flush{0};

  // Accepted for compatibility with tools that read them (redis-benchmark asks for both); respite
  // keeps no data on disk.
  std::string save() const { return locked(save_); }
  std::string appendonly() const { return locked(appendonly_); }
  std::string requirepass() const { return locked(requirepass_); }
  // The percentiles INFO latencystats shows, normalised as Redis prints them ("50 99 99.9").
  std::string latency_tracking_info_percentiles() const { return locked(latency_percentiles_); }
  void set_requirepass(std::string v) { lock_set(requirepass_, std::move(v)); }
  std::vector<std::string> bind_list() const {
    std::lock_guard lock(strings_mu_);
    return bind;
  }

  // Called after CONFIG SET changes a directive (name as in the table), on the worker that ran it.
  std::function<void(std::string_view name)> on_change;
  // Called by CONFIG SET once the new values are stored, before it answers, with the names of the
  // directives whose value changed, for changes that can fail only when put into effect (a port
  // that is taken). Returns "" or {name to blame, reason}; on failure every value of the SET is
  // put back, as Redis 7 rolls back. Runs under the update lock, so SETs never interleave.
  struct ApplyError {
    std::string name, reason;
  };
  std::function<ApplyError(const std::vector<std::string_view>& changed)> on_apply;

  // protected-mode (CONFIG SET may change it): refuse clients from non-loopback addresses while no
  // password is set and bind is the default.
  bool protected_mode() const { return protected_mode_.load(std::memory_order_relaxed) != 0; }

  // --- the directive table ---
  // Reads a redis.conf-syntax file (quotes, `include`, units 1k/1kb/1m/1gb, yes/no) and sets
  // config_file to its absolute path. On error returns a message naming the file, the line and the
  // reason; empty on success.
  std::string load_file(const std::string& path);
  // Applies config text (as in a file); origin names it in errors.
  std::string load_text(std::string_view text, const std::string& origin);
  // redis-server style command line, without argv[0]: `[conffile] [--directive value ...]`. Only
  // the first argument may be the file; the options are applied after it, so they override it.
  // Handles nothing of --version/--help (main does). Empty on success, else the error.
  std::string load_args(const std::vector<std::string>& args);
  // CONFIG GET: every (name, value) whose name matches one of the glob patterns (case-insensitive),
  // in table order, each name once. As in Redis, an old alias that matches
  // (hash-max-ziplist-entries) is returned under that alias.
  std::vector<std::pair<std::string, std::string>> get(
      const std::vector<std::string>& patterns) const;
  // CONFIG SET with one or more (name, value) pairs: all applied or none. Returns "" or the exact
  // Redis error text (without '-'), e.g. "ERR Unknown option or number of arguments for CONFIG SET
  // - 'foo'". Calls on_change for each directive whose value changed.
  std::string set(const std::vector<std::pair<std::string, std::string>>& pairs);
  // CONFIG REWRITE into config_file, keeping comments and unknown lines' order as Redis does.
  std::string rewrite() const;
  // Every directive with its current value, in table order (INFO and tests use it).
  std::vector<std::pair<std::string, std::string>> all() const;

 private:
  // The directive table (server/config_table.cpp) reaches the private strings through this.
  friend struct ConfigAccess;
  std::string locked(const std::string& s) const;
  void lock_set(std::string& field, std::string v);
  mutable std::mutex strings_mu_;  // guards the strings below, which CONFIG SET may change
  std::string save_ = "3600 1 300 100 60 10000";  // Redis's built-in default; no effect here
  std::string appendonly_ = "no";
  std::string requirepass_;
  std::string latency_percentiles_ = "50 99 99.9";
  // Accepted and shown without effect (conf/respite.conf).
  std::string oom_score_adj_values_ = "0 200 800";
  std::string proc_title_template_ = "{title} {listen-addr} {server-mode}";
  std::atomic<int64_t> protected_mode_{1};  // 0/1, an int64 so it fits the table's bool kind
  // Serialises CONFIG SET and REWRITE so that two concurrent SETs cannot interleave their values.
  mutable std::mutex update_mu_;
};

}  // namespace respite::server
