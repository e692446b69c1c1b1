#include "node/console/meeting_list.h"

#include <map>

#include "node/console/spreadsheet.h"
#include "node/report/sheet.h"
#include "node/store/list_summary.h"
#include "schema/date.h"
#include "schema/list_row.h"
#include "schema/person.h"

namespace inbeeld::node::console {
namespace {

std::string YesNo(bool b) { return b ? "ja" : "nee"; }

std::vector<std::string> Differences(const exchange::ResultRow& r) {
  std::vector<std::string> out;
  if (r.category_differs) out.emplace_back("categorie");
  if (r.since_differs) out.emplace_back("sinds");
  if (r.plan_differs) out.emplace_back("aanbod");
  if (r.school_differs) out.emplace_back("school");
  return out;
}

std::string DecisionWord(exchange::Decision d) {
  switch (d) {
    case exchange::Decision::kConfirmed:
      return "bevestigd";
    case exchange::Decision::kRejected:
      return "afgewezen";
    case exchange::Decision::kNone:
      return "";
  }
  return "";
}

}  // namespace

std::string StrengthWord(schema::Strength strength) {
  switch (strength) {
    case schema::Strength::kCertain:
      return "zeker";
    case schema::Strength::kProbable:
      return "waarschijnlijk";
    case schema::Strength::kPossible:
      return "mogelijk";
  }
  return "";
}

Result<std::vector<MeetingRow>> LoadMeetingList(UnlockedNode& node,
                                                const exchange::SessionRecord& session) {
  std::vector<MeetingRow> out;
  if (session.status != "completed" || session.mode != schema::wire::Mode::kMatch) return out;
  auto rows = exchange::LoadResultRows(*node.store, session, node.field_key);
  if (!rows) return std::unexpected(rows.error());
  // Names and birth dates of the list the session used, by own reference.
  std::map<std::string, std::pair<std::string, std::string>> people;
  auto stored = node.store->LoadRows(session.list_version, Unseal::kEverything, node.field_key);
  if (!stored) return std::unexpected(stored.error());
  for (const auto& s : *stored) {
    people[s.own_reference] = {DisplayName(s.name),
                               s.birth_date ? schema::FormatPartialDutch(*s.birth_date) : ""};
  }
  for (auto& r : *rows) {
    MeetingRow row;
    auto it = people.find(r.own_reference);
    if (it != people.end()) {
      row.name = it->second.first;
      row.birth_date = it->second.second;
    }
    row.result = std::move(r);
    out.push_back(std::move(row));
  }
  return out;
}

nlohmann::json MeetingRowJson(const MeetingRow& m) {
  const auto& r = m.result;
  nlohmann::json partner = nlohmann::json::object();
  if (r.peer.category) partner["categorie"] = std::string(schema::CategoryLabel(*r.peer.category));
  if (r.peer.since) partner["sinds"] = schema::FormatDutch(*r.peer.since);
  if (r.peer.school) partner["school"] = *r.peer.school;
  if (r.peer.plan) partner["aanbod"] = *r.peer.plan;
  return {{"paarcode", r.pair_code},
          {"sterkte", StrengthWord(r.strength)},
          {"besluit", DecisionWord(r.decision)},
          {"referentie", r.own_reference},
          {"naam", m.name},
          {"geboortedatum", m.birth_date},
          {"categorie", std::string(schema::CategoryLabel(r.category))},
          {"sinds", schema::FormatDutch(r.since)},
          {"school", r.school},
          {"aanbod", r.plan_in_place},
          {"partner", partner},
          {"verschillen", Differences(r)}};
}

std::vector<std::string> MeetingListHeader() {
  return {
      "Paarcode",           "Zekerheid",      "Besluit",         "Eigen referentie", "Naam",
      "Geboortedatum",      "Categorie",      "Sinds",           "School (BRIN)",    "Aanbod",
      "Partner: categorie", "Partner: sinds", "Partner: school", "Partner: aanbod",  "Verschillen"};
}

std::vector<std::vector<std::string>> MeetingListCells(const std::vector<MeetingRow>& rows) {
  std::vector<std::vector<std::string>> out;
  for (const auto& m : rows) {
    const auto& r = m.result;
    std::string differences;
    for (const auto& d : Differences(r)) differences += (differences.empty() ? "" : ", ") + d;
    out.push_back({r.pair_code, StrengthWord(r.strength), DecisionWord(r.decision), r.own_reference,
                   m.name, m.birth_date, std::string(schema::CategoryLabel(r.category)),
                   schema::FormatDutch(r.since), r.school, YesNo(r.plan_in_place),
                   r.peer.category ? std::string(schema::CategoryLabel(*r.peer.category)) : "",
                   r.peer.since ? schema::FormatDutch(*r.peer.since) : "",
                   r.peer.school.value_or(""), r.peer.plan ? YesNo(*r.peer.plan) : "",
                   differences});
  }
  return out;
}

namespace {
report::Sheet MeetingSheet(const std::string& peer, const std::vector<MeetingRow>& rows) {
  report::Sheet sheet;
  // Excel allows 31 characters in a sheet name.
  sheet.name = ("Afstemming " + peer).substr(0, 31);
  sheet.header = MeetingListHeader();
  for (auto& cells : MeetingListCells(rows)) sheet.rows.emplace_back(cells.begin(), cells.end());
  return sheet;
}
}  // namespace

std::string MeetingListCsv(const std::vector<MeetingRow>& rows) {
  return report::SheetCsv(MeetingSheet("", rows));
}

Result<std::string> MeetingListXlsx(const exchange::SessionRecord& session,
                                    const std::vector<MeetingRow>& rows) {
  return SheetsXlsx({MeetingSheet(session.peer, rows)});
}

}  // namespace inbeeld::node::console
