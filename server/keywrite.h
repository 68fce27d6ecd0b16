// KeyWrite: the shard of one key, locked for a read-modify-write command (SET with options, INCR,
// APPEND, EXPIRE, ...), with the key's live entry looked up (an expired one is removed first).
// Keeping this in one place means every write path applies lazy expiry and access-clock rules the
// same way.
#pragma once

#include <mutex>
#include <string_view>

#include "server/blocking.h"
#include "server/context.h"
#include "storage/hash.h"
#include "storage/keyspace.h"
#include "storage/multi_write.h"

namespace respite::server {

// The coarse LRU clock: 24 bits of storage::kLruClockMs ticks (entry.h).
inline uint32_t lru_clock(int64_t now_ms) {
  return static_cast<uint32_t>(now_ms / storage::kLruClockMs) & 0xffffff;
}

// Records a command's access to an existing key for LRU and LFU (eviction, OBJECT IDLETIME and
// FREQ), unless its client asked for CLIENT NO-TOUCH: then reads and writes leave the clock alone,
// as in Redis 7.2. TOUCH itself, and a key's creation, still set it (they call Entry::touch).
inline void touch_access(const CmdCtx& c, const storage::Entry* e, uint32_t clock) {
  if (!c.conn.no_touch.load(std::memory_order_relaxed)) e->touch(clock);
}
inline void touch_access(const CmdCtx& c, const storage::Entry* e) {
  touch_access(c, e, lru_clock(c.op.now_ms));
}

// Makes a multi-key command's writes one commit for lock-free readers (storage/multi_write.h):
// while it lives, every KeyWrite of the command stages through `write`. Declare it after the
// MultiLock and before the KeyWrites and Collections, so that they settle before the commit (the
// MultiWrite's destructor) and the locks go after it. Changes made in place to a live entry (a
// TTL, INCR's integer, a collection's contents) stay visible at once; only keys appearing,
// disappearing or being replaced are staged.
class Staging {
 public:
  Staging(CmdCtx& c, storage::MultiWrite* write) : c_(c), prev_(c.staging) { c.staging = write; }
  ~Staging() { c_.staging = prev_; }
  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;

 private:
  CmdCtx& c_;
  storage::MultiWrite* prev_;
};

// Tag for a KeyWrite whose shard the caller has already locked (a storage::MultiLock over several
// keys).
struct AlreadyLocked {};

class KeyWrite {
 public:
  KeyWrite(CmdCtx& ctx, std::string_view key) : KeyWrite(ctx, ctx.db(), key) {}
  KeyWrite(CmdCtx& ctx, storage::Keyspace& ks, std::string_view key)
      : ctx_(ctx),
        ks_(ks),
        key_(key),
        hash_(storage::hash_key(key)),
        shard_(ks.shard_for(hash_)),
        lock_(shard_) {
    cur = ks_.lookup_locked(shard_, key_, hash_, ctx_.op);
  }
  KeyWrite(CmdCtx& ctx, storage::Keyspace& ks, std::string_view key, AlreadyLocked)
      : ctx_(ctx), ks_(ks), key_(key), hash_(storage::hash_key(key)), shard_(ks.shard_for(hash_)) {
    cur = ks_.lookup_locked(shard_, key_, hash_, ctx_.op);
  }

  storage::Entry* cur;  // the live entry, or nullptr

  // Stores e as the key's value (replacing cur, if any).
  void put(storage::Entry* e) {
    if (!cur) ctx_.notify(kNotifyNew, "new", key_, ks_.index());  // Redis's dbAdd
    if (cur && cur->type() == storage::Type::kStream && e->type() != storage::Type::kStream)
      stream_gone();
    e->touch(lru_clock(ctx_.op.now_ms));
    if (ctx_.staging)
      ctx_.staging->put(ks_, e);
    else if (cur)
      shard_.replace_locked(cur, e, hash_, ctx_.op.epoch);
    else
      shard_.upsert_locked(e, hash_, ctx_.op.epoch);
    cur = e;
  }
  void erase() {
    if (cur && cur->type() == storage::Type::kStream) stream_gone();
    if (cur) {
      if (ctx_.staging)
        ctx_.staging->erase(ks_, key_);
      else
        shard_.erase_entry_locked(cur, hash_, ctx_.op.epoch);
    }
    cur = nullptr;
  }
  // Sets or clears the TTL of cur, in place when it has an expire slot, else by copying the entry.
  void set_expire(int64_t ms) {
    if (cur->has_expire_slot()) {
      int64_t old = cur->expire_ms();
      cur->set_expire(ms);
      if ((old >= 0) != (ms >= 0)) shard_.add_expires_locked(ms >= 0 ? 1 : -1);
      modified();
    } else if (ms >= 0) {
      storage::Entry* old = cur;
      put(storage::Entry::copy(old, key_, ms, /*clone_object=*/false));
      if (old->enc() == storage::Encoding::kObject) old->disown_object();  // moved to the copy
    }
  }
  // cur was changed in place (INCR's integer, a collection's contents): WATCH must know
  // (storage/key_watch.h). put() and erase() report themselves.
  void modified() { shard_.modified_locked(key_, hash_); }
  storage::Shard& shard() { return shard_; }
  storage::Keyspace& keyspace() { return ks_; }
  std::string_view key() const { return key_; }
  CmdCtx& ctx() { return ctx_; }

 private:
  // A stream is deleted or replaced by another type: clients blocked in XREADGROUP on it get
  // Redis's UNBLOCKED error once the command has finished (server/commands/stream_read.cpp).
  void stream_gone() { signal_key_ready(ctx_, ks_.index(), key_); }

  CmdCtx& ctx_;
  storage::Keyspace& ks_;
  std::string_view key_;
  uint64_t hash_;
  storage::Shard& shard_;
  std::unique_lock<storage::Shard> lock_;  // passes through inside an EXEC (storage/shard.h)
};

}  // namespace respite::server
