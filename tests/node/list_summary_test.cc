#include "node/store/list_summary.h"

#include <gtest/gtest.h>

namespace inbeeld::node {
namespace {

StoredRow Row(std::string ref, schema::Category c, schema::Date since, bool plan) {
  StoredRow row;
  row.category = c;
  row.since = since;
  row.school_brin = "12AB";
  row.plan_in_place = plan;
  row.own_reference = std::move(ref);
  return row;
}

TEST(ListSummaryTest, ThreeMonthMarkClampsToMonthEnd) {
  EXPECT_EQ(ThreeMonthMark({2026, 1, 31}), (schema::Date{2026, 4, 30}));
  EXPECT_EQ(ThreeMonthMark({2026, 11, 30}), (schema::Date{2027, 2, 28}));
  EXPECT_EQ(ThreeMonthMark({2027, 11, 30}), (schema::Date{2028, 2, 29}));
  EXPECT_EQ(ThreeMonthMark({2026, 8, 22}), (schema::Date{2026, 11, 22}));
}

TEST(ListSummaryTest, CountsAndOverdueChildren) {
  schema::Date today{2026, 11, 22};
  std::vector<StoredRow> rows = {
      Row("A", schema::Category::kRelatiefVerzuim, {2026, 8, 22}, false),  // exactly 3 months
      Row("B", schema::Category::kRelatiefVerzuim, {2026, 8, 23}, false),  // one day short
      Row("C", schema::Category::kAbsoluutVerzuim, {2026, 1, 5}, true),    // overdue but has plan
      Row("D", schema::Category::kDreigend, {2025, 12, 1}, false),         // long overdue
      Row("E", schema::Category::kVrijstelling5a, {2026, 11, 20}, false),  // new
  };
  ListSummary s = Summarise(rows, today);
  EXPECT_EQ(s.total, 5u);
  EXPECT_EQ(s.with_plan, 1u);
  EXPECT_EQ(s.by_category[0], 2u);
  EXPECT_EQ(s.by_category[1], 1u);
  EXPECT_EQ(s.by_category[2], 1u);
  EXPECT_EQ(s.by_category[3], 1u);
  ASSERT_EQ(s.overdue_without_plan.size(), 2u);
  EXPECT_EQ(s.overdue_without_plan[0].own_reference, "D");  // longest out first
  EXPECT_EQ(s.overdue_without_plan[1].own_reference, "A");
  EXPECT_EQ(s.overdue_without_plan[1].weeks, 13);
  EXPECT_EQ(s.by_weeks[0], 1u);  // E: 0 weeks
  EXPECT_EQ(s.by_weeks[3], 2u);  // A, B: 13 weeks
  EXPECT_EQ(s.by_weeks[4], 2u);  // C, D
}

}  // namespace
}  // namespace inbeeld::node
