// The process-level pieces: starting and stopping workers, signals, logging. See server.h.
#include "server/server.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include "server/listeners.h"
#include "server/maxmemory.h"
#include "server/worker.h"

namespace respite::server {

unsigned resolve_threads(int configured) {
  if (configured > 0) return static_cast<unsigned>(configured);
  unsigned n = std::thread::hardware_concurrency();
  return n ? n : 1;
}

static unsigned shard_bits_for(const Config& cfg, unsigned workers) {
  if (cfg.shards > 0) {
    unsigned bits = 0;
    while ((1u << bits) < static_cast<unsigned>(cfg.shards)) bits++;
    return bits;
  }
  return storage::default_shard_bits(workers);
}

Server::Server(Config* cfg)
    : config(*cfg),
      store(cfg->databases, shard_bits_for(*cfg, resolve_threads(cfg->threads))),
      busy_script_dbs(new std::atomic<int>[static_cast<size_t>(cfg->databases)]()) {
  register_all_commands(commands);
  acl.set_pubsub_default_all(config.acl_pubsub_default.load() != 0);
  acl.init();
  if (!config.requirepass().empty()) acl.set_default_password(config.requirepass());
  // requirepass set live is the default user's password, as Redis's ACLUpdateDefaultUserPassword.
  config.on_change = [this, prev = std::move(config.on_change)](std::string_view name) {
    if (prev) prev(name);
    if (name == "requirepass") acl.set_default_password(config.requirepass());
    if (name == "port" || name == "bind") await_listener_swap(*this);
    if (name == "acl-pubsub-default")
      acl.set_pubsub_default_all(config.acl_pubsub_default.load(std::memory_order_relaxed) != 0);
  };
  // port and bind take effect when set: the listeners move, or the SET fails and rolls back.
  config.on_apply = [this](const std::vector<std::string_view>& changed) -> Config::ApplyError {
    const bool port = std::find(changed.begin(), changed.end(), "port") != changed.end();
    const bool bind = std::find(changed.begin(), changed.end(), "bind") != changed.end();
    if ((!port && !bind) || rebind_listeners(*this).empty()) return {};
    if (port) return {"port", "Unable to listen on this port. Check server logs."};
    return {"bind", "Failed to bind to specified addresses."};
  };
  watches.tracking = &tracking;
  store.set_watch(&watches);
  refresh_access_policy(*this);
  memory_baseline = store.fixed_bytes() +
                    static_cast<int64_t>(resolve_threads(cfg->threads) * Worker::kReadBufSize);
  std::random_device rd;
  run_id_hi = (uint64_t(rd()) << 32) | rd();
  run_id_lo = (uint64_t(rd()) << 32) | rd();
}

Server::~Server() = default;

namespace {
constexpr const char* kLevels[] = {"debug", "verbose", "notice", "warning"};
}  // namespace

const char* log_level_name(int level) {
  return kLevels[level < 0 ? 0 : level > 3 ? 3 : level];
}

void Server::log(const char* level, const std::string& msg) {
  int rank = 2;
  for (int i = 0; i < 4; i++)
    if (std::strcmp(level, kLevels[i]) == 0) rank = i;
  if (rank < config.loglevel.load(std::memory_order_relaxed)) return;
  // Redis's line: "pid:role dd Mon yyyy hh:mm:ss.mmm <mark> message", the mark showing the level.
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  struct tm tm;
  localtime_r(&tv.tv_sec, &tm);
  char ts[64];
  size_t n = strftime(ts, sizeof ts, "%d %b %Y %H:%M:%S", &tm);
  snprintf(ts + n, sizeof ts - n, ".%03d", int(tv.tv_usec / 1000));
  const char mark = ".-*#"[rank];
  std::string line = std::to_string(getpid()) + ":M " + ts + " " + mark + " " + msg + "\n";
  {
    // One writer at a time, so lines from several workers never interleave. The file is opened
    // for each line, as Redis does, so that a rotated log is picked up without a signal.
    std::lock_guard<std::mutex> lock(log_mu_);
    if (config.logfile.empty()) {
      fwrite(line.data(), 1, line.size(), stdout);
      fflush(stdout);
    } else if (FILE* f = fopen(config.logfile.c_str(), "a")) {
      fwrite(line.data(), 1, line.size(), f);
      fclose(f);
    }
  }
  if (config.syslog_enabled) {
    static constexpr int kPriority[] = {LOG_DEBUG, LOG_INFO, LOG_NOTICE, LOG_WARNING};
    syslog(kPriority[rank], "%s", msg.c_str());
  }
}

void Server::request_shutdown() {
  stopping_.store(true, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(shutdown_mu_);
  shutdown_ = true;
  shutdown_cv_.notify_all();
}

void Server::reset_stats() {
  store.lazy_free().reset_freed_objects();
  for (auto& w : workers) {
    WorkerStats& s = w->stats;
    for (Counter* c : {&s.commands, &s.connections, &s.net_in, &s.net_out, &s.hits, &s.misses,
                       &s.expired, &s.rejected_conns, &s.evicted, &s.reads, &s.writes})
      c->reset();
    for (size_t i = 0; i < commands.id_count(); i++) {
      CommandStats& cs = s.per_command[i];
      cs.calls.reset();
      cs.ns.reset();
      cs.rejected.reset();
      cs.failed.reset();
      if (LatencyHistogram* h = cs.latency.load(std::memory_order_acquire)) h->reset();
    }
    w->errors.reset();
  }
  stat_rejected_conn.store(0);
}

LatencyCounts Server::command_latency(int id) const {
  LatencyCounts out;
  for (const auto& w : workers) {
    if (const LatencyHistogram* h =
            w->stats.per_command[id].latency.load(std::memory_order_acquire))
      h->add_to(out);
  }
  return out;
}

void Server::add_latency_sample(const char* event, int64_t ms) {
  latency.add(event, ms, static_cast<int64_t>(time(nullptr)));
}

// Grows the kernel's descriptor table to hold descriptor `top` now. The kernel doubles a process's
// table as descriptors are handed out, and while more than one thread shares the table each
// doubling waits for an RCU grace period (expand_fdtable's synchronize_rcu), with every other
// thread's accept() parked behind it: during a storm of connects every worker stalled for 5-18 ms
// at 256, 512, 1,024, 2,048 and 4,096 descriptors. One F_DUPFD at that height pays the growth
// once, at start-up, before the workers exist; the table never shrinks, and costs the kernel
// 8 bytes per slot.
static void presize_fd_table(rlim_t top) {
  int probe = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (probe < 0) return;
  int high = ::fcntl(probe, F_DUPFD_CLOEXEC, static_cast<int>(std::min<rlim_t>(top, INT_MAX)));
  if (high >= 0) ::close(high);
  ::close(probe);
}

// As Redis does at start-up: make room for maxclients connections plus our own descriptors,
// within the hard limit, and say so when the hard limit is too low; then size the descriptor
// table for that many.
void Server::raise_open_files_limit() {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  rlim_t want =
      static_cast<rlim_t>(config.maxclients.load()) + 32 + 4 * resolve_threads(config.threads);
  if (rl.rlim_cur < want) {
    rlim_t target = rl.rlim_max == RLIM_INFINITY ? want : std::min(want, rl.rlim_max);
    rl.rlim_cur = target;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || target < want) {
      log("warning", "You requested maxclients of " + std::to_string(config.maxclients.load()) +
                         " requiring at least " + std::to_string(want) +
                         " max file descriptors; the hard limit allows " + std::to_string(target) +
                         ".");
    }
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur > 0) presize_fd_table(std::min(want, rl.rlim_cur) - 1);
}

std::string Server::apply_security_config() {
  for (auto& [from, to] : config.renames) {
    if (!commands.rename(from, to)) return "No such command in rename-command: '" + from + "'";
  }
  if (!config.renames.empty()) commands.finish();
  if (!config.user_lines.empty() && !config.aclfile.empty()) {
    return "Configuring Redis with users defined in redis.conf and at the same setting an ACL "
           "file path is invalid. This setup is very likely to lead to configuration errors and "
           "security holes, please define either an ACL file or declare users directly in your "
           "redis.conf, but not both.";
  }
  if (std::string err = acl.load_config_users(config.user_lines); !err.empty()) return err;
  if (!config.aclfile.empty()) {
    std::vector<std::vector<std::string>> lines;
    std::string err = read_acl_file(acl_file_path(config.dir, config.aclfile), &lines);
    if (err.empty()) err = acl.load_lines(lines, config.aclfile);
    if (!err.empty()) return "Aborting respite startup because of ACL errors: " + err;
  }
  return "";
}

int Server::run() {
  auto problems = commands.validate();
  if (!problems.empty()) {
    for (auto& p : problems) log("warning", "command table: " + p);
    return 1;
  }
  if (std::string err = apply_security_config(); !err.empty()) {
    log("warning", err);
    return 1;
  }
  start_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  // Signals are taken by one thread with sigwait; workers never see them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  // openlog keeps the ident pointer: config.syslog_ident is fixed once the server runs.
  if (config.syslog_enabled)
    openlog(config.syslog_ident.c_str(), LOG_PID | LOG_NDELAY | LOG_NOWAIT, config.syslog_facility);
  raise_open_files_limit();
  unsigned n = resolve_threads(config.threads);
  for (unsigned i = 0; i < n; i++)
    workers.push_back(std::make_unique<Worker>(this, static_cast<int>(i)));
  for (auto& w : workers) {
    std::string err;
    if (!w->listen(&err)) {
      log("warning", err);
      return 1;
    }
  }
  listen_port = config.port.load();
  listen_addrs = workers[0]->listener_addrs();
  if (!config.pidfile.empty()) std::ofstream(config.pidfile) << getpid() << "\n";
  store.compressor().start();
  for (auto& w : workers) w->start();
  log("notice", "respite " + std::string(kRespiteVersion) + " (Redis " + kRedisVersion +
                    " compatible) started, pid " + std::to_string(getpid()) + ", " +
                    std::to_string(n) + " worker(s), port " + std::to_string(config.port.load()));
  log("notice", "Ready to accept connections");

  std::thread signals([this, set] {
    int sig = 0;
    sigwait(&set, &sig);
    log("warning", std::string("Received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") +
                       " scheduling shutdown...");
    request_shutdown();
  });
  {
    std::unique_lock<std::mutex> lock(shutdown_mu_);
    shutdown_cv_.wait(lock, [this] { return shutdown_; });
  }
  log("warning", "User requested shutdown...");
  for (auto& w : workers) w->stop();
  for (auto& w : workers) w->join();
  if (!config.pidfile.empty()) unlink(config.pidfile.c_str());
  if (!config.unixsocket.empty()) unlink(config.unixsocket.c_str());
  log("warning", "respite is now ready to exit, bye bye...");
  // The signal thread may still be in sigwait: it ends with the process.
  signals.detach();
  return 0;
}

}  // namespace respite::server
