// ReplyCapture: see reply_capture.h. A command runs as Connection::process runs each command of a
// batch (mailbox first, the epoch pinned, execute(), then the worker's dirty subscribers), and the
// bytes its writer produced are drained from the connection's output and read back.
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
  if (!conn_->closing() && !conn_->blocked() && !argv.empty()) {
    storage::EpochGuard guard(worker_.epoch);
    int64_t now = worker_.now_ms();
    conn_->last_active_ms.store(now, std::memory_order_relaxed);
    conn_->execute(argv, now);
  }
  worker_.flush_dirty();  // other connections' frames; ours stay in out for take()
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
