// Key specs: Redis 7's description of where a command's keys are and what it does with each
// (begin_search by index or keyword, then find_keys as a range or a numkeys count, with RO/RW/OW/RM
// and ACCESS/UPDATE/INSERT/DELETE flags). COMMAND INFO prints them, COMMAND GETKEYS and
// GETKEYSANDFLAGS walk them, and ACL's %R~/%W~ patterns are checked against each key's own flags.
// The table for Redis's commands (key_specs_data.cpp) is generated from Redis 7.0.15's COMMAND
// replies by scripts/gen_key_specs.py; a respite command Redis 7.0 lacks gets specs derived from
// its fixed key positions. Extraction follows Redis's rules (key_extract.cpp): specs first, all or
// nothing, and the command's own key-finding procedure (EVAL's numkeys, SORT's STORE, ...) where a
// spec is incomplete, unknown or has variable flags. Nothing here runs unless a caller asks for
// keys: dispatch asks only for a user without allkeys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace respite::server {

struct Command;

// Redis's CMD_KEY_* bits, in its order (GETKEYSANDFLAGS and COMMAND INFO print them so).
enum KeySpecFlag : uint16_t {
  kSpecRO = 1 << 0,
  kSpecRW = 1 << 1,
  kSpecOW = 1 << 2,
  kSpecRM = 1 << 3,
  kSpecAccess = 1 << 4,
  kSpecUpdate = 1 << 5,
  kSpecInsert = 1 << 6,
  kSpecDelete = 1 << 7,
  kSpecNotKey = 1 << 8,
  kSpecIncomplete = 1 << 9,
  kSpecVariableFlags = 1 << 10,
};
inline constexpr int kSpecFlagCount = 11;
// "RO", "RW", ..., "variable_flags" for bit i.
std::string_view key_spec_flag_name(int i);

struct KeySpecDef {
  uint16_t flags = 0;
  enum class Begin : uint8_t { kUnknown, kIndex, kKeyword } begin = Begin::kUnknown;
  int16_t pos = 0;  // kIndex: the argument's index; kKeyword: startfrom (negative: from the end)
  std::string_view keyword{};
  enum class Find : uint8_t { kUnknown, kRange, kKeynum } find = Find::kUnknown;
  // kRange: lastkey (relative to the first key; negative: from the end), keystep, limit.
  // kKeynum: keynumidx and firstkey (both relative to the begin_search result), keystep.
  int16_t a = 0, b = 0, c = 0;
  std::string_view notes{};
};

// The commands whose keys Redis finds with code of its own (its getkeys_proc), where the specs
// cannot say it all.
enum class GetKeysProc : uint8_t {
  kNone,
  kEval,         // EVAL*, FCALL*: numkeys at 2, keys from 3
  kSort,         // the sort key, and the last STORE's destination
  kSortRo,       // the sort key only
  kMigrate,      // argv[3], or everything after KEYS
  kGeoradius,    // the key, and the last STORE/STOREDIST destination
  kXread,        // the first half of what follows STREAMS
  kSet,          // SET: read too with GET
  kBitfield,     // read-only with GET subcommands only
  kNumkeys1,     // numkeys at 1, keys from 2 (ZUNION, ZINTER, ZDIFF, ZINTERCARD, SINTERCARD, LMPOP,
                 // ZMPOP)
  kNumkeys2,     // numkeys at 2, keys from 3 (BLMPOP, BZMPOP)
  kStoreNumkeys  // destination at 1, numkeys at 2, keys from 3 (ZUNIONSTORE, ZINTERSTORE,
                 // ZDIFFSTORE)
};

// One row of the generated table: a command's full name ("memory|usage") and one of its specs, in
// Redis's order; a command with several specs has several consecutive rows.
struct KeySpecRow {
  std::string_view command;
  KeySpecDef spec;
};
extern const KeySpecRow kRedisKeySpecs[];
extern const size_t kRedisKeySpecCount;
// COMMAND INFO's tips ("nondeterministic_output", "request_policy:all_shards", ...), one row per
// tip in Redis's order, sorted by command like the specs.
struct CommandTipRow {
  std::string_view command, tip;
};
extern const CommandTipRow kRedisCommandTips[];
extern const size_t kRedisCommandTipCount;

// Every command Redis 7.0.15 has (full names), with or without key specs: a respite command not
// among them gets derived specs.
extern const std::string_view kRedisCommandNames[];
extern const size_t kRedisCommandNameCount;

// Gives cmd its key specs and key-finding procedure: Redis's when Redis has the command, else
// derived from its fixed key positions and numkeys argument. CommandTable::finish() calls it.
void attach_key_specs(Command& cmd);

// Where a key visit reports: the key's argument index and its spec's flags. A non-owning callable
// reference, so that a visit allocates nothing.
class KeySink {
 public:
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, KeySink>>>
  KeySink(F&& f)  // NOLINT(google-explicit-constructor): lambdas convert at the call
      : obj_(const_cast<void*>(static_cast<const void*>(&f))),
        call_([](void* o, size_t pos, uint16_t flags) {
          (*static_cast<std::remove_reference_t<F>*>(o))(pos, flags);
        }) {}
  void operator()(size_t pos, uint16_t flags) const { call_(obj_, pos, flags); }

 private:
  void* obj_;
  void (*call_)(void*, size_t, uint16_t);
};

// Redis's doesCommandHaveKeys: a key-finding procedure, or a spec that is not marked not_key.
bool command_has_keys(const Command& cmd);
// Redis's getKeysFromCommandWithSpecs: the keys of a call to cmd (argv[0] its name, argc arguments,
// arity already checked), each with its flags, in Redis's order; returns how many it visited.
// Complete specs are used when they all resolve; otherwise the command's procedure runs (whose
// flags are 0 where Redis's are), and a command with neither has none. Allocates nothing.
size_t visit_keys(const Command& cmd, const std::string_view* argv, size_t argc, KeySink sink);

// COMMAND INFO's first key, last key and step, derived from the specs as Redis derives them, and
// whether the specs make the command's keys movable (its "movablekeys" flag).
struct LegacyKeyRange {
  int first = 0, last = 0, step = 0;
  bool movable = false;
};
LegacyKeyRange legacy_key_range(const Command& cmd);

}  // namespace respite::server
