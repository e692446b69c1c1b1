#include "crypto/oprf.h"

#include <sodium.h>

#include <string>
#include <string_view>
#include <utility>

#include "crypto/expand_message.h"
#include "crypto/sodium_init.h"

namespace inbeeld::crypto {
namespace {

// "OPRFV1-" || I2OSP(mode = 0, 1) || "-ristretto255-SHA512"; the embedded
// NUL is why the length is given explicitly.
constexpr char kContextLiteral[] = "OPRFV1-\0-ristretto255-SHA512";
constexpr std::string_view kContext(kContextLiteral, sizeof(kContextLiteral) - 1);
static_assert(kContext.size() == 28);

Bytes DstWithContext(std::string_view prefix) {
  Bytes dst = ToBytes(prefix);
  dst.insert(dst.end(), kContext.begin(), kContext.end());
  return dst;
}

const Bytes& HashToGroupDst() {
  static const Bytes dst = DstWithContext("HashToGroup-");
  return dst;
}
const Bytes& HashToScalarDst() {
  static const Bytes dst = DstWithContext("HashToScalar-");
  return dst;
}
const Bytes& DeriveKeyPairDst() {
  static const Bytes dst = DstWithContext("DeriveKeyPair");
  return dst;
}

void AppendU16(Bytes& out, size_t value) {
  out.push_back(static_cast<uint8_t>(value >> 8));
  out.push_back(static_cast<uint8_t>(value & 0xff));
}

// RFC 9497 4.1 HashToScalar for ristretto255: 64 expanded bytes reduced mod L.
Result<Scalar> HashToScalarWithDst(std::span<const uint8_t> input, std::span<const uint8_t> dst) {
  Result<Bytes> uniform = ExpandMessageXmdSha512(input, dst, kUniformBytesSize);
  if (!uniform) return std::unexpected(std::move(uniform).error());
  Result<Scalar> scalar = Scalar::FromUniformBytes(
      std::span<const uint8_t, kUniformBytesSize>(uniform->data(), kUniformBytesSize));
  sodium_memzero(uniform->data(), uniform->size());  // may derive from a key seed
  return scalar;
}

Status CheckInputSize(std::span<const uint8_t> input, std::string_view what) {
  if (input.size() > kOprfMaxInputSize) {
    return Fail(ErrorCode::kInvalidArgument, std::string(what) + " is longer than " +
                                                 std::to_string(kOprfMaxInputSize) + " bytes");
  }
  return {};
}

}  // namespace

std::span<const uint8_t> OprfContextString() {
  return {reinterpret_cast<const uint8_t*>(kContext.data()), kContext.size()};
}

Result<Point> OprfHashToGroup(std::span<const uint8_t> input) {
  return Point::HashToGroup(input, HashToGroupDst());
}

Result<Scalar> OprfHashToScalar(std::span<const uint8_t> input) {
  return HashToScalarWithDst(input, HashToScalarDst());
}

Result<KeyPair> DeriveKeyPair(std::span<const uint8_t> seed, std::span<const uint8_t> info) {
  internal::EnsureSodium();
  if (seed.size() != kOprfSeedSize) {
    return Fail(ErrorCode::kInvalidArgument,
                "OPRF key seed must be 32 bytes, got " + std::to_string(seed.size()));
  }
  INBEELD_RETURN_IF_ERROR(CheckInputSize(info, "OPRF key info"));

  // deriveInput = seed || I2OSP(len(info), 2) || info, followed per attempt
  // by I2OSP(counter, 1). The buffer holds the seed, so it is wiped after.
  Bytes derive_input(seed.begin(), seed.end());
  AppendU16(derive_input, info.size());
  derive_input.insert(derive_input.end(), info.begin(), info.end());
  derive_input.push_back(0);

  for (unsigned counter = 0; counter <= 255; ++counter) {
    derive_input.back() = static_cast<uint8_t>(counter);
    Result<Scalar> sk = HashToScalarWithDst(derive_input, DeriveKeyPairDst());
    // A zero scalar is the only failure FromUniformBytes reports; the RFC says
    // to try the next counter.
    if (sk) {
      sodium_memzero(derive_input.data(), derive_input.size());
      Point pk = Point::BaseMultiply(*sk);
      return KeyPair{std::move(*sk), pk};
    }
  }
  sodium_memzero(derive_input.data(), derive_input.size());
  return Fail(ErrorCode::kInternal, "DeriveKeyPair: no nonzero scalar in 256 attempts");
}

Result<Point> Blind(std::span<const uint8_t> input, const Scalar& blind) {
  INBEELD_RETURN_IF_ERROR(CheckInputSize(input, "OPRF input"));
  Result<Point> element = OprfHashToGroup(input);
  if (!element) {
    return Fail(ErrorCode::kInvalidArgument, "OPRF input hashes to the identity element");
  }
  return element->Multiply(blind);
}

Result<Point> BlindEvaluate(const Scalar& sk, const Point& blinded) { return blinded.Multiply(sk); }

Result<std::array<uint8_t, kOprfOutputSize>> Finalize(std::span<const uint8_t> input,
                                                      const Scalar& blind, const Point& evaluated) {
  INBEELD_RETURN_IF_ERROR(CheckInputSize(input, "OPRF input"));
  Result<Scalar> inverse = blind.Invert();
  if (!inverse) return std::unexpected(std::move(inverse).error());
  Result<Point> unblinded = evaluated.Multiply(*inverse);
  if (!unblinded) return std::unexpected(std::move(unblinded).error());

  // hashInput = I2OSP(len(input), 2) || input ||
  //             I2OSP(len(unblindedElement), 2) || unblindedElement || "Finalize"
  static constexpr std::string_view kFinalize = "Finalize";
  const uint8_t input_len[2] = {static_cast<uint8_t>(input.size() >> 8),
                                static_cast<uint8_t>(input.size() & 0xff)};
  const uint8_t element_len[2] = {0, static_cast<uint8_t>(kPointSize)};
  crypto_hash_sha512_state state;
  crypto_hash_sha512_init(&state);
  crypto_hash_sha512_update(&state, input_len, sizeof(input_len));
  crypto_hash_sha512_update(&state, input.data(), input.size());
  crypto_hash_sha512_update(&state, element_len, sizeof(element_len));
  crypto_hash_sha512_update(&state, unblinded->Encode().data(), kPointSize);
  crypto_hash_sha512_update(&state, reinterpret_cast<const uint8_t*>(kFinalize.data()),
                            kFinalize.size());
  std::array<uint8_t, kOprfOutputSize> output;
  crypto_hash_sha512_final(&state, output.data());
  sodium_memzero(&state, sizeof(state));  // absorbed the (possibly identifying) input
  return output;
}

}  // namespace inbeeld::crypto
