#include "node/store/list_summary.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>

namespace inbeeld::node {

std::string WeekBucketLabel(size_t bucket) {
  if (bucket + 1 >= kWeekBucketStarts.size()) {
    return fmt::format("{}+ weeks", kWeekBucketStarts.back());
  }
  return fmt::format("{}-{} weeks", kWeekBucketStarts[bucket], kWeekBucketStarts[bucket + 1] - 1);
}

schema::Date ThreeMonthMark(schema::Date since) {
  int month = since.month + 3;
  int year = since.year + (month - 1) / 12;
  month = (month - 1) % 12 + 1;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int last = kDays[month - 1];
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && leap) last = 29;
  return schema::Date{year, month, std::min(since.day, last)};
}

int WeeksSince(schema::Date since, schema::Date today) {
  int days = schema::DaysBetween(since, today);
  return days < 0 ? 0 : days / 7;
}

std::string DisplayName(const schema::PersonName& name) {
  if (name.full_name && !name.full_name->empty()) return *name.full_name;
  std::string out;
  auto add = [&](const std::optional<std::string>& part) {
    if (!part || part->empty()) return false;
    if (!out.empty()) out.push_back(' ');
    out += *part;
    return true;
  };
  if (!add(name.roepnaam) && !add(name.first_names)) add(name.initials);
  add(name.prefix);
  add(name.surname);
  return out.empty() ? "-" : out;
}

ListSummary Summarise(const std::vector<StoredRow>& rows, schema::Date today) {
  ListSummary summary;
  summary.total = rows.size();
  for (const StoredRow& row : rows) {
    summary.by_category[static_cast<size_t>(row.category)]++;
    if (row.plan_in_place) summary.with_plan++;
    if (!row.has_pgn) summary.without_pgn++;
    int weeks = WeeksSince(row.since, today);
    size_t bucket = 0;
    while (bucket + 1 < kWeekBucketStarts.size() && weeks >= kWeekBucketStarts[bucket + 1])
      ++bucket;
    summary.by_weeks[bucket]++;
    if (!row.plan_in_place && ThreeMonthMark(row.since) <= today) {
      summary.overdue_without_plan.push_back({row.own_reference, row.category, row.since, weeks});
    }
  }
  std::sort(summary.overdue_without_plan.begin(), summary.overdue_without_plan.end(),
            [](const OverdueChild& a, const OverdueChild& b) {
              if (a.since != b.since) return a.since < b.since;
              return a.own_reference < b.own_reference;
            });
  return summary;
}

}  // namespace inbeeld::node
