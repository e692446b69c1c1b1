// The audit trail with real node processes: witnessing in every session,
// rollback/fork refusal, subject requests, exports free of BSNs, fail-closed.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>

#include "crypto/bytes.h"
#include "crypto/merkle.h"
#include "node/audit/base64.h"
#include "node/datadir/node_dir.h"
#include "node/store/sqlite_util.h"
#include "schema/identifier.h"
#include "schema/person.h"
#include "schema/synthetic.h"
#include "tests/support/test_node.h"

namespace inbeeld {
namespace {

namespace fs = std::filesystem;
using testing::RunResult;
using testing::TempDir;
using testing::TestNode;

// The lists lie around the day the test runs, as the nodes' own clock sees it.
const schema::Date kToday = testing::TodayUtc();
constexpr const char* kPurpose = "thuiszitters-afstemming";

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lp_ = std::make_unique<TestNode>(tmp_.path(), "leerplicht", "leerplicht");
    swv_ = std::make_unique<TestNode>(tmp_.path(), "swv", "swv");
    schema::RegionSpec spec;
    spec.seed = 99;
    spec.partners = {{"Leerplicht", 60}, {"SWV", 50}};
    spec.overlap = 0.4;
    spec.today = kToday;
    auto lists = schema::GenerateRegion(spec);
    lp_rows_ = lists[0];
    swv_rows_ = lists[1];
    lp_->Import(lp_rows_);
    swv_->Import(swv_rows_);
    ASSERT_EQ(swv_->AddPeer(*lp_).exit_code, 0);
    swv_->Start();
    ASSERT_EQ(lp_->AddPeer(*swv_).exit_code, 0);
  }
  RunResult Match(bool count_only = false) {
    std::vector<std::string> args = {"match", "swv", "--purpose", kPurpose, "--json"};
    if (count_only) args.push_back("--count-only");
    return lp_->Cli(args);
  }
  nlohmann::json Show(const TestNode& node) { return node.CliJson({"audit", "show", "--json"}); }
  // After the SWV server restarts on a new port, point leerplicht at it.
  void Repoint() {
    std::string config = testing::ReadFile(lp_->home() / "inbeeld.toml");
    auto at = config.rfind("127.0.0.1:");
    ASSERT_NE(at, std::string::npos);
    config.replace(at, config.find('"', at) - at, swv_->address());
    testing::WriteFile(lp_->home() / "inbeeld.toml", config);
  }

  TempDir tmp_;
  std::unique_ptr<TestNode> lp_, swv_;
  std::vector<schema::ListRow> lp_rows_, swv_rows_;
};

TEST_F(AuditTest, ExportAfterSeveralExchangesVerifiesAndHoldsNoBsn) {
  ASSERT_EQ(Match().exit_code, 0);
  ASSERT_EQ(Match(/*count_only=*/true).exit_code, 0);
  ASSERT_EQ(Match().exit_code, 0);
  for (TestNode* node : {lp_.get(), swv_.get()}) {
    fs::path dir = tmp_.path() / (node->name() + "-export");
    RunResult exported = node->Cli({"audit", "export", "--out", dir.string()});
    ASSERT_EQ(exported.exit_code, 0) << exported.err;
    RunResult verified = testing::Run(INBEELD_BINARY, {"audit", "verify", dir.string()}, {});
    EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
    EXPECT_NE(verified.out.find("OK:"), std::string::npos);
    // Witnessed in every session: the other node's cosignatures verify.
    TestNode* other = node == lp_.get() ? swv_.get() : lp_.get();
    EXPECT_NE(verified.out.find("cosignatures by " + other->name()), std::string::npos)
        << verified.out;
    // It says which keys it checked, and that it took them from the export.
    EXPECT_NE(verified.out.find("Node key:  " + node->fingerprint() + "  " + node->name() +
                                " (taken from the export)"),
              std::string::npos)
        << verified.out;
    EXPECT_NE(verified.out.find("WARNING: the keys were taken from the export itself"),
              std::string::npos)
        << verified.out;
    // Pinned by the privacy officer, from the nodes' `whoami`, and checked
    // against what the peer witnessed of this node.
    fs::path witnessed = tmp_.path() / (node->name() + "-as-witnessed.note");
    RunResult seen = other->Cli({"audit", "witnessed", node->name()});
    ASSERT_EQ(seen.exit_code, 0) << seen.err;
    testing::WriteFile(witnessed, seen.out);
    RunResult pinned = testing::Run(
        INBEELD_BINARY,
        {"audit", "verify", dir.string(), "--expect-key", node->fingerprint(), "--expect-witness",
         other->name() + "=" + other->fingerprint(), "--witnessed-checkpoint", witnessed.string()},
        {});
    EXPECT_EQ(pinned.exit_code, 0) << pinned.out << pinned.err;
    EXPECT_NE(pinned.out.find("Node key:  " + node->fingerprint() + "  " + node->name() +
                              " (as expected, --expect-key)"),
              std::string::npos)
        << pinned.out;
    EXPECT_NE(pinned.out.find("Witness:   " + other->fingerprint() + "  " + other->name() +
                              " (as expected, --expect-witness)"),
              std::string::npos)
        << pinned.out;
    EXPECT_EQ(pinned.out.find("WARNING"), std::string::npos) << pinned.out;
    EXPECT_NE(pinned.out.find("Reaches the checkpoint a peer witnessed: size "), std::string::npos)
        << pinned.out;
    RunResult wrong = testing::Run(
        INBEELD_BINARY, {"audit", "verify", dir.string(), "--expect-key", other->fingerprint()}, {});
    EXPECT_NE(wrong.exit_code, 0);
    EXPECT_NE(wrong.err.find("FAIL: keys.json: the node key is " + node->fingerprint()),
              std::string::npos)
        << wrong.err;

    // No number in any exported file passes the BSN or onderwijsnummer check,
    // and none of the children's identifiers appears at all.
    std::string all;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (entry.is_regular_file()) all += testing::ReadFile(entry.path());
    }
    // Dates and times are there by right (list dates, record times), and on
    // about one day in eleven a date read as a number passes the 11-proof
    // (20261202 does): set them aside before looking for numbers.
    all = std::regex_replace(
        all, std::regex("[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?Z?)?"),
        "<date>");
    std::regex number("(^|[^0-9A-Za-z])([0-9][0-9. -]{6,}[0-9])(?=$|[^0-9A-Za-z])");
    for (auto it = std::sregex_iterator(all.begin(), all.end(), number); it != std::sregex_iterator(); ++it) {
      auto id = schema::Identifier::Parse((*it)[2].str());
      // The surroundings say which field it was; the lists are synthetic.
      EXPECT_FALSE(id.has_value())
          << "export holds a number that passes the 11-proof: ..."
          << all.substr(static_cast<size_t>(std::max<std::ptrdiff_t>(0, it->position(2) - 60)), 140);
    }
    for (const auto& rows : {lp_rows_, swv_rows_}) {
      for (const auto& r : rows) ASSERT_EQ(all.find(r.identifier->digits()), std::string::npos);
    }
  }
  // Every session appears on both sides, with its counts, opened (before the
  // list left) and closed.
  auto lp_show = Show(*lp_);
  int exchanges = 0;
  int opened = 0;
  for (const auto& r : lp_show) {
    if (r["name"] == "inbeeld.exchange.opened") {
      ++opened;
      EXPECT_EQ(r["attributes"]["inbeeld.outcome"], "opened");
      EXPECT_EQ(r["attributes"]["inbeeld.count.sent"], std::to_string(lp_rows_.size()));
    } else if (std::string(r["name"]).starts_with("inbeeld.exchange.")) {
      ++exchanges;
      EXPECT_EQ(r["attributes"]["inbeeld.outcome"], "completed");
      EXPECT_EQ(r["attributes"]["inbeeld.count.sent"], std::to_string(lp_rows_.size()));
      EXPECT_EQ(r["attributes"]["inbeeld.count.received"], std::to_string(swv_rows_.size()));
      EXPECT_EQ(r["attributes"]["dpl.core.processing_activity_id"],
                std::string("urn:inbeeld:activity:") + kPurpose);
    }
  }
  EXPECT_EQ(exchanges, 3);
  EXPECT_EQ(opened, 3);
}

TEST_F(AuditTest, SubjectQueryFindsExactlyTheChildsSessions) {
  auto first = Match();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(Match(/*count_only=*/true).exit_code, 0);
  std::set<std::string> swv_ids;
  for (const auto& r : swv_rows_) swv_ids.insert(r.identifier->digits());
  const schema::ListRow* shared = nullptr;
  const schema::ListRow* only_ours = nullptr;
  for (const auto& r : lp_rows_) {
    if (swv_ids.count(r.identifier->digits())) {
      shared = &r;
    } else {
      only_ours = &r;
    }
  }
  ASSERT_NE(shared, nullptr);
  ASSERT_NE(only_ours, nullptr);

  auto sessions = lp_->CliJson({"audit", "subject", shared->identifier->digits(), "--json"});
  ASSERT_EQ(sessions.size(), 2u);
  std::set<std::string> seen;
  for (const auto& s : sessions) {
    EXPECT_EQ(s["peer"], "swv");
    EXPECT_EQ(s["purpose"], kPurpose);
    EXPECT_EQ(s["outcome"], "completed");
    seen.insert(std::string(s["mode"]) + ":" + std::string(s["peer_also_knows_child"]));
  }
  EXPECT_EQ(seen, (std::set<std::string>{"match:yes", "count:not revealed"}));
  // Both sessions sent the same list version, committed once: the answer
  // proves the child was on it.
  for (const auto& s : sessions) {
    ASSERT_TRUE(s.contains("list")) << s.dump();
    const auto& list = s["list"];
    EXPECT_EQ(list["root"], sessions[0]["list"]["root"]);
    EXPECT_EQ(list["size"], lp_rows_.size());
    const std::string subject = list["subject"];
    std::vector<crypto::Hash> proof;
    for (const auto& h : list["inclusion_proof"]) proof.push_back(*node::audit::HashFromBase64(h));
    auto root = crypto::HexDecode(list["root"].get<std::string>());
    ASSERT_TRUE(root && root->size() == 32);
    crypto::Hash root_hash{};
    std::copy(root->begin(), root->end(), root_hash.begin());
    EXPECT_TRUE(crypto::VerifyInclusion(
        crypto::LeafHash(std::span(reinterpret_cast<const uint8_t*>(subject.data()), subject.size())),
        list["index"], list["size"], proof, root_hash));
  }
  auto ours = lp_->CliJson({"audit", "subject", only_ours->identifier->digits(), "--json"});
  ASSERT_EQ(ours.size(), 2u);
  for (const auto& s : ours) {
    if (s["mode"] == "match") {
      EXPECT_EQ(s["peer_also_knows_child"], "no");
    }
  }
  // The responder, an SWV without BSNs, answers the same request from its own
  // log by the child's name and birth date as they are on its list.
  const schema::ListRow* theirs_row = nullptr;
  for (const auto& r : swv_rows_) {
    if (r.identifier == shared->identifier) theirs_row = &r;
  }
  ASSERT_NE(theirs_row, nullptr);
  std::string request = "# access request\n";
  const auto& n = theirs_row->name;
  if (n.surname) request += "achternaam=" + *n.surname + "\n";
  if (n.prefix) request += "tussenvoegsel=" + *n.prefix + "\n";
  if (n.first_names) request += "voornamen=" + *n.first_names + "\n";
  if (n.roepnaam) request += "roepnaam=" + *n.roepnaam + "\n";
  if (n.full_name) request += "naam=" + *n.full_name + "\n";
  if (theirs_row->birth_date) {
    request += "geboortedatum=" + schema::FormatPartialDutch(*theirs_row->birth_date) + "\n";
  }
  const fs::path request_file = tmp_.path() / "verzoek.txt";
  testing::WriteFile(request_file, request);
  auto theirs = swv_->CliJson({"audit", "subject", "--person", request_file.string(), "--json"});
  EXPECT_EQ(theirs.size(), 2u);
  // A BSN means nothing to a node that holds none.
  auto by_bsn = swv_->CliJson({"audit", "subject", shared->identifier->digits(), "--json"});
  EXPECT_TRUE(by_bsn.empty());
  // A malformed request is refused with its line and key, not its value.
  testing::WriteFile(request_file, "achternaam=Jansen\ngeboortedatum=31-02-2014\n");
  RunResult malformed = swv_->Cli({"audit", "subject", "--person", request_file.string()});
  EXPECT_EQ(malformed.exit_code, 3);
  EXPECT_NE(malformed.err.find("line 2: geboortedatum"), std::string::npos) << malformed.err;
  EXPECT_EQ(malformed.err.find("Jansen"), std::string::npos);
  // A child on neither list took part in nothing.
  auto nobody = lp_->CliJson({"audit", "subject", "123456782", "--json"});
  EXPECT_TRUE(nobody.empty());
  // An invalid identifier is refused without being echoed.
  RunResult bad = lp_->Cli({"audit", "subject", "111252333"});
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_EQ(bad.err.find("111252333"), std::string::npos);
}

TEST_F(AuditTest, RolledBackResponderIsRefusedAndTheRefusalRecorded) {
  ASSERT_EQ(Match().exit_code, 0);
  // The SWV operator restores an old copy of the store after another session.
  swv_->Stop();
  fs::path backup = tmp_.path() / "swv-backup";
  fs::copy(swv_->home(), backup, fs::copy_options::recursive);
  swv_->Start();
  Repoint();
  ASSERT_EQ(Match().exit_code, 0) << "second session";
  swv_->Stop();
  fs::remove_all(swv_->home());
  fs::copy(backup, swv_->home(), fs::copy_options::recursive);
  swv_->Start();
  Repoint();

  RunResult r = Match();
  // Refused by policy (5), not "wrong passphrase" (4).
  EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
  EXPECT_NE(r.err.find("rolled back"), std::string::npos) << r.err;
  bool recorded = false;
  for (const auto& rec : Show(*lp_)) {
    auto reason = rec["attributes"].value("inbeeld.reason", "");
    if (rec["attributes"].value("inbeeld.outcome", "") == "refused" &&
        reason.find("rolled back") != std::string::npos) {
      recorded = true;
    }
  }
  EXPECT_TRUE(recorded) << "the refusal is not in leerplicht's audit log";
}

TEST_F(AuditTest, RolledBackInitiatorIsRefusedByTheResponder) {
  ASSERT_EQ(Match().exit_code, 0);
  fs::path backup = tmp_.path() / "lp-backup";
  fs::copy(lp_->home(), backup, fs::copy_options::recursive);
  ASSERT_EQ(Match().exit_code, 0);
  fs::remove_all(lp_->home());
  fs::copy(backup, lp_->home(), fs::copy_options::recursive);
  RunResult r = Match();
  // The responder refused our log by policy: 5, not "wrong passphrase" (4).
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find("rolled back"), std::string::npos) << r.err;
  bool recorded = false;
  for (const auto& rec : Show(*swv_)) {
    if (rec["name"] == "inbeeld.witness.refused") recorded = true;
  }
  EXPECT_TRUE(recorded) << "the SWV did not record why it refused";
}

// Runs `sql` on the SWV's store while its server is stopped.
void RunOnStore(TestNode& node, const fs::path& pass_file, const char* sql) {
  node.Stop();
  const node::SystemClock clock;  // the spawned nodes' clock, as they write with it
  auto dir = node::NodeDir(node.home(), clock);
  std::string pass = testing::ReadFile(pass_file);
  pass.pop_back();
  auto unlocked = dir.Unlock(crypto::SecretBytes::CopyFrom(
      std::span(reinterpret_cast<const uint8_t*>(pass.data()), pass.size())));
  ASSERT_TRUE(unlocked) << unlocked.error().message;
  ASSERT_TRUE(node::Exec(unlocked->store->handle(), sql));
  node.Start();
}

TEST_F(AuditTest, NoResultIsReleasedWhenTheAuditRecordCannotBeWrittenAndARerunWorks) {
  // The SWV fails mid-session, after message 3: its audit log refuses the
  // exchange record, as a full disk would.
  RunOnStore(*swv_, tmp_.path() / "swv.pass",
             "CREATE TRIGGER refuse_exchange_records BEFORE INSERT ON audit_leaves "
             "WHEN NEW.record LIKE '%inbeeld.exchange.match%' AND NEW.record LIKE '%completed%' "
             "BEGIN SELECT RAISE(ABORT, 'disk full'); END");
  Repoint();
  RunResult r = Match();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("swv"), std::string::npos) << "the error names the peer: " << r.err;
  // Neither side holds a completed result; the initiator's session is failed.
  for (TestNode* node : {lp_.get(), swv_.get()}) {
    for (const auto& s : node->CliJson({"results", "--json"})) {
      EXPECT_EQ(s["status"], "failed") << node->name();
      EXPECT_FALSE(s.value("error", "").empty()) << node->name();
    }
  }
  // Once the SWV is healthy again, the same match simply runs.
  RunOnStore(*swv_, tmp_.path() / "swv.pass", "DROP TRIGGER refuse_exchange_records");
  Repoint();
  RunResult again = Match();
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["status"], "completed");
}

}  // namespace
}  // namespace inbeeld
