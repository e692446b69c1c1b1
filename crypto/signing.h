// crypto/signing.h — Ed25519 signatures: a node's identity key.
//
// A node signs with its SigningKey (audit checkpoints, cosignatures); peers
// pin its VerifyingKey, written in configuration as a fingerprint:
//
//   ed25519:<64 lowercase hex digits of the 32-byte public key>
//
// Both key types validate on construction, so an invalid key cannot exist:
// a VerifyingKey is a canonical point of the prime-order subgroup (no small
// order keys), a SigningKey always has its seed and public key.
//
// Thread safety: immutable after construction; concurrent const use is safe.
#ifndef INBEELD_CRYPTO_SIGNING_H_
#define INBEELD_CRYPTO_SIGNING_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/error.h"
#include "crypto/secret_bytes.h"

namespace inbeeld::crypto {

inline constexpr size_t kEd25519PublicKeySize = 32;
inline constexpr size_t kEd25519SeedSize = 32;
inline constexpr size_t kEd25519SignatureSize = 64;
inline constexpr std::string_view kFingerprintPrefix = "ed25519:";

class VerifyingKey {
 public:
  // Errors: kInvalidArgument if `bytes` is not 32 bytes or is not a valid
  // Ed25519 public key (non-canonical, small order, or outside the
  // prime-order subgroup).
  static Result<VerifyingKey> FromBytes(std::span<const uint8_t> bytes);

  // Parses a fingerprint. Accepted: the prefix "ed25519:" (any case), then 64
  // hex digits (any case), optionally in groups of whole bytes separated by
  // single ':' or ' ' characters ("ab:cd:..."); surrounding whitespace is
  // ignored.
  // Errors: kInvalidArgument for anything else, or for hex that is not a
  // valid key (see FromBytes). Messages never echo the input.
  static Result<VerifyingKey> FromFingerprint(std::string_view fingerprint);

  const std::array<uint8_t, kEd25519PublicKeySize>& bytes() const { return bytes_; }

  // "ed25519:" followed by 64 lowercase hex digits; FromFingerprint inverts it.
  std::string Fingerprint() const;

  // Checks a detached signature over `message` (crypto_sign_verify_detached,
  // which also rejects non-canonical signatures).
  // Errors: kInvalidArgument if `signature` is not 64 bytes;
  // kUnauthenticated if it does not verify.
  Status Verify(std::span<const uint8_t> message, std::span<const uint8_t> signature) const;

  friend bool operator==(const VerifyingKey&, const VerifyingKey&) = default;

 private:
  friend class SigningKey;  // builds its own public key without re-validating it
  explicit VerifyingKey(const std::array<uint8_t, kEd25519PublicKeySize>& bytes) : bytes_(bytes) {}

  std::array<uint8_t, kEd25519PublicKeySize> bytes_;
};

// Move-only; the seed and the expanded secret key are held in SecretBytes
// and wiped with the object. A moved-from SigningKey may only be destroyed or
// assigned to.
class SigningKey {
 public:
  // A fresh random key.
  static SigningKey Generate();

  // The key determined by a 32-byte seed, i.e. what SeedForStorage() returned.
  // Errors: kInvalidArgument if the seed is not 32 bytes.
  static Result<SigningKey> FromSeed(std::span<const uint8_t> seed);

  // The 32-byte seed: all that needs to be stored to recreate this key.
  const SecretBytes& SeedForStorage() const { return seed_; }

  VerifyingKey PublicKey() const { return public_key_; }

  // A deterministic Ed25519 signature (RFC 8032) over `message`.
  std::array<uint8_t, kEd25519SignatureSize> Sign(std::span<const uint8_t> message) const;

 private:
  SigningKey(SecretBytes seed, SecretBytes secret_key, VerifyingKey public_key);

  SecretBytes seed_;        // 32 bytes
  SecretBytes secret_key_;  // libsodium's 64-byte form: seed || public key
  VerifyingKey public_key_;
};

}  // namespace inbeeld::crypto

#endif  // INBEELD_CRYPTO_SIGNING_H_
