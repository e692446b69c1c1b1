#include "node/keys/rotation.h"

namespace inbeeld::node::keys {

Result<std::vector<uint8_t>> Announce(const crypto::SigningKey& current,
                                      const crypto::SigningKey& next, const std::string& node_name,
                                      uint64_t issued_at) {
  schema::KeyRotation rotation;
  rotation.node_name = node_name;
  rotation.old_key = current.PublicKey().bytes();
  rotation.new_key = next.PublicKey().bytes();
  rotation.issued_at = issued_at;
  auto message = schema::KeyRotationSignedBytes(rotation);
  if (!message) return message;
  rotation.sig_old = current.Sign(*message);
  rotation.sig_new = next.Sign(*message);
  return schema::EncodeKeyRotation(rotation);
}

namespace {

// Steps 3 and 4: valid points, both signatures.
Result<AcceptedRotation> CheckSignatures(const schema::KeyRotation& rotation) {
  auto old_key = crypto::VerifyingKey::FromBytes(rotation.old_key);
  if (!old_key) return Fail(ErrorCode::kInvalidArgument, "key rotation: the old key is not valid");
  auto new_key = crypto::VerifyingKey::FromBytes(rotation.new_key);
  if (!new_key) return Fail(ErrorCode::kInvalidArgument, "key rotation: the new key is not valid");
  auto message = schema::KeyRotationSignedBytes(rotation);
  if (!message) return std::unexpected(message.error());
  if (!old_key->Verify(*message, rotation.sig_old)) {
    return Fail(ErrorCode::kUnauthenticated,
                "key rotation: not signed by the old key (forged or altered)");
  }
  if (!new_key->Verify(*message, rotation.sig_new)) {
    return Fail(ErrorCode::kUnauthenticated,
                "key rotation: not signed by the new key (no proof of possession)");
  }
  return AcceptedRotation{*old_key, *new_key, rotation.issued_at, rotation.node_name};
}

}  // namespace

Result<AcceptedRotation> VerifyAnnouncement(std::span<const uint8_t> body) {
  auto rotation = schema::DecodeKeyRotation(body);
  if (!rotation) return std::unexpected(rotation.error());
  return CheckSignatures(*rotation);
}

Result<AcceptedRotation> RotationReceiver::Verify(std::span<const uint8_t> body,
                                                  const crypto::VerifyingKey& pinned,
                                                  uint64_t last_accepted, uint64_t now) {
  auto rotation = schema::DecodeKeyRotation(body);
  if (!rotation) return std::unexpected(rotation.error());
  if (rotation->old_key != pinned.bytes()) {
    return Fail(ErrorCode::kUnauthenticated,
                "key rotation: the old key is not the key pinned for this peer");
  }
  auto accepted = CheckSignatures(*rotation);
  if (!accepted) return accepted;
  if (rotation->issued_at <= last_accepted) {
    return Fail(ErrorCode::kFailedPrecondition,
                "key rotation: replayed, or not newer than the last rotation accepted from this "
                "peer");
  }
  if (rotation->issued_at > now + kMaxClockSkewSeconds) {
    return Fail(ErrorCode::kInvalidArgument, "key rotation: issued in the future");
  }
  if (now > rotation->issued_at + kMaxAgeSeconds) {
    return Fail(ErrorCode::kFailedPrecondition,
                "key rotation: issued more than 7 days ago; the node announces afresh");
  }
  return accepted;
}

}  // namespace inbeeld::node::keys
