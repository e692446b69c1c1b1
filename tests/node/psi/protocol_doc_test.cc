// docs/PROTOCOL.md's worked example, checked against the code: the document's
// hex dumps of the scalars, the hashes and the four messages must be exactly
// the bytes the sessions produce, and the outcome it states must hold.
//
// A hex block in the document is a fenced ```hex block right after a line
// `<!-- example:NAME -->`; inside it, `#` starts a comment and whitespace is
// ignored. build/bench/print_protocol_example prints the current bytes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/bytes.h"
#include "node/psi/session.h"
#include "schema/identifier.h"
#include "tests/node/psi/psi_test_util.h"

namespace inbeeld::node::psi {
namespace {

using namespace ::inbeeld::node::psi::testing;

// ---------------------------------------------------------- the example

wire::Labels L(schema::Category category, schema::Date since, std::string school, bool plan) {
  return wire::Labels{category, since, std::move(school), plan};
}

PsiInput In(std::string_view digits, wire::Labels labels) {
  PsiInput input;
  std::copy(digits.begin(), digits.end(), input.digits.begin());
  input.labels = std::move(labels);
  return input;
}

using C = schema::Category;

std::vector<PsiInput> InitiatorList() {
  return {In("123456782", L(C::kRelatiefVerzuim, {2025, 9, 1}, "12AB", false)),
          In("111222333", L(C::kAbsoluutVerzuim, {2025, 11, 17}, "34CD01", true)),
          In("101222331", L(C::kVrijstelling5a, {2024, 8, 19}, "56EF", false))};
}

std::vector<PsiInput> ResponderList() {
  return {In("101222331", L(C::kVrijstelling5a, {2024, 8, 20}, "56EF", true)),
          In("246801359", L(C::kDreigend, {2025, 12, 1}, "78GH", false)),
          In("111222333", L(C::kRelatiefVerzuim, {2025, 11, 10}, "34CD01", true)),
          In("314159265", L(C::kRelatiefVerzuim, {2025, 10, 6}, "90JK02", false))};
}

constexpr std::string_view kScalarALabel = "inbeeld PROTOCOL.md worked example: initiator scalar a";
constexpr std::string_view kScalarBLabel = "inbeeld PROTOCOL.md worked example: responder scalar b";

struct Example {
  std::string message1, message2, message3, message4;
  Outcome initiator, responder;
};

Example RunExample() {
  InitiatorParams ip;
  ip.mode = wire::Mode::kMatch;
  ip.purpose = "thuiszitters.afstemming";
  ip.label_mask = wire::kAllLabels;
  ip.list_date = {2026, 1, 15};
  ip.threads = 1;
  ResponderParams rp;
  rp.allowed_label_mask = wire::kLabelCategory | wire::kLabelSince | wire::kLabelSchool;
  rp.list_date = {2026, 1, 12};
  rp.threads = 1;

  Example ex;
  auto initiator = InitiatorSession::CreateForTesting(
      InitiatorList(), ip,
      Determinism{CountingSessionId(), ScalarFromLabel(kScalarALabel), {2, 0, 1}});
  EXPECT_TRUE(initiator) << initiator.error().message;
  if (!initiator) return ex;
  ex.message1 = (*initiator)->StartMessage();
  auto responder = ResponderSession::StartForTesting(
      ex.message1, ResponderList(), rp,
      Determinism{CountingSessionId(), ScalarFromLabel(kScalarBLabel), {3, 1, 0, 2}});
  EXPECT_TRUE(responder) << responder.error().message;
  if (!responder) return ex;
  ex.message2 = (*responder)->StartResponse();
  auto m3 = (*initiator)->HandleStartResponse(ex.message2);
  EXPECT_TRUE(m3) << m3.error().message;
  if (!m3) return ex;
  ex.message3 = *m3;
  auto finish = (*responder)->HandleFinish(ex.message3);
  EXPECT_TRUE(finish) << finish.error().message;
  if (!finish) return ex;
  ex.message4 = finish->message;
  ex.responder = finish->outcome;
  auto outcome = (*initiator)->HandleFinishResponse(ex.message4);
  EXPECT_TRUE(outcome) << outcome.error().message;
  if (outcome) ex.initiator = *outcome;
  return ex;
}

std::string Hex(std::string_view bytes) {
  return crypto::HexEncode(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

std::string HashHex(std::string_view digits) {
  auto h = crypto::Point::HashToGroup(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(digits.data()), digits.size()),
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(kHashToGroupDst.data()),
                               kHashToGroupDst.size()));
  return crypto::HexEncode(h->Encode());
}

std::string ScalarHex(std::string_view label) {
  return crypto::HexEncode(ScalarFromLabel(label).RevealForCrypto());
}

// --------------------------------------------------------- the document

std::string ReadDocument() {
  std::ifstream in(std::string(INBEELD_SOURCE_DIR) + "/docs/PROTOCOL.md");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The fenced block after `<!-- example:NAME -->`, comments and whitespace
// removed; empty if there is none.
std::string Block(const std::string& doc, std::string_view name, std::string_view fence) {
  const std::string marker = "<!-- example:" + std::string(name) + " -->";
  size_t at = doc.find(marker);
  if (at == std::string::npos) return "";
  at = doc.find("```" + std::string(fence) + "\n", at);
  if (at == std::string::npos) return "";
  at = doc.find('\n', at) + 1;
  const size_t end = doc.find("```", at);
  if (end == std::string::npos) return "";
  return doc.substr(at, end - at);
}

std::string HexBlock(const std::string& doc, std::string_view name) {
  std::string out;
  std::istringstream lines(Block(doc, name, "hex"));
  for (std::string line; std::getline(lines, line);) {
    line = line.substr(0, line.find('#'));
    for (char c : line) {
      if (c != ' ' && c != '\t' && c != '\r') out.push_back(c);
    }
  }
  return out;
}

// "key = value" lines of a ```text block.
std::map<std::string, std::string> KeyValues(const std::string& doc, std::string_view name) {
  std::map<std::string, std::string> out;
  std::istringstream lines(Block(doc, name, "text"));
  for (std::string line; std::getline(lines, line);) {
    const size_t eq = line.find(" = ");
    if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 3);
  }
  return out;
}

std::string Indices(const Outcome& outcome) {
  std::string out;
  for (const MatchedRecord& m : outcome.matches) {
    if (!out.empty()) out += " ";
    out += std::to_string(m.local_index);
  }
  return out;
}

// ---------------------------------------------------------------- tests

TEST(ProtocolDoc, ExampleIdentifiersAreValid) {
  for (const PsiInput& in : InitiatorList()) {
    const std::string_view d(in.digits.data(), in.digits.size());
    EXPECT_TRUE(schema::IsValidBsn(d) || schema::IsValidOnderwijsnummer(d)) << d;
  }
  for (const PsiInput& in : ResponderList()) {
    const std::string_view d(in.digits.data(), in.digits.size());
    EXPECT_TRUE(schema::IsValidBsn(d) || schema::IsValidOnderwijsnummer(d)) << d;
  }
  EXPECT_TRUE(schema::IsValidOnderwijsnummer("101222331"));
}

TEST(ProtocolDoc, DocumentNamesTheDst) {
  const std::string doc = ReadDocument();
  ASSERT_FALSE(doc.empty()) << "docs/PROTOCOL.md not found";
  EXPECT_NE(doc.find(std::string(kHashToGroupDst)), std::string::npos);
}

TEST(ProtocolDoc, ScalarsAndHashesAreTheDocumentedOnes) {
  const std::string doc = ReadDocument();
  EXPECT_EQ(HexBlock(doc, "scalar-a"), ScalarHex(kScalarALabel));
  EXPECT_EQ(HexBlock(doc, "scalar-b"), ScalarHex(kScalarBLabel));
  for (const char* id : {"123456782", "111222333", "101222331", "246801359", "314159265"}) {
    EXPECT_EQ(HexBlock(doc, std::string("hash-") + id), HashHex(id)) << id;
  }
}

TEST(ProtocolDoc, MessagesAreTheDocumentedBytes) {
  const std::string doc = ReadDocument();
  const Example ex = RunExample();
  EXPECT_EQ(HexBlock(doc, "message1"), Hex(ex.message1));
  EXPECT_EQ(HexBlock(doc, "message2"), Hex(ex.message2));
  EXPECT_EQ(HexBlock(doc, "message3"), Hex(ex.message3));
  EXPECT_EQ(HexBlock(doc, "message4"), Hex(ex.message4));
}

TEST(ProtocolDoc, DocumentedOutcomeHolds) {
  const std::string doc = ReadDocument();
  const Example ex = RunExample();
  std::map<std::string, std::string> expected = KeyValues(doc, "outcome");
  ASSERT_EQ(expected.size(), 6u);
  EXPECT_EQ(expected["overlap"], std::to_string(ex.initiator.overlap));
  EXPECT_EQ(expected["overlap"], std::to_string(ex.responder.overlap));
  EXPECT_EQ(expected["agreed_label_mask"], std::to_string(ex.initiator.label_mask));
  EXPECT_EQ(expected["initiator_matches"], Indices(ex.initiator));
  EXPECT_EQ(expected["responder_matches"], Indices(ex.responder));
  EXPECT_EQ(expected["initiator_learns_list_size"], std::to_string(ex.initiator.peer_list_size));
  EXPECT_EQ(expected["responder_learns_list_size"], std::to_string(ex.responder.peer_list_size));

  // The labels as the document's tables state them: each side gets the
  // peer's category, since and school (agreed mask 7), never the plan.
  ASSERT_EQ(ex.initiator.matches.size(), 2u);
  EXPECT_EQ(ex.initiator.matches[0].peer_labels,
            wire::RestrictLabels(ResponderList()[2].labels, 7));  // 111222333
  EXPECT_EQ(ex.initiator.matches[1].peer_labels,
            wire::RestrictLabels(ResponderList()[0].labels, 7));  // 101222331
  ASSERT_EQ(ex.responder.matches.size(), 2u);
  EXPECT_EQ(ex.responder.matches[0].peer_labels,
            wire::RestrictLabels(InitiatorList()[2].labels, 7));
  EXPECT_EQ(ex.responder.matches[1].peer_labels,
            wire::RestrictLabels(InitiatorList()[1].labels, 7));
}

}  // namespace
}  // namespace inbeeld::node::psi
