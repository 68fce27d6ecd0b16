// differential_test: starts the server under test ($RESPITE_SERVER_BIN, else this build's
// respite-server) and the reference ($RESPITE_REFERENCE_BIN, else /usr/bin/redis-server) on free
// ports, then runs seeded random command streams against both and compares every reply.
//   RESPITE_DIFF_SEED   one seed, or a comma-separated list (default: 1..RESPITE_DIFF_SEEDS)
//   RESPITE_DIFF_SEEDS  how many seeds when no seed is given (default 5)
//   RESPITE_DIFF_COUNT  commands per seed (default 3000)
//   RESPITE_DIFF_TRACE  if set, print every command and the reference's reply
// Pointing RESPITE_SERVER_BIN at redis-server checks the harness itself: any mismatch then means
// the generator emitted a command whose reply is not deterministic.
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <sstream>

#include "tests/differential/harness.h"

using namespace respite;

namespace {

long long env_int(const char* name, long long fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::strtoll(v, nullptr, 10);
}

std::vector<uint64_t> seeds_from_env() {
  std::vector<uint64_t> seeds;
  const char* list = std::getenv("RESPITE_DIFF_SEED");
  if (list != nullptr && *list != '\0') {
    std::stringstream ss(list);
    std::string item;
    while (std::getline(ss, item, ',')) {
      if (!item.empty()) seeds.push_back(std::strtoull(item.c_str(), nullptr, 10));
    }
    return seeds;
  }
  long long n = env_int("RESPITE_DIFF_SEEDS", 5);
  for (long long s = 1; s <= n; ++s) seeds.push_back(static_cast<uint64_t>(s));
  return seeds;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) {
    std::cerr << "usage: differential_test (configured by environment variables; see the source "
                 "header)\n";
    return 2;
  }
  const std::vector<uint64_t> seeds = seeds_from_env();
  const int count = static_cast<int>(env_int("RESPITE_DIFF_COUNT", 3000));
  try {
    // Both get the same explicit database count and encoding thresholds, so SELECT and MOVE
    // limits and OBJECT ENCODING agree by construction (redis-server without a config file uses
    // its compiled-in hash-max-listpack-entries 512; redis.conf and respite use 128).
    auto options = [] {
      return test::ServerOptions()
          .set("databases", "16")
          .set("hash-max-listpack-entries", "128")
          .set("hash-max-listpack-value", "64")
          .set("set-max-intset-entries", "512")
          .set("zset-max-listpack-entries", "128")
          .set("zset-max-listpack-value", "64")
          .set("list-max-listpack-size", "-2");
    };
    test::ServerProcess under_test(test::server_binary(), options());
    test::ServerProcess reference(test::reference_binary(), options());
    std::cout << "server under test: " << under_test.binary() << " (port " << under_test.port()
              << ")\nreference: " << reference.binary() << " (port " << reference.port() << ")\n";
    const long long base_time_s = static_cast<long long>(std::time(nullptr));
    for (uint64_t seed : seeds) {
      auto start = std::chrono::steady_clock::now();
      diff::SeedResult r =
          diff::run_seed(under_test, reference, seed, count, base_time_s, std::cout);
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - start)
                    .count();
      if (!r.ok) {
        std::cout << "FAILED at seed " << seed << " after " << r.commands << " matching commands\n";
        return 1;
      }
      std::cout << "seed " << seed << ": " << r.commands << " commands, all replies equal (" << ms
                << " ms)\n";
    }
  } catch (const std::exception& e) {
    std::cout << "differential_test: " << e.what() << "\n";
    return 1;
  }
  std::cout << "OK: " << seeds.size() << " seeds x " << count << " commands\n";
  return 0;
}
