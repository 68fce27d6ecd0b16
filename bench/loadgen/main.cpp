// respite-benchmark: a load generator that takes redis-benchmark's command line and prints its
// reports, built to cost the client as little CPU as possible so that the server is what gets
// measured. This file is only the glue: parse options, ask the server for the two CONFIG values the
// default report shows, run the tests in order (forever with -l) and print each result in the
// chosen format. The live progress line is drawn only on a terminal, so piped and redirected output
// (CSV, JSON, the -q lines) carries no carriage-return noise.
#include <hiredis/hiredis.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "bench/loadgen/args.h"
#include "bench/loadgen/client.h"
#include "bench/loadgen/report.h"
#include "bench/loadgen/workload.h"

namespace respite::bench {
namespace {

constexpr const char* kVersion = "0.1.0";

// CONFIG GET save / appendonly over a short-lived hiredis connection, as redis-benchmark does.
ServerConfig fetch_config(const Options& opt) {
  ServerConfig cfg;
  const timeval timeout{2, 0};
  redisContext* c = opt.socket.empty()
                        ? redisConnectWithTimeout(opt.host.c_str(), opt.port, timeout)
                        : redisConnectUnixWithTimeout(opt.socket.c_str(), timeout);
  if (!c || c->err) {
    if (c) redisFree(c);
    return cfg;
  }
  auto command = [&](const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const std::string& a : args) {
      argv.push_back(a.c_str());
      lens.push_back(a.size());
    }
    return static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()));
  };
  bool ok = true;
  if (!opt.password.empty()) {
    std::vector<std::string> auth{"AUTH"};
    if (!opt.user.empty()) auth.push_back(opt.user);
    auth.push_back(opt.password);
    redisReply* r = command(auth);
    ok = r && r->type != REDIS_REPLY_ERROR;
    if (r) freeReplyObject(r);
  }
  std::string values[2];
  const char* names[2] = {"save", "appendonly"};
  for (int i = 0; ok && i < 2; i++) {
    redisReply* r = command({"CONFIG", "GET", names[i]});
    ok = r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
         r->element[1]->type == REDIS_REPLY_STRING;
    if (ok) values[i].assign(r->element[1]->str, r->element[1]->len);
    if (r) freeReplyObject(r);
  }
  redisFree(c);
  if (ok) {
    cfg.known = true;
    cfg.save = values[0];
    cfg.appendonly = values[1];
  }
  return cfg;
}

struct ProgressLine {
  bool enabled = false;
  size_t width = 0;
  uint64_t prev_finished = 0;
  uint64_t prev_latency = 0;
  double prev_elapsed = 0;

  void show(const std::string& name, const Progress& p) {
    const double dt = p.elapsed_s - prev_elapsed;
    const uint64_t dn = p.finished - prev_finished;
    const double rps = dt > 0 ? static_cast<double>(dn) / dt : 0;
    const double overall = p.elapsed_s > 0 ? static_cast<double>(p.finished) / p.elapsed_s : 0;
    const double avg = dn ? static_cast<double>(p.latency_ns - prev_latency) / dn / 1e6 : 0;
    const double avg_all = p.finished ? static_cast<double>(p.latency_ns) / p.finished / 1e6 : 0;
    char buf[512];
    const int n =
        std::snprintf(buf, sizeof buf, "%s: rps=%.1f (overall: %.1f) avg_msec=%.3f (overall: %.3f)",
                      name.c_str(), rps, overall, avg, avg_all);
    clear();
    std::fputs(buf, stdout);
    std::fflush(stdout);
    width = n > 0 ? static_cast<size_t>(n) : 0;
    prev_finished = p.finished;
    prev_latency = p.latency_ns;
    prev_elapsed = p.elapsed_s;
  }
  void clear() {
    if (width == 0) return;
    std::printf("\r%*s\r", static_cast<int>(width), "");
    width = 0;
  }
  void restart() {
    clear();
    prev_finished = prev_latency = 0;
    prev_elapsed = 0;
  }
};

// Writes a result; false when stdout is gone (SIGPIPE is ignored for the sockets' sake, so a closed
// pipe shows up here, and -l must not keep running for nobody).
bool emit(const std::string& text) {
  std::fputs(text.c_str(), stdout);
  return std::fflush(stdout) == 0 && !std::ferror(stdout);
}

int run(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string_view> words(argv + 1, argv + argc);
  Options opt;
  std::vector<std::string> warnings;
  const ParseOutcome parsed = parse_args(words, opt, &warnings);
  switch (parsed.kind) {
    case ParseOutcome::kHelp:
      std::fputs(help_text().c_str(), stdout);
      return 0;
    case ParseOutcome::kVersion:
      std::printf("respite-benchmark %s\n", kVersion);
      return 0;
    case ParseOutcome::kError:
      std::fprintf(stderr, "respite-benchmark: %s\nTry 'respite-benchmark --help'.\n",
                   parsed.error.c_str());
      return 1;
    case ParseOutcome::kRun:
      break;
  }
  for (const std::string& w : warnings) std::fprintf(stderr, "%s\n", w.c_str());
  if (opt.last_arg_stdin) {
    opt.command.emplace_back(std::istreambuf_iterator<char>(std::cin),
                             std::istreambuf_iterator<char>());
  }

  const std::vector<TestSpec> tests = build_tests(opt);
  const bool plain = !opt.quiet && !opt.csv && !opt.json;
  ServerConfig cfg;
  if (plain) {
    cfg = fetch_config(opt);
    if (!cfg.known) std::fprintf(stderr, "WARNING: Could not fetch server CONFIG\n");
  }

  ProgressLine line;
  line.enabled = isatty(STDOUT_FILENO) && !opt.csv && !opt.json;
  if (opt.csv) std::fputs(csv_header().c_str(), stdout);

  do {
    std::vector<TestResult> results;
    for (const TestSpec& spec : tests) {
      TestResult r;
      std::string error;
      line.restart();
      std::function<void(const Progress&)> progress;
      if (line.enabled) progress = [&](const Progress& p) { line.show(spec.name, p); };
      const bool ok = run_test(opt, spec, r, error, progress);
      line.clear();
      if (!ok) {
        std::fflush(stdout);
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
      }
      if (r.errors > 0 && !opt.show_errors) {
        std::fprintf(stderr, "WARNING: %s: %llu of %llu replies were errors (-e shows them)\n",
                     r.name.c_str(), static_cast<unsigned long long>(r.errors),
                     static_cast<unsigned long long>(r.requests));
      }
      if (opt.json) {
        results.push_back(std::move(r));
        continue;
      }
      const std::string text = opt.csv     ? format_csv(r, opt)
                               : opt.quiet ? format_quiet(r, opt)
                                           : format_default(r, opt, cfg);
      if (!emit(text)) return 1;
    }
    if (opt.json && !emit(format_json(results, opt))) return 1;
  } while (opt.loop);
  if (!opt.csv && !opt.json) std::fputs("\n", stdout);  // redis-benchmark ends with a blank line
  return 0;
}

}  // namespace
}  // namespace respite::bench

int main(int argc, char** argv) {
  return respite::bench::run(argc, argv);
}
