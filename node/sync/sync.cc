#include "node/sync/sync.h"

#include <fmt/format.h>

#include <algorithm>

#include "node/clock/timestamp.h"
#include "node/store/sqlite_util.h"

namespace inbeeld::node::sync {
namespace {

bool IsRefusal(ErrorCode code) {
  return code == ErrorCode::kPermissionDenied || code == ErrorCode::kResourceExhausted;
}

// `replace`: a retry's outcome takes the place of the earlier one.
Status RecordPeer(Store& store, int64_t run_id, const PeerSyncOutcome& outcome, bool replace) {
  auto s = Statement::Prepare(store.handle(),
                              std::string(replace ? "INSERT OR REPLACE" : "INSERT") +
                                  " INTO sync_run_peers(run_id, peer, status, mode, session_id, "
                                  "error) VALUES(?,?,?,?,?,?)");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, run_id));
  INBEELD_RETURN_IF_ERROR(s->Bind(2, outcome.peer));
  INBEELD_RETURN_IF_ERROR(s->Bind(3, outcome.status));
  INBEELD_RETURN_IF_ERROR(s->Bind(4, outcome.mode));
  INBEELD_RETURN_IF_ERROR(outcome.session ? s->BindBlob(5, outcome.session->id) : s->BindNull(5));
  INBEELD_RETURN_IF_ERROR(outcome.message.empty() ? s->BindNull(6) : s->Bind(6, outcome.message));
  return s->Run();
}

// One peer's exchange for `purpose`, as an outcome: a peer that is down or
// refuses does not stop the others.
PeerSyncOutcome SyncPeer(UnlockedNode& node, const config::PeerConfig& peer,
                         const std::string& purpose, const SyncOptions& options) {
  PeerSyncOutcome outcome;
  outcome.peer = peer.name;
  outcome.mode = peer.policy.count_only ? "count" : "match";
  const auto& allowed = peer.policy.allowed_purposes;
  if (std::find(allowed.begin(), allowed.end(), purpose) == allowed.end()) {
    outcome.status = "skipped";
    outcome.message = "purpose not allowed for this peer";
    return outcome;
  }
  exchange::MatchRequest request;
  request.peer = peer.name;
  request.purpose = purpose;
  request.mode = peer.policy.count_only ? schema::wire::Mode::kCount : schema::wire::Mode::kMatch;
  request.client = options.client;
  request.threads = options.threads;
  auto match =
      options.exchange ? options.exchange(node, request) : exchange::RunMatch(node, request);
  if (match) {
    outcome.status = "completed";
    outcome.session = match->session;
  } else {
    outcome.status = IsRefusal(match.error().code) ? "refused" : "failed";
    outcome.code = match.error().code;
    outcome.message = match.error().message;
  }
  return outcome;
}

Status MarkFinished(Store& store, int64_t run_id, const std::string& finished_at) {
  auto done =
      Statement::Prepare(store.handle(), "UPDATE sync_runs SET finished_at = ? WHERE id = ?");
  if (!done) return std::unexpected(done.error());
  INBEELD_RETURN_IF_ERROR(done->Bind(1, finished_at));
  INBEELD_RETURN_IF_ERROR(done->Bind(2, run_id));
  return done->Run();
}

}  // namespace

bool PeerSyncOutcome::PeerWasDown() const {
  return status == "failed" && code &&
         (*code == ErrorCode::kUnavailable || *code == ErrorCode::kDeadlineExceeded);
}

size_t SyncReport::failures() const {
  return static_cast<size_t>(std::count_if(peers.begin(), peers.end(), [](const auto& p) {
    return p.status == "failed" || p.status == "refused";
  }));
}

Result<SyncReport> RunSync(UnlockedNode& node, const SyncOptions& options) {
  SyncReport report;
  report.purpose = options.purpose.empty() ? node.config.sync.purpose : options.purpose;
  if (report.purpose.empty()) {
    return Fail(ErrorCode::kFailedPrecondition,
                "no sync purpose: set [sync] purpose in inbeeld.toml or pass --purpose");
  }
  if (node.config.FindActivity(report.purpose) == nullptr) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("purpose \"{}\" is not in the register of processing activities",
                            report.purpose));
  }
  auto current = node.store->CurrentVersion();
  if (!current) return std::unexpected(current.error());
  if (!*current) {
    return Fail(ErrorCode::kFailedPrecondition, "no list imported yet (see `inbeeld import`)");
  }
  report.list_version = (*current)->id;
  report.started_at = NowIso(node.clock());
  {
    auto s = Statement::Prepare(
        node.store->handle(),
        "INSERT INTO sync_runs(started_at, purpose, list_version) VALUES(?,?,?) RETURNING id");
    if (!s) return std::unexpected(s.error());
    INBEELD_RETURN_IF_ERROR(s->Bind(1, report.started_at));
    INBEELD_RETURN_IF_ERROR(s->Bind(2, report.purpose));
    INBEELD_RETURN_IF_ERROR(s->Bind(3, report.list_version));
    auto row = s->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return Fail(ErrorCode::kInternal, "sync run was not numbered");
    report.run_id = s->ColumnInt(0);
  }

  for (const config::PeerConfig& peer : node.config.peers) {
    PeerSyncOutcome outcome = SyncPeer(node, peer, report.purpose, options);
    INBEELD_RETURN_IF_ERROR(RecordPeer(*node.store, report.run_id, outcome, /*replace=*/false));
    report.peers.push_back(std::move(outcome));
  }

  report.finished_at = NowIso(node.clock());
  INBEELD_RETURN_IF_ERROR(MarkFinished(*node.store, report.run_id, report.finished_at));
  return report;
}

Result<SyncReport> RetrySync(UnlockedNode& node, int64_t run_id,
                             const std::vector<std::string>& peers, const SyncOptions& options) {
  SyncReport report;
  report.run_id = run_id;
  {
    auto s = Statement::Prepare(node.store->handle(),
                                "SELECT started_at, purpose, list_version FROM sync_runs "
                                "WHERE id = ?");
    if (!s) return std::unexpected(s.error());
    INBEELD_RETURN_IF_ERROR(s->Bind(1, run_id));
    auto row = s->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return Fail(ErrorCode::kNotFound, fmt::format("sync run {} is gone", run_id));
    report.started_at = s->ColumnText(0);
    report.purpose = s->ColumnText(1);
    report.list_version = s->ColumnInt(2);
  }
  {
    auto latest = Statement::Prepare(node.store->handle(), "SELECT MAX(id) FROM sync_runs");
    if (!latest) return std::unexpected(latest.error());
    auto row = latest->Step();
    if (!row) return std::unexpected(row.error());
    if (latest->ColumnInt(0) != run_id) {
      return Fail(ErrorCode::kFailedPrecondition,
                  fmt::format("sync run {} is no longer the latest", run_id));
    }
  }
  auto current = node.store->CurrentVersion();
  if (!current) return std::unexpected(current.error());
  if (!*current || (*current)->id != report.list_version) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("a new list was imported since sync run {}", run_id));
  }
  for (const config::PeerConfig& peer : node.config.peers) {
    if (std::find(peers.begin(), peers.end(), peer.name) == peers.end()) continue;
    PeerSyncOutcome outcome = SyncPeer(node, peer, report.purpose, options);
    INBEELD_RETURN_IF_ERROR(RecordPeer(*node.store, run_id, outcome, /*replace=*/true));
    report.peers.push_back(std::move(outcome));
  }
  report.finished_at = NowIso(node.clock());
  INBEELD_RETURN_IF_ERROR(MarkFinished(*node.store, run_id, report.finished_at));
  return report;
}

Result<std::vector<SyncReport>> RecentSyncRuns(Store& store, size_t limit) {
  std::vector<SyncReport> runs;
  auto s = Statement::Prepare(store.handle(),
                              "SELECT id, started_at, COALESCE(finished_at, ''), purpose, "
                              "list_version FROM sync_runs ORDER BY id DESC LIMIT ?");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, static_cast<int64_t>(limit)));
  for (;;) {
    auto row = s->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    SyncReport r;
    r.run_id = s->ColumnInt(0);
    r.started_at = s->ColumnText(1);
    r.finished_at = s->ColumnText(2);
    r.purpose = s->ColumnText(3);
    r.list_version = s->ColumnInt(4);
    runs.push_back(std::move(r));
  }
  exchange::ResultsStore results(store);
  for (SyncReport& r : runs) {
    auto p = Statement::Prepare(store.handle(),
                                "SELECT peer, status, mode, session_id, COALESCE(error, '') FROM "
                                "sync_run_peers WHERE run_id = ? ORDER BY rowid");
    if (!p) return std::unexpected(p.error());
    INBEELD_RETURN_IF_ERROR(p->Bind(1, r.run_id));
    for (;;) {
      auto row = p->Step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      PeerSyncOutcome o;
      o.peer = p->ColumnText(0);
      o.status = p->ColumnText(1);
      o.mode = p->ColumnText(2);
      o.message = p->ColumnText(4);
      if (!p->ColumnIsNull(3)) {
        auto blob = p->ColumnBlob(3);
        schema::wire::SessionId id{};
        if (blob.size() == id.size()) {
          std::copy(blob.begin(), blob.end(), id.begin());
          // A session purged by retention leaves the outcome without details.
          if (auto session = results.Get(id)) o.session = *session;
        }
      }
      r.peers.push_back(std::move(o));
    }
  }
  return runs;
}

}  // namespace inbeeld::node::sync
