#include "crypto/safety_code.h"

#include <gtest/gtest.h>

#include <array>
#include <regex>

namespace inbeeld::crypto {
namespace {

TEST(SafetyCodeTest, IsFourGroupsOfFiveDigits) {
  std::array<uint8_t, 32> key{};
  EXPECT_TRUE(std::regex_match(SafetyCode(key), std::regex("[0-9]{5} [0-9]{5} [0-9]{5} [0-9]{5}")));
}

TEST(SafetyCodeTest, IsStableForAKey) {
  std::array<uint8_t, 32> key{};
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i);
  // Pinned: both sides of a phone call must compute the same digits on any
  // machine and in any later version. Computed independently:
  //   sha256(b"inbeeld safety code v1" + bytes(range(32))), each 5-byte
  //   group as a big-endian number mod 100000.
  EXPECT_EQ(SafetyCode(key), "23988 71855 76502 81264");
}

TEST(SafetyCodeTest, EveryBitOfTheKeyChangesTheCode) {
  std::array<uint8_t, 32> key{};
  const std::string base = SafetyCode(key);
  for (size_t bit = 0; bit < 256; ++bit) {
    auto flipped = key;
    flipped[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_NE(SafetyCode(flipped), base) << "bit " << bit;
  }
}

}  // namespace
}  // namespace inbeeld::crypto
