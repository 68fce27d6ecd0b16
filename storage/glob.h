// Glob-style pattern matching with the semantics of Redis's stringmatchlen(): `*` any run of bytes,
// `?` one byte, `[abc]` `[^abc]` `[a-z]` byte classes, `\x` a literal x; binary safe. KEYS, SCAN
// MATCH, PSUBSCRIBE and CONFIG GET all match with it, so one implementation keeps them consistent.
// The matcher is iterative and remembers only the last `*`, which bounds the work to
// O(pattern x string) byte comparisons: a hostile pattern such as "a*a*a*a*a*b" cannot make it
// recurse or backtrack exponentially.
#pragma once

#include <cstdint>
#include <string_view>

namespace respite::storage {

// True when str matches pattern. nocase folds ASCII letters (as Redis's `nocase` flag does). Bytes
// compare as unsigned in `[a-z]` ranges, the same on every CPU (Redis compares plain char there).
bool glob_match(std::string_view pattern, std::string_view str, bool nocase = false);

// As glob_match, and adds to steps the number of pattern tokens it compared against a byte, so
// tests can check the work bound without timing anything.
bool glob_match_counted(std::string_view pattern, std::string_view str, bool nocase,
                        std::uint64_t& steps);

}  // namespace respite::storage
