#include "crypto/kdf.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdlib>

#include "crypto/bytes.h"
#include "tests/crypto/vectors.h"

namespace inbeeld::crypto {
namespace {

using testing::Unhex;

// Tests use the Interactive profile (64 MiB, 2 passes) to stay fast.
const KdfParams kFast = KdfParams::Interactive();

Bytes Salt(uint8_t first = 0) {
  Bytes salt(kSaltSize);
  for (size_t i = 0; i < salt.size(); ++i) salt[i] = static_cast<uint8_t>(first + i);
  return salt;
}

TEST(KdfTest, ProfilesAreLibsodiumArgon2idConstants) {
  EXPECT_EQ(KdfParams::Interactive(), (KdfParams{2, 64u << 20}));
  EXPECT_EQ(KdfParams::Moderate(), (KdfParams{3, 256u << 20}));
  EXPECT_EQ(KdfParams::Sensitive(), (KdfParams{4, size_t{1} << 30}));
}

// Independent known answer: computed with Python's `cryptography` package,
// Argon2id(salt=00..0f, length=32, iterations=2, lanes=1, memory_cost=65536 KiB)
// over "correct horse battery staple" (libsodium uses one lane).
TEST(KdfTest, MatchesIndependentArgon2idImplementation) {
  Result<SecretBytes> key = DeriveKey(ToBytes("correct horse battery staple"), Salt(), kFast);
  ASSERT_TRUE(key.has_value()) << key.error().message;
  EXPECT_EQ(HexEncode(key->RevealForCrypto()),
            "c05ce4c4dd7e0e45ee6011cc59d068ade47df1b01fc0cf9cd4678bdf68a5b7b0");
}

TEST(KdfTest, SameInputsSameKey) {
  Result<SecretBytes> a = DeriveKey(ToBytes("passphrase"), Salt(), kFast);
  Result<SecretBytes> b = DeriveKey(ToBytes("passphrase"), Salt(), kFast);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->size(), 32u);
  EXPECT_TRUE(a->ConstantTimeEquals(*b));
}

TEST(KdfTest, DifferentSaltOrPassphraseDiffers) {
  Result<SecretBytes> base = DeriveKey(ToBytes("passphrase"), Salt(), kFast);
  Result<SecretBytes> salt = DeriveKey(ToBytes("passphrase"), Salt(1), kFast);
  Result<SecretBytes> pass = DeriveKey(ToBytes("passphrasf"), Salt(), kFast);
  ASSERT_TRUE(base && salt && pass);
  EXPECT_FALSE(base->ConstantTimeEquals(*salt));
  EXPECT_FALSE(base->ConstantTimeEquals(*pass));
}

TEST(KdfTest, KeyLength) {
  Result<SecretBytes> key = DeriveKey(ToBytes("passphrase"), Salt(), kFast, 64);
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->size(), 64u);
  Result<SecretBytes> too_short = DeriveKey(ToBytes("passphrase"), Salt(), kFast, 8);
  ASSERT_FALSE(too_short.has_value());
  EXPECT_EQ(too_short.error().code, ErrorCode::kInvalidArgument);
}

TEST(KdfTest, RejectsBadSalt) {
  for (size_t n : {0, 8, 15, 17, 32}) {
    Result<SecretBytes> key = DeriveKey(ToBytes("passphrase"), Bytes(n, 1), kFast);
    ASSERT_FALSE(key.has_value()) << n;
    EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(KdfTest, RejectsEmptyPassphrase) {
  Result<SecretBytes> key = DeriveKey({}, Salt(), kFast);
  ASSERT_FALSE(key.has_value());
  EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
}

TEST(KdfTest, RejectsOutOfRangeParams) {
  Result<SecretBytes> no_passes = DeriveKey(ToBytes("p"), Salt(), KdfParams{0, 64u << 20});
  ASSERT_FALSE(no_passes.has_value());
  EXPECT_EQ(no_passes.error().code, ErrorCode::kInvalidArgument);
  Result<SecretBytes> no_memory = DeriveKey(ToBytes("p"), Salt(), KdfParams{2, 1024});
  ASSERT_FALSE(no_memory.has_value());
  EXPECT_EQ(no_memory.error().code, ErrorCode::kInvalidArgument);
}

// Runs in a death-test child: caps the address space at 512 MiB, asks for
// 1 GiB, and exits 0 iff that failed with kResourceExhausted. (Capped, because
// with overcommit an uncapped huge request could succeed and exhaust the
// machine.)
[[noreturn]] void DeriveUnderMemoryCap() {
  rlimit limit{};
  limit.rlim_cur = limit.rlim_max = 512u << 20;
  if (setrlimit(RLIMIT_AS, &limit) != 0) std::_Exit(2);
  Result<SecretBytes> key = DeriveKey(ToBytes("passphrase"), Salt(), KdfParams{1, size_t{1} << 30});
  std::_Exit(!key.has_value() && key.error().code == ErrorCode::kResourceExhausted ? 0 : 1);
}

TEST(KdfDeathTest, AllocationFailureIsResourceExhausted) {
#if defined(INBEELD_SANITIZED)
  GTEST_SKIP() << "AddressSanitizer needs more address space than the cap allows";
#endif
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(DeriveUnderMemoryCap(), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace inbeeld::crypto
