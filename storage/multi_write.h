// MultiWrite: a write to several keys (MSET, DEL k1 k2 ..., RENAME, MOVE) that lock-free readers
// see all at once or not at all.
//
// Locks exclude only other writers: GET, TYPE, TTL, STRLEN and single-key EXISTS read without any
// lock (Shard::find). Publishing the keys one by one, even with every shard locked, let a reader
// see `k0` already new and `k199` still old (961 torn pairs in 90,000 before this existed). So the
// writer, holding every involved shard's lock (MultiLock), first *stages* each key: a pending stub
// takes the key's place in its chain, standing for the entry that was there (or for no entry). A
// reader that meets a stub reads its commit flag: false, it answers with the old entry; true, with
// the new one (or a miss for a deleted key). One release store of that flag (commit()) switches
// every key of the write at the same instant, which is the write's linearization point. Then,
// still under the locks, each stub is replaced by its new entry (or unlinked) and retired with the
// old entry; the flag lives until epoch reclamation says no reader can still hold a stub.
//
// Cost: nothing on the read path but a test of the found entry's encoding (stubs exist only while
// a multi-key writer holds its locks); per staged key, one small stub allocation and one extra
// link store. Single-key writes never stage: one link store is atomic already.
//
// The writer's own lookups (get) see through its stubs to the staged values, so a sequence of
// staged writes reads its own effects, as commands of a transaction will.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>
#include <vector>

#include "storage/entry.h"
#include "storage/keyspace.h"

namespace respite::storage {

class MultiWrite {
 public:
  // The caller holds the locks of every shard it will touch, until commit() has returned.
  explicit MultiWrite(OpCtx& ctx) : ctx_(ctx) {}
  ~MultiWrite() { commit(); }
  MultiWrite(const MultiWrite&) = delete;
  MultiWrite& operator=(const MultiWrite&) = delete;

  // The key's live entry as this write sees it: its staged value if it staged one, else what is
  // stored (an expired entry is removed first, as Keyspace::lookup_locked does).
  Entry* get(Keyspace& ks, std::string_view key);
  // Stages e (unlinked, owned by the write from now on) as the key's value.
  void put(Keyspace& ks, Entry* e);
  // Stages the key's removal; false if, as this write sees it, there was nothing to remove.
  bool erase(Keyspace& ks, std::string_view key);
  // Stages the removal of e (the key's live entry, from get()) whose collection, if it has one,
  // was handed to a copy staged by put() (RENAME, MOVE): after the commit e lets go of it, so
  // that freeing e leaves it to the copy.
  void erase_moved(Keyspace& ks, Entry* e);
  // Makes every staged change visible at once and settles the shards. Idempotent.
  void commit();

 private:
  struct Commit {
    std::atomic<bool> done{false};
  };
  struct Staged {
    Shard* shard;
    Entry* stub;
  };
  void stage(Keyspace& ks, std::string_view key, uint64_t hash, Entry* after);

  OpCtx& ctx_;
  Commit* commit_ = nullptr;  // made by the first stage
  std::vector<Staged> staged_;
  std::vector<Entry*> disown_;  // erase_moved entries, disowned once settled
};

}  // namespace respite::storage
