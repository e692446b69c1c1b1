// The daily session limit with a peer (node/exchange/policy.h), in process,
// against the node's injected clock: it is a rolling 24 hours, so a session
// stops counting exactly a day after it started, across a month end and a
// 29 February alike.
#include <gtest/gtest.h>

#include <string>

#include "node/exchange/policy.h"
#include "node/exchange/results_store.h"
#include "schema/synthetic.h"
#include "tests/support/fake_clock.h"
#include "tests/support/in_process_node.h"

namespace inbeeld::node::exchange {
namespace {

using testing::FakeClock;
using testing::InProcessNode;

class DailyLimitTest : public ::testing::Test {
 protected:
  void SetUpAt(const std::string& start) {
    clock_.Set(start);
    node_ = std::make_unique<InProcessNode>(clock_);
    version_ = node_->Import(schema::GenerateList(3, 4, {2030, 1, 1}), {2030, 1, 1}).id;
    peer_.name = "swv-test";
    peer_.policy.max_sessions_per_day = 2;
  }

  // A session with the peer started at the clock's now.
  void BeginSession() {
    ResultsStore results(*node_->node().store);
    SessionRecord r;
    r.id[0] = ++sessions_;
    r.role = "initiator";
    r.peer = peer_.name;
    r.peer_key = "ed25519:" + std::string(64, 'a');
    r.purpose = "thuiszitters-afstemming";
    r.list_version = version_;
    ASSERT_TRUE(results.Begin(r));
  }

  // OK, or the limit's code.
  std::string Check() {
    ResultsStore results(*node_->node().store);
    Status s = CheckDailyLimit(peer_, "initiator", results);
    return s ? "ok" : std::string(ErrorCodeName(s.error().code));
  }

  FakeClock clock_{"2031-01-01T00:00:00Z"};
  std::unique_ptr<InProcessNode> node_;
  int64_t version_ = 0;
  config::PeerConfig peer_;
  uint8_t sessions_ = 0;
};

TEST_F(DailyLimitTest, RollsOverADayAfterEachSessionAcrossTheMonthEnd) {
  SetUpAt("2031-02-28T09:00:00Z");
  BeginSession();
  EXPECT_EQ(Check(), "ok");
  clock_.Set("2031-02-28T10:00:00Z");
  BeginSession();
  EXPECT_EQ(Check(), "resource_exhausted");
  clock_.Set("2031-03-01T09:00:00Z");  // the first session started exactly a day ago
  EXPECT_EQ(Check(), "resource_exhausted");
  clock_.Set("2031-03-01T09:00:01Z");
  EXPECT_EQ(Check(), "ok");
  BeginSession();
  EXPECT_EQ(Check(), "resource_exhausted");
  clock_.Set("2031-03-01T10:00:01Z");
  EXPECT_EQ(Check(), "ok");
}

TEST_F(DailyLimitTest, RollsOverOnALeapDay) {
  SetUpAt("2028-02-28T23:30:00Z");
  BeginSession();
  clock_.Set("2028-02-29T00:30:00Z");
  BeginSession();
  clock_.Set("2028-02-29T23:30:00Z");
  EXPECT_EQ(Check(), "resource_exhausted");
  clock_.Set("2028-02-29T23:30:01Z");
  EXPECT_EQ(Check(), "ok");
  clock_.Set("2028-03-01T00:30:01Z");
  BeginSession();
  BeginSession();
  EXPECT_EQ(Check(), "resource_exhausted");
}

}  // namespace
}  // namespace inbeeld::node::exchange
