// ReplyCapture: see reply_capture.h. A command runs as Connection::process runs a batch of one
// (mailbox first, a pending CLIENT KILL, the epoch pinned, execute(), the worker's dirty
// subscribers, then flush(), which for a connection with no socket only closes it if the command
// asked), and the bytes its writer produced are drained from the connection's output and read back.
#include "server/reply_capture.h"

#include "server/connection.h"
#include "server/pubsub.h"
#include "server/server.h"
#include "server/worker.h"
#include "storage/epoch.h"

namespace respite::server {

ReplyCapture::ReplyCapture(Worker& w, bool listed) : worker_(w) {
  uint64_t id = w.server->next_client_id.fetch_add(1, std::memory_order_relaxed);
  conn_ = new Connection(&w, id, Connection::NoSocket{});
  conn_->created_ms = w.now_ms();
  conn_->last_active_ms.store(conn_->created_ms, std::memory_order_relaxed);
  if (listed) w.add_connection(conn_);
}

ReplyCapture::~ReplyCapture() {
  conn_->close();  // idempotent: CLIENT KILL or the worker's stop may have closed it already
  delete conn_;
}

std::vector<protocol::RespValue> ReplyCapture::run(const std::vector<std::string_view>& argv) {
  if (!worker_.pubsub_mail.empty()) drain_mailbox(worker_);
  // CLIENT KILL from another client: no further command runs, even before its close lands.
  if (conn_->kill_requested.load(std::memory_order_acquire)) conn_->close();
  if (!conn_->closing() && !conn_->blocked() && !argv.empty()) {
    storage::EpochGuard guard(worker_.epoch);
    int64_t now = worker_.now_ms();
    conn_->last_active_ms.store(now, std::memory_order_relaxed);
    conn_->execute(argv, now);
  }
  worker_.flush_dirty();  // other connections' frames; ours stay in out for take()
  conn_->flush();         // as at the end of a batch: closes now if the command asked (QUIT)
  return take();
}

std::vector<protocol::RespValue> ReplyCapture::take() {
  if (!worker_.pubsub_mail.empty()) drain_mailbox(worker_);
  std::string bytes;
  conn_->out.drain_to(&bytes);
  std::vector<protocol::RespValue> replies;
  std::string why;
  if (protocol::read_replies(bytes, &replies, &why) != protocol::ParseStatus::kOk) {
    // The writer and the reader disagree: a bug, shown where the reply would have been.
    protocol::RespValue v;
    v.type = protocol::RespValue::Type::kError;
    v.str = "ERR reply capture: " + why;
    replies.push_back(std::move(v));
  }
  return replies;
}

}  // namespace respite::server
