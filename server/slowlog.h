// SLOWLOG's store: the commands that ran for at least slowlog-log-slower-than microseconds,
// newest first, at most slowlog-max-len of them, shared by every worker. A command's cost when it
// is fast is dispatch's one relaxed load of the threshold and a compare (dispatch.cpp); only an
// entry being added (or read, or reset) takes the mutex, so workers contend for it only when
// commands are slow anyway. Entries keep what Redis 7.0 keeps (slowlog.c): id, unix time,
// duration, the arguments cut to 32 (the last saying how many more there were) and each to 128
// bytes, the client's address and name.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace respite::server {

struct SlowlogEntry {
  uint64_t id = 0;
  int64_t time = 0;  // unix seconds
  int64_t duration_us = 0;
  std::vector<std::string> argv;  // already cut as Redis cuts it
  std::string peer;               // "ip:port"; "?:0" for a script's client, as Redis's fake client
  std::string name;               // CLIENT SETNAME, or empty
};

class SlowLog {
 public:
  // Redis's SLOWLOG_ENTRY_MAX_ARGC and SLOWLOG_ENTRY_MAX_STRING.
  static constexpr size_t kMaxArgc = 32;
  static constexpr size_t kMaxString = 128;

  // Adds an entry (argv cut as above), then drops the oldest beyond max_len. Ids go on from one
  // entry to the next, across RESET, as in Redis.
  void add(std::span<const std::string_view> argv, int64_t duration_us, int64_t unix_time,
           std::string_view peer, std::string_view name, size_t max_len);
  // The newest count entries (all for count < 0), copied out under the lock.
  std::vector<SlowlogEntry> newest(int64_t count) const;
  size_t size() const;
  void reset();
  void trim(size_t max_len);  // drops the oldest beyond max_len

 private:
  mutable std::mutex mu_;
  std::deque<SlowlogEntry> entries_;  // newest at the front
  uint64_t next_id_ = 0;
};

// Replaces the secrets in a command's arguments with "(redacted)", as Redis 7.0 hides them from
// SLOWLOG: AUTH's password (and user), HELLO's AUTH pair, CONFIG SET's requirepass and masterauth
// values. name is the command table's ("config|set").
void slowlog_redact(std::string_view name, std::vector<std::string_view>& argv);

// The arguments as a slowlog entry keeps them (exposed for the unit test).
std::vector<std::string> slowlog_argv(std::span<const std::string_view> argv);

}  // namespace respite::server
