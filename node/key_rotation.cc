#include "node/key_rotation.h"

#include <sodium.h>

#include <charconv>
#include <chrono>
#include <nlohmann/json.hpp>

#include "crypto/bytes.h"
#include "node/audit/audit_log.h"
#include "node/audit/exchange_records.h"
#include "node/keys/rotation.h"
#include "node/sqlite_util.h"

namespace inbeeld::node {
namespace {

std::string LastAcceptedKey(std::string_view peer) {
  return "key_rotation.last_accepted." + std::string(peer);
}

}  // namespace

Result<std::string> KeyRotationResponder::Handle(std::string_view peer, std::string_view body) {
  std::lock_guard lock(mu_);
  auto answer = HandleLocked(peer, body);
  if (!answer) {
    // Fail closed, and visibly: every refused announcement is in the log.
    audit::AuditLog log(*node_.store, node_.identity);
    Status recorded = log.Append({audit::EventRecord(
        node_.clock(), "inbeeld.peer.key.rotation_refused", false,
        {{"inbeeld.peer", std::string(peer)}, {"inbeeld.reason", answer.error().message}})});
    if (!recorded) return std::unexpected(recorded.error());
  }
  return answer;
}

Result<std::string> KeyRotationResponder::HandleLocked(std::string_view peer,
                                                       std::string_view body) {
  // The file, not the copy loaded at start: the pin may have moved since.
  auto cfg = dir_.ReadConfig();
  if (!cfg) return std::unexpected(cfg.error());
  node_.config = *cfg;
  const config::PeerConfig* pinned_peer = cfg->FindPeer(peer);
  if (pinned_peer == nullptr) {
    return Fail(ErrorCode::kUnauthenticated, "key rotation: the peer is no longer configured");
  }
  auto pinned = crypto::VerifyingKey::FromFingerprint(pinned_peer->key);
  if (!pinned) return std::unexpected(pinned.error());
  auto last_text = node_.store->GetMeta(LastAcceptedKey(peer));
  if (!last_text) return std::unexpected(last_text.error());
  uint64_t last = 0;
  if (!last_text->empty()) {
    auto [end, ec] = std::from_chars(last_text->data(), last_text->data() + last_text->size(), last);
    if (ec != std::errc() || end != last_text->data() + last_text->size()) {
      return Fail(ErrorCode::kDataLoss, "the stored time of the peer's last key rotation is malformed");
    }
  }
  const auto now = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(node_.clock().Now().time_since_epoch()).count());
  const auto bytes = std::span(reinterpret_cast<const uint8_t*>(body.data()), body.size());
  auto accepted = keys::RotationReceiver::Verify(bytes, *pinned, last, now);
  if (!accepted) return std::unexpected(accepted.error());
  const std::string old_fp = accepted->old_key.Fingerprint();
  const std::string new_fp = accepted->new_key.Fingerprint();
  if (const auto* other = cfg->FindPeerByKey(new_fp); other != nullptr) {
    return Fail(ErrorCode::kInvalidArgument, "key rotation: the new key is pinned for another peer");
  }
  std::array<uint8_t, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), bytes.data(), bytes.size());

  audit::AuditLog log(*node_.store, node_.identity);
  Status recorded = log.InTransaction([&]() -> Status {
    INBEELD_RETURN_IF_ERROR(log.AppendInTransaction({audit::EventRecord(
        node_.clock(), "inbeeld.peer.key.rotated", true,
        {{"inbeeld.peer", std::string(peer)},
         {"inbeeld.peer_key.old", old_fp},
         {"inbeeld.peer_key", new_fp},
         {"inbeeld.issued_at", std::to_string(accepted->issued_at)},
         {"inbeeld.announcement_sha256", crypto::HexEncode(digest)}})}));
    // The peer's log goes on under the new key: rollback and fork checks
    // continue from what was witnessed under the old one.
    auto move = Statement::Prepare(node_.store->handle(),
                                   "UPDATE OR REPLACE witnessed_checkpoints SET peer_key = ? "
                                   "WHERE peer_key = ?");
    if (!move) return std::unexpected(move.error());
    INBEELD_RETURN_IF_ERROR(move->Bind(1, new_fp));
    INBEELD_RETURN_IF_ERROR(move->Bind(2, old_fp));
    INBEELD_RETURN_IF_ERROR(move->Run());
    return node_.store->PutMeta(LastAcceptedKey(peer), std::to_string(accepted->issued_at));
  });
  if (!recorded) return std::unexpected(recorded.error());
  INBEELD_RETURN_IF_ERROR(dir_.RepinPeer(peer, new_fp, node_));
  if (repinned_) repinned_(std::string(peer));
  return nlohmann::json{{"pinned", new_fp}}.dump();
}

}  // namespace inbeeld::node
