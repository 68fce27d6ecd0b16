// Incremental, zero-copy RESP request parser. It turns the bytes a connection has received into one
// command at a time (multibulk `*N\r\n$len\r\n...` or an inline line such as `PING\r\n`), with
// views into the caller's buffer as arguments. It owns no socket and allocates nothing per request
// once warm. Limits are explicit and errors latch: after kError the connection replies error() and
// closes, as Redis does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace respite::protocol {

struct ParserLimits {
  size_t max_bulk_len = 512ull << 20;     // proto-max-bulk-len
  size_t max_inline_len = 64 * 1024;      // Redis's PROTO_INLINE_MAX_SIZE
  size_t max_multibulk_len = 0x7fffffff;  // Redis 7 accepts up to INT_MAX elements
  // A client that must still AUTH may send only small commands (Redis: at most 10 elements and
  // 16 KiB per bulk), so that an unauthenticated stranger cannot make the server buffer much.
  bool unauthenticated = false;
};

constexpr size_t kUnauthMaxMultibulk = 10;
constexpr size_t kUnauthMaxBulk = 16384;

enum class ParseStatus : uint8_t { kOk, kNeedMore, kError };

class RequestParser {
 public:
  explicit RequestParser(ParserLimits limits = {});

  // Parses the command that starts at data[0]. After kNeedMore, call again with the same command
  // start and more bytes appended; the buffer may have moved in between (progress is kept as
  // offsets, so work already done is not repeated). After kOk, args() views data, consumed() is the
  // command's length, and the next call starts a new command. A command with zero arguments (a
  // blank inline line, `*0\r\n`, `*-1\r\n`) is kOk with args().empty(): the caller skips it.
  ParseStatus parse(const char* data, size_t len);

  const std::vector<std::string_view>& args() const { return args_; }
  size_t consumed() const { return consumed_; }
  // After kNeedMore: the total size of the command's bytes if known (so a connection can grow its
  // buffer once for a large bulk), else 0.
  size_t bytes_hint() const { return bytes_hint_; }
  // After kError: Redis's text without the leading '-' and CRLF, e.g.
  // "ERR Protocol error: invalid multibulk length".
  const std::string& error() const { return error_; }
  bool failed() const { return failed_; }
  void reset();
  void set_limits(const ParserLimits& limits) { limits_ = limits; }
  const ParserLimits& limits() const { return limits_; }

  // Splits one line into arguments with the inline-command rules (Redis's sdssplitargs: blanks
  // separate, "double quotes" with \n \r \t \b \a \xHH escapes, 'single quotes' with \'), the
  // line ending at its first NUL as Redis's C string does. False on unbalanced quotes. Config
  // files use the same rules, so they share this splitter.
  static bool split_line(std::string_view line, std::vector<std::string>* out);

 private:
  enum class Mode : uint8_t { kIdle, kMultibulk, kInline };
  // Outcome of reading one "<type><number>\r\n" line (slow path, Redis's exact rules).
  enum class Line : uint8_t { kOk, kNeedMore, kTooLong, kBadType, kBadNumber };

  ParseStatus parse_multibulk(const char* data, size_t len);
  ParseStatus parse_inline(const char* data, size_t len);
  Line read_line(const char* data, size_t len, size_t pos, char type, int64_t* value, size_t* next);
  bool split_inline(const char* line, size_t n);
  ParseStatus fail(std::string_view msg);
  void clear_progress();
  void shrink();

  ParserLimits limits_;
  std::vector<std::string_view> args_;
  // (offset, length) of the args parsed by earlier calls for this command, if it came in pieces.
  std::vector<std::pair<size_t, size_t>> offsets_;
  std::string inline_scratch_;  // unescaped bytes of a quoted inline command
  size_t consumed_ = 0;
  size_t bytes_hint_ = 0;
  Mode mode_ = Mode::kIdle;
  bool failed_ = false;
  bool dirty_ = false;         // the progress below differs from its initial values
  bool oversized_ = false;     // a buffer grew past what is kept between commands
  bool line_blocked_ = false;  // a NUL precedes the line's end: Redis's strchr never sees it
  // Progress within the current command, relative to its first byte so that the caller may move
  // its buffer between calls.
  int64_t multibulk_len_ = -1;  // the command's element count; -1: header not read yet
  int64_t bulk_len_ = -1;       // length of the bulk whose data is awaited; -1: its header is next
  size_t parsed_ = 0;           // elements parsed so far
  size_t pos_ = 0;              // where parsing resumes
  size_t scan_ = 0;             // bytes before this are known to hold no line terminator
  std::string error_;
};

}  // namespace respite::protocol
