// Fuzzes the key rotation announcement (schema/key_rotation.h) and its
// verification (node/keys/rotation.h) with a body as a pinned peer sends it
// to POST /v1/key/rotate.
//
// Invariants beyond "no crash": decoding is strict, so a message that
// decodes re-encodes byte for byte; a message the receiver accepts names the
// pinned key as its old key, a different valid new key and a time within the
// window; and the same bytes are never accepted for a peer pinned with
// another key, nor again once their time was accepted (a replay).
#include <string_view>

#include "fuzz/fuzz_target.h"
#include "fuzz/keys.h"
#include "node/keys/rotation.h"
#include "schema/key_rotation.h"

INBEELD_FUZZ_TARGET(key_rotation) {
  using namespace inbeeld;
  const std::span<const uint8_t> bytes(data, size);
  auto decoded = schema::DecodeKeyRotation(bytes);
  if (decoded) {
    auto again = schema::EncodeKeyRotation(*decoded);
    INBEELD_FUZZ_CHECK(again && std::equal(again->begin(), again->end(), bytes.begin(),
                                           bytes.end()));
  }
  const crypto::VerifyingKey pinned = fuzz::LogKey().PublicKey();
  const uint64_t now = fuzz::kKeyRotationNow;
  auto accepted = node::keys::RotationReceiver::Verify(bytes, pinned, 0, now);
  if (!accepted) return;
  INBEELD_FUZZ_CHECK(decoded.has_value());
  INBEELD_FUZZ_CHECK(accepted->old_key == pinned);
  INBEELD_FUZZ_CHECK(accepted->new_key != pinned);
  INBEELD_FUZZ_CHECK(accepted->issued_at + node::keys::kMaxAgeSeconds >= now);
  INBEELD_FUZZ_CHECK(accepted->issued_at <= now + node::keys::kMaxClockSkewSeconds);
  INBEELD_FUZZ_CHECK(!node::keys::RotationReceiver::Verify(bytes, fuzz::WitnessKey().PublicKey(), 0, now));
  INBEELD_FUZZ_CHECK(!node::keys::RotationReceiver::Verify(bytes, pinned, accepted->issued_at, now));
}
