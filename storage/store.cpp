// The store's cross-keyspace operations; see store.h.
#include "storage/store.h"

namespace respite::storage {

Store::Store(int databases, unsigned shard_bits) {
  for (int i = 0; i < databases; i++) dbs_.push_back(std::make_unique<Keyspace>(shard_bits));
}

Store::~Store() {
  dbs_.clear();
}

void Store::swap(int a, int b) {
  if (a == b) return;
  Keyspace& x = *dbs_[a];
  Keyspace& y = *dbs_[b];
  MultiLock lock;
  for (size_t i = 0; i < x.shard_count(); i++) {
    lock.add(&x.shard(i));
    lock.add(&y.shard(i));
  }
  lock.lock();
  for (size_t i = 0; i < x.shard_count(); i++) x.shard(i).swap_locked(y.shard(i));
}

void Store::flush_all(OpCtx& ctx) {
  for (auto& db : dbs_) db->flush(ctx);
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
