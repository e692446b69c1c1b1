// crypto/aead.h — authenticated encryption: XChaCha20-Poly1305 (IETF).
//
// One fixed construction, no negotiation. The 24-byte nonce is random per
// message, which XChaCha20's nonce size makes safe without a counter. The
// sealed form is self-contained:
//
//   sealed = nonce (24 bytes) || ciphertext (len(plaintext)) || tag (16 bytes)
//
// `aad` is authenticated but not encrypted or included in `sealed`; the
// opener must supply the same bytes (bind a ciphertext to its context, e.g.
// a table and row id, so it cannot be moved elsewhere).
//
// Thread safety: pure functions; safe from any thread.
#ifndef INBEELD_CRYPTO_AEAD_H_
#define INBEELD_CRYPTO_AEAD_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/error.h"
#include "crypto/bytes.h"
#include "crypto/secret_bytes.h"

namespace inbeeld::crypto {

inline constexpr size_t kAeadKeySize = 32;
inline constexpr size_t kAeadNonceSize = 24;
inline constexpr size_t kAeadTagSize = 16;
inline constexpr size_t kAeadOverhead = kAeadNonceSize + kAeadTagSize;

// Encrypts and authenticates `plaintext` and authenticates `aad`, under a
// fresh random nonce. Output size is plaintext.size() + kAeadOverhead.
// Errors: kInvalidArgument if the key is not kAeadKeySize bytes or the
// plaintext exceeds libsodium's limit (about 256 GiB).
Result<Bytes> Seal(const SecretBytes& key, std::span<const uint8_t> plaintext,
                   std::span<const uint8_t> aad);

// Checks and decrypts the output of Seal. Nothing is returned unless the
// whole of `sealed` and `aad` authenticate.
// Errors:
//   kInvalidArgument  key is not kAeadKeySize bytes, or `sealed` is shorter
//                     than kAeadOverhead (cannot be a sealed message at all).
//   kUnauthenticated  wrong key, wrong aad, or any modification or truncation
//                     of `sealed`. Deliberately says nothing more.
Result<Bytes> Open(const SecretBytes& key, std::span<const uint8_t> sealed,
                   std::span<const uint8_t> aad);

}  // namespace inbeeld::crypto

#endif  // INBEELD_CRYPTO_AEAD_H_
