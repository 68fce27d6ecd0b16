// Transparent compression of large string values (storage/compress.h): every string command gives
// on an LZ4-compressed value exactly what it gives on the same value stored raw. Each step runs
// twice, on a key written while compression-threshold is 0 ("raw" twin) and on one written while it
// is 16kb ("lz" twin), and both replies must be equal and match an in-test model. INFO
// compression's `compressions` counter (exact, unlike the live count, which lags behind frees by an
// epoch) shows which writes compressed. A threaded case has readers GET and GETRANGE
// self-describing values while writers overwrite and APPEND them.
//
// These are respite features: against redis-server (RESPITE_SERVER_BIN) the cases are skipped.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

using Clock = std::chrono::steady_clock;

// JSON-like text of n bytes: repetitive field names, varying values; LZ4 saves ~80% of it.
std::string json_text(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s = "[";
  for (int i = 0; s.size() < n; i++) {
    s += R"({"id":)" + std::to_string(i) + R"(,"name":"user)" + std::to_string(rng() % 100000) +
         R"(","email":"user)" + std::to_string(i) + R"(@example.com","score":)" +
         std::to_string(rng() % 1000) + "},";
  }
  s.resize(n);
  return s;
}

std::string random_bytes(size_t n, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

long long info(Fixture& f, const std::string& field) {
  return info_field(f.cmd({"INFO", "compression"}).str, field);
}

// The cases that count compressions per command compress in the write itself
// (compression-background no); the default, background compression, has cases of its own.
void compress_inline(Fixture& f) {
  REQUIRE(f.cmd({"CONFIG", "SET", "compression-background", "no"}) == Reply::Status("OK"));
}

// Until the background compressor has nothing queued or running (bounded).
bool compressor_idle(Fixture& f) {
  return poll_until([&] { return info(f, "compress_pending") == 0; }, std::chrono::seconds(30));
}

// Runs each command on both twins: "$K", "$K2", "$K3" name the twin's keys.
class Twins {
 public:
  explicit Twins(Fixture& f) : f_(f) {}

  // Both replies, which must be equal; returns the compressed twin's.
  Reply run(std::vector<std::string> args) {
    Reply raw = on(false, args);
    Reply lz = on(true, args);
    CAPTURE(args[0]);
    CHECK(raw == lz);
    return lz;
  }
  // Like run(), and checks how many compressions the compressed twin's command made.
  Reply write(std::vector<std::string> args, long long compressions) {
    Reply raw = on(false, args);
    long long before = info(f_, "compressions");
    Reply lz = on(true, args);
    CAPTURE(args[0]);
    CHECK(info(f_, "compressions") - before == compressions);
    CHECK(raw == lz);
    return lz;
  }
  // GET on both twins equals the model (nil when it is nullopt).
  void check(const std::string* model) {
    Reply r = run({"GET", "$K"});
    if (model == nullptr) {
      CHECK(r.is_nil());
    } else {
      REQUIRE(r.type == Reply::Type::kString);
      CHECK(r.str.size() == model->size());
      CHECK(r.str == *model);
    }
  }

 private:
  Reply on(bool compressed, std::vector<std::string> args) {
    REQUIRE(f_.cmd({"CONFIG", "SET", "compression-threshold", compressed ? "16kb" : "0"}).is_ok());
    for (std::string& a : args) {
      if (a == "$K") a = compressed ? "lz" : "raw";
      if (a == "$K2") a = compressed ? "lz2" : "raw2";
      if (a == "$K3") a = compressed ? "lz3" : "raw3";
    }
    return f_.c.cmd(args);
  }
  Fixture& f_;
};

// GETRANGE as Redis computes it, for the model.
std::string getrange(const std::string& s, long long start, long long end) {
  long long len = static_cast<long long>(s.size());
  if (start < 0 && end < 0 && start > end) return "";
  if (start < 0) start += len;
  if (end < 0) end += len;
  start = std::max(start, 0LL);
  end = std::max(end, 0LL);
  if (end >= len) end = len - 1;
  if (start > end || len == 0) return "";
  return s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1));
}

}  // namespace

TEST_CASE("every string command sees the original bytes of a compressed value") {
  Fixture f;
  if (!f.server.is_respite()) return;
  compress_inline(f);
  Twins t(f);
  std::string m = json_text(100000, 1);

  t.write({"SET", "$K", m}, 1);
  t.check(&m);
  CHECK(t.run({"STRLEN", "$K"}) == Reply::Int(100000));
  // MEMORY USAGE counts the stored (compressed) bytes.
  long long raw_mem = f.cmd({"MEMORY", "USAGE", "raw"}).integer;
  long long lz_mem = f.cmd({"MEMORY", "USAGE", "lz"}).integer;
  CHECK(raw_mem > 100000);
  CHECK(lz_mem < raw_mem / 2);

  const std::pair<long long, long long> ranges[] = {{0, -1},           {0, 0},
                                                    {5, 100},          {-100, -1},
                                                    {99990, 200000},   {-5, -10},
                                                    {50000, 40000},    {-1000000, 10},
                                                    {99999, 99999},    {100000, 100005},
                                                    {1, 65535},        {16384, 70000},
                                                    {-200000, -99990}, {0, 9223372036854775807LL}};
  for (auto [a, b] : ranges) {
    CAPTURE(a);
    CAPTURE(b);
    CHECK(t.run({"GETRANGE", "$K", std::to_string(a), std::to_string(b)}) ==
          Reply::Str(getrange(m, a, b)));
  }

  // APPEND and SETRANGE build a new value, compressed again.
  std::string add = json_text(2000, 2);
  m += add;
  CHECK(t.write({"APPEND", "$K", add}, 1) == Reply::Int(static_cast<long long>(m.size())));
  t.check(&m);
  m.replace(10, 5, "HELLO");
  CHECK(t.write({"SETRANGE", "$K", "10", "HELLO"}, 1) ==
        Reply::Int(static_cast<long long>(m.size())));
  t.check(&m);
  m.resize(150000, '\0');
  m += "tail";
  CHECK(t.write({"SETRANGE", "$K", "150000", "tail"}, 1) ==
        Reply::Int(static_cast<long long>(m.size())));
  t.check(&m);
  CHECK(t.write({"SETRANGE", "$K", "0", ""}, 0) == Reply::Int(static_cast<long long>(m.size())));
  CHECK(t.run({"STRLEN", "$K"}) == Reply::Int(static_cast<long long>(m.size())));

  // Counters refuse it, exactly as for a raw value.
  CHECK(t.write({"INCR", "$K"}, 0) == Reply::Err("ERR value is not an integer or out of range"));
  CHECK(t.write({"DECRBY", "$K", "3"}, 0).is_error());
  CHECK(t.write({"INCRBYFLOAT", "$K", "1.5"}, 0) == Reply::Err("ERR value is not a valid float"));
  t.check(&m);

  // GETEX (the value is kept, only the TTL changes), GETSET, SET ... GET, MGET.
  CHECK(t.write({"GETEX", "$K", "PX", "1000000"}, 0) == Reply::Str(m));
  CHECK(t.run({"GETEX", "$K", "PERSIST"}) == Reply::Str(m));
  CHECK(t.run({"TTL", "$K"}) == Reply::Int(-1));
  std::string m2 = json_text(70000, 3);
  CHECK(t.write({"GETSET", "$K", m2}, 1) == Reply::Str(m));
  std::string m3 = json_text(40000, 4);
  CHECK(t.write({"SET", "$K", m3, "GET"}, 1) == Reply::Str(m2));
  CHECK(t.run({"SET", "$K", m3, "NX", "GET"}) == Reply::Str(m3));
  CHECK(t.run({"MGET", "$K", "nosuchkey", "$K"}) ==
        Reply::Arr({Reply::Str(m3), Reply::Nil(), Reply::Str(m3)}));

  // COPY, RENAME and MOVE share the stored value: no compression, same bytes.
  CHECK(t.write({"COPY", "$K", "$K2"}, 0) == Reply::Int(1));
  CHECK(t.run({"GET", "$K2"}) == Reply::Str(m3));
  CHECK(t.write({"RENAME", "$K2", "$K3"}, 0) == OK());
  CHECK(t.run({"GET", "$K3"}) == Reply::Str(m3));
  CHECK(t.write({"APPEND", "$K3", "!"}, 1) == Reply::Int(40001));
  CHECK(t.run({"GET", "$K"}) == Reply::Str(m3));  // the copy's APPEND left the source alone
  CHECK(t.write({"MOVE", "$K3", "1"}, 0) == Reply::Int(1));
  CHECK(f.cmd({"SELECT", "1"}) == OK());
  CHECK(t.run({"GET", "$K3"}) == Reply::Str(m3 + "!"));
  CHECK(t.run({"STRLEN", "$K3"}) == Reply::Int(40001));
  CHECK(f.cmd({"SELECT", "0"}) == OK());

  // MSET compresses each large value.
  CHECK(t.write({"MSET", "$K2", m2, "$K3", "small"}, 1) == OK());
  CHECK(t.run({"GET", "$K2"}) == Reply::Str(m2));

  // GETDEL returns it once.
  CHECK(t.write({"GETDEL", "$K"}, 0) == Reply::Str(m3));
  t.check(nullptr);

  // Binary bytes that compress (long zero runs) round trip too.
  std::string bin(30000, '\0');
  for (size_t i = 0; i < bin.size(); i += 97) bin[i] = static_cast<char>(i);
  t.write({"SET", "$K", bin}, 1);
  t.check(&bin);
}

TEST_CASE("OBJECT ENCODING says lz4 for a compressed value") {
  Fixture f;
  if (!f.server.is_respite()) return;
  compress_inline(f);
  std::string big = json_text(50000, 5);
  CHECK(f.cmd({"SET", "z", big}) == OK());
  CHECK(f.cmd({"OBJECT", "ENCODING", "z"}) == Reply::Str("lz4"));
  CHECK(f.cmd({"SET", "r", random_bytes(50000, 6)}) == OK());
  CHECK(f.cmd({"OBJECT", "ENCODING", "r"}) == Reply::Str("raw"));
  CHECK(f.cmd({"APPEND", "z", "x"}).integer == 50001);
  CHECK(f.cmd({"OBJECT", "ENCODING", "z"}) == Reply::Str("lz4"));
  CHECK(f.cmd({"SET", "z", json_text(1000, 5)}) == OK());
  CHECK(f.cmd({"OBJECT", "ENCODING", "z"}) == Reply::Str("raw"));
}

TEST_CASE("INFO compression moves, and CONFIG SET changes the behaviour at once") {
  Fixture f;
  if (!f.server.is_respite()) return;
  compress_inline(f);
  std::string i0 = f.cmd({"INFO", "compression"}).str;
  CHECK(i0.rfind("# Compression\r\n", 0) == 0);
  CHECK(info_field(i0, "compression_threshold") == 16384);
  CHECK(info_field(i0, "compression_min_saving") == 10);
  CHECK(info_field(i0, "compressed_values") == 0);
  CHECK(info_field(i0, "compressions") == 0);
  CHECK(info_field(i0, "compress_skipped") == 0);
  // In the default INFO, after Memory.
  std::string all = f.cmd({"INFO"}).str;
  CHECK(all.find("# Compression\r\n") > all.find("# Memory\r\n"));
  CHECK(f.cmd({"CONFIG", "GET", "compression-threshold"}) ==
        Reply::StrArr({"compression-threshold", "16384"}));

  std::string v = json_text(1 << 20, 7);
  for (int i = 0; i < 3; i++) CHECK(f.cmd({"SET", "k" + std::to_string(i), v}) == OK());
  std::string i1 = f.cmd({"INFO", "compression"}).str;
  CHECK(info_field(i1, "compressions") == 3);
  CHECK(info_field(i1, "compressed_values") == 3);
  CHECK(info_field(i1, "compressed_values_raw_bytes") == 3 * (1 << 20));
  CHECK(info_field(i1, "compressed_bytes_raw") == 3 * (1 << 20));
  long long stored = info_field(i1, "compressed_bytes_stored");
  CHECK(stored > 0);
  CHECK(stored < (1 << 20));
  CHECK(info_field(i1, "compressed_values_stored_bytes") == stored);
  CHECK(i1.find("\r\ncompression_ratio:") != std::string::npos);
  CHECK(info_field(i1, "compression_ratio") >= 3);
  CHECK(info_field(i1, "compress_usec") > 0);

  CHECK(f.cmd({"GET", "k0"}) == Reply::Str(v));
  CHECK(info_field(f.cmd({"INFO", "compression"}).str, "decompress_usec") > 0);

  // Incompressible: tried, skipped, stored raw.
  CHECK(f.cmd({"SET", "rnd", random_bytes(40000, 8)}) == OK());
  CHECK(info(f, "compress_skipped") == 1);
  CHECK(info(f, "compressions") == 3);

  // Deleting frees them: the live count drops (once the epoch lets the memory go).
  CHECK(f.cmd({"DEL", "k0", "k1"}) == Reply::Int(2));
  CHECK(poll_until([&] { return info(f, "compressed_values") == 1; }, std::chrono::seconds(10)));
  CHECK(info(f, "compressed_values_raw_bytes") == (1 << 20));

  // Threshold 0: off at once. The next write of the same value is stored raw.
  CHECK(f.cmd({"CONFIG", "SET", "compression-threshold", "0"}) == OK());
  CHECK(f.cmd({"SET", "k3", v}) == OK());
  CHECK(info(f, "compressions") == 3);
  CHECK(f.cmd({"GET", "k3"}) == Reply::Str(v));
  // Memory-size syntax, as other directives.
  CHECK(f.cmd({"CONFIG", "SET", "compression-threshold", "2mb"}) == OK());
  CHECK(f.cmd({"CONFIG", "GET", "compression-threshold"}) ==
        Reply::StrArr({"compression-threshold", "2097152"}));
  CHECK(f.cmd({"SET", "k3", v}) == OK());  // 1 MiB < 2 MiB
  CHECK(info(f, "compressions") == 3);
  CHECK(f.cmd({"CONFIG", "SET", "compression-threshold", "1k"}) == OK());
  CHECK(f.cmd({"SET", "small", json_text(2000, 9)}) == OK());
  CHECK(info(f, "compressions") == 4);
  CHECK(f.cmd({"GET", "small"}) == Reply::Str(json_text(2000, 9)));

  // min-saving: 100 can never be met; 0 takes any saving.
  CHECK(f.cmd({"CONFIG", "SET", "compression-min-saving", "100"}) == OK());
  long long skipped = info(f, "compress_skipped");
  CHECK(f.cmd({"SET", "k4", v}) == OK());
  CHECK(info(f, "compressions") == 4);
  CHECK(info(f, "compress_skipped") == skipped + 1);
  CHECK(f.cmd({"CONFIG", "SET", "compression-min-saving", "0"}) == OK());
  CHECK(f.cmd({"SET", "k4", v}) == OK());
  CHECK(info(f, "compressions") == 5);
  CHECK(f.cmd({"CONFIG", "SET", "compression-min-saving", "101"}).is_error());
  CHECK(f.cmd({"CONFIG", "SET", "compression-threshold", "-1"}).is_error());
  CHECK(f.cmd({"GET", "k4"}) == Reply::Str(v));
}

// Readers GET and GETRANGE large compressed values while writers overwrite (SET, a new
// generation) and APPEND them. A value is generation g's records 0..n-1, each naming g, so any
// prefix of it, and any range containing a whole record, says which value it came from; for a
// generation, longer values extend shorter ones. Each key has one writer.
namespace {

constexpr int kWriters = 2, kKeysPerWriter = 2, kReaders = 3;
constexpr int kWriterRounds = 400;
constexpr auto kBudget = std::chrono::seconds(20);

std::string record(long long g, long long r) {
  return R"({"g":)" + std::to_string(g) + R"(,"r":)" + std::to_string(r) + R"(,"name":"user-)" +
         std::to_string(r % 977) + R"(","tags":["red","green","blue"]},)";
}

// Generation g's records, extended until at least n bytes.
class Model {
 public:
  const std::string& at_least(long long g, size_t n) {
    if (cache_.size() > 64) cache_.clear();
    auto& [s, next] = cache_[g];
    while (s.size() < n) s += record(g, next++);
    return s;
  }

 private:
  std::map<long long, std::pair<std::string, long long>> cache_;
};

// The generation named by the first whole record in s, or -1.
// A record cut inside its number (a range ending in `{"g":12` of `{"g":1200003,`) names nothing:
// only a number followed by its comma counts.
long long generation(const std::string& s) {
  size_t p = s.find(R"({"g":)");
  if (p == std::string::npos) return -1;
  size_t end = s.find(',', p + 5);
  if (end == std::string::npos || end == p + 5) return -1;
  return std::stoll(s.substr(p + 5, end - p - 5));
}

constexpr size_t kBaseRecords = 1200;  // ~90 KiB
constexpr size_t kAppendRecords = 30;

}  // namespace

// Readers GET and GETRANGE while writers overwrite and APPEND. kBackground: the compressor thread
// swaps compressed copies in under them too. kEvicting: maxmemory sits halfway between the empty
// and the loaded server, so writes evict the values being read (readers then see nil, and writers
// only SET: an APPEND to an evicted key would start a value the model cannot name).
enum class Mode { kInline, kBackground, kEvicting };
static void readers_against_writers(Mode mode) {
  Fixture f(workers(4));
  if (!f.server.is_respite()) return;
  const bool background = mode != Mode::kInline, evicting = mode == Mode::kEvicting;
  if (!background) compress_inline(f);
  const int port = f.server.port();
  const long long used_empty = info_field(f.cmd({"INFO", "memory"}).str, "used_memory");
  const long long compressions0 = info(f, "compressions");
  std::atomic<int> writers_left{kWriters};
  std::atomic<bool> failed{false};
  std::atomic<long long> checked{0}, ranges{0};
  auto deadline = Clock::now() + kBudget;
  std::vector<std::string> errors(kWriters + kReaders);

  auto key = [](int w, int k) { return "doc:" + std::to_string(w) + ":" + std::to_string(k); };
  // Every key exists before the readers start, so they never see nil.
  for (int w = 0; w < kWriters; w++) {
    for (int k = 0; k < kKeysPerWriter; k++) {
      std::string v;
      long long g = w * 1000000 + k * 10000;
      for (size_t r = 0; r < kBaseRecords; r++) v += record(g, static_cast<long long>(r));
      REQUIRE(f.cmd({"SET", key(w, k), v}) == OK());
    }
  }
  std::atomic<long long> misses{0}, refused{0};
  if (evicting) {
    REQUIRE(compressor_idle(f));
    long long used_full = info_field(f.cmd({"INFO", "memory"}).str, "used_memory");
    REQUIRE(f.cmd({"CONFIG", "SET", "maxmemory-policy", "allkeys-random"}) == OK());
    REQUIRE(f.cmd({"CONFIG", "SET", "maxmemory", std::to_string((used_empty + used_full) / 2)}) ==
            OK());
  }

  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; w++) {
    threads.emplace_back([&, w] {
      try {
        Client c(port);
        std::mt19937 rng(static_cast<uint32_t>(w));
        std::vector<long long> gen(kKeysPerWriter), next(kKeysPerWriter, kBaseRecords);
        for (int k = 0; k < kKeysPerWriter; k++) gen[k] = w * 1000000 + k * 10000;
        for (int i = 0; i < kWriterRounds && !failed && Clock::now() < deadline; i++) {
          int k = static_cast<int>(rng() % kKeysPerWriter);
          std::string v;
          if (evicting || rng() % 4 == 0) {  // a new generation
            gen[k]++;
            next[k] = 0;
            for (size_t r = 0; r < kBaseRecords; r++) v += record(gen[k], next[k]++);
            Reply sr = c.cmd({"SET", key(w, k), v});
            // Evicting, a SET may be refused when every key is gone and memory is still over the
            // limit: values that replies in flight hold, raw ones the compressor has not reached
            // yet. Redis answers OOM when nothing is left to evict too; nothing acknowledged is
            // lost, and the generation it would have written is simply never seen.
            if (evicting && sr.is_error() && sr.str.rfind("OOM ", 0) == 0) {
              refused++;
            } else if (!sr.is_ok()) {
              throw std::runtime_error("SET failed: " + sr.to_string());
            }
          } else {
            for (size_t r = 0; r < kAppendRecords; r++) v += record(gen[k], next[k]++);
            if (c.cmd({"APPEND", key(w, k), v}).type != Reply::Type::kInteger)
              throw std::runtime_error("APPEND failed");
          }
        }
      } catch (const std::exception& e) {
        errors[w] = e.what();
        failed = true;
      }
      writers_left--;
    });
  }
  for (int r = 0; r < kReaders; r++) {
    threads.emplace_back([&, r] {
      try {
        Client c(port);
        Model model;
        std::mt19937 rng(static_cast<uint32_t>(100 + r));
        long long n = 0;
        // At least a few rounds after the writers finish, bounded by count and time.
        for (; n < 100000 && !failed && Clock::now() < deadline; n++) {
          if (writers_left == 0 && n > 50) break;
          std::string k =
              key(static_cast<int>(rng() % kWriters), static_cast<int>(rng() % kKeysPerWriter));
          // One pipeline: the whole value, a prefix, and a range from the middle.
          long long a = rng() % 100000, b = a + rng() % 20000;
          long long e = rng() % 120000;
          c.append({"GET", k});
          c.append({"GETRANGE", k, "0", std::to_string(e)});
          c.append({"GETRANGE", k, std::to_string(a), std::to_string(b)});
          Reply whole = c.get_reply(), prefix = c.get_reply(), mid = c.get_reply();
          if (evicting && whole.is_nil()) {  // evicted (GETRANGE of a missing key gives "")
            misses++;
            continue;
          }
          for (const Reply* x : {&whole, &prefix, &mid})
            if (x->type != Reply::Type::kString)
              throw std::runtime_error("unexpected reply " + x->to_string());
          long long g = generation(whole.str);
          const std::string& want = model.at_least(g, whole.str.size());
          if (whole.str != want.substr(0, whole.str.size()) || whole.str.size() < 2 ||
              whole.str.compare(whole.str.size() - 2, 2, "},") != 0)
            throw std::runtime_error("GET " + k + ": not a whole value of generation " +
                                     std::to_string(g));
          // -1 only for a prefix too short to name it: then it is `{"g":` and digits, cut short.
          g = generation(prefix.str);
          auto unnamed_ok = [](const std::string& p) {
            size_t n = std::min<size_t>(p.size(), 5);
            if (p.compare(0, n, std::string(R"({"g":)"), 0, n) != 0) return false;
            return std::all_of(p.begin() + n, p.end(),
                               [](char ch) { return ch >= '0' && ch <= '9'; });
          };
          if (g < 0
                  ? !unnamed_ok(prefix.str)
                  : prefix.str != model.at_least(g, prefix.str.size()).substr(0, prefix.str.size()))
            throw std::runtime_error("GETRANGE 0 " + std::to_string(e) + " of " + k);
          // A range names its generation by its first whole record (ranges shorter than a record
          // may hold none: then only its length is checked).
          if (mid.str.size() > static_cast<size_t>(b - a + 1))
            throw std::runtime_error("GETRANGE too long");
          g = generation(mid.str);
          if (g >= 0) {
            const std::string& m = model.at_least(g, static_cast<size_t>(a) + mid.str.size());
            if (mid.str != m.substr(static_cast<size_t>(a), mid.str.size()))
              throw std::runtime_error("GETRANGE " + std::to_string(a) + " " + std::to_string(b) +
                                       " of " + k);
            ranges++;
          }
        }
        checked += n;
      } catch (const std::exception& ex) {
        errors[kWriters + r] = ex.what();
        failed = true;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& e : errors) CHECK_MESSAGE(e.empty(), e);
  MESSAGE("reads checked: " << checked.load() << ", mid ranges checked: " << ranges.load());
  CHECK(checked.load() > 100);
  CHECK(ranges.load() > 10);
  CHECK(info(f, "compress_skipped") == 0);
  if (evicting) {
    MESSAGE("reads of evicted keys: " << misses.load() << ", SETs refused: " << refused.load());
    CHECK(info_field(f.cmd({"INFO", "stats"}).str, "evicted_keys") > 0);
    return;
  }
  if (!background) {
    // Every SET and APPEND above compressed its value.
    CHECK(info(f, "compressions") - compressions0 >= kWriters * 10);
    return;
  }
  // Values rewritten before their turn were skipped; once the queue is empty, every key holds its
  // last value compressed.
  REQUIRE(compressor_idle(f));
  CHECK(info(f, "compressions") - compressions0 > 0);
  CHECK(info(f, "compress_dropped") == 0);
  for (int w = 0; w < kWriters; w++)
    for (int k = 0; k < kKeysPerWriter; k++)
      CHECK(f.cmd({"OBJECT", "ENCODING", key(w, k)}) == Reply::Str("lz4"));
}

TEST_CASE("readers see whole values while writers overwrite and APPEND compressed ones") {
  SUBCASE("compressing in the write") {
    readers_against_writers(Mode::kInline);
  }
  SUBCASE("compressing in the background") {
    readers_against_writers(Mode::kBackground);
  }
  SUBCASE("compressing in the background, evicting") {
    readers_against_writers(Mode::kEvicting);
  }
}

TEST_CASE("background compression: raw at once, lz4 soon, the same bytes throughout") {
  Fixture f;
  if (!f.server.is_respite()) return;
  CHECK(f.cmd({"CONFIG", "GET", "compression-background"}) ==
        Reply::StrArr({"compression-background", "yes"}));
  std::string a = json_text(40000, 11), b = json_text(30000, 12);
  REQUIRE(f.cmd({"SET", "a", a, "EX", "1000"}) == OK());
  // Right after the SET the value may be raw or already compressed: both read the same.
  CHECK(f.cmd({"GET", "a"}) == Reply::Str(a));
  REQUIRE(compressor_idle(f));
  CHECK(f.cmd({"OBJECT", "ENCODING", "a"}) == Reply::Str("lz4"));
  CHECK(f.cmd({"GET", "a"}) == Reply::Str(a));
  CHECK(f.cmd({"STRLEN", "a"}).integer == 40000);
  // The swap keeps the TTL.
  long long ttl = f.cmd({"TTL", "a"}).integer;
  CHECK(ttl > 900);
  CHECK(ttl <= 1000);
  // Incompressible values stay raw and are counted as not worth it.
  long long skipped = info(f, "compress_skipped");
  REQUIRE(f.cmd({"SET", "r", random_bytes(30000, 13)}) == OK());
  REQUIRE(compressor_idle(f));
  CHECK(f.cmd({"OBJECT", "ENCODING", "r"}) == Reply::Str("raw"));
  CHECK(info(f, "compress_skipped") == skipped + 1);
  // Many writes of one key: whatever ran when, the last value is what is stored, compressed.
  for (int i = 0; i < 50; i++) REQUIRE(f.cmd({"SET", "b", json_text(30000, 100 + i)}) == OK());
  REQUIRE(f.cmd({"SET", "b", b}) == OK());
  REQUIRE(compressor_idle(f));
  CHECK(f.cmd({"GET", "b"}) == Reply::Str(b));
  CHECK(f.cmd({"OBJECT", "ENCODING", "b"}) == Reply::Str("lz4"));
  // Under the threshold nothing is queued.
  long long made = info(f, "compressions");
  REQUIRE(f.cmd({"SET", "small", json_text(1000, 14)}) == OK());
  REQUIRE(compressor_idle(f));
  CHECK(info(f, "compressions") == made);
  CHECK(f.cmd({"OBJECT", "ENCODING", "small"}) == Reply::Str("raw"));
}
