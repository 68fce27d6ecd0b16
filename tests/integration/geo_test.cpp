// The geo commands (server/commands/geo.cpp) where the differential test cannot reach: RESP3
// reply shapes (coordinates as doubles, distances still bulk strings), a geo index read back with
// the sorted-set commands, searches that give the same answer in both encodings of the set,
// GEORADIUS ... STORE inside MULTI/EXEC and scripts (its destination is found among the options),
// and concurrent writers and searchers on several workers. Every case except the encoding one also
// passes against redis-server (RESPITE_SERVER_BIN=/usr/bin/redis-server).
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

void add_sicily(Fixture& f) {
  REQUIRE(f.cmd({"GEOADD", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669",
                 "Catania"}) == Reply::Int(2));
}

}  // namespace

TEST_CASE("a geo index is a sorted set of 52-bit geohash scores") {
  Fixture f;
  add_sicily(f);
  CHECK(f.cmd({"TYPE", "Sicily"}) == Reply::Status("zset"));
  CHECK(f.cmd({"ZRANGE", "Sicily", "0", "-1", "WITHSCORES"}) ==
        Reply::StrArr({"Palermo", "3479099956230698", "Catania", "3479447370796909"}));
  CHECK(f.cmd({"ZSCORE", "Sicily", "Catania"}) == Reply::Str("3479447370796909"));
  // A member added with ZADD is a point too: its score decodes like any other.
  REQUIRE(f.cmd({"ZADD", "Sicily", "3479099956230698", "Copy"}) == Reply::Int(1));
  CHECK(f.cmd({"GEODIST", "Sicily", "Palermo", "Copy"}) == Reply::Str("0.0000"));
  CHECK(f.cmd({"GEOHASH", "Sicily", "Copy", "nope"}) ==
        Reply::Arr({Reply::Str("sqc8b49rny0"), Reply::Nil()}));
  // GEOADD reports itself as ZADD to keyspace events and counts updates with CH.
  CHECK(f.cmd({"GEOADD", "Sicily", "CH", "13.5", "38", "Copy", "15.087269", "37.502669",
               "Catania"}) == Reply::Int(1));
  CHECK(f.cmd({"GEOADD", "Sicily", "XX", "1", "1", "New"}) == Reply::Int(0));
  CHECK(f.cmd({"ZCARD", "Sicily"}) == Reply::Int(3));
}

TEST_CASE("RESP3: coordinates are doubles, distances bulk strings, hashes integers") {
  Fixture f;
  add_sicily(f);
  RawConnection c(f.server.port());
  REQUIRE(c.send(resp({"HELLO", "3"})));
  CHECK(!c.read_reply().empty());
  CHECK(raw(c, {"GEOPOS", "Sicily", "Palermo", "nope"}) ==
        "*2\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n_\r\n");
  CHECK(raw(c, {"GEODIST", "Sicily", "Palermo", "Catania", "km"}) == "$8\r\n166.2742\r\n");
  CHECK(raw(c, {"GEODIST", "Sicily", "Palermo", "nope"}) == "_\r\n");
  CHECK(raw(c, {"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "100", "km",
                "WITHDIST", "WITHHASH", "WITHCOORD"}) ==
        "*1\r\n*4\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n:3479447370796909\r\n"
        "*2\r\n,15.08726745843887329\r\n,37.50266842333162032\r\n");
  // RESP2 sends the same coordinates as bulk strings.
  RawConnection c2(f.server.port());
  CHECK(raw(c2, {"GEOPOS", "Sicily", "Catania"}) ==
        "*1\r\n*2\r\n$20\r\n15.08726745843887329\r\n$20\r\n37.50266842333162032\r\n");
}

TEST_CASE("searches answer the same for a listpack and a skiplist set") {
  Fixture f;
  if (!f.server.is_respite()) return;  // OBJECT ENCODING names are checked below
  std::vector<std::string> add = {"GEOADD", "pts"};
  for (int i = 0; i < 100; i++) {
    add.push_back(std::to_string(12.0 + (i % 10) * 0.1));
    add.push_back(std::to_string(41.0 + (i / 10) * 0.1));
    add.push_back("p" + std::to_string(i));
  }
  REQUIRE(f.cmd(add) == Reply::Int(100));
  REQUIRE(f.cmd({"OBJECT", "ENCODING", "pts"}) == Reply::Str("listpack"));
  const std::vector<std::string> box = {"GEOSEARCH", "pts",      "FROMLONLAT", "12.45",
                                        "41.45",     "BYBOX",    "50",         "40",
                                        "km",        "WITHDIST", "ASC"};
  const std::vector<std::string> circle = {"GEORADIUS", "pts",  "12.3",  "41.6", "20",
                                           "km",        "DESC", "COUNT", "7"};
  Reply box1 = f.cmd(box), circle1 = f.cmd(circle);
  CHECK(box1.elements.size() > 10);
  CHECK(circle1.elements.size() == 7);
  REQUIRE(f.cmd({"CONFIG", "SET", "zset-max-listpack-entries", "10"}) == OK());
  REQUIRE(f.cmd({"GEOADD", "pts", "0", "0", "far"}) == Reply::Int(1));
  REQUIRE(f.cmd({"OBJECT", "ENCODING", "pts"}) == Reply::Str("skiplist"));
  CHECK(f.cmd(box) == box1);
  CHECK(f.cmd(circle) == circle1);
  // A stored result is packed when it fits the limits, as Redis converts it.
  CHECK(f.cmd({"GEOSEARCHSTORE", "dst", "pts", "FROMMEMBER", "p0", "BYRADIUS", "12", "km"}) ==
        Reply::Int(3));
  CHECK(f.cmd({"OBJECT", "ENCODING", "dst"}) == Reply::Str("listpack"));
}

TEST_CASE("GEORADIUS STORE inside MULTI and a script writes its destination") {
  Fixture f(workers(2));
  add_sicily(f);
  REQUIRE(f.cmd({"MULTI"}) == OK());
  REQUIRE(f.cmd({"GEORADIUS", "Sicily", "15", "37", "200", "km", "STOREDIST", "near"}) ==
          Reply::Status("QUEUED"));
  REQUIRE(f.cmd({"ZRANGE", "near", "0", "-1", "WITHSCORES"}) == Reply::Status("QUEUED"));
  CHECK(f.cmd({"EXEC"}) ==
        Reply::Arr({Reply::Int(2), Reply::StrArr({"Catania", "56.441257870158204", "Palermo",
                                                  "190.44242984775784"})}));
  CHECK(f.cmd({"EVAL",
               "return redis.call('GEORADIUSBYMEMBER', KEYS[1], 'Palermo', 100, 'km', 'STORE', "
               "'fromscript')",
               "1", "Sicily"}) == Reply::Int(1));
  CHECK(f.cmd({"ZRANGE", "fromscript", "0", "-1"}) == Reply::StrArr({"Palermo"}));
  // No match stores nothing and deletes the destination.
  CHECK(f.cmd({"GEORADIUS", "Sicily", "0", "0", "1", "km", "STORE", "near"}) == Reply::Int(0));
  CHECK(f.cmd({"EXISTS", "near"}) == Reply::Int(0));
}

TEST_CASE("writers and searchers on several workers") {
  Fixture f(workers(2));
  constexpr int kWriters = 2, kPoints = 300;
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; w++) {
    threads.emplace_back([&, w] {
      Client c(f.server.port());
      for (int i = 0; i < kPoints; i++) {
        std::string lon = std::to_string(-10 + (i % 20) * 0.5);
        std::string lat = std::to_string(40 + w + (i / 20) * 0.01);
        Reply r = c.cmd(
            {"GEOADD", "shared", lon, lat, "w" + std::to_string(w) + "-" + std::to_string(i)});
        if (!(r == Reply::Int(1))) failed = true;
      }
    });
  }
  threads.emplace_back([&] {
    Client c(f.server.port());
    for (int i = 0; i < 200; i++) {
      Reply r = c.cmd({"GEOSEARCH", "shared", "FROMLONLAT", "0", "41", "BYRADIUS", "3000", "km",
                       "COUNT", "5", "WITHDIST"});
      if (r.type != Reply::Type::kArray || r.elements.size() > 5) failed = true;
    }
  });
  for (auto& t : threads) t.join();
  CHECK_FALSE(failed.load());
  CHECK(f.cmd({"ZCARD", "shared"}) == Reply::Int(kWriters * kPoints));
  CHECK(f.cmd({"GEOSEARCH", "shared", "FROMLONLAT", "0", "41", "BYRADIUS", "20000", "km"})
            .elements.size() == kWriters * kPoints);
}
