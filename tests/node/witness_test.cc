// The rejoin protocol's JSON bodies (node/audit/rejoin.h) against hostile
// input: truncated at every offset, trailing garbage, every field missing or
// of the wrong type, numbers out of range, oversized bodies and proofs, and
// proof hashes that are not canonical base64 of 32 bytes. Each is refused
// with kInvalidArgument (kResourceExhausted above 1 MiB) and a message that
// names the field, never the peer's payload. The protocol itself, between
// real nodes, is in audit_test.cc. The witness exchange's bodies are
// schema/witness_wire.h's, tested in tests/schema/witness_wire_test.cc.
#include "node/audit/witness.h"
#include "tests/support/fake_clock.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crypto/merkle.h"
#include "crypto/signed_note.h"
#include "node/audit/audit_log.h"
#include "node/audit/base64.h"
#include "node/audit/rejoin.h"

namespace inbeeld::node::audit {
namespace {

const testing::FakeClock kClock("2026-11-22T14:03:05Z");

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

std::vector<crypto::Hash> Proof(size_t n) {
  std::vector<crypto::Hash> out(n);
  for (size_t i = 0; i < n; ++i) out[i].fill(static_cast<uint8_t>(i + 1));
  return out;
}

struct Body {
  std::string name;
  std::string text;                                // a valid body
  std::function<Status(std::string_view)> decode;  // the decoder, result dropped
  std::vector<std::string> fields;                 // its fields
};

template <typename T>
Status Drop(const Result<T>& r) {
  if (!r) return std::unexpected(r.error());
  return {};
}

std::vector<Body> Bodies() {
  const crypto::SigningKey key = crypto::SigningKey::Generate();
  const std::string origin = OriginFor(key.PublicKey());
  crypto::Checkpoint c{origin, 9, crypto::RootFromLeafHashes(Proof(9)), {}};
  const std::string note = *crypto::SignNote(*crypto::CheckpointBody(c), origin, key);
  const std::string line = *Cosign(note, "inbeeld/other", crypto::SigningKey::Generate(), kClock);
  return {
      {"rejoin request",
       EncodeRejoinRequest({note, 4, "{\"name\":\"inbeeld.log.restored\"}", Proof(3), 2, Proof(4)}),
       [](std::string_view t) { return Drop(DecodeRejoinRequest(t)); },
       {"checkpoint", "restore_index", "restore_record", "inclusion", "proof_from", "proof"}},
      {"rejoin response",
       EncodeRejoinResponse({RejoinOutcome::kPending, 12, std::nullopt}),
       [](std::string_view t) { return Drop(DecodeRejoinResponse(t)); },
       {"outcome", "lost"}},
  };
}

// Fields whose right type is a string, and those whose right type is a proof.
bool IsTextField(const std::string& field) {
  return field == "checkpoint" || field == "cosignature" || field == "restore_record" ||
         field == "outcome";
}
bool IsProofField(const std::string& field) { return field == "proof" || field == "inclusion"; }

void ExpectInvalid(const Status& s, const std::string& what) {
  ASSERT_FALSE(s) << what << " accepted";
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument) << what << ": " << s.error().message;
}

TEST(RejoinBodies, TruncationAtEveryOffsetIsAnError) {
  for (const Body& b : Bodies()) {
    ASSERT_TRUE(b.decode(b.text)) << b.name;
    for (size_t n = 0; n < b.text.size(); ++n) {
      ExpectInvalid(b.decode(std::string_view(b.text).substr(0, n)),
                    b.name + " cut at " + std::to_string(n));
    }
  }
}

TEST(RejoinBodies, TrailingGarbageIsAnError) {
  for (const Body& b : Bodies()) {
    for (const std::string& garbage :
         std::vector<std::string>{"x", "}", "{}", "[]", ",", "0", std::string("\0", 1), "\xff"}) {
      ExpectInvalid(b.decode(b.text + garbage), b.name + " + " + garbage);
    }
    EXPECT_TRUE(b.decode(b.text + " \n")) << b.name << ": white space after the object is JSON";
    // nlohmann-json alone would stop at the NUL and take the body before it.
    ExpectInvalid(b.decode(b.text + std::string("\0", 1) + "{\"checkpoint\":1}"),
                  b.name + " + NUL + more");
    ExpectInvalid(b.decode(std::string(b.text).insert(1, std::string("\0", 1))),
                  b.name + " with a NUL inside");
  }
}

TEST(RejoinBodies, NotAnObjectIsAnError) {
  for (const Body& b : Bodies()) {
    for (const std::string& text :
         std::vector<std::string>{"", "null", "[]", "\"text\"", "17", "true", "[" + b.text + "]"}) {
      auto s = b.decode(text);
      ExpectInvalid(s, b.name + " as " + text.substr(0, 10));
      if (!s) {
        EXPECT_THAT(s.error().message, HasSubstr("not a JSON object"));
      }
    }
  }
}

TEST(RejoinBodies, EveryFieldMissingOrOfTheWrongTypeIsNamed) {
  const json wrong[] = {json(),         json(-1),      json(1.5), json(true),
                        json::object(), json::array(), json("5")};
  for (const Body& b : Bodies()) {
    for (const std::string& field : b.fields) {
      json missing = json::parse(b.text);
      missing.erase(field);
      auto s = b.decode(missing.dump());
      ExpectInvalid(s, b.name + " without " + field);
      if (!s) {
        EXPECT_THAT(s.error().message, HasSubstr("field " + field));
      }
      for (const json& value : wrong) {
        json j = json::parse(b.text);
        // A string is the right type for the texts, an array for the proof.
        if ((value.is_string() && IsTextField(field)) || (value.is_array() && IsProofField(field))) {
          continue;
        }
        j[field] = value;
        auto t = b.decode(j.dump());
        ExpectInvalid(t, b.name + " with " + field + " = " + value.dump());
        if (!t) {
          EXPECT_THAT(t.error().message, HasSubstr("field " + field));
        }
      }
    }
  }
}

TEST(RejoinBodies, NumbersOutOfRangeAreErrors) {
  for (const Body& b : Bodies()) {
    for (const std::string& field : b.fields) {
      if (IsTextField(field) || IsProofField(field)) continue;
      json j = json::parse(b.text);
      for (const std::string& number :
           std::vector<std::string>{"18446744073709551616", "-1", "1e3", "5.0", "-0"}) {
        std::string text = j.dump();
        const std::string key = "\"" + field + "\":";
        const size_t at = text.find(key) + key.size();
        const size_t end = text.find_first_of(",}", at);
        text.replace(at, end - at, number);
        ExpectInvalid(b.decode(text), b.name + " with " + field + " = " + number);
      }
    }
  }
}

TEST(RejoinBodies, OversizedBodiesAndProofsAreRefused) {
  for (const Body& b : Bodies()) {
    std::string big = b.text;
    big.insert(1, "\"padding\":\"" + std::string(1 << 20, 'a') + "\",");
    auto s = b.decode(big);
    ASSERT_FALSE(s) << b.name;
    EXPECT_EQ(s.error().code, ErrorCode::kResourceExhausted) << s.error().message;
  }
  ExpectInvalid(
      Drop(DecodeRejoinRequest(EncodeRejoinRequest({"n\n", 4, "{}", Proof(3), 2, Proof(65)}))),
      "a proof of 65 hashes");
  ExpectInvalid(
      Drop(DecodeRejoinRequest(EncodeRejoinRequest({"n\n", 4, "{}", Proof(65), 2, Proof(3)}))),
      "an inclusion proof of 65 hashes");
}

TEST(RejoinBodies, ProofHashesMustBeCanonicalBase64Of32Bytes) {
  const std::string good = Base64(Proof(1)[0]);
  const std::vector<std::string> bad = {
      "",
      good.substr(0, 43),                   // no padding
      good + "=",                           // extra padding
      good.substr(0, 42) + "B=",            // padding bits set
      Base64(std::vector<uint8_t>(31, 1)),  // 31 bytes
      Base64(std::vector<uint8_t>(33, 1)),  // 33 bytes
      good.substr(0, 20) + " " + good.substr(21),
      good.substr(0, 20) + "\xc3\xa9" + good.substr(22),  // é for two characters
      std::string(44, '-'),                               // URL-safe alphabet
  };
  for (const std::string& hash : bad) {
    json j = json::parse(EncodeRejoinRequest({"note\n", 4, "{}", Proof(3), 2, Proof(2)}));
    j["proof"][1] = hash;
    std::string text = j.dump(-1, ' ', false, json::error_handler_t::ignore);
    ExpectInvalid(Drop(DecodeRejoinRequest(text)), "proof hash \"" + hash + "\"");
  }
  json j = json::parse(EncodeRejoinRequest({"note\n", 4, "{}", Proof(3), 2, Proof(2)}));
  j["proof"][1] = 7;
  ExpectInvalid(Drop(DecodeRejoinRequest(j.dump())), "a number in the proof");
}

TEST(RejoinBodies, ErrorsNeverEchoTheBody) {
  const std::string secret = "geheim123456782";
  for (const Body& b : Bodies()) {
    for (const std::string& field : b.fields) {
      json j = json::parse(b.text);
      j[field] = IsTextField(field) ? json(17) : json(secret);
      auto s = b.decode(j.dump());
      ASSERT_FALSE(s);
      EXPECT_THAT(s.error().message, Not(HasSubstr(secret))) << s.error().message;
    }
    json proof = json::parse(b.text);
    if (proof.contains("proof")) {
      proof["proof"][0] = secret;
      auto s = b.decode(proof.dump());
      ASSERT_FALSE(s);
      EXPECT_THAT(s.error().message, Not(HasSubstr(secret)));
    }
    auto s = b.decode(secret);
    ASSERT_FALSE(s);
    EXPECT_THAT(s.error().message, Not(HasSubstr(secret)));
  }
}

}  // namespace
}  // namespace inbeeld::node::audit
