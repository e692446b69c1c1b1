#include "node/audit/base64.h"

#include <sodium.h>

namespace inbeeld::node::audit {

std::string Base64(std::span<const uint8_t> bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // drop the terminating NUL
  return out;
}

Result<std::vector<uint8_t>> BytesFromBase64(const std::string& text, size_t max_size) {
  std::vector<uint8_t> out(max_size);
  size_t len = 0;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return Fail(ErrorCode::kInvalidArgument, "not base64, or too long");
  }
  out.resize(len);
  if (Base64(out) != text) return Fail(ErrorCode::kInvalidArgument, "not canonical base64");
  return out;
}

Result<crypto::Hash> HashFromBase64(const std::string& text) {
  crypto::Hash h{};
  size_t len = 0;
  if (sodium_base642bin(h.data(), h.size(), text.data(), text.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      len != h.size() || Base64(h) != text) {
    return Fail(ErrorCode::kInvalidArgument, "a proof hash is not base64 of 32 bytes");
  }
  return h;
}

}  // namespace inbeeld::node::audit
