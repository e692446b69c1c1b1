#include "node/retention/retention.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "node/audit/audit_log.h"
#include "node/audit/exchange_records.h"
#include "node/clock/timestamp.h"
#include "node/retention/retention_store.h"

namespace inbeeld::node::retention {

Result<PurgeReport> Purge(UnlockedNode& node, std::chrono::system_clock::time_point now) {
  using days = std::chrono::days;
  const auto& r = node.config.retention;
  PurgeReport report;
  report.as_of = IsoUtc(now);
  report.list_cutoff = IsoUtc(now - days(r.list_versions_days));
  report.results_cutoff = IsoUtc(now - days(r.results_days));
  const int64_t audit_cutoff_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                      (now - days(r.audit_days)).time_since_epoch())
                                      .count();
  Store& store = *node.store;
  RetentionStore expired(store);
  INBEELD_RETURN_IF_ERROR(expired.InTransaction([&]() -> Status {
    auto rows = expired.CountExpiredListRows(report.list_cutoff);
    if (!rows) return std::unexpected(rows.error());
    report.list_rows = *rows;
    auto versions = expired.DeleteExpiredListVersions(report.list_cutoff);
    if (!versions) return std::unexpected(versions.error());
    report.list_versions = *versions;
    auto sessions = expired.DeleteFinishedSessions(report.results_cutoff);
    if (!sessions) return std::unexpected(sessions.error());
    report.sessions = *sessions;
    auto runs = expired.DeleteSyncRuns(report.results_cutoff);
    if (!runs) return std::unexpected(runs.error());
    report.sync_runs = *runs;
    auto regional = expired.DeleteFinishedRegionSessions(report.results_cutoff);
    if (!regional) return std::unexpected(regional.error());
    report.region_sessions = *regional;
    audit::AuditLog log(store, node.identity);
    auto redacted = log.RedactBeforeInTransaction(audit_cutoff_ms);
    if (!redacted) return std::unexpected(redacted.error());
    report.audit_records_redacted = static_cast<int64_t>(*redacted);

    return log.AppendInTransaction({audit::EventRecord(
        node.clock(), "inbeeld.purge", true,
        {{"inbeeld.purge.as_of", report.as_of},
         {"inbeeld.purge.list_cutoff", report.list_cutoff},
         {"inbeeld.purge.results_cutoff", report.results_cutoff},
         {"inbeeld.purge.list_versions", std::to_string(report.list_versions)},
         {"inbeeld.purge.list_rows", std::to_string(report.list_rows)},
         {"inbeeld.purge.sessions", std::to_string(report.sessions)},
         {"inbeeld.purge.sync_runs", std::to_string(report.sync_runs)},
         {"inbeeld.purge.region_sessions", std::to_string(report.region_sessions)},
         {"inbeeld.purge.audit_records_redacted",
          std::to_string(report.audit_records_redacted)}})});
  }));
  // Outside the transaction: VACUUM cannot run inside one. The purge itself
  // is committed; a failed compaction (busy, disk nearly full) is reported,
  // not treated as a failed purge, and is retried by the next purge.
  report.compacted = expired.Compact().has_value();
  return report;
}

}  // namespace inbeeld::node::retention
