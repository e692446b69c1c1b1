// Backups with real node processes: a backup taken while serving, more
// sessions, the backup restored; the partner refuses the shortened log until
// the node asks to rejoin and the partner's operator accepts; then exchanges
// resume in both directions and both audit logs show what happened. Damaged
// backups, wrong passphrases and a refused overwrite change nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "schema/synthetic.h"
#include "tests/support/test_node.h"

namespace inbeeld {
namespace {

namespace fs = std::filesystem;
using testing::RunResult;
using testing::TempDir;
using testing::TestNode;

const schema::Date kToday = testing::TodayUtc();
constexpr const char* kPurpose = "thuiszitters-afstemming";

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lp_ = std::make_unique<TestNode>(tmp_.path(), "leerplicht", "leerplicht");
    swv_ = std::make_unique<TestNode>(tmp_.path(), "swv", "swv");
    schema::RegionSpec spec;
    spec.seed = 7;
    spec.partners = {{"Leerplicht", 40}, {"SWV", 30}};
    spec.overlap = 0.5;
    spec.today = kToday;
    auto lists = schema::GenerateRegion(spec);
    lp_->Import(lists[0]);
    swv_->Import(lists[1]);
    // Leerplicht pins the SWV before either serves (at a port nobody has
    // yet), then learns its address once it runs: both serve, both start.
    ASSERT_EQ(lp_->AddPeer(*swv_).exit_code, 0);
    lp_->Start();
    ASSERT_EQ(swv_->AddPeer(*lp_).exit_code, 0);
    swv_->Start();
    RepointTo(*lp_, *swv_);
  }
  // Points `node`'s one peer at `peer`'s current server.
  static void RepointTo(const TestNode& node, const TestNode& peer) {
    std::string config = testing::ReadFile(node.home() / "inbeeld.toml");
    auto at = config.rfind("127.0.0.1:");
    ASSERT_NE(at, std::string::npos);
    config.replace(at, config.find('"', at) - at, peer.address());
    testing::WriteFile(node.home() / "inbeeld.toml", config);
  }
  RunResult Match(const TestNode& from, const std::string& to) const {
    return from.Cli({"match", to, "--purpose", kPurpose, "--json"});
  }
  // The audit records of `node` with this event name.
  std::vector<nlohmann::json> Events(const TestNode& node, const std::string& name) const {
    nlohmann::json shown = node.CliJson({"audit", "show", "--json"});
    std::vector<nlohmann::json> out;
    for (const auto& r : shown) {
      if (r.value("name", "") == name) out.push_back(r);
    }
    return out;
  }
  std::string Attr(const nlohmann::json& record, const std::string& key) const {
    return record["attributes"].value(key, "");
  }
  // Returns `audit verify`'s output.
  std::string ExpectExportVerifies(const TestNode& node) {
    fs::path dir = tmp_.path() / (node.name() + "-export");
    fs::remove_all(dir);
    RunResult exported = node.Cli({"audit", "export", "--out", dir.string()});
    EXPECT_EQ(exported.exit_code, 0) << exported.err;
    RunResult verified = testing::Run(
        INBEELD_BINARY, {"audit", "verify", dir.string(), "--expect-key", node.fingerprint()}, {});
    EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
    return verified.out;
  }
  size_t MatchedCount(const RunResult& r) const {
    auto j = nlohmann::json::parse(r.out);
    return j["matches"].size();
  }

  TempDir tmp_;
  std::unique_ptr<TestNode> lp_, swv_;
};

TEST_F(BackupTest, ARestoredNodeRejoinsItsPartnerOpenlyAndBothLogsSayWhatWasLost) {
  RunResult first = Match(*lp_, "swv");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const size_t matched = MatchedCount(first);
  ASSERT_GT(matched, 0u);

  // A backup while `serve` runs.
  fs::path file = tmp_.path() / "leerplicht.backup";
  RunResult made = lp_->Cli({"backup", "--out", file.string()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_NE(made.out.find("Backup written"), std::string::npos) << made.out;
  RunResult verified = lp_->Cli({"backup", "verify", file.string(), "--json"});
  ASSERT_EQ(verified.exit_code, 0) << verified.err;
  auto summary = nlohmann::json::parse(verified.out);
  EXPECT_EQ(summary["verified"], true);
  EXPECT_EQ(summary["list_rows"], 40);
  EXPECT_EQ(summary["fingerprint"], lp_->fingerprint());

  // More sessions after the backup: the partner witnesses a longer log.
  ASSERT_EQ(Match(*lp_, "swv").exit_code, 0);
  ASSERT_EQ(Match(*swv_, "leerplicht").exit_code, 0);

  // The machine is lost; last night's backup comes back. Not while the node
  // serves: restore waits for nothing and changes nothing then.
  RunResult while_serving = lp_->Cli({"restore", file.string(), "--replace"});
  EXPECT_EQ(while_serving.exit_code, 6) << while_serving.err;
  EXPECT_NE(while_serving.err.find("is in use"), std::string::npos) << while_serving.err;
  ASSERT_EQ(lp_->Stop(), 0);
  RunResult refused_overwrite = lp_->Cli({"restore", file.string()});
  EXPECT_EQ(refused_overwrite.exit_code, 3) << refused_overwrite.err;
  EXPECT_NE(refused_overwrite.err.find("--replace"), std::string::npos) << refused_overwrite.err;
  RunResult restored = lp_->Cli({"restore", file.string(), "--replace", "--json"});
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  auto outcome = nlohmann::json::parse(restored.out);
  EXPECT_TRUE(fs::exists(outcome["moved_aside"].get<std::string>() + "/inbeeld.db"));
  const uint64_t restore_index = outcome["restore_record"].get<uint64_t>();
  lp_->Start();
  RepointTo(*swv_, *lp_);  // it serves on a new port

  // The partner refuses the shortened log, in both directions. The restored
  // node's match asks it to accept the restore and says who must act.
  RunResult before_rejoin = Match(*lp_, "swv");
  EXPECT_EQ(before_rejoin.exit_code, 5) << before_rejoin.err;
  EXPECT_NE(before_rejoin.err.find("restored from a backup"), std::string::npos) << before_rejoin.err;
  EXPECT_NE(before_rejoin.err.find("`inbeeld peer accept-restore leerplicht`"), std::string::npos)
      << before_rejoin.err;
  RunResult other_way = Match(*swv_, "leerplicht");
  EXPECT_NE(other_way.exit_code, 0);
  EXPECT_NE(other_way.err.find("accept-restore leerplicht"), std::string::npos) << other_way.err;

  // Asking again is not enough: the partner's operator must confirm.
  RunResult asked = lp_->Cli({"peer", "rejoin"});
  EXPECT_EQ(asked.exit_code, 5) << asked.out << asked.err;
  EXPECT_NE(asked.out.find("accept-restore leerplicht"), std::string::npos) << asked.out;
  EXPECT_NE(Match(*lp_, "swv").exit_code, 0);

  // The partner's operator sees the request in `status`.
  RunResult status = swv_->Cli({"status"});
  EXPECT_NE(status.out.find("leerplicht restored from a backup and asks to rejoin"),
            std::string::npos)
      << status.out;
  RunResult accepted = swv_->Cli({"peer", "accept-restore", "leerplicht", "--json"});
  ASSERT_EQ(accepted.exit_code, 0) << accepted.err;
  const uint64_t lost = nlohmann::json::parse(accepted.out)["lost"].get<uint64_t>();
  EXPECT_GT(lost, 0u);
  EXPECT_EQ(swv_->CliJson({"status", "--json"})["restores_to_accept"].size(), 0u);
  RunResult again = swv_->Cli({"peer", "accept-restore", "leerplicht"});
  EXPECT_EQ(again.exit_code, 6) << again.err;  // nothing pending any more

  RunResult rejoined = lp_->Cli({"peer", "rejoin", "swv", "--json"});
  ASSERT_EQ(rejoined.exit_code, 0) << rejoined.out << rejoined.err;
  EXPECT_EQ(nlohmann::json::parse(rejoined.out)[0]["outcome"], "accepted");

  // Exchanges resume both ways, with the same children found.
  RunResult after = Match(*lp_, "swv");
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(MatchedCount(after), matched);
  RunResult reverse = Match(*swv_, "leerplicht");
  ASSERT_EQ(reverse.exit_code, 0) << reverse.err;

  // Both privacy officers see what happened.
  auto restores = Events(*lp_, "inbeeld.log.restored");
  ASSERT_EQ(restores.size(), 1u);
  EXPECT_EQ(Attr(restores[0], "inbeeld.backup_audit_size"), std::to_string(restore_index));
  EXPECT_EQ(Attr(restores[0], "inbeeld.seq"), std::to_string(restore_index));
  EXPECT_FALSE(Attr(restores[0], "inbeeld.actor").empty());
  auto rejoins = Events(*lp_, "inbeeld.log.rejoined");
  ASSERT_EQ(rejoins.size(), 1u);
  EXPECT_EQ(Attr(rejoins[0], "inbeeld.lost_records"), std::to_string(lost));
  auto requested = Events(*swv_, "inbeeld.witness.peer_restore_requested");
  EXPECT_EQ(requested.size(), 1u);
  auto accepted_records = Events(*swv_, "inbeeld.witness.peer_restored");
  ASSERT_EQ(accepted_records.size(), 1u);
  EXPECT_EQ(Attr(accepted_records[0], "inbeeld.peer"), "leerplicht");
  EXPECT_EQ(Attr(accepted_records[0], "inbeeld.lost_records"), std::to_string(lost));
  EXPECT_EQ(Attr(accepted_records[0], "inbeeld.restore_index"), std::to_string(restore_index));
  EXPECT_FALSE(Attr(accepted_records[0], "inbeeld.actor").empty());
  EXPECT_NE(ExpectExportVerifies(*lp_).find("Restore:   record " + std::to_string(restore_index) +
                                             ": restored from a backup of " +
                                             std::to_string(restore_index) + " records"),
            std::string::npos);
  EXPECT_EQ(ExpectExportVerifies(*swv_).find("Restore:"), std::string::npos);
}

TEST_F(BackupTest, ATimerKeepsTheNewestVerifiedBackupsAndNothingElse) {
  fs::path folder = tmp_.path() / "backups";
  fs::create_directory(folder);
  testing::WriteFile(folder / "notes.txt", "not a backup\n");
  std::vector<std::string> made;
  for (int i = 0; i < 3; ++i) {
    RunResult r = lp_->Cli({"backup", "--into", folder.string(), "--verify", "--keep", "2", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["verified"], true);
    made.push_back(j["file"].get<std::string>());
    EXPECT_EQ(j["removed"].size(), i < 2 ? 0u : 1u);
  }
  EXPECT_FALSE(fs::exists(made[0]));
  EXPECT_TRUE(fs::exists(made[1]));
  EXPECT_TRUE(fs::exists(made[2]));
  EXPECT_TRUE(fs::exists(folder / "notes.txt"));
  EXPECT_LT(fs::path(made[1]).filename(), fs::path(made[2]).filename());
  RunResult both = lp_->Cli({"backup", "--out", (folder / "x").string(), "--into", folder.string()});
  EXPECT_EQ(both.exit_code, 2) << both.err;
}

// A backup that fails after its record was written says so in the log, so
// the FG never reads "backup made" for a file that does not exist.
TEST_F(BackupTest, AFailedBackupIsRecordedAsFailedAfterItsRecord) {
  // A name too long for the file system: refused only when the copy is made.
  fs::path out = tmp_.path() / (std::string(300, 'b') + ".backup");
  RunResult r = lp_->Cli({"backup", "--out", out.string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_FALSE(r.err.empty());
  auto made = Events(*lp_, "inbeeld.backup.made");
  auto failed = Events(*lp_, "inbeeld.backup.failed");
  ASSERT_EQ(made.size(), 1u);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_FALSE(Attr(failed[0], "inbeeld.reason").empty());
  ExpectExportVerifies(*lp_);
}

TEST_F(BackupTest, DamagedBackupsAndWrongPassphrasesChangeNothing) {
  ASSERT_EQ(Match(*lp_, "swv").exit_code, 0);
  fs::path file = tmp_.path() / "b.backup";
  ASSERT_EQ(lp_->Cli({"backup", "--out", file.string()}).exit_code, 0);
  // An existing file is never overwritten.
  RunResult twice = lp_->Cli({"backup", "--out", file.string()});
  EXPECT_EQ(twice.exit_code, 3) << twice.err;

  testing::Env wrong = lp_->env();
  fs::path wrong_pass = tmp_.path() / "wrong-pass";
  testing::WriteFile(wrong_pass, "not the passphrase at all\n");
  fs::permissions(wrong_pass, fs::perms::owner_read | fs::perms::owner_write);
  wrong["INBEELD_PASSPHRASE_FILE"] = wrong_pass.string();
  RunResult bad_pass = testing::Run(INBEELD_BINARY, {"backup", "verify", file.string()}, wrong);
  EXPECT_EQ(bad_pass.exit_code, 4) << bad_pass.err;
  EXPECT_NE(bad_pass.err.find("wrong passphrase for this backup"), std::string::npos) << bad_pass.err;

  const std::string bytes = testing::ReadFile(file);
  // A flipped byte inside the database, and a cut-off file.
  fs::path flipped = tmp_.path() / "flipped.backup";
  std::string changed = bytes;
  changed[changed.size() - 100] ^= 0x01;
  testing::WriteFile(flipped, changed);
  RunResult damaged = lp_->Cli({"backup", "verify", flipped.string()});
  EXPECT_EQ(damaged.exit_code, 7) << damaged.err;
  EXPECT_NE(damaged.err.find("damaged"), std::string::npos) << damaged.err;
  fs::path cut = tmp_.path() / "cut.backup";
  testing::WriteFile(cut, bytes.substr(0, bytes.size() / 2));
  EXPECT_EQ(lp_->Cli({"backup", "verify", cut.string()}).exit_code, 7);
  fs::path other = tmp_.path() / "other.backup";
  testing::WriteFile(other, "name;birth date\n");
  RunResult not_backup = lp_->Cli({"backup", "verify", other.string()});
  EXPECT_EQ(not_backup.exit_code, 3) << not_backup.err;
  EXPECT_NE(not_backup.err.find("not an inbeeld backup"), std::string::npos);
  // The manifest is read strictly before its signature is checked: a member
  // of the wrong type, or one that appears twice, is named.
  const size_t manifest_at = bytes.find("{\"audit_root\":");
  ASSERT_NE(manifest_at, std::string::npos);
  for (const auto& [edit, message] :
       std::vector<std::pair<std::string, std::string>>{
           {"{\"audit_size\":1,", "(manifest: a member appears twice)"},
           {"{\"x\":{},", "(manifest: nested deeper than 1 levels)"}}) {
    std::string edited = bytes;
    edited.replace(manifest_at, 1, edit);
    fs::path edited_file = tmp_.path() / "edited.backup";
    testing::WriteFile(edited_file, edited);
    RunResult refused = lp_->Cli({"backup", "verify", edited_file.string()});
    EXPECT_EQ(refused.exit_code, 7) << refused.err;
    EXPECT_NE(refused.err.find("edited.backup: the backup is damaged " + message),
              std::string::npos)
        << refused.err;
  }
  std::string negative = bytes;
  negative.replace(negative.find("\"audit_size\":"), 13, "\"audit_size\":-");
  testing::WriteFile(other, negative);
  RunResult negative_size = lp_->Cli({"backup", "verify", other.string()});
  EXPECT_EQ(negative_size.exit_code, 7) << negative_size.err;
  EXPECT_NE(negative_size.err.find("(manifest: member \"audit_size\": not an unsigned integer)"),
            std::string::npos)
      << negative_size.err;

  // None of these restores touches the node.
  const std::string db_before = testing::ReadFile(lp_->home() / "node.json");
  auto status_before = lp_->CliJson({"audit", "show", "--json"}).size();
  ASSERT_EQ(lp_->Stop(), 0);
  EXPECT_EQ(lp_->Cli({"restore", flipped.string(), "--replace"}).exit_code, 7);
  RunResult wrong_restore =
      testing::Run(INBEELD_BINARY,
                   {"restore", file.string(), "--replace", "--data-dir", lp_->home().string()},
                   wrong);
  EXPECT_EQ(wrong_restore.exit_code, 4) << wrong_restore.err;
  EXPECT_EQ(testing::ReadFile(lp_->home() / "node.json"), db_before);
  EXPECT_EQ(lp_->CliJson({"audit", "show", "--json"}).size(), status_before);
  for (const auto& entry : fs::directory_iterator(lp_->home())) {
    EXPECT_EQ(entry.path().filename().string().rfind("before-restore-", 0), std::string::npos)
        << "a refused restore moved the node aside";
  }

  // Restoring into a new directory needs no --replace, and the node opens.
  fs::path fresh = tmp_.path() / "fresh";
  RunResult into_new = testing::Run(
      INBEELD_BINARY, {"restore", file.string(), "--data-dir", fresh.string()}, lp_->env());
  ASSERT_EQ(into_new.exit_code, 0) << into_new.err;
  RunResult status = testing::Run(INBEELD_BINARY, {"list", "--data-dir", fresh.string()}, lp_->env());
  EXPECT_EQ(status.exit_code, 0) << status.err;
}

}  // namespace
}  // namespace inbeeld
