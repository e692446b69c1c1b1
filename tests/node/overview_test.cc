// The overview's "three months without a plan" flag, in process, against the
// node's injected clock: it turns on exactly on the day of the mark, across a
// month end and on 29 February, whatever day the test runs.
#include "node/sync/overview.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "schema/synthetic.h"
#include "tests/support/fake_clock.h"
#include "tests/support/in_process_node.h"

namespace inbeeld::node::sync {
namespace {

using testing::FakeClock;
using testing::InProcessNode;

// Rows whose "since" dates are given; no plan unless `plan`.
std::vector<schema::ListRow> Rows(const std::vector<schema::Date>& since, bool plan = false) {
  std::vector<schema::ListRow> rows = schema::GenerateList(7, since.size(), {2030, 1, 1});
  for (size_t i = 0; i < rows.size(); ++i) {
    rows[i].since = since[i];
    rows[i].plan_in_place = plan;
    rows[i].own_reference = "ref-" + std::to_string(i);
  }
  return rows;
}

// own_reference -> past_three_months, as of the clock's now.
std::map<std::string, bool> Flags(InProcessNode& n) {
  auto overview = BuildOverview(*n.node().store, n.node().field_key);
  EXPECT_TRUE(overview) << overview.error().message;
  std::map<std::string, bool> out;
  if (!overview) return out;
  for (const auto& c : overview->children) out[c.own_reference] = c.past_three_months;
  return out;
}

TEST(OverviewTest, ThreeMonthMarkIsClampedToTheMonthsEnd) {
  EXPECT_EQ(ThreeMonthMark({2030, 11, 30}), (schema::Date{2031, 2, 28}));
  EXPECT_EQ(ThreeMonthMark({2030, 12, 1}), (schema::Date{2031, 3, 1}));
  EXPECT_EQ(ThreeMonthMark({2027, 11, 29}), (schema::Date{2028, 2, 29}));
  EXPECT_EQ(ThreeMonthMark({2027, 11, 30}), (schema::Date{2028, 2, 29}));
}

TEST(OverviewTest, ThreeMonthFlagFollowsTheClockAcrossTheEndOfFebruary) {
  FakeClock clock("2031-02-27T23:59:59Z");
  InProcessNode n(clock);
  // ref-0: since 30-11-2030, mark 28-02-2031. ref-1: since 01-12-2030, mark 01-03-2031.
  n.Import(Rows({{2030, 11, 30}, {2030, 12, 1}}), {2031, 2, 27});

  EXPECT_EQ(Flags(n), (std::map<std::string, bool>{{"ref-0", false}, {"ref-1", false}}));
  clock.Set("2031-02-28T00:00:00Z");
  EXPECT_EQ(Flags(n), (std::map<std::string, bool>{{"ref-0", true}, {"ref-1", false}}));
  clock.Set("2031-02-28T23:59:59Z");
  EXPECT_EQ(Flags(n), (std::map<std::string, bool>{{"ref-0", true}, {"ref-1", false}}));
  clock.Set("2031-03-01T00:00:00Z");
  EXPECT_EQ(Flags(n), (std::map<std::string, bool>{{"ref-0", true}, {"ref-1", true}}));

  auto overview = BuildOverview(*n.node().store, n.node().field_key);
  ASSERT_TRUE(overview);
  EXPECT_EQ(overview->today, (schema::Date{2031, 3, 1}));
}

TEST(OverviewTest, ThreeMonthFlagFollowsTheClockOnALeapDay) {
  FakeClock clock("2028-02-28T23:59:59Z");
  InProcessNode n(clock);
  // Both marks fall on 29-02-2028 (30 November has no 30 February).
  n.Import(Rows({{2027, 11, 29}, {2027, 11, 30}}), {2028, 2, 28});
  EXPECT_EQ(Flags(n), (std::map<std::string, bool>{{"ref-0", false}, {"ref-1", false}}));
  clock.Set("2028-02-29T00:00:00Z");
  EXPECT_EQ(Flags(n), (std::map<std::string, bool>{{"ref-0", true}, {"ref-1", true}}));
}

TEST(OverviewTest, AChildWithAPlanIsNeverFlagged) {
  FakeClock clock("2031-03-01T12:00:00Z");
  InProcessNode n(clock);
  n.Import(Rows({{2020, 1, 1}}, /*plan=*/true), {2031, 3, 1});
  EXPECT_EQ(Flags(n), (std::map<std::string, bool>{{"ref-0", false}}));
}

}  // namespace
}  // namespace inbeeld::node::sync
