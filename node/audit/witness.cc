#include "node/audit/witness.h"

#include <sodium.h>

#include <chrono>

#include "crypto/bytes.h"
#include "crypto/signed_note.h"
#include "node/audit/exchange_records.h"

namespace inbeeld::node::audit {
namespace {

uint64_t NowSeconds(const Clock& clock) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(clock.Now().time_since_epoch()).count());
}

}  // namespace

Result<SignedCheckpoint> VerifyPeerCheckpoint(const WitnessPeer& peer, const std::string& note) {
  std::string origin = OriginFor(peer.key);
  auto parsed = crypto::ParseNote(note);
  if (!parsed) {
    return Fail(
        ErrorCode::kUnauthenticated,
        "peer \"" + peer.name + "\" sent a malformed checkpoint: " + parsed.error().message);
  }
  if (auto ok = crypto::VerifyNoteSignature(*parsed, origin, peer.key); !ok) {
    return Fail(ErrorCode::kUnauthenticated,
                "peer \"" + peer.name + "\" sent a checkpoint not signed by its pinned key");
  }
  auto checkpoint = crypto::ParseCheckpointBody(parsed->body);
  if (!checkpoint || checkpoint->origin != origin) {
    return Fail(ErrorCode::kUnauthenticated,
                "peer \"" + peer.name + "\" sent a checkpoint for another log");
  }
  return SignedCheckpoint{checkpoint->size, checkpoint->root, note};
}

Result<SignedCheckpoint> CheckAndStorePeerCheckpoint(AuditLog& log, const WitnessPeer& peer,
                                                     const std::string& note, uint64_t proof_from,
                                                     const std::vector<crypto::Hash>& proof) {
  auto verified = VerifyPeerCheckpoint(peer, note);
  if (!verified) return std::unexpected(verified.error());
  const SignedCheckpoint& seen = *verified;
  std::string fingerprint = peer.key.Fingerprint();
  auto last = log.LastWitnessed(fingerprint);
  if (!last) return std::unexpected(last.error());
  if (*last) {
    const SignedCheckpoint& before = **last;
    if (seen.size < before.size && proof_from != before.size) {
      // Signed before a checkpoint a concurrent session already showed us:
      // stale, not rolled back, unless the peer still shows less once it
      // knows what we saw.
      return Fail(ErrorCode::kFailedPrecondition,
                  "a checkpoint of at least " + std::to_string(before.size) +
                      " records, with a consistency proof from there, is needed");
    }
    if (seen.size < before.size) {
      return Fail(ErrorCode::kUnauthenticated,
                  "peer \"" + peer.name + "\" showed an audit log of " + std::to_string(seen.size) +
                      " records after one of " + std::to_string(before.size) +
                      " was witnessed: its log was rolled back; session refused (restored "
                      "from a backup? it can ask to rejoin with `inbeeld peer rejoin`, and "
                      "this node's operator then confirms with `inbeeld peer accept-restore " +
                      peer.name + "`)");
    }
    if (seen.size == before.size) {
      if (seen.root != before.root) {
        return Fail(ErrorCode::kUnauthenticated,
                    "peer \"" + peer.name + "\" showed a different audit log of the same size " +
                        std::to_string(seen.size) +
                        " than witnessed before: its log forked; "
                        "session refused");
      }
      return seen;
    }
    if (proof_from != before.size) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "consistency proof needed from size " + std::to_string(before.size));
    }
    if (auto consistent =
            crypto::VerifyConsistency(before.size, seen.size, before.root, seen.root, proof);
        !consistent) {
      return Fail(ErrorCode::kUnauthenticated,
                  "peer \"" + peer.name + "\" showed an audit log of " + std::to_string(seen.size) +
                      " records that does not extend the one of " + std::to_string(before.size) +
                      " witnessed before: its log forked; session refused");
    }
  }
  INBEELD_RETURN_IF_ERROR(log.StoreWitnessed(fingerprint, seen));
  return seen;
}

Result<std::string> Cosign(const std::string& note, const std::string& own_origin,
                           const crypto::SigningKey& key, const Clock& clock) {
  auto parsed = crypto::ParseNote(note);
  if (!parsed) return std::unexpected(parsed.error());
  return crypto::CosignatureLine(parsed->body, own_origin, key, NowSeconds(clock));
}

Status AcceptCosignature(AuditLog& log, const WitnessPeer& peer, uint64_t size,
                         const std::string& line) {
  auto checkpoints = log.Checkpoints();
  if (!checkpoints) return std::unexpected(checkpoints.error());
  // Exactly one signature line: anything more would be stored and break
  // every later export.
  if (!line.starts_with("\u2014 ") || line.find('\n') != line.size() - 1) {
    return Fail(ErrorCode::kInvalidArgument,
                "peer \"" + peer.name + "\" sent a cosignature that is not one signature line");
  }
  const SignedCheckpoint* ours = nullptr;
  for (const auto& c : *checkpoints) {
    if (c.size == size) ours = &c;
  }
  if (ours == nullptr) {
    return Fail(ErrorCode::kInvalidArgument,
                "peer \"" + peer.name + "\" cosigned a checkpoint this node never signed");
  }
  auto parsed = crypto::ParseNote(ours->note + line);
  if (!parsed) {
    return Fail(ErrorCode::kUnauthenticated,
                "peer \"" + peer.name + "\" sent a malformed cosignature");
  }
  auto timestamp = crypto::VerifyCosignature(*parsed, OriginFor(peer.key), peer.key);
  if (!timestamp) {
    return Fail(ErrorCode::kUnauthenticated,
                "peer \"" + peer.name + "\" sent a cosignature that does not verify");
  }
  const std::string fingerprint = peer.key.Fingerprint();
  return log.InTransaction([&]() -> Status {
    auto stored = log.AddCosignature({size, peer.name, fingerprint, line, *timestamp});
    if (!stored) return std::unexpected(stored.error());
    // A second cosignature of the same checkpoint by the same peer changes
    // nothing: the first one and its record stand.
    if (!*stored) return {};
    // The cosignature becomes a record, so an export that drops its line no
    // longer verifies. The record grows the log past the cosigned checkpoint;
    // a later witnessing covers it, and accepting that one is again a record,
    // one per witness exchange: nothing here starts another exchange.
    return log.AppendInTransaction(
        {EventRecord(log.store().clock(), "inbeeld.witness.cosigned", true,
                     {{"inbeeld.peer", peer.name},
                      {"inbeeld.peer_key", fingerprint},
                      {"inbeeld.cosigned_size", std::to_string(size)},
                      {"inbeeld.cosignature_sha256", CosignatureDigest(line)}})});
  });
}

std::string CosignatureDigest(std::string_view line) {
  if (line.ends_with('\n')) line.remove_suffix(1);
  std::array<uint8_t, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const uint8_t*>(line.data()), line.size());
  return crypto::HexEncode(digest);
}

Result<WitnessResponse> AnswerWitness(AuditLog& log, const crypto::SigningKey& key,
                                      const WitnessPeer& peer, const WitnessRequest& request) {
  auto theirs =
      CheckAndStorePeerCheckpoint(log, peer, request.checkpoint, request.proof_from, request.proof);
  if (!theirs && theirs.error().code == ErrorCode::kFailedPrecondition) {
    auto last = log.LastWitnessed(peer.key.Fingerprint());
    if (!last) return std::unexpected(last.error());
    if (!*last) return std::unexpected(theirs.error());
    WitnessResponse retry;
    retry.retry_proof_from = (*last)->size;
    return retry;
  }
  if (!theirs) return std::unexpected(theirs.error());
  WitnessResponse response;
  auto cosignature = Cosign(request.checkpoint, log.origin(), key, log.clock());
  if (!cosignature) return std::unexpected(cosignature.error());
  response.cosignature = *cosignature;
  auto own = log.Checkpoint();
  if (!own) return std::unexpected(own.error());
  response.checkpoint = own->note;
  response.proof_from = request.seen_your_size;
  if (request.seen_your_size > 0 && request.seen_your_size <= own->size) {
    auto proof = log.tree().ConsistencyProof(request.seen_your_size, own->size);
    if (!proof) return std::unexpected(proof.error());
    response.proof = *proof;
  }
  return response;
}

Result<uint64_t> CheckpointSize(const std::string& note) {
  auto parsed = crypto::ParseNote(note);
  if (!parsed) return std::unexpected(parsed.error());
  auto body = crypto::ParseCheckpointBody(parsed->body);
  if (!body) return std::unexpected(body.error());
  return body->size;
}

Result<WitnessRequest> MakeWitnessRequest(AuditLog& log, const WitnessPeer& peer,
                                          uint64_t proof_from_override) {
  auto own = log.Checkpoint();
  if (!own) return std::unexpected(own.error());
  WitnessRequest request;
  request.checkpoint = own->note;
  std::string fingerprint = peer.key.Fingerprint();
  if (proof_from_override != UINT64_MAX) {
    request.proof_from = proof_from_override;
  } else {
    auto cosigned = log.LastCosignedSize(fingerprint);
    if (!cosigned) return std::unexpected(cosigned.error());
    request.proof_from = *cosigned;
  }
  if (request.proof_from > own->size) {
    if (proof_from_override == UINT64_MAX) {
      request.proof_from = own->size;
    }
    // Else the peer saw more of this log than it now holds (restored from a
    // backup?): no proof can exist, and the peer will say the log was rolled
    // back, which is true.
  }
  if (request.proof_from <= own->size) {
    auto proof = log.tree().ConsistencyProof(request.proof_from, own->size);
    if (!proof) return std::unexpected(proof.error());
    request.proof = *proof;
  }
  auto seen = log.LastWitnessed(fingerprint);
  if (!seen) return std::unexpected(seen.error());
  request.seen_your_size = *seen ? (*seen)->size : 0;
  return request;
}

Result<CosignRequest> HandleWitnessResponse(AuditLog& log, const crypto::SigningKey& key,
                                            const WitnessPeer& peer, uint64_t our_size,
                                            uint64_t seen_their_size,
                                            const WitnessResponse& response) {
  if (response.retry_proof_from) {
    return Fail(ErrorCode::kFailedPrecondition, "the peer asked for a fresh checkpoint");
  }
  INBEELD_RETURN_IF_ERROR(AcceptCosignature(log, peer, our_size, response.cosignature));
  if (response.proof_from != seen_their_size) {
    return Fail(ErrorCode::kUnauthenticated,
                "peer \"" + peer.name + "\" answered with a proof from the wrong size");
  }
  auto theirs = CheckAndStorePeerCheckpoint(log, peer, response.checkpoint, response.proof_from,
                                            response.proof);
  if (!theirs) return std::unexpected(theirs.error());
  auto line = Cosign(response.checkpoint, log.origin(), key, log.clock());
  if (!line) return std::unexpected(line.error());
  return CosignRequest{theirs->size, *line};
}

}  // namespace inbeeld::node::audit
