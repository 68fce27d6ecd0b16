// Keyspace notifications (notify-keyspace-events), with Redis 7.0's classes, channels and event
// names: for an event of a class that is enabled, "__keyspace@<db>__:<key>" receives the event
// name (class K) and "__keyevent@<db>__:<event>" receives the key (class E), through the pub/sub
// registry (pubsub.h) like any PUBLISH.
//
// When they are published. A command's events are queued on its worker while it runs and
// published once the outermost command (EXEC's, not each queued one) has finished and its blocked
// clients were served (dispatch's execute). pubsub.h, point 8: frames for subscribers on the
// publishing worker are written at once, and the calling client may itself be a RESP3 subscriber
// whose reply is half built (an array header already out); writing a push there would corrupt it.
// Publishing after the handler returns is always safe, costs one vector of pending events (empty
// and never touched when notifications are off), and keeps a transaction's events together after
// its EXEC reply. The one visible difference from Redis: a RESP3 client subscribed to its own
// events gets them after its command's reply instead of before. Events raised outside a command
// (the cron's active expiry and eviction) are published at the end of that step.
//
// Cost when off: notify() and the storage listener load the flags once (relaxed) and return.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/tracking.h"
#include "storage/key_events.h"

namespace respite::server {

class Worker;

// Redis's NOTIFY_* bits (server.h), so that the flag arithmetic reads the same.
enum NotifyClass : int64_t {
  kNotifyKeyspace = 1 << 0,  // K
  kNotifyKeyevent = 1 << 1,  // E
  kNotifyGeneric = 1 << 2,   // g
  kNotifyString = 1 << 3,    // $
  kNotifyList = 1 << 4,      // l
  kNotifySet = 1 << 5,       // s
  kNotifyHash = 1 << 6,      // h
  kNotifyZset = 1 << 7,      // z
  kNotifyExpired = 1 << 8,   // x
  kNotifyEvicted = 1 << 9,   // e
  kNotifyStream = 1 << 10,   // t (accepted; respite has no streams)
  kNotifyKeyMiss = 1 << 11,  // m (not part of A)
  kNotifyModule = 1 << 13,   // d (accepted; respite has no modules)
  kNotifyNew = 1 << 14,      // n (not part of A)
  kNotifyAll = kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet | kNotifyHash |
               kNotifyZset | kNotifyExpired | kNotifyEvicted | kNotifyStream | kNotifyModule,
};

// "KEA" -> flags; -1 when a character names no class (CONFIG SET's error then).
int64_t parse_notify_flags(std::string_view s);
// The canonical form CONFIG GET prints (Redis's keyspaceEventsFlagsToString): "A" for all of A's
// classes, else the class letters in a fixed order, then K, E, m.
std::string notify_flags_string(int64_t flags);
inline constexpr std::string_view kNotifyFlagsError =
    "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

// One worker's pending events (owner thread only), and storage's listener for keys it expires or
// evicts (key_events.h).
class Notifier final : public storage::KeyEvents {
 public:
  // flags: the configuration's notify-keyspace-events.
  Notifier(Worker& w, const std::atomic<int64_t>& flags) : worker_(w), flags_(flags) {}

  // Queues event (a static name) of class cls for key of database db, if that class is on.
  void operator()(int64_t cls, std::string_view event, std::string_view key, int db) {
    // Relaxed: a flag change only has to be seen soon; nothing else is read through it.
    if (!(flags_.load(std::memory_order_relaxed) & cls)) [[likely]]
      return;
    add(cls, event, key, db);
  }
  bool enabled(int64_t cls) const { return (flags_.load(std::memory_order_relaxed) & cls) != 0; }
  void expired(int db, std::string_view key) override {
    tracking_unowned_touch(key);  // no client wrote it (tracking.h)
    (*this)(kNotifyExpired, "expired", key, db);
    wake_blocked(db, key);
  }
  void evicted(int db, std::string_view key) override {
    tracking_unowned_touch(key);
    (*this)(kNotifyEvicted, "evicted", key, db);
    wake_blocked(db, key);
  }
  void fields_expired(int db, std::string_view key, bool key_deleted) override {
    tracking_unowned_touch(key);
    (*this)(kNotifyHash, "hexpired", key, db);
    if (key_deleted) (*this)(kNotifyGeneric, "del", key, db);
  }
  // Publishes what is queued, in order, from the worker's thread, outside any reply; and sends
  // the client-side caching invalidations queued meanwhile (tracking.h), which need the same
  // moments. One flag for both keeps the check after each command to a load and a compare.
  void flush() {
    if (pending_any_) publish_pending();
  }
  void mark_pending() { pending_any_ = true; }

 private:
  struct Event {
    std::string_view event;  // a string literal
    int db;
    std::string key;
  };
  void add(int64_t cls, std::string_view event, std::string_view key, int db);
  // A key removed by expiry or eviction: clients blocked on it look again (blocking.h), so that a
  // blocked XREADGROUP on a stream that expired gets Redis's UNBLOCKED error.
  void wake_blocked(int db, std::string_view key);
  void publish_pending();

  Worker& worker_;
  const std::atomic<int64_t>& flags_;
  std::vector<Event> pending_;
  bool pending_any_ = false;  // pending_ or the worker's TrackingOutbox holds something
};

}  // namespace respite::server
