// storage::StreamValue: the value of a Redis stream (XADD, XRANGE, consumer groups), OBJECT
// ENCODING "stream".
//
// Layout. Entries live in nodes: a sorted map from a node's first ID (its "master ID", the first
// entry ever appended to it) to one contiguous byte buffer holding up to stream-node-max-entries
// entries or about stream-node-max-bytes bytes, as Redis's radix tree of listpacks does. A buffer
// starts with the master entry's field names; each entry is then
//   [flags: 1 byte][ms - master.ms: varint][seq: varint]
//   [same fields as the master: the values only | otherwise: varint field count, then the pairs]
// where every string is a varint length and its bytes. Deleting an entry (XDEL, exact trimming
// inside a node) sets its deleted flag; a node whose entries are all deleted goes, and trimming
// removes whole nodes from the head.
//
// Why this and not a node per entry or a radix tree of our own: streams are append-mostly logs
// read in ranges. Appending writes at the end of the last buffer (no allocation but the buffer's
// own doubling), ranges walk bytes in order, and a lookup by ID is a map search over nodes plus a
// walk of at most one node. A std::map of nodes costs ~80 bytes a node (node header, key, buffer
// header), under one byte per entry at 100 entries a node; an entry costs its field and value
// bytes, one length byte each when short, plus 3-4 bytes of flags and ID. Entries whose field
// names repeat the node's first entry's (the common case: a log of uniform records) store no
// field names at all, as Redis's SAMEFIELDS flag does. A radix tree would share ID prefixes across
// nodes, which saves nothing measurable at ~1 key per 100 entries.
//
// Consumer groups: each group keeps its pending entries list (PEL, ID -> NACK: delivery time and
// count, owning consumer) in an ordered map, and each consumer the IDs it owns; groups and
// consumers are ordered by name (byte order, as Redis's radix tree orders them), which XINFO and
// XPENDING show.
//
// memory() is O(1): the node buffers' capacities plus fixed per-node costs are kept as they change;
// consumer groups are costed per group, consumer and pending entry (approximations of the maps'
// node sizes), recounted by the operations that change them.
//
// Concurrency: none here; the stream is read and changed under its key's shard lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "storage/entry.h"

namespace respite::storage {

struct StreamID {
  uint64_t ms = 0, seq = 0;
  static constexpr StreamID min() { return {0, 0}; }
  static constexpr StreamID max() { return {UINT64_MAX, UINT64_MAX}; }
  bool is_zero() const { return ms == 0 && seq == 0; }
  friend bool operator==(const StreamID& a, const StreamID& b) {
    return a.ms == b.ms && a.seq == b.seq;
  }
  friend bool operator!=(const StreamID& a, const StreamID& b) { return !(a == b); }
  friend bool operator<(const StreamID& a, const StreamID& b) {
    return a.ms < b.ms || (a.ms == b.ms && a.seq < b.seq);
  }
  friend bool operator>(const StreamID& a, const StreamID& b) { return b < a; }
  friend bool operator<=(const StreamID& a, const StreamID& b) { return !(b < a); }
  friend bool operator>=(const StreamID& a, const StreamID& b) { return !(a < b); }
  // The next / previous ID; false (and wraps to 0-0 / max) past the end, as Redis's
  // streamIncrID / streamDecrID.
  bool incr();
  bool decr();
  // "<ms>-<seq>" into buf (at least kMaxText bytes); returns the length.
  static constexpr size_t kMaxText = 42;
  size_t format(char* buf) const;
};

// Parses Redis's ID syntax: "<ms>-<seq>", "<ms>" (seq = missing_seq), "-" and "+" unless strict,
// and "<ms>-*" when seq_given is non-null (then *seq_given says whether the seq was there).
bool parse_stream_id(std::string_view s, StreamID* out, uint64_t missing_seq, bool strict,
                     bool* seq_given = nullptr);

// One entry as a range walk sees it: its ID and its field-value pairs, decoded on demand. Views
// point into the stream and stay valid until it is next changed.
class StreamEntry {
 public:
  StreamID id;
  size_t pairs() const { return nfields_; }
  // Calls f(field, value) for each pair in order.
  template <class F>
  void for_each(F&& f) const {
    const char* fp = fields_;
    const char* vp = values_;
    for (size_t i = 0; i < nfields_; i++) {
      std::string_view field = read(&fp);
      if (!same_) vp = fp;
      std::string_view value = read(&vp);
      if (!same_) fp = vp;
      f(field, value);
    }
  }

 private:
  friend class StreamValue;
  static std::string_view read(const char** p);
  size_t nfields_ = 0;
  bool same_ = false;             // field names come from the master list
  const char* fields_ = nullptr;  // the first field name (master list or inline pairs)
  const char* values_ = nullptr;  // the first value (same_ only)
};

struct StreamConsumer;

// A pending entry: delivered to a consumer of a group and not acknowledged yet.
struct StreamNack {
  int64_t delivery_time = 0;  // ms
  uint64_t delivery_count = 1;
  StreamConsumer* consumer = nullptr;
};

struct StreamConsumer {
  std::string name;
  int64_t seen_time = 0;   // ms
  std::set<StreamID> pel;  // the IDs this consumer owns in its group's PEL
};

struct StreamGroup {
  static constexpr int64_t kInvalidEntriesRead = -1;
  StreamID last_id;
  int64_t entries_read = kInvalidEntriesRead;
  std::map<StreamID, StreamNack> pel;
  std::map<std::string, std::unique_ptr<StreamConsumer>, std::less<>> consumers;
};

class StreamValue final : public Object {
 public:
  // stream-node-max-bytes and stream-node-max-entries, read by the caller from its live config (0
  // means no limit of that kind, as in Redis).
  struct Limits {
    size_t node_max_bytes = 4096;
    int64_t node_max_entries = 100;
  };
  // XADD / XTRIM trimming.
  struct Trim {
    enum Strategy : uint8_t { kNone, kMaxLen, kMinId } strategy = kNone;
    bool approx = false;
    int64_t limit = 0;  // 0: no limit
    uint64_t maxlen = 0;
    StreamID minid;
  };

  StreamValue() = default;
  ~StreamValue() override = default;
  StreamValue(const StreamValue&) = delete;
  StreamValue& operator=(const StreamValue&) = delete;

  const char* encoding_name() const override { return "stream"; }
  size_t memory() const override { return sizeof(*this) + node_bytes_ + group_bytes_; }
  // A stream is never deleted for being empty: Redis keeps an empty stream (XADD NOMKSTREAM,
  // XGROUP CREATE MKSTREAM, XDEL of everything). length() therefore reports one more than the
  // entries, so that the server's "empty collections go" rule never applies; entries() is XLEN.
  size_t length() const override { return length_ + 1; }
  Object* clone() const override;

  uint64_t entries() const { return length_; }
  StreamID last_id() const { return last_id_; }
  StreamID first_id() const { return first_id_; }  // recorded-first-entry-id
  StreamID max_deleted_id() const { return max_deleted_; }
  uint64_t entries_added() const { return entries_added_; }
  size_t nodes() const { return nodes_.size(); }

  // The ID XADD would give: `*` (use == nullptr) from now_ms, `ms-*` (seq_given false) or an
  // explicit one. False when it is not greater than the last ID (or cannot be generated).
  bool next_id(const StreamID* use, bool seq_given, int64_t now_ms, StreamID* out) const;
  // Appends an entry with ID id (> last_id(), from next_id) and fields/values alternating in kv.
  void append(StreamID id, const std::string_view* kv, size_t nkv, const Limits& limits);
  // Trims per t; returns the entries removed (Redis's streamTrim).
  int64_t trim(const Trim& t);
  // XDEL of one ID; true if it was there.
  bool erase(StreamID id);
  bool contains(StreamID id) const;
  // The first or last live entry's ID; false when empty.
  bool first_live(StreamID* out) const;
  bool last_live(StreamID* out) const;
  // XSETID's changes.
  void set_last_id(StreamID id) { last_id_ = id; }
  void set_entries_added(uint64_t n) { entries_added_ = n; }
  void set_max_deleted(StreamID id) { max_deleted_ = id; }

  // Calls f(const StreamEntry&) for live entries with start <= id <= end, ascending (or
  // descending when rev), until f returns false or count entries (0: no limit) were seen.
  // Returns the entries passed to f.
  size_t range(StreamID start, StreamID end, size_t count, bool rev,
               const std::function<bool(const StreamEntry&)>& f) const;

  // --- consumer groups ---
  using Groups = std::map<std::string, std::unique_ptr<StreamGroup>, std::less<>>;
  const Groups& groups() const { return groups_; }
  StreamGroup* group(std::string_view name) const;
  // nullptr if a group of that name exists.
  StreamGroup* create_group(std::string_view name, StreamID last_id, int64_t entries_read);
  bool destroy_group(std::string_view name);
  StreamConsumer* consumer(StreamGroup& g, std::string_view name) const;
  // nullptr if it exists already.
  StreamConsumer* create_consumer(StreamGroup& g, std::string_view name, int64_t now_ms);
  // Removes the consumer and its pending entries; returns how many it had.
  size_t delete_consumer(StreamGroup& g, std::string_view name);
  // XREADGROUP delivered id to c: a new NACK, or an existing one moved to c and reset.
  void deliver(StreamGroup& g, StreamConsumer& c, StreamID id, int64_t now_ms);
  // Moves the group's last-delivered ID to id (> the current one) and counts it as read, as
  // Redis's streamReplyWithRange does.
  void advance_group(StreamGroup& g, StreamID id);
  // XACK of one ID; true if it was pending.
  bool ack(StreamGroup& g, StreamID id);
  // Drops the NACK of id (an entry no longer in the stream: XCLAIM, XAUTOCLAIM).
  void drop_nack(StreamGroup& g, std::map<StreamID, StreamNack>::iterator it);
  // Gives the NACK it to consumer c (XCLAIM, XAUTOCLAIM; it->second.consumer may be null after
  // FORCE created it).
  void move_nack(StreamGroup& g, std::map<StreamID, StreamNack>::iterator it, StreamConsumer& c);
  // A NACK for id owned by nobody yet (XCLAIM FORCE).
  std::map<StreamID, StreamNack>::iterator force_nack(StreamGroup& g, StreamID id);
  // Lag and entries-read (Redis 7.0's streamEstimateDistanceFromFirstEverEntry and friends).
  static constexpr int64_t kInvalid = StreamGroup::kInvalidEntriesRead;
  int64_t estimate_distance(StreamID id) const;
  bool range_has_tombstones(StreamID start, StreamID end) const;
  // The lag of g; false when it cannot be known (reply null).
  bool lag(const StreamGroup& g, int64_t* out) const;

 private:
  struct Node {
    uint32_t live = 0, deleted = 0;
    uint32_t master_fields = 0;  // field names in the master list
    uint32_t data = 0;           // where entries begin (after the master list)
    std::string buf;
  };
  using Nodes = std::map<StreamID, Node>;
  // The fixed cost of one node: the map's node (three pointers, colour, key) and the buffer header.
  static constexpr size_t kNodeOverhead = 48 + sizeof(Node);
  static constexpr size_t kGroupBytes = 48 + sizeof(StreamGroup);
  static constexpr size_t kConsumerBytes = 48 + sizeof(StreamConsumer);
  static constexpr size_t kNackBytes = 48 + sizeof(StreamID) + sizeof(StreamNack);
  static constexpr size_t kPelIdBytes = 48 + sizeof(StreamID);

  // Decodes the entry at off in n; returns the offset after it.
  static size_t decode(const StreamID& master, const Node& n, size_t off, StreamEntry* e,
                       uint8_t* flags);
  static bool walk_node(const StreamID& master, const Node& n, StreamID start, StreamID end,
                        bool rev, size_t count, size_t* seen,
                        const std::function<bool(const StreamEntry&)>& f);
  void account_node(size_t before, size_t after) { node_bytes_ += after - before; }
  // Marks the entry at off of node it deleted; removes the node when it was its last live one.
  // Returns whether the node was removed.
  bool mark_deleted(Nodes::iterator it, size_t off);
  void refresh_first_id();
  void recount_groups();

  Nodes nodes_;
  uint64_t length_ = 0;
  uint64_t entries_added_ = 0;
  StreamID last_id_, first_id_, max_deleted_;
  StreamID last_entry_;  // the ID of the entry appended last (last_id_ may be moved by XSETID)
  bool last_entry_deleted_ = false;
  Groups groups_;
  size_t node_bytes_ = 0;
  size_t group_bytes_ = 0;
};

}  // namespace respite::storage
