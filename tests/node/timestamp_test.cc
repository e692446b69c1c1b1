#include "node/timestamp.h"

#include <gtest/gtest.h>

namespace inbeeld::node {
namespace {

TEST(TimestampTest, FormatsAndParsesWholeSecondsUtc) {
  auto t = std::chrono::system_clock::from_time_t(1795356185);  // 2026-11-22T14:03:05Z
  EXPECT_EQ(IsoUtc(t), "2026-11-22T14:03:05Z");
  EXPECT_EQ(IsoUtc(t + std::chrono::milliseconds(999)), "2026-11-22T14:03:05Z");
  auto parsed = ParseIsoUtc("2026-11-22T14:03:05Z");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, t);
  // String order is time order: the daily limit and retention compare strings.
  EXPECT_LT(IsoUtc(t), IsoUtc(t + std::chrono::hours(24)));
}

TEST(TimestampTest, RejectsAnythingElse) {
  for (const char* bad : {"", "2026-11-22", "2026-11-22T14:03:05", "2026-11-22T14:03:05+01:00",
                          "2026-11-22T14:03:05Zjunk", "22-11-2026T14:03:05Z"}) {
    EXPECT_FALSE(ParseIsoUtc(bad)) << bad;
  }
}

TEST(TimestampTest, TheUtcDateOfAMoment) {
  auto at = [](const char* iso) { return *ParseIsoUtc(iso); };
  EXPECT_EQ(UtcDate(at("2028-02-29T23:59:59Z")), (schema::Date{2028, 2, 29}));
  EXPECT_EQ(UtcDate(at("2028-03-01T00:00:00Z")), (schema::Date{2028, 3, 1}));
  EXPECT_EQ(UtcDate(at("2031-02-28T23:59:59Z")), (schema::Date{2031, 2, 28}));
  EXPECT_EQ(UnixMs(at("2026-11-22T14:03:05Z")), int64_t{1795356185000});
}

}  // namespace
}  // namespace inbeeld::node
