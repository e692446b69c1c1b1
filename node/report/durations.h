// node/report/durations.h — how long the children on a list have been out of
// school on a reference date, in the three bands the console and the
// quarterly registration show, and who is past the pact's three-month mark
// without an offer.
//
// Bands, for a child out since S on reference date R:
//   "< 4 weken"          R < S + 28 days (also when S is after R)
//   "4 weken–3 maanden"  S + 28 days <= R < ThreeMonthMark(S)
//   "≥ 3 maanden"        ThreeMonthMark(S) <= R  (three calendar months,
//                        clamped to the month's end: node/store/list_summary.h)
// So a child is in the middle band on exactly its 28th day and in the last
// band on exactly the day of the mark.
//
// Thread safety: pure functions.
#ifndef INBEELD_NODE_REPORT_DURATIONS_H_
#define INBEELD_NODE_REPORT_DURATIONS_H_

#include <array>
#include <cstddef>
#include <string_view>
#include <vector>

#include "node/store/list_summary.h"
#include "node/store/store.h"
#include "schema/date.h"
#include "schema/list_row.h"

namespace inbeeld::node::report {

enum class DurationBand { kUnderFourWeeks, kFourWeeksToThreeMonths, kThreeMonthsOrMore };
inline constexpr size_t kDurationBandCount = 3;
inline constexpr size_t kCategoryCount = 4;  // schema::Category's values
inline constexpr int kFourWeeksDays = 28;

// "< 4 weken", "4 weken–3 maanden", "≥ 3 maanden" (UTF-8).
std::string_view DurationBandLabel(DurationBand band);

// The band of a child out since `since` on `reference` (the rules above).
DurationBand BandOn(schema::Date since, schema::Date reference);

// Past the three-month mark on `reference` (ThreeMonthMark(since) <= reference).
bool PastThreeMonthMark(schema::Date since, schema::Date reference);

struct DurationSummary {
  schema::Date reference{};
  size_t total = 0;
  std::array<size_t, kCategoryCount> by_category{};  // indexed by schema::Category
  std::array<size_t, kDurationBandCount> by_band{};  // indexed by DurationBand
  // Past the mark without a plan, longest out first (then own reference):
  // node::OverdueChild, weeks counted to `reference`.
  std::vector<OverdueChild> past_mark_without_plan;
};

// Counts of `rows` (a list version's rows) by category and band on `reference`.
DurationSummary SummariseDurations(const std::vector<StoredRow>& rows, schema::Date reference);

}  // namespace inbeeld::node::report

#endif  // INBEELD_NODE_REPORT_DURATIONS_H_
