// node/retention/retention_store.h — the SQL of node/retention/: counting
// and deleting what has expired, and compacting the file afterwards.
//
// Tables (node/store/store.cc): list_versions (their list_rows go with them,
// ON DELETE CASCADE), sessions (with session_pairs), sync_runs (with
// sync_run_peers) and region_sessions. A cut-off is an ISO 8601 UTC
// timestamp compared as text with the row's imported_at or started_at (both
// written by NowIso, so text order is time order); a row exactly at the
// cut-off stays.
//
// Errors: the store's (SqliteError); a failed statement inside InTransaction
// rolls the whole transaction back.
//
// Thread safety: as the Store it wraps (one thread at a time).
#ifndef INBEELD_NODE_RETENTION_RETENTION_STORE_H_
#define INBEELD_NODE_RETENTION_RETENTION_STORE_H_

#include <cstdint>
#include <functional>
#include <string>

#include "base/error.h"
#include "node/store/store.h"

namespace inbeeld::node::retention {

class RetentionStore {
 public:
  explicit RetentionStore(Store& store) : store_(store) {}

  // Runs `body` in a transaction of its own (BEGIN IMMEDIATE), committed if
  // it succeeds and rolled back otherwise.
  Status InTransaction(const std::function<Status()>& body);

  // The list versions imported before `cutoff`, except the current (newest)
  // one, which is never expired. REQUIRES: a transaction (InTransaction), so
  // the count and the delete see the same versions.
  Result<int64_t> CountExpiredListRows(const std::string& cutoff);
  Result<int64_t> DeleteExpiredListVersions(const std::string& cutoff);  // with their rows
  // Exchange sessions (either role, with their pairs) started before
  // `cutoff`, unless still running.
  Result<int64_t> DeleteFinishedSessions(const std::string& cutoff);
  // Sync runs started before `cutoff` (with their peer outcomes).
  Result<int64_t> DeleteSyncRuns(const std::string& cutoff);
  // Regional count sessions started before `cutoff`, unless still running.
  Result<int64_t> DeleteFinishedRegionSessions(const std::string& cutoff);
  // Each Delete returns the number of rows deleted from its own table.

  // VACUUM: the freed pages leave the file. REQUIRES: no transaction open.
  Status Compact();

 private:
  Store& store_;
};

}  // namespace inbeeld::node::retention

#endif  // INBEELD_NODE_RETENTION_RETENTION_STORE_H_
