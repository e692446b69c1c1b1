// Integration tests for peer reconciliation: real `inbeeld serve` processes,
// real mutual TLS on loopback, real CLI runs, real SQLCipher stores.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "schema/csv_import.h"
#include "schema/xlsx.h"
#include "schema/synthetic.h"
#include "tests/support/test_node.h"

namespace inbeeld {
namespace {

using testing::RunResult;
using testing::TempDir;
using testing::TestNode;

// The lists lie around the day the test runs, as the nodes' own clock sees it.
const schema::Date kToday = testing::TodayUtc();
constexpr const char* kPurpose = "thuiszitters-afstemming";

std::map<std::string, const schema::ListRow*> ById(const std::vector<schema::ListRow>& rows) {
  std::map<std::string, const schema::ListRow*> out;
  for (const auto& r : rows) out[r.identifier->digits()] = &r;
  return out;
}

class ExchangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lp_ = std::make_unique<TestNode>(tmp_.path(), "leerplicht-haarlem", "leerplicht");
    swv_ = std::make_unique<TestNode>(tmp_.path(), "swv-vo-zk", "swv");
    schema::RegionSpec spec;
    spec.seed = 77;
    spec.partners = {{"Leerplicht Haarlem", 240}, {"SWV VO Zuid-Kennemerland", 180}};
    spec.overlap = 0.4;
    spec.today = kToday;
    auto lists = schema::GenerateRegion(spec);
    lp_rows_ = lists[0];
    swv_rows_ = lists[1];
    lp_->Import(lp_rows_);
    swv_->Import(swv_rows_);
  }
  // The SWV serves; leerplicht initiates.
  void Connect(const std::vector<std::string>& swv_policy = {},
               const std::vector<std::string>& lp_policy = {}) {
    ASSERT_EQ(swv_->AddPeer(*lp_, swv_policy).exit_code, 0);
    swv_->Start();
    RunResult added = lp_->AddPeer(*swv_, lp_policy);
    ASSERT_EQ(added.exit_code, 0) << added.err;
  }
  nlohmann::json Results(const TestNode& node) { return node.CliJson({"results", "--json"}); }

  TempDir tmp_;
  std::unique_ptr<TestNode> lp_, swv_;
  std::vector<schema::ListRow> lp_rows_, swv_rows_;
};

TEST_F(ExchangeTest, BothSidesLearnExactlyTheirOwnMatchesWithTheAgreedLabels) {
  // The SWV shares only category and since; leerplicht would share all four.
  Connect({"--labels", "category,since"});
  auto report = lp_->CliJson({"match", "swv-vo-zk", "--purpose", kPurpose, "--json"});
  ASSERT_EQ(report["status"], "completed");
  std::string session = report["session"];

  auto lp_by_id = ById(lp_rows_);
  auto swv_by_id = ById(swv_rows_);
  std::map<std::string, std::string> lp_ref_to_id, swv_ref_to_id;
  for (const auto& r : lp_rows_) lp_ref_to_id[r.own_reference] = r.identifier->digits();
  for (const auto& r : swv_rows_) swv_ref_to_id[r.own_reference] = r.identifier->digits();
  std::set<std::string> common;
  for (const auto& [id, row] : lp_by_id) {
    if (swv_by_id.count(id)) common.insert(id);
  }
  ASSERT_GT(common.size(), 20u);
  ASSERT_LT(common.size(), lp_rows_.size());

  EXPECT_EQ(report["overlap"], common.size());
  EXPECT_EQ(report["own_list_size"], lp_rows_.size());
  EXPECT_EQ(report["peer_list_size"], swv_rows_.size());
  EXPECT_EQ(report["shared_labels"], "category, since");
  std::set<std::string> lp_found;
  for (const auto& m : report["matches"]) {
    std::string id = lp_ref_to_id.at(m["own_reference"]);
    lp_found.insert(id);
    const schema::ListRow& theirs = *swv_by_id.at(id);
    EXPECT_EQ(m["peer"]["category"], schema::CategoryName(theirs.category));
    EXPECT_EQ(m["peer"]["since"], schema::FormatIso(theirs.since));
    EXPECT_FALSE(m["peer"].contains("school")) << "school was not agreed";
    EXPECT_FALSE(m["peer"].contains("plan_in_place")) << "plan was not agreed";
    EXPECT_EQ(m["category_differs"], theirs.category != lp_by_id.at(id)->category);
  }
  EXPECT_EQ(lp_found, common);

  auto swv_view = swv_->CliJson({"results", session, "--json"});
  EXPECT_EQ(swv_view["role"], "responder");
  EXPECT_EQ(swv_view["overlap"], common.size());
  std::set<std::string> swv_found;
  for (const auto& m : swv_view["matches"]) {
    std::string id = swv_ref_to_id.at(m["own_reference"]);
    swv_found.insert(id);
    EXPECT_EQ(m["peer"]["category"], schema::CategoryName(lp_by_id.at(id)->category));
    EXPECT_FALSE(m["peer"].contains("school"));
  }
  EXPECT_EQ(swv_found, common);

  // The CSV export opens in Dutch Excel: BOM, semicolons, one row per match.
  auto csv_path = tmp_.path() / "matches.csv";
  ASSERT_EQ(lp_->Cli({"results", session, "--csv", csv_path.string()}).exit_code, 0);
  std::string csv = testing::ReadFile(csv_path);
  ASSERT_EQ(csv.rfind("\xEF\xBB\xBF", 0), 0u);
  EXPECT_EQ(static_cast<size_t>(std::count(csv.begin(), csv.end(), '\n')), common.size() + 1);
  for (const auto& id : common) EXPECT_EQ(csv.find(id), std::string::npos);

  // The same meeting list as a workbook: the same Dutch headers and cells.
  auto xlsx_path = tmp_.path() / "matches.xlsx";
  ASSERT_EQ(lp_->Cli({"results", session, "--xlsx", xlsx_path.string()}).exit_code, 0);
  schema::CellTable sheet = schema::ReadXlsx(testing::ReadFile(xlsx_path));
  ASSERT_TRUE(sheet.problems.empty());
  schema::CellTable from_csv = schema::ReadCsvTable(csv);
  EXPECT_EQ(sheet.header, from_csv.header);
  ASSERT_EQ(sheet.row_count(), from_csv.row_count());
  for (size_t r = 0; r < sheet.row_count(); ++r) {
    for (size_t c = 0; c < sheet.header.size(); ++c) {
      EXPECT_EQ(sheet.cell(r, c), from_csv.cell(r, c)) << "row " << r << " column " << c;
    }
  }
}

TEST_F(ExchangeTest, CountModeRevealsOnlyTheSize) {
  Connect();
  auto report = lp_->CliJson({"match", "swv-vo-zk", "--purpose", kPurpose, "--count-only", "--json"});
  size_t common = 0;
  auto swv_by_id = ById(swv_rows_);
  for (const auto& r : lp_rows_) common += swv_by_id.count(r.identifier->digits());
  EXPECT_EQ(report["overlap"], common);
  EXPECT_TRUE(report["matches"].empty() || report["matches"].is_null());
  auto swv_view = swv_->CliJson({"results", report["session"], "--json"});
  EXPECT_EQ(swv_view["overlap"], common);
  EXPECT_TRUE(swv_view["matches"].empty() || swv_view["matches"].is_null());
}

TEST_F(ExchangeTest, UnpinnedClientIsRefusedInTheHandshake) {
  Connect();
  TestNode stranger(tmp_.path(), "stranger", "school");
  stranger.Import(schema::GenerateList(5, 20, kToday));
  ASSERT_EQ(stranger.AddPeer(*swv_).exit_code, 0);
  RunResult r = stranger.Cli({"match", "swv-vo-zk", "--purpose", kPurpose});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_EQ(Results(*swv_).size(), 0u) << "the refused client reached the exchange";
  EXPECT_EQ(Results(stranger).size(), 0u);
  // The server is unharmed.
  EXPECT_EQ(lp_->Cli({"match", "swv-vo-zk", "--purpose", kPurpose}).exit_code, 0);
}

TEST_F(ExchangeTest, ServerWithAnotherKeyIsRefusedByTheClient) {
  Connect();
  TestNode impostor(tmp_.path(), "impostor", "swv");
  impostor.Import(schema::GenerateList(6, 20, kToday));
  ASSERT_EQ(impostor.AddPeer(*lp_).exit_code, 0);
  impostor.Start();
  // Point leerplicht's pinned swv entry at the impostor's address.
  std::string config = testing::ReadFile(lp_->home() / "inbeeld.toml");
  auto at = config.find(swv_->address());
  ASSERT_NE(at, std::string::npos);
  config.replace(at, swv_->address().size(), impostor.address());
  testing::WriteFile(lp_->home() / "inbeeld.toml", config);
  RunResult r = lp_->Cli({"match", "swv-vo-zk", "--purpose", kPurpose});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_EQ(Results(*lp_).size(), 0u);
  EXPECT_EQ(Results(impostor).size(), 0u);
}

TEST_F(ExchangeTest, RefusedPurposeStoresNothingOnEitherSide) {
  lp_->AddActivity("onderzoek");
  swv_->AddActivity("onderzoek");
  // The SWV allows only the reconciliation purpose; leerplicht asks for research.
  ASSERT_EQ(swv_->AddPeer(*lp_).exit_code, 0);
  swv_->Start();
  ASSERT_EQ(lp_->AddPeer(*swv_, {"--purpose", "onderzoek"}).exit_code, 0);
  RunResult r = lp_->Cli({"match", "swv-vo-zk", "--purpose", "onderzoek"});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find("onderzoek"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not allowed"), std::string::npos) << r.err;
  EXPECT_EQ(Results(*lp_).size(), 0u);
  EXPECT_EQ(Results(*swv_).size(), 0u);
  // A purpose the initiator's own policy does not allow never leaves the node.
  RunResult own = lp_->Cli({"match", "swv-vo-zk", "--purpose", "no-such-purpose"});
  EXPECT_EQ(own.exit_code, 5) << own.err;
}

TEST_F(ExchangeTest, ListSizeAndDailyLimitsAreEnforcedByTheResponder) {
  Connect({"--max-list-size", "100", "--max-sessions-per-day", "1"});
  RunResult too_big = lp_->Cli({"match", "swv-vo-zk", "--purpose", kPurpose});
  EXPECT_EQ(too_big.exit_code, 9) << too_big.err;
  EXPECT_NE(too_big.err.find("limit"), std::string::npos) << too_big.err;
  EXPECT_EQ(Results(*swv_).size(), 0u);
}

TEST_F(ExchangeTest, DailyLimit) {
  Connect({"--max-sessions-per-day", "1"});
  EXPECT_EQ(lp_->Cli({"match", "swv-vo-zk", "--purpose", kPurpose, "--count-only"}).exit_code, 0);
  RunResult second = lp_->Cli({"match", "swv-vo-zk", "--purpose", kPurpose, "--count-only"});
  EXPECT_EQ(second.exit_code, 9) << second.err;
  EXPECT_NE(second.err.find("24 hours"), std::string::npos) << second.err;
  EXPECT_EQ(Results(*swv_).size(), 1u);
}

TEST_F(ExchangeTest, UnreachablePeerFailsClearlyAndStoresNothing) {
  ASSERT_EQ(swv_->AddPeer(*lp_).exit_code, 0);
  swv_->Start();
  ASSERT_EQ(lp_->AddPeer(*swv_).exit_code, 0);
  swv_->Stop();
  RunResult down = lp_->Cli({"match", "swv-vo-zk", "--purpose", kPurpose});
  EXPECT_EQ(down.exit_code, 8) << down.err;
  EXPECT_NE(down.err.find("unreachable"), std::string::npos) << down.err;
  EXPECT_EQ(Results(*lp_).size(), 0u);
}

TEST_F(ExchangeTest, ServerStopsCleanlyOnSigterm) {
  Connect();
  EXPECT_EQ(swv_->Stop(), 0);
  EXPECT_NE(swv_->ServerLog().find("stopped"), std::string::npos) << swv_->ServerLog();
}

}  // namespace
}  // namespace inbeeld
