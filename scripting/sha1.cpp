// SHA-1 hex digests for script names, over OpenSSL's one-shot SHA1() (deprecated in OpenSSL 3's
// headers but still exported; the EVP interface would allocate a context per script call).
#define OPENSSL_SUPPRESS_DEPRECATED
#include "scripting/sha1.h"

#include <openssl/sha.h>

namespace respite::scripting {

void sha1_hex(std::string_view data, char out[40]) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < SHA_DIGEST_LENGTH; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 15];
  }
}

std::string sha1_hex(std::string_view data) {
  std::string s(40, '0');
  sha1_hex(data, s.data());
  return s;
}

}  // namespace respite::scripting
