// Keyspace operations that span a shard or the whole keyspace: locked lookup with lazy expiry,
// flush, SCAN, RANDOMKEY and the active expiry sweep. See keyspace.h.
#include "storage/keyspace.h"

namespace respite::storage {

Keyspace::Keyspace(unsigned shard_bits, int index)
    : shard_bits_(shard_bits), index_(index), shards_(new Shard[size_t(1) << shard_bits]) {}

void Keyspace::set_watch(KeyWatch* w) {
  watch_ = w;
  for (size_t i = 0; i < shard_count(); i++) shards_[i].set_watch(w, index_);
}

Entry* Keyspace::lookup_locked(Shard& s, std::string_view key, uint64_t hash, OpCtx& ctx) {
  Entry* e = s.find_locked(key, hash);
  // A stub here is the caller's own multi-key write (it holds the lock): it sees its staged value.
  if (e && e->pending()) return Shard::staged_value(e);
  if (e && e->expired(ctx.now_ms)) {
    if (ctx.keep_expired) return nullptr;
    if (ctx.events) ctx.events->expired(index_, e->key());
    s.erase_entry_locked(e, hash, ctx.epoch);
    ctx.expired++;
    return nullptr;
  }
  return e;
}

uint64_t Keyspace::size() const {
  uint64_t n = 0;
  for (size_t i = 0; i < shard_count(); i++) n += shards_[i].size();
  return n;
}

uint64_t Keyspace::expires() const {
  uint64_t n = 0;
  for (size_t i = 0; i < shard_count(); i++) n += shards_[i].expires();
  return n;
}

int64_t Keyspace::bytes() const {
  int64_t n = 0;
  for (size_t i = 0; i < shard_count(); i++) n += shards_[i].bytes();
  return n;
}

void Keyspace::flush(OpCtx& ctx, LazyFree* lazy) {
  Keyspace* self = this;
  flush_keyspaces(&self, 1, ctx, lazy);
}

namespace {
// A flushed table on its way to the lazy-free thread: retired first (readers may still walk it),
// handed over once reclamation says none can.
// bytes (the table's and its entries') are counted as retired, then as the lazy-free backlog.
struct LazyTable {
  LazyFree* lazy;
  Shard::Table* table;
  uint64_t keys;
  int64_t bytes;
  static void hand_over(void* p) {
    auto* lt = static_cast<LazyTable*>(p);
    lt->lazy->submit(lt->table, Shard::free_table_with_entries, lt->keys, lt->bytes);
    delete lt;
  }
};

void retire_flushed(Shard::Table* t, uint64_t keys, int64_t bytes, OpCtx& ctx, LazyFree* lazy) {
  if (!t) return;
  if (lazy)
    ctx.epoch->retire(new LazyTable{lazy, t, keys, bytes}, LazyTable::hand_over, bytes);
  else
    Shard::retire_table_with_entries(t, ctx.epoch, bytes);
}
}  // namespace

void flush_keyspaces(Keyspace* const* ks, size_t n, OpCtx& ctx, LazyFree* lazy) {
  MultiLock lock;
  for (size_t k = 0; k < n; k++) {
    for (size_t i = 0; i < ks[k]->shard_count(); i++) lock.add(&ks[k]->shard(i));
  }
  lock.lock();
  // Watched keys that exist are touched (key_watch.h), before they go.
  for (size_t k = 0; k < n; k++) {
    if (KeyWatch* w = ks[k]->watch(); w && w->any())
      w->replacing(ks[k]->index(), *ks[k], nullptr, ctx.now_ms);
  }
  // Every shard reads as empty from one store on (shard.h: redirects): no reader sees some keys
  // gone and others still there.
  auto* commit = new std::atomic<bool>(false);
  auto* empty = new Redirect[1]{{commit, nullptr}};
  for (size_t k = 0; k < n; k++) {
    for (size_t i = 0; i < ks[k]->shard_count(); i++) ks[k]->shard(i).redirect_locked(empty);
  }
  commit->store(true, std::memory_order_release);
  for (size_t k = 0; k < n; k++) {
    for (size_t i = 0; i < ks[k]->shard_count(); i++) {
      Shard& s = ks[k]->shard(i);
      Shard::Table *t, *old;
      uint64_t keys = s.size();
      int64_t entry_bytes = s.bytes();  // the entries of both tables: counted with the current one
      s.install_redirect_locked(&t, &old);
      s.clear_counters_locked(ctx.epoch);
      s.account_tables_locked(ctx.epoch);
      retire_flushed(t, keys, entry_bytes + Shard::table_bytes(t), ctx, lazy);
      retire_flushed(old, 0, Shard::table_bytes(old), ctx, lazy);
    }
  }
  retire_redirects(empty, commit, ctx.epoch);
}

void retire_redirects(Redirect* r, std::atomic<bool>* commit, Participant* p) {
  // Readers may still hold the redirect and, through it, the flag: both go after them.
  p->retire(r, [](void* x) { delete[] static_cast<Redirect*>(x); });
  p->retire(commit, [](void* x) { delete static_cast<std::atomic<bool>*>(x); });
}

uint64_t Keyspace::scan(uint64_t cursor, size_t count,
                        const std::function<void(const Entry*)>& fn) {
  size_t idx = cursor & (shard_count() - 1);
  uint64_t bucket = cursor >> shard_bits_;
  size_t visited = 0;
  while (idx < shard_count()) {
    Shard& s = shards_[idx];
    {
      std::lock_guard<Shard> lock(s.mutex());
      do {
        bucket = s.scan_bucket_locked(bucket, [&](const Entry* e) {
          fn(e);
          visited++;
        });
      } while (bucket != 0 && visited < count);
    }
    if (bucket == 0) idx++;
    if (visited >= count) break;
  }
  if (idx >= shard_count()) return 0;
  return (bucket << shard_bits_) | idx;
}

bool Keyspace::random_key(OpCtx& ctx, uint64_t seed, std::string* out) {
  if (size() == 0) return false;
  // Random shard and bucket, walking forward to the first non-empty one; fair enough for
  // RANDOMKEY, whose Redis implementation is not uniform either.
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  size_t n = shard_count();
  auto try_shard = [&](Shard& s) {
    if (s.size() == 0) return false;
    std::lock_guard<Shard> lock(s.mutex());
    uint64_t nb = s.buckets();
    if (nb == 0) return false;
    uint64_t start = (x >> 17) & (nb - 1);
    for (uint64_t b = 0; b < nb; b++) {
      bool found = false;
      s.scan_bucket_locked((start + b) & (nb - 1), [&](const Entry* e) {
        if (!found && !e->expired(ctx.now_ms)) {
          out->assign(e->key());
          found = true;
        }
      });
      if (found) return true;
    }
    return false;
  };
  for (size_t tries = 0; tries < 2 * n + 16; tries++) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    if (try_shard(shards_[(x + tries) & (n - 1)])) return true;
  }
  // Random probes miss a lone non-empty shard among many with probability about e^-2; sweep every
  // shard once so that a keyspace holding a live key never answers "empty".
  for (size_t i = 0; i < n; i++) {
    if (try_shard(shards_[(x + i) & (n - 1)])) return true;
  }
  return false;
}

uint64_t Keyspace::active_expire(OpCtx& ctx, unsigned worker, unsigned nworkers,
                                 const std::function<bool()>& out_of_time) {
  // Bucket visits per shard per step: large enough to make progress on a shard full of
  // short-lived keys, small enough to keep the shard's lock short.
  constexpr int kBucketsPerVisit = 64;
  size_t n = shard_count();
  size_t start;
  {
    std::lock_guard<std::mutex> lock(expire_mu_);
    if (expire_next_.size() < nworkers) expire_next_.resize(nworkers, 0);
    start = expire_next_[worker];
  }
  uint64_t removed = 0;
  size_t mine = (n + nworkers - 1 - worker) / nworkers;  // shards i with i % nworkers == worker
  size_t i = start;
  for (size_t visited = 0; visited < mine; visited++) {
    size_t idx = worker + i * nworkers;
    i = (i + 1) % (mine ? mine : 1);
    if (idx >= n) continue;
    Shard& s = shards_[idx];
    if (s.expires() == 0 && !s.may_have_subexpires()) continue;
    std::lock_guard<Shard> lock(s.mutex());
    uint64_t& cursor = s.expire_cursor_locked();
    std::vector<Entry*> dead;
    std::vector<Entry*> parts_due;  // hashes with fields past their own TTLs
    bool seen_subexpires = false;
    for (int b = 0; b < kBucketsPerVisit; b++) {
      cursor = s.scan_bucket_locked(cursor, [&](const Entry* e) {
        if (e->expired(ctx.now_ms)) {
          dead.push_back(const_cast<Entry*>(e));
        } else if (e->enc() == Encoding::kObject) {
          int64_t sub = e->object()->subexpire_ms();
          if (sub >= 0) {
            seen_subexpires = true;
            if (sub <= ctx.now_ms) parts_due.push_back(const_cast<Entry*>(e));
          }
        }
      });
      if (cursor == 0) break;
    }
    s.sweep_subexpires_locked(seen_subexpires, cursor == 0);
    for (Entry* e : dead) {
      if (ctx.events) ctx.events->expired(index_, e->key());
      s.erase_entry_locked(e, hash_key(e->key()), ctx.epoch);
      removed++;
    }
    for (Entry* e : parts_due) {
      Object* obj = e->object();
      size_t before = obj->memory();
      if (obj->expire_parts(ctx.now_ms) == 0) continue;
      s.add_bytes_locked(static_cast<int64_t>(obj->memory()) - static_cast<int64_t>(before),
                         ctx.epoch);
      bool emptied = obj->length() == 0;
      if (ctx.events) ctx.events->fields_expired(index_, e->key(), emptied);
      uint64_t h = hash_key(e->key());
      if (emptied)
        s.erase_entry_locked(e, h, ctx.epoch);  // tells WATCH itself
      else
        s.modified_locked(e->key(), h);
    }
    if (out_of_time()) break;
  }
  {
    std::lock_guard<std::mutex> lock(expire_mu_);
    expire_next_[worker] = i;
  }
  ctx.expired += removed;
  return removed;
}

bool Keyspace::may_have_subexpires() const {
  for (size_t i = 0; i < shard_count(); i++)
    if (shards_[i].may_have_subexpires()) return true;
  return false;
}

void MultiLock::lock(bool exclusive) {
  std::sort(shards_.begin(), shards_.end());
  shards_.erase(std::unique(shards_.begin(), shards_.end()), shards_.end());
  if (exclusive) {  // nested in another exclusive hold of this thread: that one owns them
    std::erase_if(shards_, [](Shard* s) { return s->held_exclusively(); });
  }
  for (Shard* s : shards_) s->lock();
  // Only once every lock is held: a reader that waits on a raised marker must never wait for a
  // holder that itself waits (shard.h).
  if (exclusive) {
    for (Shard* s : shards_) s->raise_exclusive_locked();
  }
  exclusive_ = exclusive;
  locked_ = true;
}

bool MultiLock::try_extend(Shard* s) {
  if (s->held_exclusively()) return true;
  if (!s->try_lock()) return false;
  s->raise_exclusive_locked();
  shards_.push_back(s);
  return true;
}

void MultiLock::unlock() {
  if (!locked_) return;
  // Every marker goes before any lock: the last change precedes all of them (shard.h).
  if (exclusive_) {
    for (Shard* s : shards_) s->lower_exclusive_locked();
  }
  for (auto it = shards_.rbegin(); it != shards_.rend(); ++it) (*it)->unlock();
  locked_ = false;
  exclusive_ = false;
}

}  // namespace respite::storage
