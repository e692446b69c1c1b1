// KeyRotationResponder (node/datadir/key_rotation.h) in process, on a FakeClock: an
// accepted announcement re-pins the peer in inbeeld.toml, moves its witness
// state and is in the log; forged and replayed ones are refused and logged.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "node/audit/audit_log.h"
#include "node/datadir/key_rotation.h"
#include "node/keys/rotation.h"
#include "tests/support/fake_clock.h"
#include "tests/support/subprocess.h"

namespace inbeeld {
namespace {

const testing::FakeClock kClock{"2026-11-22T10:00:00Z"};
constexpr const char* kPeer = "leerplicht-x";

crypto::SecretBytes Secret(const std::string& text) {
  return crypto::SecretBytes::CopyFrom(
      std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

uint64_t Now() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(kClock.Now().time_since_epoch()).count());
}

size_t Records(node::UnlockedNode& node, const std::string& name) {
  node::audit::AuditLog log(*node.store, node.identity);
  auto records = log.Records({});
  EXPECT_TRUE(records);
  size_t n = 0;
  for (const auto& r : *records) n += r.record.name == name;
  return n;
}

class RotationResponderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node::InitOptions options;
    options.config.node_name = "SWV Test";
    options.config.organisation = "SWV";
    options.config.role = config::Role::kSwv;
    options.kdf_profile = "interactive";
    ASSERT_TRUE(dir_.Initialise(options, Secret(kPass)));
    config::PeerConfig peer;
    peer.name = kPeer;
    peer.address = "127.0.0.1:9";
    peer.key = old_.PublicKey().Fingerprint();
    peer.role = config::Role::kLeerplicht;
    peer.policy.allowed_purposes = {"thuiszitters-afstemming"};
    ASSERT_TRUE(dir_.AddPeer(peer));
    auto node = dir_.Unlock(Secret(kPass));
    ASSERT_TRUE(node) << node.error().message;
    node_.emplace(std::move(*node));
    // What this node witnessed of the peer's log under the old key.
    node::audit::AuditLog log(*node_->store, node_->identity);
    ASSERT_TRUE(log.StoreWitnessed(old_.PublicKey().Fingerprint(),
                                   {.size = 7, .root = {}, .note = "a checkpoint"}));
    responder_.emplace(dir_, *node_, [this](const std::string& name) { repinned_.push_back(name); });
  }
  std::string Body(const crypto::SigningKey& signer, const crypto::SigningKey& next, uint64_t at) {
    auto m = node::keys::Announce(signer, next, "Leerplicht X", at);
    EXPECT_TRUE(m);
    return std::string(m->begin(), m->end());
  }
  std::string Toml() { return testing::ReadFile(dir_.ConfigPath()); }

  static constexpr const char* kPass = "a passphrase for the swv";
  testing::TempDir tmp_;
  node::NodeDir dir_{tmp_.path() / "node", kClock};
  crypto::SigningKey old_ = crypto::SigningKey::Generate();
  crypto::SigningKey new_ = crypto::SigningKey::Generate();
  std::optional<node::UnlockedNode> node_;
  std::optional<node::KeyRotationResponder> responder_;
  std::vector<std::string> repinned_;
};

TEST_F(RotationResponderTest, AnAcceptedRotationRePinsMovesTheWitnessStateAndIsLogged) {
  const std::string before = Toml();
  const size_t edits = Records(*node_, "inbeeld.config.changed");  // the peer add
  auto answer = responder_->Handle(kPeer, Body(old_, new_, Now()));
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(*answer, "{\"pinned\":\"" + new_.PublicKey().Fingerprint() + "\"}");
  // Only the key changed in the file.
  std::string expected = before;
  expected.replace(expected.find(old_.PublicKey().Fingerprint()), old_.PublicKey().Fingerprint().size(),
                   new_.PublicKey().Fingerprint());
  EXPECT_EQ(Toml(), expected);
  EXPECT_EQ(repinned_, std::vector<std::string>{kPeer});
  node::audit::AuditLog log(*node_->store, node_->identity);
  auto moved = log.LastWitnessed(new_.PublicKey().Fingerprint());
  ASSERT_TRUE(moved && *moved);
  EXPECT_EQ((*moved)->size, 7u);
  auto left = log.LastWitnessed(old_.PublicKey().Fingerprint());
  ASSERT_TRUE(left);
  EXPECT_FALSE(*left);
  EXPECT_EQ(Records(*node_, "inbeeld.peer.key.rotated"), 1u);
  // The next unlock does not see a hand edit of the configuration.
  auto again = dir_.Unlock(Secret(kPass));
  ASSERT_TRUE(again);
  EXPECT_EQ(Records(*again, "inbeeld.config.changed"), edits);
}

TEST_F(RotationResponderTest, ForgedAndReplayedAnnouncementsAreRefusedAndLogged) {
  const std::string before = Toml();
  crypto::SigningKey mallory = crypto::SigningKey::Generate();
  auto forged = responder_->Handle(kPeer, Body(mallory, new_, Now()));
  ASSERT_FALSE(forged);
  EXPECT_EQ(forged.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(Toml(), before);
  EXPECT_EQ(Records(*node_, "inbeeld.peer.key.rotation_refused"), 1u);
  EXPECT_TRUE(repinned_.empty());

  const std::string body = Body(old_, new_, Now());
  ASSERT_TRUE(responder_->Handle(kPeer, body));
  // The same announcement again: the pin has moved on.
  auto replayed = responder_->Handle(kPeer, body);
  ASSERT_FALSE(replayed);
  EXPECT_EQ(replayed.error().code, ErrorCode::kUnauthenticated);
  // A rotation from the new key that is not newer than the accepted one.
  crypto::SigningKey third = crypto::SigningKey::Generate();
  auto older = responder_->Handle(kPeer, Body(new_, third, Now() - 1));
  ASSERT_FALSE(older);
  EXPECT_EQ(older.error().code, ErrorCode::kFailedPrecondition);
  // A peer that is not configured.
  EXPECT_FALSE(responder_->Handle("someone-else", Body(old_, third, Now())));
  EXPECT_EQ(Records(*node_, "inbeeld.peer.key.rotation_refused"), 4u);
  EXPECT_NE(Toml().find(new_.PublicKey().Fingerprint()), std::string::npos);
  EXPECT_EQ(Records(*node_, "inbeeld.peer.key.rotated"), 1u);
}

}  // namespace
}  // namespace inbeeld
