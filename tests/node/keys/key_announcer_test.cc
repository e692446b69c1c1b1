// serve's own retry of a key announcement (node/schedule/key_announcer.h), in
// process on a fake clock: a partner that was down when the key changed is
// told again at the first tick, then with backoff, until it has the new key;
// then the old key is erased and ticks only read the store.
#include "node/schedule/key_announcer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>

#include "tests/support/fake_clock.h"
#include "tests/support/in_process_node.h"
#include "tests/support/partner_config.h"

namespace inbeeld::node::schedule {
namespace {

using ::testing::HasSubstr;

class KeyAnnouncerTest : public ::testing::Test {
 protected:
  KeyAnnouncerTest() : clock_("2031-03-04T09:00:00Z"), ik_(clock_, "ik") {
    for (const char* name : {"partner-a", "partner-b"}) {
      ik_.config().peers.push_back(testing::UnservedPartner(name));
    }
  }

  UnlockedNode& node() { return ik_.node(); }

  // Partners in `reachable_` accept; the others cannot be reached.
  SendAnnouncement Send() {
    return [this](const config::PeerConfig& peer, const crypto::SigningKey&,
                  std::span<const uint8_t>) -> Status {
      ++sent_[peer.name];
      if (!reachable_.contains(peer.name)) {
        return Fail(ErrorCode::kUnavailable, "peer " + peer.name + " cannot be reached");
      }
      return {};
    };
  }

  KeyRotationState State() {
    auto state = ReadKeyRotationState(*node().store);
    EXPECT_TRUE(state) << state.error().message;
    return state ? *state : KeyRotationState{};
  }

  testing::FakeClock clock_;
  testing::InProcessNode ik_;
  std::set<std::string> reachable_;
  std::map<std::string, int> sent_;
  std::ostringstream log_;
};

TEST_F(KeyAnnouncerTest, NothingPendingMeansNothingSent) {
  KeyAnnouncer announcer(node(), log_, Send());
  announcer.Tick();
  clock_.Advance(std::chrono::hours(5));
  announcer.Tick();
  EXPECT_TRUE(sent_.empty());
  EXPECT_EQ(log_.str(), "");
}

TEST_F(KeyAnnouncerTest, APartnerThatWasDownIsToldWithBackoffUntilItHasTheKey) {
  ASSERT_TRUE(SwitchIdentityKey(NodeDir(node().root, clock_), node()));
  reachable_ = {"partner-a"};
  KeyAnnouncer announcer(node(), log_, Send());

  announcer.Tick();  // at once
  EXPECT_EQ(sent_, (std::map<std::string, int>{{"partner-a", 1}, {"partner-b", 1}}));
  EXPECT_THAT(log_.str(), HasSubstr("key announcement: partner partner-a now pins the new key\n"));
  EXPECT_THAT(log_.str(), HasSubstr("key announcement: partner partner-b not yet: "));
  EXPECT_THAT(log_.str(), HasSubstr("key announcement: 1 partner(s) still pin the old key; the "
                                    "next attempt at 2031-03-04T09:01:00Z\n"));
  EXPECT_EQ(State().pending, std::vector<std::string>{"partner-b"});

  announcer.Tick();  // before the next attempt is due
  EXPECT_EQ(sent_["partner-b"], 1);
  clock_.Advance(std::chrono::minutes(1));
  announcer.Tick();  // the first retry, still down: the wait doubles
  EXPECT_EQ(sent_["partner-b"], 2);
  EXPECT_EQ(sent_["partner-a"], 1) << "a partner that has the key is not asked again";
  EXPECT_THAT(log_.str(), HasSubstr("the next attempt at 2031-03-04T09:03:00Z\n"));
  clock_.Advance(std::chrono::seconds(119));
  announcer.Tick();
  EXPECT_EQ(sent_["partner-b"], 2);

  reachable_.insert("partner-b");
  clock_.Advance(std::chrono::seconds(1));
  announcer.Tick();
  EXPECT_EQ(sent_["partner-b"], 3);
  EXPECT_THAT(log_.str(), HasSubstr("key announcement: every partner has the new key; the old "
                                    "key is erased; make a new backup\n"));
  EXPECT_TRUE(State().pending.empty());
  EXPECT_FALSE(State().previous_key_kept);

  clock_.Advance(std::chrono::hours(2));
  announcer.Tick();
  EXPECT_EQ(sent_["partner-b"], 3) << "done: nothing more is sent";
}

TEST_F(KeyAnnouncerTest, APartnerRemovedMeanwhileIsDroppedNotWaitedFor) {
  ASSERT_TRUE(SwitchIdentityKey(NodeDir(node().root, clock_), node()));
  reachable_ = {"partner-a"};
  KeyAnnouncer announcer(node(), log_, Send());
  announcer.Tick();
  std::erase_if(ik_.config().peers,
                [](const config::PeerConfig& p) { return p.name == "partner-b"; });
  clock_.Advance(std::chrono::minutes(1));
  announcer.Tick();
  EXPECT_THAT(log_.str(), HasSubstr("key announcement: every partner has the new key"));
  EXPECT_FALSE(State().previous_key_kept);
}

}  // namespace
}  // namespace inbeeld::node::schedule
