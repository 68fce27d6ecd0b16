// Opening TCP listeners and moving them live for CONFIG SET port / bind. See listeners.h.
#include "server/listeners.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>

#include "server/server.h"
#include "server/worker.h"

namespace respite::server {

std::vector<BindAddr> bind_addrs(const std::vector<std::string>& bind) {
  std::vector<BindAddr> out;
  for (const std::string& b : bind) {
    BindAddr a;
    a.optional = !b.empty() && b[0] == '-';
    a.addr = a.optional ? b.substr(1) : b;
    // Redis's wildcards: * is every IPv4 address, ::* every IPv6 one.
    if (a.addr == "*") a.addr = "0.0.0.0";
    if (a.addr == "::*") a.addr = "::";
    out.push_back(std::move(a));
  }
  return out;
}

int open_tcp_listener(const std::string& addr, int port, int backlog, bool probe,
                      std::string* err) {
  struct sockaddr_storage ss;
  std::memset(&ss, 0, sizeof ss);
  const bool v6 = addr.find(':') != std::string::npos;
  if (v6 ? uv_ip6_addr(addr.c_str(), port, reinterpret_cast<sockaddr_in6*>(&ss))
         : uv_ip4_addr(addr.c_str(), port, reinterpret_cast<sockaddr_in*>(&ss))) {
    *err = "Invalid bind address '" + addr + "'";
    return -1;
  }
  auto fail = [&](int fd, const char* what) {
    const int e = errno;
    if (fd >= 0) ::close(fd);
    *err = "Could not create server TCP listening socket " + addr + ":" + std::to_string(port) +
           ": " + what + ": " + std::strerror(e);
    return -1;
  };
  const int one = 1;
  const socklen_t len = v6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  if (probe) {
    const int p = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (p < 0) return fail(-1, "socket");
    if (v6) setsockopt(p, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    setsockopt(p, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(p, reinterpret_cast<sockaddr*>(&ss), len) != 0) return fail(p, "bind");
    ::close(p);
  }
  const int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(-1, "socket");
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  // libuv 1.44 has no flag for SO_REUSEPORT, so the fd is made here and handed to uv_tcp_open.
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (v6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) return fail(fd, "bind");
  if (::listen(fd, backlog) != 0) return fail(fd, "listen");
  return fd;
}

// Counts the workers that have taken their sockets.
struct ListenerSwap {
  std::mutex mu;
  std::condition_variable cv;
  size_t left = 0;
  void done() {
    std::lock_guard lock(mu);
    if (--left == 0) cv.notify_all();
  }
};

namespace {

// A worker busy in a long script drains its inbox only afterwards; the reply does not wait for it
// longer than this (its old listener then lingers until the script ends).
constexpr auto kWorkerWait = std::chrono::seconds(1);

}  // namespace

std::string rebind_listeners(Server& s) {
  const size_t n = s.workers.size();
  if (n == 0) return "";  // not serving yet: Worker::listen reads the new values
  const int port = static_cast<int>(s.config.port.load(std::memory_order_relaxed));
  std::vector<BindAddr> want = bind_addrs(s.config.bind_list());
  if (port == 0) want.clear();  // port 0: no TCP listener, as in Redis
  // On the same port our own SO_REUSEPORT sockets may overlap a new address (127.0.0.1 and then
  // *), which a plain probe would take for another process: probe only a new port.
  const bool same_port = port == s.listen_port;
  std::vector<std::string> keep, opened;
  std::vector<std::vector<int>> fds(n);  // per worker, in the order of opened
  auto close_opened = [&] {
    for (auto& per : fds)
      for (int fd : per) ::close(fd);
  };
  for (const BindAddr& b : want) {
    if (std::find(keep.begin(), keep.end(), b.addr) != keep.end() ||
        std::find(opened.begin(), opened.end(), b.addr) != opened.end())
      continue;  // named twice
    if (same_port &&
        std::find(s.listen_addrs.begin(), s.listen_addrs.end(), b.addr) != s.listen_addrs.end()) {
      keep.push_back(b.addr);
      continue;
    }
    std::vector<int> per;
    std::string err;
    for (size_t i = 0; i < n; ++i) {
      const int fd =
          open_tcp_listener(b.addr, port, s.config.tcp_backlog, i == 0 && !same_port, &err);
      if (fd < 0) break;
      per.push_back(fd);
    }
    if (per.size() == n) {
      opened.push_back(b.addr);
      for (size_t i = 0; i < n; ++i) fds[i].push_back(per[i]);
      continue;
    }
    for (int fd : per) ::close(fd);
    if (b.optional) continue;
    close_opened();
    s.log("warning", err);
    return err;
  }
  auto latch = std::make_shared<ListenerSwap>();
  Worker* self = nullptr;
  for (size_t i = 0; i < n; ++i) {
    Worker& w = *s.workers[i];
    if (w.on_own_thread()) {
      self = &w;
      continue;
    }
    {
      std::lock_guard lock(latch->mu);
      ++latch->left;
    }
    w.post([keep, opened, mine = std::move(fds[i]), latch](Worker& w) {
      w.replace_listeners(keep, opened, mine);
      latch->done();
    });
  }
  if (self) self->replace_listeners(keep, opened, fds[static_cast<size_t>(self->index)]);
  {
    std::lock_guard lock(s.listener_swap_mu);
    s.listener_swap = std::move(latch);
  }
  s.listen_port = port;
  s.listen_addrs = keep;
  s.listen_addrs.insert(s.listen_addrs.end(), opened.begin(), opened.end());
  s.log("notice", "Listening on port " + std::to_string(port) + " (" +
                      std::to_string(s.listen_addrs.size()) + " address(es))");
  return "";
}

void await_listener_swap(Server& s) {
  std::shared_ptr<ListenerSwap> swap;
  {
    std::lock_guard lock(s.listener_swap_mu);
    swap = std::move(s.listener_swap);
  }
  if (!swap) return;  // none pending, or port and bind changed together and one call waited
  std::unique_lock lock(swap->mu);
  swap->cv.wait_for(lock, kWorkerWait, [&] { return swap->left == 0; });
}

}  // namespace respite::server
