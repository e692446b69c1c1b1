#include "node/audit/json_fields.h"

#include "node/audit/base64.h"

namespace inbeeld::node::audit::json_fields {

using nlohmann::json;

json ProofJson(const std::vector<crypto::Hash>& proof) {
  json out = json::array();
  for (const auto& h : proof) out.push_back(Base64(h));
  return out;
}

// Strict field readers: every failure names the field.
Result<json> ParseObject(std::string_view text, std::string_view what) {
  if (text.size() > (1 << 20))
    return Fail(ErrorCode::kResourceExhausted, std::string(what) + ": too large");
  // nlohmann-json stops at a NUL byte and ignores whatever follows it; no
  // JSON text holds a raw NUL, so such a body is refused whole.
  if (text.find('\0') != std::string_view::npos) {
    return Fail(ErrorCode::kInvalidArgument, std::string(what) + ": not a JSON object");
  }
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Fail(ErrorCode::kInvalidArgument, std::string(what) + ": not a JSON object");
  }
  return j;
}

Result<std::string> Text(const json& j, const char* field, std::string_view what) {
  auto it = j.find(field);
  if (it == j.end() || !it->is_string()) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(what) + ": field " + field + " missing or not a string");
  }
  return it->get<std::string>();
}

Result<uint64_t> Number(const json& j, const char* field, std::string_view what) {
  auto it = j.find(field);
  if (it == j.end() || !it->is_number_unsigned()) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(what) + ": field " + field + " missing or not a whole number");
  }
  return it->get<uint64_t>();
}

Result<std::vector<crypto::Hash>> Proof(const json& j, const char* field, std::string_view what) {
  auto it = j.find(field);
  if (it == j.end() || !it->is_array() || it->size() > 64) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(what) + ": field " + field + " missing or too long");
  }
  std::vector<crypto::Hash> out;
  for (const auto& h : *it) {
    if (!h.is_string())
      return Fail(ErrorCode::kInvalidArgument,
                  std::string(what) + ": " + field + " holds a non-string");
    auto hash = HashFromBase64(h.get<std::string>());
    if (!hash) return std::unexpected(hash.error());
    out.push_back(*hash);
  }
  return out;
}

}  // namespace inbeeld::node::audit::json_fields
