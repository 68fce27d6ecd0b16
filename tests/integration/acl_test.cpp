// ACL over the wire: users made with ACL SETUSER and authenticated with AUTH, the NOPERM refusals
// for commands, keys and channels, rules changed under a connected client (on another worker
// too), DELUSER closing its clients, MULTI/EXEC's two checks, redis.call, ACL LOG, the revoked
// subscriber, `user` lines in the configuration and ACL SAVE / LOAD with an aclfile. The replies
// are Redis 7.0.15's; all but the respite-only details also pass against redis-server.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

std::string temp_path(const char* stem) {
  std::string tmpl = std::string("/tmp/") + stem + "-XXXXXX";
  int fd = ::mkstemp(tmpl.data());
  REQUIRE(fd >= 0);
  ::close(fd);
  return tmpl;
}

// A client authenticated as user/pass.
Client login(Fixture& f, std::string_view user, std::string_view pass) {
  Client c(f.server.port());
  REQUIRE(c.cmd({"AUTH", user, pass}) == OK());
  return c;
}

// The field of an ACL LOG entry (a flat RESP2 array of name, value pairs).
Reply field(const Reply& entry, std::string_view name) {
  for (size_t i = 0; i + 1 < entry.elements.size(); i += 2) {
    if (entry.elements[i].str == name) return entry.elements[i + 1];
  }
  return Reply::Nil();
}

// Whether the server closed c: hiredis then has no reply to give.
bool closed(Client& c) {
  try {
    c.cmd({"PING"});
    return false;
  } catch (const std::exception&) {
    return true;
  }
}

bool client_list_has(Fixture& f, const std::string& needle) {
  return f.cmd({"CLIENT", "LIST"}).str.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("a user runs what its rules allow and gets Redis's NOPERM texts otherwise") {
  Fixture f;
  REQUIRE(f.cmd({"ACL", "SETUSER", "alice", "on", ">pw", "~obj:*", "&news", "+get", "+set",
                 "+publish", "+acl|whoami"}) == OK());
  Client a = login(f, "alice", "pw");
  CHECK(a.cmd({"ACL", "WHOAMI"}) == Reply::Str("alice"));
  CHECK(a.cmd({"SET", "obj:1", "v"}) == OK());
  CHECK(a.cmd({"GET", "obj:1"}) == Reply::Str("v"));
  CHECK(a.cmd({"INCR", "obj:2"}) ==
        Reply::Err("NOPERM this user has no permissions to run the 'incr' command"));
  CHECK(a.cmd({"ACL", "LIST"}) ==
        Reply::Err("NOPERM this user has no permissions to run the 'acl|list' command"));
  CHECK(a.cmd({"GET", "other"}) == Reply::Err("NOPERM this user has no permissions to access one "
                                              "of the keys used as arguments"));
  CHECK(a.cmd({"PUBLISH", "news", "m"}) == Reply::Int(0));
  CHECK(a.cmd({"PUBLISH", "sport", "m"}) ==
        Reply::Err("NOPERM this user has no permissions to access one of the channels used as "
                   "arguments"));
  // Wrong arity and unknown commands are reported before permissions, as in Redis.
  CHECK(a.cmd({"GET"}) == Reply::Err("ERR wrong number of arguments for 'get' command"));
  CHECK(f.cmd({"ACL", "USERS"}) == Reply::StrArr({"alice", "default"}));
  CHECK(f.cmd({"ACL", "DRYRUN", "alice", "get", "other"}) ==
        Reply::Str("This user has no permissions to access the 'other' key"));
  CHECK(f.cmd({"ACL", "DRYRUN", "alice", "incr", "obj:1"}) ==
        Reply::Str("This user has no permissions to run the 'incr' command"));
  CHECK(f.cmd({"ACL", "DRYRUN", "alice", "get", "obj:1"}) == OK());
  CHECK(f.cmd({"ACL", "DRYRUN", "nobody", "get", "x"}) ==
        Reply::Err("ERR User 'nobody' not found"));
  CHECK(f.cmd({"ACL", "DRYRUN", "alice", "nosuch"}) ==
        Reply::Err("ERR Command 'nosuch' not found"));
}

TEST_CASE("%R~ and %W~: each key needs what its key spec does with it") {
  // Redis 7.0.15's rule: ACCESS needs read, INSERT / DELETE / UPDATE need write, so commands that
  // read one key and write another need read on the first and write on the second only.
  Fixture f;
  REQUIRE(f.cmd({"ACL", "SETUSER", "rw", "on", ">pw", "+@all", "%R~src*", "%W~dst*"}) == OK());
  REQUIRE(f.cmd({"RPUSH", "src1", "a", "b"}) == Reply::Int(2));
  REQUIRE(f.cmd({"SADD", "srcs", "m"}) == Reply::Int(1));
  REQUIRE(f.cmd({"GEOADD", "srcg", "13.361389", "38.115556", "p"}) == Reply::Int(1));
  Client u = login(f, "rw", "pw");
  const Reply denied =
      Reply::Err("NOPERM this user has no permissions to access one of the keys used as arguments");
  CHECK(u.cmd({"COPY", "src1", "dst1"}) == Reply::Int(1));
  CHECK(u.cmd({"COPY", "dst1", "src2"}) == denied);
  CHECK(u.cmd({"SORT", "src1", "ALPHA", "STORE", "dst2"}) == Reply::Int(2));
  CHECK(u.cmd({"SORT", "src1", "ALPHA", "STORE", "src3"}) == denied);
  CHECK(u.cmd({"GEOSEARCHSTORE", "dst3", "srcg", "FROMMEMBER", "p", "BYRADIUS", "1", "km"}) ==
        Reply::Int(1));
  CHECK(u.cmd({"LRANGE", "src1", "0", "-1"}) == Reply::StrArr({"a", "b"}));
  CHECK(u.cmd({"LRANGE", "dst1", "0", "-1"}) == denied);
  CHECK(u.cmd({"DEL", "dst1"}) == Reply::Int(1));
  // LMOVE and SMOVE take from the source (read and delete: both permissions).
  CHECK(u.cmd({"LMOVE", "src1", "dst4", "LEFT", "RIGHT"}) == denied);
  CHECK(u.cmd({"SMOVE", "srcs", "dst5", "m"}) == denied);
  CHECK(u.cmd({"EXISTS", "src1", "dst4"}) == Reply::Int(1));  // neither read nor write: any
  CHECK(u.cmd({"EXISTS", "other"}) == denied);
  CHECK(f.cmd({"ACL", "DRYRUN", "rw", "lmove", "src1", "dst4", "left", "right"}) ==
        Reply::Str("This user has no permissions to access the 'src1' key"));
  REQUIRE(f.cmd({"ACL", "SETUSER", "rw", "~both*"}) == OK());
  REQUIRE(f.cmd({"RPUSH", "both1", "x"}) == Reply::Int(1));
  CHECK(u.cmd({"LMOVE", "both1", "dst4", "LEFT", "RIGHT"}) == Reply::Str("x"));
  CHECK(u.cmd({"LMOVE", "dst4", "both1", "LEFT", "RIGHT"}) == denied);
}

TEST_CASE("SORT BY and GET patterns need read access to every key") {
  Fixture f;
  REQUIRE(f.cmd({"SET", "v1", "1"}) == OK());
  REQUIRE(f.cmd({"LPUSH", "mylist", "1"}) == Reply::Int(1));
  REQUIRE(f.cmd({"ACL", "SETUSER", "srt", "on", "nopass", "(+sort ~mylist ~v*)"}) == OK());
  Client u = login(f, "srt", "x");
  const Reply by = Reply::Err("ERR BY option of SORT denied due to insufficient ACL permissions.");
  const Reply get =
      Reply::Err("ERR GET option of SORT denied due to insufficient ACL permissions.");
  CHECK(u.cmd({"SORT", "mylist", "BY", "v*"}) == by);
  CHECK(u.cmd({"SORT", "mylist", "GET", "#"}) == get);
  CHECK(u.cmd({"SORT", "mylist", "BY", "nosort"}) == Reply::StrArr({"1"}));  // no '*': no keys
  REQUIRE(f.cmd({"ACL", "SETUSER", "srt", "(+sort ~mylist %W~*)"}) == OK());
  CHECK(u.cmd({"SORT", "mylist", "BY", "v*"}) == by);
  REQUIRE(f.cmd({"ACL", "SETUSER", "srt", "(+sort ~mylist %R~*)"}) == OK());
  CHECK(u.cmd({"SORT", "mylist", "BY", "v*"}) == Reply::StrArr({"1"}));
  CHECK(u.cmd({"SORT", "mylist", "GET", "v*"}) == Reply::StrArr({"1"}));
}

TEST_CASE("ACL GETUSER, LIST, CAT, GENPASS and the SETUSER errors") {
  Fixture f;
  REQUIRE(f.cmd({"ACL", "SETUSER", "bob", "on", "nopass", "~k*", "%R~r*", "+@string", "-append"}) ==
          OK());
  Reply u = f.cmd({"ACL", "GETUSER", "bob"});
  REQUIRE(u.is_array());
  CHECK(field(u, "flags") == Reply::StrArr({"on", "nopass"}));
  CHECK(field(u, "passwords") == Reply::Arr({}));
  CHECK(field(u, "commands") == Reply::Str("-@all +@string -append"));
  CHECK(field(u, "keys") == Reply::Str("~k* %R~r*"));
  CHECK(field(u, "channels") == Reply::Str(""));
  CHECK(field(u, "selectors") == Reply::Arr({}));
  CHECK(f.cmd({"ACL", "GETUSER", "nobody"}) == Reply::Nil());
  Reply l = f.cmd({"ACL", "LIST"});
  CHECK(l == Reply::StrArr({"user bob on nopass ~k* %R~r* resetchannels -@all +@string -append",
                            "user default on nopass ~* &* +@all"}));
  Reply cats = f.cmd({"ACL", "CAT"});
  REQUIRE(cats.is_array());
  CHECK(cats.elements.size() == 21);
  CHECK(cats.elements.front() == Reply::Str("keyspace"));
  CHECK(f.cmd({"ACL", "CAT", "nope"}) == Reply::Err("ERR Unknown category 'nope'"));
  CHECK(f.cmd({"ACL", "CAT", "a", "b"}) ==
        Reply::Err("ERR unknown subcommand or wrong number of arguments for 'CAT'. Try ACL HELP."));
  CHECK(f.cmd({"ACL", "GENPASS"}).str.size() == 64);
  CHECK(f.cmd({"ACL", "GENPASS", "5"}).str.size() == 2);
  CHECK(f.cmd({"ACL", "GENPASS", "0"}) ==
        Reply::Err("ERR ACL GENPASS argument must be the number of bits for the output password, "
                   "a positive number up to 4096"));
  CHECK(f.cmd({"ACL", "SETUSER", "bob", "+nosuch"}) ==
        Reply::Err("ERR Error in ACL SETUSER modifier '+nosuch': Unknown command or category name "
                   "in ACL"));
  CHECK(f.cmd({"ACL", "SETUSER", "a b"}) ==
        Reply::Err("ERR Usernames can't contain spaces or null characters"));
  CHECK(f.cmd({"ACL", "DELUSER", "default"}) ==
        Reply::Err("ERR The 'default' user cannot be removed"));
  CHECK(f.cmd({"ACL", "DELUSER", "bob", "nobody"}) == Reply::Int(1));
  CHECK(f.cmd({"ACL", "SAVE"}).is_error());  // no aclfile configured
}

TEST_CASE("rule changes reach clients already authenticated, on any worker") {
  Fixture f(workers(2));
  REQUIRE(f.cmd({"ACL", "SETUSER", "carol", "on", ">pw", "allkeys", "+get"}) == OK());
  std::vector<Client> clients;
  for (int i = 0; i < 6; i++) clients.push_back(login(f, "carol", "pw"));
  for (Client& c : clients) CHECK(c.cmd({"SET", "k", "v"}).is_error());
  REQUIRE(f.cmd({"ACL", "SETUSER", "carol", "+set"}) == OK());
  for (Client& c : clients) CHECK(c.cmd({"SET", "k", "v"}) == OK());
  REQUIRE(f.cmd({"ACL", "SETUSER", "carol", "-get"}) == OK());
  for (Client& c : clients) CHECK(c.cmd({"GET", "k"}).is_error());
  // Disabling a user stops new logins, not the clients already in.
  REQUIRE(f.cmd({"ACL", "SETUSER", "carol", "off"}) == OK());
  for (Client& c : clients) CHECK(c.cmd({"SET", "k", "v"}) == OK());
  Client late(f.server.port());
  CHECK(late.cmd({"AUTH", "carol", "pw"}) ==
        Reply::Err("WRONGPASS invalid username-password pair or user is disabled."));
}

TEST_CASE("ACL DELUSER closes the deleted user's clients") {
  Fixture f(workers(2));
  REQUIRE(f.cmd({"ACL", "SETUSER", "dave", "on", ">pw", "+@all", "allkeys"}) == OK());
  std::vector<Client> clients;
  for (int i = 0; i < 4; i++) {
    clients.push_back(login(f, "dave", "pw"));
    REQUIRE(clients.back().cmd({"CLIENT", "SETNAME", "dave" + std::to_string(i)}) == OK());
  }
  Client self = login(f, "dave", "pw");
  REQUIRE(self.cmd({"ACL", "DELUSER", "dave"}) == Reply::Int(1));
  CHECK(poll_until([&] { return !client_list_has(f, "name=dave"); }, std::chrono::seconds(10)));
  for (Client& c : clients) CHECK(closed(c));
  CHECK(closed(self));
}

TEST_CASE("MULTI: refused at queue time, and again at EXEC when the rules changed since") {
  Fixture f;
  REQUIRE(f.cmd({"ACL", "SETUSER", "eve", "on", ">pw", "~*", "+multi", "+exec", "+set", "+get"}) ==
          OK());
  Client e = login(f, "eve", "pw");
  REQUIRE(e.cmd({"MULTI"}) == OK());
  CHECK(e.cmd({"INCR", "x"}) ==
        Reply::Err("NOPERM this user has no permissions to run the 'incr' command"));
  CHECK(e.cmd({"EXEC"}) ==
        Reply::Err("EXECABORT Transaction discarded because of previous errors."));
  REQUIRE(e.cmd({"MULTI"}) == OK());
  REQUIRE(e.cmd({"SET", "a", "1"}) == Reply::Status("QUEUED"));
  REQUIRE(e.cmd({"GET", "a"}) == Reply::Status("QUEUED"));
  REQUIRE(f.cmd({"ACL", "SETUSER", "eve", "-get"}) == OK());
  Reply r = e.cmd({"EXEC"});
  REQUIRE(r.is_array());
  REQUIRE(r.elements.size() == 2);
  CHECK(r.elements[0] == OK());
  CHECK(r.elements[1] ==
        Reply::Err("NOPERM ACLs rules changed between the moment the transaction was accumulated "
                   "and the EXEC call. This command is no longer allowed for the following "
                   "reason: no permission to execute the command or subcommand"));
  Reply log = f.cmd({"ACL", "LOG", "1"});
  REQUIRE(log.elements.size() == 1);
  CHECK(field(log.elements[0], "context") == Reply::Str("multi"));
  CHECK(field(log.elements[0], "object") == Reply::Str("get"));
}

TEST_CASE("redis.call runs with the caller's permissions") {
  Fixture f;
  REQUIRE(f.cmd({"ACL", "SETUSER", "lua", "on", ">pw", "~a*", "+eval", "+get"}) == OK());
  Client l = login(f, "lua", "pw");
  CHECK(l.cmd({"EVAL", "return redis.call('get', KEYS[1])", "1", "a1"}) == Reply::Nil());
  Reply r = l.cmd({"EVAL", "return redis.call('set', 'a1', 'x')", "0"});
  REQUIRE(r.is_error());
  CHECK(
      r.str.starts_with("ERR The user executing the script can't run this command or "
                        "subcommand"));
  r = l.cmd({"EVAL", "return redis.call('get', 'zzz')", "0"});
  REQUIRE(r.is_error());
  CHECK(
      r.str.starts_with("ERR The user executing the script can't access at least one of the "
                        "keys mentioned in the command arguments"));
  Reply log = f.cmd({"ACL", "LOG", "1"});
  REQUIRE(log.elements.size() == 1);
  CHECK(field(log.elements[0], "context") == Reply::Str("lua"));
  CHECK(field(log.elements[0], "reason") == Reply::Str("key"));
  CHECK(field(log.elements[0], "object") == Reply::Str("zzz"));
}

TEST_CASE("ACL LOG: denied commands, keys, channels and failed AUTH, grouped and bounded") {
  Fixture f;
  REQUIRE(f.cmd({"ACL", "SETUSER", "frank", "on", ">pw", "~k", "+get", "+publish"}) == OK());
  Client c = login(f, "frank", "pw");
  REQUIRE(c.cmd({"CLIENT", "SETNAME", "franky"}).is_error());  // not allowed either
  CHECK(f.cmd({"ACL", "LOG", "RESET"}) == OK());
  c.cmd({"SET", "k", "v"});
  c.cmd({"SET", "k", "v"});
  c.cmd({"GET", "nokey"});
  c.cmd({"PUBLISH", "ch", "m"});
  Client other(f.server.port());
  other.cmd({"AUTH", "frank", "bad"});
  Reply log = f.cmd({"ACL", "LOG"});
  REQUIRE(log.elements.size() == 4);
  const Reply& auth = log.elements[0];
  CHECK(field(auth, "reason") == Reply::Str("auth"));
  CHECK(field(auth, "object") == Reply::Str("AUTH"));
  CHECK(field(auth, "username") == Reply::Str("frank"));
  CHECK(field(log.elements[1], "reason") == Reply::Str("channel"));
  CHECK(field(log.elements[1], "object") == Reply::Str("ch"));
  CHECK(field(log.elements[2], "reason") == Reply::Str("key"));
  CHECK(field(log.elements[2], "object") == Reply::Str("nokey"));
  const Reply& cmd = log.elements[3];
  CHECK(field(cmd, "count") == Reply::Int(2));
  CHECK(field(cmd, "reason") == Reply::Str("command"));
  CHECK(field(cmd, "context") == Reply::Str("toplevel"));
  CHECK(field(cmd, "object") == Reply::Str("set"));
  CHECK(field(cmd, "username") == Reply::Str("frank"));
  CHECK(field(cmd, "age-seconds").type == Reply::Type::kString);
  CHECK(field(cmd, "client-info").str.find("user=frank") != std::string::npos);
  CHECK(f.cmd({"ACL", "LOG", "2"}).elements.size() == 2);
  CHECK(f.cmd({"ACL", "LOG", "x"}) == Reply::Err("ERR value is not an integer or out of range"));
  REQUIRE(f.cmd({"CONFIG", "SET", "acllog-max-len", "2"}) == OK());
  c.cmd({"DEL", "k"});
  CHECK(f.cmd({"ACL", "LOG"}).elements.size() == 2);
  CHECK(f.cmd({"ACL", "LOG", "RESET"}) == OK());
  CHECK(f.cmd({"ACL", "LOG"}) == Reply::Arr({}));
}

TEST_CASE("a subscriber is closed when its channel is revoked") {
  Fixture f;
  REQUIRE(f.cmd({"ACL", "SETUSER", "sub", "on", ">pw", "+@all", "resetchannels", "&foo:*"}) ==
          OK());
  Client s = login(f, "sub", "pw");
  REQUIRE(s.cmd({"CLIENT", "SETNAME", "deathrow"}) == OK());
  REQUIRE(s.cmd({"SUBSCRIBE", "foo:1"}).is_array());
  REQUIRE(f.cmd({"ACL", "SETUSER", "sub", "&bar"}) == OK());  // still allowed: stays
  CHECK(client_list_has(f, "name=deathrow"));
  REQUIRE(f.cmd({"ACL", "SETUSER", "sub", "resetchannels", "&bar"}) == OK());
  CHECK(poll_until([&] { return !client_list_has(f, "name=deathrow"); }, std::chrono::seconds(10)));
}

TEST_CASE("users from the configuration, and ACL SAVE / LOAD through an aclfile") {
  if (is_redis_server_binary(server_binary())) return;  // its users' order differs in LIST
  std::string conf = temp_path("respite-acl-conf");
  std::ofstream(conf) << "user cfg on >pw ~* +@all\n";
  {
    Fixture f(ServerOptions().set("include", conf));
    Client c = login(f, "cfg", "pw");
    CHECK(c.cmd({"ACL", "WHOAMI"}) == Reply::Str("cfg"));
  }
  std::string file = temp_path("respite-acl-file");
  std::ofstream(file) << "user filed on >pw ~x* +get\nuser default on nopass ~* &* +@all\n";
  {
    Fixture f(ServerOptions().set("aclfile", file));
    Client c = login(f, "filed", "pw");
    CHECK(c.cmd({"GET", "x1"}) == Reply::Nil());
    REQUIRE(f.cmd({"ACL", "SETUSER", "newbie", "on", "nopass", "+ping"}) == OK());
    REQUIRE(f.cmd({"ACL", "SAVE"}) == OK());
    std::stringstream saved;
    saved << std::ifstream(file).rdbuf();
    CHECK(saved.str() ==
          "user default on nopass ~* &* +@all\n"
          "user filed on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~x* "
          "resetchannels -@all +get\n"
          "user newbie on nopass resetchannels -@all +ping\n");
    // LOAD replaces the users: filed's clients go, the default user's stay.
    std::ofstream(file) << "user filed on >pw ~x* +get +set\n";
    REQUIRE(f.cmd({"ACL", "LOAD"}) == OK());
    CHECK(f.cmd({"ACL", "USERS"}) == Reply::StrArr({"default", "filed"}));
    CHECK(f.cmd({"PING"}) == Reply::Status("PONG"));
    CHECK(poll_until([&] { return closed(c); }, std::chrono::seconds(10)));
    std::ofstream(file) << "user broken on +nosuch\n";
    Reply r = f.cmd({"ACL", "LOAD"});
    REQUIRE(r.is_error());
    CHECK(r.str.find("Unknown command or category name in ACL") != std::string::npos);
    CHECK(f.cmd({"ACL", "USERS"}) == Reply::StrArr({"default", "filed"}));
  }
  ::unlink(conf.c_str());
  ::unlink(file.c_str());
}
