// The first line of a script body: `#!lua flags=no-writes,allow-oom` on an EVAL script, `#!lua
// name=mylib` on a FUNCTION LOAD library. A pure function so that the server can learn a script's
// flags (and so which commands it may run, and whether EVAL_RO accepts it) before it compiles or
// runs anything, and so that the texts of its errors, Redis 7.0's word for word, are tested alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace respite::scripting {

// Script flags as Redis 7.0 names them in shebangs and in redis.register_function.
enum ScriptFlag : uint32_t {
  kFlagNoWrites = 1u << 0,            // no-writes
  kFlagAllowOom = 1u << 1,            // allow-oom
  kFlagAllowStale = 1u << 2,          // allow-stale
  kFlagNoCluster = 1u << 3,           // no-cluster
  kFlagAllowCrossSlotKeys = 1u << 4,  // allow-cross-slot-keys
  // No shebang at all: the script runs in Redis's EVAL compatibility mode (its writes are
  // allowed under OOM checks as before 7.0, and it may not be run by EVAL_RO unless read-only).
  kFlagEvalCompatMode = 1u << 31,
};

struct Shebang {
  bool ok = true;
  std::string error;   // with its "ERR " code, ready for ReplyWriter::error
  size_t length = 0;   // bytes of the shebang line without its '\n' (0 when there is none); the
                       // body is compiled from there so that line numbers stay the user's
  uint32_t flags = 0;  // ScriptFlag bits
  std::string name;    // library name (functions only)
};

// An EVAL body: no shebang -> kFlagEvalCompatMode; `#!lua [flags=a,b]`; anything else an error.
Shebang parse_eval_shebang(std::string_view body);

// A FUNCTION LOAD payload: `#!<engine> name=<lib>` required; engine is returned in name's place
// only through error texts (the caller checks it is "lua").
Shebang parse_library_shebang(std::string_view body, std::string* engine);

// Parses one flag name ("no-writes", ...); 0 when unknown.
uint32_t script_flag_from_name(std::string_view name);

}  // namespace respite::scripting
