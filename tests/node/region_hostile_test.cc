// The regional count's participant (node/region/regional.h) against hostile
// hop and result bodies (schema/region_wire.h, protocol version 3), in the
// process, without TLS: truncated at every offset, a trailing byte, a
// version-2 JSON peer, values the node refuses (participants, purpose,
// sets that are not group elements or come from this node), oversized
// sets, and messages in the wrong order. Each is refused with
// kInvalidArgument (kResourceExhausted for a set above the peer's limit,
// kPermissionDenied for what the policy forbids, kFailedPrecondition for
// the wrong state) and a message that never holds the body. Every byte of
// the format is tested in tests/schema/region_wire_test.cc; the honest
// protocol among real nodes is in region_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <set>
#include <string>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/ristretto.h"
#include "crypto/signing.h"
#include "node/audit/audit_log.h"
#include "node/region/regional.h"
#include "schema/region_wire.h"
#include "tests/support/local_node.h"

namespace inbeeld::node::region {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
namespace rw = schema::region_wire;

constexpr size_t kSlots = 6;  // all key types between two leerplicht nodes
constexpr uint8_t kAllKeys = 7;
const std::string kPurpose = "thuiszitters-afstemming";  // 23 bytes
// Offsets in a hop with kPurpose among 3 nodes: the set count, and set 0's
// group count.
constexpr size_t kSetCountAt = 27 + 23 + 3 * 32;
constexpr size_t kGroupsAt = kSetCountAt + 1 + 3;

// `n` distinct valid points.
std::vector<std::array<uint8_t, crypto::kPointSize>> Points(size_t n, const std::string& label) {
  std::vector<std::array<uint8_t, crypto::kPointSize>> out;
  for (size_t i = 0; i < n; ++i) {
    const std::string text = label + " " + std::to_string(i);
    const auto p = crypto::Point::HashToGroup(
        std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()),
        std::span(reinterpret_cast<const uint8_t*>("test"), 4));
    out.push_back(p->Encode());
  }
  return out;
}

BlindedSet Set(size_t origin, std::set<size_t> blinded_by, size_t children,
               const std::string& label) {
  BlindedSet s;
  s.origin = origin;
  s.blinded_by = std::move(blinded_by);
  s.k = kSlots;
  s.points = Points(children * kSlots, label);
  for (size_t i = 0; i < children; ++i) s.categories.push_back(static_cast<uint8_t>(1 + i % 4));
  return s;
}

rw::KeyBytes KeyOf(const std::string& fingerprint) {
  return crypto::VerifyingKey::FromFingerprint(fingerprint)->bytes();
}

rw::SessionId SessionId(int n) {
  rw::SessionId id;
  id.fill(static_cast<uint8_t>(n));
  return id;
}

class RegionHostileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto node = testing::LocalNode::Create("deelnemer", config::Role::kLeerplicht, 5);
    ASSERT_TRUE(node) << node.error().message;
    node_ = std::move(*node);
    coordinator_key_ =
        node_->AddPeer("coordinator", config::Role::kLeerplicht).PublicKey().Fingerprint();
    node_->AddPeer("stranger", config::Role::kLeerplicht);
    participant_ = std::make_unique<RegionParticipant>(node_->node());
  }

  // A hop header: this node at index 1 of 3, all key types.
  rw::HopHeader Header(int round, int session) const {
    rw::HopHeader h;
    h.session_id = SessionId(session);
    h.purpose = kPurpose;
    h.key_mask = kAllKeys;
    h.round = static_cast<uint8_t>(round);
    h.index = 1;
    rw::KeyBytes other;
    other.fill(0xCC);
    h.participants = {KeyOf(coordinator_key_), KeyOf(node_->node().metadata.fingerprint), other};
    return h;
  }
  static std::string Encode(const rw::HopHeader& h, const std::vector<BlindedSet>& sets) {
    return rw::EncodeHop(h, WireSets(sets));
  }
  // The coordinator's set as round 1 brings it: 2 children.
  static BlindedSet CoordinatorSet() { return Set(0, {0}, 2, "c"); }
  std::string Round1(int session) const { return Encode(Header(1, session), {CoordinatorSet()}); }
  // Round 2 as it comes to this node (index 1 of 3): the last node's set,
  // blinded by it and the coordinator. Afterwards this node has blinded all
  // three sets and waits for the result.
  std::string Round2(int session) const {
    return Encode(Header(2, session), {Set(2, {0, 2}, 1, "last " + std::to_string(session))});
  }
  static rw::ResultMessage Figures(int session) {
    rw::ResultMessage r;
    r.session_id = SessionId(session);
    r.distinct = 9;
    r.single_list = 7;
    r.possible = 1;
    r.by_category = {3, 1, 0, 5};
    r.list_sizes = {2, 5, 3};
    r.participants = {"a", "b", "c"};
    return r;
  }
  static std::string ResultBody(int session) { return rw::EncodeResult(Figures(session)); }

  Result<std::string> SendHop(const std::string& body, std::string_view peer = "coordinator") {
    return participant_->HandleHop(peer, body);
  }
  Result<std::string> SendResult(const std::string& body) {
    return participant_->HandleResult("coordinator", body);
  }

  size_t AuditRecords() {
    audit::AuditLog log(*node_->node().store, node_->node().identity);
    auto size = log.Size();
    return size ? *size : 0;
  }

  static void ExpectRefused(const ::inbeeld::Result<std::string>& r, ErrorCode code,
                            std::string_view text, const std::string& what) {
    ASSERT_FALSE(r) << what << " accepted";
    EXPECT_EQ(r.error().code, code) << what << ": " << r.error().message;
    EXPECT_THAT(r.error().message, HasSubstr(std::string(text))) << what;
  }

  std::unique_ptr<testing::LocalNode> node_;
  std::string coordinator_key_;
  std::unique_ptr<RegionParticipant> participant_;
};

TEST_F(RegionHostileTest, AnHonestRound1IsAnsweredWithBothSetsBlinded) {
  auto reply = SendHop(Round1(1));
  ASSERT_TRUE(reply) << reply.error().message;
  auto decoded = rw::DecodeReply(*reply, 3, kAllKeys, 1000);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->session_id, SessionId(1));
  ASSERT_EQ(decoded->sets.size(), 2u);
  std::set<std::pair<int, int>> origins_and_masks;
  for (const auto& set : decoded->sets) {
    origins_and_masks.insert({set.origin, set.blinded_by});
    EXPECT_EQ(set.points.size(), set.groups * kSlots);
  }
  // The coordinator's set now blinded by both; this node's own by itself.
  EXPECT_EQ(origins_and_masks, (std::set<std::pair<int, int>>{{0, 0b011}, {1, 0b010}}));
  EXPECT_EQ(decoded->sets[0].groups + decoded->sets[1].groups, 2u + 5u);
}

TEST_F(RegionHostileTest, EveryTruncationIsMalformedAndWritesNothing) {
  const std::string hop = Round1(2);
  const std::string result = ResultBody(2);
  const size_t records = AuditRecords();
  for (size_t n = 0; n < hop.size(); ++n) {
    auto r = SendHop(hop.substr(0, n));
    ASSERT_FALSE(r) << "a hop cut at " << n << " accepted";
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(r.error().message, StartsWith("region hop: ")) << n;
  }
  for (size_t n = 0; n < result.size(); ++n) {
    auto r = SendResult(result.substr(0, n));
    ASSERT_FALSE(r) << "a result cut at " << n << " accepted";
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(r.error().message, StartsWith("region result: ")) << n;
  }
  EXPECT_EQ(AuditRecords(), records) << "a body that does not decode is not audited";
  // The whole hop still works afterwards.
  EXPECT_TRUE(SendHop(hop));
}

TEST_F(RegionHostileTest, ATrailingByteIsMalformed) {
  const std::string hop = Round1(3);
  ExpectRefused(SendHop(hop + '\0'), ErrorCode::kInvalidArgument,
                "region hop: 1 trailing bytes after byte " + std::to_string(hop.size()),
                "hop + NUL");
  const std::string result = ResultBody(3);
  ExpectRefused(SendResult(result + 'x'), ErrorCode::kInvalidArgument,
                "region result: 1 trailing bytes after byte " + std::to_string(result.size()),
                "result + x");
  ExpectRefused(SendHop(""), ErrorCode::kInvalidArgument,
                "region hop: message of 0 bytes is shorter than the 6-byte header", "empty hop");
}

TEST_F(RegionHostileTest, AVersion2PeerIsToldToUpgrade) {
  const size_t records = AuditRecords();
  const std::string v2_hop =
      R"({"v":2,"session":"01010101010101010101010101010101","purpose":"x","participants":[],)"
      R"("index":1,"round":1,"keys":7,"sets":[]})";
  auto r = SendHop(v2_hop);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message,
            "region hop: a JSON body at byte 0: the peer speaks region protocol version 2; this "
            "node speaks version 3 — upgrade the peer");
  r = SendResult(R"({"v":2,"session":"01010101010101010101010101010101"})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "region result: a JSON body at byte 0: the peer speaks region protocol version 2; "
            "this node speaks version 3 — upgrade the peer");
  EXPECT_EQ(AuditRecords(), records);
}

TEST_F(RegionHostileTest, HopValuesTheNodeRefuses) {
  int n = 100;
  auto with = [&](auto change) {
    rw::HopHeader h = Header(1, n++);
    change(h);
    return Encode(h, {CoordinatorSet()});
  };
  ExpectRefused(SendHop(with([](rw::HopHeader& h) { h.purpose = "ander-doel"; })),
                ErrorCode::kPermissionDenied, "", "a purpose the peer may not use");
  const rw::KeyBytes self = KeyOf(node_->node().metadata.fingerprint);
  const rw::KeyBytes coordinator = KeyOf(coordinator_key_);
  rw::KeyBytes other;
  other.fill(0xCC);
  const std::vector<rw::KeyBytes> bad_participants[] = {
      {self, coordinator, other},         // caller not first
      {coordinator, other, self},         // this node not at index 1
      {coordinator, coordinator, other},  // this node not at all
  };
  for (const auto& p : bad_participants) {
    const size_t before = AuditRecords();
    ExpectRefused(SendHop(with([&](rw::HopHeader& h) { h.participants = p; })),
                  ErrorCode::kInvalidArgument,
                  "region hop: participants must be 3 to 16 nodes with the caller first and this "
                  "node at the given index",
                  "participants");
    EXPECT_EQ(AuditRecords(), before + 1) << "a decoded hop that is refused is audited";
  }
  // A peer that is not configured, and a configured one that is not the
  // participants' first: both refused before any set is read.
  ExpectRefused(SendHop(Round1(n++), "nobody"), ErrorCode::kUnauthenticated, "unknown peer",
                "an unknown caller");
  ExpectRefused(SendHop(Round1(n++), "stranger"), ErrorCode::kInvalidArgument, "the caller first",
                "another peer's hop");
}

TEST_F(RegionHostileTest, SetsTheNodeRefuses) {
  int n = 200;
  auto send = [&](const BlindedSet& set) { return SendHop(Encode(Header(1, n++), {set})); };
  ExpectRefused(send(Set(1, {1}, 2, "c")), ErrorCode::kInvalidArgument,
                "region hop: a set claims to come from this node", "origin 1 (this node)");
  BlindedSet bad = CoordinatorSet();
  bad.points[3].fill(0xFF);
  ExpectRefused(send(bad), ErrorCode::kInvalidArgument, "region message: set 0: invalid point",
                "a point that does not decode");
  bad = CoordinatorSet();
  bad.points[0].fill(0);
  ExpectRefused(send(bad), ErrorCode::kInvalidArgument, "region message: set 0: invalid point",
                "the identity");
  // One point for 17 children: the link graph must stay linear.
  BlindedSet many = Set(0, {0}, 17, "r");
  for (size_t g = 1; g < 17; ++g) many.points[g * kSlots] = many.points[0];
  ExpectRefused(send(many), ErrorCode::kInvalidArgument,
                "region message: set 0: one point stands for too many children",
                "a point 17 times");
}

TEST_F(RegionHostileTest, OversizedSetsAreRefusedBeforeTheyAreRead) {
  node_->node().config.peers.front().policy.max_list_size = 3;
  ExpectRefused(SendHop(Encode(Header(1, 300), {Set(0, {0}, 4, "big")})),
                ErrorCode::kResourceExhausted,
                "region hop: set 0: 4 groups at byte " + std::to_string(kGroupsAt) +
                    ", more than the limit of 3",
                "4 children for 3");
  // A count far beyond the bytes that follow, within the limit.
  node_->node().config.peers.front().policy.max_list_size = 1'000'000;
  std::string hop = Round1(301);
  hop[kGroupsAt + 1] = '\x0F';  // 0x000F0002 groups
  ExpectRefused(SendHop(hop), ErrorCode::kInvalidArgument,
                "region hop: set 0: 983042 groups at byte " + std::to_string(kGroupsAt),
                "a million children claimed");
}

TEST_F(RegionHostileTest, MessagesOutOfOrderAreRefused) {
  const BlindedSet round2_set = Set(2, {0, 2}, 1, "s");
  ExpectRefused(SendHop(Encode(Header(2, 400), {round2_set})), ErrorCode::kFailedPrecondition,
                "round 2 out of order", "round 2 first");
  ASSERT_TRUE(SendHop(Round1(401)));
  ExpectRefused(SendHop(Round1(401)), ErrorCode::kFailedPrecondition, "round 1 seen twice",
                "round 1 again");
  BlindedSet narrower = round2_set;
  narrower.k = 3;  // 3 slots a child for pgn and name keys
  narrower.points.resize(3);
  rw::HopHeader again = Header(2, 401);
  again.key_mask = 3;
  ExpectRefused(SendHop(Encode(again, {narrower})), ErrorCode::kFailedPrecondition,
                "round 2 out of order", "round 2 with other key types");
  // A set this node blinded already, sent back to it.
  ExpectRefused(SendHop(Encode(Header(2, 401), {Set(2, {1, 2}, 1, "t")})),
                ErrorCode::kInvalidArgument, "already blinded by this node", "a set blinded twice");
  ExpectRefused(SendResult(ResultBody(401)), ErrorCode::kFailedPrecondition, "no such session",
                "a result after the session failed");
  ExpectRefused(SendResult(ResultBody(402)), ErrorCode::kFailedPrecondition, "no such session",
                "a result for no session");
}

// Wrong-state messages that reach the session's protocol end it: the
// scalar is wiped and the count is recorded as failed.
TEST_F(RegionHostileTest, MessagesInTheWrongStateEndTheSession) {
  // A result before this node has blinded every set.
  ASSERT_TRUE(SendHop(Round1(450)));
  ExpectRefused(SendResult(ResultBody(450)), ErrorCode::kFailedPrecondition,
                "region result: this node has not blinded every set yet", "a result after round 1");
  ExpectRefused(SendHop(Round2(450)), ErrorCode::kFailedPrecondition, "round 2 out of order",
                "round 2 after the session ended");
  // Round 2 twice.
  ASSERT_TRUE(SendHop(Round1(451)));
  ASSERT_TRUE(SendHop(Round2(451)));
  ExpectRefused(SendHop(Round2(451)), ErrorCode::kFailedPrecondition,
                "region hop: round 2 out of order", "round 2 again");
  ExpectRefused(SendResult(ResultBody(451)), ErrorCode::kFailedPrecondition, "no such session",
                "the result after that");
  // A result twice.
  ASSERT_TRUE(SendHop(Round1(452)));
  ASSERT_TRUE(SendHop(Round2(452)));
  auto done = SendResult(ResultBody(452));
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(*done, "") << "the reply to a result is empty";
  ExpectRefused(SendResult(ResultBody(452)), ErrorCode::kFailedPrecondition, "no such session",
                "the result again");
}

TEST_F(RegionHostileTest, ACountTheCoordinatorDoesNotFinishInTimeIsDroppedAndRecorded) {
  ASSERT_TRUE(SendHop(Round1(500)));
  const size_t before = AuditRecords();
  node_->clock().Advance(std::chrono::seconds(599));
  participant_->ExpireStale();
  EXPECT_EQ(AuditRecords(), before) << "not yet expired";
  node_->clock().Advance(std::chrono::seconds(2));
  participant_->ExpireStale();
  ASSERT_EQ(AuditRecords(), before + 1);
  audit::AuditLog log(*node_->node().store, node_->node().identity);
  auto records = log.Records({});
  ASSERT_TRUE(records.has_value() && !records->empty());
  EXPECT_THAT(records->back().line, HasSubstr("inbeeld.region.count"));
  EXPECT_THAT(records->back().line, HasSubstr("the coordinator did not finish in time"));
  ExpectRefused(SendHop(Round2(500)), ErrorCode::kFailedPrecondition, "round 2 out of order",
                "round 2 after the session expired");
}

// A hop's crypto runs outside the participant's lock, with its session
// marked busy. Held there (the test hook), the session takes no other hop,
// no result, and is not expired; other sessions go on meanwhile; once the
// hop is done, the session expires as any other.
TEST_F(RegionHostileTest, ABusySessionIsLeftAloneWhileOthersGoOn) {
  const std::string held = crypto::HexEncode(SessionId(60));
  std::promise<void> entered, release;
  std::shared_future<void> released = release.get_future().share();
  bool armed = false;  // only round 2 of session 60 is held
  participant_->SetBusyHookForTest([&](std::string_view session) {
    if (session != held || !armed) return;
    entered.set_value();
    released.wait();
  });
  ASSERT_TRUE(SendHop(Round1(60)));
  armed = true;
  std::future<Result<std::string>> blinding =
      std::async(std::launch::async, [&] { return SendHop(Round2(60)); });
  entered.get_future().wait();

  ExpectRefused(SendHop(Round2(60)), ErrorCode::kFailedPrecondition, "round 2 out of order",
                "another round 2 while busy");
  ExpectRefused(SendResult(ResultBody(60)), ErrorCode::kFailedPrecondition,
                "still blinding the session's sets", "a result while busy");
  const size_t before = AuditRecords();  // the refused hop is on record
  node_->clock().Advance(std::chrono::seconds(601));
  participant_->ExpireStale();
  EXPECT_EQ(AuditRecords(), before) << "a busy session is not expired";
  // The lock is free: another count starts while this one blinds.
  auto other = SendHop(Round1(61));
  EXPECT_TRUE(other) << other.error().message;

  release.set_value();
  auto reply = blinding.get();
  ASSERT_TRUE(reply) << reply.error().message;
  auto decoded = rw::DecodeReply(*reply, 3, kAllKeys, 1000);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->session_id, SessionId(60));
  // No longer busy and past its deadline: the next sweep ends it.
  participant_->ExpireStale();
  audit::AuditLog log(*node_->node().store, node_->node().identity);
  auto records = log.Records({});
  ASSERT_TRUE(records.has_value());
  size_t expired = 0;
  for (const auto& r : *records) {
    expired += r.line.find("the coordinator did not finish in time") != std::string::npos;
  }
  EXPECT_EQ(expired, 1u) << "session 60 expired; 61 is within its own deadline";
  ExpectRefused(SendResult(ResultBody(60)), ErrorCode::kFailedPrecondition, "no such session",
                "a result after it expired");
}

TEST_F(RegionHostileTest, AMalformedResultLeavesTheSessionOpen) {
  ASSERT_TRUE(SendHop(Round1(510)));
  ASSERT_TRUE(SendHop(Round2(510)));
  rw::ResultMessage control = Figures(510);
  control.participants[1] = "b\n";
  ExpectRefused(SendResult(rw::EncodeResult(control)), ErrorCode::kInvalidArgument,
                "region result: name of node 1 is not UTF-8 text without control characters",
                "a control character in a name");
  ExpectRefused(SendResult(ResultBody(510).substr(0, 40)), ErrorCode::kInvalidArgument,
                "region result: truncated at byte 40", "a truncated result");
  // The session is still open: the honest result completes it.
  auto done = SendResult(ResultBody(510));
  ASSERT_TRUE(done) << done.error().message;
  auto latest = LatestRegionalCount(*node_->node().store);
  ASSERT_TRUE(latest && *latest);
  EXPECT_EQ((*latest)->session, crypto::HexEncode(SessionId(510 % 256)));
  EXPECT_EQ((*latest)->distinct, 9u);
  EXPECT_EQ((*latest)->single_list, 7u);
  EXPECT_EQ((*latest)->possible, 1u);
  EXPECT_EQ((*latest)->by_category, (std::vector<uint64_t>{3, 1, 0, 5}));
  EXPECT_EQ((*latest)->list_sizes, (std::vector<uint64_t>{2, 5, 3}));
  EXPECT_EQ((*latest)->participants, (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(RegionHostileTest, AResultThatDoesNotMatchThisListEndsTheSession) {
  ASSERT_TRUE(SendHop(Round1(600)));
  ASSERT_TRUE(SendHop(Round2(600)));
  rw::ResultMessage wrong = Figures(600);
  wrong.list_sizes = {2, 4, 3};
  ExpectRefused(SendResult(rw::EncodeResult(wrong)), ErrorCode::kInvalidArgument,
                "does not match this node's list size", "another size for this node");
  ExpectRefused(SendResult(ResultBody(600)), ErrorCode::kFailedPrecondition, "no such session",
                "the honest result after that");
  ASSERT_TRUE(SendHop(Round1(601)));
  ASSERT_TRUE(SendHop(Round2(601)));
  rw::ResultMessage four = Figures(601);
  four.list_sizes = {2, 5, 3, 1};
  four.participants = {"a", "b", "c", "d"};
  ExpectRefused(SendResult(rw::EncodeResult(four)), ErrorCode::kInvalidArgument,
                "does not match this node's list size", "four sizes for three nodes");
}

TEST_F(RegionHostileTest, ErrorsNeverEchoTheBody) {
  const std::string secret = "geheim-123456782";
  std::vector<std::string> bodies;
  // A purpose that is not an activity id.
  rw::HopHeader h = Header(1, 700);
  h.purpose = "Geheim 123456782";
  bodies.push_back(Encode(h, {CoordinatorSet()}));
  // A secret where the keys go, where a category goes, and as the body.
  std::string hop = Round1(701);
  hop.replace(27 + 23, secret.size(), secret);
  bodies.push_back(hop);
  hop = Round1(702);
  hop.replace(hop.size() - 2, 2, "ge");
  bodies.push_back(hop);
  bodies.push_back(secret);
  for (const std::string& body : bodies) {
    auto r = SendHop(body);
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, Not(HasSubstr("123456782"))) << r.error().message;
    EXPECT_THAT(r.error().message, Not(HasSubstr("geheim"))) << r.error().message;
    EXPECT_THAT(r.error().message, Not(HasSubstr("Geheim"))) << r.error().message;
  }
  rw::ResultMessage result = Figures(703);
  result.participants[0] = "geheim\x01";
  auto r = SendResult(rw::EncodeResult(result));
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, Not(HasSubstr("geheim")));
}

}  // namespace
}  // namespace inbeeld::node::region
