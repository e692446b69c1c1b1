// NodeDir::ChangePassphrase in process: the store is re-keyed, nothing is
// lost, and a crash after any step (the fault seam) leaves a node that one
// of the two passphrases opens (node/datadir/node_dir.h).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "node/audit/audit_log.h"
#include "node/datadir/node_dir.h"
#include "schema/synthetic.h"
#include "tests/support/fake_clock.h"
#include "tests/support/subprocess.h"

namespace inbeeld {
namespace {

namespace fs = std::filesystem;

const testing::FakeClock kClock{"2026-11-22T10:00:00Z"};

crypto::SecretBytes Secret(const std::string& text) {
  return crypto::SecretBytes::CopyFrom(
      std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

class PassphraseChangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node::InitOptions options;
    options.config.node_name = "Leerplicht Test";
    options.config.organisation = "Gemeente Test";
    options.config.role = config::Role::kLeerplicht;
    options.kdf_profile = "interactive";
    ASSERT_TRUE(dir_.Initialise(options, Secret(kOld)));
    auto node = dir_.Unlock(Secret(kOld));
    ASSERT_TRUE(node) << node.error().message;
    auto rows = schema::GenerateList(7, 40, schema::Date{2026, 11, 1});
    ASSERT_TRUE(node->store->ImportList(rows, schema::Date{2026, 11, 1}, "lijst.csv",
                                        node->subject_key, node->field_key));
  }

  Status Change(const std::string& from, const std::string& to) {
    return dir_.ChangePassphrase(Secret(from), [&] { return Result<crypto::SecretBytes>(Secret(to)); });
  }

  // Opens with `passphrase` and checks the list and how many changes the
  // log holds.
  void ExpectOpensIntact(const std::string& passphrase, int changed) {
    auto node = dir_.Unlock(Secret(passphrase));
    ASSERT_TRUE(node) << node.error().message;
    auto version = node->store->CurrentVersion();
    ASSERT_TRUE(version && *version);
    EXPECT_EQ((*version)->row_count, 40);
    auto rows = node->store->LoadRows((*version)->id, node::Unseal::kEverything, node->field_key);
    ASSERT_TRUE(rows);
    EXPECT_EQ(rows->size(), 40u);
    EXPECT_TRUE(node->store->CheckIntegrity());
    node::audit::AuditLog log(*node->store, node->identity);
    auto records = log.Records({});
    ASSERT_TRUE(records);
    int changes = 0;
    for (const auto& r : *records) changes += r.record.name == "inbeeld.node.passphrase.changed";
    EXPECT_EQ(changes, changed);
    EXPECT_TRUE(log.Checkpoint()) << "the log must still extend its last checkpoint";
    auto meta = dir_.ReadMetadata();
    ASSERT_TRUE(meta);
    EXPECT_FALSE(meta->rekey) << "an unlock settles an interrupted change";
    EXPECT_FALSE(fs::exists(dir_.RekeyPath()));
  }

  void ExpectWrong(const std::string& passphrase) {
    auto node = dir_.Unlock(Secret(passphrase));
    ASSERT_FALSE(node);
    EXPECT_EQ(node.error().code, ErrorCode::kUnauthenticated) << node.error().message;
  }

  static constexpr const char* kOld = "the old passphrase, long enough";
  static constexpr const char* kNew = "a new passphrase, also long enough";
  testing::TempDir tmp_;
  node::NodeDir dir_{tmp_.path() / "node", kClock};
};

TEST_F(PassphraseChangeTest, TheNewPassphraseOpensEverythingAndTheOldOneNoLonger) {
  ASSERT_TRUE(Change(kOld, kNew));
  ExpectWrong(kOld);
  ExpectOpensIntact(kNew, /*changed=*/1);
  // And back again: a second change works on a node changed once.
  ASSERT_TRUE(Change(kNew, kOld));
  ExpectWrong(kNew);
  auto node = dir_.Unlock(Secret(kOld));
  ASSERT_TRUE(node) << node.error().message;
}

TEST_F(PassphraseChangeTest, AWrongCurrentPassphraseIsRefusedBeforeAskingForTheNewOne) {
  bool asked = false;
  Status changed = dir_.ChangePassphrase(Secret("not the passphrase at all"), [&] {
    asked = true;
    return Result<crypto::SecretBytes>(Secret(kNew));
  });
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code, ErrorCode::kUnauthenticated);
  EXPECT_FALSE(asked);
  ExpectOpensIntact(kOld, /*changed=*/0);
}

TEST_F(PassphraseChangeTest, TheSamePassphraseIsRefused) {
  Status changed = Change(kOld, kOld);
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().code, ErrorCode::kInvalidArgument);
  ExpectOpensIntact(kOld, /*changed=*/0);
}

TEST_F(PassphraseChangeTest, RefusedWhileAnotherUnlockedNodeHoldsTheStore) {
  {
    auto serving = dir_.Unlock(Secret(kOld));  // as `serve` would
    ASSERT_TRUE(serving);
    Status changed = Change(kOld, kNew);
    ASSERT_FALSE(changed);
    EXPECT_EQ(changed.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_NE(changed.error().message.find("another inbeeld process"), std::string::npos);
  }
  ExpectOpensIntact(kOld, /*changed=*/0);
}

// A crash after each step, then the first unlock with either passphrase.
struct Crash {
  const char* step;
  bool old_opens;  // before anyone settled it
  bool new_opens;
};

class PassphraseCrashTest : public PassphraseChangeTest,
                            public ::testing::WithParamInterface<std::tuple<Crash, bool>> {};

TEST_P(PassphraseCrashTest, LeavesANodeThatOneOfTheTwoPassphrasesOpens) {
  const auto [crash, new_first] = GetParam();
  dir_.SetFaultHookForTesting([step = std::string(crash.step)](std::string_view at) -> Status {
    if (at == step) return Fail(ErrorCode::kInternal, "crash after " + step);
    return {};
  });
  Status changed = Change(kOld, kNew);
  ASSERT_FALSE(changed);
  ASSERT_EQ(changed.error().message, std::string("crash after ") + crash.step);
  dir_.SetFaultHookForTesting({});

  const std::string first = new_first ? kNew : kOld;
  const std::string second = new_first ? kOld : kNew;
  const bool first_opens = new_first ? crash.new_opens : crash.old_opens;
  ASSERT_TRUE(crash.old_opens || crash.new_opens);
  if (first_opens) {
    // The first unlock settles the change its way; the other passphrase is
    // then wrong.
    ExpectOpensIntact(first, /*changed=*/new_first ? 1 : 0);
    ExpectWrong(second);
  } else {
    auto refused = dir_.Unlock(Secret(first));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kUnauthenticated);
    ExpectOpensIntact(second, /*changed=*/new_first ? 0 : 1);
  }
  // Whatever happened, a change from the passphrase in force works now.
  const std::string in_force = (first_opens ? new_first : !new_first) ? kNew : kOld;
  ASSERT_TRUE(Change(in_force, "yet another passphrase, long")) << "after " << crash.step;
  ExpectOpensIntact("yet another passphrase, long", /*changed=*/in_force == kNew ? 2 : 1);
}

INSTANTIATE_TEST_SUITE_P(
    EveryStep, PassphraseCrashTest,
    ::testing::Combine(::testing::Values(Crash{"exported", true, false},
                                         Crash{"pending", true, true},
                                         Crash{"renamed", false, true}),
                       ::testing::Bool()),
    [](const auto& param_info) {
      return std::string(std::get<0>(param_info.param).step) +
             (std::get<1>(param_info.param) ? "_NewFirst" : "_OldFirst");
    });

}  // namespace
}  // namespace inbeeld
