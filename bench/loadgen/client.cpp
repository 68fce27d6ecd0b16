// Event loops of respite-benchmark, on raw epoll (level-triggered, EPOLLIN always armed, EPOLLOUT
// only while a write is unfinished, which on loopback is almost never). libuv would add a callback
// allocation protocol and a write request per batch for nothing we need here.
//
// Start-up is in two phases so that connection set-up is not timed: every loop connects its share
// of clients (blocking connect, then non-blocking sockets), counts down `ready`, and waits for
// `start`; the caller takes the start time and releases them all at once. A test ends when every
// connection has been refused a new batch (-n used up or --duration passed) and has received the
// replies of its last one; its time is the latest loop's last reply minus the start.
#include "bench/loadgen/client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <latch>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "bench/loadgen/keys.h"
#include "bench/loadgen/reply.h"

namespace respite::bench {
namespace {

uint64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

struct Endpoint {
  sockaddr_storage addr{};
  socklen_t len = 0;
  bool unix_socket = false;
  std::string text;  // for messages: "127.0.0.1:6379" or the socket path
};

bool resolve(const Options& opt, Endpoint& ep, std::string& error) {
  if (!opt.socket.empty()) {
    auto* un = reinterpret_cast<sockaddr_un*>(&ep.addr);
    if (opt.socket.size() >= sizeof(un->sun_path)) {
      error = "socket path too long: " + opt.socket;
      return false;
    }
    un->sun_family = AF_UNIX;
    std::memcpy(un->sun_path, opt.socket.c_str(), opt.socket.size() + 1);
    ep.len = sizeof(sockaddr_un);
    ep.unix_socket = true;
    ep.text = opt.socket;
    return true;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(opt.port);
  const int rc = getaddrinfo(opt.host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0 || !res) {
    error = "Could not resolve " + opt.host + ": " + gai_strerror(rc);
    return false;
  }
  std::memcpy(&ep.addr, res->ai_addr, res->ai_addrlen);
  ep.len = res->ai_addrlen;
  freeaddrinfo(res);
  ep.text = opt.host + ":" + port;
  return true;
}

// AUTH and SELECT, sent ahead of a connection's first batch; their replies are not measured.
std::string make_prefix(const Options& opt, uint32_t& replies) {
  std::string prefix;
  replies = 0;
  if (!opt.password.empty()) {
    std::vector<std::string> args{"AUTH"};
    if (!opt.user.empty()) args.push_back(opt.user);
    args.push_back(opt.password);
    prefix += encode_command(args, false).bytes;
    replies++;
  }
  if (opt.dbnum != 0) {
    prefix += encode_command({"SELECT", std::to_string(opt.dbnum)}, false).bytes;
    replies++;
  }
  return prefix;
}

// What every loop of one test shares.
struct Shared {
  const Options& opt;
  const TestSpec& spec;
  Endpoint ep;
  std::string prefix;
  uint32_t prefix_replies = 0;
  uint64_t limit = 0;     // requests to hand out; unused with a deadline
  uint64_t deadline = 0;  // now_ns() after which no batch starts; 0: none
  std::atomic<uint64_t> issued{0};
  std::atomic<bool> abort{false};
  std::latch ready;
  std::latch start{1};
  std::mutex mu;  // guards error, done_loops (with cv)
  std::condition_variable cv;
  std::string error;
  int done_loops = 0;

  Shared(const Options& o, const TestSpec& s, int loops) : opt(o), spec(s), ready(loops) {}

  void fail(std::string message) {
    std::lock_guard lock(mu);
    if (error.empty()) error = std::move(message);
    abort.store(true, std::memory_order_relaxed);
  }
};

struct Conn {
  int fd = -1;
  bool connecting = false;  // non-blocking connect in flight (-k 0)
  bool out_armed = false;   // EPOLLOUT registered
  bool served = false;      // has completed a batch (for -k 0: reconnect before the next)
  std::vector<char> out;    // the batch: P requests
  size_t out_len = 0;
  size_t out_off = 0;
  std::vector<uint32_t> holes;    // static batches: every placeholder offset, request by request
  uint32_t pending = 0;           // replies still due for the current batch
  uint32_t reply_in_request = 0;  // replies of the current request seen (replies_per_request)
  uint32_t prefix_left = 0;       // prefix replies still due
  uint64_t batch_start = 0;
  size_t seq_pos = 0;  // mixed tests: where in the SET/GET sequence
  ReplySkipper replies;
};

class Loop {
 public:
  Loop(Shared& sh, int id, int loops, uint64_t seed)
      : sh_(sh),
        id_(id),
        keys_(sh.opt, seed, static_cast<uint64_t>(id), static_cast<uint64_t>(loops)),
        rbuf_(new char[kReadBuf]) {
    for (int i = id; i < sh.opt.clients; i += loops) conns_.emplace_back();
    const TestSpec& spec = sh.spec;
    const size_t pipeline = static_cast<size_t>(sh.opt.pipeline);
    static_batch_ = spec.sequence.empty();
    size_t widest = 0;
    for (const Template& t : spec.templates) widest = std::max(widest, t.bytes.size());
    for (Conn& c : conns_) {
      c.out.resize(widest * pipeline);
      if (static_batch_) {
        const Template& t = spec.templates[0];
        for (size_t k = 0; k < pipeline; k++) {
          std::memcpy(c.out.data() + k * t.bytes.size(), t.bytes.data(), t.bytes.size());
          for (uint32_t at : t.rand_at) {
            c.holes.push_back(static_cast<uint32_t>(k * t.bytes.size() + at));
          }
        }
      }
    }
  }

  ~Loop() {
    for (Conn& c : conns_) {
      if (c.fd >= 0) ::close(c.fd);
    }
    if (epfd_ >= 0) ::close(epfd_);
  }

  void run() {
    epfd_ = epoll_create1(EPOLL_CLOEXEC);
    bool ok = epfd_ >= 0;
    for (Conn& c : conns_) {
      if (!ok || sh_.abort.load(std::memory_order_relaxed)) break;
      ok = connect_blocking(c);
    }
    if (!ok && epfd_ < 0) sh_.fail(std::string("epoll_create1: ") + std::strerror(errno));
    sh_.ready.count_down();
    sh_.start.wait();
    if (!sh_.abort.load(std::memory_order_relaxed)) {
      active_ = conns_.size();
      for (Conn& c : conns_) next_batch(c);
      event_loop();
    }
    std::lock_guard lock(sh_.mu);
    sh_.done_loops++;
    sh_.cv.notify_all();
  }

  // Read by the caller after the loop has finished (or, for progress, racily but atomically).
  Histogram hist;
  uint64_t finished = 0;
  uint64_t errors = 0;
  uint64_t last_reply = 0;
  std::atomic<uint64_t> shown_finished{0};
  std::atomic<uint64_t> shown_latency{0};

 private:
  static constexpr size_t kReadBuf = 256 * 1024;
  static constexpr int kEvents = 256;

  bool setup_socket(Conn& c, bool blocking_connect) {
    c.fd = ::socket(sh_.ep.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
      sh_.fail(std::string("socket: ") + std::strerror(errno));
      return false;
    }
    if (!sh_.ep.unix_socket) {
      int one = 1;
      setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    if (!blocking_connect) fcntl(c.fd, F_SETFL, fcntl(c.fd, F_GETFL) | O_NONBLOCK);
    const int rc = ::connect(c.fd, reinterpret_cast<const sockaddr*>(&sh_.ep.addr), sh_.ep.len);
    if (rc != 0 && !(!blocking_connect && (errno == EINPROGRESS || errno == EAGAIN))) {
      sh_.fail("Could not connect to Redis at " + sh_.ep.text + ": " + std::strerror(errno));
      return false;
    }
    c.connecting = rc != 0;
    if (blocking_connect) fcntl(c.fd, F_SETFL, fcntl(c.fd, F_GETFL) | O_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN | (c.connecting ? uint32_t{EPOLLOUT} : 0u);
    ev.data.ptr = &c;
    if (epoll_ctl(epfd_, EPOLL_CTL_ADD, c.fd, &ev) != 0) {
      sh_.fail(std::string("epoll_ctl: ") + std::strerror(errno));
      return false;
    }
    c.out_armed = c.connecting;
    if (!c.connecting) return send_prefix(c);
    return true;
  }

  bool connect_blocking(Conn& c) { return setup_socket(c, true); }

  // The prefix is a few dozen bytes on a fresh socket: the kernel takes it whole.
  bool send_prefix(Conn& c) {
    c.replies.reset();
    c.prefix_left = sh_.prefix_replies;
    if (sh_.prefix.empty()) return true;
    const ssize_t w = ::send(c.fd, sh_.prefix.data(), sh_.prefix.size(), MSG_NOSIGNAL);
    if (w != static_cast<ssize_t>(sh_.prefix.size())) {
      sh_.fail("could not send AUTH/SELECT to " + sh_.ep.text);
      return false;
    }
    return true;
  }

  void set_out(Conn& c, bool on) {
    if (c.out_armed == on) return;
    epoll_event ev{};
    ev.events = EPOLLIN | (on ? uint32_t{EPOLLOUT} : 0u);
    ev.data.ptr = &c;
    epoll_ctl(epfd_, EPOLL_CTL_MOD, c.fd, &ev);
    c.out_armed = on;
  }

  // Claims up to -P requests; 0 when the test is over for this connection.
  uint64_t claim() {
    const uint64_t want = static_cast<uint64_t>(sh_.opt.pipeline);
    if (sh_.abort.load(std::memory_order_relaxed)) return 0;
    if (sh_.deadline) return now_ns() < sh_.deadline ? want : 0;
    const uint64_t prev = sh_.issued.fetch_add(want, std::memory_order_relaxed);
    if (prev >= sh_.limit) return 0;
    return std::min(want, sh_.limit - prev);
  }

  void fill_batch(Conn& c, uint64_t k) {
    const TestSpec& spec = sh_.spec;
    if (static_batch_) {
      const Template& t = spec.templates[0];
      c.out_len = k * t.bytes.size();
      const size_t holes = k * t.rand_at.size();
      for (size_t h = 0; h < holes; h++) write_rand_digits(c.out.data() + c.holes[h], keys_.next());
      return;
    }
    size_t len = 0;
    for (uint64_t j = 0; j < k; j++) {
      const Template& t = spec.templates[spec.sequence[c.seq_pos]];
      if (++c.seq_pos == spec.sequence.size()) c.seq_pos = 0;
      char* dst = c.out.data() + len;
      std::memcpy(dst, t.bytes.data(), t.bytes.size());
      for (uint32_t at : t.rand_at) write_rand_digits(dst + at, keys_.next());
      len += t.bytes.size();
    }
    c.out_len = len;
  }

  void next_batch(Conn& c) {
    const uint64_t k = claim();
    if (k == 0) {
      active_--;
      return;
    }
    fill_batch(c, k);
    c.pending = static_cast<uint32_t>(k) * sh_.spec.replies_per_request;
    c.reply_in_request = 0;
    c.out_off = 0;
    if (!sh_.opt.keepalive && c.served) {
      // -k 0: a new connection for every batch, as redis-benchmark does.
      epoll_ctl(epfd_, EPOLL_CTL_DEL, c.fd, nullptr);
      ::close(c.fd);
      c.fd = -1;
      c.batch_start = now_ns();
      if (!setup_socket(c, false)) return;
      if (c.connecting) return;  // flushed once the connect completes
    } else {
      c.batch_start = now_ns();
    }
    flush(c);
  }

  void flush(Conn& c) {
    while (c.out_off < c.out_len) {
      const ssize_t w = ::send(c.fd, c.out.data() + c.out_off, c.out_len - c.out_off, MSG_NOSIGNAL);
      if (w > 0) {
        c.out_off += static_cast<size_t>(w);
      } else if (w < 0 && errno == EINTR) {
        continue;
      } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        set_out(c, true);
        return;
      } else {
        sh_.fail("Error writing to " + sh_.ep.text + ": " + std::strerror(errno));
        return;
      }
    }
    set_out(c, false);
  }

  void finish_connect(Conn& c) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      sh_.fail("Could not connect to Redis at " + sh_.ep.text + ": " + std::strerror(err));
      return;
    }
    c.connecting = false;
    if (send_prefix(c)) flush(c);
  }

  void on_readable(Conn& c) {
    for (;;) {
      const ssize_t n = ::recv(c.fd, rbuf_.get(), kReadBuf, 0);
      if (n > 0) {
        consume(c, rbuf_.get(), static_cast<size_t>(n), now_ns());
        if (static_cast<size_t>(n) < kReadBuf || c.fd < 0) return;
        continue;
      }
      if (n == 0) {
        sh_.fail("Server closed the connection");
        return;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        sh_.fail("Error reading from " + sh_.ep.text + ": " + std::strerror(errno));
      }
      return;
    }
  }

  void consume(Conn& c, const char* p, size_t n, uint64_t now) {
    size_t pos = 0;
    while (pos < n) {
      size_t used = 0;
      const ReplySkipper::Status st = c.replies.feed(p + pos, n - pos, used);
      pos += used;
      if (st == ReplySkipper::Status::kNeedMore) break;
      if (st == ReplySkipper::Status::kProtocolError) {
        sh_.fail("Protocol error in a reply from " + sh_.ep.text);
        return;
      }
      if (c.prefix_left > 0) {
        c.prefix_left--;
        if (c.replies.was_error()) {
          sh_.fail("Error from server during AUTH/SELECT: " + std::string(c.replies.error_text()));
          return;
        }
        continue;
      }
      if (c.pending == 0) {
        sh_.fail("Unexpected reply from " + sh_.ep.text);
        return;
      }
      if (++c.reply_in_request == sh_.spec.replies_per_request) {
        c.reply_in_request = 0;
        hist.record(now - c.batch_start);
        finished++;
        latency_sum_ += now - c.batch_start;
      }
      if (c.replies.was_error()) {
        errors++;
        if (sh_.opt.show_errors) {
          std::string_view text = c.replies.error_text();
          std::fprintf(stderr, "Error from server: %.*s\n", static_cast<int>(text.size()),
                       text.data());
        }
      }
      if (--c.pending == 0) {
        last_reply = now;
        c.served = true;
        next_batch(c);
      }
    }
    // Single writer: a relaxed store is enough for a progress display.
    shown_finished.store(finished, std::memory_order_relaxed);
    shown_latency.store(latency_sum_, std::memory_order_relaxed);
  }

  void event_loop() {
    epoll_event events[kEvents];
    while (active_ > 0 && !sh_.abort.load(std::memory_order_relaxed)) {
      const int n = epoll_wait(epfd_, events, kEvents, 200);
      if (n < 0) {
        if (errno == EINTR) continue;
        sh_.fail(std::string("epoll_wait: ") + std::strerror(errno));
        return;
      }
      for (int i = 0; i < n; i++) {
        Conn& c = *static_cast<Conn*>(events[i].data.ptr);
        const uint32_t ev = events[i].events;
        if (c.fd < 0) continue;
        if (c.connecting) {
          if (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)) finish_connect(c);
          continue;
        }
        if (ev & EPOLLOUT) flush(c);
        if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_readable(c);
      }
    }
  }

  Shared& sh_;
  int id_;
  KeyGenerator keys_;
  std::unique_ptr<char[]> rbuf_;
  std::vector<Conn> conns_;  // sized once: epoll holds pointers into it
  bool static_batch_ = true;
  int epfd_ = -1;
  size_t active_ = 0;
  uint64_t latency_sum_ = 0;
};

uint64_t pick_seed(const Options& opt) {
  if (opt.seed) return opt.seed;
  return static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
         (static_cast<uint64_t>(getpid()) << 32);
}

}  // namespace

bool run_test(const Options& opt, const TestSpec& spec, TestResult& out, std::string& error,
              const std::function<void(const Progress&)>& progress) {
  const int loops = opt.worker_count();
  Shared sh(opt, spec, loops);
  if (!resolve(opt, sh.ep, error)) return false;
  sh.prefix = make_prefix(opt, sh.prefix_replies);
  sh.limit = opt.requests;

  const uint64_t seed = pick_seed(opt);
  std::vector<std::unique_ptr<Loop>> workers;
  for (int i = 0; i < loops; i++) {
    workers.push_back(std::make_unique<Loop>(sh, i, loops, seed + 0x9e3779b97f4a7c15ULL * (i + 1)));
  }
  std::vector<std::thread> threads;
  for (auto& w : workers) threads.emplace_back([&w] { w->run(); });

  sh.ready.wait();
  const uint64_t t0 = now_ns();
  if (opt.duration_s > 0) sh.deadline = t0 + static_cast<uint64_t>(opt.duration_s * 1e9);
  sh.start.count_down();

  {
    std::unique_lock lock(sh.mu);
    while (sh.done_loops < loops) {
      sh.cv.wait_for(lock, std::chrono::milliseconds(250));
      if (sh.done_loops < loops && progress) {
        Progress p;
        for (auto& w : workers) {
          p.finished += w->shown_finished.load(std::memory_order_relaxed);
          p.latency_ns += w->shown_latency.load(std::memory_order_relaxed);
        }
        p.elapsed_s = static_cast<double>(now_ns() - t0) / 1e9;
        lock.unlock();
        progress(p);
        lock.lock();
      }
    }
  }
  for (auto& t : threads) t.join();

  if (!sh.error.empty()) {
    error = sh.error;
    return false;
  }
  out.name = spec.name;
  out.requests = 0;
  out.errors = 0;
  out.latency.reset();
  uint64_t t1 = t0;
  for (auto& w : workers) {
    out.requests += w->finished;
    out.errors += w->errors;
    out.latency.merge(w->hist);
    t1 = std::max(t1, w->last_reply);
  }
  out.seconds = static_cast<double>(t1 - t0) / 1e9;
  return true;
}

}  // namespace respite::bench
