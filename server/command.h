// The command table: every command's name, arity, flags, key positions, documentation and handler,
// registered by one function per family (server/commands/*.cpp). The table validates at start-up
// (duplicate names, missing flags or key specs abort), checks arity once before dispatch, and is
// the single source of COMMAND, COMMAND INFO/DOCS/COUNT/LIST. Lookup is case-insensitive and
// allocates nothing.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/key_spec.h"
#include "storage/canonical_int.h"

namespace respite::server {

struct CmdCtx;
using Handler = void (*)(CmdCtx&);

// Command flags, with Redis's names (COMMAND INFO prints them).
enum CmdFlag : uint32_t {
  kWrite = 1 << 0,
  kReadonly = 1 << 1,
  kDenyOom = 1 << 2,
  kAdmin = 1 << 3,
  kPubsub = 1 << 4,
  kNoscript = 1 << 5,
  kBlocking = 1 << 6,
  kLoading = 1 << 7,
  kStale = 1 << 8,
  kSkipMonitor = 1 << 9,
  kFast = 1 << 10,
  kNoAuth = 1 << 11,
  kAllowBusy = 1 << 12,
  kNoMulti = 1 << 13,
  kMovableKeys = 1 << 14,  // keys are not at fixed positions (the numkeys of LMPOP, SORT's STORE)
  // Redis gives the command no flags at all (MEMORY STATS, DOCTOR...): says so to the table's
  // validator, which rejects a command without flags; COMMAND INFO prints none.
  kNoFlags = 1u << 31,
  // PUBLISH, SPUBLISH: would be propagated though they write no key. COMMAND INFO hides it, as
  // Redis 7.0 does.
  kMayReplicate = 1 << 15,
  // EXEC: Redis logs the transaction's commands in the slow log, not EXEC itself. COMMAND INFO
  // shows it.
  kSkipSlowlog = 1 << 16,
};

struct Command {
  std::string name;  // lower case; "config|get" for a subcommand
  int arity = 0;     // > 0: exactly; < 0: at least -arity (the name counts)
  uint32_t flags = 0;
  int first_key = 0, last_key = 0, step = 0;  // last_key -1: the last argument
  // kMovableKeys commands: argv[numkeys_at] counts the keys that follow it (LMPOP, ZUNION, ...),
  // besides any at fixed positions (ZUNIONSTORE's destination).
  int numkeys_at = 0;
  Handler fn = nullptr;
  std::string_view group;    // "string", "generic", "connection", "server", ...
  std::string_view summary;  // one line, for COMMAND DOCS
  std::string_view since = "1.0.0";
  std::string_view syntax;  // arguments after the name, e.g. "key value [NX | XX]"
  std::string_view complexity = "O(1)";
  std::vector<std::unique_ptr<Command>> subcommands;  // CONFIG GET, CLIENT LIST, ...
  int id = -1;  // dense index: per-worker statistics are arrays indexed by it
  const Command* parent = nullptr;
  // How the command reaches shards beyond its key spec (command_shards.h), set by
  // CommandTable::finish() from the name, so that the per-command walk compares no strings.
  enum class ShardRule : uint8_t {
    kKeys,
    kSelect,
    kFlushAll,
    kUnblock,
    kSwapDb,
    kMove,
    kAnyKey,
    kCopy
  };
  ShardRule shard_rule = ShardRule::kKeys;
  // Redis 7's key specs and key-finding procedure (key_spec.h), attached by finish(): what COMMAND
  // INFO, COMMAND GETKEYS and ACL key permissions read. The positions above serve respite's own
  // key walks (EXEC's shards, tracking).
  std::vector<KeySpecDef> key_specs;
  GetKeysProc getkeys_proc = GetKeysProc::kNone;

  bool has_flag(uint32_t f) const { return (flags & f) != 0; }
  bool arity_ok(size_t argc) const {
    return arity > 0 ? argc == size_t(arity) : argc >= size_t(-arity);
  }
  const Command* find_sub(std::string_view name) const;
};

// Where a command's keys are: argv[first], then every step-th argument up to argv[last] (-1: the
// last argument, -2: the one before it). All zero: no keys at fixed positions.
struct KeySpec {
  int first = 0, last = 0, step = 0;
};

// What COMMAND DOCS says about a command. A subcommand's empty group is its container's.
struct Doc {
  std::string_view group = "";    // "string", "generic", "connection", "server", ...
  std::string_view summary = "";  // one line
  std::string_view syntax = "";   // arguments after the name, e.g. "key value [NX | XX]"
  std::string_view since = "1.0.0";
  std::string_view complexity = "O(1)";
};

// One registration row, written with designated initializers so that a reader sees what each
// number means and a field left out keeps its default:
//   t.add({.name = "get", .arity = 2, .flags = R | kFast, .keys = {1, 1, 1}, .fn = cmd_get,
//          .doc = {.group = "string", .summary = "Get the value of a key", .syntax = "key"}});
// The table copies it into a Command, the flat struct that dispatch reads per request.
struct CommandSpec {
  std::string_view name = "";
  int arity = 0;  // > 0: exactly; < 0: at least -arity (the name counts)
  uint32_t flags = 0;
  KeySpec keys{};
  // kMovableKeys commands: argv[numkeys_at] counts the keys that follow it (LMPOP, ZUNION, ...).
  int numkeys_at = 0;
  Handler fn = nullptr;
  Doc doc{};
};

class CommandTable {
 public:
  static constexpr size_t kMaxName = 64;

  CommandTable();
  Command* add(const CommandSpec& spec);
  Command* add_sub(Command* parent, const CommandSpec& spec);
  // Case-insensitive lookup, no allocation. nullptr when unknown.
  const Command* find(std::string_view name) const;
  // Every command, sorted by name (COMMAND, COMMAND LIST).
  const std::vector<const Command*>& all() const { return sorted_; }
  // Total number of Command objects including subcommands: the size of statistics arrays.
  size_t id_count() const { return next_id_; }
  const Command* by_id(int id) const { return by_id_[id]; }
  // Checks the table: every command has a handler, flags, a group, sane key positions. Returns
  // the problems found (empty when fine); start-up aborts on any.
  std::vector<std::string> validate() const;
  void finish();  // sorts and indexes; called after registration and after renames
  // rename-command: the command is found under `to` instead (empty: not at all), while keeping its
  // own name for errors, COMMAND and ACLs, as Redis does. Call finish() after. False when `from`
  // is no command.
  bool rename(std::string_view from, std::string_view to);

 private:
  static uint32_t fold_hash(std::string_view name);  // hash of the ASCII-lowercased name
  std::unordered_map<std::string, std::unique_ptr<Command>> by_name_;
  // Open-addressing index built by finish(): the dispatch path hashes the name with case folded
  // and compares in place, with no std::string and no tolower() call per byte.
  std::vector<const Command*> slots_;
  std::vector<std::string_view> slot_names_;              // the name each slot is found by
  std::unordered_map<std::string, std::string> renamed_;  // original name -> lookup name
  uint32_t slot_mask_ = 0;
  std::vector<const Command*> sorted_;
  std::vector<const Command*> by_id_;
  std::vector<std::string> problems_;
  int next_id_ = 0;
};

// Calls fn(i) for each argument index i of a call to cmd (argc arguments, argv[0] its name) that
// holds a key: the fixed positions (first_key to last_key by step, a negative last_key counting
// from the end), then the keys a numkeys argument counts (arg(i) gives argument i). Returns false,
// having visited the fixed positions only, when that count is not a positive integer smaller than
// the number of arguments after it. EXEC's shard collection and client-side caching's remembered
// keys walk keys through this one function; COMMAND GETKEYS and ACL key permissions read Redis's
// key specs instead (key_spec.h). SORT's STORE destination is no fixed position: its users add it.
template <class ArgAt, class Fn>
bool for_each_key(const Command& cmd, size_t argc, ArgAt&& arg, Fn&& fn) {
  if (cmd.first_key > 0) {
    int last = cmd.last_key < 0 ? static_cast<int>(argc) + cmd.last_key : cmd.last_key;
    for (int i = cmd.first_key; i <= last && i < static_cast<int>(argc); i += cmd.step)
      fn(static_cast<size_t>(i));
  }
  if (cmd.numkeys_at <= 0) return true;
  size_t at = static_cast<size_t>(cmd.numkeys_at);
  int64_t n;
  if (at >= argc || !storage::parse_canonical_int(arg(at), &n) || n <= 0 ||
      static_cast<uint64_t>(n) >= argc - at)
    return false;
  for (size_t i = 1; i <= static_cast<size_t>(n); i++) fn(at + i);
  return true;
}

// Registration functions, one per family (server/commands/*.cpp).
void register_connection_commands(CommandTable& t);
void register_server_commands(CommandTable& t);
void register_string_commands(CommandTable& t);
void register_bit_commands(CommandTable& t);
void register_hyperloglog_commands(CommandTable& t);
void register_key_commands(CommandTable& t);
void register_hash_commands(CommandTable& t);
void register_hash_ttl_commands(CommandTable& t);
void register_list_commands(CommandTable& t);
void register_set_commands(CommandTable& t);
void register_zset_commands(CommandTable& t);
void register_geo_commands(CommandTable& t);
void register_sort_commands(CommandTable& t);
void register_transaction_commands(CommandTable& t);
void register_pubsub_commands(CommandTable& t);
void register_scripting_commands(CommandTable& t);
void register_function_commands(CommandTable& t);
void register_slowlog_commands(CommandTable& t);
void register_latency_commands(CommandTable& t);
void register_stream_commands(CommandTable& t);
void register_acl_commands(CommandTable& t);
void register_cluster_commands(CommandTable& t);
void register_all_commands(CommandTable& t);

std::string lowercase(std::string_view s);

}  // namespace respite::server
