// The TCP listening sockets: how one is opened (plain syscalls, so any thread may open them), and
// how CONFIG SET port / bind moves them live. Every worker owns one SO_REUSEPORT listener per
// bound address on its own loop; a rebind opens all the new sockets on the thread that runs
// CONFIG SET, so that "port taken" is known before anything changes and the old listeners stay
// when it is, and then hands each worker its sockets through its inbox; each worker closes the
// listeners no longer wanted on its own loop (the loop-per-core rule: no libuv call on another
// worker's loop). Addresses that stay bound on the same port keep their listeners untouched.
#pragma once

#include <string>
#include <vector>

namespace respite::server {

class Server;

// One word of bind as listeners use it: "*" is 0.0.0.0 and "::*" is "::" (Redis's wildcards), a
// leading '-' makes it optional (skipped when it cannot be bound, as in Redis).
struct BindAddr {
  std::string addr;
  bool optional = false;
};
std::vector<BindAddr> bind_addrs(const std::vector<std::string>& bind);

// A non-blocking listening socket on addr:port with SO_REUSEPORT (every worker binds its own).
// probe: first bind a plain socket, because SO_REUSEPORT would let us share a port that another
// process of the same user holds. Returns the fd, or -1 with *err saying what failed.
int open_tcp_listener(const std::string& addr, int port, int backlog, bool probe, std::string* err);

// Moves every worker's listeners to the configured port and bind. Called by CONFIG SET (under
// its update lock) on a worker thread; returns "" or why not, in which case nothing changed. The
// other workers swap theirs when they next read their inbox: await_listener_swap waits for that.
std::string rebind_listeners(Server& s);

// Waits, up to a second, until every worker has taken the listeners of the last rebind. Called
// after CONFIG SET has released its lock (so that a worker waiting for that lock cannot stall
// us), before the reply goes out: a client that connects after the OK finds the old port closed.
void await_listener_swap(Server& s);

// Workers yet to take their new listeners (listeners.cpp).
struct ListenerSwap;

}  // namespace respite::server
