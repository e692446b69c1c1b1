// fuzz/keys.h — fixed Ed25519 keys for the harnesses and their seeds, so a
// seed signed by make_corpus verifies in the harness (and mutations of it
// exercise the verifier past the parser).
//
// Thread safety: the keys are built once (function-local statics).
#ifndef INBEELD_FUZZ_KEYS_H_
#define INBEELD_FUZZ_KEYS_H_

#include <sodium.h>

#include <array>
#include <cstdint>
#include <string_view>

#include "crypto/signing.h"

namespace inbeeld::fuzz {

// The key with seed SHA-512(label)[0..32). Deterministic; for tests only.
inline crypto::SigningKey KeyFromLabel(std::string_view label) {
  std::array<uint8_t, crypto_hash_sha512_BYTES> wide;
  crypto_hash_sha512(wide.data(), reinterpret_cast<const uint8_t*>(label.data()), label.size());
  return *crypto::SigningKey::FromSeed(std::span(wide).first(32));
}

// The log whose checkpoints the harnesses verify, and a peer that cosigns them.
inline const crypto::SigningKey& LogKey() {
  static const crypto::SigningKey key = KeyFromLabel("inbeeld fuzz log");
  return key;
}
inline const crypto::SigningKey& WitnessKey() {
  static const crypto::SigningKey key = KeyFromLabel("inbeeld fuzz witness");
  return key;
}

// The receiver's clock in the key_rotation harness, and the time its seeds
// are issued at (Unix seconds): fixed, so a seed verifies on any day.
inline constexpr uint64_t kKeyRotationNow = 1'795'000'000;

}  // namespace inbeeld::fuzz

#endif  // INBEELD_FUZZ_KEYS_H_
