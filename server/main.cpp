// respite-server's entry point: redis-server's command line (`respite-server [conf] [--directive
// value ...]`, --version, --help), then one Server run until shutdown.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "server/config.h"
#include "server/server.h"
#include "storage/hash.h"

using respite::server::Config;
using respite::server::Server;

static void usage() {
  std::printf(
      "Usage: respite-server [/path/to/respite.conf] [options]\n"
      "       respite-server - (read config from stdin)\n"
      "       respite-server -v or --version\n"
      "       respite-server -h or --help\n\n"
      "Examples:\n"
      "       respite-server (run the server with default config)\n"
      "       respite-server conf/respite.conf\n"
      "       respite-server --port 7777\n"
      "       respite-server --port 7777 --threads 4 --maxmemory 1gb\n"
      "       respite-server conf/respite.conf --loglevel verbose\n\n"
      "Every directive of conf/respite.conf can be given as --directive value.\n");
}

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty()) {
    const std::string& a = args[0];
    if (a == "-v" || a == "--version") {
      std::printf("respite server v=%s redis_compat=%s malloc=mimalloc bits=64\n",
                  respite::server::kRespiteVersion, respite::server::kRedisVersion);
      return 0;
    }
    if (a == "-h" || a == "--help") {
      usage();
      return 0;
    }
  }
  Config config;
  std::string err = config.load_args(args);
  if (!err.empty()) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 1;
  }
  // Seed the key hash before the store and the workers exist (Redis seeds its dict hash likewise).
  respite::storage::set_hash_seed(respite::storage::random_hash_seed());
  Server server(&config);
  return server.run();
}
