// A session's list is committed once; only matched children get records;
// the export carries each list, verify checks it against its root, and
// retention forgets a list once no kept record names it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "crypto/bytes.h"
#include "node/audit/audit_log.h"
#include "node/audit/exchange_records.h"
#include "node/audit/export.h"
#include "node/audit/list_commitments.h"
#include "node/audit/verify.h"
#include "node/store/sqlite_util.h"
#include "tests/support/fake_clock.h"
#include "tests/support/subprocess.h"

namespace inbeeld::node::audit {
namespace {

const testing::FakeClock kClock("2026-11-22T14:03:05Z");

namespace fs = std::filesystem;
using inbeeld::testing::ReadFile;
using inbeeld::testing::TempDir;
using inbeeld::testing::WriteFile;

std::string Problems(const VerifyReport& report) {
  std::string out;
  for (const auto& p : report.problems) out += "\n  " + p;
  return out;
}

std::array<uint8_t, 32> Subject(int i) {
  std::array<uint8_t, 32> s{};
  s[0] = static_cast<uint8_t>(i);
  s[1] = static_cast<uint8_t>(i >> 8);
  s[31] = 0x17;
  return s;
}

class AuditListsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(tmp_.path() / "db", crypto::SecretBytes::Random(32), true, kClock);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    log_ = std::make_unique<AuditLog>(*store_, node_key_);
    config_.node_name = "Leerplicht Test";
    for (int i = 0; i < 50; ++i) list1_.push_back(Subject(i));
    for (int i = 30; i < 70; ++i) list2_.push_back(Subject(i));
  }
  ExchangeAudit Session(std::string mode, std::string outcome, int64_t version) {
    ExchangeAudit e;
    e.trace_id = NewTraceId();
    e.role = "initiator";
    e.node_key = node_key_.PublicKey().Fingerprint();
    e.peer = "swv";
    e.peer_key = "ed25519:" + std::string(64, 'b');
    e.purpose = "thuiszitters-afstemming";
    e.mode = std::move(mode);
    e.outcome = std::move(outcome);
    e.start_ms = NowMs(kClock);
    e.end_ms = e.start_ms + 10;
    e.list_version = version;
    return e;
  }
  // Subjects 0..4 matched, 5..6 possibly; the rest not.
  std::vector<ChildMatch> Matches(size_t n) {
    std::vector<ChildMatch> m(n, ChildMatch::kNo);
    for (size_t i = 0; i < 5; ++i) m[i] = ChildMatch::kYes;
    m[5] = m[6] = ChildMatch::kPossibly;
    return m;
  }
  std::vector<StoredRecord> All() {
    RecordFilter all;
    all.include_subjects = true;
    auto records = log_->Records(all);
    EXPECT_TRUE(records);
    return records ? *records : std::vector<StoredRecord>{};
  }
  // Four sessions: a match and a count on list 1, a failed one on list 1,
  // a match on list 2.
  void FourSessions() {
    ASSERT_TRUE(AppendExchange(*log_, Session("match", "completed", 1), audit_key_, list1_,
                               Matches(list1_.size())));
    ASSERT_TRUE(AppendExchange(*log_, Session("count", "completed", 1), audit_key_, list1_, {}));
    ASSERT_TRUE(AppendExchange(*log_, Session("match", "failed", 1), audit_key_, list1_, {}));
    ASSERT_TRUE(AppendExchange(*log_, Session("match", "completed", 2), audit_key_, list2_,
                               Matches(list2_.size())));
  }

  TempDir tmp_;
  crypto::SigningKey node_key_ = crypto::SigningKey::Generate();
  crypto::PseudonymKey audit_key_ = crypto::PseudonymKey::Generate();
  config::NodeConfig config_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<AuditLog> log_;
  std::vector<std::array<uint8_t, 32>> list1_, list2_;
};

TEST_F(AuditListsTest, EachListIsCommittedOnceAndOnlyMatchedChildrenGetRecords) {
  FourSessions();
  std::map<std::string, int> names;
  std::set<std::string> roots;
  std::vector<std::string> outcomes_of_others;
  for (const auto& r : All()) {
    ++names[r.record.name];
    const auto& a = r.record.attributes;
    if (r.record.name == std::string(kListCommittedRecord)) {
      roots.insert(a.at("inbeeld.list_root"));
      EXPECT_EQ(a.at("inbeeld.list_size"), a.at("inbeeld.list_version") == "1" ? "50" : "40");
    }
    if (r.record.name.starts_with("inbeeld.exchange.") && r.record.name != "inbeeld.exchange.subject") {
      EXPECT_TRUE(roots.contains(a.at("inbeeld.list_root"))) << "named before it was committed";
      outcomes_of_others.push_back(a.at("inbeeld.members_without_record"));
    }
    if (r.record.name == "inbeeld.exchange.subject") {
      EXPECT_NE(a.at("inbeeld.matched"), "no");
    }
  }
  EXPECT_EQ(names[std::string(kListCommittedRecord)], 2);
  EXPECT_EQ(names["inbeeld.exchange.match"], 3);
  EXPECT_EQ(names["inbeeld.exchange.count"], 1);
  EXPECT_EQ(names["inbeeld.exchange.subject"], 14) << "7 matched children in each of two matches";
  EXPECT_EQ(outcomes_of_others,
            (std::vector<std::string>{"no", "not revealed", "not revealed", "no"}));
}

TEST_F(AuditListsTest, AChildsListsAreFoundAndProvenByInclusion) {
  FourSessions();
  // Subject 40 is on both lists, subject 10 on the first only.
  for (auto [child, lists] : {std::pair{40, 2}, std::pair{10, 1}, std::pair{99, 0}}) {
    const std::string p = SubjectPseudonym(audit_key_, Subject(child));
    auto on = ListsContaining(*log_, p);
    ASSERT_TRUE(on) << on.error().message;
    ASSERT_EQ(on->size(), static_cast<size_t>(lists)) << "child " << child;
    for (const auto& list : *on) {
      auto membership = ProveListMembership(*log_, list, p);
      ASSERT_TRUE(membership) << membership.error().message;
      EXPECT_TRUE(crypto::VerifyInclusion(
          crypto::LeafHash(std::span(reinterpret_cast<const uint8_t*>(p.data()), p.size())),
          membership->index, list.size, membership->proof, list.root));
      auto naming = log_->RecordsNamingList(list.id);
      ASSERT_TRUE(naming);
      EXPECT_EQ(naming->size(), list.list_version == 1 ? 3u : 1u);
    }
  }
}

TEST_F(AuditListsTest, TheExportCarriesEachListAndVerifyChecksIt) {
  FourSessions();
  fs::path dir = tmp_.path() / "export";
  auto exported = ExportAudit(*log_, config_, node_key_.PublicKey(), dir);
  ASSERT_TRUE(exported) << exported.error().message;
  EXPECT_EQ(exported->lists, 2u);
  VerifyReport report = VerifyExport(dir);
  EXPECT_TRUE(report.ok()) << Problems(report);
  EXPECT_EQ(report.lists, 2u);

  auto lists = CommittedLists(*log_);
  ASSERT_TRUE(lists);
  const std::string name = ListFileName((*lists)[0].root);
  const std::string text = ReadFile(dir / "lists" / name);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 50);
  EXPECT_TRUE(IsPseudonym(text.substr(0, 64)));

  auto tampered = [&](const std::string& what, auto&& change) {
    fs::path copy = tmp_.path() / ("tampered-" + what);
    fs::copy(dir, copy, fs::copy_options::recursive);
    change(copy);
    return VerifyExport(copy);
  };
  // A child removed from the list.
  VerifyReport removed = tampered("removed", [&](const fs::path& d) {
    WriteFile(d / "lists" / name, text.substr(65));
  });
  ASSERT_EQ(removed.problems.size(), 1u) << Problems(removed);
  EXPECT_EQ(removed.problems[0], "lists/" + name + " does not hash to its root: a child was added, "
                                 "removed or changed");
  // Two children swapped.
  VerifyReport swapped = tampered("swapped", [&](const fs::path& d) {
    WriteFile(d / "lists" / name, text.substr(65, 65) + text.substr(0, 65) + text.substr(130));
  });
  ASSERT_EQ(swapped.problems.size(), 1u) << Problems(swapped);
  EXPECT_EQ(swapped.problems[0], "lists/" + name + " line 2: out of order or repeated (a list is "
                                 "sorted, each child once)");
  // The list missing, or one no record names.
  VerifyReport missing = tampered("missing", [&](const fs::path& d) { fs::remove(d / "lists" / name); });
  ASSERT_EQ(missing.problems.size(), 1u) << Problems(missing);
  EXPECT_NE(missing.problems[0].find("lists/" + name + " is missing: records.jsonl line 1 names this list"),
            std::string::npos)
      << Problems(missing);
  VerifyReport extra = tampered("extra", [&](const fs::path& d) {
    WriteFile(d / "lists" / (std::string(64, 'a') + ".txt"), text);
  });
  ASSERT_EQ(extra.problems.size(), 1u) << Problems(extra);
  EXPECT_EQ(extra.problems[0], "lists/" + std::string(64, 'a') + ".txt is not named by any record");
}

TEST_F(AuditListsTest, RetentionForgetsAListOnlyWhenNoKeptRecordNamesIt) {
  FourSessions();
  // A later session on list 1 keeps it alive after the first four are redacted.
  ASSERT_TRUE(AppendExchange(*log_, Session("count", "completed", 1), audit_key_, list1_, {}));
  auto size = log_->Size();
  ASSERT_TRUE(size);
  auto aged = Statement::Prepare(store_->handle(), "UPDATE audit_leaves SET time_ms = 1000 WHERE idx < ?");
  ASSERT_TRUE(aged);
  ASSERT_TRUE(aged->Bind(1, static_cast<int64_t>(*size - 1)));
  ASSERT_TRUE(aged->Run());
  auto redact = [&](int64_t cutoff) {
    return log_->InTransaction([&]() -> Status {
      auto redacted = log_->RedactBeforeInTransaction(cutoff);
      if (!redacted) return std::unexpected(redacted.error());
      return {};
    });
  };
  ASSERT_TRUE(redact(2000));
  auto lists = CommittedLists(*log_);
  ASSERT_TRUE(lists);
  ASSERT_EQ(lists->size(), 1u) << "list 2 is named by no kept record";
  EXPECT_EQ((*lists)[0].list_version, 1);
  // The child is still found, through the kept session only.
  const std::string p = SubjectPseudonym(audit_key_, Subject(3));
  auto on = ListsContaining(*log_, p);
  ASSERT_TRUE(on && on->size() == 1u);
  auto naming = log_->RecordsNamingList((*on)[0].id);
  ASSERT_TRUE(naming);
  EXPECT_EQ(naming->size(), 1u);
  fs::path dir = tmp_.path() / "after-retention";
  ASSERT_TRUE(ExportAudit(*log_, config_, node_key_.PublicKey(), dir));
  VerifyReport report = VerifyExport(dir);
  EXPECT_TRUE(report.ok()) << Problems(report);
  EXPECT_EQ(report.lists, 1u);

  ASSERT_TRUE(redact(NowMs(kClock) + 60'000));
  lists = CommittedLists(*log_);
  ASSERT_TRUE(lists);
  EXPECT_TRUE(lists->empty());
  fs::path empty = tmp_.path() / "all-redacted";
  ASSERT_TRUE(ExportAudit(*log_, config_, node_key_.PublicKey(), empty));
  EXPECT_FALSE(fs::exists(empty / "lists"));
  VerifyReport none = VerifyExport(empty);
  EXPECT_TRUE(none.ok()) << Problems(none);
}

}  // namespace
}  // namespace inbeeld::node::audit
