// The hiredis wrapper and the raw-socket connection used by the integration and differential tests.
// Every blocking call is bounded by a timeout so that a hung or crashed server turns into a failed
// assertion rather than a test that never ends.
#include "tests/support/client.h"

#include <arpa/inet.h>
#include <hiredis.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace respite::test {

namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = ms.count() / 1000;
  tv.tv_usec = (ms.count() % 1000) * 1000;
  return tv;
}

Reply convert(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_NIL:
      out.type = Reply::Type::kNil;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
      break;
    default:
      throw std::runtime_error("unexpected hiredis reply type " + std::to_string(r->type));
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Client

Client::Client(int port, std::chrono::milliseconds timeout) {
  ctx_ = redisConnectWithTimeout("127.0.0.1", port, to_timeval(timeout));
  if (ctx_ == nullptr) throw std::runtime_error("redisConnect: out of memory");
  if (ctx_->err) {
    std::string why = ctx_->errstr;
    redisFree(ctx_);
    ctx_ = nullptr;
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port) + ": " + why);
  }
  redisSetTimeout(ctx_, to_timeval(timeout));
}

Client::~Client() {
  if (ctx_ != nullptr) redisFree(ctx_);
}

Client::Client(Client&& other) noexcept : ctx_(other.ctx_) {
  other.ctx_ = nullptr;
}

void Client::append(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  if (redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data()) !=
      REDIS_OK) {
    throw std::runtime_error(std::string("redisAppendCommandArgv: ") + ctx_->errstr);
  }
}

Reply Client::get_reply() {
  void* raw = nullptr;
  if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) {
    throw std::runtime_error(std::string("no reply: ") + (ctx_->err ? ctx_->errstr : "?"));
  }
  auto* r = static_cast<redisReply*>(raw);
  Reply out;
  try {
    out = convert(r);
  } catch (...) {
    freeReplyObject(r);
    throw;
  }
  freeReplyObject(r);
  return out;
}

Reply Client::cmd(const std::vector<std::string>& args) {
  append(args);
  return get_reply();
}

Reply Client::cmd(std::initializer_list<std::string_view> args) {
  std::vector<std::string> v;
  v.reserve(args.size());
  for (std::string_view a : args) v.emplace_back(a);
  return cmd(v);
}

bool Client::ok() const {
  return ctx_ != nullptr && ctx_->err == 0;
}

std::string Client::error() const {
  return ctx_ != nullptr ? ctx_->errstr : "not connected";
}

// ---------------------------------------------------------------------------------------------
// RawConnection

RawConnection::RawConnection(int port, std::chrono::milliseconds timeout) : timeout_(timeout) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int e = errno;
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error("connect to port " + std::to_string(port) + ": " + std::strerror(e));
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval tv = to_timeval(timeout);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

RawConnection::~RawConnection() {
  close();
}

void RawConnection::shutdown_write() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

void RawConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool RawConnection::send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool RawConnection::fill(size_t n) {
  auto deadline = std::chrono::steady_clock::now() + timeout_;
  while (buf_.size() < n) {
    if (eof_ || fd_ < 0) return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    int rc = ::poll(&p, 1, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) return false;
    char chunk[65536];
    ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {  // EOF, or a reset: either way the server is done with us
      eof_ = true;
      return false;
    }
    buf_.append(chunk, static_cast<size_t>(got));
  }
  return true;
}

std::string RawConnection::read_exact(size_t n) {
  fill(n);
  size_t take = std::min(n, buf_.size());
  std::string out = buf_.substr(0, take);
  buf_.erase(0, take);
  return out;
}

std::string RawConnection::read_line() {
  size_t scanned = 0;
  for (;;) {
    size_t pos = buf_.find("\r\n", scanned > 0 ? scanned - 1 : 0);
    if (pos != std::string::npos) {
      std::string out = buf_.substr(0, pos + 2);
      buf_.erase(0, pos + 2);
      return out;
    }
    scanned = buf_.size();
    if (!fill(buf_.size() + 1)) {
      std::string out = std::move(buf_);
      buf_.clear();
      return out;
    }
  }
}

std::string RawConnection::read_until_close(bool* closed) {
  while (fill(buf_.size() + 1)) {
  }
  if (closed != nullptr) *closed = eof_;
  std::string out = std::move(buf_);
  buf_.clear();
  return out;
}

bool RawConnection::wait_closed() {
  while (fill(buf_.size() + 1)) {
  }
  return eof_;
}

namespace {
constexpr size_t kIncomplete = std::numeric_limits<size_t>::max();

// The length of the complete RESP2/RESP3 value at s[pos...], or kIncomplete.
size_t resp_length(const std::string& s, size_t pos) {
  if (pos >= s.size()) return kIncomplete;
  size_t eol = s.find("\r\n", pos);
  if (eol == std::string::npos) return kIncomplete;
  size_t header = eol + 2 - pos;
  char type = s[pos];
  long long n = 0;
  switch (type) {
    case '+':
    case '-':
    case ':':
    case '_':
    case ',':
    case '#':
    case '(':
      return header;
    case '$':
    case '!':
    case '=':
      n = std::atoll(s.c_str() + pos + 1);
      if (n < 0) return header;
      if (s.size() < eol + 2 + static_cast<size_t>(n) + 2) return kIncomplete;
      return header + static_cast<size_t>(n) + 2;
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      n = std::atoll(s.c_str() + pos + 1);
      if (n < 0) return header;
      if (type == '%' || type == '|') n *= 2;
      size_t total = header;
      for (long long i = 0; i < n; ++i) {
        size_t len = resp_length(s, pos + total);
        if (len == kIncomplete) return kIncomplete;
        total += len;
      }
      return total;
    }
    default:  // not RESP: hand back the line as it is
      return header;
  }
}
}  // namespace

size_t RawConnection::reply_length(size_t pos) {
  size_t len = resp_length(buf_, pos);
  return len == kIncomplete ? 0 : len;
}

std::string RawConnection::read_reply() {
  for (;;) {
    size_t len = reply_length(0);
    if (len > 0) {
      std::string out = buf_.substr(0, len);
      buf_.erase(0, len);
      return out;
    }
    if (!fill(buf_.size() + 1)) return {};
  }
}

std::string encode_command(const std::vector<std::string>& args) {
  std::string out = "*";  // appended: GCC 12 warns falsely (-Wrestrict) on "literal" + string
  out += std::to_string(args.size());
  out += "\r\n";
  for (const std::string& a : args) {
    out += '$';
    out += std::to_string(a.size());
    out += "\r\n";
    out += a;
    out += "\r\n";
  }
  return out;
}

}  // namespace respite::test
