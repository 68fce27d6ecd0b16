// libFuzzer target for the RESP request parser. Each input is parsed the way a connection would
// (complete commands consumed from the front of the buffer) whole and in several split patterns,
// some with the buffer moved between calls, under default and under tight limits. It aborts when
// an invariant breaks: consumed within the buffer, multibulk arguments inside the command's bytes,
// bytes_hint beyond what is buffered, errors latching, and the same commands and outcome however
// the bytes were split. Parsed commands are then encoded with ReplyWriter and parsed back.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "protocol/output_buffer.h"
#include "protocol/reply_writer.h"
#include "protocol/request_parser.h"

using namespace respite::protocol;

namespace {

using Command = std::vector<std::string>;

struct Outcome {
  std::vector<Command> commands;
  std::string error;
  size_t leftover = 0;
  bool operator==(const Outcome&) const = default;
};

void check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "invariant broken: %s\n", what);
    abort();
  }
}

Outcome feed(const std::string& input, const std::vector<size_t>& pieces, bool move,
             const ParserLimits& limits) {
  RequestParser parser(limits);
  Outcome out;
  std::string buf;
  size_t fed = 0, k = 0;
  while (fed < input.size()) {
    size_t n = pieces[k % pieces.size()];
    ++k;
    if (n > input.size() - fed) n = input.size() - fed;
    buf.append(input, fed, n);
    fed += n;
    if (move) buf = std::string(buf.data(), buf.size());
    for (;;) {
      ParseStatus st = parser.parse(buf.data(), buf.size());
      if (st == ParseStatus::kError) {
        check(parser.failed() && !parser.error().empty(), "error text");
        check(parser.parse(buf.data(), buf.size()) == ParseStatus::kError, "error latches");
        out.error = parser.error();
        return out;
      }
      if (st == ParseStatus::kNeedMore) {
        check(parser.bytes_hint() == 0 || parser.bytes_hint() > buf.size(), "bytes_hint");
        break;
      }
      size_t used = parser.consumed();
      check(used > 0 && used <= buf.size(), "consumed within the buffer");
      Command cmd;
      for (auto a : parser.args()) {
        if (buf[0] == '*') {
          check(a.data() >= buf.data() && a.data() + a.size() <= buf.data() + used,
                "argument inside the command");
        } else {
          check(a.size() < used, "inline argument shorter than its line");
        }
        cmd.emplace_back(a);
      }
      out.commands.push_back(std::move(cmd));
      buf.erase(0, used);
      if (buf.empty()) break;
    }
  }
  out.leftover = buf.size();
  return out;
}

// Encodes a command as a RESP array of bulks, drains the chain in odd-sized writes, and parses it.
void round_trip(const Command& cmd, int resp) {
  OutputBuffer out;
  ReplyWriter w(&out);
  w.set_resp(resp);
  w.array(cmd.size());
  for (const auto& a : cmd) w.bulk(a);
  std::string wire;
  while (!out.empty()) {
    iovec iov[4];
    size_t n = out.gather(iov, 4);
    size_t take = 0;
    for (size_t i = 0; i < n && take < 5000; ++i) {
      size_t k = iov[i].iov_len < 5000 - take ? iov[i].iov_len : 5000 - take;
      wire.append(static_cast<const char*>(iov[i].iov_base), k);
      take += k;
    }
    out.consume(take);
  }
  check(out.memory() == 0, "drained chain holds nothing");
  RequestParser p;
  if (cmd.empty()) {
    check(p.parse(wire.data(), wire.size()) == ParseStatus::kOk && p.args().empty(), "empty");
    return;
  }
  check(p.parse(wire.data(), wire.size()) == ParseStatus::kOk, "round trip parses");
  check(p.consumed() == wire.size() && p.args().size() == cmd.size(), "round trip size");
  for (size_t i = 0; i < cmd.size(); ++i) check(p.args()[i] == cmd[i], "round trip bytes");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  ParserLimits tight;
  tight.max_bulk_len = 64;
  tight.max_inline_len = 32;
  tight.max_multibulk_len = 8;
  size_t cut = size > 0 ? 1 + (static_cast<size_t>(data[0]) * 7919 + size) % size : 1;
  for (int round = 0; round < 2; ++round) {
    const ParserLimits limits = round == 0 ? ParserLimits{} : tight;
    Outcome ref = feed(input, {size > 0 ? size : 1}, false, limits);
    check(feed(input, {1}, false, limits) == ref, "1-byte pieces");
    check(feed(input, {2, 3}, false, limits) == ref, "2/3-byte pieces");
    check(feed(input, {7}, true, limits) == ref, "7-byte pieces, buffer moved");
    check(feed(input, {cut, size + 1}, true, limits) == ref, "two pieces");
    if (round != 0) continue;
    for (size_t i = 0; i < ref.commands.size() && i < 8; ++i)
      round_trip(ref.commands[i], 2 + i % 2);
  }
  return 0;
}
