// Sets: SADD, SREM, SPOP, SRANDMEMBER, SMOVE, the algebra (SINTER, SUNION, SDIFF and their STORE
// forms, SINTERCARD) and SSCAN, over storage::SetValue (set_value.h). (Being written: registered
// empty so that the tree builds.)
#include "server/collection.h"
#include "server/context.h"

namespace respite::server {

void register_set_commands(CommandTable& t) {
  (void)t;
}

}  // namespace respite::server
