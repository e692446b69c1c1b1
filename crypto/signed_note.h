// crypto/signed_note.h — checkpoints of the audit log as C2SP signed notes.
//
// A node publishes the head of its audit log (crypto/merkle.h) as a
// checkpoint (c2sp.org/tlog-checkpoint): a note text of three or more lines,
//
//   <origin>\n                   the log's name, non-empty
//   <tree size>\n                decimal, no leading zeros ("0" if empty)
//   <base64 root hash>\n         RFC 9162 root, 32 bytes
//   [<extension line>\n ...]     optional, opaque, non-empty
//
// signed in the signed-note format (c2sp.org/signed-note): the text, a blank
// line, then one line per signature,
//
//   — <key name> <base64(key ID (4 bytes) || signature)>\n
//
// (em dash U+2014, space). The node signs with its Ed25519 key (signature
// type 0x01: the signature is over the text). Peers cosign it
// (c2sp.org/tlog-cosignature, cosignature/v1, type 0x04): the signature is
// base64(key ID || timestamp (u64 big-endian) || Ed25519 signature) over
//
//   "cosignature/v1\ntime <decimal timestamp>\n" || checkpoint text
//
// A key ID is the first 4 bytes of SHA-256(key name || 0x0A || type || public
// key). A verifier looks for the line with its configured key's name and key
// ID; lines of other keys are ignored (as the spec requires), but a line with
// the right name and key ID that does not verify fails the whole check.
//
// Cosigning, step by step: the log sends its signed note; the cosigner
// parses it, verifies the log's signature, parses the checkpoint text, checks
// it is consistent with what it saw before, and returns CosignatureLine(...).
// The log appends that line to its note (plain concatenation: a note ends in
// a newline, so does the line), parses the result and verifies the
// cosignature before storing it.
//
// Strictness: notes are parsed strictly (UTF-8, no control characters but
// newline, canonical padded base64, at most kMaxNoteSignatures lines, no two
// lines by the same key name and key ID, at most kMaxNoteSize bytes).
// Everything this module writes parses back.
//
// Errors: malformed input is kInvalidArgument, a limit is kResourceExhausted,
// a missing or failing signature is kUnauthenticated. Messages name line
// numbers and the caller's own key names, never note contents.
//
// Thread safety: free functions and plain structs without shared state.
#ifndef INBEELD_CRYPTO_SIGNED_NOTE_H_
#define INBEELD_CRYPTO_SIGNED_NOTE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "crypto/merkle.h"
#include "crypto/signing.h"

namespace inbeeld::crypto {

inline constexpr size_t kMaxNoteSize = 1 << 20;    // bytes, whole note
inline constexpr size_t kMaxNoteSignatures = 100;  // signature lines a note may carry
inline constexpr uint8_t kSignatureTypeEd25519 = 0x01;
inline constexpr uint8_t kSignatureTypeCosignatureV1 = 0x04;
inline constexpr size_t kKeyIdSize = 4;
inline constexpr uint64_t kMaxCosignatureTimestamp = (uint64_t{1} << 63) - 1;

using KeyId = std::array<uint8_t, kKeyIdSize>;

// --- Checkpoints ------------------------------------------------------------

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root{};
  std::vector<std::string> extensions;  // usually empty

  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

// The checkpoint's note text, ending in "\n"; ParseCheckpointBody inverts it.
// Errors: kInvalidArgument if the origin or an extension line is empty,
// contains a newline or another control character, or is not UTF-8.
Result<std::string> CheckpointBody(const Checkpoint& checkpoint);

// Parses a checkpoint's note text (a ParsedNote's body).
// Errors: kInvalidArgument for fewer than three lines, an empty line, a text
// not ending in "\n", a control character (such as '\r'), invalid UTF-8, a
// size with a sign, a non-digit, a leading zero or more than 2^64-1, or a root
// that is not canonical padded base64 of exactly 32 bytes.
Result<Checkpoint> ParseCheckpointBody(std::string_view body);

// --- Keys -------------------------------------------------------------------

// SHA-256(name || 0x0A || 0x01 || public key)[:4]: the key ID of `key`'s
// Ed25519 note signatures under `name`.
KeyId Ed25519KeyId(std::string_view name, const VerifyingKey& key);

// SHA-256(name || 0x0A || 0x04 || public key)[:4]: the key ID of `key`'s
// cosignature/v1 signatures under `name`.
KeyId CosignatureKeyId(std::string_view name, const VerifyingKey& key);

// --- Signing ----------------------------------------------------------------

// The signed note: body, blank line, "— <name> <base64(key ID || Ed25519
// signature over body)>\n".
// Errors: kInvalidArgument if `body` does not end in "\n", is not UTF-8,
// contains a control character other than newline, or starts with the
// cosignature/v1 header (an Ed25519 signature over such a text would also be
// a valid cosignature by the same key), or if `name` is empty or contains a
// Unicode space, a '+' or a control character; kResourceExhausted if the note
// would exceed kMaxNoteSize.
Result<std::string> SignNote(std::string_view body, std::string_view name, const SigningKey& key);

// `note` with one more Ed25519 signature line, by `key` under `name`, after
// the existing ones.
// Errors: as ParseNote for `note` and as SignNote for the text and name;
// kAlreadyExists if the note already has a line with this name and key ID;
// kResourceExhausted if the note would exceed the size or signature limits.
Result<std::string> AddSignature(std::string_view note, std::string_view name,
                                 const SigningKey& key);

// One cosignature/v1 line, "— <cosigner_name> <base64(key ID || timestamp
// || signature)>\n", over `checkpoint_body` at `timestamp` (POSIX seconds).
// Errors: kInvalidArgument if `checkpoint_body` is not a checkpoint text (see
// ParseCheckpointBody), `cosigner_name` is not a valid key name (see
// SignNote), or timestamp > kMaxCosignatureTimestamp.
Result<std::string> CosignatureLine(std::string_view checkpoint_body,
                                    std::string_view cosigner_name, const SigningKey& key,
                                    uint64_t timestamp);

// --- Parsing and verifying --------------------------------------------------

struct ParsedNote {
  struct SignatureLine {
    std::string name;
    KeyId key_id{};
    std::vector<uint8_t> sig_bytes;  // what follows the key ID, at least 1 byte
  };
  std::string body;                       // the signed text, including its final "\n"
  std::vector<SignatureLine> signatures;  // in the order of the note, at least one
};

// Splits a note at its last blank line into text and signature lines.
// Does not verify any signature.
// Errors: kResourceExhausted if the note exceeds kMaxNoteSize bytes or
// kMaxNoteSignatures signature lines; kInvalidArgument if it is not UTF-8,
// contains a control character other than newline (e.g. '\r'), has no blank
// line, no signature line or no final newline, a line not starting with
// "— ", an invalid key name, a signature that is not canonical padded base64
// of at least 5 bytes, or two lines with the same key name and key ID.
Result<ParsedNote> ParseNote(std::string_view note);

// Verifies the Ed25519 note signature by `key` under `name`.
// Errors: kUnauthenticated if no line has this name and key ID, or the line's
// signature is not 64 bytes or does not verify over the note's body.
Status VerifyNoteSignature(const ParsedNote& note, std::string_view name, const VerifyingKey& key);

// Verifies the cosignature/v1 by `key` under `cosigner_name` and returns its
// timestamp (POSIX seconds). Whether the timestamp is plausible (not in the
// future, not older than the last one seen) is the caller's policy.
// Errors: kUnauthenticated if no line has this name and key ID, or the line
// is not 72 bytes, its timestamp exceeds kMaxCosignatureTimestamp, or its
// signature does not verify.
Result<uint64_t> VerifyCosignature(const ParsedNote& note, std::string_view cosigner_name,
                                   const VerifyingKey& key);

}  // namespace inbeeld::crypto

#endif  // INBEELD_CRYPTO_SIGNED_NOTE_H_
