// Key specs attached to the command table, and key extraction driven by them (see key_spec.h).
// Everything here follows Redis 7.0's rules as its replies show them: specs are walked first and
// count only when every one resolves (an unknown or incomplete spec, a numkeys that does not
// parse, a range past the end make the walk fail as a whole), and then the command's own
// procedure decides. The walk runs twice when it succeeds, once to check and once to report, so
// that no key is reported from a walk that later fails and nothing is buffered.
#include <algorithm>
#include <cctype>
#include <climits>

#include "server/command.h"
#include "server/key_spec.h"
#include "storage/canonical_int.h"

namespace respite::server {

namespace {

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

GetKeysProc proc_of(std::string_view name) {
  using P = GetKeysProc;
  static constexpr std::pair<std::string_view, P> kProcs[] = {
      {"eval", P::kEval},
      {"eval_ro", P::kEval},
      {"evalsha", P::kEval},
      {"evalsha_ro", P::kEval},
      {"fcall", P::kEval},
      {"fcall_ro", P::kEval},
      {"sort", P::kSort},
      {"sort_ro", P::kSortRo},
      {"migrate", P::kMigrate},
      {"georadius", P::kGeoradius},
      {"georadiusbymember", P::kGeoradius},
      {"xread", P::kXread},
      {"xreadgroup", P::kXread},
      {"set", P::kSet},
      {"bitfield", P::kBitfield},
      {"zunion", P::kNumkeys1},
      {"zinter", P::kNumkeys1},
      {"zdiff", P::kNumkeys1},
      {"zintercard", P::kNumkeys1},
      {"sintercard", P::kNumkeys1},
      {"lmpop", P::kNumkeys1},
      {"zmpop", P::kNumkeys1},
      {"blmpop", P::kNumkeys2},
      {"bzmpop", P::kNumkeys2},
      {"zunionstore", P::kStoreNumkeys},
      {"zinterstore", P::kStoreNumkeys},
      {"zdiffstore", P::kStoreNumkeys},
  };
  for (auto& [n, p] : kProcs) {
    if (n == name) return p;
  }
  return P::kNone;
}

// The flags of a respite command Redis 7.0 lacks: a read-only command reads (RO ACCESS), a write
// one changes (RW UPDATE, as Redis 7.4's HEXPIRE family), except those that also return what
// they change, which need read permission too (as Redis 8's HGETDEL and HGETEX).
uint16_t derived_flags(const Command& c) {
  if (c.name == "hgetdel") return kSpecRW | kSpecAccess | kSpecDelete;
  if (c.name == "hgetex") return kSpecRW | kSpecAccess | kSpecUpdate;
  if (c.has_flag(kReadonly)) return kSpecRO | kSpecAccess;
  if (c.has_flag(kWrite)) return kSpecRW | kSpecUpdate;
  return kSpecRW | kSpecAccess | kSpecUpdate;
}

// A respite command Redis 7.0 lacks: one range spec from its fixed positions and one keynum spec
// from its numkeys argument.
void derive_specs(Command& c) {
  const uint16_t flags = derived_flags(c);
  if (c.first_key > 0) {
    KeySpecDef s;
    s.flags = flags;
    s.begin = KeySpecDef::Begin::kIndex;
    s.pos = static_cast<int16_t>(c.first_key);
    s.find = KeySpecDef::Find::kRange;
    s.a = static_cast<int16_t>(c.last_key >= 0 ? c.last_key - c.first_key : c.last_key);
    s.b = static_cast<int16_t>(c.step);
    c.key_specs.push_back(s);
  }
  if (c.numkeys_at > 0) {
    KeySpecDef s;
    s.flags = flags;
    s.begin = KeySpecDef::Begin::kIndex;
    s.pos = static_cast<int16_t>(c.numkeys_at);
    s.find = KeySpecDef::Find::kKeynum;
    s.a = 0;  // the count is the begin argument itself
    s.b = 1;  // keys follow it
    s.c = 1;
    c.key_specs.push_back(s);
  }
}

// The walk over the specs: -1 when any spec fails to resolve (Redis's invalid_spec), else the
// number of keys, reported to sink when one is given.
long walk_specs(const Command& cmd, const std::string_view* argv, size_t argc_u,
                const KeySink* sink) {
  const long argc = static_cast<long>(argc_u);
  long count = 0;
  for (const KeySpecDef& s : cmd.key_specs) {
    if (s.flags & kSpecNotKey) continue;
    long first = 0;
    switch (s.begin) {
      case KeySpecDef::Begin::kIndex:
        first = s.pos;
        break;
      case KeySpecDef::Begin::kKeyword: {
        // From startfrom towards the end, or from the end backwards; Redis stops short of the
        // last argument going forwards and of argv[1] going backwards.
        const long start = s.pos > 0 ? s.pos : argc + s.pos;
        const long end = s.pos > 0 ? argc - 1 : 1;
        for (long i = start; i != end; i = start <= end ? i + 1 : i - 1) {
          if (i >= argc || i < 1) break;
          if (ieq(argv[i], s.keyword)) {
            first = i + 1;
            break;
          }
        }
        if (!first) continue;  // keyword absent: this spec has no keys
        break;
      }
      case KeySpecDef::Begin::kUnknown:
        return -1;
    }
    long last = 0, step = 1;
    switch (s.find) {
      case KeySpecDef::Find::kRange:
        step = s.b;
        if (s.a >= 0)
          last = first + s.a;
        else if (!s.c)
          last = argc + s.a;
        else
          last = first + ((argc - first) / s.c + s.a);
        break;
      case KeySpecDef::Find::kKeynum: {
        step = s.c;
        if (first + s.a >= argc || first + s.a < 0) return -1;
        int64_t n;
        if (!storage::parse_canonical_int(argv[first + s.a], &n) || n < 0 || n > INT_MAX) return -1;
        first += s.b;
        last = first + static_cast<long>(n) - 1;
        break;
      }
      case KeySpecDef::Find::kUnknown:
        return -1;
    }
    if (step < 1 || last >= argc || last < first || first >= argc) return -1;
    for (long i = first; i <= last; i += step) {
      count++;
      if (sink) (*sink)(static_cast<size_t>(i), s.flags);
    }
    if (s.flags & kSpecIncomplete) return -1;
  }
  return count;
}

// C's atoi, which Redis's numkeys procedures use: leading blanks, a sign, digits up to anything
// else; saturated as strtol saturates, then narrowed to int.
int c_atoi(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) i++;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  int64_t v = 0;
  bool over = false;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; i++) {
    if (v > (INT64_MAX - (s[i] - '0')) / 10) over = true;
    if (!over) v = v * 10 + (s[i] - '0');
  }
  if (over)
    v = neg ? INT64_MIN : INT64_MAX;
  else if (neg)
    v = -v;
  return static_cast<int>(static_cast<uint32_t>(static_cast<uint64_t>(v)));
}

// Redis's genericGetKeys: count keys from first (flags unknown: 0), then the destination.
size_t numkeys_proc(size_t store, size_t count_at, size_t first, const std::string_view* argv,
                    size_t argc, const KeySink& sink) {
  if (count_at >= argc || first > argc) return 0;
  const long num = c_atoi(argv[count_at]);
  if (num < 1 || num > static_cast<long>(argc - first)) return 0;
  for (long i = 0; i < num; i++) sink(first + static_cast<size_t>(i), 0);
  if (store) sink(store, 0);
  return static_cast<size_t>(num) + (store ? 1 : 0);
}

size_t sort_proc(const std::string_view* argv, size_t argc, const KeySink& sink) {
  sink(1, kSpecRO | kSpecAccess);
  // Options take no value unless named here; the last STORE wins, as SORT itself applies it.
  size_t store = 0;
  for (size_t i = 2; i < argc; i++) {
    if (ieq(argv[i], "limit"))
      i += 2;
    else if (ieq(argv[i], "get") || ieq(argv[i], "by"))
      i += 1;
    else if (ieq(argv[i], "store") && i + 1 < argc)
      store = i + 1;  // not stepped over: Redis reads the destination as an option next
  }
  if (!store) return 1;
  sink(store, kSpecOW | kSpecUpdate);
  return 2;
}

size_t migrate_proc(const std::string_view* argv, size_t argc, const KeySink& sink) {
  if (argc < 4) return 0;
  size_t first = 3, num = 1;
  for (size_t i = 6; i < argc; i++) {
    if (ieq(argv[i], "keys")) {
      if (!argv[3].empty()) {
        num = 0;  // a key and KEYS both: MIGRATE replies with its syntax error
      } else {
        first = i + 1;
        num = argc - first;
      }
      break;
    }
    if (ieq(argv[i], "auth"))
      i += 1;
    else if (ieq(argv[i], "auth2"))
      i += 2;
  }
  for (size_t i = 0; i < num; i++) sink(first + i, kSpecRW | kSpecAccess | kSpecDelete);
  return num;
}

size_t georadius_proc(const std::string_view* argv, size_t argc, const KeySink& sink) {
  size_t stored = 0;
  for (size_t i = 5; i < argc; i++) {
    if ((ieq(argv[i], "store") || ieq(argv[i], "storedist")) && i + 1 < argc) stored = ++i;
  }
  sink(1, 0);
  if (stored) sink(stored, 0);
  return stored ? 2 : 1;
}

size_t xread_proc(const std::string_view* argv, size_t argc, const KeySink& sink) {
  size_t streams = 0;
  for (size_t i = 1; i < argc; i++) {
    if (ieq(argv[i], "block") || ieq(argv[i], "count")) {
      i++;
    } else if (ieq(argv[i], "group")) {
      i += 2;
    } else if (ieq(argv[i], "noack")) {
    } else if (ieq(argv[i], "streams")) {
      streams = i;
      break;
    } else {
      break;  // a syntax error, which the command reports
    }
  }
  if (!streams) return 0;
  size_t num = argc - streams - 1;
  if (num == 0 || num % 2 != 0) return 0;
  num /= 2;
  for (size_t i = 0; i < num; i++) sink(streams + 1 + i, 0);
  return num;
}

size_t set_proc(const std::string_view* argv, size_t argc, const KeySink& sink) {
  for (size_t i = 3; i < argc; i++) {
    if (ieq(argv[i], "get")) {
      sink(1, kSpecRW | kSpecAccess | kSpecUpdate);
      return 1;
    }
  }
  sink(1, kSpecOW | kSpecUpdate);
  return 1;
}

size_t bitfield_proc(const std::string_view* argv, size_t argc, const KeySink& sink) {
  bool readonly = true;
  for (size_t i = 2; i < argc; i++) {
    const size_t rest = argc - i - 1;
    if (ieq(argv[i], "get") && rest >= 2) {
      i += 2;
    } else if ((ieq(argv[i], "set") || ieq(argv[i], "incrby")) && rest >= 3) {
      readonly = false;
      break;
    } else if (ieq(argv[i], "overflow") && rest >= 1) {
      i += 1;
    } else {
      readonly = false;  // a syntax error: not known to be read-only
      break;
    }
  }
  sink(1, readonly ? kSpecRO | kSpecAccess : kSpecRW | kSpecAccess | kSpecUpdate);
  return 1;
}

size_t run_proc(const Command& cmd, const std::string_view* argv, size_t argc,
                const KeySink& sink) {
  // Every procedure's first key is argv[1] or later; dispatch checks arity first, but a caller
  // that does not must not make one read past the end.
  if (argc < 2) return 0;
  switch (cmd.getkeys_proc) {
    case GetKeysProc::kNone:
      return 0;
    case GetKeysProc::kEval:
      return numkeys_proc(0, 2, 3, argv, argc, sink);
    case GetKeysProc::kSort:
      return sort_proc(argv, argc, sink);
    case GetKeysProc::kSortRo:
      sink(1, kSpecRO | kSpecAccess);
      return 1;
    case GetKeysProc::kMigrate:
      return migrate_proc(argv, argc, sink);
    case GetKeysProc::kGeoradius:
      return georadius_proc(argv, argc, sink);
    case GetKeysProc::kXread:
      return xread_proc(argv, argc, sink);
    case GetKeysProc::kSet:
      return set_proc(argv, argc, sink);
    case GetKeysProc::kBitfield:
      return bitfield_proc(argv, argc, sink);
    case GetKeysProc::kNumkeys1:
      return numkeys_proc(0, 1, 2, argv, argc, sink);
    case GetKeysProc::kNumkeys2:
      return numkeys_proc(0, 2, 3, argv, argc, sink);
    case GetKeysProc::kStoreNumkeys:
      return numkeys_proc(1, 2, 3, argv, argc, sink);
  }
  return 0;
}

}  // namespace

std::string_view key_spec_flag_name(int i) {
  static constexpr std::string_view kNames[kSpecFlagCount] = {
      "RO",     "RW",     "OW",      "RM",         "access",        "update",
      "insert", "delete", "not_key", "incomplete", "variable_flags"};
  return i >= 0 && i < kSpecFlagCount ? kNames[i] : std::string_view{};
}

void attach_key_specs(Command& c) {
  c.key_specs.clear();
  c.getkeys_proc = GetKeysProc::kNone;
  const std::string_view name = c.name;
  const std::string_view* names_end = kRedisCommandNames + kRedisCommandNameCount;
  if (!std::binary_search(kRedisCommandNames, names_end, name)) return derive_specs(c);
  c.getkeys_proc = proc_of(name);
  const KeySpecRow* end = kRedisKeySpecs + kRedisKeySpecCount;
  const KeySpecRow* it =
      std::lower_bound(kRedisKeySpecs, end, name,
                       [](const KeySpecRow& r, std::string_view n) { return r.command < n; });
  for (; it != end && it->command == name; ++it) c.key_specs.push_back(it->spec);
}

bool command_has_keys(const Command& cmd) {
  if (cmd.getkeys_proc != GetKeysProc::kNone) return true;
  return std::any_of(cmd.key_specs.begin(), cmd.key_specs.end(),
                     [](const KeySpecDef& s) { return !(s.flags & kSpecNotKey); });
}

size_t visit_keys(const Command& cmd, const std::string_view* argv, size_t argc, KeySink sink) {
  bool has_keyspec = false, has_varflags = false;
  for (const KeySpecDef& s : cmd.key_specs) {
    has_keyspec |= !(s.flags & kSpecNotKey);
    has_varflags |= (s.flags & kSpecVariableFlags) != 0;
  }
  if (has_keyspec && !has_varflags) {
    long n = walk_specs(cmd, argv, argc, nullptr);
    if (n >= 0) {
      walk_specs(cmd, argv, argc, &sink);
      return static_cast<size_t>(n);
    }
  }
  return run_proc(cmd, argv, argc, sink);
}

LegacyKeyRange legacy_key_range(const Command& cmd) {
  LegacyKeyRange r;
  const auto& specs = cmd.key_specs;
  if (specs.empty()) return r;
  auto plain = [](const KeySpecDef& s) {
    return s.begin == KeySpecDef::Begin::kIndex && s.find == KeySpecDef::Find::kRange;
  };
  if (specs.size() == 1 && plain(specs[0])) {
    r.first = specs[0].pos;
    r.last = specs[0].a >= 0 ? specs[0].pos + specs[0].a : specs[0].a;
    r.step = specs[0].b;
    r.movable = (specs[0].flags & kSpecIncomplete) != 0;
    return r;
  }
  // Consecutive plain ranges of step 1 glue into one; anything else makes the keys movable.
  int first = INT_MAX;
  uint32_t last = 0, prev_last = 0;  // unsigned, so that a last key counted from the end wins
  for (const KeySpecDef& s : specs) {
    if (!plain(s) || s.b != 1 || (prev_last && prev_last != static_cast<uint32_t>(s.pos - 1))) {
      r.movable = true;
      continue;
    }
    if (s.flags & kSpecIncomplete) r.movable = true;
    first = std::min<int>(first, s.pos);
    const int abs_last = s.a >= 0 ? s.a + s.pos : s.a;
    last = std::max(last, static_cast<uint32_t>(abs_last));
    prev_last = last;
  }
  if (first == INT_MAX) {
    r.movable = true;
    return r;
  }
  r.first = first;
  r.last = static_cast<int>(last);
  r.step = 1;
  return r;
}

}  // namespace respite::server
