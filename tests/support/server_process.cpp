// Starting and stopping server processes for tests, and running redis-cli / redis-benchmark. A
// start picks a free port, forks and execs the binary with its output going to a temp file, then
// polls until the server answers; a port that another process grabbed in between shows up as an
// early exit and the start is retried on a fresh port.
#include "tests/support/server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>

#ifndef RESPITE_DEFAULT_SERVER_BIN
#define RESPITE_DEFAULT_SERVER_BIN ""
#endif

namespace respite::test {

namespace {

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? v : fallback;
}

std::vector<char*> to_argv(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return argv;
}

}  // namespace

std::string server_binary() {
  return env_or("RESPITE_SERVER_BIN", RESPITE_DEFAULT_SERVER_BIN);
}
std::string reference_binary() {
  return env_or("RESPITE_REFERENCE_BIN", "/usr/bin/redis-server");
}
std::string redis_cli_binary() {
  return env_or("REDIS_CLI_BIN", "redis-cli");
}
std::string redis_benchmark_binary() {
  return env_or("REDIS_BENCHMARK_BIN", "redis-benchmark");
}

bool is_redis_server_binary(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  return base.find("redis-server") != std::string::npos;
}

void backoff_sleep(int attempt) {
  // 1, 2, 4 ... ms, capped at 50 ms: quick when the wait is short, cheap when it is not.
  int ms = attempt < 6 ? (1 << attempt) : 50;
  std::this_thread::sleep_for(std::chrono::milliseconds(std::min(ms, 50)));
}

int pick_free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    int e = errno;
    ::close(fd);
    throw std::runtime_error(std::string("bind port 0: ") + std::strerror(e));
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string describe_status(int status) {
  if (status == -1) return "killed after timeout";
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return "signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
  }
  return "status " + std::to_string(status);
}

// ---------------------------------------------------------------------------------------------
// ServerProcess

ServerProcess::ServerProcess(std::string binary, ServerOptions options)
    : binary_(std::move(binary)), options_(std::move(options)) {
  if (binary_.empty()) {
    throw std::runtime_error(
        "no server binary: set RESPITE_SERVER_BIN or build the respite-server target");
  }
  if (::access(binary_.c_str(), X_OK) != 0) {
    throw std::runtime_error("server binary not executable: " + binary_);
  }
  redis_binary_ = is_redis_server_binary(binary_);

  char path[] = "/tmp/respite-test-server-XXXXXX";
  int fd = ::mkstemp(path);
  if (fd < 0) throw std::runtime_error(std::string("mkstemp: ") + std::strerror(errno));
  ::close(fd);
  log_path_ = path;

  std::string why;
  constexpr int kAttempts = 5;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    if (try_start(pick_free_port(), &why)) return;
  }
  std::string out = log();
  ::unlink(log_path_.c_str());
  throw std::runtime_error("could not start " + binary_ + ": " + why + "\n--- server output ---\n" +
                           out);
}

bool ServerProcess::try_start(int port, std::string* why) {
  std::vector<std::string> args = {binary_, "--port", std::to_string(port), "--bind", "127.0.0.1"};
  if (redis_binary_) {
    // The reference must not touch the disk; respite has neither directive.
    args.insert(args.end(), {"--save", "", "--appendonly", "no"});
  }
  std::string password;
  for (const auto& [name, value] : options_.directives) {
    if (redis_binary_ && name == "threads") continue;
    if (name == "requirepass") password = value;
    args.push_back("--" + name);
    args.push_back(value);
  }

  int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (log_fd < 0) throw std::runtime_error(std::string("open log: ") + std::strerror(errno));
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    // Child. If the test process dies (a crash, a doctest abort), take the server with it rather
    // than leave it listening forever.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);
    int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    std::vector<char*> argv = to_argv(args);
    ::execv(argv[0], argv.data());
    std::string msg = "exec " + args[0] + ": " + std::strerror(errno) + "\n";
    (void)!::write(STDERR_FILENO, msg.data(), msg.size());
    ::_exit(127);
  }
  ::close(log_fd);
  pid_ = pid;
  port_ = port;
  exit_status_.reset();

  auto deadline = std::chrono::steady_clock::now() + options_.ready_timeout;
  for (int attempt = 0;; ++attempt) {
    if (!running()) {
      *why = "exited during start-up (" + describe_status(*exit_status_) + ")";
      return false;  // most likely the port was taken meanwhile: retry on another
    }
    try {
      Client c(port_, std::chrono::milliseconds(2000));
      if (!password.empty()) c.cmd({"AUTH", password});
      // Any reply means the server is serving (a NOAUTH error included).
      c.cmd({"PING"});
      Reply info = c.cmd({"INFO", "server"});
      respite_ = info.type == Reply::Type::kString &&
                 info.str.find("respite_version:") != std::string::npos;
      return true;
    } catch (const std::exception& e) {
      *why = e.what();
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      kill_and_reap();
      throw std::runtime_error("server did not answer within " +
                               std::to_string(options_.ready_timeout.count()) + " ms (" + *why +
                               ")\n--- server output ---\n" + log());
    }
    backoff_sleep(attempt);
  }
}

bool ServerProcess::running() {
  if (pid_ < 0 || exit_status_) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_status_ = status;
    return false;
  }
  return true;
}

std::optional<int> ServerProcess::wait_exit(std::chrono::milliseconds timeout) {
  exit_expected_ = true;  // the test asked for this exit (SHUTDOWN, a signal): not a crash
  poll_until([&] { return !running(); }, timeout);
  return exit_status_;
}

void ServerProcess::kill_and_reap() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  exit_status_ = status;
}

int ServerProcess::stop(std::chrono::milliseconds grace) {
  if (running()) {
    ::kill(pid_, SIGTERM);
    if (!wait_exit(grace)) {
      std::cerr << "server " << pid_ << " ignored SIGTERM for " << grace.count()
                << " ms; sending SIGKILL\n";
      kill_and_reap();
    }
  }
  return exit_status_.value_or(-1);
}

ServerProcess::~ServerProcess() {
  bool died_early =
      pid_ >= 0 && !exit_expected_ && !running();  // crashed or exited before we asked it to
  int status = stop();
  bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (died_early && clean) clean = false;
  if (died_early || !clean) {
    // Keep the evidence: a crash during a test is reported here even if the test itself missed it.
    std::cerr << "server " << binary_ << " (port " << port_
              << ") ended abnormally: " << describe_status(status)
              << (died_early ? ", before the test stopped it" : "") << "\n--- server output ("
              << log_path_ << ") ---\n"
              << log() << "\n---\n";
  } else {
    ::unlink(log_path_.c_str());
  }
}

std::string ServerProcess::log(size_t max_bytes) const {
  std::ifstream in(log_path_, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  if (s.size() > max_bytes) s = "[...]" + s.substr(s.size() - max_bytes);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Child programs

bool ProgramResult::exited_ok() const {
  return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

ProgramResult run_program(const std::vector<std::string>& argv_in, std::string_view input,
                          std::chrono::milliseconds timeout) {
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0 ||
      ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  std::vector<std::string> args = argv_in;
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(in_pipe[0], STDIN_FILENO);
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(err_pipe[1], STDERR_FILENO);
    std::vector<char*> argv = to_argv(args);
    ::execvp(argv[0], argv.data());
    std::string msg = "exec " + args[0] + ": " + std::strerror(errno) + "\n";
    (void)!::write(STDERR_FILENO, msg.data(), msg.size());
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  int in_fd = in_pipe[1];
  if (input.empty()) {
    ::close(in_fd);
    in_fd = -1;
  } else {
    ::fcntl(in_fd, F_SETFL, O_NONBLOCK);
  }

  ProgramResult result;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int out_fd = out_pipe[0], err_fd = err_pipe[0];
  bool timed_out = false;
  // One poll loop for all three pipes, so a child that fills stdout before reading all of its input
  // cannot deadlock with us.
  while (out_fd >= 0 || err_fd >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd fds[3];
    int n = 0;
    if (out_fd >= 0) fds[n++] = {out_fd, POLLIN, 0};
    if (err_fd >= 0) fds[n++] = {err_fd, POLLIN, 0};
    if (in_fd >= 0) fds[n++] = {in_fd, POLLOUT, 0};
    int rc = ::poll(fds, n, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) break;
    for (int i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in_fd) {
        ssize_t w = ::write(in_fd, input.data(), input.size());
        if (w > 0) input.remove_prefix(static_cast<size_t>(w));
        if (w < 0 && errno != EAGAIN && errno != EINTR) input = {};
        if (input.empty()) {
          ::close(in_fd);
          in_fd = -1;
        }
        continue;
      }
      char chunk[65536];
      ssize_t r = ::read(fds[i].fd, chunk, sizeof chunk);
      if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      std::string& dest = fds[i].fd == out_fd ? result.out : result.err;
      if (r <= 0) {
        ::close(fds[i].fd);
        (fds[i].fd == out_fd ? out_fd : err_fd) = -1;
      } else {
        dest.append(chunk, static_cast<size_t>(r));
      }
    }
  }
  if (in_fd >= 0) ::close(in_fd);
  if (out_fd >= 0) ::close(out_fd);
  if (err_fd >= 0) ::close(err_fd);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.status = timed_out ? -1 : status;
  return result;
}

ProgramResult redis_cli(int port, const std::vector<std::string>& args, std::string_view input) {
  std::vector<std::string> argv = {redis_cli_binary(), "-h", "127.0.0.1", "-p",
                                   std::to_string(port)};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, input);
}

}  // namespace respite::test
