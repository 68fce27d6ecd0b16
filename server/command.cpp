// The command table's registration, lookup and validation; see command.h.
#include "server/command.h"

#include <algorithm>

namespace respite::server {

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const Command* Command::find_sub(std::string_view name) const {
  char buf[CommandTable::kMaxName];
  if (name.size() >= sizeof buf) return nullptr;
  for (size_t i = 0; i < name.size(); i++)
    buf[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
  std::string_view lower(buf, name.size());
  for (auto& s : subcommands) {
    std::string_view sub = s->name;
    sub = sub.substr(sub.find('|') + 1);
    if (sub == lower) return s.get();
  }
  return nullptr;
}

CommandTable::CommandTable() = default;

static std::unique_ptr<Command> make_command(const CommandSpec& spec, std::string name) {
  auto c = std::make_unique<Command>();
  c->name = std::move(name);
  c->arity = spec.arity;
  c->flags = spec.flags;
  c->first_key = spec.keys.first;
  c->last_key = spec.keys.last;
  c->step = spec.keys.step;
  c->numkeys_at = spec.numkeys_at;
  c->fn = spec.fn;
  c->group = spec.doc.group;
  c->summary = spec.doc.summary;
  c->since = spec.doc.since;
  c->syntax = spec.doc.syntax;
  c->complexity = spec.doc.complexity;
  return c;
}

Command* CommandTable::add(const CommandSpec& spec) {
  std::string name = lowercase(spec.name);
  if (by_name_.count(name)) {
    problems_.push_back("duplicate command '" + name + "'");
    return by_name_[name].get();
  }
  auto c = make_command(spec, name);
  c->id = next_id_++;
  Command* raw = c.get();
  by_name_[name] = std::move(c);
  by_id_.push_back(raw);
  return raw;
}

Command* CommandTable::add_sub(Command* parent, const CommandSpec& spec) {
  std::string name = parent->name + "|" + lowercase(spec.name);
  if (parent->find_sub(spec.name)) problems_.push_back("duplicate subcommand '" + name + "'");
  auto c = make_command(spec, name);
  c->id = next_id_++;
  c->parent = parent;
  if (c->group.empty()) c->group = parent->group;
  Command* raw = c.get();
  parent->subcommands.push_back(std::move(c));
  by_id_.push_back(raw);
  return raw;
}

namespace {
// ASCII lower-casing by table lookup: command names are matched case-insensitively on every
// request.
struct FoldTable {
  unsigned char map[256];
  constexpr FoldTable() : map() {
    for (int i = 0; i < 256; i++)
      map[i] = static_cast<unsigned char>(i >= 'A' && i <= 'Z' ? i + 32 : i);
  }
};
constexpr FoldTable kFold;
}  // namespace

uint32_t CommandTable::fold_hash(std::string_view name) {
  uint32_t h = 2166136261u;  // FNV-1a: names are short, so a byte loop is cheapest
  for (unsigned char ch : name) h = (h ^ kFold.map[ch]) * 16777619u;
  return h;
}

const Command* CommandTable::find(std::string_view name) const {
  if (slots_.empty() || name.size() >= kMaxName) return nullptr;
  for (uint32_t i = fold_hash(name) & slot_mask_;; i = (i + 1) & slot_mask_) {
    const Command* c = slots_[i];
    if (!c) return nullptr;
    std::string_view key = slot_names_[i];
    if (key.size() != name.size()) continue;
    size_t k = 0;
    while (k < name.size() &&
           kFold.map[static_cast<unsigned char>(name[k])] == static_cast<unsigned char>(key[k]))
      k++;
    if (k == name.size()) return c;
  }
}

namespace {

Command::ShardRule shard_rule_of(std::string_view name) {
  using R = Command::ShardRule;
  if (name == "select") return R::kSelect;
  if (name == "flushall") return R::kFlushAll;
  if (name == "client|unblock") return R::kUnblock;
  if (name == "swapdb") return R::kSwapDb;
  if (name == "move") return R::kMove;
  if (name == "copy") return R::kCopy;
  // SORT's patterns and a script's undeclared keys may be any key of the database, and so may
  // the STORE destination that GEORADIUS finds among its options.
  for (std::string_view any : {"sort", "sort_ro", "eval", "evalsha", "eval_ro", "evalsha_ro",
                               "fcall", "fcall_ro", "georadius", "georadiusbymember"}) {
    if (name == any) return R::kAnyKey;
  }
  return R::kKeys;
}

void attach_derived(Command& c) {
  c.shard_rule = shard_rule_of(c.name);
  attach_key_specs(c);
  for (auto& sub : c.subcommands) attach_derived(*sub);
}

}  // namespace

void CommandTable::finish() {
  for (auto& [name, c] : by_name_) attach_derived(*c);
  sorted_.clear();
  for (auto& [name, c] : by_name_) sorted_.push_back(c.get());
  std::sort(sorted_.begin(), sorted_.end(),
            [](const Command* a, const Command* b) { return a->name < b->name; });
  size_t n = 16;
  while (n < sorted_.size() * 4) n *= 2;  // load factor <= 1/4: probes stay at one or two
  slots_.assign(n, nullptr);
  slot_names_.assign(n, {});
  slot_mask_ = static_cast<uint32_t>(n - 1);
  for (const Command* c : sorted_) {
    std::string_view key = c->name;
    if (auto r = renamed_.find(c->name); r != renamed_.end()) key = r->second;
    if (key.empty()) continue;  // renamed to "": disabled
    uint32_t i = fold_hash(key) & slot_mask_;
    while (slots_[i]) i = (i + 1) & slot_mask_;
    slots_[i] = c;
    slot_names_[i] = key;
  }
}

bool CommandTable::rename(std::string_view from, std::string_view to) {
  std::string name = lowercase(from);
  if (!by_name_.count(name)) {
    // A command already renamed is found by its new name.
    auto it = std::find_if(renamed_.begin(), renamed_.end(),
                           [&](const auto& kv) { return kv.second == name && !name.empty(); });
    if (it == renamed_.end()) return false;
    name = it->first;
  }
  renamed_[name] = lowercase(to);
  return true;
}

static void validate_one(const Command& c, std::vector<std::string>& out) {
  auto bad = [&](const std::string& why) { out.push_back("command '" + c.name + "': " + why); };
  if (!c.fn && c.subcommands.empty()) bad("no handler");
  if (c.flags == 0 && c.subcommands.empty()) bad("no flags");  // a container may have none
  if (c.group.empty()) bad("no group");
  if (c.summary.empty()) bad("no summary");
  if (c.arity == 0) bad("arity 0");
  if (c.first_key < 0 || c.step < 0) bad("negative key position");
  if (c.first_key > 0 && c.step == 0) bad("keys without a step");
  if (c.first_key > 0 && c.arity > 0 && c.first_key >= c.arity) bad("first key beyond arity");
  if (c.has_flag(kWrite) && c.has_flag(kReadonly)) bad("both write and readonly");
  // Keys counted by a numkeys argument are movable; SORT's are too (its STORE destination), found
  // by its own code.
  if (c.numkeys_at > 0 && !c.has_flag(kMovableKeys)) bad("numkeys_at without movable keys");
  for (auto& s : c.subcommands) validate_one(*s, out);
}

std::vector<std::string> CommandTable::validate() const {
  std::vector<std::string> out = problems_;
  for (auto& [name, c] : by_name_) validate_one(*c, out);
  return out;
}

void register_all_commands(CommandTable& t) {
  register_connection_commands(t);
  register_server_commands(t);
  register_string_commands(t);
  register_bit_commands(t);
  register_hyperloglog_commands(t);
  register_key_commands(t);
  register_hash_commands(t);
  register_hash_ttl_commands(t);
  register_list_commands(t);
  register_set_commands(t);
  register_zset_commands(t);
  register_geo_commands(t);
  register_sort_commands(t);
  register_transaction_commands(t);
  register_pubsub_commands(t);
  register_scripting_commands(t);
  register_function_commands(t);
  register_slowlog_commands(t);
  register_latency_commands(t);
  register_stream_commands(t);
  register_acl_commands(t);
  register_cluster_commands(t);
  t.finish();
}

}  // namespace respite::server
