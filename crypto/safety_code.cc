#include "crypto/safety_code.h"

#include <sodium.h>

#include <array>
#include <cstdio>
#include <string_view>

#include "crypto/sodium_init.h"

namespace inbeeld::crypto {

std::string SafetyCode(std::span<const uint8_t, 32> public_key) {
  internal::EnsureSodium();
  constexpr std::string_view kLabel = "inbeeld safety code v1";
  std::array<uint8_t, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, reinterpret_cast<const uint8_t*>(kLabel.data()), kLabel.size());
  crypto_hash_sha256_update(&state, public_key.data(), public_key.size());
  crypto_hash_sha256_final(&state, digest.data());
  // Each group from 5 bytes (40 bits) mod 100000: the bias is below 2^-23.
  std::string code;
  for (size_t group = 0; group < 4; ++group) {
    uint64_t value = 0;
    for (size_t i = 0; i < 5; ++i) value = (value << 8) | digest[group * 5 + i];
    char digits[8];
    std::snprintf(digits, sizeof digits, "%05u", static_cast<unsigned>(value % 100000));
    if (group > 0) code += ' ';
    code += digits;
  }
  return code;
}

}  // namespace inbeeld::crypto
