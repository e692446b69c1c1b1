#include "node/exchange/report.h"

#include <algorithm>
#include <map>
#include <cstdlib>

namespace inbeeld::node::exchange {

std::string LabelMaskNames(uint8_t mask) {
  std::string out;
  auto add = [&](uint8_t bit, const char* name) {
    if (!(mask & bit)) return;
    if (!out.empty()) out += ", ";
    out += name;
  };
  add(schema::wire::kLabelCategory, "category");
  add(schema::wire::kLabelSince, "since");
  add(schema::wire::kLabelSchool, "school");
  add(schema::wire::kLabelPlan, "plan");
  return out.empty() ? "none" : out;
}

Result<std::vector<ResultRow>> LoadResultRows(Store& store, const SessionRecord& session,
                                              const crypto::SecretBytes& field_key) {
  ResultsStore results(store);
  auto matches = results.Matches(session.id);
  if (!matches) return std::unexpected(matches.error());
  std::map<Subject, const StoredMatch*> by_subject;
  for (const auto& m : *matches) by_subject[m.subject] = &m;
  std::vector<ResultRow> rows;
  rows.reserve(matches->size());
  INBEELD_RETURN_IF_ERROR(store.ForEachRow(
      session.list_version, Unseal::kLabelsOnly, field_key, [&](StoredRow& own) {
        auto it = by_subject.find(own.subject);
        if (it == by_subject.end()) return;
        ResultRow row{own.own_reference, own.category,      own.since,
                      own.school_brin,   own.plan_in_place, it->second->peer_labels};
        row.category_differs = row.peer.category && *row.peer.category != own.category;
        row.since_differs = row.peer.since && std::abs(schema::DaysBetween(own.since, *row.peer.since)) >
                                                  kSinceDisagreementDays;
        rows.push_back(std::move(row));
      }));
  if (rows.size() != matches->size()) {
    return Fail(ErrorCode::kDataLoss,
                "the list version this session used is no longer stored (purged?)");
  }
  std::sort(rows.begin(), rows.end(),
            [](const ResultRow& a, const ResultRow& b) { return a.own_reference < b.own_reference; });
  return rows;
}

}  // namespace inbeeld::node::exchange
