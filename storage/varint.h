// LEB128 lengths, the framing of every packed encoding (listpack-like hashes and sorted sets, the
// set table's arena, list nodes): 7 bits a byte, low bits first, the high bit set on every byte but
// the last. A length under 128 costs one byte, under 16,384 two, so a short element's framing is a
// byte where a fixed 4-byte length would waste three.
#pragma once

#include <cstddef>
#include <cstdint>

namespace respite::storage::varint {

// Bytes that put() writes for n: 1 to 10.
inline size_t size(uint64_t n) {
  size_t s = 1;
  while (n >= 0x80) {
    n >>= 7;
    s++;
  }
  return s;
}

// Writes n at p; returns the byte after it.
inline char* put(char* p, uint64_t n) {
  while (n >= 0x80) {
    *p++ = static_cast<char>((n & 0x7f) | 0x80);
    n >>= 7;
  }
  *p++ = static_cast<char>(n);
  return p;
}

// Reads the length at p into *n; returns the byte after it. The bytes were written by put():
// nothing here checks bounds, so it never runs over a buffer it did not fill itself.
inline const char* get(const char* p, uint64_t* n) {
  uint64_t v = 0;
  unsigned shift = 0;
  for (;;) {
    unsigned char b = static_cast<unsigned char>(*p++);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
    shift += 7;
  }
  *n = v;
  return p;
}

}  // namespace respite::storage::varint
