#include "crypto/password.h"

#include <gtest/gtest.h>

#include <string>

namespace inbeeld::crypto {
namespace {

TEST(PasswordTest, VerifiesOnlyTheSamePassword) {
  auto hash = HashPassword("correct horse battery", KdfParams::Interactive());
  ASSERT_TRUE(hash) << hash.error().message;
  EXPECT_TRUE(hash->starts_with("$argon2id$"));
  EXPECT_TRUE(VerifyPassword(*hash, "correct horse battery"));
  EXPECT_FALSE(VerifyPassword(*hash, "correct horse batterY"));
  EXPECT_FALSE(VerifyPassword(*hash, ""));
}

TEST(PasswordTest, SaltsEachHash) {
  auto a = HashPassword("zelfde wachtwoord", KdfParams::Interactive());
  auto b = HashPassword("zelfde wachtwoord", KdfParams::Interactive());
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
}

TEST(PasswordTest, RefusesEmptyAndOverlongPasswords) {
  EXPECT_EQ(HashPassword("", KdfParams::Interactive()).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(HashPassword(std::string(kMaxPasswordBytes + 1, 'a'), KdfParams::Interactive())
                .error()
                .code,
            ErrorCode::kInvalidArgument);
}

TEST(PasswordTest, MalformedHashesNeverVerify) {
  EXPECT_FALSE(VerifyPassword("", "x"));
  EXPECT_FALSE(VerifyPassword("$argon2id$v=19$m=65536,t=2,p=1$garbage", "x"));
  EXPECT_FALSE(VerifyPassword(std::string(500, '$'), "x"));
}

TEST(PasswordTest, TellsWhenTheCostChanged) {
  auto hash = HashPassword("een wachtwoord", KdfParams::Interactive());
  ASSERT_TRUE(hash);
  EXPECT_FALSE(PasswordNeedsRehash(*hash, KdfParams::Interactive()));
  EXPECT_TRUE(PasswordNeedsRehash(*hash, KdfParams::Moderate()));
}

}  // namespace
}  // namespace inbeeld::crypto
