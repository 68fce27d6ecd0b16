// write_value: a script's reply tree onto the wire through the protocol layer's ReplyWriter, so
// that RESP2/RESP3 differences stay in one place (the writer), as for every other command.
#include "scripting/value.h"

#include "protocol/reply_writer.h"

namespace respite::scripting {

void write_value(protocol::ReplyWriter& out, const Value& v) {
  using T = Value::Type;
  switch (v.type) {
    case T::kNullBulk:
      out.null();
      break;
    case T::kNullArray:
      out.null_array();
      break;
    case T::kNull:
      out.null();
      break;
    case T::kInteger:
      out.integer(v.integer);
      break;
    case T::kBulk:
      out.bulk(v.str);
      break;
    case T::kStatus:
      out.simple(v.str);
      break;
    case T::kError:
      out.error(v.str);
      break;
    case T::kDouble:
      out.dbl(v.dbl);
      break;
    case T::kBoolean:
      out.boolean(v.boolean);
      break;
    case T::kBigNumber:
      // RESP3 "(n"; RESP2 has no big number, Redis sends it as a bulk string.
      if (out.resp() == 3) {
        out.raw("(");
        out.raw(v.str);
        out.raw("\r\n");
      } else {
        out.bulk(v.str);
      }
      break;
    case T::kVerbatim:
      out.verbatim(v.str);
      break;
    case T::kArray:
      out.array(v.elems.size());
      for (const Value& e : v.elems) write_value(out, e);
      break;
    case T::kMap:
      out.map(v.elems.size() / 2);
      for (const Value& e : v.elems) write_value(out, e);
      break;
    case T::kSet:
      out.set(v.elems.size());
      for (const Value& e : v.elems) write_value(out, e);
      break;
  }
}

}  // namespace respite::scripting
