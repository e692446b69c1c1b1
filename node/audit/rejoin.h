// node/audit/rejoin.h — a node restored from a backup asks its partners to
// accept its shortened audit log, openly.
//
// After `inbeeld restore` the node's log holds the backup's R records and then
// one "inbeeld.log.restored" record at leaf R (node/backup/backup.h). A
// partner P that had witnessed more than R records of it refuses every session
// (witness.h: "rolled back"). Rejoining, restored node I → partner P:
//
//   I → P  POST /v1/audit/rejoin
//          {checkpoint:     I's signed note, size S > R,
//           restore_index:  R,
//           restore_record: the canonical line of leaf R,
//           inclusion:      RFC 9162 inclusion proof of leaf R in S,
//           proof_from:     W, a size of I's log that P witnessed, W <= R
//                           (I's guess: the largest size P cosigned that the
//                           backup still knows),
//           proof:          consistency proof from W to S}
//   P: checks the note is signed by I's pinned key, the record at R is
//      "inbeeld.log.restored" with inbeeld.seq = R and backup_audit_size = R,
//      its inclusion in S, and that S extends the checkpoint of size W that P
//      itself witnessed (P keeps every size it witnessed). So the restored log
//      keeps every record P saw up to the backup; what P saw after it (up to
//      its latest witnessed size L > R) is declared lost, by I's own signed
//      record.
//   P → I  {"outcome": "pending", "lost": L - R}   — recorded, waiting for P's
//                                                    operator
//          {"outcome": "accepted", "lost": L - R}  — once confirmed
//          {"outcome": "not_needed", "lost": 0}     — P never saw more than R
//          {"retry": {"proof_from": W'}}            — P has no checkpoint of
//                                                    size W; W' <= R is one
//
// P's operator confirms with `inbeeld peer accept-restore I` (AcceptRestore):
// P records "inbeeld.witness.peer_restored" (peer, key, R, the lost size L and
// root, the new size S and root, who confirmed), forgets the checkpoints of I
// above R it had witnessed (the record keeps the latest of them) and stores S
// as witnessed. From then on ordinary witnessing continues from S. I records
// "inbeeld.log.rejoined" (peer, lost) when it hears "accepted". Both FGs thus
// see the restore and what it cost, and no partner accepts a shortened log
// without a signed record of it in I's own log and a person's confirmation.
//
// Errors are specific: kUnauthenticated (not signed by the pinned key, proofs
// that do not verify, a record at R that is not a restore record),
// kInvalidArgument (malformed message), kFailedPrecondition (nothing pending
// to accept).
//
// Thread safety: one thread at a time per AuditLog (callers serialise).
#ifndef INBEELD_NODE_AUDIT_REJOIN_H_
#define INBEELD_NODE_AUDIT_REJOIN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "crypto/merkle.h"
#include "node/audit/audit_log.h"
#include "node/audit/witness.h"

namespace inbeeld::node::audit {

inline constexpr const char* kRestoredEvent = "inbeeld.log.restored";
inline constexpr const char* kRestoreSizeAttr = "inbeeld.backup_audit_size";

struct RejoinRequest {
  std::string checkpoint;
  uint64_t restore_index = 0;
  std::string restore_record;
  std::vector<crypto::Hash> inclusion;
  uint64_t proof_from = 0;
  std::vector<crypto::Hash> proof;
};

enum class RejoinOutcome { kPending, kAccepted, kNotNeeded };
std::string_view RejoinOutcomeName(RejoinOutcome outcome);

struct RejoinResponse {
  RejoinOutcome outcome = RejoinOutcome::kPending;
  uint64_t lost = 0;  // records P had witnessed beyond the backup
  // Set: "prove from this size instead" and nothing above is meaningful.
  std::optional<uint64_t> retry_proof_from = std::nullopt;
};

// The bodies, as compact JSON. The decoders are strict, through
// schema/json_reader.h and schema/witness_wire.h's proof and retry readers:
// one object of at most 1 MiB with exactly the members above, the checkpoint
// and the restore record 1..8192 bytes, proofs of at most 64 canonical
// base64 hashes; kInvalidArgument naming the member
// ("rejoin request: member \"inclusion\"[0]: not canonical base64 of 32
// bytes"), kResourceExhausted above 1 MiB.
std::string EncodeRejoinRequest(const RejoinRequest&);
Result<RejoinRequest> DecodeRejoinRequest(std::string_view json);
std::string EncodeRejoinResponse(const RejoinResponse&);
Result<RejoinResponse> DecodeRejoinResponse(std::string_view json);

// The leaf index of this node's latest "inbeeld.log.restored" record, or
// nullopt if the log was never restored.
Result<std::optional<uint64_t>> LatestRestore(AuditLog& log);

// I's side: a request for `peer`, proving from `proof_from` (UINT64_MAX: the
// largest size the peer cosigned that is at most the restore index).
// kFailedPrecondition if the log was never restored.
Result<RejoinRequest> MakeRejoinRequest(AuditLog& log, const WitnessPeer& peer,
                                        uint64_t proof_from = UINT64_MAX);

// P's side of /v1/audit/rejoin: checks the request (see above). A valid
// request that needs P's confirmation is kept (one per peer, the newest
// wins) and recorded once as "inbeeld.witness.peer_restore_requested".
// A request already confirmed for this restore answers "accepted".
Result<RejoinResponse> AnswerRejoin(AuditLog& log, const WitnessPeer& peer,
                                    const RejoinRequest& request);

// P's operator confirms `peer`'s pending request: checked again, recorded,
// witnessed (see above). Returns the records lost. kFailedPrecondition when
// nothing is pending for that peer.
Result<uint64_t> AcceptRestore(AuditLog& log, const WitnessPeer& peer);

// A pending request, for `peer list`/`status`: the restore index and the
// records it would declare lost; nullopt when none.
struct PendingRestore {
  uint64_t restore_index = 0;
  uint64_t lost = 0;
  std::string received_at;
};
Result<std::optional<PendingRestore>> PendingRestoreOf(AuditLog& log, const WitnessPeer& peer);

// I's side, after "accepted": records "inbeeld.log.rejoined" once per peer and
// restore.
Status RecordRejoined(AuditLog& log, const WitnessPeer& peer, uint64_t restore_index,
                      uint64_t lost);

}  // namespace inbeeld::node::audit

#endif  // INBEELD_NODE_AUDIT_REJOIN_H_
