#include "node/region/sync.h"

#include <fmt/format.h>

#include <algorithm>

#include "node/sqlite_util.h"
#include "node/timestamp.h"

namespace inbeeld::node::region {
namespace {

bool IsRefusal(ErrorCode code) {
  return code == ErrorCode::kPermissionDenied || code == ErrorCode::kResourceExhausted;
}

Status RecordPeer(Store& store, int64_t run_id, const PeerSyncOutcome& outcome) {
  auto s = Statement::Prepare(store.handle(),
                              "INSERT INTO sync_run_peers(run_id, peer, status, mode, session_id, "
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

}  // namespace

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
    PeerSyncOutcome outcome;
    outcome.peer = peer.name;
    outcome.mode = peer.policy.count_only ? "count" : "match";
    const auto& allowed = peer.policy.allowed_purposes;
    if (std::find(allowed.begin(), allowed.end(), report.purpose) == allowed.end()) {
      outcome.status = "skipped";
      outcome.message = "purpose not allowed for this peer";
    } else {
      exchange::MatchRequest request;
      request.peer = peer.name;
      request.purpose = report.purpose;
      request.mode =
          peer.policy.count_only ? schema::wire::Mode::kCount : schema::wire::Mode::kMatch;
      request.client = options.client;
      request.threads = options.threads;
      auto match = exchange::RunMatch(node, request);
      if (match) {
        outcome.status = "completed";
        outcome.session = match->session;
      } else {
        outcome.status = IsRefusal(match.error().code) ? "refused" : "failed";
        outcome.code = match.error().code;
        outcome.message = match.error().message;
      }
    }
    INBEELD_RETURN_IF_ERROR(RecordPeer(*node.store, report.run_id, outcome));
    report.peers.push_back(std::move(outcome));
  }

  report.finished_at = NowIso(node.clock());
  auto done = Statement::Prepare(node.store->handle(),
                                 "UPDATE sync_runs SET finished_at = ? WHERE id = ?");
  if (!done) return std::unexpected(done.error());
  INBEELD_RETURN_IF_ERROR(done->Bind(1, report.finished_at));
  INBEELD_RETURN_IF_ERROR(done->Bind(2, report.run_id));
  INBEELD_RETURN_IF_ERROR(done->Run());
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

}  // namespace inbeeld::node::region
