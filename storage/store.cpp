// The store's cross-keyspace operations; see store.h.
#include "storage/store.h"

namespace respite::storage {

Store::Store(int databases, unsigned shard_bits) {
  for (int i = 0; i < databases; i++) dbs_.push_back(std::make_unique<Keyspace>(shard_bits, i));
}

void Store::set_watch(KeyWatch* w) {
  for (auto& db : dbs_) db->set_watch(w);
}

Store::~Store() {
  compressor_.stop();  // its thread reads dbs_: it must be gone before they are
  dbs_.clear();
}

void Store::swap(int a, int b, OpCtx& ctx) {
  if (a == b) return;
  Keyspace& x = *dbs_[a];
  Keyspace& y = *dbs_[b];
  size_t n = x.shard_count();
  MultiLock lock;
  for (size_t i = 0; i < n; i++) {
    lock.add(&x.shard(i));
    lock.add(&y.shard(i));
  }
  lock.lock();
  // Watched keys present in either database are touched (key_watch.h), before the swap.
  if (KeyWatch* w = x.watch(); w && w->any()) {
    w->replacing(a, x, &y, ctx.now_ms);
    w->replacing(b, y, &x, ctx.now_ms);
  }
  // Each shard reads its partner's table from one commit store on (shard.h: redirects), so a
  // reader never sees one database half swapped. Migrations in flight end first: a redirect
  // names one table.
  auto* commit = new std::atomic<bool>(false);
  auto* redirects = new Redirect[2 * n];
  for (size_t i = 0; i < n; i++) {
    x.shard(i).finish_resize_locked(ctx.epoch);
    y.shard(i).finish_resize_locked(ctx.epoch);
    redirects[2 * i] = {commit, y.shard(i).table_locked()};
    redirects[2 * i + 1] = {commit, x.shard(i).table_locked()};
    x.shard(i).redirect_locked(&redirects[2 * i]);
    y.shard(i).redirect_locked(&redirects[2 * i + 1]);
  }
  commit->store(true, std::memory_order_release);
  for (size_t i = 0; i < n; i++) {
    Shard::Table *prev, *old;
    x.shard(i).install_redirect_locked(&prev, &old);
    y.shard(i).install_redirect_locked(&prev, &old);
    x.shard(i).swap_counters_locked(y.shard(i));
    x.shard(i).account_tables_locked(ctx.epoch);  // each now holds the other's table
    y.shard(i).account_tables_locked(ctx.epoch);
  }
  retire_redirects(redirects, commit, ctx.epoch);
}

void Store::flush_all(OpCtx& ctx, bool async) {
  std::vector<Keyspace*> all;
  for (auto& db : dbs_) all.push_back(db.get());
  flush_keyspaces(all.data(), all.size(), ctx, async ? &lazy_free_ : nullptr);
}

int64_t Store::bytes() const {
  int64_t n = 0;
  for (auto& db : dbs_) n += db->bytes();
  return n;
}

unsigned default_shard_bits(unsigned workers) {
  unsigned bits = 6;
  while ((1u << bits) < 16 * workers) bits++;
  return bits;
}

}  // namespace respite::storage
