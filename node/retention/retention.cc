#include "node/retention/retention.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "node/audit/audit_log.h"
#include "node/audit/exchange_records.h"
#include "node/clock/timestamp.h"
#include "node/store/sqlite_util.h"

namespace inbeeld::node::retention {
namespace {

// Runs a DELETE with one text parameter; returns the number of rows deleted.
Result<int64_t> Delete(Store& store, const char* sql, const std::string& arg) {
  auto s = Statement::Prepare(store.handle(), sql);
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, arg));
  INBEELD_RETURN_IF_ERROR(s->Run());
  return Changes(store.handle());
}

Result<int64_t> Count(Store& store, const char* sql, const std::string& arg) {
  auto s = Statement::Prepare(store.handle(), sql);
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, arg));
  auto row = s->Step();
  if (!row) return std::unexpected(row.error());
  return *row ? s->ColumnInt(0) : 0;
}

}  // namespace

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
  {
    auto tx = Transaction::Begin(store.handle());
    if (!tx) return std::unexpected(tx.error());
    const char* expired_versions =
        "FROM list_versions WHERE imported_at < ?1 AND id <> (SELECT MAX(id) FROM list_versions)";
    auto rows =
        Count(store,
              fmt::format("SELECT COUNT(*) FROM list_rows WHERE version_id IN (SELECT id {})",
                          expired_versions)
                  .c_str(),
              report.list_cutoff);
    if (!rows) return std::unexpected(rows.error());
    report.list_rows = *rows;
    auto versions =
        Delete(store, fmt::format("DELETE {}", expired_versions).c_str(), report.list_cutoff);
    if (!versions) return std::unexpected(versions.error());
    report.list_versions = *versions;
    auto sessions =
        Delete(store, "DELETE FROM sessions WHERE started_at < ? AND status <> 'running'",
               report.results_cutoff);
    if (!sessions) return std::unexpected(sessions.error());
    report.sessions = *sessions;
    auto runs = Delete(store, "DELETE FROM sync_runs WHERE started_at < ?", report.results_cutoff);
    if (!runs) return std::unexpected(runs.error());
    report.sync_runs = *runs;
    auto regional =
        Delete(store, "DELETE FROM region_sessions WHERE started_at < ? AND status <> 'running'",
               report.results_cutoff);
    if (!regional) return std::unexpected(regional.error());
    report.region_sessions = *regional;
    audit::AuditLog log(store, node.identity);
    auto redacted = log.RedactBeforeInTransaction(audit_cutoff_ms);
    if (!redacted) return std::unexpected(redacted.error());
    report.audit_records_redacted = static_cast<int64_t>(*redacted);

    INBEELD_RETURN_IF_ERROR(log.AppendInTransaction({audit::EventRecord(
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
          std::to_string(report.audit_records_redacted)}})}));
    INBEELD_RETURN_IF_ERROR(tx->Commit());
  }
  // Outside the transaction: VACUUM cannot run inside one. The purge itself
  // is committed; a failed compaction (busy, disk nearly full) is reported,
  // not treated as a failed purge, and is retried by the next purge.
  report.compacted = Exec(store.handle(), "VACUUM").has_value();
  return report;
}

}  // namespace inbeeld::node::retention
