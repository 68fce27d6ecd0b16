// SORT and SORT_RO: sort the elements of a list, set or sorted set numerically or (ALPHA) as bytes,
// by themselves or by values looked up through a pattern (BY weight_* or BY h_*->field), with
// LIMIT, GET patterns (GET # for the element itself) and, for SORT, STORE into a list. Redis 7.0's
// rules throughout: option parsing, LIMIT clamping, BY without '*' meaning "don't sort" (but a set
// stored or scripted is still sorted, ALPHA, so the result is reproducible), equal scores ordered
// by the elements' bytes, ALPHA comparing C strings unless it stores, the "One or more scores can't
// be converted into double" error.
//
// Atomicity: the patterns name keys that only the data decides, so a SORT that uses any takes
// every shard of the database for its duration (as KEYS does); one that does not takes the shards
// of its key and its STORE destination. Elements are copied out before anything is stored, so the
// destination may be the source.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "server/blocking.h"
#include "server/collection.h"
#include "server/context.h"
#include "server/keywrite.h"
#include "storage/hash_value.h"
#include "storage/list_value.h"
#include "storage/set_value.h"
#include "storage/zset_value.h"

namespace respite::server {

using storage::Entry;
using storage::HashValue;
using storage::ListValue;
using storage::SetValue;
using storage::Type;
using storage::ZSetValue;

namespace {

struct SortArgs {
  bool desc = false, alpha = false, dontsort = false;
  int64_t limit_start = 0, limit_count = -1;
  bool has_by = false;
  std::string_view by;
  std::vector<std::string_view> gets;
  bool has_store = false;
  std::string_view store;
};

// Whether this client may use BY and GET patterns: they read keys that no key spec names, so
// Redis asks for read access to every key ("*") in a selector that allows the call.
bool full_key_access(CmdCtx& c) {
  if (c.conn.acl_unrestricted || !c.conn.user || !c.cmd) return true;
  return c.server.acl.unrestricted_key_access(*c.conn.user, *c.cmd, c.argv, kSpecAccess);
}

bool parse_sort(CmdCtx& c, bool readonly, SortArgs* a) {
  int full_access = -1;  // asked once, when a pattern first needs it
  auto denied = [&](Err e) {
    if (full_access < 0) full_access = full_key_access(c);
    if (full_access) return false;
    c.error(e);
    return true;
  };
  for (size_t j = 2; j < c.argc(); j++) {
    size_t left = c.argc() - j - 1;
    std::string_view opt = c.arg(j);
    if (iequals(opt, "asc")) {
      a->desc = false;
    } else if (iequals(opt, "desc")) {
      a->desc = true;
    } else if (iequals(opt, "alpha")) {
      a->alpha = true;
    } else if (iequals(opt, "limit") && left >= 2) {
      if (!parse_int(c.arg(j + 1), &a->limit_start) || !parse_int(c.arg(j + 2), &a->limit_count)) {
        c.error(Err::kNotInt);
        return false;
      }
      j += 2;
    } else if (!readonly && iequals(opt, "store") && left >= 1) {
      a->has_store = true;
      a->store = c.arg(++j);
    } else if (iequals(opt, "by") && left >= 1) {
      a->has_by = true;
      a->by = c.arg(++j);
      // A constant BY (no '*') names no per-element key: nothing to sort by.
      if (until_nul(a->by).find('*') == std::string_view::npos)
        a->dontsort = true;
      else if (denied(Err::kSortByDenied))
        return false;
    } else if (iequals(opt, "get") && left >= 1) {
      if (denied(Err::kSortGetDenied)) return false;
      a->gets.push_back(c.arg(++j));
    } else {
      c.error(Err::kSyntax);
      return false;
    }
  }
  return true;
}

// Whether a pattern can name a key: it has a '*' (GET # and constant patterns name none).
bool names_keys(std::string_view pattern) {
  return until_nul(pattern).find('*') != std::string_view::npos;
}

// Redis's lookupKeyByPattern: "#" is the element itself; otherwise the first '*' is replaced by
// the element, and a "->field" after it (with a field name) reads that field of a hash instead of
// a string. Missing keys, other types and missing fields give false. The caller holds every shard.
bool lookup_by_pattern(CmdCtx& c, std::string_view pattern, std::string_view elem,
                       std::string* out) {
  std::string_view pat = until_nul(pattern);
  if (pat == "#") {
    out->assign(elem);
    return true;
  }
  size_t star = pat.find('*');
  if (star == std::string_view::npos) return false;
  std::string_view field;
  size_t arrow = pat.find("->", star + 1);
  if (arrow != std::string_view::npos && arrow + 2 < pat.size()) {
    field = pattern.substr(arrow + 2);  // the field keeps its bytes after a NUL, as Redis's
    pat = pat.substr(0, arrow);
  } else {
    pat = pattern;  // no field: the postfix runs to the argument's end
  }
  std::string key;
  key.reserve(pat.size() + elem.size());
  key.append(pat.substr(0, star)).append(elem).append(pat.substr(star + 1));
  const Entry* e = c.lookup_read_locked(c.db(), key);
  if (!e) return false;
  if (field.empty()) {
    if (e->type() != Type::kString) return false;
    StringBuf buf;
    out->assign(string_bytes(c, e, &buf));
    return true;
  }
  if (e->type() != Type::kHash) return false;
  std::string_view v;
  const auto* hash = static_cast<const HashValue*>(e->object());
  if (!hash->get(field, &v)) return false;
  int64_t ttl = hash->field_expire(field);  // a field past its own TTL (HEXPIRE) is absent
  if (ttl >= 0 && ttl <= c.op.now_ms) return false;
  out->assign(v);
  return true;
}

// A weight as SORT reads it: strtod over the whole text (leading spaces, hex and "inf" included,
// as Redis's), no NaN, no overflow.
bool sort_score(std::string_view text, double* out) {
  std::string s(until_nul(text));
  char* end;
  errno = 0;
  double d = std::strtod(s.c_str(), &end);
  if (*end != '\0' || errno == ERANGE || std::isnan(d)) return false;
  *out = d;
  return true;
}

struct Item {
  std::string elem;
  double score = 0;
  bool has_cmp = false;  // ALPHA with BY: a value was found
  std::string cmp;
};

int bytes_cmp(std::string_view a, std::string_view b) {
  int r = a.compare(b);
  return r < 0 ? -1 : r > 0;
}

// ALPHA's order. Stored results compare as bytes; replied ones as Redis's strcoll() does, in the C
// locale: as C strings, so that what follows a NUL byte does not count ("" and "\0x" tie).
int alpha_cmp(std::string_view a, std::string_view b, bool store) {
  return store ? bytes_cmp(a, b) : bytes_cmp(until_nul(a), until_nul(b));
}

// Copies the elements of the sort key (list, set or sorted set) into items: all of them, or only
// [start, end] in native order when nothing is sorted (Redis loads just that range then, and
// start/end become relative to it).
void load_elements(const Entry* e, const SortArgs& a, int64_t* start, int64_t* end,
                   std::vector<Item>* items) {
  size_t len = e ? e->object()->length() : 0;
  const bool ranged = a.dontsort && e && e->type() != Type::kSet;
  if (ranged) {
    if (*end < *start) return;
    size_t n = static_cast<size_t>(*end - *start + 1);
    size_t first = static_cast<size_t>(*start);
    items->reserve(n);
    if (e->type() == Type::kList) {
      auto* l = static_cast<const ListValue*>(e->object());
      l->visit(a.desc ? len - first - 1 : first, n, a.desc,
               [&](std::string_view v) { items->push_back({std::string(v)}); });
    } else {
      auto* z = static_cast<const ZSetValue*>(e->object());
      z->walk(a.desc ? len - first - 1 : first, a.desc, [&](const storage::ZItem& it) {
        items->push_back({std::string(it.member)});
        return items->size() < n;
      });
    }
    *end -= *start;
    *start = 0;
    return;
  }
  if (!e) return;
  items->reserve(len);
  switch (e->type()) {
    case Type::kList:
      static_cast<const ListValue*>(e->object())->visit(0, len, false, [&](std::string_view v) {
        items->push_back({std::string(v)});
      });
      break;
    case Type::kSet:
      static_cast<const SetValue*>(e->object())->for_each([&](std::string_view v) {
        items->push_back({std::string(v)});
      });
      break;
    default:
      static_cast<const ZSetValue*>(e->object())->walk(0, false, [&](const storage::ZItem& it) {
        items->push_back({std::string(it.member)});
        return true;
      });
      break;
  }
}

void sort_generic(CmdCtx& c, bool readonly) {
  SortArgs a;
  if (!parse_sort(c, readonly, &a)) return;

  storage::Keyspace& ks = c.db();
  bool patterns = a.has_by && names_keys(a.by);
  for (std::string_view g : a.gets) patterns |= names_keys(g);
  storage::MultiLock lock;
  if (patterns) {
    lock.add_all(ks);
  } else {
    lock.add_key(ks, c.arg(1));
    if (a.has_store) lock.add_key(ks, a.store);
  }
  lock.lock();

  const Entry* e = c.lookup_read_locked(ks, c.arg(1));
  if (e && e->type() != Type::kList && e->type() != Type::kSet && e->type() != Type::kZSet)
    return c.error(Err::kWrongType);
  if (e) touch_access(c, e);
  // A set has no order of its own: stored (or scripted) unsorted output would differ between
  // servers, so it is sorted as bytes.
  if (a.dontsort && e && e->type() == Type::kSet && (a.has_store || c.conn.in_script)) {
    a.dontsort = false;
    a.alpha = true;
    a.has_by = false;
  }

  // LIMIT, clamped as Redis does: a start past the end selects nothing.
  const int64_t len = e ? static_cast<int64_t>(e->object()->length()) : 0;
  int64_t start = std::min(std::max<int64_t>(a.limit_start, 0), len);
  int64_t count = std::min(std::max<int64_t>(a.limit_count, -1), len);
  int64_t end = count < 0 ? len - 1 : start + count - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;

  std::vector<Item> items;
  load_elements(e, a, &start, &end, &items);

  if (!a.dontsort) {
    bool bad_score = false;
    std::string byval;
    for (Item& it : items) {
      std::string_view weight = it.elem;
      if (a.has_by) {
        if (!lookup_by_pattern(c, a.by, it.elem, &byval)) continue;  // score 0, no cmp value
        weight = byval;
      }
      if (a.alpha) {
        if (a.has_by) {
          it.has_cmp = true;
          it.cmp = byval;
        }
      } else if (!sort_score(weight, &it.score)) {
        bad_score = true;
      }
    }
    if (bad_score) return c.error(Err::kSortScoreNotDouble);
    auto compare = [&](const Item& x, const Item& y) {
      int r;
      if (!a.alpha) {
        r = x.score < y.score ? -1 : x.score > y.score ? 1 : bytes_cmp(x.elem, y.elem);
      } else if (a.has_by) {
        r = x.has_cmp && y.has_cmp ? alpha_cmp(x.cmp, y.cmp, a.has_store)
                                   : int(x.has_cmp) - int(y.has_cmp);
      } else {
        r = alpha_cmp(x.elem, y.elem, a.has_store);
      }
      return (a.desc ? -r : r) < 0;
    };
    std::sort(items.begin(), items.end(), compare);
  }

  const size_t first = static_cast<size_t>(std::max<int64_t>(start, 0));
  const size_t picked = end >= start ? static_cast<size_t>(end - start + 1) : 0;
  const size_t out_len = picked * (a.gets.empty() ? 1 : a.gets.size());
  std::string val;
  if (!a.has_store) {
    c.reply.array(out_len);
    for (size_t i = first; i < first + picked; i++) {
      if (a.gets.empty()) c.reply.bulk(items[i].elem);
      for (std::string_view g : a.gets) {
        if (lookup_by_pattern(c, g, items[i].elem, &val))
          c.reply.bulk(val);
        else
          c.reply.null();
      }
    }
    return;
  }

  auto* list = new ListValue();
  const ListValue::Limits lim = ListValue::Limits::from_fill(encoding_limits(c.server).list_size);
  for (size_t i = first; i < first + picked; i++) {
    if (a.gets.empty()) list->push_back(items[i].elem, lim);
    for (std::string_view g : a.gets) {
      if (!lookup_by_pattern(c, g, items[i].elem, &val)) val.clear();  // a missing one stores ""
      list->push_back(val, lim);
    }
  }
  {
    Collection<ListValue> dst(c, ks, a.store, Type::kList, AlreadyLocked{});
    dst.store(list);  // an empty result deletes the destination (and says "del" if it existed)
  }
  if (out_len > 0) {
    c.notify(kNotifyList, "sortstore", a.store);
    signal_key_ready(c, a.store);
  }
  c.reply.integer(static_cast<int64_t>(out_len));
}

void cmd_sort(CmdCtx& c) {
  sort_generic(c, false);
}
void cmd_sort_ro(CmdCtx& c) {
  sort_generic(c, true);
}

}  // namespace

void register_sort_commands(CommandTable& t) {
  constexpr std::string_view kComplexity =
      "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the "
      "number of returned elements. When the elements are not sorted, complexity is O(N).";
  // Movable keys: the STORE destination may be anywhere among the options.
  t.add({.name = "sort",
         .arity = -2,
         .flags = kWrite | kDenyOom | kMovableKeys,
         .keys = {1, 1, 1},
         .fn = cmd_sort,
         .doc = {.group = "generic",
                 .summary = "Sort the elements in a list, set or sorted set",
                 .syntax = "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] "
                           "[ASC | DESC] [ALPHA] [STORE destination]",
                 .since = "1.0.0",
                 .complexity = kComplexity}});
  t.add({.name = "sort_ro",
         .arity = -2,
         .flags = kReadonly | kMovableKeys,
         .keys = {1, 1, 1},
         .fn = cmd_sort_ro,
         .doc = {.group = "generic",
                 .summary = "Sort the elements in a list, set or sorted set. Read-only variant of "
                            "SORT.",
                 .syntax = "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] "
                           "[ASC | DESC] [ALPHA]",
                 .since = "7.0.0",
                 .complexity = kComplexity}});
}

}  // namespace respite::server
