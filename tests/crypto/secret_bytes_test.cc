#include "crypto/secret_bytes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <type_traits>
#include <utility>

#include "crypto/bytes.h"

namespace inbeeld::crypto {
namespace {

template <typename T>
concept Streamable = requires(std::ostream& os, const T& t) {
  os << t;
};

static_assert(!std::is_copy_constructible_v<SecretBytes>);
static_assert(!std::is_copy_assignable_v<SecretBytes>);
static_assert(std::is_nothrow_move_constructible_v<SecretBytes>);
static_assert(std::is_nothrow_move_assignable_v<SecretBytes>);
static_assert(!Streamable<SecretBytes>, "a secret must not be printable");
static_assert(!std::is_convertible_v<SecretBytes, std::span<const uint8_t>>);

bool AllZero(std::span<const uint8_t> s) {
  return std::all_of(s.begin(), s.end(), [](uint8_t b) { return b == 0; });
}

TEST(SecretBytesTest, DefaultIsEmpty) {
  SecretBytes s;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.size(), 0u);
  EXPECT_TRUE(s.RevealForCrypto().empty());
}

TEST(SecretBytesTest, SizedConstructorIsZeroFilled) {
  SecretBytes s(48);
  EXPECT_EQ(s.size(), 48u);
  EXPECT_FALSE(s.empty());
  EXPECT_TRUE(AllZero(s.RevealForCrypto()));
}

TEST(SecretBytesTest, MutableForCryptoWritesThrough) {
  SecretBytes s(4);
  s.MutableForCrypto()[2] = 7;
  EXPECT_EQ(s.RevealForCrypto()[2], 7);
}

TEST(SecretBytesTest, RandomHasRequestedSizeAndVaries) {
  SecretBytes a = SecretBytes::Random(32);
  SecretBytes b = SecretBytes::Random(32);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_FALSE(AllZero(a.RevealForCrypto()));  // probability 2^-256
  EXPECT_FALSE(a.ConstantTimeEquals(b));
  EXPECT_TRUE(SecretBytes::Random(0).empty());
}

TEST(SecretBytesTest, CopyFromCopies) {
  Bytes source = {1, 2, 3, 4};
  SecretBytes s = SecretBytes::CopyFrom(source);
  source[0] = 9;  // independent of the source afterwards
  EXPECT_EQ(HexEncode(s.RevealForCrypto()), "01020304");
  EXPECT_TRUE(SecretBytes::CopyFrom({}).empty());
}

TEST(SecretBytesTest, MoveConstructionEmptiesSource) {
  SecretBytes a = SecretBytes::CopyFrom(Bytes{5, 6, 7});
  SecretBytes b(std::move(a));
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): the point of the test
  EXPECT_TRUE(a.empty());
  EXPECT_TRUE(a.RevealForCrypto().empty());
  EXPECT_EQ(HexEncode(b.RevealForCrypto()), "050607");
}

TEST(SecretBytesTest, MoveAssignmentEmptiesSourceAndReplacesTarget) {
  SecretBytes a = SecretBytes::CopyFrom(Bytes{1, 1});
  SecretBytes b = SecretBytes::CopyFrom(Bytes{2, 2, 2});
  b = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(HexEncode(b.RevealForCrypto()), "0101");
}

TEST(SecretBytesTest, ConstantTimeEquals) {
  SecretBytes a = SecretBytes::CopyFrom(Bytes{1, 2, 3});
  EXPECT_TRUE(a.ConstantTimeEquals(SecretBytes::CopyFrom(Bytes{1, 2, 3})));
  EXPECT_FALSE(a.ConstantTimeEquals(SecretBytes::CopyFrom(Bytes{1, 2, 4})));
  EXPECT_FALSE(a.ConstantTimeEquals(SecretBytes::CopyFrom(Bytes{1, 2})));
  EXPECT_TRUE(SecretBytes().ConstantTimeEquals(SecretBytes()));
}

}  // namespace
}  // namespace inbeeld::crypto
