// node/datadir/witness_state_store.h on a real SQLCipher store: a peer's
// witnessed checkpoints move to its new key, a clash of sizes is won by the
// moved one, and other peers' checkpoints stay where they are.
#include "node/datadir/witness_state_store.h"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>

#include "crypto/secret_bytes.h"
#include "crypto/signing.h"
#include "node/audit/audit_log.h"
#include "node/store/store.h"
#include "tests/support/fake_clock.h"
#include "tests/support/subprocess.h"

namespace inbeeld::node {
namespace {

using testing::FakeClock;
using testing::TempDir;

constexpr const char* kOld = "ed25519:01";
constexpr const char* kNew = "ed25519:02";
constexpr const char* kOther = "ed25519:03";

audit::SignedCheckpoint Checkpoint(uint64_t size, const std::string& note) {
  audit::SignedCheckpoint c;
  c.size = size;
  c.root[0] = static_cast<uint8_t>(size);
  c.note = note;
  return c;
}

TEST(WitnessStateStoreTest, APeersCheckpointsMoveToItsNewKeyAndWinAClash) {
  TempDir tmp;
  FakeClock clock("2031-05-01T09:00:00Z");
  auto key = crypto::SecretBytes::Random(32);
  auto store = Store::Open(tmp.path() / "inbeeld.db", key, /*create=*/true, clock);
  ASSERT_TRUE(store) << store.error().message;
  auto signing = crypto::SigningKey::Generate();
  audit::AuditLog log(**store, signing);
  ASSERT_TRUE(log.StoreWitnessed(kOld, Checkpoint(3, "old 3")));
  ASSERT_TRUE(log.StoreWitnessed(kOld, Checkpoint(5, "old 5")));
  ASSERT_TRUE(log.StoreWitnessed(kNew, Checkpoint(5, "new 5")));
  ASSERT_TRUE(log.StoreWitnessed(kOther, Checkpoint(4, "other 4")));

  ASSERT_TRUE(WitnessStateStore(**store).MoveToNewKey(kOld, kNew));

  auto old_latest = log.LastWitnessed(kOld);
  ASSERT_TRUE(old_latest);
  EXPECT_FALSE(old_latest->has_value());
  auto new_latest = log.LastWitnessed(kNew);
  ASSERT_TRUE(new_latest);
  ASSERT_TRUE(new_latest->has_value());
  EXPECT_EQ((*new_latest)->size, 5u);
  EXPECT_EQ((*new_latest)->note, "old 5");  // what was witnessed under the old key
  auto new_three = log.WitnessedAtMost(kNew, 4);
  ASSERT_TRUE(new_three);
  ASSERT_TRUE(new_three->has_value());
  EXPECT_EQ((*new_three)->note, "old 3");
  auto other = log.LastWitnessed(kOther);
  ASSERT_TRUE(other);
  ASSERT_TRUE(other->has_value());
  EXPECT_EQ((*other)->note, "other 4");

  // Nothing under the old key any more: moving again changes nothing.
  ASSERT_TRUE(WitnessStateStore(**store).MoveToNewKey(kOld, kNew));
  auto again = log.LastWitnessed(kNew);
  ASSERT_TRUE(again);
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ((*again)->note, "old 5");
}

}  // namespace
}  // namespace inbeeld::node
