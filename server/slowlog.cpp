// SLOWLOG's shared store; see slowlog.h.
#include "server/slowlog.h"

#include "server/ascii.h"

namespace respite::server {

std::vector<std::string> slowlog_argv(std::span<const std::string_view> argv) {
  size_t n = argv.size() > SlowLog::kMaxArgc ? SlowLog::kMaxArgc : argv.size();
  std::vector<std::string> out;
  out.reserve(n);
  for (size_t j = 0; j < n; j++) {
    if (n != argv.size() && j == n - 1) {
      // The last slot says how many arguments were left out, itself included.
      out.push_back("... (" + std::to_string(argv.size() - n + 1) + " more arguments)");
    } else if (argv[j].size() > SlowLog::kMaxString) {
      out.push_back(std::string(argv[j].substr(0, SlowLog::kMaxString)) + "... (" +
                    std::to_string(argv[j].size() - SlowLog::kMaxString) + " more bytes)");
    } else {
      out.emplace_back(argv[j]);
    }
  }
  return out;
}

namespace {
constexpr std::string_view kRedacted = "(redacted)";
}  // namespace

void slowlog_redact(std::string_view name, std::vector<std::string_view>& argv) {
  if (name == "auth") {
    // authCommand redacts before it checks anything but its argument count.
    if (argv.size() <= 3) {
      for (size_t j = 1; j < argv.size(); j++) argv[j] = kRedacted;
    }
  } else if (name == "hello") {
    for (size_t j = 2; j + 2 < argv.size(); j++) {
      if (iequals(argv[j], "auth")) {
        argv[j + 1] = argv[j + 2] = kRedacted;
        j += 2;
      } else if (iequals(argv[j], "setname")) {
        j++;  // a client named "auth" is not a password
      }
    }
  } else if (name == "acl|setuser") {
    // Passwords and rules alike: aclCommand redacts every argument after the name.
    for (size_t j = 2; j < argv.size(); j++) argv[j] = kRedacted;
  } else if (name == "config|set") {
    for (size_t j = 2; j + 1 < argv.size(); j += 2) {
      if (iequals(argv[j], "requirepass") || iequals(argv[j], "masterauth"))
        argv[j + 1] = kRedacted;
    }
  }
}

void SlowLog::add(std::span<const std::string_view> argv, int64_t duration_us, int64_t unix_time,
                  std::string_view peer, std::string_view name, size_t max_len) {
  // Built outside the lock: copying the arguments is the expensive part.
  SlowlogEntry e;
  e.time = unix_time;
  e.duration_us = duration_us;
  e.argv = slowlog_argv(argv);
  e.peer = peer;
  e.name = name;
  std::lock_guard<std::mutex> lock(mu_);
  e.id = next_id_++;
  entries_.push_front(std::move(e));
  while (entries_.size() > max_len) entries_.pop_back();
}

std::vector<SlowlogEntry> SlowLog::newest(int64_t count) const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = count < 0 || static_cast<uint64_t>(count) > entries_.size()
                 ? entries_.size()
                 : static_cast<size_t>(count);
  return {entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(n)};
}

size_t SlowLog::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

void SlowLog::trim(size_t max_len) {
  std::lock_guard<std::mutex> lock(mu_);
  while (entries_.size() > max_len) entries_.pop_back();
}

void SlowLog::reset() {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.clear();
}

}  // namespace respite::server
