// How the hash commands (hashes.cpp, hash_ttl.cpp) reach a hash: a Collection<HashValue> that,
// once the key's shard is locked, first removes the fields whose own TTLs (HEXPIRE) have passed
// at the command's clock, so that no hash command ever sees an expired field, and a hash whose
// last field expired is gone before the command looks, as if the active sweep had got there
// first (HLEN and HDEL excepted, as in Redis 7.4: see Unreaped). Those removals raise Redis 7.4's
// "hexpired" event (and "del" for an emptied key). A hash without field TTLs pays one pointer test.
#pragma once

#include <string_view>

#include "server/collection.h"
#include "server/context.h"
#include "storage/hash_value.h"

namespace respite::server {

class LiveHash : public Collection<storage::HashValue> {
 public:
  LiveHash(CmdCtx& c, std::string_view key, storage::Type type, Access access = Access::kWrite)
      : Collection(c, key, type, access) {
    reap(c);
  }
  // Without the removal: HLEN and HDEL, which Redis 7.4 lets see fields past their TTL that no
  // sweep or other command has removed yet (HLEN counts them; HDEL deletes one and counts it).
  struct Unreaped {};
  LiveHash(CmdCtx& c, std::string_view key, storage::Type type, Access access, Unreaped)
      : Collection(c, key, type, access) {}

  // Records that the hash now has a field TTL: the shard's active sweep must visit it.
  void noted_ttl() { key_write().shard().note_subexpires_locked(); }

 private:
  void reap(CmdCtx& c) {
    storage::HashValue* v = get();
    if (!v || !v->has_field_ttls()) return;
    if (v->expire_fields(c.op.now_ms) == 0) return;
    changed();
    c.notify(kNotifyHash, "hexpired", key());
    settle();  // deletes the key (and says "del") when that was its last field
  }
};

// hash-max-listpack-entries / -value as they are now.
inline storage::HashValue::Limits hash_limits(CmdCtx& c) {
  EncodingLimits l = encoding_limits(c.server);
  return {l.hash_entries, l.hash_value};
}

// The hash at key for writing, created empty when missing; nullptr (WRONGTYPE sent) when the key
// holds another type.
inline storage::HashValue* hash_for_write(CmdCtx& c, LiveHash& h) {
  if (h.wrong_type()) {
    c.error(Err::kWrongType);
    return nullptr;
  }
  return h.get() ? h.get() : h.create(new storage::HashValue());
}

}  // namespace respite::server
