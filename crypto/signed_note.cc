#include "crypto/signed_note.h"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <span>

#include "crypto/bytes.h"
#include "crypto/sodium_init.h"

namespace inbeeld::crypto {
namespace {

constexpr std::string_view kSignaturePrefix = "\xE2\x80\x94 ";  // em dash U+2014, space
constexpr std::string_view kCosignatureHeader = "cosignature/v1\n";
constexpr size_t kEd25519CosignatureSize = 8 + kEd25519SignatureSize;

std::span<const uint8_t> AsBytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// --- Text rules -------------------------------------------------------------

// Decodes one UTF-8 code point starting at s[i]; nullopt for anything that
// is not the shortest encoding of a scalar value (overlong forms, surrogates,
// values above U+10FFFF, truncated sequences).
struct Rune {
  char32_t value;
  size_t length;
};
std::optional<Rune> DecodeRune(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(i);
  if (b0 < 0x80) return Rune{b0, 1};
  size_t length;
  uint8_t low = 0x80;  // allowed range of the second byte
  uint8_t high = 0xBF;
  char32_t value;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
    value = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    value = b0 & 0x0F;
    if (b0 == 0xE0) low = 0xA0;   // no overlong forms
    if (b0 == 0xED) high = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    value = b0 & 0x07;
    if (b0 == 0xF0) low = 0x90;   // no overlong forms
    if (b0 == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  } else {
    return std::nullopt;
  }
  if (s.size() - i < length) return std::nullopt;
  for (size_t k = 1; k < length; ++k) {
    const uint8_t b = byte(i + k);
    if (k == 1 ? (b < low || b > high) : (b < 0x80 || b > 0xBF)) return std::nullopt;
    value = (value << 6) | (b & 0x3F);
  }
  return Rune{value, length};
}

// Unicode's White_Space property, as Go's unicode.IsSpace (which the
// reference implementation uses for key names) defines it.
bool IsUnicodeSpace(char32_t c) {
  switch (c) {
    case U'\t':
    case U'\n':
    case U'\v':
    case U'\f':
    case U'\r':
    case U' ':
    case U'\u0085':
    case U'\u00A0':
    case U'\u1680':
    case U'\u2028':
    case U'\u2029':
    case U'\u202F':
    case U'\u205F':
    case U'\u3000':
      return true;
    default:
      return c >= U'\u2000' && c <= U'\u200A';
  }
}

// The offset of the first byte that breaks the note rules (invalid UTF-8, or
// a control character other than newline), or nullopt if there is none.
std::optional<size_t> FirstBadTextByte(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const std::optional<Rune> rune = DecodeRune(text, i);
    if (!rune || (rune->value < 0x20 && rune->value != U'\n')) return i;
    i += rune->length;
  }
  return std::nullopt;
}

std::string BadTextMessage(std::string_view what, std::string_view text, size_t offset) {
  const uint8_t b = static_cast<uint8_t>(text[offset]);
  const char* kind = b == '\r'  ? "a carriage return"
                     : b < 0x20 ? "a control character"
                                : "invalid UTF-8";
  return std::string(what) + " has " + kind + " at byte " + std::to_string(offset);
}

// Key names: non-empty UTF-8 without Unicode spaces, '+' or control characters.
bool IsValidKeyName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size();) {
    const std::optional<Rune> rune = DecodeRune(name, i);
    if (!rune || rune->value < 0x20 || rune->value == U'+' || IsUnicodeSpace(rune->value))
      return false;
    i += rune->length;
  }
  return true;
}

Status CheckKeyName(std::string_view name) {
  if (!IsValidKeyName(name)) {
    return Fail(ErrorCode::kInvalidArgument,
                "key name is empty, not UTF-8, or contains a space, a '+' or a control character");
  }
  return {};
}

// A note text as SignNote accepts it.
Status CheckNoteText(std::string_view body) {
  if (body.empty() || body.back() != '\n') {
    return Fail(ErrorCode::kInvalidArgument, "note text does not end in a newline");
  }
  if (const std::optional<size_t> bad = FirstBadTextByte(body)) {
    return Fail(ErrorCode::kInvalidArgument, BadTextMessage("note text", body, *bad));
  }
  if (body.starts_with(kCosignatureHeader)) {
    return Fail(ErrorCode::kInvalidArgument,
                "refusing to sign a note text that starts with the cosignature/v1 header");
  }
  return {};
}

// --- Encodings --------------------------------------------------------------

std::string Base64Encode(std::span<const uint8_t> data) {
  internal::EnsureSodium();
  const size_t encoded = sodium_base64_ENCODED_LEN(data.size(), sodium_base64_VARIANT_ORIGINAL);
  std::string out(encoded, '\0');  // includes room for the NUL libsodium writes
  sodium_bin2base64(out.data(), out.size(), data.data(), data.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(encoded - 1);
  return out;
}

// Canonical padded base64 (RFC 4648 section 4) or nullopt: libsodium refuses
// missing or extra padding, non-zero padding bits and other ASCII characters
// when neither `ignore` nor `b64_end` is given. It does not refuse bytes
// 0x80..0xFF: libsodium 1.0.18 (Debian 12) decodes each as if it were '/',
// so "AB\xC3\xA9" read as "AB//" and one signature had many spellings. The
// alphabet is therefore checked here first.
std::optional<std::vector<uint8_t>> Base64Decode(std::string_view text) {
  internal::EnsureSodium();
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  const bool alphabet = std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/' || c == '=';
  });
  if (!alphabet) return std::nullopt;
  std::vector<uint8_t> out(text.size() / 4 * 3);
  size_t written = 0;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), /*ignore=*/nullptr,
                        &written,
                        /*b64_end=*/nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  out.resize(written);
  return out;
}

KeyId ComputeKeyId(std::string_view name, uint8_t type, const VerifyingKey& key) {
  internal::EnsureSodium();
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  if (!name.empty()) crypto_hash_sha256_update(&state, AsBytes(name).data(), name.size());
  const uint8_t separator[2] = {'\n', type};
  crypto_hash_sha256_update(&state, separator, sizeof(separator));
  crypto_hash_sha256_update(&state, key.bytes().data(), key.bytes().size());
  uint8_t digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  KeyId id;
  std::copy(digest, digest + kKeyIdSize, id.begin());
  return id;
}

std::string SignatureLine(std::string_view name, std::span<const uint8_t> payload) {
  return std::string(kSignaturePrefix) + std::string(name) + " " + Base64Encode(payload) + "\n";
}

std::string CosignedMessage(uint64_t timestamp, std::string_view body) {
  return std::string(kCosignatureHeader) + "time " + std::to_string(timestamp) + "\n" +
         std::string(body);
}

const ParsedNote::SignatureLine* FindLine(const ParsedNote& note, std::string_view name,
                                          const KeyId& id) {
  for (const ParsedNote::SignatureLine& line : note.signatures) {
    if (line.name == name && line.key_id == id) return &line;
  }
  return nullptr;
}

std::string KeyLabel(std::string_view name, const KeyId& id) {
  return "key " + std::string(name) + "+" + HexEncode(id);
}

}  // namespace

// --- Checkpoints ------------------------------------------------------------

Result<std::string> CheckpointBody(const Checkpoint& checkpoint) {
  const auto check_line = [](std::string_view line, const std::string& what) -> Status {
    if (line.empty()) return Fail(ErrorCode::kInvalidArgument, "checkpoint " + what + " is empty");
    // FirstBadTextByte allows '\n'; a line must not have one.
    if (const size_t newline = line.find('\n'); newline != std::string_view::npos) {
      return Fail(ErrorCode::kInvalidArgument,
                  "checkpoint " + what + " has a newline at byte " + std::to_string(newline));
    }
    if (const std::optional<size_t> bad = FirstBadTextByte(line)) {
      return Fail(ErrorCode::kInvalidArgument, BadTextMessage("checkpoint " + what, line, *bad));
    }
    return {};
  };
  INBEELD_RETURN_IF_ERROR(check_line(checkpoint.origin, "origin"));
  for (size_t i = 0; i < checkpoint.extensions.size(); ++i) {
    INBEELD_RETURN_IF_ERROR(
        check_line(checkpoint.extensions[i], "extension line " + std::to_string(i + 1)));
  }
  std::string body = checkpoint.origin + "\n" + std::to_string(checkpoint.size) + "\n" +
                     Base64Encode(checkpoint.root) + "\n";
  for (const std::string& extension : checkpoint.extensions) body += extension + "\n";
  return body;
}

Result<Checkpoint> ParseCheckpointBody(std::string_view body) {
  if (body.size() > kMaxNoteSize) {
    return Fail(ErrorCode::kResourceExhausted,
                "checkpoint is larger than " + std::to_string(kMaxNoteSize) + " bytes");
  }
  if (body.empty() || body.back() != '\n') {
    return Fail(ErrorCode::kInvalidArgument, "checkpoint does not end in a newline");
  }
  if (const std::optional<size_t> bad = FirstBadTextByte(body)) {
    return Fail(ErrorCode::kInvalidArgument, BadTextMessage("checkpoint", body, *bad));
  }
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < body.size();) {
    const size_t end = body.find('\n', start);  // found: the body ends in '\n'
    lines.push_back(body.substr(start, end - start));
    start = end + 1;
  }
  if (lines.size() < 3) {
    return Fail(ErrorCode::kInvalidArgument,
                "checkpoint has " + std::to_string(lines.size()) + " lines, expected at least 3");
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "checkpoint line " + std::to_string(i + 1) + " is empty");
    }
  }

  Checkpoint checkpoint;
  checkpoint.origin = std::string(lines[0]);

  const std::string_view size = lines[1];
  const bool all_digits =
      std::all_of(size.begin(), size.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!all_digits || (size.size() > 1 && size[0] == '0')) {
    return Fail(ErrorCode::kInvalidArgument,
                "checkpoint line 2: tree size is not a decimal number without leading zeros");
  }
  const auto [end, error] =
      std::from_chars(size.data(), size.data() + size.size(), checkpoint.size);
  if (error != std::errc() || end != size.data() + size.size()) {
    return Fail(ErrorCode::kInvalidArgument,
                "checkpoint line 2: tree size does not fit in 64 bits");
  }

  const std::optional<std::vector<uint8_t>> root = Base64Decode(lines[2]);
  if (!root || root->size() != kHashSize) {
    return Fail(ErrorCode::kInvalidArgument,
                "checkpoint line 3: root hash is not canonical base64 of 32 bytes");
  }
  std::copy(root->begin(), root->end(), checkpoint.root.begin());

  for (size_t i = 3; i < lines.size(); ++i) checkpoint.extensions.emplace_back(lines[i]);
  return checkpoint;
}

// --- Keys -------------------------------------------------------------------

KeyId Ed25519KeyId(std::string_view name, const VerifyingKey& key) {
  return ComputeKeyId(name, kSignatureTypeEd25519, key);
}

KeyId CosignatureKeyId(std::string_view name, const VerifyingKey& key) {
  return ComputeKeyId(name, kSignatureTypeCosignatureV1, key);
}

// --- Signing ----------------------------------------------------------------

namespace {

std::string Ed25519SignatureLine(std::string_view body, std::string_view name,
                                 const SigningKey& key) {
  const KeyId id = Ed25519KeyId(name, key.PublicKey());
  const auto signature = key.Sign(AsBytes(body));
  std::vector<uint8_t> payload(id.begin(), id.end());
  payload.insert(payload.end(), signature.begin(), signature.end());
  return SignatureLine(name, payload);
}

}  // namespace

Result<std::string> SignNote(std::string_view body, std::string_view name, const SigningKey& key) {
  INBEELD_RETURN_IF_ERROR(CheckNoteText(body));
  INBEELD_RETURN_IF_ERROR(CheckKeyName(name));
  std::string note = std::string(body) + "\n" + Ed25519SignatureLine(body, name, key);
  if (note.size() > kMaxNoteSize) {
    return Fail(ErrorCode::kResourceExhausted,
                "signed note would be larger than " + std::to_string(kMaxNoteSize) + " bytes");
  }
  return note;
}

Result<std::string> AddSignature(std::string_view note, std::string_view name,
                                 const SigningKey& key) {
  Result<ParsedNote> parsed = ParseNote(note);
  if (!parsed) return std::unexpected(std::move(parsed).error());
  INBEELD_RETURN_IF_ERROR(CheckNoteText(parsed->body));
  INBEELD_RETURN_IF_ERROR(CheckKeyName(name));
  const KeyId id = Ed25519KeyId(name, key.PublicKey());
  if (FindLine(*parsed, name, id) != nullptr) {
    return Fail(ErrorCode::kAlreadyExists, "note is already signed by " + KeyLabel(name, id));
  }
  if (parsed->signatures.size() >= kMaxNoteSignatures) {
    return Fail(ErrorCode::kResourceExhausted,
                "note already has " + std::to_string(kMaxNoteSignatures) + " signatures");
  }
  std::string out = std::string(note) + Ed25519SignatureLine(parsed->body, name, key);
  if (out.size() > kMaxNoteSize) {
    return Fail(ErrorCode::kResourceExhausted,
                "signed note would be larger than " + std::to_string(kMaxNoteSize) + " bytes");
  }
  return out;
}

Result<std::string> CosignatureLine(std::string_view checkpoint_body,
                                    std::string_view cosigner_name, const SigningKey& key,
                                    uint64_t timestamp) {
  if (Result<Checkpoint> checkpoint = ParseCheckpointBody(checkpoint_body); !checkpoint) {
    return std::unexpected(WithContext(std::move(checkpoint).error(), "cosigning"));
  }
  INBEELD_RETURN_IF_ERROR(CheckKeyName(cosigner_name));
  if (timestamp > kMaxCosignatureTimestamp) {
    return Fail(ErrorCode::kInvalidArgument, "cosignature timestamp exceeds 2^63-1");
  }
  const KeyId id = CosignatureKeyId(cosigner_name, key.PublicKey());
  const std::string message = CosignedMessage(timestamp, checkpoint_body);
  const auto signature = key.Sign(AsBytes(message));
  std::vector<uint8_t> payload(id.begin(), id.end());
  for (int shift = 56; shift >= 0; shift -= 8)
    payload.push_back(static_cast<uint8_t>(timestamp >> shift));
  payload.insert(payload.end(), signature.begin(), signature.end());
  return SignatureLine(cosigner_name, payload);
}

// --- Parsing and verifying --------------------------------------------------

Result<ParsedNote> ParseNote(std::string_view note) {
  if (note.size() > kMaxNoteSize) {
    return Fail(ErrorCode::kResourceExhausted,
                "note is larger than " + std::to_string(kMaxNoteSize) + " bytes");
  }
  if (const std::optional<size_t> bad = FirstBadTextByte(note)) {
    return Fail(ErrorCode::kInvalidArgument, BadTextMessage("note", note, *bad));
  }
  // The text may itself hold blank lines; the last one separates it from
  // the signatures, which never contain one.
  const size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) {
    return Fail(ErrorCode::kInvalidArgument, "note has no blank line before its signatures");
  }
  std::string_view block = note.substr(split + 2);
  if (block.empty()) return Fail(ErrorCode::kInvalidArgument, "note has no signature lines");
  if (block.back() != '\n')
    return Fail(ErrorCode::kInvalidArgument, "note does not end in a newline");

  ParsedNote parsed;
  parsed.body = std::string(note.substr(0, split + 1));
  for (size_t number = 1; !block.empty(); ++number) {
    if (number > kMaxNoteSignatures) {
      return Fail(ErrorCode::kResourceExhausted,
                  "note has more than " + std::to_string(kMaxNoteSignatures) + " signature lines");
    }
    const std::string where = "signature line " + std::to_string(number);
    const size_t newline = block.find('\n');  // found: the block ends in '\n'
    std::string_view line = block.substr(0, newline);
    block.remove_prefix(newline + 1);

    if (!line.starts_with(kSignaturePrefix)) {
      return Fail(ErrorCode::kInvalidArgument,
                  where + " does not start with an em dash and a space");
    }
    line.remove_prefix(kSignaturePrefix.size());
    const size_t space = line.find(' ');
    if (space == std::string_view::npos) {
      return Fail(ErrorCode::kInvalidArgument,
                  where + " has no space between key name and signature");
    }
    const std::string_view name = line.substr(0, space);
    if (!IsValidKeyName(name)) {
      return Fail(
          ErrorCode::kInvalidArgument,
          where +
              ": key name is empty, not UTF-8, or contains a space, a '+' or a control character");
    }
    const std::optional<std::vector<uint8_t>> payload = Base64Decode(line.substr(space + 1));
    if (!payload)
      return Fail(ErrorCode::kInvalidArgument, where + ": signature is not canonical base64");
    if (payload->size() < kKeyIdSize + 1) {
      return Fail(ErrorCode::kInvalidArgument, where + ": signature is shorter than 5 bytes");
    }
    ParsedNote::SignatureLine signature;
    signature.name = std::string(name);
    std::copy(payload->begin(), payload->begin() + kKeyIdSize, signature.key_id.begin());
    signature.sig_bytes.assign(payload->begin() + kKeyIdSize, payload->end());
    for (size_t i = 0; i < parsed.signatures.size(); ++i) {
      if (parsed.signatures[i].name == signature.name &&
          parsed.signatures[i].key_id == signature.key_id) {
        return Fail(
            ErrorCode::kInvalidArgument,
            where + " has the key name and key ID of signature line " + std::to_string(i + 1));
      }
    }
    parsed.signatures.push_back(std::move(signature));
  }
  return parsed;
}

Status VerifyNoteSignature(const ParsedNote& note, std::string_view name, const VerifyingKey& key) {
  const KeyId id = Ed25519KeyId(name, key);
  const ParsedNote::SignatureLine* line = FindLine(note, name, id);
  if (line == nullptr) {
    return Fail(ErrorCode::kUnauthenticated, "note has no signature by " + KeyLabel(name, id));
  }
  if (line->sig_bytes.size() != kEd25519SignatureSize) {
    return Fail(ErrorCode::kUnauthenticated, "signature by " + KeyLabel(name, id) + " has " +
                                                 std::to_string(line->sig_bytes.size()) +
                                                 " bytes, expected 64");
  }
  if (!key.Verify(AsBytes(note.body), line->sig_bytes)) {
    return Fail(ErrorCode::kUnauthenticated,
                "signature by " + KeyLabel(name, id) + " does not verify");
  }
  return {};
}

Result<uint64_t> VerifyCosignature(const ParsedNote& note, std::string_view cosigner_name,
                                   const VerifyingKey& key) {
  const KeyId id = CosignatureKeyId(cosigner_name, key);
  const ParsedNote::SignatureLine* line = FindLine(note, cosigner_name, id);
  if (line == nullptr) {
    return Fail(ErrorCode::kUnauthenticated,
                "note has no cosignature by " + KeyLabel(cosigner_name, id));
  }
  if (line->sig_bytes.size() != kEd25519CosignatureSize) {
    return Fail(ErrorCode::kUnauthenticated, "cosignature by " + KeyLabel(cosigner_name, id) +
                                                 " has " + std::to_string(line->sig_bytes.size()) +
                                                 " bytes, expected 72");
  }
  uint64_t timestamp = 0;
  for (size_t i = 0; i < 8; ++i) timestamp = (timestamp << 8) | line->sig_bytes[i];
  if (timestamp > kMaxCosignatureTimestamp) {
    return Fail(ErrorCode::kUnauthenticated,
                "cosignature by " + KeyLabel(cosigner_name, id) + " has a timestamp above 2^63-1");
  }
  const std::string message = CosignedMessage(timestamp, note.body);
  const std::span<const uint8_t> signature = std::span(line->sig_bytes).subspan(8);
  if (!key.Verify(AsBytes(message), signature)) {
    return Fail(ErrorCode::kUnauthenticated,
                "cosignature by " + KeyLabel(cosigner_name, id) + " does not verify");
  }
  return timestamp;
}

}  // namespace inbeeld::crypto
