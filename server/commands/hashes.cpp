// Hashes: HSET, HGET, HGETALL, HINCRBY, HRANDFIELD, HSCAN and the rest of Redis's hash commands,
// over storage::HashValue (hash_value.h). (Being written: registered empty so that the tree
// builds.)
#include "server/collection.h"
#include "server/context.h"

namespace respite::server {

void register_hash_commands(CommandTable& t) {
  (void)t;
}

}  // namespace respite::server
