// The witness exchange's JSON messages (schema/witness_wire.h) against hostile
// input: truncated at every offset, trailing garbage, every member missing or
// of the wrong type, unknown and repeated members, numbers out of range,
// oversized bodies, strings and proofs, and proof hashes that are not
// canonical base64 of 32 bytes. Each is refused with kInvalidArgument
// (kResourceExhausted above 1 MiB) and a message that names the member, never
// the peer's payload. The bytes a valid message encodes to are pinned: an
// outside client was written from docs/PROTOCOL.md §2.1.
#include "schema/witness_wire.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace inbeeld::schema::witness {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

// What the decoders see of a note or a cosignature: opaque text.
const std::string kNote =
    "inbeeld/0123\n9\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\u2014 inbeeld/0123 c2ln\n";
const std::string kLine = "\u2014 inbeeld/4567 c2lnbmF0dXJl\n";

std::vector<ProofHash> Proof(size_t n) {
  std::vector<ProofHash> out(n);
  for (size_t i = 0; i < n; ++i) out[i].fill(static_cast<uint8_t>(i + 1));
  return out;
}

template <typename T>
Status Drop(const Result<T>& r) {
  if (!r) return std::unexpected(r.error());
  return {};
}

struct Body {
  std::string name;
  std::string text;                                // a valid body
  std::function<Status(std::string_view)> decode;  // the decoder, result dropped
  std::vector<std::string> fields;                 // its members
};

std::vector<Body> Bodies() {
  return {
      {"witness request",
       EncodeWitnessRequest({kNote, 5, Proof(3), 4}),
       [](std::string_view t) { return Drop(DecodeWitnessRequest(t)); },
       {"checkpoint", "proof_from", "proof", "seen_your_size"}},
      {"witness response",
       EncodeWitnessResponse({kLine, kNote, 5, Proof(3)}),
       [](std::string_view t) { return Drop(DecodeWitnessResponse(t)); },
       {"cosignature", "checkpoint", "proof_from", "proof"}},
      {"cosign request",
       EncodeCosignRequest({9, kLine}),
       [](std::string_view t) { return Drop(DecodeCosignRequest(t)); },
       {"size", "cosignature"}},
  };
}

bool IsTextField(const std::string& field) {
  return field == "checkpoint" || field == "cosignature";
}
bool IsProofField(const std::string& field) { return field == "proof"; }

void ExpectInvalid(const Status& s, const std::string& what) {
  ASSERT_FALSE(s) << what << " accepted";
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument) << what << ": " << s.error().message;
}

void ExpectInvalidSaying(const Status& s, const std::string& what, const std::string& says) {
  ExpectInvalid(s, what);
  if (!s) {
    EXPECT_THAT(s.error().message, HasSubstr(says)) << what;
  }
}

TEST(WitnessWire, EncodesTheBytesOfProtocolMd) {
  const ProofHash zero{};
  ProofHash ones;
  ones.fill(0xff);
  EXPECT_EQ(ProofHashBase64(zero), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
  EXPECT_EQ(ProofHashBase64(ones), "//////////////////////////////////////////8=");
  EXPECT_EQ(EncodeWitnessRequest({"n\n", 5, {zero}, 4}),
            R"({"checkpoint":"n\n","proof":["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="],)"
            R"("proof_from":5,"seen_your_size":4})");
  EXPECT_EQ(EncodeWitnessResponse({"l\n", "n\n", 0, {}}),
            R"({"checkpoint":"n\n","cosignature":"l\n","proof":[],"proof_from":0})");
  WitnessResponse retry;
  retry.retry_proof_from = 12;
  EXPECT_EQ(EncodeWitnessResponse(retry), R"({"retry":{"proof_from":12}})");
  EXPECT_EQ(EncodeCosignRequest({9, "l\n"}), R"({"cosignature":"l\n","size":9})");
  EXPECT_EQ(EncodeCosignAck(), "{}");
}

TEST(WitnessWire, RoundTrip) {
  WitnessRequest request{kNote, 5, Proof(3), 4};
  auto r = DecodeWitnessRequest(EncodeWitnessRequest(request));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, request);
  WitnessResponse response{kLine, kNote, 7, Proof(kMaxProofHashes)};
  auto a = DecodeWitnessResponse(EncodeWitnessResponse(response));
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(*a, response);
  WitnessResponse retry;
  retry.retry_proof_from = UINT64_MAX;
  auto b = DecodeWitnessResponse(EncodeWitnessResponse(retry));
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(*b, retry);
  auto cosign = DecodeCosignRequest(EncodeCosignRequest({UINT64_MAX, kLine}));
  ASSERT_TRUE(cosign) << cosign.error().message;
  EXPECT_EQ(cosign->size, UINT64_MAX);
  EXPECT_EQ(cosign->cosignature, kLine);
  // Every hash value survives: the base64 coder is ours.
  std::vector<ProofHash> all(8);
  for (size_t i = 0; i < all.size() * 32; ++i) all[i / 32][i % 32] = static_cast<uint8_t>(i);
  auto c = DecodeWitnessRequest(EncodeWitnessRequest({kNote, 0, all, 0}));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->proof, all);
  // Members in any order, white space between them.
  auto d = DecodeCosignRequest(" { \"size\" : 3 ,\n\"cosignature\":\"l\\n\" } ");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->size, 3u);
}

TEST(WitnessWire, TruncationAtEveryOffsetIsAnError) {
  for (const Body& b : Bodies()) {
    ASSERT_TRUE(b.decode(b.text)) << b.name;
    for (size_t n = 0; n < b.text.size(); ++n) {
      ExpectInvalid(b.decode(std::string_view(b.text).substr(0, n)),
                    b.name + " cut at " + std::to_string(n));
    }
  }
  const std::string retry = R"({"retry":{"proof_from":12}})";
  ASSERT_TRUE(DecodeWitnessResponse(retry));
  for (size_t n = 0; n < retry.size(); ++n) {
    ExpectInvalid(Drop(DecodeWitnessResponse(retry.substr(0, n))),
                  "retry cut at " + std::to_string(n));
  }
}

TEST(WitnessWire, TrailingGarbageIsAnError) {
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

TEST(WitnessWire, NotAnObjectIsAnError) {
  for (const Body& b : Bodies()) {
    for (const std::string& text :
         std::vector<std::string>{"", "null", "[]", "\"text\"", "17", "true", "[" + b.text + "]"}) {
      ExpectInvalidSaying(b.decode(text), b.name + " as " + text.substr(0, 10),
                          "not a JSON object");
    }
  }
}

TEST(WitnessWire, EveryMemberMissingOrOfTheWrongTypeIsNamed) {
  const json wrong[] = {json(),         json(-1),      json(1.5), json(true),
                        json::object(), json::array(), json("5")};
  for (const Body& b : Bodies()) {
    for (const std::string& field : b.fields) {
      json missing = json::parse(b.text);
      missing.erase(field);
      ExpectInvalidSaying(b.decode(missing.dump()), b.name + " without " + field,
                          "field " + field + " missing");
      for (const json& value : wrong) {
        json j = json::parse(b.text);
        // A string is the right type for the texts, an array for the proof.
        if ((value.is_string() && IsTextField(field)) ||
            (value.is_array() && IsProofField(field))) {
          continue;
        }
        j[field] = value;
        ExpectInvalidSaying(b.decode(j.dump()), b.name + " with " + field + " = " + value.dump(),
                            "field " + field);
      }
    }
  }
}

TEST(WitnessWire, UnknownAndRepeatedMembersAreRefused) {
  for (const Body& b : Bodies()) {
    json extra = json::parse(b.text);
    extra["geheim_lid"] = 1;
    auto s = b.decode(extra.dump());
    ExpectInvalidSaying(s, b.name + " with an extra member", "a member other than");
    if (!s) {
      EXPECT_THAT(s.error().message, Not(HasSubstr("geheim_lid")));
    }
    // The retry member is only allowed alone, in a response.
    json with_retry = json::parse(b.text);
    with_retry["retry"] = json{{"proof_from", 1}};
    ExpectInvalid(b.decode(with_retry.dump()), b.name + " with retry beside");
    // A repeated member: nlohmann-json would keep the last one silently.
    for (const std::string& field : b.fields) {
      std::string twice = b.text;
      twice.insert(1, "\"" + field + "\":" + json::parse(b.text)[field].dump() + ",");
      ExpectInvalidSaying(b.decode(twice), b.name + " with " + field + " twice", "appears twice");
    }
  }
  ExpectInvalidSaying(Drop(DecodeCosignRequest(R"({"size":1,"size":2,"cosignature":"l"})")),
                      "size twice", "appears twice");
  ExpectInvalidSaying(Drop(DecodeWitnessResponse(R"({"retry":{"proof_from":1,"proof_from":2}})")),
                      "retry proof_from twice", "appears twice");
}

TEST(WitnessWire, TheTypedRetryIsStrict) {
  const std::vector<std::string> bad = {
      R"({"retry":{}})",
      R"({"retry":{"proof_from":-1}})",
      R"({"retry":{"proof_from":"3"}})",
      R"({"retry":{"proof_from":3,"extra":1}})",
      R"({"retry":3})",
      R"({"retry":null})",
      R"({"retry":[3]})",
      R"({"retry":{"proof_from":3},"proof_from":3})",
  };
  for (const std::string& text : bad) {
    auto s = Drop(DecodeWitnessResponse(text));
    ExpectInvalid(s, text);
    if (!s) {
      EXPECT_THAT(s.error().message, AnyOf(HasSubstr("retry"), HasSubstr("proof_from"))) << text;
    }
  }
}

TEST(WitnessWire, NumbersOutOfRangeAreErrors) {
  for (const Body& b : Bodies()) {
    for (const std::string& field : b.fields) {
      if (IsTextField(field) || IsProofField(field)) continue;
      json j = json::parse(b.text);
      for (const std::string& number : std::vector<std::string>{"18446744073709551616", "-1", "1e3",
                                                                "5.0", "-0", "0x5", "05"}) {
        std::string text = j.dump();
        const std::string key = "\"" + field + "\":";
        const size_t at = text.find(key) + key.size();
        const size_t end = text.find_first_of(",}", at);
        text.replace(at, end - at, number);
        ExpectInvalid(b.decode(text), b.name + " with " + field + " = " + number);
      }
    }
  }
  auto max = DecodeCosignRequest(R"({"size":18446744073709551615,"cosignature":"l"})");
  ASSERT_TRUE(max) << max.error().message;
  EXPECT_EQ(max->size, UINT64_MAX);
}

TEST(WitnessWire, OversizedBodiesStringsAndProofsAreRefused) {
  for (const Body& b : Bodies()) {
    std::string big = b.text;
    big.insert(1, "\"padding\":\"" + std::string(1 << 20, 'a') + "\",");
    auto s = b.decode(big);
    ASSERT_FALSE(s) << b.name;
    EXPECT_EQ(s.error().code, ErrorCode::kResourceExhausted) << s.error().message;
    for (const std::string& field : b.fields) {
      if (!IsTextField(field)) continue;
      const size_t limit = field == "checkpoint" ? kMaxNoteSize : kMaxCosignatureSize;
      json j = json::parse(b.text);
      j[field] = std::string(limit, 'n');
      EXPECT_TRUE(b.decode(j.dump())) << b.name << ": " << field << " of " << limit << " bytes";
      j[field] = std::string(limit + 1, 'n');
      ExpectInvalidSaying(b.decode(j.dump()), b.name + ": long " + field,
                          "field " + field + " is longer than");
      j[field] = "";
      ExpectInvalidSaying(b.decode(j.dump()), b.name + ": empty " + field,
                          "field " + field + " is empty");
    }
  }
  ExpectInvalidSaying(Drop(DecodeWitnessRequest(EncodeWitnessRequest({kNote, 5, Proof(65), 4}))),
                      "a proof of 65 hashes", "field proof is too long");
  ExpectInvalidSaying(
      Drop(DecodeWitnessResponse(EncodeWitnessResponse({kLine, kNote, 5, Proof(65)}))),
      "a response proof of 65 hashes", "field proof is too long");
  // A proof of a million tiny entries is refused on its count alone.
  json j = json::parse(EncodeWitnessRequest({kNote, 5, {}, 4}));
  j["proof"] = json::array();
  for (int i = 0; i < 100'000; ++i) j["proof"].push_back(0);
  ExpectInvalidSaying(Drop(DecodeWitnessRequest(j.dump())), "100000 numbers",
                      "field proof is too long");
}

TEST(WitnessWire, ProofHashesMustBeCanonicalBase64Of32Bytes) {
  const std::string good = ProofHashBase64(Proof(1)[0]);
  const std::vector<std::string> bad = {
      "",
      good.substr(0, 43),                                       // no padding
      good + "=",                                               // extra padding
      good.substr(0, 42) + "B=",                                // padding bits set
      std::string(40, 'A') + "AA==",                            // 31 bytes
      std::string(44, 'A') + "AA==",                            // 34 bytes
      good.substr(0, 20) + " " + good.substr(21),               // white space
      good.substr(0, 20) + "\xc3\xa9" + good.substr(22),        // é for two characters
      std::string(43, '-') + "=",                               // URL-safe alphabet
      std::string(43, '_') + "=",                               // URL-safe alphabet
      good.substr(0, 42) + "==",                                // 31 bytes, two '='
      std::string(20, 'A') + "=" + std::string(22, 'A') + "=",  // '=' inside
  };
  for (size_t i = 0; i < bad.size(); ++i) {
    json j = json::parse(EncodeWitnessRequest({kNote, 5, Proof(2), 4}));
    j["proof"][1] = bad[i];
    std::string text = j.dump(-1, ' ', false, json::error_handler_t::ignore);
    ExpectInvalidSaying(Drop(DecodeWitnessRequest(text)), "proof hash " + std::to_string(i),
                        "field proof hash 1 is not canonical base64 of 32 bytes");
  }
  for (const json& value : {json(7), json(), json::array(), json::object()}) {
    json j = json::parse(EncodeWitnessRequest({kNote, 5, Proof(2), 4}));
    j["proof"][0] = value;
    ExpectInvalidSaying(Drop(DecodeWitnessRequest(j.dump())), "a " + value.dump() + " in the proof",
                        "field proof hash 0");
  }
}

TEST(WitnessWire, InvalidUtf8IsRefused) {
  std::string text = EncodeCosignRequest({9, "l\n"});
  text.replace(text.find("l\\n"), 1, "\xc3");
  ExpectInvalid(Drop(DecodeCosignRequest(text)), "a lone UTF-8 lead byte");
}

TEST(WitnessWire, TheCosignAnswerIsAnEmptyObject) {
  EXPECT_TRUE(DecodeCosignAck("{}"));
  EXPECT_TRUE(DecodeCosignAck(" {\n} "));
  for (const std::string& text :
       std::vector<std::string>{"", "{", "[]", "null", R"({"ok":true})", "{}{}", "{} x"}) {
    ExpectInvalid(DecodeCosignAck(text), "cosign answer " + text);
  }
}

TEST(WitnessWire, ErrorsNeverEchoTheBody) {
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
    json extra = json::parse(b.text);
    extra[secret] = secret;
    auto e = b.decode(extra.dump());
    ASSERT_FALSE(e);
    EXPECT_THAT(e.error().message, Not(HasSubstr(secret)));
    auto s = b.decode(secret);
    ASSERT_FALSE(s);
    EXPECT_THAT(s.error().message, Not(HasSubstr(secret)));
  }
}

}  // namespace
}  // namespace inbeeld::schema::witness
