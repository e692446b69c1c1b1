// Fuzzes the witness protocol's JSON bodies (schema/witness_wire.h): a
// witness request, a witness response and a cosign request as a peer posts
// or answers them, and the checkpoint and cosignature they carry; and the
// rejoin request and response (node/audit/rejoin.h) with their restore record.
//
// Invariants beyond "no crash": what decodes re-encodes to a body that
// decodes to the same fields; error messages are short fixed texts (a field
// name at most, never the peer's payload).
#include <string>
#include <string_view>

#include "crypto/signed_note.h"
#include "fuzz/fuzz_target.h"
#include "node/clock/clock.h"
#include "fuzz/keys.h"
#include "node/audit/audit_log.h"
#include "node/audit/rejoin.h"
#include "node/audit/witness.h"
#include "schema/audit_record.h"
#include "schema/witness_wire.h"

namespace {

using namespace inbeeld::node::audit;
using namespace inbeeld::schema::witness;

template <typename T>
void CheckError(const inbeeld::Result<T>& result) {
  if (!result) INBEELD_FUZZ_CHECK(result.error().message.size() <= 120);
}

// What a node does with a checkpoint before it stores or cosigns it.
void ExerciseNote(const std::string& note) {
  const auto& log = inbeeld::fuzz::LogKey();
  auto parsed = inbeeld::crypto::ParseNote(note);
  if (!parsed) return;
  (void)inbeeld::crypto::VerifyNoteSignature(*parsed, OriginFor(log.PublicKey()), log.PublicKey());
  (void)inbeeld::crypto::ParseCheckpointBody(parsed->body);
  static const inbeeld::node::SystemClock clock;  // only stamps the cosignature
  (void)Cosign(note, OriginFor(inbeeld::fuzz::WitnessKey().PublicKey()),
               inbeeld::fuzz::WitnessKey(), clock);
}

}  // namespace

INBEELD_FUZZ_TARGET(witness) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  auto request = DecodeWitnessRequest(body);
  CheckError(request);
  if (request) {
    auto again = DecodeWitnessRequest(EncodeWitnessRequest(*request));
    INBEELD_FUZZ_CHECK(again && again->checkpoint == request->checkpoint &&
                       again->proof_from == request->proof_from && again->proof == request->proof &&
                       again->seen_your_size == request->seen_your_size);
    ExerciseNote(request->checkpoint);
  }

  auto response = DecodeWitnessResponse(body);
  CheckError(response);
  if (response) {
    auto again = DecodeWitnessResponse(EncodeWitnessResponse(*response));
    INBEELD_FUZZ_CHECK(again && again->cosignature == response->cosignature &&
                       again->checkpoint == response->checkpoint &&
                       again->proof_from == response->proof_from &&
                       again->proof == response->proof);
    ExerciseNote(response->checkpoint);
  }

  auto rejoin = DecodeRejoinRequest(body);
  CheckError(rejoin);
  if (rejoin) {
    auto again = DecodeRejoinRequest(EncodeRejoinRequest(*rejoin));
    INBEELD_FUZZ_CHECK(again && again->checkpoint == rejoin->checkpoint &&
                       again->restore_index == rejoin->restore_index &&
                       again->restore_record == rejoin->restore_record &&
                       again->inclusion == rejoin->inclusion &&
                       again->proof_from == rejoin->proof_from && again->proof == rejoin->proof);
    ExerciseNote(rejoin->checkpoint);
    (void)inbeeld::schema::DecodeAuditRecord(rejoin->restore_record);
  }

  auto rejoin_response = DecodeRejoinResponse(body);
  CheckError(rejoin_response);
  if (rejoin_response) {
    auto again = DecodeRejoinResponse(EncodeRejoinResponse(*rejoin_response));
    INBEELD_FUZZ_CHECK(again && again->outcome == rejoin_response->outcome &&
                       again->lost == rejoin_response->lost &&
                       again->retry_proof_from == rejoin_response->retry_proof_from);
  }

  auto cosign = DecodeCosignRequest(body);
  CheckError(cosign);
  if (cosign) {
    auto again = DecodeCosignRequest(EncodeCosignRequest(*cosign));
    INBEELD_FUZZ_CHECK(again && again->size == cosign->size &&
                       again->cosignature == cosign->cosignature);
  }
}
