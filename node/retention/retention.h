// node/retention/retention.h — delete what [retention] says has expired.
//
// As of a moment `now`:
//  - list versions imported more than list_versions_days ago, except the
//    current (newest) version, with their rows;
//  - exchange sessions (both roles, with their matches), sync runs and
//    regional count sessions started more than results_days ago, unless still
//    running;
// all in one transaction together with one audit record ("inbeeld.purge")
// that gives the counts and the cut-off dates; then VACUUM, so the freed
// pages leave the file (secure_delete already zeroes them).
//
// Audit records past audit_days are redacted, not deleted, in the same
// transaction: the log is a Merkle tree whose signed and cosigned checkpoints
// commit to every leaf, so the oldest records (always a prefix) lose their
// content and keep their leaf hash, and `audit verify` still passes
// (AuditLog::RedactBeforeInTransaction; SECURITY.md, "Retention").
//
// Thread safety: uses the node's store; one call at a time per UnlockedNode.
#ifndef INBEELD_NODE_RETENTION_RETENTION_H_
#define INBEELD_NODE_RETENTION_RETENTION_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "base/error.h"
#include "node/datadir/node_dir.h"

namespace inbeeld::node::retention {

struct PurgeReport {
  std::string as_of;  // ISO 8601 UTC
  std::string list_cutoff, results_cutoff;
  int64_t list_versions = 0;  // deleted
  int64_t list_rows = 0;
  int64_t sessions = 0;
  int64_t sync_runs = 0;
  int64_t region_sessions = 0;
  // Audit records older than audit_days whose content was removed (oldest
  // first; leaf hashes kept so the log still verifies).
  int64_t audit_records_redacted = 0;
  bool compacted = false;  // VACUUM ran; false: retried by the next purge
};

// Errors: the store's (nothing is deleted then).
Result<PurgeReport> Purge(UnlockedNode& node, std::chrono::system_clock::time_point now);

}  // namespace inbeeld::node::retention

#endif  // INBEELD_NODE_RETENTION_RETENTION_H_
