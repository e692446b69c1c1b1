#include "node/audit/witness_session.h"

#include <utility>

#include "schema/witness_wire.h"

namespace inbeeld::node::audit {
namespace {

namespace wire = schema::witness;

std::string StateProblem(WitnessInitiator::State state) {
  using State = WitnessInitiator::State;
  switch (state) {
    case State::kRequest:
      return "the witness request has not been sent yet";
    case State::kAwaitingResponse:
      return "the witness response has not arrived yet";
    case State::kCosign:
      return "the cosign request has not been sent yet";
    case State::kAwaitingAck:
      return "the answer to the cosign request has not arrived yet";
    case State::kDone:
      return "the witness exchange has already finished";
    case State::kFailed:
      return "the witness exchange failed earlier";
  }
  return "wrong state";
}

}  // namespace

WitnessInitiator::WitnessInitiator(AuditLog& log, const crypto::SigningKey& key, WitnessPeer peer)
    : log_(log), key_(key), peer_(std::move(peer)) {}

Status WitnessInitiator::Stop(Error error) {
  state_ = State::kFailed;
  cosign_body_.clear();
  return std::unexpected(std::move(error));
}

Result<WitnessMessage> WitnessInitiator::Next() {
  if (state_ == State::kCosign) {
    state_ = State::kAwaitingAck;
    return WitnessMessage{WitnessRoute::kCosign, std::move(cosign_body_)};
  }
  if (state_ != State::kRequest) {
    auto failed = Stop(
        {ErrorCode::kFailedPrecondition, "no witness message to send: " + StateProblem(state_)});
    return std::unexpected(failed.error());
  }
  auto request = MakeWitnessRequest(log_, peer_, proof_from_);
  if (!request) return std::unexpected(Stop(request.error()).error());
  auto own_size = CheckpointSize(request->checkpoint);
  if (!own_size) return std::unexpected(Stop(own_size.error()).error());
  ++attempts_;
  sent_size_ = *own_size;
  sent_seen_your_size_ = request->seen_your_size;
  state_ = State::kAwaitingResponse;
  return WitnessMessage{WitnessRoute::kWitness, wire::EncodeWitnessRequest(*request)};
}

Status WitnessInitiator::Handle(std::string_view reply) {
  switch (state_) {
    case State::kAwaitingResponse:
      return HandleWitnessReply(reply);
    case State::kAwaitingAck:
      if (auto ack = wire::DecodeCosignAck(reply); !ack) return Stop(ack.error());
      state_ = State::kDone;
      return {};
    default: {
      const std::string problem = StateProblem(state_);
      return Stop({ErrorCode::kFailedPrecondition, "witness reply not accepted: " + problem});
    }
  }
}

Status WitnessInitiator::HandleWitnessReply(std::string_view reply) {
  auto response = wire::DecodeWitnessResponse(reply);
  if (!response) return Stop(response.error());
  // Either way below another request follows, unless this was the last try.
  auto again = [&](uint64_t proof_from) -> Status {
    if (attempts_ >= kMaxWitnessAttempts) {
      return Stop({ErrorCode::kUnavailable,
                   "the peer's and this node's audit logs kept moving while witnessing; try "
                   "again"});
    }
    proof_from_ = proof_from;
    state_ = State::kRequest;
    return {};
  };
  if (response->retry_proof_from) return again(*response->retry_proof_from);
  auto cosign =
      HandleWitnessResponse(log_, key_, peer_, sent_size_, sent_seen_your_size_, *response);
  if (!cosign && cosign.error().code == ErrorCode::kFailedPrecondition) {
    return again(UINT64_MAX);  // a concurrent session witnessed a newer one
  }
  if (!cosign && cosign.error().code == ErrorCode::kUnauthenticated) {
    // The peer's log was rolled back or forked, or its checkpoint was not
    // signed by its pinned key: this node refuses the session by policy
    // (exit 5), which is not the passphrase's fault (exit 4).
    return Stop({ErrorCode::kPermissionDenied, cosign.error().message});
  }
  if (!cosign) return Stop(cosign.error());
  cosign_body_ = wire::EncodeCosignRequest(*cosign);
  state_ = State::kCosign;
  return {};
}

Result<std::string> AnswerCosignRequest(AuditLog& log, const WitnessPeer& peer,
                                        const CosignRequest& request) {
  INBEELD_RETURN_IF_ERROR(AcceptCosignature(log, peer, request.size, request.cosignature));
  return wire::EncodeCosignAck();
}

}  // namespace inbeeld::node::audit
