// The quarterly Inspectie registration (node/report/quarterly.h), in process
// on an injected clock: numbers that stay with a child across quarters,
// spells that close and open again, the quarter's edges, 29 February, PO/VO.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "node/report/quarterly.h"
#include "schema/synthetic.h"
#include "tests/support/fake_clock.h"
#include "tests/support/in_process_node.h"

namespace inbeeld::node::report {
namespace {

using schema::Date;
using testing::FakeClock;
using testing::InProcessNode;

// A pool of synthetic children; child i is out since `since[i]` and born on
// `born[i]` (when given). Rows carry a PGN, a name and an own reference.
class Pool {
 public:
  explicit Pool(size_t n) : rows_(schema::GenerateList(11, n, {2030, 1, 1})) {
    for (size_t i = 0; i < rows_.size(); ++i) {
      rows_[i].own_reference = "dossier-" + std::to_string(i);
      rows_[i].since = {2029, 12, static_cast<int>(i) + 1};  // distinct: tells rows apart
    }
  }
  schema::ListRow& operator[](size_t i) { return rows_[i]; }
  std::vector<schema::ListRow> Take(const std::vector<size_t>& which) const {
    std::vector<schema::ListRow> out;
    for (size_t i : which) out.push_back(rows_[i]);
    return out;
  }

 private:
  std::vector<schema::ListRow> rows_;
};

Result<QuarterlyReport> Report(InProcessNode& n, Date reference,
                               config::Onderwijstype type = config::Onderwijstype::kPoVo) {
  return BuildQuarterlyReport(*n.node().store, n.node().field_key, type, reference);
}

// start → (row number, end or "") of every row in the report.
std::map<Date, std::pair<int64_t, std::string>> ByStart(const QuarterlyReport& r) {
  std::map<Date, std::pair<int64_t, std::string>> out;
  for (const auto& row : r.rows) {
    out[row.start] = {row.row_number, row.end ? schema::FormatDutch(*row.end) : ""};
  }
  return out;
}

TEST(ReportQuarterlyTest, QuarterEdges) {
  EXPECT_EQ(QuarterOf({2030, 3, 31}), (Quarter{2030, 1}));
  EXPECT_EQ(QuarterOf({2030, 4, 1}), (Quarter{2030, 2}));
  EXPECT_EQ(QuarterOf({2030, 12, 31}), (Quarter{2030, 4}));
  EXPECT_EQ((Quarter{2030, 1}).First(), (Date{2030, 1, 1}));
  EXPECT_EQ((Quarter{2030, 1}).Last(), (Date{2030, 3, 31}));
  EXPECT_EQ((Quarter{2030, 2}).Last(), (Date{2030, 6, 30}));
  EXPECT_EQ((Quarter{2030, 3}).Last(), (Date{2030, 9, 30}));
  EXPECT_EQ((Quarter{2030, 4}).First(), (Date{2030, 10, 1}));
  EXPECT_EQ(QuarterOf({2028, 2, 29}), (Quarter{2028, 1}));
  EXPECT_EQ(QuarterLabel({2030, 3}), "2030-K3");
}

TEST(ReportQuarterlyTest, NumbersStayWithTheChildAcrossThreeQuarters) {
  FakeClock clock("2031-01-05T10:00:00Z");
  InProcessNode n(clock);
  Pool pool(7);
  const Date s0 = pool[0].since, s1 = pool[1].since, s2 = pool[2].since, s3 = pool[3].since,
             s4 = pool[4].since, s5 = pool[5].since, s6 = pool[6].since;

  // Q1: children 0, 1, 2 on 15-01; on 15-02 child 2 has left and 3 is new.
  n.Import(pool.Take({0, 1, 2}), {2030, 1, 15});
  n.Import(pool.Take({0, 1, 3}), {2030, 2, 15});
  auto q1 = Report(n, {2030, 3, 31});
  ASSERT_TRUE(q1) << q1.error().message;
  EXPECT_EQ(QuarterLabel(q1->quarter), "2030-K1");
  EXPECT_EQ(q1->new_numbers, 4u);
  auto rows1 = ByStart(*q1);
  ASSERT_EQ(rows1.size(), 4u);
  // The first list's children share 1..3 (in pseudonym order); the newcomer is 4.
  std::vector<int64_t> first = {rows1[s0].first, rows1[s1].first, rows1[s2].first};
  std::sort(first.begin(), first.end());
  EXPECT_EQ(first, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(rows1[s3].first, 4);
  EXPECT_EQ(rows1[s2].second, "15-02-2030");  // the first version without child 2
  EXPECT_EQ(rows1[s0].second, "");
  EXPECT_EQ(q1->on_list, 3u);
  for (size_t i = 1; i < q1->rows.size(); ++i) {
    EXPECT_LT(q1->rows[i - 1].row_number, q1->rows[i].row_number);
  }

  // Running it again changes nothing.
  auto again = Report(n, {2030, 3, 31});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(ByStart(*again), rows1);
  EXPECT_EQ(again->new_numbers, 0u);

  // Q2: on 10-04 child 1 has left, 4 is new. Child 2 (ended in Q1) is gone.
  n.Import(pool.Take({0, 3, 4}), {2030, 4, 10});
  auto q2 = Report(n, {2030, 6, 30});
  ASSERT_TRUE(q2) << q2.error().message;
  auto rows2 = ByStart(*q2);
  EXPECT_EQ(rows2.size(), 4u);
  EXPECT_FALSE(rows2.contains(s2));
  EXPECT_EQ(rows2[s0].first, rows1[s0].first);
  EXPECT_EQ(rows2[s1], (std::pair(rows1[s1].first, std::string("10-04-2030"))));
  EXPECT_EQ(rows2[s3].first, 4);
  EXPECT_EQ(rows2[s4].first, 5);

  // Q3: child 2 comes back out since a new date: its old number, a new spell;
  // child 1 comes back with its old since: the old spell is open again; child
  // 5 and 6 are new.
  pool[2].since = {2030, 6, 1};
  n.Import(pool.Take({0, 1, 2, 3, 4, 5, 6}), {2030, 7, 1});
  auto q3 = Report(n, {2030, 9, 30});
  ASSERT_TRUE(q3) << q3.error().message;
  auto rows3 = ByStart(*q3);
  EXPECT_EQ(rows3.size(), 7u);
  EXPECT_EQ(rows3[(Date{2030, 6, 1})], (std::pair(rows1[s2].first, std::string())));
  EXPECT_FALSE(rows3.contains(s2));  // its first spell ended in Q1
  EXPECT_EQ(rows3[s1], (std::pair(rows1[s1].first, std::string())));
  std::vector<int64_t> newcomers = {rows3[s5].first, rows3[s6].first};
  std::sort(newcomers.begin(), newcomers.end());
  EXPECT_EQ(newcomers, (std::vector<int64_t>{6, 7}));
  EXPECT_EQ(q3->on_list, 7u);
  // Child 2's two spells share a number; the first quarter is when it got it.
  for (const auto& row : q3->rows) {
    if (row.row_number == rows1[s2].first) {
      EXPECT_EQ(row.first_quarter, "2030-K1");
    }
    if (row.row_number >= 6) {
      EXPECT_EQ(row.first_quarter, "2030-K3");
    }
  }

  // Back to Q1 after Q3: the same numbers; nothing dated later shows.
  auto q1_later = Report(n, {2030, 3, 31});
  ASSERT_TRUE(q1_later) << q1_later.error().message;
  auto rows1_later = ByStart(*q1_later);
  EXPECT_EQ(rows1_later.size(), 4u);
  EXPECT_EQ(rows1_later[s0], rows1[s0]);
  EXPECT_EQ(rows1_later[s2], rows1[s2]);
  EXPECT_EQ(rows1_later[s3], rows1[s3]);
  EXPECT_EQ(rows1_later[s1].first, rows1[s1].first);  // its reopened spell shows no end
}

TEST(ReportQuarterlyTest, ASpellThatEndedTheDayBeforeTheQuarterIsNotListed) {
  FakeClock clock("2030-05-01T10:00:00Z");
  InProcessNode n(clock);
  Pool pool(3);
  n.Import(pool.Take({0, 1, 2}), {2030, 3, 1});
  n.Import(pool.Take({1, 2}), {2030, 3, 31});  // child 0 ends on the quarter's last day
  n.Import(pool.Take({2}), {2030, 4, 1});      // child 1 ends on the next quarter's first day
  auto q2 = Report(n, {2030, 4, 30});
  ASSERT_TRUE(q2) << q2.error().message;
  auto rows = ByStart(*q2);
  EXPECT_FALSE(rows.contains(pool[0].since));
  ASSERT_TRUE(rows.contains(pool[1].since));
  EXPECT_EQ(rows[pool[1].since].second, "01-04-2030");
  EXPECT_EQ(rows[pool[2].since].second, "");
  EXPECT_EQ(q2->on_list, 1u);

  auto q1 = Report(n, {2030, 3, 31});
  ASSERT_TRUE(q1) << q1.error().message;
  EXPECT_EQ(ByStart(*q1)[pool[0].since].second, "31-03-2030");
  EXPECT_EQ(ByStart(*q1)[pool[1].since].second, "");  // its end is after the reference date
  EXPECT_EQ(q1->on_list, 2u);
}

TEST(ReportQuarterlyTest, OnlyListVersionsUpToTheReferenceDateCount) {
  FakeClock clock("2030-08-01T10:00:00Z");
  InProcessNode n(clock);
  Pool pool(3);
  n.Import(pool.Take({0}), {2030, 6, 1});
  n.Import(pool.Take({1, 2}), {2030, 7, 15});  // after the reference date
  auto q = Report(n, {2030, 6, 30});
  ASSERT_TRUE(q) << q.error().message;
  ASSERT_EQ(q->rows.size(), 1u);
  EXPECT_EQ(q->rows[0].row_number, 1);
  EXPECT_FALSE(q->rows[0].end);
  ASSERT_TRUE(q->list_version);
  EXPECT_EQ(q->list_version->list_date, (Date{2030, 6, 1}));
  // The next quarter numbers the newcomers on.
  auto next = Report(n, {2030, 7, 31});
  ASSERT_TRUE(next) << next.error().message;
  auto rows = ByStart(*next);
  EXPECT_EQ(rows[pool[0].since], (std::pair(int64_t{1}, std::string("15-07-2030"))));
  std::vector<int64_t> numbers = {rows[pool[1].since].first, rows[pool[2].since].first};
  std::sort(numbers.begin(), numbers.end());
  EXPECT_EQ(numbers, (std::vector<int64_t>{2, 3}));
}

TEST(ReportQuarterlyTest, AReferenceDateAfterTodayIsRefused) {
  FakeClock clock("2030-06-30T23:59:59Z");
  InProcessNode n(clock);
  auto tomorrow = Report(n, {2030, 7, 1});
  ASSERT_FALSE(tomorrow);
  EXPECT_EQ(tomorrow.error().code, ErrorCode::kInvalidArgument);
  auto today = Report(n, {2030, 6, 30});
  ASSERT_TRUE(today) << today.error().message;
  EXPECT_TRUE(today->rows.empty());
  EXPECT_FALSE(today->list_version);
}

TEST(ReportQuarterlyTest, ALateImportOfAnOlderListIsNotTakenIn) {
  FakeClock clock("2030-08-01T10:00:00Z");
  InProcessNode n(clock);
  Pool pool(3);
  n.Import(pool.Take({0, 1}), {2030, 7, 1});
  ASSERT_TRUE(Report(n, {2030, 7, 31}));
  const ListVersion late = n.Import(pool.Take({2}), {2030, 6, 1});
  auto q = Report(n, {2030, 7, 31});
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(q->skipped_versions, (std::vector<int64_t>{late.id}));
  EXPECT_EQ(q->rows.size(), 2u);
}

TEST(ReportQuarterlyTest, TwentyNinthOfFebruary) {
  FakeClock clock("2028-03-01T08:00:00Z");
  InProcessNode n(clock);
  Pool pool(3);
  pool[0].since = {2027, 11, 29};  // three months: 29-02-2028
  pool[1].since = {2027, 11, 30};  // three months: 29-02-2028 (no 30 February)
  pool[2].since = {2028, 2, 1};    // four weeks: 29-02-2028
  n.Import(pool.Take({0, 1, 2}), {2028, 2, 1});
  n.Import(pool.Take({0, 2}), {2028, 2, 29});  // child 1 leaves on the leap day
  auto on_leap_day = Report(n, {2028, 2, 29});
  ASSERT_TRUE(on_leap_day) << on_leap_day.error().message;
  EXPECT_EQ(QuarterLabel(on_leap_day->quarter), "2028-K1");
  EXPECT_EQ(ByStart(*on_leap_day)[pool[1].since].second, "29-02-2028");
  EXPECT_EQ(on_leap_day->on_list, 2u);
  EXPECT_EQ(on_leap_day->by_band[static_cast<size_t>(DurationBand::kThreeMonthsOrMore)], 1u);
  EXPECT_EQ(on_leap_day->by_band[static_cast<size_t>(DurationBand::kFourWeeksToThreeMonths)], 1u);
  auto day_before = Report(n, {2028, 2, 28});
  ASSERT_TRUE(day_before) << day_before.error().message;
  EXPECT_EQ(day_before->on_list, 3u);
  EXPECT_EQ(day_before->by_band[static_cast<size_t>(DurationBand::kThreeMonthsOrMore)], 0u);
  EXPECT_EQ(day_before->by_band[static_cast<size_t>(DurationBand::kFourWeeksToThreeMonths)], 2u);
  EXPECT_EQ(day_before->by_band[static_cast<size_t>(DurationBand::kUnderFourWeeks)], 1u);
}

TEST(ReportQuarterlyTest, SectorFromTheAgeOnTheReferenceDate) {
  using config::Onderwijstype;
  const auto full = [](int y, int m, int d) {
    return std::optional<schema::PartialDate>(schema::PartialDate{y, m, d});
  };
  // The twelfth birthday is the first day of VO.
  EXPECT_EQ(SectorOn(Onderwijstype::kPoVo, full(2018, 5, 10), {2030, 5, 9}), Sector::kPo);
  EXPECT_EQ(SectorOn(Onderwijstype::kPoVo, full(2018, 5, 10), {2030, 5, 10}), Sector::kVo);
  // Born on 29 February: a year older on 1 March in a common year, on 29
  // February in a leap year.
  EXPECT_EQ(SectorOn(Onderwijstype::kPoVo, full(2016, 2, 29), {2028, 2, 28}), Sector::kPo);
  EXPECT_EQ(SectorOn(Onderwijstype::kPoVo, full(2016, 2, 29), {2028, 2, 29}), Sector::kVo);
  EXPECT_EQ(SectorOn(Onderwijstype::kPoVo, full(2015, 2, 28), {2027, 2, 28}), Sector::kVo);
  EXPECT_EQ(SectorOn(Onderwijstype::kPoVo, full(2016, 2, 29), {2029, 2, 28}), Sector::kVo);
  // A partial birth date decides only when every day it stands for agrees.
  const std::optional<schema::PartialDate> year_only = schema::PartialDate{2018, 0, 0};
  EXPECT_EQ(SectorOn(Onderwijstype::kPoVo, year_only, {2030, 12, 30}), Sector::kUnknown);
  EXPECT_EQ(SectorOn(Onderwijstype::kPoVo, year_only, {2030, 12, 31}), Sector::kVo);
  EXPECT_EQ(SectorOn(Onderwijstype::kPoVo, year_only, {2029, 12, 31}), Sector::kPo);
  const std::optional<schema::PartialDate> month = schema::PartialDate{2018, 5, 0};
  EXPECT_EQ(SectorOn(Onderwijstype::kPoVo, month, {2030, 5, 15}), Sector::kUnknown);
  EXPECT_EQ(SectorOn(Onderwijstype::kPoVo, month, {2030, 5, 31}), Sector::kVo);
  EXPECT_EQ(SectorOn(Onderwijstype::kPoVo, month, {2030, 4, 30}), Sector::kPo);
  EXPECT_EQ(SectorOn(Onderwijstype::kPoVo, std::nullopt, {2030, 4, 30}), Sector::kUnknown);
  // A node that serves one sector gives it to every child.
  EXPECT_EQ(SectorOn(Onderwijstype::kPo, full(2010, 1, 1), {2030, 1, 1}), Sector::kPo);
  EXPECT_EQ(SectorOn(Onderwijstype::kVo, std::nullopt, {2030, 1, 1}), Sector::kVo);
}

TEST(ReportQuarterlyTest, SectorsInTheReportFollowTheReferenceDateAndTheSetting) {
  FakeClock clock("2031-01-01T10:00:00Z");
  InProcessNode n(clock);
  Pool pool(3);
  pool[0].birth_date = schema::PartialDate{2018, 8, 20};  // 12 on 20-08-2030
  pool[1].birth_date = schema::PartialDate{2012, 1, 1};
  pool[2].birth_date = schema::PartialDate{2018, 0, 0};
  n.Import(pool.Take({0, 1, 2}), {2030, 6, 1});
  auto sectors = [&](const QuarterlyReport& r) {
    std::map<Date, Sector> out;
    for (const auto& row : r.rows) out[row.start] = row.sector;
    return out;
  };
  auto q2 = Report(n, {2030, 6, 30});
  ASSERT_TRUE(q2) << q2.error().message;
  EXPECT_EQ(sectors(*q2), (std::map<Date, Sector>{{pool[0].since, Sector::kPo},
                                                  {pool[1].since, Sector::kVo},
                                                  {pool[2].since, Sector::kUnknown}}));
  auto q4 = Report(n, {2030, 12, 31});  // no new list: the birthday alone moves child 0
  ASSERT_TRUE(q4) << q4.error().message;
  EXPECT_EQ(sectors(*q4), (std::map<Date, Sector>{{pool[0].since, Sector::kVo},
                                                  {pool[1].since, Sector::kVo},
                                                  {pool[2].since, Sector::kVo}}));
  auto po = Report(n, {2030, 12, 31}, config::Onderwijstype::kPo);
  ASSERT_TRUE(po) << po.error().message;
  for (const auto& row : po->rows) EXPECT_EQ(row.sector, Sector::kPo);
}

TEST(ReportQuarterlyTest, CsvAndSheetsHoldNoIdentifierNameOrReference) {
  FakeClock clock("2030-10-01T10:00:00Z");
  InProcessNode n(clock);
  Pool pool(3);
  pool[0].category = schema::Category::kAbsoluutVerzuim;
  n.Import(pool.Take({0, 1, 2}), {2030, 9, 1});
  n.Import(pool.Take({1, 2}), {2030, 9, 15});
  auto q = Report(n, {2030, 9, 30});
  ASSERT_TRUE(q) << q.error().message;
  const std::string csv = QuarterlyCsv(*q);
  EXPECT_TRUE(csv.starts_with("\xEF\xBB\xBFNr.;Startdatum;Einddatum;Categorie;Onderwijstype\r\n"))
      << csv;
  EXPECT_NE(csv.find(";" + schema::FormatDutch(pool[0].since) + ";15-09-2030;absoluut verzuim;"),
            std::string::npos)
      << csv;
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(csv.find(pool[i].identifier->digits()), std::string::npos);
    EXPECT_EQ(csv.find(pool[i].own_reference), std::string::npos);
    ASSERT_TRUE(pool[i].name.full_name);
    EXPECT_EQ(csv.find(*pool[i].name.full_name), std::string::npos);
  }
  Sheet counts = CountsSheet(*q);
  EXPECT_EQ(counts.header, (std::vector<std::string>{"Indeling", "Waarde", "Aantal"}));
  ASSERT_EQ(counts.rows.size(), 3u + kCategoryCount + kDurationBandCount);
  EXPECT_EQ(counts.rows[2][2], Cell(int64_t{2}));  // on the list on 30-09
  Sheet rows = RegistrationSheet(*q);
  ASSERT_EQ(rows.rows.size(), 3u);
  for (const auto& row : rows.rows) EXPECT_EQ(row.size(), rows.header.size());
}

}  // namespace
}  // namespace inbeeld::node::report
