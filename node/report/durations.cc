#include "node/report/durations.h"

#include <algorithm>

namespace inbeeld::node::report {

std::string_view DurationBandLabel(DurationBand band) {
  switch (band) {
    case DurationBand::kUnderFourWeeks:
      return "< 4 weken";
    case DurationBand::kFourWeeksToThreeMonths:
      return "4 weken\u20133 maanden";
    case DurationBand::kThreeMonthsOrMore:
      break;
  }
  return "\u2265 3 maanden";
}

bool PastThreeMonthMark(schema::Date since, schema::Date reference) {
  return ThreeMonthMark(since) <= reference;
}

DurationBand BandOn(schema::Date since, schema::Date reference) {
  if (PastThreeMonthMark(since, reference)) return DurationBand::kThreeMonthsOrMore;
  if (schema::DaysBetween(since, reference) >= kFourWeeksDays) {
    return DurationBand::kFourWeeksToThreeMonths;
  }
  return DurationBand::kUnderFourWeeks;
}

DurationSummary SummariseDurations(const std::vector<StoredRow>& rows, schema::Date reference) {
  DurationSummary summary;
  summary.reference = reference;
  summary.total = rows.size();
  for (const StoredRow& row : rows) {
    summary.by_category[static_cast<size_t>(row.category)]++;
    summary.by_band[static_cast<size_t>(BandOn(row.since, reference))]++;
    if (!row.plan_in_place && PastThreeMonthMark(row.since, reference)) {
      summary.past_mark_without_plan.push_back(
          {row.own_reference, row.category, row.since, WeeksSince(row.since, reference)});
    }
  }
  std::sort(summary.past_mark_without_plan.begin(), summary.past_mark_without_plan.end(),
            [](const OverdueChild& a, const OverdueChild& b) {
              if (a.since != b.since) return a.since < b.since;
              return a.own_reference < b.own_reference;
            });
  return summary;
}

}  // namespace inbeeld::node::report
