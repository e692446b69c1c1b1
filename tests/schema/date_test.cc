#include "schema/date.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>

namespace inbeeld::schema {
namespace {

struct DateCase {
  std::string_view text;
  Date date;
};

class ParseDateTest : public ::testing::TestWithParam<DateCase> {};

TEST_P(ParseDateTest, Parses) {
  Result<Date> d = ParseDate(GetParam().text);
  ASSERT_TRUE(d.has_value()) << GetParam().text << ": " << d.error().message;
  EXPECT_EQ(*d, GetParam().date);
}

INSTANTIATE_TEST_SUITE_P(
    AllFormats, ParseDateTest,
    ::testing::Values(DateCase{"31-01-2026", {2026, 1, 31}}, DateCase{"1-2-2026", {2026, 2, 1}},
                      DateCase{"01-2-2026", {2026, 2, 1}}, DateCase{"31/01/2026", {2026, 1, 31}},
                      DateCase{"5/3/2025", {2025, 3, 5}}, DateCase{"31.01.2026", {2026, 1, 31}},
                      DateCase{"2026-01-31", {2026, 1, 31}}, DateCase{"2026-1-5", {2026, 1, 5}},
                      DateCase{"  31-01-2026\t", {2026, 1, 31}},
                      DateCase{"29-02-2024", {2024, 2, 29}},  // leap year
                      DateCase{"29-02-2000", {2000, 2, 29}},  // divisible by 400
                      DateCase{"01-01-1900", {1900, 1, 1}}, DateCase{"31-12-2100", {2100, 12, 31}},
                      DateCase{"30-04-2026", {2026, 4, 30}}));

class BadDateTest : public ::testing::TestWithParam<std::string_view> {};

TEST_P(BadDateTest, IsRejectedWithoutEcho) {
  std::string_view text = GetParam();
  Result<Date> d = ParseDate(text);
  ASSERT_FALSE(d.has_value()) << text;
  EXPECT_EQ(d.error().code, ErrorCode::kInvalidArgument);
  // The message is one of a few fixed texts, so it cannot carry the date (a
  // birth date is personal data).
  static const std::set<std::string> kMessages = {
      "is empty", "expected a date like 31-01-2026 or 2026-01-31", "year is outside 1900..2100",
      "month is not between 1 and 12", "day does not exist in that month"};
  EXPECT_TRUE(kMessages.contains(d.error().message)) << d.error().message;
}

INSTANTIATE_TEST_SUITE_P(Invalid, BadDateTest,
                         ::testing::Values("", "   ", "29-02-2025", "29-02-1900", "31-04-2026",
                                           "32-01-2026", "00-01-2026", "01-00-2026", "01-13-2026",
                                           "2026-02-30", "2026-13-01", "31-01-26", "31-01-20266",
                                           "31-01/2026", "2026/01/31", "2026.01.31", "31012026",
                                           "31 01 2026", "31-01-2026 00:00", "x1-01-2026",
                                           "1-1-1899", "1-1-2101", "123-01-2026", "31--01-2026",
                                           "-1-01-2026", "2026-01-31x", "20260-01-31",
                                           "31-001-2026"));

TEST(DateTest, LeapYears) {
  EXPECT_TRUE(IsLeapYear(2024));
  EXPECT_TRUE(IsLeapYear(2000));
  EXPECT_FALSE(IsLeapYear(1900));
  EXPECT_FALSE(IsLeapYear(2100));
  EXPECT_FALSE(IsLeapYear(2025));
  EXPECT_EQ(DaysInMonth(2024, 2), 29);
  EXPECT_EQ(DaysInMonth(2025, 2), 28);
  EXPECT_EQ(DaysInMonth(2025, 4), 30);
  EXPECT_EQ(DaysInMonth(2025, 13), 0);
}

TEST(DateTest, Formats) {
  EXPECT_EQ(FormatIso(Date{2026, 1, 5}), "2026-01-05");
  EXPECT_EQ(FormatDutch(Date{2026, 1, 5}), "05-01-2026");
  EXPECT_EQ(FormatDutch(Date{1900, 12, 31}), "31-12-1900");
}

TEST(DateTest, KnownEpochDays) {
  EXPECT_EQ(DaysSinceEpoch(Date{1970, 1, 1}), 0);
  EXPECT_EQ(DaysSinceEpoch(Date{1970, 1, 2}), 1);
  EXPECT_EQ(DaysSinceEpoch(Date{1969, 12, 31}), -1);
  EXPECT_EQ(DaysSinceEpoch(Date{2000, 3, 1}), 11017);
  EXPECT_EQ(DaysSinceEpoch(Date{1900, 1, 1}), -25567);
  EXPECT_EQ(FromDaysSinceEpoch(11016), (Date{2000, 2, 29}));
  EXPECT_EQ(DaysBetween(Date{2024, 2, 28}, Date{2024, 3, 1}), 2);
  EXPECT_EQ(DaysBetween(Date{2025, 2, 28}, Date{2025, 3, 1}), 1);
  EXPECT_EQ(DaysBetween(Date{2026, 1, 31}, Date{2025, 1, 31}), -365);
}

// Every day from 1900 to 2100: consecutive, valid, and each formatting parses
// back to the same day.
TEST(DateTest, RoundTripsEveryDayOfTheRange) {
  int64_t first = DaysSinceEpoch(Date{1900, 1, 1});
  int64_t last = DaysSinceEpoch(Date{2100, 12, 31});
  Date previous = FromDaysSinceEpoch(first - 1);
  for (int64_t days = first; days <= last; ++days) {
    Date d = FromDaysSinceEpoch(days);
    ASSERT_TRUE(IsValidDate(d)) << days;
    ASSERT_EQ(DaysSinceEpoch(d), days);
    ASSERT_LT(previous, d);
    ASSERT_EQ(DaysBetween(previous, d), 1);
    ASSERT_EQ(*ParseDate(FormatIso(d)), d);
    ASSERT_EQ(*ParseDate(FormatDutch(d)), d);
    previous = d;
  }
  EXPECT_EQ(previous, (Date{2100, 12, 31}));
}

TEST(DateTest, OrderIsChronological) {
  EXPECT_LT((Date{2025, 12, 31}), (Date{2026, 1, 1}));
  EXPECT_LT((Date{2026, 1, 31}), (Date{2026, 2, 1}));
  EXPECT_EQ((Date{2026, 2, 1}), (Date{2026, 2, 1}));
}

}  // namespace
}  // namespace inbeeld::schema
