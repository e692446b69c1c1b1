#include "node/retention/retention_store.h"

#include <fmt/format.h>

#include "node/store/sqlite_util.h"

namespace inbeeld::node::retention {
namespace {

// The expired list versions: older than ?1, and not the newest.
constexpr const char* kExpiredVersions =
    "FROM list_versions WHERE imported_at < ?1 AND id <> (SELECT MAX(id) FROM list_versions)";

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

Status RetentionStore::InTransaction(const std::function<Status()>& body) {
  auto tx = Transaction::Begin(store_.handle());
  if (!tx) return std::unexpected(tx.error());
  INBEELD_RETURN_IF_ERROR(body());
  return tx->Commit();
}

Result<int64_t> RetentionStore::CountExpiredListRows(const std::string& cutoff) {
  return Count(store_,
               fmt::format("SELECT COUNT(*) FROM list_rows WHERE version_id IN (SELECT id {})",
                           kExpiredVersions)
                   .c_str(),
               cutoff);
}

Result<int64_t> RetentionStore::DeleteExpiredListVersions(const std::string& cutoff) {
  return Delete(store_, fmt::format("DELETE {}", kExpiredVersions).c_str(), cutoff);
}

Result<int64_t> RetentionStore::DeleteFinishedSessions(const std::string& cutoff) {
  return Delete(store_, "DELETE FROM sessions WHERE started_at < ? AND status <> 'running'",
                cutoff);
}

Result<int64_t> RetentionStore::DeleteSyncRuns(const std::string& cutoff) {
  return Delete(store_, "DELETE FROM sync_runs WHERE started_at < ?", cutoff);
}

Result<int64_t> RetentionStore::DeleteFinishedRegionSessions(const std::string& cutoff) {
  return Delete(store_, "DELETE FROM region_sessions WHERE started_at < ? AND status <> 'running'",
                cutoff);
}

Status RetentionStore::Compact() { return Exec(store_.handle(), "VACUUM"); }

}  // namespace inbeeld::node::retention
