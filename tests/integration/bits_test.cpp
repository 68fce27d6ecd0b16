// The bit commands (server/commands/bits.cpp) where the differential test cannot reach: values
// stored LZ4-compressed or as integers (a respite encoding detail: every command must see the same
// bytes as for a raw value), WATCH across connections, BITOP between workers, and the
// proto-max-bulk-len bound on offsets. The cases that do not depend on compression also pass
// against redis-server (RESPITE_SERVER_BIN=/usr/bin/redis-server).
#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

// A sparse bitmap of n bytes: long zero runs with a bit set here and there, so LZ4 compresses it.
std::string sparse_bitmap(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (size_t i = 0; i < n / 64; i++) s[rng() % n] |= static_cast<char>(1u << (rng() % 8));
  return s;
}

long long popcount(const std::string& s) {
  long long n = 0;
  for (unsigned char ch : s) n += __builtin_popcount(ch);
  return n;
}

long long first_bit(const std::string& s, int bit) {
  for (size_t i = 0; i < s.size() * 8; i++)
    if (((static_cast<unsigned char>(s[i / 8]) >> (7 - i % 8)) & 1) == bit)
      return static_cast<long long>(i);
  return bit ? -1 : static_cast<long long>(s.size() * 8);
}

}  // namespace

TEST_CASE("bit commands read and rewrite LZ4-compressed values like raw ones") {
  Fixture f;
  if (!f.server.is_respite()) return;
  REQUIRE(f.cmd({"CONFIG", "SET", "compression-background", "no"}) == OK());
  REQUIRE(f.cmd({"CONFIG", "SET", "compression-threshold", "1024"}) == OK());
  std::string m = sparse_bitmap(200000, 1);
  REQUIRE(f.cmd({"SET", "bm", m}) == OK());
  REQUIRE(f.cmd({"OBJECT", "ENCODING", "bm"}) == Reply::Str("lz4"));

  CHECK(f.cmd({"BITCOUNT", "bm"}) == Reply::Int(popcount(m)));
  CHECK(f.cmd({"BITCOUNT", "bm", "100", "5000"}) == Reply::Int(popcount(m.substr(100, 4901))));
  CHECK(f.cmd({"BITCOUNT", "bm", "-1000", "-1"}) ==
        Reply::Int(popcount(m.substr(m.size() - 1000))));
  CHECK(f.cmd({"BITPOS", "bm", "1"}) == Reply::Int(first_bit(m, 1)));
  CHECK(f.cmd({"BITPOS", "bm", "0"}) == Reply::Int(first_bit(m, 0)));
  for (size_t bit : {size_t{0}, size_t{7}, size_t{12345}, m.size() * 8 - 1, m.size() * 8 + 9}) {
    CAPTURE(bit);
    long long want =
        bit / 8 < m.size() ? (static_cast<unsigned char>(m[bit / 8]) >> (7 - bit % 8)) & 1 : 0;
    CHECK(f.cmd({"GETBIT", "bm", std::to_string(bit)}) == Reply::Int(want));
  }
  CHECK(f.cmd({"BITFIELD_RO", "bm", "GET", "u16", "#10"}) ==
        Reply::Arr({Reply::Int(static_cast<unsigned char>(m[20]) * 256 +
                               static_cast<unsigned char>(m[21]))}));

  // SETBIT builds a new value, compressed again, with the bit flipped and the rest intact.
  int old = (static_cast<unsigned char>(m[5000]) >> 7) & 1;
  CHECK(f.cmd({"SETBIT", "bm", "40000", old ? "0" : "1"}) == Reply::Int(old));
  m[5000] = static_cast<char>(static_cast<unsigned char>(m[5000]) ^ 0x80);
  CHECK(f.cmd({"GET", "bm"}) == Reply::Str(m));
  CHECK(f.cmd({"OBJECT", "ENCODING", "bm"}) == Reply::Str("lz4"));
  CHECK(f.cmd({"BITCOUNT", "bm"}) == Reply::Int(popcount(m)));

  // BITFIELD grows it; BITOP reads it as a source.
  CHECK(f.cmd({"BITFIELD", "bm", "SET", "u8", std::to_string(m.size() * 8 + 8), "255"}) ==
        Reply::Arr({Reply::Int(0)}));
  m += std::string(1, '\0') + "\xff";
  CHECK(f.cmd({"GET", "bm"}) == Reply::Str(m));
  CHECK(f.cmd({"BITOP", "NOT", "inv", "bm"}) == Reply::Int(static_cast<long long>(m.size())));
  CHECK(f.cmd({"BITCOUNT", "inv"}) ==
        Reply::Int(static_cast<long long>(m.size()) * 8 - popcount(m)));
  CHECK(f.cmd({"BITOP", "XOR", "zero", "bm", "bm"}) ==
        Reply::Int(static_cast<long long>(m.size())));
  CHECK(f.cmd({"BITCOUNT", "zero"}) == Reply::Int(0));
}

TEST_CASE("bit commands see an integer-encoded value as its decimal text") {
  Fixture f;
  REQUIRE(f.cmd({"SET", "n", "12345"}) == OK());
  // "12345" is 0x31 0x32 0x33 0x34 0x35: 3 + 3 + 4 + 3 + 4 set bits.
  CHECK(f.cmd({"BITCOUNT", "n"}) == Reply::Int(17));
  CHECK(f.cmd({"GETBIT", "n", "2"}) == Reply::Int(1));
  CHECK(f.cmd({"BITPOS", "n", "1"}) == Reply::Int(2));
  CHECK(f.cmd({"BITFIELD_RO", "n", "GET", "u8", "8"}) == Reply::Arr({Reply::Int('2')}));
  CHECK(f.cmd({"SETBIT", "n", "7", "0"}) == Reply::Int(1));  // '1' (0x31) becomes '0' (0x30)
  CHECK(f.cmd({"GET", "n"}) == Reply::Str("02345"));
  CHECK(f.cmd({"LCS", "n", "n"}) == Reply::Str("02345"));
}

TEST_CASE("SETBIT and BITFIELD offsets stop below proto-max-bulk-len") {
  Fixture f;
  const Reply bad = Reply::Err("ERR bit offset is not an integer or out of range");
  CHECK(f.cmd({"SETBIT", "k", "4294967296", "1"}) == bad);
  CHECK(f.cmd({"GETBIT", "k", "4294967296"}) == bad);
  CHECK(f.cmd({"BITFIELD", "k", "SET", "u8", "4294967296", "1"}) == bad);
  CHECK(f.cmd({"BITFIELD", "k", "GET", "i64", "#67108864"}) == bad);
  CHECK(f.cmd({"EXISTS", "k"}) == Reply::Int(0));
  // A smaller limit lowers the bound with it.
  REQUIRE(f.cmd({"CONFIG", "SET", "proto-max-bulk-len", "1mb"}) == OK());
  CHECK(f.cmd({"SETBIT", "k", "8388608", "1"}) == bad);
  CHECK(f.cmd({"SETBIT", "k", "8388607", "1"}) == Reply::Int(0));
  CHECK(f.cmd({"STRLEN", "k"}) == Reply::Int(1 << 20));
}

TEST_CASE("WATCH sees SETBIT and BITFIELD from another connection, but not a no-op") {
  Fixture f;
  Client other(f.server.port());
  REQUIRE(f.cmd({"SETBIT", "w", "3", "1"}) == Reply::Int(0));
  auto watched_exec = [&](std::initializer_list<std::string_view> write) {
    REQUIRE(f.cmd({"WATCH", "w"}) == OK());
    other.cmd(write);
    REQUIRE(f.cmd({"MULTI"}) == OK());
    REQUIRE(f.cmd({"PING"}) == Reply::Status("QUEUED"));
    return f.cmd({"EXEC"});
  };
  CHECK(watched_exec({"SETBIT", "w", "3", "1"}) == Reply::Arr({Reply::Status("PONG")}));
  CHECK(watched_exec({"SETBIT", "w", "3", "0"}).is_nil());
  CHECK(watched_exec({"BITFIELD", "w", "INCRBY", "u4", "0", "1"}).is_nil());
  CHECK(watched_exec({"BITFIELD", "w", "GET", "u4", "0"}) == Reply::Arr({Reply::Status("PONG")}));
  CHECK(watched_exec({"BITOP", "OR", "w", "w"}).is_nil());
}

TEST_CASE("BITOP's destination is replaced at once while other workers read it") {
  Fixture f(workers(4));
  std::string a(4096, '\x0f'), b(4096, '\xf0');
  REQUIRE(f.cmd({"SET", "a", a}) == OK());
  REQUIRE(f.cmd({"SET", "b", b}) == OK());
  REQUIRE(f.cmd({"SET", "d", a}) == OK());
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0};
  std::thread reader([&] {
    Client r(f.server.port());
    while (!stop) {
      Reply v = r.cmd({"GET", "d"});
      // Only whole results: all 0x0f (a), 0xff (a OR b), 0xf0 (b AND that) or 0x00 (a AND b).
      if (v.str != a && v.str != std::string(4096, '\xff') && v.str != b &&
          v.str != std::string(4096, '\0'))
        torn++;
    }
  });
  for (int i = 0; i < 200; i++) {
    CHECK(f.cmd({"BITOP", "OR", "d", "a", "b"}) == Reply::Int(4096));
    CHECK(f.cmd({"BITOP", "AND", "d", "b", "d"}) == Reply::Int(4096));
    CHECK(f.cmd({"BITOP", "AND", "d", "a", "d"}) == Reply::Int(4096));
    CHECK(f.cmd({"SET", "d", a}) == OK());
  }
  stop = true;
  reader.join();
  CHECK(torn == 0);
}
