#include "crypto/signed_note.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/merkle.h"
#include "crypto/signing.h"
#include "tests/crypto/vectors.h"

namespace inbeeld::crypto {
namespace {

using testing::Unhex;

constexpr std::string_view kDash = "\xE2\x80\x94 ";

// --- Helpers: test-local base64 and key strings -----------------------------

Bytes FromBase64(std::string_view text) {
  if (sodium_init() < 0) std::abort();
  Bytes out(text.size());
  size_t written = 0;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &written,
                        nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    std::abort();  // a broken vector is a broken test
  }
  out.resize(written);
  return out;
}

std::string ToBase64(std::span<const uint8_t> data) {
  if (sodium_init() < 0) std::abort();
  std::string out(sodium_base64_ENCODED_LEN(data.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data.data(), data.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();
  return out;
}

// A verifier key "<name>+<hex key ID>+<base64(type || public key)>".
struct VKey {
  std::string name;
  std::string key_id_hex;
  uint8_t type;
  VerifyingKey key;
};
VKey ParseVKey(const std::string& vkey) {
  const size_t first = vkey.find('+');
  const size_t second = vkey.find('+', first + 1);
  const Bytes raw = FromBase64(vkey.substr(second + 1));
  Result<VerifyingKey> key = VerifyingKey::FromBytes(std::span(raw).subspan(1));
  if (!key) std::abort();
  return {vkey.substr(0, first), vkey.substr(first + 1, second - first - 1), raw[0], *key};
}

// "PRIVATE+KEY+<name>+<hex key ID>+<base64(type || seed)>".
// The base64 may itself hold '+', so count separators from the left.
SigningKey ParseSKey(const std::string& skey) {
  size_t at = 0;
  for (int separators = 0; separators < 4; ++separators) at = skey.find('+', at) + 1;
  const Bytes raw = FromBase64(skey.substr(at));
  Result<SigningKey> key = SigningKey::FromSeed(std::span(raw).subspan(1));
  if (!key) std::abort();
  return *std::move(key);
}

std::string Line(std::string_view name, std::span<const uint8_t> payload) {
  return std::string(kDash) + std::string(name) + " " + ToBase64(payload) + "\n";
}

nlohmann::json LoadNotes() {
  std::ifstream in(std::string(INBEELD_TESTDATA_DIR) + "/merkle/signed-notes.json");
  if (!in) return nullptr;
  return nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
}

Hash HashOf(std::string_view text) { return LeafHash(ToBytes(text)); }

Checkpoint ExampleCheckpoint() {
  return Checkpoint{"inbeeld.example/gemeente-a", 42, HashOf("root"), {}};
}

std::string Body(const Checkpoint& checkpoint) {
  Result<std::string> body = CheckpointBody(checkpoint);
  if (!body) std::abort();
  return *body;
}

// --- Published vectors --------------------------------------------------------

class PublishedNoteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    notes_ = LoadNotes();
    ASSERT_TRUE(notes_.is_object()) << "missing tests/testdata/merkle/signed-notes.json";
    ASSERT_EQ(notes_["ed25519_notes"].size(), 3u);
  }
  const nlohmann::json& Note(size_t i) { return notes_["ed25519_notes"][i]; }

  nlohmann::json notes_;
};

TEST_F(PublishedNoteTest, EveryPublishedNoteParsesAndVerifies) {
  for (const auto& v : notes_["ed25519_notes"]) {
    const VKey vkey = ParseVKey(v["vkey"]);
    SCOPED_TRACE(vkey.name);
    ASSERT_EQ(vkey.type, kSignatureTypeEd25519);
    EXPECT_EQ(HexEncode(Ed25519KeyId(vkey.name, vkey.key)), vkey.key_id_hex);

    Result<ParsedNote> parsed = ParseNote(v["note"].get<std::string>());
    ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
    EXPECT_EQ(parsed->body, v["text"].get<std::string>());
    ASSERT_EQ(parsed->signatures.size(), 1u);
    EXPECT_EQ(parsed->signatures[0].name, vkey.name);
    EXPECT_EQ(HexEncode(parsed->signatures[0].key_id), vkey.key_id_hex);
    EXPECT_EQ(parsed->signatures[0].sig_bytes.size(), 64u);
    Status ok = VerifyNoteSignature(*parsed, vkey.name, vkey.key);
    EXPECT_TRUE(ok.has_value()) << ok.error().message;
  }
}

TEST_F(PublishedNoteTest, SigningReproducesGoSumdbNoteByteForByte) {
  const SigningKey key = ParseSKey(Note(0)["skey"]);
  const VKey vkey = ParseVKey(Note(0)["vkey"]);
  ASSERT_EQ(key.PublicKey(), vkey.key);
  Result<std::string> note = SignNote(Note(0)["text"].get<std::string>(), "PeterNeumann", key);
  ASSERT_TRUE(note.has_value()) << note.error().message;
  EXPECT_EQ(*note, Note(0)["note"].get<std::string>());
}

TEST_F(PublishedNoteTest, TwoSignaturesEachVerifyOnlyWithTheirOwnKey) {
  const std::string text = Note(0)["text"];
  const std::string peter_line = Note(0)["note"].get<std::string>().substr(text.size() + 1);
  const std::string enoch_line = Note(1)["note"].get<std::string>().substr(text.size() + 1);
  const VKey peter = ParseVKey(Note(0)["vkey"]);
  const VKey enoch = ParseVKey(Note(1)["vkey"]);

  // The Go package documentation's doubly signed note: Enoch adds his line.
  // Here Peter adds his to Enoch's note, which must give Enoch's line first.
  Result<std::string> both =
      AddSignature(text + "\n" + enoch_line, "PeterNeumann", ParseSKey(Note(0)["skey"]));
  ASSERT_TRUE(both.has_value()) << both.error().message;
  EXPECT_EQ(*both, text + "\n" + enoch_line + peter_line);

  Result<ParsedNote> parsed = ParseNote(*both);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_TRUE(VerifyNoteSignature(*parsed, "PeterNeumann", peter.key).has_value());
  EXPECT_TRUE(VerifyNoteSignature(*parsed, "EnochRoot", enoch.key).has_value());
  // Another key under a known name, or a known key under another name, has no line.
  for (const Status& status : {VerifyNoteSignature(*parsed, "PeterNeumann", enoch.key),
                               VerifyNoteSignature(*parsed, "EnochRoot", peter.key),
                               VerifyNoteSignature(*parsed, "PeterNeuman", peter.key)}) {
    ASSERT_FALSE(status.has_value());
    EXPECT_EQ(status.error().code, ErrorCode::kUnauthenticated);
  }
}

TEST_F(PublishedNoteTest, PublishedKeyIds) {
  ASSERT_EQ(notes_["key_ids"].size(), 2u);
  const VKey ed25519 = ParseVKey(notes_["key_ids"][0]["vkey"]);
  ASSERT_EQ(ed25519.type, kSignatureTypeEd25519);
  EXPECT_EQ(HexEncode(Ed25519KeyId(ed25519.name, ed25519.key)), ed25519.key_id_hex);
  EXPECT_NE(HexEncode(CosignatureKeyId(ed25519.name, ed25519.key)), ed25519.key_id_hex);

  const VKey witness = ParseVKey(notes_["key_ids"][1]["vkey"]);
  ASSERT_EQ(witness.type, kSignatureTypeCosignatureV1);
  EXPECT_EQ(HexEncode(CosignatureKeyId(witness.name, witness.key)), witness.key_id_hex);
  EXPECT_NE(HexEncode(Ed25519KeyId(witness.name, witness.key)), witness.key_id_hex);
}

TEST_F(PublishedNoteTest, CosignatureSpecExampleHasTheDocumentedFraming) {
  const auto& v = notes_["cosignature_lines"][0];
  Result<ParsedNote> parsed = ParseNote(v["note"].get<std::string>());
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  ASSERT_EQ(parsed->signatures.size(), 2u);

  Result<Checkpoint> checkpoint = ParseCheckpointBody(parsed->body);
  ASSERT_TRUE(checkpoint.has_value()) << checkpoint.error().message;
  EXPECT_EQ(checkpoint->origin, v["checkpoint"]["origin"].get<std::string>());
  EXPECT_EQ(checkpoint->size, v["checkpoint"]["size"].get<uint64_t>());
  EXPECT_EQ(Bytes(checkpoint->root.begin(), checkpoint->root.end()),
            FromBase64(v["checkpoint"]["root_base64"].get<std::string>()));
  EXPECT_TRUE(checkpoint->extensions.empty());
  EXPECT_EQ(Body(*checkpoint), parsed->body);

  const ParsedNote::SignatureLine& cosig = parsed->signatures[1];
  EXPECT_EQ(cosig.name, v["cosigner"].get<std::string>());
  EXPECT_EQ(HexEncode(cosig.key_id), v["key_id"].get<std::string>());
  ASSERT_EQ(cosig.sig_bytes.size(), 72u);
  uint64_t timestamp = 0;
  for (size_t i = 0; i < 8; ++i) timestamp = (timestamp << 8) | cosig.sig_bytes[i];
  EXPECT_EQ(timestamp, v["timestamp"].get<uint64_t>());
}

TEST_F(PublishedNoteTest, TransparencyDevCosignatureHasTheDocumentedFraming) {
  const auto& v = notes_["cosignature_lines"][1];
  const std::string note = "origin\n1\n" + ToBase64(HashOf("x")) + "\n\n" + std::string(kDash) +
                           "w " + v["signature_base64"].get<std::string>() + "\n";
  Result<ParsedNote> parsed = ParseNote(note);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  const ParsedNote::SignatureLine& cosig = parsed->signatures[0];
  EXPECT_EQ(HexEncode(cosig.key_id), v["key_id"].get<std::string>());
  ASSERT_EQ(cosig.sig_bytes.size(), 72u);
  uint64_t timestamp = 0;
  for (size_t i = 0; i < 8; ++i) timestamp = (timestamp << 8) | cosig.sig_bytes[i];
  EXPECT_EQ(timestamp, v["timestamp"].get<uint64_t>());
}

// Flipping any bit anywhere in a one-signature note makes it unparseable or
// makes the signature fail: nothing in a signed note is unauthenticated.
TEST_F(PublishedNoteTest, EveryBitFlipAnywhereIsCaught) {
  const std::string note = Note(0)["note"];
  const VKey peter = ParseVKey(Note(0)["vkey"]);
  for (size_t i = 0; i < note.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string tampered = note;
      tampered[i] = static_cast<char>(tampered[i] ^ (1 << bit));
      Result<ParsedNote> parsed = ParseNote(tampered);
      if (!parsed) continue;
      ASSERT_FALSE(VerifyNoteSignature(*parsed, peter.name, peter.key).has_value())
          << "byte " << i << " bit " << bit;
    }
  }
}

// --- Parsing: malformed, truncated, oversized, hostile --------------------------

class ParseNoteTest : public PublishedNoteTest {
 protected:
  void SetUp() override {
    PublishedNoteTest::SetUp();
    text_ = Note(0)["text"];
    peter_line_ = Note(0)["note"].get<std::string>().substr(text_.size() + 1);
    enoch_line_ = Note(1)["note"].get<std::string>().substr(text_.size() + 1);
  }
  void ExpectRejected(const std::string& note, ErrorCode code = ErrorCode::kInvalidArgument) {
    Result<ParsedNote> parsed = ParseNote(note);
    ASSERT_FALSE(parsed.has_value()) << "accepted: " << note;
    EXPECT_EQ(parsed.error().code, code) << parsed.error().message;
  }
  // A well-formed line by `name` carrying 68 bytes.
  static std::string AnyLine(std::string_view name) {
    const Bytes payload(68, 0x5a);
    return Line(name, payload);
  }

  std::string text_, peter_line_, enoch_line_;
};

TEST_F(ParseNoteTest, RejectsNotesWithoutTheBlankLineOrSignatures) {
  ExpectRejected(text_ + peter_line_);  // no blank line
  ExpectRejected(text_);                // no signatures
  ExpectRejected(text_ + "\n");         // blank line, no signatures
  ExpectRejected(text_ + "\n" + peter_line_.substr(0, peter_line_.size() - 1));  // no final newline
  ExpectRejected(text_ + "\n" + peter_line_ + "Unexpected line.\n");
  ExpectRejected(text_ + "\n" + peter_line_ + "\n");  // trailing blank line
  ExpectRejected("");
}

TEST_F(ParseNoteTest, RejectsControlCharactersAndInvalidUtf8) {
  std::string crlf = text_ + "\n" + peter_line_;
  crlf.insert(crlf.size() - 1, "\r");
  ExpectRejected(crlf);
  ExpectRejected("If you\r\n" + text_ + "\n" + peter_line_);
  ExpectRejected("\x01" + text_ + "\n" + peter_line_);
  ExpectRejected("tab\there\n" + text_ + "\n" + peter_line_);
  for (std::string bad : {"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x80"}) {
    ExpectRejected(bad + "\n" + text_ + "\n" + peter_line_);
  }
  Result<ParsedNote> parsed =
      ParseNote("\xc3\xa9t\xc3\xa9\n\n" + AnyLine("caf\xc3\xa9"));  // UTF-8 is fine
  EXPECT_TRUE(parsed.has_value());
}

TEST_F(ParseNoteTest, RejectsBadSignatureLines) {
  const std::string head = text_ + "\n";
  const std::string b64 =
      peter_line_.substr(kDash.size() + 13, peter_line_.size() - kDash.size() - 14);
  ASSERT_EQ(FromBase64(b64).size(), 68u);
  ExpectRejected(head + "- PeterNeumann " + b64 + "\n");                      // hyphen, not em dash
  ExpectRejected(head + "\xE2\x80\x94PeterNeumann " + b64 + "\n");            // no space after dash
  ExpectRejected(head + std::string(kDash) + "PeterNeumann\n");               // no signature
  ExpectRejected(head + std::string(kDash) + "PeterNeumann \n");              // empty signature
  ExpectRejected(head + std::string(kDash) + " " + b64 + "\n");               // empty name
  ExpectRejected(head + std::string(kDash) + "Peter+Neumann " + b64 + "\n");  // '+' in name
  ExpectRejected(head + std::string(kDash) + "Peter\xC2\xA0Neumann " + b64 + "\n");      // NBSP
  ExpectRejected(head + std::string(kDash) + "Peter\xE2\x80\x83Neumann " + b64 + "\n");  // em space
  ExpectRejected(head + std::string(kDash) + "Peter\xE3\x80\x80Neumann " + b64 +
                 "\n");                                                       // ideographic
  ExpectRejected(head + std::string(kDash) + "PeterNeumann " + b64 + " \n");  // trailing space
  ExpectRejected(head + std::string(kDash) + "PeterNeumann  " + b64 + "\n");  // two spaces
  ExpectRejected(head + std::string(kDash) + "PeterNeumann " + b64.substr(0, 60) + "!" +
                 b64.substr(61) + "\n");
  ExpectRejected(head + std::string(kDash) + "PeterNeumann " + b64.substr(0, b64.size() - 1) +
                 "\n");                                                          // no pad
  ExpectRejected(head + std::string(kDash) + "PeterNeumann " + b64 + "=\n");     // extra pad
  ExpectRejected(head + std::string(kDash) + "PeterNeumann " + b64 + "AAAA\n");  // data after pad
  ExpectRejected(head + std::string(kDash) +
                 "PeterNeumann AAAA\n");  // 3 bytes: no room for a signature
  ExpectRejected(head + std::string(kDash) + "PeterNeumann AAAAAA==\n");  // 4 bytes: key ID only
  EXPECT_TRUE(
      ParseNote(head + std::string(kDash) + "PeterNeumann AAAAAAA=\n").has_value());  // 5 bytes
  // Non-zero bits in the padding: the same bytes, spelled non-canonically.
  ExpectRejected(head + std::string(kDash) + "PeterNeumann AAAAAAB=\n");
}

// Found by fuzz/signed_note_fuzzer.cc: libsodium 1.0.18 decodes any byte
// 0x80..0xFF as if it were '/', so a signature (or root) spelled with "é" in
// place of "//" parsed, and verified, as the same bytes: one signature, many
// notes. Every non-ASCII character in base64 is refused now.
TEST_F(ParseNoteTest, RejectsNonAsciiCharactersInsideTheBase64) {
  const std::string head = text_ + "\n";
  // A 68-byte payload whose base64 has "//" (0xFF bytes) right at the start.
  const std::string b64 = ToBase64(Bytes(68, 0xff));
  ASSERT_EQ(b64.substr(0, 4), "////");
  ASSERT_TRUE(ParseNote(head + std::string(kDash) + "PeterNeumann " + b64 + "\n").has_value());
  for (const std::string& spelling :
       std::vector<std::string>{std::string("\xC3\xA9"),             // é for "//"
                                std::string("\xE2\x82\xAC") + "/",   // € and '/' for "///"
                                std::string("\xF0\x9F\x98\x80")}) {  // an emoji for "////"
    const std::string mangled = spelling + b64.substr(spelling.size());
    ExpectRejected(head + std::string(kDash) + "PeterNeumann " + mangled + "\n");
  }
  const std::string root = ToBase64(Bytes(32, 0xff));
  ASSERT_TRUE(ParseCheckpointBody("origin\n17\n" + root + "\n").has_value());
  EXPECT_FALSE(ParseCheckpointBody("origin\n17\n\xC3\xA9" + root.substr(2) + "\n").has_value());
}

TEST_F(ParseNoteTest, RejectsDuplicateSignaturesByOneKey) {
  ExpectRejected(text_ + "\n" + peter_line_ + peter_line_);
  ExpectRejected(text_ + "\n" + peter_line_ + enoch_line_ + peter_line_);
  // Same name and key ID, different signature bytes: still one key twice.
  std::string other = peter_line_;
  other[other.size() - 5] = other[other.size() - 5] == 'A' ? 'B' : 'A';
  ExpectRejected(text_ + "\n" + peter_line_ + other);
}

TEST_F(ParseNoteTest, EnforcesTheSignatureLimit) {
  std::string note = text_ + "\n";
  for (size_t i = 1; i <= kMaxNoteSignatures; ++i) note += AnyLine("key" + std::to_string(i));
  Result<ParsedNote> parsed = ParseNote(note);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(parsed->signatures.size(), kMaxNoteSignatures);
  ExpectRejected(note + AnyLine("one-too-many"), ErrorCode::kResourceExhausted);
}

TEST_F(ParseNoteTest, EnforcesTheSizeLimit) {
  const std::string line = AnyLine("k");
  std::string body(kMaxNoteSize - line.size() - 2, 'x');
  body += "\n";
  const std::string note = body + "\n" + line;
  ASSERT_EQ(note.size(), kMaxNoteSize);
  EXPECT_TRUE(ParseNote(note).has_value());
  ExpectRejected("x" + note, ErrorCode::kResourceExhausted);
}

TEST_F(ParseNoteTest, EveryTruncationParsesOnlyAtALineBoundary) {
  const std::string note = text_ + "\n" + peter_line_ + enoch_line_;
  const size_t one_line = text_.size() + 1 + peter_line_.size();
  for (size_t n = 0; n < note.size(); ++n) {
    Result<ParsedNote> parsed = ParseNote(std::string_view(note).substr(0, n));
    if (n == one_line) {
      ASSERT_TRUE(parsed.has_value());
      EXPECT_EQ(parsed->signatures.size(), 1u);
    } else {
      ASSERT_FALSE(parsed.has_value()) << "prefix of " << n << " bytes";
    }
  }
}

TEST_F(ParseNoteTest, TextMayContainBlankLinesAndTheLastOneSplits) {
  const SigningKey key = SigningKey::Generate();
  for (std::string body : {"a\n\nb\n", "a\n\n", "\n", "a\n\n\n\nb\n"}) {
    Result<std::string> note = SignNote(body, "k", key);
    ASSERT_TRUE(note.has_value()) << note.error().message;
    Result<ParsedNote> parsed = ParseNote(*note);
    ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
    EXPECT_EQ(parsed->body, body);
    EXPECT_TRUE(VerifyNoteSignature(*parsed, "k", key.PublicKey()).has_value());
  }
}

// --- Verification ----------------------------------------------------------------

TEST(VerifyNoteTest, UnknownSignaturesAreIgnoredButABadKnownOneFails) {
  const SigningKey log = SigningKey::Generate();
  const SigningKey other = SigningKey::Generate();
  const std::string body = Body(ExampleCheckpoint());
  Result<std::string> note = SignNote(body, "log.example", log);
  ASSERT_TRUE(note.has_value());

  // Lines the verifier does not know: another key under the log's name,
  // another name with the log's key ID, garbage under a fresh name.
  const KeyId log_id = Ed25519KeyId("log.example", log.PublicKey());
  Bytes same_id(log_id.begin(), log_id.end());
  same_id.resize(68, 0x11);
  const std::string extra = Line("log.example", Bytes(68, 0x22)) + Line("mirror.example", same_id) +
                            Line("someone.example", Bytes(7, 0x33));
  Result<ParsedNote> parsed = ParseNote(*note + extra);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  Status ok = VerifyNoteSignature(*parsed, "log.example", log.PublicKey());
  EXPECT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_FALSE(VerifyNoteSignature(*parsed, "log.example", other.PublicKey()).has_value());

  // The right name and key ID with a signature that does not verify.
  ParsedNote forged = *parsed;
  for (size_t byte = 0; byte < 64; ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      forged.signatures[0].sig_bytes = parsed->signatures[0].sig_bytes;
      forged.signatures[0].sig_bytes[byte] ^= static_cast<uint8_t>(1 << bit);
      Status status = VerifyNoteSignature(forged, "log.example", log.PublicKey());
      ASSERT_FALSE(status.has_value()) << byte << ":" << bit;
      EXPECT_EQ(status.error().code, ErrorCode::kUnauthenticated);
    }
  }
  forged.signatures[0].sig_bytes.resize(63);
  EXPECT_FALSE(VerifyNoteSignature(forged, "log.example", log.PublicKey()).has_value());

  ParsedNote other_body = *parsed;
  other_body.body = Body(Checkpoint{"inbeeld.example/gemeente-a", 43, HashOf("root"), {}});
  EXPECT_FALSE(VerifyNoteSignature(other_body, "log.example", log.PublicKey()).has_value());
}

TEST(VerifyNoteTest, MessagesNameTheKey) {
  const SigningKey log = SigningKey::Generate();
  Result<ParsedNote> parsed = ParseNote(*SignNote("text\n", "log.example", log));
  ASSERT_TRUE(parsed.has_value());
  const SigningKey other = SigningKey::Generate();
  Status status = VerifyNoteSignature(*parsed, "log.example", other.PublicKey());
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().message, "note has no signature by key log.example+" +
                                        HexEncode(Ed25519KeyId("log.example", other.PublicKey())));
}

// --- Signing ----------------------------------------------------------------------

TEST(SignNoteTest, RejectsTextsThatCannotBeANote) {
  const SigningKey key = SigningKey::Generate();
  for (std::string body : {"", "no newline", "cr\r\n", "\xff\n"}) {
    Result<std::string> note = SignNote(body, "k", key);
    ASSERT_FALSE(note.has_value()) << body;
    EXPECT_EQ(note.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_FALSE(SignNote(std::string("nul\0\n", 5), "k", key).has_value());
  EXPECT_FALSE(SignNote(std::string(kMaxNoteSize, '\n'), "k", key).has_value());
}

TEST(SignNoteTest, RejectsInvalidKeyNames) {
  const SigningKey key = SigningKey::Generate();
  for (std::string name : {"", "a b", "a+b", "a\nb", "a\tb",
                           "a\xC2\xA0"
                           "b",
                           "\xff"}) {
    Result<std::string> note = SignNote("text\n", name, key);
    ASSERT_FALSE(note.has_value()) << name;
    EXPECT_EQ(note.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_TRUE(SignNote("text\n", "example.com/log-\xC3\xA9", key).has_value());
}

// An Ed25519 note signature over "cosignature/v1\ntime ...\n<checkpoint>" would
// also be a cosignature by the same key (the key ID differs, the signature
// does not), so SignNote refuses such texts.
TEST(SignNoteTest, RefusesTextsThatLookLikeACosignedMessage) {
  const SigningKey key = SigningKey::Generate();
  const std::string body = Body(ExampleCheckpoint());
  const std::string disguised = "cosignature/v1\ntime 1700000000\n" + body;
  Result<std::string> note = SignNote(disguised, "k", key);
  ASSERT_FALSE(note.has_value());
  EXPECT_EQ(note.error().code, ErrorCode::kInvalidArgument);
  // And the attack it prevents: the same bytes signed directly do verify as a cosignature.
  const auto signature = key.Sign(ToBytes(disguised));
  const KeyId id = CosignatureKeyId("k", key.PublicKey());
  Bytes payload(id.begin(), id.end());
  for (int shift = 56; shift >= 0; shift -= 8)
    payload.push_back(static_cast<uint8_t>(uint64_t{1700000000} >> shift));
  payload.insert(payload.end(), signature.begin(), signature.end());
  Result<ParsedNote> parsed = ParseNote(body + "\n" + Line("k", payload));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(VerifyCosignature(*parsed, "k", key.PublicKey()).value_or(0), 1700000000u);
}

TEST(AddSignatureTest, AppendsAndRefusesDuplicatesAndMalformedNotes) {
  const SigningKey first = SigningKey::Generate();
  const SigningKey second = SigningKey::Generate();
  const std::string note = *SignNote("text\n", "first", first);
  Result<std::string> both = AddSignature(note, "second", second);
  ASSERT_TRUE(both.has_value()) << both.error().message;
  EXPECT_TRUE(both->starts_with(note));
  Result<ParsedNote> parsed = ParseNote(*both);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_TRUE(VerifyNoteSignature(*parsed, "first", first.PublicKey()).has_value());
  EXPECT_TRUE(VerifyNoteSignature(*parsed, "second", second.PublicKey()).has_value());

  Result<std::string> again = AddSignature(*both, "first", first);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  // The same key under another name is another signer.
  EXPECT_TRUE(AddSignature(*both, "first-alias", first).has_value());

  EXPECT_FALSE(AddSignature("text\n", "second", second).has_value());
  EXPECT_FALSE(AddSignature(note + "junk\n", "second", second).has_value());
  EXPECT_FALSE(AddSignature(note, "bad name", second).has_value());

  std::string full = note;
  for (size_t i = 2; i <= kMaxNoteSignatures; ++i)
    full += Line("k" + std::to_string(i), Bytes(68, 1));
  Result<std::string> over = AddSignature(full, "second", second);
  ASSERT_FALSE(over.has_value());
  EXPECT_EQ(over.error().code, ErrorCode::kResourceExhausted);
}

// --- Checkpoints -------------------------------------------------------------------

TEST(CheckpointTest, BodyFormatAndRoundTrip) {
  const Checkpoint checkpoint{"example.com/behind-the-sofa",
                              20852163,
                              [] {
                                Hash h;
                                const Bytes raw =
                                    FromBase64("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
                                std::copy(raw.begin(), raw.end(), h.begin());
                                return h;
                              }(),
                              {}};
  EXPECT_EQ(
      Body(checkpoint),
      "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");

  for (const Checkpoint& c :
       {checkpoint, Checkpoint{"o", 0, EmptyRoot(), {}},
        Checkpoint{"origin with spaces", UINT64_MAX, HashOf("x"), {"ext one", "\xC3\xA9xt"}}}) {
    Result<Checkpoint> parsed = ParseCheckpointBody(Body(c));
    ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
    EXPECT_EQ(*parsed, c);
  }
}

TEST(CheckpointTest, BodyRefusesLinesThatWouldChangeTheShape) {
  for (const Checkpoint& c :
       {Checkpoint{"", 1, HashOf("x"), {}}, Checkpoint{"a\nb", 1, HashOf("x"), {}},
        Checkpoint{"a\r", 1, HashOf("x"), {}}, Checkpoint{"a", 1, HashOf("x"), {""}},
        Checkpoint{"a", 1, HashOf("x"), {"e\nf"}}, Checkpoint{"\xff", 1, HashOf("x"), {}}}) {
    Result<std::string> body = CheckpointBody(c);
    ASSERT_FALSE(body.has_value()) << c.origin;
    EXPECT_EQ(body.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(CheckpointTest, ParseIsStrict) {
  const std::string root = ToBase64(HashOf("x"));
  const std::string good = "origin\n17\n" + root + "\n";
  ASSERT_TRUE(ParseCheckpointBody(good).has_value());
  const std::vector<std::string> bad = {
      "",
      "origin\n17\n" + root,           // no final newline
      "origin\n17\n",                  // two lines
      "\n17\n" + root + "\n",          // empty origin
      good + "\n",                     // empty extension line
      "origin\r\n17\n" + root + "\n",  // CR
      "origin\n17\r\n" + root + "\n",
      "origin\n17\n" + root + "\r\n",
      "or\tigin\n17\n" + root + "\n",
      "\xff\n17\n" + root + "\n",
      "origin\n017\n" + root + "\n",  // leading zero
      "origin\n00\n" + root + "\n",
      "origin\n+17\n" + root + "\n",
      "origin\n-17\n" + root + "\n",
      "origin\n 17\n" + root + "\n",
      "origin\n17 \n" + root + "\n",
      "origin\n0x11\n" + root + "\n",
      "origin\n1e3\n" + root + "\n",
      "origin\n18446744073709551616\n" + root + "\n",  // 2^64
      "origin\n17\n" + root.substr(0, 43) + "\n",      // no padding
      "origin\n17\n" + root + "=\n",
      "origin\n17\n" + ToBase64(Bytes(31, 1)) + "\n",
      "origin\n17\n" + ToBase64(Bytes(33, 1)) + "\n",
      "origin\n17\n" + root.substr(0, 42) + "B=\n",  // 'B' leaves a padding bit set
      "origin\n17\n" + root.substr(0, 20) + " " + root.substr(20) + "\n",
  };
  for (const std::string& body : bad) {
    Result<Checkpoint> parsed = ParseCheckpointBody(body);
    ASSERT_FALSE(parsed.has_value()) << body;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument) << body;
  }
  Result<Checkpoint> largest = ParseCheckpointBody("origin\n18446744073709551615\n" + root + "\n");
  ASSERT_TRUE(largest.has_value());
  EXPECT_EQ(largest->size, UINT64_MAX);
}

// --- Cosignatures ---------------------------------------------------------------------

class CosignatureTest : public ::testing::Test {
 protected:
  CosignatureTest() : log_(SigningKey::Generate()), witness_(SigningKey::Generate()) {}
  void SetUp() override {
    body_ = Body(ExampleCheckpoint());
    note_ = *SignNote(body_, "inbeeld.example/gemeente-a", log_);
  }
  Result<ParsedNote> Cosigned(uint64_t timestamp) {
    Result<std::string> line =
        CosignatureLine(body_, "inbeeld.example/gemeente-b", witness_, timestamp);
    if (!line) return std::unexpected(line.error());
    return ParseNote(note_ + *line);
  }

  SigningKey log_;
  SigningKey witness_;
  std::string body_;
  std::string note_;
};

TEST_F(CosignatureTest, RoundTripReturnsTheTimestamp) {
  for (uint64_t timestamp : {uint64_t{0}, uint64_t{1679315147}, kMaxCosignatureTimestamp}) {
    Result<ParsedNote> parsed = Cosigned(timestamp);
    ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
    ASSERT_EQ(parsed->signatures.size(), 2u);
    Result<uint64_t> verified =
        VerifyCosignature(*parsed, "inbeeld.example/gemeente-b", witness_.PublicKey());
    ASSERT_TRUE(verified.has_value()) << verified.error().message;
    EXPECT_EQ(*verified, timestamp);
    // The log's own signature still verifies next to it.
    EXPECT_TRUE(
        VerifyNoteSignature(*parsed, "inbeeld.example/gemeente-a", log_.PublicKey()).has_value());
  }
}

TEST_F(CosignatureTest, LineHasTheSpecifiedLayoutAndMessage) {
  Result<std::string> line =
      CosignatureLine(body_, "inbeeld.example/gemeente-b", witness_, 1679315147);
  ASSERT_TRUE(line.has_value());
  const std::string prefix = std::string(kDash) + "inbeeld.example/gemeente-b ";
  ASSERT_TRUE(line->starts_with(prefix));
  ASSERT_TRUE(line->ends_with("\n"));
  const Bytes payload = FromBase64(line->substr(prefix.size(), line->size() - prefix.size() - 1));
  ASSERT_EQ(payload.size(), 4u + 8u + 64u);
  const KeyId id = CosignatureKeyId("inbeeld.example/gemeente-b", witness_.PublicKey());
  EXPECT_TRUE(std::equal(id.begin(), id.end(), payload.begin()));
  EXPECT_EQ(Bytes(payload.begin() + 4, payload.begin() + 12),
            Unhex("00000000641850cb"));  // 1679315147
  // The signature is over exactly the tlog-cosignature message.
  const std::string message = "cosignature/v1\ntime 1679315147\n" + body_;
  EXPECT_TRUE(
      witness_.PublicKey().Verify(ToBytes(message), std::span(payload).subspan(12)).has_value());
}

TEST_F(CosignatureTest, ForgeriesAreRejected) {
  Result<ParsedNote> parsed = Cosigned(1700000000);
  ASSERT_TRUE(parsed.has_value());
  const ParsedNote::SignatureLine original = parsed->signatures[1];
  ASSERT_EQ(original.sig_bytes.size(), 72u);

  // Every bit of the timestamp and of the signature.
  for (size_t byte = 0; byte < original.sig_bytes.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      ParsedNote forged = *parsed;
      forged.signatures[1].sig_bytes[byte] ^= static_cast<uint8_t>(1 << bit);
      Result<uint64_t> verified =
          VerifyCosignature(forged, "inbeeld.example/gemeente-b", witness_.PublicKey());
      ASSERT_FALSE(verified.has_value()) << byte << ":" << bit;
      EXPECT_EQ(verified.error().code, ErrorCode::kUnauthenticated);
    }
  }
  // The wrong key, the wrong name, another checkpoint.
  EXPECT_FALSE(
      VerifyCosignature(*parsed, "inbeeld.example/gemeente-b", log_.PublicKey()).has_value());
  EXPECT_FALSE(
      VerifyCosignature(*parsed, "inbeeld.example/gemeente-c", witness_.PublicKey()).has_value());
  ParsedNote moved = *parsed;
  moved.body = Body(Checkpoint{"inbeeld.example/gemeente-a", 43, HashOf("root"), {}});
  EXPECT_FALSE(
      VerifyCosignature(moved, "inbeeld.example/gemeente-b", witness_.PublicKey()).has_value());
  // A cosignature is not a note signature by the same key, nor the reverse.
  EXPECT_FALSE(
      VerifyNoteSignature(*parsed, "inbeeld.example/gemeente-b", witness_.PublicKey()).has_value());
  EXPECT_FALSE(
      VerifyCosignature(*parsed, "inbeeld.example/gemeente-a", log_.PublicKey()).has_value());
  // Truncated or extended signature bytes.
  ParsedNote cut = *parsed;
  cut.signatures[1].sig_bytes.pop_back();
  EXPECT_FALSE(
      VerifyCosignature(cut, "inbeeld.example/gemeente-b", witness_.PublicKey()).has_value());
  cut.signatures[1].sig_bytes = original.sig_bytes;
  cut.signatures[1].sig_bytes.push_back(0);
  EXPECT_FALSE(
      VerifyCosignature(cut, "inbeeld.example/gemeente-b", witness_.PublicKey()).has_value());
}

TEST_F(CosignatureTest, TimestampsAbove2To63AreRefusedEvenWhenSigned) {
  Result<std::string> line =
      CosignatureLine(body_, "inbeeld.example/gemeente-b", witness_, kMaxCosignatureTimestamp + 1);
  ASSERT_FALSE(line.has_value());
  EXPECT_EQ(line.error().code, ErrorCode::kInvalidArgument);

  const uint64_t timestamp = uint64_t{1} << 63;
  const auto signature =
      witness_.Sign(ToBytes("cosignature/v1\ntime " + std::to_string(timestamp) + "\n" + body_));
  const KeyId id = CosignatureKeyId("inbeeld.example/gemeente-b", witness_.PublicKey());
  Bytes payload(id.begin(), id.end());
  for (int shift = 56; shift >= 0; shift -= 8)
    payload.push_back(static_cast<uint8_t>(timestamp >> shift));
  payload.insert(payload.end(), signature.begin(), signature.end());
  Result<ParsedNote> parsed = ParseNote(note_ + Line("inbeeld.example/gemeente-b", payload));
  ASSERT_TRUE(parsed.has_value());
  Result<uint64_t> verified =
      VerifyCosignature(*parsed, "inbeeld.example/gemeente-b", witness_.PublicKey());
  ASSERT_FALSE(verified.has_value());
  EXPECT_EQ(verified.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(CosignatureTest, OnlyCheckpointsAreCosigned) {
  for (std::string body : {std::string("hello\n"), std::string("origin\n17\n"),
                           "origin\n017\n" + ToBase64(HashOf("x")) + "\n"}) {
    Result<std::string> line = CosignatureLine(body, "w", witness_, 1);
    ASSERT_FALSE(line.has_value()) << body;
    EXPECT_EQ(line.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_FALSE(CosignatureLine(body_, "bad name", witness_, 1).has_value());
  EXPECT_FALSE(CosignatureLine(body_, "", witness_, 1).has_value());
}

}  // namespace
}  // namespace inbeeld::crypto
