// Command-line parsing for respite-benchmark: redis-benchmark 7.0's options with its defaults and
// clamping rules, plus respite's extras. Numbers are checked strictly (redis-benchmark's atoi turns
// "-n 10k" into 10 without a word; a load test that silently runs the wrong size is worse than an
// error). Options redis-benchmark has but we do not (TLS, cluster, idle mode, RESP3) are refused by
// name rather than ignored, so nobody reads numbers from a mode that did not run.
#include "bench/loadgen/args.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace respite::bench {
namespace {

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

template <typename T>
bool parse_int(std::string_view s, T& out) {
  if (s.empty()) return false;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc() && ptr == end;
}

bool parse_double(std::string_view s, double& out) {
  if (s.empty()) return false;
  std::string copy(s);  // strtod needs a terminator
  char* end = nullptr;
  out = std::strtod(copy.c_str(), &end);
  return end == copy.c_str() + copy.size() && std::isfinite(out);
}

std::vector<std::string> split_tests(std::string_view list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    if (comma > start) out.push_back(lowercase(list.substr(start, comma - start)));
    start = comma + 1;
  }
  return out;
}

// Options of redis-benchmark that we refuse: running without them would mislead.
bool unsupported(std::string_view w) {
  static constexpr std::string_view kNames[] = {"-u",
                                                "-3",
                                                "-I",
                                                "--cluster",
                                                "--enable-tracking",
                                                "--tls",
                                                "--sni",
                                                "--cacert",
                                                "--cacertdir",
                                                "--insecure",
                                                "--cert",
                                                "--key",
                                                "--tls-ciphers",
                                                "--tls-ciphersuites"};
  return std::find(std::begin(kNames), std::end(kNames), w) != std::end(kNames);
}

}  // namespace

double parse_duration(std::string_view text) {
  double scale = 1;
  std::string_view num = text;
  if (num.ends_with("ms")) {
    scale = 1e-3;
    num.remove_suffix(2);
  } else if (num.ends_with("s")) {
    num.remove_suffix(1);
  } else if (num.ends_with("m")) {
    scale = 60;
    num.remove_suffix(1);
  } else if (num.ends_with("h")) {
    scale = 3600;
    num.remove_suffix(1);
  }
  double v = 0;
  if (!parse_double(num, v) || v <= 0) return -1;
  return v * scale;
}

ParseOutcome parse_args(const std::vector<std::string_view>& words, Options& o,
                        std::vector<std::string>* warnings) {
  auto fail = [](std::string msg) { return ParseOutcome{ParseOutcome::kError, std::move(msg)}; };
  const size_t n = words.size();
  size_t i = 0;
  for (; i < n; i++) {
    std::string_view w = words[i];
    const bool has_value = i + 1 < n;
    // Every option below that takes a value reads it through `value`, which checks that it exists.
    std::string_view v;
    auto value = [&]() {
      if (!has_value) return false;
      v = words[++i];
      return true;
    };
    auto bad_number = [&]() {
      return fail("bad number for " + std::string(w) + ": '" + std::string(v) + "'");
    };

    if (w == "--help") return ParseOutcome{ParseOutcome::kHelp, {}};
    if (w == "--version") return ParseOutcome{ParseOutcome::kVersion, {}};
    if (w == "-q") {
      o.quiet = true;
    } else if (w == "--csv") {
      o.csv = true;
    } else if (w == "--json") {
      o.json = true;
    } else if (w == "-l") {
      o.loop = true;
    } else if (w == "-e") {
      o.show_errors = true;
    } else if (w == "-x") {
      o.last_arg_stdin = true;
    } else if (w == "-h" || w == "-p" || w == "-s" || w == "-a" || w == "--user" || w == "-c" ||
               w == "-n" || w == "-d" || w == "-r" || w == "-P" || w == "-k" || w == "-t" ||
               w == "--threads" || w == "--dbnum" || w == "--precision" || w == "--seed" ||
               w == "--ratio" || w == "--key-pattern" || w == "--zipf-exponent" ||
               w == "--duration") {
      if (!value()) return fail("option " + std::string(w) + " needs a value");
      if (w == "-h") {
        o.host = std::string(v);
      } else if (w == "-p") {
        if (!parse_int(v, o.port) || o.port < 1 || o.port > 65535) return bad_number();
      } else if (w == "-s") {
        o.socket = std::string(v);
      } else if (w == "-a") {
        o.password = std::string(v);
      } else if (w == "--user") {
        o.user = std::string(v);
      } else if (w == "-c") {
        if (!parse_int(v, o.clients) || o.clients < 1) return bad_number();
      } else if (w == "-n") {
        int64_t req = 0;
        if (!parse_int(v, req) || req < 0) return bad_number();
        o.requests = static_cast<uint64_t>(req);
      } else if (w == "-d") {
        int64_t d = 0;
        if (!parse_int(v, d)) return bad_number();
        // redis-benchmark's clamping: at least one byte, at most 1 GiB.
        o.data_size = static_cast<int>(std::clamp<int64_t>(d, 1, int64_t{1} << 30));
      } else if (w == "-r") {
        int64_t r = 0;
        if (!parse_int(v, r)) return bad_number();
        o.keyspace = r < 0 ? 0 : static_cast<uint64_t>(r);
      } else if (w == "-P") {
        if (!parse_int(v, o.pipeline)) return bad_number();
        if (o.pipeline <= 0) o.pipeline = 1;
      } else if (w == "-k") {
        int k = 0;
        if (!parse_int(v, k)) return bad_number();
        o.keepalive = k != 0;
      } else if (w == "-t") {
        o.tests = split_tests(v);
      } else if (w == "--threads") {
        if (!parse_int(v, o.threads)) return bad_number();
        o.threads = std::clamp(o.threads, 0, 500);  // redis-benchmark's MAX_THREADS
      } else if (w == "--dbnum") {
        if (!parse_int(v, o.dbnum) || o.dbnum < 0) return bad_number();
      } else if (w == "--precision") {
        if (!parse_int(v, o.precision)) return bad_number();
        o.precision = std::clamp(o.precision, 0, 6);
      } else if (w == "--seed") {
        if (!parse_int(v, o.seed)) return bad_number();
      } else if (w == "--ratio") {
        size_t colon = v.find(':');
        if (colon == std::string_view::npos || !parse_int(v.substr(0, colon), o.ratio_set) ||
            !parse_int(v.substr(colon + 1), o.ratio_get) || o.ratio_set < 0 || o.ratio_get < 0 ||
            o.ratio_set + o.ratio_get == 0 || o.ratio_set + o.ratio_get > 1000000) {
          return fail("--ratio wants SET:GET, e.g. 1:10");
        }
      } else if (w == "--key-pattern") {
        std::string p = lowercase(v);
        if (p == "uniform" || p == "random") {
          o.key_pattern = KeyPattern::kUniform;
        } else if (p == "zipf") {
          o.key_pattern = KeyPattern::kZipf;
        } else if (p == "sequential") {
          o.key_pattern = KeyPattern::kSequential;
        } else {
          return fail("--key-pattern wants uniform, zipf or sequential");
        }
      } else if (w == "--zipf-exponent") {
        if (!parse_double(v, o.zipf_exponent) || o.zipf_exponent <= 0 || o.zipf_exponent > 10) {
          return bad_number();
        }
      } else if (w == "--duration") {
        o.duration_s = parse_duration(v);
        if (o.duration_s <= 0) return fail("--duration wants e.g. 10s, 500ms, 2m");
      }
    } else if (unsupported(w)) {
      return fail("option " + std::string(w) + " is not supported by respite-benchmark");
    } else if (!w.empty() && w[0] == '-') {
      return fail("unknown option " + std::string(w));
    } else {
      break;  // the command to benchmark starts here
    }
  }
  for (; i < n; i++) o.command.emplace_back(words[i]);

  if (!o.user.empty() && o.password.empty()) return fail("--user needs -a");
  if (o.key_pattern != KeyPattern::kUniform && o.keyspace == 0) {
    return fail("--key-pattern needs -r <keyspacelen>");
  }
  if (o.ratio_set + o.ratio_get > 0 && !o.command.empty()) {
    return fail("--ratio and a command on the command line exclude each other");
  }
  if (o.last_arg_stdin && o.command.empty()) return fail("-x needs a command to append to");
  if (warnings && !o.keepalive) {
    warnings->push_back(
        "WARNING: Keepalive disabled. You probably need 'echo 1 > "
        "/proc/sys/net/ipv4/tcp_tw_reuse' for Linux in order to use a lot of clients/requests");
  }
  return {};
}

bool test_selected(const Options& opt, std::string_view selector) {
  if (opt.tests.empty()) return true;
  return std::find(opt.tests.begin(), opt.tests.end(), selector) != opt.tests.end();
}

std::string help_text() {
  return R"(Usage: respite-benchmark [OPTIONS] [COMMAND ARGS...]

Options (the same as redis-benchmark's):
 -h <hostname>      Server hostname (default 127.0.0.1)
 -p <port>          Server port (default 6379)
 -s <socket>        Server socket (overrides host and port)
 -a <password>      Password for Redis Auth
 --user <username>  Used to send ACL style 'AUTH username pass'. Needs -a.
 -c <clients>       Number of parallel connections (default 50)
 -n <requests>      Total number of requests (default 100000)
 -d <size>          Data size of SET/GET value in bytes (default 3)
 --dbnum <db>       SELECT the specified db number (default 0)
 --threads <num>    Enable multi-thread mode: <num> event loops, connections spread over them.
 -k <boolean>       1=keep alive 0=reconnect (default 1)
 -r <keyspacelen>   Use random keys for SET/GET/INCR, random values for SADD,
                    random members and scores for ZADD.
                    Using this option the benchmark will expand the string
                    __rand_int__ inside an argument with a 12 digits number in
                    the specified range from 0 to keyspacelen-1. The
                    substitution changes every time a command is executed.
                    Default tests use this to hit random keys in the specified
                    range.
                    Note: If -r is omitted, all commands in a benchmark will
                    use the same key.
 -P <numreq>        Pipeline <numreq> requests. Default 1 (no pipeline).
 -e                 If server replies with errors, show them on stderr.
                    (Errors are always counted; see --json.)
 -q                 Quiet. Just show query/sec values
 --precision        Number of decimal places to display in latency output (default 3)
 --csv              Output in CSV format
 -l                 Loop. Run the tests forever
 -t <tests>         Only run the comma separated list of tests. The test
                    names are the same as the ones produced as output.
                    The -t option is ignored if a specific command is supplied
                    on the command line.
 -x                 Read last argument from STDIN.
 --help             Output this help and exit.
 --version          Output version and exit.

respite extras:
 --json             One JSON document with every test's results, for scripts.
 --duration <time>  Run each test for this long (10s, 500ms, 2m) instead of -n requests.
 --ratio <S:G>      Run one mixed test instead of the default list: S SETs for every G GETs
                    on "key:__rand_int__" (needs -r to spread keys).
 --key-pattern <p>  How __rand_int__ picks numbers: uniform (default), zipf (rank k drawn with
                    probability ~ 1/k^s; 0 is the hottest) or sequential (0, 1, 2, ... per
                    event loop: fills a keyspace exactly once with -n = -r).
 --zipf-exponent <s> Skew of --key-pattern zipf (default 0.99).
 --seed <n>         Seed of the random numbers (default: from the clock).
 -t multi           MULTI, SET key:__rand_int__ <value>, EXEC sent as one request and counted
                    once (only when named: the default list is redis-benchmark's).

How to read the numbers:
 Each connection keeps -P requests in flight: it writes a batch of -P requests, waits for
 every reply, then writes the next batch (as redis-benchmark does). A request's latency runs
 from the write of its batch to the read that completed its reply.
 This is a closed loop: when the server stalls, clients stop sending, so the stall is counted
 once, not for the requests that would have been sent meanwhile (coordinated omission).
 Latency percentiles therefore understate what an open-loop load at the same rate would see;
 use them to compare servers under the same client, not as a service-level promise.
 Latencies are kept in a log-linear histogram (128 linear buckets per power of two of
 nanoseconds): percentiles are exact to within 0.8%; min, max and avg are exact.

Examples:
 respite-benchmark -t set,get -n 1000000 -P 16 -c 50
 respite-benchmark -r 100000 --ratio 1:10 --key-pattern zipf --duration 10s --json
 respite-benchmark -n 1000 -r 10000 LPUSH mylist __rand_int__
)";
}

}  // namespace respite::bench
