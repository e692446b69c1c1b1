#include "node/sync/sync_store.h"

#include <algorithm>
#include <span>

#include "node/store/sqlite_util.h"

namespace inbeeld::node::sync {
namespace {

std::array<uint8_t, 32> ToSubject(std::span<const uint8_t> blob) {
  std::array<uint8_t, 32> s{};
  if (blob.size() == s.size()) std::copy(blob.begin(), blob.end(), s.begin());
  return s;
}

}  // namespace

Result<int64_t> SyncStore::BeginRun(const std::string& started_at, const std::string& purpose,
                                    int64_t list_version) {
  auto s = Statement::Prepare(
      store_.handle(),
      "INSERT INTO sync_runs(started_at, purpose, list_version) VALUES(?,?,?) RETURNING id");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, started_at));
  INBEELD_RETURN_IF_ERROR(s->Bind(2, purpose));
  INBEELD_RETURN_IF_ERROR(s->Bind(3, list_version));
  auto row = s->Step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return Fail(ErrorCode::kInternal, "sync run was not numbered");
  return s->ColumnInt(0);
}

Status SyncStore::RecordPeer(int64_t run_id, const StoredPeerOutcome& outcome, bool replace) {
  auto s = Statement::Prepare(store_.handle(),
                              std::string(replace ? "INSERT OR REPLACE" : "INSERT") +
                                  " INTO sync_run_peers(run_id, peer, status, mode, session_id, "
                                  "error) VALUES(?,?,?,?,?,?)");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, run_id));
  INBEELD_RETURN_IF_ERROR(s->Bind(2, outcome.peer));
  INBEELD_RETURN_IF_ERROR(s->Bind(3, outcome.status));
  INBEELD_RETURN_IF_ERROR(s->Bind(4, outcome.mode));
  INBEELD_RETURN_IF_ERROR(outcome.session_id ? s->BindBlob(5, *outcome.session_id)
                                             : s->BindNull(5));
  INBEELD_RETURN_IF_ERROR(outcome.error.empty() ? s->BindNull(6) : s->Bind(6, outcome.error));
  return s->Run();
}

Status SyncStore::MarkFinished(int64_t run_id, const std::string& finished_at) {
  auto done =
      Statement::Prepare(store_.handle(), "UPDATE sync_runs SET finished_at = ? WHERE id = ?");
  if (!done) return std::unexpected(done.error());
  INBEELD_RETURN_IF_ERROR(done->Bind(1, finished_at));
  INBEELD_RETURN_IF_ERROR(done->Bind(2, run_id));
  return done->Run();
}

Result<std::optional<StoredSyncRun>> SyncStore::Run(int64_t run_id) {
  auto s = Statement::Prepare(store_.handle(),
                              "SELECT started_at, purpose, list_version FROM sync_runs "
                              "WHERE id = ?");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, run_id));
  auto row = s->Step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<StoredSyncRun>();
  StoredSyncRun run;
  run.id = run_id;
  run.started_at = s->ColumnText(0);
  run.purpose = s->ColumnText(1);
  run.list_version = s->ColumnInt(2);
  return run;
}

Result<int64_t> SyncStore::LatestRunId() {
  auto latest = Statement::Prepare(store_.handle(), "SELECT MAX(id) FROM sync_runs");
  if (!latest) return std::unexpected(latest.error());
  auto row = latest->Step();
  if (!row) return std::unexpected(row.error());
  return latest->ColumnInt(0);
}

Result<std::vector<StoredSyncRun>> SyncStore::RecentRuns(size_t limit) {
  std::vector<StoredSyncRun> runs;
  auto s = Statement::Prepare(store_.handle(),
                              "SELECT id, started_at, COALESCE(finished_at, ''), purpose, "
                              "list_version FROM sync_runs ORDER BY id DESC LIMIT ?");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, static_cast<int64_t>(limit)));
  for (;;) {
    auto row = s->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    StoredSyncRun r;
    r.id = s->ColumnInt(0);
    r.started_at = s->ColumnText(1);
    r.finished_at = s->ColumnText(2);
    r.purpose = s->ColumnText(3);
    r.list_version = s->ColumnInt(4);
    runs.push_back(std::move(r));
  }
  return runs;
}

Result<std::vector<StoredPeerOutcome>> SyncStore::PeersOf(int64_t run_id) {
  auto p = Statement::Prepare(store_.handle(),
                              "SELECT peer, status, mode, session_id, COALESCE(error, '') FROM "
                              "sync_run_peers WHERE run_id = ? ORDER BY rowid");
  if (!p) return std::unexpected(p.error());
  INBEELD_RETURN_IF_ERROR(p->Bind(1, run_id));
  std::vector<StoredPeerOutcome> out;
  for (;;) {
    auto row = p->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    StoredPeerOutcome o;
    o.peer = p->ColumnText(0);
    o.status = p->ColumnText(1);
    o.mode = p->ColumnText(2);
    o.error = p->ColumnText(4);
    if (!p->ColumnIsNull(3)) {
      auto blob = p->ColumnBlobView(3);
      schema::wire::SessionId id{};
      if (blob.size() == id.size()) {
        std::copy(blob.begin(), blob.end(), id.begin());
        o.session_id = id;
      }
    }
    out.push_back(std::move(o));
  }
  return out;
}

Result<std::vector<LatestPair>> SyncStore::LatestMatchPairs() {
  auto s = Statement::Prepare(
      store_.handle(),
      "SELECT s.peer, m.subject, m.peer_category, m.peer_since, m.peer_school, m.peer_plan, "
      "(m.strength <> 'possible' OR m.decision IS 'confirmed'), m.decision IS 'rejected' "
      "FROM sessions s JOIN session_pairs m ON m.session_id = s.id "
      "WHERE s.rowid = (SELECT t.rowid FROM sessions t WHERE t.peer = s.peer AND "
      "t.status = 'completed' AND t.mode = 'match' ORDER BY t.finished_at DESC, t.rowid DESC "
      "LIMIT 1)");
  if (!s) return std::unexpected(s.error());
  std::vector<LatestPair> out;
  for (;;) {
    auto row = s->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    LatestPair pair;
    pair.peer = s->ColumnText(0);
    if (!s->ColumnIsNull(2)) {
      int64_t c = s->ColumnInt(2);
      if (c < 0 || c > 3) return Fail(ErrorCode::kDataLoss, "stored match has an unknown category");
      pair.labels.category = static_cast<schema::Category>(c);
    }
    if (!s->ColumnIsNull(3)) {
      auto d = schema::ParseDate(s->ColumnText(3));
      if (!d) return Fail(ErrorCode::kDataLoss, "stored match has an unreadable date");
      pair.labels.since = *d;
    }
    if (!s->ColumnIsNull(4)) pair.labels.school = s->ColumnText(4);
    if (!s->ColumnIsNull(5)) pair.labels.plan = s->ColumnInt(5) != 0;
    pair.subject = ToSubject(s->ColumnBlobView(1));
    pair.same_child = s->ColumnInt(6) != 0;
    pair.rejected = s->ColumnInt(7) != 0;
    out.push_back(std::move(pair));
  }
  return out;
}

Result<std::vector<FirstMatch>> SyncStore::FirstMatches() {
  auto f = Statement::Prepare(
      store_.handle(),
      "SELECT s.peer, m.subject, MIN(s.started_at) FROM sessions s JOIN session_pairs m "
      "ON m.session_id = s.id WHERE s.status = 'completed' AND "
      "(m.strength <> 'possible' OR m.decision IS 'confirmed') GROUP BY s.peer, m.subject");
  if (!f) return std::unexpected(f.error());
  std::vector<FirstMatch> out;
  for (;;) {
    auto row = f->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back({f->ColumnText(0), ToSubject(f->ColumnBlobView(1)), f->ColumnText(2)});
  }
  return out;
}

Result<std::vector<std::string>> SyncStore::MatchPartners() {
  auto p = Statement::Prepare(store_.handle(),
                              "SELECT DISTINCT peer FROM sessions WHERE status = 'completed' "
                              "AND mode = 'match' ORDER BY peer");
  if (!p) return std::unexpected(p.error());
  std::vector<std::string> out;
  for (;;) {
    auto row = p->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back(p->ColumnText(0));
  }
  return out;
}

}  // namespace inbeeld::node::sync
