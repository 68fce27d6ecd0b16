// Argument parsing of the sorted-set commands (server/commands/zsets.cpp, the only includer), with
// Redis 7.0's exact rules and error texts: ZADD scores, score and lex range ends, and the ZRANGE
// family's options (Redis's zrangeGenericCommand steps 1 and 2), plus the turning of a parsed range
// into the run of ranks it covers in a given set. Each parser replies its error and returns false.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "server/arg_parser.h"
#include "server/context.h"
#include "storage/zset_value.h"

namespace respite::server::zsets {

using storage::ZItem;
using storage::ZLexBound;
using storage::ZLexRange;
using storage::ZScoreRange;
using storage::ZSetValue;
namespace zset = storage::zset;

// A range of ranks, argv[at] and argv[at + 1], each read as Redis's getLongFromObjectOrReply does
// (the first failure is the one replied).
inline bool parse_rank_range(CmdCtx& c, size_t at, int64_t* start, int64_t* end) {
  ArgParser p(c.argv, at);
  *start = p.next_int();
  *end = p.next_int();
  if (!p.ok()) c.error(p.error());
  return p.ok();
}

// One end of a score range as Redis's zslParseRange reads it: "(" makes it exclusive, then strtod
// over the C string, so leading blanks, hex and "" (zero) pass, an embedded NUL ends the number,
// and only trailing bytes or NaN are refused.
inline bool parse_score_item(std::string_view s, double* v, bool* ex) {
  *ex = !s.empty() && s[0] == '(';
  if (*ex) s.remove_prefix(1);
  char small[64];
  std::string big;
  const char* p = small;
  if (s.size() < sizeof small) {
    std::memcpy(small, s.data(), s.size());
    small[s.size()] = '\0';
  } else {
    big.assign(s);
    p = big.c_str();
  }
  char* end;
  double d = std::strtod(p, &end);
  if (*end != '\0' || std::isnan(d)) return false;
  *v = d;
  return true;
}

inline bool parse_score_range(CmdCtx& c, std::string_view min, std::string_view max,
                              ZScoreRange* r) {
  if (parse_score_item(min, &r->min, &r->minex) && parse_score_item(max, &r->max, &r->maxex))
    return true;
  c.error(Err::kMinMaxNotFloat);
  return false;
}

// One end of a lex range: "-", "+" (Redis reads them as C strings: "+\0x" is "+"), "[x" or "(x".
inline bool parse_lex_item(std::string_view s, ZLexBound* b) {
  if (s.empty()) return false;
  switch (s[0]) {
    case '+':
    case '-':
      if (s.size() > 1 && s[1] != '\0') return false;
      b->kind = s[0] == '+' ? ZLexBound::kPlusInf : ZLexBound::kMinusInf;
      return true;
    case '(':
    case '[':
      b->kind = s[0] == '(' ? ZLexBound::kExclusive : ZLexBound::kInclusive;
      b->value = s.substr(1);
      return true;
    default:
      return false;
  }
}

inline bool parse_lex_range(CmdCtx& c, std::string_view min, std::string_view max, ZLexRange* r) {
  if (parse_lex_item(min, &r->min) && parse_lex_item(max, &r->max)) return true;
  c.error(Err::kMinMaxNotLex);
  return false;
}

enum class RangeBy { kAuto, kRank, kScore, kLex };
enum Dir { kDirAuto, kForward, kReverse };

struct RangeSpec {
  RangeBy by = RangeBy::kAuto;
  bool reverse = false;
  bool withscores = false;
  int64_t offset = 0, limit = -1;  // LIMIT; -1: no limit
  int64_t start = 0, end = 0;      // by rank
  ZScoreRange score;
  ZLexRange lex;
};

// Redis's zrangeGenericCommand, steps 1 and 2: the options after <key> <min> <max> (a BYSCORE,
// BYLEX or REV already implied by the command name, or seen once, cannot come again), their
// conflicts, then the range itself, whose ends swap places for a reversed score or lex range.
inline bool parse_range_spec(CmdCtx& c, size_t key_idx, bool store, RangeBy by, Dir dir,
                             RangeSpec* s) {
  ArgParser p(c.argv, key_idx + 3);
  while (p.has_next()) {
    if (!store && p.check("WITHSCORES")) {
      s->withscores = true;
    } else if (p.remaining() >= 3 && p.check("LIMIT")) {  // LIMIT without both values: syntax
      s->offset = p.next_int();
      s->limit = p.next_int();
    } else if (dir == kDirAuto && p.check("REV")) {
      dir = kReverse;
    } else if (by == RangeBy::kAuto && p.check("BYLEX")) {
      by = RangeBy::kLex;
    } else if (by == RangeBy::kAuto && p.check("BYSCORE")) {
      by = RangeBy::kScore;
    } else {
      p.fail(Err::kSyntax);
    }
  }
  if (!p.ok()) {
    c.error(p.error());
    return false;
  }
  if (by == RangeBy::kAuto) by = RangeBy::kRank;
  s->by = by;
  s->reverse = dir == kReverse;
  if (s->limit != -1 && by == RangeBy::kRank) {
    c.error(Err::kLimitWithoutBy);
    return false;
  }
  if (s->withscores && by == RangeBy::kLex) {
    c.error(Err::kWithscoresWithBylex);
    return false;
  }
  std::string_view min = c.arg(key_idx + 1), max = c.arg(key_idx + 2);
  if (s->reverse && by != RangeBy::kRank) std::swap(min, max);
  switch (by) {
    case RangeBy::kScore:
      return parse_score_range(c, min, max, &s->score);
    case RangeBy::kLex:
      return parse_lex_range(c, min, max, &s->lex);
    default:
      return parse_rank_range(c, key_idx + 1, &s->start, &s->end);
  }
}

// Where a range starts in a set and how many members it takes from there (walking down when
// reversed).
struct Run {
  size_t start = 0, count = 0;
};

// Applies LIMIT to a run of `run` members from `start`: a negative offset skips everything (Redis
// walks it off the end), a negative count takes all.
inline Run limit_run(size_t start, size_t run, const RangeSpec& s) {
  if (s.offset < 0 || static_cast<uint64_t>(s.offset) >= run) return {};
  size_t n = run - static_cast<size_t>(s.offset);
  if (s.limit >= 0 && static_cast<uint64_t>(s.limit) < n) n = static_cast<size_t>(s.limit);
  size_t off = static_cast<size_t>(s.offset);
  return {s.reverse ? start - off : start + off, n};
}

inline Run resolve(const ZSetValue* z, const RangeSpec& s) {
  const size_t n = z->length();
  switch (s.by) {
    case RangeBy::kScore: {
      if (zset::empty_range(s.score)) return {};
      size_t lo = z->score_lower(s.score), hi = z->score_upper(s.score);
      if (hi <= lo) return {};
      return limit_run(s.reverse ? hi - 1 : lo, hi - lo, s);
    }
    case RangeBy::kLex: {
      size_t first = s.reverse ? z->lex_last(s.lex) : z->lex_first(s.lex);
      if (first == ZSetValue::npos) return {};
      return limit_run(first, z->lex_run(s.lex, first, s.reverse), s);
    }
    default: {
      int64_t len = static_cast<int64_t>(n), start = s.start, end = s.end;
      if (start < 0) start += len;
      if (end < 0) end += len;
      if (start < 0) start = 0;
      if (start > end || start >= len) return {};
      if (end >= len) end = len - 1;
      size_t count = static_cast<size_t>(end - start + 1);
      return {s.reverse ? n - 1 - static_cast<size_t>(start) : static_cast<size_t>(start), count};
    }
  }
}

}  // namespace respite::server::zsets
