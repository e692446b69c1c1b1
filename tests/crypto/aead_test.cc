#include "crypto/aead.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/crypto/vectors.h"

namespace inbeeld::crypto {
namespace {

using testing::Unhex;

SecretBytes Key() { return SecretBytes::Random(kAeadKeySize); }

// draft-irtf-cfrg-xchacha-03 appendix A.3.1, arranged in Seal's format
// (nonce || ciphertext || tag), so Open is checked against a published vector.
TEST(AeadTest, OpensDraftXChaChaVector) {
  const SecretBytes key = SecretBytes::CopyFrom(
      Unhex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"));
  const Bytes aad = Unhex("50515253c0c1c2c3c4c5c6c7");
  const Bytes sealed = Unhex(
      "404142434445464748494a4b4c4d4e4f5051525354555657"  // nonce
      "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb"
      "731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452"
      "2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
      "21f9664c97637da9768812f615c68b13b52e"
      "c0875924c1c7987947deafd8780acf49");  // tag
  Result<Bytes> opened = Open(key, sealed, aad);
  ASSERT_TRUE(opened.has_value()) << opened.error().message;
  EXPECT_EQ(std::string(opened->begin(), opened->end()),
            "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for "
            "the future, sunscreen would be it.");
}

TEST(AeadTest, RoundTripsVariousSizes) {
  const SecretBytes key = Key();
  for (size_t n : {0, 1, 15, 16, 63, 64, 65, 1000, 100000}) {
    Bytes plaintext(n);
    for (size_t i = 0; i < n; ++i) plaintext[i] = static_cast<uint8_t>(i * 7);
    Result<Bytes> sealed = Seal(key, plaintext, ToBytes("context"));
    ASSERT_TRUE(sealed.has_value());
    EXPECT_EQ(sealed->size(), n + kAeadOverhead);
    Result<Bytes> opened = Open(key, *sealed, ToBytes("context"));
    ASSERT_TRUE(opened.has_value()) << n;
    EXPECT_EQ(*opened, plaintext);
  }
}

TEST(AeadTest, NonceIsFreshEachTime) {
  const SecretBytes key = Key();
  Result<Bytes> a = Seal(key, ToBytes("same"), {});
  Result<Bytes> b = Seal(key, ToBytes("same"), {});
  ASSERT_TRUE(a && b);
  EXPECT_NE(Bytes(a->begin(), a->begin() + kAeadNonceSize),
            Bytes(b->begin(), b->begin() + kAeadNonceSize));
  EXPECT_NE(*a, *b);
}

TEST(AeadTest, EveryBitFlipIsRejected) {
  const SecretBytes key = Key();
  const Bytes aad = ToBytes("row 17");
  Result<Bytes> sealed = Seal(key, ToBytes("123456782;Jansen;groep 5"), aad);
  ASSERT_TRUE(sealed.has_value());
  for (size_t byte = 0; byte < sealed->size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      Bytes tampered = *sealed;
      tampered[byte] ^= static_cast<uint8_t>(1u << bit);
      Result<Bytes> opened = Open(key, tampered, aad);
      ASSERT_FALSE(opened.has_value()) << "byte " << byte << " bit " << bit;
      EXPECT_EQ(opened.error().code, ErrorCode::kUnauthenticated);
    }
  }
}

TEST(AeadTest, EveryTruncationIsRejected) {
  const SecretBytes key = Key();
  Result<Bytes> sealed = Seal(key, ToBytes("123456782;Jansen;groep 5"), {});
  ASSERT_TRUE(sealed.has_value());
  for (size_t len = 0; len < sealed->size(); ++len) {
    Result<Bytes> opened = Open(key, std::span<const uint8_t>(sealed->data(), len), {});
    ASSERT_FALSE(opened.has_value()) << len;
    EXPECT_EQ(opened.error().code,
              len < kAeadOverhead ? ErrorCode::kInvalidArgument : ErrorCode::kUnauthenticated)
        << len;
  }
}

TEST(AeadTest, ExtensionIsRejected) {
  const SecretBytes key = Key();
  Result<Bytes> sealed = Seal(key, ToBytes("message"), {});
  ASSERT_TRUE(sealed.has_value());
  sealed->push_back(0);
  Result<Bytes> opened = Open(key, *sealed, {});
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code, ErrorCode::kUnauthenticated);
}

TEST(AeadTest, WrongAadIsRejected) {
  const SecretBytes key = Key();
  Result<Bytes> sealed = Seal(key, ToBytes("message"), ToBytes("row 17"));
  ASSERT_TRUE(sealed.has_value());
  for (const char* aad : {"row 18", "row 1", "", "row 17 "}) {
    Result<Bytes> opened = Open(key, *sealed, ToBytes(aad));
    ASSERT_FALSE(opened.has_value()) << aad;
    EXPECT_EQ(opened.error().code, ErrorCode::kUnauthenticated);
  }
}

TEST(AeadTest, WrongKeyIsRejected) {
  Result<Bytes> sealed = Seal(Key(), ToBytes("message"), {});
  ASSERT_TRUE(sealed.has_value());
  Result<Bytes> opened = Open(Key(), *sealed, {});
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code, ErrorCode::kUnauthenticated);
}

TEST(AeadTest, WrongKeySizeIsRejected) {
  for (size_t n : {0, 16, 31, 33, 64}) {
    const SecretBytes key = SecretBytes::Random(n);
    Result<Bytes> sealed = Seal(key, ToBytes("message"), {});
    ASSERT_FALSE(sealed.has_value()) << n;
    EXPECT_EQ(sealed.error().code, ErrorCode::kInvalidArgument);
    Result<Bytes> opened = Open(key, Bytes(64, 0), {});
    ASSERT_FALSE(opened.has_value()) << n;
    EXPECT_EQ(opened.error().code, ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace inbeeld::crypto
