// Lists: pushes, pops, ranges, LPOS, LMOVE, LMPOP and the blocking pops (BLPOP, BRPOP, BLMOVE,
// BRPOPLPUSH, BLMPOP; see blocking.h), over storage::ListValue (list_value.h). (Being written:
// registered empty so that the tree builds.)
#include "server/collection.h"
#include "server/context.h"

namespace respite::server {

void register_list_commands(CommandTable& t) {
  (void)t;
}

}  // namespace respite::server
