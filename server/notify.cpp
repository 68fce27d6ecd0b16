// Keyspace notifications; see notify.h.
#include "server/notify.h"

#include "server/server.h"
#include "server/worker.h"

namespace respite::server {

int64_t parse_notify_flags(std::string_view s) {
  int64_t flags = 0;
  for (char ch : s) {
    switch (ch) {
      case 'A': flags |= kNotifyAll; break;
      case 'g': flags |= kNotifyGeneric; break;
      case '$': flags |= kNotifyString; break;
      case 'l': flags |= kNotifyList; break;
      case 's': flags |= kNotifySet; break;
      case 'h': flags |= kNotifyHash; break;
      case 'z': flags |= kNotifyZset; break;
      case 'x': flags |= kNotifyExpired; break;
      case 'e': flags |= kNotifyEvicted; break;
      case 'K': flags |= kNotifyKeyspace; break;
      case 'E': flags |= kNotifyKeyevent; break;
      case 't': flags |= kNotifyStream; break;
      case 'm': flags |= kNotifyKeyMiss; break;
      case 'd': flags |= kNotifyModule; break;
      case 'n': flags |= kNotifyNew; break;
      default: return -1;
    }
  }
  return flags;
}

std::string notify_flags_string(int64_t flags) {
  std::string out;
  if ((flags & kNotifyAll) == kNotifyAll) {
    out += 'A';
  } else {
    static constexpr std::pair<int64_t, char> kOrder[] = {
        {kNotifyGeneric, 'g'}, {kNotifyString, '$'},  {kNotifyList, 'l'},   {kNotifySet, 's'},
        {kNotifyHash, 'h'},    {kNotifyZset, 'z'},    {kNotifyExpired, 'x'}, {kNotifyEvicted, 'e'},
        {kNotifyStream, 't'},  {kNotifyModule, 'd'},  {kNotifyNew, 'n'}};
    for (auto [bit, ch] : kOrder)
      if (flags & bit) out += ch;
  }
  // As in Redis 7.0, n is printed only without A (A does not include it): a quirk kept as is.
  if (flags & kNotifyKeyspace) out += 'K';
  if (flags & kNotifyKeyevent) out += 'E';
  if (flags & kNotifyKeyMiss) out += 'm';
  return out;
}

void Notifier::add(int64_t cls, std::string_view event, std::string_view key, int db) {
  (void)cls;
  if (!(flags_.load(std::memory_order_relaxed) & (kNotifyKeyspace | kNotifyKeyevent))) return;
  pending_.push_back(Event{event, db, std::string(key)});
}

void Notifier::publish_pending() {
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

}  // namespace respite::server
