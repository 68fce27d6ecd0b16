// The in-process fixture; see inproc.h. Set-up does on the test's thread what Server::run and
// Worker::start do on theirs (workers made, each worker's epoch participant joined, the access
// policy pointed at), and tear-down undoes it in the order that leaves nothing behind for ASan:
// clients closed first (their watches and subscriptions go), then the participants leave, then
// each worker's loop runs once to close its handles.
#include "tests/unit/server/inproc.h"

#include "server/connection.h"
#include "server/worker.h"
#include "storage/entry.h"

namespace respite::test {

using protocol::RespValue;

Reply to_reply(const RespValue& v) {
  using T = RespValue::Type;
  switch (v.type) {
    case T::kSimple:
      return Reply::Status(v.str);
    case T::kError:
      return Reply::Err(v.str);
    case T::kInteger:
    case T::kBoolean:
      return Reply::Int(v.integer);
    case T::kBulk:
    case T::kVerbatim:
    case T::kDouble:
    case T::kBigNumber:
      return Reply::Str(v.str);
    case T::kNullBulk:
    case T::kNullArray:
    case T::kNull:
      return Reply::Nil();
    case T::kArray:
    case T::kMap:
    case T::kSet:
    case T::kPush:
      break;
  }
  std::vector<Reply> elems;
  elems.reserve(v.elements.size());
  for (const RespValue& e : v.elements) elems.push_back(to_reply(e));
  return Reply::Arr(std::move(elems));
}

std::vector<RespValue> InprocClient::run_all(std::initializer_list<std::string_view> argv) {
  owner_.poll();
  return capture_.run(std::vector<std::string_view>(argv));
}

std::vector<RespValue> InprocClient::take() {
  owner_.poll();
  return capture_.take();
}

RespValue InprocClient::call(const std::vector<std::string_view>& argv) {
  owner_.poll();
  std::vector<RespValue> all = capture_.run(argv);
  if (all.size() == 1) return std::move(all[0]);
  RespValue v;
  v.type = RespValue::Type::kError;
  v.str = "TEST expected one reply, got " + std::to_string(all.size());
  return v;
}

void InprocClient::resp3() {
  REQUIRE(call({"HELLO", "3"}).type == RespValue::Type::kMap);
}

void InprocClient::resp2() {
  REQUIRE(call({"HELLO", "2"}).type == RespValue::Type::kArray);
}

Inproc::Inproc(unsigned workers) {
  config.threads = static_cast<int>(workers);
  srv = std::make_unique<server::Server>(&config);
  for (unsigned i = 0; i < workers; i++) {
    auto w = std::make_unique<server::Worker>(srv.get(), static_cast<int>(i));
    w->epoch = srv->store.epochs().join();
    srv->workers.push_back(std::move(w));
  }
  storage::t_access_policy = &srv->access_policy;
  first_ = &add_client(0, true);
}

InprocClient& Inproc::add_client(unsigned worker, bool listed) {
  clients_.push_back(std::make_unique<InprocClient>(*this, *srv->workers.at(worker), listed));
  return *clients_.back();
}

void Inproc::poll() {
  // UV_RUN_NOWAIT polls once: an inbox that post() woke (uv_async_send) is run, nothing waits.
  for (auto& w : srv->workers) uv_run(&w->loop, UV_RUN_NOWAIT);
}

Inproc::~Inproc() {
  clients_.clear();
  for (auto& w : srv->workers) {
    w->pubsub_mail.dirty.clear();
    // Deliveries nobody took: drained into closed connections, which skip them.
    server::drain_mailbox(*w);
    srv->store.epochs().leave(w->epoch);
    w->epoch = nullptr;
    // stop() closes the worker's handles through its inbox; running the loop once delivers that
    // and ends when the last handle has closed, so the Worker's destructor finds it closed.
    w->stop();
    uv_run(&w->loop, UV_RUN_DEFAULT);
  }
  storage::t_access_policy = nullptr;
  srv.reset();
}

}  // namespace respite::test
