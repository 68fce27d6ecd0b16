// Generators for the geo commands (GEOADD, GEOPOS, GEODIST, GEOHASH, GEOSEARCH, GEOSEARCHSTORE,
// GEORADIUS, GEORADIUSBYMEMBER and the _RO variants), plus ZRANGE/ZREM/ZADD on the same keys so
// that a geo index is read and changed as the plain sorted set it is.
//
// Points cluster around a few centres chosen for their edges (Sicily, the antimeridian, near both
// Mercator limits, the origin) so that searches find something, and some land exactly on the
// limits or outside them (the "invalid longitude,latitude pair" error). Options come in random
// order, repeated, conflicting or cut short, so every one of Redis's option errors is reached; the
// keys of the shared pool bring WRONGTYPE and missing keys.
//
// Some points share exact coordinates (a few "crowded" spots), so distances tie: with COUNT the
// order of ties is whatever Redis's partial quicksort makes of them, which the server reproduces.
#include <cstdio>

#include "tests/differential/generator.h"

namespace respite::diff {

namespace {

const std::vector<std::string> kGeoKeys = {"geo:1", "geo:2", "geo:3"};

const std::string& geo_key(Gen& g) {
  return g.chance(90) ? g.pick(kGeoKeys) : g.key();
}

std::string member(Gen& g) {
  static const std::vector<std::string> odd = {"", "Palermo", "Catania", std::string("a\0b", 3),
                                               "x y"};
  if (g.chance(5)) return g.pick(odd);
  // Mostly the first few, so that lookups and FROMMEMBER usually find their member; up to m199
  // so that the sets outgrow the listpack encoding.
  int top = g.chance(55) ? 12 : g.chance(70) ? 40 : 199;
  return "m" + std::to_string(g.range(0, top));
}

struct Centre {
  double lon, lat;
};

// Places near interesting edges: Sicily, both sides of the antimeridian, close to the northern
// and southern Mercator limits, the origin, and a high latitude where cells are narrow.
const Centre kCentres[] = {{13.36, 38.11}, {179.9, 10}, {-179.9, -10},  {0, 84.9},
                           {-100, -84.95}, {0, 0},      {-122.4, 37.7}, {25, 70}};

std::string fixed6(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  return buf;
}

// A random offset of up to `spread` degrees with six random decimals.
double jitter(Gen& g, double spread) {
  return (g.range(-1000000, 1000000) / 1000000.0) * spread;
}

// A longitude and latitude: mostly near a centre (clamped into range), sometimes on the exact
// limits, sometimes anywhere, rarely invalid.
std::pair<std::string, std::string> lonlat(Gen& g) {
  static const std::vector<std::string> edge_lon = {"180", "-180", "179.999999", "-179.999999",
                                                    "0"};
  static const std::vector<std::string> edge_lat = {"85.05112878", "-85.05112878", "85.0511287",
                                                    "-85.0511", "0"};
  static const std::vector<std::string> bad = {"180.000001", "-181", "85.05112879", "-90", "abc",
                                               "",           "inf",  "1e400",       " 1",  "nan"};
  static const std::vector<std::pair<std::string, std::string>> crowded = {
      {"13.400000", "38.100000"},
      {"13.410000", "38.120000"},
      {"179.990000", "10.000000"},
      {"-179.990000", "-10.000000"}};
  int form = g.range(0, 99);
  if (form < 3) return {g.pick(bad), fixed6(jitter(g, 80))};
  if (form >= 90) return g.pick(crowded);
  if (form < 6) return {fixed6(jitter(g, 170)), g.pick(bad)};
  if (form < 12) return {g.pick(edge_lon), g.pick(edge_lat)};
  if (form < 25) return {fixed6(jitter(g, 180)), fixed6(jitter(g, 85))};
  const Centre& c = kCentres[g.range(0, static_cast<int>(std::size(kCentres)) - 1)];
  double lon = c.lon + jitter(g, 2), lat = c.lat + jitter(g, 1);
  if (lon > 180) lon -= 360;
  if (lon < -180) lon += 360;
  if (lat > 85.05) lat = 85.05;
  if (lat < -85.05) lat = -85.05;
  return {fixed6(lon), fixed6(lat)};
}

const std::vector<std::pair<std::string, double>>& units() {
  static const std::vector<std::pair<std::string, double>> u = {
      {"m", 1}, {"km", 1000}, {"mi", 1609.34}, {"ft", 0.3048}, {"KM", 1000}, {"M", 1}};
  return u;
}

// A distance with its unit: usually 100 m to 500 km written in that unit (so that searches
// around the clusters find some points and miss others), sometimes zero, negative, huge, not a
// number or in an unknown unit.
std::pair<std::string, std::string> distance_unit(Gen& g) {
  static const std::vector<std::string> odd = {"0", "-1", "abc", "20000000", "inf", "0.5", "1e7"};
  const auto& [name, metres_per_unit] = g.pick(units());
  if (g.chance(3)) return {std::to_string(g.range(1, 100)), "parsec"};
  if (g.chance(8)) return {g.pick(odd), name};
  double metres = g.chance(20) ? g.range(1, 5000) : g.range(5000, 500000);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", metres / metres_per_unit);
  return {buf, name};
}

std::string unit(Gen& g) {
  if (g.chance(4)) return "parsec";
  return g.pick(units()).first;
}

void add_count(Gen& g, std::vector<std::string>& a) {
  static const std::vector<std::string> bad = {"0", "-1", "x", "9223372036854775808"};
  a.push_back("COUNT");
  a.push_back(g.chance(8) ? g.pick(bad) : std::to_string(g.range(1, 8)));
  if (g.chance(30)) a.push_back("ANY");
}

// The options every search takes, in random order and number.
void add_options(Gen& g, std::vector<std::string>& a, bool with_extras) {
  int n = g.range(0, 4);
  for (int i = 0; i < n; i++) {
    switch (g.range(0, 9)) {
      case 0:
        if (with_extras) a.push_back("WITHDIST");
        break;
      case 1:
        if (with_extras) a.push_back("WITHCOORD");
        break;
      case 2:
        if (with_extras) a.push_back("WITHHASH");
        break;
      case 3:
        a.push_back("ASC");
        break;
      case 4:
        a.push_back("DESC");
        break;
      case 5:
      case 6:
        add_count(g, a);
        break;
      case 7:
        if (g.chance(20)) a.push_back("ANY");  // ANY without COUNT
        break;
      case 8:
        if (g.chance(15)) a.push_back(g.chance(50) ? "COUNT" : "BOGUS");  // cut short / unknown
        break;
      default:
        if (with_extras && g.chance(50)) a.push_back("withdist");
        break;
    }
  }
}

Command geoadd(Gen& g) {
  Command c{{"GEOADD", geo_key(g)}};
  static const std::vector<std::string> flags = {"NX", "XX", "CH", "ch", "GT", "INCR"};
  if (g.chance(30)) {
    int n = g.range(1, 2);
    for (int i = 0; i < n; i++)
      c.args.push_back(g.chance(90) ? flags[g.range(0, 3)] : g.pick(flags));
  }
  int n = g.range(1, 5);
  for (int i = 0; i < n; i++) {
    auto [lon, lat] = lonlat(g);
    c.args.insert(c.args.end(), {lon, lat, member(g)});
  }
  if (g.chance(3)) c.args.pop_back();  // a triple cut short
  return c;
}

Command geopos(Gen& g) {
  Command c{{"GEOPOS", geo_key(g)}};
  int n = g.range(0, 4);
  for (int i = 0; i < n; i++) c.args.push_back(member(g));
  return c;
}

Command geohash(Gen& g) {
  Command c = geopos(g);
  c.args[0] = "GEOHASH";
  return c;
}

Command geodist(Gen& g) {
  Command c{{"GEODIST", geo_key(g), member(g), member(g)}};
  if (g.chance(60)) c.args.push_back(unit(g));
  if (g.chance(4)) c.args.push_back("extra");
  return c;
}

// FROMMEMBER / FROMLONLAT and BYRADIUS / BYBOX: usually one each, sometimes none, both or twice.
void add_search_shape(Gen& g, std::vector<std::string>& a) {
  int from = g.range(0, 19);
  if (from != 0) {
    if (from < 8 || from == 19) {
      a.insert(a.end(), {"FROMMEMBER", member(g)});
    } else {
      auto [lon, lat] = lonlat(g);
      a.insert(a.end(), {"FROMLONLAT", lon, lat});
    }
    if (from == 19) a.insert(a.end(), {"FROMLONLAT", "1", "1"});
  }
  int by = g.range(0, 19);
  if (by != 0) {
    auto [r, u] = distance_unit(g);
    if (by < 10 || by == 19) {
      a.insert(a.end(), {"BYRADIUS", r, u});
    } else {
      auto [h, u2] = distance_unit(g);
      a.insert(a.end(), {"BYBOX", r, g.chance(90) ? h : "-5", u});
    }
    if (by == 19) a.insert(a.end(), {"BYBOX", "1", "1", "km"});
  }
}

Command geosearch(Gen& g) {
  Command c{{"GEOSEARCH", geo_key(g)}};
  add_options(g, c.args, true);
  add_search_shape(g, c.args);
  add_options(g, c.args, true);
  if (g.chance(3)) c.args.insert(c.args.end(), {"STORE", "geo:dst"});
  return c;
}

Command geosearchstore(Gen& g) {
  Command c{{"GEOSEARCHSTORE", g.chance(80) ? "geo:dst" : geo_key(g), geo_key(g)}};
  add_search_shape(g, c.args);
  add_options(g, c.args, g.chance(5));
  if (g.chance(40)) c.args.push_back("STOREDIST");
  return c;
}

void add_store(Gen& g, std::vector<std::string>& a) {
  if (g.chance(75)) return;
  a.push_back(g.chance(50) ? "STORE" : "STOREDIST");
  if (g.chance(95)) a.push_back(g.chance(85) ? "geo:dst" : geo_key(g));
}

Command georadius(Gen& g) {
  bool ro = g.chance(25);
  auto [lon, lat] = lonlat(g);
  auto [r, u] = distance_unit(g);
  Command c{{ro ? "GEORADIUS_RO" : "GEORADIUS", geo_key(g), lon, lat, r, u}};
  add_options(g, c.args, !g.chance(10));
  add_store(g, c.args);
  if (g.chance(30)) add_options(g, c.args, false);
  return c;
}

Command georadiusbymember(Gen& g) {
  bool ro = g.chance(25);
  auto [r, u] = distance_unit(g);
  Command c{{ro ? "GEORADIUSBYMEMBER_RO" : "GEORADIUSBYMEMBER", geo_key(g), member(g), r, u}};
  add_options(g, c.args, !g.chance(10));
  add_store(g, c.args);
  return c;
}

// The geo keys read and changed as sorted sets.
Command zrange_geo(Gen& g) {
  return {{"ZRANGE", g.chance(30) ? "geo:dst" : g.pick(kGeoKeys), "0", "-1", "WITHSCORES"}};
}

Command zrem_geo(Gen& g) {
  return {{"ZREM", g.pick(kGeoKeys), member(g), member(g)}};
}

// Scores GEOADD never writes (negative, beyond 52 bits, infinite) still decode somewhere.
Command zadd_geo(Gen& g) {
  static const std::vector<std::string> scores = {
      "-1",  "0",    "4503599627370496", "1e300",
      "inf", "-inf", "3479099956230698", "9007199254740993"};
  return {{"ZADD", g.pick(kGeoKeys), g.pick(scores), member(g)}};
}

Command del_geo(Gen& g) {
  return {{"DEL", g.chance(50) ? "geo:dst" : g.pick(kGeoKeys)}};
}

// Small listpack limits now and then, so that geo sets (and stored results) also live as
// skiplists.
Command config_limit(Gen& g) {
  static const std::vector<std::string> limits = {"4", "16", "128"};
  return {{"CONFIG", "SET", "zset-max-listpack-entries", g.pick(limits)}};
}

}  // namespace

void add_geo_generators(std::vector<CommandGen>& out) {
  out.insert(out.end(), {
                            {"GEOADD", 40, geoadd},
                            {"GEOPOS", 10, geopos},
                            {"GEOHASH", 8, geohash},
                            {"GEODIST", 10, geodist},
                            {"GEOSEARCH", 30, geosearch},
                            {"GEOSEARCHSTORE", 10, geosearchstore},
                            {"GEORADIUS", 20, georadius},
                            {"GEORADIUSBYMEMBER", 15, georadiusbymember},
                            {"ZRANGE geo", 6, zrange_geo},
                            {"ZREM geo", 3, zrem_geo},
                            {"ZADD geo", 2, zadd_geo},
                            {"DEL geo", 1, del_geo},
                            {"CONFIG SET zset-max-listpack-entries", 1, config_limit},
                        });
}

}  // namespace respite::diff
