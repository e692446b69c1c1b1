// Tests for node/psi/session.cc: both sides run in-process on synthetic lists
// and must learn exactly the plain set intersection (and nothing in count
// mode); every hostile message is rejected with its own error.
#include "node/psi/session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "crypto/bytes.h"
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

InitiatorParams MatchParams(uint8_t mask = wire::kAllLabels) {
  InitiatorParams p;
  p.mode = wire::Mode::kMatch;
  p.purpose = "thuiszitterspact.afstemming";
  p.label_mask = mask;
  p.list_date = kInitiatorDate;
  p.threads = 2;
  return p;
}

InitiatorParams CountParams() {
  InitiatorParams p = MatchParams(0);
  p.mode = wire::Mode::kCount;
  return p;
}

ResponderParams Responder(uint8_t allowed = wire::kAllLabels) {
  ResponderParams p;
  p.allowed_label_mask = allowed;
  p.list_date = kResponderDate;
  p.threads = 2;
  return p;
}

struct RunResult {
  Outcome initiator;
  Outcome responder;
  std::string message2;
  std::string message3;
};

// The whole protocol with random secrets, as a node runs it.
Result<RunResult> RunAll(const ListPair& lists, const InitiatorParams& ip,
                         const ResponderParams& rp) {
  auto initiator = InitiatorSession::Create(MakeInputs(lists.initiator, kInitiatorSide), ip);
  if (!initiator) return std::unexpected(initiator.error());
  auto header = ResponderSession::PeekStart((*initiator)->StartMessage());
  if (!header) return std::unexpected(header.error());
  auto responder = ResponderSession::Start((*initiator)->StartMessage(),
                                           MakeInputs(lists.responder, kResponderSide), rp);
  if (!responder) return std::unexpected(responder.error());
  RunResult run;
  run.message2 = (*responder)->TakeStartResponse();
  auto message3 = (*initiator)->HandleStartResponse(run.message2);
  if (!message3) return std::unexpected(message3.error());
  run.message3 = *message3;
  auto finish = (*responder)->HandleFinish(*message3);
  if (!finish) return std::unexpected(finish.error());
  auto outcome = (*initiator)->HandleFinishResponse(finish->message);
  if (!outcome) return std::unexpected(outcome.error());
  run.initiator = std::move(*outcome);
  run.responder = std::move(finish->outcome);
  return run;
}

// Asserts that `outcome` is exactly the plain intersection of `own` with
// `peer`, with the peer's labels restricted to `mask`.
void ExpectMatches(const Outcome& outcome, const std::vector<std::string>& own,
                   const std::vector<std::string>& peer, int peer_side, uint8_t mask) {
  const std::map<uint32_t, uint32_t> expected = PlainIntersection(own, peer);
  EXPECT_EQ(outcome.overlap, expected.size());
  ASSERT_EQ(outcome.matches.size(), expected.size());
  auto it = expected.begin();
  for (const MatchedRecord& match : outcome.matches) {
    EXPECT_EQ(match.local_index, it->first);
    EXPECT_EQ(match.peer_labels, wire::RestrictLabels(LabelsFor(peer[it->second], peer_side), mask))
        << "local index " << match.local_index;
    ++it;
  }
}

// ------------------------------------------------------------- honest runs

struct SizeCase {
  size_t n_initiator;
  size_t n_responder;
  size_t common;
};

class MatchSizes : public ::testing::TestWithParam<SizeCase> {};

TEST_P(MatchSizes, EachSideLearnsExactlyThePlainIntersection) {
  const SizeCase c = GetParam();
  const ListPair lists = MakeListPair(c.n_initiator, c.n_responder, c.common, 7 + c.common);
  auto run = RunAll(lists, MatchParams(), Responder());
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->initiator.overlap, c.common);
  EXPECT_EQ(run->initiator.own_list_size, c.n_initiator);
  EXPECT_EQ(run->initiator.peer_list_size, c.n_responder);
  EXPECT_EQ(run->responder.own_list_size, c.n_responder);
  EXPECT_EQ(run->responder.peer_list_size, c.n_initiator);
  EXPECT_EQ(run->initiator.peer_list_date, kResponderDate);
  EXPECT_EQ(run->responder.peer_list_date, kInitiatorDate);
  EXPECT_EQ(run->initiator.label_mask, wire::kAllLabels);
  EXPECT_EQ(run->responder.label_mask, wire::kAllLabels);
  ExpectMatches(run->initiator, lists.initiator, lists.responder, kResponderSide, wire::kAllLabels);
  ExpectMatches(run->responder, lists.responder, lists.initiator, kInitiatorSide, wire::kAllLabels);
}

INSTANTIATE_TEST_SUITE_P(Sizes, MatchSizes,
                         ::testing::Values(SizeCase{40, 40, 0},   // disjoint
                                           SizeCase{40, 40, 40},  // equal sets
                                           SizeCase{1, 1, 1},     // one element, matching
                                           SizeCase{1, 1, 0},     // one element, not
                                           SizeCase{1, 30, 1},    // n_I ≠ n_R
                                           SizeCase{30, 1, 1}, SizeCase{45, 80, 20},
                                           SizeCase{80, 45, 20},
                                           SizeCase{300, 200, 150}));  // several chunks

TEST(Session, AgreedLabelsAreOfferedIntersectAllowed) {
  const ListPair lists = MakeListPair(30, 25, 10, 3);
  const uint8_t offered = wire::kLabelCategory | wire::kLabelSince | wire::kLabelPlan;  // 11
  const uint8_t allowed = wire::kLabelSince | wire::kLabelSchool | wire::kLabelPlan;    // 14
  const uint8_t agreed = wire::kLabelSince | wire::kLabelPlan;                          // 10
  auto run = RunAll(lists, MatchParams(offered), Responder(allowed));
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->initiator.label_mask, agreed);
  EXPECT_EQ(run->responder.label_mask, agreed);
  ExpectMatches(run->initiator, lists.initiator, lists.responder, kResponderSide, agreed);
  ExpectMatches(run->responder, lists.responder, lists.initiator, kInitiatorSide, agreed);
  for (const MatchedRecord& m : run->initiator.matches) {
    EXPECT_FALSE(m.peer_labels.category);
    EXPECT_FALSE(m.peer_labels.school);
  }
}

TEST(Session, NoAgreedLabelsStillGivesTheMatches) {
  const ListPair lists = MakeListPair(20, 20, 5, 4);
  auto run = RunAll(lists, MatchParams(wire::kLabelSchool), Responder(wire::kLabelPlan));
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->initiator.label_mask, 0);
  ExpectMatches(run->initiator, lists.initiator, lists.responder, kResponderSide, 0);
  ExpectMatches(run->responder, lists.responder, lists.initiator, kInitiatorSide, 0);
  auto message3 = wire::DecodeFinishRequest(run->message3, 100);
  ASSERT_TRUE(message3);
  EXPECT_TRUE(message3->labels.empty());
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
  EXPECT_THAT(refused.error().message, HasSubstr("input 0: label category is missing"));
}

TEST(Session, ResponderRefusesItsOwnDuplicateInputs) {
  const ListPair lists = MakeListPair(6, 6, 2, 15);
  auto initiator = InitiatorSession::Create(MakeInputs(lists.initiator, 0), MatchParams());
  ASSERT_TRUE(initiator);
  std::vector<PsiInput> inputs = MakeInputs(lists.responder, kResponderSide);
  inputs[4] = inputs[1];
  auto refused = ResponderSession::Start((*initiator)->StartMessage(), inputs, Responder());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(refused.error().message, HasSubstr("inputs 1 and 4 have the same identifier"));
}

TEST(Session, EmptyResponderListMatchesNothing) {
  const ListPair lists = MakeListPair(5, 0, 0, 6);
  auto run = RunAll(lists, MatchParams(), Responder());
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->initiator.overlap, 0u);
  EXPECT_TRUE(run->initiator.matches.empty());
  EXPECT_EQ(run->initiator.peer_list_size, 0u);
}

TEST(Session, ThreadCountDoesNotChangeTheResult) {
  const ListPair lists = MakeListPair(100, 90, 33, 8);
  for (unsigned threads : {1u, 3u, 7u}) {
    InitiatorParams ip = MatchParams();
    ip.threads = threads;
    ResponderParams rp = Responder();
    rp.threads = threads;
    auto run = RunAll(lists, ip, rp);
    ASSERT_TRUE(run) << run.error().message;
    ExpectMatches(run->initiator, lists.initiator, lists.responder, kResponderSide,
                  wire::kAllLabels);
    ExpectMatches(run->responder, lists.responder, lists.initiator, kInitiatorSide,
                  wire::kAllLabels);
  }
}

TEST(Session, CountModeRevealsOnlyTheOverlapAndSortsCAndD) {
  const ListPair lists = MakeListPair(60, 50, 17, 9);
  auto run = RunAll(lists, CountParams(), Responder());
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->initiator.mode, wire::Mode::kCount);
  EXPECT_EQ(run->initiator.overlap, 17u);
  EXPECT_EQ(run->responder.overlap, 17u);
  EXPECT_TRUE(run->initiator.matches.empty());
  // The responder's outcome holds no per-record data at all.
  EXPECT_TRUE(run->responder.matches.empty());
  EXPECT_EQ(run->responder.label_mask, 0);
  EXPECT_EQ(run->initiator.label_mask, 0);

  auto message2 = wire::DecodeStartResponse(run->message2, 1000);
  ASSERT_TRUE(message2);
  EXPECT_TRUE(IsSortedStrictly(message2->c));
  EXPECT_FALSE(IsSortedStrictly(message2->b));  // B keeps its random order
  auto message3 = wire::DecodeFinishRequest(run->message3, 1000);
  ASSERT_TRUE(message3);
  EXPECT_TRUE(IsSortedStrictly(message3->d));
  EXPECT_TRUE(message3->labels.empty());
}

TEST(Session, CountModeIgnoresTheLabelMask) {
  const ListPair lists = MakeListPair(10, 10, 3, 14);
  InitiatorParams count = CountParams();
  count.label_mask = wire::kAllLabels;
  auto run = RunAll(lists, count, Responder());
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->initiator.label_mask, 0);
  EXPECT_EQ(run->initiator.overlap, 3u);
  EXPECT_TRUE(run->initiator.matches.empty());
  auto header = ResponderSession::PeekStart(
      InitiatorSession::Create(MakeInputs(lists.initiator, 0), count).value()->StartMessage());
  ASSERT_TRUE(header);
  EXPECT_EQ(header->label_mask, 0);
}

TEST(Session, CountModeEdgeSizes) {
  for (SizeCase c :
       {SizeCase{1, 1, 1}, SizeCase{1, 1, 0}, SizeCase{20, 20, 20}, SizeCase{20, 5, 0}}) {
    const ListPair lists = MakeListPair(c.n_initiator, c.n_responder, c.common, 10);
    auto run = RunAll(lists, CountParams(), Responder());
    ASSERT_TRUE(run) << run.error().message;
    EXPECT_EQ(run->initiator.overlap, c.common);
    EXPECT_EQ(run->responder.overlap, c.common);
  }
}

TEST(Session, FreshScalarAndSessionIdEachTime) {
  const ListPair lists = MakeListPair(8, 8, 8, 11);
  auto one = InitiatorSession::Create(MakeInputs(lists.initiator, 0), MatchParams());
  auto two = InitiatorSession::Create(MakeInputs(lists.initiator, 0), MatchParams());
  ASSERT_TRUE(one && two);
  EXPECT_NE((*one)->session_id(), (*two)->session_id());
  auto a1 = wire::DecodeStartRequest((*one)->StartMessage(), 100);
  auto a2 = wire::DecodeStartRequest((*two)->StartMessage(), 100);
  ASSERT_TRUE(a1 && a2);
  const std::vector<wire::PointBytes> a1_points = ToVector(a1->a);
  const std::set<wire::PointBytes> first(a1_points.begin(), a1_points.end());
  for (const auto& p : ToVector(a2->a)) EXPECT_FALSE(first.contains(p));
}

TEST(Session, InputsAreShuffledBeforeBlinding) {
  // With a known scalar and the identity order, A lists the inputs in order;
  // Create() must not.
  const ListPair lists = MakeListPair(64, 1, 0, 12);
  const crypto::Scalar a = ScalarFromLabel("shuffle test");
  auto fixed = InitiatorSession::CreateForTesting(
      MakeInputs(lists.initiator, 0), MatchParams(),
      Determinism{CountingSessionId(), a.Clone(), IdentityOrder(64)});
  ASSERT_TRUE(fixed);
  auto decoded = wire::DecodeStartRequest((*fixed)->StartMessage(), 100);
  ASSERT_TRUE(decoded);
  const uint8_t* dst = reinterpret_cast<const uint8_t*>(kHashToGroupDst.data());
  for (size_t k = 0; k < 64; ++k) {
    auto h = crypto::Point::HashToGroup(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(lists.initiator[k].data()), 9),
        std::span<const uint8_t>(dst, kHashToGroupDst.size()));
    ASSERT_TRUE(h);
    auto blinded = h->Multiply(a);
    ASSERT_TRUE(blinded);
    EXPECT_TRUE(std::equal(decoded->a[k].begin(), decoded->a[k].end(), blinded->Encode().begin()));
  }
  // RandomPermutation: a permutation, and not the same one twice in a row.
  const std::vector<uint32_t> p1 = RandomPermutation(64);
  const std::vector<uint32_t> p2 = RandomPermutation(64);
  EXPECT_TRUE(CheckPermutation(p1, 64));
  EXPECT_TRUE(CheckPermutation(p2, 64));
  EXPECT_NE(p1, p2);
  EXPECT_NE(p1, IdentityOrder(64));
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
  expect_error({}, MatchParams(), "empty");
  std::vector<PsiInput> bad = MakeInputs(lists.initiator, 0);
  bad[2].digits[4] = 'x';
  expect_error(bad, MatchParams(), "input 2: identifier is not 9 ASCII digits");
  std::vector<PsiInput> twice = MakeInputs(lists.initiator, 0);
  twice[3] = twice[1];
  expect_error(twice, MatchParams(), "inputs 1 and 3 have the same identifier");
  InitiatorParams purpose = MatchParams();
  purpose.purpose = "Has Spaces";
  expect_error(MakeInputs(lists.initiator, 0), purpose, "purpose");
  std::vector<PsiInput> no_school = MakeInputs(lists.initiator, 0);
  no_school[0].labels.school.reset();
  expect_error(no_school, MatchParams(), "input 0: label school is missing");
  std::vector<PsiInput> bad_school = MakeInputs(lists.initiator, 0);
  bad_school[1].labels.school = "12ab";
  expect_error(bad_school, MatchParams(), "input 1: label school");
  InitiatorParams date = MatchParams();
  date.list_date = {2026, 2, 30};
  expect_error(MakeInputs(lists.initiator, 0), date, "list date");
  auto wrong_order = InitiatorSession::CreateForTesting(
      MakeInputs(lists.initiator, 0), MatchParams(),
      Determinism{CountingSessionId(), ScalarFromLabel("x"), {0, 1, 1, 2}});
  ASSERT_FALSE(wrong_order);
  EXPECT_THAT(wrong_order.error().message, HasSubstr("not a permutation"));
}

// --------------------------------------------------------- hostile messages

// A deterministic exchange (identity orders, so position = local index) that
// tests drive step by step and tamper with.
class Hostile : public ::testing::Test {
 protected:
  // Initiator: ids 0..9; responder: ids 5..14 (initiator 5..9 = responder 0..4).
  void SetUp() override { Begin(MatchParams(), Responder()); }

  void Begin(InitiatorParams ip, ResponderParams rp) {
    std::vector<std::string> ids = DistinctBsns(15, 99);
    lists_.initiator.assign(ids.begin(), ids.begin() + 10);
    lists_.responder.assign(ids.begin() + 5, ids.end());
    auto initiator = InitiatorSession::CreateForTesting(
        MakeInputs(lists_.initiator, kInitiatorSide), ip,
        Determinism{CountingSessionId(), ScalarFromLabel("a"), IdentityOrder(10)});
    ASSERT_TRUE(initiator) << initiator.error().message;
    initiator_ = std::move(*initiator);
    message1_ = initiator_->StartMessage();
    auto responder = ResponderSession::StartForTesting(
        message1_, MakeInputs(lists_.responder, kResponderSide), rp,
        Determinism{CountingSessionId(), ScalarFromLabel("b"), IdentityOrder(10)});
    ASSERT_TRUE(responder) << responder.error().message;
    responder_ = std::move(*responder);
    message2_ = responder_->StartResponse();
  }

  // A second responder on the same message 1, for replays of message 3.
  std::unique_ptr<ResponderSession> NewResponder(const std::string& message1) {
    auto responder = ResponderSession::StartForTesting(
        message1, MakeInputs(lists_.responder, kResponderSide), Responder(),
        Determinism{CountingSessionId(), ScalarFromLabel("b"), IdentityOrder(10)});
    EXPECT_TRUE(responder) << responder.error().message;
    return responder ? std::move(*responder) : nullptr;
  }

  std::string Message3() {
    auto m3 = initiator_->HandleStartResponse(message2_);
    EXPECT_TRUE(m3) << m3.error().message;
    return m3 ? *m3 : std::string();
  }

  static void ExpectError(const Error& error, ErrorCode code, std::string_view text) {
    EXPECT_EQ(error.code, code) << error.message;
    EXPECT_THAT(error.message, HasSubstr(std::string(text)));
  }

  // Re-encodes message 1 with A replaced.
  std::string WithA(std::vector<wire::PointBytes> a) {
    auto m = wire::DecodeStartRequest(message1_, 1000);
    EXPECT_TRUE(m);
    wire::StartHeader h = m->header;
    h.list_size = static_cast<uint32_t>(a.size());
    return wire::EncodeStartRequest(h, a);
  }
  std::vector<wire::PointBytes> A() {
    return ToVector(wire::DecodeStartRequest(message1_, 1000)->a);
  }

  std::string WithBC(std::vector<wire::PointBytes> b, std::vector<wire::PointBytes> c,
                     std::optional<uint8_t> mask = std::nullopt,
                     std::optional<wire::SessionId> id = std::nullopt) {
    auto m = wire::DecodeStartResponse(message2_, 1000);
    EXPECT_TRUE(m);
    return wire::EncodeStartResponse(id.value_or(m->session_id), mask.value_or(m->label_mask),
                                     m->list_date, b, c);
  }
  std::vector<wire::PointBytes> B() {
    return ToVector(wire::DecodeStartResponse(message2_, 1000)->b);
  }
  std::vector<wire::PointBytes> C() {
    return ToVector(wire::DecodeStartResponse(message2_, 1000)->c);
  }

  Result<ResponderSession::Finish> FinishWith(
      const std::string& message3, std::optional<std::vector<wire::LabelEntry>> entries,
      std::optional<uint8_t> mask = std::nullopt,
      std::optional<std::vector<wire::PointBytes>> d = std::nullopt,
      std::optional<wire::SessionId> id = std::nullopt) {
    auto m = wire::DecodeFinishRequest(message3, 1000);
    EXPECT_TRUE(m);
    std::string forged =
        wire::EncodeFinishRequest(id.value_or(m->session_id), mask.value_or(m->label_mask),
                                  d.value_or(ToVector(m->d)), entries.value_or(m->labels));
    return responder_->HandleFinish(forged);
  }

  ListPair lists_;
  std::unique_ptr<InitiatorSession> initiator_;
  std::unique_ptr<ResponderSession> responder_;
  std::string message1_;
  std::string message2_;
};

TEST_F(Hostile, HonestDeterministicRunMatchesRecords5To9) {
  const std::string m3 = Message3();
  auto finish = responder_->HandleFinish(m3);
  ASSERT_TRUE(finish) << finish.error().message;
  auto outcome = initiator_->HandleFinishResponse(finish->message);
  ASSERT_TRUE(outcome) << outcome.error().message;
  ASSERT_EQ(outcome->matches.size(), 5u);
  for (uint32_t k = 0; k < 5; ++k) {
    EXPECT_EQ(outcome->matches[k].local_index, 5 + k);
    EXPECT_EQ(finish->outcome.matches[k].local_index, k);
  }
}

TEST_F(Hostile, StartRequestIdentityPoint) {
  auto a = A();
  a[3] = {};
  auto r = ResponderSession::Start(WithA(a), MakeInputs(lists_.responder, 1), Responder());
  ASSERT_FALSE(r);
  ExpectError(r.error(), ErrorCode::kInvalidArgument,
              "StartRequest: point 3 of list A: point is the identity element");
}

TEST_F(Hostile, StartRequestAllOnesPoint) {
  auto a = A();
  a[0].fill(0xff);
  auto r = ResponderSession::Start(WithA(a), MakeInputs(lists_.responder, 1), Responder());
  ASSERT_FALSE(r);
  ExpectError(r.error(), ErrorCode::kInvalidArgument,
              "StartRequest: point 0 of list A: point is not a canonical ristretto255 encoding");
}

// Every invalid encoding of RFC 9496 A.2, in A, in B, in C and in D.
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

TEST_F(Hostile, Rfc9496InvalidEncodingsAreRejectedEverywhere) {
  const std::vector<std::string> invalid = InvalidEncodings();
  ASSERT_GE(invalid.size(), 10u);  // the RFC lists 32 (some files list fewer categories)
  const std::string m3 = Message3();
  for (const std::string& hex : invalid) {
    SCOPED_TRACE(hex);
    const wire::PointBytes p = FromHex(hex);
    auto a = A();
    a[4] = p;
    auto r = ResponderSession::Start(WithA(a), MakeInputs(lists_.responder, 1), Responder());
    ASSERT_FALSE(r);
    ExpectError(r.error(), ErrorCode::kInvalidArgument, "point 4 of list A: point is");

    for (int list = 0; list < 2; ++list) {
      auto initiator = InitiatorSession::CreateForTesting(
          MakeInputs(lists_.initiator, 0), MatchParams(),
          Determinism{CountingSessionId(), ScalarFromLabel("a"), IdentityOrder(10)});
      auto b = B();
      auto c = C();
      (list == 0 ? b : c)[6] = p;
      auto m3x = (*initiator)->HandleStartResponse(WithBC(b, c));
      ASSERT_FALSE(m3x);
      ExpectError(m3x.error(), ErrorCode::kInvalidArgument,
                  list == 0 ? "point 6 of list B: point is" : "point 6 of list C: point is");
    }

    auto responder = NewResponder(message1_);
    auto m = wire::DecodeFinishRequest(m3, 1000);
    auto d = ToVector(m->d);
    d[2] = p;
    auto f = responder->HandleFinish(
        wire::EncodeFinishRequest(m->session_id, m->label_mask, d, m->labels));
    ASSERT_FALSE(f);
    ExpectError(f.error(), ErrorCode::kInvalidArgument, "point 2 of list D: point is");
  }
}

TEST_F(Hostile, StartRequestDuplicatePoint) {
  auto a = A();
  a[7] = a[2];
  auto r = ResponderSession::Start(WithA(a), MakeInputs(lists_.responder, 1), Responder());
  ASSERT_FALSE(r);
  ExpectError(r.error(), ErrorCode::kInvalidArgument,
              "StartRequest: list A holds the same point at positions 2 and 7");
}

TEST_F(Hostile, StartRequestOverTheLimit) {
  ResponderParams rp = Responder();
  rp.max_peer_list_size = 9;
  auto r = ResponderSession::Start(message1_, MakeInputs(lists_.responder, 1), rp);
  ASSERT_FALSE(r);
  ExpectError(r.error(), ErrorCode::kResourceExhausted, "more than the limit of 9");
}

TEST_F(Hostile, StartRequestEmptyList) {
  auto r = ResponderSession::Start(WithA({}), MakeInputs(lists_.responder, 1), Responder());
  ASSERT_FALSE(r);
  ExpectError(r.error(), ErrorCode::kInvalidArgument, "StartRequest: list A is empty");
}

TEST_F(Hostile, StartResponseIdentityAndDuplicates) {
  {
    auto b = B();
    b[1] = {};
    auto m = initiator_->HandleStartResponse(WithBC(b, C()));
    ASSERT_FALSE(m);
    ExpectError(m.error(), ErrorCode::kInvalidArgument,
                "StartResponse: point 1 of list B: point is the identity element");
  }
  Begin(MatchParams(), Responder());
  {
    auto b = B();
    b[8] = b[3];
    auto m = initiator_->HandleStartResponse(WithBC(b, C()));
    ASSERT_FALSE(m);
    ExpectError(m.error(), ErrorCode::kInvalidArgument,
                "StartResponse: list B holds the same point at positions 3 and 8");
  }
  Begin(MatchParams(), Responder());
  {
    auto c = C();
    c[9] = c[0];
    auto m = initiator_->HandleStartResponse(WithBC(B(), c));
    ASSERT_FALSE(m);
    ExpectError(m.error(), ErrorCode::kInvalidArgument,
                "StartResponse: list C holds the same point at positions 0 and 9");
  }
}

TEST_F(Hostile, StartResponseWrongCountsAndMask) {
  {
    auto c = C();
    c.resize(3);
    auto m = initiator_->HandleStartResponse(WithBC(B(), c));
    ASSERT_FALSE(m);
    ExpectError(m.error(), ErrorCode::kInvalidArgument,
                "StartResponse: point list C has 3 entries, expected 10");
  }
  InitiatorParams limited = MatchParams(wire::kLabelCategory);
  limited.max_peer_list_size = 9;
  Begin(limited, Responder());
  {
    auto m = initiator_->HandleStartResponse(message2_);
    ASSERT_FALSE(m);
    ExpectError(m.error(), ErrorCode::kResourceExhausted, "point list B has 10 entries");
  }
  Begin(MatchParams(wire::kLabelCategory), Responder());
  {
    auto m = initiator_->HandleStartResponse(WithBC(B(), C(), wire::kAllLabels));
    ASSERT_FALSE(m);
    ExpectError(m.error(), ErrorCode::kInvalidArgument,
                "StartResponse: agreed label mask 15 includes labels that were not offered");
  }
  Begin(MatchParams(), Responder());
  {
    wire::SessionId other = CountingSessionId();
    other[0] ^= 1;
    auto m = initiator_->HandleStartResponse(WithBC(B(), C(), std::nullopt, other));
    ASSERT_FALSE(m);
    ExpectError(m.error(), ErrorCode::kInvalidArgument, "StartResponse: session id does not match");
  }
}

TEST_F(Hostile, FinishRequestLabelsForANonMatchingIndex) {
  const std::string m3 = Message3();
  auto m = wire::DecodeFinishRequest(m3, 1000);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->labels.size(), 5u);  // responder positions 0..4 matched
  std::vector<wire::LabelEntry> entries = m->labels;
  entries.push_back(wire::LabelEntry{7, entries.back().labels});  // position 7 did not match
  auto f = FinishWith(m3, entries);
  ASSERT_FALSE(f);
  ExpectError(f.error(), ErrorCode::kInvalidArgument,
              "FinishRequest: label entry 5: index 7 is not a record that matched");
}

TEST_F(Hostile, FinishRequestDuplicateAndOutOfRangeIndex) {
  const std::string m3 = Message3();
  auto m = wire::DecodeFinishRequest(m3, 1000);
  std::vector<wire::LabelEntry> dup = m->labels;
  dup[2].index = dup[1].index;
  auto f = FinishWith(m3, dup);
  ASSERT_FALSE(f);
  ExpectError(f.error(), ErrorCode::kInvalidArgument, "duplicate label index 1");

  responder_ = NewResponder(message1_);
  std::vector<wire::LabelEntry> far = m->labels;
  far.back().index = 10;
  f = FinishWith(m3, far);
  ASSERT_FALSE(f);
  ExpectError(f.error(), ErrorCode::kInvalidArgument,
              "label entry 4: index 10 is out of range (list B has 10 points)");

  responder_ = NewResponder(message1_);
  std::vector<wire::LabelEntry> fewer = m->labels;
  fewer.pop_back();
  f = FinishWith(m3, fewer);
  ASSERT_FALSE(f);
  ExpectError(f.error(), ErrorCode::kInvalidArgument, "4 label entries, expected 5");
}

TEST_F(Hostile, FinishRequestLabelsOutsideTheAgreedMask) {
  Begin(MatchParams(), Responder(wire::kLabelCategory));  // agreed: category only
  const std::string m3 = Message3();
  auto m = wire::DecodeFinishRequest(m3, 1000);
  ASSERT_EQ(m->label_mask, wire::kLabelCategory);
  std::vector<wire::LabelEntry> entries = m->labels;
  for (auto& e : entries) e.labels = LabelsFor(lists_.initiator[5 + e.index], 0);
  auto f = FinishWith(m3, entries, wire::kAllLabels);
  ASSERT_FALSE(f);
  ExpectError(f.error(), ErrorCode::kInvalidArgument,
              "FinishRequest: label mask 15 is not the agreed mask 1");
}

TEST_F(Hostile, FinishRequestPointProblems) {
  const std::string m3 = Message3();
  auto m = wire::DecodeFinishRequest(m3, 1000);
  auto d = ToVector(m->d);
  auto short_d = d;
  short_d.resize(3);
  auto f = FinishWith(m3, std::nullopt, std::nullopt, short_d);
  ASSERT_FALSE(f);
  ExpectError(f.error(), ErrorCode::kInvalidArgument,
              "FinishRequest: point list D has 3 entries, expected 10");

  responder_ = NewResponder(message1_);
  auto identity = d;
  identity[5] = {};
  f = FinishWith(m3, std::nullopt, std::nullopt, identity);
  ASSERT_FALSE(f);
  ExpectError(f.error(), ErrorCode::kInvalidArgument,
              "FinishRequest: point 5 of list D: point is the identity element");

  responder_ = NewResponder(message1_);
  auto dup = d;
  dup[9] = dup[6];  // neither matched, so only the duplicate check can see it
  f = FinishWith(m3, std::nullopt, std::nullopt, dup);
  ASSERT_FALSE(f);
  ExpectError(f.error(), ErrorCode::kInvalidArgument,
              "FinishRequest: list D holds the same point at positions 6 and 9");
}

TEST_F(Hostile, FinishRequestWrongSessionIdAndReplay) {
  const std::string m3 = Message3();
  wire::SessionId other = CountingSessionId();
  other[15] ^= 0x80;
  auto f = FinishWith(m3, std::nullopt, std::nullopt, std::nullopt, other);
  ASSERT_FALSE(f);
  ExpectError(f.error(), ErrorCode::kInvalidArgument, "FinishRequest: session id does not match");
  // The rejected message left the session failed: even the honest one is refused now.
  auto after = responder_->HandleFinish(m3);
  ASSERT_FALSE(after);
  ExpectError(after.error(), ErrorCode::kFailedPrecondition, "the session failed earlier");

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
  ASSERT_EQ(m4->labels.size(), 5u);  // initiator positions 5..9

  auto retry = [&](const std::string& forged, ErrorCode code, std::string_view text) {
    auto initiator = InitiatorSession::CreateForTesting(
        MakeInputs(lists_.initiator, 0), MatchParams(),
        Determinism{CountingSessionId(), ScalarFromLabel("a"), IdentityOrder(10)});
    ASSERT_TRUE((*initiator)->HandleStartResponse(message2_));
    auto outcome = (*initiator)->HandleFinishResponse(forged);
    ASSERT_FALSE(outcome) << text;
    ExpectError(outcome.error(), code, text);
  };
  auto entries = m4->labels;
  entries[0].index = 2;  // initiator position 2 did not match
  retry(wire::EncodeFinishResponse(m4->session_id, 5, m4->label_mask, entries),
        ErrorCode::kInvalidArgument,
        "FinishResponse: label entry 0: index 2 is not a record that matched");
  entries = m4->labels;
  entries.back().index = 12;
  retry(wire::EncodeFinishResponse(m4->session_id, 5, m4->label_mask, entries),
        ErrorCode::kInvalidArgument, "index 12 is out of range");
  retry(wire::EncodeFinishResponse(m4->session_id, 6, m4->label_mask, m4->labels),
        ErrorCode::kInvalidArgument, "FinishResponse: overlap 6 differs from the 5 computed here");
  wire::SessionId other = CountingSessionId();
  other[3] = 0xee;
  retry(wire::EncodeFinishResponse(other, 5, m4->label_mask, m4->labels),
        ErrorCode::kInvalidArgument, "FinishResponse: session id does not match");
  retry(wire::EncodeFinishResponse(m4->session_id, 5, 0, {}), ErrorCode::kInvalidArgument,
        "FinishResponse: label mask 0 is not the agreed mask 15");
  retry(finish->message + "x", ErrorCode::kInvalidArgument, "trailing");
}

TEST_F(Hostile, WrongStateAndOrder) {
  // Message 4 before message 2.
  auto early = initiator_->HandleFinishResponse("INBL\x01\x04");
  ASSERT_FALSE(early);
  ExpectError(early.error(), ErrorCode::kFailedPrecondition, "message 2 has not been handled yet");

  Begin(MatchParams(), Responder());
  const std::string m3 = Message3();
  auto twice = initiator_->HandleStartResponse(message2_);
  ASSERT_FALSE(twice);
  ExpectError(twice.error(), ErrorCode::kFailedPrecondition, "message 2 was already handled");

  // A message of the wrong type is malformed, whatever the state.
  Begin(MatchParams(), Responder());
  auto swapped = responder_->HandleFinish(message2_);
  ASSERT_FALSE(swapped);
  ExpectError(swapped.error(), ErrorCode::kInvalidArgument, "message type 2 at byte 5, expected 3");

  // A rejected message 2 fails the session: the honest one is then refused.
  Begin(MatchParams(), Responder());
  ASSERT_FALSE(initiator_->HandleStartResponse(message2_.substr(0, 40)));
  auto after = initiator_->HandleStartResponse(message2_);
  ASSERT_FALSE(after);
  ExpectError(after.error(), ErrorCode::kFailedPrecondition, "failed earlier");
}

TEST_F(Hostile, TruncatedMessagesNeverCrash) {
  for (size_t n = 0; n < message1_.size(); ++n) {
    EXPECT_FALSE(ResponderSession::PeekStart(message1_.substr(0, n))) << n;
    EXPECT_FALSE(ResponderSession::Start(message1_.substr(0, n), MakeInputs(lists_.responder, 1),
                                         Responder()))
        << n;
  }
  for (size_t n = 0; n < message2_.size(); ++n) {
    auto initiator = InitiatorSession::CreateForTesting(
        MakeInputs(lists_.initiator, 0), MatchParams(),
        Determinism{CountingSessionId(), ScalarFromLabel("a"), IdentityOrder(10)});
    auto m = (*initiator)->HandleStartResponse(message2_.substr(0, n));
    ASSERT_FALSE(m) << n;
    EXPECT_EQ(m.error().code, ErrorCode::kInvalidArgument) << n;
  }
  const std::string m3 = Message3();
  for (size_t n = 0; n < m3.size(); ++n) {
    auto responder = NewResponder(message1_);
    auto f = responder->HandleFinish(m3.substr(0, n));
    ASSERT_FALSE(f) << n;
    EXPECT_EQ(f.error().code, ErrorCode::kInvalidArgument) << n;
  }
}

TEST(HostileCount, UnsortedListsInCountMode) {
  const ListPair lists = MakeListPair(12, 12, 6, 21);
  auto make = [&] {
    return std::move(*InitiatorSession::CreateForTesting(
        MakeInputs(lists.initiator, 0), CountParams(),
        Determinism{CountingSessionId(), ScalarFromLabel("a"), IdentityOrder(12)}));
  };
  auto initiator = make();
  auto responder = ResponderSession::StartForTesting(
      initiator->StartMessage(), MakeInputs(lists.responder, 1), Responder(),
      Determinism{CountingSessionId(), ScalarFromLabel("b"), IdentityOrder(12)});
  ASSERT_TRUE(responder);
  const std::string m2 = (*responder)->StartResponse();
  auto decoded2 = wire::DecodeStartResponse(m2, 100);
  auto c = ToVector(decoded2->c);
  std::swap(c[3], c[4]);
  auto m = initiator->HandleStartResponse(wire::EncodeStartResponse(
      decoded2->session_id, 0, decoded2->list_date, ToVector(decoded2->b), c));
  ASSERT_FALSE(m);
  EXPECT_THAT(m.error().message,
              HasSubstr("StartResponse: list C is not sorted bytewise (count mode), first out of "
                        "order at position 4"));

  initiator = make();
  auto m3 = initiator->HandleStartResponse(m2);
  ASSERT_TRUE(m3) << m3.error().message;
  auto decoded3 = wire::DecodeFinishRequest(*m3, 100);
  auto d = ToVector(decoded3->d);
  std::swap(d[0], d[11]);
  auto f = (*responder)->HandleFinish(wire::EncodeFinishRequest(decoded3->session_id, 0, d, {}));
  ASSERT_FALSE(f);
  EXPECT_THAT(f.error().message, HasSubstr("FinishRequest: list D is not sorted bytewise"));

  // Labels in count mode: the agreed mask is 0, so a mask is refused first.
  auto responder2 = ResponderSession::StartForTesting(
      initiator->StartMessage(), MakeInputs(lists.responder, 1), Responder(),
      Determinism{CountingSessionId(), ScalarFromLabel("b"), IdentityOrder(12)});
  auto f2 =
      (*responder2)
          ->HandleFinish(wire::EncodeFinishRequest(decoded3->session_id, 0, ToVector(decoded3->d),
                                                   std::vector<wire::LabelEntry>{{0, {}}}));
  ASSERT_FALSE(f2);
  EXPECT_THAT(f2.error().message, HasSubstr("count mode carries no label entries"));
}

}  // namespace
}  // namespace inbeeld::node::psi
