#include "schema/key_rotation.h"

#include <algorithm>

#include "schema/utf8.h"
#include "schema/wire.h"

namespace inbeeld::schema {
namespace {

constexpr size_t kFixedBeforeName = 7;  // magic, version, type, name length

Error Bad(std::string_view field, size_t offset, std::string_view what) {
  return Error{ErrorCode::kInvalidArgument, "key rotation: " + std::string(field) + " at byte " +
                                                std::to_string(offset) + ": " + std::string(what)};
}

Status CheckName(std::string_view name, size_t offset) {
  if (name.empty() || name.size() > kMaxKeyRotationNameSize) {
    return std::unexpected(Bad("node name", offset, "must be 1 to 128 bytes"));
  }
  if (!IsValidUtf8(name)) return std::unexpected(Bad("node name", offset, "is not UTF-8"));
  if (std::any_of(name.begin(), name.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; })) {
    return std::unexpected(Bad("node name", offset, "holds a control character"));
  }
  return {};
}

// Header, name, keys, time: everything the signatures cover.
Result<std::vector<uint8_t>> EncodeUnsigned(const KeyRotation& r) {
  INBEELD_RETURN_IF_ERROR(CheckName(r.node_name, kFixedBeforeName));
  if (r.old_key == r.new_key) {
    return std::unexpected(
        Bad("new key", kFixedBeforeName + r.node_name.size() + 32, "equals the old key"));
  }
  std::vector<uint8_t> out(wire::kMagic.begin(), wire::kMagic.end());
  out.push_back(wire::kVersion);
  out.push_back(kKeyRotationType);
  out.push_back(static_cast<uint8_t>(r.node_name.size()));
  out.insert(out.end(), r.node_name.begin(), r.node_name.end());
  out.insert(out.end(), r.old_key.begin(), r.old_key.end());
  out.insert(out.end(), r.new_key.begin(), r.new_key.end());
  for (int shift = 56; shift >= 0; shift -= 8)
    out.push_back(static_cast<uint8_t>(r.issued_at >> shift));
  return out;
}

}  // namespace

Result<std::vector<uint8_t>> KeyRotationSignedBytes(const KeyRotation& rotation) {
  auto body = EncodeUnsigned(rotation);
  if (!body) return body;
  std::vector<uint8_t> out(kKeyRotationDomain.begin(), kKeyRotationDomain.end());
  out.insert(out.end(), body->begin(), body->end());
  return out;
}

Result<std::vector<uint8_t>> EncodeKeyRotation(const KeyRotation& rotation) {
  auto out = EncodeUnsigned(rotation);
  if (!out) return out;
  out->insert(out->end(), rotation.sig_old.begin(), rotation.sig_old.end());
  out->insert(out->end(), rotation.sig_new.begin(), rotation.sig_new.end());
  return out;
}

Result<KeyRotation> DecodeKeyRotation(std::span<const uint8_t> bytes) {
  if (bytes.size() < kFixedBeforeName) {
    return std::unexpected(Bad("header", bytes.size(), "message too short"));
  }
  if (!std::equal(wire::kMagic.begin(), wire::kMagic.end(), bytes.begin())) {
    return std::unexpected(Bad("magic", 0, "not an inbeeld message"));
  }
  if (bytes[4] != wire::kVersion) return std::unexpected(Bad("version", 4, "unsupported version"));
  if (bytes[5] != kKeyRotationType) return std::unexpected(Bad("type", 5, "not a key rotation"));
  const size_t n = bytes[6];
  const size_t expected = 207 + n;
  if (bytes.size() != expected) {
    return std::unexpected(
        Bad("length", std::min(bytes.size(), expected),
            bytes.size() < expected ? "message truncated" : "trailing bytes after the message"));
  }
  KeyRotation r;
  r.node_name.assign(reinterpret_cast<const char*>(bytes.data()) + kFixedBeforeName, n);
  INBEELD_RETURN_IF_ERROR(CheckName(r.node_name, kFixedBeforeName));
  size_t at = kFixedBeforeName + n;
  std::copy_n(bytes.begin() + at, 32, r.old_key.begin());
  std::copy_n(bytes.begin() + at + 32, 32, r.new_key.begin());
  if (r.old_key == r.new_key) return std::unexpected(Bad("new key", at + 32, "equals the old key"));
  at += 64;
  for (size_t i = 0; i < 8; ++i) r.issued_at = (r.issued_at << 8) | bytes[at + i];
  at += 8;
  std::copy_n(bytes.begin() + at, 64, r.sig_old.begin());
  std::copy_n(bytes.begin() + at + 64, 64, r.sig_new.begin());
  return r;
}

}  // namespace inbeeld::schema
