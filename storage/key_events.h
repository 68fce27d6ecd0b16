// KeyEvents: how storage tells the server that it removed a key on its own (lazy or active
// expiry, eviction), without storage knowing anything of pub/sub or configuration. The server's
// keyspace notifications (server/notify.h) implement it.
//
// Cost when nobody listens: the operation's OpCtx carries a pointer (null, or the worker's
// listener, which checks its configured flags with one relaxed load and returns). It is called
// only on the rare paths that remove such a key, under the key's shard lock, so a listener must
// not take shard locks: it copies the key and returns.
#pragma once

#include <string_view>

namespace respite::storage {

class KeyEvents {
 public:
  virtual ~KeyEvents() = default;
  // Under the key's shard lock, before the entry is unlinked: key of database db passed its TTL
  // (a locked lookup, the active-expiry sweep, or eviction's sampling found it expired) ...
  virtual void expired(int db, std::string_view key) = 0;
  // ... or eviction chose it.
  virtual void evicted(int db, std::string_view key) = 0;
  // ... or the active sweep removed fields of its hash whose own TTLs passed (HEXPIRE);
  // key_deleted: they were its last, and the key went with them.
  virtual void fields_expired(int db, std::string_view key, bool key_deleted) {}
};

}  // namespace respite::storage
