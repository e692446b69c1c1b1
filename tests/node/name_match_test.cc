// Issue 8 end to end: a leerplicht node (BSN, official names as the BRP holds
// them) and an SWV node (no PGN; roepnaam, its own spelling) find exactly the
// children they share, over real `inbeeld serve` processes, real mutual TLS on
// loopback, real CLI runs and real SQLCipher stores. The lists and the ground
// truth come from schema::GenerateNameMatchLists; each node imports its
// system's own CSV export.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "schema/synthetic.h"
#include "tests/support/test_node.h"

namespace inbeeld {
namespace {

using schema::DecoyCase;
using schema::DecoyKind;
using schema::NameMatchLists;
using schema::SharedChild;
using testing::RunResult;
using testing::TempDir;
using testing::TestNode;
using testing::TodayUtc;


constexpr const char* kPurpose = "thuiszitters-afstemming";
constexpr const char* kLp = "leerplicht-haarlem";
constexpr const char* kSwv = "swv-vo-zk";
const std::vector<std::string> kAllLabels = {"--labels", "category,since,school,plan"};

// One side's view of a match session: its matches by own reference.
struct Match {
  std::string pair_code;
  std::string strength;
  nlohmann::json json;
};
using Matches = std::map<std::string, std::vector<Match>>;

Matches ByReference(const nlohmann::json& session) {
  Matches out;
  for (const auto& m : session.at("matches")) {
    out[m.at("own_reference")].push_back(
        Match{m.at("pair_code"), m.contains("strength") ? m["strength"] : "", m});
  }
  return out;
}

// What the ground truth says each side must see.
struct Expected {
  // Own reference -> the other side's reference it pairs with.
  std::map<std::string, std::string> strong_lp, strong_swv, possible_lp, possible_swv;
  std::set<std::string> absent_lp, absent_swv;  // in no pair
  size_t possible_cases = 0;
};

Expected ExpectedOf(const NameMatchLists& lists) {
  Expected e;
  for (const SharedChild& s : lists.shared) {
    e.strong_lp[s.lp_reference] = s.swv_reference;
    e.strong_swv[s.swv_reference] = s.lp_reference;
  }
  for (const DecoyCase& c : lists.decoys) {
    if (c.expected) {
      e.possible_lp[c.lp_references.at(0)] = c.swv_references.at(0);
      e.possible_swv[c.swv_references.at(0)] = c.lp_references.at(0);
      ++e.possible_cases;
    } else {
      e.absent_lp.insert(c.lp_references.begin(), c.lp_references.end());
      e.absent_swv.insert(c.swv_references.begin(), c.swv_references.end());
    }
  }
  e.absent_lp.insert(lists.lp_only_references.begin(), lists.lp_only_references.end());
  e.absent_swv.insert(lists.swv_only_references.begin(), lists.swv_only_references.end());
  return e;
}

std::string DecoyKindOf(const NameMatchLists& lists, const std::string& ref) {
  for (const DecoyCase& c : lists.decoys) {
    for (const auto* refs : {&c.lp_references, &c.swv_references}) {
      for (const std::string& r : *refs) {
        if (r == ref) return std::string(schema::DecoyKindName(c.kind));
      }
    }
  }
  return "not a decoy";
}

class NameMatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    schema::NameMatchSpec spec;
    spec.seed = 2026;
    spec.shared = 40;
    spec.lp_only = 30;
    spec.swv_only = 20;
    spec.decoys_per_kind = 2;
    spec.today = TodayUtc();
    lists_ = schema::GenerateNameMatchLists(spec);
    expected_ = ExpectedOf(lists_);
    lp_ = std::make_unique<TestNode>(tmp_.path(), kLp, "leerplicht");
    swv_ = std::make_unique<TestNode>(tmp_.path(), kSwv, "swv");
    ImportCsv(*lp_, "brp-export.csv", lists_.leerplicht_csv);
    ImportCsv(*swv_, "swv-export.csv", lists_.swv_csv);
  }

  RunResult TryImport(TestNode& node, const std::string& file, const std::string& bytes) {
    auto path = tmp_.path() / file;
    testing::WriteFile(path, bytes);
    return node.Cli({"import", path.string()});
  }
  void ImportCsv(TestNode& node, const std::string& file, const std::string& bytes) {
    RunResult r = TryImport(node, file, bytes);
    ASSERT_EQ(r.exit_code, 0) << node.name() << ": " << r.err;
  }

  // `server` pins `client` and serves; `client` pins `server`. Both share
  // every label, so every kind of disagreement can be flagged.
  void Connect(TestNode& client, TestNode& server) {
    RunResult pinned = server.AddPeer(client, kAllLabels);
    ASSERT_EQ(pinned.exit_code, 0) << pinned.err;
    server.Start();
    RunResult added = client.AddPeer(server, kAllLabels);
    ASSERT_EQ(added.exit_code, 0) << added.err;
  }

  // Checks one side's matches against the ground truth: the children it shares
  // as certain or probable, the possible cases as possible, nothing else.
  // Returns own reference -> pair code.
  std::map<std::string, std::string> CheckSide(const nlohmann::json& session, bool lp_side) {
    const auto& strong = lp_side ? expected_.strong_lp : expected_.strong_swv;
    const auto& possible = lp_side ? expected_.possible_lp : expected_.possible_swv;
    const auto& absent = lp_side ? expected_.absent_lp : expected_.absent_swv;
    const std::string side = lp_side ? "leerplicht: " : "swv: ";
    Matches matches = ByReference(session);
    std::map<std::string, std::string> codes;
    size_t by_strength[3] = {0, 0, 0};
    for (const auto& [ref, ms] : matches) {
      for (const Match& m : ms) {
        EXPECT_TRUE(m.json.contains("strength")) << side << m.json.dump();
        EXPECT_TRUE(m.strength == "certain" || m.strength == "probable" || m.strength == "possible")
            << side << m.json.dump();
        by_strength[m.strength == "certain" ? 0 : m.strength == "probable" ? 1 : 2]++;
        EXPECT_EQ(m.pair_code.size(), 7u) << side << m.json.dump();
      }
      EXPECT_EQ(ms.size(), 1u) << side << ref << " is in " << ms.size() << " pairs";
      EXPECT_FALSE(absent.contains(ref)) << side << ref << " (" << DecoyKindOf(lists_, ref)
                                         << ") was paired " << ms.front().strength;
      if (strong.contains(ref)) {
        EXPECT_TRUE(ms.front().strength == "certain" || ms.front().strength == "probable")
            << side << "shared child " << ref << " paired " << ms.front().strength;
      } else if (possible.contains(ref)) {
        EXPECT_EQ(ms.front().strength, "possible")
            << side << ref << " (" << DecoyKindOf(lists_, ref) << ")";
      } else {
        ADD_FAILURE() << side << ref << " is not in the ground truth's pairs";
      }
      codes[ref] = ms.front().pair_code;
    }
    for (const auto& [ref, other] : strong) {
      EXPECT_TRUE(matches.contains(ref))
          << side << "shared child " << ref << " / " << other << " was not found";
    }
    for (const auto& [ref, other] : possible) {
      EXPECT_TRUE(matches.contains(ref)) << side << ref << " / " << other << " ("
                                         << DecoyKindOf(lists_, ref) << ") was not paired possible";
    }
    std::cout << "[          ] " << side << by_strength[0] << " certain, " << by_strength[1]
              << " probable, " << by_strength[2] << " possible\n";
    return codes;
  }

  // The pair codes of corresponding records are equal on both sides, and
  // differ between pairs.
  void CheckPairCodes(const std::map<std::string, std::string>& lp_codes,
                      const std::map<std::string, std::string>& swv_codes) {
    std::set<std::string> distinct;
    for (const auto& [lp_ref, swv_ref] : expected_.strong_lp) {
      if (!lp_codes.contains(lp_ref) || !swv_codes.contains(swv_ref)) continue;  // reported above
      EXPECT_EQ(lp_codes.at(lp_ref), swv_codes.at(swv_ref)) << lp_ref << " / " << swv_ref;
      distinct.insert(lp_codes.at(lp_ref));
    }
    for (const auto& [lp_ref, swv_ref] : expected_.possible_lp) {
      if (!lp_codes.contains(lp_ref) || !swv_codes.contains(swv_ref)) continue;
      EXPECT_EQ(lp_codes.at(lp_ref), swv_codes.at(swv_ref)) << lp_ref << " / " << swv_ref;
      distinct.insert(lp_codes.at(lp_ref));
    }
    EXPECT_EQ(distinct.size(), lp_codes.size());
  }

  // Every label difference of the ground truth is flagged, and no other.
  void CheckFlags(const nlohmann::json& session, bool lp_side) {
    Matches matches = ByReference(session);
    size_t flagged[4] = {0, 0, 0, 0};
    for (const SharedChild& s : lists_.shared) {
      const std::string& ref = lp_side ? s.lp_reference : s.swv_reference;
      auto it = matches.find(ref);
      if (it == matches.end()) continue;  // reported by CheckSide
      const nlohmann::json& m = it->second.front().json;
      EXPECT_EQ(m.at("category_differs"), s.differs.category) << ref;
      EXPECT_EQ(m.at("since_differs"), s.differs.since) << ref;
      EXPECT_EQ(m.at("plan_differs"), s.differs.plan) << ref;
      EXPECT_EQ(m.at("school_differs"), s.differs.school) << ref;
      flagged[0] += s.differs.category;
      flagged[1] += s.differs.since;
      flagged[2] += s.differs.plan;
      flagged[3] += s.differs.school;
    }
    for (size_t f : flagged) EXPECT_GT(f, 0u);  // every kind of flag was really tested
  }

  void CheckCounts(const nlohmann::json& session) {
    const size_t shared = lists_.shared.size();
    EXPECT_EQ(session.at("overlap"), shared) << session.dump();
    const char* own = "own_matched";
    const char* peer = "peer_matched";
    EXPECT_EQ(session.at(own).at("certain_or_probable"), shared) << session.dump();
    EXPECT_EQ(session.at(own).at("possible_only"), expected_.possible_cases) << session.dump();
    EXPECT_EQ(session.at(peer).at("certain_or_probable"), shared) << session.dump();
    EXPECT_EQ(session.at(peer).at("possible_only"), expected_.possible_cases) << session.dump();
  }

  TempDir tmp_;
  NameMatchLists lists_;
  Expected expected_;
  std::unique_ptr<TestNode> lp_, swv_;
};

TEST_F(NameMatchTest, SwvRefusesAFileWithABsnColumnAndKeepsItsList) {
  const nlohmann::json before = swv_->CliJson({"list", "--json", "--rows"});
  ASSERT_EQ(before.at("total"), lists_.swv.size());

  // The leerplicht export, with its BSN column.
  RunResult lp_file = TryImport(*swv_, "brp-export.csv", lists_.leerplicht_csv);
  EXPECT_EQ(lp_file.exit_code, 3) << lp_file.err;
  EXPECT_NE(lp_file.err.find("BSN"), std::string::npos) << lp_file.err;
  // The SWV's own export with an empty "Burgerservicenummer" column: the
  // column alone is refused, and named as the file names it.
  std::string with_column;
  for (size_t at = 0; at < lists_.swv_csv.size();) {
    size_t end = lists_.swv_csv.find("\r\n", at);
    with_column += lists_.swv_csv.substr(at, end - at);
    with_column += at == 0 ? ";Burgerservicenummer\r\n" : ";\r\n";
    at = end + 2;
  }
  RunResult empty_column = TryImport(*swv_, "swv-with-bsn.csv", with_column);
  EXPECT_EQ(empty_column.exit_code, 3) << empty_column.err;
  EXPECT_NE(empty_column.err.find("Burgerservicenummer"), std::string::npos) << empty_column.err;
  // The messages never echo an identifier.
  for (const schema::ListRow& row : lists_.leerplicht) {
    EXPECT_EQ(lp_file.err.find(row.identifier->digits()), std::string::npos);
  }

  // Nothing was stored: the same list version, the same rows.
  const nlohmann::json after = swv_->CliJson({"list", "--json", "--rows"});
  EXPECT_EQ(after.at("version"), before.at("version"));
  EXPECT_EQ(after.at("rows"), before.at("rows"));
  EXPECT_EQ(after.at("total"), lists_.swv.size());
}

TEST_F(NameMatchTest, LeerplichtAndSwvFindExactlyTheChildrenTheyShare) {
  Connect(*lp_, *swv_);
  const nlohmann::json report = lp_->CliJson({"match", kSwv, "--purpose", kPurpose, "--json"});
  ASSERT_EQ(report.at("status"), "completed") << report.dump();
  const std::string session = report.at("session");
  // A leerplicht node never uses its PGN towards an SWV.
  EXPECT_EQ(report.at("match_keys"), "name, weak");
  EXPECT_EQ(report.at("own_list_size"), lists_.leerplicht.size());
  EXPECT_EQ(report.at("peer_list_size"), lists_.swv.size());

  const nlohmann::json swv_view = swv_->CliJson({"results", session, "--json"});
  EXPECT_EQ(swv_view.at("role"), "responder");
  EXPECT_EQ(swv_view.at("match_keys"), "name, weak");

  std::cout << "[          ] " << lists_.shared.size() << " shared, " << lists_.decoys.size()
            << " decoy cases (" << expected_.possible_cases << " possible), "
            << lists_.leerplicht.size() << " leerplicht rows, " << lists_.swv.size()
            << " swv rows\n";
  auto lp_codes = CheckSide(report, /*lp_side=*/true);
  auto swv_codes = CheckSide(swv_view, /*lp_side=*/false);
  CheckPairCodes(lp_codes, swv_codes);
  CheckFlags(report, /*lp_side=*/true);
  CheckFlags(swv_view, /*lp_side=*/false);
  CheckCounts(report);
  CheckCounts(swv_view);

  // Count mode: only the numbers, and they are the match run's.
  const nlohmann::json count =
      lp_->CliJson({"match", kSwv, "--purpose", kPurpose, "--count-only", "--json"});
  ASSERT_EQ(count.at("status"), "completed") << count.dump();
  EXPECT_EQ(count.at("mode"), "count");
  EXPECT_TRUE(!count.contains("matches") || count.at("matches").empty());
  size_t possible_shown = 0;
  for (const auto& m : report.at("matches")) possible_shown += m.at("strength") == "possible";
  EXPECT_EQ(count.at("overlap"), lists_.shared.size());
  EXPECT_EQ(count.at("own_matched").at("certain_or_probable"), lists_.shared.size());
  EXPECT_EQ(count.at("own_matched").at("possible_only"), possible_shown);
  EXPECT_EQ(count.at("peer_matched").at("certain_or_probable"), lists_.shared.size());
  EXPECT_EQ(count.at("peer_matched").at("possible_only"), expected_.possible_cases);
  const nlohmann::json swv_count = swv_->CliJson({"results", count.at("session"), "--json"});
  EXPECT_EQ(swv_count.at("overlap"), lists_.shared.size());
  EXPECT_EQ(swv_count.at("own_matched").at("possible_only"), expected_.possible_cases);

  // The privacy officer's view of one child of each kind: a shared child
  // was known to the SWV, a possible decoy only possibly.
  auto knew = [&](const std::string& reference) {
    for (const auto& row : lists_.leerplicht) {
      if (row.own_reference != reference) continue;
      for (const auto& s : lp_->CliJson({"audit", "subject", row.identifier->digits(), "--json"})) {
        if (s.at("session") == session) return s.at("peer_also_knows_child").get<std::string>();
      }
    }
    return std::string("not found");
  };
  EXPECT_EQ(knew(lists_.shared.front().lp_reference), "yes");
  bool checked_a_decoy = false;
  for (const DecoyCase& decoy : lists_.decoys) {
    if (decoy.expected == schema::Strength::kPossible && decoy.lp_references.size() == 1) {
      EXPECT_EQ(knew(decoy.lp_references.front()), "possibly");
      checked_a_decoy = true;
      break;
    }
  }
  EXPECT_TRUE(checked_a_decoy);
}

TEST_F(NameMatchTest, TheSwvCanStartTheExchange) {
  Connect(*swv_, *lp_);
  const nlohmann::json report = swv_->CliJson({"match", kLp, "--purpose", kPurpose, "--json"});
  ASSERT_EQ(report.at("status"), "completed") << report.dump();
  EXPECT_EQ(report.at("match_keys"), "name, weak");
  const nlohmann::json lp_view = lp_->CliJson({"results", report.at("session"), "--json"});
  EXPECT_EQ(lp_view.at("role"), "responder");
  auto swv_codes = CheckSide(report, /*lp_side=*/false);
  auto lp_codes = CheckSide(lp_view, /*lp_side=*/true);
  CheckPairCodes(lp_codes, swv_codes);
  CheckFlags(report, false);
  CheckFlags(lp_view, true);
  CheckCounts(report);
  CheckCounts(lp_view);
}

TEST_F(NameMatchTest, OnlyAPossiblePairIsConfirmed) {
  Connect(*lp_, *swv_);
  const nlohmann::json report = lp_->CliJson({"match", kSwv, "--purpose", kPurpose, "--json"});
  ASSERT_EQ(report.at("status"), "completed") << report.dump();
  const std::string session = report.at("session");
  // The partial-birth-date case is one child: the officers confirm it.
  std::string same_child_ref, probable_code, possible_code;
  for (const DecoyCase& c : lists_.decoys) {
    if (c.kind == DecoyKind::kPartialBirthDate) same_child_ref = c.lp_references.at(0);
  }
  for (const auto& m : report.at("matches")) {
    if (m.at("own_reference") == same_child_ref) possible_code = m.at("pair_code");
    if (m.at("strength") == "probable" && probable_code.empty()) probable_code = m.at("pair_code");
    if (m.at("strength") == "possible") {
      EXPECT_TRUE(m.contains("decision") && m.at("decision").is_null()) << m.dump();
    }
  }
  ASSERT_FALSE(possible_code.empty()) << same_child_ref << " was not paired";
  ASSERT_FALSE(probable_code.empty());

  RunResult confirmed = lp_->Cli({"results", session, "--confirm", possible_code});
  EXPECT_EQ(confirmed.exit_code, 0) << confirmed.err;
  EXPECT_NE(confirmed.out.find("confirmed"), std::string::npos) << confirmed.out;
  const nlohmann::json after = lp_->CliJson({"results", session, "--json"});
  for (const auto& m : after.at("matches")) {
    if (m.at("pair_code") == possible_code) {
      EXPECT_EQ(m.at("decision"), "confirmed") << m.dump();
    }
  }

  // The privacy officer sees the decision, and who took it, with the child.
  for (const auto& row : lists_.leerplicht) {
    if (row.own_reference != same_child_ref) continue;
    const nlohmann::json seen =
        lp_->CliJson({"audit", "subject", row.identifier->digits(), "--json"});
    bool decision_seen = false;
    for (const auto& s : seen) {
      if (s.contains("decision")) {
        EXPECT_EQ(s.at("decision"), "confirmed");
        EXPECT_EQ(s.at("pair_code"), possible_code);
        EXPECT_EQ(s.at("session"), session);
        EXPECT_EQ(s.at("by").get<std::string>().rfind("os:", 0), 0u) << s.dump();
        decision_seen = true;
      }
    }
    EXPECT_TRUE(decision_seen) << seen.dump();
  }

  RunResult refused = lp_->Cli({"results", session, "--confirm", probable_code});
  EXPECT_EQ(refused.exit_code, 6) << refused.err;
  EXPECT_NE(refused.err.find("probable"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("only a possible pair"), std::string::npos) << refused.err;
  RunResult unknown = lp_->Cli({"results", session, "--confirm", "ZZZ-ZZZ"});
  EXPECT_EQ(unknown.exit_code, 3) << unknown.err;
}

// Two leerplicht nodes may use the BSN: the same children, certain.
// Lists of numbers only (as before names were imported) cost one slot a
// record: a node offers, and allows, only the key types its list has.
TEST_F(NameMatchTest, ListsOfNumbersOnlyMatchOnTheNumberAlone) {
  std::vector<schema::ListRow> mine, theirs;
  for (size_t i = 0; i < lists_.leerplicht.size(); ++i) {
    schema::ListRow row = lists_.leerplicht[i];
    row.name = {};
    row.birth_date.reset();
    row.sex.reset();
    if (i % 2 == 0) {
      schema::ListRow copy = row;
      copy.own_reference = "LPB-" + std::to_string(100000 + i);
      theirs.push_back(std::move(copy));
    }
    mine.push_back(std::move(row));
  }
  TestNode a(tmp_.path(), "leerplicht-a", "leerplicht");
  TestNode b(tmp_.path(), "leerplicht-b", "leerplicht");
  a.Import(mine);
  b.Import(theirs);
  Connect(a, b);
  const nlohmann::json report = a.CliJson({"match", "leerplicht-b", "--purpose", kPurpose, "--json"});
  ASSERT_EQ(report.at("status"), "completed") << report.dump();
  EXPECT_EQ(report.at("match_keys"), "pgn");
  EXPECT_EQ(report.at("overlap"), theirs.size());
  for (const auto& m : report.at("matches")) EXPECT_EQ(m.at("strength"), "certain");
  const nlohmann::json view = b.CliJson({"results", report.at("session"), "--json"});
  EXPECT_EQ(view.at("match_keys"), "pgn");
  EXPECT_EQ(view.at("overlap"), theirs.size());
}

TEST_F(NameMatchTest, TwoLeerplichtNodesMatchCertainOnTheBsn) {
  // Every other child of the first list, under the second node's references.
  std::vector<schema::ListRow> other;
  std::map<std::string, std::string> reference_of;  // second node's ref -> first's
  for (size_t i = 0; i < lists_.leerplicht.size(); i += 2) {
    schema::ListRow row = lists_.leerplicht[i];
    row.own_reference = "LPZ-" + std::to_string(100000 + i);
    reference_of[row.own_reference] = lists_.leerplicht[i].own_reference;
    other.push_back(std::move(row));
  }
  TestNode lp2(tmp_.path(), "leerplicht-zandvoort", "leerplicht");
  lp2.Import(other);
  Connect(*lp_, lp2);
  const nlohmann::json report =
      lp_->CliJson({"match", "leerplicht-zandvoort", "--purpose", kPurpose, "--json"});
  ASSERT_EQ(report.at("status"), "completed") << report.dump();
  EXPECT_EQ(report.at("match_keys"), "pgn, name, weak");
  EXPECT_EQ(report.at("overlap"), other.size());
  EXPECT_EQ(report.at("own_matched").at("possible_only"), 0);
  std::set<std::string> expected_refs, found;
  for (const auto& [mine, theirs] : reference_of) expected_refs.insert(theirs);
  for (const auto& m : report.at("matches")) {
    EXPECT_EQ(m.at("strength"), "certain") << m.dump();
    found.insert(m.at("own_reference"));
  }
  EXPECT_EQ(found, expected_refs);
  const nlohmann::json view = lp2.CliJson({"results", report.at("session"), "--json"});
  EXPECT_EQ(view.at("matches").size(), other.size());
  std::map<std::string, std::string> code_of;
  for (const auto& m : report.at("matches")) code_of[m.at("own_reference")] = m.at("pair_code");
  for (const auto& m : view.at("matches")) {
    EXPECT_EQ(m.at("strength"), "certain") << m.dump();
    EXPECT_EQ(m.at("pair_code"), code_of[reference_of.at(m.at("own_reference"))]);
  }
}

}  // namespace
}  // namespace inbeeld
