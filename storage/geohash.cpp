// Geohash arithmetic (geohash.h). Every floating-point expression mirrors Redis 7.0's operation
// order on purpose: reordering a product or a sum changes the last bit, and with it a printed
// digit or whether a point on the edge of a search is in or out.
#include "storage/geohash.h"

#include <cmath>
#include <cstdint>

namespace respite::storage::geo {

namespace {

// Redis's D_R: degrees to radians, as the constant M_PI / 180.0 (not its DEG_TO_RAD literal,
// which it does not use; the two differ in the last bit).
constexpr double kDegToRad = M_PI / 180.0;

double deg_rad(double d) {
  return d * kDegToRad;
}
double rad_deg(double r) {
  return r / kDegToRad;
}

// Spreads the 32 bits of v to the even bit positions of a 64-bit word (bit i to bit 2i), by
// halving the distance between groups at each step: 16-bit groups, then 8, 4, 2, 1.
uint64_t spread(uint32_t v) {
  uint64_t x = v;
  x = (x | (x << 16)) & 0x0000FFFF0000FFFFull;
  x = (x | (x << 8)) & 0x00FF00FF00FF00FFull;
  x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0Full;
  x = (x | (x << 2)) & 0x3333333333333333ull;
  x = (x | (x << 1)) & 0x5555555555555555ull;
  return x;
}

// The inverse: the even bits of x gathered into 32 bits.
uint32_t gather(uint64_t x) {
  x &= 0x5555555555555555ull;
  x = (x | (x >> 1)) & 0x3333333333333333ull;
  x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0Full;
  x = (x | (x >> 4)) & 0x00FF00FF00FF00FFull;
  x = (x | (x >> 8)) & 0x0000FFFF0000FFFFull;
  x = (x | (x >> 16)) & 0x00000000FFFFFFFFull;
  return static_cast<uint32_t>(x);
}

// Latitude in the even bits, longitude in the odd bits.
uint64_t interleave(uint32_t lat, uint32_t lon) {
  return spread(lat) | (spread(lon) << 1);
}

// x86-64's cvttsd2si: truncation, and the "integer indefinite" 2^63 for NaN and out of range.
int64_t truncate_x86(double x) {
  if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0)) return INT64_MIN;
  return static_cast<int64_t>(x);
}

// What Redis's `(uint64_t)score` yields as GCC compiles it for x86-64: scores below 2^63 are
// truncated as signed (a negative score wraps), larger ones have 2^63 taken off first. A score
// GEOADD did not write (ZADD k -1 m; GEOPOS k m) decodes to the same place as in Redis.
uint64_t score_bits(double score) {
  constexpr double k2p63 = 9223372036854775808.0;
  if (score >= k2p63) return static_cast<uint64_t>(truncate_x86(score - k2p63)) ^ (1ull << 63);
  return static_cast<uint64_t>(truncate_x86(score));
}

// Moves one coordinate of a cell by d (+1 or -1) cells, modulo 2^step, leaving the other as it
// is (bits above the step included: a point on the upper limit has index 2^step).
Cell move(Cell c, bool lon_axis, int d) {
  uint32_t lat = gather(c.bits), lon = gather(c.bits >> 1);
  const uint32_t mask = static_cast<uint32_t>((uint64_t{1} << c.step) - 1);
  if (lon_axis)
    lon = (lon + static_cast<uint32_t>(d)) & mask;
  else
    lat = (lat + static_cast<uint32_t>(d)) & mask;
  return {interleave(lat, lon), c.step};
}

}  // namespace

bool encode(Range lon_r, Range lat_r, double lon, double lat, int step, Cell* out) {
  if (step > 32 || step <= 0) return false;
  if ((lat_r.min == 0 && lat_r.max == 0) || (lon_r.min == 0 && lon_r.max == 0)) return false;
  if (lon > kLonMax || lon < kLonMin || lat > kLatMax || lat < kLatMin) return false;
  out->bits = 0;
  out->step = static_cast<uint8_t>(step);
  if (lat < lat_r.min || lat > lat_r.max || lon < lon_r.min || lon > lon_r.max) return false;
  double lat_offset = (lat - lat_r.min) / (lat_r.max - lat_r.min);
  double lon_offset = (lon - lon_r.min) / (lon_r.max - lon_r.min);
  lat_offset *= static_cast<double>(1ull << step);
  lon_offset *= static_cast<double>(1ull << step);
  out->bits = interleave(static_cast<uint32_t>(lat_offset), static_cast<uint32_t>(lon_offset));
  return true;
}

bool encode(double lon, double lat, int step, Cell* out) {
  return encode({kLonMin, kLonMax}, {kLatMin, kLatMax}, lon, lat, step, out);
}

bool decode(Range lon_r, Range lat_r, Cell c, Area* out) {
  if (c.none() || (lat_r.min == 0 && lat_r.max == 0) || (lon_r.min == 0 && lon_r.max == 0))
    return false;
  const uint32_t ilat = gather(c.bits), ilon = gather(c.bits >> 1);
  const double cells = static_cast<double>(1ull << c.step);
  const double lat_scale = lat_r.max - lat_r.min, lon_scale = lon_r.max - lon_r.min;
  // ilat + 1 wraps in 32 bits, as Redis's uint32_t arithmetic does.
  const uint32_t ilat1 = ilat + 1, ilon1 = ilon + 1;
  out->lat.min = lat_r.min + (ilat * 1.0 / cells) * lat_scale;
  out->lat.max = lat_r.min + (ilat1 * 1.0 / cells) * lat_scale;
  out->lon.min = lon_r.min + (ilon * 1.0 / cells) * lon_scale;
  out->lon.max = lon_r.min + (ilon1 * 1.0 / cells) * lon_scale;
  return true;
}

bool decode(Cell c, Area* out) {
  return decode({kLonMin, kLonMax}, {kLatMin, kLatMax}, c, out);
}

uint64_t score_of(double lon, double lat) {
  Cell c;
  encode(lon, lat, kStepMax, &c);
  return c.bits << (52 - 2 * c.step);
}

void decode_score(double score, double* lon, double* lat) {
  Area a;
  decode(Cell{score_bits(score), kStepMax}, &a);
  double x = (a.lon.min + a.lon.max) / 2, y = (a.lat.min + a.lat.max) / 2;
  if (x > kLonMax) x = kLonMax;
  if (x < kLonMin) x = kLonMin;
  if (y > kLatMax) y = kLatMax;
  if (y < kLatMin) y = kLatMin;
  *lon = x;
  *lat = y;
}

void standard_hash(double score, char out[11]) {
  static constexpr char kAlphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  double lon, lat;
  decode_score(score, &lon, &lat);
  Cell c;
  encode({-180, 180}, {-90, 90}, lon, lat, kStepMax, &c);
  // 52 bits make ten 5-bit characters and 2 bits; the 11th character is always '0', as Redis
  // prints it for compatibility with the 11-character form.
  for (int i = 0; i < 10; i++) out[i] = kAlphabet[(c.bits >> (52 - (i + 1) * 5)) & 0x1f];
  out[10] = '0';
}

void cell_scores(Cell c, uint64_t* min, uint64_t* max) {
  const int shift = 52 - 2 * c.step;
  *min = c.bits << shift;
  *max = (c.bits + 1) << shift;
}

Neighbors neighbors(Cell c) {
  Neighbors n;
  n.east = move(c, true, 1);
  n.west = move(c, true, -1);
  n.south = move(c, false, -1);
  n.north = move(c, false, 1);
  n.north_west = move(move(c, true, -1), false, 1);
  n.north_east = move(move(c, true, 1), false, 1);
  n.south_east = move(move(c, true, 1), false, -1);
  n.south_west = move(move(c, true, -1), false, -1);
  return n;
}

int steps_for_radius(double radius_m, double lat) {
  if (radius_m == 0) return 26;
  int step = 1;
  while (radius_m < kMercatorMax) {
    radius_m *= 2;
    step++;
  }
  step -= 2;  // so that the radius fits in most cases
  // Cells narrow towards the poles: go one or two steps coarser there.
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

double lat_distance(double lat1, double lat2) {
  return kEarthRadiusM * std::fabs(deg_rad(lat2) - deg_rad(lat1));
}

double distance(double lon1, double lat1, double lon2, double lat2) {
  const double lon1r = deg_rad(lon1), lon2r = deg_rad(lon2);
  const double v = std::sin((lon2r - lon1r) / 2);
  // Same meridian: the haversine reduces to the latitude difference (and skips the slow math).
  if (v == 0.0) return lat_distance(lat1, lat2);
  const double lat1r = deg_rad(lat1), lat2r = deg_rad(lat2);
  const double u = std::sin((lat2r - lat1r) / 2);
  const double a = u * u + std::cos(lat1r) * std::cos(lat2r) * v * v;
  return 2.0 * kEarthRadiusM * std::asin(std::sqrt(a));
}

bool in_shape(const Shape& s, double score, double* lon, double* lat, double* dist) {
  decode_score(score, lon, lat);
  if (s.kind == Shape::kCircle) {
    const double limit = s.radius * s.conversion;
    // A great circle is never shorter than its latitude difference (the haversine of the angle is
    // at least that of the latitude difference), so a point that far in latitude alone is out,
    // and most candidates of the 9 cells are turned away without the trigonometry. The margin,
    // far above the rounding error of either formula, keeps every point Redis would accept.
    if (lat_distance(*lat, s.lat) > limit * (1 + 1e-9) + 1e-6) return false;
    *dist = distance(s.lon, s.lat, *lon, *lat);
    return !(*dist > limit);
  }
  const double width_m = s.width * s.conversion, height_m = s.height * s.conversion;
  // The cheap latitude test first.
  if (lat_distance(*lat, s.lat) > height_m / 2) return false;
  if (distance(*lon, *lat, s.lon, *lat) > width_m / 2) return false;
  *dist = distance(s.lon, s.lat, *lon, *lat);
  return true;
}

SearchCells search_cells(const Shape& s) {
  // The bounding box of the shape. Meridians converge towards the poles, so the box is widest on
  // its edge nearer the equator: the top edge in the southern hemisphere, the bottom one in the
  // northern.
  const double height = s.conversion * (s.kind == Shape::kCircle ? s.radius : s.height / 2);
  const double width = s.conversion * (s.kind == Shape::kCircle ? s.radius : s.width / 2);
  const double lat_delta = rad_deg(height / kEarthRadiusM);
  const double lon_delta_top =
      rad_deg(width / kEarthRadiusM / std::cos(deg_rad(s.lat + lat_delta)));
  const double lon_delta_bottom =
      rad_deg(width / kEarthRadiusM / std::cos(deg_rad(s.lat - lat_delta)));
  const bool south = s.lat < 0;
  const double min_lon = south ? s.lon - lon_delta_bottom : s.lon - lon_delta_top;
  const double max_lon = south ? s.lon + lon_delta_bottom : s.lon + lon_delta_top;
  const double min_lat = s.lat - lat_delta, max_lat = s.lat + lat_delta;

  // A box's radius is its half-diagonal.
  double radius_m =
      s.kind == Shape::kCircle
          ? s.radius
          : std::sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2));
  radius_m *= s.conversion;

  int steps = steps_for_radius(radius_m, s.lat);
  Cell centre;
  encode(s.lon, s.lat, steps, &centre);
  Neighbors n = neighbors(centre);
  Area area;
  decode(centre, &area);

  // Near a cell's edge the estimated step may leave part of the box outside the 9 cells: one
  // step coarser then.
  Area north, south_a, east, west;
  decode(n.north, &north);
  decode(n.south, &south_a);
  decode(n.east, &east);
  decode(n.west, &west);
  const bool coarser = north.lat.max < max_lat || south_a.lat.min > min_lat ||
                       east.lon.max < max_lon || west.lon.min > min_lon;
  if (steps > 1 && coarser) {
    steps--;
    encode(s.lon, s.lat, steps, &centre);
    n = neighbors(centre);
    decode(centre, &area);
  }

  // Leave out the neighbours the box cannot reach.
  if (steps >= 2) {
    if (area.lat.min < min_lat) n.south = n.south_west = n.south_east = Cell{};
    if (area.lat.max > max_lat) n.north = n.north_east = n.north_west = Cell{};
    if (area.lon.min < min_lon) n.west = n.south_west = n.north_west = Cell{};
    if (area.lon.max > max_lon) n.east = n.south_east = n.north_east = Cell{};
  }
  return {{centre, n.north, n.south, n.east, n.west, n.north_east, n.north_west, n.south_east,
           n.south_west}};
}

}  // namespace respite::storage::geo
