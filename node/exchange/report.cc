#include "node/exchange/report.h"

#include <algorithm>
#include <cstdlib>
#include <map>

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

Differences CompareLabels(schema::Category category, const schema::Date& since,
                          const std::string& school, bool plan_in_place,
                          const schema::wire::Labels& peer) {
  Differences d;
  d.category = peer.category && *peer.category != category;
  d.since =
      peer.since && std::abs(schema::DaysBetween(since, *peer.since)) > kSinceDisagreementDays;
  d.plan = peer.plan && *peer.plan != plan_in_place;
  if (peer.school) {
    // A BRIN with and one without the vestiging number name the same school.
    const bool both_full = peer.school->size() == 6 && school.size() == 6;
    d.school =
        both_full ? *peer.school != school : peer.school->substr(0, 4) != school.substr(0, 4);
  }
  return d;
}

void FlagDifferences(ResultRow& row) {
  const Differences d =
      CompareLabels(row.category, row.since, row.school, row.plan_in_place, row.peer);
  row.category_differs = d.category;
  row.since_differs = d.since;
  row.plan_differs = d.plan;
  row.school_differs = d.school;
}

std::string DifferenceText(const ResultRow& row) {
  std::string out;
  auto add = [&](bool on, std::string_view text) {
    if (!on) return;
    if (!out.empty()) out += "; ";
    out += text;
  };
  add(row.category_differs, "category differs");
  add(row.since_differs, "since >4 weeks apart");
  add(row.plan_differs, "plan differs");
  add(row.school_differs, "school differs");
  return out;
}

std::string KeyMaskNames(uint8_t mask) {
  std::string out;
  auto add = [&](uint8_t bit, const char* name) {
    if (!(mask & bit)) return;
    if (!out.empty()) out += ", ";
    out += name;
  };
  add(schema::kKeyTypePgn, "pgn");
  add(schema::kKeyTypeName, "name");
  add(schema::kKeyTypeWeak, "weak");
  return out.empty() ? "none" : out;
}

std::vector<audit::ChildMatch> ChildMatches(const psi::Outcome& outcome, size_t records) {
  std::vector<audit::ChildMatch> out;
  if (outcome.mode != schema::wire::Mode::kMatch) return out;
  out.assign(records, audit::ChildMatch::kNo);
  for (const psi::MatchedPair& pair : outcome.pairs) {
    audit::ChildMatch& m = out[pair.local_index];
    const bool strong = pair.strength != schema::Strength::kPossible;
    m = strong ? audit::ChildMatch::kYes
               : (m == audit::ChildMatch::kYes ? m : audit::ChildMatch::kPossibly);
  }
  return out;
}

Result<std::vector<ResultRow>> LoadResultRows(Store& store, const SessionRecord& session,
                                              const crypto::SecretBytes& field_key) {
  ResultsStore results(store);
  auto matches = results.Matches(session.id);
  if (!matches) return std::unexpected(matches.error());
  std::multimap<Subject, const StoredMatch*> by_subject;
  for (const auto& m : *matches) by_subject.emplace(m.subject, &m);
  std::vector<ResultRow> rows;
  rows.reserve(matches->size());
  INBEELD_RETURN_IF_ERROR(
      store.ForEachRow(session.list_version, Unseal::kLabelsOnly, field_key, [&](StoredRow& own) {
        auto [begin, end] = by_subject.equal_range(own.subject);
        for (auto it = begin; it != end; ++it) {
          const StoredMatch& pair = *it->second;
          ResultRow row{.own_reference = own.own_reference,
                        .category = own.category,
                        .since = own.since,
                        .school = own.school_brin,
                        .plan_in_place = own.plan_in_place,
                        .peer = pair.peer_labels,
                        .pair_code = pair.pair_code,
                        .strength = pair.strength,
                        .decision = pair.decision};
          FlagDifferences(row);
          rows.push_back(std::move(row));
        }
      }));
  if (rows.size() != matches->size()) {
    return Fail(ErrorCode::kDataLoss,
                "the list version this session used is no longer stored (purged?)");
  }
  std::sort(rows.begin(), rows.end(), [](const ResultRow& a, const ResultRow& b) {
    return a.own_reference != b.own_reference ? a.own_reference < b.own_reference
                                              : a.pair_code < b.pair_code;
  });
  return rows;
}

}  // namespace inbeeld::node::exchange
