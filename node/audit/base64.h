// node/audit/base64.h — standard base64 (RFC 4648, padded) for the audit
// export, its verification, backups and key rotation. (The witness and rejoin
// messages carry their proof hashes through schema/witness_wire.h, which
// cannot use libsodium.)
#ifndef INBEELD_NODE_AUDIT_BASE64_H_
#define INBEELD_NODE_AUDIT_BASE64_H_

#include <span>
#include <string>
#include <vector>

#include "base/error.h"
#include "crypto/merkle.h"

namespace inbeeld::node::audit {

std::string Base64(std::span<const uint8_t> bytes);
// kInvalidArgument unless `text` is canonical base64 of at most `max_size`
// bytes.
Result<std::vector<uint8_t>> BytesFromBase64(const std::string& text, size_t max_size);
// kInvalidArgument unless `text` is canonical base64 of exactly 32 bytes.
Result<crypto::Hash> HashFromBase64(const std::string& text);

}  // namespace inbeeld::node::audit

#endif  // INBEELD_NODE_AUDIT_BASE64_H_
