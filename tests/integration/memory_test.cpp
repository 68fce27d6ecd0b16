// What used_memory counts beyond the keys, and the MEMORY subcommands that report it, over the
// wire: MEMORY STATS has Redis 7.0's fields in Redis's order and shape (a flat array in RESP2 with
// a nested one per non-empty db, a map in RESP3) and keys.count is the sum of DBSIZE; MEMORY DOCTOR
// gives Redis's texts for an empty and a healthy instance; a client that pipelines GETs of a large
// value without reading makes used_memory (and mem_clients_normal) grow by the backlog, as does
// one whose query buffer holds a partial 10 MB bulk, and both figures come back down once the
// client has gone; under maxmemory such a backlog makes room by evicting keys. Waits poll INFO
// until a condition holds, with a deadline; there are no sleeps.
#include <sys/socket.h>

#include <string>
#include <vector>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

constexpr auto kDeadline = std::chrono::seconds(10);

long long mem(Fixture& f, const char* field) {
  return info_field(f.cmd({"INFO", "memory"}).str, field);
}

// Values that do not compress: respite would otherwise store them LZ4-compressed and hold less.
ServerOptions uncompressed() {
  ServerOptions o = workers(2);
  if (server_binary().find("redis-server") == std::string::npos)  // respite's own directive
    o.set("compression-threshold", "0");
  return o;
}

std::string big_value(size_t n) {
  std::string v(n, '\0');
  uint64_t x = 88172645463325252ull;
  for (char& ch : v) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    ch = static_cast<char>('a' + x % 26);
  }
  return v;
}

const std::vector<std::string> kStatsHead = {
    "peak.allocated", "total.allocated", "startup.allocated", "replication.backlog",
    "clients.slaves", "clients.normal",  "cluster.links",     "aof.buffer",
    "lua.caches",     "functions.caches"};
const std::vector<std::string> kStatsTail = {"overhead.total",
                                             "keys.count",
                                             "keys.bytes-per-key",
                                             "dataset.bytes",
                                             "dataset.percentage",
                                             "peak.percentage",
                                             "allocator.allocated",
                                             "allocator.active",
                                             "allocator.resident",
                                             "allocator-fragmentation.ratio",
                                             "allocator-fragmentation.bytes",
                                             "allocator-rss.ratio",
                                             "allocator-rss.bytes",
                                             "rss-overhead.ratio",
                                             "rss-overhead.bytes",
                                             "fragmentation",
                                             "fragmentation.bytes"};
// Fields Redis replies with addReplyDouble: a bulk string in RESP2.
bool is_double_field(const std::string& name) {
  return name.find("ratio") != std::string::npos || name.find("percentage") != std::string::npos ||
         name == "fragmentation";
}

}  // namespace

TEST_CASE("MEMORY STATS: Redis 7.0's fields, order and shape; keys.count is DBSIZE summed") {
  Fixture f;
  for (int i = 0; i < 50; i++) REQUIRE(f.cmd({"SET", "k" + std::to_string(i), "v"}) == OK());
  REQUIRE(f.cmd({"SELECT", "3"}) == OK());
  for (int i = 0; i < 7; i++)
    REQUIRE(f.cmd({"SET", "k" + std::to_string(i), "v", "EX", "100"}) == OK());
  long long keys = f.cmd({"DBSIZE"}).integer;
  REQUIRE(f.cmd({"SELECT", "0"}) == OK());
  keys += f.cmd({"DBSIZE"}).integer;

  Reply r = f.cmd({"MEMORY", "STATS"});
  REQUIRE(r.is_array());
  std::vector<std::string> expected = kStatsHead;
  expected.insert(expected.end(), {"db.0", "db.3"});
  expected.insert(expected.end(), kStatsTail.begin(), kStatsTail.end());
  REQUIRE(r.elements.size() == 2 * expected.size());
  for (size_t i = 0; i < expected.size(); i++) {
    CAPTURE(expected[i]);
    const Reply& name = r.elements[2 * i];
    const Reply& value = r.elements[2 * i + 1];
    CHECK(name == Reply::Str(expected[i]));
    if (expected[i].rfind("db.", 0) == 0) {
      REQUIRE(value.is_array());
      REQUIRE(value.elements.size() == 6);
      CHECK(value.elements[0] == Reply::Str("overhead.hashtable.main"));
      CHECK(value.elements[2] == Reply::Str("overhead.hashtable.expires"));
      CHECK(value.elements[4] == Reply::Str("overhead.hashtable.slot-to-keys"));
      for (int j : {1, 3, 5}) CHECK(value.elements[j].type == Reply::Type::kInteger);
    } else if (is_double_field(expected[i])) {
      CHECK(value.type == Reply::Type::kString);
    } else {
      CHECK(value.type == Reply::Type::kInteger);
    }
    if (expected[i] == "keys.count") CHECK(value.integer == keys);
  }
  // The dataset and the overhead add up to the total, as in Redis.
  auto field = [&](const std::string& n) {
    for (size_t i = 0; i + 1 < r.elements.size(); i += 2)
      if (r.elements[i].str == n) return r.elements[i + 1].integer;
    return -1ll;
  };
  CHECK(field("dataset.bytes") + field("overhead.total") == field("total.allocated"));
  CHECK(field("peak.allocated") >= field("total.allocated"));
}

TEST_CASE("MEMORY STATS is a map in RESP3, and MEMORY HELP lists every subcommand") {
  Fixture f;
  REQUIRE(f.cmd({"SET", "k", "v"}) == OK());
  RawConnection rc(f.server.port());
  REQUIRE(raw(rc, {"HELLO", "3"}).rfind("%", 0) == 0);
  CHECK(raw(rc, {"MEMORY", "STATS"}).rfind("%28\r\n$14\r\npeak.allocated\r\n:", 0) == 0);
  Reply help = f.cmd({"MEMORY", "HELP"});
  REQUIRE(help.is_array());
  std::string all;
  for (const Reply& line : help.elements) all += line.str + "\n";
  for (const char* sub : {"DOCTOR", "MALLOC-STATS", "PURGE", "STATS", "USAGE <key>", "HELP"})
    CHECK(all.find(sub) != std::string::npos);
  CHECK(f.cmd({"MEMORY", "PURGE"}) == OK());
  CHECK(f.cmd({"MEMORY", "MALLOC-STATS"}).type == Reply::Type::kString);
  CHECK(f.cmd({"MEMORY", "STATS", "x"}).is_error());
}

TEST_CASE("MEMORY DOCTOR: Redis's texts for an empty and for a healthy instance") {
  Fixture f(uncompressed());
  CHECK(f.cmd({"MEMORY", "DOCTOR"}) ==
        Reply::Str("Hi Sam, this instance is empty or is using very little memory, my issues "
                   "detector can't be used in these conditions. Please, leave for your mission on "
                   "Earth and fill it with some data. The new Sam and I will be back to our "
                   "programming as soon as I finished rebooting.\n"));
  std::string v = big_value(100 * 1024);
  for (int i = 0; i < 300; i++) REQUIRE(f.cmd({"SET", "k" + std::to_string(i), v}) == OK());
  // Polled: Redis judges from figures its cron samples; respite's are current at once.
  const Reply fine = Reply::Str(
      "Hi Sam, I can't find any memory issue in your instance. I can only account for what "
      "occurs on this base.\n");
  Reply last;
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // The sanitizers' allocators (shadow memory, redzones, a quarantine) make RSS many times what
  // is allocated, and the doctor may rightly report that: either answer is accepted there.
  last = f.cmd({"MEMORY", "DOCTOR"});
  CHECK((last == fine ||
         last.str.rfind("Sam, I detected a few issues in this respite instance memory implants:",
                        0) == 0));
#else
  CHECK(poll_until([&] { return (last = f.cmd({"MEMORY", "DOCTOR"})) == fine; }, kDeadline));
  CHECK(last == fine);
#endif
}

TEST_CASE("used_memory counts a client's output backlog until the client goes") {
  Fixture f(uncompressed());
  const size_t kBig = 1 << 20;
  REQUIRE(f.cmd({"SET", "big", big_value(kBig)}) == OK());
  const long long base = mem(f, "used_memory");
  const long long base_clients = mem(f, "mem_clients_normal");
  {
    RawConnection reader(f.server.port());
    int small = 4096;
    setsockopt(reader.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    // 64 MB of replies, far more than the sockets' buffers hold; the client never reads. One
    // command: respite holds back a pipeline's later commands while their output waits.
    std::vector<std::string> mget = {"MGET"};
    for (int i = 0; i < 64; i++) mget.push_back("big");
    REQUIRE(reader.send(resp(mget)));
    const long long grown = 32ll << 20;
    CHECK(poll_until(
        [&] {
          return mem(f, "used_memory") > base + grown &&
                 mem(f, "mem_clients_normal") > base_clients + grown;
        },
        kDeadline));
  }
  // Closed: the backlog goes with it.
  CHECK(poll_until([&] { return mem(f, "used_memory") < base + (1 << 20); }, kDeadline));
  // The test's own client may hold a little more than at the start (Redis grows its buffers).
  CHECK(poll_until([&] { return mem(f, "mem_clients_normal") < base_clients + (64 << 10); },
                   kDeadline));
}

TEST_CASE("used_memory counts a query buffer that holds a partial 10 MB bulk") {
  Fixture f(uncompressed());
  const long long base = mem(f, "used_memory");
  const long long ten_mb = 10ll << 20;
  {
    RawConnection writer(f.server.port());
    std::string head = header('*', 3) + bulk("SET") + bulk("k") + header('$', ten_mb);
    REQUIRE(writer.send(head + std::string(1 << 20, 'x')));  // 1 MB of the 10 sent
    CHECK(poll_until(
        [&] {
          return mem(f, "used_memory") >= base + ten_mb && mem(f, "mem_clients_normal") >= ten_mb;
        },
        kDeadline));
  }
  CHECK(poll_until([&] { return mem(f, "used_memory") < base + (1 << 20); }, kDeadline));
  CHECK(f.cmd({"EXISTS", "k"}) == Reply::Int(0));
}

TEST_CASE("with maxmemory, a client's unread output makes room by evicting keys") {
  Fixture f(uncompressed());
  std::string v = big_value(100 * 1024);
  std::vector<std::string> mget = {"MGET"};
  for (int i = 0; i < 50; i++) {
    REQUIRE(f.cmd({"SET", "k" + std::to_string(i), v}) == OK());
    mget.push_back("k" + std::to_string(i));
  }
  const long long used = mem(f, "used_memory");
  REQUIRE(f.cmd({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"}) == OK());
  REQUIRE(f.cmd({"CONFIG", "SET", "maxmemory", std::to_string(used + (4 << 20))}) == OK());
  auto evicted = [&] { return info_field(f.cmd({"INFO", "stats"}).str, "evicted_keys"); };
  REQUIRE(evicted() == 0);
  RawConnection reader(f.server.port());
  // 50 MB of replies in one command (respite holds a pipeline's later commands back while the
  // output waits), never read.
  std::vector<std::string> mget10 = {"MGET"};
  for (int i = 0; i < 10; i++) mget10.insert(mget10.end(), mget.begin() + 1, mget.end());
  REQUIRE(reader.send(resp(mget10)));
  // Reads only: each batch evicts first while over the limit, as Redis does before a command.
  CHECK(poll_until([&] { return evicted() > 0 && f.cmd({"DBSIZE"}).integer < 50; }, kDeadline));
  REQUIRE(f.cmd({"CONFIG", "SET", "maxmemory", "0"}) == OK());
}
