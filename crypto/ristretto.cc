#include "crypto/ristretto.h"

#include <sodium.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <utility>

#include "crypto/bytes.h"
#include "crypto/expand_message.h"
#include "crypto/sodium_init.h"

namespace inbeeld::crypto {
namespace {

static_assert(crypto_core_ristretto255_SCALARBYTES == kScalarSize);
static_assert(crypto_core_ristretto255_BYTES == kPointSize);
static_assert(crypto_core_ristretto255_HASHBYTES == kUniformBytesSize);
static_assert(crypto_core_ristretto255_NONREDUCEDSCALARBYTES == kUniformBytesSize);

// The group order L, little-endian.
constexpr std::array<uint8_t, kScalarSize> kOrder = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

// RFC 9496 section 4.4 / A.1 (k = 1).
constexpr std::array<uint8_t, kPointSize> kGenerator = {
    0xe2, 0xf2, 0xae, 0x0a, 0x6a, 0xbc, 0x4e, 0x71, 0xa8, 0x84, 0xa9, 0x61, 0xc5, 0x00, 0x51, 0x5f,
    0x58, 0xe3, 0x0b, 0x6a, 0xa5, 0x82, 0xdd, 0x8d, 0xb6, 0xa6, 0x59, 0x45, 0xe0, 0x8d, 0x2d, 0x76};

// True iff the little-endian value s is < L. Runs in constant time because
// the scalar being decoded is usually a stored private key. Same method as
// libsodium's internal sc25519_is_canonical, which 1.0.18 does not export:
// scan from the most significant byte, remembering whether all higher bytes
// were equal (`eq`) and whether s dropped below L at the first difference.
bool IsCanonicalScalar(std::span<const uint8_t, kScalarSize> s) {
  uint32_t less = 0;
  uint32_t eq = 1;
  for (size_t i = kScalarSize; i-- > 0;) {
    const uint32_t a = s[i];
    const uint32_t b = kOrder[i];
    less |= ((a - b) >> 8) & eq;  // (a - b) wraps to 0xffffffxx iff a < b
    eq &= ((a ^ b) - 1) >> 8;     // (0 - 1) >> 8 has bit 0 set iff a == b
  }
  return (less & 1) != 0;
}

// Broken invariant (a moved-from Scalar used where no error can be returned):
// continuing would silently produce a wrong key or the identity.
[[noreturn]] void DieUsedAfterMove() { std::abort(); }

}  // namespace

// ----------------------------------------------------------------- Scalar --

Scalar Scalar::Random() {
  internal::EnsureSodium();
  Scalar s;
  crypto_core_ristretto255_scalar_random(s.bytes_.data());  // loops until nonzero and < L
  return s;
}

Result<Scalar> Scalar::Decode(std::span<const uint8_t> bytes) {
  internal::EnsureSodium();
  if (bytes.size() != kScalarSize) {
    return Fail(ErrorCode::kInvalidArgument,
                "scalar must be 32 bytes, got " + std::to_string(bytes.size()));
  }
  Scalar s;
  std::copy(bytes.begin(), bytes.end(), s.bytes_.begin());
  if (!IsCanonicalScalar(s.bytes_)) {
    return Fail(ErrorCode::kInvalidArgument,
                "scalar is not canonical (not less than the group order)");
  }
  if (s.IsZero()) return Fail(ErrorCode::kInvalidArgument, "scalar is zero");
  return s;
}

Result<Scalar> Scalar::FromUniformBytes(std::span<const uint8_t, kUniformBytesSize> bytes) {
  internal::EnsureSodium();
  Scalar s;
  crypto_core_ristretto255_scalar_reduce(s.bytes_.data(), bytes.data());
  if (s.IsZero()) return Fail(ErrorCode::kInvalidArgument, "scalar reduced to zero");
  return s;
}

Scalar::Scalar(Scalar&& other) noexcept : bytes_(other.bytes_) {
  sodium_memzero(other.bytes_.data(), other.bytes_.size());
}

Scalar& Scalar::operator=(Scalar&& other) noexcept {
  if (this != &other) {
    bytes_ = other.bytes_;
    sodium_memzero(other.bytes_.data(), other.bytes_.size());
  }
  return *this;
}

Scalar::~Scalar() { sodium_memzero(bytes_.data(), bytes_.size()); }

Scalar Scalar::Clone() const {
  Scalar s;
  s.bytes_ = bytes_;
  return s;
}

Result<Scalar> Scalar::Invert() const {
  internal::EnsureSodium();
  Scalar inverse;
  if (crypto_core_ristretto255_scalar_invert(inverse.bytes_.data(), bytes_.data()) != 0) {
    return Fail(ErrorCode::kFailedPrecondition, "cannot invert a moved-from scalar");
  }
  return inverse;
}

Scalar Scalar::Multiply(const Scalar& other) const {
  internal::EnsureSodium();
  if (IsZero() || other.IsZero()) DieUsedAfterMove();
  Scalar product;
  crypto_core_ristretto255_scalar_mul(product.bytes_.data(), bytes_.data(), other.bytes_.data());
  return product;
}

SecretBytes Scalar::Encode() const { return SecretBytes::CopyFrom(bytes_); }

bool Scalar::ConstantTimeEquals(const Scalar& other) const {
  return crypto::ConstantTimeEquals(bytes_, other.bytes_);
}

bool Scalar::IsZero() const { return sodium_is_zero(bytes_.data(), bytes_.size()) == 1; }

// ------------------------------------------------------------------ Point --

Result<Point> Point::Decode(std::span<const uint8_t> bytes) {
  internal::EnsureSodium();
  if (bytes.size() != kPointSize) {
    return Fail(ErrorCode::kInvalidArgument,
                "point must be 32 bytes, got " + std::to_string(bytes.size()));
  }
  // The identity's only canonical encoding is all zeros, and libsodium's
  // is_valid_point accepts it, so it is checked separately (and first, so
  // the message says what is wrong).
  if (sodium_is_zero(bytes.data(), bytes.size()) == 1) {
    return Fail(ErrorCode::kInvalidArgument, "point is the identity element");
  }
  if (crypto_core_ristretto255_is_valid_point(bytes.data()) != 1) {
    return Fail(ErrorCode::kInvalidArgument, "point is not a canonical ristretto255 encoding");
  }
  std::array<uint8_t, kPointSize> copy;
  std::copy(bytes.begin(), bytes.end(), copy.begin());
  return Point(copy);
}

Result<Point> Point::FromUniformBytes(std::span<const uint8_t, kUniformBytesSize> bytes) {
  internal::EnsureSodium();
  std::array<uint8_t, kPointSize> out;
  crypto_core_ristretto255_from_hash(out.data(), bytes.data());
  if (sodium_is_zero(out.data(), out.size()) == 1) {
    return Fail(ErrorCode::kInvalidArgument, "uniform bytes map to the identity element");
  }
  return Point(out);
}

Result<Point> Point::HashToGroup(std::span<const uint8_t> msg, std::span<const uint8_t> dst) {
  Result<Bytes> uniform = ExpandMessageXmdSha512(msg, dst, kUniformBytesSize);
  if (!uniform) return std::unexpected(std::move(uniform).error());
  Result<Point> point = FromUniformBytes(
      std::span<const uint8_t, kUniformBytesSize>(uniform->data(), kUniformBytesSize));
  // The message may be an identifier; its hash is not left behind.
  sodium_memzero(uniform->data(), uniform->size());
  if (!point) {
    return Fail(point.error().code, "hash to group: input maps to the identity element");
  }
  return point;
}

Point Point::Generator() { return Point(kGenerator); }

Point Point::BaseMultiply(const Scalar& scalar) {
  internal::EnsureSodium();
  std::array<uint8_t, kPointSize> out;
  // Fails only for a zero scalar, i.e. a moved-from one.
  if (crypto_scalarmult_ristretto255_base(out.data(), scalar.RevealForCrypto().data()) != 0) {
    DieUsedAfterMove();
  }
  return Point(out);
}

Result<Point> Point::DecodeAndMultiply(std::span<const uint8_t> encoding, const Scalar& scalar) {
  if (encoding.size() != kPointSize) {
    return Fail(ErrorCode::kInvalidArgument,
                "point must be 32 bytes, got " + std::to_string(encoding.size()));
  }
  std::array<uint8_t, kPointSize> out;
  if (!MultiplyRaw(std::span<const uint8_t, kPointSize>(encoding.data(), kPointSize), scalar,
                   out)) {
    if (sodium_is_zero(scalar.RevealForCrypto().data(), kScalarSize) == 1) {
      return Fail(ErrorCode::kFailedPrecondition, "multiplication by a moved-from scalar");
    }
    return Fail(ErrorCode::kInvalidArgument,
                "point is the identity or not a canonical ristretto255 encoding");
  }
  return Point(out);
}

Result<Point> Point::Multiply(const Scalar& scalar) const {
  std::array<uint8_t, kPointSize> out;
  // bytes_ is a valid non-identity element, so for a nonzero scalar below L
  // the product cannot be the identity (prime order): only a zero scalar fails.
  if (!MultiplyRaw(bytes_, scalar, out)) {
    return Fail(ErrorCode::kFailedPrecondition, "multiplication by a moved-from scalar");
  }
  return Point(out);
}

Result<Point> Point::Add(const Point& other) const {
  internal::EnsureSodium();
  std::array<uint8_t, kPointSize> out;
  if (crypto_core_ristretto255_add(out.data(), bytes_.data(), other.bytes_.data()) != 0 ||
      sodium_is_zero(out.data(), out.size()) == 1) {
    return Fail(ErrorCode::kInvalidArgument, "sum of points is the identity element");
  }
  return Point(out);
}

bool MultiplyRaw(std::span<const uint8_t, kPointSize> in, const Scalar& scalar,
                 std::span<uint8_t, kPointSize> out) {
  internal::EnsureSodium();
  // crypto_scalarmult_ristretto255 decodes `in` with the same canonicality
  // checks as is_valid_point and returns -1 if the product is the identity,
  // which for a nonzero scalar < L happens exactly when `in` is the identity.
  // It reads `in` fully before writing `out`, so aliasing is fine.
  if (crypto_scalarmult_ristretto255(out.data(), scalar.RevealForCrypto().data(), in.data()) != 0) {
    sodium_memzero(out.data(), out.size());
    return false;
  }
  return true;
}

}  // namespace inbeeld::crypto
