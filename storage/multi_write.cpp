// Staging and committing multi-key writes; see multi_write.h for the protocol.
#include "storage/multi_write.h"

#include "storage/hash.h"

namespace respite::storage {

Entry* MultiWrite::get(Keyspace& ks, std::string_view key) {
  uint64_t h = hash_key(key);
  return ks.lookup_locked(ks.shard_for(h), key, h, ctx_);
}

void MultiWrite::put(Keyspace& ks, Entry* e) {
  std::string_view key = e->key();
  stage(ks, key, hash_key(key), e);
}

bool MultiWrite::erase(Keyspace& ks, std::string_view key) {
  uint64_t h = hash_key(key);
  if (!ks.lookup_locked(ks.shard_for(h), key, h, ctx_)) return false;
  stage(ks, key, h, nullptr);
  return true;
}

void MultiWrite::erase_moved(Keyspace& ks, Entry* e) {
  std::string_view key = e->key();
  stage(ks, key, hash_key(key), nullptr);
  if (e->enc() == Encoding::kObject) disown_.push_back(e);
}

void MultiWrite::stage(Keyspace& ks, std::string_view key, uint64_t hash, Entry* after) {
  if (!commit_) commit_ = new Commit();
  Shard& s = ks.shard_for(hash);
  Entry* displaced = nullptr;
  bool restaged = false;
  Entry* stub = s.stage_locked(key, hash, &commit_->done, after, &displaced, &restaged);
  // A value staged earlier by this write was never visible to anyone: free it at once.
  if (displaced) Entry::destroy(displaced);
  if (!restaged) staged_.push_back({&s, stub});
}

void MultiWrite::commit() {
  if (!commit_) return;
  // The linearization point: release, so a reader that sees true sees every stub's `after`.
  commit_->done.store(true, std::memory_order_release);
  for (const Staged& st : staged_) st.shard->settle_locked(st.stub, ctx_.epoch);
  staged_.clear();
  // Settling accounted each removed entry with its collection and the copy with the same one:
  // the removed entries now let go of it (they are retired, not yet freed: we are pinned).
  for (Entry* e : disown_) e->disown_object();
  disown_.clear();
  // Readers may still be looking at a stub, and through it at the flag.
  ctx_.epoch->retire(commit_, [](void* p) { delete static_cast<Commit*>(p); });
  commit_ = nullptr;
}

}  // namespace respite::storage
