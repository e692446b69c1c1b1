#include "crypto/signing.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

#include "crypto/bytes.h"
#include "tests/crypto/vectors.h"

namespace inbeeld::crypto {
namespace {

using testing::IndexName;
using testing::Unhex;

static_assert(!std::is_copy_constructible_v<SigningKey>);
static_assert(std::is_move_constructible_v<SigningKey>);

// RFC 8032 section 7.1, TEST 1 to 3.
struct Rfc8032Vector {
  std::string seed;
  std::string public_key;
  std::string message;
  std::string signature;
};
void PrintTo(const Rfc8032Vector& v, std::ostream* out) {
  std::ostream& os = *out;
  os << "msg=" << v.message;
}

const std::vector<Rfc8032Vector> kRfc8032 = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701c"
     "f9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0"
     "f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f76098"
     "4dc6594a7c15e9716ed28dc027beceea1ec40a"},
};

class Rfc8032Test : public ::testing::TestWithParam<Rfc8032Vector> {};

TEST_P(Rfc8032Test, SignAndVerify) {
  const Rfc8032Vector& v = GetParam();
  Result<SigningKey> key = SigningKey::FromSeed(Unhex(v.seed));
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(HexEncode(key->PublicKey().bytes()), v.public_key);
  const auto signature = key->Sign(Unhex(v.message));
  EXPECT_EQ(HexEncode(signature), v.signature);

  Result<VerifyingKey> public_key = VerifyingKey::FromBytes(Unhex(v.public_key));
  ASSERT_TRUE(public_key.has_value());
  EXPECT_TRUE(public_key->Verify(Unhex(v.message), Unhex(v.signature)).has_value());
}

INSTANTIATE_TEST_SUITE_P(Rfc8032, Rfc8032Test, ::testing::ValuesIn(kRfc8032), IndexName());

TEST(SigningTest, EveryBitFlipInSignatureIsRejected) {
  SigningKey key = SigningKey::Generate();
  const Bytes message = ToBytes("checkpoint\n42\nabc=\n");
  const auto signature = key.Sign(message);
  ASSERT_TRUE(key.PublicKey().Verify(message, signature).has_value());
  for (size_t byte = 0; byte < signature.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      auto tampered = signature;
      tampered[byte] ^= static_cast<uint8_t>(1u << bit);
      Status status = key.PublicKey().Verify(message, tampered);
      ASSERT_FALSE(status.has_value()) << "byte " << byte << " bit " << bit;
      EXPECT_EQ(status.error().code, ErrorCode::kUnauthenticated);
    }
  }
}

TEST(SigningTest, EveryBitFlipInMessageIsRejected) {
  SigningKey key = SigningKey::Generate();
  const Bytes message = ToBytes("checkpoint 42");
  const auto signature = key.Sign(message);
  for (size_t byte = 0; byte < message.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      Bytes tampered = message;
      tampered[byte] ^= static_cast<uint8_t>(1u << bit);
      EXPECT_FALSE(key.PublicKey().Verify(tampered, signature).has_value());
    }
  }
}

TEST(SigningTest, WrongSignatureLengthIsRejected) {
  SigningKey key = SigningKey::Generate();
  const auto signature = key.Sign(ToBytes("m"));
  for (size_t n : {0, 32, 63, 65}) {
    Bytes s(signature.begin(), signature.end());
    s.resize(n, 0);
    Status status = key.PublicKey().Verify(ToBytes("m"), s);
    ASSERT_FALSE(status.has_value()) << n;
    EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(SigningTest, OtherKeyDoesNotVerify) {
  SigningKey a = SigningKey::Generate();
  SigningKey b = SigningKey::Generate();
  EXPECT_FALSE(a.PublicKey() == b.PublicKey());
  Status status = b.PublicKey().Verify(ToBytes("m"), a.Sign(ToBytes("m")));
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::kUnauthenticated);
}

TEST(SigningTest, SeedRoundTrips) {
  SigningKey key = SigningKey::Generate();
  EXPECT_EQ(key.SeedForStorage().size(), kEd25519SeedSize);
  Result<SigningKey> again = SigningKey::FromSeed(key.SeedForStorage().RevealForCrypto());
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->PublicKey(), key.PublicKey());
  EXPECT_EQ(again->Sign(ToBytes("m")), key.Sign(ToBytes("m")));
}

TEST(SigningTest, FromSeedRejectsWrongLength) {
  for (size_t n : {0, 16, 31, 33, 64}) {
    Result<SigningKey> key = SigningKey::FromSeed(Bytes(n, 1));
    ASSERT_FALSE(key.has_value()) << n;
    EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(VerifyingKeyTest, FromBytesRejectsWrongLengthAndInvalidKeys) {
  for (size_t n : {0, 31, 33}) {
    EXPECT_FALSE(VerifyingKey::FromBytes(Bytes(n, 1)).has_value()) << n;
  }
  const char* invalid[] = {
      // small order: the identity (0, 1), its encoding with y = 1
      "0100000000000000000000000000000000000000000000000000000000000000",
      // small order: all zeros (y = 0, a point of order 4)
      "0000000000000000000000000000000000000000000000000000000000000000",
      // non-canonical: y = p (2^255 - 19)
      "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      // not on the curve / not canonical: all ones
      "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
  };
  for (const char* hex : invalid) {
    Result<VerifyingKey> key = VerifyingKey::FromBytes(Unhex(hex));
    ASSERT_FALSE(key.has_value()) << hex;
    EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(FingerprintTest, FormatAndRoundTrip) {
  Result<VerifyingKey> key = VerifyingKey::FromBytes(Unhex(kRfc8032[0].public_key));
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->Fingerprint(), "ed25519:" + kRfc8032[0].public_key);
  Result<VerifyingKey> back = VerifyingKey::FromFingerprint(key->Fingerprint());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, *key);

  SigningKey generated = SigningKey::Generate();
  Result<VerifyingKey> generated_back =
      VerifyingKey::FromFingerprint(generated.PublicKey().Fingerprint());
  ASSERT_TRUE(generated_back.has_value());
  EXPECT_EQ(*generated_back, generated.PublicKey());
}

TEST(FingerprintTest, AcceptsLenientForms) {
  const std::string hex = kRfc8032[0].public_key;
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string colons, spaces;
  for (size_t i = 0; i < hex.size(); i += 2) {
    if (i != 0) {
      colons += ':';
      spaces += ' ';
    }
    colons += hex.substr(i, 2);
    spaces += hex.substr(i, 2);
  }
  const std::string groups_of_four = hex.substr(0, 4) + ":" + hex.substr(4);
  for (const std::string& text :
       {"ED25519:" + upper, "  ed25519:" + hex + "\n", "\ted25519:" + hex + " \r\n",
        "ed25519:" + colons, "ed25519:" + spaces, "Ed25519:" + groups_of_four}) {
    Result<VerifyingKey> key = VerifyingKey::FromFingerprint(text);
    ASSERT_TRUE(key.has_value()) << text << ": " << key.error().message;
    EXPECT_EQ(HexEncode(key->bytes()), hex);
  }
}

TEST(FingerprintTest, RejectsMalformed) {
  const std::string hex = kRfc8032[0].public_key;
  const std::vector<std::string> malformed = {
      "",
      hex,                                                   // no prefix
      "ed25519" + hex,                                       // no colon
      "ed448:" + hex,                                        // other algorithm
      "ssh-ed25519:" + hex,                                  //
      "ed25519:" + hex.substr(0, 62),                        // too short
      "ed25519:" + hex + "00",                               // too long
      "ed25519:" + hex.substr(0, 63) + "g",                  // not hex
      "ed25519:0x" + hex.substr(2),                          // prefix inside
      "ed25519: " + hex,                                     // leading separator
      "ed25519:" + hex + ":",                                // trailing separator
      "ed25519:" + hex.substr(0, 2) + "::" + hex.substr(2),  // doubled separator
      "ed25519:" + hex.substr(0, 3) + ":" + hex.substr(3),   // splits a byte
      "ed25519:" + hex.substr(0, 2) + "-" + hex.substr(2),   // other separator
      "ed25519:" + std::string(64, '0'),                     // hex fine, not a valid key
  };
  for (const std::string& text : malformed) {
    Result<VerifyingKey> key = VerifyingKey::FromFingerprint(text);
    ASSERT_FALSE(key.has_value()) << text;
    EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(key.error().message.find(hex.substr(0, 16)), std::string::npos)
        << "error echoes the input: " << key.error().message;
  }
}

}  // namespace
}  // namespace inbeeld::crypto
