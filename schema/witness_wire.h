// schema/witness_wire.h — the witness exchange's three JSON messages
// (docs/PROTOCOL.md §2.1): what travels on POST /v1/audit/witness and
// POST /v1/audit/cosign, encoded and strictly decoded. The exchange itself
// (who sends what when, and the cryptographic checks) is
// node/audit/witness_session.h; this module knows no cryptography: a
// checkpoint or a cosignature line is an opaque bounded string here, a proof
// a list of 32-byte hashes.
//
//   WitnessRequest   I → R  {"checkpoint", "proof_from", "proof", "seen_your_size"}
//   WitnessResponse  R → I  {"cosignature", "checkpoint", "proof_from", "proof"}
//                        or {"retry": {"proof_from"}}   (typed retry)
//   CosignRequest    I → R  {"size", "cosignature"}
//   CosignAck        R → I  {}
//
// Strict decoding, through schema/json_reader.h: a body is one JSON object
// of at most kMaxBodySize bytes (kResourceExhausted above it), nested at most
// two deep, with exactly the members listed (no unknown and no repeated
// member); numbers are whole numbers in 0..2^64-1 written without sign,
// fraction or exponent, strings are bounded (kMaxNoteSize,
// kMaxCosignatureSize) and non-empty, a proof holds at most kMaxProofHashes
// hashes, each canonical padded base64 (RFC 4648) of 32 bytes. Errors are
// kInvalidArgument naming the message and the member
// ("witness response: member \"retry.proof_from\": not an unsigned integer",
// "witness request: member \"proof\"[3]: not canonical base64 of 32 bytes"),
// and never contain bytes of the payload (not even the name of an unknown
// member).
//
// Thread safety: plain values and pure functions; safe from any thread.
#ifndef INBEELD_SCHEMA_WITNESS_WIRE_H_
#define INBEELD_SCHEMA_WITNESS_WIRE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "schema/json_reader.h"

namespace inbeeld::schema::witness {

// One RFC 9162 hash; the same type as crypto::Hash.
using ProofHash = std::array<uint8_t, 32>;

inline constexpr size_t kMaxBodySize = size_t{1} << 20;
// A consistency proof between two sizes of a log below 2^64 holds at most
// 2·64 hashes in theory, and at most ~2·log2(size) in practice; 64 covers a
// log of 2^32 records.
inline constexpr size_t kMaxProofHashes = 64;
// A signed checkpoint note: origin, size and root lines, optional extension
// lines, a blank line and its signature lines; ours are ~250 bytes.
inline constexpr size_t kMaxNoteSize = 8192;
// One cosignature/v1 line ("— <origin> <base64>\n"); ours are ~190 bytes.
inline constexpr size_t kMaxCosignatureSize = 1024;

struct WitnessRequest {
  std::string checkpoint;        // I's signed note
  uint64_t proof_from = 0;       // the largest size of I's log R cosigned (0: none)
  std::vector<ProofHash> proof;  // consistency proof proof_from → checkpoint's size
  uint64_t seen_your_size = 0;   // the size of R's log I last witnessed (0: none)

  bool operator==(const WitnessRequest&) const = default;
};

struct WitnessResponse {
  std::string cosignature;  // R's cosignature line over I's checkpoint
  std::string checkpoint;   // R's signed note
  uint64_t proof_from = 0;  // the request's seen_your_size
  std::vector<ProofHash> proof;
  // Set: "sign a fresh checkpoint and prove it from this size", and nothing
  // above is. Unset: the answer above.
  std::optional<uint64_t> retry_proof_from = std::nullopt;

  bool operator==(const WitnessResponse&) const = default;
};

struct CosignRequest {
  uint64_t size = 0;        // the size of R's checkpoint I cosigned
  std::string cosignature;  // I's cosignature line over it

  bool operator==(const CosignRequest&) const = default;
};

// Encoders: compact JSON, members in the order of docs/PROTOCOL.md. They
// REQUIRE what the decoders check (strings within bounds, proofs of at most
// kMaxProofHashes hashes); a retry response encodes only the retry.
std::string EncodeWitnessRequest(const WitnessRequest& request);
std::string EncodeWitnessResponse(const WitnessResponse& response);
std::string EncodeCosignRequest(const CosignRequest& request);
std::string EncodeCosignAck();  // "{}"

// Decoders. Errors: kResourceExhausted for a body over kMaxBodySize;
// kInvalidArgument for anything else malformed (see the top of this file).
Result<WitnessRequest> DecodeWitnessRequest(std::string_view json);
Result<WitnessResponse> DecodeWitnessResponse(std::string_view json);
Result<CosignRequest> DecodeCosignRequest(std::string_view json);
// An empty JSON object; white space around it is allowed.
Status DecodeCosignAck(std::string_view json);

// Canonical padded base64 of a hash, as a proof carries it.
std::string ProofHashBase64(const ProofHash& hash);

// Member `member` of `object` read as a proof, the way the decoders above
// read theirs (also used by the rejoin messages, node/audit/rejoin.h): an
// array of at most kMaxProofHashes strings, each canonical padded base64 of
// 32 bytes ("<what>: member \"proof\"[2]: not canonical base64 of 32 bytes").
Result<std::vector<ProofHash>> ReadProof(const JsonObject& object, std::string_view member);

// The typed retry {"retry": {"proof_from": N}} as the only member of `object`,
// read the way DecodeWitnessResponse reads it (also used by the rejoin
// response): N, or an error naming "retry" or "retry.proof_from".
// REQUIRES: object.Has("retry").
Result<uint64_t> ReadRetry(const JsonObject& object);

}  // namespace inbeeld::schema::witness

#endif  // INBEELD_SCHEMA_WITNESS_WIRE_H_
