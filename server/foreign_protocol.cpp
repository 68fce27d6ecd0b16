// The HTTP and TLS guards; see foreign_protocol.h.
#include "server/foreign_protocol.h"

#include "server/ascii.h"
#include "server/connection.h"
#include "server/errors.h"
#include "server/server.h"
#include "server/worker.h"

namespace respite::server {

bool looks_like_http(const std::vector<std::string_view>& argv) {
  if (argv.empty()) return false;
  if (iequals(argv[0], "host:") || iequals(argv[0], "post")) return true;
  // The request line: any method (browsers and scanners send GET, POST, HEAD, OPTIONS, ...).
  return argv.size() == 3 && argv[2].substr(0, 5) == "HTTP/";
}

void refuse_foreign_protocol(Connection& c, bool tls) {
  Worker& w = *c.worker;
  const int64_t now = w.now_ms();
  if (now - w.foreign_logged_ms >= 60000) {
    w.foreign_logged_ms = now;
    c.worker->server->log(
        "warning", tls ? "Possible TLS client on a plain-text port (addr=" + c.addr +
                             "): replied with an error and closed the connection."
                       : "Possible SECURITY ATTACK detected: an HTTP request (addr=" + c.addr +
                             "), perhaps cross protocol scripting. Connection aborted.");
  }
  c.reply.error(error_text(tls ? Err::kTlsOnPlainPort : Err::kHttpRequest));
  c.close_after_reply();
}

}  // namespace respite::server
