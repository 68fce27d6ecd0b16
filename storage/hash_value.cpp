// storage::HashValue: a Redis hash over its two encodings; see hash_value.h.
#include "storage/hash_value.h"

#include <climits>
#include <string>
#include <unordered_set>
#include <utility>

namespace respite::storage {

HashValue::~HashValue() = default;

size_t HashValue::memory() const {
  return sizeof(HashValue) + (table_ ? sizeof(PairTable) + table_->bytes() : packed_.capacity()) +
         (ttls_ ? sizeof(FieldTtls) + ttls_->bytes : 0);
}

Object* HashValue::clone() const {
  HashValue* h;
  if (!table_) {
    h = new HashValue(packed_);
  } else {
    h = new HashValue();
    h->table_.reset(table_->clone());
  }
  if (ttls_) h->ttls_ = std::make_unique<FieldTtls>(*ttls_);
  return h;
}

bool HashValue::get(std::string_view field, std::string_view* value) const {
  if (table_) {
    const PairTable::Node* n = table_->find(field);
    if (!n) return false;
    if (value) *value = n->pair().value;
    return true;
  }
  size_t off = packed_.find(field);
  if (off == PackedPairs::npos) return false;
  if (value) {
    HashPair p;
    packed_.read(off, &p);
    *value = p.value;
  }
  return true;
}

bool HashValue::set(std::string_view field, std::string_view value, const Limits& limits,
                    bool keep_ttl) {
  if (ttls_ && !keep_ttl) drop_ttl(field);
  if (!table_) {
    // Checked before storing, as Redis's hashTypeSet (and hashTypeTryConversion before it) do: a
    // long field or value never enters the packed form, and neither does one that would take the
    // buffer past the listpack's safety size.
    if (field.size() > limits.max_value || value.size() > limits.max_value ||
        packed_.bytes() + PackedPairs::pair_bytes(field.size(), value.size()) >
            PackedPairs::kMaxBytes) {
      convert();
    }
  }
  if (table_) return table_->set(field, value);
  bool added = packed_.set(field, value);
  if (packed_.size() > limits.max_entries) convert();
  return added;
}

bool HashValue::erase(std::string_view field) {
  if (ttls_) drop_ttl(field);
  return table_ ? table_->erase(field) : packed_.erase(field);
}

int64_t HashValue::field_expire(std::string_view field) const {
  if (!ttls_) return -1;
  auto it = ttls_->at.find(field);
  return it == ttls_->at.end() ? -1 : it->second;
}

void HashValue::set_field_expire(std::string_view field, int64_t at_ms) {
  if (!ttls_) ttls_ = std::make_unique<FieldTtls>();
  auto [it, added] = ttls_->at.try_emplace(std::string(field), at_ms);
  if (added)
    ttls_->bytes += ttl_bytes(field);
  else
    it->second = at_ms;
  if (at_ms < ttls_->min) ttls_->min = at_ms;
}

bool HashValue::persist_field(std::string_view field) {
  if (!ttls_ || ttls_->at.find(field) == ttls_->at.end()) return false;
  drop_ttl(field);
  return true;
}

void HashValue::drop_ttl(std::string_view field) {
  auto it = ttls_->at.find(field);
  if (it == ttls_->at.end()) return;
  ttls_->bytes -= ttl_bytes(field);
  ttls_->at.erase(it);  // min stays a lower bound: expire_fields() tightens it when it is due
  if (ttls_->at.empty()) ttls_.reset();
}

size_t HashValue::expire_fields(int64_t now_ms) {
  if (!ttls_ || ttls_->min > now_ms) return 0;
  // Collect first: erase() changes the TTL table being walked.
  std::vector<std::string> due;
  int64_t min = INT64_MAX;
  for (const auto& [field, at] : ttls_->at) {
    if (at <= now_ms)
      due.push_back(field);
    else if (at < min)
      min = at;
  }
  ttls_->min = min;
  for (const std::string& f : due) erase(f);  // may free ttls_ with the last one
  return due.size();
}

void HashValue::convert() {
  auto t = std::make_unique<PairTable>(packed_.size());
  for_each([&](const HashPair& p) { t->insert_new(p.field, p.value); });
  packed_.clear();
  table_ = std::move(t);
}

std::vector<size_t> HashValue::packed_offsets() const {
  std::vector<size_t> offsets;
  offsets.reserve(packed_.size());
  HashPair p;
  for (size_t off = 0; off < packed_.bytes(); off = packed_.read(off, &p)) offsets.push_back(off);
  return offsets;
}

HashPair HashValue::random_pair(Rng& rng) const {
  if (table_) return table_->random_node(rng)->pair();
  // One walk to the chosen pair: packed hashes are small.
  size_t skip = rng.below(packed_.size());
  HashPair p;
  size_t off = 0;
  do off = packed_.read(off, &p);
  while (skip--);
  return p;
}

void HashValue::random_distinct(size_t count, Rng& rng, std::vector<HashPair>* out) const {
  size_t n = length();
  if (table_ && count * 3 <= n) {
    // Few of many: draw until `count` distinct nodes came up (expected draws < 1.5 * count).
    std::unordered_set<const PairTable::Node*> seen;
    seen.reserve(count * 2);
    while (seen.size() < count) {
      const PairTable::Node* node = table_->random_node(rng);
      if (seen.insert(node).second) out->push_back(node->pair());
    }
    return;
  }
  // A large share (or a small packed hash): list all, then a partial Fisher-Yates shuffle.
  size_t first = out->size();
  for_each([&](const HashPair& p) { out->push_back(p); });
  for (size_t i = 0; i < count; i++) {
    size_t j = i + rng.below(n - i);
    std::swap((*out)[first + i], (*out)[first + j]);
  }
  out->resize(first + count);
}

}  // namespace respite::storage
