// The load itself: one test run over -c connections spread across event loops.
//
// Each event loop is a thread with its own epoll instance, connections, key generator and
// histogram; the only things shared between loops are the count of requests handed out (one atomic
// add per batch, not per request) and the abort flag. A connection writes a batch of -P requests
// with one send(), reads replies with as few recv() as the kernel allows, and writes the next batch
// as soon as the last reply of the previous one is parsed. Request bytes are built once per
// connection and patched in place, replies are skipped without copying, so the steady state
// allocates nothing and makes about two system calls per batch (epoll_wait is shared by every ready
// connection).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "bench/loadgen/args.h"
#include "bench/loadgen/report.h"
#include "bench/loadgen/workload.h"

namespace respite::bench {

struct Progress {
  uint64_t finished = 0;    // replies so far, all loops
  uint64_t latency_ns = 0;  // their summed latency
  double elapsed_s = 0;     // since the start of the test
};

// Runs `spec` as `opt` says and fills `out`. Returns false with `error` set when the test could not
// run or was cut short (connection refused, server closed, AUTH failed, protocol error).
// `progress`, when set, is called about every 250 ms from the calling thread.
bool run_test(const Options& opt, const TestSpec& spec, TestResult& out, std::string& error,
              const std::function<void(const Progress&)>& progress = {});

}  // namespace respite::bench
