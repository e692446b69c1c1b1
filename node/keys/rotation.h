// node/keys/rotation.h — announcing a new identity key to a peer that has the
// old one pinned, so the partners need not compare a new fingerprint by
// phone. Transport-free: the announcer makes a message, the receiver turns it
// into a decision; the HTTPS route, the store and the configuration are the
// caller's. docs/PROTOCOL.md §12 has the exchange, SECURITY.md the lifecycle.
//
// The exchange (one round trip over the existing mutual TLS, still under the
// old key, so the peer knows which pin the announcement is about):
//
//   X → Y  POST /v1/key/rotate   KeyRotation (schema/key_rotation.h):
//          X's name, old key A, new key B, issued_at, sig_old = Sign_A(m),
//          sig_new = Sign_B(m), m = SignedBytes (domain-separated)
//   Y → X  200 {"pinned": "ed25519:<hex of B>"}
//
// The receiver (RotationReceiver::Verify) accepts only when, in this order:
//   1. the message decodes strictly (kInvalidArgument);
//   2. A is exactly the key Y pinned for the TLS peer the message came from
//      (kUnauthenticated) — an announcement about someone else's key, or an
//      earlier rotation replayed after the pin moved on, fails here;
//   3. A and B are valid Ed25519 points (kInvalidArgument);
//   4. sig_old verifies under A (kUnauthenticated: forged) and sig_new under
//      B (kUnauthenticated: no proof of possession of B);
//   5. issued_at is later than the last rotation Y accepted from that peer
//      (kFailedPrecondition: replayed), not more than kMaxClockSkew ahead of
//      Y's clock (kInvalidArgument) and not older than kMaxAge
//      (kFailedPrecondition: stale; the announcer signs afresh each time it
//      announces, so a genuine announcement is never that old).
// Then Y records the rotation in its audit log, moves its witness state for
// X from A to B and pins B in place of A: that is the caller's.
//
// Thread safety: pure functions over their arguments; safe from any thread.
#ifndef INBEELD_NODE_KEYS_ROTATION_H_
#define INBEELD_NODE_KEYS_ROTATION_H_

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/error.h"
#include "crypto/signing.h"
#include "schema/key_rotation.h"

namespace inbeeld::node::keys {

inline constexpr uint64_t kMaxClockSkewSeconds = 10 * 60;
inline constexpr uint64_t kMaxAgeSeconds = 7 * 24 * 60 * 60;

// The announcement of `next` by the holder of `current`, signed by both.
// Errors: kInvalidArgument for a bad name (schema/key_rotation.h).
Result<std::vector<uint8_t>> Announce(const crypto::SigningKey& current,
                                      const crypto::SigningKey& next, const std::string& node_name,
                                      uint64_t issued_at);

struct AcceptedRotation {
  crypto::VerifyingKey old_key;
  crypto::VerifyingKey new_key;
  uint64_t issued_at;
  std::string node_name;  // as the announcer calls itself; for people only
};

// Steps 1, 3 and 4 above without a pin or a clock: what an auditor checks of
// an announcement a node kept in its own log (`audit verify` follows the
// node's key from A to B through it). Errors as above.
Result<AcceptedRotation> VerifyAnnouncement(std::span<const uint8_t> body);

class RotationReceiver {
 public:
  // `pinned`: the key pinned for the TLS peer `body` came from.
  // `last_accepted`: issued_at of the last rotation accepted from that peer,
  // 0 for none. `now`: the receiver's clock, Unix seconds.
  // Errors as listed above; messages never echo the payload.
  static Result<AcceptedRotation> Verify(std::span<const uint8_t> body,
                                         const crypto::VerifyingKey& pinned, uint64_t last_accepted,
                                         uint64_t now);
};

}  // namespace inbeeld::node::keys

#endif  // INBEELD_NODE_KEYS_ROTATION_H_
