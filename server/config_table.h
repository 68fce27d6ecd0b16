// Internal to the configuration layer: the directive table that describes every respite directive
// (its name, Redis's old alias, value kind, where it lives in Config, default, whether CONFIG SET
// may change it, bounds, a one-line doc) and the per-kind functions that parse, apply and print
// values. config.cpp drives files, CONFIG GET/SET/REWRITE with these; nothing outside
// server/config* and its tests should include this header.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "server/config.h"

namespace respite::server {

// How a directive's arguments are read and printed.
enum class Kind {
  kBool,         // yes / no
  kInt,          // a strict decimal integer within [min, max]; zero_name may stand for 0
  kMemory,       // bytes, with optional units: 1k = 1000, 1kb = 1024, m/mb, g/gb, b
  kOctal,        // an octal number within [min, max] (unixsocketperm)
  kEnum,         // one of choices, case-insensitive
  kString,       // one argument, any bytes
  kList,         // words (bind); a single "" for none
  kSave,         // "" or pairs of "<seconds> <changes>", kept as text
  kObuf,         // client-output-buffer-limit <class> <hard> <soft> <seconds> [...]
  kNotify,       // notify-keyspace-events: class letters, kept as flag bits (server/notify.h)
  kPercentiles,  // "" or numbers within [0, 100], kept as text in Redis's %f-trimmed form
  kReplicaOf,    // "<host> <port>" or "no one", kept as text ("" for no one)
  kFlags,        // one or more of choices, their values OR-ed (Redis's MULTI_ARG enum)
  kOomValues,    // oom-score-adj-values: three integers within [-2000, 2000], kept as text
};

struct Choice {
  std::string_view name;
  int value;
};

// client-output-buffer-limit classes, in the order CONFIG GET prints them.
enum ObufClass { kObufNormal = 0, kObufReplica = 1, kObufPubsub = 2 };

struct ObufLimit {
  bool given = false;  // this class appeared in the value
  int64_t hard = 0, soft = 0, seconds = 0;
};

// A parsed and validated value, ready to apply. Parsing can fail, applying cannot: that split is
// what makes CONFIG SET all-or-nothing.
struct Value {
  int64_t num = 0;   // kBool (0/1), kInt, kMemory, kOctal, kEnum (Choice::value)
  std::string text;  // kString, kSave and kPercentiles (normalised), kEnum (the choice's name)
  std::vector<std::string> words;  // kList
  std::array<ObufLimit, 3> obuf{};
};

// Where a directive's value lives. monostate: nowhere (daemonize, which can only be "no").
using Field = std::variant<std::monostate, int Config::*, std::atomic<int64_t> Config::*,
                           std::string Config::*, std::vector<std::string> Config::*,
                           std::atomic<EvictionPolicy> Config::*>;

struct Directive {
  std::string_view name{};
  std::string_view alias{};  // Redis's older name (hash-max-ziplist-entries), or empty
  Kind kind = Kind::kInt;
  bool runtime = false;  // CONFIG SET may change it
  // Fixed after start-up, but CONFIG SET of the value it already has succeeds: respite's own
  // directives (threads, shards), so that a GET-then-SET round trip of every directive works.
  bool same_value_ok = false;
  bool hidden = false;   // CONFIG GET shows it only when asked by its exact name, as in Redis
  bool percent = false;  // kMemory: "N%" is also accepted, kept as -N (Redis's PERCENT_CONFIG)
  Field field{};
  std::string_view def{};  // the default, as it would be written in a file
  int64_t min = 0, max = 0;
  std::span<const Choice> choices{};  // kEnum, in the order Redis lists them in its error
  std::string_view zero_name{};       // kInt: a word meaning 0 and printed for 0 ("auto")
  // An extra rule beyond kind and bounds; returns the reason a value is refused, or nullptr.
  const char* (*check)(const Value&) = nullptr;
  std::string_view doc{};
};

// Gives the table and the value functions access to Config's private strings and locks.
struct ConfigAccess {
  static std::span<const Directive> table();
  static std::mutex& strings_mu(const Config& c) { return c.strings_mu_; }
  static std::mutex& update_mu(const Config& c) { return c.update_mu_; }
};

// The directive called name or aliased so (case-insensitive), or nullptr. *as_alias tells which.
const Directive* find_directive(std::string_view name, bool* as_alias = nullptr);

// Parses arguments (as split from a file line) into out; returns "" or the reason, in Redis's
// words.
std::string parse_value(const Directive& d, std::span<const std::string> args, Value& out);
// CONFIG SET's single value string, split the way the directive's kind expects, then parsed.
std::string parse_set_value(const Directive& d, const std::string& value, Value& out);
void apply_value(const Directive& d, Config& c, const Value& v);
// The value as CONFIG GET prints it (plain bytes, yes/no, enum names, words joined by spaces).
std::string show_value(const Directive& d, const Config& c);
// The arguments as CONFIG REWRITE writes them after the name (memory with units, quoted strings).
std::string file_value(const Directive& d, const Config& c);

// Splits one config line into arguments like Redis's sdssplitargs: "double quotes" with \n \r \t \a
// \b \xHH escapes, 'single quotes' with \' only; a closing quote must end the argument. False on
// unbalanced quotes.
bool split_args(std::string_view line, std::vector<std::string>& out);
// s as one argument that split_args reads back unchanged: bare when safe, else double-quoted.
std::string quote_arg(std::string_view s);

}  // namespace respite::server
