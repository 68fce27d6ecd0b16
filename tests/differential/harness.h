// The differential runner: sends each generated command to the server under test and to the
// reference, compares the two replies (exactly, or with the normalisation the command asks for),
// and on the first mismatch writes a report with everything needed to reproduce it.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "tests/differential/generator.h"
#include "tests/support/server_process.h"

namespace respite::diff {

// True if `a` and `b` are the same reply under `mode`.
bool replies_match(Compare mode, const test::Reply& a, const test::Reply& b);

using test::format_command;  // tests/support/reply.h

struct SeedResult {
  bool ok = true;
  int commands = 0;
};

// Runs one seeded stream of `count` commands against both servers; the keyspaces are flushed and
// fresh connections opened first. Writes a report to `out` on a mismatch or a dead server.
SeedResult run_seed(test::ServerProcess& under_test, test::ServerProcess& reference, uint64_t seed,
                    int count, long long base_time_s, std::ostream& out);

}  // namespace respite::diff
