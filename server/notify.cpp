// Keyspace notifications; see notify.h.
#include "server/notify.h"

#include "server/blocking.h"

#include "server/server.h"
#include "server/worker.h"

namespace respite::server {

void Notifier::add(int64_t cls, std::string_view event, std::string_view key, int db) {
  (void)cls;
  if (!(flags_.load(std::memory_order_relaxed) & (kNotifyKeyspace | kNotifyKeyevent))) return;
  pending_.push_back(Event{event, db, std::string(key)});
  pending_any_ = true;
}

void Notifier::publish_pending() {
  pending_any_ = false;
  if (!worker_.tracking_out.empty()) worker_.server->tracking.flush(worker_);
  if (pending_.empty()) return;
  // Taken out first: a delivery that closes a connection must not find the queue half walked.
  std::vector<Event> events;
  events.swap(pending_);
  const int64_t flags = flags_.load(std::memory_order_relaxed);
  PubSub& ps = worker_.server->pubsub;
  std::string channel;
  for (const Event& ev : events) {
    std::string prefix = "@" + std::to_string(ev.db) + "__:";
    if (flags & kNotifyKeyspace) {
      channel = "__keyspace" + prefix;
      channel += ev.key;
      ps.publish(&worker_, false, channel, ev.event);
    }
    if (flags & kNotifyKeyevent) {
      channel = "__keyevent" + prefix;
      channel += ev.event;
      ps.publish(&worker_, false, channel, ev.key);
    }
  }
  events.clear();
  if (pending_.empty()) pending_.swap(events);  // keep the capacity
}

void Notifier::wake_blocked(int db, std::string_view key) {
  signal_key_ready(worker_, db, key);
}

}  // namespace respite::server
