// storage::SetValue: the intset encoding, conversions and sampling; see set_value.h. The hashtable
// encoding lives in set_table.cpp.
#include "storage/set_value.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <unordered_set>
#include <utility>

namespace respite::storage {

namespace {

// Redis caps set-max-intset-entries at 2^30 "due to intset internals"; so do we, so that a huge
// limit converts at the same size.
constexpr size_t kIntsetHardLimit = size_t(1) << 30;

unsigned width_for(int64_t v) {
  if (v >= INT16_MIN && v <= INT16_MAX) return 2;
  if (v >= INT32_MIN && v <= INT32_MAX) return 4;
  return 8;
}

int64_t load(const char* p, unsigned width) {
  switch (width) {
    case 2: {
      int16_t x;
      std::memcpy(&x, p, 2);
      return x;
    }
    case 4: {
      int32_t x;
      std::memcpy(&x, p, 4);
      return x;
    }
    default: {
      int64_t x;
      std::memcpy(&x, p, 8);
      return x;
    }
  }
}

void store(char* p, unsigned width, int64_t v) {
  switch (width) {
    case 2: {
      int16_t x = static_cast<int16_t>(v);
      std::memcpy(p, &x, 2);
      break;
    }
    case 4: {
      int32_t x = static_cast<int32_t>(v);
      std::memcpy(p, &x, 4);
      break;
    }
    default:
      std::memcpy(p, &v, 8);
      break;
  }
}

}  // namespace

SetValue* SetValue::make_for(std::string_view first) {
  int64_t v;
  return new SetValue(parse_canonical_int(first, &v));
}

SetValue::SetValue(const SetValue& other)
    : Object(), intset_(other.intset_), width_(other.width_), count_(other.count_) {
  if (intset_) {
    if (count_) {
      cap_ = count_;
      rep_.ints = static_cast<char*>(std::malloc(size_t(cap_) * width_));
      if (!rep_.ints) throw std::bad_alloc();
      std::memcpy(rep_.ints, other.rep_.ints, size_t(count_) * width_);
    }
  } else {
    rep_.table = new MemberTable(*other.rep_.table);
  }
}

SetValue::~SetValue() {
  if (intset_)
    std::free(rep_.ints);
  else
    delete rep_.table;
}

size_t SetValue::memory() const {
  if (intset_) return sizeof(SetValue) + size_t(cap_) * width_;
  return sizeof(SetValue) + sizeof(MemberTable) + rep_.table->memory();
}

std::string_view SetValue::format(int64_t v, MemberBuf* buf) {
  auto r = std::to_chars(buf->data, buf->data + sizeof buf->data, v);
  return {buf->data, static_cast<size_t>(r.ptr - buf->data)};
}

int64_t SetValue::int_at(size_t i) const {
  return load(rep_.ints + i * width_, width_);
}

void SetValue::set_int(size_t i, int64_t v) {
  store(rep_.ints + i * width_, width_, v);
}

size_t SetValue::lower_bound(int64_t v) const {
  size_t lo = 0, hi = count_;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (int_at(mid) < v)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

void SetValue::reserve_ints(size_t n) {
  if (n <= cap_) return;
  size_t cap = std::max<size_t>({n, size_t(cap_) + cap_ / 2, 4});
  char* p = static_cast<char*>(std::realloc(rep_.ints, cap * width_));
  if (!p) throw std::bad_alloc();
  rep_.ints = p;
  cap_ = static_cast<uint32_t>(cap);
}

void SetValue::widen(unsigned width) {
  size_t cap = std::max<size_t>(cap_, 4);
  char* p = static_cast<char*>(std::malloc(cap * width));
  if (!p) throw std::bad_alloc();
  for (size_t i = 0; i < count_; i++) store(p + i * width, width, int_at(i));
  std::free(rep_.ints);
  rep_.ints = p;
  cap_ = static_cast<uint32_t>(cap);
  width_ = static_cast<uint8_t>(width);
}

void SetValue::to_table() {
  auto t = std::make_unique<MemberTable>();
  t->reserve(count_);
  MemberBuf buf;
  for (size_t i = 0; i < count_; i++) t->insert(format(int_at(i), &buf));
  std::free(rep_.ints);
  rep_.table = t.release();
  count_ = cap_ = 0;
  width_ = 2;
  intset_ = false;
}

bool SetValue::add_int(int64_t v, size_t max_intset) {
  if (!intset_) {
    MemberBuf buf;
    return rep_.table->insert(format(v, &buf));
  }
  unsigned w = width_for(v);
  size_t i;
  if (w > width_) {
    widen(w);  // v lies outside every stored value's range, so it is new and goes at one end
    i = v < 0 ? 0 : count_;
  } else {
    i = lower_bound(v);
    if (i < count_ && int_at(i) == v) return false;
  }
  reserve_ints(size_t(count_) + 1);
  std::memmove(rep_.ints + (i + 1) * width_, rep_.ints + i * width_, (count_ - i) * width_);
  set_int(i, v);
  count_++;
  if (count_ > std::min(max_intset, kIntsetHardLimit)) to_table();
  return true;
}

bool SetValue::add(std::string_view m, size_t max_intset) {
  if (intset_) {
    int64_t v;
    if (parse_canonical_int(m, &v)) return add_int(v, max_intset);
    to_table();
  }
  return rep_.table->insert(m);
}

bool SetValue::remove(std::string_view m) {
  if (!intset_) return rep_.table->erase(m);
  int64_t v;
  if (!parse_canonical_int(m, &v) || width_for(v) > width_) return false;
  size_t i = lower_bound(v);
  if (i == count_ || int_at(i) != v) return false;
  std::memmove(rep_.ints + i * width_, rep_.ints + (i + 1) * width_, (count_ - i - 1) * width_);
  count_--;
  if (cap_ > 16 && size_t(count_) * 4 < cap_) {  // give back what a shrunken set no longer needs
    size_t cap = std::max<size_t>(size_t(count_) * 2, 4);
    if (char* p = static_cast<char*>(std::realloc(rep_.ints, cap * width_))) {
      rep_.ints = p;
      cap_ = static_cast<uint32_t>(cap);
    }
  }
  return true;
}

bool SetValue::contains_int(int64_t v) const {
  if (!intset_) {
    MemberBuf buf;
    return rep_.table->contains(format(v, &buf));
  }
  if (width_for(v) > width_) return false;
  size_t i = lower_bound(v);
  return i < count_ && int_at(i) == v;
}

bool SetValue::contains(std::string_view m) const {
  if (!intset_) return rep_.table->contains(m);
  int64_t v;
  return parse_canonical_int(m, &v) && contains_int(v);
}

std::vector<size_t> SetValue::sample_positions(size_t count, Rng& rng) const {
  std::vector<size_t> out;
  out.reserve(count);
  size_t n = length();
  if (count * 3 > n) {
    // A large share of the set: shuffle the first `count` of all positions into place.
    std::vector<size_t> all;
    all.reserve(n);
    for (size_t p = 0, pc = position_count(); p < pc; p++) {
      if (occupied(p)) all.push_back(p);
    }
    for (size_t i = 0; i < count; i++) {
      std::swap(all[i], all[i + rng.below(n - i)]);
      out.push_back(all[i]);
    }
    return out;
  }
  // A small share: draw until enough distinct ones came up (each draw is new with p >= 2/3).
  std::unordered_set<size_t> seen;
  seen.reserve(count * 2);
  while (out.size() < count) {
    size_t p = random_position(rng);
    if (seen.insert(p).second) out.push_back(p);
  }
  return out;
}

void SetValue::swap(SetValue& other) {
  std::swap(intset_, other.intset_);
  std::swap(width_, other.width_);
  std::swap(count_, other.count_);
  std::swap(cap_, other.cap_);
  std::swap(rep_, other.rep_);
}

}  // namespace respite::storage
