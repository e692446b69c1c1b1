// crypto/pseudonym.h — keyed pseudonyms for identifiers (audit log subjects).
//
// Pseudonymise(domain, data) = BLAKE2b-256 keyed with the node's pseudonym
// key (crypto_generichash) over
//
//   I2OSP(len(domain), 8) || domain || data
//
// The length prefix makes the encoding injective: ("ab", "c") and ("a", "bc")
// hash different strings, so two domains never collide. Use one domain per
// purpose ("audit-subject-v1", ...), never an empty or data-derived one.
//
// THE KEY MUST STAY SECRET. Only about 9·10^7 numbers pass the BSN check, so
// anyone holding the key can pseudonymise every possible BSN in minutes and
// reverse any pseudonym. A pseudonym is a pseudonym only towards parties who
// do not have the key; it is personal data under the GDPR all the same.
//
// Thread safety: immutable after construction; concurrent Pseudonymise calls
// on one key are safe.
#ifndef INBEELD_CRYPTO_PSEUDONYM_H_
#define INBEELD_CRYPTO_PSEUDONYM_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "base/error.h"
#include "crypto/secret_bytes.h"

namespace inbeeld::crypto {

inline constexpr size_t kPseudonymKeySize = 32;
inline constexpr size_t kPseudonymSize = 32;

// Move-only. A moved-from key may only be destroyed or assigned to.
class PseudonymKey {
 public:
  // A fresh random key.
  static PseudonymKey Generate();

  // The key stored earlier via KeyForStorage().
  // Errors: kInvalidArgument if `key` is not 32 bytes.
  static Result<PseudonymKey> FromBytes(std::span<const uint8_t> key);

  // The 32 key bytes, for the encrypted store only.
  const SecretBytes& KeyForStorage() const { return key_; }

  // The pseudonym of `data` within `domain` (see the encoding above).
  // Deterministic for a given key; different keys give unrelated pseudonyms.
  std::array<uint8_t, kPseudonymSize> Pseudonymise(std::string_view domain,
                                                   std::span<const uint8_t> data) const;

 private:
  explicit PseudonymKey(SecretBytes key) : key_(std::move(key)) {}

  SecretBytes key_;
};

}  // namespace inbeeld::crypto

#endif  // INBEELD_CRYPTO_PSEUDONYM_H_
