#include "crypto/pseudonym.h"

#include <sodium.h>

#include <string>
#include <utility>

#include "crypto/sodium_init.h"

namespace inbeeld::crypto {

static_assert(kPseudonymKeySize == crypto_generichash_KEYBYTES);
static_assert(kPseudonymSize >= crypto_generichash_BYTES_MIN &&
              kPseudonymSize <= crypto_generichash_BYTES_MAX);

PseudonymKey PseudonymKey::Generate() {
  return PseudonymKey(SecretBytes::Random(kPseudonymKeySize));
}

Result<PseudonymKey> PseudonymKey::FromBytes(std::span<const uint8_t> key) {
  if (key.size() != kPseudonymKeySize) {
    return Fail(ErrorCode::kInvalidArgument,
                "pseudonym key must be 32 bytes, got " + std::to_string(key.size()));
  }
  return PseudonymKey(SecretBytes::CopyFrom(key));
}

std::array<uint8_t, kPseudonymSize> PseudonymKey::Pseudonymise(
    std::string_view domain, std::span<const uint8_t> data) const {
  internal::EnsureSodium();
  // An 8-byte length leaves no domain too long to encode, so this cannot fail.
  uint8_t domain_len[8];
  const uint64_t n = domain.size();
  for (int i = 0; i < 8; ++i) domain_len[i] = static_cast<uint8_t>(n >> (8 * (7 - i)));

  // Incremental hashing avoids building a buffer that holds the identifier.
  const std::span<const uint8_t> key = key_.RevealForCrypto();
  crypto_generichash_state state;
  crypto_generichash_init(&state, key.data(), key.size(), kPseudonymSize);
  crypto_generichash_update(&state, domain_len, sizeof(domain_len));
  crypto_generichash_update(&state, reinterpret_cast<const uint8_t*>(domain.data()), domain.size());
  crypto_generichash_update(&state, data.data(), data.size());
  std::array<uint8_t, kPseudonymSize> out;
  crypto_generichash_final(&state, out.data(), out.size());
  sodium_memzero(&state, sizeof(state));  // holds the keyed state and the identifier
  return out;
}

}  // namespace inbeeld::crypto
