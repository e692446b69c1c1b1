// The announcing side of a key rotation in process (node/datadir/key_rotation.h):
// the switch hands the audit log from the old key to the new one in one
// transaction, an unlock finishes a switch cut off before node.json, the
// partners are told under the old key until each has the new one, and
// `audit verify` follows the key across the change and refuses an export
// that hides or invents one. Between real processes: key_lifecycle_test.cc.
#include "node/datadir/key_rotation.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "node/audit/base64.h"
#include "node/audit/exchange_records.h"
#include "node/audit/export.h"
#include "node/audit/verify.h"
#include "node/keys/rotation.h"
#include "tests/support/fake_clock.h"
#include "tests/support/in_process_node.h"
#include "tests/support/partner_config.h"

namespace inbeeld::node {
namespace {

// Verify options pinned to `key` (--expect-key), nothing else.
audit::VerifyOptions ExpectKey(const crypto::VerifyingKey& key) {
  audit::VerifyOptions options;
  options.node_key = key;
  return options;
}

// Every exchange-level record, no per-child ones.
audit::RecordFilter WithoutSubjects() {
  audit::RecordFilter filter;
  filter.include_subjects = false;
  return filter;
}

namespace fs = std::filesystem;
using nlohmann::json;

crypto::SecretBytes Passphrase() {
  const std::string text = "passphrase of an in-process test node";
  return crypto::SecretBytes::CopyFrom(
      std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

bool Mentions(const audit::VerifyReport& report, const std::string& text) {
  for (const auto& p : report.problems) {
    if (p.find(text) != std::string::npos) return true;
  }
  return false;
}

class KeyRotateTest : public ::testing::Test {
 protected:
  KeyRotateTest() : clock_("2031-03-04T09:00:00Z"), ik_(clock_, "ik") {
    for (const char* name : {"partner-a", "partner-b"}) {
      ik_.config().peers.push_back(testing::UnservedPartner(name));
    }
  }
  UnlockedNode& node() { return ik_.node(); }
  NodeDir Dir() { return NodeDir(node().root, clock_); }
  audit::AuditLog Log() { return audit::AuditLog(*node().store, node().identity); }
  uint64_t Now() const {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count());
  }
  // A send that accepts the partners in `accept`, checking each
  // announcement as a partner pinning the old key would.
  SendAnnouncement Partners(std::set<std::string> accept) {
    return [this, accept](const config::PeerConfig& peer, const crypto::SigningKey& previous,
                          std::span<const uint8_t> announcement) -> Status {
      ++sent_[peer.name];
      auto verified = keys::RotationReceiver::Verify(announcement, previous.PublicKey(), 0, Now());
      EXPECT_TRUE(verified) << verified.error().message;
      if (verified) {
        EXPECT_EQ(verified->new_key, node().identity.PublicKey());
      }
      if (!accept.contains(peer.name)) {
        return Fail(ErrorCode::kUnavailable, "peer " + peer.name + " cannot be reached");
      }
      return {};
    };
  }
  fs::path Export(const std::string& name) {
    fs::path out = node().root.parent_path() / name;
    audit::AuditLog log = Log();
    auto exported = audit::ExportAudit(log, node().config, node().identity.PublicKey(), out);
    EXPECT_TRUE(exported) << exported.error().message;
    return out;
  }
  // Switches and tells both partners; returns the old key's fingerprint.
  std::string RotateAndTellBoth() {
    const std::string old_fp = node().identity.PublicKey().Fingerprint();
    auto switched = SwitchIdentityKey(Dir(), node());
    EXPECT_TRUE(switched) << switched.error().message;
    auto told = AnnounceKeyRotation(node(), Partners({"partner-a", "partner-b"}));
    EXPECT_TRUE(told) << told.error().message;
    return old_fp;
  }

  testing::FakeClock clock_;
  testing::InProcessNode ik_;
  std::map<std::string, int> sent_;
};

TEST_F(KeyRotateTest, TheSwitchHandsTheLogFromTheOldKeyToTheNewOne) {
  const crypto::VerifyingKey old_key = node().identity.PublicKey();
  auto size_before = Log().Size();
  ASSERT_TRUE(size_before);

  auto switched = SwitchIdentityKey(Dir(), node());
  ASSERT_TRUE(switched) << switched.error().message;
  const crypto::VerifyingKey new_key = node().identity.PublicKey();
  EXPECT_NE(new_key, old_key);
  EXPECT_EQ(switched->old_fingerprint, old_key.Fingerprint());
  EXPECT_EQ(switched->new_fingerprint, new_key.Fingerprint());
  EXPECT_EQ(switched->record_index, *size_before);
  auto meta = Dir().ReadMetadata();
  ASSERT_TRUE(meta);
  EXPECT_EQ(meta->fingerprint, new_key.Fingerprint());

  // The old key signed the checkpoint that covers the change, and no later
  // one; the new key signed the next, in the same transaction.
  audit::AuditLog log = Log();
  auto checkpoints = log.Checkpoints();
  ASSERT_TRUE(checkpoints);
  ASSERT_GE(checkpoints->size(), 2u);
  const auto& last_of_old = (*checkpoints)[checkpoints->size() - 2];
  EXPECT_EQ(last_of_old.size, *size_before + 1);
  EXPECT_TRUE(last_of_old.note.starts_with(audit::OriginFor(old_key) + "\n"));
  EXPECT_EQ(checkpoints->back().size, *size_before + 2);
  EXPECT_TRUE(checkpoints->back().note.starts_with(audit::OriginFor(new_key) + "\n"));
  auto previous = log.PreviousKeys();
  ASSERT_TRUE(previous);
  ASSERT_EQ(previous->size(), 1u);
  EXPECT_EQ((*previous)[0].key, old_key.Fingerprint());
  EXPECT_EQ((*previous)[0].through_size, *size_before + 1);
  EXPECT_FALSE((*previous)[0].announcement.empty());
  auto records = log.Records(WithoutSubjects());
  ASSERT_TRUE(records);
  ASSERT_GE(records->size(), 2u);
  const auto& rotated = (*records)[records->size() - 2].record;
  EXPECT_EQ(rotated.name, "inbeeld.node.key.rotated");
  EXPECT_EQ(rotated.attributes.at("inbeeld.node_key.old"), old_key.Fingerprint());
  EXPECT_EQ(rotated.attributes.at("inbeeld.node_key"), new_key.Fingerprint());
  EXPECT_EQ(rotated.attributes.at("inbeeld.announcement"), (*previous)[0].announcement);
  EXPECT_EQ(records->back().record.name, "inbeeld.node.key.activated");

  auto state = ReadKeyRotationState(*node().store);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->pending, (std::vector<std::string>{"partner-a", "partner-b"}));
  EXPECT_TRUE(state->previous_key_kept);
  // No second rotation while partners still wait for the first.
  auto again = SwitchIdentityKey(Dir(), node());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(again.error().message.find("partner-a, partner-b"), std::string::npos);
  EXPECT_EQ(node().identity.PublicKey(), new_key);

  // Opened again from disk: the new key.
  auto reopened = Dir().Unlock(Passphrase());
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ(reopened->identity.PublicKey(), new_key);
}

TEST_F(KeyRotateTest, PartnersAreToldUntilEachHasTheNewKeyAndThenTheOldKeyIsErased) {
  ASSERT_TRUE(SwitchIdentityKey(Dir(), node()));
  const std::string new_fp = node().identity.PublicKey().Fingerprint();

  auto first = AnnounceKeyRotation(node(), Partners({"partner-a"}));
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(first->outcomes.size(), 2u);
  EXPECT_TRUE(first->outcomes[0].accepted);
  EXPECT_FALSE(first->outcomes[1].accepted);
  EXPECT_NE(first->outcomes[1].reason.find("cannot be reached"), std::string::npos);
  EXPECT_FALSE(first->previous_key_erased);
  auto state = ReadKeyRotationState(*node().store);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->pending, std::vector<std::string>{"partner-b"});
  EXPECT_TRUE(state->previous_key_kept);
  // The first checkpoint under the new key follows the announcement record.
  audit::AuditLog log = Log();
  auto latest = log.Latest();
  ASSERT_TRUE(latest && *latest);
  EXPECT_TRUE((*latest)->note.starts_with(log.origin() + "\n"));

  // A week later partner-b is back: only it is told, with a fresh announcement.
  clock_.Advance(std::chrono::hours(24 * 8));
  auto second = AnnounceKeyRotation(node(), Partners({"partner-b"}));
  ASSERT_TRUE(second) << second.error().message;
  ASSERT_EQ(second->outcomes.size(), 1u);
  EXPECT_EQ(second->outcomes[0].peer, "partner-b");
  EXPECT_TRUE(second->outcomes[0].accepted);
  EXPECT_TRUE(second->previous_key_erased);
  EXPECT_EQ(sent_["partner-a"], 1);
  EXPECT_EQ(sent_["partner-b"], 2);
  state = ReadKeyRotationState(*node().store);
  ASSERT_TRUE(state);
  EXPECT_TRUE(state->pending.empty());
  EXPECT_FALSE(state->previous_key_kept);
  auto has = node().store->HasSecret(kPreviousIdentitySeedSecret);
  ASSERT_TRUE(has);
  EXPECT_FALSE(*has);
  // Nothing left to announce.
  auto third = AnnounceKeyRotation(node(), Partners({}));
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code, ErrorCode::kFailedPrecondition);

  // Both runs are in the log, with who accepted and who not.
  auto records = log.Records(WithoutSubjects());
  ASSERT_TRUE(records);
  std::vector<schema::AuditRecord> announced;
  for (const auto& r : *records) {
    if (r.record.name == "inbeeld.node.key.announced") announced.push_back(r.record);
  }
  ASSERT_EQ(announced.size(), 2u);
  EXPECT_EQ(announced[0].attributes.at("inbeeld.accepted_by"), "partner-a");
  EXPECT_NE(announced[0].attributes.at("inbeeld.not_yet").find("partner-b"), std::string::npos);
  EXPECT_EQ(announced[0].attributes.at("inbeeld.previous_key_erased"), "false");
  EXPECT_EQ(announced[1].attributes.at("inbeeld.accepted_by"), "partner-b");
  EXPECT_EQ(announced[1].attributes.at("inbeeld.previous_key_erased"), "true");
  EXPECT_EQ(announced[1].attributes.at("inbeeld.node_key"), new_fp);
  // A new rotation is possible again.
  EXPECT_TRUE(SwitchIdentityKey(Dir(), node()));
}

TEST_F(KeyRotateTest, APartnerRemovedMeanwhileIsDroppedNotToldAndNotWaitedFor) {
  ASSERT_TRUE(SwitchIdentityKey(Dir(), node()));
  ik_.config().peers.pop_back();  // partner-b, as `peer remove` leaves the configuration
  auto told = AnnounceKeyRotation(node(), Partners({"partner-a"}));
  ASSERT_TRUE(told) << told.error().message;
  EXPECT_TRUE(told->previous_key_erased);
  EXPECT_EQ(sent_.count("partner-b"), 0u);
  ASSERT_EQ(told->outcomes.size(), 2u);
  EXPECT_NE(told->outcomes[1].reason.find("no longer a partner"), std::string::npos);
}

TEST_F(KeyRotateTest, AnUnlockFinishesASwitchCutOffBeforeNodeJson) {
  const std::string old_fp = node().identity.PublicKey().Fingerprint();
  ASSERT_TRUE(SwitchIdentityKey(Dir(), node()));
  const std::string new_fp = node().identity.PublicKey().Fingerprint();
  // As if the process stopped after the commit, before writing node.json.
  ASSERT_TRUE(Dir().WriteFingerprint(old_fp));
  auto reopened = Dir().Unlock(Passphrase());
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ(reopened->identity.PublicKey().Fingerprint(), new_fp);
  auto meta = Dir().ReadMetadata();
  ASSERT_TRUE(meta);
  EXPECT_EQ(meta->fingerprint, new_fp);

  // Any other fingerprint is still a corrupt node.json.
  ASSERT_TRUE(Dir().WriteFingerprint(crypto::SigningKey::Generate().PublicKey().Fingerprint()));
  auto refused = Dir().Unlock(Passphrase());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kDataLoss);
}

TEST_F(KeyRotateTest, AuditVerifyFollowsTheKeyAcrossTheChangeFromEitherEnd) {
  const std::string old_fp = RotateAndTellBoth();
  audit::AuditLog log = Log();
  ASSERT_TRUE(log.Append({audit::EventRecord(clock_, "inbeeld.test.event", true, {})}));
  const fs::path out = Export("export");
  auto old_key = crypto::VerifyingKey::FromFingerprint(old_fp);
  ASSERT_TRUE(old_key);

  for (const auto& pinned : {*old_key, node().identity.PublicKey()}) {
    audit::VerifyReport report = audit::VerifyExport(out, ExpectKey(pinned));
    EXPECT_TRUE(report.ok()) << (report.problems.empty() ? "" : report.problems[0]);
    ASSERT_EQ(report.key_changes.size(), 1u);
    EXPECT_NE(report.key_changes[0].find("signed by both"), std::string::npos);
    ASSERT_TRUE(report.node_key);
    EXPECT_EQ(report.node_key->fingerprint, pinned.Fingerprint());
    EXPECT_TRUE(report.node_key->pinned);
    EXPECT_EQ(report.followed_to,
              pinned == *old_key ? node().identity.PublicKey().Fingerprint() : std::string());
  }
  // A key that is not in the chain.
  audit::VerifyReport foreign =
      audit::VerifyExport(out, ExpectKey(crypto::SigningKey::Generate().PublicKey()));
  EXPECT_FALSE(foreign.ok());
  EXPECT_TRUE(Mentions(foreign, "not the expected"));
}

TEST_F(KeyRotateTest, AuditVerifyRefusesAnExportThatHidesOrMovesTheChange) {
  RotateAndTellBoth();
  const fs::path out = Export("export");
  const std::string keys = ReadFile(out / "keys.json");
  json j = json::parse(keys);
  const uint64_t through = j["node"]["previous_keys"][0]["through_size"];

  // keys.json without the old key: the old key's checkpoints do not verify.
  json hidden = j;
  hidden["node"].erase("previous_keys");
  WriteFile(out / "keys.json", hidden.dump());
  audit::VerifyReport report = audit::VerifyExport(out);
  EXPECT_FALSE(report.ok());
  EXPECT_TRUE(Mentions(report, "does not list")) << report.problems[0];

  // The change claimed one record later: a checkpoint signed by the new key
  // for a size the old one signs, and not the record of the change.
  json moved = j;
  moved["node"]["previous_keys"][0]["through_size"] = through - 1;
  WriteFile(out / "keys.json", moved.dump());
  report = audit::VerifyExport(out);
  EXPECT_FALSE(report.ok());
  EXPECT_TRUE(Mentions(report, "is not that change")) << report.problems[0];

  // Malformed: sizes not increasing.
  json bad = j;
  bad["node"]["previous_keys"][0]["through_size"] = 0;
  WriteFile(out / "keys.json", bad.dump());
  report = audit::VerifyExport(out);
  EXPECT_TRUE(Mentions(report, "previous keys are malformed"));

  WriteFile(out / "keys.json", keys);
  EXPECT_TRUE(audit::VerifyExport(out).ok());
}

// Whoever holds only the old key (any backup from before the change) can
// sign checkpoints up to the change, but not the new key's: an export that
// ends at the old key's last checkpoint is refused, however well it hangs
// together, and so is a keys.json announcement of another pair of keys.
TEST_F(KeyRotateTest, AuditVerifyRefusesAnExportNoCheckpointOfTheCurrentKeyCovers) {
  RotateAndTellBoth();
  const fs::path out = Export("export");
  json keys = json::parse(ReadFile(out / "keys.json"));
  const uint64_t through = keys["node"]["previous_keys"][0]["through_size"];
  for (const auto& entry : fs::directory_iterator(out / "checkpoints")) {
    if (std::stoull(entry.path().stem().string()) > through) fs::remove(entry.path());
  }
  for (const char* file : {"records.jsonl", "leaf_hashes.txt"}) {
    std::string text = ReadFile(out / file), kept;
    size_t at = 0;
    for (uint64_t line = 0; line < through; ++line) at = text.find('\n', at) + 1;
    WriteFile(out / file, text.substr(0, at));
  }
  json proofs = json::parse(ReadFile(out / "proofs.json")), kept = json::array();
  for (const auto& p : proofs) {
    if (p["to"].get<uint64_t>() <= through) kept.push_back(p);
  }
  WriteFile(out / "proofs.json", kept.dump());
  audit::VerifyReport report = audit::VerifyExport(out, ExpectKey(node().identity.PublicKey()));
  EXPECT_FALSE(report.ok());
  EXPECT_TRUE(Mentions(report, "signed by an earlier key of the node")) << report.problems[0];
}

TEST_F(KeyRotateTest, AfterRetentionTheAnnouncementInKeysJsonStillLinksTheKeys) {
  const std::string old_fp = RotateAndTellBoth();
  clock_.Advance(std::chrono::hours(48));
  audit::AuditLog log = Log();
  ASSERT_TRUE(log.Append({audit::EventRecord(clock_, "inbeeld.test.event", true, {})}));
  ASSERT_TRUE(log.InTransaction([&]() -> Status {
    auto redacted = log.RedactBeforeInTransaction(audit::NowMs(clock_) - 24 * 3600 * 1000);
    if (!redacted) return std::unexpected(redacted.error());
    EXPECT_GT(*redacted, 3u);
    return {};
  }));
  const fs::path out = Export("export");
  auto old_key = crypto::VerifyingKey::FromFingerprint(old_fp);
  ASSERT_TRUE(old_key);
  audit::VerifyReport report = audit::VerifyExport(out, ExpectKey(*old_key));
  EXPECT_TRUE(report.ok()) << (report.problems.empty() ? "" : report.problems[0]);
  ASSERT_EQ(report.key_changes.size(), 1u);
  EXPECT_NE(report.key_changes[0].find("removed by retention"), std::string::npos);

  // A key the node never had, linked by an announcement the new key did not sign.
  json keys = json::parse(ReadFile(out / "keys.json"));
  crypto::SigningKey stranger = crypto::SigningKey::Generate();
  crypto::SigningKey other = crypto::SigningKey::Generate();
  auto forged = keys::Announce(stranger, other, "ik", Now());
  ASSERT_TRUE(forged);
  keys["node"]["previous_keys"][0]["key"] = stranger.PublicKey().Fingerprint();
  keys["node"]["previous_keys"][0]["announcement"] = audit::Base64(*forged);
  WriteFile(out / "keys.json", keys.dump());
  report = audit::VerifyExport(out, ExpectKey(node().identity.PublicKey()));
  EXPECT_FALSE(report.ok());
  EXPECT_TRUE(Mentions(report, "is not signed by both keys")) << report.problems[0];
}

TEST_F(KeyRotateTest, AuditVerifyRefusesAKeyChangeTheNodeDidNotMake) {
  // A record that claims a change, with an announcement no key signed.
  audit::AuditLog log = Log();
  ASSERT_TRUE(log.Append({audit::EventRecord(
      clock_, "inbeeld.node.key.rotated", true,
      {{"inbeeld.node_key.old", node().identity.PublicKey().Fingerprint()},
       {"inbeeld.node_key", crypto::SigningKey::Generate().PublicKey().Fingerprint()},
       {"inbeeld.announcement", "AAAA"}})}));
  const fs::path out = Export("export");
  audit::VerifyReport report = audit::VerifyExport(out);
  EXPECT_FALSE(report.ok());
  EXPECT_TRUE(Mentions(report, "a change of the node's key that keys.json does not list"));
}

}  // namespace
}  // namespace inbeeld::node
