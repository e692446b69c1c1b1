// crypto/oprf.h — RFC 9497 OPRF, mode 0x00 (OPRF), suite ristretto255-SHA512.
//
// The protocol, with a client holding `input` and a server holding key skS:
//   client:  blind = Scalar::Random()
//            blinded = Blind(input, blind)              -> send blinded
//   server:  evaluated = BlindEvaluate(skS, blinded)     -> send evaluated
//   client:  output = Finalize(input, blind, evaluated)  (64 bytes)
// The server learns nothing about `input`; the client learns output =
// SHA-512(... || skS * HashToGroup(input) || "Finalize") and nothing about skS.
// Each function here is one step; transport and state belong to the caller.
//
// contextString = "OPRFV1-" || I2OSP(0, 1) || "-ristretto255-SHA512". All
// functions are checked against the RFC 9497 appendix A.1.1 vectors.
//
// Thread safety: pure functions; safe from any thread.
#ifndef INBEELD_CRYPTO_OPRF_H_
#define INBEELD_CRYPTO_OPRF_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "base/error.h"
#include "crypto/bytes.h"
#include "crypto/ristretto.h"

namespace inbeeld::crypto {

inline constexpr size_t kOprfSeedSize = 32;    // Ns
inline constexpr size_t kOprfOutputSize = 64;  // Nh
// Inputs and key infos are length-prefixed with 2 bytes, so this is the limit.
inline constexpr size_t kOprfMaxInputSize = 65535;

// The suite's contextString (28 bytes, one of them 0x00).
std::span<const uint8_t> OprfContextString();

struct KeyPair {
  Scalar sk;  // secret: the server's OPRF key
  Point pk;   // public: sk * Generator()
};

// HashToGroup(input) with DST "HashToGroup-" || contextString.
// Errors: kInvalidArgument if the input hashes to the identity (negligible).
Result<Point> OprfHashToGroup(std::span<const uint8_t> input);

// HashToScalar(input): expand_message_xmd(input, "HashToScalar-" ||
// contextString, 64) reduced mod L.
// Errors: kInvalidArgument if the result is zero (negligible).
Result<Scalar> OprfHashToScalar(std::span<const uint8_t> input);

// RFC 9497 3.2.1 DeriveKeyPair: deterministic key pair from a 32-byte seed
// and a public `info`, with DST "DeriveKeyPair" || contextString.
// Errors: kInvalidArgument if the seed is not 32 bytes or info exceeds
// kOprfMaxInputSize; kInternal (the RFC's DeriveKeyPairError) if 256 counters
// all give zero, which does not happen in practice.
Result<KeyPair> DeriveKeyPair(std::span<const uint8_t> seed, std::span<const uint8_t> info);

// Client step 1: blind * HashToGroup(input), the blindedElement to send.
// Errors: kInvalidArgument if input exceeds kOprfMaxInputSize, or if it hashes
// to the identity (the RFC's InvalidInputError); kFailedPrecondition if
// `blind` was moved from.
Result<Point> Blind(std::span<const uint8_t> input, const Scalar& blind);

// Server step: sk * blinded, the evaluationElement to return. `blinded` is a
// Point and so already validated (canonical, not the identity).
// Errors: kFailedPrecondition if `sk` was moved from.
Result<Point> BlindEvaluate(const Scalar& sk, const Point& blinded);

// Client step 2: unblinds `evaluated` with blind^-1 and returns
// SHA-512(I2OSP(len(input), 2) || input || I2OSP(32, 2) || unblinded ||
// "Finalize").
// Errors: kInvalidArgument if input exceeds kOprfMaxInputSize;
// kFailedPrecondition if `blind` was moved from.
Result<std::array<uint8_t, kOprfOutputSize>> Finalize(std::span<const uint8_t> input,
                                                      const Scalar& blind, const Point& evaluated);

}  // namespace inbeeld::crypto

#endif  // INBEELD_CRYPTO_OPRF_H_
