// Where ACLs meet connections: the user a new client starts as, AUTH, the refresh dispatch makes
// after an ACL change, the check with its ACL LOG entry, and protected mode's decision. Kept apart
// from acl.cpp so that the rule engine stays free of the network (its unit tests build it alone).
#include <mutex>

#include "server/acl.h"
#include "server/connection.h"
#include "server/server.h"
#include "server/worker.h"

namespace respite::server {

namespace {
const std::string kDefaultName = "default";

Acl& acl_of(const Connection& c) {
  return c.worker->server->acl;
}

// Replaces the connection's user; under the registry mutex because CLIENT LIST reads the name
// from other workers.
void set_user(Connection& c, std::shared_ptr<const AclUser> u) {
  std::lock_guard<std::mutex> lock(c.worker->server->clients_mu);
  c.user = std::move(u);
}
}  // namespace

const std::string& Connection::user_name() const {
  return user ? user->name : kDefaultName;
}

bool acl_default_open(const Acl& acl) {
  auto d = acl.default_user();
  return d && d->nopass && d->enabled();
}

bool acl_auth_required(const Connection& c) {
  return !c.authenticated && !acl_default_open(acl_of(c));
}

bool protected_mode_refuses(bool protected_mode, const AclUser& default_user, std::string_view peer,
                            bool unix_socket) {
  if (!protected_mode || !default_user.nopass || unix_socket) return false;
  // Redis's islocalClient: exactly these two addresses are the loopback.
  std::string_view ip = peer.substr(0, peer.rfind(':'));
  return ip != "127.0.0.1" && ip != "::1";
}

void acl_attach_default(Connection& c) {
  Acl& acl = acl_of(c);
  // The epoch first: a change racing with this is then seen by the next command's refresh.
  c.acl_epoch = acl.epoch();
  std::shared_ptr<const AclUser> u = acl.default_user();
  c.authenticated = u->nopass && u->enabled();
  c.acl_unrestricted = u->unrestricted;
  set_user(c, std::move(u));  // RESET runs this on a registered client too
}

bool acl_refresh(Connection& c) {
  Acl& acl = acl_of(c);
  const uint64_t epoch = acl.epoch();
  if (!c.user) return true;  // a socketless client that never took a user
  std::shared_ptr<const AclUser> now = acl.get(c.user->name);
  if (!now || now->uid != c.user->uid) {
    // Deleted (ACL DELUSER) or replaced (ACL LOAD): Redis closes its clients.
    c.close_after_reply();
    return false;
  }
  if (now != c.user) set_user(c, now);
  c.acl_epoch = epoch;
  c.acl_unrestricted = now->unrestricted;
  // Redis asks whether the default user requires a password on every command: a client that
  // connected while it did may run commands once it no longer does.
  if (!c.authenticated && acl_default_open(acl)) c.authenticated = true;
  return true;
}

std::string acl_client_info(const Connection& c, int64_t now_ms) {
  std::string s = "id=" + std::to_string(c.id) + " addr=" + c.addr + " laddr=" + c.laddr +
                  " fd=" + std::to_string(c.fd) + " name=" + std::string(c.client_name()) +
                  " age=" + std::to_string((now_ms - c.created_ms) / 1000) +
                  " idle=0 db=" + std::to_string(c.db) + " user=" + c.user_name() +
                  " resp=" + std::to_string(c.reply.resp());
  return s;
}

AclDenied acl_check(Connection& c, const Command& cmd, const std::vector<std::string_view>& argv,
                    uint8_t context, size_t* argpos) {
  if (!c.user) return AclDenied::kOk;
  Acl& acl = acl_of(c);
  AclDenied r = acl.check(*c.user, cmd, argv, argpos);
  if (r == AclDenied::kOk) return r;
  Server& srv = *c.worker->server;
  const int64_t now = c.worker->now_ms();
  std::string object = r == AclDenied::kCmd ? cmd.name : std::string(argv[*argpos]);
  std::string info;
  {
    std::lock_guard<std::mutex> lock(srv.clients_mu);  // the name
    info = acl_client_info(c, now);
  }
  acl.log(r, context, std::move(object), c.user->name, std::move(info), now,
          static_cast<size_t>(srv.config.acllog_max_len.load(std::memory_order_relaxed)));
  return r;
}

void acl_log_auth(Connection& c, std::string_view command, std::string_view username) {
  Server& srv = *c.worker->server;
  const int64_t now = c.worker->now_ms();
  std::string info;
  {
    std::lock_guard<std::mutex> lock(srv.clients_mu);
    info = acl_client_info(c, now);
  }
  uint8_t ctx = kAclCtxToplevel;
  srv.acl.log(AclDenied::kAuth, ctx, std::string(command), std::string(username), std::move(info),
              now, static_cast<size_t>(srv.config.acllog_max_len.load(std::memory_order_relaxed)));
}

bool acl_auth(Connection& c, std::string_view command, std::string_view name,
              std::string_view pass) {
  Acl& acl = acl_of(c);
  const uint64_t epoch = acl.epoch();
  std::shared_ptr<const AclUser> u = acl.authenticate(name, pass);
  if (!u) {
    acl_log_auth(c, command, name);
    return false;
  }
  c.authenticated = true;
  c.acl_epoch = epoch;
  c.acl_unrestricted = u->unrestricted;
  set_user(c, std::move(u));
  return true;
}

}  // namespace respite::server
