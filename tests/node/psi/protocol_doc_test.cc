// docs/PROTOCOL.md's worked example (§9, protocol v2), checked against the
// code: the document's hex dumps of the scalars, seeds, hashes, the filler
// and the four messages must be exactly the bytes the sessions produce; its
// key table must be what normalisation gives for the names it shows; and
// the outcome it states must hold.
//
// A hex block in the document is a fenced ```hex block right after a line
// `<!-- example:NAME -->`; inside it, `#` starts a comment and whitespace is
// ignored. build/bench/print_protocol_example prints the current bytes, and
// with --markdown the annotated blocks ready to paste.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "node/psi/session.h"
#include "schema/identifier.h"
#include "schema/match_keys.h"
#include "tests/node/psi/protocol_example.h"
#include "tests/node/psi/psi_test_util.h"

namespace inbeeld::node::psi {
namespace {

using namespace ::inbeeld::node::psi::example;
using testing::JoinByCode;
using testing::PlainPair;
using testing::PlainPairs;
using Strength = schema::Strength;

Example RunExampleOrFail() {
  auto ex = RunExample();
  EXPECT_TRUE(ex) << ex.error().message;
  return ex ? *ex : Example{};
}

std::string ReadDocument() {
  std::ifstream in(std::string(INBEELD_SOURCE_DIR) + "/docs/PROTOCOL.md");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ProtocolDoc, ExampleKeysAreWhatNormalisationGives) {
  for (const auto& records : {InitiatorRecords(), ResponderRecords()}) {
    for (const Record& r : records) {
      SCOPED_TRACE(r.name);
      std::optional<schema::Identifier> pgn;
      if (r.pgn) {
        auto parsed = schema::Identifier::Parse(*r.pgn);
        ASSERT_TRUE(parsed) << parsed.error().message;
        pgn = *parsed;
      }
      EXPECT_EQ(schema::DeriveMatchKeys(pgn, r.raw, r.birth), r.keys);
    }
  }
}

TEST(ProtocolDoc, DocumentNamesTheDsts) {
  const std::string doc = ReadDocument();
  ASSERT_FALSE(doc.empty()) << "docs/PROTOCOL.md not found";
  EXPECT_NE(doc.find(std::string(kHashToGroupDst)), std::string::npos);
  EXPECT_NE(doc.find("inbeeld-PSI-v2-filler"), std::string::npos);
  EXPECT_NE(doc.find("inbeeld-pair-v2"), std::string::npos);
}

TEST(ProtocolDoc, HexBlocksAreTheBytesTheCodeProduces) {
  const std::string doc = ReadDocument();
  const Example ex = RunExampleOrFail();
  for (const auto& [name, hex] : HexBlocks(ex)) {
    const std::string documented = HexBlock(doc, name);
    EXPECT_FALSE(documented.empty()) << name << " is missing from the document";
    EXPECT_EQ(documented, hex) << name;
  }
}

TEST(ProtocolDoc, KeyTableAndOutcomeAreTheDocumentedOnes) {
  const std::string doc = ReadDocument();
  const Example ex = RunExampleOrFail();
  for (const auto& [name, text] : TextBlocks(ex)) {
    EXPECT_EQ(Block(doc, name, "text"), text) << name;
  }
}

TEST(ProtocolDoc, TheExampleShowsEveryStrengthAndAPrunedPair) {
  const Example ex = RunExampleOrFail();
  const std::vector<PsiInput> xs = Inputs(InitiatorRecords());
  const std::vector<PsiInput> ys = Inputs(ResponderRecords());
  auto joined = JoinByCode(ex.initiator, ex.responder);
  ASSERT_TRUE(joined) << joined.error().message;
  // x0-y0 by PGN, x1-y1 by Sanne's roepnaam against y1's only name, x2-y3
  // by name and year.
  const std::vector<PlainPair> expected = {
      {0, 0, Strength::kCertain}, {1, 1, Strength::kProbable}, {2, 3, Strength::kPossible}};
  EXPECT_EQ(*joined, expected);
  EXPECT_EQ(PlainPairs(xs, ys, schema::kAllKeyTypes), expected);
  // x1 and y2 (the twin) share surname and birth date, and that possible
  // pair is dropped because x1 has a probable one.
  EXPECT_EQ(xs[1].keys[3], ys[2].keys[3]);
  EXPECT_EQ(ex.initiator.own, (wire::MatchCounts{2, 1}));
  EXPECT_EQ(ex.responder.own, (wire::MatchCounts{2, 1}));
  EXPECT_EQ(ex.initiator.key_mask, schema::kAllKeyTypes);
  EXPECT_EQ(ex.initiator.label_mask, 7);

  // Labels: each side gets the peer's category, since and school (agreed
  // mask 7), never the plan.
  ASSERT_EQ(ex.initiator.pairs.size(), 3u);
  for (const MatchedPair& p : ex.initiator.pairs) {
    EXPECT_EQ(p.peer_labels,
              wire::RestrictLabels(ResponderRecords()[kOrderB[p.peer_record]].labels, 7));
  }
  for (const MatchedPair& p : ex.responder.pairs) {
    EXPECT_EQ(p.peer_labels,
              wire::RestrictLabels(InitiatorRecords()[kOrderA[p.peer_record]].labels, 7));
  }
}

TEST(ProtocolDoc, TheShownFillerIsInA) {
  // A's first record is x2, whose slot 2 is empty: its point is filler 2
  // times a.
  ASSERT_FALSE(InitiatorRecords()[kOrderA[0]].keys[kShownFiller]);
  const Example ex = RunExampleOrFail();
  auto m1 = wire::DecodeStartRequest(ex.message1, 10);
  ASSERT_TRUE(m1);
  const auto filler = testing::FillerPoint(testing::SeedFromLabel(kSeedALabel), kShownFiller)
                          .Multiply(testing::ScalarFromLabel(kScalarALabel));
  ASSERT_TRUE(filler);
  EXPECT_TRUE(
      std::equal(m1->a[kShownFiller].begin(), m1->a[kShownFiller].end(), filler->Encode().begin()));
}

TEST(ProtocolDoc, ExamplePgnsAreValid) {
  for (const auto& records : {InitiatorRecords(), ResponderRecords()}) {
    for (const Record& r : records) {
      if (!r.pgn) continue;
      EXPECT_TRUE(schema::IsValidBsn(*r.pgn) || schema::IsValidOnderwijsnummer(*r.pgn)) << *r.pgn;
    }
  }
  EXPECT_TRUE(schema::IsValidOnderwijsnummer("101222331"));
}

}  // namespace
}  // namespace inbeeld::node::psi
