// node/datadir/key_rotation.h — a node's side of identity-key rotation
// (docs/PROTOCOL.md §12), both ways: switching to a new key and announcing it
// (`inbeeld key rotate`, below KeyRotationResponder), and accepting a peer's
// announcement.
//
// The receiving side: `POST /v1/key/rotate` from a pinned peer, verified
// by node/keys/rotation.h, then recorded, applied to the witness state and
// written to inbeeld.toml.
//
// On acceptance, in this order:
//   1. one transaction: the audit record inbeeld.peer.key.rotated (peer, old
//      and new key, issued_at, SHA-256 of the message); the witness state of
//      the peer (witnessed_checkpoints) moves from the old key to the new one,
//      so its log is still checked for rollback and forks across the
//      rotation; the issued_at is kept as the peer's last accepted rotation;
//   2. inbeeld.toml: the peer's `key` becomes the new fingerprint (every other
//      byte of the file stays), and the configuration's hash is recorded so
//      the next unlock does not report it as a hand edit;
//   3. the `repinned` hook runs with the peer's name: the serving process
//      reloads its pins there (the TLS pin set is built from the
//      configuration at start; until it reloads, the peer's new key is not
//      accepted in a handshake — the old one still is).
// A crash between 1 and 2 leaves the old pin; the announcer's next attempt
// (signed afresh) passes again and completes 2. Every refusal is an audit
// record inbeeld.peer.key.rotation_refused with the reason.
//
// Thread safety: Handle may be called from several threads; it serialises
// on its own mutex and uses its own UnlockedNode (its own connection).
#ifndef INBEELD_NODE_DATADIR_KEY_ROTATION_H_
#define INBEELD_NODE_DATADIR_KEY_ROTATION_H_

#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "node/datadir/node_dir.h"

namespace inbeeld::node {

class KeyRotationResponder {
 public:
  using RepinnedHook = std::function<void(const std::string& peer)>;
  // `dir` and `node` must outlive the responder; `node` is used by it alone.
  KeyRotationResponder(const NodeDir& dir, UnlockedNode& node, RepinnedHook repinned = {})
      : dir_(dir), node_(node), repinned_(std::move(repinned)) {}

  // The request of pinned peer `peer` (its name from the TLS handshake).
  // Returns the response body {"pinned":"ed25519:<hex>"}; errors as in
  // node/keys/rotation.h, plus kUnauthenticated for a peer no longer
  // configured and kInvalidArgument for a new key pinned for another peer.
  Result<std::string> Handle(std::string_view peer, std::string_view body);

 private:
  Result<std::string> HandleLocked(std::string_view peer, std::string_view body);

  const NodeDir& dir_;
  UnlockedNode& node_;
  RepinnedHook repinned_;
  std::mutex mu_;
};

// ---------------------------------------------------------------------------
// The announcing side: this node X moves from its key A to a new key B.
//
// SwitchIdentityKey, with the node open by this process alone (the caller
// holds the lock exclusively), in one transaction:
//   1. appends inbeeld.node.key.rotated at leaf R: old key A, new key B,
//      issued_at and the announcement signed by both (node/keys/rotation.h,
//      base64), so `audit verify` can follow the key from A to B;
//   2. signs, with A, the checkpoint of size R+1 that covers it: A signs no
//      larger checkpoint, B none of size R+1 or smaller;
//   3. B's seed becomes the identity secret and A's the previous one; the
//      partners to announce to (every configured peer) are kept, and A joins
//      the log's previous keys (audit::AuditLog::PreviousKeys, through size
//      R+1, with the announcement), which the export lists for `audit verify`;
//   4. appends inbeeld.node.key.activated at leaf R+1 and signs, with B, the
//      checkpoint of size R+2: every export from then on ends at a
//      checkpoint of B, which covers the whole log, so a holder of A alone
//      cannot rewrite what came before the change.
// Then node.json names B's fingerprint. A crash between the commit and that
// write is finished by the next unlock (NodeDir::Unlock sees the store's
// previous key match node.json and rolls forward). `node.identity` becomes B.
//
// AnnounceKeyRotation tells each partner still to be told, over mutual TLS
// under A (the key they pin), with an announcement signed afresh (a partner
// refuses one older than 7 days), through `send`; it records one
// inbeeld.node.key.announced (accepted partners, and each partner still to
// tell with the kind of failure; the partner's words go to the caller
// only), signs a checkpoint under B, and, once no partner is left, erases
// A's seed (recorded in the same record). Partners removed from the
// configuration since are dropped. What is left is read again inside the
// record's transaction, so two runs at once leave what both left. `inbeeld key rotate --finish`
// calls it again for those that were down.
//
// Thread safety: like UnlockedNode, one thread at a time.

struct KeyRotationState {
  // Partners that have not yet accepted the current key (by name).
  std::vector<std::string> pending;
  // Whether the previous key's seed is still kept (to announce with).
  bool previous_key_kept = false;
};

Result<KeyRotationState> ReadKeyRotationState(Store& store);

struct SwitchedKey {
  std::string old_fingerprint;
  std::string new_fingerprint;
  uint64_t record_index = 0;  // R
};

// Errors: kFailedPrecondition while an earlier rotation still has partners
// to tell (finish or drop them first); the store's and node.json's errors.
Result<SwitchedKey> SwitchIdentityKey(const NodeDir& dir, UnlockedNode& node);

// What a partner said to an announcement: OK when it now pins the new key.
// `send` gets the partner, the key the TLS client must present (the previous
// one) and the announcement's bytes.
using SendAnnouncement =
    std::function<Status(const config::PeerConfig& peer, const crypto::SigningKey& previous,
                         std::span<const uint8_t> announcement)>;

struct AnnouncementOutcome {
  std::string peer;
  bool accepted = false;
  std::string reason;  // why not, for the operator (no payload)
};

struct AnnounceReport {
  std::vector<AnnouncementOutcome> outcomes;  // in configuration order
  bool previous_key_erased = false;
};

// Errors: kFailedPrecondition when no rotation is pending; the store's.
// A partner's refusal or absence is an outcome, not an error.
Result<AnnounceReport> AnnounceKeyRotation(UnlockedNode& node, const SendAnnouncement& send);

}  // namespace inbeeld::node

#endif  // INBEELD_NODE_DATADIR_KEY_ROTATION_H_
