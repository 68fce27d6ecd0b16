// Micro-benchmark of lookup stalls while a shard grows (storage/shard.h). A loader thread inserts
// N keys through the locked write path the server uses (lock the shard, Entry::make_string,
// upsert_locked), so the shards go through every doubling; meanwhile P prober threads look up,
// alternately, a key already inserted and a key that is never inserted, lock-free
// (Keyspace::find), timing each lookup. With one shard (the default, --shard-bits 0) every key
// lands in it and the last doublings relink millions of entries: a reader that misses while a
// resize runs retries until it ends, so the worst lookup time shows how long readers stall.
//
//   stall_bench [--keys N] [--shard-bits B] [--probers P] [--value-size V] [--pin] [--json]
//
// N accepts 1e6-style numbers (default 1e6). --pin puts the loader on CPU 0 and prober i on CPU
// i+1 (modulo the CPUs this process may use). Prints one line per run: N, shard bits, load time,
// the loader's slowest insert (a grow holds the lock for that long), lookups done, and for present
// and missing keys separately p50, p99, p99.9 and max (µs) and the count of lookups over 1 ms.
//
// Threads pin their epoch participant around batches of 64 operations, as a worker pins around a
// batch of commands, so retired tables and entries are reclaimed while the run goes on.
//
// The store is reached only through StoreAdapter below: if the Keyspace/Shard API changes, only
// that struct needs re-pointing.
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "storage/entry.h"
#include "storage/epoch.h"
#include "storage/hash.h"
#include "storage/keyspace.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace st = respite::storage;

// ---- the only code that knows the storage API ----
struct StoreAdapter {
  explicit StoreAdapter(unsigned shard_bits) : ks(shard_bits) {}

  // The server's insert (server/keywrite.h KeyWrite::put for an absent key).
  static void insert(st::Keyspace& ks, st::Participant* p, std::string_view key,
                     std::string_view value) {
    uint64_t h = st::hash_key(key);
    st::Shard& s = ks.shard_for(h);
    std::lock_guard<st::Shard> lock(s.mutex());
    s.upsert_locked(st::Entry::make_string(key, value, /*expire_ms=*/-1), h, p);
  }
  // The server's GET path: lock-free, the caller pinned.
  static bool find(st::Keyspace& ks, std::string_view key, int64_t now_ms) {
    return ks.find(key, now_ms) != nullptr;
  }
  // Changes when the key's shard swaps in a resized table: a lookup that saw it change overlapped
  // the end of a resize (a grow or a shrink).
  static uint64_t table_version(st::Keyspace& ks, std::string_view key) {
    return ks.shard_for(st::hash_key(key)).buckets();
  }
  uint64_t buckets() {
    uint64_t b = 0;
    for (size_t i = 0; i < ks.shard_count(); i++) b += ks.shard(i).buckets();
    return b;
  }

  st::EpochManager epochs;  // declared first: destroyed after the keyspace that retires into it
  st::Keyspace ks;
};
// ---- end of the adapter ----

constexpr int kBatch = 64;  // operations per pin, like a worker's batch of commands

// Log-linear histogram of nanoseconds: exact below 32, then 16 sub-buckets per power of two
// (at most 1/16 = 6% relative error on a percentile); the max is kept exactly.
class Histogram {
 public:
  static constexpr int kSub = 16;
  static constexpr int kSubBits = 4;
  static_assert(1 << kSubBits == kSub, "sub-buckets per power of two");
  static constexpr int kBuckets = 64 * kSub;

  // across_resize: the sample overlapped the end of a resize (see StoreAdapter::table_version).
  void add(uint64_t ns, bool across_resize = false) {
    counts_[index(ns)]++;
    n_++;
    max_ = std::max(max_, ns);
    if (!across_resize) max_other_ = std::max(max_other_, ns);
    if (ns > 1000000) {
      over_1ms_++;
      if (across_resize) over_1ms_resize_++;
    }
  }
  void merge(const Histogram& o) {
    for (int i = 0; i < kBuckets; i++) counts_[i] += o.counts_[i];
    n_ += o.n_;
    max_ = std::max(max_, o.max_);
    max_other_ = std::max(max_other_, o.max_other_);
    over_1ms_ += o.over_1ms_;
    over_1ms_resize_ += o.over_1ms_resize_;
  }
  // The upper bound of the bucket holding the q-quantile, capped by the max.
  uint64_t quantile(double q) const {
    if (n_ == 0) return 0;
    uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(n_ - 1)) + 1;
    uint64_t seen = 0;
    for (int i = 0; i < kBuckets; i++) {
      seen += counts_[i];
      if (seen >= rank) return std::min(upper(i), max_);
    }
    return max_;
  }
  uint64_t count() const { return n_; }
  uint64_t max() const { return max_; }
  uint64_t over_1ms() const { return over_1ms_; }
  // The max over samples that did not overlap a resize: the noise floor (preemption, page faults).
  uint64_t max_other() const { return max_other_; }
  // The rest of the slow samples are most likely the thread being descheduled.
  uint64_t over_1ms_resize() const { return over_1ms_resize_; }

 private:
  static int index(uint64_t v) {
    if (v < 2 * kSub) return static_cast<int>(v);
    int msb = 63 - __builtin_clzll(v);  // >= kSubBits + 1
    int sub = static_cast<int>((v >> (msb - kSubBits)) & (kSub - 1));
    return (msb - kSubBits + 1) * kSub + sub;
  }
  static uint64_t upper(int i) {
    if (i < 2 * kSub) return static_cast<uint64_t>(i);
    int msb = i / kSub + kSubBits - 1;
    uint64_t sub = static_cast<uint64_t>(i % kSub);
    return ((uint64_t{kSub} + sub + 1) << (msb - kSubBits)) - 1;
  }
  uint64_t counts_[kBuckets] = {};
  uint64_t n_ = 0, max_ = 0, over_1ms_ = 0, over_1ms_resize_ = 0, max_other_ = 0;
};

struct Options {
  uint64_t keys = 1000000;
  unsigned shard_bits = 0;
  unsigned probers = 1;
  size_t value_size = 8;
  bool pin = false;
  bool json = false;
};

[[noreturn]] void usage(int rc) {
  std::fprintf(rc ? stderr : stdout,
               "usage: stall_bench [--keys N] [--shard-bits B] [--probers P] [--value-size V] "
               "[--pin] [--json]\n");
  std::exit(rc);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) usage(2);
      return argv[++i];
    };
    if (a == "--keys" || a == "-n") {
      o.keys = static_cast<uint64_t>(std::strtod(next(), nullptr));  // accepts 1e7
    } else if (a == "--shard-bits") {
      o.shard_bits = static_cast<unsigned>(std::strtoul(next(), nullptr, 10));
    } else if (a == "--probers") {
      o.probers = static_cast<unsigned>(std::strtoul(next(), nullptr, 10));
    } else if (a == "--value-size") {
      o.value_size = std::strtoul(next(), nullptr, 10);
    } else if (a == "--pin") {
      o.pin = true;
    } else if (a == "--json") {
      o.json = true;
    } else if (a == "-h" || a == "--help") {
      usage(0);
    } else {
      usage(2);
    }
  }
  if (o.keys == 0 || o.keys > (uint64_t{1} << 31) || o.shard_bits > 16 || o.probers == 0) usage(2);
  return o;
}

// Pins the calling thread to the n-th CPU (modulo those this process may use).
void pin_to_nth_cpu(unsigned n) {
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return;
  std::vector<int> cpus;
  for (int c = 0; c < CPU_SETSIZE; c++)
    if (CPU_ISSET(c, &allowed)) cpus.push_back(c);
  if (cpus.empty()) return;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpus[n % cpus.size()], &one);
  pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
}

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint64_t ns_between(Clock::time_point a, Clock::time_point b) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count());
}

struct ProberResult {
  Histogram present, missing;
  uint64_t present_not_found = 0;  // must stay 0: a present key that a lookup did not find
};

void loader(StoreAdapter& store, const Options& o, std::atomic<uint64_t>& inserted,
            Histogram& inserts) {
  if (o.pin) pin_to_nth_cpu(0);
  st::Participant* p = store.epochs.join();
  std::string value(o.value_size, 'v');
  char key[32];
  for (uint64_t i = 0; i < o.keys;) {
    st::EpochGuard guard(p);
    for (int b = 0; b < kBatch && i < o.keys; b++, i++) {
      int len = std::snprintf(key, sizeof(key), "key:%llu", static_cast<unsigned long long>(i));
      auto t0 = Clock::now();
      StoreAdapter::insert(store.ks, p, std::string_view(key, len), value);
      inserts.add(ns_between(t0, Clock::now()));
      // release: a prober that reads i+1 finds key i published.
      inserted.store(i + 1, std::memory_order_release);
    }
  }
  store.epochs.leave(p);
}

void prober(StoreAdapter& store, const Options& o, unsigned id, const std::atomic<bool>& done,
            const std::atomic<uint64_t>& inserted, ProberResult& r) {
  if (o.pin) pin_to_nth_cpu(id + 1);
  st::Participant* p = store.epochs.join();
  uint64_t rng = 0x9e3779b97f4a7c15ull * (id + 1);
  auto next_rand = [&rng] {  // xorshift64
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
  };
  char key[32];
  int64_t now = wall_ms();
  while (!done.load(std::memory_order_relaxed)) {
    st::EpochGuard guard(p);
    for (int b = 0; b < kBatch; b++) {
      bool want_present = (b & 1) == 0;
      uint64_t have = inserted.load(std::memory_order_acquire);
      if (want_present && have == 0) continue;
      uint64_t k = next_rand();
      int len = want_present ? std::snprintf(key, sizeof(key), "key:%llu",
                                             static_cast<unsigned long long>(k % have))
                             : std::snprintf(key, sizeof(key), "miss:%llu",
                                             static_cast<unsigned long long>(k % o.keys));
      std::string_view k_view(key, len);
      uint64_t v0 = StoreAdapter::table_version(store.ks, k_view);
      auto t0 = Clock::now();
      bool found = StoreAdapter::find(store.ks, k_view, now);
      uint64_t ns = ns_between(t0, Clock::now());
      bool across = StoreAdapter::table_version(store.ks, k_view) != v0;
      if (want_present) {
        r.present.add(ns, across);
        if (!found) r.present_not_found++;
      } else {
        r.missing.add(ns, across);
      }
    }
  }
  store.epochs.leave(p);
}

double us(uint64_t ns) {
  return static_cast<double>(ns) / 1000.0;
}

void print_text(const char* name, const Histogram& h) {
  std::printf(
      " | %s p50=%.2f p99=%.2f p99.9=%.2f max=%.1f us (not across a resize: %.1f), >1ms=%llu "
      "(%llu across a resize)",
      name, us(h.quantile(0.5)), us(h.quantile(0.99)), us(h.quantile(0.999)), us(h.max()),
      us(h.max_other()), static_cast<unsigned long long>(h.over_1ms()),
      static_cast<unsigned long long>(h.over_1ms_resize()));
}

void print_json(const char* name, const Histogram& h) {
  std::printf(
      ",\"%s\":{\"lookups\":%llu,\"p50_us\":%.3f,\"p99_us\":%.3f,\"p999_us\":%.3f,"
      "\"max_us\":%.1f,\"max_not_across_resize_us\":%.1f,\"over_1ms\":%llu,"
      "\"over_1ms_across_resize\":%llu}",
      name, static_cast<unsigned long long>(h.count()), us(h.quantile(0.5)), us(h.quantile(0.99)),
      us(h.quantile(0.999)), us(h.max()), us(h.max_other()),
      static_cast<unsigned long long>(h.over_1ms()),
      static_cast<unsigned long long>(h.over_1ms_resize()));
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  StoreAdapter store(o.shard_bits);
  std::atomic<uint64_t> inserted{0};
  std::atomic<bool> done{false};
  Histogram inserts;
  std::vector<ProberResult> results(o.probers);

  std::vector<std::thread> probers;
  for (unsigned i = 0; i < o.probers; i++)
    probers.emplace_back(prober, std::ref(store), std::cref(o), i, std::cref(done),
                         std::cref(inserted), std::ref(results[i]));
  auto t0 = Clock::now();
  std::thread load(loader, std::ref(store), std::cref(o), std::ref(inserted), std::ref(inserts));
  load.join();
  double load_s = static_cast<double>(ns_between(t0, Clock::now())) / 1e9;
  done.store(true, std::memory_order_relaxed);
  for (auto& t : probers) t.join();

  ProberResult all;
  for (auto& r : results) {
    all.present.merge(r.present);
    all.missing.merge(r.missing);
    all.present_not_found += r.present_not_found;
  }
  uint64_t lookups = all.present.count() + all.missing.count();
  uint64_t buckets = store.buckets();
  if (o.json) {
    std::printf(
        "{\"keys\":%llu,\"shard_bits\":%u,\"probers\":%u,\"buckets\":%llu,\"load_s\":%.3f,"
        "\"insert_max_us\":%.1f,\"inserts_over_1ms\":%llu,\"lookups\":%llu,"
        "\"present_not_found\":%llu",
        static_cast<unsigned long long>(o.keys), o.shard_bits, o.probers,
        static_cast<unsigned long long>(buckets), load_s, us(inserts.max()),
        static_cast<unsigned long long>(inserts.over_1ms()),
        static_cast<unsigned long long>(lookups),
        static_cast<unsigned long long>(all.present_not_found));
    print_json("present", all.present);
    print_json("missing", all.missing);
    std::printf("}\n");
  } else {
    std::printf(
        "N=%llu shard_bits=%u probers=%u buckets=%llu load=%.2fs insert_max=%.1fus "
        "inserts>1ms=%llu lookups=%llu",
        static_cast<unsigned long long>(o.keys), o.shard_bits, o.probers,
        static_cast<unsigned long long>(buckets), load_s, us(inserts.max()),
        static_cast<unsigned long long>(inserts.over_1ms()),
        static_cast<unsigned long long>(lookups));
    print_text("present", all.present);
    print_text("missing", all.missing);
    if (all.present_not_found)
      std::printf(" | PRESENT NOT FOUND=%llu",
                  static_cast<unsigned long long>(all.present_not_found));
    std::printf("\n");
  }
  std::fflush(stdout);
  return all.present_not_found ? 1 : 0;
}
