#include "crypto/bytes.h"

#include <gtest/gtest.h>

#include <string>

namespace inbeeld::crypto {
namespace {

TEST(HexTest, EncodesLowercase) {
  const Bytes data = {0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(HexEncode(data), "0001abff");
  EXPECT_EQ(HexEncode({}), "");
}

TEST(HexTest, RoundTripsEveryByte) {
  Bytes all(256);
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint8_t>(i);
  Result<Bytes> decoded = HexDecode(HexEncode(all));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, all);
}

TEST(HexTest, DecodesUpperAndMixedCase) {
  Result<Bytes> decoded = HexDecode("ABcdEf");
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, (Bytes{0xab, 0xcd, 0xef}));
}

TEST(HexTest, EmptyDecodesToEmpty) {
  Result<Bytes> decoded = HexDecode("");
  ASSERT_TRUE(decoded.has_value());
  EXPECT_TRUE(decoded->empty());
}

TEST(HexTest, RejectsOddLength) {
  Result<Bytes> decoded = HexDecode("abc");
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidArgument);
}

TEST(HexTest, RejectsNonHexAnywhere) {
  for (std::string bad : {"zz00", "00zz", "0g", " 00", "00 ", "0x00", "00:11", "é0"}) {
    if (bad.size() % 2 != 0) bad += "0";
    Result<Bytes> decoded = HexDecode(bad);
    ASSERT_FALSE(decoded.has_value()) << bad;
    EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(HexTest, ErrorDoesNotEchoInput) {
  const std::string secretish = "deadbeefcafebabe0123456789secret";
  Result<Bytes> decoded = HexDecode(secretish);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().message.find("deadbeef"), std::string::npos);
  EXPECT_EQ(decoded.error().message.find("secret"), std::string::npos);
}

TEST(ToBytesTest, CopiesBytesUnchanged) {
  EXPECT_EQ(ToBytes(std::string_view("a\0c", 3)), (Bytes{'a', 0, 'c'}));
  EXPECT_TRUE(ToBytes("").empty());
}

TEST(ConstantTimeEqualsTest, ComparesContentsAndLength) {
  const Bytes a = {1, 2, 3};
  EXPECT_TRUE(ConstantTimeEquals(a, Bytes{1, 2, 3}));
  EXPECT_FALSE(ConstantTimeEquals(a, Bytes{1, 2, 4}));
  EXPECT_FALSE(ConstantTimeEquals(a, Bytes{1, 2}));
  EXPECT_FALSE(ConstantTimeEquals(a, Bytes{1, 2, 3, 0}));
  EXPECT_TRUE(ConstantTimeEquals(Bytes{}, Bytes{}));
  EXPECT_FALSE(ConstantTimeEquals(Bytes{}, a));
}

}  // namespace
}  // namespace inbeeld::crypto
