// Tests for node/psi/session.cc (protocol v2): both sides run in-process on
// synthetic key families and must find exactly the pairs the plain rules of
// docs/PROTOCOL.md §4 give (psi_test_util.h: PlainPairs), with the same pair
// codes, strengths and counts on both sides, and nothing per record in count
// mode; every hostile message is rejected with its own error.
#include "node/psi/session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "crypto/bytes.h"
#include "node/psi/match_graph.h"
#include "node/psi/parallel.h"
#include "node/psi/records.h"
#include "tests/node/psi/psi_test_util.h"

namespace inbeeld::node::psi {
namespace {

using ::testing::HasSubstr;
using namespace ::inbeeld::node::psi::testing;

constexpr int kInitiatorSide = 0;
constexpr int kResponderSide = 1;
const schema::Date kInitiatorDate{2026, 1, 15};
const schema::Date kResponderDate{2026, 1, 12};
constexpr uint8_t kPgn = schema::kKeyTypePgn;
constexpr uint8_t kName = schema::kKeyTypeName;
constexpr uint8_t kWeak = schema::kKeyTypeWeak;
constexpr uint8_t kAllKeys = schema::kAllKeyTypes;

InitiatorParams MatchParams(uint8_t label_mask = wire::kAllLabels, uint8_t key_mask = kAllKeys) {
  InitiatorParams p;
  p.mode = wire::Mode::kMatch;
  p.purpose = "thuiszitterspact.afstemming";
  p.label_mask = label_mask;
  p.key_mask = key_mask;
  p.list_date = kInitiatorDate;
  p.threads = 2;
  return p;
}

InitiatorParams CountParams(uint8_t key_mask = kAllKeys) {
  InitiatorParams p = MatchParams(0, key_mask);
  p.mode = wire::Mode::kCount;
  return p;
}

ResponderParams Responder(uint8_t allowed_labels = wire::kAllLabels,
                          uint8_t allowed_keys = kAllKeys) {
  ResponderParams p;
  p.allowed_label_mask = allowed_labels;
  p.allowed_key_mask = allowed_keys;
  p.list_date = kResponderDate;
  p.threads = 2;
  return p;
}

void ExpectError(const Error& error, ErrorCode code, std::string_view text) {
  EXPECT_EQ(error.code, code) << error.message;
  EXPECT_THAT(error.message, HasSubstr(std::string(text)));
}

struct RunResult {
  Outcome initiator;
  Outcome responder;
  std::string message1, message2, message3, message4;
};

// The whole protocol. Without determinism as a node runs it (fresh secrets
// and orders); with, exactly reproducible.
Result<RunResult> RunBoth(const std::vector<PsiInput>& xs, const std::vector<PsiInput>& ys,
                          const InitiatorParams& ip, const ResponderParams& rp,
                          std::optional<Determinism> di = std::nullopt,
                          std::optional<Determinism> dr = std::nullopt) {
  auto initiator = di ? InitiatorSession::CreateForTesting(xs, ip, std::move(*di))
                      : InitiatorSession::Create(xs, ip);
  if (!initiator) return std::unexpected(initiator.error());
  RunResult run;
  run.message1 = (*initiator)->StartMessage();
  auto header = ResponderSession::PeekStart(run.message1);
  if (!header) return std::unexpected(header.error());
  auto responder = dr ? ResponderSession::StartForTesting(run.message1, ys, rp, std::move(*dr))
                      : ResponderSession::Start(run.message1, ys, rp);
  if (!responder) return std::unexpected(responder.error());
  run.message2 = (*responder)->TakeStartResponse();
  auto message3 = (*initiator)->HandleStartResponse(run.message2);
  if (!message3) return std::unexpected(message3.error());
  run.message3 = *message3;
  auto finish = (*responder)->HandleFinish(run.message3);
  if (!finish) return std::unexpected(finish.error());
  run.message4 = finish->message;
  auto outcome = (*initiator)->HandleFinishResponse(run.message4);
  if (!outcome) return std::unexpected(outcome.error());
  run.initiator = std::move(*outcome);
  run.responder = std::move(finish->outcome);
  return run;
}

Result<RunResult> RunFixed(const std::vector<PsiInput>& xs, const std::vector<PsiInput>& ys,
                           const InitiatorParams& ip, const ResponderParams& rp) {
  return RunBoth(xs, ys, ip, rp, Fixed("a", IdentityOrder(xs.size())),
                 Fixed("b", IdentityOrder(ys.size())));
}

bool IsPairCode(const std::string& code) {
  static const std::regex kCode("[0-9A-HJKMNP-TV-Z]{3}-[0-9A-HJKMNP-TV-Z]{3}");
  return std::regex_match(code, kCode);
}

// Both outcomes against the plain answer: the same pairs (joined by pair
// code), strengths, counts and agreed masks on both sides, and each side
// holding the peer's labels restricted to the agreed mask.
void ExpectOutcomes(const RunResult& run, const std::vector<PsiInput>& xs,
                    const std::vector<PsiInput>& ys, uint8_t key_mask, uint8_t label_mask) {
  const std::vector<PlainPair> expected = PlainPairs(xs, ys, key_mask);
  const Outcome& i = run.initiator;
  const Outcome& r = run.responder;
  EXPECT_EQ(i.mode, wire::Mode::kMatch);
  EXPECT_EQ(i.key_mask, key_mask);
  EXPECT_EQ(r.key_mask, key_mask);
  EXPECT_EQ(i.label_mask, label_mask);
  EXPECT_EQ(r.label_mask, label_mask);
  EXPECT_EQ(i.own_list_size, xs.size());
  EXPECT_EQ(i.peer_list_size, ys.size());
  EXPECT_EQ(r.own_list_size, ys.size());
  EXPECT_EQ(r.peer_list_size, xs.size());
  EXPECT_EQ(i.peer_list_date, kResponderDate);
  EXPECT_EQ(r.peer_list_date, kInitiatorDate);

  auto joined = JoinByCode(i, r);
  ASSERT_TRUE(joined) << joined.error().message;
  EXPECT_EQ(*joined, expected) << "got " << Describe(*joined) << "\nwant " << Describe(expected);

  EXPECT_EQ(i.own, PlainCounts(expected, true));
  EXPECT_EQ(i.peer, PlainCounts(expected, false));
  EXPECT_EQ(r.own, i.peer);
  EXPECT_EQ(r.peer, i.own);
  // The overlap is the records in a certain or probable pair; possible
  // pairs are for an operator to decide.
  EXPECT_EQ(i.overlap, i.own.strong);
  EXPECT_EQ(r.overlap, r.own.strong);

  // Sorted by local index, then peer record; codes well-formed; each side
  // holds the peer's labels of the pair's peer record.
  std::map<std::string, uint32_t> initiator_local, responder_local;
  for (const MatchedPair& p : i.pairs) initiator_local[p.pair_code] = p.local_index;
  for (const MatchedPair& p : r.pairs) responder_local[p.pair_code] = p.local_index;
  auto check_side = [&](const Outcome& own, std::map<std::string, uint32_t>& peer_local,
                        const std::vector<PsiInput>& peer_inputs) {
    for (size_t n = 0; n < own.pairs.size(); ++n) {
      const MatchedPair& p = own.pairs[n];
      EXPECT_TRUE(IsPairCode(p.pair_code)) << p.pair_code;
      if (n > 0) {
        EXPECT_LT(std::tie(own.pairs[n - 1].local_index, own.pairs[n - 1].peer_record),
                  std::tie(p.local_index, p.peer_record));
      }
      if (!peer_local.contains(p.pair_code)) continue;  // JoinByCode has said so
      EXPECT_EQ(p.peer_labels,
                wire::RestrictLabels(peer_inputs[peer_local[p.pair_code]].labels, label_mask))
          << p.pair_code;
    }
  };
  check_side(i, responder_local, ys);
  check_side(r, initiator_local, xs);
}

std::vector<Strength> Strengths(const std::vector<PlainPair>& pairs) {
  std::vector<Strength> out;
  for (const PlainPair& p : pairs) out.push_back(p.strength);
  return out;
}

// Children with hand-picked names, for the small cases below.
Child Named(uint32_t id, std::optional<std::string> pgn, std::string surname,
            std::optional<std::string> first_given, std::optional<std::string> roepnaam,
            schema::PartialDate birth) {
  return Child{.id = id,
               .pgn = std::move(pgn),
               .surname = std::move(surname),
               .first_given = std::move(first_given),
               .roepnaam = std::move(roepnaam),
               .birth = birth};
}

// ------------------------------------------------------------- honest runs

struct SizeCase {
  size_t n_initiator;
  size_t n_responder;
  size_t common;
};

class PgnOnly : public ::testing::TestWithParam<SizeCase> {};

TEST_P(PgnOnly, CertainPairsAreExactlyTheIntersection) {
  const SizeCase c = GetParam();
  const ListPair lists = MakeListPair(c.n_initiator, c.n_responder, c.common, 7 + c.common);
  const auto xs = MakeInputs(lists.initiator, kInitiatorSide);
  const auto ys = MakeInputs(lists.responder, kResponderSide);
  auto run = RunBoth(xs, ys, MatchParams(wire::kAllLabels, kPgn), Responder());
  ASSERT_TRUE(run) << run.error().message;
  ExpectOutcomes(*run, xs, ys, kPgn, wire::kAllLabels);
  EXPECT_EQ(run->initiator.overlap, c.common);
  EXPECT_EQ(run->initiator.own, (wire::MatchCounts{static_cast<uint32_t>(c.common), 0}));
  for (const MatchedPair& p : run->initiator.pairs) EXPECT_EQ(p.strength, Strength::kCertain);
  // One slot a record: 32-byte points and 16-byte tags.
  EXPECT_EQ(run->message1.size(), 6 + 16 + 3 + 4 + 1 + 27 + 4 + 32 * c.n_initiator);
}

INSTANTIATE_TEST_SUITE_P(Sizes, PgnOnly,
                         ::testing::Values(SizeCase{40, 40, 0},   // disjoint
                                           SizeCase{40, 40, 40},  // equal sets
                                           SizeCase{1, 1, 1},     // one record, matching
                                           SizeCase{1, 1, 0},     // one record, not
                                           SizeCase{1, 30, 1},    // n_I ≠ n_R
                                           SizeCase{30, 1, 1}, SizeCase{45, 80, 20},
                                           SizeCase{80, 45, 20},
                                           SizeCase{300, 200, 150}));  // several chunks

class AllKeys : public ::testing::TestWithParam<SizeCase> {};

TEST_P(AllKeys, SharedChildrenPairCertainlyAndOnce) {
  // Every shared child holds the same PGN, name and weak keys on both
  // sides: one certain pair each, nothing else.
  const SizeCase c = GetParam();
  const ListPair lists = MakeListPair(c.n_initiator, c.n_responder, c.common, 70 + c.common);
  const auto xs = MakeInputs(lists.initiator, kInitiatorSide);
  const auto ys = MakeInputs(lists.responder, kResponderSide);
  auto run = RunBoth(xs, ys, MatchParams(), Responder());
  ASSERT_TRUE(run) << run.error().message;
  ExpectOutcomes(*run, xs, ys, kAllKeys, wire::kAllLabels);
  EXPECT_EQ(run->initiator.pairs.size(), c.common);
  EXPECT_EQ(run->initiator.own, (wire::MatchCounts{static_cast<uint32_t>(c.common), 0}));
  // Six slots a record: 6 × 32 bytes in A and B, 6 × 16 in C and D.
  EXPECT_EQ(run->message2.size(),
            6 + 16 + 2 + 4 + 4 + 192 * c.n_responder + 4 + 96 * c.n_initiator);
}

INSTANTIATE_TEST_SUITE_P(Sizes, AllKeys,
                         ::testing::Values(SizeCase{30, 30, 0}, SizeCase{30, 30, 30},
                                           SizeCase{1, 1, 1}, SizeCase{1, 25, 1},
                                           SizeCase{25, 1, 1}, SizeCase{120, 90, 40}));

TEST(Session, NameKeysAloneGiveProbablePairs) {
  // The responder (an SWV) holds the shared children without their PGN.
  ListPair lists = MakeListPair(40, 35, 15, 21);
  for (Child& c : lists.responder) c.pgn.reset();
  const auto xs = MakeInputs(lists.initiator, kInitiatorSide);
  const auto ys = MakeInputs(lists.responder, kResponderSide);
  auto run = RunBoth(xs, ys, MatchParams(), Responder());
  ASSERT_TRUE(run) << run.error().message;
  ExpectOutcomes(*run, xs, ys, kAllKeys, wire::kAllLabels);
  auto joined = JoinByCode(run->initiator, run->responder);
  ASSERT_TRUE(joined);
  EXPECT_EQ(Strengths(*joined), std::vector<Strength>(15, Strength::kProbable));
  EXPECT_EQ(run->initiator.own, (wire::MatchCounts{15, 0}));

  // The same children with their PGNs, when only name keys are offered.
  const auto ys_pgn = MakeInputs(MakeListPair(40, 35, 15, 21).responder, kResponderSide);
  auto names = RunBoth(xs, ys_pgn, MatchParams(wire::kAllLabels, kName), Responder());
  ASSERT_TRUE(names) << names.error().message;
  ExpectOutcomes(*names, xs, ys_pgn, kName, wire::kAllLabels);
  EXPECT_EQ(names->initiator.own, (wire::MatchCounts{15, 0}));
}

TEST(Session, WeakKeysAloneGivePossiblePairs) {
  const ListPair lists = MakeListPair(30, 30, 12, 22);
  const auto xs = MakeInputs(lists.initiator, kInitiatorSide);
  const auto ys = MakeInputs(lists.responder, kResponderSide);
  auto run = RunBoth(xs, ys, MatchParams(wire::kAllLabels, kWeak), Responder());
  ASSERT_TRUE(run) << run.error().message;
  ExpectOutcomes(*run, xs, ys, kWeak, wire::kAllLabels);
  EXPECT_EQ(run->initiator.own, (wire::MatchCounts{0, 12}));
  EXPECT_EQ(run->responder.own, (wire::MatchCounts{0, 12}));
  for (const MatchedPair& p : run->responder.pairs) EXPECT_EQ(p.strength, Strength::kPossible);
}

TEST(Session, MixedStrengthsOnOneList) {
  // Shared children as a second partner holds them: some with the PGN, some
  // by name only, some with another given name (surname and birth date
  // agree), some with only a birth year.
  ListPair lists = MakeListPair(60, 50, 30, 23);
  std::set<std::string> shared;
  for (const Child& c : lists.initiator) shared.insert(*c.pgn);
  int n = 0;
  for (Child& c : lists.responder) {
    if (!shared.contains(*c.pgn)) continue;
    switch (n++ % 4) {
      case 0:
        break;  // certain
      case 1:
        c.pgn.reset();  // probable
        break;
      case 2:
        c.pgn.reset();  // possible: surname-dob
        c.first_given = "x" + *c.first_given;
        c.roepnaam.reset();
        break;
      case 3:
        c.pgn.reset();  // possible: name-year
        c.birth->month = c.birth->day = 0;
        break;
    }
  }
  const auto xs = MakeInputs(lists.initiator, kInitiatorSide);
  const auto ys = MakeInputs(lists.responder, kResponderSide);
  auto run = RunBoth(xs, ys, MatchParams(), Responder());
  ASSERT_TRUE(run) << run.error().message;
  ExpectOutcomes(*run, xs, ys, kAllKeys, wire::kAllLabels);
  EXPECT_EQ(run->initiator.own, (wire::MatchCounts{16, 14}));
  EXPECT_EQ(run->responder.own, (wire::MatchCounts{16, 14}));
}

TEST(Session, PgnAndNameTogetherAreCertainAndOnePair) {
  const std::vector<Child> x = {Named(1, "123456782", "berg", "jan", std::nullopt, {2014, 3, 5})};
  const auto xs = MakeInputs(x, kInitiatorSide);
  const auto ys = MakeInputs(x, kResponderSide);
  auto run = RunFixed(xs, ys, MatchParams(), Responder());
  ASSERT_TRUE(run) << run.error().message;
  ASSERT_EQ(run->initiator.pairs.size(), 1u);
  EXPECT_EQ(run->initiator.pairs[0].strength, Strength::kCertain);
  EXPECT_EQ(run->responder.pairs[0].strength, Strength::kCertain);
  EXPECT_EQ(run->initiator.own, (wire::MatchCounts{1, 0}));
}

TEST(Session, OfficialNameMeetsTheRoepnaam) {
  // Slot 1 on one side ("susanne" official, "sanne" roepnaam) meets slot 1
  // on the other ("sanne", the only name that partner has): probable.
  const auto xs = MakeInputs({Named(1, "111222333", "vries", "susanne", "sanne", {2015, 6, 12})},
                             kInitiatorSide);
  const auto ys = MakeInputs(
      {Named(1, std::nullopt, "vries", std::nullopt, "sanne", {2015, 6, 12})}, kResponderSide);
  ASSERT_EQ(xs[0].keys[2], ys[0].keys[1]);
  auto run = RunFixed(xs, ys, MatchParams(), Responder());
  ASSERT_TRUE(run) << run.error().message;
  ExpectOutcomes(*run, xs, ys, kAllKeys, wire::kAllLabels);
  ASSERT_EQ(run->initiator.pairs.size(), 1u);
  EXPECT_EQ(run->initiator.pairs[0].strength, Strength::kProbable);
}

// Twins: same surname and birth date, other first names.
const schema::PartialDate kTwinsBorn{2015, 6, 12};
Child Anna(uint32_t id) {
  return Named(id, std::nullopt, "jansen", "anna", std::nullopt, kTwinsBorn);
}
Child Bram(uint32_t id) {
  return Named(id, std::nullopt, "jansen", "bram", std::nullopt, kTwinsBorn);
}

TEST(Session, TwinsOnBothSidesPairOnlyByName) {
  // Each twin meets both twins by surname and birth date (possible), and
  // its own twin by name (probable): the possible cross pairs are dropped.
  const auto xs = MakeInputs({Anna(1), Bram(2)}, kInitiatorSide);
  const auto ys = MakeInputs({Bram(2), Anna(1)}, kResponderSide);
  auto run = RunFixed(xs, ys, MatchParams(), Responder());
  ASSERT_TRUE(run) << run.error().message;
  ExpectOutcomes(*run, xs, ys, kAllKeys, wire::kAllLabels);
  auto joined = JoinByCode(run->initiator, run->responder);
  ASSERT_TRUE(joined);
  EXPECT_EQ(*joined,
            (std::vector<PlainPair>{{0, 1, Strength::kProbable}, {1, 0, Strength::kProbable}}));
  EXPECT_EQ(run->initiator.own, (wire::MatchCounts{2, 0}));
}

TEST(Session, TwinDecoyIsAPossiblePair) {
  // The peer holds only the other twin: nothing but surname and birth date
  // in common, so a possible pair for a person to look at.
  {
    const auto xs = MakeInputs({Anna(1)}, kInitiatorSide);
    const auto ys = MakeInputs({Bram(2)}, kResponderSide);
    auto run = RunFixed(xs, ys, MatchParams(), Responder());
    ASSERT_TRUE(run) << run.error().message;
    ExpectOutcomes(*run, xs, ys, kAllKeys, wire::kAllLabels);
    ASSERT_EQ(run->initiator.pairs.size(), 1u);
    EXPECT_EQ(run->initiator.pairs[0].strength, Strength::kPossible);
    EXPECT_EQ(run->initiator.own, (wire::MatchCounts{0, 1}));
    EXPECT_EQ(run->responder.own, (wire::MatchCounts{0, 1}));
  }
  // Both twins here, one there: that one pairs with its own twin, and the
  // other twin's possible pair with it is dropped.
  {
    const auto xs = MakeInputs({Anna(1), Bram(2)}, kInitiatorSide);
    const auto ys = MakeInputs({Bram(2)}, kResponderSide);
    auto run = RunFixed(xs, ys, MatchParams(), Responder());
    ASSERT_TRUE(run) << run.error().message;
    ExpectOutcomes(*run, xs, ys, kAllKeys, wire::kAllLabels);
    auto joined = JoinByCode(run->initiator, run->responder);
    ASSERT_TRUE(joined);
    EXPECT_EQ(*joined, (std::vector<PlainPair>{{1, 0, Strength::kProbable}}));
  }
  // Without name keys agreed, both twins are possible pairs of the one.
  {
    const auto xs = MakeInputs({Anna(1), Bram(2)}, kInitiatorSide);
    const auto ys = MakeInputs({Bram(2)}, kResponderSide);
    auto run = RunFixed(xs, ys, MatchParams(), Responder(wire::kAllLabels, kWeak));
    ASSERT_TRUE(run) << run.error().message;
    ExpectOutcomes(*run, xs, ys, kWeak, wire::kAllLabels);
    EXPECT_EQ(run->initiator.own, (wire::MatchCounts{0, 2}));
    EXPECT_EQ(run->responder.own, (wire::MatchCounts{0, 1}));
  }
}

TEST(Session, AStrongKeyTwoRecordsShareIsLeftOut) {
  // A child entered twice on the initiator's list (same PGN and name), and
  // twins with the same first name: their certain and probable keys are
  // ambiguous, so neither record can be taken for the child on the other
  // side by those keys; they meet it on their weak keys only.
  const Child jan = Named(1, "123456782", "berg", "jan", std::nullopt, {2014, 3, 5});
  const auto xs = MakeInputs({jan, jan, Anna(2), Anna(3)}, kInitiatorSide);
  const auto ys = MakeInputs({jan, Anna(2)}, kResponderSide);
  auto run = RunFixed(xs, ys, MatchParams(), Responder());
  ASSERT_TRUE(run) << run.error().message;
  ExpectOutcomes(*run, xs, ys, kAllKeys, wire::kAllLabels);
  auto joined = JoinByCode(run->initiator, run->responder);
  ASSERT_TRUE(joined);
  EXPECT_EQ(*joined, (std::vector<PlainPair>{{0, 0, Strength::kPossible},
                                             {1, 0, Strength::kPossible},
                                             {2, 1, Strength::kPossible},
                                             {3, 1, Strength::kPossible}}));
}

TEST(Session, KeyRepeatsAboveTheLimitBecomeFillers) {
  // 20 children with one surname and birth date on the initiator's list
  // (different first names), one of that surname and date on the
  // responder's: the key travels for the first kMaxKeyRepeats records in A's
  // order only, so there are 16 possible pairs, no error, and labels for
  // all 16 (more entries in message 3 than records in B).
  std::vector<Child> many;
  for (uint32_t k = 0; k < 20; ++k) {
    many.push_back(Named(k, std::nullopt, "jansen",
                         "kind" + std::string(1, static_cast<char>('a' + k)), std::nullopt,
                         kTwinsBorn));
  }
  const auto xs = MakeInputs(many, kInitiatorSide);
  const auto ys = MakeInputs({Named(99, std::nullopt, "jansen", "zoe", std::nullopt, kTwinsBorn)},
                             kResponderSide);
  auto run = RunFixed(xs, ys, MatchParams(), Responder());
  ASSERT_TRUE(run) << run.error().message;
  ASSERT_EQ(run->initiator.pairs.size(), kMaxKeyRepeats);
  for (uint32_t k = 0; k < kMaxKeyRepeats; ++k) {
    EXPECT_EQ(run->initiator.pairs[k].local_index, k);  // identity order: A's first 16
    EXPECT_EQ(run->initiator.pairs[k].strength, Strength::kPossible);
    EXPECT_EQ(run->initiator.pairs[k].peer_labels, ys[0].labels);
  }
  EXPECT_EQ(run->initiator.own, (wire::MatchCounts{0, 16}));
  EXPECT_EQ(run->responder.own, (wire::MatchCounts{0, 1}));
  EXPECT_EQ(run->responder.pairs.size(), kMaxKeyRepeats);
  for (const MatchedPair& p : run->responder.pairs) {
    EXPECT_EQ(p.peer_labels, xs[p.peer_record].labels);
  }
  auto joined = JoinByCode(run->initiator, run->responder);
  EXPECT_TRUE(joined) << joined.error().message;
}

TEST(Session, AgreedKeyTypesAreOfferedIntersectAllowed) {
  // Children sharing only their PGN (the names differ entirely).
  ListPair lists = MakeListPair(20, 20, 8, 24);
  std::set<std::string> shared;
  for (const Child& c : lists.initiator) shared.insert(*c.pgn);
  for (Child& c : lists.responder) {
    if (shared.contains(*c.pgn)) c.surname = "other" + *c.surname;
  }
  const auto xs = MakeInputs(lists.initiator, kInitiatorSide);
  const auto ys = MakeInputs(lists.responder, kResponderSide);

  auto all = RunBoth(xs, ys, MatchParams(), Responder());
  ASSERT_TRUE(all) << all.error().message;
  ExpectOutcomes(*all, xs, ys, kAllKeys, wire::kAllLabels);
  EXPECT_EQ(all->initiator.own, (wire::MatchCounts{8, 0}));

  // Offered 7, allowed 6: no PGN pairs although the PGNs are equal, and C
  // carries 5 tags a record.
  auto narrowed = RunBoth(xs, ys, MatchParams(), Responder(wire::kAllLabels, kName | kWeak));
  ASSERT_TRUE(narrowed) << narrowed.error().message;
  ExpectOutcomes(*narrowed, xs, ys, kName | kWeak, wire::kAllLabels);
  EXPECT_TRUE(narrowed->initiator.pairs.empty());
  auto m2 = wire::DecodeStartResponse(narrowed->message2, 100);
  ASSERT_TRUE(m2);
  EXPECT_EQ(m2->key_mask, kName | kWeak);
  EXPECT_EQ(m2->b.size(), 20u * 5);
  EXPECT_EQ(m2->c.size(), 20u * 5);
  auto m1 = wire::DecodeStartRequest(narrowed->message1, 100);
  ASSERT_TRUE(m1);
  EXPECT_EQ(m1->a.size(), 20u * 6);

  // Offered 3, allowed 5: PGN only.
  auto pgn = RunBoth(xs, ys, MatchParams(wire::kAllLabels, kPgn | kName),
                     Responder(wire::kAllLabels, kPgn | kWeak));
  ASSERT_TRUE(pgn) << pgn.error().message;
  ExpectOutcomes(*pgn, xs, ys, kPgn, wire::kAllLabels);
  EXPECT_EQ(pgn->initiator.own, (wire::MatchCounts{8, 0}));
}

TEST(Session, NoKeyTypeInCommonIsPermissionDenied) {
  const ListPair lists = MakeListPair(5, 5, 2, 25);
  auto initiator = InitiatorSession::Create(MakeInputs(lists.initiator, kInitiatorSide),
                                            MatchParams(wire::kAllLabels, kPgn));
  ASSERT_TRUE(initiator);
  auto r = ResponderSession::Start((*initiator)->StartMessage(),
                                   MakeInputs(lists.responder, kResponderSide),
                                   Responder(wire::kAllLabels, kName | kWeak));
  ASSERT_FALSE(r);
  ExpectError(r.error(), ErrorCode::kPermissionDenied,
              "StartRequest: no key type in common (offered 1, allowed for this peer 6)");
  auto none = ResponderSession::Start((*initiator)->StartMessage(),
                                      MakeInputs(lists.responder, kResponderSide),
                                      Responder(wire::kAllLabels, 0));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kPermissionDenied);
}

TEST(Session, AgreedLabelsAreOfferedIntersectAllowed) {
  const ListPair lists = MakeListPair(30, 25, 10, 3);
  const auto xs = MakeInputs(lists.initiator, kInitiatorSide);
  const auto ys = MakeInputs(lists.responder, kResponderSide);
  const uint8_t offered = wire::kLabelCategory | wire::kLabelSince | wire::kLabelPlan;  // 11
  const uint8_t allowed = wire::kLabelSince | wire::kLabelSchool | wire::kLabelPlan;    // 14
  const uint8_t agreed = wire::kLabelSince | wire::kLabelPlan;                          // 10
  auto run = RunBoth(xs, ys, MatchParams(offered), Responder(allowed));
  ASSERT_TRUE(run) << run.error().message;
  ExpectOutcomes(*run, xs, ys, kAllKeys, agreed);
  for (const MatchedPair& p : run->initiator.pairs) {
    EXPECT_FALSE(p.peer_labels.category);
    EXPECT_FALSE(p.peer_labels.school);
    EXPECT_TRUE(p.peer_labels.since);
  }
}

TEST(Session, NoAgreedLabelsStillGivesThePairs) {
  const ListPair lists = MakeListPair(20, 20, 5, 4);
  const auto xs = MakeInputs(lists.initiator, kInitiatorSide);
  const auto ys = MakeInputs(lists.responder, kResponderSide);
  auto run = RunBoth(xs, ys, MatchParams(wire::kLabelSchool), Responder(wire::kLabelPlan));
  ASSERT_TRUE(run) << run.error().message;
  ExpectOutcomes(*run, xs, ys, kAllKeys, 0);
  EXPECT_EQ(run->initiator.pairs.size(), 5u);
  auto m3 = wire::DecodeFinishRequest(run->message3, kAllKeys, 100);
  ASSERT_TRUE(m3);
  EXPECT_TRUE(m3->labels.empty());
  auto m4 = wire::DecodeFinishResponse(run->message4, 100);
  ASSERT_TRUE(m4);
  EXPECT_TRUE(m4->labels.empty());
}

TEST(Session, ResponderInputsNeedOnlyTheAgreedLabels) {
  const ListPair lists = MakeListPair(10, 10, 4, 5);
  auto initiator = InitiatorSession::Create(MakeInputs(lists.initiator, kInitiatorSide),
                                            MatchParams(wire::kLabelCategory));
  ASSERT_TRUE(initiator);
  std::vector<PsiInput> inputs = MakeInputs(lists.responder, kResponderSide);
  for (PsiInput& in : inputs) in.labels = wire::RestrictLabels(in.labels, wire::kLabelCategory);
  EXPECT_TRUE(ResponderSession::Start((*initiator)->StartMessage(), inputs, Responder()));
  for (PsiInput& in : inputs) in.labels = {};
  auto refused = ResponderSession::Start((*initiator)->StartMessage(), inputs, Responder());
  ASSERT_FALSE(refused);
  ExpectError(refused.error(), ErrorCode::kInvalidArgument, "input 0: label category is missing");
}

TEST(Session, PairCodesAreSharedWellFormedAndPerSession) {
  ListPair lists = MakeListPair(50, 50, 30, 26);
  for (size_t k = 0; k < lists.responder.size(); k += 2) lists.responder[k].pgn.reset();
  const auto xs = MakeInputs(lists.initiator, kInitiatorSide);
  const auto ys = MakeInputs(lists.responder, kResponderSide);
  auto one = RunFixed(xs, ys, MatchParams(), Responder());
  ASSERT_TRUE(one) << one.error().message;
  ExpectOutcomes(*one, xs, ys, kAllKeys, wire::kAllLabels);
  std::set<std::string> codes;
  for (const MatchedPair& p : one->initiator.pairs) {
    EXPECT_TRUE(IsPairCode(p.pair_code)) << p.pair_code;
    codes.insert(p.pair_code);
    // With identity orders a pair's record numbers are the local indices;
    // codes that did not collide are attempt 0.
    EXPECT_EQ(p.pair_code, PairCode(CountingSessionId(), p.local_index, p.peer_record, 0));
  }
  EXPECT_EQ(codes.size(), one->initiator.pairs.size());

  // Another session id: the same pairs, other codes.
  wire::SessionId other = CountingSessionId();
  other[15] ^= 1;
  auto two =
      RunBoth(xs, ys, MatchParams(), Responder(), Fixed("a", IdentityOrder(xs.size()), {}, other),
              Fixed("b", IdentityOrder(ys.size()), {}, other));
  ASSERT_TRUE(two) << two.error().message;
  EXPECT_EQ(*JoinByCode(one->initiator, one->responder),
            *JoinByCode(two->initiator, two->responder));
  for (const MatchedPair& p : two->initiator.pairs) EXPECT_FALSE(codes.contains(p.pair_code));
}

TEST(MatchGraph, PairCodesAreDrawnAgainOnCollision) {
  // Codes are unique within a session even when two links draw the same
  // first code: find two (left, right) with equal attempt-0 codes.
  const wire::SessionId id = CountingSessionId();
  std::map<std::string, uint32_t> seen;
  uint32_t first = 0, second = 0;
  for (uint32_t right = 0;; ++right) {
    auto [it, fresh] = seen.try_emplace(PairCode(id, 0, right, 0), right);
    if (!fresh) {
      first = it->second;
      second = right;
      break;
    }
  }
  const std::vector<Link> links = {{0, first, Strength::kCertain}, {0, second, Strength::kCertain}};
  const std::vector<std::string> codes = PairCodes(id, links);
  ASSERT_EQ(codes.size(), 2u);
  EXPECT_EQ(codes[0], PairCode(id, 0, first, 0));
  EXPECT_EQ(codes[1], PairCode(id, 0, second, 1));
  EXPECT_NE(codes[0], codes[1]);
}

TEST(Session, EmptyResponderListMatchesNothing) {
  const ListPair lists = MakeListPair(5, 0, 0, 6);
  const auto xs = MakeInputs(lists.initiator, kInitiatorSide);
  auto run = RunBoth(xs, {}, MatchParams(), Responder());
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->initiator.overlap, 0u);
  EXPECT_TRUE(run->initiator.pairs.empty());
  EXPECT_EQ(run->initiator.peer_list_size, 0u);
  EXPECT_EQ(run->responder.own_list_size, 0u);
}

TEST(Session, ThreadCountDoesNotChangeTheBytes) {
  ListPair lists = MakeListPair(100, 90, 33, 8);
  for (size_t k = 0; k < lists.responder.size(); k += 3) lists.responder[k].pgn.reset();
  const auto xs = MakeInputs(lists.initiator, kInitiatorSide);
  const auto ys = MakeInputs(lists.responder, kResponderSide);
  std::optional<RunResult> first;
  for (unsigned threads : {1u, 3u, 7u}) {
    InitiatorParams ip = MatchParams();
    ip.threads = threads;
    ResponderParams rp = Responder();
    rp.threads = threads;
    auto run = RunFixed(xs, ys, ip, rp);
    ASSERT_TRUE(run) << run.error().message;
    ExpectOutcomes(*run, xs, ys, kAllKeys, wire::kAllLabels);
    if (!first) {
      first = *run;
      continue;
    }
    EXPECT_EQ(run->message1, first->message1) << threads;
    EXPECT_EQ(run->message2, first->message2) << threads;
    EXPECT_EQ(run->message3, first->message3) << threads;
    EXPECT_EQ(run->message4, first->message4) << threads;
  }
}

// ------------------------------------------------------------- count mode

TEST(Session, CountModeCountsAsMatchModeAndNothingElse) {
  ListPair lists = MakeListPair(60, 50, 20, 9);
  int n = 0;
  std::set<std::string> shared;
  for (const Child& c : lists.initiator) shared.insert(*c.pgn);
  for (Child& c : lists.responder) {
    if (!shared.contains(*c.pgn)) continue;
    if (n % 3 >= 1) c.pgn.reset();
    if (n % 3 == 2) {
      c.first_given = "x" + *c.first_given;
      c.roepnaam.reset();
    }
    ++n;
  }
  const auto xs = MakeInputs(lists.initiator, kInitiatorSide);
  const auto ys = MakeInputs(lists.responder, kResponderSide);
  auto match = RunBoth(xs, ys, MatchParams(), Responder());
  ASSERT_TRUE(match) << match.error().message;
  auto count = RunBoth(xs, ys, CountParams(), Responder());
  ASSERT_TRUE(count) << count.error().message;
  EXPECT_EQ(count->initiator.mode, wire::Mode::kCount);
  EXPECT_EQ(count->responder.mode, wire::Mode::kCount);
  EXPECT_EQ(count->initiator.own, match->initiator.own);
  EXPECT_EQ(count->initiator.peer, match->initiator.peer);
  EXPECT_EQ(count->responder.own, match->responder.own);
  EXPECT_EQ(count->responder.peer, match->responder.peer);
  EXPECT_EQ(count->initiator.overlap, match->initiator.overlap);
  EXPECT_GT(count->initiator.own.strong, 0u);
  EXPECT_GT(count->initiator.own.possible, 0u);
  EXPECT_TRUE(count->initiator.pairs.empty());
  EXPECT_TRUE(count->responder.pairs.empty());
  EXPECT_EQ(count->initiator.label_mask, 0);
  EXPECT_EQ(count->responder.label_mask, 0);
  auto m3 = wire::DecodeFinishRequest(count->message3, kAllKeys, 100);
  ASSERT_TRUE(m3);
  EXPECT_TRUE(m3->labels.empty());
  auto m4 = wire::DecodeFinishResponse(count->message4, 100);
  ASSERT_TRUE(m4);
  EXPECT_TRUE(m4->labels.empty());
}

TEST(Session, CountModeShufflesWholeGroupsOfCAndD) {
  // The same secrets in match and count mode: count mode's C group g is
  // match mode's C group count_order[g] (tags of one record stay together),
  // and likewise D; with a non-trivial order, C is not in A's order.
  ListPair lists = MakeListPair(12, 10, 6, 27);
  const auto xs = MakeInputs(lists.initiator, kInitiatorSide);
  const auto ys = MakeInputs(lists.responder, kResponderSide);
  const std::vector<uint32_t> c_order = {5, 0, 11, 3, 9, 1, 7, 2, 10, 4, 8, 6};  // A's 12 records
  const std::vector<uint32_t> d_order = {9, 4, 0, 7, 2, 8, 1, 6, 3, 5};          // B's 10 records
  const uint8_t keys = kPgn | kWeak;                                             // 4 slots
  auto match = RunBoth(xs, ys, MatchParams(0, keys), Responder(), Fixed("a", IdentityOrder(12)),
                       Fixed("b", IdentityOrder(10)));
  ASSERT_TRUE(match) << match.error().message;
  auto count =
      RunBoth(xs, ys, CountParams(keys), Responder(), Fixed("a", IdentityOrder(12), d_order),
              Fixed("b", IdentityOrder(10), c_order));
  ASSERT_TRUE(count) << count.error().message;
  EXPECT_EQ(count->initiator.own, match->initiator.own);
  EXPECT_EQ(count->responder.own, match->responder.own);

  auto mc = wire::DecodeStartResponse(match->message2, 100);
  auto cc = wire::DecodeStartResponse(count->message2, 100);
  ASSERT_TRUE(mc && cc);
  EXPECT_TRUE(std::equal(mc->b.bytes().begin(), mc->b.bytes().end(), cc->b.bytes().begin()));
  const auto c_match = ToVector(mc->c), c_count = ToVector(cc->c);
  ASSERT_EQ(c_count.size(), 12u * 4);
  EXPECT_NE(c_match, c_count);
  for (size_t g = 0; g < 12; ++g) {
    for (size_t p = 0; p < 4; ++p) {
      EXPECT_EQ(c_count[g * 4 + p], c_match[c_order[g] * 4 + p]) << g << " " << p;
    }
  }
  auto md = wire::DecodeFinishRequest(match->message3, keys, 100);
  auto cd = wire::DecodeFinishRequest(count->message3, keys, 100);
  ASSERT_TRUE(md && cd);
  const auto d_match = ToVector(md->d), d_count = ToVector(cd->d);
  EXPECT_NE(d_match, d_count);
  for (size_t g = 0; g < 10; ++g) {
    for (size_t p = 0; p < 4; ++p) {
      EXPECT_EQ(d_count[g * 4 + p], d_match[d_order[g] * 4 + p]) << g << " " << p;
    }
  }
}

TEST(Session, CountModeIgnoresTheLabelMask) {
  const ListPair lists = MakeListPair(10, 10, 3, 14);
  InitiatorParams count = CountParams();
  count.label_mask = wire::kAllLabels;
  const auto xs = MakeInputs(lists.initiator, kInitiatorSide);
  auto run = RunBoth(xs, MakeInputs(lists.responder, kResponderSide), count, Responder());
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->initiator.label_mask, 0);
  EXPECT_EQ(run->initiator.overlap, 3u);
  auto header = ResponderSession::PeekStart(run->message1);
  ASSERT_TRUE(header);
  EXPECT_EQ(header->label_mask, 0);
  EXPECT_EQ(header->mode, wire::Mode::kCount);
}

TEST(Session, CountModeEdgeSizes) {
  for (SizeCase c :
       {SizeCase{1, 1, 1}, SizeCase{1, 1, 0}, SizeCase{20, 20, 20}, SizeCase{20, 5, 0}}) {
    const ListPair lists = MakeListPair(c.n_initiator, c.n_responder, c.common, 10);
    auto run = RunBoth(MakeInputs(lists.initiator, 0), MakeInputs(lists.responder, 1),
                       CountParams(), Responder());
    ASSERT_TRUE(run) << run.error().message;
    EXPECT_EQ(run->initiator.overlap, c.common);
    EXPECT_EQ(run->responder.overlap, c.common);
  }
}

// ----------------------------------------------------- fillers and blinding

TEST(Session, ARecordWithoutAgreedKeysNeverMatchesAndLooksLikeTheRest) {
  // Record 1 on both sides has no PGN; with PGN keys only its slot is a
  // filler on both sides, and the two fillers do not meet.
  std::vector<Child> x = RandomChildren(4, 28);
  std::vector<Child> y = {x[0], x[1], RandomChildren(1, 29)[0]};
  x[1].pgn.reset();
  y[1].pgn.reset();
  const auto xs = MakeInputs(x, kInitiatorSide);
  const auto ys = MakeInputs(y, kResponderSide);
  auto run = RunFixed(xs, ys, MatchParams(wire::kAllLabels, kPgn), Responder());
  ASSERT_TRUE(run) << run.error().message;
  ExpectOutcomes(*run, xs, ys, kPgn, wire::kAllLabels);
  ASSERT_EQ(run->initiator.pairs.size(), 1u);
  EXPECT_EQ(run->initiator.pairs[0].local_index, 0u);

  // The filler is a valid point like the others, exactly the documented one
  // (filler number 1: record 1, position 0), and no two points of A agree.
  auto m1 = wire::DecodeStartRequest(run->message1, 100);
  ASSERT_TRUE(m1);
  const crypto::Scalar a = ScalarFromLabel("scalar a");
  std::set<wire::PointBytes> distinct;
  for (size_t n = 0; n < m1->a.size(); ++n) {
    ASSERT_TRUE(crypto::Point::Decode(m1->a[n])) << n;
    distinct.insert(ToVector(m1->a)[n]);
  }
  EXPECT_EQ(distinct.size(), m1->a.size());
  const wire::PointBytes filler = FillerPoint(SeedFromLabel("filler a"), 1).Multiply(a)->Encode();
  EXPECT_EQ(ToVector(m1->a)[1], filler);
}

TEST(Session, AIsTheBlindedKeysAndFillersInTheGivenOrder) {
  // With a known scalar, seed and order, A's group k is inputs[order[k]]'s
  // keys (or filler n = k × slots + p) times a. Create() shuffles.
  std::vector<Child> children = RandomChildren(12, 12);
  children[3].pgn.reset();
  children[5].birth = schema::PartialDate{2014, 0, 0};  // year only: slots 1–3 empty
  children[7].roepnaam = std::nullopt;
  const auto inputs = MakeInputs(children, kInitiatorSide);
  const std::vector<uint32_t> order = {11, 0, 10, 1, 9, 2, 8, 3, 7, 4, 6, 5};
  const crypto::Scalar a = ScalarFromLabel("scalar a");
  auto fixed = InitiatorSession::CreateForTesting(inputs, MatchParams(), Fixed("a", order));
  ASSERT_TRUE(fixed) << fixed.error().message;
  auto m1 = wire::DecodeStartRequest((*fixed)->StartMessage(), 100);
  ASSERT_TRUE(m1);
  ASSERT_EQ(m1->a.size(), 12u * 6);
  int fillers = 0;
  for (size_t k = 0; k < 12; ++k) {
    for (size_t p = 0; p < 6; ++p) {
      const std::optional<std::string>& key = inputs[order[k]].keys[p];
      const crypto::Point h =
          key ? HashKey(*key)
              : FillerPoint(SeedFromLabel("filler a"), static_cast<uint32_t>(k * 6 + p));
      fillers += key ? 0 : 1;
      const auto expected = h.Multiply(a)->Encode();
      EXPECT_TRUE(std::equal(m1->a[k * 6 + p].begin(), m1->a[k * 6 + p].end(), expected.begin()))
          << "record " << k << " slot " << p;
    }
  }
  EXPECT_GE(fillers, 5);

  // RandomPermutation: a permutation, and not the same one twice in a row.
  const std::vector<uint32_t> p1 = RandomPermutation(64);
  const std::vector<uint32_t> p2 = RandomPermutation(64);
  EXPECT_TRUE(CheckPermutation(p1, 64));
  EXPECT_TRUE(CheckPermutation(p2, 64));
  EXPECT_NE(p1, p2);
  EXPECT_NE(p1, IdentityOrder(64));
}

TEST(Session, FreshScalarSeedAndSessionIdEachTime) {
  std::vector<Child> children = RandomChildren(8, 11);
  for (Child& c : children) c.pgn.reset();  // slot 0 all fillers
  const auto inputs = MakeInputs(children, kInitiatorSide);
  auto one = InitiatorSession::Create(inputs, MatchParams());
  auto two = InitiatorSession::Create(inputs, MatchParams());
  ASSERT_TRUE(one && two);
  EXPECT_NE((*one)->session_id(), (*two)->session_id());
  auto a1 = wire::DecodeStartRequest((*one)->StartMessage(), 100);
  auto a2 = wire::DecodeStartRequest((*two)->StartMessage(), 100);
  ASSERT_TRUE(a1 && a2);
  const std::vector<wire::PointBytes> a1_points = ToVector(a1->a);
  const std::set<wire::PointBytes> first(a1_points.begin(), a1_points.end());
  for (const auto& p : ToVector(a2->a)) EXPECT_FALSE(first.contains(p));
}

// ------------------------------------------------------------ ParallelFor

TEST(ParallelFor, CoversEveryIndexOnceAndReportsTheLowestFailure) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{15}, size_t{17}, size_t{1000}, size_t{12345}}) {
    for (unsigned threads : {1u, 2u, 5u}) {
      std::vector<std::atomic<int>> hits(n);
      const size_t none = ParallelFor(n, threads, [&](size_t begin, size_t end) {
        for (size_t k = begin; k < end; ++k) hits[k].fetch_add(1);
        return end;
      });
      EXPECT_EQ(none, n);
      for (size_t k = 0; k < n; ++k) ASSERT_EQ(hits[k].load(), 1) << n << " " << k;
      if (n < 2) continue;
      // Failures at n/2 and n-1: the lower one is reported, whatever the timing.
      const size_t bad = ParallelFor(n, threads, [&](size_t begin, size_t end) {
        for (size_t k = begin; k < end; ++k) {
          if (k == n / 2 || k == n - 1) return k;
        }
        return end;
      });
      EXPECT_EQ(bad, n / 2) << n << " " << threads;
    }
  }
}

// ------------------------------------------------------- invalid own input

TEST(Session, CreateRejectsBadInputsAndParams) {
  const ListPair lists = MakeListPair(4, 1, 0, 13);
  auto expect_error = [](std::vector<PsiInput> inputs, InitiatorParams params,
                         std::string_view text) {
    auto s = InitiatorSession::Create(std::move(inputs), std::move(params));
    ASSERT_FALSE(s) << text;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(s.error().message, HasSubstr(text));
  };
  const auto inputs = MakeInputs(lists.initiator, kInitiatorSide);
  expect_error({}, MatchParams(), "the list to match is empty");
  expect_error(inputs, MatchParams(wire::kAllLabels, 0),
               "key mask must name 1 to 3 known key types");
  expect_error(inputs, MatchParams(wire::kAllLabels, 8),
               "key mask must name 1 to 3 known key types");
  expect_error(inputs, MatchParams(0x10), "label mask has unknown bits");
  InitiatorParams purpose = MatchParams();
  purpose.purpose = "Has Spaces";
  expect_error(inputs, purpose, "purpose must be 1..64 characters [a-z0-9._-]");
  std::vector<PsiInput> no_school = inputs;
  no_school[0].labels.school.reset();
  expect_error(no_school, MatchParams(), "input 0: label school is missing");
  std::vector<PsiInput> bad_school = inputs;
  bad_school[1].labels.school = "12ab";
  expect_error(bad_school, MatchParams(), "input 1: label school");
  InitiatorParams date = MatchParams();
  date.list_date = {2026, 2, 30};
  expect_error(inputs, date, "list date is not a valid date in 1900..2100");
  auto wrong_order =
      InitiatorSession::CreateForTesting(inputs, MatchParams(), Fixed("x", {0, 1, 1, 2}));
  ASSERT_FALSE(wrong_order);
  EXPECT_THAT(wrong_order.error().message, HasSubstr("not a permutation"));
  auto short_order =
      InitiatorSession::CreateForTesting(inputs, MatchParams(), Fixed("x", {0, 1, 2}));
  ASSERT_FALSE(short_order);
  EXPECT_THAT(short_order.error().message, HasSubstr("permutation has 3 entries for 4 inputs"));
  // A record without any key is fine: it is all fillers.
  std::vector<PsiInput> keyless = inputs;
  keyless[2].keys = {};
  EXPECT_TRUE(InitiatorSession::Create(keyless, MatchParams()));
}

TEST(Session, ResponderRejectsBadParams) {
  const ListPair lists = MakeListPair(4, 4, 2, 30);
  auto initiator =
      InitiatorSession::Create(MakeInputs(lists.initiator, kInitiatorSide), MatchParams());
  ASSERT_TRUE(initiator);
  const auto ys = MakeInputs(lists.responder, kResponderSide);
  ResponderParams labels = Responder(0x20);
  auto r = ResponderSession::Start((*initiator)->StartMessage(), ys, labels);
  ASSERT_FALSE(r);
  ExpectError(r.error(), ErrorCode::kInvalidArgument, "allowed label mask has unknown bits");
  ResponderParams date = Responder();
  date.list_date = {2026, 13, 1};
  r = ResponderSession::Start((*initiator)->StartMessage(), ys, date);
  ASSERT_FALSE(r);
  ExpectError(r.error(), ErrorCode::kInvalidArgument, "list date is not a valid date");
  wire::SessionId other = (*initiator)->session_id();
  other[0] ^= 1;
  r = ResponderSession::StartForTesting((*initiator)->StartMessage(), ys, Responder(),
                                        Fixed("b", IdentityOrder(4), {}, other));
  ASSERT_FALSE(r);
  ExpectError(r.error(), ErrorCode::kInvalidArgument,
              "determinism: session id differs from message 1");
}

// --------------------------------------------------------- hostile messages

// A deterministic exchange (identity orders, so position = local index) that
// tests drive step by step and tamper with. Initiator: children 0..9;
// responder: 10 records, of which
//   y0 = x5 as is                               certain
//   y1 = x6 without PGN                         probable
//   y2 = x7 without PGN, another first name     possible (surname and birth date)
//   y3 = x8 as is                               certain
//   y4 = x9 without PGN, only the birth year    possible (name and year)
//   y5..y9 children of no one else.
struct HostileLists {
  std::vector<PsiInput> initiator;
  std::vector<PsiInput> responder;
};
HostileLists MakeHostileLists() {
  const std::vector<Child> children = RandomChildren(15, 99);
  std::vector<Child> x(children.begin(), children.begin() + 10);
  std::vector<Child> y(children.begin() + 5, children.end());
  y[1].pgn.reset();
  y[2].pgn.reset();
  y[2].first_given = "other";
  y[2].roepnaam.reset();
  y[4].pgn.reset();
  y[4].birth->month = y[4].birth->day = 0;
  return {MakeInputs(x, kInitiatorSide), MakeInputs(y, kResponderSide)};
}

class Hostile : public ::testing::Test {
 protected:
  void SetUp() override { Begin(MatchParams(), Responder()); }

  void Begin(InitiatorParams ip, ResponderParams rp) {
    lists_ = MakeHostileLists();
    ip_ = ip;
    rp_ = rp;
    initiator_ = NewInitiator();
    ASSERT_TRUE(initiator_);
    message1_ = initiator_->StartMessage();
    responder_ = NewResponder(message1_);
    ASSERT_TRUE(responder_);
    message2_ = responder_->StartResponse();
  }

  std::unique_ptr<InitiatorSession> NewInitiator() {
    auto initiator =
        InitiatorSession::CreateForTesting(lists_.initiator, ip_, Fixed("a", IdentityOrder(10)));
    EXPECT_TRUE(initiator) << initiator.error().message;
    return initiator ? std::move(*initiator) : nullptr;
  }

  // A second responder on the same message 1, for replays of message 3.
  std::unique_ptr<ResponderSession> NewResponder(const std::string& message1) {
    auto responder = ResponderSession::StartForTesting(message1, lists_.responder, rp_,
                                                       Fixed("b", IdentityOrder(10)));
    EXPECT_TRUE(responder) << responder.error().message;
    return responder ? std::move(*responder) : nullptr;
  }

  // A fresh initiator that has handled the honest message 2.
  std::unique_ptr<InitiatorSession> InitiatorAfterMessage2() {
    auto initiator = NewInitiator();
    EXPECT_TRUE(initiator->HandleStartResponse(message2_));
    return initiator;
  }

  std::string Message3() {
    auto m3 = initiator_->HandleStartResponse(message2_);
    EXPECT_TRUE(m3) << m3.error().message;
    return m3 ? *m3 : std::string();
  }

  uint8_t Keys() const { return static_cast<uint8_t>(ip_.key_mask & rp_.allowed_key_mask); }

  // Re-encodes message 1 with A replaced.
  std::string WithA(const std::vector<wire::PointBytes>& a) {
    auto m = wire::DecodeStartRequest(message1_, 1000);
    EXPECT_TRUE(m);
    wire::StartHeader h = m->header;
    h.list_size = static_cast<uint32_t>(a.size() / wire::SlotCount(h.key_mask));
    return wire::EncodeStartRequest(h, a);
  }
  std::vector<wire::PointBytes> A() {
    return ToVector(wire::DecodeStartRequest(message1_, 1000)->a);
  }

  std::string WithBC(const std::vector<wire::PointBytes>& b, const std::vector<wire::TagBytes>& c,
                     std::optional<uint8_t> label_mask = std::nullopt,
                     std::optional<uint8_t> key_mask = std::nullopt,
                     std::optional<wire::SessionId> id = std::nullopt) {
    auto m = wire::DecodeStartResponse(message2_, 1000);
    EXPECT_TRUE(m);
    return wire::EncodeStartResponse(id.value_or(m->session_id), label_mask.value_or(m->label_mask),
                                     key_mask.value_or(m->key_mask), m->list_date, b, c);
  }
  std::vector<wire::PointBytes> B() {
    return ToVector(wire::DecodeStartResponse(message2_, 1000)->b);
  }
  std::vector<wire::TagBytes> C() {
    return ToVector(wire::DecodeStartResponse(message2_, 1000)->c);
  }

  Result<ResponderSession::Finish> FinishWith(
      const std::string& message3, std::optional<std::vector<wire::LabelEntry>> entries,
      std::optional<uint8_t> mask = std::nullopt,
      std::optional<std::vector<wire::TagBytes>> d = std::nullopt,
      std::optional<wire::SessionId> id = std::nullopt) {
    auto m = wire::DecodeFinishRequest(message3, Keys(), 1000);
    EXPECT_TRUE(m);
    std::string forged =
        wire::EncodeFinishRequest(id.value_or(m->session_id), mask.value_or(m->label_mask), Keys(),
                                  d.value_or(ToVector(m->d)), entries.value_or(m->labels));
    return responder_->HandleFinish(forged);
  }

  HostileLists lists_;
  InitiatorParams ip_;
  ResponderParams rp_;
  std::unique_ptr<InitiatorSession> initiator_;
  std::unique_ptr<ResponderSession> responder_;
  std::string message1_;
  std::string message2_;
};

TEST_F(Hostile, HonestDeterministicRunGivesTheFivePairs) {
  const std::string m3 = Message3();
  auto finish = responder_->HandleFinish(m3);
  ASSERT_TRUE(finish) << finish.error().message;
  auto outcome = initiator_->HandleFinishResponse(finish->message);
  ASSERT_TRUE(outcome) << outcome.error().message;
  const std::vector<Strength> strengths = {Strength::kCertain, Strength::kProbable,
                                           Strength::kPossible, Strength::kCertain,
                                           Strength::kPossible};
  ASSERT_EQ(outcome->pairs.size(), 5u);
  ASSERT_EQ(finish->outcome.pairs.size(), 5u);
  for (uint32_t k = 0; k < 5; ++k) {
    EXPECT_EQ(outcome->pairs[k].local_index, 5 + k);
    EXPECT_EQ(outcome->pairs[k].peer_record, k);
    EXPECT_EQ(outcome->pairs[k].strength, strengths[k]);
    EXPECT_EQ(finish->outcome.pairs[k].local_index, k);
    EXPECT_EQ(finish->outcome.pairs[k].peer_record, 5 + k);
    EXPECT_EQ(finish->outcome.pairs[k].pair_code, outcome->pairs[k].pair_code);
  }
  EXPECT_EQ(outcome->own, (wire::MatchCounts{3, 2}));
  EXPECT_EQ(outcome->peer, (wire::MatchCounts{3, 2}));
  EXPECT_EQ(PlainPairs(lists_.initiator, lists_.responder, kAllKeys).size(), 5u);
}

TEST_F(Hostile, StartRequestIdentityAndNonCanonicalPoints) {
  auto a = A();
  a[3] = {};
  auto r = ResponderSession::Start(WithA(a), lists_.responder, Responder());
  ASSERT_FALSE(r);
  ExpectError(r.error(), ErrorCode::kInvalidArgument,
              "StartRequest: point 3 of list A: point is the identity element");
  a = A();
  a[0].fill(0xff);
  r = ResponderSession::Start(WithA(a), lists_.responder, Responder());
  ASSERT_FALSE(r);
  ExpectError(r.error(), ErrorCode::kInvalidArgument,
              "StartRequest: point 0 of list A: point is not a canonical ristretto255 encoding");
}

TEST_F(Hostile, StartRequestBadPointOutsideTheAgreedSlotsIsStillRefused) {
  // Offered all key types, allowed name and weak: position 0 of each group
  // (the PGN) is never multiplied, yet must be a valid point.
  const ResponderParams narrow = Responder(wire::kAllLabels, kName | kWeak);
  auto a = A();
  a[2 * 6] = {};  // record 2, PGN slot
  auto r = ResponderSession::Start(WithA(a), lists_.responder, narrow);
  ASSERT_FALSE(r);
  ExpectError(r.error(), ErrorCode::kInvalidArgument,
              "StartRequest: point 12 of list A: point is the identity element");
  a = A();
  a[9 * 6].fill(0xff);
  r = ResponderSession::Start(WithA(a), lists_.responder, narrow);
  ASSERT_FALSE(r);
  ExpectError(r.error(), ErrorCode::kInvalidArgument,
              "StartRequest: point 54 of list A: point is not a canonical ristretto255 encoding");
  // The untouched message is fine under the same policy.
  EXPECT_TRUE(ResponderSession::Start(message1_, lists_.responder, narrow));
}

TEST_F(Hostile, EqualPointsInAAreAllowedUpToTheRepeatLimit) {
  // Twins share weak keys, so equal points in A are not an error; a point
  // in 16 records is the most an honest list sends.
  auto a = A();
  for (size_t k = 1; k < 10; ++k) a[k * 6 + 3] = a[3];
  auto responder = ResponderSession::StartForTesting(WithA(a), lists_.responder, Responder(),
                                                     Fixed("b", IdentityOrder(10)));
  ASSERT_TRUE(responder) << responder.error().message;
}

// Every invalid encoding of RFC 9496 A.2.
std::vector<std::string> InvalidEncodings() {
  std::ifstream in(std::string(INBEELD_TESTDATA_DIR) + "/vectors/rfc9496-ristretto255.json");
  nlohmann::json json = nlohmann::json::parse(in, nullptr, false);
  std::vector<std::string> out;
  if (json.is_discarded()) return out;
  for (const auto& v : json["invalid_encodings"]) out.push_back(v["encoding"].get<std::string>());
  return out;
}

wire::PointBytes FromHex(std::string_view hex) {
  auto bytes = crypto::HexDecode(hex);
  wire::PointBytes p{};
  std::copy(bytes->begin(), bytes->end(), p.begin());
  return p;
}

TEST_F(Hostile, Rfc9496InvalidEncodingsAreRejectedInAAndB) {
  const std::vector<std::string> invalid = InvalidEncodings();
  ASSERT_GE(invalid.size(), 10u);
  for (const std::string& hex : invalid) {
    SCOPED_TRACE(hex);
    const wire::PointBytes p = FromHex(hex);
    for (size_t at : {size_t{4}, size_t{30}, size_t{59}}) {
      auto a = A();
      a[at] = p;
      auto r = ResponderSession::Start(WithA(a), lists_.responder, Responder());
      ASSERT_FALSE(r);
      ExpectError(r.error(), ErrorCode::kInvalidArgument,
                  "point " + std::to_string(at) + " of list A: point is");
      // Also where the responder does not multiply (slot 0 not agreed).
      r = ResponderSession::Start(WithA(a), lists_.responder,
                                  Responder(wire::kAllLabels, kName | kWeak));
      ASSERT_FALSE(r);
      ExpectError(r.error(), ErrorCode::kInvalidArgument,
                  "point " + std::to_string(at) + " of list A: point is");
    }
    auto initiator = NewInitiator();
    auto b = B();
    b[26] = p;
    auto m3 = initiator->HandleStartResponse(WithBC(b, C()));
    ASSERT_FALSE(m3);
    ExpectError(m3.error(), ErrorCode::kInvalidArgument,
                "StartResponse: point 26 of list B: point is");
  }
}

TEST_F(Hostile, StartRequestOverTheLimitAndEmpty) {
  ResponderParams rp = Responder();
  rp.max_peer_list_size = 9;
  auto r = ResponderSession::Start(message1_, lists_.responder, rp);
  ASSERT_FALSE(r);
  ExpectError(r.error(), ErrorCode::kResourceExhausted,
              "StartRequest: list A has 10 entries, more than the limit of 9");
  r = ResponderSession::Start(WithA({}), lists_.responder, Responder());
  ASSERT_FALSE(r);
  ExpectError(r.error(), ErrorCode::kInvalidArgument, "StartRequest: list A is empty");
}

TEST_F(Hostile, StartResponseIdentityInB) {
  auto b = B();
  b[7] = {};
  auto m = initiator_->HandleStartResponse(WithBC(b, C()));
  ASSERT_FALSE(m);
  ExpectError(m.error(), ErrorCode::kInvalidArgument,
              "StartResponse: point 7 of list B: point is the identity element");
}

TEST_F(Hostile, StartResponseCountsAndMasks) {
  {
    auto c = C();
    c.resize(3 * 6);
    auto m = initiator_->HandleStartResponse(WithBC(B(), c));
    ASSERT_FALSE(m);
    ExpectError(m.error(), ErrorCode::kInvalidArgument,
                "StartResponse: list C has 3 records, expected 10");
  }
  InitiatorParams limited = MatchParams(wire::kLabelCategory);
  limited.max_peer_list_size = 9;
  Begin(limited, Responder());
  {
    auto m = initiator_->HandleStartResponse(message2_);
    ASSERT_FALSE(m);
    ExpectError(m.error(), ErrorCode::kResourceExhausted,
                "StartResponse: list B has 10 records, more than the limit of 9 for this peer");
  }
  Begin(MatchParams(wire::kLabelCategory), Responder());
  {
    auto m = initiator_->HandleStartResponse(WithBC(B(), C(), wire::kAllLabels));
    ASSERT_FALSE(m);
    ExpectError(m.error(), ErrorCode::kInvalidArgument,
                "StartResponse: agreed label mask 15 includes labels that were not offered "
                "(offered 1)");
  }
  Begin(MatchParams(wire::kAllLabels, kPgn | kName), Responder());
  {
    // Claims all key types agreed; B and C even have 6 points a record.
    std::vector<wire::PointBytes> b(60, StrayPoint(1));
    std::vector<wire::TagBytes> c(60);
    auto m = initiator_->HandleStartResponse(WithBC(b, c, std::nullopt, kAllKeys));
    ASSERT_FALSE(m);
    ExpectError(m.error(), ErrorCode::kInvalidArgument,
                "StartResponse: agreed key mask 7 includes key types that were not offered "
                "(offered 3)");
  }
  Begin(MatchParams(), Responder());
  {
    wire::SessionId other = CountingSessionId();
    other[0] ^= 1;
    auto m = initiator_->HandleStartResponse(WithBC(B(), C(), std::nullopt, std::nullopt, other));
    ASSERT_FALSE(m);
    ExpectError(m.error(), ErrorCode::kInvalidArgument,
                "StartResponse: session id does not match this session");
  }
}

TEST_F(Hostile, StartResponseTagInMoreThanSixteenRecordsIsRefused) {
  // The responder's list must hold 17+ records for a B or C tag in 17
  // groups; the initiator has 10, so forge a longer B.
  std::vector<wire::PointBytes> b;
  for (uint8_t k = 0; k < 17 * 6; ++k) b.push_back(StrayPoint(k));
  for (size_t k = 0; k < 17; ++k) b[k * 6 + 4] = StrayPoint(200);
  auto m = initiator_->HandleStartResponse(WithBC(b, C()));
  ASSERT_FALSE(m);
  ExpectError(m.error(), ErrorCode::kInvalidArgument,
              "StartResponse: list B holds one key in 17 records (at most 16 may share a key)");

  // 16 is accepted.
  auto initiator = NewInitiator();
  b[16 * 6 + 4] = StrayPoint(201);
  EXPECT_TRUE(initiator->HandleStartResponse(WithBC(b, C())));

  // C belongs to the initiator's 10 records: a tag in all 10 is allowed.
  initiator = NewInitiator();
  auto c = C();
  for (size_t k = 0; k < 10; ++k) c[k * 6 + 5] = c[5];
  EXPECT_TRUE(initiator->HandleStartResponse(WithBC(B(), c)));
}

TEST(HostileRepeats, ATagInSeventeenRecordsIsRefusedEverywhere) {
  // 20 records a side, so every list can hold a tag in 17 groups.
  const std::vector<Child> children = RandomChildren(30, 31);
  const auto xs = MakeInputs({children.begin(), children.begin() + 20}, kInitiatorSide);
  const auto ys = MakeInputs({children.begin() + 10, children.end()}, kResponderSide);
  auto start = [&] {
    return std::move(
        *InitiatorSession::CreateForTesting(xs, MatchParams(), Fixed("a", IdentityOrder(20))));
  };
  auto initiator = start();
  const std::string m1 = initiator->StartMessage();
  auto responder =
      ResponderSession::StartForTesting(m1, ys, Responder(), Fixed("b", IdentityOrder(20)));
  ASSERT_TRUE(responder);
  const std::string m2 = (*responder)->StartResponse();

  // A: a point in 17 groups; refused when the responder joins C with D.
  {
    auto decoded = wire::DecodeStartRequest(m1, 100);
    auto a = ToVector(decoded->a);
    for (size_t k = 1; k < 17; ++k) a[k * 6 + 3] = a[3];
    auto r = ResponderSession::StartForTesting(wire::EncodeStartRequest(decoded->header, a), ys,
                                               Responder(), Fixed("b", IdentityOrder(20)));
    ASSERT_TRUE(r) << r.error().message;
    // B does not depend on A: the honest message 2's B, so the honest
    // initiator's message 3 fits this responder.
    auto other = start();
    auto m3 = other->HandleStartResponse(m2);
    ASSERT_TRUE(m3) << m3.error().message;
    auto f = (*r)->HandleFinish(*m3);
    ASSERT_FALSE(f);
    ExpectError(f.error(), ErrorCode::kInvalidArgument,
                "FinishRequest: list A holds one key in 17 records (at most 16 may share a key)");
  }
  // C: a tag in 17 groups.
  {
    auto decoded = wire::DecodeStartResponse(m2, 100);
    auto c = ToVector(decoded->c);
    for (size_t k = 4; k < 20; ++k) c[k * 6 + 1] = c[1];  // records 0 and 4..19
    auto other = start();
    auto m3 = other->HandleStartResponse(
        wire::EncodeStartResponse(decoded->session_id, decoded->label_mask, decoded->key_mask,
                                  decoded->list_date, ToVector(decoded->b), c));
    ASSERT_FALSE(m3);
    ExpectError(m3.error(), ErrorCode::kInvalidArgument,
                "StartResponse: list C holds one key in 17 records (at most 16 may share a key)");
  }
  // D: a tag in 17 groups.
  {
    auto m3 = initiator->HandleStartResponse(m2);
    ASSERT_TRUE(m3);
    auto decoded = wire::DecodeFinishRequest(*m3, kAllKeys, 100);
    auto d = ToVector(decoded->d);
    for (size_t k = 1; k < 17; ++k) d[k * 6 + 2] = d[2];
    auto f = (*responder)
                 ->HandleFinish(wire::EncodeFinishRequest(decoded->session_id, decoded->label_mask,
                                                          kAllKeys, d, decoded->labels));
    ASSERT_FALSE(f);
    // Caught before the repeat check: B's points at those positions differ,
    // so an honest D's tags there differ too.
    ExpectError(f.error(), ErrorCode::kInvalidArgument,
                "FinishRequest: list D is not list B blinded: its tags are not equal exactly "
                "where B's points are (around position 2)");
  }
}

// An initiator that copies one of C's tags into many groups of D, to have
// records it does not hold paired (and their labels sent), is refused: an
// honest D has equal tags only where B has equal points.
TEST_F(Hostile, ADMadeOfCopiesOfCIsRefused) {
  const std::string m3 = Message3();
  auto m = wire::DecodeFinishRequest(m3, Keys(), 1000);
  ASSERT_TRUE(m);
  auto d = ToVector(m->d);
  const size_t k = wire::SlotCount(Keys());
  const auto c = C();
  for (size_t j = 0; j < d.size() / k; ++j) d[j * k] = c[0];  // every record's first slot
  auto f = FinishWith(m3, std::nullopt, std::nullopt, d);
  ASSERT_FALSE(f);
  EXPECT_THAT(f.error().message, ::testing::HasSubstr("list D is not list B blinded"));
}

TEST_F(Hostile, FinishRequestLabelsForARecordInNoPair) {
  const std::string m3 = Message3();
  auto m = wire::DecodeFinishRequest(m3, kAllKeys, 1000);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->labels.size(), 5u);  // initiator records 5..9 are in pairs
  std::vector<wire::LabelEntry> entries = m->labels;
  entries.insert(entries.begin(), wire::LabelEntry{2, entries.back().labels});
  auto f = FinishWith(m3, entries);
  ASSERT_FALSE(f);
  ExpectError(f.error(), ErrorCode::kInvalidArgument,
              "FinishRequest: label entry 0: index 2 is not a record in a pair (labels travel "
              "only for matches)");
}

TEST_F(Hostile, FinishRequestDuplicateMissingAndOutOfRangeIndex) {
  const std::string m3 = Message3();
  auto m = wire::DecodeFinishRequest(m3, kAllKeys, 1000);
  std::vector<wire::LabelEntry> dup = m->labels;
  dup[2].index = dup[1].index;
  auto f = FinishWith(m3, dup);
  ASSERT_FALSE(f);
  ExpectError(f.error(), ErrorCode::kInvalidArgument, "label entry 2: duplicate label index 6");

  responder_ = NewResponder(message1_);
  std::vector<wire::LabelEntry> far = m->labels;
  far.back().index = 10;
  f = FinishWith(m3, far);
  ASSERT_FALSE(f);
  ExpectError(f.error(), ErrorCode::kInvalidArgument,
              "FinishRequest: label entry 4: index 10 is out of range (list A has 10 records)");

  responder_ = NewResponder(message1_);
  std::vector<wire::LabelEntry> fewer = m->labels;
  fewer.erase(fewer.begin() + 2);
  f = FinishWith(m3, fewer);
  ASSERT_FALSE(f);
  ExpectError(f.error(), ErrorCode::kInvalidArgument,
              "FinishRequest: 4 label entries, expected 5 (5 records in a pair, label mask 15)");
}

TEST_F(Hostile, FinishRequestLabelMaskOtherThanAgreed) {
  Begin(MatchParams(), Responder(wire::kLabelCategory));  // agreed: category only
  const std::string m3 = Message3();
  auto m = wire::DecodeFinishRequest(m3, kAllKeys, 1000);
  ASSERT_EQ(m->label_mask, wire::kLabelCategory);
  std::vector<wire::LabelEntry> entries = m->labels;
  for (auto& e : entries) e.labels = lists_.initiator[e.index].labels;
  auto f = FinishWith(m3, entries, wire::kAllLabels);
  ASSERT_FALSE(f);
  ExpectError(f.error(), ErrorCode::kInvalidArgument,
              "FinishRequest: label mask 15 is not the agreed mask 1");
}

TEST_F(Hostile, FinishRequestWrongRecordCount) {
  const std::string m3 = Message3();
  auto m = wire::DecodeFinishRequest(m3, kAllKeys, 1000);
  auto d = ToVector(m->d);
  d.resize(3 * 6);
  auto f = FinishWith(m3, std::nullopt, std::nullopt, d);
  ASSERT_FALSE(f);
  ExpectError(f.error(), ErrorCode::kInvalidArgument,
              "FinishRequest: list D has 3 records, expected 10");
  responder_ = NewResponder(message1_);
  d = ToVector(m->d);
  d.resize(11 * 6);
  f = FinishWith(m3, std::nullopt, std::nullopt, d);
  ASSERT_FALSE(f);
  ExpectError(f.error(), ErrorCode::kResourceExhausted, "list D has 11 entries");
}

TEST_F(Hostile, FinishRequestTamperedTagsOnlyChangeTheResult) {
  // D's tags are not points; a changed tag loses its link, nothing more.
  const std::string m3 = Message3();
  auto m = wire::DecodeFinishRequest(m3, kAllKeys, 1000);
  auto d = ToVector(m->d);
  for (size_t p = 0; p < 6; ++p) d[0 * 6 + p][0] ^= 1;  // y0 = x5: every link gone
  auto f = FinishWith(m3, std::nullopt, std::nullopt, d);
  // The initiator still sent labels for x5, which is in no pair now.
  ASSERT_FALSE(f);
  ExpectError(f.error(), ErrorCode::kInvalidArgument, "index 5 is not a record in a pair");
}

TEST_F(Hostile, FinishRequestWrongSessionIdAndReplay) {
  const std::string m3 = Message3();
  wire::SessionId other = CountingSessionId();
  other[15] ^= 0x80;
  auto f = FinishWith(m3, std::nullopt, std::nullopt, std::nullopt, other);
  ASSERT_FALSE(f);
  ExpectError(f.error(), ErrorCode::kInvalidArgument,
              "FinishRequest: session id does not match this session");
  // The rejected message left the session failed: even the honest one is refused now.
  auto after = responder_->HandleFinish(m3);
  ASSERT_FALSE(after);
  ExpectError(after.error(), ErrorCode::kFailedPrecondition,
              "FinishRequest not accepted: the session failed earlier");

  responder_ = NewResponder(message1_);
  ASSERT_TRUE(responder_->HandleFinish(m3));
  auto replay = responder_->HandleFinish(m3);
  ASSERT_FALSE(replay);
  ExpectError(replay.error(), ErrorCode::kFailedPrecondition,
              "FinishRequest not accepted: the session has already finished");
}

TEST_F(Hostile, FinishResponseChecks) {
  const std::string m3 = Message3();
  auto finish = responder_->HandleFinish(m3);
  ASSERT_TRUE(finish);
  auto m4 = wire::DecodeFinishResponse(finish->message, 1000);
  ASSERT_TRUE(m4);
  ASSERT_EQ(m4->labels.size(), 5u);  // responder records 0..4
  ASSERT_EQ(m4->responder, (wire::MatchCounts{3, 2}));
  ASSERT_EQ(m4->initiator, (wire::MatchCounts{3, 2}));

  auto retry = [&](const std::string& forged, ErrorCode code, std::string_view text) {
    auto initiator = InitiatorAfterMessage2();
    auto outcome = initiator->HandleFinishResponse(forged);
    ASSERT_FALSE(outcome) << text;
    ExpectError(outcome.error(), code, text);
  };
  auto encode = [&](const std::vector<wire::LabelEntry>& entries,
                    wire::MatchCounts responder = {3, 2}, wire::MatchCounts initiator = {3, 2},
                    std::optional<uint8_t> mask = std::nullopt,
                    wire::SessionId id = CountingSessionId()) {
    return wire::EncodeFinishResponse(id, responder, initiator, mask.value_or(m4->label_mask),
                                      entries);
  };
  auto entries = m4->labels;
  entries.push_back({7, entries[0].labels});  // responder record 7 is in no pair
  retry(encode(entries), ErrorCode::kInvalidArgument,
        "FinishResponse: label entry 5: index 7 is not a record in a pair (labels travel only "
        "for matches)");
  entries = m4->labels;
  entries.back().index = 12;
  retry(encode(entries), ErrorCode::kInvalidArgument,
        "FinishResponse: label entry 4: index 12 is out of range (list B has 10 records)");
  entries = m4->labels;
  entries.pop_back();
  retry(encode(entries), ErrorCode::kInvalidArgument,
        "FinishResponse: 4 label entries, expected 5 (5 records in a pair, label mask 15)");
  retry(encode(m4->labels, {4, 1}), ErrorCode::kInvalidArgument,
        "FinishResponse: counts (responder 4 strong + 1 possible, initiator 3 strong + 2 "
        "possible) differ from the ones computed here (responder 3 strong + 2 possible, "
        "initiator 3 strong + 2 possible)");
  retry(encode(m4->labels, {3, 2}, {3, 3}), ErrorCode::kInvalidArgument,
        "initiator 3 strong + 3 possible) differ");
  wire::SessionId other = CountingSessionId();
  other[3] = 0xee;
  retry(encode(m4->labels, {3, 2}, {3, 2}, std::nullopt, other), ErrorCode::kInvalidArgument,
        "FinishResponse: session id does not match this session");
  retry(encode({}, {3, 2}, {3, 2}, 0), ErrorCode::kInvalidArgument,
        "FinishResponse: label mask 0 is not the agreed mask 15");
  retry(finish->message + "x", ErrorCode::kInvalidArgument, "1 trailing bytes");
  retry(message2_, ErrorCode::kInvalidArgument, "message type 2 at byte 5, expected 4");

  // The honest one, then once more.
  auto initiator = InitiatorAfterMessage2();
  ASSERT_TRUE(initiator->HandleFinishResponse(finish->message));
  auto twice = initiator->HandleFinishResponse(finish->message);
  ASSERT_FALSE(twice);
  ExpectError(twice.error(), ErrorCode::kFailedPrecondition,
              "FinishResponse not accepted: the session has already finished");
}

TEST_F(Hostile, WrongStateAndOrder) {
  // Message 4 before message 2.
  auto early = initiator_->HandleFinishResponse("INBL\x02\x04");
  ASSERT_FALSE(early);
  ExpectError(early.error(), ErrorCode::kFailedPrecondition,
              "FinishResponse not accepted: message 2 has not been handled yet");

  Begin(MatchParams(), Responder());
  const std::string m3 = Message3();
  auto twice = initiator_->HandleStartResponse(message2_);
  ASSERT_FALSE(twice);
  ExpectError(twice.error(), ErrorCode::kFailedPrecondition,
              "StartResponse not accepted: message 2 was already handled");

  // A message of the wrong type is malformed, whatever the state.
  Begin(MatchParams(), Responder());
  auto swapped = responder_->HandleFinish(message2_);
  ASSERT_FALSE(swapped);
  ExpectError(swapped.error(), ErrorCode::kInvalidArgument,
              "FinishRequest: message type 2 at byte 5, expected 3");

  // A rejected message 2 fails the session: the honest one is then refused.
  Begin(MatchParams(), Responder());
  ASSERT_FALSE(initiator_->HandleStartResponse(message2_.substr(0, 40)));
  auto after = initiator_->HandleStartResponse(message2_);
  ASSERT_FALSE(after);
  ExpectError(after.error(), ErrorCode::kFailedPrecondition,
              "StartResponse not accepted: the session failed earlier");

  // A version-1 peer's message 2 is refused with the upgrade message.
  Begin(MatchParams(), Responder());
  std::string v1 = message2_;
  v1[4] = 1;
  auto old = initiator_->HandleStartResponse(v1);
  ASSERT_FALSE(old);
  ExpectError(old.error(), ErrorCode::kInvalidArgument, "upgrade the peer");
}

// Every offset in the first 40 bytes (the fixed fields), then a stride that
// lands at every position within a point or tag in turn; wire_test
// truncates the decoders at every offset.
std::vector<size_t> Cuts(size_t size) {
  std::vector<size_t> out;
  for (size_t n = 0; n < size; n += (n < 40 ? 1 : 61)) out.push_back(n);
  out.push_back(size - 1);
  return out;
}

TEST_F(Hostile, TruncatedMessagesNeverCrash) {
  for (size_t n = 0; n < message1_.size(); ++n) {
    EXPECT_FALSE(ResponderSession::PeekStart(message1_.substr(0, n))) << n;
    auto r = ResponderSession::Start(message1_.substr(0, n), lists_.responder, Responder());
    ASSERT_FALSE(r) << n;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << n;
  }
  for (size_t n : Cuts(message2_.size())) {
    auto initiator = NewInitiator();
    auto m = initiator->HandleStartResponse(message2_.substr(0, n));
    ASSERT_FALSE(m) << n;
    EXPECT_EQ(m.error().code, ErrorCode::kInvalidArgument) << n;
  }
  const std::string m3 = Message3();
  for (size_t n : Cuts(m3.size())) {
    auto responder = NewResponder(message1_);
    auto f = responder->HandleFinish(m3.substr(0, n));
    ASSERT_FALSE(f) << n;
    EXPECT_EQ(f.error().code, ErrorCode::kInvalidArgument) << n;
  }
  auto finish = NewResponder(message1_)->HandleFinish(m3);
  ASSERT_TRUE(finish);
  for (size_t n : Cuts(finish->message.size())) {
    auto outcome = InitiatorAfterMessage2()->HandleFinishResponse(finish->message.substr(0, n));
    ASSERT_FALSE(outcome) << n;
    EXPECT_EQ(outcome.error().code, ErrorCode::kInvalidArgument) << n;
  }
}

// ------------------------------------------------------------- bit flips

// Two records a side, PGN and name keys (3 slots): x0 and y0 are one child
// (certain), x1 and y1 are not. Small enough to flip every bit of messages
// 2, 3 and 4 and run the rest of the protocol each time.
class BitFlips : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::vector<Child> children = RandomChildren(3, 41);
    xs_ = MakeInputs({children[0], children[1]}, kInitiatorSide);
    ys_ = MakeInputs({children[0], children[2]}, kResponderSide);
    auto honest = RunFixed(xs_, ys_, Params(), Responder());
    ASSERT_TRUE(honest) << honest.error().message;
    honest_ = *honest;
    ASSERT_EQ(honest_.initiator.pairs.size(), 1u);
  }

  static InitiatorParams Params() {
    InitiatorParams p = MatchParams(wire::kAllLabels, kPgn | kName);
    p.threads = 1;
    return p;
  }

  std::unique_ptr<InitiatorSession> NewInitiator() {
    return std::move(
        *InitiatorSession::CreateForTesting(xs_, Params(), Fixed("a", IdentityOrder(2))));
  }
  std::unique_ptr<ResponderSession> NewResponder() {
    ResponderParams rp = Responder();
    rp.threads = 1;
    return std::move(*ResponderSession::StartForTesting(honest_.message1, ys_, rp,
                                                        Fixed("b", IdentityOrder(2))));
  }

  static std::string Flip(const std::string& m, size_t bit) {
    std::string out = m;
    out[bit / 8] = static_cast<char>(out[bit / 8] ^ (1 << (bit % 8)));
    return out;
  }

  static void ExpectSane(const Outcome& o, uint32_t own, uint32_t peer) {
    for (const MatchedPair& p : o.pairs) {
      EXPECT_LT(p.local_index, own);
      EXPECT_LT(p.peer_record, peer);
      EXPECT_TRUE(IsPairCode(p.pair_code)) << p.pair_code;
    }
    EXPECT_EQ(o.overlap, o.own.strong);
  }

  static bool Refused(const Error& e) {
    return e.code == ErrorCode::kInvalidArgument || e.code == ErrorCode::kResourceExhausted;
  }

  std::vector<PsiInput> xs_, ys_;
  RunResult honest_;
};

TEST_F(BitFlips, Message2) {
  // Layout: header and session id 0..21, masks 22..23, date 24..27, B count
  // 28..31, B 32..223, C count 224..227, C 228..323.
  const std::string& m2 = honest_.message2;
  ASSERT_EQ(m2.size(), 324u);
  int completed = 0;
  for (size_t bit = 0; bit < m2.size() * 8; ++bit) {
    const size_t at = bit / 8;
    auto initiator = NewInitiator();
    auto m3 = initiator->HandleStartResponse(Flip(m2, bit));
    if (!m3) {
      EXPECT_TRUE(Refused(m3.error())) << bit << ": " << m3.error().message;
      continue;
    }
    // Accepted only where a change cannot be told from an honest message:
    // a label mask still within the offered one, a valid list date, a B
    // point that is still a point, or a tag.
    EXPECT_TRUE(at == 22 || (at >= 24 && at < 28) || (at >= 32 && at < 224) || at >= 228)
        << "bit " << bit;
    auto finish = NewResponder()->HandleFinish(*m3);
    if (!finish) {
      EXPECT_TRUE(Refused(finish.error())) << bit << ": " << finish.error().message;
      continue;
    }
    auto outcome = initiator->HandleFinishResponse(finish->message);
    if (!outcome) {
      EXPECT_TRUE(Refused(outcome.error())) << bit << ": " << outcome.error().message;
      continue;
    }
    ++completed;
    ExpectSane(*outcome, 2, 2);
    ExpectSane(finish->outcome, 2, 2);
    // The responder computed from its own C: a changed C never reaches it.
    if (at >= 228) {
      EXPECT_EQ(finish->outcome.own, honest_.responder.own) << bit;
    }
  }
  EXPECT_GT(completed, 0);
}

TEST_F(BitFlips, Message3) {
  const std::string m3 = honest_.message3;
  for (size_t bit = 0; bit < m3.size() * 8; ++bit) {
    auto finish = NewResponder()->HandleFinish(Flip(m3, bit));
    if (!finish) {
      EXPECT_TRUE(Refused(finish.error())) << bit << ": " << finish.error().message;
      continue;
    }
    // Only D's tags (27..122) and the label fields can change unnoticed.
    EXPECT_GE(bit / 8, 27u) << bit;
    ExpectSane(finish->outcome, 2, 2);
  }
}

TEST_F(BitFlips, Message4) {
  const std::string m4 = honest_.message4;
  for (size_t bit = 0; bit < m4.size() * 8; ++bit) {
    auto initiator = NewInitiator();
    ASSERT_TRUE(initiator->HandleStartResponse(honest_.message2));
    auto outcome = initiator->HandleFinishResponse(Flip(m4, bit));
    if (!outcome) {
      EXPECT_TRUE(Refused(outcome.error())) << bit << ": " << outcome.error().message;
      continue;
    }
    // Everything but the labels' values is checked: counts, mask, index.
    EXPECT_GE(bit / 8, 47u) << bit;
    ExpectSane(*outcome, 2, 2);
    EXPECT_EQ(outcome->own, honest_.initiator.own);
    ASSERT_EQ(outcome->pairs.size(), 1u);
    EXPECT_EQ(outcome->pairs[0].pair_code, honest_.initiator.pairs[0].pair_code);
  }
}

// ------------------------------------------------------------ count mode

TEST(HostileCount, LabelsInCountMode) {
  const ListPair lists = MakeListPair(12, 12, 6, 21);
  const auto xs = MakeInputs(lists.initiator, kInitiatorSide);
  const auto ys = MakeInputs(lists.responder, kResponderSide);
  auto make = [&] {
    return std::move(
        *InitiatorSession::CreateForTesting(xs, CountParams(), Fixed("a", IdentityOrder(12))));
  };
  auto initiator = make();
  auto start_responder = [&] {
    return std::move(
        *ResponderSession::StartForTesting(initiator->StartMessage(), ys, Responder(),
                                           Fixed("b", IdentityOrder(12), IdentityOrder(12))));
  };
  auto responder = start_responder();
  auto m3 = initiator->HandleStartResponse(responder->StartResponse());
  ASSERT_TRUE(m3) << m3.error().message;
  auto decoded3 = wire::DecodeFinishRequest(*m3, kAllKeys, 100);
  ASSERT_TRUE(decoded3);
  ASSERT_EQ(decoded3->label_mask, 0);
  auto f = responder->HandleFinish(
      wire::EncodeFinishRequest(decoded3->session_id, 0, kAllKeys, ToVector(decoded3->d),
                                std::vector<wire::LabelEntry>{{0, {}}}));
  ASSERT_FALSE(f);
  ExpectError(f.error(), ErrorCode::kInvalidArgument,
              "FinishRequest: count mode carries no label entries");

  // Message 4 with a label entry in count mode.
  responder = start_responder();
  auto finish = responder->HandleFinish(*m3);
  ASSERT_TRUE(finish) << finish.error().message;
  auto m4 = wire::DecodeFinishResponse(finish->message, 100);
  ASSERT_TRUE(m4);
  auto again = make();
  ASSERT_TRUE(again->HandleStartResponse(start_responder()->StartResponse()));
  auto outcome = again->HandleFinishResponse(wire::EncodeFinishResponse(
      m4->session_id, m4->responder, m4->initiator, 0, std::vector<wire::LabelEntry>{{0, {}}}));
  ASSERT_FALSE(outcome);
  ExpectError(outcome.error(), ErrorCode::kInvalidArgument,
              "FinishResponse: label entry 0: index 0 is not a record in a pair");
  // A label mask in count mode is not the agreed 0.
  auto wrong_mask = make();
  auto m2 = start_responder()->StartResponse();
  auto d2 = wire::DecodeStartResponse(m2, 100);
  auto refused = wrong_mask->HandleStartResponse(
      wire::EncodeStartResponse(d2->session_id, wire::kLabelPlan, d2->key_mask, d2->list_date,
                                ToVector(d2->b), ToVector(d2->c)));
  ASSERT_FALSE(refused);
  ExpectError(refused.error(), ErrorCode::kInvalidArgument,
              "StartResponse: agreed label mask 8 includes labels that were not offered (offered "
              "0)");
}

TEST(HostileCount, CountOrderMustBeAPermutationOfThePeersRecords) {
  // The initiator's count_order shuffles D, i.e. B's records.
  const ListPair lists = MakeListPair(5, 7, 2, 22);
  const auto xs = MakeInputs(lists.initiator, kInitiatorSide);
  const auto ys = MakeInputs(lists.responder, kResponderSide);
  auto initiator = InitiatorSession::CreateForTesting(
      xs, CountParams(), Fixed("a", IdentityOrder(5), IdentityOrder(5)));
  ASSERT_TRUE(initiator);
  auto responder =
      ResponderSession::StartForTesting((*initiator)->StartMessage(), ys, Responder(),
                                        Fixed("b", IdentityOrder(7), IdentityOrder(5)));
  ASSERT_TRUE(responder) << responder.error().message;
  auto m3 = (*initiator)->HandleStartResponse((*responder)->StartResponse());
  ASSERT_FALSE(m3);
  ExpectError(m3.error(), ErrorCode::kInvalidArgument, "permutation has 5 entries for 7 inputs");
  auto wrong = ResponderSession::StartForTesting((*initiator)->StartMessage(), ys, Responder(),
                                                 Fixed("b", IdentityOrder(7), IdentityOrder(7)));
  ASSERT_FALSE(wrong);
  ExpectError(wrong.error(), ErrorCode::kInvalidArgument, "permutation has 7 entries for 5 inputs");
}

}  // namespace
}  // namespace inbeeld::node::psi
