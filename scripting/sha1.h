// The 40-character lowercase SHA-1 hex digest that names a script (EVALSHA, SCRIPT LOAD) and that
// redis.sha1hex() returns, computed with OpenSSL's libcrypto rather than a hand-written SHA-1.
#pragma once

#include <string>
#include <string_view>

namespace respite::scripting {

std::string sha1_hex(std::string_view data);

// Writes the digest into out (40 chars, no terminator).
void sha1_hex(std::string_view data, char out[40]);

}  // namespace respite::scripting
