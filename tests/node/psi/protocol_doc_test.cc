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
#include "tests/node/psi/protocol_example.h"
#include "tests/node/psi/psi_test_util.h"

namespace inbeeld::node::psi {
namespace {

using namespace ::inbeeld::node::psi::testing;

using namespace ::inbeeld::node::psi::example;

Example RunExampleOrFail() {
  auto ex = RunExample();
  EXPECT_TRUE(ex) << ex.error().message;
  return ex ? *ex : Example{};
}

// --------------------------------------------------------- the document

std::string ReadDocument() {
  std::ifstream in(std::string(INBEELD_SOURCE_DIR) + "/docs/PROTOCOL.md");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
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
  for (const char* id : kIdentifiers) {
    EXPECT_EQ(HexBlock(doc, std::string("hash-") + id), HashHex(id)) << id;
  }
}

TEST(ProtocolDoc, MessagesAreTheDocumentedBytes) {
  const std::string doc = ReadDocument();
  const Example ex = RunExampleOrFail();
  EXPECT_EQ(HexBlock(doc, "message1"), Hex(ex.message1));
  EXPECT_EQ(HexBlock(doc, "message2"), Hex(ex.message2));
  EXPECT_EQ(HexBlock(doc, "message3"), Hex(ex.message3));
  EXPECT_EQ(HexBlock(doc, "message4"), Hex(ex.message4));
}

TEST(ProtocolDoc, DocumentedOutcomeHolds) {
  const std::string doc = ReadDocument();
  const Example ex = RunExampleOrFail();
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
