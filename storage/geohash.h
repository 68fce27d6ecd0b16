// Geohash arithmetic for the GEO commands, computed exactly as Redis 7.0 computes it so that every
// digit the server prints (GEOPOS, GEODIST, WITHDIST, WITHHASH, GEOHASH) and every membership
// decision of a search matches Redis's.
//
// A point is stored as a sorted-set score: its longitude and latitude are each scaled to a 26-bit
// cell index (latitude over Redis's Web-Mercator limits, +-85.05112878, not +-90) and interleaved,
// latitude in the even bits and longitude in the odd ones: a 52-bit integer, exact in a double.
// Scores that share a prefix share a cell, so a cell of any coarser step is one score interval.
// A search covers its shape with the cell that holds the centre and the 8 around it, at a step
// chosen from the radius, reads those 9 score intervals and tests each point exactly.
//
// The floating point follows Redis's expressions operation for operation (same order, same
// constants, the same libm calls): the results are bit-identical only because of that, so do not
// "simplify" an expression here. Nothing here knows sorted sets or the network.
#pragma once

#include <cstddef>
#include <cstdint>

namespace respite::storage::geo {

constexpr double kLonMin = -180, kLonMax = 180;
constexpr double kLatMin = -85.05112878, kLatMax = 85.05112878;
constexpr int kStepMax = 26;  // 26 bits per coordinate: 52 bits, exact in a double
// Redis's EARTH_RADIUS_IN_METERS (the WGS-84 quadratic mean radius) and MERCATOR_MAX.
constexpr double kEarthRadiusM = 6372797.560856;
constexpr double kMercatorMax = 20037726.37;

struct Range {
  double min = 0, max = 0;
};

// A cell: `step` bits of each coordinate, interleaved. {0, 0} means "no cell" (a neighbour the
// search leaves out).
struct Cell {
  uint64_t bits = 0;
  uint8_t step = 0;
  bool none() const { return bits == 0 && step == 0; }
  bool operator==(const Cell& o) const { return bits == o.bits && step == o.step; }
};

struct Area {
  Range lon, lat;
};

// Cell index of a coordinate over `r`, `step` bits. False outside the WGS-84 limits or r.
bool encode(Range lon_r, Range lat_r, double lon, double lat, int step, Cell* out);
// Over Redis's limits (lon +-180, lat +-85.05112878).
bool encode(double lon, double lat, int step, Cell* out);
// The rectangle a cell covers (Redis's limits unless given).
bool decode(Range lon_r, Range lat_r, Cell c, Area* out);
bool decode(Cell c, Area* out);

// The sorted-set score of a point (GEOADD): its 26-step cell, 52 bits.
uint64_t score_of(double lon, double lat);
// A stored score back to the centre of its cell, clamped to the limits. Any score decodes (one
// that GEOADD did not make still lands somewhere), as in Redis.
void decode_score(double score, double* lon, double* lat);
// The 11-character standard geohash (latitude over +-90) of a stored score, into out[0..11).
void standard_hash(double score, char out[11]);

// The cell's first score and the first score past it, at 52-bit alignment.
void cell_scores(Cell c, uint64_t* min, uint64_t* max);

struct Neighbors {
  Cell north, south, east, west, north_east, north_west, south_east, south_west;
};
// The 8 cells around c, wrapping around at the edges of the index space.
Neighbors neighbors(Cell c);

// The step at which 9 cells cover a circle of `radius_m` metres around a point at `lat`.
int steps_for_radius(double radius_m, double lat);

// Great-circle distance in metres (haversine) and the distance along a meridian.
double distance(double lon1, double lat1, double lon2, double lat2);
double lat_distance(double lat1, double lat2);

// A search area: a circle (radius) or an axis-aligned box (width x height), around lon/lat, its
// sizes in the unit given by `conversion` (metres per unit).
struct Shape {
  enum Kind : uint8_t { kCircle, kBox };
  Kind kind = kCircle;
  double lon = 0, lat = 0;
  double radius = 0;
  double width = 0, height = 0;
  double conversion = 1;
};

// Whether the point stored as `score` is in the shape; fills its coordinates and its distance
// (metres) from the centre.
bool in_shape(const Shape& s, double score, double* lon, double* lat, double* dist);

// The 9 cells to read for a search, in Redis's order (centre, N, S, E, W, NE, NW, SE, SW); some
// are none() where the shape cannot reach them.
struct SearchCells {
  Cell cells[9];
};
SearchCells search_cells(const Shape& s);

}  // namespace respite::storage::geo
