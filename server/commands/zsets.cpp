// Sorted sets: ZADD and its options, ranks, ranges by rank, score and lex, pops (blocking ones too;
// see blocking.h), the algebra (ZUNION, ZINTER, ZDIFF and STORE forms) and ZSCAN, over
// storage::ZSetValue (zset_value.h). (Being written: registered empty so that the tree builds.)
#include "server/collection.h"
#include "server/context.h"

namespace respite::server {

void register_zset_commands(CommandTable& t) {
  (void)t;
}

}  // namespace respite::server
