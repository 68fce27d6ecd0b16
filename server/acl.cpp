// The ACL rule language, categories, the permission check and the ACL LOG; see acl.h. The rules
// and their error texts follow Redis 7.0's ACLSetUser/ACLSetSelector; describing a user back
// (ACL LIST, GETUSER, SAVE) uses the same greedy fit of categories to the command bitmap, so that
// the text reads as Redis would print it.
#include "server/acl.h"

#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <unistd.h>

#include "server/ascii.h"
#include "server/command.h"
#include "storage/glob.h"

namespace respite::server {

namespace {

constexpr std::string_view kCategoryNames[kCategoryCount] = {
    "keyspace", "read",   "write",       "set",       "sortedset",  "list",        "hash",
    "string",   "bitmap", "hyperloglog", "geo",       "stream",     "pubsub",      "admin",
    "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting"};

// Redis's ACLStringHasSpaces: patterns and user names may hold no white space and no NUL.
bool has_spaces(std::string_view s) {
  for (unsigned char ch : s) {
    if (std::isspace(ch) || ch == 0) return true;
  }
  return false;
}

bool valid_hash(std::string_view h) {
  if (h.size() != 64) return false;
  for (char ch : h) {
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
  }
  return true;
}

// Compares in time independent of where the first difference is: password hashes.
bool same_hash(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); i++) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

// The categories Redis's command table gives a command beyond those its flags imply: by group,
// with the few commands whose JSON says otherwise.
uint64_t explicit_categories(const Command& cmd) {
  const std::string& n = cmd.name;
  std::string_view g = cmd.group;
  if (g == "string") return kCatString;
  if (g == "list") return kCatList;
  if (g == "hash") return kCatHash;
  if (g == "set") return kCatSet;
  if (g == "sorted-set" || g == "sorted_set") return kCatSortedSet;
  if (g == "bitmap") return kCatBitmap;
  if (g == "hyperloglog") return kCatHyperloglog;
  if (g == "geo") return kCatGeo;
  if (g == "stream") return kCatStream;
  if (g == "transactions") return kCatTransaction;
  if (g == "connection") return kCatConnection;
  if (g == "scripting") return kCatScripting;
  if (g == "generic") {
    if (n == "sort" || n == "sort_ro") return kCatDangerous | kCatList | kCatSet | kCatSortedSet;
    if (n == "keys" || n == "migrate" || n == "restore") return kCatKeyspace | kCatDangerous;
    if (n == "wait") return kCatConnection;
    return kCatKeyspace;
  }
  if (g == "server") {
    if (n == "command" || n.starts_with("command|")) return kCatConnection;
    if (n == "info") return kCatDangerous;
    if (n == "flushall" || n == "flushdb" || n == "swapdb" || n == "restore-asking")
      return kCatKeyspace | kCatDangerous;
    if (n == "dbsize") return kCatKeyspace;
    if (n == "lastsave" || n == "role") return kCatAdmin | kCatDangerous;
  }
  if (g == "cluster" && (n == "asking" || n == "readonly" || n == "readwrite"))
    return kCatConnection;
  return 0;
}

template <class Fn>
void for_each_command(const CommandTable& t, Fn&& fn) {
  for (const Command* c : t.all()) {
    fn(*c);
    for (auto& s : c->subcommands) fn(*s);
  }
}

}  // namespace

std::string_view category_name(int i) {
  return kCategoryNames[i];
}

uint64_t category_by_name(std::string_view name) {
  for (int i = 0; i < kCategoryCount; i++) {
    if (iequals(name, kCategoryNames[i])) return 1ull << i;
  }
  return 0;
}

uint64_t command_categories(const Command& cmd) {
  // A pure container (CONFIG, CLIENT, OBJECT) has no flags in Redis's table: just @slow. COMMAND,
  // which runs alone too, is categorised as a command.
  if (!cmd.subcommands.empty() && !cmd.fn) return kCatSlow;
  uint64_t c = explicit_categories(cmd);
  if (cmd.has_flag(kWrite)) c |= kCatWrite;
  // Redis leaves the read-only scripting commands (EVAL_RO, FCALL_RO) out of @read.
  if (cmd.has_flag(kReadonly) && !(c & kCatScripting)) c |= kCatRead;
  if (cmd.has_flag(kAdmin)) c |= kCatAdmin | kCatDangerous;
  if (cmd.has_flag(kPubsub)) c |= kCatPubsub;
  if (cmd.has_flag(kFast)) c |= kCatFast;
  if (cmd.has_flag(kBlocking)) c |= kCatBlocking;
  if (!(c & kCatFast)) c |= kCatSlow;
  return c;
}

std::string acl_hash_password(std::string_view password) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(password.data()), password.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * SHA256_DIGEST_LENGTH, '0');
  for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 15];
  }
  return out;
}

// --- set-up ---

void Acl::init() {
  words_ = (commands_.id_count() + 63) / 64;
  cat_by_id_.assign(commands_.id_count(), 0);
  chan_by_id_.assign(commands_.id_count(), 0);
  for_each_command(commands_, [&](const Command& c) {
    cat_by_id_[c.id] = command_categories(c);
    const std::string& n = c.name;
    if (n == "publish" || n == "spublish") chan_by_id_[c.id] = 1;
    if (n == "subscribe" || n == "ssubscribe") chan_by_id_[c.id] = 2;
    if (n == "psubscribe") chan_by_id_[c.id] = 3;
  });
  auto u = std::make_shared<AclUser>();
  u->name = "default";
  u->selectors.push_back(new_selector(true));
  for (std::string_view op : {"+@all", "~*", "&*", "on", "nopass"}) apply(*u, op);
  finish(*u);
  std::lock_guard<std::mutex> lock(mu_);
  publish(std::move(u));
}

AclSelector Acl::new_selector(bool root) const {
  AclSelector s;
  s.root = root;
  s.allowed.assign(words_, 0);
  s.allchannels = pubsub_all_.load(std::memory_order_relaxed);
  return s;
}

uint64_t Acl::categories(const Command& cmd) const {
  return cmd.id >= 0 && static_cast<size_t>(cmd.id) < cat_by_id_.size() ? cat_by_id_[cmd.id] : 0;
}

const Command* Acl::lookup(std::string_view name) const {
  size_t bar = name.find('|');
  std::string_view top = name.substr(0, bar);
  const Command* found = nullptr;
  // By the original names, as Redis's orig_commands: rename-command changes nothing for ACLs.
  for (const Command* c : commands_.all()) {
    if (iequals(c->name, top)) {
      found = c;
      break;
    }
  }
  if (!found || bar == std::string_view::npos) return found;
  std::string_view sub = name.substr(bar + 1);
  if (sub.find('|') != std::string_view::npos) return nullptr;
  return found->find_sub(sub);
}

void Acl::set_command(AclSelector& s, const Command& cmd, bool on) const {
  s.set_bit(cmd.id, on);
  if (!on) s.allcommands = false;
  if (static_cast<size_t>(cmd.id) < s.firstargs.size()) s.firstargs[cmd.id].clear();
  for (auto& sub : cmd.subcommands) {
    s.set_bit(sub->id, on);
    if (!on) s.allcommands = false;
  }
}

void Acl::set_category(AclSelector& s, uint64_t cat, bool on) const {
  for_each_command(commands_, [&](const Command& c) {
    if (cat_by_id_[c.id] & cat) set_command(s, c, on);
  });
}

// --- the rule language ---

std::string Acl::apply_selector(AclSelector& s, std::string_view op) const {
  static const std::string kSyntax = "Syntax error";
  static const std::string kUnknown = "Unknown command or category name in ACL";
  if (iequals(op, "allkeys") || op == "~*") {
    s.allkeys = true;
    s.keys.clear();
  } else if (iequals(op, "resetkeys")) {
    s.allkeys = false;
    s.keys.clear();
  } else if (iequals(op, "allchannels") || op == "&*") {
    s.allchannels = true;
    s.channels.clear();
  } else if (iequals(op, "resetchannels")) {
    s.allchannels = false;
    s.channels.clear();
  } else if (iequals(op, "allcommands") || iequals(op, "+@all")) {
    std::fill(s.allowed.begin(), s.allowed.end(), ~0ull);
    s.allcommands = s.future = true;
    s.firstargs.clear();
  } else if (iequals(op, "nocommands") || iequals(op, "-@all")) {
    std::fill(s.allowed.begin(), s.allowed.end(), 0);
    s.allcommands = s.future = false;
    s.firstargs.clear();
  } else if (op[0] == '~' || op[0] == '%') {
    if (s.allkeys) {
      return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does "
             "not have any effect. Try 'resetkeys' to start with an empty list of patterns";
    }
    uint8_t flags = 0;
    size_t off = 1;
    if (op[0] == '%') {
      for (; off < op.size(); off++) {
        char ch = static_cast<char>(std::toupper(static_cast<unsigned char>(op[off])));
        if (ch == 'R' && !(flags & kKeyRead)) {
          flags |= kKeyRead;
        } else if (ch == 'W' && !(flags & kKeyWrite)) {
          flags |= kKeyWrite;
        } else if (op[off] == '~') {
          off++;
          break;
        } else {
          return kSyntax;
        }
      }
    } else {
      flags = kKeyAll;
    }
    std::string_view pat = op.substr(std::min(off, op.size()));
    if (has_spaces(pat)) return kSyntax;
    auto it = std::find_if(s.keys.begin(), s.keys.end(),
                           [&](const KeyPattern& k) { return k.pattern == pat; });
    if (it == s.keys.end())
      s.keys.push_back({std::string(pat), flags});
    else
      it->flags |= flags;
    s.allkeys = false;
  } else if (op[0] == '&') {
    if (s.allchannels) {
      return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and "
             "does not have any effect. Try 'resetchannels' to start with an empty list of "
             "channels";
    }
    std::string_view pat = op.substr(1);
    if (has_spaces(pat)) return kSyntax;
    if (std::find(s.channels.begin(), s.channels.end(), pat) == s.channels.end())
      s.channels.emplace_back(pat);
    s.allchannels = false;
  } else if (op[0] == '+' && (op.size() < 2 || op[1] != '@')) {
    std::string_view name = op.substr(1);
    size_t bar = name.rfind('|');
    if (bar == std::string_view::npos) {
      const Command* c = lookup(name);
      if (!c) return kUnknown;
      set_command(s, *c, true);
    } else {
      const Command* parent = lookup(name.substr(0, bar));
      if (!parent) return kUnknown;
      if (parent->parent) return "Allowing first-arg of a subcommand is not supported";
      std::string_view sub = name.substr(bar + 1);
      if (sub.empty()) return kSyntax;
      if (!parent->subcommands.empty()) {
        const Command* c = lookup(name);
        if (!c) return kUnknown;
        set_command(s, *c, true);
      } else {
        // SELECT|0: the first argument allowed while the command itself is not.
        if (s.firstargs.size() <= static_cast<size_t>(parent->id))
          s.firstargs.resize(commands_.id_count());
        auto& list = s.firstargs[parent->id];
        bool have = std::any_of(list.begin(), list.end(),
                                [&](const std::string& a) { return iequals(a, sub); });
        if (!have) list.emplace_back(sub);
      }
    }
  } else if (op[0] == '-' && (op.size() < 2 || op[1] != '@')) {
    const Command* c = lookup(op.substr(1));
    if (!c) return kUnknown;
    set_command(s, *c, false);
  } else if ((op[0] == '+' || op[0] == '-') && op[1] == '@') {
    uint64_t cat = category_by_name(op.substr(2));
    if (!cat) return kUnknown;
    set_category(s, cat, op[0] == '+');
  } else {
    return kSyntax;
  }
  return "";
}

std::string Acl::apply(AclUser& u, std::string_view op) const {
  if (op.empty()) return "";
  static const std::string kBadHash =
      "The password hash must be exactly 64 characters and contain only lowercase hexadecimal "
      "characters";
  if (iequals(op, "on")) {
    u.on = true;
    u.off = false;
  } else if (iequals(op, "off")) {
    u.off = true;
    u.on = false;
  } else if (iequals(op, "skip-sanitize-payload")) {
    u.skip_sanitize = true;
    u.sanitize = false;
  } else if (iequals(op, "sanitize-payload")) {
    u.skip_sanitize = false;
    u.sanitize = true;
  } else if (iequals(op, "nopass")) {
    u.nopass = true;
    u.passwords.clear();
  } else if (iequals(op, "resetpass")) {
    u.nopass = false;
    u.passwords.clear();
  } else if (op[0] == '>' || op[0] == '#') {
    std::string hash;
    if (op[0] == '>') {
      hash = acl_hash_password(op.substr(1));
    } else {
      if (!valid_hash(op.substr(1))) return kBadHash;
      hash = op.substr(1);
    }
    if (std::find(u.passwords.begin(), u.passwords.end(), hash) == u.passwords.end())
      u.passwords.push_back(std::move(hash));
    u.nopass = false;
  } else if (op[0] == '<' || op[0] == '!') {
    std::string hash;
    if (op[0] == '<') {
      hash = acl_hash_password(op.substr(1));
    } else {
      if (!valid_hash(op.substr(1))) return kBadHash;
      hash = op.substr(1);
    }
    auto it = std::find(u.passwords.begin(), u.passwords.end(), hash);
    if (it == u.passwords.end())
      return "The password you are trying to remove from the user does not exist";
    u.passwords.erase(it);
  } else if (op[0] == '(' && op.back() == ')') {
    AclSelector s = new_selector(false);
    std::vector<std::string> parts;
    std::string_view inner = op.substr(1, op.size() - 2);
    size_t i = 0;
    while (i < inner.size()) {
      while (i < inner.size() && std::isspace(static_cast<unsigned char>(inner[i]))) i++;
      size_t j = i;
      while (j < inner.size() && !std::isspace(static_cast<unsigned char>(inner[j]))) j++;
      if (j > i) parts.emplace_back(inner.substr(i, j - i));
      i = j;
    }
    for (const std::string& p : parts) {
      std::string err = apply_selector(s, p);
      if (!err.empty()) return err;
    }
    u.selectors.push_back(std::move(s));
  } else if (iequals(op, "clearselectors")) {
    u.selectors.resize(1);
  } else if (iequals(op, "reset")) {
    for (std::string_view o : {"resetpass", "resetkeys", "resetchannels", "off", "sanitize-payload",
                               "clearselectors", "-@all"})
      apply(u, o);
    if (pubsub_all_.load(std::memory_order_relaxed)) apply(u, "allchannels");
  } else {
    return apply_selector(u.selectors[0], op);
  }
  return "";
}

void Acl::finish(AclUser& u) const {
  const AclSelector& r = u.selectors[0];
  u.unrestricted = u.selectors.size() == 1 && r.allcommands && r.allkeys && r.allchannels;
  bool any_unrestricted = false;
  for (const AclSelector& s : u.selectors)
    any_unrestricted |= s.allcommands && s.allkeys && s.allchannels;
  u.unrestricted = any_unrestricted;
}

std::string Acl::build_user(AclUser& u, const std::vector<std::string_view>& ops) const {
  if (u.selectors.empty()) u.selectors.push_back(new_selector(true));
  // Redis's ACLMergeSelectorArguments: "(" ... ")" spread over several arguments is one rule.
  std::vector<std::string> merged;
  std::string pending;
  int open_at = -1;
  for (size_t j = 0; j < ops.size(); j++) {
    std::string_view op = ops[j];
    if (open_at < 0 && !op.empty() && op[0] == '(' && op.back() != ')') {
      pending = op;
      open_at = static_cast<int>(j);
      continue;
    }
    if (open_at >= 0) {
      pending += ' ';
      pending += op;
      if (!op.empty() && op.back() == ')') {
        merged.push_back(std::move(pending));
        open_at = -1;
      }
      continue;
    }
    merged.emplace_back(op);
  }
  if (open_at >= 0) {
    return "Unmatched parenthesis in acl selector starting at '" +
           std::string(ops[static_cast<size_t>(open_at)]) + "'.";
  }
  for (const std::string& op : merged) {
    std::string err = apply(u, op);
    if (!err.empty()) return "Error in ACL SETUSER modifier '" + op + "': " + err;
  }
  finish(u);
  return "";
}

void Acl::publish(std::shared_ptr<const AclUser> u) {
  users_[u->name] = std::move(u);
  epoch_.fetch_add(1, std::memory_order_release);
}

std::string Acl::set_user(std::string_view name, const std::vector<std::string_view>& ops) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = users_.find(name);
  AclUser u;
  if (it != users_.end()) {
    u = *it->second;
  } else {
    u.name = name;
    u.uid = next_uid_++;
  }
  std::string err = build_user(u, ops);
  if (!err.empty()) return err;
  publish(std::make_shared<const AclUser>(std::move(u)));
  return "";
}

int Acl::del_users(const std::vector<std::string_view>& names) {
  std::lock_guard<std::mutex> lock(mu_);
  int n = 0;
  for (std::string_view name : names) {
    auto it = users_.find(name);
    if (it == users_.end()) continue;
    users_.erase(it);
    n++;
  }
  if (n) epoch_.fetch_add(1, std::memory_order_release);
  return n;
}

std::shared_ptr<const AclUser> Acl::get(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const AclUser>> Acl::users() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<const AclUser>> out;
  for (auto& [name, u] : users_) out.push_back(u);
  return out;
}

void Acl::set_default_password(std::string_view pass) {
  std::lock_guard<std::mutex> lock(mu_);
  AclUser u = *users_.at("default");
  apply(u, "resetpass");
  if (pass.empty())
    apply(u, "nopass");
  else
    apply(u, ">" + std::string(pass));
  finish(u);
  publish(std::make_shared<const AclUser>(std::move(u)));
}

std::string Acl::load_lines(const std::vector<std::vector<std::string>>& lines,
                            std::string_view origin) {
  std::map<std::string, std::shared_ptr<const AclUser>, std::less<>> fresh;
  std::string errors;
  int number = 0;
  uint64_t uid;
  {
    std::lock_guard<std::mutex> lock(mu_);
    uid = next_uid_;
  }
  for (const auto& args : lines) {
    number++;
    if (args.empty()) continue;
    std::string where = std::string(origin) + ":" + std::to_string(number);
    if (args[0] != "user" || args.size() < 2) {
      errors += where + " should start with user keyword followed by the username. ";
      continue;
    }
    if (has_spaces(args[1])) {
      errors += "'" + where + ": username '" + args[1] + "' contains invalid characters. ";
      continue;
    }
    if (fresh.count(args[1])) {
      errors += "WARNING: Duplicate user '" + args[1] + "' found on line " +
                std::to_string(number) + ". ";
      continue;
    }
    AclUser u;
    u.name = args[1];
    u.uid = uid++;
    u.selectors.push_back(new_selector(true));
    std::vector<std::string_view> ops(args.begin() + 2, args.end());
    std::string err = build_user(u, ops);
    if (!err.empty()) {
      // Without the SETUSER prefix: "<file>:<line>: <reason>. "
      size_t colon = err.find("': ");
      std::string why =
          err.starts_with("Error in ACL SETUSER modifier '") && colon != std::string::npos
              ? err.substr(colon + 3)
              : err;
      errors += where + ": " + why + ". ";
      continue;
    }
    std::string key = u.name;  // the right side of = is evaluated first: u is gone after it
    fresh[key] = std::make_shared<const AclUser>(std::move(u));
  }
  if (!errors.empty()) {
    return errors +
           "WARNING: ACL errors detected, no change to the previously active ACL rules was "
           "performed";
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!fresh.count("default")) {
    // As shipped, but the same identity as before: its connections stay.
    AclUser d;
    d.name = "default";
    d.selectors.push_back(new_selector(true));
    for (std::string_view op : {"+@all", "~*", "&*", "on", "nopass"}) apply(d, op);
    finish(d);
    fresh["default"] = std::make_shared<const AclUser>(std::move(d));
  }
  // The default user keeps its identity: Redis copies the loaded one into it.
  auto old_default = users_.find("default");
  if (old_default != users_.end()) {
    AclUser d = *fresh["default"];
    d.uid = old_default->second->uid;
    fresh["default"] = std::make_shared<const AclUser>(std::move(d));
  }
  next_uid_ = uid;
  users_ = std::move(fresh);
  epoch_.fetch_add(1, std::memory_order_release);
  return "";
}

std::string Acl::load_config_users(const std::vector<std::vector<std::string>>& lines) {
  for (const auto& args : lines) {
    std::vector<std::string_view> ops(args.begin() + 2, args.end());
    AclUser probe;
    probe.name = args[1];
    std::string err = build_user(probe, ops);
    if (!err.empty()) return "Error in user declaration '" + args[1] + "': " + err;
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& args : lines) {
    AclUser u;
    auto it = users_.find(args[1]);
    if (it != users_.end()) {
      u = *it->second;
      // A configured user starts from scratch, as Redis's ACLLoadConfiguredUsers resets it.
      u.passwords.clear();
      u.selectors.clear();
      u.on = false;
      u.off = true;
      u.nopass = false;
    } else {
      u.name = args[1];
      u.uid = next_uid_++;
    }
    std::vector<std::string_view> ops(args.begin() + 2, args.end());
    build_user(u, ops);
    publish(std::make_shared<const AclUser>(std::move(u)));
  }
  return "";
}

std::shared_ptr<const AclUser> Acl::authenticate(std::string_view name,
                                                 std::string_view pass) const {
  std::shared_ptr<const AclUser> u = get(name);
  if (!u || !u->enabled()) return nullptr;
  if (u->nopass) return u;
  std::string h = acl_hash_password(pass);
  for (const std::string& p : u->passwords) {
    if (same_hash(h, p)) return u;
  }
  return nullptr;
}

// --- describing users ---

std::string Acl::describe_commands(const AclSelector& s) const {
  // Redis's trick: rules are applied to a fake selector as they are written, so that what is
  // still different is known at every step. First the best-fitting categories, then single
  // commands.
  const bool additive = !s.future;
  std::string rules = additive ? "-@all " : "+@all ";
  AclSelector fake = new_selector(false);
  apply_selector(fake, additive ? "-@all" : "+@all");
  AclSelector temp = new_selector(false);
  temp.allowed = s.allowed;
  bool applied[kCategoryCount] = {};
  for (;;) {
    int best = -1;
    unsigned long mindiff = INT_MAX, maxsame = 0;
    for (int j = 0; j < kCategoryCount; j++) {
      if (applied[j]) continue;
      unsigned long on = 0, off = 0;
      for_each_command(commands_, [&](const Command& c) {
        if (cat_by_id_[c.id] & (1ull << j)) (temp.allows(c.id) ? on : off)++;
      });
      unsigned long diff = additive ? off : on, same = additive ? on : off;
      if (same > diff && (diff < mindiff || (diff == mindiff && same > maxsame))) {
        best = j;
        mindiff = diff;
        maxsame = same;
      }
    }
    if (best < 0) break;
    set_category(fake, 1ull << best, additive);
    set_category(temp, 1ull << best, !additive);
    rules += additive ? "+@" : "-@";
    rules += kCategoryNames[best];
    rules += ' ';
    applied[best] = true;
  }
  auto single = [&](const Command& c) {
    bool user = s.allows(c.id), mine = fake.allows(c.id);
    if (user != mine) {
      rules += user ? '+' : '-';
      rules += c.name;
      rules += ' ';
      set_command(fake, c, user);
    }
  };
  for (const Command* c : commands_.all()) {
    single(*c);
    for (auto& sub : c->subcommands) single(*sub);
    if (!s.allows(c->id) && static_cast<size_t>(c->id) < s.firstargs.size()) {
      for (const std::string& a : s.firstargs[c->id]) rules += "+" + c->name + "|" + a + " ";
    }
  }
  rules.pop_back();
  return rules;
}

std::string Acl::describe_keys(const AclSelector& s, bool for_getuser) const {
  if (s.allkeys) return for_getuser ? "~*" : "~* ";
  std::string out;
  for (const KeyPattern& k : s.keys) {
    if (for_getuser && !out.empty()) out += ' ';
    out += k.flags == kKeyAll ? "~" : k.flags == kKeyRead ? "%R~" : "%W~";
    out += k.pattern;
    if (!for_getuser) out += ' ';
  }
  return out;
}

std::string Acl::describe_channels(const AclSelector& s, bool for_getuser) const {
  if (s.allchannels) return for_getuser ? "&*" : "&* ";
  std::string out = for_getuser ? "" : "resetchannels ";
  bool first = true;
  for (const std::string& ch : s.channels) {
    if (for_getuser && !first) out += ' ';
    first = false;
    out += "&" + ch;
    if (!for_getuser) out += ' ';
  }
  return out;
}

std::string Acl::describe(const AclUser& u) const {
  std::string out;
  if (u.on) out += "on ";
  if (u.off) out += "off ";
  if (u.nopass) out += "nopass ";
  if (u.skip_sanitize) out += "skip-sanitize-payload ";
  if (u.sanitize) out += "sanitize-payload ";
  for (const std::string& p : u.passwords) out += "#" + p + " ";
  for (const AclSelector& s : u.selectors) {
    std::string d = describe_keys(s, false) + describe_channels(s, false) + describe_commands(s);
    out += s.root ? d : " (" + d + ")";
  }
  return out;
}

// --- the check ---

AclDenied Acl::check_selector(const AclSelector& s, const Command& cmd,
                              const std::vector<std::string_view>& argv, size_t* argpos) const {
  if (!s.allcommands && !cmd.has_flag(kNoAuth) && !s.allows(cmd.id)) {
    // SELECT|0: allowed with that first argument only.
    if (argv.size() < 2 || static_cast<size_t>(cmd.id) >= s.firstargs.size())
      return AclDenied::kCmd;
    std::string_view first = argv[cmd.parent ? 2 : 1];
    const auto& list = s.firstargs[cmd.id];
    if (!std::any_of(list.begin(), list.end(),
                     [&](const std::string& a) { return iequals(a, first); }))
      return AclDenied::kCmd;
  }
  // Each key needs what its key spec says the command does with it (key_spec.h): reading it
  // (ACCESS) needs %R, changing it (INSERT, DELETE, UPDATE) needs %W, so COPY or LMOVE need read
  // on one key and write on the other; a key with neither (EXISTS) needs a matching pattern of
  // either kind. The shard channels of SPUBLISH and SSUBSCRIBE are not_key specs: channels,
  // checked below. Only a selector without allkeys gets here, so the common case walks nothing.
  if (!s.allkeys && command_has_keys(cmd)) {
    AclDenied res = AclDenied::kOk;
    visit_keys(cmd, argv.data(), argv.size(), [&](size_t i, uint16_t flags) {
      if (res != AclDenied::kOk) return;
      uint8_t need = 0;
      if (flags & kSpecAccess) need |= kKeyRead;
      if (flags & (kSpecInsert | kSpecDelete | kSpecUpdate)) need |= kKeyWrite;
      for (const KeyPattern& k : s.keys) {
        if ((k.flags & need) == need && storage::glob_match(k.pattern, argv[i])) return;
      }
      res = AclDenied::kKey;
      *argpos = i;
    });
    if (res != AclDenied::kOk) return res;
  }
  uint8_t chan = static_cast<size_t>(cmd.id) < chan_by_id_.size() ? chan_by_id_[cmd.id] : 0;
  if (!s.allchannels && chan) {
    size_t last = chan == 1 ? std::min<size_t>(1, argv.size() - 1) : argv.size() - 1;
    for (size_t i = 1; i <= last; i++) {
      bool ok = false;
      for (const std::string& p : s.channels) {
        if (chan == 3 ? p == argv[i] : storage::glob_match(p, argv[i])) {
          ok = true;
          break;
        }
      }
      if (!ok) {
        *argpos = i;
        return AclDenied::kChannel;
      }
    }
  }
  return AclDenied::kOk;
}

AclDenied Acl::check(const AclUser& u, const Command& cmd,
                     const std::vector<std::string_view>& argv, size_t* argpos) const {
  if (u.unrestricted) return AclDenied::kOk;
  AclDenied relevant = AclDenied::kCmd;
  size_t last = 0;
  for (const AclSelector& s : u.selectors) {
    size_t pos = 0;
    AclDenied r = check_selector(s, cmd, argv, &pos);
    if (r == AclDenied::kOk) return r;
    if (r > relevant || (r == relevant && pos > last)) {
      relevant = r;
      last = pos;
    }
  }
  *argpos = last;
  return relevant;
}

bool Acl::unrestricted_key_access(const AclUser& u, const Command& cmd,
                                  const std::vector<std::string_view>& argv,
                                  uint16_t key_flags) const {
  if (u.unrestricted) return true;
  uint8_t need = 0;
  if (key_flags & kSpecAccess) need |= kKeyRead;
  if (key_flags & (kSpecInsert | kSpecDelete | kSpecUpdate)) need |= kKeyWrite;
  for (const AclSelector& s : u.selectors) {
    size_t pos = 0;
    if (check_selector(s, cmd, argv, &pos) != AclDenied::kOk) continue;
    if (s.allkeys) return true;
    for (const KeyPattern& k : s.keys) {
      if ((k.flags & need) == need && k.pattern == "*") return true;
    }
  }
  return false;
}

bool Acl::channel_allowed(const AclUser& u, std::string_view channel, bool is_pattern) const {
  for (const AclSelector& s : u.selectors) {
    if (s.allchannels) return true;
    for (const std::string& p : s.channels) {
      if (is_pattern ? p == channel : storage::glob_match(p, channel)) return true;
    }
  }
  return false;
}

// --- ACL LOG ---

void Acl::log(AclDenied reason, uint8_t context, std::string object, std::string username,
              std::string client_info, int64_t now_ms, size_t max_len) {
  std::lock_guard<std::mutex> lock(log_mu_);
  // Redis groups an event with a similar one of the last minute among the newest ten.
  size_t scan = std::min<size_t>(10, log_.size());
  for (size_t i = 0; i < scan; i++) {
    AclLogEntry& e = log_[i];
    if (e.reason == reason && e.context == context && std::llabs(e.ctime_ms - now_ms) <= 60000 &&
        e.object == object && e.username == username) {
      AclLogEntry moved = std::move(e);
      log_.erase(log_.begin() + static_cast<std::ptrdiff_t>(i));
      moved.count++;
      moved.ctime_ms = now_ms;
      moved.client_info = std::move(client_info);
      log_.push_front(std::move(moved));
      return;
    }
  }
  AclLogEntry e;
  e.reason = reason;
  e.context = context;
  e.object = std::move(object);
  e.username = std::move(username);
  e.client_info = std::move(client_info);
  e.ctime_ms = now_ms;
  log_.push_front(std::move(e));
  while (log_.size() > max_len) log_.pop_back();
}

std::vector<AclLogEntry> Acl::log_entries(size_t count) const {
  std::lock_guard<std::mutex> lock(log_mu_);
  count = std::min(count, log_.size());
  return {log_.begin(), log_.begin() + static_cast<std::ptrdiff_t>(count)};
}

void Acl::log_reset() {
  std::lock_guard<std::mutex> lock(log_mu_);
  log_.clear();
}

// --- the ACL file ---

std::string read_acl_file(const std::string& path, std::vector<std::vector<std::string>>* lines) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return "Error loading ACLs, opening file '" + path + "': " + std::strerror(errno);
  }
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> args;
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) i++;
      size_t j = i;
      while (j < line.size() && !std::isspace(static_cast<unsigned char>(line[j]))) j++;
      if (j > i) args.push_back(line.substr(i, j - i));
      i = j;
    }
    lines->push_back(std::move(args));
  }
  return "";
}

std::string acl_file_path(const std::string& dir, const std::string& aclfile) {
  if (aclfile.empty() || aclfile[0] == '/' || dir.empty() || dir == ".") return aclfile;
  return dir + "/" + aclfile;
}

bool write_acl_file(const Acl& acl, const std::string& path) {
  std::string text;
  for (const auto& u : acl.users()) text += "user " + u->name + " " + acl.describe(*u) + "\n";
  std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return false;
    out << text;
    out.flush();
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace respite::server
