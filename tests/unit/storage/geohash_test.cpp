// Unit tests for storage/geohash: the 52-bit score encoding, its decoding to the printed
// coordinates, the 11-character geohash, neighbour cells (wrapping at the edges), the step chosen
// for a radius, haversine distances and the shape tests of a search. The expected values were
// computed with redis-server 7.0.15 (GEOADD then ZSCORE, GEOPOS, GEOHASH, GEODIST).
#include <doctest.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "storage/geohash.h"

namespace geo = respite::storage::geo;

namespace {

// GEOPOS's text: %.17Lf of the double, trailing zeros trimmed.
std::string human(double d) {
  char buf[128];
  int n = std::snprintf(buf, sizeof buf, "%.17Lf", static_cast<long double>(d));
  std::string s(buf, static_cast<size_t>(n));
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

std::string hash_of(double score) {
  char out[11];
  geo::standard_hash(score, out);
  return std::string(out, 11);
}

}  // namespace

TEST_CASE("scores of known points") {
  CHECK(geo::score_of(13.361389, 38.115556) == 3479099956230698ull);
  CHECK(geo::score_of(15.087269, 37.502669) == 3479447370796909ull);
  CHECK(geo::score_of(0, 0) == 3377699720527872ull);
  CHECK(geo::score_of(-180, -85.05112878) == 0);
  // The upper limits give index 2^26 in both coordinates: bits 52 and 53.
  CHECK(geo::score_of(180, 85.05112878) == 13510798882111488ull);
}

TEST_CASE("decoding prints Redis's coordinates") {
  double lon, lat;
  geo::decode_score(3479099956230698.0, &lon, &lat);
  CHECK(human(lon) == "13.36138933897018433");
  CHECK(human(lat) == "38.11555639549629859");
  geo::decode_score(3479447370796909.0, &lon, &lat);
  CHECK(human(lon) == "15.08726745843887329");
  CHECK(human(lat) == "37.50266842333162032");
  geo::decode_score(13510798882111488.0, &lon, &lat);  // clamped to the limits
  CHECK(human(lon) == "180");
  CHECK(human(lat) == "85.0511287799999991");
  geo::decode_score(0, &lon, &lat);
  CHECK(human(lon) == "-179.99999731779098511");
  CHECK(human(lat) == "-85.05112751263942528");
  geo::decode_score(3377699720527872.0, &lon, &lat);
  CHECK(human(lon) == "0.00000268220901489");
  CHECK(human(lat) == "0.00000126736058093");
}

TEST_CASE("encode then decode stays within one cell") {
  for (double lon = -180; lon <= 180; lon += 7.3) {
    for (double lat = geo::kLatMin; lat <= geo::kLatMax; lat += 3.1) {
      double x, y;
      geo::decode_score(static_cast<double>(geo::score_of(lon, lat)), &x, &y);
      CHECK(std::fabs(x - lon) <= 360.0 / (1 << 26));
      CHECK(std::fabs(y - lat) <= 171.0 / (1 << 26));
      // Decoding and encoding again is a fixed point.
      CHECK(geo::score_of(x, y) == geo::score_of(lon, lat));
    }
  }
}

TEST_CASE("out-of-range coordinates do not encode") {
  geo::Cell c;
  CHECK_FALSE(geo::encode(180.0001, 0, 26, &c));
  CHECK_FALSE(geo::encode(0, 85.06, 26, &c));
  CHECK_FALSE(geo::encode(0, -85.06, 26, &c));
  CHECK_FALSE(geo::encode(0, 0, 0, &c));
  CHECK_FALSE(geo::encode(0, 0, 33, &c));
  CHECK(geo::encode(-180, -85.05112878, 26, &c));
}

TEST_CASE("standard geohash strings") {
  CHECK(hash_of(3479099956230698.0) == "sqc8b49rny0");
  CHECK(hash_of(3479447370796909.0) == "sqdtr74hyu0");
  CHECK(hash_of(13510798882111488.0) == "bp05b5048p0");
  CHECK(hash_of(0) == "00bh0hbj200");
  CHECK(hash_of(3377699720527872.0) == "s0000000000");
}

TEST_CASE("neighbours are adjacent and wrap around") {
  geo::Cell c;
  REQUIRE(geo::encode(13.36, 38.11, 10, &c));
  geo::Area a, e, w, n, s, ne;
  geo::Neighbors nb = geo::neighbors(c);
  REQUIRE(geo::decode(c, &a));
  REQUIRE(geo::decode(nb.east, &e));
  REQUIRE(geo::decode(nb.west, &w));
  REQUIRE(geo::decode(nb.north, &n));
  REQUIRE(geo::decode(nb.south, &s));
  REQUIRE(geo::decode(nb.north_east, &ne));
  CHECK(e.lon.min == doctest::Approx(a.lon.max));
  CHECK(e.lat.min == a.lat.min);
  CHECK(w.lon.max == doctest::Approx(a.lon.min));
  CHECK(n.lat.min == doctest::Approx(a.lat.max));
  CHECK(n.lon.min == a.lon.min);
  CHECK(s.lat.max == doctest::Approx(a.lat.min));
  CHECK(ne.lon.min == doctest::Approx(a.lon.max));
  CHECK(ne.lat.min == doctest::Approx(a.lat.max));

  // The west neighbour of the first column is the last column.
  REQUIRE(geo::encode(-180, 0, 4, &c));
  REQUIRE(geo::decode(geo::neighbors(c).west, &w));
  CHECK(w.lon.max == doctest::Approx(180));
  // A cell's scores cover exactly its 52-bit prefix.
  uint64_t lo, hi;
  geo::cell_scores(geo::Cell{0x5, 2}, &lo, &hi);
  CHECK(lo == (uint64_t{5} << 48));
  CHECK(hi == (uint64_t{6} << 48));
}

TEST_CASE("step estimate") {
  CHECK(geo::steps_for_radius(0, 0) == 26);
  CHECK(geo::steps_for_radius(1, 0) == 24);
  CHECK(geo::steps_for_radius(1000, 0) == 14);
  CHECK(geo::steps_for_radius(1000, 70) == 13);
  CHECK(geo::steps_for_radius(1000, -81) == 12);
  CHECK(geo::steps_for_radius(5e7, 0) == 1);
  CHECK(geo::steps_for_radius(INFINITY, 0) == 1);
}

TEST_CASE("distances") {
  double lon1, lat1, lon2, lat2;
  geo::decode_score(3479099956230698.0, &lon1, &lat1);
  geo::decode_score(3479447370796909.0, &lon2, &lat2);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4f", geo::distance(lon1, lat1, lon2, lat2));
  CHECK(std::string(buf) == "166274.1516");  // GEODIST Sicily Palermo Catania
  CHECK(geo::distance(lon1, lat1, lon2, lat2) == geo::distance(lon2, lat2, lon1, lat1));
  CHECK(geo::distance(10, 20, 10, 20) == 0);
  // Same meridian: the latitude difference along it.
  CHECK(geo::distance(10, 0, 10, 1) == geo::lat_distance(0, 1));
  CHECK(geo::lat_distance(0, 1) == doctest::Approx(geo::kEarthRadiusM * M_PI / 180));
}

TEST_CASE("shape tests") {
  geo::Shape circle;
  circle.lon = 13.361389;
  circle.lat = 38.115556;
  circle.radius = 200;
  circle.conversion = 1000;  // km
  double lon, lat, dist;
  CHECK(geo::in_shape(circle, 3479447370796909.0, &lon, &lat, &dist));  // Catania, 166 km
  CHECK(dist == doctest::Approx(166274.15).epsilon(1e-6));
  circle.radius = 100;
  CHECK_FALSE(geo::in_shape(circle, 3479447370796909.0, &lon, &lat, &dist));

  geo::Shape box = circle;
  box.kind = geo::Shape::kBox;
  box.width = 400;  // Catania is ~150 km east and ~68 km south
  box.height = 200;
  CHECK(geo::in_shape(box, 3479447370796909.0, &lon, &lat, &dist));
  box.height = 100;
  CHECK_FALSE(geo::in_shape(box, 3479447370796909.0, &lon, &lat, &dist));
}

TEST_CASE("search cells cover the shape") {
  geo::Shape s;
  s.lon = 13.361389;
  s.lat = 38.115556;
  s.radius = 200;
  s.conversion = 1000;
  geo::SearchCells sc = geo::search_cells(s);
  CHECK_FALSE(sc.cells[0].none());
  // Every point of the circle's bounding box lies in one of the cells that are searched.
  for (double dlon = -2.2; dlon <= 2.2; dlon += 0.4) {
    for (double dlat = -1.7; dlat <= 1.7; dlat += 0.34) {
      uint64_t score = geo::score_of(s.lon + dlon, s.lat + dlat);
      bool found = false;
      for (const geo::Cell& c : sc.cells) {
        if (c.none()) continue;
        uint64_t lo, hi;
        geo::cell_scores(c, &lo, &hi);
        found |= score >= lo && score < hi;
      }
      CHECK(found);
    }
  }
}
