// node/audit/witness_session.h — the witness exchange (docs/PROTOCOL.md
// §2.1), transport-free: the initiator's session turns each reply into the
// next message; the responder's side turns each request into its answer.
// Neither knows HTTP; the caller posts the bodies and routes them.
//
// Protocol (messages in schema/witness_wire.h, checks in
// node/audit/witness.h):
//
//   1. I → R  WitnessRequest (POST /v1/audit/witness): I's freshly signed
//             checkpoint, proof_from = the largest size of I's log R
//             cosigned, a consistency proof from there, and seen_your_size =
//             the size of R's log I last witnessed.
//   2. R → I  WitnessResponse: R checks I's checkpoint (pinned key; never
//             smaller than, the same root at the same size as, or provably
//             extending the last one R witnessed of I), stores it and answers
//             with its cosignature of it, R's own fresh checkpoint and a
//             consistency proof from seen_your_size.
//        or   a typed retry {"retry": {"proof_from": N}}: proof_from was not
//             the size N R last witnessed of I (a concurrent session of I's
//             showed R a newer checkpoint, or R's cosignature of N never
//             reached I). Nothing is stored or cosigned; I signs a fresh
//             checkpoint and goes back to 1 with a proof from N.
//   3. I     stores R's cosignature of its checkpoint (with an
//             "inbeeld.witness.cosigned" record), checks R's checkpoint the
//             same way and stores it. A checkpoint of R's smaller than the last
//             I witnessed, answered to a seen_your_size that named an older
//             size, is a race with one of I's own sessions: I goes back to 1
//             (proving from what R last cosigned).
//   4. I → R  CosignRequest (POST /v1/audit/cosign): I's cosignature of R's
//             checkpoint, which R verifies and stores with its own
//             "inbeeld.witness.cosigned" record.
//   5. R → I  {}.
//
// I sends at most kMaxWitnessAttempts witness requests; when all are
// answered with a retry (or a stale checkpoint) the session fails with
// kUnavailable ("try again"). A checkpoint that is not signed by the peer's
// pinned key, a rolled-back or a forked log refuses the session: at I with
// kPermissionDenied (a refusal by this node's policy, exit 5), at R with
// kUnauthenticated, which R's HTTP layer records ("inbeeld.witness.refused")
// and answers as permission_denied (403).
//
// Thread safety: one thread at a time per session and per AuditLog (callers
// serialise). Exchanges of one node with one peer may interleave, message by
// message; the typed retry and the stale answer above are for that.
#ifndef INBEELD_NODE_AUDIT_WITNESS_SESSION_H_
#define INBEELD_NODE_AUDIT_WITNESS_SESSION_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"
#include "crypto/signing.h"
#include "node/audit/audit_log.h"
#include "node/audit/witness.h"

namespace inbeeld::node::audit {

inline constexpr int kMaxWitnessAttempts = 5;

// Where a message of the exchange goes; the HTTP layer maps these to
// node/net/routes.h.
enum class WitnessRoute {
  kWitness,  // POST /v1/audit/witness
  kCosign,   // POST /v1/audit/cosign
};

struct WitnessMessage {
  WitnessRoute route = WitnessRoute::kWitness;
  std::string body;
};

// The initiator's side of one witness exchange with one peer.
//
//   WitnessInitiator session(log, key, peer);
//   while (!session.done()) {
//     auto message = session.Next();          // error: stop
//     auto reply = Post(message->route, message->body);
//     auto handled = session.Handle(reply);   // error: stop
//   }
//
// Every error leaves the session kFailed, from which nothing is accepted. If
// the transport fails, drop the session; a new one starts over (what was
// stored stays valid).
class WitnessInitiator {
 public:
  enum class State {
    kRequest,           // a witness request is to be signed and sent (Next)
    kAwaitingResponse,  // waiting for the witness response (Handle)
    kCosign,            // the cosign request is to be sent (Next)
    kAwaitingAck,       // waiting for R's {} (Handle)
    kDone,
    kFailed,
  };

  // `log`, `key` must outlive the session. `key` is this node's signing key.
  WitnessInitiator(AuditLog& log, const crypto::SigningKey& key, WitnessPeer peer);

  State state() const { return state_; }
  bool done() const { return state_ == State::kDone; }
  // Witness requests sent so far (1..kMaxWitnessAttempts).
  int attempts() const { return attempts_; }

  // kRequest → kAwaitingResponse: signs a fresh checkpoint and returns the
  // witness request. kCosign → kAwaitingAck: returns the cosign request.
  // Errors: kFailedPrecondition in any other state; the log's errors.
  Result<WitnessMessage> Next();

  // The reply to the last message from Next. After a witness request:
  // a typed retry or a stale checkpoint → kRequest (or kFailed with
  // kUnavailable once kMaxWitnessAttempts requests went unanswered); a
  // good answer → kCosign, with R's cosignature and checkpoint stored.
  // After the cosign request: {} → kDone.
  // Errors: kFailedPrecondition when no reply is awaited; kInvalidArgument
  // for a malformed reply or a cosignature that is not one line or covers
  // no checkpoint of ours of the size sent; kPermissionDenied for a
  // checkpoint of R's not signed by its pinned key, a rollback or a fork, a
  // cosignature that does not verify, or a proof from another size than
  // asked for; kUnavailable after kMaxWitnessAttempts retries.
  Status Handle(std::string_view reply);

 private:
  Status Stop(Error error);
  Status HandleWitnessReply(std::string_view reply);

  AuditLog& log_;
  const crypto::SigningKey& key_;
  WitnessPeer peer_;
  State state_ = State::kRequest;
  int attempts_ = 0;
  // For the next request: the size R asked for in a typed retry; UINT64_MAX
  // for the largest size R cosigned, as stored.
  uint64_t proof_from_ = UINT64_MAX;
  // Of the request in flight: the size of the checkpoint sent (not the
  // latest: a concurrent session may have signed a newer one meanwhile) and
  // the seen_your_size it named.
  uint64_t sent_size_ = 0;
  uint64_t sent_seen_your_size_ = 0;
  std::string cosign_body_;
};

// The responder's side. R keeps no session between the two requests: what it
// needs is in the AuditLog (the checkpoints it witnessed of the peer and the
// ones it signed), so a cosign request is checked against those, not against
// an earlier witness request, and may arrive on another connection. The HTTP
// layer decodes the bodies (schema/witness_wire.h) so that it can tell a
// malformed body from a refusal.

// Request 1 in, answer 2 out: AnswerWitness (node/audit/witness.h).
//
// Request 4 in, answer 5 out ({}): verifies and stores the peer's
// cosignature of this node's checkpoint (see AcceptCosignature).
// Errors: kInvalidArgument for a line that is not one signature line or a
// size this node never signed; kUnauthenticated for a cosignature that does
// not verify. REQUIRES: no transaction is open.
Result<std::string> AnswerCosignRequest(AuditLog& log, const WitnessPeer& peer,
                                        const CosignRequest& request);

}  // namespace inbeeld::node::audit

#endif  // INBEELD_NODE_AUDIT_WITNESS_SESSION_H_
