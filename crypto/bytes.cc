#include "crypto/bytes.h"

#include <sodium.h>

#include "crypto/sodium_init.h"

namespace inbeeld::crypto {

std::string HexEncode(std::span<const uint8_t> data) {
  internal::EnsureSodium();
  // sodium_bin2hex writes a terminating NUL, hence the +1 and the resize.
  std::string out(data.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data.data(), data.size());
  out.resize(data.size() * 2);
  return out;
}

Result<Bytes> HexDecode(std::string_view hex) {
  internal::EnsureSodium();
  if (hex.size() % 2 != 0) {
    return Fail(ErrorCode::kInvalidArgument,
                "hex string has an odd number of characters (" + std::to_string(hex.size()) + ")");
  }
  if (hex.empty()) return Bytes{};  // libsodium's pointers must not be null
  Bytes out(hex.size() / 2);
  size_t written = 0;
  // With hex_end == nullptr, sodium_hex2bin fails unless every character was
  // consumed, so a stray non-hex character anywhere is an error.
  if (sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), /*ignore=*/nullptr, &written,
                     /*hex_end=*/nullptr) != 0 ||
      written != out.size()) {
    sodium_memzero(out.data(), out.size());
    return Fail(ErrorCode::kInvalidArgument, "hex string contains a non-hex character");
  }
  return out;
}

Bytes ToBytes(std::string_view text) { return Bytes(text.begin(), text.end()); }

bool ConstantTimeEquals(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  internal::EnsureSodium();
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace inbeeld::crypto
