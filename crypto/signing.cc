#include "crypto/signing.h"

#include <sodium.h>

#include <algorithm>
#include <string>
#include <utility>

#include "crypto/bytes.h"
#include "crypto/sodium_init.h"

namespace inbeeld::crypto {

static_assert(kEd25519PublicKeySize == crypto_sign_ed25519_PUBLICKEYBYTES);
static_assert(kEd25519SeedSize == crypto_sign_ed25519_SEEDBYTES);
static_assert(kEd25519SignatureSize == crypto_sign_ed25519_BYTES);

namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

// ----------------------------------------------------------- VerifyingKey --

Result<VerifyingKey> VerifyingKey::FromBytes(std::span<const uint8_t> bytes) {
  internal::EnsureSodium();
  if (bytes.size() != kEd25519PublicKeySize) {
    return Fail(ErrorCode::kInvalidArgument,
                "Ed25519 public key must be 32 bytes, got " + std::to_string(bytes.size()));
  }
  // Rejects non-canonical encodings, small-order points and points outside
  // the prime-order subgroup; no honestly generated key is any of these.
  if (crypto_core_ed25519_is_valid_point(bytes.data()) != 1) {
    return Fail(ErrorCode::kInvalidArgument, "not a valid Ed25519 public key");
  }
  std::array<uint8_t, kEd25519PublicKeySize> copy;
  std::copy(bytes.begin(), bytes.end(), copy.begin());
  return VerifyingKey(copy);
}

Result<VerifyingKey> VerifyingKey::FromFingerprint(std::string_view fingerprint) {
  std::string_view s = Trim(fingerprint);
  if (s.size() < kFingerprintPrefix.size() ||
      !EqualsIgnoreCase(s.substr(0, kFingerprintPrefix.size()), kFingerprintPrefix)) {
    return Fail(ErrorCode::kInvalidArgument, "key fingerprint must start with \"ed25519:\"");
  }
  s.remove_prefix(kFingerprintPrefix.size());

  // Collect the hex digits, allowing a single separator only between whole
  // bytes (after an even number of digits) and never at either end.
  std::string hex;
  hex.reserve(2 * kEd25519PublicKeySize);
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (IsHexDigit(c)) {
      hex.push_back(c);
    } else if ((c == ':' || c == ' ') && !hex.empty() && hex.size() % 2 == 0 &&
               IsHexDigit(s[i - 1]) && i + 1 < s.size() && IsHexDigit(s[i + 1])) {
      continue;
    } else {
      return Fail(ErrorCode::kInvalidArgument,
                  "key fingerprint contains an unexpected character at position " +
                      std::to_string(kFingerprintPrefix.size() + i));
    }
  }
  if (hex.size() != 2 * kEd25519PublicKeySize) {
    return Fail(ErrorCode::kInvalidArgument,
                "key fingerprint must have 64 hex digits after \"ed25519:\", got " +
                    std::to_string(hex.size()));
  }
  Result<Bytes> bytes = HexDecode(hex);
  if (!bytes) return std::unexpected(WithContext(std::move(bytes).error(), "key fingerprint"));
  Result<VerifyingKey> key = FromBytes(*bytes);
  if (!key) return std::unexpected(WithContext(std::move(key).error(), "key fingerprint"));
  return key;
}

std::string VerifyingKey::Fingerprint() const {
  return std::string(kFingerprintPrefix) + HexEncode(bytes_);
}

Status VerifyingKey::Verify(std::span<const uint8_t> message,
                            std::span<const uint8_t> signature) const {
  internal::EnsureSodium();
  if (signature.size() != kEd25519SignatureSize) {
    return Fail(ErrorCode::kInvalidArgument,
                "Ed25519 signature must be 64 bytes, got " + std::to_string(signature.size()));
  }
  if (crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                  bytes_.data()) != 0) {
    return Fail(ErrorCode::kUnauthenticated, "Ed25519 signature does not verify");
  }
  return {};
}

// ------------------------------------------------------------- SigningKey --

SigningKey::SigningKey(SecretBytes seed, SecretBytes secret_key, VerifyingKey public_key)
    : seed_(std::move(seed)), secret_key_(std::move(secret_key)), public_key_(public_key) {}

SigningKey SigningKey::Generate() {
  SecretBytes seed = SecretBytes::Random(kEd25519SeedSize);
  // A 32-byte seed cannot be rejected.
  return std::move(*FromSeed(seed.RevealForCrypto()));
}

Result<SigningKey> SigningKey::FromSeed(std::span<const uint8_t> seed) {
  internal::EnsureSodium();
  if (seed.size() != kEd25519SeedSize) {
    return Fail(ErrorCode::kInvalidArgument,
                "Ed25519 seed must be 32 bytes, got " + std::to_string(seed.size()));
  }
  SecretBytes secret_key(crypto_sign_ed25519_SECRETKEYBYTES);
  std::array<uint8_t, kEd25519PublicKeySize> public_key;
  crypto_sign_ed25519_seed_keypair(public_key.data(), secret_key.MutableForCrypto().data(),
                                   seed.data());
  // Built directly: a key derived from a seed is always a valid point, so the
  // subgroup check in FromBytes is not needed here.
  return SigningKey(SecretBytes::CopyFrom(seed), std::move(secret_key), VerifyingKey(public_key));
}

std::array<uint8_t, kEd25519SignatureSize> SigningKey::Sign(
    std::span<const uint8_t> message) const {
  internal::EnsureSodium();
  std::array<uint8_t, kEd25519SignatureSize> signature;
  crypto_sign_ed25519_detached(signature.data(), /*siglen_p=*/nullptr, message.data(),
                               message.size(), secret_key_.RevealForCrypto().data());
  return signature;
}

}  // namespace inbeeld::crypto
