// What a command handler sees (CmdCtx) and the helpers every family shares: argument parsing with
// Redis's exact rules and error texts, and reading a string value whatever its encoding. Handlers
// follow three steps: parse the arguments, run the storage operation, write the reply.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/reply_writer.h"
#include "server/ascii.h"
#include "server/command.h"
#include "server/connection.h"
#include "server/errors.h"
#include "server/server.h"
#include "server/worker.h"
#include "storage/compress.h"
#include "storage/entry.h"
#include "storage/keyspace.h"

namespace respite::storage {
class MultiWrite;
}  // namespace respite::storage

namespace respite::server {

struct CmdCtx {
  Server& server;
  Worker& worker;
  Connection& conn;
  protocol::ReplyWriter& reply;
  const std::vector<std::string_view>& argv;
  const Command* cmd;
  storage::OpCtx op;
  // Non-null while the handler runs again to serve a blocked client (blocking.h): block_client()
  // then sets *keep_waiting instead of blocking.
  bool* keep_waiting = nullptr;
  // Non-null while a multi-key command stages its writes (Staging, keywrite.h): every KeyWrite
  // (and so every Collection) then puts and erases through it, and the command's changes become
  // visible to lock-free readers at once when it commits.
  storage::MultiWrite* staging = nullptr;

  size_t argc() const { return argv.size(); }
  std::string_view arg(size_t i) const { return argv[i]; }
  storage::Keyspace& db() { return server.store.db(conn.db); }
  storage::Keyspace& db(int i) { return server.store.db(i); }
  // A lock-free read of a live key in the selected database, counting a hit or a miss.
  const storage::Entry* lookup_read(std::string_view key);
  // A read of a live key of ks whose shard the caller holds (a MultiLock): an expired entry is
  // removed first, and a hit or a miss counted, as lookup_read counts them.
  const storage::Entry* lookup_read_locked(storage::Keyspace& ks, std::string_view key);
  void read_miss_events(std::string_view key);
  void error(std::string_view msg) { reply.error(msg); }
  void error(Err e) { reply.error(error_text(e)); }
  // A keyspace notification (server/notify.h) for key of the selected database, or of db.
  void notify(int64_t cls, std::string_view event, std::string_view key) {
    worker.notify(cls, event, key, conn.db);
  }
  void notify(int64_t cls, std::string_view event, std::string_view key, int db_index) {
    worker.notify(cls, event, key, db_index);
  }
  // "ERR wrong number of arguments for 'x' command"
  void arity_error();
};

// Redis's string2ll: canonical decimal int64 only. The server's one integer routine, under the
// name handlers use (storage/canonical_int.h).
inline bool parse_int(std::string_view s, int64_t* out) {
  return storage::parse_canonical_int(s, out);
}
// Redis's string2ld / strtod rules: no leading space, no trailing bytes, no NaN.
bool parse_double(std::string_view s, double* out);
bool parse_long_double(std::string_view s, long double* out);

// The bytes of a string entry whatever its encoding; buf backs integers and decompressed values.
// `stats`, when given, is where the time spent decompressing is counted (INFO compression).
struct StringBuf {
  char small[32];
  std::unique_ptr<char[]> big;  // a decompressed value (kLz4)
};
std::string_view string_bytes(const storage::Entry* e, StringBuf* buf,
                              WorkerStats* stats = nullptr);
// The length of a string entry's value, without decompressing it.
size_t string_length(const storage::Entry* e);
// The first n bytes (n <= string_length(e)) of a string entry's value: a compressed one is decoded
// no further than that (GETRANGE near the start of a large value).
std::string_view string_prefix(const storage::Entry* e, size_t n, StringBuf* buf,
                               WorkerStats* stats = nullptr);
// Replies with a string entry's value; large values go by reference, not copied, and compressed
// ones are decompressed straight into the output buffer.
void reply_string(protocol::ReplyWriter& r, const storage::Entry* e, WorkerStats* stats = nullptr);
inline std::string_view string_bytes(CmdCtx& c, const storage::Entry* e, StringBuf* buf) {
  return string_bytes(e, buf, &c.worker.stats);
}
inline void reply_string(CmdCtx& c, const storage::Entry* e) {
  reply_string(c.reply, e, &c.worker.stats);
}
// The compression settings (compression-threshold, compression-min-saving) as they are now.
storage::CompressPolicy compress_policy(const Config& config);
// Builds the entry for a string value, choosing its encoding (int, inline, blob, or lz4 when the
// live compression settings say so, counting it in c's worker stats). force_raw: the result of
// APPEND or SETRANGE, which Redis never re-encodes as an integer (OBJECT ENCODING says "raw").
storage::Entry* make_string_entry(CmdCtx& c, std::string_view key, std::string_view value,
                                  int64_t expire_ms, bool force_raw = false);

// SCAN, HSCAN, SSCAN and ZSCAN share Redis's argument rules. The cursor is parsed first (before
// the key is even looked up: a bad cursor wins over a missing key), the options after it only once
// there is something to scan, as Redis's scanGenericCommand does.
struct ScanArgs {
  size_t count = 10;
  std::string_view pattern;  // meaningful only when has_pattern ("*" alone counts as no pattern)
  bool has_pattern = false;
  bool has_type = false;  // SCAN only
  std::string type;       // lower case
};
// "ERR invalid cursor" unless arg is an unsigned 64-bit decimal.
bool parse_scan_cursor(CmdCtx& c, std::string_view arg, uint64_t* out);
// [MATCH pattern] [COUNT count] [TYPE type] from argv[first] on; TYPE only when allow_type.
bool parse_scan_options(CmdCtx& c, size_t first, bool allow_type, ScanArgs* out);
// A scan reply: the next cursor, then the items.
void reply_scan(protocol::ReplyWriter& r, uint64_t cursor, size_t items);

// LMPOP and ZMPOP, and their blocking forms: `numkeys key [key ...] <end> [COUNT count]` from
// argv[at], where <end> is one of two words (LEFT / RIGHT, MIN / MAX), checked in Redis's order.
struct MpopArgs {
  size_t first_key = 0, nkeys = 0;
  bool second_end = false;  // RIGHT or MAX
  int64_t count = 1;
};
bool parse_mpop(CmdCtx& c, size_t at, std::string_view first_end, std::string_view second_end,
                MpopArgs* out);

// Redis's "humanfriendly" long double text (INCRBYFLOAT, HINCRBYFLOAT).
std::string format_long_double(long double v);

}  // namespace respite::server
