#include "crypto/oprf.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "crypto/bytes.h"
#include "tests/crypto/vectors.h"

namespace inbeeld::crypto {
namespace {

using testing::IndexName;
using testing::LoadVectorFile;
using testing::Unhex;

// RFC 9497 appendix A.1.1: OPRF(ristretto255, SHA-512), mode 0x00.
const nlohmann::json& Suite() {
  static const nlohmann::json file = LoadVectorFile("rfc9497-ristretto255-sha512-oprf.json");
  return file;
}

struct OprfVector {
  std::string input;
  std::string blind;
  std::string blinded_element;
  std::string evaluation_element;
  std::string output;
};
void PrintTo(const OprfVector& v, std::ostream* out) {
  std::ostream& os = *out;
  os << "input=" << v.input;
}

std::vector<OprfVector> LoadVectors() {
  std::vector<OprfVector> out;
  if (!Suite().is_object()) return out;
  for (const auto& v : Suite()["vectors"]) {
    out.push_back({v["Input"].get<std::string>(), v["Blind"].get<std::string>(),
                   v["BlindedElement"].get<std::string>(),
                   v["EvaluationElement"].get<std::string>(), v["Output"].get<std::string>()});
  }
  return out;
}

const std::vector<OprfVector>& Vectors() {
  static const std::vector<OprfVector> v = LoadVectors();
  return v;
}

KeyPair ServerKey() {
  Result<KeyPair> kp = DeriveKeyPair(Unhex(Suite()["seed"].get<std::string>()),
                                     Unhex(Suite()["keyInfo"].get<std::string>()));
  if (!kp) std::abort();
  return *std::move(kp);
}

TEST(OprfVectorsTest, AllVectorsLoaded) {
  ASSERT_TRUE(Suite().is_object());
  EXPECT_EQ(Suite()["identifier"], "ristretto255-SHA512");
  EXPECT_EQ(Suite()["mode"], 0);
  EXPECT_EQ(Vectors().size(), 2u);
}

TEST(OprfTest, ContextString) {
  EXPECT_EQ(HexEncode(OprfContextString()),
            HexEncode(ToBytes(std::string_view("OPRFV1-\0-ristretto255-SHA512", 28))));
  // The vector file records the group DST, "HashToGroup-" || contextString.
  Bytes group_dst = ToBytes("HashToGroup-");
  group_dst.insert(group_dst.end(), OprfContextString().begin(), OprfContextString().end());
  EXPECT_EQ(HexEncode(group_dst), Suite()["groupDST"].get<std::string>());
}

TEST(OprfTest, DeriveKeyPairMatchesRfc9497) {
  KeyPair kp = ServerKey();
  EXPECT_EQ(HexEncode(kp.sk.RevealForCrypto()), Suite()["skSm"].get<std::string>());
  EXPECT_EQ(kp.pk, Point::BaseMultiply(kp.sk));
}

TEST(OprfTest, DeriveKeyPairDependsOnSeedAndInfo) {
  const Bytes seed = Unhex(Suite()["seed"].get<std::string>());
  Bytes other_seed = seed;
  other_seed[0] ^= 1;
  KeyPair base = ServerKey();
  Result<KeyPair> a = DeriveKeyPair(other_seed, ToBytes("test key"));
  Result<KeyPair> b = DeriveKeyPair(seed, ToBytes("test kez"));
  Result<KeyPair> c = DeriveKeyPair(seed, {});
  ASSERT_TRUE(a && b && c);
  EXPECT_FALSE(a->sk.ConstantTimeEquals(base.sk));
  EXPECT_FALSE(b->sk.ConstantTimeEquals(base.sk));
  EXPECT_FALSE(c->sk.ConstantTimeEquals(base.sk));
}

TEST(OprfTest, DeriveKeyPairRejectsBadSeedAndInfo) {
  for (size_t n : {0, 16, 31, 33, 64}) {
    Result<KeyPair> kp = DeriveKeyPair(Bytes(n, 0xa3), ToBytes("info"));
    ASSERT_FALSE(kp.has_value()) << n;
    EXPECT_EQ(kp.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_TRUE(DeriveKeyPair(Bytes(32, 0xa3), Bytes(65535, 'i')).has_value());
  Result<KeyPair> too_long = DeriveKeyPair(Bytes(32, 0xa3), Bytes(65536, 'i'));
  ASSERT_FALSE(too_long.has_value());
  EXPECT_EQ(too_long.error().code, ErrorCode::kInvalidArgument);
}

class OprfVectorTest : public ::testing::TestWithParam<OprfVector> {};

TEST_P(OprfVectorTest, BlindEvaluateFinalizeMatchRfc9497) {
  const OprfVector& v = GetParam();
  const Bytes input = Unhex(v.input);
  Result<Scalar> blind = Scalar::Decode(Unhex(v.blind));
  ASSERT_TRUE(blind.has_value());

  Result<Point> blinded = Blind(input, *blind);
  ASSERT_TRUE(blinded.has_value());
  EXPECT_EQ(HexEncode(blinded->Encode()), v.blinded_element);

  KeyPair server = ServerKey();
  Result<Point> evaluated = BlindEvaluate(server.sk, *blinded);
  ASSERT_TRUE(evaluated.has_value());
  EXPECT_EQ(HexEncode(evaluated->Encode()), v.evaluation_element);

  Result<std::array<uint8_t, 64>> output = Finalize(input, *blind, *evaluated);
  ASSERT_TRUE(output.has_value());
  EXPECT_EQ(HexEncode(*output), v.output);
}

TEST_P(OprfVectorTest, OutputDoesNotDependOnBlind) {
  const OprfVector& v = GetParam();
  const Bytes input = Unhex(v.input);
  KeyPair server = ServerKey();
  Scalar blind = Scalar::Random();
  Result<Point> blinded = Blind(input, blind);
  ASSERT_TRUE(blinded.has_value());
  Result<Point> evaluated = BlindEvaluate(server.sk, *blinded);
  ASSERT_TRUE(evaluated.has_value());
  Result<std::array<uint8_t, 64>> output = Finalize(input, blind, *evaluated);
  ASSERT_TRUE(output.has_value());
  EXPECT_EQ(HexEncode(*output), v.output);
}

TEST_P(OprfVectorTest, BlindedElementIsBlindTimesHashToGroup) {
  const OprfVector& v = GetParam();
  Result<Point> element = OprfHashToGroup(Unhex(v.input));
  Result<Scalar> blind = Scalar::Decode(Unhex(v.blind));
  ASSERT_TRUE(element && blind);
  EXPECT_EQ(HexEncode(element->Multiply(*blind)->Encode()), v.blinded_element);
}

INSTANTIATE_TEST_SUITE_P(Rfc9497A11, OprfVectorTest, ::testing::ValuesIn(Vectors()), IndexName());

TEST(OprfTest, DifferentKeyGivesDifferentOutput) {
  const Bytes input = ToBytes("123456782");
  Scalar blind = Scalar::Random();
  Result<Point> blinded = Blind(input, blind);
  ASSERT_TRUE(blinded.has_value());
  KeyPair server = ServerKey();
  Scalar other_key = Scalar::Random();
  Result<Point> e1 = BlindEvaluate(server.sk, *blinded);
  Result<Point> e2 = BlindEvaluate(other_key, *blinded);
  ASSERT_TRUE(e1 && e2);
  EXPECT_NE(*Finalize(input, blind, *e1), *Finalize(input, blind, *e2));
}

TEST(OprfTest, InputLengthLimit) {
  Scalar blind = Scalar::Random();
  EXPECT_TRUE(Blind(Bytes(65535, 'x'), blind).has_value());
  Result<Point> too_long = Blind(Bytes(65536, 'x'), blind);
  ASSERT_FALSE(too_long.has_value());
  EXPECT_EQ(too_long.error().code, ErrorCode::kInvalidArgument);
  Result<std::array<uint8_t, 64>> finalized =
      Finalize(Bytes(65536, 'x'), blind, Point::Generator());
  ASSERT_FALSE(finalized.has_value());
  EXPECT_EQ(finalized.error().code, ErrorCode::kInvalidArgument);
}

TEST(OprfTest, HashToScalarIsDeterministicAndSeparated) {
  Result<Scalar> a = OprfHashToScalar(ToBytes("input"));
  Result<Scalar> b = OprfHashToScalar(ToBytes("input"));
  Result<Scalar> c = OprfHashToScalar(ToBytes("inpuu"));
  ASSERT_TRUE(a && b && c);
  EXPECT_TRUE(a->ConstantTimeEquals(*b));
  EXPECT_FALSE(a->ConstantTimeEquals(*c));
}

TEST(OprfTest, MovedFromBlindFailsCleanly) {
  Scalar blind = Scalar::Random();
  Scalar taken = std::move(blind);
  // NOLINTBEGIN(bugprone-use-after-move)
  Result<Point> blinded = Blind(ToBytes("x"), blind);
  ASSERT_FALSE(blinded.has_value());
  EXPECT_EQ(blinded.error().code, ErrorCode::kFailedPrecondition);
  Result<std::array<uint8_t, 64>> out = Finalize(ToBytes("x"), blind, Point::Generator());
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().code, ErrorCode::kFailedPrecondition);
  // NOLINTEND(bugprone-use-after-move)
}

}  // namespace
}  // namespace inbeeld::crypto
