// node/region/session_store.h — the SQL of node/region/: one row a regional
// count this node took part in, as coordinator or participant.
//
// Table (node/store/store.cc): region_sessions — the count's id (16 bytes),
// this node's role, the coordinator's name, the purpose, how many nodes took
// part, when it started and finished (ISO 8601 UTC, the store's clock), its
// status ('running' until Finish, then 'completed' or 'failed'), why it
// failed, the list version and size this node brought, and, once completed,
// the figures. No row holds an identifier, a name or a pseudonym: only counts.
//
// Every method is one statement and runs in the caller's transaction, if
// any; none opens one. Errors: the store's (SqliteError) unless a method
// says otherwise.
//
// Thread safety: as the Store it wraps (one thread at a time).
#ifndef INBEELD_NODE_REGION_SESSION_STORE_H_
#define INBEELD_NODE_REGION_SESSION_STORE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/error.h"
#include "node/region/session.h"
#include "node/store/store.h"

namespace inbeeld::node::region {

// A count as it starts at this node.
struct StartedRegionCount {
  std::string id_hex;       // the session id, 32 hex digits
  std::string role;         // "coordinator" | "participant"
  std::string coordinator;  // the coordinator's node name
  std::string purpose;
  size_t participants = 0;  // nodes in the count, the coordinator included
  int64_t list_version = 0;
  uint32_t own_list_size = 0;  // groups in the list this node brings
};

// A completed count and when it finished.
struct DatedRegionalCounts {
  RegionalCounts counts;
  std::string finished_at;  // ISO 8601 UTC
};

class RegionSessionStore {
 public:
  explicit RegionSessionStore(Store& store) : store_(store) {}

  // Records a running count, started now. kInvalidArgument for an id that is
  // not hex; kFailedPrecondition ("region session id was used before") when a
  // count with this id is on record, whatever its status.
  Status Record(const StartedRegionCount& count);
  // Marks a running count finished now: completed with `counts`, or failed
  // (counts == nullptr) with `error` ("" stores none). A count that is not
  // running (finished before, or never recorded) is left as it is.
  // kInvalidArgument for an id that is not hex.
  Status Finish(const std::string& id_hex, const std::string& error, const RegionalCounts* counts);
  // How many counts coordinated by `coordinator` started at or after
  // `since` (ISO 8601 UTC), in any role and status: the daily limit's figure.
  Result<int64_t> CountStartedSince(const std::string& coordinator, const std::string& since);
  // The completed counts, newest first (by finished_at, then insertion), at
  // most `limit`. kDataLoss when a row's stored figures are unreadable.
  Result<std::vector<DatedRegionalCounts>> Completed(size_t limit);

 private:
  Store& store_;
};

}  // namespace inbeeld::node::region

#endif  // INBEELD_NODE_REGION_SESSION_STORE_H_
