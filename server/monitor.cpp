// MONITOR's registry and line format; see monitor.h.
#include "server/monitor.h"

#include <sys/time.h>

#include <algorithm>
#include <cstdio>

#include "server/connection.h"
#include "server/server.h"
#include "server/worker.h"

namespace respite::server {

namespace {

// Writes a line to one monitor on its own worker: straight into its output, flushed with the
// worker's other pushed frames (pubsub_mail.dirty) once the running callback is done.
void deliver(Worker& w, Connection& c, const std::string& line) {
  if (c.closing() || c.reply_mode == Connection::ReplyMode::kOff) return;
  c.out.append(line);
  if (!c.check_output_limit()) return;  // closed: a monitor that does not read
  if (!c.flush_scheduled) {
    c.flush_scheduled = true;
    w.pubsub_mail.dirty.push_back(&c);
  }
}

}  // namespace

bool Monitors::add(Connection& c) {
  Connection::Rare& r = c.rare();
  if (r.monitor) return false;
  r.monitor = std::make_shared<MonitorRef>(MonitorRef{c.worker, &c});
  c.monitoring.store(true, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(mu_);
  list_.push_back(r.monitor);
  hooks_.fetch_or(kHookMonitor, std::memory_order_relaxed);
  return true;
}

void Monitors::remove(Connection& c) {
  Connection::Rare* r = c.rare_if();
  if (!r || !r->monitor) return;
  r->monitor->conn = nullptr;  // lines already posted to our worker skip us
  c.monitoring.store(false, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mu_);
    list_.erase(std::find(list_.begin(), list_.end(), r->monitor));
    if (list_.empty()) hooks_.fetch_and(~uint32_t{kHookMonitor}, std::memory_order_relaxed);
  }
  r->monitor.reset();
}

size_t Monitors::count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return list_.size();
}

void Monitors::feed(Worker& w, const Connection& from, int db,
                    const std::vector<std::string_view>& argv) {
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  std::string client;
  if (from.in_script)
    client = "lua";
  else if (from.is_unix)
    client = "unix:" + w.server->config.unixsocket;
  else
    client = from.addr;
  auto line = std::make_shared<const std::string>(
      monitor_line(int64_t(tv.tv_sec) * 1000000 + tv.tv_usec, db, client, argv));
  // Copied out of the lock: a delivery may close its monitor, which removes it from the list.
  std::vector<std::shared_ptr<MonitorRef>> targets;
  {
    std::lock_guard<std::mutex> lock(mu_);
    targets = list_;
  }
  for (const auto& t : targets) {
    if (t->worker == &w) {
      if (t->conn) deliver(w, *t->conn, *line);
    } else {
      t->worker->post([t, line](Worker& dest) {
        if (t->conn) deliver(dest, *t->conn, *line);
      });
    }
  }
}

std::string monitor_line(int64_t unix_us, int db, std::string_view client,
                         const std::vector<std::string_view>& argv) {
  char head[64];
  std::snprintf(head, sizeof head, "+%lld.%06lld [%d ", static_cast<long long>(unix_us / 1000000),
                static_cast<long long>(unix_us % 1000000), db);
  std::string out(head);
  out += client;
  out += "] ";
  for (size_t j = 0; j < argv.size(); j++) {
    if (j) out += ' ';
    append_repr(out, argv[j]);
  }
  out += "\r\n";
  return out;
}

}  // namespace respite::server
