#include "schema/witness_wire.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "schema/json_reader.h"

namespace inbeeld::schema::witness {
namespace {

using nlohmann::json;

constexpr std::string_view kWitnessRequest = "witness request";
constexpr std::string_view kWitnessResponse = "witness response";
constexpr std::string_view kCosignRequest = "cosign request";
constexpr std::string_view kCosignAck = "cosign answer";

// The deepest messages hold a proof or a retry: {"proof": [...]}.
constexpr JsonLimits kLimits{kMaxBodySize, 2};

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int Sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Exactly 44 characters: 43 of the alphabet and one '=', the last
// character's two low bits zero (the only canonical form of 32 bytes).
std::optional<ProofHash> HashFromBase64(std::string_view text) {
  if (text.size() != 44 || text[43] != '=') return std::nullopt;
  ProofHash out{};
  uint32_t acc = 0;
  int bits = 0;
  size_t n = 0;
  for (size_t i = 0; i < 43; ++i) {
    const int v = Sextet(text[i]);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = static_cast<uint8_t>(acc >> bits);
      acc &= (1u << bits) - 1;
    }
  }
  if (n != out.size() || acc != 0) return std::nullopt;  // padding bits set
  return out;
}

}  // namespace

Result<std::vector<ProofHash>> ReadProof(const JsonObject& j, std::string_view member) {
  // Any string: one of the wrong length is "not canonical base64" below.
  auto texts = j.StringArray(member, kMaxProofHashes, JsonString::MaybeEmpty(kMaxBodySize));
  if (!texts) return std::unexpected(texts.error());
  std::vector<ProofHash> out;
  out.reserve(texts->size());
  for (size_t i = 0; i < texts->size(); ++i) {
    std::optional<ProofHash> hash = HashFromBase64((*texts)[i]);
    if (!hash)
      return std::unexpected(j.ErrorAtEntry(member, i, "not canonical base64 of 32 bytes"));
    out.push_back(*hash);
  }
  return out;
}

Result<uint64_t> ReadRetry(const JsonObject& j) {
  INBEELD_RETURN_IF_ERROR(j.OnlyMembers({"retry"}));
  auto retry = j.Object("retry");
  if (!retry) return std::unexpected(retry.error());
  INBEELD_RETURN_IF_ERROR(retry->OnlyMembers({"proof_from"}));
  return retry->Uint("proof_from");
}

namespace {

json ProofJson(const std::vector<ProofHash>& proof) {
  json out = json::array();
  for (const auto& h : proof) out.push_back(ProofHashBase64(h));
  return out;
}

// The members a witness request and a response share.
Status ReadCheckpointAndProof(const JsonObject& j, std::string& checkpoint, uint64_t& proof_from,
                              std::vector<ProofHash>& proof) {
  auto note = j.String("checkpoint", JsonString::Text(kMaxNoteSize));
  if (!note) return std::unexpected(note.error());
  auto from = j.Uint("proof_from");
  if (!from) return std::unexpected(from.error());
  auto hashes = ReadProof(j, "proof");
  if (!hashes) return std::unexpected(hashes.error());
  checkpoint = std::move(*note);
  proof_from = *from;
  proof = std::move(*hashes);
  return {};
}

}  // namespace

std::string ProofHashBase64(const ProofHash& hash) {
  std::string out;
  out.reserve(44);
  size_t i = 0;
  for (; i + 3 <= hash.size(); i += 3) {
    const uint32_t v = (uint32_t{hash[i]} << 16) | (uint32_t{hash[i + 1]} << 8) | hash[i + 2];
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  // 32 = 10·3 + 2: two bytes left, one '='.
  const uint32_t v = (uint32_t{hash[i]} << 16) | (uint32_t{hash[i + 1]} << 8);
  out += kAlphabet[v >> 18];
  out += kAlphabet[(v >> 12) & 63];
  out += kAlphabet[(v >> 6) & 63];
  out += '=';
  return out;
}

std::string EncodeWitnessRequest(const WitnessRequest& r) {
  return json{{"checkpoint", r.checkpoint},
              {"proof_from", r.proof_from},
              {"proof", ProofJson(r.proof)},
              {"seen_your_size", r.seen_your_size}}
      .dump();
}

Result<WitnessRequest> DecodeWitnessRequest(std::string_view text) {
  auto doc = JsonDocument::Parse(text, kWitnessRequest, kLimits);
  if (!doc) return std::unexpected(doc.error());
  const JsonObject& j = doc->Root();
  INBEELD_RETURN_IF_ERROR(j.OnlyMembers({"checkpoint", "proof_from", "proof", "seen_your_size"}));
  WitnessRequest r;
  INBEELD_RETURN_IF_ERROR(ReadCheckpointAndProof(j, r.checkpoint, r.proof_from, r.proof));
  auto seen = j.Uint("seen_your_size");
  if (!seen) return std::unexpected(seen.error());
  r.seen_your_size = *seen;
  return r;
}

std::string EncodeWitnessResponse(const WitnessResponse& r) {
  if (r.retry_proof_from) return json{{"retry", {{"proof_from", *r.retry_proof_from}}}}.dump();
  return json{{"cosignature", r.cosignature},
              {"checkpoint", r.checkpoint},
              {"proof_from", r.proof_from},
              {"proof", ProofJson(r.proof)}}
      .dump();
}

Result<WitnessResponse> DecodeWitnessResponse(std::string_view text) {
  auto doc = JsonDocument::Parse(text, kWitnessResponse, kLimits);
  if (!doc) return std::unexpected(doc.error());
  const JsonObject& j = doc->Root();
  WitnessResponse r;
  if (j.Has("retry")) {
    auto from = ReadRetry(j);
    if (!from) return std::unexpected(from.error());
    r.retry_proof_from = *from;
    return r;
  }
  INBEELD_RETURN_IF_ERROR(j.OnlyMembers({"cosignature", "checkpoint", "proof_from", "proof"}));
  auto cosignature = j.String("cosignature", JsonString::Text(kMaxCosignatureSize));
  if (!cosignature) return std::unexpected(cosignature.error());
  r.cosignature = std::move(*cosignature);
  INBEELD_RETURN_IF_ERROR(ReadCheckpointAndProof(j, r.checkpoint, r.proof_from, r.proof));
  return r;
}

std::string EncodeCosignRequest(const CosignRequest& r) {
  return json{{"size", r.size}, {"cosignature", r.cosignature}}.dump();
}

Result<CosignRequest> DecodeCosignRequest(std::string_view text) {
  auto doc = JsonDocument::Parse(text, kCosignRequest, kLimits);
  if (!doc) return std::unexpected(doc.error());
  const JsonObject& j = doc->Root();
  INBEELD_RETURN_IF_ERROR(j.OnlyMembers({"size", "cosignature"}));
  auto size = j.Uint("size");
  if (!size) return std::unexpected(size.error());
  auto line = j.String("cosignature", JsonString::Text(kMaxCosignatureSize));
  if (!line) return std::unexpected(line.error());
  return CosignRequest{*size, std::move(*line)};
}

std::string EncodeCosignAck() { return "{}"; }

Status DecodeCosignAck(std::string_view text) {
  auto doc = JsonDocument::Parse(text, kCosignAck, kLimits);
  if (!doc) return std::unexpected(doc.error());
  return doc->Root().OnlyMembers({});
}

}  // namespace inbeeld::schema::witness
