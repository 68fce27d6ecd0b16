// One client described as CLIENT LIST / CLIENT INFO print it (Redis 7.0's fields in its order,
// then 7.2's lib-name and lib-ver), and the client classes CLIENT LIST TYPE and CLIENT KILL TYPE
// filter by. Also what the server logs about a client it closes (output buffer limits).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace respite::server {

class Connection;

// The line for c, without its newline. live: c belongs to the calling thread's worker and is the
// client running the command (CLIENT INFO, or itself in CLIENT LIST), so its buffers are read
// directly and its query buffer counts the command being run, as in Redis; otherwise the
// connection's Shown copies are read. name is read under the registry mutex (the caller holds it).
std::string client_info_line(const Connection& c, int64_t now_ms, bool live, size_t live_qbuf = 0,
                             size_t live_argv_mem = 0);

// Redis's getClientType classes: a monitor or a subscriber-less client is normal, a client with a
// subscription is pubsub; respite has no master or replica clients.
enum class ClientType { kAny, kNormal, kPubsub, kNone };
// Parses CLIENT LIST / KILL's TYPE argument (normal, master, replica, slave, pubsub); false if
// unknown.
bool parse_client_type(std::string_view s, ClientType* out);
bool client_type_matches(ClientType t, const Connection& c);

}  // namespace respite::server
