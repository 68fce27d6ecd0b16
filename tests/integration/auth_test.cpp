// Security defaults over the wire: requirepass (as a directive and through CONFIG SET), -NOAUTH
// before authentication for all but AUTH / HELLO / QUIT / RESET, AUTH's two forms and their
// errors, HELLO's AUTH option, rename-command from the configuration, and protected mode's DENIED
// for a client that is not on the loopback (when this host has another address to test from).
// Everything but protected mode also passes against redis-server.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <optional>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

const char* kNoAuth = "NOAUTH Authentication required.";
const char* kWrongPass = "WRONGPASS invalid username-password pair or user is disabled.";

// A config file for `include`, removed when the test ends.
struct TempConf {
  std::string path;
  explicit TempConf(const std::string& text) {
    char tmpl[] = "/tmp/respite-auth-XXXXXX";
    int fd = ::mkstemp(tmpl);
    REQUIRE(fd >= 0);
    ::close(fd);
    path = tmpl;
    std::ofstream(path) << text;
  }
  ~TempConf() { ::unlink(path.c_str()); }
};

// An IPv4 address of this host other than the loopback, if it has one.
std::optional<std::string> non_loopback_ipv4() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return std::nullopt;
  std::optional<std::string> found;
  for (ifaddrs* i = list; i && !found; i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
    auto* in = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
    if ((ntohl(in->sin_addr.s_addr) >> 24) == 127) continue;
    char buf[INET_ADDRSTRLEN];
    if (inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf)) found = buf;
  }
  ::freeifaddrs(list);
  return found;
}

// Connects to ip:port, reads what the server sends until it closes (or 2 s pass).
std::string read_all_from(const std::string& ip, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    std::string ping = "PING\r\n";
    (void)!::write(fd, ping.data(), ping.size());
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

}  // namespace

TEST_CASE("requirepass: NOAUTH until AUTH, WRONGPASS for a bad password, then everything runs") {
  Fixture f(ServerOptions().set("requirepass", "s3cret"));
  Client c(f.server.port());
  CHECK(c.cmd({"GET", "k"}) == Reply::Err(kNoAuth));
  CHECK(c.cmd({"SET", "k", "v"}) == Reply::Err(kNoAuth));
  CHECK(c.cmd({"NOSUCHCMD"}).is_error());
  CHECK(c.cmd({"AUTH", "wrong"}) == Reply::Err(kWrongPass));
  CHECK(c.cmd({"AUTH", "default", "wrong"}) == Reply::Err(kWrongPass));
  CHECK(c.cmd({"AUTH", "nosuchuser", "s3cret"}) == Reply::Err(kWrongPass));
  CHECK(c.cmd({"AUTH", "a", "b", "c"}) == Reply::Err("ERR syntax error"));
  CHECK(c.cmd({"AUTH", "s3cret"}) == OK());
  CHECK(c.cmd({"SET", "k", "v"}) == OK());
  // RESET logs the client out again.
  CHECK(c.cmd({"RESET"}) == Reply::Status("RESET"));
  CHECK(c.cmd({"GET", "k"}) == Reply::Err(kNoAuth));
  CHECK(c.cmd({"AUTH", "default", "s3cret"}) == OK());
  CHECK(c.cmd({"GET", "k"}) == Reply::Str("v"));
  // QUIT needs no authentication.
  Client q(f.server.port());
  CHECK(q.cmd({"QUIT"}) == OK());
}

TEST_CASE("a client that has not authenticated may send only small commands") {
  Fixture f(ServerOptions().set("requirepass", "pw"));
  // Too many elements, or a bulk over 16 KiB: Redis's texts, then the connection is closed.
  for (auto [input, text] :
       {std::pair<std::string, std::string>{"*100\r\n", "unauthenticated multibulk length"},
        {"*1\r\n$100000000\r\n", "unauthenticated bulk length"}}) {
    RawConnection raw(f.server.port());
    REQUIRE(raw.send(input));
    bool closed = false;
    CHECK(raw.read_until_close(&closed) == "-ERR Protocol error: " + text + "\r\n");
    CHECK(closed);
  }
  // AUTH lifts the limits, for the rest of the same read as well.
  RawConnection raw(f.server.port());
  const std::string big(20000, 'x');
  REQUIRE(raw.send(encode_command({"AUTH", "pw"}) + encode_command({"SET", "big", big})));
  CHECK(raw.read_reply() == "+OK\r\n");
  CHECK(raw.read_reply() == "+OK\r\n");
  // Without a password set, nobody is limited.
  Fixture open;
  Client c(open.server.port());
  std::vector<std::string> many = {"RPUSH", "l"};
  for (int i = 0; i < 20; i++) many.push_back(std::to_string(i));
  CHECK(c.cmd(many) == Reply::Int(20));
  CHECK(c.cmd({"SET", "big", big}) == OK());
}

TEST_CASE("HELLO: refused before authentication unless it carries AUTH") {
  Fixture f(ServerOptions().set("requirepass", "pw"));
  Client c(f.server.port());
  Reply r = c.cmd({"HELLO", "2"});
  CHECK(r == Reply::Err("NOAUTH HELLO must be called with the client already authenticated, "
                        "otherwise the HELLO AUTH <user> <pass> option can be used to "
                        "authenticate the client and select the RESP protocol version at the "
                        "same time"));
  CHECK(c.cmd({"HELLO", "2", "AUTH", "default", "nope"}) == Reply::Err(kWrongPass));
  r = c.cmd({"HELLO", "2", "AUTH", "default", "pw"});
  REQUIRE(r.is_array());
  CHECK(r.elements.at(0) == Reply::Str("server"));
  CHECK(c.cmd({"PING"}) == Reply::Status("PONG"));
}

TEST_CASE("AUTH without a configured password, and CONFIG SET requirepass live") {
  Fixture f;
  CHECK(f.cmd({"AUTH", "x"}) ==
        Reply::Err("ERR AUTH <password> called without any password configured for the default "
                   "user. Are you sure your configuration is correct?"));
  CHECK(f.cmd({"AUTH", "default", "anything"}) == OK());  // nopass: any password works
  CHECK(f.cmd({"CONFIG", "SET", "requirepass", "live"}) == OK());
  // The connection that set it stays authenticated; a new one must authenticate.
  CHECK(f.cmd({"PING"}) == Reply::Status("PONG"));
  Client c(f.server.port());
  CHECK(c.cmd({"PING"}) == Reply::Err(kNoAuth));
  CHECK(c.cmd({"AUTH", "live"}) == OK());
  CHECK(f.cmd({"CONFIG", "GET", "requirepass"}) == Reply::StrArr({"requirepass", "live"}));
  CHECK(c.cmd({"CONFIG", "SET", "requirepass", ""}) == OK());
  Client d(f.server.port());
  CHECK(d.cmd({"PING"}) == Reply::Status("PONG"));
}

TEST_CASE("an unauthenticated client may run commands once the password is removed") {
  Fixture f(ServerOptions().set("requirepass", "pw"));
  Client c(f.server.port());
  CHECK(c.cmd({"PING"}) == Reply::Err(kNoAuth));
  Client admin(f.server.port());
  REQUIRE(admin.cmd({"AUTH", "pw"}) == OK());
  REQUIRE(admin.cmd({"CONFIG", "SET", "requirepass", ""}) == OK());
  CHECK(c.cmd({"PING"}) == Reply::Status("PONG"));
}

TEST_CASE("rename-command renames or disables a command for every client") {
  TempConf conf("rename-command flushall my-flushall\nrename-command config \"\"\n");
  Fixture f(ServerOptions().set("include", conf.path));
  CHECK(f.cmd({"SET", "k", "v"}) == OK());
  CHECK(f.cmd({"FLUSHALL"}) ==
        Reply::Err("ERR unknown command 'FLUSHALL', with args beginning with: "));
  CHECK(f.cmd({"CONFIG", "GET", "port"}) ==
        Reply::Err("ERR unknown command 'CONFIG', with args beginning with: 'GET' 'port' "));
  CHECK(f.cmd({"MY-FLUSHALL"}) == OK());
  CHECK(f.cmd({"DBSIZE"}) == Reply::Int(0));
}

TEST_CASE("rename-command of an unknown command stops start-up") {
  if (is_redis_server_binary(server_binary())) return;
  TempConf conf("rename-command nosuchcommand x\n");
  CHECK_THROWS(ServerProcess(server_binary(), ServerOptions().set("include", conf.path)));
}

TEST_CASE("protected mode: a client from another address gets DENIED and is closed") {
  std::optional<std::string> ip = non_loopback_ipv4();
  if (!ip) {
    MESSAGE("no non-loopback IPv4 address here: the decision is covered by server_acl_test");
    return;
  }
  {
    Fixture f(ServerOptions().set("bind", "*"));
    std::string got = read_all_from(*ip, f.server.port());
    CHECK(
        got.starts_with("-DENIED Redis is running in protected mode because protected mode is "
                        "enabled and no password is set for the default user."));
    CHECK(got.ends_with("the outside.\r\n"));
    // The loopback is still served.
    CHECK(f.cmd({"PING"}) == Reply::Status("PONG"));
    // With protected mode off, the other address is served too.
    REQUIRE(f.cmd({"CONFIG", "SET", "protected-mode", "no"}) == OK());
    CHECK(read_all_from(*ip, f.server.port()).starts_with("+PONG"));
  }
  {
    // A password lifts it as well.
    Fixture f(ServerOptions().set("bind", "*").set("requirepass", "pw"));
    CHECK(read_all_from(*ip, f.server.port()).starts_with("-NOAUTH"));
  }
}
