// storage::ZSetValue and its packed encoding; see zset_value.h.
#include "storage/zset_value.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <unordered_map>

#include "storage/set_value.h"
#include "storage/varint.h"

namespace respite::storage {

namespace {

// Redis keeps an integral score in a listpack as an integer, which turns -0 into 0.
double packed_score(double s) {
  return s == 0 ? 0.0 : s;
}

bool item_before(const ZItem& it, double score, std::string_view member) {
  return it.score < score || (it.score == score && compare_members(it.member, member) < 0);
}

// Redis's sdscmplex over bounds: "-" below every string, "+" above.
int compare_bounds(const ZLexBound& a, const ZLexBound& b) {
  auto rank = [](ZLexBound::Kind k) {
    return k == ZLexBound::kMinusInf ? 0 : k == ZLexBound::kPlusInf ? 2 : 1;
  };
  int ra = rank(a.kind), rb = rank(b.kind);
  if (ra != rb || ra != 1) return ra - rb;
  return compare_members(a.value, b.value);
}

}  // namespace

// --- ranges ---

namespace zset {

bool empty_range(const ZScoreRange& r) {
  return r.min > r.max || (r.min == r.max && (r.minex || r.maxex));
}

bool empty_range(const ZLexRange& r) {
  bool minex = r.min.kind != ZLexBound::kInclusive;  // "-" and "+" count as exclusive
  bool maxex = r.max.kind != ZLexBound::kInclusive;
  int cmp = compare_bounds(r.min, r.max);
  return cmp > 0 || (cmp == 0 && (minex || maxex));
}

bool gte_min(double score, const ZScoreRange& r) {
  return r.minex ? score > r.min : score >= r.min;
}
bool lte_max(double score, const ZScoreRange& r) {
  return r.maxex ? score < r.max : score <= r.max;
}

bool gte_min(std::string_view m, const ZLexRange& r) {
  switch (r.min.kind) {
    case ZLexBound::kMinusInf:
      return true;
    case ZLexBound::kPlusInf:
      return false;
    case ZLexBound::kInclusive:
      return compare_members(m, r.min.value) >= 0;
    case ZLexBound::kExclusive:
      return compare_members(m, r.min.value) > 0;
  }
  return false;
}

bool lte_max(std::string_view m, const ZLexRange& r) {
  switch (r.max.kind) {
    case ZLexBound::kMinusInf:
      return false;
    case ZLexBound::kPlusInf:
      return true;
    case ZLexBound::kInclusive:
      return compare_members(m, r.max.value) <= 0;
    case ZLexBound::kExclusive:
      return compare_members(m, r.max.value) < 0;
  }
  return false;
}

}  // namespace zset

// --- ZPacked ---

ZPacked::~ZPacked() {
  std::free(buf_);
}

ZPacked::ZPacked(const ZPacked& o) : used_(o.used_), cap_(o.used_), count_(o.count_) {
  if (used_) {
    buf_ = static_cast<char*>(std::malloc(used_));
    if (!buf_) throw std::bad_alloc();
    std::memcpy(buf_, o.buf_, used_);
  }
}

size_t ZPacked::entry_bytes(size_t mlen) {
  return varint::size(mlen) + mlen + sizeof(double);
}

size_t ZPacked::read(size_t off, ZItem* out) const {
  uint64_t n;
  const char* p = varint::get(buf_ + off, &n);
  out->member = {p, n};
  std::memcpy(&out->score, p + n, sizeof(double));
  return static_cast<size_t>(p + n + sizeof(double) - buf_);
}

size_t ZPacked::find(std::string_view member, double* score) const {
  ZItem it;
  for (size_t off = 0; off < used_;) {
    size_t next = read(off, &it);
    if (it.member.size() == member.size() &&
        (member.empty() || std::memcmp(it.member.data(), member.data(), member.size()) == 0)) {
      if (score) *score = it.score;
      return off;
    }
    off = next;
  }
  return npos;
}

size_t ZPacked::offset_of_rank(size_t r) const {
  size_t off = 0;
  ZItem it;
  for (size_t i = 0; i < r && off < used_; i++) off = read(off, &it);
  return off;
}

void ZPacked::reserve(size_t need) {
  if (need <= cap_) return;
  // Grow by half again so that n inserts cost O(n) copies, but never by more than 4 KiB of slack:
  // small sets stay tight.
  size_t grow = cap_ / 2;
  if (grow > 4096) grow = 4096;
  size_t cap = cap_ + grow;
  if (cap < need) cap = need;
  if (cap < 32) cap = 32;
  char* p = static_cast<char*>(std::realloc(buf_, cap));
  if (!p) throw std::bad_alloc();
  buf_ = p;
  cap_ = static_cast<uint32_t>(cap);
}

void ZPacked::shrink_if_loose() {
  if (used_ == 0) {
    clear();
    return;
  }
  if (cap_ <= 64 || used_ >= cap_ / 2) return;
  char* p = static_cast<char*>(std::realloc(buf_, used_));
  if (!p) return;  // keeping the larger buffer is harmless
  buf_ = p;
  cap_ = used_;
}

void ZPacked::insert(double score, std::string_view member) {
  score = packed_score(score);
  size_t need = entry_bytes(member.size());
  // Find the first entry that sorts after (score, member).
  size_t off = 0;
  ZItem it;
  while (off < used_) {
    size_t next = read(off, &it);
    if (!item_before(it, score, member)) break;
    off = next;
  }
  reserve(used_ + need);
  std::memmove(buf_ + off + need, buf_ + off, used_ - off);
  char* p = varint::put(buf_ + off, member.size());
  if (!member.empty()) std::memcpy(p, member.data(), member.size());
  std::memcpy(p + member.size(), &score, sizeof(double));
  used_ += static_cast<uint32_t>(need);
  count_++;
}

void ZPacked::append(double score, std::string_view member) {
  score = packed_score(score);
  size_t need = entry_bytes(member.size());
  reserve(used_ + need);
  char* p = varint::put(buf_ + used_, member.size());
  if (!member.empty()) std::memcpy(p, member.data(), member.size());
  std::memcpy(p + member.size(), &score, sizeof(double));
  used_ += static_cast<uint32_t>(need);
  count_++;
}

void ZPacked::erase_at(size_t off) {
  ZItem it;
  size_t end = read(off, &it);
  std::memmove(buf_ + off, buf_ + end, used_ - end);
  used_ -= static_cast<uint32_t>(end - off);
  count_--;
  shrink_if_loose();
}

void ZPacked::erase_ranks(size_t from, size_t count) {
  if (count == 0) return;
  size_t start = offset_of_rank(from), end = start;
  ZItem it;
  for (size_t i = 0; i < count; i++) end = read(end, &it);
  std::memmove(buf_ + start, buf_ + end, used_ - end);
  used_ -= static_cast<uint32_t>(end - start);
  count_ -= static_cast<uint32_t>(count);
  shrink_if_loose();
}

void ZPacked::clear() {
  std::free(buf_);
  buf_ = nullptr;
  used_ = cap_ = count_ = 0;
}

// --- ZSetValue ---

ZSetValue* ZSetValue::create(const Limits& l, size_t first_member_len) {
  if (l.max_entries == 0 || first_member_len > l.max_value) return create_skiplist();
  return create_packed();
}

ZSetValue* ZSetValue::create_skiplist() {
  auto* z = new ZSetValue();
  z->list_ = new ZSkiplist();
  return z;
}

ZSetValue* ZSetValue::from_sorted(const ZItem* items, size_t n, const Limits& l) {
  bool fits = n <= l.max_entries;
  size_t total = 0;
  for (size_t i = 0; fits && i < n; i++) {
    fits = items[i].member.size() <= l.max_value;
    total += ZPacked::entry_bytes(items[i].member.size());
  }
  if (fits && total <= ZPacked::kMaxBytes) {
    auto* z = create_packed();
    z->packed_.reserve(total);
    for (size_t i = 0; i < n; i++) z->packed_.append(items[i].score, items[i].member);
    return z;
  }
  auto* z = create_skiplist();
  for (size_t i = 0; i < n; i++) z->list_->insert(items[i].score, items[i].member);
  return z;
}

ZSetValue::~ZSetValue() {
  delete list_;
}

size_t ZSetValue::memory() const {
  return sizeof(ZSetValue) + (packed() ? packed_.capacity() : sizeof(ZSkiplist) + list_->bytes());
}

Object* ZSetValue::clone() const {
  auto* z = new ZSetValue();
  if (packed()) {
    ZPacked copy(packed_);
    z->packed_.swap(copy);
  } else {
    z->list_ = list_->clone();
  }
  return z;
}

void ZSetValue::convert_to_skiplist() {
  if (!packed()) return;
  auto* list = new ZSkiplist();
  ZItem it;
  for (size_t off = 0; off < packed_.used();) {
    off = packed_.read(off, &it);
    list->insert(it.score, it.member);
  }
  packed_.clear();
  list_ = list;
}

void ZSetValue::convert_if_fits(const Limits& l) {
  if (packed() || list_->size() > l.max_entries) return;
  size_t total = 0;
  for (const ZNode* n = list_->first(); n; n = n->next()) {
    if (n->mlen > l.max_value) return;
    total += ZPacked::entry_bytes(n->mlen);
  }
  if (total > ZPacked::kMaxBytes) return;
  ZPacked fresh;
  fresh.reserve(total);
  for (const ZNode* n = list_->first(); n; n = n->next()) fresh.append(n->score, n->member());
  delete list_;
  list_ = nullptr;
  packed_.swap(fresh);
}

ZSetValue::AddResult ZSetValue::add(double score, std::string_view member, int flags,
                                    const Limits& l, double* out_score) {
  const bool incr = flags & kIncr, nx = flags & kNX, xx = flags & kXX;
  const bool gt = flags & kGT, lt = flags & kLT;
  double cur;
  ZNode* node = nullptr;
  size_t off = ZPacked::npos;
  bool found;
  if (packed()) {
    off = packed_.find(member, &cur);
    found = off != ZPacked::npos;
  } else {
    node = list_->find(member);
    found = node != nullptr;
    if (found) cur = node->score;
  }
  if (found) {
    if (nx) return AddResult::kNop;
    if (incr) {
      score += cur;
      if (score != score) return AddResult::kNaN;
    }
    if ((lt && score >= cur) || (gt && score <= cur)) return AddResult::kNop;
    *out_score = score;
    if (score == cur) return AddResult::kUnchanged;
    if (packed()) {
      packed_.erase_at(off);
      packed_.insert(score, member);
    } else {
      list_->update_score(node, score);
    }
    return AddResult::kUpdated;
  }
  if (xx) return AddResult::kNop;
  if (packed() && (packed_.size() + 1 > l.max_entries || member.size() > l.max_value ||
                   packed_.used() + ZPacked::entry_bytes(member.size()) > ZPacked::kMaxBytes)) {
    convert_to_skiplist();
  }
  if (packed())
    packed_.insert(score, member);
  else
    list_->insert(score, member);
  *out_score = score;
  return AddResult::kAdded;
}

bool ZSetValue::remove(std::string_view member) {
  if (packed()) {
    size_t off = packed_.find(member, nullptr);
    if (off == ZPacked::npos) return false;
    packed_.erase_at(off);
    return true;
  }
  ZNode* n = list_->find(member);
  if (!n) return false;
  list_->erase(n);
  return true;
}

bool ZSetValue::score(std::string_view member, double* out) const {
  if (packed()) return packed_.find(member, out) != ZPacked::npos;
  const ZNode* n = list_->find(member);
  if (!n) return false;
  *out = n->score;
  return true;
}

bool ZSetValue::rank(std::string_view member, size_t* out) const {
  if (packed()) {
    size_t r = 0;
    ZItem it;
    for (size_t off = 0; off < packed_.used(); r++) {
      off = packed_.read(off, &it);
      if (it.member == member) {
        *out = r;
        return true;
      }
    }
    return false;
  }
  const ZNode* n = list_->find(member);
  if (!n) return false;
  *out = list_->rank_of(n);
  return true;
}

size_t ZSetValue::score_lower(const ZScoreRange& r) const {
  if (packed())
    return packed_.count_before([&](const ZItem& it) { return !zset::gte_min(it.score, r); });
  return list_->count_before([&](const ZNode* n) { return !zset::gte_min(n->score, r); });
}

size_t ZSetValue::score_upper(const ZScoreRange& r) const {
  if (packed())
    return packed_.count_before([&](const ZItem& it) { return zset::lte_max(it.score, r); });
  return list_->count_before([&](const ZNode* n) { return zset::lte_max(n->score, r); });
}

size_t ZSetValue::count_in(const ZScoreRange& r) const {
  if (zset::empty_range(r)) return 0;
  size_t lo = score_lower(r), hi = score_upper(r);
  return hi > lo ? hi - lo : 0;
}

size_t ZSetValue::lex_first(const ZLexRange& r) const {
  size_t n = length();
  if (n == 0 || zset::empty_range(r)) return npos;
  // Redis's zzlIsInLexRange / zslIsInLexRange: the last member must reach min, the first max.
  if (!zset::gte_min(at(n - 1).member, r) || !zset::lte_max(at(0).member, r)) return npos;
  size_t first;
  if (packed())
    first = packed_.count_before([&](const ZItem& it) { return !zset::gte_min(it.member, r); });
  else
    first = list_->count_before([&](const ZNode* x) { return !zset::gte_min(x->member(), r); });
  if (first >= n || !zset::lte_max(at(first).member, r)) return npos;
  return first;
}

size_t ZSetValue::lex_last(const ZLexRange& r) const {
  size_t n = length();
  if (n == 0 || zset::empty_range(r)) return npos;
  if (!zset::gte_min(at(n - 1).member, r) || !zset::lte_max(at(0).member, r)) return npos;
  size_t last = npos;
  if (packed()) {
    // The packed form is searched from its end: the last member that is still within max.
    size_t i = 0;
    ZItem it;
    for (size_t off = 0; off < packed_.used(); i++) {
      off = packed_.read(off, &it);
      if (zset::lte_max(it.member, r)) last = i;
    }
  } else {
    size_t upto =
        list_->count_before([&](const ZNode* x) { return zset::lte_max(x->member(), r); });
    if (upto > 0) last = upto - 1;
  }
  if (last == npos || !zset::gte_min(at(last).member, r)) return npos;
  return last;
}

size_t ZSetValue::lex_run(const ZLexRange& r, size_t start, bool reverse) const {
  if (start >= length()) return 0;
  if (packed()) {
    // Walked member by member, as Redis walks a listpack.
    size_t n = 0;
    walk(start, reverse, [&](const ZItem& it) {
      if (reverse ? !zset::gte_min(it.member, r) : !zset::lte_max(it.member, r)) return false;
      n++;
      return true;
    });
    return n;
  }
  if (!reverse) {
    size_t upto =
        list_->count_before([&](const ZNode* x) { return zset::lte_max(x->member(), r); });
    return upto > start ? upto - start : 0;
  }
  size_t below =
      list_->count_before([&](const ZNode* x) { return !zset::gte_min(x->member(), r); });
  return start + 1 > below ? start + 1 - below : 0;
}

size_t ZSetValue::lex_count(const ZLexRange& r) const {
  size_t first = lex_first(r);
  if (first == npos) return 0;
  if (packed()) return lex_run(r, first, false);
  // Redis counts by the ranks of the first and the last member in range.
  size_t last = lex_last(r);
  if (last == npos) return length() - first;
  return last + 1 > first ? last + 1 - first : 0;
}

ZItem ZSetValue::at(size_t rank) const {
  if (packed()) {
    ZItem it;
    packed_.read(packed_.offset_of_rank(rank), &it);
    return it;
  }
  const ZNode* n = list_->at_rank(rank);
  return {n->member(), n->score};
}

void ZSetValue::erase_ranks(size_t from, size_t count) {
  if (packed())
    packed_.erase_ranks(from, count);
  else
    list_->erase_ranks(from, count);
}

// --- the algebra ---

namespace zset {

size_t Source::size() const {
  return zset ? zset->length() : set ? set->length() : 0;
}

namespace {

bool find_in(const Source& s, std::string_view m, double* score) {
  if (s.zset) return s.zset->score(m, score);
  if (s.set && s.set->contains(m)) {
    *score = 1;
    return true;
  }
  return false;
}

// Calls f(ZItem) -> bool (continue) for every member of a source; a plain set's member views do
// not outlive the call.
template <class F>
void for_each_in(const Source& s, F&& f) {
  if (s.zset) {
    s.zset->walk(0, false, f);
  } else if (s.set) {
    bool go = true;
    s.set->for_each([&](std::string_view m) {
      if (go) go = f(ZItem{m, 1.0});
    });
  }
}

// Redis's zunionInterAggregate.
void aggregate(double* target, double v, Aggregate a) {
  switch (a) {
    case Aggregate::kSum:
      *target += v;
      if (std::isnan(*target)) *target = 0;
      break;
    case Aggregate::kMin:
      *target = v < *target ? v : *target;
      break;
    case Aggregate::kMax:
      *target = v > *target ? v : *target;
      break;
  }
}

}  // namespace

void combine(std::vector<Source>& src, SetOp op, Aggregate agg, bool card_only, uint64_t limit,
             Combined* out) {
  if (op != SetOp::kDiff) {
    std::stable_sort(src.begin(), src.end(),
                     [](const Source& a, const Source& b) { return a.size() < b.size(); });
  }
  auto stable = [&](const Source& s, std::string_view m) {
    if (s.zset) return m;
    out->kept.emplace_back(m);
    return std::string_view(out->kept.back());
  };
  std::vector<ZItem>& items = out->items;
  const size_t n = src.size();
  if (op == SetOp::kUnion) {
    std::unordered_map<std::string_view, double> acc;
    for (const Source& s : src) {
      for_each_in(s, [&](const ZItem& it) {
        double v = s.weight * it.score;
        if (std::isnan(v)) v = 0;
        auto found = acc.find(it.member);
        if (found == acc.end())
          acc.emplace(stable(s, it.member), v);
        else
          aggregate(&found->second, v, agg);
        return true;
      });
    }
    items.reserve(acc.size());
    for (const auto& [m, v] : acc) items.push_back({m, v});
  } else if (op == SetOp::kInter) {
    for_each_in(src[0], [&](const ZItem& it) {
      double score = src[0].weight * it.score;
      if (std::isnan(score)) score = 0;
      for (size_t j = 1; j < n; j++) {
        double v;
        if (!find_in(src[j], it.member, &v)) return true;  // not in every input
        aggregate(&score, v * src[j].weight, agg);
      }
      if (card_only) {
        out->cardinality++;
        return !(limit && out->cardinality >= limit);
      }
      items.push_back({stable(src[0], it.member), score});
      return true;
    });
  } else {
    for_each_in(src[0], [&](const ZItem& it) {
      double v;
      for (size_t j = 1; j < n; j++) {
        if (find_in(src[j], it.member, &v)) return true;
      }
      items.push_back({stable(src[0], it.member), it.score});
      return true;
    });
  }
  std::sort(items.begin(), items.end(), [](const ZItem& a, const ZItem& b) {
    if (a.score != b.score) return a.score < b.score;
    return compare_members(a.member, b.member) < 0;
  });
}

}  // namespace zset

}  // namespace respite::storage
