// INFO: the sections Redis 7.0 prints, with the fields clients and tools read (redis_version,
// connected_clients, used_memory, loading, role, keyspace db lines, commandstats), summed over
// every worker's counters.
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "server/context.h"
#include "server/error_stats.h"
#include "server/maxmemory.h"
#include "server/memory_report.h"

#ifdef RESPITE_WITH_MIMALLOC
#include <mimalloc.h>
#endif

namespace respite::server {

namespace {

std::string human_bytes(uint64_t n) {
  char buf[64];
  double d = static_cast<double>(n);
  if (n < 1024)
    snprintf(buf, sizeof buf, "%lluB", static_cast<unsigned long long>(n));
  else if (n < (1ull << 20))
    snprintf(buf, sizeof buf, "%.2fK", d / 1024);
  else if (n < (1ull << 30))
    snprintf(buf, sizeof buf, "%.2fM", d / (1 << 20));
  else if (n < (1ull << 40))
    snprintf(buf, sizeof buf, "%.2fG", d / (1ull << 30));
  else
    snprintf(buf, sizeof buf, "%.2fT", d / (1ull << 40));
  return buf;
}

struct Totals {
  uint64_t commands = 0, connections = 0, net_in = 0, net_out = 0, hits = 0, misses = 0,
           expired = 0;
  uint64_t evicted = 0, reads = 0, writes = 0;
};

Totals totals(Server& s) {
  Totals t;
  for (auto& w : s.workers) {
    t.commands += w->stats.commands.get();
    t.connections += w->stats.connections.get();
    t.net_in += w->stats.net_in.get();
    t.net_out += w->stats.net_out.get();
    t.hits += w->stats.hits.get();
    t.misses += w->stats.misses.get();
    t.expired += w->stats.expired.get();
    t.evicted += w->stats.evicted.get();
    t.reads += w->stats.reads.get();
    t.writes += w->stats.writes.get();
  }
  return t;
}

class Info {
 public:
  void section(const char* name) {
    if (!out.empty()) out += "\r\n";
    out += "# ";
    out += name;
    out += "\r\n";
  }
  template <class T>
  void field(const char* k, const T& v) {
    out += k;
    out += ':';
    if constexpr (std::is_convertible_v<T, std::string_view>)
      out += std::string_view(v);
    else
      out += std::to_string(v);
    out += "\r\n";
  }
  std::string out;
};

const char* policy_name(EvictionPolicy p) {
  switch (p) {
    case EvictionPolicy::kNoEviction:
      return "noeviction";
    case EvictionPolicy::kAllKeysLru:
      return "allkeys-lru";
    case EvictionPolicy::kAllKeysLfu:
      return "allkeys-lfu";
    case EvictionPolicy::kAllKeysRandom:
      return "allkeys-random";
    case EvictionPolicy::kVolatileLru:
      return "volatile-lru";
    case EvictionPolicy::kVolatileLfu:
      return "volatile-lfu";
    case EvictionPolicy::kVolatileRandom:
      return "volatile-random";
    case EvictionPolicy::kVolatileTtl:
      return "volatile-ttl";
  }
  return "noeviction";
}

std::string hex_id(uint64_t a, uint64_t b) {
  char buf[41];
  snprintf(buf, sizeof buf, "%016llx%016llx%08llx", static_cast<unsigned long long>(a),
           static_cast<unsigned long long>(b),
           static_cast<unsigned long long>(a ^ b) & 0xffffffffull);
  return buf;
}

void server_section(CmdCtx& c, Info& i) {
  Server& s = c.server;
  struct utsname u;
  uname(&u);
  int64_t up = (c.op.now_ms - s.start_ms) / 1000;
  i.section("Server");
  i.field("redis_version", kRedisVersion);
  i.field("respite_version", kRespiteVersion);
  i.field("redis_git_sha1", "00000000");
  i.field("redis_git_dirty", 0);
  i.field("redis_build_id", "0");
  i.field("redis_mode", "standalone");
  i.field("os", std::string(u.sysname) + " " + u.release + " " + u.machine);
  i.field("arch_bits", 64);
  i.field("monotonic_clock", s.clock.description());
  i.field("multiplexing_api", "epoll");
  i.field("atomicvar_api", "c11-builtin");
  i.field("gcc_version", std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
                             std::to_string(__GNUC_PATCHLEVEL__));
  i.field("process_id", getpid());
  i.field("process_supervised", "no");
  i.field("run_id", hex_id(s.run_id_hi, s.run_id_lo));
  i.field("tcp_port", s.config.port.load(std::memory_order_relaxed));
  i.field("server_time_usec", c.op.now_ms * 1000);
  i.field("uptime_in_seconds", up);
  i.field("uptime_in_days", up / 86400);
  i.field("hz", s.config.hz.load());
  i.field("configured_hz", s.config.hz.load());
  i.field("lru_clock", (c.op.now_ms / 1000) & 0xffffff);
  i.field("executable", s.executable);
  i.field("config_file", s.config.config_file);
  i.field("io_threads_active", 0);
  i.field("threads", s.worker_count());
}

void clients_section(CmdCtx& c, Info& i) {
  i.section("Clients");
  i.field("connected_clients", c.server.connected_clients.load());
  i.field("cluster_connections", 0);
  i.field("maxclients", c.server.config.maxclients.load());
  i.field("client_recent_max_input_buffer", 0);
  i.field("client_recent_max_output_buffer", 0);
  i.field("blocked_clients", c.server.blocking.blocked());
  i.field("tracking_clients", c.server.tracking.tracking_clients());
  i.field("clients_in_timeout_table", 0);
}

void memory_section(CmdCtx& c, Info& i) {
  // Redis 7.0's fields, in its order, where they mean something here (server/memory_report.h):
  // used_memory is the store's accounting plus the start-up structures, the clients' buffers and
  // what is being freed (server/maxmemory.h); maxmemory compares all but the last, which is
  // therefore mem_not_counted_for_evict.
  MemoryReport r = memory_report(c.server);
  auto u = [](int64_t v) { return static_cast<uint64_t>(v > 0 ? v : 0); };
  auto fixed2 = [](double d, bool percent) {
    char buf[32];
    snprintf(buf, sizeof buf, percent ? "%.2f%%" : "%.2f", d);
    return std::string(buf);
  };
  uint64_t maxmem = static_cast<uint64_t>(c.server.config.maxmemory.load());
  uint64_t system =
      static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  i.section("Memory");
  i.field("used_memory", u(r.total));
  i.field("used_memory_human", human_bytes(u(r.total)));
  i.field("used_memory_rss", u(r.rss));
  i.field("used_memory_rss_human", human_bytes(u(r.rss)));
  i.field("used_memory_peak", u(r.peak));
  i.field("used_memory_peak_human", human_bytes(u(r.peak)));
  i.field("used_memory_peak_perc", fixed2(r.peak_perc, true));
  i.field("used_memory_overhead", u(r.overhead_total));
  i.field("used_memory_startup", u(r.startup));
  i.field("used_memory_dataset", u(r.dataset));
  i.field("used_memory_dataset_perc", fixed2(r.dataset_perc, true));
  i.field("allocator_allocated", u(r.allocator_allocated));
  i.field("allocator_active", u(r.allocator_active));
  i.field("allocator_resident", u(r.allocator_resident));
  i.field("total_system_memory", system);
  i.field("total_system_memory_human", human_bytes(system));
  // Scripting: every worker's interpreter (EVAL scripts and functions share it), the bodies kept
  // for EVALSHA, and the function libraries.
  uint64_t lua = lua_memory(c.server), scripts = c.server.scripts.bytes();
  i.field("used_memory_lua", lua);
  i.field("used_memory_vm_eval", lua);
  i.field("used_memory_lua_human", human_bytes(lua));
  i.field("used_memory_scripts_eval", scripts);
  i.field("number_of_cached_scripts", static_cast<uint64_t>(c.server.scripts.size()));
  auto libs = c.server.functions.snapshot();
  uint64_t functions = 0;
  for (const auto& [name, lib] : libs->libraries) functions += lib.functions.size();
  i.field("number_of_functions", functions);
  i.field("number_of_libraries", static_cast<uint64_t>(libs->libraries.size()));
  i.field("used_memory_vm_functions", uint64_t{0});
  i.field("used_memory_vm_total", lua);
  i.field("used_memory_vm_total_human", human_bytes(lua));
  i.field("used_memory_functions", uint64_t{0});
  i.field("used_memory_scripts", scripts);
  i.field("used_memory_scripts_human", human_bytes(scripts));
  i.field("maxmemory", maxmem);
  i.field("maxmemory_human", human_bytes(maxmem));
  i.field("maxmemory_policy", policy_name(c.server.config.maxmemory_policy.load()));
  i.field("allocator_frag_ratio", fixed2(r.allocator_frag, false));
  i.field("allocator_frag_bytes", std::to_string(r.allocator_frag_bytes));
  i.field("allocator_rss_ratio", fixed2(r.allocator_rss, false));
  i.field("allocator_rss_bytes", std::to_string(r.allocator_rss_bytes));
  i.field("rss_overhead_ratio", fixed2(r.rss_extra, false));
  i.field("rss_overhead_bytes", std::to_string(r.rss_extra_bytes));
  i.field("mem_fragmentation_ratio", fixed2(r.total_frag, false));
  i.field("mem_fragmentation_bytes", std::to_string(r.total_frag_bytes));
  i.field("mem_not_counted_for_evict", u(r.reclaim));
  i.field("mem_replication_backlog", 0);
  i.field("mem_total_replication_buffers", 0);
  i.field("mem_clients_slaves", 0);
  i.field("mem_clients_normal", u(r.clients_normal));
  i.field("mem_cluster_links", 0);
  i.field("mem_aof_buffer", 0);
#ifdef RESPITE_WITH_MIMALLOC
  i.field("mem_allocator", "mimalloc-" + std::to_string(mi_version()));
#else
  i.field("mem_allocator", "libc");
#endif
  i.field("active_defrag_running", 0);
  // Both in Memory, after mem_allocator, where Redis 7.0 prints them.
  i.field("lazyfree_pending_objects", c.server.store.lazy_free().pending_objects());
  i.field("lazyfreed_objects", c.server.store.lazy_free().freed_objects());
}

// respite's own section: string values stored LZ4-compressed (storage/compress.h). The counts of
// values alive are process-wide; the rest are summed over the workers' counters.
void compression_section(CmdCtx& c, Info& i) {
  uint64_t made = 0, raw = 0, stored = 0, skipped = 0, compress_ns = 0, decompress_ns = 0;
  for (auto& w : c.server.workers) {
    made += w->stats.lz4_values.get();
    raw += w->stats.lz4_raw.get();
    stored += w->stats.lz4_stored.get();
    skipped += w->stats.lz4_skipped.get();
    compress_ns += w->stats.lz4_compress_ns.get();
    decompress_ns += w->stats.lz4_decompress_ns.get();
  }
  // The background compressor's work counts in the same totals (storage/compressor.h).
  storage::Compressor::Stats bg = c.server.store.compressor().stats();
  made += bg.compressed;
  raw += bg.raw_bytes;
  stored += bg.stored_bytes;
  skipped += bg.not_worth_it;
  compress_ns += bg.compress_ns;
  storage::CompressLive live = storage::compress_live();
  i.section("Compression");
  i.field("compression_threshold", c.server.config.compression_threshold.load());
  i.field("compression_min_saving", c.server.config.compression_min_saving.load());
  i.field("compressed_values", live.values);  // stored now
  i.field("compressed_values_raw_bytes", live.raw_bytes);
  i.field("compressed_values_stored_bytes", live.stored_bytes);
  i.field("compressions", made);  // ever made, as the totals below
  i.field("compressed_bytes_raw", raw);
  i.field("compressed_bytes_stored", stored);
  char ratio[32];
  snprintf(ratio, sizeof ratio, "%.2f", stored ? double(raw) / double(stored) : 0.0);
  i.field("compression_ratio", ratio);
  i.field("compress_usec", compress_ns / 1000);
  i.field("decompress_usec", decompress_ns / 1000);
  i.field("compress_skipped", skipped);
  i.field("compression_background", c.server.config.compression_background.load() ? "yes" : "no");
  i.field("compress_pending", bg.pending);  // queued for the background compressor
  i.field("compress_pending_bytes", bg.pending_bytes);
  i.field("compress_dropped", bg.dropped);  // not queued: the backlog was full; stored raw
}

void persistence_section(CmdCtx& c, Info& i) {
  i.section("Persistence");
  i.field("loading", 0);
  i.field("async_loading", 0);
  i.field("current_cow_peak", 0);
  // No fork ever runs (no RDB, no AOF): Redis 7.0's values for a server that never saved, so
  // that monitoring (redis_exporter, tests/integration/info_fields_test.cpp) finds every field.
  i.field("current_cow_size", 0);
  i.field("current_cow_size_age", 0);
  i.field("current_fork_perc", "0.00");
  i.field("current_save_keys_processed", 0);
  i.field("current_save_keys_total", 0);
  i.field("rdb_changes_since_last_save", 0);
  i.field("rdb_bgsave_in_progress", 0);
  i.field("rdb_last_save_time", c.server.start_ms / 1000);
  i.field("rdb_last_bgsave_status", "ok");
  i.field("rdb_last_bgsave_time_sec", -1);
  i.field("rdb_current_bgsave_time_sec", -1);
  i.field("rdb_saves", 0);
  i.field("rdb_last_cow_size", 0);
  i.field("rdb_last_load_keys_expired", 0);
  i.field("rdb_last_load_keys_loaded", 0);
  i.field("aof_enabled", 0);
  i.field("aof_rewrite_in_progress", 0);
  i.field("aof_rewrite_scheduled", 0);
  i.field("aof_last_rewrite_time_sec", -1);
  i.field("aof_current_rewrite_time_sec", -1);
  i.field("aof_last_bgrewrite_status", "ok");
  i.field("aof_rewrites", 0);
  i.field("aof_rewrites_consecutive_failures", 0);
  i.field("aof_last_write_status", "ok");
  i.field("aof_last_cow_size", 0);
  i.field("module_fork_in_progress", 0);
  i.field("module_fork_last_cow_size", 0);
}

void stats_section(CmdCtx& c, Info& i) {
  Totals t = totals(c.server);
  i.section("Stats");
  i.field("total_connections_received", t.connections);
  i.field("total_commands_processed", t.commands);
  i.field("instantaneous_ops_per_sec", 0);
  i.field("total_net_input_bytes", t.net_in);
  i.field("total_net_output_bytes", t.net_out);
  // Replication, forks, defragmentation and I/O threads do not exist here: Redis 7.0's fields
  // with the values it shows without them, in its order (redis_exporter reads most of them).
  i.field("total_net_repl_input_bytes", 0);
  i.field("total_net_repl_output_bytes", 0);
  i.field("instantaneous_input_kbps", "0.00");
  i.field("instantaneous_output_kbps", "0.00");
  i.field("instantaneous_input_repl_kbps", "0.00");
  i.field("instantaneous_output_repl_kbps", "0.00");
  i.field("rejected_connections", c.server.stat_rejected_conn.load());
  i.field("sync_full", 0);
  i.field("sync_partial_ok", 0);
  i.field("sync_partial_err", 0);
  i.field("expired_keys", t.expired);
  i.field("expired_stale_perc", "0.00");
  i.field("expired_time_cap_reached_count", 0);
  i.field("expire_cycle_cpu_milliseconds", 0);
  i.field("evicted_keys", t.evicted);
  i.field("evicted_clients", 0);  // no maxmemory-clients: clients are never evicted
  i.field("total_eviction_exceeded_time", 0);
  i.field("current_eviction_exceeded_time", 0);
  i.field("keyspace_hits", t.hits);
  i.field("keyspace_misses", t.misses);
  i.field("pubsub_channels", c.server.pubsub.channel_count(false));
  i.field("pubsub_patterns", c.server.pubsub.numpat());
  i.field("pubsubshard_channels", c.server.pubsub.channel_count(true));
  i.field("latest_fork_usec", 0);
  i.field("total_forks", 0);
  i.field("migrate_cached_sockets", 0);
  i.field("slave_expires_tracked_keys", 0);
  i.field("active_defrag_hits", 0);
  i.field("active_defrag_misses", 0);
  i.field("active_defrag_key_hits", 0);
  i.field("active_defrag_key_misses", 0);
  i.field("total_active_defrag_time", 0);
  i.field("current_active_defrag_time", 0);
  i.field("tracking_total_keys", c.server.tracking.total_keys());
  i.field("tracking_total_items", c.server.tracking.total_items());
  i.field("tracking_total_prefixes", c.server.tracking.total_prefixes());
  uint64_t errors = 0;
  for (auto& w : c.server.workers) errors += w->errors.total();
  i.field("unexpected_error_replies", 0);  // no replication: no replica or master to surprise
  i.field("total_error_replies", errors);
  i.field("dump_payload_sanitizations", 0);
  // Reads and try-writes of client sockets (Redis counts its read and write handler calls).
  i.field("total_reads_processed", t.reads);
  i.field("total_writes_processed", t.writes);
  i.field("io_threaded_reads_processed", 0);
  i.field("io_threaded_writes_processed", 0);
  i.field("reply_buffer_shrinks", 0);
  i.field("reply_buffer_expands", 0);
}

void replication_section(CmdCtx& c, Info& i) {
  i.section("Replication");
  i.field("role", "master");
  i.field("connected_slaves", 0);
  i.field("master_failover_state", "no-failover");
  i.field("master_replid", hex_id(c.server.run_id_lo, c.server.run_id_hi));
  i.field("master_replid2", "0000000000000000000000000000000000000000");
  i.field("master_repl_offset", 0);
  i.field("second_repl_offset", -1);
  i.field("repl_backlog_active", 0);
  i.field("repl_backlog_size", 1048576);  // Redis's default; there is no backlog here
  i.field("repl_backlog_first_byte_offset", 0);
  i.field("repl_backlog_histlen", 0);
}

// A thread's user and system CPU seconds, from /proc/self/task/<tid>/stat (fields 14 and 15, in
// clock ticks): getrusage(RUSAGE_THREAD) only measures the calling thread. False if unreadable.
bool thread_cpu(int tid, double* user, double* sys) {
  if (tid <= 0) return false;
  char path[64];
  snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
  FILE* f = fopen(path, "r");
  if (!f) return false;
  char buf[1024];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  // The name (field 2) is in parentheses and may hold spaces: count fields after its ')'.
  const char* p = strrchr(buf, ')');
  unsigned long long ut = 0, st = 0;
  if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
    return false;
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  *user = static_cast<double>(ut) / tick;
  *sys = static_cast<double>(st) / tick;
  return true;
}

std::string seconds6(double s) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.6f", s);
  return buf;
}

void cpu_section(CmdCtx& c, Info& i) {
  struct rusage self, children;
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  auto secs = [](const timeval& tv) {
    char buf[32];
    snprintf(buf, sizeof buf, "%ld.%06ld", static_cast<long>(tv.tv_sec),
             static_cast<long>(tv.tv_usec));
    return std::string(buf);
  };
  i.section("CPU");
  i.field("used_cpu_sys", secs(self.ru_stime));
  i.field("used_cpu_user", secs(self.ru_utime));
  i.field("used_cpu_sys_children", secs(children.ru_stime));
  i.field("used_cpu_user_children", secs(children.ru_utime));
  // Redis's "main thread" runs every command; here each worker does, so worker 0 stands for it
  // and every worker gets its own pair, to show whether load is balanced across cores.
  auto& workers = c.server.workers;
  for (size_t w = 0; w < workers.size(); w++) {
    double user = 0, sys = 0;
    thread_cpu(workers[w]->tid.load(std::memory_order_relaxed), &user, &sys);
    if (w == 0) {
      i.field("used_cpu_sys_main_thread", seconds6(sys));
      i.field("used_cpu_user_main_thread", seconds6(user));
    }
    const std::string n = std::to_string(w);
    i.field(("used_cpu_sys_worker" + n).c_str(), seconds6(sys));
    i.field(("used_cpu_user_worker" + n).c_str(), seconds6(user));
  }
}

// respite's own section: one line per worker with its live connections, commands run, bytes in
// and out and CPU seconds, so an operator can see whether SO_REUSEPORT spread the load.
void threads_section(CmdCtx& c, Info& i) {
  i.section("Threads");
  auto& workers = c.server.workers;
  i.field("threads", workers.size());
  for (size_t w = 0; w < workers.size(); w++) {
    Worker& wk = *workers[w];
    double user = 0, sys = 0;
    thread_cpu(wk.tid.load(std::memory_order_relaxed), &user, &sys);
    std::string v = "connections=" + std::to_string(wk.connection_count.load()) +
                    ",commands=" + std::to_string(wk.stats.commands.get()) +
                    ",net_input_bytes=" + std::to_string(wk.stats.net_in.get()) +
                    ",net_output_bytes=" + std::to_string(wk.stats.net_out.get()) +
                    ",used_cpu_sys=" + seconds6(sys) + ",used_cpu_user=" + seconds6(user);
    i.field(("worker" + std::to_string(w)).c_str(), v);
  }
}

void commandstats_section(CmdCtx& c, Info& i) {
  i.section("Commandstats");
  CommandTable& t = c.server.commands;
  for (size_t id = 0; id < t.id_count(); id++) {
    uint64_t calls = 0, ns = 0, rejected = 0, failed = 0;
    for (auto& w : c.server.workers) {
      CommandStats& s = w->stats.per_command[id];
      calls += s.calls.get();
      ns += s.ns.get();
      rejected += s.rejected.get();
      failed += s.failed.get();
    }
    if (calls + rejected + failed == 0) continue;
    char buf[256];
    snprintf(buf, sizeof buf,
             "calls=%llu,usec=%llu,usec_per_call=%.2f,rejected_calls=%llu,failed_calls=%llu",
             static_cast<unsigned long long>(calls), static_cast<unsigned long long>(ns / 1000),
             calls ? double(ns) / 1000 / double(calls) : 0.0,
             static_cast<unsigned long long>(rejected), static_cast<unsigned long long>(failed));
    std::string name = "cmdstat_" + t.by_id(static_cast<int>(id))->name;
    i.field(name.c_str(), buf);
  }
}

// Every error reply by its code, summed over the workers, in byte order (Redis's rax order).
void errorstats_section(CmdCtx& c, Info& i) {
  i.section("Errorstats");
  std::map<std::string, uint64_t, std::less<>> by_code;
  for (auto& w : c.server.workers) w->errors.add_to(by_code);
  for (const auto& [code, n] : by_code)
    i.field(errorstat_name(code).c_str(), "count=" + std::to_string(n));
}

// One line per command called since the last CONFIG RESETSTAT, its workers' histograms merged:
// latency_percentiles_usec_<name>:p50=1.023,p99=... with the percentiles as CONFIG GET prints
// them and each value in microseconds with %.3f, as Redis 7.0. Empty while latency-tracking is off.
void latencystats_section(CmdCtx& c, Info& i) {
  i.section("Latencystats");
  if (!c.server.config.latency_tracking.load(std::memory_order_relaxed)) return;
  std::vector<std::pair<std::string, double>> wanted;  // (as printed, value)
  std::string list = c.server.config.latency_tracking_info_percentiles();
  for (size_t at = 0; at < list.size();) {
    size_t end = list.find(' ', at);
    if (end == std::string::npos) end = list.size();
    std::string word = list.substr(at, end - at);
    wanted.emplace_back(word, std::strtod(word.c_str(), nullptr));
    at = end + 1;
  }
  CommandTable& t = c.server.commands;
  for (size_t id = 0; id < t.id_count(); id++) {
    LatencyCounts h = c.server.command_latency(static_cast<int>(id));
    if (h.total == 0) continue;
    std::string v;
    for (const auto& [name, p] : wanted) {
      char buf[64];
      snprintf(buf, sizeof buf, "=%.3f", static_cast<double>(h.percentile(p)) / 1000.0);
      v += (v.empty() ? "p" : ",p") + name + buf;
    }
    std::string name = "latency_percentiles_usec_" + t.by_id(static_cast<int>(id))->name;
    i.field(name.c_str(), v);
  }
}

void keyspace_section(CmdCtx& c, Info& i) {
  i.section("Keyspace");
  for (int d = 0; d < c.server.store.databases(); d++) {
    storage::Keyspace& ks = c.server.store.db(d);
    uint64_t keys = ks.size();
    if (keys == 0) continue;
    std::string v =
        "keys=" + std::to_string(keys) + ",expires=" + std::to_string(ks.expires()) + ",avg_ttl=0";
    std::string name = "db" + std::to_string(d);
    i.field(name.c_str(), v);
  }
}

}  // namespace

void cmd_info(CmdCtx& c) {
  // Which sections: none given = Redis's default set; "all" adds commandstats; "everything" too.
  bool all = false, deflt = c.argc() == 1;
  std::vector<std::string> want;
  for (size_t j = 1; j < c.argc(); j++) {
    std::string s = lowercase(c.arg(j));
    if (s == "all" || s == "everything")
      all = true;
    else if (s == "default")
      deflt = true;
    else
      want.push_back(s);
  }
  auto on = [&](const char* name, bool in_default) {
    if (all) return true;
    if (deflt && in_default) return true;
    return std::find(want.begin(), want.end(), name) != want.end();
  };
  Info i;
  if (on("server", true)) server_section(c, i);
  if (on("clients", true)) clients_section(c, i);
  if (on("memory", true)) memory_section(c, i);
  if (on("compression", true)) compression_section(c, i);
  if (on("persistence", true)) persistence_section(c, i);
  if (on("stats", true)) stats_section(c, i);
  if (on("replication", true)) replication_section(c, i);
  if (on("cpu", true)) cpu_section(c, i);
  if (on("threads", true)) threads_section(c, i);
  if (on("modules", true)) i.section("Modules");
  if (on("commandstats", false)) commandstats_section(c, i);
  if (on("errorstats", true)) errorstats_section(c, i);
  if (on("latencystats", false)) latencystats_section(c, i);
  if (on("cluster", true)) {
    i.section("Cluster");
    i.field("cluster_enabled", 0);
  }
  if (on("keyspace", true)) keyspace_section(c, i);
  c.reply.verbatim(i.out);
}

}  // namespace respite::server
