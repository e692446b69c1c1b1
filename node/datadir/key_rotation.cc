#include "node/datadir/key_rotation.h"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <nlohmann/json.hpp>

#include "crypto/bytes.h"
#include "node/audit/audit_log.h"
#include "node/audit/base64.h"
#include "node/audit/exchange_records.h"
#include "node/datadir/witness_state_store.h"
#include "node/keys/rotation.h"

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
    auto [end, ec] =
        std::from_chars(last_text->data(), last_text->data() + last_text->size(), last);
    if (ec != std::errc() || end != last_text->data() + last_text->size()) {
      return Fail(ErrorCode::kDataLoss,
                  "the stored time of the peer's last key rotation is malformed");
    }
  }
  const auto now = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(node_.clock().Now().time_since_epoch())
          .count());
  const auto bytes = std::span(reinterpret_cast<const uint8_t*>(body.data()), body.size());
  auto accepted = keys::RotationReceiver::Verify(bytes, *pinned, last, now);
  if (!accepted) return std::unexpected(accepted.error());
  const std::string old_fp = accepted->old_key.Fingerprint();
  const std::string new_fp = accepted->new_key.Fingerprint();
  if (const auto* other = cfg->FindPeerByKey(new_fp); other != nullptr) {
    return Fail(ErrorCode::kInvalidArgument,
                "key rotation: the new key is pinned for another peer");
  }
  std::array<uint8_t, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), bytes.data(), bytes.size());

  audit::AuditLog log(*node_.store, node_.identity);
  Status recorded = log.InTransaction([&]() -> Status {
    INBEELD_RETURN_IF_ERROR(log.AppendInTransaction(
        {audit::EventRecord(node_.clock(), "inbeeld.peer.key.rotated", true,
                            {{"inbeeld.peer", std::string(peer)},
                             {"inbeeld.peer_key.old", old_fp},
                             {"inbeeld.peer_key", new_fp},
                             {"inbeeld.issued_at", std::to_string(accepted->issued_at)},
                             {"inbeeld.announcement_sha256", crypto::HexEncode(digest)}})}));
    // The peer's log goes on under the new key: rollback and fork checks
    // continue from what was witnessed under the old one.
    INBEELD_RETURN_IF_ERROR(WitnessStateStore(*node_.store).MoveToNewKey(old_fp, new_fp));
    return node_.store->PutMeta(LastAcceptedKey(peer), std::to_string(accepted->issued_at));
  });
  if (!recorded) return std::unexpected(recorded.error());
  INBEELD_RETURN_IF_ERROR(dir_.RepinPeer(peer, new_fp, node_));
  if (repinned_) repinned_(std::string(peer));
  return nlohmann::json{{"pinned", new_fp}}.dump();
}

}  // namespace inbeeld::node

// ---------------------------------------------------------------------------
// The announcing side.

namespace inbeeld::node {
namespace {

constexpr const char* kPendingMeta = "node_key.pending";

uint64_t NowSeconds(const Clock& clock) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(clock.Now().time_since_epoch()).count());
}

std::string Joined(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

Status WritePending(Store& store, const std::vector<std::string>& pending) {
  return store.PutMeta(kPendingMeta, nlohmann::json(pending).dump());
}

}  // namespace

Result<KeyRotationState> ReadKeyRotationState(Store& store) {
  KeyRotationState state;
  auto pending = store.GetMeta(kPendingMeta);
  if (!pending) return std::unexpected(pending.error());
  if (!pending->empty()) {
    auto j = nlohmann::json::parse(*pending, nullptr, false);
    bool ok = j.is_array();
    for (const auto& name : ok ? j : nlohmann::json::array()) {
      ok = ok && name.is_string();
      if (ok) state.pending.push_back(name.get<std::string>());
    }
    if (!ok)
      return Fail(ErrorCode::kDataLoss,
                  "the stored list of partners to tell of the new key is malformed");
  }
  auto kept = store.HasSecret(kPreviousIdentitySeedSecret);
  if (!kept) return std::unexpected(kept.error());
  state.previous_key_kept = *kept;
  return state;
}

Result<SwitchedKey> SwitchIdentityKey(const NodeDir& dir, UnlockedNode& node) {
  auto state = ReadKeyRotationState(*node.store);
  if (!state) return std::unexpected(state.error());
  if (!state->pending.empty() || state->previous_key_kept) {
    return Fail(
        ErrorCode::kFailedPrecondition,
        state->pending.empty()
            ? "an earlier key rotation is unfinished: run `inbeeld key rotate --finish` first"
            : "an earlier key rotation still has partners to tell (" +
                  Joined(state->pending, ", ") +
                  "): run `inbeeld key rotate --finish` when they are reachable (after "
                  "`inbeeld peer remove` for any that will not be), first");
  }
  crypto::SigningKey next = crypto::SigningKey::Generate();
  const uint64_t issued_at = NowSeconds(node.clock());
  auto announcement = keys::Announce(node.identity, next, node.config.node_name, issued_at);
  if (!announcement) return std::unexpected(announcement.error());

  SwitchedKey switched{node.identity.PublicKey().Fingerprint(), next.PublicKey().Fingerprint(), 0};
  std::vector<std::string> partners;
  for (const auto& peer : node.config.peers) partners.push_back(peer.name);
  audit::AuditLog old_log(*node.store, node.identity);
  Status committed = old_log.InTransaction([&]() -> Status {
    auto size = old_log.Size();
    if (!size) return std::unexpected(size.error());
    switched.record_index = *size;
    INBEELD_RETURN_IF_ERROR(old_log.AppendInTransaction(
        {audit::EventRecord(node.clock(), "inbeeld.node.key.rotated", true,
                            {{"inbeeld.node_key.old", switched.old_fingerprint},
                             {"inbeeld.node_key", switched.new_fingerprint},
                             {"inbeeld.issued_at", std::to_string(issued_at)},
                             {"inbeeld.announcement", audit::Base64(*announcement)},
                             {"inbeeld.partners", std::to_string(partners.size())}})}));
    // The old key's last checkpoint: the one that covers its own rotation.
    auto checkpoint = old_log.Checkpoint();
    if (!checkpoint) return std::unexpected(checkpoint.error());
    if (checkpoint->size != *size + 1) {
      return Fail(ErrorCode::kInternal, "the log grew while the key was switched");
    }
    INBEELD_RETURN_IF_ERROR(
        node.store->SetSecret(kPreviousIdentitySeedSecret, node.identity.SeedForStorage()));
    INBEELD_RETURN_IF_ERROR(node.store->SetSecret(kIdentitySeedSecret, next.SeedForStorage()));
    INBEELD_RETURN_IF_ERROR(WritePending(*node.store, partners));
    INBEELD_RETURN_IF_ERROR(
        old_log.RetireKeyInTransaction(checkpoint->size, audit::Base64(*announcement)));
    // The new key's first checkpoint, in the same transaction: every export
    // from now on ends at a checkpoint the new key signed, which covers the
    // whole log (so nobody holding only the old key can rewrite what came
    // before the change).
    audit::AuditLog new_log(*node.store, next);
    INBEELD_RETURN_IF_ERROR(new_log.AppendInTransaction(
        {audit::EventRecord(node.clock(), "inbeeld.node.key.activated", true,
                            {{"inbeeld.node_key", switched.new_fingerprint}})}));
    auto first = new_log.Checkpoint();
    if (!first) return std::unexpected(first.error());
    return {};
  });
  if (!committed) return std::unexpected(committed.error());
  // node.json last: an unlock finishes this step if it did not happen.
  if (Status written = dir.WriteFingerprint(switched.new_fingerprint); !written) {
    return std::unexpected(
        WithContext(written.error(),
                    "the key changed in the store, but node.json could not be written (the "
                    "next command that opens the node finishes it; then run `inbeeld key "
                    "rotate --finish`)"));
  }
  node.identity = std::move(next);
  node.metadata.fingerprint = switched.new_fingerprint;
  return switched;
}

Result<AnnounceReport> AnnounceKeyRotation(UnlockedNode& node, const SendAnnouncement& send) {
  auto state = ReadKeyRotationState(*node.store);
  if (!state) return std::unexpected(state.error());
  if (!state->previous_key_kept) {
    return Fail(ErrorCode::kFailedPrecondition,
                "no key rotation is waiting for partners: every partner has this node's key");
  }
  auto seed = node.store->GetSecret(kPreviousIdentitySeedSecret);
  if (!seed) return std::unexpected(seed.error());
  auto previous = crypto::SigningKey::FromSeed(seed->RevealForCrypto());
  if (!previous) return std::unexpected(previous.error());

  AnnounceReport report;
  std::vector<std::string> accepted, still, dropped;
  for (const auto& name : state->pending) {
    const config::PeerConfig* peer = node.config.FindPeer(name);
    if (peer == nullptr) {
      dropped.push_back(name);
      report.outcomes.push_back(
          {name, false, "no longer a partner (removed from the configuration)"});
      continue;
    }
    // Signed afresh each time: a partner refuses an announcement older than
    // 7 days, and one not newer than the last it accepted.
    auto announcement =
        keys::Announce(*previous, node.identity, node.config.node_name, NowSeconds(node.clock()));
    if (!announcement) return std::unexpected(announcement.error());
    Status sent = send(*peer, *previous, *announcement);
    if (sent) {
      accepted.push_back(name);
      report.outcomes.push_back({name, true, ""});
    } else {
      // The log keeps the kind of failure; the partner's own words go to
      // the terminal only.
      still.push_back(name + ": " + std::string(ErrorCodeName(sent.error().code)));
      report.outcomes.push_back({name, false, sent.error().message});
    }
  }
  audit::AuditLog log(*node.store, node.identity);
  Status recorded = log.InTransaction([&]() -> Status {
    // Read again under the write lock: another `--finish` may have run
    // meanwhile. What is left is what both left.
    auto now_state = ReadKeyRotationState(*node.store);
    if (!now_state) return std::unexpected(now_state.error());
    std::vector<std::string> remaining;
    for (const auto& name : now_state->pending) {
      const bool told = std::find(accepted.begin(), accepted.end(), name) != accepted.end();
      const bool gone = std::find(dropped.begin(), dropped.end(), name) != dropped.end();
      if (!told && !gone) remaining.push_back(name);
    }
    report.previous_key_erased = remaining.empty() && now_state->previous_key_kept;
    INBEELD_RETURN_IF_ERROR(log.AppendInTransaction({audit::EventRecord(
        node.clock(), "inbeeld.node.key.announced", remaining.empty(),
        {{"inbeeld.node_key", node.identity.PublicKey().Fingerprint()},
         {"inbeeld.accepted_by", Joined(accepted, ", ")},
         {"inbeeld.not_yet", Joined(still, "; ")},
         {"inbeeld.no_longer_partners", Joined(dropped, ", ")},
         {"inbeeld.previous_key_erased", report.previous_key_erased ? "true" : "false"}})}));
    INBEELD_RETURN_IF_ERROR(WritePending(*node.store, remaining));
    if (report.previous_key_erased) {
      INBEELD_RETURN_IF_ERROR(node.store->DeleteSecret(kPreviousIdentitySeedSecret));
    }
    return {};
  });
  if (!recorded) return std::unexpected(recorded.error());
  // A checkpoint that covers the record (the witness exchange sends it).
  auto checkpoint = log.Checkpoint();
  if (!checkpoint) return std::unexpected(checkpoint.error());
  return report;
}

}  // namespace inbeeld::node
