// ASCII text helpers shared by the command layer and the config code. iequals: case-insensitive
// comparison of command words and option names, as Redis's strcasecmp, whatever the locale (the
// command context, the config parser, the slow log's redaction rules). append_repr: Redis's
// sdscatrepr quoting (MONITOR lines, CONFIG GET/REWRITE values).
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
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

// Appends s to out quoted as Redis's sdscatrepr: \\ \" \n \r \t \a \b, other unprintable bytes as
// \xHH.
inline void append_repr(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char ch : s) {
    switch (ch) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      default:
        if (ch >= 0x20 && ch < 0x7f) {
          out += static_cast<char>(ch);
        } else {
          char hex[5];
          std::snprintf(hex, sizeof hex, "\\x%02x", ch);
          out += hex;
        }
    }
  }
  out += '"';
}

}  // namespace respite::server
