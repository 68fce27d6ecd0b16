// Malformed input over a raw socket: each case checks Redis's error text, that the offending
// connection is closed (Redis drops a client after a protocol error), and that the server keeps
// serving everyone else, which is the property that matters most.
#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

// Sends `bytes` on a fresh connection and returns what came back before the server closed it.
std::string send_and_drain(int port, std::string_view bytes, bool* closed) {
  RawConnection raw(port, std::chrono::milliseconds(5000));
  raw.send(bytes);
  return raw.read_until_close(closed);
}

void check_still_serving(Fixture& f) {
  CHECK(f.cmd({"PING"}) == Reply::Status("PONG"));
  Client fresh(f.server.port());
  CHECK(fresh.cmd({"GET", "survivor"}) == Reply::Str("yes"));
  CHECK(f.server.running());
}

}  // namespace

TEST_CASE("invalid multibulk length closes only that connection") {
  Fixture f;
  CHECK(f.cmd({"SET", "survivor", "yes"}) == OK());
  bool closed = false;
  CHECK(send_and_drain(f.server.port(), "*abc\r\n", &closed) ==
        "-ERR Protocol error: invalid multibulk length\r\n");
  CHECK(closed);
  check_still_serving(f);
}

TEST_CASE("invalid bulk lengths") {
  Fixture f;
  CHECK(f.cmd({"SET", "survivor", "yes"}) == OK());
  bool closed = false;
  CHECK(send_and_drain(f.server.port(), "*1\r\n$x\r\n", &closed) ==
        "-ERR Protocol error: invalid bulk length\r\n");
  CHECK(closed);
  CHECK(send_and_drain(f.server.port(), "*1\r\n$-5\r\n", &closed) ==
        "-ERR Protocol error: invalid bulk length\r\n");
  CHECK(closed);
  // A bulk length beyond proto-max-bulk-len (512 MB by default): refused from the header alone,
  // before any of it is buffered.
  CHECK(send_and_drain(f.server.port(), "*1\r\n$4294967296\r\n", &closed) ==
        "-ERR Protocol error: invalid bulk length\r\n");
  CHECK(closed);
  CHECK(send_and_drain(f.server.port(), "*1\r\nfoo\r\n", &closed) ==
        "-ERR Protocol error: expected '$', got 'f'\r\n");
  CHECK(closed);
  check_still_serving(f);
}

TEST_CASE("proto-max-bulk-len set small") {
  // 1 MB is the smallest value Redis accepts for the directive.
  Fixture f(ServerOptions().set("proto-max-bulk-len", "1048576"));
  CHECK(f.cmd({"SET", "survivor", "yes"}) == OK());
  bool closed = false;
  CHECK(send_and_drain(f.server.port(), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n", &closed) ==
        "-ERR Protocol error: invalid bulk length\r\n");
  CHECK(closed);
  // Exactly the limit is fine.
  CHECK(f.cmd({"SET", "k", std::string(1048576, 'x')}) == OK());
  CHECK(f.cmd({"STRLEN", "k"}) == Reply::Int(1048576));
  // Commands that would grow a string past the limit refuse too.
  CHECK(f.cmd({"APPEND", "k", "y"}) ==
        Reply::Err("ERR string exceeds maximum allowed size (proto-max-bulk-len)"));
  CHECK(f.cmd({"SETRANGE", "k", "1048576", "y"}) ==
        Reply::Err("ERR string exceeds maximum allowed size (proto-max-bulk-len)"));
  check_still_serving(f);
}

TEST_CASE("an inline request longer than 64 KB is refused") {
  Fixture f;
  CHECK(f.cmd({"SET", "survivor", "yes"}) == OK());
  bool closed = false;
  std::string huge = "SET k " + std::string(70000, 'x');  // no newline yet
  CHECK(send_and_drain(f.server.port(), huge, &closed) ==
        "-ERR Protocol error: too big inline request\r\n");
  CHECK(closed);
  check_still_serving(f);
}

TEST_CASE("garbage bytes") {
  Fixture f;
  CHECK(f.cmd({"SET", "survivor", "yes"}) == OK());
  const std::string junk[] = {
      std::string("\x00\x01\x02\xff\xfe\r\n", 7), std::string("*2\r\n$3\r\nGET\r\n*1\r\n"),
      std::string("*-7\r\n*1\r\n$4\r\nPING\r\n"), std::string("$$$$\r\n\r\n*\r\n"),
      std::string("*1\r\n$4\r\nPINGxx\r\n"),
  };
  for (const std::string& j : junk) {
    CAPTURE(quote_bytes(j));
    // Some of these leave the connection open (Redis answers "*-7" with nothing and "PINGxx" with
    // PONG), so half-close our side: the server then answers what it has and closes.
    RawConnection raw(f.server.port());
    raw.send(j);
    raw.shutdown_write();
    bool closed = false;
    std::string got = raw.read_until_close(&closed);
    CHECK(closed);
    // Whatever comes back is well-formed RESP; a protocol error is always followed by a close.
    if (!got.empty()) {
      CHECK((got[0] == '-' || got[0] == '+' || got[0] == '$' || got[0] == ':'));
    }
    check_still_serving(f);
  }
}

TEST_CASE("a client that disconnects mid-command does no harm") {
  Fixture f;
  CHECK(f.cmd({"SET", "survivor", "yes"}) == OK());
  const std::string partial[] = {"*1\r\n$4\r\nPI", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100\r\nabc",
                                 "*2\r\n", "PIN", "*1\r\n$4"};
  for (const std::string& p : partial) {
    RawConnection raw(f.server.port());
    REQUIRE(raw.send(p));
    raw.close();
  }
  // The half-sent SET must not have happened.
  CHECK(f.cmd({"EXISTS", "k"}) == Reply::Int(0));
  check_still_serving(f);

  // A command split across writes is executed once it is complete.
  RawConnection raw(f.server.port());
  REQUIRE(raw.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhe"));
  REQUIRE(raw.send("llo\r\n"));
  CHECK(raw.read_reply() == "+OK\r\n");
  CHECK(f.cmd({"GET", "k"}) == Reply::Str("hello"));
}
