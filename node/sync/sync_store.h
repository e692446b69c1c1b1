// node/sync/sync_store.h — the SQL of node/sync/: the sync runs, each run's
// peer outcomes, and the overview's reads of the exchange results.
//
// Tables (node/store/store.cc): sync_runs (one row a run: when it started and
// finished, its purpose, the list version it used) and sync_run_peers (one
// row per run and peer: the outcome, the session it recorded, why it failed;
// deleted with its run). The overview's reads join sessions and
// session_pairs, which exchange::ResultsStore writes; nothing here writes
// them. No row holds an identifier or a name: a child is its subject
// pseudonym.
//
// Every method is one statement and runs in the caller's transaction, if
// any; none opens one. Errors: the store's (SqliteError) unless a method
// says otherwise.
//
// Thread safety: as the Store it wraps (one thread at a time).
#ifndef INBEELD_NODE_SYNC_SYNC_STORE_H_
#define INBEELD_NODE_SYNC_SYNC_STORE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "node/store/store.h"
#include "schema/wire.h"

namespace inbeeld::node::sync {

// A sync_runs row.
struct StoredSyncRun {
  int64_t id = 0;
  std::string started_at;   // ISO 8601 UTC
  std::string finished_at;  // "" while the run is going on (or was cut short)
  std::string purpose;
  int64_t list_version = 0;
};

// A sync_run_peers row.
struct StoredPeerOutcome {
  std::string peer;
  std::string status;  // "completed" | "failed" | "refused" | "skipped"
  std::string mode;    // "match" | "count"
  // The session the exchange recorded; absent when none was, or when the
  // stored id is not a session id's length.
  std::optional<schema::wire::SessionId> session_id;
  std::string error;  // "" when there is none (stored as NULL)
};

// One pair of a peer's latest completed match session (either role).
struct LatestPair {
  std::string peer;
  std::array<uint8_t, 32> subject{};  // all zero if the stored subject is malformed
  schema::wire::Labels labels;        // the peer's labels, as stored
  // A certain or probable pair, or a possible pair an operator confirmed.
  bool same_child = false;
  bool rejected = false;  // a possible pair an operator rejected
};

// The earliest completed session with `peer` in which `subject` was the
// same child (see LatestPair::same_child).
struct FirstMatch {
  std::string peer;
  std::array<uint8_t, 32> subject{};  // all zero if the stored subject is malformed
  std::string started_at;             // ISO 8601 UTC
};

class SyncStore {
 public:
  explicit SyncStore(Store& store) : store_(store) {}

  // Numbers a new run (finished_at unset) and returns its id. kInternal if
  // the insert returns no id.
  Result<int64_t> BeginRun(const std::string& started_at, const std::string& purpose,
                           int64_t list_version);
  // Records one peer's outcome in run `run_id`. With `replace` (a retry) it
  // takes the place of the peer's earlier outcome in that run; without, a
  // second outcome for the same peer and run fails (primary key).
  Status RecordPeer(int64_t run_id, const StoredPeerOutcome& outcome, bool replace);
  // Sets the run's finished_at (again, after a retry).
  Status MarkFinished(int64_t run_id, const std::string& finished_at);

  // Run `run_id` without its finished_at, or nullopt when there is no such
  // run (never made, or deleted by retention).
  Result<std::optional<StoredSyncRun>> Run(int64_t run_id);
  // The largest run id, or 0 before the first run.
  Result<int64_t> LatestRunId();
  // The most recent runs, newest (largest id) first, at most `limit`.
  Result<std::vector<StoredSyncRun>> RecentRuns(size_t limit);
  // The peer outcomes of run `run_id`, in the order they were recorded: a
  // retried peer's outcome is recorded anew, after the others.
  Result<std::vector<StoredPeerOutcome>> PeersOf(int64_t run_id);

  // For the overview (overview.h). The pairs of each peer's latest completed
  // match session (by finished_at, then insertion), in no particular order.
  // kDataLoss when a pair's category is unknown or its date unreadable.
  Result<std::vector<LatestPair>> LatestMatchPairs();
  // For every peer and subject that was the same child in some completed
  // session, that session's start (the earliest), in no particular order.
  Result<std::vector<FirstMatch>> FirstMatches();
  // Peers with a completed match session, in name order.
  Result<std::vector<std::string>> MatchPartners();

 private:
  Store& store_;
};

}  // namespace inbeeld::node::sync

#endif  // INBEELD_NODE_SYNC_SYNC_STORE_H_
