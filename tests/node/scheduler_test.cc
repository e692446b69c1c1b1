// `serve`'s scheduler (node/schedule/scheduler.h), in process, on an injected
// clock and a fake network: a peer that is down at the scheduled sync is
// retried alone with backoff, synced when it comes back, and named in the log
// by its configured name only.
#include "node/schedule/scheduler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "node/clock/timestamp.h"
#include "schema/synthetic.h"
#include "tests/support/fake_clock.h"
#include "tests/support/in_process_node.h"

namespace inbeeld::node::schedule {
namespace {

using testing::FakeClock;
using ::testing::HasSubstr;
using testing::InProcessNode;
using ::testing::Not;

constexpr char kPurpose[] = "thuiszitters-afstemming";

// Peers as the sync sees them through sync::SyncOptions::exchange: each call is
// noted with the clock's time; a peer in `down` is unreachable.
struct FakePeers {
  std::set<std::string> down;
  std::set<std::string> refusing;
  std::vector<std::string> calls;  // "peer@2031-02-28T23:58:00Z"
  uint8_t sessions = 0;

  Result<exchange::MatchReport> Exchange(UnlockedNode& node, const exchange::MatchRequest& r) {
    calls.push_back(r.peer + "@" + NowIso(node.clock()));
    if (down.contains(r.peer)) {
      // As net::Client says it: an address the log must not repeat.
      return Fail(ErrorCode::kUnavailable, "peer " + r.peer + " at 192.0.2.7:8443 is unreachable");
    }
    if (refusing.contains(r.peer)) {
      return Fail(ErrorCode::kResourceExhausted, "the daily session limit was reached");
    }
    exchange::MatchReport report;
    report.session.id[0] = ++sessions;
    report.session.peer = r.peer;
    report.session.status = "completed";
    return report;
  }
  // Calls since `from` (an index into calls), for one look at a Tick.
  std::vector<std::string> Since(size_t from) const {
    return std::vector<std::string>(calls.begin() + static_cast<ptrdiff_t>(from), calls.end());
  }
};

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUpAt(const std::string& start, int every_days) {
    clock_.Set(start);
    node_ = std::make_unique<InProcessNode>(clock_);
    node_->Import(schema::GenerateList(5, 6, {2031, 1, 1}), {2031, 1, 1});
    config::NodeConfig& config = node_->config();
    config.sync.purpose = kPurpose;
    config.sync.every_days = every_days;
    config.sync.purge_every_hours = 24 * 365;  // not what these tests are about
    for (const auto& [name, key] : {std::pair{"swv-vo", 'a'}, std::pair{"school-a", 'b'}}) {
      config::PeerConfig peer;
      peer.name = name;
      peer.address = "192.0.2.7:8443";
      peer.key = "ed25519:" + std::string(64, key);
      peer.policy.allowed_purposes = {kPurpose};
      config.peers.push_back(peer);
    }
  }

  Scheduler MakeScheduler() {
    sync::SyncOptions options;
    options.exchange = [this](UnlockedNode& node, const exchange::MatchRequest& r) {
      return peers_.Exchange(node, r);
    };
    return Scheduler(node_->node(), log_, std::move(options));
  }

  // The run's outcome per peer, as stored.
  std::map<std::string, std::string> StoredOutcomes(int64_t run_id) {
    auto runs = sync::RecentSyncRuns(*node_->node().store, 10);
    EXPECT_TRUE(runs) << runs.error().message;
    std::map<std::string, std::string> out;
    if (!runs) return out;
    for (const auto& run : *runs) {
      if (run.run_id != run_id) continue;
      for (const auto& p : run.peers) out[p.peer] = p.status;
    }
    return out;
  }

  FakeClock clock_{"2031-01-01T00:00:00Z"};
  std::unique_ptr<InProcessNode> node_;
  FakePeers peers_;
  std::ostringstream log_;
};

TEST(SchedulerRetryDelayTest, DoublesFromAMinuteToAtMostAnHour) {
  std::vector<int> minutes;
  for (int retry = 1; retry <= 9; ++retry) {
    minutes.push_back(static_cast<int>(Scheduler::RetryDelay(retry).count()));
  }
  EXPECT_EQ(minutes, (std::vector<int>{1, 2, 4, 8, 16, 32, 60, 60, 60}));
}

TEST_F(SchedulerTest, APeerDownAtTheScheduledSyncIsRetriedAndSyncedWhenItComesBack) {
  SetUpAt("2031-02-28T23:58:00Z", 21);
  peers_.down = {"swv-vo"};
  {
    Scheduler scheduler = MakeScheduler();
    scheduler.Tick();  // the first scheduled sync: none ran before
    EXPECT_EQ(peers_.Since(0), (std::vector<std::string>{"swv-vo@2031-02-28T23:58:00Z",
                                                         "school-a@2031-02-28T23:58:00Z"}));
    EXPECT_THAT(log_.str(), HasSubstr("scheduled sync 1: 2 peers, 1 not completed\n"));
    EXPECT_THAT(log_.str(), HasSubstr("scheduled sync 1: peer swv-vo not reached (unavailable); "
                                      "retry 1 at 2031-02-28T23:59:00Z\n"));
    EXPECT_EQ(StoredOutcomes(1), (std::map<std::string, std::string>{{"school-a", "completed"},
                                                                     {"swv-vo", "failed"}}));

    clock_.Set("2031-02-28T23:58:59Z");
    scheduler.Tick();
    EXPECT_EQ(peers_.calls.size(), 2u) << "retried before its time";

    clock_.Set("2031-02-28T23:59:00Z");
    scheduler.Tick();  // retry 1, alone: the school is not asked again
    EXPECT_EQ(peers_.Since(2), (std::vector<std::string>{"swv-vo@2031-02-28T23:59:00Z"}));
    EXPECT_THAT(log_.str(), HasSubstr("scheduled sync 1: peer swv-vo still not reached "
                                      "(unavailable); retry 2 at 2031-03-01T00:01:00Z\n"));
  }
  // `serve` restarts: the pending retry is in the store, not in the scheduler.
  Scheduler scheduler = MakeScheduler();
  clock_.Set("2031-03-01T00:01:00Z");
  scheduler.Tick();  // retry 2
  EXPECT_EQ(peers_.Since(3), (std::vector<std::string>{"swv-vo@2031-03-01T00:01:00Z"}));
  EXPECT_THAT(log_.str(), HasSubstr("retry 3 at 2031-03-01T00:05:00Z\n"));

  peers_.down.clear();  // the peer is back
  clock_.Set("2031-03-01T00:04:59Z");
  scheduler.Tick();
  EXPECT_EQ(peers_.calls.size(), 4u);
  clock_.Set("2031-03-01T00:05:00Z");
  scheduler.Tick();  // retry 3
  EXPECT_EQ(peers_.Since(4), (std::vector<std::string>{"swv-vo@2031-03-01T00:05:00Z"}));
  EXPECT_THAT(log_.str(), HasSubstr("scheduled sync 1: peer swv-vo synced on retry 3\n"));
  // One run, now complete: the overview compares it as a whole.
  EXPECT_EQ(StoredOutcomes(1), (std::map<std::string, std::string>{{"school-a", "completed"},
                                                                   {"swv-vo", "completed"}}));

  for (int minute = 0; minute < 120; ++minute) {
    clock_.Advance(std::chrono::minutes(1));
    scheduler.Tick();
  }
  EXPECT_EQ(peers_.calls.size(), 5u) << "nothing more until the next period";
  // The peer by name only: not the address or the key in the error.
  EXPECT_THAT(log_.str(), Not(HasSubstr("192.0.2.7")));
  EXPECT_THAT(log_.str(), Not(HasSubstr("ed25519:")));
}

TEST_F(SchedulerTest, RetriesBackOffToHourlyAndStopWhenTheNextSyncIsDue) {
  SetUpAt("2028-02-28T12:00:00Z", 1);
  peers_.down = {"swv-vo"};
  Scheduler scheduler = MakeScheduler();
  // `serve` ticks every minute: a day and a minute of them, over 29 February.
  for (int minute = 0; minute <= 24 * 60 + 1; ++minute) {
    scheduler.Tick();
    clock_.Advance(std::chrono::minutes(1));
  }
  std::vector<std::string> swv;
  for (const std::string& call : peers_.calls) {
    if (call.starts_with("swv-vo@")) swv.push_back(call.substr(7));
  }
  // Minutes after the scheduled sync at which the peer was tried.
  std::vector<int> at;
  const auto start = *ParseIsoUtc("2028-02-28T12:00:00Z");
  for (const std::string& t : swv) {
    at.push_back(static_cast<int>(
        std::chrono::duration_cast<std::chrono::minutes>(*ParseIsoUtc(t) - start).count()));
  }
  std::vector<int> expected = {0, 1, 3, 7, 15, 31, 63};
  for (int m = 123; m < 24 * 60; m += 60) expected.push_back(m);  // then hourly
  expected.push_back(24 * 60);      // the next scheduled sync, on 29 February
  expected.push_back(24 * 60 + 1);  // and its first retry
  EXPECT_EQ(at, expected);
  EXPECT_THAT(log_.str(), HasSubstr("scheduled sync 1: peer swv-vo still not reached "
                                    "(unavailable); the next sync at 2028-02-29T12:00:00Z tries "
                                    "again\n"));
  EXPECT_THAT(log_.str(), HasSubstr("scheduled sync 2: 2 peers, 1 not completed\n"));
  EXPECT_EQ(std::count_if(peers_.calls.begin(), peers_.calls.end(),
                          [](const std::string& c) { return c.starts_with("school-a@"); }),
            2);
}

TEST_F(SchedulerTest, ANewListEndsTheRetriesUntilTheNextSync) {
  SetUpAt("2031-02-28T12:00:00Z", 21);
  peers_.down = {"swv-vo"};
  Scheduler scheduler = MakeScheduler();
  scheduler.Tick();
  node_->Import(schema::GenerateList(6, 6, {2031, 2, 28}), {2031, 2, 28});
  peers_.down.clear();
  clock_.Advance(std::chrono::minutes(1));
  scheduler.Tick();
  EXPECT_EQ(peers_.calls.size(), 2u) << "the new list would be matched inside the old run";
  EXPECT_THAT(log_.str(), HasSubstr("scheduled sync 1: peer swv-vo not retried: a new list was "
                                    "imported since sync run 1\n"));
  clock_.Advance(std::chrono::hours(1));
  scheduler.Tick();
  EXPECT_EQ(peers_.calls.size(), 2u);
}

TEST_F(SchedulerTest, APeerThatRefusesOnARetryIsNotRetriedAgain) {
  SetUpAt("2031-02-28T12:00:00Z", 21);
  peers_.down = {"swv-vo"};
  Scheduler scheduler = MakeScheduler();
  scheduler.Tick();
  peers_.down.clear();
  peers_.refusing = {"swv-vo"};
  clock_.Advance(std::chrono::minutes(1));
  scheduler.Tick();
  EXPECT_THAT(log_.str(), HasSubstr("scheduled sync 1: peer swv-vo refused on retry 1 "
                                    "(resource_exhausted); not retried again\n"));
  EXPECT_EQ(StoredOutcomes(1),
            (std::map<std::string, std::string>{{"school-a", "completed"}, {"swv-vo", "refused"}}));
  clock_.Advance(std::chrono::hours(2));
  scheduler.Tick();
  EXPECT_EQ(peers_.calls.size(), 3u);
}

// The pending retry is stored as JSON in the store and read strictly: a
// damaged one (here a member written twice: which run would be retried?) is
// dropped with a line in the log, and the next scheduled sync covers the
// peer instead of a guess.
TEST_F(SchedulerTest, ADamagedPendingRetryIsDroppedNotGuessed) {
  SetUpAt("2031-02-28T12:00:00Z", 21);
  peers_.down = {"swv-vo"};
  Scheduler scheduler = MakeScheduler();
  scheduler.Tick();
  auto saved = node_->node().store->GetMeta("sync_retry");
  ASSERT_TRUE(saved) << saved.error().message;
  ASSERT_TRUE(saved->starts_with("{")) << *saved;
  std::string damaged = *saved;
  damaged.insert(1, "\"run\":7,");
  ASSERT_TRUE(node_->node().store->PutMeta("sync_retry", damaged));
  peers_.down.clear();
  clock_.Advance(std::chrono::minutes(1));
  scheduler.Tick();
  EXPECT_THAT(log_.str(),
              HasSubstr("scheduled sync: the pending retry is unreadable and dropped\n"));
  EXPECT_EQ(peers_.calls.size(), 2u) << "nothing was retried";
  auto cleared = node_->node().store->GetMeta("sync_retry");
  ASSERT_TRUE(cleared);
  EXPECT_EQ(*cleared, "");
}

}  // namespace
}  // namespace inbeeld::node::schedule
