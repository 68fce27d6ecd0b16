// The list family: pushes and pops at both ends, LLEN/LINDEX/LSET/LRANGE/LTRIM/LREM/LINSERT/LPOS,
// LMOVE/RPOPLPUSH, LMPOP, and the blocking BLPOP/BRPOP/BLMOVE/BRPOPLPUSH/BLMPOP, over
// storage::ListValue (list_value.h). Argument checks run in Redis 7.0's order (which error wins
// matters: e.g. LRANGE parses its indexes before looking at the key, LINDEX after). Replies are
// written straight from the list while its shard is locked. Every command that adds elements
// signals the key ready, so blocked clients are served once it has finished (blocking.h).
//
// A blocking handler first tries to serve itself like its non-blocking twin; when nothing is there
// it calls block_client() and replies nothing. The framework runs the same handler again, on the
// pushing worker, when a key it waits on is signalled (serving_blocked() is then true), and then
// looks at that key only (served_key()). In that second life a key of another type is passed over
// instead of answered with WRONGTYPE: Redis 7.0 only serves a blocked client from a key that holds
// a list, and leaves it waiting otherwise.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/arg_parser.h"
#include "server/blocking.h"
#include "server/collection.h"
#include "server/context.h"
#include "storage/list_value.h"

namespace respite::server {

using storage::ListValue;
using storage::Type;
using Lists = Collection<ListValue>;

namespace {

ListValue::Limits limits(CmdCtx& c) {
  return ListValue::Limits::from_fill(encoding_limits(c.server).list_size);
}

// LEFT | RIGHT; Redis answers anything else with a syntax error.
bool parse_where(CmdCtx& c, std::string_view arg, bool* front) {
  if (iequals(arg, "left")) {
    *front = true;
  } else if (iequals(arg, "right")) {
    *front = false;
  } else {
    c.error(Err::kSyntax);
    return false;
  }
  return true;
}

// Elements past 4 GiB cannot be stored (node offsets are 32 bits); they only arrive with
// proto-max-bulk-len raised that far.
bool elements_fit(CmdCtx& c, size_t from) {
  for (size_t i = from; i < c.argc(); i++) {
    if (c.arg(i).size() > ListValue::kMaxElement) {
      c.error(Err::kListElementTooLarge);
      return false;
    }
  }
  return true;
}

// Replies with up to n elements taken from one end (tail first for the right end), then removes
// them: whole nodes at a time.
void reply_pop_range(CmdCtx& c, ListValue* l, bool front, size_t n) {
  n = std::min(n, l->length());
  c.reply.array(n);
  l->visit(front ? 0 : l->length() - 1, n, !front, [&](std::string_view v) { c.reply.bulk(v); });
  front ? l->remove_front(n) : l->remove_back(n);
}

// Redis's index rule: negative counts from the tail.
bool normalize_index(int64_t index, size_t len, size_t* out) {
  if (index < 0) index += static_cast<int64_t>(len);
  if (index < 0 || index >= static_cast<int64_t>(len)) return false;
  *out = static_cast<size_t>(index);
  return true;
}

// --- pushes ---

void push_generic(CmdCtx& c, bool front, bool only_existing) {
  if (!elements_fit(c, 2)) return;
  Lists lst(c, c.arg(1), Type::kList);
  if (lst.wrong_type()) return c.error(Err::kWrongType);
  ListValue* l = lst.get();
  if (!l) {
    if (only_existing) return c.reply.integer(0);
    l = lst.create(new ListValue());
  }
  ListValue::Limits lim = limits(c);
  for (size_t i = 2; i < c.argc(); i++) l->push(front, c.arg(i), lim);
  c.notify(kNotifyList, front ? "lpush" : "rpush", c.arg(1));
  c.reply.integer(static_cast<int64_t>(l->length()));
  signal_key_ready(c, c.arg(1));
}

void cmd_lpush(CmdCtx& c) {
  push_generic(c, true, false);
}
void cmd_rpush(CmdCtx& c) {
  push_generic(c, false, false);
}
void cmd_lpushx(CmdCtx& c) {
  push_generic(c, true, true);
}
void cmd_rpushx(CmdCtx& c) {
  push_generic(c, false, true);
}

// --- pops ---

// LPOP/RPOP key [count]: the count is checked before the key (any bad count gets the "must be
// positive" text, as Redis's getPositiveLongFromObjectOrReply); a missing key with a count is a
// null array, count 0 on an existing list an empty one.
void pop_generic(CmdCtx& c, bool front) {
  if (c.argc() > 3) return c.arity_error();
  bool has_count = c.argc() == 3;
  int64_t count = 0;
  if (has_count && (!parse_int(c.arg(2), &count) || count < 0)) return c.error(Err::kPositive);
  Lists lst(c, c.arg(1), Type::kList);
  if (!lst.exists()) return has_count ? c.reply.null_array() : c.reply.null();
  if (lst.wrong_type()) return c.error(Err::kWrongType);
  ListValue* l = lst.get();
  if (!has_count) {
    c.reply.bulk(l->end_value(front));
    l->pop(front);
    c.notify(kNotifyList, front ? "lpop" : "rpop", c.arg(1));
    return;
  }
  reply_pop_range(c, l, front, static_cast<size_t>(count));
  if (count > 0) c.notify(kNotifyList, front ? "lpop" : "rpop", c.arg(1));
}

void cmd_lpop(CmdCtx& c) {
  pop_generic(c, true);
}
void cmd_rpop(CmdCtx& c) {
  pop_generic(c, false);
}

// --- reads and in-place changes ---

void cmd_llen(CmdCtx& c) {
  Lists lst(c, c.arg(1), Type::kList, Access::kRead);
  if (lst.wrong_type()) return c.error(Err::kWrongType);
  c.reply.integer(lst.get() ? static_cast<int64_t>(lst.get()->length()) : 0);
}

void cmd_lindex(CmdCtx& c) {
  Lists lst(c, c.arg(1), Type::kList, Access::kRead);
  if (!lst.exists()) return c.reply.null();
  if (lst.wrong_type()) return c.error(Err::kWrongType);
  int64_t index;
  if (!parse_int(c.arg(2), &index)) return c.error(Err::kNotInt);
  size_t i;
  if (!normalize_index(index, lst.get()->length(), &i)) return c.reply.null();
  c.reply.bulk(lst.get()->at(i));
}

void cmd_lset(CmdCtx& c) {
  if (!elements_fit(c, 3)) return;
  Lists lst(c, c.arg(1), Type::kList);
  if (!lst.exists()) return c.error(Err::kNoSuchKey);
  if (lst.wrong_type()) return c.error(Err::kWrongType);
  int64_t index;
  if (!parse_int(c.arg(2), &index)) return c.error(Err::kNotInt);
  size_t i;
  if (!normalize_index(index, lst.get()->length(), &i)) return c.error(Err::kIndexOutOfRange);
  lst.get()->set(i, c.arg(3), limits(c));
  lst.changed();
  c.notify(kNotifyList, "lset", c.arg(1));
  c.reply.ok();
}

// LRANGE and LTRIM clamp [start, stop] the same way; false when the range is empty.
bool clamp_range(int64_t start, int64_t stop, size_t len, size_t* first, size_t* n) {
  auto l = static_cast<int64_t>(len);
  if (start < 0) start += l;
  if (stop < 0) stop += l;
  if (start < 0) start = 0;
  if (start > stop || start >= l) return false;
  if (stop >= l) stop = l - 1;
  *first = static_cast<size_t>(start);
  *n = static_cast<size_t>(stop - start + 1);
  return true;
}

bool parse_range(CmdCtx& c, int64_t* start, int64_t* stop) {
  if (!parse_int(c.arg(2), start) || !parse_int(c.arg(3), stop)) {
    c.error(Err::kNotInt);
    return false;
  }
  return true;
}

void cmd_lrange(CmdCtx& c) {
  int64_t start, stop;
  if (!parse_range(c, &start, &stop)) return;
  Lists lst(c, c.arg(1), Type::kList, Access::kRead);
  if (lst.wrong_type()) return c.error(Err::kWrongType);
  ListValue* l = lst.get();
  size_t first, n;
  if (!l || !clamp_range(start, stop, l->length(), &first, &n)) return c.reply.array(0);
  c.reply.array(n);
  l->visit(first, n, false, [&](std::string_view v) { c.reply.bulk(v); });
}

void cmd_ltrim(CmdCtx& c) {
  int64_t start, stop;
  if (!parse_range(c, &start, &stop)) return;
  Lists lst(c, c.arg(1), Type::kList);
  if (lst.wrong_type()) return c.error(Err::kWrongType);
  ListValue* l = lst.get();
  if (l) {
    size_t len = l->length(), first, n;
    if (!clamp_range(start, stop, len, &first, &n)) {
      first = len;  // nothing kept: the key goes
      n = 0;
    }
    l->remove_front(first);
    l->remove_back(len - first - n);
    lst.changed();  // Redis signals a trim that keeps everything too
    c.notify(kNotifyList, "ltrim", c.arg(1));
  }
  c.reply.ok();
}

void cmd_lrem(CmdCtx& c) {
  int64_t count;
  if (!parse_int(c.arg(2), &count)) return c.error(Err::kNotInt);
  Lists lst(c, c.arg(1), Type::kList);
  if (lst.wrong_type()) return c.error(Err::kWrongType);
  if (!lst.get()) return c.reply.integer(0);
  size_t removed = lst.get()->remove(c.arg(3), count);
  if (removed) c.notify(kNotifyList, "lrem", c.arg(1));
  c.reply.integer(static_cast<int64_t>(removed));
}

void cmd_linsert(CmdCtx& c) {
  bool after;
  if (iequals(c.arg(2), "after")) {
    after = true;
  } else if (iequals(c.arg(2), "before")) {
    after = false;
  } else {
    return c.error(Err::kSyntax);
  }
  if (!elements_fit(c, 4)) return;
  Lists lst(c, c.arg(1), Type::kList);
  if (!lst.exists()) return c.reply.integer(0);
  if (lst.wrong_type()) return c.error(Err::kWrongType);
  ListValue* l = lst.get();
  if (!l->insert(c.arg(3), c.arg(4), after, limits(c))) return c.reply.integer(-1);
  c.notify(kNotifyList, "linsert", c.arg(1));
  c.reply.integer(static_cast<int64_t>(l->length()));
  signal_key_ready(c, c.arg(1));
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]. Follows Redis's loop exactly,
// including its arithmetic on a RANK of INT64_MIN (negating it leaves it negative, so every match
// counts) done here with defined wrap-around.
void cmd_lpos(CmdCtx& c) {
  int64_t rank = 1, count = -1, maxlen = 0;
  ArgParser p(c.argv, 3);
  while (p.has_next()) {
    if (p.check("RANK")) {
      rank = p.next_int();
      if (p.ok() && rank == 0) p.fail(Err::kRankZero);
    } else if (p.check("COUNT")) {
      count = p.next_int_in(0, INT64_MAX, Err::kCountNegative);
    } else if (p.check("MAXLEN")) {
      maxlen = p.next_int_in(0, INT64_MAX, Err::kMaxlenNegative);
    } else {
      p.fail(Err::kSyntax);
    }
  }
  if (!p.ok()) return c.error(p.error());
  bool reverse = rank < 0;
  if (reverse) rank = static_cast<int64_t>(0 - static_cast<uint64_t>(rank));
  bool want_array = count != -1;

  Lists lst(c, c.arg(1), Type::kList, Access::kRead);
  if (!lst.exists()) return want_array ? c.reply.array(0) : c.reply.null();
  if (lst.wrong_type()) return c.error(Err::kWrongType);
  ListValue* l = lst.get();
  auto len = static_cast<int64_t>(l->length());
  std::string_view ele = c.arg(2);
  std::vector<int64_t> found;  // only with COUNT: the reply's length comes first
  int64_t index = 0, matches = 0, match = -1;
  ListValue::Iterator it = l->iter(reverse ? l->length() - 1 : 0, reverse);
  std::string_view v;
  while ((maxlen == 0 || index < maxlen) && it.next(&v)) {
    if (v == ele) {
      matches++;
      match = reverse ? len - index - 1 : index;
      if (matches >= rank) {
        if (!want_array) break;
        found.push_back(match);
        auto past =
            static_cast<int64_t>(static_cast<uint64_t>(matches) - static_cast<uint64_t>(rank) + 1);
        if (count && past >= count) break;
      }
    }
    index++;
    match = -1;
  }
  if (want_array) {
    c.reply.array(found.size());
    for (int64_t i : found) c.reply.integer(i);
  } else if (match != -1) {
    c.reply.integer(match);
  } else {
    c.reply.null();
  }
}

// --- moves ---

enum class Moved { kDone, kReplied, kNoSource };

// Moves one element from src's `from_front` end to dst's `to_front` end under both keys' locks and
// replies with it. kNoSource: src holds nothing (nothing replied). kReplied: WRONGTYPE was
// replied. skip_wrong_source: a serving blocked client, for which a source of another type means
// "keep waiting" (destination checks stay: Redis answers those with WRONGTYPE).
Moved move_element(CmdCtx& c, std::string_view src, std::string_view dst, bool from_front,
                   bool to_front, bool skip_wrong_source) {
  storage::Keyspace& ks = c.db();
  storage::MultiLock lock;
  lock.add_key(ks, src);
  if (dst != src) lock.add_key(ks, dst);
  lock.lock();
  // The source emptied (and deleted) and the destination created appear together.
  storage::MultiWrite write(c.op);
  Staging staging(c, &write);
  Lists s(c, ks, src, Type::kList, AlreadyLocked{});
  if (!s.exists()) return Moved::kNoSource;
  if (s.wrong_type()) {
    if (skip_wrong_source) return Moved::kNoSource;
    c.error(Err::kWrongType);
    return Moved::kReplied;
  }
  ListValue* sl = s.get();
  if (dst == src) {
    // A rotation: the element must be copied out before the list changes under its view.
    std::string v(sl->end_value(from_front));
    if (from_front != to_front) {
      sl->pop(from_front);
      sl->push(to_front, v, limits(c));
    }
    s.changed();
    c.reply.bulk(v);
    // As Redis's LMOVE: the push on the destination, then the pop on the source.
    c.notify(kNotifyList, to_front ? "lpush" : "rpush", dst);
    c.notify(kNotifyList, from_front ? "lpop" : "rpop", src);
  } else {
    Lists d(c, ks, dst, Type::kList, AlreadyLocked{});
    if (d.wrong_type()) {
      c.error(Err::kWrongType);
      return Moved::kReplied;
    }
    ListValue* dl = d.get() ? d.get() : d.create(new ListValue());
    std::string_view v = sl->end_value(from_front);
    dl->push(to_front, v, limits(c));
    c.reply.bulk(v);
    sl->pop(from_front);
    c.notify(kNotifyList, to_front ? "lpush" : "rpush", dst);
    c.notify(kNotifyList, from_front ? "lpop" : "rpop", src);
  }
  signal_key_ready(c, dst);
  return Moved::kDone;
}

void cmd_lmove(CmdCtx& c) {
  bool from, to;
  if (!parse_where(c, c.arg(3), &from) || !parse_where(c, c.arg(4), &to)) return;
  if (move_element(c, c.arg(1), c.arg(2), from, to, false) == Moved::kNoSource) c.reply.null();
}

void cmd_rpoplpush(CmdCtx& c) {
  if (move_element(c, c.arg(1), c.arg(2), false, true, false) == Moved::kNoSource) c.reply.null();
}

// BLMOVE and BRPOPLPUSH after their arguments are parsed: only the source is waited on (so it is
// also the key served, when serving a blocked client).
void blocking_move(CmdCtx& c, bool from, bool to, int64_t deadline) {
  if (move_element(c, c.arg(1), c.arg(2), from, to, serving_blocked(c)) != Moved::kNoSource) return;
  block_client(c, {c.arg(1)}, deadline);
}

void cmd_blmove(CmdCtx& c) {
  bool from, to;
  if (!parse_where(c, c.arg(3), &from) || !parse_where(c, c.arg(4), &to)) return;
  int64_t deadline;
  if (!parse_block_timeout(c, c.arg(5), &deadline)) return;
  blocking_move(c, from, to, deadline);
}

void cmd_brpoplpush(CmdCtx& c) {
  int64_t deadline;
  if (!parse_block_timeout(c, c.arg(3), &deadline)) return;
  blocking_move(c, false, true, deadline);
}

// --- pops over several keys ---

// Pops from the first of keys[0..n) that holds a list: count < 0 replies BLPOP's [key, element],
// else LMPOP's [key, [up to count elements]]. True when it replied (an element, or WRONGTYPE for
// the first key of another type, unless serving a blocked client). Several keys are locked
// together, so the choice of key and the pop are one atomic step.
bool pop_first(CmdCtx& c, const std::string_view* keys, size_t n, bool front, int64_t count) {
  bool serving = serving_blocked(c);
  auto serve = [&](Lists& lst) {
    if (!lst.exists()) return false;
    if (lst.wrong_type()) {
      if (serving) return false;
      c.error(Err::kWrongType);
      return true;
    }
    ListValue* l = lst.get();
    c.reply.array(2);
    c.reply.bulk(lst.key());
    if (count < 0) {
      c.reply.bulk(l->end_value(front));
      l->pop(front);
    } else {
      reply_pop_range(c, l, front, static_cast<size_t>(count));
    }
    c.notify(kNotifyList, front ? "lpop" : "rpop", lst.key());
    return true;
  };
  return first_serving<ListValue>(c, keys, n, Type::kList, serve);
}

// BLPOP, BRPOP and BLMPOP over keys[0..n): the first that holds a list serves, else the client
// blocks. Serving a blocked client, only the key signalled ready is looked at (blocking.h).
void pop_or_block(CmdCtx& c, const std::string_view* keys, size_t n, bool front, int64_t count,
                  int64_t deadline) {
  if (serving_blocked(c)) {
    std::string_view key = served_key(c);
    if (!pop_first(c, &key, 1, front, count)) block_client(c, {}, deadline);
    return;
  }
  if (pop_first(c, keys, n, front, count)) return;
  block_client(c, std::vector<std::string_view>(keys, keys + n), deadline);
}

void blocking_pop(CmdCtx& c, bool front) {
  int64_t deadline;
  if (!parse_block_timeout(c, c.arg(c.argc() - 1), &deadline)) return;
  pop_or_block(c, &c.argv[1], c.argc() - 2, front, -1, deadline);
}

void cmd_blpop(CmdCtx& c) {
  blocking_pop(c, true);
}
void cmd_brpop(CmdCtx& c) {
  blocking_pop(c, false);
}

void cmd_lmpop(CmdCtx& c) {
  MpopArgs a;
  if (!parse_mpop(c, 1, "left", "right", &a)) return;
  if (!pop_first(c, &c.argv[a.first_key], a.nkeys, !a.second_end, a.count)) c.reply.null_array();
}

// BLMPOP timeout numkeys ...: Redis checks numkeys, the direction and COUNT before the timeout.
void cmd_blmpop(CmdCtx& c) {
  MpopArgs a;
  if (!parse_mpop(c, 2, "left", "right", &a)) return;
  int64_t deadline;
  if (!parse_block_timeout(c, c.arg(1), &deadline)) return;
  pop_or_block(c, &c.argv[a.first_key], a.nkeys, !a.second_end, a.count, deadline);
}

}  // namespace

void register_list_commands(CommandTable& t) {
  constexpr uint32_t W = kWrite, R = kReadonly, WM = kWrite | kDenyOom;
  constexpr std::string_view kPushCost =
      "O(1) for each element added, so O(N) to add N elements when the command is called with "
      "multiple arguments.";
  constexpr std::string_view kPopCost = "O(N) where N is the number of elements returned";
  constexpr std::string_view kMpopCost =
      "O(N+M) where N is the number of provided keys and M is the number of elements returned.";
  constexpr std::string_view kBlockingPopCost = "O(N) where N is the number of provided keys.";

  t.add({.name = "lpush",
         .arity = -3,
         .flags = WM | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_lpush,
         .doc = {.group = "list",
                 .summary = "Prepend one or multiple elements to a list",
                 .syntax = "key element [element ...]",
                 .complexity = kPushCost}});
  t.add({.name = "rpush",
         .arity = -3,
         .flags = WM | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_rpush,
         .doc = {.group = "list",
                 .summary = "Append one or multiple elements to a list",
                 .syntax = "key element [element ...]",
                 .complexity = kPushCost}});
  t.add({.name = "lpushx",
         .arity = -3,
         .flags = WM | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_lpushx,
         .doc = {.group = "list",
                 .summary = "Prepend an element to a list, only if the list exists",
                 .syntax = "key element [element ...]",
                 .since = "2.2.0",
                 .complexity = kPushCost}});
  t.add({.name = "rpushx",
         .arity = -3,
         .flags = WM | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_rpushx,
         .doc = {.group = "list",
                 .summary = "Append an element to a list, only if the list exists",
                 .syntax = "key element [element ...]",
                 .since = "2.2.0",
                 .complexity = kPushCost}});
  t.add({.name = "lpop",
         .arity = -2,
         .flags = W | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_lpop,
         .doc = {.group = "list",
                 .summary = "Remove and get the first elements in a list",
                 .syntax = "key [count]",
                 .complexity = kPopCost}});
  t.add({.name = "rpop",
         .arity = -2,
         .flags = W | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_rpop,
         .doc = {.group = "list",
                 .summary = "Remove and get the last elements in a list",
                 .syntax = "key [count]",
                 .complexity = kPopCost}});
  t.add({.name = "llen",
         .arity = 2,
         .flags = R | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_llen,
         .doc = {.group = "list", .summary = "Get the length of a list", .syntax = "key"}});
  t.add({.name = "lindex",
         .arity = 3,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_lindex,
         .doc = {
             .group = "list",
             .summary = "Get an element from a list by its index",
             .syntax = "key index",
             .complexity =
                 "O(N) where N is the number of elements to traverse to get to the element at "
                 "index. This makes asking for the first or the last element of the list O(1)."}});
  t.add({.name = "lset",
         .arity = 4,
         .flags = WM,
         .keys = {1, 1, 1},
         .fn = cmd_lset,
         .doc = {.group = "list",
                 .summary = "Set the value of an element in a list by its index",
                 .syntax = "key index element",
                 .complexity = "O(N) where N is the length of the list. Setting either the first "
                               "or the last element of the list is O(1)."}});
  t.add({.name = "lrange",
         .arity = 4,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_lrange,
         .doc = {.group = "list",
                 .summary = "Get a range of elements from a list",
                 .syntax = "key start stop",
                 .complexity = "O(S+N) where S is the distance of start offset from HEAD for small "
                               "lists, from nearest end (HEAD or TAIL) for large lists; and N is "
                               "the number of elements in the specified range."}});
  t.add({.name = "ltrim",
         .arity = 4,
         .flags = W,
         .keys = {1, 1, 1},
         .fn = cmd_ltrim,
         .doc = {.group = "list",
                 .summary = "Trim a list to the specified range",
                 .syntax = "key start stop",
                 .complexity =
                     "O(N) where N is the number of elements to be removed by the operation."}});
  t.add({.name = "lrem",
         .arity = 4,
         .flags = W,
         .keys = {1, 1, 1},
         .fn = cmd_lrem,
         .doc = {.group = "list",
                 .summary = "Remove elements from a list",
                 .syntax = "key count element",
                 .complexity = "O(N+M) where N is the length of the list and M is the number of "
                               "elements removed."}});
  t.add(
      {.name = "linsert",
       .arity = 5,
       .flags = WM,
       .keys = {1, 1, 1},
       .fn = cmd_linsert,
       .doc = {
           .group = "list",
           .summary = "Insert an element before or after another element in a list",
           .syntax = "key <BEFORE | AFTER> pivot element",
           .since = "2.2.0",
           .complexity =
               "O(N) where N is the number of elements to traverse before seeing the value pivot. "
               "This means that inserting somewhere on the left end on the list (head) can be "
               "considered O(1) and inserting somewhere on the right end (tail) is O(N)."}});
  t.add({.name = "lpos",
         .arity = -3,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_lpos,
         .doc = {.group = "list",
                 .summary = "Return the index of matching elements on a list",
                 .syntax = "key element [RANK rank] [COUNT num-matches] [MAXLEN len]",
                 .since = "6.0.6",
                 .complexity =
                     "O(N) where N is the number of elements in the list, for the average case. "
                     "When searching for elements near the head or the tail of the list, or when "
                     "the MAXLEN option is provided, the command may run in constant time."}});
  t.add({.name = "lmove",
         .arity = 5,
         .flags = WM,
         .keys = {1, 2, 1},
         .fn = cmd_lmove,
         .doc = {.group = "list",
                 .summary = "Pop an element from a list, push it to another list and return it",
                 .syntax = "source destination <LEFT | RIGHT> <LEFT | RIGHT>",
                 .since = "6.2.0"}});
  t.add({.name = "rpoplpush",
         .arity = 3,
         .flags = WM,
         .keys = {1, 2, 1},
         .fn = cmd_rpoplpush,
         .doc = {.group = "list",
                 .summary =
                     "Remove the last element in a list, prepend it to another list and return it",
                 .syntax = "source destination",
                 .since = "1.2.0"}});
  t.add({.name = "lmpop",
         .arity = -4,
         .flags = W | kMovableKeys,
         .numkeys_at = 1,
         .fn = cmd_lmpop,
         .doc = {.group = "list",
                 .summary = "Pop elements from a list",
                 .syntax = "numkeys key [key ...] <LEFT | RIGHT> [COUNT count]",
                 .since = "7.0.0",
                 .complexity = kMpopCost}});
  t.add({.name = "blpop",
         .arity = -3,
         .flags = W | kNoscript | kBlocking,
         .keys = {1, -2, 1},
         .fn = cmd_blpop,
         .doc = {.group = "list",
                 .summary =
                     "Remove and get the first element in a list, or block until one is available",
                 .syntax = "key [key ...] timeout",
                 .since = "2.0.0",
                 .complexity = kBlockingPopCost}});
  t.add({.name = "brpop",
         .arity = -3,
         .flags = W | kNoscript | kBlocking,
         .keys = {1, -2, 1},
         .fn = cmd_brpop,
         .doc = {.group = "list",
                 .summary =
                     "Remove and get the last element in a list, or block until one is available",
                 .syntax = "key [key ...] timeout",
                 .since = "2.0.0",
                 .complexity = kBlockingPopCost}});
  t.add({.name = "blmove",
         .arity = 6,
         .flags = WM | kNoscript | kBlocking,
         .keys = {1, 2, 1},
         .fn = cmd_blmove,
         .doc = {.group = "list",
                 .summary = "Pop an element from a list, push it to another list and return it; or "
                            "block until one is available",
                 .syntax = "source destination <LEFT | RIGHT> <LEFT | RIGHT> timeout",
                 .since = "6.2.0"}});
  t.add({.name = "brpoplpush",
         .arity = 4,
         .flags = WM | kNoscript | kBlocking,
         .keys = {1, 2, 1},
         .fn = cmd_brpoplpush,
         .doc = {.group = "list",
                 .summary = "Pop an element from a list, push it to another list and return it; or "
                            "block until one is available",
                 .syntax = "source destination timeout",
                 .since = "2.2.0"}});
  t.add({.name = "blmpop",
         .arity = -5,
         .flags = W | kBlocking | kMovableKeys,
         .numkeys_at = 2,
         .fn = cmd_blmpop,
         .doc = {.group = "list",
                 .summary = "Pop elements from a list, or block until one is available",
                 .syntax = "timeout numkeys key [key ...] <LEFT | RIGHT> [COUNT count]",
                 .since = "7.0.0",
                 .complexity = kMpopCost}});
}

}  // namespace respite::server
