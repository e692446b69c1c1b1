// fuzz/byte_reader.h — takes typed values off the front of a fuzz input.
//
// Like libFuzzer's FuzzedDataProvider, but also builds with GCC (the corpus
// replay test) and leans towards small numbers, which is where trees and
// lists have their edge cases. Past the end every read returns zeros.
//
// Thread safety: a plain value.
#ifndef INBEELD_FUZZ_BYTE_READER_H_
#define INBEELD_FUZZ_BYTE_READER_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

namespace inbeeld::fuzz {

class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : rest_(data, size) {}

  uint8_t Byte() {
    if (rest_.empty()) return 0;
    uint8_t b = rest_[0];
    rest_ = rest_.subspan(1);
    return b;
  }

  // One byte below 0xF0 gives 0..47; 0xF0 and above is followed by a full
  // 8-byte big-endian value.
  uint64_t Number() {
    const uint8_t b = Byte();
    if (b < 0xF0) return b % 48;
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | Byte();
    return v;
  }

  // Copies up to out.size() bytes (zeros past the end).
  void Fill(std::span<uint8_t> out) {
    std::fill(out.begin(), out.end(), 0);
    const size_t n = std::min(out.size(), rest_.size());
    std::copy_n(rest_.begin(), n, out.begin());
    rest_ = rest_.subspan(n);
  }

  std::span<const uint8_t> Rest() {
    auto all = rest_;
    rest_ = {};
    return all;
  }

 private:
  std::span<const uint8_t> rest_;
};

}  // namespace inbeeld::fuzz

#endif  // INBEELD_FUZZ_BYTE_READER_H_
