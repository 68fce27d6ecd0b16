// Blocking commands: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP, and
// XREAD and XREADGROUP with BLOCK.
//
// A blocking command's handler first tries to serve itself like its non-blocking twin. When none
// of its keys has anything, it calls block_client() and writes no reply: the connection stops
// executing its pipeline (the rest of its input waits in its buffer) until one of three things:
//  - a key it waits on receives data: any command that adds to a list or sorted set, or puts one
//    under a waited name (RENAME, MOVE, COPY, SWAPDB), signals the key ready; once that command
//    has finished, the worker that ran it serves the clients blocked on the key (see "Serving");
//    the reply travels to the client's own worker through its inbox;
//  - its deadline passes: the reply is a null array, as Redis sends;
//  - it disconnects or is killed: it simply stops waiting.
//
// Serving, as Redis 7.0 does it:
//  - A signalled key is only queued on the worker (Worker::ready_keys, each key once per round, in
//    signal order). dispatch() serves the queue after the outermost command has finished, and only
//    there: a command run inside another (EXEC, a script) leaves its keys queued, so a key that a
//    transaction pushed to and then emptied (LPUSH + DEL) wakes no one.
//  - Keys are served in the order they were signalled; on one key, waiters oldest first. A waiter
//    is served from the key being served, not from the first of its keys that has data (BLPOP a b
//    is answered from b when b was signalled first), by running its own handler again with that one
//    key (serving_blocked() and served_key()). A handler that finds the key missing, empty or of
//    another type calls block_client() again, which only reports "keep waiting".
//  - Serving one key may make others ready (BLMOVE pushes to its destination): they form the next
//    round, served after the current one, so chains of BLMOVE hand an element on in order
//    (linked, circular and self-referential BRPOPLPUSH behave as in Redis).
//
// Why serve on the pushing worker: the element is taken while the pusher's effect is fresh, so a
// client blocked first is served first, and a pipelined `LPUSH k a` + `LLEN k` on the pushing
// connection sees the element already gone, as in Redis.
//
// The common case costs no lock: every waiter sits in one registry behind one mutex (the Server's
// BlockingRegistry), but a push reaches it only when some client waits on a key that hashes like
// the pushed one. The registry keeps kSlots atomic counters indexed by a hash of (db, key); a
// client blocking on a key increments its slot, and decrements it once it stops waiting (served,
// timed out, unblocked, gone). signal_key_ready() hashes the key and loads its slot: zero means
// nobody waits on it, and the push is done: no lock, no allocation, even while other clients wait
// on other keys. A non-zero slot (a waiter, or a collision) queues the key; serving looks again.
//
// Why a push cannot miss a client that is blocking at the same moment. The blocker (B) looks at its
// keys under their shard locks and finds nothing, releases them, then in add() increments its
// slots (I, seq_cst), then queues its own keys as ready, so that after its command it looks again
// (R) under the same shard locks. The pusher (P) writes the data (W) under the key's shard lock,
// then loads the slot (L, seq_cst). The shard lock orders R's critical section and W's:
//  - W's section first: R, under the same lock afterwards, sees the data and serves B;
//  - R's section first: I precedes R, whose unlock synchronizes with the lock that W takes, so I
//    happens-before L and L reads I's increment (or a later value: the slot cannot return to zero
//    before B stops waiting), and P queues the key.
// Either way B is served, by itself or by P. The seq_cst pair (the increment and the load) is kept
// besides, so that the argument also holds for a writer that publishes data without the shard lock.
// SWAPDB, which changes what a database number names rather than one key, signals every waited
// key of both databases through the registry mutex instead (signal_db_ready()): add() and the scan
// are ordered by that mutex, with the same two cases.
//
// Lock order: registry mutex, then shard locks (a served handler locks its key while the registry
// is held). Nothing takes the registry mutex while holding a shard lock: block_client() registers
// after the handler released its keys, and signal_key_ready() only queues.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace respite::protocol {
class OutputBuffer;
class ReplyWriter;
}  // namespace respite::protocol

namespace respite::server {

struct CmdCtx;
struct Command;
class Connection;
class Worker;

// One blocked client: what it runs and where its reply goes.
struct Waiter {
  Connection* conn;  // null once the client is gone; the owner worker writes it under the mutex
  Worker* worker;    // the owner: the client's worker
  uint64_t client_id;
  int db;
  int resp;
  const Command* cmd;
  std::vector<std::string> argv;  // the command, owned: the client's input buffer moves on
  std::vector<std::string> keys;  // registry keys (db prefix + key), for unregistering
  bool done = false;              // served, timed out or cancelled (under the mutex)
  int64_t served_us = -1;  // how long serving it took (SLOWLOG); -1: timed out or CLIENT UNBLOCK
};

class BlockingRegistry {
 public:
  // Counters of waiters per hash of (db, key). 4096 slots (16 KiB): with a few hundred waited keys
  // a push to an unwaited key still finds its slot zero almost always; a collision only costs a
  // look at the registry. A power of two, so that the slot is the hash's low bits.
  static constexpr size_t kSlots = 4096;
  static_assert((kSlots & (kSlots - 1)) == 0, "kSlots must be a power of two");

  // Clients blocked right now (INFO blocked_clients).
  int64_t blocked() const { return blocked_.load(std::memory_order_relaxed); }
  // Whether some client may wait on (db, key): false means surely none (see the note above).
  bool maybe_waited(int db, std::string_view key) const {
    return slots_[slot(db, key)].load(std::memory_order_seq_cst) != 0;
  }

  void add(const std::shared_ptr<Waiter>& w);
  // Marks w done and unregisters it; false if it was done already (served meanwhile, its reply on
  // the way). detach_conn: the client is closing, so nothing may reach its connection any more.
  bool finish(Waiter* w, bool detach_conn);
  // Serves the clients waiting on (db, key) from that key, oldest first, on worker `on`; returns
  // once each has been served or found nothing for it.
  void serve(Worker& on, int db, std::string_view key);
  // Appends every key of database db that some client waits on to `out` (SWAPDB).
  void waited_keys(int db, std::vector<std::pair<int, std::string>>* out);
  // CLIENT UNBLOCK: if client `id` is blocked, stops its wait and sends it `reply` (built for its
  // protocol version by the callback). False if it was not blocked.
  bool unblock_client(uint64_t id, void (*reply)(protocol::ReplyWriter&));
  // The registry's name for a key: the database number, then the key's bytes.
  static std::string registry_key(int db, std::string_view key);
  // EXEC whose queue holds CLIENT UNBLOCK takes the registry's mutex before its shards (the lock
  // order above) and keeps it to the end; unblock_client() on that thread then does not lock it
  // again. Without this, CLIENT UNBLOCK inside EXEC would wait for the mutex while holding shards
  // that a serving worker, holding the mutex, waits for.
  void lock_for_exec();
  void unlock_for_exec();

 private:
  static size_t slot(int db, std::string_view key);
  static void deliver(const std::shared_ptr<Waiter>& w, protocol::OutputBuffer& out);
  void unregister_locked(Waiter* w);

  std::mutex mu_;
  static thread_local const BlockingRegistry* t_held_for_exec_;
  std::unordered_map<std::string, std::vector<std::shared_ptr<Waiter>>> waiting_;
  std::unordered_map<uint64_t, std::shared_ptr<Waiter>> by_client_;
  // Written under mu_ (seq_cst RMW), read without it by every push.
  std::array<std::atomic<uint32_t>, kSlots> slots_{};
  // Only INFO reads it, with no ordering expected: relaxed.
  std::atomic<int64_t> blocked_{0};
};

// Parses a blocking timeout in seconds (fractional; 0 = forever) into an absolute deadline in
// ms, 0 for none, replying Redis's error when it is not a number, negative or too large.
bool parse_block_timeout(CmdCtx& c, std::string_view arg, int64_t* deadline_ms);

// True while the handler runs to serve an already blocked client.
bool serving_blocked(const CmdCtx& c);
// While serving_blocked(c): the key being served. The handler looks at that key only (Redis serves
// a blocked client from the key that was signalled, whatever its place among the client's keys).
std::string_view served_key(const CmdCtx& c);

// Nothing to serve: blocks the client on keys (in its database) until deadline_ms (0: forever).
// When serving_blocked(c), only records that the client must keep waiting. argv, when given, is
// what the client runs when served instead of its own arguments: XREAD's `$` stands for the last
// ID when it blocked, which it rewrites into that ID, as Redis records it.
void block_client(CmdCtx& c, const std::vector<std::string_view>& keys, int64_t deadline_ms,
                  std::vector<std::string>* argv = nullptr);

// A command added elements to the list or sorted set at key, or put a value under the key (RENAME,
// MOVE, COPY): clients blocked on it are served once the command has finished. A hash and one
// atomic load when nobody waits on the key.
void signal_key_ready(CmdCtx& c, std::string_view key);
void signal_key_ready(CmdCtx& c, int db, std::string_view key);
// The same for a key the worker removed on its own (expiry, eviction): a stream's XREADGROUP
// waiters are answered, as Redis answers them when it deletes the key.
void signal_key_ready(Worker& w, int db, std::string_view key);
// What database db names changed as a whole (SWAPDB): every key some client waits on in db is
// signalled. Takes the registry mutex: call it holding no shard lock.
void signal_db_ready(CmdCtx& c, int db);

// Serves the keys the worker's last command made ready. Only dispatch() calls it, once the
// outermost command has finished.
void serve_ready_keys(Worker& w);

}  // namespace respite::server
