// Micro-benchmark: would a reader/writer lock per shard pay for collection reads?
//
// Collection commands (server/collection.h) take their shard's std::mutex exclusively, reads
// included, and format the reply under it. This measures the alternative (std::shared_mutex, reads
// shared, writes exclusive) and formatting a large reply after the lock is released, on the real
// storage::HashValue / storage::ListValue:
//   1. uncontended lock+unlock, one thread: mutex, shared_mutex lock(), shared_mutex lock_shared();
//   2. one writer thread: HSET-like (overwrite one field of a 10-field hash) and LPUSH/RPOP-like
//      (alternately push a 10-byte element at the head and pop one at the tail of a 100-element
//      list), each op under its own exclusive lock;
//   3. one and two reader threads on the SAME key: hget (one field of a 10-field hash, 16 bytes
//      copied out), lrange100 and lrange1000 (walk 100 / 1000 elements of 10 bytes, appending each
//      with a RESP bulk header to a thread-local std::string cleared per op, capacity reserved
//      once). The "+fmt-out" variants copy the elements' bytes and lengths into thread-local
//      scratch under the lock, then format after unlocking;
//   4. mixed: one reader doing lrange100 and one writer doing the LPUSH/RPOP writes of 2 on the
//      same list.
// Thread i is pinned to the i-th CPU this process may use (cores 0 and 1 on a 2-core machine); the
// single-thread cases run on the first. Every configuration runs --runs times (default 5) for
// --secs seconds (default 0.5) under each lock, the locks alternating run by run; the table shows
// medians of the total ops/s and, per thread, of ops/s, CPU% (thread CPU time over wall time: under
// 100 when the thread slept on the lock or another process took its core) and voluntary context
// switches per 1000 ops (getrusage: how often it slept in the kernel waiting for the lock). The
// lock and the value sit on their own cache lines, as a shard's lock and a collection's nodes do.
//
//   lock_bench [--runs N] [--secs S] [--think K]
//
// --think K adds K iterations of dependent arithmetic (reported in ns) outside the lock after
// every read and write, standing in for the rest of a command (parse, dispatch, socket I/O): with
// 0 (the default) threads hammer the lock back to back, the worst case for contention.
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "storage/hash_value.h"
#include "storage/list_value.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace st = respite::storage;

// ---- options and pinning ----

struct Options {
  int runs = 5;
  double secs = 0.5;
  uint64_t think = 0;
};

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    for (int i = 0; i < CPU_SETSIZE; i++)
      if (CPU_ISSET(i, &set)) cpus.push_back(i);
  }
  if (cpus.empty()) cpus.push_back(0);
  return cpus;
}

void pin_self(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0)
    std::fprintf(stderr, "warning: cannot pin to CPU %d\n", cpu);
}

// Busy work outside the lock (--think): a dependent chain the compiler cannot drop.
inline uint64_t think(uint64_t iters, uint64_t x) {
  for (uint64_t i = 0; i < iters; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    asm volatile("" : "+r"(x));
  }
  return x;
}

// ---- the two locks, behind one interface ----

struct alignas(64) MutexLock {
  static constexpr const char* kName = "mutex";
  std::mutex m;
  void rlock() { m.lock(); }
  void runlock() { m.unlock(); }
  void wlock() { m.lock(); }
  void wunlock() { m.unlock(); }
};

struct alignas(64) SharedLock {
  static constexpr const char* kName = "shared_mutex";
  std::shared_mutex m;
  void rlock() { m.lock_shared(); }
  void runlock() { m.unlock_shared(); }
  void wlock() { m.lock(); }
  void wunlock() { m.unlock(); }
};

// ---- the keys read and written ----

constexpr size_t kHashFields = 10;
const st::HashValue::Limits kHashLimits{};
const st::ListValue::Limits kListLimits{};  // Redis's default list-max-listpack-size -2: 8 KiB

std::string field_name(size_t i) {
  return "field:" + std::to_string(i);
}
std::string elem(size_t i) {
  char b[16];
  std::snprintf(b, sizeof b, "elem%06zu", i % 1000000);  // 10 bytes
  return b;
}

struct alignas(64) Data {
  st::HashValue hash;  // 10 fields of 16-byte values: packed, as Redis would keep it
  st::ListValue list;
  std::vector<std::string> fields;
  std::string value16 = "0123456789abcdef";
  std::string push_elem = "pushed-el!";  // 10 bytes
  explicit Data(size_t list_len) {
    for (size_t i = 0; i < kHashFields; i++) {
      fields.push_back(field_name(i));
      hash.set(fields.back(), value16, kHashLimits);
    }
    for (size_t i = 0; i < list_len; i++) list.push_back(elem(i), kListLimits);
  }
};

// ---- per-thread work: each returns something folded into a sink so nothing is optimised out ----

void append_uint(std::string& out, size_t n) {
  char b[24];
  auto r = std::to_chars(b, b + sizeof b, n);
  out.append(b, static_cast<size_t>(r.ptr - b));
}

struct ThreadBufs {
  std::string out;             // the reply being formatted
  std::string scratch;         // +fmt-out: element bytes copied under the lock
  std::vector<uint32_t> lens;  // +fmt-out: their lengths
  char small[64];              // hget: the copied value
  uint64_t x = 1;              // think chain
  ThreadBufs() {
    out.reserve(1 << 16);
    scratch.reserve(1 << 15);
    lens.reserve(2048);
  }
};

template <class L>
uint64_t op_hget(L& lk, Data& d, ThreadBufs& b, uint64_t i) {
  std::string_view v;
  lk.rlock();
  bool hit = d.hash.get(d.fields[i % kHashFields], &v);
  size_t n = hit ? std::min(v.size(), sizeof b.small) : 0;
  std::memcpy(b.small, v.data(), n);
  lk.runlock();
  asm volatile("" : : "r"(b.small) : "memory");
  return n;
}

// LRANGE 0 n-1, formatted under the lock (what cmd_lrange does).
template <class L>
uint64_t op_lrange(L& lk, Data& d, ThreadBufs& b, size_t n) {
  std::string& out = b.out;
  out.clear();
  lk.rlock();
  size_t k = std::min(n, d.list.length());
  out += '*';
  append_uint(out, k);
  out += "\r\n";
  d.list.visit(0, k, false, [&](std::string_view v) {
    out += '$';
    append_uint(out, v.size());
    out += "\r\n";
    out.append(v);
    out += "\r\n";
  });
  lk.runlock();
  return out.size();
}

// LRANGE 0 n-1, the bytes copied out under the lock, formatted after it.
template <class L>
uint64_t op_lrange_fmt_out(L& lk, Data& d, ThreadBufs& b, size_t n) {
  b.scratch.clear();
  b.lens.clear();
  lk.rlock();
  size_t k = std::min(n, d.list.length());
  d.list.visit(0, k, false, [&](std::string_view v) {
    b.lens.push_back(static_cast<uint32_t>(v.size()));
    b.scratch.append(v);
  });
  lk.runlock();
  std::string& out = b.out;
  out.clear();
  out += '*';
  append_uint(out, b.lens.size());
  out += "\r\n";
  const char* p = b.scratch.data();
  for (uint32_t len : b.lens) {
    out += '$';
    append_uint(out, len);
    out += "\r\n";
    out.append(p, len);
    out += "\r\n";
    p += len;
  }
  return out.size();
}

template <class L>
uint64_t op_hset(L& lk, Data& d, ThreadBufs&, uint64_t i) {
  lk.wlock();
  bool added = d.hash.set(d.fields[i % kHashFields], d.value16, kHashLimits);
  lk.wunlock();
  return added;
}

// Alternately LPUSH one element and RPOP one: the list stays at n or n+1 elements.
template <class L>
uint64_t op_lpush_rpop(L& lk, Data& d, ThreadBufs&, uint64_t i) {
  lk.wlock();
  if (i & 1) {
    d.list.pop_back();
  } else {
    d.list.push_front(d.push_elem, kListLimits);
  }
  size_t len = d.list.length();
  lk.wunlock();
  return len;
}

// ---- running threads ----

enum class Op { kHget, kLrange100, kLrange1000, kLrange100Out, kLrange1000Out, kHset, kPushPop };

const char* op_name(Op op) {
  switch (op) {
    case Op::kHget:
      return "hget";
    case Op::kLrange100:
      return "lrange100";
    case Op::kLrange1000:
      return "lrange1000";
    case Op::kLrange100Out:
      return "lrange100+fmt-out";
    case Op::kLrange1000Out:
      return "lrange1000+fmt-out";
    case Op::kHset:
      return "hset";
    case Op::kPushPop:
      return "lpush/rpop";
  }
  return "?";
}

template <class L>
uint64_t do_op(Op op, L& lk, Data& d, ThreadBufs& b, uint64_t i) {
  switch (op) {
    case Op::kHget:
      return op_hget(lk, d, b, i);
    case Op::kLrange100:
      return op_lrange(lk, d, b, 100);
    case Op::kLrange1000:
      return op_lrange(lk, d, b, 1000);
    case Op::kLrange100Out:
      return op_lrange_fmt_out(lk, d, b, 100);
    case Op::kLrange1000Out:
      return op_lrange_fmt_out(lk, d, b, 1000);
    case Op::kHset:
      return op_hset(lk, d, b, i);
    case Op::kPushPop:
      return op_lpush_rpop(lk, d, b, i);
  }
  return 0;
}

std::atomic<uint64_t> g_sink{0};

// What one thread did in one run.
struct ThreadResult {
  double rate = 0;  // ops/s
  double cpu = 0;   // the thread's CPU time over the wall time, %: < 100 when it slept or was
                    // preempted by another process
  double csw = 0;   // voluntary context switches (blocking in the kernel) per 1000 ops
};

double thread_cpu_s() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

uint64_t voluntary_switches() {
  rusage u;
  getrusage(RUSAGE_THREAD, &u);
  return static_cast<uint64_t>(u.ru_nvcsw);
}

// One run: thread t runs ops[t] on CPU cpus[t].
template <class L>
std::vector<ThreadResult> run_once(const std::vector<Op>& ops, size_t list_len, const Options& o,
                                   const std::vector<int>& cpus) {
  L lk;
  Data d(list_len);
  std::atomic<int> ready{0};
  std::atomic<bool> go{false}, stop{false};
  std::vector<ThreadResult> res(ops.size());
  std::vector<std::thread> threads;
  for (size_t t = 0; t < ops.size(); t++) {
    threads.emplace_back([&, t] {
      pin_self(cpus[t % cpus.size()]);
      ThreadBufs b;
      Op op = ops[t];
      uint64_t sink = 0, n = 0;
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) {
      }
      auto t0 = Clock::now();
      uint64_t csw0 = voluntary_switches();
      double cpu0 = thread_cpu_s();
      while (!stop.load(std::memory_order_relaxed)) {
        for (int k = 0; k < 8; k++, n++) {
          sink += do_op(op, lk, d, b, n);
          if (o.think) b.x = think(o.think, b.x);
        }
      }
      double s = std::chrono::duration<double>(Clock::now() - t0).count();
      res[t].rate = static_cast<double>(n) / s;
      res[t].cpu = (thread_cpu_s() - cpu0) * 100 / s;
      res[t].csw = static_cast<double>(voluntary_switches() - csw0) * 1000 / static_cast<double>(n);
      g_sink.fetch_add(sink + b.x, std::memory_order_relaxed);
    });
  }
  while (ready.load() != static_cast<int>(ops.size())) {
  }
  go.store(true, std::memory_order_release);
  std::this_thread::sleep_for(std::chrono::duration<double>(o.secs));
  stop.store(true, std::memory_order_relaxed);
  for (auto& th : threads) th.join();
  return res;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// The runs of one configuration under one lock.
struct Samples {
  std::vector<double> total;
  std::vector<std::vector<double>> rate, cpu, csw;  // [thread][run]
  explicit Samples(size_t threads) : rate(threads), cpu(threads), csw(threads) {}
  void add(const std::vector<ThreadResult>& res) {
    double sum = 0;
    for (size_t t = 0; t < res.size(); t++) {
      rate[t].push_back(res[t].rate);
      cpu[t].push_back(res[t].cpu);
      csw[t].push_back(res[t].csw);
      sum += res[t].rate;
    }
    total.push_back(sum);
  }
};

// Prints one row of medians: total ops/s, then per thread ops/s, CPU% and blocks per 1000 ops.
void print_row(const char* section, const std::vector<Op>& ops, const char* lock,
               const Samples& s) {
  std::string what = op_name(ops[0]);
  if (ops.size() == 2) what += ops[1] == ops[0] ? " x2" : std::string(" + ") + op_name(ops[1]);
  std::string rate, cpu, csw;
  for (size_t t = 0; t < ops.size(); t++) {
    char b[32];
    const char* sep = t ? " / " : "";
    std::snprintf(b, sizeof b, "%s%.3f", sep, median(s.rate[t]) / 1e6);
    rate += b;
    std::snprintf(b, sizeof b, "%s%.0f", sep, median(s.cpu[t]));
    cpu += b;
    std::snprintf(b, sizeof b, "%s%.1f", sep, median(s.csw[t]));
    csw += b;
  }
  std::printf("%-8s %-31s %-12s %7.3f  %-15s %-9s %s\n", section, what.c_str(), lock,
              median(s.total) / 1e6, rate.c_str(), cpu.c_str(), csw.c_str());
  std::fflush(stdout);
}

// Runs a configuration o.runs times under each lock, alternating the locks run by run so that a
// change in the machine's other load hits both alike, and prints a row for each.
void both(const char* section, const std::vector<Op>& ops, size_t list_len, const Options& o,
          const std::vector<int>& cpus) {
  Samples m(ops.size()), sh(ops.size());
  for (int r = 0; r < o.runs; r++) {
    m.add(run_once<MutexLock>(ops, list_len, o, cpus));
    sh.add(run_once<SharedLock>(ops, list_len, o, cpus));
  }
  print_row(section, ops, MutexLock::kName, m);
  print_row(section, ops, SharedLock::kName, sh);
}

// Section 1: ns per call of lock_unlock over one run of o.secs, one thread, no contention.
template <class F>
double lock_ns(F&& lock_unlock, const Options& o) {
  {
    uint64_t n = 0;
    auto t0 = Clock::now();
    auto end =
        t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.secs));
    Clock::time_point now;
    do {
      for (int k = 0; k < 1024; k++) lock_unlock();
      n += 1024;
    } while ((now = Clock::now()) < end);
    return std::chrono::duration<double, std::nano>(now - t0).count() / static_cast<double>(n);
  }
}

bool parse_args(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; i++) {
    std::string_view a = argv[i];
    if (i + 1 >= argc) return false;
    if (a == "--runs")
      o->runs = std::max(1, std::atoi(argv[++i]));
    else if (a == "--secs")
      o->secs = std::atof(argv[++i]);
    else if (a == "--think")
      o->think = std::strtoull(argv[++i], nullptr, 10);
    else
      return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse_args(argc, argv, &o)) {
    std::fprintf(stderr, "usage: lock_bench [--runs N] [--secs S] [--think K]\n");
    return 2;
  }
  std::vector<int> cpus = allowed_cpus();
  if (cpus.size() < 2) std::fprintf(stderr, "warning: only one CPU; two-thread rows share it\n");
  std::vector<int> first{cpus[0]};
  pin_self(cpus[0]);
  std::thread([] {}).join();  // a multi-threaded process from here on, as the server is

  std::printf("lock_bench: %d runs x %.2f s, medians; CPUs %d,%d", o.runs, o.secs, cpus[0],
              cpus.size() > 1 ? cpus[1] : cpus[0]);
  if (o.think) {
    Options c = o;
    uint64_t x = 1;
    double ns = lock_ns([&] { x = think(o.think, x); }, c);
    g_sink += x;
    std::printf("; think %llu iters = %.0f ns outside the lock per op",
                static_cast<unsigned long long>(o.think), ns);
  }
  std::printf("\n\n1. uncontended lock+unlock, one thread (ns)\n");
  {
    std::mutex m;
    std::shared_mutex s;
    std::vector<double> va, vb, vc;
    for (int r = 0; r < o.runs; r++) {  // alternating, as below
      va.push_back(lock_ns([&] { m.lock(), m.unlock(); }, o));
      vb.push_back(lock_ns([&] { s.lock(), s.unlock(); }, o));
      vc.push_back(lock_ns([&] { s.lock_shared(), s.unlock_shared(); }, o));
    }
    double a = median(va), b = median(vb), c = median(vc);
    std::printf(
        "   std::mutex %.2f   shared_mutex lock() %.2f   shared_mutex lock_shared() %.2f\n\n", a, b,
        c);
  }

  std::printf("%-8s %-31s %-12s %7s  %-15s %-9s %s\n", "section", "threads' work", "lock", "Mops/s",
              "thread Mops/s", "CPU%", "blocks/1k ops");
  auto both = [&](const char* sec, const std::vector<Op>& ops, size_t list_len) {
    ::both(sec, ops, list_len, o, ops.size() == 1 ? first : cpus);
  };
  // 2. writers alone.
  both("2.write", {Op::kHset}, 100);
  both("2.write", {Op::kPushPop}, 100);
  // 3. readers of one key, one thread then two.
  both("3a.read", {Op::kHget}, 100);
  both("3a.read", {Op::kHget, Op::kHget}, 100);
  both("3b.read", {Op::kLrange100}, 100);
  both("3b.read", {Op::kLrange100, Op::kLrange100}, 100);
  both("3b.read", {Op::kLrange100Out}, 100);
  both("3b.read", {Op::kLrange100Out, Op::kLrange100Out}, 100);
  both("3c.read", {Op::kLrange1000}, 1000);
  both("3c.read", {Op::kLrange1000, Op::kLrange1000}, 1000);
  both("3c.read", {Op::kLrange1000Out}, 1000);
  both("3c.read", {Op::kLrange1000Out, Op::kLrange1000Out}, 1000);
  // 4. one reader, one writer, same list.
  both("4.mixed", {Op::kLrange100, Op::kPushPop}, 100);
  both("4.mixed", {Op::kLrange100Out, Op::kPushPop}, 100);
  std::printf("\n(sink %llu)\n", static_cast<unsigned long long>(g_sink.load() & 0xff));
  return 0;
}
