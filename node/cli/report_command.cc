// `inbeeld report quarterly`: the quarterly registration of thuiszitters for
// the Inspectie (node/report/quarterly.h).
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "node/audit/audit_log.h"
#include "node/audit/exchange_records.h"
#include "node/cli/commands.h"
#include "node/clock/timestamp.h"
#include "node/report/quarterly.h"

namespace inbeeld::node::cli {
namespace {

nlohmann::json QuarterlyJson(const report::QuarterlyReport& r) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : r.rows) {
    rows.push_back(
        {{"row_number", row.row_number},
         {"first_quarter", row.first_quarter},
         {"start", schema::FormatIso(row.start)},
         {"end", row.end ? nlohmann::json(schema::FormatIso(*row.end)) : nlohmann::json()},
         {"category", std::string(schema::CategoryName(row.category))},
         {"onderwijstype", std::string(report::SectorName(row.sector))}});
  }
  nlohmann::json by_category = nlohmann::json::array();
  for (size_t c = 0; c < report::kCategoryCount; ++c) {
    by_category.push_back(
        {{"category", std::string(schema::CategoryName(static_cast<schema::Category>(c)))},
         {"count", r.by_category[c]}});
  }
  nlohmann::json by_duration = nlohmann::json::array();
  for (size_t b = 0; b < report::kDurationBandCount; ++b) {
    by_duration.push_back(
        {{"band", std::string(report::DurationBandLabel(static_cast<report::DurationBand>(b)))},
         {"count", r.by_band[b]}});
  }
  return {{"quarter", report::QuarterLabel(r.quarter)},
          {"reference_date", schema::FormatIso(r.reference)},
          {"list_version", r.list_version ? nlohmann::json(r.list_version->id) : nlohmann::json()},
          {"rows", rows},
          {"on_list", r.on_list},
          {"by_category", by_category},
          {"by_duration", by_duration},
          {"new_numbers", r.new_numbers},
          {"skipped_versions", r.skipped_versions}};
}

void PrintQuarterly(std::ostream& out, const report::QuarterlyReport& r) {
  out << fmt::format("Quarterly registration {} (reference date {}",
                     report::QuarterLabel(r.quarter), schema::FormatDutch(r.reference));
  if (r.list_version) {
    out << fmt::format(", list version {} of {}", r.list_version->id,
                       schema::FormatDutch(r.list_version->list_date));
  }
  out << fmt::format("): {} row{}", r.rows.size(), r.rows.size() == 1 ? "" : "s");
  if (r.new_numbers > 0)
    out << fmt::format(", {} new number{}", r.new_numbers, r.new_numbers == 1 ? "" : "s");
  out << "\n";
  if (!r.rows.empty()) {
    out << fmt::format("  {:>5}  {:<10}  {:<10}  {:<24}  {}\n", "nr.", "start", "end", "category",
                       "onderwijstype");
  }
  for (const auto& row : r.rows) {
    out << fmt::format("  {:>5}  {:<10}  {:<10}  {:<24}  {}\n", row.row_number,
                       schema::FormatDutch(row.start), row.end ? schema::FormatDutch(*row.end) : "",
                       schema::CategoryLabel(row.category), report::SectorLabel(row.sector));
  }
  out << fmt::format("On the list on {}: {}\n", schema::FormatDutch(r.reference), r.on_list);
  for (size_t c = 0; c < report::kCategoryCount; ++c) {
    out << fmt::format("  {:<24} {}\n", schema::CategoryLabel(static_cast<schema::Category>(c)),
                       r.by_category[c]);
  }
  for (size_t b = 0; b < report::kDurationBandCount; ++b) {
    out << fmt::format("  {:<24} {}\n",
                       report::DurationBandLabel(static_cast<report::DurationBand>(b)),
                       r.by_band[b]);
  }
  if (!r.skipped_versions.empty()) {
    out << fmt::format(
        "Not taken in: {} list version{} dated before one already registered (imported late).\n",
        r.skipped_versions.size(), r.skipped_versions.size() == 1 ? "" : "s");
  }
}

}  // namespace

void AddReportCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner) {
  CLI::App* cmd = app.add_subcommand("report", "Reports: the quarterly Inspectie registration.");
  cmd->require_subcommand(1);

  struct Options {
    std::string reference_date;
    std::string csv;
  };
  auto options = std::make_shared<Options>();
  CLI::App* quarterly = cmd->add_subcommand(
      "quarterly",
      "The quarter's registration of thuiszitters for the Inspectie: one anonymous row number per "
      "child, kept across quarters, with start, end, category and onderwijstype (PO/VO, "
      "[report] onderwijstype), and the counts on the reference date. Takes in new list versions "
      "dated on or before the reference date (numbers are kept in the store).");
  AddCommonOptions(quarterly, global, /*with_json=*/true);
  quarterly->add_option("--reference-date", options->reference_date,
                        "Peildatum (dd-mm-jjjj); the report is of the quarter holding it. "
                        "Default: today");
  quarterly->add_option("--csv", options->csv,
                        "Also write the registration to this CSV file (; and BOM, for Excel)");
  quarterly->callback([&, options] {
    runner = [&, options]() -> Status {
      auto node = OpenNode(global, context);
      if (!node) return std::unexpected(node.error());
      schema::Date reference = TodayUtc(node->clock());
      if (!options->reference_date.empty()) {
        auto parsed = schema::ParseDate(options->reference_date);
        if (!parsed) return std::unexpected(WithContext(parsed.error(), "--reference-date"));
        reference = *parsed;
      }
      auto quarterly_report = report::BuildQuarterlyReport(
          *node->store, node->field_key, node->config.report.onderwijstype, reference);
      if (!quarterly_report) return std::unexpected(quarterly_report.error());
      if (!options->csv.empty()) {
        INBEELD_RETURN_IF_ERROR(
            WriteFileAtomically(options->csv, report::QuarterlyCsv(*quarterly_report)));
      }
      // A report leaves the node as a file or on a screen: who made it is logged
      // (the CLI's actor scope names the OS user).
      audit::AuditLog log(*node->store, node->identity);
      INBEELD_RETURN_IF_ERROR(log.Append({audit::EventRecord(
          node->clock(), "inbeeld.report.quarterly", true,
          {{"inbeeld.report.quarter", report::QuarterLabel(quarterly_report->quarter)},
           {"inbeeld.report.reference_date", schema::FormatIso(reference)},
           {"inbeeld.count.rows", std::to_string(quarterly_report->rows.size())},
           {"inbeeld.report.csv", options->csv.empty() ? "no" : "yes"}})}));
      if (global.json) {
        *context.out << QuarterlyJson(*quarterly_report).dump(2) << "\n";
        return {};
      }
      PrintQuarterly(*context.out, *quarterly_report);
      if (!options->csv.empty()) {
        *context.out << fmt::format("Wrote {} rows to {}\n", quarterly_report->rows.size(),
                                    options->csv);
      }
      return {};
    };
  });
}

}  // namespace inbeeld::node::cli
