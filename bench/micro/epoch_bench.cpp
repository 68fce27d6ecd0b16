// Micro-benchmark of epoch-based reclamation (storage/epoch.h): what one worker's batch costs when
// it retires objects, (1) while another worker stays pinned through a long command, so that
// nothing can be freed and the retired list only grows, and (2) with no one else pinned (steady
// state). A batch is what a worker does per loop turn: pin; retire K small mallocs (allocated
// beforehand); unpin.
// Each scenario starts with `--pending` objects already retired (80,000 by default).
//
//   epoch_bench [--batches N] [--pending P] [--k K[,K...]]
//
// Prints, per scenario and K: the median, p99 and mean ns per batch, and ns per retired object
// (median and mean batch over K). The mean includes the ring's doubling and any preemption.
// Single-threaded: both participants live on this thread, which is enough to exercise the
// retire/collect path (a pin is only a store to the participant's slot).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "storage/epoch.h"

using respite::storage::EpochManager;
using respite::storage::Participant;

namespace {

struct Options {
  size_t batches = 20000;
  size_t pending = 80000;
  std::vector<size_t> ks = {1, 8, 32};
};

void retire_malloc(Participant* p) {
  p->retire(std::malloc(32), std::free);
}

struct Result {
  double median_ns, p99_ns, mean_ns;
  size_t pending_before, pending_after;
};

Result run(const Options& o, size_t k, bool other_pinned) {
  EpochManager m;
  Participant* a = m.join();
  Participant* b = m.join();
  if (other_pinned) b->pin();  // a long command on another worker: holds the epoch back
  a->pin();
  for (size_t i = 0; i < o.pending; i++) retire_malloc(a);
  a->unpin();
  Result r{};
  r.pending_before = a->pending();

  // The objects are allocated before the clock starts: with nothing freed, malloc keeps faulting
  // in fresh pages, which would swamp what is measured here (their frees stay in the timing).
  std::vector<void*> objs(o.batches * k);
  for (void*& p : objs) p = std::malloc(32);
  std::vector<uint64_t> ns(o.batches);
  using Clock = std::chrono::steady_clock;
  for (size_t i = 0; i < o.batches; i++) {
    void** batch = &objs[i * k];
    auto t0 = Clock::now();
    a->pin();
    for (size_t j = 0; j < k; j++) a->retire(batch[j], std::free);
    a->unpin();
    auto t1 = Clock::now();
    ns[i] = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
  }
  r.pending_after = a->pending();
  double sum = 0;
  for (uint64_t v : ns) sum += static_cast<double>(v);
  r.mean_ns = sum / static_cast<double>(ns.size());
  std::sort(ns.begin(), ns.end());
  r.median_ns = static_cast<double>(ns[ns.size() / 2]);
  r.p99_ns = static_cast<double>(ns[std::min(ns.size() - 1, ns.size() * 99 / 100)]);
  if (other_pinned) b->unpin();
  m.leave(a);
  m.leave(b);
  return r;  // ~EpochManager frees the rest
}

std::vector<size_t> parse_list(const std::string& s) {
  std::vector<size_t> v;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    size_t k = std::strtoull(s.substr(start, comma - start).c_str(), nullptr, 10);
    if (k > 0) v.push_back(k);
    start = comma + 1;
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--batches") {
      o.batches = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (flag == "--pending") {
      o.pending = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (flag == "--k") {
      o.ks = parse_list(argv[i + 1]);
    } else {
      std::fprintf(stderr, "usage: %s [--batches N] [--pending P] [--k K[,K...]]\n", argv[0]);
      return 2;
    }
  }
  if (o.batches == 0 || o.ks.empty()) return 2;
  std::printf("%-14s %4s %9s %9s %11s %11s %11s %12s %12s\n", "scenario", "K", "pend.0", "pend.end",
              "median_ns", "p99_ns", "mean_ns", "ns/obj(med)", "ns/obj(mean)");
  for (bool pinned : {true, false}) {
    for (size_t k : o.ks) {
      Result r = run(o, k, pinned);
      std::printf("%-14s %4zu %9zu %9zu %11.0f %11.0f %11.0f %12.1f %12.1f\n",
                  pinned ? "other-pinned" : "none-pinned", k, r.pending_before, r.pending_after,
                  r.median_ns, r.p99_ns, r.mean_ns, r.median_ns / static_cast<double>(k),
                  r.mean_ns / static_cast<double>(k));
    }
  }
  return 0;
}
