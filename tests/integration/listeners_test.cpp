// CONFIG SET port and bind move the listening sockets of every worker while the server runs
// (server/listeners.h): new clients reach the new port or address at once, the old one refuses
// them, connections already open stay, and a port or address that cannot be bound fails the SET
// with Redis 7's error, rolls back every value of it and leaves the old listeners serving.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

// A plain TCP connect to 127.0.0.1:port: 0 when it connects, else the errno (ECONNREFUSED when
// nothing listens there).
int try_connect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int r = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  const int e = r == 0 ? 0 : errno;
  ::close(fd);
  return e;
}

// Another process's (here: the test's own) listener on a free loopback port, without
// SO_REUSEPORT, so the server cannot share it.
struct Squatter {
  int fd = -1, port = 0;
  Squatter() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd, 4) == 0);
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~Squatter() { ::close(fd); }
};

std::string get1(Fixture& f, const char* name) {
  Reply r = f.cmd({"CONFIG", "GET", name});
  return r.elements.size() == 2 ? r.elements[1].str : "<missing>";
}

}  // namespace

TEST_CASE("CONFIG SET port moves every worker's listener; open connections stay") {
  Fixture f(workers(2));
  const int old_port = f.server.port();
  const int new_port = pick_free_port();
  REQUIRE(new_port != old_port);
  CHECK(f.cmd({"SET", "k", "v"}) == OK());
  CHECK(f.cmd({"CONFIG", "SET", "port", std::to_string(new_port)}) == OK());
  CHECK(f.cmd({"GET", "k"}) == Reply::Str("v"));  // the connection that asked is still served
  CHECK(get1(f, "port") == std::to_string(new_port));
  CHECK(info_field(f.cmd({"INFO", "server"}).str, "tcp_port") == new_port);
  // Several new clients, so that SO_REUSEPORT spreads them over both workers' listeners.
  std::vector<Client> clients;
  for (int i = 0; i < 8; ++i) {
    clients.emplace_back(new_port);
    CHECK(clients.back().cmd({"GET", "k"}) == Reply::Str("v"));
  }
  // Every worker closed its listener on the old port before the SET answered.
  for (int i = 0; i < 8; ++i) CHECK(try_connect(old_port) == ECONNREFUSED);
  // And back again: the same port twice is no change at all.
  CHECK(f.cmd({"CONFIG", "SET", "port", std::to_string(old_port)}) == OK());
  CHECK(f.cmd({"CONFIG", "SET", "port", std::to_string(old_port)}) == OK());
  Client back(old_port);
  CHECK(back.cmd({"PING"}) == Reply::Status("PONG"));
  CHECK(try_connect(new_port) == ECONNREFUSED);
  CHECK(clients[0].cmd({"PING"}) == Reply::Status("PONG"));
}

TEST_CASE("CONFIG SET port to a port in use fails, rolls back, keeps the old listeners") {
  Fixture f(workers(2));
  Squatter taken;
  CHECK(f.cmd({"CONFIG", "SET", "port", std::to_string(taken.port)}) ==
        Reply::Err("ERR CONFIG SET failed (possibly related to argument 'port') - Unable to "
                   "listen on this port. Check server logs."));
  CHECK(get1(f, "port") == std::to_string(f.server.port()));
  // With other values in the same SET: none of them is kept (Redis 7's rollback).
  const std::string maxmemory = get1(f, "maxmemory");
  CHECK(f.cmd({"CONFIG", "SET", "maxmemory", "10000001", "port", std::to_string(taken.port),
               "client-query-buffer-limit", "10mb"})
            .is_error());
  CHECK(get1(f, "maxmemory") == maxmemory);
  CHECK(get1(f, "client-query-buffer-limit") == "1073741824");
  CHECK(get1(f, "port") == std::to_string(f.server.port()));
  for (int i = 0; i < 4; ++i) {
    Client c(f.server.port());
    CHECK(c.cmd({"PING"}) == Reply::Status("PONG"));
  }
}

TEST_CASE("CONFIG SET bind: a bad address fails, \"\" stops listening, a new one listens") {
  Fixture f(workers(2));
  const int port = f.server.port();
  const std::string bind = get1(f, "bind");
  CHECK(f.cmd({"CONFIG", "SET", "bind", "999.999.999.999"}) ==
        Reply::Err("ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind "
                   "to specified addresses."));
  CHECK(get1(f, "bind") == bind);
  Client still(port);
  CHECK(still.cmd({"PING"}) == Reply::Status("PONG"));

  // No address at all: nobody new gets in, those connected stay.
  CHECK(f.cmd({"CONFIG", "SET", "bind", ""}) == OK());
  CHECK(get1(f, "bind") == "");
  for (int i = 0; i < 4; ++i) CHECK(try_connect(port) == ECONNREFUSED);
  CHECK(still.cmd({"PING"}) == Reply::Status("PONG"));

  // An optional address that cannot be bound (TEST-NET-1, not on this host) is skipped.
  CHECK(f.cmd({"CONFIG", "SET", "bind", "127.0.0.1 -192.0.2.1"}) == OK());
  CHECK(get1(f, "bind") == "127.0.0.1 -192.0.2.1");
  for (int i = 0; i < 4; ++i) {
    Client c(port);
    CHECK(c.cmd({"PING"}) == Reply::Status("PONG"));
  }
  // Moving from one address to the wildcard on the same port: our own sockets overlap the new
  // one for a moment, which must not read as "port in use".
  CHECK(f.cmd({"CONFIG", "SET", "bind", "*"}) == OK());
  Client wild(port);
  CHECK(wild.cmd({"PING"}) == Reply::Status("PONG"));
  // Redis's IPv6 wildcard, optional as in `bind * -::*`: listens on :: where the host has IPv6.
  CHECK(f.cmd({"CONFIG", "SET", "bind", "* -::*"}) == OK());
  Client both(port);
  CHECK(both.cmd({"PING"}) == Reply::Status("PONG"));
  CHECK(f.cmd({"CONFIG", "SET", "bind", "*"}) == OK());
  // A required address that cannot be bound fails and keeps the wildcard listener.
  CHECK(f.cmd({"CONFIG", "SET", "bind", "192.0.2.1"}).is_error());
  CHECK(get1(f, "bind") == "*");
  Client after(port);
  CHECK(after.cmd({"PING"}) == Reply::Status("PONG"));
  // Too many addresses, as Redis counts them.
  std::string many;
  for (int i = 0; i < 17; ++i) many += "127.0.0.1 ";
  CHECK(f.cmd({"CONFIG", "SET", "bind", many}) ==
        Reply::Err("ERR CONFIG SET failed (possibly related to argument 'bind') - Too many bind "
                   "addresses specified."));
}

TEST_CASE("CONFIG SET port and bind together, and port 0") {
  Fixture f(workers(2));
  const int old_port = f.server.port();
  const int new_port = pick_free_port();
  CHECK(f.cmd({"CONFIG", "SET", "bind", "127.0.0.1", "port", std::to_string(new_port)}) == OK());
  Client c(new_port);
  CHECK(c.cmd({"PING"}) == Reply::Status("PONG"));
  CHECK(try_connect(old_port) == ECONNREFUSED);
  // port 0: no TCP listener (as Redis); the connections stay.
  CHECK(f.cmd({"CONFIG", "SET", "port", "0"}) == OK());
  CHECK(try_connect(new_port) == ECONNREFUSED);
  CHECK(c.cmd({"PING"}) == Reply::Status("PONG"));
  CHECK(f.cmd({"CONFIG", "SET", "port", std::to_string(old_port)}) == OK());
  Client again(old_port);
  CHECK(again.cmd({"PING"}) == Reply::Status("PONG"));
}
