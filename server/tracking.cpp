// Client-side caching: the tracking table, invalidation delivery and the CLIENT TRACKING family;
// see tracking.h for the scheme and the race it closes.
#include "server/tracking.h"

#include <algorithm>

#include "server/command.h"
#include "server/connection.h"
#include "server/context.h"
#include "server/multi.h"
#include "server/pubsub.h"
#include "server/server.h"
#include "server/worker.h"
#include "storage/hash.h"

namespace respite::server {

namespace {

// The worker whose loop runs on this thread (its outbox collects what touched() finds), and the
// tracking client whose command runs now (NOLOOP), 0 for none: thread-local because the store's
// hook knows neither. t_writer is set only around commands of tracking clients (dispatch).
thread_local Worker* t_worker = nullptr;
thread_local uint64_t t_writer = 0;
// The key storage is expiring or evicting on this thread (tracking_unowned_touch): its address,
// which the touch that follows passes again (the entry's own key).
thread_local const char* t_unowned_key = nullptr;

constexpr std::string_view kInvalidateChannel = "__redis__:invalidate";

Connection* find_client(Server& srv, uint64_t id) {
  std::lock_guard<std::mutex> lock(srv.clients_mu);
  auto it = srv.clients.find(id);
  return it == srv.clients.end() ? nullptr : it->second;
}

void show(Connection& c) {
  c.tracking_shown.store(c.tracking_flags, std::memory_order_relaxed);
  Connection::Rare& r = c.rare();
  r.redir_shown.store(c.tracking ? static_cast<int64_t>(r.tracking_redirect) : -1,
                      std::memory_order_relaxed);
}

// Marks c for the worker's end-of-callback flush, as pub/sub frames do.
void schedule_flush(Worker& w, Connection& c) {
  if (!c.check_output_limit()) return;  // closed: a client that does not read
  if (!c.flush_scheduled) {
    c.flush_scheduled = true;
    w.pubsub_mail.dirty.push_back(&c);
  }
}

void post_to(Worker& to, Invalidation inv) {
  auto* d = new Delivery;
  d->invalidations.push_back(std::move(inv));
  to.pubsub_mail.push(d);
  to.wake();
}

}  // namespace

void Tracking::set_thread_outbox(Worker* w) {
  t_worker = w;
}

template <class F>
void Tracking::queue(F&& f) {
  if (t_worker == nullptr) {  // flushed by the next worker that flushes
    std::lock_guard<std::mutex> lock(orphan_mu_);
    f(orphan_);
    return;
  }
  t_worker->notify.mark_pending();  // so that the flush after the command comes here
  f(t_worker->tracking_out);
}

// --- slot counters (storage/key_watch.h) ---

void Tracking::hold_key(uint32_t hash32) {
  // Every database: Redis's table knows key names only. The read's own database is held under
  // the key's shard lock (the caller's), which is what orders it against a writer there; a write
  // of the same name in another database races with nothing the reader saw.
  for (int db = 0; db < srv_.store.databases(); db++) slots_.hold(db, hash32, 1);
}

void Tracking::release_key(std::string_view key) {
  auto h = static_cast<uint32_t>(storage::hash_key(key));
  for (int db = 0; db < srv_.store.databases(); db++) slots_.hold(db, h, -1);
}

// --- the table ---

void Tracking::enable(Connection& c, uint64_t redirect, uint32_t options,
                      const std::vector<std::string_view>& prefixes) {
  std::unique_lock<std::shared_mutex> lock(meta_mu_);
  bool was_bcast = (c.tracking_flags & kTrackBcast) != 0;
  uint32_t flags = (c.tracking_flags & kTrackCaching) | kTrackOn |
                   (options & (kTrackBcast | kTrackOptin | kTrackOptout | kTrackNoloop));
  if (options & kTrackBcast) {
    auto add = [&](std::string_view p) {
      auto& ids = prefixes_[std::string(p)];
      if (std::find(ids.begin(), ids.end(), c.id) != ids.end()) return;
      ids.push_back(c.id);
      auto& mine = c.rare().tracking_prefixes;
      auto at = std::lower_bound(mine.begin(), mine.end(), p);
      mine.insert(at, std::string(p));  // sorted, as Redis's rax lists them
    };
    if (prefixes.empty()) add("");
    for (std::string_view p : prefixes) add(p);
    if (!was_bcast && bcast_clients_++ == 0) {
      slots_.hold_all(1);  // every write must reach the prefixes
      bcast_live_.store(true, std::memory_order_seq_cst);
    }
  }
  clients_[c.id] = ClientInfo{c.worker, flags};
  c.tracking = true;
  c.tracking_flags = flags;
  c.rare().tracking_redirect = redirect;
  show(c);
}

void Tracking::disable(Connection& c) {
  if (!c.tracking) return;
  std::unique_lock<std::shared_mutex> lock(meta_mu_);
  Connection::Rare& r = c.rare();
  if (c.tracking_flags & kTrackBcast) {
    for (const std::string& p : r.tracking_prefixes) {
      auto it = prefixes_.find(p);
      if (it == prefixes_.end()) continue;
      auto& ids = it->second;
      ids.erase(std::remove(ids.begin(), ids.end(), c.id), ids.end());
      if (ids.empty()) prefixes_.erase(it);
    }
    r.tracking_prefixes.clear();
    if (--bcast_clients_ == 0) {
      bcast_live_.store(false, std::memory_order_seq_cst);
      slots_.hold_all(-1);
    }
  }
  clients_.erase(c.id);
  c.tracking = false;
  c.tracking_flags = 0;
  r.tracking_redirect = 0;
  show(c);
}

void Tracking::remember(uint64_t client, std::string_view key, uint32_t hash32) {
  KeyShard& ks = shard_of(key);
  std::lock_guard<std::mutex> lock(ks.mu);
  auto it = ks.keys.find(key);
  if (it == ks.keys.end()) {
    it = ks.keys.emplace(std::string(key), std::vector<uint64_t>{}).first;
    hold_key(hash32);
    // Under the key's store shard lock: a writer of the key loads it under the same lock.
    nkeys_.fetch_add(1, std::memory_order_relaxed);
  }
  auto& ids = it->second;
  if (std::find(ids.begin(), ids.end(), client) != ids.end()) return;
  ids.push_back(client);
  items_.fetch_add(1, std::memory_order_relaxed);
}

void tracking_unowned_touch(std::string_view key) {
  t_unowned_key = key.data();
}

void Tracking::invalidate_locked(KeyTable& keys, KeyTable::iterator it, uint64_t writer) {
  queue([&](TrackingOutbox& out) {
    for (uint64_t id : it->second) out.keys.push_back({id, it->first, writer});
  });
  items_.fetch_sub(it->second.size(), std::memory_order_relaxed);
  nkeys_.fetch_sub(1, std::memory_order_relaxed);
  release_key(it->first);
  keys.erase(it);
}

void Tracking::touched(int db, std::string_view key) {
  (void)db;  // the table knows names only (Redis's)
  bool unowned = t_unowned_key == key.data();
  t_unowned_key = nullptr;
  // Relaxed: nkeys_ moves under the key's store shard lock, which the caller holds; BCAST's flag
  // is seq_cst with enable().
  if (!live()) return;
  if (bcast_live_.load(std::memory_order_relaxed)) {
    std::shared_lock<std::shared_mutex> lock(meta_mu_);
    // Not a structured binding: clang before 16 cannot capture one in the lambda below.
    for (const auto& entry : prefixes_) {
      const std::string& p = entry.first;
      if (key.substr(0, p.size()) != p) continue;
      queue([&](TrackingOutbox& out) {
        out.bcast.push_back({p, std::string(key), unowned ? 0 : t_writer});
      });
    }
  }
  if (nkeys_.load(std::memory_order_relaxed) == 0) return;
  KeyShard& ks = shard_of(key);
  std::lock_guard<std::mutex> lock(ks.mu);
  auto it = ks.keys.find(key);
  if (it != ks.keys.end()) invalidate_locked(ks.keys, it, t_writer);
}

void Tracking::flushed() {
  {
    std::shared_lock<std::shared_mutex> lock(meta_mu_);
    if (!clients_.empty()) {
      queue([&](TrackingOutbox& out) {
        for (const auto& [id, info] : clients_) out.flushed.push_back(id);
      });
    }
  }
  // Redis frees the whole table: every client got its null list.
  for (KeyShard& ks : shards_) {
    std::lock_guard<std::mutex> lock(ks.mu);
    for (const auto& [key, ids] : ks.keys) {
      release_key(key);
      items_.fetch_sub(ids.size(), std::memory_order_relaxed);
    }
    nkeys_.fetch_sub(ks.keys.size(), std::memory_order_relaxed);
    ks.keys.clear();
  }
}

void Tracking::enforce_limit() {
  auto max =
      static_cast<uint64_t>(srv_.config.tracking_table_max_keys.load(std::memory_order_relaxed));
  if (max == 0) return;
  std::unique_lock<std::mutex> trim(limit_mu_, std::try_to_lock);
  if (!trim.owns_lock()) return;  // another worker is at it
  if (nkeys_.load(std::memory_order_relaxed) <= max) {
    limit_rounds_ = 0;
    return;
  }
  // Redis's effort: 100 keys a round, 100 more for every round in a row that ended over.
  size_t effort = 100 * (static_cast<size_t>(limit_rounds_) + 1);
  while (effort-- > 0 && nkeys_.load(std::memory_order_relaxed) > 0) {
    // A random shard and bucket, then the next non-empty one: random enough for dropping cache
    // entries.
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    KeyShard& ks = shards_[rng_ % kShards];
    std::lock_guard<std::mutex> lock(ks.mu);
    if (ks.keys.empty()) continue;
    size_t nb = ks.keys.bucket_count(), b = static_cast<size_t>((rng_ >> 8) % nb);
    while (ks.keys.bucket_size(b) == 0) b = (b + 1) % nb;
    invalidate_locked(ks.keys, ks.keys.find(ks.keys.begin(b)->first), 0);
    if (nkeys_.load(std::memory_order_relaxed) <= max) {
      limit_rounds_ = 0;
      return;
    }
  }
  limit_rounds_++;
}

std::string Tracking::prefix_collision(const Connection& c,
                                       const std::vector<std::string_view>& prefixes) const {
  auto overlap = [](std::string_view a, std::string_view b) {
    size_t n = std::min(a.size(), b.size());
    return a.substr(0, n) == b.substr(0, n);
  };
  static const std::vector<std::string> kNone;
  const Connection::Rare* r = c.rare_if();
  const std::vector<std::string>& mine = r ? r->tracking_prefixes : kNone;
  for (size_t i = 0; i < prefixes.size(); i++) {
    for (const std::string& have : mine) {
      if (overlap(have, prefixes[i])) return prefix_overlap_error(prefixes[i], have, true);
    }
    for (size_t j = i + 1; j < prefixes.size(); j++) {
      if (overlap(prefixes[i], prefixes[j]))
        return prefix_overlap_error(prefixes[i], prefixes[j], false);
    }
  }
  return {};
}

uint64_t Tracking::tracking_clients() const {
  std::shared_lock<std::shared_mutex> lock(meta_mu_);
  return clients_.size();
}
uint64_t Tracking::total_keys() const {
  return nkeys_.load(std::memory_order_relaxed);
}
uint64_t Tracking::total_items() const {
  return items_.load(std::memory_order_relaxed);
}
uint64_t Tracking::total_prefixes() const {
  std::shared_lock<std::shared_mutex> lock(meta_mu_);
  return prefixes_.size();
}

// --- delivery ---

void Tracking::flush(Worker& w) {
  TrackingOutbox ob;
  std::swap(ob, w.tracking_out);
  {
    std::lock_guard<std::mutex> lock(orphan_mu_);
    if (!orphan_.empty()) {
      for (auto& k : orphan_.keys) ob.keys.push_back(std::move(k));
      for (auto& b : orphan_.bcast) ob.bcast.push_back(std::move(b));
      for (uint64_t id : orphan_.flushed) ob.flushed.push_back(id);
      orphan_ = TrackingOutbox{};
    }
  }
  if (ob.empty()) return;
  std::vector<std::pair<Worker*, Invalidation>> msgs;
  {
    std::shared_lock<std::shared_mutex> lock(meta_mu_);
    for (auto& k : ob.keys) {
      auto ci = clients_.find(k.client);
      // Gone, off, or in BCAST mode since it read the key (Redis skips those too); NOLOOP
      // leaves out the client whose command made the change.
      if (ci == clients_.end() || (ci->second.flags & kTrackBcast)) continue;
      if ((ci->second.flags & kTrackNoloop) && k.client == k.writer) continue;
      msgs.emplace_back(ci->second.worker,
                        Invalidation{k.client, false, false, {std::move(k.key)}});
    }
    if (!ob.bcast.empty()) {
      // Per prefix, each key once with the client that wrote it last (NOLOOP), in key order as
      // Redis's radix tree lists them.
      std::map<std::string_view, std::map<std::string_view, uint64_t>> batch;
      for (const auto& b : ob.bcast) batch[b.prefix][b.key] = b.writer;
      for (const auto& [p, keys] : batch) {
        auto pit = prefixes_.find(p);
        if (pit == prefixes_.end()) continue;
        for (uint64_t id : pit->second) {
          auto ci = clients_.find(id);
          if (ci == clients_.end()) continue;
          bool noloop = (ci->second.flags & kTrackNoloop) != 0;
          Invalidation inv{id, false, false, {}};
          for (const auto& [k, writer] : keys) {
            if (!(noloop && writer == id)) inv.keys.emplace_back(k);
          }
          if (!inv.keys.empty()) msgs.emplace_back(ci->second.worker, std::move(inv));
        }
      }
    }
    for (uint64_t id : ob.flushed) {
      auto ci = clients_.find(id);
      if (ci != clients_.end())
        msgs.emplace_back(ci->second.worker, Invalidation{id, false, true, {}});
    }
  }
  std::vector<std::pair<Worker*, Delivery*>> boxes;  // few workers: a linear look-up
  for (auto& [tw, inv] : msgs) {
    if (tw == &w) {
      deliver_invalidation(w, std::move(inv));
      continue;
    }
    Delivery* d = nullptr;
    for (auto& [bw, bd] : boxes) {
      if (bw == tw) d = bd;
    }
    if (!d) {
      d = new Delivery;
      boxes.emplace_back(tw, d);
    }
    d->invalidations.push_back(std::move(inv));
  }
  for (auto& [tw, d] : boxes) {
    tw->pubsub_mail.push(d);
    tw->wake();
  }
}

void deliver_invalidation(Worker& w, Invalidation inv, bool late) {
  Server& srv = *w.server;
  Connection* target = find_client(srv, inv.client);
  // Only this worker frees its connections: a pointer found here stays valid for this call.
  if (!target || target->worker != &w || target->closing()) return;
  bool redirected = inv.redirected;
  if (!redirected) {
    Connection& t = *target;
    if (!t.tracking) return;  // turned off since
    if (t.tracking_redirect() != 0) {
      Connection* r = find_client(srv, t.tracking_redirect());
      if (!r) {
        // Redis tells the tracking client itself, once per message that could not go.
        t.tracking_flags |= kTrackBrokenRedir;
        show(t);
        if (t.reply.resp() == 3) {
          protocol::ReplyWriter pw(&t.out);
          pw.set_resp(3);
          pw.push(2);
          pw.bulk("tracking-redir-broken");
          pw.integer(static_cast<int64_t>(t.tracking_redirect()));
          schedule_flush(w, t);
        }
        return;
      }
      if (r->worker != &w) {
        // r may close meanwhile: its worker looks it up again.
        post_to(*r->worker, Invalidation{r->id, true, inv.all, std::move(inv.keys)});
        return;
      }
      target = r;
      redirected = true;
      if (target->closing()) return;
    }
  }
  if (!late && target->blocked()) {
    // The reply that unblocks it may be on its way through our inbox (blocking.cpp posts it):
    // the invalidation follows it there.
    w.post([inv = std::move(inv)](Worker& ww) mutable {
      deliver_invalidation(ww, std::move(inv), true);
      ww.flush_dirty();
    });
    return;
  }
  Connection& to = *target;
  protocol::ReplyWriter pw(&to.out);
  pw.set_resp(to.reply.resp());
  if (to.reply.resp() == 3) {
    pw.push(2);
    pw.bulk("invalidate");
  } else if (redirected && to.pubsub_mode()) {
    pw.push(3);
    pw.bulk("message");
    pw.bulk(kInvalidateChannel);
  } else {
    return;  // RESP2 without a redirect: nowhere to say it
  }
  if (inv.all) {
    pw.null();
  } else {
    pw.array(inv.keys.size());
    for (const std::string& k : inv.keys) pw.bulk(k);
  }
  schedule_flush(w, to);
}

// --- dispatch hooks ---

uint64_t tracking_before(Connection& c, const Command& cmd,
                         const std::vector<std::string_view>& argv) {
  uint64_t saved = t_writer;
  t_writer = c.id;
  if (!cmd.has_flag(kReadonly) || cmd.has_flag(kPubsub)) return saved;
  // EVAL_RO and FCALL_RO: a script's keys are remembered when it reads (script_run.cpp).
  if (cmd.group == "scripting") return saved;
  tracking_remember_keys(c, cmd, argv);
  return saved;
}

void tracking_remember_keys(Connection& c, const Command& cmd,
                            const std::vector<std::string_view>& argv) {
  uint32_t f = c.tracking_flags;
  if (f & kTrackBcast) return;
  bool caching = (f & kTrackCaching) != 0;
  if (((f & kTrackOptin) && !caching) || ((f & kTrackOptout) && caching)) return;
  Server& srv = *c.worker->server;
  storage::Keyspace& ks = srv.store.db(c.db);
  auto remember = [&](std::string_view key) {
    uint64_t h = storage::hash_key(key);
    storage::Shard& s = ks.shard_for(h);
    std::lock_guard<storage::Shard> lock(s);  // the writer's lock: see tracking.h, "The race"
    srv.tracking.remember(c.id, key, static_cast<uint32_t>(h));
  };
  bool any = false;
  for_each_key(
      cmd, argv.size(), [&](size_t i) { return argv[i]; },
      [&](size_t i) {
        remember(argv[i]);
        any = true;
      });
  if (any) srv.tracking.enforce_limit();
}

void tracking_after(Connection& c, const Command& cmd, uint64_t saved) {
  t_writer = saved;
  t_unowned_key = nullptr;
  // CLIENT CACHING's flag covers the next command, or the next transaction (Redis's
  // resetClient): it goes after any command but CLIENT's own, outside MULTI.
  if (c.worker->command_depth == 0 && !in_multi(c) &&
      !(cmd.parent && cmd.parent->name == "client")) {
    c.tracking_flags &= ~static_cast<uint32_t>(kTrackCaching);
  }
}

// --- CLIENT TRACKING, CACHING, GETREDIR, TRACKINGINFO ---

void cmd_client_tracking(CmdCtx& c) {
  // Errors are Redis 7.0's (networking.c), word for word, in its order of checks.
  uint64_t redirect = 0;
  uint32_t options = 0;
  std::vector<std::string_view> prefixes;
  for (size_t j = 3; j < c.argc(); j++) {
    bool more = j + 1 < c.argc();
    std::string_view a = c.arg(j);
    if (iequals(a, "redirect") && more) {
      j++;
      if (redirect != 0) return c.error(Err::kTrackingOneRedirect);
      int64_t id;
      if (!parse_int(c.arg(j), &id)) return c.error(Err::kNotInt);
      if (id <= 0 || !find_client(c.server, static_cast<uint64_t>(id)))
        return c.error(Err::kTrackingNoRedirectClient);
      redirect = static_cast<uint64_t>(id);
    } else if (iequals(a, "bcast")) {
      options |= kTrackBcast;
    } else if (iequals(a, "optin")) {
      options |= kTrackOptin;
    } else if (iequals(a, "optout")) {
      options |= kTrackOptout;
    } else if (iequals(a, "noloop")) {
      options |= kTrackNoloop;
    } else if (iequals(a, "prefix") && more) {
      prefixes.push_back(c.arg(++j));
    } else {
      return c.error(Err::kSyntax);
    }
  }
  std::string_view onoff = c.arg(2);
  Connection& conn = c.conn;
  if (iequals(onoff, "on")) {
    if (!(options & kTrackBcast) && !prefixes.empty())
      return c.error(Err::kTrackingPrefixNeedsBcast);
    if (conn.tracking &&
        ((conn.tracking_flags & kTrackBcast) != 0) != ((options & kTrackBcast) != 0)) {
      return c.error(Err::kTrackingBcastSwitch);
    }
    if ((options & kTrackBcast) && (options & (kTrackOptin | kTrackOptout)))
      return c.error(Err::kTrackingOptWithBcast);
    if ((options & kTrackOptin) && (options & kTrackOptout)) return c.error(Err::kTrackingOptBoth);
    if (((options & kTrackOptin) && (conn.tracking_flags & kTrackOptout)) ||
        ((options & kTrackOptout) && (conn.tracking_flags & kTrackOptin))) {
      return c.error(Err::kTrackingOptSwitch);
    }
    if (options & kTrackBcast) {
      std::string e = c.server.tracking.prefix_collision(conn, prefixes);
      if (!e.empty()) return c.error(e);
    }
    c.server.tracking.enable(conn, redirect, options, prefixes);
  } else if (iequals(onoff, "off")) {
    c.server.tracking.disable(conn);
  } else {
    return c.error(Err::kSyntax);
  }
  c.reply.ok();
}

void cmd_client_caching(CmdCtx& c) {
  Connection& conn = c.conn;
  if (!conn.tracking) return c.error(Err::kCachingNotTracking);
  std::string_view opt = c.arg(2);
  if (iequals(opt, "yes")) {
    if (!(conn.tracking_flags & kTrackOptin)) return c.error(Err::kCachingYesNotOptin);
  } else if (iequals(opt, "no")) {
    if (!(conn.tracking_flags & kTrackOptout)) return c.error(Err::kCachingNoNotOptout);
  } else {
    return c.error(Err::kSyntax);
  }
  conn.tracking_flags |= kTrackCaching;
  c.reply.ok();
}

void cmd_client_getredir(CmdCtx& c) {
  c.reply.integer(c.conn.tracking ? static_cast<int64_t>(c.conn.tracking_redirect()) : -1);
}

void cmd_client_trackinginfo(CmdCtx& c) {
  const Connection& conn = c.conn;
  uint32_t f = conn.tracking_flags;
  std::vector<std::string_view> flags;
  flags.push_back(conn.tracking ? "on" : "off");
  if (f & kTrackBcast) flags.push_back("bcast");
  if (f & kTrackOptin) {
    flags.push_back("optin");
    if (f & kTrackCaching) flags.push_back("caching-yes");
  }
  if (f & kTrackOptout) {
    flags.push_back("optout");
    if (f & kTrackCaching) flags.push_back("caching-no");
  }
  if (f & kTrackNoloop) flags.push_back("noloop");
  if (f & kTrackBrokenRedir) flags.push_back("broken_redirect");
  c.reply.map(3);
  c.reply.bulk("flags");
  c.reply.set(flags.size());
  for (std::string_view s : flags) c.reply.bulk(s);
  c.reply.bulk("redirect");
  c.reply.integer(conn.tracking ? static_cast<int64_t>(conn.tracking_redirect()) : -1);
  c.reply.bulk("prefixes");
  const Connection::Rare* r = conn.rare_if();
  c.reply.array(r ? r->tracking_prefixes.size() : 0);
  if (r)
    for (const std::string& p : r->tracking_prefixes) c.reply.bulk(p);
}

}  // namespace respite::server
