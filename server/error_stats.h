// Error replies counted by their code, for INFO errorstats and total_error_replies: every error a
// connection's ReplyWriter writes (its error hook lands here), and those a script's redis.call
// raises without a reply being written (script_run.cpp). One ErrorStats per worker, written by
// its thread; INFO on any worker sums them. The code is the error's first word, as Redis 7.0's
// afterErrorReply takes it: a message with no space in its first 31 bytes counts as ERR.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace respite::server {

// The code Redis files msg under ("WRONGTYPE" for "WRONGTYPE Operation against ..."); msg has
// no leading '-'.
std::string_view error_code(std::string_view msg);

class ErrorStats {
 public:
  // Owner thread. The total is a relaxed load+store (one writer); the map takes its mutex, which
  // only INFO and CONFIG RESETSTAT from other workers ever contend for.
  void count(std::string_view msg);
  uint64_t total() const { return total_.load(std::memory_order_relaxed); }
  // Adds this worker's counts into out (any thread).
  void add_to(std::map<std::string, uint64_t, std::less<>>& out) const;
  void reset();  // any thread

 private:
  std::atomic<uint64_t> total_{0};
  mutable std::mutex mu_;
  std::map<std::string, uint64_t, std::less<>> by_code_;
};

// INFO's "errorstat_<code>:count=<n>" line body for code, with '#', ':', CR and LF as '_' (Redis's
// getSafeInfoString), so that a script's odd code cannot break INFO's format.
std::string errorstat_name(std::string_view code);

}  // namespace respite::server
