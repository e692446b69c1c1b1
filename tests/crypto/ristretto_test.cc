#include "crypto/ristretto.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <ostream>
#include <set>
#include <string>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

#include "crypto/bytes.h"
#include "tests/crypto/vectors.h"

namespace inbeeld::crypto {
namespace {

using testing::IndexName;
using testing::LoadVectorFile;
using testing::Unhex;

static_assert(std::is_trivially_copyable_v<Point>);
static_assert(sizeof(Point) == 32);
static_assert(!std::is_copy_constructible_v<Scalar>);
static_assert(std::is_nothrow_move_constructible_v<Scalar>);
static_assert(!std::is_default_constructible_v<Point>);
static_assert(!std::is_default_constructible_v<Scalar>);

// Little-endian constants.
constexpr char kOrderHex[] = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";
constexpr char kOrderPlusOneHex[] =
    "eed3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";
constexpr char kOrderMinusOneHex[] =
    "ecd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";

Bytes LittleEndian(unsigned k) {
  Bytes b(32, 0);
  b[0] = static_cast<uint8_t>(k);
  return b;
}

Scalar ScalarFrom(std::string_view hex) {
  Result<Scalar> s = Scalar::Decode(Unhex(hex));
  if (!s) std::abort();
  return *std::move(s);
}

std::span<const uint8_t, 64> Uniform(const Bytes& b) {
  if (b.size() != 64) std::abort();
  return std::span<const uint8_t, 64>(b.data(), 64);
}

nlohmann::json& Rfc9496() {
  static nlohmann::json file = LoadVectorFile("rfc9496-ristretto255.json");
  return file;
}

template <typename T>
std::vector<T> Section(const char* key) {
  std::vector<T> out;
  if (!Rfc9496().is_object()) return out;
  for (const auto& entry : Rfc9496()[key]) out.push_back(entry.get<T>());
  return out;
}

// ------------------------------------------------- RFC 9496 A.1: k * G --

struct Multiple {
  unsigned k;
  std::string encoding;
};
void PrintTo(const Multiple& v, std::ostream* out) {
  std::ostream& os = *out;
  os << "k=" << v.k;
}
void from_json(const nlohmann::json& j, Multiple& m) {
  m.k = j.at("k").get<unsigned>();
  m.encoding = j.at("encoding").get<std::string>();
}

const std::vector<Multiple>& Multiples() {
  static const std::vector<Multiple> v = Section<Multiple>("generator_multiples");
  return v;
}

class GeneratorMultipleTest : public ::testing::TestWithParam<Multiple> {};

TEST_P(GeneratorMultipleTest, BaseMultiplyMatches) {
  const Multiple& m = GetParam();
  if (m.k == 0) {
    // 0 * G is the identity: no Scalar is zero and no Point is the identity.
    Result<Scalar> zero = Scalar::Decode(LittleEndian(0));
    ASSERT_FALSE(zero.has_value());
    Result<Point> identity = Point::Decode(Unhex(m.encoding));
    ASSERT_FALSE(identity.has_value());
    EXPECT_EQ(identity.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(identity.error().message.find("identity"), std::string::npos);
    return;
  }
  Result<Scalar> k = Scalar::Decode(LittleEndian(m.k));
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(HexEncode(Point::BaseMultiply(*k).Encode()), m.encoding);
  EXPECT_EQ(HexEncode(Point::Generator().Multiply(*k)->Encode()), m.encoding);

  Result<Point> decoded = Point::Decode(Unhex(m.encoding));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(HexEncode(decoded->Encode()), m.encoding);
}

INSTANTIATE_TEST_SUITE_P(Rfc9496A1, GeneratorMultipleTest, ::testing::ValuesIn(Multiples()),
                         IndexName());

TEST(GeneratorMultipleTest, AllVectorsLoaded) { EXPECT_EQ(Multiples().size(), 16u); }

TEST(GeneratorMultipleTest, RepeatedAdditionMatches) {
  ASSERT_GE(Multiples().size(), 16u);
  EXPECT_EQ(HexEncode(Point::Generator().Encode()), Multiples()[1].encoding);
  Point sum = Point::Generator();
  for (unsigned k = 2; k < 16; ++k) {
    Result<Point> next = sum.Add(Point::Generator());
    ASSERT_TRUE(next.has_value());
    sum = *next;
    EXPECT_EQ(HexEncode(sum.Encode()), Multiples()[k].encoding) << "k=" << k;
  }
}

// ---------------------------------------- RFC 9496 A.2: invalid encodings --

struct InvalidEncoding {
  std::string category;
  std::string encoding;
};
void PrintTo(const InvalidEncoding& v, std::ostream* out) {
  std::ostream& os = *out;
  os << v.category;
}
void from_json(const nlohmann::json& j, InvalidEncoding& e) {
  e.category = j.at("category").get<std::string>();
  e.encoding = j.at("encoding").get<std::string>();
}

const std::vector<InvalidEncoding>& InvalidEncodings() {
  static const std::vector<InvalidEncoding> v = Section<InvalidEncoding>("invalid_encodings");
  return v;
}

class InvalidEncodingTest : public ::testing::TestWithParam<InvalidEncoding> {};

TEST_P(InvalidEncodingTest, DecodeRejects) {
  Result<Point> p = Point::Decode(Unhex(GetParam().encoding));
  ASSERT_FALSE(p.has_value()) << GetParam().category;
  EXPECT_EQ(p.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(p.error().message.find("canonical"), std::string::npos);
  EXPECT_EQ(p.error().message.find(GetParam().encoding), std::string::npos);
}

TEST_P(InvalidEncodingTest, MultiplyRejects) {
  const Bytes in = Unhex(GetParam().encoding);
  std::array<uint8_t, 32> out;
  out.fill(0xaa);
  EXPECT_FALSE(MultiplyRaw(std::span<const uint8_t, 32>(in.data(), 32), Scalar::Random(), out));
  EXPECT_EQ(out, (std::array<uint8_t, 32>{}));
  Result<Point> p = Point::DecodeAndMultiply(in, Scalar::Random());
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code, ErrorCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Rfc9496A2, InvalidEncodingTest, ::testing::ValuesIn(InvalidEncodings()),
                         IndexName());

TEST(InvalidEncodingTest, AllVectorsLoaded) { EXPECT_EQ(InvalidEncodings().size(), 29u); }

// ---------------------------------------- RFC 9496 A.3: element derivation --

struct Derivation {
  std::string input;
  std::string output;
};
void PrintTo(const Derivation& v, std::ostream* out) {
  std::ostream& os = *out;
  os << v.input.substr(0, 16);
}
void from_json(const nlohmann::json& j, Derivation& d) {
  d.input = j.at("input").get<std::string>();
  d.output = j.at("output").get<std::string>();
}

std::vector<Derivation> LoadDerivations() {
  std::vector<Derivation> out = Section<Derivation>("element_derivation");
  // The last RFC vectors: several inputs that all map to one element.
  if (Rfc9496().is_object()) {
    const auto& same = Rfc9496()["element_derivation_same_output"];
    for (const auto& input : same["inputs"]) {
      out.push_back({input.get<std::string>(), same["output"].get<std::string>()});
    }
  }
  return out;
}

const std::vector<Derivation>& Derivations() {
  static const std::vector<Derivation> v = LoadDerivations();
  return v;
}

class ElementDerivationTest : public ::testing::TestWithParam<Derivation> {};

TEST_P(ElementDerivationTest, FromUniformBytesMatches) {
  const Bytes input = Unhex(GetParam().input);
  Result<Point> p = Point::FromUniformBytes(Uniform(input));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(HexEncode(p->Encode()), GetParam().output);
}

INSTANTIATE_TEST_SUITE_P(Rfc9496A3, ElementDerivationTest, ::testing::ValuesIn(Derivations()),
                         IndexName());

TEST(ElementDerivationTest, AllVectorsLoaded) { EXPECT_EQ(Derivations().size(), 7u + 4u); }

TEST(ElementDerivationTest, IdentityResultRejected) {
  // All-zero input maps to the identity element.
  const Bytes zeros(64, 0);
  Result<Point> p = Point::FromUniformBytes(Uniform(zeros));
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code, ErrorCode::kInvalidArgument);
}

// ------------------- hash_to_ristretto255 (expected values from RFC 9497) --

struct HashToGroupVector {
  std::string dst_hex;
  std::string msg_hex;
  std::string expected;
};
void PrintTo(const HashToGroupVector& v, std::ostream* out) {
  std::ostream& os = *out;
  os << "msg=" << v.msg_hex;
}

std::vector<HashToGroupVector> LoadHashToGroup() {
  std::vector<HashToGroupVector> out;
  nlohmann::json file = LoadVectorFile("derived-hash_to_ristretto255-from-rfc9497.json");
  if (!file.is_object()) return out;
  for (const auto& t : file["tests"]) {
    out.push_back({t["DST_hex"].get<std::string>(), t["msg"].get<std::string>(),
                   t["expected"].get<std::string>()});
  }
  return out;
}

const std::vector<HashToGroupVector>& HashToGroupVectors() {
  static const std::vector<HashToGroupVector> v = LoadHashToGroup();
  return v;
}

class HashToGroupTest : public ::testing::TestWithParam<HashToGroupVector> {};

TEST_P(HashToGroupTest, Matches) {
  const HashToGroupVector& v = GetParam();
  Result<Point> p = Point::HashToGroup(Unhex(v.msg_hex), Unhex(v.dst_hex));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(HexEncode(p->Encode()), v.expected);
}

INSTANTIATE_TEST_SUITE_P(DerivedFromRfc9497, HashToGroupTest,
                         ::testing::ValuesIn(HashToGroupVectors()), IndexName());

TEST(HashToGroupTest, AllVectorsLoaded) { EXPECT_EQ(HashToGroupVectors().size(), 6u); }

TEST(HashToGroupTest, DependsOnDst) {
  Result<Point> a = Point::HashToGroup(ToBytes("123456782"), ToBytes("dst-a"));
  Result<Point> b = Point::HashToGroup(ToBytes("123456782"), ToBytes("dst-b"));
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
}

// ------------------------------------------------------------------ Scalar --

TEST(ScalarTest, DecodeAcceptsOneAndOrderMinusOne) {
  EXPECT_TRUE(Scalar::Decode(LittleEndian(1)).has_value());
  EXPECT_TRUE(Scalar::Decode(Unhex(kOrderMinusOneHex)).has_value());
}

TEST(ScalarTest, DecodeRejectsNonCanonical) {
  for (const char* hex : {kOrderHex, kOrderPlusOneHex,
                          "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
                          "0000000000000000000000000000000000000000000000000000000000000080",
                          "0000000000000000000000000000000000000000000000000000000000000011"}) {
    Result<Scalar> s = Scalar::Decode(Unhex(hex));
    ASSERT_FALSE(s.has_value()) << hex;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(s.error().message.find("canonical"), std::string::npos);
  }
}

TEST(ScalarTest, DecodeRejectsZero) {
  Result<Scalar> s = Scalar::Decode(Bytes(32, 0));
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message.find("zero"), std::string::npos);
}

TEST(ScalarTest, DecodeRejectsWrongLength) {
  for (size_t n : {0, 1, 31, 33, 64}) {
    Result<Scalar> s = Scalar::Decode(Bytes(n, 1));
    ASSERT_FALSE(s.has_value()) << n;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(ScalarTest, EncodeRoundTrips) {
  Scalar s = Scalar::Random();
  SecretBytes encoded = s.Encode();
  Result<Scalar> back = Scalar::Decode(encoded.RevealForCrypto());
  ASSERT_TRUE(back.has_value());
  EXPECT_TRUE(back->ConstantTimeEquals(s));
}

TEST(ScalarTest, RandomIsNonzeroAndVaries) {
  Scalar a = Scalar::Random();
  Scalar b = Scalar::Random();
  EXPECT_FALSE(a.ConstantTimeEquals(b));
  EXPECT_TRUE(Scalar::Decode(a.RevealForCrypto()).has_value());  // canonical and nonzero
}

TEST(ScalarTest, FromUniformBytesReduces) {
  // 64-byte little-endian L + 5 reduces to 5.
  Bytes wide = Unhex(kOrderHex);
  wide.resize(64, 0);
  wide[0] = static_cast<uint8_t>(wide[0] + 5);  // 0xed + 5 does not carry
  Result<Scalar> s = Scalar::FromUniformBytes(Uniform(wide));
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(HexEncode(s->RevealForCrypto()), HexEncode(LittleEndian(5)));
}

TEST(ScalarTest, FromUniformBytesRejectsZero) {
  Bytes wide = Unhex(kOrderHex);  // L mod L = 0
  wide.resize(64, 0);
  Result<Scalar> s = Scalar::FromUniformBytes(Uniform(wide));
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(Scalar::FromUniformBytes(Uniform(Bytes(64, 0))).has_value());
}

TEST(ScalarTest, InvertTimesSelfIsOne) {
  Scalar s = Scalar::Random();
  Result<Scalar> inverse = s.Invert();
  ASSERT_TRUE(inverse.has_value());
  EXPECT_EQ(HexEncode(s.Multiply(*inverse).RevealForCrypto()), HexEncode(LittleEndian(1)));
}

TEST(ScalarTest, MultiplyAgreesWithPointMultiplication) {
  Scalar a = Scalar::Random();
  Scalar b = Scalar::Random();
  Result<Point> b_then_a = Point::BaseMultiply(b).Multiply(a);
  ASSERT_TRUE(b_then_a.has_value());
  EXPECT_EQ(Point::BaseMultiply(a.Multiply(b)), *b_then_a);
}

TEST(ScalarTest, CloneIsIndependentEqualCopy) {
  Scalar a = Scalar::Random();
  Scalar b = a.Clone();
  EXPECT_TRUE(a.ConstantTimeEquals(b));
  Scalar c = std::move(a);
  EXPECT_TRUE(b.ConstantTimeEquals(c));
}

TEST(ScalarTest, MoveWipesSource) {
  Scalar a = Scalar::Random();
  Scalar b = std::move(a);
  const auto moved_from = a.RevealForCrypto();  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(std::all_of(moved_from.begin(), moved_from.end(), [](uint8_t x) { return x == 0; }));

  Scalar c = Scalar::Random();
  c = std::move(b);
  EXPECT_FALSE(c.ConstantTimeEquals(b));  // NOLINT(bugprone-use-after-move): b is now zero
}

TEST(ScalarTest, MovedFromScalarFailsCleanly) {
  Scalar a = Scalar::Random();
  Scalar b = std::move(a);
  // NOLINTBEGIN(bugprone-use-after-move)
  Result<Scalar> inverse = a.Invert();
  ASSERT_FALSE(inverse.has_value());
  EXPECT_EQ(inverse.error().code, ErrorCode::kFailedPrecondition);

  Result<Point> product = Point::Generator().Multiply(a);
  ASSERT_FALSE(product.has_value());
  EXPECT_EQ(product.error().code, ErrorCode::kFailedPrecondition);

  Result<Point> decoded_product = Point::DecodeAndMultiply(Point::Generator().Encode(), a);
  ASSERT_FALSE(decoded_product.has_value());
  EXPECT_EQ(decoded_product.error().code, ErrorCode::kFailedPrecondition);

  std::array<uint8_t, 32> out;
  EXPECT_FALSE(MultiplyRaw(Point::Generator().Encode(), a, out));
  // NOLINTEND(bugprone-use-after-move)
}

TEST(ScalarDeathTest, InfallibleOperationsOnMovedFromScalarAbort) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Scalar a = Scalar::Random();
  Scalar b = std::move(a);
  // NOLINTBEGIN(bugprone-use-after-move)
  EXPECT_DEATH((void)Point::BaseMultiply(a), "");
  EXPECT_DEATH((void)b.Multiply(a), "");
  // NOLINTEND(bugprone-use-after-move)
}

// ------------------------------------------------------------------- Point --

TEST(PointTest, DecodeRejectsWrongLength) {
  const Point generator = Point::Generator();
  const Bytes g(generator.Encode().begin(), generator.Encode().end());
  for (size_t n : {0, 1, 31, 33, 64}) {
    Bytes b = g;
    b.resize(n, 0);
    Result<Point> p = Point::Decode(b);
    ASSERT_FALSE(p.has_value()) << n;
    EXPECT_EQ(p.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(p.error().message.find("32 bytes"), std::string::npos);
  }
}

TEST(PointTest, DecodeRejectsIdentityWithItsOwnMessage) {
  Result<Point> identity = Point::Decode(Bytes(32, 0));
  Result<Point> non_canonical =
      Point::Decode(Unhex("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"));
  ASSERT_FALSE(identity.has_value());
  ASSERT_FALSE(non_canonical.has_value());
  EXPECT_NE(identity.error().message, non_canonical.error().message);
  EXPECT_NE(identity.error().message.find("identity"), std::string::npos);
}

TEST(PointTest, MultiplyRejectsIdentityInput) {
  const std::array<uint8_t, 32> identity{};
  std::array<uint8_t, 32> out;
  EXPECT_FALSE(MultiplyRaw(identity, Scalar::Random(), out));
  EXPECT_FALSE(Point::DecodeAndMultiply(identity, Scalar::Random()).has_value());
}

TEST(PointTest, MultiplyRawMatchesPointMultiplyAndMayAlias) {
  Scalar s = Scalar::Random();
  Point p = Point::BaseMultiply(Scalar::Random());
  Result<Point> expected = p.Multiply(s);
  ASSERT_TRUE(expected.has_value());

  std::array<uint8_t, 32> buffer = p.Encode();
  ASSERT_TRUE(MultiplyRaw(buffer, s, buffer));
  EXPECT_EQ(buffer, expected->Encode());

  Result<Point> via_decode = Point::DecodeAndMultiply(p.Encode(), s);
  ASSERT_TRUE(via_decode.has_value());
  EXPECT_EQ(*via_decode, *expected);
}

TEST(PointTest, DecodeAndMultiplyRejectsWrongLength) {
  Result<Point> p = Point::DecodeAndMultiply(Bytes(31, 1), Scalar::Random());
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code, ErrorCode::kInvalidArgument);
}

TEST(PointTest, AddRejectsIdentitySum) {
  // G + (L-1)G = L*G = identity.
  const Point minus_g = Point::BaseMultiply(ScalarFrom(kOrderMinusOneHex));
  Result<Point> sum = Point::Generator().Add(minus_g);
  ASSERT_FALSE(sum.has_value());
  EXPECT_EQ(sum.error().code, ErrorCode::kInvalidArgument);
}

TEST(PointTest, DiffieHellmanCommutes) {
  // The PSI core: a(b H(x)) == b(a H(x)).
  Scalar a = Scalar::Random();
  Scalar b = Scalar::Random();
  Result<Point> h = Point::HashToGroup(ToBytes("123456782"), ToBytes("test"));
  ASSERT_TRUE(h.has_value());
  Result<Point> b_h = h->Multiply(b);
  Result<Point> a_h = h->Multiply(a);
  ASSERT_TRUE(a_h && b_h);
  Result<Point> ab = b_h->Multiply(a);
  Result<Point> ba = a_h->Multiply(b);
  ASSERT_TRUE(ab && ba);
  EXPECT_EQ(*ab, *ba);
}

TEST(PointTest, SortsAndHashes) {
  std::vector<Point> points;
  for (int i = 0; i < 20; ++i) points.push_back(Point::BaseMultiply(Scalar::Random()));
  points.push_back(points[3]);
  std::sort(points.begin(), points.end());
  EXPECT_TRUE(std::is_sorted(points.begin(), points.end(), [](const Point& a, const Point& b) {
    return a.Encode() < b.Encode();
  }));
  EXPECT_EQ(std::set<Point>(points.begin(), points.end()).size(), 20u);
  std::unordered_set<Point> hashed(points.begin(), points.end());
  EXPECT_EQ(hashed.size(), 20u);
  EXPECT_TRUE(hashed.contains(points[0]));
}

}  // namespace
}  // namespace inbeeld::crypto
