// Upgrading a node: a data directory made by the previous release's binary
// (tests/upgrade/PREVIOUS_RELEASE, built by scripts/build_previous_release.sh)
// is opened by this tree's binary, migrates at its first unlock, records the
// migration in its audit log, keeps its list and its log verifiable, and still
// matches, both ways, with a partner that has not upgraded.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "node/store/store.h"
#include "schema/synthetic.h"
#include "tests/support/test_node.h"

namespace inbeeld {
namespace {

namespace fs = std::filesystem;
using testing::RunResult;
using testing::TempDir;
using testing::TestNode;

constexpr const char* kPurpose = "thuiszitters-afstemming";

// INBEELD_PREVIOUS_RELEASE_BINARY, else where scripts/build_previous_release.sh
// puts the binary of the commit PREVIOUS_RELEASE names.
fs::path PreviousReleaseBinary() {
  if (const char* set = std::getenv("INBEELD_PREVIOUS_RELEASE_BINARY"); set && *set) return set;
  std::ifstream in(fs::path(INBEELD_SOURCE_DIR) / "tests/upgrade/PREVIOUS_RELEASE");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::string commit = line.substr(0, line.find(' '));
    return fs::path(INBEELD_SOURCE_DIR) / "build-previous" / commit / "src/build/node/inbeeld";
  }
  return {};
}

// The own references a match report lists, i.e. which of its own children the
// node learned the partner also knows.
std::set<std::string> Matched(const nlohmann::json& report) {
  std::set<std::string> out;
  for (const auto& m : report["matches"]) out.insert(m["own_reference"].get<std::string>());
  return out;
}

// The current list's rows as both releases print them (`list --json --rows`),
// without what follows the date (weeks).
std::vector<std::string> Rows(const TestNode& node) {
  std::vector<std::string> out;
  const nlohmann::json list = node.CliJson({"list", "--json", "--rows"});
  for (const auto& r : list.at("rows")) {
    out.push_back(r.at("own_reference").get<std::string>() + ";" +
                  r.at("category").get<std::string>() + ";" + r.at("since").get<std::string>() +
                  ";" + r.at("school").dump() + ";" + r.at("plan_in_place").dump() + ";" +
                  r.at("has_pgn").dump());
  }
  return out;
}

// Points `node`'s entry for `peer` (written while the peer had another or no
// address) at the peer's server.
void Repoint(const TestNode& node, const std::string& old_address, const TestNode& peer) {
  std::string config = testing::ReadFile(node.home() / "inbeeld.toml");
  auto at = config.find("\"" + old_address + "\"");
  ASSERT_NE(at, std::string::npos) << old_address << " not in " << node.name() << "'s config";
  config.replace(at + 1, old_address.size(), peer.address());
  testing::WriteFile(node.home() / "inbeeld.toml", config);
}

nlohmann::json Match(const TestNode& from, const TestNode& to) {
  auto report = from.CliJson({"match", to.name(), "--purpose", kPurpose, "--json"});
  EXPECT_EQ(report["status"], "completed") << report.dump();
  return report;
}

TEST(UpgradeTest, AnUpgradedNodeKeepsItsDataAndMatchesWithAPartnerThatDidNot) {
  const fs::path previous = PreviousReleaseBinary();
  ASSERT_TRUE(!previous.empty() && fs::exists(previous))
      << "the previous release's inbeeld is not at '" << previous.string()
      << "': build it with scripts/build_previous_release.sh (scripts/test.sh does), or name "
         "it in INBEELD_PREVIOUS_RELEASE_BINARY";

  TempDir tmp;
  // Both nodes made, filled and paired by the previous release.
  TestNode lp(tmp.path(), "leerplicht-oud", "leerplicht", std::nullopt, previous);
  TestNode swv(tmp.path(), "swv-oud", "swv", std::nullopt, previous);
  schema::RegionSpec spec;
  spec.seed = 1108;
  spec.partners = {{"Leerplicht", 60}, {"SWV", 50}};
  spec.overlap = 0.4;
  spec.today = testing::TodayUtc();
  auto lists = schema::GenerateRegion(spec);
  lp.Import(lists[0]);
  swv.Import(lists[1]);
  ASSERT_EQ(swv.AddPeer(lp).exit_code, 0);  // lp is not serving yet: a dead address
  swv.Start();
  RunResult added = lp.AddPeer(swv);
  ASSERT_EQ(added.exit_code, 0) << added.err;
  lp.Start();
  Repoint(swv, "127.0.0.1:9", lp);

  // Both ways under the previous release: audit logs, results and witnessed
  // checkpoints on both sides, as a real region has them.
  const std::set<std::string> lp_matched = Matched(Match(lp, swv));
  const std::set<std::string> swv_matched = Matched(Match(swv, lp));
  ASSERT_GT(lp_matched.size(), 10u);
  ASSERT_EQ(lp_matched.size(), swv_matched.size());
  const std::vector<std::string> rows_before = Rows(lp);
  ASSERT_EQ(rows_before.size(), lists[0].size());

  // Leerplicht upgrades: this tree's binary on the same data directory.
  ASSERT_EQ(lp.Stop(), 0) << lp.ServerLog();
  const std::string lp_old_address = lp.address();
  lp.UseBinary({});
  nlohmann::json show = lp.CliJson({"audit", "show", "--json"});
  int migrations = 0;
  for (const auto& r : show) {
    if (r["name"] != "inbeeld.store.migrated") continue;
    ++migrations;
    EXPECT_EQ(r["attributes"]["inbeeld.schema_version.before"], "8");
    EXPECT_EQ(r["attributes"]["inbeeld.schema_version"],
              std::to_string(node::Store::LatestSchemaVersion()));
  }
  EXPECT_EQ(migrations, 1) << show.dump(2);
  EXPECT_EQ(Rows(lp), rows_before);

  // The upgraded node asks the partner still on the previous release...
  lp.Start();
  Repoint(swv, lp_old_address, lp);
  EXPECT_EQ(Matched(Match(lp, swv)), lp_matched);
  // ...and serves it.
  EXPECT_EQ(Matched(Match(swv, lp)), swv_matched);

  // Migrated once, however often the node was unlocked since.
  migrations = 0;
  for (const auto& r : lp.CliJson({"audit", "show", "--json"})) {
    if (r["name"] == "inbeeld.store.migrated") ++migrations;
  }
  EXPECT_EQ(migrations, 1);

  // The whole log, from before and after the upgrade, exports and verifies,
  // with the not-upgraded partner's cosignatures.
  fs::path dir = tmp.path() / "export";
  RunResult exported = lp.Cli({"audit", "export", "--out", dir.string()});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  RunResult verified = testing::Run(INBEELD_BINARY, {"audit", "verify", dir.string()}, {});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("OK:"), std::string::npos) << verified.out;
  EXPECT_NE(verified.out.find("cosignatures by swv-oud"), std::string::npos) << verified.out;
}

}  // namespace
}  // namespace inbeeld
