// Reading, applying and printing directive values, one branch per Kind. Parsing is strict in the
// way Redis is (no "+1", no "01", no spaces; units only on memory values) and its error texts are
// Redis 7's, word for word, because users and tests compare them. Parsing never touches Config, so
// CONFIG SET can validate every pair before it applies any.
#include <cctype>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <type_traits>

#include "server/ascii.h"
#include "server/config_table.h"
#include "server/notify.h"
#include "storage/canonical_int.h"

namespace respite::server {
namespace {

// Digits only, no sign, leading zeros allowed; false on overflow.
bool parse_digits(std::string_view s, uint64_t& out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return false;
    if (v > (UINT64_MAX - static_cast<uint64_t>(ch - '0')) / 10) return false;
    v = v * 10 + static_cast<uint64_t>(ch - '0');
  }
  out = v;
  return true;
}

// Bytes with an optional unit: b, k (1000), kb (1024), m, mb, g, gb; case-insensitive.
bool parse_memory(std::string_view s, int64_t& out) {
  size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  const std::string_view unit = s.substr(digits);
  uint64_t mul = 0;
  static constexpr std::pair<std::string_view, uint64_t> kUnits[] = {
      {"", 1},           {"b", 1},
      {"k", 1000},       {"kb", 1024},
      {"m", 1000000},    {"mb", 1024 * 1024},
      {"g", 1000000000}, {"gb", 1024ull * 1024 * 1024},
  };
  for (const auto& [name, m] : kUnits) {
    if (iequals(unit, name)) mul = m;
  }
  uint64_t v = 0;
  if (mul == 0 || !parse_digits(s.substr(0, digits), v)) return false;
  if (v > static_cast<uint64_t>(INT64_MAX) / mul) return false;
  out = static_cast<int64_t>(v * mul);
  return true;
}

std::string between(int64_t lo, int64_t hi, bool octal) {
  char buf[96];
  if (octal) {
    std::snprintf(buf, sizeof buf, "argument must be between %" PRIo64 " and %" PRIo64 " inclusive",
                  static_cast<uint64_t>(lo), static_cast<uint64_t>(hi));
  } else {
    std::snprintf(buf, sizeof buf, "argument must be between %" PRId64 " and %" PRId64 " inclusive",
                  lo, hi);
  }
  return buf;
}

constexpr std::string_view kObufNames[] = {"normal", "replica", "pubsub"};

std::string parse_obuf(std::span<const std::string> given, Value& out) {
  // One argument holding them all (`--client-output-buffer-limit "normal 1mb 0 0"`, CONFIG SET's
  // value) is split on spaces, as Redis does for its multi-argument directives.
  std::vector<std::string> words;
  std::span<const std::string> args = given;
  if (given.size() == 1) {
    if (!split_args(given[0], words)) words.clear();
    args = words;
  }
  if (args.empty() || args.size() % 4 != 0) {
    return "Wrong number of arguments in buffer limit configuration.";
  }
  for (size_t i = 0; i < args.size(); i += 4) {
    int cls = -1;
    if (iequals(args[i], "normal")) cls = kObufNormal;
    if (iequals(args[i], "replica") || iequals(args[i], "slave")) cls = kObufReplica;
    if (iequals(args[i], "pubsub")) cls = kObufPubsub;
    if (cls < 0) return "Invalid client class specified in buffer limit configuration.";
    ObufLimit& l = out.obuf[static_cast<size_t>(cls)];
    uint64_t secs = 0;
    if (!parse_memory(args[i + 1], l.hard) || !parse_memory(args[i + 2], l.soft) ||
        !parse_digits(args[i + 3], secs) || secs > INT64_MAX) {
      return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
    }
    l.seconds = static_cast<int64_t>(secs);
    l.given = true;
  }
  return "";
}

std::string parse_save(std::span<const std::string> args, Value& out) {
  std::string joined;
  for (const auto& a : args) joined += (joined.empty() ? "" : " ") + a;
  if (joined.empty()) return "";  // save "": no snapshot points
  std::vector<std::string> words;
  if (!split_args(joined, words) || words.empty() || words.size() % 2 != 0) {
    return "Invalid save parameters";
  }
  for (const auto& w : words) {
    uint64_t n = 0;
    if (!parse_digits(w, n) || n > INT64_MAX) return "Invalid save parameters";
    out.text += (out.text.empty() ? "" : " ") + w;
  }
  return "";
}

// latency-tracking-info-percentiles: numbers within [0, 100], in one argument or several, "" for
// none. Kept as Redis prints them back: "%f" with the trailing zeros (and a bare '.') cut, so
// "50.0 99" reads back as "50 99". Error texts are Redis 7.0's.
std::string parse_percentiles(std::span<const std::string> args, Value& out) {
  std::string joined;
  for (const auto& a : args) joined += (joined.empty() ? "" : " ") + a;
  std::vector<std::string> words;
  if (!split_args(joined, words)) return "Invalid latency-tracking-info-percentiles parameters";
  for (const auto& w : words) {
    char* end = nullptr;
    errno = 0;
    const double p = w.empty() || std::isspace(static_cast<unsigned char>(w[0]))
                         ? NAN
                         : std::strtod(w.c_str(), &end);
    if (std::isnan(p) || errno == ERANGE || end != w.c_str() + w.size())
      return "Invalid latency-tracking-info-percentiles parameters";
    if (p < 0.0 || p > 100.0)
      return "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
    char buf[400];
    std::snprintf(buf, sizeof buf, "%f", p);
    std::string t(buf);
    if (t.find('.') != std::string::npos) {
      t.erase(t.find_last_not_of('0') + 1);
      if (t.back() == '.') t.pop_back();
    }
    out.text += (out.text.empty() ? "" : " ") + t;
  }
  return "";
}

// Redis's CONFIG_BINDADDR_MAX: the most addresses bind takes.
constexpr size_t kMaxListWords = 16;

// replicaof / slaveof: Redis's checks and texts. respite has no replication, so only "no one"
// (be a master, which it always is) is taken; a master address is refused rather than ignored,
// because a server that silently failed to replicate would serve stale or empty data.
std::string parse_replicaof(std::span<const std::string> args, Value& out) {
  if (args.size() != 2) return "wrong number of arguments";
  if (iequals(args[0], "no") && iequals(args[1], "one")) return "";
  char* end = nullptr;
  const long port = std::strtol(args[1].c_str(), &end, 10);
  if (port < 0 || port > 65535 || *end != '\0') return "Invalid master port";
  return "respite has no replication: replicaof must be 'no one'";
}

std::string enum_error(const Directive& d) {
  std::string msg = "argument(s) must be one of the following: ";
  for (size_t i = 0; i < d.choices.size(); ++i) {
    msg += (i ? ", " : "") + std::string(d.choices[i].name);
  }
  return msg;
}

// Several choices at once, their values OR-ed, as Redis's multi-argument enums
// (shutdown-on-sigterm "nosave now"); none at all is refused with the enum's error.
std::string parse_flags(const Directive& d, std::span<const std::string> args, Value& out) {
  if (args.empty() || (args.size() == 1 && args[0].empty())) return enum_error(d);
  out.num = 0;
  for (const auto& a : args) {
    bool matched = false;
    for (const Choice& c : d.choices) {
      if (iequals(a, c.name)) {
        out.num |= c.value;
        matched = true;
      }
    }
    if (!matched) return enum_error(d);
  }
  return "";
}

// The names of the flags set in v, in table order ("default" for 0), as Redis prints them.
std::string flags_string(const Directive& d, int64_t v) {
  std::string out;
  int64_t left = v;
  for (const Choice& c : d.choices) {
    if (c.value == v) return std::string(c.name);
    if (c.value != 0 && (left & c.value) == c.value) {
      out += (out.empty() ? "" : " ") + std::string(c.name);
      left &= ~static_cast<int64_t>(c.value);
    }
  }
  return out.empty() || left ? "unknown" : out;
}

// oom-score-adj-values: Redis's checks and texts.
std::string parse_oom_values(std::span<const std::string> args, Value& out) {
  if (args.size() != 3) return "wrong number of arguments";
  for (const auto& a : args) {
    char* end = nullptr;
    const long long v = std::strtoll(a.c_str(), &end, 10);
    if (*end != '\0' || v < -2000 || v > 2000) {
      return "Invalid oom-score-adj-values, elements must be between -2000 and 2000.";
    }
    out.text += (out.text.empty() ? "" : " ") + std::to_string(v);
  }
  return "";
}

std::string parse_one(const Directive& d, const std::string& a, Value& out) {
  switch (d.kind) {
    case Kind::kBool:
      if (iequals(a, "yes"))
        out.num = 1;
      else if (iequals(a, "no"))
        out.num = 0;
      else
        return "argument must be 'yes' or 'no'";
      return "";
    case Kind::kInt:
      if (!d.zero_name.empty() && iequals(a, d.zero_name)) {
        out.num = 0;
        return "";
      }
      if (!storage::parse_canonical_int(a, &out.num))
        return "argument couldn't be parsed into an integer";
      break;
    case Kind::kMemory:
      if (parse_memory(a, out.num)) break;
      if (d.percent && a.size() > 1 && a.back() == '%' &&
          storage::parse_canonical_int(std::string_view(a).substr(0, a.size() - 1), &out.num) &&
          out.num >= 0) {
        // Kept negative, as Redis keeps a percentage; only the lower bound applies to it.
        out.num = -out.num;
        if (out.num < d.min) {
          return "percentage argument must be less or equal to " + std::to_string(-d.min);
        }
        return "";
      }
      return d.percent ? "argument must be a memory or percent value"
                       : "argument must be a memory value";
    case Kind::kOctal: {
      uint64_t v = 0;
      bool ok = !a.empty() && a.size() <= 20;
      for (char ch : a) {
        ok = ok && ch >= '0' && ch <= '7';
        v = v * 8 + static_cast<uint64_t>(ch - '0');
      }
      if (!ok) return "argument couldn't be parsed as an octal number";
      out.num = static_cast<int64_t>(v);
      break;
    }
    case Kind::kEnum: {
      for (const Choice& c : d.choices) {
        if (iequals(a, c.name)) {
          out.num = c.value;
          out.text = c.name;
          return "";
        }
      }
      return enum_error(d);
    }
    case Kind::kNotify: {
      int64_t flags = parse_notify_flags(a);
      if (flags < 0) return std::string(kNotifyFlagsError);
      out.num = flags;
      return "";
    }
    default:  // kString
      out.text = a;
      return "";
  }
  if (out.num < d.min || out.num > d.max) return between(d.min, d.max, d.kind == Kind::kOctal);
  return "";
}

std::string memory_with_unit(int64_t v) {
  static constexpr std::pair<int64_t, const char*> kUnits[] = {
      {1ll << 30, "gb"}, {1ll << 20, "mb"}, {1ll << 10, "kb"}};
  for (const auto& [size, name] : kUnits) {
    if (v != 0 && v % size == 0) return std::to_string(v / size) + name;
  }
  return std::to_string(v);
}

std::string show_obuf(const Config& c, bool for_file) {
  const std::atomic<int64_t>* limits[3][3] = {
      {&c.obuf_normal_hard, &c.obuf_normal_soft, &c.obuf_normal_soft_seconds},
      {&c.obuf_replica_hard, &c.obuf_replica_soft, &c.obuf_replica_soft_seconds},
      {&c.obuf_pubsub_hard, &c.obuf_pubsub_soft, &c.obuf_pubsub_soft_seconds}};
  std::string out;
  for (int cls = 0; cls < 3; ++cls) {
    // CONFIG GET says "slave" as Redis 7.0 does; a rewritten file says "replica".
    std::string_view name = (cls == kObufReplica && !for_file) ? "slave" : kObufNames[cls];
    const int64_t hard = limits[cls][0]->load(std::memory_order_relaxed);
    const int64_t soft = limits[cls][1]->load(std::memory_order_relaxed);
    out += (out.empty() ? "" : " ") + std::string(name) + " ";
    out += for_file ? memory_with_unit(hard) + " " + memory_with_unit(soft)
                    : std::to_string(hard) + " " + std::to_string(soft);
    out += " " + std::to_string(limits[cls][2]->load(std::memory_order_relaxed));
  }
  return out;
}

void apply_obuf(Config& c, const Value& v) {
  std::atomic<int64_t>* limits[3][3] = {
      {&c.obuf_normal_hard, &c.obuf_normal_soft, &c.obuf_normal_soft_seconds},
      {&c.obuf_replica_hard, &c.obuf_replica_soft, &c.obuf_replica_soft_seconds},
      {&c.obuf_pubsub_hard, &c.obuf_pubsub_soft, &c.obuf_pubsub_soft_seconds}};
  for (int cls = 0; cls < 3; ++cls) {
    const ObufLimit& l = v.obuf[static_cast<size_t>(cls)];
    if (!l.given) continue;
    // Relaxed: each limit is read on its own; a reader seeing a mix of old and new for one
    // moment only disconnects a client a little early or late.
    limits[cls][0]->store(l.hard, std::memory_order_relaxed);
    limits[cls][1]->store(l.soft, std::memory_order_relaxed);
    limits[cls][2]->store(l.seconds, std::memory_order_relaxed);
  }
}

// The directive's number, whichever numeric field holds it.
int64_t load_num(const Directive& d, const Config& c) {
  if (auto p = std::get_if<int Config::*>(&d.field)) return c.**p;
  if (auto p = std::get_if<std::atomic<int64_t> Config::*>(&d.field)) {
    return (c.**p).load(std::memory_order_relaxed);
  }
  if (auto p = std::get_if<std::atomic<EvictionPolicy> Config::*>(&d.field)) {
    return static_cast<int>((c.**p).load(std::memory_order_relaxed));
  }
  return 0;
}

std::string load_string(const Directive& d, const Config& c) {
  auto p = std::get_if<std::string Config::*>(&d.field);
  if (!p) return "";
  std::lock_guard lock(ConfigAccess::strings_mu(c));
  return c.**p;
}

std::vector<std::string> load_list(const Directive& d, const Config& c) {
  std::lock_guard lock(ConfigAccess::strings_mu(c));
  return c.*std::get<std::vector<std::string> Config::*>(d.field);
}

bool multi_arg(const Directive& d) {
  return d.kind == Kind::kList || d.kind == Kind::kObuf || d.kind == Kind::kReplicaOf ||
         d.kind == Kind::kFlags || d.kind == Kind::kOomValues;
}

// Words separated by spaces (runs of them count as one).
std::vector<std::string> split_spaces(std::string_view value) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && value[i] == ' ') ++i;
    size_t j = i;
    while (j < value.size() && value[j] != ' ') ++j;
    if (j > i) words.emplace_back(value.substr(i, j - i));
    i = j;
  }
  return words;
}

}  // namespace

const Directive* find_directive(std::string_view name, bool* as_alias) {
  for (const Directive& d : ConfigAccess::table()) {
    const bool alias = !d.alias.empty() && iequals(name, d.alias);
    if (iequals(name, d.name) || alias) {
      if (as_alias) *as_alias = alias;
      return &d;
    }
  }
  return nullptr;
}

std::string parse_value(const Directive& d, std::span<const std::string> given, Value& out) {
  // A multi-word directive given one argument with spaces (`--bind "a b"`, a quoted file value)
  // takes it as its words, as Redis does for its MULTI_ARG configs.
  std::vector<std::string> split;
  std::span<const std::string> args = given;
  if (multi_arg(d) && d.kind != Kind::kObuf && given.size() == 1 &&
      given[0].find(' ') != std::string::npos) {
    split = split_spaces(given[0]);
    args = split;
  }
  std::string err;
  switch (d.kind) {
    case Kind::kSave:
      err = parse_save(args, out);
      break;
    case Kind::kPercentiles:
      err = parse_percentiles(args, out);
      break;
    case Kind::kObuf:
      err = parse_obuf(args, out);
      break;
    case Kind::kList:
      if (args.empty()) return "wrong number of arguments";
      if (args.size() > kMaxListWords) return "Too many bind addresses specified.";
      // A single empty argument is no word at all (`bind ""`: no TCP listener), as in Redis.
      if (args.size() == 1 && args[0].empty()) break;
      for (const auto& a : args) {
        if (a.empty()) return "argument must not be empty";
      }
      out.words.assign(args.begin(), args.end());
      break;
    case Kind::kReplicaOf:
      err = parse_replicaof(args, out);
      break;
    case Kind::kFlags:
      err = parse_flags(d, args, out);
      break;
    case Kind::kOomValues:
      err = parse_oom_values(args, out);
      break;
    default:
      if (args.size() != 1) return "wrong number of arguments";
      err = parse_one(d, args[0], out);
  }
  if (err.empty() && d.check) {
    if (const char* why = d.check(out)) err = why;
  }
  return err;
}

std::string parse_set_value(const Directive& d, const std::string& value, Value& out) {
  if (!multi_arg(d)) return parse_value(d, std::span<const std::string>(&value, 1), out);
  std::vector<std::string> words = split_spaces(value);
  if (words.empty()) words.emplace_back();  // CONFIG SET bind "": no address
  return parse_value(d, words, out);
}

void apply_value(const Directive& d, Config& c, const Value& v) {
  if (d.kind == Kind::kObuf) return apply_obuf(c, v);
  std::visit(
      [&](auto field) {
        using F = decltype(field);
        if constexpr (std::is_same_v<F, int Config::*>) {
          c.*field = static_cast<int>(v.num);
        } else if constexpr (std::is_same_v<F, std::atomic<int64_t> Config::*>) {
          // Relaxed: a new limit only has to be seen soon, in no order with other memory.
          (c.*field).store(v.num, std::memory_order_relaxed);
        } else if constexpr (std::is_same_v<F, std::atomic<EvictionPolicy> Config::*>) {
          (c.*field).store(static_cast<EvictionPolicy>(v.num), std::memory_order_relaxed);
        } else if constexpr (std::is_same_v<F, std::vector<std::string> Config::*>) {
          std::lock_guard lock(ConfigAccess::strings_mu(c));  // bind: workers read it live
          c.*field = v.words;
        } else if constexpr (std::is_same_v<F, std::string Config::*>) {
          std::string text = d.kind == Kind::kBool ? (v.num ? "yes" : "no") : v.text;
          std::lock_guard lock(ConfigAccess::strings_mu(c));
          c.*field = std::move(text);
        }
      },
      d.field);
}

std::string show_value(const Directive& d, const Config& c) {
  switch (d.kind) {
    case Kind::kBool:
      if (std::holds_alternative<std::string Config::*>(d.field)) return load_string(d, c);
      return load_num(d, c) ? "yes" : "no";
    case Kind::kInt: {
      const int64_t n = load_num(d, c);
      return n == 0 && !d.zero_name.empty() ? std::string(d.zero_name) : std::to_string(n);
    }
    case Kind::kMemory: {
      const int64_t n = load_num(d, c);
      return d.percent && n < 0 ? std::to_string(-n) + "%" : std::to_string(n);
    }
    case Kind::kOctal: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%" PRIo64, static_cast<uint64_t>(load_num(d, c)));
      return buf;
    }
    case Kind::kEnum:
      if (std::holds_alternative<std::string Config::*>(d.field)) return load_string(d, c);
      for (const Choice& ch : d.choices) {
        if (ch.value == load_num(d, c)) return std::string(ch.name);
      }
      return "";
    case Kind::kList: {
      std::string out;
      for (const auto& w : load_list(d, c)) out += (out.empty() ? "" : " ") + w;
      return out;
    }
    case Kind::kObuf:
      return show_obuf(c, false);
    case Kind::kReplicaOf:
      return "";  // only "no one" is ever taken
    case Kind::kFlags:
      return flags_string(d, load_num(d, c));
    case Kind::kOomValues:
      return load_string(d, c);
    case Kind::kNotify:
      return notify_flags_string(load_num(d, c));
    default:  // kString, kSave, kPercentiles
      return load_string(d, c);
  }
}

std::string file_value(const Directive& d, const Config& c) {
  switch (d.kind) {
    case Kind::kMemory: {
      const int64_t n = load_num(d, c);
      return d.percent && n < 0 ? std::to_string(-n) + "%" : memory_with_unit(n);
    }
    case Kind::kReplicaOf:
      return "no one";
    case Kind::kObuf:
      return show_obuf(c, true);
    case Kind::kNotify:
      return quote_arg(notify_flags_string(load_num(d, c)));
    case Kind::kString:
      return quote_arg(load_string(d, c));
    case Kind::kSave:
    case Kind::kPercentiles: {
      std::string s = load_string(d, c);
      return s.empty() ? "\"\"" : s;
    }
    case Kind::kList: {
      std::string out;
      for (const auto& w : load_list(d, c)) out += (out.empty() ? "" : " ") + quote_arg(w);
      return out.empty() ? "\"\"" : out;  // `bind ""`: no address, read back as such
    }
    default:
      return show_value(d, c);
  }
}

}  // namespace respite::server
