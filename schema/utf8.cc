#include "schema/utf8.h"

#include <cstdint>
#include <cstring>

namespace inbeeld::schema {

// Runs of ASCII are skipped eight bytes at a time: list files are almost all
// ASCII and can be a hundred megabytes.
bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  size_t i = 0;
  auto cont = [&](size_t k) { return k < n && (p[k] & 0xC0) == 0x80; };
  while (i < n) {
    while (i + 8 <= n) {
      uint64_t chunk;
      std::memcpy(&chunk, p + i, 8);
      if (chunk & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
    } else if (c >= 0xC2 && c <= 0xDF) {
      if (!cont(i + 1)) return false;
      i += 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      if (i + 1 >= n) return false;
      unsigned char c1 = p[i + 1];
      if (c == 0xE0 && (c1 < 0xA0 || c1 > 0xBF)) return false;
      if (c == 0xED && (c1 < 0x80 || c1 > 0x9F)) return false;
      if (!cont(i + 1) || !cont(i + 2)) return false;
      i += 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      if (i + 1 >= n) return false;
      unsigned char c1 = p[i + 1];
      if (c == 0xF0 && (c1 < 0x90 || c1 > 0xBF)) return false;
      if (c == 0xF4 && (c1 < 0x80 || c1 > 0x8F)) return false;
      if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return false;
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace inbeeld::schema
