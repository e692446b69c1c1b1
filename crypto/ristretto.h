// crypto/ristretto.h — the ristretto255 prime-order group (RFC 9496) and its
// scalar field, the building blocks of the OPRF and of DH private set
// intersection.
//
// Scalar: an integer in [1, L), L = 2^252 + 27742317777372353535851937790883648493.
//   Scalars are usually keys, so a Scalar is treated as a secret: move-only
//   (duplicate explicitly with Clone()), wiped on destruction and when moved
//   from, readable only through RevealForCrypto(). Zero is excluded everywhere,
//   so multiplying a valid point by a Scalar never yields the identity.
//   A moved-from Scalar is zero and invalid: it may only be destroyed or
//   assigned to. Fallible operations on it return an error; the two infallible
//   ones (Scalar::Multiply, Point::BaseMultiply) abort the process.
//
// Point: a group element other than the identity, held as its 32-byte
//   canonical encoding. A plain, trivially copyable 32-byte value (no heap) so
//   that vectors of a million points are cheap. Points are public values:
//   operator==, operator<=> and std::hash are not constant time.
//   Every way of building a Point validates: non-canonical encodings and the
//   identity element are rejected, so a Point received from a peer is safe to
//   use once it exists.
//
// Thread safety: plain values. Concurrent const access is safe; all functions
// are otherwise free of shared state (Random() uses libsodium's thread-safe RNG).
#ifndef INBEELD_CRYPTO_RISTRETTO_H_
#define INBEELD_CRYPTO_RISTRETTO_H_

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <span>

#include "base/error.h"
#include "crypto/secret_bytes.h"

namespace inbeeld::crypto {

inline constexpr size_t kScalarSize = 32;
inline constexpr size_t kPointSize = 32;
inline constexpr size_t kUniformBytesSize = 64;  // input size of the *FromUniformBytes functions

class Scalar {
 public:
  // A uniformly random nonzero scalar (crypto_core_ristretto255_scalar_random).
  static Scalar Random();

  // Parses a 32-byte little-endian scalar.
  // Errors (kInvalidArgument): wrong length; not canonical (value >= L);
  // zero. Messages never contain the bytes.
  static Result<Scalar> Decode(std::span<const uint8_t> bytes);

  // Interprets 64 bytes as a little-endian integer and reduces it mod L
  // (crypto_core_ristretto255_scalar_reduce); the RFC 9497 HashToScalar step.
  // Errors: kInvalidArgument if the result is zero, which happens with
  // probability about 2^-252 for uniform input.
  static Result<Scalar> FromUniformBytes(std::span<const uint8_t, kUniformBytesSize> bytes);

  Scalar(Scalar&& other) noexcept;
  Scalar& operator=(Scalar&& other) noexcept;
  Scalar(const Scalar&) = delete;
  Scalar& operator=(const Scalar&) = delete;
  ~Scalar();

  // An independent copy. Explicit so that every copy of a key is visible.
  Scalar Clone() const;

  // The multiplicative inverse mod L.
  // Errors: kFailedPrecondition if this Scalar was moved from.
  Result<Scalar> Invert() const;

  // this * other mod L; nonzero because L is prime.
  // REQUIRES: neither operand was moved from (aborts otherwise).
  Scalar Multiply(const Scalar& other) const;

  // The canonical 32-byte little-endian encoding. Greppable on purpose: every
  // place that reads a key's bytes shows up. Valid while this object lives.
  std::span<const uint8_t, kScalarSize> RevealForCrypto() const { return bytes_; }

  // A copy of the encoding, for storage; the copy wipes itself.
  SecretBytes Encode() const;

  // Equality in time independent of the values.
  bool ConstantTimeEquals(const Scalar& other) const;

 private:
  Scalar() = default;  // zero, i.e. invalid; only for filling in factories
  bool IsZero() const;

  std::array<uint8_t, kScalarSize> bytes_{};
};

class Point {
 public:
  // Parses a 32-byte encoding received from anywhere.
  // Errors (kInvalidArgument, each with its own message): wrong length; the
  // identity element (the all-zero encoding); not a canonical encoding of a
  // group element (crypto_core_ristretto255_is_valid_point fails).
  static Result<Point> Decode(std::span<const uint8_t> bytes);

  // The RFC 9496 element derivation from 64 uniform bytes
  // (crypto_core_ristretto255_from_hash).
  // Errors: kInvalidArgument if the result is the identity (probability
  // negligible for uniform input; possible for chosen input).
  static Result<Point> FromUniformBytes(std::span<const uint8_t, kUniformBytesSize> bytes);

  // RFC 9380 hash_to_ristretto255:
  // FromUniformBytes(expand_message_xmd_sha512(msg, dst, 64)).
  // Errors: kInvalidArgument if the hash is the identity (negligible).
  static Result<Point> HashToGroup(std::span<const uint8_t> msg, std::span<const uint8_t> dst);

  // The RFC 9496 generator (encoding e2f2ae0a...2d76).
  static Point Generator();

  // scalar * Generator(). Never the identity for a valid scalar.
  // REQUIRES: `scalar` was not moved from (aborts otherwise).
  static Point BaseMultiply(const Scalar& scalar);

  // Decodes `encoding` and multiplies it by `scalar` in one step: libsodium's
  // crypto_scalarmult_ristretto255 already rejects non-canonical encodings and
  // an identity result, so this is the cheapest safe way to process an
  // untrusted point. Equivalent to Decode(encoding)->Multiply(scalar).
  // Errors: kInvalidArgument for a wrong length, a non-canonical encoding or
  // the identity (not distinguished, unlike Decode); kFailedPrecondition if
  // `scalar` was moved from.
  static Result<Point> DecodeAndMultiply(std::span<const uint8_t> encoding, const Scalar& scalar);

  // scalar * this (crypto_scalarmult_ristretto255).
  // Errors: kFailedPrecondition if `scalar` was moved from (the only way the
  // product can be the identity, since the group has prime order).
  Result<Point> Multiply(const Scalar& scalar) const;

  // this + other. Errors: kInvalidArgument if the sum is the identity
  // (other == -this).
  Result<Point> Add(const Point& other) const;

  // The canonical encoding.
  const std::array<uint8_t, kPointSize>& Encode() const { return bytes_; }

  // Byte-wise comparison of encodings: equal encodings <=> equal elements,
  // because encodings are canonical. The order is lexicographic on the bytes
  // and has no algebraic meaning; it exists for sorting.
  friend bool operator==(const Point&, const Point&) = default;
  friend std::strong_ordering operator<=>(const Point&, const Point&) = default;

 private:
  explicit Point(const std::array<uint8_t, kPointSize>& bytes) : bytes_(bytes) {}

  std::array<uint8_t, kPointSize> bytes_;
};

static_assert(sizeof(Point) == kPointSize);

// Hash for unordered containers: the first 8 bytes of the encoding. Good for
// points that are hashes or that were multiplied by our own secret scalar (the
// usual PSI case); a peer who chooses raw points can choose colliding ones,
// so keep untrusted points in sorted vectors instead.
struct PointHash {
  size_t operator()(const Point& p) const noexcept {
    size_t h;
    std::memcpy(&h, p.Encode().data(), sizeof(h));
    return h;
  }
};

// Hot-loop form of Point::DecodeAndMultiply on raw buffers, for code holding
// millions of encodings in flat arrays: out = scalar * decode(in). Returns
// true on success, in which case `out` is a canonical non-identity encoding.
// Returns false, with `out` zeroed, if `in` is not a canonical encoding, is
// the identity, or `scalar` was moved from. `in` and `out` may alias.
[[nodiscard]] bool MultiplyRaw(std::span<const uint8_t, kPointSize> in, const Scalar& scalar,
                               std::span<uint8_t, kPointSize> out);

}  // namespace inbeeld::crypto

template <>
struct std::hash<inbeeld::crypto::Point> : inbeeld::crypto::PointHash {};

#endif  // INBEELD_CRYPTO_RISTRETTO_H_
