// One client connection, owned by the worker whose loop accepted it. It reads into the worker's
// shared read buffer (or, while a command is incomplete, into a buffer of its own, grown once to
// the size a large bulk needs), parses every complete command, executes each in place, collects the
// replies in one output chain and writes them with one try-write per batch. Only the owning worker
// touches it, except for the few fields CLIENT LIST and CLIENT KILL read from other workers, which
// are atomics or sit behind the client registry's mutex.
#pragma once

#include <uv.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/output_buffer.h"
#include "protocol/reply_writer.h"
#include "protocol/request_parser.h"

namespace respite::server {

class Worker;
struct AclUser;
struct ClientSubs;
struct MonitorRef;
struct Command;
struct Waiter;
struct Transaction;

class Connection {
 public:
  Connection(Worker* w, uint64_t id, bool unix_socket);
  // A connection with no socket, as Redis's fake clients are (server/reply_capture.h): commands
  // run on it through ReplyCapture and its replies stay in `out` for the capture to read. Its
  // handle is never initialised: flush() writes nothing (but closes after QUIT as a write would),
  // close() releases what the client held (watches, subscriptions, a blocked wait) but frees
  // nothing, and leaves out as it is; the owner deletes the connection.
  struct NoSocket {};
  Connection(Worker* w, uint64_t id, NoSocket);
  ~Connection();
  bool has_socket() const { return !socketless_; }

  // libuv handle; the first member of a union so that a uv_handle_t* maps back to us.
  union {
    uv_tcp_t tcp;
    uv_pipe_t pipe;
    uv_stream_t stream;
    uv_handle_t handle;
  };

  void start();  // after accept: read
  void close();  // idempotent; frees us from the close callback
  // Closes with a TCP reset: what the kernel still holds for the client is dropped at once
  // instead of trickling out to a reader that does not read (output buffer limits).
  void abort();
  void close_after_reply();  // QUIT, protocol errors: write what is queued, then close
  bool closing() const { return closing_ || close_after_reply_; }

  // While a script on this worker is past busy-reply-threshold (script_run.h): reads what the
  // client has sent, without the loop (a non-blocking recv), and runs it; dispatch answers -BUSY
  // to all but allow-busy commands. Never into the worker's shared read buffer: the script's
  // caller may still be parsing from it.
  void read_while_busy();

  // Blocking commands (blocking.h). While blocked, the connection executes nothing: what the
  // client sends waits in its buffer. unblock() sends the reply and goes on with that input.
  void block(std::shared_ptr<Waiter> w, int64_t deadline_ms);
  void unblock(std::string_view reply_bytes);
  bool blocked() const {
    const Rare* r = rare_if();
    return r != nullptr && r->waiter != nullptr;
  }

  // CLIENT PAUSE (client_pause.h): runs again what the client sent once its postponed command
  // may go on (owner worker).
  void resume();
  // The worker's next turn after this connection yielded (see yielded_): reading restarts and
  // the input that waited runs, with a new budget.
  void end_yield();
  // client-output-buffer-limit for the connection's class (pubsub while it has a subscription,
  // else normal): past the hard limit, or past the soft one for longer than its seconds, the
  // connection is closed and false returned.
  bool check_output_limit();
  // Pub/sub (pubsub.h): subscribed to anything (Redis's CLIENT_PUBSUB flag). Dispatch asks on
  // every RESP2 command, so the common answer (never subscribed: no ClientSubs) is inline.
  bool pubsub_mode() const { return subs != nullptr && subscription_count() > 0; }
  size_t subscription_count() const;

  // --- client state (owner worker only unless noted) ---
  Worker* worker;
  uint64_t id;
  bool is_unix;
  bool authenticated = true;
  int db = 0;
  int fd = -1;
  // ACL (server/acl.h): the user this client runs as, replaced by its owner worker under the
  // registry mutex (CLIENT LIST reads the name from other workers); the ACL epoch it was taken at,
  // and whether it may run anything (dispatch then skips the check).
  std::shared_ptr<const AclUser> user;
  uint64_t acl_epoch = 0;
  bool acl_unrestricted = true;
  // The user's name ("default" before any), for CLIENT LIST's user= and ACL WHOAMI.
  const std::string& user_name() const;
  bool in_script = false;  // the script client: redis.call's commands (script_run.h)
  std::string addr, laddr;
  int64_t created_ms = 0;
  std::atomic<int64_t> last_active_ms{0};
  std::atomic<int> db_shown{0};  // db, for CLIENT LIST on other workers
  std::atomic<int> resp_shown{2};
  std::atomic<const Command*> last_cmd{nullptr};
  std::atomic<bool> kill_requested{false};  // CLIENT KILL from another worker
  std::atomic<bool> blocked_shown{false};   // CLIENT LIST's 'b' flag, for other workers
  // CLIENT NO-EVICT (shown as 'e'; respite has no client eviction, so it changes nothing else) and
  // CLIENT NO-TOUCH ('T': the client's commands leave keys' access clocks alone, keywrite.h).
  // Atomics only because CLIENT LIST on other workers reads them.
  std::atomic<bool> no_evict{false}, no_touch{false};
  // Pub/sub: this client's subscriptions (null until its first; their counts for CLIENT LIST are
  // in Rare); flush_scheduled while it sits in its worker's pubsub_mail.dirty.
  std::unique_ptr<ClientSubs> subs;
  bool flush_scheduled = false;
  // MONITOR (monitor.h): whether this client monitors, for CLIENT LIST on other workers (its
  // handle in the registry is in Rare).
  std::atomic<bool> monitoring{false};
  // CLIENT PAUSE (client_pause.h): the command at the start of the pending input waits in
  // the worker's postponed list.
  bool postponed = false;
  // Client-side caching (tracking.h): CLIENT TRACKING ON (dispatch tests `tracking` on every
  // command) and its kTrack* flags (REDIRECT and BCAST's prefixes are in Rare); the table keeps
  // what writers on other workers need. tracking_shown is for CLIENT LIST.
  bool tracking = false;
  uint32_t tracking_flags = 0;
  std::atomic<uint32_t> tracking_shown{0};

  // CLIENT REPLY: kOff mutes every reply, kSkip the current command's, kSkipNext (set by CLIENT
  // REPLY SKIP) the next command's. Pub/sub frames and confirmations are pushes: never muted.
  enum class ReplyMode : uint8_t { kOn, kOff, kSkip, kSkipNext };
  ReplyMode reply_mode = ReplyMode::kOn;
  bool replies_muted() const {
    return reply_mode == ReplyMode::kOff || reply_mode == ReplyMode::kSkip;
  }

  // What few clients use, allocated the first time one does (rare()), so that the thousands that
  // never name themselves, track keys, subscribe, monitor, block or pass a soft output limit cost
  // only what every connection needs. Made by the owner worker and published with release; it
  // lives as long as the connection, so CLIENT LIST on another worker may read it (the names under
  // the registry mutex, the rest atomic).
  struct Rare {
    std::string name;  // CLIENT SETNAME; guarded by the registry mutex for other workers
    std::string lib_name, lib_ver;  // CLIENT SETINFO; likewise
    // Client-side caching: REDIRECT's client id (0: none) and BCAST's prefixes (sorted), and the
    // redirect for CLIENT LIST (-1 while tracking is off).
    uint64_t tracking_redirect = 0;
    std::vector<std::string> tracking_prefixes;
    std::atomic<int64_t> redir_shown{-1};
    // Pub/sub subscription counts, for CLIENT LIST on other workers.
    std::atomic<int> sub_shown{0}, psub_shown{0}, ssub_shown{0};
    std::shared_ptr<MonitorRef> monitor;  // this client's handle in MONITOR's registry
    std::shared_ptr<Waiter> waiter;       // set while blocked
    uv_timer_t* block_timer = nullptr;    // made on the first timed block, closed with us
    int64_t obuf_soft_since_ms = 0;       // when output first passed the soft limit; 0: below it
  };
  Rare& rare();  // owner worker only: made on first use
  const Rare* rare_if() const { return rare_.load(std::memory_order_acquire); }
  Rare* rare_if() { return rare_.load(std::memory_order_acquire); }
  // Read accessors that need no Rare: what a client that never set them shows.
  std::string_view client_name() const {
    const Rare* r = rare_if();
    return r ? std::string_view(r->name) : std::string_view();
  }
  uint64_t tracking_redirect() const {
    const Rare* r = rare_if();
    return r ? r->tracking_redirect : 0;
  }

  protocol::ReplyWriter reply;
  protocol::OutputBuffer out;
  std::unique_ptr<Transaction> tx;  // MULTI/WATCH state (multi.h), made when first needed

  // Intrusive list of the worker's connections.
  Connection* prev = nullptr;
  Connection* next = nullptr;

  // CLIENT LIST's view of what only the owner may read (buffers, transaction), for the other
  // workers: refreshed after every batch and completed write (refresh_shown, from
  // account_memory), a few relaxed stores. CLIENT LIST of the caller itself reads it fresh.
  enum ShownState : uint32_t {
    kShownDirty = 1,            // 'd': a watched key changed
    kShownCloseAfterReply = 2,  // 'c'
    kShownWriting = 4,          // events 'w': a queued write is in flight
    kShownReadPaused = 8,       // no 'r' event: reading stopped for an output backlog
  };
  struct Shown {
    std::atomic<uint64_t> qbuf{0}, qbuf_free{0}, omem{0}, tot_mem{0}, multi_mem{0};
    std::atomic<int64_t> multi{-1};  // commands queued since MULTI; -1 outside one
    std::atomic<uint32_t> state{0};  // ShownState bits
  };
  Shown shown;
  void refresh_shown();

  size_t query_buffer_size() const { return rlen_ - rpos_; }
  // The bytes of the command being run (CLIENT LIST's qbuf for the caller itself).
  size_t current_command_bytes() const { return parser_.consumed(); }
  size_t query_buffer_capacity() const { return rcap_; }
  // What this client holds in memory, as Redis's client memory counts it: the connection itself,
  // what it allocated for rare state, its own query buffer and its output chain (blocks and
  // referenced values not yet written).
  size_t memory() const {
    return sizeof(Connection) + (rare_if() ? sizeof(Rare) : 0) +
           (write_ ? sizeof(QueuedWrite) : 0) + rcap_ + out.memory();
  }

 private:
  friend class Worker;
  friend class ReplyCapture;  // runs commands through execute(), as process() does
  static void on_alloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf);
  static void on_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  static void on_write(uv_write_t* req, int status);
  static void on_close(uv_handle_t* h);

  static void on_block_timeout(uv_timer_t* t);

  void process(const char* data, size_t len, bool own_buffer);
  void execute(const std::vector<std::string_view>& argv, int64_t now);  // dispatch, CLIENT REPLY
  void keep_partial(const char* data, size_t len);
  void start_turn();  // a new budget, in the worker's current turn
  bool turn_used_up() const;
  void yield_turn();   // idempotent
  void flush();        // writes out_, once per batch, then account_memory()
  void flush_batch();  // the write itself
  // Restarts reading paused for a large output backlog once it is small again; false if the
  // connection had to close.
  bool resume_reading_if_drained();
  // Whether client-output-buffer-limit sets a hard or soft limit for this client's class.
  bool output_limited() const;
  void ensure_capacity(size_t n);
  // Adds the change in memory() since the last call to the worker's client_memory. Called after
  // each batch's flush and each completed write: one compare when nothing moved.
  void account_memory();

  protocol::RequestParser parser_;
  // Own read buffer: [rpos_, rlen_) holds an incomplete command, or commands held back while the
  // output drains. Empty when nothing is pending, so idle connections hold no buffer.
  char* rbuf_ = nullptr;
  size_t rcap_ = 0, rpos_ = 0, rlen_ = 0;
  bool reading_into_own_ = false;
  bool read_paused_ = false;
  bool held_back_ = false;  // complete commands wait in the query buffer for the output to drain
  bool writing_ = false;
  bool closing_ = false;
  bool close_after_reply_ = false;
  bool reset_on_close_ = false;
  bool socketless_ = false;   // NoSocket
  bool seen_input_ = false;   // the first bytes were checked for TLS (foreign_protocol.h)
  bool block_muted_ = false;  // blocked by a command run under CLIENT REPLY OFF or SKIP
  // Fairness within a worker: in one loop turn a connection runs commands until it has consumed
  // its turn's budget (kTurnBudget bytes of input, or sixteen times as many bytes of replies
  // pushed to its socket mid-batch); then it yields (reading stops, the rest of its input waits in
  // its buffer) and goes on at the start of the next turn, after the other connections' reads
  // (Worker::yielded). Without it, one client pipelining 100,000 commands, or pipelining GETs of a
  // large value into a socket buffer that takes megabytes, held the worker for 10-20 ms while every
  // other client on it waited.
  bool yielded_ = false;
  uint32_t turn_ = 0;      // the worker's turn (low bits) that turn_left_ counts in
  int64_t turn_left_ = 0;  // what is left of this turn's budget
  // The queued write (request and the bytes handed to it), made the first time the socket does
  // not take a whole batch.
  struct QueuedWrite {
    uv_write_t req;
    size_t len = 0;
  };
  std::unique_ptr<QueuedWrite> write_;
  size_t memory_accounted_ = 0;  // memory() as last added to worker->client_memory
  std::atomic<Rare*> rare_{nullptr};
};

}  // namespace respite::server
