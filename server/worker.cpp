// A worker's loop: listeners, accepting, the periodic cron (active expiry, idle clients,
// reclamation) and the inbox. See worker.h for the loop-per-core rules.
#include "server/worker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

#include "server/client_pause.h"
#include "server/connection.h"
#include "server/listeners.h"
#include "server/maxmemory.h"
#include "server/server.h"

#ifdef RESPITE_WITH_MIMALLOC
#include <mimalloc.h>
#endif

namespace respite::server {

Worker::Worker(Server* s, int idx)
    : server(s),
      index(idx),
      scripting(std::make_unique<WorkerScripting>()),
      notify(*this, s->config.notify_keyspace_events) {
  // Different for every worker and every run: clients must not be able to predict SPOP.
  rng.state = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
              (static_cast<uint64_t>(idx) << 56) ^ reinterpret_cast<uintptr_t>(this);
  uv_loop_init(&loop);
  loop.data = this;
  read_buf = new char[kReadBufSize];
  stats.per_command.reset(new CommandStats[s->commands.id_count()]);
  uv_async_init(&loop, &async_, on_async);
  async_.data = this;
  uv_timer_init(&loop, &cron_timer_);
  cron_timer_.data = this;
  uv_prepare_init(&loop, &turn_);
  turn_.data = this;
  uv_idle_init(&loop, &resume_idle_);
  resume_idle_.data = this;
}

Worker::~Worker() {
  uv_loop_close(&loop);
  delete[] read_buf;
}

int64_t Worker::now_ms() const {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

static std::string format_addr(const struct sockaddr* sa) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (sa->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    port = ntohs(in->sin_port);
  } else if (sa->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    port = ntohs(in6->sin6_port);
  }
  return std::string(host) + ":" + std::to_string(port);
}

bool Worker::adopt_listener(const std::string& addr, int fd) {
  auto h = std::make_unique<uv_tcp_t>();
  uv_tcp_init(&loop, h.get());
  h->data = this;
  if (uv_tcp_open(h.get(), fd) != 0) {
    ::close(fd);
    uv_close(reinterpret_cast<uv_handle_t*>(h.release()),
             [](uv_handle_t* x) { delete reinterpret_cast<uv_tcp_t*>(x); });
    return false;
  }
  if (uv_listen(reinterpret_cast<uv_stream_t*>(h.get()), server->config.tcp_backlog,
                on_connection) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(h.release()),
             [](uv_handle_t* x) { delete reinterpret_cast<uv_tcp_t*>(x); });
    return false;
  }
  listeners_.push_back({addr, std::move(h)});
  return true;
}

void Worker::replace_listeners(const std::vector<std::string>& keep,
                               const std::vector<std::string>& addrs, const std::vector<int>& fds) {
  if (stopping_) {  // shutting down: close_all has closed the listeners already
    for (int fd : fds) ::close(fd);
    return;
  }
  for (auto it = listeners_.begin(); it != listeners_.end();) {
    if (std::find(keep.begin(), keep.end(), it->addr) != keep.end()) {
      ++it;
      continue;
    }
    // A connection it accepted and left for the next turn goes with it (libuv closes the fd).
    auto* stream = reinterpret_cast<uv_stream_t*>(it->handle.get());
    std::erase(deferred_accepts_, stream);
    uv_close(reinterpret_cast<uv_handle_t*>(it->handle.release()),
             [](uv_handle_t* x) { delete reinterpret_cast<uv_tcp_t*>(x); });
    it = listeners_.erase(it);
  }
  for (size_t i = 0; i < fds.size() && i < addrs.size(); ++i) {
    if (!adopt_listener(addrs[i], fds[i])) {
      server->log("warning", "Could not listen on " + addrs[i] + " after CONFIG SET");
    }
  }
}

std::vector<std::string> Worker::listener_addrs() const {
  std::vector<std::string> out;
  for (const auto& l : listeners_) out.push_back(l.addr);
  return out;
}

bool Worker::listen_unix(std::string* err) {
  const std::string& path = server->config.unixsocket;
  ::unlink(path.c_str());
  unix_listener_ = std::make_unique<uv_pipe_t>();
  uv_pipe_init(&loop, unix_listener_.get(), 0);
  unix_listener_->data = this;
  int r = uv_pipe_bind(unix_listener_.get(), path.c_str());
  if (r == 0 && server->config.unixsocketperm) chmod(path.c_str(), server->config.unixsocketperm);
  if (r == 0)
    r = uv_listen(reinterpret_cast<uv_stream_t*>(unix_listener_.get()), server->config.tcp_backlog,
                  on_connection);
  if (r != 0) {
    *err = "Failed opening Unix socket: " + std::string(uv_strerror(r));
    return false;
  }
  return true;
}

bool Worker::listen(std::string* err) {
  // port 0: no TCP listener at all (unix socket only), as in Redis.
  const int port = static_cast<int>(server->config.port.load(std::memory_order_relaxed));
  for (const BindAddr& b :
       port ? bind_addrs(server->config.bind_list()) : std::vector<BindAddr>{}) {
    // SO_REUSEPORT would let a second server share a port that is already taken; the first
    // worker probes with a plain socket so that "Address already in use" stops us as Redis.
    const int fd =
        open_tcp_listener(b.addr, port, server->config.tcp_backlog, /*probe=*/index == 0, err);
    if (fd < 0) {
      if (b.optional) continue;  // "-addr": skipped when unavailable, as Redis does
      return false;
    }
    if (!adopt_listener(b.addr, fd)) {
      *err = "Could not listen on " + b.addr;
      return false;
    }
  }
  if (index == 0 && !server->config.unixsocket.empty() && !listen_unix(err)) return false;
  // The Unix socket is worker 0's; the others may have no listener at all (bind "").
  if (listeners_.empty() && server->config.unixsocket.empty()) {
    *err = "Configured to not listen anywhere, exiting.";
    return false;
  }
  return true;
}

// libuv accepts from a listener until the backlog is empty. Under a storm of connects that can
// take the whole loop turn for as long as the storm lasts, while established clients wait for
// their replies (a PING took 200 ms here with 2 threads connecting in a loop). So a worker adopts
// at most this many connections per turn; the next one stays accepted inside libuv
// (which stops watching that listener meanwhile) and is taken at the start of the next turn,
// after the ready reads have been served.
constexpr int kAcceptsPerTurn = 32;

void Worker::on_turn(uv_prepare_t* p) {
  auto* w = static_cast<Worker*>(p->data);
  w->turn++;
  w->accepts_this_turn_ = 0;
  if (w->deferred_accepts_.empty()) return;
  std::vector<uv_stream_t*> pending;
  pending.swap(w->deferred_accepts_);
  // uv_accept takes the fd libuv holds and resumes watching the listener.
  for (uv_stream_t* l : pending)
    if (!w->stopping_) on_connection(l, 0);
}

void Worker::yield(Connection* c) {
  if (yielded.empty()) uv_idle_start(&resume_idle_, on_resume);  // and poll without waiting
  yielded.push_back(c);
}

// Runs before the loop's prepare and poll phases: every connection that yielded in the previous
// turn goes on, with a new budget, in the order they yielded; one that uses it up again yields
// again, behind the others. One that closed meanwhile is still allocated (libuv frees it in the
// closing phase, after this) and is no longer marked as yielded, so end_yield() passes it by.
void Worker::on_resume(uv_idle_t* h) {
  auto* w = static_cast<Worker*>(h->data);
  w->turn++;
  w->resuming_.swap(w->yielded);  // both keep their capacity: no allocation per turn
  for (Connection* c : w->resuming_) c->end_yield();
  w->resuming_.clear();
  if (w->yielded.empty()) uv_idle_stop(&w->resume_idle_);
}

void Worker::on_connection(uv_stream_t* listener, int status) {
  auto* w = static_cast<Worker*>(listener->data);
  if (status < 0) return;
  if (++w->accepts_this_turn_ > kAcceptsPerTurn) {
    w->deferred_accepts_.push_back(listener);  // not uv_accept'ed: libuv stops, keeps the fd
    return;
  }
  Server& srv = *w->server;
  bool is_unix = listener->type == UV_NAMED_PIPE;
  auto* c = new Connection(w, srv.next_client_id.fetch_add(1, std::memory_order_relaxed), is_unix);
  if (is_unix)
    uv_pipe_init(&w->loop, &c->pipe, 0);
  else
    uv_tcp_init(&w->loop, &c->tcp);
  c->handle.data = c;
  if (uv_accept(listener, &c->stream) != 0) {
    uv_close(&c->handle, [](uv_handle_t* h) { delete static_cast<Connection*>(h->data); });
    return;
  }
  w->adopt(c, is_unix);
}

void Worker::accept_while_busy() {
  for (auto& l : listeners_) {
    uv_os_fd_t lfd;
    if (uv_fileno(reinterpret_cast<uv_handle_t*>(l.handle.get()), &lfd) != 0) continue;
    for (;;) {
      int fd = ::accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) break;  // EAGAIN: none waiting
      auto* c = new Connection(this, server->next_client_id.fetch_add(1, std::memory_order_relaxed),
                               false);
      uv_tcp_init(&loop, &c->tcp);
      c->handle.data = c;
      if (uv_tcp_open(&c->tcp, fd) != 0) {
        ::close(fd);
        uv_close(&c->handle, [](uv_handle_t* h) { delete static_cast<Connection*>(h->data); });
        continue;
      }
      adopt(c, false);
    }
  }
}

void Worker::serve_while_busy(const Connection* busy) {
  accept_while_busy();
  std::vector<Connection*> conns;
  for (Connection* c = connections; c; c = c->next) {
    if (c != busy && c->has_socket()) conns.push_back(c);
  }
  for (Connection* c : conns) c->read_while_busy();
}

// This worker's thread has waited kLockWaitPeriodMs more for a shard lock. While a script is past
// busy-reply-threshold, that lock is likely the script's (one that names no key holds its whole
// database: server.h's busy_script_dbs), and the wait lasts until the script ends or is killed;
// a command that began waiting before the threshold would freeze the worker, and a SCRIPT KILL
// sent to it, meanwhile. So the other clients are served as the script's own worker serves its
// own: every command but the allow-busy ones answered -BUSY, as Redis answers every client during
// a busy script. Only from inside a client's input (the cron and timers just wait), never from the
// commands served here (they cannot wait: dispatch refuses WATCH here), and never on a worker
// already serving for its own busy script.
void Worker::on_lock_wait(void* worker) {
  auto* w = static_cast<Worker*>(worker);
  if (w->processing == nullptr || w->script_busy || w->serving_lock_wait) return;
  Server& srv = *w->server;
  if (srv.busy_scripts.load(std::memory_order_acquire) == 0) return;
  w->serving_lock_wait = true;
  w->script_busy = srv.busy_functions.load(std::memory_order_relaxed) > 0 ? 2 : 1;
  w->serve_while_busy(w->processing);
  w->script_busy = 0;
  w->serving_lock_wait = false;
}

// protected-mode: Redis's DENIED text, one best-effort write, then the connection goes.
static void refuse_protected(Connection* c) {
  static const char kMsg[] =
      "-DENIED Redis is running in protected mode because protected mode is enabled and no "
      "password is set for the default user. In this mode connections are only accepted from the "
      "loopback interface. If you want to connect from external computers to Redis you may adopt "
      "one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG "
      "SET protected-mode no' from the loopback interface by connecting to Redis from the same "
      "host the server is running, however MAKE SURE Redis is not publicly accessible from "
      "internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively "
      "you can just disable the protected mode by editing the Redis configuration file, and "
      "setting the protected mode option to 'no', and then restarting the server. 3) If you "
      "started the server manually just for testing, restart it with the '--protected-mode no' "
      "option. 4) Setup a an authentication password for the default user. NOTE: You only need "
      "to do one of the above things in order for the server to start accepting connections from "
      "the outside.\r\n";
  uv_buf_t b = uv_buf_init(const_cast<char*>(kMsg), sizeof kMsg - 1);
  uv_try_write(&c->stream, &b, 1);
  c->worker->server->stat_rejected_conn.fetch_add(1, std::memory_order_relaxed);
  uv_close(&c->handle, [](uv_handle_t* h) { delete static_cast<Connection*>(h->data); });
}

void Worker::adopt(Connection* c, bool is_unix) {
  Worker* w = this;
  Server& srv = *server;
  c->created_ms = w->now_ms();
  c->last_active_ms.store(c->created_ms, std::memory_order_relaxed);
  uv_fileno(&c->handle, &c->fd);
  if (!is_unix) {
    uv_tcp_nodelay(&c->tcp, 1);
    int64_t ka = srv.config.tcp_keepalive.load(std::memory_order_relaxed);
    if (ka > 0) uv_tcp_keepalive(&c->tcp, 1, static_cast<unsigned>(ka));
    struct sockaddr_storage ss;
    int len = sizeof ss;
    if (uv_tcp_getpeername(&c->tcp, reinterpret_cast<sockaddr*>(&ss), &len) == 0)
      c->addr = format_addr(reinterpret_cast<sockaddr*>(&ss));
    len = sizeof ss;
    if (uv_tcp_getsockname(&c->tcp, reinterpret_cast<sockaddr*>(&ss), &len) == 0)
      c->laddr = format_addr(reinterpret_cast<sockaddr*>(&ss));
  } else {
    c->addr = "/unixsocket:0";
    c->laddr = srv.config.unixsocket + ":0";
  }
  acl_attach_default(*c);
  int64_t maxclients = srv.config.maxclients.load(std::memory_order_relaxed);
  if (srv.connected_clients.load(std::memory_order_relaxed) >= maxclients) {
    // Redis answers the refused client before closing it; one best-effort write.
    static const char kMsg[] = "-ERR max number of clients reached\r\n";
    uv_buf_t b = uv_buf_init(const_cast<char*>(kMsg), sizeof kMsg - 1);
    uv_try_write(&c->stream, &b, 1);
    srv.stat_rejected_conn.fetch_add(1, std::memory_order_relaxed);
    uv_close(&c->handle, [](uv_handle_t* h) { delete static_cast<Connection*>(h->data); });
    return;
  }
  if (protected_mode_refuses(srv.config.protected_mode(), *c->user, c->addr, is_unix))
      [[unlikely]] {
    refuse_protected(c);
    return;
  }
  w->add_connection(c);
  c->start();
}

void Worker::add_connection(Connection* c) {
  c->next = connections;
  if (connections) connections->prev = c;
  connections = c;
  connection_count++;
  stats.connections.add(1);
  server->connected_clients.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(server->clients_mu);
  server->clients[c->id] = c;
}

void Worker::remove_connection(Connection* c) {
  if (c->prev)
    c->prev->next = c->next;
  else if (connections == c)
    connections = c->next;
  else
    return;  // never added (refused at accept)
  if (c->next) c->next->prev = c->prev;
  c->prev = c->next = nullptr;
  connection_count--;
  server->connected_clients.fetch_sub(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(server->clients_mu);
  server->clients.erase(c->id);
}

void Worker::post(std::function<void(Worker&)> fn) {
  {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    inbox_.push_back(std::move(fn));
  }
  uv_async_send(&async_);
}

void Worker::on_async(uv_async_t* a) {
  auto* w = static_cast<Worker*>(a->data);
  std::vector<std::function<void(Worker&)>> todo;
  {
    std::lock_guard<std::mutex> lock(w->inbox_mu_);
    todo.swap(w->inbox_);
  }
  for (auto& fn : todo) fn(*w);
  drain_mailbox(*w);
}

void Worker::flush_dirty_connections() {
  // Taken out first: a flush that fails closes its connection, which unlinks it from the list.
  std::vector<Connection*> todo;
  todo.swap(pubsub_mail.dirty);
  for (Connection* c : todo) {
    c->flush_scheduled = false;
    c->flush();
  }
}

namespace {
// The worker whose loop runs on this thread (set when its thread starts), so that a worker can
// tell its own thread without reading another worker's std::thread.
thread_local const Worker* t_current_worker = nullptr;
}  // namespace

bool Worker::on_own_thread() const {
  return t_current_worker == this || t_current_worker == nullptr;
}

void Worker::start() {
  int64_t hz = std::clamp<int64_t>(server->config.hz.load(std::memory_order_relaxed), 1, 500);
  uint64_t period = static_cast<uint64_t>(1000 / hz);
  uv_timer_start(&cron_timer_, on_cron, period, period);
  uv_prepare_start(&turn_, on_turn);
  thread_ = std::thread([this] {
    tid.store(static_cast<int>(gettid()), std::memory_order_relaxed);
    t_current_worker = this;
    epoch = server->store.epochs().join();
    storage::t_access_policy = &server->access_policy;  // Entry::touch's LRU/LFU mode
    Tracking::set_thread_outbox(this);  // where the store's hook queues invalidations
    storage::t_lock_wait_hook = {&Worker::on_lock_wait, this};
    uv_run(&loop, UV_RUN_DEFAULT);
    server->store.epochs().leave(epoch);
    epoch = nullptr;
  });
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::stop() {
  post([](Worker& w) { w.close_all(); });
}

void Worker::close_all() {
  if (stopping_) return;
  stopping_ = true;
  for (auto& l : listeners_) uv_close(reinterpret_cast<uv_handle_t*>(l.handle.get()), nullptr);
  if (unix_listener_) uv_close(reinterpret_cast<uv_handle_t*>(unix_listener_.get()), nullptr);
  for (Connection* c = connections; c;) {
    Connection* n = c->next;
    c->close();
    c = n;
  }
  if (pause_timer) {
    uv_close(reinterpret_cast<uv_handle_t*>(pause_timer),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
    pause_timer = nullptr;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&cron_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&turn_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&resume_idle_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
}

void Worker::on_cron(uv_timer_t* t) {
  static_cast<Worker*>(t->data)->cron();
}

void Worker::cron() {
  Server& srv = *server;
  int64_t hz = srv.config.hz.load(std::memory_order_relaxed);
  if (hz < 1) hz = 1;
  if (hz > 500) hz = 500;  // as Redis's CONFIG_MAX_HZ
  int64_t period_ms = 1000 / hz;
  if (uv_timer_get_repeat(&cron_timer_) != static_cast<uint64_t>(period_ms)) {
    uv_timer_set_repeat(&cron_timer_, static_cast<uint64_t>(period_ms));  // CONFIG SET hz
  }
  // Active expiry: a quarter of each tick at most (Redis's ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC),
  // a bit more with a higher active-expire-effort.
  int64_t effort = srv.config.active_expire_effort.load(std::memory_order_relaxed);
  auto budget = std::chrono::microseconds(period_ms * 1000 * (25 + 2 * (effort - 1)) / 100);
  const auto sweep_start = std::chrono::steady_clock::now();
  auto deadline = sweep_start + budget;
  auto out_of_time = [&] { return std::chrono::steady_clock::now() >= deadline; };
  // CLIENT PAUSE: the dataset stands still, so neither expiry nor eviction deletes
  // (client_pause.h).
  const bool paused = srv.pause.current(now_ms()) != ClientPause::kOff;
  if (!paused) {
    storage::EpochGuard guard(epoch);
    storage::OpCtx ctx{epoch, now_ms(), 0, &notify};
    for (int i = 0; i < srv.store.databases() && !out_of_time(); i++) {
      storage::Keyspace& ks = srv.store.db(i);
      if (ks.expires() == 0 && !ks.may_have_subexpires()) continue;
      ks.active_expire(ctx, static_cast<unsigned>(index), srv.worker_count(), out_of_time);
    }
    stats.expired.add(ctx.expired);
  }
  // LATENCY's expire-cycle, as Redis samples its activeExpireCycle: the whole sweep, freeing the
  // expired values included (a big collection's free is what makes one slow).
  srv.latency_event("expire-cycle", std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now() - sweep_start)
                                        .count());
  notify.flush();  // "expired" events of the sweep
  // maxmemory: evict while over the limit, for a quarter of the tick at most, so that memory goes
  // back under it when writes stop (server/maxmemory.h).
  // While a limit is set, what writes retire is freed after each batch rather than in bulk:
  // used_memory counts it until then (storage/epoch.h, set_eager).
  bool limited = srv.config.maxmemory.load(std::memory_order_relaxed) > 0;
  epoch->set_eager(limited);
  if (limited && !paused) {
    enforce_maxmemory(*this, now_ms(), period_ms * 1000 / 4);
  } else {
    used_memory(srv);  // keeps used_memory_peak current
  }
  // Keys expired or evicted above whose clients wait (a stream's XREADGROUP readers).
  if (!ready_keys.empty()) {
    storage::EpochGuard guard(epoch);
    serve_ready_keys(*this);
    notify.flush();
  }
#ifdef RESPITE_WITH_MIMALLOC
  // The background compressor frees the raw values it replaced on its own thread. mimalloc hands
  // blocks freed by another thread back to their owner's heap, and their pages back to the
  // kernel, only when that heap allocates in the same size class again or collects: 300 values of
  // 1 MiB compressed to 98 MB still held 385 MB of RSS. So for a second after the compressor last
  // swapped a value in, each tick collects this worker's heap (about a millisecond).
  uint64_t swaps = srv.store.compressor().swaps();
  if (swaps != lz4_swaps_seen_) {
    lz4_swaps_seen_ = swaps;
    lz4_swap_ms_ = now_ms();
  }
  if (lz4_swap_ms_ >= 0 && now_ms() - lz4_swap_ms_ <= 1000) mi_collect(false);
#endif
  // Idle clients (timeout), clients another worker asked to close, and output buffer limits.
  int64_t timeout = srv.config.timeout.load(std::memory_order_relaxed);
  int64_t now = now_ms();
  for (Connection* c = connections; c;) {
    Connection* n = c->next;
    if (c->kill_requested.load(std::memory_order_relaxed) ||
        (timeout > 0 && !c->blocked() && !c->postponed && !c->pubsub_mode() &&
         !c->monitoring.load(std::memory_order_relaxed) &&
         // as Redis: waiting (blocked, paused, subscribed, monitoring) is not idling
         now - c->last_active_ms.load(std::memory_order_relaxed) > timeout * 1000)) {
      c->close();
    } else if (!c->out.empty() && c->has_socket()) {
      // Output waiting on a client that sends nothing more: its soft limit's seconds still run.
      c->check_output_limit();
    }
    c = n;
  }
  // Client-side caching's table over tracking-table-max-keys (CONFIG SET lowered it, or reads
  // outran the bound): drop keys, with invalidations.
  srv.tracking.enforce_limit();
  notify.flush();
  flush_dirty();     // frames published by what ran above (keyspace notifications)
  epoch->collect();  // frees what was retired even when too little for unpin() to bother
}

}  // namespace respite::server
