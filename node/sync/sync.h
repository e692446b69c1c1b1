// node/sync/sync.h — reconcile the current list with every partner.
//
// One sync run calls exchange::RunMatch once per configured peer whose policy
// allows the sync purpose (match mode; count mode for a count-only peer), in
// configuration order. A peer that is down, refuses, or fails does not stop
// the others: its outcome is recorded and the run moves on. Each exchange is
// witnessed, audited and stored by RunMatch itself; the run adds one row per
// run and per peer (sync_runs, sync_run_peers) so the overview can tell what
// changed since the previous run. RetrySync runs the exchange again with
// peers of an earlier run and records their new outcome in that run, so a
// peer that was down and came back does not split the run in two.
//
// Thread safety: uses the node's store; one call at a time per UnlockedNode.
#ifndef INBEELD_NODE_SYNC_SYNC_H_
#define INBEELD_NODE_SYNC_SYNC_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "node/datadir/node_dir.h"
#include "node/exchange/initiator.h"

namespace inbeeld::node::sync {

struct PeerSyncOutcome {
  std::string peer;
  std::string status;                              // "completed" | "failed" | "refused" | "skipped"
  std::string mode;                                // "match" | "count"
  std::optional<exchange::SessionRecord> session;  // when a session was recorded
  std::optional<ErrorCode> code;                   // for failed / refused
  std::string message;                             // why, for people; no identifiers

  // Failed because the peer could not be reached or was too slow: trying
  // again later may work (a refusal or a broken exchange will not).
  bool PeerWasDown() const;
};

struct SyncReport {
  int64_t run_id = 0;
  std::string purpose;
  int64_t list_version = 0;
  std::string started_at, finished_at;
  std::vector<PeerSyncOutcome> peers;
  // Peers attempted and not completed.
  size_t failures() const;
};

// One exchange with one peer. The seam between a sync and the network:
// exchange::RunMatch unless a test puts a fake peer here.
using PeerExchange =
    std::function<Result<exchange::MatchReport>(UnlockedNode&, const exchange::MatchRequest&)>;

struct SyncOptions {
  std::string purpose;  // empty: config.sync.purpose
  net::ClientOptions client;
  unsigned threads = 0;
  PeerExchange exchange;  // empty: exchange::RunMatch
  // Given to each peer's exchange (exchange::MatchRequest::session_ended).
  std::function<void(const audit::ExchangeAudit& audit, std::optional<ErrorCode> code)>
      session_ended;
};

// Errors (the run is then not recorded): kFailedPrecondition when no purpose
// is given or configured, or no list has been imported; kInvalidArgument when
// the purpose is not in the register. Per-peer failures are outcomes, not
// errors.
Result<SyncReport> RunSync(UnlockedNode& node, const SyncOptions& options);

// Runs run `run_id`'s purpose again with the configured peers named in
// `peers` (names no longer configured are left out) and replaces their
// outcomes in that run; the report holds the run with only those peers.
// options.purpose is not used. Errors (nothing is recorded then): kNotFound
// when the run is gone (retention); kFailedPrecondition when a newer run
// exists or a newer list was imported since the run (its results would mix
// two lists: the next sync covers the peers).
Result<SyncReport> RetrySync(UnlockedNode& node, int64_t run_id,
                             const std::vector<std::string>& peers, const SyncOptions& options);

// The most recent sync runs, newest first (at most `limit`).
Result<std::vector<SyncReport>> RecentSyncRuns(Store& store, size_t limit);

}  // namespace inbeeld::node::sync

#endif  // INBEELD_NODE_SYNC_SYNC_H_
