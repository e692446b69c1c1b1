#include "node/clock/timestamp.h"

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

// Found by fuzz/fields_fuzzer.cc: sscanf read "999-…" and "+999-…" as years
// whose nanosecond time point overflows (UBSan), and timegm moved 30 February
// to 2 March, so one time had several spellings and string order was no
// longer time order.
TEST(TimestampTest, RejectsNonCanonicalAndOutOfRangeTimes) {
  for (const char* bad : {"2026-02-30T00:00:00Z",  "2026-02-29T00:00:00Z", "2100-02-29T00:00:00Z",
                          "2026-13-01T00:00:00Z",  "2026-00-10T00:00:00Z", "2026-11-00T00:00:00Z",
                          "2026-11-22T24:00:00Z",  "2026-11-22T23:60:00Z", "2026-11-22T23:59:60Z",
                          "999-11-22T14:03:05Z",   "0999-11-22T14:03:05Z", "+999-11-22T14:03:05Z",
                          "-999-11-22T14:03:05Z",  "9999-12-31T23:59:59Z", "1899-12-31T23:59:59Z",
                          "2101-01-01T00:00:00Z",  "2026-1-22T14:03:05Z",  "2026-11-22T4:03:05Z",
                          " 2026-11-22T14:03:05Z", "2026-11-22T14:03:05z", "2026-11-22t14:03:05Z",
                          "2026-11-22T+4:03:05Z",  "2026-11-22T 4:03:05Z"}) {
    EXPECT_FALSE(ParseIsoUtc(bad)) << bad;
  }
}

TEST(TimestampTest, EveryAcceptedTimeIsWrittenBackTheSame) {
  for (const char* good :
       {"1900-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z",
        "2028-02-29T12:00:00Z", "2000-02-29T00:00:01Z", "2100-12-31T23:59:59Z"}) {
    auto parsed = ParseIsoUtc(good);
    ASSERT_TRUE(parsed) << good;
    EXPECT_EQ(IsoUtc(*parsed), good);
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
