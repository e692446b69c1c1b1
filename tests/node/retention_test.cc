// Retention (node/retention/retention.h) as `serve`'s scheduler runs it, in
// process, against the node's injected clock: a list version leaves exactly
// list_versions_days after its import, across a month end and a 29 February.
#include "node/retention/retention.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "node/schedule/scheduler.h"
#include "schema/synthetic.h"
#include "tests/support/fake_clock.h"
#include "tests/support/in_process_node.h"

namespace inbeeld::node::retention {
namespace {

using testing::FakeClock;
using testing::InProcessNode;

std::vector<int64_t> VersionIds(InProcessNode& n) {
  auto versions = n.node().store->Versions();
  EXPECT_TRUE(versions) << versions.error().message;
  std::vector<int64_t> ids;
  if (versions) {
    for (const auto& v : *versions) ids.push_back(v.id);
  }
  return ids;
}

// Imports three versions an hour apart from `first`; the third is current
// (never purged). Retention: one day; the scheduler purges hourly.
void ImportThree(FakeClock& clock, InProcessNode& n, const std::string& first) {
  n.config().retention.list_versions_days = 1;
  n.config().sync.purge_every_hours = 1;
  clock.Set(first);
  for (int i = 0; i < 3; ++i) {
    n.Import(schema::GenerateList(static_cast<uint64_t>(i), 3, {2030, 1, 1}), {2030, 1, 1});
    clock.Advance(std::chrono::hours(1));
  }
}

TEST(RetentionTest, TheScheduledPurgeCutsOffByTheClockAcrossTheMonthEnd) {
  FakeClock clock("2031-02-28T12:00:00Z");
  InProcessNode n(clock);
  ImportThree(clock, n, "2031-02-28T12:00:00Z");  // 12:00, 13:00, 14:00
  std::ostringstream log;
  schedule::Scheduler scheduler(n.node(), log);

  clock.Set("2031-03-01T11:59:59Z");
  scheduler.Tick();
  EXPECT_EQ(VersionIds(n), (std::vector<int64_t>{1, 2, 3}));
  clock.Set("2031-03-01T12:59:59Z");  // a day after the first import, and a second
  scheduler.Tick();
  EXPECT_EQ(VersionIds(n), (std::vector<int64_t>{2, 3}));
  clock.Set("2031-03-01T13:30:00Z");  // not due: the last purge was 31 minutes ago
  scheduler.Tick();
  EXPECT_EQ(VersionIds(n), (std::vector<int64_t>{2, 3}));
  clock.Set("2031-03-01T15:00:00Z");
  scheduler.Tick();
  EXPECT_EQ(VersionIds(n), (std::vector<int64_t>{3}));  // the current version stays
  EXPECT_NE(log.str().find("scheduled purge: 1 list versions"), std::string::npos) << log.str();
}

TEST(RetentionTest, TheScheduledPurgeCutsOffByTheClockOnALeapDay) {
  FakeClock clock("2028-02-28T12:00:00Z");
  InProcessNode n(clock);
  ImportThree(clock, n, "2028-02-28T12:00:00Z");
  std::ostringstream log;
  schedule::Scheduler scheduler(n.node(), log);
  clock.Set("2028-02-29T12:00:00Z");  // exactly a day: not yet past
  scheduler.Tick();
  EXPECT_EQ(VersionIds(n), (std::vector<int64_t>{1, 2, 3}));
  clock.Set("2028-02-29T13:00:01Z");
  scheduler.Tick();
  EXPECT_EQ(VersionIds(n), (std::vector<int64_t>{3}));
}

TEST(RetentionTest, TheCutOffsAreTheAsOfDateMinusTheRetention) {
  FakeClock clock("2028-03-01T00:00:00Z");
  InProcessNode n(clock);
  n.config().retention.list_versions_days = 1;
  n.config().retention.results_days = 366;
  auto report = Purge(n.node(), n.node().clock().Now());
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->as_of, "2028-03-01T00:00:00Z");
  EXPECT_EQ(report->list_cutoff, "2028-02-29T00:00:00Z");
  EXPECT_EQ(report->results_cutoff, "2027-03-01T00:00:00Z");
}

}  // namespace
}  // namespace inbeeld::node::retention
