// Multi-key writes (MSET, MSETNX, RENAME, MOVE, DEL, UNLINK, FLUSHDB, and LMOVE/SMOVE of a last
// element) must look atomic to the single-key reads that take no lock (GET, EXISTS). Each case
// starts a server with four workers, so that the writer and the three readers, each on its own
// connection, land on different event loops; the readers start first, the writer begins once every
// reader has finished one round trip, and the readers stop once the writer is done.
//
// Every case is built so that a torn observation is recognisable from two replies alone: keys are
// never re-created, or versions only grow. A reader pipelines its GETs in a fixed order (the key
// the write reaches first is read first), so an atomic write can be seen before, after, or between
// the two GETs ("straddled"), but never half done ("torn"). Each loop stops after a fixed count or
// kBudget, whichever comes first, and each case asserts how much work was done, so that it cannot
// pass without having raced. The figures go to the doctest output (MESSAGE).
//
// Every case also passes against redis-server (RESPITE_SERVER_BIN=/usr/bin/redis-server), which
// checks the tests themselves (`threads` is dropped there).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/integration/harness.h"

using namespace respite::test;

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kReaders = 3;
constexpr int kWorkers = 4;
// Each case's wall-clock cap; the counts below normally end the loops well before it.
constexpr auto kBudget = std::chrono::seconds(10);
// A reader's loop bound by count (the time bound is the case's deadline).
constexpr long long kMaxReaderBatches = 10'000'000;
// Where the writer publishes the index it is about to write, a reader checks that index and the
// ones after it in one pipeline: by the time its GETs run, the writer may be several writes ahead
// (threads outnumber cores on a small machine), and later pairs in the pipeline run later.
constexpr long long kWindow = 16;

// What the readers saw: observations checked (pairs, or sequences for FLUSHDB), those whose reads
// fell on both sides of a write (proof that readers and writer overlapped), and torn ones, which
// an atomic write cannot produce.
struct Tally {
  long long checked = 0;
  long long straddled = 0;
  long long torn = 0;
  std::string example;  // the first torn observation
  std::string error;    // an unexpected reply or a lost connection; ends that reader

  void add(const Tally& o) {
    checked += o.checked;
    straddled += o.straddled;
    torn += o.torn;
    if (example.empty()) example = o.example;
    if (error.empty()) error = o.error;
  }
  void tear(const std::string& what) {
    if (torn++ == 0) example = what;
  }
};

// The value of a GET reply: nullopt for nil; an error reply or another type is a failure.
std::optional<std::string> value(const Reply& r) {
  if (r.is_nil()) return std::nullopt;
  if (r.type != Reply::Type::kString) throw std::runtime_error("unexpected reply " + r.to_string());
  return r.str;
}

// A GET reply that must be nil or `expected`.
bool present(const Reply& r, const std::string& expected) {
  std::optional<std::string> v = value(r);
  if (v && *v != expected) throw std::runtime_error("got " + *v + ", expected " + expected);
  return v.has_value();
}

void expect_ok(const Reply& r) {
  if (!r.is_ok()) throw std::runtime_error("expected OK, got " + r.to_string());
}

// Reader threads, each with its own connection, calling `batch` (one pipelined round trip, which
// adds to the thread's tally) until stopped, the deadline, or kMaxReaderBatches. The destructor
// stops and joins them, so that a failing writer never leaves a thread running.
class Readers {
 public:
  using Batch = std::function<void(Client&, Tally&)>;
  using Prepare = std::function<void(Client&)>;

  Readers(int port, Clock::time_point deadline, Batch batch, Prepare prepare = {})
      : tallies_(kReaders) {
    for (int r = 0; r < kReaders; ++r) {
      threads_.emplace_back([this, port, deadline, batch, prepare, &tally = tallies_[r]] {
        bool counted = false;
        try {
          Client c(port);
          if (prepare) prepare(c);
          for (long long n = 0; n < kMaxReaderBatches && !stop_.load() && Clock::now() < deadline;
               ++n) {
            batch(c, tally);
            if (!counted) {
              counted = true;
              ready_.fetch_add(1);
            }
          }
        } catch (const std::exception& e) {
          tally.error = e.what();
        }
        if (!counted) ready_.fetch_add(1);  // never leave the writer waiting
      });
    }
  }
  ~Readers() { finish(); }
  Readers(const Readers&) = delete;
  Readers& operator=(const Readers&) = delete;

  // Waits (spinning, bounded by the deadline) until every reader has finished one round trip or
  // given up: the writer starts only while all of them are reading.
  bool wait_ready(Clock::time_point deadline) {
    while (ready_.load() < kReaders) {
      if (Clock::now() >= deadline) return false;
      std::this_thread::yield();
    }
    return true;
  }

  // Stops and joins the readers; their tallies summed.
  Tally finish() {
    stop_.store(true);
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
    Tally sum;
    for (const Tally& t : tallies_) sum.add(t);
    return sum;
  }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> ready_{0};
  std::vector<Tally> tallies_;  // one per thread, read only after the join
  std::vector<std::thread> threads_;
};

// Loads keys with pipelined MSETs (setup only: no reader is running). `kv(i)` is the i-th pair.
void fill(Client& c, long long n,
          const std::function<std::pair<std::string, std::string>(long long)>& kv) {
  constexpr long long kPerMset = 500;
  constexpr int kInFlight = 20;
  int pending = 0;
  for (long long i = 0; i < n;) {
    std::vector<std::string> args{"MSET"};
    for (long long end = std::min(n, i + kPerMset); i < end; ++i) {
      auto [k, v] = kv(i);
      args.push_back(std::move(k));
      args.push_back(std::move(v));
    }
    c.append(args);
    if (++pending == kInFlight) {
      for (; pending > 0; --pending) expect_ok(c.get_reply());
    }
  }
  for (; pending > 0; --pending) expect_ok(c.get_reply());
}

// Prints the figures and checks them: no reader failed, enough writes and observations, none torn.
void report(const char* name, long long writes, long long min_writes, const Tally& t,
            long long min_checked, Clock::time_point start) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  MESSAGE(std::string(name) << ": " << writes << " writes; readers checked " << t.checked << ", "
                            << t.straddled << " straddled a write, " << t.torn << " torn"
                            << (t.torn ? " (first: " + t.example + ")" : std::string()) << "; "
                            << ms << " ms");
  CHECK_MESSAGE(t.error.empty(), "reader failed: " << t.error);
  CHECK(writes >= min_writes);
  CHECK(t.checked >= min_checked);
  CHECK(t.torn == 0);
}

std::string str(long long i) {
  return std::to_string(i);
}

// Keys of one multi-key write: "<prefix>k0" .. "<prefix>k199".
constexpr int kWidth = 200;
std::string wide_key(const std::string& prefix, int j) {
  return prefix + "k" + str(j);
}

}  // namespace

TEST_CASE("MSET is atomic for GET readers") {
  // Version i writes every key to i; reading k0 then k199, k0 > k199 means k0 was new and k199
  // still old: half an MSET.
  Fixture f(workers(kWorkers));
  constexpr long long kWrites = 10000;
  constexpr int kPairsPerBatch = 4;
  auto start = Clock::now(), deadline = start + kBudget;
  Readers readers(f.server.port(), deadline, [](Client& c, Tally& t) {
    for (int b = 0; b < kPairsPerBatch; ++b) {
      c.append({"GET", "k0"});
      c.append({"GET", wide_key("", kWidth - 1)});
    }
    for (int b = 0; b < kPairsPerBatch; ++b) {
      std::optional<std::string> a = value(c.get_reply()), z = value(c.get_reply());
      long long first = a ? std::stoll(*a) : 0, last = z ? std::stoll(*z) : 0;
      ++t.checked;
      if (first < last) ++t.straddled;
      if (first > last) t.tear("k0=" + str(first) + " then k199=" + str(last));
    }
  });
  REQUIRE(readers.wait_ready(deadline));
  std::vector<std::string> args{"MSET"};
  for (int j = 0; j < kWidth; ++j) args.insert(args.end(), {wide_key("", j), ""});
  long long writes = 0;
  for (long long i = 1; i <= kWrites && Clock::now() < deadline; ++i) {
    for (int j = 0; j < kWidth; ++j) args[2 + 2 * j] = str(i);
    REQUIRE(f.c.cmd(args).is_ok());
    ++writes;
  }
  report("MSET", writes, 500, readers.finish(), 5000, start);
}

TEST_CASE("MSETNX is atomic for GET readers") {
  // Round r creates the absent keys r:k0 .. r:k199. Reading r:k0 then r:k199, k0 present and k199
  // absent is half an MSETNX.
  Fixture f(workers(kWorkers));
  constexpr long long kRounds = 2500;  // 500k keys at most
  auto start = Clock::now(), deadline = start + kBudget;
  std::atomic<long long> progress{1};  // the round the writer is about to write
  auto prefix = [](long long r) { return str(r) + ":"; };
  Readers readers(f.server.port(), deadline, [&](Client& c, Tally& t) {
    long long p = progress.load();
    for (long long r = p; r < p + kWindow; ++r) {
      c.append({"GET", wide_key(prefix(r), 0)});
      c.append({"GET", wide_key(prefix(r), kWidth - 1)});
    }
    for (long long r = p; r < p + kWindow; ++r) {
      bool first = present(c.get_reply(), str(r)), last = present(c.get_reply(), str(r));
      ++t.checked;
      if (!first && last) ++t.straddled;
      if (first && !last) t.tear("round " + str(r) + ": k0 present, then k199 absent");
    }
  });
  REQUIRE(readers.wait_ready(deadline));
  std::vector<std::string> args{"MSETNX"};
  for (int j = 0; j < kWidth; ++j) args.insert(args.end(), {"", ""});
  long long writes = 0;
  for (long long r = 1; r <= kRounds && Clock::now() < deadline; ++r) {
    for (int j = 0; j < kWidth; ++j) {
      args[1 + 2 * j] = wide_key(prefix(r), j);
      args[2 + 2 * j] = str(r);
    }
    progress.store(r);
    REQUIRE(f.c.cmd(args) == Reply::Int(1));
    ++writes;
  }
  report("MSETNX", writes, 500, readers.finish(), 5000, start);
}

TEST_CASE("RENAME is atomic for GET readers") {
  // s:i (value v<i>) is renamed to d:i, in order of i; d:i is never removed. Reading s:i then d:i,
  // both absent means the source was gone before the destination appeared.
  Fixture f(workers(kWorkers));
  constexpr long long kKeys = 15000;
  auto start = Clock::now(), deadline = start + kBudget;
  fill(f.c, kKeys, [](long long i) { return std::pair("s:" + str(i), "v" + str(i)); });
  std::atomic<long long> progress{0};  // the key the writer is about to rename
  Readers readers(f.server.port(), deadline, [&](Client& c, Tally& t) {
    long long p = progress.load();
    for (long long i = p; i < std::min(p + kWindow, kKeys); ++i) {
      c.append({"GET", "s:" + str(i)});
      c.append({"GET", "d:" + str(i)});
    }
    for (long long i = p; i < std::min(p + kWindow, kKeys); ++i) {
      bool src = present(c.get_reply(), "v" + str(i)), dst = present(c.get_reply(), "v" + str(i));
      ++t.checked;
      if (src && dst) ++t.straddled;
      if (!src && !dst) t.tear("s:" + str(i) + " and d:" + str(i) + " both absent");
    }
  });
  REQUIRE(readers.wait_ready(deadline));
  long long writes = 0;
  for (long long i = 0; i < kKeys && Clock::now() < deadline; ++i) {
    progress.store(i);
    REQUIRE(f.c.cmd({"RENAME", "s:" + str(i), "d:" + str(i)}).is_ok());
    ++writes;
  }
  report("RENAME", writes, 500, readers.finish(), 5000, start);
}

TEST_CASE("MOVE is atomic for GET readers") {
  // m:i (value v<i>) moves from db 0 to db 1, in order of i. Reading it in db 0 then in db 1, both
  // absent means it left db 0 before it reached db 1.
  Fixture f(workers(kWorkers));
  constexpr long long kKeys = 15000;
  auto start = Clock::now(), deadline = start + kBudget;
  fill(f.c, kKeys, [](long long i) { return std::pair("m:" + str(i), "v" + str(i)); });
  std::atomic<long long> progress{0};  // the key the writer is about to move
  Readers readers(f.server.port(), deadline, [&](Client& c, Tally& t) {
    long long p = progress.load();
    for (long long i = p; i < std::min(p + kWindow, kKeys); ++i) {
      c.append({"GET", "m:" + str(i)});
      c.append({"SELECT", "1"});
      c.append({"GET", "m:" + str(i)});
      c.append({"SELECT", "0"});
    }
    for (long long i = p; i < std::min(p + kWindow, kKeys); ++i) {
      bool src = present(c.get_reply(), "v" + str(i));
      expect_ok(c.get_reply());
      bool dst = present(c.get_reply(), "v" + str(i));
      expect_ok(c.get_reply());
      ++t.checked;
      if (src && dst) ++t.straddled;
      if (!src && !dst) t.tear("m:" + str(i) + " absent from db 0 and then from db 1");
    }
  });
  REQUIRE(readers.wait_ready(deadline));
  long long writes = 0;
  for (long long i = 0; i < kKeys && Clock::now() < deadline; ++i) {
    progress.store(i);
    REQUIRE(f.c.cmd({"MOVE", "m:" + str(i), "1"}) == Reply::Int(1));
    ++writes;
  }
  report("MOVE", writes, 500, readers.finish(), 5000, start);
}

namespace {

// DEL or UNLINK of round r's 200 keys r:k0 .. r:k199 in one command, in order of r; keys are
// loaded in passes (while no reader runs) and never re-created. The command handles its keys in
// argument order, so reading r:k0 then r:k199, k0 absent and k199 present is half a delete.
void delete_many(const char* command) {
  Fixture f(workers(kWorkers));
  constexpr long long kPasses = 4, kRoundsPerPass = 500;  // 100k keys per pass
  auto start = Clock::now(), deadline = start + kBudget;
  auto prefix = [](long long r) { return str(r) + ":"; };
  long long writes = 0;
  Tally total;
  for (long long pass = 0; pass < kPasses && Clock::now() < deadline; ++pass) {
    long long first_round = pass * kRoundsPerPass;
    fill(f.c, kRoundsPerPass * kWidth, [&](long long i) {
      long long r = first_round + i / kWidth;
      return std::pair(wide_key(prefix(r), static_cast<int>(i % kWidth)), str(r));
    });
    std::atomic<long long> progress{first_round};  // the round the writer is about to delete
    Readers readers(f.server.port(), deadline, [&](Client& c, Tally& t) {
      long long p = progress.load();
      for (long long r = p; r < p + kWindow; ++r) {
        c.append({"GET", wide_key(prefix(r), 0)});
        c.append({"GET", wide_key(prefix(r), kWidth - 1)});
      }
      for (long long r = p; r < p + kWindow; ++r) {
        bool first = present(c.get_reply(), str(r)), last = present(c.get_reply(), str(r));
        ++t.checked;
        if (first && !last) ++t.straddled;
        if (!first && last) t.tear("round " + str(r) + ": k0 absent, then k199 present");
      }
    });
    REQUIRE(readers.wait_ready(deadline));
    std::vector<std::string> args(1 + kWidth);
    args[0] = command;
    for (long long r = first_round; r < first_round + kRoundsPerPass && Clock::now() < deadline;
         ++r) {
      for (int j = 0; j < kWidth; ++j) args[1 + j] = wide_key(prefix(r), j);
      progress.store(r);
      REQUIRE(f.c.cmd(args) == Reply::Int(kWidth));
      ++writes;
    }
    total.add(readers.finish());
  }
  report(command, writes, 500, total, 5000, start);
}

}  // namespace

// LMOVE / SMOVE of the only element: the source disappears and the destination appears in one
// step. src:i holds one element and moves to dst:i, in order of i. Reading dst:i then src:i, both
// present means the destination existed while the emptied source was still there.
void move_last_element(const char* name, const char* add,
                       const std::function<std::vector<std::string>(long long)>& move) {
  Fixture f(workers(kWorkers));
  constexpr long long kKeys = 15000;
  auto start = Clock::now(), deadline = start + kBudget;
  for (long long i = 0; i < kKeys;) {  // setup, no reader running: pipelined, 500 in flight
    long long end = std::min(kKeys, i + 500);
    for (long long j = i; j < end; ++j) f.c.append({add, "src:" + str(j), "e" + str(j)});
    for (; i < end; ++i) REQUIRE(f.c.get_reply() == Reply::Int(1));
  }
  std::atomic<long long> progress{0};  // the key the writer is about to move
  Readers readers(f.server.port(), deadline, [&](Client& c, Tally& t) {
    long long p = progress.load();
    for (long long i = p; i < std::min(p + kWindow, kKeys); ++i) {
      c.append({"EXISTS", "dst:" + str(i)});
      c.append({"EXISTS", "src:" + str(i)});
    }
    for (long long i = p; i < std::min(p + kWindow, kKeys); ++i) {
      bool dst = c.get_reply() == Reply::Int(1), src = c.get_reply() == Reply::Int(1);
      ++t.checked;
      if (!dst && !src) ++t.straddled;
      if (dst && src) t.tear("dst:" + str(i) + " and src:" + str(i) + " both present");
    }
  });
  REQUIRE(readers.wait_ready(deadline));
  long long writes = 0;
  for (long long i = 0; i < kKeys && Clock::now() < deadline; ++i) {
    progress.store(i);
    REQUIRE(f.c.cmd(move(i)).type != Reply::Type::kError);
    ++writes;
  }
  report(name, writes, 500, readers.finish(), 5000, start);
}

TEST_CASE("LMOVE of a list's last element is atomic for EXISTS readers") {
  move_last_element("LMOVE", "RPUSH", [](long long i) {
    return std::vector<std::string>{"LMOVE", "src:" + str(i), "dst:" + str(i), "LEFT", "RIGHT"};
  });
}

TEST_CASE("SMOVE of a set's last member is atomic for EXISTS readers") {
  move_last_element("SMOVE", "SADD", [](long long i) {
    return std::vector<std::string>{"SMOVE", "src:" + str(i), "dst:" + str(i), "e" + str(i)};
  });
}

TEST_CASE("DEL of many keys is atomic for GET readers") {
  delete_many("DEL");
}

TEST_CASE("UNLINK of many keys is atomic for GET readers") {
  delete_many("UNLINK");
}

TEST_CASE("FLUSHDB is atomic for GET readers") {
  // db 2 holds 50,000 keys; readers GET 16 of them, spread over the keyspace, forwards then
  // backwards, while the writer runs one FLUSHDB. Nothing re-creates a key during a pass, so once
  // one read finds its key absent, every later read in the sequence must too. Between passes the
  // readers are joined and db 2 is loaded again.
  Fixture f(workers(kWorkers));
  constexpr long long kKeys = 50000, kPasses = 10;
  constexpr int kProbes = 16;
  auto start = Clock::now(), deadline = start + kBudget;
  std::vector<std::string> order;
  for (int k = 0; k < kProbes; ++k) order.push_back("f:" + str(k * (kKeys / kProbes) + k));
  for (int k = kProbes - 1; k >= 0; --k) order.push_back(order[k]);
  REQUIRE(f.cmd({"SELECT", "2"}).is_ok());
  long long writes = 0;
  Tally total;
  for (long long pass = 0; pass < kPasses && Clock::now() < deadline; ++pass) {
    fill(f.c, kKeys, [](long long i) { return std::pair("f:" + str(i), "x"); });
    Readers readers(
        f.server.port(), deadline,
        [&](Client& c, Tally& t) {
          for (const std::string& k : order) c.append({"GET", k});
          std::optional<std::string> gone;  // the first key found absent
          bool straddled = false;
          std::string torn;
          for (size_t n = 0; n < order.size(); ++n) {
            bool here = present(c.get_reply(), "x");
            if (!here && !gone) {
              gone = order[n];
              straddled = n > 0;  // an earlier read found its key
            }
            if (here && gone && torn.empty()) {
              torn = *gone + " absent, then " + order[n] + " present";
            }
          }
          ++t.checked;
          if (!torn.empty()) {
            t.tear(torn);
          } else if (straddled) {
            ++t.straddled;
          }
        },
        [](Client& c) {
          expect_ok(c.cmd({"SELECT", "2"}));
        });
    REQUIRE(readers.wait_ready(deadline));
    REQUIRE(f.cmd({"FLUSHDB"}).is_ok());
    ++writes;
    total.add(readers.finish());
  }
  report("FLUSHDB", writes, 3, total, 100, start);
}
