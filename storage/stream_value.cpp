// StreamValue's nodes, trimming, deletion and consumer groups; see stream_value.h for the layout.
#include "storage/stream_value.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "storage/canonical_int.h"
#include "storage/varint.h"

namespace respite::storage {

namespace {

constexpr uint8_t kDeleted = 1;
constexpr uint8_t kSameFields = 2;

// Redis's string2ull: a canonical non-negative int64, or else what strtoull accepts whole
// (leading blanks, a sign; a '-' negates modulo 2^64).
bool parse_u64(std::string_view s, uint64_t* out) {
  int64_t v;
  if (parse_canonical_int(s, &v)) {
    if (v < 0) return false;
    *out = static_cast<uint64_t>(v);
    return true;
  }
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) i++;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  if (i >= s.size() || s.empty()) return false;
  uint64_t n = 0;
  for (; i < s.size(); i++) {
    unsigned d = static_cast<unsigned char>(s[i]) - '0';
    if (d > 9) return false;
    if (n > (UINT64_MAX - d) / 10) return false;  // ERANGE
    n = n * 10 + d;
  }
  *out = neg ? 0 - n : n;
  return true;
}

std::string_view cstr(std::string_view s) {
  return s.substr(0, s.find('\0'));
}

}  // namespace

bool StreamID::incr() {
  if (seq == UINT64_MAX) {
    if (ms == UINT64_MAX) {
      ms = seq = 0;
      return false;
    }
    ms++;
    seq = 0;
  } else {
    seq++;
  }
  return true;
}

bool StreamID::decr() {
  if (seq == 0) {
    if (ms == 0) {
      ms = seq = UINT64_MAX;
      return false;
    }
    ms--;
    seq = UINT64_MAX;
  } else {
    seq--;
  }
  return true;
}

size_t StreamID::format(char* buf) const {
  return static_cast<size_t>(std::snprintf(buf, kMaxText, "%llu-%llu",
                                           static_cast<unsigned long long>(ms),
                                           static_cast<unsigned long long>(seq)));
}

bool parse_stream_id(std::string_view s, StreamID* out, uint64_t missing_seq, bool strict,
                     bool* seq_given) {
  if (s.size() > 127) return false;
  s = cstr(s);  // Redis reads the argument as a C string
  if (strict && s.size() == 1 && (s[0] == '-' || s[0] == '+')) return false;
  if (seq_given) *seq_given = true;
  if (s == "-") {
    *out = StreamID::min();
    return true;
  }
  if (s == "+") {
    *out = StreamID::max();
    return true;
  }
  size_t dash = s.find('-');
  uint64_t ms, seq;
  if (!parse_u64(s.substr(0, dash), &ms)) return false;
  if (dash != std::string_view::npos) {
    std::string_view rest = s.substr(dash + 1);
    if (seq_given && rest == "*") {
      seq = 0;
      *seq_given = false;
    } else if (!parse_u64(rest, &seq)) {
      return false;
    }
  } else {
    seq = missing_seq;
  }
  *out = {ms, seq};
  return true;
}

std::string_view StreamEntry::read(const char** p) {
  uint64_t n;
  const char* q = varint::get(*p, &n);
  *p = q + n;
  return {q, n};
}

size_t StreamValue::decode(const StreamID& master, const Node& n, size_t off, StreamEntry* e,
                           uint8_t* flags) {
  const char* base = n.buf.data();
  const char* p = base + off;
  *flags = static_cast<uint8_t>(*p++);
  uint64_t dms, seq;
  p = varint::get(p, &dms);
  p = varint::get(p, &seq);
  e->id = {master.ms + dms, seq};
  if (*flags & kSameFields) {
    e->same_ = true;
    e->nfields_ = n.master_fields;
    uint64_t skip;
    e->fields_ = varint::get(base, &skip);  // past the master field count
    e->values_ = p;
    for (size_t i = 0; i < e->nfields_; i++) StreamEntry::read(&p);
  } else {
    uint64_t nf;
    p = varint::get(p, &nf);
    e->same_ = false;
    e->nfields_ = nf;
    e->fields_ = p;
    e->values_ = nullptr;
    for (size_t i = 0; i < 2 * nf; i++) StreamEntry::read(&p);
  }
  return static_cast<size_t>(p - base);
}

bool StreamValue::next_id(const StreamID* use, bool seq_given, int64_t now_ms,
                          StreamID* out) const {
  StreamID id;
  if (use) {
    if (seq_given) {
      id = *use;
    } else if (last_id_.ms == use->ms) {
      if (last_id_.seq == UINT64_MAX) return false;
      id = {last_id_.ms, last_id_.seq + 1};
    } else {
      id = *use;
    }
  } else {
    uint64_t ms = static_cast<uint64_t>(now_ms);
    if (ms > last_id_.ms) {
      id = {ms, 0};
    } else {
      id = last_id_;
      id.incr();
    }
  }
  if (id <= last_id_) return false;
  *out = id;
  return true;
}

void StreamValue::append(StreamID id, const std::string_view* kv, size_t nkv,
                         const Limits& limits) {
  size_t nf = nkv / 2;
  size_t payload = 0;
  for (size_t i = 0; i < nkv; i++) payload += kv[i].size();

  Node* node = nullptr;
  StreamID master;
  if (!nodes_.empty()) {
    auto last = std::prev(nodes_.end());
    Node& n = last->second;
    bool full = false;
    if (limits.node_max_bytes && n.buf.size() + payload >= limits.node_max_bytes) full = true;
    if (limits.node_max_entries > 0 &&
        static_cast<int64_t>(n.live + n.deleted) >= limits.node_max_entries)
      full = true;
    if (!full) {
      node = &n;
      master = last->first;
    }
  }
  if (!node) {
    auto [it, ok] = nodes_.emplace(id, Node{});
    (void)ok;
    node = &it->second;
    master = id;
    size_t before = node->buf.capacity();
    std::string& b = node->buf;
    char tmp[10];
    b.append(tmp, varint::put(tmp, nf) - tmp);
    for (size_t i = 0; i < nkv; i += 2) {
      b.append(tmp, varint::put(tmp, kv[i].size()) - tmp);
      b.append(kv[i]);
    }
    node->master_fields = static_cast<uint32_t>(nf);
    node->data = static_cast<uint32_t>(b.size());
    node_bytes_ += kNodeOverhead;
    account_node(before, b.capacity());
  }
  // Same field names as the master entry?
  bool same = nf == node->master_fields;
  if (same) {
    const char* p = node->buf.data();
    uint64_t skip;
    p = varint::get(p, &skip);
    for (size_t i = 0; i < nkv && same; i += 2) {
      std::string_view f = StreamEntry::read(&p);
      same = f == kv[i];
    }
  }
  std::string& b = node->buf;
  size_t before = b.capacity();
  char tmp[10];
  b.push_back(static_cast<char>(same ? kSameFields : 0));
  b.append(tmp, varint::put(tmp, id.ms - master.ms) - tmp);
  b.append(tmp, varint::put(tmp, id.seq) - tmp);
  if (!same) b.append(tmp, varint::put(tmp, nf) - tmp);
  for (size_t i = same ? 1 : 0; i < nkv; i += same ? 2 : 1) {
    b.append(tmp, varint::put(tmp, kv[i].size()) - tmp);
    b.append(kv[i]);
  }
  account_node(before, b.capacity());
  node->live++;
  length_++;
  entries_added_++;
  last_id_ = id;
  last_entry_ = id;
  last_entry_deleted_ = false;
  if (length_ == 1) first_id_ = id;
}

bool StreamValue::walk_node(const StreamID& master, const Node& n, StreamID start, StreamID end,
                            bool rev, size_t count, size_t* seen,
                            const std::function<bool(const StreamEntry&)>& f) {
  StreamEntry e;
  uint8_t flags;
  if (!rev) {
    for (size_t off = n.data; off < n.buf.size();) {
      off = decode(master, n, off, &e, &flags);
      if (e.id > end) return false;
      if (flags & kDeleted || e.id < start) continue;
      ++*seen;
      if (!f(e) || (count && *seen >= count)) return false;
    }
    return true;
  }
  // Backwards: index the node's entries first (a node holds a bounded number of them).
  thread_local std::vector<uint32_t> offs;  // reused: a reverse walk allocates nothing
  offs.clear();
  for (size_t off = n.data; off < n.buf.size();) {
    offs.push_back(static_cast<uint32_t>(off));
    off = decode(master, n, off, &e, &flags);
  }
  for (size_t i = offs.size(); i-- > 0;) {
    decode(master, n, offs[i], &e, &flags);
    if (e.id < start) return false;
    if (flags & kDeleted || e.id > end) continue;
    ++*seen;
    if (!f(e) || (count && *seen >= count)) return false;
  }
  return true;
}

size_t StreamValue::range(StreamID start, StreamID end, size_t count, bool rev,
                          const std::function<bool(const StreamEntry&)>& f) const {
  size_t seen = 0;
  if (nodes_.empty() || start > end) return 0;
  if (!rev) {
    // The node that may hold start: the last whose master ID is <= start.
    auto it = nodes_.upper_bound(start);
    if (it != nodes_.begin()) --it;
    for (; it != nodes_.end() && it->first <= end; ++it) {
      if (!walk_node(it->first, it->second, start, end, false, count, &seen, f)) break;
    }
  } else {
    auto it = nodes_.upper_bound(end);
    while (it != nodes_.begin()) {
      --it;
      if (!walk_node(it->first, it->second, start, end, true, count, &seen, f)) break;
      // Nodes before this one hold IDs below its master: done once that is below start.
      if (it->first <= start) break;
    }
  }
  return seen;
}

bool StreamValue::contains(StreamID id) const {
  return range(id, id, 1, false, [](const StreamEntry&) { return false; }) == 1;
}

bool StreamValue::first_live(StreamID* out) const {
  return range(StreamID::min(), StreamID::max(), 1, false, [&](const StreamEntry& e) {
           *out = e.id;
           return false;
         }) == 1;
}

bool StreamValue::last_live(StreamID* out) const {
  // The entry appended last is still there unless XDEL removed it or trimming emptied the
  // stream: XREAD and XREADGROUP ask this on every call.
  if (length_ && !last_entry_deleted_) {
    *out = last_entry_;
    return true;
  }
  return range(StreamID::min(), StreamID::max(), 1, true, [&](const StreamEntry& e) {
           *out = e.id;
           return false;
         }) == 1;
}

bool StreamValue::mark_deleted(Nodes::iterator it, size_t off) {
  Node& n = it->second;
  n.buf[off] = static_cast<char>(n.buf[off] | kDeleted);
  n.live--;
  n.deleted++;
  length_--;
  if (n.live == 0) {
    node_bytes_ -= kNodeOverhead + n.buf.capacity();
    nodes_.erase(it);
    return true;
  }
  return false;
}

void StreamValue::refresh_first_id() {
  if (length_ == 0) {
    first_id_ = StreamID::min();
  } else {
    first_live(&first_id_);
  }
}

bool StreamValue::erase(StreamID id) {
  auto it = nodes_.upper_bound(id);
  if (it == nodes_.begin()) return false;
  --it;
  StreamEntry e;
  uint8_t flags;
  const Node& n = it->second;
  for (size_t off = n.data; off < n.buf.size();) {
    size_t next = decode(it->first, n, off, &e, &flags);
    if (e.id > id) return false;
    if (e.id == id) {
      if (flags & kDeleted) return false;
      bool was_first = id == first_id_;
      mark_deleted(it, off);
      if (id > max_deleted_) max_deleted_ = id;
      if (id == last_entry_) last_entry_deleted_ = true;
      if (length_ == 0)
        first_id_ = StreamID::min();
      else if (was_first)
        refresh_first_id();
      return true;
    }
    off = next;
  }
  return false;
}

int64_t StreamValue::trim(const Trim& t) {
  if (t.strategy == Trim::kNone) return 0;
  int64_t deleted = 0;
  auto it = nodes_.begin();
  while (it != nodes_.end()) {
    if (t.strategy == Trim::kMaxLen && length_ <= t.maxlen) break;
    Node& n = it->second;
    int64_t entries = n.live;
    if (t.limit && deleted + entries > t.limit) break;
    bool remove_node;
    if (t.strategy == Trim::kMaxLen) {
      remove_node = length_ - static_cast<uint64_t>(entries) >= t.maxlen;
    } else {
      // The node's last ID, deleted or not, as Redis reads it.
      StreamEntry e;
      uint8_t flags;
      StreamID last = it->first;
      for (size_t off = n.data; off < n.buf.size();) {
        off = decode(it->first, n, off, &e, &flags);
        last = e.id;
      }
      remove_node = last < t.minid;
    }
    if (remove_node) {
      node_bytes_ -= kNodeOverhead + n.buf.capacity();
      length_ -= static_cast<uint64_t>(entries);
      deleted += entries;
      it = nodes_.erase(it);
      continue;
    }
    if (t.approx) break;
    // Mark entries deleted from the head of this node until the target is met.
    StreamEntry e;
    uint8_t flags;
    for (size_t off = n.data; off < n.buf.size();) {
      size_t next = decode(it->first, n, off, &e, &flags);
      bool stop = t.strategy == Trim::kMaxLen ? length_ <= t.maxlen : e.id >= t.minid;
      if (stop) break;
      if (!(flags & kDeleted)) {
        deleted++;
        if (mark_deleted(it, off)) break;  // the node went with its last entry
      }
      off = next;
    }
    break;  // enough was deleted inside this node
  }
  if (length_ == 0) {
    first_id_ = StreamID::min();
  } else if (deleted) {
    refresh_first_id();
  }
  return deleted;
}

Object* StreamValue::clone() const {
  auto* s = new StreamValue();
  s->nodes_ = nodes_;
  s->length_ = length_;
  s->entries_added_ = entries_added_;
  s->last_id_ = last_id_;
  s->first_id_ = first_id_;
  s->max_deleted_ = max_deleted_;
  s->last_entry_ = last_entry_;
  s->last_entry_deleted_ = last_entry_deleted_;
  s->node_bytes_ = 0;
  for (const auto& [id, n] : s->nodes_) s->node_bytes_ += kNodeOverhead + n.buf.capacity();
  for (const auto& [name, g] : groups_) {
    auto ng = std::make_unique<StreamGroup>();
    ng->last_id = g->last_id;
    ng->entries_read = g->entries_read;
    for (const auto& [cname, c] : g->consumers) {
      auto nc = std::make_unique<StreamConsumer>();
      nc->name = c->name;
      nc->seen_time = c->seen_time;
      nc->pel = c->pel;
      ng->consumers.emplace(cname, std::move(nc));
    }
    for (const auto& [id, nack] : g->pel) {
      StreamNack copy = nack;
      if (nack.consumer) copy.consumer = ng->consumers.find(nack.consumer->name)->second.get();
      ng->pel.emplace(id, copy);
    }
    s->groups_.emplace(name, std::move(ng));
  }
  s->recount_groups();
  return s;
}

// --- consumer groups ---

void StreamValue::recount_groups() {
  size_t b = 0;
  for (const auto& [name, g] : groups_) {
    b += kGroupBytes + name.size() + g->pel.size() * kNackBytes;
    for (const auto& [cname, c] : g->consumers)
      b += kConsumerBytes + 2 * cname.size() + c->pel.size() * kPelIdBytes;
  }
  group_bytes_ = b;
}

StreamGroup* StreamValue::group(std::string_view name) const {
  auto it = groups_.find(name);
  return it == groups_.end() ? nullptr : it->second.get();
}

StreamGroup* StreamValue::create_group(std::string_view name, StreamID last_id,
                                       int64_t entries_read) {
  if (groups_.find(name) != groups_.end()) return nullptr;
  auto g = std::make_unique<StreamGroup>();
  g->last_id = last_id;
  g->entries_read = entries_read;
  StreamGroup* raw = g.get();
  groups_.emplace(std::string(name), std::move(g));
  group_bytes_ += kGroupBytes + name.size();
  return raw;
}

bool StreamValue::destroy_group(std::string_view name) {
  auto it = groups_.find(name);
  if (it == groups_.end()) return false;
  groups_.erase(it);
  recount_groups();
  return true;
}

StreamConsumer* StreamValue::consumer(StreamGroup& g, std::string_view name) const {
  auto it = g.consumers.find(name);
  return it == g.consumers.end() ? nullptr : it->second.get();
}

StreamConsumer* StreamValue::create_consumer(StreamGroup& g, std::string_view name,
                                             int64_t now_ms) {
  if (g.consumers.find(name) != g.consumers.end()) return nullptr;
  auto c = std::make_unique<StreamConsumer>();
  c->name = std::string(name);
  c->seen_time = now_ms;
  StreamConsumer* raw = c.get();
  g.consumers.emplace(std::string(name), std::move(c));
  group_bytes_ += kConsumerBytes + 2 * name.size();
  return raw;
}

size_t StreamValue::delete_consumer(StreamGroup& g, std::string_view name) {
  auto it = g.consumers.find(name);
  if (it == g.consumers.end()) return 0;
  StreamConsumer* c = it->second.get();
  size_t n = c->pel.size();
  for (const StreamID& id : c->pel) g.pel.erase(id);
  g.consumers.erase(it);
  recount_groups();
  return n;
}

void StreamValue::deliver(StreamGroup& g, StreamConsumer& c, StreamID id, int64_t now_ms) {
  auto [it, inserted] = g.pel.try_emplace(id);
  StreamNack& nack = it->second;
  if (inserted) {
    group_bytes_ += kNackBytes + kPelIdBytes;
  } else if (nack.consumer) {
    nack.consumer->pel.erase(id);  // moves to c: the same bytes
  } else {
    group_bytes_ += kPelIdBytes;  // a FORCE-created NACK had no owner
  }
  nack.consumer = &c;
  nack.delivery_time = now_ms;
  nack.delivery_count = 1;
  c.pel.insert(id);
}

void StreamValue::advance_group(StreamGroup& g, StreamID id) {
  if (g.entries_read != kInvalid && !range_has_tombstones(id, StreamID::max())) {
    g.entries_read++;
  } else if (entries_added_) {
    g.entries_read = estimate_distance(id);
  }
  g.last_id = id;
}

bool StreamValue::ack(StreamGroup& g, StreamID id) {
  auto it = g.pel.find(id);
  if (it == g.pel.end()) return false;
  drop_nack(g, it);
  return true;
}

void StreamValue::drop_nack(StreamGroup& g, std::map<StreamID, StreamNack>::iterator it) {
  if (it->second.consumer) {
    it->second.consumer->pel.erase(it->first);
    group_bytes_ -= kPelIdBytes;
  }
  g.pel.erase(it);
  group_bytes_ -= kNackBytes;
}

void StreamValue::move_nack(StreamGroup& g, std::map<StreamID, StreamNack>::iterator it,
                            StreamConsumer& c) {
  (void)g;
  StreamNack& nack = it->second;
  if (nack.consumer == &c) return;
  if (nack.consumer) {
    nack.consumer->pel.erase(it->first);
  } else {
    group_bytes_ += kPelIdBytes;
  }
  c.pel.insert(it->first);
  nack.consumer = &c;
}

std::map<StreamID, StreamNack>::iterator StreamValue::force_nack(StreamGroup& g, StreamID id) {
  auto [it, inserted] = g.pel.try_emplace(id);
  if (inserted) {
    it->second.consumer = nullptr;
    it->second.delivery_count = 1;
    group_bytes_ += kNackBytes;
  }
  return it;
}

bool StreamValue::range_has_tombstones(StreamID start, StreamID end) const {
  if (!length_ || max_deleted_.is_zero()) return false;
  if (first_id_ > max_deleted_) return false;
  return start <= max_deleted_ && max_deleted_ <= end;
}

int64_t StreamValue::estimate_distance(StreamID id) const {
  if (!entries_added_) return 0;
  if (!length_ && id <= last_id_) return static_cast<int64_t>(entries_added_);
  if (id == last_id_) return static_cast<int64_t>(entries_added_);
  if (id > last_id_) return kInvalid;
  if (max_deleted_.is_zero() || max_deleted_ < first_id_) {
    if (id < first_id_) return static_cast<int64_t>(entries_added_ - length_);
    if (id == first_id_) return static_cast<int64_t>(entries_added_ - length_ + 1);
  }
  return kInvalid;
}

bool StreamValue::lag(const StreamGroup& g, int64_t* out) const {
  if (!entries_added_) {
    *out = 0;
    return true;
  }
  if (g.entries_read != kInvalid && !range_has_tombstones(g.last_id, StreamID::max())) {
    *out = static_cast<int64_t>(entries_added_) - g.entries_read;
    return true;
  }
  int64_t read = estimate_distance(g.last_id);
  if (read == kInvalid) return false;
  *out = static_cast<int64_t>(entries_added_) - read;
  return true;
}

}  // namespace respite::storage
