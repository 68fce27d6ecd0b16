// Pub/sub over the wire (server/pubsub.h), with several workers so that publishers and subscribers
// sit on different event loops: every subscriber receives every message of each publisher in
// order, PUBLISH counts channel and pattern receivers, RESP2 subscriber mode and its errors, RESP3
// push frames, pattern and shard channels, PUBSUB introspection, INFO and CLIENT LIST, RESET and
// close dropping subscriptions, and client-output-buffer-limit disconnecting a subscriber that
// does not read while another keeps receiving. Replies are compared byte for byte with Redis
// 7.0's.
#include <sys/socket.h>

#include <algorithm>
#include <thread>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

std::string integer(long long v) {
  std::string s = ":";  // appended: GCC 12 warns falsely (-Wrestrict) on "literal" + string
  s += std::to_string(v);
  s += "\r\n";
  return s;
}
// [kind, name, count]: a (un)subscribe confirmation in RESP2.
std::string confirm(const std::string& kind, const std::string& name, long long count) {
  return header('*', 3) + bulk(kind) + bulk(name) + integer(count);
}
std::string message(const std::string& channel, const std::string& payload) {
  return header('*', 3) + bulk("message") + bulk(channel) + bulk(payload);
}
std::string pmessage(const std::string& pattern, const std::string& channel,
                     const std::string& payload) {
  return header('*', 4) + bulk("pmessage") + bulk(pattern) + bulk(channel) + bulk(payload);
}
// The last bulk string of a frame: a message's payload (payloads here hold no newline).
std::string payload_of(const std::string& frame) {
  std::string body = frame.substr(0, frame.size() - 2);
  return body.substr(body.rfind('\n') + 1);
}

// A raw connection subscribed (SUBSCRIBE, PSUBSCRIBE or SSUBSCRIBE) to one name, confirmation read:
// from then on every publish sees it.
std::unique_ptr<RawConnection> subscriber(Fixture& f, const std::string& cmd,
                                          const std::string& name) {
  auto c = std::make_unique<RawConnection>(f.server.port());
  std::string kind = cmd;
  for (char& ch : kind) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  REQUIRE(raw(*c, {cmd, name}) == confirm(kind, name, 1));
  return c;
}

long long numsub(Fixture& f, const std::string& channel) {
  Reply r = f.cmd({"PUBSUB", "NUMSUB", channel});
  REQUIRE(r.elements.size() == 2);
  return r.elements[1].integer;
}

}  // namespace

TEST_CASE("every subscriber, on every worker, gets each publisher's messages in order") {
  // 12 subscribers and 3 publishers over 3 workers: SO_REUSEPORT spreads connections by their
  // addresses, so subscribers and publishers sit on different loops (all 15 on one worker would
  // take a 1-in-3^14 draw). Half the subscribers use a pattern, so both paths are covered.
  Fixture f(workers(3));
  constexpr int kSubs = 12, kPublishers = 3, kMessages = 400;
  std::vector<std::unique_ptr<RawConnection>> subs;
  for (int i = 0; i < kSubs; i++) {
    subs.push_back(i % 2 ? subscriber(f, "PSUBSCRIBE", "ne*") : subscriber(f, "SUBSCRIBE", "news"));
  }
  CHECK(numsub(f, "news") == kSubs / 2);
  CHECK(f.cmd({"PUBSUB", "NUMPAT"}) == Reply::Int(1));

  std::vector<std::thread> publishers;
  std::vector<int> wrong_counts(kPublishers, 0);
  for (int p = 0; p < kPublishers; p++) {
    publishers.emplace_back([&, p] {
      Client c(f.server.port());
      for (int i = 0; i < kMessages; i++) {
        Reply r = c.cmd({"PUBLISH", "news", std::to_string(p) + ":" + std::to_string(i)});
        if (r != Reply::Int(kSubs)) wrong_counts[p]++;
      }
    });
  }
  for (auto& t : publishers) t.join();
  for (int p = 0; p < kPublishers; p++) CHECK(wrong_counts[p] == 0);

  for (int s = 0; s < kSubs; s++) {
    std::vector<int> next(kPublishers, 0);
    for (int m = 0; m < kPublishers * kMessages; m++) {
      std::string frame = subs[s]->read_reply();
      REQUIRE(!frame.empty());
      std::string text = payload_of(frame);
      int p = std::stoi(text.substr(0, text.find(':')));
      int seq = std::stoi(text.substr(text.find(':') + 1));
      REQUIRE(p >= 0);
      REQUIRE(p < kPublishers);
      CHECK(frame == (s % 2 ? pmessage("ne*", "news", text) : message("news", text)));
      REQUIRE(seq == next[p]);  // in order, none lost, none twice
      next[p]++;
    }
  }
}

TEST_CASE("PUBLISH counts channel and pattern receivers; a client matching twice gets both") {
  Fixture f(workers(2));
  RawConnection a(f.server.port()), b(f.server.port());
  REQUIRE(raw(a, {"SUBSCRIBE", "chan"}) == confirm("subscribe", "chan", 1));
  REQUIRE(raw(a, {"PSUBSCRIBE", "c*"}) == confirm("psubscribe", "c*", 2));
  REQUIRE(raw(b, {"PSUBSCRIBE", "ch?n"}) == confirm("psubscribe", "ch?n", 1));
  CHECK(f.cmd({"PUBLISH", "chan", "hi"}) == Reply::Int(3));
  // Redis's order for one client: the channel message, then the pattern's.
  CHECK(a.read_reply() == message("chan", "hi"));
  CHECK(a.read_reply() == pmessage("c*", "chan", "hi"));
  CHECK(b.read_reply() == pmessage("ch?n", "chan", "hi"));
  CHECK(f.cmd({"PUBLISH", "cool", "x"}) == Reply::Int(1));
  CHECK(a.read_reply() == pmessage("c*", "cool", "x"));
  CHECK(f.cmd({"PUBLISH", "other", "x"}) == Reply::Int(0));
  // Binary-safe names and payloads.
  std::string bin("c\0\r\nz", 5), pay("\0\xff\r\n", 4);
  CHECK(f.cmd(std::vector<std::string>{"PUBLISH", bin, pay}) == Reply::Int(1));
  CHECK(a.read_reply() == pmessage("c*", bin, pay));
  // Unsubscribed: nothing more arrives, and the count says so.
  REQUIRE(raw(a, {"UNSUBSCRIBE", "chan"}) == confirm("unsubscribe", "chan", 1));
  REQUIRE(raw(a, {"PUNSUBSCRIBE", "c*"}) == confirm("punsubscribe", "c*", 0));
  CHECK(f.cmd({"PUBLISH", "chan", "late"}) == Reply::Int(1));
  CHECK(b.read_reply() == pmessage("ch?n", "chan", "late"));
  CHECK(raw(a, {"PING"}) == "+PONG\r\n");  // a got nothing in between
}

TEST_CASE("RESP2 subscriber mode: only (P|S)(UN)SUBSCRIBE, PING, QUIT and RESET") {
  Fixture f(workers(2));
  RawConnection s(f.server.port());
  // Nothing to unsubscribe from: one confirmation with a null name.
  CHECK(raw(s, {"UNSUBSCRIBE"}) == header('*', 3) + bulk("unsubscribe") + "$-1\r\n" + integer(0));
  CHECK(raw(s, {"PUNSUBSCRIBE"}) == header('*', 3) + bulk("punsubscribe") + "$-1\r\n" + integer(0));
  REQUIRE(s.send(resp({"SUBSCRIBE", "a", "b", "a"})));
  CHECK(s.read_reply() == confirm("subscribe", "a", 1));
  CHECK(s.read_reply() == confirm("subscribe", "b", 2));
  CHECK(s.read_reply() == confirm("subscribe", "a", 2));
  CHECK(raw(s, {"GET", "k"}) ==
        "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
        "are allowed in this context\r\n");
  CHECK(raw(s, {"CLIENT", "ID"}) ==
        "-ERR Can't execute 'client|id': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
        "RESET are allowed in this context\r\n");
  CHECK(raw(s, {"PING"}) == header('*', 2) + bulk("pong") + bulk(""));
  CHECK(raw(s, {"PING", "hey"}) == header('*', 2) + bulk("pong") + bulk("hey"));
  // Unknown commands and arity errors come first, as in Redis.
  CHECK(raw(s, {"NOSUCH"}).rfind("-ERR unknown command 'NOSUCH'", 0) == 0);
  // A shard subscription counts on its own, and keeps the client in the mode.
  CHECK(raw(s, {"SSUBSCRIBE", "sh"}) == confirm("ssubscribe", "sh", 1));
  REQUIRE(s.send(resp({"UNSUBSCRIBE"})));
  std::string u1 = s.read_reply(), u2 = s.read_reply();
  CHECK((u1 == confirm("unsubscribe", "a", 1) || u1 == confirm("unsubscribe", "b", 1)));
  CHECK((u2 == confirm("unsubscribe", "a", 0) || u2 == confirm("unsubscribe", "b", 0)));
  CHECK(raw(s, {"GET", "k"}).rfind("-ERR Can't execute 'get'", 0) == 0);
  CHECK(raw(s, {"SUNSUBSCRIBE", "sh"}) == confirm("sunsubscribe", "sh", 0));
  // Out of the mode: everything runs again.
  CHECK(raw(s, {"PING"}) == "+PONG\r\n");
  CHECK(raw(s, {"GET", "k"}) == "$-1\r\n");
  // RESET leaves the mode and drops every subscription.
  CHECK(raw(s, {"SUBSCRIBE", "a"}) == confirm("subscribe", "a", 1));
  CHECK(raw(s, {"PSUBSCRIBE", "x*"}) == confirm("psubscribe", "x*", 2));
  CHECK(raw(s, {"RESET"}) == "+RESET\r\n");
  CHECK(raw(s, {"GET", "k"}) == "$-1\r\n");
  CHECK(numsub(f, "a") == 0);
  CHECK(f.cmd({"PUBSUB", "NUMPAT"}) == Reply::Int(0));
  CHECK(f.cmd({"PUBLISH", "a", "gone"}) == Reply::Int(0));
  // QUIT is allowed in the mode.
  CHECK(raw(s, {"SUBSCRIBE", "a"}) == confirm("subscribe", "a", 1));
  CHECK(raw(s, {"QUIT"}) == "+OK\r\n");
  CHECK(s.wait_closed());
}

TEST_CASE("RESP3 subscribers get push frames and may run any command") {
  Fixture f(workers(2));
  RawConnection c(f.server.port());
  REQUIRE(c.send(resp({"HELLO", "3"})));
  REQUIRE(!c.read_reply().empty());
  CHECK(raw(c, {"SUBSCRIBE", "ch"}) == ">3\r\n" + bulk("subscribe") + bulk("ch") + integer(1));
  CHECK(raw(c, {"GET", "k"}) == "_\r\n");
  CHECK(raw(c, {"PING"}) == "+PONG\r\n");
  // Publishing to itself: the push comes before PUBLISH's own reply, as in Redis.
  REQUIRE(c.send(resp({"PUBLISH", "ch", "self"})));
  CHECK(c.read_reply() == ">3\r\n" + bulk("message") + bulk("ch") + bulk("self"));
  CHECK(c.read_reply() == integer(1));
  CHECK(f.cmd({"PUBLISH", "ch", "other"}) == Reply::Int(1));
  CHECK(c.read_reply() == ">3\r\n" + bulk("message") + bulk("ch") + bulk("other"));
  CHECK(raw(c, {"PSUBSCRIBE", "c*"}) == ">3\r\n" + bulk("psubscribe") + bulk("c*") + integer(2));
  CHECK(f.cmd({"PUBLISH", "ch", "both"}) == Reply::Int(2));
  CHECK(c.read_reply() == ">3\r\n" + bulk("message") + bulk("ch") + bulk("both"));
  CHECK(c.read_reply() == ">4\r\n" + bulk("pmessage") + bulk("c*") + bulk("ch") + bulk("both"));
  CHECK(raw(c, {"UNSUBSCRIBE", "ch"}) == ">3\r\n" + bulk("unsubscribe") + bulk("ch") + integer(1));
  CHECK(raw(c, {"PUNSUBSCRIBE"}) == ">3\r\n" + bulk("punsubscribe") + bulk("c*") + integer(0));
  CHECK(raw(c, {"UNSUBSCRIBE"}) == ">3\r\n" + bulk("unsubscribe") + "_\r\n" + integer(0));
  CHECK(raw(c, {"SSUBSCRIBE", "s"}) == ">3\r\n" + bulk("ssubscribe") + bulk("s") + integer(1));
  CHECK(f.cmd({"SPUBLISH", "s", "m"}) == Reply::Int(1));
  CHECK(c.read_reply() == ">3\r\n" + bulk("smessage") + bulk("s") + bulk("m"));
}

TEST_CASE("shard channels are a namespace of their own") {
  Fixture f(workers(2));
  auto plain = subscriber(f, "SUBSCRIBE", "chan");
  auto shard = subscriber(f, "SSUBSCRIBE", "chan");
  auto pat = subscriber(f, "PSUBSCRIBE", "*");
  CHECK(f.cmd({"SPUBLISH", "chan", "s"}) == Reply::Int(1));  // patterns never match shard channels
  CHECK(f.cmd({"PUBLISH", "chan", "p"}) == Reply::Int(2));
  CHECK(shard->read_reply() == header('*', 3) + bulk("smessage") + bulk("chan") + bulk("s"));
  CHECK(plain->read_reply() == message("chan", "p"));
  CHECK(pat->read_reply() == pmessage("*", "chan", "p"));
  CHECK(f.cmd({"PUBSUB", "SHARDNUMSUB", "chan", "none"}) ==
        Reply::Arr({Reply::Str("chan"), Reply::Int(1), Reply::Str("none"), Reply::Int(0)}));
  CHECK(f.cmd({"PUBSUB", "SHARDCHANNELS"}) == Reply::StrArr({"chan"}));
  CHECK(f.cmd({"PUBSUB", "SHARDCHANNELS", "x*"}) == Reply::Arr({}));
  CHECK(numsub(f, "chan") == 1);
}

TEST_CASE("PUBSUB introspection, INFO, CLIENT LIST; close and RESET drop subscriptions") {
  Fixture f(workers(2));
  RawConnection a(f.server.port()), b(f.server.port());
  REQUIRE(a.send(resp({"SUBSCRIBE", "n1", "n2"}) + resp({"PSUBSCRIBE", "p*"})));
  for (int i = 0; i < 3; i++) REQUIRE(!a.read_reply().empty());
  REQUIRE(b.send(resp({"SUBSCRIBE", "n2"}) + resp({"PSUBSCRIBE", "p*", "q*"})));
  for (int i = 0; i < 3; i++) REQUIRE(!b.read_reply().empty());
  CHECK(f.cmd({"PUBSUB", "NUMSUB", "n1", "n2", "n3"}) ==
        Reply::Arr({Reply::Str("n1"), Reply::Int(1), Reply::Str("n2"), Reply::Int(2),
                    Reply::Str("n3"), Reply::Int(0)}));
  CHECK(f.cmd({"PUBSUB", "NUMSUB"}) == Reply::Arr({}));
  CHECK(f.cmd({"PUBSUB", "NUMPAT"}) == Reply::Int(2));  // unique patterns
  Reply chans = f.cmd({"PUBSUB", "CHANNELS"});
  REQUIRE(chans.elements.size() == 2);
  CHECK(f.cmd({"PUBSUB", "CHANNELS", "*1"}) == Reply::StrArr({"n1"}));
  CHECK(f.cmd({"PUBSUB", "CHANNELS", "a", "b"}) ==
        Reply::Err("ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try "
                   "PUBSUB HELP."));
  std::string info = f.cmd({"INFO", "stats"}).str;
  CHECK(info_field(info, "pubsub_channels") == 2);
  CHECK(info_field(info, "pubsub_patterns") == 2);
  CHECK(info_field(info, "pubsubshard_channels") == 0);
  std::string list = f.cmd({"CLIENT", "LIST", "TYPE", "pubsub"}).str;
  CHECK(std::count(list.begin(), list.end(), '\n') == 2);
  CHECK(list.find(" flags=P db=0 sub=2 psub=1 ssub=0 ") != std::string::npos);
  CHECK(list.find(" flags=P db=0 sub=1 psub=2 ssub=0 ") != std::string::npos);
  std::string normal = f.cmd({"CLIENT", "LIST", "TYPE", "normal"}).str;
  CHECK(std::count(normal.begin(), normal.end(), '\n') == 1);  // the asking client

  a.close();
  CHECK(poll_until([&] { return numsub(f, "n1") == 0; }, std::chrono::seconds(10)));
  CHECK(numsub(f, "n2") == 1);
  CHECK(f.cmd({"PUBLISH", "p1", "x"}) == Reply::Int(1));
  CHECK(b.read_reply() == pmessage("p*", "p1", "x"));
  CHECK(f.cmd({"CLIENT", "KILL", "TYPE", "pubsub"}) == Reply::Int(1));
  CHECK(b.wait_closed());
  CHECK(poll_until(
      [&] {
        return f.cmd({"PUBSUB", "NUMPAT"}) == Reply::Int(0);
      },
      std::chrono::seconds(10)));
  info = f.cmd({"INFO", "stats"}).str;
  CHECK(info_field(info, "pubsub_channels") == 0);
  CHECK(info_field(info, "pubsub_patterns") == 0);
}

namespace {

// Floods `channel` with `size`-byte messages while `good` reads every one of them and `slow`
// reads nothing, until PUBLISH counts only one receiver (the slow one was disconnected) or `max`
// messages were sent. Returns how many were sent.
int flood_until_dropped(Fixture& f, RawConnection& good, const std::string& channel, size_t size,
                        int max) {
  for (int i = 0; i < max; i++) {
    std::string payload = std::to_string(i) + ":" + std::string(size, 'x');
    Reply r = f.cmd({"PUBLISH", channel, payload});
    std::string frame = good.read_reply();
    REQUIRE(frame == message(channel, payload));  // the reader misses nothing
    if (r == Reply::Int(1)) return i + 1;
    REQUIRE(r == Reply::Int(2));
  }
  return max;
}

std::unique_ptr<RawConnection> non_reader(Fixture& f, const std::string& channel) {
  auto slow = subscriber(f, "SUBSCRIBE", channel);
  int small = 4096;  // keeps what the kernel holds for it small, so its backlog is ours
  setsockopt(slow->fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  return slow;
}

}  // namespace

TEST_CASE("a subscriber that does not read is disconnected at the hard limit; others go on") {
  Fixture f(workers(2));
  REQUIRE(f.cmd({"CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 512kb 60"}) == OK());
  auto good = subscriber(f, "SUBSCRIBE", "flood");
  auto slow = non_reader(f, "flood");
  // 64 KiB messages: past 1 MiB of backlog plus what the kernel buffers (a few MiB at most), the
  // slow one must be gone well before 1024 messages (64 MiB).
  constexpr int kMax = 1024;
  int sent = flood_until_dropped(f, *good, "flood", 64 * 1024, kMax);
  CHECK(sent < kMax);
  bool closed = false;
  std::string got = slow->read_until_close(&closed);
  CHECK(closed);
  CHECK(got.size() < static_cast<size_t>(sent) * 64 * 1024);
  CHECK(numsub(f, "flood") == 1);
  // The reader is still served.
  CHECK(f.cmd({"PUBLISH", "flood", "after"}) == Reply::Int(1));
  CHECK(good->read_reply() == message("flood", "after"));
}

TEST_CASE("a subscriber past the soft limit for its seconds is disconnected too") {
  Fixture f(workers(2));
  REQUIRE(f.cmd({"CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 256kb 1"}) == OK());
  auto good = subscriber(f, "SUBSCRIBE", "soft");
  auto slow = non_reader(f, "soft");
  // No hard limit: only staying past 256 KiB for more than a second drops it. Each message waits
  // for the reader, so the flood is paced by the round trip (a few MB/s at most).
  int sent = flood_until_dropped(f, *good, "soft", 2048, 2000000);
  CHECK(sent < 2000000);
  bool closed = false;
  slow->read_until_close(&closed);
  CHECK(closed);
  CHECK(numsub(f, "soft") == 1);
}

TEST_CASE("CLIENT REPLY OFF and SKIP mute replies, never pushes") {
  Fixture f(workers(2));
  RawConnection c(f.server.port());
  REQUIRE(c.send(resp({"CLIENT", "REPLY", "SKIP"}) + resp({"SET", "k", "v"}) + resp({"GET", "k"})));
  CHECK(c.read_reply() == bulk("v"));  // SKIP answers nothing itself and mutes SET only
  REQUIRE(c.send(resp({"CLIENT", "REPLY", "OFF"}) + resp({"GET", "k"}) + resp({"NOSUCH"}) +
                 resp({"SUBSCRIBE", "ch"})));
  CHECK(c.read_reply() == confirm("subscribe", "ch", 1));  // a push, sent though muted
  CHECK(f.cmd({"PUBLISH", "ch", "m"}) == Reply::Int(1));
  CHECK(c.read_reply() == message("ch", "m"));
  REQUIRE(c.send(resp({"PING"}) + resp({"UNSUBSCRIBE"}) + resp({"CLIENT", "REPLY", "ON"})));
  CHECK(c.read_reply() == confirm("unsubscribe", "ch", 0));
  CHECK(c.read_reply() == "+OK\r\n");
  CHECK(raw(c, {"GET", "k"}) == bulk("v"));
  CHECK(raw(c, {"CLIENT", "REPLY", "MAYBE"}) == "-ERR syntax error\r\n");
}

TEST_CASE("RESET after CLIENT REPLY OFF is heard, and turns replies back on") {
  Fixture f(workers(2));
  RawConnection c(f.server.port());
  REQUIRE(c.send(resp({"CLIENT", "REPLY", "OFF"}) + resp({"SUBSCRIBE", "ch"}) + resp({"RESET"}) +
                 resp({"ECHO", "back"})));
  CHECK(c.read_reply() == confirm("subscribe", "ch", 1));
  CHECK(c.read_reply() == "+RESET\r\n");
  CHECK(c.read_reply() == bulk("back"));
}

TEST_CASE("an idle subscriber is not closed by the idle timeout, as in Redis") {
  Fixture f(workers(2));
  auto sub = subscriber(f, "SUBSCRIBE", "quiet");
  RawConnection idle(f.server.port());
  REQUIRE(raw(idle, {"PING"}) == "+PONG\r\n");
  REQUIRE(f.cmd({"CONFIG", "SET", "timeout", "1"}) == OK());
  // The plain client, idle as long as the subscriber (less: it came later), is closed first.
  CHECK(idle.wait_closed());
  Client pub(f.server.port());  // f.c has been idle too
  CHECK(pub.cmd({"PUBLISH", "quiet", "still here"}) == Reply::Int(1));
  CHECK(sub->read_reply() == message("quiet", "still here"));
}

TEST_CASE("subscribers churning and vanishing while others publish get only what they asked for") {
  // Clients on three workers subscribe and unsubscribe over and over, and sometimes disconnect
  // while subscribed, as two publishers flood the channel: deliveries race with (un)subscribes
  // and closes on every worker. No message may arrive outside a subscription (between an
  // UNSUBSCRIBE confirmation and the next SUBSCRIBE's), and each publisher's messages arrive in
  // increasing order. Also run under ThreadSanitizer.
  Fixture f(workers(3));
  constexpr int kChurners = 4, kRounds = 150, kPublishers = 2;
  std::atomic<int> churners_left{kChurners};
  std::vector<std::thread> threads;
  std::vector<long long> published(kPublishers, 0);
  for (int p = 0; p < kPublishers; p++) {
    threads.emplace_back([&, p] {
      Client c(f.server.port());
      for (long long i = 0; churners_left.load() > 0; i++) {
        c.cmd({"PUBLISH", "churn", std::to_string(p) + ":" + std::to_string(i)});
        published[p] = i + 1;
      }
    });
  }
  std::vector<std::string> failures(kChurners);
  std::vector<long long> received(kChurners, 0);
  for (int t = 0; t < kChurners; t++) {
    threads.emplace_back([&, t] {
      auto fail = [&](const std::string& why) {
        if (failures[t].empty()) failures[t] = why;
      };
      auto conn = std::make_unique<RawConnection>(f.server.port());
      std::vector<long long> last(kPublishers, -1);
      // Reads frames up to the confirmation `want`; messages are allowed only when `subscribed`.
      auto read_until = [&](const std::string& want, bool subscribed) {
        for (;;) {
          std::string frame = conn->read_reply();
          if (frame.empty()) return fail("no confirmation " + want);
          if (frame == want) return;
          if (frame.rfind(header('*', 3) + bulk("message"), 0) != 0)
            return fail("unexpected frame " + frame);
          if (!subscribed) return fail("message outside a subscription");
          std::string text = payload_of(frame);
          int p = std::stoi(text.substr(0, text.find(':')));
          long long seq = std::stoll(text.substr(text.find(':') + 1));
          if (seq <= last[p]) fail("publisher " + std::to_string(p) + " out of order");
          last[p] = seq;
          received[t]++;
        }
      };
      for (int round = 0; round < kRounds && failures[t].empty(); round++) {
        conn->send(resp({"SUBSCRIBE", "churn"}));
        read_until(confirm("subscribe", "churn", 1), false);
        if (round % 40 == 39) {  // gone while subscribed: deliveries in flight find it closed
          conn = std::make_unique<RawConnection>(f.server.port());
          last.assign(kPublishers, -1);
          continue;
        }
        conn->send(resp({"UNSUBSCRIBE", "churn"}));
        read_until(confirm("unsubscribe", "churn", 0), true);
      }
      churners_left--;
    });
  }
  for (auto& t : threads) t.join();
  for (int t = 0; t < kChurners; t++) CHECK(failures[t] == "");
  long long total = 0;
  for (long long r : received) total += r;
  MESSAGE("published " << published[0] + published[1] << ", received by churners " << total);
  CHECK(poll_until([&] { return numsub(f, "churn") == 0; }, std::chrono::seconds(10)));
  CHECK(info_field(f.cmd({"INFO", "stats"}).str, "pubsub_channels") == 0);
}

TEST_CASE("CLIENT REPLY SKIP and OFF also mute the reply that ends a blocking command") {
  Fixture f(workers(2));
  RawConnection c(f.server.port());
  // Timed out, and served by a push from another client: neither reply is sent.
  REQUIRE(c.send(resp({"CLIENT", "REPLY", "SKIP"}) + resp({"BLPOP", "none", "0.01"}) +
                 resp({"ECHO", "after timeout"})));
  CHECK(c.read_reply() == bulk("after timeout"));
  REQUIRE(c.send(resp({"CLIENT", "REPLY", "OFF"}) + resp({"BLPOP", "q", "0"})));
  REQUIRE(wait_blocked(f, 1));
  CHECK(f.cmd({"RPUSH", "q", "x"}) == Reply::Int(1));
  CHECK(wait_blocked(f, 0));
  CHECK(f.cmd({"LLEN", "q"}) == Reply::Int(0));  // it was served, silently
  REQUIRE(c.send(resp({"CLIENT", "REPLY", "ON"})));
  CHECK(c.read_reply() == "+OK\r\n");
}
