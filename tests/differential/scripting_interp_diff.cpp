// differential_scripting_interp: the interpreter layer against Debian's redis-server, with no
// respite server involved. Each case runs a script with EVAL on redis-server, and the same script
// in a scripting::Interpreter whose Callback forwards every redis.call to that same redis-server
// (a second connection, RESP2); the store is flushed and set up identically before each side.
// The two replies must be equal (error texts included: the "script: <sha>, on @user_script:N."
// suffix is built from the same body), and so must the state the script left in the keys it
// names (DUMP of each, whether it has a TTL). This checks the conversions both ways, argument
// formatting and error propagation on real replies. The corpus holds what clients really send (a
// lock's release and extend in the style of redis-py, django-redis's incr, a sliding-window rate
// limiter, INCR+EXPIRE, BullMQ and Sidekiq scripts: script_corpus.h, shared with
// scripting_diff.cpp) and scripts aimed at each conversion. Commands the script layer itself must
// refuse or reword (unknown commands, wrong arity) are the server's job and are not here, since
// redis-server answers them as it would any client (scripting_diff.cpp covers them).
#include <doctest.h>

#include <string>
#include <vector>

#include "scripting/interpreter.h"
#include "tests/differential/script_corpus.h"
#include "tests/support/client.h"
#include "tests/support/server_process.h"

using respite::diff::ScriptCase;
using respite::protocol::RespValue;
using respite::scripting::Callback;
using respite::scripting::Interpreter;
using respite::test::Client;
using respite::test::Reply;
using respite::test::ServerProcess;

namespace {

RespValue to_value(const Reply& r) {
  switch (r.type) {
    case Reply::Type::kString:
      return RespValue::bulk(r.str);
    case Reply::Type::kInteger:
      return RespValue::integer_of(r.integer);
    case Reply::Type::kNil:
      return RespValue::null_bulk();  // $-1 and *-1 are both false in Lua
    case Reply::Type::kStatus:
      return RespValue::simple(r.str);
    case Reply::Type::kError:
      return RespValue::error(r.str);
    case Reply::Type::kArray: {
      std::vector<RespValue> elems;
      for (const Reply& e : r.elements) elems.push_back(to_value(e));
      return RespValue::array(std::move(elems));
    }
  }
  return RespValue::null();
}

// A script's result as a RESP2 client sees it.
Reply to_reply(const RespValue& v) {
  using T = RespValue::Type;
  switch (v.type) {
    case T::kInteger:
      return Reply::Int(v.integer);
    case T::kBulk:
      return Reply::Str(v.str);
    case T::kSimple:
      return Reply::Status(v.str);
    case T::kError:
      return Reply::Err(v.str);
    case T::kArray: {
      std::vector<Reply> elems;
      for (const RespValue& e : v.elements) elems.push_back(to_reply(e));
      return Reply::Arr(std::move(elems));
    }
    default:
      return Reply::Nil();  // RESP3-only kinds never come out of a RESP2 script here
  }
}

class Forward : public Callback {
 public:
  explicit Forward(Client* c) : c_(c) {}
  RespValue call(std::span<const std::string_view> argv, int resp, bool raise) override {
    REQUIRE(resp == 2);
    return to_value(c_->cmd(std::vector<std::string>(argv.begin(), argv.end())));
  }

 private:
  Client* c_;
};

// What a case's keys hold afterwards: each key's DUMP and whether it has a TTL.
std::vector<Reply> state(Client& c, const ScriptCase& k) {
  std::vector<Reply> out;
  for (const std::string& key : k.keys) {
    out.push_back(c.cmd({"dump", key}));
    Reply ttl = c.cmd({"pttl", key});
    out.push_back(Reply::Int(ttl.integer > 0 ? 1 : ttl.integer));
  }
  out.push_back(c.cmd({"dbsize"}));
  return out;
}

}  // namespace

TEST_CASE("scripts give redis-server's replies and leave its state") {
  ServerProcess redis(respite::test::reference_binary());
  Client eval_conn(redis.port());
  Client fwd_conn(redis.port());
  Interpreter in;
  for (const ScriptCase& k : respite::diff::script_corpus()) {
    CAPTURE(k.name);
    CAPTURE(k.body);
    REQUIRE(eval_conn.cmd({"flushall"}).is_ok());
    for (const auto& cmd : k.setup) REQUIRE_FALSE(eval_conn.cmd(cmd).is_error());
    std::vector<std::string> eval{"eval", k.body, std::to_string(k.keys.size())};
    eval.insert(eval.end(), k.keys.begin(), k.keys.end());
    eval.insert(eval.end(), k.args.begin(), k.args.end());
    Reply expected = eval_conn.cmd(eval);
    std::vector<Reply> expected_state = state(eval_conn, k);

    REQUIRE(eval_conn.cmd({"flushall"}).is_ok());
    for (const auto& cmd : k.setup) REQUIRE_FALSE(eval_conn.cmd(cmd).is_error());
    Interpreter::AddResult added = in.add_function(k.body);
    REQUIRE_MESSAGE(added.ok, added.error);
    std::vector<std::string_view> keys(k.keys.begin(), k.keys.end());
    std::vector<std::string_view> args(k.args.begin(), k.args.end());
    Forward fwd(&fwd_conn);
    RespValue got;
    REQUIRE(in.run_function(added.sha, keys, args, &fwd, &got) == Interpreter::RunStatus::kOk);
    CHECK(to_reply(got) == expected);
    CHECK(state(eval_conn, k) == expected_state);
  }
}
