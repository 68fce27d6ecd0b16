// Requests in a protocol that is not RESP, met at the door: an HTTP request ("GET / HTTP/1.1",
// "POST", a "Host:" header) or a TLS ClientHello sent to a plain-text port. Redis 7.0 closes a
// connection that sends POST or Host: (its securityWarningCommand: browsers can be made to post
// commands to a local Redis, "cross protocol scripting") but answers a GET request line with an
// arity error and leaves a TLS client waiting for a ServerHello that never comes. respite answers
// both with an error that says what happened and closes, and logs it at most once a minute per
// worker, so that a flood of them cannot flood the log. The checks sit on cold paths only: the
// first bytes a connection sends, and the unknown-command and arity-error replies.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace respite::server {

class Connection;

// A TLS record header (content type 22, handshake) as a connection's first byte: never the start
// of a RESP command or a sensible inline one.
inline bool looks_like_tls(const char* data, size_t len) {
  return len > 0 && static_cast<unsigned char>(data[0]) == 0x16;
}

// An HTTP request line ("<METHOD> <target> HTTP/1.1") or the header Redis watches for ("Host:"),
// parsed as a command. Only the cold paths call it: such a line is an unknown command or, for GET,
// an arity error.
bool looks_like_http(const std::vector<std::string_view>& argv);

// Replies the error for the protocol seen (an HTTP request unless tls), logs it (rate-limited) and
// has the connection closed once the reply is written.
void refuse_foreign_protocol(Connection& c, bool tls);

}  // namespace respite::server
