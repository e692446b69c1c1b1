// node/audit/json_fields.h — strict readers for the rejoin messages' JSON
// (rejoin.h): every failure names the message and the field, and never
// quotes the payload. (The witness exchange's messages have their own
// decoders in schema/witness_wire.h, which also refuse unknown and repeated
// members; these do not yet.)
//
// Thread safety: pure functions; safe from any thread.
#ifndef INBEELD_NODE_AUDIT_JSON_FIELDS_H_
#define INBEELD_NODE_AUDIT_JSON_FIELDS_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "crypto/merkle.h"

namespace inbeeld::node::audit::json_fields {

// A JSON object of at most 1 MiB with no raw NUL byte (nlohmann-json would
// stop reading there and ignore the rest).
Result<nlohmann::json> ParseObject(std::string_view text, std::string_view what);
Result<std::string> Text(const nlohmann::json& j, const char* field, std::string_view what);
Result<uint64_t> Number(const nlohmann::json& j, const char* field, std::string_view what);
// An array of at most 64 base64 hashes (an RFC 9162 proof).
Result<std::vector<crypto::Hash>> Proof(const nlohmann::json& j, const char* field,
                                        std::string_view what);
nlohmann::json ProofJson(const std::vector<crypto::Hash>& proof);

}  // namespace inbeeld::node::audit::json_fields

#endif  // INBEELD_NODE_AUDIT_JSON_FIELDS_H_
