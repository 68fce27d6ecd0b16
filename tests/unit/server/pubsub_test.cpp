// Unit tests of the pub/sub registry and mailbox (server/pubsub.h), without sockets or running
// loops: the mailbox keeps every producer's order while several threads push at once (also under
// ThreadSanitizer), and a publish finds channel and pattern subscribers, writes the frames of its
// own worker's subscribers at once and routes one Delivery, in order, to each other worker.
#include <doctest.h>

#include <thread>
#include <vector>

#include "server/connection.h"
#include "server/pubsub.h"
#include "server/server.h"
#include "server/worker.h"

using namespace respite::server;

namespace {

// The bytes a connection has queued for its client.
std::string pending(Connection& c) {
  std::string s;
  struct iovec iov[64];
  size_t n = c.out.gather(iov, 64);
  for (size_t i = 0; i < n; i++)
    s.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
  return s;
}

std::string frame(std::initializer_list<std::string_view> parts) {
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) about "literal" + string.
  std::string s = "*";
  s += std::to_string(parts.size());
  s += "\r\n";
  for (std::string_view p : parts) {
    s += '$';
    s += std::to_string(p.size());
    s += "\r\n";
    s.append(p);
    s += "\r\n";
  }
  return s;
}

// A server with two workers whose loops never run: connections exist as objects only, so the
// test reads what was written to them instead of a socket.
struct Rig {
  Rig() : server(small(&config)), w0(&server, 0), w1(&server, 1) {}
  static Config* small(Config* c) {
    c->databases = 1;
    c->shards = 1;
    c->threads = 2;
    return c;
  }
  ~Rig() {
    for (Connection* c : conns) {
      if (c->subs) c->subs->self->conn = nullptr;
      c->worker->pubsub_mail.dirty.clear();
      delete c;
    }
    // Runs each loop once, to its end: stop() closes the worker's handles, so the loop closes.
    for (Worker* w : {&w0, &w1}) {
      w->stop();
      uv_run(&w->loop, UV_RUN_DEFAULT);
    }
  }
  Connection& conn(Worker& w) {
    conns.push_back(new Connection(&w, conns.size() + 1, false));
    return *conns.back();
  }
  // What reached w's mailbox, oldest first, taken out of it.
  std::vector<std::unique_ptr<Delivery>> mail(Worker& w) {
    std::vector<std::unique_ptr<Delivery>> out;
    for (Delivery* d = w.pubsub_mail.take_all(); d;) {
      Delivery* n = d->next;
      out.emplace_back(d);
      d = n;
    }
    return out;
  }
  Config config;
  Server server;
  Worker w0, w1;
  std::vector<Connection*> conns;
};

}  // namespace

TEST_CASE("the mailbox hands over every delivery, each producer's in order") {
  Mailbox box;
  constexpr int kProducers = 4, kEach = 20000;
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; p++) {
    producers.emplace_back([&box, p] {
      for (int i = 0; i < kEach; i++) {
        auto* d = new Delivery;
        d->msg = std::make_shared<const PubMessage>(
            PubMessage{false, std::to_string(p), std::to_string(i)});
        box.push(d);
      }
    });
  }
  std::vector<int> next(kProducers, 0);
  int received = 0;
  bool in_order = true;
  while (received < kProducers * kEach) {
    for (Delivery* d = box.take_all(); d;) {
      int p = std::stoi(d->msg->channel), i = std::stoi(d->msg->payload);
      if (next[p] != i) in_order = false;
      next[p] = i + 1;
      received++;
      Delivery* n = d->next;
      delete d;
      d = n;
    }
  }
  for (auto& t : producers) t.join();
  CHECK(in_order);
  CHECK(received == kProducers * kEach);
  CHECK(box.take_all() == nullptr);
}

TEST_CASE("subscribe and unsubscribe keep the client's and the registry's counts") {
  Rig r;
  PubSub& ps = r.server.pubsub;
  Connection& c = r.conn(r.w0);
  CHECK(!c.pubsub_mode());
  CHECK(ps.subscribe(c, SubKind::kChannel, "a"));
  CHECK(!ps.subscribe(c, SubKind::kChannel, "a"));
  CHECK(ps.subscribe(c, SubKind::kPattern, "a*"));
  CHECK(ps.subscribe(c, SubKind::kShard, "a"));
  CHECK(c.pubsub_mode());
  CHECK(c.subs->count(SubKind::kChannel) == 2);  // channels + patterns
  CHECK(c.subs->count(SubKind::kShard) == 1);
  CHECK(ps.numsub(false, "a") == 1);
  CHECK(ps.numsub(true, "a") == 1);
  CHECK(ps.numpat() == 1);
  CHECK(ps.channel_count(false) == 1);
  REQUIRE(c.rare_if() != nullptr);
  CHECK(c.rare_if()->sub_shown.load() == 1);
  CHECK(c.rare_if()->psub_shown.load() == 1);
  CHECK(c.rare_if()->ssub_shown.load() == 1);
  Connection& d = r.conn(r.w1);
  CHECK(ps.subscribe(d, SubKind::kPattern, "a*"));
  CHECK(ps.numpat() == 1);  // unique patterns
  CHECK(!ps.unsubscribe(c, SubKind::kChannel, "zz"));
  ps.unsubscribe_all(c);
  CHECK(!c.pubsub_mode());
  CHECK(ps.numsub(false, "a") == 0);
  CHECK(ps.channel_count(false) == 0);
  CHECK(ps.channel_count(true) == 0);
  CHECK(ps.numpat() == 1);  // d's
  CHECK(ps.unsubscribe(d, SubKind::kPattern, "a*"));
  CHECK(ps.numpat() == 0);
}

TEST_CASE("a publish writes its own worker's subscribers at once and mails the others'") {
  Rig r;
  PubSub& ps = r.server.pubsub;
  Connection& here = r.conn(r.w0);
  Connection& there = r.conn(r.w1);
  Connection& there_pat = r.conn(r.w1);
  ps.subscribe(here, SubKind::kChannel, "news");
  ps.subscribe(here, SubKind::kPattern, "n*");
  ps.subscribe(there, SubKind::kChannel, "news");
  ps.subscribe(there_pat, SubKind::kPattern, "ne?s");

  CHECK(ps.publish(&r.w0, false, "news", "m1") == 4);
  CHECK(pending(here) ==
        frame({"message", "news", "m1"}) + frame({"pmessage", "n*", "news", "m1"}));
  CHECK(r.w0.pubsub_mail.dirty.size() == 1);  // flushed once, not per frame
  CHECK(r.mail(r.w0).empty());
  auto mail = r.mail(r.w1);
  REQUIRE(mail.size() == 1);  // one Delivery for the other worker, its targets in order
  CHECK(mail[0]->msg->payload == "m1");
  REQUIRE(mail[0]->channel_subs.size() == 1);
  CHECK(mail[0]->channel_subs[0]->conn == &there);
  REQUIRE(mail[0]->pattern_subs.size() == 1);
  CHECK(mail[0]->pattern_subs[0].first == "ne?s");
  CHECK(mail[0]->pattern_subs[0].second->conn == &there_pat);

  // From no worker at all (a server-side publish): everything goes by mailbox.
  CHECK(ps.publish(nullptr, false, "news", "m2") == 4);
  CHECK(r.mail(r.w0).size() == 1);
  CHECK(r.mail(r.w1).size() == 1);

  // Shard channels: their own namespace, no patterns.
  CHECK(ps.publish(&r.w0, true, "news", "s") == 0);
  ps.subscribe(there, SubKind::kShard, "news");
  CHECK(ps.publish(&r.w0, true, "news", "s") == 1);
  mail = r.mail(r.w1);
  REQUIRE(mail.size() == 1);
  CHECK(mail[0]->msg->shard);
  CHECK(mail[0]->pattern_subs.empty());
}

TEST_CASE("a delivery skips a subscriber that unsubscribed after the publish") {
  Rig r;
  PubSub& ps = r.server.pubsub;
  Connection& c = r.conn(r.w1);
  ps.subscribe(c, SubKind::kChannel, "ch");
  CHECK(ps.publish(&r.w0, false, "ch", "before") == 1);
  ps.unsubscribe(c, SubKind::kChannel, "ch");
  auto mail = r.mail(r.w1);
  REQUIRE(mail.size() == 1);
  deliver_frame(r.w1, c, mail[0]->msg->view(), nullptr);
  CHECK(pending(c).empty());  // its UNSUBSCRIBE confirmation was the last word
  ps.subscribe(c, SubKind::kChannel, "ch");
  deliver_frame(r.w1, c, mail[0]->msg->view(), nullptr);
  CHECK(pending(c) == frame({"message", "ch", "before"}));
}
