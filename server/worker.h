// A worker: one thread, one libuv loop, its own SO_REUSEPORT listening sockets on the shared port,
// its connections, its timers (active expiry, idle clients, reclamation) and an inbox through which
// other workers ask it for things (close a client that CLIENT KILL named, stop). Loop-per-core
// rules: no libuv call is made on another worker's loop; cross-worker work goes through post(),
// which wakes the loop with uv_async_send (which coalesces). Per-worker counters are written only
// by this worker (relaxed atomics so that INFO on another worker may read them).
#pragma once

#include <uv.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "protocol/block_pool.h"
#include "server/error_stats.h"
#include "server/latency_histogram.h"
#include "server/notify.h"
#include "server/pubsub.h"
#include "server/tracking.h"
#include "storage/epoch.h"
#include "storage/evict.h"
#include "storage/keyspace.h"
#include "storage/random.h"

namespace respite::server {

class Server;
class Connection;
struct WorkerScripting;

// A counter written by one thread and read by others: a relaxed load+store is enough (no RMW).
struct Counter {
  std::atomic<uint64_t> v{0};
  void add(uint64_t d) {
    v.store(v.load(std::memory_order_relaxed) + d, std::memory_order_relaxed);
  }
  uint64_t get() const { return v.load(std::memory_order_relaxed); }
  void reset() { v.store(0, std::memory_order_relaxed); }
};

// INFO commandstats: ns is summed in nanoseconds (a GET takes well under one microsecond, which
// Redis's per-call microseconds would round away) and shown in microseconds. latency: INFO
// latencystats' histogram of this worker's calls, allocated by the worker the first time it runs
// the command (release; readers on other workers acquire), freed with the worker.
struct CommandStats {
  Counter calls, ns, rejected, failed;
  std::atomic<LatencyHistogram*> latency{nullptr};
  ~CommandStats() { delete latency.load(std::memory_order_acquire); }
};

struct WorkerStats {
  Counter commands, connections, net_in, net_out, hits, misses, expired, rejected_conns;
  std::unique_ptr<CommandStats[]> per_command;
  // Compressed string values (INFO compression): compressed, their bytes before and after, tried
  // but not saving enough, nanoseconds spent compressing and decompressing.
  Counter lz4_values, lz4_raw, lz4_stored, lz4_skipped, lz4_compress_ns, lz4_decompress_ns;
  Counter evicted;        // keys evicted for maxmemory (INFO evicted_keys)
  Counter reads, writes;  // socket reads and try-writes (INFO total_reads/writes_processed)
};

class Worker {
 public:
  Worker(Server* server, int index);
  ~Worker();
  // Opens listeners (on the calling thread, so that bind errors stop start-up) then runs the loop
  // on a new thread.
  bool listen(std::string* err);
  void start();
  void join();
  // Runs fn on this worker's thread soon. Thread-safe.
  void post(std::function<void(Worker&)> fn);
  void stop();  // thread-safe: closes everything and ends the loop
  // True on this worker's loop thread, and on a thread that runs no worker's loop (the in-process
  // tests and the fuzzer drive the loops themselves on one thread, which owns them all then).
  bool on_own_thread() const;
  // CONFIG SET port / bind (listeners.h), on this worker's thread: keeps the listeners on the
  // addresses in keep, closes the others, and listens on fds (already bound and listening; one
  // per address in addrs). Takes ownership of fds.
  void replace_listeners(const std::vector<std::string>& keep,
                         const std::vector<std::string>& addrs, const std::vector<int>& fds);
  // The addresses this worker has TCP listeners on (before start(), or on its own thread).
  std::vector<std::string> listener_addrs() const;
  // Wakes the loop to drain pubsub_mail. Thread-safe; coalesces.
  void wake() { uv_async_send(&async_); }
  // Flushes the connections that pub/sub frames were written to (pubsub_mail.dirty). Runs at the
  // end of each loop callback that may have delivered some (owner thread): after every read
  // batch, so the usual case (nothing published) is an inline check.
  void flush_dirty() {
    if (!pubsub_mail.dirty.empty()) flush_dirty_connections();
  }

  Server* server;
  int index;
  // Output blocks between batches, shared by this worker's connections (protocol/block_pool.h).
  // Declared before everything that may own a connection, so that it outlives them.
  protocol::BlockPool block_pool;
  uv_loop_t loop;
  storage::Participant* epoch = nullptr;
  WorkerStats stats;
  // Error replies by code (INFO errorstats), and their total when the running command started:
  // dispatch compares the two to count the command as failed (dispatch.cpp).
  ErrorStats errors;
  uint64_t error_mark = 0;
  int64_t foreign_logged_ms = -60000;  // last HTTP/TLS refusal logged (foreign_protocol.h)
  storage::Rng rng;          // random picks (RANDOMKEY, SPOP, HRANDFIELD, ...): this worker's own
  storage::Evictor evictor;  // this worker's eviction pool (storage/evict.h, server/maxmemory.h)
  std::string lz4_scratch;   // where string values are compressed (storage/compress.h)
  std::string hll_scratch;   // where PFADD & co. build a new value (commands/hyperloglog.cpp)
  char* read_buf;            // shared by this worker's connections; see connection.h
  static constexpr size_t kReadBufSize = 64 * 1024;
  Connection* connections = nullptr;  // intrusive list
  // Changed by this worker only; atomic so that INFO threads may read it from another worker.
  std::atomic<size_t> connection_count{0};
  std::atomic<int> tid{0};  // the loop thread's Linux thread id: its CPU time (INFO cpu, threads)
  // Bytes this worker's connections hold (their structs, query buffers, output chains not yet
  // written): part of used_memory (maxmemory.h), INFO mem_clients_normal. Each connection adds the
  // change when its figure moves (Connection::account_memory), at most once per batch; written
  // only by this worker (load and store, no RMW), read by any.
  std::atomic<int64_t> client_memory{0};
  void add_client_memory(int64_t d) {
    client_memory.store(client_memory.load(std::memory_order_relaxed) + d,
                        std::memory_order_relaxed);
  }
  // Blocking (blocking.h): the (db, key) pairs the running command made ready for blocked clients,
  // in signal order, each once; the key being served while a blocked client's handler runs again;
  // how deep dispatch() is in commands run by commands (EXEC, scripts): ready keys are served only
  // when the outermost one has finished.
  std::vector<std::pair<int, std::string>> ready_keys;
  std::string_view serving_key;
  int command_depth = 0;
  // Scripting (script_run.h): the interpreter, script client and running script's state; while a
  // script is past busy-reply-threshold, 1 (EVAL) or 2 (FCALL): dispatch answers -BUSY.
  std::unique_ptr<WorkerScripting> scripting;
  int script_busy = 0;
  // The connection whose input this worker is processing (Connection::process), if any, and
  // whether on_lock_wait is serving the other clients while that connection's command waits.
  Connection* processing = nullptr;
  bool serving_lock_wait = false;
  // Serves this worker's clients but `busy` (whose command is still running) with one plain
  // non-blocking recv each, dispatched at once: Redis's processEventsWhileBlocked, for a busy
  // script's own worker (script_run.h) and for one whose command waits for a busy script's shard.
  // script_busy must be set: dispatch then answers -BUSY to all but the allow-busy commands.
  void serve_while_busy(const Connection* busy);
  Mailbox pubsub_mail;  // messages published on other workers for our subscribers (pubsub.h)
  // Keyspace notifications raised on this worker, published after the command (notify.h); also
  // storage's listener for keys this worker's operations expire or evict.
  Notifier notify;
  // Client-side caching's invalidations raised on this worker, sent when notify flushes
  // (tracking.h).
  TrackingOutbox tracking_out;

  // CLIENT PAUSE (client_pause.h): this worker's clients whose command waits for the pause to
  // end, and the timer that wakes it then (made on first use, closed with the worker).
  std::vector<Connection*> postponed;
  uv_timer_t* pause_timer = nullptr;
  // Fairness: a connection that used its budget for one loop turn (connection.h) waits here, its
  // reading stopped, and goes on at the start of the next turn, after that turn's reads; turn
  // counts loop turns, so that each connection's budget starts afresh with each.
  std::vector<Connection*> yielded;
  uint64_t turn = 0;
  void yield(Connection* c);

  // While a script on this worker is past busy-reply-threshold (script_run.h): accepts the
  // connections waiting on our TCP listeners, as the loop would, so that they get -BUSY (or run
  // SCRIPT KILL) instead of hanging in the backlog.
  void accept_while_busy();
  static void on_lock_wait(void* worker);  // storage::LockWaitHook
  void add_connection(Connection* c);
  void remove_connection(Connection* c);
  int64_t now_ms() const;  // wall clock in ms

 private:
  static void on_connection(uv_stream_t* server, int status);
  // Once per loop turn, before it polls: the accept budget is refilled and listeners whose
  // pending connection was left for this turn take it (see kAcceptsPerTurn in worker.cpp).
  static void on_turn(uv_prepare_t* p);
  // A connection just accepted: its addresses, options, maxclients, then reading.
  void adopt(Connection* c, bool is_unix);
  static void on_async(uv_async_t* a);
  static void on_cron(uv_timer_t* t);
  void flush_dirty_connections();
  // Takes a listening socket (listeners.h) into this loop; false (fd closed) if libuv refuses it.
  bool adopt_listener(const std::string& addr, int fd);
  bool listen_unix(std::string* err);
  void cron();
  void close_all();

  struct Listener {
    std::string addr;  // as bind_addrs() gives it
    std::unique_ptr<uv_tcp_t> handle;
  };
  std::vector<Listener> listeners_;
  std::unique_ptr<uv_pipe_t> unix_listener_;
  uv_async_t async_;
  uv_timer_t cron_timer_;
  uv_prepare_t turn_;
  int accepts_this_turn_ = 0;
  uv_idle_t resume_idle_;              // active while yielded connections wait for the next turn
  std::vector<Connection*> resuming_;  // the yielded connections on_resume is running
  static void on_resume(uv_idle_t* h);
  std::vector<uv_stream_t*> deferred_accepts_;  // listeners holding an accepted, unadopted fd
  std::thread thread_;
  std::mutex inbox_mu_;  // cross-worker messages are rare (kill, stop): a mutex is plenty
  std::vector<std::function<void(Worker&)>> inbox_;
  bool stopping_ = false;
  // When the background compressor last swapped a value in, as this worker's cron saw it.
  uint64_t lz4_swaps_seen_ = 0;
  int64_t lz4_swap_ms_ = -1;
};

}  // namespace respite::server
