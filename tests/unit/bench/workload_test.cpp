// Tests and templates: the default list's names and order, the RESP bytes of the requests,
// __rand_int__ substitution in place (12 zero-padded digits), and the key patterns.
#include <doctest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "bench/loadgen/keys.h"
#include "bench/loadgen/workload.h"

using namespace respite::bench;

namespace {

std::vector<std::string> names(const std::vector<TestSpec>& tests) {
  std::vector<std::string> out;
  for (const TestSpec& t : tests) out.push_back(t.name);
  return out;
}

Options with_tests(std::vector<std::string> tests) {
  Options o;
  o.tests = std::move(tests);
  return o;
}

// Fills a template's placeholders with consecutive values starting at `first`, as the client does.
std::string fill(const Template& t, uint64_t first) {
  std::string s = t.bytes;
  for (uint32_t at : t.rand_at) write_rand_digits(s.data() + at, first++);
  return s;
}

}  // namespace

TEST_CASE("the default test list is redis-benchmark 7.0's, in its order") {
  const std::vector<std::string> want{"PING_INLINE",
                                      "PING_MBULK",
                                      "SET",
                                      "GET",
                                      "INCR",
                                      "LPUSH",
                                      "RPUSH",
                                      "LPOP",
                                      "RPOP",
                                      "SADD",
                                      "HSET",
                                      "SPOP",
                                      "ZADD",
                                      "ZPOPMIN",
                                      "LPUSH (needed to benchmark LRANGE)",
                                      "LRANGE_100 (first 100 elements)",
                                      "LRANGE_300 (first 300 elements)",
                                      "LRANGE_500 (first 500 elements)",
                                      "LRANGE_600 (first 600 elements)",
                                      "MSET (10 keys)"};
  CHECK(names(build_tests(Options{})) == want);
}

TEST_CASE("-t selects by lowercased name, with redis-benchmark's groups") {
  CHECK(names(build_tests(with_tests({"get", "set"}))) == std::vector<std::string>{"SET", "GET"});
  CHECK(names(build_tests(with_tests({"ping"}))) ==
        std::vector<std::string>{"PING_INLINE", "PING_MBULK"});
  CHECK(names(build_tests(with_tests({"lrange_300"}))) ==
        std::vector<std::string>{"LPUSH (needed to benchmark LRANGE)",
                                 "LRANGE_300 (first 300 elements)"});
  CHECK(build_tests(with_tests({"lrange"})).size() == 5);
  CHECK(build_tests(with_tests({"nonesuch"})).empty());
}

TEST_CASE("requests are the bytes redis-benchmark sends") {
  Options o;
  o.data_size = 3;
  const std::string v = make_value(3);
  auto tests = build_tests(o);
  auto find = [&](std::string_view name) -> const TestSpec& {
    for (const TestSpec& t : tests) {
      if (t.name == name) return t;
    }
    FAIL("no test " << name);
    return tests[0];
  };
  CHECK(find("PING_INLINE").templates[0].bytes == "PING\r\n");
  CHECK(find("PING_MBULK").templates[0].bytes == "*1\r\n$4\r\nPING\r\n");
  CHECK(find("SET").templates[0].bytes ==
        "*3\r\n$3\r\nSET\r\n$16\r\nkey:__rand_int__\r\n$3\r\n" + v + "\r\n");
  CHECK(find("GET").templates[0].bytes == "*2\r\n$3\r\nGET\r\n$16\r\nkey:__rand_int__\r\n");
  CHECK(find("INCR").templates[0].bytes == "*2\r\n$4\r\nINCR\r\n$20\r\ncounter:__rand_int__\r\n");
  CHECK(find("ZADD").templates[0].bytes ==
        "*4\r\n$4\r\nZADD\r\n$6\r\nmyzset\r\n$1\r\n0\r\n$20\r\nelement:__rand_int__\r\n");
  CHECK(find("LRANGE_500 (first 500 elements)").templates[0].bytes ==
        "*4\r\n$6\r\nLRANGE\r\n$6\r\nmylist\r\n$1\r\n0\r\n$3\r\n499\r\n");
  CHECK(find("HSET").templates[0].bytes ==
        "*4\r\n$4\r\nHSET\r\n$6\r\nmyhash\r\n$20\r\nelement:__rand_int__\r\n$3\r\n" + v + "\r\n");
  // Without -r the placeholder is sent as it is: one key for the whole test.
  CHECK(find("SET").templates[0].rand_at.empty());
}

TEST_CASE("with -r every __rand_int__ is a 12-digit field filled in place") {
  Options o;
  o.keyspace = 1000;
  auto tests = build_tests(o);
  for (const TestSpec& t : tests) {
    const Template& tp = t.templates[0];
    size_t expect = 0;
    for (size_t at = 0; (at = tp.bytes.find("__rand_int__", at)) != std::string::npos; at += 12) {
      expect++;
    }
    CHECK_MESSAGE(tp.rand_at.size() == expect, t.name);
    for (uint32_t at : tp.rand_at) CHECK(tp.bytes.compare(at, 12, "__rand_int__") == 0);
    if (t.name == "MSET (10 keys)") CHECK(tp.rand_at.size() == 10);
    if (t.name == "ZADD") CHECK(tp.rand_at.size() == 2);  // the score too
    if (t.name == "SADD") CHECK(tp.rand_at.size() == 1);
  }
  const Template& get = tests[3].templates[0];
  REQUIRE(tests[3].name == "GET");
  CHECK(fill(get, 42) == "*2\r\n$3\r\nGET\r\n$16\r\nkey:000000000042\r\n");
}

TEST_CASE("write_rand_digits pads to 12 digits and wraps at 10^12") {
  char buf[13] = {};
  write_rand_digits(buf, 0);
  CHECK(std::string(buf) == "000000000000");
  write_rand_digits(buf, 7);
  CHECK(std::string(buf) == "000000000007");
  write_rand_digits(buf, 123456789012ULL);
  CHECK(std::string(buf) == "123456789012");
  write_rand_digits(buf, 1'000'000'000'005ULL);
  CHECK(std::string(buf) == "000000000005");
}

TEST_CASE("a command from the command line") {
  Options o;
  o.command = {"LPUSH", "mylist", "__rand_int__"};
  o.keyspace = 10;
  auto tests = build_tests(o);
  REQUIRE(tests.size() == 1);
  CHECK(tests[0].name == "LPUSH mylist __rand_int__");
  CHECK(fill(tests[0].templates[0], 9) ==
        "*3\r\n$5\r\nLPUSH\r\n$6\r\nmylist\r\n$12\r\n000000000009\r\n");

  SUBCASE("several placeholders in one argument, each its own number") {
    Options p;
    p.command = {"SET", "a__rand_int__b__rand_int__", "x"};
    p.keyspace = 100;
    auto t = build_tests(p);
    REQUIRE(t[0].templates[0].rand_at.size() == 2);
    CHECK(fill(t[0].templates[0], 1).find("a000000000001b000000000002") != std::string::npos);
  }
  SUBCASE("-t is ignored") {
    Options p;
    p.command = {"PING"};
    p.tests = {"set"};
    CHECK(build_tests(p).size() == 1);
  }
}

TEST_CASE("--ratio builds one mixed test") {
  Options o;
  o.ratio_set = 1;
  o.ratio_get = 10;
  o.keyspace = 100;
  auto tests = build_tests(o);
  REQUIRE(tests.size() == 1);
  CHECK(tests[0].name == "SET:GET 1:10");
  REQUIRE(tests[0].templates.size() == 2);
  CHECK(tests[0].templates[0].bytes.starts_with("*3\r\n$3\r\nSET\r\n"));
  CHECK(tests[0].templates[1].bytes.starts_with("*2\r\n$3\r\nGET\r\n"));
  REQUIRE(tests[0].sequence.size() == 11);
  int sets = 0;
  for (uint8_t s : tests[0].sequence) sets += s == 0;
  CHECK(sets == 1);
}

TEST_CASE("values are deterministic and of the asked size") {
  CHECK(make_value(1024).size() == 1024);
  CHECK(make_value(1024) == make_value(1024));
  CHECK(make_value(3) == make_value(1024).substr(0, 3));
  const std::string big = make_value(1024);
  std::set<char> distinct(big.begin(), big.end());
  CHECK(distinct.size() > 20);  // not one repeated byte: compression must not flatter a server
}

TEST_CASE("uniform keys stay in range and cover it") {
  Options o;
  o.keyspace = 100;
  KeyGenerator g(o, 1, 0, 1);
  std::set<uint64_t> seen;
  for (int i = 0; i < 10000; i++) {
    const uint64_t k = g.next();
    REQUIRE(k < 100);
    seen.insert(k);
  }
  CHECK(seen.size() == 100);
}

TEST_CASE("sequential keys fill a keyspace exactly once per lap") {
  Options o;
  o.keyspace = 10;
  o.key_pattern = KeyPattern::kSequential;
  KeyGenerator g(o, 1, 0, 1);
  for (uint64_t i = 0; i < 25; i++) CHECK(g.next() == i % 10);
  KeyGenerator lane1(o, 1, 1, 2);  // two event loops interleave: this one takes odd keys
  CHECK(lane1.next() == 1);
  CHECK(lane1.next() == 3);
}

TEST_CASE("zipf keys follow 1/k^s") {
  Options o;
  o.keyspace = 1000;
  o.key_pattern = KeyPattern::kZipf;
  o.zipf_exponent = 0.99;
  KeyGenerator g(o, 7, 0, 1);
  const int draws = 400'000;
  std::map<uint64_t, int> counts;
  for (int i = 0; i < draws; i++) {
    const uint64_t k = g.next();
    REQUIRE(k < 1000);
    counts[k]++;
  }
  double norm = 0;
  for (int k = 1; k <= 1000; k++) norm += std::pow(k, -0.99);
  for (uint64_t rank : {0, 1, 2, 9, 99}) {
    const double want = std::pow(static_cast<double>(rank + 1), -0.99) / norm * draws;
    const double got = counts[rank];
    // Five standard deviations of a binomial count.
    CHECK_MESSAGE(std::abs(got - want) < 5 * std::sqrt(want) + 1, "rank " << rank);
  }
  SUBCASE("exponent 1 exactly (the closed form divides by zero there)") {
    Options p = o;
    p.zipf_exponent = 1.0;
    KeyGenerator h(p, 3, 0, 1);
    int zero = 0;
    for (int i = 0; i < 100'000; i++) zero += h.next() == 0;
    double hn = 0;
    for (int k = 1; k <= 1000; k++) hn += 1.0 / k;
    CHECK(std::abs(zero - 100'000 / hn) < 5 * std::sqrt(100'000 / hn));
  }
}

TEST_CASE("-t multi: MULTI, SET and EXEC in one template, three replies per request") {
  CHECK(names(build_tests(Options{})).size() == names(build_tests(with_tests({}))).size());
  for (const std::string& n : names(build_tests(Options{}))) CHECK(n != "MULTI/SET/EXEC");
  Options o = with_tests({"multi"});
  o.keyspace = 1000;
  o.data_size = 3;
  auto tests = build_tests(o);
  REQUIRE(tests.size() == 1);
  CHECK(tests[0].name == "MULTI/SET/EXEC");
  CHECK(tests[0].replies_per_request == 3);
  REQUIRE(tests[0].templates.size() == 1);
  const Template& t = tests[0].templates[0];
  REQUIRE(t.rand_at.size() == 1);
  CHECK(fill(t, 7) == "*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000007\r\n$3\r\n" +
                          make_value(3) + "\r\n*1\r\n$4\r\nEXEC\r\n");
  // Every other test is one reply per request.
  for (const TestSpec& s : build_tests(Options{})) CHECK(s.replies_per_request == 1);
}
