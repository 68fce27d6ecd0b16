// Client-side caching: Redis 7.0's CLIENT TRACKING, with its tracking table, BCAST prefixes,
// OPTIN/OPTOUT, NOLOOP and REDIRECT, and the invalidation messages (RESP3 pushes, or RESP2
// "message __redis__:invalidate" frames on a redirect target that is subscribed to something).
//
// The table. One Tracking per server. Key name -> ids of the clients that may cache it (default
// mode; as in Redis, names only, whatever the database) is split over 64 shards by a hash of the
// name, each behind its own mutex, so that writers of different keys on different workers do not
// queue on one lock. Client id -> its mode and worker, and prefix -> its BCAST clients, change
// only with CLIENT TRACKING and are read by every flush (and, while BCAST clients exist, by every
// write): one readers-writer lock. The table hangs off the store's KeyWatch hook
// (storage/key_watch.h): the WATCH registry, which the store calls, passes every touch on here.
// The hook's slot counters are shared with WATCH: a tracked key holds its slot in every database
// (a write of the same name in another database invalidates too, as in Redis), and while any
// BCAST client exists every slot is held, so that every write reaches the prefixes. With nobody
// tracking, a write still costs one relaxed load and a compare; a command costs one more test of
// its connection's `tracking` flag (dispatch).
//
// The race. A key may be read on worker A while worker B writes it. Redis's promise is that a
// client that read a key gets an invalidation for every later write. A remembers the keys of a
// read-only command *before* running it, each under the key's shard lock (remember()), and B's
// write checks the slot counter under the same lock (Shard reports through touched()): either
// B's write came first, and A's read, which follows the lock, sees the new value; or B finds the
// key tracked and queues an invalidation. Remembering after the read would lose the write that
// falls between the read and the registration. Lock order: the store's shard locks, then a key
// shard's mutex or the clients' lock (shared); the client registry's (Server::clients_mu) is taken
// under none of them; the table never takes a store shard lock.
//
// Delivery. touched() runs under a shard lock, maybe inside a command whose reply is half written:
// it only appends to the writing worker's TrackingOutbox (a thread-local pointer names it). The
// outbox is flushed where keyspace notifications are (notify.h: after the outermost command, after
// eviction before a command, after the cron's expiry): its keys become Invalidation messages, one
// per (client, key) in default mode (whom to leave out is decided here, against the clients'
// current modes), one per prefix and client in BCAST mode (a batch: the keys a
// command or a cron step changed, each once, minus, under NOLOOP, those the client itself wrote
// last), one null list per client for FLUSHDB/FLUSHALL. Each message goes to the worker that owns
// its client: written at once on this worker, else through that worker's pub/sub Mailbox
// (pubsub.h), which is drained before a client's input runs, so a client that learnt of a write
// from another client sees the invalidation before the reply to its next command. The owner
// resolves REDIRECT (forwarding once more when the target sits on a third worker), or sends
// tracking-redir-broken. A blocked target gets its invalidation through the worker's inbox instead
// (Worker::post), which runs in order after the reply that unblocks it, posted earlier by the same
// write.
//
// The bound. Past tracking-table-max-keys keys (0: none), random keys are dropped from the table
// with an invalidation to their clients, after a read and in each worker's cron, with Redis's
// growing effort (100 keys per round, more while still over).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace respite::server {

class Connection;
class Server;
class Worker;
class WatchRegistry;
struct Command;
struct CmdCtx;

// A client's tracking state (Connection::tracking_flags); Redis's CLIENT_TRACKING_* flags.
enum TrackingFlag : uint32_t {
  kTrackOn = 1 << 0,
  kTrackBcast = 1 << 1,
  kTrackOptin = 1 << 2,
  kTrackOptout = 1 << 3,
  kTrackNoloop = 1 << 4,
  kTrackCaching = 1 << 5,      // CLIENT CACHING YES (OPTIN) or NO (OPTOUT) for the next command
  kTrackBrokenRedir = 1 << 6,  // the redirect target was gone when a message was due
};

// One invalidation message on its way to the worker that owns `client`.
struct Invalidation {
  uint64_t client;
  bool redirected;  // client is already the redirect target: written as it is
  bool all;         // a null key list (FLUSHDB, FLUSHALL)
  std::vector<std::string> keys;
};

// What one worker's commands and cron steps raised, until the flush (owner thread only).
struct TrackingOutbox {
  struct KeyFor {
    uint64_t client;
    std::string key;
    uint64_t writer;  // the tracking client whose command ran, 0 for none (NOLOOP)
  };
  struct BcastKey {
    std::string prefix, key;
    uint64_t writer;  // the tracking client that wrote it, 0 for none (NOLOOP)
  };
  std::vector<KeyFor> keys;
  std::vector<BcastKey> bcast;
  std::vector<uint64_t> flushed;  // clients owed a null invalidation
  bool empty() const { return keys.empty() && bcast.empty() && flushed.empty(); }
};

class Tracking {
 public:
  Tracking(Server& srv, WatchRegistry& slots) : srv_(srv), slots_(slots) {}
  Tracking(const Tracking&) = delete;
  Tracking& operator=(const Tracking&) = delete;

  // Owner worker of c. enable(): CLIENT TRACKING ON with checked options (kTrack* bits);
  // disable(): OFF, RESET, close. The keys c tracked stay in the table until touched (Redis
  // drops ids lazily too).
  void enable(Connection& c, uint64_t redirect, uint32_t options,
              const std::vector<std::string_view>& prefixes);
  void disable(Connection& c);

  // Under the key's shard lock: client read key (of database db) and may cache it.
  void remember(uint64_t client, std::string_view key, uint32_t hash32);
  // Under the key's shard lock (through WatchRegistry::touched): key of database db changed.
  void touched(int db, std::string_view key);
  // FLUSHDB / FLUSHALL ran on the calling worker: every tracking client gets a null list, and
  // the table empties.
  void flushed();
  // Drops keys while the table holds more than tracking-table-max-keys (worker threads).
  void enforce_limit();
  // Whether a key's name collides with one of c's prefixes or another given one; the error text
  // (Redis's) or empty.
  std::string prefix_collision(const Connection& c,
                               const std::vector<std::string_view>& prefixes) const;
  // Turns the calling worker's outbox into messages and sends them (no shard lock held).
  void flush(Worker& w);

  // INFO.
  uint64_t tracking_clients() const;
  uint64_t total_keys() const;
  uint64_t total_items() const;
  uint64_t total_prefixes() const;

  // The worker thread's outbox (set once when its loop starts), where touched() queues.
  static void set_thread_outbox(Worker* w);

 private:
  struct ClientInfo {
    Worker* worker;
    uint32_t flags;
  };
  // Key names to the ids of the clients that may cache them; looked up by string_view (the
  // store's key) without a copy.
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  using KeyTable = std::unordered_map<std::string, std::vector<uint64_t>, KeyHash, std::equal_to<>>;
  // 64 shards: writers of different keys rarely meet on one mutex. A power of two: the shard is
  // the hash's top bits (the map's buckets use the low ones).
  static constexpr size_t kShards = 64;
  static_assert((kShards & (kShards - 1)) == 0, "kShards must be a power of two");
  struct alignas(64) KeyShard {
    std::mutex mu;
    KeyTable keys;
  };
  KeyShard& shard_of(std::string_view key) {
    return shards_[(KeyHash{}(key) >> 58) & (kShards - 1)];
  }
  // Under the key shard's mutex: drops key's entry, queueing an invalidation for each of its
  // clients (writer: for NOLOOP, decided at the flush).
  void invalidate_locked(KeyTable& keys, KeyTable::iterator it, uint64_t writer);
  void hold_key(uint32_t hash32);
  void release_key(std::string_view key);
  // Queues onto the calling worker's outbox (or, off a worker, the orphan one).
  template <class F>
  void queue(F&& f);
  bool live() const {
    return nkeys_.load(std::memory_order_relaxed) != 0 ||
           bcast_live_.load(std::memory_order_relaxed);
  }

  Server& srv_;
  WatchRegistry& slots_;
  std::array<KeyShard, kShards> shards_;
  // Keys and ids over every shard. RMW under a key shard's mutex; remember() moves nkeys_ under
  // the key's store shard lock too, which orders it for a writer of that key (live()).
  std::atomic<uint64_t> nkeys_{0}, items_{0};
  mutable std::shared_mutex meta_mu_;  // clients_, prefixes_, bcast_clients_
  std::unordered_map<uint64_t, ClientInfo> clients_;
  std::map<std::string, std::vector<uint64_t>, std::less<>> prefixes_;  // prefix -> BCAST ids
  size_t bcast_clients_ = 0;                                            // holding every slot
  std::atomic<bool> bcast_live_{false};  // bcast_clients_ > 0; seq_cst with the slots held
  std::mutex limit_mu_;                  // one worker at a time trims the table
  unsigned limit_rounds_ = 0;            // rounds in a row that ended over the limit (effort)
  uint64_t rng_ = 0x9E3779B97F4A7C15ull;
  std::mutex orphan_mu_;
  TrackingOutbox orphan_;  // touched() off a worker thread (none today)
};

// dispatch(): runs the part of a command that tracking needs around the command itself, for a
// connection with tracking on (c.tracking). before() remembers the keys of a read-only command
// and names c as the writer for NOLOOP; after() ends that and clears CLIENT CACHING's one-shot
// flag. The returned value is what after() restores.
uint64_t tracking_before(Connection& c, const Command& cmd,
                         const std::vector<std::string_view>& argv);
void tracking_after(Connection& c, const Command& cmd, uint64_t saved);
// Remembers for c (tracking on, not BCAST, OPTIN/OPTOUT allowing) the keys cmd names in argv. A
// script's read-only redis.call does this with its caller's EVAL/FCALL and their declared keys,
// as Redis 7.0 does; the _RO script commands themselves remember nothing.
void tracking_remember_keys(Connection& c, const Command& cmd,
                            const std::vector<std::string_view>& argv);

// Storage is about to remove key for its expiry or for maxmemory (the worker's KeyEvents,
// notify.h): the touch that follows is no client's write. Redis's BCAST batches record no writer
// for it, so that a NOLOOP client hears of its own keys expiring; default mode still leaves out the
// client whose command ran (Redis compares with the current client there).
void tracking_unowned_touch(std::string_view key);

// Writes or forwards one message on w, the worker that owns inv.client (pubsub's drain_mailbox,
// Tracking::flush). late: from w's inbox, after whatever it held (a blocked target's unblock).
void deliver_invalidation(Worker& w, Invalidation inv, bool late = false);

// CLIENT TRACKING, CACHING, GETREDIR, TRACKINGINFO (commands/connection.cpp registers them).
void cmd_client_tracking(CmdCtx& c);
void cmd_client_caching(CmdCtx& c);
void cmd_client_getredir(CmdCtx& c);
void cmd_client_trackinginfo(CmdCtx& c);

}  // namespace respite::server
