// Fuzzes the signed-note and checkpoint parsers (crypto/signed_note.h) with a
// note as a peer sends it or an export holds it.
//
// Invariants beyond "no crash": parsing is strict, so a note that parses is
// rebuilt byte for byte from its parts (canonical base64 only: one signature
// has one spelling) and a checkpoint text likewise; whatever this module
// signs or cosigns on top of a parsed note parses and verifies.
#include <sodium.h>

#include <string>
#include <string_view>

#include "crypto/signed_note.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/keys.h"

namespace {

using namespace inbeeld::crypto;

constexpr std::string_view kLogName = "fuzz.example/log";
constexpr std::string_view kWitnessName = "fuzz.example/witness";

std::string Base64(const std::vector<uint8_t>& bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();  // the NUL
  return out;
}

std::string Rebuild(const ParsedNote& note) {
  std::string out = note.body + "\n";
  for (const auto& line : note.signatures) {
    std::vector<uint8_t> payload(line.key_id.begin(), line.key_id.end());
    payload.insert(payload.end(), line.sig_bytes.begin(), line.sig_bytes.end());
    out += "\xE2\x80\x94 " + line.name + " " + Base64(payload) + "\n";
  }
  return out;
}

void CheckCheckpoint(std::string_view body) {
  auto checkpoint = ParseCheckpointBody(body);
  if (!checkpoint) return;
  auto again = CheckpointBody(*checkpoint);
  INBEELD_FUZZ_CHECK(again && *again == body);
}

}  // namespace

INBEELD_FUZZ_TARGET(signed_note) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckCheckpoint(text);
  auto note = ParseNote(text);
  if (!note) return;
  INBEELD_FUZZ_CHECK(!note->signatures.empty());
  INBEELD_FUZZ_CHECK(Rebuild(*note) == text);
  CheckCheckpoint(note->body);

  const SigningKey& log = inbeeld::fuzz::LogKey();
  const SigningKey& witness = inbeeld::fuzz::WitnessKey();
  (void)VerifyNoteSignature(*note, kLogName, log.PublicKey());
  (void)VerifyCosignature(*note, kWitnessName, witness.PublicKey());

  if (auto signed_again = AddSignature(text, "fuzz.example/other", witness)) {
    auto parsed = ParseNote(*signed_again);
    INBEELD_FUZZ_CHECK(parsed.has_value());
    INBEELD_FUZZ_CHECK(VerifyNoteSignature(*parsed, "fuzz.example/other", witness.PublicKey()));
  }
  if (auto line = CosignatureLine(note->body, kWitnessName, witness, 1'795'356'185)) {
    auto parsed = ParseNote(std::string(text) + *line);
    // Refused when the note already has kMaxNoteSignatures lines or a line
    // of this very key; otherwise the new line is the one that verifies.
    if (parsed) {
      auto timestamp = VerifyCosignature(*parsed, kWitnessName, witness.PublicKey());
      INBEELD_FUZZ_CHECK(timestamp && *timestamp == 1'795'356'185);
    }
  }
}
