// crypto/bytes.h — the byte-string type of the crypto module and small helpers.
//
// Bytes holds public data: encodings of points, ciphertexts, signatures,
// hashes. Secrets live in SecretBytes (crypto/secret_bytes.h), never here.
//
// Thread safety: free functions without shared state; safe from any thread.
#ifndef INBEELD_CRYPTO_BYTES_H_
#define INBEELD_CRYPTO_BYTES_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace inbeeld::crypto {

using Bytes = std::vector<uint8_t>;

// Lowercase hex, two characters per byte. Runs in time independent of the
// byte values (libsodium's sodium_bin2hex).
std::string HexEncode(std::span<const uint8_t> data);

// Parses hex (upper- or lowercase, no separators, no "0x" prefix). An empty
// string decodes to empty Bytes.
// Errors: kInvalidArgument for an odd length or a non-hex character. The
// message never echoes the input, which may be key material.
Result<Bytes> HexDecode(std::string_view hex);

// The bytes of `text`, unchanged (no encoding conversion, no terminator).
Bytes ToBytes(std::string_view text);

// True iff `a` and `b` have the same length and the same contents. For equal
// lengths the time taken does not depend on the contents (sodium_memcmp); the
// lengths themselves are not treated as secret.
bool ConstantTimeEquals(std::span<const uint8_t> a, std::span<const uint8_t> b);

}  // namespace inbeeld::crypto

#endif  // INBEELD_CRYPTO_BYTES_H_
