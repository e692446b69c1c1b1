// node/audit/witness.h — peers witness each other's audit logs in every session:
// the checks and the stored state. The exchange as a transport-free session is
// node/audit/witness_session.h, its messages schema/witness_wire.h.
//
// Before a PSI session the initiator I and responder R exchange checkpoints:
//
//   I → R  POST /v1/audit/witness  {checkpoint: I's signed note,
//                                   proof_from: the size of I's log R last
//                                               cosigned, proof: consistency
//                                               proof from there to now,
//                                   seen_your_size: the size of R's log I last
//                                               witnessed}
//   R: verifies I's signature (pinned key), checks the checkpoint is consistent
//      with the last one R witnessed of I (never smaller, same root at the same
//      size, valid RFC 9162 proof otherwise), stores it, cosigns it, and answers
//   R → I  {cosignature: R's cosignature line on I's checkpoint,
//           checkpoint: R's signed note, proof_from, proof: from seen_your_size}
//   I: stores R's cosignature of its checkpoint, checks R's checkpoint the same
//      way, stores it, and sends its cosignature:
//   I → R  POST /v1/audit/cosign {size, cosignature}
//
// The initiator witnesses again after a completed session, so both logs'
// records of that session are covered by the other side's cosignature.
//
// A node shown a forked or rolled-back checkpoint refuses the session
// (kUnauthenticated) and records why in its own log. The first checkpoint seen
// of a peer is trusted as is (trust on first use).
//
// Retries, typed: if R last witnessed a size N other than proof_from — I sent
// a checkpoint signed before a newer one that a concurrent session of I's
// already showed R, or R's cosignature of N never reached I — R answers
// {"retry": {"proof_from": N}} (HTTP 200, nothing stored, nothing cosigned)
// and I signs a fresh checkpoint and retries with a proof from N. Only a
// checkpoint smaller than N *with* proof_from = N — I knew what R had seen and
// still showed less — is a rollback. I treats R's checkpoint the same way: one
// smaller than the last I witnessed, answered to a request that named an older
// size, is a race with I's own concurrent session, and I witnesses again.
//
// Thread safety: one thread at a time per AuditLog (callers serialise).
#ifndef INBEELD_NODE_AUDIT_WITNESS_H_
#define INBEELD_NODE_AUDIT_WITNESS_H_

#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "base/error.h"
#include "crypto/merkle.h"
#include "crypto/signing.h"
#include "node/audit/audit_log.h"
#include "schema/witness_wire.h"

namespace inbeeld::node::audit {

// The messages live in schema/witness_wire.h (strict decoders, no
// cryptography); these names keep the audit code readable. A proof's hashes
// are crypto::Hash values.
using WitnessRequest = schema::witness::WitnessRequest;
using WitnessResponse = schema::witness::WitnessResponse;
using CosignRequest = schema::witness::CosignRequest;
static_assert(std::is_same_v<schema::witness::ProofHash, crypto::Hash>);

// The peer as this node knows it: its configured name and pinned key.
struct WitnessPeer {
  std::string name;
  crypto::VerifyingKey key;
};

// Checks `note` is a checkpoint of `peer`'s log signed by its pinned key.
// kUnauthenticated otherwise. Stores nothing.
Result<SignedCheckpoint> VerifyPeerCheckpoint(const WitnessPeer& peer, const std::string& note);

// Checks `note` is `peer`'s validly signed checkpoint, consistent with the last
// one witnessed of that peer, and stores it. Returns the parsed checkpoint.
// Errors: kUnauthenticated for a bad signature, a fork or a rollback (a
// smaller checkpoint although `proof_from` names the size last witnessed);
// kFailedPrecondition when `proof_from` is not the size last witnessed (the
// caller asks for a fresh checkpoint and a proof from that size).
Result<SignedCheckpoint> CheckAndStorePeerCheckpoint(AuditLog& log, const WitnessPeer& peer,
                                                     const std::string& note, uint64_t proof_from,
                                                     const std::vector<crypto::Hash>& proof);

// This node's cosignature line over `peer`'s checkpoint note, timestamped by
// `clock`.
Result<std::string> Cosign(const std::string& note, const std::string& own_origin,
                           const crypto::SigningKey& key, const Clock& clock);

// Verifies `line` is `peer`'s cosignature over our checkpoint of `size` and
// stores it, with an "inbeeld.witness.cosigned" record (peer, peer_key,
// cosigned_size, cosignature_sha256 = CosignatureDigest(line)) in the same
// transaction, so `audit verify` notices an export that lacks the line. A
// repeated cosignature of the same checkpoint by the same peer is accepted and
// ignored (the first one stands). REQUIRES: no transaction is open.
Status AcceptCosignature(AuditLog& log, const WitnessPeer& peer, uint64_t size,
                         const std::string& line);

// Lowercase hex SHA-256 of a cosignature line without its final newline.
std::string CosignatureDigest(std::string_view line);

// Responder side of /v1/audit/witness: a cosigned answer, or a typed retry
// (retry_proof_from) when `request` was built against another witnessed size.
Result<WitnessResponse> AnswerWitness(AuditLog& log, const crypto::SigningKey& key,
                                      const WitnessPeer& peer, const WitnessRequest& request);

// The size a signed checkpoint note states (its signature is not checked).
Result<uint64_t> CheckpointSize(const std::string& note);
// Initiator side: builds the request (signing a fresh checkpoint).
Result<WitnessRequest> MakeWitnessRequest(AuditLog& log, const WitnessPeer& peer,
                                          uint64_t proof_from_override = UINT64_MAX);

// Initiator side: checks the answer; returns the cosign request to send back.
Result<CosignRequest> HandleWitnessResponse(AuditLog& log, const crypto::SigningKey& key,
                                            const WitnessPeer& peer, uint64_t our_size,
                                            uint64_t seen_their_size,
                                            const WitnessResponse& response);

}  // namespace inbeeld::node::audit

#endif  // INBEELD_NODE_AUDIT_WITNESS_H_
