#include "schema/witness_wire.h"

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

namespace inbeeld::schema::witness {
namespace {

using nlohmann::json;

constexpr std::string_view kWitnessRequest = "witness request";
constexpr std::string_view kWitnessResponse = "witness response";
constexpr std::string_view kCosignRequest = "cosign request";
constexpr std::string_view kCosignAck = "cosign answer";

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::unexpected<Error> Invalid(std::string_view what, std::string_view problem) {
  return Fail(ErrorCode::kInvalidArgument, std::string(what) + ": " + std::string(problem));
}

std::unexpected<Error> BadField(std::string_view what, std::string_view field,
                                std::string_view problem) {
  return Invalid(what, "field " + std::string(field) + " " + std::string(problem));
}

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

// One JSON object, no raw NUL (nlohmann-json would stop reading there and
// ignore the rest), no member repeated at any depth (nlohmann-json would keep
// the last one silently, so two decoders could read different values).
Result<json> ParseObject(std::string_view text, std::string_view what) {
  if (text.size() > kMaxBodySize) {
    return Fail(ErrorCode::kResourceExhausted, std::string(what) + ": too large");
  }
  if (text.find('\0') != std::string_view::npos) return Invalid(what, "not a JSON object");
  std::vector<std::set<std::string>> open;
  bool repeated = false;
  json::parser_callback_t note_keys = [&](int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        open.emplace_back();
        break;
      case json::parse_event_t::object_end:
        if (!open.empty()) open.pop_back();
        break;
      case json::parse_event_t::key:
        if (!open.empty() && !open.back().insert(parsed.get<std::string>()).second) {
          repeated = true;
        }
        break;
      default:
        break;
    }
    return true;
  };
  json j = json::parse(text, note_keys, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Invalid(what, "not a JSON object");
  if (repeated) return Invalid(what, "a member appears twice");
  return j;
}

// Every member of `j` is one of `allowed`. The unknown name is not quoted: it
// is the peer's payload.
Status OnlyMembers(const json& j, std::string_view what,
                   std::initializer_list<const char*> allowed) {
  for (const auto& [name, value] : j.items()) {
    bool known = false;
    for (const char* a : allowed) known = known || name == a;
    if (!known) {
      std::string list;
      for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return Invalid(what, "holds a member other than " + list);
    }
  }
  return {};
}

Result<std::string> Text(const json& j, const char* field, size_t max_size, std::string_view what) {
  auto it = j.find(field);
  if (it == j.end()) return BadField(what, field, "missing");
  if (!it->is_string()) return BadField(what, field, "is not a string");
  const auto& text = it->get_ref<const std::string&>();
  if (text.empty()) return BadField(what, field, "is empty");
  if (text.size() > max_size) {
    return BadField(what, field, "is longer than " + std::to_string(max_size) + " bytes");
  }
  return text;
}

Result<uint64_t> Number(const json& j, const char* field, std::string_view what) {
  auto it = j.find(field);
  if (it == j.end()) return BadField(what, field, "missing");
  // A negative number, a fraction, an exponent or a number beyond 2^64-1
  // parses as a signed or floating-point value and is refused here.
  if (!it->is_number_unsigned()) return BadField(what, field, "is not a whole number in 0..2^64-1");
  return it->get<uint64_t>();
}

Result<std::vector<ProofHash>> Proof(const json& j, const char* field, std::string_view what) {
  auto it = j.find(field);
  if (it == j.end()) return BadField(what, field, "missing");
  if (!it->is_array()) return BadField(what, field, "is not an array");
  if (it->size() > kMaxProofHashes) {
    return BadField(what, field,
                    "is too long (at most " + std::to_string(kMaxProofHashes) + " hashes)");
  }
  std::vector<ProofHash> out;
  out.reserve(it->size());
  for (size_t i = 0; i < it->size(); ++i) {
    const json& h = (*it)[i];
    std::optional<ProofHash> hash;
    if (h.is_string()) hash = HashFromBase64(h.get_ref<const std::string&>());
    if (!hash) {
      return BadField(what, field,
                      "hash " + std::to_string(i) + " is not canonical base64 of 32 bytes");
    }
    out.push_back(*hash);
  }
  return out;
}

json ProofJson(const std::vector<ProofHash>& proof) {
  json out = json::array();
  for (const auto& h : proof) out.push_back(ProofHashBase64(h));
  return out;
}

// The members a witness request and a response share.
Status ReadCheckpointAndProof(const json& j, std::string_view what, std::string& checkpoint,
                              uint64_t& proof_from, std::vector<ProofHash>& proof) {
  auto note = Text(j, "checkpoint", kMaxNoteSize, what);
  if (!note) return std::unexpected(note.error());
  auto from = Number(j, "proof_from", what);
  if (!from) return std::unexpected(from.error());
  auto hashes = Proof(j, "proof", what);
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
  auto j = ParseObject(text, kWitnessRequest);
  if (!j) return std::unexpected(j.error());
  WitnessRequest r;
  INBEELD_RETURN_IF_ERROR(
      ReadCheckpointAndProof(*j, kWitnessRequest, r.checkpoint, r.proof_from, r.proof));
  auto seen = Number(*j, "seen_your_size", kWitnessRequest);
  if (!seen) return std::unexpected(seen.error());
  r.seen_your_size = *seen;
  INBEELD_RETURN_IF_ERROR(
      OnlyMembers(*j, kWitnessRequest, {"checkpoint", "proof_from", "proof", "seen_your_size"}));
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
  auto j = ParseObject(text, kWitnessResponse);
  if (!j) return std::unexpected(j.error());
  WitnessResponse r;
  if (auto retry = j->find("retry"); retry != j->end()) {
    if (j->size() != 1) return BadField(kWitnessResponse, "retry", "must be the only member");
    if (!retry->is_object()) return BadField(kWitnessResponse, "retry", "is not an object");
    auto from = Number(*retry, "proof_from", "witness response retry");
    if (!from) return std::unexpected(from.error());
    INBEELD_RETURN_IF_ERROR(OnlyMembers(*retry, "witness response retry", {"proof_from"}));
    r.retry_proof_from = *from;
    return r;
  }
  auto cosignature = Text(*j, "cosignature", kMaxCosignatureSize, kWitnessResponse);
  if (!cosignature) return std::unexpected(cosignature.error());
  r.cosignature = std::move(*cosignature);
  INBEELD_RETURN_IF_ERROR(
      ReadCheckpointAndProof(*j, kWitnessResponse, r.checkpoint, r.proof_from, r.proof));
  INBEELD_RETURN_IF_ERROR(
      OnlyMembers(*j, kWitnessResponse, {"cosignature", "checkpoint", "proof_from", "proof"}));
  return r;
}

std::string EncodeCosignRequest(const CosignRequest& r) {
  return json{{"size", r.size}, {"cosignature", r.cosignature}}.dump();
}

Result<CosignRequest> DecodeCosignRequest(std::string_view text) {
  auto j = ParseObject(text, kCosignRequest);
  if (!j) return std::unexpected(j.error());
  auto size = Number(*j, "size", kCosignRequest);
  if (!size) return std::unexpected(size.error());
  auto line = Text(*j, "cosignature", kMaxCosignatureSize, kCosignRequest);
  if (!line) return std::unexpected(line.error());
  INBEELD_RETURN_IF_ERROR(OnlyMembers(*j, kCosignRequest, {"size", "cosignature"}));
  return CosignRequest{*size, std::move(*line)};
}

std::string EncodeCosignAck() { return "{}"; }

Status DecodeCosignAck(std::string_view text) {
  auto j = ParseObject(text, kCosignAck);
  if (!j) return std::unexpected(j.error());
  if (!j->empty()) return Invalid(kCosignAck, "is not an empty object");
  return {};
}

}  // namespace inbeeld::schema::witness
