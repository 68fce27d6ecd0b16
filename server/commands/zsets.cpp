// Sorted sets: ZADD and its options, scores and ranks, ranges by rank, score and lex (the ZRANGE
// family and ZRANGESTORE), removal of ranges, pops (ZPOPMIN/MAX, ZMPOP and their blocking forms),
// the algebra (ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD), ZRANDMEMBER and ZSCAN,
// over storage::ZSetValue (storage/zset_value.h); argument parsing lives in zset_args.h and the
// algebra's computation in storage (zset::combine).
//
// Each handler parses its arguments in Redis 7.0's order (so that the same error wins when several
// apply), then works on the set under its shard lock through Collection<ZSetValue>, replying
// straight from the set while the lock is held. Ranges are turned into rank intervals by the
// storage layer and walked from there. Commands that add members signal the key ready for blocked
// BZPOPMIN/BZMPOP clients (blocking.h).
//
// A blocking handler first serves itself like its non-blocking twin; when none of its keys holds a
// sorted set it calls block_client() and replies nothing. The framework runs the same handler again
// when a key it waits on is signalled (serving_blocked() is then true), and then looks at that key
// only (served_key()); in that second life a key of another type is passed over instead of
// answered with WRONGTYPE, since Redis only serves a blocked client from a key that holds a sorted
// set.
#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "server/arg_parser.h"
#include "server/blocking.h"
#include "server/collection.h"
#include "server/commands/zset_args.h"
#include "server/context.h"
#include "storage/glob.h"
#include "storage/set_value.h"
#include "storage/zset_value.h"

namespace respite::server {

using storage::Type;

namespace {

using namespace zsets;
using ZSet = Collection<ZSetValue>;

ZSetValue::Limits limits(CmdCtx& c) {
  EncodingLimits l = encoding_limits(c.server);
  return {l.zset_entries, l.zset_value};
}

// ---------------------------------------------------------------------------------------------
// Replies

// A range reply of n items: RESP2 flattens member and score, RESP3 nests [member, score] pairs (as
// Redis 7.0 does for the ZRANGE family, ZPOP with a count, the algebra and ZRANDMEMBER).
void items_header(protocol::ReplyWriter& r, size_t n, bool withscores) {
  r.array(withscores && r.resp() == 2 ? n * 2 : n);
}

void reply_item(protocol::ReplyWriter& r, const ZItem& it, bool withscores) {
  if (withscores && r.resp() == 3) r.array(2);
  r.bulk(it.member);
  if (withscores) r.dbl(it.score);
}

// Replies `count` items walked from rank `start`.
void reply_run(protocol::ReplyWriter& r, const ZSetValue* z, size_t start, size_t count,
               bool reverse, bool withscores) {
  items_header(r, count, withscores);
  if (count == 0) return;
  size_t left = count;
  z->walk(start, reverse, [&](const ZItem& it) {
    reply_item(r, it, withscores);
    return --left > 0;
  });
}

// ---------------------------------------------------------------------------------------------
// ZADD, ZINCRBY, ZREM

void zadd_generic(CmdCtx& c, int flags) {
  bool ch = false;
  // The flags come first; the first word that is none of them starts the score-member pairs.
  ArgParser p(c.argv, 2);
  constexpr int kFlagOf[] = {ZSetValue::kNX,   ZSetValue::kXX, 0,
                             ZSetValue::kIncr, ZSetValue::kGT, ZSetValue::kLT};
  for (;;) {
    int i = p.switch_of({"NX", "XX", "CH", "INCR", "GT", "LT"});
    if (i < 0) break;
    flags |= kFlagOf[i];
    ch |= i == 2;
  }
  const size_t idx = p.index();
  const bool incr = flags & ZSetValue::kIncr, nx = flags & ZSetValue::kNX;
  const bool xx = flags & ZSetValue::kXX, gt = flags & ZSetValue::kGT, lt = flags & ZSetValue::kLT;
  size_t elements = c.argc() - idx;
  if (elements % 2 || elements == 0) return c.error(Err::kSyntax);
  elements /= 2;
  if (nx && xx) return c.error(Err::kZaddXxNx);
  if ((gt && nx) || (lt && nx) || (gt && lt)) return c.error(Err::kZaddGtLtNx);
  if (incr && elements > 1) return c.error(Err::kZaddIncrPair);

  // Every score is parsed before anything changes: the command applies fully or not at all.
  double small[16];
  std::vector<double> big;
  double* scores = small;
  if (elements > 16) {
    big.resize(elements);
    scores = big.data();
  }
  for (size_t j = 0; j < elements; j++) {
    if (!parse_double(c.arg(idx + 2 * j), &scores[j])) return c.error(Err::kNotFloat);
  }

  ZSetValue::Limits lim = limits(c);
  ZSet z(c, c.arg(1), Type::kZSet);
  if (z.wrong_type()) return c.error(Err::kWrongType);
  if (!z.exists()) {
    if (xx) return incr ? c.reply.null() : c.reply.integer(0);
    z.create(ZSetValue::create(lim, c.arg(idx + 1).size()));
  }
  int64_t added = 0, updated = 0, processed = 0;
  double score = 0;
  for (size_t j = 0; j < elements; j++) {
    double out = 0;
    switch (z.get()->add(scores[j], c.arg(idx + 1 + 2 * j), flags, lim, &out)) {
      case ZSetValue::AddResult::kNaN:
        return c.error(Err::kScoreNaN);
      case ZSetValue::AddResult::kAdded:
        added++;
        break;
      case ZSetValue::AddResult::kUpdated:
        updated++;
        break;
      case ZSetValue::AddResult::kUnchanged:
        break;
      case ZSetValue::AddResult::kNop:
        continue;
    }
    processed++;
    score = out;
  }
  if (added || updated) {
    z.changed();
    c.notify(kNotifyZset, incr ? "zincr" : "zadd", c.arg(1));
  }
  if (incr) {
    if (processed)
      c.reply.dbl(score);
    else
      c.reply.null();
  } else {
    c.reply.integer(ch ? added + updated : added);
  }
  if (added) signal_key_ready(c, c.arg(1));
}

void cmd_zadd(CmdCtx& c) {
  zadd_generic(c, 0);
}
void cmd_zincrby(CmdCtx& c) {
  zadd_generic(c, ZSetValue::kIncr);
}

void cmd_zrem(CmdCtx& c) {
  ZSet z(c, c.arg(1), Type::kZSet);
  if (!z.exists()) return c.reply.integer(0);
  if (z.wrong_type()) return c.error(Err::kWrongType);
  int64_t n = 0;
  for (size_t i = 2; i < c.argc() && z.get()->length() > 0; i++) n += z.get()->remove(c.arg(i));
  if (n) c.notify(kNotifyZset, "zrem", c.arg(1));
  c.reply.integer(n);
}

// ---------------------------------------------------------------------------------------------
// Point reads: ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT

void cmd_zcard(CmdCtx& c) {
  ZSet z(c, c.arg(1), Type::kZSet, Access::kRead);
  if (!z.exists()) return c.reply.integer(0);
  if (z.wrong_type()) return c.error(Err::kWrongType);
  c.reply.integer(static_cast<int64_t>(z.get()->length()));
}

void cmd_zscore(CmdCtx& c) {
  ZSet z(c, c.arg(1), Type::kZSet, Access::kRead);
  if (!z.exists()) return c.reply.null();
  if (z.wrong_type()) return c.error(Err::kWrongType);
  double s;
  if (z.get()->score(c.arg(2), &s))
    c.reply.dbl(s);
  else
    c.reply.null();
}

void cmd_zmscore(CmdCtx& c) {
  ZSet z(c, c.arg(1), Type::kZSet, Access::kRead);
  if (z.wrong_type()) return c.error(Err::kWrongType);
  c.reply.array(c.argc() - 2);
  for (size_t i = 2; i < c.argc(); i++) {
    double s;
    if (z.exists() && z.get()->score(c.arg(i), &s))
      c.reply.dbl(s);
    else
      c.reply.null();
  }
}

void rank_generic(CmdCtx& c, bool reverse) {
  ZSet z(c, c.arg(1), Type::kZSet, Access::kRead);
  if (!z.exists()) return c.reply.null();
  if (z.wrong_type()) return c.error(Err::kWrongType);
  size_t r;
  if (!z.get()->rank(c.arg(2), &r)) return c.reply.null();
  if (reverse) r = z.get()->length() - 1 - r;
  c.reply.integer(static_cast<int64_t>(r));
}

void cmd_zrank(CmdCtx& c) {
  rank_generic(c, false);
}
void cmd_zrevrank(CmdCtx& c) {
  rank_generic(c, true);
}

void cmd_zcount(CmdCtx& c) {
  ZScoreRange r;
  if (!parse_score_range(c, c.arg(2), c.arg(3), &r)) return;
  ZSet z(c, c.arg(1), Type::kZSet, Access::kRead);
  if (!z.exists()) return c.reply.integer(0);
  if (z.wrong_type()) return c.error(Err::kWrongType);
  c.reply.integer(static_cast<int64_t>(z.get()->count_in(r)));
}

void cmd_zlexcount(CmdCtx& c) {
  ZLexRange r;
  if (!parse_lex_range(c, c.arg(2), c.arg(3), &r)) return;
  ZSet z(c, c.arg(1), Type::kZSet, Access::kRead);
  if (!z.exists()) return c.reply.integer(0);
  if (z.wrong_type()) return c.error(Err::kWrongType);
  c.reply.integer(static_cast<int64_t>(z.get()->lex_count(r)));
}

// ---------------------------------------------------------------------------------------------
// The ZRANGE family

void zrange_generic(CmdCtx& c, RangeBy by, Dir dir) {
  RangeSpec s;
  if (!parse_range_spec(c, 1, false, by, dir, &s)) return;
  ZSet z(c, c.arg(1), Type::kZSet, Access::kRead);
  if (!z.exists()) return c.reply.array(0);
  if (z.wrong_type()) return c.error(Err::kWrongType);
  Run run = resolve(z.get(), s);
  reply_run(c.reply, z.get(), run.start, run.count, s.reverse, s.withscores);
}

void cmd_zrange(CmdCtx& c) {
  zrange_generic(c, RangeBy::kAuto, kDirAuto);
}
void cmd_zrevrange(CmdCtx& c) {
  zrange_generic(c, RangeBy::kRank, kReverse);
}
void cmd_zrangebyscore(CmdCtx& c) {
  zrange_generic(c, RangeBy::kScore, kForward);
}
void cmd_zrevrangebyscore(CmdCtx& c) {
  zrange_generic(c, RangeBy::kScore, kReverse);
}
void cmd_zrangebylex(CmdCtx& c) {
  zrange_generic(c, RangeBy::kLex, kForward);
}
void cmd_zrevrangebylex(CmdCtx& c) {
  zrange_generic(c, RangeBy::kLex, kReverse);
}

// ZRANGESTORE dst src min max ...: the result is built member by member as Redis builds it (so it
// is packed exactly when it fits), then replaces dst whatever dst held; an empty result deletes
// dst.
void cmd_zrangestore(CmdCtx& c) {
  RangeSpec s;
  if (!parse_range_spec(c, 2, true, RangeBy::kAuto, kDirAuto, &s)) return;
  storage::Keyspace& ks = c.db();
  storage::MultiLock lock;
  lock.add_key(ks, c.arg(1));
  lock.add_key(ks, c.arg(2));
  lock.lock();
  ZSetValue* fresh = nullptr;
  {
    ZSet src(c, ks, c.arg(2), Type::kZSet, AlreadyLocked{}, Access::kRead);
    if (src.wrong_type()) return c.error(Err::kWrongType);
    Run run = src.exists() ? resolve(src.get(), s) : Run{};
    if (run.count) {
      ZSetValue::Limits lim = limits(c);
      fresh = ZSetValue::create_packed();
      size_t left = run.count;
      src.get()->walk(run.start, s.reverse, [&](const ZItem& it) {
        double out;
        fresh->add(it.score, it.member, 0, lim, &out);
        return --left > 0;
      });
    }
  }
  size_t n = fresh ? fresh->length() : 0;
  ZSet dst(c, ks, c.arg(1), Type::kZSet, AlreadyLocked{});
  dst.store(fresh);
  if (n) c.notify(kNotifyZset, "zrangestore", c.arg(1));
  c.reply.integer(static_cast<int64_t>(n));
  if (n) signal_key_ready(c, c.arg(1));
}

// ---------------------------------------------------------------------------------------------
// ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX

void zremrange_generic(CmdCtx& c, RangeBy by) {
  int64_t start = 0, end = 0;
  ZScoreRange score;
  ZLexRange lex;
  if (by == RangeBy::kRank) {
    if (!parse_rank_range(c, 2, &start, &end)) return;
  } else if (by == RangeBy::kScore) {
    if (!parse_score_range(c, c.arg(2), c.arg(3), &score)) return;
  } else if (!parse_lex_range(c, c.arg(2), c.arg(3), &lex)) {
    return;
  }
  ZSet z(c, c.arg(1), Type::kZSet);
  if (!z.exists()) return c.reply.integer(0);
  if (z.wrong_type()) return c.error(Err::kWrongType);
  ZSetValue* s = z.get();
  RangeSpec spec;
  spec.by = by;
  spec.start = start;
  spec.end = end;
  spec.score = score;
  spec.lex = lex;
  Run run = resolve(s, spec);
  s->erase_ranks(run.start, run.count);
  if (run.count) {
    c.notify(kNotifyZset,
             by == RangeBy::kRank    ? "zremrangebyrank"
             : by == RangeBy::kScore ? "zremrangebyscore"
                                     : "zremrangebylex",
             c.arg(1));
  }
  c.reply.integer(static_cast<int64_t>(run.count));
}

void cmd_zremrangebyrank(CmdCtx& c) {
  zremrange_generic(c, RangeBy::kRank);
}
void cmd_zremrangebyscore(CmdCtx& c) {
  zremrange_generic(c, RangeBy::kScore);
}
void cmd_zremrangebylex(CmdCtx& c) {
  zremrange_generic(c, RangeBy::kLex);
}

// ---------------------------------------------------------------------------------------------
// Pops: ZPOPMIN, ZPOPMAX, BZPOPMIN, BZPOPMAX, ZMPOP, BZMPOP

enum class PopShape {
  kFlat,       // ZPOPMIN (RESP2, or no count): member, score, member, score...
  kNested,     // ZPOPMIN with a count in RESP3: [[member, score], ...]
  kKeyFlat,    // BZPOPMIN: [key, member, score]
  kKeyNested,  // ZMPOP, BZMPOP: [key, [[member, score], ...]]
};

// Replies with up to `count` lowest (or highest) members of a non-empty set, then removes them.
void pop_reply(CmdCtx& c, ZSet& z, bool max, size_t count, PopShape shape) {
  ZSetValue* s = z.get();
  const size_t len = s->length(), n = std::min(count, len);
  protocol::ReplyWriter& r = c.reply;
  switch (shape) {
    case PopShape::kFlat:
      r.array(n * 2);
      break;
    case PopShape::kNested:
      r.array(n);
      break;
    case PopShape::kKeyFlat:
      r.array(n * 2 + 1);
      r.bulk(z.key());
      break;
    case PopShape::kKeyNested:
      r.array(2);
      r.bulk(z.key());
      r.array(n);
      break;
  }
  const bool nested = shape == PopShape::kNested || shape == PopShape::kKeyNested;
  size_t left = n;
  s->walk(max ? len - 1 : 0, max, [&](const ZItem& it) {
    if (nested) r.array(2);
    r.bulk(it.member);
    r.dbl(it.score);
    return --left > 0;
  });
  s->erase_ranks(max ? len - n : 0, n);
  c.notify(kNotifyZset, max ? "zpopmax" : "zpopmin", z.key());
}

void cmd_zpop(CmdCtx& c, bool max) {
  if (c.argc() > 3) return c.error(Err::kSyntax);
  int64_t count = -1;  // no count: a single pop, always a flat reply
  if (c.argc() == 3 && (!parse_int(c.arg(2), &count) || count < 0)) return c.error(Err::kPositive);
  ZSet z(c, c.arg(1), Type::kZSet);
  if (!z.exists()) return c.reply.array(0);
  if (z.wrong_type()) return c.error(Err::kWrongType);
  if (count == 0) return c.reply.array(0);
  bool nested = c.reply.resp() == 3 && count != -1;
  pop_reply(c, z, max, count == -1 ? 1 : static_cast<size_t>(count),
            nested ? PopShape::kNested : PopShape::kFlat);
}

void cmd_zpopmin(CmdCtx& c) {
  cmd_zpop(c, false);
}
void cmd_zpopmax(CmdCtx& c) {
  cmd_zpop(c, true);
}

// Pops from the first of keys[0..n) that holds a sorted set. True when it replied (members, or
// WRONGTYPE for the first key of another type, unless serving a blocked client). The keys are
// locked together, so the choice of key and the pop are one atomic step.
bool pop_first(CmdCtx& c, const std::string_view* keys, size_t n, bool max, size_t count,
               PopShape shape) {
  const bool serving = serving_blocked(c);
  auto serve = [&](ZSet& z) {
    if (!z.exists()) return false;
    if (z.wrong_type()) {
      if (serving) return false;
      c.error(Err::kWrongType);
      return true;
    }
    pop_reply(c, z, max, count, shape);
    return true;
  };
  return first_serving<ZSetValue>(c, keys, n, Type::kZSet, serve);
}

// BZPOPMIN/MAX and BZMPOP over keys[0..n): the first that holds a sorted set serves, else the
// client blocks. Serving a blocked client, only the key signalled ready is looked at (blocking.h).
void pop_or_block(CmdCtx& c, const std::string_view* keys, size_t n, bool max, size_t count,
                  PopShape shape, int64_t deadline) {
  if (serving_blocked(c)) {
    std::string_view key = served_key(c);
    if (!pop_first(c, &key, 1, max, count, shape)) block_client(c, {}, deadline);
    return;
  }
  if (pop_first(c, keys, n, max, count, shape)) return;
  block_client(c, std::vector<std::string_view>(keys, keys + n), deadline);
}

void bzpop_generic(CmdCtx& c, bool max) {
  int64_t deadline;
  if (!parse_block_timeout(c, c.arg(c.argc() - 1), &deadline)) return;
  pop_or_block(c, &c.argv[1], c.argc() - 2, max, 1, PopShape::kKeyFlat, deadline);
}

void cmd_bzpopmin(CmdCtx& c) {
  bzpop_generic(c, false);
}
void cmd_bzpopmax(CmdCtx& c) {
  bzpop_generic(c, true);
}

void cmd_zmpop(CmdCtx& c) {
  MpopArgs a;
  if (!parse_mpop(c, 1, "min", "max", &a)) return;
  if (!pop_first(c, &c.argv[a.first_key], a.nkeys, a.second_end, static_cast<size_t>(a.count),
                 PopShape::kKeyNested))
    c.reply.null_array();
}

void cmd_bzmpop(CmdCtx& c) {
  MpopArgs a;
  if (!parse_mpop(c, 2, "min", "max", &a)) return;
  int64_t deadline;
  if (!parse_block_timeout(c, c.arg(1), &deadline)) return;
  pop_or_block(c, &c.argv[a.first_key], a.nkeys, a.second_end, static_cast<size_t>(a.count),
               PopShape::kKeyNested, deadline);
}

// ---------------------------------------------------------------------------------------------
// The algebra: ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD

using zset::Aggregate;
using zset::SetOp;

// Redis's zunionInterDiffGenericCommand. The inputs are looked up (and type-checked) before the
// options are parsed, as there, so WRONGTYPE wins over a bad option. All keys, the destination
// included, are locked together: the result is one atomic snapshot.
void zsetop_generic(CmdCtx& c, size_t numkeys_idx, SetOp op, bool store, bool card_only) {
  int64_t setnum;
  if (!parse_int(c.arg(numkeys_idx), &setnum)) return c.error(Err::kNotInt);
  if (setnum < 1) return c.error(no_input_keys_error(c.cmd->name));
  if (static_cast<uint64_t>(setnum) > c.argc() - numkeys_idx - 1) return c.error(Err::kSyntax);
  const size_t nk = static_cast<size_t>(setnum), first = numkeys_idx + 1;

  storage::Keyspace& ks = c.db();
  storage::MultiLock lock;
  if (store) lock.add_key(ks, c.arg(1));
  for (size_t i = 0; i < nk; i++) lock.add_key(ks, c.arg(first + i));
  lock.lock();

  std::vector<zset::Source> src(nk);
  const uint32_t clock = lru_clock(c.op.now_ms);
  for (size_t i = 0; i < nk; i++) {
    const storage::Entry* e = c.lookup_read_locked(ks, c.arg(first + i));
    if (!e) continue;
    touch_access(c, e, clock);
    if (e->type() == Type::kZSet)
      src[i].zset = static_cast<const ZSetValue*>(e->object());
    else if (e->type() == Type::kSet)
      src[i].set = static_cast<const storage::SetValue*>(e->object());
    else
      return c.error(Err::kWrongType);
  }

  Aggregate agg = Aggregate::kSum;
  bool withscores = false;
  int64_t limit = 0;  // ZINTERCARD: 0 = no limit
  for (size_t j = first + nk; j < c.argc();) {
    const size_t remaining = c.argc() - j;
    std::string_view o = c.arg(j);
    if (op != SetOp::kDiff && !card_only && remaining >= nk + 1 && iequals(o, "weights")) {
      j++;
      for (size_t i = 0; i < nk; i++, j++) {
        if (!parse_double(c.arg(j), &src[i].weight)) return c.error(Err::kWeightNotFloat);
      }
    } else if (op != SetOp::kDiff && !card_only && remaining >= 2 && iequals(o, "aggregate")) {
      std::string_view a = c.arg(j + 1);
      if (iequals(a, "sum"))
        agg = Aggregate::kSum;
      else if (iequals(a, "min"))
        agg = Aggregate::kMin;
      else if (iequals(a, "max"))
        agg = Aggregate::kMax;
      else
        return c.error(Err::kSyntax);
      j += 2;
    } else if (!store && !card_only && iequals(o, "withscores")) {
      withscores = true;
      j++;
    } else if (card_only && remaining >= 2 && iequals(o, "limit")) {
      if (!parse_int(c.arg(j + 1), &limit) || limit < 0) return c.error(Err::kLimitNegative);
      j += 2;
    } else {
      return c.error(Err::kSyntax);
    }
  }

  zset::Combined result;
  zset::combine(src, op, agg, card_only, static_cast<uint64_t>(limit), &result);
  if (card_only) return c.reply.integer(static_cast<int64_t>(result.cardinality));
  const std::vector<ZItem>& out = result.items;
  if (store) {
    ZSetValue* fresh =
        out.empty() ? nullptr : ZSetValue::from_sorted(out.data(), out.size(), limits(c));
    ZSet dst(c, ks, c.arg(1), Type::kZSet, AlreadyLocked{});
    dst.store(fresh);
    if (!out.empty()) {
      c.notify(kNotifyZset,
               op == SetOp::kUnion   ? "zunionstore"
               : op == SetOp::kInter ? "zinterstore"
                                     : "zdiffstore",
               c.arg(1));
    }
    c.reply.integer(static_cast<int64_t>(out.size()));
    if (!out.empty()) signal_key_ready(c, c.arg(1));
    return;
  }
  items_header(c.reply, out.size(), withscores);
  for (const ZItem& it : out) reply_item(c.reply, it, withscores);
}

void cmd_zunionstore(CmdCtx& c) {
  zsetop_generic(c, 2, SetOp::kUnion, true, false);
}
void cmd_zinterstore(CmdCtx& c) {
  zsetop_generic(c, 2, SetOp::kInter, true, false);
}
void cmd_zdiffstore(CmdCtx& c) {
  zsetop_generic(c, 2, SetOp::kDiff, true, false);
}
void cmd_zunion(CmdCtx& c) {
  zsetop_generic(c, 1, SetOp::kUnion, false, false);
}
void cmd_zinter(CmdCtx& c) {
  zsetop_generic(c, 1, SetOp::kInter, false, false);
}
void cmd_zdiff(CmdCtx& c) {
  zsetop_generic(c, 1, SetOp::kDiff, false, false);
}
void cmd_zintercard(CmdCtx& c) {
  zsetop_generic(c, 1, SetOp::kInter, false, true);
}

// ---------------------------------------------------------------------------------------------
// ZRANDMEMBER, ZSCAN

void cmd_zrandmember(CmdCtx& c) {
  storage::Rng& rng = c.worker.rng;
  if (c.argc() == 2) {
    ZSet z(c, c.arg(1), Type::kZSet, Access::kRead);
    if (!z.exists()) return c.reply.null();
    if (z.wrong_type()) return c.error(Err::kWrongType);
    return c.reply.bulk(z.get()->at(rng.below(z.get()->length())).member);
  }
  int64_t l;
  if (!parse_int(c.arg(2), &l)) return c.error(Err::kNotInt);
  if (l == INT64_MIN) return c.error(Err::kRandCount);
  if (c.argc() > 4 || (c.argc() == 4 && !iequals(c.arg(3), "withscores")))
    return c.error(Err::kSyntax);
  const bool withscores = c.argc() == 4;
  if (withscores && (l < -INT64_MAX / 2 || l > INT64_MAX / 2)) return c.error(Err::kOutOfRange);
  ZSet z(c, c.arg(1), Type::kZSet, Access::kRead);
  if (!z.exists()) return c.reply.array(0);
  if (z.wrong_type()) return c.error(Err::kWrongType);
  const ZSetValue* s = z.get();
  const size_t size = s->length();
  if (l == 0) return c.reply.array(0);

  if (l < 0) {
    // Repetitions allowed: independent picks. A packed set is listed once so that each pick is
    // O(1) instead of a walk.
    const uint64_t count = static_cast<uint64_t>(-l);
    std::vector<ZItem> all;
    if (s->packed()) {
      all.reserve(size);
      s->walk(0, false, [&](const ZItem& it) {
        all.push_back(it);
        return true;
      });
    }
    items_header(c.reply, count, withscores);
    for (uint64_t i = 0; i < count; i++) {
      size_t r = rng.below(size);
      reply_item(c.reply, s->packed() ? all[r] : s->at(r), withscores);
    }
    return;
  }
  const size_t count = static_cast<uint64_t>(l) >= size ? size : static_cast<size_t>(l);
  items_header(c.reply, count, withscores);
  if (count == size) {
    s->walk(0, false, [&](const ZItem& it) {
      reply_item(c.reply, it, withscores);
      return true;
    });
  } else if (count * 3 > size) {
    // Many of them: one pass choosing each member with probability needed/remaining.
    size_t need = count, remaining = size;
    s->walk(0, false, [&](const ZItem& it) {
      if (rng.below(remaining) < need) {
        reply_item(c.reply, it, withscores);
        need--;
      }
      remaining--;
      return need > 0;
    });
  } else {
    // Few of them: distinct random ranks.
    std::unordered_set<size_t> picked;
    while (picked.size() < count) {
      size_t r = rng.below(size);
      if (picked.insert(r).second) reply_item(c.reply, s->at(r), withscores);
    }
  }
}

// ZSCAN's score text. A packed set replies what Redis's listpack holds: an integral score in
// +-2^62 as an integer ("1000000000000000000"), others as %.17g; a skiplist replies %.17g
// ("1e+18").
std::string_view scan_score(double d, bool packed, char* buf, size_t cap) {
  constexpr double kIntLimit = 4611686018427387904.0;  // (double)(LLONG_MAX / 2)
  if (packed && d >= -kIntLimit && d <= kIntLimit) {
    auto v = static_cast<int64_t>(d);
    if (static_cast<double>(v) == d) return {buf, protocol::ReplyWriter::format_int(v, buf)};
  }
  return {buf, protocol::ReplyWriter::format_double(d, buf, cap)};
}

void cmd_zscan(CmdCtx& c) {
  uint64_t cursor;
  if (!parse_scan_cursor(c, c.arg(2), &cursor)) return;
  ZSet z(c, c.arg(1), Type::kZSet, Access::kRead);
  if (!z.exists()) return reply_scan(c.reply, 0, 0);
  if (z.wrong_type()) return c.error(Err::kWrongType);
  ScanArgs a;
  if (!parse_scan_options(c, 3, false, &a)) return;
  const ZSetValue* s = z.get();
  std::vector<ZItem> items;
  uint64_t next = s->scan(cursor, a.count, [&](const ZItem& it) {
    if (!a.has_pattern || storage::glob_match(a.pattern, it.member)) items.push_back(it);
  });
  reply_scan(c.reply, next, items.size() * 2);
  char buf[64];
  for (const ZItem& it : items) {
    c.reply.bulk(it.member);
    c.reply.bulk(scan_score(it.score, s->packed(), buf, sizeof buf));
  }
}

}  // namespace

void register_zset_commands(CommandTable& t) {
  constexpr uint32_t W = kWrite, R = kReadonly, WD = kWrite | kDenyOom;
  constexpr std::string_view g = "sorted-set";
  constexpr std::string_view logn = "O(log(N))";
  constexpr std::string_view range_cx =
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
      "elements returned.";
  constexpr std::string_view range_limit_cx =
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
      "elements being returned. If M is constant (e.g. always asking for the first 10 elements "
      "with LIMIT), you can consider it O(log(N)).";
  constexpr std::string_view remrange_cx =
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
      "elements removed by the operation.";
  constexpr std::string_view pop_cx =
      "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number "
      "of elements popped.";
  constexpr std::string_view mpop_cx =
      "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements "
      "in the sorted set, and M being the number of elements popped.";
  constexpr std::string_view union_cx =
      "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being "
      "the number of elements in the resulting sorted set.";
  constexpr std::string_view inter_cx =
      "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the "
      "number of input sorted sets and M being the number of elements in the resulting sorted "
      "set.";
  constexpr std::string_view diff_cx =
      "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N "
      "is the size of the first set, and K is the size of the result set.";
  constexpr std::string_view logn_cx =
      "O(log(N)) with N being the number of elements in the sorted set.";

  t.add(
      {.name = "zadd",
       .arity = -4,
       .flags = WD | kFast,
       .keys = {1, 1, 1},
       .fn = cmd_zadd,
       .doc = {
           .group = g,
           .summary =
               "Add one or more members to a sorted set, or update its score if it already exists",
           .syntax = "key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]",
           .since = "1.2.0",
           .complexity = "O(log(N)) for each item added, where N is the number of elements in the "
                         "sorted set."}});
  t.add({.name = "zincrby",
         .arity = 4,
         .flags = WD | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_zincrby,
         .doc = {.group = g,
                 .summary = "Increment the score of a member in a sorted set",
                 .syntax = "key increment member",
                 .since = "1.2.0",
                 .complexity = "O(log(N)) where N is the number of elements in the sorted set."}});
  t.add({.name = "zrem",
         .arity = -3,
         .flags = W | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_zrem,
         .doc = {.group = g,
                 .summary = "Remove one or more members from a sorted set",
                 .syntax = "key member [member ...]",
                 .since = "1.2.0",
                 .complexity = "O(M*log(N)) with N being the number of elements in the sorted set "
                               "and M the number of elements to be removed."}});
  t.add({.name = "zscore",
         .arity = 3,
         .flags = R | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_zscore,
         .doc = {.group = g,
                 .summary = "Get the score associated with the given member in a sorted set",
                 .syntax = "key member",
                 .since = "1.2.0"}});
  t.add({.name = "zmscore",
         .arity = -3,
         .flags = R | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_zmscore,
         .doc = {.group = g,
                 .summary = "Get the score associated with the given members in a sorted set",
                 .syntax = "key member [member ...]",
                 .since = "6.2.0",
                 .complexity = "O(N) where N is the number of members being requested."}});
  t.add({.name = "zcard",
         .arity = 2,
         .flags = R | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_zcard,
         .doc = {.group = g,
                 .summary = "Get the number of members in a sorted set",
                 .syntax = "key",
                 .since = "1.2.0"}});
  t.add({.name = "zcount",
         .arity = 4,
         .flags = R | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_zcount,
         .doc = {.group = g,
                 .summary = "Count the members in a sorted set with scores within the given values",
                 .syntax = "key min max",
                 .since = "2.0.0",
                 .complexity = logn_cx}});
  t.add(
      {.name = "zlexcount",
       .arity = 4,
       .flags = R | kFast,
       .keys = {1, 1, 1},
       .fn = cmd_zlexcount,
       .doc = {
           .group = g,
           .summary =
               "Count the number of members in a sorted set between a given lexicographical range",
           .syntax = "key min max",
           .since = "2.8.9",
           .complexity = logn_cx}});
  t.add({.name = "zrank",
         .arity = 3,
         .flags = R | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_zrank,
         .doc = {.group = g,
                 .summary = "Determine the index of a member in a sorted set",
                 .syntax = "key member",
                 .since = "2.0.0",
                 .complexity = logn}});
  t.add({.name = "zrevrank",
         .arity = 3,
         .flags = R | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_zrevrank,
         .doc = {.group = g,
                 .summary = "Determine the index of a member in a sorted set, with scores ordered "
                            "from high to low",
                 .syntax = "key member",
                 .since = "2.0.0",
                 .complexity = logn}});
  t.add(
      {.name = "zrange",
       .arity = -4,
       .flags = R,
       .keys = {1, 1, 1},
       .fn = cmd_zrange,
       .doc = {.group = g,
               .summary = "Return a range of members in a sorted set",
               .syntax = "key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]",
               .since = "1.2.0",
               .complexity = range_cx}});
  t.add({.name = "zrangebyscore",
         .arity = -4,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_zrangebyscore,
         .doc = {.group = g,
                 .summary = "Return a range of members in a sorted set, by score",
                 .syntax = "key min max [WITHSCORES] [LIMIT offset count]",
                 .since = "1.0.5",
                 .complexity = range_limit_cx}});
  t.add({.name = "zrevrangebyscore",
         .arity = -4,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_zrevrangebyscore,
         .doc = {.group = g,
                 .summary = "Return a range of members in a sorted set, by score, with scores "
                            "ordered from high to low",
                 .syntax = "key max min [WITHSCORES] [LIMIT offset count]",
                 .since = "2.2.0",
                 .complexity = range_limit_cx}});
  t.add({.name = "zrangebylex",
         .arity = -4,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_zrangebylex,
         .doc = {.group = g,
                 .summary = "Return a range of members in a sorted set, by lexicographical range",
                 .syntax = "key min max [LIMIT offset count]",
                 .since = "2.8.9",
                 .complexity = range_limit_cx}});
  t.add({.name = "zrevrangebylex",
         .arity = -4,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_zrevrangebylex,
         .doc = {.group = g,
                 .summary = "Return a range of members in a sorted set, by lexicographical range, "
                            "ordered from higher to lower strings.",
                 .syntax = "key max min [LIMIT offset count]",
                 .since = "2.8.9",
                 .complexity = range_limit_cx}});
  t.add({.name = "zrevrange",
         .arity = -4,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_zrevrange,
         .doc = {.group = g,
                 .summary = "Return a range of members in a sorted set, by index, with scores "
                            "ordered from high to low",
                 .syntax = "key start stop [WITHSCORES]",
                 .since = "1.2.0",
                 .complexity = range_cx}});
  t.add({.name = "zrangestore",
         .arity = -5,
         .flags = WD,
         .keys = {1, 2, 1},
         .fn = cmd_zrangestore,
         .doc = {.group = g,
                 .summary = "Store a range of members from sorted set into another key",
                 .syntax = "dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]",
                 .since = "6.2.0",
                 .complexity = "O(log(N)+M) with N being the number of elements in the sorted set "
                               "and M the number of elements stored into the destination key."}});
  t.add({.name = "zremrangebyrank",
         .arity = 4,
         .flags = W,
         .keys = {1, 1, 1},
         .fn = cmd_zremrangebyrank,
         .doc = {.group = g,
                 .summary = "Remove all members in a sorted set within the given indexes",
                 .syntax = "key start stop",
                 .since = "2.0.0",
                 .complexity = remrange_cx}});
  t.add({.name = "zremrangebyscore",
         .arity = 4,
         .flags = W,
         .keys = {1, 1, 1},
         .fn = cmd_zremrangebyscore,
         .doc = {.group = g,
                 .summary = "Remove all members in a sorted set within the given scores",
                 .syntax = "key min max",
                 .since = "1.2.0",
                 .complexity = remrange_cx}});
  t.add({.name = "zremrangebylex",
         .arity = 4,
         .flags = W,
         .keys = {1, 1, 1},
         .fn = cmd_zremrangebylex,
         .doc = {.group = g,
                 .summary =
                     "Remove all members in a sorted set between the given lexicographical range",
                 .syntax = "key min max",
                 .since = "2.8.9",
                 .complexity = remrange_cx}});
  t.add({.name = "zpopmin",
         .arity = -2,
         .flags = W | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_zpopmin,
         .doc = {.group = g,
                 .summary = "Remove and return members with the lowest scores in a sorted set",
                 .syntax = "key [count]",
                 .since = "5.0.0",
                 .complexity = pop_cx}});
  t.add({.name = "zpopmax",
         .arity = -2,
         .flags = W | kFast,
         .keys = {1, 1, 1},
         .fn = cmd_zpopmax,
         .doc = {.group = g,
                 .summary = "Remove and return members with the highest scores in a sorted set",
                 .syntax = "key [count]",
                 .since = "5.0.0",
                 .complexity = pop_cx}});
  t.add({.name = "bzpopmin",
         .arity = -3,
         .flags = W | kNoscript | kBlocking | kFast,
         .keys = {1, -2, 1},
         .fn = cmd_bzpopmin,
         .doc = {.group = g,
                 .summary = "Remove and return the member with the lowest score from one or more "
                            "sorted sets, or block until one is available",
                 .syntax = "key [key ...] timeout",
                 .since = "5.0.0",
                 .complexity = logn_cx}});
  t.add({.name = "bzpopmax",
         .arity = -3,
         .flags = W | kNoscript | kBlocking | kFast,
         .keys = {1, -2, 1},
         .fn = cmd_bzpopmax,
         .doc = {.group = g,
                 .summary = "Remove and return the member with the highest score from one or more "
                            "sorted sets, or block until one is available",
                 .syntax = "key [key ...] timeout",
                 .since = "5.0.0",
                 .complexity = logn_cx}});
  t.add({.name = "zmpop",
         .arity = -4,
         .flags = W | kMovableKeys,
         .numkeys_at = 1,
         .fn = cmd_zmpop,
         .doc = {.group = g,
                 .summary = "Remove and return members with scores in a sorted set",
                 .syntax = "numkeys key [key ...] <MIN | MAX> [COUNT count]",
                 .since = "7.0.0",
                 .complexity = mpop_cx}});
  t.add({.name = "bzmpop",
         .arity = -5,
         .flags = W | kBlocking | kMovableKeys,
         .numkeys_at = 2,
         .fn = cmd_bzmpop,
         .doc = {.group = g,
                 .summary = "Remove and return members with scores in a sorted set or block until "
                            "one is available",
                 .syntax = "timeout numkeys key [key ...] <MIN | MAX> [COUNT count]",
                 .since = "7.0.0",
                 .complexity = mpop_cx}});
  t.add({.name = "zunionstore",
         .arity = -4,
         .flags = WD | kMovableKeys,
         .keys = {1, 1, 1},
         .numkeys_at = 2,
         .fn = cmd_zunionstore,
         .doc = {
             .group = g,
             .summary = "Add multiple sorted sets and store the resulting sorted set in a new key",
             .syntax = "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE "
                       "<SUM | MIN | MAX>]",
             .since = "2.0.0",
             .complexity = union_cx}});
  t.add(
      {.name = "zinterstore",
       .arity = -4,
       .flags = WD | kMovableKeys,
       .keys = {1, 1, 1},
       .numkeys_at = 2,
       .fn = cmd_zinterstore,
       .doc = {.group = g,
               .summary =
                   "Intersect multiple sorted sets and store the resulting sorted set in a new key",
               .syntax = "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] "
                         "[AGGREGATE <SUM | MIN | MAX>]",
               .since = "2.0.0",
               .complexity = inter_cx}});
  t.add(
      {.name = "zdiffstore",
       .arity = -4,
       .flags = WD | kMovableKeys,
       .keys = {1, 1, 1},
       .numkeys_at = 2,
       .fn = cmd_zdiffstore,
       .doc = {.group = g,
               .summary =
                   "Subtract multiple sorted sets and store the resulting sorted set in a new key",
               .syntax = "destination numkeys key [key ...]",
               .since = "6.2.0",
               .complexity = diff_cx}});
  t.add({.name = "zunion",
         .arity = -3,
         .flags = R | kMovableKeys,
         .numkeys_at = 1,
         .fn = cmd_zunion,
         .doc = {.group = g,
                 .summary = "Add multiple sorted sets",
                 .syntax = "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <SUM | "
                           "MIN | MAX>] [WITHSCORES]",
                 .since = "6.2.0",
                 .complexity = union_cx}});
  t.add({.name = "zinter",
         .arity = -3,
         .flags = R | kMovableKeys,
         .numkeys_at = 1,
         .fn = cmd_zinter,
         .doc = {.group = g,
                 .summary = "Intersect multiple sorted sets",
                 .syntax = "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <SUM | "
                           "MIN | MAX>] [WITHSCORES]",
                 .since = "6.2.0",
                 .complexity = inter_cx}});
  t.add({.name = "zdiff",
         .arity = -3,
         .flags = R | kMovableKeys,
         .numkeys_at = 1,
         .fn = cmd_zdiff,
         .doc = {.group = g,
                 .summary = "Subtract multiple sorted sets",
                 .syntax = "numkeys key [key ...] [WITHSCORES]",
                 .since = "6.2.0",
                 .complexity = diff_cx}});
  t.add(
      {.name = "zintercard",
       .arity = -3,
       .flags = R | kMovableKeys,
       .numkeys_at = 1,
       .fn = cmd_zintercard,
       .doc = {.group = g,
               .summary = "Intersect multiple sorted sets and return the cardinality of the result",
               .syntax = "numkeys key [key ...] [LIMIT limit]",
               .since = "7.0.0",
               .complexity = "O(N*K) worst case with N being the smallest input sorted set, K "
                             "being the number of input sorted sets."}});
  t.add({.name = "zrandmember",
         .arity = -2,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_zrandmember,
         .doc = {.group = g,
                 .summary = "Get one or multiple random elements from a sorted set",
                 .syntax = "key [count [WITHSCORES]]",
                 .since = "6.2.0",
                 .complexity = "O(N) where N is the number of elements returned"}});
  t.add({.name = "zscan",
         .arity = -3,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_zscan,
         .doc = {.group = g,
                 .summary = "Incrementally iterate sorted sets elements and associated scores",
                 .syntax = "key cursor [MATCH pattern] [COUNT count]",
                 .since = "2.8.0",
                 .complexity = "O(1) for every call. O(N) for a complete iteration, including "
                               "enough command calls for the cursor to return back to 0. N is the "
                               "number of elements inside the collection."}});
}

}  // namespace respite::server
