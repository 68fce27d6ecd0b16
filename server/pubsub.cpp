// The pub/sub registry and message delivery; see pubsub.h for the scheme.
#include "server/pubsub.h"

#include <algorithm>
#include <mutex>

#include "server/connection.h"
#include "server/server.h"
#include "server/worker.h"
#include "storage/glob.h"
#include "storage/hash.h"

namespace respite::server {

size_t NameHash::operator()(std::string_view s) const noexcept {
  return static_cast<size_t>(storage::hash_key(s));
}

bool ClientSubs::has(SubKind k, std::string_view name) const {
  switch (k) {
    case SubKind::kChannel:
      return channels.find(name) != channels.end();
    case SubKind::kPattern:
      return pattern_set.find(name) != pattern_set.end();
    case SubKind::kShard:
      return shard.find(name) != shard.end();
  }
  return false;
}

// --- Mailbox ---

Mailbox::~Mailbox() {
  for (Delivery* d = head_.exchange(nullptr, std::memory_order_acquire); d;) {
    Delivery* n = d->next;
    delete d;
    d = n;
  }
}

bool Mailbox::push(Delivery* d) {
  Delivery* h = head_.load(std::memory_order_relaxed);
  do {
    d->next = h;
    // Release: the consumer's acquire in take_all() sees the delivery fully built.
  } while (
      !head_.compare_exchange_weak(h, d, std::memory_order_release, std::memory_order_relaxed));
  return h == nullptr;
}

Delivery* Mailbox::take_all() {
  // The whole list at once (no ABA: nothing is popped singly); newest first, so reverse it.
  Delivery* d = head_.exchange(nullptr, std::memory_order_acquire);
  Delivery* fifo = nullptr;
  while (d) {
    Delivery* n = d->next;
    d->next = fifo;
    fifo = d;
    d = n;
  }
  return fifo;
}

// --- registry ---

PubSub::Shard& PubSub::shard_for(bool shard, std::string_view name) {
  // High bits: NameHash's low bits index the maps' buckets.
  size_t i = static_cast<size_t>(storage::hash_key(name) >> 58) & (kShards - 1);
  return shard ? shard_channels_[i] : channels_[i];
}

const PubSub::Shard& PubSub::shard_for(bool shard, std::string_view name) const {
  return const_cast<PubSub*>(this)->shard_for(shard, name);
}

void PubSub::remove_sub(SubList& v, const Subscriber* s) {
  for (size_t i = 0; i < v.size(); i++) {
    if (v[i].get() == s) {
      v.erase(v.begin() + static_cast<std::ptrdiff_t>(i));
      return;
    }
  }
}

namespace {

void show_counts(Connection& c) {
  const ClientSubs& s = *c.subs;
  Connection::Rare& r = c.rare();
  r.sub_shown.store(static_cast<int>(s.channels.size()), std::memory_order_relaxed);
  r.psub_shown.store(static_cast<int>(s.patterns.size()), std::memory_order_relaxed);
  r.ssub_shown.store(static_cast<int>(s.shard.size()), std::memory_order_relaxed);
}

}  // namespace

bool PubSub::subscribe(Connection& c, SubKind kind, std::string_view name) {
  if (!c.subs) {
    c.subs = std::make_unique<ClientSubs>();
    c.subs->self = std::make_shared<Subscriber>(Subscriber{c.worker, c.id, &c});
  }
  ClientSubs& s = *c.subs;
  if (s.has(kind, name)) return false;
  if (kind == SubKind::kPattern) {
    s.patterns.emplace_back(name);
    s.pattern_set.emplace(name);
    std::unique_lock<std::shared_mutex> lock(pat_mu_);
    auto [it, fresh] = patterns_.try_emplace(std::string(name));
    it->second.push_back(s.self);
    if (fresh) npatterns_.fetch_add(1, std::memory_order_seq_cst);
  } else {
    bool shard = kind == SubKind::kShard;
    (shard ? s.shard : s.channels).emplace(name);
    Shard& sh = shard_for(shard, name);
    std::unique_lock<std::shared_mutex> lock(sh.mu);
    auto [it, fresh] = sh.map.try_emplace(std::string(name));
    it->second.push_back(s.self);
    if (fresh) (shard ? nshard_ : nchannels_).fetch_add(1, std::memory_order_relaxed);
  }
  show_counts(c);
  return true;
}

bool PubSub::unsubscribe(Connection& c, SubKind kind, std::string_view name) {
  if (!c.subs || !c.subs->has(kind, name)) return false;
  ClientSubs& s = *c.subs;
  if (kind == SubKind::kPattern) {
    s.pattern_set.erase(s.pattern_set.find(name));
    s.patterns.erase(std::find(s.patterns.begin(), s.patterns.end(), name));
    std::unique_lock<std::shared_mutex> lock(pat_mu_);
    auto it = patterns_.find(name);
    if (it != patterns_.end()) {
      remove_sub(it->second, s.self.get());
      if (it->second.empty()) {
        patterns_.erase(it);
        npatterns_.fetch_sub(1, std::memory_order_seq_cst);
      }
    }
  } else {
    bool shard = kind == SubKind::kShard;
    NameSet& set = shard ? s.shard : s.channels;
    set.erase(set.find(name));
    Shard& sh = shard_for(shard, name);
    std::unique_lock<std::shared_mutex> lock(sh.mu);
    auto it = sh.map.find(name);
    if (it != sh.map.end()) {
      remove_sub(it->second, s.self.get());
      if (it->second.empty()) {
        sh.map.erase(it);
        (shard ? nshard_ : nchannels_).fetch_sub(1, std::memory_order_relaxed);
      }
    }
  }
  show_counts(c);
  return true;
}

void PubSub::unsubscribe_all(Connection& c) {
  if (!c.subs) return;
  ClientSubs& s = *c.subs;
  std::vector<std::string> names(s.channels.begin(), s.channels.end());
  for (const std::string& n : names) unsubscribe(c, SubKind::kChannel, n);
  names.assign(s.shard.begin(), s.shard.end());
  for (const std::string& n : names) unsubscribe(c, SubKind::kShard, n);
  names = s.patterns;
  for (const std::string& n : names) unsubscribe(c, SubKind::kPattern, n);
}

int64_t PubSub::publish(Worker* from, bool shard, std::string_view channel,
                        std::string_view payload) {
  // Targets on this worker are written once the locks are released (a frame may close its
  // connection, and closing unsubscribes, which takes the locks exclusively). Raw pointers are
  // enough for them: only this thread frees its connections, never within this call. Targets on
  // other workers go into one Delivery per worker, which owns handles to them and the message
  // (made only when some target is remote).
  std::vector<Connection*> local;
  std::vector<std::pair<Connection*, std::string>> local_pat;
  std::vector<std::pair<Worker*, Delivery*>> out;  // few workers: a linear look-up
  std::shared_ptr<const PubMessage> msg;
  auto box = [&](Worker* w) {
    for (auto& [ow, d] : out) {
      if (ow == w) return d;
    }
    if (!msg) {
      msg = std::make_shared<const PubMessage>(
          PubMessage{shard, std::string(channel), std::string(payload)});
    }
    auto* d = new Delivery;
    d->msg = msg;
    out.emplace_back(w, d);
    return d;
  };
  int64_t receivers = 0;
  {
    const Shard& sh = shard_for(shard, channel);
    std::shared_lock<std::shared_mutex> lock(sh.mu);
    auto it = sh.map.find(channel);
    if (it != sh.map.end()) {
      for (const SubscriberRef& s : it->second) {
        if (s->worker == from)
          local.push_back(s->conn);  // ours: non-null while registered
        else
          box(s->worker)->channel_subs.push_back(s);
      }
      receivers += static_cast<int64_t>(it->second.size());
    }
  }
  // seq_cst: pairs with the update in subscribe(); while no pattern exists no lock is taken.
  if (!shard && npatterns_.load(std::memory_order_seq_cst) > 0) {
    std::shared_lock<std::shared_mutex> lock(pat_mu_);
    for (const auto& [pat, subs] : patterns_) {
      if (!storage::glob_match(pat, channel)) continue;
      for (const SubscriberRef& s : subs) {
        if (s->worker == from)
          local_pat.emplace_back(s->conn, pat);
        else
          box(s->worker)->pattern_subs.emplace_back(pat, s);
      }
      receivers += static_cast<int64_t>(subs.size());
    }
  }
  MessageView m{shard, channel, payload};
  for (Connection* c : local) deliver_frame(*from, *c, m, nullptr);
  for (auto& [c, pat] : local_pat) deliver_frame(*from, *c, m, &pat);
  for (auto& [w, d] : out) {
    w->pubsub_mail.push(d);
    w->wake();
  }
  return receivers;
}

std::vector<std::string> PubSub::channels(bool shard, const std::string_view* pattern) const {
  std::vector<std::string> out;
  const auto& shards = shard ? shard_channels_ : channels_;
  for (const Shard& sh : shards) {
    std::shared_lock<std::shared_mutex> lock(sh.mu);
    for (const auto& [name, subs] : sh.map) {
      if (!pattern || storage::glob_match(*pattern, name)) out.push_back(name);
    }
  }
  return out;
}

int64_t PubSub::numsub(bool shard, std::string_view channel) const {
  const Shard& sh = shard_for(shard, channel);
  std::shared_lock<std::shared_mutex> lock(sh.mu);
  auto it = sh.map.find(channel);
  return it == sh.map.end() ? 0 : static_cast<int64_t>(it->second.size());
}

// --- delivery ---

void deliver_frame(Worker& w, Connection& c, const MessageView& m, const std::string* pattern) {
  if (c.closing() || !c.subs) return;
  SubKind kind = pattern ? SubKind::kPattern : m.shard ? SubKind::kShard : SubKind::kChannel;
  // Unsubscribed since the message was published: its confirmation has gone out already.
  if (!c.subs->has(kind, pattern ? std::string_view(*pattern) : m.channel)) return;
  // A writer of its own on the connection's output: whatever the connection's command writer is
  // doing, a frame goes straight to the client.
  protocol::ReplyWriter r(&c.out);
  r.set_resp(c.reply.resp());
  if (pattern) {
    r.push(4);
    r.bulk("pmessage");
    r.bulk(*pattern);
  } else {
    r.push(3);
    r.bulk(m.shard ? "smessage" : "message");
  }
  r.bulk(m.channel);
  r.bulk(m.payload);
  if (!c.check_output_limit()) return;  // closed: a subscriber that does not read
  if (!c.flush_scheduled) {
    c.flush_scheduled = true;
    w.pubsub_mail.dirty.push_back(&c);
  }
}

void drain_mailbox(Worker& w) {
  for (Delivery* d = w.pubsub_mail.take_all(); d;) {
    for (const SubscriberRef& s : d->channel_subs) {
      if (s->conn) deliver_frame(w, *s->conn, d->msg->view(), nullptr);
    }
    for (const auto& [pat, s] : d->pattern_subs) {
      if (s->conn) deliver_frame(w, *s->conn, d->msg->view(), &pat);
    }
    for (Invalidation& inv : d->invalidations) deliver_invalidation(w, std::move(inv));
    Delivery* n = d->next;
    delete d;
    d = n;
  }
  w.flush_dirty();
}

}  // namespace respite::server
