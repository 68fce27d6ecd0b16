// respite-memload: the loader behind bench/memory.sh. It fills a server with keys whose values are
// known exactly (so the script can subtract the payload from the resident size) and times GETs of
// large values. Four subcommands, one job each, results on stdout as `name=value` words:
//
//   respite-memload load --port P --keys N --size S [--seed X] [--batch B]
//       SET key:0000000 .. key:<N-1> (fixed-length keys, zero-padded to at least 7 digits) to S
//       bytes each from a seeded PRNG, a different stream per key: incompressible, so a server
//       that compresses stores them raw and the per-key figure is about the table, not the codec.
//       Pipelined B SETs at a time (default 1000).
//   respite-memload big --port P --count N --size S [--seed X] [--batch B]
//       SET big:0000 .. big:<N-1> to S bytes of JSON-like text (arrays of objects with repeated
//       field names, numbers, dates and short made-up words), compressible about as much as real
//       API responses, a different document per key. B at a time (default 4).
//   respite-memload get --port P --count N --size S [--passes K] [--pipeline D] [--seed X]
//                       [--verify]
//       GETs big:0000 .. big:<N-1>, K passes (default 3), D requests in flight (default 4: a new
//       GET goes out as each reply completes). Replies are counted, not copied (one recv buffer);
//       each must be a bulk string of exactly S bytes. --verify instead does one untimed pass that
//       compares every byte with the regenerated document (for a server that compresses).
//   respite-memload json --size S [--seed X] [--index I]
//       writes document I to stdout (for `| lz4 | wc -c`: how compressible the big values are).
//
// Common options: --host H (default 127.0.0.1). Exit status 1 on any error reply or short read.
// The GET pass uses hiredis only to connect and then reads the socket itself: hiredis's reader
// reads 16 KiB at a time and copies every reply, which would make the client the bottleneck.
#include <hiredis/hiredis.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace respite::bench {
namespace {

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "respite-memload: %s\n", message.c_str());
  std::exit(1);
}

struct Options {
  std::string command;
  std::string host = "127.0.0.1";
  int port = 6379;
  uint64_t keys = 1'000'000;
  uint64_t count = 1000;
  uint64_t size = 32;
  uint64_t seed = 1;
  uint64_t batch = 0;  // 0: the subcommand's default
  uint64_t passes = 3;
  uint64_t pipeline = 4;
  uint64_t index = 0;
  bool verify = false;
};

uint64_t parse_number(const char* name, const char* text) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0') die(std::string("not a number for ") + name);
  return v;
}

Options parse_args(int argc, char** argv) {
  Options opt;
  if (argc < 2) die("usage: respite-memload load|big|get|json [options] (see memload.cpp)");
  opt.command = argv[1];
  for (int i = 2; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--verify") {
      opt.verify = true;
      continue;
    }
    if (i + 1 >= argc) die("missing value after " + std::string(arg));
    const char* value = argv[++i];
    if (arg == "--host") {
      opt.host = value;
    } else if (arg == "--port") {
      opt.port = static_cast<int>(parse_number("--port", value));
    } else if (arg == "--keys") {
      opt.keys = parse_number("--keys", value);
    } else if (arg == "--count") {
      opt.count = parse_number("--count", value);
    } else if (arg == "--size") {
      opt.size = parse_number("--size", value);
    } else if (arg == "--seed") {
      opt.seed = parse_number("--seed", value);
    } else if (arg == "--batch") {
      opt.batch = parse_number("--batch", value);
    } else if (arg == "--passes") {
      opt.passes = parse_number("--passes", value);
    } else if (arg == "--pipeline") {
      opt.pipeline = parse_number("--pipeline", value);
    } else if (arg == "--index") {
      opt.index = parse_number("--index", value);
    } else {
      die("unknown option " + std::string(arg));
    }
  }
  if (opt.pipeline == 0 || opt.passes == 0) die("--pipeline and --passes must be positive");
  return opt;
}

// splitmix64: tiny, fast, and every seed gives a full-quality stream, so one generator per key
// (seeded from the run's seed and the key's index) makes each value independent of the batch size.
struct Rng {
  uint64_t state;
  explicit Rng(uint64_t seed, uint64_t stream) : state(seed * 0x9E3779B97F4A7C15u ^ (stream + 1)) {
    next();
  }
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return next() % n; }
};

void random_bytes(Rng& rng, char* out, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const uint64_t v = rng.next();
    std::memcpy(out + i, &v, 8);
  }
  if (i < n) {
    const uint64_t v = rng.next();
    std::memcpy(out + i, &v, n - i);
  }
}

// Zero-padded names of one fixed length for the whole run: the script needs N * key_len exactly.
int digits_for(uint64_t n, int minimum) {
  int d = 1;
  for (uint64_t v = n > 0 ? n - 1 : 0; v >= 10; v /= 10) ++d;
  return d > minimum ? d : minimum;
}

std::string key_name(const char* prefix, int width, uint64_t i) {
  char buf[96];
  if (width > 20) width = 20;
  std::snprintf(buf, sizeof buf, "%s%0*" PRIu64, prefix, width, i);
  return buf;
}

// Made-up words of 2-4 syllables. Real documents repeat their words (names, cities, tags come
// from small sets), so each value draws from a fixed vocabulary of 4096 words built once, skewed
// towards its first entries like word frequencies are.
class Vocabulary {
 public:
  Vocabulary() {
    static constexpr const char* kSyllables[] = {
        "ka",  "lo",  "mi",  "ra",  "ten", "vo",  "shi", "an",  "de",  "ru",  "pel", "ix",  "or",
        "ba",  "nu",  "st",  "qua", "ze",  "li",  "mor", "ga",  "fe",  "to",  "yan", "be",  "ci",
        "du",  "ho",  "ja",  "ke",  "lu",  "ne",  "pi",  "so",  "ti",  "ve",  "wa",  "xo",  "yi",
        "zu",  "ar",  "el",  "in",  "on",  "ur",  "tra", "ble", "cri", "dro", "fla", "gri", "pro",
        "sca", "thi", "vra", "mon", "lin", "dor", "sen", "rix", "tal", "ven", "kor", "mal"};
    constexpr uint64_t kCount = sizeof kSyllables / sizeof kSyllables[0];
    Rng rng(0x564F43u, 0);
    words_.resize(kWords);
    for (auto& w : words_) {
      const uint64_t n = 2 + rng.below(3);
      for (uint64_t i = 0; i < n; ++i) w += kSyllables[rng.below(kCount)];
    }
  }
  // The smaller of two uniform draws: word k comes up with probability ~ 2(N-k)/N^2.
  const std::string& pick(Rng& rng) const {
    const uint64_t a = rng.below(kWords), b = rng.below(kWords);
    return words_[a < b ? a : b];
  }

 private:
  static constexpr uint64_t kWords = 4096;
  std::vector<std::string> words_;
};

void append_word(Rng& rng, std::string& out) {
  static const Vocabulary vocabulary;
  out += vocabulary.pick(rng);
}

void append_number(std::string& out, uint64_t v) {
  out += std::to_string(v);
}

template <size_t N>
const char* one_of(Rng& rng, const char* const (&choices)[N]) {
  return choices[rng.below(N)];
}

// One JSON object of a made-up API response (a user record): the same field names in the same
// order every time, enumerations (status, plan, country) and URLs built from the id, which is what
// makes real JSON compress; names, numbers, dates and a short text drawn at random, which is what
// keeps it from compressing to nothing.
void append_record(Rng& rng, uint64_t id, std::string& out) {
  static constexpr const char* kStatus[] = {"active", "active", "active", "pending", "suspended"};
  static constexpr const char* kPlan[] = {"free", "free", "pro", "team", "enterprise"};
  static constexpr const char* kCountry[] = {"US", "DE", "FR", "GB", "JP", "BR", "IN", "CA"};
  static constexpr const char* kRole[] = {"member", "member", "member", "admin", "owner"};
  const std::string ids = std::to_string(id);
  out += "{\"id\":" + ids + ",\"type\":\"user\",\"username\":\"";
  append_word(rng, out);
  append_number(out, rng.below(100));
  out += "\",\"name\":{\"first\":\"";
  append_word(rng, out);
  out += "\",\"last\":\"";
  append_word(rng, out);
  out += "\"},\"email\":\"";
  append_word(rng, out);
  out += "@example.com\",\"status\":\"";
  out += one_of(rng, kStatus);
  out += "\",\"plan\":\"";
  out += one_of(rng, kPlan);
  out += "\",\"role\":\"";
  out += one_of(rng, kRole);
  out += "\",\"verified\":";
  out += rng.below(4) == 0 ? "false" : "true";
  out += ",\"score\":";
  append_number(out, rng.below(100));
  out += '.';
  append_number(out, rng.below(10));
  out += ",\"logins\":";
  append_number(out, rng.below(1000));
  out += ",\"created_at\":\"202";
  append_number(out, rng.below(6));
  out += "-0";
  append_number(out, 1 + rng.below(9));
  out += '-';
  append_number(out, 10 + rng.below(19));
  out += "T00:00:00Z\",\"address\":{\"city\":\"";
  append_word(rng, out);
  out += "\",\"country\":\"";
  out += one_of(rng, kCountry);
  out += "\",\"zip\":\"";
  append_number(out, 10000 + rng.below(90000));
  out += "\"},\"tags\":[";
  const uint64_t tags = rng.below(4);
  for (uint64_t t = 0; t < tags; ++t) {
    if (t > 0) out += ',';
    out += '"';
    append_word(rng, out);
    out += '"';
  }
  out += "],\"bio\":\"";
  const uint64_t words = 2 + rng.below(5);
  for (uint64_t w = 0; w < words; ++w) {
    if (w > 0) out += ' ';
    append_word(rng, out);
  }
  out += "\",\"links\":{\"self\":\"https://api.example.com/v1/users/" + ids +
         "\",\"avatar\":\"https://cdn.example.com/avatars/" + ids + ".png\"},\"deleted_at\":null}";
}

// Document `index` of exactly `size` bytes: {"page":I,"items":[record,...]} with records added
// while they fit, then spaces (valid JSON whitespace) up to the size.
std::string json_document(uint64_t seed, uint64_t index, uint64_t size) {
  Rng rng(seed ^ 0x4A534F4Eu, index);
  std::string doc = "{\"page\":" + std::to_string(index) + ",\"items\":[";
  std::string record;
  uint64_t id = 100000 + index * 100000;
  bool first = true;
  for (;;) {
    record.clear();
    if (!first) record += ',';
    append_record(rng, id++, record);
    if (doc.size() + record.size() + 2 > size) break;
    doc += record;
    first = false;
  }
  if (doc.size() + 2 > size) die("--size too small for a JSON document");
  doc.append(size - doc.size() - 2, ' ');
  doc += "]}";
  return doc;
}

redisContext* connect(const Options& opt) {
  const timeval timeout{10, 0};
  redisContext* c = redisConnectWithTimeout(opt.host.c_str(), opt.port, timeout);
  if (c == nullptr || c->err) {
    die("cannot connect to " + opt.host + ":" + std::to_string(opt.port) + ": " +
        (c ? c->errstr : "out of memory"));
  }
  // The timeout applies to every later read too; a 1 MiB SET batch can take a while, not 10 s.
  const timeval io_timeout{120, 0};
  redisSetTimeout(c, io_timeout);
  return c;
}

// User plus system CPU seconds of this process so far.
double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Reads `n` replies to SETs; anything but +OK is fatal.
void expect_ok(redisContext* c, uint64_t n) {
  for (uint64_t i = 0; i < n; ++i) {
    void* raw = nullptr;
    if (redisGetReply(c, &raw) != REDIS_OK) die(std::string("connection: ") + c->errstr);
    auto* reply = static_cast<redisReply*>(raw);
    const bool ok = reply->type == REDIS_REPLY_STATUS && std::string_view(reply->str) == "OK";
    if (!ok) {
      const std::string text = reply->str ? reply->str : "(not a status reply)";
      freeReplyObject(reply);
      die("SET answered: " + text);
    }
    freeReplyObject(reply);
  }
}

// Pipelines SETs in batches: `make(i, buffer)` fills value i into `buffer` (of `size` bytes).
template <typename Make>
double set_all(const Options& opt, const char* prefix, int width, uint64_t n, uint64_t batch,
               uint64_t size, Make make) {
  redisContext* c = connect(opt);
  std::vector<char> values(batch * size);
  std::vector<std::string> keys(batch);
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t base = 0; base < n; base += batch) {
    const uint64_t m = n - base < batch ? n - base : batch;
    for (uint64_t j = 0; j < m; ++j) {
      keys[j] = key_name(prefix, width, base + j);
      char* value = values.data() + j * size;
      make(base + j, value);
      const char* argv[3] = {"SET", keys[j].data(), value};
      const size_t lens[3] = {3, keys[j].size(), size};
      if (redisAppendCommandArgv(c, 3, argv, lens) != REDIS_OK) die("out of memory");
    }
    expect_ok(c, m);
  }
  const double secs = seconds_since(start);
  redisFree(c);
  return secs;
}

int cmd_load(const Options& opt) {
  const int width = digits_for(opt.keys, 7);
  const uint64_t batch = opt.batch ? opt.batch : 1000;
  const uint64_t size = opt.size;
  const double secs = set_all(opt, "key:", width, opt.keys, batch, size, [&](uint64_t i, char* v) {
    Rng rng(opt.seed, i);
    random_bytes(rng, v, size);
  });
  std::printf("keys=%" PRIu64 " key_len=%d value_len=%" PRIu64 " seconds=%.3f\n", opt.keys,
              4 + width, size, secs);
  return 0;
}

int cmd_big(const Options& opt) {
  const int width = digits_for(opt.count, 4);
  const uint64_t batch = opt.batch ? opt.batch : 4;
  const double secs =
      set_all(opt, "big:", width, opt.count, batch, opt.size, [&](uint64_t i, char* v) {
        const std::string doc = json_document(opt.seed, i, opt.size);
        std::memcpy(v, doc.data(), doc.size());
      });
  std::printf("values=%" PRIu64 " key_len=%d value_len=%" PRIu64 " seconds=%.3f\n", opt.count,
              4 + width, opt.size, secs);
  return 0;
}

// Streams GET replies off the socket: each must be `$<size>\r\n<size bytes>\r\n`. With `expected`
// set, the body is compared with it (the document of the key the reply belongs to).
class ReplyStream {
 public:
  ReplyStream(int fd, uint64_t size) : fd_(fd), size_(size), buf_(4 << 20) {
    want_ = "$";
    want_ += std::to_string(size);
    want_ += "\r\n";
  }

  // Consumes one whole reply. `expected`: the bytes it must carry, or nullptr to only count them.
  void next(const char* expected) {
    // Header: "$<digits>\r\n", possibly split over reads.
    std::string header;
    for (;;) {
      if (pos_ == len_) fill();
      const char c = buf_[pos_++];
      header += c;
      if (header.size() >= 2 && header[header.size() - 2] == '\r' && c == '\n') break;
      if (header.size() > 64) die("reply header too long: " + header.substr(0, 64));
    }
    if (header != want_) {
      // Show the error text (or the wrong length) rather than a bare mismatch.
      std::string text = header.substr(0, header.size() - 2);
      if (!text.empty() && text[0] == '-') die("GET answered: " + text);
      die("GET answered " + text + ", expected a bulk string of " + std::to_string(size_) +
          " bytes");
    }
    uint64_t left = size_ + 2;  // body and its "\r\n"
    uint64_t offset = 0;
    while (left > 0) {
      if (pos_ == len_) fill();
      const uint64_t take = len_ - pos_ < left ? len_ - pos_ : left;
      if (expected != nullptr) {
        const uint64_t body = offset < size_ ? std::min<uint64_t>(take, size_ - offset) : 0;
        if (body > 0 && std::memcmp(buf_.data() + pos_, expected + offset, body) != 0) {
          die("GET returned different bytes than were SET (at offset " + std::to_string(offset) +
              ")");
        }
      }
      pos_ += take;
      offset += take;
      left -= take;
    }
    bytes_ += size_;
  }

  uint64_t bytes() const { return bytes_; }

 private:
  void fill() {
    for (;;) {
      const ssize_t n = ::recv(fd_, buf_.data(), buf_.size(), 0);
      if (n > 0) {
        pos_ = 0;
        len_ = static_cast<size_t>(n);
        return;
      }
      if (n == 0) die("server closed the connection");
      if (errno != EINTR) die(std::string("recv: ") + std::strerror(errno));
    }
  }

  int fd_;
  uint64_t size_;
  std::string want_;  // the header of a bulk string of size_ bytes
  std::vector<char> buf_;
  size_t pos_ = 0;
  size_t len_ = 0;
  uint64_t bytes_ = 0;
};

void send_all(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      die(std::string("send: ") + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
}

std::string get_request(int width, uint64_t i) {
  const std::string key = key_name("big:", width, i);
  return "*2\r\n$3\r\nGET\r\n$" + std::to_string(key.size()) + "\r\n" + key + "\r\n";
}

int cmd_get(const Options& opt) {
  const int width = digits_for(opt.count, 4);
  redisContext* c = connect(opt);
  const int fd = c->fd;  // hiredis connected it; from here on we read and write it ourselves
  // Keep the socket blocking without the read timeout hiredis set.
  const timeval no_timeout{0, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &no_timeout, sizeof no_timeout);
  ReplyStream replies(fd, opt.size);
  const uint64_t passes = opt.verify ? 1 : opt.passes;
  const uint64_t total = passes * opt.count;
  std::vector<std::string> requests;
  requests.reserve(opt.count);
  for (uint64_t i = 0; i < opt.count; ++i) requests.push_back(get_request(width, i));

  const double cpu_start = cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  uint64_t sent = 0;
  std::string window;
  for (; sent < total && sent < opt.pipeline; ++sent) window += requests[sent % opt.count];
  send_all(fd, window);
  for (uint64_t done = 0; done < total; ++done) {
    if (opt.verify) {
      const std::string doc = json_document(opt.seed, done % opt.count, opt.size);
      replies.next(doc.data());
    } else {
      replies.next(nullptr);
    }
    if (sent < total) send_all(fd, requests[sent++ % opt.count]);
  }
  const double secs = seconds_since(start);
  const double cpu = cpu_seconds() - cpu_start;
  redisFree(c);
  if (opt.verify) {
    std::printf("verified=%" PRIu64 " bytes=%" PRIu64 "\n", opt.count, replies.bytes());
  } else {
    std::printf("gets=%" PRIu64 " bytes=%" PRIu64 " seconds=%.3f mb_per_s=%.1f client_cpu=%.2f\n",
                total, replies.bytes(), secs, static_cast<double>(replies.bytes()) / secs / 1e6,
                cpu / secs);
  }
  return 0;
}

int cmd_json(const Options& opt) {
  const std::string doc = json_document(opt.seed, opt.index, opt.size);
  std::fwrite(doc.data(), 1, doc.size(), stdout);
  return 0;
}

}  // namespace
}  // namespace respite::bench

int main(int argc, char** argv) {
  using namespace respite::bench;
  const Options opt = parse_args(argc, argv);
  if (opt.command == "load") return cmd_load(opt);
  if (opt.command == "big") return cmd_big(opt);
  if (opt.command == "get") return cmd_get(opt);
  if (opt.command == "json") return cmd_json(opt);
  die("unknown subcommand " + opt.command + " (load, big, get or json)");
}
