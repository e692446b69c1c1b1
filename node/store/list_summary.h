// node/store/list_summary.h — what an operator sees of a list version at a glance.
//
// Counts by category, how long children have been out (in weeks, bucketed), and
// the children past the pact's three-month mark without a plan — the ones the
// Thuiszitterspact says must have an offer by now. Pure computation; no I/O.
//
// Thread safety: pure functions.
#ifndef INBEELD_NODE_STORE_LIST_SUMMARY_H_
#define INBEELD_NODE_STORE_LIST_SUMMARY_H_

#include <array>
#include <string>
#include <vector>

#include "node/store/store.h"
#include "schema/date.h"
#include "schema/list_row.h"

namespace inbeeld::node {

// Week buckets: [0,4), [4,8), [8,13), [13,26), [26,∞) — 13 weeks ≈ three months.
inline constexpr std::array<int, 5> kWeekBucketStarts = {0, 4, 8, 13, 26};
std::string WeekBucketLabel(size_t bucket);

// A child's name as the operator's own screen shows it: the combined name when
// the file had one, else roepnaam (or the official first names, or the
// initials), prefix and surname; "-" when there is none.
std::string DisplayName(const schema::PersonName& name);

struct OverdueChild {
  std::string own_reference;
  schema::Category category;
  schema::Date since;
  int weeks;
};

struct ListSummary {
  size_t total = 0;
  size_t with_plan = 0;
  size_t without_pgn = 0;               // children the list holds no BSN/onderwijsnummer for
  std::array<size_t, 4> by_category{};  // indexed by schema::Category
  std::array<size_t, kWeekBucketStarts.size()> by_weeks{};
  std::vector<OverdueChild> overdue_without_plan;  // longest out first
};

// The date three calendar months after `since` (31 Jan + 3 months = 30 Apr).
schema::Date ThreeMonthMark(schema::Date since);
int WeeksSince(schema::Date since, schema::Date today);

ListSummary Summarise(const std::vector<StoredRow>& rows, schema::Date today);

}  // namespace inbeeld::node

#endif  // INBEELD_NODE_STORE_LIST_SUMMARY_H_
