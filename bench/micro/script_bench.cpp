// script_bench: what the interpreter layer itself costs per EVALSHA, with a callback that does no
// work, so that the server-side figure (EVALSHA against redis-server) can later be split into
// Lua, conversions and command execution. Runs the INCR+EXPIRE script of lua_bench through
// Interpreter::run_function (KEYS/ARGV tables, the count hook, argv building and %.17g number
// formatting, reply conversion both ways) and prints ns per call, best of 3 rounds.
//
// Instructions per call (callgrind, difference of 2,000 and 12,000 iterations, so start-up cancels
// out), 2026-12-07: 10,150 at first; 7,380 after redis.call stopped allocating its argv, formatting
// integral numbers with snprintf and finding its Interpreter through the registry, and EVALSHA's
// SHA stopped being copied to look it up. Of the rest about half is inside lua_pcall (the VM, the
// KEYS/ARGV tables); `valgrind --tool=callgrind build/bench/micro/script_bench 2000` reproduces it.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "scripting/interpreter.h"

namespace {

class NoOp : public respite::scripting::Callback {
 public:
  respite::protocol::RespValue call(std::span<const std::string_view> argv, int, bool) override {
    ++calls;
    return respite::protocol::RespValue::integer_of(static_cast<int64_t>(argv.size()));
  }
  long calls = 0;
};

}  // namespace

int main(int argc, char** argv) {
  using respite::protocol::RespValue;
  using respite::scripting::Interpreter;
  Interpreter in;
  auto added = in.add_function("redis.call('INCR',KEYS[1]) redis.call('EXPIRE',KEYS[1],60)");
  if (!added.ok) {
    std::fprintf(stderr, "%s\n", added.error.c_str());
    return 1;
  }
  std::vector<std::string_view> keys{"ratelimit:user:42"};
  NoOp cb;
  RespValue reply;
  // An iteration count as the argument, for runs under callgrind (instructions per call).
  const int kIters = argc > 1 ? std::atoi(argv[1]) : 1000000;
  double best = 1e18;
  for (int round = 0; round < 3; ++round) {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kIters; ++i) in.run_function(added.sha, keys, {}, &cb, &reply);
    auto t1 = std::chrono::steady_clock::now();
    double ns = std::chrono::duration<double, std::nano>(t1 - t0).count() / kIters;
    if (ns < best) best = ns;
  }
  std::printf("interpreter incr+expire: %.1f ns/call (%ld callbacks), lua memory %zu bytes\n", best,
              cb.calls, in.memory_used());
  return 0;
}
