// crypto/kdf.h — passphrase-based key derivation with Argon2id.
//
// Turns an operator's passphrase into the raw 32-byte key of the encrypted
// store (crypto_pwhash, ALG_ARGON2ID13). The salt is random per store and is
// not secret; store it beside the ciphertext and keep the KdfParams with it so
// the same key can be derived again.
//
// Thread safety: pure function; safe from any thread. Each call allocates
// mem_limit bytes for its duration, so concurrent calls multiply memory use.
#ifndef INBEELD_CRYPTO_KDF_H_
#define INBEELD_CRYPTO_KDF_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/error.h"
#include "crypto/secret_bytes.h"

namespace inbeeld::crypto {

inline constexpr size_t kSaltSize = 16;  // crypto_pwhash_SALTBYTES

// Argon2id cost. The named profiles are libsodium's
// crypto_pwhash_argon2id_{OPS,MEM}LIMIT_* constants:
//   Interactive: 2 passes, 64 MiB   (well under a second; tests use this)
//   Moderate:    3 passes, 256 MiB  (about a second)
//   Sensitive:   4 passes, 1 GiB    (several seconds)
struct KdfParams {
  uint64_t ops_limit;
  size_t mem_limit;  // bytes

  static KdfParams Interactive();
  static KdfParams Moderate();
  static KdfParams Sensitive();

  friend bool operator==(const KdfParams&, const KdfParams&) = default;
};

// Derives `key_len` bytes from `passphrase` and `salt` with Argon2id v1.3.
// Deterministic: the same inputs always give the same key.
// Errors:
//   kInvalidArgument   salt is not kSaltSize bytes; passphrase is empty or
//                      too long; key_len or params outside libsodium's bounds
//                      (key_len at least 16; ops_limit at least 1; mem_limit
//                      at least 8 KiB).
//   kResourceExhausted Argon2id could not allocate mem_limit bytes.
Result<SecretBytes> DeriveKey(std::span<const uint8_t> passphrase, std::span<const uint8_t> salt,
                              KdfParams params, size_t key_len = 32);

}  // namespace inbeeld::crypto

#endif  // INBEELD_CRYPTO_KDF_H_
