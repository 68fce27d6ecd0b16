// The command generator of the differential test. It is table-driven: each command family has its
// own file (gen_strings.cpp, gen_keys.cpp, gen_server.cpp, ...) with one function per command that
// builds a random instance of it, and one add_*_generators() that lists them with a weight. A later
// family (hashes, lists, ...) adds a file and one line in all_generators().
//
// Everything random comes from one seeded engine, so a seed reproduces its stream exactly. The
// generator draws from small pools (about 20 keys, a few values) so that commands collide on the
// same keys, and it only emits commands whose replies are deterministic across two servers run side
// by side: see the time rules on Gen::rel_seconds().
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace respite::diff {

// How the two replies of a command are compared. Only what Redis leaves unspecified is normalised.
enum class Compare : uint8_t {
  kExact,
  kSortedArray,  // KEYS: same elements, any order
  kNilOrNot,     // RANDOMKEY: only whether there was a key
  kTtlSeconds,   // TTL, EXPIRETIME: negatives exact, otherwise within 1
  kTtlMillis,    // PTTL, PEXPIRETIME: negatives exact, otherwise within 1000
  kScanAll,      // SCAN / HSCAN / SSCAN / ZSCAN with cursor 0: the harness iterates to cursor 0;
                 // the sets of items (field-value pairs for HSCAN and ZSCAN) must match
  kSortedPairs,  // HGETALL of a large hash: the same (field, value) pairs in any order
  kLength,       // SPOP / SRANDMEMBER / HRANDFIELD / ZRANDMEMBER with a count: random elements,
                 // so only the reply's type and its number of elements (errors exactly)
  // XINFO, XPENDING's extended form: exact, but for the clock (idle times, seen and delivery
  // times) and the shape of Redis's radix tree (radix-tree-*).
  kStreamMasked,
};

struct Command {
  std::vector<std::string> args;
  Compare compare = Compare::kExact;
  int conn = 0;             // which of the two connections sends it (gen_transactions.cpp)
  bool multi_only = false;  // sent only while connection 0 is in MULTI (a PING otherwise)
};

class Gen {
 public:
  // `base_time_s` is the wall clock when the run started; `count` the stream length (it sizes the
  // expiry buckets, see rel_seconds()).
  Gen(uint64_t seed, long long base_time_s, int count);

  // The position of the command being generated; the harness sets it before each command.
  void set_index(int index) { index_ = index; }
  int index() const { return index_; }

  // Random primitives. The engine is std::mt19937_64 (fully specified by the standard); ranges are
  // reduced by hand because the standard distributions differ between library implementations.
  uint64_t next();
  int range(int lo, int hi);  // inclusive
  bool chance(int percent);
  template <typename T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(range(0, static_cast<int>(v.size()) - 1))];
  }

  // Pools.
  const std::string& key();
  std::vector<std::string> keys(int min, int max);
  std::string value();       // any value: text, integers, floats, binary, long
  std::string int_arg();     // an INCRBY-style argument, sometimes invalid
  std::string float_arg();   // an INCRBYFLOAT argument, sometimes invalid
  std::string offset_arg();  // a GETRANGE index, sometimes negative or invalid
  std::string db();          // usually 0-3, sometimes out of range or not a number
  std::string pattern();     // a glob for KEYS / SCAN MATCH

  // Expiry times. Two servers execute the same command a few microseconds apart, so a TTL set
  // relative to "now" differs slightly between them. Replies stay deterministic if
  //  - relative times never let a key expire during the run (they are huge),
  //  - a relative time never ties with an earlier one: within a bucket it grows with the command
  //    index (so NX/XX/GT/LT comparisons have a definite answer on both servers), and seconds and
  //    milliseconds forms use different buckets,
  //  - absolute future times lie far from every relative bucket, and absolute past times delete
  //    the key at once (EXPIREAT/PEXPIREAT/GETEX delete immediately; SET ... EXAT in the past does
  //    not, so SET never gets one).
  std::string rel_seconds();
  std::string rel_millis();
  std::string abs_seconds(bool allow_past);
  std::string abs_millis(bool allow_past);
  // A bad expire argument: zero, negative, too large, or not a number.
  std::string bad_expire();

 private:
  std::mt19937_64 engine_;
  long long base_time_s_;
  long long bucket_unit_s_;
  int index_ = 0;
};

using GenFn = Command (*)(Gen&);

struct CommandGen {
  const char* name;
  int weight;  // relative frequency
  GenFn fn;
};

// One per family file.
void add_string_generators(std::vector<CommandGen>& out);
void add_key_generators(std::vector<CommandGen>& out);
void add_server_generators(std::vector<CommandGen>& out);
void add_hashes_generators(std::vector<CommandGen>& out);
void add_lists_generators(std::vector<CommandGen>& out);
void add_sets_generators(std::vector<CommandGen>& out);
void add_zsets_generators(std::vector<CommandGen>& out);
void add_transactions_generators(std::vector<CommandGen>& out);
void add_functions_generators(std::vector<CommandGen>& out);
void add_bits_generators(std::vector<CommandGen>& out);
void add_hll_generators(std::vector<CommandGen>& out);
void add_geo_generators(std::vector<CommandGen>& out);
void add_streams_generators(std::vector<CommandGen>& out);

// Every family, in a fixed order (the order is part of what a seed means); with
// RESPITE_DIFF_FAMILIES set (e.g. "hashes,strings,keys"), only those families. "transactions",
// "functions", "bits" and "hll" are only used when named there, so that the streams of the other
// seeds keep their meaning.
std::vector<CommandGen> all_generators();

// Picks a generator by weight and runs it.
Command generate(Gen& g, const std::vector<CommandGen>& table);

}  // namespace respite::diff
