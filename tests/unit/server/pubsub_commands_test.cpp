// In-process tests of the pub/sub commands (server/commands/pubsub.cpp) through capturing clients
// (inproc.h): one confirmation per channel with the running count, unsubscribing from nothing,
// what a RESP2 subscriber may still run (and PING's array form there), PUBLISH's receiver count
// and the frames subscribers receive on the same worker and, through the mailbox, on another,
// shard channels apart from the others, the PUBSUB introspection subcommands, and RESP3 pushes.
// pubsub_test.cpp tests the registry and mailbox underneath. Expectations were checked against
// redis-server 7.0.15.
#include <doctest.h>

#include <algorithm>

#include "tests/unit/server/inproc.h"

using namespace respite::test;
using respite::protocol::RespValue;

namespace {

std::vector<Reply> replies(const std::vector<RespValue>& vs) {
  std::vector<Reply> out;
  for (const RespValue& v : vs) out.push_back(to_reply(v));
  return out;
}

Reply frame(std::string_view kind, std::string_view name, long long count) {
  return Reply::Arr({Reply::Str(kind), Reply::Str(name), Reply::Int(count)});
}

}  // namespace

TEST_CASE("SUBSCRIBE confirms each channel with the running count, repeats included") {
  Inproc s;
  CHECK(replies(s.client().run_all({"SUBSCRIBE", "a", "b", "a"})) ==
        std::vector<Reply>{frame("subscribe", "a", 1), frame("subscribe", "b", 2),
                           frame("subscribe", "a", 2)});
  CHECK(replies(s.client().run_all({"PSUBSCRIBE", "n*"})) ==
        std::vector<Reply>{frame("psubscribe", "n*", 3)});
  // Shard channels have a count of their own.
  CHECK(replies(s.client().run_all({"SSUBSCRIBE", "s1"})) ==
        std::vector<Reply>{frame("ssubscribe", "s1", 1)});
  CHECK(replies(s.client().run_all({"UNSUBSCRIBE", "zz"})) ==
        std::vector<Reply>{frame("unsubscribe", "zz", 3)});
  // Every channel, in the registry's order (Redis's is its dict's), the count going down.
  std::vector<Reply> all = replies(s.client().run_all({"UNSUBSCRIBE"}));
  REQUIRE(all.size() == 2);
  CHECK(all[0].elements[2] == Reply::Int(2));
  CHECK(all[1].elements[2] == Reply::Int(1));
  CHECK(((all[0].elements[1] == Reply::Str("a") && all[1].elements[1] == Reply::Str("b")) ||
         (all[0].elements[1] == Reply::Str("b") && all[1].elements[1] == Reply::Str("a"))));
  CHECK(replies(s.client().run_all({"PUNSUBSCRIBE"})) ==
        std::vector<Reply>{frame("punsubscribe", "n*", 0)});
  CHECK(replies(s.client().run_all({"SUNSUBSCRIBE"})) ==
        std::vector<Reply>{frame("sunsubscribe", "s1", 0)});
}

TEST_CASE("unsubscribing from nothing confirms with a null channel") {
  Inproc s;
  CHECK(replies(s.client().run_all({"UNSUBSCRIBE"})) ==
        std::vector<Reply>{Reply::Arr({Reply::Str("unsubscribe"), Reply::Nil(), Reply::Int(0)})});
  CHECK(replies(s.client().run_all({"PUNSUBSCRIBE"})) ==
        std::vector<Reply>{Reply::Arr({Reply::Str("punsubscribe"), Reply::Nil(), Reply::Int(0)})});
  CHECK(s.run({"GET", "k"}) == Reply::Nil());  // not in pub/sub mode
}

TEST_CASE("a RESP2 subscriber may only (un)subscribe, PING, QUIT and RESET") {
  Inproc s;
  CHECK(s.client().run_all({"SUBSCRIBE", "a"}).size() == 1);
  CHECK(
      s.run({"GET", "k"}) ==
      Reply::Err("ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
                 "RESET are allowed in this context"));
  CHECK(s.run({"PING"}) == Reply::StrArr({"pong", ""}));
  CHECK(s.run({"PING", "hi"}) == Reply::StrArr({"pong", "hi"}));
  CHECK(s.run({"RESET"}) == Reply::Status("RESET"));
  CHECK(s.run({"GET", "k"}) == Reply::Nil());
  CHECK(s.run({"PUBSUB", "NUMSUB", "a"}) == Reply::Arr({Reply::Str("a"), Reply::Int(0)}));
}

TEST_CASE("PUBLISH counts receivers and delivers message and pmessage frames on one worker") {
  Inproc s;
  InprocClient& sub = s.add_client();
  CHECK(sub.run_all({"SUBSCRIBE", "news"}).size() == 1);
  CHECK(sub.run_all({"PSUBSCRIBE", "n*", "x*"}).size() == 2);
  CHECK(s.run({"PUBLISH", "news", "m1"}) == Reply::Int(2));
  CHECK(s.run({"PUBLISH", "none", "m2"}) == Reply::Int(1));
  CHECK(s.run({"PUBLISH", "other", "m3"}) == Reply::Int(0));
  CHECK(replies(sub.take()) == std::vector<Reply>{Reply::StrArr({"message", "news", "m1"}),
                                                  Reply::StrArr({"pmessage", "n*", "news", "m1"}),
                                                  Reply::StrArr({"pmessage", "n*", "none", "m2"})});
  CHECK(sub.take().empty());
}

TEST_CASE("a subscriber on another worker gets the message through its mailbox") {
  Inproc s(2);
  InprocClient& there = s.add_client(1);
  CHECK(there.run_all({"SUBSCRIBE", "c"}).size() == 1);
  CHECK(s.run({"PUBLISH", "c", "hello"}) == Reply::Int(1));
  CHECK(replies(there.take()) == std::vector<Reply>{Reply::StrArr({"message", "c", "hello"})});
  // Shard channels: their own namespace.
  CHECK(s.run({"SPUBLISH", "c", "x"}) == Reply::Int(0));
  CHECK(there.run_all({"SSUBSCRIBE", "c"}).size() == 1);
  CHECK(s.run({"SPUBLISH", "c", "x"}) == Reply::Int(1));
  CHECK(replies(there.take()) == std::vector<Reply>{Reply::StrArr({"smessage", "c", "x"})});
}

TEST_CASE("PUBSUB CHANNELS, NUMSUB, NUMPAT and the shard forms") {
  Inproc s;
  InprocClient& sub = s.add_client();
  CHECK(sub.run_all({"SUBSCRIBE", "a", "b"}).size() == 2);
  CHECK(sub.run_all({"PSUBSCRIBE", "n*"}).size() == 1);
  CHECK(sub.run_all({"SSUBSCRIBE", "s1"}).size() == 1);
  Reply all = s.run({"PUBSUB", "CHANNELS"});
  std::vector<std::string> names;
  for (const Reply& e : all.elements) names.push_back(e.str);
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"a", "b"});
  CHECK(s.run({"PUBSUB", "CHANNELS", "a*"}) == Reply::StrArr({"a"}));
  CHECK(s.run({"PUBSUB", "NUMSUB", "a", "zz"}) ==
        Reply::Arr({Reply::Str("a"), Reply::Int(1), Reply::Str("zz"), Reply::Int(0)}));
  CHECK(s.run({"PUBSUB", "NUMSUB"}) == Reply::Arr({}));
  CHECK(s.run({"PUBSUB", "NUMPAT"}) == Reply::Int(1));
  CHECK(s.run({"PUBSUB", "SHARDCHANNELS"}) == Reply::StrArr({"s1"}));
  CHECK(s.run({"PUBSUB", "SHARDNUMSUB", "s1"}) == Reply::Arr({Reply::Str("s1"), Reply::Int(1)}));
  CHECK(s.run({"PUBSUB", "FOO"}) == Reply::Err("ERR unknown subcommand 'FOO'. Try PUBSUB HELP."));
  CHECK(s.run({"PUBSUB"}) == Arity("pubsub"));
}

TEST_CASE("a subscriber that QUITs is gone from the registry") {
  Inproc s;
  InprocClient& sub = s.add_client();
  CHECK(sub.run_all({"SUBSCRIBE", "a"}).size() == 1);
  CHECK(s.run({"PUBLISH", "a", "x"}) == Reply::Int(1));
  CHECK(sub.take().size() == 1);
  CHECK(sub.run({"QUIT"}) == OK());
  CHECK(sub.conn().closing());
  CHECK(sub.run_all({"PING"}).empty());  // a closed client runs nothing more
  CHECK(s.run({"PUBLISH", "a", "x"}) == Reply::Int(0));
  CHECK(s.run({"PUBSUB", "NUMSUB", "a"}) == Reply::Arr({Reply::Str("a"), Reply::Int(0)}));
}

TEST_CASE("RESP3: confirmations and messages are pushes; other commands run while subscribed") {
  Inproc s;
  InprocClient& sub = s.add_client();
  sub.resp3();
  std::vector<RespValue> conf = sub.run_all({"SUBSCRIBE", "c"});
  REQUIRE(conf.size() == 1);
  CHECK(conf[0].to_string() == ">[\"subscribe\", \"c\", (integer) 1]");
  CHECK(sub.call({"GET", "k"}).type == RespValue::Type::kNull);
  CHECK(sub.run({"PING"}) == Reply::Status("PONG"));
  CHECK(s.run({"PUBLISH", "c", "m3"}) == Reply::Int(1));
  std::vector<RespValue> msgs = sub.take();
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].to_string() == ">[\"message\", \"c\", \"m3\"]");
}

TEST_CASE("patterns match with ? and classes; one frame per matching pattern") {
  Inproc s;
  InprocClient& sub = s.add_client();
  CHECK(sub.run_all({"PSUBSCRIBE", "n?ws", "[ab]*", "*"}).size() == 3);
  CHECK(s.run({"PUBLISH", "news", "1"}) == Reply::Int(2));
  CHECK(s.run({"PUBLISH", "bee", "2"}) == Reply::Int(2));
  CHECK(s.run({"PUBLISH", "nws", "3"}) == Reply::Int(1));
  // The patterns of one message come in the registry's order (Redis's: its dict's): compared
  // as a sorted list.
  std::vector<std::string> got;
  for (const RespValue& v : sub.take()) got.push_back(v.to_string());
  std::sort(got.begin(), got.end());
  CHECK(got == std::vector<std::string>{
                   R"(["pmessage", "*", "bee", "2"])",
                   R"(["pmessage", "*", "news", "1"])",
                   R"(["pmessage", "*", "nws", "3"])",
                   R"(["pmessage", "[ab]*", "bee", "2"])",
                   R"(["pmessage", "n?ws", "news", "1"])",
               });
}
