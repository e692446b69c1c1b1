// The regional count's protocol objects (node/region/session.h) without a
// node, a store or a transport: an honest count among three and among
// sixteen sessions in memory, and every message in the wrong state refused
// with kFailedPrecondition, leaving the session failed. The participant
// behind HTTP bodies is region_hostile_test.cc; whole nodes are
// region_local_test.cc and region_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "crypto/bytes.h"
#include "node/region/session.h"
#include "schema/match_keys.h"
#include "schema/region_wire.h"
#include "schema/wire.h"

namespace inbeeld::node::region {
namespace {

using ::testing::HasSubstr;
namespace rw = schema::region_wire;
using State = ParticipantSession::State;

const std::string kSession(32, 'a');  // hex of kSessionId
const rw::SessionId kSessionId = [] {
  rw::SessionId id;
  id.fill(0xAA);
  return id;
}();
constexpr uint8_t kPgn = schema::kKeyTypePgn;  // one slot a child

// A list of children by key ("" for a child without one) and category code.
OwnList List(const std::vector<std::pair<std::string, uint8_t>>& children) {
  OwnList list;
  list.k = 1;
  for (const auto& [key, category] : children) {
    list.keys.push_back(key.empty() ? std::nullopt : std::optional<std::string>(key));
    list.categories.push_back(category);
  }
  return list;
}

CoordinatorSession::Params CoordinatorParams(size_t n, unsigned threads = 1) {
  CoordinatorSession::Params p;
  p.session = kSessionId;
  p.purpose = "thuiszitters-afstemming";
  for (size_t i = 0; i < n; ++i) {
    p.names.push_back("n" + std::to_string(i));
    rw::KeyBytes key;
    key.fill(static_cast<uint8_t>(i));
    p.keys.push_back(key);
    p.max_set_size.push_back(1000);
  }
  p.key_mask = kPgn;
  p.threads = threads;
  return p;
}

// The round and sets of a hop body, as the participant's caller decodes them.
std::pair<int, std::vector<BlindedSet>> Decode(const std::string& body, size_t n) {
  auto hop = rw::DecodeHop(body, 1000);
  EXPECT_TRUE(hop) << hop.error().message;
  if (!hop) return {0, {}};
  EXPECT_EQ(hop->header.participants.size(), n);
  EXPECT_EQ(hop->header.session_id, kSessionId);
  auto sets = CheckedSets(hop->sets, 1, 1);
  EXPECT_TRUE(sets) << sets.error().message;
  return {hop->header.round, sets ? std::move(*sets) : std::vector<BlindedSet>()};
}

// Runs a whole count: the coordinator with lists[0], a participant a list.
struct CountRun {
  std::unique_ptr<CoordinatorSession> coordinator;
  std::map<size_t, std::unique_ptr<ParticipantSession>> participants;
};

CountRun Count(const std::vector<OwnList>& lists, unsigned threads) {
  const size_t n = lists.size();
  CountRun run;
  auto c = CoordinatorSession::Create(CoordinatorParams(n, threads), lists[0]);
  EXPECT_TRUE(c) << c.error().message;
  if (!c) return run;
  run.coordinator = std::move(*c);
  while (run.coordinator->state() == CoordinatorSession::State::kHop) {
    auto hop = run.coordinator->NextHop();
    EXPECT_TRUE(hop) << hop.error().message;
    if (!hop) return run;
    auto& p = run.participants[hop->to];
    if (!p) {
      p = std::make_unique<ParticipantSession>(
          ParticipantSession::Params{kSessionId, n, hop->to, threads}, lists[hop->to]);
    }
    auto [round, sets] = Decode(hop->body, n);
    auto reply = p->HandleHop(round, std::move(sets));
    EXPECT_TRUE(reply) << reply.error().message;
    if (!reply) return run;
    auto ok = run.coordinator->HandleReply(*reply);
    EXPECT_TRUE(ok) << ok.error().message;
    if (!ok) return run;
  }
  return run;
}

TEST(RegionSession, AnHonestCountOfThreeGivesTheFiguresOfTheLists) {
  // a b c | b c d | c e, one without a key on the last list.
  const std::vector<OwnList> lists = {List({{"a", 1}, {"b", 2}, {"c", 3}}),
                                      List({{"b", 4}, {"c", 4}, {"d", 2}}),
                                      List({{"c", 1}, {"e", 4}, {"", 3}})};
  for (unsigned threads : {1u, 2u}) {
    CountRun run = Count(lists, threads);
    ASSERT_TRUE(run.coordinator);
    ASSERT_EQ(run.coordinator->state(), CoordinatorSession::State::kResult);
    auto counts = run.coordinator->Counts();
    ASSERT_TRUE(counts) << counts.error().message;
    EXPECT_EQ(counts->session, kSession);
    EXPECT_EQ(counts->participants, (std::vector<std::string>{"n0", "n1", "n2"}));
    EXPECT_EQ(counts->list_sizes, (std::vector<uint64_t>{3, 3, 3}));
    EXPECT_EQ(counts->distinct, 6u);     // a b c d e and the child without a key
    EXPECT_EQ(counts->single_list, 4u);  // a d e and the child without a key
    // By the first list holding the child: a 1, b 2, c 3, d 2, e 4, keyless 3.
    EXPECT_EQ(counts->by_category, (std::vector<uint64_t>{1, 2, 2, 1}));
    // Participant 1 blinded in both rounds, participant 2 (the last) only in round 1.
    for (auto& [index, p] : run.participants) {
      EXPECT_EQ(p->state(), State::kResult) << index;
      EXPECT_TRUE(p->HandleResult(*counts)) << index;
      EXPECT_EQ(p->state(), State::kDone) << index;
    }
    auto message = run.coordinator->ResultMessage();
    ASSERT_TRUE(message);
    auto result = rw::DecodeResult(*message);
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result->session_id, kSessionId);
    EXPECT_EQ(result->distinct, 6u);
    EXPECT_EQ(result->single_list, 4u);
    EXPECT_EQ(result->by_category, (std::array<uint64_t, 4>{1, 2, 2, 1}));
    EXPECT_EQ(result->list_sizes, (std::vector<uint64_t>{3, 3, 3}));
    EXPECT_EQ(result->participants, (std::vector<std::string>{"n0", "n1", "n2"}));
  }
}

TEST(RegionSession, SixteenNodesEveryChildOnEveryOtherList) {
  // Child c_j is on list i when (i + j) is even: 8 lists each hold every
  // even child, 8 every odd one; each child is on 8 lists.
  std::vector<OwnList> lists;
  for (size_t i = 0; i < kMaxRegionNodes; ++i) {
    std::vector<std::pair<std::string, uint8_t>> children;
    for (size_t j = 0; j < 20; ++j) {
      if ((i + j) % 2 == 0) children.push_back({"c" + std::to_string(j), 1});
    }
    lists.push_back(List(children));
  }
  CountRun run = Count(lists, 2);
  ASSERT_TRUE(run.coordinator);
  auto counts = run.coordinator->Counts();
  ASSERT_TRUE(counts) << counts.error().message;
  EXPECT_EQ(counts->distinct, 20u);
  EXPECT_EQ(counts->single_list, 0u);
  EXPECT_EQ(counts->list_sizes, std::vector<uint64_t>(kMaxRegionNodes, 10));
}

void ExpectFailed(const Status& s, ErrorCode code, std::string_view text) {
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, code) << s.error().message;
  EXPECT_THAT(s.error().message, HasSubstr(std::string(text)));
}

template <typename T>
Status AsStatus(const Result<T>& r) {
  if (r) return {};
  return std::unexpected(r.error());
}

std::vector<BlindedSet> OneSetFrom(size_t origin, std::set<size_t> blinded_by) {
  BlindedSet s;
  s.origin = origin;
  s.blinded_by = std::move(blinded_by);
  s.k = 1;
  const std::string text = "a point " + std::to_string(origin);
  s.points.push_back(crypto::Point::HashToGroup(
                         std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()),
                         std::span(reinterpret_cast<const uint8_t*>("t"), 1))
                         ->Encode());
  s.categories.push_back(1);
  return {std::move(s)};
}

TEST(RegionSession, AParticipantRefusesMessagesInTheWrongStateAndStaysFailed) {
  auto fresh = [] {
    return std::make_unique<ParticipantSession>(ParticipantSession::Params{kSessionId, 3, 1, 1},
                                                List({{"x", 1}, {"y", 2}}));
  };
  RegionalCounts figures;
  figures.list_sizes = {1, 2, 1};

  auto p = fresh();  // round 2 first
  ExpectFailed(AsStatus(p->HandleHop(2, OneSetFrom(2, {0, 2}))), ErrorCode::kFailedPrecondition,
               "region hop: round 2 out of order");
  EXPECT_EQ(p->state(), State::kFailed);
  ExpectFailed(AsStatus(p->HandleHop(1, OneSetFrom(0, {0}))), ErrorCode::kFailedPrecondition,
               "the session failed earlier");
  ExpectFailed(p->HandleResult(figures), ErrorCode::kFailedPrecondition,
               "the session failed earlier");

  p = fresh();  // a result before round 2
  ASSERT_TRUE(p->HandleHop(1, OneSetFrom(0, {0})));
  EXPECT_EQ(p->state(), State::kRound2);
  ExpectFailed(p->HandleResult(figures), ErrorCode::kFailedPrecondition,
               "this node has not blinded every set yet");
  EXPECT_EQ(p->state(), State::kFailed);

  p = fresh();  // round 1 twice, then round 2 twice
  ASSERT_TRUE(p->HandleHop(1, OneSetFrom(0, {0})));
  ExpectFailed(AsStatus(p->HandleHop(1, OneSetFrom(0, {0}))), ErrorCode::kFailedPrecondition,
               "region hop: round 1 seen twice");
  p = fresh();
  ASSERT_TRUE(p->HandleHop(1, OneSetFrom(0, {0})));
  ASSERT_TRUE(p->HandleHop(2, OneSetFrom(2, {0, 2})));
  EXPECT_EQ(p->state(), State::kResult);
  ExpectFailed(AsStatus(p->HandleHop(2, OneSetFrom(2, {0, 2}))), ErrorCode::kFailedPrecondition,
               "region hop: round 2 out of order");

  p = fresh();  // a result twice; a hop after the result
  ASSERT_TRUE(p->HandleHop(1, OneSetFrom(0, {0})));
  ASSERT_TRUE(p->HandleHop(2, OneSetFrom(2, {0, 2})));
  ASSERT_TRUE(p->HandleResult(figures));
  EXPECT_EQ(p->state(), State::kDone);
  ExpectFailed(p->HandleResult(figures), ErrorCode::kFailedPrecondition, "the result came already");
  p = fresh();
  ASSERT_TRUE(p->HandleHop(1, OneSetFrom(0, {0})));
  ASSERT_TRUE(p->HandleHop(2, OneSetFrom(2, {0, 2})));
  ASSERT_TRUE(p->HandleResult(figures));
  ExpectFailed(AsStatus(p->HandleHop(2, OneSetFrom(2, {0, 2}))), ErrorCode::kFailedPrecondition,
               "round 2 out of order");

  p = fresh();  // figures that do not give this list its size
  ASSERT_TRUE(p->HandleHop(1, OneSetFrom(0, {0})));
  ASSERT_TRUE(p->HandleHop(2, OneSetFrom(2, {0, 2})));
  RegionalCounts wrong = figures;
  wrong.list_sizes = {1, 3, 1};
  ExpectFailed(p->HandleResult(wrong), ErrorCode::kInvalidArgument,
               "does not match this node's list size");
  EXPECT_EQ(p->state(), State::kFailed);
}

TEST(RegionSession, AParticipantRefusesSetsItMustNotBlind) {
  auto p = std::make_unique<ParticipantSession>(ParticipantSession::Params{kSessionId, 3, 1, 1},
                                                List({{"x", 1}}));
  ExpectFailed(AsStatus(p->HandleHop(1, OneSetFrom(1, {1}))), ErrorCode::kInvalidArgument,
               "a set claims to come from this node");
  EXPECT_EQ(p->state(), State::kFailed);
  p = std::make_unique<ParticipantSession>(ParticipantSession::Params{kSessionId, 3, 1, 1},
                                           List({{"x", 1}}));
  ExpectFailed(AsStatus(p->HandleHop(1, OneSetFrom(0, {0, 1}))), ErrorCode::kInvalidArgument,
               "already blinded by this node");
  EXPECT_EQ(p->state(), State::kFailed);
}

TEST(RegionSession, TheLastParticipantIsDoneBlindingAfterRoundOne) {
  ParticipantSession last(ParticipantSession::Params{kSessionId, 3, 2, 1}, List({{"z", 1}}));
  std::vector<BlindedSet> sets = OneSetFrom(0, {0, 1});
  auto more = OneSetFrom(1, {1});
  sets.push_back(std::move(more[0]));
  ASSERT_TRUE(last.HandleHop(1, std::move(sets)));
  EXPECT_EQ(last.state(), State::kResult);
  ExpectFailed(AsStatus(last.HandleHop(2, OneSetFrom(0, {0, 1}))), ErrorCode::kFailedPrecondition,
               "round 2 out of order");
}

TEST(RegionSession, TheCoordinatorRefusesCallsInTheWrongStateAndStaysFailed) {
  const std::vector<OwnList> lists = {List({{"a", 1}}), List({{"a", 1}}), List({{"b", 1}})};
  auto c = CoordinatorSession::Create(CoordinatorParams(3), lists[0]);
  ASSERT_TRUE(c) << c.error().message;
  ExpectFailed(AsStatus((*c)->Counts()), ErrorCode::kFailedPrecondition, "not known yet");
  ExpectFailed((*c)->HandleReply(""), ErrorCode::kFailedPrecondition, "a reply with no hop sent");
  EXPECT_EQ((*c)->state(), CoordinatorSession::State::kFailed);
  ExpectFailed(AsStatus((*c)->NextHop()), ErrorCode::kFailedPrecondition, "no hop to send now");

  c = CoordinatorSession::Create(CoordinatorParams(3), lists[0]);
  ASSERT_TRUE(c);
  ASSERT_TRUE((*c)->NextHop());
  ExpectFailed(AsStatus((*c)->NextHop()), ErrorCode::kFailedPrecondition,
               "a hop is still outstanding");
  EXPECT_EQ((*c)->state(), CoordinatorSession::State::kFailed);
  ExpectFailed(AsStatus((*c)->ResultMessage()), ErrorCode::kFailedPrecondition, "not known yet");
}

TEST(RegionSession, TheCoordinatorRefusesAReplyWithTheWrongSets) {
  const std::vector<OwnList> lists = {List({{"a", 1}}), List({{"a", 1}}), List({{"b", 1}})};
  auto c = CoordinatorSession::Create(CoordinatorParams(3), lists[0]);
  ASSERT_TRUE(c);
  auto hop = (*c)->NextHop();
  ASSERT_TRUE(hop);
  // The set sent back unblinded by the peer, and without its own.
  auto sent = rw::DecodeHop(hop->body, 1000);
  ASSERT_TRUE(sent);
  ExpectFailed((*c)->HandleReply(rw::EncodeReply(kSessionId, sent->sets)),
               ErrorCode::kInvalidArgument, "peer n1: region reply has the wrong sets");
  EXPECT_EQ((*c)->state(), CoordinatorSession::State::kFailed);

  // A reply that does not decode: the decoder's error, with the peer's name.
  c = CoordinatorSession::Create(CoordinatorParams(3), lists[0]);
  ASSERT_TRUE((*c)->NextHop());
  ExpectFailed((*c)->HandleReply(R"({"v":2,"sets":[]})"), ErrorCode::kInvalidArgument,
               "peer n1: region reply: a JSON body at byte 0: the peer speaks region protocol "
               "version 2; this node speaks version 3 — upgrade the peer");
  EXPECT_EQ((*c)->state(), CoordinatorSession::State::kFailed);
  c = CoordinatorSession::Create(CoordinatorParams(3), lists[0]);
  ASSERT_TRUE((*c)->NextHop());
  ExpectFailed((*c)->HandleReply(hop->body), ErrorCode::kInvalidArgument,
               "peer n1: region reply: message type 1 at byte 5, expected 2");

  // A reply for another session.
  c = CoordinatorSession::Create(CoordinatorParams(3), lists[0]);
  hop = (*c)->NextHop();
  ASSERT_TRUE(hop);
  sent = rw::DecodeHop(hop->body, 1000);
  ASSERT_TRUE(sent);
  rw::SessionId other = kSessionId;
  other[0] ^= 1;
  ExpectFailed((*c)->HandleReply(rw::EncodeReply(other, sent->sets)), ErrorCode::kInvalidArgument,
               "peer n1: region reply is for another session");

  // A set above its origin's limit: the decoder refuses it before reading it.
  auto params = CoordinatorParams(3);
  params.max_set_size = {1, 1, 1};
  c = CoordinatorSession::Create(params, List({{"a", 1}, {"b", 2}}));
  ASSERT_TRUE(c) << c.error().message;
  hop = (*c)->NextHop();
  ASSERT_TRUE(hop);
  sent = rw::DecodeHop(hop->body, 1000);
  ASSERT_TRUE(sent);
  ExpectFailed((*c)->HandleReply(rw::EncodeReply(kSessionId, sent->sets)),
               ErrorCode::kResourceExhausted,
               "peer n1: region reply: set 0: 2 groups at byte 26, more than the limit of 1");
}

TEST(RegionSession, CheckedSetsRefusesPointsThatAreNotGroupElements) {
  std::vector<BlindedSet> good = OneSetFrom(0, {0});
  std::vector<rw::SetView> views = WireSets(good);
  auto copied = CheckedSets(views, 1, 1);
  ASSERT_TRUE(copied) << copied.error().message;
  ASSERT_EQ(copied->size(), 1u);
  EXPECT_EQ((*copied)[0].points, good[0].points);
  EXPECT_EQ((*copied)[0].blinded_by, good[0].blinded_by);
  EXPECT_EQ((*copied)[0].categories, good[0].categories);

  std::vector<BlindedSet> bad = OneSetFrom(2, {0, 2});
  bad[0].points[0].fill(0);  // the identity
  views = WireSets(bad);
  ExpectFailed(AsStatus(CheckedSets(views, 1, 1)), ErrorCode::kInvalidArgument,
               "region message: set 2: invalid point");
  bad[0].points[0].fill(0xFF);  // not canonical
  views = WireSets(bad);
  ExpectFailed(AsStatus(CheckedSets(views, 1, 1)), ErrorCode::kInvalidArgument,
               "region message: set 2: invalid point");

  // One point for more groups than psi::kMaxKeyRepeats allows.
  BlindedSet repeated = OneSetFrom(1, {1})[0];
  const auto point = repeated.points[0];
  for (size_t i = 0; i < 64; ++i) {
    repeated.points.push_back(point);
    repeated.categories.push_back(1);
  }
  std::vector<BlindedSet> many = {repeated};
  views = WireSets(many);
  ExpectFailed(AsStatus(CheckedSets(views, 1, 1)), ErrorCode::kInvalidArgument,
               "region message: set 1: one point stands for too many children");
}

TEST(RegionSession, CreateRefusesParamsThatDoNotFit) {
  const OwnList list = List({{"a", 1}});
  auto params = CoordinatorParams(2);
  ExpectFailed(AsStatus(CoordinatorSession::Create(params, list)), ErrorCode::kInvalidArgument,
               "3 to 16 nodes");
  params = CoordinatorParams(17);
  ExpectFailed(AsStatus(CoordinatorSession::Create(params, list)), ErrorCode::kInvalidArgument,
               "3 to 16 nodes");
  params = CoordinatorParams(3);
  params.key_mask = schema::kAllKeyTypes;  // 6 slots, the list has 1
  ExpectFailed(AsStatus(CoordinatorSession::Create(params, list)), ErrorCode::kInvalidArgument,
               "key mask does not fit");
  params = CoordinatorParams(3);
  params.max_set_size.pop_back();
  ExpectFailed(AsStatus(CoordinatorSession::Create(params, list)), ErrorCode::kInvalidArgument,
               "each with a key and a list limit");
}

}  // namespace
}  // namespace inbeeld::node::region
