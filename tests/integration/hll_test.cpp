// The HyperLogLog commands (server/commands/hyperloglog.cpp) where the differential test cannot
// reach: values carried between redis-server and respite by GET and SET (the byte format is the
// contract), LZ4-compressed and integer-encoded values, TTLs kept through every kind of write,
// WATCH seeing PFCOUNT's cache write, hll-sparse-max-bytes set live, and clients on several workers
// adding to one key at once without losing a register. Cases that do not depend on respite's
// encodings also pass against redis-server (RESPITE_SERVER_BIN=/usr/bin/redis-server).
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

std::vector<std::string> pfadd_args(const std::string& key, const std::string& prefix, int from,
                                    int to) {
  std::vector<std::string> args = {"PFADD", key};
  for (int i = from; i < to; i++) args.push_back(std::string(prefix).append(std::to_string(i)));
  return args;
}

}  // namespace

TEST_CASE("HLL values move between redis-server and respite by GET and SET") {
  Fixture f;
  ServerProcess redis(reference_binary());
  Client r(redis.port());
  // A sparse one (200 elements) and a dense one (5000), each made on one server and counted,
  // extended and compared byte for byte on both.
  for (int n : {200, 5000}) {
    CAPTURE(n);
    for (bool from_redis : {true, false}) {
      CAPTURE(from_redis);
      Client& src = from_redis ? r : f.c;
      Client& dst = from_redis ? f.c : r;
      REQUIRE(src.cmd({"DEL", "h"}).type == Reply::Type::kInteger);
      REQUIRE(src.cmd(pfadd_args("h", "m:", 0, n)) == Reply::Int(1));
      Reply bytes = src.cmd({"GET", "h"});
      REQUIRE(bytes.type == Reply::Type::kString);
      REQUIRE(dst.cmd({"SET", "h", bytes.str}) == OK());
      // Both count it alike (and both cache the count in the value, the same way).
      Reply count = src.cmd({"PFCOUNT", "h"});
      CHECK(count.type == Reply::Type::kInteger);
      CHECK(dst.cmd({"PFCOUNT", "h"}) == count);
      CHECK(dst.cmd({"GET", "h"}) == src.cmd({"GET", "h"}));
      CHECK(dst.cmd({"PFDEBUG", "ENCODING", "h"}) == src.cmd({"PFDEBUG", "ENCODING", "h"}));
      // Extended on both, the bytes stay equal.
      CHECK(src.cmd(pfadd_args("h", "x:", 0, 300)) == Reply::Int(1));
      CHECK(dst.cmd(pfadd_args("h", "x:", 0, 300)) == Reply::Int(1));
      CHECK(dst.cmd({"GET", "h"}) == src.cmd({"GET", "h"}));
      CHECK(dst.cmd({"PFCOUNT", "h"}) == src.cmd({"PFCOUNT", "h"}));
      // Merged with a key that exists only on one side, after carrying it over too.
      REQUIRE(src.cmd({"DEL", "other"}).type == Reply::Type::kInteger);
      REQUIRE(src.cmd(pfadd_args("other", "o:", 0, 50)) == Reply::Int(1));
      REQUIRE(dst.cmd({"SET", "other", src.cmd({"GET", "other"}).str}) == OK());
      CHECK(src.cmd({"PFMERGE", "m", "h", "other"}) == OK());
      CHECK(dst.cmd({"PFMERGE", "m", "h", "other"}) == OK());
      CHECK(dst.cmd({"GET", "m"}) == src.cmd({"GET", "m"}));
      CHECK(dst.cmd({"PFCOUNT", "h", "other"}) == src.cmd({"PFCOUNT", "h", "other"}));
      REQUIRE(src.cmd({"DEL", "m", "h", "other"}).type == Reply::Type::kInteger);
      REQUIRE(dst.cmd({"DEL", "m", "h", "other"}).type == Reply::Type::kInteger);
    }
  }
}

TEST_CASE("HLLs are strings: TYPE, APPEND and SETRANGE work, corruption is detected") {
  Fixture f;
  CHECK(f.cmd({"PFADD", "h", "a", "b", "c"}) == Reply::Int(1));
  CHECK(f.cmd({"TYPE", "h"}) == Reply::Status("string"));
  CHECK(f.cmd({"PFCOUNT", "h"}) == Reply::Int(3));
  CHECK(f.cmd({"GETRANGE", "h", "15", "15"}) == Reply::Str(std::string(1, '\0')));
  CHECK(f.cmd({"PFADD", "h", "d"}) == Reply::Int(1));
  CHECK(f.cmd({"GETRANGE", "h", "15", "15"}) == Reply::Str("\x80"));
  CHECK(f.cmd({"APPEND", "h", "hello"}).type == Reply::Type::kInteger);
  CHECK(f.cmd({"PFCOUNT", "h"}) == Reply::Err("INVALIDOBJ Corrupted HLL object detected"));
  CHECK(f.cmd({"PFADD", "h2", "a"}) == Reply::Int(1));
  CHECK(f.cmd({"SETRANGE", "h2", "0", "0123"}).type == Reply::Type::kInteger);
  CHECK(f.cmd({"PFCOUNT", "h2"}) ==
        Reply::Err("WRONGTYPE Key is not a valid HyperLogLog string value."));
  // An integer-encoded string is never an HLL.
  CHECK(f.cmd({"SET", "n", "123456789012345678"}) == OK());
  CHECK(f.cmd({"PFADD", "n", "a"}) ==
        Reply::Err("WRONGTYPE Key is not a valid HyperLogLog string value."));
  CHECK(f.cmd({"RPUSH", "l", "a"}) == Reply::Int(1));
  CHECK(f.cmd({"PFCOUNT", "l"}) ==
        Reply::Err("WRONGTYPE Operation against a key holding the wrong kind of value"));
  CHECK(f.cmd({"PFMERGE", "dest", "h", "l"}).is_error());
  CHECK(f.cmd({"EXISTS", "dest"}) == Reply::Int(0));  // nothing written on an error
}

TEST_CASE("PFADD, PFCOUNT and PFMERGE keep the key's TTL") {
  Fixture f;
  CHECK(f.cmd({"PFADD", "h", "a"}) == Reply::Int(1));
  CHECK(f.cmd({"EXPIRE", "h", "1000"}) == Reply::Int(1));
  CHECK(f.cmd({"PFADD", "h", "b"}) == Reply::Int(1));
  CHECK(f.cmd({"TTL", "h"}).integer > 990);
  CHECK(f.cmd({"PFCOUNT", "h"}) == Reply::Int(2));  // writes the cache
  CHECK(f.cmd({"TTL", "h"}).integer > 990);
  CHECK(f.cmd({"PFADD", "src", "x", "y"}) == Reply::Int(1));
  CHECK(f.cmd({"PFMERGE", "h", "src"}) == OK());
  CHECK(f.cmd({"TTL", "h"}).integer > 990);
  CHECK(f.cmd({"PFCOUNT", "h"}) == Reply::Int(4));
  // A new destination has none.
  CHECK(f.cmd({"PFMERGE", "fresh", "h"}) == OK());
  CHECK(f.cmd({"TTL", "fresh"}) == Reply::Int(-1));
}

TEST_CASE("WATCH sees PFADD that changes something and PFCOUNT that caches, not a no-op PFADD") {
  Fixture f;
  Client other(f.server.port());
  CHECK(f.cmd({"PFADD", "h", "a", "b"}) == Reply::Int(1));
  CHECK(f.cmd({"PFCOUNT", "h"}) == Reply::Int(2));

  auto watched_exec = [&](const std::vector<std::string>& meanwhile) {
    REQUIRE(f.cmd({"WATCH", "h"}) == OK());
    REQUIRE(other.cmd(meanwhile).type != Reply::Type::kError);
    REQUIRE(f.cmd({"MULTI"}) == OK());
    REQUIRE(f.cmd({"PING"}) == Reply::Status("QUEUED"));
    return f.cmd({"EXEC"});
  };
  // Elements already counted: nothing changes, nothing is written.
  CHECK(watched_exec({"PFADD", "h", "a"}).is_array());
  CHECK(watched_exec({"PFCOUNT", "h"}).is_array());  // cache valid: a pure read
  CHECK(watched_exec({"PFADD", "h", "zzz"}).is_nil());
  CHECK(watched_exec({"PFCOUNT", "h"}).is_nil());  // recomputed and cached: a change
}

TEST_CASE("hll-sparse-max-bytes is read live") {
  Fixture f;
  CHECK(f.cmd({"CONFIG", "GET", "hll-sparse-max-bytes"}) ==
        Reply::StrArr({"hll-sparse-max-bytes", "3000"}));
  CHECK(f.cmd(pfadd_args("a", "e:", 0, 100)) == Reply::Int(1));
  CHECK(f.cmd({"PFDEBUG", "ENCODING", "a"}) == Reply::Status("sparse"));
  CHECK(f.cmd({"CONFIG", "SET", "hll-sparse-max-bytes", "100"}) == OK());
  CHECK(f.cmd(pfadd_args("b", "e:", 0, 100)) == Reply::Int(1));
  CHECK(f.cmd({"PFDEBUG", "ENCODING", "b"}) == Reply::Status("dense"));
  CHECK(f.cmd({"PFCOUNT", "a"}) == f.cmd({"PFCOUNT", "b"}));
  CHECK(f.cmd({"CONFIG", "SET", "hll-sparse-max-bytes", "-1"}).is_error());
}

TEST_CASE("PFDEBUG and PFSELFTEST") {
  Fixture f;
  CHECK(f.cmd({"PFDEBUG", "ENCODING", "nokey"}) ==
        Reply::Err("ERR The specified key does not exist"));
  CHECK(f.cmd({"PFADD", "h", "a"}) == Reply::Int(1));
  CHECK(f.cmd({"PFDEBUG", "DECODE", "h"}) == Reply::Str("Z:12711 v:2,1 Z:3672"));
  CHECK(f.cmd({"PFDEBUG", "NOPE", "h"}) == Reply::Err("ERR Unknown PFDEBUG subcommand 'NOPE'"));
  Reply regs = f.cmd({"PFDEBUG", "GETREG", "h"});
  REQUIRE(regs.is_array());
  CHECK(regs.elements.size() == 16384);
  CHECK(regs.elements[12711] == Reply::Int(2));
  CHECK(f.cmd({"PFDEBUG", "ENCODING", "h"}) == Reply::Status("dense"));  // GETREG converted it
  CHECK(f.cmd({"PFDEBUG", "DECODE", "h"}) == Reply::Err("ERR HLL encoding is not sparse"));
  CHECK(f.cmd({"PFDEBUG", "TODENSE", "h"}) == Reply::Int(0));
  CHECK(f.cmd({"STRLEN", "h"}) == Reply::Int(12304));
  CHECK(f.cmd({"PFSELFTEST"}) == OK());
}

TEST_CASE("HLLs stored LZ4-compressed read and write like raw ones") {
  Fixture f;
  if (!f.server.is_respite()) return;
  REQUIRE(f.cmd({"CONFIG", "SET", "compression-background", "no"}) == OK());
  REQUIRE(f.cmd({"CONFIG", "SET", "compression-threshold", "1024"}) == OK());
  // A dense HLL with few registers set is mostly zero bytes: it compresses.
  CHECK(f.cmd(pfadd_args("h", "e:", 0, 20)) == Reply::Int(1));
  CHECK(f.cmd({"PFDEBUG", "TODENSE", "h"}) == Reply::Int(1));
  CHECK(f.cmd({"OBJECT", "ENCODING", "h"}) == Reply::Str("lz4"));
  CHECK(f.cmd({"PFCOUNT", "h"}) == Reply::Int(20));
  CHECK(f.cmd(pfadd_args("h", "e:", 20, 40)) == Reply::Int(1));
  CHECK(f.cmd({"PFCOUNT", "h"}) == Reply::Int(40));
  CHECK(f.cmd({"OBJECT", "ENCODING", "h"}) == Reply::Str("lz4"));
  // The same adds on an uncompressed key give the same bytes.
  REQUIRE(f.cmd({"CONFIG", "SET", "compression-threshold", "0"}) == OK());
  CHECK(f.cmd(pfadd_args("raw", "e:", 0, 20)) == Reply::Int(1));
  CHECK(f.cmd({"PFDEBUG", "TODENSE", "raw"}) == Reply::Int(1));
  CHECK(f.cmd(pfadd_args("raw", "e:", 20, 40)) == Reply::Int(1));
  CHECK(f.cmd({"PFCOUNT", "raw"}) == Reply::Int(40));
  CHECK(f.cmd({"GET", "raw"}) == f.cmd({"GET", "h"}));
  CHECK(f.cmd({"PFCOUNT", "h", "raw"}) == Reply::Int(40));
}

TEST_CASE("clients on several workers add to one HLL at once and lose no register") {
  Fixture f(workers(4));
  constexpr int kClients = 6, kPerClient = 1500;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kClients; t++) {
    threads.emplace_back([&, t] {
      Client c(f.server.port());
      for (int i = 0; i < kPerClient; i += 10) {
        if (c.cmd(pfadd_args("shared", std::string("t").append(std::to_string(t)).append(":"), i,
                             i + 10))
                .is_error())
          failures++;
        if (c.cmd({"PFCOUNT", "shared"}).is_error()) failures++;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
  // Registers only grow, so the result does not depend on the order: the same elements added
  // from one client give the same registers, and so the same count and (dense) bytes.
  for (int t = 0; t < kClients; t++)
    REQUIRE(f.cmd(pfadd_args("serial", std::string("t").append(std::to_string(t)).append(":"), 0,
                             kPerClient))
                .type == Reply::Type::kInteger);
  CHECK(f.cmd({"PFCOUNT", "shared"}) == f.cmd({"PFCOUNT", "serial"}));
  CHECK(f.cmd({"PFDEBUG", "ENCODING", "shared"}) == Reply::Status("dense"));
  CHECK(f.cmd({"GET", "shared"}) == f.cmd({"GET", "serial"}));
}
