// One key's collection (hash, list, set or sorted set), as the data-type families reach it.
//
// Collections are changed in place under their shard's lock and read under the same lock (see
// storage/entry.h). A Collection locks the key's shard (or joins the storage::MultiLock its caller
// already holds), looks the key up with lazy expiry, and tells the handler whether the key holds
// the wanted type. When it goes out of scope it settles what the handler did: the shard's byte
// count moves by the change in the collection's memory(), and a collection left empty is deleted
// with its key, because Redis never keeps an empty collection. Handlers therefore never account
// memory or delete emptied keys themselves.
#pragma once

#include <cstdint>
#include <string_view>

#include "server/context.h"
#include "server/keywrite.h"
#include "storage/entry.h"

namespace respite::server {

// The encoding thresholds of small collections, read once per command from the live config (the
// *-max-listpack-* directives may change with CONFIG SET at any time).
struct EncodingLimits {
  size_t hash_entries, hash_value;
  int64_t list_size;  // list-max-listpack-size: > 0 entries per node, < 0 -1..-5 = 4..64 KiB
  size_t set_intset_entries;
  size_t zset_entries, zset_value;
};

inline EncodingLimits encoding_limits(const Server& s) {
  auto get = [](const std::atomic<int64_t>& v) { return v.load(std::memory_order_relaxed); };
  const Config& c = s.config;
  return {static_cast<size_t>(get(c.hash_max_listpack_entries)),
          static_cast<size_t>(get(c.hash_max_listpack_value)),
          get(c.list_max_listpack_size),
          static_cast<size_t>(get(c.set_max_intset_entries)),
          static_cast<size_t>(get(c.zset_max_listpack_entries)),
          static_cast<size_t>(get(c.zset_max_listpack_value))};
}

// Read lookups count keyspace hits and misses (INFO stats), as Redis's lookupKeyRead does.
enum class Access { kRead, kWrite };

template <class T>
class Collection {
 public:
  // Locks the key's shard in the selected database.
  Collection(CmdCtx& c, std::string_view key, storage::Type type, Access access = Access::kWrite)
      : kw_(c, key), type_(type) {
    init(access);
  }
  // The caller holds the shard's lock already (a MultiLock over several keys).
  Collection(CmdCtx& c, storage::Keyspace& ks, std::string_view key, storage::Type type,
             AlreadyLocked tag, Access access = Access::kWrite)
      : kw_(c, ks, key, tag), type_(type) {
    init(access);
  }
  ~Collection() {
    settle();
    // WATCH hears of a change made in place (storage/key_watch.h) when the collection's length
    // or size moved, or when the handler said so (changed()); keys created, replaced or deleted
    // were reported by the shard already. As in Redis, a write that changed nothing (SADD of a
    // member already there, SREM of a missing one) is no change.
    if (write_ && obj_ && kw_.cur && !unwatched_ &&
        (changed_ || obj_->length() != length0_ || obj_->memory() != memory0_))
      kw_.modified();
  }
  Collection(const Collection&) = delete;
  Collection& operator=(const Collection&) = delete;

  bool exists() const { return kw_.cur != nullptr; }
  // The handler changed the collection in a way that may leave its length and size as they were
  // (HSET over a field, LSET, ZADD updating a score, a list rotated onto itself): WATCH must
  // know. Redis signals these whatever the new value is.
  void changed() { changed_ = true; }
  // The handler's change is one Redis does not report to WATCH (a stream's consumer-group state:
  // XREADGROUP, XACK, XCLAIM, XGROUP SETID), though memory() moved.
  void unwatched() { unwatched_ = true; }
  // The key holds a value of another type: the handler replies WRONGTYPE.
  bool wrong_type() const { return kw_.cur != nullptr && kw_.cur->type() != type_; }
  // The collection, or nullptr when the key is missing or holds another type.
  T* get() const { return obj_; }

  // Stores a new collection under the key, which must be missing (check exists() first).
  T* create(T* fresh) {
    kw_.put(storage::Entry::make_object(kw_.key(), type_, fresh, storage::Entry::kNoExpire));
    obj_ = fresh;
    before_ = fresh->memory();
    return fresh;
  }
  // Replaces whatever the key holds (of any type; its TTL goes too) by `fresh`, or deletes the key
  // when fresh is null or empty: the destination of SINTERSTORE, ZUNIONSTORE, ...
  void store(T* fresh) {
    settle();
    obj_ = nullptr;
    if (!fresh || fresh->length() == 0) {
      delete fresh;
      if (kw_.cur) kw_.ctx().notify(kNotifyGeneric, "del", kw_.key(), kw_.keyspace().index());
      kw_.erase();
      return;
    }
    kw_.put(storage::Entry::make_object(kw_.key(), type_, fresh, storage::Entry::kNoExpire));
    obj_ = fresh;
    before_ = fresh->memory();
  }
  // Deletes the key, whatever it holds.
  void remove() {
    obj_ = nullptr;
    kw_.erase();
  }

  // Accounts the memory the handler's changes added or freed, and deletes an emptied collection.
  // Runs on destruction; call it early only to make the result visible before the lock goes.
  void settle() {
    if (!obj_ || !kw_.cur) return;
    size_t now = obj_->memory();
    if (now != before_) {
      kw_.shard().add_bytes_locked(static_cast<int64_t>(now - before_), kw_.ctx().op.epoch);
    }
    before_ = now;
    if (obj_->length() == 0) {
      remove();
      // After the handler's own event, as Redis's "del" of an emptied collection.
      kw_.ctx().notify(kNotifyGeneric, "del", kw_.key(), kw_.keyspace().index());
    }
  }

  KeyWrite& key_write() { return kw_; }
  std::string_view key() const { return kw_.key(); }

 private:
  void init(Access access) {
    write_ = access == Access::kWrite;
    if (access == Access::kRead) {
      WorkerStats& st = kw_.ctx().worker.stats;
      (kw_.cur ? st.hits : st.misses).add(1);
    }
    if (!kw_.cur) return;
    touch_access(kw_.ctx(), kw_.cur);
    if (kw_.cur->type() != type_) return;
    obj_ = static_cast<T*>(kw_.cur->object());
    before_ = obj_->memory();
    memory0_ = before_;
    length0_ = obj_->length();
  }

  KeyWrite kw_;
  storage::Type type_;
  T* obj_ = nullptr;
  size_t before_ = 0;
  bool write_ = false;
  bool changed_ = false;
  bool unwatched_ = false;
  size_t memory0_ = 0, length0_ = 0;  // what init() found, for WATCH
};

// Offers keys[0..n) (in the selected database), in order, to fn(Collection<T>&) until it returns
// true: the first key that can serve a multi-key pop (BLPOP, LMPOP, BZPOPMIN, ZMPOP, ...). The
// keys' shards are locked together first, so the choice of key and what fn does to it are one
// atomic step; one key locks just its shard. Returns whether fn returned true.
template <class T, class Fn>
bool first_serving(CmdCtx& c, const std::string_view* keys, size_t n, storage::Type type, Fn&& fn) {
  if (n == 1) {
    Collection<T> one(c, keys[0], type);
    return fn(one);
  }
  storage::Keyspace& ks = c.db();
  storage::MultiLock lock;
  for (size_t i = 0; i < n; i++) lock.add_key(ks, keys[i]);
  lock.lock();
  for (size_t i = 0; i < n; i++) {
    Collection<T> each(c, ks, keys[i], type, AlreadyLocked{});
    if (fn(each)) return true;
  }
  return false;
}

}  // namespace respite::server
