// Duration bands and the pact's three-month mark on a reference date
// (node/report/durations.h), at their edges.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "node/report/durations.h"

namespace inbeeld::node::report {
namespace {

using schema::Date;

StoredRow Row(std::string reference, Date since, bool plan = false,
              schema::Category category = schema::Category::kRelatiefVerzuim) {
  StoredRow row;
  row.own_reference = std::move(reference);
  row.since = since;
  row.plan_in_place = plan;
  row.category = category;
  return row;
}

TEST(ReportDurationsTest, Labels) {
  EXPECT_EQ(DurationBandLabel(DurationBand::kUnderFourWeeks), "< 4 weken");
  EXPECT_EQ(DurationBandLabel(DurationBand::kFourWeeksToThreeMonths), "4 weken\u20133 maanden");
  EXPECT_EQ(DurationBandLabel(DurationBand::kThreeMonthsOrMore), "\u2265 3 maanden");
}

TEST(ReportDurationsTest, ExactlyFourWeeksIsTheMiddleBand) {
  EXPECT_EQ(BandOn({2030, 1, 1}, {2030, 1, 28}), DurationBand::kUnderFourWeeks);  // 27 days
  EXPECT_EQ(BandOn({2030, 1, 1}, {2030, 1, 29}), DurationBand::kFourWeeksToThreeMonths);
  EXPECT_EQ(BandOn({2030, 1, 1}, {2030, 1, 1}), DurationBand::kUnderFourWeeks);
  EXPECT_EQ(BandOn({2030, 2, 1}, {2030, 1, 1}), DurationBand::kUnderFourWeeks);  // not yet out
}

TEST(ReportDurationsTest, ExactlyThreeMonthsIsTheLastBand) {
  EXPECT_EQ(BandOn({2030, 1, 1}, {2030, 3, 31}), DurationBand::kFourWeeksToThreeMonths);
  EXPECT_EQ(BandOn({2030, 1, 1}, {2030, 4, 1}), DurationBand::kThreeMonthsOrMore);
  // Clamped to the month's end: 30 November + 3 months = 28 February.
  EXPECT_EQ(BandOn({2030, 11, 30}, {2031, 2, 27}), DurationBand::kFourWeeksToThreeMonths);
  EXPECT_EQ(BandOn({2030, 11, 30}, {2031, 2, 28}), DurationBand::kThreeMonthsOrMore);
  // And on a leap day: 29 November 2027 + 3 months = 29 February 2028.
  EXPECT_EQ(BandOn({2027, 11, 29}, {2028, 2, 28}), DurationBand::kFourWeeksToThreeMonths);
  EXPECT_EQ(BandOn({2027, 11, 29}, {2028, 2, 29}), DurationBand::kThreeMonthsOrMore);
  EXPECT_TRUE(PastThreeMonthMark({2030, 1, 31}, {2030, 4, 30}));
  EXPECT_FALSE(PastThreeMonthMark({2030, 1, 31}, {2030, 4, 29}));
}

TEST(ReportDurationsTest, SummaryCountsAndThoseWithoutAnOfferPastTheMark) {
  const Date reference{2030, 4, 1};
  std::vector<StoredRow> rows = {
      Row("a", {2030, 1, 1}),                                      // exactly three months, no plan
      Row("b", {2030, 1, 1}, /*plan=*/true),                       // three months, with a plan
      Row("c", {2030, 1, 2}, false, schema::Category::kDreigend),  // a day short of the mark
      Row("d", {2030, 3, 4}),                                      // exactly four weeks
      Row("e", {2030, 3, 5}, false, schema::Category::kAbsoluutVerzuim),  // 27 days
      Row("f", {2029, 6, 1}),                                             // long ago, no plan
  };
  DurationSummary s = SummariseDurations(rows, reference);
  EXPECT_EQ(s.total, 6u);
  EXPECT_EQ(s.reference, reference);
  EXPECT_EQ(s.by_band, (std::array<size_t, 3>{1, 2, 3}));
  EXPECT_EQ(s.by_category, (std::array<size_t, 4>{4, 1, 0, 1}));
  ASSERT_EQ(s.past_mark_without_plan.size(), 2u);
  EXPECT_EQ(s.past_mark_without_plan[0].own_reference, "f");  // longest out first
  EXPECT_EQ(s.past_mark_without_plan[1].own_reference, "a");
  EXPECT_EQ(s.past_mark_without_plan[1].weeks, 12);
}

}  // namespace
}  // namespace inbeeld::node::report
