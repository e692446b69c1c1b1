// /api/rapportage: the SWV's quarterly registration for the Inspectie
// (node/report/quarterly.h), on screen and as a spreadsheet.
#include "node/clock/timestamp.h"
#include "node/console/handlers.h"
#include "node/console/spreadsheet.h"
#include "node/report/durations.h"
#include "node/report/quarterly.h"
#include "schema/date.h"
#include "schema/list_row.h"

namespace inbeeld::node::console {
namespace {

Result<report::QuarterlyReport> Build(Call& call) {
  auto reference = DateParam(call.request, "peildatum", TodayUtc(call.node.clock()));
  if (!reference) return std::unexpected(reference.error());
  auto built = report::BuildQuarterlyReport(*call.node.store, call.node.field_key,
                                            call.node.config.report.onderwijstype, *reference);
  if (!built) {
    if (built.error().code == ErrorCode::kInvalidArgument) {
      return Fail(ErrorCode::kInvalidArgument, "De peildatum mag niet in de toekomst liggen.");
    }
    return std::unexpected(built.error());
  }
  return built;
}

Status Audited(Call& call, const report::QuarterlyReport& r, const char* format) {
  return AuditAction(call.node, "inbeeld.report.quarterly", true,
                     {{"inbeeld.report.quarter", report::QuarterLabel(r.quarter)},
                      {"inbeeld.report.reference_date", schema::FormatIso(r.reference)},
                      {"inbeeld.count.rows", std::to_string(r.rows.size())},
                      {"inbeeld.format", format}});
}

Result<ApiReply> Quarterly(Call& call) {
  auto r = Build(call);
  if (!r) return std::unexpected(r.error());
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : r->rows) {
    rows.push_back({{"rijnummer", row.row_number},
                    {"start", schema::FormatDutch(row.start)},
                    {"einde", row.end ? schema::FormatDutch(*row.end) : ""},
                    {"categorie", std::string(schema::CategoryLabel(row.category))},
                    {"onderwijstype", std::string(report::SectorLabel(row.sector))}});
  }
  nlohmann::json categories = nlohmann::json::array();
  for (size_t i = 0; i < r->by_category.size(); ++i) {
    categories.push_back(
        {{"categorie", std::string(schema::CategoryLabel(static_cast<schema::Category>(i)))},
         {"aantal", r->by_category[i]}});
  }
  nlohmann::json bands = nlohmann::json::array();
  for (size_t i = 0; i < r->by_band.size(); ++i) {
    bands.push_back(
        {{"duur", std::string(report::DurationBandLabel(static_cast<report::DurationBand>(i)))},
         {"aantal", r->by_band[i]}});
  }
  INBEELD_RETURN_IF_ERROR(Audited(call, *r, "screen"));
  return JsonReply({{"kwartaal", report::QuarterLabel(r->quarter)},
                    {"peildatum", schema::FormatDutch(r->reference)},
                    {"op_lijst", r->on_list},
                    {"nieuwe_nummers", r->new_numbers},
                    {"rijen", rows},
                    {"per_categorie", categories},
                    {"per_duur", bands}});
}

Result<ApiReply> QuarterlyXlsx(Call& call) {
  auto r = Build(call);
  if (!r) return std::unexpected(r.error());
  auto bytes = SheetsXlsx({report::RegistrationSheet(*r), report::CountsSheet(*r)});
  if (!bytes) return std::unexpected(bytes.error());
  INBEELD_RETURN_IF_ERROR(Audited(call, *r, "xlsx"));
  return FileReply("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   "thuiszitters-" + report::QuarterLabel(r->quarter) + ".xlsx", std::move(*bytes));
}

}  // namespace

std::vector<Route> ReportRoutes() {
  return {
      {"GET", "/api/rapportage", kOperatorOnly, Quarterly},
      {"GET", "/api/rapportage.xlsx", kOperatorOnly, QuarterlyXlsx},
  };
}

}  // namespace inbeeld::node::console
