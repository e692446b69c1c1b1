#include "node/sync/sync.h"

#include <fmt/format.h>

#include <algorithm>

#include "node/clock/timestamp.h"
#include "node/sync/sync_store.h"

namespace inbeeld::node::sync {
namespace {

bool IsRefusal(ErrorCode code) {
  return code == ErrorCode::kPermissionDenied || code == ErrorCode::kResourceExhausted;
}

// `replace`: a retry's outcome takes the place of the earlier one.
Status RecordPeer(Store& store, int64_t run_id, const PeerSyncOutcome& outcome, bool replace) {
  StoredPeerOutcome stored;
  stored.peer = outcome.peer;
  stored.status = outcome.status;
  stored.mode = outcome.mode;
  if (outcome.session) stored.session_id = outcome.session->id;
  stored.error = outcome.message;
  return SyncStore(store).RecordPeer(run_id, stored, replace);
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
  request.session_ended = options.session_ended;
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
  SyncStore runs(*node.store);
  auto run_id = runs.BeginRun(report.started_at, report.purpose, report.list_version);
  if (!run_id) return std::unexpected(run_id.error());
  report.run_id = *run_id;

  for (const config::PeerConfig& peer : node.config.peers) {
    PeerSyncOutcome outcome = SyncPeer(node, peer, report.purpose, options);
    INBEELD_RETURN_IF_ERROR(RecordPeer(*node.store, report.run_id, outcome, /*replace=*/false));
    report.peers.push_back(std::move(outcome));
  }

  report.finished_at = NowIso(node.clock());
  INBEELD_RETURN_IF_ERROR(runs.MarkFinished(report.run_id, report.finished_at));
  return report;
}

Result<SyncReport> RetrySync(UnlockedNode& node, int64_t run_id,
                             const std::vector<std::string>& peers, const SyncOptions& options) {
  SyncReport report;
  report.run_id = run_id;
  SyncStore runs(*node.store);
  {
    auto run = runs.Run(run_id);
    if (!run) return std::unexpected(run.error());
    if (!*run) return Fail(ErrorCode::kNotFound, fmt::format("sync run {} is gone", run_id));
    report.started_at = (*run)->started_at;
    report.purpose = (*run)->purpose;
    report.list_version = (*run)->list_version;
  }
  {
    auto latest = runs.LatestRunId();
    if (!latest) return std::unexpected(latest.error());
    if (*latest != run_id) {
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
  INBEELD_RETURN_IF_ERROR(runs.MarkFinished(run_id, report.finished_at));
  return report;
}

Result<std::vector<SyncReport>> RecentSyncRuns(Store& store, size_t limit) {
  SyncStore sync_store(store);
  auto stored = sync_store.RecentRuns(limit);
  if (!stored) return std::unexpected(stored.error());
  std::vector<SyncReport> runs;
  for (StoredSyncRun& s : *stored) {
    SyncReport r;
    r.run_id = s.id;
    r.started_at = std::move(s.started_at);
    r.finished_at = std::move(s.finished_at);
    r.purpose = std::move(s.purpose);
    r.list_version = s.list_version;
    runs.push_back(std::move(r));
  }
  exchange::ResultsStore results(store);
  for (SyncReport& r : runs) {
    auto peers = sync_store.PeersOf(r.run_id);
    if (!peers) return std::unexpected(peers.error());
    for (StoredPeerOutcome& p : *peers) {
      PeerSyncOutcome o;
      o.peer = std::move(p.peer);
      o.status = std::move(p.status);
      o.mode = std::move(p.mode);
      o.message = std::move(p.error);
      // A session purged by retention leaves the outcome without details.
      if (p.session_id) {
        if (auto session = results.Get(*p.session_id)) o.session = *session;
      }
      r.peers.push_back(std::move(o));
    }
  }
  return runs;
}

}  // namespace inbeeld::node::sync
