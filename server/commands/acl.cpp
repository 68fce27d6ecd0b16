// The ACL command: SETUSER, GETUSER, DELUSER, LIST, USERS, WHOAMI, CAT, GENPASS, LOG, DRYRUN,
// SAVE, LOAD and HELP over the server's users (server/acl.h), with Redis 7.0's replies and texts.
// Users whose rules go away lose their clients as in Redis: a deleted (or reloaded) user's
// clients, and a subscriber whose channels are no longer allowed, are closed by their own workers.
#include <random>

#include "server/acl.h"
#include "server/context.h"
#include "server/errors.h"
#include "server/pubsub.h"

namespace respite::server {

namespace {

// Closes clients for which check says so, each on its own worker (only the owner closes its
// clients: another worker's are posted to it and go shortly after this reply), the caller itself
// after this reply. check: decides on the owner's thread, given the client; true closes.
template <class Check>
void close_clients_where(CmdCtx& c, Check check) {
  std::vector<std::pair<Worker*, uint64_t>> targets;
  {
    std::lock_guard<std::mutex> lock(c.server.clients_mu);
    for (auto& [id, k] : c.server.clients) targets.emplace_back(k->worker, id);
  }
  // Not a structured binding: clang (the fuzz build) cannot capture one in the lambda below.
  for (const auto& target_pair : targets) {
    Worker* w = target_pair.first;
    const uint64_t id = target_pair.second;
    if (id == c.conn.id) {
      if (check(c.conn)) c.conn.close_after_reply();
      continue;
    }
    if (w == &c.worker) {
      // Ours: closed now, so that the caller's next command (CLIENT LIST) no longer sees it. The
      // connection is freed by its close callback, after this command.
      Connection* target = nullptr;
      {
        std::lock_guard<std::mutex> lock(c.server.clients_mu);
        auto it = c.server.clients.find(id);
        if (it != c.server.clients.end()) target = it->second;
      }
      if (target && check(*target)) target->close();
      continue;
    }
    w->post([id, check](Worker& worker) {
      Connection* target = nullptr;
      {
        std::lock_guard<std::mutex> lock(worker.server->clients_mu);
        auto it = worker.server->clients.find(id);
        if (it != worker.server->clients.end() && it->second->worker == &worker)
          target = it->second;
      }
      if (target && check(*target)) target->close();
    });
  }
}

// A client whose user was deleted or replaced (its identity no longer in the user map).
void close_orphaned_clients(CmdCtx& c) {
  Acl* acl = &c.server.acl;
  close_clients_where(c, [acl](Connection& k) {
    if (!k.user) return false;
    auto now = acl->get(k.user->name);
    return !now || now->uid != k.user->uid;
  });
}

// Redis's ACLKillPubsubClientsIfNeeded: a subscriber of `name` holding a channel or pattern its
// new rules no longer allow.
void close_revoked_subscribers(CmdCtx& c, const std::string& name) {
  Acl* acl = &c.server.acl;
  auto u = acl->get(name);
  if (!u) return;
  for (const AclSelector& s : u->selectors) {
    if (s.allchannels) return;
  }
  close_clients_where(c, [acl, name](Connection& k) {
    if (!k.user || k.user->name != name || !k.subs) return false;
    auto now = acl->get(name);
    if (!now) return false;
    for (const std::string& ch : k.subs->channels)
      if (!acl->channel_allowed(*now, ch, false)) return true;
    for (const std::string& ch : k.subs->shard)
      if (!acl->channel_allowed(*now, ch, false)) return true;
    for (const std::string& p : k.subs->patterns)
      if (!acl->channel_allowed(*now, p, true)) return true;
    return false;
  });
}

bool has_spaces(std::string_view s) {
  for (unsigned char ch : s) {
    if (std::isspace(ch) || ch == 0) return true;
  }
  return false;
}

void cmd_acl_setuser(CmdCtx& c) {
  std::string_view name = c.arg(2);
  if (has_spaces(name)) return c.error(Err::kAclUsernameSpaces);
  std::vector<std::string_view> ops(c.argv.begin() + 3, c.argv.end());
  std::string err = c.server.acl.set_user(name, ops);
  if (!err.empty()) return c.error(acl_error(err));
  close_revoked_subscribers(c, std::string(name));
  c.reply.ok();
}

void cmd_acl_deluser(CmdCtx& c) {
  std::vector<std::string_view> names;
  for (size_t j = 2; j < c.argc(); j++) {
    if (c.arg(j) == "default") return c.error(Err::kAclDeleteDefault);
    names.push_back(c.arg(j));
  }
  int n = c.server.acl.del_users(names);
  if (n) close_orphaned_clients(c);
  c.reply.integer(n);
}

void reply_selector(CmdCtx& c, const Acl& acl, const AclSelector& s) {
  c.reply.bulk("commands");
  c.reply.bulk(acl.describe_commands(s));
  c.reply.bulk("keys");
  c.reply.bulk(acl.describe_keys(s, true));
  c.reply.bulk("channels");
  c.reply.bulk(acl.describe_channels(s, true));
}

void cmd_acl_getuser(CmdCtx& c) {
  const Acl& acl = c.server.acl;
  auto u = acl.get(c.arg(2));
  if (!u) return c.reply.null();
  c.reply.map(6);
  c.reply.bulk("flags");
  std::vector<std::string_view> flags;
  if (u->on) flags.push_back("on");
  if (u->off) flags.push_back("off");
  if (u->nopass) flags.push_back("nopass");
  if (u->skip_sanitize) flags.push_back("skip-sanitize-payload");
  if (u->sanitize) flags.push_back("sanitize-payload");
  c.reply.set(flags.size());
  for (std::string_view f : flags) c.reply.bulk(f);
  c.reply.bulk("passwords");
  c.reply.array(u->passwords.size());
  for (const std::string& p : u->passwords) c.reply.bulk(p);
  reply_selector(c, acl, u->selectors[0]);
  c.reply.bulk("selectors");
  c.reply.array(u->selectors.size() - 1);
  for (size_t i = 1; i < u->selectors.size(); i++) {
    c.reply.map(3);
    reply_selector(c, acl, u->selectors[i]);
  }
}

void cmd_acl_list(CmdCtx& c) {
  auto users = c.server.acl.users();
  c.reply.array(users.size());
  for (const auto& u : users) c.reply.bulk("user " + u->name + " " + c.server.acl.describe(*u));
}

void cmd_acl_users(CmdCtx& c) {
  auto users = c.server.acl.users();
  c.reply.array(users.size());
  for (const auto& u : users) c.reply.bulk(u->name);
}

void cmd_acl_whoami(CmdCtx& c) {
  c.reply.bulk(c.conn.user_name());
}

void cmd_acl_cat(CmdCtx& c) {
  if (c.argc() > 3) return c.error(subcommand_syntax_error("acl", c.arg(1)));
  if (c.argc() == 2) {
    c.reply.array(kCategoryCount);
    for (int i = 0; i < kCategoryCount; i++) c.reply.bulk(category_name(i));
    return;
  }
  uint64_t cat = category_by_name(c.arg(2));
  if (!cat) return c.error(acl_unknown_category_error(c.arg(2)));
  std::vector<const Command*> in;
  for (const Command* cmd : c.server.commands.all()) {
    if (c.server.acl.categories(*cmd) & cat) in.push_back(cmd);
    for (auto& sub : cmd->subcommands) {
      if (c.server.acl.categories(*sub) & cat) in.push_back(sub.get());
    }
  }
  c.reply.array(in.size());
  for (const Command* cmd : in) c.reply.bulk(cmd->name);
}

void cmd_acl_genpass(CmdCtx& c) {
  if (c.argc() > 3) return c.error(subcommand_syntax_error("acl", c.arg(1)));
  int64_t bits = 256;
  if (c.argc() == 3 && !parse_int(c.arg(2), &bits)) return c.error(Err::kNotInt);
  if (bits <= 0 || bits > 4096) return c.error(Err::kAclGenpassBits);
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device rd;  // the kernel's generator: these are passwords
  std::string pass(static_cast<size_t>((bits + 3) / 4), '0');
  for (char& ch : pass) ch = kHex[rd() & 15];
  c.reply.bulk(pass);
}

void cmd_acl_log(CmdCtx& c) {
  if (c.argc() > 3) return c.error(subcommand_syntax_error("acl", c.arg(1)));
  int64_t count = 10;
  if (c.argc() == 3) {
    if (iequals(c.arg(2), "reset")) {
      c.server.acl.log_reset();
      return c.reply.ok();
    }
    if (!parse_int(c.arg(2), &count)) return c.error(Err::kNotInt);
    if (count < 0) count = 0;
  }
  auto entries = c.server.acl.log_entries(static_cast<size_t>(count));
  const int64_t now = c.op.now_ms;
  c.reply.array(entries.size());
  for (const AclLogEntry& e : entries) {
    c.reply.map(7);
    c.reply.bulk("count");
    c.reply.integer(static_cast<int64_t>(e.count));
    c.reply.bulk("reason");
    c.reply.bulk(e.reason == AclDenied::kCmd       ? "command"
                 : e.reason == AclDenied::kKey     ? "key"
                 : e.reason == AclDenied::kChannel ? "channel"
                 : e.reason == AclDenied::kAuth    ? "auth"
                                                   : "unknown");
    c.reply.bulk("context");
    c.reply.bulk(e.context == kAclCtxToplevel ? "toplevel"
                 : e.context == kAclCtxMulti  ? "multi"
                 : e.context == kAclCtxLua    ? "lua"
                                              : "unknown");
    c.reply.bulk("object");
    c.reply.bulk(e.object);
    c.reply.bulk("username");
    c.reply.bulk(e.username);
    c.reply.bulk("age-seconds");
    c.reply.dbl(static_cast<double>(now - e.ctime_ms) / 1000);
    c.reply.bulk("client-info");
    c.reply.bulk(e.client_info);
  }
}

void cmd_acl_dryrun(CmdCtx& c) {
  auto u = c.server.acl.get(c.arg(2));
  if (!u) return c.error(acl_user_not_found_error(c.arg(2)));
  std::vector<std::string_view> argv(c.argv.begin() + 3, c.argv.end());
  const Command* cmd = c.server.commands.find(argv[0]);
  if (cmd && !cmd->subcommands.empty() && argv.size() > 1) cmd = cmd->find_sub(argv[1]);
  if (!cmd) return c.error(acl_command_not_found_error(c.arg(3)));
  if (!cmd->arity_ok(argv.size())) return c.error(arity_error(cmd->name));
  size_t pos = 0;
  AclDenied r = c.server.acl.check(*u, *cmd, argv, &pos);
  switch (r) {
    case AclDenied::kOk:
      return c.reply.ok();
    case AclDenied::kCmd:
      return c.reply.bulk("This user has no permissions to run the '" + cmd->name + "' command");
    case AclDenied::kKey:
      return c.reply.bulk("This user has no permissions to access the '" + std::string(argv[pos]) +
                          "' key");
    default:
      return c.reply.bulk("This user has no permissions to access the '" + std::string(argv[pos]) +
                          "' channel");
  }
}

void cmd_acl_save(CmdCtx& c) {
  if (c.server.config.aclfile.empty()) return c.error(Err::kAclNoFile);
  const std::string path = acl_file_path(c.server.config.dir, c.server.config.aclfile);
  if (!write_acl_file(c.server.acl, path)) return c.error(Err::kAclSaveFailed);
  c.reply.ok();
}

void cmd_acl_load(CmdCtx& c) {
  if (c.server.config.aclfile.empty()) return c.error(Err::kAclNoFile);
  std::vector<std::vector<std::string>> lines;
  const std::string path = acl_file_path(c.server.config.dir, c.server.config.aclfile);
  std::string err = read_acl_file(path, &lines);
  if (err.empty()) err = c.server.acl.load_lines(lines, c.server.config.aclfile);
  if (!err.empty()) return c.error(acl_error(err));
  close_orphaned_clients(c);
  c.reply.ok();
}

void cmd_acl_help(CmdCtx& c) {
  static const char* lines[] = {
      "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CAT [<category>]",
      "    List all commands that belong to <category>, or all command categories",
      "    when no category is specified.",
      "DELUSER <username> [<username> ...]",
      "    Delete a list of users.",
      "DRYRUN <username> <command> [<arg> ...]",
      "    Returns whether the user can execute the given command without executing the "
      "command.",
      "GETUSER <username>",
      "    Get the user's details.",
      "GENPASS [<bits>]",
      "    Generate a secure 256-bit user password. The optional `bits` argument can",
      "    be used to specify a different size.",
      "LIST",
      "    Show users details in config file format.",
      "LOAD",
      "    Reload users from the ACL file.",
      "LOG [<count> | RESET]",
      "    Show the ACL log entries.",
      "SAVE",
      "    Save the current config to the ACL file.",
      "SETUSER <username> <attribute> [<attribute> ...]",
      "    Create or modify a user with the specified attributes.",
      "USERS",
      "    List all the registered usernames.",
      "WHOAMI",
      "    Return the current connection username.",
      "HELP",
      "    Print this help."};
  c.reply.array(std::size(lines));
  for (const char* l : lines) c.reply.simple(l);
}

}  // namespace

void register_acl_commands(CommandTable& t) {
  constexpr uint32_t B = kNoscript | kLoading | kStale;
  constexpr uint32_t A = B | kAdmin;
  Command* acl = t.add({.name = "acl",
                        .arity = -2,
                        .flags = 0,
                        .fn = nullptr,
                        .doc = {.group = "server",
                                .summary = "A container for Access List Control commands",
                                .since = "6.0.0",
                                .complexity = "Depends on subcommand."}});
  auto sub = [&](std::string_view name, int arity, uint32_t flags, Handler fn,
                 std::string_view summary, std::string_view syntax, std::string_view since,
                 std::string_view complexity) {
    t.add_sub(
        acl,
        {.name = name,
         .arity = arity,
         .flags = flags,
         .fn = fn,
         .doc = {.summary = summary, .syntax = syntax, .since = since, .complexity = complexity}});
  };
  sub("cat", -2, B, cmd_acl_cat, "List the ACL categories or the commands inside a category",
      "[categoryname]", "6.0.0", "O(1) since the categories and commands are a fixed set.");
  sub("deluser", -3, A, cmd_acl_deluser, "Remove the specified ACL users and the associated rules",
      "username [username ...]", "6.0.0", "O(1) amortized time considering the typical user.");
  sub("dryrun", -4, A, cmd_acl_dryrun,
      "Returns whether the user can execute the given command without executing the command.",
      "username command [arg [arg ...]]", "7.0.0", "O(1).");
  sub("genpass", -2, B, cmd_acl_genpass,
      "Generate a pseudorandom secure password to use for ACL users", "[bits]", "6.0.0", "O(1)");
  sub("getuser", 3, A, cmd_acl_getuser, "Get the rules for a specific ACL user", "username",
      "6.0.0",
      "O(N). Where N is the number of password, command and pattern rules that the user has.");
  sub("help", 2, kLoading | kStale, cmd_acl_help,
      "Show helpful text about the different subcommands", "", "6.0.0", "O(1)");
  sub("list", 2, A, cmd_acl_list, "List the current ACL rules in ACL config file format", "",
      "6.0.0", "O(N). Where N is the number of configured users.");
  sub("load", 2, A, cmd_acl_load, "Reload the ACLs from the configured ACL file", "", "6.0.0",
      "O(N). Where N is the number of configured users.");
  sub("log", -2, A, cmd_acl_log, "List latest events denied because of ACLs in place",
      "[count | RESET]", "6.0.0", "O(N) with N being the number of entries shown.");
  sub("save", 2, A, cmd_acl_save, "Save the current ACL rules in the configured ACL file", "",
      "6.0.0", "O(N). Where N is the number of configured users.");
  sub("setuser", -3, A, cmd_acl_setuser, "Modify or create the rules for a specific ACL user",
      "username [rule [rule ...]]", "6.0.0", "O(N). Where N is the number of rules provided.");
  sub("users", 2, A, cmd_acl_users, "List the username of all the configured ACL rules", "",
      "6.0.0", "O(N). Where N is the number of configured users.");
  sub("whoami", 2, B, cmd_acl_whoami,
      "Return the name of the user associated to the current connection", "", "6.0.0", "O(1)");
}

}  // namespace respite::server
