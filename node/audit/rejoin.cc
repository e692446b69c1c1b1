#include "node/audit/rejoin.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "crypto/bytes.h"
#include "node/audit/exchange_records.h"
#include "node/clock/timestamp.h"
#include "schema/json_reader.h"
#include "schema/witness_wire.h"

namespace inbeeld::node::audit {
namespace {

using nlohmann::json;
using schema::JsonDocument;
using schema::JsonLimits;
using schema::JsonObject;
using schema::JsonString;

constexpr std::string_view kRequestWhat = "rejoin request";
constexpr std::string_view kResponseWhat = "rejoin response";
// A restore record's canonical line is a few hundred bytes.
constexpr size_t kMaxRecordBytes = 8 << 10;
// The deepest member is a proof or the retry: {"proof": [...]}.
constexpr JsonLimits kLimits{schema::witness::kMaxBodySize, 2};

json ProofJson(const std::vector<crypto::Hash>& proof) {
  json out = json::array();
  for (const auto& h : proof) out.push_back(schema::witness::ProofHashBase64(h));
  return out;
}

// What P keeps of a request until its operator decides (store meta, JSON):
// the request's body and when it came.
struct Pending {
  std::string request;
  std::string received_at;
};

std::string EncodePending(const RejoinRequest& request, const std::string& received_at) {
  return json{{"request", EncodeRejoinRequest(request)}, {"received_at", received_at}}.dump();
}

// kDataLoss if the stored text is not what EncodePending wrote.
Result<Pending> DecodePending(std::string_view text, const WitnessPeer& peer) {
  JsonLimits limits;
  limits.max_bytes = 2 * schema::witness::kMaxBodySize;  // a request, escaped
  limits.max_depth = 1;
  auto doc = JsonDocument::Parse(text, "stored rejoin request", limits);
  std::optional<Pending> out;
  if (doc && doc->Root().OnlyMembers({"request", "received_at"})) {
    auto request = doc->Root().String("request", JsonString::Text(limits.max_bytes));
    auto received_at = doc->Root().String("received_at", JsonString::Text(64));
    if (request && received_at) out = Pending{std::move(*request), std::move(*received_at)};
  }
  if (!out) {
    return Fail(ErrorCode::kDataLoss,
                "the stored rejoin request of \"" + peer.name + "\" is damaged");
  }
  return std::move(*out);
}

// Store meta keys: P's pending request per peer key, P's accepted restore
// index per peer key, and I's "rejoined" mark per peer key and restore.
std::string PendingKey(const WitnessPeer& peer) {
  return "rejoin.pending." + peer.key.Fingerprint();
}
std::string AcceptedKey(const WitnessPeer& peer) {
  return "rejoin.accepted." + peer.key.Fingerprint();
}
std::string RejoinedKey(const WitnessPeer& peer) {
  return "rejoin.rejoined." + peer.key.Fingerprint();
}

// One restore, told apart from another restore to the same size.
std::string RestoreTag(uint64_t index, const crypto::Hash& leaf) {
  return std::to_string(index) + ":" + crypto::HexEncode(leaf);
}

// What a checked request declares, for recording and answering.
struct Checked {
  SignedCheckpoint checkpoint;  // the peer's new checkpoint (S)
  SignedCheckpoint last;        // the latest P witnessed (L)
  uint64_t restore_index = 0;   // R
  crypto::Hash leaf{};          // the restore record's leaf hash
};

// Verifies `request` against what this node witnessed of `peer`. Returns
// nullopt when P never witnessed more than R (nothing to accept), or a retry
// size through `retry`.
Result<std::optional<Checked>> Check(AuditLog& log, const WitnessPeer& peer,
                                     const RejoinRequest& request, std::optional<uint64_t>& retry,
                                     bool& already_accepted, uint64_t& accepted_lost) {
  auto seen = VerifyPeerCheckpoint(peer, request.checkpoint);
  if (!seen) return std::unexpected(seen.error());
  const uint64_t r = request.restore_index;
  if (r >= seen->size) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(kRequestWhat) + ": restore_index is not inside the checkpoint");
  }
  auto record = schema::DecodeAuditRecord(request.restore_record);
  auto attr = [&](const char* name) -> std::string {
    auto it = record->attributes.find(name);
    return it == record->attributes.end() ? std::string() : it->second;
  };
  if (!record || record->name != kRestoredEvent || attr("inbeeld.seq") != std::to_string(r) ||
      attr(kRestoreSizeAttr) != std::to_string(r)) {
    return Fail(ErrorCode::kUnauthenticated,
                "peer \"" + peer.name + "\" sent a rejoin request whose record " +
                    std::to_string(r) + " is not a restore record for that size");
  }
  const auto& line = request.restore_record;
  crypto::Hash leaf =
      crypto::LeafHash(std::span(reinterpret_cast<const uint8_t*>(line.data()), line.size()));
  if (auto included = crypto::VerifyInclusion(leaf, r, seen->size, request.inclusion, seen->root);
      !included) {
    return Fail(
        ErrorCode::kUnauthenticated,
        "peer \"" + peer.name + "\" sent a restore record that its checkpoint does not hold");
  }
  // This very restore was accepted already: nothing more to do.
  auto accepted = log.store().GetMeta(AcceptedKey(peer));
  if (!accepted) return std::unexpected(accepted.error());
  // Stored as "<tag> <lost>".
  const std::string tag = RestoreTag(r, leaf) + " ";
  if (accepted->starts_with(tag)) {
    already_accepted = true;
    accepted_lost = std::strtoull(accepted->c_str() + tag.size(), nullptr, 10);
    return std::optional<Checked>();
  }
  const std::string fingerprint = peer.key.Fingerprint();
  auto last = log.LastWitnessed(fingerprint);
  if (!last) return std::unexpected(last.error());
  if (!*last || (*last)->size <= r) return std::optional<Checked>();
  // The restored log must keep what this node witnessed up to the backup.
  auto base = log.WitnessedAtMost(fingerprint, r);
  if (!base) return std::unexpected(base.error());
  const uint64_t base_size = *base ? (*base)->size : 0;
  if (request.proof_from != base_size) {
    retry = base_size;
    return std::optional<Checked>();
  }
  if (base_size > 0) {
    if (auto consistent = crypto::VerifyConsistency(base_size, seen->size, (*base)->root,
                                                    seen->root, request.proof);
        !consistent) {
      return Fail(ErrorCode::kUnauthenticated,
                  "peer \"" + peer.name + "\" restored a log that does not keep the " +
                      std::to_string(base_size) + " records witnessed before its backup: refused");
    }
  }
  return std::optional<Checked>(Checked{*seen, **last, r, leaf});
}

uint64_t Lost(const Checked& c) { return c.last.size - c.restore_index; }

Status RecordAccepted(AuditLog& log, const WitnessPeer& peer, const Checked& c,
                      const std::string& how) {
  const std::string fingerprint = peer.key.Fingerprint();
  return log.InTransaction([&]() -> Status {
    INBEELD_RETURN_IF_ERROR(log.AppendInTransaction(
        {EventRecord(log.clock(), "inbeeld.witness.peer_restored", true,
                     {{"inbeeld.peer", peer.name},
                      {"inbeeld.peer_key", fingerprint},
                      {"inbeeld.restore_index", std::to_string(c.restore_index)},
                      {"inbeeld.lost_records", std::to_string(Lost(c))},
                      {"inbeeld.lost_size", std::to_string(c.last.size)},
                      {"inbeeld.lost_root", crypto::HexEncode(c.last.root)},
                      {"inbeeld.new_size", std::to_string(c.checkpoint.size)},
                      {"inbeeld.new_root", crypto::HexEncode(c.checkpoint.root)},
                      {"inbeeld.accepted_by", how}})}));
    INBEELD_RETURN_IF_ERROR(log.ForgetWitnessedAboveInTransaction(fingerprint, c.restore_index));
    INBEELD_RETURN_IF_ERROR(log.StoreWitnessed(fingerprint, c.checkpoint));
    INBEELD_RETURN_IF_ERROR(log.store().PutMeta(
        AcceptedKey(peer), RestoreTag(c.restore_index, c.leaf) + " " + std::to_string(Lost(c))));
    return log.store().PutMeta(PendingKey(peer), "");
  });
}

}  // namespace

std::string_view RejoinOutcomeName(RejoinOutcome outcome) {
  switch (outcome) {
    case RejoinOutcome::kPending:
      return "pending";
    case RejoinOutcome::kAccepted:
      return "accepted";
    case RejoinOutcome::kNotNeeded:
      return "not_needed";
  }
  return "pending";
}

std::string EncodeRejoinRequest(const RejoinRequest& r) {
  return json{{"checkpoint", r.checkpoint},         {"restore_index", r.restore_index},
              {"restore_record", r.restore_record}, {"inclusion", ProofJson(r.inclusion)},
              {"proof_from", r.proof_from},         {"proof", ProofJson(r.proof)}}
      .dump();
}

Result<RejoinRequest> DecodeRejoinRequest(std::string_view text) {
  auto doc = JsonDocument::Parse(text, kRequestWhat, kLimits);
  if (!doc) return std::unexpected(doc.error());
  const JsonObject& j = doc->Root();
  INBEELD_RETURN_IF_ERROR(j.OnlyMembers(
      {"checkpoint", "restore_index", "restore_record", "inclusion", "proof_from", "proof"}));
  auto note = j.String("checkpoint", JsonString::Text(schema::witness::kMaxNoteSize));
  if (!note) return std::unexpected(note.error());
  auto index = j.Uint("restore_index");
  if (!index) return std::unexpected(index.error());
  auto record = j.String("restore_record", JsonString::Text(kMaxRecordBytes));
  if (!record) return std::unexpected(record.error());
  auto inclusion = schema::witness::ReadProof(j, "inclusion");
  if (!inclusion) return std::unexpected(inclusion.error());
  auto from = j.Uint("proof_from");
  if (!from) return std::unexpected(from.error());
  auto proof = schema::witness::ReadProof(j, "proof");
  if (!proof) return std::unexpected(proof.error());
  RejoinRequest r;
  r.checkpoint = std::move(*note);
  r.restore_index = *index;
  r.restore_record = std::move(*record);
  r.inclusion = std::move(*inclusion);
  r.proof_from = *from;
  r.proof = std::move(*proof);
  return r;
}

std::string EncodeRejoinResponse(const RejoinResponse& r) {
  if (r.retry_proof_from) return json{{"retry", {{"proof_from", *r.retry_proof_from}}}}.dump();
  return json{{"outcome", RejoinOutcomeName(r.outcome)}, {"lost", r.lost}}.dump();
}

Result<RejoinResponse> DecodeRejoinResponse(std::string_view text) {
  auto doc = JsonDocument::Parse(text, kResponseWhat, kLimits);
  if (!doc) return std::unexpected(doc.error());
  const JsonObject& j = doc->Root();
  RejoinResponse r;
  if (j.Has("retry")) {
    auto from = schema::witness::ReadRetry(j);
    if (!from) return std::unexpected(from.error());
    r.retry_proof_from = *from;
    return r;
  }
  INBEELD_RETURN_IF_ERROR(j.OnlyMembers({"outcome", "lost"}));
  auto outcome = j.String("outcome", JsonString::Text(16));
  if (!outcome) return std::unexpected(outcome.error());
  auto lost = j.Uint("lost");
  if (!lost) return std::unexpected(lost.error());
  if (*outcome == "pending") {
    r.outcome = RejoinOutcome::kPending;
  } else if (*outcome == "accepted") {
    r.outcome = RejoinOutcome::kAccepted;
  } else if (*outcome == "not_needed") {
    r.outcome = RejoinOutcome::kNotNeeded;
  } else {
    return std::unexpected(j.ErrorAt("outcome", "not pending, accepted or not_needed"));
  }
  r.lost = *lost;
  return r;
}

Result<std::optional<uint64_t>> LatestRestore(AuditLog& log) {
  return log.LatestIndexNamed(kRestoredEvent);
}

Result<RejoinRequest> MakeRejoinRequest(AuditLog& log, const WitnessPeer& peer,
                                        uint64_t proof_from) {
  auto restored = LatestRestore(log);
  if (!restored) return std::unexpected(restored.error());
  if (!*restored) {
    return Fail(ErrorCode::kFailedPrecondition,
                "this node was never restored from a backup: there is nothing to rejoin");
  }
  const uint64_t r = **restored;
  auto own = log.Checkpoint();
  if (!own) return std::unexpected(own.error());
  RejoinRequest request;
  request.checkpoint = own->note;
  request.restore_index = r;
  auto line = log.tree().Leaf(r);
  if (!line) return std::unexpected(line.error());
  request.restore_record = *line;
  auto inclusion = log.tree().InclusionProof(r, own->size);
  if (!inclusion) return std::unexpected(inclusion.error());
  request.inclusion = *inclusion;
  if (proof_from == UINT64_MAX) {
    auto cosigned = log.LastCosignedSize(peer.key.Fingerprint());
    if (!cosigned) return std::unexpected(cosigned.error());
    proof_from = std::min<uint64_t>(*cosigned, r);
  }
  if (proof_from > r) {
    return Fail(ErrorCode::kInvalidArgument,
                "peer \"" + peer.name + "\" asked for a proof from beyond the backup");
  }
  request.proof_from = proof_from;
  if (proof_from > 0) {
    auto proof = log.tree().ConsistencyProof(proof_from, own->size);
    if (!proof) return std::unexpected(proof.error());
    request.proof = *proof;
  }
  return request;
}

Result<RejoinResponse> AnswerRejoin(AuditLog& log, const WitnessPeer& peer,
                                    const RejoinRequest& request) {
  std::optional<uint64_t> retry;
  bool already_accepted = false;
  uint64_t accepted_lost = 0;
  auto checked = Check(log, peer, request, retry, already_accepted, accepted_lost);
  if (!checked) return std::unexpected(checked.error());
  RejoinResponse response;
  if (retry) {
    response.retry_proof_from = retry;
    return response;
  }
  if (!*checked) {
    response.outcome = already_accepted ? RejoinOutcome::kAccepted : RejoinOutcome::kNotNeeded;
    response.lost = accepted_lost;
    return response;
  }
  const Checked& c = **checked;
  response.outcome = RejoinOutcome::kPending;
  response.lost = Lost(c);
  auto before = log.store().GetMeta(PendingKey(peer));
  if (!before) return std::unexpected(before.error());
  const std::string pending = EncodePending(request, NowIso(log.clock()));
  bool first = true;
  if (!before->empty()) {
    // A damaged earlier request is replaced, and this one recorded.
    auto old = DecodePending(*before, peer);
    auto old_request = old ? DecodeRejoinRequest(old->request) : Result<RejoinRequest>();
    first = !old || !old_request || old_request->restore_index != request.restore_index;
  }
  Status kept = log.InTransaction([&]() -> Status {
    INBEELD_RETURN_IF_ERROR(log.store().PutMeta(PendingKey(peer), pending));
    if (!first) return {};
    return log.AppendInTransaction(
        {EventRecord(log.clock(), "inbeeld.witness.peer_restore_requested", true,
                     {{"inbeeld.peer", peer.name},
                      {"inbeeld.peer_key", peer.key.Fingerprint()},
                      {"inbeeld.restore_index", std::to_string(c.restore_index)},
                      {"inbeeld.lost_records", std::to_string(Lost(c))}})});
  });
  if (!kept) return std::unexpected(kept.error());
  return response;
}

Result<std::optional<PendingRestore>> PendingRestoreOf(AuditLog& log, const WitnessPeer& peer) {
  auto stored = log.store().GetMeta(PendingKey(peer));
  if (!stored) return std::unexpected(stored.error());
  if (stored->empty()) return std::optional<PendingRestore>();
  auto pending = DecodePending(*stored, peer);
  if (!pending) return std::unexpected(pending.error());
  auto request = DecodeRejoinRequest(pending->request);
  if (!request) return std::unexpected(request.error());
  auto last = log.LastWitnessed(peer.key.Fingerprint());
  if (!last) return std::unexpected(last.error());
  PendingRestore out;
  out.restore_index = request->restore_index;
  out.lost =
      *last && (*last)->size > request->restore_index ? (*last)->size - request->restore_index : 0;
  out.received_at = pending->received_at;
  return std::optional<PendingRestore>(out);
}

Result<uint64_t> AcceptRestore(AuditLog& log, const WitnessPeer& peer) {
  auto stored = log.store().GetMeta(PendingKey(peer));
  if (!stored) return std::unexpected(stored.error());
  if (stored->empty()) {
    return Fail(ErrorCode::kFailedPrecondition,
                "peer \"" + peer.name +
                    "\" has not asked to rejoin after a restore (on that node: `inbeeld peer "
                    "rejoin`)");
  }
  auto pending = DecodePending(*stored, peer);
  if (!pending) return std::unexpected(pending.error());
  auto request = DecodeRejoinRequest(pending->request);
  if (!request) return std::unexpected(request.error());
  std::optional<uint64_t> retry;
  bool already_accepted = false;
  uint64_t accepted_lost = 0;
  auto checked = Check(log, peer, *request, retry, already_accepted, accepted_lost);
  if (!checked) return std::unexpected(checked.error());
  if (retry || !*checked) {
    INBEELD_RETURN_IF_ERROR(log.store().PutMeta(PendingKey(peer), ""));
    return Fail(ErrorCode::kFailedPrecondition,
                "the rejoin request of \"" + peer.name +
                    "\" no longer applies (witnessing moved on); it can ask again");
  }
  INBEELD_RETURN_IF_ERROR(RecordAccepted(log, peer, **checked, "operator"));
  return Lost(**checked);
}

Status RecordRejoined(AuditLog& log, const WitnessPeer& peer, uint64_t restore_index,
                      uint64_t lost) {
  auto before = log.store().GetMeta(RejoinedKey(peer));
  if (!before) return std::unexpected(before.error());
  if (*before == std::to_string(restore_index)) return {};
  return log.InTransaction([&]() -> Status {
    INBEELD_RETURN_IF_ERROR(log.store().PutMeta(RejoinedKey(peer), std::to_string(restore_index)));
    return log.AppendInTransaction(
        {EventRecord(log.clock(), "inbeeld.log.rejoined", true,
                     {{"inbeeld.peer", peer.name},
                      {"inbeeld.peer_key", peer.key.Fingerprint()},
                      {"inbeeld.restore_index", std::to_string(restore_index)},
                      {"inbeeld.lost_records", std::to_string(lost)}})});
  });
}

}  // namespace inbeeld::node::audit
