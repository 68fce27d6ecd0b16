// INFO as redis_exporter (the Prometheus exporter most Redis deployments are watched with) reads
// it: every field it turns into a metric for a Redis 7 master must be present and parse the way it
// parses it, or a dashboard silently loses that series. The field lists come from
// github.com/oliver006/redis_exporter at cd5941f16199f1f1fa9c12b3bf24b509875c955a (2026-08-05):
// exporter/exporter.go's metricMapGauges and metricMapCounters (the fields it exports as numbers),
// kept where Debian's redis-server 7.0.15 prints them too (fields of later releases, replicas,
// KeyDB, Tile38 and modules left out), and exporter/info.go's parsers: the instance_info labels,
// uptime_in_seconds / hz / configured_hz as integers, cmdstat_* (parseMetricsCommandStats: five
// comma-separated key=value numbers), latency_percentiles_usec_* (parseMetricsLatencyStats:
// pNN=value pairs), errorstat_* (count=N) and db* keyspace lines (parseDBKeyspaceString: keys=,
// expires=, avg_ttl=). A value is a number as exporter/metrics.go's parseAndRegisterConstMetric
// takes one: "ok"/"true"/"err"/"fail"/"false" or what Go's strconv.ParseFloat accepts. Written to
// pass against redis-server 7.0 too (RESPITE_SERVER_BIN=/usr/bin/redis-server).
#include <cstdlib>
#include <map>
#include <sstream>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

// Gauges and counters of metricMapGauges / metricMapCounters that Redis 7.0.15 prints.
const char* const kNumericFields[] = {
    // Server
    "uptime_in_seconds", "process_id", "io_threads_active",
    // Clients
    "connected_clients", "blocked_clients", "maxclients", "tracking_clients",
    "clients_in_timeout_table", "client_recent_max_input_buffer", "client_recent_max_output_buffer",
    // Memory
    "allocator_active", "allocator_allocated", "allocator_resident", "allocator_frag_ratio",
    "allocator_frag_bytes", "allocator_rss_ratio", "allocator_rss_bytes", "used_memory",
    "used_memory_rss", "used_memory_peak", "used_memory_lua", "used_memory_vm_eval",
    "used_memory_scripts_eval", "used_memory_overhead", "used_memory_startup",
    "used_memory_dataset", "number_of_cached_scripts", "number_of_functions", "number_of_libraries",
    "used_memory_vm_functions", "used_memory_scripts", "used_memory_functions",
    "used_memory_vm_total", "maxmemory", "mem_fragmentation_ratio", "mem_fragmentation_bytes",
    "mem_clients_slaves", "mem_clients_normal", "mem_cluster_links", "mem_aof_buffer",
    "mem_replication_backlog", "mem_not_counted_for_evict", "mem_total_replication_buffers",
    "lazyfree_pending_objects", "lazyfreed_objects", "active_defrag_running", "total_system_memory",
    // Persistence
    "loading", "async_loading", "rdb_changes_since_last_save", "rdb_bgsave_in_progress",
    "rdb_last_save_time", "rdb_last_bgsave_status", "rdb_last_bgsave_time_sec",
    "rdb_current_bgsave_time_sec", "rdb_saves", "rdb_last_cow_size", "rdb_last_load_keys_expired",
    "rdb_last_load_keys_loaded", "aof_enabled", "aof_rewrite_in_progress", "aof_rewrite_scheduled",
    "aof_last_rewrite_time_sec", "aof_current_rewrite_time_sec", "aof_last_bgrewrite_status",
    "aof_last_write_status", "aof_last_cow_size", "module_fork_in_progress",
    "module_fork_last_cow_size",
    // Stats
    "total_connections_received", "total_commands_processed", "rejected_connections",
    "total_net_input_bytes", "total_net_output_bytes", "total_net_repl_input_bytes",
    "total_net_repl_output_bytes", "expired_keys", "expired_stale_perc",
    "expired_time_cap_reached_count", "expire_cycle_cpu_milliseconds", "evicted_keys",
    "evicted_clients", "total_eviction_exceeded_time", "current_eviction_exceeded_time",
    "keyspace_hits", "keyspace_misses", "pubsub_channels", "pubsub_patterns",
    "pubsubshard_channels", "latest_fork_usec", "migrate_cached_sockets",
    "slave_expires_tracked_keys", "active_defrag_hits", "active_defrag_misses",
    "active_defrag_key_hits", "active_defrag_key_misses", "tracking_total_keys",
    "tracking_total_items", "tracking_total_prefixes", "unexpected_error_replies",
    "total_error_replies", "dump_payload_sanitizations", "total_reads_processed",
    "total_writes_processed", "io_threaded_reads_processed", "io_threaded_writes_processed",
    "reply_buffer_shrinks", "reply_buffer_expands",
    // Replication
    "connected_slaves", "repl_backlog_size", "repl_backlog_active",
    "repl_backlog_first_byte_offset", "repl_backlog_histlen", "master_repl_offset",
    "second_repl_offset", "sync_full", "sync_partial_ok", "sync_partial_err",
    // CPU
    "used_cpu_sys", "used_cpu_user", "used_cpu_sys_children", "used_cpu_user_children",
    "used_cpu_sys_main_thread", "used_cpu_user_main_thread",
    // Cluster (every cluster_* field is exported)
    "cluster_enabled"};

// The instance_info labels: present, any text.
const char* const kLabelFields[] = {
    "role",     "redis_version", "redis_build_id", "redis_mode",   "os", "maxmemory_policy",
    "tcp_port", "run_id",        "process_id",     "master_replid"};

// Section (as "# Name" prints it) -> field -> value, as exporter/info.go splits the text.
using Sections = std::map<std::string, std::map<std::string, std::string>>;

Sections parse_info(const std::string& text) {
  Sections out;
  std::string section;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("# ", 0) == 0) {
      section = line.substr(2);
      out[section];
      continue;
    }
    size_t colon = line.find(':');
    if (line.size() < 2 || colon == std::string::npos) continue;
    out[section][line.substr(0, colon)] = line.substr(colon + 1);
  }
  return out;
}

// strconv.ParseFloat's acceptance for the values INFO prints: the whole text is one number.
bool go_float(const std::string& s) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}
bool exporter_number(const std::string& s) {
  for (const char* word : {"ok", "true", "err", "fail", "false"})
    if (s == word) return true;
  return go_float(s);
}
bool go_int(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  std::strtoll(s.c_str(), &end, 10);
  return end == s.c_str() + s.size();
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t at = 0;
  for (;;) {
    size_t next = s.find(sep, at);
    out.push_back(s.substr(at, next - at));
    if (next == std::string::npos) return out;
    at = next + 1;
  }
}

// extractVal: exactly one '=' and a number after it.
bool key_number(const std::string& kv, const std::string& key = "") {
  std::vector<std::string> parts = split(kv, '=');
  if (parts.size() != 2 || !go_float(parts[1])) return false;
  return key.empty() || parts[0] == key;
}

// Commands that make every per-command section carry lines: stats for GET and SET, an error
// under ERR and one under WRONGTYPE, keys with and without a TTL.
void make_activity(Fixture& f) {
  REQUIRE(f.cmd({"SET", "plain", "v"}).is_ok());
  REQUIRE(f.cmd({"SET", "ttl", "v", "EX", "1000"}).is_ok());
  REQUIRE(f.cmd({"GET", "plain"}).str == "v");
  REQUIRE(f.cmd({"GET", "missing"}).is_nil());
  REQUIRE(f.cmd({"NO-SUCH-COMMAND"}).is_error());
  REQUIRE(f.cmd({"LPUSH", "plain", "x"}).is_error());
}

}  // namespace

TEST_CASE("INFO everything carries every numeric field redis_exporter exports, as numbers") {
  Fixture f;
  make_activity(f);
  Sections info = parse_info(f.cmd({"INFO", "everything"}).str);
  for (const char* name :
       {"Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Commandstats",
        "Errorstats", "Latencystats", "Keyspace", "Cluster"}) {
    INFO("section " << name);
    CHECK(info.count(name) == 1);
  }
  std::map<std::string, std::string> all;
  for (const auto& [section, fields] : info) all.insert(fields.begin(), fields.end());
  for (const char* field : kNumericFields) {
    INFO("field " << field);
    auto it = all.find(field);
    REQUIRE_MESSAGE(it != all.end(), "missing field " << field);
    CHECK_MESSAGE(exporter_number(it->second), field << ":" << it->second << " is not a number");
  }
  for (const char* field : kLabelFields) CHECK_MESSAGE(all.count(field) == 1, "missing " << field);
  CHECK(all["role"] == "master");
  // handleMetricsServer parses these with ParseFloat / ParseInt.
  CHECK(go_int(all["hz"]));
  CHECK(go_int(all["configured_hz"]));
  CHECK(go_float(all["uptime_in_seconds"]));
  CHECK(go_int(all["tcp_port"]));
}

TEST_CASE("per-command, error and keyspace lines parse as redis_exporter's parsers expect") {
  Fixture f;
  make_activity(f);
  Sections info = parse_info(f.cmd({"INFO", "everything"}).str);

  // cmdstat_get:calls=2,usec=..,usec_per_call=..,rejected_calls=0,failed_calls=0 (Redis >= 6.2).
  auto& cmds = info["Commandstats"];
  for (const char* cmd : {"cmdstat_get", "cmdstat_set", "cmdstat_lpush"}) {
    INFO(cmd);
    REQUIRE(cmds.count(cmd) == 1);
    std::vector<std::string> parts = split(cmds[cmd], ',');
    REQUIRE(parts.size() == 5);
    CHECK(key_number(parts[0], "calls"));
    CHECK(key_number(parts[1], "usec"));
    CHECK(key_number(parts[2], "usec_per_call"));
    CHECK(key_number(parts[3], "rejected_calls"));
    CHECK(key_number(parts[4], "failed_calls"));
  }
  CHECK(cmds["cmdstat_get"].rfind("calls=2,", 0) == 0);
  CHECK(cmds["cmdstat_lpush"].find(",failed_calls=1") != std::string::npos);

  // latency_percentiles_usec_get:p50=1.003,p99=1.003,p99.9=1.003
  auto& lat = info["Latencystats"];
  REQUIRE(lat.count("latency_percentiles_usec_get") == 1);
  for (const std::string& kv : split(lat["latency_percentiles_usec_get"], ',')) {
    INFO(kv);
    std::vector<std::string> parts = split(kv, '=');
    REQUIRE(parts.size() == 2);
    REQUIRE(parts[0].size() > 1);
    CHECK(parts[0][0] == 'p');
    CHECK(go_float(parts[0].substr(1)));
    CHECK(go_float(parts[1]));
  }

  // errorstat_ERR:count=1, errorstat_WRONGTYPE:count=1
  auto& errs = info["Errorstats"];
  CHECK(errs["errorstat_ERR"] == "count=1");
  CHECK(errs["errorstat_WRONGTYPE"] == "count=1");

  // db0:keys=2,expires=1,avg_ttl=... (avg_ttl in milliseconds; the exporter divides by 1000)
  auto& ks = info["Keyspace"];
  REQUIRE(ks.count("db0") == 1);
  std::vector<std::string> parts = split(ks["db0"], ',');
  REQUIRE(parts.size() >= 3);
  CHECK(parts[0] == "keys=2");
  CHECK(parts[1] == "expires=1");
  CHECK(key_number(parts[2], "avg_ttl"));
}
