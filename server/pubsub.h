// Pub/sub: the channel registry (who is subscribed to what) and the delivery of messages to
// subscribers on every worker. SUBSCRIBE & co and PUBSUB live in server/commands/pubsub.cpp; this
// file knows nothing of replies to commands, only of message frames.
//
// The scheme, step by step:
//  1. A subscribed connection is represented in the registry by one shared Subscriber handle
//     (owner worker, client id, and the Connection pointer that only the owner worker reads or
//     writes). The connection keeps its own subscriptions (ClientSubs: channels, patterns, shard
//     channels) for its replies' counts, UNSUBSCRIBE with no argument, and close.
//  2. Channels (and, separately, shard channels) are spread over kShards registry shards by XXH3
//     of the name; each shard is a map from channel to its subscribers in subscription order,
//     behind a readers-writer lock. Patterns, which every publish must match against, sit in one
//     map behind their own readers-writer lock, skipped without locking while there are none.
//  3. PUBLISH on any worker takes the channel's shard lock shared and sorts its subscribers:
//     those of its own worker as connection pointers, the others' handles into one Delivery per
//     destination worker; then (if any pattern exists) does the same with the patterns that
//     match. Publishers only ever share these locks, so publishes to any channels run in
//     parallel on every worker; only (un)subscribing takes one shard's lock exclusively.
//     No lock is held while a frame is written, so closing a connection from a delivery never
//     re-enters the registry under its own lock. The number of subscribers found is the reply.
//  4. Subscribers owned by the publishing worker get their frame at once (Redis's order on a
//     RESP3 self-subscription: the push comes before PUBLISH's own reply). For every other worker
//     that has subscribers, one Delivery (the message, shared, plus that worker's targets in
//     order) is pushed on the worker's Mailbox, a lock-free multi-producer list, and the worker
//     is woken with uv_async_send. Only the owner writes to a connection: loop-per-core rules.
//  5. Order per publisher: one publisher runs on one worker thread, so its messages reach a given
//     destination either all directly (same worker) or all through that worker's mailbox, which
//     is drained in push order (a Treiber push, the consumer takes the whole list and reverses
//     it). Within one publish, channel subscribers come before pattern matches, as in Redis.
//     And as with Redis, once PUBLISH has replied its frames come before the reply to anything a
//     subscriber sends afterwards: a worker drains its mailbox before it runs a client's input.
//  6. On the destination, a target that closed meanwhile (handle's conn null) or that
//     unsubscribed from that channel or pattern since (checked against its own ClientSubs) is
//     skipped, so no message follows an UNSUBSCRIBE confirmation. Connections that received
//     frames are flushed once per loop callback (Mailbox::dirty), not once per message.
//  7. A slow subscriber is bounded by client-output-buffer-limit's pubsub class: every frame
//     appended checks the connection's output memory against the hard limit and the soft
//     limit's time, and a connection past them is reset (Connection::check_output_limit, so the
//     kernel's queued copy is dropped too); the others keep receiving. Mailbox queues are drained
//     on every wake-up of their loop, so what waits there is bounded by how far a loop lags, not by
//     how slowly a client reads.
//  8. publish() needs no connection: a server-side caller (keyspace notifications) passes the
//     worker it runs on, or nullptr from any other thread (everything then goes by mailbox).
//     Frames for its own worker are written at once: a caller inside a command whose client is
//     a RESP3 subscriber must publish before or after that command's reply, not in its middle.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "server/tracking.h"

namespace respite::server {

class Connection;
class Worker;
struct Command;

enum class SubKind : uint8_t { kChannel = 0, kPattern = 1, kShard = 2 };

// How the registry names one subscribed connection. conn belongs to the owner worker: only it
// reads or writes the pointer (set at the first subscription, nulled on close).
struct Subscriber {
  Worker* worker;
  uint64_t client_id;
  Connection* conn;
};
using SubscriberRef = std::shared_ptr<Subscriber>;

// Transparent hashing, so that lookups by string_view allocate nothing.
struct NameHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept;
};
struct NameEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
};
using NameSet = std::unordered_set<std::string, NameHash, NameEq>;

// One connection's own subscriptions (owner worker only).
struct ClientSubs {
  SubscriberRef self;
  NameSet channels, shard;
  std::vector<std::string> patterns;  // Redis keeps them in subscription order (a list)
  NameSet pattern_set;

  bool has(SubKind k, std::string_view name) const;
  // SUBSCRIBE/PSUBSCRIBE's count: channels + patterns; SSUBSCRIBE's: shard channels.
  int64_t count(SubKind k) const {
    return k == SubKind::kShard ? static_cast<int64_t>(shard.size())
                                : static_cast<int64_t>(channels.size() + patterns.size());
  }
  size_t total() const { return channels.size() + patterns.size() + shard.size(); }
};

// A published message: viewed while its publisher writes its own worker's frames, owned (shared
// by the deliveries to every other worker) once it travels.
struct MessageView {
  bool shard;
  std::string_view channel, payload;
};
struct PubMessage {
  bool shard;
  std::string channel, payload;
  MessageView view() const { return {shard, channel, payload}; }
};

// What one publish sends to one worker.
struct Delivery {
  Delivery* next = nullptr;
  std::shared_ptr<const PubMessage> msg;
  std::vector<SubscriberRef> channel_subs;                          // in subscription order
  std::vector<std::pair<std::string, SubscriberRef>> pattern_subs;  // (pattern, subscriber)
  // Client-side caching's messages for this worker's clients ride the same queue (tracking.h).
  std::vector<Invalidation> invalidations;
};

// A worker's side: the deliveries other workers post to it, and the connections that received
// frames and still need a flush.
class Mailbox {
 public:
  Mailbox() = default;
  ~Mailbox();
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;
  // Any thread. True if the list was empty (the caller then wakes the worker; waking it anyway
  // is harmless: uv_async_send coalesces).
  bool push(Delivery* d);
  // Owner only: every delivery pushed so far, oldest first.
  Delivery* take_all();
  // Whether nothing waits. Acquire: a delivery pushed before this worker read a client's command
  // (the publisher had its reply, then the client wrote) is seen, and served first (step 5).
  bool empty() const { return head_.load(std::memory_order_acquire) == nullptr; }

  std::vector<Connection*> dirty;  // owner only; see Worker::flush_dirty()

 private:
  // Release on push, acquire on take: the consumer sees each delivery fully built.
  std::atomic<Delivery*> head_{nullptr};
};

class PubSub {
 public:
  // Channel shards. 64 readers-writer locks: (un)subscribing contends only with the channels that
  // share a shard; publishers never exclude each other. A power of two: the shard is hash bits.
  static constexpr size_t kShards = 64;
  static_assert((kShards & (kShards - 1)) == 0, "kShards must be a power of two");

  PubSub() = default;
  PubSub(const PubSub&) = delete;
  PubSub& operator=(const PubSub&) = delete;

  // Owner worker of c only. True when c was not subscribed to it yet.
  bool subscribe(Connection& c, SubKind kind, std::string_view name);
  // True when c was subscribed to it.
  bool unsubscribe(Connection& c, SubKind kind, std::string_view name);
  // Drops every subscription of c without replies (close, RESET).
  void unsubscribe_all(Connection& c);

  // Sends payload to every subscriber of channel (shard: the shard-channel namespace, SPUBLISH)
  // and, for a plain channel, to every pattern that matches it; returns how many received it.
  // from: the worker this runs on (its subscribers are written to at once), or nullptr from any
  // other thread. Thread-safe.
  int64_t publish(Worker* from, bool shard, std::string_view channel, std::string_view payload);

  // Introspection (PUBSUB, INFO). Thread-safe.
  std::vector<std::string> channels(bool shard, const std::string_view* pattern) const;
  int64_t numsub(bool shard, std::string_view channel) const;
  int64_t numpat() const { return npatterns_.load(std::memory_order_relaxed); }
  int64_t channel_count(bool shard) const {
    return (shard ? nshard_ : nchannels_).load(std::memory_order_relaxed);
  }

 private:
  using SubList = std::vector<SubscriberRef>;
  using Map = std::unordered_map<std::string, SubList, NameHash, NameEq>;
  struct alignas(64) Shard {
    mutable std::shared_mutex mu;
    Map map;
  };
  Shard& shard_for(bool shard, std::string_view name);
  const Shard& shard_for(bool shard, std::string_view name) const;
  static void remove_sub(SubList& v, const Subscriber* s);

  std::array<Shard, kShards> channels_;
  std::array<Shard, kShards> shard_channels_;
  mutable std::shared_mutex pat_mu_;
  Map patterns_;
  // Counts for INFO and PUBSUB NUMPAT; written under the locks above. npatterns_ is also the
  // publishers' lock-free "no pattern at all" test: seq_cst with its update, so a PSUBSCRIBE that
  // has replied is seen by every later publish.
  std::atomic<int64_t> nchannels_{0}, nshard_{0}, npatterns_{0};
};

// Whether a RESP2 client with a subscription may run cmd: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE,
// PING, QUIT and RESET (commands/pubsub.cpp).
bool allowed_in_resp2_pubsub(const Command& cmd);

// Writes one message frame to c (owner worker only) if c still wants it (step 6), checks its
// output limit and marks it for the flush. pattern: null for message/smessage.
void deliver_frame(Worker& w, Connection& c, const MessageView& m, const std::string* pattern);
// Drains w's mailbox (on w's thread), then flushes what received frames.
void drain_mailbox(Worker& w);

}  // namespace respite::server
