// Unit tests for OutputBuffer: bytes come out in order across block boundaries and referenced
// values, partial writes (gather, then consume part of it) lose and repeat nothing, and the release
// callback of a referenced value runs exactly once whether the value is written, cleared or dropped
// with the buffer. memory() must return to zero when everything is written, and written blocks go
// back to a shared pool (block_pool.h), which keeps no more than its bound.
#include <doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "protocol/output_buffer.h"

using respite::protocol::BlockPool;
using respite::protocol::OutputBuffer;

namespace {

std::string pending(const OutputBuffer& out) {
  std::vector<iovec> iov(1024);
  size_t n = out.gather(iov.data(), iov.size());
  std::string s;
  for (size_t i = 0; i < n; ++i)
    s.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
  return s;
}

// Writes everything out `chunk` bytes at a time, as a slow socket would take it, with a small iovec
// array so that gather() cannot see the whole chain at once.
std::string drain(OutputBuffer& out, size_t chunk) {
  std::string written;
  while (!out.empty()) {
    iovec iov[3];
    size_t n = out.gather(iov, 3);
    REQUIRE(n > 0);
    size_t budget = chunk;
    size_t took = 0;
    for (size_t i = 0; i < n && budget > 0; ++i) {
      size_t k = iov[i].iov_len < budget ? iov[i].iov_len : budget;
      written.append(static_cast<const char*>(iov[i].iov_base), k);
      budget -= k;
      took += k;
    }
    out.consume(took);
  }
  return written;
}

std::string pattern(size_t n, int seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + seed * 7) & 0xff);
  return s;
}

void count_release(void* ctx) {
  ++*static_cast<int*>(ctx);
}

}  // namespace

TEST_CASE("appends cross block boundaries in order") {
  OutputBuffer out;
  CHECK(out.empty());
  CHECK(out.memory() == 0);
  std::string expect;
  for (int i = 0; i < 40; ++i) {
    std::string piece = pattern(static_cast<size_t>(i) * 997 + 1, i);
    out.append(piece);
    expect += piece;
  }
  CHECK(out.size() == expect.size());
  CHECK(pending(out) == expect);
  CHECK(out.memory() >= expect.size());
  CHECK(out.memory() % OutputBuffer::kBlockSize == 0);
  CHECK(drain(out, 5000) == expect);
  CHECK(out.size() == 0);
  CHECK(out.memory() == 0);
}

TEST_CASE("a single append larger than a block") {
  OutputBuffer out;
  std::string big = pattern(3 * OutputBuffer::kBlockSize + 17, 3);
  out.append("head", 4);
  out.append(big);
  CHECK(pending(out) == "head" + big);
  CHECK(drain(out, 1 << 20) == "head" + big);
}

TEST_CASE("reserve and commit") {
  OutputBuffer out;
  char* p = out.reserve(5);
  memcpy(p, "hello", 5);
  out.commit(3);
  CHECK(pending(out) == "hel");
  // Room larger than a block's, and an uncommitted reservation that leaves no trace.
  p = out.reserve(OutputBuffer::kBlockSize);
  memset(p, 'z', OutputBuffer::kBlockSize);
  out.commit(OutputBuffer::kBlockSize);
  out.reserve(100);
  out.commit(0);
  out.append("!", 1);
  CHECK(pending(out) == "hel" + std::string(OutputBuffer::kBlockSize, 'z') + "!");
  CHECK(out.size() == OutputBuffer::kBlockSize + 4);
  out.clear();
  CHECK(out.memory() == 0);
}

TEST_CASE("partial writes: every split of the pending bytes") {
  std::string expect;
  OutputBuffer probe;
  for (int i = 0; i < 3; ++i) expect += pattern(OutputBuffer::kBlockSize - 100, i);
  for (size_t chunk : {1ul, 7ul, 100ul, 4096ul, OutputBuffer::kBlockSize + 3}) {
    OutputBuffer out;
    out.append(expect);
    CAPTURE(chunk);
    CHECK(drain(out, chunk) == expect);
    CHECK(out.memory() == 0);
  }
}

TEST_CASE("references are released exactly once when written") {
  int released = 0;
  std::string value = pattern(50000, 9);
  OutputBuffer out;
  out.append("$50000\r\n");
  out.append_ref(value.data(), value.size(), count_release, &released);
  out.append("\r\n");
  CHECK(out.size() == 8 + value.size() + 2);
  CHECK(out.memory() >= value.size());
  CHECK(pending(out) == "$50000\r\n" + value + "\r\n");
  // Half the value written: still held.
  out.consume(8 + 25000);
  CHECK(released == 0);
  out.consume(24999);
  CHECK(released == 0);
  out.consume(1);
  CHECK(released == 1);
  CHECK(pending(out) == "\r\n");
  out.consume(2);
  CHECK(released == 1);
  CHECK(out.memory() == 0);
}

TEST_CASE("references are released exactly once when cleared or destroyed") {
  int released = 0;
  std::string value = pattern(9000, 1);
  {
    OutputBuffer out;
    out.append_ref(value.data(), value.size(), count_release, &released);
    out.consume(10);
    out.clear();
    CHECK(released == 1);
    CHECK(out.empty());
    CHECK(out.memory() == 0);
    out.append_ref(value.data(), value.size(), count_release, &released);
    out.append_ref(value.data(), value.size(), count_release, &released);
    CHECK(drain(out, 3000) == value + value);
    CHECK(released == 3);
    out.append_ref(value.data(), value.size(), count_release, &released);
  }
  CHECK(released == 4);
  // An empty value has nothing to wait for.
  OutputBuffer out;
  out.append_ref(value.data(), 0, count_release, &released);
  CHECK(released == 5);
  CHECK(out.empty());
}

TEST_CASE("interleaved copies and references keep their order") {
  int released = 0;
  std::vector<std::string> values;
  for (int i = 0; i < 20; ++i) values.push_back(pattern(8192 + static_cast<size_t>(i) * 333, i));
  OutputBuffer out;
  std::string expect;
  for (int i = 0; i < 20; ++i) {
    std::string pre = "#" + std::to_string(i);
    out.append(pre);
    out.append_ref(values[i].data(), values[i].size(), count_release, &released);
    expect += pre + values[i];
  }
  CHECK(pending(out) == expect);
  CHECK(drain(out, 10007) == expect);
  CHECK(released == 20);
  CHECK(out.memory() == 0);
  // The buffer is reusable after being drained.
  out.append("again");
  CHECK(pending(out) == "again");
  CHECK(out.memory() == OutputBuffer::kBlockSize);
  out.consume(5);
  CHECK(out.memory() == 0);
}

TEST_CASE("written blocks go back to the pool, which every buffer sharing it draws from") {
  BlockPool pool(2);
  OutputBuffer a(&pool), b(&pool);
  const std::string big = pattern(3 * OutputBuffer::kBlockSize, 7);
  a.append(big);  // four blocks
  CHECK(pool.kept() == 0);
  CHECK(drain(a, 5000) == big);
  // Drained: the buffer holds nothing, and the pool keeps only as many blocks as it may.
  CHECK(a.memory() == 0);
  CHECK(pool.kept() == 2);
  // Another connection's buffer takes a kept block instead of allocating one.
  b.append("+OK\r\n");
  CHECK(pool.kept() == 1);
  CHECK(pending(b) == "+OK\r\n");
  b.consume(5);
  CHECK(pool.kept() == 2);
  // A one-off block larger than a block's room is freed, never kept.
  char* p = b.reserve(2 * OutputBuffer::kBlockSize);
  CHECK(pool.kept() == 2);
  std::memset(p, 'z', 10);
  b.commit(10);
  CHECK(drain(b, 3) == std::string(10, 'z'));
  CHECK(pool.kept() == 2);
}

TEST_CASE("without a pool, written blocks are freed") {
  OutputBuffer out;
  out.append("abc");
  CHECK(out.memory() == OutputBuffer::kBlockSize);
  out.consume(3);
  CHECK(out.memory() == 0);
  out.append("d");
  CHECK(pending(out) == "d");
}

TEST_CASE("gather honours its iovec limit") {
  OutputBuffer out;
  std::string a = pattern(9000, 1), b = pattern(9000, 2);
  out.append("x", 1);
  out.append_ref(a.data(), a.size(), nullptr, nullptr);
  out.append("y", 1);
  out.append_ref(b.data(), b.size(), nullptr, nullptr);
  iovec iov[8];
  CHECK(out.gather(iov, 2) == 2);
  CHECK(iov[1].iov_base == a.data());
  CHECK(out.gather(iov, 8) == 4);
  CHECK(out.gather(iov, 0) == 0);
}

TEST_CASE("drain_to copies blocks and references out in order and releases them") {
  int released = 0;
  std::string value = pattern(20000, 3);
  OutputBuffer out;
  out.append("head");
  out.append_ref(value.data(), value.size(), count_release, &released);
  out.append(pattern(40000, 4));  // spans blocks
  out.consume(2);                 // a partly written head is not copied again
  std::string got = "pre:";
  out.drain_to(&got);
  CHECK(got == "pre:ad" + value + pattern(40000, 4));
  CHECK(released == 1);
  CHECK(out.empty());
  CHECK(out.memory() == 0);  // the spare block is not counted
  out.drain_to(&got);        // nothing pending: nothing appended
  CHECK(got.size() == 6 + value.size() + 40000);
}
