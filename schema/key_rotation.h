// schema/key_rotation.h — KeyRotation, the message in which a node announces
// a new identity key to a peer that has its old one pinned: encoder, strict
// decoder, and the exact bytes both keys sign. docs/PROTOCOL.md §12 specifies
// the layout and the exchange; node/keys/rotation.h verifies and applies it.
//
//   offset  size  field
//   0       4     "INBL"
//   4       1     version (= wire::kVersion, 2)
//   5       1     type (= 16, key rotation)
//   6       1     n, length of the node's name, 1..128
//   7       n     the node's name, UTF-8, no control characters (for people
//                 only: the receiver names the peer by its own pin)
//   7+n     32    old key (Ed25519 public key, the pinned one)
//   39+n    32    new key (Ed25519 public key; differs from the old one)
//   71+n    8     issued at, Unix seconds, big-endian
//   79+n    64    sig_old: Ed25519 by the old key over SignedBytes()
//   143+n   64    sig_new: Ed25519 by the new key over SignedBytes()
//   207+n         end; nothing may follow
//
// SignedBytes() is the ASCII domain "inbeeld/key-rotation/v1\n" followed by
// bytes 0 .. 79+n (everything but the signatures). No signed note or
// cosignature of the audit log starts with that line (theirs start with an
// origin "inbeeld/<64 hex>" or "cosignature/v1"), so a signature of one kind
// is never valid as another.
//
// This module knows no cryptography: it checks shape (lengths, the name, that
// the keys differ); the receiver checks the keys are valid points and the
// signatures. Errors are kInvalidArgument, name the field and byte offset,
// and never contain payload bytes.
//
// Thread safety: plain values and pure functions; safe from any thread.
#ifndef INBEELD_SCHEMA_KEY_ROTATION_H_
#define INBEELD_SCHEMA_KEY_ROTATION_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace inbeeld::schema {

inline constexpr uint8_t kKeyRotationType = 16;
inline constexpr size_t kMaxKeyRotationNameSize = 128;
inline constexpr std::string_view kKeyRotationDomain = "inbeeld/key-rotation/v1\n";
// The largest valid message, for a transport's body limit.
inline constexpr size_t kMaxKeyRotationSize = 207 + kMaxKeyRotationNameSize;

struct KeyRotation {
  std::string node_name;
  std::array<uint8_t, 32> old_key{};
  std::array<uint8_t, 32> new_key{};
  uint64_t issued_at = 0;  // Unix seconds
  std::array<uint8_t, 64> sig_old{};
  std::array<uint8_t, 64> sig_new{};

  bool operator==(const KeyRotation&) const = default;
};

// The bytes both keys sign (above). Fails like the encoder on a bad name.
Result<std::vector<uint8_t>> KeyRotationSignedBytes(const KeyRotation& rotation);
// kInvalidArgument for a name that is empty, too long, not UTF-8 or holds a
// control character, or equal keys.
Result<std::vector<uint8_t>> EncodeKeyRotation(const KeyRotation& rotation);
Result<KeyRotation> DecodeKeyRotation(std::span<const uint8_t> bytes);

}  // namespace inbeeld::schema

#endif  // INBEELD_SCHEMA_KEY_ROTATION_H_
