// Integration tests for region sync: four real `inbeeld` nodes on loopback
// with real mutual TLS, real CLI runs and real SQLCipher stores.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <map>
#include <set>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "schema/match_keys.h"
#include "schema/synthetic.h"
#include "tests/support/test_node.h"

namespace inbeeld {
namespace {

using testing::RunResult;
using testing::TempDir;
using testing::TestNode;
using testing::TodayUtc;

// The lists are generated relative to the day the test runs, so that "since"
// dates stay spread around the pact's three-month mark on any date; the
// assertions use the date the node itself reports in `overview --json`.
const schema::Date kToday = TodayUtc();
constexpr const char* kPurpose = "thuiszitters-afstemming";

std::set<std::string> Ids(const std::vector<schema::ListRow>& rows) {
  std::set<std::string> out;
  for (const auto& r : rows) out.insert(r.identifier->digits());
  return out;
}

class RegionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* names[] = {"leerplicht-haarlem", "swv-po-zk", "swv-vo-zk", "school-12ab"};
    const char* roles[] = {"leerplicht", "swv", "swv", "school"};
    schema::RegionSpec spec;
    spec.seed = 2026;
    spec.partners = {{"Leerplicht Haarlem", 160}, {"SWV PO", 90}, {"SWV VO", 120}, {"School", 40}};
    spec.overlap = 0.5;
    spec.today = kToday;
    lists_ = schema::GenerateRegion(spec);
    for (int i = 0; i < 4; ++i) {
      nodes_.push_back(
          std::make_unique<TestNode>(tmp_.path(), names[i], roles[i]));
      nodes_.back()->Import(lists_[i]);
    }
  }
  TestNode& lp() { return *nodes_[0]; }

  // Every other node pins leerplicht and serves (except those in `down`);
  // leerplicht pins them all at their addresses.
  void ConnectStar(const std::set<size_t>& down = {}) {
    for (size_t i = 1; i < nodes_.size(); ++i) {
      ASSERT_EQ(nodes_[i]->AddPeer(lp()).exit_code, 0);
      if (!down.contains(i)) nodes_[i]->Start();
    }
    for (size_t i = 1; i < nodes_.size(); ++i) {
      RunResult added = lp().AddPeer(*nodes_[i]);
      ASSERT_EQ(added.exit_code, 0) << added.err;
    }
  }
  // reference -> identifier, for leerplicht's list
  std::map<std::string, std::string> LpRefs(const std::vector<schema::ListRow>& rows) {
    std::map<std::string, std::string> out;
    for (const auto& r : rows) out[r.own_reference] = r.identifier->digits();
    return out;
  }

  TempDir tmp_;
  std::vector<std::unique_ptr<TestNode>> nodes_;
  std::vector<std::vector<schema::ListRow>> lists_;
};

TEST_F(RegionTest, SyncReachesEveryPeerThatIsUpAndReportsTheOneThatIsDown) {
  ConnectStar(/*down=*/{3});
  RunResult run = lp().Cli({"sync", "--purpose", kPurpose, "--json", "--timeout", "10"});
  EXPECT_EQ(run.exit_code, 8) << run.err;
  auto report = nlohmann::json::parse(run.out);
  ASSERT_EQ(report["peers"].size(), 3u);
  std::set<std::string> lp_ids = Ids(lists_[0]);
  for (size_t i = 1; i < 4; ++i) {
    const auto& p = report["peers"][i - 1];
    EXPECT_EQ(p["peer"], nodes_[i]->name());
    if (i == 3) {
      EXPECT_EQ(p["status"], "failed");
      EXPECT_EQ(p["error"], "unavailable");
      continue;
    }
    EXPECT_EQ(p["status"], "completed") << p.dump();
    size_t common = 0;
    for (const auto& id : Ids(lists_[i])) common += lp_ids.count(id);
    EXPECT_EQ(p["overlap"], common);
  }
  EXPECT_NE(run.err.find("1 of 3 peers could not be synced"), std::string::npos) << run.err;

  // The overview names, per child, exactly the partners that were reached and hold it.
  auto overview = lp().CliJson({"overview", "--json"});
  auto refs = LpRefs(lists_[0]);
  std::set<std::string> po = Ids(lists_[1]), vo = Ids(lists_[2]);
  ASSERT_EQ(overview["children"].size(), lists_[0].size());
  size_t unknown = 0;
  for (const auto& c : overview["children"]) {
    const std::string& id = refs.at(c["own_reference"]);
    std::set<std::string> expected, got;
    if (po.contains(id)) expected.insert("swv-po-zk");
    if (vo.contains(id)) expected.insert("swv-vo-zk");
    for (const auto& p : c["partners"]) got.insert(p["peer"]);
    EXPECT_EQ(got, expected);
    EXPECT_EQ(c["unknown_to_all"], expected.empty());
    unknown += expected.empty();
  }
  EXPECT_EQ(overview["totals"]["unknown_to_all"], unknown);
  EXPECT_TRUE(overview["previous_sync_run"].is_null());
  // Leerplicht's own screen never shows an identifier.
  RunResult text = lp().Cli({"overview"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  for (const auto& id : lp_ids) EXPECT_EQ(text.out.find(id), std::string::npos);
}

TEST_F(RegionTest, OverviewShowsWhatChangedSinceThePreviousSyncAndExportsForExcel) {
  ConnectStar();
  RunResult first = lp().Cli({"sync", "--purpose", kPurpose});
  ASSERT_EQ(first.exit_code, 0) << first.err << first.out;

  // Leerplicht's next list: three children it did not have that swv-po knows,
  // two brand-new children nobody knows. swv-vo drops two children both knew.
  auto next = lists_[0];
  std::set<std::string> lp_ids = Ids(lists_[0]);
  std::set<std::string> newly_expected, new_unknown_expected, no_longer_expected;
  for (const auto& r : lists_[1]) {
    if (newly_expected.size() < 3 && !lp_ids.contains(r.identifier->digits()) &&
        !Ids(lists_[2]).contains(r.identifier->digits()) &&
        !Ids(lists_[3]).contains(r.identifier->digits())) {
      auto copy = r;
      copy.own_reference = "NEW-" + std::to_string(newly_expected.size());
      newly_expected.insert(copy.own_reference);
      next.push_back(copy);
    }
  }
  auto fresh = schema::GenerateList(99, 2, kToday);
  for (size_t i = 0; i < fresh.size(); ++i) {
    fresh[i].own_reference = "FRESH-" + std::to_string(i);
    new_unknown_expected.insert(fresh[i].own_reference);
    next.push_back(fresh[i]);
  }
  auto vo_next = lists_[2];
  std::set<std::string> vo_dropped;
  for (auto it = vo_next.begin(); it != vo_next.end() && vo_dropped.size() < 2;) {
    if (lp_ids.contains(it->identifier->digits())) {
      vo_dropped.insert(it->identifier->digits());
      it = vo_next.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& r : lists_[0]) {
    if (vo_dropped.contains(r.identifier->digits())) no_longer_expected.insert(r.own_reference);
  }
  ASSERT_EQ(newly_expected.size(), 3u);
  ASSERT_EQ(no_longer_expected.size(), 2u);
  lp().Import(next);
  nodes_[2]->Import(vo_next);

  RunResult second = lp().Cli({"sync", "--purpose", kPurpose});
  ASSERT_EQ(second.exit_code, 0) << second.err << second.out;
  auto overview = lp().CliJson({"overview", "--json"});
  EXPECT_FALSE(overview["previous_sync_run"].is_null());
  const schema::Date node_today = *schema::ParseDate(overview["today"].get<std::string>());
  std::set<std::string> newly, no_longer, new_unknown;
  size_t flagged = 0, unflagged_without_plan = 0;
  for (const auto& c : overview["children"]) {
    if (!c["newly_matched"].empty()) {
      newly.insert(c["own_reference"]);
      EXPECT_EQ(c["newly_matched"], nlohmann::json::array({"swv-po-zk"}));
    }
    if (!c["no_longer_matched"].empty()) {
      no_longer.insert(c["own_reference"]);
      EXPECT_EQ(c["no_longer_matched"], nlohmann::json::array({"swv-vo-zk"}));
    }
    if (c["new_on_list"] && c["unknown_to_all"]) new_unknown.insert(c["own_reference"]);
    // The pact's mark: three calendar months since, and no plan.
    schema::Date since = *schema::ParseDate(c["since"].get<std::string>());
    int month = since.month + 3, year = since.year + (month > 12);
    if (month > 12) month -= 12;
    schema::Date mark{year, month, std::min(since.day, schema::DaysInMonth(year, month))};
    EXPECT_EQ(c["past_three_months_without_plan"], !c["plan_in_place"] && mark <= node_today);
    if (c["past_three_months_without_plan"]) ++flagged;
    if (!c["plan_in_place"] && !c["past_three_months_without_plan"]) ++unflagged_without_plan;
  }
  // Both sides of the mark occur, so the flag is really tested.
  EXPECT_GT(flagged, 0u);
  EXPECT_GT(unflagged_without_plan, 0u);
  EXPECT_EQ(newly, newly_expected);
  EXPECT_EQ(no_longer, no_longer_expected);
  EXPECT_EQ(new_unknown, new_unknown_expected);

  auto csv_path = tmp_.path() / "overzicht.csv";
  ASSERT_EQ(lp().Cli({"overview", "--csv", csv_path.string()}).exit_code, 0);
  std::string csv = testing::ReadFile(csv_path);
  ASSERT_EQ(csv.rfind("\xEF\xBB\xBF" "referentie;categorie;", 0), 0u);
  EXPECT_EQ(static_cast<size_t>(std::count(csv.begin(), csv.end(), '\n')), next.size() + 1);
  for (const auto& r : next) EXPECT_EQ(csv.find(r.identifier->digits()), std::string::npos);
}

std::string Shown(size_t n) { return n >= 1 && n <= 4 ? "<5" : std::to_string(n); }

TEST_F(RegionTest, RegionalCountsEqualAPlainComputationOnTheLists) {
  // Five twins of leerplicht's children on SWV VO's list: the same surname and
  // birth date, another first name, another child. Each links to its twin
  // only possibly, so the count keeps them apart and says so.
  std::set<std::string> used;
  for (const auto& list : lists_) {
    for (const auto& id : Ids(list)) used.insert(id);
  }
  uint32_t candidate = 100000000;
  // Twins of leerplicht children that no other list holds, so that they are
  // doubts rather than twins of a child found twice.
  std::map<std::string, int> holders;
  for (const auto& list : lists_) {
    for (const auto& id : Ids(list)) ++holders[id];
  }
  std::vector<const schema::ListRow*> lp_only;
  for (const auto& r : lists_[0]) {
    if (holders[r.identifier->digits()] == 1) lp_only.push_back(&r);
  }
  ASSERT_GE(lp_only.size(), 5u);
  for (size_t k = 0; k < 5; ++k) {
    schema::ListRow twin = *lp_only[k];
    const std::string& full = *twin.name.full_name;
    twin.name.full_name = (full.rfind("Tweeling", 0) == 0 ? "Anderling" : "Tweeling") +
                          full.substr(full.find(' '));
    std::string digits;
    do {
      digits = std::to_string(++candidate);
    } while (!schema::IsValidBsn(digits) || used.contains(digits));
    used.insert(digits);
    twin.identifier = *schema::Identifier::Parse(digits);
    twin.own_reference = "TWIN-" + std::to_string(k);
    lists_[2].push_back(std::move(twin));
  }
  nodes_[2]->Import(lists_[2]);
  ConnectStar();
  auto counts = lp().CliJson({"region", "count", "swv-po-zk", "swv-vo-zk", "school-12ab",
                              "--purpose", kPurpose, "--json"});
  std::map<std::string, int> lists_per_child;
  for (const auto& list : lists_) {
    for (const auto& id : Ids(list)) ++lists_per_child[id];
  }
  size_t single = 0;
  for (const auto& [id, n] : lists_per_child) single += n == 1;
  ASSERT_GT(single, 4u);
  EXPECT_EQ(counts["distinct_children"], Shown(lists_per_child.size()));
  EXPECT_EQ(counts["on_one_list_only"], Shown(single));
  ASSERT_EQ(counts["partners"].size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(counts["partners"][i]["node"], nodes_[i]->name());
    EXPECT_EQ(counts["partners"][i]["children"], Shown(lists_[i].size()));
    EXPECT_EQ(counts["partners"][i]["share"],
              fmt::format("{:.1f}%", 100.0 * static_cast<double>(lists_[i].size()) /
                                         static_cast<double>(lists_per_child.size())));
  }
  // By category: each child counted once, in the category the first list
  // holding it (coordinator first) gives.
  std::map<std::string, schema::Category> category_of;
  for (const auto& list : lists_) {
    for (const auto& r : list) category_of.emplace(r.identifier->digits(), r.category);
  }
  std::map<schema::Category, size_t> per_category;
  for (const auto& [id, category] : category_of) ++per_category[category];
  for (auto category : {schema::Category::kRelatiefVerzuim, schema::Category::kAbsoluutVerzuim,
                        schema::Category::kVrijstelling5a, schema::Category::kDreigend}) {
    EXPECT_EQ(counts["by_category"][std::string(schema::CategoryName(category))],
              Shown(per_category[category]))
        << schema::CategoryName(category);
  }
  // Possibly the same as another: children of different lists who share only
  // a weak key (an SWV takes part, so no PGN keys: name and weak), each on one
  // list only (a weak link next to a child found on two lists is its twin).
  std::set<std::string> uncertain;
  for (size_t i = 0; i < lists_.size(); ++i) {
    for (size_t j = i + 1; j < lists_.size(); ++j) {
      for (const auto& x : lists_[i]) {
        const auto kx = schema::DeriveMatchKeys(std::nullopt, x.name, x.birth_date);
        for (const auto& y : lists_[j]) {
          if (x.identifier == y.identifier) continue;
          const auto ky = schema::DeriveMatchKeys(std::nullopt, y.name, y.birth_date);
          bool strong = false, weak = false;
          for (size_t a = 1; a < schema::kSlotCount; ++a) {
            for (size_t b = 1; b < schema::kSlotCount; ++b) {
              if (!kx[a] || kx[a] != ky[b]) continue;
              (schema::SlotStrength(a) == schema::Strength::kPossible ? weak : strong) = true;
            }
          }
          ASSERT_FALSE(strong) << "two synthetic children share a name and birth date";
          if (weak && lists_per_child[x.identifier->digits()] == 1 &&
              lists_per_child[y.identifier->digits()] == 1) {
            uncertain.insert(x.identifier->digits());
            uncertain.insert(y.identifier->digits());
          }
        }
      }
    }
  }
  ASSERT_GE(uncertain.size(), 6u);  // the twins of children on one list at least
  EXPECT_EQ(counts["possibly_the_same_as_another"], Shown(uncertain.size()));
  // Every participant recorded the same figures, and nothing per child.
  for (size_t i = 1; i < 4; ++i) {
    auto shown = nodes_[i]->CliJson({"region", "show", "--json"});
    EXPECT_EQ(shown["session"], counts["session"]);
    EXPECT_EQ(shown["distinct_children"], counts["distinct_children"]);
    EXPECT_EQ(shown["on_one_list_only"], counts["on_one_list_only"]);
  }
  // A region of two is refused before anything leaves the node.
  RunResult two = lp().Cli({"region", "count", "swv-po-zk", "--purpose", kPurpose});
  EXPECT_EQ(two.exit_code, 3) << two.err;
}

std::string DaysFromNow(int days) {
  auto t = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) +
           std::chrono::days(days);
  return fmt::format("{:%Y-%m-%d}", t);
}

TEST_F(RegionTest, RetentionDeletesExactlyWhatHasExpired) {
  std::string config = testing::ReadFile(lp().home() / "inbeeld.toml");
  for (auto [from, to] : {std::pair{"list_versions_days = 365", "list_versions_days = 30"},
                          std::pair{"results_days = 365", "results_days = 60"}}) {
    auto at = config.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    config.replace(at, std::string(from).size(), to);
  }
  testing::WriteFile(lp().home() / "inbeeld.toml", config);
  ConnectStar();
  ASSERT_EQ(lp().Cli({"sync", "--purpose", kPurpose}).exit_code, 0);
  lp().Import(lists_[0]);  // version 2, the current one
  ASSERT_EQ(lp().Cli({"sync", "--purpose", kPurpose}).exit_code, 0);
  ASSERT_EQ(lp().Cli({"region", "count", "swv-po-zk", "swv-vo-zk", "school-12ab", "--purpose",
                      kPurpose}).exit_code, 0);
  ASSERT_EQ(lp().CliJson({"results", "--json"}).size(), 6u);

  // Nothing is old enough yet.
  auto early = lp().CliJson({"purge", "--as-of", DaysFromNow(29), "--json"});
  for (const auto& [what, n] : early["deleted"].items()) EXPECT_EQ(n, 0) << what;

  // Past the list retention only: the old version goes, the current stays, results stay.
  auto lists = lp().CliJson({"purge", "--as-of", DaysFromNow(45), "--json"});
  EXPECT_EQ(lists["deleted"]["list_versions"], 1);
  EXPECT_EQ(lists["deleted"]["list_rows"], lists_[0].size());
  EXPECT_EQ(lists["deleted"]["sessions"], 0);
  EXPECT_EQ(lp().CliJson({"results", "--json"}).size(), 6u);
  EXPECT_EQ(lp().CliJson({"overview", "--json"})["children"].size(), lists_[0].size());

  // Past the results retention: every session, sync run and regional count goes;
  // the current list never does.
  auto results = lp().CliJson({"purge", "--as-of", DaysFromNow(90), "--json"});
  EXPECT_EQ(results["deleted"]["list_versions"], 0);
  EXPECT_EQ(results["deleted"]["sessions"], 6);
  EXPECT_EQ(results["deleted"]["sync_runs"], 2);
  EXPECT_EQ(results["deleted"]["region_sessions"], 1);
  EXPECT_EQ(lp().CliJson({"results", "--json"}).size(), 0u);
  auto overview = lp().CliJson({"overview", "--json"});
  EXPECT_EQ(overview["children"].size(), lists_[0].size());
  EXPECT_TRUE(overview["partners"].empty());
  // A participant's own data is untouched by leerplicht's purge.
  EXPECT_EQ(nodes_[1]->CliJson({"results", "--json"}).size(), 2u);
  // The purges are on record, and the log still verifies.
  RunResult status = lp().Cli({"status", "--check"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
}

}  // namespace
}  // namespace inbeeld

namespace inbeeld {
namespace {

// `serve` runs [sync] and the retention purge on its own: with every_days = 1
// and no earlier run, the first sync and purge happen as soon as it starts.
TEST_F(RegionTest, ServeRunsTheSyncAndPurgeOnSchedule) {
  ConnectStar();
  std::string config = testing::ReadFile(lp().home() / "inbeeld.toml");
  config += "\n[sync]\npurpose = \"thuiszitters-afstemming\"\nevery_days = 1\n"
            "purge_every_hours = 24\n";
  testing::WriteFile(lp().home() / "inbeeld.toml", config);
  lp().Start();
  // Bounded wait for the scheduled run to reach all three peers.
  size_t sessions = 0;
  for (int i = 0; i < 300 && sessions < 3; ++i) {
    sessions = 0;
    for (const auto& s : lp().CliJson({"results", "--json"})) {
      if (s["role"] == "initiator" && s["status"] == "completed") ++sessions;
    }
    if (sessions < 3) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(sessions, 3u) << lp().ServerLog();
  bool purged = false;
  for (const auto& r : lp().CliJson({"audit", "show", "--json"})) {
    if (r["name"] == "inbeeld.purge") purged = true;
  }
  EXPECT_TRUE(purged) << lp().ServerLog();
  EXPECT_NE(lp().ServerLog().find("scheduled sync"), std::string::npos) << lp().ServerLog();
}

}  // namespace
}  // namespace inbeeld
