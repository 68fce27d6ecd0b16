// Generators for the bit commands (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO)
// and LCS / SUBSTR. Most go to three bitmap keys so that bits pile up on the same strings; the rest
// to the shared key pool, where they meet integers, text and other types (WRONGTYPE). Offsets
// include the edges of the proto-max-bulk-len limit, but a write never reaches far: a valid offset
// near 2^32 bits would make both servers allocate 512 MB.
#include "tests/differential/generator.h"

namespace respite::diff {

namespace {

std::string bit_key(Gen& g) {
  static const std::vector<std::string> bitmaps = {"bm0", "bm1", "bm2"};
  return g.chance(70) ? g.pick(bitmaps) : g.key();
}

// A bit offset for a write: small, sometimes invalid or out of range.
std::string write_offset(Gen& g) {
  static const std::vector<std::string> bad = {
      "-1", "abc", "", "1.5", "4294967296", "9223372036854775807", "18446744073709551616"};
  if (g.chance(8)) return g.pick(bad);
  return std::to_string(g.chance(70) ? g.range(0, 200) : g.range(0, 5000));
}

// A bit offset for a read: may be far past any string (2^32 - 1 is the last valid one).
std::string read_offset(Gen& g) {
  static const std::vector<std::string> far = {"4294967295", "4294967296", "100000000", "-1",
                                               "abc"};
  if (g.chance(12)) return g.pick(far);
  return write_offset(g);
}

// A BITCOUNT / BITPOS index: positive, negative, or not a number.
std::string index(Gen& g) {
  static const std::vector<std::string> odd = {"abc", "9223372036854775807", "-9223372036854775808",
                                               "1.0", "1000000"};
  if (g.chance(6)) return g.pick(odd);
  return std::to_string(g.range(-70, 70));
}

std::string unit(Gen& g) {
  static const std::vector<std::string> units = {"BYTE", "BIT", "bit", "byte", "BITS"};
  return g.pick(units);
}

Command setbit(Gen& g) {
  static const std::vector<std::string> values = {"0", "1", "1", "0", "2", "-1", "x", ""};
  return {{"SETBIT", bit_key(g), write_offset(g),
           g.chance(90) ? g.pick(values).substr(0, 1) : g.pick(values)}};
}

Command getbit(Gen& g) {
  return {{"GETBIT", bit_key(g), read_offset(g)}};
}

Command bitcount(Gen& g) {
  Command c{{"BITCOUNT", bit_key(g)}};
  int form = g.range(0, 9);
  if (form >= 3) c.args.insert(c.args.end(), {index(g), index(g)});
  if (form >= 6) c.args.push_back(unit(g));
  if (form == 9) c.args.push_back("extra");   // a syntax error
  if (form == 2) c.args.push_back(index(g));  // start without end: a syntax error
  return c;
}

Command bitpos(Gen& g) {
  static const std::vector<std::string> bits = {"0", "1", "1", "0", "2", "-1", "x"};
  Command c{{"BITPOS", bit_key(g),
             g.chance(92) ? bits[static_cast<size_t>(g.range(0, 3))] : g.pick(bits)}};
  int form = g.range(0, 9);
  if (form >= 2) c.args.push_back(index(g));
  if (form >= 5) c.args.push_back(index(g));
  if (form >= 7) c.args.push_back(unit(g));
  if (form == 9) c.args.push_back("extra");
  return c;
}

Command bitop(Gen& g) {
  static const std::vector<std::string> ops = {"AND", "OR", "XOR", "NOT", "and", "xor", "NAND"};
  Command c{{"BITOP", g.pick(ops), bit_key(g)}};
  // NOT takes one source; sometimes it is given two (an error).
  int n = c.args[1] == "NOT" ? (g.chance(90) ? 1 : 2) : g.range(1, 4);
  for (int i = 0; i < n; i++) c.args.push_back(bit_key(g));
  return c;
}

std::string field_type(Gen& g) {
  static const std::vector<std::string> odd = {"u64", "i65", "i0", "u0", "x8", "", "u", "I8"};
  if (g.chance(5)) return g.pick(odd);
  std::string t = g.chance(50) ? "i" : "u";
  static const std::vector<int> widths = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 31, 32, 33, 63};
  int w = g.chance(10) ? (t == "i" ? 64 : 63) : g.pick(widths);
  return t + std::to_string(w);
}

std::string field_offset(Gen& g, bool write) {
  if (g.chance(20)) return "#" + std::to_string(g.range(0, 20));
  return write ? write_offset(g) : read_offset(g);
}

std::string field_value(Gen& g) {
  static const std::vector<std::string> edges = {"0",
                                                 "1",
                                                 "-1",
                                                 "127",
                                                 "128",
                                                 "255",
                                                 "256",
                                                 "-128",
                                                 "-129",
                                                 "9223372036854775807",
                                                 "-9223372036854775808",
                                                 "4611686018427387904",
                                                 "abc",
                                                 "9223372036854775808"};
  if (g.chance(50)) return g.pick(edges);
  return std::to_string(g.range(-1000, 1000));
}

Command bitfield(Gen& g, bool read_only) {
  Command c{{read_only ? "BITFIELD_RO" : "BITFIELD", bit_key(g)}};
  int n = g.range(0, 4);
  for (int i = 0; i < n; i++) {
    int kind = read_only ? (g.chance(90) ? 0 : g.range(1, 3)) : g.range(0, 4);
    switch (kind) {
      case 0:
        c.args.insert(c.args.end(), {"GET", field_type(g), field_offset(g, false)});
        break;
      case 1:
        c.args.insert(c.args.end(), {"SET", field_type(g), field_offset(g, true), field_value(g)});
        break;
      case 2:
        c.args.insert(c.args.end(),
                      {"INCRBY", field_type(g), field_offset(g, true), field_value(g)});
        break;
      case 3: {
        static const std::vector<std::string> modes = {"WRAP", "SAT", "FAIL", "fail", "NOPE"};
        c.args.insert(c.args.end(), {"OVERFLOW", g.pick(modes)});
        break;
      }
      default:
        if (g.chance(30)) c.args.push_back(g.chance(50) ? "GET" : "FOO");  // missing arguments
        break;
    }
  }
  return c;
}

Command bitfield_rw(Gen& g) {
  return bitfield(g, false);
}
Command bitfield_ro(Gen& g) {
  return bitfield(g, true);
}

Command lcs(Gen& g) {
  Command c{{"LCS", g.key(), g.key()}};
  static const std::vector<std::string> opts = {"LEN",         "IDX", "WITHMATCHLEN",
                                                "MINMATCHLEN", "idx", "FOO"};
  int n = g.range(0, 3);
  for (int i = 0; i < n; i++) {
    const std::string& o = g.pick(opts);
    c.args.push_back(o);
    if (o == "MINMATCHLEN" && g.chance(90)) c.args.push_back(index(g));
  }
  return c;
}

Command substr(Gen& g) {
  return {{"SUBSTR", g.key(), g.offset_arg(), g.offset_arg()}};
}

}  // namespace

void add_bits_generators(std::vector<CommandGen>& out) {
  out.insert(out.end(), {
                            {"SETBIT", 40, setbit},
                            {"GETBIT", 20, getbit},
                            {"BITCOUNT", 25, bitcount},
                            {"BITPOS", 25, bitpos},
                            {"BITOP", 12, bitop},
                            {"BITFIELD", 30, bitfield_rw},
                            {"BITFIELD_RO", 8, bitfield_ro},
                            {"LCS", 10, lcs},
                            {"SUBSTR", 4, substr},
                        });
}

}  // namespace respite::diff
