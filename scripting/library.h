// The function libraries of Redis 7.0 (FUNCTION LOAD, LIST, DELETE, FLUSH, DUMP, RESTORE): one
// registry per server, pure data (each library's name, engine, code and its functions' names,
// flags and descriptions) shared by every worker, and a version counter so that each worker's
// Interpreter can reload every library when the registry moved (sync_libraries). The Lua objects
// live in the interpreters, never here.
//
// Concurrency: the registry is a copy-on-write snapshot. A change, under write_mu_ (one at a
// time), builds a new snapshot, validating the library in a scratch Interpreter of its own, and
// publishes it with a new version under mu_, which guards nothing but the pointer; readers copy
// the shared_ptr and read without a lock. So a slow FUNCTION LOAD (up to its 500 ms limit) never
// holds up FCALL on other workers. Changes are rare and libraries small.
//
// Texts follow Redis 7.0.15's src/functions.c word for word, with their "ERR " code, ready for
// ReplyWriter::error. The DUMP payload is Redis's (RDB_OPCODE_FUNCTION2 and the code as an RDB
// string per library, then the RDB version, 10, and the CRC64 of all that), so payloads move
// between respite and redis-server 7.0 both ways. One difference: Redis LZF-compresses the code
// in its dumps and respite stores it verbatim; both read both.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "scripting/interpreter.h"

namespace respite::scripting {

struct LibraryInfo {
  std::string name;
  std::string engine = "LUA";
  std::string code;                     // the whole payload, shebang line included
  std::vector<FunctionInfo> functions;  // sorted by name
};

// One consistent view of the registry.
struct LibrarySnapshot {
  uint64_t version = 0;
  std::map<std::string, LibraryInfo> libraries;  // by name (case-sensitive, as Redis)
  // Every function's lower-cased name -> its library's name: function names are unique across
  // libraries regardless of case, as in Redis.
  std::unordered_map<std::string, std::string> functions;

  // The function called `name` (any case) and its library; null when there is none.
  const FunctionInfo* find_function(std::string_view name, const LibraryInfo** library) const;
};

enum class RestorePolicy { kAppend, kReplace, kFlush };

class LibraryRegistry {
 public:
  LibraryRegistry();
  ~LibraryRegistry();
  LibraryRegistry(const LibraryRegistry&) = delete;
  LibraryRegistry& operator=(const LibraryRegistry&) = delete;

  struct Result {
    bool ok = false;
    std::string error;  // "ERR ...", when !ok
    std::string name;   // FUNCTION LOAD: the library's name
  };
  // FUNCTION LOAD [REPLACE] code. The library's redis.log calls at load time go to log, if any.
  Result load(std::string_view code, bool replace, Callback* log = nullptr);
  // FUNCTION DELETE: false when there is no such library.
  bool remove(std::string_view name);
  // FUNCTION FLUSH.
  void flush();
  // FUNCTION DUMP: the payload of every library.
  std::string dump() const;
  // FUNCTION RESTORE payload [policy].
  Result restore(std::string_view payload, RestorePolicy policy);

  std::shared_ptr<const LibrarySnapshot> snapshot() const;
  // The current snapshot's version, without the lock: what sync_libraries compares first.
  uint64_t version() const { return version_.load(std::memory_order_acquire); }

 private:
  // Adds one library's code to `into` as Redis's functionsCreateWithLibraryCtx does.
  Result create(std::string_view code, bool replace, LibrarySnapshot* into,
                Callback* log = nullptr);
  void publish(std::shared_ptr<LibrarySnapshot> next);

  std::mutex write_mu_;    // one change at a time: guards next_version_ and scratch_
  mutable std::mutex mu_;  // guards current_ (the pointer only)
  std::shared_ptr<const LibrarySnapshot> current_;
  uint64_t next_version_ = 1;
  // current_->version, published after current_ (release) so that a reader seeing a version
  // finds at least that snapshot (acquire).
  std::atomic<uint64_t> version_{0};
  std::unique_ptr<Interpreter> scratch_;  // validates libraries; keeps none of them
};

// Makes `in`'s library functions those of the registry's current snapshot, reloading them all
// when the registry's version differs from the one `in` last loaded. Returns true when it
// reloaded; false too, changing nothing, while the interpreter is busy (a script calling FCALL).
// Call on the interpreter's own thread, before FCALL looks a function up.
bool sync_libraries(Interpreter& in, const LibraryRegistry& registry);

// Redis's CRC64 (Jones polynomial, reflected, as its crc64.c): crc64(0, "123456789") is
// 0xe9c6d914c4b8d9ca.
uint64_t crc64(uint64_t crc, std::string_view data);

// Payload codec, exposed for tests. Encodes libraries as FUNCTION DUMP does.
std::string encode_function_payload(const std::vector<std::string_view>& codes);
// Decodes a FUNCTION RESTORE payload into library codes; false with *error set ("ERR DUMP payload
// version or checksum are wrong", "ERR given type is not a function", ...).
bool decode_function_payload(std::string_view payload, std::vector<std::string>* codes,
                             std::string* error);

}  // namespace respite::scripting
