// The life of a connection: read, parse every complete command, execute in place, write the batch's
// replies with one try-write (and a queued write only for what the socket did not take). See
// connection.h for the buffer strategy.
#include "server/connection.h"

#include <sys/socket.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "server/acl.h"
#include "server/blocking.h"
#include "server/client_info.h"
#include "server/dispatch.h"
#include "server/foreign_protocol.h"
#include "server/monitor.h"
#include "server/multi.h"
#include "server/pubsub.h"
#include "server/server.h"
#include "server/worker.h"
#include "storage/epoch.h"

namespace respite::server {

namespace {
constexpr size_t kMinOwnBuffer = 16 * 1024;
// Above this much queued output, stop reading the client until the socket drains, and (unless an
// output limit is configured for its class, which then decides its fate as in Redis) stop running
// the commands it has already sent: they wait in its query buffer. A client that pipelines without
// reading its replies is held back instead of growing our memory (64 pipelined GETs of a
// compressed 256 KiB value would otherwise each decode into the output: 16 MiB per client).
constexpr size_t kPauseReadingAbove = 256 * 1024;
constexpr size_t kMaxIov = 64;
// A connection's budget for one loop turn (yielded_ in connection.h): one read buffer's worth of
// input (a few thousand small commands, a few hundred microseconds), where a byte of replies
// pushed to the socket mid-batch counts a sixteenth (a megabyte: four large values).
constexpr int64_t kTurnBudget = Worker::kReadBufSize;
constexpr size_t kOutputPerBudgetByte = 16;

// Every error this connection is sent counts in its worker's INFO errorstats (error_stats.h).
void count_error(void* worker, std::string_view msg) {
  static_cast<Worker*>(worker)->errors.count(msg);
}
}  // namespace

// Thousands of connections may sit idle: what each costs is mostly this struct (and libuv's handle
// inside it). 896 bytes is one of mimalloc's size classes; a field that pushes past it costs
// every connection 128 bytes more, so it belongs in Rare unless most clients need it.
static_assert(sizeof(Connection) <= 896, "Connection outgrew its allocator size class");

Connection::Connection(Worker* w, uint64_t id_, bool unix_socket)
    : worker(w), id(id_), is_unix(unix_socket), reply(&out), out(&w->block_pool) {
  handle.data = this;
  protocol::ParserLimits limits;
  limits.max_bulk_len =
      static_cast<size_t>(w->server->config.proto_max_bulk_len.load(std::memory_order_relaxed));
  parser_.set_limits(limits);
  reply.set_error_hook(&count_error, w);
}

Connection::Connection(Worker* w, uint64_t id_, NoSocket) : Connection(w, id_, false) {
  socketless_ = true;
}

Connection::~Connection() {
  std::free(rbuf_);
  delete rare_.load(std::memory_order_relaxed);
}

Connection::Rare& Connection::rare() {
  Rare* r = rare_.load(std::memory_order_relaxed);
  if (r == nullptr) {
    r = new Rare;
    rare_.store(r, std::memory_order_release);
  }
  return *r;
}

size_t Connection::subscription_count() const {
  return subs->total();
}

void Connection::start() {
  account_memory();
  if (uv_read_start(&stream, on_alloc, on_read) != 0) close();
}

void Connection::refresh_shown() {
  shown.qbuf.store(rlen_ - rpos_, std::memory_order_relaxed);
  shown.qbuf_free.store(rcap_ - rlen_, std::memory_order_relaxed);
  shown.omem.store(out.memory(), std::memory_order_relaxed);
  shown.tot_mem.store(memory(), std::memory_order_relaxed);
  int64_t multi = -1;
  uint64_t multi_mem = 0;
  uint32_t state = 0;
  if (tx) {
    if (tx->active) {
      multi = static_cast<int64_t>(tx->queue.size());
      multi_mem = tx->bytes.capacity() + tx->args.capacity() * sizeof(tx->args[0]) +
                  tx->queue.capacity() * sizeof(Transaction::Queued);
    }
    if (tx->dirty.load(std::memory_order_relaxed)) state |= kShownDirty;
  }
  if (close_after_reply_) state |= kShownCloseAfterReply;
  if (writing_) state |= kShownWriting;
  if (read_paused_) state |= kShownReadPaused;
  shown.multi.store(multi, std::memory_order_relaxed);
  shown.multi_mem.store(multi_mem, std::memory_order_relaxed);
  shown.state.store(state, std::memory_order_relaxed);
}

void Connection::account_memory() {
  if (closing_) return;  // close() took our share back
  size_t now = memory();
  // CLIENT LIST's copies move with the memory figure (buffers grown, output waiting or drained)
  // or, for a client in a transaction, with every command: nothing to store otherwise.
  if (now == memory_accounted_ && !tx) return;
  refresh_shown();
  if (now == memory_accounted_) return;
  worker->add_client_memory(static_cast<int64_t>(now) - static_cast<int64_t>(memory_accounted_));
  memory_accounted_ = now;
}

void Connection::ensure_capacity(size_t n) {
  if (rpos_ > 0) {  // compact: the pending command moves to the start (parser keeps offsets)
    std::memmove(rbuf_, rbuf_ + rpos_, rlen_ - rpos_);
    rlen_ -= rpos_;
    rpos_ = 0;
  }
  if (n <= rcap_) return;
  size_t cap = std::max(n, std::max(kMinOwnBuffer, rcap_ * 2));
  char* nb = static_cast<char*>(std::realloc(rbuf_, cap));
  if (!nb) std::abort();
  rbuf_ = nb;
  rcap_ = cap;
}

void Connection::on_alloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  auto* c = static_cast<Connection*>(h->data);
  if (c->rlen_ > c->rpos_) {
    // An incomplete command is pending: read its continuation behind it. The parser's hint says
    // how big the command will be, so a large bulk is received into one buffer, grown once.
    size_t pending = c->rlen_ - c->rpos_;
    size_t want = std::max(pending + kMinOwnBuffer / 2, c->parser_.bytes_hint());
    c->ensure_capacity(want);
    buf->base = c->rbuf_ + c->rlen_;
    buf->len = c->rcap_ - c->rlen_;
    c->reading_into_own_ = true;
  } else {
    buf->base = c->worker->read_buf;
    buf->len = Worker::kReadBufSize;
    c->reading_into_own_ = false;
  }
}

void Connection::on_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  auto* c = static_cast<Connection*>(s->data);
  if (nread < 0) {
    c->close();
    return;
  }
  if (nread == 0 || c->closing_) return;
  c->worker->stats.net_in.add(static_cast<uint64_t>(nread));
  c->worker->stats.reads.add(1);
  if (c->reading_into_own_) {
    c->rlen_ += static_cast<size_t>(nread);
    c->process(c->rbuf_ + c->rpos_, c->rlen_ - c->rpos_, true);
  } else {
    c->process(buf->base, static_cast<size_t>(nread), false);
  }
}

void Connection::read_while_busy() {
  if (socketless_ || closing() || blocked() || read_paused_ || fd < 0) return;
  char local[16 * 1024];
  char* into = local;
  size_t cap = sizeof local;
  const bool own = rlen_ > rpos_;  // continue a pending command in our own buffer
  if (own) {
    ensure_capacity(std::max(rlen_ - rpos_ + kMinOwnBuffer / 2, parser_.bytes_hint()));
    into = rbuf_ + rlen_;
    cap = rcap_ - rlen_;
  }
  ssize_t n = ::recv(fd, into, cap, MSG_DONTWAIT);
  if (n == 0) {
    close();
    return;
  }
  if (n < 0) return;  // EAGAIN: nothing sent; a real error shows on the loop's next read
  worker->stats.net_in.add(static_cast<uint64_t>(n));
  // The loop does not turn while the script runs: each of these polls is a turn of its own, so
  // that a client over its budget (yielded, or about to) still has its commands answered -BUSY.
  start_turn();
  if (own) {
    rlen_ += static_cast<size_t>(n);
    process(rbuf_ + rpos_, rlen_ - rpos_, true);
  } else {
    process(local, static_cast<size_t>(n), false);
  }
}

void Connection::keep_partial(const char* data, size_t len) {
  if (rcap_ < len) {
    // Only what is pending: a client that stops halfway through a command may stay so for long
    // (thousands of them in a storm), and on_alloc grows the buffer once more bytes arrive.
    char* nb = static_cast<char*>(std::realloc(rbuf_, len));
    if (!nb) std::abort();
    rbuf_ = nb;
    rcap_ = len;
  }
  std::memcpy(rbuf_, data, len);
  rpos_ = 0;
  rlen_ = len;
}

void Connection::process(const char* data, size_t len, bool own_buffer) {
  Server& srv = *worker->server;
  // Which client's command a shard-lock wait belongs to (Worker::on_lock_wait); restored for the
  // nested calls a busy script's worker makes (read_while_busy).
  struct Processing {
    Worker* w;
    Connection* outer;
    ~Processing() { w->processing = outer; }
  } processing{worker, worker->processing};
  worker->processing = this;
  // CONFIG SET proto-max-bulk-len applies to every client from its next read on.
  size_t max_bulk =
      static_cast<size_t>(srv.config.proto_max_bulk_len.load(std::memory_order_relaxed));
  // So do the limits on a client that has yet to authenticate (checked again after each command
  // below, since AUTH lifts them for what follows it in the same read).
  bool unauth = !authenticated && acl_auth_required(*this);
  if (max_bulk != parser_.limits().max_bulk_len || unauth != parser_.limits().unauthenticated) {
    protocol::ParserLimits limits = parser_.limits();
    limits.max_bulk_len = max_bulk;
    limits.unauthenticated = unauth;
    parser_.set_limits(limits);
  }
  // Messages published (and acknowledged) before this input was sent go out before its replies.
  if (!worker->pubsub_mail.empty()) {
    drain_mailbox(*worker);
    if (closing_) return;  // it was over its output limit
  }
  if (kill_requested.load(std::memory_order_acquire)) {  // CLIENT KILL from another worker
    close();
    return;
  }
  if (!seen_input_) [[unlikely]] {
    seen_input_ = true;
    if (looks_like_tls(data, len)) {
      refuse_foreign_protocol(*this, /*tls=*/true);
      flush();
      return;
    }
  }
  storage::EpochGuard guard(worker->epoch);
  int64_t now = worker->now_ms();
  last_active_ms.store(now, std::memory_order_relaxed);
  if (static_cast<uint32_t>(worker->turn) != turn_) start_turn();
  size_t off = 0;
  while (off < len && !closing() && !blocked() && !postponed) {
    if (turn_used_up()) [[unlikely]] {
      yield_turn();  // the rest waits in our buffer for the next turn
      break;
    }
    if (out.memory() > kPauseReadingAbove && !socketless_ && !output_limited()) [[unlikely]] {
      turn_left_ -= static_cast<int64_t>(out.size() / kOutputPerBudgetByte);
      flush();  // what the socket takes now; reading pauses if it cannot take enough
      if (closing()) break;
      if (out.memory() > kPauseReadingAbove) {
        held_back_ = true;  // on_write runs the rest once the output has drained
        break;
      }
    }
    protocol::ParseStatus st = parser_.parse(data + off, len - off);
    if (st == protocol::ParseStatus::kOk) {
      size_t used = parser_.consumed();
      if (!parser_.args().empty()) execute(parser_.args(), now);
      if (parser_.limits().unauthenticated && authenticated) [[unlikely]] {
        protocol::ParserLimits limits = parser_.limits();
        limits.unauthenticated = false;
        parser_.set_limits(limits);
      }
      // CLIENT PAUSE postponed it: it stays in the buffer, to be parsed again on resume().
      if (postponed) break;
      off += used;
      turn_left_ -= static_cast<int64_t>(used);
    } else if (st == protocol::ParseStatus::kNeedMore) {
      break;
    } else {
      reply.error(parser_.error());
      close_after_reply();
      off = len;
    }
  }
  if (own_buffer) {
    rpos_ += off;
    if (rpos_ == rlen_) {
      rpos_ = rlen_ = 0;
      if (rcap_ > 4 * kMinOwnBuffer) {  // a large command is done: give its buffer back
        std::free(rbuf_);
        rbuf_ = nullptr;
        rcap_ = 0;
      }
    }
  } else if (off < len && !closing()) {
    keep_partial(data + off, len - off);
  }
  // Used up exactly at the end of the input: libuv would read again within this turn.
  if (turn_used_up() && !closing()) yield_turn();
  size_t limit =
      static_cast<size_t>(srv.config.client_query_buffer_limit.load(std::memory_order_relaxed));
  if (rlen_ - rpos_ > limit) {
    srv.log("warning", "Closing client that reached max query buffer length");
    close();
    return;
  }
  worker->flush_dirty();  // subscribers on this worker that the batch published to
  flush();
}

void Connection::execute(const std::vector<std::string_view>& argv, int64_t now) {
  ReplyMode mode = reply_mode;
  if (mode == ReplyMode::kOn) {
    dispatch(*this, argv, now);
  } else {
    // Muted (CLIENT REPLY OFF or SKIP): the command's replies, errors included, go nowhere.
    protocol::OutputBuffer discard;
    reply.set_output(&discard);
    dispatch(*this, argv, now);
    reply.set_output(&out);
    if (postponed) return;  // it runs again later, still muted
    if (mode == ReplyMode::kSkip && reply_mode == ReplyMode::kSkip) reply_mode = ReplyMode::kOn;
  }
  // CLIENT REPLY SKIP mutes the command after itself.
  if (reply_mode == ReplyMode::kSkipNext) reply_mode = ReplyMode::kSkip;
}

void Connection::flush() {
  if (socketless_) {  // the replies wait in out for the capture (reply_capture.h)
    if (close_after_reply_) close();
    return;
  }
  // A transaction's state before its replies go out: a client that has read +QUEUED and asks
  // CLIENT LIST on another worker sees the command counted.
  if (tx) [[unlikely]]
    refresh_shown();
  flush_batch();
  account_memory();
}

void Connection::flush_batch() {
  if (writing_ || closing_) return;
  if (out.empty()) {
    if (close_after_reply_) close();
    return;
  }
  struct iovec iov[kMaxIov];
  uv_buf_t bufs[kMaxIov];
  size_t n = out.gather(iov, kMaxIov);
  for (size_t i = 0; i < n; i++)
    bufs[i] = uv_buf_init(static_cast<char*>(iov[i].iov_base), iov[i].iov_len);
  int r = uv_try_write(&stream, bufs, static_cast<unsigned>(n));
  worker->stats.writes.add(1);
  if (r == UV_EAGAIN || r == UV_ENOSYS) r = 0;
  if (r < 0) {
    close();
    return;
  }
  if (r > 0) {
    out.consume(static_cast<size_t>(r));
    worker->stats.net_out.add(static_cast<uint64_t>(r));
  }
  // Reading paused for a large backlog resumes wherever the backlog drains: here too, not only in
  // on_write, or a client whose last bytes went out through uv_try_write would never be read again.
  if (!resume_reading_if_drained()) return;
  if (out.empty()) {
    if (close_after_reply_) close();
    return;
  }
  if (!check_output_limit()) return;
  // The socket is full: hand the rest to libuv and wait.
  n = out.gather(iov, kMaxIov);
  if (!write_) write_ = std::make_unique<QueuedWrite>();
  write_->len = 0;
  for (size_t i = 0; i < n; i++) {
    bufs[i] = uv_buf_init(static_cast<char*>(iov[i].iov_base), iov[i].iov_len);
    write_->len += iov[i].iov_len;
  }
  writing_ = true;
  if (uv_write(&write_->req, &stream, bufs, static_cast<unsigned>(n), on_write) != 0) {
    writing_ = false;
    close();
    return;
  }
  if (!read_paused_ && out.memory() > kPauseReadingAbove) {
    uv_read_stop(&stream);
    read_paused_ = true;
  }
}

void Connection::on_write(uv_write_t* req, int status) {
  auto* c = static_cast<Connection*>(req->handle->data);
  c->writing_ = false;
  if (status < 0 || c->closing_) {
    c->close();
    return;
  }
  c->out.consume(c->write_->len);
  c->worker->stats.net_out.add(c->write_->len);
  c->write_->len = 0;
  if (!c->resume_reading_if_drained()) return;
  c->flush();
  // Commands were held back with a write in flight (process() below), so this is where they run
  // again: once the output is small (reading resumed), whether it drained through this write or
  // through the direct write flush() just made. Still large: flush() handed libuv another write.
  if (c->held_back_ && !c->closing_ && !c->read_paused_) {
    c->held_back_ = false;
    c->resume();  // runs the commands waiting in the query buffer, then flushes
  }
}

bool Connection::output_limited() const {
  const Config& cfg = worker->server->config;
  if (pubsub_mode())
    return cfg.obuf_pubsub_hard.load(std::memory_order_relaxed) > 0 ||
           cfg.obuf_pubsub_soft.load(std::memory_order_relaxed) > 0;
  return cfg.obuf_normal_hard.load(std::memory_order_relaxed) > 0 ||
         cfg.obuf_normal_soft.load(std::memory_order_relaxed) > 0;
}

bool Connection::check_output_limit() {
  const Config& cfg = worker->server->config;
  bool ps = pubsub_mode();
  int64_t hard = (ps ? cfg.obuf_pubsub_hard : cfg.obuf_normal_hard).load(std::memory_order_relaxed);
  int64_t soft = (ps ? cfg.obuf_pubsub_soft : cfg.obuf_normal_soft).load(std::memory_order_relaxed);
  size_t used = out.memory();
  bool over = hard > 0 && used >= static_cast<size_t>(hard);
  if (soft > 0 && used >= static_cast<size_t>(soft)) {
    // As Redis: the soft limit counts from the first time it is seen passed, and is forgiven as
    // soon as the output is back under it.
    int64_t now = worker->now_ms();
    int64_t secs = (ps ? cfg.obuf_pubsub_soft_seconds : cfg.obuf_normal_soft_seconds)
                       .load(std::memory_order_relaxed);
    Rare& r = rare();
    if (r.obuf_soft_since_ms == 0)
      r.obuf_soft_since_ms = now;
    else if (now - r.obuf_soft_since_ms > secs * 1000)
      over = true;
  } else if (Rare* r = rare_if()) {
    r->obuf_soft_since_ms = 0;
  }
  if (!over) return true;
  refresh_shown();
  worker->server->log("warning", "Client " + client_info_line(*this, worker->now_ms(), false) +
                                     " scheduled to be closed ASAP for overcoming of output "
                                     "buffer limits.");
  abort();
  return false;
}

bool Connection::resume_reading_if_drained() {
  if (!read_paused_ || out.memory() > kPauseReadingAbove) return true;
  read_paused_ = false;
  if (yielded_) return true;  // end_yield() restarts it
  if (uv_read_start(&stream, on_alloc, on_read) != 0) {
    close();
    return false;
  }
  return true;
}

void Connection::block(std::shared_ptr<Waiter> w, int64_t deadline_ms) {
  Rare& r = rare();
  r.waiter = std::move(w);
  block_muted_ = replies_muted();  // the reply that ends the wait belongs to the muted command
  blocked_shown.store(true, std::memory_order_relaxed);
  if (deadline_ms <= 0) return;
  if (!r.block_timer) {
    r.block_timer = new uv_timer_t;
    uv_timer_init(&worker->loop, r.block_timer);
    r.block_timer->data = this;
  }
  int64_t wait = deadline_ms - worker->now_ms();
  uv_timer_start(r.block_timer, on_block_timeout, static_cast<uint64_t>(wait > 0 ? wait : 0), 0);
}

void Connection::on_block_timeout(uv_timer_t* t) {
  auto* c = static_cast<Connection*>(t->data);
  if (!c->blocked() || c->closing_) return;
  // Lost the race to a server: its reply is already on the way through the inbox.
  if (!c->worker->server->blocking.finish(c->rare_if()->waiter.get(), false)) return;
  if (!c->block_muted_) c->reply.null_array();
  c->unblock({});
}

void Connection::unblock(std::string_view reply_bytes) {
  if (Rare* r = rare_if()) {
    if (r->block_timer) uv_timer_stop(r->block_timer);
    const Waiter* w = r->waiter.get();
    if (w && w->cmd && w->served_us >= 0 && !closing_)
      log_unblocked(*this, *w->cmd, w->argv, w->served_us);
    r->waiter.reset();
  }
  blocked_shown.store(false, std::memory_order_relaxed);
  if (closing_) return;
  if (!reply_bytes.empty() && !block_muted_) out.append(reply_bytes);
  if (rlen_ > rpos_) {
    process(rbuf_ + rpos_, rlen_ - rpos_, true);  // the pipeline goes on; flushes
  } else {
    flush();
  }
}

void Connection::start_turn() {
  turn_ = static_cast<uint32_t>(worker->turn);
  turn_left_ = kTurnBudget;
}

bool Connection::turn_used_up() const {
  return turn_left_ <= 0 && !socketless_;
}

void Connection::yield_turn() {
  if (yielded_) return;  // already waiting for the next turn (its input runs then)
  yielded_ = true;
  uv_read_stop(&stream);
  worker->yield(this);
}

void Connection::end_yield() {
  if (!yielded_) return;  // closed since it yielded
  yielded_ = false;
  if (!read_paused_ && uv_read_start(&stream, on_alloc, on_read) != 0) {
    close();
    return;
  }
  // Held back or blocked input goes on when the output drains or the wait ends.
  if (!held_back_ && !blocked()) resume();
}

void Connection::resume() {
  if (closing() || postponed) return;
  if (rlen_ > rpos_) {
    process(rbuf_ + rpos_, rlen_ - rpos_, true);  // flushes
  } else {
    flush();
  }
}

void Connection::close_after_reply() {
  close_after_reply_ = true;
}

void Connection::abort() {
  reset_on_close_ = true;
  close();
}

void Connection::close() {
  if (closing_) return;
  closing_ = true;
  Rare* r = rare_if();
  if (r && r->waiter) {
    worker->server->blocking.finish(r->waiter.get(), /*detach_conn=*/true);
    r->waiter.reset();
  }
  end_transactions(*this);
  worker->server->tracking.disable(*this);
  if (r && r->block_timer) {
    uv_close(reinterpret_cast<uv_handle_t*>(r->block_timer),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
    r->block_timer = nullptr;
  }
  if (subs) {
    worker->server->pubsub.unsubscribe_all(*this);
    subs->self->conn = nullptr;  // deliveries still on their way skip us
  }
  if (r && r->monitor) worker->server->monitors.remove(*this);
  if (postponed) {
    auto& p = worker->postponed;
    p.erase(std::find(p.begin(), p.end(), this));
    postponed = false;
  }
  if (flush_scheduled) {
    auto& d = worker->pubsub_mail.dirty;
    d.erase(std::find(d.begin(), d.end(), this));
    flush_scheduled = false;
  }
  if (yielded_) {
    auto& y = worker->yielded;
    auto it = std::find(y.begin(), y.end(), this);
    if (it != y.end()) y.erase(it);  // not there while the worker runs its resumed batch
    yielded_ = false;
  }
  worker->remove_connection(this);
  worker->add_client_memory(-static_cast<int64_t>(memory_accounted_));
  memory_accounted_ = 0;
  if (socketless_) return;  // no handle to close; the owner deletes us
  if (reset_on_close_ && !is_unix && uv_tcp_close_reset(&tcp, on_close) == 0) return;
  uv_close(&handle, on_close);
}

void Connection::on_close(uv_handle_t* h) {
  delete static_cast<Connection*>(h->data);
}

}  // namespace respite::server
