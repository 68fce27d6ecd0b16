// Encodes replies for RESP2 or RESP3 into an OutputBuffer. Commands only call these methods; the
// protocol version lives here alone (a RESP3 map is a flat array in RESP2, a double is a bulk
// string, null is $-1 or *-1 as Redis 7.0 sends them). Numbers are formatted without snprintf on
// the hot path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/output_buffer.h"

namespace respite::protocol {

class ReplyWriter {
 public:
  explicit ReplyWriter(OutputBuffer* out) : out_(out) {}
  void set_output(OutputBuffer* out) { out_ = out; }
  OutputBuffer* output() const { return out_; }
  void set_resp(int version) { resp3_ = version == 3; }
  int resp() const { return resp3_ ? 3 : 2; }

  void simple(std::string_view s);  // +s
  void ok() { simple("OK"); }
  // -msg. msg starts with its code ("ERR ...", "WRONGTYPE ..."); CR/LF inside become spaces.
  void error(std::string_view msg);
  // Called with every error's text (no leading '-') as error() writes it: the server counts
  // error replies per code (INFO errorstats) without this layer knowing what a statistic is.
  // Detached (nullptr) to pass on an error that was counted already where it arose.
  using ErrorHook = void (*)(void* ctx, std::string_view msg);
  void set_error_hook(ErrorHook hook, void* ctx) {
    hook_ = hook;
    hook_ctx_ = ctx;
  }
  ErrorHook error_hook() const { return hook_; }
  void* error_hook_ctx() const { return hook_ctx_; }
  void integer(int64_t v);        // :v
  void bulk(std::string_view s);  // $len s (large values still copied; see bulk_ref)
  void bulk_ref(const char* data, size_t n, OutputBuffer::Release release, void* ctx);
  // A bulk string of n bytes produced in place (a value decompressed straight into the output):
  // writes the header and the trailing CRLF and returns where the n bytes go, contiguous. The
  // caller must fill all n before anything else is written to this writer.
  char* bulk_in_place(size_t n);
  void null();           // RESP2 $-1, RESP3 _
  void null_array();     // RESP2 *-1, RESP3 _
  void array(size_t n);  // *n
  void map(size_t n);    // RESP3 %n; RESP2 *2n
  void set(size_t n);    // RESP3 ~n; RESP2 *n
  void push(size_t n);   // RESP3 >n; RESP2 *n
  // A double as Redis 7.0 replies one: RESP3 ",<%.17g>" (",inf", ",-inf", ",nan"); RESP2 the same
  // text as a bulk string ("inf", "-inf").
  void dbl(double d);
  void boolean(bool b);               // RESP3 #t/#f; RESP2 :1/:0
  void verbatim(std::string_view s);  // RESP3 =len txt:s; RESP2 bulk
  void raw(std::string_view bytes);   // already-encoded RESP

  // Formats v in decimal into buf (at least 21 bytes); returns the length. Shared with storage-free
  // callers that need Redis's integer text.
  static size_t format_int(int64_t v, char* buf);
  // Redis's %.17g text for a double ("inf", "-inf", "nan" for the special values); returns length.
  static size_t format_double(double d, char* buf, size_t cap);

 private:
  void header(char type, int64_t n);
  OutputBuffer* out_;
  bool resp3_ = false;
  ErrorHook hook_ = nullptr;
  void* hook_ctx_ = nullptr;
};

}  // namespace respite::protocol
