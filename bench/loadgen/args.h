// Command-line options of respite-benchmark.
//
// The parser accepts redis-benchmark 7.0's command line word for word (so that a user's scripts
// keep working when they swap the binary) and adds the options we need for the side-by-side
// harness:
// --ratio, --key-pattern, --duration, --json, --seed. Like redis-benchmark, the first word that is
// not an option starts the command to benchmark, and any other word starting with '-' is an error.
// Parsing is pure (a list of words in, an Options or an error message out) so that it is
// unit-tested without a process, a terminal or a server.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace respite::bench {

enum class KeyPattern { kUniform, kZipf, kSequential };

struct Options {
  // Where and how to connect.
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string socket;    // -s: a unix socket path; overrides host and port
  std::string password;  // -a
  std::string user;      // --user (needs -a)
  int dbnum = 0;         // --dbnum: SELECTed on every connection when not 0

  // The load.
  int clients = 50;                  // -c
  uint64_t requests = 100000;        // -n
  int data_size = 3;                 // -d
  uint64_t keyspace = 0;             // -r: 0 leaves __rand_int__ as it is
  int pipeline = 1;                  // -P
  bool keepalive = true;             // -k
  int threads = 0;                   // --threads: 0 is one event loop and "multi-thread: no"
  std::vector<std::string> tests;    // -t, lowercased; empty runs every default test
  std::vector<std::string> command;  // a command given after the options

  // Output.
  bool quiet = false;  // -q
  bool csv = false;    // --csv
  bool json = false;   // --json
  int precision = 3;   // --precision: decimals of latencies in ms
  bool show_errors = false;
  bool loop = false;            // -l
  bool last_arg_stdin = false;  // -x

  // respite extras.
  uint64_t seed = 0;  // --seed: 0 picks one from the clock
  int ratio_set = 0;  // --ratio SET:GET; both 0 when not given
  int ratio_get = 0;
  KeyPattern key_pattern = KeyPattern::kUniform;
  double zipf_exponent = 0.99;  // --zipf-exponent, YCSB's default skew
  double duration_s = 0;        // --duration: run each test this long instead of -n requests

  bool threaded() const { return threads > 0; }
  int worker_count() const { return threads > 0 ? threads : 1; }
};

struct ParseOutcome {
  enum Kind { kRun, kHelp, kVersion, kError } kind = kRun;
  std::string error;  // for kError: one line, without "Invalid option" decoration
};

// Parses the words after argv[0]. Warnings that redis-benchmark prints (and that do not stop the
// run) are appended to `warnings`.
ParseOutcome parse_args(const std::vector<std::string_view>& words, Options& out,
                        std::vector<std::string>* warnings = nullptr);

// "10s", "500ms", "2m", "1.5" (seconds). Returns a negative number when the text is not a duration.
double parse_duration(std::string_view text);

// Whether a default test (by its lowercased selector, e.g. "lrange_100") is selected by -t.
bool test_selected(const Options& opt, std::string_view selector);

// The --help text: redis-benchmark's options, then ours, then what the numbers mean.
std::string help_text();

}  // namespace respite::bench
