// Error replies by code; see error_stats.h.
#include "server/error_stats.h"

namespace respite::server {

std::string_view error_code(std::string_view msg) {
  // Redis looks for the space within the first 32 bytes of "-CODE ...", its leading '-' included.
  size_t space = msg.substr(0, 31).find(' ');
  if (space == std::string_view::npos) return "ERR";
  return msg.substr(0, space);
}

void ErrorStats::count(std::string_view msg) {
  total_.store(total_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  std::string_view code = error_code(msg);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_code_.find(code);
  if (it == by_code_.end()) it = by_code_.emplace(std::string(code), 0).first;
  it->second++;
}

void ErrorStats::add_to(std::map<std::string, uint64_t, std::less<>>& out) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [code, n] : by_code_) out[code] += n;
}

void ErrorStats::reset() {
  std::lock_guard<std::mutex> lock(mu_);
  by_code_.clear();
  total_.store(0, std::memory_order_relaxed);
}

std::string errorstat_name(std::string_view code) {
  std::string name = "errorstat_";
  for (char ch : code) name += (ch == '#' || ch == ':' || ch == '\r' || ch == '\n') ? '_' : ch;
  return name;
}

}  // namespace respite::server
