// crypto/expand_message.h — expand_message_xmd with SHA-512 (RFC 9380 5.3.1).
//
// The first step of hash_to_ristretto255 and of the OPRF's HashToScalar:
// stretches (msg, DST) into `len_in_bytes` uniformly random-looking bytes.
// libsodium 1.0.18 does not provide it, so it is implemented here on top of
// crypto_hash_sha512 and checked against the RFC 9380 K.3 vectors.
//
// Thread safety: pure function; safe from any thread.
#ifndef INBEELD_CRYPTO_EXPAND_MESSAGE_H_
#define INBEELD_CRYPTO_EXPAND_MESSAGE_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/error.h"
#include "crypto/bytes.h"

namespace inbeeld::crypto {

// Largest output expand_message_xmd(SHA-512) can produce: 255 blocks of 64.
inline constexpr size_t kExpandMessageMaxBytes = 255 * 64;

// expand_message_xmd(msg, DST, len_in_bytes) with H = SHA-512 (b_in_bytes 64,
// s_in_bytes 128), exactly as RFC 9380 section 5.3.1. A DST longer than 255
// bytes is first replaced by SHA-512("H2C-OVERSIZE-DST-" || DST) (section
// 5.3.3); an empty DST is allowed by the algorithm but discouraged by the RFC.
// Errors: kInvalidArgument if len_in_bytes is 0 or greater than
// kExpandMessageMaxBytes (which also keeps it within the RFC's 65535 bound).
Result<Bytes> ExpandMessageXmdSha512(std::span<const uint8_t> msg, std::span<const uint8_t> dst,
                                     size_t len_in_bytes);

}  // namespace inbeeld::crypto

#endif  // INBEELD_CRYPTO_EXPAND_MESSAGE_H_
