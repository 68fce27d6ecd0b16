// Sets: SADD, SREM, SISMEMBER, SMISMEMBER, SMEMBERS, SCARD, SPOP, SRANDMEMBER, SMOVE, the algebra
// (SINTER, SINTERCARD, SUNION, SDIFF and the STORE forms) and SSCAN, over storage::SetValue
// (set_value.h). Redis 7.0.15 is the spec down to its choices that show: which error wins, which
// keys are type-checked before an empty one ends SINTER early (all of them), and which encoding a
// result gets (every result set starts as an intset and converts as it grows, so an all-integer
// result within set-max-intset-entries is an intset; SPOP of most of a set rebuilds the survivors
// the same way; SDIFF's two algorithms can leave different encodings, so both are kept).
// Multi-key commands lock every key's shard with one MultiLock, then reach each key through a
// Collection that joins that lock.
#include <algorithm>
#include <deque>
#include <memory>
#include <vector>

#include "server/collection.h"
#include "server/context.h"
#include "storage/glob.h"
#include "storage/set_value.h"

namespace respite::server {

using storage::MemberBuf;
using storage::SetValue;
using storage::Type;

namespace {

using SetColl = Collection<SetValue>;

size_t intset_limit(CmdCtx& c) {
  return encoding_limits(c.server).set_intset_entries;
}

// The whole set as a set reply (RESP3 '~', RESP2 array), straight from the collection.
void reply_members(protocol::ReplyWriter& r, const SetValue* s) {
  r.set(s->length());
  s->for_each([&](std::string_view m) { r.bulk(m); });
}

// --- single-key commands ---

void cmd_sadd(CmdCtx& c) {
  size_t limit = intset_limit(c);
  SetColl s(c, c.arg(1), Type::kSet);
  if (s.wrong_type()) return c.error(Err::kWrongType);
  SetValue* set = s.get();
  if (!set) set = s.create(SetValue::make_for(c.arg(2)));
  int64_t added = 0;
  for (size_t i = 2; i < c.argc(); i++) added += set->add(c.arg(i), limit);
  if (added) c.notify(kNotifySet, "sadd", c.arg(1));
  c.reply.integer(added);
}

void cmd_srem(CmdCtx& c) {
  SetColl s(c, c.arg(1), Type::kSet);
  if (s.wrong_type()) return c.error(Err::kWrongType);
  int64_t removed = 0;
  if (SetValue* set = s.get()) {
    for (size_t i = 2; i < c.argc() && set->length() > 0; i++) removed += set->remove(c.arg(i));
  }
  if (removed) c.notify(kNotifySet, "srem", c.arg(1));
  c.reply.integer(removed);  // an emptied set's key goes when s settles
}

void cmd_sismember(CmdCtx& c) {
  SetColl s(c, c.arg(1), Type::kSet, Access::kRead);
  if (s.wrong_type()) return c.error(Err::kWrongType);
  c.reply.integer(s.get() && s.get()->contains(c.arg(2)) ? 1 : 0);
}

void cmd_smismember(CmdCtx& c) {
  SetColl s(c, c.arg(1), Type::kSet, Access::kRead);
  if (s.wrong_type()) return c.error(Err::kWrongType);
  const SetValue* set = s.get();
  c.reply.array(c.argc() - 2);
  for (size_t i = 2; i < c.argc(); i++) c.reply.integer(set && set->contains(c.arg(i)) ? 1 : 0);
}

void cmd_scard(CmdCtx& c) {
  SetColl s(c, c.arg(1), Type::kSet, Access::kRead);
  if (s.wrong_type()) return c.error(Err::kWrongType);
  c.reply.integer(s.get() ? static_cast<int64_t>(s.get()->length()) : 0);
}

// SPOP key count: all of a small set at once (and the key goes); a few members drawn one by one;
// or, when most of the set goes, the few survivors drawn into a new set that then takes the old
// one's place (Redis's three cases, kept because the third decides the survivors' encoding).
void spop_count(CmdCtx& c) {
  int64_t n;
  if (!parse_int(c.arg(2), &n) || n < 0) return c.error(Err::kPositive);
  auto count = static_cast<size_t>(n);
  SetColl s(c, c.arg(1), Type::kSet);
  if (s.wrong_type()) return c.error(Err::kWrongType);
  SetValue* set = s.get();
  if (!set || count == 0) return c.reply.set(0);
  size_t size = set->length();
  if (count >= size) {
    reply_members(c.reply, set);
    s.remove();
    c.notify(kNotifySet, "spop", c.arg(1));
    c.notify(kNotifyGeneric, "del", c.arg(1));
    return;
  }
  storage::Rng& rng = c.worker.rng;
  MemberBuf buf;
  size_t remaining = size - count;
  if (remaining * 5 > count) {
    c.reply.set(count);
    while (count--) {
      std::string_view m = set->at(set->random_position(rng), &buf);
      c.reply.bulk(m);
      set->remove(m);
    }
    c.notify(kNotifySet, "spop", c.arg(1));
    return;
  }
  std::unique_ptr<SetValue> keep;
  size_t limit = intset_limit(c);
  while (remaining--) {
    std::string_view m = set->at(set->random_position(rng), &buf);
    if (!keep) keep.reset(SetValue::make_for(m));
    keep->add(m, limit);
    set->remove(m);
  }
  reply_members(c.reply, set);
  set->swap(*keep);  // the entry (and its TTL) stays; Collection accounts the memory change
  c.notify(kNotifySet, "spop", c.arg(1));
}

void cmd_spop(CmdCtx& c) {
  if (c.argc() == 3) return spop_count(c);
  if (c.argc() > 3) return c.error(Err::kSyntax);
  SetColl s(c, c.arg(1), Type::kSet);
  if (s.wrong_type()) return c.error(Err::kWrongType);
  SetValue* set = s.get();
  if (!set) return c.reply.null();
  storage::Rng& rng = c.worker.rng;
  MemberBuf buf;
  std::string_view m = set->at(set->random_position(rng), &buf);
  c.reply.bulk(m);
  set->remove(m);
  c.notify(kNotifySet, "spop", c.arg(1));
}

// SRANDMEMBER key count: count > 0 distinct members (the whole set when it has no more); count < 0
// |count| members that may repeat.
void srandmember_count(CmdCtx& c) {
  int64_t l;
  if (!parse_int(c.arg(2), &l)) return c.error(Err::kNotInt);
  if (l == INT64_MIN) return c.error(Err::kRandCount);
  bool distinct = l >= 0;
  uint64_t count = distinct ? static_cast<uint64_t>(l) : static_cast<uint64_t>(-l);
  SetColl s(c, c.arg(1), Type::kSet, Access::kRead);
  if (s.wrong_type()) return c.error(Err::kWrongType);
  const SetValue* set = s.get();
  if (!set || count == 0) return c.reply.array(0);
  storage::Rng& rng = c.worker.rng;
  MemberBuf buf;
  if (!distinct || count == 1) {
    c.reply.array(count);
    while (count--) c.reply.bulk(set->at(set->random_position(rng), &buf));
    return;
  }
  if (count >= set->length()) {
    c.reply.array(set->length());
    set->for_each([&](std::string_view m) { c.reply.bulk(m); });
    return;
  }
  std::vector<size_t> picks = set->sample_positions(count, rng);
  c.reply.array(picks.size());
  for (size_t p : picks) c.reply.bulk(set->at(p, &buf));
}

void cmd_srandmember(CmdCtx& c) {
  if (c.argc() == 3) return srandmember_count(c);
  if (c.argc() > 3) return c.error(Err::kSyntax);
  SetColl s(c, c.arg(1), Type::kSet, Access::kRead);
  if (s.wrong_type()) return c.error(Err::kWrongType);
  const SetValue* set = s.get();
  if (!set) return c.reply.null();
  storage::Rng& rng = c.worker.rng;
  MemberBuf buf;
  c.reply.bulk(set->at(set->random_position(rng), &buf));
}

void cmd_smove(CmdCtx& c) {
  std::string_view src = c.arg(1), dst = c.arg(2), member = c.arg(3);
  storage::Keyspace& ks = c.db();
  storage::MultiLock lock;
  lock.add_key(ks, src);
  lock.add_key(ks, dst);
  lock.lock();
  // The source emptied (and deleted) and the destination created appear together.
  storage::MultiWrite write(c.op);
  Staging staging(c, &write);
  if (src == dst) {  // a no-op that still answers whether the member is there
    SetColl s(c, ks, src, Type::kSet, AlreadyLocked{});
    if (!s.exists()) return c.reply.integer(0);
    if (s.wrong_type()) return c.error(Err::kWrongType);
    return c.reply.integer(s.get()->contains(member) ? 1 : 0);
  }
  SetColl from(c, ks, src, Type::kSet, AlreadyLocked{});
  SetColl to(c, ks, dst, Type::kSet, AlreadyLocked{});
  if (!from.exists()) return c.reply.integer(0);  // before the type checks, as Redis
  if (from.wrong_type() || to.wrong_type()) return c.error(Err::kWrongType);
  if (!from.get()->remove(member)) return c.reply.integer(0);
  c.notify(kNotifySet, "srem", src);
  from.settle();  // an emptied source goes now: its "del" comes before the destination's events
  SetValue* target = to.get();
  if (!target) target = to.create(SetValue::make_for(member));
  if (target->add(member, intset_limit(c))) c.notify(kNotifySet, "sadd", dst);
  c.reply.integer(1);
}

void cmd_smembers(CmdCtx& c) {
  SetColl s(c, c.arg(1), Type::kSet, Access::kRead);
  if (s.wrong_type()) return c.error(Err::kWrongType);
  if (!s.get()) return c.reply.set(0);
  reply_members(c.reply, s.get());
}

// --- the algebra ---

// A member of a result: an intset's integer, or bytes inside a source set (valid while locked).
struct Member {
  std::string_view str;
  int64_t v = 0;
  bool is_int = false;
};

void reply_member(protocol::ReplyWriter& r, const Member& m) {
  if (!m.is_int) return r.bulk(m.str);
  MemberBuf buf;
  r.bulk(SetValue::format(m.v, &buf));
}

bool add_member(SetValue* s, const Member& m, size_t limit) {
  return m.is_int ? s->add_int(m.v, limit) : s->add(m.str, limit);
}

// The source keys of an algebra command, under the caller's MultiLock. A missing key is an empty
// set (nullptr in `sets`).
struct Sources {
  std::deque<SetColl> colls;  // a deque: Collections cannot move
  std::vector<const SetValue*> sets;
  bool any_missing = false;
};

// Looks up keys argv[first, first + n) in order; false (having replied WRONGTYPE) at the first
// that holds another type. Every key is checked, even after a missing one.
bool open_sources(CmdCtx& c, storage::Keyspace& ks, size_t first, size_t n, Sources* out) {
  for (size_t i = first; i < first + n; i++) {
    SetColl& s =
        out->colls.emplace_back(c, ks, c.arg(i), Type::kSet, AlreadyLocked{}, Access::kRead);
    if (s.wrong_type()) {
      c.error(Err::kWrongType);
      return false;
    }
    out->sets.push_back(s.get());
    if (!s.get()) out->any_missing = true;
  }
  return true;
}

void lock_keys(CmdCtx& c, storage::Keyspace& ks, size_t first, size_t n, storage::MultiLock* lock) {
  for (size_t i = first; i < first + n; i++) lock->add_key(ks, c.arg(i));
  lock->lock();
}

// Calls fn(Member) for each member of the intersection of `sets` (none missing) until fn returns
// false. The smallest set is walked and each member looked up in the others, as Redis does.
template <class Fn>
void intersect(std::vector<const SetValue*> sets, Fn&& fn) {
  std::stable_sort(sets.begin(), sets.end(),
                   [](const SetValue* a, const SetValue* b) { return a->length() < b->length(); });
  const SetValue* first = sets[0];
  MemberBuf buf;
  for (size_t p = 0, n = first->position_count(); p < n; p++) {
    if (!first->occupied(p)) continue;
    Member m;
    if (first->is_intset()) {
      m.is_int = true;
      m.v = first->int_at(p);
    } else {
      m.str = first->at(p, &buf);
    }
    bool in_all = true;
    for (size_t j = 1; j < sets.size() && in_all; j++) {
      if (sets[j] == first) continue;
      in_all = m.is_int ? sets[j]->contains_int(m.v) : sets[j]->contains(m.str);
    }
    if (in_all && !fn(m)) return;
  }
}

void add_all(SetValue* dst, const SetValue* src, size_t limit) {
  if (src->is_intset())
    src->for_each_int([&](int64_t v) { dst->add_int(v, limit); });
  else
    src->for_each([&](std::string_view m) { dst->add(m, limit); });
}

// SUNION: every member of every set, added to a set that starts as an intset.
SetValue* set_union(const std::vector<const SetValue*>& sets, size_t limit) {
  auto* out = SetValue::make_intset();
  for (const SetValue* s : sets) {
    if (s) add_all(out, s, limit);
  }
  return out;
}

// SDIFF with Redis's choice of algorithm (it shows in the result's encoding: removing members
// never turns a hashtable back into an intset). 1: keep each member of the first set found in no
// other; 2: copy the first set and remove every other set's members.
SetValue* set_diff(const std::vector<const SetValue*>& sets, size_t limit) {
  auto* out = SetValue::make_intset();
  const SetValue* first = sets[0];
  if (!first) return out;
  for (size_t j = 1; j < sets.size(); j++) {
    if (sets[j] == first) return out;  // the first key again: nothing can remain
  }
  long long one = 0, two = 0;
  for (const SetValue* s : sets) {
    if (!s) continue;
    one += static_cast<long long>(first->length());
    two += static_cast<long long>(s->length());
  }
  one /= 2;  // Redis's head start for algorithm 1, which stops at the first match
  if (one <= two) {
    std::vector<const SetValue*> others;
    for (size_t j = 1; j < sets.size(); j++) {
      if (sets[j]) others.push_back(sets[j]);
    }
    // Bigger sets first: a member found in one is rejected sooner.
    std::stable_sort(others.begin(), others.end(), [](const SetValue* a, const SetValue* b) {
      return a->length() > b->length();
    });
    auto absent = [&](auto&& contains) {
      for (const SetValue* o : others) {
        if (contains(o)) return false;
      }
      return true;
    };
    if (first->is_intset()) {
      first->for_each_int([&](int64_t v) {
        if (absent([&](const SetValue* o) { return o->contains_int(v); })) out->add_int(v, limit);
      });
    } else {
      first->for_each([&](std::string_view m) {
        if (absent([&](const SetValue* o) { return o->contains(m); })) out->add(m, limit);
      });
    }
    return out;
  }
  add_all(out, first, limit);
  for (size_t j = 1; j < sets.size() && out->length() > 0; j++) {
    if (sets[j]) sets[j]->for_each([&](std::string_view m) { out->remove(m); });
  }
  return out;
}

enum class SetOp { kInter, kUnion, kDiff };

// SINTER, SUNION, SDIFF (dst_pos 0) and their STORE forms (dst_pos 1: the destination, replaced by
// the result or deleted when it is empty).
void algebra(CmdCtx& c, SetOp op, size_t dst_pos) {
  storage::Keyspace& ks = c.db();
  size_t first = dst_pos + 1, n = c.argc() - first;
  size_t limit = intset_limit(c);
  storage::MultiLock lock;
  lock_keys(c, ks, dst_pos ? dst_pos : first, dst_pos ? n + 1 : n, &lock);
  std::unique_ptr<SetValue> result;
  {
    Sources src;
    if (!open_sources(c, ks, first, n, &src)) return;
    if (op == SetOp::kInter && !dst_pos) {
      // Reply straight from the sources: the members are collected first only for their count.
      std::vector<Member> out;
      if (!src.any_missing)
        intersect(src.sets, [&](const Member& m) {
          out.push_back(m);
          return true;
        });
      c.reply.set(out.size());
      for (const Member& m : out) reply_member(c.reply, m);
      return;
    }
    if (op == SetOp::kInter) {
      result.reset(SetValue::make_intset());
      if (!src.any_missing)
        intersect(src.sets, [&](const Member& m) {
          add_member(result.get(), m, limit);
          return true;
        });
    } else {
      result.reset(op == SetOp::kUnion ? set_union(src.sets, limit) : set_diff(src.sets, limit));
    }
  }  // the sources' Collections end here, before the destination (maybe one of them) changes
  if (!dst_pos) return reply_members(c.reply, result.get());
  SetColl dst(c, ks, c.arg(dst_pos), Type::kSet, AlreadyLocked{});
  size_t size = result->length();
  dst.store(size ? result.release() : nullptr);
  if (size) {
    c.notify(kNotifySet,
             op == SetOp::kInter   ? "sinterstore"
             : op == SetOp::kUnion ? "sunionstore"
                                   : "sdiffstore",
             c.arg(dst_pos));
  }
  c.reply.integer(static_cast<int64_t>(size));
}

void cmd_sinter(CmdCtx& c) {
  algebra(c, SetOp::kInter, 0);
}
void cmd_sinterstore(CmdCtx& c) {
  algebra(c, SetOp::kInter, 1);
}
void cmd_sunion(CmdCtx& c) {
  algebra(c, SetOp::kUnion, 0);
}
void cmd_sunionstore(CmdCtx& c) {
  algebra(c, SetOp::kUnion, 1);
}
void cmd_sdiff(CmdCtx& c) {
  algebra(c, SetOp::kDiff, 0);
}
void cmd_sdiffstore(CmdCtx& c) {
  algebra(c, SetOp::kDiff, 1);
}

void cmd_sintercard(CmdCtx& c) {
  int64_t numkeys;
  if (!parse_int(c.arg(1), &numkeys) || numkeys < 1) return c.error(Err::kNumkeysPositive);
  if (static_cast<uint64_t>(numkeys) > c.argc() - 2) return c.error(Err::kTooManyKeys);
  auto n = static_cast<size_t>(numkeys);
  int64_t limit = 0;  // 0: no limit
  for (size_t j = 2 + n; j < c.argc(); j++) {
    if (iequals(c.arg(j), "limit") && j + 1 < c.argc()) {
      if (!parse_int(c.arg(++j), &limit) || limit < 0) return c.error(Err::kLimitNegative);
    } else {
      return c.error(Err::kSyntax);
    }
  }
  storage::Keyspace& ks = c.db();
  storage::MultiLock lock;
  lock_keys(c, ks, 2, n, &lock);
  Sources src;
  if (!open_sources(c, ks, 2, n, &src)) return;
  int64_t card = 0;
  if (!src.any_missing)
    intersect(src.sets, [&](const Member&) {
      ++card;
      return limit == 0 || card < limit;
    });
  c.reply.integer(card);
}

void cmd_sscan(CmdCtx& c) {
  uint64_t cursor;
  if (!parse_scan_cursor(c, c.arg(2), &cursor)) return;
  SetColl s(c, c.arg(1), Type::kSet, Access::kRead);
  if (!s.exists()) return reply_scan(c.reply, 0, 0);
  if (s.wrong_type()) return c.error(Err::kWrongType);
  ScanArgs a;
  if (!parse_scan_options(c, 3, false, &a)) return;
  const SetValue* set = s.get();
  auto keep = [&](std::string_view m) {
    return !a.has_pattern || storage::glob_match(a.pattern, m);
  };
  if (set->is_intset()) {  // no cursor: everything at once, and 0
    std::vector<int64_t> items;
    MemberBuf buf;
    set->for_each_int([&](int64_t v) {
      if (keep(SetValue::format(v, &buf))) items.push_back(v);
    });
    reply_scan(c.reply, 0, items.size());
    for (int64_t v : items) c.reply.bulk(SetValue::format(v, &buf));
    return;
  }
  // As Redis: visit buckets until `count` members were seen (before MATCH filters them), at most
  // count * 10 buckets, or the end.
  std::vector<std::string_view> items;
  size_t buckets = a.count > SIZE_MAX / 10 ? SIZE_MAX : a.count * 10;
  do {
    cursor = set->scan(cursor, [&](std::string_view m) { items.push_back(m); });
  } while (cursor && buckets-- && items.size() < a.count);
  if (a.has_pattern)
    items.erase(
        std::remove_if(items.begin(), items.end(), [&](std::string_view m) { return !keep(m); }),
        items.end());
  reply_scan(c.reply, cursor, items.size());
  for (std::string_view m : items) c.reply.bulk(m);
}

}  // namespace

void register_set_commands(CommandTable& t) {
  constexpr uint32_t W = kWrite, R = kReadonly, F = kFast, M = kDenyOom;
  t.add({.name = "sadd",
         .arity = -3,
         .flags = W | M | F,
         .keys = {1, 1, 1},
         .fn = cmd_sadd,
         .doc = {.group = "set",
                 .summary = "Add one or more members to a set",
                 .syntax = "key member [member ...]",
                 .complexity = "O(1) for each element added, so O(N) to add N elements when the "
                               "command is called with multiple arguments."}});
  t.add({.name = "srem",
         .arity = -3,
         .flags = W | F,
         .keys = {1, 1, 1},
         .fn = cmd_srem,
         .doc = {.group = "set",
                 .summary = "Remove one or more members from a set",
                 .syntax = "key member [member ...]",
                 .complexity = "O(N) where N is the number of members to be removed."}});
  t.add({.name = "sismember",
         .arity = 3,
         .flags = R | F,
         .keys = {1, 1, 1},
         .fn = cmd_sismember,
         .doc = {.group = "set",
                 .summary = "Determine if a given value is a member of a set",
                 .syntax = "key member"}});
  t.add({.name = "smismember",
         .arity = -3,
         .flags = R | F,
         .keys = {1, 1, 1},
         .fn = cmd_smismember,
         .doc = {
             .group = "set",
             .summary = "Returns the membership associated with the given elements for a set",
             .syntax = "key member [member ...]",
             .since = "6.2.0",
             .complexity = "O(N) where N is the number of elements being checked for membership"}});
  t.add({.name = "smembers",
         .arity = 2,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_smembers,
         .doc = {.group = "set",
                 .summary = "Get all the members in a set",
                 .syntax = "key",
                 .complexity = "O(N) where N is the set cardinality."}});
  t.add(
      {.name = "scard",
       .arity = 2,
       .flags = R | F,
       .keys = {1, 1, 1},
       .fn = cmd_scard,
       .doc = {.group = "set", .summary = "Get the number of members in a set", .syntax = "key"}});
  t.add({.name = "spop",
         .arity = -2,
         .flags = W | F,
         .keys = {1, 1, 1},
         .fn = cmd_spop,
         .doc = {.group = "set",
                 .summary = "Remove and return one or multiple random members from a set",
                 .syntax = "key [count]",
                 .complexity = "Without the count argument O(1), otherwise O(N) where N is the "
                               "value of the passed count."}});
  t.add({.name = "srandmember",
         .arity = -2,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_srandmember,
         .doc = {.group = "set",
                 .summary = "Get one or multiple random members from a set",
                 .syntax = "key [count]",
                 .complexity = "Without the count argument O(1), otherwise O(N) where N is the "
                               "absolute value of the passed count."}});
  t.add({.name = "smove",
         .arity = 4,
         .flags = W | F,
         .keys = {1, 2, 1},
         .fn = cmd_smove,
         .doc = {.group = "set",
                 .summary = "Move a member from one set to another",
                 .syntax = "source destination member"}});
  t.add({.name = "sinter",
         .arity = -2,
         .flags = R,
         .keys = {1, -1, 1},
         .fn = cmd_sinter,
         .doc = {.group = "set",
                 .summary = "Intersect multiple sets",
                 .syntax = "key [key ...]",
                 .complexity = "O(N*M) worst case where N is the cardinality of the smallest set "
                               "and M is the number of sets."}});
  t.add({.name = "sintercard",
         .arity = -3,
         .flags = R | kMovableKeys,
         .numkeys_at = 1,
         .fn = cmd_sintercard,
         .doc = {.group = "set",
                 .summary = "Intersect multiple sets and return the cardinality of the result",
                 .syntax = "numkeys key [key ...] [LIMIT limit]",
                 .since = "7.0.0",
                 .complexity = "O(N*M) worst case where N is the cardinality of the smallest set "
                               "and M is the number of sets."}});
  t.add({.name = "sinterstore",
         .arity = -3,
         .flags = W | M,
         .keys = {1, -1, 1},
         .fn = cmd_sinterstore,
         .doc = {.group = "set",
                 .summary = "Intersect multiple sets and store the resulting set in a key",
                 .syntax = "destination key [key ...]",
                 .complexity = "O(N*M) worst case where N is the cardinality of the smallest set "
                               "and M is the number of sets."}});
  t.add({.name = "sunion",
         .arity = -2,
         .flags = R,
         .keys = {1, -1, 1},
         .fn = cmd_sunion,
         .doc = {.group = "set",
                 .summary = "Add multiple sets",
                 .syntax = "key [key ...]",
                 .complexity = "O(N) where N is the total number of elements in all given sets."}});
  t.add({.name = "sunionstore",
         .arity = -3,
         .flags = W | M,
         .keys = {1, -1, 1},
         .fn = cmd_sunionstore,
         .doc = {.group = "set",
                 .summary = "Add multiple sets and store the resulting set in a key",
                 .syntax = "destination key [key ...]",
                 .complexity = "O(N) where N is the total number of elements in all given sets."}});
  t.add({.name = "sdiff",
         .arity = -2,
         .flags = R,
         .keys = {1, -1, 1},
         .fn = cmd_sdiff,
         .doc = {.group = "set",
                 .summary = "Subtract multiple sets",
                 .syntax = "key [key ...]",
                 .complexity = "O(N) where N is the total number of elements in all given sets."}});
  t.add({.name = "sdiffstore",
         .arity = -3,
         .flags = W | M,
         .keys = {1, -1, 1},
         .fn = cmd_sdiffstore,
         .doc = {.group = "set",
                 .summary = "Subtract multiple sets and store the resulting set in a key",
                 .syntax = "destination key [key ...]",
                 .complexity = "O(N) where N is the total number of elements in all given sets."}});
  t.add({.name = "sscan",
         .arity = -3,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_sscan,
         .doc = {.group = "set",
                 .summary = "Incrementally iterate Set elements",
                 .syntax = "key cursor [MATCH pattern] [COUNT count]",
                 .since = "2.8.0",
                 .complexity = "O(1) for every call. O(N) for a complete iteration, including "
                               "enough command calls for the cursor to return back to 0. N is the "
                               "number of elements inside the collection.."}});
}

}  // namespace respite::server
