// schema/byte_codec.h — the big-endian field reader and writer the binary
// wire formats share (schema/wire.h for PSI, schema/region_wire.h for the
// regional count). Each format derives from them for what is its own: the
// header's magic and version, its counts and item views.
//
// ByteReader reads fields in order; the first failure records an error
// naming the message, the field and the byte offset, and makes every later
// read fail, so a decoder can chain reads and check once. An error never
// holds payload bytes. Errors are kInvalidArgument, or kResourceExhausted
// after Exhausted().
//
// Thread safety: plain values; one thread at a time.
#ifndef INBEELD_SCHEMA_BYTE_CODEC_H_
#define INBEELD_SCHEMA_BYTE_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "base/error.h"

namespace inbeeld::schema {

class ByteWriter {
 public:
  explicit ByteWriter(std::string& out) : out_(out) {}

  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U16(uint16_t v) {
    U8(static_cast<uint8_t>(v >> 8));
    U8(static_cast<uint8_t>(v));
  }
  void U32(uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) U8(static_cast<uint8_t>(v >> shift));
  }
  void U64(uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) U8(static_cast<uint8_t>(v >> shift));
  }
  void Raw(const void* data, size_t n) {
    if (n != 0) out_.append(static_cast<const char*>(data), n);
  }

 protected:
  std::string& out() { return out_; }

 private:
  std::string& out_;
};

class ByteReader {
 public:
  // `name` ("region hop", "StartRequest") starts every error message; it
  // must outlive the reader.
  ByteReader(std::string_view message, std::string_view name)
      : data_(reinterpret_cast<const uint8_t*>(message.data())),
        size_(message.size()),
        name_(name) {}

  size_t pos() const { return pos_; }
  size_t size() const { return size_; }
  size_t remaining() const { return size_ - pos_; }
  std::string_view name() const { return name_; }
  // Byte `i` of the message. REQUIRES: i < size().
  uint8_t at(size_t i) const { return data_[i]; }

  bool U8(uint8_t& v, std::string_view field) {
    if (!Need(1, field)) return false;
    v = data_[pos_++];
    return true;
  }
  bool U16(uint16_t& v, std::string_view field) {
    if (!Need(2, field)) return false;
    v = static_cast<uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  bool U32(uint32_t& v, std::string_view field) {
    if (!Need(4, field)) return false;
    v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | data_[pos_ + i];
    pos_ += 4;
    return true;
  }
  bool U64(uint64_t& v, std::string_view field) {
    if (!Need(8, field)) return false;
    v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | data_[pos_ + i];
    pos_ += 8;
    return true;
  }
  bool Raw(uint8_t* out, size_t n, std::string_view field) {
    if (!Need(n, field)) return false;
    if (n != 0) std::memcpy(out, data_ + pos_, n);
    pos_ += n;
    return true;
  }
  bool Chars(std::string& out, size_t n, std::string_view field) {
    if (!Need(n, field)) return false;
    out.assign(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return true;
  }
  // A view of the next n bytes. REQUIRES: n <= remaining() (the caller has
  // checked, e.g. through a count).
  std::span<const uint8_t> Take(size_t n) {
    std::span<const uint8_t> out(data_ + pos_, n);
    pos_ += n;
    return out;
  }
  // Moves to byte `offset` (a header the caller has checked).
  // REQUIRES: offset <= size().
  void Seek(size_t offset) { pos_ = offset; }

  bool End() {
    if (pos_ != size_) {
      return Fail(std::to_string(size_ - pos_) + " trailing bytes after byte " +
                  std::to_string(pos_));
    }
    return true;
  }

  bool Fail(std::string message) {
    if (!failed_) {
      failed_ = true;
      message_ = std::string(name_) + ": " + std::move(message);
    }
    return false;
  }
  // Fail with the offset the field started at.
  bool FailAt(size_t offset, std::string message) {
    return Fail(std::move(message) + " at byte " + std::to_string(offset));
  }
  // Fail with kResourceExhausted (a count above the caller's limit).
  bool Exhausted(std::string message) {
    if (!failed_) code_ = ErrorCode::kResourceExhausted;
    return Fail(std::move(message));
  }

  std::unexpected<Error> error() const { return inbeeld::Fail(code_, message_); }

 private:
  bool Need(size_t n, std::string_view field) {
    if (failed_) return false;
    if (n > remaining()) {
      return Fail("truncated at byte " + std::to_string(size_) + " in " + std::string(field) +
                  " (needs " + std::to_string(n) + " bytes from byte " + std::to_string(pos_) +
                  ")");
    }
    return true;
  }

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  std::string_view name_;
  bool failed_ = false;
  ErrorCode code_ = ErrorCode::kInvalidArgument;
  std::string message_;
};

}  // namespace inbeeld::schema

#endif  // INBEELD_SCHEMA_BYTE_CODEC_H_
