// The witness exchange's JSON messages (schema/witness_wire.h) against hostile
// input: the shared table of tests/support/hostile_json.h (truncated at every
// offset, trailing garbage, not an object, oversized, every member missing,
// repeated or of the wrong type, an unknown member), then what is particular
// to these messages: the typed retry, bounded strings and proofs, and proof
// hashes that are not canonical base64 of 32 bytes. Each is refused with its
// exact code and message, which names the member and never the payload. The
// bytes a valid message encodes to are pinned: an outside client was written
// from docs/PROTOCOL.md §2.1.
#include "schema/witness_wire.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/hostile_json.h"

namespace inbeeld::schema::witness {
namespace {

using ::inbeeld::testing::DropValue;
using ::inbeeld::testing::ExpectInvalid;
using ::inbeeld::testing::JsonMember;
using ::inbeeld::testing::JsonType;
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

TEST(WitnessWire, HostileBodiesAreRefusedWithExactErrors) {
  using testing::ExpectAllRefused;
  ExpectAllRefused([](std::string_view t) { return DropValue(DecodeWitnessRequest(t)); },
                   "witness request", EncodeWitnessRequest({kNote, 5, Proof(3), 4}),
                   {{"checkpoint", JsonType::kString},
                    {"proof_from", JsonType::kUint},
                    {"proof", JsonType::kArray},
                    {"seen_your_size", JsonType::kUint}});
  ExpectAllRefused([](std::string_view t) { return DropValue(DecodeWitnessResponse(t)); },
                   "witness response", EncodeWitnessResponse({kLine, kNote, 5, Proof(3)}),
                   {{"cosignature", JsonType::kString},
                    {"checkpoint", JsonType::kString},
                    {"proof_from", JsonType::kUint},
                    {"proof", JsonType::kArray}});
  ExpectAllRefused([](std::string_view t) { return DropValue(DecodeCosignRequest(t)); },
                   "cosign request", EncodeCosignRequest({9, kLine}),
                   {{"size", JsonType::kUint}, {"cosignature", JsonType::kString}});
}

TEST(WitnessWire, TheTypedRetryIsStrict) {
  const std::string at = "witness response: member \"retry";
  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"({"retry":{}})", at + ".proof_from\": missing"},
      {R"({"retry":{"proof_from":-1}})", at + ".proof_from\": not an unsigned integer"},
      {R"({"retry":{"proof_from":"3"}})", at + ".proof_from\": not an unsigned integer"},
      {R"({"retry":{"proof_from":3,"extra":1}})", at + "\": holds a member other than proof_from"},
      {R"({"retry":3})", at + "\": not an object"},
      {R"({"retry":null})", at + "\": not an object"},
      {R"({"retry":[3]})", at + "\": not an object"},
      {R"({"retry":{"proof_from":3},"proof_from":3})",
       "witness response: holds a member other than retry"},
      {R"({"retry":{"proof_from":1,"proof_from":2}})", "witness response: a member appears twice"},
      {R"({"retry":{"proof_from":{}}})", "witness response: nested deeper than 2 levels"},
  };
  for (const auto& [text, message] : bad) {
    SCOPED_TRACE(text);
    ExpectInvalid(DecodeWitnessResponse(text), message);
  }
  // A retry beside the members of any other message is an unknown member.
  json with_retry = json::parse(EncodeCosignRequest({9, kLine}));
  with_retry["retry"] = json{{"proof_from", 1}};
  ExpectInvalid(DecodeCosignRequest(with_retry.dump()),
                "cosign request: holds a member other than size, cosignature");
  const std::string retry = R"({"retry":{"proof_from":12}})";
  ASSERT_TRUE(DecodeWitnessResponse(retry));
  for (size_t n = 1; n < retry.size(); ++n) {
    ExpectInvalid(DecodeWitnessResponse(retry.substr(0, n)), "witness response: not valid JSON");
  }
}

TEST(WitnessWire, NumbersUpTo2To64Minus1AreRead) {
  auto max = DecodeCosignRequest(R"({"size":18446744073709551615,"cosignature":"l"})");
  ASSERT_TRUE(max) << max.error().message;
  EXPECT_EQ(max->size, UINT64_MAX);
  for (const char* number : {"0x5", "05", "+5"}) {
    ExpectInvalid(
        DecodeCosignRequest(std::string(R"({"size":)") + number + R"(,"cosignature":"l"})"),
        "cosign request: not valid JSON");
  }
}

TEST(WitnessWire, OversizedStringsAndProofsAreRefused) {
  struct Text {
    std::string what;
    std::string body;
    std::string member;
    size_t limit;
    std::function<Status(std::string_view)> decode;
  };
  const std::vector<Text> texts = {
      {"witness request", EncodeWitnessRequest({kNote, 5, Proof(3), 4}), "checkpoint", kMaxNoteSize,
       [](std::string_view t) { return DropValue(DecodeWitnessRequest(t)); }},
      {"witness response", EncodeWitnessResponse({kLine, kNote, 5, Proof(3)}), "checkpoint",
       kMaxNoteSize, [](std::string_view t) { return DropValue(DecodeWitnessResponse(t)); }},
      {"witness response", EncodeWitnessResponse({kLine, kNote, 5, Proof(3)}), "cosignature",
       kMaxCosignatureSize, [](std::string_view t) { return DropValue(DecodeWitnessResponse(t)); }},
      {"cosign request", EncodeCosignRequest({9, kLine}), "cosignature", kMaxCosignatureSize,
       [](std::string_view t) { return DropValue(DecodeCosignRequest(t)); }},
  };
  for (const Text& t : texts) {
    SCOPED_TRACE(t.what + " " + t.member);
    const std::string at = t.what + ": member \"" + t.member + "\": ";
    json j = json::parse(t.body);
    j[t.member] = std::string(t.limit, 'n');
    EXPECT_TRUE(t.decode(j.dump()));
    j[t.member] = std::string(t.limit + 1, 'n');
    ExpectInvalid(t.decode(j.dump()), at + "longer than " + std::to_string(t.limit) + " bytes");
    j[t.member] = "";
    ExpectInvalid(t.decode(j.dump()), at + "empty");
  }
  EXPECT_TRUE(DecodeWitnessRequest(EncodeWitnessRequest({kNote, 5, Proof(64), 4})));
  ExpectInvalid(DecodeWitnessRequest(EncodeWitnessRequest({kNote, 5, Proof(65), 4})),
                "witness request: member \"proof\": more than 64 entries");
  ExpectInvalid(DecodeWitnessResponse(EncodeWitnessResponse({kLine, kNote, 5, Proof(65)})),
                "witness response: member \"proof\": more than 64 entries");
  // A proof of a hundred thousand tiny entries is refused on its count alone.
  json j = json::parse(EncodeWitnessRequest({kNote, 5, {}, 4}));
  j["proof"] = json::array();
  for (int i = 0; i < 100'000; ++i) j["proof"].push_back(0);
  ExpectInvalid(DecodeWitnessRequest(j.dump()),
                "witness request: member \"proof\": more than 64 entries");
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
    SCOPED_TRACE("bad hash " + std::to_string(i));
    json j = json::parse(EncodeWitnessRequest({kNote, 5, Proof(2), 4}));
    j["proof"][1] = bad[i];
    ExpectInvalid(DecodeWitnessRequest(j.dump()),
                  "witness request: member \"proof\"[1]: not canonical base64 of 32 bytes");
  }
  for (const json& value : {json(7), json(), json::array(), json::object()}) {
    SCOPED_TRACE(value.dump());
    json j = json::parse(EncodeWitnessRequest({kNote, 5, Proof(2), 4}));
    j["proof"][0] = value;
    ExpectInvalid(DecodeWitnessRequest(j.dump()),
                  value.is_structured() ? "witness request: nested deeper than 2 levels"
                                        : "witness request: member \"proof\"[0]: not a string");
  }
}

TEST(WitnessWire, TheCosignAnswerIsAnEmptyObject) {
  EXPECT_TRUE(DecodeCosignAck("{}"));
  EXPECT_TRUE(DecodeCosignAck(" {\n} "));
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "cosign answer: empty body"},
      {"{", "cosign answer: not valid JSON"},
      {"[]", "cosign answer: not a JSON object"},
      {"null", "cosign answer: not a JSON object"},
      {R"({"ok":true})", "cosign answer: is not an empty object"},
      {"{}{}", "cosign answer: not valid JSON"},
      {"{} x", "cosign answer: not valid JSON"},
  };
  for (const auto& [text, message] : bad) {
    SCOPED_TRACE(text);
    ExpectInvalid(DecodeCosignAck(text), message);
  }
}

}  // namespace
}  // namespace inbeeld::schema::witness
