// `inbeeld purge`: apply [retention] now, audited, then compact the store.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "node/cli/commands.h"
#include "node/retention/retention.h"

namespace inbeeld::node::cli {

void AddPurgeCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner) {
  auto as_of = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "purge",
      "Delete list versions (never the current one), session results, sync runs and regional "
      "counts older than [retention] allows; record the purge in the audit log; compact the "
      "database. `serve` does this every [sync] purge_every_hours.");
  AddCommonOptions(cmd, global, /*with_json=*/true);
  cmd->add_option("--as-of", *as_of,
                  "Apply the retention as of this date (dd-mm-jjjj or jjjj-mm-dd, 00:00 UTC) "
                  "instead of now; a later date deletes data early");
  cmd->callback([&, as_of] {
    runner = [&, as_of]() -> Status {
      auto now = context.clock.Now();
      if (!as_of->empty()) {
        auto date = schema::ParseDate(*as_of);
        if (!date) return std::unexpected(WithContext(date.error(), "--as-of"));
        now =
            std::chrono::system_clock::time_point(std::chrono::days(schema::DaysSinceEpoch(*date)));
      }
      auto node = OpenNode(global, context);
      if (!node) return std::unexpected(node.error());
      auto report = retention::Purge(*node, now);
      if (!report) return std::unexpected(report.error());
      if (global.json) {
        nlohmann::json j = {{"as_of", report->as_of},
                            {"list_cutoff", report->list_cutoff},
                            {"results_cutoff", report->results_cutoff},
                            {"deleted",
                             {{"list_versions", report->list_versions},
                              {"list_rows", report->list_rows},
                              {"sessions", report->sessions},
                              {"sync_runs", report->sync_runs},
                              {"region_sessions", report->region_sessions}}},
                            {"audit_records_redacted", report->audit_records_redacted}};
        *context.out << j.dump(2) << "\n";
      } else {
        *context.out << fmt::format(
            "Purged as of {}: {} list versions ({} rows) imported before {}; {} sessions, {} sync "
            "runs and {} regional counts started before {}. {}\n",
            report->as_of, report->list_versions, report->list_rows, report->list_cutoff,
            report->sessions, report->sync_runs, report->region_sessions, report->results_cutoff,
            report->compacted ? "Database compacted." : "Compaction postponed (database busy).");
        if (report->audit_records_redacted > 0) {
          *context.out << fmt::format(
              "{} audit records past [retention] audit_days were redacted: their content is gone, "
              "their hashes stay so the log still verifies.\n",
              report->audit_records_redacted);
        }
      }
      return {};
    };
  });
}

}  // namespace inbeeld::node::cli
