// The regional count's participant (node/region/regional.h) against hostile
// hop and result bodies, in the process, without TLS: truncated at every
// offset, trailing garbage, every field of the wrong type or out of range,
// oversized sets, and messages in the wrong order. Each is refused with
// kInvalidArgument (kResourceExhausted for a set above the peer's limit,
// kFailedPrecondition for the wrong state) and a message that never holds
// the body. The honest protocol among real nodes is in region_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/ristretto.h"
#include "node/audit/audit_log.h"
#include "node/region/regional.h"
#include "tests/support/local_node.h"

namespace inbeeld::node::region {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

constexpr size_t kSlots = 6;  // all key types between two leerplicht nodes

// `n` distinct valid points, as the hex a set carries.
std::string Points(size_t n, const std::string& label) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    const std::string text = label + " " + std::to_string(i);
    const auto p = crypto::Point::HashToGroup(
        std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()),
        std::span(reinterpret_cast<const uint8_t*>("test"), 4));
    out += crypto::HexEncode(p->Encode());
  }
  return out;
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

  std::string Session(int n) const {
    std::string id = crypto::HexEncode(std::vector<uint8_t>(16, static_cast<uint8_t>(n)));
    return id;
  }

  // The coordinator's set as round 1 brings it: 2 children, this node at index 1 of 3.
  json CoordinatorSet() const {
    return {{"origin", 0},
            {"blinded_by", {0}},
            {"points", Points(2 * kSlots, "c")},
            {"categories", "13"}};
  }
  json Hop(int round, const std::string& session, json sets) const {
    return {
        {"v", 2},
        {"session", session},
        {"purpose", "thuiszitters-afstemming"},
        {"participants",
         {coordinator_key_, node_->node().metadata.fingerprint, "ed25519:" + std::string(64, 'c')}},
        {"index", 1},
        {"round", round},
        {"keys", 7},
        {"sets", std::move(sets)}};
  }
  json Round1(const std::string& session) const { return Hop(1, session, {CoordinatorSet()}); }
  // Round 2 as it comes to this node (index 1 of 3): the last node's set,
  // blinded by it and the coordinator. Afterwards this node has blinded all
  // three sets and waits for the result.
  json Round2(const std::string& session) const {
    return Hop(2, session,
               json::array({{{"origin", 2},
                             {"blinded_by", {0, 2}},
                             {"points", Points(kSlots, "last " + session)},
                             {"categories", "2"}}}));
  }
  json ResultBody(const std::string& session) const {
    return {{"v", 2},
            {"session", session},
            {"distinct", 9},
            {"single_list", 7},
            {"possible", 1},
            {"by_category", {3, 1, 0, 5}},
            {"list_sizes", {2, 5, 3}},
            {"participants", {"a", "b", "c"}}};
  }

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
  auto reply = SendHop(Round1(Session(1)).dump());
  ASSERT_TRUE(reply) << reply.error().message;
  const json j = json::parse(*reply);
  EXPECT_EQ(j["v"], 2);
  EXPECT_EQ(j["session"], Session(1));
  ASSERT_EQ(j["sets"].size(), 2u);
  for (const auto& set : j["sets"]) {
    EXPECT_TRUE(set["blinded_by"].get<std::vector<size_t>>() == std::vector<size_t>({0, 1}) ||
                set["blinded_by"].get<std::vector<size_t>>() == std::vector<size_t>({1}));
    EXPECT_EQ(set["points"].get<std::string>().size(),
              set["categories"].get<std::string>().size() * kSlots * 64);
  }
}

TEST_F(RegionHostileTest, EveryTruncationIsMalformedAndWritesNothing) {
  const std::string hop = Round1(Session(2)).dump();
  const std::string result = ResultBody(Session(2)).dump();
  const size_t records = AuditRecords();
  for (size_t n = 0; n < hop.size(); ++n) {
    auto r = SendHop(hop.substr(0, n));
    ASSERT_FALSE(r) << "a hop cut at " << n << " accepted";
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().message, "region hop: malformed message or unknown version");
  }
  for (size_t n = 0; n < result.size(); ++n) {
    auto r = SendResult(result.substr(0, n));
    ASSERT_FALSE(r) << "a result cut at " << n << " accepted";
    EXPECT_EQ(r.error().message, "region result: malformed message");
  }
  EXPECT_EQ(AuditRecords(), records) << "a body that is not even JSON is not audited";
  // The whole hop still works afterwards.
  EXPECT_TRUE(SendHop(hop));
}

TEST_F(RegionHostileTest, TrailingGarbageIsMalformed) {
  for (const std::string& garbage :
       std::vector<std::string>{"x", "}", "{}", "[]", ",", "\"\"", "\xff"}) {
    ExpectRefused(SendHop(Round1(Session(3)).dump() + garbage), ErrorCode::kInvalidArgument,
                  "malformed message", "hop + " + garbage);
    ExpectRefused(SendResult(ResultBody(Session(3)).dump() + garbage), ErrorCode::kInvalidArgument,
                  "malformed message", "result + " + garbage);
  }
  ExpectRefused(SendHop(""), ErrorCode::kInvalidArgument, "malformed", "empty hop");
  ExpectRefused(SendHop("[" + Round1(Session(3)).dump() + "]"), ErrorCode::kInvalidArgument,
                "malformed", "hop in an array");
}

// nlohmann-json stops reading at a NUL byte, so a body followed by "\0" and
// anything at all is taken as the body alone. No JSON text holds a raw NUL;
// witness.cc and regional.cc refuse one.
TEST_F(RegionHostileTest, BytesAfterANulAreMalformed) {
  const std::string nul("\0", 1);
  ExpectRefused(SendHop(Round1(Session(4)).dump() + nul + "garbage"), ErrorCode::kInvalidArgument,
                "malformed message", "hop + NUL");
  ExpectRefused(SendResult(ResultBody(Session(4)).dump() + nul), ErrorCode::kInvalidArgument,
                "malformed message", "result + NUL");
}

TEST_F(RegionHostileTest, EveryHopFieldOfTheWrongTypeIsRefused) {
  const json wrong[] = {json(),        json("2"),      json(-1),  json(2.5),
                        json::array(), json::object(), json(true)};
  int n = 10;
  for (const char* field :
       {"v", "session", "purpose", "participants", "index", "round", "keys", "sets"}) {
    for (const json& value : wrong) {
      if (std::string_view(field) == "sets" && value.is_array()) continue;  // no sets is a hop
      if (std::string_view(field) == "purpose" && value.is_string()) continue;  // a purpose id
      json hop = Round1(Session(n++));
      hop[field] = value;
      auto r = SendHop(hop.dump());
      ASSERT_FALSE(r) << field << " = " << value.dump() << " accepted";
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << field << " = " << value.dump();
    }
    json missing = Round1(Session(n++));
    missing.erase(field);
    ExpectRefused(SendHop(missing.dump()), ErrorCode::kInvalidArgument, "region hop",
                  std::string("no ") + field);
  }
}

TEST_F(RegionHostileTest, HopValuesOutOfRangeAreRefused) {
  int n = 100;
  auto with = [&](const char* field, json value) {
    json hop = Round1(Session(n++));
    hop[field] = std::move(value);
    return hop.dump();
  };
  ExpectRefused(SendHop(with("v", 1)), ErrorCode::kInvalidArgument, "unknown version", "v 1");
  ExpectRefused(SendHop(with("v", 3)), ErrorCode::kInvalidArgument, "unknown version", "v 3");
  for (const std::string& session : std::vector<std::string>{
           std::string(31, 'a'), std::string(33, 'a'), std::string(32, 'g'), std::string("")}) {
    ExpectRefused(SendHop(with("session", session)), ErrorCode::kInvalidArgument,
                  "session must be 32 hex characters", "session " + session);
  }
  ExpectRefused(SendHop(with("purpose", "Geheim Doel")), ErrorCode::kInvalidArgument,
                "purpose must be 1..64 characters", "purpose with spaces");
  ExpectRefused(SendHop(with("purpose", "ander-doel")), ErrorCode::kPermissionDenied, "",
                "a purpose the peer may not use");
  for (int index : {0, 3, 1000}) {
    ExpectRefused(SendHop(with("index", index)), ErrorCode::kInvalidArgument,
                  "participants must be 3 to 16 nodes", "index " + std::to_string(index));
  }
  for (int round : {0, 3}) {
    ExpectRefused(SendHop(with("round", round)), ErrorCode::kInvalidArgument,
                  "participants must be 3 to 16 nodes", "round " + std::to_string(round));
  }
  for (int keys : {0, 8, 255}) {
    ExpectRefused(SendHop(with("keys", keys)), ErrorCode::kInvalidArgument,
                  "keys must be a key mask 1..7", "keys " + std::to_string(keys));
  }
  const std::string self = node_->node().metadata.fingerprint;
  const std::string other = "ed25519:" + std::string(64, 'c');
  const json bad_participants[] = {
      json::array({coordinator_key_, self}),                 // two nodes
      json::array({self, coordinator_key_, other}),          // caller not first
      json::array({coordinator_key_, other, self}),          // this node not at index 1
      json::array({coordinator_key_, 17, other}),            // not a string
      json(std::vector<std::string>(17, coordinator_key_)),  // seventeen
  };
  for (const json& p : bad_participants) {
    ExpectRefused(SendHop(with("participants", p)), ErrorCode::kInvalidArgument,
                  "participants must be 3 to 16 nodes", "participants " + p.dump().substr(0, 40));
  }
  // A peer that is not configured, and a configured one that is not the
  // participants' first: both refused before any set is read.
  ExpectRefused(SendHop(Round1(Session(n++)).dump(), "nobody"), ErrorCode::kUnauthenticated,
                "unknown peer", "an unknown caller");
  ExpectRefused(SendHop(Round1(Session(n++)).dump(), "stranger"), ErrorCode::kInvalidArgument,
                "the caller first", "another peer's hop");
}

TEST_F(RegionHostileTest, MalformedSetsAreRefused) {
  int n = 200;
  auto send = [&](json set) { return SendHop(Hop(1, Session(n++), json::array({set})).dump()); };
  auto modified = [&](const char* field, json value) {
    json set = CoordinatorSet();
    set[field] = std::move(value);
    return set;
  };
  ExpectRefused(SendHop(Hop(1, Session(n++), "sets").dump()), ErrorCode::kInvalidArgument,
                "sets: expected at most one per node", "sets a string");
  ExpectRefused(SendHop(Hop(1, Session(n++),
                            json::array({CoordinatorSet(), CoordinatorSet(), CoordinatorSet(),
                                         CoordinatorSet()}))
                            .dump()),
                ErrorCode::kInvalidArgument, "sets: expected at most one per node", "four sets");
  ExpectRefused(send(json(5)), ErrorCode::kInvalidArgument, "malformed set", "a number");
  for (const char* field : {"origin", "blinded_by", "points", "categories"}) {
    json set = CoordinatorSet();
    set.erase(field);
    ExpectRefused(send(set), ErrorCode::kInvalidArgument, "malformed set",
                  std::string("no ") + field);
    ExpectRefused(send(modified(field, json::object())), ErrorCode::kInvalidArgument,
                  "malformed set", std::string(field) + " an object");
  }
  ExpectRefused(send(modified("origin", 3)), ErrorCode::kInvalidArgument, "origin out of range",
                "origin 3");
  ExpectRefused(send(modified("origin", -1)), ErrorCode::kInvalidArgument, "malformed set",
                "origin -1");
  ExpectRefused(send(modified("origin", 1)), ErrorCode::kInvalidArgument,
                "a set claims to come from this node", "origin 1 (this node)");
  ExpectRefused(
      SendHop(Hop(1, Session(n++), json::array({CoordinatorSet(), CoordinatorSet()})).dump()),
      ErrorCode::kInvalidArgument, "repeated", "two sets of one origin");
  ExpectRefused(send(modified("blinded_by", {0, 7})), ErrorCode::kInvalidArgument,
                "blinded_by out of range", "blinded_by 7");
  ExpectRefused(send(modified("blinded_by", {"0"})), ErrorCode::kInvalidArgument,
                "blinded_by out of range", "blinded_by a string");
  for (const std::string& categories : std::vector<std::string>{"10", "15", "1a", "1 ", "1"}) {
    auto r = send(modified("categories", categories));
    ASSERT_FALSE(r) << "categories " << categories;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
  std::string points = Points(2 * kSlots, "c");
  ExpectRefused(send(modified("points", points.substr(0, points.size() - 64))),
                ErrorCode::kInvalidArgument, "one group of 6 32-byte points per category",
                "a point short");
  ExpectRefused(send(modified("points", points + "00")), ErrorCode::kInvalidArgument,
                "one group of 6", "a byte too many");
  ExpectRefused(send(modified("points", "zz" + points.substr(2))), ErrorCode::kInvalidArgument,
                "one group of 6", "not hex");
  ExpectRefused(send(modified("points", std::string(64, 'f') + points.substr(64))),
                ErrorCode::kInvalidArgument, "invalid point", "a point that does not decode");
  ExpectRefused(send(modified("points", std::string(64, '0') + points.substr(64))),
                ErrorCode::kInvalidArgument, "invalid point", "the identity");
  // One point for 17 children: the link graph must stay linear.
  std::string repeated;
  for (int i = 0; i < 17; ++i)
    repeated += points.substr(0, 64) + Points(kSlots - 1, "r" + std::to_string(i));
  json many = CoordinatorSet();
  many["points"] = repeated;
  many["categories"] = std::string(17, '1');
  ExpectRefused(send(many), ErrorCode::kInvalidArgument, "one point stands for too many children",
                "a point 17 times");
}

TEST_F(RegionHostileTest, OversizedSetsAreRefused) {
  node_->node().config.peers.front().policy.max_list_size = 3;
  json big = CoordinatorSet();
  big["points"] = Points(4 * kSlots, "big");
  big["categories"] = "1111";
  ExpectRefused(SendHop(Hop(1, Session(300), json::array({big})).dump()),
                ErrorCode::kResourceExhausted, "exceeds the list size allowed", "4 children for 3");
  // Far beyond any list: refused before a single point is decoded.
  big["categories"] = std::string(1'000'001, '1');
  big["points"] = "";
  ExpectRefused(SendHop(Hop(1, Session(301), json::array({big})).dump()),
                ErrorCode::kInvalidArgument, "a set is too large", "a million and one children");
}

TEST_F(RegionHostileTest, MessagesOutOfOrderAreRefused) {
  const json round2_set = {
      {"origin", 2}, {"blinded_by", {0, 2}}, {"points", Points(kSlots, "s")}, {"categories", "2"}};
  ExpectRefused(SendHop(Hop(2, Session(400), json::array({round2_set})).dump()),
                ErrorCode::kFailedPrecondition, "round 2 out of order", "round 2 first");
  ASSERT_TRUE(SendHop(Round1(Session(401)).dump()));
  ExpectRefused(SendHop(Round1(Session(401)).dump()), ErrorCode::kFailedPrecondition,
                "round 1 seen twice", "round 1 again");
  json narrower = round2_set;
  narrower["points"] = Points(3, "s");  // 3 slots a child for pgn and name keys
  json again = Hop(2, Session(401), json::array({narrower}));
  again["keys"] = 3;
  ExpectRefused(SendHop(again.dump()), ErrorCode::kFailedPrecondition, "round 2 out of order",
                "round 2 with other key types");
  // A set this node blinded already, sent back to it.
  json twice = {
      {"origin", 2}, {"blinded_by", {1, 2}}, {"points", Points(kSlots, "t")}, {"categories", "2"}};
  ExpectRefused(SendHop(Hop(2, Session(401), json::array({twice})).dump()),
                ErrorCode::kInvalidArgument, "already blinded by this node", "a set blinded twice");
  ExpectRefused(SendResult(ResultBody(Session(401)).dump()), ErrorCode::kFailedPrecondition,
                "no such session", "a result after the session failed");
  ExpectRefused(SendResult(ResultBody(Session(402)).dump()), ErrorCode::kFailedPrecondition,
                "no such session", "a result for no session");
}

// Wrong-state messages that reach the session's protocol end it: the
// scalar is wiped and the count is recorded as failed.
TEST_F(RegionHostileTest, MessagesInTheWrongStateEndTheSession) {
  // A result before this node has blinded every set.
  ASSERT_TRUE(SendHop(Round1(Session(450)).dump()));
  ExpectRefused(SendResult(ResultBody(Session(450)).dump()), ErrorCode::kFailedPrecondition,
                "region result: this node has not blinded every set yet", "a result after round 1");
  ExpectRefused(SendHop(Round2(Session(450)).dump()), ErrorCode::kFailedPrecondition,
                "round 2 out of order", "round 2 after the session ended");
  // Round 2 twice.
  ASSERT_TRUE(SendHop(Round1(Session(451)).dump()));
  ASSERT_TRUE(SendHop(Round2(Session(451)).dump()));
  ExpectRefused(SendHop(Round2(Session(451)).dump()), ErrorCode::kFailedPrecondition,
                "region hop: round 2 out of order", "round 2 again");
  ExpectRefused(SendResult(ResultBody(Session(451)).dump()), ErrorCode::kFailedPrecondition,
                "no such session", "the result after that");
  // A result twice.
  ASSERT_TRUE(SendHop(Round1(Session(452)).dump()));
  ASSERT_TRUE(SendHop(Round2(Session(452)).dump()));
  ASSERT_TRUE(SendResult(ResultBody(Session(452)).dump()));
  ExpectRefused(SendResult(ResultBody(Session(452)).dump()), ErrorCode::kFailedPrecondition,
                "no such session", "the result again");
}

// A count the coordinator leaves unfinished is dropped after the time to
// live (600 s, on the node's clock) and recorded as failed; the coordinator's
// late round 2 then finds no session.
TEST_F(RegionHostileTest, ACountTheCoordinatorDoesNotFinishInTimeIsDroppedAndRecorded) {
  ASSERT_TRUE(SendHop(Round1(Session(500)).dump()));
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
  ExpectRefused(SendHop(Round2(Session(500)).dump()), ErrorCode::kFailedPrecondition,
                "round 2 out of order", "round 2 after the session expired");
}

TEST_F(RegionHostileTest, ResultFieldsOfTheWrongTypeAreRefused) {
  ASSERT_TRUE(SendHop(Round1(Session(500)).dump()));
  ASSERT_TRUE(SendHop(Round2(Session(500)).dump()));
  const json wrong[] = {json(), json("9"), json(-1), json(9.5), json::object(), json(true)};
  for (const char* field :
       {"v", "session", "distinct", "single_list", "list_sizes", "participants"}) {
    for (const json& value : wrong) {
      json result = ResultBody(Session(500));
      result[field] = value;
      auto r = SendResult(result.dump());
      ASSERT_FALSE(r) << field << " = " << value.dump() << " accepted";
      EXPECT_NE(r.error().code, ErrorCode::kInternal);
    }
  }
  json sizes = ResultBody(Session(500));
  sizes["list_sizes"] = {2, "5", 3};
  ExpectRefused(SendResult(sizes.dump()), ErrorCode::kInvalidArgument, "list_sizes",
                "a string size");
  json names = ResultBody(Session(500));
  names["participants"] = {"a", 2, "c"};
  ExpectRefused(SendResult(names.dump()), ErrorCode::kInvalidArgument, "participants",
                "a number for a name");
  json categories = ResultBody(Session(500));
  categories["by_category"] = {3, -1, 0, 5};
  ExpectRefused(SendResult(categories.dump()), ErrorCode::kInvalidArgument, "by_category",
                "a negative category count");
  // The session is still open: the honest result completes it.
  auto done = SendResult(ResultBody(Session(500)).dump());
  ASSERT_TRUE(done) << done.error().message;
  auto latest = LatestRegionalCount(*node_->node().store);
  ASSERT_TRUE(latest && *latest);
  EXPECT_EQ((*latest)->distinct, 9u);
  EXPECT_EQ((*latest)->list_sizes, (std::vector<uint64_t>{2, 5, 3}));
}

TEST_F(RegionHostileTest, AResultThatDoesNotMatchThisListEndsTheSession) {
  ASSERT_TRUE(SendHop(Round1(Session(600)).dump()));
  ASSERT_TRUE(SendHop(Round2(Session(600)).dump()));
  json wrong = ResultBody(Session(600));
  wrong["list_sizes"] = {2, 4, 3};
  ExpectRefused(SendResult(wrong.dump()), ErrorCode::kInvalidArgument,
                "does not match this node's list size", "another size for this node");
  ExpectRefused(SendResult(ResultBody(Session(600)).dump()), ErrorCode::kFailedPrecondition,
                "no such session", "the honest result after that");
  json short_sizes = ResultBody(Session(601));
  ASSERT_TRUE(SendHop(Round1(Session(601)).dump()));
  ASSERT_TRUE(SendHop(Round2(Session(601)).dump()));
  short_sizes["list_sizes"] = {2, 5};
  ExpectRefused(SendResult(short_sizes.dump()), ErrorCode::kInvalidArgument,
                "does not match this node's list size", "two sizes for three nodes");
}

TEST_F(RegionHostileTest, ErrorsNeverEchoTheBody) {
  const std::string secret = "geheim-123456782";
  int n = 700;
  std::vector<std::string> bodies;
  for (const char* field : {"session", "v", "keys", "index"}) {
    json hop = Round1(Session(n++));
    hop[field] = secret;
    bodies.push_back(hop.dump());
  }
  // A purpose that is a well-formed activity id is named in the refusal (it
  // is public: both registers hold it); anything else is not.
  json purpose = Round1(Session(n++));
  purpose["purpose"] = "Geheim 123456782";
  bodies.push_back(purpose.dump());
  json set = CoordinatorSet();
  set["categories"] = secret;
  bodies.push_back(Hop(1, Session(n++), json::array({set})).dump());
  set = CoordinatorSet();
  set["points"] = secret;
  bodies.push_back(Hop(1, Session(n++), json::array({set})).dump());
  bodies.push_back(secret);
  for (const std::string& body : bodies) {
    auto r = SendHop(body);
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, Not(HasSubstr("123456782"))) << r.error().message;
    EXPECT_THAT(r.error().message, Not(HasSubstr("geheim"))) << r.error().message;
  }
  json result = ResultBody(secret);
  auto r = SendResult(result.dump());
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, Not(HasSubstr("geheim")));
}

}  // namespace
}  // namespace inbeeld::node::region
