// Shebang parsing for EVAL scripts and function libraries, with Redis 7.0.15's error texts. The
// line is split into arguments as Redis's sdssplitargs splits it (blanks, "double" and 'single'
// quotes with their escapes: protocol's inline-command splitter, which config files share too),
// so that `#!lua name="foo"` names the library foo.
#include "scripting/shebang.h"

#include <strings.h>

#include <vector>

#include "protocol/request_parser.h"

namespace respite::scripting {
namespace {

std::vector<std::string_view> split(std::string_view s, char sep, bool blanks) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i <= s.size()) {
    if (blanks) {
      while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) ++i;
      if (i == s.size()) break;
    }
    size_t j = i;
    while (j < s.size() && (blanks ? !(s[j] == ' ' || s[j] == '\t' || s[j] == '\r') : s[j] != sep))
      ++j;
    out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

Shebang fail(std::string msg) {
  Shebang r;
  r.ok = false;
  r.error = "ERR " + std::move(msg);
  return r;
}

}  // namespace

uint32_t script_flag_from_name(std::string_view name) {
  if (name == "no-writes") return kFlagNoWrites;
  if (name == "allow-oom") return kFlagAllowOom;
  if (name == "allow-stale") return kFlagAllowStale;
  if (name == "no-cluster") return kFlagNoCluster;
  if (name == "allow-cross-slot-keys") return kFlagAllowCrossSlotKeys;
  return 0;
}

Shebang parse_eval_shebang(std::string_view body) {
  Shebang r;
  if (body.substr(0, 2) != "#!") {
    r.flags = kFlagEvalCompatMode;
    return r;
  }
  size_t end = body.find('\n');
  if (end == std::string_view::npos) return fail("Invalid script shebang");
  r.length = end;
  std::vector<std::string> parts;
  if (!protocol::RequestParser::split_line(body.substr(0, end), &parts) || parts.empty())
    return fail("Invalid engine in script shebang");
  if (parts[0] != "#!lua")
    return fail("Unexpected engine in script shebang: " + std::string(parts[0]));
  for (size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].substr(0, 6) != "flags=")
      return fail("Unknown lua shebang option: " + std::string(parts[i]));
    std::string_view list = std::string_view(parts[i]).substr(6);
    // "flags=" with nothing after it is allowed and sets none (sdssplitlen of "" is empty).
    if (list.empty()) continue;
    for (std::string_view f : split(list, ',', false)) {
      uint32_t bit = script_flag_from_name(f);
      if (bit == 0) return fail("Unexpected flag in script shebang: " + std::string(f));
      r.flags |= bit;
    }
  }
  return r;
}

Shebang parse_library_shebang(std::string_view body, std::string* engine) {
  if (body.substr(0, 2) != "#!") return fail("Missing library metadata");
  size_t end = body.find('\n');
  if (end == std::string_view::npos) return fail("Invalid library metadata");
  std::vector<std::string> parts;
  if (!protocol::RequestParser::split_line(body.substr(0, end), &parts) || parts.empty())
    return fail("Invalid library metadata");
  Shebang r;
  r.length = end;
  if (engine) *engine = std::string(parts[0].substr(2));
  bool named = false;
  for (size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].size() >= 5 && strncasecmp(parts[i].data(), "name=", 5) == 0) {
      if (named) return fail("Invalid metadata value, name argument was given multiple times");
      r.name = parts[i].substr(5);
      named = true;
      continue;
    }
    return fail("Invalid metadata value given: " + std::string(parts[i]));
  }
  if (!named) return fail("Library name was not given");
  return r;
}

}  // namespace respite::scripting
