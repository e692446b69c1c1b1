#include "crypto/pseudonym.h"

#include <gtest/gtest.h>

#include <type_traits>

#include "crypto/bytes.h"
#include "tests/crypto/vectors.h"

namespace inbeeld::crypto {
namespace {

using testing::Unhex;

static_assert(!std::is_copy_constructible_v<PseudonymKey>);

PseudonymKey FixedKey() {
  Bytes key(32);
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i);
  Result<PseudonymKey> k = PseudonymKey::FromBytes(key);
  if (!k) std::abort();
  return *std::move(k);
}

// Independent known answers, computed with Python's hashlib:
//   blake2b(len(domain).to_bytes(8, "big") + domain + data,
//           key=bytes(range(32)), digest_size=32)
TEST(PseudonymTest, MatchesIndependentBlake2b) {
  const PseudonymKey key = FixedKey();
  EXPECT_EQ(HexEncode(key.Pseudonymise("audit-subject-v1", ToBytes("123456782"))),
            "e39dd5e6727c25021fcce26e5c15eb0d234f700581b4d9a43abc9d973a6cebbb");
  EXPECT_EQ(HexEncode(key.Pseudonymise("", {})),
            "223b9a195adefb1f293d6c0971a8fdb3d95276881614005cc0773778f9fdd202");
}

TEST(PseudonymTest, Deterministic) {
  const PseudonymKey key = PseudonymKey::Generate();
  EXPECT_EQ(key.Pseudonymise("d", ToBytes("123456782")),
            key.Pseudonymise("d", ToBytes("123456782")));
}

TEST(PseudonymTest, DifferentKeysDiffer) {
  EXPECT_NE(PseudonymKey::Generate().Pseudonymise("d", ToBytes("123456782")),
            PseudonymKey::Generate().Pseudonymise("d", ToBytes("123456782")));
}

TEST(PseudonymTest, DifferentDomainsDiffer) {
  const PseudonymKey key = FixedKey();
  EXPECT_NE(key.Pseudonymise("audit", ToBytes("123456782")),
            key.Pseudonymise("export", ToBytes("123456782")));
}

TEST(PseudonymTest, DifferentDataDiffers) {
  const PseudonymKey key = FixedKey();
  EXPECT_NE(key.Pseudonymise("d", ToBytes("123456782")),
            key.Pseudonymise("d", ToBytes("111222333")));
}

TEST(PseudonymTest, DomainDataSplitIsUnambiguous) {
  const PseudonymKey key = FixedKey();
  EXPECT_NE(key.Pseudonymise("ab", ToBytes("c")), key.Pseudonymise("a", ToBytes("bc")));
  EXPECT_NE(key.Pseudonymise("", ToBytes("abc")), key.Pseudonymise("abc", {}));
}

TEST(PseudonymTest, StorageRoundTrip) {
  const PseudonymKey key = PseudonymKey::Generate();
  EXPECT_EQ(key.KeyForStorage().size(), kPseudonymKeySize);
  Result<PseudonymKey> again = PseudonymKey::FromBytes(key.KeyForStorage().RevealForCrypto());
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->Pseudonymise("d", ToBytes("x")), key.Pseudonymise("d", ToBytes("x")));
}

TEST(PseudonymTest, FromBytesRejectsWrongLength) {
  for (size_t n : {0, 16, 31, 33, 64}) {
    Result<PseudonymKey> key = PseudonymKey::FromBytes(Bytes(n, 1));
    ASSERT_FALSE(key.has_value()) << n;
    EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace inbeeld::crypto
