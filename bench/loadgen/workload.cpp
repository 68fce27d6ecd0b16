// Building the tests: RESP encoding of the templates and redis-benchmark 7.0's default list. The
// commands and keys below were checked against what redis-benchmark 7.0.15 sends (MONITOR on a
// redis-server): e.g. ZADD's score is "0" unless -r is given, and LRANGE_500 asks for "0 499".
#include "bench/loadgen/workload.h"

#include <cstring>

namespace respite::bench {
namespace {

void append_decimal(std::string& out, uint64_t v) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) out.push_back(buf[--n]);
}

// Records the offset of every placeholder inside [start, start + len) of t.bytes.
void find_placeholders(Template& t, size_t start, size_t len) {
  std::string_view arg(t.bytes.data() + start, len);
  size_t at = 0;
  while ((at = arg.find(kRandPlaceholder, at)) != std::string_view::npos) {
    t.rand_at.push_back(static_cast<uint32_t>(start + at));
    at += kRandPlaceholder.size();
  }
}

TestSpec single(std::string name, const std::vector<std::string>& args, bool substitute) {
  TestSpec t;
  t.name = std::move(name);
  t.templates.push_back(encode_command(args, substitute));
  return t;
}

}  // namespace

Template encode_command(const std::vector<std::string>& args, bool substitute) {
  Template t;
  t.bytes.push_back('*');
  append_decimal(t.bytes, args.size());
  t.bytes += "\r\n";
  for (const std::string& a : args) {
    t.bytes.push_back('$');
    append_decimal(t.bytes, a.size());
    t.bytes += "\r\n";
    const size_t start = t.bytes.size();
    t.bytes += a;
    if (substitute) find_placeholders(t, start, a.size());
    t.bytes += "\r\n";
  }
  return t;
}

Template encode_inline(std::string_view line) {
  Template t;
  t.bytes.assign(line);
  t.bytes += "\r\n";
  return t;
}

std::string make_value(int size) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string v(static_cast<size_t>(size), 'x');
  // A fixed LCG: the same bytes on every run and for both servers, and not trivially compressible.
  uint32_t state = 0x2545F491u;
  for (char& c : v) {
    state = state * 1664525u + 1013904223u;
    c = kAlphabet[(state >> 24) % (sizeof(kAlphabet) - 1)];
  }
  return v;
}

std::vector<TestSpec> build_tests(const Options& opt) {
  const bool rnd = opt.keyspace > 0;
  std::vector<TestSpec> out;

  if (!opt.command.empty()) {
    std::string name;
    for (const std::string& a : opt.command) {
      if (!name.empty()) name.push_back(' ');
      name += a;
    }
    out.push_back(single(std::move(name), opt.command, rnd));
    return out;
  }

  const std::string data = make_value(opt.data_size);

  if (opt.ratio_set + opt.ratio_get > 0) {
    TestSpec t;
    t.name = "SET:GET " + std::to_string(opt.ratio_set) + ":" + std::to_string(opt.ratio_get);
    t.templates.push_back(encode_command({"SET", "key:__rand_int__", data}, rnd));
    t.templates.push_back(encode_command({"GET", "key:__rand_int__"}, rnd));
    t.sequence.assign(static_cast<size_t>(opt.ratio_set), 0);
    t.sequence.insert(t.sequence.end(), static_cast<size_t>(opt.ratio_get), 1);
    out.push_back(std::move(t));
    return out;
  }

  auto sel = [&](std::string_view s) { return test_selected(opt, s); };
  if (sel("ping_inline") || sel("ping")) {
    TestSpec t;
    t.name = "PING_INLINE";
    t.templates.push_back(encode_inline("PING"));
    out.push_back(std::move(t));
  }
  if (sel("ping_mbulk") || sel("ping")) out.push_back(single("PING_MBULK", {"PING"}, rnd));
  if (sel("set")) out.push_back(single("SET", {"SET", "key:__rand_int__", data}, rnd));
  if (sel("get")) out.push_back(single("GET", {"GET", "key:__rand_int__"}, rnd));
  if (sel("incr")) out.push_back(single("INCR", {"INCR", "counter:__rand_int__"}, rnd));
  if (sel("lpush")) out.push_back(single("LPUSH", {"LPUSH", "mylist", data}, rnd));
  if (sel("rpush")) out.push_back(single("RPUSH", {"RPUSH", "mylist", data}, rnd));
  if (sel("lpop")) out.push_back(single("LPOP", {"LPOP", "mylist"}, rnd));
  if (sel("rpop")) out.push_back(single("RPOP", {"RPOP", "mylist"}, rnd));
  if (sel("sadd")) out.push_back(single("SADD", {"SADD", "myset", "element:__rand_int__"}, rnd));
  if (sel("hset")) {
    out.push_back(single("HSET", {"HSET", "myhash", "element:__rand_int__", data}, rnd));
  }
  if (sel("spop")) out.push_back(single("SPOP", {"SPOP", "myset"}, rnd));
  if (sel("zadd")) {
    const std::string score = rnd ? "__rand_int__" : "0";
    out.push_back(single("ZADD", {"ZADD", "myzset", score, "element:__rand_int__"}, rnd));
  }
  if (sel("zpopmin")) out.push_back(single("ZPOPMIN", {"ZPOPMIN", "myzset"}, rnd));

  const bool lr100 = sel("lrange") || sel("lrange_100");
  const bool lr300 = sel("lrange") || sel("lrange_300");
  const bool lr500 = sel("lrange") || sel("lrange_500");
  const bool lr600 = sel("lrange") || sel("lrange_600");
  if (lr100 || lr300 || lr500 || lr600) {
    out.push_back(single("LPUSH (needed to benchmark LRANGE)", {"LPUSH", "mylist", data}, rnd));
  }
  if (lr100)
    out.push_back(single("LRANGE_100 (first 100 elements)", {"LRANGE", "mylist", "0", "99"}, rnd));
  if (lr300)
    out.push_back(single("LRANGE_300 (first 300 elements)", {"LRANGE", "mylist", "0", "299"}, rnd));
  if (lr500)
    out.push_back(single("LRANGE_500 (first 500 elements)", {"LRANGE", "mylist", "0", "499"}, rnd));
  if (lr600)
    out.push_back(single("LRANGE_600 (first 600 elements)", {"LRANGE", "mylist", "0", "599"}, rnd));

  if (!opt.tests.empty() && sel("multi")) {
    // One template holding three commands: the placeholders of the SET shift by MULTI's bytes.
    Template m = encode_command({"MULTI"}, rnd);
    Template set = encode_command({"SET", "key:__rand_int__", data}, rnd);
    Template exec = encode_command({"EXEC"}, rnd);
    for (uint32_t at : set.rand_at) m.rand_at.push_back(static_cast<uint32_t>(m.bytes.size()) + at);
    m.bytes += set.bytes + exec.bytes;
    TestSpec t;
    t.name = "MULTI/SET/EXEC";
    t.templates.push_back(std::move(m));
    t.replies_per_request = 3;
    out.push_back(std::move(t));
  }
  if (sel("mset")) {
    std::vector<std::string> args{"MSET"};
    for (int i = 0; i < 10; i++) {
      args.push_back("key:__rand_int__");
      args.push_back(data);
    }
    out.push_back(single("MSET (10 keys)", args, rnd));
  }
  return out;
}

}  // namespace respite::bench
