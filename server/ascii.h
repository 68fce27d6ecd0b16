// ASCII case-insensitive comparison of command words and option names: Redis compares them
// without regard to case (strcasecmp), whatever the locale. One definition for the command
// context, the config parser and the slow log's redaction rules.
#pragma once

#include <cstddef>
#include <string_view>

namespace respite::server {

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace respite::server
