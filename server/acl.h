// Users and permissions (Redis 6/7 ACL): the rule language of ACL SETUSER and `user` lines, the
// per-command check dispatch makes (command, keys, channels), the categories derived from the
// command table, and the ACL LOG. A user is immutable once published: ACL SETUSER builds a new
// AclUser from a copy and swaps it into the user map under a mutex, then bumps an epoch. Each
// connection keeps a shared_ptr to the user it authenticated as and the epoch it saw; dispatch
// compares that epoch with one relaxed load and refreshes only after a change, so an ACL change
// costs every command nothing but that load, and a user with every permission (the default user
// as shipped) skips the check entirely. Nothing here touches the network; the ACL command lives
// in server/commands/acl.cpp and the hooks in dispatch, EXEC and redis.call.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace respite::server {

struct Command;
class CommandTable;
class Connection;

// Redis's category bits, in the order ACL CAT lists them.
enum AclCategory : uint64_t {
  kCatKeyspace = 1ull << 0,
  kCatRead = 1ull << 1,
  kCatWrite = 1ull << 2,
  kCatSet = 1ull << 3,
  kCatSortedSet = 1ull << 4,
  kCatList = 1ull << 5,
  kCatHash = 1ull << 6,
  kCatString = 1ull << 7,
  kCatBitmap = 1ull << 8,
  kCatHyperloglog = 1ull << 9,
  kCatGeo = 1ull << 10,
  kCatStream = 1ull << 11,
  kCatPubsub = 1ull << 12,
  kCatAdmin = 1ull << 13,
  kCatFast = 1ull << 14,
  kCatSlow = 1ull << 15,
  kCatBlocking = 1ull << 16,
  kCatDangerous = 1ull << 17,
  kCatConnection = 1ull << 18,
  kCatTransaction = 1ull << 19,
  kCatScripting = 1ull << 20,
};
inline constexpr int kCategoryCount = 21;
// "keyspace", "read", ... for bit i.
std::string_view category_name(int i);
// The category bit called name (case-insensitive, without '@'); 0 when unknown ("all" too).
uint64_t category_by_name(std::string_view name);
// A command's categories: Redis's implicit ones from its flags (write, read, admin, pubsub,
// fast/slow, blocking) and the explicit ones Redis's command table gives, derived from its group
// with a few named exceptions.
uint64_t command_categories(const Command& cmd);

// Why a check failed, with Redis's ACL_DENIED_* values (the higher wins across selectors).
enum class AclDenied : uint8_t { kOk = 0, kCmd = 1, kKey = 2, kAuth = 3, kChannel = 4 };
inline constexpr uint8_t kKeyRead = 1, kKeyWrite = 2, kKeyAll = 3;

struct KeyPattern {
  std::string pattern;
  uint8_t flags = kKeyAll;  // kKeyRead | kKeyWrite
};

// One set of permissions: the root one a user has, and any "(...)" selectors after it.
struct AclSelector {
  bool root = false;
  bool allkeys = false, allchannels = false;
  // allcommands: every bit set, so the check can skip the bitmap (cleared by any removal).
  // future: +@all was the last of +@all / -@all, so ACL LIST starts from +@all (Redis keeps it as
  // a reserved command bit that only those two rules touch).
  bool allcommands = false, future = false;
  std::vector<uint64_t> allowed;  // one bit per command id
  // +cmd|arg for a command without subcommands (SELECT|0): by command id, the first arguments
  // allowed while its bit is off. Empty unless used.
  std::vector<std::vector<std::string>> firstargs;
  std::vector<KeyPattern> keys;
  std::vector<std::string> channels;

  bool allows(int id) const { return (allowed[static_cast<size_t>(id) >> 6] >> (id & 63)) & 1; }
  void set_bit(int id, bool on) {
    uint64_t& w = allowed[static_cast<size_t>(id) >> 6];
    const uint64_t bit = 1ull << (id & 63);
    w = on ? (w | bit) : (w & ~bit);
  }
};

struct AclUser {
  std::string name;
  // Redis's flags: "on" and "off" are separate bits (a new user has off), as are the payload ones.
  bool on = false, off = true, nopass = false;
  bool skip_sanitize = false, sanitize = false;
  std::vector<std::string> passwords;  // SHA-256 hex, in the order given
  std::vector<AclSelector> selectors;  // [0] is the root
  // Identity across SETUSER: a user deleted and made again (or reloaded) is another user, whose
  // old connections are closed.
  uint64_t uid = 0;
  // Every command, key and channel (one selector with allcommands, allkeys, allchannels): dispatch
  // skips the check.
  bool unrestricted = false;

  bool enabled() const { return on && !off; }
};

// ACL LOG's entries, newest first.
struct AclLogEntry {
  uint64_t count = 1;
  AclDenied reason = AclDenied::kCmd;
  uint8_t context = 0;  // 0 toplevel, 1 lua, 2 multi
  std::string object, username, client_info;
  int64_t ctime_ms = 0;
};
inline constexpr uint8_t kAclCtxToplevel = 0, kAclCtxLua = 1, kAclCtxMulti = 2;

// SHA-256 of a password as 64 lower-case hex digits.
std::string acl_hash_password(std::string_view password);

class Acl {
 public:
  explicit Acl(const CommandTable& commands) : commands_(commands) {}
  // Once the command table is finished: categories, channel rules, the default user.
  void init();

  // The rules: applies ops (one SETUSER argument each) to a copy of user `name` (a new user when
  // missing) and publishes it, all or nothing. Returns "" or Redis's error text without "ERR ".
  std::string set_user(std::string_view name, const std::vector<std::string_view>& ops);
  // Builds the user without publishing it (tests, config lines). Returns "" or the error.
  std::string build_user(AclUser& u, const std::vector<std::string_view>& ops) const;
  // Deletes users; the count deleted. The caller refuses "default".
  int del_users(const std::vector<std::string_view>& names);
  std::shared_ptr<const AclUser> get(std::string_view name) const;
  std::shared_ptr<const AclUser> default_user() const { return get("default"); }
  std::vector<std::shared_ptr<const AclUser>> users() const;  // by name
  // `user <name> <rules>` as ACL LIST and the ACL file show it.
  std::string describe(const AclUser& u) const;
  std::string describe_commands(const AclSelector& s) const;
  std::string describe_keys(const AclSelector& s, bool for_getuser) const;
  std::string describe_channels(const AclSelector& s, bool for_getuser) const;
  // requirepass: the default user's passwords become just this one (empty: nopass).
  void set_default_password(std::string_view pass);
  // Replaces every user with those of lines ("user name rules..."), all or nothing; "default" is
  // kept as shipped when the lines do not define it. Returns "" or the errors, as ACL LOAD shows.
  std::string load_lines(const std::vector<std::vector<std::string>>& lines,
                         std::string_view origin);
  // Config file `user` lines, checked and applied at start-up.
  std::string load_config_users(const std::vector<std::vector<std::string>>& lines);

  // Credentials: the user on success, null when unknown, disabled or the password is wrong.
  std::shared_ptr<const AclUser> authenticate(std::string_view name, std::string_view pass) const;

  // The check: whether u may run cmd with argv (argv[0] the name). On denial *argpos is the key
  // or channel argument at fault.
  AclDenied check(const AclUser& u, const Command& cmd, const std::vector<std::string_view>& argv,
                  size_t* argpos) const;

  // Whether a selector of u that allows this call also has a pattern "*" with the permissions
  // key_flags (a key spec's ACCESS / INSERT / DELETE / UPDATE) need, or allkeys: SORT's BY and
  // GET patterns read keys no spec names, so Redis lets them run only for such a user.
  bool unrestricted_key_access(const AclUser& u, const Command& cmd,
                               const std::vector<std::string_view>& argv, uint16_t key_flags) const;
  // acl-pubsub-default: whether new users and selectors (and `reset`) start with every channel.
  void set_pubsub_default_all(bool all) { pubsub_all_.store(all, std::memory_order_relaxed); }

  // Whether any of u's selectors allows channel (a pattern of PSUBSCRIBE compared literally).
  bool channel_allowed(const AclUser& u, std::string_view channel, bool is_pattern) const;

  uint64_t epoch() const { return epoch_.load(std::memory_order_acquire); }
  const CommandTable& commands() const { return commands_; }
  uint64_t categories(const Command& cmd) const;

  // ACL LOG.
  void log(AclDenied reason, uint8_t context, std::string object, std::string username,
           std::string client_info, int64_t now_ms, size_t max_len);
  std::vector<AclLogEntry> log_entries(size_t count) const;
  void log_reset();

 private:
  std::string apply(AclUser& u, std::string_view op) const;
  std::string apply_selector(AclSelector& s, std::string_view op) const;
  AclSelector new_selector(bool root) const;
  void finish(AclUser& u) const;
  void publish(std::shared_ptr<const AclUser> u);  // with mu_ held
  AclDenied check_selector(const AclSelector& s, const Command& cmd,
                           const std::vector<std::string_view>& argv, size_t* argpos) const;
  void set_category(AclSelector& s, uint64_t cat, bool on) const;
  void set_command(AclSelector& s, const Command& cmd, bool on) const;
  const Command* lookup(std::string_view name) const;  // "get", "config|get"

  const CommandTable& commands_;
  size_t words_ = 0;                 // bitmap words per selector
  std::vector<uint64_t> cat_by_id_;  // categories by command id
  // Which arguments are channels, by command id: 0 none, 1 argv[1] (PUBLISH), 2 all (SUBSCRIBE),
  // 3 all, as patterns compared literally (PSUBSCRIBE).
  std::vector<uint8_t> chan_by_id_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const AclUser>, std::less<>> users_;
  std::atomic<uint64_t> epoch_{1};
  std::atomic<bool> pubsub_all_{false};
  uint64_t next_uid_ = 1;
  mutable std::mutex log_mu_;
  std::deque<AclLogEntry> log_;
};

// The ACL file: each line split at spaces (Redis's format: no quoting, no comments); blank lines
// kept empty so that errors name the right line. "" or the error.
std::string read_acl_file(const std::string& path, std::vector<std::vector<std::string>>* lines);
// The aclfile's path: a relative one is taken from `dir`, as Redis (which chdirs there) does.
std::string acl_file_path(const std::string& dir, const std::string& aclfile);
// ACL SAVE: every user as ACL LIST shows it, written to a temporary file renamed over path.
bool write_acl_file(const Acl& acl, const std::string& path);

// --- connection hooks (dispatch, AUTH, HELLO, EXEC, redis.call) ---

// A new connection: the default user, authenticated when it needs no password.
void acl_attach_default(Connection& c);
// Dispatch, when the connection's epoch is behind: takes the newest copy of its user. False when
// the user is gone (deleted or reloaded): the connection is closing and runs nothing.
bool acl_refresh(Connection& c);
// Whether c may run cmd; on denial logs it (context as given) and returns the reason, with
// *argpos the argument at fault.
AclDenied acl_check(Connection& c, const Command& cmd, const std::vector<std::string_view>& argv,
                    uint8_t context, size_t* argpos);
// Logs a failed AUTH (object: "AUTH" or "HELLO" as typed, username the one tried).
void acl_log_auth(Connection& c, std::string_view command, std::string_view username);
// Authenticates c as name; false (and logged) on failure.
bool acl_auth(Connection& c, std::string_view command, std::string_view name,
              std::string_view pass);
// protected-mode: whether a client from peer ("ip:port") is refused, as Redis does when
// protected mode is on and the default user has no password: anything but 127.0.0.1 and ::1.
bool protected_mode_refuses(bool protected_mode, const AclUser& default_user, std::string_view peer,
                            bool unix_socket);
// Whether the default user now lets unauthenticated clients in (nopass and enabled).
bool acl_default_open(const Acl& acl);
// Redis's authRequired: c has not authenticated and the default user does not let it in. Such a
// client's requests are size-limited by the parser.
bool acl_auth_required(const Connection& c);
// A short CLIENT INFO style line for ACL LOG's client-info.
std::string acl_client_info(const Connection& c, int64_t now_ms);

}  // namespace respite::server
