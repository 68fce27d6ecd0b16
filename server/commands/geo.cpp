// Geo commands: GEOADD, GEOPOS, GEODIST, GEOHASH, GEOSEARCH, GEOSEARCHSTORE, GEORADIUS,
// GEORADIUSBYMEMBER and their _RO variants. A geo index is an ordinary sorted set whose scores
// are 52-bit geohashes (storage/geohash.h): TYPE says zset and every Z command works on it.
//
// Handlers follow Redis 7.0's georadiusGeneric and friends step by step, because the order of
// checks decides which error a bad command gets (WRONGTYPE before any option; a bad FROMMEMBER
// before a later syntax error; a missing key still parses every option), and the output formats
// are Redis's own: coordinates as %.17Lf with trailing zeros cut (a RESP3 double), distances with
// exactly 4 decimals (always a bulk string), WITHHASH as the integer score.
//
// A search reads the 9 score intervals of the cells around its centre (geo::search_cells) under
// the key's shard lock, keeps the points inside the shape, then sorts them by distance when asked
// exactly as Redis does, so that even points at equal distances come out in Redis's order: a
// stable sort when every point is returned (glibc's qsort, which Redis calls, is a merge sort),
// Redis's partial quicksort when COUNT returns fewer. With STORE the source and destination are
// locked together, so the result is one snapshot of the source.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/arg_parser.h"
#include "server/ascii.h"
#include "server/blocking.h"
#include "server/collection.h"
#include "server/context.h"
#include "storage/geohash.h"
#include "storage/zset_value.h"

namespace respite::server {

using storage::Type;

namespace {

namespace geo = storage::geo;
using storage::ZItem;
using storage::ZScoreRange;
using storage::ZSetValue;
using ZSet = Collection<ZSetValue>;

// Redis compares option words with strcasecmp over C strings: "withdist\0junk" is WITHDIST.
bool is(std::string_view arg, std::string_view word) {
  return iequals(until_nul(arg), word);
}

// ---------------------------------------------------------------------------------------------
// Output formats

// Redis's addReplyHumanLongDouble: %.17Lf of the value as a long double, trailing zeros (and a
// bare dot) removed; a bulk string in RESP2, a double in RESP3.
void reply_coord(protocol::ReplyWriter& r, double d) {
  char buf[400];
  int n = std::snprintf(buf + 1, sizeof buf - 3, "%.17Lf", static_cast<long double>(d));
  size_t len = n > 0 ? static_cast<size_t>(n) : 0;
  char* s = buf + 1;
  if (std::memchr(s, '.', len)) {
    while (len > 0 && s[len - 1] == '0') len--;
    if (len > 0 && s[len - 1] == '.') len--;
  }
  if (len == 2 && s[0] == '-' && s[1] == '0') {
    s[0] = '0';
    len = 1;
  }
  if (r.resp() == 3) {
    buf[0] = ',';
    s[len] = '\r';
    s[len + 1] = '\n';
    r.raw(std::string_view(buf, len + 3));
  } else {
    r.bulk(std::string_view(s, len));
  }
}

// Redis's fixedpoint_d2string(.., 4): the value times 10^4 rounded to an integer (llrint, ties to
// even; NaN and overflow give INT64_MIN, as on x86), printed with the dot 4 digits from the end
// and at least one digit before it.
size_t format_distance(double d, char* buf) {
  if (d == 0) {
    std::memcpy(buf, "0.0000", 6);
    return 6;
  }
  long long v = std::llrint(d * 10000.0);
  size_t n = 0;
  unsigned long long u;
  if (v < 0) {
    buf[n++] = '-';
    u = v == INT64_MIN ? uint64_t{1} << 63 : static_cast<unsigned long long>(-v);
  } else {
    u = static_cast<unsigned long long>(v);
  }
  char digits[24];
  size_t nd = 0;
  do {
    digits[nd++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u);
  while (nd < 5) digits[nd++] = '0';  // "0.0123": one integer digit at least
  for (size_t i = nd; i-- > 0;) {
    buf[n++] = digits[i];
    if (i == 4) buf[n++] = '.';
  }
  return n;
}

void reply_distance(protocol::ReplyWriter& r, double d) {
  char buf[32];
  r.bulk(std::string_view(buf, format_distance(d, buf)));
}

// ---------------------------------------------------------------------------------------------
// Arguments

// Metres per unit (Redis's extractUnitOrReply); false for an unknown unit.
bool parse_unit(std::string_view u, double* conversion) {
  if (is(u, "m")) {
    *conversion = 1;
  } else if (is(u, "km")) {
    *conversion = 1000;
  } else if (is(u, "ft")) {
    *conversion = 0.3048;
  } else if (is(u, "mi")) {
    *conversion = 1609.34;
  } else {
    return false;
  }
  return true;
}

// argv[at], argv[at + 1]: a longitude and a latitude within Redis's limits.
bool parse_lonlat(CmdCtx& c, size_t at, double* lon, double* lat) {
  if (!parse_double(c.arg(at), lon) || !parse_double(c.arg(at + 1), lat)) {
    c.error(Err::kNotFloat);
    return false;
  }
  if (*lon < geo::kLonMin || *lon > geo::kLonMax || *lat < geo::kLatMin || *lat > geo::kLatMax) {
    c.error(geo_lonlat_error(*lon, *lat));
    return false;
  }
  return true;
}

// argv[at]: a radius, argv[at + 1]: its unit.
bool parse_radius(CmdCtx& c, size_t at, geo::Shape* s) {
  double radius;
  if (!parse_double(c.arg(at), &radius)) return c.error(Err::kGeoNeedRadius), false;
  if (radius < 0) return c.error(Err::kGeoRadiusNegative), false;
  s->radius = radius;
  if (!parse_unit(c.arg(at + 1), &s->conversion)) return c.error(Err::kGeoUnit), false;
  s->kind = geo::Shape::kCircle;
  return true;
}

// argv[at], argv[at + 1]: width and height, argv[at + 2]: their unit.
bool parse_box(CmdCtx& c, size_t at, geo::Shape* s) {
  double w, h;
  if (!parse_double(c.arg(at), &w)) return c.error(Err::kGeoNeedWidth), false;
  if (!parse_double(c.arg(at + 1), &h)) return c.error(Err::kGeoNeedHeight), false;
  if (h < 0 || w < 0) return c.error(Err::kGeoBoxNegative), false;
  s->width = w;
  s->height = h;
  if (!parse_unit(c.arg(at + 2), &s->conversion)) return c.error(Err::kGeoUnit), false;
  s->kind = geo::Shape::kBox;
  return true;
}

// The position of a member of the set.
bool member_position(const ZSetValue* z, std::string_view member, double* lon, double* lat) {
  double score;
  if (!z->score(member, &score)) return false;
  geo::decode_score(score, lon, lat);
  return true;
}

// ---------------------------------------------------------------------------------------------
// GEOADD

// GEOADD key [NX | XX] [CH] lon lat member [...]: ZADD with each point's geohash as its score.
void cmd_geoadd(CmdCtx& c) {
  bool nx = false, xx = false, ch = false;
  size_t at = 2;
  for (; at < c.argc(); at++) {
    std::string_view o = c.arg(at);
    if (is(o, "nx"))
      nx = true;
    else if (is(o, "xx"))
      xx = true;
    else if (is(o, "ch"))
      ch = true;
    else
      break;
  }
  if ((c.argc() - at) % 3 || (xx && nx)) return c.error(Err::kSyntax);
  const size_t n = (c.argc() - at) / 3;

  // Every coordinate is checked before anything changes.
  double small[16];
  std::vector<double> big;
  double* scores = small;
  if (n > 16) {
    big.resize(n);
    scores = big.data();
  }
  for (size_t i = 0; i < n; i++) {
    double lon, lat;
    if (!parse_lonlat(c, at + 3 * i, &lon, &lat)) return;
    scores[i] = static_cast<double>(geo::score_of(lon, lat));
  }
  if (n == 0) return c.error(Err::kSyntax);  // ZADD with no pairs

  EncodingLimits el = encoding_limits(c.server);
  const ZSetValue::Limits lim{el.zset_entries, el.zset_value};
  ZSet z(c, c.arg(1), Type::kZSet);
  if (z.wrong_type()) return c.error(Err::kWrongType);
  if (!z.exists()) {
    if (xx) return c.reply.integer(0);
    z.create(ZSetValue::create(lim, c.arg(at + 2).size()));
  }
  const int flags = (nx ? ZSetValue::kNX : 0) | (xx ? ZSetValue::kXX : 0);
  int64_t added = 0, updated = 0;
  for (size_t i = 0; i < n; i++) {
    double out;
    switch (z.get()->add(scores[i], c.arg(at + 3 * i + 2), flags, lim, &out)) {
      case ZSetValue::AddResult::kAdded:
        added++;
        break;
      case ZSetValue::AddResult::kUpdated:
        updated++;
        break;
      default:
        break;
    }
  }
  if (added || updated) {
    z.changed();
    c.notify(kNotifyZset, "zadd", c.arg(1));  // Redis runs GEOADD as ZADD
  }
  c.reply.integer(ch ? added + updated : added);
  if (added) signal_key_ready(c, c.arg(1));
}

// ---------------------------------------------------------------------------------------------
// GEOPOS, GEODIST, GEOHASH

void cmd_geopos(CmdCtx& c) {
  ZSet z(c, c.arg(1), Type::kZSet, Access::kRead);
  if (z.wrong_type()) return c.error(Err::kWrongType);
  c.reply.array(c.argc() - 2);
  for (size_t i = 2; i < c.argc(); i++) {
    double lon, lat;
    if (!z.exists() || !member_position(z.get(), c.arg(i), &lon, &lat)) {
      c.reply.null_array();
      continue;
    }
    c.reply.array(2);
    reply_coord(c.reply, lon);
    reply_coord(c.reply, lat);
  }
}

void cmd_geodist(CmdCtx& c) {
  double to_meters = 1;
  if (c.argc() == 5) {
    if (!parse_unit(c.arg(4), &to_meters)) return c.error(Err::kGeoUnit);
  } else if (c.argc() > 5) {
    return c.error(Err::kSyntax);
  }
  ZSet z(c, c.arg(1), Type::kZSet, Access::kRead);
  if (!z.exists()) return c.reply.null();
  if (z.wrong_type()) return c.error(Err::kWrongType);
  double lon1, lat1, lon2, lat2;
  if (!member_position(z.get(), c.arg(2), &lon1, &lat1) ||
      !member_position(z.get(), c.arg(3), &lon2, &lat2))
    return c.reply.null();
  reply_distance(c.reply, geo::distance(lon1, lat1, lon2, lat2) / to_meters);
}

void cmd_geohash(CmdCtx& c) {
  ZSet z(c, c.arg(1), Type::kZSet, Access::kRead);
  if (z.wrong_type()) return c.error(Err::kWrongType);
  c.reply.array(c.argc() - 2);
  for (size_t i = 2; i < c.argc(); i++) {
    double score;
    if (!z.exists() || !z.get()->score(c.arg(i), &score)) {
      c.reply.null();
      continue;
    }
    char out[11];
    geo::standard_hash(score, out);
    c.reply.bulk(std::string_view(out, sizeof out));
  }
}

// ---------------------------------------------------------------------------------------------
// The searches

enum SearchFlag : int {
  kByCoords = 1,     // GEORADIUS: centre given as lon lat
  kByMember = 2,     // GEORADIUSBYMEMBER: centre at a member
  kNoStore = 4,      // the _RO variants: no STORE / STOREDIST
  kSearch = 8,       // GEOSEARCH's argument style
  kSearchStore = 16  // GEOSEARCHSTORE: the destination first, STOREDIST a flag
};

struct Point {
  double lon, lat, dist, score;
  std::string_view member;  // a view into the source set, valid while it stays locked
};

// Appends the points of the set in cell c that lie in the shape, stopping once `limit` (0: none)
// points are collected (Redis's geoGetPointsInRange).
void points_in_cell(const ZSetValue* z, geo::Cell cell, const geo::Shape& s, size_t limit,
                    std::vector<Point>& out) {
  uint64_t lo, hi;
  geo::cell_scores(cell, &lo, &hi);
  const double min = static_cast<double>(lo), max = static_cast<double>(hi);
  ZScoreRange r{min, max, false, true};
  z->walk(z->score_lower(r), false, [&](const ZItem& it) {
    if (!(it.score < max)) return false;
    Point p;
    if (geo::in_shape(s, it.score, &p.lon, &p.lat, &p.dist)) {
      p.score = it.score;
      p.member = it.member;
      out.push_back(p);
    }
    return !(limit && out.size() >= limit);
  });
}

// Redis's membersOfAllNeighbors: the 9 cells in order, skipping none() cells and a cell equal to
// the one read just before it (neighbours coincide for huge radii), never comparing with the
// centre cell, as Redis does not.
void search_points(const ZSetValue* z, const geo::Shape& s, size_t limit, std::vector<Point>& out) {
  const geo::SearchCells sc = geo::search_cells(s);
  size_t last = 0;
  for (size_t i = 0; i < 9; i++) {
    const geo::Cell& cell = sc.cells[i];
    if (cell.none()) continue;
    if (last && cell == sc.cells[last]) continue;
    if (!out.empty() && limit && out.size() >= limit) break;
    points_in_cell(z, cell, s, limit, out);
    last = i;
  }
}

// Redis's distance comparators: -1, 0 or 1 (NaN compares as "less"), descending as the negation.
int compare_dist(const Point& a, const Point& b, bool desc) {
  int r = a.dist > b.dist ? 1 : a.dist == b.dist ? 0 : -1;
  return desc ? -r : r;
}

// Orders ranks [0, keep) of pts[0..n) as Redis's COUNT does when more points match than it
// returns: Bentley and McIlroy's three-way quicksort ("Engineering a Sort Function", 1993:
// insertion sort below 7 elements, median of 3 or Tukey's ninther as the pivot, elements equal to
// the pivot gathered at both ends then swapped to the middle) that only descends into partitions
// holding ranks below `keep`. The same swaps in the same order, so that points at equal distances
// come out in Redis's order too; the ranks past `keep` are left in no useful order.
void partial_sort(Point* a, size_t n, size_t first_rank, size_t keep, bool desc) {
  auto cmp = [desc](const Point& x, const Point& y) { return compare_dist(x, y, desc); };
  auto med3 = [&](size_t i, size_t j, size_t k) {
    return cmp(a[i], a[j]) < 0 ? (cmp(a[j], a[k]) < 0 ? j : (cmp(a[i], a[k]) < 0 ? k : i))
                               : (cmp(a[j], a[k]) > 0 ? j : (cmp(a[i], a[k]) < 0 ? i : k));
  };
  auto swap_run = [&](size_t i, size_t j, size_t len) {
    for (size_t t = 0; t < len; t++) std::swap(a[i + t], a[j + t]);
  };
  for (;;) {
    if (n < 7) {
      for (size_t m = 1; m < n; m++)
        for (size_t l = m; l > 0 && cmp(a[l - 1], a[l]) > 0; l--) std::swap(a[l], a[l - 1]);
      return;
    }
    size_t m = n / 2;
    if (n > 7) {
      size_t l = 0, r = n - 1;
      if (n > 40) {
        const size_t d = n / 8;
        l = med3(l, l + d, l + 2 * d);
        m = med3(m - d, m, m + d);
        r = med3(r - 2 * d, r - d, r);
      }
      m = med3(l, m, r);
    }
    std::swap(a[0], a[m]);
    size_t pa = 1, pb = 1, pc = n - 1, pd = n - 1;
    for (;;) {
      int r;
      while (pb <= pc && (r = cmp(a[pb], a[0])) <= 0) {
        if (r == 0) std::swap(a[pa++], a[pb]);
        pb++;
      }
      while (pb <= pc && (r = cmp(a[pc], a[0])) >= 0) {
        if (r == 0) std::swap(a[pc], a[pd--]);
        pc--;
      }
      if (pb > pc) break;
      std::swap(a[pb++], a[pc--]);
    }
    size_t s = std::min(pa, pb - pa);
    swap_run(0, pb - s, s);
    s = std::min(pd - pc, n - pd - 1);
    swap_run(pb, n - s, s);
    // The smaller side first, by recursion, and the larger by the loop, so the stack stays
    // O(log n) even on inputs that partition badly; the two sides are disjoint, so the order in
    // which they are sorted does not change the result. A side is sorted only if it holds a
    // rank below `keep`.
    const size_t less = pb - pa, more = pd - pc;
    Point* const right = a + (n - more);
    const size_t right_rank = first_rank + (n - more);
    const bool do_left = less > 1 && first_rank < keep;
    const bool do_right = more > 1 && right_rank < keep;
    if (do_left && do_right) {
      if (less <= more) {
        partial_sort(a, less, first_rank, keep, desc);
        a = right, first_rank = right_rank, n = more;
      } else {
        partial_sort(right, more, right_rank, keep, desc);
        n = less;
      }
    } else if (do_left) {
      n = less;
    } else if (do_right) {
      a = right, first_rank = right_rank, n = more;
    } else {
      return;
    }
  }
}

// True when the command may write a destination: GEOSEARCHSTORE, or GEORADIUS[BYMEMBER] with a
// STORE / STOREDIST word among its options (the destination's shard is then locked with the
// source's).
bool may_store(CmdCtx& c, int flags, size_t base) {
  if (flags & kSearchStore) return true;
  if (flags & (kNoStore | kSearch)) return false;
  for (size_t i = base; i + 1 < c.argc(); i++) {
    if (is(c.arg(i), "store") || is(c.arg(i), "storedist")) return true;
  }
  return false;
}

// The destination set of a STORE: the first n points, scored by their geohash or (storedist)
// their distance in the search's unit; nullptr when there are none.
ZSetValue* build_result(CmdCtx& c, bool storedist, const std::vector<Point>& pts, size_t n,
                        double conversion) {
  if (n == 0) return nullptr;
  std::vector<ZItem> items(n);
  for (size_t i = 0; i < n; i++)
    items[i] = {pts[i].member, storedist ? pts[i].dist / conversion : pts[i].score};
  std::sort(items.begin(), items.end(), [](const ZItem& a, const ZItem& b) {
    return a.score < b.score || (a.score == b.score && a.member < b.member);
  });
  EncodingLimits el = encoding_limits(c.server);
  return ZSetValue::from_sorted(items.data(), n, {el.zset_entries, el.zset_value});
}

// Replaces the destination by `fresh` (deleting it, with a "del" event, when there is nothing).
void store_result(CmdCtx& c, storage::Keyspace& ks, std::string_view dst_key, ZSetValue* fresh,
                  bool search) {
  const size_t n = fresh ? fresh->length() : 0;
  ZSet dst(c, ks, dst_key, Type::kZSet, AlreadyLocked{});
  dst.store(fresh);
  if (n) c.notify(kNotifyZset, search ? "geosearchstore" : "georadiusstore", dst_key);
  c.reply.integer(static_cast<int64_t>(n));
  if (n) signal_key_ready(c, dst_key);
}

void search_generic(CmdCtx& c, size_t src_idx, int flags) {
  const size_t base0 = (flags & kByCoords) ? 6 : (flags & kByMember) ? 5 : src_idx + 1;
  storage::Keyspace& ks = c.db();
  storage::MultiLock lock;
  std::optional<ZSet> src;
  const bool storing = may_store(c, flags, base0);
  if (storing) {
    // Every word after STORE / STOREDIST might be the destination: lock them all, it is harmless.
    lock.add_key(ks, c.arg(src_idx));
    if (flags & kSearchStore) {
      lock.add_key(ks, c.arg(1));
    } else {
      for (size_t i = base0; i + 1 < c.argc(); i++) {
        if (is(c.arg(i), "store") || is(c.arg(i), "storedist")) lock.add_key(ks, c.arg(i + 1));
      }
    }
    lock.lock();
    src.emplace(c, ks, c.arg(src_idx), Type::kZSet, AlreadyLocked{}, Access::kRead);
  } else {
    src.emplace(c, c.arg(src_idx), Type::kZSet, Access::kRead);
  }
  if (src->wrong_type()) return c.error(Err::kWrongType);
  const ZSetValue* z = src->get();

  geo::Shape shape;
  std::string_view store_key;
  bool has_store = false, storedist = false;
  if (flags & kByCoords) {
    if (!parse_lonlat(c, 2, &shape.lon, &shape.lat)) return;
    if (!parse_radius(c, 4, &shape)) return;
  } else if (flags & kByMember) {
    if (z) {  // a missing key still parses the options, then replies empty
      if (!member_position(z, c.arg(2), &shape.lon, &shape.lat))
        return c.error(Err::kGeoMemberUnknown);
      if (!parse_radius(c, 3, &shape)) return;
    }
  } else if (flags & kSearchStore) {
    store_key = c.arg(1);
    has_store = true;
  }

  bool withdist = false, withhash = false, withcoord = false, any = false;
  bool frommember = false, fromloc = false, byradius = false, bybox = false;
  enum { kNone, kAsc, kDesc } sort = kNone;
  int64_t count = 0;  // 0: no limit
  const bool search = flags & kSearch;
  for (size_t i = base0; i < c.argc(); i++) {
    std::string_view a = c.arg(i);
    const size_t left = c.argc() - i - 1;  // arguments after this one
    if (is(a, "withdist")) {
      withdist = true;
    } else if (is(a, "withhash")) {
      withhash = true;
    } else if (is(a, "withcoord")) {
      withcoord = true;
    } else if (is(a, "any")) {
      any = true;
    } else if (is(a, "asc")) {
      sort = kAsc;
    } else if (is(a, "desc")) {
      sort = kDesc;
    } else if (is(a, "count") && left >= 1) {
      if (!parse_int(c.arg(i + 1), &count)) return c.error(Err::kNotInt);
      if (count <= 0) return c.error(Err::kCountAboveZero);
      i++;
    } else if ((is(a, "store") || is(a, "storedist")) && left >= 1 &&
               !(flags & (kNoStore | kSearch))) {
      store_key = c.arg(i + 1);
      has_store = true;
      storedist = is(a, "storedist");
      i++;
    } else if (is(a, "storedist") && (flags & kSearchStore)) {
      storedist = true;
    } else if (is(a, "frommember") && left >= 1 && search && !fromloc) {
      if (z && !member_position(z, c.arg(i + 1), &shape.lon, &shape.lat))
        return c.error(Err::kGeoMemberUnknown);
      frommember = true;
      i++;
    } else if (is(a, "fromlonlat") && left >= 2 && search && !frommember) {
      if (!parse_lonlat(c, i + 1, &shape.lon, &shape.lat)) return;
      fromloc = true;
      i += 2;
    } else if (is(a, "byradius") && left >= 2 && search && !bybox) {
      if (!parse_radius(c, i + 1, &shape)) return;
      byradius = true;
      i += 2;
    } else if (is(a, "bybox") && left >= 3 && search && !byradius) {
      if (!parse_box(c, i + 1, &shape)) return;
      bybox = true;
      i += 3;
    } else {
      return c.error(Err::kSyntax);
    }
  }

  if (has_store && (withdist || withhash || withcoord))
    return c.error(geo_store_options_error(flags & kSearchStore));
  if (search && !(frommember || fromloc)) return c.error(geo_from_error(c.arg(0)));
  if (search && !(byradius || bybox)) return c.error(geo_by_error(c.arg(0)));
  if (any && !count) return c.error(Err::kGeoAnyWithoutCount);

  std::vector<Point> pts;
  if (z) {
    if (count && sort == kNone && !any) sort = kAsc;  // the closest COUNT, not any COUNT
    search_points(z, shape, any ? static_cast<size_t>(count) : 0, pts);
  }
  // src stays alive (and locked) while the points' member views are used.
  if (pts.empty() && !has_store) return c.reply.array(0);
  const size_t n =
      count == 0 || pts.size() < static_cast<uint64_t>(count) ? pts.size() : size_t(count);
  if (sort != kNone) {
    // Redis sorts everything with qsort (glibc's is a stable merge sort) when it returns every
    // point, and only the first COUNT with its partial quicksort otherwise.
    const bool desc = sort == kDesc;
    if (n == pts.size()) {
      std::stable_sort(pts.begin(), pts.end(), [desc](const Point& a, const Point& b) {
        return compare_dist(a, b, desc) < 0;
      });
    } else {
      partial_sort(pts.data(), pts.size(), 0, n, desc);
    }
  }

  if (has_store) {
    // The result owns copies of the members; the source is let go before the destination (which
    // may be the same key) is replaced.
    ZSetValue* fresh = build_result(c, storedist, pts, n, shape.conversion);
    src.reset();
    return store_result(c, ks, store_key, fresh, search);
  }
  const size_t extras = size_t{withdist} + withhash + withcoord;
  protocol::ReplyWriter& r = c.reply;
  r.array(n);
  for (size_t i = 0; i < n; i++) {
    const Point& p = pts[i];
    if (extras) r.array(extras + 1);
    r.bulk(p.member);
    if (withdist) reply_distance(r, p.dist / shape.conversion);
    if (withhash) r.integer(static_cast<int64_t>(p.score));
    if (withcoord) {
      r.array(2);
      reply_coord(r, p.lon);
      reply_coord(r, p.lat);
    }
  }
}

void cmd_georadius(CmdCtx& c) {
  search_generic(c, 1, kByCoords);
}
void cmd_georadius_ro(CmdCtx& c) {
  search_generic(c, 1, kByCoords | kNoStore);
}
void cmd_georadiusbymember(CmdCtx& c) {
  search_generic(c, 1, kByMember);
}
void cmd_georadiusbymember_ro(CmdCtx& c) {
  search_generic(c, 1, kByMember | kNoStore);
}
void cmd_geosearch(CmdCtx& c) {
  search_generic(c, 1, kSearch);
}
void cmd_geosearchstore(CmdCtx& c) {
  search_generic(c, 2, kSearch | kSearchStore);
}

}  // namespace

void register_geo_commands(CommandTable& t) {
  constexpr uint32_t R = kReadonly, WD = kWrite | kDenyOom;
  constexpr std::string_view g = "geo";
  constexpr std::string_view search_cx =
      "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area "
      "delimited by center and radius and M is the number of items inside the index.";
  constexpr std::string_view geosearch_cx =
      "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around "
      "the shape provided as the filter and M is the number of items inside the shape";
  t.add({.name = "geoadd",
         .arity = -5,
         .flags = WD,
         .keys = {1, 1, 1},
         .fn = cmd_geoadd,
         .doc = {.group = g,
                 .summary = "Add one or more geospatial items in the geospatial index represented "
                            "using a sorted set",
                 .syntax = "key [NX | XX] [CH] longitude latitude member [longitude latitude "
                           "member ...]",
                 .since = "3.2.0",
                 .complexity = "O(log(N)) for each item added, where N is the number of elements "
                               "in the sorted set."}});
  t.add({.name = "geodist",
         .arity = -4,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_geodist,
         .doc = {.group = g,
                 .summary = "Returns the distance between two members of a geospatial index",
                 .syntax = "key member1 member2 [M | KM | FT | MI]",
                 .since = "3.2.0",
                 .complexity = "O(log(N))"}});
  t.add({.name = "geohash",
         .arity = -2,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_geohash,
         .doc = {.group = g,
                 .summary = "Returns members of a geospatial index as standard geohash strings",
                 .syntax = "key [member [member ...]]",
                 .since = "3.2.0",
                 .complexity = "O(log(N)) for each member requested, where N is the number of "
                               "elements in the sorted set."}});
  t.add({.name = "geopos",
         .arity = -2,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_geopos,
         .doc = {.group = g,
                 .summary = "Returns longitude and latitude of members of a geospatial index",
                 .syntax = "key [member [member ...]]",
                 .since = "3.2.0",
                 .complexity = "O(N) where N is the number of members requested."}});
  // GEORADIUS and GEORADIUSBYMEMBER find their STORE destination among the options: movable keys.
  t.add({.name = "georadius",
         .arity = -6,
         .flags = WD | kMovableKeys,
         .keys = {1, 1, 1},
         .fn = cmd_georadius,
         .doc = {.group = g,
                 .summary = "Query a sorted set representing a geospatial index to fetch members "
                            "matching a given maximum distance from a point",
                 .syntax = "key longitude latitude radius <M | KM | FT | MI> [WITHCOORD] "
                           "[WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC] [STORE key] "
                           "[STOREDIST key]",
                 .since = "3.2.0",
                 .complexity = search_cx}});
  t.add({.name = "georadius_ro",
         .arity = -6,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_georadius_ro,
         .doc = {.group = g,
                 .summary = "A read-only variant for GEORADIUS",
                 .syntax = "key longitude latitude radius <M | KM | FT | MI> [WITHCOORD] "
                           "[WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC]",
                 .since = "3.2.10",
                 .complexity = search_cx}});
  t.add({.name = "georadiusbymember",
         .arity = -5,
         .flags = WD | kMovableKeys,
         .keys = {1, 1, 1},
         .fn = cmd_georadiusbymember,
         .doc = {.group = g,
                 .summary = "Query a sorted set representing a geospatial index to fetch members "
                            "matching a given maximum distance from a member",
                 .syntax = "key member radius <M | KM | FT | MI> [WITHCOORD] [WITHDIST] "
                           "[WITHHASH] [COUNT count [ANY]] [ASC | DESC] [STORE key] "
                           "[STOREDIST key]",
                 .since = "3.2.0",
                 .complexity = search_cx}});
  t.add({.name = "georadiusbymember_ro",
         .arity = -5,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_georadiusbymember_ro,
         .doc = {.group = g,
                 .summary = "A read-only variant for GEORADIUSBYMEMBER",
                 .syntax = "key member radius <M | KM | FT | MI> [WITHCOORD] [WITHDIST] "
                           "[WITHHASH] [COUNT count [ANY]] [ASC | DESC]",
                 .since = "3.2.10",
                 .complexity = search_cx}});
  t.add({.name = "geosearch",
         .arity = -7,
         .flags = R,
         .keys = {1, 1, 1},
         .fn = cmd_geosearch,
         .doc = {.group = g,
                 .summary = "Query a sorted set representing a geospatial index to fetch members "
                            "inside an area of a box or a circle.",
                 .syntax = "key <FROMMEMBER member | FROMLONLAT longitude latitude> <BYRADIUS "
                           "radius <M | KM | FT | MI> | BYBOX width height <M | KM | FT | MI>> "
                           "[ASC | DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]",
                 .since = "6.2.0",
                 .complexity = geosearch_cx}});
  t.add({.name = "geosearchstore",
         .arity = -8,
         .flags = WD,
         .keys = {1, 2, 1},
         .fn = cmd_geosearchstore,
         .doc = {.group = g,
                 .summary = "Query a sorted set representing a geospatial index to fetch members "
                            "inside an area of a box or a circle, and store the result in another "
                            "key.",
                 .syntax = "destination source <FROMMEMBER member | FROMLONLAT longitude "
                           "latitude> <BYRADIUS radius <M | KM | FT | MI> | BYBOX width height <M "
                           "| KM | FT | MI>> [ASC | DESC] [COUNT count [ANY]] [STOREDIST]",
                 .since = "6.2.0",
                 .complexity = geosearch_cx}});
}

}  // namespace respite::server
