// node/key_rotation.h — the receiving side of a peer's key rotation
// (docs/PROTOCOL.md §12): `POST /v1/key/rotate` from a pinned peer, verified
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
#ifndef INBEELD_NODE_KEY_ROTATION_H_
#define INBEELD_NODE_KEY_ROTATION_H_

#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "base/error.h"
#include "node/node_dir.h"

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

}  // namespace inbeeld::node

#endif  // INBEELD_NODE_KEY_ROTATION_H_
