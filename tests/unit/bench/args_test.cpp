// respite-benchmark's command line: redis-benchmark's options and defaults, where the command
// starts, clamping, refusals, and respite's extras (--ratio, --duration, --key-pattern, --json).
#include <doctest.h>

#include <string>
#include <vector>

#include "bench/loadgen/args.h"

using namespace respite::bench;

namespace {

ParseOutcome parse(std::vector<std::string_view> words, Options& o) {
  return parse_args(words, o);
}

}  // namespace

TEST_CASE("defaults are redis-benchmark's") {
  Options o;
  REQUIRE(parse({}, o).kind == ParseOutcome::kRun);
  CHECK(o.host == "127.0.0.1");
  CHECK(o.port == 6379);
  CHECK(o.clients == 50);
  CHECK(o.requests == 100000);
  CHECK(o.data_size == 3);
  CHECK(o.pipeline == 1);
  CHECK(o.keepalive);
  CHECK(o.keyspace == 0);
  CHECK(o.threads == 0);
  CHECK_FALSE(o.threaded());
  CHECK(o.worker_count() == 1);
  CHECK(o.precision == 3);
  CHECK(o.tests.empty());
  CHECK(o.command.empty());
}

TEST_CASE("every redis-benchmark option") {
  Options o;
  auto r = parse({"-h",     "10.0.0.2",
                  "-p",     "7000",
                  "-a",     "pw",
                  "--user", "bob",
                  "-c",     "8",
                  "-n",     "1000000",
                  "-d",     "1024",
                  "-r",     "100000",
                  "-P",     "16",
                  "-k",     "0",
                  "-t",     "SET,Get,lrange_100",
                  "-q",     "-l",
                  "--csv",  "--threads",
                  "4",      "--dbnum",
                  "3",      "--precision",
                  "2",      "-e",
                  "--seed", "42"},
                 o);
  REQUIRE(r.kind == ParseOutcome::kRun);
  CHECK(o.host == "10.0.0.2");
  CHECK(o.port == 7000);
  CHECK(o.password == "pw");
  CHECK(o.user == "bob");
  CHECK(o.clients == 8);
  CHECK(o.requests == 1000000);
  CHECK(o.data_size == 1024);
  CHECK(o.keyspace == 100000);
  CHECK(o.pipeline == 16);
  CHECK_FALSE(o.keepalive);
  CHECK(o.tests == std::vector<std::string>{"set", "get", "lrange_100"});
  CHECK(o.quiet);
  CHECK(o.loop);
  CHECK(o.csv);
  CHECK(o.threads == 4);
  CHECK(o.threaded());
  CHECK(o.dbnum == 3);
  CHECK(o.precision == 2);
  CHECK(o.show_errors);
  CHECK(o.seed == 42);
}

TEST_CASE("a unix socket") {
  Options o;
  REQUIRE(parse({"-s", "/tmp/r.sock"}, o).kind == ParseOutcome::kRun);
  CHECK(o.socket == "/tmp/r.sock");
}

TEST_CASE("the first word that is not an option starts the command") {
  Options o;
  REQUIRE(parse({"-n", "1000", "LPUSH", "mylist", "__rand_int__"}, o).kind == ParseOutcome::kRun);
  CHECK(o.requests == 1000);
  CHECK(o.command == std::vector<std::string>{"LPUSH", "mylist", "__rand_int__"});

  SUBCASE("words after the command are its arguments, even if they look like options") {
    Options p;
    REQUIRE(parse({"-q", "SET", "k", "-1"}, p).kind == ParseOutcome::kRun);
    CHECK(p.command == std::vector<std::string>{"SET", "k", "-1"});
  }
  SUBCASE("eval with a script") {
    Options p;
    REQUIRE(parse({"-r", "10000", "eval", "return redis.call(\"ping\")", "0"}, p).kind ==
            ParseOutcome::kRun);
    CHECK(p.command.size() == 3);
    CHECK(p.keyspace == 10000);
  }
}

TEST_CASE("clamping follows redis-benchmark") {
  Options o;
  REQUIRE(parse({"-d", "0", "-P", "0", "--threads", "1000", "-r", "-5"}, o).kind ==
          ParseOutcome::kRun);
  CHECK(o.data_size == 1);
  CHECK(o.pipeline == 1);
  CHECK(o.threads == 500);
  CHECK(o.keyspace == 0);
  Options big;
  REQUIRE(parse({"-d", "5000000000"}, big).kind == ParseOutcome::kRun);
  CHECK(big.data_size == 1 << 30);
}

TEST_CASE("errors") {
  Options o;
  CHECK(parse({"-n"}, o).kind == ParseOutcome::kError);           // missing value
  CHECK(parse({"-n", "10k"}, o).kind == ParseOutcome::kError);    // not a number
  CHECK(parse({"-c", "0"}, o).kind == ParseOutcome::kError);      // no clients
  CHECK(parse({"-p", "70000"}, o).kind == ParseOutcome::kError);  // not a port
  CHECK(parse({"--bogus"}, o).kind == ParseOutcome::kError);
  CHECK(parse({"-Z"}, o).kind == ParseOutcome::kError);
  CHECK(parse({"--tls"}, o).kind == ParseOutcome::kError);  // refused, not ignored
  CHECK(parse({"--cluster"}, o).kind == ParseOutcome::kError);
  CHECK(parse({"--user", "bob"}, o).kind == ParseOutcome::kError);  // needs -a
  CHECK(parse({"-x"}, o).kind == ParseOutcome::kError);             // needs a command
  auto r = parse({"-n", "x"}, o);
  CHECK(r.error.find("-n") != std::string::npos);
}

TEST_CASE("help and version") {
  Options o;
  CHECK(parse({"--help"}, o).kind == ParseOutcome::kHelp);
  CHECK(parse({"-n", "5", "--version"}, o).kind == ParseOutcome::kVersion);
  const std::string help = help_text();
  for (const char* opt : {" -h ",
                          " -p ",
                          " -s ",
                          " -a ",
                          " --user ",
                          " -c ",
                          " -n ",
                          " -d ",
                          " -r ",
                          " -P ",
                          " -k ",
                          " -t ",
                          " -q ",
                          " -l ",
                          " --csv ",
                          " --threads ",
                          " --dbnum ",
                          " --precision ",
                          " -e ",
                          " -x ",
                          " --seed ",
                          " --ratio ",
                          " --key-pattern ",
                          " --duration ",
                          " --json "}) {
    CHECK_MESSAGE(help.find(opt) != std::string::npos, opt);
  }
  CHECK(help.find("coordinated omission") != std::string::npos);
}

TEST_CASE("--ratio") {
  Options o;
  REQUIRE(parse({"--ratio", "1:10", "-r", "1000"}, o).kind == ParseOutcome::kRun);
  CHECK(o.ratio_set == 1);
  CHECK(o.ratio_get == 10);
  for (std::string_view bad : {"1", "1:", ":3", "a:b", "0:0", "-1:3"}) {
    Options p;
    CHECK_MESSAGE(parse({"--ratio", bad}, p).kind == ParseOutcome::kError, bad);
  }
  Options q;
  CHECK(parse({"--ratio", "1:1", "GET", "k"}, q).kind == ParseOutcome::kError);
}

TEST_CASE("--duration") {
  CHECK(parse_duration("10s") == doctest::Approx(10));
  CHECK(parse_duration("10") == doctest::Approx(10));
  CHECK(parse_duration("500ms") == doctest::Approx(0.5));
  CHECK(parse_duration("2m") == doctest::Approx(120));
  CHECK(parse_duration("1.5s") == doctest::Approx(1.5));
  CHECK(parse_duration("1h") == doctest::Approx(3600));
  CHECK(parse_duration("") < 0);
  CHECK(parse_duration("s") < 0);
  CHECK(parse_duration("0s") < 0);
  CHECK(parse_duration("-3s") < 0);
  CHECK(parse_duration("ten") < 0);
  Options o;
  REQUIRE(parse({"--duration", "3s"}, o).kind == ParseOutcome::kRun);
  CHECK(o.duration_s == doctest::Approx(3));
  CHECK(parse({"--duration", "soon"}, o).kind == ParseOutcome::kError);
}

TEST_CASE("--key-pattern and --json") {
  Options o;
  REQUIRE(
      parse({"-r", "100", "--key-pattern", "ZIPF", "--zipf-exponent", "1.2", "--json"}, o).kind ==
      ParseOutcome::kRun);
  CHECK(o.key_pattern == KeyPattern::kZipf);
  CHECK(o.zipf_exponent == doctest::Approx(1.2));
  CHECK(o.json);
  Options s;
  REQUIRE(parse({"-r", "100", "--key-pattern", "sequential"}, s).kind == ParseOutcome::kRun);
  CHECK(s.key_pattern == KeyPattern::kSequential);
  Options bad;
  CHECK(parse({"--key-pattern", "zipf"}, bad).kind == ParseOutcome::kError);  // needs -r
  CHECK(parse({"-r", "5", "--key-pattern", "gauss"}, bad).kind == ParseOutcome::kError);
}

TEST_CASE("-k 0 warns like redis-benchmark") {
  Options o;
  std::vector<std::string> warnings;
  std::vector<std::string_view> words{"-k", "0"};
  REQUIRE(parse_args(words, o, &warnings).kind == ParseOutcome::kRun);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("Keepalive disabled") != std::string::npos);
}

TEST_CASE("test selection") {
  Options all;
  CHECK(test_selected(all, "set"));
  CHECK(test_selected(all, "lrange_600"));
  Options o;
  REQUIRE(parse({"-t", "set,LRANGE_100,"}, o).kind == ParseOutcome::kRun);
  CHECK(test_selected(o, "set"));
  CHECK(test_selected(o, "lrange_100"));
  CHECK_FALSE(test_selected(o, "get"));
  CHECK_FALSE(test_selected(o, "lrange"));
}
