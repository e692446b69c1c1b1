// /api/lijst…: the own list — what it holds, its versions, importing a file.
#include "node/clock/timestamp.h"
#include "node/console/handlers.h"
#include "node/report/durations.h"
#include "node/store/list_summary.h"
#include "schema/date.h"
#include "schema/list_row.h"
#include "schema/person.h"

namespace inbeeld::node::console {
namespace {

Result<ApiReply> Summary(Call& call) {
  auto current = call.node.store->CurrentVersion();
  if (!current) return std::unexpected(current.error());
  if (!*current) return Fail(ErrorCode::kNotFound, "Er is nog geen lijst geïmporteerd.");
  auto rows = call.node.store->LoadRows((*current)->id, Unseal::kLabelsOnly, call.node.field_key);
  if (!rows) return std::unexpected(rows.error());
  const schema::Date today = TodayUtc(call.node.clock());
  const ListSummary summary = Summarise(*rows, today);
  nlohmann::json categories = nlohmann::json::array();
  for (size_t i = 0; i < summary.by_category.size(); ++i) {
    categories.push_back(
        {{"categorie", std::string(schema::CategoryLabel(static_cast<schema::Category>(i)))},
         {"aantal", summary.by_category[i]}});
  }
  nlohmann::json overdue = nlohmann::json::array();
  for (const auto& c : summary.overdue_without_plan) {
    overdue.push_back({{"referentie", c.own_reference},
                       {"categorie", std::string(schema::CategoryLabel(c.category))},
                       {"sinds", schema::FormatDutch(c.since)},
                       {"weken", c.weeks}});
  }
  nlohmann::json durations = nlohmann::json::array();
  const report::DurationSummary bands = report::SummariseDurations(*rows, today);
  for (size_t i = 0; i < bands.by_band.size(); ++i) {
    durations.push_back(
        {{"duur", std::string(report::DurationBandLabel(static_cast<report::DurationBand>(i)))},
         {"aantal", bands.by_band[i]}});
  }
  auto versions = call.node.store->Versions();
  if (!versions) return std::unexpected(versions.error());
  nlohmann::json version_list = nlohmann::json::array();
  for (auto it = versions->rbegin(); it != versions->rend(); ++it) {
    version_list.push_back({{"versie", it->id},
                            {"lijstdatum", schema::FormatDutch(it->list_date)},
                            {"geimporteerd", it->imported_at},
                            {"bestand", it->source},
                            {"rijen", it->row_count}});
  }
  return JsonReply({{"versie", (*current)->id},
                    {"lijstdatum", schema::FormatDutch((*current)->list_date)},
                    {"geimporteerd", (*current)->imported_at},
                    {"peildatum", schema::FormatDutch(today)},
                    {"totaal", summary.total},
                    {"met_aanbod", summary.with_plan},
                    {"zonder_pgn", summary.without_pgn},
                    {"per_categorie", categories},
                    {"per_duur", durations},
                    {"over_termijn", overdue},
                    {"versies", version_list}});
}

Result<ApiReply> Rows(Call& call) {
  auto current = call.node.store->CurrentVersion();
  if (!current) return std::unexpected(current.error());
  if (!*current) return Fail(ErrorCode::kNotFound, "Er is nog geen lijst geïmporteerd.");
  auto rows = call.node.store->LoadRows((*current)->id, Unseal::kEverything, call.node.field_key);
  if (!rows) return std::unexpected(rows.error());
  const schema::Date today = TodayUtc(call.node.clock());
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : *rows) {
    out.push_back({{"referentie", r.own_reference},
                   {"naam", DisplayName(r.name)},
                   {"geboortedatum", r.birth_date ? schema::FormatPartialDutch(*r.birth_date) : ""},
                   {"categorie", std::string(schema::CategoryLabel(r.category))},
                   {"sinds", schema::FormatDutch(r.since)},
                   {"weken", WeeksSince(r.since, today)},
                   {"over_termijn", !r.plan_in_place && !(today < ThreeMonthMark(r.since))},
                   {"school", r.school_brin},
                   {"aanbod", r.plan_in_place}});
  }
  // Names and birth dates on a screen: a disclosure to the person, logged.
  INBEELD_RETURN_IF_ERROR(AuditAction(call.node, "inbeeld.list.viewed", true,
                                      {{"inbeeld.list_version", std::to_string((*current)->id)},
                                       {"inbeeld.count.rows", std::to_string(rows->size())}}));
  return JsonReply({{"versie", (*current)->id}, {"rijen", out}});
}

}  // namespace

std::vector<Route> ListRoutes() {
  std::vector<Route> routes = {
      {"GET", "/api/lijst", kOperatorOnly, Summary},
      {"GET", "/api/lijst/rijen", kOperatorOnly, Rows},
  };
  for (auto& r : ImportRoutes()) routes.push_back(std::move(r));
  return routes;
}

}  // namespace inbeeld::node::console
