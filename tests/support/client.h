// Clients for tests: Client wraps a hiredis connection (RAII, timeouts, replies as Reply values);
// RawConnection is a plain socket for what hiredis cannot express: inline commands, malformed
// input, half-sent commands and RESP3 replies (hiredis 0.14 has no RESP3).
#pragma once

#include <chrono>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/reply.h"

struct redisContext;

namespace respite::test {

class Client {
 public:
  // Connects to 127.0.0.1:port; every read or write gives up after `timeout` so that a hung server
  // fails the test instead of hanging it. Throws std::runtime_error if it cannot connect.
  explicit Client(int port, std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  Client(Client&& other) noexcept;

  // Sends one command and returns its reply. A connection or protocol failure throws
  // std::runtime_error (a closed connection is not a reply).
  Reply cmd(const std::vector<std::string>& args);
  Reply cmd(std::initializer_list<std::string_view> args);

  // Pipelining: queue commands, then read their replies in order.
  void append(const std::vector<std::string>& args);
  Reply get_reply();

  // False once the connection has failed (e.g. the server closed it).
  bool ok() const;
  std::string error() const;

 private:
  redisContext* ctx_ = nullptr;
};

// args as one RESP array of bulk strings, the way clients send commands (for RawConnection).
std::string encode_command(const std::vector<std::string>& args);

class RawConnection {
 public:
  explicit RawConnection(int port,
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Writes everything (blocking). Returns false if the peer closed the connection. It touches only
  // the socket, so one thread may send while another reads (large pipelines would otherwise
  // deadlock once both sides' socket buffers are full).
  bool send(std::string_view bytes);
  // Reads until `n` bytes have arrived, the peer closes, or the timeout passes; returns what came.
  std::string read_exact(size_t n);
  // Reads one line including its CRLF (or what came before close/timeout).
  std::string read_line();
  // Reads until the peer closes (or the timeout passes); `closed` tells which.
  std::string read_until_close(bool* closed);
  // Reads one complete RESP2/RESP3 reply and returns its raw bytes ("" on close or timeout).
  std::string read_reply();
  // True if the peer has closed the connection (waits up to the timeout for the EOF).
  bool wait_closed();
  // Half-closes our side: the server sees EOF, answers what it already has, and closes.
  void shutdown_write();
  void close();
  int fd() const { return fd_; }

 private:
  // Makes sure at least `n` bytes are buffered; false on close or timeout.
  bool fill(size_t n);
  // Length of the complete reply at buf_[pos...], or 0 if more bytes are needed.
  size_t reply_length(size_t pos);

  int fd_ = -1;
  std::chrono::milliseconds timeout_;
  std::string buf_;
  bool eof_ = false;
};

}  // namespace respite::test
